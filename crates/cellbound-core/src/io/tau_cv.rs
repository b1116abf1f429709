//! τ-ARGUS code-value tables (`--layout tau`): the file τ-ARGUS writes
//! with "Save table" as "Code-value" (libtauargus `WriteCellRecords`),
//! one line per cell, the codes of the explanatory variables quoted, then
//! the value, then, with "Add status", τ-ARGUS's status number:
//!
//! ```text
//! "Region","Size","Turnover","Status"      optional: the variable names
//! "Total","Total",1250.50,1
//! "North","Total",800.25,1
//! "North","Small",12.50,3
//! ```
//!
//! The file is read as a long file ([`super::long`]): its quoted leading
//! fields are the dimensions (named by the first line when it holds the
//! variable names, else `dim1`, `dim2`, ...), the next field is the value
//! and the last, when present, the status. Hierarchies, totals and
//! missing cells are the long reader's (`--hierarchy`, `--total-code`,
//! `--absent zero`). The status numbers mean, in τ-ARGUS's words
//! (`CellStatus.java`):
//!
//! | status | τ-ARGUS | cellbound |
//! |---|---|---|
//! | 1, 2 | "Safe", "Safe (manual)" | published |
//! | 10 | "Protected" | published |
//! | 13 | "Empty (non-struct.)" | published |
//! | 3 to 9 | "Unsafe", "Unsafe (request)", "Unsafe (freq)", "Unsafe (zero cell)", "Unsafe (singleton)", "Unsafe (singleton) (manual)", "Unsafe (manual)" | secondary: hidden, possibly large |
//! | 11, 12 | "Secondary", "Secondary (from manual)" | secondary |
//! | 14 | "Empty" | absent (0) |
//!
//! A primary-unsafe cell of a magnitude table need not be small, so it is
//! read as possibly large; `--flag-meaning 5=hidden` reads the cells
//! unsafe by the frequency rule as below the threshold instead. Without a
//! status column, τ-ARGUS writes `x` for a suppressed cell (secondary)
//! and `-` for an empty one (absent). With a status, τ-ARGUS writes a
//! suppressed cell's true value: it is not read (the cell is hidden).

use std::collections::HashMap;

use super::cell_text::{CellSyntax, Decimal, FlagMeaning};
use super::hierarchy::{HierarchySpec, Tree};
use super::long::{self, InputLayout, LongInfo};
use super::GridOptions;
use crate::error::{InputError, InputWarning};
use crate::model::Model;

/// The status numbers of τ-ARGUS (libtauargus `CellStatusItems`), their
/// names in τ-ARGUS (`CellStatus.java`) and what each is read as. The
/// status is read by its name (the flags said on standard error are the
/// names), so that a status number never reads as part of a value.
pub const STATUS_MEANINGS: [(&str, &str, FlagMeaning); 14] = [
    ("1", "Safe", FlagMeaning::Published),
    ("2", "Safe (manual)", FlagMeaning::Published),
    ("3", "Unsafe", FlagMeaning::Secondary),
    ("4", "Unsafe (request)", FlagMeaning::Secondary),
    ("5", "Unsafe (freq)", FlagMeaning::Secondary),
    ("6", "Unsafe (zero cell)", FlagMeaning::Secondary),
    ("7", "Unsafe (singleton)", FlagMeaning::Secondary),
    ("8", "Unsafe (singleton) (manual)", FlagMeaning::Secondary),
    ("9", "Unsafe (manual)", FlagMeaning::Secondary),
    ("10", "Protected", FlagMeaning::Published),
    ("11", "Secondary", FlagMeaning::Secondary),
    ("12", "Secondary (from manual)", FlagMeaning::Secondary),
    ("13", "Empty (non-struct.)", FlagMeaning::Published),
    ("14", "Empty", FlagMeaning::Absent),
];

/// The syntax `--flag-meaning` and `--marker` gave (or the default with
/// the markers), its flags renamed to the status names τ-ARGUS's codes
/// stand for (`name_of`: a code to its status, `None` for a flag that is
/// no code), so that a user's mapping of a code maps its status.
pub(super) fn given_syntax(
    options: &GridOptions,
    name_of: impl Fn(&str) -> Option<&'static str>,
) -> CellSyntax {
    let mut syntax = options.long.syntax.clone().unwrap_or_else(|| CellSyntax {
        markers: options.markers.clone(),
        ..Default::default()
    });
    for (flag, _) in syntax.flags.iter_mut() {
        if let Some(name) = name_of(flag) {
            *flag = name.to_string();
        }
    }
    syntax
}

