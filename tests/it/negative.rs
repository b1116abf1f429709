//! Negative values: published values below zero and hidden cells whose
//! stated range reaches below zero (profits, net migration), or that have
//! no lower limit at all (`--allow-negative`: a range with no lower end, or
//! a hidden cell of a model whose values may be negative), against the
//! brute-force oracle of `support`: the truth lies within the bounds and
//! each bound is what the integer completions reach (a missing bound is
//! one a direction of the lines makes unbounded), on grids (the flow path,
//! or the LP path when a cell has no lower limit) and on grids with an
//! extra constraint (the LP path).

use cellbound::core::proof::Side;
use cellbound::core::{Constraint, Entry, LinearSystem, Model, Op, Rule, Term};
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
/// may reach below zero, or with no upper limit, or with no lower limit,
/// or with no limit at all (a hidden cell of a model of values that may
/// be negative).
fn case() -> impl Strategy<Value = Case> {
    case_hiding(1, 6)
}

/// A case with `hidden_per_three` cells in three hidden (1 for about a
/// third; 2 for two thirds, so that cells with no limit meet in cycles
/// that leave them unbounded), values in `-span..=span`.
fn case_hiding(hidden_per_three: u8, span: i64) -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just((2usize, 2usize)), Just((2, 3)), Just((3, 2))],
        proptest::collection::vec(
            (-6i64..=6, 0u8..3, 0i64..=6, 0i64..=6, any::<bool>(), 0u8..4),
            12,
        ),
        0u8..3,
    )
        .prop_map(move |((rows, cols), draws, linked)| {
            let mut full = vec![vec![0i64; cols + 1]; rows + 1];
            for r in 0..rows {
                for c in 0..cols {
                    // Values in -span..=span.
                    let v = draws[r * cols + c].0 % (span + 1);
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
                        .map(|(c, &v)| {
                            (draws[(r * (cols + 1) + c) % 12].1 >= hidden_per_three).then_some(v)
                        })
                        .collect()
                })
                .collect();
            let refs: Vec<&[Option<i64>]> = shown.iter().map(Vec::as_slice).collect();
            let mut model = grid(&refs);
            let mut truth = Vec::new();
            for (k, cell) in model.tables[0].cells.iter_mut().enumerate() {
                if cell.entry == Entry::Hidden {
                    let (_, _, below, above, open, kind) = draws[k % 12];
                    let t = full[cell.at[0]][cell.at[1]];
                    match kind {
                        // No limit: hidden, in a model of values that may
                        // be negative (the rule is `open`).
                        0 => model.negative = true,
                        // No lower limit.
                        1 => {
                            cell.entry = Entry::Range {
                                lo: None,
                                hi: (!open).then_some(t + above),
                            }
                        }
                        _ => {
                            cell.entry = Entry::Range {
                                lo: Some(t - below),
                                hi: (!open).then_some(t + above),
                            }
                        }
                    }
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
    // The oracle enumerates a cell with no lower limit over a box as wide
    // as the table's values: past three such cells its search can take
    // minutes (a test limit, not the solver's), so larger cases are
    // skipped, and the cases with many of them keep their values small.
    let below = LinearSystem::build(&case.model, rule)
        .map(|s| s.vars.iter().filter(|v| v.domain.lo.is_none()).count())
        .unwrap_or(0);
    prop_assume!(below <= 3);
    let brute = brute_force(&case.model, rule);
    prop_assert!(brute.feasible, "the truth is a completion");
    // With every proof: each bound's table and derivation, each missing
    // bound's ray, checked exactly below the solver.
    let options = Options {
        keep_witnesses: true,
        derive: true,
        ..Options::default()
    };
    let Outcome::Feasible(report) = bounds(&case.model, rule, &options).unwrap() else {
        return Err(TestCaseError::fail("feasible"));
    };
    let system = LinearSystem::build(&case.model, rule).unwrap();
    prop_assert_eq!(report.cells.len(), hidden_list(&case.model).len());
    for (i, c) in report.cells.iter().enumerate() {
        prop_assert!(c.tight);
        let t = case.truth[i];
        prop_assert!(c.bounds.contains(t));
        prop_assert_eq!(
            (c.bounds.lower, c.bounds.upper),
            brute.bounds[i],
            "cell {}",
            i
        );
        let (lo_w, hi_w) = c.witnesses.as_deref().cloned().unwrap_or((None, None));
        let proofs = c.proofs.as_deref().expect("derived");
        let sides = [
            (
                Side::Lower,
                c.bounds.lower,
                lo_w,
                &proofs.lower,
                &proofs.ray_lower,
            ),
            (
                Side::Upper,
                c.bounds.upper,
                hi_w,
                &proofs.upper,
                &proofs.ray,
            ),
        ];
        for (side, bound, witness, derivation, ray) in sides {
            match bound {
                Some(b) => {
                    // A table of the whole component reaching the bound.
                    let w = witness.expect("a bound has its table");
                    let at = w.values().into_iter().find(|&(v, _)| v == c.var).unwrap().1;
                    prop_assert_eq!(at, b);
                    // The rows through the component hold only its cells.
                    let mut values = vec![0; system.vars.len()];
                    let mut in_table = vec![false; system.vars.len()];
                    for (v, x) in w.values() {
                        values[v] = x;
                        in_table[v] = true;
                    }
                    for row in &system.rows {
                        if row.terms.iter().any(|&(v, _)| in_table[v]) {
                            prop_assert!(row.holds(&values), "cell {}: a line fails", i);
                        }
                    }
                    for (v, var) in system.vars.iter().enumerate() {
                        prop_assert!(!in_table[v] || var.domain.contains(values[v]));
                    }
                    if let Some(d) = derivation {
                        prop_assert_eq!(d.check(&system).map(|k| k.bound), Ok(b));
                    }
                }
                None => {
                    let r = ray.as_ref().expect("a missing bound has its ray");
                    prop_assert_eq!(r.side, side);
                    prop_assert_eq!(r.check(&system), Ok(()));
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn negative_values_match_brute_force(case in case()) {
        check(&case)?;
    }

    #[test]
    fn cells_with_no_lower_limit_match_brute_force(case in case_hiding(2, 2)) {
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
            lo: Some(-5),
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
        .all(|c| (c.bounds.lower, c.bounds.upper) == (Some(-2), Some(-2))));
    // With the hidden part at least 0, it is bad input, named.
    for k in [2, 6] {
        model.tables[0].cells[k].entry = Entry::Range {
            lo: Some(0),
            hi: Some(5),
        };
    }
    let err = cellbound::core::LinearSystem::build(&model, Rule::open()).unwrap_err();
    assert!(
        err.message.contains("more than the published total 10"),
        "{err}"
    );
}
