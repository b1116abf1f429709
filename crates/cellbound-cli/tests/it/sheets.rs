//! Spreadsheets (docs/formats.md, "Spreadsheets"): workbooks written here
//! with `rust_xlsxwriter`, each holding a seed table of `examples/` the way
//! an agency publishes it, must give the bounds of the same table read as
//! a CSV grid, byte for byte; bad sheets are exit 2 naming the cell.

use std::path::Path;

use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};

use crate::common::{path, run};

const SEEDS: [&str; 4] = [
    "table1-declarations",
    "table2-invitations",
    "table3-peq-workers",
    "table4-peq-graduates",
];

/// The rows of a seed CSV grid (none of them quotes a field).
fn seed_rows(stem: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path(&format!("examples/{stem}.csv"))).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// How the numbers of a table are written in the sheet.
#[derive(Clone, Copy, PartialEq)]
enum Numbers {
    /// Number cells.
    Cells,
    /// Text cells holding the digits ("numbers stored as text").
    Text,
    /// Number cells, the total row as `SUM` formulas with cached results.
    Formulas,
}

/// Writes `rows` with its top-left cell at (`row`, `col`), 0-based.
fn put_table(ws: &mut Worksheet, rows: &[Vec<String>], row: u32, col: u16, numbers: Numbers) {
    for (r, fields) in rows.iter().enumerate() {
        let at = row + r as u32;
        let total_row = r + 1 == rows.len() && fields[0] == "Total";
        for (c, text) in fields.iter().enumerate() {
            let c16 = col + c as u16;
            let number = text.parse::<f64>().ok().filter(|_| r > 0);
            match (number, numbers) {
                (Some(v), Numbers::Formulas) if total_row => {
                    let letter = column_letter(c16);
                    let formula = Formula::new(format!("=SUM({letter}{}:{letter}{})", row + 2, at))
                        .set_result(text.clone());
                    ws.write_formula(at, c16, formula).unwrap();
                    let _ = v;
                }
                (Some(v), Numbers::Cells | Numbers::Formulas) => {
                    ws.write_number(at, c16, v).unwrap();
                }
                _ => {
                    ws.write_string(at, c16, text).unwrap();
                }
            };
        }
    }
}

fn column_letter(c: u16) -> String {
    char::from(b'A' + c as u8).to_string()
}

/// A seed table as an agency publishes it on a sheet: a title (merged
/// over the table's width) and a subtitle, a blank row, the table from
/// row 4, a blank row, a source and a note.
fn agency_sheet(ws: &mut Worksheet, stem: &str, numbers: Numbers) {
    let rows = seed_rows(stem);
    let width = rows[0].len() as u16;
    ws.merge_range(
        0,
        0,
        0,
        width - 1,
        &format!("Table: {stem}, Bas-Saint-Laurent, 2023"),
        &Format::new().set_bold(),
    )
    .unwrap();
    ws.write_string(1, 0, "Number of people, by MRC").unwrap();
    put_table(ws, &rows, 3, 0, numbers);
    let below = 3 + rows.len() as u32 + 1;
    ws.write_string(below, 0, "Source: Example agency, special compilation.")
        .unwrap();
    ws.write_string(below + 1, 0, "Note: x suppressed for confidentiality.")
        .unwrap();
}

fn save(mut wb: Workbook, dir: &Path, name: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, wb.save_to_buffer().unwrap()).unwrap();
    p.to_str().unwrap().to_string()
}

