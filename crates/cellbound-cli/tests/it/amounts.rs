//! Amounts (a model with `"decimals"`) and rounded publications
//! (`--rounded`) through the binary: values read exactly and written in
//! the file's units, statuses and published values of rounded cells, and
//! `verify` reading both back.

use serde_json::Value;

use crate::common::{run, write};

/// A 2x3 table of amounts in hundredths, and the same table in integer
/// hundredths with no decimals.
const AMOUNTS: &str = r#"{"decimals": 2, "name": "pay",
 "dimensions": [{"name": "region", "tree": {"All": ["N", "S"]}}, {"name": "sector", "tree": {"Total": ["a", "b", "c"]}}],
 "cells": [
  {"at": ["N","a"], "value": 12.5}, {"at": ["N","b"], "hidden": true}, {"at": ["N","c"], "hidden": true}, {"at": ["N","Total"], "value": 20.75},
  {"at": ["S","a"], "hidden": true}, {"at": ["S","b"], "value": 1.05}, {"at": ["S","c"], "hidden": true}, {"at": ["S","Total"], "value": 1e1},
  {"at": ["All","a"], "hidden": true}, {"at": ["All","b"], "hidden": true}, {"at": ["All","c"], "hidden": true}, {"at": ["All","Total"], "value": 30.75}]}"#;

fn scaled() -> String {
    AMOUNTS
        .replace(r#""decimals": 2, "#, "")
        .replace("12.5}", "1250}")
        .replace("20.75", "2075")
        .replace("1.05", "105")
        .replace("1e1", "1000")
        .replace("30.75", "3075")
}

/// `show_value` written independently: hundredths as `d.dd`.
fn hundredths(v: i64) -> String {
    format!("{}.{:02}", v / 100, v % 100)
}

#[test]
fn amounts_bound_as_their_integer_units() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", AMOUNTS);
    let b = write(dir.path(), "b.json", &scaled());
    // The threshold is in the file's units: 9 is 900 hundredths.
    for (rule_a, rule_b) in [
        (
            &["--open", "--threshold", "3"][..],
            &["--open", "--threshold", "300"][..],
        ),
        (&["--threshold", "9"][..], &["--threshold", "900"][..]),
    ] {
        let (sa, out_a, err) = run(&[&["bounds", &a, "--format", "json"][..], rule_a].concat());
        assert_eq!(sa, 0, "{err}");
        let (sb, out_b, _) = run(&[&["bounds", &b, "--format", "json"][..], rule_b].concat());
        assert_eq!(sb, 0);
        // The amounts' output is the integer table's, each value written
        // in hundredths with its exact text, plus `"decimals": 2`.
        let expected: String = out_b
            .lines()
            .map(|line| {
                for key in ["\"lower\": ", "\"upper\": ", "\"threshold\": "] {
                    if let Some(at) = line.find(key) {
                        let (head, rest) = line.split_at(at + key.len());
                        let digits = rest.trim_end_matches(',');
                        if let Ok(v) = digits.parse::<i64>() {
                            let comma = if rest.ends_with(',') { "," } else { "" };
                            return format!("{head}{}{comma}\n", hundredths(v));
                        }
                    }
                }
                format!("{line}\n")
            })
            .collect();
        let expected = expected.replacen("  },\n", "  },\n  \"decimals\": 2,\n", 1);
        assert_eq!(out_a, expected);
        let ja: Value = serde_json::from_str(&out_a).unwrap();
        assert_eq!(ja["cells"].as_array().unwrap().len(), 7);
    }
    // CSV and table in the file's units.
    let (_, csv, _) = run(&["bounds", &a, "--open", "--format", "csv"]);
    assert!(csv.contains("pay,N,b,0.00,8.25,bounded\n"), "{csv}");
    let (_, table, _) = run(&["bounds", &a, "--open", "--format", "table"]);
    assert!(table.contains("12.50..21.45"), "{table}");
    // explain: bounds and tables in the file's units.
    let (s, text, err) = run(&[
        "explain", &a, "--open", "--cell", "N,b", "--format", "table",
    ]);
    assert_eq!(s, 0, "{err}");
    assert!(text.starts_with("N, b: 0.00..8.25 (bounded)\n"), "{text}");
    assert!(text.contains("\nupper bound 8.25:\n"), "{text}");
    assert!(text.contains("  All, a  12.50*\n"), "{text}");
    let (_, ej, _) = run(&["explain", &a, "--open", "--cell", "N,b", "--format", "json"]);
    assert!(ej.contains("\"bound\": 8.25,"), "{ej}");
    // verify reads the amounts back, exactly.
    let (_, w, _) = run(&["bounds", &a, "--open", "--witnesses", "--format", "json"]);
    let wf = write(dir.path(), "w.json", &w);
    let (s, out, err) = run(&["verify", &a, &wf]);
    assert_eq!(s, 0, "{out}{err}");
    // A changed bound is caught.
    let bad = write(dir.path(), "bad.json", &w.replacen("8.25", "8.24", 1));
    let (s, out, _) = run(&["verify", &a, &bad]);
    assert_eq!(s, 1);
    assert!(
        out.contains("pay[\"N\", \"b\"]: upper bound 8.24: the derivation proves 8.25 instead"),
        "{out}"
    );
    // A bounds file of the integer table is refused for the amounts.
    let (_, wb, _) = run(&["bounds", &b, "--open", "--witnesses", "--format", "json"]);
    let wbf = write(dir.path(), "wb.json", &wb);
    let (s, _, err) = run(&["verify", &a, &wbf]);
    assert_eq!(s, 2);
    assert!(err.contains("0 decimals but the table's have 2"), "{err}");
}

