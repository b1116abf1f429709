//! The cheapest set of published cells whose hiding lets the attacker
//! move one cell by a given amount: a shortest path closing a cycle on a
//! network, a linear program over a box of candidate cells otherwise.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

use cellbound_core::{Count, Model, Op, Rule};
use itertools::Itertools;

use super::structure::{Network, Structure};

/// What each cell may do in a perturbation of the truth.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub value: Vec<Count>,
    pub hidden: Vec<bool>,
    /// Must stay published: never moves.
    pub kept: Vec<bool>,
    /// The attacker's domain of the cell once hidden.
    /// `None` for no lower limit (values that may be negative).
    pub lo: Vec<Option<Count>>,
    pub hi: Vec<Option<Count>>,
    /// The price of hiding it (as the search sees it, preferences
    /// included).
    pub price: Vec<f64>,
}

impl State {
    /// Every cell of `model` at its true value, hidden as in `model`,
    /// none kept, each with the attacker's domain under `rule` (a hidden
    /// cell's stated range, else that of a hidden cell of its kind), and
    /// a price of 1.
    pub fn at_truth(s: &Structure, model: &Model, truth: &[Vec<Count>], rule: Rule) -> State {
        let n = s.len();
        let mut state = State {
            value: vec![0; n],
            hidden: vec![false; n],
            kept: vec![false; n],
            lo: vec![Some(0); n],
            hi: vec![None; n],
            price: vec![1.0; n],
        };
        for (g, &r) in s.refs.iter().enumerate() {
            let cell = model.cell(r);
            state.value[g] = truth[r.table][r.cell];
            state.hidden[g] = cell.entry.is_hidden();
            let entry = if cell.entry.is_hidden() {
                cell.entry
            } else {
                cellbound_core::Entry::Hidden
            };
            let d = rule
                .domain(entry, model.tables[r.table].is_interior(&cell.at))
                .expect("a hidden entry has a domain");
            (state.lo[g], state.hi[g]) = (d.lo, d.hi);
        }
        state
    }

    /// Whether cell `g` may move by `delta` (as a hidden cell).
    pub fn may_move(&self, g: usize, delta: i128) -> bool {
        if self.kept[g] && !self.hidden[g] {
            return false;
        }
        let new = self.value[g] as i128 + delta;
        self.lo[g].is_none_or(|l| new >= l as i128) && self.hi[g].is_none_or(|h| new <= h as i128)
    }

    /// What hiding `g` would cost now: nothing when it is hidden.
    pub fn weight(&self, g: usize) -> f64 {
        if self.hidden[g] {
            0.0
        } else {
            self.price[g]
        }
    }
}

/// The answer of one search.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    /// Hide these published cells (possibly none: the room is there).
    Hide(Vec<usize>),
    /// No perturbation of the whole model moves the cell that far: no
    /// pattern can give it this room.
    Impossible,
    /// None found among the candidates tried (not a proof).
    Missed,
}

#[derive(PartialEq)]
struct Entry(f64, usize);
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    // A min-heap on distance, then node number: a fixed order.
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

