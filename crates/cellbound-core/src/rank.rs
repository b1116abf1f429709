//! Exact checks that a group of hidden cells has at most one table: the
//! equality lines through the cells, restricted to them, have full column
//! rank modulo a prime. A rank modulo a prime is at most the rank over the
//! rationals (a minor that is not zero modulo the prime is not zero), so
//! full column rank modulo the prime means the lines leave the cells a
//! single rational solution, whatever their domains; a table that
//! satisfies the lines is then the only one. No LP, only integers.

use crate::system::LinearSystem;
use crate::Op;

/// The prime the solver and `bounds --witnesses` use: 2^61 - 1.
pub const PRIME: u64 = (1 << 61) - 1;

/// Whether `n` is a prime: Miller-Rabin with the first twelve primes as
/// bases, which is exact below 3.3 * 10^24, so for every `u64`.
pub fn is_prime(n: u64) -> bool {
    const BASES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    if n < 2 {
        return false;
    }
    for &p in &BASES {
        if n.is_multiple_of(p) {
            return n == p;
        }
    }
    let (mut d, mut s) = (n - 1, 0);
    while d % 2 == 0 {
        d /= 2;
        s += 1;
    }
    'bases: for &a in &BASES {
        let mut x = power(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul(x, x, n);
            if x == n - 1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

fn mul(a: u64, b: u64, m: u64) -> u64 {
    (a as u128 * b as u128 % m as u128) as u64
}

fn power(mut base: u64, mut e: u64, m: u64) -> u64 {
    let mut r = 1 % m;
    base %= m;
    while e > 0 {
        if e & 1 == 1 {
            r = mul(r, base, m);
        }
        base = mul(base, base, m);
        e >>= 1;
    }
    r
}

/// Why a group of cells is not shown to have a single table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RankError {
    /// The modulus given is not a prime.
    NotPrime(u64),
    /// A line through one of the cells also runs through a hidden cell
    /// outside the group, so the group is not settled on its own.
    NotClosed,
    /// The lines have this rank modulo the prime, short of the cells.
    Deficient { rank: usize, cells: usize },
}

impl std::fmt::Display for RankError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RankError::NotPrime(p) => write!(f, "{p} is not a prime"),
            RankError::NotClosed => write!(
                f,
                "a line through its cells runs through a hidden cell of another component"
            ),
            RankError::Deficient { rank, cells } => write!(
                f,
                "its lines have rank {rank} modulo the prime, not full rank: it has {cells} hidden cells"
            ),
        }
    }
}

/// Checks that the equality rows of `system` through the hidden cells
/// `vars` (variable numbers), restricted to them, have full column rank
/// modulo the prime `p`: then at most one assignment of the cells
/// satisfies those rows. Every row through the cells must stay within
/// them.
pub fn full_rank(system: &LinearSystem, vars: &[usize], p: u64) -> Result<(), RankError> {
    let rank = rank(system, vars, p)?;
    if rank == vars.len() {
        Ok(())
    } else {
        Err(RankError::Deficient {
            rank,
            cells: vars.len(),
        })
    }
}

/// A row of [`rows_through`]: its index in `system.rows`, and its terms
/// over positions in the group of cells.
pub type RowThrough = (usize, Vec<(usize, i128)>);

/// The rows of `system` through any of the hidden cells `vars`, each as
/// its index in `system.rows` with its terms over positions in `vars`
/// (as written, not merged). Every term of such a row must be one of
/// `vars` ([`RankError::NotClosed`] otherwise).
///
/// ```
/// use cellbound_core::model::{Model, Rule};
/// use cellbound_core::rank::{rows_through, RankError};
/// use cellbound_core::system::LinearSystem;
///
/// // Four hidden cells a b / c d of a grid with its margins.
/// let model = Model::grid_with_margins(
///     "t",
///     &[&[None, None, Some(5)], &[None, None, Some(5)], &[Some(5), Some(5), Some(10)]],
/// )
/// .unwrap();
/// let system = LinearSystem::build(&model, Rule::default()).unwrap();
/// assert_eq!(rows_through(&system, &[0, 1, 2, 3]).unwrap().len(), 4);
/// // a's row and column run through b and c, outside the group.
/// assert_eq!(rows_through(&system, &[0]), Err(RankError::NotClosed));
/// ```
pub fn rows_through(system: &LinearSystem, vars: &[usize]) -> Result<Vec<RowThrough>, RankError> {
    let mut local = vec![usize::MAX; system.vars.len()];
    for (i, &v) in vars.iter().enumerate() {
        *local.get_mut(v).ok_or(RankError::NotClosed)? = i;
    }
    let mut out = Vec::new();
    for (r, row) in system.rows.iter().enumerate() {
        if row.terms.iter().all(|&(v, _)| local[v] == usize::MAX) {
            continue;
        }
        let terms = row
            .terms
            .iter()
            .map(|&(v, c)| (local[v] != usize::MAX).then_some((local[v], c as i128)))
            .collect::<Option<Vec<_>>>()
            .ok_or(RankError::NotClosed)?;
        out.push((r, terms));
    }
    Ok(out)
}

/// The inverse of `a` (not a multiple of `p`) modulo the prime `p`:
/// `a^(p-2)`, by Fermat.
///
/// ```
/// use cellbound_core::rank::{inverse, PRIME};
///
/// assert_eq!(inverse(3, 7), 5); // 3 * 5 = 15 = 2 * 7 + 1
/// assert_eq!((inverse(12345, PRIME) as u128 * 12345) % PRIME as u128, 1);
/// ```
pub fn inverse(a: u64, p: u64) -> u64 {
    power(a, p - 2, p)
}

