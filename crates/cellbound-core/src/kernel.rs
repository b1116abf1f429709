//! Exact checks that a group of hidden cells has at most one table in the
//! box its lines give it, through the lattice of its equality lines: a
//! basis of their integer kernel whose every Gram-Schmidt step is longer
//! than the box's diagonal. Two tables in the box would differ by a
//! nonzero kernel vector no longer than that diagonal, and no nonzero
//! vector of a lattice is shorter than the shortest Gram-Schmidt step of
//! a basis of it. No LP, only integers (`i128`, and big integers for the
//! Gram determinants).
//!
//! The certificate ([`ShortKernel`]) carries the basis and the positions
//! of a few square minors of it whose determinants have no common
//! divisor; [`check`] recomputes everything else:
//! 1. every basis vector gives 0 on every equality line through the cells
//!    (and the lines through the cells run through no other hidden cell);
//! 2. the lines' rank modulo a prime is the number of cells less the
//!    number of vectors: a rank modulo a prime is at most the rank over
//!    the rationals, so the rational kernel has at most that many
//!    dimensions;
//! 3. the vectors are independent (each leading minor of their Gram
//!    matrix is positive), so they span the rational kernel;
//! 4. the determinants of their rows at the minors' positions have
//!    greatest common divisor 1, so they span the integer kernel: a
//!    kernel vector `x = B y` has `y = B_S^-1 x_S`, so `det(B_S) y` is
//!    whole for every minor `S`, and so is `y`;
//! 5. the box ([`box_of`]): interval propagation from the cells' domains
//!    along every line through them, for at most [`ROUNDS`] passes (each
//!    pass sound, so the box is sound wherever it stops);
//! 6. each squared Gram-Schmidt length, `D_k / D_(k-1)` with `D_k` the
//!    k-th leading minor of the Gram matrix (fraction-free elimination),
//!    is above the box's squared diagonal.
//!

use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

use crate::rank::{self, RankError};
use crate::system::{merge_terms, LinearSystem};
use crate::Op;

/// Passes of interval propagation that make the box. The solver and
/// `verify` both call [`box_of`], so they see the same box.
pub const ROUNDS: usize = 200;

/// A certificate that the cells of a group have at most one table in
/// their box. Positions are into the group's cells, in the order given to
/// [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortKernel {
    /// A basis of the integer kernel of the equality lines, each vector
    /// sparse: `(position, value)`, positions increasing, values not zero.
    pub basis: Vec<Vec<(usize, i128)>>,
    /// Sets of positions, one position per basis vector in each: the
    /// determinants of the basis's rows at each set have greatest common
    /// divisor 1.
    pub minors: Vec<Vec<usize>>,
    /// The prime the rank of the lines is taken modulo.
    pub prime: u64,
}

/// What [`check`] computed, exact, as text: fractions `p/q` in lowest
/// terms, whole numbers as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lengths {
    /// The shortest squared Gram-Schmidt step of the basis.
    pub shortest_step_squared: String,
    /// The box's squared diagonal: the sum of the squared widths.
    pub diagonal_squared: String,
}

