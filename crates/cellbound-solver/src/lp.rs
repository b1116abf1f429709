//! One linear or integer program over a component, through good_lp and its
//! pure-Rust microlp backend. Values come back as floats; nothing here is
//! trusted until [`crate::witness`] has checked it exactly.

use cellbound_core::Op;
use good_lp::{
    microlp, variable, Constraint, Expression, ProblemVariables, ResolutionError, Solution,
    SolutionStatus, SolverModel, Variable, WithTimeLimit,
};

use crate::components::LocalRow;
use crate::error::SolveError;
use crate::presolve::Intervals;
use crate::reason::GaveUp;

/// Which way to push a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    Min,
    Max,
}

/// The answer of one program.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// An optimal (or, without objective, feasible) point.
    Point(Vec<f64>),
    Infeasible,
    Unbounded,
    /// An integer program ran out of time before proving its answer.
    OutOfTime,
}

/// How long one integer program may run. Branch and bound can wander on
/// unbounded integer variables; an answer that is not proved is no answer.
pub const INTEGER_TIME_LIMIT: f64 = 60.0;

/// microlp keeps integer variables within i32; past it, it silently caps
/// them. An integer program is only run when every bound fits below this.
pub const INTEGER_LIMIT: i128 = i32::MAX as i128 - 1;

/// Programs with at least this many variables run on a thread of their
/// own when they have a time limit. microlp looks at its clock once every
/// thousand simplex iterations, which on a large program can be most of a
/// second past the limit; the caller stops waiting at the limit instead,
/// and the thread, stopped at microlp's next look, has its answer dropped.
pub(crate) const WATCHED_FROM: usize = 400;

/// How long past its limit a watched program is waited for.
const WATCH_SLACK: std::time::Duration = std::time::Duration::from_millis(20);

/// `solve()`, on a thread of its own when `limit` is set and the program
/// is `large`; `None` when the limit (and the slack) passed first, or the
/// thread could not be started.
pub(crate) fn watched<T: Send + 'static>(
    limit: Option<std::time::Duration>,
    large: bool,
    solve: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    match limit {
        Some(limit) if large => {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name("cellbound-lp".into())
                .spawn(move || {
                    // The receiver is gone when the caller stopped waiting.
                    let _ = tx.send(solve());
                })
                .ok()?;
            rx.recv_timeout(limit.saturating_add(WATCH_SLACK)).ok()
        }
        _ => Some(solve()),
    }
}

/// Solves `objective` over the rows `active` (indices into `rows`) within
/// `bounds`, over integers when `integer` is set (for at most
/// [`INTEGER_TIME_LIMIT`]).
pub fn solve(
    rows: &[LocalRow],
    active: &[usize],
    bounds: &Intervals,
    objective: Option<(usize, Sense)>,
    integer: bool,
) -> Result<Answer, SolveError> {
    solve_within(rows, active, bounds, objective, integer, INTEGER_TIME_LIMIT)
}

/// [`solve`], with an integer program stopped after `seconds`.
pub fn solve_within(
    rows: &[LocalRow],
    active: &[usize],
    bounds: &Intervals,
    objective: Option<(usize, Sense)>,
    integer: bool,
    seconds: f64,
) -> Result<Answer, SolveError> {
    let limit = integer.then_some(seconds);
    solve_limited(rows, active, bounds, objective, integer, limit)
}

/// An LP (no integers), stopped after `limit` when there is one
/// ([`Answer::OutOfTime`]).
pub fn solve_lp_within(
    rows: &[LocalRow],
    active: &[usize],
    bounds: &Intervals,
    objective: Option<(usize, Sense)>,
    limit: Option<std::time::Duration>,
) -> Result<Answer, SolveError> {
    let limit = limit.map(|t| t.as_secs_f64());
    solve_limited(rows, active, bounds, objective, false, limit)
}

