//! `--range A5:F40`: the block of a CSV file that is the table, as a
//! spreadsheet names it; a malformed range, or one past the file, is exit 2
//! naming the flag.

use crate::common::{path, run};

/// A sheet exported whole: a title, a notes column on the left, a
/// comments column on the right, notes below; the table is B3:E6.
const SHEET: &str = "tests/data/grid/sheet.csv";

#[test]
fn a_range_reads_the_table_inside_a_sheet() {
    let sheet = path(SHEET);
    let (code, out, err) = run(&["bounds", &sheet, "--range", "B3:E6", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "table,MRC,column,lower,upper,status\nsheet,A,2023,3,3,exact\nsheet,B,2023,4,4,exact\n"
    );
    assert_eq!(err, "", "no title or notes warning inside a range");
    // Without it, the sheet is not a grid.
    let (code, _, _) = run(&["bounds", &sheet, "--format", "csv"]);
    assert_eq!(code, 2);
}

#[test]
fn a_bad_range_is_exit_2_naming_the_flag() {
    let sheet = path(SHEET);
    let (code, _, err) = run(&["bounds", &sheet, "--range", "B3-E6"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("invalid value 'B3-E6' for '--range <A5:F40>'")
            && err.contains("as in A5:F40"),
        "{err}"
    );
    let (code, _, err) = run(&["bounds", &sheet, "--range", "B3:E60"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("sheet.csv: --range: --range B3:E60 ends at line 60, but the file has 8 lines: end the range at line 8 or before (--range B3:E8)"),
        "{err}"
    );
    let (code, _, err) = run(&["bounds", &sheet, "--range", "B3:G6"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("sheet.csv:3: --range: ") && err.contains("(--range B3:F6)"),
        "{err}"
    );
    let (code, _, err) = run(&["bounds", &sheet, "--range", "B3:E6", "--skip-lines", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
}
