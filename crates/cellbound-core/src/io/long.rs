//! Long ("tidy") files and SDMX-CSV (docs/formats.md, "Long files and
//! SDMX-CSV"): a CSV with a header and one row per cell, some dimension
//! columns, a value column and flag columns, read into one [`Table`].
//!
//! - **Columns.** `--dims`, `--value` and `--flag` name them; without them
//!   the value column is the first of [`VALUE_COLUMNS`], the flag column
//!   the first of [`FLAG_COLUMNS`] (both `CONF_STATUS` and `OBS_STATUS`
//!   when the file has both: `CONF_STATUS` decides when it is not empty),
//!   and the dimensions are every other column but [`IGNORED_COLUMNS`]. An
//!   SDMX-CSV file (first column `DATAFLOW`, version 1, or `STRUCTURE`,
//!   `STRUCTURE_ID`, `ACTION`, version 2) has its dimensions between the
//!   structure columns and `OBS_VALUE`; the columns after it are
//!   attributes. Every column read as none of these is listed once in a
//!   warning.
//! - **Totals and hierarchies.** A code named by a total code (the grid's
//!   total labels, `_T` in SDMX files, or `--total-code`) is the grand
//!   total of its dimension; `--hierarchy DIM=FILE|prefix` gives the codes
//!   in between ([`super::hierarchy`]). Without either a dimension is flat.
//! - **Cells.** Every cell of the cross product of the codes is one row:
//!   a cell on two rows or a cell with no row is an error naming the lines
//!   (or the codes), unless [`LongOptions::absent_zero`] makes a missing
//!   cell a structural zero.
//! - **Speed.** Records are streamed as byte records, codes interned per
//!   dimension; the only per-cell allocations are the model's own.

use std::collections::HashMap;

use super::cell_text::{CellSyntax, FlagMeaning, FlagUse, MARKERS};
use super::csv_grid::{ambiguous_marker_warning, AMBIGUOUS_MARKERS};
use super::hierarchy::{prefix_parents, HierarchySpec, Tree};
use super::profile::Profile;
use super::GridOptions;
use crate::error::{InputError, InputWarning, ModelError};
use crate::model::{Absent, Cell, Dimension, Layout, Model, Table};

/// The default value columns, the first present is used (case-insensitive).
pub const VALUE_COLUMNS: [&str; 4] = ["VALUE", "OBS_VALUE", "COUNT", "N"];

/// The default flag columns, the first present is used (case-insensitive);
/// with both `CONF_STATUS` and `OBS_STATUS`, both are read.
pub const FLAG_COLUMNS: [&str; 5] = ["STATUS", "OBS_STATUS", "CONF_STATUS", "SYMBOL", "FLAG"];

/// Columns that are never dimensions unless `--dims` names them
/// (case-insensitive): Statistics Canada's metadata columns and SDMX's
/// common attributes.
pub const IGNORED_COLUMNS: [&str; 16] = [
    "UOM",
    "UOM_ID",
    "SCALAR_FACTOR",
    "SCALAR_ID",
    "VECTOR",
    "COORDINATE",
    "DECIMALS",
    "TERMINATED",
    "DGUID",
    "SYMBOL",
    "STATUS",
    "UNIT_MULT",
    "OBS_COMMENT",
    "TIME_FORMAT",
    "OBS_STATUS",
    "CONF_STATUS",
];

/// The options of the long reader (`--layout long`, `--dims`, `--value`,
/// `--flag`, `--hierarchy`, `--total-code`, `--absent zero`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LongOptions {
    /// The dimension columns, in order (`--dims A,B,C`).
    pub dims: Option<Vec<String>>,
    /// The value column (`--value COL`).
    pub value: Option<String>,
    /// The flag column (`--flag COL`).
    pub flag: Option<String>,
    /// Hierarchies by dimension name (`--hierarchy DIM=FILE|prefix`).
    pub hierarchies: Vec<(String, HierarchySpec)>,
    /// The codes that are the grand total of their dimension
    /// (case-insensitive); empty: the grid's total labels (with
    /// `--total-label`), and `_T` in SDMX files.
    pub total_codes: Vec<String>,
    /// A cell of the cross product with no row is a structural zero
    /// (`--absent zero`) instead of an error.
    pub absent_zero: bool,
    /// How values and flags are read; `None`: the default of long files
    /// (the grid's markers, the built-in markers as flags meaning hidden,
    /// and in SDMX files the confidentiality flags of [`sdmx_flags`]).
    pub syntax: Option<CellSyntax>,
    /// The agency profile (`--profile`): its value and flag columns come
    /// first among the defaults, and each flag column is read with the
    /// profile's flags for that column ([`Profile::flags_for`]), after the
    /// flags of [`LongOptions::syntax`] (`--flag-meaning`).
    pub profile: Option<&'static Profile>,
    /// The `.rda` metadata of a τ-ARGUS `.tab` file (`--metadata`);
    /// `None`: the file beside it ([`super::tau_tab::metadata_path`]).
    pub metadata: Option<std::path::PathBuf>,
}

/// Which reader a CSV file goes to (`--layout grid|long`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputLayout {
    Grid,
    Long,
    /// A τ-ARGUS code-value table, read as a long file: see
    /// [`super::tau_cv`].
    Tau,
}

/// The SDMX version of a file, from its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sdmx {
    /// SDMX-CSV 1.0: a first column `DATAFLOW`.
    V1,
    /// SDMX-CSV 2.0: first columns `STRUCTURE`, `STRUCTURE_ID`, `ACTION`.
    V2,
}

/// What the writer of long output needs of a long file: how to read it
/// again, and the meaning of the flag that decided each row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongInfo {
    pub delimiter: u8,
    /// The meaning applied to each data row, in file order (`None`: no
    /// flag, the value field said it all).
    /// (one byte a row: see [`LongInfo::meaning`]).
    meanings: Vec<u8>,
    pub sdmx: Option<Sdmx>,
    /// The value column and the flag columns (fields from 0).
    pub value: usize,
    pub flags: Vec<usize>,
    /// The flags met and what each was taken to mean, in the order first
    /// met.
    pub used: Vec<FlagUse>,
    /// The CSV text the rows were read from when it is not the input's own
    /// bytes (a spreadsheet's sheet read as a long file, [`super::sheet`]):
    /// the long output writes these rows back.
    pub text: Option<Vec<u8>>,
}

