//! `explain` reads as a person would write it: a bound that is the cell's
//! own limit says so instead of "adding up: [cell] = 0"; no line of a
//! derivation is taken a negative number of times; the digits of the two
//! example tables line up.

use serde_json::Value;

use crate::common::{path, run};

/// Every hidden cell of table 1, and the rules under which it is feasible.
const CELLS: [&str; 4] = [
    "MRC La Mitis,Volet 1",
    "MRC La Mitis,Volet 3",
    "MRC Les Basques,Volet 1",
    "MRC Les Basques,Volet 3",
];
const RULES: [&[&str]; 2] = [&["--open"], &["--open", "--zeros-shown"]];

fn explain(cell: &str, rule: &[&str], format: &str) -> String {
    let t1 = path("examples/table1-declarations.csv");
    let mut args = vec!["explain", &t1, "--cell", cell, "--format", format];
    args.extend(rule);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
fn a_bound_that_is_the_cells_own_limit_needs_no_line() {
    // Under --open, La Mitis 3 is 0..8: its lower bound is its domain.
    let out = explain("MRC La Mitis,Volet 3", &["--open"], "json");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["lower"]["bound"], 0);
    let derivation = &doc["lower"]["derivation"];
    assert_eq!(derivation["lines"].as_array().unwrap().len(), 0, "{out}");
    let text = derivation["text"].as_str().unwrap();
    assert!(!text.contains("adding up"), "{text}");
    assert!(!text.contains("] = 0"), "{text}");
    assert!(text.contains("[MRC La Mitis/Volet 3] >= 0"), "{text}");
    assert!(text.contains("counts are not negative"), "{text}");
    assert!(text.contains("no line is needed"), "{text}");
    // With zeros shown, the reason is that zeros are shown.
    let out = explain("MRC La Mitis,Volet 3", &["--open", "--zeros-shown"], "json");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let text = doc["lower"]["derivation"]["text"].as_str().unwrap();
    assert!(text.contains(">= 1"), "{text}");
    assert!(text.contains("zeros are shown"), "{text}");
}

#[test]
fn no_line_is_taken_a_negative_number_of_times() {
    let mut lines_seen = 0;
    for cell in CELLS {
        for rule in RULES {
            let out = explain(cell, rule, "table");
            for line in out.lines().map(str::trim_start) {
                assert!(
                    !(line.starts_with('-') && line.contains(" × ")),
                    "a negative multiplier in\n{out}"
                );
                if line.starts_with("row ") || line.starts_with("column ") {
                    lines_seen += 1;
                }
            }
        }
    }
    // The derivations do use lines, some of them negated.
    assert!(lines_seen >= 8, "{lines_seen}");
    let out = explain("MRC La Mitis,Volet 1", &["--open"], "table");
    assert!(
        out.contains("row \"MRC Les Basques\", negated: -[MRC Les Basques/Volet 1] - [MRC Les Basques/Volet 3] = -10"),
        "{out}"
    );
}

#[test]
fn a_one_line_lower_bound_reads_as_the_line_itself() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.csv");
    std::fs::write(
        &file,
        "R,A,B,C,Total\nr1,x,x,10,18\nr2,x,x,10,18\nTotal,8,8,20,36\n",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "explain",
        file.to_str().unwrap(),
        "--cell",
        "r1,A",
        "--format",
        "table",
    ]);
    assert_eq!(code, 0, "{err}");
    let lower = out
        .split("lower bound 4:\n")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_default();
    // Row r1 and column A both prove it; either reads as the line itself.
    assert!(
        [
            "row \"r1\": [r1/A] + [r1/B] = 8",
            "column \"A\": [r1/A] + [r2/A] = 8"
        ]
        .contains(&lower.trim()),
        "{out}"
    );
}

/// The column at which each number of a grid line ends, past its label.
fn number_ends(line: &str, label_width: usize) -> Vec<usize> {
    let chars: Vec<char> = line.chars().collect();
    (label_width..chars.len())
        .filter(|&i| {
            chars[i].is_ascii_digit() && !chars.get(i + 1).is_some_and(char::is_ascii_digit)
        })
        .collect()
}

#[test]
fn the_example_tables_line_up() {
    for cell in CELLS {
        let out = explain(cell, &["--open"], "table");
        let mut grids = 0;
        for block in out.split("\na table where it is ").skip(1) {
            let grid: Vec<&str> = block
                .lines()
                .skip(1)
                .take_while(|l| l.starts_with("  "))
                .collect();
            // The header, eight MRC rows and the total.
            assert_eq!(grid.len(), 10, "{block}");
            // Past the widest row label, every row's numbers end at the
            // same columns.
            let label_width = "  MRC Rivière-du-Loup".chars().count();
            let ends: Vec<Vec<usize>> = grid[1..]
                .iter()
                .map(|l| number_ends(l, label_width))
                .collect();
            assert_eq!(ends[0].len(), 4, "{block}");
            for (line, e) in grid[1..].iter().zip(&ends) {
                assert_eq!(e, &ends[0], "misaligned: {line:?}\n{block}");
            }
            grids += 1;
        }
        assert_eq!(grids, 2, "{out}");
    }
}
