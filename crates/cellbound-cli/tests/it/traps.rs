//! The traps a new user and a hostile file find: each test gives the
//! `cellbound` binary the reported input and checks the message, the exit
//! status or the file mode it must now give. Never a wrong verdict, never
//! a panic.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::{run_in, Run};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write input");
    path
}

/// A total `T = 4` over hidden `p` and `q`, with one extra constraint.
fn two_cells_with(terms: &str, op: &str, rhs: &str) -> String {
    format!(
        r#"{{"name":"t","dimensions":[{{"name":"d","tree":{{"T":["p","q"]}}}}],
 "cells":[{{"at":["T"],"value":4}},{{"at":["p"],"hidden":true}},{{"at":["q"],"hidden":true}}],
 "constraints":[{{"terms":[{terms}],"op":"{op}","rhs":{rhs}}}]}}"#
    )
}

/// `bounds` under `T = 4` on [`two_cells_with`] the constraint.
fn constrained(terms: &str, op: &str, rhs: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "m.json", &two_cells_with(terms, op, rhs));
    run_in(
        dir.path(),
        &["bounds", "m.json", "--threshold", "4", "--format", "csv"],
    )
}

// ---- 64-bit overflow: exact arithmetic, or exit 2 naming the number ----

#[test]
fn huge_opposite_coefficients_keep_the_true_answer() {
    let r = constrained(
        r#"{"at":["p"],"coef":9223372036854775807},{"at":["q"],"coef":-9223372036854775807}"#,
        "=",
        "0",
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("t,p,2,2,exact"), "{}", r.stdout);
    assert!(r.stdout.contains("t,q,2,2,exact"), "{}", r.stdout);
}

#[test]
fn repeated_terms_are_added_exactly() {
    // 2^62 + 2^62 = 2^63, which wraps to -2^63 in 64 bits: p = 0, so
    // q = 4 > 3, infeasible; the wrapped sum gave the same sign flip.
    let twice =
        r#"{"at":["p"],"coef":4611686018427387904},{"at":["p"],"coef":4611686018427387904}"#;
    let r = constrained(twice, "<=", "0");
    assert_eq!(r.status, 3, "{}", r.stderr);
    assert!(r.stderr.contains("[\"p\"] <= 0"), "{}", r.stderr);
    // With `>= 0` the constraint says nothing: every bound is the rule's.
    let r = constrained(twice, ">=", "0");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("t,p,1,3,bounded"), "{}", r.stdout);
}

