//! Rounded publications (`Model::rounded`): a random true table is
//! rounded to base 5 (to the nearest multiple, or up or down at random),
//! some cells are hidden, and the bounds of every cell not known exactly
//! are checked against every integer table the rounded publication
//! allows, enumerated here with nothing of cellbound's but the model: the
//! truth lies within the bounds, and each bound is reached. Half the cases
//! carry an extra constraint, solved by the LP path rather than the flow.

use cellbound::core::model::{Entry, Model, Rounding, RoundingMode};
use cellbound::core::{Constraint, Op, Rule, Term};
use cellbound::solver::{bounds, Options, Outcome};
use proptest::prelude::*;

const BASE: i64 = 5;

/// Whether a published `v` may be the truth `t` rounded, by the
/// definition of each mode (not through `Rounding::interval`): nearest
/// rounds a half up; random rounds to either neighbouring multiple.
fn stands_for(mode: RoundingMode, v: i64, t: i64) -> bool {
    match mode {
        RoundingMode::Nearest => (t + BASE / 2).div_euclid(BASE) * BASE == v,
        RoundingMode::Random => {
            let down = t.div_euclid(BASE) * BASE;
            v == down || (t != down && v == down + BASE)
        }
    }
}

/// A rows x cols interior with its margins, rounded, some cells hidden.
#[derive(Debug)]
struct Case {
    rows: usize,
    cols: usize,
    /// The true interior, row-major.
    truth: Vec<i64>,
    /// Per cell of the grid with margins (row-major, margins last): the
    /// published rounded value, `None` when hidden.
    shown: Vec<Option<i64>>,
    mode: RoundingMode,
    rule: Rule,
    /// An extra constraint `2 * [0,0] - [0,1] <= rhs`, which takes the
    /// component off the flow path to the LP path.
    linked: Option<i64>,
}

impl Case {
    fn full(&self) -> Vec<i64> {
        full_grid(self.rows, self.cols, &self.truth)
    }

    fn model(&self) -> Model {
        let w = self.cols + 1;
        let lines: Vec<Vec<Option<i64>>> = (0..=self.rows)
            .map(|r| self.shown[r * w..(r + 1) * w].to_vec())
            .collect();
        let refs: Vec<&[Option<i64>]> = lines.iter().map(Vec::as_slice).collect();
        let mut model = Model::grid_with_margins("t", &refs).unwrap();
        if let Some(rhs) = self.linked {
            model.constraints.push(Constraint {
                terms: vec![
                    Term {
                        table: 0,
                        at: vec![0, 0],
                        coef: 2,
                    },
                    Term {
                        table: 0,
                        at: vec![0, 1],
                        coef: -1,
                    },
                ],
                op: Op::Le,
                rhs,
                origin: "constraints[0]".into(),
            });
        }
        model
            .rounded(
                Rounding {
                    base: BASE,
                    mode: self.mode,
                },
                false,
            )
            .unwrap()
    }

    /// Whether a full grid (margins included) agrees with the publication
    /// and the rule: each published cell rounds to what is shown, each
    /// hidden interior cell is within the threshold unless open.
    fn admits(&self, full: &[i64]) -> bool {
        let w = self.cols + 1;
        if self.linked.is_some_and(|rhs| 2 * full[0] - full[1] > rhs) {
            return false;
        }
        full.iter().enumerate().all(|(k, &t)| {
            let interior = k / w < self.rows && k % w < self.cols;
            t >= 0
                && match self.shown[k] {
                    Some(v) => stands_for(self.mode, v, t),
                    None => self.rule.open || !interior || t < self.rule.threshold,
                }
        })
    }
}

fn full_grid(rows: usize, cols: usize, interior: &[i64]) -> Vec<i64> {
    let w = cols + 1;
    let mut full = vec![0; (rows + 1) * w];
    for r in 0..rows {
        for c in 0..cols {
            let v = interior[r * cols + c];
            full[r * w + c] = v;
            full[r * w + cols] += v;
            full[rows * w + c] += v;
            full[rows * w + cols] += v;
        }
    }
    full
}

