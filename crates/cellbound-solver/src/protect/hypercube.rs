//! Hypercubes: whole moves of one table that shift a cell and keep every
//! line, built one dimension at a time.
//!
//! Along one dimension, a signed set of codes keeps every line of that
//! dimension when each parent code's sign is the sum of its children's.
//! The smallest such sets are paths in the code tree: a leaf and every
//! code above it (the root has no line above it), or two leaves with
//! opposite signs and the codes between each and their lowest common
//! ancestor, which stays out. The product of one set per dimension (each
//! cell's sign the product of its codes' signs) keeps every line of the
//! table, because each line sees one dimension's set times a constant. On
//! a table with margins and no hierarchy these are the 2^k corners of a
//! sub-box: τ-ARGUS's hypercubes.
//!
//! Hiding a hypercube's cells lets the attacker move the cell by `t` when
//! every corner has room for `t` in its sign's direction, so a requirement
//! is met by the cheapest hypercube whose corners all have that room. The
//! search keeps the best few sets per dimension (by the price and room of
//! the cells that differ from the cell along that dimension alone), tries
//! their products, and checks each winner against every relation of the
//! model (extra constraints and linked tables included) before returning
//! it.

use cellbound_core::{CellRef, Dimension, Model, Op};
use itertools::Itertools;

use super::search::State;
use super::structure::Structure;

/// Signed sets kept per dimension before their products are tried.
const PER_DIMENSION: usize = 10;

/// One signed set of codes along a dimension: `(code, sign)`, the cell's
/// own code first with sign +1.
type Move = Vec<(usize, i8)>;

/// The leaves under `a` (itself when a leaf), in code order.
fn leaves_under(dim: &Dimension, a: usize, out: &mut Vec<usize>) {
    if dim.is_leaf(a) {
        out.push(a);
    } else {
        for &c in dim.children(a) {
            leaves_under(dim, c, out);
        }
    }
}

/// The codes from `leaf` up to `stop` (excluded).
fn path_up(dim: &Dimension, leaf: usize, stop: usize, sign: i8, out: &mut Move) {
    let mut at = leaf;
    while at != stop {
        out.push((at, sign));
        at = dim.parent(at).expect("stop is an ancestor");
    }
}

/// Every smallest signed set through `a` with `a` at +1: leaf-to-root
/// paths, and leaf-to-leaf paths whose turning code is above `a`.
fn moves_through(dim: &Dimension, a: usize) -> Vec<Move> {
    let mut below = Vec::new();
    leaves_under(dim, a, &mut below);
    let mut ancestors = Vec::new();
    let mut up = dim.parent(a);
    while let Some(p) = up {
        ancestors.push(p);
        up = dim.parent(p);
    }
    let mut moves = Vec::new();
    for &l1 in &below {
        // Up to the root: `a` and every code above it.
        let mut m: Move = vec![(a, 1)];
        path_up(dim, l1, a, 1, &mut m);
        m.extend(ancestors.iter().map(|&p| (p, 1)));
        moves.push(m);
        // Turning at an ancestor: down to a leaf on another branch.
        let mut side = a;
        for &turn in &ancestors {
            // The plus side: `a` first, then the rest of the path from
            // `l1` up to the turn.
            let mut plus: Move = vec![(a, 1)];
            let mut path = Vec::new();
            path_up(dim, l1, turn, 1, &mut path);
            plus.extend(path.into_iter().filter(|&(c, _)| c != a));
            for &branch in dim.children(turn) {
                if branch == side {
                    continue;
                }
                let mut others = Vec::new();
                leaves_under(dim, branch, &mut others);
                for l2 in others {
                    let mut m = plus.clone();
                    path_up(dim, l2, turn, -1, &mut m);
                    moves.push(m);
                }
            }
            side = turn;
        }
    }
    moves
}

/// A hypercube found: every cell it moves with its sign (the cell it was
/// asked for at +1; a move `(dir, t)` moves each by `sign * dir * t`), in
/// cell order, and those of them published (to hide).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cube {
    pub corners: Vec<(usize, i64)>,
    pub hide: Vec<usize>,
}