/// The meanings a row can have, by their byte in [`LongInfo`].
const MEANING_NAMES: [&str; 6] = ["", "hidden", "secondary", "range", "published", "absent"];

impl LongInfo {
    /// The name of the meaning applied to data row `row` (from 0), as the
    /// long output's `meaning` column writes it: `hidden`, `secondary`,
    /// `range`, `published`, `absent`, or empty when no flag decided.
    pub fn meaning(&self, row: usize) -> &'static str {
        self.meanings
            .get(row)
            .and_then(|&m| MEANING_NAMES.get(m as usize))
            .copied()
            .unwrap_or("")
    }
}

/// Whether a CSV file is read as a long file: `--layout`, `--dims` or
/// `--value` say so, or the header is SDMX-CSV or has a column named as a
/// default value column (`VALUE`, `OBS_VALUE`; `COUNT` and `N` alone do
/// not make a file long).
pub fn is_long(bytes: &[u8], options: &GridOptions) -> bool {
    match options.layout {
        Some(InputLayout::Long | InputLayout::Tau) => return true,
        Some(InputLayout::Grid) => return false,
        None => {}
    }
    if options.long.dims.is_some() || options.long.value.is_some() {
        return true;
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let Some(line) = body
        .split(|&b| b == b'\n' || b == b'\r')
        .find(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
    else {
        return false;
    };
    let Ok(line) = std::str::from_utf8(line) else {
        return false;
    };
    [',', ';', '\t']
        .iter()
        .filter(|&&d| options.delimiter.is_none_or(|o| o as char == d))
        .any(|&d| {
            let fields: Vec<&str> = line
                .split(d)
                .map(|f| f.trim().trim_matches('"').trim())
                .collect();
            let codes: Vec<String> = fields
                .iter()
                .map(|f| header_code(f).0.to_string())
                .collect();
            // An SDMX header starts with its structure column as a bare
            // code: a title `Dataflow: ...` above a grid is no SDMX header.
            fields.len() >= 2
                && ((sdmx_version(&codes).is_some() && !fields[0].contains(':'))
                    || fields.iter().any(|f| {
                        f.eq_ignore_ascii_case("VALUE") || f.eq_ignore_ascii_case("OBS_VALUE")
                    }))
        })
}

/// The code of a header field written `CODE: Label` (SDMX-CSV
/// `labels=both`), and whether it was written so.
fn header_code(field: &str) -> (&str, bool) {
    match field.split_once(':') {
        Some((code, _))
            if !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'[' || b == b']') =>
        {
            (code, true)
        }
        _ => (field, false),
    }
}

fn sdmx_version(header: &[String]) -> Option<Sdmx> {
    let first = header.first()?.to_ascii_uppercase();
    if first == "DATAFLOW" {
        return Some(Sdmx::V1);
    }
    let structure = first == "STRUCTURE" || first.starts_with("STRUCTURE[");
    let id = header
        .get(1)
        .is_some_and(|h| h.eq_ignore_ascii_case("STRUCTURE_ID"));
    (structure && id).then_some(Sdmx::V2)
}

/// The flags SDMX files mean when no profile or `--flag-meaning` says
/// otherwise: `CONF_STATUS` `F` free (published), `C` and `A` confidential
/// (hidden, primary), `D` and `S` secondary confidentiality (hidden, as
/// under `--open`), `N` not for publication (hidden); `OBS_STATUS` `A`
/// normal value (published). Any other flag is an error saying how to map
/// it.
pub fn sdmx_flags() -> Vec<(String, FlagMeaning)> {
    [
        ("F", FlagMeaning::Published),
        ("C", FlagMeaning::Hidden),
        ("N", FlagMeaning::Hidden),
        ("D", FlagMeaning::Secondary),
        ("S", FlagMeaning::Secondary),
        ("A", FlagMeaning::Published),
    ]
    .into_iter()
    .map(|(f, m)| (f.to_string(), m))
    .collect()
}

/// The name of a flag meaning, as the long output's `meaning` column
/// writes it.
pub fn meaning_name(meaning: Option<FlagMeaning>) -> &'static str {
    match meaning {
        None => "",
        Some(FlagMeaning::Hidden) => "hidden",
        Some(FlagMeaning::Secondary) => "secondary",
        Some(FlagMeaning::Range { .. }) => "range",
        Some(FlagMeaning::Published) => "published",
        Some(FlagMeaning::Absent) => "absent",
    }
}

/// Counts physical lines (LF, CRLF, a lone CR) up to each record start.
struct Lines {
    pos: usize,
    line: usize,
    after_cr: bool,
    /// No CR in the file: lines are counted by LF alone, a faster loop.
    lf_only: bool,
}

impl Lines {
    /// The line of the record whose position is `offset` (the csv crate
    /// points before the line ends it skipped).
    fn at(&mut self, body: &[u8], offset: usize) -> usize {
        let mut i = self.pos;
        let end = offset.min(body.len());
        if self.lf_only && i < end {
            let part = &body[i..end];
            self.line += part.iter().filter(|&&b| b == b'\n').count();
            i = end;
        }
        while i < end || (i < body.len() && matches!(body[i], b'\n' | b'\r')) {
            match body[i] {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.line += 1;
                    self.after_cr = body[i] == b'\r';
                }
                _ => self.after_cr = false,
            }
            i += 1;
        }
        self.pos = i;
        self.line
    }
}

fn describe_delimiter(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        d => format!("{:?}", d as char),
    }
}

