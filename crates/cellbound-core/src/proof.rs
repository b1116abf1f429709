//! Proofs of bounds that anyone can check by hand or in exact integer
//! arithmetic, with no LP solver and no trust in one.
//!
//! A [`Derivation`] of `x <= U` adds up published lines with integer
//! multipliers `m_r` (all scaled by one denominator `D`):
//!
//! `D*x - sum_i d_i*x_i  (=, <=)  sum_r m_r*b_r`
//!
//! then bounds each remaining cell by its domain (`x_i <= hi_i` where
//! `d_i > 0`, `x_i >= lo_i` where `d_i < 0`), giving `D*x <= T`, hence
//! `x <= floor(T / D)` because cells are integers (the rounding step).
//! A lower bound is the same argument for `-x`. [`Derivation::check`]
//! redoes all of it from the [`LinearSystem`].

use std::collections::BTreeMap;

use crate::kernel::Limits;
use crate::model::{Count, Op};
use crate::system::{LinearSystem, Row};

/// Which bound a derivation proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Lower,
    Upper,
}

/// A certificate for one bound of one variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    pub var: usize,
    pub side: Side,
    /// The common denominator `D >= 1` of the multipliers.
    pub denominator: i128,
    /// `(row of the system, multiplier m_r)`, the multipliers scaled by
    /// `D`; zero multipliers are left out.
    pub multipliers: Vec<(usize, i128)>,
}

/// The arithmetic of a checked derivation, for showing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The bound proved.
    pub bound: Count,
    /// `d_i` for each other variable with a nonzero coefficient in the
    /// combination (already scaled by `D`): the combined line reads
    /// `D*x = rhs + sum d_i*x_i` (or `<=` when an inequality is used).
    pub rest: Vec<(usize, i128)>,
    /// `sum m_r*b_r`.
    pub rhs: i128,
    /// Whether an inequality (rather than only equalities) was combined.
    pub inequality: bool,
    /// `T`, the bound on `D*x` once the domains are used.
    pub scaled_bound: i128,
    /// Whether `T / D` had to be rounded to reach an integer.
    pub rounded: bool,
}

impl Derivation {
    /// Checks the derivation against the system in exact arithmetic and
    /// returns what it proves, or why it proves nothing.
    pub fn check(&self, system: &LinearSystem) -> Result<Checked, String> {
        let d = self.denominator;
        if d < 1 {
            return Err(format!("denominator {d} is not positive"));
        }
        let Some(target) = system.vars.get(self.var) else {
            return Err(format!("no variable {}", self.var));
        };
        let _ = target;
        // For an upper bound the objective is x; for a lower bound, -x.
        let sign: i128 = match self.side {
            Side::Upper => 1,
            Side::Lower => -1,
        };
        // coefficient of each variable in sum m_r * row_r
        let mut combo: BTreeMap<usize, i128> = BTreeMap::new();
        let mut rhs: i128 = 0;
        let mut inequality = false;
        for &(r, m) in &self.multipliers {
            let Some(row) = system.rows.get(r) else {
                return Err(format!("no line {r}"));
            };
            // m * (a.x op b): for <=, m >= 0 keeps the direction; for >=,
            // m <= 0 turns it into <=.
            match row.op {
                Op::Eq => {}
                Op::Le if m >= 0 => inequality |= m > 0,
                Op::Ge if m <= 0 => inequality |= m < 0,
                _ => {
                    return Err(format!(
                        "line {r} is an inequality used with a multiplier of the wrong sign"
                    ))
                }
            }
            for &(v, c) in &row.terms {
                *combo.entry(v).or_default() += m * c as i128;
            }
            rhs += m * row.rhs;
        }
        // sum m_r a_r . x = D*sign*x - sum d_i x_i, so
        // d_i = D*sign*[i == var] - combo_i.
        let mut rest = Vec::new();
        let mut scaled_bound = rhs;
        let all: std::collections::BTreeSet<usize> =
            combo.keys().copied().chain([self.var]).collect();
        for v in all {
            let own = if v == self.var { d * sign } else { 0 };
            let di = own - combo.get(&v).copied().unwrap_or(0);
            if di == 0 {
                continue;
            }
            let dom = system.vars[v].domain;
            let limit = if di > 0 {
                dom.hi.ok_or_else(|| {
                    format!("the combination needs an upper limit on variable {v}, which has none")
                })?
            } else {
                dom.lo.ok_or_else(|| {
                    format!("the combination needs a lower limit on variable {v}, which has none")
                })?
            };
            scaled_bound += di * limit as i128;
            rest.push((v, di));
        }
        // sign*D*x <= scaled_bound
        let (bound, rounded) = match self.side {
            Side::Upper => (div_floor(scaled_bound, d), scaled_bound % d != 0),
            Side::Lower => (-div_floor(scaled_bound, d), scaled_bound % d != 0),
        };
        let bound = Count::try_from(bound).map_err(|_| "the bound overflows".to_string())?;
        Ok(Checked {
            bound,
            rest,
            rhs,
            inequality,
            scaled_bound,
            rounded,
        })
    }
}

