//! The fast LP path (doubleton substitution, warm probes from one LP
//! vertex, dives) against the plain one: a fresh integer program per bound
//! over the original, unsubstituted component. Run on synthetic 3-D cubes
//! and on cubes with a share of small cells raised, where the LP vertices
//! are fractional and the integer bounds are tighter than the LP's.

use cellbound::core::synth::{Params, Shape, Synth};
use cellbound::core::{LinearSystem, Rule};
use cellbound::solver::components;
use cellbound::solver::lp::{self, Answer, Sense};
use cellbound::solver::presolve::{self, Box};
use cellbound::solver::{solve, Options, Outcome};

/// The integer optimum of local variable `v`, by one integer program
/// over the whole component (presolve only makes the bounds finite).
fn integer_optimum(part: &components::Component, v: usize, sense: Sense) -> i64 {
    let all: Vec<usize> = (0..part.rows.len()).collect();
    let mut bounds = Box::new(&part.lo, &part.hi);
    presolve::propagate(&part.rows, &all, &mut bounds, 200).expect("feasible");
    match lp::solve(&part.rows, &all, &bounds, Some((v, sense)), true).expect("solves") {
        Answer::Point(p) => p[v].round() as i64,
        other => panic!("integer program: {other:?}"),
    }
}

fn agree(params: Params) {
    let label = format!("{:?} seed {}", params.shape, params.seed);
    let model = Synth::generate(&params).model(false);
    let rule = Rule {
        open: true,
        ..Rule::default()
    };
    let system = LinearSystem::build(&model, rule).expect("builds");
    let Outcome::Feasible(report) = solve(&model, &system, &Options::default()).expect("solves")
    else {
        panic!("{label}: a synthetic table with its truth is feasible")
    };
    let mut compared = 0;
    for part in components::split(&system) {
        for (local, &v) in part.vars.iter().enumerate() {
            let reported = report.cells[v].bounds;
            assert!(report.cells[v].tight, "{label}: cell {v} not tight");
            let lower = integer_optimum(&part, local, Sense::Min);
            let upper = integer_optimum(&part, local, Sense::Max);
            assert_eq!(
                (reported.lower, reported.upper),
                (lower, Some(upper)),
                "{label}: cell {v}"
            );
            compared += 1;
        }
    }
    assert!(compared > 0, "{label}: no hidden cell");
}

#[test]
fn cubes_agree_with_an_integer_program_per_bound() {
    for seed in 1..=4 {
        agree(Params::new(Shape::Cube { dims: [5, 5, 5] }, seed));
    }
    agree(Params::new(Shape::Cube { dims: [6, 5, 4] }, 7));
    agree(Params::new(Shape::Cube { dims: [8, 8, 8] }, 1));
}

#[test]
fn cubes_with_many_small_cells_agree_too() {
    // A quarter of the leaves small: many hidden cells, lines with three
    // and more of them, and wide intervals rather than exact cells.
    for seed in 1..=3 {
        let mut params = Params::new(Shape::Cube { dims: [5, 5, 4] }, seed);
        params.small = 0.25;
        agree(params);
    }
    let mut params = Params::new(Shape::Cube { dims: [8, 7, 6] }, 1);
    params.small = 0.2;
    agree(params);
}
