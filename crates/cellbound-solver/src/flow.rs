//! The fast path for two-way components: bounds by network flow.
//!
//! A component is a *network* when every row is an equality with
//! coefficients ±1 and every variable appears in one or two rows, and the
//! rows can be negated so that each variable appears once with +1 and once
//! with -1 (a variable in one row gets its other end at a "ground" node,
//! whose equation is implied by the others). A 2-D grid with both margins,
//! hidden margins included, is one; so is a 1-D hierarchy.
//!
//! Then the rows are flow conservation at nodes, each hidden cell is the
//! flow on an edge within its domain, and the system's matrix is totally
//! unimodular: LP and integer bounds agree, and
//!
//! - a first integer table is a feasible flow (max flow from a super
//!   source to a super sink);
//! - `max x_e` is `x_e` plus the largest flow that can go back from the
//!   head of `e` to its tail through the residual graph without `e`,
//!   capped by `e`'s domain; `min x_e` likewise the other way round.
//!
//! Each augmentation moves the current table along cycles, so every table
//! it passes through satisfies every row; each is nonetheless checked in
//! exact integer arithmetic (the rows it touches, incrementally, and whole
//! through [`Component::admits`] for every table kept as a witness and at
//! the end), so nothing rests on the flow argument alone. A table reached
//! once serves every bound it reaches (witness reuse), so most bounds need
//! no search.

use std::collections::VecDeque;
use std::time::Instant;

use cellbound_core::model::within;
use cellbound_core::{Count, Op};
use rayon::prelude::*;

use crate::components::Component;
use crate::error::SolveError;
use crate::presolve;
use crate::report::Table;
use crate::solved::{ComponentBounds, Keep, VarBounds};

/// Flow capacity standing for "no upper limit".
const INF: i64 = i64::MAX / 4;

/// A component as a directed graph: one node per row plus a ground node,
/// one edge per variable.
pub(crate) struct Network {
    nodes: usize,
    tail: Vec<usize>,
    head: Vec<usize>,
    /// Net inflow each node must receive (`head` minus `tail` sums).
    demand: Vec<i64>,
    lo: Vec<i64>,
    /// `INF` for no upper limit.
    hi: Vec<i64>,
    /// Per node, `(edge, outgoing)` for each incident edge, CSR.
    adj_start: Vec<usize>,
    adj: Vec<(u32, bool)>,
    /// Per variable, the rows it appears in with their coefficients (the
    /// component's own rows, for the exact incremental check).
    var_rows: Vec<Vec<(usize, i64)>>,
    /// The sign each row is multiplied by to become its node's
    /// conservation equation.
    sign: Vec<i64>,
}

