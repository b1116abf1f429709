//! The HTML report (`--format html`): one self-contained page that shows
//! each table as published, every hidden cell with its interval, and on
//! selection the derivation of each bound.
//!
//! The page is the data, as JSON in a `<script type="application/json">`
//! block, plus a small hand-written script that draws it; nothing is
//! fetched (no network, no external script, style or font). Every text
//! that comes from the input reaches the page through that JSON, in which
//! `<`, `>` and `&` are written as `\u003c`, `\u003e` and `\u0026`, and the
//! script escapes it again before it puts it in the document; the one text
//! written into the HTML itself (the file name in the title) is escaped
//! with [`escape`].

use std::collections::HashMap;

use cellbound_core::system::describe_line;
use cellbound_core::{CellRef, Line, LinearSystem, Model};
use cellbound_solver::{Bounds, CellBounds, Report, Status, Summary};
use serde::Serialize;

use crate::render::Amount;

/// Derivations are written into the page for at most this many hidden
/// cells; past it the page says which command gives them.
pub const DERIVE_LIMIT: usize = 5000;

/// An interval that holds at most `NARROW_WIDTH + 1` values (`hi - lo <=
/// NARROW_WIDTH`) is "narrow": with the usual threshold of 5, it says
/// about as much as the rule itself.
pub const NARROW_WIDTH: i64 = 4;

/// Which command the page reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Bounds,
    Audit,
    Impute,
}

impl Command {
    fn name(self) -> &'static str {
        match self {
            Command::Bounds => "bounds",
            Command::Audit => "audit",
            Command::Impute => "impute",
        }
    }
}

/// What the audit says of one hidden cell.
pub struct AuditCell {
    pub value: i64,
    pub verdict: &'static str,
    pub why: String,
    pub pinned_by: Vec<String>,
}

/// One hidden cell as the page shows it.
pub struct Hidden {
    pub cell: CellRef,
    pub bounds: Bounds,
    /// The interval as the table output writes it (`3..11`, `=7`, `3..`,
    /// with `?` and `^` marks).
    pub shown: String,
    pub estimate: Option<(i64, &'static str)>,
    pub audit: Option<AuditCell>,
}

/// Everything a page needs beyond the model.
pub struct Page<'a> {
    pub command: Command,
    pub file: &'a str,
    /// The summary lines, in the table output's words.
    pub summary: Vec<String>,
    /// For an audit: whether it passed.
    pub passed: Option<bool>,
    pub cells: Vec<Hidden>,
    /// The solved report with derivations, and its system, when they were
    /// derived; the page then shows each cell's derivation.
    pub derived: Option<(&'a LinearSystem, &'a Report)>,
    /// Why derivations are missing, when they are.
    pub note: Option<String>,
}

/// The counts line of the table output.
pub fn counts_line(s: Summary, negative: bool) -> String {
    format!(
        "{} hidden cell{}: {} exact (=v), {} bounded (lo..hi), {} unbounded ({})",
        s.hidden,
        if s.hidden == 1 { "" } else { "s" },
        s.exact,
        s.bounded,
        s.unbounded,
        crate::render::unbounded_forms(negative)
    )
}

/// Counts by status of a list of intervals.
pub fn summary_of<'b>(bounds: impl Iterator<Item = &'b Bounds>) -> Summary {
    let mut s = Summary::default();
    for b in bounds {
        s.hidden += 1;
        match b.status() {
            Status::Exact => s.exact += 1,
            Status::Bounded => s.bounded += 1,
            Status::Unbounded => s.unbounded += 1,
        }
    }
    s
}

/// The note a page carries when its table has too many hidden cells for
/// derivations.
pub fn too_many(file: &str, hidden: usize) -> String {
    format!(
        "Derivations are left out: the table has {hidden} hidden cells, more than {DERIVE_LIMIT}. `cellbound explain {file} --cell LABEL,...`, with the same rule flags, gives the derivation of one cell."
    )
}

/// Escapes text for HTML content or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Serialize)]
struct Data<'a> {
    command: &'static str,
    file: &'a str,
    summary: &'a [String],
    passed: Option<bool>,
    narrow: i64,
    derivations: bool,
    note: Option<&'a str>,
    tables: Vec<TableJson<'a>>,
    hidden: Vec<HiddenJson>,
}

#[derive(Serialize)]
struct TableJson<'a> {
    name: &'a str,
    /// `true`: a grid of rows and columns (a 1-D table has one column);
    /// `false`: one row per hidden cell, a column per dimension.
    grid: bool,
    /// The grid's row dimension, or every dimension of a list.
    dims: Vec<&'a str>,
    cols: Vec<&'a str>,
    rows: Vec<RowJson<'a>>,
}

