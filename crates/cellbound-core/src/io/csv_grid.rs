//! The CSV grid (docs/formats.md, section 1): a 2-D table as agencies publish
//! it, read into a [`Model`] with one [`Table`] whose dimension 0 is the
//! rows and dimension 1 the columns.
//!
//! The reader follows section 1 of `docs/formats.md` to the letter. Where the
//! spec is silent, it decides as follows (each choice has a test in
//! `tests/csv_grid.rs`):
//!
//! - **Empty labels.** An empty column label in the header (any field but
//!   the first) and an empty row label are errors: a cell must be nameable
//!   in the output. The header's first field may be empty; the row
//!   dimension is then named `row`.
//! - **A lone total.** A total row with no other row (or a total column
//!   with no other column) is an error: it would be the sum of nothing.
//! - **Header only.** A grid with a header and no other non-blank line is
//!   "no data line", like an empty file.
//! - **Explicit delimiter.** With [`GridOptions::delimiter`], a line whose
//!   field count differs from the header's is an error naming the line and
//!   both counts, and a delimiter that leaves every line a single field is
//!   an error too. The delimiter must be an ASCII byte other than `"`, CR
//!   and LF.
//! - **Line numbers** are physical lines of the file, blank lines included;
//!   a line end is LF, CRLF or a lone CR (the CSV parser splits records at
//!   a lone CR, so line numbers count it as well). A record that spans
//!   several lines (a quoted field with a line break) is numbered by its
//!   first line. The record positions of the `csv` crate are not used:
//!   they point before skipped blank lines and before the LF of a CRLF.
//! - **Blank lines in delimiter detection.** A line is blank for a
//!   candidate delimiter when the fields it splits into are all empty after
//!   trimming. When some candidate leaves no non-blank line at all (a file
//!   of white space, quotes and delimiters only), the file has no data line.
//! - **Duplicates** are exact (case-sensitive) comparisons of the trimmed
//!   labels. Two labels that are both total labels (say `Total` and
//!   `TOTAL`) are two totals, an error.
//! - **Extra markers and total labels** from the options are trimmed before
//!   use (fields are trimmed, so a marker with surrounding white space could
//!   never match). Markers are tried first, so an extra marker may even
//!   look like a count or a range.
//! - **Counts** may mix the four group separators (`1 234\u{a0}567`); each
//!   separator is exactly one of them. Leading zeros are accepted (`007`).
//! - **Ranges** allow white space after `<` and around the two ends of
//!   `[A, B]`; `N`, `A` and `B` are written like counts (groups allowed).
//!   `[A,B]` needs `A <= B` and `<N` needs `N >= 1`.
//! - **Control characters** other than white space (U+0000 to U+001F and
//!   U+007F to U+009F, but not tab or a line break inside a quoted field)
//!   in a label are an error naming the line and the character: they
//!   would garble the grids and terminals that show the label.
//! - **Finding the table.** Each delimiter is tried first on the file as
//!   it is (only titles as wide as the header, `Title;;;`, skipped), then
//!   with every leading title skipped: a title is a line with text in its
//!   first field only. A last block after a blank line whose lines all
//!   have text in their first field only is notes. Skips are warnings
//!   ([`read_with_warnings`]); `GridOptions::skip_lines` turns the title
//!   search off, and `GridOptions::range` (`--range A5:F40`) replaces the
//!   whole search: its first line is the header, its first column the row
//!   labels, nothing outside it is read, and a range past the file's lines
//!   or past a line's fields inside it is an error naming `--range`. A
//!   line of the block whose fields in the range are all empty is blank.
//! - **Totals are never guessed.** A label with a total word that is not
//!   a total label, a line equal to the sum of the others wherever all are
//!   published (when the grid has no total along it), and a grid with no
//!   margin at all are read as they are, each with a warning naming the
//!   `--total-label` to pass.
//! - **Label columns.** Columns after the row label that hold, on every
//!   line, markers or text that is not a count (two different texts, or
//!   row labels that repeat or are empty) are a second row dimension: an
//!   error saying so, not a `--marker` hint.
//! - **Size.** [`super::read_file`] refuses a line over 16 MiB and a file
//!   over 256 MiB before the reader sees them.
//! - **Quoting** is read by the `csv` crate, leniently: text after a closing
//!   quote is kept (`"a" b` is `a b`) and an unclosed quote runs to the end
//!   of the file (the field-count check then names the line).

use std::collections::HashMap;

use super::cell_text::{CellSyntax, FlagUse, Scaled};
use super::{GridOptions, GridRange};
use crate::error::{InputError, InputWarning};
use crate::model::{Absent, Cell, Count, Dimension, Entry, Layout, Model, Table};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The delimiters tried, in order, when none is given.
const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// The built-in total labels, lower-cased (they match case-insensitively).
pub(crate) const TOTAL_LABELS: [&str; 5] = ["total", "ensemble", "all", "tous", "totaux"];

