//! The audit on random grids with a true table and a random suppression
//! pattern: a cell reported exact has the same value in every integer
//! completion (checked by enumeration), and a cell that passes has two
//! verified completions at least its required distance apart.

use crate::common::grid;
use cellbound_core::{Count, Entry, Model};
use cellbound_solver::{audit, Options, Protection, Status, Verdict, Witness};
use proptest::prelude::*;

/// A `rows x cols` truth with margins, and which of its cells are hidden.
fn case() -> impl Strategy<Value = (Vec<Vec<Count>>, Vec<Vec<bool>>)> {
    (2usize..=3, 2usize..=3)
        .prop_flat_map(|(r, c)| {
            (
                proptest::collection::vec(proptest::collection::vec(0i64..=4, c), r),
                proptest::collection::vec(
                    proptest::collection::vec(proptest::bool::weighted(0.45), c + 1),
                    r + 1,
                ),
            )
        })
        .prop_map(|(interior, hidden)| {
            let r = interior.len();
            let c = interior[0].len();
            let mut full = vec![vec![0; c + 1]; r + 1];
            for i in 0..r {
                for j in 0..c {
                    full[i][j] = interior[i][j];
                    full[i][c] += interior[i][j];
                    full[r][j] += interior[i][j];
                    full[r][c] += interior[i][j];
                }
            }
            (full, hidden)
        })
}

fn published(truth: &[Vec<Count>], hidden: &[Vec<bool>]) -> Model {
    let rows: Vec<Vec<Option<i64>>> = truth
        .iter()
        .zip(hidden)
        .map(|(t, h)| t.iter().zip(h).map(|(&v, &x)| (!x).then_some(v)).collect())
        .collect();
    let refs: Vec<&[Option<i64>]> = rows.iter().map(|r| r.as_slice()).collect();
    grid(&refs)
}

/// Whether a full grid adds up along every row and column.
fn adds_up(g: &[Vec<Count>]) -> bool {
    let r = g.len() - 1;
    let c = g[0].len() - 1;
    (0..=r).all(|i| (0..c).map(|j| g[i][j]).sum::<Count>() == g[i][c])
        && (0..=c).all(|j| (0..r).map(|i| g[i][j]).sum::<Count>() == g[r][j])
}

/// Every integer completion of the hidden interior cells (margins follow
/// from them), each value in `0..=grand total`.
fn completions(truth: &[Vec<Count>], hidden: &[Vec<bool>]) -> Vec<Vec<Vec<Count>>> {
    let r = truth.len() - 1;
    let c = truth[0].len() - 1;
    let cap = truth[r][c];
    let free: Vec<(usize, usize)> = (0..r)
        .flat_map(|i| (0..c).map(move |j| (i, j)))
        .filter(|&(i, j)| hidden[i][j])
        .collect();
    let mut out = Vec::new();
    let mut g = truth.to_vec();
    fn go(
        k: usize,
        free: &[(usize, usize)],
        g: &mut Vec<Vec<Count>>,
        cap: Count,
        hidden: &[Vec<bool>],
        out: &mut Vec<Vec<Vec<Count>>>,
    ) {
        if k == free.len() {
            let r = g.len() - 1;
            let c = g[0].len() - 1;
            // Margins: recompute the hidden ones, keep published ones.
            let mut full = g.clone();
            for i in 0..=r {
                for j in 0..=c {
                    if i == r || j == c {
                        let sum: Count = match (i == r, j == c) {
                            (true, true) => (0..r)
                                .flat_map(|a| (0..c).map(move |b| (a, b)))
                                .map(|(a, b)| full[a][b])
                                .sum(),
                            (true, false) => (0..r).map(|a| full[a][j]).sum(),
                            (false, true) => (0..c).map(|b| full[i][b]).sum(),
                            _ => unreachable!(),
                        };
                        if hidden[i][j] {
                            full[i][j] = sum;
                        } else if full[i][j] != sum {
                            return;
                        }
                    }
                }
            }
            out.push(full);
            return;
        }
        let (i, j) = free[k];
        for v in 0..=cap {
            g[i][j] = v;
            go(k + 1, free, g, cap, hidden, out);
        }
    }
    if free.len() <= 4 {
        go(0, &free, &mut g, cap, hidden, &mut out);
    }
    out
}

fn full_table(
    model: &Model,
    truth: &[Vec<Count>],
    w: &Witness,
    system_cells: &[(usize, usize)],
) -> Vec<Vec<Count>> {
    let _ = model;
    let mut g = truth.to_vec();
    for (var, value) in w.values() {
        let (i, j) = system_cells[var];
        g[i][j] = value;
    }
    g
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn exact_means_one_value_and_pass_means_two_far_tables(
        (truth, hidden) in case(),
        min_width in 0i64..=3,
        protect_all in any::<bool>(),
    ) {
        let model = published(&truth, &hidden);
        let protection = Protection { min_width: Some(min_width), protect_all, ..Protection::default() };
        let flat: Vec<Vec<Count>> = vec![model.tables[0].cells.iter().map(|c| {
            let (i, j) = (c.at[0], c.at[1]);
            truth[i][j]
        }).collect()];
        let report = audit(&model, &flat, false, &protection, None, &Options { keep_witnesses: true, ..Options::default() }).unwrap();
        // Variable k is the k-th hidden cell in input order.
        let cells: Vec<(usize, usize)> = model.tables[0].cells.iter()
            .filter(|c| !matches!(c.entry, Entry::Published(_)))
            .map(|c| (c.at[0], c.at[1])).collect();
        let all = completions(&truth, &hidden);
        for (k, cell) in report.cells.iter().enumerate() {
            let (i, j) = cells[k];
            prop_assert!(cell.bounds.contains(truth[i][j]));
            if cell.bounds.status() == Status::Exact && !all.is_empty() {
                for g in &all {
                    prop_assert_eq!(Some(g[i][j]), cell.bounds.lower, "cell ({}, {}) reported exact", i, j);
                }
            }
            if cell.verdict == Verdict::Pass {
                let (lo, hi) = cell.witnesses.clone().unwrap();
                let lo_table = full_table(&model, &truth, &lo.unwrap(), &cells);
                prop_assert!(adds_up(&lo_table));
                prop_assert_eq!(Some(lo_table[i][j]), cell.bounds.lower);
                match hi {
                    Some(hi) => {
                        let hi_table = full_table(&model, &truth, &hi, &cells);
                        prop_assert!(adds_up(&hi_table));
                        prop_assert_eq!(hi_table[i][j], cell.bounds.upper.unwrap());
                        prop_assert!(hi_table[i][j] - lo_table[i][j] >= min_width.max(1));
                    }
                    None => prop_assert!(cell.bounds.upper.is_none()),
                }
            }
        }
    }
}
