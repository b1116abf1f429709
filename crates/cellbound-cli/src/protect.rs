//! `cellbound protect`: the published table, its complementary cells and
//! the passing audit, for a person (table), a pipeline (JSON, CSV) and
//! `bounds` (`-o`: the published table itself).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use cellbound_core::io::jj::JjStatus;
use cellbound_core::io::truth::read_truth;
use cellbound_core::io::write;
use cellbound_core::{CellRef, Count, Entry, Layout, Model};
use cellbound_solver::{
    Basis, CellAudit, Cost, ProtectError, ProtectOptions, Protected, Protection, Verdict,
};
use serde::Serialize;

use crate::args::{OutputFormat, ProtectArgs};
use crate::render::codes;
use crate::{exit, input, output, CliError};

pub fn run(args: ProtectArgs) -> Result<u8, CliError> {
    if let Some(out) = &args.output.output {
        let mut inputs = vec![args.file.as_path()];
        inputs.extend(args.pattern.as_deref());
        output::check_not_input(out, &inputs)?;
    }
    let options = args.input.grid_options();
    let display = args.file.display().to_string();
    // The starting pattern and the truth.
    let (model, truth, jj, long) = match &args.pattern {
        Some(pattern) => {
            let loaded = input::load_with(pattern, &options, args.quiet)?;
            let truth = read_truth(&args.file, &loaded.model, &options)?;
            (loaded.model, truth, loaded.jj, loaded.long)
        }
        None => {
            let loaded = input::load_with(&args.file, &options, args.quiet)?;
            let truth = match &loaded.jj {
                Some(cells) => vec![cells.iter().map(|c| c.value).collect()],
                None => {
                    if let Some(h) = loaded.model.hidden_cells().next() {
                        let cell = loaded.model.cell(h);
                        return Err(CliError::usage(format!(
                            "{display}: cell {} ({}) is hidden; protect needs every true value: give the true table as FILE, and the current pattern with --pattern PUBLISHED",
                            cellbound_core::system::describe_cell(&loaded.model, h),
                            cell.origin
                        )));
                    }
                    loaded
                        .model
                        .tables
                        .iter()
                        .map(|t| {
                            t.cells
                                .iter()
                                .map(|c| c.entry.published().unwrap_or(0))
                                .collect()
                        })
                        .collect()
                }
            };
            (loaded.model, truth, loaded.jj, loaded.long)
        }
    };
    let pattern_file = args.pattern.as_deref().unwrap_or(&args.file);
    crate::memory::check(pattern_file, &model, args.memory.memory_limit)?;
    let cost = match args.cost.as_str() {
        "unity" => Cost::Unity,
        "value" => Cost::Value,
        "log" => Cost::Log,
        "cost" => match &jj {
            Some(cells) => Cost::Given(vec![cells.iter().map(|c| c.cost as f64).collect()]),
            None => {
                return Err(CliError::usage(format!(
                    "{display}: --cost cost reads the cost column of a τ-ARGUS JJ file, and this input is not one; use --cost unity, value or log"
                )))
            }
        },
        other => match &long {
            Some(info) => Cost::Given(vec![cost_column(pattern_file, info, other, &model)?]),
            None => {
                return Err(CliError::usage(format!(
                    "--cost {other:?}: use unity, value, log, cost (a JJ file's cost column), or \
                     the name of a column of a long file (this input is not one)"
                )))
            }
        },
    };
    let find = |flag: &str, spec: &str| {
        crate::address::find_listed_cell(&model, spec)
            .map_err(|e| CliError::usage(format!("{flag} {spec:?}: {e}")))
    };
    let keep_published = args
        .keep_published
        .iter()
        .map(|s| find("--keep-published", s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut primary = args
        .primary
        .iter()
        .map(|s| find("--primary", s))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(cells) = &jj {
        primary.extend(
            cells
                .iter()
                .enumerate()
                .filter(|(_, c)| c.status == JjStatus::Unsafe)
                .map(|(k, _)| cellbound_core::CellRef { table: 0, cell: k }),
        );
    }
    let protection = args.requirement.protection(model.decimals);
    let opts = ProtectOptions {
        protection: protection.clone(),
        zeros_shown: args.requirement.zeros_shown,
        cost,
        keep_published,
        primary,
        prefer_inner: !args.no_prefer_inner,
        prune: !args.no_prune,
        time_limit: crate::time_limit(args.time_limit)?,
    };
    let protected = cellbound_solver::protect(&model, &truth, &opts).map_err(|e| match e {
        ProtectError::Inconsistent(i) => CliError::usage(format!(
            "{display}: the true table does not fit {}:\n  {}",
            pattern_file.display(),
            i.problems.join("\n  ")
        )),
        ProtectError::Input(e) => CliError::from(e),
        ProtectError::Solve(e) => CliError::solve(&model, e),
        e @ ProtectError::KeptPrimary { .. } => CliError::usage(format!(
            "{display}: {e}; drop it from --keep-published"
        )),
        e @ ProtectError::Impossible { .. } => CliError {
            message: format!(
                "{display}: {e}. Ask for less protection, or publish fewer cells with --keep-published"
            ),
            status: exit::INFEASIBLE,
        },
        e @ (ProtectError::NotFound { .. } | ProtectError::TimeLimit) => CliError {
            message: format!("{display}: {e}; no output written (a longer --time-limit may help)"),
            status: exit::SOLVER,
        },
    })?;
    debug_assert!(protected.audit.passed());

    if let Some(out) = &args.output.output {
        output::emit(Some(out), &published_file(&protected.model, out))?;
    }
    let format = args
        .output
        .format
        .unwrap_or(if std::io::stdout().is_terminal() {
            OutputFormat::Table
        } else {
            OutputFormat::Json
        });
    if !(args.quiet && args.output.output.is_some()) {
        let text = match format {
            OutputFormat::Json => json(&protected, &args, &protection),
            OutputFormat::Csv => csv(&protected, &truth),
            OutputFormat::Table => table(&protected, &args),
            other => {
                return Err(CliError::usage(format!(
                    "--format {}: protect writes table, json or csv",
                    other.name()
                )))
            }
        };
        output::emit(None, &text)?;
    }
    if protected.stats.left_untried > 0 && !args.quiet {
        output::stderr_line(&format!(
            "cellbound: {}",
            left_untried(protected.stats.left_untried)
        ));
    }
    if protected.stats.pruning_cut_short {
        output::stderr_line(
            "cellbound: the time limit stopped the pruning: the pattern passes the audit, but some complement might still be published (exit 4)",
        );
        return Ok(exit::SOLVER);
    }
    Ok(exit::SUCCESS)
}

/// What a pattern whose pruning left `n` complements untried means.
pub(crate) fn left_untried(n: usize) -> String {
    format!(
        "the pruning left {n} complements untried (its work is bounded on large tables): the pattern passes the audit, but may hide more than it needs"
    )
}

/// The published table for `-o`: a CSV grid for a one-table 2-D grid
/// (unless the file ends in .json), else a JSON model.
fn published_file(model: &Model, out: &Path) -> String {
    let json = out
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !json && model.tables.len() == 1 && model.tables[0].layout == Layout::Grid {
        if let Some(text) = write::grid(&model.tables[0]) {
            return text;
        }
    }
    write::json_model(model)
}

fn role(p: &Protected, c: cellbound_core::CellRef) -> (&'static str, Option<f64>) {
    if let Some(k) = p.complements.iter().find(|k| k.cell == c) {
        ("complement", Some(k.cost))
    } else if p.primary.contains(&c) {
        ("primary", None)
    } else {
        ("hidden", None)
    }
}

fn cost_text(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.3}")
    }
}

