//! Tight integer bounds for the variables of one component.
//!
//! Lines with two hidden cells are substituted away first ([`collapse`]).
//! Then, per variable and direction: presolve gives a sound bound; a
//! witness table that reaches it makes it final with no program solved.
//! Otherwise the LP relaxation gives a sound bound `z`, found by warm
//! probes from one LP vertex ([`WarmLp`]); an integer table reaching
//! `floor(z)` (for a max) proves it tight. Only when the LP vertex there is
//! fractional do a dive, a branch and bound from the warm vertex and,
//! failing both, a fresh integer program run. Every table used as proof
//! is checked exactly. When the solver gives up (an integer program past
//! its time or range), the side keeps presolve's sound bound, marked not
//! tight, and the run goes on.
//!
//! The parts, one idea each: [`reduce`] (the substitution and the way
//! back), `solver` (the state shared by the steps), [`first_table`] (the
//! search for a first table, in explicit stages), [`local`] (a table a
//! few units from an LP point, in offsets from it, where large values
//! defeat microlp's floating point), [`sweep`] (a dive in the order of
//! the rows that backs up from dead ends, for a first table of a
//! protected cube), [`side`] (bounding one side of one
//! variable) and [`queries`] (what infeasibility explanations
//! and audits ask). This file runs them in order over one component.

mod first_table;
mod local;
mod neighbourhood;
mod queries;
mod reduce;
mod side;
mod solver;
mod sweep;
#[cfg(test)]
mod tests;

use std::time::Instant;

use cellbound_core::Count;
use rayon::prelude::*;

use crate::collapse;
use crate::components::Component;
use crate::error::SolveError;
use crate::lp::Sense;
use crate::reason::Reason;
use crate::solved::{ComponentBounds, VarBounds};

pub(crate) use queries::{admits_some_table, bound_over, Probe, Reach};
use solver::{ComponentSolver, LatticeVerdict};

/// Reduced components with at least this many variables are bounded by
/// all threads at once (below it, one LP vertex per thread costs more
/// than it saves), and have the lattice of their lines tried first.
pub(super) const PARALLEL_FROM: usize = 400;

