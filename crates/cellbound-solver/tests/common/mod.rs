//! Grids built by hand for the solver's tests.

use cellbound_core::{Absent, Cell, Dimension, Entry, Layout, Model, Table};

/// A grid whose last row and last column are the totals; `None` is hidden.
pub fn grid(values: &[&[Option<i64>]]) -> Model {
    let rows = values.len() - 1;
    let cols = values[0].len() - 1;
    let dim = |name: &str, n: usize| {
        let mut codes: Vec<(String, Option<usize>)> =
            (0..n).map(|i| (format!("{name}{i}"), Some(n))).collect();
        codes.push(("Total".into(), None));
        Dimension::new(name, codes).unwrap()
    };
    let mut cells = Vec::new();
    for (r, line) in values.iter().enumerate() {
        for (c, v) in line.iter().enumerate() {
            cells.push(Cell {
                at: vec![r, c],
                entry: v.map_or(Entry::Hidden, Entry::Published),
                origin: format!("r{r}c{c}"),
                line: Some(r + 2),
            });
        }
    }
    Model {
        tables: vec![Table::new(
            "t",
            vec![dim("r", rows), dim("c", cols)],
            cells,
            Absent::Error,
            Layout::Grid,
        )
        .unwrap()],
        constraints: vec![],
        source: "t.csv".into(),
    }
}