#[derive(Serialize)]
struct CellJson<'a> {
    table: &'a str,
    at: Vec<&'a str>,
    value: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<f64>,
}

#[derive(Serialize)]
struct SummaryJson {
    primary: usize,
    complements: usize,
    complement_value: i128,
    complement_cost: f64,
}

#[derive(Serialize)]
struct StatsJson {
    rounds: usize,
    audits: usize,
    searches: usize,
    republished: usize,
    banned: usize,
    network: bool,
    pruning_cut_short: bool,
    left_untried: usize,
    linked: usize,
    links_left: usize,
}

#[derive(Serialize)]
struct ProtectJson<'a> {
    verdict: &'static str,
    cost: &'a str,
    primary: Vec<CellJson<'a>>,
    complements: Vec<CellJson<'a>>,
    summary: SummaryJson,
    stats: StatsJson,
    audit: serde_json::Value,
}

fn json(p: &Protected, args: &ProtectArgs, protection: &Protection) -> String {
    let m = &p.model;
    let cell = |c: cellbound_core::CellRef, cost: Option<f64>| CellJson {
        table: &m.tables[c.table].name,
        at: codes(m, c),
        value: match m.cell(c).entry {
            Entry::Published(v) => v,
            _ => p
                .audit
                .cells
                .iter()
                .find(|a| a.cell == c)
                .map_or(0, |a| a.value),
        },
        cost,
    };
    let audit = crate::audit::json(m, args.requirement.zeros_shown, protection, &p.audit);
    let doc = ProtectJson {
        verdict: if p.audit.passed() { "pass" } else { "fail" },
        cost: &args.cost,
        primary: p.primary.iter().map(|&c| cell(c, None)).collect(),
        complements: p
            .complements
            .iter()
            .map(|k| cell(k.cell, Some(k.cost)))
            .collect(),
        summary: summary(p),
        stats: StatsJson {
            rounds: p.stats.rounds,
            audits: p.stats.audits,
            searches: p.stats.searches,
            republished: p.stats.republished,
            banned: p.stats.banned,
            network: p.stats.network,
            pruning_cut_short: p.stats.pruning_cut_short,
            left_untried: p.stats.left_untried,
            linked: p.stats.linked,
            links_left: p.stats.links_left,
        },
        audit: serde_json::from_str(&audit).expect("the audit JSON parses"),
    };
    crate::render::to_json(&doc)
}

