//! Property tests: the solver against an independent brute force, on small
//! random tables of every shape the spec allows.
//!
//! For each case (a true table, a suppression pattern, a rule, sometimes
//! explicit ranges and extra constraints):
//!
//! 1. when the truth fits the rule, the solver says feasible and every
//!    hidden cell's true value lies within its bounds;
//! 2. every bound has a witness table that satisfies every line, every
//!    constraint and every domain (checked here, not by cellbound), in
//!    which the cell takes exactly the bound; `upper` is `None` exactly
//!    when brute force finds no upper limit;
//! 3. the bounds equal the brute-force min and max, cell for cell, and the
//!    status is `exact` iff `lower == upper`;
//! 4. the solver says infeasible iff brute force finds no completion, and
//!    then names at least one line.

use crate::support;

use std::collections::HashMap;

use cellbound::core::Count;
use cellbound::solver::{bounds, Options, Outcome, Report, Status, Witness};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use support::{brute_force, check_values, hidden_list, model_json, name_cell, Brute, Case};

/// The case and both answers, for a failure message.
fn context(case: &Case, brute: &Brute, tool: &str) -> String {
    let hidden = hidden_list(&case.model);
    let truth: Vec<String> = hidden
        .iter()
        .zip(&case.truth)
        .map(|(&(t, c), v)| format!("{} = {v}", name_cell(&case.model, t, c)))
        .collect();
    let brute_cells: Vec<String> = if brute.feasible {
        hidden
            .iter()
            .zip(&brute.bounds)
            .map(|(&(t, c), (lo, hi))| {
                format!("{}: [{lo:?}, {hi:?}]", name_cell(&case.model, t, c))
            })
            .collect()
    } else {
        vec!["infeasible".into()]
    };
    let mut flags = format!("--threshold {}", case.rule.threshold);
    if case.rule.zeros_shown {
        flags.push_str(" --zeros-shown");
    }
    if case.rule.open {
        flags.push_str(" --open");
    }
    format!(
        "\nshape: {}\nmodel (save as case.json; cellbound bounds case.json {flags}): {}\nrule: {:?}\ntruth (admissible: {}): {}\nbrute force (cap {}): {}\ncellbound: {tool}\n",
        case.shape,
        model_json(&case.model),
        case.rule,
        case.admissible,
        truth.join(", "),
        brute.cap,
        brute_cells.join(", "),
    )
}

fn describe_report(case: &Case, report: &Report) -> String {
    let cells: Vec<String> = report
        .cells
        .iter()
        .map(|c| {
            format!(
                "{}: [{:?}, {:?}] {} (component {})",
                name_cell(&case.model, c.cell.table, c.cell.cell),
                c.bounds.lower,
                c.bounds.upper,
                c.status().as_str(),
                c.component
            )
        })
        .collect();
    cells.join(", ")
}