/// The delimiter: the option, or the first of `,` `;` tab that splits the
/// header into at least two fields and the first 100 records into as many.
fn detect_delimiter(body: &[u8], display: &str) -> Result<u8, InputError> {
    // Failing that, the first that splits the header: the rows are then
    // checked one by one, and the first ragged one named.
    let mut header_only = None;
    for d in [b',', b';', b'\t'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(body);
        let mut records = reader.byte_records().take(101);
        let Some(Ok(header)) = records.next() else {
            continue;
        };
        if header.len() < 2 {
            continue;
        }
        header_only.get_or_insert(d);
        if records.all(|r| r.is_ok_and(|r| r.len() == header.len())) {
            return Ok(d);
        }
    }
    header_only.ok_or_else(|| {
        InputError::new(
            display,
            "no delimiter (',', ';' or tab) splits the header into columns: name it with --delimiter",
        )
        .at_line(1)
    })
}

/// The most cells of a CDC WONDER export whose missing totals are
/// filled in (a WONDER table is small: it is shown on a web page).
const MAX_WONDER_CELLS: usize = 1 << 22;

/// Reads a long file or an SDMX-CSV file. `display` names the file in
/// messages; `stem` names the table.
///
/// ```
/// use cellbound_core::io::{long, GridOptions};
/// use cellbound_core::Entry;
///
/// let text = "GEO,SEX,VALUE,STATUS\nA,M,3,\nA,F,,x\nA,Total,7,\n";
/// let (model, _, _) = long::read_with_warnings(text.as_bytes(), "t.csv", "t", &GridOptions::default())
///     .unwrap();
/// let table = &model.tables[0];
/// assert_eq!(table.dimensions[1].codes(), ["M", "F", "Total"]);
/// assert_eq!(table.cells[1].entry, Entry::Hidden);
/// assert_eq!(table.cells[1].line, Some(3));
/// ```
pub fn read_with_warnings(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<(Model, Vec<InputWarning>, LongInfo), InputError> {
    if options.layout == Some(InputLayout::Tau) {
        return super::tau_cv::read_with_warnings(bytes, display, stem, options);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let long = &options.long;
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => detect_delimiter(body, display)?,
    };
    let mut warnings = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut record = csv::ByteRecord::new();
    let mut lines = Lines {
        pos: 0,
        line: 1,
        after_cr: false,
        lf_only: !body.contains(&b'\r'),
    };
    let csv_error = |e: csv::Error, line: usize| {
        InputError::new(display, format!("cannot read the CSV record: {e}")).at_line(line)
    };
    let header_line = 1;
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(e, header_line))?
    {
        return Err(InputError::new(
            display,
            "no header line: the file is empty",
        ));
    }
    let header_line = lines.at(body, record.position().map_or(0, |p| p.byte() as usize));
    let mut labels_both = false;
    let mut header = Vec::with_capacity(record.len());
    for field in record.iter() {
        let text = std::str::from_utf8(field).map_err(|_| {
            InputError::new(
                display,
                "the header is not valid UTF-8: save the file as UTF-8",
            )
            .at_line(header_line)
        })?;
        header.push(text.trim().to_string());
    }
    // `CODE: Label` fields are read by their code in SDMX files only.
    let coded: Vec<(String, bool)> = header
        .iter()
        .map(|h| {
            let (code, both) = header_code(h);
            (code.to_string(), both)
        })
        .collect();
    let codes: Vec<String> = coded.iter().map(|(c, _)| c.clone()).collect();
    if sdmx_version(&codes).is_some() {
        labels_both = coded.iter().any(|(_, both)| *both);
        header = codes;
    }
    if labels_both {
        warnings.push(
            InputWarning::new(
                display,
                "the header writes its columns as \"CODE: Label\" (SDMX-CSV labels=both): the code \
                 part is used, of the columns and of the dimensions' codes",
            )
            .at_line(header_line),
        );
    }
    if header.len() < 2 {
        return Err(InputError::new(
            display,
            format!(
                "the header has {} column with the delimiter {}: a long file has dimension columns \
                 and a value column (name the delimiter with --delimiter)",
                header.len(),
                describe_delimiter(delimiter)
            ),
        )
        .at_line(header_line));
    }
    let find = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let named = |name: &str, flag: &str| {
        find(name).ok_or_else(|| {
            InputError::new(
                display,
                format!(
                    "{flag} {name}: the header has no such column (its columns: {})",
                    header.join(", ")
                ),
            )
            .at_line(header_line)
        })
    };
    let sdmx = sdmx_version(&header);
    // Structure columns of SDMX-CSV: never dimensions.
    let mut structure: Vec<usize> = Vec::new();
    if let Some(version) = sdmx {
        structure.push(0);
        // Eurostat's SDMX-CSV 1.0 has `LAST UPDATE` after `DATAFLOW`.
        for name in ["LAST UPDATE", "LAST_UPDATE"] {
            if let Some(i) = find(name) {
                structure.push(i);
            }
        }
        if version == Sdmx::V2 {
            for name in ["STRUCTURE_ID", "ACTION", "STRUCTURE_NAME"] {
                if let Some(i) = find(name) {
                    structure.push(i);
                }
            }
        }
    }
    // An SDMX-CSV file read with no profile is read with the `sdmx` one
    // (its CONF_STATUS and OBS_STATUS codes are the standard's), and says
    // so.
    let profile = match (long.profile, sdmx) {
        (Some(p), _) => Some(p),
        (None, Some(_)) => {
            warnings.push(
                InputWarning::new(
                    display,
                    "an SDMX-CSV file: its flags are read with --profile sdmx (CONF_STATUS and \
                     OBS_STATUS codes as the SDMX code lists define them; docs/formats.md \
                     section 15); name another profile or --flag-meaning to read them otherwise",
                )
                .at_line(header_line),
            );
            Profile::named("sdmx")
        }
        (None, None) => None,
    };
    let profile_columns =
        |columns: fn(&Profile) -> &'static [&'static str]| profile.map_or(&[][..], columns);
    let value = match &long.value {
        Some(name) => named(name, "--value")?,
        None => profile_columns(Profile::value_columns)
            .iter()
            .chain(&VALUE_COLUMNS)
            .find_map(|v| find(v))
            .ok_or_else(|| {
                InputError::new(
                    display,
                    format!(
                    "no value column: none of the columns is named VALUE, OBS_VALUE, COUNT or N; \
                         name it with --value (the columns: {})",
                    header.join(", ")
                ),
                )
                .at_line(header_line)
            })?,
    };
    let profile_flags: Vec<usize> = profile_columns(Profile::flag_columns)
        .iter()
        .filter_map(|f| find(f))
        .collect();
    let flags: Vec<usize> = match &long.flag {
        Some(name) => vec![named(name, "--flag")?],
        None if !profile_flags.is_empty() => profile_flags,
        None => match (find("CONF_STATUS"), find("OBS_STATUS")) {
            (Some(c), Some(o)) => vec![c, o],
            _ => FLAG_COLUMNS
                .iter()
                .find_map(|f| find(f))
                .into_iter()
                .collect(),
        },
    };
    let dims: Vec<usize> = match &long.dims {
        Some(names) => {
            let mut dims = Vec::new();
            for name in names {
                let i = named(name, "--dims")?;
                if i == value || flags.contains(&i) || dims.contains(&i) {
                    return Err(InputError::new(
                        display,
                        format!("--dims {name}: the column is named twice, or is the value or flag column"),
                    )
                    .at_line(header_line));
                }
                dims.push(i);
            }
            dims
        }
        None => match sdmx {
            Some(_) => (structure.iter().max().map_or(0, |&m| m + 1)..value).collect(),
            None => (0..header.len())
                .filter(|&i| {
                    i != value
                        && !flags.contains(&i)
                        && !IGNORED_COLUMNS
                            .iter()
                            .chain(&VALUE_COLUMNS)
                            .chain(&FLAG_COLUMNS)
                            .any(|c| header[i].eq_ignore_ascii_case(c))
                })
                .collect(),
        },
    };
    if dims.is_empty() {
        return Err(InputError::new(
            display,
            format!(
                "no dimension column: name them with --dims (the columns: {})",
                header.join(", ")
            ),
        )
        .at_line(header_line));
    }
    for (d, &i) in dims.iter().enumerate() {
        if let Some(&j) = dims[..d].iter().find(|&&j| header[j] == header[i]) {
            return Err(InputError::new(
                display,
                format!(
                    "two dimension columns are named {:?} (columns {} and {}): rename one",
                    header[i],
                    j + 1,
                    i + 1
                ),
            )
            .at_line(header_line));
        }
    }
    let ignored: Vec<&str> = (0..header.len())
        .filter(|i| {
            *i != value && !flags.contains(i) && !dims.contains(i) && !structure.contains(i)
        })
        .map(|i| header[i].as_str())
        .collect();
    if !ignored.is_empty() {
        warnings.push(
            InputWarning::new(
                display,
                format!(
                    "columns read as neither a dimension, the value nor a flag, and ignored: {} \
                     (name the dimensions with --dims to read one)",
                    ignored.join(", ")
                ),
            )
            .at_line(header_line),
        );
    }
    for (k, (name, _)) in long.hierarchies.iter().enumerate() {
        // Two hierarchies for one dimension: which is meant is not ours
        // to guess.
        if long.hierarchies[..k].iter().any(|(n, _)| n == name) {
            return Err(InputError::new(
                display,
                format!(
                    "--hierarchy {name}=... is given twice: a dimension has one hierarchy; keep one"
                ),
            ));
        }
        if !dims.iter().any(|&i| header[i] == *name) {
            return Err(InputError::new(
                display,
                format!(
                    "--hierarchy {name}=...: {name:?} is not a dimension column (the dimensions: {})",
                    dims.iter().map(|&i| header[i].as_str()).collect::<Vec<_>>().join(", ")
                ),
            )
            .at_line(header_line));
        }
    }
    // One syntax for a value field with no flag, one per flag column: the
    // flags of --flag-meaning first, then the profile's for that column
    // (or, with no profile, the default flags of long files).
    let base = match &long.syntax {
        Some(s) => CellSyntax {
            delimiter,
            ..s.clone()
        },
        None => CellSyntax {
            markers: options.markers.clone(),
            flags: Vec::new(),
            delimiter,
            ..profile.map_or_else(CellSyntax::default, |p| p.syntax(None))
        },
    };
    let default_flags = || {
        let mut flags: Vec<(String, FlagMeaning)> = MARKERS
            .iter()
            .filter(|m| !m.is_empty())
            .map(|m| (m.to_string(), FlagMeaning::Hidden))
            .collect();
        if sdmx.is_some() || find("CONF_STATUS").is_some() {
            flags.retain(|(f, _)| f != "F");
            flags.extend(sdmx_flags());
        }
        flags
    };
    let with_flags = |column: Option<&str>| {
        let mut syntax = base.clone();
        match profile {
            Some(p) => syntax.flags.extend(p.flags_for(column)),
            None => syntax.flags.extend(default_flags()),
        }
        syntax
    };
    let value_syntax = with_flags(None);
    let flag_syntax: Vec<CellSyntax> = flags
        .iter()
        .map(|&f| with_flags(Some(header[f].as_str())))
        .collect();
    // The flags --flag-meaning maps: these are never ambiguous.
    let user_flags: Vec<&str> = base.flags.iter().map(|(f, _)| f.trim()).collect();
    let mut totals: Vec<String> = if long.total_codes.is_empty() {
        let mut t: Vec<String> = super::csv_grid::TOTAL_LABELS
            .iter()
            .map(|s| s.to_string())
            .chain(options.total_labels.iter().map(|l| l.trim().to_lowercase()))
            .collect();
        if sdmx.is_some() {
            t.push("_t".into());
        }
        t
    } else {
        long.total_codes
            .iter()
            .map(|c| c.trim().to_lowercase())
            .collect()
    };
    totals.dedup();

    // Stream the rows.
    let n = dims.len();
    let mut interned: Vec<HashMap<Box<[u8]>, u32>> = vec![HashMap::new(); n];
    let mut first_line: Vec<Vec<usize>> = vec![Vec::new(); n];
    // Each cell as read, its coordinates the codes' interned numbers
    // until the dimensions are built.
    let mut cells: Vec<Cell> = Vec::new();
    let mut meanings: Vec<u8> = Vec::new();
    // The flags met; the ambiguous built-in markers met as flags with no
    // profile (flag, first line and column); the cells whose value is not
    // in whole units, rescaled once the file's decimals are known.
    let mut used: Vec<FlagUse> = Vec::new();
    let mut ambiguous: Vec<(String, (usize, usize))> = Vec::new();
    let mut scaled: Vec<(usize, super::cell_text::Scaled)> = Vec::new();
    let mut ids: Vec<usize> = Vec::with_capacity(n);
    let mut last_code: Vec<Option<(Vec<u8>, u32)>> = vec![None; n];
    let action = (sdmx == Some(Sdmx::V2)).then(|| find("ACTION")).flatten();
    let structure_id = match sdmx {
        Some(Sdmx::V1) => Some(0),
        Some(Sdmx::V2) => find("STRUCTURE_ID"),
        None => None,
    };
    let mut dataflow: Option<Vec<u8>> = None;
    // A CDC WONDER export: a first column `Notes`, a row `Total` in it for
    // each total WONDER prints (the codes of the dimensions it sums over
    // left empty), and WONDER's notes after a line `---`.
    let wonder = header
        .first()
        .is_some_and(|h| h.eq_ignore_ascii_case("Notes"))
        && !dims.contains(&0);
    let wonder_total = long
        .total_codes
        .first()
        .map_or("Total", |c| c.trim())
        .to_string();
    let mut notes_from: Option<usize> = None;
    let text_of = |field: &[u8], line: usize, column: &str| -> Result<String, InputError> {
        std::str::from_utf8(field)
            .map(|s| s.trim().to_string())
            .map_err(|_| {
                InputError::new(
                    display,
                    "the field is not valid UTF-8: save the file as UTF-8",
                )
                .at_line(line)
                .field(format!("column {column:?}"))
            })
    };
    loop {
        let more = reader.read_byte_record(&mut record).map_err(|e| {
            let line = e
                .position()
                .map_or(lines.line, |p| lines.at(body, p.byte() as usize));
            csv_error(e, line)
        })?;
        if !more {
            break;
        }
        let line = lines.at(body, record.position().map_or(0, |p| p.byte() as usize));
        let wonder_row_total = wonder
            && record
                .get(0)
                .is_some_and(|f| f.trim_ascii().eq_ignore_ascii_case(b"Total"));
        if wonder && record.get(0).is_some_and(|f| f.trim_ascii() == b"---") {
            notes_from = Some(line);
            break;
        }
        if record.len() != header.len() {
            return Err(InputError::new(
                display,
                format!(
                    "this row has {} fields but the header has {} (delimiter {}): is a field with \
                     the delimiter in it unquoted?",
                    record.len(),
                    header.len(),
                    describe_delimiter(delimiter)
                ),
            )
            .at_line(line));
        }
        if let Some(a) = action {
            let act = record.get(a).unwrap_or(b"").trim_ascii();
            if act.eq_ignore_ascii_case(b"D") {
                return Err(InputError::new(
                    display,
                    "ACTION D deletes observations: this file is a change to a dataset, not a \
                     table; download the whole dataset",
                )
                .at_line(line)
                .field("column \"ACTION\""));
            }
        }
        if let Some(s) = structure_id {
            let id = record.get(s).unwrap_or(b"").trim_ascii();
            match &dataflow {
                None => dataflow = Some(id.to_vec()),
                Some(first) if first.as_slice() != id => {
                    return Err(InputError::new(
                        display,
                        format!(
                            "a second dataflow, {:?} after {:?}: a file holds one table; split it \
                             by dataflow",
                            String::from_utf8_lossy(id),
                            String::from_utf8_lossy(first)
                        ),
                    )
                    .at_line(line)
                    .field(format!("column {:?}", header[s])))
                }
                Some(_) => {}
            }
        }
        for (d, &i) in dims.iter().enumerate() {
            let mut code = record.get(i).unwrap_or(b"").trim_ascii();
            if wonder_row_total && code.is_empty() {
                code = wonder_total.as_bytes();
            }
            if labels_both {
                if let Some(p) = code.windows(2).position(|w| w == b": ") {
                    code = code[..p].trim_ascii();
                }
            }
            // Rows often repeat the code of the row above (sorted files).
            if let Some((last, id)) = &last_code[d] {
                if last.as_slice() == code {
                    ids.push(*id as usize);
                    continue;
                }
            }
            let map = &mut interned[d];
            let id = match map.get(code) {
                Some(&id) => id,
                None => {
                    let text = text_of(code, line, &header[i])?;
                    if text.is_empty() {
                        return Err(InputError::new(
                            display,
                            "a dimension's code is empty: every row names its cell",
                        )
                        .at_line(line)
                        .field(format!("column {:?}", header[i])));
                    }
                    if let Some(problem) = super::control_character_problem(&text) {
                        return Err(InputError::new(display, problem)
                            .at_line(line)
                            .field(format!("column {:?}", header[i])));
                    }
                    let id = map.len() as u32;
                    map.insert(code.into(), id);
                    first_line[d].push(line);
                    id
                }
            };
            ids.push(id as usize);
            let last = last_code[d].get_or_insert_with(|| (Vec::new(), 0));
            last.0.clear();
            last.0.extend_from_slice(code);
            last.1 = id;
        }
        let value_text = std::str::from_utf8(record.get(value).unwrap_or(b"")).map_err(|_| {
            InputError::new(
                display,
                "the field is not valid UTF-8: save the file as UTF-8",
            )
            .at_line(line)
            .field(format!("column {:?}", header[value]))
        })?;
        let mut flag: Option<(&str, usize)> = None;
        for (k, &f) in flags.iter().enumerate() {
            let text = std::str::from_utf8(record.get(f).unwrap_or(b""))
                .map_err(|_| {
                    InputError::new(
                        display,
                        "the field is not valid UTF-8: save the file as UTF-8",
                    )
                    .at_line(line)
                    .field(format!("column {:?}", header[f]))
                })?
                .trim();
            let text = match text.split_once(": ") {
                Some((code, _)) if labels_both => code.trim(),
                _ => text,
            };
            if !text.is_empty() {
                flag = Some((text, k));
                break;
            }
        }
        let read = match flag {
            Some((text, k)) => flag_syntax[k].read_cell(value_text, Some(text)),
            None => value_syntax.read_value(value_text),
        }
        .map_err(|m| {
            let column = flag.map_or(value, |(_, k)| flags[k]);
            InputError::new(display, m)
                .at_line(line)
                .field(format!("column {:?}", header[column]))
        })?;
        FlagUse::note(&mut used, &read, line);
        if profile.is_none() {
            if let Some(text) = read.flag.as_ref().map(|(f, _)| f.as_str()) {
                if !user_flags.contains(&text) && !ambiguous.iter().any(|(f, _)| f == text) {
                    if let Some(&(m, _)) = AMBIGUOUS_MARKERS.iter().find(|(m, _)| *m == text) {
                        let column = flag.map_or(value, |(_, k)| flags[k]);
                        ambiguous.push((m.to_string(), (line, column)));
                    }
                }
            }
        }
        let meaning = read.flag.as_ref().map(|(_, m)| *m);
        let name = meaning_name(meaning);
        meanings.push(MEANING_NAMES.iter().position(|&m| m == name).unwrap_or(0) as u8);
        let entry = read.value.entry;
        if !read.value.is_whole() {
            scaled.push((cells.len(), read.value));
        }
        cells.push(Cell {
            at: std::mem::replace(&mut ids, Vec::with_capacity(n)),
            entry,
            origin: format!("line {line}"),
            line: Some(line),
        });
    }
    if cells.is_empty() {
        return Err(InputError::new(
            display,
            "no data row: the header is followed by no row",
        ));
    }
    // One scale for the file: the declared decimals, or the most met.
    let decimals = base
        .decimals
        .unwrap_or_else(|| scaled.iter().map(|(_, v)| v.decimals).max().unwrap_or(0));
    if decimals > 0 {
        let mut pending = scaled.into_iter().peekable();
        for (i, cell) in cells.iter_mut().enumerate() {
            let read = match pending.peek() {
                Some((j, _)) if *j == i => pending.next().map(|(_, v)| v),
                _ => None,
            };
            let read = read.unwrap_or_else(|| super::cell_text::Scaled::whole(cell.entry));
            cell.entry = read.at(decimals).map_err(|m| {
                InputError::new(display, format!("the value of this cell: {m}"))
                    .at_line(cell.line.unwrap_or(header_line))
                    .field(format!("column {:?}", header[value]))
            })?;
        }
    }
    for (flag, (line, column)) in &ambiguous {
        warnings.extend(ambiguous_marker_warning(
            display,
            "flag",
            flag,
            *line,
            &header[*column],
        ));
    }

    // The dimensions.
    let mut dimensions = Vec::with_capacity(n);
    let mut remap: Vec<Vec<usize>> = Vec::with_capacity(n);
    for (d, &column) in dims.iter().enumerate() {
        let mut codes: Vec<(Box<[u8]>, u32)> =
            std::mem::take(&mut interned[d]).into_iter().collect();
        codes.sort_unstable_by_key(|c| c.1);
        let codes: Vec<String> = codes
            .into_iter()
            .map(|(c, _)| String::from_utf8(c.into_vec()).unwrap_or_default())
            .collect();
        let name = header[column].clone();
        let spec = long
            .hierarchies
            .iter()
            .rev()
            .find(|(dim, _)| *dim == name)
            .map(|(_, s)| s);
        let (dimension, map) = build_dimension(
            &name,
            &codes,
            &first_line[d],
            &totals,
            spec,
            long.total_codes.is_empty(),
            display,
        )?;
        dimensions.push(dimension);
        remap.push(map);
    }

    // The cells: one per row, each coordinate once.
    let sizes: Vec<usize> = dimensions.iter().map(Dimension::len).collect();
    let rows = cells.len();
    let product = sizes
        .iter()
        .try_fold(1usize, |acc, &s| acc.checked_mul(s))
        .unwrap_or(usize::MAX);
    let line_of = |c: &Cell| c.line.unwrap_or(0);
    let offset = |at: &[usize]| at.iter().zip(&sizes).fold(0usize, |o, (&c, &s)| o * s + c);
    let dense = product <= rows.saturating_mul(4).saturating_add(1024);
    let mut slots: Vec<u32> = if dense {
        vec![u32::MAX; product]
    } else {
        Vec::new()
    };
    let mut sparse: HashMap<Vec<usize>, usize> = HashMap::new();
    for r in 0..rows {
        for (d, c) in cells[r].at.iter_mut().enumerate() {
            *c = remap[d][*c];
        }
        let at = &cells[r].at;
        let previous = if dense {
            let slot = &mut slots[offset(at)];
            let p = *slot;
            *slot = r as u32;
            (p != u32::MAX).then_some(p as usize)
        } else {
            sparse.insert(at.clone(), r)
        };
        if let Some(p) = previous {
            return Err(InputError::new(
                display,
                format!(
                    "the cell {} has two rows, line {} and this one: a long file gives each cell once \
                     (is a dimension column missing from --dims?)",
                    crate::model::describe_at(&dimensions, at),
                    line_of(&cells[p])
                ),
            )
            .at_line(line_of(&cells[r])));
        }
    }
    // CDC WONDER prints the totals of the first dimensions it groups by,
    // not those of the last ones (a state's total over the age groups, but
    // no total of an age group over the states): such a cell, on a total
    // code and with no row, is a total not printed, unknown (0 and up),
    // never a zero.
    let mut not_printed = 0;
    if wonder && product != rows && product <= MAX_WONDER_CELLS {
        let entry = value_syntax.secondary_entry();
        let mut at = vec![0usize; n];
        for _ in 0..product {
            let present = if dense {
                slots[offset(&at)] != u32::MAX
            } else {
                sparse.contains_key(&at)
            };
            let on_total = at.iter().enumerate().any(|(d, &c)| {
                let code = dimensions[d].code(c);
                totals.iter().any(|t| t.eq_ignore_ascii_case(code))
            });
            if !present && on_total {
                cells.push(Cell {
                    at: at.clone(),
                    entry,
                    origin: "a total CDC WONDER does not print".to_string(),
                    line: None,
                });
                not_printed += 1;
            }
            for d in (0..n).rev() {
                at[d] += 1;
                if at[d] < sizes[d] {
                    break;
                }
                at[d] = 0;
            }
        }
        if !dense {
            for (r, c) in cells.iter().enumerate().skip(rows) {
                sparse.insert(c.at.clone(), r);
            }
        } else {
            for (r, c) in cells.iter().enumerate().skip(rows) {
                slots[offset(&c.at)] = r as u32;
            }
        }
    }
    if let Some(line) = notes_from {
        warnings.push(
            InputWarning::new(
                display,
                format!(
                    "CDC WONDER's notes from line {line} to the end skipped{}",
                    if not_printed > 0 {
                        format!(
                            "; {not_printed} totals WONDER does not print read as unknown \
                             (hidden, 0 and up)"
                        )
                    } else {
                        String::new()
                    }
                ),
            )
            .at_line(line),
        );
    }
    if product != rows + not_printed && !long.absent_zero {
        let missing = if dense {
            let o = slots.iter().position(|&s| s == u32::MAX).unwrap_or(0);
            let mut at = vec![0; n];
            let mut rest = o;
            for d in (0..n).rev() {
                at[d] = rest % sizes[d];
                rest /= sizes[d];
            }
            at
        } else {
            let mut at = vec![0; n];
            loop {
                if !sparse.contains_key(&at) {
                    break at;
                }
                let mut d = n;
                while d > 0 {
                    d -= 1;
                    at[d] += 1;
                    if at[d] < sizes[d] {
                        break;
                    }
                    at[d] = 0;
                }
            }
        };
        return Err(InputError::new(
            display,
            format!(
                "the cell {} has no row: a long file lists every cell of the cross product of its \
                 codes ({} cells, {} rows). Add its row (value 0 for a structural zero), or pass \
                 --absent zero to read every missing cell as a structural zero",
                crate::model::describe_at(&dimensions, &missing),
                product,
                rows
            ),
        ));
    }
    drop(slots);
    drop(sparse);
    let absent = if long.absent_zero {
        Absent::Zero
    } else {
        Absent::Error
    };
    let table = Table::new(stem, dimensions, cells, absent, Layout::Cube)
        .map_err(|e: ModelError| InputError::new(display, e.to_string()))?;
    Ok((
        Model {
            tables: vec![table],
            constraints: vec![],
            source: display.to_string(),
            decimals,
            negative: base.allow_negative,
        },
        warnings,
        LongInfo {
            delimiter,
            meanings,
            sdmx,
            value,
            flags,
            used,
            text: None,
        },
    ))
}

