//! The fuzz target `extreme_numbers`'s inputs as fixed regression tests:
//! extra constraints with extreme coefficients (`i64::MIN`, `i64::MAX`,
//! repeated terms of one cell, `2^62` twice) checked against brute force,
//! and audit protections with extreme values, which must not panic nor
//! wrap.

use cellbound::core::io::{read_bytes, Format, GridOptions};
use cellbound::core::Rule;
use cellbound::solver::{audit, CellPolicy, Protection};
use cellbound::solver::{Options, Outcome};

const CELLS: [&str; 3] = ["p", "q", "r"];

/// `T = total` over hidden `p`, `q`, `r` (each `0..threshold-1`) and one
/// constraint; every bound the solver reports tight must be brute force's,
/// an infeasible answer must be brute force finding no table. Returns
/// whether the model was accepted (a coefficient out of range is an
/// input error).
fn check(total: i64, threshold: i64, terms: &[(usize, i64)], op: &str, rhs: i64) -> bool {
    let json = format!(
        r#"{{"name":"t","dimensions":[{{"name":"d","tree":{{"T":["p","q","r"]}}}}],
 "cells":[{{"at":["T"],"value":{total}}},{{"at":["p"],"hidden":true}},{{"at":["q"],"hidden":true}},{{"at":["r"],"hidden":true}}],
 "constraints":[{{"terms":[{}],"op":"{op}","rhs":{rhs}}}]}}"#,
        terms
            .iter()
            .map(|(c, k)| format!(r#"{{"at":["{}"],"coef":{k}}}"#, CELLS[*c]))
            .collect::<Vec<_>>()
            .join(",")
    );
    let model = read_bytes(
        json.as_bytes(),
        Format::JsonModel,
        "m.json",
        "m",
        &GridOptions::default(),
    )
    .expect("the model reads");
    let rule = Rule {
        threshold,
        zeros_shown: false,
        open: false,
        negative: false,
    };
    let outcome = match cellbound::solver::bounds(&model, rule, &Options::default()) {
        Ok(o) => o,
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains("constraints[0]"), "{json}: {text}");
            return false;
        }
    };
    let holds = |v: [i64; 3]| {
        let lhs: i128 = terms
            .iter()
            .map(|&(c, k)| i128::from(k) * i128::from(v[c]))
            .sum();
        let rhs = i128::from(rhs);
        match op {
            "=" => lhs == rhs,
            "<=" => lhs <= rhs,
            _ => lhs >= rhs,
        }
    };
    let mut range: [Option<(i64, i64)>; 3] = [None; 3];
    for p in 0..threshold {
        for q in 0..threshold {
            let r = total - p - q;
            if !(0..threshold).contains(&r) || !holds([p, q, r]) {
                continue;
            }
            for (slot, v) in range.iter_mut().zip([p, q, r]) {
                *slot = Some(slot.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
            }
        }
    }
    match outcome {
        Outcome::Infeasible(_) => {
            assert!(range[0].is_none(), "{json}: infeasible, yet {range:?} fits")
        }
        Outcome::Feasible(report) => {
            assert!(range[0].is_some(), "{json}: feasible, yet no table fits");
            for c in &report.cells {
                let i = model.tables[0].cells[c.cell.cell].at[0];
                let code = model.tables[0].dimensions[0].code(i);
                let k = CELLS.iter().position(|n| *n == code).unwrap();
                let (lo, hi) = range[k].unwrap();
                assert!(c.tight, "{json}: {code} not proved");
                assert_eq!(
                    (c.bounds.lower, c.bounds.upper),
                    (Some(lo), Some(hi)),
                    "{json}: {code}"
                );
            }
        }
    }
    true
}

const MAX: i64 = i64::MAX;
const MIN: i64 = i64::MIN;
const P62: i64 = 1 << 62;

#[test]
fn opposite_maximal_coefficients() {
    assert!(check(4, 4, &[(0, MAX), (1, -MAX)], "=", 0));
    assert!(check(6, 5, &[(0, MAX), (1, -MAX)], "<=", 0));
    assert!(check(6, 5, &[(0, MAX), (1, -MAX)], ">=", MAX));
}

#[test]
fn the_minimal_coefficient() {
    // -2^63 alone: divided by itself, p = 0 (or out of range: an error).
    check(4, 4, &[(0, MIN)], "=", 0);
    check(4, 4, &[(0, MIN), (1, MIN)], ">=", MIN);
    check(5, 4, &[(0, MIN), (2, 1)], "<=", MAX);
}

