//! The native half of the `cellbound` Python package. The Python half
//! (`python/cellbound/__init__.py`) turns DataFrames into flat arrays and
//! back; this half builds a `cellbound_core::Model` from those arrays (or
//! reads one from a file), calls the library, and hands back flat arrays.
//! Arrays cross as little-endian bytes (`i64`, `u8`), so that a million
//! cells cost one copy each way and no Python object per cell.
//!
//! Every solve runs with the GIL released. Errors become the package's
//! exceptions, with the messages the command line prints.

use std::path::Path;
use std::time::Duration;

use cellbound_cli::embed::{explain_cell, find_cell, verify_bytes, Explained};
use cellbound_cli::CliError;
use cellbound_core::io::{names, read_bytes_with_warnings, Format, GridOptions, GridRange};
use cellbound_core::{
    Absent, Cell, Count, Dimension, Entry, InputError, Layout, LinearSystem, Model, ModelError,
    Rule, Table,
};
use cellbound_solver::{
    AuditError, ImputeOptions, Infeasibility, Method, Options, Outcome, Protection, Report,
    SolveError,
};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

create_exception!(
    _native,
    CellboundError,
    PyException,
    "Any error of cellbound."
);
create_exception!(
    _native,
    BadInput,
    CellboundError,
    "Bad input (the CLI's exit 2): attributes file, line, field."
);
create_exception!(
    _native,
    Infeasible,
    CellboundError,
    "No integer table fits the published numbers (the CLI's exit 3): attributes explanation, lines."
);
create_exception!(
    _native,
    Unproved,
    CellboundError,
    "The solver could not prove every bound tight (the CLI's exit 4)."
);

fn bad_input(e: &InputError) -> PyErr {
    Python::with_gil(|py| {
        let err = BadInput::new_err(e.to_string());
        let v = err.value(py);
        let _ = v.setattr("file", e.file.clone());
        let _ = v.setattr("line", e.line);
        let _ = v.setattr("field", e.field.clone());
        let _ = v.setattr("message", e.message.clone());
        err
    })
}

fn bad_usage(message: String, file: &str) -> PyErr {
    Python::with_gil(|py| {
        let err = BadInput::new_err(message.clone());
        let v = err.value(py);
        let _ = v.setattr("file", file.to_string());
        let _ = v.setattr("line", None::<usize>);
        let _ = v.setattr("field", None::<String>);
        let _ = v.setattr("message", message);
        err
    })
}

fn model_error(e: &ModelError, file: &str) -> PyErr {
    bad_input(&InputError::new(file, e.to_string()))
}

fn infeasible(why: &Infeasibility, model: &Model) -> PyErr {
    let explanation = why.explanation(model);
    Python::with_gil(|py| {
        let err = Infeasible::new_err(explanation.clone());
        let v = err.value(py);
        let _ = v.setattr("explanation", explanation);
        let _ = v.setattr("lines", why.lines(model));
        err
    })
}

fn unproved(message: String) -> PyErr {
    Unproved::new_err(message)
}

fn solve_error(e: SolveError, model: &Model) -> PyErr {
    match e {
        SolveError::Unproved(u) => unproved(u.describe(model)),
        e => unproved(e.to_string()),
    }
}

fn cli_error(e: CliError, file: &str) -> PyErr {
    match e.status {
        2 => bad_usage(e.message, file),
        _ => unproved(e.message),
    }
}

/// A model held for Python: built from arrays or read from a file.
#[pyclass(module = "cellbound._native", frozen)]
struct NativeModel {
    model: Model,
}

fn rule(threshold: Count, zeros_shown: bool, open: bool) -> Rule {
    Rule {
        threshold,
        zeros_shown,
        open,
        // A model read with values that may be negative says so itself.
        negative: false,
    }
}

