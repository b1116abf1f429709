//! `cellbound protect`: every failing audit of the seed tables becomes a
//! pattern that `cellbound audit` itself passes; the published table
//! reads back; the same input gives the same bytes; bad input is named.

use serde_json::Value;

use crate::common::{path, run};

/// The seed pairs (published, truth) and the requirements under which
/// their audit fails.
const FAILING: &[(&str, &str, &[&str])] = &[
    (
        "tests/data/audit/table4-forgot-a-complement.csv",
        "tests/data/audit/table4-truth.csv",
        &[],
    ),
    (
        "tests/data/audit/leak.csv",
        "tests/data/audit/leak-truth.csv",
        &[],
    ),
    (
        "examples/table1-declarations.csv",
        "tests/data/audit/table1-truth.csv",
        &["--strict"],
    ),
    (
        "examples/table1-declarations.csv",
        "tests/data/audit/table1-truth-b.csv",
        &["--upper-protection", "200", "--lower-protection", "100"],
    ),
    (
        "examples/table2-invitations.csv",
        "tests/data/audit/table2-truth.csv",
        &["--upper-protection", "100", "--lower-protection", "100"],
    ),
    (
        "examples/table4-peq-graduates.csv",
        "tests/data/audit/table4-truth.csv",
        &["--strict", "--min-width", "4"],
    ),
];

fn audit(published: &str, truth: &str, args: &[&str]) -> i32 {
    let mut all = vec!["audit", published, "--truth", truth, "--format", "json"];
    all.extend(args);
    run(&all).0
}

#[test]
fn every_failing_seed_audit_becomes_a_passing_pattern() {
    let dir = tempfile::tempdir().unwrap();
    for (k, (published, truth, args)) in FAILING.iter().enumerate() {
        let (published, truth) = (path(published), path(truth));
        assert_eq!(
            audit(&published, &truth, args),
            1,
            "{published} {args:?} should fail"
        );
        let out = dir.path().join(format!("pub{k}.csv"));
        let out = out.to_str().unwrap();
        let mut all = vec![
            "protect",
            &truth,
            "--pattern",
            &published,
            "--format",
            "json",
            "-o",
            out,
        ];
        all.extend(*args);
        let (code, stdout, stderr) = run(&all);
        assert_eq!(code, 0, "{published} {args:?}: {stderr}");
        let report: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["verdict"], "pass");
        assert_eq!(report["audit"]["verdict"], "pass");
        // The audit command, run on the written table, agrees.
        assert_eq!(audit(out, &truth, args), 0, "{published} {args:?}");
        // Cells hidden in the starting pattern stay hidden.
        let before = std::fs::read_to_string(&published).unwrap();
        let after = std::fs::read_to_string(out).unwrap();
        for (b, a) in before.lines().zip(after.lines()).skip(1) {
            for (x, y) in b.split(',').zip(a.split(',')) {
                if x == "x" {
                    assert_eq!(y, "x", "{published}: {b} became {a}");
                }
            }
        }
    }
}

