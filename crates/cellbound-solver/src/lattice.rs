//! Integer tables through the lattice of the lines, for components where
//! branch and bound over the cells finds none, or where probing every
//! cell costs more than the lattice (the large 3-D cubes). The equality
//! rows' integer solutions are `x0 + C y` for all integer `y`, where the
//! columns of `C` span the integer kernel: a few dozen coordinates `y`
//! instead of thousands of cells. Reduced (LLL) with each cell scaled by
//! its range, that basis makes every step along a coordinate long next
//! to the box (Aardal, Hurkens and Lenstra, "Solving a system of linear
//! Diophantine equations with lower and upper bounds on the variables",
//! 2000). Three tests, cheapest first, can show the box holds one table
//! at most: the rows leave no rational freedom; every Gram-Schmidt step
//! of the basis is longer than twice the box's diagonal; the LP range of
//! each coordinate over the box holds a single integer.
//!
//! Large synthetic cubes pass the second: their only table is their
//! truth, every hidden cell is determined, which neither an LP over the
//! cells nor a long branch and bound shows (docs/benchmarks.md).
//!
//! Everything up to the Gram-Schmidt data is exact (`i128`, checked:
//! past it, the search gives up); the tables found are checked like any
//! other.

use std::time::{Duration, Instant};

use cellbound_core::model::within;
use cellbound_core::system::merge_terms;
use cellbound_core::system::LinearSystem;
use cellbound_core::{kernel, rank};
use cellbound_core::{Count, Op};

use crate::components::{Component, LocalRow};
use crate::error::SolveError;
use crate::lp::{self, Answer, Sense};
use crate::presolve::Intervals;
use crate::reason::LatticeStop;

/// Kernels of more dimensions are not searched: a few dozen coordinates
/// are quick, a few hundred find nothing in reasonable time (the
/// measurements are in docs/benchmarks.md); and each LP here grows as
/// cells times coordinates.
pub const MAX_COORDINATES: usize = 64;

/// How far the coordinates may go in the LP: with the reduced basis and
/// the particular solution moved next to the LP vertex, they stay small;
/// a range that reaches this is not trusted.
const COORDINATE_LIMIT: i128 = 1 << 20;

/// The size past which the kernel's basis is reduced again while the
/// rows are added (well inside `i128`, and inside the `f64` that guides
/// the reduction).
const GROWN: u128 = 1 << 24;

/// How hard [`search`] tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LatticeEffort {
    /// Only the cheap tests that can show the box holds one table at most
    /// (no rational freedom, every step longer than the box): no program.
    CheapOnly,
    /// Those, then the LP range of each coordinate and an integer program
    /// over the coordinates, which may run this long.
    Full(Duration),
}

/// What the search found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lattice {
    /// The only integer table, by one of the three tests of the module
    /// documentation. Checked against every row and domain.
    Unique(Vec<Count>),
    /// An integer table, checked, possibly one of several.
    Found(Vec<Count>),
    /// Nothing, and why.
    Nothing(LatticeStop),
}