fn div_floor(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && ((a < 0) != (b < 0)) {
        q - 1
    } else {
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, Rule};

    /// Table 1's four hidden cells: m1 + m3 = 11, b1 + b3 = 10,
    /// m1 + b1 = 13, m3 + b3 = 8.
    fn table1() -> LinearSystem {
        let model = Model::grid_with_margins(
            "t",
            &[
                &[None, Some(9), None, Some(20)],
                &[None, Some(15), None, Some(25)],
                &[Some(13), Some(24), Some(8), Some(45)],
            ],
        )
        .unwrap();
        let open = Rule {
            open: true,
            zeros_shown: true,
            ..Rule::default()
        };
        LinearSystem::build(&model, open).unwrap()
    }

    fn row_of(s: &LinearSystem, terms: &[(usize, i64)]) -> usize {
        s.rows.iter().position(|r| r.terms == terms).unwrap()
    }

    #[test]
    fn upper_bound_from_one_row() {
        let s = table1();
        // vars: 0 m1, 1 m3, 2 b1, 3 b3. m1 = 11 - m3 <= 11 - 1.
        let mitis = row_of(&s, &[(0, 1), (1, 1)]);
        let d = Derivation {
            var: 0,
            side: Side::Upper,
            denominator: 1,
            multipliers: vec![(mitis, 1)],
        };
        let c = d.check(&s).unwrap();
        assert_eq!(c.bound, 10);
        assert_eq!(c.rest, vec![(1, -1)]);
        assert!(!c.rounded);
    }

    #[test]
    fn lower_bound_from_three_rows() {
        let s = table1();
        // m1 = 13 - b1 = 13 - (10 - b3) = 3 + b3 >= 4.
        let col1 = row_of(&s, &[(0, 1), (2, 1)]);
        let basques = row_of(&s, &[(2, 1), (3, 1)]);
        let d = Derivation {
            var: 0,
            side: Side::Lower,
            denominator: 1,
            multipliers: vec![(col1, -1), (basques, 1)],
        };
        assert_eq!(d.check(&s).unwrap().bound, 4);
    }

    #[test]
    fn a_wrong_or_unbounded_combination_is_rejected() {
        let s = table1();
        let mitis = row_of(&s, &[(0, 1), (1, 1)]);
        // -1 * row gives -m1 - m3 = -11: for an upper bound of m1 it needs
        // an upper limit on... m1 itself, with coefficient 2.
        let d = Derivation {
            var: 0,
            side: Side::Upper,
            denominator: 1,
            multipliers: vec![(mitis, -1)],
        };
        assert!(d.check(&s).is_err());
        let bad = Derivation {
            var: 0,
            side: Side::Upper,
            denominator: 0,
            multipliers: vec![],
        };
        assert!(bad.check(&s).is_err());
    }
}

