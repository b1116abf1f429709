//! Derivations of bounds from the LP dual: solve the dual of `max x` (or
//! `max -x`) over the published lines and the cells' domains, round its
//! multipliers to small fractions, and keep them only if the exact check
//! of [`Derivation::check`] proves the very bound reported.

use cellbound_core::kernel::Limits;
use cellbound_core::proof::{self, Derivation, Ray, SearchTree, Side};
use cellbound_core::{Count, LinearSystem, Op};
use good_lp::{
    microlp, variable, Expression, ProblemVariables, ResolutionError, Solution, SolverModel,
    Variable,
};

use crate::components::Component;
use crate::error::SolveError;
use crate::flow::Network;
use crate::lp::{self, Sense};

/// Denominators tried when turning float multipliers into exact ones.
const DENOMINATORS: [i128; 8] = [1, 2, 3, 4, 6, 8, 12, 24];

/// A derivation proving `bound` for the system variable `var` (a member
/// of `component`), or `None` when the LP relaxation over the domains is
/// weaker than the integer bound (only the integer search proves it).
pub fn derive(
    system: &LinearSystem,
    component: &Component,
    var: usize,
    side: Side,
    bound: Count,
) -> Result<Option<Derivation>, SolveError> {
    let Some(multipliers) = dual_multipliers(system, component, var, side)? else {
        return Ok(None);
    };
    for d in DENOMINATORS {
        let scaled: Vec<(usize, i128)> = component
            .rows
            .iter()
            .zip(&multipliers)
            .filter_map(|(row, &y)| {
                let m = (y * d as f64).round() as i128;
                (m != 0).then_some((row.origin, m))
            })
            .collect();
        let derivation = Derivation {
            var,
            side,
            denominator: d,
            multipliers: scaled,
        };
        if derivation.check(system).is_ok_and(|c| c.bound == bound) {
            return Ok(Some(derivation));
        }
    }
    Ok(None)
}

/// Whether the rows `active` of a component can hold together within
/// `bounds`, settled in exact arithmetic: `true` when a combination of
/// them (equalities with any multiplier, `<=` rows with a nonnegative
/// one, `>=` rows with a nonpositive one) reads `c·x <= β` with the
/// least `c·x` the bounds allow above `β`. The multipliers come from a
/// Farkas LP and are kept only when that exact check passes: an LP's
/// word that the rows are contradictory is never taken on its own.
pub fn contradiction_proved(
    rows: &[crate::components::LocalRow],
    active: &[usize],
    bounds: &crate::presolve::Intervals,
) -> Result<bool, SolveError> {
    Ok(farkas_combination(rows, active, bounds)?.is_some())
}

/// The integer multipliers (one per active row, in order) of a
/// combination that [`contradiction_proved`] checks, if one is found.
fn farkas_combination(
    rows: &[crate::components::LocalRow],
    active: &[usize],
    bounds: &crate::presolve::Intervals,
) -> Result<Option<Vec<i128>>, SolveError> {
    let Some(y) = farkas_multipliers(rows, active, bounds)? else {
        return Ok(None);
    };
    let largest = y.iter().fold(0f64, |m, v| m.max(v.abs()));
    if largest == 0.0 {
        return Ok(None);
    }
    let scaled = |d: i128| -> Option<Vec<i128>> {
        Some(
            y.iter()
                .map(|&v| (v / largest * d as f64).round() as i128)
                .collect(),
        )
    };
    // Small denominators first; then each multiplier made a fraction and
    // all brought to their least common denominator; last, for multipliers
    // from an optimum face rather than a vertex (no small denominators),
    // scaled far up and rounded, which keeps most of the gap (checked
    // exactly all the same).
    let mut candidates = DENOMINATORS
        .iter()
        .map(|&d| scaled(d))
        .chain(std::iter::once_with(|| whole_multiples(&y, largest)))
        .chain([1_000, 1_000_000, 1_000_000_000].iter().map(|&d| scaled(d)))
        .flatten();
    Ok(candidates.find(|m| combination_contradicts(rows, active, bounds, m)))
}