impl Network {
    /// The component as a network, `None` when it is not one (or its
    /// numbers are too large for the flow's `i64`).
    pub(crate) fn of(c: &Component) -> Option<Network> {
        let n = c.vars.len();
        let m = c.rows.len();
        if m == 0 {
            return None;
        }
        let mut var_rows: Vec<Vec<(usize, i64)>> = vec![Vec::new(); n];
        for (r, row) in c.rows.iter().enumerate() {
            if row.op != Op::Eq {
                return None;
            }
            for &(v, k) in &row.terms {
                if k != 1 && k != -1 {
                    return None;
                }
                var_rows[v].push((r, k));
                if var_rows[v].len() > 2 {
                    return None;
                }
            }
        }
        if var_rows.iter().any(Vec::is_empty) {
            return None;
        }
        // Sizes the flow works in: i64 with room for sums.
        let limit: i128 = 1 << 60;
        let mut total: i128 = 0;
        for row in &c.rows {
            total += row.rhs.abs();
        }
        for v in 0..n {
            // A cell with no lower limit is no arc of a flow: the LP path's.
            total += (c.lo[v]? as i128).abs() + c.hi[v].map_or(0, |h| (h as i128).abs());
        }
        if total >= limit {
            return None;
        }
        // Row signs: the two occurrences of a variable must get opposite
        // signs once each row is multiplied by its sign.
        let mut sign = vec![0i64; m];
        let mut row_vars: Vec<Vec<usize>> = vec![Vec::new(); m];
        for (v, rs) in var_rows.iter().enumerate() {
            for &(r, _) in rs {
                row_vars[r].push(v);
            }
        }
        for start in 0..m {
            if sign[start] != 0 {
                continue;
            }
            sign[start] = 1;
            let mut stack = vec![start];
            while let Some(r) = stack.pop() {
                for &v in &row_vars[r] {
                    let rs = &var_rows[v];
                    if rs.len() != 2 {
                        continue;
                    }
                    let (me, other) = if rs[0].0 == r {
                        (rs[0], rs[1])
                    } else {
                        (rs[1], rs[0])
                    };
                    // sign[r]*me.1 == -(sign[o]*other.1)
                    let want = -sign[r] * me.1 * other.1;
                    if sign[other.0] == 0 {
                        sign[other.0] = want;
                        stack.push(other.0);
                    } else if sign[other.0] != want {
                        return None;
                    }
                }
            }
        }
        let ground = m;
        let nodes = m + 1;
        let mut tail = vec![0; n];
        let mut head = vec![0; n];
        for (v, rs) in var_rows.iter().enumerate() {
            let ends: Vec<(usize, i64)> = rs.iter().map(|&(r, k)| (r, sign[r] * k)).collect();
            let (mut t, mut h) = (ground, ground);
            for (r, k) in ends {
                if k > 0 {
                    h = r;
                } else {
                    t = r;
                }
            }
            if t == h {
                return None;
            }
            tail[v] = t;
            head[v] = h;
        }
        // Node r: sum(in) - sum(out) = sign[r] * rhs[r]; ground: minus the
        // sum of the others.
        let mut demand = vec![0i64; nodes];
        for (r, row) in c.rows.iter().enumerate() {
            demand[r] = (sign[r] as i128 * row.rhs) as i64;
        }
        demand[ground] = -demand[..m].iter().sum::<i64>();
        let lo: Vec<i64> = c.lo.iter().copied().collect::<Option<_>>()?;
        let hi: Vec<i64> = c.hi.iter().map(|h| h.unwrap_or(INF)).collect();
        let mut degree = vec![0usize; nodes + 1];
        for v in 0..n {
            degree[tail[v]] += 1;
            degree[head[v]] += 1;
        }
        let mut adj_start = vec![0usize; nodes + 1];
        for i in 0..nodes {
            adj_start[i + 1] = adj_start[i] + degree[i];
        }
        let mut fill = adj_start.clone();
        let mut adj = vec![(0u32, false); 2 * n];
        for v in 0..n {
            adj[fill[tail[v]]] = (v as u32, true);
            fill[tail[v]] += 1;
            adj[fill[head[v]]] = (v as u32, false);
            fill[head[v]] += 1;
        }
        Some(Network {
            nodes,
            tail,
            head,
            demand,
            lo,
            hi,
            adj_start,
            adj,
            var_rows,
            sign,
        })
    }

