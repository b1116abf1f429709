//! `cellbound explain`: one hidden cell, the two tables that reach its
//! bounds, and the derivation of each bound.

use std::collections::HashMap;
use std::fmt::Write as _;

use cellbound_core::proof::Side;
use cellbound_core::{CellRef, Entry, LinearSystem, Model};
use cellbound_solver::{CellBounds, Options, Outcome, Report, Witness};
use serde::Serialize;

use crate::args::{ExplainArgs, OutputFormat};
use crate::proofs::{self, DerivationJson};
use crate::render::{codes, Amount};
use crate::{exit, input, output, CliError};

pub fn run(args: ExplainArgs) -> Result<u8, CliError> {
    if let Some(out) = &args.output.output {
        output::check_not_input(out, &[&args.file])?;
    }
    let format = match output::resolve_format(&args.output.as_output_args()) {
        f @ (OutputFormat::Table | OutputFormat::Json) => f,
        _ => return Err(CliError::usage("explain writes a table or json")),
    };
    let model = input::load_args(
        &args.file,
        &args.input.grid_options(),
        &args.input,
        args.quiet,
    )?
    .model;
    crate::memory::check(&args.file, &model, args.memory.memory_limit)?;
    let cell =
        crate::address::find_cell(&model, args.table.as_deref(), &args.cell).map_err(|m| {
            CliError::usage(format!(
                "{}: --cell {:?}: {m}",
                args.file.display(),
                args.cell
            ))
        })?;
    let rule = args.rule.rule_in(model.decimals);
    let time_limit = crate::time_limit(args.time_limit)?;
    match explain_cell(&model, cell, rule, time_limit, args.quiet)? {
        Explained::Infeasible(explanation) => {
            crate::output::stderr_line(&format!("cellbound: infeasible: {explanation}"));
            Ok(exit::INFEASIBLE)
        }
        Explained::Cell {
            table,
            json,
            assumes,
        } => {
            let text = match format {
                OutputFormat::Json => json,
                _ => table,
            };
            output::emit(args.output.output.as_deref(), &text)?;
            if let Some(line) = assumes {
                eprintln!("{line}");
            }
            Ok(exit::SUCCESS)
        }
    }
}

/// What `explain` finds for one hidden cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Explained {
    /// The cell's explanation as the table format and the JSON format
    /// write it, and the line saying the bounds rest on the threshold.
    Cell {
        table: String,
        json: String,
        assumes: Option<String>,
    },
    /// The model has no integer table: the explanation.
    Infeasible(String),
}

/// `explain` without its file and output: the bounds of one hidden cell
/// of `model`, with the tables reaching them and their derivations. Used
/// in process by the Python package.
pub fn explain_cell(
    model: &Model,
    cell: CellRef,
    rule: cellbound_core::Rule,
    time_limit: Option<std::time::Duration>,
    quiet: bool,
) -> Result<Explained, CliError> {
    let system = LinearSystem::build(model, rule)?;
    let var = system.var_of(cell).expect("a hidden cell has a variable");
    // Derivations for this cell only: two LPs, not two for every cell.
    let options = Options {
        keep_witnesses: true,
        derive: true,
        derive_only: Some(vec![var]),
        time_limit,
        ..Options::default()
    };
    let report = match crate::progress::solve(&system, &options, quiet)? {
        Outcome::Feasible(r) => r.require_proved().map_err(|e| CliError::solve(model, e))?,
        Outcome::Infeasible(why) => return Ok(Explained::Infeasible(why.explanation(model))),
    };
    let cb = report
        .cells
        .iter()
        .find(|c| c.var == var)
        .expect("every variable is reported");
    let assumed = crate::assumptions::for_cell(model, &system, rule, &report, cell);
    let open = assumed.as_ref().map(|(b, _)| *b);
    Ok(Explained::Cell {
        table: table(model, &system, &report, cb, open),
        json: json(model, &system, &report, cb, open),
        assumes: assumed.map(|(_, line)| line),
    })
}