/// The float multipliers `y` (largest magnitude `largest`) as integers in
/// the same ratios: each `y / largest` the nearest fraction with a
/// denominator up to 10,000 (continued fractions), times their least
/// common denominator; `None` when that passes 2^40.
fn whole_multiples(y: &[f64], largest: f64) -> Option<Vec<i128>> {
    const MAX_DENOMINATOR: i128 = 10_000;
    let fraction = |x: f64| -> (i128, i128) {
        // Convergents of the continued fraction of x.
        let (mut p0, mut q0, mut p1, mut q1) = (0i128, 1i128, 1i128, 0i128);
        let mut r = x;
        for _ in 0..40 {
            let a = r.floor();
            let (p2, q2) = (a as i128 * p1 + p0, a as i128 * q1 + q0);
            if q2 > MAX_DENOMINATOR {
                break;
            }
            (p0, q0, p1, q1) = (p1, q1, p2, q2);
            let rest = r - a;
            if rest.abs() < 1e-12 {
                break;
            }
            r = 1.0 / rest;
        }
        (p1, q1.max(1))
    };
    // Values at the solver's noise are zeros.
    let parts: Vec<(i128, i128)> = y
        .iter()
        .map(|&v| v / largest)
        .map(|x| if x.abs() < 1e-7 { (0, 1) } else { fraction(x) })
        .collect();
    let gcd = |mut a: i128, mut b: i128| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a.abs()
    };
    let mut lcm: i128 = 1;
    for &(_, q) in &parts {
        lcm = lcm / gcd(lcm, q) * q;
        if lcm > 1 << 40 {
            return None;
        }
    }
    Some(parts.iter().map(|&(p, q)| p * (lcm / q)).collect())
}

/// How many nodes the search for one bound's tree may visit: a proof is
/// written only when it is small.
pub const TREE_NODES: usize = 64;

/// A search tree ([`SearchTree`]) proving `bound` for the system variable
/// `var` of `component` on `side`, where the LP relaxation is weaker than
/// the integer bound: the box `start` past the bound, split on the most fractional
/// variable of an LP point until each part has a Farkas combination
/// (checked exactly), within [`TREE_NODES`] nodes. `None` past that, when
/// the solver breaks down, or when the tree does not pass core's check.
pub fn search_tree(
    system: &LinearSystem,
    component: &Component,
    start: &TreeBox,
    var: usize,
    side: Side,
    bound: Count,
) -> Option<SearchTree> {
    let local = component.vars.binary_search(&var).ok()?;
    let mut bounds = crate::presolve::Intervals {
        lo: start.local.iter().map(|l| l.0).collect(),
        hi: start.local.iter().map(|l| l.1).collect(),
    };
    let root = start.local[local];
    let b = bound as i128;
    let past = match side {
        Side::Upper => b + 1,
        Side::Lower => b - 1,
    };
    match side {
        Side::Upper => bounds.lo[local] = Some(root.0.map_or(past, |l| l.max(past))),
        Side::Lower => bounds.hi[local] = Some(root.1.map_or(past, |h| h.min(past))),
    }
    let all: Vec<usize> = (0..component.rows.len()).collect();
    let mut budget = TREE_NODES;
    let claim = Claim { local, side, past };
    let tree = grow(component, &all, &mut bounds, &claim, root, &mut budget)?;
    // Checked as `verify` will: from the same propagation over every cell.
    tree.check(system, &start.full, var, side, bound)
        .is_ok()
        .then_some(tree)
}

/// The box [`search_tree`] starts from, once per component: the domains
/// narrowed by propagation (so that no cell is unbounded where a line
/// bounds it, and the solver's noise on such a cell does no harm), over
/// the component's cells and, for core's check, over every cell of the
/// system (the others at their domains).
pub struct TreeBox {
    local: Vec<Limits>,
    full: Vec<Limits>,
}

impl TreeBox {
    /// `None` when propagation finds the lines contradictory.
    pub fn of(system: &LinearSystem, component: &Component) -> Option<TreeBox> {
        let local = cellbound_core::kernel::box_of(system, &component.vars).ok()?;
        let mut full = SearchTree::domains(system);
        for (&v, &l) in component.vars.iter().zip(&local) {
            full[v] = l;
        }
        Some(TreeBox { local, full })
    }
}

/// The cell past whose bound [`search_tree`] looks, and that value.
struct Claim {
    local: usize,
    side: Side,
    past: i128,
}

