//! Search trees (`search_lower` / `search_upper`, docs/formats.md
//! section 6): a bound the LP relaxation does not give, proved by a small
//! branch and bound whose every leaf a combination of the lines rules out.
//! tests/data/search/parity.json: a + b + d = b + c + d = a + c + d = 1
//! leaves d = 0 no whole table (a, b and c would each be 1/2), so d is at
//! least 1, which no single combination of the lines shows over the
//! domains: the tree splits on a.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::common::{path, run, verify_json, witnessed};

/// The table, its bounds file, made once for all the tests here.
fn parity() -> &'static (PathBuf, String, Value) {
    static FILE: OnceLock<(PathBuf, String, Value)> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("search-tree");
        std::fs::create_dir_all(&dir).unwrap();
        let table = path("tests/data/search/parity.json");
        let json = witnessed(&dir, &table, &[]);
        (dir, table, json)
    })
}

/// `verify` on the bounds file after `edit` of d's lower-bound tree.
fn verify_edited(name: &str, edit: impl Fn(&mut Value)) -> (i32, String) {
    let (dir, table, json) = parity();
    let mut json = json.clone();
    edit(&mut json["cells"][3]["proofs"]["search_lower"]);
    verify_json(dir, table, &json, name)
}

fn rejected(name: &str, reason: &str, edit: impl Fn(&mut Value)) {
    let (code, out) = verify_edited(name, edit);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[\"d\"]: lower bound 1") && out.contains(reason),
        "{out}"
    );
}

#[test]
fn bounds_writes_a_tree_that_branches_and_verify_accepts_it() {
    let (_, _, json) = parity();
    let d = &json["cells"][3];
    assert_eq!(
        (d["lower"].as_i64(), d["upper"].as_i64()),
        (Some(1), Some(1))
    );
    assert!(d["proofs"]["lower"].is_null(), "no derivation exists");
    let tree = &d["proofs"]["search_lower"]["branch"];
    assert!(tree["below"].get("leaf").is_some() && tree["above"].get("leaf").is_some());
    let (code, out) = verify_edited("as-written", |_| {});
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("9 proved by a derivation, 1 by a search tree"),
        "{out}"
    );
}

#[test]
fn a_tree_with_its_leaves_swapped_is_rejected() {
    rejected("swapped", "the search tree does not check: leaf 1", |t| {
        let b = &mut t["branch"];
        let below = b["below"].take();
        b["below"] = b["above"].take();
        b["above"] = below;
    });
}

#[test]
fn a_branch_moved_is_rejected() {
    // Split at a <= 1 / a >= 2: the first part now holds a = 1, which the
    // first leaf's combination does not rule out.
    rejected("moved", "no contradiction", |t| {
        t["branch"]["at"] = 1.into()
    });
    rejected("past", "past the file's 5 cells", |t| {
        t["branch"]["cell"] = 9.into()
    });
}

#[test]
fn a_single_leaf_in_place_of_the_tree_is_rejected() {
    rejected("one-leaf", "no contradiction", |t| {
        *t = t["branch"]["below"].take();
    });
}

#[test]
fn a_changed_multiplier_or_line_name_is_rejected() {
    rejected("multiplier", "the search tree does not check", |t| {
        t["branch"]["below"]["leaf"][0]["multiplier"] = 1.into();
    });
    rejected("name", "is named", |t| {
        t["branch"]["below"]["leaf"][0]["name"] = "constraint constraints[2]".into();
    });
}

#[test]
fn without_the_tree_the_bound_is_not_proved() {
    let (code, out) = verify_edited("removed", |t| *t = json!(null));
    assert_eq!(code, 1);
    assert!(
        out.contains("lower bound 1: no derivation (proved only by the integer search)"),
        "{out}"
    );
}

#[test]
fn explain_shows_the_tree_in_words_and_in_json() {
    let table = path("tests/data/search/parity.json");
    let (code, out, err) = run(&["explain", &table, "--cell", "d", "--format", "table"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("lower bound 1:\n  proved by a search tree (the LP relaxation alone gives a weaker bound); with [d] <= 0:\n    if [a] <= 0:\n      no table here: constraint constraints[0] times -1")
            && out.contains("    if [a] >= 1:\n"),
        "{out}"
    );
    let (code, out, err) = run(&["explain", &table, "--cell", "d"]);
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert!(json["lower"]["derivation"].is_null());
    assert_eq!(json["lower"]["search"]["branch"]["at"], 0);
}