/// A proof that a variable has no upper bound (or, for
/// [`Side::Lower`], no lower bound): a direction `r` (integers, `r[var] > 0`,
/// or `< 0` for the lower side) along which every line stays satisfied and
/// every domain respected, so any table plus `t*r` is another table for
/// all `t >= 0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ray {
    pub var: usize,
    /// Which bound the ray shows missing.
    pub side: Side,
    /// `(variable, step)`, nonzero steps only.
    pub steps: Vec<(usize, i64)>,
}

impl Ray {
    /// Checks the ray exactly: each line's left side does not move (for
    /// `=`) or moves only the allowed way, and no step pushes a cell past a
    /// finite limit: a step up only where there is no upper limit, a step
    /// down only where there is no lower one.
    pub fn check(&self, system: &LinearSystem) -> Result<(), String> {
        let mut step = vec![0i64; system.vars.len()];
        for &(v, s) in &self.steps {
            let Some(slot) = step.get_mut(v) else {
                return Err(format!("no variable {v}"));
            };
            *slot = s;
        }
        match (self.side, step.get(self.var)) {
            (Side::Upper, Some(&s)) if s > 0 => {}
            (Side::Lower, Some(&s)) if s < 0 => {}
            (Side::Upper, _) => return Err("the ray does not increase the cell".into()),
            (Side::Lower, _) => return Err("the ray does not decrease the cell".into()),
        }
        for (v, &s) in step.iter().enumerate() {
            if s < 0 && system.vars[v].domain.lo.is_some() {
                return Err(format!(
                    "the ray decreases variable {v}, which has a lower limit"
                ));
            }
            if s > 0 && system.vars[v].domain.hi.is_some() {
                return Err(format!(
                    "the ray increases variable {v} past its upper limit"
                ));
            }
        }
        for (r, row) in system.rows.iter().enumerate() {
            let moved: i128 = row
                .terms
                .iter()
                .map(|&(v, c)| c as i128 * step[v] as i128)
                .sum();
            if !row.op.holds(moved, 0) {
                return Err(format!("the ray breaks line {r}"));
            }
        }
        Ok(())
    }
}

/// A proof of a bound that the LP relaxation does not give, by a small
/// branch and bound: the box of the cells' domains with the variable past
/// the bound (`x >= bound + 1` for an upper bound, `x <= bound - 1` for a
/// lower one) is split on whole values until each part holds no table,
/// each shown by a combination of the lines.
///
/// ```
/// use cellbound_core::model::{Model, Rule};
/// use cellbound_core::proof::{SearchTree, Side};
/// use cellbound_core::system::LinearSystem;
///
/// // a + b = 1 (a row) and a + c = 1 (a column), any value of 0 or
/// // more: a is at most 1, which the box a >= 2 breaks on the row.
/// let model = Model::grid_with_margins(
///     "t",
///     &[&[None, None, Some(1)], &[None, Some(5), Some(5)], &[Some(1), Some(5), Some(6)]],
/// )
/// .unwrap();
/// let system = LinearSystem::build(&model, Rule { open: true, ..Rule::default() }).unwrap();
/// let row = system.rows.iter().position(|r| r.terms == [(0, 1), (1, 1)]).unwrap();
/// // a + b <= 1 with a >= 2 and b >= 0: the least a + b is 2.
/// let tree = SearchTree::Leaf(vec![(row, 1)]);
/// let domains = SearchTree::domains(&system);
/// assert_eq!(tree.check(&system, &domains, 0, Side::Upper, 1), Ok(1));
/// // It does not prove a <= 0: with a >= 1 the least a + b is 1.
/// assert!(tree.check(&system, &domains, 0, Side::Upper, 0).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTree {
    /// The box holds no table: the lines combined with these integer
    /// multipliers (`(row of the system, multiplier)`; a `<=` line takes
    /// one of 0 or more, a `>=` line one of 0 or less, an equality any)
    /// read `c.x <= beta`, and the least `c.x` over the box is above
    /// `beta`.
    Leaf(Vec<(usize, i128)>),
    /// The box split at a whole value of a variable: `x_var <= at` in
    /// `below`, `x_var >= at + 1` in `above`.
    Branch {
        var: usize,
        at: Count,
        below: Box<SearchTree>,
        above: Box<SearchTree>,
    },
}

