//! From a continuous target to an integer table of the component: the
//! table nearest the target in L1 within every cell's tight interval,
//! found by one LP (integral whenever the lines form a network, as two-way
//! tables with their margins do), else by an integer program, else by the
//! solver's own search for a first table. Every table returned has passed
//! the exact check of every line and interval.

use std::time::{Duration, Instant};

use cellbound_core::{Count, Op};
use microlp::{ComparisonOp, OptimizationDirection, Problem};

use crate::components::Component;
use crate::error::SolveError;
use crate::lp::INTEGER_LIMIT;
use crate::lp_path;
use crate::witness;

/// What "nearest" means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Distance<'a> {
    /// `sum |x - t|`.
    L1,
    /// `sum (x - t)^2 / w`, over the integers: each cell's cost is
    /// piecewise linear between consecutive integers near its target
    /// ([`SQUARE_STEPS`] on each side), then linear.
    Squares(&'a [f64]),
}

/// Unit steps priced exactly on each side of a target under
/// [`Distance::Squares`]; past them each unit costs as the last one.
const SQUARE_STEPS: i128 = 4;

/// How the table was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rounded {
    /// The table nearest the target (in L1 distance, each cell's cost
    /// piecewise linear between the integers around its target).
    Nearest,
    /// The nearest table was out of reach (a fractional LP vertex and an
    /// integer program past its time): the solver's first table within
    /// the tight intervals stands in.
    Search,
}

/// Longest an integer program on one component may take before the
/// solver's search takes over.
const INTEGER_PROGRAM_TIME: Duration = Duration::from_secs(10);

/// The integer table within `lo..=hi` nearest `target` in L1 that
/// satisfies every line of `part`, or `None` when none was found in time.
pub(super) fn nearest(
    part: &Component,
    lo: &[Count],
    hi: &[Option<Count>],
    target: &[f64],
    distance: Distance<'_>,
    deadline: Option<Instant>,
) -> Result<Option<(Vec<Count>, Rounded)>, SolveError> {
    for integer in [false, true] {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if integer && left.is_some_and(|l| l.is_zero()) {
            break;
        }
        let limit = match left {
            Some(l) if integer => l.min(INTEGER_PROGRAM_TIME),
            Some(l) => l.max(Duration::from_millis(100)),
            None if integer => INTEGER_PROGRAM_TIME,
            None => Duration::MAX,
        };
        if let Some(table) = solve(part, lo, hi, target, distance, integer, limit)? {
            return Ok(Some((table, Rounded::Nearest)));
        }
    }
    // The solver's own search, within the tight intervals.
    let mut boxed = part.clone();
    boxed.lo = lo.to_vec();
    boxed.hi = hi.to_vec();
    Ok(lp_path::some_table(&boxed, deadline)?
        .filter(|t| part.admits(t) && boxed.within_domains(t))
        .map(|t| (t, Rounded::Search)))
}

