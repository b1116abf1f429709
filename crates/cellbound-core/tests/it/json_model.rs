//! The JSON model reader (docs/formats.md, section 2): what it builds, and how
//! it names every bad input.

use cellbound_core::io::json_model::read;
use cellbound_core::{Absent, Entry, InputError, LinearSystem, Model, Op, Rule, MAX_COUNT};
use proptest::prelude::*;

/// The example of docs/formats.md, section 2, verbatim.
const SPEC_EXAMPLE: &str = r#"{
  "tables": [
    {
      "name": "declarations",
      "dimensions": [
        {"name": "mrc",   "tree": {"Bas-Saint-Laurent": ["La Mitis", "Les Basques"]}},
        {"name": "volet", "tree": {"Total": ["Volet 1", "Volet 2", "Volet 3"]}}
      ],
      "cells": [
        {"at": ["La Mitis", "Volet 1"], "hidden": true},
        {"at": ["La Mitis", "Volet 2"], "value": 9},
        {"at": ["La Mitis", "Volet 3"], "hidden": true},
        {"at": ["La Mitis", "Total"], "value": 20},
        {"at": ["Les Basques", "Volet 1"], "hidden": true},
        {"at": ["Les Basques", "Volet 2"], "value": 15},
        {"at": ["Les Basques", "Volet 3"], "hidden": true},
        {"at": ["Les Basques", "Total"], "value": 25},
        {"at": ["Bas-Saint-Laurent", "Volet 1"], "value": 13},
        {"at": ["Bas-Saint-Laurent", "Volet 2"], "value": 24},
        {"at": ["Bas-Saint-Laurent", "Volet 3"], "value": 8},
        {"at": ["Bas-Saint-Laurent", "Total"], "value": 45}
      ]
    },
    {
      "name": "invitations",
      "dimensions": [
        {"name": "mrc",   "tree": ["La Mitis", "Les Basques"]},
        {"name": "volet", "tree": {"Total": ["Volet 1", "Volet 2", "Volet 3"]}}
      ],
      "absent": "zero",
      "cells": [
        {"at": ["La Mitis", "Volet 1"], "hidden": true},
        {"at": ["La Mitis", "Volet 2"], "range": [1, 4]},
        {"at": ["La Mitis", "Volet 3"], "hidden": true},
        {"at": ["La Mitis", "Total"], "value": 7},
        {"at": ["Les Basques", "Volet 2"], "hidden": true},
        {"at": ["Les Basques", "Total"], "hidden": true}
      ]
    }
  ],
  "constraints": [
    {"terms": [{"table": "invitations", "at": ["La Mitis", "Volet 1"], "coef": 1},
               {"table": "declarations", "at": ["La Mitis", "Volet 1"], "coef": -1}],
     "op": "<=", "rhs": 0}
  ]
}"#;

/// A one-table file with its fields at the top level. Line numbers:
/// 3-4 the dimensions, 7-12 the cells (cells[k] on line 7 + k).
const ONE_TABLE: &str = r#"{
  "dimensions": [
    {"name": "r", "tree": {"T": ["a", "b"]}},
    {"name": "c", "tree": ["x", "y"]}
  ],
  "cells": [
    {"at": ["a", "x"], "value": 1},
    {"at": ["a", "y"], "hidden": true},
    {"at": ["b", "x"], "range": [0, 4]},
    {"at": ["b", "y"], "value": 2},
    {"at": ["T", "x"], "value": 3},
    {"at": ["T", "y"], "hidden": true}
  ]
}"#;

fn ok(text: &str) -> Model {
    read(text.as_bytes(), "m.json", "m").unwrap_or_else(|e| panic!("{e}"))
}

fn err_bytes(bytes: &[u8]) -> InputError {
    match read(bytes, "m.json", "m") {
        Ok(model) => panic!("expected an error, got {model:?}"),
        Err(e) => {
            assert_eq!(e.file, "m.json");
            e
        }
    }
}

fn err(text: &str) -> InputError {
    err_bytes(text.as_bytes())
}

/// `base` with exactly one occurrence of `from` replaced by `to`.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert_eq!(base.matches(from).count(), 1, "{from:?} must occur once");
    base.replacen(from, to, 1)
}

/// The error of `base` edited, checked for its field, line and a piece of
/// its message.
fn bad(base: &str, from: &str, to: &str, field: &str, line: usize, says: &str) -> InputError {
    let e = err(&edit(base, from, to));
    assert_eq!(e.field.as_deref(), Some(field), "{e}");
    assert_eq!(e.line, Some(line), "{e}");
    assert!(e.message.contains(says), "{e:?} should say {says:?}");
    e
}

fn codes(model: &Model, t: usize, d: usize) -> Vec<&str> {
    model.tables[t].dimensions[d]
        .codes()
        .iter()
        .map(String::as_str)
        .collect()
}