/// The name of a status number, or `None` for a number τ-ARGUS does not
/// write.
pub(crate) fn status_name(number: &str) -> Option<&'static str> {
    STATUS_MEANINGS
        .iter()
        .find(|(n, ..)| *n == number.trim())
        .map(|(_, name, _)| *name)
}

/// One field of a line: its text, and whether it was quoted.
pub(crate) type Field = (String, bool);

/// The fields of one line, separated by `,`; a field may be quoted (`""`
/// inside is a quote).
fn fields(line: &str) -> Result<Vec<Field>, String> {
    fields_by(line, ',')
}

/// [`fields`] with another separator.
pub(crate) fn fields_by(line: &str, sep: char) -> Result<Vec<Field>, String> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        let lead = rest.len() - rest.trim_start().len();
        rest = &rest[lead..];
        if let Some(after) = rest.strip_prefix('"') {
            let mut text = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next() {
                    Some((i, '"')) => {
                        if after[i + 1..].starts_with('"') {
                            text.push('"');
                            chars.next();
                        } else {
                            break i + 1;
                        }
                    }
                    Some((_, c)) => text.push(c),
                    None => {
                        return Err(format!(
                            "field {} opens a quote and never closes it",
                            out.len() + 1
                        ))
                    }
                }
            };
            out.push((text, true));
            rest = after[end..].trim_start();
            if rest.is_empty() {
                return Ok(out);
            }
            let Some(r) = rest.strip_prefix(sep) else {
                return Err(format!(
                    "field {} has text after its closing quote",
                    out.len()
                ));
            };
            rest = r;
        } else {
            match rest.find(sep) {
                Some(i) => {
                    out.push((rest[..i].trim().to_string(), false));
                    rest = &rest[i + 1..];
                }
                None => {
                    out.push((rest.trim().to_string(), false));
                    return Ok(out);
                }
            }
        }
    }
}