/// The tables reaching a cell's lower and upper bounds: none on a side
/// with no bound (a cell with no bound on either side has none kept).
fn tables(cb: &CellBounds) -> (Option<&Witness>, Option<&Witness>) {
    cb.witnesses
        .as_deref()
        .map_or((None, None), |(l, h)| (l.as_ref(), h.as_ref()))
}

/// Every hidden cell's value in a complete table: each component at the
/// first table kept for one of its cells (a component whose cells have no
/// bound on either side has none, and its cells no value), this witness's
/// component as it says.
fn complete(report: &Report, witness: &Witness) -> HashMap<usize, i64> {
    let mut values = HashMap::new();
    let mut done = std::collections::HashSet::new();
    for c in &report.cells {
        if done.contains(&c.component) {
            continue;
        }
        if let Some((lo, hi)) = c.witnesses.as_deref() {
            if let Some(w) = lo.as_ref().or(hi.as_ref()) {
                values.extend(w.values());
                done.insert(c.component);
            }
        }
    }
    values.extend(witness.values());
    values
}

/// A complete table: each grid as a grid (hidden cells starred), other
/// tables as a list of their hidden cells.
fn show_table(
    model: &Model,
    system: &LinearSystem,
    values: &HashMap<usize, i64>,
    focus: CellRef,
) -> String {
    let mut out = String::new();
    for (t, table) in model.tables.iter().enumerate() {
        if model.tables.len() > 1 {
            let _ = writeln!(out, "  {}:", table.name);
        }
        // Every value is written with one mark after it (`*`, `]`, or a
        // space), and the headers too, so that the digits line up.
        let value_of = |c: usize| -> String {
            match table.cells[c].entry {
                Entry::Published(v) => format!("{} ", Amount::new(v, model.decimals)),
                _ => {
                    let r = CellRef { table: t, cell: c };
                    let v = system
                        .var_of(r)
                        .and_then(|v| values.get(&v))
                        .copied()
                        .unwrap_or_default();
                    let v = Amount::new(v, model.decimals);
                    if r == focus {
                        format!("[{v}]")
                    } else {
                        format!("{v}*")
                    }
                }
            }
        };
        if table.layout == cellbound_core::Layout::Grid && table.dimensions.len() == 2 {
            let (rows, cols) = (&table.dimensions[0], &table.dimensions[1]);
            let mut grid = vec![std::iter::once(rows.name().to_string())
                .chain(cols.codes().iter().map(|c| format!("{c} ")))
                .collect::<Vec<_>>()];
            for r in 0..rows.len() {
                let mut line = vec![rows.code(r).to_string()];
                for c in 0..cols.len() {
                    line.push(
                        table
                            .cell_at(&[r, c])
                            .map(value_of)
                            .unwrap_or_else(|| "0 ".into()),
                    );
                }
                grid.push(line);
            }
            let widths: Vec<usize> = (0..grid[0].len())
                .map(|c| grid.iter().map(|l| l[c].chars().count()).max().unwrap_or(0))
                .collect();
            for line in &grid {
                let mut text = String::from("  ");
                for (c, f) in line.iter().enumerate() {
                    let pad = " ".repeat(widths[c] - f.chars().count());
                    if c == 0 {
                        let _ = write!(text, "{f}{pad}");
                    } else {
                        let _ = write!(text, "  {pad}{f}");
                    }
                }
                let _ = writeln!(out, "{}", text.trim_end());
            }
        } else {
            for (c, cell) in table.cells.iter().enumerate() {
                if cell.entry.is_hidden() {
                    let _ = writeln!(
                        out,
                        "  {}  {}",
                        table.codes_of(&cell.at).join(", "),
                        value_of(c).trim_end()
                    );
                }
            }
        }
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// `open`: the cell's wider interval under `--open`, when its bounds rest
/// on the threshold.
/// What `explain` says of a bound in a component the lines leave a single
/// table.
const ONLY_TABLE: &str = "  proved by the lines leaving this cell's group a single table (their rank, or the lattice of their whole solutions): `bounds --witnesses` writes the certificate, `verify` checks it\n";

fn table(
    model: &Model,
    system: &LinearSystem,
    report: &Report,
    cb: &CellBounds,
    open: Option<cellbound_solver::Bounds>,
) -> String {
    let mut out = String::new();
    let name = codes(model, cb.cell).join(", ");
    let _ = writeln!(
        out,
        "{name}: {} ({})",
        crate::render::interval_in(cb.bounds, model.decimals),
        crate::render::status(model, cb)
    );
    if let Some(open) = open {
        let _ = writeln!(
            out,
            "rests on the threshold {}: under --open it is {}",
            system.rule.threshold,
            crate::render::interval_in(open, model.decimals)
        );
    }
    out.push('\n');
    let proofs = cb.proofs.as_deref().expect("derived");
    let (lo_w, hi_w) = tables(cb);
    let shown = |v: i64| Amount::new(v, model.decimals);
    match (cb.bounds.lower, lo_w) {
        (Some(l), Some(lo_w)) => {
            let _ = writeln!(out, "lower bound {}:", shown(l));
            out.push_str(&side_proof(model, system, proofs, cb.var, Side::Lower, l));
            let _ = writeln!(
                out,
                "\na table where it is {} ([x] this cell, n* other hidden cells):",
                shown(l)
            );
            out.push_str(&show_table(model, system, &complete(report, lo_w), cb.cell));
        }
        _ => {
            let _ = writeln!(out, "no lower bound:");
            if let Some(ray) = &proofs.ray_lower {
                out.push_str(&ray_text(model, system, ray));
            }
        }
    }
    match (cb.bounds.upper, hi_w) {
        (Some(u), Some(hi_w)) => {
            let _ = writeln!(out, "\nupper bound {}:", shown(u));
            out.push_str(&side_proof(model, system, proofs, cb.var, Side::Upper, u));
            let _ = writeln!(out, "\na table where it is {}:", shown(u));
            out.push_str(&show_table(model, system, &complete(report, hi_w), cb.cell));
        }
        _ => {
            let _ = writeln!(out, "\nno upper bound:");
            if let Some(ray) = &proofs.ray {
                out.push_str(&ray_text(model, system, ray));
            }
        }
    }
    out
}

/// A ray in words: the cells moved together, each by its step (a
/// negative step lowers the cell).
fn ray_text(model: &Model, system: &LinearSystem, ray: &cellbound_core::proof::Ray) -> String {
    let moves: Vec<String> = ray
        .steps
        .iter()
        .map(|&(v, s)| format!("{} by {s}", proofs::short(model, system, v)))
        .collect();
    let verb = match ray.side {
        cellbound_core::proof::Side::Upper => "raising",
        cellbound_core::proof::Side::Lower => "moving",
    };
    format!(
        "  {verb} {} together keeps every line and every limit, as far as one likes\n",
        moves.join(", ")
    )
}

#[derive(Serialize)]
struct CellValue<'a> {
    table: &'a str,
    at: Vec<&'a str>,
    /// In the file's units (a ray's step: a plain integer); `null` for a
    /// cell of a component no table was kept for.
    value: Option<Amount>,
}

#[derive(Serialize)]
struct SideJson<'a> {
    bound: Amount,
    derivation: Option<DerivationJson>,
    /// When there is no derivation: a search tree proving the bound, if
    /// one was found (docs/formats.md section 6).
    #[serde(skip_serializing_if = "Option::is_none")]
    search: Option<proofs::TreeJson>,
    /// Every hidden cell's value in a complete table reaching the bound.
    witness: Vec<CellValue<'a>>,
}

