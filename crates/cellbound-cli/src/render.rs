//! Rendering a report as the bounds JSON (docs/formats.md section 4), CSV, or a
//! table for a person.

use std::fmt::Write as _;

use cellbound_core::model::show_value;
use cellbound_core::{Entry, Layout, Model, Rule};
use cellbound_solver::{Bounds, Report, Status};
use serde::Serialize;

use crate::assumptions::Assumptions;

#[derive(Serialize)]
struct RuleJson {
    /// In the file's units, as every value.
    threshold: Amount,
    zeros_shown: bool,
    open: bool,
    /// Values may be negative: hidden cells had no lower limit. Written
    /// only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    negative: bool,
}

impl RuleJson {
    fn of(r: Rule, decimals: u32) -> Self {
        RuleJson {
            threshold: Amount::new(r.threshold, decimals),
            zeros_shown: r.zeros_shown,
            open: r.open,
            negative: r.negative,
        }
    }
}

/// A value of a model in the file's units, written in JSON as a number
/// with its exact decimal text (`12.5`, never through a float); a plain
/// integer when the model has no decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub value: i128,
    pub decimals: u32,
}

impl Amount {
    pub fn new(value: i64, decimals: u32) -> Self {
        Amount {
            value: value as i128,
            decimals,
        }
    }

    /// A bound as a CSV field: the value in the file's units, or empty
    /// where there is none.
    pub fn field(value: Option<i64>, decimals: u32) -> String {
        value.map_or_else(String::new, |v| Amount::new(v, decimals).to_string())
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&show_value(self.value, self.decimals))
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.decimals == 0 {
            s.serialize_i128(self.value)
        } else {
            serde_json::value::RawValue::from_string(self.to_string())
                .map_err(serde::ser::Error::custom)?
                .serialize(s)
        }
    }
}

/// A cell's status as the outputs write it: the solver's (`exact`,
/// `bounded`, `unbounded`), except `rounded` for a cell published rounded
/// (`--rounded`) that its lines do not pin to one value.
pub fn status(model: &Model, c: &cellbound_solver::CellBounds) -> &'static str {
    let rounded = model.cell(c.cell).entry.rounded().is_some();
    match c.status() {
        Status::Exact => "exact",
        _ if rounded => "rounded",
        other => other.as_str(),
    }
}

/// The value a cell published rounded shows in the file.
pub fn published_rounded(model: &Model, c: &cellbound_solver::CellBounds) -> Option<Amount> {
    match model.cell(c.cell).entry {
        Entry::Rounded { published, .. } => Some(Amount::new(published, model.decimals)),
        _ => None,
    }
}

#[derive(Serialize)]
struct CellJson<'a> {
    table: &'a str,
    at: Vec<&'a str>,
    lower: Option<Amount>,
    upper: Option<Amount>,
    status: &'static str,
    /// A cell published rounded (`--rounded`): the value the file shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<Amount>,
    /// Present (false) only when a time limit, or the solver giving up,
    /// left the bounds unproved.
    #[serde(skip_serializing_if = "is_true")]
    tight: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<usize>,
    /// Which of the component's `tables` reach the bounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    reached_by: Option<crate::proofs::ReachedByJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proofs: Option<crate::proofs::ProofsJson>,
    /// `"threshold"` when `--open` gives the cell a wider interval:
    /// its bounds rest on the threshold assumption.
    #[serde(skip_serializing_if = "Option::is_none")]
    assumes: Option<&'static str>,
    /// `impute`: the cell's value in the filled table.
    #[serde(skip_serializing_if = "Option::is_none")]
    estimate: Option<Amount>,
    /// `impute`: where the estimate came from (`disclosed`, `fit`,
    /// `midpoint`, `prior`, `search`).
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<&'static str>,
    /// `impute --means`: the cell's mean over every integer table
    /// consistent with the publication, and how many there are.
    #[serde(skip_serializing_if = "Option::is_none")]
    mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tables: Option<u128>,
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Serialize)]
struct SummaryJson {
    hidden: usize,
    exact: usize,
    bounded: usize,
    unbounded: usize,
    /// Cells published rounded and not pinned to one value by their
    /// lines (counted in `bounded` too); present only when some are.
    #[serde(skip_serializing_if = "is_zero")]
    rounded: usize,
    /// Cells whose bounds are not proved tight; present only when some are.
    #[serde(skip_serializing_if = "is_zero")]
    not_tight: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

/// A sequence serialized from an iterator made on demand, so that no
/// list of every cell's record is ever held in memory.
struct Lazy<F>(F);

impl<F, I> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct FeasibleJson<'a, C: Serialize> {
    rule: RuleJson,
    /// The decimals of the file's values, present only when not 0: every
    /// value is then written in the file's units (`12.5`).
    #[serde(skip_serializing_if = "is_zero_u32")]
    decimals: u32,
    /// `null` when no integer table was found for some component and no
    /// contradiction either.
    feasible: Option<bool>,
    cells: C,
    summary: SummaryJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<&'a [crate::proofs::ComponentJson]>,
    /// The lines the derivations use, in the compact form.
    #[serde(skip_serializing_if = "Option::is_none")]
    lines: Option<&'a [crate::proofs::LineJson]>,
    /// What the solver could not prove on its own, one sentence each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unproved: Vec<String>,
}