impl SearchTree {
    /// The box of the cells' domains, for [`SearchTree::check`].
    pub fn domains(system: &LinearSystem) -> Vec<Limits> {
        system
            .vars
            .iter()
            .map(|v| (v.domain.lo.map(i128::from), v.domain.hi.map(i128::from)))
            .collect()
    }

    /// Each leaf's multipliers, left to right.
    pub fn leaves(&self) -> Vec<&[(usize, i128)]> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            match node {
                SearchTree::Leaf(m) => out.push(m.as_slice()),
                SearchTree::Branch { below, above, .. } => {
                    stack.push(above);
                    stack.push(below);
                }
            }
        }
        out
    }

    /// Checks that the tree proves `bound` for `var` on `side`, in exact
    /// arithmetic, and returns its number of leaves. The tree's root is
    /// the box `limits` (one `(lo, hi)` per variable of the system, which
    /// every table must lie in: the domains, or [`kernel::box_of`]'s
    /// propagation of them over every variable) with `var` past `bound`.
    ///
    /// [`kernel::box_of`]: crate::kernel::box_of
    pub fn check(
        &self,
        system: &LinearSystem,
        limits: &[Limits],
        var: usize,
        side: Side,
        bound: Count,
    ) -> Result<usize, String> {
        let n = system.vars.len();
        if var >= n {
            return Err(format!("no variable {var}"));
        }
        if limits.len() != n {
            return Err(format!("a box of {} variables for {n}", limits.len()));
        }
        let mut lo: Vec<Option<i128>> = limits.iter().map(|l| l.0).collect();
        let mut hi: Vec<Option<i128>> = limits.iter().map(|l| l.1).collect();
        match side {
            Side::Upper => {
                lo[var] = Some(lo[var].map_or(bound as i128 + 1, |l| l.max(bound as i128 + 1)))
            }
            Side::Lower => {
                hi[var] = Some(hi[var].map_or(bound as i128 - 1, |h| h.min(bound as i128 - 1)))
            }
        }
        // Depth first, each node with its box; a branch's change is undone
        // on the way back.
        let mut leaves = 0;
        check_node(self, system, &mut lo, &mut hi, &mut leaves, 0)?;
        Ok(leaves)
    }
}

/// How deep a search tree may go: a proof is meant to be small.
pub const MAX_TREE_DEPTH: usize = 256;

fn check_node(
    node: &SearchTree,
    system: &LinearSystem,
    lo: &mut [Option<i128>],
    hi: &mut [Option<i128>],
    leaves: &mut usize,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_TREE_DEPTH {
        return Err(format!("the tree is deeper than {MAX_TREE_DEPTH}"));
    }
    match node {
        SearchTree::Leaf(multipliers) => {
            *leaves += 1;
            leaf_contradicts(multipliers, system, lo, hi)
                .map_err(|e| format!("leaf {}: {e}", *leaves))
        }
        SearchTree::Branch {
            var,
            at,
            below,
            above,
        } => {
            let v = *var;
            if v >= lo.len() {
                return Err(format!(
                    "a branch on variable {v}, which the table does not have"
                ));
            }
            let at = *at as i128;
            let (old_lo, old_hi) = (lo[v], hi[v]);
            hi[v] = Some(old_hi.map_or(at, |h| h.min(at)));
            let first = check_node(below, system, lo, hi, leaves, depth + 1);
            hi[v] = old_hi;
            first?;
            lo[v] = Some(old_lo.map_or(at + 1, |l| l.max(at + 1)));
            let second = check_node(above, system, lo, hi, leaves, depth + 1);
            lo[v] = old_lo;
            second
        }
    }
}