/// On a network, cheap cycles through `p` carrying `t` units in direction
/// `dir` (+1 up, -1 down): shortest paths from the end of the arc `p`
/// back to its start, augmented one after the other as in Ford and
/// Fulkerson (each path carries what its narrowest cell allows; a cell
/// already on a path, or hidden, costs nothing more). Exact on
/// impossibility: the network's matrix is totally unimodular, so when no
/// path is left before `t` units, no table moves the cell that far.
pub(crate) fn on_network(net: &Network, state: &State, p: usize, dir: i64, t: i128) -> Found {
    if !state.may_move(p, dir as i128 * t) {
        return Found::Impossible;
    }
    let (from, to) = if dir > 0 {
        (net.head[p], net.tail[p])
    } else {
        (net.tail[p], net.head[p])
    };
    if from == to {
        return Found::Hide(Vec::new());
    }
    // Room of each arc going forward (tail to head: the cell up) and
    // backward (the cell down), less the flow already sent.
    let room = |a: usize, flow: i128, forward: bool| -> i128 {
        if state.kept[a] && !state.hidden[a] {
            return 0;
        }
        let v = state.value[a] as i128;
        if forward {
            state.hi[a].map_or(i128::MAX / 4, |h| h as i128 - v) - flow
        } else {
            state.lo[a].map_or(i128::MAX / 4, |l| v - l as i128) + flow
        }
    };
    let mut flow: std::collections::BTreeMap<usize, i128> = Default::default();
    let mut chosen = vec![];
    let mut left = t;
    while left > 0 {
        let mut dist = vec![f64::INFINITY; net.nodes];
        let mut pred: Vec<Option<(usize, bool)>> = vec![None; net.nodes];
        let mut heap = BinaryHeap::new();
        dist[from] = 0.0;
        heap.push(Entry(0.0, from));
        while let Some(Entry(d, u)) = heap.pop() {
            if d > dist[u] {
                continue;
            }
            if u == to {
                break;
            }
            for &a in &net.arcs_at[u] {
                if a == p || net.tail[a] == net.head[a] {
                    continue;
                }
                let forward = net.tail[a] == u;
                let next = if forward { net.head[a] } else { net.tail[a] };
                let f = flow.get(&a).copied().unwrap_or(0);
                if room(a, f, forward) <= 0 {
                    continue;
                }
                let w = if state.hidden[a] || flow.contains_key(&a) {
                    0.0
                } else {
                    state.price[a]
                };
                let nd = d + w;
                if nd < dist[next] {
                    dist[next] = nd;
                    pred[next] = Some((a, forward));
                    heap.push(Entry(nd, next));
                }
            }
        }
        if dist[to].is_infinite() {
            return Found::Impossible;
        }
        let mut path = Vec::new();
        let mut at = to;
        while at != from {
            let (a, forward) = pred[at].expect("a reached node has a predecessor");
            path.push((a, forward));
            at = if forward { net.tail[a] } else { net.head[a] };
        }
        let push = path
            .iter()
            .map(|&(a, forward)| room(a, flow.get(&a).copied().unwrap_or(0), forward))
            .fold(left, i128::min);
        for &(a, forward) in &path {
            *flow.entry(a).or_insert(0) += if forward { push } else { -push };
            if !state.hidden[a] {
                chosen.push(a);
            }
        }
        left -= push;
    }
    chosen.sort_unstable();
    chosen.dedup();
    Found::Hide(chosen)
}

/// Cells per dimension kept in a box, before widening.
const FIRST_WIDTH: usize = 4;

/// Anywhere: a linear program over a box of candidate cells around `p`
/// (its coordinate, its ancestors, and the most promising children and
/// siblings along each dimension), widened until it finds a perturbation
/// moving `p` by `t` in direction `dir` or the box is the whole model.
/// The cells the program moves that are published are returned to hide;
/// with `integer`, the perturbation is a whole one, so hiding them gives
/// the attacker exactly this integer table.
#[allow(clippy::too_many_arguments)]
pub(crate) fn by_program(
    s: &Structure,
    model: &cellbound_core::Model,
    state: &State,
    p: usize,
    dir: i64,
    t: i128,
    integer: bool,
    deadline: Option<Instant>,
) -> Found {
    if !state.may_move(p, dir as i128 * t) {
        return Found::Impossible;
    }
    let mut width = FIRST_WIDTH;
    loop {
        let (cells, whole) = candidates(s, model, state, p, width);
        match program(s, state, &cells, p, dir, t, integer, deadline) {
            Some(hide) => return Found::Hide(hide),
            None if whole => {
                let late = deadline.is_some_and(|d| Instant::now() > d);
                return if integer || late {
                    Found::Missed
                } else {
                    Found::Impossible
                };
            }
            None => {}
        }
        if deadline.is_some_and(|d| Instant::now() > d) {
            return Found::Missed;
        }
        width = width.saturating_mul(4);
    }
}