#[derive(Serialize)]
struct InfeasibleJson {
    rule: RuleJson,
    feasible: bool,
    explanation: String,
}

/// Pretty JSON with a final newline, as every JSON output ends.
pub fn to_json<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("plain data serializes");
    s.push('\n');
    s
}

/// [`to_json`], written to `w` as it is made.
pub fn write_json<T: Serialize>(w: &mut dyn std::io::Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value)?;
    w.write_all(b"\n")
}

/// The codes of a cell, as the outputs name it.
pub fn codes(model: &Model, cell: cellbound_core::CellRef) -> Vec<&str> {
    let t = &model.tables[cell.table];
    t.cells[cell.cell]
        .at
        .iter()
        .zip(&t.dimensions)
        .map(|(&c, d)| d.code(c))
        .collect()
}

/// The bounds JSON of a feasible model, written to `w` cell by cell as
/// it is made. With `system` (`--witnesses`), each cell also carries its
/// witness tables and derivations, and the components their base tables.
/// A cell that rests on the threshold (`assumptions`) carries `"assumes":
/// "threshold"`. With `imputation` (`impute`), each cell carries its
/// estimate.
pub fn write_bounds_json(
    w: &mut dyn std::io::Write,
    model: &Model,
    rule: Rule,
    report: &Report,
    system: Option<&cellbound_core::LinearSystem>,
    assumptions: &Assumptions,
    imputation: Option<&cellbound_solver::Imputation>,
) -> std::io::Result<()> {
    let s = report.summary();
    let (components, reached) = match system {
        Some(system) => {
            let (c, r) = crate::proofs::components(report, system);
            (Some(c), r)
        }
        None => (None, Vec::new()),
    };
    let index = system.map(|_| crate::proofs::output_index(report));
    let compact = system
        .filter(|_| report.cells.len() >= crate::proofs::COMPACT_FROM)
        .map(|sys| crate::proofs::LineIndex::of(model, sys, report));
    let cells = || {
        report.cells.iter().enumerate().map(|(i, c)| CellJson {
            table: &model.tables[c.cell.table].name,
            at: codes(model, c.cell),
            lower: c.bounds.lower.map(|l| Amount::new(l, model.decimals)),
            upper: c.bounds.upper.map(|u| Amount::new(u, model.decimals)),
            status: status(model, c),
            published: published_rounded(model, c),
            tight: c.tight,
            component: system.map(|_| c.component),
            reached_by: reached.get(i).copied().flatten(),
            proofs: system.and_then(|sys| {
                crate::proofs::proofs(
                    model,
                    sys,
                    c,
                    index.as_ref().expect("made with system"),
                    compact.as_ref(),
                )
            }),
            assumes: assumptions.rests(i).then_some("threshold"),
            estimate: imputation
                .and_then(|m| m.estimates[c.var])
                .map(|e| Amount::new(e.value, model.decimals)),
            method: imputation
                .and_then(|m| m.estimates[c.var])
                .map(|e| e.source.as_str()),
            mean: imputation
                .and_then(|m| m.estimates[c.var])
                .and_then(|e| e.mean)
                .map(|m| m.value() / 10f64.powi(model.decimals as i32)),
            tables: imputation
                .and_then(|m| m.estimates[c.var])
                .and_then(|e| e.mean)
                .map(|m| m.tables),
        })
    };
    write_json(
        w,
        &FeasibleJson {
            rule: RuleJson::of(rule.for_model(model), model.decimals),
            decimals: model.decimals,
            feasible: report.feasibility_proved().then_some(true),
            cells: Lazy(cells),
            summary: SummaryJson {
                hidden: s.hidden,
                exact: s.exact,
                bounded: s.bounded,
                unbounded: s.unbounded,
                rounded: rounded_count(model, report),
                not_tight: report.cells.iter().filter(|c| !c.tight).count(),
            },
            components: components.as_deref(),
            lines: compact.as_ref().map(|c| c.lines.as_slice()),
            unproved: report.unproved.iter().map(|u| u.describe(model)).collect(),
        },
    )
}