/// The rank modulo the prime `p` of the equality rows of `system` through
/// the hidden cells `vars`, restricted to them: at most their rank over
/// the rationals. Every row through the cells must stay within them.
pub fn rank(system: &LinearSystem, vars: &[usize], p: u64) -> Result<usize, RankError> {
    if !is_prime(p) {
        return Err(RankError::NotPrime(p));
    }
    let mut rows: Vec<Vec<(usize, u64)>> = Vec::new();
    for (r, mut terms) in rows_through(system, vars)? {
        if system.rows[r].op != Op::Eq {
            continue;
        }
        terms.sort_unstable();
        let mut out: Vec<(usize, u64)> = Vec::with_capacity(terms.len());
        for (col, c) in terms {
            let c = c.rem_euclid(p as i128) as u64;
            match out.last_mut() {
                Some(last) if last.0 == col => last.1 = (last.1 + c) % p,
                _ => out.push((col, c)),
            }
        }
        out.retain(|t| t.1 != 0);
        rows.push(out);
    }
    Ok(sparse_rank(rows, vars.len(), p))
}

/// The rank modulo the prime `p` of sparse rows over `cols` columns (each
/// row sorted by column, entries below `p` and not zero), by Gaussian
/// elimination that pivots on the shortest row and, in it, the column in
/// the fewest rows (Markowitz), to keep the rows sparse.
fn sparse_rank(mut rows: Vec<Vec<(usize, u64)>>, cols: usize, p: u64) -> usize {
    let mut in_rows: Vec<Vec<usize>> = vec![Vec::new(); cols];
    let mut count = vec![0usize; cols];
    for (i, row) in rows.iter().enumerate() {
        for &(c, _) in row {
            in_rows[c].push(i);
            count[c] += 1;
        }
    }
    let mut alive: Vec<usize> = (0..rows.len()).filter(|&i| !rows[i].is_empty()).collect();
    let mut rank = 0;
    let mut merged = Vec::new();
    while !alive.is_empty() {
        let (at, &i) = alive
            .iter()
            .enumerate()
            .min_by_key(|(_, &i)| rows[i].len())
            .expect("not empty");
        alive.swap_remove(at);
        let pivot_row = std::mem::take(&mut rows[i]);
        if pivot_row.is_empty() {
            continue;
        }
        let &(col, value) = pivot_row
            .iter()
            .min_by_key(|t| count[t.0])
            .expect("not empty");
        for &(c, _) in &pivot_row {
            count[c] -= 1;
        }
        rank += 1;
        let inverse = inverse(value, p);
        for j in std::mem::take(&mut in_rows[col]) {
            if j == i || rows[j].is_empty() {
                continue;
            }
            let Ok(pos) = rows[j].binary_search_by_key(&col, |t| t.0) else {
                continue; // a row the column has left
            };
            // row_j -= f * pivot_row, with f chosen to clear `col`.
            let f = mul(rows[j][pos].1, inverse, p);
            merged.clear();
            let (a, b) = (&rows[j], &pivot_row);
            let (mut x, mut y) = (0, 0);
            while x < a.len() || y < b.len() {
                let take_a = y == b.len() || (x < a.len() && a[x].0 < b[y].0);
                let take_b = x == a.len() || (y < b.len() && b[y].0 < a[x].0);
                if take_a {
                    merged.push(a[x]);
                    x += 1;
                } else if take_b {
                    let c = b[y].0;
                    merged.push((c, (p - mul(f, b[y].1, p)) % p));
                    count[c] += 1;
                    in_rows[c].push(j);
                    y += 1;
                } else {
                    let c = a[x].0;
                    let v = (a[x].1 + p - mul(f, b[y].1, p)) % p;
                    if v == 0 {
                        count[c] -= 1;
                    } else {
                        merged.push((c, v));
                    }
                    x += 1;
                    y += 1;
                }
            }
            std::mem::swap(&mut rows[j], &mut merged);
        }
        alive.retain(|&j| !rows[j].is_empty());
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes_are_told_from_composites() {
        assert!(is_prime(PRIME));
        assert!(is_prime(2));
        assert!(is_prime(1_000_000_007));
        assert!(!is_prime(1));
        assert!(!is_prime(PRIME - 2));
        assert!(!is_prime(3_215_031_751)); // a strong pseudoprime to 2, 3, 5, 7
        assert!(!is_prime(1_000_000_007 * 998_244_353));
    }

    #[test]
    fn sparse_rank_counts_independent_rows() {
        let p = PRIME;
        // x0 + x1, x1 + x2, x0 - x2 (the third is the first minus the second).
        let rows = vec![
            vec![(0, 1), (1, 1)],
            vec![(1, 1), (2, 1)],
            vec![(0, 1), (2, p - 1)],
        ];
        assert_eq!(sparse_rank(rows, 3, p), 2);
        let rows = vec![vec![(0, 1), (1, 1)], vec![(1, 1), (2, 1)], vec![(0, 1)]];
        assert_eq!(sparse_rank(rows, 3, p), 3);
        // 2x0 + 2x1 and x0 + x1 are dependent modulo any prime.
        let rows = vec![vec![(0, 2), (1, 2)], vec![(0, 1), (1, 1)]];
        assert_eq!(sparse_rank(rows, 2, p), 1);
        // x0 + 3x1 and x0 - 2x1 are independent over the rationals, but
        // not modulo 5, where -2 is 3: both rows read x0 + 3x1.
        let rows = vec![vec![(0, 1), (1, 3)], vec![(0, 1), (1, 3)]];
        assert_eq!(sparse_rank(rows, 2, 5), 1);
    }
}
