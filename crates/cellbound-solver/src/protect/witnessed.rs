//! The final audit of a pattern too large for tight bounds: each
//! requirement's table, checked.
//!
//! The pruning leaves every requirement of every audited cell with a table
//! the attacker must allow that meets it (a hypercube among the hidden
//! cells, a whole vertex of a warm LP, or an integer program's answer),
//! kept as the cells it moves from their true values. Each such table is
//! checked here against the pattern's own [`LinearSystem`] in exact
//! integer arithmetic: every cell it moves is hidden and within its
//! domain, every line through a moved cell still holds (the others hold
//! because the truth does), and the cell reaches its requirement. All
//! checked, the pattern passes: a proof as exact as the tight bounds'
//! (each requirement is one side of a bound, shown reached by a whole
//! table), without the bounds themselves, which on groups of thousands of
//! linked cells take longer than the search and the pruning together
//! (docs/benchmarks.md, "Protected workloads"). Any table that fails the
//! check, or a requirement without one, leaves the verdict to the exact
//! audit.

use std::time::Instant;

use cellbound_core::{CellRef, Count, LinearSystem, Model};

use super::prune::{self, Requirement};
use super::search::State;
use super::structure::Structure;
use crate::audit::{
    attacker_rule, requirement_of, AuditReport, AuditSummary, Basis, CellAudit, CellPolicy,
    Protection, Verdict,
};
use crate::report::Bounds;

/// Past this many variables in one group of linked hidden cells, an audit
/// rests on its requirements' tables when they are found and check
/// ([`Basis::Witnesses`]): tight bounds on such groups take longer than
/// the whole of `protect` (docs/benchmarks.md, "Protected workloads").
/// The size from which [`crate::lp_path`] seeks tables near a known one.
pub(crate) const WITNESSED_PAST: usize = 1_000;

/// The variables of the largest group of linked hidden cells of a
/// pattern's `system`.
pub(crate) fn largest_group(system: &LinearSystem) -> usize {
    crate::components::split(system)
        .iter()
        .map(|c| c.vars.len())
        .max()
        .unwrap_or(0)
}

/// The audit of a published `pattern` (whose `system` under the
/// attacker's rule is given) against `truth` (which the caller has
/// checked fits it) on witness tables sought for each requirement:
/// a hypercube among the hidden cells, else a table of the requirement's
/// component from the truth ([`crate::lp_path`]'s probe). `None` when the
/// protection asks what one table per requirement does not show (a
/// minimum width; existence under `strict`, zeros hidden), or when some
/// requirement finds no table (not a proof that it fails: the exact audit
/// decides).
pub(crate) fn search(
    pattern: &Model,
    system: &LinearSystem,
    truth: &[Vec<Count>],
    zeros_shown: bool,
    protection: &Protection,
    policies: Option<&[Vec<CellPolicy>]>,
    deadline: Option<Instant>,
) -> Option<AuditReport> {
    if protection.min_width.is_some() || (protection.strict && !zeros_shown) {
        return None;
    }
    let rule = attacker_rule(zeros_shown).for_model(pattern);
    let s = Structure::new(pattern, truth);
    let state = State::at_truth(&s, pattern, truth, rule);
    let mut skeleton = Vec::new();
    let mut reqs = Vec::new();
    for (g, &r) in s.refs.iter().enumerate() {
        if !state.hidden[g] {
            continue;
        }
        let value = state.value[g];
        let policy = policies.map(|p| p[r.table][r.cell]);
        let (sensitive, audited, requirement) = requirement_of(value, protection, policy);
        if !audited {
            continue;
        }
        let v = value as i128;
        let mut any = false;
        if let Some(u) = requirement.upper_at_least.filter(|&u| u as i128 > v) {
            reqs.push(unmet(g, vec![(1, u as i128 - v)]));
            any = true;
        }
        if let Some(l) = requirement.lower_at_most.filter(|&l| (l as i128) < v) {
            reqs.push(unmet(g, vec![(-1, v - l as i128)]));
            any = true;
        }
        if !any {
            // Not exactly disclosed: a move either way.
            reqs.push(unmet(g, vec![(1, 1), (-1, 1)]));
        }
        skeleton.push(CellAudit {
            cell: CellRef {
                table: r.table,
                cell: r.cell,
            },
            value,
            bounds: Bounds {
                lower: None,
                upper: None,
            },
            sensitive,
            audited,
            requirement,
            failures: Vec::new(),
            existence_disclosed: false,
            verdict: Verdict::NotAudited,
            pinned_by: Vec::new(),
            witnesses: None,
        });
    }
    prune::prove(
        &s,
        pattern,
        &state,
        truth,
        rule,
        &mut reqs,
        deadline,
        super::warm::PROGRAM_CELLS,
    );
    let skeleton = AuditReport {
        cells: skeleton,
        summary: AuditSummary::default(),
        basis: Basis::Bounds,
    };
    audit(system, &s, truth, &skeleton, &reqs)
}

