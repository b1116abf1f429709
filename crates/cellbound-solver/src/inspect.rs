//! A window on the LP path's input, for experiments outside the crate
//! (the `reduced_system` example writes it for other solvers). Not part
//! of the supported API: hidden from the documentation, and free to change.

use cellbound_core::{LinearSystem, Op};

use crate::collapse;
use crate::components;
use crate::presolve::{self, Intervals};

/// Bound propagation passes, as the LP path runs them.
const PRESOLVE_ROUNDS: usize = 200;

/// One row of a [`ReducedComponent`]: `sum(coef * var) op rhs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReducedRow {
    pub terms: Vec<(usize, i64)>,
    pub op: Op,
    pub rhs: i128,
}

/// A component as the LP path sees it: after the doubleton substitution
/// and presolve, over the substitution's roots only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReducedComponent {
    /// Presolve's bounds of each variable (`None` for none on that side).
    pub lo: Vec<Option<i128>>,
    pub hi: Vec<Option<i128>>,
    pub rows: Vec<ReducedRow>,
}

/// The largest component of `system`, reduced: `None` when the system
/// has no hidden cell, `Some(None)` when the substitution or presolve
/// shows its lines contradictory.
pub fn largest_reduced_component(system: &LinearSystem) -> Option<Option<ReducedComponent>> {
    let largest = components::split(system)
        .into_iter()
        .max_by_key(|c| c.vars.len())?;
    let Some(collapsed) = collapse::collapse(&largest) else {
        return Some(None);
    };
    let reduced = collapsed.reduced;
    let mut bounds = Intervals::new(&reduced.lo, &reduced.hi);
    let all: Vec<usize> = (0..reduced.rows.len()).collect();
    if presolve::propagate(&reduced.rows, &all, &mut bounds, PRESOLVE_ROUNDS).is_err() {
        return Some(None);
    }
    Some(Some(ReducedComponent {
        lo: bounds.lo,
        hi: bounds.hi,
        rows: reduced
            .rows
            .into_iter()
            .map(|r| ReducedRow {
                terms: r.terms,
                op: r.op,
                rhs: r.rhs,
            })
            .collect(),
    }))
}