#[test]
fn spec_example_builds_the_model() {
    let m = ok(SPEC_EXAMPLE);
    assert_eq!(m.source, "m.json");
    assert_eq!(m.tables.len(), 2);

    let decl = &m.tables[0];
    assert_eq!(decl.name, "declarations");
    assert_eq!(decl.absent, Absent::Error);
    assert_eq!(
        codes(&m, 0, 0),
        ["Bas-Saint-Laurent", "La Mitis", "Les Basques"]
    );
    assert_eq!(codes(&m, 0, 1), ["Total", "Volet 1", "Volet 2", "Volet 3"]);
    let mrc = &decl.dimensions[0];
    assert_eq!(mrc.name(), "mrc");
    assert_eq!(mrc.children(0), &[1, 2]);
    assert_eq!(mrc.parent(2), Some(0));
    assert_eq!(mrc.parents().collect::<Vec<_>>(), vec![0]);
    assert_eq!(decl.dimensions[1].children(0), &[1, 2, 3]);
    assert_eq!(decl.cells.len(), 12);
    let c3 = &decl.cells[3];
    assert_eq!(decl.codes_of(&c3.at), ["La Mitis", "Total"]);
    assert_eq!(c3.entry, Entry::Published(20));
    assert_eq!(c3.origin, "tables[0].cells[3]");
    assert_eq!(c3.line, None);
    assert_eq!(decl.cells[0].entry, Entry::Hidden);

    let inv = &m.tables[1];
    assert_eq!(inv.name, "invitations");
    assert_eq!(inv.absent, Absent::Zero);
    assert_eq!(codes(&m, 1, 0), ["La Mitis", "Les Basques"]);
    assert_eq!(inv.dimensions[0].parents().count(), 0);
    assert_eq!(inv.cells.len(), 6);
    assert_eq!(
        inv.cells[1].entry,
        Entry::Range {
            lo: Some(1),
            hi: Some(4)
        }
    );
    // Structural zeros: listed nowhere, accepted because absent is zero.
    let basques_v1 = inv.locate(&["Les Basques", "Volet 1"]).unwrap();
    assert_eq!(inv.cell_at(&basques_v1), None);
    assert_eq!(m.hidden_cells().count(), 4 + 5);

    assert_eq!(m.constraints.len(), 1);
    let c = &m.constraints[0];
    assert_eq!(c.op, Op::Le);
    assert_eq!(c.rhs, 0);
    assert_eq!(c.origin, "constraints[0]");
    assert_eq!(c.terms.len(), 2);
    assert_eq!((c.terms[0].table, c.terms[0].coef), (1, 1));
    assert_eq!((c.terms[1].table, c.terms[1].coef), (0, -1));
    assert_eq!(
        m.tables[1].codes_of(&c.terms[0].at),
        ["La Mitis", "Volet 1"]
    );
    assert_eq!(
        m.tables[0].codes_of(&c.terms[1].at),
        ["La Mitis", "Volet 1"]
    );

    // The model is consistent enough to become a linear system.
    let system = LinearSystem::build(&m, Rule::default()).unwrap();
    assert_eq!(system.vars.len(), 9);
}

#[test]
fn three_level_hierarchy_mixes_null_leaves_and_sub_parents() {
    let m = ok(r#"{
      "dimensions": [
        {"name": "geo", "tree": {"Total": {"A": null, "B": ["b1", "b2"], "C": {"c1": null, "c2": ["c21", "c22"]}}}},
        {"name": "k", "tree": ["only"]}
      ],
      "absent": "zero",
      "cells": [{"at": ["c21", "only"], "hidden": true}]
    }"#);
    let geo = &m.tables[0].dimensions[0];
    assert_eq!(
        codes(&m, 0, 0),
        ["Total", "A", "B", "b1", "b2", "C", "c1", "c2", "c21", "c22"]
    );
    let at = |c: &str| geo.find(c).unwrap();
    assert_eq!(geo.children(at("Total")), &[at("A"), at("B"), at("C")]);
    assert!(geo.is_leaf(at("A")));
    assert_eq!(geo.children(at("B")), &[at("b1"), at("b2")]);
    assert_eq!(geo.children(at("C")), &[at("c1"), at("c2")]);
    assert_eq!(geo.children(at("c2")), &[at("c21"), at("c22")]);
    assert_eq!(geo.depth(at("c22")), 3);
    assert_eq!(
        geo.parents().collect::<Vec<_>>(),
        vec![at("Total"), at("B"), at("C"), at("c2")]
    );
    assert_eq!(m.tables[0].name, "m");
}