/// Looks for an integer table of the `active` rows of `component` within
/// `bounds`, near the LP point `near`, through the lattice of its
/// equality rows, as hard as `effort` says.
pub fn search(
    component: &Component,
    active: &[usize],
    bounds: &Intervals,
    near: &[f64],
    effort: LatticeEffort,
    deadline: Option<Instant>,
) -> Result<Lattice, SolveError> {
    let n = bounds.lo.len();
    let rows: Vec<&LocalRow> = active.iter().map(|&r| &component.rows[r]).collect();
    let Some(affine) = Affine::of(n, &rows, near) else {
        return Ok(Lattice::Nothing(LatticeStop::Past128Bits));
    };
    let mut affine = match affine {
        Ok(affine) => affine,
        Err(why) => return Ok(Lattice::Nothing(why)),
    };
    // At most MAX_COORDINATES: `Affine::of` refuses more.
    let d = affine.basis.len();
    if affine.reduce(bounds, near).is_none() {
        return Ok(Lattice::Nothing(LatticeStop::Past128Bits));
    }
    // With no coordinate at all, or every step of the lattice longer than
    // the box is wide, the box holds one integer table at most; the point
    // found next to `near` is then the only one if it is one at all.
    if d == 0 || affine.steps_longer_than(bounds) {
        if let Some(values) = affine.at(&vec![0; d]).filter(|t| admits(t, bounds, &rows)) {
            return Ok(Lattice::Unique(values));
        }
    }
    let LatticeEffort::Full(limit) = effort else {
        return Ok(Lattice::Nothing(LatticeStop::StepsNotLonger));
    };
    let Some(coordinate_rows) = affine.rows_over_coordinates(bounds, &rows) else {
        return Ok(Lattice::Nothing(LatticeStop::CoefficientsPast64Bits));
    };
    let all: Vec<usize> = (0..coordinate_rows.len()).collect();
    let wide = Intervals {
        lo: vec![Some(-COORDINATE_LIMIT); d],
        hi: vec![Some(COORDINATE_LIMIT); d],
    };
    // Each coordinate's LP range, rounded inward.
    let mut ranges = Intervals {
        lo: vec![Some(0); d],
        hi: vec![Some(0); d],
    };
    for q in 0..d {
        if deadline.is_some_and(|t| Instant::now() >= t) {
            return Ok(Lattice::Nothing(LatticeStop::OutOfTime));
        }
        for sense in [Sense::Min, Sense::Max] {
            let end = match lp::solve(&coordinate_rows, &all, &wide, Some((q, sense)), false)? {
                Answer::Point(p) => p[q],
                Answer::Infeasible => return Ok(Lattice::Nothing(LatticeStop::LpInfeasible)),
                Answer::Unbounded | Answer::OutOfTime => {
                    return Ok(Lattice::Nothing(LatticeStop::LpNoOptimum))
                }
            };
            let tolerance = 1e-6 * end.abs().max(1.0);
            match sense {
                Sense::Min => ranges.lo[q] = Some((end - tolerance).ceil() as i128),
                Sense::Max => ranges.hi[q] = Some((end + tolerance).floor() as i128),
            }
        }
        let (lo, hi) = (
            ranges.lo[q].expect("set above"),
            ranges.hi[q].expect("set above"),
        );
        if lo <= -COORDINATE_LIMIT || hi >= COORDINATE_LIMIT {
            return Ok(Lattice::Nothing(LatticeStop::RangeTooWide));
        }
        if lo > hi {
            return Ok(Lattice::Nothing(LatticeStop::NoIntegerCoordinate));
        }
    }
    let unique = (0..d).all(|q| ranges.hi[q] == ranges.lo[q]);
    let y = if unique {
        ranges
            .lo
            .iter()
            .map(|l| l.expect("set above"))
            .collect::<Vec<i128>>()
    } else {
        match lp::solve_within(
            &coordinate_rows,
            &all,
            &ranges,
            None,
            true,
            limit.as_secs_f64(),
        )? {
            Answer::Point(p) => p.iter().map(|&v| v.round() as i128).collect(),
            _ => return Ok(Lattice::Nothing(LatticeStop::ProgramFoundNothing)),
        }
    };
    let Some(values) = affine.at(&y) else {
        return Ok(Lattice::Nothing(LatticeStop::TablePastCounts));
    };
    if !admits(&values, bounds, &rows) {
        return Ok(Lattice::Nothing(LatticeStop::TableFailsCheck));
    }
    Ok(if unique {
        Lattice::Unique(values)
    } else {
        Lattice::Found(values)
    })
}

/// Whether `values` lie within `bounds` and satisfy every row, exactly.
/// A certificate ([`kernel::ShortKernel`]) that the hidden cells `vars`
/// of `system` have at most one table in their box, for `verify` to
/// check without the solver: the integer kernel of their equality lines,
/// reduced with each cell scaled by its width in [`kernel::box_of`]'s box,
/// with minors whose determinants are coprime. `base` is a
/// table of the cells (it guides only where the search starts). `None`
/// when the kernel has no dimension (full rank certifies that), more
/// than [`MAX_COORDINATES`], numbers past 128 bits, no coprime minors
/// are found, or the certificate does not check: a certificate returned has
/// passed [`kernel::check`], whose lengths come with it.
///
pub fn short_kernel(
    system: &LinearSystem,
    vars: &[usize],
    base: &[Count],
) -> Option<(kernel::ShortKernel, kernel::Lengths)> {
    let n = vars.len();
    let mut rows: Vec<LocalRow> = Vec::new();
    for (r, terms) in rank::rows_through(system, vars).ok()? {
        let row = &system.rows[r];
        if row.op != Op::Eq {
            continue;
        }
        let terms = terms
            .into_iter()
            .map(|(p, c)| i64::try_from(c).ok().map(|c| (p, c)))
            .collect::<Option<Vec<_>>>()?;
        rows.push(LocalRow {
            terms,
            op: row.op,
            rhs: row.rhs,
            origin: r,
        });
    }
    let refs: Vec<&LocalRow> = rows.iter().collect();
    let near: Vec<f64> = base.iter().map(|&x| x as f64).collect();
    let mut affine = Affine::of(n, &refs, &near)?.ok()?;
    if affine.basis.is_empty() {
        return None;
    }
    let bx = kernel::box_of(system, vars).ok()?;
    let bounds = Intervals {
        lo: bx.iter().map(|b| b.0).collect(),
        hi: bx.iter().map(|b| b.1).collect(),
    };
    affine.reduce(&bounds, &near)?;
    let basis: Vec<Vec<(usize, i128)>> = affine
        .basis
        .iter()
        .map(|b| {
            b.iter()
                .enumerate()
                .filter(|&(_, &x)| x != 0)
                .map(|(p, &x)| (p, x))
                .collect()
        })
        .collect();
    let cert = kernel::ShortKernel {
        minors: kernel::coprime_minors(n, &basis)?,
        basis,
        prime: rank::PRIME,
    };
    let lengths = kernel::check(system, vars, &cert).ok()?;
    Some((cert, lengths))
}

fn admits(values: &[Count], bounds: &Intervals, rows: &[&LocalRow]) -> bool {
    let within = values
        .iter()
        .enumerate()
        .all(|(v, &x)| within(x as i128, bounds.lo[v], bounds.hi[v]));
    within && rows.iter().all(|r| r.holds(values))
}