/// Reads a 2-D grid. `display` names the file in messages; `stem` names
/// the table.
pub fn read(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<Model, InputError> {
    read_with_warnings(bytes, display, stem, options).map(|(model, _)| model)
}

/// Reads a 2-D grid, with what the reader noticed but did not refuse:
/// lines skipped as a title or notes, a label or a line that looks like a
/// total but is read as data, a grid with no margin at all.
pub fn read_with_warnings(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<(Model, Vec<InputWarning>), InputError> {
    read_full(bytes, display, stem, options).map(|r| (r.model, r.warnings))
}

/// Reads a 2-D grid with its warnings and the flags met (see [`GridRead`]).
pub fn read_full(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<GridRead, InputError> {
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let lines = LineIndex::new(body);
    if let Err(e) = std::str::from_utf8(body) {
        let at = e.valid_up_to();
        let byte = body.get(at).copied().unwrap_or(0);
        return Err(InputError::new(
            display,
            format!(
                "the file is not valid UTF-8 (byte 0x{byte:02X} on this line cannot be decoded): \
                 save it as UTF-8 (\"CSV UTF-8\" in a spreadsheet)"
            ),
        )
        .at_line(lines.line_of(at)));
    }
    let reader = GridReader {
        display,
        body,
        lines: &lines,
        skip: options
            .range
            .map_or(options.skip_lines, |r| r.first_line.saturating_sub(1)),
        sheet: None,
    };
    let (delimiter, records) = match (options.range, options.delimiter) {
        (Some(range), d) => reader.in_range(&range, d)?,
        (None, Some(d)) => reader.with_delimiter(d)?,
        (None, None) => reader.detect()?,
    };
    let (records, mut warnings) = records;
    let built = reader.build(records, delimiter, stem, options)?;
    warnings.extend(built.warnings);
    Ok(GridRead {
        model: built.model,
        warnings,
        flags: built.flags,
    })
}

/// A grid as read: the model, what the reader noticed but did not refuse,
/// and each flag met with what it was taken to mean.
#[derive(Debug)]
pub struct GridRead {
    pub model: Model,
    pub warnings: Vec<InputWarning>,
    /// The flags of [`CellSyntax::flags`] met in the file, in the order
    /// first met.
    pub flags: Vec<FlagUse>,
}

/// Reads a 2-D grid from records already split into fields (the rows of
/// a spreadsheet, [`super::sheet`]): the table is found among them as in
/// a CSV file (titles above it and notes below it skipped, with
/// warnings; lines up to [`GridOptions::skip_lines`] left out), or, with
/// [`GridOptions::range`], the records are the block the range names,
/// already cut to its columns, and are read as they are. `sheet` says how
/// messages name a field (`Sheet1!C7`); `None` names lines and columns as
/// for a CSV file.
///
/// ```
/// use cellbound_core::io::csv_grid::{read_records, Record};
/// use cellbound_core::io::GridOptions;
///
/// let rows = |r: &[&str]| r.iter().map(|f| f.to_string()).collect::<Vec<_>>();
/// let records = vec![
///     Record::new(1, rows(&["Counts by region", "", ""])),
///     Record::new(3, rows(&["Region", "A", "Total"])),
///     Record::new(4, rows(&["North", "x", "7"])),
///     Record::new(5, rows(&["Total", "7", "7"])),
/// ];
/// let read = read_records(records, "t.xlsx", "t", &GridOptions::default(), None).unwrap();
/// assert_eq!(read.model.tables[0].cells.len(), 4);
/// assert!(read.warnings[0].to_string().contains("skipped as a title"));
/// ```
pub fn read_records(
    records: Vec<Record>,
    display: &str,
    stem: &str,
    options: &GridOptions,
    sheet: Option<&SheetPlace>,
) -> Result<GridRead, InputError> {
    let lines = LineIndex::new(b"");
    let reader = GridReader {
        display,
        body: b"",
        lines: &lines,
        skip: if options.range.is_some() {
            0
        } else {
            options.skip_lines
        },
        sheet,
    };
    let records: Vec<Record> = records
        .into_iter()
        .filter(|r| r.line > reader.skip && r.fields.iter().any(|f| !f.is_empty()))
        .collect();
    let (records, mut warnings) = if options.range.is_some() {
        (records, Vec::new())
    } else {
        match reader.locate(records.clone(), true) {
            located if matches!(shape(&located.0), Shape::Uniform(_)) => located,
            _ => reader.locate(records, false),
        }
    };
    match shape(&records) {
        Shape::Empty => return Err(reader.no_data_line()),
        Shape::Uniform(n) if n >= 2 => {}
        Shape::Uniform(_) => {
            let line = records.first().map_or(1, |r| r.line);
            return Err(reader
                .error(
                    "the table has a single column: a grid needs a column of row labels and at \
                     least one column of cells (name the table's block with --range)",
                )
                .at_line(line));
        }
        Shape::Ragged { bad } => {
            let (Some(header), Some(record)) = (records.first(), records.get(bad)) else {
                return Err(reader.no_data_line());
            };
            return Err(reader
                .error(format!(
                    "this line has {} but the header (line {}) has {}",
                    plural(record.fields.len(), "field"),
                    header.line,
                    header.fields.len(),
                ))
                .at_line(record.line));
        }
    }
    let built = reader.build(records, NO_DELIMITER, stem, options)?;
    warnings.extend(built.warnings);
    Ok(GridRead {
        model: built.model,
        warnings,
        flags: built.flags,
    })
}

/// The delimiter given to [`GridReader::build`] for records that were
/// never split at one (a spreadsheet's cells): no quoting hint applies.
const NO_DELIMITER: u8 = 0;

/// Where the records of [`read_records`] come from, when they are the
/// cells of a spreadsheet: messages name a field as the spreadsheet does,
/// `Sheet1!C7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetPlace {
    /// The sheet's name.
    pub sheet: String,
    /// The spreadsheet column (from 1: A is 1) of each record's first field.
    pub first_column: usize,
}

impl SheetPlace {
    /// The spreadsheet name of field `index` (from 0) of line `line`:
    /// `Sheet1!C7`, the sheet's name quoted as a spreadsheet quotes it
    /// (`'Table 1'!C7`) when it holds anything but letters, digits and `_`.
    pub fn cell(&self, line: usize, index: usize) -> String {
        let plain =
            !self.sheet.is_empty() && self.sheet.chars().all(|c| c.is_alphanumeric() || c == '_');
        let sheet = if plain {
            self.sheet.clone()
        } else {
            format!("'{}'", self.sheet.replace('\'', "''"))
        };
        format!(
            "{sheet}!{}{line}",
            GridRange::column_name(self.first_column + index)
        )
    }
}

/// Records and the warnings about the lines left out of the table.
type Located = (Vec<Record>, Vec<InputWarning>);

/// Where each physical line of the file starts.
struct LineIndex {
    /// Byte offsets of the line starts, the first being 0.
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(body: &[u8]) -> Self {
        let mut starts = vec![0];
        for (i, &b) in body.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && body.get(i + 1) != Some(&b'\n'));
            if ends_line {
                starts.push(i + 1);
            }
        }
        LineIndex { starts }
    }

    /// How many physical lines the file has (a last line end starts no
    /// new line).
    fn count(&self, body: &[u8]) -> usize {
        let ends_with_line_end = matches!(body.last(), Some(b'\n' | b'\r'));
        match body.len() {
            0 => 0,
            _ => self.starts.len() - usize::from(ends_with_line_end),
        }
    }

    /// The 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }
}

