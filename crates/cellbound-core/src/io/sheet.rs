//! Spreadsheets (docs/formats.md, "Spreadsheets"): a `.xlsx`, `.xlsm`,
//! `.xlsb`, `.xls` or `.ods` workbook, read with the `calamine` crate. One
//! sheet ([`GridOptions::sheet`], default the first) is turned into rows of
//! text fields, each with its spreadsheet row number as its line, and those
//! rows are read by the CSV grid reader ([`csv_grid::read_records`]): the
//! same table finding (titles above the table, notes below it), the same
//! `--range`, the same values and messages, with every field named as the
//! spreadsheet names its cell (`Sheet1!C7`).
//!
//! What a cell becomes:
//!
//! - a number that is a whole number is its integer text (`1200`, never
//!   `1200.0`); any other number is its shortest exact decimal text
//!   (`12.5`), which the value reader then judges as it judges the same
//!   text in a CSV file;
//! - text is itself, trimmed; numbers stored as text read as the same text
//!   in a CSV file would;
//! - a date is `2024-03-31` (or `2024-03-31 12:30:00` with a time), a
//!   duration `[h]:mm:ss`, a boolean `TRUE` or `FALSE`;
//! - a formula is its cached value, the one the spreadsheet last computed
//!   and saved (cellbound computes no formula);
//! - an error value (`#N/A`, `#DIV/0!`, ...) inside the rows read is an
//!   error naming the cell;
//! - a merged cell is its top-left cell's value; the other cells of the
//!   merge are blank (a blank cell is a suppressed one in a table's body).
//!
//! The rows are the sheet's used cells from the table's first column (the
//! first that holds a cell of a row of two cells or more; a title alone on
//! its row left of it is skipped with a warning) to the last, or, with
//! [`GridOptions::range`], the cells of the range; [`rows`] gives them to any reader that wants them (a long layout
//! reads them the same way).

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, DataRef, Ods, Reader, SheetVisible, Xls, Xlsb, Xlsx};

use super::csv_grid::{self, Record, SheetPlace};
use super::{GridOptions, GridRange};
use crate::error::{InputError, InputWarning};
use crate::model::Model;

/// The start of an OLE compound file (`.xls`).
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The start of a zip archive (`.xlsx`, `.xlsb`, `.ods`).
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether the bytes start as a workbook does: a zip archive (`.xlsx`,
/// `.xlsm`, `.xlsb`, `.ods`) or an OLE compound file (`.xls`). Neither can
/// start a UTF-8 text file.
pub fn looks_like_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE_MAGIC)
}

/// The rows of one sheet, as [`rows`] reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRows {
    /// The sheet's name and the column of each record's first field.
    pub place: SheetPlace,
    /// The rows that hold something, in order, each numbered by its
    /// spreadsheet row (row 1 is line 1), all as wide as the block read;
    /// blank cells are empty fields.
    pub records: Vec<Record>,
    /// What the reader noticed and did not refuse (a hidden sheet).
    pub warnings: Vec<InputWarning>,
    /// The names of every sheet of the workbook, in order.
    pub sheets: Vec<String>,
}

