//! Negative values: published values below zero and hidden cells whose
//! stated range reaches below zero (profits, net migration), against the
//! brute-force oracle of `support`: the truth lies within the bounds and
//! each bound is what the integer completions reach, on grids (the flow
//! path) and on grids with an extra constraint (the LP path).

use cellbound::core::{Constraint, Entry, Model, Op, Rule, Term};
use cellbound::solver::{bounds, Options, Outcome};
use proptest::prelude::*;

use crate::support::{brute_force, grid, hidden_list};

#[derive(Debug)]
struct Case {
    model: Model,
    truth: Vec<i64>,
}

/// A rows x cols grid of values in -6..=6 with both margins; about a
/// third of the cells hidden, each within a range around its truth that
/// may reach below zero, or with no upper limit.
fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just((2usize, 2usize)), Just((2, 3)), Just((3, 2))],
        proptest::collection::vec((-6i64..=6, 0u8..3, 0i64..=6, 0i64..=6, any::<bool>()), 12),
        0u8..3,
    )
        .prop_map(|((rows, cols), draws, linked)| {
            let mut full = vec![vec![0i64; cols + 1]; rows + 1];
            for r in 0..rows {
                for c in 0..cols {
                    let v = draws[r * cols + c].0;
                    full[r][c] = v;
                    full[r][cols] += v;
                    full[rows][c] += v;
                    full[rows][cols] += v;
                }
            }
            let shown: Vec<Vec<Option<i64>>> = full
                .iter()
                .enumerate()
                .map(|(r, line)| {
                    line.iter()
                        .enumerate()
                        .map(|(c, &v)| (draws[(r * (cols + 1) + c) % 12].1 != 0).then_some(v))
                        .collect()
                })
                .collect();
            let refs: Vec<&[Option<i64>]> = shown.iter().map(Vec::as_slice).collect();
            let mut model = grid(&refs);
            let mut truth = Vec::new();
            for (k, cell) in model.tables[0].cells.iter_mut().enumerate() {
                if cell.entry == Entry::Hidden {
                    let (_, _, below, above, open) = draws[k % 12];
                    let t = full[cell.at[0]][cell.at[1]];
                    cell.entry = Entry::Range {
                        lo: t - below,
                        hi: (!open).then_some(t + above),
                    };
                    truth.push(t);
                }
            }
            // Two times one hidden cell minus another, at most (or at
            // least) what the truth gives: a component off the flow path,
            // solved by the LP path.
            let hidden: Vec<Vec<usize>> = model.tables[0]
                .cells
                .iter()
                .filter(|c| c.entry.is_hidden())
                .map(|c| c.at.clone())
                .collect();
            if linked > 0 && hidden.len() >= 2 {
                let value = |at: &[usize]| full[at[0]][at[1]];
                let rhs = 2 * value(&hidden[0]) - value(&hidden[1]);
                model.constraints.push(Constraint {
                    terms: vec![
                        Term {
                            table: 0,
                            at: hidden[0].clone(),
                            coef: 2,
                        },
                        Term {
                            table: 0,
                            at: hidden[1].clone(),
                            coef: -1,
                        },
                    ],
                    op: if linked == 1 { Op::Le } else { Op::Ge },
                    rhs,
                    origin: "constraints[0]".into(),
                });
            }
            Case { model, truth }
        })
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let rule = Rule::open();
    let brute = brute_force(&case.model, rule);
    prop_assert!(brute.feasible, "the truth is a completion");
    let Outcome::Feasible(report) = bounds(&case.model, rule, &Options::default()).unwrap() else {
        return Err(TestCaseError::fail("feasible"));
    };
    prop_assert_eq!(report.cells.len(), hidden_list(&case.model).len());
    for (i, c) in report.cells.iter().enumerate() {
        prop_assert!(c.tight);
        let t = case.truth[i];
        prop_assert!(c.bounds.lower <= t && c.bounds.upper.is_none_or(|u| t <= u));
        prop_assert_eq!(
            (c.bounds.lower, c.bounds.upper),
            brute.bounds[i],
            "cell {}",
            i
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn negative_values_match_brute_force(case in case()) {
        check(&case)?;
    }
}

#[test]
fn published_parts_above_a_total_with_a_negative_hidden_part() {
    // 7 + 5 > 10 is no contradiction when the hidden part may be -2.
    let mut model = grid(&[
        &[Some(7), Some(5), None, Some(10)],
        &[Some(7), Some(5), None, Some(10)],
    ]);
    for k in [2, 6] {
        model.tables[0].cells[k].entry = Entry::Range {
            lo: -5,
            hi: Some(5),
        };
    }
    let Outcome::Feasible(report) = bounds(&model, Rule::open(), &Options::default()).unwrap()
    else {
        panic!("feasible")
    };
    assert!(report
        .cells
        .iter()
        .all(|c| (c.bounds.lower, c.bounds.upper) == (-2, Some(-2))));
    // With the hidden part at least 0, it is bad input, named.
    for k in [2, 6] {
        model.tables[0].cells[k].entry = Entry::Range { lo: 0, hi: Some(5) };
    }
    let err = cellbound::core::LinearSystem::build(&model, Rule::open()).unwrap_err();
    assert!(
        err.message.contains("more than the published total 10"),
        "{err}"
    );
}