/// One non-blank record: its first line and its trimmed fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record's first physical line (a spreadsheet's row number).
    pub line: usize,
    /// The fields, trimmed of white space; an empty field is a blank cell.
    pub fields: Vec<String>,
    /// Some field holds a line break (a quoted field over several lines).
    spans_lines: bool,
}

impl Record {
    /// A record on line `line` (from 1) with these fields, as
    /// [`read_records`] takes them; the fields are used as they are
    /// (trim them first).
    pub fn new(line: usize, fields: Vec<String>) -> Record {
        Record {
            line,
            fields,
            spans_lines: false,
        }
    }
}

/// How a delimiter splits the non-blank lines.
enum Shape {
    /// No non-blank line.
    Empty,
    /// Every non-blank line has this many fields.
    Uniform(usize),
    /// `records[bad]` is the first line whose field count differs from the
    /// header's (`records[0]`).
    Ragged { bad: usize },
}

fn shape(records: &[Record]) -> Shape {
    let Some(header) = records.first() else {
        return Shape::Empty;
    };
    let n = header.fields.len();
    match records.iter().position(|r| r.fields.len() != n) {
        Some(bad) => Shape::Ragged { bad },
        None => Shape::Uniform(n),
    }
}

fn describe_delimiter(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        _ => format!("{:?}", char::from(d)),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

struct GridReader<'a> {
    display: &'a str,
    body: &'a [u8],
    lines: &'a LineIndex,
    /// Physical lines to skip at the top (`--skip-lines`).
    skip: usize,
    /// The spreadsheet the records come from, if they do.
    sheet: Option<&'a SheetPlace>,
}

/// Whether a record holds text in its first field only (or nothing): a
/// title above the table or a note below it.
fn is_note(record: &Record) -> bool {
    record.fields.iter().skip(1).all(String::is_empty)
}

