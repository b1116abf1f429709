//! `explain`, `bounds --witnesses` and `verify` on the seed tables: every
//! hidden cell has a derivation and witness tables that an LP-free check
//! accepts, and a tampered bounds file is caught.

use serde_json::Value;

use crate::common::{path, run};

/// The seed tables with rules under which they are feasible.
const CASES: [(&str, &[&str]); 7] = [
    ("examples/table1-declarations.csv", &["--open"]),
    (
        "examples/table1-declarations.csv",
        &["--open", "--zeros-shown"],
    ),
    ("examples/table2-invitations.csv", &[]),
    ("examples/table2-invitations.csv", &["--open"]),
    ("examples/table3-peq-workers.csv", &[]),
    ("examples/table4-peq-graduates.csv", &["--zeros-shown"]),
    ("examples/table4-peq-graduates.csv", &["--open"]),
];

fn bounds_with_witnesses(file: &str, rule: &[&str], dir: &std::path::Path) -> (String, Value) {
    let out = dir.join("bounds.json");
    let mut args = vec!["bounds", file, "--witnesses", "--format", "json", "-o"];
    let out_s = out.to_str().unwrap().to_string();
    args.push(&out_s);
    args.extend_from_slice(rule);
    let (code, _, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    (out_s, serde_json::from_str(&text).unwrap())
}

#[test]
fn every_seed_bound_verifies() {
    let dir = tempfile::tempdir().unwrap();
    for (file, rule) in CASES {
        let file = path(file);
        let (out, json) = bounds_with_witnesses(&file, rule, dir.path());
        for cell in json["cells"].as_array().unwrap() {
            assert!(!cell["proofs"]["lower"].is_null(), "{cell}");
            assert!(!cell["proofs"]["upper"].is_null(), "{cell}");
        }
        let (code, stdout, _) = run(&["verify", &file, &out]);
        assert_eq!(code, 0, "{file} {rule:?}: {stdout}");
        assert!(stdout.starts_with("verified"));
    }
}

#[test]
fn explain_derives_both_bounds_of_every_seed_cell() {
    for (file, rule) in CASES {
        let file = path(file);
        let (_, bounds, _) = run(&[&["bounds", &file, "--format", "json"], rule].concat());
        let bounds: Value = serde_json::from_str(&bounds).unwrap();
        for cell in bounds["cells"].as_array().unwrap() {
            let label = format!(
                "{},{}",
                cell["at"][0].as_str().unwrap(),
                cell["at"][1].as_str().unwrap()
            );
            let (code, out, err) = run(&[
                &["explain", &file, "--cell", &label, "--format", "json"],
                rule,
            ]
            .concat());
            assert_eq!(code, 0, "{err}");
            let e: Value = serde_json::from_str(&out).unwrap();
            assert_eq!(e["lower"]["bound"], cell["lower"]);
            assert_eq!(e["upper"]["bound"], cell["upper"]);
            assert!(!e["lower"]["derivation"].is_null(), "{label}");
            assert!(!e["upper"]["derivation"].is_null(), "{label}");
            // The witnesses put the cell at its bounds.
            let at_bound = |side: &str| {
                e[side]["witness"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|w| w["at"] == cell["at"])
                    .unwrap()["value"]
                    .clone()
            };
            assert_eq!(at_bound("lower"), cell["lower"]);
            assert_eq!(at_bound("upper"), cell["upper"]);
        }
    }
}

#[test]
fn explain_shows_the_derivation_a_person_checks() {
    let t1 = path("examples/table1-declarations.csv");
    let (code, out, _) = run(&[
        "explain",
        &t1,
        "--cell",
        "MRC La Mitis,Volet 1",
        "--open",
        "--zeros-shown",
        "--format",
        "table",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("MRC La Mitis, Volet 1: 4..10"), "{out}");
    assert!(
        out.contains("adding up: [MRC La Mitis/Volet 1] = 3 + [MRC Les Basques/Volet 3]"),
        "{out}"
    );
    assert!(out.contains("so [MRC La Mitis/Volet 1] >= 4"), "{out}");
    assert!(out.contains("so [MRC La Mitis/Volet 1] <= 10"), "{out}");
    assert!(out.contains("[10]"), "{out}");
}

#[test]
fn explain_refuses_unknown_or_published_cells() {
    let t1 = path("examples/table1-declarations.csv");
    let (code, _, err) = run(&["explain", &t1, "--cell", "MRC La Mitis,Volet 9", "--open"]);
    assert_eq!(code, 2);
    assert!(err.contains("Volet 9"), "{err}");
    let (code, _, err) = run(&["explain", &t1, "--cell", "MRC La Mitis,Volet 2", "--open"]);
    assert_eq!(code, 2);
    assert!(err.contains("published: 9"), "{err}");
    let (code, _, err) = run(&["explain", &t1, "--cell", "MRC La Mitis,Volet 1"]);
    assert_eq!(code, 3, "{err}");
}

/// Rewrites a bounds file and runs verify on it.
pub(crate) fn verify_tampered(edit: impl Fn(&mut Value)) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let t1 = path("examples/table1-declarations.csv");
    let (out, mut json) = bounds_with_witnesses(&t1, &["--open"], dir.path());
    edit(&mut json);
    std::fs::write(&out, serde_json::to_string(&json).unwrap()).unwrap();
    let (code, stdout, _) = run(&["verify", &t1, &out]);
    (code, stdout)
}

#[test]
fn verify_catches_a_bound_too_tight() {
    // Mitis 1 is 3..11: claiming 3..10 has no witness at 10 and no proof.
    let (code, out) = verify_tampered(|j| j["cells"][0]["upper"] = 10.into());
    assert_eq!(code, 1);
    assert!(
        out.contains("MRC La Mitis") && out.contains("upper bound 10"),
        "{out}"
    );
}

#[test]
fn verify_catches_a_bound_too_loose() {
    // 2..11 is sound, but the witness and derivation are for 3.
    let (code, out) = verify_tampered(|j| j["cells"][0]["lower"] = 2.into());
    assert_eq!(code, 1, "{out}");
}

/// `verify` on the file of table 1 written before witness tables were
/// shared (each cell carrying its own), edited.
fn verify_old_form_tampered(edit: impl Fn(&mut Value)) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let t1 = path("examples/table1-declarations.csv");
    let old = path("tests/golden/inputs/table1-open-witnesses-old-form.json");
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(old).unwrap()).unwrap();
    assert!(json["cells"][1]["witnesses"].is_object());
    assert!(json["components"][0].get("tables").is_none());
    edit(&mut json);
    let out = dir.path().join("old.json");
    std::fs::write(&out, serde_json::to_string(&json).unwrap()).unwrap();
    let (code, stdout, _) = run(&["verify", &t1, out.to_str().unwrap()]);
    (code, stdout)
}

