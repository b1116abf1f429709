//! From a continuous target to an integer table of the component within
//! every cell's tight interval: on a network, by moving flow around cycles
//! of fractional cells ([`on_network`]); else the table nearest the
//! target ([`Distance`]) by a program, first with each cell at the integer
//! below or above its target, then free, then over the integers; else by
//! the solver's own search for a first table. Every table returned has
//! passed the exact check of every line and interval.

use std::time::{Duration, Instant};

use cellbound_core::Count;
use microlp::{OptimizationDirection, Problem};

use crate::components::Component;
use crate::error::SolveError;
use crate::lp::{self, INTEGER_LIMIT, WATCHED_FROM};
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
    /// A table at or next to the target: the nearest one (in the
    /// [`Distance`] asked for) or, on a network, one with each cell at the
    /// integer below or above its target.
    Nearest,
    /// The nearest table was out of reach (a fractional LP vertex and an
    /// integer program past its time): the solver's first table within
    /// the tight intervals stands in.
    Search,
}

/// Longest an integer program on one component may take before the
/// solver's search takes over.
const INTEGER_PROGRAM_TIME: Duration = Duration::from_secs(10);

/// An integer table within `lo..=hi` at or next to `target` that
/// satisfies every line of `part` (see the module's text for the order of
/// the attempts), or `None` when none was found in time.
pub(super) fn nearest(
    part: &Component,
    lo: &[Count],
    hi: &[Option<Count>],
    target: &[f64],
    distance: Distance<'_>,
    deadline: Option<Instant>,
) -> Result<Option<(Vec<Count>, Rounded)>, SolveError> {
    // The tables that count: every line and every tight interval hold.
    let mut boxed = part.clone();
    boxed.lo = lo.iter().map(|&l| Some(l)).collect();
    boxed.hi = hi.to_vec();
    let fits = |t: &[Count]| boxed.admits(t) && part.within_domains(t);
    if let Distance::Squares(weight) = distance {
        if let Some(net) = crate::flow::Network::of(part) {
            let (nodes, tail, head) = net.edges();
            if let Some(table) = on_network(nodes, tail, head, lo, hi, target, weight) {
                if fits(&table) {
                    return Ok(Some((table, Rounded::Nearest)));
                }
            }
        }
    }
    // The table of integers next to the target (each cell at the
    // integer below or above it): when the target satisfies the lines and
    // they form a network, such a table exists and its program is small.
    // The programs get half the time left at most, the search (which
    // finds a table where they run out of time, on groups of thousands
    // of cells) the rest.
    let programs_end = deadline.map(|d| {
        let now = Instant::now();
        now + d.saturating_duration_since(now) / 2
    });
    for (narrow, integer) in [(true, false), (false, false), (false, true)] {
        let left = programs_end.map(|d| d.saturating_duration_since(Instant::now()));
        if integer && left.is_some_and(|l| l.is_zero()) {
            break;
        }
        let limit = match left {
            Some(l) if integer => l.min(INTEGER_PROGRAM_TIME),
            Some(l) => l.max(Duration::from_millis(100)),
            None if integer => INTEGER_PROGRAM_TIME,
            None => Duration::MAX,
        };
        let goal = Goal {
            lo,
            hi,
            target,
            distance,
        };
        if let Some(table) = solve(part, &goal, narrow, integer, limit)?.filter(|t| fits(t)) {
            return Ok(Some((table, Rounded::Nearest)));
        }
    }
    // The solver's own search, within the tight intervals.
    Ok(lp_path::some_table(&boxed, deadline)?
        .filter(|t| fits(t))
        .map(|t| (t, Rounded::Search)))
}

/// What a program looks for: the table within `lo..=hi` nearest `target`.
#[derive(Clone, Copy)]
struct Goal<'a> {
    lo: &'a [Count],
    hi: &'a [Option<Count>],
    target: &'a [f64],
    distance: Distance<'a>,
}