#[derive(Serialize)]
struct RowJson<'a> {
    /// The row's codes (one for a grid).
    labels: Vec<&'a str>,
    /// Depth in the row hierarchy, and the parent row (grids only).
    depth: usize,
    parent: Option<usize>,
    kids: bool,
    /// Per column: a published number, `"hN"` for hidden cell N, or
    /// `null` for a cell the table does not list (a zero).
    cells: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct HiddenJson {
    t: usize,
    key: String,
    name: String,
    iv: String,
    /// Values in the file's units (amounts as JSON numbers).
    lo: Option<Amount>,
    hi: Option<Amount>,
    class: &'static str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pinned_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lower: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upper: Option<String>,
    /// The lines the derivations use, each with the keys of its cells.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lines: Vec<LineJson>,
}

#[derive(Serialize)]
struct LineJson {
    name: String,
    keys: Vec<String>,
}

/// Whether a table is drawn as a grid: 2-D tables, and 1-D ones as one
/// column.
fn is_grid(t: &cellbound_core::Table) -> bool {
    t.dimensions.len() <= 2 && !t.dimensions.is_empty()
}

/// The key of a cell in the page: `t:r:c` in a grid, `t:i` (the cell's
/// index in its table) in a list.
fn key(model: &Model, t: usize, cell: usize) -> String {
    let table = &model.tables[t];
    let at = &table.cells[cell].at;
    if is_grid(table) {
        format!("{t}:{}:{}", at[0], at.get(1).copied().unwrap_or(0))
    } else {
        format!("{t}:{cell}")
    }
}

/// The class of an interval: how much it reveals.
fn class(b: Bounds) -> &'static str {
    match (b.status(), b.width()) {
        (Status::Exact, _) => "exact",
        (_, None) => "unbounded",
        (_, Some(w)) if w <= NARROW_WIDTH => "narrow",
        _ => "wide",
    }
}

/// The cells of a line, as page keys.
fn line_keys(model: &Model, system: &LinearSystem, row: usize) -> Vec<String> {
    let r = &system.rows[row];
    match &r.origin {
        Line::Sum { table, dim, at } => {
            let (total, parts) = model.tables[*table].line_cells(*dim, at);
            total
                .into_iter()
                .chain(parts)
                .map(|c| key(model, *table, c))
                .collect()
        }
        Line::Constraint(_) => r
            .terms
            .iter()
            .map(|&(v, _)| {
                let c = system.vars[v].cell;
                key(model, c.table, c.cell)
            })
            .collect(),
    }
}

/// The derivation texts of one cell, as `explain` writes them, and the
/// lines they use.
fn derivation(
    model: &Model,
    system: &LinearSystem,
    cb: &CellBounds,
) -> (Option<String>, Option<String>, Vec<LineJson>) {
    let Some(p) = cb.proofs.as_deref() else {
        return (None, None, Vec::new());
    };
    let search = "proved by the integer search: the LP relaxation gives a weaker bound".to_string();
    let lower = match &p.lower {
        Some(d) => crate::proofs::text(model, system, d),
        None => search.clone(),
    };
    let upper = match (cb.bounds.upper, &p.upper, &p.ray) {
        (Some(_), Some(d), _) => crate::proofs::text(model, system, d),
        (Some(_), None, _) => search,
        (None, _, Some(ray)) => {
            let moves: Vec<String> = ray
                .steps
                .iter()
                .map(|&(v, s)| format!("{} by {s}", crate::proofs::short(model, system, v)))
                .collect();
            format!(
                "raising {} together keeps every line and every limit, as far as one likes",
                moves.join(", ")
            )
        }
        (None, _, None) => "no upper bound".to_string(),
    };
    let mut rows: Vec<usize> = p
        .lower
        .iter()
        .chain(&p.upper)
        .flat_map(|d| d.multipliers.iter().map(|&(r, _)| r))
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let lines = rows
        .into_iter()
        .map(|r| LineJson {
            name: describe_line(model, &system.rows[r].origin),
            keys: line_keys(model, system, r),
        })
        .collect();
    (Some(lower), Some(upper), lines)
}