#[test]
fn three_dimensional_table() {
    let mut cells = Vec::new();
    for a in ["T", "a1", "a2"] {
        for b in ["b1", "b2"] {
            for c in ["T", "c1", "c2"] {
                let entry = if a == "a1" && c == "c1" {
                    r#""hidden": true"#.to_string()
                } else {
                    format!(r#""value": {}"#, cells.len())
                };
                cells.push(format!(r#"{{"at": ["{a}", "{b}", "{c}"], {entry}}}"#));
            }
        }
    }
    let text = format!(
        r#"{{"name": "cube", "dimensions": [
            {{"name": "A", "tree": {{"T": ["a1", "a2"]}}}},
            {{"name": "B", "tree": ["b1", "b2"]}},
            {{"name": "C", "tree": {{"T": ["c1", "c2"]}}}}
        ], "cells": [{}]}}"#,
        cells.join(",\n")
    );
    let m = ok(&text);
    let t = &m.tables[0];
    assert_eq!(t.name, "cube");
    assert_eq!(t.dimensions.len(), 3);
    assert_eq!(t.cells.len(), 18);
    let at = t.locate(&["a1", "b2", "c1"]).unwrap();
    assert_eq!(at, vec![1, 1, 1]);
    assert_eq!(t.cells[t.cell_at(&at).unwrap()].entry, Entry::Hidden);
    assert!(t.is_interior(&at));
    assert_eq!(m.hidden_cells().count(), 2);
}

#[test]
fn one_table_file_takes_its_name_from_the_stem() {
    let m = ok(ONE_TABLE);
    assert_eq!(m.tables.len(), 1);
    assert_eq!(m.tables[0].name, "m");
    assert_eq!(m.tables[0].cells[3].origin, "cells[3]");
    assert_eq!(
        m.tables[0].cells[2].entry,
        Entry::Range {
            lo: Some(0),
            hi: Some(4)
        }
    );
    assert!(m.constraints.is_empty());

    let named = ok(&edit(
        ONE_TABLE,
        "{\n  \"dimensions\"",
        "{\"name\": \"t\",\n  \"dimensions\"",
    ));
    assert_eq!(named.tables[0].name, "t");

    // A term may leave out its table when there is only one.
    let constrained = ok(&edit(
        ONE_TABLE,
        "\n  ]\n}",
        "\n  ],\n  \"constraints\": [{\"terms\": [{\"at\": [\"a\", \"y\"], \"coef\": 2}], \"op\": \">=\", \"rhs\": -3}]\n}",
    ));
    let c = &constrained.constraints[0];
    assert_eq!((c.terms[0].table, c.terms[0].coef), (0, 2));
    assert_eq!((c.op, c.rhs), (Op::Ge, -3));
}

#[test]
fn accepted_edge_values() {
    let m = ok(&edit(ONE_TABLE, "[0, 4]", "[3, null]"));
    assert_eq!(
        m.tables[0].cells[2].entry,
        Entry::Range {
            lo: Some(3),
            hi: None
        }
    );
    let m = ok(&edit(
        ONE_TABLE,
        "\"range\": [0, 4]",
        "\"range\": [2, 2], \"hidden\": true",
    ));
    assert_eq!(
        m.tables[0].cells[2].entry,
        Entry::Range {
            lo: Some(2),
            hi: Some(2)
        }
    );
    let m = ok(&edit(
        ONE_TABLE,
        "\"value\": 1}",
        &format!("\"value\": {MAX_COUNT}}}"),
    ));
    assert_eq!(m.tables[0].cells[0].entry, Entry::Published(MAX_COUNT));
    let m = ok(&edit(ONE_TABLE, "\"value\": 1}", "\"value\": 0}"));
    assert_eq!(m.tables[0].cells[0].entry, Entry::Published(0));
    // A byte order mark is ignored; CRLF line ends are fine.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(ONE_TABLE.replace('\n', "\r\n").as_bytes());
    assert_eq!(read(&bom, "m.json", "m").unwrap().tables[0].cells.len(), 6);
    // Codes are any strings, escapes included.
    let m = ok(
        &edit(ONE_TABLE, "[\"x\", \"y\"]", "[\"x\", \"y\\u00e9\\\"\"]")
            .replace("[\"a\", \"y\"]", "[\"a\", \"yé\\\"\"]")
            .replace("[\"b\", \"y\"]", "[\"b\", \"y\\u00E9\\\"\"]")
            .replace("[\"T\", \"y\"]", "[\"T\", \"yé\\\"\"]"),
    );
    assert_eq!(codes(&m, 0, 1), ["x", "yé\""]);
}

// ---------------------------------------------------------------------------
// Bad input: every error names its field and line.

#[test]
fn syntax_errors() {
    let e = err(&edit(ONE_TABLE, "\"value\": 2}", "\"value\": 2,}"));
    assert_eq!((e.line, e.field.as_deref()), (Some(10), None), "{e}");
    assert!(e.message.contains("invalid JSON"), "{e}");
    assert!(e.message.contains("column"), "{e}");

    let e = err(&edit(ONE_TABLE, "\"b\", \"y\"", "\"b\" \"y\""));
    assert_eq!(e.line, Some(10), "{e}");

    let e = err(&format!("{ONE_TABLE}\n{{}}"));
    assert_eq!(e.line, Some(15), "{e}");
    assert!(e.message.contains("trailing"), "{e}");

    let e = err(&ONE_TABLE[..ONE_TABLE.len() - 3]);
    assert!(e.message.contains("EOF"), "{e}");
    assert_eq!(e.line, Some(13), "{e}");
}