/// Checks every property on one case.
fn check(case: &Case) -> Result<(), TestCaseError> {
    let model = &case.model;
    let brute = brute_force(model, case.rule);
    // The brute force and the checker against the truth itself.
    if case.admissible {
        prop_assert!(
            brute.feasible,
            "brute force bug: the truth is a completion{}",
            context(case, &brute, "(not run)")
        );
    }
    let outcome = bounds(
        model,
        case.rule,
        &Options {
            keep_witnesses: true,
            ..Options::default()
        },
    );
    let report = match outcome {
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "cellbound failed: {e}{}",
                context(case, &brute, "error")
            )))
        }
        Ok(Outcome::Infeasible(why)) => {
            let tool = format!("infeasible: {}", why.explanation(model));
            // 1 and 4.
            prop_assert!(
                !case.admissible,
                "infeasible, but the truth fits the rule{}",
                context(case, &brute, &tool)
            );
            prop_assert!(
                !brute.feasible,
                "infeasible, but brute force finds completions{}",
                context(case, &brute, &tool)
            );
            prop_assert!(
                !why.conflict.is_empty(),
                "infeasible without a line{}",
                context(case, &brute, &tool)
            );
            return Ok(());
        }
        Ok(Outcome::Feasible(report)) => report,
    };
    let tool = describe_report(case, &report);
    let ctx = || context(case, &brute, &tool);

    // 4.
    prop_assert!(
        brute.feasible,
        "feasible, but brute force finds no completion{}",
        ctx()
    );
    let hidden = hidden_list(model);
    prop_assert_eq!(
        report.cells.len(),
        hidden.len(),
        "one entry per hidden cell{}",
        ctx()
    );

    // The first cell of each component, whose lower witness fills that
    // component in the tables built from other cells' witnesses.
    let mut first_of: HashMap<usize, usize> = HashMap::new();
    for (i, cell) in report.cells.iter().enumerate() {
        first_of.entry(cell.component).or_insert(i);
    }
    let mut component_of_var: HashMap<usize, usize> = HashMap::new();
    for cell in &report.cells {
        component_of_var.insert(cell.var, cell.component);
    }
    let var_index: HashMap<usize, usize> = report
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (c.var, i))
        .collect();

    for (i, cell) in report.cells.iter().enumerate() {
        let name = name_cell(model, cell.cell.table, cell.cell.cell);
        prop_assert_eq!(
            (cell.cell.table, cell.cell.cell),
            hidden[i],
            "entries in input order{}",
            ctx()
        );
        prop_assert!(cell.tight, "{} not proved tight{}", name, ctx());
        let b = cell.bounds;

        // 1.
        if case.admissible {
            prop_assert!(
                b.contains(case.truth[i]),
                "{}: the true value {} is outside [{:?}, {:?}]{}",
                name,
                case.truth[i],
                b.lower,
                b.upper,
                ctx()
            );
        }

        // 3.
        let (lo, hi) = brute.bounds[i];
        prop_assert_eq!(
            (b.lower, b.upper),
            (lo, hi),
            "{}: cellbound's bounds differ from brute force{}",
            name,
            ctx()
        );
        let expected = match (b.lower, b.upper) {
            (None, _) | (_, None) => Status::Unbounded,
            (Some(l), Some(u)) if u == l => Status::Exact,
            _ => Status::Bounded,
        };
        prop_assert_eq!(cell.status(), expected, "{}: status{}", name, ctx());

        // 2.
        let Some((lower_w, upper_w)) = cell.witnesses.as_deref() else {
            return Err(TestCaseError::fail(format!(
                "{name}: no witnesses{}",
                ctx()
            )));
        };
        prop_assert_eq!(
            upper_w.is_none(),
            b.upper.is_none(),
            "{}: an upper witness iff an upper bound{}",
            name,
            ctx()
        );
        prop_assert_eq!(
            lower_w.is_none(),
            b.lower.is_none(),
            "{}: a lower witness iff a lower bound{}",
            name,
            ctx()
        );
        let mut sides: Vec<(&str, &Witness, Count)> = Vec::new();
        if let (Some(w), Some(l)) = (lower_w, b.lower) {
            sides.push(("lower", w, l));
        }
        if let (Some(w), Some(u)) = (upper_w, b.upper) {
            sides.push(("upper", w, u));
        }
        for (side, w, bound) in sides {
            let mut values: Vec<Option<Count>> = vec![None; hidden.len()];
            for (v, x) in w.values() {
                let Some(&j) = var_index.get(&v) else {
                    return Err(TestCaseError::fail(format!(
                        "{name}: {side} witness names unknown variable {v}{}",
                        ctx()
                    )));
                };
                prop_assert_eq!(
                    component_of_var.get(&v),
                    Some(&cell.component),
                    "{}: {} witness covers a cell of another component{}",
                    name,
                    side,
                    ctx()
                );
                values[j] = Some(x);
            }
            prop_assert_eq!(
                values[i],
                Some(bound),
                "{}: the {} witness does not reach the bound{}",
                name,
                side,
                ctx()
            );
            let mut full = Vec::with_capacity(hidden.len());
            for (j, v) in values.iter().enumerate() {
                let x = match v {
                    Some(x) => *x,
                    None => {
                        let other = &report.cells[j];
                        prop_assert!(
                            other.component != cell.component,
                            "{}: the {} witness misses {} of its own component{}",
                            name,
                            side,
                            name_cell(model, other.cell.table, other.cell.cell),
                            ctx()
                        );
                        let filler = &report.cells[first_of[&other.component]];
                        let fill = filler
                            .witnesses
                            .as_deref()
                            .and_then(|(lw, hw)| lw.as_ref().or(hw.as_ref()))
                            .and_then(|w| w.values().into_iter().find(|(v, _)| *v == other.var))
                            .map(|(_, x)| x);
                        let Some(x) = fill else {
                            return Err(TestCaseError::fail(format!(
                                "{}: no witness of its component covers it{}",
                                name_cell(model, other.cell.table, other.cell.cell),
                                ctx()
                            )));
                        };
                        x
                    }
                };
                full.push(x);
            }
            if let Err(why) = check_values(model, case.rule, &full) {
                return Err(TestCaseError::fail(format!(
                    "{name}: the {side} witness table {full:?} is not a completion: {why}{}",
                    ctx()
                )));
            }
        }
    }
    Ok(())
}

