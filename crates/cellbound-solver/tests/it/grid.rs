//! The solver on hand-built two-way grids with both margins, against
//! facts worked out by hand (the seed's table 1).

use crate::common::grid;
use cellbound_core::{Entry, Model, Rule};
use cellbound_solver::{bounds, Options, Outcome, Report, Status};

/// Seed table 1, La Mitis and Les Basques with their region total.
fn table1() -> Model {
    grid(&[
        &[None, Some(9), None, Some(20)],
        &[None, Some(15), None, Some(25)],
        &[Some(13), Some(24), Some(8), Some(45)],
    ])
}

fn solve(model: &Model, rule: Rule) -> Outcome {
    bounds(
        model,
        rule,
        &Options {
            keep_witnesses: true,
            derive: true,
            ..Options::default()
        },
    )
    .unwrap()
}

fn feasible(outcome: Outcome) -> Report {
    match outcome {
        Outcome::Feasible(r) => r,
        Outcome::Infeasible(why) => panic!("infeasible: {why:?}"),
    }
}

fn intervals(report: &Report) -> Vec<(i64, Option<i64>)> {
    report
        .cells
        .iter()
        .map(|c| (c.bounds.lower.expect("counts"), c.bounds.upper))
        .collect()
}

#[test]
fn table1_open() {
    let open = Rule::open();
    let report = feasible(solve(&table1(), open));
    assert_eq!(
        intervals(&report),
        vec![(3, Some(11)), (0, Some(8)), (2, Some(10)), (0, Some(8))]
    );
    assert!(report.cells.iter().all(|c| c.status() == Status::Bounded));
}

#[test]
fn table1_open_zeros_shown() {
    let rule = Rule {
        open: true,
        zeros_shown: true,
        ..Rule::default()
    };
    let report = feasible(solve(&table1(), rule));
    assert_eq!(
        intervals(&report),
        vec![(4, Some(10)), (1, Some(7)), (3, Some(9)), (1, Some(7))]
    );
}

#[test]
fn witnesses_reach_each_bound_and_add_up() {
    let rule = Rule {
        open: true,
        zeros_shown: true,
        ..Rule::default()
    };
    let model = table1();
    let report = feasible(solve(&model, rule));
    for cell in &report.cells {
        let (lo, hi) = *cell.witnesses.clone().unwrap();
        let (lo, hi) = (lo.unwrap(), hi.unwrap());
        let value = |w: &cellbound_solver::Witness| {
            w.values()
                .into_iter()
                .find(|(v, _)| *v == cell.var)
                .unwrap()
                .1
        };
        assert_eq!(Some(value(&lo)), cell.bounds.lower);
        assert_eq!(Some(value(&hi)), cell.bounds.upper);
        for w in [&lo, &hi] {
            let get = |v: usize| w.values().into_iter().find(|(x, _)| *x == v).unwrap().1;
            // m1 + m3 = 11, b1 + b3 = 10, m1 + b1 = 13, m3 + b3 = 8.
            assert_eq!(get(0) + get(1), 11);
            assert_eq!(get(2) + get(3), 10);
            assert_eq!(get(0) + get(2), 13);
            assert_eq!(get(1) + get(3), 8);
            assert!((0..4).all(|v| get(v) >= 1));
        }
    }
}

#[test]
fn table1_default_rule_is_infeasible_and_says_why() {
    let Outcome::Infeasible(why) = solve(&table1(), Rule::default()) else {
        panic!("table 1 cannot hold with hidden cells of at most 4");
    };
    let lines = why.lines(&table1());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        lines[0],
        "row \"r0\": total 20, published 9, needs 11 from 2 hidden cells of at most 4 each"
    );
    assert!(why.hint(&table1()).unwrap().contains("--open"));
}

#[test]
fn a_cell_alone_on_its_line_is_exact() {
    let report = feasible(solve(
        &grid(&[&[None, Some(3), Some(5)], &[Some(2), Some(3), Some(5)]]),
        Rule::default(),
    ));
    assert_eq!(intervals(&report), vec![(2, Some(2))]);
    assert_eq!(report.cells[0].status(), Status::Exact);
}