#[test]
fn empty_file() {
    for text in ["", "  \n\n"] {
        let e = err(text);
        assert!(e.message.contains("empty"), "{e}");
        assert!(e.line.is_some());
        assert_eq!(e.field, None);
    }
    assert_eq!(err("").line, Some(1));
}

#[test]
fn invalid_utf8() {
    let mut bytes = ONE_TABLE.as_bytes().to_vec();
    let at = ONE_TABLE.find("\"b\", \"x\"").unwrap() + 1;
    bytes.insert(at, 0xFF);
    let e = err_bytes(&bytes);
    assert_eq!(e.line, Some(9), "{e}");
    assert!(e.message.contains("UTF-8"), "{e}");
}

#[test]
fn top_level_must_be_an_object() {
    for text in ["[1, 2]", "3", "\"t\"", "null"] {
        let e = err(text);
        assert!(e.message.contains("top level must be a JSON object"), "{e}");
        assert_eq!(e.field, None);
        assert_eq!(e.line, Some(1));
    }
}

#[test]
fn duplicate_key_in_a_cell() {
    let e = bad(
        ONE_TABLE,
        "{\"at\": [\"a\", \"y\"], \"hidden\": true}",
        "{\"at\": [\"a\", \"y\"], \"hidden\": true, \"at\": [\"a\", \"y\"]}",
        "cells[1].at",
        8,
        "\"at\" appears twice",
    );
    assert!(e.message.contains("column"), "{e}");
}

#[test]
fn duplicate_key_in_a_tree() {
    bad(
        ONE_TABLE,
        "{\"T\": [\"a\", \"b\"]}",
        "{\"T\": [\"a\"], \"T\": [\"b\"]}",
        "dimensions[0].tree.T",
        3,
        "\"T\" appears twice",
    );
    // Anywhere in the file, even in a value that would be refused anyway.
    let e = err(&edit(
        SPEC_EXAMPLE,
        "\"rhs\": 0}",
        "\"rhs\": 0,\n \"x\": {\"y\": 1, \"y\": 2}}",
    ));
    assert_eq!(e.field.as_deref(), Some("constraints[0].x.y"), "{e}");
    assert_eq!(e.line, Some(45), "{e}");
}

#[test]
fn repeated_code_across_levels() {
    bad(
        ONE_TABLE,
        "{\"T\": [\"a\", \"b\"]}",
        "{\"T\": {\"a\": null, \"b\": [\"a\"]}}",
        "dimensions[0].tree.T.b[0]",
        3,
        "code \"a\" appears twice in dimension \"r\" (first under \"T\")",
    );
    bad(
        ONE_TABLE,
        "{\"T\": [\"a\", \"b\"]}",
        "{\"T\": [\"a\", \"b\", \"T\"]}",
        "dimensions[0].tree.T[2]",
        3,
        "code \"T\" appears twice",
    );
    bad(
        ONE_TABLE,
        "[\"x\", \"y\"]",
        "[\"x\", \"y\", \"x\"]",
        "dimensions[1].tree[2]",
        4,
        "code \"x\" appears twice",
    );
    bad(
        SPEC_EXAMPLE,
        "{\"Bas-Saint-Laurent\": [\"La Mitis\", \"Les Basques\"]}",
        "{\"Bas-Saint-Laurent\": [\"La Mitis\", \"Bas-Saint-Laurent\"]}",
        "tables[0].dimensions[0].tree[\"Bas-Saint-Laurent\"][1]",
        6,
        "first at the top level",
    );
}

#[test]
fn empty_parent() {
    for empty in ["[]", "{}"] {
        bad(
            ONE_TABLE,
            "{\"T\": [\"a\", \"b\"]}",
            &format!("{{\"T\": {{\"a\": null, \"b\": {empty}}}}}"),
            "dimensions[0].tree.T.b",
            3,
            "has no children",
        );
    }
    bad(
        ONE_TABLE,
        "[\"x\", \"y\"]",
        "[]",
        "dimensions[1].tree",
        4,
        "at least one code",
    );
    bad(
        ONE_TABLE,
        "[\"x\", \"y\"]",
        "{}",
        "dimensions[1].tree",
        4,
        "at least one code",
    );
    bad(
        ONE_TABLE,
        "[\"x\", \"y\"]",
        "\"x\"",
        "dimensions[1].tree",
        4,
        "expected a tree",
    );
    bad(
        ONE_TABLE,
        "[\"x\", \"y\"]",
        "[\"x\", 3]",
        "dimensions[1].tree[1]",
        4,
        "expected a code",
    );
    bad(
        ONE_TABLE,
        "{\"T\": [\"a\", \"b\"]}",
        "{\"T\": 1}",
        "dimensions[0].tree.T",
        3,
        "null for a leaf",
    );
}