/// Either bounds, or `None` when no integer table satisfies the component.
/// Past `deadline`, the variables not yet solved keep presolve's bounds.
/// Lines with two hidden cells are substituted away first
/// ([`collapse`]); the reduced component's bounds and tables map back.
pub(crate) fn solve(
    component: &Component,
    keep_witnesses: bool,
    start: Option<&[Count]>,
    deadline: Option<Instant>,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Option<ComponentBounds>, SolveError> {
    let Some(collapsed) = collapse::collapse(component) else {
        return Ok(None);
    };
    // A known table restricted to the roots satisfies the reduced lines.
    let start: Option<Vec<Count>> =
        start.map(|t| collapsed.reduced.vars.iter().map(|&v| t[v]).collect());
    // A root's bounds settle every cell tied to it.
    let mut tied = vec![0; collapsed.reduced.vars.len()];
    for a in &collapsed.alias {
        tied[a.root] += 1;
    }
    let root_done = |root: usize| done(tied[root]);
    match solve_reduced(
        &collapsed.reduced,
        keep_witnesses,
        start,
        deadline,
        &root_done,
    )? {
        Some(reduced) => reduce::expand(component, &collapsed, reduced).map(Some),
        None => Ok(None),
    }
}

/// The bounds of a reduced component: a first table, then each variable's
/// two sides, unless the lattice shows the first table the only one.
fn solve_reduced(
    component: &Component,
    keep_witnesses: bool,
    start: Option<Vec<Count>>,
    deadline: Option<Instant>,
    var_done: &(dyn Fn(usize) + Sync),
) -> Result<Option<ComponentBounds>, SolveError> {
    let all: Vec<usize> = (0..component.rows.len()).collect();
    let Some(mut solver) = ComponentSolver::new(component, all, keep_witnesses) else {
        return Ok(None);
    };
    solver.deadline = deadline;
    // A known table, checked exactly, is the first table: no search.
    let known = start.filter(|t| t.len() == component.vars.len() && solver.holds(t));
    let first = match known.map_or_else(|| solver.first_table(), |t| Ok(Some(t))) {
        Ok(Some(first)) => first,
        Ok(None) => return Ok(None),
        // No table, but no contradiction either: presolve's bounds are
        // still sound, and they are all that can be said.
        Err(SolveError::GaveUp(why)) => {
            let lattice = match solver.lattice {
                LatticeVerdict::Nothing(stop) => Some(stop),
                _ => None,
            };
            let why = Reason::NoTable { why, lattice };
            return Ok(Some(ComponentBounds::presolved(
                &solver.bounds,
                solver.programs,
                why,
            )));
        }
        Err(e) => return Err(e),
    };
    solver.check_only_table(&first)?;
    if solver.lattice == LatticeVerdict::OnlyTable {
        return Ok(Some(determined(solver, first, var_done)));
    }
    solver.record(first);
    let chunks = if solver.large() {
        rayon::current_num_threads().max(1)
    } else {
        1
    };
    bound_all(solver, chunks, deadline, var_done).map(Some)
}

/// Every variable determined by `table`, the only integer table.
fn determined(
    mut solver: ComponentSolver<'_>,
    table: Vec<Count>,
    var_done: &(dyn Fn(usize) + Sync),
) -> ComponentBounds {
    let n = table.len();
    solver.record(table.clone());
    let mut out = ComponentBounds::empty(n, std::mem::take(&mut solver.witnesses), solver.programs);
    out.vars = table
        .iter()
        .map(|&x| VarBounds::tight(Some(x), Some(x), (Some(0), Some(0))))
        .collect();
    out.only_table = true;
    for v in 0..n {
        var_done(v);
    }
    out
}

/// The bounds of every variable, from a solver holding a first table.
/// With `chunks > 1` the variables are shared out between threads, each
/// with its own copy of the solver (warm vertex and tables seen): the
/// bounds are the same whoever computes them, only the witness tables
/// differ.
fn bound_all(
    mut solver: ComponentSolver<'_>,
    chunks: usize,
    deadline: Option<Instant>,
    var_done: &(dyn Fn(usize) + Sync),
) -> Result<ComponentBounds, SolveError> {
    let n = solver.component.vars.len();
    if chunks > 1 {
        // Built once, not once per thread.
        solver.warm_up();
    }
    let size = n.div_ceil(chunks.max(1)).max(1);
    let programs = std::mem::take(&mut solver.programs);
    let parts: Vec<Result<ComponentBounds, SolveError>> = (0..n.div_ceil(size))
        .into_par_iter()
        .map(|k| {
            let vars = (k * size)..((k + 1) * size).min(n);
            bound_range(solver.clone(), vars, deadline, var_done)
        })
        .collect();
    let mut out = ComponentBounds::empty(n, Vec::new(), programs);
    for part in parts {
        out.append(part?);
    }
    Ok(out)
}

/// The bounds of the variables `vars`, in order.
fn bound_range(
    mut solver: ComponentSolver<'_>,
    vars: std::ops::Range<usize>,
    deadline: Option<Instant>,
    var_done: &(dyn Fn(usize) + Sync),
) -> Result<ComponentBounds, SolveError> {
    let mut out = ComponentBounds::empty(vars.len(), Vec::new(), 0);
    let passed = || deadline.is_some_and(|d| Instant::now() >= d);
    for v in vars {
        // Each side on its own: one cut short keeps presolve's bound,
        // sound but not proved tight, and the other may still be tight.
        let mut side = |sense: Sense| -> Result<Option<Option<(Count, usize)>>, SolveError> {
            if passed() {
                return Ok(None);
            }
            match solver.extreme(v, sense) {
                Ok(found) => Ok(Some(found)),
                Err(SolveError::GaveUp(why)) => {
                    // Cut short by the caller's deadline, this proves
                    // nothing; short of it, the solver gave up.
                    if !passed() && out.unproved.is_none() {
                        out.unproved = Some(Reason::GaveUp(why));
                    }
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        };
        let lower = side(Sense::Min)?;
        let upper = side(Sense::Max)?;
        let fit = |x: i128| Count::try_from(x).expect("presolve stays within the counts");
        match (lower, upper) {
            (Some(lo), Some(hi)) => {
                out.vars.push(VarBounds::tight(
                    lo.map(|(l, _)| l),
                    hi.map(|(h, _)| h),
                    (lo.map(|(_, w)| w), hi.map(|(_, w)| w)),
                ));
            }
            (lower, upper) => {
                let lower = match lower {
                    Some(lo) => lo.map(|(l, _)| l),
                    None => solver.bounds.lo[v].map(fit),
                };
                let upper = match upper {
                    Some(hi) => hi.map(|(h, _)| h),
                    None => solver.bounds.hi[v].map(fit),
                };
                out.vars.push(VarBounds::loose(lower, upper));
            }
        }
        var_done(v);
    }
    out.witnesses = solver
        .witnesses
        .into_iter()
        .map(crate::report::Table::Whole)
        .collect();
    out.programs = solver.programs;
    Ok(out)
}

/// Some integer table of the component within its domains, or `None` when
/// it has none or the search gave up: the first-table search of the LP
/// path alone, for a caller that needs one table and no bounds. As for
/// the bounds, lines with two hidden cells are substituted away first
/// ([`collapse`]); the table found maps back and is checked exactly
/// against the component's own rows.
pub(crate) fn some_table(
    component: &Component,
    deadline: Option<Instant>,
) -> Result<Option<Vec<Count>>, SolveError> {
    let Some(collapsed) = collapse::collapse(component) else {
        return Ok(None);
    };
    let reduced = &collapsed.reduced;
    let all: Vec<usize> = (0..reduced.rows.len()).collect();
    let Some(mut solver) = ComponentSolver::new(reduced, all, false) else {
        return Ok(None);
    };
    solver.deadline = deadline;
    let roots = match solver.first_table() {
        Ok(Some(roots)) => roots,
        Ok(None) | Err(SolveError::GaveUp(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(reduce::table(component, &collapsed, &roots).ok())
}