/// The page.
pub fn page(model: &Model, page: &Page) -> String {
    let index: HashMap<CellRef, usize> = page
        .cells
        .iter()
        .enumerate()
        .map(|(i, h)| (h.cell, i))
        .collect();
    let derived: HashMap<CellRef, &CellBounds> = page
        .derived
        .map(|(_, r)| r.cells.iter().map(|c| (c.cell, c)).collect())
        .unwrap_or_default();
    let tables = model
        .tables
        .iter()
        .enumerate()
        .map(|(t, table)| {
            let hidden_value = |ci: usize| match table.cells[ci].entry.published() {
                Some(v) if model.decimals == 0 => serde_json::Value::from(v),
                // An amount, for display: the page shows numbers as
                // JavaScript does.
                Some(v) => serde_json::to_value(Amount::new(v, model.decimals))
                    .unwrap_or(serde_json::Value::Null),
                None => match index.get(&CellRef { table: t, cell: ci }) {
                    Some(h) => serde_json::Value::from(format!("h{h}")),
                    None => serde_json::Value::Null,
                },
            };
            if is_grid(table) {
                let rows = &table.dimensions[0];
                let cols: Vec<&str> = match table.dimensions.get(1) {
                    Some(d) => d.codes().iter().map(String::as_str).collect(),
                    None => vec!["value"],
                };
                TableJson {
                    name: &table.name,
                    grid: true,
                    dims: vec![rows.name()],
                    rows: (0..rows.len())
                        .map(|r| RowJson {
                            labels: vec![rows.code(r)],
                            depth: rows.depth(r),
                            parent: rows.parent(r),
                            kids: !rows.is_leaf(r),
                            cells: (0..cols.len())
                                .map(|c| {
                                    let at: Vec<usize> = if table.dimensions.len() == 2 {
                                        vec![r, c]
                                    } else {
                                        vec![r]
                                    };
                                    table
                                        .cell_at(&at)
                                        .map(hidden_value)
                                        .unwrap_or(serde_json::Value::Null)
                                })
                                .collect(),
                        })
                        .collect(),
                    cols,
                }
            } else {
                TableJson {
                    name: &table.name,
                    grid: false,
                    dims: table.dimensions.iter().map(|d| d.name()).collect(),
                    cols: vec!["interval"],
                    rows: page
                        .cells
                        .iter()
                        .filter(|h| h.cell.table == t)
                        .map(|h| RowJson {
                            labels: crate::render::codes(model, h.cell),
                            depth: 0,
                            parent: None,
                            kids: false,
                            cells: vec![hidden_value(h.cell.cell)],
                        })
                        .collect(),
                }
            }
        })
        .collect();
    let hidden = page
        .cells
        .iter()
        .map(|h| {
            let (lower, upper, lines) = match (page.derived, derived.get(&h.cell)) {
                (Some((system, _)), Some(cb)) => derivation(model, system, cb),
                _ => (None, None, Vec::new()),
            };
            let mut name = crate::render::codes(model, h.cell).join(", ");
            if model.tables.len() > 1 {
                name = format!("{}: {name}", model.tables[h.cell.table].name);
            }
            HiddenJson {
                t: h.cell.table,
                key: key(model, h.cell.table, h.cell.cell),
                name,
                iv: h.shown.clone(),
                lo: h.bounds.lower.map(|l| Amount::new(l, model.decimals)),
                hi: h.bounds.upper.map(|u| Amount::new(u, model.decimals)),
                class: class(h.bounds),
                status: h.bounds.status().as_str(),
                estimate: h.estimate.map(|e| Amount::new(e.0, model.decimals)),
                method: h.estimate.map(|e| e.1),
                value: h
                    .audit
                    .as_ref()
                    .map(|a| Amount::new(a.value, model.decimals)),
                verdict: h.audit.as_ref().map(|a| a.verdict),
                why: h
                    .audit
                    .as_ref()
                    .map(|a| a.why.clone())
                    .filter(|w| !w.is_empty()),
                pinned_by: h
                    .audit
                    .as_ref()
                    .map(|a| a.pinned_by.clone())
                    .unwrap_or_default(),
                lower,
                upper,
                lines,
            }
        })
        .collect();
    let data = Data {
        command: page.command.name(),
        file: page.file,
        summary: &page.summary,
        passed: page.passed,
        narrow: NARROW_WIDTH,
        derivations: page.derived.is_some(),
        note: page.note.as_deref(),
        tables,
        hidden,
    };
    document(page.command, page.file, &script_json(&data))
}

/// A page that says the published table admits no integer table.
pub fn infeasible(command: Command, file: &str, rule_line: &str, explanation: &str) -> String {
    #[derive(Serialize)]
    struct Infeasible<'a> {
        command: &'static str,
        file: &'a str,
        summary: Vec<String>,
        infeasible: &'a str,
        tables: Vec<()>,
        hidden: Vec<()>,
    }
    let data = Infeasible {
        command: command.name(),
        file,
        summary: vec![rule_line.to_string()],
        infeasible: explanation,
        tables: Vec::new(),
        hidden: Vec::new(),
    };
    document(command, file, &script_json(&data))
}

/// JSON safe inside a `<script>` element: no `<`, `>` or `&` at all (each
/// only ever occurs inside a JSON string, where its `\u` escape means the
/// same).
fn script_json<T: Serialize>(data: &T) -> String {
    let text = serde_json::to_string(data).expect("plain data serializes");
    text.replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn document(command: Command, file: &str, json: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>cellbound {cmd}: {title}</title>\n<style>\n{css}</style>\n</head>\n<body>\n<noscript><p>This report draws itself with JavaScript; its data is the JSON in the element with id \"data\".</p></noscript>\n<script type=\"application/json\" id=\"data\">{json}</script>\n<script>\n{js}</script>\n</body>\n</html>\n",
        cmd = command.name(),
        title = escape(file),
        css = CSS,
        js = JS,
    )
}

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");
