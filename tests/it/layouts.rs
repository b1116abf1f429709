//! Every layout reads back to the same model: a random table (a 2-D grid
//! with its margins, or a 3-D cube with a two-level hierarchy on some
//! dimensions) with some cells hidden is written as a JSON model, a long
//! CSV file and an SDMX-CSV file (read with `--hierarchy DIM=prefix`),
//! and, when it is a flat 2-D table, as a CSV grid and an `.xlsx` sheet.
//! Each reads to the same cells (by their codes), the same hierarchies,
//! and the same bounds; the truth lies within them.

use std::collections::BTreeMap;

use cellbound::core::io::hierarchy::HierarchySpec;
use cellbound::core::io::long::InputLayout;
use cellbound::core::io::{read_bytes, Format, GridOptions};
use cellbound::core::model::{Entry, Model};
use cellbound::core::Rule;
use cellbound::solver::{bounds, Options, Outcome};
use proptest::prelude::*;

/// The top codes of each dimension (no code a prefix of another, none
/// starting as `Total`); a nested top code `A` has children `A1`, `A2`.
const LETTERS: [[&str; 3]; 3] = [["A", "B", "C"], ["P", "Q", "R"], ["X", "Y", "Z"]];

#[derive(Debug, Clone)]
struct Case {
    /// Per dimension: its top codes, each with its children (empty: a
    /// leaf).
    dims: Vec<Vec<(String, Vec<String>)>>,
    /// One value per leaf cell, row-major over the leaves.
    leaves: Vec<i64>,
    /// Hidden or not, one draw per cell of the full cross product.
    hide: Vec<bool>,
}

impl Case {
    /// Each dimension's codes in file order: `Total`, then each top code
    /// followed by its children.
    fn codes(&self, d: usize) -> Vec<String> {
        let mut codes = vec!["Total".to_string()];
        for (top, children) in &self.dims[d] {
            codes.push(top.clone());
            codes.extend(children.iter().cloned());
        }
        codes
    }

    fn leaf_codes(&self, d: usize) -> Vec<String> {
        let mut leaves = Vec::new();
        for (top, children) in &self.dims[d] {
            if children.is_empty() {
                leaves.push(top.clone());
            } else {
                leaves.extend(children.iter().cloned());
            }
        }
        leaves
    }

    /// The leaves a code stands for.
    fn under(&self, d: usize, code: &str) -> Vec<usize> {
        let leaves = self.leaf_codes(d);
        (0..leaves.len())
            .filter(|&i| code == "Total" || leaves[i].starts_with(code))
            .collect()
    }

    fn flat_2d(&self) -> bool {
        self.dims.len() == 2 && self.dims.iter().flatten().all(|(_, c)| c.is_empty())
    }