impl GridReader<'_> {
    fn error(&self, message: impl Into<String>) -> InputError {
        InputError::new(self.display, message)
    }

    /// How a message names field `index` (from 0) of line `line`: `what`
    /// in a CSV file, `Sheet1!C7, what` in a spreadsheet.
    fn place(&self, line: usize, index: usize, what: String) -> String {
        match self.sheet {
            Some(sheet) => format!("{}, {what}", sheet.cell(line, index)),
            None => what,
        }
    }

    /// The non-blank records of the file split at `delimiter`.
    fn records(&self, delimiter: u8) -> Result<Vec<Record>, InputError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(self.body);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        let mut fields_read = 0usize;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(self.error(format!("cannot read the CSV: {e}"))),
            }
            let start = record
                .position()
                .and_then(|p| usize::try_from(p.byte()).ok())
                .unwrap_or(0);
            // The position may sit before skipped line ends: the record
            // itself starts at its first other byte.
            let first = self
                .body
                .get(start..)
                .and_then(|rest| rest.iter().position(|&b| b != b'\r' && b != b'\n'))
                .map_or(start, |skip| start + skip);
            let line = self.lines.line_of(first);
            fields_read += record.len();
            if fields_read > super::MAX_GRID_FIELDS {
                return Err(self
                    .error(format!(
                        "the grid holds more than {} fields by this line: more cells than cellbound reads in one grid; split the table (by rows, say) into files of fewer cells",
                        super::MAX_GRID_FIELDS
                    ))
                    .at_line(line));
            }
            let mut fields = Vec::with_capacity(record.len());
            let mut spans_lines = false;
            for raw in record.iter() {
                let text = std::str::from_utf8(raw).map_err(|_| {
                    self.error("the file is not valid UTF-8: save it as UTF-8")
                        .at_line(line)
                })?;
                spans_lines |= text.contains(['\n', '\r']);
                fields.push(text.trim().to_string());
            }
            if line > self.skip && fields.iter().any(|f| !f.is_empty()) {
                out.push(Record {
                    line,
                    fields,
                    spans_lines,
                });
            }
        }
        Ok(out)
    }

    /// Finds the table among the records split at one delimiter: leading
    /// title lines (text in the first field only) are skipped up to the
    /// header, unless `--skip-lines` was given; a last block of lines,
    /// after a blank line, that are all text in the first field only is
    /// notes. Both are left out with a warning naming their lines.
    ///
    /// With `same_width`, only titles as wide as the header (`Title;;;`)
    /// are skipped: the first try, which keeps every file that splits
    /// evenly read as it always was.
    fn locate(&self, mut records: Vec<Record>, same_width: bool) -> Located {
        let mut warnings = Vec::new();
        if self.skip == 0 {
            let mut titles = records.iter().take_while(|r| is_note(r)).count();
            if same_width {
                let width = records.get(titles).map_or(0, |h| h.fields.len());
                titles = records[..titles]
                    .iter()
                    .take_while(|r| r.fields.len() == width)
                    .count();
                if records[..titles].iter().any(|r| r.fields.len() != width) {
                    titles = 0;
                }
            }
            if titles > 0 && titles + 1 < records.len() {
                let (first, last) = (records[0].line, records[titles - 1].line);
                let lines = if first == last {
                    format!("line {first}")
                } else {
                    format!("lines {first} to {last}")
                };
                warnings.push(
                    InputWarning::new(
                        self.display,
                        format!(
                            "{lines} skipped as a title: the table starts at line {} (to choose yourself, pass --skip-lines {})",
                            records[titles].line,
                            records[titles].line - 1
                        ),
                    )
                    .at_line(first),
                );
                records.drain(..titles);
            }
        }
        // The last blank-line-separated block, when it is all notes.
        let mut start = records.len();
        while start > 1 && is_note(&records[start - 1]) {
            start -= 1;
        }
        let block = (start.max(2)..records.len()).find(|&k| {
            let prev = &records[k - 1];
            records[k].line > prev.line + 1 && !prev.spans_lines
        });
        if let Some(k) = block {
            let first = records[k].line;
            warnings.push(
                InputWarning::new(
                    self.display,
                    format!(
                        "{} from line {first} to the end skipped as notes: after a blank line, \
                         only their first field holds text",
                        plural(records.len() - k, "line")
                    ),
                )
                .at_line(first),
            );
            records.truncate(k);
        }
        (records, warnings)
    }

    fn no_data_line(&self) -> InputError {
        self.error("the file has no data line: it is empty (or holds only blank lines)")
    }

    /// What to add to a message about a line with the wrong field count.
    fn ragged_hints(&self, record: &Record, delimiter: u8) -> String {
        let mut hints = Vec::new();
        if delimiter == b','
            && record.fields.iter().any(|f| {
                (f.starts_with('[') && !f.contains(']')) || (f.ends_with(']') && !f.contains('['))
            })
        {
            hints.push("quote ranges in comma-delimited files: \"[3,7]\"".to_string());
        }
        if record.spans_lines {
            hints.push(
                "a quoted field on this line runs over several lines: is a closing quote missing?"
                    .to_string(),
            );
        }
        hints.push(
            "every line needs a row label and one field per column (an empty field is a suppressed cell)"
                .to_string(),
        );
        hints.join("; ")
    }

    /// Refuses a delimiter the CSV parser cannot split at.
    fn check_delimiter(&self, delimiter: u8) -> Result<(), InputError> {
        if !delimiter.is_ascii() || matches!(delimiter, b'"' | b'\r' | b'\n') {
            return Err(self.error(format!(
                "{} cannot be the delimiter: use ',', ';' or tab",
                describe_delimiter(delimiter)
            )));
        }
        Ok(())
    }

    /// The records of the block `--range` names, cut to its columns: its
    /// first line is the header, and nothing is looked for (no title, no
    /// notes). The delimiter is the one given or the first of
    /// [`CANDIDATES`] that gives every non-blank line of the block the
    /// range's last column.
    fn in_range(
        &self,
        range: &GridRange,
        delimiter: Option<u8>,
    ) -> Result<(u8, Located), InputError> {
        if !range.is_valid() {
            return Err(self
                .error(format!(
                    "{range:?} is not a range: it needs columns and lines from 1, the top-left \
                     corner first, two columns and two lines at least, as in A5:F40"
                ))
                .field("--range"));
        }
        let lines = self.lines.count(self.body);
        if range.last_line > lines {
            let fix = if lines > range.first_line {
                format!(
                    "end the range at line {lines} or before (--range {})",
                    range.ending_at(range.last_column, lines)
                )
            } else {
                "start the range at the header's line, and end it at the table's last line"
                    .to_string()
            };
            return Err(self
                .error(format!(
                    "--range {range} ends at line {}, but the file has {}: {fix}",
                    range.last_line,
                    plural(lines, "line"),
                ))
                .field("--range"));
        }
        if let Some(d) = delimiter {
            self.check_delimiter(d)?;
        }
        let candidates = delimiter.map_or(CANDIDATES.to_vec(), |d| vec![d]);
        // The candidate whose fields reach furthest: (lines that reach
        // the last column, error).
        let mut best: Option<(usize, InputError)> = None;
        for d in candidates {
            let mut records = Vec::new();
            let mut short: Option<Record> = None;
            let mut reaching = 0;
            for mut record in self.records(d)? {
                if record.line > range.last_line {
                    break;
                }
                let inside = record
                    .fields
                    .get(range.first_column - 1..)
                    .unwrap_or(&[])
                    .iter()
                    .take(range.last_column + 1 - range.first_column);
                let blank = inside.clone().all(String::is_empty);
                if record.fields.len() < range.last_column {
                    if !blank && short.is_none() {
                        short = Some(record);
                    }
                    continue;
                }
                reaching += 1;
                if !blank {
                    record.fields = inside.cloned().collect();
                    records.push(record);
                }
            }
            let Some(record) = short else {
                if records.is_empty() {
                    // This delimiter leaves the block blank: another may not.
                    continue;
                }
                return Ok((d, (records, Vec::new())));
            };
            if best.as_ref().is_some_and(|(most, _)| *most >= reaching) {
                continue;
            }
            let n = record.fields.len();
            let fix = if n > range.first_column {
                format!(
                    "end the range at column {} or before (--range {})",
                    GridRange::column_name(n),
                    range.ending_at(n, range.last_line)
                )
            } else {
                "start and end the range at columns this line has".to_string()
            };
            let chosen = if delimiter.is_some() {
                ""
            } else {
                " (of ',', ';' and tab, the one that reaches furthest)"
            };
            let error = self
                .error(format!(
                    "with the delimiter {}{chosen}, this line has {}, but --range {range} reaches \
                     column {} (field {}): {fix}, or give the delimiter with --delimiter",
                    describe_delimiter(d),
                    plural(n, "field"),
                    GridRange::column_name(range.last_column),
                    range.last_column
                ))
                .at_line(record.line)
                .field("--range");
            best = Some((reaching, error));
        }
        Err(best.map_or_else(
            || {
                let split = match delimiter {
                    Some(d) => format!("split at {}", describe_delimiter(d)),
                    None => "split at ',', ';' or tab".to_string(),
                };
                self.error(format!(
                    "--range {range} holds no data line: {split}, every field of it is empty; \
                     write the range of the table, its header line first (and check --delimiter)"
                ))
                .at_line(range.first_line)
                .field("--range")
            },
            |(_, e)| e,
        ))
    }

    /// The records split by the delimiter the user gave.
    fn with_delimiter(&self, delimiter: u8) -> Result<(u8, Located), InputError> {
        self.check_delimiter(delimiter)?;
        let records = self.records(delimiter)?;
        let (records, warnings) = match self.locate(records.clone(), true) {
            located if matches!(shape(&located.0), Shape::Uniform(_)) => located,
            _ => self.locate(records, false),
        };
        let name = describe_delimiter(delimiter);
        match shape(&records) {
            Shape::Empty => Err(self.no_data_line()),
            Shape::Uniform(n) if n >= 2 => Ok((delimiter, (records, warnings))),
            Shape::Uniform(_) => {
                let line = records.first().map_or(1, |r| r.line);
                Err(self
                    .error(format!(
                        "with the delimiter {name}, every line is a single field: \
                         check the delimiter (--delimiter ',', ';' or tab)"
                    ))
                    .at_line(line))
            }
            Shape::Ragged { bad } => {
                let (Some(header), Some(record)) = (records.first(), records.get(bad)) else {
                    return Err(self.no_data_line());
                };
                Err(self
                    .error(format!(
                        "this line has {} but the header (line {}) has {} (delimiter {name}): {}",
                        plural(record.fields.len(), "field"),
                        header.line,
                        header.fields.len(),
                        self.ragged_hints(record, delimiter)
                    ))
                    .at_line(record.line))
            }
        }
    }

    /// The first of `,` `;` tab that splits every line of the table (once
    /// titles and notes are left out, see [`Self::locate`]) into the same
    /// number (>= 2) of fields.
    fn detect(&self) -> Result<(u8, Located), InputError> {
        // Only what the messages below need is kept of a candidate that
        // fails, not its records (a big file is split up to three times).
        let mut first_line = None;
        // The candidate that splits the most lines: (lines split, error).
        let mut ragged: Option<(usize, InputError)> = None;
        for delimiter in CANDIDATES {
            let (records, warnings) = self.locate(self.records(delimiter)?, true);
            if matches!(shape(&records), Shape::Uniform(n) if n >= 2) {
                return Ok((delimiter, (records, warnings)));
            }
        }
        for delimiter in CANDIDATES {
            let (records, warnings) = self.locate(self.records(delimiter)?, false);
            let shape = match shape(&records) {
                Shape::Empty => return Err(self.no_data_line()),
                Shape::Uniform(n) if n >= 2 => return Ok((delimiter, (records, warnings))),
                shape => shape,
            };
            if first_line.is_none() {
                first_line = records.first().map(|r| r.line);
            }
            // No candidate works: explain with the one that splits the
            // most lines, which is most likely the intended one.
            let (Some(header), Shape::Ragged { bad }) = (records.first(), shape) else {
                continue;
            };
            let Some(record) = records.get(bad) else {
                continue;
            };
            let split = records.iter().filter(|r| r.fields.len() >= 2).count();
            if ragged.as_ref().is_some_and(|(best, _)| *best >= split) {
                continue;
            }
            let error = self
                .error(format!(
                    "no delimiter splits every line into the same number of fields: \
                     the delimiter looks like {} (it splits {} of {} lines), but this line has {} \
                     and the header (line {}) has {}; {}; or use --delimiter, or --skip-lines N \
                     to skip title lines",
                    describe_delimiter(delimiter),
                    split,
                    records.len(),
                    plural(record.fields.len(), "field"),
                    header.line,
                    header.fields.len(),
                    self.ragged_hints(record, delimiter)
                ))
                .at_line(record.line);
            ragged = Some((split, error));
        }
        if let Some((_, error)) = ragged {
            return Err(error);
        }
        Err(self
            .error(
                "no delimiter found: no line splits into fields at ',', ';' or a tab; \
                 a grid needs a row label and at least one column (or use --delimiter)",
            )
            .at_line(first_line.unwrap_or(1)))
    }

    fn build(
        &self,
        records: Vec<Record>,
        delimiter: u8,
        stem: &str,
        options: &GridOptions,
    ) -> Result<Built, InputError> {
        let extra_totals: Vec<String> = options
            .total_labels
            .iter()
            .map(|t| t.trim().to_lowercase())
            .collect();
        let is_total = |label: &str| {
            let lower = label.to_lowercase();
            TOTAL_LABELS.contains(&lower.as_str()) || extra_totals.contains(&lower)
        };
        options.syntax.check().map_err(|m| self.error(m))?;
        let mut syntax = options.syntax.clone();
        syntax.markers.extend(options.markers.iter().cloned());
        syntax.delimiter = delimiter;

        let mut records = records.into_iter();
        let Some(header) = records.next() else {
            return Err(self.no_data_line());
        };
        let data: Vec<Record> = records.collect();
        if data.is_empty() {
            return Err(self
                .error(
                    "the file has no data line: this header is all there is; \
                     add one line per row, a row label then one field per column",
                )
                .at_line(header.line));
        }
        let width = header.fields.len();
        let mut header_fields = header.fields.into_iter();
        let row_name = match header_fields.next() {
            Some(name) if !name.is_empty() => name,
            _ => "row".to_string(),
        };
        let columns: Vec<String> = header_fields.collect();
        for (k, label) in std::iter::once(&row_name).chain(&columns).enumerate() {
            if let Some(problem) = super::control_character_problem(label) {
                return Err(self.error(problem).at_line(header.line).field(self.place(
                    header.line,
                    k,
                    format!("column {}", k + 1),
                )));
            }
        }

        // The header: column labels, unique and not empty, at most one total.
        let mut column_at: HashMap<&str, usize> = HashMap::new();
        let mut total_column: Option<usize> = None;
        for (c, label) in columns.iter().enumerate() {
            let field_no = c + 2;
            if label.is_empty() {
                return Err(self
                    .error(format!(
                        "the column label (field {field_no} of the header) is empty: every column needs a label \
                         (if every line ends with a stray delimiter, remove it)"
                    ))
                    .at_line(header.line)
                    .field(self.place(header.line, c + 1, format!("column {field_no}"))));
            }
            if let Some(&first) = column_at.get(label.as_str()) {
                return Err(self
                    .error(format!(
                        "the column label {label:?} appears twice in the header, as fields {} and {field_no}: \
                         column labels must be unique",
                        first + 2
                    ))
                    .at_line(header.line)
                    .field(self.place(header.line, c + 1, format!("column {label:?}"))));
            }
            column_at.insert(label, c);
            if is_total(label) {
                if let Some(first) = total_column.and_then(|t| columns.get(t)) {
                    return Err(self
                        .error(format!(
                            "two total columns, {first:?} and {label:?}: a grid has at most one; \
                             rename the one that is not a total"
                        ))
                        .at_line(header.line)
                        .field(self.place(header.line, c + 1, format!("column {label:?}"))));
                }
                total_column = Some(c);
            }
        }
        if let (Some(t), 1) = (total_column, columns.len()) {
            let label = columns.get(t).map_or("", String::as_str);
            return Err(self
                .error(format!(
                    "{label:?} is a total label but it is the only column: a total column needs \
                     other columns to add up"
                ))
                .at_line(header.line)
                .field(format!("column {label:?}")));
        }

        self.label_columns(&data, &row_name, &columns, &syntax)?;

        // The data lines: row labels, then one cell per column.
        let mut rows: Vec<String> = Vec::with_capacity(data.len());
        let mut row_line: HashMap<String, usize> = HashMap::with_capacity(data.len());
        let mut total_row: Option<(usize, usize)> = None;
        let mut cells = Vec::with_capacity(data.len().saturating_mul(columns.len()));
        // Each cell's value at the decimals it was written with, and its
        // column: brought to one scale once every value is read.
        let mut scaled: Vec<(Scaled, usize)> = Vec::new();
        let mut seen = Seen::default();
        for record in data {
            let line = record.line;
            if record.fields.len() != width {
                // Ruled out by the field-count check; kept so that no input
                // can make the reader misplace cells.
                return Err(self
                    .error(format!(
                        "this line has {} but the header has {width}",
                        plural(record.fields.len(), "field")
                    ))
                    .at_line(line));
            }
            let mut fields = record.fields.into_iter();
            let label = fields.next().unwrap_or_default();
            if label.is_empty() {
                return Err(self
                    .error("the row label is empty: every row needs a label")
                    .at_line(line)
                    .field(self.place(line, 0, "row label".to_string())));
            }
            if let Some(problem) = super::control_character_problem(&label) {
                return Err(self.error(problem).at_line(line).field(self.place(
                    line,
                    0,
                    "row label".to_string(),
                )));
            }
            if let Some(&first) = row_line.get(&label) {
                return Err(self
                    .error(format!(
                        "the row label {label:?} is already used on line {first}: row labels must be unique"
                    ))
                    .at_line(line)
                    .field(self.place(line, 0, format!("row {label:?}"))));
            }
            let r = rows.len();
            if is_total(&label) {
                if let Some((t, first_line)) = total_row {
                    let first = rows.get(t).map_or("", String::as_str);
                    return Err(self
                        .error(format!(
                            "two total rows, {first:?} (line {first_line}) and {label:?}: a grid has at most \
                             one; rename the one that is not a total"
                        ))
                        .at_line(line)
                        .field(self.place(line, 0, format!("row {label:?}"))));
                }
                total_row = Some((r, line));
            }
            for (c, (text, column)) in fields.zip(&columns).enumerate() {
                let read = syntax.read_value(&text).map_err(|message| {
                    self.error(message).at_line(line).field(self.place(
                        line,
                        c + 1,
                        format!("column {column:?}"),
                    ))
                })?;
                seen.note(&read, line, c);
                scaled.push((read.value, c));
                let origin = match self.sheet {
                    Some(sheet) => format!("{}, column {column:?}", sheet.cell(line, c + 1)),
                    None => format!("line {line}, column {column:?}"),
                };
                cells.push(Cell {
                    at: vec![r, c],
                    entry: read.value.entry,
                    origin,
                    line: Some(line),
                });
            }
            row_line.insert(label.clone(), line);
            rows.push(label);
        }
        if let (Some((t, line)), 1) = (total_row, rows.len()) {
            let label = rows.get(t).map_or("", String::as_str);
            return Err(self
                .error(format!(
                    "{label:?} is a total label but it is the only row: a total row needs other rows \
                     to add up"
                ))
                .at_line(line)
                .field(format!("row {label:?}")));
        }

        // One scale for the file: the declared decimals, or the most met.
        let decimals = syntax
            .decimals
            .unwrap_or_else(|| scaled.iter().map(|(s, _)| s.decimals).max().unwrap_or(0));
        for (cell, (value, c)) in cells.iter_mut().zip(&scaled) {
            cell.entry = value.at(decimals).map_err(|m| {
                let column = columns.get(*c).map_or("", String::as_str);
                self.error(format!("the value of this cell: {m}"))
                    .at_line(cell.line.unwrap_or(header.line))
                    .field(format!("column {column:?}"))
            })?;
        }

        let marker_warnings = seen.marker_warnings(self.display, &columns);
        let model_error = |e: crate::error::ModelError| self.error(e.to_string());
        let dimensions = vec![
            dimension(row_name, rows, total_row.map(|(t, _)| t)).map_err(model_error)?,
            dimension("column".to_string(), columns, total_column).map_err(model_error)?,
        ];
        let mut warnings = self.margin_warnings(
            &cells,
            &row_line,
            header.line,
            total_row.map(|(t, _)| t),
            total_column,
            &dimensions,
        );
        let table = Table::new(stem, dimensions, cells, Absent::Error, Layout::Grid)
            .map_err(model_error)?;
        warnings.extend(marker_warnings);
        let model = Model {
            tables: vec![table],
            constraints: vec![],
            source: self.display.to_string(),
            decimals,
            negative: syntax.allow_negative,
        };
        Ok(Built {
            model,
            warnings,
            flags: seen.flags,
        })
    }

    /// Refuses a grid whose first columns after the row label hold labels
    /// (text that is no count, marker or range, at least two different
    /// values) on every line: a second row dimension, as `Region,Sex,...`
    /// with `M` and `F`, which a grid cannot carry.
    fn label_columns(
        &self,
        data: &[Record],
        row_name: &str,
        columns: &[String],
        syntax: &CellSyntax,
    ) -> Result<(), InputError> {
        // Row labels that repeat or are empty: the first column is one
        // dimension of several.
        let mut seen = std::collections::HashSet::new();
        let labels_repeat = data
            .iter()
            .map(|r| r.fields.first().map_or("", String::as_str))
            .any(|l| l.is_empty() || !seen.insert(l));
        let is_label_column = |c: usize| {
            let mut texts: Vec<&str> = Vec::new();
            for record in data {
                let text = record.fields.get(c + 1).map_or("", String::as_str);
                // A number in another style ("1,200") is a number, not a
                // label: its own message says how to read it.
                let styled_number = text.chars().any(|c| c.is_ascii_digit())
                    && text.chars().all(|c| {
                        c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '\u{2212}' | ' ')
                    });
                match syntax.read_value(text) {
                    Ok(read) if read.flag.is_some() || read.marker.is_some() => {}
                    // `15-24` in a column of such texts is more likely an
                    // age group than a range: counted as a label, so that
                    // a column of them is refused, never read as ranges.
                    Ok(read)
                        if matches!(read.value.entry, Entry::Range { .. })
                            && !text.starts_with(['<', '[']) =>
                    {
                        if !texts.contains(&text) {
                            texts.push(text);
                        }
                    }
                    Ok(_) => return false,
                    Err(_) if styled_number => return false,
                    Err(_) if !texts.contains(&text) => texts.push(text),
                    Err(_) => {}
                }
            }
            texts.len() >= 2 || (!texts.is_empty() && labels_repeat)
        };
        let k = (0..columns.len().saturating_sub(1))
            .take_while(|&c| is_label_column(c))
            .count();
        if k == 0 {
            return Ok(());
        }
        let mut names = vec![format!("{row_name:?}")];
        names.extend(columns[..k].iter().map(|c| format!("{c:?}")));
        let mut examples: Vec<String> = Vec::new();
        for f in data.iter().filter_map(|r| r.fields.get(1)) {
            let f = format!("{f:?}");
            if examples.len() < 3 && !examples.contains(&f) {
                examples.push(f);
            }
        }
        let line = data.first().map_or(1, |r| r.line);
        Err(self
            .error(format!(
                "it holds labels ({}, ...) on every line, not counts: the table has {} row \
                 dimensions ({}), and a CSV grid has one. Write it as a JSON model (docs/formats.md \
                 section 2; README, \"JSON model\") with one dimension per label column, then run \
                 cellbound bounds MODEL.json",
                examples.join(", "),
                k + 1,
                names.join(", ")
            ))
            .at_line(line)
            .field(self.place(line, 1, format!("column {:?}", columns[0]))))
    }

    /// Warnings about the margins: a label with a total word that is read
    /// as data, a row or column that equals the sum of the others wherever
    /// all are published (read as data too: cellbound warns and does not
    /// guess), and a grid with no margin at all.
    fn margin_warnings(
        &self,
        cells: &[Cell],
        row_line: &HashMap<String, usize>,
        header_line: usize,
        total_row: Option<usize>,
        total_column: Option<usize>,
        dimensions: &[Dimension],
    ) -> Vec<InputWarning> {
        let (nr, nc) = (dimensions[0].len(), dimensions[1].len());
        let value = |r: usize, c: usize| cells.get(r * nc + c).and_then(|x| x.entry.published());
        let mut warnings = Vec::new();
        for (d, total) in [(0, total_row), (1, total_column)] {
            let (n, m) = if d == 0 { (nr, nc) } else { (nc, nr) };
            let at = |i: usize, j: usize| if d == 0 { value(i, j) } else { value(j, i) };
            let check_sums = total.is_none() && n >= 3;
            let position = if check_sums {
                position_sums(n, m, at)
            } else {
                Vec::new()
            };
            for i in (0..n).filter(|&i| Some(i) != total) {
                let label = dimensions[d].code(i);
                let word = has_total_word(label);
                let sums = check_sums && is_sum_of_others(n, &position, i, at);
                if !word && !sums {
                    continue;
                }
                let why = match (word, sums) {
                    (true, true) => "it has a total word and equals the sum of the others wherever all are published",
                    (true, false) => "it has a total word but is not a total label",
                    _ => "it equals the sum of the others wherever all are published",
                };
                let (kind, line) = if d == 0 {
                    ("row", row_line.get(label).copied().unwrap_or(header_line))
                } else {
                    ("column", header_line)
                };
                warnings.push(
                    InputWarning::new(
                        self.display,
                        format!(
                            "{why}, yet it is read as data; if it is the total of the other {kind}s, \
                             pass --total-label {label:?}"
                        ),
                    )
                    .at_line(line)
                    .field(format!("{kind} {label:?}")),
                );
            }
        }
        let hidden = cells.iter().any(|c| c.entry.is_hidden());
        if total_row.is_none() && total_column.is_none() && hidden {
            warnings.push(
                InputWarning::new(
                    self.display,
                    "no total row or column: the hidden cells are bounded by the rule alone \
                     (--threshold, --zeros-shown, --open), not by any published sum; if a row or \
                     column is a total, pass --total-label \"LABEL\"",
                )
                .at_line(header_line),
            );
        }
        warnings
    }
}