fn time_limit(seconds: Option<f64>) -> PyResult<Option<Duration>> {
    match seconds {
        Some(t) if !(t.is_finite() && t >= 0.0) => Err(bad_usage(
            format!("time_limit={t}: give a number of seconds, 0 or more"),
            "",
        )),
        t => Ok(t.map(Duration::from_secs_f64)),
    }
}

fn i64s(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

fn to_bytes<'py>(py: Python<'py>, values: &[i64]) -> Bound<'py, PyBytes> {
    let mut out = Vec::with_capacity(values.len() * 8);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    PyBytes::new(py, &out)
}

/// Builds a one-table model. `dims`: `(name, codes, parents)` per
/// dimension, a parent as the index of its code (-1 for none). `at`: the
/// cells' code indices, row-major, one per dimension. `kind`: 0 published
/// (`value`), 1 hidden, 2 a range `lo..=hi` (`hi` -1: no upper limit).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (name, source, dims, at, kind, value, lo, hi, zero_absent))]
fn model_from_arrays(
    py: Python<'_>,
    name: String,
    source: String,
    dims: Vec<(String, Vec<String>, Vec<i64>)>,
    at: &[u8],
    kind: &[u8],
    value: &[u8],
    lo: &[u8],
    hi: &[u8],
    zero_absent: bool,
) -> PyResult<NativeModel> {
    let (at, value, lo, hi) = (i64s(at), i64s(value), i64s(lo), i64s(hi));
    let kind = kind.to_vec();
    let result = py.allow_threads(|| -> Result<Model, ModelError> {
        let dimensions = dims
            .into_iter()
            .map(|(name, codes, parents)| {
                Dimension::new(
                    name,
                    codes
                        .into_iter()
                        .zip(parents)
                        .map(|(c, p)| (c, usize::try_from(p).ok())),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = dimensions.len().max(1);
        let cells = kind
            .iter()
            .enumerate()
            .map(|(i, &k)| Cell {
                at: at[i * n..(i + 1) * n].iter().map(|&c| c as usize).collect(),
                entry: match k {
                    0 => Entry::Published(value[i]),
                    1 => Entry::Hidden,
                    _ => Entry::Range {
                        lo: Some(lo[i]),
                        hi: (hi[i] >= 0).then_some(hi[i]),
                    },
                },
                origin: format!("row {i}"),
                line: None,
            })
            .collect();
        let absent = if zero_absent {
            Absent::Zero
        } else {
            Absent::Error
        };
        Ok(Model {
            tables: vec![Table::new(name, dimensions, cells, absent, Layout::Cube)?],
            constraints: Vec::new(),
            source: source.clone(),
            decimals: 0,
            negative: false,
        })
    });
    let model = result.map_err(|e| model_error(&e, &source))?;
    Ok(NativeModel { model })
}

/// Reads any file the command line reads; returns the model and the
/// reader's warnings.
#[pyfunction]
#[pyo3(signature = (path, delimiter=None, total_labels=vec![], markers=vec![], skip_lines=0, range=None))]
fn read_model(
    py: Python<'_>,
    path: String,
    delimiter: Option<String>,
    total_labels: Vec<String>,
    markers: Vec<String>,
    skip_lines: usize,
    range: Option<String>,
) -> PyResult<(NativeModel, Vec<String>)> {
    let options = grid_options(delimiter, total_labels, markers, skip_lines, range, &path)?;
    let (model, warnings) = py
        .allow_threads(|| load(Path::new(&path), &options))
        .map_err(|e| bad_input(&e))?;
    Ok((NativeModel { model }, warnings))
}

fn grid_options(
    delimiter: Option<String>,
    total_labels: Vec<String>,
    markers: Vec<String>,
    skip_lines: usize,
    range: Option<String>,
    file: &str,
) -> PyResult<GridOptions> {
    let delimiter = match delimiter.as_deref() {
        None => None,
        Some(",") => Some(b','),
        Some(";") => Some(b';'),
        Some("tab") | Some("\t") => Some(b'\t'),
        Some(d) => {
            return Err(bad_usage(
                format!("delimiter={d:?}: give ',', ';' or 'tab'"),
                file,
            ))
        }
    };
    let range = match range {
        None => None,
        Some(r) => {
            Some(GridRange::parse(&r).map_err(|m| bad_usage(format!("range={r:?}: {m}"), file))?)
        }
    };
    if range.is_some() && skip_lines > 0 {
        return Err(bad_usage(
            "range and skip_lines cannot be combined".into(),
            file,
        ));
    }
    Ok(GridOptions {
        delimiter,
        total_labels,
        markers,
        skip_lines,
        range,
        ..GridOptions::default()
    })
}

fn load(path: &Path, options: &GridOptions) -> Result<(Model, Vec<String>), InputError> {
    let (display, stem) = names(path);
    let bytes = cellbound_core::io::read_file(path, &display)?;
    let format = Format::detect_with(path, &bytes, options);
    let (model, warnings) = read_bytes_with_warnings(&bytes, format, &display, &stem, options)?;
    Ok((model, warnings.iter().map(|w| w.to_string()).collect()))
}

#[pymethods]
impl NativeModel {
    /// The tables as flat arrays: per table `(name, dims, at, kind, value,
    /// lo, hi)`, `dims` as `model_from_arrays` takes them.
    #[allow(clippy::type_complexity)]
    fn tables<'py>(
        &self,
        py: Python<'py>,
    ) -> Vec<(
        String,
        Vec<(String, Vec<String>, Vec<i64>)>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
    )> {
        self.model
            .tables
            .iter()
            .map(|t| {
                let dims = t
                    .dimensions
                    .iter()
                    .map(|d| {
                        let parents = (0..d.len())
                            .map(|i| d.parent(i).map_or(-1, |p| p as i64))
                            .collect();
                        (d.name().to_string(), d.codes().to_vec(), parents)
                    })
                    .collect();
                let n = t.cells.len();
                let (mut at, mut kind, mut value, mut lo, mut hi) = (
                    Vec::with_capacity(n * t.dimensions.len()),
                    Vec::with_capacity(n),
                    vec![0i64; n],
                    vec![0i64; n],
                    vec![-1i64; n],
                );
                for (i, c) in t.cells.iter().enumerate() {
                    at.extend(c.at.iter().map(|&a| a as i64));
                    match c.entry {
                        Entry::Published(v) => {
                            kind.push(0u8);
                            value[i] = v;
                        }
                        Entry::Hidden => kind.push(1),
                        // Arrays hold a lower end for every range: a model of
                        // values that may be negative is read, not built.
                        Entry::Range { lo: l, hi: h } => {
                            kind.push(2);
                            lo[i] = l.unwrap_or(-cellbound_core::MAX_COUNT);
                            hi[i] = h.unwrap_or(-1);
                        }
                        // A value published rounded: the range it stands for.
                        Entry::Rounded { lo: l, hi: h, .. } => {
                            kind.push(2);
                            lo[i] = l;
                            hi[i] = h;
                        }
                    }
                }
                (
                    t.name.clone(),
                    dims,
                    to_bytes(py, &at),
                    PyBytes::new(py, &kind),
                    to_bytes(py, &value),
                    to_bytes(py, &lo),
                    to_bytes(py, &hi),
                )
            })
            .collect()
    }

    /// The model's file (or the name given to a DataFrame).
    #[getter]
    fn source(&self) -> String {
        self.model.source.clone()
    }

    /// The number of extra constraints (JSON models only).
    #[getter]
    fn constraints(&self) -> usize {
        self.model.constraints.len()
    }
}

fn solve(
    py: Python<'_>,
    model: &Model,
    rule: Rule,
    options: &Options,
) -> PyResult<(LinearSystem, Report)> {
    let result = py.allow_threads(|| -> Result<(LinearSystem, Outcome), PyErr> {
        let system = LinearSystem::build(model, rule).map_err(|e| bad_input(&e))?;
        let outcome =
            cellbound_solver::solve(&system, options).map_err(|e| solve_error(e, model))?;
        Ok((system, outcome))
    })?;
    match result {
        (system, Outcome::Feasible(report)) => Ok((system, report)),
        (_, Outcome::Infeasible(why)) => Err(infeasible(&why, model)),
    }
}

/// The loose-bounds message of the command line, or `None` when every
/// bound is proved or loose bounds are accepted.
fn loose_message(model: &Model, report: &Report, require_tight: bool) -> Option<String> {
    let loose = report.cells.iter().filter(|c| !c.tight).count();
    if !report.unproved.is_empty() {
        let mut lines: Vec<String> = report
            .unproved
            .iter()
            .map(|u| format!("not proved: {}", u.describe(model)))
            .collect();
        lines.push(format!(
            "{loose} of {} hidden cells have bounds not proved tight (sound, possibly loose)",
            report.cells.len()
        ));
        Some(lines.join("\n"))
    } else if require_tight && loose > 0 {
        Some(format!(
            "{loose} of {} hidden cells have bounds not proved tight (sound, possibly loose); require_tight",
            report.cells.len()
        ))
    } else {
        None
    }
}

/// Bounds of every hidden cell, in input order: `(table, cell, lower,
/// upper, has_upper, has_lower, status, tight, unproved)`, arrays as bytes
/// (`status`: 0 exact, 1 bounded, 2 unbounded; `has_lower` 0 only where
/// values may be negative), `unproved` the message to raise (or `None`).
#[pyfunction]
#[allow(clippy::type_complexity)]
#[pyo3(signature = (model, threshold=5, zeros_shown=false, open=false, time_limit=None, require_tight=false))]
fn bounds<'py>(
    py: Python<'py>,
    model: &NativeModel,
    threshold: Count,
    zeros_shown: bool,
    open: bool,
    time_limit: Option<f64>,
    require_tight: bool,
) -> PyResult<(
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Option<String>,
)> {
    let options = Options {
        time_limit: self::time_limit(time_limit)?,
        ..Options::default()
    };
    let model = &model.model;
    let (_, report) = solve(py, model, rule(threshold, zeros_shown, open), &options)?;
    let n = report.cells.len();
    let (mut table, mut cell, mut lower, mut upper) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut has_upper, mut has_lower, mut status, mut tight) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for c in &report.cells {
        table.push(c.cell.table as i64);
        cell.push(c.cell.cell as i64);
        lower.push(c.bounds.lower.unwrap_or(0));
        upper.push(c.bounds.upper.unwrap_or(0));
        has_upper.push(c.bounds.upper.is_some() as u8);
        has_lower.push(c.bounds.lower.is_some() as u8);
        status.push(c.bounds.status() as u8);
        tight.push(c.tight as u8);
    }
    Ok((
        to_bytes(py, &table),
        to_bytes(py, &cell),
        to_bytes(py, &lower),
        to_bytes(py, &upper),
        PyBytes::new(py, &has_upper),
        PyBytes::new(py, &has_lower),
        PyBytes::new(py, &status),
        PyBytes::new(py, &tight),
        loose_message(model, &report, require_tight),
    ))
}

