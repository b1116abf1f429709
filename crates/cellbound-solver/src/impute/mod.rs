//! Impute: one whole integer table consistent with the publication, each
//! hidden cell inside its tight bounds, and, for small components, each
//! cell's exact mean over every such table.
//!
//! Per component, in three steps:
//! 1. a continuous target inside the tight intervals (`fit.rs`): the
//!    midpoints themselves ([`Method::Midpoint`]), or a weighted
//!    least-squares fit of the lines from the midpoints or a prior
//!    ([`Method::Fit`]);
//! 2. the integer table nearest the target (`round.rs`), checked exactly;
//! 3. with [`ImputeOptions::means`], the exact means by counting every
//!    table (`count.rs`), where the component is small enough.
//!
//! Invariant: every value returned satisfies every row of the system and
//! lies within its cell's bounds in the report, checked in exact integer
//! arithmetic; a component for which no table was found is named in
//! [`Imputation::unfilled`] and its cells get no estimate.

mod count;
mod fit;
mod round;

use std::time::{Duration, Instant};

use rayon::prelude::*;

use cellbound_core::{Count, LinearSystem};

use crate::components::{self, Component};
use crate::error::SolveError;
use crate::report::Report;

/// Which estimate to give each hidden cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// The table nearest (in L1) the midpoints of the tight intervals:
    /// the County Business Patterns method, on tight bounds.
    Midpoint,
    /// The table nearest (in weighted squares) a weighted least-squares
    /// fit of the lines from the midpoints: each line's remainder spread
    /// over its cells in proportion to the square root of the width of
    /// their tight intervals, or to the prior when one is given. Chosen
    /// over other weights by the accuracy benchmark (docs/benchmarks.md,
    /// "Imputation accuracy").
    #[default]
    Fit,
}

impl Method {
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Midpoint => "midpoint",
            Method::Fit => "fit",
        }
    }
}

/// How to impute.
///
/// ```
/// use cellbound_solver::{ImputeOptions, Method};
///
/// let options = ImputeOptions { method: Method::Midpoint, ..ImputeOptions::default() };
/// assert!(!options.means);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImputeOptions {
    pub method: Method,
    /// A prior value per system variable (`None` where the prior table
    /// has no value): the fit starts there and spreads each line's
    /// remainder in proportion to it.
    pub prior: Option<Vec<f64>>,
    /// Count the tables of small components for each cell's exact mean.
    pub means: bool,
    /// Stop after this long: components not reached get no estimate.
    pub time_limit: Option<Duration>,
}

/// Where a cell's estimate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The tight bounds meet: the published numbers give the value.
    Disclosed,
    /// The table nearest the method's target.
    Method(Method),
    /// The table nearest the fit from the prior.
    Prior,
    /// The nearest table was out of reach: the solver's first table within
    /// the tight intervals.
    Search,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Disclosed => "disclosed",
            Source::Method(m) => m.as_str(),
            Source::Prior => "prior",
            Source::Search => "search",
        }
    }
}

/// A cell's mean over every integer table consistent with the
/// publication: `sum / tables`, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mean {
    /// How many integer tables the cell's component has.
    pub tables: u128,
    /// The cell's values summed over them.
    pub sum: i128,
}

impl Mean {
    pub fn value(&self) -> f64 {
        self.sum as f64 / self.tables as f64
    }
}

/// One hidden cell's estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Estimate {
    pub value: Count,
    pub source: Source,
    /// `None` where the tables were not counted (not asked, too many, a
    /// cell with no upper bound).
    pub mean: Option<Mean>,
}

/// An imputed table: an estimate per system variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imputation {
    /// Per system variable, `None` in an unfilled component.
    pub estimates: Vec<Option<Estimate>>,
    /// Components (as numbered in the report) for which no table was
    /// found in time.
    pub unfilled: Vec<usize>,
    pub time: Duration,
}

impl Imputation {
    /// The value of every variable, when every component was filled.
    pub fn values(&self) -> Option<Vec<Count>> {
        self.estimates.iter().map(|e| e.map(|e| e.value)).collect()
    }
}