#[test]
fn unknown_code_and_wrong_arity() {
    bad(
        ONE_TABLE,
        "[\"a\", \"x\"], \"value\": 1",
        "[\"a\", \"z\"], \"value\": 1",
        "cells[0].at[1]",
        7,
        "\"z\" is not a code of dimension \"c\"",
    );
    bad(
        ONE_TABLE,
        "[\"a\", \"x\"], \"value\": 1",
        "[\"a\"], \"value\": 1",
        "cells[0].at",
        7,
        "1 code is given but table \"m\" has 2 dimensions (\"r\", \"c\")",
    );
    bad(
        ONE_TABLE,
        "[\"a\", \"x\"], \"value\": 1",
        "[\"a\", 1], \"value\": 1",
        "cells[0].at[1]",
        7,
        "expected a code (a string), found a number",
    );
    bad(
        ONE_TABLE,
        "{\"at\": [\"a\", \"x\"], \"value\": 1}",
        "{\"value\": 1}",
        "cells[0]",
        7,
        "missing field \"at\"",
    );
}

#[test]
fn cell_listed_twice() {
    bad(
        ONE_TABLE,
        "[\"b\", \"y\"]",
        "[\"a\", \"y\"]",
        "cells[3]",
        10,
        "is listed twice (cells[1] and cells[3])",
    );
}

#[test]
fn missing_cell_with_absent_error() {
    let e = bad(
        ONE_TABLE,
        "    {\"at\": [\"b\", \"y\"], \"value\": 2},\n",
        "",
        "cells",
        6,
        "[\"b\", \"y\"] is not listed",
    );
    assert!(e.message.contains("absent"), "{e}");
    // The same file with absent zero is fine.
    ok(&edit(
        ONE_TABLE,
        "    {\"at\": [\"b\", \"y\"], \"value\": 2},\n",
        "",
    )
    .replacen("{\n", "{\"absent\": \"zero\",\n", 1));
    // In a tables array, the path starts at the table.
    let e = err(&edit(
        SPEC_EXAMPLE,
        "        {\"at\": [\"Les Basques\", \"Volet 2\"], \"value\": 15},\n",
        "",
    ));
    assert_eq!(e.field.as_deref(), Some("tables[0].cells"), "{e}");
    assert_eq!(e.line, Some(9), "{e}");
    bad(
        ONE_TABLE,
        "\"cells\": [",
        "\"absent\": \"none\", \"cells\": [",
        "absent",
        6,
        "\"error\" or \"zero\"",
    );
}

#[test]
fn value_with_hidden_or_range() {
    bad(
        ONE_TABLE,
        "\"value\": 1}",
        "\"value\": 1, \"hidden\": true}",
        "cells[0].hidden",
        7,
        "cannot also have \"hidden\"",
    );
    bad(
        ONE_TABLE,
        "\"value\": 1}",
        "\"value\": 1, \"hidden\": false}",
        "cells[0].hidden",
        7,
        "cannot also have \"hidden\"",
    );
    bad(
        ONE_TABLE,
        "\"value\": 1}",
        "\"value\": 1, \"range\": [0, 3]}",
        "cells[0].range",
        7,
        "cannot also have a \"range\"",
    );
    bad(
        ONE_TABLE,
        "\"hidden\": true},\n    {\"at\": [\"b\"",
        "\"hidden\": false},\n    {\"at\": [\"b\"",
        "cells[1].hidden",
        8,
        "\"hidden\": false needs a \"value\"",
    );
    bad(
        ONE_TABLE,
        "\"range\": [0, 4]",
        "\"range\": [0, 4], \"hidden\": false",
        "cells[2].hidden",
        9,
        "must be true or left out",
    );
    bad(
        ONE_TABLE,
        "\"range\": [0, 4]",
        "\"hidden\": \"yes\"",
        "cells[2].hidden",
        9,
        "expected true or false",
    );
    bad(
        ONE_TABLE,
        ", \"range\": [0, 4]",
        "",
        "cells[2]",
        9,
        "a cell needs \"value\"",
    );
}

#[test]
fn bad_values() {
    let v = |to: &str, says: &str| {
        bad(
            ONE_TABLE,
            "\"value\": 1}",
            &format!("\"value\": {to}}}"),
            "cells[0].value",
            7,
            says,
        );
    };
    v("-1", "-1 is negative");
    v("1.5", "not a whole number");
    v("1.0", "without a decimal point");
    v("1e2", "without a decimal point");
    v(
        &(MAX_COUNT as u64 + 1).to_string(),
        "9007199254740992 is too large",
    );
    v("18446744073709551615", "too large");
    v("99999999999999999999999", "too large");
    v("1e300", "too large");
    v("-99999999999999999999999", "negative");
    v("-1.0", "negative");
    v("\"12\"", "found a string");
    v("null", "found null");
    v("true", "found a boolean");
    v("[1]", "found an array");
}

#[test]
fn bad_ranges() {
    let r = |to: &str, field: &str, says: &str| {
        bad(ONE_TABLE, "[0, 4]", to, field, 9, says);
    };
    r("[5, 4]", "cells[2].range", "the range [5, 4] is empty");
    r("[0]", "cells[2].range", "found 1 element");
    r("[0, 1, 2]", "cells[2].range", "found 3 elements");
    r("[-1, 4]", "cells[2].range[0]", "negative");
    r("[null, 4]", "cells[2].range[0]", "found null");
    r("[0, 4.5]", "cells[2].range[1]", "not a whole number");
    r("[0, 9007199254740992]", "cells[2].range[1]", "too large");
    r("{\"lo\": 0}", "cells[2].range", "expected a range");
}

