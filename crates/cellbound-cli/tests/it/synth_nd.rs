//! `synth --shape nd`: N dimensions, each flat or hierarchical, from
//! `--levels`; its sizes refused with exit 2; its tables solved with the
//! truth inside every interval; its long layout read back.

use serde_json::Value;

use crate::common::run_in;

/// A 4-D table: two flat dimensions, two hierarchical (3 x 3 x 2 x 2
/// leaves), a quarter of its leaves small.
const SMALL_4D: [&str; 14] = [
    "synth",
    "--shape",
    "nd",
    "--levels",
    "year=3",
    "--levels",
    "size=3",
    "--levels",
    "region=1,2",
    "--levels",
    "industry=2,2",
    "--small",
    "0.25",
    "-q",
];

fn synth(dir: &std::path::Path, args: &[&str]) -> String {
    let r = run_in(dir, args);
    assert_eq!(r.status, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let with_seed = |seed: &str| {
        let mut args = SMALL_4D.to_vec();
        args.extend(["--seed", seed]);
        synth(dir.path(), &args)
    };
    let a = with_seed("3");
    assert_eq!(a, with_seed("3"));
    assert_ne!(a, with_seed("4"));
    assert!(a.starts_with("{\"name\": \"nd\""), "{a}");
    for dim in ["year", "size", "region", "industry"] {
        assert!(a.contains(&format!("{{\"name\": \"{dim}\"")), "{dim}");
    }
}

#[test]
fn the_default_levels_are_the_4d_table_of_tau_argus() {
    let dir = tempfile::tempdir().unwrap();
    let r = run_in(
        dir.path(),
        &[
            "synth", "--shape", "nd", "--small", "0.33", "--zeros", "0.3", "-o", "t.json",
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("cellbound synth: 164430 cells, 71041 hidden (24767 primary, "),
        "{}",
        r.stderr
    );
}

#[test]
fn levels_unnamed_are_a_b_c() {
    let dir = tempfile::tempdir().unwrap();
    let out = synth(
        dir.path(),
        &[
            "synth", "--shape", "nd", "--levels", "2", "--levels", "1,3", "-q",
        ],
    );
    assert!(out.contains("{\"name\": \"a\", \"tree\": {\"Total\": {\"A1\": null, \"A2\": null}}}"));
    assert!(out.contains("{\"name\": \"b\", \"tree\": {\"Total\": {\"B1\": {\"B1.1\": null"));
}

#[test]
fn bad_levels_are_exit_2_and_say_what_to_give() {
    let dir = tempfile::tempdir().unwrap();
    for (levels, says) in [
        (
            &["region=4,2"][..],
            "at least as many codes as the level above",
        ),
        (&["0"][..], "every level needs at least one code"),
        (&["a=4,x"][..], "\"x\" is not a number of codes"),
        (&["a="][..], "is not a number of codes"),
        (&["1a=4"][..], "must start with a letter"),
        (&["VALUE=4"][..], "a column of the long layout"),
        (&["a=3", "a=4"][..], "two dimensions are named a"),
        (&["a=2", "a=3"][..], "two dimensions are named a"),
        (
            &["a=1000", "b=1000", "c=30"][..],
            "is too large: at most 20000000",
        ),
        (
            &["a=18446744073709551615", "b=2"][..],
            "is too large: at most 20000000",
        ),
    ] {
        let mut args = vec!["synth", "--shape", "nd", "-o", "out.json"];
        for l in levels {
            args.extend(["--levels", l]);
        }
        let r = run_in(dir.path(), &args);
        assert_eq!(r.status, 2, "{levels:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{levels:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        assert!(!dir.path().join("out.json").exists());
    }
}

#[test]
fn bounds_hold_the_truth_and_the_audit_agrees() {
    let dir = tempfile::tempdir().unwrap();
    for seed in ["1", "2", "3"] {
        let mut args = SMALL_4D.to_vec();
        args.extend(["--seed", seed, "-o", "p.json", "--truth", "t.json"]);
        synth(dir.path(), &args);
        // Every line of the truth adds up: read with every cell given, the
        // table has nothing hidden and no line broken.
        let r = run_in(dir.path(), &["bounds", "t.json", "--format", "json"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        let none: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(none["cells"].as_array().unwrap().len(), 0);
        // The audit's bounds hold each true value, every one proved.
        let r = run_in(
            dir.path(),
            &["audit", "p.json", "--truth", "t.json", "--format", "json"],
        );
        assert!(matches!(r.status, 0 | 1), "{}", r.stderr);
        let audit: Value = serde_json::from_str(&r.stdout).unwrap();
        let cells = audit["cells"].as_array().unwrap();
        assert!(cells.len() >= 4, "seed {seed}: {} hidden", cells.len());
        for c in cells {
            let (v, lo, hi) = (
                c["value"].as_i64(),
                c["lower"].as_i64(),
                c["upper"].as_i64(),
            );
            let (v, lo, hi) = (v.unwrap(), lo.unwrap(), hi.unwrap());
            assert!(lo <= v && v <= hi, "seed {seed}: {c}");
        }
        // Primary cells are exactly the true values 1..4.
        let truth: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("t.json")).unwrap())
                .unwrap();
        let published: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("p.json")).unwrap())
                .unwrap();
        let pairs = truth["cells"]
            .as_array()
            .unwrap()
            .iter()
            .zip(published["cells"].as_array().unwrap());
        for (t, p) in pairs {
            let v = t["value"].as_i64().unwrap();
            let hidden = p["hidden"] == Value::Bool(true);
            if (1..5).contains(&v) {
                assert!(hidden, "seed {seed}: {t} small but published");
            }
            if !hidden {
                assert_eq!(p["value"].as_i64(), Some(v));
            }
        }
    }
}

#[test]
fn the_long_layout_reads_back_to_the_same_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = SMALL_4D.to_vec();
    args.extend(["-o", "n.json"]);
    synth(dir.path(), &args);
    args.truncate(args.len() - 2);
    args.extend(["--layout", "long", "-o", "n.csv"]);
    synth(dir.path(), &args);
    let long = std::fs::read_to_string(dir.path().join("n.csv")).unwrap();
    assert!(long.starts_with("year,size,region,industry,VALUE,STATUS\n"));
    let read = |args: &[&str]| {
        let r = run_in(dir.path(), args);
        assert_eq!(r.status, 0, "{}", r.stderr);
        r.stdout
            .lines()
            .skip(1)
            .map(|l| l.rsplitn(4, ',').take(3).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
    };
    let from_long = read(&[
        "bounds",
        "n.csv",
        "--open",
        "--hierarchy",
        "region=prefix",
        "--hierarchy",
        "industry=prefix",
        "--format",
        "csv",
    ]);
    assert!(!from_long.is_empty());
    assert_eq!(
        from_long,
        read(&["bounds", "n.json", "--open", "--format", "csv"])
    );
}

#[test]
fn primary_only_hides_the_small_counts_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = SMALL_4D.to_vec();
    args.retain(|&a| a != "-q");
    args.extend(["--primary-only", "-o", "p.json"]);
    let r = run_in(dir.path(), &args);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let said = r.stderr.trim();
    let hidden: usize = said
        .split(", ")
        .nth(1)
        .and_then(|h| h.split(' ').next())
        .and_then(|h| h.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    assert!(hidden > 0);
    assert!(
        said.ends_with(&format!("hidden ({hidden} primary, 0 complementary)")),
        "{said}"
    );
    // With the complements, more cells are hidden from the same counts.
    args.retain(|&a| a != "--primary-only");
    let r = run_in(dir.path(), &args);
    assert!(!r.stderr.contains(" 0 complementary"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("({hidden} primary, ")),
        "{}",
        r.stderr
    );
    // --protect chooses the complements itself: the two do not go together.
    let r = run_in(
        dir.path(),
        &["synth", "--primary-only", "--protect", "-o", "x.csv"],
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot be used with"), "{}", r.stderr);
}