#[derive(Serialize)]
struct ExplainJson<'a> {
    table: &'a str,
    at: Vec<&'a str>,
    /// `null` for no lower bound (values that may be negative).
    lower: Option<SideJson<'a>>,
    upper: Option<SideJson<'a>>,
    status: &'static str,
    /// For a cell with no upper bound: the cells to raise together, and by
    /// how much.
    ray: Option<Vec<CellValue<'a>>>,
    /// For a cell with no lower bound: the cells to move together (a
    /// negative step lowers), and by how much.
    #[serde(skip_serializing_if = "Option::is_none")]
    ray_lower: Option<Vec<CellValue<'a>>>,
    /// `"threshold"` when `--open` gives the cell a wider interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    assumes: Option<&'static str>,
}

fn json(
    model: &Model,
    system: &LinearSystem,
    report: &Report,
    cb: &CellBounds,
    open: Option<cellbound_solver::Bounds>,
) -> String {
    let index = proofs::output_index(report);
    let p = proofs::proofs(model, system, cb, &index, None).expect("derived");
    let (lo_w, hi_w) = tables(cb);
    let listing = |values: &HashMap<usize, i64>| -> Vec<CellValue<'_>> {
        report
            .cells
            .iter()
            .map(|c| CellValue {
                table: &model.tables[c.cell.table].name,
                at: codes(model, c.cell),
                value: values.get(&c.var).map(|&v| Amount::new(v, model.decimals)),
            })
            .collect()
    };
    let steps = |r: &cellbound_core::proof::Ray| -> Vec<CellValue<'_>> {
        r.steps
            .iter()
            .map(|&(v, s)| {
                let c = system.vars[v].cell;
                CellValue {
                    table: &model.tables[c.table].name,
                    at: codes(model, c),
                    value: Some(Amount::new(s, 0)),
                }
            })
            .collect()
    };
    let doc = ExplainJson {
        table: &model.tables[cb.cell.table].name,
        at: codes(model, cb.cell),
        lower: match (cb.bounds.lower, lo_w) {
            (Some(l), Some(w)) => Some(SideJson {
                bound: Amount::new(l, model.decimals),
                derivation: p.lower,
                search: p.search_lower,
                witness: listing(&complete(report, w)),
            }),
            _ => None,
        },
        upper: match (cb.bounds.upper, hi_w) {
            (Some(u), Some(w)) => Some(SideJson {
                bound: Amount::new(u, model.decimals),
                derivation: p.upper,
                search: p.search_upper,
                witness: listing(&complete(report, w)),
            }),
            _ => None,
        },
        status: crate::render::status(model, cb),
        ray: cb
            .proofs
            .as_deref()
            .and_then(|pr| pr.ray.as_ref())
            .map(steps),
        ray_lower: cb
            .proofs
            .as_deref()
            .and_then(|pr| pr.ray_lower.as_ref())
            .map(steps),
        assumes: open.map(|_| "threshold"),
    };
    crate::render::to_json(&doc)
}

/// How one side's bound is proved, in words: its derivation, its search
/// tree, the component's single-table certificate, or the integer search.
fn side_proof(
    model: &Model,
    system: &LinearSystem,
    proofs: &cellbound_solver::Proofs,
    var: usize,
    side: Side,
    bound: i64,
) -> String {
    let (derivation, tree) = match side {
        Side::Lower => (&proofs.lower, &proofs.search_lower),
        Side::Upper => (&proofs.upper, &proofs.search_upper),
    };
    match (derivation, tree) {
        (Some(d), _) => indent(&proofs::text(model, system, d)),
        (None, Some(t)) => indent(&proofs::tree_text(model, system, var, side, bound, t)),
        (None, None) if proofs.only_table => ONLY_TABLE.to_string(),
        (None, None) => {
            "  proved by the integer search: the LP relaxation gives a weaker bound\n".to_string()
        }
    }
}
