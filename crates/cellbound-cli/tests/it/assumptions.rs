//! The answer says what it assumes: the table output names the rule in
//! force, a cell whose interval is narrower under the threshold than under
//! `--open` is marked (`^` in the table, `"assumes": "threshold"` in JSON),
//! and one line on standard error says how many and which flag relaxes it.

use std::collections::HashMap;

use serde_json::Value;

use crate::common::{path, run, write};

/// Two rows `x,x,10,18` with totals `8,8,20,36`: under the default rule
/// every hidden cell is `=4`, yet 2, 6, 6, 2 fits every published number.
const TWO_ROWS: &str = "R,A,B,C,Total\nr1,x,x,10,18\nr2,x,x,10,18\nTotal,8,8,20,36\n";

/// Each hidden cell alone on its row: determined, `=4`, on the cap, and
/// the same under `--open`.
const DETERMINED: &str = "R,A,B,Total\nr1,x,5,9\nr2,x,5,9\nTotal,8,10,18\n";

/// The two rows and a truth that fits them, 2, 6, 6, 2.
fn two_rows_with_truth(dir: &std::path::Path) -> (String, String) {
    let file = write(dir, "two.csv", TWO_ROWS);
    let truth = write(
        dir,
        "truth.csv",
        "R,A,B,C,Total\nr1,2,6,10,18\nr2,6,2,10,18\nTotal,8,8,20,36\n",
    );
    (file, truth)
}

fn cells(json: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(json).unwrap();
    doc["cells"].as_array().unwrap().clone()
}

#[test]
fn the_reported_table_is_marked_and_the_rule_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "two.csv", TWO_ROWS);
    let (code, out, err) = run(&["bounds", &file, "--format", "table"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("=4^").count(), 4, "{out}");
    assert!(
        out.contains("rule: threshold 5 (hidden interior cells 0..4, hidden totals >= 0), zeros not shown, not open"),
        "{out}"
    );
    assert!(out.contains("4 rest on the threshold (marked ^)"), "{out}");
    // One line on standard error: how many, and the flags that relax it.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("4 hidden cells"), "{err}");
    assert!(err.contains("threshold assumption"), "{err}");
    assert!(err.contains("--open"), "{err}");
    assert!(err.contains("--threshold"), "{err}");

    // The true values 2, 6, 6, 2 are within what --open gives.
    let (code, out, err) = run(&["bounds", &file, "--open", "--format", "table"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("0..8").count(), 4, "{out}");
    assert!(!out.contains('^'), "{out}");
    assert!(
        out.contains("rule: open (hidden cells only >= 0), zeros not shown"),
        "{out}"
    );
    assert_eq!(err, "");

    // A larger threshold relaxes it too: under 7 the cells are 2..6.
    let (_, out, _) = run(&["bounds", &file, "--threshold", "7", "--format", "table"]);
    assert_eq!(out.matches("2..6^").count(), 4, "{out}");
}

#[test]
fn json_adds_assumes_only_where_open_is_wider() {
    let dir = tempfile::tempdir().unwrap();
    let two = write(dir.path(), "two.csv", TWO_ROWS);
    let determined = write(dir.path(), "determined.csv", DETERMINED);
    let cases: Vec<(String, Vec<&str>)> = vec![
        (two, vec![]),
        (determined, vec![]),
        (path("examples/hierarchy.json"), vec![]),
        (path("examples/linked.json"), vec![]),
        (path("examples/table3-peq-workers.csv"), vec![]),
        (path("examples/table2-invitations.csv"), vec![]),
        (
            path("examples/table4-peq-graduates.csv"),
            vec!["--zeros-shown"],
        ),
    ];
    let mut marked = 0;
    let mut unmarked_at_cap = 0;
    for (file, rule) in &cases {
        let mut args = vec!["bounds", file.as_str(), "--format", "json"];
        args.extend(rule);
        let (code, ruled, err) = run(&args);
        assert_eq!(code, 0, "{file}: {err}");
        args.push("--open");
        let (code, open, _) = run(&args);
        assert_eq!(code, 0, "{file}");
        let open: HashMap<String, Value> = cells(&open)
            .into_iter()
            .map(|c| (format!("{}{}", c["table"], c["at"]), c))
            .collect();
        let ruled = cells(&ruled);
        let mut here = 0;
        for c in &ruled {
            let o = &open[&format!("{}{}", c["table"], c["at"])];
            assert!(o.get("assumes").is_none(), "{file}: {o}");
            let wider = o["lower"].as_i64() < c["lower"].as_i64()
                || match (o["upper"].as_i64(), c["upper"].as_i64()) {
                    (None, Some(_)) => true,
                    (Some(a), Some(b)) => a > b,
                    _ => false,
                };
            let assumes = c.get("assumes").and_then(Value::as_str);
            assert_eq!(
                assumes,
                wider.then_some("threshold"),
                "{file}: {c} against --open {o}"
            );
            here += wider as usize;
            if !wider && c["upper"].as_i64() == Some(4) {
                unmarked_at_cap += 1;
            }
        }
        marked += here;
        // The line on standard error counts exactly the marked cells.
        if here > 0 {
            assert!(
                err.contains(&format!("{here} hidden cell")),
                "{file}: {err}"
            );
        } else {
            assert!(!err.contains("threshold"), "{file}: {err}");
        }
    }
    assert!(marked >= 10, "{marked}");
    // Bounds on the cap that --open keeps are not marked.
    assert!(unmarked_at_cap >= 2, "{unmarked_at_cap}");
}

#[test]
fn explain_says_when_the_cell_rests_on_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "two.csv", TWO_ROWS);
    let (code, out, err) = run(&["explain", &file, "--cell", "r1,B", "--format", "table"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("r1, B: =4 (exact)\n"), "{out}");
    assert!(
        out.contains("rests on the threshold 5: under --open it is 0..8"),
        "{out}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--open"), "{err}");
    let (_, out, _) = run(&["explain", &file, "--cell", "r1,B", "--format", "json"]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["assumes"], "threshold");
    // Under --open there is nothing to say.
    let (_, out, err) = run(&[
        "explain", &file, "--cell", "r1,B", "--open", "--format", "json",
    ]);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(doc.get("assumes").is_none(), "{out}");
    assert_eq!(err, "");
}