/// One node of [`search_tree`] over `bounds` (restored on return).
fn grow(
    component: &Component,
    all: &[usize],
    bounds: &mut crate::presolve::Intervals,
    claim: &Claim,
    root: (Option<i128>, Option<i128>),
    budget: &mut usize,
) -> Option<SearchTree> {
    *budget = budget.checked_sub(1)?;
    if bounds.is_empty() {
        return Some(SearchTree::Leaf(Vec::new()));
    }
    if let Some(y) = farkas_combination(&component.rows, all, bounds).ok()? {
        let lines = all
            .iter()
            .zip(y)
            .filter(|&(_, m)| m != 0)
            .map(|(&r, m)| (component.rows[r].origin, m))
            .collect();
        return Some(SearchTree::Leaf(lines));
    }
    let point = match lp::solve(&component.rows, all, bounds, None, false).ok()? {
        lp::Answer::Point(point) => point,
        // An LP that calls the box empty at the edge of its tolerance,
        // with no combination to show it: the point that goes furthest
        // towards the claim without the claim's own limit, if it reaches
        // it, is where to split.
        lp::Answer::Infeasible => {
            let mut open = bounds.clone();
            let (sense, reached): (Sense, fn(f64, i128) -> bool) = match claim.side {
                Side::Upper => {
                    open.lo[claim.local] = root.0;
                    (Sense::Max, |x, past| x >= past as f64 - 1e-6)
                }
                Side::Lower => {
                    open.hi[claim.local] = root.1;
                    (Sense::Min, |x, past| x <= past as f64 + 1e-6)
                }
            };
            match lp::solve(
                &component.rows,
                all,
                &open,
                Some((claim.local, sense)),
                false,
            )
            .ok()?
            {
                lp::Answer::Point(p) if reached(p[claim.local], claim.past) => p,
                _ => return None,
            }
        }
        _ => return None,
    };
    // The most fractional variable; an integral point ends the search (it
    // may be a table past the bound, which the bound rules out, or the
    // LP's rounding: either way no tree).
    let (j, x) = point
        .iter()
        .enumerate()
        .map(|(j, &x)| (j, x, (x - x.floor() - 0.5).abs()))
        .filter(|&(_, _, d)| d < 0.5 - 1e-6)
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .map(|(j, x, _)| (j, x))?;
    let at = x.floor() as i128;
    let (old_lo, old_hi) = (bounds.lo[j], bounds.hi[j]);
    bounds.hi[j] = Some(old_hi.map_or(at, |h| h.min(at)));
    let below = grow(component, all, bounds, claim, root, budget);
    bounds.hi[j] = old_hi;
    let below = below?;
    bounds.lo[j] = Some(old_lo.map_or(at + 1, |l| l.max(at + 1)));
    let above = grow(component, all, bounds, claim, root, budget);
    bounds.lo[j] = old_lo;
    Some(SearchTree::Branch {
        var: component.vars[j],
        at: Count::try_from(at).ok()?,
        below: Box::new(below),
        above: Box::new(above?),
    })
}

/// The exact check of [`contradiction_proved`] for integer multipliers
/// `y` (one per active row, in order): core's, on the component's rows.
fn combination_contradicts(
    rows: &[crate::components::LocalRow],
    active: &[usize],
    bounds: &crate::presolve::Intervals,
    y: &[i128],
) -> bool {
    let multipliers = active.iter().copied().zip(y.iter().copied());
    proof::combination_contradicts(rows, multipliers, &bounds.lo, &bounds.hi).is_ok()
}

/// Farkas multipliers for the rows `active` over `bounds`: maximise the
/// least `c·x` over the bounds less `β` for `c·x <= β` a signed
/// combination of the rows, multipliers within `[-1, 1]`; `None` when the
/// LP finds no positive gap.
fn farkas_multipliers(
    rows: &[crate::components::LocalRow],
    active: &[usize],
    bounds: &crate::presolve::Intervals,
) -> Result<Option<Vec<f64>>, SolveError> {
    let mut vars = ProblemVariables::new();
    let ys: Vec<Variable> = active
        .iter()
        .map(|&r| {
            let (lo, hi) = match rows[r].op {
                Op::Eq => (-1.0, 1.0),
                Op::Le => (0.0, 1.0),
                Op::Ge => (-1.0, 0.0),
            };
            vars.add(variable().min(lo).max(hi))
        })
        .collect();
    let n = bounds.lo.len();
    let mut column: Vec<Expression> = vec![Expression::default(); n];
    let mut objective = Expression::default();
    for (&r, &y) in active.iter().zip(&ys) {
        let row = &rows[r];
        objective.add_mul(-(row.rhs as f64), y);
        for &(v, a) in &row.terms {
            column[v].add_mul(a as f64, y);
        }
    }
    // c_v = p_v - q_v: p_v pays at the lower end, q_v at the upper one.
    for (v, col) in column.iter_mut().enumerate() {
        if let Some(lo) = bounds.lo[v] {
            let p = vars.add(variable().min(0));
            objective.add_mul(lo as f64, p);
            col.add_mul(-1.0, p);
        }
        if let Some(hi) = bounds.hi[v] {
            let q = vars.add(variable().min(0));
            objective.add_mul(-(hi as f64), q);
            col.add_mul(1.0, q);
        }
    }
    let mut model = vars.maximise(objective.clone()).using(microlp);
    for col in column {
        model.add_constraint(col.eq(0.0));
    }
    match model.solve() {
        Ok(solution) if solution.eval(&objective) > 0.0 => {
            Ok(Some(ys.iter().map(|&y| solution.value(y)).collect()))
        }
        Ok(_) => Ok(None),
        Err(ResolutionError::Infeasible) | Err(ResolutionError::Unbounded) => Ok(None),
        Err(e) => Err(SolveError::Solver(e.to_string())),
    }
}