/// The audit: one dict per hidden cell, in input order. `truth`: per
/// table, the true value of every listed cell.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (model, truth, threshold=5, zero_sensitive=false, zeros_shown=false, min_width=None, upper_protection=None, lower_protection=None, protect_all=false, strict=false, time_limit=None))]
fn audit<'py>(
    py: Python<'py>,
    model: &NativeModel,
    truth: Vec<Vec<Count>>,
    threshold: Count,
    zero_sensitive: bool,
    zeros_shown: bool,
    min_width: Option<Count>,
    upper_protection: Option<u32>,
    lower_protection: Option<u32>,
    protect_all: bool,
    strict: bool,
    time_limit: Option<f64>,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyDict>)> {
    let model = &model.model;
    let protection = Protection {
        threshold,
        zero_sensitive,
        min_width,
        upper_protection,
        lower_protection,
        protect_all,
        strict,
    };
    let options = Options {
        time_limit: self::time_limit(time_limit)?,
        ..Options::default()
    };
    let report = py
        .allow_threads(|| {
            cellbound_solver::audit(model, &truth, zeros_shown, &protection, None, &options)
        })
        .map_err(|e| match e {
            AuditError::Inconsistent(i) => bad_usage(
                format!(
                    "{}: the true table does not fit the published one:\n  {}",
                    model.source,
                    i.problems.join("\n  ")
                ),
                &model.source,
            ),
            AuditError::Input(e) => bad_input(&e),
            AuditError::Solve(e) => solve_error(e, model),
        })?;
    let cells = PyList::empty(py);
    for c in &report.cells {
        let d = PyDict::new(py);
        d.set_item("table", c.cell.table)?;
        d.set_item("cell", c.cell.cell)?;
        d.set_item("value", c.value)?;
        d.set_item("lower", c.bounds.lower)?;
        d.set_item("upper", c.bounds.upper)?;
        d.set_item("status", c.bounds.status().as_str())?;
        d.set_item("sensitive", c.sensitive)?;
        d.set_item("audited", c.audited)?;
        d.set_item("verdict", c.verdict.as_str())?;
        d.set_item("failures", c.failures.clone())?;
        d.set_item("existence_disclosed", c.existence_disclosed)?;
        d.set_item("pinned_by", c.pinned_by.clone())?;
        cells.append(d)?;
    }
    let s = report.summary;
    let summary = PyDict::new(py);
    summary.set_item("hidden", s.hidden)?;
    summary.set_item("audited", s.audited)?;
    summary.set_item("passed", s.passed)?;
    summary.set_item("failed", s.failed)?;
    summary.set_item("exactly_disclosed", s.exactly_disclosed)?;
    summary.set_item("under_protected", s.under_protected)?;
    summary.set_item("existence_disclosed", s.existence_disclosed)?;
    summary.set_item("verdict", if report.passed() { "pass" } else { "fail" })?;
    Ok((cells, summary))
}

