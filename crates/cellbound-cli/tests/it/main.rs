//! The `cellbound` binary's tests, one test binary: each module runs the
//! binary (`CARGO_BIN_EXE_cellbound`) on files of the repository, whose
//! root is two folders above this package.

mod audit_seed;
mod cli;
mod explain_verify;
mod golden;
mod hostile;
mod seed_facts;