    /// The rows whose sum proves that `values` (a table) has variable
    /// `target` at its largest (`upper`) or smallest value: a set of nodes
    /// that the residual graph of the table cannot leave (or enter), other
    /// than through `target`'s own edge. Summed with their signs, the rows
    /// give `target` against the edges crossing the cut, each at the limit
    /// the table already holds it at. `(local row, multiplier)` pairs with
    /// `target`'s coefficient +1 (`upper`) or -1; `None` when the residual
    /// graph still has a cycle through `target` (the table is not at the
    /// bound). The caller checks the result exactly; nothing rests on it.
    ///
    /// The search grows the two sides at once, from each end of
    /// `target`'s edge, and keeps the first side to close without the
    /// ground, so that the set stays as small as the cut's nearer side.
    pub(crate) fn cut(
        &self,
        values: &[Count],
        target: usize,
        upper: bool,
    ) -> Option<Vec<(usize, i64)>> {
        let ground = self.nodes - 1;
        // A unit more on `target` must come back from `src` to `dst`.
        let (src, dst) = if upper {
            (self.head[target], self.tail[target])
        } else {
            (self.tail[target], self.head[target])
        };
        // 1: reached forward from src; 2: reaches dst backward.
        let mut mark = vec![0u8; self.nodes];
        let mut sides: [Vec<usize>; 2] = [vec![src], vec![dst]];
        let mut next = [0usize; 2];
        mark[src] = 1;
        if mark[dst] == 1 {
            return None;
        }
        mark[dst] = 2;
        let mut closed: [bool; 2] = [false, false];
        let chosen = 'search: loop {
            for s in 0..2 {
                if closed[s] {
                    continue;
                }
                let want = s as u8 + 1;
                let Some(&a) = sides[s].get(next[s]) else {
                    closed[s] = true;
                    if mark[ground] != want {
                        break 'search s;
                    }
                    continue;
                };
                next[s] += 1;
                for &(e, outgoing) in &self.adj[self.adj_start[a]..self.adj_start[a + 1]] {
                    let e = e as usize;
                    if e == target {
                        continue;
                    }
                    let (x, lo, hi) = (values[e], self.lo[e], self.hi[e]);
                    // Forward: residual arcs out of `a`; backward: residual
                    // arcs into it.
                    let room = match (s, outgoing) {
                        (0, true) | (1, false) => x < hi,
                        _ => x > lo,
                    };
                    if !room {
                        continue;
                    }
                    let other = self.head[e] ^ self.tail[e] ^ a;
                    match mark[other] {
                        0 => {
                            mark[other] = want;
                            sides[s].push(other);
                        }
                        m if m == want => {}
                        // The two sides meet: a cycle through `target`.
                        _ => return None,
                    }
                }
            }
            if closed == [true, true] {
                // Both closed with the ground, which they cannot share.
                return None;
            }
        };
        let set = &sides[chosen];
        let inside = |node: usize| mark[node] == chosen as u8 + 1;
        // target's coefficient in the signed sum over the set.
        let c = inside(self.head[target]) as i64 - inside(self.tail[target]) as i64;
        let want = if upper { 1 } else { -1 };
        if c == 0 {
            return None;
        }
        let sigma = want * c;
        let mut rows: Vec<(usize, i64)> = set
            .iter()
            .filter(|&&r| r != ground)
            .map(|&r| (r, sigma * self.sign[r]))
            .collect();
        rows.sort_unstable();
        Some(rows)
    }

    /// How many nodes (rows plus the ground), and each variable's edge as
    /// `(tail, head)` lists: a variable's value is the flow from its tail
    /// to its head, and every node conserves flow.
    pub(crate) fn edges(&self) -> (usize, &[usize], &[usize]) {
        (self.nodes, &self.tail, &self.head)
    }

    /// A feasible integer flow, or `None`.
    fn feasible(&self) -> Option<Vec<i64>> {
        let n = self.tail.len();
        // y = x - lo within [0, hi - lo]; node needs demand minus what the
        // lower limits already bring.
        let mut need = self.demand.clone();
        for v in 0..n {
            if self.hi[v] < self.lo[v] {
                return None;
            }
            need[self.head[v]] -= self.lo[v];
            need[self.tail[v]] += self.lo[v];
        }
        let s = self.nodes;
        let t = self.nodes + 1;
        let mut g = Dinic::new(self.nodes + 2);
        let mut arc_of = Vec::with_capacity(n);
        for v in 0..n {
            let cap = if self.hi[v] == INF {
                INF
            } else {
                self.hi[v] - self.lo[v]
            };
            arc_of.push(g.add(self.tail[v], self.head[v], cap));
        }
        let mut supply = 0i64;
        for (i, &d) in need.iter().enumerate() {
            if d > 0 {
                g.add(i, t, d);
            } else if d < 0 {
                g.add(s, i, -d);
                supply -= d;
            }
        }
        if g.max_flow(s, t) != supply {
            return None;
        }
        Some((0..n).map(|v| self.lo[v] + g.flow_on(arc_of[v])).collect())
    }

    /// The bounds of every variable of `c` (the component this network
    /// was made of), `None` when no integer table satisfies it. Past
    /// `deadline`, the variables not yet bounded keep presolve's bounds,
    /// marked not tight. `done(k)` is called as `k` more cells are bounded.
    pub(crate) fn bounds(
        &self,
        c: &Component,
        keep: Keep<'_>,
        deadline: Option<Instant>,
        done: &(dyn Fn(usize) + Sync),
    ) -> Result<Option<ComponentBounds>, SolveError> {
        let Some(x) = self.feasible() else {
            return Ok(None);
        };
        if !c.admits(&x) {
            return Err(SolveError::Numerical(
                "a feasible flow failed the exact check".into(),
            ));
        }
        let n = c.vars.len();
        // Presolve's bounds are sound: a table that reaches one proves it
        // tight, and a search stops there without a last, failing one.
        let mut bx = presolve::Intervals::new(&c.lo, &c.hi);
        let all: Vec<usize> = (0..c.rows.len()).collect();
        if presolve::propagate(&c.rows, &all, &mut bx, PRESOLVE_ROUNDS).is_err() {
            return Err(SolveError::Numerical(
                "presolve found no table where a flow found one".into(),
            ));
        }
        let floor: Vec<i64> = bx
            .lo
            .iter()
            .map(|l| l.expect("a network's cells have lower limits") as i64)
            .collect();
        let ceil: Vec<i64> = bx.hi.iter().map(|h| h.map_or(INF, |h| h as i64)).collect();
        // A large component's variables are shared out between the
        // threads, each moving its own copy of the table: the bounds are
        // the same whoever computes them.
        let chunks = if n >= PARALLEL_FROM {
            rayon::current_num_threads().max(1)
        } else {
            1
        };
        let size = n.div_ceil(chunks);
        let parts: Vec<Result<ComponentBounds, SolveError>> = (0..chunks)
            .into_par_iter()
            .map(|k| {
                let vars = (k * size)..((k + 1) * size).min(n);
                let mut st = State::new(self, c, x.clone(), keep);
                st.floor.clone_from(&floor);
                st.ceil.clone_from(&ceil);
                let mut chunk = ComponentBounds::empty(vars.len(), Vec::new(), 0);
                for v in vars {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        chunk.vars.push(VarBounds::loose(
                            Some(floor[v]),
                            Some(ceil[v]).filter(|&h| h != INF),
                        ));
                        continue;
                    }
                    let lo = st.extreme(v, false)?.expect("bounded below");
                    let hi = st.extreme(v, true)?;
                    let table = |id: usize| (id != NO_TABLE).then_some(id);
                    chunk.vars.push(VarBounds::tight(
                        Some(lo.0),
                        hi.map(|h| h.0),
                        (table(lo.1), hi.and_then(|h| table(h.1))),
                    ));
                    if chunks > 1 {
                        done(1);
                    }
                }
                if !c.admits(&st.x) {
                    return Err(SolveError::Numerical(
                        "a flow table failed the exact check".into(),
                    ));
                }
                chunk.witnesses = st.snapshots;
                Ok(chunk)
            })
            .collect();
        if chunks == 1 {
            done(n);
        }
        let mut out = ComponentBounds::empty(n, Vec::new(), 0);
        for part in parts {
            out.append(part?);
        }
        Ok(Some(out))
    }
}

