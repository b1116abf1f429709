//! Bounding one side of one variable: the tight bound of `v` in one
//! direction and a verified table reaching it. Cheapest first: a table
//! already at presolve's bound; the LP bound by warm probes (bisection
//! from the best table towards presolve's bound); on a large component,
//! a table near the first one ([`super::neighbourhood`]); a dive from the
//! LP vertex there; a table in offsets from that vertex rounded, a few units
//! around it ([`super::local`], where large values defeat the dive); a
//! branch and bound from the warm vertex; and only then a fresh integer
//! program.

use cellbound_core::Count;

use crate::error::SolveError;
use crate::lp::{Answer, Search, Sense, WarmLp};
use crate::reason::GaveUp;

use super::solver::{tolerance, ComponentSolver, WARM_SEARCH_NODES};

impl ComponentSolver<'_> {
    /// The tight bound of `v` in direction `sense` and the table reaching
    /// it, `None` when unbounded.
    pub(super) fn extreme(
        &mut self,
        v: usize,
        sense: Sense,
    ) -> Result<Option<(Count, usize)>, SolveError> {
        let presolved = match sense {
            Sense::Min => self.bounds.lo[v],
            Sense::Max => self.bounds.hi[v],
        };
        let (seen, id) = self.seen(v, sense);
        if presolved == Some(seen as i128) {
            return Ok(Some((seen, id)));
        }
        let (target, at_target, near) = match self.lp_bound(v, sense)? {
            Some(found) => found,
            None => return Ok(None),
        };
        let (seen, id) = self.seen(v, sense);
        if target == seen as i128 {
            return Ok(Some((seen, id)));
        }
        // On a large component, a table near a known one, found by a
        // small integer program, where the vertex's dive and search fail.
        if let Some(values) = self.table_near(v, target) {
            self.record(values);
            let (seen, id) = self.seen(v, sense);
            if target == seen as i128 {
                return Ok(Some((seen, id)));
            }
        }
        // The LP vertex at the bound is fractional: diving from it often
        // finds an integer table there, which settles the bound without
        // an integer program.
        if let Some(point) = at_target.and_then(|at| at.dive(self.bounds.lo.len(), self.deadline)) {
            if let Some(values) = self.check(&point) {
                self.record(values);
                let (seen, id) = self.seen(v, sense);
                if target == seen as i128 {
                    return Ok(Some((seen, id)));
                }
            }
        }
        // On large values the dive's floating point fails; in offsets
        // from the LP point rounded, every number is small.
        if let Some(values) = near.and_then(|p| self.local_table(&p, Some((v, target)))) {
            self.record(values);
            let (seen, id) = self.seen(v, sense);
            if target == seen as i128 {
                return Ok(Some((seen, id)));
            }
        }
        if let Some(found) = self.warm_search(v, sense, target) {
            return Ok(Some(found));
        }
        match self.integer_program(Some((v, sense)))? {
            (Answer::Point(p), capped) => {
                let values = self.check_integer(&p)?;
                self.record(values);
                let (best, id) = self.seen(v, sense);
                if capped && best as i128 != target {
                    return Err(SolveError::GaveUp(GaveUp::CapShortOfLp {
                        found: best,
                        lp_bound: target,
                    }));
                }
                Ok(Some((best, id)))
            }
            (Answer::Unbounded, _) => Ok(None),
            // A verified table satisfies the rows: the program's floating
            // point failed. The side keeps presolve's sound bound.
            (Answer::Infeasible | Answer::OutOfTime, _) => {
                Err(SolveError::GaveUp(GaveUp::ContradictedByTable))
            }
        }
    }

    /// The LP relaxation's bound on `v` in direction `sense`, rounded
    /// inward to an integer (`None`: unbounded), and, when probing found
    /// it, the LP vertex with `v` at that bound, and an LP point at or
    /// next to the bound. The bound bounds the integer optimum; every
    /// verified table met on the way is recorded.
    #[allow(clippy::type_complexity)]
    pub(super) fn lp_bound(
        &mut self,
        v: usize,
        sense: Sense,
    ) -> Result<Option<(i128, Option<WarmLp>, Option<Vec<f64>>)>, SolveError> {
        if let Some((bound, at)) = self.probe_bound(v, sense) {
            let near = at.as_ref().map(WarmLp::point);
            return Ok(Some((bound, at, near)));
        }
        let near;
        let z = match self.run(Some((v, sense)))? {
            Answer::Unbounded => return Ok(None),
            // Only a deadline stops an LP: the side keeps presolve's bound.
            Answer::OutOfTime => return Err(SolveError::GaveUp(GaveUp::TimeLimit)),
            Answer::Point(p) => {
                if let Some(values) = self.check(&p) {
                    self.record(values);
                }
                let z = p[v];
                near = Some(p);
                z
            }
            // As for the integer program above.
            Answer::Infeasible => return Err(SolveError::GaveUp(GaveUp::ContradictedByTable)),
        };
        let bound = match sense {
            Sense::Max => (z + tolerance(z)).floor(),
            Sense::Min => (z - tolerance(z)).ceil(),
        };
        Ok(Some((bound as i128, None, near)))
    }

    /// The LP bound found by probing the warm vertex: the relaxation's
    /// values of `v` form an interval, so the last integer value it can
    /// take, between the best verified table and presolve's bound, is
    /// found by bisection, one warm re-solve per step. Most cells settle
    /// in one probe: the value just past the best table is infeasible.
    /// `None` when there is no warm vertex, no presolve bound to bisect
    /// towards, or a probe failed (the caller then solves the LP).
    fn probe_bound(&mut self, v: usize, sense: Sense) -> Option<(i128, Option<WarmLp>)> {
        let limit = match sense {
            Sense::Min => self.bounds.lo[v],
            Sense::Max => self.bounds.hi[v],
        };
        let limit = limit?;
        self.warm_up();
        self.with_warm(|solver, warm| solver.bisect(warm, v, sense, limit))
    }

    fn bisect(
        &mut self,
        warm: &WarmLp,
        v: usize,
        sense: Sense,
        limit: i128,
    ) -> Option<(i128, Option<WarmLp>)> {
        // Steps count away from the best table: step k is the value
        // seen + k (max) or seen - k (min).
        let seen = self.seen(v, sense).0 as i128;
        let value = |k: i128| match sense {
            Sense::Max => seen + k,
            Sense::Min => seen - k,
        };
        let mut reached = 0; // feasible in the LP
        let mut reached_at: Option<WarmLp> = None;
        let mut beyond = (limit - seen).abs() + 1; // infeasible by presolve
        let mut next = 1;
        while beyond - reached > 1 {
            self.programs += 1;
            match warm.probe(v, value(next)) {
                Ok(Some(at)) => {
                    if let Some(values) = self.check(&at.point()) {
                        self.record(values);
                    }
                    let verified = (self.seen(v, sense).0 as i128 - seen).abs();
                    if verified > next {
                        (reached, reached_at) = (verified, None);
                    } else {
                        (reached, reached_at) = (next, Some(at));
                    }
                }
                Ok(None) => beyond = next,
                Err(_) => return None,
            }
            // After the first step, try presolve's bound itself: a cell
            // that can move at all often reaches it.
            next = if reached == 1 && next == 1 {
                beyond - 1
            } else {
                reached + (beyond - reached) / 2
            };
        }
        Some((value(reached), reached_at))
    }

    /// Settles the bound of `v` between the best table and the LP bound
    /// `target` by branch and bound from the warm vertex: is there an
    /// integer table with `v = target`? if not, one step back, and so on.
    /// `None` when a search gives up (the caller then runs an integer
    /// program).
    pub(super) fn warm_search(
        &mut self,
        v: usize,
        sense: Sense,
        target: i128,
    ) -> Option<(Count, usize)> {
        self.with_warm(|solver, warm| solver.search_from(warm, v, sense, target))
    }

    fn search_from(
        &mut self,
        warm: &WarmLp,
        v: usize,
        sense: Sense,
        target: i128,
    ) -> Option<(Count, usize)> {
        let stop = self.warm_search_stop();
        let mut t = target;
        while t != self.seen(v, sense).0 as i128 {
            self.programs += 1;
            // Within the LP's interval, so the LP has a point at `t`.
            let at = warm.probe(v, t).ok().flatten()?;
            match at.search(WARM_SEARCH_NODES, Some(stop)) {
                Search::Found(point) => {
                    let values = self.check(&point)?;
                    self.record(values);
                }
                // No integer table has `v = t`.
                Search::Exhausted => {
                    t = match sense {
                        Sense::Max => t - 1,
                        Sense::Min => t + 1,
                    }
                }
                Search::GaveUp => return None,
            }
        }
        Some(self.seen(v, sense))
    }
}
