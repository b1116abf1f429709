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

/// A code-value table as τ-ARGUS saves it with "Add status" and the
/// variable names on the first line: Region x Size with totals, amounts
/// with two decimals; North's cells hidden (3: "Unsafe", 11:
/// "Secondary"), South's published (1: "Safe", 10: "Protected").
const CODE_VALUE: &str = "\"Region\",\"Size\",\"Turnover\",\"Status\"\n\
\"Total\",\"Total\",100.50,1\n\
\"Total\",\"Small\",40.25,1\n\
\"Total\",\"Large\",60.25,1\n\
\"North\",\"Total\",55.00,1\n\
\"North\",\"Small\",20.00,3\n\
\"North\",\"Large\",35.00,11\n\
\"South\",\"Total\",45.50,10\n\
\"South\",\"Small\",20.25,1\n\
\"South\",\"Large\",25.25,1\n";

#[test]
fn a_code_value_table_reads_with_its_status_codes() {
    let dir = tempfile::tempdir().unwrap();
    // The Total row of Small and Large is left out of the hidden part:
    // North = 55.00 with both cells hidden, columns 40.25 - 20.25 = 20.00.
    let f = write(dir.path(), "cv.csv", CODE_VALUE);
    let (code, out, err) = run(&["bounds", &f, "--layout", "tau", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "table,Region,Size,lower,upper,status\n\
         cv,North,Small,20.00,20.00,exact\n\
         cv,North,Large,35.00,35.00,exact\n"
    );
    assert_eq!(
        err,
        "cellbound: flags: Safe = published (with a quality flag), Unsafe = secondary (hidden, \
         possibly large), Secondary = secondary (hidden, possibly large), Protected = published \
         (with a quality flag)\n"
    );
    // With the column totals of Small and Large hidden too the cells are
    // not exact: a hidden cell's true value (written with a status) is
    // not read.
    let loose = CODE_VALUE
        .replace("\"Small\",40.25,1", "\"Small\",40.25,11")
        .replace("\"Large\",60.25,1", "\"Large\",60.25,11");
    let f = write(dir.path(), "loose.csv", &loose);
    let (code, out, err) = run(&["bounds", &f, "--layout", "tau", "--format", "csv", "-q"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "table,Region,Size,lower,upper,status\n\
         loose,Total,Small,20.25,75.25,bounded\n\
         loose,Total,Large,25.25,80.25,bounded\n\
         loose,North,Small,0.00,55.00,bounded\n\
         loose,North,Large,0.00,55.00,bounded\n"
    );
}

#[test]
fn a_code_value_table_without_status_or_names() {
    let dir = tempfile::tempdir().unwrap();
    // x: suppressed (secondary); -: empty (absent, 0); codes named dim1.
    let f = write(
        dir.path(),
        "s.csv",
        "\"Total\",10\n\"a\",x\n\"b\",x\n\"c\",-\n\"d\",3\n",
    );
    let (code, out, err) = run(&["bounds", &f, "--layout", "tau", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "table,dim1,lower,upper,status\ns,a,0,7,bounded\ns,b,0,7,bounded\n"
    );
    // --flag-meaning by τ-ARGUS's status number: unsafe by the frequency
    // rule (5) read as below the threshold.
    let f = write(
        dir.path(),
        "f.csv",
        "\"Total\",10,1\n\"a\",4,5\n\"b\",6,11\n\"c\",-,14\n",
    );
    let (code, out, err) = run(&[
        "bounds",
        &f,
        "--layout",
        "tau",
        "--format",
        "csv",
        "--flag-meaning",
        "5=hidden",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "table,dim1,lower,upper,status\nf,a,0,4,bounded\nf,b,6,10,bounded\n"
    );
    assert!(
        err.contains("Unsafe (freq) = hidden (below the threshold)"),
        "{err}"
    );
}

#[test]
fn a_bad_code_value_table_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let case = |name: &str, text: &str, extra: &[&str]| {
        let f = write(dir.path(), name, text);
        let mut args = vec!["bounds", f.as_str(), "--layout", "tau"];
        args.extend_from_slice(extra);
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{err}");
        (f.clone(), err)
    };
    // A status τ-ARGUS does not write: the file's line and the column.
    let (f, err) = case("u.csv", "\"T\",10,1\n\"a\",4,1\n\"b\",6,15\n", &[]);
    assert!(
        err.starts_with(&format!(
            "cellbound: error: {f}:3: column \"STATUS\": the flag \"15\" has no known meaning"
        )),
        "{err}"
    );
    // A value that is none: its line in the file (no names line added).
    let (f, err) = case("v.csv", "\"T\",10\n\"a\",4\n\"b\",six\n", &[]);
    assert!(
        err.starts_with(&format!(
            "cellbound: error: {f}:3: column \"VALUE\": \"six\""
        )),
        "{err}"
    );
    // Codes not quoted.
    let (_, err) = case("w.csv", "T,10\na,4\n", &[]);
    assert!(err.contains("Embed spanning variables in quotes"), "{err}");
    // A line of another layout.
    let (f, err) = case("l.csv", "\"T\",10\n\"a\",4,1\n", &[]);
    assert!(
        err.starts_with(&format!(
            "cellbound: error: {f}:2: 3 fields, 1 of them quoted codes"
        )),
        "{err}"
    );
    // The long file's columns are the file's own.
    let (_, err) = case("d.csv", "\"T\",10\n\"a\",10\n", &["--dims", "a"]);
    assert!(
        err.contains("--dims does not apply to a τ-ARGUS code-value table"),
        "{err}"
    );
}

/// τ-ARGUS tabular input: Region (hierarchical: North > N1, N2; South)
/// x Size, a value with a decimal comma, a frequency, a status; the
/// missing code 99 of Region written as an empty row.
const RDA: &str = "   <SEPARATOR> \";\"\n\
Region \"99\"\n    <RECODEABLE>\n    <TOTCODE> \"All\"\n    <HIERARCHICAL>\n    \
<HIERCODELIST> \"region.hrc\"\n    <HIERLEADSTRING> \"@\"\n\
Size\n    <RECODEABLE>\n    <TOTCODE> \"Total\"\n\
Pay\n    <NUMERIC>\n    <DECIMALS> 1\n\
Freq\n    <FREQUENCY>\n\
Status\n    <STATUS>\n";

const HRC: &str = "North\n@N1\n@N2\nSouth\n";

const TAB: &str = "\"All\";\"Total\";30,0;12;S\n\
\"All\";\"a\";18,5;7;S\n\
\"All\";\"b\";11,5;5;S\n\
\"North\";\"Total\";20,0;8;S\n\
\"North\";\"a\";12,5;5;S\n\
\"North\";\"b\";7,5;3;S\n\
\"N1\";\"Total\";12,0;5;S\n\
\"N1\";\"a\";8,0;3;U\n\
\"N1\";\"b\";4,0;2;M\n\
\"N2\";\"Total\";8,0;3;S\n\
\"N2\";\"a\";4,5;2;M\n\
\"N2\";\"b\";3,5;1;U\n\
\"South\";\"Total\";10,0;4;P\n\
\"South\";\"a\";6,0;2;S\n\
\"South\";\"b\";4,0;2;S\n\
\"99\";\"Total\";0,0;0;E\n\
\"99\";\"a\";-;;E\n\
\"99\";\"b\";-;;E\n";

#[test]
fn a_tab_file_reads_with_its_rda_metadata() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pay.rda", RDA);
    write(dir.path(), "region.hrc", HRC);
    let tab = write(dir.path(), "pay.tab", TAB);
    let (code, out, err) = run(&["bounds", &tab, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    // N1 and N2 hidden in a and b: a 2x2 block with known margins
    // (N1a = t, N1b = 12 - t, N2a = 12.5 - t, N2b = t - 4.5).
    assert_eq!(
        out,
        "table,Region,Size,lower,upper,status\n\
         pay,N1,a,4.5,12.0,bounded\n\
         pay,N1,b,0.0,7.5,bounded\n\
         pay,N2,a,0.5,8.0,bounded\n\
         pay,N2,b,0.0,7.5,bounded\n"
    );
    assert!(
        err.contains(&format!(
            "cellbound: warning: {tab}:16: the rows of Region's missing code \"99\", which its \
             hierarchy does not list, are empty and left out"
        )),
        "{err}"
    );
    assert!(
        err.contains("Unsafe (manual) = secondary (hidden, possibly large)"),
        "{err}"
    );
    // --metadata names the .rda file; without it and with none beside the
    // .tab file: exit 2 saying so.
    let other = dir.path().join("sub");
    std::fs::create_dir(&other).unwrap();
    let moved = write(&other, "t.tab", TAB);
    let (code, _, err) = run(&["bounds", &moved]);
    assert_eq!(code, 2);
    assert!(err.contains("give it with --metadata FILE.rda"), "{err}");
    let rda = dir.path().join("pay.rda");
    let (code, out2, err) = run(&[
        "bounds",
        &moved,
        "--metadata",
        rda.to_str().unwrap(),
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out2.replace("t,", "pay,"), out);
    // --metadata for a file that is no .tab file: said, not ignored.
    let csv = write(dir.path(), "g.csv", ",a,Total\nr,1,1\nTotal,1,1\n");
    let (code, _, err) = run(&["bounds", &csv, "--metadata", rda.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("leave --metadata out"), "{err}");
}

#[test]
fn a_bad_tab_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pay.rda", RDA);
    write(dir.path(), "region.hrc", HRC);
    // A field missing: the line and the count.
    let tab = write(
        dir.path(),
        "pay.tab",
        &TAB.replace("\"N1\";\"b\";4,0;2;M", "\"N1\";\"b\";4,0;M"),
    );
    let (code, _, err) = run(&["bounds", &tab]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "cellbound: error: {tab}:9: 4 fields where the .rda metadata"
        )),
        "{err}"
    );
    // The missing code with a value: not left out, an error.
    let tab = write(
        dir.path(),
        "pay.tab",
        &TAB.replace("\"99\";\"a\";-;;E", "\"99\";\"a\";2,0;1;S"),
    );
    let (code, _, err) = run(&["bounds", &tab]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{tab}:17: \"99\" is the missing code of Region")),
        "{err}"
    );
    // A status τ-ARGUS does not read: the line and the column.
    let tab = write(dir.path(), "pay.tab", &TAB.replace("3,5;1;U", "3,5;1;Q"));
    let (code, _, err) = run(&["bounds", &tab]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "cellbound: error: {tab}:12: column \"STATUS\": the flag \"Q\""
        )),
        "{err}"
    );
}

