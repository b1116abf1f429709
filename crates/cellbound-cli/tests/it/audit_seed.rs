//! `cellbound audit` on the seed tables against true tables made to fit
//! them, with verdicts worked out by hand.

use std::process::Command;

use serde_json::Value;

use crate::common::{path, run};

/// Runs `cellbound audit PUBLISHED --truth TRUTH --format json ARGS`.
fn audit(published: &str, truth: &str, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .arg("audit")
        .arg(path(published))
        .arg("--truth")
        .arg(path(truth))
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        json,
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn cell<'a>(report: &'a Value, row: &str, col: &str) -> &'a Value {
    report["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["at"][0] == row && c["at"][1] == col)
        .unwrap_or_else(|| panic!("no cell {row}, {col}"))
}

const T1: &str = "examples/table1-declarations.csv";
const T1_TRUTH: &str = "tests/data/audit/table1-truth.csv";

#[test]
fn table1_passes_under_the_open_attacker() {
    // Truth: Mitis 6 and 5, Basques 7 and 3. Only Basques 3 (true 3) is
    // sensitive; the open attacker sees it in 0..8.
    let (code, r, _) = audit(T1, T1_TRUTH, &[]);
    assert_eq!(code, 0);
    assert_eq!(r["verdict"], "pass");
    let b3 = cell(&r, "MRC Les Basques", "Volet 3");
    assert_eq!(
        (b3["lower"].as_i64(), b3["upper"].as_i64()),
        (Some(0), Some(8))
    );
    assert_eq!(b3["sensitive"], true);
    assert_eq!(b3["verdict"], "pass");
    assert_eq!(
        cell(&r, "MRC La Mitis", "Volet 1")["verdict"],
        "not audited"
    );
    // Mitis 1 is proved at least 3: an existence disclosure, a finding.
    assert_eq!(
        cell(&r, "MRC La Mitis", "Volet 1")["existence_disclosed"],
        true
    );
    assert_eq!(r["summary"]["audited"], 1);
    assert_eq!(r["summary"]["existence_disclosed"], 2);
}

#[test]
fn table1_strict_makes_existence_disclosure_fail() {
    let (code, r, _) = audit(T1, T1_TRUTH, &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(cell(&r, "MRC La Mitis", "Volet 1")["verdict"], "fail");
}

#[test]
fn table1_min_width_nine_fails_basques3() {
    // 0..8 is 8 wide.
    let (code, r, _) = audit(T1, T1_TRUTH, &["--min-width", "9"]);
    assert_eq!(code, 1);
    let b3 = cell(&r, "MRC Les Basques", "Volet 3");
    assert_eq!(b3["verdict"], "fail");
    assert!(!b3["pinned_by"].as_array().unwrap().is_empty());
    assert_eq!(r["summary"]["under_protected"], 1);
}

#[test]
fn table1_lower_protection_with_zeros_shown() {
    // Zeros shown: Basques 3 in 1..7; 100% below 3 needs a lower bound
    // <= 0, which 1 is not; 100% above needs >= 6, which 7 is.
    let (code, r, _) = audit(
        T1,
        T1_TRUTH,
        &["--zeros-shown", "--upper-protection", "100"],
    );
    assert_eq!(code, 0, "{r}");
    let (code, r, _) = audit(
        T1,
        T1_TRUTH,
        &["--zeros-shown", "--lower-protection", "100"],
    );
    assert_eq!(code, 1);
    let b3 = cell(&r, "MRC Les Basques", "Volet 3");
    assert_eq!(b3["required"]["lower_at_most"], 0);
    assert_eq!(b3["lower"], 1);
}

#[test]
fn table1_truth_that_does_not_add_up_is_bad_input() {
    let (code, _, err) = audit(T1, "tests/data/audit/table1-wrong-truth.csv", &[]);
    assert_eq!(code, 2);
    assert!(err.contains("row \"MRC La Mitis\""), "{err}");
    assert!(err.contains("column \"Volet 3\""), "{err}");
}

#[test]
fn table2_every_sensitive_cell_is_protected() {
    let (code, r, _) = audit(
        "examples/table2-invitations.csv",
        "tests/data/audit/table2-truth.csv",
        &[],
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["summary"]["hidden"], 15);
    assert_eq!(r["summary"]["exactly_disclosed"], 0);
    // Les Basques' total equals its hidden stream-2 cell: same interval.
    let total = cell(&r, "MRC Les Basques", "Total");
    let v2 = cell(&r, "MRC Les Basques", "Volet 2");
    assert_eq!(total["lower"], v2["lower"]);
    assert_eq!(total["upper"], v2["upper"]);
}

#[test]
fn table4_is_narrow_with_zeros_shown() {
    let t4 = "examples/table4-peq-graduates.csv";
    let truth = "tests/data/audit/table4-truth.csv";
    let (code, r, _) = audit(t4, truth, &["--zeros-shown"]);
    assert_eq!(code, 0);
    let k = cell(&r, "MRC de Kamouraska", "2023");
    assert_eq!(
        (k["lower"].as_i64(), k["upper"].as_i64()),
        (Some(1), Some(2))
    );
    // Kamouraska 2023 + unknown 2023 = 3: both only 1 wide.
    let (code, r, _) = audit(t4, truth, &["--zeros-shown", "--min-width", "2"]);
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["failed"], 2);
    assert_eq!(
        cell(&r, "MRC de Kamouraska", "2023")["pinned_by"][0],
        "column \"2023\""
    );
}