#[test]
fn two_max_coefficients_under_a_small_rhs_are_infeasible() {
    let r = constrained(
        r#"{"at":["p"],"coef":9223372036854775807},{"at":["q"],"coef":9223372036854775807}"#,
        "<=",
        "100",
    );
    assert_eq!(r.status, 3, "{} {}", r.stdout, r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn a_coefficient_out_of_range_is_named() {
    let r = constrained(
        r#"{"at":["p"],"coef":-9223372036854775808},{"at":["q"],"coef":1}"#,
        "<=",
        "0",
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "m.json: constraints[0]: the coefficient of [\"p\"] comes to -9223372036854775808"
        ),
        "{}",
        r.stderr
    );
    // The coefficient -2^63 alone divides out: -2^63 p <= -2^63 is p >= 1.
    let r = constrained(
        r#"{"at":["p"],"coef":-9223372036854775808}"#,
        "<=",
        "-9223372036854775808",
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("t,p,1,3,bounded"), "{}", r.stdout);
}

fn long_row(n: usize) -> String {
    let v = (1u64 << 53) - 1;
    let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let values: Vec<String> = (0..n).map(|_| v.to_string()).collect();
    format!("R,{},Total\nr,{},x\n", header.join(","), values.join(","))
}

#[test]
fn a_hidden_total_past_2_53_is_bad_input_not_infeasible() {
    let dir = tempfile::tempdir().unwrap();
    for n in [1000, 1100] {
        write(dir.path(), "row.csv", &long_row(n));
        let r = run_in(dir.path(), &["bounds", "row.csv", "--format", "json"]);
        assert_eq!(r.status, 2, "{n} columns: {}", r.stderr);
        assert!(
            r.stderr
                .contains("row.csv:2: row \"r\": the published parts add up to")
                && r.stderr.contains("2^53"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn audit_protection_past_64_bits_is_refused_not_passed() {
    let dir = tempfile::tempdir().unwrap();
    let v = 4_500_000_000_000_000u64;
    write(
        dir.path(),
        "big.csv",
        &format!("R,A,B,Total\nr1,x,x,{0}\nr2,x,x,{0}\n", 2 * v),
    );
    write(
        dir.path(),
        "truth.csv",
        &format!("R,A,B,Total\nr1,{v},{v},{0}\nr2,{v},{v},{0}\n", 2 * v),
    );
    let r = run_in(
        dir.path(),
        &[
            "audit",
            "big.csv",
            "--truth",
            "truth.csv",
            "--protect-all",
            "--upper-protection",
            "205000",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.status, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.contains("--upper-protection 205000") && r.stderr.contains("9225000000000000000"),
        "{}",
        r.stderr
    );
    // A protection that fits still gives a verdict.
    let r = run_in(
        dir.path(),
        &[
            "audit",
            "big.csv",
            "--truth",
            "truth.csv",
            "--protect-all",
            "--upper-protection",
            "100",
            "--format",
            "csv",
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

// ---- audit: the truth must be the published table, nothing added ----

const T1: &str = "examples/table1-declarations.csv";
const T1_TRUTH: &str = "tests/data/audit/table1-truth.csv";

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// Audits table 1 against a truth derived from the right one by `edit`
/// (applied to its lines), returning the run.
fn audit_t1_with(dir: &Path, name: &str, edit: impl Fn(Vec<String>) -> Vec<String>) -> Run {
    let truth = std::fs::read_to_string(repo().join(T1_TRUTH)).unwrap();
    let lines = edit(truth.lines().map(String::from).collect());
    let path = write(dir, name, &(lines.join("\n") + "\n"));
    let published = repo().join(T1);
    run_in(
        dir,
        &[
            "audit",
            published.to_str().unwrap(),
            "--truth",
            path.to_str().unwrap(),
            "--format",
            "csv",
        ],
    )
}

#[test]
fn a_truth_with_an_extra_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (name, row) in [
        ("extra.csv", "MRC Extra,50,50,50,150"),
        ("zeros.csv", "MRC Zero,0,0,0,0"),
    ] {
        let r = audit_t1_with(dir.path(), name, |mut l| {
            l.insert(9, row.to_string());
            l
        });
        let label = row.split(',').next().unwrap();
        assert_eq!(r.status, 2, "{name}: {}", r.stdout);
        assert!(r.stdout.is_empty());
        assert!(
            r.stderr.contains(&format!(
                "{name}:10: row {label:?} is not in the published table"
            )),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_truth_with_an_extra_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let r = audit_t1_with(dir.path(), "col.csv", |l| {
        l.into_iter()
            .enumerate()
            .map(|(i, s)| if i == 0 { s + ",New" } else { s + ",99" })
            .collect()
    });
    assert_eq!(r.status, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("col.csv: column \"New\" is not in the published table"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_truth_with_a_wrong_total_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let r = audit_t1_with(dir.path(), "t999.csv", |l| {
        l.into_iter()
            .map(|s| s.replace("Total,337,489,148,974", "Total,337,489,148,999"))
            .collect()
    });
    assert_eq!(r.status, 2, "{}", r.stdout);
    assert!(r.stderr.contains("published 974, true 999"), "{}", r.stderr);
}

#[test]
fn a_truth_missing_a_row_names_the_truth_not_the_published_label() {
    let dir = tempfile::tempdir().unwrap();
    let r = audit_t1_with(dir.path(), "missing.csv", |l| {
        l.into_iter()
            .filter(|s| !s.contains("Kamouraska"))
            .collect()
    });
    assert_eq!(r.status, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "missing.csv: the truth has no row \"MRC Kamouraska\", which the published table"
        ) && r.stderr.contains("has at line 2"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("is not a code"), "{}", r.stderr);
}

#[test]
fn a_truth_list_naming_a_cell_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(
        dir.path(),
        "dup.json",
        r#"{"cells": [
  {"at": ["MRC La Mitis", "Volet 1"], "value": 6},
  {"at": ["MRC La Mitis", "Volet 3"], "value": 5},
  {"at": ["MRC Les Basques", "Volet 1"], "value": 7},
  {"at": ["MRC Les Basques", "Volet 3"], "value": 3},
  {"at": ["MRC La Mitis", "Volet 1"], "value": 6}]}"#,
    );
    let published = repo().join(T1);
    let r = run_in(
        dir.path(),
        &[
            "audit",
            published.to_str().unwrap(),
            "--truth",
            truth.to_str().unwrap(),
        ],
    );
    assert_eq!(r.status, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "dup.json: cells[4]: cell [\"MRC La Mitis\", \"Volet 1\"] is listed twice, in cells[0] and cells[4]"
        ),
        "{}",
        r.stderr
    );
}

// ---- the grid reader says what it read ----

#[test]
fn an_unrecognised_total_is_a_warning_on_stderr_with_the_flag_to_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "gt.csv",
        "R,A,B,C\nr1,x,9,20\nr2,x,15,25\nGrand total,13,24,45\n",
    );
    let r = run_in(
        dir.path(),
        &["bounds", "gt.csv", "--open", "--format", "csv"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("cellbound: warning: gt.csv:4: row \"Grand total\": it has a total word and equals the sum of the others")
            && r.stderr.contains("pass --total-label \"Grand total\""),
        "{}",
        r.stderr
    );
    let r = run_in(
        dir.path(),
        &[
            "bounds",
            "gt.csv",
            "--open",
            "--format",
            "csv",
            "--total-label",
            "Grand total",
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("Grand total"), "{}", r.stderr);
    // With its margin, the hidden cells are bounded by the total 13.
    assert!(r.stdout.contains("gt,r1,A,0,13,bounded"), "{}", r.stdout);
}

#[test]
fn skip_lines_skips_a_title() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "t.csv",
        "Tableau 4, certificats\nMRC;2023;Total\nA;x;8\nB;x;10\nTotal;18;18\n",
    );
    let r = run_in(
        dir.path(),
        &["bounds", "t.csv", "--open", "--format", "csv"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 1 skipped as a title"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("t,A,2023,8,8,exact"), "{}", r.stdout);
    let r = run_in(
        dir.path(),
        &[
            "bounds",
            "t.csv",
            "--open",
            "--format",
            "csv",
            "--skip-lines",
            "1",
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(r.stdout.contains("t,A,2023,8,8,exact"), "{}", r.stdout);
}

// ---- no panic: exit 2 with a message ----

#[test]
fn a_time_limit_out_of_range_is_exit_2_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let table = repo().join(T1);
    for t in [
        "1e19",
        "1e308",
        "2e19",
        "18446744073709551616",
        "nan",
        "inf",
    ] {
        let r = run_in(
            dir.path(),
            &[
                "bounds",
                table.to_str().unwrap(),
                "--open",
                "--time-limit",
                t,
            ],
        );
        assert_eq!(r.status, 2, "{t}: {}", r.stderr);
        assert!(
            r.stderr.contains("give a number of seconds from 0 to 1e9"),
            "{t}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let r = run_in(
        dir.path(),
        &[
            "bounds",
            table.to_str().unwrap(),
            "--open",
            "--time-limit",
            "1e9",
            "--format",
            "csv",
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
}

#[test]
fn synth_sizes_and_thresholds_out_of_range_are_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            &["--shape", "cube", "--dims", "18446744073709551615,2,2"][..],
            "is too large: at most 20000000",
        ),
        (
            &["--rows", "18446744073709551615"][..],
            "is too large: at most 20000000",
        ),
        (&["--threshold", "9223372036854775807"][..], "past 2^53 - 1"),
        (&["--threshold", "9007199254740993"][..], "past 2^53 - 1"),
    ] {
        let mut all = vec!["synth", "-o", "out.csv"];
        all.extend_from_slice(args);
        let r = run_in(dir.path(), &all);
        assert_eq!(r.status, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(!dir.path().join("out.csv").exists());
    }
}

#[test]
fn an_error_written_to_a_full_stderr_does_not_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    let status = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(["bounds", "no-such-file.csv"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(full)
        .status()
        .expect("spawn cellbound");
    assert_eq!(status.code(), Some(2));
}

// ---- -o: the file mode a user expects ----

#[cfg(unix)]
#[test]
fn an_output_file_gets_the_umask_mode_or_keeps_its_own() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let mode = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    // What this process's umask gives any new file.
    std::fs::File::create(dir.path().join("plain")).unwrap();
    let table = repo().join(T1);
    let table = table.to_str().unwrap();
    let r = run_in(dir.path(), &["bounds", table, "--open", "-o", "new.csv"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(mode("new.csv"), mode("plain"));
    if mode("plain") != 0o600 {
        assert_ne!(mode("new.csv"), 0o600, "the temporary file's mode leaked");
    }
    // An overwritten file keeps its mode, whatever it is.
    for kept in [0o644, 0o640, 0o604] {
        write(dir.path(), "old.json", "previous run\n");
        std::fs::set_permissions(
            dir.path().join("old.json"),
            std::fs::Permissions::from_mode(kept),
        )
        .unwrap();
        let r = run_in(dir.path(), &["bounds", table, "--open", "-o", "old.json"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        assert_eq!(mode("old.json"), kept);
        let text = std::fs::read_to_string(dir.path().join("old.json")).unwrap();
        assert!(text.contains("\"feasible\": true"), "{text}");
    }
    let r = run_in(
        dir.path(),
        &["synth", "--rows", "3", "--cols", "3", "-o", "s.csv"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(mode("s.csv"), mode("plain"));
}

// ---- help that agrees with the program ----

#[test]
fn help_offers_what_the_program_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(dir.path(), &["explain", "--help"]);
    assert_eq!(r.status, 0);
    assert!(
        r.stdout.contains("- table:") && r.stdout.contains("- json:"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("- csv:") && !r.stdout.contains("- jj:"),
        "{}",
        r.stdout
    );
    let table = repo().join(T1);
    let r = run_in(
        dir.path(),
        &[
            "explain",
            table.to_str().unwrap(),
            "--cell",
            "MRC La Mitis,Volet 1",
            "--format",
            "csv",
        ],
    );
    assert_eq!(r.status, 2);
    assert!(
        r.stderr.contains("possible values: table, json"),
        "{}",
        r.stderr
    );

    let r = run_in(dir.path(), &["--help"]);
    assert_eq!(r.status, 0);
    assert!(
        !r.stdout.contains("The command-line interface of cellbound"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .starts_with("Tight bounds for the suppressed cells of a published statistical table."),
        "{}",
        r.stdout
    );

    let r = run_in(dir.path(), &["synth", "--help"]);
    assert_eq!(r.status, 0);
    for default in [
        "[default: 10,100,2000]",
        "[default: 10,50,500]",
        "[default: 20,20,20]",
    ] {
        assert!(r.stdout.contains(default), "{default}: {}", r.stdout);
    }
}

// ---- the audit requirement in the solver itself ----

/// The solver's audit computes `v + ceil(P% of v)` exactly. The CLI
/// refuses such a protection before it gets there (see
/// `audit_protection_past_64_bits_is_refused_not_passed`); this checks the
/// library, for callers other than the CLI.
#[test]
fn the_audit_requirement_does_not_wrap() {
    use cellbound::core::io::{csv_grid, GridOptions};
    use cellbound::solver::{audit, Protection, Verdict};
    let v: i64 = 4_500_000_000_000_000;
    let text = format!("R,A,B,Total\nr1,x,x,{0}\nr2,x,x,{0}\n", 2 * v);
    let model = csv_grid::read(text.as_bytes(), "big.csv", "big", &GridOptions::default()).unwrap();
    let truth = vec![model.tables[0]
        .cells
        .iter()
        .map(|c| c.entry.published().unwrap_or(v))
        .collect::<Vec<_>>()];
    let protection = Protection {
        upper_protection: Some(205_000),
        protect_all: true,
        ..Protection::default()
    };
    let report = audit(
        &model,
        &truth,
        false,
        &protection,
        None,
        &cellbound::solver::Options::default(),
    )
    .unwrap();
    for cell in &report.cells {
        let at_least = cell.requirement.upper_at_least.unwrap();
        assert!(at_least > v, "the requirement wrapped: {at_least}");
        // Upper bound 2v is far below v + 2050 v: the cell fails.
        assert_eq!(cell.verdict, Verdict::Fail, "{:?}", cell.failures);
    }
}

#[test]
fn an_infeasible_verdict_written_to_a_full_stderr_does_not_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    // Table 1 under the default rule is infeasible (exit 3).
    let status = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .args(["bounds", T1, "--format", "json"])
        .current_dir(repo())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(full)
        .status()
        .expect("spawn cellbound");
    assert_eq!(status.code(), Some(3));
}

/// `--witnesses` with a format that cannot carry witnesses is refused
/// before any solving, instead of computed and dropped.
#[test]
fn witnesses_without_json_are_refused() {
    for format in ["csv", "table"] {
        let (code, out, err) = crate::common::run(&[
            "bounds",
            &crate::common::path("examples/table1-declarations.csv"),
            "--open",
            "--witnesses",
            "--format",
            format,
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(out.is_empty());
        assert!(
            err.contains("--witnesses") && err.contains("--format json"),
            "{err}"
        );
        assert!(err.contains(format), "{err}");
    }
}

/// `explain` takes `--time-limit` and `-q` like `bounds`.
#[test]
fn explain_takes_a_time_limit() {
    let (code, out, err) = crate::common::run(&[
        "explain",
        &crate::common::path("examples/table1-declarations.csv"),
        "--cell",
        "MRC La Mitis,Volet 1",
        "--open",
        "--time-limit",
        "30",
        "-q",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"lower\""), "{out}");
}

/// `--witnesses` honours `--time-limit`: past it, no more derivations are
/// sought (each is an LP), and standard error says how many cells have
/// none. With a zero limit no cell is derived.
#[test]
fn witnesses_stop_deriving_at_the_time_limit() {
    let (code, out, err) = crate::common::run(&[
        "bounds",
        &crate::common::path("tests/golden/inputs/grid-30x8-s1.csv"),
        "--open",
        "--witnesses",
        "--time-limit",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cells = json["cells"].as_array().unwrap();
    assert!(cells.iter().all(|c| c["proofs"].is_null()), "{out}");
    assert!(
        err.contains(&format!(
            "{} of {} hidden cells have no derivation",
            cells.len(),
            cells.len()
        )),
        "{err}"
    );
}