/// Why a certificate does not show a single table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelError {
    /// The lines are not closed on the group, the modulus is not a prime.
    Rank(RankError),
    /// A basis vector is not written as the format asks.
    Malformed { vector: usize, why: String },
    /// A basis vector does not give 0 on a line (index into the system's rows).
    NotInKernel { vector: usize, row: usize },
    /// The lines' rank modulo the prime leaves the kernel more dimensions
    /// than the basis has vectors.
    TooFewVectors {
        rank: usize,
        cells: usize,
        vectors: usize,
    },
    /// The basis vectors are dependent.
    Dependent,
    /// A minor's positions are not one per vector, distinct and in range.
    MinorPositions { minor: usize },
    /// The minors' determinants have a common divisor past 1 (or there
    /// are none): the basis may span only part of the integer kernel.
    MinorsNotCoprime { gcd: String },
    /// Propagation leaves a cell (position) unbounded on a side.
    Unbounded { position: usize },
    /// Propagation empties a cell's interval: the lines have no table.
    Contradiction { row: usize },
    /// A Gram-Schmidt step is no longer than the box's diagonal.
    TooShort {
        step: usize,
        squared: String,
        diagonal_squared: String,
    },
    /// A number past 128 bits where one must fit.
    Overflow,
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::Rank(e) => e.fmt(f),
            KernelError::Malformed { vector, why } => {
                write!(f, "basis vector {vector}: {why}")
            }
            KernelError::NotInKernel { vector, row } => write!(
                f,
                "basis vector {vector} does not give 0 on line {row} of the system: it is not in the kernel of the lines"
            ),
            KernelError::TooFewVectors { rank, cells, vectors } => write!(
                f,
                "the lines have rank {rank} modulo the prime over {cells} cells, so their kernel may have {} dimensions; the basis has {vectors} vectors",
                cells - rank.min(cells)
            ),
            KernelError::Dependent => write!(f, "the basis vectors are dependent"),
            KernelError::MinorPositions { minor } => write!(
                f,
                "minor {minor}'s positions are not one per basis vector, distinct and within the cells"
            ),
            KernelError::MinorsNotCoprime { gcd } => write!(
                f,
                "the minors' determinants have greatest common divisor {gcd}, not 1: the basis may span only part of the integer kernel"
            ),
            KernelError::Unbounded { position } => write!(
                f,
                "the lines leave cell {position} of the component unbounded, so it has no box"
            ),
            KernelError::Contradiction { row } => {
                write!(f, "line {row} of the system cannot hold within the box")
            }
            KernelError::TooShort { step, squared, diagonal_squared } => write!(
                f,
                "Gram-Schmidt step {step} has squared length {squared}, not above the box's squared diagonal {diagonal_squared}"
            ),
            KernelError::Overflow => write!(f, "a number past 128 bits"),
        }
    }
}

impl std::error::Error for KernelError {}

impl From<RankError> for KernelError {
    fn from(e: RankError) -> Self {
        KernelError::Rank(e)
    }
}

/// The rows of `system` through `vars`, over positions in `vars`
/// ([`rank::rows_through`]), their terms merged.
fn local_rows(system: &LinearSystem, vars: &[usize]) -> Result<Vec<LocalRow>, KernelError> {
    rank::rows_through(system, vars)?
        .into_iter()
        .map(|(r, terms)| {
            let row = &system.rows[r];
            Ok(LocalRow {
                row: r,
                terms: merge_terms(terms).ok_or(KernelError::Overflow)?,
                op: row.op,
                rhs: row.rhs,
            })
        })
        .collect()
}

struct LocalRow {
    row: usize,
    terms: Vec<(usize, i128)>,
    op: Op,
    rhs: i128,
}

/// A cell's lower and upper limit, `None` for none on that side.
pub type Limits = (Option<i128>, Option<i128>);

/// The box of the cells `vars`: each cell's domain, tightened by interval
/// propagation along every line through the cells for at most [`ROUNDS`]
/// passes. Every bound is implied by the lines and domains, whatever the
/// number of passes. `(lo, hi)` per cell, `None` for no bound.
///
/// ```
/// use cellbound_core::kernel::box_of;
/// use cellbound_core::model::{Model, Rule};
/// use cellbound_core::system::LinearSystem;
///
/// // a + b = 9, c + d = 6, a + c = 8, b + d = 7, any value of 0 or
/// // more: a is at most 8, so b at least 1; b is at most 7, so a at
/// // least 2; c and d at most 6.
/// let model = Model::grid_with_margins(
///     "t",
///     &[&[None, None, Some(9)], &[None, None, Some(6)], &[Some(8), Some(7), Some(15)]],
/// )
/// .unwrap();
/// let open = Rule { open: true, ..Rule::default() };
/// let system = LinearSystem::build(&model, open).unwrap();
/// let limits = box_of(&system, &[0, 1, 2, 3]).unwrap();
/// assert_eq!(limits, vec![(Some(2), Some(8)), (Some(1), Some(7)), (Some(0), Some(6)), (Some(0), Some(6))]);
/// ```
pub fn box_of(system: &LinearSystem, vars: &[usize]) -> Result<Vec<Limits>, KernelError> {
    let rows = local_rows(system, vars)?;
    let mut b: Vec<Limits> = vars
        .iter()
        .map(|&v| {
            let d = &system.vars[v].domain;
            (d.lo.map(i128::from), d.hi.map(i128::from))
        })
        .collect();
    for _ in 0..ROUNDS {
        let mut changed = false;
        for row in &rows {
            if matches!(row.op, Op::Eq | Op::Le) {
                changed |= tighten(row, &mut b, true)?;
            }
            if matches!(row.op, Op::Eq | Op::Ge) {
                changed |= tighten(row, &mut b, false)?;
            }
        }
        if !changed {
            break;
        }
    }
    Ok(b)
}