/// `explain` of one cell: `(text, json)`, the two outputs of the command.
#[pyfunction]
#[pyo3(signature = (model, cell, table=None, threshold=5, zeros_shown=false, open=false, time_limit=None))]
#[allow(clippy::too_many_arguments)]
fn explain(
    py: Python<'_>,
    model: &NativeModel,
    cell: String,
    table: Option<String>,
    threshold: Count,
    zeros_shown: bool,
    open: bool,
    time_limit: Option<f64>,
) -> PyResult<(String, String, Option<String>)> {
    let model = &model.model;
    let at = find_cell(model, table.as_deref(), &cell).map_err(|m| {
        bad_usage(
            format!("{}: --cell {cell:?}: {m}", model.source),
            &model.source,
        )
    })?;
    let limit = self::time_limit(time_limit)?;
    let explained = py
        .allow_threads(|| explain_cell(model, at, rule(threshold, zeros_shown, open), limit, true))
        .map_err(|e| cli_error(e, &model.source))?;
    match explained {
        Explained::Cell {
            table,
            json,
            assumes,
        } => Ok((table, json, assumes)),
        Explained::Infeasible(_) => {
            // Solve again for the structured explanation and its lines.
            let options = Options::default();
            solve(py, model, rule(threshold, zeros_shown, open), &options)?;
            Err(Infeasible::new_err("infeasible"))
        }
    }
}