#[test]
fn verify_reads_the_old_form_and_catches_a_witness_that_breaks_a_line() {
    let (code, out) = verify_old_form_tampered(|_| {});
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify_old_form_tampered(|j| {
        let w = &mut j["cells"][1]["witnesses"]["lower"][0];
        *w = (w.as_i64().unwrap() + 1).into();
    });
    assert_eq!(code, 1);
    assert!(out.contains("breaks"), "{out}");
}

#[test]
fn bounds_writes_each_witness_table_once() {
    let dir = tempfile::tempdir().unwrap();
    let t1 = path("examples/table1-declarations.csv");
    let (_, json) = bounds_with_witnesses(&t1, &["--open"], dir.path());
    let tables = json["components"][0]["tables"].as_array().unwrap();
    let cells = json["cells"].as_array().unwrap();
    assert!(cells.iter().all(|c| c.get("witnesses").is_none()));
    // Distinct tables, fewer than the bounds they reach.
    let mut distinct = tables.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), tables.len());
    assert!(tables.len() < 2 * cells.len(), "{}", tables.len());
    for c in cells {
        let r = &c["reached_by"];
        for (side, bound) in [("lower", &c["lower"]), ("upper", &c["upper"])] {
            let t = &tables[r[side].as_u64().unwrap() as usize];
            let at = json["components"][0]["cells"]
                .as_array()
                .unwrap()
                .iter()
                .position(|i| {
                    i.as_u64().unwrap() as usize == cells.iter().position(|x| x == c).unwrap()
                })
                .unwrap();
            assert_eq!(&t[at], bound);
        }
    }
}

#[test]
fn verify_catches_a_changed_shared_table_naming_each_cell() {
    // Table 0 of the component reaches some bound of every cell that
    // points at it: each of them is named.
    let (code, out) = verify_tampered(|j| {
        let w = &mut j["components"][0]["tables"][0][0];
        *w = (w.as_i64().unwrap() + 1).into();
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("table 0 of component 0"), "{out}");
    assert!(out.contains("MRC La Mitis"), "{out}");
}

#[test]
fn verify_catches_a_shared_table_index_out_of_range() {
    let (code, out) = verify_tampered(|j| j["cells"][2]["reached_by"]["upper"] = 99.into());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("table 99 of component 0, which has"), "{out}");
    let cell = out.lines().next().unwrap();
    assert!(cell.contains("upper bound"), "{out}");
    assert_eq!(out.matches("table 99").count(), 1, "{out}");
}

#[test]
fn verify_catches_a_cell_pointing_at_a_table_off_its_bound() {
    // Cell 0's lower bound claimed reached by the table of its upper one.
    let (code, out) = verify_tampered(|j| {
        j["cells"][0]["reached_by"]["lower"] = j["cells"][0]["reached_by"]["upper"].clone();
    });
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("MRC La Mitis") && out.contains("lower bound 3"),
        "{out}"
    );
}

#[test]
fn verify_catches_a_wrong_derivation_and_a_missing_one() {
    let (code, out) = verify_tampered(|j| {
        j["cells"][0]["proofs"]["upper"]["lines"][0]["multiplier"] = 2.into();
    });
    assert_eq!(code, 1, "{out}");
    let (code, out) = verify_tampered(|j| j["cells"][0]["proofs"]["lower"] = Value::Null);
    assert_eq!(code, 1);
    assert!(out.contains("no derivation"), "{out}");
}

#[test]
fn verify_needs_witnesses() {
    let dir = tempfile::tempdir().unwrap();
    let t1 = path("examples/table1-declarations.csv");
    let out = dir.path().join("plain.json");
    run(&[
        "bounds",
        &t1,
        "--open",
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let (code, stdout, _) = run(&["verify", &t1, out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(stdout.contains("--witnesses"), "{stdout}");
}

#[test]
fn a_zero_time_limit_reports_sound_bounds_not_tight() {
    let t1 = path("examples/table1-declarations.csv");
    let (code, out, _) = run(&[
        "bounds",
        &t1,
        "--open",
        "--time-limit",
        "0",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap();
    for (cell, truth) in j["cells"].as_array().unwrap().iter().zip([6, 5, 7, 3]) {
        assert_eq!(cell["tight"], false);
        assert!(cell["lower"].as_i64().unwrap() <= truth);
        assert!(cell["upper"].as_i64().unwrap() >= truth);
    }
    let (code, _, err) = run(&["bounds", &t1, "--time-limit=-1"]);
    assert_eq!(code, 2);
    assert!(err.contains("--time-limit"), "{err}");
}
