//! The root package's integration tests, one binary: the facade library
//! (`cellbound::core`, `cellbound::solver`) with no binary involved.
//! `tests/lp_paths.rs` is still a binary of its own for now.

mod large_cubes;
mod properties;
mod support;