#[test]
fn an_exactly_recoverable_cell_fails_and_names_its_line() {
    // Row B hides one cell only: 16 - 6 - 7 = 3.
    let (code, r, _) = audit(
        "tests/data/audit/leak.csv",
        "tests/data/audit/leak-truth.csv",
        &[],
    );
    assert_eq!(code, 1);
    let b1 = cell(&r, "B", "C1");
    assert_eq!(b1["status"], "exact");
    assert_eq!(b1["verdict"], "fail");
    assert_eq!(b1["pinned_by"], serde_json::json!(["row \"B\""]));
    assert_eq!(r["summary"]["exactly_disclosed"], 1);
    // The true zero at A, C2 is exact too, but zero is not sensitive
    // unless asked.
    assert_eq!(cell(&r, "A", "C2")["verdict"], "not audited");
    let (_, r, _) = audit(
        "tests/data/audit/leak.csv",
        "tests/data/audit/leak-truth.csv",
        &["--zero-sensitive"],
    );
    assert_eq!(cell(&r, "A", "C2")["verdict"], "fail");
}

#[test]
fn a_truth_list_in_json_gives_the_same_verdict() {
    let (code, r, _) = audit(T1, "tests/data/audit/table1-truth.json", &[]);
    assert_eq!(code, 0);
    assert_eq!(cell(&r, "MRC Les Basques", "Volet 3")["value"], 3);
    assert_eq!(r["summary"]["audited"], 1);
}

#[test]
fn a_truth_list_with_an_unknown_code_or_a_missing_cell_is_bad_input() {
    let (code, _, err) = audit(T1, "tests/data/audit/table1-unknown-code.json", &[]);
    assert_eq!(code, 2);
    assert!(err.contains("cells[1]") && err.contains("Volet 9"), "{err}");
    let (code, _, err) = audit(T1, "tests/data/audit/table1-missing.json", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no true value") && err.contains("Volet 3"),
        "{err}"
    );
}

#[test]
fn a_truth_grid_must_give_every_cell() {
    // The published table is no truth: its hidden cells are hidden.
    let (code, _, err) = audit(T1, T1, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("the truth must give every cell"), "{err}");
}

const JJ: &str = "crates/cellbound-core/tests/data/jj/grid2x3.jj";

#[test]
fn a_jj_file_is_audited_with_its_own_truth_and_protection_levels() {
    // Hidden: x1 (7, m), x2 (2, u, levels 1.5 and 2), x5 (1, u, levels 1
    // and 2.5), x6 (9, m). Rows x1 + x2 = 9, x5 + x6 = 10; columns
    // x1 + x5 = 8, x2 + x6 = 11: with x2 = t, x5 = t - 1 >= 0, so x2 is in
    // 1..9 and x5 in 0..8. x2 needs a lower bound <= 2 - 2 = 0: fails;
    // x5 needs <= 0 and >= 1 + 3 = 4: passes.
    let (code, out, _) = run(&["audit", &path(JJ), "--format", "json"]);
    assert_eq!(code, 1);
    let r: Value = serde_json::from_str(&out).unwrap();
    let by_id = |id: &str| {
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["at"][0] == id)
            .unwrap()
            .clone()
    };
    let x2 = by_id("2");
    assert_eq!(
        (x2["lower"].as_i64(), x2["upper"].as_i64()),
        (Some(1), Some(9))
    );
    assert_eq!(x2["required"]["lower_at_most"], 0);
    assert_eq!(x2["verdict"], "fail");
    let x5 = by_id("5");
    assert_eq!(x5["required"]["upper_at_least"], 4);
    assert_eq!(x5["verdict"], "pass");
    assert_eq!(by_id("1")["verdict"], "not audited");
}

