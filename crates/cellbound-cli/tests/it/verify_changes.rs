//! Witness tables written as changes from an earlier table, and
//! derivations naming their lines by index (the compact form of large
//! files): `verify` accepts the file `bounds --witnesses` writes, and
//! catches each kind of tampering.

use serde_json::Value;

use crate::common::run;

/// A synthetic grid (`synth` arguments), its `bounds --open --witnesses`
/// file, and that file read.
fn bounds_of(dir: &std::path::Path, synth: &[&str]) -> (String, String, Value) {
    let grid = dir.join("g.csv").to_str().unwrap().to_string();
    let out = dir.join("g.json").to_str().unwrap().to_string();
    let (code, _, err) = run(&[&["synth", "--shape", "grid"], synth, &["-o", &grid]].concat());
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&[
        "bounds",
        &grid,
        "--open",
        "--witnesses",
        "--format",
        "json",
        "-o",
        &out,
    ]);
    assert_eq!(code, 0, "{err}");
    let json = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (grid, out, json)
}

/// 220 hidden cells in one component: the flow's tables after the first
/// are written as changes.
const SMALL: [&str; 8] = [
    "--rows", "60", "--cols", "12", "--small", "0.3", "--seed", "1",
];

/// `verify` on the small grid's file, edited; its status and output.
fn verify_edited(edit: impl Fn(&mut Value)) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let (grid, out, mut json) = bounds_of(dir.path(), &SMALL);
    edit(&mut json);
    std::fs::write(&out, serde_json::to_string(&json).unwrap()).unwrap();
    let (code, stdout, _) = run(&["verify", &grid, &out]);
    (code, stdout)
}

/// The index of the first table of component 0 given as changes.
fn first_changes(json: &Value) -> usize {
    json["components"][0]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .position(|t| t.is_object())
        .expect("a table written as changes")
}

fn changes(json: &mut Value, j: usize) -> &mut Vec<Value> {
    json["components"][0]["tables"][j]["changes"]
        .as_array_mut()
        .unwrap()
}

#[test]
fn a_file_with_tables_as_changes_verifies() {
    let (code, out) = verify_edited(|json| {
        let tables = json["components"][0]["tables"].as_array().unwrap();
        let as_changes = tables.iter().filter(|t| t.is_object()).count();
        assert!(
            as_changes > tables.len() / 2,
            "{as_changes} of {}",
            tables.len()
        );
    });
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("verified: 220 hidden cells"), "{out}");
}

