//! A table next to an LP vertex, searched for in offsets from the vertex
//! rounded. microlp's tolerances are absolute: on a magnitude table,
//! where cells reach 1e9, its dive and branch and bound from the vertex
//! fail, and its integer programs (never scaled: their values must stay
//! whole) call feasible programs infeasible (docs/benchmarks.md,
//! "Magnitude tables: programs in offsets"). Written in offsets `z = x -
//! r` from the vertex rounded, `r`, the same lines have right-hand sides
//! of a few units (what rounding broke), and within a box of a few
//! thousand units around `r` every number microlp sees is small. Any
//! table found there is `r + z`, checked exactly like any other; a search
//! that finds none proves nothing, and the caller goes on.

use std::time::{Duration, Instant};

use cellbound_core::Count;

use crate::components::LocalRow;
use crate::lp::{Search, WarmLp};
use crate::presolve::Intervals;

use super::solver::ComponentSolver;

/// How far from the rounded vertex each cell may move, tried in turn: a
/// narrow box keeps the branch and bound short (on a 3-D magnitude table,
/// one unit either way found every table within 40 ms, where a box of
/// 4,096 units ran past 2 s on some), a wider one reaches tables the
/// narrow ones miss.
const RADII: [i128; 3] = [1, 16, 1 << 12];

/// How long the search may take, all radii together; each radius gets an
/// equal share of what is left.
const LOCAL_TIME: Duration = Duration::from_secs(2);

impl ComponentSolver<'_> {
    /// An integer table next to `near` (an LP point), with `v` at `t` when
    /// `fixed` is `Some((v, t))`, checked exactly; `None` when none was
    /// found, or on a component of small values, where the searches from
    /// the vertex itself work and this one would only cost time.
    pub(super) fn local_table(
        &mut self,
        near: &[f64],
        fixed: Option<(usize, i128)>,
    ) -> Option<Vec<Count>> {
        let n = self.bounds.lo.len();
        if !self.large_values || near.len() != n || near.iter().any(|x| !x.is_finite()) {
            return None;
        }
        // The point rounded, within presolve's bounds.
        let mut center: Vec<i128> = near
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let mut r = x.round().clamp(-1e18, 1e18) as i128;
                if let Some(h) = self.bounds.hi[i] {
                    r = r.min(h);
                }
                if let Some(l) = self.bounds.lo[i] {
                    r = r.max(l);
                }
                r
            })
            .collect();
        if let Some((v, t)) = fixed {
            center[v] = t;
        }
        // The same lines in offsets from the center: exact, in i128.
        let rows: Vec<LocalRow> = self
            .active
            .iter()
            .map(|&r| {
                let row = &self.component.rows[r];
                let at: i128 = row.terms.iter().map(|&(v, c)| c as i128 * center[v]).sum();
                LocalRow {
                    terms: row.terms.clone(),
                    op: row.op,
                    rhs: row.rhs - at,
                    origin: row.origin,
                }
            })
            .collect();
        let stop = Instant::now() + LOCAL_TIME;
        let stop = self.deadline.map_or(stop, |d| d.min(stop));
        for (k, &radius) in RADII.iter().enumerate() {
            let now = Instant::now();
            if now >= stop {
                return None;
            }
            let share = stop.saturating_duration_since(now) / (RADII.len() - k) as u32;
            if let Some(values) = self.in_box(&rows, &center, fixed, radius, now + share) {
                return Some(values);
            }
        }
        None
    }

    /// A table `center + z` with every offset `z` within `radius` (and
    /// presolve's bounds), found before `stop`.
    fn in_box(
        &mut self,
        rows: &[LocalRow],
        center: &[i128],
        fixed: Option<(usize, i128)>,
        radius: i128,
        stop: Instant,
    ) -> Option<Vec<Count>> {
        let n = center.len();
        let mut bounds = Intervals {
            lo: (0..n)
                .map(|i| {
                    let l = self.bounds.lo[i].map_or(-radius, |l| (l - center[i]).max(-radius));
                    Some(l)
                })
                .collect(),
            hi: (0..n)
                .map(|i| {
                    let h = self.bounds.hi[i].map_or(radius, |h| (h - center[i]).min(radius));
                    Some(h)
                })
                .collect(),
        };
        if let Some((v, _)) = fixed {
            bounds.lo[v] = Some(0);
            bounds.hi[v] = Some(0);
        }
        // A right-hand side no box this wide can meet.
        let reach = |r: &LocalRow| -> i128 {
            r.terms
                .iter()
                .map(|&(_, c)| radius.saturating_mul(c.unsigned_abs() as i128))
                .fold(0, i128::saturating_add)
        };
        if rows.iter().any(|r| r.rhs.abs() > reach(r)) {
            return None;
        }
        let left = || stop.saturating_duration_since(Instant::now());
        let back = |z: &[f64]| -> Option<Vec<Count>> {
            let z = crate::witness::round(z)?;
            z.iter()
                .zip(center)
                .map(|(&d, &r)| Count::try_from(r + d as i128).ok())
                .collect()
        };
        let all: Vec<usize> = (0..rows.len()).collect();
        self.programs += 1;
        let warm = WarmLp::new(rows, &all, &bounds, Some(left()))
            .ok()
            .flatten()?;
        // Cheapest first: the vertex, a dive, a branch and bound.
        let table = |p: Option<Vec<f64>>| p.and_then(|p| back(&p)).filter(|t| self.holds(t));
        table(Some(warm.point()))
            .or_else(|| table(warm.clone().dive(n, Some(stop))))
            .or_else(|| match warm.search(usize::MAX, Some(stop)) {
                Search::Found(p) => table(Some(p)),
                Search::Exhausted | Search::GaveUp => None,
            })
    }
}