/// `cases` per shape, or `PROPTEST_CASES` when set (for a longer hunt).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        // Keep the work tree clean: failing inputs are printed instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn grid_both_margins(d in support::draw(7)) {
        check(&support::grid_both_margins(&d))?;
    }

    #[test]
    fn grid_one_margin(d in support::draw(7)) {
        check(&support::grid_one_margin(&d))?;
    }

    #[test]
    fn grid_no_margins(d in support::draw(6)) {
        check(&support::grid_no_margins(&d))?;
    }

    #[test]
    fn hidden_margins(d in support::draw(7)) {
        check(&support::hidden_margins(&d))?;
    }

    #[test]
    fn hierarchy(d in support::draw(7)) {
        check(&support::hierarchy(&d))?;
    }

    #[test]
    fn cube(d in support::draw(7)) {
        check(&support::cube(&d))?;
    }

    #[test]
    fn linked_tables(d in support::draw(7)) {
        check(&support::linked(&d))?;
    }

    #[test]
    fn absent_zero(d in support::draw(7)) {
        check(&support::absent_zero(&d))?;
    }
}

/// What the generators produce, shape by shape (run with
/// `cargo test -p cellbound -- --ignored --nocapture coverage`): how many
/// cases are admissible, feasible, and how the hidden cells come out.
#[test]
#[ignore]
fn coverage() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    type Shape = fn(&support::Draw) -> Case;
    let shapes: [(&str, Shape); 8] = [
        ("grid_both_margins", support::grid_both_margins),
        ("grid_one_margin", support::grid_one_margin),
        ("grid_no_margins", support::grid_no_margins),
        ("hidden_margins", support::hidden_margins),
        ("hierarchy", support::hierarchy),
        ("cube", support::cube),
        ("linked_tables", support::linked),
        ("absent_zero", support::absent_zero),
    ];
    for (name, shape) in shapes {
        let mut runner = TestRunner::deterministic();
        let strategy = support::draw(7);
        let (mut admissible, mut feasible, mut hidden, mut max_hidden) = (0, 0, 0, 0);
        let (mut exact, mut bounded, mut unbounded, mut ranges, mut zeros_shown, mut open) =
            (0, 0, 0, 0, 0, 0);
        let n = 500;
        let start = std::time::Instant::now();
        for _ in 0..n {
            let d = strategy.new_tree(&mut runner).unwrap().current();
            let case = shape(&d);
            let brute = brute_force(&case.model, case.rule);
            admissible += case.admissible as usize;
            feasible += brute.feasible as usize;
            zeros_shown += case.rule.zeros_shown as usize;
            open += case.rule.open as usize;
            hidden += case.truth.len();
            max_hidden = max_hidden.max(case.truth.len());
            ranges += case
                .model
                .hidden_cells()
                .filter(|&r| {
                    matches!(
                        case.model.cell(r).entry,
                        cellbound::core::Entry::Range { .. }
                    )
                })
                .count();
            for (lo, hi) in &brute.bounds {
                match (lo, hi) {
                    (None, _) | (_, None) => unbounded += 1,
                    (Some(l), Some(h)) if h == l => exact += 1,
                    _ => bounded += 1,
                }
            }
        }
        println!(
            "{name}: {n} cases in {:?}; admissible {admissible}, feasible {feasible}, \
             zeros_shown {zeros_shown}, open {open}; hidden {hidden} (max {max_hidden}, \
             ranges {ranges}): exact {exact}, bounded {bounded}, unbounded {unbounded}",
            start.elapsed()
        );
    }
}

// ---------------------------------------------------------------------------
// The brute force itself, on tables worked out by hand.

/// The seed's table 1 (La Mitis, Les Basques and their region).
fn table1() -> cellbound::core::Model {
    support::grid(&[
        &[None, Some(9), None, Some(20)],
        &[None, Some(15), None, Some(25)],
        &[Some(13), Some(24), Some(8), Some(45)],
    ])
}

#[test]
fn brute_force_on_table1() {
    use cellbound::core::Rule;
    let open = Rule::open();
    let b = brute_force(&table1(), open);
    assert!(b.feasible);
    assert_eq!(
        b.bounds,
        vec![
            (Some(3), Some(11)),
            (Some(0), Some(8)),
            (Some(2), Some(10)),
            (Some(0), Some(8))
        ]
    );
    let b = brute_force(
        &table1(),
        Rule {
            zeros_shown: true,
            ..open
        },
    );
    assert_eq!(
        b.bounds,
        vec![
            (Some(4), Some(10)),
            (Some(1), Some(7)),
            (Some(3), Some(9)),
            (Some(1), Some(7))
        ]
    );
    // 11 from two cells of at most 4 each.
    assert!(!brute_force(&table1(), Rule::default()).feasible);
    // The checker: 6 + 5 = 11, 7 + 3 = 10, 6 + 7 = 13, 5 + 3 = 8.
    assert!(check_values(&table1(), open, &[6, 5, 7, 3]).is_ok());
    assert!(check_values(&table1(), open, &[6, 5, 7, 4]).is_err());
    assert!(check_values(&table1(), Rule::default(), &[6, 5, 7, 3]).is_err());
}