/// Fills every hidden cell of `system` with a whole number within the
/// bounds of `report` (the solved bounds of the same system) such that
/// every row holds exactly.
///
/// ```
/// use cellbound_core::io::{csv_grid, GridOptions};
/// use cellbound_core::{LinearSystem, Rule};
/// use cellbound_solver::{impute, solve, ImputeOptions, Options, Outcome};
///
/// let csv = "MRC,Volet 1,Volet 2,Volet 3,Total\n\
///            La Mitis,x,9,x,20\n\
///            Les Basques,x,15,x,25\n\
///            Total,13,24,8,45\n";
/// let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
/// let system = LinearSystem::build(&model, Rule::open()).unwrap();
/// let Outcome::Feasible(report) = solve(&system, &Options::default()).unwrap() else {
///     panic!("feasible")
/// };
/// let filled = impute(&system, &report, &ImputeOptions::default()).unwrap();
/// let v = filled.values().unwrap();
/// assert!(system.rows.iter().all(|r| r.holds(&v)));
/// assert_eq!(v[0] + v[1], 11); // La Mitis: 20 - 9
/// ```
pub fn impute(
    system: &LinearSystem,
    report: &Report,
    options: &ImputeOptions,
) -> Result<Imputation, SolveError> {
    let started = Instant::now();
    let deadline = options.time_limit.map(|t| started + t);
    let parts = components::split(system);
    let filled: Vec<Option<Vec<Estimate>>> = parts
        .par_iter()
        .map(|part| impute_part(part, report, options, deadline))
        .collect::<Result<_, _>>()?;
    let mut estimates = vec![None; system.vars.len()];
    let mut unfilled = Vec::new();
    for (k, (part, got)) in parts.iter().zip(filled).enumerate() {
        match got {
            Some(values) => {
                for (&v, e) in part.vars.iter().zip(values) {
                    estimates[v] = Some(e);
                }
            }
            None => unfilled.push(k),
        }
    }
    Ok(Imputation {
        estimates,
        unfilled,
        time: started.elapsed(),
    })
}

fn impute_part(
    part: &Component,
    report: &Report,
    options: &ImputeOptions,
    deadline: Option<Instant>,
) -> Result<Option<Vec<Estimate>>, SolveError> {
    // A cell with no lower bound (values that may be negative) has no
    // interval to fill it from: its component stays unfilled.
    let Some(lo) = part
        .vars
        .iter()
        .map(|&v| report.cells[v].bounds.lower)
        .collect::<Option<Vec<Count>>>()
    else {
        return Ok(None);
    };
    let hi: Vec<Option<Count>> = part
        .vars
        .iter()
        .map(|&v| report.cells[v].bounds.upper)
        .collect();
    let disclosed = |i: usize| hi[i] == Some(lo[i]);
    let (table, rounded) = if (0..lo.len()).all(disclosed) {
        // Bounds not proved tight may meet with no table behind them.
        if !part.admits(&lo) {
            return Ok(None);
        }
        (lo.clone(), None)
    } else if deadline.is_some_and(|d| Instant::now() >= d) {
        return Ok(None);
    } else {
        let prior = options
            .prior
            .as_ref()
            .map(|p| part.vars.iter().map(|&v| p[v]).collect::<Vec<f64>>());
        let (target, weight) = target(part, &lo, &hi, options.method, prior.as_deref());
        let distance = match &weight {
            Some(w) => round::Distance::Squares(w),
            _ => round::Distance::L1,
        };
        match round::nearest(part, &lo, &hi, &target, distance, deadline)? {
            Some((table, how)) => (table, Some(how)),
            None => return Ok(None),
        }
    };
    let census = if options.means {
        count::census(part, &lo, &hi, deadline).filter(|c| c.tables > 0)
    } else {
        None
    };
    let method_source = match (options.method, options.prior.is_some()) {
        (Method::Fit, true) => Source::Prior,
        (m, _) => Source::Method(m),
    };
    Ok(Some(
        (0..lo.len())
            .map(|i| Estimate {
                value: table[i],
                source: if disclosed(i) {
                    Source::Disclosed
                } else if rounded == Some(round::Rounded::Search) {
                    Source::Search
                } else {
                    method_source
                },
                mean: census.as_ref().map(|c| Mean {
                    tables: c.tables,
                    sum: c.sums[i],
                }),
            })
            .collect(),
    ))
}

/// The continuous point the table is rounded from.
fn target(
    part: &Component,
    lo: &[Count],
    hi: &[Option<Count>],
    method: Method,
    prior: Option<&[f64]>,
) -> (Vec<f64>, Option<Vec<f64>>) {
    let n = lo.len();
    // A cell with no upper bound has no midpoint: its lower bound stands
    // in, and the fit gives it the weight of the widest bounded cell.
    let mid: Vec<f64> = (0..n)
        .map(|i| match hi[i] {
            Some(h) => (lo[i] as f64 + h as f64) / 2.0,
            None => lo[i] as f64,
        })
        .collect();
    match method {
        Method::Midpoint => (mid, None),
        Method::Fit => {
            let widest = (0..n)
                .filter_map(|i| hi[i].map(|h| (h - lo[i]) as f64))
                .fold(1.0, f64::max);
            let (start, weight): (Vec<f64>, Vec<f64>) = match prior {
                Some(p) => (0..n)
                    .map(|i| {
                        let p = if p[i].is_finite() {
                            p[i].max(0.0)
                        } else {
                            mid[i]
                        };
                        (p, p + 0.5)
                    })
                    .unzip(),
                None => (0..n)
                    .map(|i| {
                        let w = hi[i].map_or(widest, |h| (h - lo[i]) as f64);
                        (mid[i], w.sqrt())
                    })
                    .unzip(),
            };
            let fitted = fit::project(part, lo, hi, start, &weight);
            (fitted, Some(weight))
        }
    }
}
