//! The root package's integration tests, one binary: the facade library
//! (`cellbound::core`, `cellbound::solver`) with no binary involved.
//! The LP path against an integer-program oracle lives inside the solver
//! crate (`crates/cellbound-solver/src/tests/lp_paths.rs`).

mod extreme;
mod impute;
mod large_cubes;
mod layouts;
mod negative;
mod properties;
mod rounded;
mod support;