fn unmet(cell: usize, moves: Vec<(i64, i128)>) -> Requirement {
    Requirement {
        cell,
        moves,
        table: None,
        met: false,
    }
}

/// The audit of a pattern (its `system` under the attacker's rule) on
/// the basis of the requirements' tables, for
/// the audited cells of `audited` (an exact audit of the same cells under
/// the same protection, whose requirements `reqs` were drawn from).
/// `None` when a requirement has no table, or its table fails the check.
pub(crate) fn audit(
    system: &LinearSystem,
    s: &Structure,
    truth: &[Vec<Count>],
    audited: &AuditReport,
    reqs: &[Requirement],
) -> Option<AuditReport> {
    let mut var_of = vec![None; s.len()];
    for (i, v) in system.vars.iter().enumerate() {
        var_of[s.global(v.cell)] = Some(i);
    }
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); system.vars.len()];
    for (r, row) in system.rows.iter().enumerate() {
        for &(v, _) in &row.terms {
            rows_of[v].push(r);
        }
    }
    let truth_of = |g: usize| truth[s.refs[g].table][s.refs[g].cell];
    let mut values: Vec<Count> = system
        .vars
        .iter()
        .map(|v| truth_of(s.global(v.cell)))
        .collect();
    // Per audited cell, the lowest and highest value a checked table gives.
    let mut reached: Vec<Option<(Count, Count)>> = vec![None; s.len()];
    for req in reqs {
        if !req.met {
            return None;
        }
        let moved = req.table.as_ref()?;
        let at = checked_value(system, &var_of, &rows_of, &mut values, moved, req.cell)?;
        let v = truth_of(req.cell) as i128;
        let meets = req.moves.iter().any(|&(dir, t)| {
            let x = at as i128;
            if dir > 0 {
                x >= v + t
            } else {
                x <= v - t
            }
        });
        if !meets {
            return None;
        }
        let r = reached[req.cell].get_or_insert((truth_of(req.cell), truth_of(req.cell)));
        r.0 = r.0.min(at);
        r.1 = r.1.max(at);
    }
    let mut cells = Vec::new();
    for c in audited.cells.iter().filter(|c| c.audited) {
        let g = s.global(c.cell);
        let (lower, upper) = reached[g]?;
        let req = c.requirement;
        let pass = lower < upper
            && req.lower_at_most.is_none_or(|l| lower <= l)
            && req.upper_at_least.is_none_or(|u| upper >= u)
            && req.min_width.is_none_or(|w| upper - lower >= w);
        if !pass {
            return None;
        }
        cells.push(CellAudit {
            cell: c.cell,
            value: c.value,
            bounds: Bounds {
                lower: Some(lower),
                upper: Some(upper),
            },
            sensitive: c.sensitive,
            audited: true,
            requirement: req,
            failures: Vec::new(),
            existence_disclosed: false,
            verdict: Verdict::Pass,
            pinned_by: Vec::new(),
            witnesses: None,
        });
    }
    let summary = AuditSummary {
        hidden: system.vars.len(),
        audited: cells.len(),
        passed: cells.len(),
        ..AuditSummary::default()
    };
    Some(AuditReport {
        cells,
        summary,
        basis: Basis::Witnesses,
    })
}

