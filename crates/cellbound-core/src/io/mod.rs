//! Readers: text to [`Model`](crate::Model).
//!
//! Every reader takes the bytes of a file and the name to use in messages,
//! and returns a model or an [`InputError`](crate::InputError) that names
//! the file, the line and the field.

pub mod cell_text;
pub mod csv_grid;
pub mod hierarchy;
pub mod hst;
pub mod jj;
pub mod json_model;
pub mod long;
pub mod profile;
pub mod sheet;
pub mod tau_cv;
pub mod tau_tab;
pub mod truth;
pub mod write;

use std::path::Path;

use crate::error::InputError;
use crate::model::Model;

/// Options of the CSV grid reader (docs/formats.md, section 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GridOptions {
    /// `None`: the first of `,` `;` tab that splits every non-blank line
    /// into the same number (>= 2) of fields.
    pub delimiter: Option<u8>,
    /// Total labels beyond the built-in ones (case-insensitive).
    pub total_labels: Vec<String>,
    /// Suppression markers beyond the built-in ones (case-sensitive).
    pub markers: Vec<String>,
    /// Physical lines to skip at the top of the file (titles) before the
    /// header is looked for; `0` lets the reader find the table itself.
    /// Not used with [`GridOptions::range`].
    pub skip_lines: usize,
    /// The table's block of the file, spreadsheet-style (`--range A5:F40`):
    /// its first line is the header, its first column the row labels, and
    /// everything outside it is ignored, with no title or notes looked
    /// for. `None` lets the reader find the table itself.
    pub range: Option<GridRange>,
    /// How a cell's text is read: flags, number style, decimals,
    /// negatives (`--profile`, `--flag-meaning`, `--thousands`, ...).
    /// [`GridOptions::markers`] are added to its markers.
    pub syntax: cell_text::CellSyntax,
    /// The sheet of a spreadsheet to read (`--sheet NAME|N`): its name,
    /// or its number from 1. `None` reads the first sheet. Refused for
    /// any other format.
    pub sheet: Option<String>,
    /// `--layout grid|long`: which reader a CSV file goes to (`None`:
    /// [`long::is_long`] decides from the options and the header).
    pub layout: Option<long::InputLayout>,
    /// The options of the long reader ([`long`]).
    pub long: long::LongOptions,
}

/// A block of a CSV file, as a spreadsheet names it: `A5:F40` is columns
/// A to F (fields 1 to 6) of physical lines 5 to 40, corners included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridRange {
    /// The first and last field, from 1.
    pub first_column: usize,
    pub last_column: usize,
    /// The first and last physical line, from 1.
    pub first_line: usize,
    pub last_line: usize,
}

impl GridRange {
    /// Reads `A5:F40` (column letters in either case). The range must be
    /// at least two columns wide (row labels and one column) and two lines
    /// high (the header and one row), top-left corner first.
    pub fn parse(text: &str) -> Result<GridRange, String> {
        let what = "write the table's top-left and bottom-right cells as a spreadsheet \
                    names them, columns A, B, ... and lines from 1, as in A5:F40";
        let corner = |c: &str| -> Option<(usize, usize)> {
            let c = c.trim();
            let digits = c.find(|ch: char| ch.is_ascii_digit())?;
            let (letters, number) = c.split_at(digits);
            if letters.is_empty() || !letters.chars().all(|ch| ch.is_ascii_alphabetic()) {
                return None;
            }
            if !number.chars().all(|ch| ch.is_ascii_digit()) {
                return None;
            }
            let mut column: usize = 0;
            for ch in letters.chars() {
                let digit = (ch.to_ascii_uppercase() as u8 - b'A' + 1) as usize;
                column = column.checked_mul(26)?.checked_add(digit)?;
            }
            let line: usize = number.parse().ok().filter(|&l| l >= 1)?;
            Some((column, line))
        };
        let (Some(a), Some(b)) = text
            .split_once(':')
            .map_or((None, None), |(a, b)| (corner(a), corner(b)))
        else {
            return Err(format!("{text:?} is not a range: {what}"));
        };
        let range = GridRange {
            first_column: a.0,
            last_column: b.0,
            first_line: a.1,
            last_line: b.1,
        };
        if a.0 > b.0 || a.1 > b.1 {
            return Err(format!(
                "{text:?} is not a range: {what} (the top-left corner first)"
            ));
        }
        if a.0 == b.0 || a.1 == b.1 {
            return Err(format!(
                "{text:?} is too small for a table: a range holds the header line and at least \
                 one row, the row-label column and at least one column; {what}"
            ));
        }
        Ok(range)
    }