#[test]
fn hidden_margin_without_other_line_is_unbounded() {
    // No total row: a hidden row total with hidden parts under --open.
    let model = {
        let mut m = grid(&[&[None, None, None], &[Some(1), Some(1), Some(2)]]);
        // Hide the bottom row too: no column constrains anything.
        for c in &mut m.tables[0].cells {
            c.entry = Entry::Hidden;
        }
        m
    };
    let open = Rule::open();
    let report = feasible(solve(&model, open));
    assert!(report.cells.iter().all(|c| c.status() == Status::Unbounded));
    assert!(report.cells.iter().all(|c| c.bounds.lower == Some(0)));
}

#[test]
fn integer_bound_tighter_than_lp() {
    // x + y = total, with an extra constraint 2x - 2y = 1 impossible over
    // integers: the model is infeasible though the LP is not.
    let mut model = grid(&[&[None, None, Some(3)], &[Some(1), Some(2), Some(3)]]);
    model.constraints.push(cellbound_core::Constraint {
        terms: vec![
            cellbound_core::Term {
                table: 0,
                at: vec![0, 0],
                coef: 2,
            },
            cellbound_core::Term {
                table: 0,
                at: vec![0, 1],
                coef: -2,
            },
        ],
        op: cellbound_core::Op::Le,
        rhs: 1,
        origin: "constraints[0]".into(),
    });
    let report = feasible(solve(&model, Rule::default()));
    // x = 1, y = 2 is forced by the columns anyway.
    assert_eq!(intervals(&report), vec![(1, Some(1)), (2, Some(2))]);

    // 3x + 3y hidden sums: x + y = 3 with 2x = 3 + ... over a margin-free
    // line: x + y = 3, 2x - 2y = 1 has the LP point (1.75, 1.25) only.
    let mut m2 = grid(&[&[None, None, Some(3)], &[None, None, Some(3)]]);
    m2.tables[0].cells[5].entry = Entry::Published(3);
    m2.constraints.push(cellbound_core::Constraint {
        terms: vec![
            cellbound_core::Term {
                table: 0,
                at: vec![0, 0],
                coef: 2,
            },
            cellbound_core::Term {
                table: 0,
                at: vec![0, 1],
                coef: -2,
            },
        ],
        op: cellbound_core::Op::Eq,
        rhs: 1,
        origin: "constraints[0]".into(),
    });
    let Outcome::Infeasible(why) = solve(&m2, Rule::open()) else {
        panic!("2x - 2y = 1 has no integer solution");
    };
    assert!(
        why.explanation(&m2).contains("constraint constraints[0]"),
        "{}",
        why.explanation(&m2)
    );
}

#[test]
fn every_bound_of_table1_has_a_derivation_that_checks() {
    use cellbound_core::proof::Side;
    let model = table1();
    for rule in [
        Rule::open(),
        Rule {
            open: true,
            zeros_shown: true,
            ..Rule::default()
        },
    ] {
        let system = cellbound_core::LinearSystem::build(&model, rule).unwrap();
        let report = feasible(solve(&model, rule));
        for cell in &report.cells {
            let proofs = cell.proofs.clone().unwrap();
            let lower = proofs.lower.unwrap();
            assert_eq!(lower.side, Side::Lower);
            assert_eq!(Some(lower.check(&system).unwrap().bound), cell.bounds.lower);
            let upper = proofs.upper.unwrap();
            assert_eq!(Some(upper.check(&system).unwrap().bound), cell.bounds.upper);
        }
    }
}

#[test]
fn an_unbounded_cell_has_a_ray_that_checks() {
    let mut m = grid(&[&[None, None, None], &[Some(1), Some(1), Some(2)]]);
    for c in &mut m.tables[0].cells {
        c.entry = Entry::Hidden;
    }
    let open = Rule::open();
    let system = cellbound_core::LinearSystem::build(&m, open).unwrap();
    let report = feasible(solve(&m, open));
    for cell in &report.cells {
        let proofs = cell.proofs.clone().unwrap();
        assert!(proofs.upper.is_none());
        proofs.ray.unwrap().check(&system).unwrap();
        assert_eq!(proofs.lower.unwrap().check(&system).unwrap().bound, 0);
    }
}

