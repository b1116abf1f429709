//! The `cellbound` command line: a thin layer over `cellbound-core` and
//! `cellbound-solver`. Only this crate prints or chooses exit statuses.

mod address;
pub mod args;
mod assumptions;
mod audit;
mod bounds;
mod explain;
mod html;
mod impute;
mod input;
mod memory;
pub mod output;
pub mod progress;
mod proofs;
mod protect;
pub mod render;
pub mod synth;
mod verify;

/// The commands' work without their files and output, for programs that
/// run them in process (the Python package). Not a supported API.
#[doc(hidden)]
pub mod embed {
    pub use crate::address::find_cell;
    pub use crate::explain::{explain_cell, Explained};
    pub use crate::verify::{verify_bytes, Verified};
}

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use cellbound_core::Model;
use cellbound_solver::SolveError;

/// Exit statuses (docs/formats.md section 5).
pub mod exit {
    pub const SUCCESS: u8 = 0;
    /// An audit found a cell protected less than required.
    pub const AUDIT_FAILED: u8 = 1;
    /// Bad usage or bad input.
    pub const BAD_INPUT: u8 = 2;
    /// The model is infeasible.
    pub const INFEASIBLE: u8 = 3;
    /// The solver could not prove an answer (an extension of the spec).
    pub const SOLVER: u8 = 4;
}

/// An error the CLI reports on standard error, with its exit status.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub status: u8,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            status: exit::BAD_INPUT,
        }
    }
    /// A file that cannot be written is the user's to fix, like bad input.
    pub fn io(message: impl Into<String>) -> Self {
        Self::usage(message)
    }
}

impl From<cellbound_core::InputError> for CliError {
    fn from(e: cellbound_core::InputError) -> Self {
        CliError::usage(e.to_string())
    }
}

impl From<SolveError> for CliError {
    fn from(e: SolveError) -> Self {
        CliError {
            message: e.to_string(),
            status: exit::SOLVER,
        }
    }
}

impl CliError {
    /// A solver error, with the cells it names in `model`'s terms.
    pub fn solve(model: &Model, e: SolveError) -> Self {
        match e {
            SolveError::Unproved(u) => CliError {
                message: u.describe(model),
                status: exit::SOLVER,
            },
            e => CliError::from(e),
        }
    }
}

/// Runs the command line; returns the process's exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout with status 0, and
            // usage errors to stderr with status 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::BAD_INPUT
            } else {
                exit::SUCCESS
            });
        }
    };
    let status = match run(cli) {
        Ok(status) => status,
        Err(e) => {
            output::stderr_line(&format!("cellbound: error: {}", e.message));
            e.status
        }
    };
    output::finish(status);
    ExitCode::from(status)
}

fn run(cli: Cli) -> Result<u8, CliError> {
    match cli.command {
        Command::Bounds(args) => bounds::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Protect(args) => protect::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Impute(args) => impute::run(args),
        Command::Synth(args) => synth::run(args),
    }
}

/// `--time-limit SECONDS` as a duration.
pub(crate) fn time_limit(seconds: Option<f64>) -> Result<Option<std::time::Duration>, CliError> {
    match seconds {
        Some(t) if !(t.is_finite() && t >= 0.0) => Err(CliError::usage(format!(
            "--time-limit {t}: give a number of seconds, 0 or more"
        ))),
        t => Ok(t.map(std::time::Duration::from_secs_f64)),
    }
}