/// One program (`narrow`: each cell only at the integer below or above
/// its target): the L1 distance to `target`, as `x = f + s + p - n` with
/// `f` the integer below the target, `0 <= s <= 1` costing `1 - 2 frac`
/// per unit, and `p`, `n` costing 1. The cost is convex with integer
/// breakpoints, so on a network the LP's vertex is integral. The table
/// is rounded from the program's point and not yet checked.
fn solve(
    part: &Component,
    goal: &Goal<'_>,
    narrow: bool,
    integer: bool,
    limit: Duration,
) -> Result<Option<Vec<Count>>, SolveError> {
    let Goal {
        lo,
        hi,
        target,
        distance,
    } = *goal;
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
        if integer && (room_up.is_none_or(|r| r > INTEGER_LIMIT) || room_down > INTEGER_LIMIT) {
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
            _ if narrow => {
                if room_up.is_none_or(|r| r >= 1) {
                    let cost = match distance {
                        Distance::L1 => 1.0 - 2.0 * frac,
                        Distance::Squares(w) => (1.0 - 2.0 * frac) / w[i].max(1e-9),
                    };
                    add(cost, Some(1), 1.0);
                }
            }
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
        if terms.is_empty() {
            if !row.op.holds(0, rhs) {
                return Ok(None);
            }
            continue;
        }
        problem.add_constraint(terms.as_slice(), lp::comparison(row.op), rhs as f64);
    }
    // microlp looks at its clock only every thousand iterations: a large
    // program is waited for until its limit, no longer.
    let watch = (limit != Duration::MAX).then_some(limit);
    let Some(solved) = lp::watched(watch, n >= WATCHED_FROM, move || problem.solve()) else {
        return Ok(None);
    };
    let solution = match solved {
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
    Ok(witness::round(&point))
}

/// Values within this of an integer are that integer (the target meets
/// the lines to about 1e-7, and pushes add float error; the table is
/// checked exactly in the end).
const SNAP: f64 = 1e-4;

/// On a network (see `flow.rs`), a table of integers next to `target`
/// (each cell at the integer below or above it) without an LP: while some
/// cell is fractional, walk along fractional edges until the walk closes a
/// cycle, and push flow around it, the way that lowers the weighted
/// distance, until one of its edges reaches an integer. Flow conservation
/// holds throughout, so the lines still hold; every node with a fractional
/// edge has a second one (its fractional parts add up to an integer), so
/// a walk always goes on, up to the float error of the target: a walk
/// that stops short gives `None`, and the LP takes over. The result is
/// checked exactly by the caller.
pub(super) fn on_network(
    nodes: usize,
    tail: &[usize],
    head: &[usize],
    lo: &[Count],
    hi: &[Option<Count>],
    target: &[f64],
    weight: &[f64],
) -> Option<Vec<Count>> {
    let n = tail.len();
    let mut y: Vec<f64> = Vec::with_capacity(n);
    let mut floor: Vec<f64> = Vec::with_capacity(n);
    let mut slope: Vec<f64> = Vec::with_capacity(n);
    for i in 0..n {
        let mut t = target[i].max(lo[i] as f64);
        if let Some(h) = hi[i] {
            t = t.min(h as f64);
        }
        if (t - t.round()).abs() <= 1e-9 {
            t = t.round();
        }
        let f = t.floor();
        y.push(t);
        floor.push(f);
        // The cost of moving up within [f, f + 1] under weighted squares.
        slope.push((1.0 - 2.0 * (t - f)) / weight[i].max(1e-9));
    }
    let fractional = |y: &[f64], e: usize| y[e] != y[e].floor();
    // Incident edges per node, CSR.
    let mut start = vec![0usize; nodes + 1];
    for e in 0..n {
        start[tail[e] + 1] += 1;
        start[head[e] + 1] += 1;
    }
    for k in 0..nodes {
        start[k + 1] += start[k];
    }
    let mut fill = start.clone();
    let mut incident = vec![0usize; 2 * n];
    for e in 0..n {
        incident[fill[tail[e]]] = e;
        fill[tail[e]] += 1;
        incident[fill[head[e]]] = e;
        fill[head[e]] += 1;
    }
    // Per node, where to look next for a fractional edge: edges before it
    // are integral, and stay so.
    let mut cursor = start[..nodes].to_vec();
    let mut on_path = vec![usize::MAX; nodes];
    let mut next_edge = 0usize;
    loop {
        while next_edge < n && !fractional(&y, next_edge) {
            next_edge += 1;
        }
        if next_edge == n {
            break;
        }
        // The walk: nodes[k] --edges[k]--> nodes[k + 1].
        let mut path_nodes = vec![tail[next_edge]];
        let mut path_edges: Vec<usize> = Vec::new();
        on_path[tail[next_edge]] = 0;
        let mut arrived_by = usize::MAX;
        loop {
            let u = *path_nodes.last().expect("a walk has a node");
            // The next fractional edge at u other than the one arrived by.
            let mut found = None;
            let mut k = cursor[u];
            while k < start[u + 1] {
                let e = incident[k];
                if !fractional(&y, e) {
                    if k == cursor[u] {
                        cursor[u] += 1;
                    }
                    k += 1;
                    continue;
                }
                if e != arrived_by {
                    found = Some(e);
                    break;
                }
                k += 1;
            }
            let Some(e) = found else {
                // A lone fractional edge is the float error of the target
                // (its lines' fractional parts add up to an integer): when
                // it is that close to an integer, it is that integer.
                let lone = arrived_by;
                let close = lone != usize::MAX && (y[lone] - y[lone].round()).abs() <= SNAP;
                for &v in &path_nodes {
                    on_path[v] = usize::MAX;
                }
                if !close {
                    return None;
                }
                y[lone] = y[lone].round();
                break;
            };
            let v = if tail[e] == u { head[e] } else { tail[e] };
            path_edges.push(e);
            if on_path[v] == usize::MAX {
                on_path[v] = path_nodes.len();
                path_nodes.push(v);
                arrived_by = e;
                continue;
            }
            // A cycle: the edges from v's place on the walk to here.
            let at = on_path[v];
            let cycle = &path_edges[at..];
            // Sign of each edge along the cycle: +1 when walked tail to head.
            let sign = |k: usize| -> f64 {
                let e = cycle[k];
                if tail[e] == path_nodes[at + k] {
                    1.0
                } else {
                    -1.0
                }
            };
            let gain: f64 = (0..cycle.len()).map(|k| sign(k) * slope[cycle[k]]).sum();
            let d = if gain <= 0.0 { 1.0 } else { -1.0 };
            // The edge with the least room reaches its integer exactly.
            let mut step = f64::INFINITY;
            let mut bottleneck = 0;
            for (k, &e) in cycle.iter().enumerate() {
                let room = if d * sign(k) > 0.0 {
                    floor[e] + 1.0 - y[e]
                } else {
                    y[e] - floor[e]
                };
                if room < step {
                    step = room;
                    bottleneck = k;
                }
            }
            for (k, &e) in cycle.iter().enumerate() {
                let mut value = y[e] + d * sign(k) * step;
                if k == bottleneck || (value - value.round()).abs() <= 1e-9 {
                    value = value.round();
                }
                y[e] = value;
            }
            // Back to v, the walk before the cycle kept.
            for &w in &path_nodes[at + 1..] {
                on_path[w] = usize::MAX;
            }
            path_nodes.truncate(at + 1);
            path_edges.truncate(at);
            arrived_by = path_edges.last().copied().unwrap_or(usize::MAX);
            // A walk whose last edge became integral restarts at v.
            if arrived_by != usize::MAX && !fractional(&y, arrived_by) {
                for &w in &path_nodes {
                    on_path[w] = usize::MAX;
                }
                break;
            }
        }
        for &w in &path_nodes {
            on_path[w] = usize::MAX;
        }
    }
    y.iter()
        .map(|&v| {
            (v.is_finite() && v.abs() <= cellbound_core::MAX_COUNT as f64).then_some(v as Count)
        })
        .collect()
}