/// How many cells published rounded are not pinned to one value.
pub fn rounded_count(model: &Model, report: &Report) -> usize {
    report
        .cells
        .iter()
        .filter(|c| status(model, c) == "rounded")
        .count()
}

/// The bounds JSON of an infeasible model.
pub fn infeasible_json(rule: Rule, decimals: u32, explanation: &str) -> String {
    to_json(&InfeasibleJson {
        rule: RuleJson::of(rule, decimals),
        feasible: false,
        explanation: explanation.to_string(),
    })
}

/// One row per hidden cell. The dimension columns take the dimensions'
/// names when every table has the same ones, else `dim1`, `dim2`...
/// A last column `tight` appears only when some bound is not proved
/// tight, as the JSON's `tight` field does.
pub fn csv(model: &Model, report: &Report) -> String {
    let mut out = Vec::new();
    write_csv(&mut out, model, report).expect("writing to memory");
    String::from_utf8(out).expect("CSV of UTF-8 is UTF-8")
}

/// [`csv`], written to `out` row by row as it is made.
pub fn write_csv(
    out: &mut dyn std::io::Write,
    model: &Model,
    report: &Report,
) -> std::io::Result<()> {
    let first = model.tables.first().map(|t| {
        t.dimensions
            .iter()
            .map(|d| d.name().to_string())
            .collect::<Vec<_>>()
    });
    let shared = first.clone().filter(|names| {
        model.tables.iter().all(|t| {
            t.dimensions.len() == names.len()
                && t.dimensions.iter().zip(names).all(|(d, n)| d.name() == n)
        })
    });
    let width = model
        .tables
        .iter()
        .map(|t| t.dimensions.len())
        .max()
        .unwrap_or(0);
    let dim_names = shared.unwrap_or_else(|| (1..=width).map(|i| format!("dim{i}")).collect());
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["table".to_string()];
    header.extend(dim_names);
    header.extend(["lower", "upper", "status"].map(String::from));
    let some_loose = report.cells.iter().any(|c| !c.tight);
    if some_loose {
        header.push("tight".into());
    }
    // A last column `published` only when some cell was published rounded.
    let some_rounded = report
        .cells
        .iter()
        .any(|c| published_rounded(model, c).is_some());
    if some_rounded {
        header.push("published".into());
    }
    w.write_record(&header)?;
    for c in &report.cells {
        let mut record = vec![model.tables[c.cell.table].name.clone()];
        let at = codes(model, c.cell);
        record.extend(at.iter().map(|s| s.to_string()));
        record.extend(std::iter::repeat_n(String::new(), width - at.len()));
        let d = model.decimals;
        record.push(Amount::field(c.bounds.lower, d));
        record.push(Amount::field(c.bounds.upper, d));
        record.push(status(model, c).to_string());
        if some_loose {
            record.push(c.tight.to_string());
        }
        if some_rounded {
            record.push(
                published_rounded(model, c)
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            );
        }
        w.write_record(&record)?;
    }
    w.flush()
}