/// What [`GridReader::build`] makes.
struct Built {
    model: Model,
    warnings: Vec<InputWarning>,
    flags: Vec<FlagUse>,
}

/// The built-in markers whose meaning differs between agencies: met with
/// no flag mapping them, the reader warns once, naming what settles them.
pub(crate) const AMBIGUOUS_MARKERS: [(&str, &str); 3] = [
    (
        "F",
        "at Statistics Canada it means \"too unreliable to be published\", a value that may be \
         large: pass --profile statcan, or --flag-meaning F=secondary",
    ),
    (
        "..",
        "at Statistics Canada it means \"not available for a specific reference period\" and at \
         the ABS \"not applicable\": pass the agency's --profile, or --flag-meaning \
         ..=secondary (or ..=absent)",
    ),
    (
        "...",
        "at Statistics Canada it means \"not applicable\": pass --profile statcan, or \
         --flag-meaning ...=absent",
    ),
];

/// The flags and markers met while reading the cells.
#[derive(Default)]
struct Seen {
    flags: Vec<FlagUse>,
    /// Ambiguous built-in markers met: (marker, first line, column).
    markers: Vec<(&'static str, usize, usize)>,
}

impl Seen {
    fn note(&mut self, read: &super::cell_text::ReadValue, line: usize, column: usize) {
        FlagUse::note(&mut self.flags, read, line);
        if let Some(marker) = &read.marker {
            let known = AMBIGUOUS_MARKERS.iter().find(|(m, _)| m == marker);
            if let Some(&(m, _)) = known {
                if !self.markers.iter().any(|(seen, _, _)| *seen == m) {
                    self.markers.push((m, line, column));
                }
            }
        }
    }

