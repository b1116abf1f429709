//! τ-ARGUS's files in: a JJ file of a magnitude table (amounts, protection
//! levels with three more decimals, a published cell whose bounds do not
//! hold its value), files written by hand from τ-ARGUS's documented
//! layout.

use crate::common::{run, write};

/// A magnitude table's JJ file: total 30.75 = 12.50 (primary) + 10.00
/// (secondary) + 8.25 (published, with bounds 0..3 that do not hold it).
const AMOUNTS_JJ: &str = "0\n4\n\
0 30.75 1 z 0 1.0E+15 0.00000 0.00000 0.00000\n\
1 12.50 1 u 0 1.0E+15 2.12345 3.00001 0.00000\n\
2 10.00 1 m 0 1.0E+15 0.00000 0.00000 0.00000\n\
3 8.25 1 s 0 3 0.00000 0.00000 0.00000\n\
1\n0.00 4 : 0 (-1) 1 (1) 2 (1) 3 (1)\n";

#[test]
fn a_jj_of_amounts_bounds_and_audits_in_its_units() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.jj", AMOUNTS_JJ);
    let (code, out, err) = run(&["bounds", &a, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "table,cell,lower,upper,status\na,1,0.00,22.50,bounded\na,2,0.00,22.50,bounded\n"
    );
    assert_eq!(
        err,
        format!(
            "cellbound: warning: {a}:6: cell 3 is published (status s) with the value 8.25, but \
             its a-priori bounds 0..3 do not hold it; a published cell's bounds change nothing: \
             they are widened to hold 8.25\n"
        )
    );
    // The audit needs 12.50 - 2.13 and 12.50 + 3.01 (levels rounded up to
    // a hundredth): 0.00..22.50 covers both.
    let (code, out, err) = run(&["audit", &a]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["verdict"], "pass");
    let required = &json["cells"][0]["required"];
    assert_eq!(required["lower_at_most"].to_string(), "10.37");
    assert_eq!(required["upper_at_least"].to_string(), "15.51");
    // The JJ written back holds the tight bounds in the file's units.
    let (code, out, _) = run(&["bounds", &a, "--format", "jj"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("\n1 12.50 1 u 0.00 22.50 2.13 3.01 0.00\n"),
        "{out}"
    );
}

/// A 2x2 grid with margins and two hidden cells.
const GRID: &str = ",a,b,Total\nr,x,3,7\ns,2,x,6\nTotal,6,7,13\n";

#[test]
fn every_command_accepts_q() {
    let dir = tempfile::tempdir().unwrap();
    let g = write(dir.path(), "g.csv", GRID);
    let t = write(
        dir.path(),
        "t.csv",
        &GRID.replace("r,x", "r,4").replace("2,x", "2,4"),
    );
    let b = dir.path().join("b.json");
    let b = b.to_str().unwrap();
    let (code, _, err) = run(&["bounds", "-q", &g, "--witnesses", "-o", b]);
    assert_eq!(code, 0, "{err}");
    for args in [
        vec!["audit", "-q", &g, "--truth", &t],
        vec!["explain", "-q", &g, "--cell", "r,a"],
        vec!["verify", "-q", &g, b],
        vec!["impute", "-q", &g],
    ] {
        let (code, _, err) = run(&args);
        assert!(code < 2, "{args:?}: {code} {err}");
        assert!(!err.contains("unexpected argument"), "{args:?}: {err}");
    }
    // synth -q leaves out its summary line; without -q it is there.
    let (code, out, err) = run(&["synth", "--rows", "3", "--cols", "2"]);
    assert_eq!(code, 0);
    assert!(err.starts_with("cellbound synth: "), "{err}");
    let (code, quiet_out, err) = run(&["synth", "-q", "--rows", "3", "--cols", "2"]);
    assert_eq!(code, 0);
    assert_eq!(err, "");
    assert_eq!(quiet_out, out);
}