/// The integer solutions of the equality rows: `origin + sum(y_q * basis[q])`
/// over all integer `y`.
#[derive(Debug, Clone)]
struct Affine {
    origin: Vec<i128>,
    basis: Vec<Vec<i128>>,
}

impl Affine {
    /// `None` past 128 bits; `Some(Err(why))` when the equality rows have
    /// no integer solution at all, or too many dimensions to search. When
    /// they have a single solution, it must be `near`, rounded.
    fn of(n: usize, rows: &[&LocalRow], near: &[f64]) -> Option<Result<Affine, LatticeStop>> {
        let eliminated = match Elimination::run(n, rows)? {
            Ok(e) => e,
            Err(why) => return Some(Err(why)),
        };
        // The kernel's dimension first (the rank of the rows left, modulo
        // a large prime, is at most their rank): reducing a basis past
        // the searched dimensions would be time lost.
        let d = eliminated.free.len() - eliminated.rank_modulo_prime();
        if d == 0 {
            // Full rank modulo the prime is full rank: one solution, which
            // the LP found (and the Euclid steps below would reach only
            // through huge numbers).
            let equalities = rows.iter().filter(|r| r.op == Op::Eq);
            return Some(
                match crate::witness::round(near).filter(|x| equalities.clone().all(|r| r.holds(x)))
                {
                    Some(x) => Ok(Affine {
                        origin: x.iter().map(|&x| x as i128).collect(),
                        basis: Vec::new(),
                    }),
                    None => Err(LatticeStop::SingleSolutionNotWhole),
                },
            );
        }
        if d > MAX_COORDINATES {
            return Some(Err(LatticeStop::TooManyDimensions {
                dimensions: d,
                searched: MAX_COORDINATES,
            }));
        }
        let over_free = match eliminated.kernel_of_rest()? {
            Ok(k) => k,
            Err(why) => return Some(Err(why)),
        };
        // Lift from the free variables to all of them.
        let lift = |free_values: &[i128], with_constant: bool| -> Option<Vec<i128>> {
            let mut x = vec![0i128; n];
            for (i, &v) in eliminated.free.iter().enumerate() {
                x[v] = free_values[i];
            }
            for (v, expr) in eliminated.expressions.iter().enumerate() {
                let Some((constant, terms)) = expr else {
                    continue;
                };
                let mut value = if with_constant { *constant } else { 0 };
                for &(u, c) in terms {
                    value = value.checked_add(c.checked_mul(free_values[eliminated.at[u]])?)?;
                }
                x[v] = value;
            }
            Some(x)
        };
        let origin = lift(&over_free.origin, true)?;
        let basis = over_free
            .basis
            .iter()
            .map(|b| lift(b, false))
            .collect::<Option<Vec<_>>>()?;
        // The lattice lies in the solutions, checked exactly: a wrong
        // step above must not pass as a proof.
        let sum = |row: &LocalRow, x: &[i128]| -> Option<i128> {
            row.terms.iter().try_fold(0i128, |acc, &(v, c)| {
                acc.checked_add((c as i128).checked_mul(x[v])?)
            })
        };
        for row in rows.iter().filter(|r| r.op == Op::Eq) {
            if sum(row, &origin)? != row.rhs || basis.iter().any(|b| sum(row, b) != Some(0)) {
                return Some(Err(LatticeStop::KernelFailsCheck));
            }
        }
        Some(Ok(Affine { origin, basis }))
    }

    /// Reduces the basis with each variable scaled by the inverse of its
    /// range, and moves the origin next to `near` (nearest plane).
    fn reduce(&mut self, bounds: &Intervals, near: &[f64]) -> Option<()> {
        const CAP: i128 = 1000;
        let weight: Vec<i128> = (0..self.origin.len())
            .map(|v| {
                let range = match (bounds.lo[v], bounds.hi[v]) {
                    (Some(l), Some(h)) => (h - l).clamp(1, CAP),
                    _ => CAP,
                };
                10 * CAP / range
            })
            .collect();
        let mut scaled: Vec<Vec<i128>> = self
            .basis
            .iter()
            .map(|b| {
                b.iter()
                    .zip(&weight)
                    .map(|(&x, &w)| x.checked_mul(w))
                    .collect()
            })
            .collect::<Option<_>>()?;
        let gso = lll(&mut scaled)?;
        self.basis = scaled
            .iter()
            .map(|b| b.iter().zip(&weight).map(|(&x, &w)| x / w).collect())
            .collect();
        nearest_plane(&mut self.origin, near, &self.basis, &scaled, &gso, &weight)
    }

    /// Whether every nonzero vector of the lattice is longer than the
    /// box's diagonal, so that no two integer points fit in the box. Any
    /// basis bounds the shortest vector from below by its shortest
    /// Gram-Schmidt vector; that is computed in floating point, so it
    /// must beat the diagonal twice over.
    fn steps_longer_than(&self, bounds: &Intervals) -> bool {
        let mut diagonal = 0f64;
        for (lo, hi) in bounds.lo.iter().zip(&bounds.hi) {
            let (Some(lo), Some(hi)) = (lo, hi) else {
                return false;
            };
            diagonal += ((hi - lo) as f64).powi(2);
        }
        let Some(gso) = gram_schmidt(&self.basis) else {
            return false;
        };
        gso.norm.iter().all(|&n| n > 4.0 * diagonal)
    }

