//! The true table of an audit: the published table with every cell
//! given, in the same format and with the same labels, or a truth list
//! `{"cells": [{"table": ..., "at": [...], "value": N}]}`.
//!
//! The answer is one true value per listed cell of the published model,
//! `truth[t][c]`, ready to compare.

use std::path::Path;

use serde::Deserialize;

use super::{names, read_bytes, Format, GridOptions};
use crate::error::InputError;
use crate::model::{Count, Entry, Layout, Model, Table, MAX_COUNT};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TruthList {
    cells: Vec<TruthCell>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TruthCell {
    table: Option<String>,
    at: Vec<String>,
    value: u64,
}

/// Reads the truth for `published` from a file.
pub fn read_truth(
    path: &Path,
    published: &Model,
    options: &GridOptions,
) -> Result<Vec<Vec<Count>>, InputError> {
    let (display, stem) = names(path);
    let bytes = super::read_file(path, &display)?;
    let format = Format::detect_with(path, &bytes, options);
    if format == Format::JsonModel && is_truth_list(&bytes) {
        let list: TruthList = serde_json::from_slice(&bytes).map_err(|e| {
            InputError::new(&display, format!("not a truth list: {e}")).at_line(e.line())
        })?;
        return from_list(&list, published, &display);
    }
    if format == Format::Jj {
        // A JJ file carries every cell's value, suppressed ones included.
        let mut jj = super::jj::read(&bytes, &display, &stem)?;
        for (cell, line) in jj.model.tables[0].cells.iter_mut().zip(&jj.cells) {
            cell.entry = Entry::Published(line.value);
        }
        return from_model(&jj.model, published, &display);
    }
    // `--sheet` names the published table's sheet: a truth that is no
    // spreadsheet is read without it.
    let mut options = options.clone();
    if format != Format::Sheet {
        options.sheet = None;
    }
    let truth_model = read_bytes(&bytes, format, &display, &stem, &options)?;
    from_model(&truth_model, published, &display)
}

/// A truth list is a JSON object with `cells` and none of a model's
/// `tables` or `dimensions`.
fn is_truth_list(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        tables: Option<serde::de::IgnoredAny>,
        dimensions: Option<serde::de::IgnoredAny>,
        cells: Option<serde::de::IgnoredAny>,
    }
    match serde_json::from_slice::<Probe>(bytes) {
        Ok(p) => p.cells.is_some() && p.tables.is_none() && p.dimensions.is_none(),
        Err(_) => false,
    }
}

fn from_list(
    list: &TruthList,
    published: &Model,
    display: &str,
) -> Result<Vec<Vec<Count>>, InputError> {
    let mut truth: Vec<Vec<Option<Count>>> = published
        .tables
        .iter()
        .map(|t| t.cells.iter().map(|c| c.entry.published()).collect())
        .collect();
    let mut seen: std::collections::HashMap<(usize, usize), usize> = Default::default();
    for (k, cell) in list.cells.iter().enumerate() {
        let field = format!("cells[{k}]");
        let err = |m: String| InputError::new(display, m).field(field.clone());
        let t = match &cell.table {
            Some(name) => published
                .table_index(name)
                .ok_or_else(|| err(format!("no table named {name:?} in the published model")))?,
            None if published.tables.len() == 1 => 0,
            None => return Err(err("name the table: the published model has several".into())),
        };
        let table = &published.tables[t];
        let at = table.locate(&cell.at).map_err(|e| err(e.to_string()))?;
        let Some(c) = table.cell_at(&at) else {
            return Err(err(format!(
                "cell {:?} is not listed in the published table (a structural zero)",
                cell.at
            )));
        };
        if let Some(first) = seen.insert((t, c), k) {
            return Err(err(format!(
                "cell {:?} is listed twice, in cells[{first}] and cells[{k}]; give each cell once",
                cell.at
            )));
        }
        if cell.value > MAX_COUNT as u64 {
            return Err(err(format!(
                "value {} is too large (at most 2^53 - 1)",
                cell.value
            )));
        }
        truth[t][c] = Some(cell.value as Count);
        if let Entry::Published(v) = table.cells[c].entry {
            if v != cell.value as Count {
                return Err(err(format!(
                    "true value {} differs from the published {v} at {}",
                    cell.value, table.cells[c].origin
                )));
            }
        }
    }
    complete(truth, published, display)
}