#[test]
fn bad_constraints() {
    let c = |from: &str, to: &str, field: &str, says: &str| {
        bad(SPEC_EXAMPLE, from, to, field, 44, says);
    };
    c(
        "\"op\": \"<=\"",
        "\"op\": \"==\"",
        "constraints[0].op",
        "unknown op \"==\"",
    );
    c(
        "\"op\": \"<=\"",
        "\"op\": 1",
        "constraints[0].op",
        "found a number",
    );
    bad(
        SPEC_EXAMPLE,
        "\"op\": \"<=\", \"rhs\": 0",
        "\"op\": \"<=\"",
        "constraints[0]",
        42,
        "missing field \"rhs\"",
    );
    c(
        "\"rhs\": 0",
        "\"rhs\": 0.5",
        "constraints[0].rhs",
        "not a whole number",
    );
    c(
        "\"rhs\": 0",
        "\"rhs\": 9223372036854775808",
        "constraints[0].rhs",
        "too large",
    );
    c(
        "\"rhs\": 0",
        "\"rhs\": 0, \"name\": \"c\"",
        "constraints[0].name",
        "unknown field \"name\", expected one of \"terms\", \"op\", \"rhs\"",
    );

    let t = |from: &str, to: &str, field: &str, says: &str| {
        bad(SPEC_EXAMPLE, from, to, field, 42, says);
    };
    t(
        "\"Volet 1\"], \"coef\": 1}",
        "\"Volet 1\"]}",
        "constraints[0].terms[0]",
        "missing field \"coef\"",
    );
    t(
        "\"Volet 1\"], \"coef\": 1}",
        "\"Volet 1\"], \"coef\": \"1\"}",
        "constraints[0].terms[0].coef",
        "expected an integer",
    );
    t(
        "{\"table\": \"invitations\", \"at\"",
        "{\"at\"",
        "constraints[0].terms[0]",
        "must name its table",
    );
    t(
        "\"table\": \"invitations\"",
        "\"table\": \"invitation\"",
        "constraints[0].terms[0].table",
        "no table is named \"invitation\"",
    );
    t(
        "[\"La Mitis\", \"Volet 1\"], \"coef\": 1",
        "[\"La Mitis\", \"Volet 9\"], \"coef\": 1",
        "constraints[0].terms[0].at[1]",
        "\"Volet 9\" is not a code of dimension \"volet\" of table \"invitations\"",
    );
    t(
        "\"coef\": 1}",
        "\"coef\": 1, \"cof\": 1}",
        "constraints[0].terms[0].cof",
        "unknown field \"cof\"",
    );
    let e = err("{\"dimensions\": [{\"name\": \"d\", \"tree\": [\"a\"]}],\n\"cells\": [],\n\"constraints\": {}, \"absent\": \"zero\"}");
    assert_eq!(
        (e.field.as_deref(), e.line),
        (Some("constraints"), Some(3)),
        "{e}"
    );
    assert!(e.message.contains("expected a list of constraints"), "{e}");
}

#[test]
fn unknown_fields() {
    bad(
        ONE_TABLE,
        "\"value\": 1}",
        "\"vlaue\": 1}",
        "cells[0].vlaue",
        7,
        "unknown field \"vlaue\", expected one of \"at\", \"value\", \"hidden\", \"range\"",
    );
    bad(ONE_TABLE, "\"cells\"", "\"cels\"", "cels", 6, "unknown field \"cels\", expected one of \"name\", \"dimensions\", \"cells\", \"absent\", \"constraints\"");
    bad(
        ONE_TABLE,
        "{\"name\": \"c\", \"tree\"",
        "{\"name\": \"c\", \"kind\": 1, \"tree\"",
        "dimensions[1].kind",
        4,
        "unknown field \"kind\"",
    );
    bad(
        SPEC_EXAMPLE,
        "\"absent\": \"zero\"",
        "\"absnet\": \"zero\"",
        "tables[1].absnet",
        30,
        "unknown field \"absnet\"",
    );
    // With a tables array, a table's fields at the top level are unknown.
    bad(
        SPEC_EXAMPLE,
        "\"constraints\": [",
        "\"absent\": \"zero\", \"constraints\": [",
        "absent",
        41,
        "each table's fields go in its entry",
    );
}