/// One side of one row: `sum <= rhs` (`upper`) bounds each term by `rhs`
/// less the others' least; `sum >= rhs` by `rhs` less their most.
/// Arithmetic past 128 bits leaves a bound as it is (sound).
fn tighten(row: &LocalRow, b: &mut [Limits], upper: bool) -> Result<bool, KernelError> {
    let extreme = |c: i128, (lo, hi): Limits| -> Option<Option<i128>> {
        // The term's least (upper) or most (lower) value; `Some(None)`
        // for infinite, `None` past 128 bits.
        let end = if (c > 0) == upper { lo } else { hi };
        match end {
            None => Some(None),
            Some(x) => c.checked_mul(x).map(Some),
        }
    };
    let mut finite: i128 = 0;
    let mut infinite = 0usize;
    for &(v, c) in &row.terms {
        match extreme(c, b[v]) {
            None => return Ok(false),
            Some(None) => infinite += 1,
            Some(Some(x)) => match finite.checked_add(x) {
                Some(s) => finite = s,
                None => return Ok(false),
            },
        }
    }
    if infinite == 0 && ((upper && finite > row.rhs) || (!upper && finite < row.rhs)) {
        return Err(KernelError::Contradiction { row: row.row });
    }
    let mut changed = false;
    for &(v, c) in &row.terms {
        let rest = match (extreme(c, b[v]), infinite) {
            (Some(Some(x)), 0) => finite - x,
            (Some(None), 1) => finite,
            _ => continue,
        };
        let Some(bound) = row.rhs.checked_sub(rest) else {
            continue;
        };
        // upper: c x <= bound; lower: c x >= bound. The bound on x is
        // an upper one when c and the side agree.
        let x = whole_bound(bound, c, upper);
        if (c > 0) == upper {
            if b[v].1.is_none_or(|old| x < old) {
                b[v].1 = Some(x);
                changed = true;
            }
        } else if b[v].0.is_none_or(|old| x > old) {
            b[v].0 = Some(x);
            changed = true;
        }
    }
    Ok(changed)
}

/// The bound on `x` from `c x <= bound` (`upper`) or `c x >= bound`:
/// rounded inward, as `x` is whole.
fn whole_bound(bound: i128, c: i128, upper: bool) -> i128 {
    // c x <= bound: x <= floor(bound / c) when c > 0, x >= ceil(bound / c)
    // when c < 0; c x >= bound the other way round.
    let floor = Integer::div_floor(&bound, &c);
    let ceil = -Integer::div_floor(&-bound, &c);
    match (upper, c > 0) {
        (true, true) | (false, false) => floor,
        (true, false) | (false, true) => ceil,
    }
}

