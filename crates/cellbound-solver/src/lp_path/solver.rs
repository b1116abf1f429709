//! The state of the LP path on one component, shared by its steps: the
//! rows in force, presolve's bounds, the tables seen, the warm LP vertex,
//! and where the integer programs and the lattice stand. Every table it
//! records has passed the exact check.

use std::time::{Duration, Instant};

use cellbound_core::Count;

use crate::components::Component;
use crate::error::SolveError;
use crate::lp::{self, Answer, Sense, WarmLp, INTEGER_LIMIT};
use crate::presolve::{self, Intervals};
use crate::reason::{GaveUp, LatticeStop};
use crate::witness;

/// How long past the caller's deadline the search for a first table may
/// still run: without a table, a component's feasibility is not settled,
/// and a small component's table costs microseconds. The grace ends at one
/// instant, the deadline plus this, for every component alike, so that
/// components reached late cannot add up their graces.
pub(super) const FIRST_TABLE_GRACE: Duration = Duration::from_millis(250);

/// How long, and how many nodes, a warm branch and bound on one bound
/// may take at most before the fresh integer program takes over (see
/// `ComponentSolver::warm_search_stop`).
const WARM_SEARCH_TIME: Duration = Duration::from_secs(5);
const WARM_SEARCH_MIN: Duration = Duration::from_millis(50);
pub(super) const WARM_SEARCH_NODES: usize = 20_000;

/// Branch-and-bound nodes a search for any table at or past a value may
/// take (a count, not a time: the same answer on any machine).
const PAST_NODES: u64 = 50;

/// Bound propagation passes before any LP.
const PRESOLVE_ROUNDS: usize = 200;

/// The smallest and largest value of one variable seen in a verified
/// table, each with that table's index (0 when tables are not kept).
#[derive(Debug, Clone, Copy)]
pub(super) struct Seen {
    pub(super) min: (Count, usize),
    pub(super) max: (Count, usize),
}

/// Where the integer programs stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Integers {
    /// None has run yet: the upper bounds the LP allows are not yet made
    /// finite (integer programs need finite bounds).
    Unprepared,
    /// Every upper bound the LP allows is finite.
    Ready,
    /// One ran out of its time: the next ones, on the same hard lines,
    /// would very likely do the same, and a run must end while its user
    /// waits. They are not started; their sides keep presolve's bounds.
    TimedOut,
}

/// What the lattice of the lines said about the component. It is searched
/// once at most: the lines do not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LatticeVerdict {
    NotTried,
    /// It found no table, for this reason.
    Nothing(LatticeStop),
    /// It found a table, possibly one of several.
    Table,
    /// It showed the table it found the only one: every variable is
    /// determined.
    OnlyTable,
}

#[derive(Clone)]
pub(super) struct ComponentSolver<'a> {
    pub(super) component: &'a Component,
    /// The rows in force (all of them, but while explaining a conflict).
    pub(super) active: Vec<usize>,
    /// Sound bounds from presolve (upper bounds made finite by the LP once
    /// integer programs need them).
    pub(super) bounds: Intervals,
    /// Whether verified tables are kept as witnesses.
    pub(super) keep: bool,
    pub(super) witnesses: Vec<Vec<Count>>,
    /// Per variable, the extremes seen in verified tables.
    pub(super) seen: Vec<Seen>,
    pub(super) programs: usize,
    /// How long the first LP took: what a fresh program's root costs.
    pub(super) first_lp_time: Duration,
    pub(super) integers: Integers,
    /// A feasible LP vertex of the active rows, kept for probing.
    pub(super) warm: Option<WarmLp>,
    /// Whether building the warm vertex was tried: the first-table search
    /// builds it; with a known first table, [`Self::warm_up`] does, once.
    pub(super) warm_tried: bool,
    /// The first verified table recorded: the known table a search near
    /// it starts from ([`super::neighbourhood`]).
    pub(super) center: Option<Vec<Count>>,
    /// When the caller's time is up: LPs, dives and integer programs stop
    /// there (while a first table is sought, at the end of its grace,
    /// [`FIRST_TABLE_GRACE`]).
    pub(super) deadline: Option<Instant>,
    pub(super) lattice: LatticeVerdict,
    /// Whether some right-hand side or bound passes 2^10, where LPs are
    /// scaled ([`lp::scale_of`]): microlp's floating point strains there
    /// (on a cube times 10^4, its integer programs took 2 s and 1.4 GiB
    /// where the search in offsets took 0.5 s), and the search in offsets
    /// ([`super::local`]) is tried.
    pub(super) large_values: bool,
}