/// The cheapest hypercube through cell `p` that moves it by each `t` in
/// its direction `dir` (one hypercube for every move: up and down by the
/// same cells), or `None` when none of those tried fits (not a proof that
/// none exists).
pub(crate) fn cheapest(
    s: &Structure,
    model: &Model,
    state: &State,
    p: usize,
    moves: &[(i64, i128)],
) -> Option<Cube> {
    let cref = s.refs[p];
    let table = &model.tables[cref.table];
    let at = &table.cells[cref.cell].at;
    let global = |coords: &[usize]| -> Option<usize> {
        table.cell_at(coords).map(|k| {
            s.global(CellRef {
                table: cref.table,
                cell: k,
            })
        })
    };
    // Whether cell g can make each move times `sign`, and its price if so.
    let price = |g: usize, sign: i64| -> Option<f64> {
        moves
            .iter()
            .all(|&(dir, t)| state.may_move(g, (sign * dir) as i128 * t))
            .then(|| state.weight(g))
    };
    let mut axes: Vec<Vec<Move>> = Vec::with_capacity(at.len());
    for (d, dim) in table.dimensions.iter().enumerate() {
        let mut scored: Vec<(f64, usize, Move)> = Vec::new();
        let mut coords = at.clone();
        for (i, m) in moves_through(dim, at[d]).into_iter().enumerate() {
            let mut score = 0.0;
            let mut fits = true;
            for &(code, sign) in &m[1..] {
                coords[d] = code;
                match global(&coords).and_then(|g| price(g, sign as i64)) {
                    Some(w) => score += w,
                    None => {
                        fits = false;
                        break;
                    }
                }
            }
            coords[d] = at[d];
            if fits {
                scored.push((score, i, m));
            }
        }
        scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        scored.truncate(PER_DIMENSION);
        if scored.is_empty() {
            return None;
        }
        axes.push(scored.into_iter().map(|(_, _, m)| m).collect());
    }
    if price(p, 1).is_none() && !state.hidden[p] {
        return None;
    }
    // Every product of the kept sets, cheapest first.
    let mut tried: Vec<(f64, Vec<(usize, i64)>)> = Vec::new();
    for sets in axes.iter().map(|a| a.iter()).multi_cartesian_product() {
        let Some(corners) = corners_of(&sets, at, &global) else {
            continue;
        };
        let cost: Option<f64> = corners
            .iter()
            .filter(|&&(g, _)| g != p)
            .map(|&(g, sign)| price(g, sign))
            .sum();
        if let Some(cost) = cost {
            tried.push((cost, corners));
        }
    }
    // A stable sort keeps the enumeration's order among equal costs.
    tried.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, corners) in tried {
        if moves
            .iter()
            .all(|&(dir, t)| keeps_every_relation(s, &corners, dir, t))
        {
            let mut corners = corners;
            corners.sort_unstable();
            let hide = corners
                .iter()
                .map(|&(g, _)| g)
                .filter(|&g| !state.hidden[g])
                .collect();
            return Some(Cube { corners, hide });
        }
    }
    None
}

/// The cells of the product of one set per dimension, each with its sign;
/// `None` when a corner is not a cell of the table.
fn corners_of(
    sets: &[&Move],
    at: &[usize],
    global: &impl Fn(&[usize]) -> Option<usize>,
) -> Option<Vec<(usize, i64)>> {
    let mut coords = at.to_vec();
    sets.iter()
        .map(|set| set.iter())
        .multi_cartesian_product()
        .map(|corner| {
            let mut sign = 1i64;
            for (d, &&(code, s)) in corner.iter().enumerate() {
                coords[d] = code;
                sign *= s as i64;
            }
            Some((global(&coords)?, sign))
        })
        .collect()
}

/// Whether moving each corner by `sign * dir * t` keeps every relation
/// through the corners.
fn keeps_every_relation(s: &Structure, corners: &[(usize, i64)], dir: i64, t: i128) -> bool {
    let mut sums: std::collections::BTreeMap<usize, i128> = Default::default();
    for &(g, sign) in corners {
        for &(r, coef) in &s.on[g] {
            *sums.entry(r).or_insert(0) += coef as i128 * (sign * dir) as i128 * t;
        }
    }
    sums.into_iter().all(|(r, sum)| {
        let rel = &s.relations[r];
        match rel.op {
            Op::Eq => sum == rel.slack,
            Op::Le => sum <= rel.slack,
            Op::Ge => sum >= rel.slack,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keeps_lines(dim: &Dimension, m: &Move) -> bool {
        let sign = |c: usize| {
            m.iter()
                .find(|&&(x, _)| x == c)
                .map_or(0, |&(_, s)| s as i64)
        };
        dim.parents()
            .all(|p| sign(p) == dim.children(p).iter().map(|&c| sign(c)).sum::<i64>())
    }

    #[test]
    fn every_move_keeps_the_lines_of_a_hierarchy() {
        // Total > {A > {a1, a2, a3}, B > {b1, b2}}, C (a leaf).
        let dim = Dimension::new(
            "d",
            [
                ("T", None),
                ("A", Some(0)),
                ("a1", Some(1)),
                ("a2", Some(1)),
                ("a3", Some(1)),
                ("B", Some(0)),
                ("b1", Some(5)),
                ("b2", Some(5)),
                ("C", Some(0)),
            ]
            .map(|(c, p)| (c.to_string(), p)),
        )
        .unwrap();
        for a in 0..dim.len() {
            let moves = moves_through(&dim, a);
            assert!(!moves.is_empty());
            for m in &moves {
                assert_eq!(m[0], (a, 1));
                assert!(keeps_lines(&dim, m), "{a}: {m:?}");
                let mut codes: Vec<usize> = m.iter().map(|&(c, _)| c).collect();
                codes.sort_unstable();
                codes.dedup();
                assert_eq!(codes.len(), m.len(), "a code twice: {m:?}");
            }
        }
        // A leaf of A: up to the root (a1, A, T), or to a sibling (2), to
        // a cousin under B (2) or to C (1), turning below the root.
        assert_eq!(moves_through(&dim, 2).len(), 1 + 2 + 3);
        // The root: one path per leaf.
        assert_eq!(moves_through(&dim, 0).len(), 6);
    }

    #[test]
    fn a_flat_dimension_without_a_total_moves_alone() {
        let dim = Dimension::flat("d", ["x", "y"]).unwrap();
        assert_eq!(moves_through(&dim, 1), vec![vec![(1, 1)]]);
    }
}