#[test]
fn table_names_and_shapes() {
    bad(
        SPEC_EXAMPLE,
        "\"name\": \"invitations\",",
        "",
        "tables[1]",
        24,
        "every table of \"tables\" needs a name",
    );
    bad(
        SPEC_EXAMPLE,
        "\"name\": \"invitations\"",
        "\"name\": \"declarations\"",
        "tables[1].name",
        25,
        "two tables are named \"declarations\"",
    );
    bad(
        SPEC_EXAMPLE,
        "\"name\": \"invitations\"",
        "\"name\": 7",
        "tables[1].name",
        25,
        "found a number",
    );
    let e = err("{\"tables\": []}");
    assert_eq!(e.field.as_deref(), Some("tables"));
    assert!(e.message.contains("at least one table"), "{e}");
    let e = err("{\"tables\": [3]}");
    assert_eq!(e.field.as_deref(), Some("tables[0]"));
    let e = err("{\n\"dimensions\": [], \"cells\": []}");
    assert_eq!(
        (e.field.as_deref(), e.line),
        (Some("dimensions"), Some(2)),
        "{e}"
    );
    assert!(e.message.contains("at least one dimension"), "{e}");
    bad(
        ONE_TABLE,
        "{\"name\": \"c\", \"tree\"",
        "{\"name\": \"r\", \"tree\"",
        "dimensions[1].name",
        4,
        "two dimensions named \"r\"",
    );
    bad(
        ONE_TABLE,
        "{\"name\": \"c\", \"tree\": [\"x\", \"y\"]}",
        "{\"name\": \"c\"}",
        "dimensions[1]",
        4,
        "missing field \"tree\"",
    );
    let e = err("{\"dimensions\": [{\"name\": \"d\", \"tree\": [\"a\"]}],\n\"cells\": {}}");
    assert_eq!(
        (e.field.as_deref(), e.line),
        (Some("cells"), Some(2)),
        "{e}"
    );
    assert!(e.message.contains("expected a list of cells"), "{e}");
    let e = err("{\"dimensions\": [{\"name\": \"d\", \"tree\": [\"a\"]}]}");
    assert_eq!(e.field, None);
    assert!(e.message.contains("missing field \"cells\""), "{e}");
    bad(
        ONE_TABLE,
        "{\"at\": [\"b\", \"y\"], \"value\": 2}",
        "[\"b\", \"y\", 2]",
        "cells[3]",
        10,
        "expected a cell (an object), found an array",
    );
}