#[test]
fn repeated_terms_of_one_cell() {
    // 2^62 twice is 2^63, past i64: added exactly, then divided.
    assert!(check(4, 4, &[(0, P62), (0, P62)], "=", 0));
    assert!(check(
        6,
        5,
        &[(0, P62), (0, P62), (1, -P62), (1, -P62)],
        "=",
        0
    ));
    // Terms that cancel: p - p + q <= 1.
    assert!(check(5, 4, &[(0, MAX), (0, -MAX), (1, 1)], "<=", 1));
    assert!(check(5, 4, &[(0, MIN), (0, MAX), (0, 1), (1, 1)], "<=", 1));
}

#[test]
fn two_maximal_coefficients_under_a_small_rhs() {
    // MAX p + MAX q <= 100: p = q = 0, r = total, which the threshold forbids.
    assert!(check(4, 4, &[(0, MAX), (1, MAX)], "<=", 100));
    assert!(check(3, 4, &[(0, MAX), (1, MAX)], "<=", 100));
}

#[test]
fn extreme_right_hand_sides() {
    for rhs in [MIN, MIN + 1, MAX, -P62, P62] {
        for op in ["=", "<=", ">="] {
            check(5, 4, &[(0, 3), (1, -2)], op, rhs);
            check(5, 4, &[(0, MAX), (2, MIN)], op, rhs);
        }
    }
}

/// A 2x2 grid, every interior cell hidden, with the truth `v`.
fn audit_grid(v: [i64; 4], protection: &Protection, policy: Option<(i64, i64)>) {
    let text = format!(
        "R,A,B,Total\nr1,x,x,{}\nr2,x,x,{}\nTotal,{},{},{}\n",
        v[0] + v[1],
        v[2] + v[3],
        v[0] + v[2],
        v[1] + v[3],
        v.iter().sum::<i64>()
    );
    let model = read_bytes(
        text.as_bytes(),
        Format::CsvGrid,
        "g.csv",
        "g",
        &GridOptions::default(),
    )
    .unwrap();
    let mut hidden = v.iter();
    let truth: Vec<i64> = model.tables[0]
        .cells
        .iter()
        .map(|c| {
            c.entry
                .published()
                .unwrap_or_else(|| *hidden.next().unwrap())
        })
        .collect();
    let policies = policy.map(|(lower, upper)| {
        vec![model.tables[0]
            .cells
            .iter()
            .map(|_| CellPolicy {
                sensitive: true,
                lower_protection: lower,
                upper_protection: upper,
            })
            .collect::<Vec<_>>()]
    });
    let report = audit(
        &model,
        &[truth],
        false,
        protection,
        policies.as_deref(),
        &Options::default(),
    );
    if let Ok(report) = report {
        for c in &report.cells {
            if let Some(u) = c.requirement.upper_at_least {
                assert!(u >= c.value, "the requirement wrapped: {u} < {}", c.value);
            }
            if let Some(l) = c.requirement.lower_at_most {
                assert!(l <= c.value, "the requirement wrapped: {l} > {}", c.value);
            }
        }
    }
}

#[test]
fn audit_protections_with_extreme_values() {
    let big = 2_000_000_000_000_000;
    for pct in [1, 100, 205_000, u32::MAX] {
        let p = Protection {
            upper_protection: Some(pct),
            lower_protection: Some(pct),
            protect_all: true,
            ..Protection::default()
        };
        audit_grid([big, big, big, big], &p, None);
        audit_grid([1, 2, 3, 4], &p, None);
    }
    for (lower, upper) in [(MAX, MAX), (MIN, MIN), (0, MAX), (MAX, 0), (P62, P62)] {
        audit_grid([1, 2, 3, 4], &Protection::default(), Some((lower, upper)));
        audit_grid(
            [big, 1, 1, big],
            &Protection::default(),
            Some((lower, upper)),
        );
    }
    for threshold in [MIN, MAX, 0] {
        let p = Protection {
            threshold,
            min_width: Some(MAX),
            ..Protection::default()
        };
        audit_grid([1, 2, 3, 4], &p, None);
        let p = Protection {
            threshold,
            min_width: Some(MIN),
            ..Protection::default()
        };
        audit_grid([1, 2, 3, 4], &p, None);
    }
}