#[test]
fn a_zero_time_limit_gives_sound_presolve_bounds_marked_not_tight() {
    let open = Rule::open();
    let options = Options {
        time_limit: Some(std::time::Duration::ZERO),
        ..Options::default()
    };
    let Outcome::Feasible(report) = bounds(&table1(), open, &options).unwrap() else {
        panic!("feasible")
    };
    // Presolve alone already finds table 1's bounds: sound, not proved.
    for (cell, truth) in report.cells.iter().zip([6, 5, 7, 3]) {
        assert!(!cell.tight);
        assert!(cell.bounds.contains(truth));
    }
}

#[test]
fn a_constraint_failing_on_published_cells_is_told_as_written() {
    // b + c >= 5 with b = 1 and c = 1 published: "2 >= 5".
    let mut model = grid(&[
        &[None, Some(1), Some(1), Some(3)],
        &[None, Some(1), Some(1), Some(3)],
    ]);
    model.constraints.push(cellbound_core::Constraint {
        terms: vec![
            cellbound_core::Term {
                table: 0,
                at: vec![0, 1],
                coef: 1,
            },
            cellbound_core::Term {
                table: 0,
                at: vec![0, 2],
                coef: 1,
            },
        ],
        op: cellbound_core::Op::Ge,
        rhs: 5,
        origin: "constraints[0]".into(),
    });
    let Outcome::Infeasible(why) = solve(&model, Rule::default()) else {
        panic!("2 >= 5 is false");
    };
    assert!(
        why.explanation(&model)
            .contains("the published cells alone give 2 >= 5"),
        "{}",
        why.explanation(&model)
    );
}

/// `derive_only` derives the asked cells' bounds and no other: what makes
/// `explain` of one cell cost that cell's bounds, not every cell's.
#[test]
fn derive_only_derives_the_asked_cells_alone() {
    let model = table1();
    let options = Options {
        keep_witnesses: true,
        derive: true,
        derive_only: Some(vec![2]),
        ..Options::default()
    };
    let report = feasible(bounds(&model, Rule::open(), &options).unwrap());
    let all = feasible(solve(&model, Rule::open()));
    for (cell, full) in report.cells.iter().zip(&all.cells) {
        assert_eq!(cell.bounds, full.bounds);
        if cell.var == 2 {
            assert_eq!(cell.proofs, full.proofs);
            assert!(cell.proofs.as_ref().is_some_and(|p| p.lower.is_some()));
        } else {
            assert!(cell.proofs.is_none(), "{cell:?}");
        }
    }
}

/// Cells on no line (a grid with no margin) are bounded by their domain
/// alone, with no program solved, each end reached by a table that puts
/// the cell there.
#[test]
fn cells_on_no_line_take_their_domain_without_a_solver() {
    use cellbound_core::io::{csv_grid, GridOptions};
    let csv = "R,A,B\nr1,x,3\nr2,x,<3\n";
    let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
    let options = Options {
        keep_witnesses: true,
        ..Options::default()
    };
    let report = feasible(bounds(&model, Rule::default(), &options).unwrap());
    assert_eq!(report.stats.programs, 0);
    let got: Vec<_> = report
        .cells
        .iter()
        .map(|c| (c.bounds.lower, c.bounds.upper, c.tight))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(0), Some(4), true),
            (Some(0), Some(4), true),
            (Some(0), Some(2), true)
        ]
    );
    for c in &report.cells {
        let (lo, hi) = c.witnesses.as_deref().expect("witnesses kept");
        let at = |w: &cellbound_solver::Witness| {
            w.values().into_iter().find(|&(v, _)| v == c.var).unwrap().1
        };
        assert_eq!(Some(at(lo.as_ref().unwrap())), c.bounds.lower);
        assert_eq!(Some(at(hi.as_ref().unwrap())), c.bounds.upper);
    }
}
