//! Why a model has no integer table: a minimal set of lines that cannot
//! hold together, as data ([`Conflict`]) that the API's `explanation`
//! words in the user's terms (`prose.rs`).
//!
//! The set comes from a deletion filter: drop each line in turn and keep
//! it out when the rest still admit no table. What remains is irreducible:
//! every line in it is needed for the contradiction.

use std::time::Instant;

use cellbound_core::{DomainSource, LinearSystem, Row};

use crate::components::Component;
use crate::error::SolveError;
use crate::lp_path::admits_some_table;
use crate::reason::{Conflict, ConflictLine, Hint};
use crate::report::{Infeasibility, Stats};

/// Past this many lines, the conflict is reported whole rather than
/// reduced (each step of the reduction solves a program).
const MAX_LINES_TO_REDUCE: usize = 400;

/// A line made of published cells only fails.
pub(crate) fn constant_row(row: &Row) -> Infeasibility {
    Infeasibility {
        conflict: vec![Conflict::PublishedOnly {
            line: row.origin.clone(),
            op: row.op,
            rhs: row.rhs,
        }],
        minimal: true,
        hints: Vec::new(),
        stats: Stats::default(),
    }
}

/// Explains an infeasible component. Past `deadline` the reduction stops
/// where it is: the lines kept still admit no table, reported as not
/// reduced to a minimal set.
pub(crate) fn explain(
    system: &LinearSystem,
    component: &Component,
    deadline: Option<Instant>,
) -> Result<Infeasibility, SolveError> {
    let passed = || deadline.is_some_and(|d| Instant::now() >= d);
    // A cell whose own domain is empty needs no line at all.
    for (i, &v) in component.vars.iter().enumerate() {
        if let (Some(lo), Some(hi)) = (component.lo[i], component.hi[i]) {
            if hi >= lo {
                continue;
            }
            return Ok(Infeasibility {
                conflict: vec![Conflict::EmptyDomain {
                    cell: system.vars[v].cell,
                    lo,
                    hi,
                }],
                minimal: true,
                hints: hints(system, component.vars.iter().copied()),
                stats: Stats::default(),
            });
        }
    }
    let mut active: Vec<usize> = (0..component.rows.len()).collect();
    let mut minimal = false;
    // One line on its own is the most common and the clearest conflict.
    if let Some(r) = (0..component.rows.len())
        .take_while(|_| !passed())
        .find(|&r| matches!(admits_some_table(component, &[r], deadline), Ok(false)))
    {
        active = vec![r];
        minimal = true;
    } else if active.len() <= MAX_LINES_TO_REDUCE {
        let mut k = 0;
        while k < active.len() && !passed() {
            let mut without = active.clone();
            without.remove(k);
            if !admits_some_table(component, &without, deadline)? {
                active = without;
            } else {
                k += 1;
            }
        }
        minimal = k == active.len() && !passed();
    }
    let rows: Vec<usize> = active.iter().map(|&r| component.rows[r].origin).collect();
    let vars = rows
        .iter()
        .flat_map(|&row| system.rows[row].terms.iter().map(|&(v, _)| v));
    Ok(Infeasibility {
        hints: hints(system, vars),
        conflict: rows
            .iter()
            .map(|&row| Conflict::Line(conflict_line(system, &system.rows[row])))
            .collect(),
        minimal,
        stats: Stats::default(),
    })
}

/// What the user may relax, given the variables in the conflict.
fn hints(system: &LinearSystem, vars: impl Iterator<Item = usize>) -> Vec<Hint> {
    let mut threshold = false;
    let mut floor_one = false;
    for v in vars {
        let d = system.vars[v].domain;
        threshold |= d.source == DomainSource::Threshold;
        floor_one |= d.source != DomainSource::Range && d.lo.is_some_and(|l| l >= 1);
    }
    let mut hints = Vec::new();
    if threshold {
        hints.push(Hint::Open {
            threshold: system.rule.threshold,
        });
    }
    if floor_one {
        hints.push(Hint::DropZerosShown);
    }
    hints
}

/// A row of the system as a line of a conflict, over its cells.
fn conflict_line(system: &LinearSystem, row: &Row) -> ConflictLine {
    ConflictLine {
        line: row.origin.clone(),
        op: row.op,
        rhs: row.rhs,
        terms: row
            .terms
            .iter()
            .map(|&(v, c)| (system.vars[v].cell, c, system.vars[v].domain))
            .collect(),
    }
}