    /// Every domain bound and every inequality row, over the coordinates:
    /// `lo - origin_v <= sum(basis[q][v] * y_q) <= hi - origin_v`. The
    /// equality rows hold for every `y`.
    fn rows_over_coordinates(
        &self,
        bounds: &Intervals,
        rows: &[&LocalRow],
    ) -> Option<Vec<LocalRow>> {
        let d = self.basis.len();
        let over = |coefficient: &dyn Fn(usize) -> i128| -> Option<Vec<(usize, i64)>> {
            (0..d)
                .filter_map(|q| {
                    let c = coefficient(q);
                    (c != 0).then(|| i64::try_from(c).ok().map(|c| (q, c)))
                })
                .collect()
        };
        let mut out = Vec::new();
        for v in 0..self.origin.len() {
            let terms = over(&|q| self.basis[q][v])?;
            if terms.is_empty() {
                continue; // a fixed value, checked with the table
            }
            if let Some(l) = bounds.lo[v] {
                out.push(LocalRow {
                    terms: terms.clone(),
                    op: Op::Ge,
                    rhs: l - self.origin[v],
                    origin: 0,
                });
            }
            if let Some(h) = bounds.hi[v] {
                out.push(LocalRow {
                    terms,
                    op: Op::Le,
                    rhs: h - self.origin[v],
                    origin: 0,
                });
            }
        }
        for row in rows.iter().filter(|r| r.op != Op::Eq) {
            let along = |q: usize| {
                row.terms
                    .iter()
                    .map(|&(v, c)| c as i128 * self.basis[q][v])
                    .sum::<i128>()
            };
            let terms = over(&along)?;
            let at_origin: i128 = row
                .terms
                .iter()
                .map(|&(v, c)| c as i128 * self.origin[v])
                .sum();
            out.push(LocalRow {
                terms,
                op: row.op,
                rhs: row.rhs - at_origin,
                origin: 0,
            });
        }
        Some(out)
    }

    /// The table at coordinates `y`, `None` past the counts.
    fn at(&self, y: &[i128]) -> Option<Vec<Count>> {
        (0..self.origin.len())
            .map(|v| {
                let mut x = self.origin[v];
                for (q, &yq) in y.iter().enumerate() {
                    x = x.checked_add(yq.checked_mul(self.basis[q][v])?)?;
                }
                Count::try_from(x).ok()
            })
            .collect()
    }
}

/// `constant + sum(c * x_v)`, or a row `sum(c * x_v) = constant`.
type Linear = (i128, Vec<(usize, i128)>);

/// Equality rows with a coefficient of 1 or -1 substituted away, exactly:
/// each eliminated variable is `constant + sum(c * free)`, and the rows
/// left hold over the free variables only.
struct Elimination {
    free: Vec<usize>,
    /// For each variable, its position in `free` (meaningless if eliminated).
    at: Vec<usize>,
    expressions: Vec<Option<Linear>>,
    rest: Vec<Linear>,
}

