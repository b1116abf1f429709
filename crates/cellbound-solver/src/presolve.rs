//! Bound propagation: each row bounds each of its variables by what the
//! others can contribute, repeated to a fixed point. Every bound it derives
//! is implied by the rows, so it is sound; it may be loose.

use cellbound_core::{Count, Op};

use crate::components::LocalRow;

/// Integer bounds on each variable; `None` for none on that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervals {
    pub lo: Vec<Option<i128>>,
    pub hi: Vec<Option<i128>>,
}

impl Intervals {
    pub fn new(lo: &[Option<Count>], hi: &[Option<Count>]) -> Self {
        Intervals {
            lo: lo.iter().map(|l| l.map(|l| l as i128)).collect(),
            hi: hi.iter().map(|h| h.map(|h| h as i128)).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lo
            .iter()
            .zip(&self.hi)
            .any(|(l, h)| matches!((l, h), (Some(l), Some(h)) if l > h))
    }
}

/// Where propagation proved the rows contradictory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conflict {
    /// The local index of the row that emptied a variable's interval.
    pub row: usize,
}

/// Tightens `bounds` with the given rows (indices into `rows`) until
/// nothing changes or `max_rounds` passes are done.
pub fn propagate(
    rows: &[LocalRow],
    active: &[usize],
    bounds: &mut Intervals,
    max_rounds: usize,
) -> Result<(), Conflict> {
    for _ in 0..max_rounds {
        let mut changed = false;
        for &r in active {
            changed |= tighten(&rows[r], bounds).map_err(|()| Conflict { row: r })?;
        }
        if !changed {
            break;
        }
    }
    Ok(())
}

/// The smallest and largest value of `coef * x` over `[lo, hi]`
/// (`None` for minus or plus infinity).
fn term_range(coef: i64, lo: Option<i128>, hi: Option<i128>) -> (Option<i128>, Option<i128>) {
    let c = coef as i128;
    if c >= 0 {
        (lo.map(|l| c * l), hi.map(|h| c * h))
    } else {
        (hi.map(|h| c * h), lo.map(|l| c * l))
    }
}

fn div_floor(a: i128, b: i128) -> i128 {
    let q = a / b;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

fn div_ceil(a: i128, b: i128) -> i128 {
    -div_floor(-a, b)
}

/// One pass of one row. `Ok(true)` when a bound moved, `Err` when the row
/// cannot hold within the bounds.
fn tighten(row: &LocalRow, b: &mut Intervals) -> Result<bool, ()> {
    let mut changed = false;
    // sum <= rhs: each term is at most rhs minus the others' minimum.
    if matches!(row.op, Op::Eq | Op::Le) {
        changed |= tighten_side(row, b, true)?;
    }
    if matches!(row.op, Op::Eq | Op::Ge) {
        changed |= tighten_side(row, b, false)?;
    }
    Ok(changed)
}

fn tighten_side(row: &LocalRow, b: &mut Intervals, upper_side: bool) -> Result<bool, ()> {
    // For `sum <= rhs` use each term's minimum; for `sum >= rhs` its
    // maximum. Infinite contributions are counted, not summed.
    let mut finite: i128 = 0;
    let mut infinite = 0usize;
    for &(v, c) in &row.terms {
        let (mn, mx) = term_range(c, b.lo[v], b.hi[v]);
        match if upper_side { mn } else { mx } {
            Some(x) => finite += x,
            None => infinite += 1,
        }
    }
    if infinite == 0 && ((upper_side && finite > row.rhs) || (!upper_side && finite < row.rhs)) {
        return Err(());
    }
    let mut changed = false;
    for &(v, c) in &row.terms {
        let (mn, mx) = term_range(c, b.lo[v], b.hi[v]);
        let own = if upper_side { mn } else { mx };
        let rest = match (own, infinite) {
            (Some(x), 0) => finite - x,
            (None, 1) => finite,
            _ => continue,
        };
        // upper side: c*x <= rhs - rest; lower side: c*x >= rhs - rest.
        let bound = row.rhs - rest;
        let c = c as i128;
        let (new_lo, new_hi) = match (upper_side, c > 0) {
            (true, true) => (None, Some(div_floor(bound, c))),
            (true, false) => (Some(div_ceil(bound, c)), None),
            (false, true) => (Some(div_ceil(bound, c)), None),
            (false, false) => (None, Some(div_floor(bound, c))),
        };
        if let Some(l) = new_lo {
            if b.lo[v].is_none_or(|old| l > old) {
                b.lo[v] = Some(l);
                changed = true;
            }
        }
        if let Some(h) = new_hi {
            if b.hi[v].is_none_or(|old| h < old) {
                b.hi[v] = Some(h);
                changed = true;
            }
        }
        if matches!((b.lo[v], b.hi[v]), (Some(l), Some(h)) if h < l) {
            return Err(());
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_table_one_open() {
        // m1 + m3 = 11, b1 + b3 = 10, m1 + b1 = 13, m3 + b3 = 8.
        let rows = vec![
            LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 11),
            LocalRow::of(&[(2, 1), (3, 1)], Op::Eq, 10),
            LocalRow::of(&[(0, 1), (2, 1)], Op::Eq, 13),
            LocalRow::of(&[(1, 1), (3, 1)], Op::Eq, 8),
        ];
        let mut b = Intervals::new(&[Some(0); 4], &[None; 4]);
        propagate(&rows, &[0, 1, 2, 3], &mut b, 100).unwrap();
        assert_eq!(b.lo, vec![Some(3), Some(0), Some(2), Some(0)]);
        assert_eq!(b.hi, vec![Some(11), Some(8), Some(10), Some(8)]);
    }

    #[test]
    fn detects_a_line_that_cannot_hold() {
        let rows = vec![LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 11)];
        let mut b = Intervals::new(&[Some(0), Some(0)], &[Some(4), Some(4)]);
        assert_eq!(propagate(&rows, &[0], &mut b, 10), Err(Conflict { row: 0 }));
    }

    #[test]
    fn negative_coefficients_and_inequalities() {
        // 2x - 3y <= 1, y >= 3  =>  x <= 5 when y <= 3.
        let rows = vec![LocalRow::of(&[(0, 2), (1, -3)], Op::Le, 1)];
        let mut b = Intervals::new(&[Some(0), Some(3)], &[None, Some(3)]);
        propagate(&rows, &[0], &mut b, 10).unwrap();
        assert_eq!(b.hi[0], Some(5));
        assert_eq!(div_floor(-7, 2), -4);
        assert_eq!(div_ceil(-7, 2), -3);
        assert_eq!(div_ceil(7, -2), -3);
    }

    #[test]
    fn a_line_floors_cells_with_no_lower_limit() {
        // x + y = 10 with x, y <= 8 and no lower limit: x, y >= 2.
        let rows = vec![LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 10)];
        let mut b = Intervals::new(&[None, None], &[Some(8), Some(8)]);
        propagate(&rows, &[0], &mut b, 10).unwrap();
        assert_eq!(b.lo, vec![Some(2), Some(2)]);
        // Free cells: nothing to take from the line.
        let mut free = Intervals::new(&[None, None], &[None, None]);
        propagate(&rows, &[0], &mut free, 10).unwrap();
        assert_eq!(free.lo, vec![None, None]);
    }
}
