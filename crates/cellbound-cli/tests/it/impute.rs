//! `cellbound impute` end to end: the filled table in the input's layout
//! reads back with every line adding up, the JSON passes `verify` (and a
//! tampered estimate does not), a prior that is the truth gives the truth
//! back, and bad input, infeasible tables and unproved bounds get their
//! exit statuses with no table written.

use std::path::Path;

use crate::common::{path, run, run_in, write};

/// Runs `impute INPUT --open -o OUT` in `dir`, then reads OUT back with
/// `bounds`: both must succeed (a line that does not add up is exit 2).
/// Returns the filled file's text and how many hidden cells `bounds`
/// found in it.
fn fill_and_read_back(dir: &Path, input: &str, out: &str) -> (String, usize) {
    let r = run_in(dir, &["impute", input, "--open", "-o", out]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let back = run_in(dir, &["bounds", out, "--open", "--format", "csv"]);
    assert_eq!(back.status, 0, "{}", back.stderr);
    let hidden = back.stdout.lines().count() - 1;
    (std::fs::read_to_string(dir.join(out)).unwrap(), hidden)
}

#[test]
fn the_seed_grid_is_filled_in_its_own_layout_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = path("examples/table1-declarations.csv");
    let (filled, hidden) = fill_and_read_back(dir.path(), &input, "filled.csv");
    assert_eq!(hidden, 0);
    let original = std::fs::read_to_string(&input).unwrap();
    // The same header and row labels, no hidden cell left.
    assert_eq!(filled.lines().next(), original.lines().next());
    assert_eq!(filled.lines().count(), original.lines().count());
    assert!(!filled.contains(",x") && !filled.contains("x,"), "{filled}");
    // The published cells are unchanged.
    for (a, b) in original.lines().zip(filled.lines()) {
        for (x, y) in a.split(',').zip(b.split(',')) {
            if x != "x" {
                assert_eq!(x, y);
            }
        }
    }
}

#[test]
fn a_json_model_is_filled_as_a_json_model() {
    let dir = tempfile::tempdir().unwrap();
    let (text, hidden) =
        fill_and_read_back(dir.path(), &path("examples/hierarchy.json"), "filled.json");
    assert_eq!(hidden, 0);
    assert!(!text.contains("\"hidden\""), "{text}");
}

#[test]
fn the_json_output_verifies_and_a_tampered_estimate_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = path("examples/table1-declarations.csv");
    for witnesses in [false, true] {
        let mut args = vec![
            "impute", &input, "--open", "--format", "json", "-o", "imp.json",
        ];
        if witnesses {
            args.push("--witnesses");
        }
        let r = run_in(dir.path(), &args);
        assert_eq!(r.status, 0, "{}", r.stderr);
        let v = run_in(dir.path(), &["verify", &input, "imp.json"]);
        assert_eq!(v.status, 0, "{}{}", v.stdout, v.stderr);
        assert!(v.stdout.contains("the imputed table"), "{}", v.stdout);
        if witnesses {
            assert!(v.stdout.contains("proved by a derivation"), "{}", v.stdout);
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("imp.json")).unwrap())
            .unwrap();
    let cells = json["cells"].as_array().unwrap();
    assert!(cells
        .iter()
        .all(|c| c["estimate"].is_i64() && c["method"].is_string()));
    let mut tampered = json.clone();
    let e = tampered["cells"][0]["estimate"].as_i64().unwrap();
    tampered["cells"][0]["estimate"] = serde_json::json!(e + 1);
    write(dir.path(), "bad.json", &tampered.to_string());
    let v = run_in(dir.path(), &["verify", &input, "bad.json"]);
    assert_eq!(v.status, 1, "{}", v.stdout);
    assert!(
        v.stdout.contains("the imputed table breaks"),
        "{}",
        v.stdout
    );
}

#[test]
fn a_prior_that_is_the_truth_gives_the_truth_back() {
    let input = path("tests/golden/inputs/grid-30x8-s1.csv");
    let truth = path("tests/golden/inputs/grid-30x8-s1-truth.csv");
    let (status, out, err) = run(&["impute", &input, "--open", "--prior", &truth]);
    assert_eq!(status, 0, "{err}");
    let expected = std::fs::read_to_string(&truth).unwrap();
    assert_eq!(out.trim_end(), expected.trim_end());
    // And the methods say which they are.
    let (_, json, _) = run(&[
        "impute", &input, "--open", "--prior", &truth, "--format", "json",
    ]);
    assert!(json.contains("\"method\": \"prior\""), "{json}");
    let (_, json, _) = run(&[
        "impute", &input, "--open", "--method", "midpoint", "--format", "json",
    ]);
    assert!(json.contains("\"method\": \"midpoint\""), "{json}");
}