/// Checks the certificate `cert` for the hidden cells `vars` (variable
/// numbers) of `system`, as the module documentation lists, and returns
/// the lengths it compared.
///
/// ```
/// use cellbound_core::kernel::{self, KernelError, ShortKernel};
/// use cellbound_core::model::{Model, Rule};
/// use cellbound_core::rank::PRIME;
/// use cellbound_core::system::LinearSystem;
///
/// // Four hidden cells a b / c d, each row and column adding up to 2.
/// let model = Model::grid_with_margins(
///     "t",
///     &[&[None, None, Some(2)], &[None, None, Some(2)], &[Some(2), Some(2), Some(4)]],
/// )
/// .unwrap();
/// // The kernel of the lines is spanned by (1, -1, -1, 1), which any
/// // position's minor (1 or -1) shows whole.
/// let cert = ShortKernel {
///     basis: vec![vec![(0, 1), (1, -1), (2, -1), (3, 1)]],
///     minors: vec![vec![0]],
///     prime: PRIME,
/// };
/// // Hidden cells below 5 and not 0 (zeros are shown): each is 1, the
/// // box a point.
/// let shown = Rule { zeros_shown: true, ..Rule::default() };
/// let system = LinearSystem::build(&model, shown).unwrap();
/// let lengths = kernel::check(&system, &[0, 1, 2, 3], &cert).unwrap();
/// assert_eq!(lengths.shortest_step_squared, "4");
/// assert_eq!(lengths.diagonal_squared, "0");
/// // Any value of 0 or more: each cell is 0..2, and 2 0 / 0 2 is a
/// // second table; the step is no longer than the box.
/// let open = Rule { open: true, ..Rule::default() };
/// let system = LinearSystem::build(&model, open).unwrap();
/// assert!(matches!(
///     kernel::check(&system, &[0, 1, 2, 3], &cert),
///     Err(KernelError::TooShort { .. })
/// ));
/// ```
pub fn check(
    system: &LinearSystem,
    vars: &[usize],
    cert: &ShortKernel,
) -> Result<Lengths, KernelError> {
    let n = vars.len();
    let d = cert.basis.len();
    let rows = local_rows(system, vars)?;
    // 1. Well formed, and in the kernel.
    let mut dense: Vec<Vec<i128>> = Vec::with_capacity(d);
    for (q, b) in cert.basis.iter().enumerate() {
        let mut x = vec![0i128; n];
        let mut last = None;
        for &(p, value) in b {
            let why = if p >= n {
                Some(format!("position {p} past the component's {n} cells"))
            } else if last.is_some_and(|l| p <= l) {
                Some(format!("position {p} out of order"))
            } else if value == 0 {
                Some(format!("a zero written at position {p}"))
            } else {
                None
            };
            if let Some(why) = why {
                return Err(KernelError::Malformed { vector: q, why });
            }
            x[p] = value;
            last = Some(p);
        }
        for row in rows.iter().filter(|r| r.op == Op::Eq) {
            let mut sum: i128 = 0;
            for &(v, c) in &row.terms {
                sum = c
                    .checked_mul(x[v])
                    .and_then(|t| sum.checked_add(t))
                    .ok_or(KernelError::Overflow)?;
            }
            if sum != 0 {
                return Err(KernelError::NotInKernel {
                    vector: q,
                    row: row.row,
                });
            }
        }
        dense.push(x);
    }
    // 2. No more rational freedom than the basis.
    let rank = rank::rank(system, vars, cert.prime)?;
    if rank + d < n {
        return Err(KernelError::TooFewVectors {
            rank,
            cells: n,
            vectors: d,
        });
    }
    // 3. Independent: the Gram matrix's leading minors.
    let big = |x: i128| BigInt::from(x);
    let gram: Vec<Vec<BigInt>> = (0..d)
        .map(|i| {
            (0..d)
                .map(|j| {
                    cert.basis[i]
                        .iter()
                        .map(|&(p, v)| big(v) * big(dense[j][p]))
                        .sum()
                })
                .collect()
        })
        .collect();
    let minors = leading_minors(gram);
    if minors.iter().any(|m| !m.is_positive()) {
        return Err(KernelError::Dependent);
    }
    // 4. The whole integer kernel.
    let mut gcd = BigInt::zero();
    for (k, positions) in cert.minors.iter().enumerate() {
        let mut seen = vec![false; n];
        if positions.len() != d
            || positions
                .iter()
                .any(|&p| p >= n || std::mem::replace(&mut seen[p], true))
        {
            return Err(KernelError::MinorPositions { minor: k });
        }
        gcd = gcd.gcd(&minor_at(&dense, positions));
    }
    if !gcd.is_one() {
        return Err(KernelError::MinorsNotCoprime {
            gcd: gcd.to_string(),
        });
    }
    // 5. The box.
    let bx = box_of(system, vars)?;
    let mut diagonal = BigInt::zero();
    for (p, &(lo, hi)) in bx.iter().enumerate() {
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return Err(KernelError::Unbounded { position: p });
        };
        let w = big(hi) - big(lo);
        diagonal += &w * &w;
    }
    // 6. Every step longer than the diagonal: D_k > diagonal * D_(k-1).
    let mut shortest: Option<(BigInt, BigInt)> = None;
    let mut previous = BigInt::one();
    for (k, m) in minors.iter().enumerate() {
        if *m <= &diagonal * &previous {
            return Err(KernelError::TooShort {
                step: k,
                squared: fraction(m, &previous),
                diagonal_squared: diagonal.to_string(),
            });
        }
        if shortest
            .as_ref()
            .is_none_or(|(num, den)| m * den < num * &previous)
        {
            shortest = Some((m.clone(), previous.clone()));
        }
        previous = m.clone();
    }
    Ok(Lengths {
        shortest_step_squared: shortest.map_or("none".into(), |(n, d)| fraction(&n, &d)),
        diagonal_squared: diagonal.to_string(),
    })
}