    /// Whether the range is one [`GridRange::parse`] accepts: corners from
    /// 1, top-left first, two columns and two lines at least (the fields
    /// are public, so a range built by hand is checked before it is used).
    pub fn is_valid(&self) -> bool {
        self.first_column >= 1
            && self.first_line >= 1
            && self.first_column < self.last_column
            && self.first_line < self.last_line
    }

    /// The spreadsheet name of a column: 1 is A, 27 is AA.
    pub fn column_name(column: usize) -> String {
        let mut name = Vec::new();
        let mut n = column;
        while n > 0 {
            let rem = (n - 1) % 26;
            name.push(b'A' + rem as u8);
            n = (n - 1) / 26;
        }
        name.reverse();
        String::from_utf8(name).unwrap_or_default()
    }

    /// The same range with another last column and line.
    pub fn ending_at(&self, last_column: usize, last_line: usize) -> GridRange {
        GridRange {
            last_column,
            last_line,
            ..*self
        }
    }
}

impl std::fmt::Display for GridRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}:{}{}",
            GridRange::column_name(self.first_column),
            self.first_line,
            GridRange::column_name(self.last_column),
            self.last_line
        )
    }
}

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CsvGrid,
    JsonModel,
    /// A τ-ARGUS JJ file (`.jj`): its model, see [`jj`].
    Jj,
    /// A spreadsheet (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`): one sheet
    /// read as a grid, see [`sheet`].
    Sheet,
    /// A long ("tidy") CSV file or SDMX-CSV: one row per cell, see [`long`].
    Long,
}

impl Format {
    /// `.json` is a JSON model; `.jj` is a τ-ARGUS JJ file; `.xlsx`,
    /// `.xlsm`, `.xlsb`, `.xls` and `.ods`, and any other file that starts
    /// as a zip archive or an OLE file (a workbook's first bytes), are
    /// spreadsheets; any other file whose first character (after a BOM and
    /// white space) is `{` or `[` is a JSON model too; the rest are grids.
    pub fn detect(path: &Path, bytes: &[u8]) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Format::JsonModel,
            Some("jj") => Format::Jj,
            Some(e) if SHEET_EXTENSIONS.contains(&e) => Format::Sheet,
            _ if sheet::looks_like_workbook(bytes) => Format::Sheet,
            Some("csv") | Some("tsv") | Some("txt") => Format::CsvGrid,
            _ => {
                let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                match body.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') | Some(b'[') => Format::JsonModel,
                    _ => Format::CsvGrid,
                }
            }
        }
    }
}

/// The extensions of the spreadsheets [`sheet`] reads.
const SHEET_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];
impl Format {
    /// [`Format::detect`], then a CSV file that [`long::is_long`] finds
    /// long (by the options or its header) is [`Format::Long`].
    pub fn detect_with(path: &Path, bytes: &[u8], options: &GridOptions) -> Format {
        match Format::detect(path, bytes) {
            Format::CsvGrid if long::is_long(bytes, options) => Format::Long,
            format => format,
        }
    }
}

/// The name messages use for a file, and its stem (the default table
/// name).
pub fn names(path: &Path) -> (String, String) {
    let display = path.display().to_string();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| display.clone());
    (display, stem)
}

/// The longest line read in a line-oriented format (the CSV grid, JJ):
/// 16 MiB. No table has such lines; a longer one is refused as soon as it
/// is seen, so a hostile file never makes the reader hold more than this
/// (plus the lines before it).
pub const MAX_LINE_BYTES: usize = 16 << 20;

/// The largest input file read, in any format: 256 MiB (a grid of some 50
/// million cells). A JSON file whose size is known to be larger is refused
/// before it is read; any other file as soon as the limit is passed.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// The largest long CSV file read: 2 GiB. A long file spends a whole row
/// (its codes, value and flags, some 30 to 60 bytes) on each cell where a
/// grid spends a field (some 5 bytes), so a long file of 10 million cells
/// passes [`MAX_FILE_BYTES`]; a CSV file whose header makes it long
/// ([`long::is_long`]) may grow to this limit instead.
pub const MAX_LONG_FILE_BYTES: u64 = 2 << 30;

/// The most fields a CSV grid may hold: 20 million, twice the largest grid
/// measured (10 million cells in 1.75 GB, docs/benchmarks.md). A larger
/// file is refused as soon as its records pass the limit, before the
/// model is built, instead of growing past the machine's memory.
pub const MAX_GRID_FIELDS: usize = 20_000_000;