/// A long input's rows, in its order, with `lower`, `upper`, `status`
/// (`published` for a published cell, its value both bounds) and the
/// meaning of the flag applied (docs/formats.md, "Long files and
/// SDMX-CSV"). Values in the file's units ([`cellbound_core::model::show_value`]).
pub fn write_long(
    out: &mut dyn std::io::Write,
    bytes: &[u8],
    info: &cellbound_core::io::long::LongInfo,
    model: &Model,
    report: &Report,
) -> std::io::Result<()> {
    use cellbound_core::model::show_value;
    let table = &model.tables[0];
    let mut of_cell: Vec<u32> = vec![u32::MAX; table.cells.len()];
    for (i, c) in report.cells.iter().enumerate() {
        if c.cell.table == 0 {
            of_cell[c.cell.cell] = i as u32;
        }
    }
    let d = model.decimals;
    cellbound_core::io::long::write_with_bounds(out, bytes, info, |row| {
        match of_cell.get(row).copied().filter(|&i| i != u32::MAX) {
            Some(i) => {
                let c = &report.cells[i as usize];
                [
                    Amount::field(c.bounds.lower, d),
                    Amount::field(c.bounds.upper, d),
                    c.status().as_str().to_string(),
                ]
            }
            None => {
                let v = table.cells.get(row).and_then(|c| c.entry.published());
                let v = v.map(|v| show_value(v as i128, d)).unwrap_or_default();
                [v.clone(), v, "published".to_string()]
            }
        }
    })
}

/// How an unbounded interval is written in a table output's counts line:
/// `lo..`, and `..hi` or `..` too where values may be negative.
pub fn unbounded_forms(negative: bool) -> &'static str {
    if negative {
        "lo.., ..hi or .."
    } else {
        "lo.."
    }
}

/// `4..10`, `=7` for a determined cell, `3..` for no upper bound, `..4`
/// for no lower one.
pub fn interval(b: Bounds) -> String {
    interval_in(b, 0)
}

/// [`interval`] in the units of a model with `decimals` decimals
/// (`1.5..2.25`).
pub fn interval_in(b: Bounds, decimals: u32) -> String {
    let v = |x: i64| show_value(x as i128, decimals);
    let end = |x: Option<i64>| x.map(v).unwrap_or_default();
    match (b.status(), b.lower) {
        (Status::Exact, Some(l)) => format!("={}", v(l)),
        _ => format!("{}..{}", end(b.lower), end(b.upper)),
    }
}

