//! The `cellbound` binary's tests, one test binary: each module runs the
//! binary (`CARGO_BIN_EXE_cellbound`) on files of the repository, whose
//! root is two folders above this package.

mod amounts;
mod assumptions;
mod audit_seed;
mod cell_address;
mod cli;
mod common;
mod explain_verify;
mod explain_wording;
mod golden;
mod grid_range;
mod hostile;
mod html_report;
mod impute;
mod input_errors;
mod limits;
mod long;
mod magnitude;
mod no_lower_limit;
mod only_table;
mod output_files;
mod profiles;
mod profiles_long;
mod protect;
mod readme;
mod require_tight;
mod rounded_file;
mod search_tree;
mod seed_facts;
mod sheets;
mod short_kernel;
mod synth_nd;
mod tau;
mod traps;
mod verify_changes;
mod verify_text;