impl Elimination {
    /// `None` past 128 bits; `Some(Err(why))` when the rows contradict.
    fn run(n: usize, rows: &[&LocalRow]) -> Option<Result<Elimination, LatticeStop>> {
        let mut eqs: Vec<Linear> = rows
            .iter()
            .filter(|r| r.op == Op::Eq)
            .map(|r| {
                // A variable named twice in a row counts once, summed.
                let terms = r.terms.iter().map(|&(v, c)| (v, c as i128)).collect();
                (
                    r.rhs,
                    merge_terms(terms)
                        .expect("i64 coefficients widened to i128 add up within i128"),
                )
            })
            .collect();
        let mut alive = vec![true; eqs.len()];
        let mut occurs: Vec<Vec<usize>> = vec![Vec::new(); n];
        // The number of live rows each variable is in (`occurs` may hold
        // rows it has left).
        let mut count = vec![0usize; n];
        for (i, (_, terms)) in eqs.iter().enumerate() {
            for &(v, _) in terms {
                occurs[v].push(i);
                count[v] += 1;
            }
        }
        let mut order = Vec::new();
        let mut pivot_expr: Vec<Option<Linear>> = vec![None; n];
        loop {
            // The unit pivot touching the fewest entries (Markowitz), to
            // keep the rows sparse and the numbers small.
            let mut best: Option<(usize, usize, usize)> = None;
            for (i, (rhs, terms)) in eqs.iter().enumerate() {
                if !alive[i] {
                    continue;
                }
                if terms.is_empty() {
                    if *rhs != 0 {
                        return Some(Err(LatticeStop::Contradiction));
                    }
                    continue;
                }
                for &(v, c) in terms {
                    if c.abs() == 1 {
                        let cost = (terms.len() - 1) * (count[v] - 1);
                        if best.is_none_or(|b| cost < b.0) {
                            best = Some((cost, i, v));
                        }
                    }
                }
            }
            let Some((_, i, v)) = best else { break };
            alive[i] = false;
            let (rhs, terms) = eqs[i].clone();
            for &(w, _) in &terms {
                count[w] -= 1;
            }
            let c = terms.iter().find(|t| t.0 == v).expect("pivot in its row").1;
            // v = c * rhs - sum(c * t_w * w), as c = +-1.
            let constant = c * rhs;
            let others: Vec<(usize, i128)> = terms
                .iter()
                .filter(|t| t.0 != v)
                .map(|&(w, t)| (w, -c * t))
                .collect();
            for j in std::mem::take(&mut occurs[v]) {
                if j == i || !alive[j] {
                    continue;
                }
                let (rhs_j, terms_j) = &mut eqs[j];
                let Some(pos) = terms_j.iter().position(|t| t.0 == v) else {
                    continue;
                };
                let a = terms_j.swap_remove(pos).1;
                *rhs_j = rhs_j.checked_sub(a.checked_mul(constant)?)?;
                for &(w, t) in &others {
                    let add = a.checked_mul(t)?;
                    match terms_j.iter().position(|x| x.0 == w) {
                        Some(p) => {
                            terms_j[p].1 = terms_j[p].1.checked_add(add)?;
                            if terms_j[p].1 == 0 {
                                terms_j.swap_remove(p);
                                count[w] -= 1;
                            }
                        }
                        None => {
                            terms_j.push((w, add));
                            occurs[w].push(j);
                            count[w] += 1;
                        }
                    }
                }
            }
            pivot_expr[v] = Some((constant, others));
            order.push(v);
        }
        // Back-substitute, last eliminated first, so that each expression
        // is over free variables only.
        let mut expressions: Vec<Option<Linear>> = vec![None; n];
        let mut dense = vec![0i128; n];
        let mut touched = Vec::new();
        for &v in order.iter().rev() {
            let (mut constant, terms) = pivot_expr[v].take().expect("each pivot once");
            for (w, c) in terms {
                match &expressions[w] {
                    Some((cw, tw)) => {
                        constant = constant.checked_add(c.checked_mul(*cw)?)?;
                        for &(u, b) in tw {
                            if dense[u] == 0 {
                                touched.push(u);
                            }
                            dense[u] = dense[u].checked_add(c.checked_mul(b)?)?;
                        }
                    }
                    None => {
                        if dense[w] == 0 {
                            touched.push(w);
                        }
                        dense[w] = dense[w].checked_add(c)?;
                    }
                }
            }
            let mut expr = Vec::new();
            for u in touched.drain(..) {
                if dense[u] != 0 {
                    expr.push((u, dense[u]));
                }
                dense[u] = 0;
            }
            expressions[v] = Some((constant, expr));
        }
        let free: Vec<usize> = (0..n).filter(|&v| expressions[v].is_none()).collect();
        let mut at = vec![usize::MAX; n];
        for (i, &v) in free.iter().enumerate() {
            at[v] = i;
        }
        let mut rest: Vec<Linear> = eqs
            .into_iter()
            .zip(alive)
            .filter(|(_, alive)| *alive)
            .map(|(row, _)| row)
            .filter(|(_, terms)| !terms.is_empty())
            .collect();
        // Small coefficients first: the kernel of the rows taken so far
        // then stays of small numbers longer.
        rest.sort_by_key(|(_, terms)| {
            let largest = terms.iter().map(|t| t.1.unsigned_abs()).max();
            (largest, terms.len())
        });
        Some(Ok(Elimination {
            free,
            at,
            expressions,
            rest,
        }))
    }

    /// The rank of the rows left, over the free variables, modulo the
    /// prime 2^61 - 1: at most their rank over the rationals, and equal
    /// to it unless the prime divides some minor.
    fn rank_modulo_prime(&self) -> usize {
        const P: u128 = (1 << 61) - 1;
        let k = self.free.len();
        let mut m: Vec<Vec<u128>> = self
            .rest
            .iter()
            .map(|(_, terms)| {
                let mut row = vec![0u128; k];
                for &(v, c) in terms {
                    row[self.at[v]] = c.rem_euclid(P as i128) as u128;
                }
                row
            })
            .collect();
        let inverse = |a: u128| rank::inverse(a as u64, P as u64) as u128;
        let mut rank = 0;
        for col in 0..k {
            let Some(p) = (rank..m.len()).find(|&r| m[r][col] != 0) else {
                continue;
            };
            m.swap(rank, p);
            let inv = inverse(m[rank][col]);
            let (done, below) = m.split_at_mut(rank + 1);
            let pivot = &done[rank];
            for row in below {
                let f = row[col] * inv % P;
                if f == 0 {
                    continue;
                }
                for (x, &y) in row[col..].iter_mut().zip(&pivot[col..]) {
                    *x = (*x + P - f * y % P) % P;
                }
            }
            rank += 1;
        }
        rank
    }

