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

use crate::model::{Count, Op};
use crate::system::LinearSystem;

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