/// The determinant of the rows of `dense` (vectors) at `positions`.
fn minor_at(dense: &[Vec<i128>], positions: &[usize]) -> BigInt {
    determinant(
        positions
            .iter()
            .map(|&p| dense.iter().map(|b| BigInt::from(b[p])).collect())
            .collect(),
    )
}

/// Minors for [`ShortKernel::minors`]: position sets, one position per
/// vector of `basis` (sparse, over `n` positions), whose determinants have
/// greatest common divisor 1, found by choosing independent rows (modulo
/// [`rank::PRIME`]) in a few orders, sparsest rows first, then shuffled
/// (deterministically). `None` when [`MINOR_TRIES`] orders do not do, as
/// when the basis spans only part of the integer kernel.
///
/// ```
/// use cellbound_core::kernel::coprime_minors;
///
/// // (2, 3) alone: minors 2 and 3, coprime. (2, 4): every minor even.
/// let minors = coprime_minors(2, &[vec![(0, 2), (1, 3)]]).unwrap();
/// assert_eq!(minors.len(), 2);
/// assert!(coprime_minors(2, &[vec![(0, 2), (1, 4)]]).is_none());
/// ```
pub fn coprime_minors(n: usize, basis: &[Vec<(usize, i128)>]) -> Option<Vec<Vec<usize>>> {
    let d = basis.len();
    let mut dense = vec![vec![0i128; n]; d];
    for (q, b) in basis.iter().enumerate() {
        for &(p, v) in b {
            *dense.get_mut(q)?.get_mut(p)? = v;
        }
    }
    let weight = |p: usize| -> (usize, u128) {
        let nonzero = dense.iter().filter(|b| b[p] != 0).count();
        let size = dense.iter().map(|b| b[p].unsigned_abs()).sum();
        (nonzero, size)
    };
    let mut order: Vec<usize> = (0..n).filter(|&p| weight(p).0 > 0).collect();
    order.sort_by_key(|&p| weight(p));
    let mut rng = crate::synth::Rng::new(1);
    let mut minors = Vec::new();
    let mut gcd = BigInt::zero();
    for attempt in 0..MINOR_TRIES {
        if attempt > 0 {
            // Fisher-Yates.
            for i in (1..order.len()).rev() {
                let j = rng.below(i as u64 + 1) as usize;
                order.swap(i, j);
            }
        }
        // `None`: the vectors are dependent.
        let positions = independent_rows(&dense, &order)?;
        let next = gcd.gcd(&minor_at(&dense, &positions));
        if next != gcd {
            gcd = next;
            minors.push(positions);
        }
        if gcd.is_one() {
            return Some(minors);
        }
    }
    None
}

/// How many orders [`coprime_minors`] tries.
pub const MINOR_TRIES: usize = 32;

/// The first positions in `order` whose rows of `dense` are independent
/// modulo [`rank::PRIME`], one per vector; `None` if there are not that
/// many.
fn independent_rows(dense: &[Vec<i128>], order: &[usize]) -> Option<Vec<usize>> {
    const P: u128 = rank::PRIME as u128;
    let d = dense.len();
    if d == 0 {
        return Some(Vec::new());
    }
    let reduce = |x: i128| x.rem_euclid(P as i128) as u128;
    let inverse = |a: u128| rank::inverse(a as u64, rank::PRIME) as u128;
    // Rows kept in echelon form: (pivot column, row with 1 there).
    let mut echelon: Vec<(usize, Vec<u128>)> = Vec::with_capacity(d);
    let mut chosen = Vec::with_capacity(d);
    for &p in order {
        let mut row: Vec<u128> = dense.iter().map(|b| reduce(b[p])).collect();
        for (col, e) in &echelon {
            let f = row[*col];
            if f != 0 {
                for (x, &y) in row.iter_mut().zip(e) {
                    *x = (*x + P - f * y % P) % P;
                }
            }
        }
        let Some(col) = row.iter().position(|&x| x != 0) else {
            continue;
        };
        let inv = inverse(row[col]);
        for x in &mut row {
            *x = *x * inv % P;
        }
        echelon.push((col, row));
        chosen.push(p);
        if chosen.len() == d {
            return Some(chosen);
        }
    }
    None
}

/// `num / den` in lowest terms, `num` alone when whole.
fn fraction(num: &BigInt, den: &BigInt) -> String {
    let g = num.gcd(den);
    let (n, d) = (num / &g, den / &g);
    if d.is_one() {
        n.to_string()
    } else {
        format!("{n}/{d}")
    }
}

