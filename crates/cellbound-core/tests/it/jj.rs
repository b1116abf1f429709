//! The τ-ARGUS JJ reader and writer (`io::jj`): the mapping to a model,
//! every decision of the module doc, the errors and the round trip. The
//! fixtures in `tests/data/jj/` are written by hand from the format's
//! description.

use std::collections::BTreeSet;
use std::path::Path;

use cellbound_core::io::jj::{read, write, JjCell, JjFile, JjStatus, NO_UPPER};
use cellbound_core::io::{read_bytes, read_path, Format, GridOptions};
use cellbound_core::{
    Absent, Cell, Constraint, Dimension, Entry, InputError, Layout, LinearSystem, Model, Op, Rule,
    Table, Term, MAX_COUNT,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- helpers

/// A 2x3 table with both margins (12 cells), values
///
/// ```text
///        c1  c2  c3   T
///   r1    3   7   2  12
///   r2    5   1   9  15
///   T     8   8  11  27
/// ```
///
/// ids row by row; r1c3 and r2c2 unsafe, r1c2 and r2c3 secondary, the
/// grand total protected (z). Rows come first, then columns.
const GRID: &str = include_str!("../data/jj/grid2x3.jj");

/// A table with a hierarchy: rows Total = A + B, A = A1 + A2; columns
/// c1, c2 and their total T (15 cells, 11 relations).
const HIERARCHY: &str = include_str!("../data/jj/hierarchy.jj");

fn open() -> Rule {
    Rule {
        open: true,
        ..Default::default()
    }
}

fn ok(text: &str) -> JjFile {
    match read(text.as_bytes(), "t.jj", "t") {
        Ok(file) => file,
        Err(e) => panic!("{e}"),
    }
}

fn bad(text: &str) -> InputError {
    match read(text.as_bytes(), "t.jj", "t") {
        Ok(file) => panic!("expected an error, read {:?}", file.cells),
        Err(e) => e,
    }
}

/// A JJ file from cell lines and relation lines: line 1 is `0`, line 2
/// the cell count, the cells from line 3.
fn jj(cells: &[&str], relations: &[&str]) -> String {
    let mut out = format!("0\n{}\n", cells.len());
    for c in cells {
        out.push_str(c);
        out.push('\n');
    }
    out.push_str(&format!("{}\n", relations.len()));
    for r in relations {
        out.push_str(r);
        out.push('\n');
    }
    out
}

/// Three cells 0 = 1 + 2, with `line` as cell 1.
fn with_cell_1(line: &str) -> String {
    jj(
        &["0 10 1 s 0 100 0 0 0", line, "2 4 1 s 0 100 0 0 0"],
        &["0 3 : 0 (-1) 1 (1) 2 (1)"],
    )
}

/// A relation as `(rhs, terms sorted by id)`, terms as `(id, coef)`.
type Relation = (i64, Vec<(usize, i64)>);

/// The relations of a model read from a JJ file (one flat table).
fn relations(model: &Model) -> BTreeSet<Relation> {
    model
        .constraints
        .iter()
        .map(|c| {
            assert_eq!(c.op, Op::Eq);
            let mut terms: Vec<(usize, i64)> = c
                .terms
                .iter()
                .map(|t| {
                    assert_eq!(t.table, 0);
                    (t.at[0], t.coef)
                })
                .collect();
            terms.sort_unstable();
            (c.rhs, terms)
        })
        .collect()
}

fn rel(rhs: i64, terms: &[(usize, i64)]) -> Relation {
    let mut terms = terms.to_vec();
    terms.sort_unstable();
    (rhs, terms)
}

/// A total `total` of `parts`.
fn sum(total: usize, parts: &[usize]) -> Relation {
    let mut terms = vec![(total, -1)];
    terms.extend(parts.iter().map(|&p| (p, 1)));
    rel(0, &terms)
}

/// The grid's relations, worked out by hand.
fn grid_relations() -> BTreeSet<Relation> {
    [
        sum(3, &[0, 1, 2]),
        sum(7, &[4, 5, 6]),
        sum(11, &[8, 9, 10]),
        sum(8, &[0, 4]),
        sum(9, &[1, 5]),
        sum(10, &[2, 6]),
        sum(11, &[3, 7]),
    ]
    .into_iter()
    .collect()
}

/// A dimension from `(code, parent)` pairs.
fn dim(name: &str, codes: &[(&str, Option<usize>)]) -> Dimension {
    Dimension::new(name, codes.iter().map(|&(c, p)| (c.to_string(), p))).unwrap()
}

/// A 2-D model listing every cell row by row, hidden where `hidden`.
fn table_2d(rows: Dimension, cols: Dimension, values: &[i64], hidden: &[usize]) -> Model {
    let mut cells = Vec::new();
    for r in 0..rows.len() {
        for c in 0..cols.len() {
            let k = cells.len();
            cells.push(Cell {
                at: vec![r, c],
                entry: if hidden.contains(&k) {
                    Entry::Hidden
                } else {
                    Entry::Published(values[k])
                },
                origin: format!("cell {k}"),
                line: None,
            });
        }
    }
    Model {
        negative: false,
        tables: vec![
            Table::new("t", vec![rows, cols], cells, Absent::Error, Layout::Cube).unwrap(),
        ],
        constraints: vec![],
        source: "t.json".into(),
        decimals: 0,
    }
}

/// The grid as a 2-D model with both margins.
fn grid_model() -> Model {
    let rows = dim("row", &[("r1", Some(2)), ("r2", Some(2)), ("T", None)]);
    let cols = dim(
        "col",
        &[
            ("c1", Some(3)),
            ("c2", Some(3)),
            ("c3", Some(3)),
            ("T", None),
        ],
    );
    table_2d(
        rows,
        cols,
        &[3, 7, 2, 12, 5, 1, 9, 15, 8, 8, 11, 27],
        &[1, 2, 5, 6],
    )
}

/// The grid's file as the writer writes it: integers only.
const GRID_CANONICAL: &str = "0
12
0 3 3 s 0 27 0 0 0
1 7 7 m 0 27 0 0 0
2 2 2 u 0 27 2 2 0
3 12 12 s 0 27 0 0 0
4 5 5 s 0 27 0 0 0
5 1 1 u 0 27 1 3 0
6 9 9 m 0 27 0 0 0
7 15 15 s 0 27 0 0 0
8 8 8 s 0 27 0 0 0
9 8 8 s 0 27 0 0 0
10 11 11 s 0 27 0 0 0
11 27 27 z 0 27 0 0 0
7
0 4 : 3 (-1) 0 (1) 1 (1) 2 (1)
0 4 : 7 (-1) 4 (1) 5 (1) 6 (1)
0 4 : 11 (-1) 8 (1) 9 (1) 10 (1)
0 3 : 8 (-1) 0 (1) 4 (1)
0 3 : 9 (-1) 1 (1) 5 (1)
0 3 : 10 (-1) 2 (1) 6 (1)
0 3 : 11 (-1) 3 (1) 7 (1)
";

fn assert_err(e: &InputError, line: Option<usize>, field: Option<&str>, words: &str) {
    assert_eq!(e.file, "t.jj", "{e}");
    assert_eq!(e.line, line, "{e}");
    assert_eq!(e.field.as_deref(), field, "{e}");
    assert!(e.message.contains(words), "{e:?} should say {words:?}");
}

// ---------------------------------------------------------------- the mapping

#[test]
fn grid_reads_into_one_flat_table() {
    let file = ok(GRID);
    let model = &file.model;
    assert_eq!(model.source, "t.jj");
    assert_eq!(model.tables.len(), 1);
    let table = &model.tables[0];
    assert_eq!(table.name, "t");
    assert_eq!(table.layout, Layout::Cube);
    assert_eq!(table.absent, Absent::Error);
    assert_eq!(table.dimensions.len(), 1);
    assert_eq!(table.dimensions[0].name(), "cell");
    let codes: Vec<String> = (0..12).map(|k| k.to_string()).collect();
    assert_eq!(table.dimensions[0].codes(), &codes[..]);
    assert_eq!(table.cells.len(), 12);
    assert_eq!(file.cells.len(), 12);
    for (k, cell) in table.cells.iter().enumerate() {
        assert_eq!(cell.at, vec![k]);
        assert_eq!(cell.origin, format!("cell {k}"));
        assert_eq!(cell.line, Some(k + 3));
        assert_eq!(file.cells[k].id, k);
    }
    let values = [3, 7, 2, 12, 5, 1, 9, 15, 8, 8, 11, 27];
    for (k, &v) in values.iter().enumerate() {
        assert_eq!(file.cells[k].value, v);
        assert_eq!(file.cells[k].cost, v);
        assert_eq!(file.cells[k].lower, 0);
        assert_eq!(file.cells[k].upper, Some(27));
    }
}

#[test]
fn statuses_give_published_and_hidden_cells() {
    let file = ok(GRID);
    let table = &file.model.tables[0];
    let status = |k: usize| file.cells[k].status;
    assert_eq!(status(0), JjStatus::Safe);
    assert_eq!(status(1), JjStatus::Secondary);
    assert_eq!(status(2), JjStatus::Unsafe);
    assert_eq!(status(11), JjStatus::Protected);
    // s and z: published with their value.
    assert_eq!(table.cells[0].entry, Entry::Published(3));
    assert_eq!(table.cells[11].entry, Entry::Published(27));
    // u and m: the a-priori range; the true value stays in the cell line.
    for k in [1, 2, 5, 6] {
        assert_eq!(
            table.cells[k].entry,
            Entry::Range {
                lo: Some(0),
                hi: Some(27)
            },
            "cell {k}"
        );
        assert!(file.cells[k].status.is_hidden());
        assert_eq!(file.cells[k].entry(), table.cells[k].entry);
    }
    let hidden: Vec<usize> = file.model.hidden_cells().map(|c| c.cell).collect();
    assert_eq!(hidden, vec![1, 2, 5, 6]);
    // The letters in either case.
    let upper = ok(&with_cell_1("1 6 1 U 0 100 1 1 0"));
    assert_eq!(upper.cells[1].status, JjStatus::Unsafe);
    let z = ok(&with_cell_1("1 6 1 Z 0 100 0 0 0"));
    assert_eq!(z.cells[1].status, JjStatus::Protected);
    assert_eq!(z.model.tables[0].cells[1].entry, Entry::Published(6));
    for (s, letter) in [
        (JjStatus::Safe, 's'),
        (JjStatus::Unsafe, 'u'),
        (JjStatus::Secondary, 'm'),
        (JjStatus::Protected, 'z'),
    ] {
        assert_eq!(s.letter(), letter);
        assert_eq!(JjStatus::from_letter(&letter.to_string()), Some(s));
    }
}

#[test]
fn grid_relations_are_its_rows_and_columns() {
    let file = ok(GRID);
    let model = &file.model;
    assert_eq!(model.constraints.len(), 7);
    assert_eq!(relations(model), grid_relations());
    // In file order, named by their number and line.
    assert_eq!(model.constraints[0].origin, "relation 0 (line 16)");
    assert_eq!(model.constraints[6].origin, "relation 6 (line 22)");
    assert_eq!(
        model.constraints[3].terms,
        vec![
            Term {
                table: 0,
                at: vec![8],
                coef: -1
            },
            Term {
                table: 0,
                at: vec![0],
                coef: 1
            },
            Term {
                table: 0,
                at: vec![4],
                coef: 1
            },
        ]
    );
}

#[test]
fn grid_builds_a_linear_system() {
    let file = ok(GRID);
    let system = LinearSystem::build(&file.model, open()).unwrap();
    assert_eq!(system.vars.len(), 4);
    for v in &system.vars {
        assert_eq!((v.domain.lo, v.domain.hi), (Some(0), Some(27)));
    }
    // Rows r1, r2 and columns c2, c3 hold hidden cells; the others are
    // published only and hold.
    assert_eq!(system.rows.len(), 4);
    // The true values satisfy every row: vars are cells 1, 2, 5, 6.
    let truth = [7, 2, 1, 9];
    assert!(system.rows.iter().all(|r| r.holds(&truth)));
    // And so does the other completion of the 2x2 rectangle.
    assert!(system.rows.iter().all(|r| r.holds(&[8, 1, 0, 10])));
}

#[test]
fn hierarchy_reads_and_builds() {
    let file = ok(HIERARCHY);
    assert_eq!(file.cells.len(), 15);
    assert_eq!(file.model.constraints.len(), 11);
    let mut expected = BTreeSet::new();
    for (total, parts) in [
        (2, [0, 1]),
        (5, [3, 4]),
        (8, [6, 7]),
        (11, [9, 10]),
        (14, [12, 13]),
    ] {
        expected.insert(sum(total, &parts));
    }
    for j in 0..3 {
        expected.insert(sum(j, &[3 + j, 12 + j]));
        expected.insert(sum(3 + j, &[6 + j, 9 + j]));
    }
    assert_eq!(relations(&file.model), expected);
    // 1.0E+15 is no upper bound; the unsafe cells have one.
    assert_eq!(file.cells[0].upper, None);
    assert_eq!(
        file.model.tables[0].cells[4].entry,
        Entry::Range {
            lo: Some(0),
            hi: None
        }
    );
    assert_eq!(
        file.model.tables[0].cells[9].entry,
        Entry::Range {
            lo: Some(0),
            hi: Some(10)
        }
    );
    assert_eq!(file.cells[13].status, JjStatus::Unsafe);
    assert_eq!(
        (
            file.cells[13].lower_protection,
            file.cells[13].upper_protection
        ),
        (1, 1)
    );
    assert_eq!(file.cells[2].status, JjStatus::Protected);
    let system = LinearSystem::build(&file.model, open()).unwrap();
    assert_eq!(system.vars.len(), 7);
    let truth = [9, 4, 6, 2, 3, 7, 1];
    assert!(system.rows.iter().all(|r| r.holds(&truth)));

    // The same table as a 2-D model with the hierarchy: the writer gives
    // the same relations.
    let rows = dim(
        "row",
        &[
            ("Total", None),
            ("A", Some(0)),
            ("A1", Some(1)),
            ("A2", Some(1)),
            ("B", Some(0)),
        ],
    );
    let cols = dim("col", &[("c1", Some(2)), ("c2", Some(2)), ("T", None)]);
    let values: Vec<i64> = file.cells.iter().map(|c| c.value).collect();
    let model = table_2d(rows, cols, &values, &[4, 6, 7, 9, 10, 12, 13]);
    let text = write(&model, std::slice::from_ref(&file.cells)).unwrap();
    let back = ok(&text);
    assert_eq!(relations(&back.model), expected);
    assert_eq!(back.cells, file.cells);
}

// ---------------------------------------------------------------- writing

#[test]
fn writing_a_2d_model_gives_rows_then_columns() {
    let file = ok(GRID);
    let model = grid_model();
    let text = write(&model, std::slice::from_ref(&file.cells)).unwrap();
    assert_eq!(text, GRID_CANONICAL);
    let back = ok(&text);
    assert_eq!(relations(&back.model), grid_relations());
    LinearSystem::build(&back.model, open()).unwrap();
}

#[test]
fn round_trip_keeps_cells_and_relations() {
    for text in [GRID, HIERARCHY] {
        let first = ok(text);
        let written = write(&first.model, std::slice::from_ref(&first.cells)).unwrap();
        let second = ok(&written);
        assert_eq!(second.cells, first.cells);
        // The same model: same cells, lines, entries, relations.
        assert_eq!(second.model, first.model);
        assert_eq!(relations(&second.model), relations(&first.model));
        // A written file writes itself again.
        assert_eq!(
            write(&second.model, std::slice::from_ref(&second.cells)).unwrap(),
            written
        );
    }
    // A canonical file is written back byte for byte.
    let canonical = ok(GRID_CANONICAL);
    assert_eq!(
        write(&canonical.model, std::slice::from_ref(&canonical.cells)).unwrap(),
        GRID_CANONICAL
    );
}

#[test]
fn none_is_written_as_max_count_and_read_back_as_none() {
    let file = ok(&with_cell_1("1 6 1 m 0 1e15 0 0 0"));
    assert_eq!(file.cells[1].upper, None);
    let text = write(&file.model, std::slice::from_ref(&file.cells)).unwrap();
    assert!(
        text.contains(&format!("\n1 6 1 m 0 {MAX_COUNT} 0 0 0\n")),
        "{text}"
    );
    assert_eq!(MAX_COUNT, 9007199254740991);
    let back = ok(&text);
    assert_eq!(back.cells[1].upper, None);
    assert_eq!(
        back.model.tables[0].cells[1].entry,
        Entry::Range {
            lo: Some(0),
            hi: None
        }
    );
}

#[test]
fn structural_zeros_are_left_out() {
    // Rows a, b under T; columns x, y under S; (b, x) and (T, x) unlisted.
    let rows = dim("r", &[("a", Some(2)), ("b", Some(2)), ("T", None)]);
    let cols = dim("c", &[("x", Some(2)), ("y", Some(2)), ("S", None)]);
    let listed = [
        (vec![0, 0], 0),
        (vec![0, 1], 2),
        (vec![0, 2], 2),
        (vec![1, 1], 4),
        (vec![1, 2], 4),
        (vec![2, 1], 6),
        (vec![2, 2], 6),
    ];
    let cells: Vec<Cell> = listed
        .iter()
        .map(|(at, v)| Cell {
            at: at.clone(),
            entry: Entry::Published(*v),
            origin: format!("{at:?}"),
            line: None,
        })
        .collect();
    let model = Model {
        negative: false,
        tables: vec![Table::new("t", vec![rows, cols], cells, Absent::Zero, Layout::Cube).unwrap()],
        constraints: vec![],
        source: "t.json".into(),
        decimals: 0,
    };
    let jj: Vec<JjCell> = listed
        .iter()
        .map(|(_, v)| JjCell::from_entry(Entry::Published(*v), *v))
        .collect();
    let text = write(&model, &[jj]).unwrap();
    let back = ok(&text);
    // ids: 0 (a,x) 1 (a,y) 2 (a,S) 3 (b,y) 4 (b,S) 5 (T,y) 6 (T,S).
    let expected: BTreeSet<Relation> = [
        sum(2, &[0, 1]),   // row a
        sum(4, &[3]),      // row b, (b, x) a structural zero
        sum(6, &[5]),      // row T, (T, x) a structural zero
        rel(0, &[(0, 1)]), // column x: its total is a structural zero
        sum(5, &[1, 3]),   // column y
        sum(6, &[2, 4]),   // column S
    ]
    .into_iter()
    .collect();
    assert_eq!(relations(&back.model), expected);
    LinearSystem::build(&model, open()).unwrap();
    LinearSystem::build(&back.model, open()).unwrap();
}

#[test]
fn extra_constraints_are_written_after_the_lines() {
    let mut model = grid_model();
    model.constraints.push(Constraint {
        terms: vec![
            Term {
                table: 0,
                at: vec![0, 1],
                coef: 1,
            },
            Term {
                table: 0,
                at: vec![1, 2],
                coef: -2,
            },
        ],
        op: Op::Eq,
        rhs: -11,
        origin: "constraints[0]".into(),
    });
    let cells = ok(GRID).cells;
    let text = write(&model, std::slice::from_ref(&cells)).unwrap();
    assert!(text.ends_with("\n8\n0 4 : 3 (-1) 0 (1) 1 (1) 2 (1)\n0 4 : 7 (-1) 4 (1) 5 (1) 6 (1)\n0 4 : 11 (-1) 8 (1) 9 (1) 10 (1)\n0 3 : 8 (-1) 0 (1) 4 (1)\n0 3 : 9 (-1) 1 (1) 5 (1)\n0 3 : 10 (-1) 2 (1) 6 (1)\n0 3 : 11 (-1) 3 (1) 7 (1)\n-11 2 : 1 (1) 6 (-2)\n"), "{text}");
    let mut expected = grid_relations();
    expected.insert(rel(-11, &[(1, 1), (6, -2)]));
    assert_eq!(relations(&ok(&text).model), expected);

    // An inequality cannot be written: the error names it.
    model.constraints[0].op = Op::Le;
    let err = write(&model, std::slice::from_ref(&cells)).unwrap_err();
    assert!(
        err.contains("constraints[0]") && err.contains("<="),
        "{err}"
    );
    model.constraints[0].op = Op::Ge;
    let err = write(&model, std::slice::from_ref(&cells)).unwrap_err();
    assert!(
        err.contains("constraints[0]") && err.contains(">="),
        "{err}"
    );
}

#[test]
fn writer_checks_its_cell_lines() {
    let model = grid_model();
    let cells = ok(GRID).cells;
    assert!(write(&model, &[]).unwrap_err().contains("0 tables"));
    let err = write(&model, &[cells[..11].to_vec()]).unwrap_err();
    assert!(err.contains("12 cells") && err.contains("11"), "{err}");
    let mut negative = cells.clone();
    negative[3].value = -1;
    let err = write(&model, &[negative]).unwrap_err();
    assert!(
        err.contains("[\"r1\", \"T\"]") && err.contains("value"),
        "{err}"
    );
    let mut outside = cells.clone();
    outside[0].upper = Some(2);
    let err = write(&model, &[outside]).unwrap_err();
    assert!(err.contains("upper bound 2"), "{err}");
    // Ids are renumbered.
    let mut ids = cells.clone();
    for c in &mut ids {
        c.id = 99;
    }
    assert_eq!(write(&model, &[ids]).unwrap(), GRID_CANONICAL);
}

#[test]
fn from_entry_cells() {
    let c = JjCell::from_entry(
        Entry::Range {
            lo: Some(2),
            hi: Some(9),
        },
        4,
    );
    assert_eq!(c.status, JjStatus::Secondary);
    assert_eq!((c.lower, c.upper, c.value), (2, Some(9), 4));
    assert_eq!(
        c.entry(),
        Entry::Range {
            lo: Some(2),
            hi: Some(9)
        }
    );
    let p = JjCell::from_entry(Entry::Published(5), 5);
    assert_eq!(p.status, JjStatus::Safe);
    assert_eq!(p.entry(), Entry::Published(5));
    let h = JjCell::from_entry(Entry::Hidden, 3);
    assert_eq!((h.lower, h.upper), (0, None));
}

// ---------------------------------------------------------------- numbers

#[test]
fn values_are_non_negative_and_whole_values_are_counts() {
    let file = ok(&with_cell_1("1 6.00 1 s 0 100 0 0 0"));
    assert_eq!(file.cells[1].value, 6);
    assert_eq!(file.model.decimals, 0);
    assert_eq!(file.model.tables[0].cells[1].entry, Entry::Published(6));
    let file = ok(&with_cell_1("1 0.6e1 1 s 0 100 0 0 0"));
    assert_eq!(file.cells[1].value, 6);
    assert_eq!(file.model.decimals, 0);
    let e = bad(&with_cell_1("1 -3 1 s 0 100 0 0 0"));
    assert_err(&e, Some(4), Some("value"), "negative");
    let e = bad(&with_cell_1("1 6.0000000000000000001 1 s 0 100 0 0 0"));
    assert_err(
        &e,
        Some(4),
        Some("value"),
        "has 19 decimals: cellbound holds amounts with at most 15",
    );
    let e = bad(&with_cell_1("1 9007199254740992 1 s 0 1e16 0 0 0"));
    assert_err(&e, Some(4), Some("value"), "at most 9007199254740991");
    let e = bad(&with_cell_1("1 six 1 s 0 100 0 0 0"));
    assert_err(&e, Some(4), Some("value"), "`six` is not a number");
    let e = bad(&with_cell_1("1 NaN 1 s 0 100 0 0 0"));
    assert_err(&e, Some(4), Some("value"), "not a number");
}

#[test]
fn protection_levels_round_up() {
    let file = ok(GRID);
    // 1.500 and 2.000 on cell 2; 1.000 and 2.500 on cell 5.
    assert_eq!(
        (
            file.cells[2].lower_protection,
            file.cells[2].upper_protection
        ),
        (2, 2)
    );
    assert_eq!(
        (
            file.cells[5].lower_protection,
            file.cells[5].upper_protection
        ),
        (1, 3)
    );
    let file = ok(&with_cell_1("1 6 1 u 0 100 0.001 2.5 3.25"));
    assert_eq!(
        (
            file.cells[1].lower_protection,
            file.cells[1].upper_protection,
            file.cells[1].sliding
        ),
        (1, 3, 4)
    );
    let e = bad(&with_cell_1("1 6 1 u 0 100 -1 2 0"));
    assert_err(&e, Some(4), Some("lower protection level"), "negative");
    let e = bad(&with_cell_1("1 6 1 u 0 100 1 1e17 0"));
    assert_err(&e, Some(4), Some("upper protection level"), "larger than");
    let e = bad(&with_cell_1("1 6 1 u 0 100 1 1 x"));
    assert_err(
        &e,
        Some(4),
        Some("sliding protection level"),
        "not a number",
    );
}

#[test]
fn bounds_tighten_to_integers() {
    // A fractional lower bound rounds up, an upper bound down.
    let file = ok(&with_cell_1("1 6 1 m 1.2 7.8 0 0 0"));
    assert_eq!((file.cells[1].lower, file.cells[1].upper), (2, Some(7)));
    assert_eq!(
        file.model.tables[0].cells[1].entry,
        Entry::Range {
            lo: Some(2),
            hi: Some(7)
        }
    );
    // A negative lower bound is clamped to 0.
    let file = ok(&with_cell_1("1 6 1 m -5 10 0 0 0"));
    assert_eq!(file.cells[1].lower, 0);
    let file = ok(&with_cell_1("1 6 1 m -0.5 10 0 0 0"));
    assert_eq!(file.cells[1].lower, 0);
    let file = ok(&with_cell_1("1 6 1 m -1e30 10 0 0 0"));
    assert_eq!(file.cells[1].lower, 0);
    // Whole bounds stay.
    let file = ok(&with_cell_1("1 6 1 m 6.000 6.000 0 0 0"));
    assert_eq!((file.cells[1].lower, file.cells[1].upper), (6, Some(6)));
    // The value must lie within its bounds.
    let e = bad(&with_cell_1("1 6 1 m 6.5 100 0 0 0"));
    assert_err(&e, Some(4), Some("lower bound"), "above the cell's value 6");
    let e = bad(&with_cell_1("1 6 1 u 0 5.9 0 0 0"));
    assert_err(&e, Some(4), Some("upper bound"), "below the cell's value 6");
    let e = bad(&with_cell_1("1 6 1 m 0 -2 0 0 0"));
    assert_err(&e, Some(4), Some("upper bound"), "below");
    // A published cell's bounds that do not hold its value: a warning.
    let file = ok(&with_cell_1("1 6 1 s 0 5.9 0 0 0"));
    assert_eq!((file.cells[1].lower, file.cells[1].upper), (0, Some(6)));
    assert_eq!(file.model.tables[0].cells[1].entry, Entry::Published(6));
    assert_eq!(file.warnings.len(), 1);
    assert!(file
        .warnings
        .iter()
        .all(|w| w.starts_with("t.jj:4: cell 1 is published")));
    let file = ok(&with_cell_1("1 6 1 z 7 9 0 0 0"));
    assert_eq!((file.cells[1].lower, file.cells[1].upper), (6, Some(9)));
    assert!(
        file.warnings[0].contains("bounds 7..9 do not hold it"),
        "{:?}",
        file.warnings
    );
    assert!(ok(GRID).warnings.is_empty());
}

// ---------------------------------------------------------------- amounts

/// A magnitude table as τ-ARGUS writes it: values with two decimals,
/// protection levels with five (three more), a published cell whose
/// bounds (sdcTable's, from the frequencies) do not hold its value.
const AMOUNTS: &str = "0\n4\n\
0 30.75 1 z 0 1.0E+15 0.00000 0.00000 0.00000\n\
1 12.50 1 u 0 1.0E+15 2.12345 3.00001 0.00000\n\
2 10.00 1 m 0.005 1.0E+15 0.00000 0.00000 0.00000\n\
3 8.25 1 s 0 3 0.00000 0.00000 0.00000\n\
1\n0.00 4 : 0 (-1) 1 (1) 2 (1) 3 (1)\n";

#[test]
fn amounts_are_read_exactly_at_the_values_decimals() {
    let file = ok(AMOUNTS);
    assert_eq!(file.model.decimals, 2);
    let values: Vec<_> = file.cells.iter().map(|c| c.value).collect();
    assert_eq!(values, [3075, 1250, 1000, 825]);
    assert_eq!(file.model.tables[0].cells[0].entry, Entry::Published(3075));
    // Levels round up to a hundredth; a lower bound of 0.005 up to 0.01.
    assert_eq!(
        (
            file.cells[1].lower_protection,
            file.cells[1].upper_protection
        ),
        (213, 301)
    );
    assert_eq!(
        file.model.tables[0].cells[2].entry,
        Entry::Range {
            lo: Some(1),
            hi: None
        }
    );
    assert_eq!(
        file.model.tables[0].cells[1].entry,
        Entry::Range {
            lo: Some(0),
            hi: None
        }
    );
    // Cell 3, published at 8.25 with bounds 0..3: widened, and said.
    assert_eq!(file.cells[3].upper, Some(825));
    assert_eq!(file.warnings.len(), 1);
    assert_eq!(
        file.warnings[0],
        "t.jj:6: cell 3 is published (status s) with the value 8.25, but its a-priori bounds \
         0..3 do not hold it; a published cell's bounds change nothing: they are widened to hold 8.25"
    );
    // The right-hand side is in the values' units.
    assert_eq!(file.model.constraints[0].rhs, 0);
    // One value with one decimal and the others whole: tenths.
    let file = ok(&with_cell_1("1 6.5 1 u 0 1e15 0 0 0"));
    assert_eq!(file.model.decimals, 1);
    assert_eq!(file.cells[0].value, 100);
    assert_eq!(file.cells[1].value, 65);
    assert_eq!(file.cells[0].upper, Some(1000));
}

#[test]
fn amounts_refuse_what_is_not_a_whole_number_of_units() {
    let text = AMOUNTS.replace("0.00 4 :", "0.001 4 :");
    let e = bad(&text);
    assert_err(
        &e,
        Some(8),
        Some("relation 0, right-hand side"),
        "`0.001` has more decimals than the cell values' 2",
    );
    // A value past 2^53 - 1 units of a hundredth.
    let e = bad(&with_cell_1("1 90071992547409.92 1 s 0 1e15 0 0 0"));
    assert_err(&e, Some(4), Some("value"), "at most 90071992547409.91");
}

#[test]
fn amounts_write_back_in_the_files_units() {
    let file = ok(AMOUNTS);
    let text = write(&file.model, std::slice::from_ref(&file.cells)).unwrap();
    assert!(
        text.contains("\n1 12.50 1 u 0.00 9007199254740991 2.13 3.01 0.00\n"),
        "{text}"
    );
    assert!(
        text.contains("\n3 8.25 1 s 0.00 8.25 0.00 0.00 0.00\n"),
        "{text}"
    );
    let back = ok(&text);
    assert_eq!(back.cells, file.cells);
    assert_eq!(back.model.decimals, 2);
    assert!(back.warnings.is_empty());
}

#[test]
fn huge_upper_bounds_are_none() {
    let upper = |text: &str| ok(&with_cell_1(&format!("1 6 1 m 0 {text} 0 0 0"))).cells[1].upper;
    assert_eq!(NO_UPPER, 1_000_000_000_000_000);
    assert_eq!(upper("999999999999999"), Some(999_999_999_999_999));
    assert_eq!(upper("999999999999999.9"), Some(999_999_999_999_999));
    assert_eq!(upper("1000000000000000"), None);
    assert_eq!(upper("1e15"), None);
    assert_eq!(upper("1.0E+15"), None);
    assert_eq!(upper("9007199254740991"), None);
    assert_eq!(upper("9007199254740992"), None);
    assert_eq!(upper("1e300"), None);
    assert_eq!(upper("123456789012345678901234567890123456789"), None);
}

#[test]
fn other_number_forms() {
    // Costs may be fractional (rounded up); ids and counts may carry zero
    // decimals; a sign and an exponent are read exactly.
    let text = "0.00\n3.0\n0 10 1.25 s 0 100 0 0 0\n1.00 6 +1 s 0 1e2 0 0 0\n2 4 0.5e1 s 0 100 0 0 0\n1\n0.0 3 : 0 (-1.0) 1 (1) 2 (+1)\n";
    let file = ok(text);
    assert_eq!(file.cells[0].cost, 2);
    assert_eq!(file.cells[1].cost, 1);
    assert_eq!(file.cells[2].cost, 5);
    assert_eq!(file.cells[1].upper, Some(100));
    assert_eq!(
        relations(&file.model),
        [sum(0, &[1, 2])].into_iter().collect()
    );
    // Windows line ends, blank lines and a byte order mark are fine.
    let crlf = format!("\u{FEFF}{}", GRID.replace('\n', "\r\n\r\n"));
    let file = ok(&crlf);
    assert_eq!(relations(&file.model), grid_relations());
    assert_eq!(file.model.tables[0].cells[0].line, Some(5));
    // Relations without the optional spaces, and with more of them.
    let tight = jj(
        &[
            "0 10 1 s 0 100 0 0 0",
            "1 6 1 s 0 100 0 0 0",
            "2 4 1 s 0 100 0 0 0",
        ],
        &["0 3: 0(-1) 1( 1 ) 2 (1)"],
    );
    assert_eq!(
        relations(&ok(&tight).model),
        [sum(0, &[1, 2])].into_iter().collect()
    );
}

// ---------------------------------------------------------------- structure errors

#[test]
fn ids_must_be_consecutive() {
    let e = bad(&jj(
        &[
            "0 10 1 s 0 100 0 0 0",
            "2 6 1 s 0 100 0 0 0",
            "1 4 1 s 0 100 0 0 0",
        ],
        &[],
    ));
    assert_err(&e, Some(4), Some("id"), "id 2 where 1 was expected");
    let e = bad(&jj(&["1 10 1 s 0 100 0 0 0"], &[]));
    assert_err(&e, Some(3), Some("id"), "where 0 was expected");
    let e = bad(&jj(&["0.5 10 1 s 0 100 0 0 0"], &[]));
    assert_err(&e, Some(3), Some("id"), "whole");
}

#[test]
fn counts_must_match_the_lines() {
    // Fewer cell lines than declared: the relation count shows up early.
    let text = "0\n4\n0 10 1 s 0 100 0 0 0\n1 6 1 s 0 100 0 0 0\n2 4 1 s 0 100 0 0 0\n1\n0 3 : 0 (-1) 1 (1) 2 (1)\n";
    let e = bad(text);
    assert_err(&e, Some(6), None, "declares 4 cells (line 2)");
    // ... or the file ends.
    let e = bad("0\n4\n0 10 1 s 0 100 0 0 0\n");
    assert_err(
        &e,
        Some(2),
        Some("number of cells"),
        "declares 4 cells but ends after 1",
    );
    // More cell lines than declared.
    let text = "0\n2\n0 10 1 s 0 100 0 0 0\n1 6 1 s 0 100 0 0 0\n2 4 1 s 0 100 0 0 0\n1\n0 3 : 0 (-1) 1 (1) 2 (1)\n";
    let e = bad(text);
    assert_err(
        &e,
        Some(5),
        Some("number of cells"),
        "declares 2 cells (line 2)",
    );
    // Fewer relations than declared.
    let text = with_cell_1("1 6 1 s 0 100 0 0 0").replace("\n1\n0 3", "\n2\n0 3");
    let e = bad(&text);
    assert_err(
        &e,
        Some(6),
        Some("number of relations"),
        "declares 2 relations but ends after 1",
    );
    // More relations than declared.
    let text = format!("{}0 2 : 1 (1) 2 (-1)\n", with_cell_1("1 6 1 s 0 100 0 0 0"));
    let e = bad(&text);
    assert_err(
        &e,
        Some(8),
        Some("number of relations"),
        "declares 1 relations (line 6) but more lines follow",
    );
    // No relation count at all.
    let e = bad("0\n1\n0 10 1 s 0 100 0 0 0\n");
    assert_err(&e, Some(3), None, "expected the number of relations");
    // Counts must be numbers alone on their line.
    let e = bad("0\nthree\n");
    assert_err(&e, Some(2), Some("number of cells"), "not a number");
    let e = bad("0\n1 2\n");
    assert_err(&e, Some(2), Some("number of cells"), "alone on its line");
    let e = bad("0\n-1\n");
    assert_err(&e, Some(2), Some("number of cells"), "negative");
    let e = bad("0\n1\n0 10 1 s 0 100 0 0 0\n1.5\n");
    assert_err(&e, Some(4), Some("number of relations"), "whole");
    // A huge count is an error at the end of the file, not an allocation.
    let e = bad("0\n9007199254740991\n0 10 1 s 0 100 0 0 0\n");
    assert_err(
        &e,
        Some(2),
        Some("number of cells"),
        "ends after 1 cell lines",
    );
}

#[test]
fn header_and_cell_line_errors() {
    let e = bad("");
    assert_err(&e, None, None, "the file is empty");
    let e = bad("\n  \n");
    assert_err(&e, None, None, "the file is empty");
    let e = bad("r,c1,c2\na,1,2\n");
    assert_err(&e, Some(1), Some("header"), "single number");
    let e = bad("0\n");
    assert_err(&e, Some(1), None, "expected the number of cells");
    let e = bad(&with_cell_1("1 6 1 s 0 100 0 0"));
    assert_err(&e, Some(4), None, "this one has 8");
    let e = bad(&with_cell_1("1 6 1 x 0 100 0 0 0"));
    assert_err(&e, Some(4), Some("status"), "unknown status `x`");
    let e = bad(&with_cell_1("1 6 1 su 0 100 0 0 0"));
    assert_err(&e, Some(4), Some("status"), "unknown status");
    let e = bad(&with_cell_1("1 6 1e20 s 0 100 0 0 0"));
    assert_err(&e, Some(4), Some("cost"), "beyond");
    let e = bad(&with_cell_1("1 6 1 s zero 100 0 0 0"));
    assert_err(&e, Some(4), Some("lower bound"), "not a number");
    let e = bad(&with_cell_1("1 6 1 s 0 many 0 0 0"));
    assert_err(&e, Some(4), Some("upper bound"), "not a number");
    let mut bytes = with_cell_1("1 6 1 s 0 100 0 0 0").into_bytes();
    bytes[20] = 0xff;
    let e = read(&bytes, "t.jj", "t").unwrap_err();
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("UTF-8"), "{e}");
}

