//! Doubleton substitution: a line with exactly two hidden cells ties them
//! (`a + b = 7` makes `a = 7 - b`), so one of them need not be a variable
//! of the LP at all. Complementary suppression leaves many such lines:
//! it stops as soon as no line has a single hidden cell. On the synthetic
//! 3-D cubes the substitution removes about half the variables, which
//! every LP and every probe then goes without (docs/benchmarks.md).
//!
//! Each variable becomes `sign * root + offset` for a root variable of
//! the reduced component; the domains of the variables tied to a root
//! meet in the root's domain, and the bounds and tables of the reduced
//! component map back exactly.

use cellbound_core::system::merge_terms;
use cellbound_core::{Count, Op};

use crate::components::{Component, LocalRow};

/// `x = sign * root + offset`, over the reduced component's variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alias {
    pub root: usize,
    pub sign: i64,
    pub offset: i128,
}

impl Alias {
    /// The variable's value when its root takes `root_value`.
    pub fn value(&self, root_value: i128) -> i128 {
        self.sign as i128 * root_value + self.offset
    }
}

/// A component with its doubleton lines substituted away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collapsed {
    /// Over the roots only. Its `vars` are the local numbers, in the
    /// original component, of the roots.
    pub reduced: Component,
    /// For each variable of the original component.
    pub alias: Vec<Alias>,
}

/// Substitutes every equality line that comes down to two variables with
/// coefficients of 1 or -1, repeated until none is left. `None` when the
/// substitution shows the lines contradictory (a line left with no
/// variable and a nonzero constant, or a root with an empty domain).
pub fn collapse(component: &Component) -> Option<Collapsed> {
    let n = component.vars.len();
    // Union-find where each link says `x = sign * parent + offset`.
    let mut link: Vec<(usize, i64, i128)> = (0..n).map(|v| (v, 1, 0)).collect();
    let find = |link: &mut Vec<(usize, i64, i128)>, v: usize| -> (usize, i64, i128) {
        let (mut root, mut sign, mut offset) = (v, 1i64, 0i128);
        while link[root].0 != root {
            let (p, s, c) = link[root];
            // x = sign * (s * p + c) + offset
            offset += sign as i128 * c;
            sign *= s;
            root = p;
        }
        link[v] = (root, sign, offset);
        (root, sign, offset)
    };
    let mut consumed = vec![false; component.rows.len()];
    loop {
        let mut merged = false;
        for (r, row) in component.rows.iter().enumerate() {
            if consumed[r] || row.op != Op::Eq {
                continue;
            }
            let (terms, rhs) = substitute(row, |v| find(&mut link, v));
            if terms.len() != 2 || terms.iter().any(|&(_, c)| c.abs() != 1) {
                continue;
            }
            // a p + b q = rhs, a and b in {1, -1}: p = a rhs - a b q.
            let ((p, a), (q, b)) = (terms[0], terms[1]);
            link[p] = (q, (-a * b) as i64, a * rhs);
            consumed[r] = true;
            merged = true;
        }
        if !merged {
            break;
        }
    }

    let mut root_index = vec![usize::MAX; n];
    let mut reduced = Component {
        vars: Vec::new(),
        rows: Vec::new(),
        lo: Vec::new(),
        hi: Vec::new(),
    };
    let mut lo: Vec<Option<i128>> = Vec::new();
    let mut hi: Vec<Option<i128>> = Vec::new();
    let mut alias = Vec::with_capacity(n);
    for v in 0..n {
        let (root, sign, offset) = find(&mut link, v);
        if root_index[root] == usize::MAX {
            root_index[root] = reduced.vars.len();
            reduced.vars.push(root);
            lo.push(None);
            hi.push(None);
        }
        let k = root_index[root];
        alias.push(Alias {
            root: k,
            sign,
            offset,
        });
        // lo_v <= sign * root + offset <= hi_v, as bounds on the root.
        let (v_lo, v_hi) = (
            component.lo[v].map(|l| l as i128),
            component.hi[v].map(|h| h as i128),
        );
        let (root_lo, root_hi) = if sign == 1 {
            (v_lo.map(|l| l - offset), v_hi.map(|h| h - offset))
        } else {
            (v_hi.map(|h| offset - h), v_lo.map(|l| offset - l))
        };
        if let Some(l) = root_lo {
            lo[k] = Some(lo[k].map_or(l, |old| old.max(l)));
        }
        if let Some(h) = root_hi {
            hi[k] = Some(hi[k].map_or(h, |old| old.min(h)));
        }
    }
    for k in 0..reduced.vars.len() {
        if matches!((lo[k], hi[k]), (Some(l), Some(h)) if h < l) {
            // An empty domain is a contradiction.
            return None;
        }
        reduced.lo.push(match lo[k] {
            Some(l) => Some(Count::try_from(l).ok()?),
            None => None,
        });
        reduced.hi.push(match hi[k] {
            Some(h) => Some(Count::try_from(h).ok()?),
            None => None,
        });
    }

    let mut seen_rows = std::collections::HashSet::new();
    for (r, row) in component.rows.iter().enumerate() {
        if consumed[r] {
            continue;
        }
        let (terms, rhs) = substitute(row, |v| find(&mut link, v));
        if terms.is_empty() {
            if !row.op.holds(0, rhs) {
                return None;
            }
            continue;
        }
        let terms: Vec<(usize, i64)> = terms
            .into_iter()
            .map(|(root, c)| Some((root_index[root], i64::try_from(c).ok()?)))
            .collect::<Option<_>>()?;
        // Substitution makes some lines repeat others.
        if !seen_rows.insert((terms.clone(), row.op, rhs)) {
            continue;
        }
        reduced.rows.push(LocalRow {
            terms,
            op: row.op,
            rhs,
            origin: row.origin,
        });
    }
    Some(Collapsed { reduced, alias })
}