#[test]
fn an_infeasible_amount_is_explained_in_units() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "i.json",
        &AMOUNTS.replace(
            r#"{"at": ["N","b"], "hidden": true}, {"at": ["N","c"], "hidden": true}"#,
            r#"{"at": ["N","b"], "range": [0, 1]}, {"at": ["N","c"], "range": [0, 1]}"#,
        ),
    );
    let (s, _, err) = run(&["bounds", &f, "--format", "table"]);
    assert_eq!(s, 3);
    assert!(
        err.contains(
            "total 20.75, published 12.50, needs 8.25 from 2 hidden cells of at most 1.00 each"
        ),
        "{err}"
    );
}

#[test]
fn an_amount_with_too_many_decimals_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &AMOUNTS.replace("12.5}", "12.505}"));
    let (s, _, err) = run(&["bounds", &a]);
    assert_eq!(s, 2);
    assert_eq!(
        err.trim_end(),
        format!(
            "cellbound: error: {a}:4: cells[0].value: 12.505 has more decimals than the model's 2 (\"decimals\": 2)"
        )
    );
    let a = write(
        dir.path(),
        "d.json",
        &AMOUNTS.replace("\"decimals\": 2", "\"decimals\": 99"),
    );
    let (s, _, err) = run(&["bounds", &a]);
    assert_eq!(s, 2);
    assert!(err.contains("decimals: 99 decimals: give 0 to 15"), "{err}");
}