#[test]
fn relation_errors_name_the_line() {
    let cells = [
        "0 10 1 s 0 100 0 0 0",
        "1 6 1 s 0 100 0 0 0",
        "2 4 1 s 0 100 0 0 0",
    ];
    let one = |r: &str| bad(&jj(&cells, &[r]));
    let e = one("0 3 : 0 (-1) 1 (1) 7 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, term 2"),
        "cell 7 is not a cell of the file: the ids run from 0 to 2",
    );
    let e = one("0 3 : 0 (-1) 1 (x) 2 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, term 1"),
        "malformed coefficient `(x)`",
    );
    let e = one("0 3 : 0 (-1) 1 (0.5) 2 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, term 1"),
        "malformed coefficient `(0.5)`",
    );
    let e = one("0 3 : 0 (-1) 1 () 2 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, term 1"),
        "malformed coefficient `()`",
    );
    let e = one("0 3 : 0 (-1) 1 (1 2 (1)");
    assert_err(&e, Some(7), Some("relation 0, term 1"), "malformed");
    let e = one("0 3 : 0 (-1) 1 (1) 2 (1");
    assert_err(&e, Some(7), Some("relation 0, term 2"), "no `)`");
    let e = one("0 3 : 0 (-1) 1 1 2 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, term 1"),
        "not followed by `(<coefficient>)`",
    );
    let e = one("0 3 : 0 (-1) 1 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, number of terms"),
        "says 3 terms but lists 2",
    );
    let e = one("0 2 : 0 (-1) 1 (1) 2 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, number of terms"),
        "says 2 terms but lists 3",
    );
    let e = one("0 3 0 (-1) 1 (1) 2 (1)");
    assert_err(&e, Some(7), Some("relation 0"), "no `:`");
    let e = one("0 : 0 (-1) 1 (1) 2 (1)");
    assert_err(&e, Some(7), Some("relation 0"), "found 1 fields");
    let e = one("0.5 3 : 0 (-1) 1 (1) 2 (1)");
    assert_err(&e, Some(7), Some("relation 0, right-hand side"), "whole");
    let e = one("0 3 : a (-1) 1 (1) 2 (1)");
    assert_err(&e, Some(7), Some("relation 0, term 0"), "not a number");
    let e = one("0 3 : (-1) 1 (1) 2 (1)");
    assert_err(
        &e,
        Some(7),
        Some("relation 0, term 0"),
        "expected a cell id",
    );
    // The second relation, on line 8.
    let e = bad(&jj(&cells, &["0 3 : 0 (-1) 1 (1) 2 (1)", "0 1 : 3 (1)"]));
    assert_err(&e, Some(8), Some("relation 1, term 0"), "cell 3");
}

