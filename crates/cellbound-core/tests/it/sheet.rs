//! The spreadsheet reader (`io::sheet`): workbooks written here (`.xlsx`
//! with `rust_xlsxwriter`, `.ods` as a zip of its XML by hand) read to the
//! same model as the same table in a CSV grid, with spreadsheet line
//! numbers and cell names.

use std::io::Write as _;
use std::path::Path;

use cellbound_core::io::{read_bytes_with_warnings, sheet, Format, GridOptions};
use cellbound_core::Model;
use rust_xlsxwriter::{ExcelDateTime, Format as XlsxFormat, Workbook};

const CSV: &str = "\
MRC,Volet 1,Volet 2,Volet 3,Total
MRC La Mitis,x,9,x,20
MRC Les Basques,x,15,x,25
Total,13,24,8,45
";

/// The model with where each cell was read left out (a sheet names cells
/// `Sheet1!B5`, a CSV file `line 5`).
fn without_origins(mut model: Model) -> Model {
    model.source = String::new();
    for table in &mut model.tables {
        for cell in &mut table.cells {
            cell.origin = String::new();
            cell.line = None;
        }
    }
    model
}

fn csv_model() -> Model {
    let (model, _) = read_bytes_with_warnings(
        CSV.as_bytes(),
        Format::CsvGrid,
        "t.csv",
        "t",
        &GridOptions::default(),
    )
    .unwrap();
    without_origins(model)
}

/// The CSV rows as cells: numbers as numbers, the rest as text.
fn csv_rows() -> Vec<Vec<String>> {
    CSV.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// An `.ods` file (the OpenDocument zip: `mimetype` first and stored,
/// the manifest, `content.xml`) with one sheet holding `rows` from row
/// `top` (0-based); digits are float cells, other text string cells.
fn ods(sheet: &str, rows: &[Vec<String>], top: usize) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut content = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>"#,
    );
    content.push_str(&format!(r#"<table:table table:name="{sheet}">"#));
    if top > 0 {
        content.push_str(&format!(
            r#"<table:table-row table:number-rows-repeated="{top}"><table:table-cell/></table:table-row>"#
        ));
    }
    for row in rows {
        content.push_str("<table:table-row>");
        for field in row {
            if field.is_empty() {
                content.push_str("<table:table-cell/>");
            } else if let Some(formula) = field.strip_prefix('=') {
                // A formula saved with no value.
                content.push_str(&format!(
                    r#"<table:table-cell table:formula="of:={formula}"/>"#
                ));
            } else if field.chars().all(|c| c.is_ascii_digit()) {
                content.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{field}"><text:p>{field}</text:p></table:table-cell>"#
                ));
            } else {
                content.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{field}</text:p></table:table-cell>"#
                ));
            }
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buffer);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
    buffer.into_inner()
}

#[test]
fn an_ods_sheet_reads_as_its_csv_grid() {
    let mut rows = vec![
        vec!["Declarations by MRC, 2023".to_string()],
        vec![String::new()],
    ];
    rows.extend(csv_rows());
    rows.push(vec![String::new()]);
    rows.push(vec!["Source: example.".to_string()]);
    let bytes = ods("Tableau 1", &rows, 1);
    assert_eq!(
        Format::detect(Path::new("t.ods"), &bytes),
        Format::Sheet,
        "by name"
    );
    assert_eq!(
        Format::detect(Path::new("t"), &bytes),
        Format::Sheet,
        "by its bytes"
    );
    let (model, warnings) =
        read_bytes_with_warnings(&bytes, Format::Sheet, "t.ods", "t", &GridOptions::default())
            .unwrap();
    assert_eq!(without_origins(model.clone()), csv_model());
    let warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "t.ods:2: line 2 skipped as a title: the table starts at line 4 (to choose yourself, pass --skip-lines 3)",
            "t.ods:9: 1 line from line 9 to the end skipped as notes: after a blank line, only their first field holds text",
        ]
    );
    assert_eq!(
        model.tables[0].cells[0].origin,
        "'Tableau 1'!B5, column \"Volet 1\""
    );
    assert_eq!(model.tables[0].cells[0].line, Some(5));
}

#[test]
fn an_ods_formula_with_no_saved_value_is_an_error_naming_the_cell() {
    let mut rows = csv_rows();
    rows[3][1] = "=SUM([.B2:.B3])".to_string();
    let bytes = ods("Data", &rows, 0);
    let e = sheet::read(&bytes, "t.ods", "t", &GridOptions::default()).unwrap_err();
    assert_eq!(e.line, Some(4));
    assert_eq!(e.field.as_deref(), Some("Data!B4"));
    assert!(
        e.message
            .starts_with("the cell holds a formula with no saved result"),
        "{e}"
    );
}

#[test]
fn rows_are_numbered_by_the_spreadsheet_and_start_at_the_first_used_column() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in csv_rows().iter().enumerate() {
        for (c, field) in row.iter().enumerate() {
            let (r, c) = (4 + r as u32, 2 + c as u16);
            match field.parse::<f64>() {
                Ok(v) => ws.write_number(r, c, v).unwrap(),
                Err(_) => ws.write_string(r, c, field).unwrap(),
            };
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let rows = sheet::rows(&bytes, "t.xlsx", &GridOptions::default()).unwrap();
    assert_eq!(rows.place.sheet, "Sheet1");
    assert_eq!(rows.place.first_column, 3, "column C");
    assert_eq!(rows.place.cell(6, 1), "Sheet1!D6");
    let lines: Vec<usize> = rows.records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [5, 6, 7, 8]);
    assert_eq!(
        rows.records[1].fields,
        ["MRC La Mitis", "x", "9", "x", "20"],
        "whole numbers as integers, never 9.0"
    );
    let model = sheet::read(&bytes, "t.xlsx", "t", &GridOptions::default()).unwrap();
    assert_eq!(without_origins(model), csv_model());
}

