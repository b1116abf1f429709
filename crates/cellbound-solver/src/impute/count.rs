//! Every integer table of a small component, counted: each cell's mean
//! over all of them (every table consistent with the publication equally
//! likely), exactly, as a sum over a count.
//!
//! Depth-first over the cells, each line's reachable range kept as it
//! goes, so that a partial table no completion can satisfy is cut at once.
//! A node budget bounds the work: past it, the component gets no means.

use std::time::Instant;

use cellbound_core::{Count, Op};

use crate::components::Component;

/// Search nodes per component at most (a node is one value tried for one
/// cell).
pub(super) const NODE_BUDGET: u64 = 2_000_000;

/// The tables of a component: how many, and each cell's sum over them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Census {
    pub tables: u128,
    pub sums: Vec<i128>,
}

/// Counts the integer tables of `part` within `lo..=hi`, or `None` when a
/// cell has no upper bound (infinitely many tables), the budget or the
/// deadline runs out first.
pub(super) fn census(
    part: &Component,
    lo: &[Count],
    hi: &[Option<Count>],
    deadline: Option<Instant>,
) -> Option<Census> {
    let n = part.vars.len();
    let hi: Vec<Count> = hi.iter().copied().collect::<Option<_>>()?;
    // Rows of each cell.
    let mut rows_of: Vec<Vec<(usize, i128)>> = vec![Vec::new(); n];
    for (r, row) in part.rows.iter().enumerate() {
        for &(v, c) in &row.terms {
            rows_of[v].push((r, c as i128));
        }
    }
    // Cells in the order a breadth-first walk over shared lines meets
    // them, so that lines close early and prune.
    let order = walk_order(part, &rows_of);
    let mut search = Search {
        part,
        lo,
        hi: &hi,
        rows_of: &rows_of,
        order: &order,
        partial: part.rows.iter().map(|_| 0i128).collect(),
        room_min: vec![0; part.rows.len()],
        room_max: vec![0; part.rows.len()],
        values: lo.to_vec(),
        census: Census {
            tables: 0,
            sums: vec![0; n],
        },
        nodes: 0,
        deadline,
        stopped: false,
    };
    for (r, row) in part.rows.iter().enumerate() {
        for &(v, c) in &row.terms {
            let (a, b) = (c as i128 * lo[v] as i128, c as i128 * hi[v] as i128);
            search.room_min[r] += a.min(b);
            search.room_max[r] += a.max(b);
        }
    }
    if !search.rows_ok(None) {
        return Some(search.census);
    }
    search.descend(0);
    (!search.stopped).then_some(search.census)
}

fn walk_order(part: &Component, rows_of: &[Vec<(usize, i128)>]) -> Vec<usize> {
    let n = part.vars.len();
    let mut seen = vec![false; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut at = order.len();
        order.push(start);
        while at < order.len() {
            let v = order[at];
            at += 1;
            for &(r, _) in &rows_of[v] {
                for &(w, _) in &part.rows[r].terms {
                    if !seen[w] {
                        seen[w] = true;
                        order.push(w);
                    }
                }
            }
        }
    }
    order
}

struct Search<'a> {
    part: &'a Component,
    lo: &'a [Count],
    hi: &'a [Count],
    rows_of: &'a [Vec<(usize, i128)>],
    order: &'a [usize],
    /// Per row: the sum of its assigned terms.
    partial: Vec<i128>,
    /// Per row: the least and most its unassigned terms can add.
    room_min: Vec<i128>,
    room_max: Vec<i128>,
    values: Vec<Count>,
    census: Census,
    nodes: u64,
    deadline: Option<Instant>,
    stopped: bool,
}

impl Search<'_> {
    /// Whether every row (or every row of cell `v`) can still hold.
    fn rows_ok(&self, v: Option<usize>) -> bool {
        let check = |r: usize| {
            let row = &self.part.rows[r];
            let (min, max) = (
                self.partial[r] + self.room_min[r],
                self.partial[r] + self.room_max[r],
            );
            match row.op {
                Op::Eq => min <= row.rhs && row.rhs <= max,
                Op::Le => min <= row.rhs,
                Op::Ge => max >= row.rhs,
            }
        };
        match v {
            Some(v) => self.rows_of[v].iter().all(|&(r, _)| check(r)),
            None => (0..self.part.rows.len()).all(check),
        }
    }

    fn descend(&mut self, depth: usize) {
        if self.stopped {
            return;
        }
        if depth == self.order.len() {
            self.census.tables += 1;
            for (s, &x) in self.census.sums.iter_mut().zip(&self.values) {
                *s += x as i128;
            }
            return;
        }
        let v = self.order[depth];
        let rows_of = self.rows_of;
        let (lo, hi) = (self.lo[v] as i128, self.hi[v] as i128);
        // Take the cell out of its rows' room.
        for &(r, c) in &rows_of[v] {
            let (a, b) = (c * lo, c * hi);
            self.room_min[r] -= a.min(b);
            self.room_max[r] -= a.max(b);
        }
        for x in lo..=hi {
            self.nodes += 1;
            if self.nodes > NODE_BUDGET
                || (self.nodes.is_multiple_of(4096)
                    && self.deadline.is_some_and(|d| Instant::now() >= d))
            {
                self.stopped = true;
                break;
            }
            for &(r, c) in &rows_of[v] {
                self.partial[r] += c * x;
            }
            if self.rows_ok(Some(v)) {
                self.values[v] = x as Count;
                self.descend(depth + 1);
            }
            for &(r, c) in &rows_of[v] {
                self.partial[r] -= c * x;
            }
            if self.stopped {
                break;
            }
        }
        for &(r, c) in &rows_of[v] {
            let (a, b) = (c * lo, c * hi);
            self.room_min[r] += a.min(b);
            self.room_max[r] += a.max(b);
        }
    }
}
