//! The `cellbound` binary as a user meets it: bad input (exit 2, the
//! message naming file and line or field), usage errors, help, output
//! formats, `-o`, and the JSON examples.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

const T1: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/table1-declarations.csv"
);
const T4: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/table4-peq-graduates.csv"
);
const HIERARCHY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/hierarchy.json");
const LINKED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/linked.json");

fn cellbound<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 messages")
}

/// Writes `bytes` to `name` in a fresh temporary folder.
fn fixture(name: &str, bytes: &[u8]) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

/// `cellbound bounds FILE --format json`: exit 2, and standard error names
/// the file and every one of `wants` (a line like `:3:`, a field, the
/// offending text). Nothing on standard output.
fn bad_input(name: &str, bytes: &[u8], wants: &[&str]) {
    let (_dir, path) = fixture(name, bytes);
    let out = cellbound([
        "bounds".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{name}: {err}");
    assert!(out.stdout.is_empty(), "{name}: stdout {}", stdout(&out));
    assert!(
        err.contains(&format!("{}", path.display())),
        "{name}: the message should name the file: {err}"
    );
    for want in wants {
        assert!(err.contains(want), "{name}: {want:?} missing from: {err}");
    }
}

// ---------------------------------------------------------------------------
// Bad CSV input.

#[test]
fn ragged_row() {
    bad_input(
        "ragged.csv",
        b"R,A,B,Total\nr1,1,2\nTotal,1,2,3\n",
        &[":2:", "3 fields", "4"],
    );
}

#[test]
fn duplicate_row_label() {
    bad_input(
        "duprow.csv",
        b"R,A,B,Total\nr1,1,x,3\nr1,1,x,3\nTotal,2,x,6\n",
        &[":3:", "\"r1\"", "line 2"],
    );
}

#[test]
fn duplicate_column_label() {
    bad_input(
        "dupcol.csv",
        b"R,A,A,Total\nr1,1,x,3\nTotal,1,x,3\n",
        &[":1:", "\"A\"", "twice"],
    );
}

#[test]
fn two_total_rows() {
    bad_input(
        "twototals.csv",
        b"R,A,Total\nr1,1,1\nTotal,1,1\nTOTAL,1,1\n",
        &[":4:", "TOTAL"],
    );
}

#[test]
fn negative_count() {
    bad_input(
        "neg.csv",
        b"R,A,B,Total\nr1,-1,x,3\nTotal,-1,x,3\n",
        &[":2:", "column \"A\"", "\"-1\"", "negative"],
    );
}

#[test]
fn decimal_count() {
    bad_input(
        "dec.csv",
        b"R,A,B,Total\nr1,1,x,3\nr2,1.5,x,3\nTotal,2,x,6\n",
        &[":3:", "column \"A\"", "\"1.5\""],
    );
}

#[test]
fn text_in_a_cell() {
    bad_input(
        "text.csv",
        b"R,A,B,Total\nr1,1,abc,3\nTotal,1,x,3\n",
        &[":2:", "column \"B\"", "\"abc\"", "--marker"],
    );
}

#[test]
fn count_too_large() {
    // 2^53 is one past the largest count.
    bad_input(
        "big.csv",
        b"R,A,B\nr1,9007199254740992,1\n",
        &[":2:", "column \"A\"", "9007199254740992"],
    );
    // 2^53 - 1 is read.
    let (_dir, path) = fixture("ok.csv", b"R,A,B\nr1,9007199254740991,x\n");
    let out = cellbound(["bounds".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn unquoted_range_in_a_comma_file() {
    bad_input(
        "range.csv",
        b"R,A,B,Total\nr1,1,[3,7],9\nTotal,1,x,9\n",
        &[":2:", "\"[3,7]\""],
    );
}

#[test]
fn empty_file() {
    bad_input("empty.csv", b"", &["no data line"]);
    bad_input("blank.csv", b"\n  \n,,\n", &["no data line"]);
}

#[test]
fn invalid_utf8() {
    bad_input(
        "latin1.csv",
        b"R,A,B,Total\nr\xe91,1,x,3\nTotal,1,x,3\n",
        &[":2:", "UTF-8"],
    );
}

#[test]
fn published_parts_exceed_a_published_total() {
    // Row r1 has a hidden cell, yet 5 > 3 on its own is a contradiction.
    bad_input(
        "over.csv",
        b"R,A,B,Total\nr1,5,x,3\nr2,1,x,3\nTotal,6,x,6\n",
        &[":2:", "row \"r1\"", "5", "3"],
    );
    // The same in a column: 5 + 1 > 4.
    bad_input(
        "colover.csv",
        b"R,A,B,Total\nr1,5,x,9\nr2,1,x,3\nTotal,4,x,12\n",
        &["column \"A\"", "6", "4"],
    );
}

#[test]
fn a_line_with_no_hidden_cell_whose_sum_is_off() {
    bad_input(
        "off.csv",
        b"R,A,B,Total\nr1,1,2,4\nr2,1,x,3\nTotal,2,x,7\n",
        &[":2:", "row \"r1\"", "4", "3"],
    );
}

// ---------------------------------------------------------------------------
// Bad JSON input.

#[test]
fn json_unknown_code() {
    bad_input(
        "unknown.json",
        br#"{"dimensions": [{"name": "r", "tree": {"T": ["a", "b"]}}],
 "cells": [{"at": ["a"], "hidden": true}, {"at": ["c"], "value": 1}, {"at": ["T"], "value": 3}]}"#,
        &[":2:", "cells[1].at[0]", "\"c\""],
    );
}

#[test]
fn json_code_repeated_in_a_tree() {
    bad_input(
        "repeat.json",
        br#"{"dimensions": [{"name": "r",
   "tree": {"T": {"a": null, "b": ["a", "c"]}}}],
 "cells": []}"#,
        &[":2:", "\"a\"", "twice"],
    );
}

#[test]
fn json_duplicate_key() {
    bad_input(
        "dupkey.json",
        br#"{"dimensions": [{"name": "r", "tree": ["a", "b"]}],
 "cells": [{"at": ["a"], "hidden": true, "hidden": false}, {"at": ["b"], "value": 1}]}"#,
        &[":2:", "\"hidden\""],
    );
}