#[test]
fn a_true_table_alone_gives_a_grid_that_bounds_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pub.csv");
    let out = out.to_str().unwrap();
    let truth = path("tests/data/audit/table1-truth.csv");
    let (code, stdout, stderr) = run(&["protect", &truth, "-o", out, "--format", "table"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("PASS: 4 hidden"), "{stdout}");
    assert!(
        stdout.contains("1 primary, 3 complementary cells"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(out).unwrap();
    assert!(written.contains("MRC Les Basques,x,15,x,25"), "{written}");
    let (code, _, stderr) = run(&["bounds", out, "--open", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(audit(out, &truth, &[]), 0);
}

#[test]
fn a_json_model_gives_a_json_model() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let truth = format!("{d}/truth.json");
    let (code, _, _) = run(&[
        "synth",
        "--shape",
        "cube",
        "--dims",
        "5,4,3",
        "--seed",
        "3",
        "-o",
        &format!("{d}/synth.json"),
        "--truth",
        &truth,
    ]);
    assert_eq!(code, 0);
    let out = format!("{d}/pub.json");
    let (code, stdout, stderr) = run(&["protect", &truth, "-o", &out, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["stats"]["network"], false);
    assert!(!report["primary"].as_array().unwrap().is_empty());
    assert_eq!(audit(&out, &truth, &[]), 0);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let truth = path("tests/data/audit/leak-truth.csv");
    let args = [
        "protect",
        &truth,
        "--format",
        "json",
        "--upper-protection",
        "50",
    ];
    let first = run(&args);
    let second = run(&args);
    assert_eq!(first.0, 0, "{}", first.2);
    assert_eq!(first.1, second.1);
    let csv = run(&["protect", &truth, "--format", "csv"]);
    assert_eq!(csv.1, run(&["protect", &truth, "--format", "csv"]).1);
    assert!(
        csv.1
            .starts_with("table,dim1,dim2,value,role,cost,lower,upper,verdict\n"),
        "{}",
        csv.1
    );
}

#[test]
fn costs_and_kept_cells_are_honoured() {
    let truth = path("tests/data/audit/table1-truth.csv");
    let (code, stdout, stderr) = run(&[
        "protect",
        &truth,
        "--format",
        "json",
        "--cost",
        "unity",
        "--keep-published",
        "MRC La Mitis,Volet 1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    for c in report["complements"].as_array().unwrap() {
        assert_ne!(c["at"], serde_json::json!(["MRC La Mitis", "Volet 1"]));
        assert_eq!(c["cost"], 1.0);
    }
    assert_eq!(report["audit"]["verdict"], "pass");
}

#[test]
fn bad_input_is_named() {
    let t1 = path("tests/data/audit/table1-truth.csv");
    // A truth that does not add up: exit 2, the line named.
    let (code, _, err) = run(&["protect", &path("tests/data/audit/table1-wrong-truth.csv")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("row \"MRC La Mitis\""), "{err}");
    // A primary cell required to stay published.
    let (code, _, err) = run(&[
        "protect",
        &t1,
        "--keep-published",
        "MRC Les Basques,Volet 3",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is primary (true value 3)") && err.contains("--keep-published"),
        "{err}"
    );
    // A requirement no pattern can meet: exit 3, the cell and its lines.
    let (code, _, err) = run(&[
        "protect",
        &t1,
        "--upper-protection",
        "100000",
        "--keep-published",
        "MRC Les Basques,Total",
        "--keep-published",
        "Total,Volet 3",
    ]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("no suppression pattern can protect cell [\"MRC Les Basques\", \"Volet 3\"]"),
        "{err}"
    );
    assert!(err.contains("row \"MRC Les Basques\""), "{err}");
    // A hidden cell in the true table.
    let (code, _, err) = run(&["protect", &path("examples/table1-declarations.csv")]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--pattern"), "{err}");
    // An unknown cost, a cost column the input has not, an unknown cell.
    let (code, _, err) = run(&["protect", &t1, "--cost", "weight"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("unity, value, log"), "{err}");
    let (code, _, err) = run(&["protect", &t1, "--cost", "cost"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("JJ"), "{err}");
    let (code, _, err) = run(&["protect", &t1, "--keep-published", "Nowhere,Volet 1"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--keep-published \"Nowhere,Volet 1\""),
        "{err}"
    );
}

#[test]
fn synth_protect_writes_a_table_that_passes_the_audit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for (shape, size, ext) in [
        ("grid", ["--rows", "30"], "csv"),
        ("cube", ["--dims", "6,5,4"], "json"),
    ] {
        let (published, truth) = (
            format!("{d}/{shape}.{ext}"),
            format!("{d}/{shape}-truth.{ext}"),
        );
        let (code, _, err) = run(&[
            "synth",
            "--shape",
            shape,
            size[0],
            size[1],
            "--protect",
            "-o",
            &published,
            "--truth",
            &truth,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("primary"), "{err}");
        assert_eq!(audit(&published, &truth, &[]), 0, "{shape}");
        // The same seed, the same bytes.
        let again = format!("{d}/{shape}-again.{ext}");
        run(&[
            "synth",
            "--shape",
            shape,
            size[0],
            size[1],
            "--protect",
            "-o",
            &again,
        ]);
        assert_eq!(
            std::fs::read(&published).unwrap(),
            std::fs::read(&again).unwrap()
        );
    }
}

#[test]
fn a_time_limit_that_passes_is_exit_4_with_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pub.csv");
    let out = out.to_str().unwrap();
    let truth = path("tests/data/audit/table1-truth.csv");
    let (code, stdout, err) = run(&["protect", &truth, "--time-limit", "0", "-o", out]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("time limit"), "{err}");
    assert!(stdout.is_empty());
    assert!(!std::path::Path::new(out).exists());
}

/// Linked tables: two tables whose row `r0` is the same four cells (extra
/// constraints `a - b = 0`) are protected together: the published model
/// passes the audit, and each shared cell has one status in both tables.
#[test]
fn a_cell_common_to_linked_tables_has_one_status() {
    let truth = path("tests/data/protect/linked-truth.json");
    let dir = tempfile::tempdir().unwrap();
    for cost in ["unity", "value"] {
        let out = format!("{}/pub-{cost}.json", dir.path().display());
        let (code, _, stderr) = run(&["protect", &truth, "--cost", cost, "-o", &out, "-q"]);
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(audit(&out, &truth, &[]), 0);
        let published: Value =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let hidden = |table: usize, at: &[&str]| {
            published["tables"][table]["cells"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["at"] == serde_json::json!(at))
                .map(|c| c.get("hidden").is_some())
                .unwrap()
        };
        let mut shared_hidden = 0;
        for column in ["c0", "c1", "c2", "Total"] {
            let at = ["r0", column];
            assert_eq!(hidden(0, &at), hidden(1, &at), "{cost}: r0, {column}");
            shared_hidden += usize::from(hidden(0, &at));
        }
        // The small shared cell and at least one complement on its row.
        assert!(shared_hidden >= 2, "{cost}");
    }
}

/// A cell hidden in one linked table (here by the pattern given) whose
/// twin the search leaves published: the twin is hidden too, and counted.
#[test]
fn the_published_twin_of_a_hidden_linked_cell_is_hidden() {
    let truth = path("tests/data/protect/linked-truth.json");
    let pattern = path("tests/data/protect/linked-pattern.json");
    let (code, stdout, stderr) =
        run(&["protect", &truth, "--pattern", &pattern, "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["stats"]["linked"], 1);
    assert_eq!(report["stats"]["links_left"], 0);
    let complements = report["complements"].as_array().unwrap();
    assert!(
        complements
            .iter()
            .any(|c| c["table"] == "b" && c["at"] == serde_json::json!(["r0", "Total"])),
        "{stdout}"
    );
}

/// `--cost COL`: a long file's column prices each cell. Its COST column
/// makes the small cells dear and the large ones cheap, so the pattern
/// differs from `--cost value`'s, and its cost is that column's.
#[test]
fn a_long_files_column_is_the_cost() {
    let truth = path("tests/data/protect/cost-column-truth.csv");
    let complements = |cost: &str| {
        let (code, stdout, stderr) = run(&[
            "protect", &truth, "--dims", "R,C", "--cost", cost, "--format", "json",
        ]);
        assert_eq!(code, 0, "{stderr}");
        let report: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(report["verdict"], "pass");
        report["complements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["at"].to_string(), c["cost"].as_f64().unwrap()))
            .collect::<Vec<_>>()
    };
    let by_value = complements("value");
    let by_column = complements("COST");
    assert_ne!(by_value, by_column);
    // Every complement priced by the column: 1 for a large cell, 100 for a
    // small one, and the column's total below the value pattern's price in
    // that column (each value-chosen cell is under 20: 100 each).
    let total: f64 = by_column.iter().map(|(_, c)| c).sum();
    assert!(by_column.iter().all(|(_, c)| *c == 1.0 || *c == 100.0));
    assert!(total < 100.0 * by_value.len() as f64, "{by_column:?}");
    let (code, _, stderr) = run(&["protect", &truth, "--dims", "R,C", "--cost", "NOPE"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("the file has no column \"NOPE\""),
        "{stderr}"
    );
}

/// `audit --basis witnesses` passes a protected cube on tables that reach
/// each requirement, its intervals inside the tight ones of `--basis
/// bounds`, and lists only the audited cells; on a pattern that fails,
/// the tight bounds decide (basis `bounds`, exit 1).
#[test]
fn an_audit_on_witness_tables_agrees_with_the_tight_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (published, truth) = (format!("{d}/cube.json"), format!("{d}/truth.json"));
    let (code, _, err) = run(&[
        "synth",
        "--shape",
        "cube",
        "--dims",
        "6,5,4",
        "--protect",
        "-o",
        &published,
        "--truth",
        &truth,
    ]);
    assert_eq!(code, 0, "{err}");
    // The cube as synth protects it (never exactly disclosed), and as
    // protect does with safety ranges of 30% each way.
    let ranged = format!("{d}/ranged.json");
    let pct = ["--upper-protection", "30", "--lower-protection", "30"];
    let mut args = vec!["protect", &truth, "-o", &ranged, "-q"];
    args.extend(pct);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let audit_on = |published: &str, truth: &str, basis: &str, extra: &[&str]| {
        let mut args = vec![
            "audit", published, "--truth", truth, "--format", "json", "--basis", basis,
        ];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert!(code == 0 || code == 1, "{err}");
        (code, serde_json::from_str::<Value>(&out).unwrap())
    };
    for (published, extra) in [(&published, &[][..]), (&ranged, &pct[..])] {
        let (code, tight) = audit_on(published, &truth, "bounds", extra);
        let (wcode, witnessed) = audit_on(published, &truth, "witnesses", extra);
        assert_eq!((code, wcode), (0, 0));
        assert_eq!(tight["basis"], "bounds");
        assert_eq!(witnessed["basis"], "witnesses");
        assert_eq!(witnessed["summary"]["hidden"], tight["summary"]["hidden"]);
        let audited: Vec<&Value> = tight["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["audited"] == true)
            .collect();
        let cells = witnessed["cells"].as_array().unwrap();
        assert_eq!(cells.len(), audited.len());
        assert!(!cells.is_empty());
        let n = |v: &Value| v.as_i64().unwrap();
        for (w, t) in cells.iter().zip(audited) {
            assert_eq!(w["at"], t["at"]);
            assert_eq!(w["status"], "reached");
            assert_eq!(w["verdict"], "pass");
            assert!(n(&t["lower"]) <= n(&w["lower"]), "{w} {t}");
            assert!(
                t["upper"].is_null() || n(&t["upper"]) >= n(&w["upper"]),
                "{w} {t}"
            );
            assert!(n(&w["lower"]) < n(&w["upper"]), "{w}");
            if !extra.is_empty() {
                assert!(n(&w["lower"]) <= n(&w["required"]["lower_at_most"]), "{w}");
                assert!(n(&w["upper"]) >= n(&w["required"]["upper_at_least"]), "{w}");
            }
        }
    }
    // A pattern that leaks: no table for it, the tight bounds decide.
    let (code, doc) = audit_on(
        &path("tests/data/audit/leak.csv"),
        &path("tests/data/audit/leak-truth.csv"),
        "witnesses",
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(doc["basis"], "bounds");
}
