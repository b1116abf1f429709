//! How close each imputation method comes to the truth on synthetic
//! workloads: mean absolute error and root mean squared error over the
//! hidden cells that are not disclosed exactly, per shape and size.
//!
//! `cargo bench -p cellbound-bench --bench impute_accuracy` prints a
//! markdown table (docs/benchmarks.md, "Imputation accuracy", holds the
//! latest). Not a criterion benchmark: it measures error, not time.
//! `IMPUTE_SEED_OFFSET=100` draws other seeds (101, 102, ...), to check a
//! choice made on the default ones.

use cellbound::core::synth::{Params, Rng, Shape, Synth};
use cellbound::core::{LinearSystem, Rule};
use cellbound::solver::{impute, solve, ImputeOptions, Method, Options, Outcome};

struct Errors {
    n: usize,
    abs: f64,
    sq: f64,
}

impl Errors {
    fn new() -> Self {
        Errors {
            n: 0,
            abs: 0.0,
            sq: 0.0,
        }
    }
    fn add(&mut self, estimate: f64, truth: f64) {
        let d = estimate - truth;
        self.n += 1;
        self.abs += d.abs();
        self.sq += d * d;
    }
    fn cell(&self) -> String {
        if self.n == 0 {
            return "-".into();
        }
        format!(
            "{:.3} / {:.3}",
            self.abs / self.n as f64,
            (self.sq / self.n as f64).sqrt()
        )
    }
}

/// "Last year's" table: the truth with every count moved by up to 30%
/// and rounded, drawn from its own stream.
fn perturbed(truth: &[i64], seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed ^ 0xA5A5);
    truth
        .iter()
        .map(|&t| (t as f64 * (0.7 + 0.6 * rng.unit())).round())
        .collect()
}

fn main() {
    // (name, shape, share of small leaves): the cubes' default share
    // leaves every hidden cell disclosed, so they are drawn with more.
    let workloads: Vec<(&str, Shape, f64)> = vec![
        ("grid 50x10", Shape::Grid { rows: 50, cols: 10 }, 0.05),
        (
            "grid 300x20",
            Shape::Grid {
                rows: 300,
                cols: 20,
            },
            0.05,
        ),
        (
            "grid 1000x40",
            Shape::Grid {
                rows: 1000,
                cols: 40,
            },
            0.05,
        ),
        (
            "hier 5,20,100 x 5,20,100",
            Shape::Hier {
                geo: [5, 20, 100],
                ind: [5, 20, 100],
            },
            0.05,
        ),
        (
            "hier 10,100,2000 x 10,50,500",
            Shape::Hier {
                geo: [10, 100, 2000],
                ind: [10, 50, 500],
            },
            0.05,
        ),
        (
            "cube 6x6x6, 30% small",
            Shape::Cube { dims: [6, 6, 6] },
            0.3,
        ),
        (
            "cube 10x10x10, 30% small",
            Shape::Cube { dims: [10, 10, 10] },
            0.3,
        ),
    ];
    println!("| workload | cells estimated | interval midpoint | L1 to midpoint (`--method midpoint`) | fit (default) | fit with a prior (`--prior`) | exact mean (`--means`, cells counted) |");
    println!("|---|---|---|---|---|---|---|");
    for (name, shape, small) in workloads {
        let mut counted = 0;
        let (mut mid, mut l1, mut fit, mut prior, mut mean) = (
            Errors::new(),
            Errors::new(),
            Errors::new(),
            Errors::new(),
            Errors::new(),
        );
        let mut mean_fit = Errors::new();
        // Small workloads get more seeds, so that their means rest on
        // hundreds of cells.
        let seeds = if name.contains("2000") {
            1
        } else if name.contains("1000") || name.contains("hier") {
            3
        } else {
            10
        };
        let offset: u64 = std::env::var("IMPUTE_SEED_OFFSET")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        for seed in offset + 1..=offset + seeds {
            let params = Params {
                small,
                ..Params::new(shape.clone(), seed)
            };
            let synth = Synth::generate(&params);
            let model = synth.model(false);
            let system = LinearSystem::build(&model, Rule::open()).expect("synth builds");
            let Outcome::Feasible(report) =
                solve(&system, &Options::default()).expect("synth solves")
            else {
                panic!("synth is feasible")
            };
            let truth: Vec<i64> = system
                .vars
                .iter()
                .map(|v| synth.values[v.cell.cell])
                .collect();
            let last_year = perturbed(&synth.values, seed);
            let prior_values: Vec<f64> =
                system.vars.iter().map(|v| last_year[v.cell.cell]).collect();
            let run = |method, prior: Option<Vec<f64>>, means| {
                impute(
                    &system,
                    &report,
                    &ImputeOptions {
                        method,
                        prior,
                        means,
                        time_limit: None,
                    },
                )
                .expect("imputes")
            };
            let by_l1 = run(Method::Midpoint, None, false);
            let by_fit = run(Method::Fit, None, true);
            let by_prior = run(Method::Fit, Some(prior_values), false);
            for (v, cell) in report.cells.iter().enumerate() {
                let b = cell.bounds;
                let (Some(lower), Some(upper)) = (b.lower, b.upper) else {
                    continue;
                };
                if upper == lower {
                    continue;
                }
                let t = truth[v] as f64;
                mid.add((lower + upper) as f64 / 2.0, t);
                l1.add(by_l1.estimates[v].unwrap().value as f64, t);
                let f = by_fit.estimates[v].unwrap();
                fit.add(f.value as f64, t);
                prior.add(by_prior.estimates[v].unwrap().value as f64, t);
                if let Some(m) = f.mean {
                    mean.add(m.value(), t);
                    mean_fit.add(f.value as f64, t);
                    counted += 1;
                }
            }
        }
        println!(
            "| {name} | {} | {} | {} | **{}** | {} | {} ({counted}; fit on them: {}) |",
            mid.n,
            mid.cell(),
            l1.cell(),
            fit.cell(),
            prior.cell(),
            mean.cell(),
            mean_fit.cell()
        );
    }
}
