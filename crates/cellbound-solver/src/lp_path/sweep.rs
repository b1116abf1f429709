//! A first table by a dive that sweeps the component in the order of its
//! rows (breadth first from its first variable), backing up when it
//! meets a dead end.
//!
//! On a protected cube (thousands of hidden cells linked through lines in
//! three directions), the LP vertex has over a thousand fractional
//! variables. The plain dive ([`crate::lp::WarmLp::dive`]) fixes the least
//! fractional one wherever it lies, and after some nine hundred fixes
//! scattered over the cube meets a variable that neither of its two
//! integers can take: the LP with the fixes so far, solved afresh, agrees
//! (docs/benchmarks.md, "Protected workloads"). Fixing in row order keeps
//! what conflicts close in the order too, so that undoing the last few
//! fixes clears a dead end. On a dead end at `v`, the sweep undoes the
//! last 1, 2, 4, ... fixes until a fresh LP with the rest admits `v` at
//! an integer, then fixes `v` ahead of every later fix, so that the next
//! backing up never undoes it.
//!
//! Every point returned is a candidate: the caller checks it exactly.

use crate::lp::{first_fractional, nearer_first, WarmLp};

use super::solver::ComponentSolver;

/// Dead ends the sweep backs up from at most before it gives up (each
/// costs a few fresh LPs).
const MAX_DEAD_ENDS: usize = 64;

impl ComponentSolver<'_> {
    /// An integer point of the LP relaxation from the warm vertex `warm`,
    /// fixing variables in row order; `None` when the sweep gives up
    /// (past [`MAX_DEAD_ENDS`] dead ends, a dead end at the first fix, or
    /// past the deadline). A candidate only: the caller checks it.
    pub(super) fn sweep(&self, warm: WarmLp) -> Option<Vec<f64>> {
        let order = self.row_order();
        let mut at = warm;
        // The fixes in force, those that must survive backing up first.
        let mut fixes: Vec<(usize, i128)> = Vec::new();
        let mut dead_ends = 0;
        loop {
            if self.out_of_time() {
                return None;
            }
            let point = at.point();
            let Some((v, x)) = first_fractional(&order, &point) else {
                return Some(point);
            };
            let values = nearer_first(x);
            let next = values
                .into_iter()
                .find_map(|t| Some((t, at.probe(v, t).ok().flatten()?)));
            if let Some((t, next)) = next {
                fixes.push((v, t));
                at = next;
                continue;
            }
            dead_ends += 1;
            if dead_ends > MAX_DEAD_ENDS {
                return None;
            }
            let (keep, t, next) = self.back_up(&fixes, v, values)?;
            fixes.truncate(keep);
            fixes.insert(0, (v, t));
            at = next;
        }
    }

    /// The longest prefix of `fixes` (shortened by 1, 2, 4, ... fixes)
    /// with which a fresh LP admits `v` at one of `values`: that prefix's
    /// length, the value and the LP's vertex. `None` when even no fix
    /// leaves `v` an integer, or past the deadline.
    pub(super) fn back_up(
        &self,
        fixes: &[(usize, i128)],
        v: usize,
        values: [i128; 2],
    ) -> Option<(usize, i128, WarmLp)> {
        let mut undo = 1;
        loop {
            let keep = fixes.len().saturating_sub(undo);
            let mut bounds = self.bounds.clone();
            for &(u, t) in &fixes[..keep] {
                bounds.lo[u] = Some(t);
                bounds.hi[u] = Some(t);
            }
            for t in values {
                if self.out_of_time() {
                    return None;
                }
                bounds.lo[v] = Some(t);
                bounds.hi[v] = Some(t);
                let fresh = WarmLp::new(
                    &self.component.rows,
                    &self.active,
                    &bounds,
                    self.time_left(),
                );
                if let Ok(Some(lp)) = fresh {
                    return Some((keep, t, lp));
                }
            }
            if keep == 0 {
                return None;
            }
            undo *= 2;
        }
    }

    /// Every variable once: breadth first over the active rows from the
    /// first (see [`Self::breadth_first`]), then any the rows in force do
    /// not reach, in order.
    fn row_order(&self) -> Vec<usize> {
        let n = self.bounds.lo.len();
        if n == 0 {
            return Vec::new();
        }
        let mut order = self.breadth_first(&[0], n);
        let mut reached = vec![false; n];
        for &v in &order {
            reached[v] = true;
        }
        order.extend((0..n).filter(|&v| !reached[v]));
        order
    }
}
