//! How much memory solving a model takes, estimated from its size before
//! anything is built, so that a caller can refuse a model past a budget
//! instead of running out of memory half way.
//!
//! The estimate is linear in what was read: a share per listed cell (the
//! model, its index), per hidden cell (the linear system, the component
//! split, the report and its output, and the CLI's second solve under
//! `--open`), and per term of a line on a hidden cell (the rows, the flow
//! network or the LP). A term costs more in a table with totals along
//! three dimensions or more (cubes: their components are large linear
//! programs) than in one with totals along two at most (grids,
//! two-dimensional hierarchies, the same by year: flows and small
//! programs). The shares are measured on grids, hierarchies, cubes and long
//! files (docs/benchmarks.md, "Memory per hidden cell, the budget, and the
//! time limit", and "Long files: 10 million cells") and rounded up. Not
//! counted: the witness tables of `Options::keep_witnesses`, which grow
//! with each component's size, and an integer program's search tree.

use cellbound_core::Model;

/// Bytes per listed cell of the model.
const PER_CELL: u64 = 200;
/// Bytes per hidden cell.
const PER_HIDDEN: u64 = 450;
/// Bytes per term of a line over hidden cells, in a table with totals
/// along three dimensions or more.
const PER_TERM: u64 = 1024;
/// Bytes per term in a table with totals along two dimensions at most.
const PER_FLAT_TERM: u64 = 256;
/// What any run holds besides (the program, its threads).
const BASE: u64 = 16 << 20;

/// What the memory of a solve grows with, counted from a model.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Size {
    /// Listed cells, published and hidden, of every table.
    pub cells: usize,
    /// Hidden cells: the variables.
    pub hidden: usize,
    /// Terms of the lines on hidden cells: each hidden cell once per
    /// line it totals or is a part of, and each term of an extra
    /// constraint.
    pub terms: usize,
    /// The share of `terms` in tables with totals along two dimensions at
    /// most.
    pub flat_terms: usize,
}

impl Size {
    /// Counts a model, building nothing.
    pub fn of(model: &Model) -> Size {
        let mut size = Size::default();
        for table in &model.tables {
            size.cells += table.cells.len();
            let totalled = table
                .dimensions
                .iter()
                .filter(|d| d.parents().next().is_some())
                .count();
            let before = size.terms;
            for cell in table.cells.iter().filter(|c| c.entry.is_hidden()) {
                size.hidden += 1;
                for (dim, &code) in table.dimensions.iter().zip(&cell.at) {
                    size.terms +=
                        usize::from(dim.parent(code).is_some()) + usize::from(!dim.is_leaf(code));
                }
            }
            if totalled <= 2 {
                size.flat_terms += size.terms - before;
            }
        }
        size.terms += model
            .constraints
            .iter()
            .map(|c| c.terms.len())
            .sum::<usize>();
        size
    }

    /// About how many bytes solving a model of this size takes at its
    /// peak, model included.
    pub fn memory_estimate(&self) -> u64 {
        let flat = self.flat_terms.min(self.terms);
        BASE.saturating_add(PER_CELL.saturating_mul(self.cells as u64))
            .saturating_add(PER_HIDDEN.saturating_mul(self.hidden as u64))
            .saturating_add(PER_TERM.saturating_mul((self.terms - flat) as u64))
            .saturating_add(PER_FLAT_TERM.saturating_mul(flat as u64))
    }
}

/// Bytes per value of a whole witness table: 8 as the solver holds it, 16
/// as the writer lays it out in the component's order.
const PER_TABLE_VALUE: u64 = 24;

/// Bytes per table kept as changes, on a network: the record (48), and
/// room for 32 changes of 16 bytes each, counted twice for the whole
/// tables kept every time the changes add up to a table's size. The
/// benchmark grids move 4 to 10 cells per table.
const PER_CHANGED_TABLE: u64 = 48 + 2 * 32 * 16;

/// About how many bytes, at most, the witness tables take when every
/// bound's table is kept (`Options::keep_witnesses`, or `derive` with no
/// `derive_only`): a component of `n` cells keeps up to `2n + 1` tables.
/// On the LP path each is whole, `n` values: quadratic in the component,
/// 1 GiB for 4,800 cells. On a network (the flow path) each next table
/// is kept as its changes from the one before: linear, about 70 MiB for
/// 33,000 cells.
///
/// ```
/// use cellbound_core::{LinearSystem, Model, Rule};
/// use cellbound_solver::witness_tables_estimate;
///
/// // Two hidden cells on a row and a column each: one component of 4, a
/// // network.
/// let model = Model::grid_with_margins("t", &[
///     &[None, None, Some(5)],
///     &[None, None, Some(6)],
///     &[Some(4), Some(7), Some(11)],
/// ]).unwrap();
/// let system = LinearSystem::build(&model, Rule::open()).unwrap();
/// assert_eq!(witness_tables_estimate(&system), 4 * 24 + 9 * (48 + 2 * 32 * 16));
/// ```
pub fn witness_tables_estimate(system: &cellbound_core::LinearSystem) -> u64 {
    crate::components::linked_sizes(system)
        .into_iter()
        .map(|(n, network)| {
            let n = n as u64;
            let tables = 2 * n + 1;
            if network {
                (n * PER_TABLE_VALUE).saturating_add(tables.saturating_mul(PER_CHANGED_TABLE))
            } else {
                tables.saturating_mul(n).saturating_mul(PER_TABLE_VALUE)
            }
        })
        .fold(0u64, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cellbound_core::io::{csv_grid, GridOptions};

    #[test]
    fn a_grid_counts_its_cells_hidden_cells_and_terms() {
        let csv = "MRC,Volet 1,Volet 2,Volet 3,Total\n\
                   La Mitis,x,9,x,20\n\
                   Les Basques,x,15,x,25\n\
                   Total,13,24,8,45\n";
        let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
        let size = Size::of(&model);
        // Four hidden cells, each on its row and its column.
        assert_eq!(
            size,
            Size {
                cells: 12,
                hidden: 4,
                terms: 8,
                flat_terms: 8,
            }
        );
        assert_eq!(
            size.memory_estimate(),
            BASE + 12 * PER_CELL + 4 * PER_HIDDEN + 8 * PER_FLAT_TERM
        );
    }

    #[test]
    fn a_cube_counts_its_terms_at_the_full_share() {
        // Totals along three dimensions: a hidden leaf is a part of three
        // lines, each term at the cubes' share.
        let dim = |n: &str| format!(r#"{{"name": "{n}", "tree": {{"T": ["x", "y"]}}}}"#);
        let text = format!(
            r#"{{"tables": [{{"name": "c", "dimensions": [{}, {}, {}], "absent": "zero",
               "cells": [{{"at": ["x", "x", "x"], "hidden": true}}, {{"at": ["T", "T", "T"], "value": 0}}]}}]}}"#,
            dim("a"),
            dim("b"),
            dim("c")
        );
        let model = cellbound_core::io::json_model::read(text.as_bytes(), "c.json", "c").unwrap();
        let size = Size::of(&model);
        assert_eq!((size.hidden, size.terms, size.flat_terms), (1, 3, 0));
        assert_eq!(
            size.memory_estimate(),
            BASE + size.cells as u64 * PER_CELL + PER_HIDDEN + 3 * PER_TERM
        );
    }
}