#[test]
fn relation_forms_that_read() {
    let cells = [
        "0 10 1 s 0 100 0 0 0",
        "1 6 1 s 0 100 0 0 0",
        "2 4 1 s 0 100 0 0 0",
    ];
    // A non-zero right-hand side, another coefficient, a cell named twice.
    let file = ok(&jj(
        &cells,
        &["4 2 : 0 (1) 1 (-1)", "-12 2 : 1 (-2) 1 (0)", "0 0 :"],
    ));
    let c = &file.model.constraints;
    assert_eq!((c[0].rhs, c[1].rhs), (4, -12));
    assert_eq!(c[1].terms.len(), 2);
    assert_eq!(c[1].terms[0].coef, -2);
    assert!(c[2].terms.is_empty());
    assert_eq!(c[2].origin, "relation 2 (line 9)");
    // Zero cells and zero relations.
    let empty = ok("0\n0\n0\n");
    assert!(empty.cells.is_empty());
    assert!(empty.model.tables[0].cells.is_empty());
}

// ---------------------------------------------------------------- the io entry points

#[test]
fn jj_extension_is_detected() {
    let bytes = GRID.as_bytes();
    assert_eq!(Format::detect(Path::new("t.jj"), bytes), Format::Jj);
    assert_eq!(Format::detect(Path::new("T.JJ"), bytes), Format::Jj);
    assert_eq!(Format::detect(Path::new("t.csv"), bytes), Format::CsvGrid);
    let model = read_bytes(bytes, Format::Jj, "t.jj", "t", &GridOptions::default()).unwrap();
    assert_eq!(model, ok(GRID).model);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/jj/grid2x3.jj");
    let model = read_path(&path, &GridOptions::default()).unwrap();
    assert_eq!(model.tables[0].name, "grid2x3");
    assert_eq!(model.source, path.display().to_string());
    assert_eq!(relations(&model), grid_relations());
    let e = read_bytes(b"0\n1\n", Format::Jj, "t.jj", "t", &GridOptions::default()).unwrap_err();
    assert_eq!(e.line, Some(2));
}