/// The power of two an LP's values are divided by before microlp sees
/// them: large right-hand sides and limits (amounts in cents, counts in
/// the millions) make it call feasible programs infeasible (a cube whose
/// values were multiplied by 10^4 was), and a power of two divides them
/// exactly. Values up to 2^10 are left alone; the scale is at most 2^20,
/// so that an LP answer's error, multiplied back, stays far below the
/// quarter of a unit the bounds are rounded with. Integer programs are
/// never scaled (their values must stay whole).
pub(crate) fn scale_of(rows: &[LocalRow], active: &[usize], bounds: &Intervals) -> f64 {
    let largest = active
        .iter()
        .map(|&r| rows[r].rhs.unsigned_abs())
        .chain(
            bounds
                .lo
                .iter()
                .chain(&bounds.hi)
                .flatten()
                .map(|x| x.unsigned_abs()),
        )
        .max()
        .unwrap_or(0);
    let bits = 128 - largest.leading_zeros();
    let shift = bits.saturating_sub(10).min(20);
    (1u64 << shift) as f64
}

/// Past this magnitude (of a right-hand side or a bound), an integer
/// program's "infeasible" is not taken as proof that no table exists:
/// integer programs are never scaled, microlp's tolerances are absolute,
/// and it has called lines with values near 1e7 contradictory although
/// tables satisfied them (docs/benchmarks.md, "Magnitude tables: programs
/// in offsets").
pub const TRUSTED_INTEGER_MAGNITUDE: i128 = 1 << 20;

/// Whether every right-hand side of the rows `active` and every bound is
/// within [`TRUSTED_INTEGER_MAGNITUDE`].
pub(crate) fn small_numbers(rows: &[LocalRow], active: &[usize], bounds: &Intervals) -> bool {
    active
        .iter()
        .map(|&r| rows[r].rhs)
        .chain(bounds.lo.iter().chain(&bounds.hi).flatten().copied())
        .all(|x| x.abs() <= TRUSTED_INTEGER_MAGNITUDE)
}

fn solve_limited(
    rows: &[LocalRow],
    active: &[usize],
    bounds: &Intervals,
    objective: Option<(usize, Sense)>,
    integer: bool,
    limit: Option<f64>,
) -> Result<Answer, SolveError> {
    let n = bounds.lo.len();
    let scale = if integer {
        1.0
    } else {
        scale_of(rows, active, bounds)
    };
    let mut problem = ProblemVariables::new();
    let vars: Vec<Variable> = (0..n)
        .map(|i| {
            let mut def = variable();
            if let Some(l) = bounds.lo[i] {
                def = def.min(l as f64 / scale);
            }
            if let Some(h) = bounds.hi[i] {
                def = def.max(h as f64 / scale);
            }
            if integer {
                def = def.integer();
            }
            problem.add(def)
        })
        .collect();
    let objective_expr: Expression = match objective {
        Some((v, _)) => vars[v].into(),
        None => Expression::default(),
    };
    let unsolved = match objective {
        Some((_, Sense::Max)) => problem.maximise(objective_expr),
        _ => problem.minimise(objective_expr),
    };
    let mut model = unsolved.using(microlp);
    if let Some(seconds) = limit {
        model = model.with_time_limit(seconds);
    }
    for &r in active {
        let row = &rows[r];
        let mut lhs = Expression::with_capacity(row.terms.len());
        for &(v, c) in &row.terms {
            lhs.add_mul(c as f64, vars[v]);
        }
        model.add_constraint(constraint(lhs, row.op, row.rhs as f64 / scale));
    }
    let limit = limit.map(std::time::Duration::from_secs_f64);
    let Some(solved) = watched(limit, n >= WATCHED_FROM, move || model.solve()) else {
        return Ok(Answer::OutOfTime);
    };
    match solved {
        Ok(solution) if matches!(solution.status(), SolutionStatus::Optimal) => Ok(Answer::Point(
            vars.iter().map(|&v| solution.value(v) * scale).collect(),
        )),
        Ok(_) => Ok(Answer::OutOfTime),
        Err(ResolutionError::Infeasible) => Ok(Answer::Infeasible),
        Err(ResolutionError::Unbounded) => Ok(Answer::Unbounded),
        Err(ResolutionError::Other(m)) if m.starts_with("Time limit") => Ok(Answer::OutOfTime),
        Err(e) => Err(SolveError::Solver(e.to_string())),
    }
}

