//! The solver crate's integration tests, one binary: the public API
//! (`bounds`, `audit`) on hand-built grids. Tests that need the crate's
//! internals live inside it (`src/tests/`).

mod audit;
mod common;
mod grid;
