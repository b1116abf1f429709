//! `cellbound impute`: the tight bounds, then one whole integer table
//! inside them that satisfies every published line, written in the
//! input's own layout or as the bounds JSON with each cell's estimate.

use std::path::Path;

use cellbound_core::io::write;
use cellbound_core::{Entry, LinearSystem, Model};
use cellbound_solver::{impute, Imputation, ImputeOptions, Method, Options, Outcome};

use crate::args::{ImputeArgs, ImputeFormat, MethodArg};
use crate::input::Loaded;
use crate::{assumptions, exit, input, output, progress, render, time_limit, CliError};

/// The least time the filling in gets, even past --time-limit.
const FILL_GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// With --allow-unproved, the bounds get at most this share of
/// --time-limit (numerator, denominator) and the filling in the rest: on
/// a group of thousands of linked cells whose bounds are cut short, the
/// table needs its own search (docs/benchmarks.md, "Protected
/// workloads").
const BOUNDS_SHARE: (u32, u32) = (1, 2);

/// Labels of unmatched cells named in a prior error, at most.
const NAMED: usize = 10;

pub fn run(args: ImputeArgs) -> Result<u8, CliError> {
    let format = args.format();
    if let Some(out) = &args.output {
        let mut inputs = vec![args.file.as_path()];
        inputs.extend(args.prior.as_deref());
        output::check_not_input(out, &inputs)?;
    }
    if args.witnesses && format != ImputeFormat::Json {
        return Err(CliError::usage(format!(
            "{}: --witnesses adds witness tables and derivations to the JSON output: add --format json, or leave --witnesses out",
            args.file.display()
        )));
    }
    let grid_options = args.input.grid_options();
    let loaded = input::load_args(&args.file, &grid_options, &args.input, args.quiet)?;
    let model = &loaded.model;
    let solve = crate::memory::check(&args.file, model, args.memory.memory_limit)?;
    let rule = args.rule.rule_in(model.decimals);
    let system = LinearSystem::build(model, rule)?;
    let prior = match &args.prior {
        Some(path) => Some(prior_values(
            model,
            &system,
            &input::load_related(path, &grid_options)?.model,
            path,
        )?),
        None => None,
    };
    let limit = time_limit(args.time_limit)?;
    let started = std::time::Instant::now();
    // The HTML page shows each cell's derivations, up to a size.
    let html_derive =
        format == ImputeFormat::Html && system.vars.len() <= crate::html::DERIVE_LIMIT;
    let bounds_limit = match limit {
        Some(t) if args.allow_unproved => Some(t * BOUNDS_SHARE.0 / BOUNDS_SHARE.1),
        _ => limit,
    };
    let options = Options {
        keep_witnesses: args.witnesses,
        derive: args.witnesses || html_derive,
        time_limit: bounds_limit,
        ..Options::default()
    };
    if options.keep_witnesses || options.derive {
        let limit = args.memory.memory_limit;
        crate::memory::check_tables(&args.file, &system, solve, limit, args.witnesses)?;
    }
    let report = match progress::solve(&system, &options, args.quiet)? {
        Outcome::Feasible(report) => report,
        Outcome::Infeasible(why) => {
            let explanation = why.explanation(model);
            match format {
                ImputeFormat::Json if args.output.is_some() => output::emit(
                    args.output.as_deref(),
                    &render::infeasible_json(rule, model.decimals, &explanation),
                )?,
                ImputeFormat::Html if args.output.is_some() => output::emit(
                    args.output.as_deref(),
                    &crate::html::infeasible(
                        crate::html::Command::Impute,
                        &args.file.display().to_string(),
                        &assumptions::describe(rule.for_model(model), model.decimals),
                        &explanation,
                    ),
                )?,
                _ => {}
            }
            output::stderr_line(&format!("cellbound: infeasible: {explanation}"));
            return Ok(exit::INFEASIBLE);
        }
    };
    let loose = report.cells.iter().filter(|c| !c.tight).count();
    for u in &report.unproved {
        output::stderr_line(&format!("cellbound: not proved: {}", u.describe(model)));
    }
    if loose > 0 && !args.allow_unproved {
        output::stderr_line(&format!(
            "cellbound: {loose} of {} hidden cells have bounds not proved tight, so no table is written: raise --time-limit, or pass --allow-unproved for a table inside the sound bounds",
            report.cells.len()
        ));
        return Ok(exit::SOLVER);
    }
    // A cell with no lower bound (values that may be negative, and lines
    // that do not bound it) has no interval to fill it from.
    let open_below: Vec<_> = report
        .cells
        .iter()
        .filter(|c| c.bounds.lower.is_none())
        .collect();
    if let Some(first) = open_below.first() {
        output::stderr_line(&format!(
            "cellbound: {} hidden cell{} (the first {}) {} no lower bound: values may be negative and the published lines do not bound {}, so no table is written; give such a cell a range (in the cell as [A,B], or for its flag with --flag-meaning FLAG=range:A-B)",
            open_below.len(),
            if open_below.len() == 1 { "" } else { "s" },
            cellbound_core::system::describe_cell(model, first.cell),
            if open_below.len() == 1 { "has" } else { "have" },
            if open_below.len() == 1 { "it" } else { "them" },
        ));
        return Ok(exit::BAD_INPUT);
    }
    // Filling in gets what is left of the limit, and at least a moment:
    // past the limit the bounds are already cut, and a table inside them
    // is what --allow-unproved asks for.
    let left = limit.map(|t| t.saturating_sub(started.elapsed()).max(FILL_GRACE));
    let imputation = impute(
        &system,
        &report,
        &ImputeOptions {
            method: match args.method {
                MethodArg::Fit => Method::Fit,
                MethodArg::Midpoint => Method::Midpoint,
            },
            prior,
            means: args.means,
            time_limit: left,
        },
    )?;
    if !imputation.unfilled.is_empty() {
        output::stderr_line(&format!(
            "cellbound: no table was found in time for {} of {} components, so none is written: raise --time-limit",
            imputation.unfilled.len(),
            report.stats.components
        ));
        return Ok(exit::SOLVER);
    }
    // The check under --open gets what is left of the time limit, as in
    // `bounds`.
    let left = limit.map(|t| t.saturating_sub(started.elapsed()));
    let assumed = assumptions::check(model, &system, rule, &report, left);
    match format {
        ImputeFormat::Json => output::emit_with(args.output.as_deref(), |w| {
            render::write_bounds_json(
                w,
                model,
                rule,
                &report,
                args.witnesses.then_some(&system),
                &assumed,
                Some(&imputation),
            )
        })?,
        ImputeFormat::Html => output::emit(
            args.output.as_deref(),
            &crate::bounds::html_page(
                &args.file,
                model,
                &system,
                &report,
                &assumed,
                Some(&imputation),
                html_derive,
            ),
        )?,
        ImputeFormat::Filled => output::emit(
            args.output.as_deref(),
            &filled(&args.file, &loaded, &system, &imputation)?,
        )?,
    }
    if loose > 0 {
        output::stderr_line(&format!(
            "cellbound: the table is written, but {loose} hidden cells have bounds not proved tight: their values lie within sound bounds only"
        ));
        return Ok(exit::SOLVER);
    }
    Ok(assumptions::finish(&report, &assumed, false))
}