// ---------------------------------------------------------------- properties

/// A random JJ file: cells with random values, statuses and bounds, and
/// random relations over them.
fn arb_file() -> impl Strategy<Value = (Vec<JjCell>, Vec<Relation>)> {
    (1usize..8).prop_flat_map(|n| {
        let cell = (
            0i64..50,
            0i64..5,
            0usize..4,
            0i64..30,
            proptest::option::of(0i64..30),
            (0i64..4, 0i64..4, 0i64..4),
        );
        let relation = (-5i64..5, proptest::collection::vec((0..n, -2i64..3), 0..5));
        (
            proptest::collection::vec(cell, n),
            proptest::collection::vec(relation, 0..6),
        )
            .prop_map(|(cells, relations)| {
                let cells = cells
                    .into_iter()
                    .enumerate()
                    .map(
                        |(id, (value, cost, s, below, above, (lp, up, sl)))| JjCell {
                            id,
                            value,
                            cost,
                            status: [
                                JjStatus::Safe,
                                JjStatus::Unsafe,
                                JjStatus::Secondary,
                                JjStatus::Protected,
                            ][s],
                            lower: (value - below).max(0),
                            upper: above.map(|a| value + a),
                            lower_protection: lp,
                            upper_protection: up,
                            sliding: sl,
                        },
                    )
                    .collect();
                (cells, relations)
            })
    })
}

