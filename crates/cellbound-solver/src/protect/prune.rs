//! Publishing complements again without an exact audit for each.
//!
//! A passing audit's witness tables show, for every requirement of every
//! audited cell, a table the attacker must allow that meets it. A
//! complement that no such table moves can be published: the tables stay
//! valid with it at its true value. A complement that some tables move
//! can still be published when each of those requirements finds another
//! table that leaves it alone: a hypercube among the cells still hidden.
//! Each complement is tried in the order given; one published, the
//! requirements it touched keep their new hypercubes. The exact audit of
//! the result stays the final word (the caller runs it).

use std::time::Instant;

use cellbound_core::{Count, Entry, LinearSystem, Model, Rule};

use super::hypercube;
use super::search::State;
use super::structure::Structure;
use super::ProtectOptions;
use crate::audit::AuditReport;
use crate::components;
use crate::lp::Sense;
use crate::lp_path::{self, Reach};

/// One requirement of an audited cell: met by any of its moves (`(dir,
/// t)`: the cell `t` away from its true value in direction `dir`), and
/// the cells the table meeting it now moves (`None`: not known, so it
/// leans on every cell).
#[derive(Debug, Clone)]
pub(crate) struct Requirement {
    pub cell: usize,
    pub moves: Vec<(i64, i128)>,
    pub moved: Option<Vec<usize>>,
}

impl Requirement {
    fn leans_on(&self, g: usize) -> bool {
        g == self.cell
            || self
                .moved
                .as_ref()
                .is_none_or(|m| m.binary_search(&g).is_ok())
    }
}

/// The requirements of a passing audit (run with witnesses), each with
/// the cells its witness table moves. `None` when the protection asks
/// what a single move does not show: a minimum width, or existence under
/// `--strict`.
pub(crate) fn requirements(
    pattern: &Model,
    s: &Structure,
    report: &AuditReport,
    truth: &[Vec<Count>],
    opts: &ProtectOptions,
    rule: Rule,
) -> Option<Vec<Requirement>> {
    if opts.protection.min_width.is_some() || (opts.protection.strict && !opts.zeros_shown) {
        return None;
    }
    let system = LinearSystem::build(pattern, rule).ok()?;
    let moved_by = |w: &Option<crate::report::Witness>| -> Option<Vec<usize>> {
        let w = w.as_ref()?;
        let mut cells: Vec<usize> = w
            .values()
            .into_iter()
            .filter_map(|(var, value)| {
                let r = system.vars[var].cell;
                (value != truth[r.table][r.cell]).then(|| s.global(r))
            })
            .collect();
        cells.sort_unstable();
        Some(cells)
    };
    let mut out = Vec::new();
    for c in report.cells.iter().filter(|c| c.audited) {
        let g = s.global(c.cell);
        let v = c.value as i128;
        let (lo, hi) = match &c.witnesses {
            Some((lo, hi)) => (moved_by(lo), moved_by(hi)),
            None => (None, None),
        };
        let mut any = false;
        if let Some(u) = c.requirement.upper_at_least.filter(|&u| u as i128 > v) {
            out.push(Requirement {
                cell: g,
                moves: vec![(1, u as i128 - v)],
                moved: hi.clone(),
            });
            any = true;
        }
        if let Some(l) = c.requirement.lower_at_most.filter(|&l| (l as i128) < v) {
            out.push(Requirement {
                cell: g,
                moves: vec![(-1, v - l as i128)],
                moved: lo.clone(),
            });
            any = true;
        }
        if !any {
            // Not exactly disclosed: a move either way.
            let moved = match (&hi, &lo) {
                (Some(h), _) if h.binary_search(&g).is_ok() => hi.clone(),
                _ => lo.clone(),
            };
            out.push(Requirement {
                cell: g,
                moves: vec![(1, 1), (-1, 1)],
                moved,
            });
        }
    }
    Some(out)
}

/// Publishes, in `order`, each hidden cell whose every requirement that
/// leans on it finds a hypercube among the other hidden cells; returns
/// those published. `state` is the protection's (hidden cells as they
/// are); it is not changed.
pub(crate) fn by_hypercubes(
    s: &Structure,
    model: &Model,
    state: &State,
    order: &[usize],
    reqs: &mut [Requirement],
) -> Vec<usize> {
    // Only hidden cells move: every published cell stays as published.
    let mut trial = state.clone();
    for g in 0..s.len() {
        if !trial.hidden[g] {
            trial.kept[g] = true;
        }
    }
    let mut freed = Vec::new();
    for &h in order {
        let leaning: Vec<usize> = (0..reqs.len()).filter(|&i| reqs[i].leans_on(h)).collect();
        if leaning.iter().any(|&i| reqs[i].cell == h) {
            continue;
        }
        let kept = trial.kept[h];
        trial.hidden[h] = false;
        trial.kept[h] = true;
        let mut found = Vec::with_capacity(leaning.len());
        for &i in &leaning {
            let r = &reqs[i];
            let cube = r
                .moves
                .iter()
                .find_map(|&m| hypercube::cheapest(s, model, &trial, r.cell, &[m]));
            match cube {
                Some(c) if c.hide.is_empty() => found.push((i, c.cells)),
                _ => break,
            }
        }
        if found.len() == leaning.len() {
            for (i, cells) in found {
                reqs[i].moved = Some(cells);
            }
            freed.push(h);
        } else {
            trial.hidden[h] = true;
            trial.kept[h] = kept;
        }
    }
    freed
}