/// The leading principal minors of a square matrix, by fraction-free
/// (Bareiss) elimination without pivoting: the k-th pivot is the k-th
/// leading minor. Stops with a zero minor (the rest are reported zero).
fn leading_minors(mut m: Vec<Vec<BigInt>>) -> Vec<BigInt> {
    let d = m.len();
    let mut minors = Vec::with_capacity(d);
    let mut previous = BigInt::one();
    for k in 0..d {
        let pivot = m[k][k].clone();
        minors.push(pivot.clone());
        if pivot.is_zero() {
            minors.resize(d, BigInt::zero());
            return minors;
        }
        for i in k + 1..d {
            for j in k + 1..d {
                let v = (&m[i][j] * &pivot - &m[i][k] * &m[k][j]) / &previous;
                m[i][j] = v;
            }
        }
        previous = pivot;
    }
    minors
}

/// The determinant of a square matrix, by fraction-free (Bareiss)
/// elimination with row exchanges.
fn determinant(mut m: Vec<Vec<BigInt>>) -> BigInt {
    let d = m.len();
    let mut sign = BigInt::one();
    let mut previous = BigInt::one();
    for k in 0..d {
        let Some(p) = (k..d).find(|&r| !m[r][k].is_zero()) else {
            return BigInt::zero();
        };
        if p != k {
            m.swap(p, k);
            sign = -sign;
        }
        for i in k + 1..d {
            for j in k + 1..d {
                let v = (&m[i][j] * &m[k][k] - &m[i][k] * &m[k][j]) / &previous;
                m[i][j] = v;
            }
        }
        previous = m[k][k].clone();
    }
    if d == 0 {
        return BigInt::one();
    }
    sign * &m[d - 1][d - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[i64]]) -> Vec<Vec<BigInt>> {
        rows.iter()
            .map(|r| r.iter().map(|&x| BigInt::from(x)).collect())
            .collect()
    }

    #[test]
    fn determinants_and_leading_minors_are_exact() {
        assert_eq!(determinant(m(&[&[2, 3], &[1, 4]])), BigInt::from(5));
        // A zero pivot needs a row exchange, which flips the sign.
        assert_eq!(
            determinant(m(&[&[0, 1, 2], &[1, 0, 3], &[4, -3, 8]])),
            BigInt::from(-2)
        );
        assert_eq!(determinant(m(&[&[1, 2], &[2, 4]])), BigInt::zero());
        // Leading minors of [[4, 2, 0], [2, 5, 1], [0, 1, 3]]: 4, 16, 44.
        assert_eq!(
            leading_minors(m(&[&[4, 2, 0], &[2, 5, 1], &[0, 1, 3]])),
            vec![BigInt::from(4), BigInt::from(16), BigInt::from(44)]
        );
    }

    use crate::model::{CellRef, Domain, DomainSource, Rule};
    use crate::system::{Line, Row, Var};

    /// Hidden cells with these domains and equality rows.
    fn system(domains: &[(i64, Option<i64>)], rows: &[(&[(usize, i64)], i128)]) -> LinearSystem {
        LinearSystem {
            rule: Rule::default(),
            vars: domains
                .iter()
                .enumerate()
                .map(|(i, &(lo, hi))| Var {
                    cell: CellRef { table: 0, cell: i },
                    domain: Domain {
                        lo: Some(lo),
                        hi,
                        source: DomainSource::Range,
                    },
                })
                .collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, &(terms, rhs))| Row {
                    terms: terms.to_vec(),
                    op: Op::Eq,
                    rhs,
                    origin: Line::Constraint(i),
                })
                .collect(),
            var_of: Vec::new(),
        }
    }

    fn cert(basis: &[&[(usize, i128)]], minors: &[&[usize]]) -> ShortKernel {
        ShortKernel {
            basis: basis.iter().map(|b| b.to_vec()).collect(),
            minors: minors.iter().map(|m| m.to_vec()).collect(),
            prime: rank::PRIME,
        }
    }

    #[test]
    fn propagation_gives_the_box() {
        // a + b + c = 7, b + c = 5, c in 0..2: one row at a time, b in
        // 3..5 and a in 0..4 (that a is 2 needs the rows combined, which
        // propagation does not do: the box is sound, not tight).
        let s = system(
            &[(0, None), (0, None), (0, Some(2))],
            &[(&[(0, 1), (1, 1), (2, 1)], 7), (&[(1, 1), (2, 1)], 5)],
        );
        let b = box_of(&s, &[0, 1, 2]).unwrap();
        assert_eq!(
            b,
            vec![(Some(0), Some(4)), (Some(3), Some(5)), (Some(0), Some(2))]
        );
        // A line through a cell outside the group.
        assert!(matches!(
            box_of(&s, &[0, 1]),
            Err(KernelError::Rank(RankError::NotClosed))
        ));
    }

    /// 2a + 3b = 12 with a in 0..3 and b in 2..3: propagation narrows b to
    /// 2 (3b is 12 less 0..6, and 9 is not reached), then a to 3. The
    /// kernel is spanned by (3, -2), of squared length 13, longer than the
    /// box's diagonal (0): one table.
    #[test]
    fn a_basis_longer_than_the_box_checks_and_each_tampering_fails() {
        let s = system(&[(0, Some(3)), (2, Some(3))], &[(&[(0, 2), (1, 3)], 12)]);
        let b = box_of(&s, &[0, 1]).unwrap();
        assert_eq!(b, vec![(Some(3), Some(3)), (Some(2), Some(2))]);
        let good = cert(&[&[(0, 3), (1, -2)]], &[&[0], &[1]]);
        assert_eq!(
            check(&s, &[0, 1], &good),
            Ok(Lengths {
                shortest_step_squared: "13".into(),
                diagonal_squared: "0".into(),
            })
        );
        // A changed vector: not in the kernel.
        let changed = cert(&[&[(0, 3), (1, -1)]], &[&[0], &[1]]);
        assert!(matches!(
            check(&s, &[0, 1], &changed),
            Err(KernelError::NotInKernel { vector: 0, .. })
        ));
        // A sublattice: (6, -4) spans every other kernel vector only.
        let sub = cert(&[&[(0, 6), (1, -4)]], &[&[0], &[1]]);
        assert_eq!(
            check(&s, &[0, 1], &sub),
            Err(KernelError::MinorsNotCoprime { gcd: "2".into() })
        );
        // One minor alone (3) leaves the index unproved.
        let one = cert(&[&[(0, 3), (1, -2)]], &[&[0]]);
        assert_eq!(
            check(&s, &[0, 1], &one),
            Err(KernelError::MinorsNotCoprime { gcd: "3".into() })
        );
        // No vector at all: the rank leaves one dimension.
        let none = cert(&[], &[]);
        assert!(matches!(
            check(&s, &[0, 1], &none),
            Err(KernelError::TooFewVectors {
                rank: 1,
                cells: 2,
                vectors: 0
            })
        ));
        // A minor naming a position twice, or past the cells.
        let twice = cert(&[&[(0, 3), (1, -2)]], &[&[0, 0]]);
        assert_eq!(
            check(&s, &[0, 1], &twice),
            Err(KernelError::MinorPositions { minor: 0 })
        );
        let out = cert(&[&[(0, 3), (2, -2)]], &[&[0]]);
        assert!(matches!(
            check(&s, &[0, 1], &out),
            Err(KernelError::Malformed { vector: 0, .. })
        ));
    }

    #[test]
    fn a_box_as_long_as_the_step_fails() {
        // a + b = 4 in 0..4 each: the step (1, -1) has squared length 2,
        // the box's squared diagonal is 32, and 0 + 4, 1 + 3 ... fit.
        let s = system(&[(0, None), (0, None)], &[(&[(0, 1), (1, 1)], 4)]);
        let c = cert(&[&[(0, 1), (1, -1)]], &[&[0]]);
        assert_eq!(
            check(&s, &[0, 1], &c),
            Err(KernelError::TooShort {
                step: 0,
                squared: "2".into(),
                diagonal_squared: "32".into(),
            })
        );
    }

    #[test]
    fn inward_rounding_of_one_term() {
        // 2x <= 5: x <= 2; -2x <= 5: x >= -2; 2x >= 5: x >= 3; -2x >= 5: x <= -3.
        assert_eq!(whole_bound(5, 2, true), 2);
        assert_eq!(whole_bound(5, -2, true), -2);
        assert_eq!(whole_bound(5, 2, false), 3);
        assert_eq!(whole_bound(5, -2, false), -3);
        assert_eq!(whole_bound(-5, 2, true), -3);
    }
}