    /// Every cell of the cross product (codes), with its true value and
    /// whether it is hidden, row-major in file order.
    fn cells(&self) -> Vec<(Vec<String>, i64, bool)> {
        let n = self.dims.len();
        let codes: Vec<Vec<String>> = (0..n).map(|d| self.codes(d)).collect();
        let sizes: Vec<usize> = (0..n).map(|d| self.leaf_codes(d).len()).collect();
        let mut out = Vec::new();
        let mut at = vec![0usize; n];
        let total: usize = codes.iter().map(Vec::len).product();
        for k in 0..total {
            let mut rest = k;
            for d in (0..n).rev() {
                at[d] = rest % codes[d].len();
                rest /= codes[d].len();
            }
            let at_codes: Vec<String> = (0..n).map(|d| codes[d][at[d]].clone()).collect();
            let unders: Vec<Vec<usize>> = (0..n).map(|d| self.under(d, &at_codes[d])).collect();
            let mut value = 0;
            let mut idx = vec![0usize; n];
            'sum: loop {
                let mut off = 0;
                for d in 0..n {
                    off = off * sizes[d] + unders[d][idx[d]];
                }
                value += self.leaves[off];
                let mut d = n;
                loop {
                    if d == 0 {
                        break 'sum;
                    }
                    d -= 1;
                    idx[d] += 1;
                    if idx[d] < unders[d].len() {
                        break;
                    }
                    idx[d] = 0;
                }
            }
            out.push((at_codes, value, self.hide[k % self.hide.len()]));
        }
        out
    }

    fn json(&self) -> String {
        let dims: Vec<serde_json::Value> = (0..self.dims.len())
            .map(|d| {
                let mut tops = serde_json::Map::new();
                for (top, children) in &self.dims[d] {
                    tops.insert(
                        top.clone(),
                        if children.is_empty() {
                            serde_json::Value::Null
                        } else {
                            serde_json::json!(children)
                        },
                    );
                }
                serde_json::json!({"name": format!("d{d}"), "tree": {"Total": tops}})
            })
            .collect();
        let cells: Vec<serde_json::Value> = self
            .cells()
            .into_iter()
            .map(|(at, v, hidden)| {
                if hidden {
                    serde_json::json!({"at": at, "hidden": true})
                } else {
                    serde_json::json!({"at": at, "value": v})
                }
            })
            .collect();
        serde_json::json!({"name": "t", "dimensions": dims, "cells": cells}).to_string()
    }

    /// `synth --layout long`'s columns: one per dimension, `VALUE`,
    /// `STATUS` (`x` beside an empty value for a hidden cell).
    fn long(&self) -> String {
        let mut text = String::new();
        for d in 0..self.dims.len() {
            text += &format!("d{d},");
        }
        text += "VALUE,STATUS\n";
        for (at, v, hidden) in self.cells() {
            text += &at.join(",");
            text += &if hidden {
                ",,x\n".to_string()
            } else {
                format!(",{v},\n")
            };
        }
        text
    }

    /// SDMX-CSV 1.0: `DATAFLOW`, the dimensions, `TIME_PERIOD`,
    /// `OBS_VALUE`, `CONF_STATUS` (`A`, primary confidentiality due to
    /// small counts, beside an empty value for a hidden cell, `F`
    /// otherwise), `;` between fields.
    fn sdmx(&self) -> String {
        let mut text = "DATAFLOW;".to_string();
        for d in 0..self.dims.len() {
            text += &format!("d{d};");
        }
        text += "TIME_PERIOD;OBS_VALUE;CONF_STATUS\n";
        for (at, v, hidden) in self.cells() {
            text += &format!("T:T(1.0);{};2024;", at.join(";"));
            text += &if hidden {
                ";A\n".to_string()
            } else {
                format!("{v};F\n")
            };
        }
        text
    }

    /// The flat 2-D table as a grid: the total row and column last.
    fn grid(&self) -> Vec<Vec<String>> {
        let (rows, cols) = (self.leaf_codes(0), self.leaf_codes(1));
        let cells: BTreeMap<Vec<String>, (i64, bool)> = self
            .cells()
            .into_iter()
            .map(|(at, v, h)| (at, (v, h)))
            .collect();
        let mut header = vec!["d0".to_string()];
        header.extend(cols.iter().cloned());
        header.push("Total".into());
        let mut grid = vec![header];
        for r in rows.iter().chain(std::iter::once(&"Total".to_string())) {
            let mut line = vec![r.clone()];
            for c in cols.iter().chain(std::iter::once(&"Total".to_string())) {
                let (v, h) = cells[&vec![r.clone(), c.clone()]];
                line.push(if h { "x".into() } else { v.to_string() });
            }
            grid.push(line);
        }
        grid
    }

    fn xlsx(&self) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (r, line) in self.grid().iter().enumerate() {
            for (c, field) in line.iter().enumerate() {
                match field.parse::<f64>() {
                    Ok(v) if r > 0 && c > 0 => ws.write_number(r as u32, c as u16, v),
                    _ => ws.write_string(r as u32, c as u16, field),
                }
                .unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=3)
        .prop_flat_map(|n| {
            (
                Just(n),
                prop::collection::vec((2usize..=3, prop::bool::weighted(0.3)), n),
            )
        })
        .prop_flat_map(|(_, shape)| {
            let dims: Vec<Vec<(String, Vec<String>)>> = shape
                .iter()
                .enumerate()
                .map(|(d, &(k, nested))| {
                    LETTERS[d][..k]
                        .iter()
                        .enumerate()
                        .map(|(i, &top)| {
                            // Only the first top code of a dimension nests.
                            let children = if nested && i == 0 {
                                vec![format!("{top}1"), format!("{top}2")]
                            } else {
                                vec![]
                            };
                            (top.to_string(), children)
                        })
                        .collect()
                })
                .collect();
            let leaves: usize = dims
                .iter()
                .map(|tops| tops.iter().map(|(_, c)| c.len().max(1)).sum::<usize>())
                .product();
            let cells: usize = dims
                .iter()
                .map(|tops| 1 + tops.iter().map(|(_, c)| 1 + c.len()).sum::<usize>())
                .product();
            (
                Just(dims),
                prop::collection::vec(0i64..30, leaves),
                prop::collection::vec(prop::bool::weighted(0.3), cells),
            )
        })
        .prop_map(|(dims, leaves, hide)| Case { dims, leaves, hide })
}

