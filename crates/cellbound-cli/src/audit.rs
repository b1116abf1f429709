//! `cellbound audit`: the verdict, rendered for a pipeline (JSON, CSV, exit
//! status) or a person (table).

use std::fmt::Write as _;

use cellbound_core::io::jj::{JjCell, JjStatus};
use cellbound_core::io::truth::read_truth;
use cellbound_core::Model;
use cellbound_solver::{AuditError, AuditReport, Basis, BasisChoice, CellPolicy, Protection};
use serde::Serialize;

use crate::args::{AuditArgs, BasisArg, OutputFormat};
use crate::render::{codes, Amount};
use crate::{exit, input, output, CliError};

pub fn run(args: AuditArgs) -> Result<u8, CliError> {
    if let Some(out) = &args.output.output {
        let mut inputs = vec![args.file.as_path()];
        inputs.extend(args.truth.as_deref());
        output::check_not_input(out, &inputs)?;
    }
    let format = output::resolve_format(&args.output);
    let options = args.input.grid_options();
    let loaded = input::load_args(&args.file, &options, &args.input, args.quiet)?;
    let model = &loaded.model;
    crate::memory::check(&args.file, model, args.memory.memory_limit)?;
    let truth = match (&args.truth, &loaded.jj) {
        (Some(path), _) => read_truth(path, model, &options)?,
        (None, Some(cells)) => vec![cells.iter().map(|c| c.value).collect()],
        (None, None) => {
            return Err(CliError::usage(format!(
            "{}: audit needs the true table: add --truth TRUTH (only a JJ file carries its own)",
            args.file.display()
        )))
        }
    };
    // τ-ARGUS marks primary suppressions `u`, with their protection levels.
    let policies: Option<Vec<Vec<CellPolicy>>> = loaded.jj.as_ref().map(|cells| {
        vec![cells
            .iter()
            .map(|c| CellPolicy {
                sensitive: c.status == JjStatus::Unsafe,
                lower_protection: c.lower_protection,
                upper_protection: c.upper_protection,
            })
            .collect()]
    });
    let protection = args.requirement.protection(model.decimals);
    check_protection_range(model, &truth, &protection, policies.as_deref(), &args)?;
    // The jj and html formats show every hidden cell's tight interval.
    let basis = match (args.basis, format) {
        (_, OutputFormat::Jj | OutputFormat::Html) | (BasisArg::Bounds, _) => BasisChoice::Bounds,
        (BasisArg::Auto, _) => BasisChoice::Auto,
        (BasisArg::Witnesses, _) => BasisChoice::Witnesses,
    };
    let report = cellbound_solver::audit_on(
        model,
        &truth,
        args.requirement.zeros_shown,
        &protection,
        policies.as_deref(),
        &cellbound_solver::Options {
            time_limit: crate::time_limit(args.time_limit)?,
            ..cellbound_solver::Options::default()
        },
        basis,
    )
    .map_err(|e| match e {
        AuditError::Inconsistent(i) => CliError::usage(format!(
            "{}: the true table ({}) does not fit the published one:\n  {}",
            args.file.display(),
            args.truth.as_deref().unwrap_or(&args.file).display(),
            i.problems.join("\n  ")
        )),
        AuditError::Input(e) => CliError::from(e),
        AuditError::Solve(e) => CliError::solve(model, e),
    })?;
    let text = match format {
        OutputFormat::Json => json(model, args.requirement.zeros_shown, &protection, &report),
        OutputFormat::Csv => csv(model, &report),
        OutputFormat::Table => {
            table(model, &report) + &crate::assumptions::attacker(&args.requirement, model.negative)
        }
        OutputFormat::Jj => jj(model, loaded.jj.clone(), &truth, &report)?,
        OutputFormat::Html => html_page(model, &args, &report)?,
        OutputFormat::Long => {
            return Err(CliError::usage(format!(
                "{}: --format long writes the bounds of `cellbound bounds` on a long input's rows; \
                 audit writes table, json, csv, jj or html",
                args.file.display()
            )))
        }
    };
    output::emit(args.output.output.as_deref(), &text)?;
    Ok(if report.passed() {
        exit::SUCCESS
    } else {
        exit::AUDIT_FAILED
    })
}