/// The witness id of a bound whose table is not kept ([`Keep::Only`]).
const NO_TABLE: usize = usize::MAX;

/// Components with at least this many variables are bounded by all
/// threads at once.
const PARALLEL_FROM: usize = 2000;

/// Bound propagation passes before the searches.
const PRESOLVE_ROUNDS: usize = 50;

/// The current table, the exact incremental check, and the best values
/// seen per variable.
struct State<'a> {
    net: &'a Network,
    c: &'a Component,
    x: Vec<i64>,
    /// Per row, the left-hand side in the current table.
    lhs: Vec<i128>,
    seen_min: Vec<(i64, usize)>,
    seen_max: Vec<(i64, usize)>,
    /// Sound bounds from presolve (`INF`: none).
    floor: Vec<i64>,
    ceil: Vec<i64>,
    keep: Keep<'a>,
    /// The tables kept: the first whole, each next one as its changes
    /// from the one before (whole again once the changes since the last
    /// whole one pass the table's size, so that making any table whole
    /// costs at most about two tables' worth).
    snapshots: Vec<Table>,
    /// The snapshot of the current table, if taken.
    current: Option<usize>,
    /// The values at the last snapshot, the variables changed since
    /// (each once, flagged in `dirty`), and how many changes were kept
    /// since the last whole table.
    last: Vec<i64>,
    dirty: Vec<bool>,
    moved: Vec<usize>,
    since_whole: usize,
    // BFS scratch.
    mark: Vec<u32>,
    epoch: u32,
    /// Per node, the edge and direction it was reached by.
    pred: Vec<(u32, bool)>,
    queue: VecDeque<usize>,
    changed: Vec<usize>,
}