/// `verify` of a bounds file's bytes: `(ok, stdout lines, stderr lines)`.
#[pyfunction]
fn verify(
    py: Python<'_>,
    model: &NativeModel,
    bounds: &[u8],
    display: String,
) -> PyResult<(bool, Vec<String>, Vec<String>)> {
    let model = &model.model;
    let bytes = bounds.to_vec();
    let v = py
        .allow_threads(|| verify_bytes(model, &bytes, &display))
        .map_err(|e| cli_error(e, &display))?;
    Ok((v.status == 0, v.stdout, v.stderr))
}

/// Imputes every hidden cell: `(table, cell, value, source, mean, lower,
/// upper, has_upper, unproved)`, `source` and `mean` as lists.
#[pyfunction]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
#[pyo3(signature = (model, threshold=5, zeros_shown=false, open=false, method="fit", prior=None, means=false, time_limit=None, allow_unproved=false))]
fn impute<'py>(
    py: Python<'py>,
    model: &NativeModel,
    threshold: Count,
    zeros_shown: bool,
    open: bool,
    method: &str,
    prior: Option<Vec<Option<f64>>>,
    means: bool,
    time_limit: Option<f64>,
    allow_unproved: bool,
) -> PyResult<(
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Vec<&'static str>,
    Vec<Option<f64>>,
)> {
    let method = match method {
        "fit" => Method::Fit,
        "midpoint" => Method::Midpoint,
        m => {
            return Err(bad_usage(
                format!("method={m:?}: give \"fit\" or \"midpoint\""),
                "",
            ))
        }
    };
    let model = &model.model;
    let limit = self::time_limit(time_limit)?;
    let options = Options {
        time_limit: limit,
        ..Options::default()
    };
    let (system, report) = solve(py, model, rule(threshold, zeros_shown, open), &options)?;
    if let Some(m) = loose_message(model, &report, false) {
        return Err(unproved(m));
    }
    let loose = report.cells.iter().filter(|c| !c.tight).count();
    if loose > 0 && !allow_unproved {
        return Err(unproved(format!(
            "{loose} of {} hidden cells have bounds not proved tight, so no table is written: raise time_limit, or pass allow_unproved=True for a table inside the sound bounds",
            report.cells.len()
        )));
    }
    // The prior comes per hidden cell in input order: the system's order.
    let prior = prior.map(|p| p.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect());
    let imputation = py
        .allow_threads(|| {
            cellbound_solver::impute(
                &system,
                &report,
                &ImputeOptions {
                    method,
                    prior,
                    means,
                    time_limit: limit,
                },
            )
        })
        .map_err(|e| solve_error(e, model))?;
    if !imputation.unfilled.is_empty() {
        return Err(unproved(format!(
            "no table was found in time for {} of {} components, so none is written: raise time_limit",
            imputation.unfilled.len(),
            report.stats.components
        )));
    }
    let n = report.cells.len();
    let (mut table, mut cell, mut value) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut source, mut mean) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for c in &report.cells {
        let e = imputation.estimates[c.var]
            .as_ref()
            .expect("every component filled");
        table.push(c.cell.table as i64);
        cell.push(c.cell.cell as i64);
        value.push(e.value);
        source.push(e.source.as_str());
        mean.push(e.mean.as_ref().map(|m| m.value()));
    }
    Ok((
        to_bytes(py, &table),
        to_bytes(py, &cell),
        to_bytes(py, &value),
        source,
        mean,
    ))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("CellboundError", py.get_type::<CellboundError>())?;
    m.add("BadInput", py.get_type::<BadInput>())?;
    m.add("Infeasible", py.get_type::<Infeasible>())?;
    m.add("Unproved", py.get_type::<Unproved>())?;
    m.add_class::<NativeModel>()?;
    m.add_function(wrap_pyfunction!(model_from_arrays, m)?)?;
    m.add_function(wrap_pyfunction!(read_model, m)?)?;
    m.add_function(wrap_pyfunction!(bounds, m)?)?;
    m.add_function(wrap_pyfunction!(audit, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(impute, m)?)?;
    Ok(())
}