#[test]
fn verify_catches_a_changed_change() {
    let (code, out) = verify_edited(|json| {
        let j = first_changes(json);
        let d = &mut changes(json, j)[0][1];
        *d = (d.as_i64().unwrap() + 1).into();
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("its changes break"), "{out}");
    // The tables built on it fail with it.
    assert!(out.contains("which does not check"), "{out}");
}

#[test]
fn verify_accepts_tables_given_in_another_order_of_bases() {
    // Each table written again as no change from itself, appended, and
    // every bound pointed at the copy: the copies start from tables far
    // back, not from the one before them.
    let (code, out) = verify_edited(|json| {
        let count = json["components"][0]["tables"].as_array().unwrap().len();
        let tables = json["components"][0]["tables"].as_array_mut().unwrap();
        for j in 0..count {
            tables.push(serde_json::json!({"base": j, "changes": []}));
        }
        for cell in json["cells"].as_array_mut().unwrap() {
            for side in ["lower", "upper"] {
                if let Some(j) = cell["reached_by"][side].as_u64() {
                    cell["reached_by"][side] = (j + count as u64).into();
                }
            }
        }
    });
    assert_eq!(code, 0, "{out}");
}

#[test]
fn verify_catches_a_change_that_breaks_a_line() {
    // A change at a cell the table did not change: its row and column no
    // longer add up.
    let (code, out) = verify_edited(|json| {
        let j = first_changes(json);
        let list = changes(json, j);
        let taken: Vec<u64> = list.iter().map(|c| c[0].as_u64().unwrap()).collect();
        let free = (0..).find(|p| !taken.contains(p)).unwrap();
        list.push(serde_json::json!([free, 1]));
    });
    assert_eq!(code, 1, "{out}");
    let j_line = out.lines().next().unwrap();
    assert!(j_line.contains("its changes break"), "{out}");
    assert!(j_line.contains("of component 0)"), "{out}");
}

#[test]
fn verify_catches_a_base_out_of_range() {
    for base in [10_000, usize::MAX >> 12] {
        let (code, out) = verify_edited(|json| {
            let j = first_changes(json);
            json["components"][0]["tables"][j]["base"] = base.into();
        });
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains(&format!(
                "its changes start from table {base}, not an earlier table of the component"
            )),
            "{out}"
        );
    }
    // A table cannot start from itself either.
    let (code, out) = verify_edited(|json| {
        let j = first_changes(json);
        json["components"][0]["tables"][j]["base"] = j.into();
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not an earlier table"), "{out}");
}

#[test]
fn verify_catches_a_change_past_the_component_or_twice_at_a_cell() {
    let (code, out) = verify_edited(|json| {
        let j = first_changes(json);
        changes(json, j)[0][0] = 100_000.into();
    });
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("its changes name position 100000, past the component's 220 cells"),
        "{out}"
    );
    let (code, out) = verify_edited(|json| {
        let j = first_changes(json);
        let list = changes(json, j);
        let first = list[0].clone();
        list.push(first);
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("twice"), "{out}");
}

#[test]
fn verify_catches_changes_that_keep_every_line_but_leave_a_cell_s_limits() {
    // Around a rectangle of hidden cells, +d -d -d +d keeps every row and
    // column; with d large, two of the four cells fall below 0.
    let (code, out) = verify_edited(|json| {
        let cells = json["cells"].as_array().unwrap();
        let members: Vec<usize> = json["components"][0]["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as usize)
            .collect();
        let at = |p: usize| {
            let a = &cells[members[p]]["at"];
            (
                a[0].as_str().unwrap().to_string(),
                a[1].as_str().unwrap().to_string(),
            )
        };
        let find = |r: &str, c: &str| (0..members.len()).find(|&p| at(p) == (r.into(), c.into()));
        let mut rectangle = None;
        'search: for p in 0..members.len() {
            let (r1, c1) = at(p);
            for q in 0..members.len() {
                let (r2, c2) = at(q);
                if r2 == r1 || c2 == c1 {
                    continue;
                }
                if let (Some(a), Some(b)) = (find(&r1, &c2), find(&r2, &c1)) {
                    rectangle = Some([(p, 1000), (a, -1000), (b, -1000), (q, 1000)]);
                    break 'search;
                }
            }
        }
        let rectangle = rectangle.expect("a rectangle of hidden cells");
        let j = first_changes(json);
        let list = changes(json, j);
        let mut merged: std::collections::BTreeMap<u64, i64> = list
            .iter()
            .map(|c| (c[0].as_u64().unwrap(), c[1].as_i64().unwrap()))
            .collect();
        for (p, d) in rectangle {
            *merged.entry(p as u64).or_default() += d;
        }
        *list = merged
            .into_iter()
            .filter(|&(_, d)| d != 0)
            .map(|(p, d)| serde_json::json!([p, d]))
            .collect();
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("outside its limits"), "{out}");
    assert!(!out.contains("break"), "{out}");
}

#[test]
fn a_large_file_names_its_derivations_lines_by_index_and_verify_checks_them() {
    // 11,208 hidden cells: past the 10,000 from which derivations are
    // written compactly.
    let dir = tempfile::tempdir().unwrap();
    let synth = [
        "--rows", "400", "--cols", "40", "--small", "0.7", "--seed", "1",
    ];
    let (grid, out, json) = bounds_of(dir.path(), &synth);
    let lines = json["lines"].as_array().expect("the compact form's lines");
    assert!(!lines.is_empty());
    let upper = &json["cells"][0]["proofs"]["upper"];
    assert!(upper["lines"][0].is_array(), "{upper}");
    assert!(upper.get("text").is_none(), "{upper}");
    let (code, stdout, _) = run(&["verify", &grid, &out]);
    assert_eq!(code, 0, "{stdout}");
    let verify_with = |edit: &dyn Fn(&mut Value)| {
        let mut edited = json.clone();
        edit(&mut edited);
        std::fs::write(&out, serde_json::to_string(&edited).unwrap()).unwrap();
        run(&["verify", &grid, &out])
    };
    // An index past the file's lines.
    let (code, stdout, _) = verify_with(&|j| {
        j["cells"][0]["proofs"]["upper"]["lines"][0][0] = 1_000_000.into();
    });
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("the derivation's lines[0] is line 1000000 of the file, which has"),
        "{stdout}"
    );
    // Another line in place of the one the derivation uses.
    let (code, stdout, _) = verify_with(&|j| {
        let k = j["cells"][0]["proofs"]["upper"]["lines"][0][0]
            .as_u64()
            .unwrap();
        let other = if k == 0 { 1 } else { 0 };
        j["cells"][0]["proofs"]["upper"]["lines"][0][0] = other.into();
    });
    assert_eq!(code, 1, "{stdout}");
    // A line listed under another line's name.
    let (code, stdout, _) = verify_with(&|j| {
        let name = j["lines"][1]["name"].clone();
        j["lines"][0]["name"] = name;
    });
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("line 0 of the file is named"), "{stdout}");
}