/// Any integer point of the rows `active` within `bounds` (every bound
/// finite and within [`INTEGER_LIMIT`]), no objective. Branch and bound
/// stops after `nodes` nodes, a count, so that the answer is the same on
/// any machine; `limit` is only a safety cap, far above what the nodes
/// take. [`Answer::OutOfTime`] when it stopped without a point.
///
/// Talks to microlp directly: good_lp does not expose microlp's node
/// limit.
pub fn integer_point(
    rows: &[LocalRow],
    active: &[usize],
    bounds: &Intervals,
    nodes: u64,
    limit: std::time::Duration,
) -> Result<Answer, SolveError> {
    use microlp::{OptimizationDirection, Problem, SolveOptions};
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    let mut vars = Vec::with_capacity(bounds.lo.len());
    for (lo, hi) in bounds.lo.iter().zip(&bounds.hi) {
        let (Some(lo), Some(hi)) = (*lo, *hi) else {
            return Err(SolveError::GaveUp(GaveUp::IntegerRange));
        };
        if lo.abs() >= INTEGER_LIMIT || hi.abs() >= INTEGER_LIMIT {
            return Err(SolveError::GaveUp(GaveUp::IntegerRange));
        }
        vars.push(problem.add_integer_var(0.0, (lo as i32, hi as i32)));
    }
    add_rows(&mut problem, rows, active, &vars, 1.0);
    let mut options = SolveOptions::default();
    options.node_limit = Some(nodes);
    options.time_limit = Some(limit);
    let large = vars.len() >= WATCHED_FROM;
    let solve = move || {
        problem.solve_with(options).map(|outcome| {
            outcome
                .into_solution()
                .ok()
                .map(|s| vars.iter().map(|&v| s.var_value(v)).collect::<Vec<f64>>())
        })
    };
    let Some(solved) = watched(Some(limit), large, solve) else {
        return Ok(Answer::OutOfTime);
    };
    match solved {
        Ok(Some(point)) => Ok(Answer::Point(point)),
        Ok(None) => Ok(Answer::OutOfTime),
        Err(microlp::Error::Infeasible) => Ok(Answer::Infeasible),
        Err(microlp::Error::Unbounded) => Ok(Answer::Unbounded),
        Err(e) => Err(SolveError::Solver(e.to_string())),
    }
}

/// The rows `active` as microlp constraints over `vars`, right-hand
/// sides divided by `scale`.
fn add_rows(
    problem: &mut microlp::Problem,
    rows: &[LocalRow],
    active: &[usize],
    vars: &[microlp::Variable],
    scale: f64,
) {
    for &r in active {
        let row = &rows[r];
        let terms: Vec<(microlp::Variable, f64)> = row
            .terms
            .iter()
            .map(|&(v, c)| (vars[v], c as f64))
            .collect();
        problem.add_constraint(terms.as_slice(), comparison(row.op), row.rhs as f64 / scale);
    }
}

/// `lhs op rhs` as a good_lp constraint.
pub(crate) fn constraint(lhs: Expression, op: Op, rhs: f64) -> Constraint {
    match op {
        Op::Eq => lhs.eq(rhs),
        Op::Le => lhs.leq(rhs),
        Op::Ge => lhs.geq(rhs),
    }
}

/// `op` for microlp, which [`WarmLp`] talks to directly.
pub(crate) fn comparison(op: Op) -> microlp::ComparisonOp {
    match op {
        Op::Eq => microlp::ComparisonOp::Eq,
        Op::Le => microlp::ComparisonOp::Le,
        Op::Ge => microlp::ComparisonOp::Ge,
    }
}

/// How far `x` is from the nearest integer.
fn fractionality(x: f64) -> f64 {
    (x - x.round()).abs()
}

/// The first of `order` whose value in `point` is not integral (beyond
/// 1e-6), with that value: where a dive in that order fixes next.
pub(crate) fn first_fractional(order: &[usize], point: &[f64]) -> Option<(usize, f64)> {
    order
        .iter()
        .map(|&v| (v, point[v]))
        .find(|&(_, x)| fractionality(x) > 1e-6)
}

/// The two integers next to `x`, the nearer first: the values a dive
/// tries for a fractional variable.
pub(crate) fn nearer_first(x: f64) -> [i128; 2] {
    let near = x.round() as i128;
    let far = if (near as f64) > x {
        near - 1
    } else {
        near + 1
    };
    [near, far]
}

