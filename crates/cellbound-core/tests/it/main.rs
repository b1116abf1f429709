//! cellbound-core's integration tests, one test binary: the readers.

mod csv_grid;
mod jj;
mod json_model;
mod long;
mod sheet;
