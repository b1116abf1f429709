//! The certificate of a component with a single table (`only_table`,
//! docs/formats.md section 6): `bounds --witnesses` writes it on the
//! 30x30x30 synthetic cube, whose lines have full rank, `verify` accepts
//! the file, and rejects each tampered certificate, naming the component.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{path, run, verify_json, witnessed_cube};

/// 2^61 - 1, the prime `bounds` writes.
const PRIME: u64 = (1 << 61) - 1;

/// The cube and its bounds file, made once for all the tests here.
fn cube() -> &'static (PathBuf, String, Value) {
    static CUBE: OnceLock<(PathBuf, String, Value)> = OnceLock::new();
    CUBE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("only-table");
        std::fs::create_dir_all(&dir).unwrap();
        let (table, json) = witnessed_cube(&dir, "30,30,30");
        (dir, table, json)
    })
}

/// The index of the cube's certified component.
fn certified(json: &Value) -> usize {
    let comps = json["components"].as_array().unwrap();
    let certified: Vec<usize> = (0..comps.len())
        .filter(|&k| comps[k].get("only_table").is_some())
        .collect();
    assert_eq!(certified.len(), 1, "one large component");
    certified[0]
}

/// `verify` on the cube's bounds file after `edit`.
fn verify_edited(name: &str, edit: impl Fn(&mut Value, usize)) -> (i32, String) {
    let (dir, table, json) = cube();
    let mut json = json.clone();
    let k = certified(&json);
    edit(&mut json, k);
    verify_json(dir, table, &json, name)
}

#[test]
fn bounds_writes_the_claim_and_the_prime_and_verify_accepts_them() {
    let (_, _, json) = cube();
    let k = certified(json);
    let only = &json["components"][k]["only_table"];
    assert_eq!(only["test"], "full_rank");
    assert_eq!(only["prime"].as_u64(), Some(PRIME));
    let (code, out) = verify_edited("as-written", |_, _| {});
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("4566 by their component's lines having full rank"),
        "{out}"
    );
}

#[test]
fn without_the_certificate_the_bounds_are_not_proved() {
    let (code, out) = verify_edited("removed", |j, k| {
        j["components"][k]
            .as_object_mut()
            .unwrap()
            .remove("only_table");
    });
    assert_eq!(code, 1);
    assert!(out.contains("proved only by the integer search"), "{out}");
}

#[test]
fn a_number_that_is_not_a_prime_is_rejected() {
    // 2^61 + 1 is a multiple of 3.
    let (code, out) = verify_edited("composite", |j, k| {
        j["components"][k]["only_table"]["prime"] = ((1u64 << 61) + 1).into();
    });
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("component {k}", k = certified(&cube().2)))
            && out.contains("2305843009213693953 is not a prime"),
        "{out}"
    );
}

#[test]
fn an_unknown_test_is_rejected() {
    let (code, out) = verify_edited("unknown-test", |j, k| {
        j["components"][k]["only_table"]["test"] = "gram_schmidt".into();
    });
    assert_eq!(code, 1);
    assert!(
        out.contains("its certificate of a single table does not check: unknown test"),
        "{out}"
    );
}

#[test]
fn a_component_that_leaves_out_a_cell_of_its_lines_is_rejected() {
    // Its last cell moved to a component of its own: the lines through the
    // rest run through it, so the rest is not settled alone.
    let (code, out) = verify_edited("not-closed", |j, k| {
        let comp = &mut j["components"][k];
        let cell = comp["cells"].as_array_mut().unwrap().pop().unwrap();
        let value = comp["base"].as_array_mut().unwrap().pop().unwrap();
        for t in comp["tables"].as_array_mut().unwrap() {
            t.as_array_mut().unwrap().pop();
        }
        let new = j["components"].as_array().unwrap().len();
        j["cells"][cell.as_u64().unwrap() as usize]["component"] = new.into();
        j["cells"][cell.as_u64().unwrap() as usize]["reached_by"] =
            serde_json::json!({"lower": 0, "upper": 0});
        j["components"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"cells": [cell], "base": [value], "tables": [[value]]}));
    });
    assert_eq!(code, 1);
    let k = certified(&cube().2);
    assert!(
        out.contains(&format!("component {k} (first cell"))
            && out.contains("runs through a hidden cell of another component"),
        "{out}"
    );
}

#[test]
fn a_bound_off_the_only_table_is_rejected() {
    let (_, _, json) = cube();
    let k = certified(json);
    let cell = json["components"][k]["cells"][0].as_u64().unwrap() as usize;
    let value = json["components"][k]["base"][0].as_i64().unwrap();
    let (code, out) = verify_edited("bound-off", |j, _| {
        j["cells"][cell]["upper"] = (value + 1).into();
        j["cells"][cell]["status"] = "bounded".into();
    });
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!(
            "upper bound {}: component {k} has a single table, which puts the cell at {value}",
            value + 1
        )),
        "{out}"
    );
}

#[test]
fn a_component_without_full_rank_is_rejected() {
    // Table 1 under --open: its component has several tables (Mitis 1 is
    // 3..11), so its lines cannot have full rank modulo any prime.
    let dir = tempfile::tempdir().unwrap();
    let t1 = path("examples/table1-declarations.csv");
    let out = dir.path().join("b.json");
    let o = out.to_str().unwrap();
    let (code, _, err) = run(&[
        "bounds",
        &t1,
        "--open",
        "--witnesses",
        "--format",
        "json",
        "-o",
        o,
    ]);
    assert_eq!(code, 0, "{err}");
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(json["components"][0].get("only_table").is_none());
    json["components"][0]["only_table"] = serde_json::json!({"test": "full_rank", "prime": PRIME});
    std::fs::write(&out, serde_json::to_string(&json).unwrap()).unwrap();
    let (code, stdout, _) = run(&["verify", &t1, o]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("component 0 (first cell") && stdout.contains("not full rank"),
        "{stdout}"
    );
}

#[test]
fn a_cube_the_lp_path_pins_is_certified_whole_instead_of_an_lp_per_bound() {
    // The 20x20x20 cube: every cell exact by the LP path, not by the
    // lattice; its lines have full rank, so its 1,774 bounds need no
    // derivation (one LP dual each, minutes in all before).
    let dir = tempfile::tempdir().unwrap();
    let (table, json) = witnessed_cube(dir.path(), "20,20,20");
    let t = table.as_str();
    assert_eq!(json["components"][0]["only_table"]["test"], "full_rank");
    let (code, out) = verify_json(dir.path(), t, &json, "as-written");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1774 by their component's lines having full rank"),
        "{out}"
    );
    // explain says so rather than "the integer search".
    let cell = json["cells"][0]["at"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(",");
    let (code, out, err) = run(&["explain", t, "--open", "--cell", &cell, "--format", "table"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("proved by the lines leaving this cell's group a single table"),
        "{out}"
    );
}