/// `bounds --format json` of a file (the exit status and the output),
/// which must be read (not exit 2), and its standard error.
fn bounds_json(file: &str, extra: &[&str]) -> ((i32, String), String) {
    let mut args = vec!["bounds", file, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_ne!(code, 2, "{file}: {err}");
    ((code, out), err)
}

fn csv_bounds(stem: &str) -> (i32, String) {
    bounds_json(&path(&format!("examples/{stem}.csv")), &[]).0
}

#[test]
fn an_agency_sheet_gives_the_bounds_of_its_csv_grid() {
    let dir = tempfile::tempdir().unwrap();
    for numbers in [Numbers::Cells, Numbers::Text, Numbers::Formulas] {
        for stem in SEEDS {
            let mut wb = Workbook::new();
            agency_sheet(wb.add_worksheet(), stem, numbers);
            let file = save(wb, dir.path(), &format!("{stem}.xlsx"));
            let (out, err) = bounds_json(&file, &[]);
            assert_eq!(out, csv_bounds(stem), "{stem}");
            let rows = seed_rows(stem).len();
            assert!(
                err.contains("lines 1 to 2 skipped as a title: the table starts at line 4"),
                "{err}"
            );
            assert!(
                err.contains(&format!(
                    "{stem}.xlsx:{}: 2 lines from line {} to the end skipped as notes",
                    rows + 5,
                    rows + 5
                )),
                "{err}"
            );
        }
    }
}

#[test]
fn every_command_reads_a_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let stem = "table1-declarations";
    let mut wb = Workbook::new();
    put_table(wb.add_worksheet(), &seed_rows(stem), 0, 0, Numbers::Cells);
    let xlsx = save(wb, dir.path(), &format!("{stem}.xlsx"));
    let csv = path(&format!("examples/{stem}.csv"));
    let same = |args: &[&str]| {
        let with = |file: &str| {
            let mut a = vec![args[0], file];
            a.extend_from_slice(&args[1..]);
            let (code, out, _) = run(&a);
            (code, out)
        };
        let (code, out) = with(&xlsx);
        assert_eq!(code, 0, "{args:?}");
        assert!(!out.is_empty());
        assert_eq!((code, out), with(&csv), "{args:?}");
    };
    same(&[
        "explain",
        "--cell",
        "MRC La Mitis,Volet 1",
        "--open",
        "--format",
        "json",
    ]);
    same(&["impute", "--open", "--format", "json"]);
    // A truth for audit: the published sheet against a CSV truth.
    let truth = crate::common::write(
        dir.path(),
        "truth.csv",
        &std::fs::read_to_string(&csv)
            .unwrap()
            .replacen("MRC La Mitis,x,9,x,20", "MRC La Mitis,6,9,5,20", 1)
            .replacen("MRC Les Basques,x,15,x,25", "MRC Les Basques,7,15,3,25", 1),
    );
    let (code, _, err) = run(&["audit", &xlsx, "--truth", &truth, "--format", "json"]);
    assert!(code == 0 || code == 1, "{code}: {err}");
    let witnesses = dir.path().join("w.json");
    let w = witnesses.to_str().unwrap();
    let (code, _, err) = run(&[
        "bounds",
        &xlsx,
        "--open",
        "--witnesses",
        "--format",
        "json",
        "-o",
        w,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["verify", &xlsx, w]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn sheet_by_name_and_by_number_and_a_missing_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let stem = "table2-invitations";
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("Notes").unwrap();
    notes.write_string(0, 0, "About these tables").unwrap();
    notes.write_string(1, 0, "x: suppressed").unwrap();
    let data = wb.add_worksheet();
    data.set_name("Table 2").unwrap();
    agency_sheet(data, stem, Numbers::Cells);
    let file = save(wb, dir.path(), &format!("{stem}.xlsx"));
    let expected = csv_bounds(stem);
    assert_eq!(bounds_json(&file, &["--sheet", "Table 2"]).0, expected);
    assert_eq!(bounds_json(&file, &["--sheet", "2"]).0, expected);
    // The default is the first sheet, which holds no table.
    let (code, _, err) = run(&["bounds", &file]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "the table has a single column: a grid needs a column of row labels and at least \
             one column of cells (name the table's block with --range) (this is sheet 1, \
             \"Notes\", read by default; the sheets are 1 \"Notes\", 2 \"Table 2\": name the \
             table's sheet with --sheet)"
        ),
        "{err}"
    );
    let (code, _, err) = run(&["bounds", &file, "--sheet", "Table 3"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "{stem}.xlsx: --sheet: no sheet is named \"Table 3\": the sheets are 1 \"Notes\", 2 \"Table 2\""
        )),
        "{err}"
    );
    let (code, _, err) = run(&["bounds", &file, "--sheet", "3"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--sheet 3: the workbook has 2 sheets"),
        "{err}"
    );
    // --sheet on a CSV file is refused, not ignored.
    let (code, _, err) = run(&[
        "bounds",
        &path("examples/table2-invitations.csv"),
        "--sheet",
        "2",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--sheet 2 applies to spreadsheets"), "{err}");
}

#[test]
fn a_range_names_the_table_on_a_busy_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let stem = "table3-peq-workers";
    let rows = seed_rows(stem);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "PEQ workers").unwrap();
    // A column of remarks on the left, the table from C5, a comment right.
    for r in 4..(4 + rows.len() as u32) {
        ws.write_string(r, 0, "remark").unwrap();
    }
    put_table(ws, &rows, 4, 2, Numbers::Cells);
    ws.write_string(5, 7, "checked").unwrap();
    let file = save(wb, dir.path(), &format!("{stem}.xlsx"));
    let last = 4 + rows.len();
    let range = format!("C5:F{last}");
    let (out, err) = bounds_json(&file, &["--range", &range]);
    assert_eq!(out, csv_bounds(stem));
    assert!(
        !err.contains("skipped"),
        "no title search in a range: {err}"
    );
    // Without the range, the remarks are a second label column.
    let (code, _, err) = run(&["bounds", &file]);
    assert_eq!(code, 2, "{err}");
    // A range over blank cells only.
    let (code, _, err) = run(&["bounds", &file, "--range", "J1:K4"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--range: --range J1:K4 holds no data line on sheet \"Sheet1\""),
        "{err}"
    );
}

#[test]
fn an_indented_table_is_read_from_its_first_column() {
    let dir = tempfile::tempdir().unwrap();
    let stem = "table2-invitations";
    let rows = seed_rows(stem);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Table 2. Invitations").unwrap();
    put_table(ws, &rows, 2, 1, Numbers::Cells);
    let below = 2 + rows.len() as u32 + 1;
    ws.write_string(below, 0, "Note: x suppressed.").unwrap();
    let file = save(wb, dir.path(), &format!("{stem}.xlsx"));
    let (out, err) = bounds_json(&file, &[]);
    assert_eq!(out, csv_bounds(stem));
    assert!(
        err.contains(&format!(
            "{stem}.xlsx:1: 2 cells from Sheet1!A1 left of column B skipped: each alone on \
             its row, as a title or a note is; the table is read from column B (to choose \
             yourself, pass --range)"
        )),
        "{err}"
    );
}

#[test]
fn an_error_cell_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Data 2023").unwrap();
    put_table(ws, &seed_rows("table1-declarations"), 0, 0, Numbers::Cells);
    ws.write_formula(6, 3, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    let file = save(wb, dir.path(), "t.xlsx");
    let (code, _, err) = run(&["bounds", &file]);
    assert_eq!(code, 2);
    assert!(
        err.contains("t.xlsx:7: 'Data 2023'!D7: the cell holds the error value #DIV/0!"),
        "{err}"
    );
}

#[test]
fn a_bad_value_names_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    agency_sheet(ws, "table1-declarations", Numbers::Cells);
    ws.write_string(6, 2, "n/a").unwrap();
    // An amount: 12.5 is read as the text "12.5" would be in a CSV file.
    ws.write_number(7, 3, 12.5).unwrap();
    let file = save(wb, dir.path(), "t.xlsx");
    let (code, _, err) = run(&["bounds", &file]);
    assert_eq!(code, 2);
    assert!(
        err.contains("t.xlsx:7: Sheet1!C7, column \"Volet 2\": \"n/a\" is not a count"),
        "{err}"
    );
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    agency_sheet(ws, "table1-declarations", Numbers::Cells);
    ws.write_number(7, 3, 12.5).unwrap();
    let file = save(wb, dir.path(), "t.xlsx");
    let (code, _, err) = run(&["bounds", &file]);
    assert_eq!(code, 2);
    let csv_err = {
        let text = std::fs::read_to_string(path("examples/table1-declarations.csv")).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut f: Vec<String> = lines[4].split(',').map(str::to_string).collect();
        f[3] = "12.5".to_string();
        lines[4] = f.join(",");
        let csv = crate::common::write(dir.path(), "t.csv", &(lines.join("\n") + "\n"));
        let (code, _, e) = run(&["bounds", &csv]);
        assert_eq!(code, 2);
        e
    };
    let message = |e: &str| e.split_once("\"12.5\"").map(|(_, m)| m.to_string());
    assert!(
        err.contains("Sheet1!D8, column \"Volet 3\": \"12.5\""),
        "{err}"
    );
    assert_eq!(message(&err), message(&csv_err), "{err}\n{csv_err}");
}