/// The model's cells by their codes, and each dimension's parent of each
/// code.
type Shape = (
    BTreeMap<Vec<String>, Entry>,
    Vec<BTreeMap<String, Option<String>>>,
);

fn shape(model: &Model) -> Shape {
    assert_eq!(model.tables.len(), 1);
    let t = &model.tables[0];
    let cells = t
        .cells
        .iter()
        .map(|c| (codes(model, &c.at), c.entry))
        .collect();
    let parents = t
        .dimensions
        .iter()
        .filter(|d| d.name() != "TIME_PERIOD")
        .map(|d| {
            (0..d.len())
                .map(|i| {
                    (
                        d.code(i).to_string(),
                        d.parent(i).map(|p| d.code(p).to_string()),
                    )
                })
                .collect()
        })
        .collect();
    (cells, parents)
}

/// A cell's codes, but for SDMX's `TIME_PERIOD` (one period, a dimension
/// of size 1 that the other layouts do not have).
fn codes(model: &Model, at: &[usize]) -> Vec<String> {
    let t = &model.tables[0];
    t.codes_of(at)
        .into_iter()
        .zip(&t.dimensions)
        .filter(|(_, d)| d.name() != "TIME_PERIOD")
        .map(|(c, _)| c)
        .collect()
}

/// `(lower, upper)` of every cell not published exactly, by its codes.
fn bounds_of(model: &Model) -> BTreeMap<Vec<String>, (Option<i64>, Option<i64>)> {
    let Outcome::Feasible(report) = bounds(model, Rule::open(), &Options::default()).unwrap()
    else {
        panic!("a table with its truth is feasible")
    };
    let t = &model.tables[0];
    report
        .cells
        .iter()
        .map(|c| {
            (
                codes(model, &t.cells[c.cell.cell].at),
                (c.bounds.lower, c.bounds.upper),
            )
        })
        .collect()
}

fn read(bytes: &[u8], format: Format, options: &GridOptions) -> Model {
    read_bytes(bytes, format, "t", "t", options)
        .unwrap_or_else(|e| panic!("{e}\n{}", String::from_utf8_lossy(bytes)))
}

fn check(case: &Case) -> Result<(), TestCaseError> {
    let json = read(
        case.json().as_bytes(),
        Format::JsonModel,
        &GridOptions::default(),
    );
    let mut long_options = GridOptions {
        layout: Some(InputLayout::Long),
        ..GridOptions::default()
    };
    for d in 0..case.dims.len() {
        long_options
            .long
            .hierarchies
            .push((format!("d{d}"), HierarchySpec::Prefix));
    }
    let mut models = vec![
        (
            "long",
            read(case.long().as_bytes(), Format::Long, &long_options),
        ),
        (
            "sdmx",
            read(case.sdmx().as_bytes(), Format::Long, &long_options),
        ),
    ];
    if case.flat_2d() {
        let grid: String = case
            .grid()
            .iter()
            .map(|line| line.join(",") + "\n")
            .collect();
        models.push((
            "grid",
            read(grid.as_bytes(), Format::CsvGrid, &GridOptions::default()),
        ));
        models.push((
            "xlsx",
            read(&case.xlsx(), Format::Sheet, &GridOptions::default()),
        ));
    }
    let expected = shape(&json);
    let expected_bounds = bounds_of(&json);
    for (name, model) in &models {
        prop_assert_eq!(&shape(model), &expected, "{}: the model", name);
        prop_assert_eq!(&bounds_of(model), &expected_bounds, "{}: the bounds", name);
    }
    // The truth lies within the bounds, and every hidden cell is reported.
    let hidden = case.cells().into_iter().filter(|c| c.2).count();
    prop_assert_eq!(expected_bounds.len(), hidden);
    for (at, v, h) in case.cells() {
        if h {
            let (lo, hi) = expected_bounds[&at];
            prop_assert!(
                cellbound::core::model::within(v, lo, hi),
                "{:?}: {} not in {:?}",
                at,
                v,
                (lo, hi)
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_layout_reads_back_to_the_same_model_and_bounds(case in case()) {
        check(&case)?;
    }
}