/// One dimension from its codes in first-seen order: its total, its
/// hierarchy. Returns the dimension and, for each code, its index in it.
fn build_dimension(
    name: &str,
    codes: &[String],
    first_line: &[usize],
    totals: &[String],
    spec: Option<&HierarchySpec>,
    default_totals: bool,
    display: &str,
) -> Result<(Dimension, Vec<usize>), InputError> {
    let is_total = |c: &str| totals.iter().any(|t| t.eq_ignore_ascii_case(c));
    let total_flag = if default_totals {
        "name the right one with --total-code"
    } else {
        "--total-code names only one per dimension"
    };
    let mut total: Option<usize> = None;
    for (i, c) in codes.iter().enumerate() {
        if is_total(c) {
            if let Some(t) = total {
                return Err(InputError::new(
                    display,
                    format!(
                        "dimension {name:?} has two total codes, {:?} (line {}) and {c:?}: a dimension \
                         has one grand total; {total_flag}",
                        codes[t], first_line[t]
                    ),
                )
                .at_line(first_line[i])
                .field(format!("column {name:?}")));
            }
            total = Some(i);
        }
    }
    let model_error = |e: ModelError| InputError::new(display, e.to_string());
    let given_tree = match spec {
        Some(HierarchySpec::File(path)) => Some(Tree::read(path)?),
        Some(HierarchySpec::Tree(tree)) => Some(tree.clone()),
        None | Some(HierarchySpec::Prefix) => None,
    };
    match given_tree {
        None => {
            let others: Vec<usize> = (0..codes.len()).filter(|&i| Some(i) != total).collect();
            let parents: Vec<Option<usize>> = match spec {
                Some(HierarchySpec::Prefix) => {
                    let names: Vec<&str> = others.iter().map(|&i| codes[i].as_str()).collect();
                    prefix_parents(&names)
                        .into_iter()
                        .map(|p| p.map(|p| others[p]))
                        .collect()
                }
                _ => vec![None; others.len()],
            };
            let mut parent = vec![None; codes.len()];
            for (k, &i) in others.iter().enumerate() {
                parent[i] = parents[k].or(total);
            }
            let dim =
                Dimension::new(name, codes.iter().cloned().zip(parent)).map_err(model_error)?;
            Ok((dim, (0..codes.len()).collect()))
        }
        Some(tree) => {
            let in_tree: HashMap<&str, usize> = tree
                .nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.code.as_str(), i))
                .collect();
            let in_data: HashMap<&str, usize> = codes
                .iter()
                .enumerate()
                .map(|(i, c)| (c.as_str(), i))
                .collect();
            for (i, c) in codes.iter().enumerate() {
                if Some(i) != total && !in_tree.contains_key(c.as_str()) {
                    return Err(InputError::new(
                        display,
                        format!(
                            "{c:?} is not a code of the hierarchy of {name:?} in {}: add it there, \
                             or correct the code",
                            tree.file
                        ),
                    )
                    .at_line(first_line[i])
                    .field(format!("column {name:?}")));
                }
            }
            for node in &tree.nodes {
                if !in_data.contains_key(node.code.as_str()) {
                    let at = if node.line > 0 {
                        format!(" (line {})", node.line)
                    } else {
                        String::new()
                    };
                    return Err(InputError::new(
                        display,
                        format!(
                            "the code {:?} of the hierarchy {}{at} has no row in column {name:?}: every \
                             code of the hierarchy needs its cells (remove it from the hierarchy if \
                             the table does not have it)",
                            node.code, tree.file
                        ),
                    ));
                }
            }
            // Dimension order: the total (when the tree does not hold it),
            // then the tree's codes.
            let mut list: Vec<(String, Option<usize>)> = Vec::new();
            let total_outside = total.filter(|&t| !in_tree.contains_key(codes[t].as_str()));
            let base = usize::from(total_outside.is_some());
            if let Some(t) = total_outside {
                list.push((codes[t].clone(), None));
            }
            for node in &tree.nodes {
                let parent = match node.parent {
                    Some(p) => Some(p + base),
                    None => total_outside.map(|_| 0),
                };
                list.push((node.code.clone(), parent));
            }
            let position: HashMap<String, usize> = list
                .iter()
                .enumerate()
                .map(|(i, (c, _))| (c.clone(), i))
                .collect();
            let map = codes.iter().map(|c| position[c.as_str()]).collect();
            let dim = Dimension::new(name, list).map_err(model_error)?;
            Ok((dim, map))
        }
    }
}

