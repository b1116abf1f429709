//! Publishing complements again without an exact audit for each.
//!
//! A passing audit's witness tables show, for every requirement of every
//! audited cell, a table the attacker must allow that meets it. A
//! complement that no such table moves can be published: the tables stay
//! valid with it at its true value. A complement that some tables move
//! can still be published when each of those requirements finds another
//! table that leaves it alone: a hypercube among the cells still hidden,
//! else a whole vertex of the component's warm LP with the complement
//! fixed (which also proves "no" when the LP has no point that meets
//! it), else a solve of that requirement alone.
//! Each complement is tried in the order given; one published, the
//! requirements it touched keep their new hypercubes. The exact audit of
//! the result stays the final word (the caller runs it).

use std::time::Instant;

use cellbound_core::{Count, Entry, LinearSystem, Model, Rule};

use super::hypercube;
use super::search::State;
use super::structure::Structure;
use super::warm::{Answer, WarmPattern};
use super::ProtectOptions;
use crate::audit::AuditReport;
use crate::components;
use crate::lp::Sense;
use crate::lp_path::{self, Reach};

/// A table the attacker must allow, as the cells it moves from their true
/// values, each with its value there, in cell order.
pub(crate) type Moved = Vec<(usize, Count)>;

/// One requirement of an audited cell: met by any of its moves (`(dir,
/// t)`: the cell `t` away from its true value in direction `dir`), and
/// the table meeting it now (`None`: not known, so it leans on every
/// cell).
#[derive(Debug, Clone)]
pub(crate) struct Requirement {
    pub cell: usize,
    pub moves: Vec<(i64, i128)>,
    pub table: Option<Moved>,
    /// Whether a table the attacker must allow meets it.
    pub met: bool,
}

impl Requirement {
    pub(crate) fn leans_on(&self, g: usize) -> bool {
        g == self.cell
            || self
                .table
                .as_ref()
                .is_none_or(|m| m.binary_search_by_key(&g, |&(c, _)| c).is_ok())
    }
}