#[test]
fn a_merged_two_row_header_is_exit_2_naming_the_blank_cell() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let merged = Format::new();
    ws.merge_range(0, 0, 1, 0, "MRC", &merged).unwrap();
    ws.merge_range(0, 1, 0, 3, "Volet", &merged).unwrap();
    ws.merge_range(0, 4, 1, 4, "Total", &merged).unwrap();
    for (c, v) in ["1", "2", "3"].iter().enumerate() {
        ws.write_string(1, 1 + c as u16, *v).unwrap();
    }
    let rows = seed_rows("table1-declarations");
    put_table(ws, &rows[1..], 2, 0, Numbers::Cells);
    let file = save(wb, dir.path(), "t.xlsx");
    let (code, _, err) = run(&["bounds", &file]);
    assert_eq!(code, 2);
    // A merged cell is its top-left value; the rest of the merge is blank.
    assert!(
        err.contains(
            "t.xlsx:1: Sheet1!C1, column 3: the column label (field 3 of the header) is empty"
        ),
        "{err}"
    );
}

#[test]
fn a_workbook_is_known_by_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let stem = "table4-peq-graduates";
    let mut wb = Workbook::new();
    agency_sheet(wb.add_worksheet(), stem, Numbers::Cells);
    // No spreadsheet extension: the zip signature says what it is.
    let file = save(wb, dir.path(), &format!("{stem}.data"));
    assert_eq!(bounds_json(&file, &[]).0, csv_bounds(stem));
    // A spreadsheet name on a file that is none: exit 2, not a panic.
    let fake = crate::common::write(dir.path(), "fake.xlsx", "a,b\n1,2\n");
    let (code, _, err) = run(&["bounds", &fake]);
    assert_eq!(code, 2);
    assert!(
        err.contains("fake.xlsx: the file is not a spreadsheet"),
        "{err}"
    );
    // --delimiter means nothing in a sheet.
    let (code, _, err) = run(&["bounds", &file, "--delimiter", ";"]);
    assert_eq!(code, 2);
    assert!(err.contains("--delimiter ; applies to CSV files"), "{err}");
}