fn summary(p: &Protected) -> SummaryJson {
    SummaryJson {
        primary: p.primary.len(),
        complements: p.complements.len(),
        complement_value: p.complements.iter().map(|k| k.value as i128).sum(),
        complement_cost: p.complements.iter().fold(0.0, |a, k| a + k.cost),
    }
}

/// `--cost COL`: the column COL of a long input, one cost per cell (a
/// non-negative number on every data row), exit 2 naming the line
/// otherwise.
fn cost_column(
    file: &Path,
    info: &cellbound_core::io::long::LongInfo,
    name: &str,
    model: &Model,
) -> Result<Vec<f64>, CliError> {
    let display = file.display().to_string();
    let bytes = input::long_rows(file, info)?;
    let texts = cellbound_core::io::long::column(&bytes, info, name)
        .map_err(|e| CliError::usage(format!("{display}: {e}")))?
        .ok_or_else(|| {
            CliError::usage(format!(
                "--cost {name:?}: the file has no column {name:?}; use unity, value, log, or the \
                 name of the column that holds each cell's cost"
            ))
        })?;
    let cells = &model.tables[0].cells;
    let mut costs = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let text = texts.get(i).map(String::as_str).unwrap_or("");
        let cost: f64 = text.parse().ok().filter(|c: &f64| c.is_finite() && *c >= 0.0).ok_or_else(|| {
            CliError::usage(format!(
                "{display}:{}: column {name:?}: {text:?} is not a cost: --cost {name} needs a number \
                 0 or more on every row",
                cell.line.unwrap_or(0)
            ))
        })?;
        costs.push(cost);
    }
    Ok(costs)
}