    /// A particular integer solution of the rows left and a basis of
    /// their integer kernel, over the free variables: one row at a time,
    /// the basis's values on the row are brought to their gcd by integer
    /// column operations (Euclid), and the basis is reduced again when
    /// its numbers grow.
    fn kernel_of_rest(&self) -> Option<Result<Affine, LatticeStop>> {
        let k = self.free.len();
        let mut origin = vec![0i128; k];
        let mut basis: Vec<Vec<i128>> = (0..k)
            .map(|i| {
                let mut e = vec![0; k];
                e[i] = 1;
                e
            })
            .collect();
        for (rhs, terms) in &self.rest {
            let on = |x: &[i128]| -> Option<i128> {
                terms.iter().try_fold(0i128, |acc, &(v, c)| {
                    acc.checked_add(c.checked_mul(x[self.at[v]])?)
                })
            };
            let mut values = basis.iter().map(|b| on(b)).collect::<Option<Vec<_>>>()?;
            let target = rhs.checked_sub(on(&origin)?)?;
            loop {
                let nonzero: Vec<usize> = (0..basis.len()).filter(|&i| values[i] != 0).collect();
                if nonzero.len() <= 1 {
                    break;
                }
                let p = *nonzero
                    .iter()
                    .min_by_key(|&&i| values[i].unsigned_abs())
                    .expect("two or more");
                for &i in &nonzero {
                    if i == p {
                        continue;
                    }
                    let q = values[i] / values[p];
                    if q == 0 {
                        continue;
                    }
                    values[i] -= q * values[p];
                    let (bi, bp) = pair(&mut basis, i, p);
                    for (x, &y) in bi.iter_mut().zip(bp.iter()) {
                        *x = x.checked_sub(q.checked_mul(y)?)?;
                    }
                }
            }
            match (0..basis.len()).find(|&i| values[i] != 0) {
                None if target != 0 => return Some(Err(LatticeStop::NoIntegerSolution)),
                None => {} // a row implied by the others
                Some(p) => {
                    if target % values[p] != 0 {
                        return Some(Err(LatticeStop::NoIntegerSolution));
                    }
                    let step = target / values[p];
                    let bp = basis.swap_remove(p);
                    for (o, &b) in origin.iter_mut().zip(&bp) {
                        *o = o.checked_add(step.checked_mul(b)?)?;
                    }
                }
            }
            // Keep the numbers small for the next row: a reduced basis,
            // and the origin moved to the shortest point of its coset.
            // Reducing costs more than the row itself, so only once the
            // numbers have grown.
            let large = |x: &i128| x.unsigned_abs() > GROWN;
            if basis.iter().flatten().any(large) || origin.iter().any(large) {
                let gso = lll(&mut basis)?;
                nearest_plane(
                    &mut origin,
                    &vec![0.0; k],
                    &basis,
                    &basis,
                    &gso,
                    &vec![1; k],
                )?;
            }
        }
        Some(Ok(Affine { origin, basis }))
    }
}

/// Moves `point` by whole basis vectors towards `target` (Babai's nearest
/// plane), measured with coordinate `v` scaled by `weight[v]`: `scaled`
/// is `basis` so scaled, and `gso` its Gram-Schmidt data.
fn nearest_plane(
    point: &mut [i128],
    target: &[f64],
    basis: &[Vec<i128>],
    scaled: &[Vec<i128>],
    gso: &Gso,
    weight: &[i128],
) -> Option<()> {
    let mut gap: Vec<f64> = point
        .iter()
        .zip(target)
        .zip(weight)
        .map(|((&x, &t), &w)| (x as f64 - t) * w as f64)
        .collect();
    for q in (0..basis.len()).rev() {
        let step = (dot_f(&gap, &gso.star[q]) / gso.norm[q]).round();
        if step == 0.0 || !step.is_finite() {
            continue;
        }
        let step_i = step as i128;
        for (v, g) in gap.iter_mut().enumerate() {
            *g -= step * scaled[q][v] as f64;
            point[v] = point[v].checked_sub(step_i.checked_mul(basis[q][v])?)?;
        }
    }
    Some(())
}

/// Two distinct rows of `basis`, mutable and shared.
fn pair(basis: &mut [Vec<i128>], i: usize, p: usize) -> (&mut Vec<i128>, &Vec<i128>) {
    if i < p {
        let (a, b) = basis.split_at_mut(p);
        (&mut a[i], &b[0])
    } else {
        let (a, b) = basis.split_at_mut(i);
        (&mut b[0], &a[p])
    }
}

/// The Gram-Schmidt vectors of a reduced basis and their squared norms.
struct Gso {
    star: Vec<Vec<f64>>,
    norm: Vec<f64>,
}