/// The filled table in the input's layout: a CSV grid for a grid, a JJ
/// file for a JJ file, a long file's own rows for a long file (a hidden
/// cell's row with its value and no flag), a JSON model otherwise.
fn filled(
    file: &Path,
    loaded: &Loaded,
    system: &LinearSystem,
    imputation: &Imputation,
) -> Result<String, CliError> {
    let values = imputation
        .values()
        .expect("every component was filled (checked above)");
    let mut model = loaded.model.clone();
    for (var, &value) in system.vars.iter().zip(&values) {
        model.tables[var.cell.table].cells[var.cell.cell].entry = Entry::Published(value);
    }
    if let Some(cells) = &loaded.jj {
        let mut cells = cells.clone();
        for (var, &value) in system.vars.iter().zip(&values) {
            let line = &mut cells[var.cell.cell];
            line.value = value;
        }
        return render::jj(&loaded.model, vec![cells]);
    }
    if let Some(info) = &loaded.long {
        let bytes = input::long_rows(file, info)?;
        let mut of_cell: Vec<Option<i64>> = vec![None; model.tables[0].cells.len()];
        for (var, &value) in system.vars.iter().zip(&values) {
            of_cell[var.cell.cell] = Some(value);
        }
        let decimals = model.decimals;
        let mut out = Vec::new();
        cellbound_core::io::long::write_filled(&mut out, &bytes, info, |row| {
            of_cell
                .get(row)
                .copied()
                .flatten()
                .map(|v| cellbound_core::model::show_value(v as i128, decimals))
        })
        .map_err(|e| CliError::io(format!("cannot write the filled table: {e}")))?;
        return String::from_utf8(out).map_err(|_| {
            CliError::usage(format!(
                "{}: the long file is not UTF-8 text",
                file.display()
            ))
        });
    }
    let grid = model.tables.len() == 1
        && model.constraints.is_empty()
        && model.tables[0].layout == cellbound_core::Layout::Grid;
    Ok(
        match grid
            .then(|| write::grid_in_units(&model.tables[0], model.decimals))
            .flatten()
        {
            Some(text) => text,
            None => write::json_model(&model),
        },
    )
}