/// Whether the combination reads `c.x <= beta` with the least `c.x` over
/// the box above `beta` (an empty box holds no table either).
fn leaf_contradicts(
    multipliers: &[(usize, i128)],
    system: &LinearSystem,
    lo: &[Option<i128>],
    hi: &[Option<i128>],
) -> Result<(), String> {
    if lo
        .iter()
        .zip(hi)
        .any(|(l, h)| matches!((l, h), (Some(l), Some(h)) if l > h))
    {
        return Ok(());
    }
    combination_contradicts(&system.rows, multipliers.iter().copied(), lo, hi)
}

/// Whether the rows combined with integer `multipliers` (`(index into
/// rows, multiplier)`; a `<=` row takes one of 0 or more, a `>=` row one
/// of 0 or less, an equality any) read `c.x <= beta` with the least `c.x`
/// over the box `lo`..`hi` above `beta`: then no table in the box
/// satisfies the rows. Exact; `Err` says why not.
///
/// ```
/// use cellbound_core::proof::combination_contradicts;
/// use cellbound_core::{Op, Row};
///
/// // x0 + x1 = 3 with x0, x1 in 2..5: the least x0 + x1 is 4.
/// let rows = [Row::<usize>::equal(&[(0, 1), (1, 1)], 3)];
/// let (lo, hi) = ([Some(2), Some(2)], [Some(5), Some(5)]);
/// assert!(combination_contradicts(&rows, [(0, 1)], &lo, &hi).is_ok());
/// // Taken negated it reads -x0 - x1 <= -3, which the box meets.
/// assert!(combination_contradicts(&rows, [(0, -1)], &lo, &hi).is_err());
/// ```
pub fn combination_contradicts<O>(
    rows: &[Row<O>],
    multipliers: impl IntoIterator<Item = (usize, i128)>,
    lo: &[Option<i128>],
    hi: &[Option<i128>],
) -> Result<(), String> {
    let overflow = || "a number past 128 bits".to_string();
    let mut c: BTreeMap<usize, i128> = BTreeMap::new();
    let mut beta: i128 = 0;
    for (r, m) in multipliers {
        let Some(row) = rows.get(r) else {
            return Err(format!("no line {r}"));
        };
        let allowed = match row.op {
            Op::Eq => true,
            Op::Le => m >= 0,
            Op::Ge => m <= 0,
        };
        if !allowed {
            return Err(format!(
                "line {r} is an inequality taken with multiplier {m}, the wrong sign"
            ));
        }
        for &(v, a) in &row.terms {
            let t = c.entry(v).or_insert(0);
            *t = m
                .checked_mul(a as i128)
                .and_then(|x| t.checked_add(x))
                .ok_or_else(overflow)?;
        }
        beta = m
            .checked_mul(row.rhs)
            .and_then(|x| beta.checked_add(x))
            .ok_or_else(overflow)?;
    }
    let mut least: i128 = 0;
    for (&v, &cv) in &c {
        let end = match cv.signum() {
            0 => continue,
            1 => lo.get(v).copied().flatten(),
            _ => hi.get(v).copied().flatten(),
        };
        let Some(end) = end else {
            return Err(format!(
                "the combination is not bounded below over the box (variable {v} has no limit on that side)"
            ));
        };
        least = end
            .checked_mul(cv)
            .and_then(|x| least.checked_add(x))
            .ok_or_else(overflow)?;
    }
    if least > beta {
        Ok(())
    } else {
        Err(format!(
            "the combination reads c.x <= {beta}, and the box allows c.x as low as {least}: no contradiction"
        ))
    }
}

#[cfg(test)]
mod tree_tests {
    use super::*;
    use crate::model::{CellRef, Domain, DomainSource, Rule};
    use crate::system::{Line, Row, Var};

