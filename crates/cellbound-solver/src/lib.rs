//! Tight integer bounds for the hidden cells of a cellbound model.
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
//! let open = Rule { open: true, ..Rule::default() };
//! let Outcome::Feasible(report) = bounds(&model, open, &Options::default()).unwrap() else {
//!     panic!("feasible")
//! };
//! let mitis1 = report.cells[0].bounds;
//! assert_eq!((mitis1.lower, mitis1.upper), (3, Some(11)));
//! ```

pub mod audit;
mod bounds;
pub mod components;
mod infeasible;
pub mod lp;
pub mod presolve;
pub mod report;
pub mod witness;

use cellbound_core::{InputError, LinearSystem, Model, Rule};

pub use report::{Bounds, CellBounds, Infeasibility, Outcome, Report, Status, Summary, Witness};

/// What can stop the solver short of an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// The LP backend failed.
    #[error("the LP solver failed: {0}")]
    Solver(String),
    /// A solver answer failed the exact check.
    #[error("the solver's answer failed the exact check: {0}")]
    Numerical(String),
    /// The counts are beyond what the integer solver handles.
    #[error("{0}")]
    TooLarge(String),
    /// An integer program did not finish in its time.
    #[error("{0}")]
    OutOfTime(String),
}

/// Any error of [`bounds`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// How to solve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep, for every bound, the integer table that reaches it.
    pub keep_witnesses: bool,
}

/// The model under the rule: bounds for every hidden cell, or why there
/// are none.
pub fn bounds(model: &Model, rule: Rule, options: &Options) -> Result<Outcome, Error> {
    let system = LinearSystem::build(model, rule)?;
    Ok(solve(model, &system, options)?)
}

/// Solves a system built from `model`: each component on its own, every
/// bound reached by a table checked in exact integer arithmetic.
pub fn solve(
    model: &Model,
    system: &LinearSystem,
    options: &Options,
) -> Result<Outcome, SolveError> {
    if let Some(row) = system.rows.iter().find(|r| r.terms.is_empty()) {
        return Ok(Outcome::Infeasible(infeasible::constant_row(
            model, system, row,
        )));
    }
    let parts = components::split(system);
    let mut results: Vec<Option<CellBounds>> = vec![None; system.vars.len()];
    let mut programs = 0;
    for (k, part) in parts.iter().enumerate() {
        let Some(solved) = bounds::solve(part, options.keep_witnesses)? else {
            return Ok(Outcome::Infeasible(infeasible::explain(
                model, system, part,
            )?));
        };
        programs += solved.programs;
        let witness = |w: usize| Witness {
            values: part
                .vars
                .iter()
                .copied()
                .zip(solved.witnesses[w].iter().copied())
                .collect(),
        };
        for (i, &v) in part.vars.iter().enumerate() {
            let (lo_w, hi_w) = solved.reached_by[i];
            results[v] = Some(CellBounds {
                cell: system.vars[v].cell,
                var: v,
                bounds: Bounds {
                    lower: solved.lower[i],
                    upper: solved.upper[i],
                },
                component: k,
                witnesses: options
                    .keep_witnesses
                    .then(|| (witness(lo_w), hi_w.map(witness))),
            });
        }
    }
    Ok(Outcome::Feasible(Report {
        cells: results
            .into_iter()
            .map(|c| c.expect("every variable is in a component"))
            .collect(),
        components: parts.len(),
        programs_solved: programs,
    }))
}