#[test]
fn a_formula_with_no_saved_result_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    put_table(ws, &seed_rows("table1-declarations"), 0, 0, Numbers::Cells);
    ws.write_formula(9, 1, Formula::new("=SUM(B2:B9)")).unwrap();
    // As a program that computes no formula saves it: no `<v>` at all.
    let bytes = rewrite_entry(
        &wb.save_to_buffer().unwrap(),
        "xl/worksheets/sheet1.xml",
        |xml| xml.replace("<f>SUM(B2:B9)</f><v>0</v>", "<f>SUM(B2:B9)</f>"),
    );
    let file = dir.path().join("t.xlsx");
    std::fs::write(&file, bytes).unwrap();
    let (code, _, err) = run(&["bounds", file.to_str().unwrap()]);
    assert_eq!(code, 2, "a blank would be read as a suppressed cell: {err}");
    assert!(
        err.contains("t.xlsx:10: Sheet1!B10: the cell holds a formula with no saved result"),
        "{err}"
    );
}

/// The zip archive with one entry's text rewritten (and checked changed).
fn rewrite_entry(bytes: &[u8], name: &str, edit: impl Fn(&str) -> String) -> Vec<u8> {
    use std::io::{Read as _, Write as _};
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let entry_name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if entry_name == name {
            let text = String::from_utf8(data).unwrap();
            let edited = edit(&text);
            assert_ne!(edited, text, "the edit changes {name}");
            data = edited.into_bytes();
        }
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        out.start_file(entry_name, stored).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The workbook the README reads, `examples/table4-peq-graduates.xlsx`:
/// table 4 as an agency publishes it on a sheet. It is committed; this
/// test (ignored) writes it again:
/// `cargo test -p cellbound-cli --test it -- --ignored write_the_readme_workbook`.
#[test]
#[ignore]
fn write_the_readme_workbook() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Table 4").unwrap();
    agency_sheet(ws, "table4-peq-graduates", Numbers::Cells);
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    save(wb, dir, "table4-peq-graduates.xlsx");
}