/// Refuses a protection requirement `v + margin` or `v - margin` that
/// does not fit a 64-bit count, naming the cell and the numbers: the
/// solver's audit computes it in 64 bits, and a wrapped requirement would
/// give a wrong verdict.
fn check_protection_range(
    model: &Model,
    truth: &[Vec<i64>],
    protection: &Protection,
    policies: Option<&[Vec<CellPolicy>]>,
    args: &AuditArgs,
) -> Result<(), CliError> {
    let source = args.truth.as_deref().unwrap_or(&args.file).display();
    for cell in model.hidden_cells() {
        let value = truth[cell.table][cell.cell] as i128;
        let policy = policies.map(|p| p[cell.table][cell.cell]);
        let flags = [
            ("--upper-protection", protection.upper_protection),
            ("--lower-protection", protection.lower_protection),
        ];
        let mut margins: Vec<(String, i128)> = flags
            .iter()
            .filter_map(|&(flag, pct)| {
                let pct = pct?;
                let margin = ((value * pct as i128 + 99) / 100).max(1);
                Some((format!("{flag} {pct} (% of {value})"), margin))
            })
            .collect();
        if let Some(p) = policy {
            margins.push((
                "the upper protection level".into(),
                p.upper_protection as i128,
            ));
            margins.push((
                "the lower protection level".into(),
                p.lower_protection as i128,
            ));
        }
        for (what, margin) in margins {
            let limit = i64::MAX as i128;
            if value + margin > limit || value - margin < -limit {
                return Err(CliError::usage(format!(
                    "{source}: cell {}: {what} gives a protection of {margin}, and the true value {value} plus or minus it passes 2^63 - 1; ask for a smaller protection",
                    cellbound_core::system::describe_cell(model, cell)
                )));
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct AttackerJson {
    open: bool,
    zeros_shown: bool,
}

#[derive(Serialize)]
struct ProtectionJson {
    threshold: Amount,
    zero_sensitive: bool,
    min_width: Option<Amount>,
    upper_protection: Option<u32>,
    lower_protection: Option<u32>,
    protect_all: bool,
    strict: bool,
}

#[derive(Serialize)]
struct RequiredJson {
    lower_at_most: Option<Amount>,
    upper_at_least: Option<Amount>,
    min_width: Option<Amount>,
}

#[derive(Serialize)]
struct CellJson<'a> {
    table: &'a str,
    at: Vec<&'a str>,
    value: Amount,
    lower: Option<Amount>,
    upper: Option<Amount>,
    status: &'static str,
    sensitive: bool,
    audited: bool,
    required: RequiredJson,
    verdict: &'static str,
    failures: &'a [String],
    existence_disclosed: bool,
    pinned_by: &'a [String],
}

#[derive(Serialize)]
struct SummaryJson {
    hidden: usize,
    audited: usize,
    passed: usize,
    failed: usize,
    exactly_disclosed: usize,
    under_protected: usize,
    existence_disclosed: usize,
}

#[derive(Serialize)]
struct AuditJson<'a> {
    verdict: &'static str,
    basis: &'static str,
    attacker: AttackerJson,
    protection: ProtectionJson,
    cells: Vec<CellJson<'a>>,
    summary: SummaryJson,
}

pub(crate) fn json(
    model: &Model,
    zeros_shown: bool,
    p: &Protection,
    report: &AuditReport,
) -> String {
    let s = report.summary;
    let doc = AuditJson {
        verdict: if report.passed() { "pass" } else { "fail" },
        basis: report.basis.as_str(),
        attacker: AttackerJson {
            open: true,
            zeros_shown,
        },
        protection: ProtectionJson {
            threshold: Amount::new(p.threshold, model.decimals),
            zero_sensitive: p.zero_sensitive,
            min_width: p.min_width.map(|w| Amount::new(w, model.decimals)),
            upper_protection: p.upper_protection,
            lower_protection: p.lower_protection,
            protect_all: p.protect_all,
            strict: p.strict,
        },
        cells: report
            .cells
            .iter()
            .map(|c| CellJson {
                table: &model.tables[c.cell.table].name,
                at: codes(model, c.cell),
                value: Amount::new(c.value, model.decimals),
                lower: c.bounds.lower.map(|l| Amount::new(l, model.decimals)),
                upper: c.bounds.upper.map(|u| Amount::new(u, model.decimals)),
                status: match report.basis {
                    Basis::Bounds => c.bounds.status().as_str(),
                    Basis::Witnesses => "reached",
                },
                sensitive: c.sensitive,
                audited: c.audited,
                required: RequiredJson {
                    lower_at_most: c
                        .requirement
                        .lower_at_most
                        .map(|v| Amount::new(v, model.decimals)),
                    upper_at_least: c
                        .requirement
                        .upper_at_least
                        .map(|v| Amount::new(v, model.decimals)),
                    min_width: c
                        .requirement
                        .min_width
                        .map(|v| Amount::new(v, model.decimals)),
                },
                verdict: c.verdict.as_str(),
                failures: &c.failures,
                existence_disclosed: c.existence_disclosed,
                pinned_by: &c.pinned_by,
            })
            .collect(),
        summary: SummaryJson {
            hidden: s.hidden,
            audited: s.audited,
            passed: s.passed,
            failed: s.failed,
            exactly_disclosed: s.exactly_disclosed,
            under_protected: s.under_protected,
            existence_disclosed: s.existence_disclosed,
        },
    };
    crate::render::to_json(&doc)
}

pub(crate) fn csv(model: &Model, report: &AuditReport) -> String {
    let width = model
        .tables
        .iter()
        .map(|t| t.dimensions.len())
        .max()
        .unwrap_or(0);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["table".to_string()];
    header.extend((1..=width).map(|i| format!("dim{i}")));
    header.extend(
        [
            "value",
            "lower",
            "upper",
            "sensitive",
            "verdict",
            "failures",
            "pinned_by",
        ]
        .map(String::from),
    );
    w.write_record(&header).expect("writing to memory");
    for c in &report.cells {
        let mut record = vec![model.tables[c.cell.table].name.clone()];
        let at = codes(model, c.cell);
        record.extend(at.iter().map(|s| s.to_string()));
        record.extend(std::iter::repeat_n(String::new(), width - at.len()));
        let d = model.decimals;
        record.push(Amount::new(c.value, d).to_string());
        record.push(Amount::field(c.bounds.lower, d));
        record.push(Amount::field(c.bounds.upper, d));
        record.push(c.sensitive.to_string());
        record.push(c.verdict.as_str().to_string());
        record.push(c.failures.join("; "));
        record.push(c.pinned_by.join("; "));
        w.write_record(&record).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}

pub(crate) fn table(model: &Model, report: &AuditReport) -> String {
    let mut out = String::new();
    if report.basis == Basis::Witnesses {
        let _ = writeln!(
            out,
            "the audited cells' requirements, each met by an integer table checked against every line; \
             the intervals are what those tables reach (the tight ones are at least as wide), \
             computed for no other hidden cell ({} hidden in all)",
            report.summary.hidden
        );
    }
    let rows: Vec<[String; 5]> = report
        .cells
        .iter()
        .map(|c| {
            let mut at = codes(model, c.cell).join(", ");
            if model.tables.len() > 1 {
                at = format!("{}: {at}", model.tables[c.cell.table].name);
            }
            let mut note = c.failures.join("; ");
            if !c.pinned_by.is_empty() {
                let _ = write!(note, " [pinned by {}]", c.pinned_by.join(", "));
            }
            if c.existence_disclosed && c.failures.is_empty() {
                note.push_str("finding: proved nonzero");
            }
            [
                at,
                Amount::new(c.value, model.decimals).to_string(),
                crate::render::interval_in(c.bounds, model.decimals),
                c.verdict.as_str().to_string(),
                note,
            ]
        })
        .collect();
    let head = ["cell", "true", "interval", "verdict", "why"].map(String::from);
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .chain(std::iter::once(&head))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in std::iter::once(&head).chain(&rows) {
        let line = format!(
            "{:<w0$}  {:>w1$}  {:>w2$}  {:<w3$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "\n{}", verdict_line(report));
    out
}

/// The audit's last word: `PASS` or `FAIL`, and the counts.
fn verdict_line(report: &AuditReport) -> String {
    let s = report.summary;
    format!(
        "{}: {} hidden, {} audited, {} passed, {} failed ({} exactly disclosed, {} under-protected), {} existence disclosure{}",
        if report.passed() { "PASS" } else { "FAIL" },
        s.hidden,
        s.audited,
        s.passed,
        s.failed,
        s.exactly_disclosed,
        s.under_protected,
        s.existence_disclosed,
        if s.existence_disclosed == 1 { "" } else { "s" }
    )
}

/// The audit as an HTML page: the verdict per cell, and the derivations
/// of the attacker's bounds (a second solve, with derivations, under the
/// attacker's rule) when the table is small enough.
fn html_page(model: &Model, args: &AuditArgs, report: &AuditReport) -> Result<String, CliError> {
    let file = args.file.display().to_string();
    let system = cellbound_core::LinearSystem::build(
        model,
        cellbound_solver::attacker_rule(args.requirement.zeros_shown),
    )?;
    let derived = if system.vars.len() <= crate::html::DERIVE_LIMIT {
        let options = cellbound_solver::Options {
            derive: true,
            time_limit: crate::time_limit(args.time_limit)?,
            ..cellbound_solver::Options::default()
        };
        match cellbound_solver::solve(&system, &options) {
            Ok(cellbound_solver::Outcome::Feasible(r)) => Some(r),
            _ => None,
        }
    } else {
        None
    };
    let note = match &derived {
        Some(_) => None,
        None if system.vars.len() > crate::html::DERIVE_LIMIT => {
            Some(crate::html::too_many(&file, system.vars.len()))
        }
        None => Some(format!(
            "Derivations are left out: they could not be found in time. `cellbound explain {file} --open --cell LABEL,...` gives the derivation of one cell."
        )),
    };
    let summary = crate::html::summary_of(report.cells.iter().map(|c| &c.bounds));
    let page = crate::html::Page {
        command: crate::html::Command::Audit,
        file: &file,
        summary: vec![
            verdict_line(report),
            crate::html::counts_line(summary, model.negative),
            crate::assumptions::attacker(&args.requirement, model.negative)
                .trim_end()
                .to_string(),
        ],
        passed: Some(report.passed()),
        cells: report
            .cells
            .iter()
            .map(|c| crate::html::Hidden {
                cell: c.cell,
                bounds: c.bounds,
                shown: crate::render::interval_in(c.bounds, model.decimals),
                estimate: None,
                audit: Some(crate::html::AuditCell {
                    value: c.value,
                    verdict: c.verdict.as_str(),
                    why: {
                        let mut why = c.failures.join("; ");
                        if c.existence_disclosed && c.failures.is_empty() {
                            why.push_str("finding: proved nonzero");
                        }
                        why
                    },
                    pinned_by: c.pinned_by.clone(),
                }),
            })
            .collect(),
        derived: derived.as_ref().map(|r| (&system, r)),
        note,
    };
    Ok(crate::html::page(model, &page))
}

/// The audited table as a JJ file: true values, the computed bounds in
/// the bounds columns of hidden cells, and the protection each needs
/// (`u` for audited cells, `m` for the other hidden ones). A JJ input
/// keeps its own statuses, costs and levels.
fn jj(
    model: &Model,
    input: Option<Vec<JjCell>>,
    truth: &[Vec<i64>],
    report: &AuditReport,
) -> Result<String, CliError> {
    let from_jj = input.is_some();
    let mut cells: Vec<Vec<JjCell>> = match input {
        Some(cells) => vec![cells],
        None => model
            .tables
            .iter()
            .zip(truth)
            .map(|(t, values)| {
                t.cells
                    .iter()
                    .zip(values)
                    .map(|(c, &v)| JjCell::from_entry(c.entry, v))
                    .collect()
            })
            .collect(),
    };
    for c in &report.cells {
        let line = &mut cells[c.cell.table][c.cell.cell];
        // A JJ line always has a lower bound: none is the lowest count.
        line.lower = c.bounds.lower.unwrap_or(-cellbound_core::MAX_COUNT);
        line.upper = c.bounds.upper;
        if !from_jj && c.audited {
            line.status = JjStatus::Unsafe;
            line.lower_protection = c.requirement.lower_at_most.map_or(0, |l| c.value - l);
            line.upper_protection = c.requirement.upper_at_least.map_or(0, |u| u - c.value);
        }
    }
    crate::render::jj(model, cells)
}