/// A field as a CSV field of the long file.
pub(crate) fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Reads a τ-ARGUS code-value table (see the module doc) with the options
/// of long files. `display` names the file in messages. The [`LongInfo`]
/// is that of the long file it is read as, not of this file: it is not
/// for writing the file back.
///
/// ```
/// use cellbound_core::io::long::InputLayout;
/// use cellbound_core::io::{tau_cv, GridOptions};
/// use cellbound_core::Entry;
///
/// let text = "\"Total\",20,1\n\"A\",12,1\n\"B\",5,3\n\"C\",3,11\n";
/// let options = GridOptions { layout: Some(InputLayout::Tau), ..Default::default() };
/// let (model, _, _) = tau_cv::read_with_warnings(text.as_bytes(), "t.csv", "t", &options).unwrap();
/// let cells = &model.tables[0].cells;
/// assert_eq!(cells.len(), 4);
/// assert!(cells.iter().any(|c| c.entry == Entry::Published(12)));
/// assert_eq!(cells.iter().filter(|c| !matches!(c.entry, Entry::Published(_))).count(), 2);
/// ```
pub fn read_with_warnings(
    bytes: &[u8],
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<(Model, Vec<InputWarning>, LongInfo), InputError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = body[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        InputError::new(display, "the file is not valid UTF-8: save it as UTF-8").at_line(line)
    })?;
    for (given, flag) in [
        (options.long.dims.is_some(), "--dims"),
        (options.long.value.is_some(), "--value"),
        (options.long.flag.is_some(), "--flag"),
    ] {
        if given {
            return Err(InputError::new(
                display,
                format!(
                    "{flag} does not apply to a τ-ARGUS code-value table (--layout tau): its \
                     quoted fields are the dimensions, then come the value and the status; \
                     leave {flag} out"
                ),
            ));
        }
    }
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let data = |l: &str| !l.trim().is_empty();
    let Some(first_at) = lines.iter().position(|l| data(l)) else {
        return Err(InputError::new(
            display,
            "the file is empty: expected a τ-ARGUS code-value table (\"code\",\"code\",value,status lines)",
        ));
    };
    let bad = |line: usize, m: String| InputError::new(display, m).at_line(line + 1);
    let first = fields(lines[first_at]).map_err(|m| bad(first_at, m))?;
    // The variable names: a first line whose fields after the codes are
    // not a value. τ-ARGUS quotes every name when it quotes the codes.
    let is_value = |f: &Field| !f.1 && (f.0 == "x" || f.0 == "-" || f.0.parse::<f64>().is_ok());
    let names_line = first.len() >= 2 && first.iter().all(|f| f.1 || !is_value(f));
    let shape_at = if names_line {
        lines
            .iter()
            .enumerate()
            .skip(first_at + 1)
            .find(|(_, l)| data(l))
            .map(|(i, _)| i)
    } else {
        Some(first_at)
    };
    let Some(shape_at) = shape_at else {
        return Err(bad(
            first_at,
            "the file has the variable names and no cell line".into(),
        ));
    };
    let shape = fields(lines[shape_at]).map_err(|m| bad(shape_at, m))?;
    let dims = shape.iter().take_while(|f| f.1).count();
    let rest = shape.len() - dims;
    if dims == 0 {
        return Err(bad(
            shape_at,
            "the codes are not quoted: a τ-ARGUS code-value table is read by its quoted codes; \
             save the table in τ-ARGUS with \"Embed spanning variables in quotes\""
                .into(),
        ));
    }
    if !(1..=2).contains(&rest) {
        return Err(bad(
            shape_at,
            format!(
                "{dims} quoted codes followed by {rest} fields: a code-value line has the codes, \
                 the value and, with \"Add status\", the status"
            ),
        ));
    }
    let with_status = rest == 2;
    let names: Vec<String> = if names_line {
        if first.len() != shape.len() {
            return Err(bad(
                first_at,
                format!(
                    "the first line names {} columns and the cell lines have {}",
                    first.len(),
                    shape.len()
                ),
            ));
        }
        first[..dims].iter().map(|f| f.0.clone()).collect()
    } else {
        (1..=dims).map(|k| format!("dim{k}")).collect()
    };
    // The long file: a header, then each line as it was (blank lines kept
    // so that line numbers stay the file's, one more when the header is
    // added).
    let mut hierarchies = options.long.hierarchies.clone();
    let mut said = Vec::new();
    let mut repeats = Repeats::load(&mut hierarchies, &names, &mut said)?;
    let mut out = String::with_capacity(text.len() + 64);
    let mut header: Vec<String> = names.iter().map(|n| quoted(n)).collect();
    header.push("VALUE".into());
    if with_status {
        header.push("STATUS".into());
    }
    out.push_str(&header.join(","));
    out.push('\n');
    for (i, line) in lines.iter().enumerate() {
        if (names_line && i == first_at) || (i + 1 == lines.len() && line.is_empty()) {
            continue;
        }
        if !data(line) {
            out.push('\n');
            continue;
        }
        let f = fields(line).map_err(|m| bad(i, m))?;
        if f.len() != shape.len() || f.iter().take_while(|f| f.1).count() != dims {
            return Err(bad(
                i,
                format!(
                    "{} fields, {} of them quoted codes, where line {} has {}: {dims} quoted \
                     codes and {}; every line of a code-value table has the same layout",
                    f.len(),
                    f.iter().take_while(|f| f.1).count(),
                    shape_at + 1,
                    shape.len(),
                    if with_status {
                        "a value and a status"
                    } else {
                        "a value"
                    },
                ),
            ));
        }
        let mut row: Vec<String> = f
            .iter()
            .map(|(t, q)| if *q { quoted(t) } else { t.clone() })
            .collect();
        let codes: Vec<&str> = f[..dims].iter().map(|(t, _)| t.trim()).collect();
        for (d, field) in row.iter_mut().enumerate().take(dims) {
            if let Some(path) = repeats.name(d, &codes).map_err(|m| bad(i, m))? {
                *field = quoted(&path);
            }
        }
        if with_status {
            // The status by its name; a number τ-ARGUS does not write
            // stays as it is, an unknown flag to the long reader.
            let last = row.len() - 1;
            if let Some(name) = status_name(&f[last].0) {
                row[last] = quoted(name);
            }
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    let mut long_options = options.clone();
    long_options.long.hierarchies = hierarchies;
    long_options.layout = Some(InputLayout::Long);
    long_options.delimiter = Some(b',');
    long_options.long.dims = Some(names);
    long_options.long.value = Some("VALUE".into());
    long_options.long.flag = with_status.then(|| "STATUS".to_string());
    // --flag-meaning first (a status number given there names its
    // status): the first mapping of a flag wins.
    let mut syntax = given_syntax(options, status_name);
    if with_status {
        syntax.flags.extend(
            STATUS_MEANINGS
                .iter()
                .map(|(_, name, m)| (name.to_string(), *m)),
        );
    }
    syntax.flags.push(("x".into(), FlagMeaning::Secondary));
    syntax.flags.push(("-".into(), FlagMeaning::Absent));
    // τ-ARGUS writes amounts with a decimal point (`%.*f`).
    if syntax.decimal.is_none() {
        syntax.decimal = Some(Decimal::Dot);
    }
    long_options.long.syntax = Some(syntax);
    // Lines of the long file are the file's, one more when the header was
    // added.
    let shift = |line: Option<usize>| {
        line.map(|l| {
            if names_line {
                l
            } else {
                l.saturating_sub(1).max(1)
            }
        })
    };
    match long::read_with_warnings(out.as_bytes(), display, stem, &long_options) {
        Ok((model, warnings, info)) => Ok((
            model,
            warnings
                .into_iter()
                .map(|mut w| {
                    if w.0.file == display {
                        w.0.line = shift(w.0.line);
                    }
                    w
                })
                .chain(said)
                .collect(),
            info,
        )),
        Err(mut e) => {
            // Only the lines of this file move, not those of a hierarchy.
            if e.file == display {
                e.line = shift(e.line);
            }
            Err(e)
        }
    }
}

/// The codes listed under two parents or more in the `.hrc` hierarchies
/// of a τ-ARGUS file's dimensions, told apart by their paths
/// ([`Tree::hrc_paths`]): τ-ARGUS writes one row for each place of such a
/// code, in the order of the hierarchy, so the n-th row of a code for the
/// same other codes is its n-th path.
pub(crate) struct Repeats {
    /// By dimension: each repeated code and its paths.
    dims: Vec<HashMap<String, Vec<String>>>,
    /// The hierarchy file of each dimension, for messages.
    files: Vec<String>,
    /// The rows met of (dimension, code, other codes).
    seen: HashMap<(usize, String, String), usize>,
}

impl Repeats {
    /// Reads the `.hrc` files given for the dimensions `names`; those with
    /// repeated codes are replaced by their trees named by paths, each
    /// repeated code said in `warnings`.
    pub(crate) fn load(
        hierarchies: &mut [(String, HierarchySpec)],
        names: &[String],
        warnings: &mut Vec<InputWarning>,
    ) -> Result<Repeats, InputError> {
        let mut repeats = Repeats {
            dims: vec![HashMap::new(); names.len()],
            files: vec![String::new(); names.len()],
            seen: HashMap::new(),
        };
        for (dim, spec) in hierarchies.iter_mut() {
            let Some(d) = names.iter().position(|n| n.eq_ignore_ascii_case(dim)) else {
                continue;
            };
            let HierarchySpec::File(path) = spec else {
                continue;
            };
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                continue;
            }
            let (display, _) = super::names(path);
            let bytes = super::read_file(path, &display)?;
            let text = String::from_utf8_lossy(&bytes);
            let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
            if text.trim_start().starts_with(['{', '[']) {
                continue;
            }
            let (tree, repeated) = Tree::hrc_paths(text, &display)?;
            if repeated.is_empty() {
                continue;
            }
            for (code, paths) in &repeated {
                warnings.push(InputWarning::new(
                    &display,
                    format!(
                        "the code {code:?} of {dim} is listed under {} parents: its cells are \
                         told apart by their paths {}, its rows taken in the hierarchy's order",
                        paths.len(),
                        paths.join(" and ")
                    ),
                ));
            }
            repeats.dims[d] = repeated.into_iter().collect();
            repeats.files[d] = display;
            *spec = HierarchySpec::Tree(tree);
        }
        Ok(repeats)
    }

    /// The repeated codes of dimension `d`.
    pub(crate) fn codes(&self, d: usize) -> Vec<String> {
        self.dims[d].keys().cloned().collect()
    }

    /// The name of dimension `d`'s code in a row with the codes `codes`
    /// (trimmed): its next path when it is repeated, else `None`.
    pub(crate) fn name(&mut self, d: usize, codes: &[&str]) -> Result<Option<String>, String> {
        let code = codes[d];
        let Some(paths) = self.dims[d].get(code) else {
            return Ok(None);
        };
        let others: Vec<&str> = codes
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != d)
            .map(|(_, c)| *c)
            .collect();
        let seen = self
            .seen
            .entry((d, code.to_string(), others.join("\u{1f}")))
            .or_default();
        let Some(path) = paths.get(*seen) else {
            return Err(format!(
                "a row coded {code:?} more than the {} places of {code:?} in {} ({})",
                paths.len(),
                self.files[d],
                paths.join(", ")
            ));
        };
        *seen += 1;
        Ok(Some(path.clone()))
    }
}
