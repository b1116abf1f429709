//! cellbound: what a published statistical table still reveals about the
//! cells it suppressed.
//!
//! This crate re-exports the library crates so that a program needs one
//! dependency:
//!
//! - [`core`]: the table model (tables, dimensions, cells, rule, extra
//!   constraints) and its file formats;
//! - [`solver`]: tight integer bounds for every hidden cell, verified
//!   exactly.
pub use cellbound_core as core;
pub use cellbound_solver as solver;