/// Reads the bytes of an input file within [`MAX_FILE_BYTES`] and, for the
/// line-oriented formats, [`MAX_LINE_BYTES`] per line: an error naming the
/// file, the line and the limit otherwise. A spreadsheet (by its name or
/// its first bytes) is binary: no line limit and no encoding check apply
/// to it. `display` names the file in messages.
pub fn read_file(path: &Path, display: &str) -> Result<Vec<u8>, InputError> {
    use std::io::Read;

    let cannot = |e: std::io::Error| InputError::new(display, format!("cannot read the file: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let known_len = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    // The format as far as the name and the bytes so far tell (`None`
    // until a byte other than white space or a BOM decides it).
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut format = match ext.as_deref() {
        Some("json") => Some(Format::JsonModel),
        Some("jj") => Some(Format::Jj),
        Some("csv") | Some("tsv") | Some("txt") => Some(Format::CsvGrid),
        Some(e) if SHEET_EXTENSIONS.contains(&e) => Some(Format::Sheet),
        _ => None,
    };
    let json_by_name = format == Some(Format::JsonModel);
    if let Some(len) = known_len.filter(|&len| len > MAX_FILE_BYTES && json_by_name) {
        return Err(too_large(display, Some(len)));
    }
    let mut bytes = Vec::with_capacity(
        known_len
            .unwrap_or(0)
            .min(MAX_FILE_BYTES)
            .try_into()
            .unwrap_or(0),
    );
    let mut chunk = vec![0u8; 1 << 20];
    let (mut line, mut line_len, mut after_cr) = (1usize, 0usize, false);
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot(e)),
        };
        let new = chunk.get(..n).unwrap_or(&[]);
        if bytes.len() as u64 + n as u64 > MAX_FILE_BYTES {
            // A long CSV file (by its header) may be larger.
            let long =
                format == Some(Format::CsvGrid) && long::is_long(&bytes, &GridOptions::default());
            if !long || bytes.len() as u64 + n as u64 > MAX_LONG_FILE_BYTES {
                return Err(too_large(display, known_len).at_line(line));
            }
        }
        let start = bytes.len();
        bytes.extend_from_slice(new);
        // A workbook by its first bytes, as `Format::detect` finds it.
        let by_name = matches!(format, Some(Format::JsonModel | Format::Jj));
        if start == 0 && !by_name && sheet::looks_like_workbook(&bytes) {
            format = Some(Format::Sheet);
        }
        if format == Some(Format::Sheet) {
            continue;
        }
        if format.is_none() {
            let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            if body.iter().any(|b| !b.is_ascii_whitespace()) {
                format = Some(Format::detect(path, &bytes));
            }
        }
        if format == Some(Format::JsonModel) {
            // JSON by its first byte: refused at once if known too large.
            if let Some(len) = known_len.filter(|&len| len > MAX_FILE_BYTES) {
                return Err(too_large(display, Some(len)));
            }
            continue;
        }
        // Line ends as the grid reader counts them: LF, CRLF, a lone CR.
        for &b in bytes.get(start..).unwrap_or(&[]) {
            match b {
                b'\n' if after_cr => after_cr = false,
                b'\n' | b'\r' => {
                    line += 1;
                    line_len = 0;
                    after_cr = b == b'\r';
                }
                _ => {
                    after_cr = false;
                    line_len += 1;
                    if line_len > MAX_LINE_BYTES {
                        return Err(InputError::new(
                            display,
                            format!(
                                "this line is longer than {} MiB, the longest line cellbound reads: \
                                 a table's lines are far shorter (is this the right file?)",
                                MAX_LINE_BYTES >> 20
                            ),
                        )
                        .at_line(line));
                    }
                }
            }
        }
    }
    if let Some(encoding) = utf16(&bytes).filter(|_| format != Some(Format::Sheet)) {
        return Err(InputError::new(
            display,
            format!(
                "the file is {encoding}, not UTF-8: save it as UTF-8 (\"CSV UTF-8\" in a spreadsheet), \
                 or convert it: iconv -f {} -t UTF-8",
                encoding.split(' ').next().unwrap_or(encoding)
            ),
        ));
    }
    Ok(bytes)
}

/// Whether the bytes are UTF-16 text: a UTF-16 byte order mark, or (with
/// none) NUL bytes at every other position of the start, as ASCII text
/// has in UTF-16. The name of the encoding when they are.
pub(crate) fn utf16(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFE, 0xFF, ..] => return Some("UTF-16BE (big-endian)"),
        [0xFF, 0xFE, ..] => return Some("UTF-16LE (little-endian)"),
        _ => {}
    }
    let head = &bytes[..bytes.len().min(200) & !1];
    if head.len() < 4 {
        return None;
    }
    let nul_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let pairs = head.len() / 2;
    match (nul_at(0), nul_at(1)) {
        (even, 0) if even * 2 > pairs => Some("UTF-16BE (big-endian)"),
        (0, odd) if odd * 2 > pairs => Some("UTF-16LE (little-endian)"),
        _ => None,
    }
}

