//! A table with one variable at its LP bound, searched for near a known
//! table: the variables nearest to it (in rows, breadth first) free, every
//! other held at the known table's value, and an integer program over the
//! free ones.
//!
//! On a component of thousands of variables (a protected cube), the LP
//! vertex at a bound is fractional, and neither a dive from it nor a
//! branch and bound from it finds the integer table that is there; an
//! integer program over the whole component runs out of its time
//! (docs/benchmarks.md, "Protected workloads", has the figures). A move
//! of one cell reaches few others, nearest first: with the rest held,
//! the program has at most the largest of [`SIZES`] variables.
//!
//! A table found is the known table with the neighbourhood replaced,
//! checked exactly over every row of the component; a search that finds
//! none proves nothing, and the caller goes on.

use std::time::Duration;

use cellbound_core::Count;

use crate::components::LocalRow;
use crate::lp::{self, Answer, INTEGER_LIMIT};
use crate::presolve::Intervals;

use super::solver::ComponentSolver;

/// The neighbourhoods tried, in variables, smallest first; a component
/// of no more variables than the first is left to its own integer
/// program, which is as cheap. A count, not a clock, decides what is
/// tried; the time below is only a cap.
const SIZES: [usize; 3] = [1_000, 1_500, 2_000];

/// The time one neighbourhood's integer program may take at most.
const NEIGHBOURHOOD_TIME: Duration = Duration::from_secs(5);

impl ComponentSolver<'_> {
    /// A verified table with `v` at `target`: the first table recorded,
    /// changed only in a neighbourhood of `v`, tried at each of [`SIZES`]
    /// smaller than the component. `None` when none was found or the
    /// component is small.
    pub(super) fn table_near(&mut self, v: usize, target: i128) -> Option<Vec<Count>> {
        self.table_near_in(v, target, &SIZES)
    }

    /// [`Self::table_near`] with neighbourhoods of `sizes` variables.
    pub(super) fn table_near_in(
        &mut self,
        v: usize,
        target: i128,
        sizes: &[usize],
    ) -> Option<Vec<Count>> {
        let n = self.bounds.lo.len();
        let center = self.center.clone()?;
        sizes.iter().filter(|&&size| size < n).find_map(|&size| {
            let near = self.nearest(v, size);
            self.table_on(&center, v, target, near)
        })
    }

    /// A verified table with `v` at `target`: the first table recorded,
    /// changed only near `support` (variables an LP moves to get there),
    /// in neighbourhoods of twice, eight and thirty-two times its size
    /// (at least 64, at most the largest of [`SIZES`] and one variable
    /// fewer than the component). `None` when none was found.
    pub(crate) fn table_around(
        &mut self,
        v: usize,
        target: i128,
        support: &[usize],
    ) -> Option<Vec<Count>> {
        let n = self.bounds.lo.len();
        let center = self.center.clone()?;
        let mut sources = support.to_vec();
        sources.push(v);
        sources.sort_unstable();
        sources.dedup();
        let mut sizes: Vec<usize> = [2, 8, 32]
            .iter()
            .map(|&k| {
                (k * sources.len())
                    .clamp(64, SIZES[SIZES.len() - 1])
                    .min(n - 1)
            })
            .filter(|&size| size >= sources.len())
            .collect();
        sizes.dedup();
        sizes.into_iter().find_map(|size| {
            let near = self.nearest_to(&sources, size);
            self.table_on(&center, v, target, near)
        })
    }

    /// A verified table with `v` at `target`: `center` with the variables
    /// `near` (in increasing order, `v` among them) free.
    fn table_on(
        &mut self,
        center: &[Count],
        v: usize,
        target: i128,
        near: Vec<usize>,
    ) -> Option<Vec<Count>> {
        let n = center.len();
        // Local numbers of the neighbourhood's variables.
        let mut local = vec![usize::MAX; n];
        for (i, &x) in near.iter().enumerate() {
            local[x] = i;
        }
        // Every active row, the variables held moved to its right-hand
        // side; a row left with none holds at the known table.
        let rows: Vec<LocalRow> = self
            .active
            .iter()
            .filter_map(|&r| {
                let row = &self.component.rows[r];
                let mut held = 0i128;
                let mut terms = Vec::new();
                for &(x, a) in &row.terms {
                    if local[x] == usize::MAX {
                        held += a as i128 * center[x] as i128;
                    } else {
                        terms.push((local[x], a));
                    }
                }
                (!terms.is_empty()).then(|| LocalRow {
                    terms,
                    op: row.op,
                    rhs: row.rhs - held,
                    origin: row.origin,
                })
            })
            .collect();
        // Integer programs need finite bounds within microlp's range:
        // those the LP allows, made finite once per component.
        self.prepare_integers().ok()?;
        let fits = |b: &Option<i128>| b.is_some_and(|b| b.abs() < INTEGER_LIMIT);
        let mut bounds = Intervals {
            lo: near.iter().map(|&x| self.bounds.lo[x]).collect(),
            hi: near.iter().map(|&x| self.bounds.hi[x]).collect(),
        };
        if !bounds.lo.iter().chain(&bounds.hi).all(fits) {
            return None;
        }
        // `v` at the target; any table there will do.
        bounds.lo[local[v]] = Some(target);
        bounds.hi[local[v]] = Some(target);
        let time = self
            .time_left()
            .map_or(NEIGHBOURHOOD_TIME, |t| t.min(NEIGHBOURHOOD_TIME));
        if time.is_zero() {
            return None;
        }
        self.programs += 1;
        let all: Vec<usize> = (0..rows.len()).collect();
        let seconds = time.as_secs_f64();
        let Ok(Answer::Point(p)) = lp::solve_within(&rows, &all, &bounds, None, true, seconds)
        else {
            return None;
        };
        let mut table: Vec<f64> = center.iter().map(|&x| x as f64).collect();
        for (i, &x) in near.iter().enumerate() {
            table[x] = p[i];
        }
        self.check(&table)
    }

    /// `v` and the `size - 1` variables nearest to it, breadth first over
    /// the active rows (each row's variables in order), in increasing
    /// order.
    pub(super) fn nearest(&self, v: usize, size: usize) -> Vec<usize> {
        self.nearest_to(&[v], size)
    }

    /// `sources` and the variables nearest to them, breadth first over
    /// the active rows, `size` in all (or `sources` alone when they are
    /// more), in increasing order.
    fn nearest_to(&self, sources: &[usize], size: usize) -> Vec<usize> {
        let mut order = self.breadth_first(sources, size);
        order.sort_unstable();
        order
    }

    /// `sources`, then the variables they reach over the active rows,
    /// breadth first, until `size` in all, in the order reached (see
    /// [`crate::components::Component::breadth_first`]).
    pub(super) fn breadth_first(&self, sources: &[usize], size: usize) -> Vec<usize> {
        self.component.breadth_first(&self.active, sources, size)
    }
}
