//! Every hierarchy, flag, number style and rounding error of the long
//! files, profiles and rounded publications names the message it gives
//! (docs/formats.md sections 13 to 16): exit 2, the file, the line and
//! the field where there is one, and what to do.

use crate::common::{run, write};

/// A long file, `GEO` (E and W under Total) by `IND`.
const LONG: &str =
    "GEO,IND,VALUE\nTotal,Total,10\nTotal,A,10\nE,Total,4\nE,A,4\nW,Total,6\nW,A,6\n";

/// Runs `bounds` on `files` (name, text; the first is the input) written
/// in one folder, with `args` (`{dir}` replaced by the folder): exit 2,
/// and standard error holds every one of `expected`.
fn refused(files: &[(&str, &str)], args: &[&str], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<String> = files
        .iter()
        .map(|(name, text)| write(dir.path(), name, text))
        .collect();
    let d = dir.path().to_str().unwrap();
    let args: Vec<String> = args.iter().map(|a| a.replace("{dir}", d)).collect();
    let mut all = vec!["bounds", paths[0].as_str()];
    all.extend(args.iter().map(String::as_str));
    let (code, out, err) = run(&all);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    for e in expected {
        assert!(err.contains(e), "{args:?}: expected {e:?} in\n{err}");
    }
}

#[test]
fn hrc_file_errors_name_the_file_and_line() {
    for (hrc, expected) in [
        (
            "E\n@@W\n",
            "h.hrc:2: \"W\" is 2 levels deep right after a code 0 deep: a code is at most one '@' \
             deeper than the line above it (its parent)",
        ),
        (
            "E\nW\nE\n",
            "h.hrc:3: \"E\" is listed twice (first on line 1): a code has one place in a hierarchy",
        ),
        (
            "E\n@\n",
            "h.hrc:2: \"@\" has no code after its '@': each line is one code, indented with one '@' \
             per level",
        ),
        (
            "",
            "h.hrc: the hierarchy file lists no code: one code per line, indented with one '@' per \
             level",
        ),
        (
            "E\n",
            "t.csv:6: column \"GEO\": \"W\" is not a code of the hierarchy of \"GEO\" in",
        ),
        (
            "E\nW\nN\n",
            "the code \"N\" of the hierarchy {dir}/h.hrc (line 3) has no row in column \"GEO\": every \
             code of the hierarchy needs its cells (remove it from the hierarchy if the table does \
             not have it)",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let t = write(dir.path(), "t.csv", LONG);
        let h = write(dir.path(), "h.hrc", hrc);
        let spec = format!("GEO={h}");
        let (code, _, err) = run(&["bounds", &t, "--hierarchy", &spec]);
        assert_eq!(code, 2, "{hrc:?}: {err}");
        let expected = expected.replace("{dir}", dir.path().to_str().unwrap());
        assert!(err.contains(&expected), "{hrc:?}: {err}");
    }
}

#[test]
fn json_tree_errors_name_the_path() {
    for (tree, expected) in [
        (
            r#"{"Total": ["E", "W", "E"]}"#,
            "h.json: tree.Total: \"E\" is listed twice: a code has one place in a hierarchy",
        ),
        (
            r#"{"Total": [1]}"#,
            "h.json: tree.Total[0]: expected a code (a string) or an object, found 1",
        ),
        ("[]", "h.json: the JSON tree lists no code"),
        ("{\"Total\":\n", "h.json:2: not a JSON tree"),
    ] {
        refused(
            &[("t.csv", LONG), ("h.json", tree)],
            &["--hierarchy", "GEO={dir}/h.json"],
            &[expected],
        );
    }
}

#[test]
fn hierarchy_options_and_totals() {
    // A dimension the file does not have.
    refused(
        &[("t.csv", LONG)],
        &["--hierarchy", "REGION=prefix"],
        &["t.csv:1: --hierarchy REGION=...: \"REGION\" is not a dimension column (the dimensions: GEO, IND)"],
    );
    // Two hierarchies for one dimension: which one is meant is not guessed.
    refused(
        &[("t.csv", LONG), ("h.hrc", "E\nW\n")],
        &[
            "--hierarchy",
            "GEO={dir}/h.hrc",
            "--hierarchy",
            "GEO=prefix",
        ],
        &["t.csv: --hierarchy GEO=... is given twice: a dimension has one hierarchy; keep one"],
    );
    // No '=', or no dimension before it.
    refused(
        &[("t.csv", LONG)],
        &["--hierarchy", "=prefix"],
        &["\"=prefix\" is not a hierarchy: write DIM=FILE (a .hrc or .json file) or DIM=prefix"],
    );
    // A file that is not there.
    refused(
        &[("t.csv", LONG)],
        &["--hierarchy", "GEO={dir}/none.hrc"],
        &["none.hrc: cannot read the file"],
    );
    // Two total codes in one dimension: named, or by the default labels.
    refused(
        &[("t.csv", LONG)],
        &["--total-code", "E", "--total-code", "W"],
        &["t.csv:6: column \"GEO\": dimension \"GEO\" has two total codes, \"E\" (line 4) and \"W\": a \
           dimension has one grand total; --total-code names only one per dimension"],
    );
    refused(
        &[("t.csv", "GEO,VALUE\nTotal,10\nAll,10\nE,4\nW,6\n")],
        &[],
        &["t.csv:3: column \"GEO\": dimension \"GEO\" has two total codes, \"Total\" (line 2) and \
           \"All\": a dimension has one grand total; name the right one with --total-code"],
    );
}

#[test]
fn flag_meaning_parse_errors() {
    let grid = [("g.csv", "r,a,b,Total\np,3,x,5\nq,1,1,2\nTotal,4,3,7\n")];
    for (arg, expected) in [
        (
            "Q",
            "\"Q\" is not FLAG=MEANING: write the flag, '=', then hidden, secondary, range:A-B, \
             published or absent, as in F=secondary",
        ),
        ("=hidden", "\"=hidden\" names no flag before '='"),
        (
            "R=range:9-3",
            "\"range:9-3\" is an empty range: its lower end is above its upper end",
        ),
        (
            "R=range:x",
            "\"range:x\" is not a flag meaning: a meaning is hidden, secondary, range:A-B \
             (range:A- for no upper end), published or absent",
        ),
        ("R=range:", "\"range:\" is not a flag meaning"),
    ] {
        refused(&grid, &["--flag-meaning", arg], &[expected]);
    }
}

#[test]
fn flags_of_long_files() {
    // A flag nothing maps: its line, its column, how to map it.
    refused(
        &[("f.csv", "GEO,VALUE,STATUS\nTotal,10,\nE,,Q\nW,6,\n")],
        &[],
        &["f.csv:3: column \"STATUS\": the flag \"Q\" has no known meaning here: say what it means \
           with --flag-meaning Q=hidden|secondary|range:A-B|published|absent"],
    );
    // A published flag (statcan E, "use with caution") beside no number.
    refused(
        &[("f.csv", "GEO,VALUE,STATUS\nTotal,10,\nE,,E\nW,6,\n")],
        &["--profile", "statcan"],
        &["f.csv:3: column \"STATUS\": \"E\" is a flag for a published value, but the value field \
           is empty: give its number, or say what the flag means here with --flag-meaning \
           E=hidden|secondary|range:A-B|absent"],
    );
}

#[test]
fn number_styles_of_long_files() {
    // SDMX writes no digit groups: "1,5" is not a number there.
    refused(
        &[("f.csv", "GEO,VALUE,STATUS\nTotal,10,\nE,\"1,5\",\nW,6,\n")],
        &["--profile", "sdmx"],
        &["f.csv:3: column \"VALUE\": \"1,5\" is not a number as this file's numbers are written \
           (digit groups as in \"12345\", decimal mark '.'): check --thousands and --decimal"],
    );
    refused(
        &[("f.csv", "GEO,VALUE,STATUS\nTotal,10,\nE,4.25,\nW,6,\n")],
        &["--decimals", "1"],
        &[
            "f.csv:3: column \"VALUE\": \"4.25\" has 2 decimals, more than the 1 declared \
           (--decimals 1): nothing is rounded; declare --decimals 2, or correct the value",
        ],
    );
    let grid = [("g.csv", "r,a,b,Total\np,3,x,5\nq,1,1,2\nTotal,4,3,7\n")];
    refused(
        &grid,
        &["--thousands", ".", "--decimal", "."],
        &["g.csv: the thousands separator and the decimal mark are both '.': give them different \
           marks (--thousands and --decimal)"],
    );
    refused(
        &grid,
        &["--decimal", ";"],
        &["\";\" is not a decimal mark: use `.` or `,`"],
    );
}

#[test]
fn negative_values_and_hidden_cells_of_long_files() {
    let text = "GEO,VALUE,STATUS\nTotal,-10,\nE,,x\nW,-6,\n";
    refused(
        &[("n.csv", text)],
        &[],
        &[
            "n.csv:2: column \"VALUE\": \"-10\" is not a count: counts cannot be negative (if the \
           table holds negative values, pass --allow-negative)",
        ],
    );
    // Negatives allowed, a hidden cell has no lower limit, never read as
    // 0 or more: its line pins it below zero.
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "n.csv", text);
    let (code, out, err) = run(&["bounds", &f, "--allow-negative", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("n,E,-4,-4,exact\n"), "{out}");
    // Its range, given for its flag, is used too.
    let (code, out, err) = run(&[
        "bounds",
        &f,
        "--allow-negative",
        "--flag-meaning",
        "x=range:-9-9",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("n,E,-4,-4,exact\n"), "{out}");
    assert!(err.contains("x = range -9-9"), "{err}");
    // Both ends below zero.
    let (code, out, err) = run(&[
        "bounds",
        &f,
        "--allow-negative",
        "--flag-meaning",
        "x=range:-9--1",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("n,E,-4,-4,exact\n"), "{out}");
    // A range below zero for a table of counts.
    refused(
        &[("p.csv", "GEO,VALUE,STATUS\nTotal,10,\nE,,x\nW,6,\n")],
        &["--flag-meaning", "x=range:-9-9"],
        &["p.csv:3: column \"STATUS\": the flag's range starts at -9, below 0, and counts cannot \
           be negative (if the table holds negative values, pass --allow-negative)"],
    );
}

#[test]
fn rounded_option_errors() {
    let grid = [("g.csv", "r,a,b,Total\np,3,x,5\nq,1,1,2\nTotal,4,3,7\n")];
    refused(
        &grid,
        &["--rounded", "5"],
        &[
            "g.csv: line 2, column \"a\": the published value 3 is not a multiple of the rounding \
           base 5; check --rounded",
        ],
    );
    refused(
        &grid,
        &["--rounded", "0"],
        &["0 is not in 1..=9007199254740992"],
    );
    refused(
        &grid,
        &["--rounded", "abc"],
        &["invalid value 'abc' for '--rounded <B>'"],
    );
    refused(
        &grid,
        &["--rounded", "5", "--rounding", "up"],
        &[
            "invalid value 'up' for '--rounding <MODE>'",
            "[possible values: nearest, random]",
        ],
    );
    refused(
        &grid,
        &["--rounding", "nearest"],
        &[
            "the following required arguments were not provided",
            "--rounded <B>",
        ],
    );
}