impl<'a> ComponentSolver<'a> {
    /// `None` when presolve alone proves the active rows contradictory.
    pub(super) fn new(component: &'a Component, active: Vec<usize>, keep: bool) -> Option<Self> {
        let mut bounds = Intervals::new(&component.lo, &component.hi);
        if bounds.is_empty()
            || presolve::propagate(&component.rows, &active, &mut bounds, PRESOLVE_ROUNDS).is_err()
        {
            return None;
        }
        let n = component.vars.len();
        let large_values = lp::scale_of(&component.rows, &active, &bounds) > 1.0;
        Some(ComponentSolver {
            component,
            active,
            bounds,
            keep,
            witnesses: Vec::new(),
            seen: vec![
                Seen {
                    min: (Count::MAX, 0),
                    max: (Count::MIN, 0),
                };
                n
            ],
            programs: 0,
            first_lp_time: Duration::ZERO,
            integers: Integers::Unprepared,
            warm: None,
            warm_tried: false,
            center: None,
            deadline: None,
            lattice: LatticeVerdict::NotTried,
            large_values,
        })
    }

    /// Remembers a verified table: its values may already be some
    /// variables' bounds.
    pub(super) fn record(&mut self, values: Vec<Count>) {
        if self.center.is_none() {
            self.center = Some(values.clone());
        }
        let id = if self.keep { self.witnesses.len() } else { 0 };
        for (seen, &x) in self.seen.iter_mut().zip(&values) {
            if x < seen.min.0 {
                seen.min = (x, id);
            }
            if x > seen.max.0 {
                seen.max = (x, id);
            }
        }
        if self.keep {
            self.witnesses.push(values);
        }
    }

    /// The most extreme value of `v` in direction `sense` seen in a
    /// verified table, and that table's index.
    pub(super) fn seen(&self, v: usize, sense: Sense) -> (Count, usize) {
        match sense {
            Sense::Min => self.seen[v].min,
            Sense::Max => self.seen[v].max,
        }
    }

    /// The rounded point, if it satisfies the active rows and every
    /// domain exactly.
    pub(super) fn check(&self, point: &[f64]) -> Option<Vec<Count>> {
        witness::round(point).filter(|values| self.holds(values))
    }

    /// Whether integer values satisfy the active rows and every domain,
    /// exactly.
    pub(super) fn holds(&self, values: &[Count]) -> bool {
        let c = self.component;
        c.within_domains(values) && self.active.iter().all(|&r| c.rows[r].holds(values))
    }

    /// An LP over the active rows, stopped at the deadline
    /// ([`Answer::OutOfTime`]).
    pub(super) fn run(&mut self, objective: Option<(usize, Sense)>) -> Result<Answer, SolveError> {
        self.programs += 1;
        lp::solve_lp_within(
            &self.component.rows,
            &self.active,
            &self.bounds,
            objective,
            self.time_left(),
        )
    }

    /// An integer program, once every variable the LP bounds has a finite
    /// upper bound (branch and bound can wander forever without one) and
    /// every bound fits microlp's i32 integers.
    pub(super) fn integer_program(
        &mut self,
        objective: Option<(usize, Sense)>,
    ) -> Result<(Answer, bool), SolveError> {
        self.integer_program_past(objective, None)
    }

