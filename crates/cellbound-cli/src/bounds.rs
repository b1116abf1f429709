//! `cellbound bounds`: the tight interval of every hidden cell, as a
//! table, JSON, CSV, a JJ file or an HTML page.

use cellbound_solver::{Options, Outcome, Report};

use crate::args::{BoundsArgs, OutputFormat};
use crate::{
    assumptions, exit, html, input, memory, output, progress, render, time_limit, CliError,
};

pub fn run(args: BoundsArgs) -> Result<u8, CliError> {
    if let Some(out) = &args.output.output {
        output::check_not_input(out, &[&args.file])?;
    }
    let mut format = output::resolve_format(&args.output);
    if args.witnesses && format != OutputFormat::Json {
        return Err(CliError::usage(format!(
            "{}: --witnesses adds witness tables and derivations to the JSON output, which the {} format cannot carry: add --format json (or -o FILE.json), or leave --witnesses out",
            args.file.display(),
            format.name()
        )));
    }
    let loaded = input::load_args(
        &args.file,
        &args.input.grid_options(),
        &args.input,
        args.quiet,
    )?;
    if format == OutputFormat::Jj && loaded.jj.is_none() {
        return Err(CliError::usage(format!(
            "{}: --format jj needs the true values of the hidden cells: use it with a JJ input, or with `cellbound audit --truth`",
            args.file.display()
        )));
    }
    // A long input written to `-o FILE.csv` gets its own rows back.
    if format == OutputFormat::Csv && args.output.format.is_none() && loaded.long.is_some() {
        format = OutputFormat::Long;
    }
    if format == OutputFormat::Long && loaded.long.is_none() {
        return Err(CliError::usage(format!(
            "{}: --format long writes a long input's own rows with their bounds; this input is not a \
             long file (use --format csv for one row per hidden cell, or --layout long to read the \
             file as a long file)",
            args.file.display()
        )));
    }
    let model = loaded.model;
    let solve = memory::check(&args.file, &model, args.memory.memory_limit)?;
    let rule = args.rule.rule_in(model.decimals);
    let system = cellbound_core::LinearSystem::build(&model, rule)?;
    // The HTML page shows each cell's derivations, up to a size.
    let html_derive = format == OutputFormat::Html && system.vars.len() <= html::DERIVE_LIMIT;
    let options = Options {
        keep_witnesses: args.witnesses,
        derive: args.witnesses || html_derive,
        time_limit: time_limit(args.time_limit)?,
        ..Options::default()
    };
    if options.keep_witnesses || options.derive {
        let limit = args.memory.memory_limit;
        memory::check_tables(&args.file, &system, solve, limit, args.witnesses)?;
    }
    let started = std::time::Instant::now();
    let outcome = progress::solve(&system, &options, args.quiet)?;
    if args.stats {
        progress::stats(&system, &outcome);
    }
    let out = args.output.output.as_deref();
    match outcome {
        Outcome::Feasible(report) => {
            // The check under --open gets what is left of the time limit.
            let left = options
                .time_limit
                .map(|t| t.saturating_sub(started.elapsed()));
            let assumed = assumptions::check(&model, &system, rule, &report, left);
            // JSON and CSV are written as they are made: never the whole
            // text in memory.
            match format {
                OutputFormat::Json => output::emit_with(out, |w| {
                    render::write_bounds_json(
                        w,
                        &model,
                        rule,
                        &report,
                        args.witnesses.then_some(&system),
                        &assumed,
                        None,
                    )
                })?,
                OutputFormat::Csv => {
                    output::emit_with(out, |w| render::write_csv(w, &model, &report))?
                }
                OutputFormat::Long => {
                    let info = loaded.long.as_ref().expect("checked above");
                    let bytes = input::long_rows(&args.file, info)?;
                    output::emit_with(out, |w| {
                        render::write_long(w, &bytes, info, &model, &report)
                    })?
                }
                OutputFormat::Table => {
                    output::emit(out, &render::table(&model, rule, &report, &assumed))?
                }
                OutputFormat::Jj => {
                    let mut cells = loaded.jj.expect("checked above");
                    for c in &report.cells {
                        let line = &mut cells[c.cell.cell];
                        line.lower = c.bounds.lower.unwrap_or(-cellbound_core::MAX_COUNT);
                        line.upper = c.bounds.upper;
                    }
                    output::emit(out, &render::jj(&model, vec![cells])?)?
                }
                OutputFormat::Html => output::emit(
                    out,
                    &html_page(
                        &args.file,
                        &model,
                        &system,
                        &report,
                        &assumed,
                        None,
                        html_derive,
                    ),
                )?,
            }
            // The output is whole and every bound in it sound; exit 4
            // says that some are not proved tight for want of solving
            // time the user did not choose to cut.
            for u in &report.unproved {
                output::stderr_line(&format!("cellbound: not proved: {}", u.describe(&model)));
            }
            if report.stats.underived > 0 {
                output::stderr_line(&format!(
                    "cellbound: {} of {} hidden cells have no derivation: --time-limit passed before their turn (their bounds and tables are written; `verify` names them)",
                    report.stats.underived,
                    report.cells.len()
                ));
            }
            Ok(assumptions::finish(&report, &assumed, args.require_tight))
        }
        Outcome::Infeasible(why) => {
            let explanation = why.explanation(&model);
            // The answer is "infeasible" in every format, so that a file
            // from an earlier run never stands in for this one.
            match format {
                OutputFormat::Json => output::emit(
                    out,
                    &render::infeasible_json(rule, model.decimals, &explanation),
                )?,
                OutputFormat::Table if out.is_some() => {
                    output::emit(out, &format!("infeasible: {explanation}\n"))?
                }
                OutputFormat::Csv if out.is_some() => {
                    output::emit(out, &render::csv(&model, &Report::empty()))?
                }
                OutputFormat::Long if out.is_some() => {
                    output::emit(out, &format!("infeasible: {explanation}\n"))?
                }
                OutputFormat::Html if out.is_some() => output::emit(
                    out,
                    &html::infeasible(
                        html::Command::Bounds,
                        &args.file.display().to_string(),
                        &assumptions::describe(rule.for_model(&model), model.decimals),
                        &explanation,
                    ),
                )?,
                _ => {}
            }
            output::stderr_line(&format!("cellbound: infeasible: {explanation}"));
            Ok(exit::INFEASIBLE)
        }
    }
}