#[test]
fn the_readme_workbook_gives_the_bounds_of_its_csv_grid() {
    let xlsx = path("examples/table4-peq-graduates.xlsx");
    for rule in [&[][..], &["--zeros-shown"][..]] {
        let (sheet, _) = bounds_json(&xlsx, rule);
        let (grid, _) = bounds_json(&path("examples/table4-peq-graduates.csv"), rule);
        // The table's name is the file's stem in both.
        assert_eq!(sheet, grid);
    }
}

/// A long file (one row per cell) on a sheet is read as the same rows in a
/// CSV file are: the same bounds, and the same rows written back by
/// `--format long`.
#[test]
fn a_long_layout_on_a_sheet_reads_as_its_csv() {
    let csv = path("tests/data/long/statcan-declarations.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, line) in text.lines().enumerate() {
        for (c, field) in line.split(',').enumerate() {
            let field = field.trim_matches('"');
            match field.parse::<f64>() {
                Ok(v) if r > 0 && c == 10 => ws.write_number(r as u32, c as u16, v),
                _ => ws.write_string(r as u32, c as u16, field),
            }
            .unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let xlsx = save(wb, dir.path(), "statcan.xlsx");
    let args = ["--profile", "statcan", "--open"];
    let (sheet, sheet_err) = bounds_json(&xlsx, &args);
    let (grid, _) = bounds_json(&csv, &args);
    assert_eq!(
        sheet.1.replace("statcan\"", "statcan-declarations\""),
        grid.1,
        "{sheet_err}"
    );
    assert!(sheet_err.contains("flags: x = hidden"), "{sheet_err}");
    let long = |file: &str| {
        let (code, out, err) = run(&[
            "bounds",
            file,
            "--profile",
            "statcan",
            "--open",
            "--format",
            "long",
        ]);
        assert_eq!(code, 0, "{err}");
        out
    };
    // The sheet's rows are written as CSV quotes them (only where needed).
    let from_sheet = long(&xlsx);
    let from_csv = long(&csv);
    assert_eq!(from_sheet.lines().count(), from_csv.lines().count());
    assert!(
        from_sheet.contains("2023,MRC La Mitis,2021A00052401,Volet 1,"),
        "{from_sheet}"
    );
    assert!(from_sheet.contains(",0,11,bounded,hidden"), "{from_sheet}");
}
