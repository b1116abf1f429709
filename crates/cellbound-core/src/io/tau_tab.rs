//! τ-ARGUS tabular input: a `.tab` file of cells with its `.rda`
//! metadata (τ-ARGUS's `Metadata.readTableMetadata` and
//! `TableSet` reading), read as a long file ([`super::long`]).
//!
//! The `.rda` file lists the variables in the order of the `.tab` file's
//! fields, each a name (and its missing codes) on a line, followed by its
//! attributes:
//!
//! ```text
//!    <SEPARATOR> ";"
//! Region "99"
//!     <RECODEABLE>
//!     <TOTCODE> "Total"
//!     <HIERARCHICAL>
//!     <HIERCODELIST> "region.hrc"
//!     <HIERLEADSTRING> "@"
//! Turnover
//!     <NUMERIC>
//!     <DECIMALS> 2
//! Freq
//!     <FREQUENCY>
//! Status
//!     <STATUS>
//! ```
//!
//! - **Explanatory variables** (those that are none of `<NUMERIC>`,
//!   `<FREQUENCY>`, `<MAXSCORE>`, `<STATUS>`) are the dimensions, in order;
//!   `<TOTCODE>` names each one's total code (`Total` when absent);
//!   `<HIERARCHICAL>` with `<HIERCODELIST>` reads the `.hrc` file (looked
//!   up as written, then beside the `.rda` file, as τ-ARGUS does) unless
//!   `--hierarchy` names that dimension; a `<HIERLEADSTRING>` other than
//!   `@` is an error.
//! - **The response** is the variable named by `--value`, else the first
//!   `<NUMERIC>` variable that is not `<SHADOW>`, `<COST>`/`<COSTVAR>`,
//!   `<LOWERPL>` or `<UPPERPL>`, else the `<FREQUENCY>` variable. A value
//!   of `-` or nothing is an empty cell (0), as in τ-ARGUS.
//! - **The status** (`<STATUS>`): `<SAFE>` (default `S`), `<PROTECT>`
//!   (`P`) published; `<UNSAFE>` (`U`) and `M` (secondary) hidden,
//!   possibly large; `E` empty (0), case-insensitive, as τ-ARGUS reads
//!   them. Without a status variable every cell is published.
//! - Values are read with a decimal point; with a separator other than
//!   `,` a decimal comma (`16847646,84`) is read too.

use std::path::{Path, PathBuf};

use super::cell_text::{Decimal, FlagMeaning};
use super::hierarchy::HierarchySpec;
use super::long::{self, InputLayout, LongInfo};
use super::tau_cv::{self, fields_by, quoted, Repeats, STATUS_MEANINGS};
use super::GridOptions;
use crate::error::{InputError, InputWarning};
use crate::model::Model;

/// What a variable of an `.rda` file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    Explanatory,
    Numeric,
    /// `<NUMERIC>` with `<SHADOW>`, `<COST>`, `<COSTVAR>`, `<LOWERPL>` or
    /// `<UPPERPL>`: not a response.
    NumericOther,
    Frequency,
    MaxScore,
    Status,
}

/// One variable of an `.rda` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdaVar {
    pub name: String,
    /// Its line in the `.rda` file.
    pub line: usize,
    pub kind: VarKind,
    pub total_code: Option<String>,
    pub hierarchical: bool,
    pub hier_codelist: Option<String>,
    pub lead_string: Option<String>,
    /// The missing codes written after the name (`Region "99"`).
    pub missing: Vec<String>,
}

/// The metadata of a `.tab` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rda {
    pub separator: String,
    pub safe: String,
    pub unsafe_: String,
    pub protect: String,
    pub vars: Vec<RdaVar>,
}