/// Each hidden cell's value in the prior table, matched by table (by name,
/// or the only table) and labels. A hidden cell whose labels the prior
/// lacks is exit 2, naming them; a cell the prior hides too has no prior
/// value (the fit starts at its midpoint).
fn prior_values(
    model: &Model,
    system: &LinearSystem,
    prior: &Model,
    path: &Path,
) -> Result<Vec<f64>, CliError> {
    let mut values = Vec::with_capacity(system.vars.len());
    let mut unmatched: Vec<String> = Vec::new();
    for var in &system.vars {
        let table = &model.tables[var.cell.table];
        let cell = &table.cells[var.cell.cell];
        let labels: Vec<&str> = cell
            .at
            .iter()
            .zip(&table.dimensions)
            .map(|(&c, d)| d.code(c))
            .collect();
        let other = if prior.tables.len() == 1 && model.tables.len() == 1 {
            prior.tables.first()
        } else {
            prior.tables.iter().find(|t| t.name == table.name)
        };
        let Some(other) = other else {
            unmatched.push(format!("table {:?}", table.name));
            values.push(f64::NAN);
            continue;
        };
        let at: Option<Vec<usize>> = (other.dimensions.len() == labels.len())
            .then(|| {
                labels
                    .iter()
                    .zip(&other.dimensions)
                    .map(|(l, d)| d.find(l))
                    .collect()
            })
            .flatten();
        let Some(at) = at else {
            unmatched.push(format!("{}{labels:?}", table.name));
            values.push(f64::NAN);
            continue;
        };
        values.push(match other.cell_at(&at).map(|k| other.cells[k].entry) {
            Some(Entry::Published(v)) => v as f64,
            Some(_) => f64::NAN,
            None => 0.0,
        });
    }
    if unmatched.is_empty() {
        return Ok(values);
    }
    unmatched.dedup();
    let n = unmatched.len();
    let shown: Vec<String> = unmatched.into_iter().take(NAMED).collect();
    Err(CliError::usage(format!(
        "{}: the prior has no cell for {n} hidden cell{} of the table: {}{}; give a prior with the same labels (a table may be matched by name, or be the only one)",
        path.display(),
        if n == 1 { "" } else { "s" },
        shown.join(", "),
        if n > NAMED { ", ..." } else { "" }
    )))
}