fn from_model(
    truth_model: &Model,
    published: &Model,
    display: &str,
) -> Result<Vec<Vec<Count>>, InputError> {
    if truth_model.tables.len() != published.tables.len() {
        return Err(InputError::new(
            display,
            format!(
                "the truth has {} tables, the published model {}",
                truth_model.tables.len(),
                published.tables.len()
            ),
        ));
    }
    for (pt, tt) in published.tables.iter().zip(&truth_model.tables) {
        same_labels(pt, tt, published, display)?;
    }
    let mut truth = Vec::with_capacity(published.tables.len());
    for (pt, tt) in published.tables.iter().zip(&truth_model.tables) {
        let mut values = Vec::with_capacity(pt.cells.len());
        for cell in &pt.cells {
            let codes = pt.codes_of(&cell.at);
            let at = tt.locate(&codes).map_err(|e| {
                InputError::new(
                    display,
                    format!("{e} (the truth must use the published labels)"),
                )
            })?;
            let Some(c) = tt.cell_at(&at) else {
                return Err(InputError::new(
                    display,
                    format!("cell {codes:?} of the published table is missing from the truth"),
                ));
            };
            match tt.cells[c].entry {
                Entry::Published(v) => values.push(Some(v)),
                _ => {
                    let mut e = InputError::new(
                        display,
                        "the truth must give every cell; this one is hidden",
                    )
                    .field(tt.cells[c].origin.clone());
                    if let Some(l) = tt.cells[c].line {
                        e = e.at_line(l);
                    }
                    return Err(e);
                }
            }
        }
        truth.push(values);
    }
    complete(truth, published, display)
}

/// A line of a table in the user's terms: `row "MRC Extra"` in a grid,
/// `code "X" of dimension "d"` otherwise.
fn label(table: &Table, d: usize, code: &str) -> String {
    match (table.layout, d) {
        (Layout::Grid, 0) => format!("row {code:?}"),
        (Layout::Grid, 1) => format!("column {code:?}"),
        _ => format!(
            "code {code:?} of dimension {:?}",
            table.dimensions[d].name()
        ),
    }
}

/// The input line of the first cell whose coordinate `d` is `i`.
fn line_of(table: &Table, d: usize, i: usize) -> Option<usize> {
    table
        .cells
        .iter()
        .filter(|c| c.at[d] == i)
        .filter_map(|c| c.line)
        .min()
}

/// The truth must have exactly the published table's labels: an extra or
/// a missing row, column or code is named, with its line.
fn same_labels(pt: &Table, tt: &Table, published: &Model, display: &str) -> Result<(), InputError> {
    if pt.dimensions.len() != tt.dimensions.len() {
        return Err(InputError::new(
            display,
            format!(
                "the truth's table {:?} has {} dimensions, the published one {}",
                tt.name,
                tt.dimensions.len(),
                pt.dimensions.len()
            ),
        ));
    }
    for (d, (pd, td)) in pt.dimensions.iter().zip(&tt.dimensions).enumerate() {
        for (i, code) in td.codes().iter().enumerate() {
            if pd.find(code).is_none() {
                let mut e = InputError::new(
                    display,
                    format!(
                        "{} is not in the published table ({}); the truth must be the published table with every cell given, nothing added",
                        label(tt, d, code),
                        published.source
                    ),
                );
                if d == 0 || tt.layout != Layout::Grid {
                    if let Some(l) = line_of(tt, d, i) {
                        e = e.at_line(l);
                    }
                }
                return Err(e);
            }
        }
        for (i, code) in pd.codes().iter().enumerate() {
            if td.find(code).is_none() {
                let at = line_of(pt, d, i)
                    .filter(|_| d == 0 || pt.layout != Layout::Grid)
                    .map(|l| format!(" at line {l}"))
                    .unwrap_or_default();
                return Err(InputError::new(
                    display,
                    format!(
                        "the truth has no {}, which the published table ({}) has{at}; the truth must give every published line",
                        label(pt, d, code),
                        published.source
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn complete(
    truth: Vec<Vec<Option<Count>>>,
    published: &Model,
    display: &str,
) -> Result<Vec<Vec<Count>>, InputError> {
    truth
        .into_iter()
        .enumerate()
        .map(|(t, values)| {
            values
                .into_iter()
                .enumerate()
                .map(|(c, v)| {
                    v.ok_or_else(|| {
                        let table = &published.tables[t];
                        InputError::new(
                            display,
                            format!(
                                "no true value for the hidden cell {:?} of table {:?}",
                                table.codes_of(&table.cells[c].at),
                                table.name
                            ),
                        )
                    })
                })
                .collect()
        })
        .collect()
}
