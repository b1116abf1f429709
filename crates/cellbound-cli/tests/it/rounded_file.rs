//! A rounded publication read from a file (`--rounded 5 --rounding
//! nearest`, as Nomis rounds counts): every cell, totals included, gets
//! the bounds that a brute force over every integer table the rounded
//! values allow gives, and a rounded total is pinned tighter than +/-2 by
//! its lines.

use crate::common::{path, run};

/// The published grid of `tests/data/rounded/nomis.csv`, margins last.
const SHOWN: [[i64; 3]; 4] = [[0, 0, 5], [10, 15, 25], [5, 0, 5], [15, 20, 35]];
const ROWS: [&str; 4] = ["Area A", "Area B", "Area C", "Total"];
const COLS: [&str; 3] = ["Female", "Male", "Total"];

/// What a published `v` stands for, rounded to the nearest 5 (a half up),
/// counts being at least 0: by the definition, not by cellbound's code.
fn admits(v: i64, t: i64) -> bool {
    t >= 0 && (t + 2).div_euclid(5) * 5 == v
}

/// The least and greatest value of every cell of the grid over every
/// integer table whose cells, totals included, each round to what is
/// published.
fn brute_force() -> [[(i64, i64); 3]; 4] {
    let mut out = [[(i64::MAX, i64::MIN); 3]; 4];
    let range = |v: i64| (0..=v + 2).filter(move |&t| admits(v, t));
    for a in range(SHOWN[0][0]) {
        for b in range(SHOWN[0][1]) {
            for c in range(SHOWN[1][0]) {
                for d in range(SHOWN[1][1]) {
                    for e in range(SHOWN[2][0]) {
                        for f in range(SHOWN[2][1]) {
                            let (fe, ma) = (a + c + e, b + d + f);
                            let full = [
                                [a, b, a + b],
                                [c, d, c + d],
                                [e, f, e + f],
                                [fe, ma, fe + ma],
                            ];
                            let fits =
                                (0..4).all(|r| (0..3).all(|k| admits(SHOWN[r][k], full[r][k])));
                            if fits {
                                for r in 0..4 {
                                    for k in 0..3 {
                                        let (lo, hi) = &mut out[r][k];
                                        *lo = (*lo).min(full[r][k]);
                                        *hi = (*hi).max(full[r][k]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn a_nomis_style_rounded_grid_matches_brute_force() {
    let file = path("tests/data/rounded/nomis.csv");
    let (code, out, err) = run(&[
        "bounds",
        &file,
        "--rounded",
        "5",
        "--rounding",
        "nearest",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cells = json["cells"].as_array().unwrap();
    let expected = brute_force();
    // Every cell is published rounded: all twelve are reported.
    assert_eq!(cells.len(), 12, "{out}");
    for c in cells {
        let r = ROWS.iter().position(|&l| c["at"][0] == l).unwrap();
        let k = COLS.iter().position(|&l| c["at"][1] == l).unwrap();
        let (lo, hi) = expected[r][k];
        assert_eq!(
            (c["lower"].as_i64(), c["upper"].as_i64()),
            (Some(lo), Some(hi)),
            "{} {}",
            ROWS[r],
            COLS[k]
        );
        assert_eq!(c["published"], SHOWN[r][k], "{c}");
        let status = if lo == hi { "exact" } else { "rounded" };
        assert_eq!(c["status"], status, "{c}");
    }
    // Area A's total, published 5 (3..7 alone), is 3 or 4: its parts are
    // each published 0 (at most 2).
    assert_eq!(expected[0][2], (3, 4));
    // Random rounding of the same file reads every value as +/-4: looser.
    let (code, out, err) = run(&[
        "bounds",
        &file,
        "--rounded",
        "5",
        "--rounding",
        "random",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("nomis,Area A,Total,1,8,rounded,5\n"), "{out}");
}