#[test]
fn brute_force_unbounded_and_integer_infeasible() {
    use cellbound::core::{Constraint, Entry, Op, Rule, Term};
    let open = Rule::open();
    // One row, its total row, every cell hidden: nothing bounds anything.
    let mut m = support::grid(&[&[None, None, None], &[None, None, None]]);
    for c in &mut m.tables[0].cells {
        c.entry = Entry::Hidden;
    }
    let b = brute_force(&m, open);
    assert_eq!(b.bounds, vec![(Some(0), None); 6]);
    // Under the default rule the interior cells are at most 4, the margins
    // (never assumed small) at most what their lines allow.
    let b = brute_force(&m, Rule::default());
    let (small, sum) = ((Some(0), Some(4)), (Some(0), Some(8)));
    assert_eq!(b.bounds, vec![small, small, sum, small, small, sum]);
    // x + y = 3 and 2x - 2y = 1: the LP is feasible, integers are not.
    let mut m = support::grid(&[&[None, None, Some(3)], &[None, None, Some(3)]]);
    m.tables[0].cells[5].entry = Entry::Published(3);
    let term = |at: Vec<usize>, coef| Term { table: 0, at, coef };
    m.constraints.push(Constraint {
        terms: vec![term(vec![0, 0], 2), term(vec![0, 1], -2)],
        op: Op::Eq,
        rhs: 1,
        origin: "constraints[0]".into(),
    });
    assert!(!brute_force(&m, open).feasible);
    m.constraints[0].rhs = -2;
    let b = brute_force(&m, open);
    let (x, y) = ((Some(1), Some(1)), (Some(2), Some(2)));
    assert_eq!(b.bounds, vec![x, y, x, y]);
}

// ---------------------------------------------------------------------------
// Known limitation.

/// Two cells with nothing above them but `x - y = 0` and `x + y >= 3`,
/// under `--open`: the LP minimum of `x` is 3/2, so the integer search
/// must run, and it refuses cells with no upper bound
/// (`SolveError::TooLarge`). The tight answer is `x` and `y` in 2.. (the
/// property tests met it first as a constraint `-2 T - 2 b - 2 d <= -5`
/// over an `invitations` row `T = b` with `d` in 0..0).
#[test]
fn fractional_lp_with_unbounded_cells() {
    use cellbound::core::{Absent, Cell, Constraint, Entry, Layout, Model, Op, Rule, Table, Term};
    let dim = support::level("d", "x", 2, false);
    let cells = (0..2)
        .map(|i| Cell {
            at: vec![i],
            entry: Entry::Hidden,
            origin: format!("cells[{i}]"),
            line: None,
        })
        .collect();
    let term = |i: usize, coef: i64| Term {
        table: 0,
        at: vec![i],
        coef,
    };
    let model = Model {
        negative: false,
        tables: vec![Table::new("t", vec![dim], cells, Absent::Error, Layout::Cube).unwrap()],
        constraints: vec![
            Constraint {
                terms: vec![term(0, 1), term(1, -1)],
                op: Op::Eq,
                rhs: 0,
                origin: "constraints[0]".into(),
            },
            Constraint {
                terms: vec![term(0, 1), term(1, 1)],
                op: Op::Ge,
                rhs: 3,
                origin: "constraints[1]".into(),
            },
        ],
        source: "t.json".into(),
        decimals: 0,
    };
    let open = Rule::open();
    let brute = brute_force(&model, open);
    assert_eq!(brute.bounds, vec![(Some(2), None), (Some(2), None)]);
    // check() tolerates the limitation; this test does not.
    match bounds(&model, open, &Options::default()) {
        Ok(Outcome::Feasible(report)) => {
            let got: Vec<_> = report
                .cells
                .iter()
                .map(|c| (c.bounds.lower, c.bounds.upper))
                .collect();
            assert_eq!(got, brute.bounds);
        }
        other => panic!("expected x, y in 2.., got {other:?}"),
    }
    let case = Case {
        shape: "hand-made",
        truth: vec![2, 2],
        admissible: true,
        model,
        rule: open,
    };
    check(&case).unwrap();
}
