//! The continuous target of an estimator: a point inside every cell's
//! tight interval that satisfies the component's lines as nearly as a
//! float iteration can, found by cyclic weighted projection.
//!
//! Nothing here is exact or trusted: the target only steers the rounding
//! (`round.rs`), whose table is checked in integer arithmetic.

use crate::components::Component;
use cellbound_core::{Count, Op};

/// Sweeps over the lines at most; the rounding makes the table exact, so
/// a target a little off the lines costs a little accuracy, nothing more.
const MAX_SWEEPS: usize = 400;

/// A residual this small (relative to the line's scale) ends the sweeps.
const TOLERANCE: f64 = 1e-7;

/// The weighted least-squares fit: starting from `start`, move to a point
/// of the lines within `lo..=hi`, each cell moving in proportion to its
/// `weight` (a wider interval, or a larger prior, absorbs more of a line's
/// remainder). Cyclic projection onto each line, then onto the box.
pub(super) fn project(
    part: &Component,
    lo: &[Count],
    hi: &[Option<Count>],
    start: Vec<f64>,
    weight: &[f64],
) -> Vec<f64> {
    let mut x = start;
    let clip = |i: usize, v: f64| -> f64 {
        let v = v.max(lo[i] as f64);
        match hi[i] {
            Some(h) => v.min(h as f64),
            None => v,
        }
    };
    for (i, v) in x.iter_mut().enumerate() {
        *v = clip(i, *v);
    }
    // A line's move only reaches its cells not pinned at a bound in the
    // direction of the move; those are found per move.
    for _ in 0..MAX_SWEEPS {
        let mut worst: f64 = 0.0;
        for row in &part.rows {
            let lhs: f64 = row.terms.iter().map(|&(v, c)| c as f64 * x[v]).sum();
            let rhs = row.rhs as f64;
            let residual = match row.op {
                Op::Eq => rhs - lhs,
                Op::Le => (rhs - lhs).min(0.0),
                Op::Ge => (rhs - lhs).max(0.0),
            };
            let scale = rhs.abs().max(1.0);
            worst = worst.max(residual.abs() / scale);
            if residual == 0.0 {
                continue;
            }
            // Cells that can still move the way the residual asks.
            let free = |value: f64, v: usize, c: i64| -> bool {
                let up = (residual > 0.0) == (c > 0);
                if up {
                    hi[v].is_none_or(|h| value < h as f64)
                } else {
                    value > lo[v] as f64
                }
            };
            let denom: f64 = row
                .terms
                .iter()
                .filter(|&&(v, c)| free(x[v], v, c))
                .map(|&(v, c)| (c as f64) * (c as f64) * weight[v])
                .sum();
            if denom <= 0.0 {
                continue;
            }
            let step = residual / denom;
            // Each cell is on a row once (terms are merged), so whether it
            // is free is still decided on the values before this move.
            for &(v, c) in &row.terms {
                if free(x[v], v, c) {
                    x[v] = clip(v, x[v] + step * c as f64 * weight[v]);
                }
            }
        }
        if worst < TOLERANCE {
            break;
        }
    }
    x
}