fn jj_text(cells: &[JjCell], relations: &[Relation]) -> String {
    let mut out = format!("0\n{}\n", cells.len());
    for c in cells {
        out.push_str(&format!(
            "{} {}.00 {} {} {} {} {}.000 {}.000 {}\n",
            c.id,
            c.value,
            c.cost,
            c.status.letter(),
            c.lower,
            c.upper.map_or("1e15".to_string(), |u| u.to_string()),
            c.lower_protection,
            c.upper_protection,
            c.sliding
        ));
    }
    out.push_str(&format!("{}\n", relations.len()));
    for (rhs, terms) in relations {
        out.push_str(&format!("{rhs} {} :", terms.len()));
        for (id, coef) in terms {
            out.push_str(&format!(" {id} ({coef})"));
        }
        out.push('\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = read(&bytes, "t.jj", "t");
    }

    #[test]
    fn edited_files_never_panic(
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(
                b"0123456789-+.eE:() \nsumzx\xff".to_vec()
            )),
            1..8,
        )
    ) {
        let mut bytes = GRID.as_bytes().to_vec();
        for (at, kind, byte) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if i < bytes.len() => { bytes.remove(i); }
                _ => {}
            }
        }
        if let Ok(file) = read(&bytes, "t.jj", "t") {
            // Whatever reads builds, and writes back to the same file.
            let _ = LinearSystem::build(&file.model, open());
            let text = write(&file.model, std::slice::from_ref(&file.cells)).unwrap();
            let back = ok(&text);
            prop_assert_eq!(back.cells, file.cells);
            prop_assert_eq!(relations(&back.model), relations(&file.model));
        }
    }

    #[test]
    fn random_files_round_trip((cells, rels) in arb_file()) {
        let text = jj_text(&cells, &rels);
        let file = ok(&text);
        prop_assert_eq!(&file.cells, &cells);
        let read_rels: Vec<Relation> = file
            .model
            .constraints
            .iter()
            .map(|c| (c.rhs, c.terms.iter().map(|t| (t.at[0], t.coef)).collect()))
            .collect();
        prop_assert_eq!(&read_rels, &rels);
        for (cell, jj) in file.model.tables[0].cells.iter().zip(&cells) {
            prop_assert_eq!(cell.entry, jj.entry());
        }
        let written = write(&file.model, std::slice::from_ref(&file.cells)).unwrap();
        let back = ok(&written);
        prop_assert_eq!(&back.cells, &cells);
        prop_assert_eq!(&back.model.constraints.iter().map(|c| (c.rhs, c.terms.clone())).collect::<Vec<_>>(),
            &file.model.constraints.iter().map(|c| (c.rhs, c.terms.clone())).collect::<Vec<_>>());
        prop_assert_eq!(write(&back.model, std::slice::from_ref(&back.cells)).unwrap(), written);
    }
}