/// The variables of a vertex that are not integral (beyond 1e-6), with
/// their values, in order.
fn fractional(point: &[f64]) -> impl Iterator<Item = (usize, f64)> + '_ {
    point
        .iter()
        .copied()
        .enumerate()
        .filter(|&(_, x)| fractionality(x) > 1e-6)
}

/// What [`WarmLp::search`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    /// A point with every variable integral (up to 1e-6), to be checked
    /// exactly by the caller.
    Found(Vec<f64>),
    /// Every branch is infeasible: no integer point (as far as the LP's
    /// floating point can tell, as for any branch and bound).
    Exhausted,
    GaveUp,
}

/// A feasible LP vertex kept warm, so that a question "can variable `v`
/// take the value `t`?" is a few dual simplex pivots from it instead of a
/// new program. A fresh program per objective costs a full phase 1 each
/// time, a probe a few pivots: orders of magnitude apart
/// (docs/benchmarks.md).
///
/// Talks to microlp directly: good_lp does not expose re-solving a
/// solution with one variable fixed.
#[derive(Clone)]
pub struct WarmLp {
    solution: microlp::Solution,
    vars: Vec<microlp::Variable>,
    /// What microlp's values are multiplied by to give the program's
    /// ([`scale_of`]).
    scale: f64,
}

impl WarmLp {
    /// Solves the rows `active` within `bounds` for any feasible point,
    /// giving up after `time_limit`; `None` when the LP relaxation has
    /// none.
    pub fn new(
        rows: &[LocalRow],
        active: &[usize],
        bounds: &Intervals,
        time_limit: Option<std::time::Duration>,
    ) -> Result<Option<Self>, SolveError> {
        Self::minimizing(rows, active, bounds, &[], time_limit)
    }

    /// As [`Self::new`], at a vertex minimizing `sum(costs[i] * x_i)`
    /// (missing costs are 0); every later probe keeps it minimal.
    pub fn minimizing(
        rows: &[LocalRow],
        active: &[usize],
        bounds: &Intervals,
        costs: &[f64],
        time_limit: Option<std::time::Duration>,
    ) -> Result<Option<Self>, SolveError> {
        use microlp::{OptimizationDirection, Problem};
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        if let Some(limit) = time_limit {
            problem.set_time_limit(limit);
        }
        let scale = scale_of(rows, active, bounds);
        let vars: Vec<microlp::Variable> = (0..bounds.lo.len())
            .map(|i| {
                let lo = bounds.lo[i].map_or(f64::NEG_INFINITY, |l| l as f64 / scale);
                let hi = bounds.hi[i].map_or(f64::INFINITY, |h| h as f64 / scale);
                problem.add_var(costs.get(i).copied().unwrap_or(0.0), (lo, hi))
            })
            .collect();
        add_rows(&mut problem, rows, active, &vars, scale);
        let large = vars.len() >= WATCHED_FROM;
        let Some(solved) = watched(time_limit, large, move || problem.solve()) else {
            return Err(SolveError::GaveUp(GaveUp::FirstLpTime));
        };
        match solved {
            Ok(outcome) => match outcome.into_solution() {
                Ok(solution) => Ok(Some(WarmLp {
                    solution,
                    vars,
                    scale,
                })),
                Err(_) => Err(SolveError::GaveUp(GaveUp::FirstLpTime)),
            },
            Err(microlp::Error::Infeasible) => Ok(None),
            Err(e) => Err(SolveError::Solver(e.to_string())),
        }
    }

    /// The current vertex.
    pub fn point(&self) -> Vec<f64> {
        self.vars
            .iter()
            .map(|&v| self.solution.var_value(v) * self.scale)
            .collect()
    }

    /// The vertex re-solved with variable `v` fixed at `t` (within its
    /// bounds), or `None` when no point of the LP relaxation has `v = t`.
    /// `self` is left as it was.
    pub fn probe(&self, v: usize, t: i128) -> Result<Option<WarmLp>, SolveError> {
        let t = t as f64 / self.scale;
        match self.solution.clone().fix_var(self.vars[v], t) {
            // microlp can refuse to fix a basic variable at the value it
            // already has, up to rounding (4.9999999999999964 fixed at 5
            // was called infeasible): asked as an added row, the question
            // gets the right answer. Adding a row costs a refactorization
            // (far more than a fix), so only that case is asked again; a value
            // away from the current one leaves a real ratio test.
            Err(microlp::Error::Infeasible)
                if ((self.solution.var_value(self.vars[v]) - t) * self.scale).abs() < 1e-6 =>
            {
                self.with_row(v, microlp::ComparisonOp::Eq, t * self.scale)
            }
            answer => self.resolved(answer),
        }
    }

