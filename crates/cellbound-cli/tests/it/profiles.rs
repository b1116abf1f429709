//! Agency profiles and numbers as people write them: each profile's grid
//! in `tests/data/profiles/` (titles, notes, the agency's number style and
//! flags) gives the same bounds as the same table written as a plain grid
//! in `tests/data/profiles/plain/`; every number style, range form,
//! amount, negative and unmapped flag, through the binary.

use crate::common::{path, run, write};

/// (profile, file, options for the profile run, options for the plain run)
const PROFILES: [(&str, &str, &[&str], &[&str]); 7] = [
    ("statcan", "statcan.csv", &[], &[]),
    ("gss", "gss.csv", &[], &[]),
    ("sdmx", "sdmx.csv", &[], &[]),
    ("census-cbp", "census-cbp.csv", &[], &[]),
    ("bea", "bea.csv", &[], &["--allow-negative"]),
    ("cdc", "cdc.txt", &[], &[]),
    (
        "abs",
        "abs.csv",
        &["--total-label", "Australia"],
        &["--total-label", "Australia", "--decimals", "1"],
    ),
];

#[test]
fn every_profile_file_gives_the_bounds_of_its_plain_grid() {
    for (profile, file, with, plain_with) in PROFILES {
        let agency = path(&format!("tests/data/profiles/{file}"));
        let plain = path(&format!("tests/data/profiles/plain/{file}"));
        let mut args = vec!["bounds", agency.as_str(), "--profile", profile];
        args.extend_from_slice(with);
        args.extend(["--format", "json"]);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{profile}: {err}");
        assert!(err.contains("cellbound: flags: "), "{profile}: {err}");
        let mut args = vec!["bounds", plain.as_str()];
        args.extend_from_slice(plain_with);
        args.extend(["--format", "json"]);
        let (code, plain_out, plain_err) = run(&args);
        assert_eq!(code, 0, "{profile} plain: {plain_err}");
        assert_eq!(out, plain_out, "{profile}");
        assert!(out.contains("\"feasible\": true"), "{profile}: {out}");
    }
}