/// A derivation of `bound` for local variable `local` of a network
/// component from a table `values` reaching it: the cut the flow leaves
/// (the rows on one side of it, summed with their signs), or no line at
/// all when the bound is the cell's own limit. No LP; `None` unless core's
/// exact check proves exactly `bound`.
pub fn by_cut(
    system: &LinearSystem,
    component: &Component,
    net: &Network,
    local: usize,
    side: Side,
    bound: Count,
    values: &[Count],
) -> Option<Derivation> {
    let var = component.vars[local];
    let proves = |d: &Derivation| d.check(system).is_ok_and(|c| c.bound == bound);
    let dom = system.vars[var].domain;
    let own = match side {
        Side::Upper => dom.hi == Some(bound),
        Side::Lower => dom.lo == Some(bound),
    };
    if own {
        let d = Derivation {
            var,
            side,
            denominator: 1,
            multipliers: Vec::new(),
        };
        if proves(&d) {
            return Some(d);
        }
    }
    let rows = net.cut(values, local, side == Side::Upper)?;
    let d = Derivation {
        var,
        side,
        denominator: 1,
        multipliers: rows
            .into_iter()
            .map(|(r, m)| (component.rows[r].origin, m as i128))
            .collect(),
    };
    proves(&d).then_some(d)
}

/// The dual multipliers of the component's rows for `max x` (upper) or
/// `max -x` (lower), `None` if the dual has no optimum.
fn dual_multipliers(
    system: &LinearSystem,
    component: &Component,
    var: usize,
    side: Side,
) -> Result<Option<Vec<f64>>, SolveError> {
    let mut vars = ProblemVariables::new();
    // A free multiplier is split as y+ - y-: microlp cycled on free
    // variables here.
    let ys: Vec<Expression> = component
        .rows
        .iter()
        .map(|row| {
            let plus = matches!(row.op, Op::Eq | Op::Le).then(|| vars.add(variable().min(0)));
            let minus = matches!(row.op, Op::Eq | Op::Ge).then(|| vars.add(variable().min(0)));
            let mut y = Expression::default();
            if let Some(p) = plus {
                y.add_mul(1.0, p);
            }
            if let Some(m) = minus {
                y.add_mul(-1.0, m);
            }
            y
        })
        .collect();
    let n = component.vars.len();
    let mut objective = Expression::default();
    for (row, y) in component.rows.iter().zip(&ys) {
        objective.add_mul(row.rhs as f64, y.clone());
    }
    // p_i pays for an upper limit, q_i for a lower one.
    let mut column: Vec<Expression> = vec![Expression::default(); n];
    for (row, y) in component.rows.iter().zip(&ys) {
        for &(i, c) in &row.terms {
            column[i].add_mul(c as f64, y.clone());
        }
    }
    for (i, col) in column.iter_mut().enumerate() {
        let dom = system.vars[component.vars[i]].domain;
        if let Some(hi) = dom.hi {
            let p = vars.add(variable().min(0));
            objective.add_mul(hi as f64, p);
            col.add_mul(1.0, p);
        }
        if let Some(lo) = dom.lo {
            let q = vars.add(variable().min(0));
            objective.add_mul(-(lo as f64), q);
            col.add_mul(-1.0, q);
        }
    }
    let target = component
        .vars
        .binary_search(&var)
        .expect("the variable is in its component");
    let sign = match side {
        Side::Upper => 1.0,
        Side::Lower => -1.0,
    };
    let mut model = vars.minimise(objective).using(microlp);
    for (i, col) in column.into_iter().enumerate() {
        let c = if i == target { sign } else { 0.0 };
        model.add_constraint(col.eq(c));
    }
    match model.solve() {
        Ok(solution) => Ok(Some(ys.iter().map(|y| solution.eval(y)).collect())),
        Err(ResolutionError::Infeasible) | Err(ResolutionError::Unbounded) => Ok(None),
        // The bound is proved already; only its derivation is missing
        // when the solver breaks down on the dual (microlp reports a
        // singular matrix on some cubes), and `verify` then says so.
        Err(_) => Ok(None),
    }
}

