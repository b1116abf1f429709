//! `verify` checks the words of a derivation too: a bounds file whose
//! `text` or line `name` says something other than what its multipliers
//! prove is a failure naming the cell and the side; a file that leaves
//! them out (or empty) is checked on its numbers alone.

use serde_json::Value;

use crate::explain_verify::verify_tampered;

/// Asserts that verify fails on the edited file (exit 1) with a report
/// holding every one of `fragments`; returns the report.
#[track_caller]
fn caught(edit: impl Fn(&mut Value), fragments: &[&str]) -> String {
    let (code, out) = verify_tampered(edit);
    assert_eq!(code, 1, "{out}");
    for f in fragments {
        assert!(out.contains(f), "{f:?} not in: {out}");
    }
    out
}

#[test]
fn an_untouched_file_verifies() {
    let (code, out) = verify_tampered(|_| {});
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("verified"), "{out}");
}

#[test]
fn a_tampered_text_is_caught() {
    let out = caught(
        |j| {
            j["cells"][0]["proofs"]["lower"]["text"] =
                "the published numbers give [MRC La Mitis/Volet 1] >= 3 by a theorem".into();
        },
        &[
            "table1-declarations[\"MRC La Mitis\", \"Volet 1\"]: lower bound 3:",
            "\"text\" does not say what its lines prove",
            "by a theorem",
        ],
    );
    assert!(out.ends_with("1 problem found\n"), "{out}");
}

#[test]
fn a_text_changed_in_one_number_or_a_line_end_is_caught() {
    // The same words with the bound changed: a lie a person would read.
    caught(
        |j| {
            let text = &mut j["cells"][1]["proofs"]["upper"]["text"];
            let t = text.as_str().unwrap().to_string();
            let (head, last) = t.rsplit_once("<= ").unwrap();
            *text = format!("{head}<= 1{last}").into();
        },
        &["\"Volet 3\"]: upper bound"],
    );
    caught(
        |j| {
            let text = &mut j["cells"][0]["proofs"]["upper"]["text"];
            *text = format!("{}\n", text.as_str().unwrap()).into();
        },
        &["the derivation gives the end of the text"],
    );
}

#[test]
fn a_tampered_line_name_is_caught() {
    caught(
        |j| {
            let line = &mut j["cells"][0]["proofs"]["upper"]["lines"][0];
            assert_ne!(line["name"], "row \"Total\"");
            line["name"] = "row \"Total\"".into();
        },
        &["table1-declarations[\"MRC La Mitis\", \"Volet 1\"]: upper bound 11: the derivation's lines[0] is named \"row \\\"Total\\\"\""],
    );
}

#[test]
fn an_empty_or_absent_text_or_name_still_verifies() {
    let (code, out) = verify_tampered(|j| {
        for cell in j["cells"].as_array_mut().unwrap() {
            cell["proofs"]["lower"]["text"] = "".into();
            cell["proofs"]["upper"]["lines"][0]["name"] = "".into();
        }
    });
    assert_eq!(code, 0, "{out}");
    let (code, out) = verify_tampered(|j| {
        for cell in j["cells"].as_array_mut().unwrap() {
            let upper = cell["proofs"]["upper"].as_object_mut().unwrap();
            upper.remove("text");
            let line = upper["lines"][0].as_object_mut().unwrap();
            line.remove("name");
        }
    });
    assert_eq!(code, 0, "{out}");
}