impl<'a> State<'a> {
    fn new(net: &'a Network, c: &'a Component, x: Vec<i64>, keep: Keep<'a>) -> Self {
        let lhs = c.rows.iter().map(|r| r.lhs(&x)).collect();
        let mut st = State {
            net,
            c,
            seen_min: x.iter().map(|&v| (v, 0)).collect(),
            seen_max: x.iter().map(|&v| (v, 0)).collect(),
            floor: net.lo.clone(),
            ceil: net.hi.clone(),
            x,
            lhs,
            keep,
            snapshots: Vec::new(),
            current: None,
            last: Vec::new(),
            dirty: Vec::new(),
            moved: Vec::new(),
            since_whole: 0,
            mark: vec![0; net.nodes],
            epoch: 0,
            pred: vec![(0, false); net.nodes],
            queue: VecDeque::new(),
            changed: Vec::new(),
        };
        if keep.any() {
            st.snapshots.push(Table::Whole(st.x.clone()));
            st.last = st.x.clone();
            st.dirty = vec![false; st.x.len()];
            st.current = Some(0);
        }
        st
    }

    /// The id of a witness for the current table, for the variable `v`:
    /// [`NO_TABLE`] when `v`'s tables are not kept (none is taken).
    fn snapshot(&mut self, v: usize) -> usize {
        if !self.keep.any() {
            return 0;
        }
        if !self.keep.var(v) {
            return NO_TABLE;
        }
        if let Some(id) = self.current {
            return id;
        }
        debug_assert!(self.c.admits(&self.x));
        let mut moved = std::mem::take(&mut self.moved);
        moved.sort_unstable();
        let mut changes = Vec::with_capacity(moved.len());
        for &v in &moved {
            self.dirty[v] = false;
            if self.x[v] != self.last[v] {
                changes.push((v, self.x[v] - self.last[v]));
                self.last[v] = self.x[v];
            }
        }
        moved.clear();
        self.moved = moved;
        self.since_whole += changes.len();
        let table = if self.since_whole > self.x.len() {
            self.since_whole = 0;
            Table::Whole(self.x.clone())
        } else {
            Table::Changes {
                base: self.snapshots.len() - 1,
                changes,
            }
        };
        self.snapshots.push(table);
        let id = self.snapshots.len() - 1;
        self.current = Some(id);
        id
    }

    /// Records the changed variables' new values, after checking exactly
    /// every row they touch and their domains.
    fn commit(&mut self) -> Result<(), SolveError> {
        self.current = None;
        let mut changed = std::mem::take(&mut self.changed);
        changed.sort_unstable();
        changed.dedup();
        let mut rows = Vec::new();
        for &v in &changed {
            let x = self.x[v];
            if !within(x, self.c.lo[v], self.c.hi[v]) {
                return Err(SolveError::Numerical(
                    "a flow table left a cell's domain".into(),
                ));
            }
            rows.extend(self.net.var_rows[v].iter().map(|&(r, _)| r));
        }
        rows.sort_unstable();
        rows.dedup();
        for &r in &rows {
            let row = &self.c.rows[r];
            if !row.op.holds(self.lhs[r], row.rhs) {
                return Err(SolveError::Numerical(
                    "a flow table failed the exact check".into(),
                ));
            }
        }
        for &v in &changed {
            let x = self.x[v];
            if x < self.seen_min[v].0 {
                let id = self.snapshot(v);
                self.seen_min[v] = (x, id);
            }
            if x > self.seen_max[v].0 {
                let id = self.snapshot(v);
                self.seen_max[v] = (x, id);
            }
        }
        self.changed = changed;
        self.changed.clear();
        Ok(())
    }

    fn set(&mut self, v: usize, value: i64) {
        let delta = (value - self.x[v]) as i128;
        self.x[v] = value;
        for &(r, k) in &self.net.var_rows[v] {
            self.lhs[r] += k as i128 * delta;
        }
        self.changed.push(v);
        if let Some(d) = self.dirty.get_mut(v) {
            if !*d {
                *d = true;
                self.moved.push(v);
            }
        }
    }

    /// Residual capacity of traversing edge `e` forward (tail to head) or
    /// backward.
    fn residual(&self, e: usize, forward: bool) -> i64 {
        if forward {
            if self.net.hi[e] == INF {
                INF
            } else {
                self.net.hi[e] - self.x[e]
            }
        } else {
            self.x[e] - self.net.lo[e]
        }
    }

