//! `explain --cell` names one cell or none: `--table NAME` with the labels
//! as a CSV record always works; the old `table:` prefix still works where
//! it is unambiguous; an address that could name two cells is refused
//! (exit 2), naming both and the `--table` flag.

use serde_json::Value;

use crate::common::{path, run, write};

/// `explain` as JSON: the table and labels of the cell it explains.
fn explained(file: &str, extra: &[&str]) -> Result<(String, Vec<String>), (i32, String)> {
    let mut args = vec!["explain", file, "--open", "--format", "json"];
    args.extend(extra);
    let (code, out, err) = run(&args);
    if code != 0 {
        return Err((code, err));
    }
    let doc: Value = serde_json::from_str(&out).unwrap();
    let at = doc["at"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    Ok((doc["table"].as_str().unwrap().to_string(), at))
}

fn owned(t: &str, at: &[&str]) -> (String, Vec<String>) {
    (t.to_string(), at.iter().map(|s| s.to_string()).collect())
}

#[test]
fn a_row_label_that_looks_like_a_table_prefix_is_refused_when_ambiguous() {
    let dir = tempfile::tempdir().unwrap();
    // The grid is the table "amb"; its rows are "amb:r1" and "r1".
    let file = write(
        dir.path(),
        "amb.csv",
        "R,A,B,Total\namb:r1,x,x,5\nr1,x,x,5\nTotal,5,5,10\n",
    );
    let (code, err) = explained(&file, &["--cell", "amb:r1,A"]).unwrap_err();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("names 2 cells"), "{err}");
    assert!(err.contains("cell amb:r1,A"), "{err}");
    assert!(err.contains("cell r1,A"), "{err}");
    assert!(err.contains("--table"), "{err}");
    // --table takes the labels as they are.
    assert_eq!(
        explained(&file, &["--table", "amb", "--cell", "amb:r1,A"]).unwrap(),
        owned("amb", &["amb:r1", "A"])
    );
    assert_eq!(
        explained(&file, &["--table", "amb", "--cell", "r1,A"]).unwrap(),
        owned("amb", &["r1", "A"])
    );
    // Unambiguous addresses work without it, the prefix included.
    assert_eq!(
        explained(&file, &["--cell", "r1,B"]).unwrap(),
        owned("amb", &["r1", "B"])
    );
    assert_eq!(
        explained(&file, &["--cell", "amb:amb:r1,B"]).unwrap(),
        owned("amb", &["amb:r1", "B"])
    );
}

const TWO_TABLES: &str = r#"{"tables": [
  {"name": "a:b", "dimensions": [{"name": "k", "tree": {"Total": ["x", "y"]}}],
   "cells": [{"at": ["Total"], "value": 5}, {"at": ["x"], "hidden": true}, {"at": ["y"], "hidden": true}]},
  {"name": "c", "dimensions": [{"name": "k", "tree": {"Total": ["x", "y", "z"]}}],
   "cells": [{"at": ["Total"], "value": 9}, {"at": ["x"], "hidden": true}, {"at": ["y"], "hidden": true},
             {"at": ["z"], "value": 1}]}
]}"#;

#[test]
fn a_table_whose_name_holds_a_colon_can_be_addressed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "two.json", TWO_TABLES);
    assert_eq!(
        explained(&file, &["--table", "a:b", "--cell", "x"]).unwrap(),
        owned("a:b", &["x"])
    );
    assert_eq!(
        explained(&file, &["--cell", "a:b:x"]).unwrap(),
        owned("a:b", &["x"])
    );
    assert_eq!(
        explained(&file, &["--cell", "c:y"]).unwrap(),
        owned("c", &["y"])
    );
    assert_eq!(
        explained(&file, &["--table", "c", "--cell", "y"]).unwrap(),
        owned("c", &["y"])
    );
    // "x" is in both tables: refused, naming both.
    let (code, err) = explained(&file, &["--cell", "x"]).unwrap_err();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("table \"a:b\""), "{err}");
    assert!(err.contains("table \"c\""), "{err}");
    assert!(err.contains("--table"), "{err}");
    // An unknown table is named as such.
    let (code, err) = explained(&file, &["--table", "d", "--cell", "x"]).unwrap_err();
    assert_eq!(code, 2);
    assert!(err.contains("no such table"), "{err}");
    // A published cell is still refused.
    let (code, err) = explained(&file, &["--table", "c", "--cell", "z"]).unwrap_err();
    assert_eq!(code, 2);
    assert!(err.contains("published"), "{err}");
}

#[test]
fn the_old_prefix_still_works_on_the_linked_example() {
    let linked = path("examples/linked.json");
    for table in ["declarations", "invitations"] {
        let prefixed = format!("{table}:La Mitis,Volet 1");
        assert_eq!(
            explained(&linked, &["--cell", &prefixed]).unwrap(),
            owned(table, &["La Mitis", "Volet 1"])
        );
        assert_eq!(
            explained(&linked, &["--table", table, "--cell", "La Mitis,Volet 1"]).unwrap(),
            owned(table, &["La Mitis", "Volet 1"])
        );
    }
    // Both tables have that cell: without a table, refused.
    let (code, err) = explained(&linked, &["--cell", "La Mitis,Volet 1"]).unwrap_err();
    assert_eq!(code, 2);
    assert!(err.contains("names 2 cells"), "{err}");
}