    /// Makes every bound the LP allows finite (an LP per open side), as
    /// integer programs need; once per component.
    pub(super) fn prepare_integers(&mut self) -> Result<(), SolveError> {
        if self.integers != Integers::Unprepared {
            return Ok(());
        }
        for v in 0..self.bounds.hi.len() {
            for sense in [Sense::Max, Sense::Min] {
                let open = match sense {
                    Sense::Max => self.bounds.hi[v].is_none(),
                    Sense::Min => self.bounds.lo[v].is_none(),
                };
                if !open {
                    continue;
                }
                match self.run(Some((v, sense)))? {
                    // Rounded outward: still implied by the rows.
                    Answer::Point(p) => {
                        let t = tolerance(p[v]);
                        match sense {
                            Sense::Max => self.bounds.hi[v] = Some((p[v] + t).floor() as i128),
                            Sense::Min => self.bounds.lo[v] = Some((p[v] - t).ceil() as i128),
                        }
                    }
                    // Left unprepared, for a later call with time.
                    Answer::OutOfTime => return Err(SolveError::GaveUp(GaveUp::TimeLimit)),
                    Answer::Infeasible | Answer::Unbounded => {}
                }
            }
        }
        self.integers = Integers::Ready;
        Ok(())
    }

    /// [`Self::integer_program`] with one variable held at or past a
    /// value: `(v, Sense::Max, x)` asks for `v >= x`, `Sense::Min` for
    /// `v <= x` (a table reaching a requirement, not the bound).
    pub(super) fn integer_program_past(
        &mut self,
        objective: Option<(usize, Sense)>,
        past: Option<(usize, Sense, i128)>,
    ) -> Result<(Answer, bool), SolveError> {
        // Any table at or past a value, no objective: the caps below serve
        // it (a point found is a true table), without an LP per open bound
        // first, and it is searched by nodes (see `PAST_NODES`).
        let any_table = past.is_some() && objective.is_none();
        if !any_table {
            self.prepare_integers()?;
        }
        // Cells the LP leaves unbounded get an artificial cap for the
        // search. A capped answer is still a true table, but only proves an
        // optimum when it reaches the LP's own bound, which the callers
        // check (`Capped`).
        let capped = self
            .bounds
            .hi
            .iter()
            .chain(&self.bounds.lo)
            .any(Option::is_none);
        let mut search = self.bounds.clone();
        if capped {
            let largest = self
                .bounds
                .lo
                .iter()
                .flatten()
                .chain(self.bounds.hi.iter().flatten())
                .chain(self.component.rows.iter().map(|r| &r.rhs))
                .map(|x| x.abs())
                .max()
                .unwrap_or(0);
            let cap = (4 * largest + 64).min(INTEGER_LIMIT - 1);
            for (hi, lo) in search.hi.iter_mut().zip(search.lo.iter_mut()) {
                let l = *lo.get_or_insert(-cap.max(hi.map_or(0, |h| -h)));
                hi.get_or_insert(cap.max(l));
            }
        }
        if let Some((v, sense, x)) = past {
            match sense {
                Sense::Max => search.lo[v] = Some(search.lo[v].map_or(x, |l| l.max(x))),
                Sense::Min => search.hi[v] = Some(search.hi[v].map_or(x, |h| h.min(x))),
            }
        }
        let fits = search
            .lo
            .iter()
            .all(|l| l.is_some_and(|l| l.abs() < INTEGER_LIMIT))
            && search
                .hi
                .iter()
                .all(|h| h.is_some_and(|h| h.abs() < INTEGER_LIMIT));
        if !fits {
            return Err(SolveError::GaveUp(GaveUp::IntegerRange));
        }
        if self.integers == Integers::TimedOut {
            return Err(SolveError::GaveUp(GaveUp::AfterEarlierTimeout));
        }
        // Past the deadline none is started: a cell's bound cut short
        // keeps presolve's (see `lp_path::bound_range`).
        if self.out_of_time() {
            return Err(SolveError::GaveUp(GaveUp::TimeLimit));
        }
        self.programs += 1;
        let seconds = self.time_left().map_or(lp::INTEGER_TIME_LIMIT, |t| {
            t.as_secs_f64().min(lp::INTEGER_TIME_LIMIT)
        });
        let rows = &self.component.rows;
        let answer = if any_table {
            let limit = Duration::from_secs_f64(seconds);
            lp::integer_point(rows, &self.active, &search, PAST_NODES, limit)?
        } else {
            lp::solve_within(rows, &self.active, &search, objective, true, seconds)?
        };
        // A search by nodes that ends without a table is no sign that the
        // next program would run out of time.
        if answer == Answer::OutOfTime && !any_table {
            self.integers = Integers::TimedOut;
        }
        match answer {
            Answer::OutOfTime => Err(SolveError::GaveUp(GaveUp::IntegerTime {
                unknowns: self.bounds.lo.len(),
                limit: Duration::from_secs_f64(seconds),
            })),
            Answer::Infeasible if capped => Err(SolveError::GaveUp(GaveUp::NothingBelowCap)),
            answer => Ok((answer, capped)),
        }
    }