    /// A shortest residual path from `from` to `to` avoiding edge `skip`:
    /// its bottleneck (`INF` when every arc is unlimited), or `None`.
    fn path(&mut self, from: usize, to: usize, skip: usize) -> Option<i64> {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.epoch = 1;
        }
        let epoch = self.epoch;
        self.queue.clear();
        self.mark[from] = epoch;
        self.queue.push_back(from);
        let net = self.net;
        'search: while let Some(u) = self.queue.pop_front() {
            for &(e, out) in &net.adj[net.adj_start[u]..net.adj_start[u + 1]] {
                let e = e as usize;
                if e == skip {
                    continue;
                }
                let w = if out { net.head[e] } else { net.tail[e] };
                if self.mark[w] == epoch || self.residual(e, out) <= 0 {
                    continue;
                }
                self.mark[w] = epoch;
                self.pred[w] = (e as u32, out);
                if w == to {
                    break 'search;
                }
                self.queue.push_back(w);
            }
        }
        if self.mark[to] != epoch {
            return None;
        }
        let mut bottleneck = INF;
        let mut at = to;
        while at != from {
            let (e, out) = self.pred[at];
            let e = e as usize;
            bottleneck = bottleneck.min(self.residual(e, out));
            at = if out { net.tail[e] } else { net.head[e] };
        }
        Some(bottleneck)
    }

    /// Pushes `amount` along the path found last, from `from` to `to`.
    fn push(&mut self, from: usize, to: usize, amount: i64) {
        let mut at = to;
        while at != from {
            let (e, out) = self.pred[at];
            let e = e as usize;
            let value = if out {
                self.x[e] + amount
            } else {
                self.x[e] - amount
            };
            self.set(e, value);
            at = if out {
                self.net.tail[e]
            } else {
                self.net.head[e]
            };
        }
    }

    /// The tight bound of `v` (largest with `up`) and a witness id, `None`
    /// when unbounded above.
    fn extreme(&mut self, v: usize, up: bool) -> Result<Option<(Count, usize)>, SolveError> {
        let net = self.net;
        let limit = if up { self.ceil[v] } else { self.floor[v] };
        let seen = if up {
            self.seen_max[v]
        } else {
            self.seen_min[v]
        };
        if seen.0 == limit {
            return Ok(Some(seen));
        }
        // Raising v (tail -> head) needs flow back from head to tail;
        // lowering it, from tail to head.
        let (from, to) = if up {
            (net.head[v], net.tail[v])
        } else {
            (net.tail[v], net.head[v])
        };
        loop {
            let room = if up {
                let r = self.residual(v, true);
                if self.ceil[v] == INF {
                    r
                } else {
                    r.min(self.ceil[v] - self.x[v])
                }
            } else {
                self.residual(v, false).min(self.x[v] - self.floor[v])
            };
            if room <= 0 {
                break;
            }
            let Some(b) = self.path(from, to, v) else {
                break;
            };
            if b >= INF && room >= INF {
                return Ok(None);
            }
            let amount = b.min(room);
            self.push(from, to, amount);
            let value = if up {
                self.x[v] + amount
            } else {
                self.x[v] - amount
            };
            self.set(v, value);
            self.commit()?;
        }
        let best = if up {
            self.seen_max[v]
        } else {
            self.seen_min[v]
        };
        debug_assert_eq!(best.0, self.x[v]);
        Ok(Some(best))
    }
}

/// A plain Dinic max flow for the first feasible table.
struct Dinic {
    to: Vec<usize>,
    cap: Vec<i64>,
    first: Vec<usize>,
    next: Vec<usize>,
    original: Vec<i64>,
    level: Vec<i32>,
    it: Vec<usize>,
}

const NONE: usize = usize::MAX;

impl Dinic {
    fn new(nodes: usize) -> Self {
        Dinic {
            to: Vec::new(),
            cap: Vec::new(),
            first: vec![NONE; nodes],
            next: Vec::new(),
            original: Vec::new(),
            level: vec![0; nodes],
            it: vec![0; nodes],
        }
    }

    fn add(&mut self, u: usize, v: usize, cap: i64) -> usize {
        let id = self.to.len();
        for (a, b, c) in [(u, v, cap), (v, u, 0)] {
            self.to.push(b);
            self.cap.push(c);
            self.original.push(c);
            self.next.push(self.first[a]);
            self.first[a] = self.to.len() - 1;
        }
        id
    }

    fn flow_on(&self, arc: usize) -> i64 {
        self.original[arc] - self.cap[arc]
    }