fn too_large(display: &str, len: Option<u64>) -> InputError {
    let size = len.map_or(String::new(), |l| format!(" ({l} bytes)"));
    InputError::new(
        display,
        format!(
            "the file{size} is larger than {} MiB, the largest input cellbound reads",
            MAX_FILE_BYTES >> 20
        ),
    )
}

/// Why a label or code may not be used: it holds a control character
/// (U+0000 to U+001F, U+007F to U+009F) other than white space, which
/// would garble the grids, CSV files and messages that show it (an escape
/// sequence can even rewrite a terminal). Readers refuse such labels
/// rather than guess what was meant. White space (a tab, a line break in
/// a quoted field) is kept as it was read.
pub(crate) fn control_character_problem(label: &str) -> Option<String> {
    let c = label
        .chars()
        .find(|c| c.is_control() && !c.is_whitespace())?;
    Some(format!(
        "{label:?} holds the control character U+{:04X}: labels and codes must be printable text",
        u32::from(c)
    ))
}

/// Reads a model from a file in either format.
pub fn read_path(path: &Path, options: &GridOptions) -> Result<Model, InputError> {
    let (display, stem) = names(path);
    let bytes = read_file(path, &display)?;
    read_bytes(
        &bytes,
        Format::detect_with(path, &bytes, options),
        &display,
        &stem,
        options,
    )
}

/// Refuses `--sheet` ([`GridOptions::sheet`]) for a file that is no
/// spreadsheet, rather than ignore it.
pub fn sheet_option_fits(
    format: Format,
    display: &str,
    options: &GridOptions,
) -> Result<(), InputError> {
    if let (Some(name), false) = (&options.sheet, format == Format::Sheet) {
        return Err(InputError::new(
            display,
            format!(
                "--sheet {name} applies to spreadsheets (.xlsx, .xlsm, .xlsb, .xls, .ods), and \
                 this file is read as a {}: leave --sheet out",
                match format {
                    Format::CsvGrid => "CSV grid",
                    Format::JsonModel => "JSON model",
                    _ => "τ-ARGUS JJ file",
                }
            ),
        )
        .field("--sheet"));
    }
    Ok(())
}

/// Reads a model from bytes in a known format, with what the reader
/// noticed but did not refuse (only the CSV grid reader warns).
pub fn read_bytes_with_warnings(
    bytes: &[u8],
    format: Format,
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<(Model, Vec<crate::error::InputWarning>), InputError> {
    sheet_option_fits(format, display, options)?;
    match format {
        Format::CsvGrid => csv_grid::read_with_warnings(bytes, display, stem, options),
        Format::Sheet => sheet::read_with_warnings(bytes, display, stem, options),
        Format::Long => {
            long::read_with_warnings(bytes, display, stem, options).map(|(m, w, _)| (m, w))
        }
        _ => read_bytes(bytes, format, display, stem, options).map(|m| (m, Vec::new())),
    }
}

/// Reads a model from bytes in a known format, with its warnings and the
/// flags met and what each was taken to mean (only the CSV grid reader
/// meets flags).
pub fn read_bytes_full(
    bytes: &[u8],
    format: Format,
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<csv_grid::GridRead, InputError> {
    sheet_option_fits(format, display, options)?;
    match format {
        Format::CsvGrid => csv_grid::read_full(bytes, display, stem, options),
        Format::Sheet => sheet::read_full(bytes, display, stem, options),
        _ => read_bytes(bytes, format, display, stem, options).map(|model| csv_grid::GridRead {
            model,
            warnings: Vec::new(),
            flags: Vec::new(),
        }),
    }
}

/// Reads a model from bytes in a known format.
pub fn read_bytes(
    bytes: &[u8],
    format: Format,
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<Model, InputError> {
    sheet_option_fits(format, display, options)?;
    match format {
        Format::Sheet => sheet::read(bytes, display, stem, options),
        Format::CsvGrid => csv_grid::read(bytes, display, stem, options),
        Format::JsonModel => json_model::read(bytes, display, stem),
        Format::Jj => jj::read(bytes, display, stem).map(|file| file.model),
        Format::Long => long::read_with_warnings(bytes, display, stem, options).map(|(m, ..)| m),
    }
}