/// Writes a long file back with `lower`, `upper`, `status` and `meaning`
/// appended to each row, in the file's order: `row(i)` gives the first
/// three for data row `i`. The header gets the four names.
pub fn write_with_bounds(
    out: &mut dyn std::io::Write,
    bytes: &[u8],
    info: &LongInfo,
    mut row: impl FnMut(usize) -> [String; 3],
) -> std::io::Result<()> {
    let mut reader = reread(bytes, info);
    let mut writer = csv::WriterBuilder::new()
        .delimiter(info.delimiter)
        .from_writer(out);
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    let mut i = 0usize;
    while reader
        .read_byte_record(&mut record)
        .map_err(std::io::Error::other)?
    {
        if first {
            first = false;
            for f in record.iter() {
                writer.write_field(f)?;
            }
            for f in ["lower", "upper", "status", "meaning"] {
                writer.write_field(f)?;
            }
            writer.write_record(None::<&[u8]>)?;
            continue;
        }
        // Only the data rows (not CDC WONDER's notes after them).
        if i >= info.meanings.len() {
            break;
        }
        for f in record.iter() {
            writer.write_field(f)?;
        }
        let [lo, hi, status] = row(i);
        writer.write_field(lo)?;
        writer.write_field(hi)?;
        writer.write_field(status)?;
        writer.write_field(info.meaning(i))?;
        writer.write_record(None::<&[u8]>)?;
        i += 1;
    }
    writer.flush()
}