    /// The vertex re-solved with `x_v <= k` (`up`: `x_v >= k`) added, or
    /// `None` when the LP relaxation has no such point.
    fn restrict(&self, v: usize, up: bool, k: f64) -> Result<Option<WarmLp>, SolveError> {
        let op = if up {
            microlp::ComparisonOp::Ge
        } else {
            microlp::ComparisonOp::Le
        };
        self.with_row(v, op, k)
    }

    /// The vertex re-solved with the row `x_v op k` added (`k` in the
    /// program's units).
    fn with_row(
        &self,
        v: usize,
        op: microlp::ComparisonOp,
        k: f64,
    ) -> Result<Option<WarmLp>, SolveError> {
        let term = [(self.vars[v], 1.0)];
        self.resolved(
            self.solution
                .clone()
                .add_constraint(&term[..], op, k / self.scale),
        )
    }

    /// A re-solve's answer as a warm vertex, `None` when infeasible.
    fn resolved(
        &self,
        answer: Result<microlp::SolveOutcome, microlp::Error>,
    ) -> Result<Option<WarmLp>, SolveError> {
        match answer {
            Ok(outcome) => match outcome.into_solution() {
                Ok(solution) => Ok(Some(WarmLp {
                    solution,
                    vars: self.vars.clone(),
                    scale: self.scale,
                })),
                Err(_) => Err(SolveError::Solver("the LP stopped before an answer".into())),
            },
            Err(microlp::Error::Infeasible) => Ok(None),
            Err(e) => Err(SolveError::Solver(e.to_string())),
        }
    }

    /// Branch and bound for any integer point of this LP, depth first
    /// from the warm vertex: each node branches on its most fractional
    /// variable (`x <= floor`, `x >= ceil`), the side nearer the LP value
    /// first, and re-solves warm, a few pivots instead of the fresh root
    /// LP an integer program through good_lp starts with. Gives up after
    /// `max_nodes` nodes or past `deadline`.
    pub fn search(&self, max_nodes: usize, deadline: Option<std::time::Instant>) -> Search {
        let mut stack = vec![self.clone()];
        let mut nodes = 0;
        while let Some(at) = stack.pop() {
            nodes += 1;
            if nodes > max_nodes || deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return Search::GaveUp;
            }
            let point = at.point();
            let Some((v, x)) =
                fractional(&point).max_by(|a, b| fractionality(a.1).total_cmp(&fractionality(b.1)))
            else {
                return Search::Found(point);
            };
            let (down, up) = (
                at.restrict(v, false, x.floor()),
                at.restrict(v, true, x.ceil()),
            );
            let (down, up) = match (down, up) {
                (Ok(d), Ok(u)) => (d, u),
                _ => return Search::GaveUp,
            };
            // Pushed last is explored first.
            let nearer_down = x - x.floor() < 0.5;
            let (first, second) = if nearer_down { (down, up) } else { (up, down) };
            stack.extend(second);
            stack.extend(first);
        }
        Search::Exhausted
    }

    /// Dives from this vertex towards an integer one: fixes the least
    /// fractional variable at its nearer integer (or, if the LP refuses,
    /// the farther), re-solves warm, and repeats. A heuristic: `None` when
    /// both roundings of some variable are infeasible or after
    /// `max_fixes` fixes or past `deadline`. The point returned is only a
    /// candidate until the caller has checked it exactly.
    pub fn dive(self, max_fixes: usize, deadline: Option<std::time::Instant>) -> Option<Vec<f64>> {
        let mut at = self;
        for _ in 0..max_fixes {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                return None;
            }
            let point = at.point();
            let Some((v, x)) =
                fractional(&point).min_by(|a, b| fractionality(a.1).total_cmp(&fractionality(b.1)))
            else {
                return Some(point);
            };
            at = nearer_first(x)
                .into_iter()
                .find_map(|t| at.probe(v, t).ok().flatten())?;
        }
        None
    }
}