#[test]
fn an_apriori_file_applies_to_the_cells_it_names() {
    let dir = tempfile::tempdir().unwrap();
    // The code-value table with the Small and Large totals hidden too.
    let table = CODE_VALUE
        .replace("\"Small\",40.25,1", "\"Small\",40.25,11")
        .replace("\"Large\",60.25,1", "\"Large\",60.25,11");
    let f = write(dir.path(), "t.csv", &table);
    let hst = write(
        dir.path(),
        "a.hst",
        "\"North\";\"Small\";ab;5;30\n\"South\";\"Large\";AB;1;2\n\"North\";\"Large\";c;3\n",
    );
    let (code, out, err) = run(&[
        "bounds",
        &f,
        "--layout",
        "tau",
        "--apriori",
        &hst,
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    // North Small within 5..30 narrows its row and column.
    assert_eq!(
        out,
        "table,Region,Size,lower,upper,status\n\
         t,Total,Small,25.25,50.25,bounded\n\
         t,Total,Large,50.25,75.25,bounded\n\
         t,North,Small,5.00,30.00,bounded\n\
         t,North,Large,25.00,50.00,bounded\n"
    );
    assert_eq!(
        err,
        format!(
            "cellbound: warning: {hst}:2: the cell South;Large is published with the value \
             25.25, outside its a-priori bounds 1..2: a published cell's bounds change nothing\n\
             cellbound: warning: {hst}: 1 line changes costs or protection levels (c, w, pl), \
             which do not change what is known of a cell: not applied\n"
        )
    );
    // u hides a published cell (possibly large).
    let hst = write(dir.path(), "u.hst", "\"South\";\"Small\";u\n");
    let (code, out, _) = run(&[
        "bounds",
        &f,
        "--layout",
        "tau",
        "--apriori",
        &hst,
        "--format",
        "csv",
        "-q",
    ]);
    assert_eq!(code, 0);
    assert!(out.ends_with("t,South,Small,20.25,20.25,exact\n"), "{out}");
    // Errors name the line and the field.
    for (text, said) in [
        (
            "\"North\";\"Smal\";ab;5;30\n",
            ":1: code 2: \"Smal\" is not a code of the dimension \"Size\"",
        ),
        (
            "\"North\";\"Small\";s\n",
            ":1: type: s publishes the cell North;Small, which the table hides",
        ),
        (
            "\"North\";\"Small\";ab;5\n",
            ":1: type: ab takes 2 numbers and the line gives 1",
        ),
        (
            "\n\"North\";\"Small\";zz\n",
            ":2: type: \"zz\" is not an a-priori type",
        ),
        (
            "\"North\";\"Small\";ab;5;10\n\"North\";\"Small\";ab;20;30\n",
            ":2: lower: the bounds 20..30 do not meet the cell's range",
        ),
    ] {
        let hst = write(dir.path(), "bad.hst", text);
        let (code, _, err) = run(&["bounds", &f, "--layout", "tau", "--apriori", &hst, "-q"]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.starts_with(&format!("cellbound: error: {hst}{said}")),
            "{err}"
        );
    }
}

#[test]
fn a_code_under_two_parents_is_told_apart_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    // 11 is listed under A and under B: τ-ARGUS writes two cells coded
    // 11, in the hierarchy's order.
    let hrc = write(dir.path(), "r.hrc", "A\n@11\n@12\nB\n@11\n@13\n");
    let table = "\"Total\",100,1\n\"A\",60,1\n\"11\",20,11\n\"12\",40,1\n\
                 \"B\",40,1\n\"11\",30,3\n\"13\",10,11\n";
    let f = write(dir.path(), "r.csv", table);
    let h = format!("dim1={hrc}");
    let (code, out, err) = run(&[
        "bounds",
        &f,
        "--layout",
        "tau",
        "--hierarchy",
        &h,
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    // A/11 = 60 - 40 exactly; B/11 and 13 share B's 40.
    assert_eq!(
        out,
        "table,dim1,lower,upper,status\nr,A/11,20,20,exact\nr,B/11,0,40,bounded\nr,13,0,40,bounded\n"
    );
    assert!(
        err.starts_with(&format!(
            "cellbound: warning: {hrc}: the code \"11\" of dim1 is listed under 2 parents: its \
             cells are told apart by their paths A/11 and B/11, its rows taken in the \
             hierarchy's order\n"
        )),
        "{err}"
    );
    // One row too many of 11: its line.
    let f = write(dir.path(), "r2.csv", &format!("{table}\"11\",1,1\n"));
    let (code, _, err) = run(&["bounds", &f, "--layout", "tau", "--hierarchy", &h]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "{f}:8: a row coded \"11\" more than the 2 places of \"11\" in {hrc} (A/11, B/11)"
        )),
        "{err}"
    );
    // A long file keeps refusing a code listed twice.
    let long = write(dir.path(), "l.csv", "g,VALUE\nA,1\n");
    let (code, _, err) = run(&["bounds", &long, "--hierarchy", &format!("g={hrc}")]);
    assert_eq!(code, 2);
    assert!(err.contains("is listed twice"), "{err}");
}

/// A JJ file of large values (2,988,003,553 at most, written by τ-ARGUS's
/// engine from synthetic records) whose own values satisfy every line:
/// the LP solver calls its lines contradictory, which used to be reported
/// as infeasible (exit 3). Its programs are now scaled, and a
/// floating-point verdict with no exact proof, or one a checked table
/// contradicts, leaves sound bounds: each holds the file's value.
#[test]
fn large_values_are_never_called_infeasible_on_the_lps_word() {
    let file = crate::common::path("tests/data/jj/large-values.jj");
    let (code, out, err) = crate::common::run(&[
        "bounds",
        &file,
        "--format",
        "csv",
        "-q",
        "--time-limit",
        "5",
    ]);
    assert_ne!(code, 3, "{err}");
    assert!(!err.contains("infeasible:"), "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    let cells: usize = text.lines().nth(1).unwrap().trim().parse().unwrap();
    let values: std::collections::HashMap<String, i64> = text
        .lines()
        .skip(2)
        .take(cells)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_string(), f[1].parse().unwrap())
        })
        .collect();
    let mut checked = 0;
    for line in out.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (cell, lo, hi) = (
            f[1],
            f[2].parse::<i64>().unwrap(),
            f[3].parse::<i64>().unwrap(),
        );
        let truth = values[cell];
        assert!(
            lo <= truth && truth <= hi,
            "{cell}: {truth} outside {lo}..{hi}"
        );
        checked += 1;
    }
    assert!(checked > 300, "{out}");
}