/// A long file read again, header first, as the reader split it: for the
/// writers that give its rows back.
fn reread<'b>(bytes: &'b [u8], info: &LongInfo) -> csv::Reader<&'b [u8]> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    csv::ReaderBuilder::new()
        .delimiter(info.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
}

/// The text of column `name` (matched case-insensitively) on each data
/// row of a long file, in row order (row `i` is the model's cell `i`):
/// another column of the file than the value and flags, such as a cost.
/// `None` when the header has no such column.
///
/// ```
/// use cellbound_core::io::{long, GridOptions};
///
/// let text = "GEO,VALUE,COST\nA,1,2.5\nB,2,1\nTotal,3,9\n";
/// let mut options = GridOptions::default();
/// options.long.dims = Some(vec!["GEO".into()]);
/// let (_, _, info) = long::read_with_warnings(text.as_bytes(), "t.csv", "t", &options).unwrap();
/// let cost = long::column(text.as_bytes(), &info, "cost").unwrap().unwrap();
/// assert_eq!(cost, ["2.5", "1", "9"]);
/// ```
pub fn column(bytes: &[u8], info: &LongInfo, name: &str) -> Result<Option<Vec<String>>, String> {
    let mut reader = reread(bytes, info);
    let mut record = csv::StringRecord::new();
    let mut at: Option<usize> = None;
    let mut out = Vec::with_capacity(info.meanings.len());
    let mut first = true;
    while reader
        .read_record(&mut record)
        .map_err(|e| format!("cannot read the file again: {e}"))?
    {
        if first {
            first = false;
            at = record
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name));
            if at.is_none() {
                return Ok(None);
            }
            continue;
        }
        // Only the data rows (not CDC WONDER's notes after them).
        if out.len() >= info.meanings.len() {
            break;
        }
        let field = at.and_then(|c| record.get(c)).unwrap_or("");
        out.push(field.trim().to_string());
    }
    Ok(Some(out))
}

