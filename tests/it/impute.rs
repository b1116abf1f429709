//! Imputation against an independent check, on the small random tables of
//! the property tests: every imputed table satisfies every line, limit and
//! constraint (checked here, not by cellbound), each value lies within the
//! cell's bounds (a disclosed cell gets its value), the same input gives
//! the same table, and each exact mean equals the mean over every
//! completion enumerated by brute force.

use crate::support;

use cellbound::core::{Count, LinearSystem};
use cellbound::solver::{
    impute, solve, Imputation, ImputeOptions, Method, Options, Outcome, Report, Source, Status,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use support::{check_values, Case};

/// Completions enumerated at most for the means check.
const ENUMERATION_LIMIT: u128 = 200_000;

fn run(system: &LinearSystem, report: &Report, method: Method, means: bool) -> Imputation {
    impute(
        system,
        report,
        &ImputeOptions {
            method,
            means,
            ..ImputeOptions::default()
        },
    )
    .expect("impute does not fail on a solved table")
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let Ok(system) = LinearSystem::build(&case.model, case.rule) else {
        return Ok(());
    };
    let Outcome::Feasible(report) = solve(&system, &Options::default()).expect("solves") else {
        return Ok(());
    };
    for method in [Method::Fit, Method::Midpoint] {
        let filled = run(&system, &report, method, true);
        prop_assert!(
            filled.unfilled.is_empty(),
            "{}: a component left unfilled",
            case.shape
        );
        let values = filled.values().expect("every cell filled");
        if let Err(e) = check_values(&case.model, case.rule, &values) {
            return Err(TestCaseError::fail(format!(
                "{}: the imputed table {values:?} breaks the model: {e}",
                case.shape
            )));
        }
        for (cell, e) in report.cells.iter().zip(&filled.estimates) {
            let e = e.expect("filled");
            prop_assert!(
                cell.bounds.contains(e.value),
                "{}: {} outside {:?}",
                case.shape,
                e.value,
                cell.bounds
            );
            if cell.bounds.status() == Status::Exact {
                prop_assert_eq!(e.source, Source::Disclosed);
            }
        }
        prop_assert_eq!(
            &run(&system, &report, method, true).estimates,
            &filled.estimates,
            "same input, same table"
        );
        check_means(case, &report, &filled)?;
    }
    Ok(())
}

/// Each mean against the mean over every completion of the whole table
/// (components are independent, so the ratio is the same).
fn check_means(case: &Case, report: &Report, filled: &Imputation) -> Result<(), TestCaseError> {
    if filled.estimates.iter().all(|e| e.unwrap().mean.is_none()) {
        return Ok(());
    }
    let boxes: Option<Vec<(Count, Count)>> = report
        .cells
        .iter()
        .map(|c| c.bounds.upper.zip(c.bounds.lower).map(|(u, l)| (l, u)))
        .collect();
    let Some(boxes) = boxes else { return Ok(()) };
    let size: u128 = boxes.iter().map(|&(l, u)| (u - l + 1) as u128).product();
    if size > ENUMERATION_LIMIT {
        return Ok(());
    }
    let n = boxes.len();
    let mut x: Vec<Count> = boxes.iter().map(|b| b.0).collect();
    let (mut count, mut sums) = (0u128, vec![0i128; n]);
    'outer: loop {
        if check_values(&case.model, case.rule, &x).is_ok() {
            count += 1;
            for (s, &v) in sums.iter_mut().zip(&x) {
                *s += v as i128;
            }
        }
        for i in 0..n {
            if x[i] < boxes[i].1 {
                x[i] += 1;
                continue 'outer;
            }
            x[i] = boxes[i].0;
        }
        break;
    }
    for (i, e) in filled.estimates.iter().enumerate() {
        if let Some(m) = e.unwrap().mean {
            prop_assert!(
                m.sum * count as i128 == sums[i] * m.tables as i128,
                "{}: cell {i}: mean {}/{} but brute force {}/{}",
                case.shape,
                m.sum,
                m.tables,
                sums[i],
                count
            );
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn impute_grid_both_margins(d in support::draw(7)) {
        check(&support::grid_both_margins(&d))?;
    }

    #[test]
    fn impute_grid_no_margins(d in support::draw(6)) {
        check(&support::grid_no_margins(&d))?;
    }

    #[test]
    fn impute_hidden_margins(d in support::draw(7)) {
        check(&support::hidden_margins(&d))?;
    }

    #[test]
    fn impute_hierarchy(d in support::draw(7)) {
        check(&support::hierarchy(&d))?;
    }

    #[test]
    fn impute_cube(d in support::draw(7)) {
        check(&support::cube(&d))?;
    }

    #[test]
    fn impute_linked_tables(d in support::draw(7)) {
        check(&support::linked(&d))?;
    }
}

/// The seed table: every line adds up, and the fit differs from the
/// midpoint method only where the intervals allow it.
#[test]
fn the_seed_table_is_filled_and_adds_up() {
    let model = cellbound::core::io::read_path(
        std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/table1-declarations.csv"
        )),
        &Default::default(),
    )
    .expect("reads");
    let system = LinearSystem::build(&model, cellbound::core::Rule::open()).expect("builds");
    let Outcome::Feasible(report) = solve(&system, &Options::default()).expect("solves") else {
        panic!("feasible")
    };
    for method in [Method::Fit, Method::Midpoint] {
        let values = run(&system, &report, method, false)
            .values()
            .expect("filled");
        assert!(system.rows.iter().all(|r| r.holds(&values)));
        assert!(report
            .cells
            .iter()
            .zip(&values)
            .all(|(c, &v)| c.bounds.contains(v)));
    }
}