/// The tokens of a line: white space separates them, `"..."` is one.
fn tokens(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('"') {
            let end = after.find('"').unwrap_or(after.len());
            out.push(after[..end].to_string());
            rest = after.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// Reads an `.rda` file of tabular input. `display` names it in messages.
///
/// ```
/// use cellbound_core::io::tau_tab::{parse_rda, VarKind};
///
/// let rda = parse_rda("<SEPARATOR> \";\"\nRegion \"99\"\n <TOTCODE> \"All\"\nPay\n <NUMERIC> <DECIMALS> 2\n", "t.rda").unwrap();
/// assert_eq!(rda.separator, ";");
/// assert_eq!(rda.vars[0].kind, VarKind::Explanatory);
/// assert_eq!(rda.vars[0].total_code.as_deref(), Some("All"));
/// assert_eq!(rda.vars[1].kind, VarKind::Numeric);
/// ```
pub fn parse_rda(text: &str, display: &str) -> Result<Rda, InputError> {
    let mut rda = Rda {
        separator: ",".into(),
        safe: "S".into(),
        unsafe_: "U".into(),
        protect: "P".into(),
        vars: Vec::new(),
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let toks = tokens(raw);
        let Some(first) = toks.first() else { continue };
        let bad = |m: String| InputError::new(display, m).at_line(line);
        let arg = |k: usize| {
            toks.get(k)
                .cloned()
                .ok_or_else(|| bad(format!("{} needs a value after it", toks[k - 1])))
        };
        if !first.starts_with('<') {
            rda.vars.push(RdaVar {
                name: first.clone(),
                line,
                kind: VarKind::Explanatory,
                total_code: None,
                hierarchical: false,
                hier_codelist: None,
                lead_string: None,
                missing: toks[1..].iter().map(|t| t.trim().to_string()).collect(),
            });
            continue;
        }
        let mut k = 0;
        while k < toks.len() {
            let tok = toks[k].to_ascii_uppercase();
            k += 1;
            let global = matches!(
                tok.as_str(),
                "<SEPARATOR>" | "<SAFE>" | "<UNSAFE>" | "<PROTECT>"
            );
            if global {
                let v = arg(k)?;
                k += 1;
                match tok.as_str() {
                    "<SEPARATOR>" => rda.separator = v,
                    "<SAFE>" => rda.safe = v.to_uppercase(),
                    "<UNSAFE>" => rda.unsafe_ = v.to_uppercase(),
                    _ => rda.protect = v.to_uppercase(),
                }
                continue;
            }
            let Some(var) = rda.vars.last_mut() else {
                return Err(bad(format!(
                    "{} comes before any variable: each attribute follows its variable's line",
                    toks[k - 1]
                )));
            };
            match tok.as_str() {
                // <SHADOW> and the like may come before <NUMERIC>.
                "<NUMERIC>" if var.kind == VarKind::Explanatory => var.kind = VarKind::Numeric,
                "<SHADOW>" | "<COST>" | "<COSTVAR>" | "<LOWERPL>" | "<UPPERPL>" => {
                    var.kind = VarKind::NumericOther
                }
                "<FREQUENCY>" => var.kind = VarKind::Frequency,
                "<MAXSCORE>" => var.kind = VarKind::MaxScore,
                "<STATUS>" => var.kind = VarKind::Status,
                "<TOTCODE>" => {
                    var.total_code = Some(arg(k)?);
                    k += 1;
                }
                "<HIERARCHICAL>" => var.hierarchical = true,
                "<HIERCODELIST>" => {
                    var.hier_codelist = Some(arg(k)?);
                    k += 1;
                }
                "<HIERLEADSTRING>" => {
                    var.lead_string = Some(arg(k)?);
                    k += 1;
                }
                "<DECIMALS>" | "<CODELIST>" => k += 1,
                "<DISTANCE>" | "<HIERLEVELS>" => k = toks.len(),
                // Other attributes (<RECODEABLE>, <REQUEST>, ...) say
                // nothing about the table's cells.
                _ => {}
            }
        }
    }
    if rda.separator.chars().count() != 1 {
        return Err(InputError::new(
            display,
            format!(
                "<SEPARATOR> {:?}: cellbound reads a separator of one character",
                rda.separator
            ),
        ));
    }
    Ok(rda)
}

/// The `.rda` file of a `.tab` file: `metadata` when given, else the file
/// beside it with the extension `.rda` (or `.RDA`).
pub fn metadata_path(tab: &Path, metadata: Option<&Path>) -> Result<PathBuf, InputError> {
    if let Some(m) = metadata {
        return Ok(m.to_path_buf());
    }
    for ext in ["rda", "RDA", "Rda"] {
        let p = tab.with_extension(ext);
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(InputError::new(
        tab.display().to_string(),
        format!(
            "a τ-ARGUS .tab file is read with its .rda metadata, and there is no {} beside it: \
             give it with --metadata FILE.rda",
            tab.with_extension("rda").display()
        ),
    ))
}

/// Whether a path is a τ-ARGUS `.tab` file (by its extension).
pub fn is_tab(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("tab"))
}

/// Reads a `.tab` file (`bytes`, named `display`) with its `.rda` file at
/// `rda_path` (see the module doc), with the options of long files.
pub fn read_with_warnings(
    bytes: &[u8],
    display: &str,
    stem: &str,
    rda_path: &Path,
    options: &GridOptions,
) -> Result<(Model, Vec<InputWarning>, LongInfo), InputError> {
    let rda_display = rda_path.display().to_string();
    let rda_bytes = super::read_file(rda_path, &rda_display)?;
    let rda_text = String::from_utf8_lossy(&rda_bytes);
    let rda = parse_rda(&rda_text, &rda_display)?;
    for (given, flag) in [
        (options.long.dims.is_some(), "--dims"),
        (options.long.flag.is_some(), "--flag"),
    ] {
        if given {
            return Err(InputError::new(
                display,
                format!(
                    "{flag} does not apply to a τ-ARGUS .tab file: its .rda metadata names the \
                     variables ({rda_display}); leave {flag} out"
                ),
            ));
        }
    }
    let dims: Vec<usize> = (0..rda.vars.len())
        .filter(|&i| rda.vars[i].kind == VarKind::Explanatory)
        .collect();
    if dims.is_empty() {
        return Err(InputError::new(
            &rda_display,
            "no explanatory variable: a variable with none of <NUMERIC>, <FREQUENCY>, \
             <MAXSCORE>, <STATUS> is a dimension of the table",
        ));
    }
    let response = match &options.long.value {
        Some(name) => rda
            .vars
            .iter()
            .position(|v| v.name.eq_ignore_ascii_case(name))
            .filter(|&i| {
                matches!(
                    rda.vars[i].kind,
                    VarKind::Numeric | VarKind::NumericOther | VarKind::Frequency
                )
            })
            .ok_or_else(|| {
                InputError::new(
                    &rda_display,
                    format!("--value {name}: no <NUMERIC> or <FREQUENCY> variable of that name"),
                )
            })?,
        None => rda
            .vars
            .iter()
            .position(|v| v.kind == VarKind::Numeric)
            .or_else(|| rda.vars.iter().position(|v| v.kind == VarKind::Frequency))
            .ok_or_else(|| {
                InputError::new(
                    &rda_display,
                    "no response variable: no <NUMERIC> (not <SHADOW>, <COST>, <LOWERPL>, \
                     <UPPERPL>) or <FREQUENCY> variable",
                )
            })?,
    };
    let status = rda.vars.iter().position(|v| v.kind == VarKind::Status);
    let sep = rda.separator.chars().next().unwrap_or(',');
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let line = body[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        InputError::new(display, "the file is not valid UTF-8: save it as UTF-8").at_line(line)
    })?;
    let mut long_options = options.clone();
    long_options.layout = Some(InputLayout::Long);
    long_options.delimiter = Some(b',');
    long_options.long.dims = Some(dims.iter().map(|&i| rda.vars[i].name.clone()).collect());
    long_options.long.value = Some("VALUE".into());
    long_options.long.flag = status.map(|_| "STATUS".to_string());
    if long_options.long.total_codes.is_empty() {
        long_options.long.total_codes = dims
            .iter()
            .map(|&i| {
                rda.vars[i]
                    .total_code
                    .clone()
                    .unwrap_or_else(|| "Total".into())
            })
            .collect();
    }
    let rda_dir = rda_path.parent().unwrap_or(Path::new("."));
    for &i in &dims {
        let var = &rda.vars[i];
        let given = long_options
            .long
            .hierarchies
            .iter()
            .any(|(d, _)| d.eq_ignore_ascii_case(&var.name));
        let Some(file) = var
            .hier_codelist
            .as_ref()
            .filter(|_| var.hierarchical && !given)
        else {
            continue;
        };
        if var.lead_string.as_deref().is_some_and(|l| l != "@") {
            return Err(InputError::new(
                &rda_display,
                format!(
                    "{}: <HIERLEADSTRING> {:?}: cellbound reads .hrc files indented with @; \
                     rewrite {file} with @, or give --hierarchy {}=FILE",
                    var.name,
                    var.lead_string.as_deref().unwrap_or(""),
                    var.name
                ),
            )
            .at_line(var.line));
        }
        let as_written = PathBuf::from(file);
        let path = if as_written.is_file() {
            as_written
        } else {
            let beside = rda_dir.join(Path::new(file).file_name().unwrap_or_default());
            if !beside.is_file() {
                return Err(InputError::new(
                    &rda_display,
                    format!(
                        "{}: <HIERCODELIST> {file:?} is neither a file nor a file beside the \
                         .rda file ({}): give it with --hierarchy {}=FILE",
                        var.name,
                        beside.display(),
                        var.name
                    ),
                )
                .at_line(var.line));
            }
            beside
        };
        long_options
            .long
            .hierarchies
            .push((var.name.clone(), HierarchySpec::File(path)));
    }
    // The codes of each dimension's .hrc file: a row whose code is the
    // variable's missing code and not in its hierarchy is left out when
    // it is empty (τ-ARGUS writes such rows), an error otherwise.
    let dim_names: Vec<String> = dims.iter().map(|&i| rda.vars[i].name.clone()).collect();
    let mut repeated_said = Vec::new();
    let mut repeats = Repeats::load(
        &mut long_options.long.hierarchies,
        &dim_names,
        &mut repeated_said,
    )?;
    let mut hrc_codes: Vec<Option<std::collections::HashSet<String>>> = vec![None; dims.len()];
    for (k, &i) in dims.iter().enumerate() {
        let spec = long_options
            .long
            .hierarchies
            .iter()
            .find(|(d, _)| d.eq_ignore_ascii_case(&rda.vars[i].name));
        let tree = match spec {
            Some((_, HierarchySpec::File(path))) => super::hierarchy::Tree::read(path)?,
            Some((_, HierarchySpec::Tree(tree))) => tree.clone(),
            _ => continue,
        };
        // A repeated code's rows carry the code itself.
        let mut codes: std::collections::HashSet<String> =
            tree.nodes.into_iter().map(|n| n.code).collect();
        codes.extend(repeats.codes(k));
        hrc_codes[k] = Some(codes);
    }
    let mut left_out: Vec<(String, String, usize)> = Vec::new();
    // The long file: a header line, then each line of the file (so that a
    // line of the long file is one more than the file's).
    let mut out = String::with_capacity(text.len() + 64);
    let mut header: Vec<String> = dims.iter().map(|&i| quoted(&rda.vars[i].name)).collect();
    header.push("VALUE".into());
    if status.is_some() {
        header.push("STATUS".into());
    }
    out.push_str(&header.join(","));
    out.push('\n');
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            if i + 1 < lines.len() {
                out.push('\n');
            }
            continue;
        }
        let bad = |m: String| InputError::new(display, m).at_line(i + 1);
        let f = fields_by(line, sep).map_err(bad)?;
        if f.len() != rda.vars.len() {
            return Err(bad(format!(
                "{} fields where the .rda metadata ({rda_display}) lists {} variables, one field \
                 each",
                f.len(),
                rda.vars.len()
            )));
        }
        let value = f[response].0.trim();
        let empty =
            value.is_empty() || value == "-" || value.chars().all(|c| matches!(c, '0' | '.' | ','));
        let mut skip = false;
        for (k, &d) in dims.iter().enumerate() {
            let code = f[d].0.trim();
            let var = &rda.vars[d];
            let outside = hrc_codes[k].as_ref().is_some_and(|c| !c.contains(code))
                && !var
                    .total_code
                    .as_deref()
                    .unwrap_or("Total")
                    .eq_ignore_ascii_case(code);
            if outside && var.missing.iter().any(|m| m == code) {
                if !empty {
                    return Err(bad(format!(
                        "{code:?} is the missing code of {} (.rda line {}), not in its \
                         hierarchy, and its cell has the value {value}: add {code} to the \
                         .hrc file",
                        var.name, var.line
                    )));
                }
                if !left_out.iter().any(|(n, c, _)| *n == var.name && c == code) {
                    left_out.push((var.name.clone(), code.to_string(), i + 1));
                }
                skip = true;
            }
        }
        if skip {
            out.push('\n');
            continue;
        }
        let mut row: Vec<String> = dims.iter().map(|&d| quoted(f[d].0.trim())).collect();
        let codes: Vec<&str> = dims.iter().map(|&d| f[d].0.trim()).collect();
        for (k, field) in row.iter_mut().enumerate() {
            if let Some(path) = repeats.name(k, &codes).map_err(bad)? {
                *field = quoted(&path);
            }
        }
        let value = if value.is_empty() || value == "-" {
            "-".to_string()
        } else if sep != ',' {
            value.replace(',', ".")
        } else {
            value.to_string()
        };
        row.push(quoted(&value));
        if let Some(s) = status {
            let letter = f[s].0.trim().to_uppercase();
            let name = if letter == "E" {
                "Empty"
            } else if letter == rda.safe {
                "Safe (manual)"
            } else if letter == rda.unsafe_ {
                "Unsafe (manual)"
            } else if letter == rda.protect {
                "Protected"
            } else if letter == "M" {
                "Secondary"
            } else {
                ""
            };
            row.push(quoted(if name.is_empty() { f[s].0.trim() } else { name }));
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    // --flag-meaning first (a status letter given there names its status).
    let mut syntax = tau_cv::given_syntax(options, |flag| {
        let up = flag.trim().to_uppercase();
        if up == rda.safe {
            Some("Safe (manual)")
        } else if up == rda.unsafe_ {
            Some("Unsafe (manual)")
        } else if up == rda.protect {
            Some("Protected")
        } else if up == "M" {
            Some("Secondary")
        } else if up == "E" {
            Some("Empty")
        } else {
            None
        }
    });
    syntax.flags.extend(
        STATUS_MEANINGS
            .iter()
            .map(|(_, name, m)| (name.to_string(), *m)),
    );
    syntax.flags.push(("-".into(), FlagMeaning::Absent));
    if syntax.decimal.is_none() {
        syntax.decimal = Some(Decimal::Dot);
    }
    long_options.long.syntax = Some(syntax);
    let shift = |line: Option<usize>| line.map(|l| l.saturating_sub(1).max(1));
    let mut said: Vec<InputWarning> = left_out
        .into_iter()
        .map(|(name, code, line)| {
            InputWarning::new(
                display,
                format!(
                    "the rows of {name}'s missing code {code:?}, which its hierarchy does not \
                     list, are empty and left out"
                ),
            )
            .at_line(line)
        })
        .collect();
    let result = long::read_with_warnings(out.as_bytes(), display, stem, &long_options);
    match result {
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
                .chain(said.drain(..))
                .chain(repeated_said)
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
