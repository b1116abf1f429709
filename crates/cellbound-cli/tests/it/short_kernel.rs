//! The lattice certificate of a component with a single table
//! (`only_table` with `"test": "short_kernel"`, docs/formats.md section
//! 6): on the 40x40x20 synthetic cube the lines leave 22 dimensions of
//! rational freedom, and the lattice shows the truth the only table in
//! the box. `bounds --witnesses` writes the certificate, `verify` accepts
//! it and rejects each tampering, naming the component and the reason.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{verify_json, witnessed_cube};

/// The cube and its bounds file, made once for all the tests here.
fn cube() -> &'static (PathBuf, String, Value) {
    static CUBE: OnceLock<(PathBuf, String, Value)> = OnceLock::new();
    CUBE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("short-kernel");
        std::fs::create_dir_all(&dir).unwrap();
        let (table, json) = witnessed_cube(&dir, "40,40,20");
        (dir, table, json)
    })
}

/// `verify` on the cube's bounds file after `edit` of its one component's
/// certificate.
fn verify_edited(name: &str, edit: impl Fn(&mut Value)) -> (i32, String) {
    let (dir, table, json) = cube();
    let mut json = json.clone();
    edit(&mut json["components"][0]["only_table"]);
    verify_json(dir, table, &json, name)
}

/// The rejection of a tampered certificate, with `reason` in it.
fn rejected(name: &str, reason: &str, edit: impl Fn(&mut Value)) {
    let (code, out) = verify_edited(name, edit);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("component 0 (first cell")
            && out.contains("its certificate of a single table does not check")
            && out.contains(reason),
        "{out}"
    );
}

#[test]
fn bounds_writes_the_basis_and_verify_accepts_it() {
    let (_, _, json) = cube();
    assert_eq!(json["components"].as_array().unwrap().len(), 1);
    let only = &json["components"][0]["only_table"];
    assert_eq!(only["test"], "short_kernel");
    assert_eq!(only["basis"].as_array().unwrap().len(), 22);
    assert!(!only["minors"].as_array().unwrap().is_empty());
    // Every cell exact, no derivation: the certificate is the proof.
    let cells = json["cells"].as_array().unwrap();
    assert!(cells.iter().all(|c| c["lower"] == c["upper"]));
    let (code, out) = verify_edited("as-written", |_| {});
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("5134 by a basis of their component's integer kernel longer than its box"),
        "{out}"
    );
}

#[test]
fn a_changed_basis_vector_is_rejected() {
    rejected("changed", "is not in the kernel of the lines", |o| {
        let entry = &mut o["basis"][3][0][1];
        *entry = (entry.as_i64().unwrap() + 1).into();
    });
}

#[test]
fn a_basis_of_a_sublattice_is_rejected() {
    // Every other step along the first vector: a lattice of index 2.
    rejected("sublattice", "greatest common divisor 2, not 1", |o| {
        for pair in o["basis"][0].as_array_mut().unwrap() {
            pair[1] = (2 * pair[1].as_i64().unwrap()).into();
        }
    });
}

#[test]
fn a_missing_basis_vector_is_rejected() {
    rejected(
        "missing",
        "may have 22 dimensions; the basis has 21 vectors",
        |o| {
            o["basis"].as_array_mut().unwrap().pop();
        },
    );
}

#[test]
fn a_wrong_length_is_rejected() {
    rejected(
        "length",
        "shortest_step_squared is 100000000, but the basis and the box give",
        |o| o["shortest_step_squared"] = "100000000".into(),
    );
    rejected(
        "diagonal",
        "diagonal_squared is 1, but the basis and the box give 99169",
        |o| o["diagonal_squared"] = "1".into(),
    );
}

#[test]
fn minors_that_do_not_cover_the_basis_are_rejected() {
    rejected(
        "minor-short",
        "minor 0's positions are not one per basis vector",
        |o| {
            o["minors"][0].as_array_mut().unwrap().pop();
        },
    );
    // Keeping only minors with a common factor leaves the index unproved;
    // with no minor at all, nothing shows the basis spans the lattice.
    rejected("no-minors", "greatest common divisor 0, not 1", |o| {
        o["minors"] = serde_json::json!([]);
    });
}

#[test]
fn a_certificate_without_its_basis_is_rejected() {
    rejected("no-basis", "without \"basis\"", |o| {
        o.as_object_mut().unwrap().remove("basis");
    });
}
