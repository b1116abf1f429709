//! The limits a user sets, or that the machine sets: `--memory-limit`
//! refuses a table whose solve would not fit (exit 2, before any work,
//! no output file), and `--time-limit` stops even the first LP of a large
//! component, leaving sound bounds marked not tight. Behaviour only: how
//! long a run takes is measured in docs/benchmarks.md, not here.

use serde_json::Value;
use std::collections::HashMap;

use crate::common::{path, run, run_in, write};

/// A grid of `n` x `n` hidden cells with no margin.
fn all_hidden(n: usize) -> String {
    let mut s = String::from("R");
    for j in 0..n {
        s.push_str(&format!(",C{j}"));
    }
    s.push('\n');
    for i in 0..n {
        s.push_str(&format!("R{i}"));
        s.push_str(&",x".repeat(n));
        s.push('\n');
    }
    s
}

#[test]
fn a_table_past_the_memory_limit_is_exit_2_naming_the_size_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.csv", &all_hidden(200));
    for command in ["bounds", "explain"] {
        let mut args = vec![command, "g.csv", "--memory-limit", "2M", "-o", "out.json"];
        if command == "explain" {
            args.extend(["--cell", "R1,C1"]);
        }
        let run = run_in(dir.path(), &args);
        assert_eq!(run.status, 2, "{command}: {}", run.stderr);
        let err = &run.stderr;
        assert!(
            err.contains("g.csv: solving this table needs about ")
                && err.contains("(40000 cells, 40000 hidden, 0 terms of lines on hidden cells)")
                && err.contains("more than the limit of 2.0 MiB (--memory-limit)")
                && err.contains("raise it with --memory-limit "),
            "{command}: {err}"
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(!dir.path().join("out.json").exists(), "{command}");
    }
    // The same table within the limit is solved.
    let run = run_in(
        dir.path(),
        &["bounds", "g.csv", "--memory-limit", "1G", "-o", "out.json"],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(dir.path().join("out.json").exists());
}

#[test]
fn audit_is_refused_past_the_memory_limit_too() {
    let dir = tempfile::tempdir().unwrap();
    let t1 = crate::common::path("examples/table1-declarations.csv");
    let truth = crate::common::path("tests/data/audit/table1-truth.csv");
    let run = run_in(
        dir.path(),
        &["audit", &t1, "--truth", &truth, "--memory-limit", "1K"],
    );
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--memory-limit"), "{}", run.stderr);
}

#[test]
fn a_memory_limit_that_is_not_a_size_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.csv", &all_hidden(2));
    for bad in ["lots", "0", "-1G", "8X"] {
        let flag = format!("--memory-limit={bad}");
        let run = run_in(dir.path(), &["bounds", "g.csv", &flag]);
        assert_eq!(run.status, 2, "{bad}: {}", run.stderr);
        assert!(
            run.stderr.contains("--memory-limit"),
            "{bad}: {}",
            run.stderr
        );
    }
}