    fn bfs(&mut self, s: usize, t: usize) -> bool {
        self.level.iter_mut().for_each(|l| *l = -1);
        self.level[s] = 0;
        let mut q = VecDeque::from([s]);
        while let Some(u) = q.pop_front() {
            let mut a = self.first[u];
            while a != NONE {
                let w = self.to[a];
                if self.cap[a] > 0 && self.level[w] < 0 {
                    self.level[w] = self.level[u] + 1;
                    q.push_back(w);
                }
                a = self.next[a];
            }
        }
        self.level[t] >= 0
    }

    fn dfs(&mut self, u: usize, t: usize, f: i64) -> i64 {
        if u == t {
            return f;
        }
        while self.it[u] != NONE {
            let a = self.it[u];
            let w = self.to[a];
            if self.cap[a] > 0 && self.level[w] == self.level[u] + 1 {
                let d = self.dfs(w, t, f.min(self.cap[a]));
                if d > 0 {
                    self.cap[a] -= d;
                    self.cap[a ^ 1] += d;
                    return d;
                }
            }
            self.it[u] = self.next[a];
        }
        0
    }

    fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let mut total = 0;
        while self.bfs(s, t) {
            self.it.clone_from(&self.first);
            loop {
                let f = self.dfs(s, t, INF);
                if f == 0 {
                    break;
                }
                total += f;
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::LocalRow;
    use crate::tests::{flow_bounds, is_network, lp_bounds};

    #[test]
    fn seed_table_one_open() {
        // m1 + m3 = 11, b1 + b3 = 10, m1 + b1 = 13, m3 + b3 = 8.
        let c = Component {
            vars: vec![0, 1, 2, 3],
            rows: vec![
                LocalRow::equal(&[(0, 1), (1, 1)], 11),
                LocalRow::equal(&[(2, 1), (3, 1)], 10),
                LocalRow::equal(&[(0, 1), (2, 1)], 13),
                LocalRow::equal(&[(1, 1), (3, 1)], 8),
            ],
            lo: vec![Some(0); 4],
            hi: vec![None; 4],
        };
        assert!(is_network(&c));
        let (lo, hi) = flow_bounds(&c).unwrap().unwrap();
        assert_eq!(lo, vec![Some(3), Some(0), Some(2), Some(0)]);
        assert_eq!(hi, vec![Some(11), Some(8), Some(10), Some(8)]);
        assert_eq!(lp_bounds(&c).unwrap().unwrap(), (lo, hi));
    }

    #[test]
    fn unbounded_and_infeasible() {
        // x - y = 0 through a hidden total: unbounded above.
        let c = Component {
            vars: vec![0, 1],
            rows: vec![LocalRow::equal(&[(0, 1), (1, -1)], 0)],
            lo: vec![Some(0), Some(0)],
            hi: vec![None, None],
        };
        let (lo, hi) = flow_bounds(&c).unwrap().unwrap();
        assert_eq!((lo, hi), (vec![Some(0), Some(0)], vec![None, None]));
        let c = Component {
            vars: vec![0, 1],
            rows: vec![LocalRow::equal(&[(0, 1), (1, 1)], 9)],
            lo: vec![Some(0), Some(0)],
            hi: vec![Some(4), Some(4)],
        };
        assert_eq!(flow_bounds(&c).unwrap(), None);
    }

    #[test]
    fn not_a_network() {
        // An odd cycle of same-sign pairs cannot be oriented.
        let c = Component {
            vars: vec![0, 1, 2],
            rows: vec![
                LocalRow::equal(&[(0, 1), (1, 1)], 3),
                LocalRow::equal(&[(1, 1), (2, 1)], 3),
                LocalRow::equal(&[(2, 1), (0, 1)], 3),
            ],
            lo: vec![Some(0); 3],
            hi: vec![None; 3],
        };
        assert!(!is_network(&c));
    }

    /// A grid of `rows x cols` hidden leaves with published margins, as a
    /// component: row sums then column sums.
    fn hidden_grid(rows: usize, cols: usize) -> Component {
        let value = |r: usize, c: usize| ((r * 7 + c * 3) % 11) as i128;
        let mut lines = Vec::new();
        for r in 0..rows {
            let terms = (0..cols).map(|c| (r * cols + c, 1)).collect::<Vec<_>>();
            lines.push(LocalRow::equal(
                &terms,
                (0..cols).map(|c| value(r, c)).sum(),
            ));
        }
        for c in 0..cols {
            let terms = (0..rows).map(|r| (r * cols + c, 1)).collect::<Vec<_>>();
            lines.push(LocalRow::equal(
                &terms,
                (0..rows).map(|r| value(r, c)).sum(),
            ));
        }
        let n = rows * cols;
        Component {
            vars: (0..n).collect(),
            rows: lines,
            lo: vec![Some(0); n],
            hi: (0..n)
                .map(|v| Some(if v % 5 == 0 { 12 } else { 10 }))
                .collect(),
        }
    }

    #[test]
    fn threads_share_a_large_component_with_the_same_answer() {
        let c = hidden_grid(70, 30);
        assert!(c.vars.len() >= PARALLEL_FROM);
        let net = Network::of(&c).unwrap();
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| net.bounds(&c, Keep::All, None, &|_| {}).unwrap().unwrap())
        };
        let one = run(1);
        let two = run(2);
        assert_eq!((one.lower(), one.upper()), (two.lower(), two.upper()));
        for b in [&one, &two] {
            for (v, var) in b.vars.iter().enumerate() {
                let lo = &crate::report::table_values(&b.witnesses, var.reached_by.0.unwrap());
                let hi = &crate::report::table_values(&b.witnesses, var.reached_by.1.unwrap());
                assert!(c.admits(lo) && c.admits(hi));
                assert_eq!(Some(lo[v]), var.lower);
                assert_eq!(Some(hi[v]), var.upper);
            }
        }
    }