fn dot_f(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `b` against the Gram-Schmidt vectors `star` (squared norms `norm`)
/// of the vectors before it: its coefficients on them, its own
/// Gram-Schmidt vector and that vector's squared norm.
fn orthogonalize(b: &[i128], star: &[Vec<f64>], norm: &[f64]) -> (Vec<f64>, Vec<f64>, f64) {
    let bf: Vec<f64> = b.iter().map(|&x| x as f64).collect();
    let mut s = bf.clone();
    let mut mu = Vec::with_capacity(star.len());
    for (sj, &nj) in star.iter().zip(norm) {
        let c = if nj > 0.0 { dot_f(&bf, sj) / nj } else { 0.0 };
        mu.push(c);
        for (x, &y) in s.iter_mut().zip(sj) {
            *x -= c * y;
        }
    }
    let n = dot_f(&s, &s);
    (mu, s, n)
}

/// The Gram-Schmidt data of `basis` as it is, `None` if it is dependent.
fn gram_schmidt(basis: &[Vec<i128>]) -> Option<Gso> {
    let mut star: Vec<Vec<f64>> = Vec::with_capacity(basis.len());
    let mut norm = Vec::with_capacity(basis.len());
    for b in basis {
        let (_, s, n) = orthogonalize(b, &star, &norm);
        if n.is_nan() || n <= 0.0 {
            return None;
        }
        norm.push(n);
        star.push(s);
    }
    Some(Gso { star, norm })
}

/// LLL reduction (delta 0.99) of integer row vectors, in place, with the
/// Gram-Schmidt data in floating point: only the choice of steps uses it,
/// every step is exact integer arithmetic (`None` past 128 bits), so the
/// lattice stays the same whatever the rounding. Dependent vectors are
/// not expected (a kernel basis is independent).
fn lll(basis: &mut [Vec<i128>]) -> Option<Gso> {
    let d = basis.len();
    let m = basis.first().map_or(0, Vec::len);
    let mut star = vec![vec![0f64; m]; d];
    let mut norm = vec![0f64; d];
    let mut mu = vec![vec![0f64; d]; d];
    // The Gram-Schmidt data of row `k`, from that of the rows before it.
    let gram = |k: usize,
                basis: &[Vec<i128>],
                star: &mut Vec<Vec<f64>>,
                norm: &mut [f64],
                mu: &mut [Vec<f64>]| {
        let (coefficients, s, n) = orthogonalize(&basis[k], &star[..k], &norm[..k]);
        mu[k][..k].copy_from_slice(&coefficients);
        star[k] = s;
        norm[k] = n;
    };
    if d == 0 {
        return Some(Gso { star, norm });
    }
    gram(0, basis, &mut star, &mut norm, &mut mu);
    let mut k = 1;
    let mut steps = 0usize;
    while k < d {
        steps += 1;
        if steps > 1_000_000 {
            return None;
        }
        gram(k, basis, &mut star, &mut norm, &mut mu);
        // Size reduction, exact on the integers.
        let mut changed = false;
        for j in (0..k).rev() {
            let q = mu[k][j].round();
            if q == 0.0 {
                continue;
            }
            changed = true;
            let qi = q as i128;
            let (bk, bj) = pair(basis, k, j);
            for (x, &y) in bk.iter_mut().zip(bj.iter()) {
                *x = x.checked_sub(qi.checked_mul(y)?)?;
            }
            let (head, tail) = mu.split_at_mut(k);
            for (a, &b) in tail[0][..j].iter_mut().zip(&head[j][..j]) {
                *a -= q * b;
            }
            mu[k][j] -= q;
        }
        if changed {
            gram(k, basis, &mut star, &mut norm, &mut mu);
        }
        if norm[k] >= (0.99 - mu[k][k - 1] * mu[k][k - 1]) * norm[k - 1] {
            k += 1;
        } else {
            basis.swap(k, k - 1);
            if k > 1 {
                k -= 1;
            } else {
                gram(0, basis, &mut star, &mut norm, &mut mu);
            }
        }
    }
    // The final Gram-Schmidt data, for the nearest plane.
    for k in 0..d {
        gram(k, basis, &mut star, &mut norm, &mut mu);
    }
    Some(Gso { star, norm })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every integer solution of the rows within a small box, by brute
    /// force, against the lattice's description of them.
    #[test]
    fn the_lattice_holds_exactly_the_integer_solutions() {
        // 2a + 3b + 5c = 17 and a + b + c + d = 6: no unit pivot in the
        // first row, so the Euclid step does the work.
        let rows = [
            LocalRow::equal(&[(0, 2), (1, 3), (2, 5)], 17),
            LocalRow::equal(&[(0, 1), (1, 1), (2, 1), (3, 1)], 6),
        ];
        let refs: Vec<&LocalRow> = rows.iter().collect();
        let affine = Affine::of(4, &refs, &[0.0; 4]).unwrap().unwrap();
        assert_eq!(affine.basis.len(), 2);
        for y0 in -6i128..=6 {
            for y1 in -6i128..=6 {
                let x: Vec<i128> = (0..4)
                    .map(|v| affine.origin[v] + y0 * affine.basis[0][v] + y1 * affine.basis[1][v])
                    .collect();
                let count: Vec<Count> = x.iter().map(|&x| x as Count).collect();
                assert!(rows.iter().all(|r| r.holds(&count)), "{x:?}");
            }
        }
        // Every solution in a box is reached by some coordinates: the
        // basis spans the whole integer kernel, not a sublattice.
        let mut solutions = 0;
        for a in -5..=10i64 {
            for b in -5..=10i64 {
                for c in -5..=10i64 {
                    let d = 6 - a - b - c;
                    if 2 * a + 3 * b + 5 * c != 17 {
                        continue;
                    }
                    solutions += 1;
                    let x = [a as i128, b as i128, c as i128, d as i128];
                    assert!(in_lattice(&affine, &x), "{x:?} is not reached");
                }
            }
        }
        assert!(solutions > 10);
    }

    /// Whether `x - origin` is an integer combination of the basis (two
    /// vectors), by solving on two coordinates where they are independent.
    fn in_lattice(affine: &Affine, x: &[i128]) -> bool {
        let diff: Vec<i128> = x.iter().zip(&affine.origin).map(|(a, b)| a - b).collect();
        let (b0, b1) = (&affine.basis[0], &affine.basis[1]);
        for i in 0..4 {
            for j in 0..4 {
                let det = b0[i] * b1[j] - b0[j] * b1[i];
                if det == 0 {
                    continue;
                }
                let y0 = diff[i] * b1[j] - diff[j] * b1[i];
                let y1 = b0[i] * diff[j] - b0[j] * diff[i];
                if y0 % det != 0 || y1 % det != 0 {
                    return false;
                }
                let (y0, y1) = (y0 / det, y1 / det);
                return (0..4).all(|v| y0 * b0[v] + y1 * b1[v] == diff[v]);
            }
        }
        false
    }

    /// `a + a + b = 4` is `2a + b = 4`: a variable named twice counts
    /// twice, not once.
    #[test]
    fn a_variable_named_twice_in_a_row_counts_twice() {
        let rows = [LocalRow::equal(&[(0, 1), (1, 1), (0, 1)], 4)];
        let refs: Vec<&LocalRow> = rows.iter().collect();
        let affine = Affine::of(2, &refs, &[0.0; 2]).unwrap().unwrap();
        assert_eq!(affine.basis.len(), 1);
        for y in -3i128..=3 {
            let a = affine.origin[0] + y * affine.basis[0][0];
            let b = affine.origin[1] + y * affine.basis[0][1];
            assert_eq!(2 * a + b, 4);
        }
    }

    #[test]
    fn lines_with_no_integer_solution_are_told() {
        let rows = [LocalRow::equal(&[(0, 2), (1, 4)], 7)];
        let refs: Vec<&LocalRow> = rows.iter().collect();
        assert!(matches!(Affine::of(2, &refs, &[0.0; 2]), Some(Err(_))));
    }

    #[test]
    fn lll_keeps_the_lattice_and_shortens_the_basis() {
        let mut basis = vec![vec![1i128, 1, 1], vec![-1, 0, 2], vec![3, 5, 6]];
        let before = det3(&basis);
        lll(&mut basis).unwrap();
        assert_eq!(det3(&basis).abs(), before.abs());
        let longest = basis
            .iter()
            .map(|b| b.iter().map(|x| x * x).sum::<i128>())
            .max()
            .unwrap();
        assert!(longest <= 5, "{basis:?}");
    }

    /// Small random systems with a known table, against every integer
    /// table found by brute force: "the only table" must be the only
    /// one, a table found must be one, and a feasible system must never
    /// be called infeasible.
    #[test]
    fn unique_and_found_agree_with_brute_force() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        let (mut unique, mut found) = (0, 0);
        for _ in 0..600 {
            let n = 3 + next(4) as usize;
            let truth: Vec<Count> = (0..n).map(|_| next(5) as Count).collect();
            let mut rows = Vec::new();
            for _ in 0..1 + next(3) {
                let terms: Vec<(usize, i64)> = (0..n)
                    .filter_map(|v| {
                        let c = next(7) as i64 - 3;
                        (c != 0).then_some((v, c))
                    })
                    .collect();
                if terms.is_empty() {
                    continue;
                }
                let op = [Op::Eq, Op::Eq, Op::Eq, Op::Le][next(4) as usize];
                let mut r = LocalRow::of(&terms, op, 0);
                r.rhs = r.lhs(&truth) + if op == Op::Le { next(2) as i128 } else { 0 };
                rows.push(r);
            }
            let component = Component {
                vars: (0..n).collect(),
                rows,
                lo: vec![Some(0); n],
                hi: vec![Some(4); n],
            };
            let all: Vec<usize> = (0..component.rows.len()).collect();
            let bounds = Intervals::new(&component.lo, &component.hi);
            let tables = brute_force(&component);
            assert!(tables.contains(&truth));
            let middle = vec![2.0; n];
            match search(
                &component,
                &all,
                &bounds,
                &middle,
                LatticeEffort::Full(Duration::from_secs(10)),
                None,
            )
            .unwrap()
            {
                Lattice::Unique(t) => {
                    assert_eq!(tables, vec![t], "{component:?}");
                    unique += 1;
                }
                Lattice::Found(t) => {
                    assert!(tables.contains(&t), "{component:?}");
                    found += 1;
                }
                Lattice::Nothing(why) => {
                    assert!(
                        !matches!(
                            why,
                            LatticeStop::NoIntegerSolution | LatticeStop::LpInfeasible
                        ),
                        "{why}: {component:?}"
                    );
                }
            }
        }
        // Both answers occur often enough to have been tested.
        assert!(
            unique >= 50 && found >= 50,
            "unique {unique}, found {found}"
        );
    }

    fn brute_force(c: &Component) -> Vec<Vec<Count>> {
        let n = c.vars.len();
        let mut out = Vec::new();
        let mut x = vec![0 as Count; n];
        loop {
            if c.rows.iter().all(|r| r.holds(&x)) {
                out.push(x.clone());
            }
            let Some(v) = (0..n).find(|&v| x[v] < 4) else {
                return out;
            };
            x[v] += 1;
            for w in x.iter_mut().take(v) {
                *w = 0;
            }
        }
    }

    fn det3(m: &[Vec<i128>]) -> i128 {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }
}