#[test]
fn a_cross_product_too_large_to_count_is_an_error() {
    let dims: Vec<String> = (0..70)
        .map(|i| format!("{{\"name\": \"d{i}\", \"tree\": [\"a\", \"b\"]}}"))
        .collect();
    for absent in ["zero", "error"] {
        let e = err(&format!(
            "{{\"absent\": \"{absent}\", \"dimensions\": [{}], \"cells\": []}}",
            dims.join(",")
        ));
        assert_eq!(e.field.as_deref(), Some("dimensions"), "{e}");
        assert!(e.message.contains("too many cells"), "{e}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for text in [
        "[".repeat(100_000),
        "{\"a\":".repeat(100_000),
        format!("{{\"cells\": {}", "[".repeat(100_000)),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let e = err(&text);
        assert_eq!(e.line, Some(1), "{e}");
        assert!(e.message.contains("128 levels"), "{e}");
    }
}

/// A tree `{"l0": {"l1": ... {"lN": null}}}`: a chain of `depth` parents.
fn chain(depth: usize) -> String {
    let mut tree = String::new();
    for i in 0..depth {
        tree.push_str(&format!("{{\"l{i}\": "));
    }
    tree.push_str("[\"leaf\"]");
    tree.push_str(&"}".repeat(depth));
    format!(
        "{{\"absent\": \"zero\", \"dimensions\": [{{\"name\": \"d\", \"tree\": {tree}}}], \"cells\": [{{\"at\": [\"leaf\"], \"hidden\": true}}]}}"
    )
}

#[test]
fn deep_trees_up_to_the_parse_limit() {
    let m = ok(&chain(100));
    let d = &m.tables[0].dimensions[0];
    assert_eq!(d.len(), 101);
    assert_eq!(d.depth(d.find("leaf").unwrap()), 100);
    let e = err(&chain(200));
    assert!(e.message.contains("128 levels"), "{e}");
}

// ---------------------------------------------------------------------------
// No input makes the reader panic.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = read(&bytes, "m.json", "m");
    }

    #[test]
    fn random_text_never_panics(text in "[\\[\\]{}\":, a-z0-9.eE+\\-\\\\nul]{0,200}") {
        let _ = read(text.as_bytes(), "m.json", "m");
    }

    #[test]
    fn mutations_of_the_example_never_panic(
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(
                b"{}[]\",:0123456789-.eE ntruefalsxyzTV\\\xff".to_vec()
            )),
            1..8,
        )
    ) {
        let mut bytes = SPEC_EXAMPLE.as_bytes().to_vec();
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 if i < bytes.len() => bytes[i] = byte,
                1 if i < bytes.len() => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        if let Err(e) = read(&bytes, "m.json", "m") {
            prop_assert_eq!(e.file, "m.json");
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn mutated_values_are_read_or_refused(n in any::<i64>(), f in any::<f64>(), lo in 0u64..20, hi in 0u64..20) {
        for value in [n.to_string(), format!("{f:?}")] {
            let text = edit(ONE_TABLE, "\"value\": 1}", &format!("\"value\": {value}}}"));
            match read(text.as_bytes(), "m.json", "m") {
                Ok(m) => {
                    let Entry::Published(v) = m.tables[0].cells[0].entry else { panic!() };
                    prop_assert!((0..=MAX_COUNT).contains(&v));
                }
                Err(e) => prop_assert_eq!(e.field.as_deref(), Some("cells[0].value")),
            }
        }
        let text = edit(ONE_TABLE, "[0, 4]", &format!("[{lo}, {hi}]"));
        match read(text.as_bytes(), "m.json", "m") {
            Ok(m) => prop_assert_eq!(m.tables[0].cells[2].entry, Entry::Range { lo: Some(lo as i64), hi: Some(hi as i64) }),
            Err(e) => {
                prop_assert!(lo > hi);
                prop_assert_eq!(e.field.as_deref(), Some("cells[2].range"));
            }
        }
    }
}

#[test]
fn a_large_table_reads() {
    let n = 300;
    let rows: Vec<String> = (0..n).map(|i| format!("\"r{i}\"")).collect();
    let cols: Vec<String> = (0..n).map(|j| format!("\"c{j}\"")).collect();
    let mut cells = Vec::with_capacity((n + 1) * (n + 1));
    for i in 0..=n {
        for j in 0..=n {
            let r = if i == n {
                "R".to_string()
            } else {
                format!("r{i}")
            };
            let c = if j == n {
                "C".to_string()
            } else {
                format!("c{j}")
            };
            cells.push(format!("{{\"at\": [\"{r}\", \"{c}\"], \"hidden\": true}}"));
        }
    }
    let text = format!(
        "{{\"dimensions\": [{{\"name\": \"r\", \"tree\": {{\"R\": [{}]}}}}, {{\"name\": \"c\", \"tree\": {{\"C\": [{}]}}}}],\n\"cells\": [\n{}\n]}}",
        rows.join(", "),
        cols.join(", "),
        cells.join(",\n")
    );
    let m = ok(&text);
    assert_eq!(m.tables[0].cells.len(), (n + 1) * (n + 1));
    // An error near the end still finds its line.
    let last = "{\"at\": [\"R\", \"C\"], \"hidden\": true}";
    let e = err(&edit(
        &text,
        last,
        "{\"at\": [\"R\", \"D\"], \"hidden\": true}",
    ));
    assert_eq!(e.line, Some(2 + (n + 1) * (n + 1)), "{e}");
    assert_eq!(
        e.field.as_deref(),
        Some(format!("cells[{}].at[1]", (n + 1) * (n + 1) - 1).as_str())
    );
}

#[test]
fn decimals_read_exactly() {
    // Digits inside strings (with an escaped quote) are not numbers.
    let text = r#"{"decimals": 3, "name": "t\"0.5 -1", "dimensions": [{"name": "d", "tree": {"T": ["a", "b"]}}],
      "cells": [{"at": ["a"], "value": 9007199254740.991}, {"at": ["b"], "range": [1e-3, 0.5]},
                {"at": ["T"], "hidden": true}],
      "constraints": [{"terms": [{"table": "t\"0.5 -1", "at": ["b"], "coef": 2}], "op": "<=", "rhs": -0.25}]}"#;
    let model = cellbound_core::io::json_model::read(text.as_bytes(), "t.json", "t").unwrap();
    assert_eq!(model.decimals, 3);
    // 2^53 - 1 thousandths, past what an f64 holds to the last digit
    // once scaled.
    assert_eq!(
        model.tables[0].cells[0].entry,
        Entry::Published(9007199254740991)
    );
    assert_eq!(
        model.tables[0].cells[1].entry,
        Entry::Range {
            lo: Some(1),
            hi: Some(500)
        }
    );
    assert_eq!(model.constraints[0].rhs, -250);
    // Written back, it reads the same.
    let again = cellbound_core::io::json_model::read(
        cellbound_core::io::write::json_model(&model).as_bytes(),
        "u.json",
        "u",
    )
    .unwrap();
    assert_eq!(again.decimals, 3);
    let entries = |m: &Model| {
        m.tables[0]
            .cells
            .iter()
            .map(|c| c.entry)
            .collect::<Vec<_>>()
    };
    assert_eq!(entries(&again), entries(&model));
    assert_eq!(again.constraints[0].rhs, -250);
    // One decimal too many, a value past 2^53 units, a negative value.
    let e = err(&text.replace("9007199254740.991", "1.0001"));
    assert_eq!(e.field.as_deref(), Some("cells[0].value"));
    assert!(
        e.message
            .contains("1.0001 has more decimals than the model's 3"),
        "{e}"
    );
    let e = err(&text.replace("9007199254740.991", "9007199254740.992"));
    assert!(e.message.contains("is too large"), "{e}");
    let e = err(&text.replace("9007199254740.991", "-1.5"));
    assert!(e.message.contains("-1.5 is negative"), "{e}");
}