#[test]
fn census_cbp_size_classes_are_ranges() {
    let file = path("tests/data/profiles/census-cbp.csv");
    let (code, out, err) = run(&[
        "bounds",
        &file,
        "--profile",
        "census-cbp",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("census-cbp,Brown County,23,38,57,bounded"),
        "{out}"
    );
    assert!(
        out.contains("census-cbp,Clay County,31-33,593,612,bounded"),
        "{out}"
    );
    assert!(
        err.contains(
            "cellbound: flags: C = range 100-249, B = range 20-99, E = range 250-499, \
             a = range 0-19, (D) = secondary (hidden, possibly large)"
        ),
        "{err}"
    );
    // -q: no word on the flags.
    let (code, _, err) = run(&["bounds", &file, "--profile", "census-cbp", "-q"]);
    assert_eq!(code, 0);
    assert!(!err.contains("flags:"), "{err}");
}

#[test]
fn statcan_f_is_secondary_not_a_small_count() {
    let file = path("tests/data/profiles/statcan.csv");
    let (code, _, err) = run(&["bounds", &file]);
    // Read without the profile, "1,204" is no count.
    assert_eq!(code, 2);
    assert!(err.contains("--thousands"), "{err}");
    let (code, out, err) = run(&["bounds", &file, "--profile", "statcan", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("F = secondary (hidden, possibly large)"),
        "{err}"
    );
    assert!(
        out.contains("statcan,New Brunswick,Manufacturing,1630,1630,exact"),
        "{out}"
    );
    // --flag-meaning overrides the profile: F a small count is infeasible here.
    let (code, _, err) = run(&[
        "bounds",
        &file,
        "--profile",
        "statcan",
        "--flag-meaning",
        "F=hidden",
    ]);
    assert_eq!(code, 3, "{err}");
}

#[test]
fn built_in_markers_agencies_read_differently_are_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "t.csv",
        "r,a,b,Total\np,F,3,5\nq,..,F,7\nTotal,5,7,12\n",
    );
    let (code, _, err) = run(&["bounds", &f]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("the marker \"F\"").count(), 1, "{err}");
    assert!(
        err.contains(
            "t.csv:2: column \"a\": the marker \"F\" is read as a cell hidden below the threshold"
        ) && err.contains("pass --profile statcan, or --flag-meaning F=secondary"),
        "{err}"
    );
    assert!(err.contains("the marker \"..\""), "{err}");
    // Saying what they mean silences the warning.
    let (code, _, err) = run(&[
        "bounds",
        &f,
        "--flag-meaning",
        "F=hidden",
        "--flag-meaning",
        "..=hidden",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    assert!(
        err.contains("cellbound: flags: F = hidden (below the threshold), .. = hidden"),
        "{err}"
    );
}

fn csv_bounds(text: &str, args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "t.csv", text);
    let mut all = vec!["bounds", f.as_str(), "--format", "csv"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn number_styles() {
    // US and UK thousands.
    let (code, out, err) = csv_bounds(
        "r,a,b,Total\np,\"1,200\",x,\"1,203\"\n",
        &["--thousands", ","],
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "table,r,column,lower,upper,status\nt,p,b,3,3,exact\n"),
        "{err}"
    );
    // Spaces, as always.
    let (code, out, _) = csv_bounds("r,a,b,Total\np,1 200,x,1 203\n", &[]);
    assert_eq!(code, 0);
    assert!(out.ends_with("t,p,b,3,3,exact\n"), "{out}");
    // German: dots between groups, a decimal comma.
    let (code, out, err) = csv_bounds(
        "r;a;b;Total\np;1.200,5;x;1.203,5\n",
        &["--thousands", ".", "--decimal", ",", "--open"],
    );
    assert_eq!(code, 0, "{err}");
    // 30 tenths, shown in the file's units.
    assert!(out.ends_with("t,p,b,3.0,3.0,exact\n"), "{out}");
    // French: a decimal comma, spaces between groups.
    let (code, out, err) = csv_bounds(
        "r;a;b;Total\np;12,5;x;13,5\n",
        &["--decimal", ",", "--open"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,p,b,1.0,1.0,exact\n"), "{out}");
    // The same mark for both is refused.
    let (code, _, err) = csv_bounds("r,a\np,1\n", &["--thousands", ",", "--decimal", ","]);
    assert_eq!(code, 2);
    assert!(err.contains("both ','"), "{err}");
    let (code, _, err) = csv_bounds("r,a\np,1\n", &["--thousands", "'"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a thousands separator"), "{err}");
}

#[test]
fn ranges_in_any_form() {
    let (code, out, err) = csv_bounds("r,a,b,c,Total\np,1-9,<5,\"[2,3]\",12\n", &["--open"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("t,p,a,5,9,bounded"), "{out}");
    assert!(out.contains("t,p,b,0,4,bounded"), "{out}");
    assert!(out.contains("t,p,c,2,3,bounded"), "{out}");
    let (code, _, err) = csv_bounds("r,a,Total\np,9-3,5\n", &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("t.csv:2: column \"a\": \"9-3\" is an empty range"),
        "{err}"
    );
}

#[test]
fn amounts_are_exact_and_too_many_decimals_is_exit_2() {
    let (code, out, err) = csv_bounds(
        "r,a,b,Total\np,12.25,x,12.5\n",
        &["--decimals", "2", "--open"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,p,b,0.25,0.25,exact\n"), "{out}");
    let (code, _, err) = csv_bounds("r,a,b,Total\np,12.25,x,12.5\n", &["--decimals", "1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "t.csv:2: column \"a\": \"12.25\" has 2 decimals, more than the 1 declared \
             (--decimals 1): nothing is rounded"
        ),
        "{err}"
    );
    // Undeclared: the most decimals written.
    let (code, out, err) = csv_bounds(
        "r,a,b,Total\np,12.25,x,12.5\n",
        &["--thousands", ",", "--open"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,p,b,0.25,0.25,exact\n"), "{out}");
    let (code, _, err) = csv_bounds("r,a\np,1\n", &["--decimals", "16"]);
    assert_eq!(code, 2);
    assert!(err.contains("--decimals"), "{err}");
}

#[test]
fn negatives_need_allow_negative() {
    let text = "r,a,b,Total\np,-5,20,15\nq,8,x,10\nTotal,3,22,25\n";
    let (code, _, err) = csv_bounds(text, &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("t.csv:2: column \"a\": \"-5\" is not a count: counts cannot be negative (if the table holds negative values, pass --allow-negative)"),
        "{err}"
    );
    // A hidden cell of a table that may be negative has no lower limit,
    // never read as >= 0: its lines pin it (8 + b = 10).
    let (code, out, err) = csv_bounds(text, &["--allow-negative"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,q,b,2,2,exact\n"), "{out}");
    let ranged = text.replace(",x,", ",\"[-30,30]\",");
    let (code, out, err) = csv_bounds(&ranged, &["--allow-negative"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,q,b,2,2,exact\n"), "{out}");
    let minus = ranged.replace("-5", "\u{2212}5");
    let (code, out, err) = csv_bounds(&minus, &["--allow-negative"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,q,b,2,2,exact\n"), "{out}");
    // Negative range ends, and bounds below zero.
    let (code, out, err) = csv_bounds(
        "r,a,b,Total\np,\"[-40,10]\",-5,-20\nq,8,2,10\nTotal,-7,-3,-10\n",
        &["--allow-negative"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,p,a,-15,-15,exact\n"), "{out}");
}

#[test]
fn an_unmapped_flag_is_exit_2_naming_it_its_line_and_how_to_map_it() {
    let (code, _, err) = csv_bounds("r,a,b,Total\np,3,(Q),5\n", &["--profile", "census-cbp"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("t.csv:2: column \"b\": \"(Q)\" is not a count")
            && err.contains("--flag-meaning (Q)=hidden|secondary|range:A-B|published|absent"),
        "{err}"
    );
    let (code, out, err) = csv_bounds(
        "r,a,b,Total\np,3,(Q),5\n",
        &["--profile", "census-cbp", "--flag-meaning", "(Q)=range:1-2"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("t,p,b,2,2,exact\n"), "{out}");
    let (code, _, err) = csv_bounds("r,a\np,1\n", &["--flag-meaning", "Q=small"]);
    assert_eq!(code, 2);
    assert!(err.contains("\"small\" is not a flag meaning"), "{err}");
    let (code, _, err) = csv_bounds("r,a\np,1\n", &["--profile", "insee"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("use one of statcan, gss, sdmx, census-cbp, bea, cdc, abs"),
        "{err}"
    );
}

#[test]
fn every_flag_meaning_through_the_binary() {
    // hidden, secondary, range, published, absent: one cell each.
    let text = "r,a,b,c,d,e,Total\np,H,S,R,7P,Z,17\nq,1,1,1,1,1,5\nTotal,3,5,5,8,1,22\n";
    let (code, out, err) = csv_bounds(
        text,
        &[
            "--flag-meaning",
            "H=hidden",
            "--flag-meaning",
            "S=secondary",
            "--flag-meaning",
            "R=range:0-9",
            "--flag-meaning",
            "P=published",
            "--flag-meaning",
            "Z=absent",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("t,p,a,2,2,exact"), "{out}");
    assert!(out.contains("t,p,b,4,4,exact"), "{out}");
    assert!(out.contains("t,p,c,4,4,exact"), "{out}");
    assert!(
        !out.contains(",p,d,") && !out.contains(",p,e,"),
        "published cells: {out}"
    );
    assert!(
        err.contains(
            "cellbound: flags: H = hidden (below the threshold), S = secondary (hidden, possibly \
             large), R = range 0-9, P = published (with a quality flag), Z = absent (0)"
        ),
        "{err}"
    );
}
