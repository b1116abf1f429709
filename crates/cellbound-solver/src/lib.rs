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
pub mod certificate;
pub mod collapse;
pub mod components;
pub mod flow;
mod infeasible;
pub mod lattice;
pub mod lp;
pub mod presolve;
pub mod report;
pub mod witness;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use cellbound_core::proof::Side;
use cellbound_core::{InputError, LinearSystem, Model, Rule};

pub use report::{
    Bounds, CellBounds, Infeasibility, Outcome, Proofs, Report, Status, Summary, Unproved, Witness,
};

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
    /// Derive, for every bound, the combination of published lines that
    /// proves it (and, for an unbounded cell, the ray).
    pub derive: bool,
    /// Stop solving after this long: cells not yet solved get presolve's
    /// bounds, sound but possibly loose, marked not tight.
    pub time_limit: Option<Duration>,
}

/// The model under the rule: bounds for every hidden cell, or why there
/// are none.
pub fn bounds(model: &Model, rule: Rule, options: &Options) -> Result<Outcome, Error> {
    let system = LinearSystem::build(model, rule)?;
    Ok(solve(model, &system, options)?)
}

/// What one component gives.
enum PartOutcome {
    /// The bounds of its cells, how many programs they took, and what
    /// was left unproved.
    Cells(Vec<CellBounds>, usize, Option<Unproved>),
    Infeasible(Infeasibility),
}

/// Solves a system built from `model`: each component on its own, every
/// bound reached by a table checked in exact integer arithmetic.
pub fn solve(
    model: &Model,
    system: &LinearSystem,
    options: &Options,
) -> Result<Outcome, SolveError> {
    solve_with_progress(model, system, options, &|_, _| {})
}

/// [`solve`], calling `progress(cells done, cells in all)` as cells are
/// bounded: per component on the flow path, per cell (or group of cells
/// tied by substitution) on the LP path; from any thread.
pub fn solve_with_progress(
    model: &Model,
    system: &LinearSystem,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, SolveError> {
    if let Some(row) = system.rows.iter().find(|r| r.terms.is_empty()) {
        return Ok(Outcome::Infeasible(infeasible::constant_row(model, row)));
    }
    let deadline = options.time_limit.map(|t| Instant::now() + t);
    let parts = components::split(system);
    let mut results: Vec<Option<CellBounds>> = vec![None; system.vars.len()];
    let mut programs = 0;
    let mut unproved = Vec::new();
    // Components are independent: solved in parallel, read back in
    // order, so the answer is the sequential one.
    let done = AtomicUsize::new(0);
    let solved: Vec<_> = parts
        .par_iter()
        .enumerate()
        .map(|(k, part)| {
            let cells_done = |cells: usize| {
                let now = done.fetch_add(cells, Ordering::Relaxed) + cells;
                progress(now, system.vars.len());
            };
            solve_part(model, system, k, part, options, deadline, &cells_done)
        })
        .collect();
    for out in solved {
        match out? {
            PartOutcome::Infeasible(why) => return Ok(Outcome::Infeasible(why)),
            PartOutcome::Cells(cells, part_programs, part_unproved) => {
                programs += part_programs;
                unproved.extend(part_unproved);
                for cell in cells {
                    let v = cell.var;
                    results[v] = Some(cell);
                }
            }
        }
    }
    Ok(Outcome::Feasible(Report {
        cells: results
            .into_iter()
            .map(|c| c.expect("every variable is in a component"))
            .collect(),
        components: parts.len(),
        programs_solved: programs,
        unproved,
    }))
}

fn solve_part(
    model: &Model,
    system: &LinearSystem,
    k: usize,
    part: &components::Component,
    options: &Options,
    deadline: Option<Instant>,
    cells_done: &(dyn Fn(usize) + Sync),
) -> Result<PartOutcome, SolveError> {
    let Some(solved) = flow::solve_component(part, options.keep_witnesses, deadline, cells_done)?
    else {
        return Ok(PartOutcome::Infeasible(infeasible::explain(
            model, system, part,
        )?));
    };
    let witness = |w: usize| Witness {
        values: part
            .vars
            .iter()
            .copied()
            .zip(solved.witnesses[w].iter().copied())
            .collect(),
    };
    let mut cells = Vec::with_capacity(part.vars.len());
    for (i, &v) in part.vars.iter().enumerate() {
        let bounds = Bounds {
            lower: solved.lower[i],
            upper: solved.upper[i],
        };
        let tight = solved.tight[i];
        let witnesses = match solved.reached_by[i] {
            (Some(lo), hi) if options.keep_witnesses => Some((witness(lo), hi.map(witness))),
            _ => None,
        };
        let proofs = if options.derive && tight && solved.only_table {
            // A table the lattice showed the only one fixes every cell
            // beyond what the LP relaxation proves: an LP per bound would
            // find no derivation, thousands of times over.
            Some(Proofs {
                lower: None,
                upper: None,
                ray: None,
            })
        } else if options.derive && tight {
            Some(Proofs {
                lower: certificate::derive(system, part, v, Side::Lower, bounds.lower)?,
                upper: match bounds.upper {
                    Some(u) => certificate::derive(system, part, v, Side::Upper, u)?,
                    None => None,
                },
                ray: match bounds.upper {
                    None => certificate::ray(system, part, v)?,
                    Some(_) => None,
                },
            })
        } else {
            None
        };
        cells.push(CellBounds {
            cell: system.vars[v].cell,
            var: v,
            bounds,
            tight,
            component: k,
            witnesses,
            proofs,
        });
    }
    let unproved = (!solved.table_found || solved.gave_up.is_some()).then(|| Unproved {
        component: k,
        first_cell: cellbound_core::system::describe_cell(model, system.vars[part.vars[0]].cell),
        cells: cells.len(),
        loose: cells.iter().filter(|c| !c.tight).count(),
        table_found: solved.table_found,
        reason: solved.gave_up.clone().unwrap_or_default(),
    });
    Ok(PartOutcome::Cells(cells, solved.programs, unproved))
}
