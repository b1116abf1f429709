//! `--time-limit` leaves bounds sound but not proved tight; a pipeline
//! sees it: the summary and standard error say how many, and
//! `--require-tight` turns it into exit 4 with the output still written.

use serde_json::Value;

use crate::common::{path, run};

const GRID: &str = "tests/golden/inputs/grid-60x12-s7.csv";

#[test]
fn a_time_limit_cut_is_counted_and_require_tight_exits_4() {
    let grid = path(GRID);
    let cut = ["bounds", &grid, "--open", "--time-limit", "0", "--format"];
    let (code, table, err) = run(&[&cut[..], &["table"]].concat());
    assert_eq!(code, 0, "{err}");
    // Each loose interval ends in `?`; the summary's "(marked ?)" is not one.
    let marked = table.matches('?').count() - table.matches("(marked ?)").count();
    assert!(marked > 0, "{table}");
    assert!(
        table.contains(&format!("{marked} not proved tight (marked ?)")),
        "{table}"
    );
    assert!(err.contains(&format!("cellbound: {marked} of ")), "{err}");
    assert!(err.contains("--require-tight"), "{err}");

    // The same run with --require-tight: the same output, exit 4.
    let (code, strict, err) = run(&[&cut[..], &["table", "--require-tight"]].concat());
    assert_eq!(code, 4, "{err}");
    assert_eq!(strict, table);
    assert!(
        err.contains(&format!("{marked} of ")) && err.contains("exit 4"),
        "{err}"
    );

    // JSON counts them in the summary, and -o still writes the file.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cut.json");
    let (code, _, err) = run(&[
        &cut[..cut.len() - 1],
        &["--require-tight", "-o", out.to_str().unwrap()],
    ]
    .concat());
    assert_eq!(code, 4, "{err}");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let loose = doc["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["tight"] == false)
        .count();
    assert_eq!(loose, marked);
    assert_eq!(doc["summary"]["not_tight"], loose);
}

#[test]
fn require_tight_changes_nothing_when_every_bound_is_proved() {
    let grid = path(GRID);
    let (code, out, err) = run(&[
        "bounds",
        &grid,
        "--open",
        "--require-tight",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert!(
        doc["summary"].get("not_tight").is_none(),
        "{}",
        doc["summary"]
    );
    let (_, plain, _) = run(&["bounds", &grid, "--open", "--format", "json"]);
    assert_eq!(out, plain);
}