#[test]
fn dates_and_booleans_are_their_text() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    ws.write_string(0, 0, "Region").unwrap();
    for (c, month) in [3u8, 6].iter().enumerate() {
        let d = ExcelDateTime::from_ymd(2024, *month, if *month == 3 { 31 } else { 30 }).unwrap();
        ws.write_datetime_with_format(0, 1 + c as u16, &d, &date)
            .unwrap();
    }
    ws.write_boolean(1, 0, true).unwrap();
    ws.write_number(1, 1, 4.0).unwrap();
    ws.write_string(1, 2, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let rows = sheet::rows(&bytes, "t.xlsx", &GridOptions::default()).unwrap();
    assert_eq!(
        rows.records[0].fields,
        ["Region", "2024-03-31", "2024-06-30"]
    );
    assert_eq!(rows.records[1].fields, ["TRUE", "4", "x"]);
    let model = sheet::read(&bytes, "t.xlsx", "t", &GridOptions::default()).unwrap();
    assert_eq!(model.tables[0].dimensions[1].code(1), "2024-06-30");
}

#[test]
fn a_hidden_sheet_read_is_a_warning() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in csv_rows().iter().enumerate() {
        for (c, field) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, field).unwrap();
        }
    }
    wb.add_worksheet().set_name("Shown").unwrap();
    wb.worksheet_from_index(0).unwrap().set_hidden(true);
    wb.worksheet_from_index(1).unwrap().set_active(true);
    let bytes = wb.save_to_buffer().unwrap();
    let (model, warnings) =
        sheet::read_with_warnings(&bytes, "t.xlsx", "t", &GridOptions::default()).unwrap();
    assert_eq!(
        without_origins(model),
        csv_model(),
        "numbers stored as text"
    );
    assert_eq!(
        warnings[0].to_string(),
        "t.xlsx: sheet \"Sheet1\" is hidden in the workbook, yet it is the one read (the first sheet); name another with --sheet"
    );
}

#[test]
fn a_truncated_workbook_is_an_error_not_a_panic() {
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "a").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    for cut in [10, bytes.len() / 2, bytes.len() - 10] {
        let e = sheet::read(&bytes[..cut], "t.xlsx", "t", &GridOptions::default()).unwrap_err();
        assert!(e.to_string().starts_with("t.xlsx: "), "{e}");
    }
}

/// A 20,000 x 50 grid (a million cells, 10% hidden) as an `.xlsx` and as
/// a CSV file: the same model, and the time each read takes (printed; run
/// with `cargo test --release -p cellbound-core --test it large_sheet --
/// --ignored --nocapture`).
#[test]
#[ignore]
fn a_large_sheet_reads_as_its_csv_grid() {
    let (rows, cols) = (20_000u32, 50u16);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let mut csv = String::from("Row");
    ws.write_string(0, 0, "Row").unwrap();
    for c in 1..=cols {
        ws.write_string(0, c, format!("C{c}")).unwrap();
        csv.push_str(&format!(",C{c}"));
    }
    csv.push('\n');
    for r in 1..=rows {
        ws.write_string(r, 0, format!("R{r}")).unwrap();
        csv.push_str(&format!("R{r}"));
        for c in 1..=cols {
            let v = (r as u64 * 31 + c as u64 * 17) % 1000;
            if v.is_multiple_of(10) {
                ws.write_string(r, c, "x").unwrap();
                csv.push_str(",x");
            } else {
                ws.write_number(r, c, v as f64).unwrap();
                csv.push_str(&format!(",{v}"));
            }
        }
        csv.push('\n');
    }
    let bytes = wb.save_to_buffer().unwrap();
    let options = GridOptions::default();
    let start = std::time::Instant::now();
    let from_sheet = sheet::read(&bytes, "t.xlsx", "t", &options).unwrap();
    let sheet_time = start.elapsed();
    let start = std::time::Instant::now();
    let (from_csv, _) =
        read_bytes_with_warnings(csv.as_bytes(), Format::CsvGrid, "t.csv", "t", &options).unwrap();
    let csv_time = start.elapsed();
    println!(
        "1,000,000 cells: .xlsx ({} bytes) {sheet_time:?}, CSV ({} bytes) {csv_time:?}",
        bytes.len(),
        csv.len()
    );
    assert_eq!(without_origins(from_sheet), without_origins(from_csv));
}

/// Workbooks with bytes changed at random (a seeded generator) are read or
/// refused, never a panic.
#[test]
fn damaged_workbooks_are_refused_not_a_panic() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in csv_rows().iter().enumerate() {
        for (c, field) in row.iter().enumerate() {
            match field.parse::<f64>() {
                Ok(v) => ws.write_number(r as u32, c as u16, v).unwrap(),
                Err(_) => ws.write_string(r as u32, c as u16, field).unwrap(),
            };
        }
    }
    // The .xlsx is compressed (changed bytes mostly break its compression
    // or checksums); the .ods is stored, so they reach its XML too.
    let xlsx = wb.save_to_buffer().unwrap();
    let ods = ods("Data", &csv_rows(), 0);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for original in [xlsx, ods] {
        for _ in 0..300 {
            let mut bytes = original.clone();
            for _ in 0..1 + next() % 8 {
                let at = (next() as usize) % bytes.len();
                bytes[at] = next() as u8;
            }
            let _ = sheet::read(&bytes, "t.xlsx", "t", &GridOptions::default());
        }
    }
}
