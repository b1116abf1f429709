//! Tight integer bounds for the hidden cells of a cellbound model.
//!
//! This file is the crate's API and nothing else: [`bounds`], [`solve`],
//! [`solve_with_progress`], [`Options`], the report and error types, and
//! [`audit`] and [`protect`]. The work is done by crate-private modules (see
//! ARCHITECTURE.md, "solver: modules and their invariants").
//!
//! ```
//! use cellbound_core::io::{csv_grid, GridOptions};
//! use cellbound_core::Rule;
//! use cellbound_solver::{bounds, Options, Outcome};
//!
//! let csv = "MRC,Volet 1,Volet 2,Volet 3,Total\n\
//!            La Mitis,x,9,x,20\n\
//!            Les Basques,x,15,x,25\n\
//!            Total,13,24,8,45\n";
//! let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
//! let open = Rule::open();
//! let Outcome::Feasible(report) = bounds(&model, open, &Options::default()).unwrap() else {
//!     panic!("feasible")
//! };
//! let mitis1 = report.cells[0].bounds;
//! assert_eq!((mitis1.lower, mitis1.upper), (Some(3), Some(11)));
//! ```

mod audit;
mod certificate;
mod collapse;
mod components;
mod error;
mod flow;
mod footprint;
mod impute;
mod infeasible;
mod inspect;
mod lattice;
mod lp;
mod lp_path;
mod options;
mod pipeline;
mod presolve;
mod prose;
mod protect;
mod reason;
mod report;
mod solved;
mod witness;

#[cfg(test)]
mod tests;

use cellbound_core::{LinearSystem, Model, Rule};

pub use audit::{
    attacker_rule, audit, audit_on, check_truth, AuditError, AuditReport, AuditSummary, Basis,
    BasisChoice, CellAudit, CellPolicy, Inconsistent, Protection, Requirement, Verdict,
};
pub use error::{Error, SolveError};
pub use footprint::{witness_tables_estimate, Size};
pub use impute::{impute, Estimate, Imputation, ImputeOptions, Mean, Method, Source};
pub use inspect::{largest_reduced_component, ReducedComponent, ReducedRow};
#[doc(hidden)]
pub use lattice::short_kernel;
pub use options::Options;
pub use protect::{
    protect, Complement, Cost, ProtectError, ProtectOptions, ProtectStats, Protected,
};
pub use reason::{Conflict, ConflictLine, GaveUp, Hint, LatticeStop, Reason, Unproved};
pub use report::{
    Bounds, CellBounds, Infeasibility, Outcome, Proofs, Report, Stats, Status, Summary, Table,
    Tables, Witness,
};

/// The model under the rule: bounds for every hidden cell, or why there
/// are none.
pub fn bounds(model: &Model, rule: Rule, options: &Options) -> Result<Outcome, Error> {
    let system = LinearSystem::build(model, rule)?;
    Ok(solve(&system, options)?)
}

/// Solves a linear system (built from a model with
/// [`LinearSystem::build`]): each component on its own, every bound
/// reached by a table checked in exact integer arithmetic. The outcome
/// refers to cells, rows and variables of `system`; its `describe` and
/// `explanation` methods take the model to name them.
pub fn solve(system: &LinearSystem, options: &Options) -> Result<Outcome, SolveError> {
    solve_with_progress(system, options, &|_, _| {})
}

/// [`solve`], calling `progress(cells done, cells in all)` as cells are
/// bounded: per component on the flow path, per cell (or group of cells
/// tied by substitution) on the LP path; from any thread.
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use cellbound_core::io::{csv_grid, GridOptions};
/// use cellbound_core::{LinearSystem, Rule};
/// use cellbound_solver::{solve_with_progress, Options};
///
/// let csv = "MRC,Volet 1,Volet 2,Volet 3,Total\n\
///            La Mitis,x,9,x,20\n\
///            Les Basques,x,15,x,25\n\
///            Total,13,24,8,45\n";
/// let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
/// let open = Rule::open();
/// let system = LinearSystem::build(&model, open).unwrap();
/// let last = AtomicUsize::new(0);
/// solve_with_progress(&system, &Options::default(), &|done, _all| {
///     last.fetch_max(done, Ordering::Relaxed);
/// })
/// .unwrap();
/// assert_eq!(last.into_inner(), system.vars.len());
/// ```
pub fn solve_with_progress(
    system: &LinearSystem,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, SolveError> {
    pipeline::solve(system, options, progress)
}