    /// One warning per ambiguous built-in marker met.
    fn marker_warnings(&self, display: &str, columns: &[String]) -> Vec<InputWarning> {
        self.markers
            .iter()
            .filter_map(|&(marker, line, c)| {
                let column = columns.get(c).map_or("", String::as_str);
                ambiguous_marker_warning(display, "marker", marker, line, column)
            })
            .collect()
    }
}

/// The warning for one of [`AMBIGUOUS_MARKERS`] met with no mapping (as a
/// grid's `marker` or a long file's `flag`): read as hidden below the
/// threshold, and what settles it. `None` for any other text.
pub(crate) fn ambiguous_marker_warning(
    display: &str,
    what: &str,
    marker: &str,
    line: usize,
    column: &str,
) -> Option<InputWarning> {
    let (_, why) = AMBIGUOUS_MARKERS.iter().find(|(m, _)| *m == marker)?;
    Some(
        InputWarning::new(
            display,
            format!(
                "the {what} {marker:?} is read as a cell hidden below the threshold, as every \
                 built-in marker is; but {why} (--flag-meaning {marker}=hidden keeps this \
                 reading and says so)"
            ),
        )
        .at_line(line)
        .field(format!("column {column:?}")),
    )
}

/// The words that mark a total in the built-in languages.
const TOTAL_WORDS: [&str; 7] = [
    "total", "totals", "totaux", "ensemble", "tous", "toutes", "all",
];

/// Whether a label holds a total word as a word, in any case: `Total
/// général`, `Grand total`, `All industries`, `Ensemble des régions`.
fn has_total_word(label: &str) -> bool {
    label
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| TOTAL_WORDS.contains(&w))
}