/// The HTML page of a feasible answer: the table output's summary, each
/// cell's interval as the table output writes it, each cell's estimate
/// when `imputation` is given (`impute`), and the derivations when `derived`
/// (the solve was asked for them).
pub fn html_page(
    file: &std::path::Path,
    model: &cellbound_core::Model,
    system: &cellbound_core::LinearSystem,
    report: &Report,
    assumed: &assumptions::Assumptions,
    imputation: Option<&cellbound_solver::Imputation>,
    derived: bool,
) -> String {
    let file = file.display().to_string();
    let page = html::Page {
        command: match imputation {
            Some(_) => html::Command::Impute,
            None => html::Command::Bounds,
        },
        file: &file,
        summary: summary_lines(system.rule, report, assumed),
        passed: None,
        cells: report
            .cells
            .iter()
            .enumerate()
            .map(|(i, c)| html::Hidden {
                cell: c.cell,
                bounds: c.bounds,
                shown: render::shown_marked(model, i, c, assumed),
                estimate: imputation
                    .and_then(|m| m.estimates[c.var])
                    .map(|e| (e.value, e.source.as_str())),
                audit: None,
            })
            .collect(),
        derived: derived.then_some((system, report)),
        note: (!derived).then(|| html::too_many(&file, report.cells.len())),
    };
    html::page(model, &page)
}

/// The summary lines of the table output, one per entry.
pub fn summary_lines(
    rule: cellbound_core::Rule,
    report: &Report,
    assumed: &assumptions::Assumptions,
) -> Vec<String> {
    let mut lines = vec![html::counts_line(report.summary(), rule.negative)];
    let loose = report.cells.iter().filter(|c| !c.tight).count();
    if loose > 0 {
        lines.push(format!(
            "{loose} not proved tight (marked ?): sound bounds, possibly loose"
        ));
    }
    lines.extend(
        assumptions::summary(rule, assumed)
            .lines()
            .map(String::from),
    );
    lines
}