    /// a = b and a + b = 1, a and b in 0..1: no whole table, though the
    /// LP has a = b = 1/2.
    fn parity() -> LinearSystem {
        let var = |i| Var {
            cell: CellRef { table: 0, cell: i },
            domain: Domain {
                lo: Some(0),
                hi: Some(1),
                source: DomainSource::Range,
            },
        };
        let row = |terms: &[(usize, i64)], rhs, i| Row {
            terms: terms.to_vec(),
            op: Op::Eq,
            rhs,
            origin: Line::Constraint(i),
        };
        LinearSystem {
            rule: Rule::default(),
            vars: vec![var(0), var(1)],
            rows: vec![row(&[(0, 1), (1, 1)], 1, 0), row(&[(0, 1), (1, -1)], 0, 1)],
            var_of: Vec::new(),
        }
    }

    #[test]
    fn a_branch_proves_what_no_single_combination_does() {
        let s = parity();
        // a <= -1, that is, no table at all: over the whole box no
        // combination contradicts (the LP point 1/2, 1/2 satisfies all).
        assert!(SearchTree::Leaf(vec![(0, -1), (1, 1)])
            .check(&s, &SearchTree::domains(&s), 0, Side::Upper, -1)
            .is_err());
        // Split on b: with b = 0, -(a + b) + (a - b) = -2b <= -1 fails;
        // with b = 1, (a + b) - (a - b) = 2b <= 1 fails.
        let tree = SearchTree::Branch {
            var: 1,
            at: 0,
            below: Box::new(SearchTree::Leaf(vec![(0, -1), (1, 1)])),
            above: Box::new(SearchTree::Leaf(vec![(0, 1), (1, -1)])),
        };
        assert_eq!(
            tree.check(&s, &SearchTree::domains(&s), 0, Side::Upper, -1),
            Ok(2)
        );
        // The leaves swapped: each fails on the other side.
        let swapped = SearchTree::Branch {
            var: 1,
            at: 0,
            below: Box::new(SearchTree::Leaf(vec![(0, 1), (1, -1)])),
            above: Box::new(SearchTree::Leaf(vec![(0, -1), (1, 1)])),
        };
        assert!(swapped
            .check(&s, &SearchTree::domains(&s), 0, Side::Upper, -1)
            .unwrap_err()
            .starts_with("leaf 1:"));
        // A branch on a variable that does not exist, a line that does not.
        let bad_var = SearchTree::Branch {
            var: 7,
            at: 0,
            below: Box::new(SearchTree::Leaf(vec![])),
            above: Box::new(SearchTree::Leaf(vec![])),
        };
        assert!(bad_var
            .check(&s, &SearchTree::domains(&s), 0, Side::Upper, -1)
            .is_err());
        assert!(SearchTree::Leaf(vec![(9, 1)])
            .check(&s, &SearchTree::domains(&s), 0, Side::Upper, -1)
            .is_err());
    }

    #[test]
    fn the_claimed_side_is_in_the_root_box() {
        let s = parity();
        // a >= 1 (lower bound 1): the box a <= 0 ... is the whole
        // domain's lower part; a = b = 0 breaks a + b = 1: -(a + b) <= -1
        // with a <= 0 and b <= 1 gives least -1, no contradiction; with
        // the second line, -(a + b) + ... the tree must split on b.
        let tree = SearchTree::Branch {
            var: 1,
            at: 0,
            below: Box::new(SearchTree::Leaf(vec![(0, -1)])),
            above: Box::new(SearchTree::Leaf(vec![(1, -1)])),
        };
        // b = 0, a = 0: -(a + b) <= -1 has least 0 > -1. b = 1, a = 0:
        // -(a - b) <= 0 has least 1 > 0.
        assert_eq!(
            tree.check(&s, &SearchTree::domains(&s), 0, Side::Lower, 1),
            Ok(2)
        );
        // The same tree does not prove a lower bound of 2 (a = 1 is then
        // in the box too).
        assert!(tree
            .check(&s, &SearchTree::domains(&s), 0, Side::Lower, 2)
            .is_err());
    }
}