/// One program: the L1 distance to `target`, as `x = f + s + p - n` with
/// `f` the integer below the target, `0 <= s <= 1` costing `1 - 2 frac`
/// per unit, and `p`, `n` costing 1. The cost is convex with integer
/// breakpoints, so on a network the LP's vertex is integral.
fn solve(
    part: &Component,
    lo: &[Count],
    hi: &[Option<Count>],
    target: &[f64],
    distance: Distance<'_>,
    integer: bool,
    limit: Duration,
) -> Result<Option<Vec<Count>>, SolveError> {
    let n = part.vars.len();
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    if limit != Duration::MAX {
        problem.set_time_limit(limit);
    }
    let mut floor = vec![0i128; n];
    // The program's variables of each cell, with their sign in x.
    let mut parts: Vec<Vec<(microlp::Variable, f64)>> = vec![Vec::new(); n];
    for i in 0..n {
        let l = lo[i] as i128;
        let h = hi[i].map(|h| h as i128);
        let t = target[i];
        let f = if t.is_finite() { t.floor() as i128 } else { l };
        let f = f.max(l).min(h.unwrap_or(i128::MAX));
        let frac = (t - f as f64).clamp(0.0, 1.0);
        floor[i] = f;
        if h == Some(l) {
            continue;
        }
        let room_up = h.map(|h| h - f);
        let room_down = f - l;
        if integer
            && (room_up.is_none_or(|r| r > INTEGER_LIMIT) || room_down > INTEGER_LIMIT)
        {
            return Ok(None);
        }
        let mut add = |cost: f64, max: Option<i128>, sign: f64| {
            let var = if integer {
                let max = max.map_or(i32::MAX, |m| m as i32);
                problem.add_integer_var(cost, (0, max))
            } else {
                problem.add_var(cost, (0.0, max.map_or(f64::INFINITY, |m| m as f64)))
            };
            parts[i].push((var, sign));
        };
        match distance {
            Distance::L1 => {
                if room_up.is_none_or(|r| r >= 1) {
                    add(1.0 - 2.0 * frac, Some(1), 1.0);
                }
                if room_up.is_none_or(|r| r >= 2) {
                    add(1.0, room_up.map(|r| r - 1), 1.0);
                }
                if room_down >= 1 {
                    add(1.0, Some(room_down), -1.0);
                }
            }
            Distance::Squares(weight) => {
                let w = weight[i].max(1e-9);
                // Moving up from f + k to f + k + 1 costs
                // (k + 1 - frac)^2 - (k - frac)^2 = 2 (k - frac) + 1.
                let mut up = room_up;
                for k in 0..SQUARE_STEPS {
                    if up == Some(0) {
                        break;
                    }
                    let last = k == SQUARE_STEPS - 1;
                    let cost = (2.0 * (k as f64 - frac) + 1.0) / w;
                    let max = if last { up } else { Some(1) };
                    add(cost, max, 1.0);
                    up = up.map(|u| u - 1);
                }
                let mut down = room_down;
                for k in 0..SQUARE_STEPS {
                    if down == 0 {
                        break;
                    }
                    let last = k == SQUARE_STEPS - 1;
                    let cost = (2.0 * (k as f64 + frac) + 1.0) / w;
                    let max = if last { down } else { 1 };
                    add(cost, Some(max), -1.0);
                    down -= max;
                }
            }
        }
    }
    for row in &part.rows {
        let mut terms: Vec<(microlp::Variable, f64)> = Vec::new();
        let mut rhs = row.rhs;
        for &(v, c) in &row.terms {
            rhs -= c as i128 * floor[v];
            terms.extend(parts[v].iter().map(|&(var, s)| (var, s * c as f64)));
        }
        let op = match row.op {
            Op::Eq => ComparisonOp::Eq,
            Op::Le => ComparisonOp::Le,
            Op::Ge => ComparisonOp::Ge,
        };
        if terms.is_empty() {
            let holds = match row.op {
                Op::Eq => rhs == 0,
                Op::Le => rhs >= 0,
                Op::Ge => rhs <= 0,
            };
            if !holds {
                return Ok(None);
            }
            continue;
        }
        problem.add_constraint(terms.as_slice(), op, rhs as f64);
    }
    let solution = match problem.solve() {
        Ok(outcome) => match outcome.into_solution() {
            Ok(s) => s,
            Err(_) => return Ok(None),
        },
        Err(microlp::Error::Infeasible) => return Ok(None),
        Err(microlp::Error::Unbounded) => return Ok(None),
        Err(e) => return Err(SolveError::Solver(e.to_string())),
    };
    let point: Vec<f64> = (0..n)
        .map(|i| {
            floor[i] as f64
                + parts[i]
                    .iter()
                    .map(|&(var, s)| s * solution.var_value(var))
                    .sum::<f64>()
        })
        .collect();
    let Some(table) = witness::round(&point) else {
        return Ok(None);
    };
    let within = table
        .iter()
        .enumerate()
        .all(|(i, &x)| x >= lo[i] && hi[i].is_none_or(|h| x <= h));
    Ok((within && part.admits(&table)).then_some(table))
}