/// The cells of the box around `p` (in increasing order), and whether
/// they are every cell of the model.
fn candidates(
    s: &Structure,
    model: &cellbound_core::Model,
    state: &State,
    p: usize,
    width: usize,
) -> (Vec<usize>, bool) {
    let cref = s.refs[p];
    let table = &model.tables[cref.table];
    let at = &table.cells[cref.cell].at;
    if table.dimensions.iter().all(|d| d.len() <= width) {
        // The whole table: the other tables' cells join too.
        return ((0..s.len()).collect(), true);
    }
    let mut full = true;
    let mut axes: Vec<Vec<usize>> = Vec::new();
    for (d, dim) in table.dimensions.iter().enumerate() {
        let mut keep = vec![at[d]];
        let mut up = dim.parent(at[d]);
        while let Some(a) = up {
            keep.push(a);
            up = dim.parent(a);
        }
        let rank = |x: usize| -> Option<(bool, f64, usize)> {
            let mut c = at.clone();
            c[d] = x;
            let k = table.cell_at(&c)?;
            let g = s.global(cellbound_core::CellRef {
                table: cref.table,
                cell: k,
            });
            if state.kept[g] && !state.hidden[g] {
                return Some((true, f64::INFINITY, x));
            }
            Some((!state.hidden[g], state.weight(g), x))
        };
        let siblings: Vec<usize> = match dim.parent(at[d]) {
            Some(parent) => dim.children(parent).to_vec(),
            None => Vec::new(),
        };
        for group in [dim.children(at[d]).to_vec(), siblings] {
            let mut ranked: Vec<(bool, f64, usize)> = group
                .iter()
                .filter(|&&x| x != at[d])
                .filter_map(|&x| rank(x))
                .collect();
            ranked.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            if ranked.len() > width {
                full = false;
            }
            keep.extend(ranked.iter().take(width).map(|r| r.2));
        }
        keep.sort_unstable();
        keep.dedup();
        if keep.len() < dim.len() {
            full = false;
        }
        axes.push(keep);
    }
    if full {
        // The whole table: the other tables' cells join too.
        return ((0..s.len()).collect(), true);
    }
    let mut cells: Vec<usize> = axes
        .iter()
        .map(|a| a.iter().copied())
        .multi_cartesian_product()
        .filter_map(|c| table.cell_at(&c))
        .map(|k| {
            s.global(cellbound_core::CellRef {
                table: cref.table,
                cell: k,
            })
        })
        .collect();
    cells.sort_unstable();
    (cells, false)
}

/// The program over `cells` (others fixed at the truth): `d_p = dir * t`,
/// every relation kept, each cell within its domain, cost the price of
/// each published cell moved (per unit of `t`).
#[allow(clippy::too_many_arguments)]
fn program(
    s: &Structure,
    state: &State,
    cells: &[usize],
    p: usize,
    dir: i64,
    t: i128,
    integer: bool,
    deadline: Option<Instant>,
) -> Option<Vec<usize>> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    let mut problem = Problem::new(OptimizationDirection::Minimize);
    if let Some(d) = deadline {
        problem.set_time_limit(d.saturating_duration_since(Instant::now()));
    }
    let big = (i32::MAX / 2) as f64;
    let cap = |x: f64| x.min(big);
    // Per candidate: the variables (up, down) whose difference is d.
    let mut vars: Vec<Option<(microlp::Variable, microlp::Variable)>> = vec![None; s.len()];
    let tf = t as f64;
    for &g in cells {
        if g == p || (state.kept[g] && !state.hidden[g]) {
            continue;
        }
        let v = state.value[g] as f64;
        let down_room = cap(state.lo[g].map_or(f64::INFINITY, |l| (v - l as f64).max(0.0)));
        let up_room = cap(state.hi[g].map_or(f64::INFINITY, |h| (h as f64 - v).max(0.0)));
        let price = if state.hidden[g] {
            1e-6
        } else {
            state.price[g] / tf + 1e-6
        };
        let pair = if integer {
            (
                problem.add_integer_var(price, (0, up_room.min(big) as i32)),
                problem.add_integer_var(price, (0, down_room as i32)),
            )
        } else {
            (
                problem.add_var(price, (0.0, up_room)),
                problem.add_var(price, (0.0, down_room)),
            )
        };
        vars[g] = Some(pair);
    }
    let mut touched: Vec<usize> = cells
        .iter()
        .flat_map(|&g| s.on[g].iter().map(|&(r, _)| r))
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let dp = (dir as i128 * t) as f64;
    for r in touched {
        let rel = &s.relations[r];
        let mut rhs = rel.slack as f64;
        let mut terms = Vec::new();
        for &(g, coef) in &rel.terms {
            if g == p {
                rhs -= coef as f64 * dp;
            } else if let Some((up, down)) = vars[g] {
                terms.push((up, coef as f64));
                terms.push((down, -(coef as f64)));
            }
        }
        let op = match rel.op {
            Op::Eq => ComparisonOp::Eq,
            Op::Le => ComparisonOp::Le,
            Op::Ge => ComparisonOp::Ge,
        };
        if terms.is_empty() {
            let ok = match rel.op {
                Op::Eq => rhs.abs() < 1e-9,
                Op::Le => rhs >= -1e-9,
                Op::Ge => rhs <= 1e-9,
            };
            if !ok {
                return None;
            }
            continue;
        }
        problem.add_constraint(terms.as_slice(), op, rhs);
    }
    let solution = problem.solve().ok()?.into_solution().ok()?;
    let mut hide = Vec::new();
    for &g in cells {
        if let Some((up, down)) = vars[g] {
            let moved = solution.var_value(up) + solution.var_value(down);
            if moved > 1e-7 && !state.hidden[g] {
                hide.push(g);
            }
        }
    }
    Some(hide)
}
