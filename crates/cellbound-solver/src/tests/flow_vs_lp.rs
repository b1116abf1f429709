//! The flow path against the LP path (the reference): on small random
//! grids with margins, hidden margins included, under every rule, both
//! give the same bounds for every cell, or both find no table.

use cellbound_core::{Absent, Cell, Dimension, Entry, Layout, LinearSystem, Model, Rule, Table};
use proptest::prelude::*;

use crate::certificate;
use crate::components;
use crate::flow::Network;
use crate::tests::{flow_bounds, is_network, lp_bounds};
use cellbound_core::proof::Side;

/// A grid of `values` (leaves) with a total row and column; `hidden`
/// over the whole (rows + 1) x (cols + 1) grid, margins last.
fn grid(values: &[Vec<i64>], hidden: &[bool], ranges: &[Option<(i64, i64)>]) -> Model {
    let rows = values.len();
    let cols = values[0].len();
    let mut row_codes: Vec<(String, Option<usize>)> =
        (0..rows).map(|r| (format!("r{r}"), Some(rows))).collect();
    row_codes.push(("Total".into(), None));
    let mut col_codes: Vec<(String, Option<usize>)> =
        (0..cols).map(|c| (format!("c{c}"), Some(cols))).collect();
    col_codes.push(("Total".into(), None));
    let dims = vec![
        Dimension::new("row", row_codes).unwrap(),
        Dimension::new("col", col_codes).unwrap(),
    ];
    let value = |r: usize, c: usize| -> i64 {
        match (r < rows, c < cols) {
            (true, true) => values[r][c],
            (true, false) => values[r].iter().sum(),
            (false, true) => values.iter().map(|l| l[c]).sum(),
            (false, false) => values.iter().flatten().sum(),
        }
    };
    let mut cells = Vec::new();
    for r in 0..=rows {
        for c in 0..=cols {
            let k = r * (cols + 1) + c;
            let entry = if hidden[k] {
                match ranges[k] {
                    Some((a, b)) => Entry::Range {
                        lo: Some(a),
                        hi: Some(b),
                    },
                    None => Entry::Hidden,
                }
            } else {
                Entry::Published(value(r, c))
            };
            cells.push(Cell {
                at: vec![r, c],
                entry,
                origin: format!("cell {r},{c}"),
                line: None,
            });
        }
    }
    Model {
        negative: false,
        tables: vec![Table::new("t", dims, cells, Absent::Error, Layout::Grid).unwrap()],
        constraints: vec![],
        source: "t.csv".into(),
        decimals: 0,
    }
}

/// Leaf values, which cells are hidden, explicit ranges, the rule.
type Case = (Vec<Vec<i64>>, Vec<bool>, Vec<Option<(i64, i64)>>, Rule);

fn case() -> impl Strategy<Value = Case> {
    (1usize..5, 1usize..5).prop_flat_map(|(rows, cols)| {
        let n = (rows + 1) * (cols + 1);
        (
            prop::collection::vec(prop::collection::vec(0i64..12, cols), rows),
            prop::collection::vec(prop::bool::weighted(0.45), n),
            prop::collection::vec(
                prop::option::weighted(0.1, (0i64..6, 0i64..8).prop_map(|(a, w)| (a, a + w))),
                n,
            ),
            (2i64..7, any::<bool>(), any::<bool>()).prop_map(|(threshold, zeros_shown, open)| {
                Rule {
                    negative: false,
                    threshold,
                    zeros_shown,
                    open,
                }
            }),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn flow_matches_lp((values, hidden, ranges, rule) in case()) {
        let model = grid(&values, &hidden, &ranges);
        let Ok(system) = LinearSystem::build(&model, rule) else {
            return Ok(());
        };
        if system.rows.iter().any(|r| r.terms.is_empty()) {
            return Ok(());
        }
        for part in components::split(&system) {
            // Every component of a grid with both margins is a network.
            prop_assert!(is_network(&part), "{part:?}");
            let flow = flow_bounds(&part).unwrap();
            let lp = lp_bounds(&part).unwrap();
            prop_assert_eq!(flow, lp, "{:?}", part);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// On a grid, every bound the flow proves tight has a derivation read
    /// off its cut, with no LP, that core's exact check accepts for exactly
    /// that bound (`by_cut` returns nothing else).
    #[test]
    fn every_flow_bound_has_a_cut_derivation((values, hidden, ranges, rule) in case()) {
        let model = grid(&values, &hidden, &ranges);
        let Ok(system) = LinearSystem::build(&model, rule) else {
            return Ok(());
        };
        if system.rows.iter().any(|r| r.terms.is_empty()) {
            return Ok(());
        }
        for part in components::split(&system) {
            let net = Network::of(&part).expect("a grid's component is a network");
            let Some(solved) = net.bounds(&part, crate::solved::Keep::All, None, &|_| {}).unwrap() else {
                continue;
            };
            for (i, var) in solved.vars.iter().enumerate() {
                prop_assert!(var.tight);
                let (lo, hi) = var.reached_by;
                let table = &crate::report::table_values(&solved.witnesses, lo.expect("tables kept"));
                let lower = var.lower.expect("counts are bounded below");
                let d = certificate::by_cut(&system, &part, &net, i, Side::Lower, lower, table);
                prop_assert!(d.is_some(), "lower {} of {i} in {part:?}", lower);
                if let (Some(u), Some(h)) = (var.upper, hi) {
                    let table = &crate::report::table_values(&solved.witnesses, h);
                    let d = certificate::by_cut(&system, &part, &net, i, Side::Upper, u, table);
                    prop_assert!(d.is_some(), "upper {u} of {i} in {part:?}");
                }
            }
        }
    }
}