#[test]
fn format_jj_writes_the_computed_bounds_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bounds.jj");
    let (code, _, err) = run(&["bounds", &path(JJ), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read(&out).unwrap();
    let back = cellbound::core::io::jj::read(&text, "bounds.jj", "bounds").unwrap();
    let x2 = &back.cells[2];
    assert_eq!((x2.lower, x2.upper), (1, Some(9)));
    assert_eq!(x2.value, 2);
    // A grid has no true values for its hidden cells: refused.
    let (code, _, err) = run(&["bounds", &path(T1), "--open", "--format", "jj"]);
    assert_eq!(code, 2);
    assert!(err.contains("--format jj needs the true values"), "{err}");
    // An audit of a grid with its truth can write one.
    let (code, out, _) = run(&[
        "audit",
        &path("tests/data/audit/leak.csv"),
        "--truth",
        &path("tests/data/audit/leak-truth.csv"),
        "--format",
        "jj",
    ]);
    assert_eq!(code, 1);
    let back = cellbound::core::io::jj::read(out.as_bytes(), "a.jj", "a").unwrap();
    let b1 = back
        .cells
        .iter()
        .find(|c| c.value == 3 && c.status.is_hidden())
        .unwrap();
    assert_eq!((b1.lower, b1.upper), (3, Some(3)));
}

#[test]
fn table1_second_truth_passes_both_safety_ranges() {
    // Mitis 8 and 3, Basques 5 and 5: only Mitis 3 (true 3) is sensitive;
    // in 0..8 it is 3 from the bottom and 5 from the top, so 100% each way
    // (margin 3) holds.
    let (code, r, _) = audit(
        T1,
        "tests/data/audit/table1-truth-b.csv",
        &["--upper-protection", "100", "--lower-protection", "100"],
    );
    assert_eq!(code, 0);
    let m3 = cell(&r, "MRC La Mitis", "Volet 3");
    assert_eq!(m3["required"]["upper_at_least"], 6);
    assert_eq!(m3["required"]["lower_at_most"], 0);
    assert_eq!(m3["verdict"], "pass");
    assert_eq!(r["summary"]["audited"], 1);
}

#[test]
fn table3_column_2025_is_too_narrow_for_a_width_of_seven() {
    // Kamouraska + Matapédia + Basques 2025 = 136 - 13 - 6 - 111 = 6:
    // each is in 0..6, 6 wide; the 2023 and 2024 cells are in 0..10.
    let (code, r, _) = audit(
        "examples/table3-peq-workers.csv",
        "tests/data/audit/table3-truth.csv",
        &["--min-width", "7"],
    );
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["failed"], 3);
    for row in [
        "MRC de Kamouraska",
        "MRC de la Matapédia",
        "MRC des Basques",
    ] {
        let c = cell(&r, row, "2025");
        assert_eq!(c["verdict"], "fail");
        assert_eq!(c["pinned_by"], serde_json::json!(["column \"2025\""]));
    }
    assert_eq!(cell(&r, "MRC de la Matanie", "2023")["verdict"], "pass");
}

#[test]
fn table4_second_truth_fails_a_fifty_percent_upper_range() {
    // Zeros shown. Kamouraska 2023 is 2 in 1..2: needs 2 + 1 = 3 above;
    // Matanie 2025 and Témiscouata 2024 are 3 in 1..3: need 3 + 2 = 5.
    // The cells at 1 need 2 and reach 2 or 3.
    let (code, r, _) = audit(
        "examples/table4-peq-graduates.csv",
        "tests/data/audit/table4-truth-b.csv",
        &["--zeros-shown", "--upper-protection", "50"],
    );
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["failed"], 3);
    assert_eq!(
        cell(&r, "MRC de Kamouraska", "2023")["required"]["upper_at_least"],
        3
    );
    assert_eq!(cell(&r, "MRC de la Matanie", "2025")["verdict"], "fail");
    assert_eq!(cell(&r, "MRC de Témiscouata", "2024")["verdict"], "fail");
    assert_eq!(cell(&r, "MRC de Kamouraska", "2025")["verdict"], "pass");
}

#[test]
fn table4_with_a_forgotten_complement_discloses_kamouraska_2023() {
    // Publishing "destination inconnue 2023" (2) leaves Kamouraska 2023
    // alone in column 2023: 28 - 6 - 12 - 7 - 2 = 1.
    let (code, r, _) = audit(
        "tests/data/audit/table4-forgot-a-complement.csv",
        "tests/data/audit/table4-truth.csv",
        &["--zeros-shown"],
    );
    assert_eq!(code, 1);
    let k = cell(&r, "MRC de Kamouraska", "2023");
    assert_eq!(k["status"], "exact");
    assert_eq!(k["lower"], 1);
    assert_eq!(k["pinned_by"], serde_json::json!(["column \"2023\""]));
    assert_eq!(r["summary"]["exactly_disclosed"], 1);
    assert_eq!(r["summary"]["passed"], 4);
}