#[test]
fn infeasible_under_the_rule_already_names_open() {
    let (code, _, err) = run(&[
        "bounds",
        &path("examples/table1-declarations.csv"),
        "--format",
        "table",
    ]);
    assert_eq!(code, 3);
    assert!(err.contains("rerun with --open"), "{err}");
}

#[test]
fn the_audit_attacker_assumes_no_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let (file, truth) = two_rows_with_truth(dir.path());
    let (code, out, err) = run(&["audit", &file, "--truth", &truth, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    for c in cells(&out) {
        assert_eq!(
            (c["lower"].as_i64(), c["upper"].as_i64()),
            (Some(0), Some(8))
        );
        assert!(c.get("assumes").is_none(), "{c}");
    }
    assert!(!err.contains("threshold"), "{err}");
}

#[test]
fn nothing_is_guessed_when_the_open_solve_has_no_time_left() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "two.csv", TWO_ROWS);
    // The time limit is spent before the check under --open: it cannot
    // settle the cells on the cap, and says so instead of marking them.
    let (code, out, err) = run(&["bounds", &file, "--time-limit", "0", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    for c in cells(&out) {
        assert!(c.get("assumes").is_none(), "{c}");
    }
    assert!(
        err.contains("4 upper bounds at the threshold's cap could not be checked under --open"),
        "{err}"
    );
}

#[test]
fn the_audit_table_names_the_attackers_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (file, truth) = two_rows_with_truth(dir.path());
    let (_, out, _) = run(&["audit", &file, "--truth", &truth, "--format", "table"]);
    assert!(
        out.ends_with("attacker: open (hidden cells only >= 0), zeros not shown; the threshold 5 only says which true values are sensitive (1..4), no interval rests on it\n"),
        "{out}"
    );
}