/// For a person: each 2-D grid as itself with hidden cells shown as their
/// interval, other tables as one line per hidden cell; then a summary
/// that names the rule in force. A cell that rests on the threshold
/// (`assumptions`) is marked `^`.
pub fn table(model: &Model, rule: Rule, report: &Report, assumptions: &Assumptions) -> String {
    let rule = rule.for_model(model);
    let mut out = String::new();
    let mut by_cell = std::collections::HashMap::new();
    for (i, c) in report.cells.iter().enumerate() {
        by_cell.insert(c.cell, shown_marked(model, i, c, assumptions));
    }
    for (t, table) in model.tables.iter().enumerate() {
        if model.tables.len() > 1 {
            let _ = writeln!(out, "{}:", table.name);
        }
        if table.layout == Layout::Grid && table.dimensions.len() == 2 {
            let rows = &table.dimensions[0];
            let cols = &table.dimensions[1];
            let mut grid: Vec<Vec<String>> = Vec::with_capacity(rows.len() + 1);
            let mut header = vec![rows.name().to_string()];
            header.extend(cols.codes().iter().cloned());
            grid.push(header);
            for r in 0..rows.len() {
                let mut line = vec![rows.code(r).to_string()];
                for c in 0..cols.len() {
                    let text = match table.cell_at(&[r, c]) {
                        Some(ci) => match table.cells[ci].entry.published() {
                            Some(v) => show_value(v as i128, model.decimals),
                            None => by_cell
                                .get(&cellbound_core::CellRef { table: t, cell: ci })
                                .cloned()
                                .unwrap_or_default(),
                        },
                        None => "0".to_string(),
                    };
                    line.push(text);
                }
                grid.push(line);
            }
            let ncols = grid[0].len();
            let widths: Vec<usize> = (0..ncols)
                .map(|c| grid.iter().map(|l| l[c].chars().count()).max().unwrap_or(0))
                .collect();
            for line in &grid {
                let mut text = String::new();
                for (c, field) in line.iter().enumerate() {
                    let pad = widths[c] - field.chars().count();
                    if c == 0 {
                        text.push_str(field);
                        text.push_str(&" ".repeat(pad));
                    } else {
                        text.push_str("  ");
                        text.push_str(&" ".repeat(pad));
                        text.push_str(field);
                    }
                }
                let _ = writeln!(out, "{}", text.trim_end());
            }
        } else {
            let lines: Vec<(String, String, &str)> = report
                .cells
                .iter()
                .filter(|c| c.cell.table == t)
                .map(|c| {
                    let at = codes(model, c.cell)
                        .iter()
                        .map(|s| format!("{s:?}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    (at, by_cell[&c.cell].clone(), status(model, c))
                })
                .collect();
            let w0 = lines.iter().map(|l| l.0.chars().count()).max().unwrap_or(0);
            let w1 = lines.iter().map(|l| l.1.chars().count()).max().unwrap_or(0);
            for (at, iv, status) in &lines {
                let _ = writeln!(out, "{at:<w0$}  {iv:>w1$}  {status}");
            }
        }
        // A blank line after each table, the summary included.
        out.push('\n');
    }
    let s = report.summary();
    let _ = writeln!(
        out,
        "{} hidden cell{}: {} exact (=v), {} bounded (lo..hi), {} unbounded ({})",
        s.hidden,
        if s.hidden == 1 { "" } else { "s" },
        s.exact,
        s.bounded,
        s.unbounded,
        unbounded_forms(rule.negative)
    );
    let rounded = rounded_count(model, report);
    if rounded > 0 {
        let _ = writeln!(
            out,
            "{rounded} published rounded and not pinned by their lines: shown as the interval of their true value"
        );
    }
    let loose = report.cells.iter().filter(|c| !c.tight).count();
    if loose > 0 {
        let _ = writeln!(
            out,
            "{loose} not proved tight (marked ?): sound bounds, possibly loose"
        );
    }
    out.push_str(&crate::assumptions::summary(rule, assumptions));
    out
}

/// The `i`th cell's interval as the table output writes it: `?` when not
/// proved tight, then `^` when it rests on the threshold.
pub fn shown_marked(
    model: &Model,
    i: usize,
    c: &cellbound_solver::CellBounds,
    assumptions: &Assumptions,
) -> String {
    let mut text = shown(c, model.decimals);
    if assumptions.rests(i) {
        text.push('^');
    }
    text
}

/// A cell's interval, with `?` when its bounds are not proved tight.
fn shown(c: &cellbound_solver::CellBounds, decimals: u32) -> String {
    let mut text = interval_in(c.bounds, decimals);
    if !c.tight {
        text.push('?');
    }
    text
}

/// A τ-ARGUS JJ file of the model with these cell lines.
pub fn jj(
    model: &Model,
    cells: Vec<Vec<cellbound_core::io::jj::JjCell>>,
) -> Result<String, crate::CliError> {
    cellbound_core::io::jj::write(model, &cells)
        .map_err(|e| crate::CliError::usage(format!("cannot write a JJ file: {e}")))
}