/// Writes a long file back filled (`impute`): every row as read, but for
/// a row that `value(i)` gives a value (data row `i`, from 0, a hidden
/// cell), that value in the value column and its flag columns emptied, so
/// that the file reads back as a table with every cell published.
pub fn write_filled(
    out: &mut dyn std::io::Write,
    bytes: &[u8],
    info: &LongInfo,
    mut value: impl FnMut(usize) -> Option<String>,
) -> std::io::Result<()> {
    let mut reader = reread(bytes, info);
    let mut writer = csv::WriterBuilder::new()
        .delimiter(info.delimiter)
        .from_writer(out);
    let mut record = csv::ByteRecord::new();
    let mut row: Option<usize> = None;
    while reader
        .read_byte_record(&mut record)
        .map_err(std::io::Error::other)?
    {
        // Only the data rows (not CDC WONDER's notes after them).
        if row.is_some_and(|r| r >= info.meanings.len()) {
            break;
        }
        let filled = row.and_then(&mut value);
        for (k, f) in record.iter().enumerate() {
            match &filled {
                Some(v) if k == info.value => writer.write_field(v)?,
                Some(_) if info.flags.contains(&k) => writer.write_field("")?,
                _ => writer.write_field(f)?,
            }
        }
        writer.write_record(None::<&[u8]>)?;
        row = Some(row.map_or(0, |r| r + 1));
    }
    writer.flush()
}