/// The 60x40x30 cube's first LP takes seconds; under `--time-limit 0` it
/// is stopped at once (the short grace a first table gets past the limit
/// is far shorter than that LP). With no integer table found, every cell
/// keeps presolve's bounds, marked not tight, containing the true value,
/// and the run says so with exit 4.
#[test]
fn the_first_lp_of_a_large_component_stops_at_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let synth = run_in(
        dir.path(),
        &[
            "synth", "--shape", "cube", "--dims", "60,40,30", "-o", "c.json", "--truth", "t.json",
        ],
    );
    assert_eq!(synth.status, 0, "{}", synth.stderr);
    let run = run_in(
        dir.path(),
        &[
            "bounds",
            "c.json",
            "--open",
            "--time-limit",
            "0",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.status, 4, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the first LP of a component ran past the time limit")
            || run
                .stderr
                .contains("the time limit passed before an integer table was found"),
        "{}",
        run.stderr
    );
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(out["feasible"], Value::Null);
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.json")).unwrap()).unwrap();
    let value: HashMap<String, i64> = truth["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["at"].to_string(), c["value"].as_i64().unwrap()))
        .collect();
    let cells = out["cells"].as_array().unwrap();
    assert_eq!(out["summary"]["not_tight"], cells.len());
    for c in cells {
        assert_eq!(c["tight"], false, "{c}");
        let truth = value[&c["at"].to_string()];
        assert!(c["lower"].as_i64().unwrap() <= truth, "{c} {truth}");
        assert!(
            c["upper"].as_i64().is_none_or(|u| u >= truth),
            "{c} {truth}"
        );
    }
}

/// `audit` takes `--time-limit` and `-q` as `bounds` does. Cut short, it
/// gives no verdict (a verdict on loose bounds could pass a leaking cell):
/// exit 4, nothing on standard output.
#[test]
fn audit_cut_by_the_time_limit_is_exit_4_with_no_verdict() {
    let table = path("examples/table1-declarations.csv");
    let truth = path("tests/data/audit/table1-truth.csv");
    let (status, out, err) = run(&[
        "audit",
        &table,
        "--truth",
        &truth,
        "--time-limit",
        "0",
        "-q",
    ]);
    assert_eq!(status, 4, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("not proved tight") && err.contains("--time-limit"),
        "{err}"
    );
    let (status, _, err) = run(&[
        "audit",
        &table,
        "--truth",
        &truth,
        "--time-limit",
        "60",
        "-q",
    ]);
    assert_eq!(status, 0, "{err}");
}

/// A grid of `n` x `n` hidden cells with a published total row and column
/// (each 1): one group of `n * n` linked cells.
fn hidden_with_totals(n: usize) -> String {
    let mut s = String::from("R");
    for j in 0..n {
        s.push_str(&format!(",C{j}"));
    }
    s.push_str(",Total\n");
    for i in 0..n {
        s.push_str(&format!("R{i}{},{n}\n", ",x".repeat(n)));
    }
    s.push_str("Total");
    s.push_str(&format!(",{n}").repeat(n));
    s.push_str(&format!(",{}\n", n * n));
    s
}

#[test]
fn witness_tables_past_the_memory_limit_are_refused_and_explain_keeps_one_cells() {
    // 1,600 linked cells: on a network, the flow keeps each table as its
    // changes from the one before, well within a 64 MiB limit the solve
    // alone fits in; where values may be negative (no lower limit: no
    // flow, the LP path, whole tables), up to 3,201 tables of 1,600
    // values, about 117 MiB, past it.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "g.csv", &hidden_with_totals(40));
    let limit = ["--memory-limit", "64M", "--open"];
    let run = run_in(
        dir.path(),
        &[&["bounds", "g.csv", "-o", "b.json"][..], &limit].concat(),
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = run_in(
        dir.path(),
        &[
            &["bounds", "g.csv", "--witnesses", "-o", "w.json"][..],
            &limit,
        ]
        .concat(),
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    std::fs::remove_file(dir.path().join("w.json")).unwrap();
    let run = run_in(
        dir.path(),
        &[
            &[
                "bounds",
                "g.csv",
                "--witnesses",
                "--allow-negative",
                "-o",
                "w.json",
            ][..],
            &limit,
        ]
        .concat(),
    );
    assert_eq!(run.status, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("g.csv: --witnesses keeps a table reaching each bound")
            && run
                .stderr
                .contains("more than the limit of 64 MiB (--memory-limit)")
            && run
                .stderr
                .contains("`explain --cell` shows one cell's tables"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("w.json").exists());
    // explain keeps the tables of the cell it explains (and one per
    // group, to show whole tables), not every bound's.
    let run = run_in(
        dir.path(),
        &[
            &["explain", "g.csv", "--cell", "R3,C5", "--format", "table"][..],
            &limit,
        ]
        .concat(),
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("R3, C5: 0..40 (bounded)"),
        "{}",
        run.stdout
    );
}