/// One row per hidden cell: its role, cost, and the audit's interval and
/// verdict.
fn csv(p: &Protected, truth: &[Vec<Count>]) -> String {
    let m = &p.model;
    let width = m
        .tables
        .iter()
        .map(|t| t.dimensions.len())
        .max()
        .unwrap_or(0);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["table".to_string()];
    header.extend((1..=width).map(|i| format!("dim{i}")));
    header.extend(["value", "role", "cost", "lower", "upper", "verdict"].map(String::from));
    w.write_record(&header).expect("writing to memory");
    // On tight bounds the audit lists every hidden cell; on the
    // requirements' tables only the audited ones, the others' rows having
    // no interval.
    let rows: Vec<(CellRef, Option<&CellAudit>)> = match p.audit.basis {
        Basis::Bounds => p.audit.cells.iter().map(|a| (a.cell, Some(a))).collect(),
        Basis::Witnesses => {
            let audited: HashMap<CellRef, &CellAudit> =
                p.audit.cells.iter().map(|a| (a.cell, a)).collect();
            m.hidden_cells()
                .map(|r| (r, audited.get(&r).copied()))
                .collect()
        }
    };
    for (cell, a) in rows {
        let mut record = vec![m.tables[cell.table].name.clone()];
        let at = codes(m, cell);
        record.extend(at.iter().map(|s| s.to_string()));
        record.extend(std::iter::repeat_n(String::new(), width - at.len()));
        let (role, cost) = role(p, cell);
        let value = truth[cell.table][cell.cell];
        record.push(value.to_string());
        record.push(role.to_string());
        record.push(cost.map(cost_text).unwrap_or_default());
        let bounds = a.map(|a| a.bounds);
        record.push(
            bounds
                .and_then(|b| b.lower)
                .map(|l| l.to_string())
                .unwrap_or_default(),
        );
        record.push(
            bounds
                .and_then(|b| b.upper)
                .map(|u| u.to_string())
                .unwrap_or_default(),
        );
        record.push(
            a.map_or(Verdict::NotAudited, |a| a.verdict)
                .as_str()
                .to_string(),
        );
        w.write_record(&record).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

fn table(p: &Protected, args: &ProtectArgs) -> String {
    let m = &p.model;
    let mut out = String::new();
    for t in &m.tables {
        let _ = writeln!(out, "published table {:?}:", t.name);
        match write::grid(t) {
            Some(grid) if t.layout == Layout::Grid => out.push_str(&grid),
            _ => {
                let _ = writeln!(
                    out,
                    "({} cells, {} hidden; -o FILE.json writes it as a JSON model)",
                    t.cells.len(),
                    t.cells.iter().filter(|c| c.entry.is_hidden()).count()
                );
            }
        }
        out.push('\n');
    }
    let s = summary(p);
    let _ = writeln!(
        out,
        "{} primary, {} complementary cell{} (total value {}, cost {}):",
        s.primary,
        s.complements,
        if s.complements == 1 { "" } else { "s" },
        s.complement_value,
        cost_text(s.complement_cost)
    );
    for k in &p.complements {
        let mut at = codes(m, k.cell).join(", ");
        if m.tables.len() > 1 {
            at = format!("{}: {at}", m.tables[k.cell.table].name);
        }
        let _ = writeln!(out, "  {at}  value {}  cost {}", k.value, cost_text(k.cost));
    }
    out.push('\n');
    out.push_str(&crate::audit::table(m, &p.audit));
    let limits = crate::assumptions::attacker_limits(args.requirement.zeros_shown, m.negative);
    let _ = writeln!(
        out,
        "attacker: open ({limits}), {}",
        if args.requirement.zeros_shown {
            "zeros shown"
        } else {
            "zeros not shown"
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cellbound_core::synth::{Params, Shape, Synth};

    /// The report of an audit that rests on witness tables: the JSON says
    /// so, its cells' intervals are "reached", and the CSV still has a row
    /// per hidden cell, the cells not audited without an interval.
    #[test]
    fn an_audit_on_witness_tables_says_so_and_lists_every_hidden_cell() {
        let mut params = Params::new(Shape::Cube { dims: [5, 4, 3] }, 1);
        params.small = 0.15;
        let model = Synth::generate(&params).model(true);
        let truth: Vec<Vec<Count>> = model
            .tables
            .iter()
            .map(|t| {
                t.cells
                    .iter()
                    .map(|c| c.entry.published().unwrap())
                    .collect()
            })
            .collect();
        let mut p = cellbound_solver::protect(&model, &truth, &ProtectOptions::default()).unwrap();
        assert!(!p.complements.is_empty());
        let rows = |csv: &str| csv.lines().count() - 1;
        let hidden = rows(&csv(&p, &truth));
        // The audit as protect gives it for a large pattern: only the
        // audited cells, on witness tables.
        p.audit.cells.retain(|c| c.audited);
        p.audit.basis = Basis::Witnesses;
        let doc: serde_json::Value = serde_json::from_str(&crate::audit::json(
            &p.model,
            false,
            &Protection::default(),
            &p.audit,
        ))
        .unwrap();
        assert_eq!(doc["basis"], "witnesses");
        let cells = doc["cells"].as_array().unwrap();
        assert_eq!(cells.len(), p.audit.cells.len());
        assert!(cells.iter().all(|c| c["status"] == "reached"));
        let out = csv(&p, &truth);
        assert_eq!(rows(&out), hidden, "{out}");
        let k = &p.complements[0];
        let at = codes(&p.model, k.cell).join(",");
        let start = format!("{},{at},", p.model.tables[k.cell.table].name);
        let row = out.lines().find(|l| l.starts_with(&start)).unwrap();
        assert!(row.ends_with(",,,not audited"), "{row}");
        assert!(row.contains(",complement,"), "{row}");
        assert!(
            crate::audit::table(&p.model, &p.audit).starts_with("the audited cells' requirements")
        );
    }
}