#[test]
fn rounded_cells_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "r.csv",
        "r,a,b,Total\nx,5,x,10\ny,x,5,10\nTotal,10,10,20\n",
    );
    let (s, out, err) = run(&["bounds", &f, "--rounded", "5", "--open", "--format", "json"]);
    assert_eq!(s, 0, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    let cells = j["cells"].as_array().unwrap();
    // Every cell of the grid: 2 hidden, 7 published rounded.
    assert_eq!(cells.len(), 9);
    assert_eq!(j["summary"]["rounded"], 7);
    let xa = &cells[0];
    assert_eq!(
        (xa["lower"].as_i64(), xa["upper"].as_i64()),
        (Some(3), Some(7))
    );
    assert_eq!(xa["status"], "rounded");
    assert_eq!(xa["published"], 5);
    let xb = &cells[1];
    assert_eq!(
        (xb["lower"].as_i64(), xb["upper"].as_i64()),
        (Some(1), Some(9))
    );
    assert_eq!(xb["status"], "bounded");
    assert!(xb.get("published").is_none());
    // Random rounding: a wider interval for each published value.
    let (_, out, _) = run(&[
        "bounds",
        &f,
        "--rounded",
        "5",
        "--rounding",
        "random",
        "--open",
        "--format",
        "csv",
    ]);
    assert!(
        out.starts_with("table,r,column,lower,upper,status,published\n"),
        "{out}"
    );
    assert!(out.contains("r,x,a,1,9,rounded,5\n"), "{out}");
    // verify checks the rounded statuses against the same reading.
    let (_, w, _) = run(&[
        "bounds",
        &f,
        "--rounded",
        "5",
        "--open",
        "--witnesses",
        "--format",
        "json",
    ]);
    let wf = write(dir.path(), "w.json", &w);
    let (s, out, err) = run(&["verify", &f, &wf, "--rounded", "5"]);
    assert_eq!(s, 0, "{out}{err}");
    // A value off the base is bad input, named.
    let (s, _, err) = run(&["bounds", &f, "--rounded", "3"]);
    assert_eq!(s, 2);
    assert!(
        err.contains("line 2, column \"a\": the published value 5 is not a multiple of the rounding base 3; check --rounded"),
        "{err}"
    );
    // A table with a negative value: intervals below zero, not floored.
    let n = write(
        dir.path(),
        "n.json",
        r#"{"negative": true, "name": "m", "dimensions": [{"name": "d", "tree": {"T": ["a", "b"]}}],
 "cells": [{"at": ["a"], "value": -10}, {"at": ["b"], "value": 5}, {"at": ["T"], "value": -5}]}"#,
    );
    let (s, out, err) = run(&["bounds", &n, "--rounded", "5", "--format", "csv"]);
    assert_eq!(s, 0, "{err}");
    assert_eq!(
        out,
        "table,d,lower,upper,status,published
m,a,-12,-8,rounded,-10
m,b,3,7,rounded,5
m,T,-7,-3,rounded,-5
"
    );
    // --rounding needs --rounded.
    assert_eq!(run(&["bounds", &f, "--rounding", "random"]).0, 2);
}

/// Profits by region and quarter, in thousands with one decimal, some
/// negative: a JSON model with `"negative": true`.
const PROFITS: &str = r#"{"decimals": 1, "negative": true, "name": "profit",
 "dimensions": [{"name": "region", "tree": {"All": ["N", "S"]}}, {"name": "quarter", "tree": {"Year": ["q1", "q2"]}}],
 "cells": [
  {"at": ["N","q1"], "range": [-10, 10]}, {"at": ["N","q2"], "value": -2.5}, {"at": ["N","Year"], "value": 1.5},
  {"at": ["S","q1"], "range": [-10, null]}, {"at": ["S","q2"], "value": 7}, {"at": ["S","Year"], "hidden": true},
  {"at": ["All","q1"], "value": -3.0}, {"at": ["All","q2"], "value": 4.5}, {"at": ["All","Year"], "hidden": true}]}"#;

#[test]
fn negative_amounts() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "p.json", PROFITS);
    let (s, out, err) = run(&["bounds", &f, "--format", "csv"]);
    assert_eq!(s, 0, "{err}");
    // N/q1 = 1.5 + 2.5 = 4.0; S/q1 = -3.0 - 4.0 = -7.0; S/Year = 0.0;
    // All/Year = 1.5.
    assert_eq!(
        out,
        "table,region,quarter,lower,upper,status\n\
         profit,N,q1,4.0,4.0,exact\n\
         profit,S,q1,-7.0,-7.0,exact\n\
         profit,S,Year,0.0,0.0,exact\n\
         profit,All,Year,1.5,1.5,exact\n"
    );
    // Without "negative": true, a negative value is bad input, named.
    let g = write(
        dir.path(),
        "q.json",
        &PROFITS.replace(r#""negative": true, "#, ""),
    );
    let (s, _, err) = run(&["bounds", &g]);
    assert_eq!(s, 2);
    assert!(err.contains("cells[0].range[0]: -10 is negative"), "{err}");
    // impute writes the model back with "negative": true; it reads again.
    let (s, filled, err) = run(&["impute", &f, "--format", "filled"]);
    assert_eq!(s, 0, "{err}");
    assert!(filled.contains("\"negative\": true"), "{filled}");
    assert!(filled.contains("\"value\": -7.0"), "{filled}");
    let h = write(dir.path(), "filled.json", &filled);
    assert_eq!(run(&["bounds", &h]).0, 0);
}