/// A ray proving that `var` has no upper bound (`side` upper) or no lower
/// bound (`side` lower), found by an LP over directions and made exact by
/// scaling; `None` if none is found.
pub fn ray(
    system: &LinearSystem,
    component: &Component,
    var: usize,
    side: Side,
) -> Result<Option<Ray>, SolveError> {
    let mut vars = ProblemVariables::new();
    // A cell moves up only where it has no upper limit, down only where
    // it has no lower one.
    let steps: Vec<Option<Variable>> = component
        .vars
        .iter()
        .map(|&v| {
            let d = system.vars[v].domain;
            let down = if d.lo.is_none() { -1e6 } else { 0.0 };
            let up = if d.hi.is_none() { 1e6 } else { 0.0 };
            (down < up).then(|| vars.add(variable().min(down).max(up)))
        })
        .collect();
    let target = component
        .vars
        .binary_search(&var)
        .expect("the variable is in its component");
    let Some(target_step) = steps[target] else {
        return Ok(None);
    };
    let mut model = vars.minimise(Expression::default()).using(microlp);
    let toward = match side {
        Side::Upper => 1.0,
        Side::Lower => -1.0,
    };
    model.add_constraint(Expression::from(target_step).eq(toward));
    for row in &component.rows {
        let mut moved = Expression::default();
        for &(i, c) in &row.terms {
            if let Some(s) = steps[i] {
                moved.add_mul(c as f64, s);
            }
        }
        model.add_constraint(lp::constraint(moved, row.op, 0.0));
    }
    let solution = match model.solve() {
        Ok(s) => s,
        Err(ResolutionError::Infeasible) | Err(ResolutionError::Unbounded) => return Ok(None),
        Err(e) => return Err(SolveError::Solver(e.to_string())),
    };
    for d in DENOMINATORS {
        let ray = Ray {
            var,
            side,
            steps: component
                .vars
                .iter()
                .zip(&steps)
                .filter_map(|(&v, s)| {
                    let x = s.map(|s| (solution.value(s) * d as f64).round() as i64)?;
                    (x != 0).then_some((v, x))
                })
                .collect(),
        };
        if ray.check(system).is_ok() {
            return Ok(Some(ray));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::components::LocalRow;
    use crate::presolve::Intervals;

    #[test]
    fn a_contradiction_is_proved_exactly_and_a_feasible_system_never() {
        // x + y = 10 with x, y in 0..4: no table. The combination is the
        // row itself: 0 + 0 ... the least x + y is 0, not above 10; taken
        // negatively, -x - y <= -10 has least -8 > -10.
        let rows = vec![LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 10)];
        let four = Intervals::new(&[Some(0), Some(0)], &[Some(4), Some(4)]);
        assert!(contradiction_proved(&rows, &[0], &four).unwrap());
        assert!(combination_contradicts(&rows, &[0], &four, &[-1]));
        assert!(!combination_contradicts(&rows, &[0], &four, &[1]));
        // Within 0..5 the same row holds: nothing proves otherwise.
        let five = Intervals::new(&[Some(0), Some(0)], &[Some(5), Some(5)]);
        assert!(!contradiction_proved(&rows, &[0], &five).unwrap());
        // Inequalities take multipliers of one sign only: x <= 3 and
        // x >= 5 contradict, with +1 on the first and -1 on the second.
        let rows = vec![
            LocalRow::of(&[(0, 1)], Op::Le, 3),
            LocalRow::of(&[(0, 1)], Op::Ge, 5),
        ];
        let free = Intervals::new(&[None], &[None]);
        assert!(contradiction_proved(&rows, &[0, 1], &free).unwrap());
        assert!(combination_contradicts(&rows, &[0, 1], &free, &[1, -1]));
        assert!(!combination_contradicts(&rows, &[0, 1], &free, &[-1, 1]));
        // A cell with no lower limit: x + y = 6 holds (x = 2, y = 4), and
        // x + y = 10 does not (both at most 4), proved with the row taken
        // negatively, whose least value needs only the upper limits.
        let open_below = Intervals::new(&[None, Some(0)], &[Some(4), Some(4)]);
        let six = vec![LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 6)];
        assert!(!contradiction_proved(&six, &[0], &open_below).unwrap());
        let ten = vec![LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 10)];
        assert!(contradiction_proved(&ten, &[0], &open_below).unwrap());
    }
}