    /// The time left before the deadline (`None`: no deadline; zero once
    /// it has passed).
    pub(super) fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Whether the deadline has passed.
    pub(super) fn out_of_time(&self) -> bool {
        self.time_left() == Some(Duration::ZERO)
    }

    /// Like [`Self::check`] for an integer program's answer, where a
    /// point that fails is a solver fault, not a fractional vertex.
    pub(super) fn check_integer(&self, point: &[f64]) -> Result<Vec<Count>, SolveError> {
        self.check(point).ok_or_else(|| {
            SolveError::Numerical(
                "the integer program returned a table that fails the exact check".into(),
            )
        })
    }

    /// Builds the warm vertex when none was built: a component whose first
    /// table was known (an audit's truth) skips the first-table search,
    /// which builds it, and without it every bound would be a fresh LP.
    /// Left without one when the LP runs out of time or fails: the sides
    /// then solve their own LPs.
    pub(super) fn warm_up(&mut self) {
        if self.warm_tried {
            return;
        }
        self.warm_tried = true;
        self.programs += 1;
        let started = Instant::now();
        let limit = self.time_left();
        if let Ok(Some(warm)) = WarmLp::new(&self.component.rows, &self.active, &self.bounds, limit)
        {
            self.first_lp_time = started.elapsed();
            self.warm = Some(warm);
        }
    }

    /// Runs `f` with the warm vertex lent out, as `record` inside it needs
    /// `self`; `None` when there is no warm vertex.
    pub(super) fn with_warm<R>(
        &mut self,
        f: impl FnOnce(&mut Self, &WarmLp) -> Option<R>,
    ) -> Option<R> {
        let warm = self.warm.take()?;
        let found = f(self, &warm);
        self.warm = Some(warm);
        found
    }

    /// When a warm branch and bound starting now must give up: after
    /// about what the fresh integer program's root LP would cost (twice
    /// the first LP's time, within 50 ms..5 s), so that on small
    /// components, where that LP is cheap, the search never costs more
    /// than it can save.
    pub(super) fn warm_search_stop(&self) -> Instant {
        let budget = (2 * self.first_lp_time).clamp(WARM_SEARCH_MIN, WARM_SEARCH_TIME);
        let stop = Instant::now() + budget;
        self.deadline.map_or(stop, |d| d.min(stop))
    }
}

/// How far a float LP optimum may sit from the true one: rounding by more
/// only costs an integer program, never soundness.
pub(super) fn tolerance(z: f64) -> f64 {
    (1e-6 * z.abs().max(1.0)).min(0.25)
}