/// Reads a sheet of a workbook as a CSV grid ([`csv_grid::read_records`]).
/// `display` names the file in messages; `stem` names the table.
///
/// ```
/// use cellbound_core::io::{sheet, GridOptions};
///
/// // Not a workbook: the error says what the file is expected to be.
/// let e = sheet::read(b"PK\x03\x04 not really", "t.xlsx", "t", &GridOptions::default())
///     .unwrap_err();
/// assert!(e.to_string().starts_with("t.xlsx: "));
/// ```
pub fn read(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<Model, InputError> {
    read_with_warnings(bytes, display, stem, options).map(|(model, _)| model)
}

/// [`read`], with what the readers noticed but did not refuse: titles and
/// notes skipped, a hidden sheet, the grid reader's warnings.
pub fn read_with_warnings(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<(Model, Vec<InputWarning>), InputError> {
    read_full(bytes, display, stem, options).map(|r| (r.model, r.warnings))
}

/// [`read`], with its warnings and the flags met (see
/// [`csv_grid::GridRead`]).
pub fn read_full(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<csv_grid::GridRead, InputError> {
    refuse_delimiter(display, options)?;
    grid_from_rows(rows(bytes, display, options)?, display, stem, options)
}

/// A sheet read in the layout its rows call for.
#[derive(Debug)]
pub enum SheetRead {
    /// A grid, read as [`read_full`] reads it.
    Grid(csv_grid::GridRead),
    /// A long layout: the rows as CSV text ([`csv_text`]) for the long
    /// reader, and what reading the sheet noticed.
    Long {
        text: Vec<u8>,
        warnings: Vec<InputWarning>,
    },
}

/// Reads the sheet once and, as `is_long` says of its first row (as CSV
/// text), returns it as a grid or as the CSV text of a long layout
/// (docs/formats.md, section 1, "A long layout").
pub fn read_layout(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
    is_long: impl FnOnce(&[u8]) -> bool,
) -> Result<SheetRead, InputError> {
    refuse_delimiter(display, options)?;
    let rows = rows(bytes, display, options)?;
    let head = csv_text(rows.records.get(..1).unwrap_or(&[]), display)?;
    if is_long(&head) {
        Ok(SheetRead::Long {
            text: csv_text(&rows.records, display)?,
            warnings: rows.warnings,
        })
    } else {
        grid_from_rows(rows, display, stem, options).map(SheetRead::Grid)
    }
}

/// `--delimiter` names a CSV file's: refused for a spreadsheet.
fn refuse_delimiter(display: &str, options: &GridOptions) -> Result<(), InputError> {
    match options.delimiter {
        Some(d) => Err(InputError::new(
            display,
            format!(
                "--delimiter {} applies to CSV files: a spreadsheet's fields are its cells; \
                 leave --delimiter out",
                char::from(d).escape_default()
            ),
        )
        .field("--delimiter")),
        None => Ok(()),
    }
}

/// A sheet's rows read as a CSV grid ([`csv_grid::read_records`]).
fn grid_from_rows(
    rows: SheetRows,
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<csv_grid::GridRead, InputError> {
    let SheetRows {
        place,
        records,
        mut warnings,
        sheets,
    } = rows;
    let read = csv_grid::read_records(records, display, stem, options, Some(&place)).map_err(
        |mut e| {
            // Workbooks often open with a cover, contents or notes sheet.
            if options.sheet.is_none() && sheets.len() > 1 {
                e.message = format!(
                    "{} (this is sheet 1, {:?}, read by default; the sheets are {}: name the \
                     table's sheet with --sheet)",
                    e.message,
                    place.sheet,
                    list(&sheets)
                );
            }
            e
        },
    )?;
    warnings.extend(read.warnings);
    Ok(csv_grid::GridRead { warnings, ..read })
}

/// The rows of the sheet [`GridOptions::sheet`] names (default: the
/// first), each a [`Record`] numbered by its spreadsheet row: every row
/// that holds something, from the first used column to the last, or the
/// rows and columns of [`GridOptions::range`]. A reader of another layout
/// takes its rows from here.
pub fn rows(bytes: &[u8], display: &str, options: &GridOptions) -> Result<SheetRows, InputError> {
    let err = |m: String| InputError::new(display, m);
    let mut book = open(bytes).map_err(err)?;
    let names = book.sheet_names();
    let (index, name) =
        choose(&names, options.sheet.as_deref()).map_err(|m| err(m).field("--sheet"))?;
    let mut warnings = Vec::new();
    if let Some(meta) = book.sheets_metadata().get(index) {
        if meta.visible != SheetVisible::Visible {
            warnings.push(InputWarning::new(
                display,
                format!(
                    "sheet {name:?} is hidden in the workbook, yet it is the one read{}",
                    if options.sheet.is_none() {
                        " (the first sheet); name another with --sheet"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
    let cells = book.cells(&name, options.range.as_ref()).map_err(|m| {
        err(format!("cannot read sheet {name:?}: {m}")).field(format!("sheet {name:?}"))
    })?;
    let place_of = |first_column: usize| SheetPlace {
        sheet: name.clone(),
        first_column,
    };
    // The block read: the range, or the used cells' columns from the first
    // that holds a cell of a row of two cells or more (a table's row).
    let (first_column, last_column) = match options.range {
        Some(r) => (r.first_column, r.last_column),
        None => {
            let first = table_columns_start(&cells);
            let last = cells.iter().map(|c| c.column).max().unwrap_or(1);
            (first, last.max(first))
        }
    };
    let place = place_of(first_column);
    let left_out: Vec<&SheetCell> = cells.iter().filter(|c| c.column < first_column).collect();
    if let (Some(first), None) = (left_out.first(), options.range) {
        warnings.push(
            InputWarning::new(
                display,
                format!(
                    "{} left of column {} skipped: {}alone on its row, as a title or a note is; the \
                     table is read from column {} (to choose yourself, pass --range)",
                    if left_out.len() == 1 {
                        format!(
                            "the cell {}",
                            place_of(1).cell(first.line, first.column - 1)
                        )
                    } else {
                        format!(
                            "{} cells from {}",
                            left_out.len(),
                            place_of(1).cell(first.line, first.column - 1)
                        )
                    },
                    GridRange::column_name(first_column),
                    if left_out.len() == 1 { "" } else { "each " },
                    GridRange::column_name(first_column),
                ),
            )
            .at_line(first.line),
        );
    }
    let width = last_column + 1 - first_column;
    let mut records: Vec<Record> = Vec::new();
    for cell in cells.into_iter().filter(|c| c.column >= first_column) {
        if records.last().is_none_or(|r| r.line != cell.line) {
            let fields = records.len().saturating_add(1).saturating_mul(width);
            if fields > super::MAX_GRID_FIELDS {
                let used = GridRange {
                    first_column,
                    last_column,
                    first_line: records.first().map_or(1, |r| r.line),
                    last_line: cell.line,
                };
                return Err(err(format!(
                    "sheet {name:?} holds more than {} cells by this row (its rows span {used}): \
                     more than cellbound reads in one grid; name the table's block with --range, \
                     or split the table",
                    super::MAX_GRID_FIELDS
                ))
                .at_line(cell.line));
            }
            records.push(Record::new(cell.line, vec![String::new(); width]));
        }
        let text = match cell.value {
            Ok(text) => text,
            Err(problem) => {
                return Err(err(format!(
                    "the cell holds {problem}, or leave it out of the table's block with --range"
                ))
                .at_line(cell.line)
                .field(place.cell(cell.line, cell.column - first_column)));
            }
        };
        if let Some(record) = records.last_mut() {
            if let Some(field) = record.fields.get_mut(cell.column - first_column) {
                *field = text;
            }
        }
    }
    if records.is_empty() {
        let m = match options.range {
            Some(r) => format!(
                "--range {r} holds no data line on sheet {name:?}: every cell of it is empty; \
                 write the range of the table, its header line first (and check --sheet)"
            ),
            None => format!(
                "sheet {name:?} has no data line: it is empty; name the sheet that holds the \
                 table with --sheet (the sheets are {})",
                list(&names)
            ),
        };
        let mut e = err(m);
        if options.range.is_some() {
            e = e.field("--range");
        }
        return Err(e);
    }
    Ok(SheetRows {
        place,
        records,
        warnings,
        sheets: names,
    })
}

/// The first column of the table among a sheet's cells (in row order):
/// the first that holds a cell of a row with two cells or more, so that a
/// title or a note alone on its row, left of an indented table, is not
/// read as a column of the table. With no such row, the first used column.
fn table_columns_start(cells: &[SheetCell]) -> usize {
    let mut first: Option<usize> = None;
    let mut k = 0;
    while k < cells.len() {
        let line = cells[k].line;
        let n = cells[k..].iter().take_while(|c| c.line == line).count();
        if n >= 2 {
            let column = cells[k].column;
            first = Some(first.map_or(column, |f| f.min(column)));
        }
        k += n;
    }
    first.unwrap_or_else(|| cells.iter().map(|c| c.column).min().unwrap_or(1))
}

/// The workbook kinds `calamine` reads.
enum Book<'a> {
    Xlsx(Xlsx<Cursor<&'a [u8]>>),
    Xlsb(Xlsb<Cursor<&'a [u8]>>),
    Xls(Xls<Cursor<&'a [u8]>>),
    Ods(Ods<Cursor<&'a [u8]>>),
}

/// One cell that holds something: its spreadsheet line and column (from
/// 1), and its text or what is wrong with it (an error value, a formula
/// with no saved result), with what to do.
struct SheetCell {
    line: usize,
    column: usize,
    value: Result<String, String>,
}

/// Opens the workbook: an OLE file is `.xls`; a zip archive is tried as
/// `.xlsx`, `.xlsb` and `.ods`, in that order.
fn open(bytes: &[u8]) -> Result<Book<'_>, String> {
    let cursor = || Cursor::new(bytes);
    if bytes.starts_with(OLE_MAGIC) {
        return open_workbook_from_rs::<Xls<_>, _>(cursor())
            .map(Book::Xls)
            .map_err(|e| format!("cannot read the .xls workbook: {e}"));
    }
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(
            "the file is not a spreadsheet (.xlsx, .xlsm, .xlsb, .ods or .xls): it does not \
             start as one; if it is a CSV file, give it a .csv name"
                .to_string(),
        );
    }
    let xlsx = match open_workbook_from_rs::<Xlsx<_>, _>(cursor()) {
        Ok(book) => return Ok(Book::Xlsx(book)),
        Err(e) => e,
    };
    if let Ok(book) = open_workbook_from_rs::<Xlsb<_>, _>(cursor()) {
        return Ok(Book::Xlsb(book));
    }
    if let Ok(book) = open_workbook_from_rs::<Ods<_>, _>(cursor()) {
        return Ok(Book::Ods(book));
    }
    Err(format!(
        "the file is a zip archive but no workbook cellbound reads (.xlsx, .xlsm, .xlsb or \
         .ods): {xlsx}; save the table from the spreadsheet as .xlsx"
    ))
}

impl Book<'_> {
    fn sheet_names(&self) -> Vec<String> {
        match self {
            Book::Xlsx(b) => b.sheet_names(),
            Book::Xlsb(b) => b.sheet_names(),
            Book::Xls(b) => b.sheet_names(),
            Book::Ods(b) => b.sheet_names(),
        }
    }

    fn sheets_metadata(&self) -> &[calamine::Sheet] {
        match self {
            Book::Xlsx(b) => b.sheets_metadata(),
            Book::Xlsb(b) => b.sheets_metadata(),
            Book::Xls(b) => b.sheets_metadata(),
            Book::Ods(b) => b.sheets_metadata(),
        }
    }

    /// The cells of a sheet that hold something (within `range` if
    /// given), in row order. `.xlsx` and `.xlsb` sheets are streamed cell
    /// by cell, so a sheet with a far corner costs no memory for the blank
    /// cells between; `.xls` and `.ods` sheets are read whole by
    /// `calamine`.
    fn cells(&mut self, name: &str, range: Option<&GridRange>) -> Result<Vec<SheetCell>, String> {
        let mut out = Vec::new();
        let mut push = |row: u32, col: u32, value: Option<Result<String, String>>| {
            let (line, column) = (row as usize + 1, col as usize + 1);
            let inside = range.is_none_or(|r| {
                (r.first_line..=r.last_line).contains(&line)
                    && (r.first_column..=r.last_column).contains(&column)
            });
            match value {
                Some(Ok(text)) if text.is_empty() => Ok(()),
                Some(value) if inside => {
                    if out.len() >= super::MAX_GRID_FIELDS {
                        return Err(format!(
                            "it holds more than {} cells, more than cellbound reads in one grid; \
                             split the table",
                            super::MAX_GRID_FIELDS
                        ));
                    }
                    out.push(SheetCell {
                        line,
                        column,
                        value,
                    });
                    Ok(())
                }
                _ => Ok(()),
            }
        };
        match self {
            Book::Xlsx(b) => {
                let mut reader = b.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                while let Some(cell) = reader
                    .next_cell_with_formula_metadata()
                    .map_err(|e| e.to_string())?
                {
                    let (row, col) = cell.pos;
                    let value = match (&cell.value, &cell.formula) {
                        (DataRef::Empty, Some(_)) => Some(Err(NO_RESULT.to_string())),
                        (value, _) => data_ref_text(value),
                    };
                    push(row, col, value)?;
                }
            }
            Book::Xlsb(b) => {
                let mut reader = b.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
                while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
                    let (row, col) = cell.get_position();
                    push(row, col, data_ref_text(cell.get_value()))?;
                }
            }
            Book::Xls(b) => {
                let sheet = b.worksheet_range(name).map_err(|e| e.to_string())?;
                let (r0, c0) = sheet.start().unwrap_or((0, 0));
                for (r, c, value) in sheet.used_cells() {
                    push(r0 + r as u32, c0 + c as u32, cell_text(value))?;
                }
            }
            Book::Ods(b) => {
                let sheet = b.worksheet_range(name).map_err(|e| e.to_string())?;
                let (r0, c0) = sheet.start().unwrap_or((0, 0));
                for (r, c, value) in sheet.used_cells() {
                    push(r0 + r as u32, c0 + c as u32, cell_text(value))?;
                }
                // A formula with no value saved is no blank cell.
                let formulas = b.worksheet_formula(name).map_err(|e| e.to_string())?;
                let (f0, g0) = formulas.start().unwrap_or((0, 0));
                for (r, c, formula) in formulas.used_cells() {
                    let at = (f0 + r as u32, g0 + c as u32);
                    let empty = sheet.get_value(at).is_none_or(|v| *v == Data::Empty);
                    if !formula.is_empty() && empty {
                        push(at.0, at.1, Some(Err(NO_RESULT.to_string())))?;
                    }
                }
            }
        }
        // Cells come in row order in every format cellbound has met; the
        // sort (stable, cheap on sorted input) makes sure of it.
        out.sort_by_key(|c| (c.line, c.column));
        Ok(out)
    }
}

/// What a formula cell with no saved result holds (a workbook written by
/// a program that computes no formula), and what to do.
const NO_RESULT: &str = "a formula with no saved result, not a count: open the file in a \
                         spreadsheet program and save it, so that the results of its formulas \
                         are saved with them (cellbound computes no formula)";

fn data_ref_text(value: &DataRef<'_>) -> Option<Result<String, String>> {
    match value {
        DataRef::SharedString(s) => Some(Ok(s.trim().to_string())),
        other => cell_text(&Data::from(other.clone())),
    }
}

/// The text of a cell as the grid reader reads it (module documentation),
/// `Err` with the error value for an error cell, `None` for an empty one.
pub(crate) fn cell_text(value: &Data) -> Option<Result<String, String>> {
    let text = match value {
        Data::Empty => return None,
        Data::Error(e) => {
            return Some(Err(format!(
                "the error value {e}, not a count: correct it in the spreadsheet (a formula's \
                 error is its saved result)"
            )))
        }
        Data::Int(i) => i.to_string(),
        // `{}` writes the shortest text that reads back to the same
        // float, with no exponent and no `.0` on a whole number.
        Data::Float(f) if *f == 0.0 => "0".to_string(),
        Data::Float(f) => format!("{f}"),
        Data::String(s) => s.trim().to_string(),
        Data::Bool(true) => "TRUE".to_string(),
        Data::Bool(false) => "FALSE".to_string(),
        Data::DateTime(d) if d.is_duration() => {
            let seconds = (d.as_f64() * 86_400.0).round();
            let sign = if seconds < 0.0 { "-" } else { "" };
            let s = seconds.abs() as u64;
            format!("{sign}{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        }
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            match (h, mi, s, ms) {
                (0, 0, 0, 0) => format!("{y:04}-{mo:02}-{day:02}"),
                (_, _, _, 0) => format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}"),
                _ => format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}.{ms:03}"),
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
    };
    Some(Ok(text))
}

/// The sheets' names, quoted, for messages.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{} {n:?}", i + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The sheet `--sheet` names: its index and name. `None` is the first
/// sheet; a name matches exactly, else ignoring case (a spreadsheet keeps
/// no two sheets whose names differ only in case); digits are the sheet's
/// number from 1, refused when they are also another sheet's name.
fn choose(names: &[String], wanted: Option<&str>) -> Result<(usize, String), String> {
    let Some(wanted) = wanted else {
        return names
            .first()
            .map(|n| (0, n.clone()))
            .ok_or_else(|| "the workbook has no sheet".to_string());
    };
    let by_name = names.iter().position(|n| n == wanted).or_else(|| {
        let lower = wanted.to_lowercase();
        names.iter().position(|n| n.to_lowercase() == lower)
    });
    let number = wanted
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|_| wanted.trim().chars().all(|c| c.is_ascii_digit()));
    match (by_name, number) {
        (Some(i), Some(n)) if i + 1 != n && n >= 1 && n <= names.len() => Err(format!(
            "--sheet {wanted} could be sheet number {n} ({:?}) or the sheet named {wanted:?} \
             (number {}): pass --sheet {:?} for the first, --sheet {} for the second",
            names[n - 1],
            i + 1,
            names[n - 1],
            i + 1
        )),
        (Some(i), _) => Ok((i, names[i].clone())),
        (None, Some(n)) if n >= 1 && n <= names.len() => Ok((n - 1, names[n - 1].clone())),
        (None, Some(n)) => Err(format!(
            "--sheet {n}: the workbook has {} sheet{} ({}); sheets are numbered from 1",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            list(names)
        )),
        (None, None) => Err(format!(
            "no sheet is named {wanted:?}: the sheets are {}; pass --sheet NAME or --sheet N \
             (N from 1)",
            list(names)
        )),
    }
}

/// Sheet rows as CSV text, for the long reader ([`super::long`]): one
/// line per spreadsheet row, so that the text's line numbers are the
/// sheet's row numbers (rows that hold nothing are blank lines), every
/// field quoted where CSV needs it.
pub fn csv_text(records: &[Record], display: &str) -> Result<Vec<u8>, InputError> {
    let cannot = |e: &dyn std::fmt::Display| {
        InputError::new(display, format!("cannot write the sheet's rows: {e}"))
    };
    let mut out: Vec<u8> = Vec::new();
    let mut line = 1;
    for record in records {
        if line < record.line {
            out.resize(out.len() + (record.line - line), b'\n');
            line = record.line;
        }
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(&mut out);
        writer
            .write_record(&record.fields)
            .and_then(|()| writer.flush().map_err(csv::Error::from))
            .map_err(|e| cannot(&e))?;
        line += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn choose_by_name_number_and_default() {
        let n = names(&["Notes", "Data", "3"]);
        assert_eq!(choose(&n, None), Ok((0, "Notes".into())));
        assert_eq!(choose(&n, Some("Data")), Ok((1, "Data".into())));
        assert_eq!(choose(&n, Some("data")), Ok((1, "Data".into())));
        assert_eq!(choose(&n, Some("2")), Ok((1, "Data".into())));
        // "3" is both the third sheet and the sheet named "3": the same one.
        assert_eq!(choose(&n, Some("3")), Ok((2, "3".into())));
        let e = choose(&n, Some("4")).unwrap_err();
        assert!(e.contains("has 3 sheets"), "{e}");
        let e = choose(&n, Some("Table")).unwrap_err();
        assert!(e.contains("1 \"Notes\", 2 \"Data\", 3 \"3\""), "{e}");
    }

    #[test]
    fn a_number_that_is_another_sheets_name_is_refused() {
        let n = names(&["2", "Data"]);
        let e = choose(&n, Some("2")).unwrap_err();
        assert!(e.contains("--sheet \"Data\""), "{e}");
        assert!(e.contains("--sheet 1 for the second"), "{e}");
    }

    #[test]
    fn cell_texts() {
        assert_eq!(cell_text(&Data::Float(1200.0)), Some(Ok("1200".into())));
        assert_eq!(cell_text(&Data::Float(12.5)), Some(Ok("12.5".into())));
        assert_eq!(cell_text(&Data::String(" x ".into())), Some(Ok("x".into())));
        assert_eq!(cell_text(&Data::Empty), None);
        assert_eq!(cell_text(&Data::Float(-0.0)), Some(Ok("0".into())));
        assert_eq!(
            cell_text(&Data::Float(0.1 + 0.2)),
            Some(Ok("0.30000000000000004".into()))
        );
        assert_eq!(
            cell_text(&Data::Float(1e21)),
            Some(Ok("1000000000000000000000".into()))
        );
        assert_eq!(cell_text(&Data::Int(-3)), Some(Ok("-3".into())));
        assert_eq!(cell_text(&Data::Bool(true)), Some(Ok("TRUE".into())));
        assert_eq!(
            cell_text(&Data::Error(calamine::CellErrorType::NA)),
            Some(Err(
                "the error value #N/A, not a count: correct it in the spreadsheet (a \
                       formula's error is its saved result)"
                    .into()
            ))
        );
        let date =
            calamine::ExcelDateTime::new(45382.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(&Data::DateTime(date)),
            Some(Ok("2024-03-31".into()))
        );
        let half =
            calamine::ExcelDateTime::new(45382.5, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(&Data::DateTime(half)),
            Some(Ok("2024-03-31 12:00:00".into()))
        );
    }

    #[test]
    fn not_a_workbook() {
        assert!(open(b"a,b\n1,2\n").is_err());
        let e = open(b"PK\x03\x04garbage").err().unwrap();
        assert!(e.contains("zip archive"), "{e}");
    }
}
