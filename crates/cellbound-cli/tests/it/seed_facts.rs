//! The hand-checked facts of the seed tables (`examples/table*.csv`, from
//! access request 30735): bounds through the binary, relations between
//! hidden cells through the library's witness tables.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use cellbound::core::io::{read_path, GridOptions};
use cellbound::core::{Model, Rule};
use cellbound::solver::{bounds, Options, Outcome, Report};
use serde_json::Value;

const T1: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/table1-declarations.csv"
);
const T2: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/table2-invitations.csv"
);
const T3: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/table3-peq-workers.csv"
);
const T4: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/table4-peq-graduates.csv"
);

// ---------------------------------------------------------------------------
// Through the binary.

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

/// `cellbound bounds FILE --format json ARGS`.
fn run(file: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_cellbound"))
        .arg("bounds")
        .arg(file)
        .args(["--format", "json"])
        .args(args)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    Run {
        code: out.status.code().expect("exit status"),
        json: serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}")),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 messages"),
    }
}

/// `(lower, upper)` of the hidden cell at `[row, column]`.
fn interval(json: &Value, row: &str, col: &str) -> (i64, Option<i64>) {
    let cell = json["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["at"][0] == row && c["at"][1] == col)
        .unwrap_or_else(|| panic!("no hidden cell [{row}, {col}] in {json}"));
    (cell["lower"].as_i64().unwrap(), cell["upper"].as_i64())
}

const MITIS: &str = "MRC La Mitis";
const BASQUES: &str = "MRC Les Basques";

#[test]
fn table1_is_infeasible_under_the_default_rule() {
    let r = run(T1, &[]);
    assert_eq!(r.code, 3, "stderr: {}", r.stderr);
    assert_eq!(r.json["feasible"], false);
    assert!(r.json.get("cells").is_none() && r.json.get("summary").is_none());
    assert_eq!(r.json["rule"]["threshold"], 5);
    let why = r.json["explanation"].as_str().expect("an explanation");
    assert!(why.contains("row \"MRC La Mitis\""), "{why}");
    assert!(why.contains("needs 11"), "{why}");
    assert!(why.contains("--open"), "{why}");
    assert!(r.stderr.contains("--open"), "{}", r.stderr);
}

#[test]
fn table1_open_bounds() {
    let r = run(T1, &["--open"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.json["feasible"], true);
    assert_eq!(r.json["rule"]["open"], true);
    assert_eq!(interval(&r.json, MITIS, "Volet 1"), (3, Some(11)));
    assert_eq!(interval(&r.json, MITIS, "Volet 3"), (0, Some(8)));
    assert_eq!(interval(&r.json, BASQUES, "Volet 1"), (2, Some(10)));
    assert_eq!(interval(&r.json, BASQUES, "Volet 3"), (0, Some(8)));
    assert_eq!(
        r.json["summary"],
        serde_json::json!({"hidden": 4, "exact": 0, "bounded": 4, "unbounded": 0})
    );
    // Input order: line by line, left to right; the table is the file stem.
    let cells = r.json["cells"].as_array().unwrap();
    let order: Vec<(&str, &str)> = cells
        .iter()
        .map(|c| (c["at"][0].as_str().unwrap(), c["at"][1].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            (MITIS, "Volet 1"),
            (MITIS, "Volet 3"),
            (BASQUES, "Volet 1"),
            (BASQUES, "Volet 3")
        ]
    );
    assert!(cells
        .iter()
        .all(|c| c["table"] == "table1-declarations" && c["status"] == "bounded"));
}

#[test]
fn table1_open_zeros_shown_bounds() {
    let r = run(T1, &["--open", "--zeros-shown"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(interval(&r.json, MITIS, "Volet 1"), (4, Some(10)));
    assert_eq!(interval(&r.json, MITIS, "Volet 3"), (1, Some(7)));
    assert_eq!(interval(&r.json, BASQUES, "Volet 1"), (3, Some(9)));
    assert_eq!(interval(&r.json, BASQUES, "Volet 3"), (1, Some(7)));
}

#[test]
fn table4_zeros_shown_kamouraska_2023() {
    let r = run(T4, &["--zeros-shown"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(interval(&r.json, "MRC de Kamouraska", "2023"), (1, Some(2)));
}

#[test]
fn table3_default_rule_contains_a_plausible_truth() {
    // A truth made by hand: the published cells, and hidden cells of 1 to
    // 4 that fill each column up to its total (2023: 48 published of 58,
    // 2024: 68 of 78, 2025: 130 of 136). Table 3 has no total column.
    let truth = [
        ("MRC de la Matanie", "2023", 4),
        ("MRC de la Matapédia", "2023", 3),
        ("MRC de Témiscouata", "2023", 3),
        ("MRC de Kamouraska", "2024", 3),
        ("MRC de la Matanie", "2024", 3),
        ("MRC de Témiscouata", "2024", 2),
        ("MRC de destination inconnue", "2024", 2),
        ("MRC de Kamouraska", "2025", 2),
        ("MRC de la Matapédia", "2025", 2),
        ("MRC des Basques", "2025", 2),
    ];
    let r = run(T3, &[]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.json["feasible"], true);
    assert_eq!(r.json["summary"]["hidden"], truth.len());
    for (row, col, value) in truth {
        let (lo, hi) = interval(&r.json, row, col);
        assert!(
            lo <= value && hi.is_some_and(|h| value <= h),
            "[{row}, {col}] = {value} is outside {lo}..{hi:?}"
        );
        // Under the default rule every hidden interior cell is at most 4.
        assert!(hi.unwrap() <= 4);
    }
}

// ---------------------------------------------------------------------------
// Through the library: relations hold in every witness table, and the
// bounds agree with them.

fn model(path: &str) -> Model {
    read_path(Path::new(path), &GridOptions::default()).expect("the seed table reads")
}

fn solve(model: &Model, rule: Rule) -> Report {
    let options = Options {
        keep_witnesses: true,
        ..Options::default()
    };
    match bounds(model, rule, &options).expect("the solver answers") {
        Outcome::Feasible(report) => report,
        Outcome::Infeasible(why) => panic!("infeasible: {}", why.explanation(model)),
    }
}

/// `sum of cells = total` between hidden cells named by `[row, column]`.
struct Relation<'a> {
    cells: &'a [(&'a str, &'a str)],
    sum: i64,
}

/// Checks each relation against the bounds and against every witness
/// table: a witness holds all the cells of a relation, or none (cells
/// linked by a relation share a component).
fn check_relations(model: &Model, report: &Report, relations: &[Relation]) {
    let table = &model.tables[0];
    // Variable of each hidden cell, by its codes.
    let mut var_of: HashMap<(String, String), usize> = HashMap::new();
    let mut index_of_var: HashMap<usize, usize> = HashMap::new();
    for (i, c) in report.cells.iter().enumerate() {
        let codes = table.codes_of(&table.cells[c.cell.cell].at);
        var_of.insert((codes[0].clone(), codes[1].clone()), c.var);
        index_of_var.insert(c.var, i);
    }
    let var = |(row, col): &(&str, &str)| -> usize {
        *var_of
            .get(&(row.to_string(), col.to_string()))
            .unwrap_or_else(|| panic!("[{row}, {col}] is not a hidden cell"))
    };

    for rel in relations {
        let vars: Vec<usize> = rel.cells.iter().map(var).collect();
        let b: Vec<_> = vars
            .iter()
            .map(|v| report.cells[index_of_var[v]].bounds)
            .collect();
        // Each cell's bounds are what the others' leave it.
        for k in 0..b.len() {
            let others_lo: i64 = (0..b.len())
                .filter(|&j| j != k)
                .map(|j| b[j].lower.expect("counts are bounded below"))
                .sum();
            let others_hi: Option<i64> = (0..b.len()).filter(|&j| j != k).map(|j| b[j].upper).sum();
            let hi = b[k].upper.expect("bounded cells");
            assert!(
                hi <= rel.sum - others_lo,
                "upper of {:?} above the relation",
                rel.cells[k]
            );
            if b.len() == 2 {
                // Two cells: a + b = s makes each one's bounds the mirror
                // of the other's.
                assert_eq!(b[k].lower.unwrap() + others_hi.unwrap(), rel.sum);
                assert_eq!(hi + others_lo, rel.sum);
            }
        }
    }

    let mut checked = vec![0usize; relations.len()];
    for c in &report.cells {
        let (low, high) = c.witnesses.as_deref().expect("witnesses were asked for");
        let mut tables = vec![(
            low.as_ref().expect("counts are bounded below"),
            c.bounds.lower.unwrap(),
        )];
        if let (Some(w), Some(u)) = (high, c.bounds.upper) {
            tables.push((w, u));
        }
        for (w, bound) in tables {
            let values: HashMap<usize, i64> = w.values().into_iter().collect();
            // The witness reaches the bound it stands for.
            assert_eq!(values[&c.var], bound);
            for (r, rel) in relations.iter().enumerate() {
                let vars: Vec<usize> = rel.cells.iter().map(var).collect();
                let present = vars.iter().filter(|v| values.contains_key(v)).count();
                if present == 0 {
                    continue;
                }
                assert_eq!(present, vars.len(), "a relation split across components");
                let sum: i64 = vars.iter().map(|v| values[v]).sum();
                assert_eq!(
                    sum, rel.sum,
                    "witness {values:?} breaks {:?} = {}",
                    rel.cells, rel.sum
                );
                checked[r] += 1;
            }
        }
    }
    assert!(
        checked.iter().all(|&n| n > 0),
        "every relation met some witness: {checked:?}"
    );
}

#[test]
fn table1_open_four_sums_hold_in_every_witness() {
    let m = model(T1);
    let relations = [
        Relation {
            cells: &[(MITIS, "Volet 1"), (MITIS, "Volet 3")],
            sum: 11,
        },
        Relation {
            cells: &[(BASQUES, "Volet 1"), (BASQUES, "Volet 3")],
            sum: 10,
        },
        Relation {
            cells: &[(MITIS, "Volet 1"), (BASQUES, "Volet 1")],
            sum: 13,
        },
        Relation {
            cells: &[(MITIS, "Volet 3"), (BASQUES, "Volet 3")],
            sum: 8,
        },
    ];
    for zeros_shown in [false, true] {
        let rule = Rule {
            open: true,
            zeros_shown,
            ..Rule::default()
        };
        let report = solve(&m, rule);
        assert_eq!(report.cells.len(), 4);
        check_relations(&m, &report, &relations);
    }
}

#[test]
fn table1_default_rule_is_infeasible_through_the_library() {
    let m = model(T1);
    match bounds(&m, Rule::default(), &Options::default()).unwrap() {
        Outcome::Infeasible(why) => {
            assert!(why.minimal);
            let lines = why.lines(&m);
            assert_eq!(lines.len(), 1, "{lines:?}");
            assert!(lines[0].contains("MRC La Mitis"));
            assert!(why.hint(&m).is_some_and(|h| h.contains("--open")));
        }
        Outcome::Feasible(_) => panic!("La Mitis needs 11 from two cells of at most 4"),
    }
}

#[test]
fn table2_suppressed_totals() {
    let m = model(T2);
    let basques_total = (BASQUES, "Total");
    let temiscouata_total = ("MRC Témiscouata", "Total");
    let relations = [
        // The two suppressed row totals add up to 7.
        Relation {
            cells: &[basques_total, temiscouata_total],
            sum: 7,
        },
    ];
    for rule in [
        Rule::default(),
        Rule::open(),
        Rule {
            zeros_shown: true,
            open: true,
            ..Rule::default()
        },
    ] {
        let report = solve(&m, rule);
        check_relations(&m, &report, &relations);

        // Les Basques' total equals its hidden stream-2 cell (its other
        // cells are published zeros): same bounds, same value in every
        // witness.
        let table = &m.tables[0];
        let find = |(row, col): (&str, &str)| {
            report
                .cells
                .iter()
                .find(|c| table.codes_of(&table.cells[c.cell.cell].at) == [row, col])
                .unwrap_or_else(|| panic!("[{row}, {col}] is hidden"))
        };
        let total = find(basques_total);
        let volet2 = find((BASQUES, "Volet 2"));
        assert_eq!(total.bounds, volet2.bounds);
        assert_eq!(total.component, volet2.component);
        for c in &report.cells {
            let (low, high) = c.witnesses.as_deref().unwrap();
            for w in low.iter().chain(high) {
                let values: HashMap<usize, i64> = w.values().into_iter().collect();
                if let Some(t) = values.get(&total.var) {
                    assert_eq!(Some(t), values.get(&volet2.var));
                }
            }
        }
    }
}

#[test]
fn table4_column_relations() {
    let m = model(T4);
    let relations = [
        Relation {
            cells: &[
                ("MRC de Kamouraska", "2023"),
                ("MRC de destination inconnue", "2023"),
            ],
            sum: 3,
        },
        Relation {
            cells: &[
                ("MRC de la Matapédia", "2024"),
                ("MRC de Témiscouata", "2024"),
            ],
            sum: 4,
        },
        Relation {
            cells: &[("MRC de Kamouraska", "2025"), ("MRC de la Matanie", "2025")],
            sum: 4,
        },
    ];
    for zeros_shown in [false, true] {
        for open in [false, true] {
            let rule = Rule {
                zeros_shown,
                open,
                ..Rule::default()
            };
            let report = solve(&m, rule);
            assert_eq!(report.cells.len(), 6);
            check_relations(&m, &report, &relations);
        }
    }
}
