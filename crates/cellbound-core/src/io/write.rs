//! Writing a model back out in the layouts cellbound reads: a 2-D table
//! as a CSV grid (docs/formats.md section 1), any model as a JSON model
//! (section 2). `impute` writes its filled table through these; what is
//! written reads back to the same model.

use std::fmt::Write as _;

use crate::model::{show_value, Absent, Dimension, Entry, Model, Op, Table};

/// A 2-D table as a CSV grid: a header of the column codes under the row
/// dimension's name, then a line per row code, in the dimensions' order.
/// `None` when the table is not 2-D. A hidden cell is written `x`, a
/// range `[A,B]`, a cell not listed (a structural zero) `0`.
///
/// ```
/// use cellbound_core::io::{csv_grid, write, GridOptions};
///
/// let csv = "MRC,Volet 1,Total\nLa Mitis,x,20\nTotal,13,45\n";
/// let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
/// assert_eq!(write::grid(&model.tables[0]).unwrap(), csv);
/// ```
pub fn grid(table: &Table) -> Option<String> {
    grid_in_units(table, 0)
}

/// [`grid`] for a model whose values have `decimals` decimals
/// ([`crate::model::Model::decimals`]): each value written in the file's
/// units (`125` with one decimal is `12.5`).
///
/// ```
/// use cellbound_core::io::{csv_grid, write, GridOptions};
///
/// let csv = "MRC,Volet 1,Total\nLa Mitis,x,20\nTotal,13,45\n";
/// let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
/// assert_eq!(write::grid_in_units(&model.tables[0], 1).unwrap(), "MRC,Volet 1,Total\nLa Mitis,x,2.0\nTotal,1.3,4.5\n");
/// ```
pub fn grid_in_units(table: &Table, decimals: u32) -> Option<String> {
    let [rows, cols] = &table.dimensions[..] else {
        return None;
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![rows.name().to_string()];
    header.extend(cols.codes().iter().cloned());
    w.write_record(&header).ok()?;
    for r in 0..rows.len() {
        let mut record = vec![rows.code(r).to_string()];
        for c in 0..cols.len() {
            record.push(match table.cell_at(&[r, c]).map(|k| table.cells[k].entry) {
                Some(entry) => entry_text(entry, decimals),
                None => "0".into(),
            });
        }
        w.write_record(&record).ok()?;
    }
    String::from_utf8(w.into_inner().ok()?).ok()
}

fn entry_text(entry: Entry, decimals: u32) -> String {
    let v = |x: i64| show_value(x as i128, decimals);
    match entry {
        Entry::Published(x) | Entry::Rounded { published: x, .. } => v(x),
        Entry::Hidden => "x".into(),
        Entry::Range { lo, hi } => {
            let end = |x: Option<i64>| x.map_or(String::new(), v);
            format!("[{},{}]", end(lo), end(hi))
        }
    }
}

/// Any model as a JSON model: every table with its dimensions' trees, its
/// cells in order, `absent`, and the extra constraints.
///
/// ```
/// use cellbound_core::io::{json_model, write};
///
/// let text = r#"{"name": "t", "dimensions": [{"name": "d", "tree": {"T": ["a", "b"]}}],
///   "cells": [{"at": ["a"], "value": 1}, {"at": ["b"], "hidden": true}, {"at": ["T"], "value": 3}]}"#;
/// let model = json_model::read(text.as_bytes(), "t.json", "t").unwrap();
/// let again = json_model::read(write::json_model(&model).as_bytes(), "u.json", "u").unwrap();
/// assert_eq!(again.tables[0].cells.len(), 3);
/// assert_eq!(again.tables[0].cells[1].entry, model.tables[0].cells[1].entry);
/// ```
pub fn json_model(model: &Model) -> String {
    let q = |s: &str| serde_json::to_string(s).expect("a string serializes");
    let mut out = String::from("{\n");
    if model.decimals > 0 {
        let _ = writeln!(out, " \"decimals\": {},", model.decimals);
    }
    let negative = model
        .tables
        .iter()
        .flat_map(|t| &t.cells)
        .any(|c| match c.entry {
            Entry::Published(v) | Entry::Rounded { published: v, .. } => v < 0,
            Entry::Range { lo, .. } => lo.is_none_or(|l| l < 0),
            Entry::Hidden => false,
        })
        || model.negative;
    if negative {
        out.push_str(" \"negative\": true,\n");
    }
    out.push_str(" \"tables\": [");
    for (t, table) in model.tables.iter().enumerate() {
        out.push_str(if t == 0 { "\n  {" } else { ",\n  {" });
        let _ = write!(out, "\"name\": {},\n   \"dimensions\": [", q(&table.name));
        for (d, dim) in table.dimensions.iter().enumerate() {
            if d > 0 {
                out.push(',');
            }
            let _ = write!(out, "\n    {{\"name\": {}, \"tree\": ", q(dim.name()));
            tree(dim, &mut out);
            out.push('}');
        }
        out.push_str("\n   ],");
        if table.absent == Absent::Zero {
            out.push_str("\n   \"absent\": \"zero\",");
        }
        out.push_str("\n   \"cells\": [");
        for (k, cell) in table.cells.iter().enumerate() {
            out.push_str(if k == 0 { "\n    " } else { ",\n    " });
            out.push_str("{\"at\": [");
            for (d, &c) in cell.at.iter().enumerate() {
                if d > 0 {
                    out.push_str(", ");
                }
                out.push_str(&q(table.dimensions[d].code(c)));
            }
            let v = |x: i64| show_value(x as i128, model.decimals);
            match cell.entry {
                Entry::Published(x) | Entry::Rounded { published: x, .. } => {
                    let _ = write!(out, "], \"value\": {}}}", v(x));
                }
                Entry::Hidden => out.push_str("], \"hidden\": true}"),
                Entry::Range { lo, hi } => {
                    let lo = lo.map_or("null".to_string(), v);
                    let hi = hi.map_or("null".to_string(), v);
                    let _ = write!(out, "], \"range\": [{lo}, {hi}]}}");
                }
            }
        }
        out.push_str("\n   ]\n  }");
    }
    out.push_str("\n ]");
    if !model.constraints.is_empty() {
        out.push_str(",\n \"constraints\": [");
        for (k, c) in model.constraints.iter().enumerate() {
            out.push_str(if k == 0 { "\n  " } else { ",\n  " });
            out.push_str("{\"terms\": [");
            for (i, term) in c.terms.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let table = &model.tables[term.table];
                let _ = write!(out, "{{\"table\": {}, \"at\": [", q(&table.name));
                for (d, &code) in term.at.iter().enumerate() {
                    if d > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&q(table.dimensions[d].code(code)));
                }
                let _ = write!(out, "], \"coef\": {}}}", term.coef);
            }
            let op = match c.op {
                Op::Eq => "=",
                Op::Le => "<=",
                Op::Ge => ">=",
            };
            let rhs = show_value(c.rhs as i128, model.decimals);
            let _ = write!(out, "], \"op\": \"{op}\", \"rhs\": {rhs}}}");
        }
        out.push_str("\n ]");
    }
    out.push_str("\n}\n");
    out
}

/// A dimension's tree: a list of codes when flat, else an object of
/// roots, each parent an object of its children (`null` for a leaf).
fn tree(dim: &Dimension, out: &mut String) {
    let q = |s: &str| serde_json::to_string(s).expect("a string serializes");
    let roots: Vec<usize> = (0..dim.len())
        .filter(|&c| dim.parent(c).is_none())
        .collect();
    if roots.iter().all(|&r| dim.is_leaf(r)) {
        out.push('[');
        for (i, &r) in roots.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&q(dim.code(r)));
        }
        out.push(']');
        return;
    }
    fn node(dim: &Dimension, c: usize, out: &mut String) {
        let q = |s: &str| serde_json::to_string(s).expect("a string serializes");
        out.push_str(&q(dim.code(c)));
        out.push_str(": ");
        if dim.is_leaf(c) {
            out.push_str("null");
            return;
        }
        out.push('{');
        for (i, &ch) in dim.children(c).iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            node(dim, ch, out);
        }
        out.push('}');
    }
    out.push('{');
    for (i, &r) in roots.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        node(dim, r, out);
    }
    out.push('}');
}
