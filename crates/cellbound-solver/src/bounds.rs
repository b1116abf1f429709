//! Tight integer bounds for the variables of one component.
//!
//! Lines with two hidden cells are substituted away first ([`collapse`]).
//! Then, per variable and direction: presolve gives a sound bound; a
//! witness table that reaches it makes it final with no program solved.
//! Otherwise the LP relaxation gives a sound bound `z`, found by warm
//! probes from one LP vertex ([`WarmLp`]); an integer table reaching
//! `floor(z)` (for a max) proves it tight. Only when the LP vertex there is
//! fractional do a dive, a branch and bound from the warm vertex and,
//! failing both, a fresh integer program run. Every table used as proof
//! is checked exactly. When the solver gives up (an integer program past
//! its time or range), the side keeps presolve's sound bound, marked not
//! tight, and the run goes on.

use std::time::{Duration, Instant};

use cellbound_core::Count;
use rayon::prelude::*;

use crate::collapse::{self, Collapsed};
use crate::components::Component;
use crate::error::SolveError;
use crate::lattice::{self, Lattice};
use crate::lp::{self, Answer, Search, Sense, WarmLp, INTEGER_LIMIT};
use crate::presolve::{self, Box};
use crate::reason::{GaveUp, LatticeStop, Reason};
use crate::solved::ComponentBounds;
use crate::witness;

/// The least time the first table's LP and integer program get, even
/// past the caller's deadline: without a table there is no answer at all.
const FIRST_TABLE_MINIMUM: Duration = Duration::from_secs(1);

/// How long, and how many nodes, a warm branch and bound on one bound
/// may take at most before the fresh integer program takes over (see
/// `ComponentSolver::warm_search_stop`).
const WARM_SEARCH_TIME: Duration = Duration::from_secs(5);
const WARM_SEARCH_MIN: Duration = Duration::from_millis(50);
const WARM_SEARCH_NODES: usize = 20_000;

/// How long the integer program over the lattice's coordinates may run
/// (a few dozen integers: it takes well under a second when it works).
const LATTICE_PROGRAM_SECONDS: f64 = 10.0;

/// Reduced components with at least this many variables are bounded by
/// all threads at once (below it, one LP vertex per thread costs more
/// than it saves).
const PARALLEL_FROM: usize = 400;

/// Bound propagation passes before any LP.
const PRESOLVE_ROUNDS: usize = 200;

