//! Hidden cells with no lower limit (`--allow-negative`, set by `--profile
//! bea`): BEA's `(D)` in a table of earnings, where a hidden value may be
//! negative. Every output says which bounds are missing, `verify` checks
//! the rays that show them missing and rejects tampered ones, and the
//! commands that cannot use such a cell say so instead of guessing.

use crate::common::{path, run, write};

const BEA_D: &str = "tests/data/profiles/bea-d.csv";

fn bea(args: &[&str]) -> (i32, String, String) {
    let file = path(BEA_D);
    let mut all = vec![args[0], file.as_str(), "--profile", "bea"];
    all.extend_from_slice(&args[1..]);
    run(&all)
}

#[test]
fn bounds_with_no_lower_limit_in_every_format() {
    // Farm and Mining by Adams and Brown: four (D) cells on a cycle, each
    // free both ways; Construction/Brown is pinned by the (L) beside it.
    let (code, out, err) = bea(&["bounds", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    for line in [
        "bea-d,Farm earnings,Adams,,,unbounded",
        "bea-d,Mining,Brown,,,unbounded",
        "bea-d,Construction,Brown,3073,3122,bounded",
        "bea-d,Construction,Clay,0,49,bounded",
        "bea-d,Total,Brown,8403,8452,bounded",
        "bea-d,Total,Clay,3210,3259,bounded",
    ] {
        assert!(out.contains(&format!("{line}\n")), "{line} in {out}");
    }
    assert!(
        err.contains("(D) = secondary (hidden, possibly large)")
            && err.contains(
                "values may be negative (--allow-negative), so a hidden cell has no lower limit"
            ),
        "{err}"
    );
    let (code, out, _) = bea(&["bounds", "--format", "json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["rule"]["negative"], true);
    let first = &doc["cells"][0];
    assert!(
        first["lower"].is_null() && first["upper"].is_null(),
        "{first}"
    );
    assert_eq!(first["status"], "unbounded");
    let (code, out, _) = bea(&["bounds", "--format", "table"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Farm earnings     ..          ..        2400"),
        "{out}"
    );
    assert!(out.contains("4 unbounded (lo.., ..hi or ..)"), "{out}");
    assert!(
        out.contains("rule: threshold 5, values may be negative"),
        "{out}"
    );
}

#[test]
fn verify_checks_the_rays_of_missing_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let bounds = dir.path().join("b.json");
    let b = bounds.to_str().unwrap();
    let (code, _, err) = bea(&["bounds", "--witnesses", "-o", b]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = bea(&["verify", b]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("8 bounds") && out.contains("8 missing bounds shown missing by a ray"),
        "{out}"
    );
    let text = std::fs::read_to_string(&bounds).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tampered = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut d = doc.clone();
        edit(&mut d);
        let f = write(dir.path(), "t.json", &d.to_string());
        bea(&["verify", &f])
    };
    // A step changed: the ray no longer keeps the lines.
    let (code, out, _) = tampered(&|d| d["cells"][0]["proofs"]["ray_lower"][0][1] = (-2).into());
    assert_eq!(code, 1);
    assert!(
        out.contains("no lower bound: the ray does not check: the ray breaks line"),
        "{out}"
    );
    // The ray pointed the wrong way: it raises the cell.
    let (code, out, _) = tampered(&|d| {
        d["cells"][0]["proofs"]["ray_lower"] = d["cells"][0]["proofs"]["ray"].clone();
    });
    assert_eq!(code, 1);
    assert!(out.contains("the ray does not decrease the cell"), "{out}");
    // No ray at all.
    let (code, out, _) = tampered(&|d| {
        d["cells"][1]["proofs"]
            .as_object_mut()
            .unwrap()
            .remove("ray_lower");
    });
    assert_eq!(code, 1);
    assert!(out.contains("no lower bound: no ray proves it"), "{out}");
    // A lower bound claimed where there is none, with no table behind it.
    let (code, out, _) = tampered(&|d| d["cells"][2]["lower"] = (-100_000).into());
    assert_eq!(code, 1, "{out}");
    // A ray through a cell that has a lower limit: (L) is at least 0.
    let (code, out, _) = tampered(&|d| {
        let steps = d["cells"][4]["proofs"]["ray"].clone();
        d["cells"][4]["proofs"]["ray_lower"] = steps;
        d["cells"][4]["lower"] = serde_json::Value::Null;
    });
    assert_eq!(code, 1, "{out}");
    // Verified against the table read without negatives: refused, naming
    // the flag.
    let (code, _, err) = run(&[
        "verify",
        &path(BEA_D),
        b,
        "--marker",
        "(D)",
        "--marker",
        "(L)",
        "--thousands",
        ",",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--allow-negative"), "{err}");
}

#[test]
fn explain_says_which_way_a_cell_is_unbounded() {
    let (code, out, err) = bea(&[
        "explain",
        "--cell",
        "Farm earnings,Adams",
        "--format",
        "table",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("no lower bound:\n  moving [Farm earnings/Adams] by -1"),
        "{out}"
    );
    assert!(
        out.contains("no upper bound:\n  raising [Farm earnings/Adams] by 1"),
        "{out}"
    );
    let (code, out, _) = bea(&[
        "explain",
        "--cell",
        "Farm earnings,Adams",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(doc["lower"].is_null() && doc["upper"].is_null(), "{doc}");
    assert!(
        doc["ray_lower"].as_array().is_some_and(|r| r.len() == 4),
        "{doc}"
    );
    // A bound that rests on the (L) beside it.
    let (code, out, _) = bea(&["explain", "--cell", "Total,Brown", "--format", "table"]);
    assert_eq!(code, 0);
    assert!(out.contains("so [Total/Brown] >= 8403"), "{out}");
}

#[test]
fn audit_impute_and_protect_with_negative_values() {
    let dir = tempfile::tempdir().unwrap();
    let truth = write(
        dir.path(),
        "truth.csv",
        "Industry,Adams,Brown,Clay,Total\n\
         Farm earnings,\"-1,500\",280,\"2,400\",\"1,180\"\n\
         Mining,262,\"5,050\",810,\"6,122\"\n\
         Construction,\"8,400\",\"3,100\",22,\"11,522\"\n\
         Total,\"7,162\",\"8,430\",\"3,232\",\"18,824\"\n",
    );
    let (code, out, err) = bea(&["audit", "--truth", &truth, "--format", "table"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("attacker: open (values may be negative: hidden cells have no limit"),
        "{out}"
    );
    // Impute has no interval to fill a cell with no lower bound from.
    let (code, _, err) = bea(&["impute"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "4 hidden cells (the first [\"Farm earnings\", \"Adams\"]) have no lower bound"
        ) && err.contains("--flag-meaning FLAG=range:A-B"),
        "{err}"
    );
    // Protect prices a negative value by its size (a negative price made
    // its path search run forever), and its pattern passes the audit.
    let table = write(
        dir.path(),
        "t.csv",
        "r,a,b,c,Total\np,-15,3,20,8\nq,12,-7,9,14\ns,2,6,-1,7\nTotal,-1,2,28,29\n",
    );
    let published = dir.path().join("pub.csv");
    let p = published.to_str().unwrap();
    let (code, out, err) = run(&[
        "protect",
        &table,
        "--allow-negative",
        "--format",
        "table",
        "-o",
        p,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("PASS"), "{out}");
    let (code, out, err) = run(&[
        "audit",
        p,
        "--truth",
        &table,
        "--allow-negative",
        "--format",
        "table",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PASS"), "{out}");
    let (code, out, err) = run(&["bounds", p, "--allow-negative", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    // Under the threshold rule a hidden interior cell is at most 4 and has
    // no lower limit: the row p (a + b = -12) floors both at -16; the
    // truth -15 lies inside.
    assert!(out.contains("pub,p,a,-16,4,bounded\n"), "{out}");
}
