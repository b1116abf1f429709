//! Each agency's long layout, written from its published description
//! (`tests/data/profiles/long/`): read with `--profile NAME` (plus the
//! options the file cannot say), it gives the bounds of the same table
//! written as a plain grid (`tests/data/profiles/long/plain/`). The
//! tables' labels differ between the layouts, so the cells are compared by
//! their `lower`, `upper` and `status`, as a sorted list and by count.

use crate::common::{path, run};

/// `(lower, upper, status)` of every hidden cell of `bounds --format json`,
/// sorted, and standard error.
fn cells(args: &[&str]) -> (Vec<(String, String, String)>, String) {
    let mut all = vec!["bounds"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let (code, out, err) = run(&all);
    assert_eq!(code, 0, "{args:?}: {err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["feasible"], true, "{out}");
    let mut cells: Vec<(String, String, String)> = json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["lower"].to_string(),
                c["upper"].to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    cells.sort();
    (cells, err)
}

/// The agency's long file with its options, and its plain twin with its
/// own: the same cells; the flags met are said on standard error. Returns
/// the cells and the long run's standard error.
fn same_bounds(
    file: &str,
    with: &[&str],
    plain: &str,
    plain_with: &[&str],
) -> (Vec<(String, String, String)>, String) {
    let long = path(&format!("tests/data/profiles/long/{file}"));
    let mut args = vec![long.as_str()];
    args.extend_from_slice(with);
    let (long_cells, err) = cells(&args);
    let twin = path(&format!("tests/data/profiles/long/plain/{plain}"));
    let mut args = vec![twin.as_str()];
    args.extend_from_slice(plain_with);
    let (plain_cells, _) = cells(&args);
    assert!(!long_cells.is_empty(), "{file}: no hidden cell");
    assert_eq!(long_cells, plain_cells, "{file}");
    assert!(err.contains("cellbound: flags: "), "{file}: {err}");
    (long_cells, err)
}

fn cell(lower: &str, upper: &str, status: &str) -> (String, String, String) {
    (lower.to_string(), upper.to_string(), status.to_string())
}

/// Statistics Canada's full-table CSV download: `REF_DATE`, `GEO`,
/// `DGUID`, the dimension column, the metadata columns, `VALUE`, `STATUS`,
/// `SYMBOL`, `TERMINATED`, `DECIMALS`, every field quoted; the status in
/// its own column, `VALUE` empty where the value is withheld.
#[test]
fn statcan_full_table_csv() {
    let (cells, err) = same_bounds(
        "statcan.csv",
        &[
            "--profile",
            "statcan",
            "--total-code",
            "Canada",
            "--total-code",
            "Total, all industries",
        ],
        "statcan.csv",
        &[],
    );
    assert_eq!(cells.len(), 4);
    assert!(cells.contains(&cell("1630", "1630", "exact")), "{cells:?}");
    assert!(
        err.contains(
            "ignored: DGUID, UOM, UOM_ID, SCALAR_FACTOR, SCALAR_ID, VECTOR, COORDINATE, \
             TERMINATED, DECIMALS"
        ),
        "{err}"
    );
    assert!(
        err.contains("F = secondary (hidden, possibly large), .. = secondary"),
        "{err}"
    );
    // Without the profile, F and .. are read as small counts: the table
    // cannot hold (1630 in a cell read as below 5).
    let file = path("tests/data/profiles/long/statcan.csv");
    let (code, _, err) = run(&[
        "bounds",
        &file,
        "--total-code",
        "Canada",
        "--total-code",
        "Total, all industries",
    ]);
    assert_ne!(code, 0, "{err}");
}

/// A UK tidy CSV: the shorthand in its own column (`Marker`), the value
/// empty beside `[c]`, `[x]`, `[low]`, `[z]`, and kept beside `[e]`.
#[test]
fn gss_tidy_csv_with_a_marker_column() {
    let (cells, err) = same_bounds("gss.csv", &["--profile", "gss"], "gss.csv", &[]);
    assert_eq!(cells.len(), 3);
    assert!(
        err.contains("[low] = hidden (below the threshold), [e] = published (with a quality flag), [z] = absent (0)"),
        "{err}"
    );
}

/// Eurostat's SDMX-CSV 1.0: `DATAFLOW`, `LAST UPDATE`, the dimensions in
/// lower case, `TIME_PERIOD`, `OBS_VALUE`, `OBS_FLAG` (Eurostat's
/// observation status, lower case: `e` estimated), `CONF_STATUS` (`C`
/// confidential, empty for a value free to publish).
#[test]
fn eurostat_sdmx_csv_1() {
    let (cells, err) = same_bounds(
        "sdmx1-eurostat.csv",
        &["--profile", "sdmx", "--total-code", "TOTAL"],
        "sdmx.csv",
        &[],
    );
    assert_eq!(
        cells,
        vec![
            cell("2", "2", "exact"),
            cell("3", "3", "exact"),
            cell("4100", "4100", "exact")
        ]
    );
    // OBS_FLAG is read as a flag column, not ignored.
    assert!(!err.contains("ignored"), "{err}");
    assert!(
        err.contains("C = secondary (hidden, possibly large), e = published (with a quality flag)"),
        "{err}"
    );
}

/// Eurostat's `OBS_FLAG` `m` ("missing value, data cannot exist") beside
/// an empty value is a structural zero, not a hidden small count; its new
/// `CONF_STATUS` `P` ("information under non-statistical secrecy
/// arrangements") is hidden and possibly large.
#[test]
fn eurostat_flags_of_2025() {
    let dir = tempfile::tempdir().unwrap();
    let head = "DATAFLOW,LAST UPDATE,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n";
    let row = |geo: &str, value: &str, flag: &str, conf: &str| {
        format!("ESTAT:X(1.0),01/01/25 23:00:00,{geo},2023,{value},{flag},{conf}\n")
    };
    let text = format!(
        "{head}{}{}{}{}",
        row("TOTAL", "100", "", ""),
        row("BE", "", "m", ""),
        row("NL", "", "", "P"),
        row("LU", "", "", "C")
    );
    let f = crate::common::write(dir.path(), "e.csv", &text);
    let (code, out, err) = run(&[
        "bounds",
        &f,
        "--profile",
        "sdmx",
        "--total-code",
        "TOTAL",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    // BE is 0 and published: only NL and LU are hidden, each 0 to 100.
    assert_eq!(
        out,
        "table,geo,TIME_PERIOD,lower,upper,status\ne,NL,2023,0,100,bounded\ne,LU,2023,0,100,bounded\n"
    );
    assert!(
        err.contains("m = absent (0), P = secondary (hidden, possibly large)"),
        "{err}"
    );
}

/// An OECD SDMX-CSV 2.0 file: `STRUCTURE`, `STRUCTURE_ID`, `ACTION`,
/// `_T` totals (read as totals with no option), `OBS_STATUS` and
/// `CONF_STATUS`.
#[test]
fn oecd_sdmx_csv_2() {
    let (cells, _) = same_bounds("sdmx2-oecd.csv", &["--profile", "sdmx"], "sdmx.csv", &[]);
    assert_eq!(cells.len(), 3);
}

/// A County Business Patterns county file before 2017 (`fipstate`,
/// `fipscty`, `naics`, `empflag`, `emp_nf`, `emp`, ...): `emp` is 0 where
/// `empflag` gives the employment-size class; NAICS codes padded with `-`
/// (`------` the total, `23----` a sector), so the hierarchy is an `.hrc`
/// file. A county file has no state row: no geographic total.
#[test]
fn census_cbp_county_file() {
    let hrc = path("tests/data/profiles/long/census-cbp-naics.hrc");
    let hierarchy = format!("naics={hrc}");
    let (cells, err) = same_bounds(
        "census-cbp.csv",
        &[
            "--profile",
            "census-cbp",
            "--dims",
            "fipscty,naics",
            "--hierarchy",
            &hierarchy,
        ],
        "census-cbp.csv",
        &[],
    );
    assert!(cells.contains(&cell("150", "150", "exact")), "{cells:?}");
    assert!(cells.contains(&cell("326", "405", "bounded")), "{cells:?}");
    assert!(cells.contains(&cell("593", "612", "bounded")), "{cells:?}");
    assert!(
        err.contains("C = range 100-249, B = range 20-99, E = range 250-499, A = range 0-19, F = range 500-999"),
        "{err}"
    );
    // The value 0 of a withheld row is not read as a published 0.
    assert!(!cells.contains(&cell("0", "0", "exact")), "{cells:?}");
}

/// A County Business Patterns county file from 2017 on: no `empflag`;
/// `emp_nf` is the noise flag (`G`, `H`, `J`: published with noise) or
/// says the value is withheld (`D`, `S`), `emp` then 0. A withheld row is
/// not read as a published 0, and the noise flag `G` is not the size class
/// `G`.
#[test]
fn census_cbp_county_file_from_2017() {
    let hrc = path("tests/data/profiles/long/census-cbp-naics.hrc");
    let hierarchy = format!("naics={hrc}");
    let (cells, err) = same_bounds(
        "census-cbp-2017.csv",
        &[
            "--profile",
            "census-cbp",
            "--dims",
            "fipscty,naics",
            "--hierarchy",
            &hierarchy,
        ],
        "census-cbp-2017.csv",
        &[],
    );
    assert_eq!(
        cells,
        vec![
            cell("0", "425", "bounded"),
            cell("0", "425", "bounded"),
            cell("150", "150", "exact"),
            cell("19", "19", "exact")
        ]
    );
    assert!(
        err.contains(
            "G = published (with a quality flag), D = secondary (hidden, possibly large), H = \
             published (with a quality flag), J = published (with a quality flag), S = secondary"
        ),
        "{err}"
    );
}

/// BEA's regional data as its API gives it (`Code`, `GeoFips`, `GeoName`,
/// `TimePeriod`, `CL_UNIT`, `UNIT_MULT`, `DataValue`, `NoteRef`): numbers
/// with commas, negative earnings, `(L)` in `DataValue` and `NoteRef`.
#[test]
fn bea_regional_api_rows() {
    let (cells, err) = same_bounds(
        "bea.csv",
        &[
            "--profile",
            "bea",
            "--dims",
            "Code,GeoFips",
            "--total-code",
            "CAINC5N-0090",
            "--total-code",
            "18000",
        ],
        "bea.csv",
        &["--allow-negative"],
    );
    assert_eq!(cells.len(), 3);
    assert!(err.contains("(L) = range 0-49"), "{err}");
}

/// The ABS Data API's SDMX-CSV: amounts with one decimal ($m), `np` in
/// `OBS_STATUS` with an empty `OBS_VALUE`.
#[test]
fn abs_data_api_sdmx_csv() {
    let (cells, err) = same_bounds(
        "abs.csv",
        &[
            "--profile",
            "abs",
            "--total-code",
            "TOT",
            "--total-code",
            "AUS",
        ],
        "abs.csv",
        &["--total-label", "Australia", "--decimals", "1"],
    );
    assert_eq!(
        cells,
        vec![
            cell("120.0", "120.0", "exact"),
            cell("310.2", "310.2", "exact")
        ]
    );
    assert!(
        err.contains("np = secondary (hidden, possibly large)"),
        "{err}"
    );
}

/// A CDC WONDER export (tab-delimited, `"Notes"` first, a `Total` row for
/// each state and one for all, the age groups' codes empty on them,
/// WONDER's notes after a line `"---"`): the age groups' totals over the
/// states, which WONDER does not print, are unknown cells (0 and up),
/// bounded by their lines, as the JSON model twin says.
#[test]
fn cdc_wonder_export() {
    let (cells, err) = same_bounds(
        "cdc.txt",
        &["--profile", "cdc", "--dims", "State,Ten-Year Age Groups"],
        "cdc.json",
        &[],
    );
    assert_eq!(cells.len(), 7);
    assert!(cells.contains(&cell("16", "24", "bounded")), "{cells:?}");
    assert!(
        err.contains(
            "cdc.txt:15: CDC WONDER's notes from line 15 to the end skipped; 3 totals WONDER \
             does not print read as unknown (hidden, 0 and up)"
        ),
        "{err}"
    );
    assert!(err.contains("Suppressed = range 1-9"), "{err}");
    // Long output: the data rows with their bounds, not the notes.
    let file = path("tests/data/profiles/long/cdc.txt");
    let args = [
        file.as_str(),
        "--profile",
        "cdc",
        "--dims",
        "State,Ten-Year Age Groups",
        "-q",
    ];
    let mut long = vec!["bounds"];
    long.extend(args);
    long.extend(["--format", "long"]);
    let (code, out, err) = run(&long);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 14, "{out}");
    assert!(!out.contains("Dataset"), "{out}");
    assert!(
        out.contains("\tWyoming\t56\t15-24 years\t15-24\tSuppressed\t71000\tSuppressed\t1\t9\tbounded\trange\n"),
        "{out}"
    );
    // impute writes the filled rows, not the notes.
    let mut impute = vec!["impute"];
    impute.extend(args);
    let (code, out, err) = run(&impute);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 14, "{out}");
    assert!(!out.contains("Suppressed\t"), "{out}");
}