/// Either bounds, or `None` when no integer table satisfies the component.
/// Past `deadline`, the variables not yet solved keep presolve's bounds.
/// Lines with two hidden cells are substituted away first
/// ([`collapse`]); the reduced component's bounds and tables map back.
pub(crate) fn solve(
    component: &Component,
    keep_witnesses: bool,
    deadline: Option<Instant>,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Option<ComponentBounds>, SolveError> {
    let Some(collapsed) = collapse::collapse(component) else {
        return Ok(None);
    };
    // A root's bounds settle every cell tied to it.
    let mut tied = vec![0; collapsed.reduced.vars.len()];
    for a in &collapsed.alias {
        tied[a.root] += 1;
    }
    let root_done = |root: usize| done(tied[root]);
    match solve_reduced(&collapsed.reduced, keep_witnesses, deadline, &root_done)? {
        Some(reduced) => expand(component, &collapsed, reduced).map(Some),
        None => Ok(None),
    }
}

/// The bounds of the original component from those of its reduced one:
/// `x = root + c` keeps the root's bounds and tables, shifted; `x = c -
/// root` swaps them. Every table is checked against the original rows.
fn expand(
    component: &Component,
    collapsed: &Collapsed,
    reduced: ComponentBounds,
) -> Result<ComponentBounds, SolveError> {
    let fit = |x: i128| {
        Count::try_from(x)
            .map_err(|_| SolveError::Numerical("a substituted value passes 64 bits".into()))
    };
    let witnesses = reduced
        .witnesses
        .iter()
        .map(|w| {
            let values = collapsed
                .alias
                .iter()
                .map(|a| fit(a.value(w[a.root] as i128)))
                .collect::<Result<Vec<Count>, _>>()?;
            if component.admits(&values) {
                Ok(values)
            } else {
                Err(SolveError::Numerical(
                    "a table of the substituted lines fails the original ones".into(),
                ))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = ComponentBounds::empty(component.vars.len(), witnesses, reduced.programs);
    out.only_table = reduced.only_table;
    out.unproved = reduced.unproved;
    for a in &collapsed.alias {
        let (lo, hi) = (reduced.lower[a.root] as i128, reduced.upper[a.root]);
        let (lo_by, hi_by) = reduced.reached_by[a.root];
        if a.sign == 1 {
            out.lower.push(fit(a.value(lo))?);
            out.upper
                .push(hi.map(|h| fit(a.value(h as i128))).transpose()?);
            out.reached_by.push((lo_by, hi_by));
        } else {
            let hi = hi.ok_or_else(|| {
                SolveError::Numerical("a mirrored variable's root has no upper bound".into())
            })?;
            out.lower.push(fit(a.value(hi as i128))?);
            out.upper.push(Some(fit(a.value(lo))?));
            out.reached_by.push((hi_by, lo_by));
        }
        out.tight.push(reduced.tight[a.root]);
    }
    Ok(out)
}

fn solve_reduced(
    component: &Component,
    keep_witnesses: bool,
    deadline: Option<Instant>,
    var_done: &(dyn Fn(usize) + Sync),
) -> Result<Option<ComponentBounds>, SolveError> {
    let all: Vec<usize> = (0..component.rows.len()).collect();
    let Some(mut solver) = ComponentSolver::new(component, all, keep_witnesses) else {
        return Ok(None);
    };
    solver.deadline = deadline;
    let first = match solver.feasible_point() {
        Ok(Some(first)) => first,
        Ok(None) => return Ok(None),
        // No table, but no contradiction either: presolve's bounds are
        // still sound, and they are all that can be said.
        Err(SolveError::GaveUp(why)) => {
            let why = Reason::NoTable {
                why,
                lattice: solver.lattice_failed,
            };
            return Ok(Some(ComponentBounds::presolved(
                &solver.bounds,
                solver.programs,
                why,
            )));
        }
        Err(e) => return Err(e),
    };
    // On a large component, the lattice of the lines can show the table
    // the only one at once, where the LP path probes every variable: the
    // 40x35x30 cube's lines leave 4 integer coordinates.
    if !solver.lattice_tried && component.vars.len() >= PARALLEL_FROM {
        solver.search_lattice(&to_point(&first), None)?;
    }
    if solver.only_table {
        return Ok(Some(determined(solver, first, var_done)));
    }
    solver.record(first);
    let n = component.vars.len();
    let chunks = if n >= PARALLEL_FROM {
        rayon::current_num_threads().max(1)
    } else {
        1
    };
    bound_all(solver, chunks, deadline, var_done).map(Some)
}

/// Every variable determined by `table`, the only integer table.
fn determined(
    mut solver: ComponentSolver<'_>,
    table: Vec<Count>,
    var_done: &(dyn Fn(usize) + Sync),
) -> ComponentBounds {
    let n = table.len();
    solver.record(table.clone());
    let mut out = ComponentBounds::empty(n, std::mem::take(&mut solver.witnesses), solver.programs);
    out.upper = table.iter().map(|&x| Some(x)).collect();
    out.lower = table;
    out.tight = vec![true; n];
    out.reached_by = vec![(Some(0), Some(0)); n];
    out.only_table = true;
    for v in 0..n {
        var_done(v);
    }
    out
}

fn to_point(values: &[Count]) -> Vec<f64> {
    values.iter().map(|&x| x as f64).collect()
}

/// The bounds of every variable, from a solver holding a first table.
/// With `chunks > 1` the variables are shared out between threads, each
/// with its own copy of the solver (warm vertex and tables seen): the
/// bounds are the same whoever computes them, only the witness tables
/// differ.
fn bound_all(
    mut solver: ComponentSolver<'_>,
    chunks: usize,
    deadline: Option<Instant>,
    var_done: &(dyn Fn(usize) + Sync),
) -> Result<ComponentBounds, SolveError> {
    let n = solver.component.vars.len();
    let size = n.div_ceil(chunks.max(1)).max(1);
    let programs = std::mem::take(&mut solver.programs);
    let parts: Vec<Result<ComponentBounds, SolveError>> = (0..n.div_ceil(size))
        .into_par_iter()
        .map(|k| {
            let vars = (k * size)..((k + 1) * size).min(n);
            bound_range(solver.clone(), vars, deadline, var_done)
        })
        .collect();
    let mut out = ComponentBounds::empty(n, Vec::new(), programs);
    for part in parts {
        out.append(part?);
    }
    Ok(out)
}

/// The bounds of the variables `vars`, in order.
fn bound_range(
    mut solver: ComponentSolver<'_>,
    vars: std::ops::Range<usize>,
    deadline: Option<Instant>,
    var_done: &(dyn Fn(usize) + Sync),
) -> Result<ComponentBounds, SolveError> {
    let mut out = ComponentBounds::empty(vars.len(), Vec::new(), 0);
    let passed = || deadline.is_some_and(|d| Instant::now() >= d);
    for v in vars {
        // Each side on its own: one cut short keeps presolve's bound,
        // sound but not proved tight, and the other may still be tight.
        let mut side = |sense: Sense| -> Result<Option<Option<(Count, usize)>>, SolveError> {
            if passed() {
                return Ok(None);
            }
            match solver.extreme(v, sense) {
                Ok(found) => Ok(Some(found)),
                Err(SolveError::GaveUp(why)) => {
                    // Cut short by the caller's deadline, this proves
                    // nothing; short of it, the solver gave up.
                    if !passed() && out.unproved.is_none() {
                        out.unproved = Some(Reason::GaveUp(why));
                    }
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        };
        let lower = side(Sense::Min)?;
        let upper = side(Sense::Max)?;
        let fit = |x: i128| Count::try_from(x).expect("presolve stays within the counts");
        match (lower, upper) {
            (Some(lo), Some(hi)) => {
                let (lo, lo_w) = lo.expect("variables are bounded below");
                out.lower.push(lo);
                out.upper.push(hi.map(|(h, _)| h));
                out.tight.push(true);
                out.reached_by.push((Some(lo_w), hi.map(|(_, w)| w)));
            }
            (lower, upper) => {
                out.lower.push(match lower {
                    Some(Some((lo, _))) => lo,
                    _ => fit(solver.bounds.lo[v]),
                });
                out.upper.push(match upper {
                    Some(hi) => hi.map(|(h, _)| h),
                    None => solver.bounds.hi[v].map(fit),
                });
                out.tight.push(false);
                out.reached_by.push((None, None));
            }
        }
        var_done(v);
    }
    out.witnesses = solver.witnesses;
    out.programs = solver.programs;
    Ok(out)
}

/// Whether the `active` rows of a component admit an integer table, for
/// the search for a minimal conflict. When that cannot be settled (past
/// the integer solver's range or time), the answer is `true`: the line
/// then stays in the conflict, which stays a true conflict.
pub(crate) fn admits_some_table(
    component: &Component,
    active: &[usize],
) -> Result<bool, SolveError> {
    let Some(mut solver) = ComponentSolver::new(component, active.to_vec(), false) else {
        return Ok(false);
    };
    match solver.feasible_point() {
        Ok(found) => Ok(found.is_some()),
        Err(SolveError::GaveUp(_)) => Ok(true),
        Err(e) => Err(e),
    }
}

#[derive(Clone)]
struct ComponentSolver<'a> {
    component: &'a Component,
    /// The rows in force (all of them, but while explaining a conflict).
    active: Vec<usize>,
    /// Sound bounds from presolve.
    bounds: Box,
    /// Whether every variable's upper bound has been made finite where the
    /// LP allows it (integer programs need finite bounds).
    bounded_for_integers: bool,
    keep: bool,
    witnesses: Vec<Vec<Count>>,
    /// Per variable, the smallest and largest value seen in a verified
    /// table, with that table's index (0 when tables are not kept).
    seen_min: Vec<(Count, usize)>,
    seen_max: Vec<(Count, usize)>,
    programs: usize,
    /// How long the first LP took: what a fresh program's root costs.
    first_lp_time: Duration,
    /// Set once an integer program ran out of its time: the next ones,
    /// on the same hard lines, would very likely do the same, and a run
    /// must end while its user waits. Their sides keep presolve's bounds.
    integer_timed_out: bool,
    /// A feasible LP vertex of the active rows, kept for probing.
    warm: Option<WarmLp>,
    /// When the caller's time is up: the first LP, dives and integer
    /// programs stop there.
    deadline: Option<Instant>,
    /// Set when the lattice search proved the first table the only one:
    /// every variable is then determined.
    only_table: bool,
    /// Why the lattice search found no table, for the message when
    /// nothing else does either.
    lattice_failed: Option<LatticeStop>,
    /// Whether the lattice search has run (once is enough: the lines do
    /// not change).
    lattice_tried: bool,
}

impl<'a> ComponentSolver<'a> {
    /// `None` when presolve alone proves the active rows contradictory.
    fn new(component: &'a Component, active: Vec<usize>, keep: bool) -> Option<Self> {
        let mut bounds = Box::new(&component.lo, &component.hi);
        if bounds.is_empty()
            || presolve::propagate(&component.rows, &active, &mut bounds, PRESOLVE_ROUNDS).is_err()
        {
            return None;
        }
        let n = component.vars.len();
        Some(ComponentSolver {
            component,
            active,
            bounds,
            bounded_for_integers: false,
            keep,
            witnesses: Vec::new(),
            seen_min: vec![(Count::MAX, 0); n],
            seen_max: vec![(Count::MIN, 0); n],
            programs: 0,
            first_lp_time: Duration::ZERO,
            integer_timed_out: false,
            warm: None,
            deadline: None,
            only_table: false,
            lattice_failed: None,
            lattice_tried: false,
        })
    }

    /// Remembers a verified table: its values may already be some
    /// variables' bounds.
    fn record(&mut self, values: Vec<Count>) {
        let id = if self.keep { self.witnesses.len() } else { 0 };
        for (v, &x) in values.iter().enumerate() {
            if x < self.seen_min[v].0 {
                self.seen_min[v] = (x, id);
            }
            if x > self.seen_max[v].0 {
                self.seen_max[v] = (x, id);
            }
        }
        if self.keep {
            self.witnesses.push(values);
        }
    }

    fn seen(&self, v: usize, sense: Sense) -> (Count, usize) {
        match sense {
            Sense::Min => self.seen_min[v],
            Sense::Max => self.seen_max[v],
        }
    }

    /// The rounded point, if it satisfies the active rows and every
    /// domain exactly.
    fn check(&self, point: &[f64]) -> Option<Vec<Count>> {
        witness::round(point).filter(|values| self.holds(values))
    }

    /// Whether integer values satisfy the active rows and every domain,
    /// exactly.
    fn holds(&self, values: &[Count]) -> bool {
        let c = self.component;
        c.within_domains(values) && self.active.iter().all(|&r| c.rows[r].holds(values))
    }

    fn run(
        &mut self,
        objective: Option<(usize, Sense)>,
        integer: bool,
    ) -> Result<Answer, SolveError> {
        self.programs += 1;
        lp::solve(
            &self.component.rows,
            &self.active,
            &self.bounds,
            objective,
            integer,
        )
    }

    /// An integer program, once every variable the LP bounds has a finite
    /// upper bound (branch and bound can wander forever without one) and
    /// every bound fits microlp's i32 integers.
    fn integer_program(
        &mut self,
        objective: Option<(usize, Sense)>,
    ) -> Result<(Answer, bool), SolveError> {
        if !self.bounded_for_integers {
            for v in 0..self.bounds.hi.len() {
                if self.bounds.hi[v].is_none() {
                    if let Answer::Point(p) = self.run(Some((v, Sense::Max)), false)? {
                        // Rounded outward: still implied by the rows.
                        self.bounds.hi[v] = Some((p[v] + tolerance(p[v])).floor() as i128);
                    }
                }
            }
            self.bounded_for_integers = true;
        }
        // Cells the LP leaves unbounded get an artificial cap for the
        // search. A capped answer is still a true table, but only proves an
        // optimum when it reaches the LP's own bound, which the callers
        // check (`Capped`).
        let capped = self.bounds.hi.iter().any(Option::is_none);
        let mut search = self.bounds.clone();
        if capped {
            let largest = self
                .bounds
                .lo
                .iter()
                .chain(self.bounds.hi.iter().flatten())
                .chain(self.component.rows.iter().map(|r| &r.rhs))
                .map(|x| x.abs())
                .max()
                .unwrap_or(0);
            let cap = (4 * largest + 64).min(INTEGER_LIMIT - 1);
            for (hi, &lo) in search.hi.iter_mut().zip(&search.lo) {
                hi.get_or_insert(cap.max(lo));
            }
        }
        let fits = search.lo.iter().all(|&l| l.abs() < INTEGER_LIMIT)
            && search
                .hi
                .iter()
                .all(|h| h.is_some_and(|h| h.abs() < INTEGER_LIMIT));
        if !fits {
            return Err(SolveError::GaveUp(GaveUp::IntegerRange));
        }
        if self.integer_timed_out {
            return Err(SolveError::GaveUp(GaveUp::AfterEarlierTimeout));
        }
        self.programs += 1;
        // Past the deadline an integer program still gets a moment: the
        // first table needs one, and a cell's bound cut short falls back to
        // presolve's (see `solve_reduced`).
        let seconds = self.time_left().map_or(lp::INTEGER_TIME_LIMIT, |t| {
            t.max(FIRST_TABLE_MINIMUM)
                .as_secs_f64()
                .min(lp::INTEGER_TIME_LIMIT)
        });
        let answer = lp::solve_within(
            &self.component.rows,
            &self.active,
            &search,
            objective,
            true,
            seconds,
        )?;
        if answer == Answer::OutOfTime {
            self.integer_timed_out = true;
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
    fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Some integer table satisfying the active rows, or `None`.
    fn feasible_point(&mut self) -> Result<Option<Vec<Count>>, SolveError> {
        self.programs += 1;
        // Nothing can be said without a first table, so its LP gets a
        // moment even when the deadline has passed.
        let limit = self.time_left().map(|t| t.max(FIRST_TABLE_MINIMUM));
        let started = Instant::now();
        let Some(warm) = WarmLp::new(&self.component.rows, &self.active, &self.bounds, limit)?
        else {
            return Ok(None);
        };
        self.first_lp_time = started.elapsed();
        let point = warm.point();
        self.warm = Some(warm.clone());
        if let Some(values) = self.check(&point) {
            return Ok(Some(values));
        }
        // A fractional vertex: try diving to an integer one, then a
        // branch and bound from the warm vertex, before a fresh integer
        // program.
        if let Some(values) = warm
            .clone()
            .dive(point.len(), self.deadline)
            .and_then(|p| self.check(&p))
        {
            return Ok(Some(values));
        }
        // Where the dive fails, the integer tables may be few and far
        // apart, which the lattice of the lines shows directly. On a large
        // component that comes first: its warm branch and bound costs
        // seconds, its lattice often less (or nothing, past the dimensions
        // searched).
        let seconds = self.time_left().map_or(LATTICE_PROGRAM_SECONDS, |t| {
            t.as_secs_f64().min(LATTICE_PROGRAM_SECONDS)
        });
        let large = self.component.vars.len() >= PARALLEL_FROM;
        if large {
            if let Some(values) = self.search_lattice(&point, Some(seconds))? {
                return Ok(Some(values));
            }
        }
        match warm.search(WARM_SEARCH_NODES, Some(self.warm_search_stop())) {
            Search::Found(point) => {
                if let Some(values) = self.check(&point) {
                    return Ok(Some(values));
                }
            }
            // No integer table at all.
            Search::Exhausted => return Ok(None),
            Search::GaveUp => {}
        }
        if !large {
            if let Some(values) = self.search_lattice(&point, Some(seconds))? {
                return Ok(Some(values));
            }
        }
        match self.integer_program(None)?.0 {
            Answer::Point(p) => self.check_integer(&p).map(Some),
            _ => Ok(None),
        }
    }

    /// A table through the lattice of the lines (see [`lattice`]), setting
    /// `only_table` when it is shown the only one; `None` when the search
    /// finds none (and, with `seconds` `None`, when the table it finds is
    /// not shown the only one).
    fn search_lattice(
        &mut self,
        point: &[f64],
        seconds: Option<f64>,
    ) -> Result<Option<Vec<Count>>, SolveError> {
        self.programs += 1;
        self.lattice_tried = true;
        let found = lattice::search(
            self.component,
            &self.active,
            &self.bounds,
            point,
            seconds,
            self.deadline,
        )?;
        let values = match found {
            Lattice::Unique(values) => {
                self.only_table = true;
                values
            }
            Lattice::Found(values) => values,
            Lattice::Nothing(why) => {
                self.lattice_failed = Some(why);
                return Ok(None);
            }
        };
        if !self.holds(&values) {
            return Err(SolveError::Numerical(
                "the lattice's table fails the exact check".into(),
            ));
        }
        Ok(Some(values))
    }

    /// Like [`Self::check`] for an integer program's answer, where a
    /// point that fails is a solver fault, not a fractional vertex.
    fn check_integer(&self, point: &[f64]) -> Result<Vec<Count>, SolveError> {
        self.check(point).ok_or_else(|| {
            SolveError::Numerical(
                "the integer program returned a table that fails the exact check".into(),
            )
        })
    }

    /// The LP relaxation's bound on `v` in direction `sense`, rounded
    /// inward to an integer (`None`: unbounded), and, when probing found
    /// it, the LP vertex with `v` at that bound. The bound bounds the
    /// integer optimum; every verified table met on the way is recorded.
    fn lp_bound(
        &mut self,
        v: usize,
        sense: Sense,
    ) -> Result<Option<(i128, Option<WarmLp>)>, SolveError> {
        if let Some(found) = self.probe_bound(v, sense) {
            return Ok(Some(found));
        }
        let z = match self.run(Some((v, sense)), false)? {
            Answer::Unbounded => return Ok(None),
            Answer::Point(p) => {
                if let Some(values) = self.check(&p) {
                    self.record(values);
                }
                p[v]
            }
            Answer::Infeasible | Answer::OutOfTime => {
                return Err(SolveError::Numerical(
                    "the LP turned infeasible after a feasible table was found".into(),
                ))
            }
        };
        let bound = match sense {
            Sense::Max => (z + tolerance(z)).floor(),
            Sense::Min => (z - tolerance(z)).ceil(),
        };
        Ok(Some((bound as i128, None)))
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
            Sense::Min => Some(self.bounds.lo[v]),
            Sense::Max => self.bounds.hi[v],
        };
        let limit = limit?;
        self.with_warm(|solver, warm| solver.bisect(warm, v, sense, limit))
    }

    /// Runs `f` with the warm vertex lent out, as `record` inside it needs
    /// `self`; `None` when there is no warm vertex.
    fn with_warm<R>(&mut self, f: impl FnOnce(&mut Self, &WarmLp) -> Option<R>) -> Option<R> {
        let warm = self.warm.take()?;
        let found = f(self, &warm);
        self.warm = Some(warm);
        found
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

    /// When a warm branch and bound starting now must give up: after
    /// about what the fresh integer program's root LP would cost (twice
    /// the first LP's time, within 50 ms..5 s), so that on small
    /// components, where that LP is cheap, the search never costs more
    /// than it can save.
    fn warm_search_stop(&self) -> Instant {
        let budget = (2 * self.first_lp_time).clamp(WARM_SEARCH_MIN, WARM_SEARCH_TIME);
        let stop = Instant::now() + budget;
        self.deadline.map_or(stop, |d| d.min(stop))
    }

    /// Settles the bound of `v` between the best table and the LP bound
    /// `target` by branch and bound from the warm vertex: is there an
    /// integer table with `v = target`? if not, one step back, and so on.
    /// `None` when a search gives up (the caller then runs an integer
    /// program).
    fn warm_search(&mut self, v: usize, sense: Sense, target: i128) -> Option<(Count, usize)> {
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

    /// The tight bound of `v` in direction `sense` and the table reaching
    /// it, `None` when unbounded.
    fn extreme(&mut self, v: usize, sense: Sense) -> Result<Option<(Count, usize)>, SolveError> {
        let presolved = match sense {
            Sense::Min => Some(self.bounds.lo[v]),
            Sense::Max => self.bounds.hi[v],
        };
        let (seen, id) = self.seen(v, sense);
        if presolved == Some(seen as i128) {
            return Ok(Some((seen, id)));
        }
        let (target, at_target) = match self.lp_bound(v, sense)? {
            Some(found) => found,
            None => return Ok(None),
        };
        let (seen, id) = self.seen(v, sense);
        if target == seen as i128 {
            return Ok(Some((seen, id)));
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
            (Answer::Infeasible | Answer::OutOfTime, _) => Err(SolveError::Numerical(
                "the integer program turned infeasible after a feasible table was found".into(),
            )),
        }
    }
}

/// How far a float LP optimum may sit from the true one: rounding by more
/// only costs an integer program, never soundness.
fn tolerance(z: f64) -> f64 {
    (1e-6 * z.abs().max(1.0)).min(0.25)
}

/// The tight bound of local variable `v` over only the `active` rows of a
/// feasible component (`None`: unbounded), for finding which lines pin a
/// cell down.
pub(crate) fn bound_over(
    component: &Component,
    active: &[usize],
    v: usize,
    sense: Sense,
) -> Result<Option<Count>, SolveError> {
    let Some(mut solver) = ComponentSolver::new(component, active.to_vec(), false) else {
        return Err(SolveError::Numerical(
            "a part of a feasible system was found infeasible".into(),
        ));
    };
    let Some(first) = solver.feasible_point()? else {
        return Err(SolveError::Numerical(
            "a part of a feasible system was found infeasible".into(),
        ));
    };
    solver.record(first);
    Ok(solver.extreme(v, sense)?.map(|(b, _)| b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::LocalRow;
    use cellbound_core::Op;

    /// `a = 2c + 2d`, `a <= 7`: the LP reaches `a = 7` with `c + d` a
    /// half, no dive from there finds a table, and only an integer
    /// program proves the tight bound 6.
    fn even() -> Component {
        Component {
            vars: vec![0, 1, 2],
            rows: vec![LocalRow::of(&[(0, 1), (1, -2), (2, -2)], Op::Eq, 0)],
            lo: vec![0, 0, 0],
            hi: vec![Some(7), None, None],
        }
    }

    /// A solver over every row of `c`, holding a first table.
    fn started(c: &Component, keep: bool) -> ComponentSolver<'_> {
        let all: Vec<usize> = (0..c.rows.len()).collect();
        let mut solver = ComponentSolver::new(c, all, keep).unwrap();
        let first = solver.feasible_point().unwrap().unwrap();
        solver.record(first);
        solver
    }

    /// The largest component of a synthetic cube, substituted; `small`
    /// overrides the share of small cells.
    fn cube(dims: [usize; 3], seed: u64, small: Option<f64>) -> Component {
        use cellbound_core::synth::{Params, Shape, Synth};
        use cellbound_core::{LinearSystem, Rule};
        let mut params = Params::new(Shape::Cube { dims }, seed);
        if let Some(small) = small {
            params.small = small;
        }
        let model = Synth::generate(&params).model(false);
        let rule = Rule {
            open: true,
            ..Rule::default()
        };
        let system = LinearSystem::build(&model, rule).unwrap();
        let part = crate::components::split(&system)
            .into_iter()
            .max_by_key(|c| c.vars.len())
            .unwrap();
        collapse::collapse(&part).unwrap().reduced
    }

    /// microlp refused to fix a basic variable at the value it had up to
    /// rounding (4.9999999999999964 fixed at 5 on this cube was called
    /// infeasible, which made the tight upper bound 5 come out as 4). A
    /// probe at each variable's own rounded LP value must be feasible,
    /// and agree with a fresh LP.
    #[test]
    fn a_probe_at_the_value_a_variable_already_has_is_feasible() {
        let c = cube([12, 12, 12], 3, Some(0.3));
        let solver = started(&c, true);
        let warm = solver.warm.clone().unwrap();
        let all: Vec<usize> = (0..c.rows.len()).collect();
        let mut near = 0;
        for (v, x) in warm.point().into_iter().enumerate() {
            let t = x.round();
            assert!(
                warm.probe(v, t as i128).unwrap().is_some(),
                "variable {v} at {x} cannot be fixed at {t}"
            );
            if x != t && (x - t).abs() < 1e-9 {
                near += 1;
                let mut fixed = solver.bounds.clone();
                fixed.lo[v] = t as i128;
                fixed.hi[v] = Some(t as i128);
                assert!(matches!(
                    lp::solve(&c.rows, &all, &fixed, None, false).unwrap(),
                    Answer::Point(_)
                ));
            }
        }
        assert!(
            near > 0,
            "the case this test is about no longer occurs here"
        );
    }

    #[test]
    fn threads_share_the_variables_with_the_same_bounds() {
        threads_agree(&[
            ([8, 8, 8], 1, Some(0.3)),
            ([10, 8, 6], 2, Some(0.25)),
            ([20, 20, 20], 3, None),
        ]);
    }

    /// The cube that showed microlp's refusal (above) as a wrong bound:
    /// several minutes, so by hand (`cargo test --release -p
    /// cellbound-solver -- --ignored`).
    #[test]
    #[ignore]
    fn threads_agree_on_a_cube_with_many_integer_programs() {
        threads_agree(&[([12, 12, 12], 3, Some(0.3))]);
    }

    #[allow(clippy::type_complexity)]
    fn threads_agree(cases: &[([usize; 3], u64, Option<f64>)]) {
        for &(dims, seed, small) in cases {
            let c = cube(dims, seed, small);
            let run = |chunks: usize| {
                let solver = started(&c, true);
                bound_all(solver, chunks, None, &|_| {}).unwrap()
            };
            let one = run(1);
            assert!(one.tight.iter().all(|&t| t));
            for chunks in [2, 3, 7] {
                let shared = run(chunks);
                assert_eq!(
                    (&shared.lower, &shared.upper),
                    (&one.lower, &one.upper),
                    "{dims:?}"
                );
                assert_eq!(shared.tight, one.tight);
                // Each bound's table, renumbered across the threads, is
                // a table of the component reaching that bound.
                for (v, &(lo, hi)) in shared.reached_by.iter().enumerate() {
                    let lo = &shared.witnesses[lo.unwrap()];
                    assert!(c.admits(lo) && lo[v] == shared.lower[v]);
                    let hi = &shared.witnesses[hi.unwrap()];
                    assert!(c.admits(hi) && Some(hi[v]) == shared.upper[v]);
                }
            }
        }
    }

    /// On cubes the LP path solves on its own, the lattice calls a table
    /// the only one exactly when the LP path finds every variable
    /// determined, and its table is the LP path's.
    #[test]
    fn the_lattice_agrees_with_the_lp_path_on_cubes() {
        let (unique, open) = lattice_agrees(&[
            ([8, 8, 8], 1, Some(0.3)),
            ([8, 8, 8], 2, Some(0.4)),
            ([10, 8, 6], 2, Some(0.25)),
            ([10, 8, 6], 3, Some(0.3)),
            ([20, 20, 20], 3, None),
            ([20, 20, 20], 5, None),
            ([20, 20, 20], 7, None),
        ]);
        assert!(unique >= 2 && open >= 2, "unique {unique}, open {open}");
    }

    /// The same on many more cubes (`LATTICE_SEEDS` per shape, default
    /// 20): minutes, so by hand (`cargo test --release -p
    /// cellbound-solver -- --ignored`).
    #[test]
    #[ignore]
    fn the_lattice_agrees_with_the_lp_path_on_many_cubes() {
        let seeds: u64 = std::env::var("LATTICE_SEEDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20);
        let mut cases = Vec::new();
        for seed in 1..=seeds {
            cases.push(([8, 8, 8], seed, Some(0.3)));
            cases.push(([10, 8, 6], seed, Some(0.25)));
            cases.push(([9, 9, 7], seed, Some(0.2)));
            cases.push(([20, 20, 20], seed, None));
        }
        let (unique, open) = lattice_agrees(&cases);
        eprintln!(
            "{} cubes: {unique} unique, {open} not shown unique",
            cases.len()
        );
    }

    /// Runs both on each cube; the counts of tables shown the only one
    /// and of the others.
    #[allow(clippy::type_complexity)]
    fn lattice_agrees(cases: &[([usize; 3], u64, Option<f64>)]) -> (usize, usize) {
        let (mut unique, mut open) = (0, 0);
        for &(dims, seed, small) in cases {
            let c = cube(dims, seed, small);
            let solver = started(&c, false);
            if solver.only_table {
                // The lattice found the first table: no LP path to
                // compare with.
                continue;
            }
            let point = solver.warm.as_ref().unwrap().point();
            let all: Vec<usize> = (0..c.rows.len()).collect();
            let found =
                lattice::search(&c, &all, &solver.bounds, &point, Some(10.0), None).unwrap();
            let lp_path = bound_all(solver, 1, None, &|_| {}).unwrap();
            assert!(lp_path.tight.iter().all(|&t| t));
            let determined = (0..c.vars.len()).all(|v| Some(lp_path.lower[v]) == lp_path.upper[v]);
            match found {
                Lattice::Unique(table) => {
                    assert!(determined, "{dims:?} seed {seed}");
                    assert_eq!(table, lp_path.lower, "{dims:?} seed {seed}");
                    unique += 1;
                }
                Lattice::Found(table) => {
                    assert!(c.admits(&table));
                    open += 1;
                }
                // Past the dimensions searched: nothing claimed.
                Lattice::Nothing(why) => {
                    assert!(
                        matches!(why, LatticeStop::TooManyDimensions { .. }),
                        "{dims:?} seed {seed}: {why}"
                    );
                }
            }
        }
        (unique, open)
    }

    #[test]
    fn the_warm_search_and_an_integer_program_prove_what_the_lp_cannot() {
        let c = even();
        let mut solver = started(&c, false);
        // The LP bound is 7; the warm search proves 6 without a program.
        assert_eq!(solver.warm_search(0, Sense::Max, 7).map(|b| b.0), Some(6));
        assert_eq!(solver.extreme(0, Sense::Max).unwrap().map(|b| b.0), Some(6));
        let mut fresh = started(&c, false);
        match fresh.integer_program(Some((0, Sense::Max))).unwrap() {
            (Answer::Point(p), false) => assert_eq!(p[0].round(), 6.0),
            other => panic!("expected a table with a = 6, got {other:?}"),
        }
    }

    #[test]
    fn after_an_integer_program_times_out_the_next_are_not_started() {
        let c = even();
        let mut solver = started(&c, false);
        solver.integer_timed_out = true;
        match solver.integer_program(Some((0, Sense::Max))) {
            Err(SolveError::GaveUp(GaveUp::AfterEarlierTimeout)) => {}
            other => panic!("expected a skipped integer program, got {other:?}"),
        }
        // Bounds the LP or the warm search settle still come.
        assert_eq!(solver.extreme(1, Sense::Max).unwrap().map(|b| b.0), Some(3));
        assert_eq!(solver.extreme(0, Sense::Max).unwrap().map(|b| b.0), Some(6));
    }
}