/// The value of `cell` in the table that moves `moved` from the truth
/// (`values`, restored on return), when that table satisfies every line
/// of `system`: each moved cell hidden and within its domain, each row
/// through one holding exactly.
fn checked_value(
    system: &LinearSystem,
    var_of: &[Option<usize>],
    rows_of: &[Vec<usize>],
    values: &mut [Count],
    moved: &[(usize, Count)],
    cell: usize,
) -> Option<Count> {
    let mut vars = Vec::with_capacity(moved.len());
    for &(g, x) in moved {
        let i = (*var_of.get(g)?)?;
        if !system.vars[i].domain.contains(x) {
            return None;
        }
        vars.push((i, values[i]));
    }
    for (&(_, x), &(i, _)) in moved.iter().zip(&vars) {
        values[i] = x;
    }
    let holds = vars
        .iter()
        .flat_map(|&(i, _)| &rows_of[i])
        .all(|&r| system.rows[r].holds(values));
    let at = var_of[cell].map(|i| values[i]);
    for &(i, old) in vars.iter().rev() {
        values[i] = old;
    }
    if holds {
        at
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{attacker_rule, Protection};

    /// A 3x3 grid with margins, its four top-left inner cells hidden.
    fn grid() -> (Model, Vec<Vec<Count>>) {
        let inner: [[Count; 3]; 3] = [[2, 5, 9], [6, 3, 8], [7, 7, 4]];
        let mut truth = Vec::new();
        let mut rows: Vec<Vec<Option<Count>>> = Vec::new();
        for i in 0..4 {
            let mut row = Vec::new();
            for j in 0..4 {
                let v: Count = match (i, j) {
                    (3, 3) => inner.iter().flatten().sum(),
                    (3, j) => inner.iter().map(|r| r[j]).sum(),
                    (i, 3) => inner[i].iter().sum(),
                    (i, j) => inner[i][j],
                };
                truth.push(v);
                row.push((i >= 2 || j >= 2).then_some(v));
            }
            rows.push(row);
        }
        let refs: Vec<&[Option<Count>]> = rows.iter().map(|r| r.as_slice()).collect();
        (Model::grid_with_margins("t", &refs).unwrap(), vec![truth])
    }

    #[test]
    fn tables_that_hold_pass_and_any_broken_line_refuses() {
        let (model, truth) = grid();
        let system = LinearSystem::build(&model, attacker_rule(false)).unwrap();
        let s = Structure::new(&model, &truth);
        let protection = Protection {
            upper_protection: Some(30),
            lower_protection: Some(30),
            ..Protection::default()
        };
        let exact = crate::audit(
            &model,
            &truth,
            false,
            &protection,
            None,
            &Default::default(),
        )
        .unwrap();
        assert!(exact.passed());
        // The cell (0,0), true 2: up by 1 and down by 1 around the square.
        let g = |i: usize, j: usize| {
            s.global(cellbound_core::CellRef {
                table: 0,
                cell: i * 4 + j,
            })
        };
        let square = |d: Count| {
            let mut m = vec![
                (g(0, 0), 2 + d),
                (g(0, 1), 5 - d),
                (g(1, 0), 6 - d),
                (g(1, 1), 3 + d),
            ];
            m.sort_unstable();
            m
        };
        let req = |dir: i64, table| Requirement {
            cell: g(0, 0),
            moves: vec![(dir, 1)],
            table: Some(table),
            met: true,
        };
        let mut reqs = vec![req(1, square(1)), req(-1, square(-1))];
        // Only the audited cells of the exact audit: (0,0) (true 2) and
        // (1,1) (true 3) are under the threshold.
        let audited: Vec<_> = exact.cells.iter().filter(|c| c.audited).collect();
        assert_eq!(audited.len(), 2);
        // (1,1) moves with (0,0): the same squares reach it.
        let g11 = g(1, 1);
        reqs.push(Requirement {
            cell: g11,
            ..req(1, square(1))
        });
        reqs.push(Requirement {
            cell: g11,
            ..req(-1, square(-1))
        });
        let by = audit(&system, &s, &truth, &exact, &reqs).expect("every table holds");
        assert_eq!(by.basis, Basis::Witnesses);
        assert!(by.passed());
        assert_eq!(by.summary.hidden, 4);
        assert_eq!(by.summary.audited, 2);
        for c in &by.cells {
            let tight = exact
                .cells
                .iter()
                .find(|e| e.cell == c.cell)
                .unwrap()
                .bounds;
            // Inside the tight interval.
            assert!(tight.lower.unwrap() <= c.bounds.lower.unwrap());
            assert!(tight.upper.unwrap() >= c.bounds.upper.unwrap());
        }
        // A table that breaks a line: one corner off by one.
        let mut broken = square(1);
        broken[0].1 += 1;
        let mut bad = reqs.clone();
        bad[0].table = Some(broken);
        assert!(audit(&system, &s, &truth, &exact, &bad).is_none());
        // A table that moves a published cell.
        let mut published = square(1);
        published.push((g(2, 2), 5));
        published.sort_unstable();
        bad = reqs.clone();
        bad[0].table = Some(published);
        assert!(audit(&system, &s, &truth, &exact, &bad).is_none());
        // A table below zero.
        bad = reqs.clone();
        bad[1].table = Some(square(-3));
        assert!(audit(&system, &s, &truth, &exact, &bad).is_none());
        // A table that holds but does not reach the requirement.
        bad = reqs.clone();
        bad[0].moves = vec![(1, 2)];
        assert!(audit(&system, &s, &truth, &exact, &bad).is_none());
        // A requirement with no table.
        bad = reqs.clone();
        bad[2].table = None;
        assert!(audit(&system, &s, &truth, &exact, &bad).is_none());
    }
}