    #[test]
    fn tables_after_the_first_are_kept_as_changes_from_the_one_before() {
        let c = hidden_grid(40, 30);
        let n = c.vars.len();
        let net = Network::of(&c).unwrap();
        let b = net.bounds(&c, Keep::All, None, &|_| {}).unwrap().unwrap();
        assert!(matches!(b.witnesses[0], Table::Whole(_)));
        let mut changed = 0;
        let mut whole = 0;
        for (j, t) in b.witnesses.iter().enumerate() {
            match t {
                Table::Whole(values) => {
                    whole += 1;
                    assert_eq!(values.len(), n);
                }
                Table::Changes { base, changes } => {
                    assert_eq!(*base, j - 1);
                    assert!(changes.windows(2).all(|w| w[0].0 < w[1].0));
                    assert!(changes.iter().all(|&(_, d)| d != 0));
                    changed += changes.len();
                }
            }
            assert!(c.admits(&crate::report::table_values(&b.witnesses, j)));
        }
        // A whole table again only once the changes since add up to one.
        assert!(whole <= 1 + changed / n, "{whole} whole, {changed} changes");
        assert!(
            b.witnesses.len() > 2 * whole,
            "{} tables",
            b.witnesses.len()
        );
        let mut walked = 0;
        crate::report::walk_tables(&b.witnesses, |j, values| {
            assert_eq!(values, crate::report::table_values(&b.witnesses, j));
            walked += 1;
        });
        assert_eq!(walked, b.witnesses.len());
    }

    #[test]
    fn past_the_deadline_cells_keep_presolve_bounds_and_progress_counts_them_all() {
        let c = hidden_grid(70, 30);
        let net = Network::of(&c).unwrap();
        let counted = std::sync::atomic::AtomicUsize::new(0);
        let tick = |k: usize| {
            counted.fetch_add(k, std::sync::atomic::Ordering::Relaxed);
        };
        let full = net.bounds(&c, Keep::None, None, &tick).unwrap().unwrap();
        assert_eq!(
            counted.load(std::sync::atomic::Ordering::Relaxed),
            c.vars.len()
        );
        assert!(full.vars.iter().all(|b| b.tight));
        let cut = net
            .bounds(&c, Keep::None, Some(Instant::now()), &|_| {})
            .unwrap()
            .unwrap();
        assert!(cut.vars.iter().all(|b| !b.tight));
        for v in 0..c.vars.len() {
            // Sound: presolve's bounds contain the tight ones.
            let (cut, full) = (cut.vars[v], full.vars[v]);
            assert!(cut.lower <= full.lower);
            assert!(cut.upper.is_none_or(|u| Some(u) >= full.upper));
            assert_eq!(cut.reached_by, (None, None));
        }
    }
}
