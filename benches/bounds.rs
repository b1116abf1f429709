//! Criterion benches: all bounds of generated workloads of each shape, at
//! a small and a medium size, and the filling in of each given its bounds
//! (`cargo bench -p cellbound-bench --bench bounds`). The larger workloads
//! are timed end to end by `benches/run.sh` (`benches/run.sh impute` for
//! bounds and impute side by side).

use criterion::{criterion_group, criterion_main, Criterion};

use cellbound::core::synth::{Params, Shape, Synth};
use cellbound::core::{LinearSystem, Rule};
use cellbound::solver::{impute, solve, ImputeOptions, Method, Options, Outcome};

fn workloads() -> Vec<(&'static str, Params)> {
    let grid = |rows, cols, small| Params {
        small,
        ..Params::new(Shape::Grid { rows, cols }, 1)
    };
    vec![
        ("grid 50x10", grid(50, 10, 0.05)),
        ("grid 300x30", grid(300, 30, 0.05)),
        ("grid 1000x40", grid(1000, 40, 0.12)),
        (
            "hier 2>4>20 x 2>4>10",
            Params::new(
                Shape::Hier {
                    geo: [2, 4, 20],
                    ind: [2, 4, 10],
                },
                1,
            ),
        ),
        (
            "hier 3>8>40 x 3>6>15",
            Params::new(
                Shape::Hier {
                    geo: [3, 8, 40],
                    ind: [3, 6, 15],
                },
                1,
            ),
        ),
        (
            "cube 5x5x5",
            Params::new(Shape::Cube { dims: [5, 5, 5] }, 1),
        ),
        (
            "cube 8x8x8",
            Params::new(Shape::Cube { dims: [8, 8, 8] }, 1),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let open = Rule::open();
    let mut group = c.benchmark_group("bounds");
    group.sample_size(10);
    for (name, params) in workloads() {
        let model = Synth::generate(&params).model(false);
        group.bench_function(name, |b| {
            b.iter(|| {
                let system = LinearSystem::build(&model, open).expect("a consistent table");
                let outcome = solve(&system, &Options::default()).expect("solved");
                assert!(matches!(outcome, Outcome::Feasible(_)));
                outcome
            })
        });
    }
    group.finish();
}

/// Filling in, given the bounds: its time against the `bounds` group's
/// is what `impute` adds to `bounds`.
fn bench_impute(c: &mut Criterion) {
    let open = Rule::open();
    let mut group = c.benchmark_group("impute");
    group.sample_size(10);
    for (name, params) in workloads() {
        let model = Synth::generate(&params).model(false);
        let system = LinearSystem::build(&model, open).expect("a consistent table");
        let Outcome::Feasible(report) = solve(&system, &Options::default()).expect("solved") else {
            panic!("synthetic tables are feasible")
        };
        for method in [Method::Fit, Method::Midpoint] {
            let options = ImputeOptions {
                method,
                ..ImputeOptions::default()
            };
            group.bench_function(format!("{name} {}", method.as_str()), |b| {
                b.iter(|| impute(&system, &report, &options).expect("imputed"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench, bench_impute);
criterion_main!(benches);