/// Every integer table the publication allows. Each interior cell is
/// enumerated from 0 to a cap no admitted table passes: a published `v`
/// stands for at most `v + 4`; a hidden cell is under the threshold, or
/// (open) at most its row margin, which `case` always publishes.
fn completions(case: &Case) -> Vec<Vec<i64>> {
    let n = case.rows * case.cols;
    let w = case.cols + 1;
    let cap: Vec<i64> = (0..n)
        .map(|i| {
            let (r, c) = (i / case.cols, i % case.cols);
            match case.shown[r * w + c] {
                Some(v) => v + BASE - 1,
                None if !case.rule.open => case.rule.threshold - 1,
                None => case.shown[r * w + case.cols].expect("margins are published") + BASE - 1,
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut x = vec![0i64; n];
    loop {
        let full = full_grid(case.rows, case.cols, &x);
        if case.admits(&full) {
            out.push(full);
        }
        let mut i = 0;
        loop {
            if i == n {
                return out;
            }
            x[i] += 1;
            if x[i] <= cap[i] {
                break;
            }
            x[i] = 0;
            i += 1;
        }
    }
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just((1usize, 2usize)), Just((1, 3)), Just((2, 2))],
        any::<bool>(),
        any::<bool>(),
        proptest::collection::vec((0i64..=9, any::<bool>(), 0u8..4), 9),
        0i64..=3,
    )
        .prop_map(|((rows, cols), random, open, draws, slack)| {
            let mode = if random {
                RoundingMode::Random
            } else {
                RoundingMode::Nearest
            };
            let truth: Vec<i64> = draws.iter().take(rows * cols).map(|d| d.0).collect();
            let full = full_grid(rows, cols, &truth);
            let w = cols + 1;
            let shown = full
                .iter()
                .enumerate()
                .map(|(k, &t)| {
                    let (_, up, hide) = draws[k % draws.len()];
                    let interior = k / w < rows && k % w < cols;
                    // Hide about a quarter of the interior cells, never a
                    // margin, so that every interior cell stays bounded.
                    if interior && hide == 0 {
                        return None;
                    }
                    let down = t.div_euclid(BASE) * BASE;
                    Some(match mode {
                        RoundingMode::Nearest => (t + BASE / 2).div_euclid(BASE) * BASE,
                        RoundingMode::Random if t == down || !up => down,
                        RoundingMode::Random => down + BASE,
                    })
                })
                .collect();
            let rule = Rule {
                threshold: 10,
                open,
                zeros_shown: false,
                negative: false,
            };
            // Half the cases: linked by a constraint the truth satisfies.
            let linked = (slack < 2).then(|| 2 * truth[0] - truth[1] + slack);
            Case {
                rows,
                cols,
                truth,
                shown,
                mode,
                rule,
                linked,
            }
        })
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let model = case.model();
    let all = completions(case);
    let truth = case.full();
    prop_assert!(case.admits(&truth), "the generator's truth is admitted");
    let Outcome::Feasible(report) = bounds(&model, case.rule, &Options::default()).unwrap() else {
        return Err(TestCaseError::fail("a table with its truth is feasible"));
    };
    let w = case.cols + 1;
    // Every cell not published exactly is reported, in grid order.
    prop_assert_eq!(report.cells.len(), model.tables[0].cells.len());
    for c in &report.cells {
        let k = c.cell.cell;
        let cell = &model.tables[0].cells[k];
        prop_assert_eq!(cell.at.clone(), vec![k / w, k % w]);
        let lo = all.iter().map(|f| f[k]).min().unwrap();
        let hi = all.iter().map(|f| f[k]).max().unwrap();
        prop_assert!(c.tight);
        prop_assert!(
            c.bounds.contains(truth[k]) && c.bounds.upper.is_some(),
            "truth {} of cell {} outside {:?}",
            truth[k],
            k,
            c.bounds
        );
        prop_assert_eq!(
            (c.bounds.lower, c.bounds.upper),
            (Some(lo), Some(hi)),
            "cell {}",
            k
        );
        if let Entry::Rounded { published, .. } = cell.entry {
            prop_assert_eq!(Some(published), case.shown[k]);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn rounded_bounds_match_brute_force(case in case()) {
        check(&case)?;
    }
}

#[test]
fn nearest_and_random_intervals() {
    let nearest = Rounding {
        base: 5,
        mode: RoundingMode::Nearest,
    };
    let random = Rounding {
        base: 5,
        mode: RoundingMode::Random,
    };
    for v in (0..=50).step_by(5) {
        for (rounding, mode) in [
            (nearest, RoundingMode::Nearest),
            (random, RoundingMode::Random),
        ] {
            let (lo, hi) = rounding.interval(v, false).unwrap();
            let expected: Vec<i64> = (0..=60).filter(|&t| stands_for(mode, v, t)).collect();
            assert_eq!(
                (lo, hi),
                (expected[0], *expected.last().unwrap()),
                "{mode:?} {v}"
            );
            assert_eq!(expected.len() as i64, hi - lo + 1, "{mode:?} {v}: no gap");
        }
    }
    // Base 10, nearest: a half rounds up, so 15 is published 20.
    let ten = Rounding {
        base: 10,
        mode: RoundingMode::Nearest,
    };
    assert_eq!(ten.interval(20, false), Some((15, 24)));
    assert_eq!(ten.interval(-20, true), Some((-25, -16)));
    assert_eq!(ten.interval(25, false), None);
}

#[test]
fn a_rounded_cell_pinned_by_its_lines_is_exact() {
    use cellbound::solver::Status;
    // Randomly rounded to base 5: four parts published 0 (each 0..4) under
    // a total published 20 (16..24). Only 4 + 4 + 4 + 4 = 16 fits: every
    // cell is pinned, far tighter than its +/-4.
    let line = [Some(0), Some(0), Some(0), Some(0), Some(20)];
    let model = Model::grid_with_margins("t", &[&line, &line])
        .unwrap()
        .rounded(
            Rounding {
                base: 5,
                mode: RoundingMode::Random,
            },
            false,
        )
        .unwrap();
    let Outcome::Feasible(report) = bounds(&model, Rule::open(), &Options::default()).unwrap()
    else {
        panic!("feasible")
    };
    assert_eq!(report.cells.len(), 10);
    for c in &report.cells {
        let expected = if c.cell.cell % 5 == 4 { 16 } else { 4 };
        assert_eq!(
            (c.bounds.lower, c.bounds.upper),
            (Some(expected), Some(expected))
        );
        assert_eq!(c.status(), Status::Exact);
    }
}

#[test]
fn a_value_off_the_base_is_named() {
    let model = Model::grid_with_margins(
        "t",
        &[&[Some(5), Some(7), Some(12)], &[Some(5), Some(7), Some(12)]],
    )
    .unwrap();
    let err = model
        .rounded(
            Rounding {
                base: 5,
                mode: RoundingMode::Nearest,
            },
            false,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "t.csv: line 2, column 3: the published value 7 is not a multiple of the rounding base 5; check --rounded"
    );
}