/// The row over roots: terms merged per root (zero ones dropped, sorted
/// by root), constants moved to the right-hand side.
fn substitute(
    row: &LocalRow,
    mut find: impl FnMut(usize) -> (usize, i64, i128),
) -> (Vec<(usize, i128)>, i128) {
    let mut rhs = row.rhs;
    let mut terms: Vec<(usize, i128)> = Vec::with_capacity(row.terms.len());
    for &(v, c) in &row.terms {
        let (root, sign, offset) = find(v);
        rhs -= c as i128 * offset;
        terms.push((root, c as i128 * sign as i128));
    }
    (
        merge_terms(terms).expect("i64 coefficients widened to i128 add up within i128"),
        rhs,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_of_doubletons_ties_every_variable_to_one_root() {
        // a + b = 7, b + c = 5, a + c + d = 9, d <= 3
        let c = Component {
            vars: vec![0, 1, 2, 3],
            rows: vec![
                LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 7),
                LocalRow::of(&[(1, 1), (2, 1)], Op::Eq, 5),
                LocalRow::of(&[(0, 1), (2, 1), (3, 1)], Op::Eq, 9),
            ],
            lo: vec![Some(0); 4],
            hi: vec![None, None, None, Some(3)],
        };
        let collapsed = collapse(&c).expect("consistent");
        // a = 7 - b, c = 5 - b: a + c + d = 12 - 2b + d = 9.
        assert_eq!(collapsed.reduced.vars.len(), 2);
        assert_eq!(collapsed.reduced.rows.len(), 1);
        // Every original table maps to a reduced one and back.
        for b in 0..=5i128 {
            for d in 0..=3i128 {
                let values = [7 - b, b, 5 - b, d];
                let ok = c.admits(&values.map(|x| x as Count));
                let roots: Vec<i128> = collapsed.reduced.vars.iter().map(|&r| values[r]).collect();
                let back: Vec<i128> = collapsed
                    .alias
                    .iter()
                    .map(|a| a.value(roots[a.root]))
                    .collect();
                assert_eq!(back, values);
                let reduced_ok = collapsed
                    .reduced
                    .admits(&roots.iter().map(|&x| x as Count).collect::<Vec<_>>());
                assert_eq!(ok, reduced_ok, "b={b} d={d}");
            }
        }
    }

    #[test]
    fn a_cycle_of_doubletons_that_disagrees_is_a_contradiction() {
        // a + b = 4, b + c = 4, a - c = 1: a = c, so a - c = 0 != 1.
        let c = Component {
            vars: vec![0, 1, 2],
            rows: vec![
                LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 4),
                LocalRow::of(&[(1, 1), (2, 1)], Op::Eq, 4),
                LocalRow::of(&[(0, 1), (2, -1)], Op::Eq, 1),
            ],
            lo: vec![Some(0); 3],
            hi: vec![None; 3],
        };
        assert_eq!(collapse(&c), None);
    }

    #[test]
    fn domains_meet_in_the_root() {
        // a + b = 10 with a in 0..=4 and b in 0..=8: b in 6..=8.
        let c = Component {
            vars: vec![0, 1],
            rows: vec![LocalRow::of(&[(0, 1), (1, 1)], Op::Eq, 10)],
            lo: vec![Some(0), Some(0)],
            hi: vec![Some(4), Some(8)],
        };
        let collapsed = collapse(&c).expect("consistent");
        assert_eq!(collapsed.reduced.vars, vec![1]);
        assert_eq!(collapsed.reduced.lo, vec![Some(6)]);
        assert_eq!(collapsed.reduced.hi, vec![Some(8)]);
        assert!(collapsed.reduced.rows.is_empty());
    }
}
