//! Grids built by hand for the solver's tests.

use cellbound_core::Model;

/// A grid whose last row and last column are the totals; `None` is hidden.
pub fn grid(values: &[&[Option<i64>]]) -> Model {
    Model::grid_with_margins("t", values).unwrap()
}
