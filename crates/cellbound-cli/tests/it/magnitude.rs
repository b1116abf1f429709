//! Magnitude tables: values in the hundreds of millions, where microlp's
//! floating point (its tolerances are absolute) fails. Every bound must
//! still be proved, by a table checked exactly.

use std::collections::HashMap;

use crate::common::{path, run};

/// Each hidden cell's bounds in `bounds --format csv` output, by its
/// coordinates.
fn bounds(csv: &str) -> HashMap<String, (i64, i64)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = f.len();
            (
                f[1..n - 3].join(","),
                (f[n - 3].parse().unwrap(), f[n - 2].parse().unwrap()),
            )
        })
        .collect()
}

/// `synth --shape cube --dims 6,6,6 --small 0.3 --seed 1` with every
/// published value multiplied by 10^7 (tests/data/magnitude): the integer
/// program, never scaled, called its lines contradictory although a
/// checked table satisfies them, and one cell's bounds were left to
/// presolve (exit 4). Every bound is now proved (exit 0). Each table of the cube,
/// times 10^7, is a table of the scaled one, so its bounds are at least as
/// wide as 10^7 times the cube's (wider where the cube's LP bound is
/// fractional: 7.5 there is 75,000,000 here).
#[test]
fn a_cube_times_ten_million_has_every_bound_proved() {
    let dir = tempfile::tempdir().unwrap();
    let cube = dir.path().join("cube.json");
    let cube = cube.to_str().unwrap();
    let (code, _, err) = run(&[
        "synth", "--shape", "cube", "--dims", "6,6,6", "--small", "0.3", "--seed", "1", "-o", cube,
    ]);
    assert_eq!(code, 0, "{err}");
    let scaled = path("tests/data/magnitude/cube-times-1e7.json");
    // The fixture is the cube, times 10^7.
    let published = |file: &str| -> Vec<String> {
        let text = std::fs::read_to_string(file).unwrap();
        text.lines().map(str::to_string).collect()
    };
    let times = |line: &str| -> String {
        match line.split_once("\"value\": ") {
            Some((head, tail)) => {
                let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
                let rest = &tail[digits.len()..];
                let v: i64 = digits.parse().unwrap();
                format!("{head}\"value\": {}{rest}", v * 10_000_000)
            }
            None => line.to_string(),
        }
    };
    let expected: Vec<String> = published(cube).iter().map(|l| times(l)).collect();
    assert_eq!(published(&scaled), expected);
    let args = |file: &str| -> (i32, String, String) {
        run(&[
            "bounds",
            file,
            "--open",
            "--format",
            "csv",
            "-q",
            "--time-limit",
            "60",
        ])
    };
    let (code, small, err) = args(cube);
    assert_eq!(code, 0, "{err}");
    let (code, large, err) = args(&scaled);
    assert_eq!(code, 0, "{err}");
    let (small, large) = (bounds(&small), bounds(&large));
    assert_eq!(small.len(), 91);
    assert_eq!(large.len(), small.len());
    let mut same = 0;
    for (cell, &(lo, hi)) in &small {
        let (l, h) = large[cell];
        assert!(
            l <= lo * 10_000_000 && h >= hi * 10_000_000,
            "{cell}: {l}..{h} against {lo}..{hi}"
        );
        same += usize::from(l == lo * 10_000_000 && h == hi * 10_000_000);
    }
    assert!(same > 30, "{same}");
}

/// τ-ARGUS's 3-D JJ file of large values (tests/data/jj/large-values.jj,
/// hidden cells in 0..2,988,003,553): `audit` proved 42 of 338 cells'
/// bounds (exit 4), `bounds` 305; both now prove every one.
#[test]
fn large_values_jj_has_every_bound_proved() {
    let file = path("tests/data/jj/large-values.jj");
    let (code, _, err) = run(&[
        "bounds",
        &file,
        "-q",
        "--time-limit",
        "120",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["audit", &file, "--time-limit", "120"]);
    assert!(code == 0 || code == 1, "{code}: {err}");
}