/// Publishes, in `order`, each hidden cell of `pattern` whose every
/// requirement that leans on it is still met with it published: the
/// tight integer bound of the requirement's cell, solved in its component
/// alone (not the whole audit), reaches the move. Each requirement
/// checked keeps the table reaching its bound. Returns those published
/// (`pattern` and `state.hidden` follow), and whether the deadline cut
/// the pass short.
#[allow(clippy::too_many_arguments)]
pub(crate) fn by_solving(
    s: &Structure,
    pattern: &mut Model,
    state: &mut State,
    truth: &[Vec<Count>],
    rule: Rule,
    order: &[usize],
    reqs: &mut [Requirement],
    deadline: Option<Instant>,
) -> (Vec<usize>, bool) {
    let mut freed = Vec::new();
    for &h in order {
        if deadline.is_some_and(|d| Instant::now() > d) {
            return (freed, true);
        }
        let leaning: Vec<usize> = (0..reqs.len()).filter(|&i| reqs[i].leans_on(h)).collect();
        if leaning.iter().any(|&i| reqs[i].cell == h) {
            continue;
        }
        let r = s.refs[h];
        pattern.tables[r.table].cells[r.cell].entry = Entry::Published(state.value[h]);
        match still_met(s, pattern, truth, rule, &leaning, reqs, deadline) {
            Some(moved) => {
                for (i, m) in leaning.into_iter().zip(moved) {
                    reqs[i].moved = m;
                }
                state.hidden[h] = false;
                freed.push(h);
            }
            None => pattern.tables[r.table].cells[r.cell].entry = Entry::Hidden,
        }
    }
    (freed, false)
}

/// Per requirement in `which`, the cells a table meeting it moves, or
/// `None` when one is not met (or could not be settled).
fn still_met(
    s: &Structure,
    pattern: &Model,
    truth: &[Vec<Count>],
    rule: Rule,
    which: &[usize],
    reqs: &[Requirement],
    deadline: Option<Instant>,
) -> Option<Vec<Option<Vec<usize>>>> {
    let system = LinearSystem::build(pattern, rule).ok()?;
    let components = components::split(&system);
    // Where each hidden cell sits: (component, local number).
    let mut place = vec![None; s.len()];
    for (k, c) in components.iter().enumerate() {
        for (i, &var) in c.vars.iter().enumerate() {
            place[s.global(system.vars[var].cell)] = Some((k, i));
        }
    }
    let truth_of = |var: usize| {
        let r = system.vars[var].cell;
        truth[r.table][r.cell]
    };
    let mut probes: std::collections::BTreeMap<usize, lp_path::Probe> = Default::default();
    let mut out = Vec::with_capacity(which.len());
    for &i in which {
        let req = &reqs[i];
        let (k, v) = place[req.cell]?;
        let component = &components[k];
        let value = truth_of(component.vars[v]);
        let probe = match probes.entry(k) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let start = component.vars.iter().map(|&var| truth_of(var)).collect();
                e.insert(lp_path::Probe::new(component, start, deadline).ok()?)
            }
        };
        let mut met = None;
        for &(dir, t) in &req.moves {
            let sense = if dir > 0 { Sense::Max } else { Sense::Min };
            let need = (value as i128 + dir as i128 * t) as Count;
            match probe.reaches(v, sense, need) {
                Ok(Reach::Reached(None)) => {
                    met = Some(None);
                    break;
                }
                Ok(Reach::Reached(Some(table))) => {
                    let mut moved: Vec<usize> = component
                        .vars
                        .iter()
                        .zip(&table)
                        .filter(|&(&var, &x)| x != truth_of(var))
                        .map(|(&var, _)| s.global(system.vars[var].cell))
                        .collect();
                    moved.sort_unstable();
                    met = Some(Some(moved));
                    break;
                }
                Ok(Reach::Short) | Err(_) => {}
            }
        }
        out.push(met?);
    }
    Some(out)
}
