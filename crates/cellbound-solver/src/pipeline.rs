//! The path of a whole system: split it into components, take each by the
//! flow path when it is a network and by the LP path otherwise, and
//! assemble the per-cell results, in input order, into a [`Report`] (or
//! the first component's [`Infeasibility`]).
//!
//! Components are independent: they are solved in parallel and read back
//! in order, so the answer is the sequential one.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use cellbound_core::proof::Side;
use cellbound_core::LinearSystem;

use crate::certificate;
use crate::components::{self, Component};
use crate::error::SolveError;
use crate::flow::Network;
use crate::infeasible;
use crate::lp_path;
use crate::options::Options;
use crate::reason::Unproved;
use crate::report::{Bounds, CellBounds, Infeasibility, Outcome, Proofs, Report, Stats, Witness};
use crate::solved::ComponentBounds;

/// What one component gives.
enum PartOutcome {
    /// The bounds of its cells, how many programs they took, how many
    /// cells the time limit left without a derivation, and what was left
    /// unproved.
    Cells(Vec<CellBounds>, usize, usize, Option<Unproved>),
    Infeasible(Infeasibility),
}

/// Solves a system, calling `progress(cells done,
/// cells in all)` as cells are bounded (see
/// [`solve_with_progress`](crate::solve_with_progress)).
pub(crate) fn solve(
    system: &LinearSystem,
    options: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Outcome, SolveError> {
    let started = Instant::now();
    let parts = components::split(system);
    let mut stats = Stats {
        components: parts.len(),
        largest: parts.iter().map(|p| p.vars.len()).max().unwrap_or(0),
        ..Stats::default()
    };
    let infeasible = |mut why: Infeasibility, stats: Stats| {
        why.stats = Stats {
            time: started.elapsed(),
            ..stats
        };
        Ok(Outcome::Infeasible(why))
    };
    if let Some(row) = system.rows.iter().find(|r| r.terms.is_empty()) {
        // Which components are networks is still a statistic.
        for part in parts.iter().filter(|p| Network::of(p).is_some()) {
            stats.flow_components += 1;
            stats.flow_cells += part.vars.len();
        }
        return infeasible(infeasible::constant_row(row), stats);
    }
    let deadline = options.time_limit.map(|t| Instant::now() + t);
    let mut results: Vec<Option<CellBounds>> = vec![None; system.vars.len()];
    let mut unproved = Vec::new();
    let done = AtomicUsize::new(0);
    let solved: Vec<_> = parts
        .par_iter()
        .enumerate()
        .map(|(k, part)| {
            let cells_done = |cells: usize| {
                let now = done.fetch_add(cells, Ordering::Relaxed) + cells;
                progress(now, system.vars.len());
            };
            // Whether the component is a network: the flow path's, and a
            // statistic.
            let net = Network::of(part);
            let out = solve_part(
                system,
                k,
                part,
                net.as_ref(),
                options,
                deadline,
                &cells_done,
            );
            (net.is_some(), out)
        })
        .collect();
    for (part, (flow, _)) in parts.iter().zip(&solved) {
        if *flow {
            stats.flow_components += 1;
            stats.flow_cells += part.vars.len();
        }
    }
    for (_, out) in solved {
        match out? {
            PartOutcome::Infeasible(why) => return infeasible(why, stats),
            PartOutcome::Cells(cells, part_programs, part_underived, part_unproved) => {
                stats.programs += part_programs;
                stats.underived += part_underived;
                unproved.extend(part_unproved);
                for cell in cells {
                    let v = cell.var;
                    results[v] = Some(cell);
                }
            }
        }
    }
    stats.time = started.elapsed();
    Ok(Outcome::Feasible(Report {
        cells: results
            .into_iter()
            .map(|c| c.expect("every variable is in a component"))
            .collect(),
        stats,
        unproved,
    }))
}

/// The bounds of one component: by flow when it is a network (and the
/// deadline has not passed), else by the LP path. `None` when no integer
/// table satisfies it.
fn bound_component(
    part: &Component,
    net: Option<&Network>,
    keep_witnesses: bool,
    deadline: Option<Instant>,
    cells_done: &(dyn Fn(usize) + Sync),
) -> Result<Option<ComponentBounds>, SolveError> {
    if let Some(bounds) = ComponentBounds::unconstrained(part, keep_witnesses) {
        cells_done(part.vars.len());
        return Ok(Some(bounds));
    }
    let past = deadline.is_some_and(|d| Instant::now() >= d);
    match net {
        Some(net) if !past => net.bounds(part, keep_witnesses, deadline, cells_done),
        _ => lp_path::solve(part, keep_witnesses, deadline, cells_done),
    }
}

#[allow(clippy::too_many_arguments)]
fn solve_part(
    system: &LinearSystem,
    k: usize,
    part: &Component,
    net: Option<&Network>,
    options: &Options,
    deadline: Option<Instant>,
    cells_done: &(dyn Fn(usize) + Sync),
) -> Result<PartOutcome, SolveError> {
    let Some(solved) = bound_component(part, net, options.keep_witnesses, deadline, cells_done)?
    else {
        return Ok(PartOutcome::Infeasible(infeasible::explain(system, part)?));
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
    let mut underived = 0;
    for (&v, var) in part.vars.iter().zip(&solved.vars) {
        let bounds = Bounds {
            lower: var.lower,
            upper: var.upper,
        };
        let tight = var.tight;
        let witnesses = match var.reached_by {
            (Some(lo), hi) if options.keep_witnesses => Some((witness(lo), hi.map(witness))),
            _ => None,
        };
        let asked = options.derive
            && options
                .derive_only
                .as_ref()
                .is_none_or(|only| only.contains(&v));
        // Derivations are cut at the time limit like everything else: a
        // cell reached after it gets none, and is counted.
        let derive = asked && deadline.is_none_or(|d| Instant::now() < d);
        if asked && !derive {
            underived += 1;
        }
        let proofs = if derive && tight && solved.only_table {
            // A table the lattice showed the only one fixes every cell
            // beyond what the LP relaxation proves: an LP per bound would
            // find no derivation, thousands of times over.
            Some(Proofs {
                lower: None,
                upper: None,
                ray: None,
            })
        } else if derive && tight {
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
    let unproved = solved.unproved.map(|reason| Unproved {
        component: k,
        first_cell: system.vars[part.vars[0]].cell,
        cells: cells.len(),
        loose: cells.iter().filter(|c| !c.tight).count(),
        reason,
    });
    Ok(PartOutcome::Cells(
        cells,
        solved.programs,
        underived,
        unproved,
    ))
}
