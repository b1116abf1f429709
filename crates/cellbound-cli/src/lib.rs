//! The `cellbound` command line: a thin layer over `cellbound-core` and
//! `cellbound-solver`. Only this crate prints or chooses exit statuses.

mod address;
pub mod args;
mod assumptions;
mod audit;
mod explain;
mod input;
pub mod output;
pub mod progress;
mod proofs;
pub mod render;
pub mod synth;
mod verify;

use std::process::ExitCode;

use clap::Parser;

use args::{BoundsArgs, Cli, Command, OutputFormat};
use cellbound_solver::{Options, Outcome, Report};

/// Exit statuses (formats.md section 5).
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

impl From<cellbound_solver::SolveError> for CliError {
    fn from(e: cellbound_solver::SolveError) -> Self {
        CliError {
            message: e.to_string(),
            status: exit::SOLVER,
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
        Command::Bounds(args) => bounds(args),
        Command::Audit(args) => audit::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Synth(args) => synth::run(args),
    }
}

fn bounds(args: BoundsArgs) -> Result<u8, CliError> {
    if let Some(out) = &args.output.output {
        output::check_not_input(out, &[&args.file])?;
    }
    let format = output::resolve_format(&args.output);
    let loaded = input::load(&args.file, &args.input.grid_options())?;
    if format == OutputFormat::Jj && loaded.jj.is_none() {
        return Err(CliError::usage(format!(
            "{}: --format jj needs the true values of the hidden cells: use it with a JJ input, or with `cellbound audit --truth`",
            args.file.display()
        )));
    }
    let model = loaded.model;
    let rule = args.rule.rule();
    let options = Options {
        keep_witnesses: args.witnesses,
        derive: args.witnesses,
        time_limit: time_limit(args.time_limit)?,
    };
    let system = cellbound_core::LinearSystem::build(&model, rule)?;
    let started = std::time::Instant::now();
    let outcome = progress::solve(&model, &system, &options, args.quiet)?;
    if args.stats {
        progress::stats(&system, &outcome, started.elapsed());
    }
    let out = args.output.output.as_deref();
    match outcome {
        Outcome::Feasible(report) => {
            // The check under --open gets what is left of the time limit.
            let left = options
                .time_limit
                .map(|t| t.saturating_sub(started.elapsed()));
            let assumed = assumptions::check(&model, &system, rule, &report, left);
            let text = match format {
                OutputFormat::Json => render::json(
                    &model,
                    rule,
                    &report,
                    args.witnesses.then_some(&system),
                    &assumed,
                ),
                OutputFormat::Csv => render::csv(&model, &report),
                OutputFormat::Table => render::table(&model, rule, &report, &assumed),
                OutputFormat::Jj => {
                    let mut cells = loaded.jj.expect("checked above");
                    for c in &report.cells {
                        let line = &mut cells[c.cell.cell];
                        line.lower = c.bounds.lower;
                        line.upper = c.bounds.upper;
                    }
                    render::jj(&model, vec![cells])?
                }
            };
            output::emit(out, &text)?;
            // The output is whole and every bound in it sound; exit 4
            // says that some are not proved tight for want of solving
            // time the user did not choose to cut.
            for u in &report.unproved {
                output::stderr_line(&format!("cellbound: not proved: {}", u.describe()));
            }
            Ok(assumptions::finish(&report, &assumed, args.require_tight))
        }
        Outcome::Infeasible(why) => {
            let explanation = why.explanation();
            // The answer is "infeasible" in every format, so that a file
            // from an earlier run never stands in for this one.
            match format {
                OutputFormat::Json => {
                    output::emit(out, &render::infeasible_json(rule, &explanation))?
                }
                OutputFormat::Table if out.is_some() => {
                    output::emit(out, &format!("infeasible: {explanation}\n"))?
                }
                OutputFormat::Csv if out.is_some() => {
                    output::emit(out, &render::csv(&model, &Report::empty()))?
                }
                _ => {}
            }
            output::stderr_line(&format!("cellbound: infeasible: {explanation}"));
            Ok(exit::INFEASIBLE)
        }
    }
}

/// `--time-limit SECONDS` as a duration.
fn time_limit(seconds: Option<f64>) -> Result<Option<std::time::Duration>, CliError> {
    match seconds {
        Some(t) if !(t.is_finite() && t >= 0.0) => Err(CliError::usage(format!(
            "--time-limit {t}: give a number of seconds, 0 or more"
        ))),
        t => Ok(t.map(std::time::Duration::from_secs_f64)),
    }
}