/// The requirements of every audited cell of an audit run with witnesses,
/// each with whether the audit's bounds meet it and the cells its witness
/// table moves. `None` when the protection asks what a single move does
/// not show (a minimum width, existence under `--strict`), or when
/// hiding a cell makes it audited (`--protect-all`).
pub(crate) fn requirements(
    pattern: &Model,
    s: &Structure,
    report: &AuditReport,
    truth: &[Vec<Count>],
    opts: &ProtectOptions,
    rule: Rule,
) -> Option<Vec<Requirement>> {
    let p = &opts.protection;
    if p.min_width.is_some() || p.protect_all || (p.strict && !opts.zeros_shown) {
        return None;
    }
    let system = LinearSystem::build(pattern, rule).ok()?;
    let moved_by = |w: &Option<crate::report::Witness>| -> Option<Moved> {
        let w = w.as_ref()?;
        let mut cells: Moved = w
            .values()
            .into_iter()
            .filter_map(|(var, value)| {
                let r = system.vars[var].cell;
                (value != truth[r.table][r.cell]).then(|| (s.global(r), value))
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
        let (lower, upper) = (c.bounds.lower, c.bounds.upper);
        let mut any = false;
        if let Some(u) = c.requirement.upper_at_least.filter(|&u| u as i128 > v) {
            out.push(Requirement {
                cell: g,
                moves: vec![(1, u as i128 - v)],
                table: hi.clone(),
                met: upper.is_none_or(|h| h >= u),
            });
            any = true;
        }
        if let Some(l) = c.requirement.lower_at_most.filter(|&l| (l as i128) < v) {
            out.push(Requirement {
                cell: g,
                moves: vec![(-1, v - l as i128)],
                table: lo.clone(),
                met: lower.is_none_or(|x| x <= l),
            });
            any = true;
        }
        if !any {
            // Not exactly disclosed: a move either way.
            let table = match (&hi, &lo) {
                (Some(h), _) if h.binary_search_by_key(&g, |&(c, _)| c).is_ok() => hi.clone(),
                _ => lo.clone(),
            };
            out.push(Requirement {
                cell: g,
                moves: vec![(1, 1), (-1, 1)],
                table,
                met: lower.is_none() || lower != upper,
            });
        }
    }
    Some(out)
}

/// Publishes, in `order`, each hidden cell of `pattern` whose every
/// requirement that leans on it is still met with it published: by a
/// hypercube among the other hidden cells when one fits (a few cells to
/// lean on next), else by solving that requirement alone in its
/// component (not the whole audit), the LP relaxation first. Each
/// requirement checked keeps its new table. Complements are tried until
/// the LP work spent reaches `limits.prune_work`; the rest stay hidden.
/// When the work of the first few says it will run out before the last,
/// the rest are tried by price per leaning requirement instead (each a
/// question the pass may have to ask), so that the work frees more.
/// `pattern` and `state.hidden` follow the cells published.
#[allow(clippy::too_many_arguments)]
pub(crate) fn by_hypercubes_then_solving(
    s: &Structure,
    model: &Model,
    pattern: &mut Model,
    state: &mut State,
    truth: &[Vec<Count>],
    rule: Rule,
    order: &[usize],
    reqs: &mut [Requirement],
    deadline: Option<Instant>,
    limits: super::Limits,
) -> Pass {
    let mut trial = hidden_only(s, state);
    let mut pass = Pass {
        freed: Vec::new(),
        cut_short: false,
        untried: 0,
    };
    let Some(mut warm) = WarmPattern::new(s, pattern, truth, rule, limits.moves_past) else {
        return pass;
    };
    let mut work = 0;
    let mut order = order.to_vec();
    let mut reordered = false;
    for tried in 0..order.len() {
        if deadline.is_some_and(|d| Instant::now() > d) {
            pass.cut_short = true;
            return pass;
        }
        if work >= limits.prune_work {
            pass.untried = order.len() - tried;
            return pass;
        }
        if !reordered && tried >= limits.reorder_after && runs_out(work, tried, order.len(), limits)
        {
            // The work will not reach every complement: try the rest by
            // price per question instead.
            reordered = true;
            let leaning = leaning_counts(s.len(), reqs);
            let per = |g: usize| state.price[g] / (1 + leaning[g]) as f64;
            order[tried..].sort_by(|&a, &b| per(b).total_cmp(&per(a)).then(a.cmp(&b)));
        }
        let h = order[tried];
        let leaning: Vec<usize> = (0..reqs.len()).filter(|&i| reqs[i].leans_on(h)).collect();
        if leaning.iter().any(|&i| reqs[i].cell == h) {
            continue;
        }
        let kept = trial.kept[h];
        trial.hidden[h] = false;
        trial.kept[h] = true;
        let mut found = Vec::with_capacity(leaning.len());
        let mut hard = Vec::new();
        for &i in &leaning {
            match among_hidden(s, model, &trial, &reqs[i]) {
                Some(table) => found.push((i, Some(table))),
                None => hard.push(i),
            }
        }
        let r = s.refs[h];
        let mut met = true;
        let mut published = None;
        if !hard.is_empty() {
            work += warm.work_of(h);
            published = warm.publish(h);
            // The warm LPs first: a proof of "no", or a table; what they
            // leave unsure is solved alone in the pattern with `h`
            // published.
            let mut unsure = Vec::new();
            for &i in &hard {
                let req = &reqs[i];
                let mut answer = Answer::Unsure;
                if let Some(on_trial) = &published {
                    answer = Answer::Short;
                    for &(dir, t) in &req.moves {
                        work += warm.work_of(req.cell);
                        match warm.reaches(on_trial, req.cell, dir, t) {
                            Answer::Met(table) => {
                                answer = Answer::Met(table);
                                break;
                            }
                            Answer::Short => {}
                            Answer::Fractional(_) | Answer::Unsure => answer = Answer::Unsure,
                        }
                    }
                }
                match answer {
                    Answer::Met(table) => found.push((i, Some(table))),
                    Answer::Fractional(_) | Answer::Unsure if warm.by_moves(req.cell) => {
                        met = false;
                        break;
                    }
                    Answer::Fractional(_) | Answer::Unsure => unsure.push(i),
                    Answer::Short => {
                        met = false;
                        break;
                    }
                }
            }
            if met && !unsure.is_empty() {
                pattern.tables[r.table].cells[r.cell].entry = Entry::Published(state.value[h]);
                let checked = check(
                    s, pattern, truth, rule, &unsure, reqs, deadline, true, true, None,
                );
                match checked.into_iter().collect::<Option<Vec<_>>>() {
                    Some(tables) => found.extend(unsure.into_iter().zip(tables)),
                    None => met = false,
                }
            }
        }
        if met {
            warm.keep(h, published);
            for (i, m) in found {
                reqs[i].table = m;
            }
            pattern.tables[r.table].cells[r.cell].entry = Entry::Published(state.value[h]);
            state.hidden[h] = false;
            pass.freed.push(h);
        } else {
            pattern.tables[r.table].cells[r.cell].entry = Entry::Hidden;
            trial.hidden[h] = true;
            trial.kept[h] = kept;
        }
    }
    pass
}

/// The complements a pruning pass tries in the caller's order before it
/// judges, from the work they took, whether its work will reach every
/// complement ([`runs_out`]).
pub(crate) const REORDER_AFTER: usize = 20;

/// Whether, at the work per complement tried so far, the pass's work
/// runs out before its last complement.
fn runs_out(work: usize, tried: usize, total: usize, limits: super::Limits) -> bool {
    let per_complement = work as f64 / tried as f64;
    per_complement * total as f64 > limits.prune_work as f64
}

/// How many requirements lean on each cell ([`Requirement::leans_on`],
/// counted in one pass over the tables instead of a search per cell and
/// requirement): the questions publishing it may ask (a requirement with
/// no table yet leans on every cell).
fn leaning_counts(n: usize, reqs: &[Requirement]) -> Vec<usize> {
    let mut count = vec![0; n];
    let mut on_all = 0;
    for r in reqs {
        match &r.table {
            None => on_all += 1,
            Some(moved) => {
                for &(c, _) in moved {
                    count[c] += 1;
                }
                if moved.binary_search_by_key(&r.cell, |&(c, _)| c).is_err() {
                    count[r.cell] += 1;
                }
            }
        }
    }
    count.iter_mut().for_each(|c| *c += on_all);
    count
}

/// What a pruning pass did.
pub(crate) struct Pass {
    /// The cells published again, in the order tried.
    pub freed: Vec<usize>,
    /// The deadline stopped it.
    pub cut_short: bool,
    /// Complements not tried, the work allowed being spent.
    pub untried: usize,
}

/// The LP work one pruning pass may spend, in questions asked of the
/// warm LPs of the moves times the cells of their component
/// ([`WarmPattern::work_of`]; a count, not a clock: the same pattern on
/// any machine). The work of a question grows with its component, and
/// the complements left when it is spent stay hidden: the pattern
/// passes, but may hide more than it needs. Set above what the 30x20x15
/// cube of `synth --protect` spends, so that it bounds only larger ones
/// (docs/benchmarks.md, "Protected workloads").
pub(crate) const PRUNE_WORK: usize = 10_000_000;

/// Checks each requirement not yet met against `pattern`, alone: by a
/// hypercube among the hidden cells when one fits, else by solving it in
/// its component. Those met are marked, with the cells their table moves.
#[allow(clippy::too_many_arguments)]
pub(crate) fn recheck(
    s: &Structure,
    model: &Model,
    pattern: &Model,
    state: &State,
    truth: &[Vec<Count>],
    rule: Rule,
    reqs: &mut [Requirement],
    deadline: Option<Instant>,
) {
    let hard = by_hypercubes(s, model, state, reqs);
    let checked = check(
        s, pattern, truth, rule, &hard, reqs, deadline, false, false, None,
    );
    for (i, found) in hard.into_iter().zip(checked) {
        if let Some(table) = found {
            reqs[i].met = true;
            reqs[i].table = table;
        }
    }
}

/// Seeks, for each requirement not yet met, a table of `pattern` as it
/// stands that meets it: a hypercube among the hidden cells, else a
/// whole vertex of its component's warm LP ([`WarmPattern`]: of the moves
/// past `moves_past` cells), else, for the rest, a solve of each alone.
/// Those met are marked, with the cells their table moves; each table is
/// verified where it is found.
#[allow(clippy::too_many_arguments)]
pub(crate) fn prove(
    s: &Structure,
    pattern: &Model,
    state: &State,
    truth: &[Vec<Count>],
    rule: Rule,
    reqs: &mut [Requirement],
    deadline: Option<Instant>,
    moves_past: usize,
) {
    let hard = by_hypercubes(s, pattern, state, reqs);
    if hard.is_empty() {
        return;
    }
    let mut left = Vec::new();
    // Per requirement left, where the warm LP's vertex moves cells to
    // meet it (the move and its support), for an integer program there.
    let mut around = Vec::new();
    if let Some(mut warm) =
        WarmPattern::new(s, pattern, truth, rule, moves_past).map(WarmPattern::diving)
    {
        let now = WarmPattern::no_trial();
        for i in hard {
            if deadline.is_some_and(|d| Instant::now() > d) {
                return;
            }
            let r = &mut reqs[i];
            let mut found = None;
            let mut support = None;
            for (m, &(dir, t)) in r.moves.iter().enumerate() {
                match warm.reaches(&now, r.cell, dir, t) {
                    Answer::Met(table) => {
                        found = Some(table);
                        break;
                    }
                    Answer::Fractional(vars) => {
                        support.get_or_insert((m, vars));
                    }
                    Answer::Short | Answer::Unsure => {}
                }
            }
            match found {
                Some(table) => {
                    r.met = true;
                    r.table = Some(table);
                }
                None => {
                    left.push(i);
                    around.push(support);
                }
            }
        }
    } else {
        around = vec![None; hard.len()];
        left = hard;
    }
    let checked = check(
        s,
        pattern,
        truth,
        rule,
        &left,
        reqs,
        deadline,
        false,
        false,
        Some(&around),
    );
    for (i, found) in left.into_iter().zip(checked) {
        if let Some(table) = found {
            reqs[i].met = true;
            reqs[i].table = table;
        }
    }
}

/// Marks met each requirement not yet met that a hypercube among the
/// hidden cells of `state` meets, with its table; returns the others.
fn by_hypercubes(
    s: &Structure,
    model: &Model,
    state: &State,
    reqs: &mut [Requirement],
) -> Vec<usize> {
    let view = hidden_only(s, state);
    let mut hard = Vec::new();
    for (i, r) in reqs.iter_mut().enumerate().filter(|(_, r)| !r.met) {
        match among_hidden(s, model, &view, r) {
            Some(table) => {
                r.met = true;
                r.table = Some(table);
            }
            None => hard.push(i),
        }
    }
    hard
}

/// Where an LP meets a requirement: the index of the move in its
/// `moves`, and the local variables its vertex moves.
type Around = (usize, Vec<usize>);

/// The table of a hypercube among the hidden cells of `view` (published
/// ones kept, as [`hidden_only`] makes it) that meets `r`, if one fits.
fn among_hidden(s: &Structure, model: &Model, view: &State, r: &Requirement) -> Option<Moved> {
    r.moves.iter().find_map(|&(dir, t)| {
        let cube = hypercube::cheapest(s, model, view, r.cell, &[(dir, t)])?;
        cube.hide.is_empty().then(|| {
            cube.corners
                .iter()
                .map(|&(g, sign)| (g, view.value[g] + (sign * dir) as Count * t as Count))
                .collect()
        })
    })
}

/// The hypercubes' view of `state`: only hidden cells move, every
/// published cell stays as published.
fn hidden_only(s: &Structure, state: &State) -> State {
    let mut view = state.clone();
    for g in 0..s.len() {
        if !view.hidden[g] {
            view.kept[g] = true;
        }
    }
    view
}

/// Per requirement in `which`, `Some` with the cells a table meeting it
/// moves (`None` for an unbounded move), or `None` when none is found
/// (not met, or not settled); with `stop`, the answers end at the first
/// requirement not met. With `relaxation_reaches`, the caller knows that
/// the LP relaxation reaches each (a warm LP said so), and only integer
/// tables are sought. `around`, when given (one per requirement in
/// `which`), holds the move and the variables an LP moves to meet it:
/// a table changed from the truth only near them is sought first.
#[allow(clippy::too_many_arguments)]
fn check(
    s: &Structure,
    pattern: &Model,
    truth: &[Vec<Count>],
    rule: Rule,
    which: &[usize],
    reqs: &[Requirement],
    deadline: Option<Instant>,
    stop: bool,
    relaxation_reaches: bool,
    around: Option<&[Option<Around>]>,
) -> Vec<Option<Option<Moved>>> {
    let not_met = vec![None; if stop { 1 } else { which.len() }];
    let Ok(system) = LinearSystem::build(pattern, rule) else {
        return not_met;
    };
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
    for (q, &i) in which.iter().enumerate() {
        let req = &reqs[i];
        let Some((k, v)) = place[req.cell] else {
            out.push(None);
            if stop {
                break;
            }
            continue;
        };
        let component = &components[k];
        let value = truth_of(component.vars[v]);
        let probe = match probes.entry(k) {
            std::collections::btree_map::Entry::Occupied(e) => Some(e.into_mut()),
            std::collections::btree_map::Entry::Vacant(e) => {
                let start = component.vars.iter().map(|&var| truth_of(var)).collect();
                lp_path::Probe::new(component, start, deadline)
                    .ok()
                    .map(|p| e.insert(p))
            }
        };
        let Some(probe) = probe else {
            out.push(None);
            if stop {
                break;
            }
            continue;
        };
        let mut met = None;
        let to_moved = |table: &[Count]| {
            let mut moved: Moved = component
                .vars
                .iter()
                .zip(table)
                .filter(|&(&var, &x)| x != truth_of(var))
                .map(|(&var, &x)| (s.global(system.vars[var].cell), x))
                .collect();
            moved.sort_unstable();
            moved
        };
        if let Some((m, support)) = around.and_then(|a| a[q].as_ref()) {
            let (dir, t) = req.moves[*m];
            let need = (value as i128 + dir as i128 * t) as Count;
            if let Some(table) = probe.table_around(v, need, support) {
                out.push(Some(Some(to_moved(&table))));
                continue;
            }
        }
        for &(dir, t) in &req.moves {
            let sense = if dir > 0 { Sense::Max } else { Sense::Min };
            let need = (value as i128 + dir as i128 * t) as Count;
            match probe.reaches(v, sense, need, relaxation_reaches) {
                Ok(Reach::Reached(None)) => {
                    met = Some(None);
                    break;
                }
                Ok(Reach::Reached(Some(table))) => {
                    met = Some(Some(to_moved(&table)));
                    break;
                }
                Ok(Reach::Short) | Err(_) => {}
            }
        }
        let missed = met.is_none();
        out.push(met);
        if stop && missed {
            break;
        }
    }
    out
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn leaning_counts_count_each_table_and_the_cell_once() {
        let reqs = vec![
            // Cell 0's table moves 0, 2 and 3.
            Requirement {
                cell: 0,
                moves: vec![(1, 1)],
                table: Some(vec![(0, 1), (2, -1), (3, 1)]),
                met: true,
            },
            // Cell 1's table does not list the cell itself.
            Requirement {
                cell: 1,
                moves: vec![(1, 1)],
                table: Some(vec![(2, 1)]),
                met: true,
            },
            // No table yet: it leans on every cell.
            Requirement {
                cell: 4,
                moves: vec![(-1, 1)],
                table: None,
                met: false,
            },
        ];
        let counts = leaning_counts(5, &reqs);
        assert_eq!(counts, vec![2, 2, 3, 2, 1]);
        for (g, &count) in counts.iter().enumerate() {
            assert_eq!(
                count,
                reqs.iter().filter(|r| r.leans_on(g)).count(),
                "cell {g}"
            );
        }
    }

    #[test]
    fn the_work_runs_out_when_its_pace_passes_the_budget() {
        let limits = super::super::Limits {
            prune_work: 1_000,
            ..super::super::Limits::default()
        };
        // 100 per complement: 10 complements fit, 11 do not.
        assert!(!runs_out(2_000, 20, 10, limits));
        assert!(runs_out(2_000, 20, 11, limits));
        assert!(!runs_out(0, 20, 1_000, limits));
    }
}
