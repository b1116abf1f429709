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

use cellbound_core::proof::{Derivation, Side};
use cellbound_core::LinearSystem;

use crate::certificate;
use crate::components::{self, Component};
use crate::error::SolveError;
use crate::flow::Network;
use crate::infeasible;
use crate::lp_path;
use crate::options::Options;
use crate::reason::Unproved;
use crate::report::{
    Bounds, CellBounds, Infeasibility, Outcome, Proofs, Report, Stats, Tables, Witness,
};
use crate::solved::{ComponentBounds, Keep};

/// From how many cells a component whose cells are all exact is
/// certified as a whole (full rank or a short kernel) rather than given a
/// derivation per bound.
const CERTIFY_FROM: usize = 100;

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
    let split = components::split_free(system);
    let mut stats = Stats {
        components: split.count(),
        largest: split
            .linked
            .iter()
            .map(|(_, p)| p.vars.len())
            .chain(split.free.first().map(|_| 1))
            .max()
            .unwrap_or(0),
        ..Stats::default()
    };
    // A variable no row touches ranges over its domain, with no program
    // and no component built; its witnesses and derivations, when asked
    // for, come the usual way.
    let (parts, free) = if options.keep_witnesses || options.derive {
        let parts = split.components(system).into_iter().enumerate().collect();
        (parts, Vec::new())
    } else {
        (split.linked, split.free)
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
        for (_, part) in parts.iter().filter(|(_, p)| Network::of(p).is_some()) {
            stats.flow_components += 1;
            stats.flow_cells += part.vars.len();
        }
        return infeasible(infeasible::constant_row(row), stats);
    }
    let deadline = options.time_limit.map(|t| Instant::now() + t);
    // Filled part by part, then put in variable order: `cells` never
    // holds a placeholder per variable.
    let mut cells: Vec<CellBounds> = Vec::with_capacity(system.vars.len());
    cells.extend(free.iter().map(|&(k, v)| {
        let domain = system.vars[v].domain;
        CellBounds {
            cell: system.vars[v].cell,
            var: v,
            bounds: Bounds {
                lower: domain.lo,
                upper: domain.hi,
            },
            tight: true,
            component: k,
            witnesses: None,
            proofs: None,
        }
    }));
    drop(free);
    let mut unproved = Vec::new();
    let done = AtomicUsize::new(cells.len());
    if !cells.is_empty() {
        progress(cells.len(), system.vars.len());
    }
    let solved: Vec<_> = parts
        .par_iter()
        .map(|&(k, ref part)| {
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
    for ((_, part), (flow, _)) in parts.iter().zip(&solved) {
        if *flow {
            stats.flow_components += 1;
            stats.flow_cells += part.vars.len();
        }
    }
    for (_, out) in solved {
        match out? {
            PartOutcome::Infeasible(why) => return infeasible(why, stats),
            PartOutcome::Cells(part_cells, part_programs, part_underived, part_unproved) => {
                stats.programs += part_programs;
                stats.underived += part_underived;
                unproved.extend(part_unproved);
                cells.extend(part_cells);
            }
        }
    }
    if !cells.is_sorted_by_key(|c| c.var) {
        cells.sort_unstable_by_key(|c| c.var);
    }
    debug_assert!(cells.iter().enumerate().all(|(v, c)| c.var == v));
    stats.time = started.elapsed();
    Ok(Outcome::Feasible(Report {
        cells,
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
    keep: Keep<'_>,
    start: Option<&[cellbound_core::Count]>,
    deadline: Option<Instant>,
    cells_done: &(dyn Fn(usize) + Sync),
) -> Result<Option<ComponentBounds>, SolveError> {
    if let Some(bounds) = ComponentBounds::unconstrained(part, keep.any()) {
        cells_done(part.vars.len());
        return Ok(Some(bounds));
    }
    let past = deadline.is_some_and(|d| Instant::now() >= d);
    match net {
        Some(net) if !past => net.bounds(part, keep, deadline, cells_done),
        _ => lp_path::solve(part, keep.any(), start, deadline, cells_done),
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
    // A derivation on a network is read off a table reaching the bound,
    // so the tables are kept when derivations are asked for; when they are
    // asked for some cells only (`derive_only`), only those cells' tables
    // are, with the component's first cell's, so that every component
    // still has a table to show.
    let only: Option<Vec<bool>> = options.derive_only.as_ref().map(|asked| {
        let mut flags = vec![false; part.vars.len()];
        flags[0] = true;
        for (local, v) in part.vars.iter().enumerate() {
            if asked.contains(v) {
                flags[local] = true;
            }
        }
        flags
    });
    let keep = match (options.keep_witnesses || options.derive, &only) {
        (false, _) => Keep::None,
        (true, None) => Keep::All,
        (true, Some(flags)) => Keep::Only(flags),
    };
    // The caller's known table, the component's share of it (a flow finds
    // a first table at once; the LP path may search long for one).
    let start: Option<Vec<cellbound_core::Count>> = options
        .start
        .as_ref()
        .filter(|t| t.len() == system.vars.len())
        .map(|t| part.vars.iter().map(|&v| t[v]).collect());
    let Some(mut solved) =
        bound_component(part, net, keep, start.as_deref(), deadline, cells_done)?
    else {
        return Ok(PartOutcome::Infeasible(infeasible::explain(
            system, part, deadline,
        )?));
    };
    // Every cell exact, yet not by the lattice: the table is the only one,
    // and when full rank or a short kernel certifies that (`verify` checks
    // either), no cell needs the derivation an LP per bound would give,
    // which on a cube costs a thousand times the bounds. Small components
    // keep their derivations, which read better.
    if options.derive && !solved.only_table && net.is_none() && part.vars.len() > CERTIFY_FROM {
        let exact = solved
            .vars
            .iter()
            .all(|v| v.tight && v.lower.is_some() && v.lower == v.upper);
        if let (true, Some(j)) = (exact, solved.vars.first().and_then(|v| v.reached_by.0)) {
            let base = crate::report::table_values(&solved.witnesses, j);
            let prime = cellbound_core::rank::PRIME;
            solved.only_table = cellbound_core::rank::full_rank(system, &part.vars, prime).is_ok()
                || crate::lattice::short_kernel(system, &part.vars, &base).is_some();
        }
    }
    // The tables are shared by every cell whose bound they reach.
    let tables = std::sync::Arc::new(Tables {
        vars: part.vars.clone(),
        tables: std::mem::take(&mut solved.witnesses),
    });
    let witness = |w: usize| Witness {
        tables: tables.clone(),
        index: w,
    };
    let asked = |v: usize| {
        options.derive
            && options
                .derive_only
                .as_ref()
                .is_none_or(|only| only.contains(&v))
    };
    // On a network, each bound's derivation is the cut its table leaves:
    // found table by table, each made whole from the one before.
    let mut cuts: Vec<[Option<Derivation>; 2]> = Vec::new();
    if let (Some(net), true, false) = (net, options.derive, solved.only_table) {
        let mut wanted: Vec<(usize, usize, Side, cellbound_core::Count)> = Vec::new();
        for (local, (&v, var)) in part.vars.iter().zip(&solved.vars).enumerate() {
            if !(var.tight && asked(v)) {
                continue;
            }
            if let (Some(l), Some(w)) = (var.lower, var.reached_by.0) {
                wanted.push((w, local, Side::Lower, l));
            }
            if let (Some(u), Some(w)) = (var.upper, var.reached_by.1) {
                wanted.push((w, local, Side::Upper, u));
            }
        }
        if !wanted.is_empty() {
            wanted.sort_unstable_by_key(|&(w, local, side, _)| (w, local, side == Side::Upper));
            cuts = vec![[None, None]; part.vars.len()];
            let mut next = 0;
            tables.walk(|j, values| {
                while next < wanted.len() && wanted[next].0 == j {
                    let (_, local, side, bound) = wanted[next];
                    next += 1;
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        continue;
                    }
                    cuts[local][usize::from(side == Side::Upper)] =
                        certificate::by_cut(system, part, net, local, side, bound, values);
                }
            });
        }
    }
    let mut cells = Vec::with_capacity(part.vars.len());
    let mut underived = 0;
    // The search trees' starting box, made for the first bound that needs
    // one.
    let tree_box = std::cell::OnceCell::new();
    for (local, (&v, var)) in part.vars.iter().zip(&solved.vars).enumerate() {
        let bounds = Bounds {
            lower: var.lower,
            upper: var.upper,
        };
        let tight = var.tight;
        let witnesses = match var.reached_by {
            (lo, hi) if options.keep_witnesses && (lo.is_some() || hi.is_some()) => {
                Some(Box::new((lo.map(witness), hi.map(witness))))
            }
            _ => None,
        };
        let asked = asked(v);
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
            Some(Box::new(Proofs {
                lower: None,
                upper: None,
                ray: None,
                ray_lower: None,
                search_lower: None,
                search_upper: None,
                only_table: true,
            }))
        } else if derive && tight {
            // On a network, the cut each table reaching a bound leaves;
            // else (or when that does not check) the LP dual.
            let mut cut = cuts.get_mut(local).map(std::mem::take).unwrap_or_default();
            let mut derive_side = |side: Side, bound: cellbound_core::Count| match cut
                [usize::from(side == Side::Upper)]
            .take()
            {
                Some(d) => Ok(Some(d)),
                None => certificate::derive(system, part, v, side, bound),
            };
            let lower = match bounds.lower {
                Some(l) => derive_side(Side::Lower, l)?,
                None => None,
            };
            let upper = match bounds.upper {
                Some(u) => derive_side(Side::Upper, u)?,
                None => None,
            };
            // A bound the LP relaxation does not give: a small search tree.
            let search =
                |side: Side, bound: Option<cellbound_core::Count>, d: &Option<Derivation>| {
                    let bound = bound.filter(|_| d.is_none())?;
                    deadline.is_none_or(|t| Instant::now() < t).then_some(())?;
                    let start = tree_box
                        .get_or_init(|| certificate::TreeBox::of(system, part))
                        .as_ref()?;
                    certificate::search_tree(system, part, start, v, side, bound)
                };
            let search_lower = search(Side::Lower, bounds.lower, &lower);
            let search_upper = search(Side::Upper, bounds.upper, &upper);
            Some(Box::new(Proofs {
                lower,
                upper,
                search_lower,
                search_upper,
                ray: match bounds.upper {
                    None => certificate::ray(system, part, v, Side::Upper)?,
                    Some(_) => None,
                },
                ray_lower: match bounds.lower {
                    None => certificate::ray(system, part, v, Side::Lower)?,
                    Some(_) => None,
                },
                only_table: false,
            }))
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