/// The published sum and the number of published cells at each position
/// `j` of the lines along one dimension (`n` lines, `m` positions long).
fn position_sums(
    n: usize,
    m: usize,
    at: impl Fn(usize, usize) -> Option<Count>,
) -> Vec<(i128, usize)> {
    let mut sums = vec![(0i128, 0usize); m];
    for i in 0..n {
        for (j, s) in sums.iter_mut().enumerate() {
            if let Some(v) = at(i, j) {
                s.0 += v as i128;
                s.1 += 1;
            }
        }
    }
    sums
}

/// Whether line `i` (of `n` lines) is the sum of the others: equal where
/// all are published (at least two such positions, one nonzero), and not
/// below the published others elsewhere. `sums` is [`position_sums`].
fn is_sum_of_others(
    n: usize,
    sums: &[(i128, usize)],
    i: usize,
    at: impl Fn(usize, usize) -> Option<Count>,
) -> bool {
    let mut compared = 0;
    let mut nonzero = false;
    for (j, &(sum, published)) in sums.iter().enumerate() {
        let Some(v) = at(i, j) else { continue };
        let v = v as i128;
        let others = sum - v;
        if published == n {
            if others != v {
                return false;
            }
            compared += 1;
            nonzero |= v != 0;
        } else if others > v {
            return false;
        }
    }
    compared >= 2 && nonzero
}

/// A dimension whose codes are all children of the total, if there is one.
fn dimension(
    name: String,
    codes: Vec<String>,
    total: Option<usize>,
) -> Result<Dimension, crate::error::ModelError> {
    Dimension::new(
        name,
        codes.into_iter().enumerate().map(|(i, code)| {
            let parent = total.filter(|&t| t != i);
            (code, parent)
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_lf_crlf_and_cr() {
        let idx = LineIndex::new(b"a\nb\r\nc\rd");
        assert_eq!(idx.line_of(0), 1);
        assert_eq!(idx.line_of(2), 2);
        assert_eq!(idx.line_of(4), 2);
        assert_eq!(idx.line_of(5), 3);
        assert_eq!(idx.line_of(7), 4);
    }
}