#[test]
fn json_top_level_array() {
    bad_input("array.json", br#"[{"dimensions": []}]"#, &[":1:", "array"]);
}

#[test]
fn json_missing_cell() {
    bad_input(
        "missing.json",
        br#"{"dimensions": [{"name": "r", "tree": {"T": ["a", "b"]}}],
 "cells": [{"at": ["a"], "hidden": true}, {"at": ["T"], "value": 3}]}"#,
        &["\"b\"", "absent"],
    );
}

// ---------------------------------------------------------------------------
// Usage.

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nowhere.csv");
    let out = cellbound(["bounds".as_ref(), path.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nowhere.csv"), "{}", stderr(&out));
}

#[test]
fn bad_flags() {
    for args in [
        vec!["bounds", T1, "--no-such-flag"],
        vec!["bounds", T1, "--format", "xml"],
        vec!["bounds", T1, "--threshold", "0"],
        vec!["bounds", T1, "--threshold", "-3"],
        vec!["bounds", T1, "--delimiter", "::"],
        vec!["bounds"],
        vec!["no-such-command"],
    ] {
        let out = cellbound(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn help_explains_the_rule_flags() {
    let out = cellbound(["bounds", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for want in [
        "--open",
        "--zeros-shown",
        "--threshold",
        "publishes zeros",
        "at least 1",
        "complementary",
        "any",
        "size",
    ] {
        assert!(help.contains(want), "{want:?} missing from bounds --help");
    }
}

// ---------------------------------------------------------------------------
// Output formats.

fn json_of(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

#[test]
fn json_is_the_default_when_stdout_is_not_a_terminal() {
    let out = cellbound(["bounds", T1, "--open"]);
    assert_eq!(out.status.code(), Some(0));
    let json = json_of(&out);
    assert_eq!(json["feasible"], true);
    assert_eq!(json["summary"]["bounded"], 4);
}

#[test]
fn csv_output() {
    let out = cellbound(["bounds", T1, "--open", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "table,MRC,column,lower,upper,status\n\
         table1-declarations,MRC La Mitis,Volet 1,3,11,bounded\n\
         table1-declarations,MRC La Mitis,Volet 3,0,8,bounded\n\
         table1-declarations,MRC Les Basques,Volet 1,2,10,bounded\n\
         table1-declarations,MRC Les Basques,Volet 3,0,8,bounded\n"
    );
}

#[test]
fn csv_output_of_a_json_model_names_the_dimensions_and_leaves_upper_empty_when_unbounded() {
    let (_dir, path) = fixture(
        "open.json",
        br#"{"dimensions": [{"name": "region", "tree": {"All": ["a", "b"]}}],
 "cells": [{"at": ["a"], "value": 2}, {"at": ["b"], "hidden": true}, {"at": ["All"], "hidden": true}]}"#,
    );
    let out = cellbound([
        "bounds".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "table,region,lower,upper,status\n\
         open,b,0,4,bounded\n\
         open,All,2,6,bounded\n"
    );
    let out = cellbound([
        "bounds".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
        "--open".as_ref(),
    ]);
    assert_eq!(
        stdout(&out),
        "table,region,lower,upper,status\n\
         open,b,0,,unbounded\n\
         open,All,2,,unbounded\n"
    );
}

#[test]
fn table_output_shows_intervals_in_the_grid() {
    let out = cellbound(["bounds", T1, "--open", "--zeros-shown", "--format", "table"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mitis = text
        .lines()
        .find(|l| l.starts_with("MRC La Mitis"))
        .unwrap_or_else(|| panic!("no La Mitis line in:\n{text}"));
    let fields: Vec<&str> = mitis["MRC La Mitis".len()..].split_whitespace().collect();
    assert_eq!(fields, ["4..10", "9", "1..7", "20"]);
    let basques = text
        .lines()
        .find(|l| l.starts_with("MRC Les Basques"))
        .unwrap();
    let fields: Vec<&str> = basques["MRC Les Basques".len()..]
        .split_whitespace()
        .collect();
    assert_eq!(fields, ["3..9", "15", "1..7", "25"]);
    assert!(text.contains("4 hidden cells"), "{text}");
}

#[test]
fn table_output_marks_determined_cells() {
    let out = cellbound(["bounds", HIERARCHY, "--format", "table"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("\"Gaspésie\", \"Volet 3\""))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("=11") && line.contains("exact"), "{line}");
}

// ---------------------------------------------------------------------------
// -o

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("bounds.json");
    let out = cellbound([
        "bounds".as_ref(),
        T1.as_ref(),
        "--open".as_ref(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "with -o nothing goes to stdout");
    let json: Value = serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    assert_eq!(json["cells"][0]["upper"], 11);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["bounds.json"]);
}

#[test]
fn output_format_follows_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("bounds.csv");
    let out = cellbound([
        "bounds".as_ref(),
        T4.as_ref(),
        "--zeros-shown".as_ref(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert!(text.starts_with("table,MRC de destination,column,lower,upper,status\n"));
    assert!(text.contains("table4-peq-graduates,MRC de Kamouraska,2023,1,2,bounded\n"));
}

#[test]
fn bad_input_leaves_an_existing_output_untouched() {
    let (dir, input) = fixture("neg.csv", b"R,A,B\nr1,-1,x\n");
    let out_path = dir.path().join("bounds.json");
    std::fs::write(&out_path, "previous run\n").unwrap();
    let out = cellbound([
        "bounds".as_ref(),
        input.as_os_str(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap(),
        "previous run\n"
    );
}

#[test]
fn infeasible_run_writes_the_infeasible_json_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("bounds.json");
    std::fs::write(&out_path, "previous run\n").unwrap();
    let out = cellbound([
        "bounds".as_ref(),
        T1.as_ref(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let json: Value = serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    assert_eq!(json["feasible"], false);
    assert!(json["explanation"].as_str().unwrap().contains("--open"));
    assert!(stderr(&out).contains("MRC La Mitis"));
}

#[test]
fn output_over_the_input_is_refused() {
    let (dir, input) = fixture(
        "t1.csv",
        &std::fs::read(T1).expect("the seed table is there"),
    );
    let before = std::fs::read(&input).unwrap();
    let other_spelling = dir.path().join(".").join("t1.csv");
    for target in [input.clone(), other_spelling] {
        let out = cellbound([
            "bounds".as_ref(),
            input.as_os_str(),
            "--open".as_ref(),
            "-o".as_ref(),
            target.as_os_str(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("input"), "{}", stderr(&out));
        assert_eq!(std::fs::read(&input).unwrap(), before);
    }
}

#[test]
fn output_into_a_missing_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("no-such-folder").join("bounds.json");
    let out = cellbound([
        "bounds".as_ref(),
        T1.as_ref(),
        "--open".as_ref(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out_path.exists());
}

// ---------------------------------------------------------------------------
// Infeasible models.

#[test]
fn extra_constraint_failing_on_published_cells_is_infeasible() {
    let (_dir, path) = fixture(
        "constraint.json",
        br#"{"dimensions": [{"name": "r", "tree": {"T": ["a", "b", "c"]}}],
 "cells": [{"at": ["a"], "hidden": true}, {"at": ["b"], "value": 1},
           {"at": ["c"], "value": 1}, {"at": ["T"], "value": 3}],
 "constraints": [{"terms": [{"at": ["b"], "coef": 1}, {"at": ["c"], "coef": 1}],
                  "op": ">=", "rhs": 5}]}"#,
    );
    let out = cellbound([
        "bounds".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let json = json_of(&out);
    assert_eq!(json["feasible"], false);
    assert!(json.get("cells").is_none());
    assert!(
        json["explanation"]
            .as_str()
            .unwrap()
            .contains("constraints[0]"),
        "{json}"
    );
}

#[test]
fn infeasible_in_table_format_prints_the_explanation_on_stderr() {
    let out = cellbound(["bounds", T1, "--format", "table"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("row \"MRC La Mitis\""));
    assert!(stderr(&out).contains("--open"));
}

// ---------------------------------------------------------------------------
// The JSON examples.

fn bounds_of(path: &str, args: &[&str]) -> Vec<(String, String, i64, Option<i64>)> {
    let mut all = vec!["bounds", path, "--format", "json"];
    all.extend_from_slice(args);
    let out = cellbound(&all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    json_of(&out)["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let at: Vec<&str> = c["at"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            (
                c["table"].as_str().unwrap().to_string(),
                at.join(" / "),
                c["lower"].as_i64().unwrap(),
                c["upper"].as_i64(),
            )
        })
        .collect()
}

fn expect(list: &[(&str, &str, i64, i64)]) -> Vec<(String, String, i64, Option<i64>)> {
    list.iter()
        .map(|&(t, at, lo, hi)| (t.to_string(), at.to_string(), lo, Some(hi)))
        .collect()
}

#[test]
fn hierarchy_example() {
    // La Mitis: V1 + V3 = 5; Les Basques: V1 + V3 = 5; the Bas-Saint-Laurent
    // margins: Mitis V1 + Basques V1 = 7, Mitis V3 + Basques V3 = 3. The
    // Gaspésie stream 3 margin is hidden, but Ensemble minus
    // Bas-Saint-Laurent gives it away; then Avignon V3 + Bonaventure V3 = 7.
    let d = "declarations";
    assert_eq!(
        bounds_of(HIERARCHY, &[]),
        expect(&[
            (d, "MRC de La Mitis / Volet 1", 3, 4),
            (d, "MRC de La Mitis / Volet 3", 1, 2),
            (d, "MRC Les Basques / Volet 1", 3, 4),
            (d, "MRC Les Basques / Volet 3", 1, 2),
            (d, "Gaspésie / Volet 3", 11, 11),
            (d, "MRC d'Avignon / Volet 3", 3, 4),
            (d, "MRC d'Avignon / Total", 33, 34),
            (d, "MRC de Bonaventure / Volet 3", 3, 4),
            (d, "MRC de Bonaventure / Total", 26, 27),
        ])
    );
    assert_eq!(
        bounds_of(HIERARCHY, &["--open"]),
        expect(&[
            (d, "MRC de La Mitis / Volet 1", 2, 5),
            (d, "MRC de La Mitis / Volet 3", 0, 3),
            (d, "MRC Les Basques / Volet 1", 2, 5),
            (d, "MRC Les Basques / Volet 3", 0, 3),
            (d, "Gaspésie / Volet 3", 11, 11),
            (d, "MRC d'Avignon / Volet 3", 0, 7),
            (d, "MRC d'Avignon / Total", 30, 37),
            (d, "MRC de Bonaventure / Volet 3", 0, 7),
            (d, "MRC de Bonaventure / Total", 23, 30),
        ])
    );
}

#[test]
fn linked_example() {
    // Without the constraints every declaration cell is in 1..4. Invited
    // people are among those who declared: Les Basques has at least 2
    // invitations in stream 1, so at least 2 declarations there, which
    // leaves La Mitis at most 3.
    let (d, i) = ("declarations", "invitations");
    assert_eq!(
        bounds_of(LINKED, &[]),
        expect(&[
            (d, "La Mitis / Volet 1", 1, 3),
            (d, "La Mitis / Volet 3", 2, 4),
            (d, "Les Basques / Volet 1", 2, 4),
            (d, "Les Basques / Volet 3", 1, 3),
            (i, "La Mitis / Volet 1", 0, 3),
            (i, "La Mitis / Volet 2", 1, 4),
            (i, "La Mitis / Volet 3", 0, 3),
            (i, "Les Basques / Volet 1", 2, 4),
            (i, "Les Basques / Volet 2", 2, 4),
        ])
    );

    let mut unlinked: Value =
        serde_json::from_slice(&std::fs::read(Path::new(LINKED)).unwrap()).unwrap();
    unlinked.as_object_mut().unwrap().remove("constraints");
    let (_dir, path) = fixture("unlinked.json", unlinked.to_string().as_bytes());
    let declarations: Vec<_> = bounds_of(path.to_str().unwrap(), &[])
        .into_iter()
        .filter(|c| c.0 == d)
        .map(|c| (c.2, c.3))
        .collect();
    assert_eq!(declarations, [(1, Some(4)); 4]);
}

#[test]
fn an_infeasible_run_replaces_an_earlier_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let t1 = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/table1-declarations.csv"
    );
    for (name, expect) in [
        ("out.csv", "table,MRC,column,lower,upper,status\n"),
        ("out.txt", "infeasible: "),
    ] {
        let out = dir.path().join(name);
        std::fs::write(&out, "an earlier answer\n").unwrap();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_cellbound"))
            .args(["bounds", t1, "-o", out.to_str().unwrap()])
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(3));
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with(expect), "{name}: {text}");
    }
}

// ---------------------------------------------------------------------------
// When the solver gives up: sound bounds, marked, and exit 4.

/// `2a + 2b + 2c = 5000000001` has no integer solution (the left side is
/// even), but its LP relaxation has one, and the counts are past the
/// integer solver's range, so nothing settles it.
const NO_TABLE: &str = r#"{"name": "parity", "dimensions": [{"name": "d", "tree": ["a", "b", "c"]}],
 "cells": [{"at": ["a"], "hidden": true}, {"at": ["b"], "hidden": true}, {"at": ["c"], "hidden": true}],
 "constraints": [{"terms": [{"at": ["a"], "coef": 2}, {"at": ["b"], "coef": 2}, {"at": ["c"], "coef": 2}],
                  "op": "=", "rhs": 5000000001}]}"#;

/// `a = 2c + 2d` with `a <= 3000000001`: `a` is even, so its tight upper
/// bound is 3000000000, but the LP reaches 3000000001 with `c + d` a half,
/// and only an integer program (past its range here) could tell.
const ONE_SIDE: &str = r#"{"name": "even", "dimensions": [{"name": "d", "tree": ["a", "c", "d"]}],
 "cells": [{"at": ["a"], "range": [0, 3000000001]}, {"at": ["c"], "hidden": true}, {"at": ["d"], "hidden": true}],
 "constraints": [{"terms": [{"at": ["a"], "coef": 1}, {"at": ["c"], "coef": -2}, {"at": ["d"], "coef": -2}],
                  "op": "=", "rhs": 0}]}"#;

#[test]
fn no_integer_table_found_gives_sound_bounds_feasible_null_and_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("parity.json");
    std::fs::write(&input, NO_TABLE).unwrap();
    let out_path = dir.path().join("bounds.json");
    let out = cellbound([
        "bounds".as_ref(),
        input.as_os_str(),
        "--open".as_ref(),
        "-o".as_ref(),
        out_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("not proved") && err.contains("not settled"),
        "{err}"
    );
    assert!(err.contains("2^31"), "the reason is given: {err}");
    // The output is written whole all the same.
    let json: Value = serde_json::from_slice(&std::fs::read(&out_path).unwrap()).unwrap();
    assert_eq!(json["feasible"], Value::Null);
    assert_eq!(json["unproved"].as_array().unwrap().len(), 1);
    for cell in json["cells"].as_array().unwrap() {
        assert_eq!(cell["tight"], false, "{cell}");
        // Sound: the LP's own point (5000000001 / 6 each) lies inside.
        assert_eq!(cell["lower"], 0, "{cell}");
        assert_eq!(cell["upper"], 2_500_000_000u64, "{cell}");
    }
}

#[test]
fn a_side_left_unproved_keeps_presolves_bound_and_the_rest_stay_tight() {
    let (_dir, path) = fixture("even.json", ONE_SIDE.as_bytes());
    let out = cellbound(["bounds".as_ref(), path.as_os_str(), "--open".as_ref()]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let json = json_of(&out);
    assert_eq!(json["feasible"], true, "a table was found");
    let cells = json["cells"].as_array().unwrap();
    // a: the lower bound 0 is proved; the upper is presolve's, sound (the
    // truth, at most 3000000000, is inside) but not proved tight.
    assert_eq!(cells[0]["lower"], 0);
    assert_eq!(cells[0]["upper"], 3_000_000_001u64);
    assert_eq!(cells[0]["tight"], false);
    for cell in &cells[1..] {
        assert_eq!(cell["upper"], 1_500_000_000u64, "{cell}");
        assert!(cell.get("tight").is_none(), "tight, so not marked: {cell}");
    }
    let err = stderr(&out);
    assert!(err.contains("1 of the 3 hidden cells"), "{err}");
    // verify re-checks the tight cells from the table that was found and
    // names the one left unproved.
    let bounds = path.with_file_name("bounds.json");
    let out = cellbound([
        "bounds".as_ref(),
        path.as_os_str(),
        "--open".as_ref(),
        "--witnesses".as_ref(),
        "-o".as_ref(),
        bounds.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = cellbound(["verify".as_ref(), path.as_os_str(), bounds.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "even[\"a\"]: not proved tight (a time limit cut the solving short, or the solver gave up)\n1 problem found\n"
    );
}

#[test]
fn audit_and_explain_refuse_bounds_not_proved_tight() {
    let (dir, path) = fixture("even.json", ONE_SIDE.as_bytes());
    let truth = dir.path().join("truth.json");
    std::fs::write(
        &truth,
        r#"{"cells": [{"at": ["a"], "value": 2}, {"at": ["c"], "value": 1}, {"at": ["d"], "value": 0}]}"#,
    )
    .unwrap();
    let out = cellbound([
        "audit".as_ref(),
        path.as_os_str(),
        "--truth".as_ref(),
        truth.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not proved tight"),
        "{}",
        stderr(&out)
    );
    let out = cellbound([
        "explain".as_ref(),
        path.as_os_str(),
        "--open".as_ref(),
        "--cell".as_ref(),
        "c".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
}

#[test]
fn csv_and_table_outputs_mark_bounds_not_proved_tight() {
    let (_dir, path) = fixture("even.json", ONE_SIDE.as_bytes());
    let out = cellbound([
        "bounds",
        path.to_str().unwrap(),
        "--open",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "table,d,lower,upper,status,tight\n\
         even,a,0,3000000001,bounded,false\n\
         even,c,0,1500000000,bounded,true\n\
         even,d,0,1500000000,bounded,true\n"
    );
    let out = cellbound([
        "bounds",
        path.to_str().unwrap(),
        "--open",
        "--format",
        "table",
    ]);
    let text = stdout(&out);
    assert!(text.contains("0..3000000001?"), "{text}");
    assert!(text.contains("1 not proved tight (marked ?)"), "{text}");
}