#[test]
fn a_prior_without_the_hidden_cells_labels_is_exit_2_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let input = path("examples/table1-declarations.csv");
    let prior = write(
        dir.path(),
        "prior.csv",
        "MRC,Volet 1,Volet 2,Total\nMRC Kamouraska,1,2,3\nTotal,1,2,3\n",
    );
    let r = run_in(
        dir.path(),
        &[
            "impute", &input, "--open", "--prior", &prior, "-o", "out.csv",
        ],
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("prior.csv: the prior has no cell for"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("MRC La Mitis"), "{}", r.stderr);
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn infeasible_is_exit_3_and_unproved_is_exit_4_with_no_table() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.csv",
        "r,A,B,Total\nx1,x,x,20\ny1,2,3,5\nTotal,x,x,25\n",
    );
    let r = run_in(dir.path(), &["impute", &bad, "-o", "out.csv"]);
    assert_eq!(r.status, 3, "{}", r.stderr);
    assert!(r.stderr.contains("infeasible"), "{}", r.stderr);
    assert!(!dir.path().join("out.csv").exists());
    // A time limit of 0 leaves every bound unproved on a table that needs
    // solving: no table, unless asked for.
    let input = path("tests/golden/inputs/grid-60x12-s7.csv");
    let r = run_in(
        dir.path(),
        &[
            "impute",
            &input,
            "--open",
            "--time-limit",
            "0",
            "-o",
            "out.csv",
        ],
    );
    assert_eq!(r.status, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--allow-unproved"), "{}", r.stderr);
    assert!(!dir.path().join("out.csv").exists());
}

#[test]
fn allow_unproved_writes_the_table_inside_sound_bounds_and_still_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let input = path("tests/golden/inputs/grid-60x12-s7.csv");
    let r = run_in(
        dir.path(),
        &[
            "impute",
            &input,
            "--open",
            "--time-limit",
            "0",
            "--allow-unproved",
            "--format",
            "json",
            "-o",
            "out.json",
        ],
    );
    assert_eq!(r.status, 4, "{}", r.stderr);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap())
            .unwrap();
    let cells = json["cells"].as_array().unwrap();
    assert!(
        cells.iter().any(|c| c["tight"] == false),
        "some bound is marked not tight"
    );
    // The table still satisfies every line: verify checks it.
    let v = run_in(dir.path(), &["verify", &input, "out.json"]);
    assert_eq!(v.status, 0, "{}{}", v.stdout, v.stderr);
}

#[test]
fn a_jj_file_is_filled_as_a_jj_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = path("crates/cellbound-core/tests/data/jj/grid2x3.jj");
    let r = run_in(dir.path(), &["impute", &input, "--open", "-o", "filled.jj"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("filled.jj")).unwrap();
    let original = std::fs::read_to_string(&input).unwrap();
    assert_eq!(text.lines().count(), original.lines().count());
    // It reads back as a JJ file, with the same hidden cells.
    let back = run_in(
        dir.path(),
        &["bounds", "filled.jj", "--open", "--format", "csv"],
    );
    assert_eq!(back.status, 0, "{}", back.stderr);
}

#[test]
fn means_are_written_where_the_tables_were_counted() {
    let input = path("examples/table1-declarations.csv");
    let (status, out, err) = run(&["impute", &input, "--open", "--means", "--format", "json"]);
    assert_eq!(status, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    for c in json["cells"].as_array().unwrap() {
        // Nine tables fit the two rows and two columns of La Mitis and Les
        // Basques (counted here by hand: Mitis/Volet 1 runs 3..11).
        assert_eq!(c["tables"], 9, "{c}");
        let mean = c["mean"].as_f64().unwrap();
        assert!(mean >= c["lower"].as_f64().unwrap() && mean <= c["upper"].as_f64().unwrap());
    }
    assert_eq!(json["cells"][0]["mean"], 7.0);
}

#[test]
fn o_ending_in_html_writes_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = path("examples/table1-declarations.csv");
    let r = run_in(
        dir.path(),
        &["impute", &input, "--open", "-o", "filled.html"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let page = std::fs::read_to_string(dir.path().join("filled.html")).unwrap();
    assert!(
        page.starts_with("<!DOCTYPE html>"),
        "{}",
        &page[..page.len().min(80)]
    );
    // Any other extension keeps the filled table.
    let (_, hidden) = fill_and_read_back(dir.path(), &input, "filled.txt");
    assert_eq!(hidden, 0);
}