#[test]
fn a_first_line_other_than_0_is_not_a_jj_file() {
    let good = with_cell_1("1 6 1 u 0 100 0 0 0");
    assert!(good.starts_with("0\n"));
    let e = bad(&format!("1{}", &good[1..]));
    assert_err(
        &e,
        Some(1),
        Some("header"),
        "is 0, and this one is `1`: is it a JJ file?",
    );
    // 0 written with decimals is still 0.
    read(format!("0.0{}", &good[1..]).as_bytes(), "t.jj", "t").expect("0.0 is 0");
}

#[test]
fn a_coefficient_past_the_counts_is_out_of_range_not_malformed() {
    for coef in [
        "9223372036854775807",
        "-9223372036854775808",
        "9007199254740992",
    ] {
        let text = jj(
            &[
                "0 10 1 s 0 100 0 0 0",
                "1 6 1 u 0 100 0 0 0",
                "2 4 1 s 0 100 0 0 0",
            ],
            &[&format!("0 3 : 0 (-1) 1 ({coef}) 2 (1)")],
        );
        let e = bad(&text);
        assert!(
            e.message.contains(&format!(
                "the coefficient ({coef}) of cell 1 is out of range"
            )),
            "{e}"
        );
        assert!(!e.message.contains("malformed"), "{e}");
    }
    // The largest accepted coefficient reads.
    let text = jj(
        &[
            "0 10 1 s 0 100 0 0 0",
            "1 6 1 u 0 100 0 0 0",
            "2 4 1 s 0 100 0 0 0",
        ],
        &["0 3 : 0 (-1) 1 (9007199254740991) 2 (1)"],
    );
    read(text.as_bytes(), "t.jj", "t").expect("2^53 - 1 is a coefficient");
}
