//! The fast LP path (doubleton substitution, warm probes from one LP
//! vertex, dives) against the plain one: a fresh integer program per bound
//! over the original, unsubstituted component. Run on synthetic 3-D cubes
//! and on cubes with a share of small cells raised, where the LP vertices
//! are fractional and the integer bounds are tighter than the LP's.

use std::sync::Mutex;

use cellbound_core::synth::{Params, Shape, Synth};
use cellbound_core::{LinearSystem, Rule};

use crate::components;
use crate::lp::{self, Answer, Sense};
use crate::presolve::{self, Intervals};
use crate::{solve, solve_with_progress, Options, Outcome};

/// The integer optimum of local variable `v`, by one integer program
/// over the whole component (presolve only makes the bounds finite).
fn integer_optimum(part: &components::Component, v: usize, sense: Sense) -> i64 {
    let all: Vec<usize> = (0..part.rows.len()).collect();
    let mut bounds = Intervals::new(&part.lo, &part.hi);
    presolve::propagate(&part.rows, &all, &mut bounds, 200).expect("feasible");
    match lp::solve(&part.rows, &all, &bounds, Some((v, sense)), true).expect("solves") {
        Answer::Point(p) => p[v].round() as i64,
        other => panic!("integer program: {other:?}"),
    }
}

fn agree(params: Params) {
    let label = format!("{:?} seed {}", params.shape, params.seed);
    agree_on(Synth::generate(&params).model(false), &label);
}

fn agree_on(model: cellbound_core::Model, label: &str) {
    let rule = Rule::open();
    let system = LinearSystem::build(&model, rule).expect("builds");
    let Outcome::Feasible(report) = solve(&system, &Options::default()).expect("solves") else {
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
                (Some(lower), Some(upper)),
                "{label}: cell {v}"
            );
            compared += 1;
        }
    }
    assert!(compared > 0, "{label}: no hidden cell");
}

#[test]
fn cubes_with_negative_ranges_agree_too() {
    // Every hidden cell may go down to -3 (values that may be negative,
    // with a stated lower limit): the same comparison below zero.
    for seed in 1..=2 {
        let params = Params::new(Shape::Cube { dims: [5, 5, 4] }, seed);
        let mut model = Synth::generate(&params).model(false);
        for cell in model.tables.iter_mut().flat_map(|t| &mut t.cells) {
            if cell.entry.is_hidden() {
                cell.entry = cellbound_core::Entry::Range {
                    lo: Some(-3),
                    hi: None,
                };
            }
        }
        agree_on(model, &format!("negative ranges, seed {seed}"));
    }
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
fn four_dimensional_tables_with_hierarchies_agree_too() {
    // 3 x 3 x 2 x 2 leaves: two flat dimensions, a region of two levels
    // and an industry of three; every cell on four lines.
    use cellbound_core::synth::LevelDim;
    for seed in 1..=seeds() {
        let mut params = Params::new(
            Shape::Nd {
                dims: vec![
                    LevelDim::new("year", [3]),
                    LevelDim::new("size", [3]),
                    LevelDim::new("region", [1, 2]),
                    LevelDim::new("industry", [1, 2, 2]),
                ],
            },
            seed,
        );
        params.small = 0.25;
        agree(params);
    }
}

/// Seeds per shape: 3, or `LP_PATHS_SEEDS` for a longer hunt.
fn seeds() -> u64 {
    std::env::var("LP_PATHS_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

#[test]
fn cubes_with_many_small_cells_agree_too() {
    // A quarter of the leaves small: many hidden cells, lines with three
    // and more of them, and wide intervals rather than exact cells.
    for seed in 1..=seeds() {
        let mut params = Params::new(Shape::Cube { dims: [5, 5, 4] }, seed);
        params.small = 0.25;
        agree(params);
    }
    let mut params = Params::new(Shape::Cube { dims: [8, 7, 6] }, 1);
    params.small = 0.2;
    agree(params);
}

#[test]
fn progress_moves_within_one_component_and_ends_at_every_cell() {
    let model = Synth::generate(&Params::new(Shape::Cube { dims: [8, 8, 8] }, 1)).model(false);
    let rule = Rule::open();
    let system = LinearSystem::build(&model, rule).expect("builds");
    assert_eq!(components::split(&system).len(), 1, "one component");
    let seen = Mutex::new(Vec::new());
    let outcome = solve_with_progress(&system, &Options::default(), &|done, all| {
        seen.lock().unwrap().push((done, all));
    })
    .expect("solves");
    assert!(matches!(outcome, Outcome::Feasible(_)));
    let seen = seen.into_inner().unwrap();
    let n = system.vars.len();
    assert!(seen.len() > 1, "only {} progress calls", seen.len());
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "progress goes forward"
    );
    assert!(seen.iter().all(|&(_, all)| all == n));
    assert_eq!(seen.last().map(|&(done, _)| done), Some(n));
}

/// A known table (the truth, as `audit` gives it) replaces the search for
/// a first table: the bounds are the same, it costs no more programs
/// (but the warm vertex, built once per component either way), and
/// a table that breaks a line is ignored rather than trusted.
#[test]
fn a_known_table_is_the_first_table_when_it_checks() {
    for (dims, seed) in [([6, 6, 6], 3), ([8, 8, 8], 5)] {
        let mut params = Params::new(Shape::Cube { dims }, seed);
        params.small = 0.3;
        let synth = Synth::generate(&params);
        let model = synth.model(false);
        let system = LinearSystem::build(&model, Rule::open()).expect("builds");
        let truth: Vec<i64> = system
            .vars
            .iter()
            .map(|v| synth.values[v.cell.cell])
            .collect();
        let run = |start: Option<Vec<i64>>| {
            let options = Options {
                start,
                ..Options::default()
            };
            match solve(&system, &options).expect("solves") {
                Outcome::Feasible(r) => r,
                Outcome::Infeasible(_) => panic!("feasible"),
            }
        };
        let searched = run(None);
        let started = run(Some(truth.clone()));
        let bounds = |r: &crate::Report| r.cells.iter().map(|c| c.bounds).collect::<Vec<_>>();
        assert_eq!(bounds(&started), bounds(&searched), "{dims:?} seed {seed}");
        // The search's first LP is also the warm vertex the bounds probe;
        // from the truth, that vertex is built on the first bound that
        // needs it: one LP per component at most, which the search's
        // table may have saved elsewhere.
        let components = crate::components::split(&system).len();
        assert!(
            started.stats.programs <= searched.stats.programs + components,
            "{dims:?} seed {seed}: {} programs from the truth, {} searching, {components} components",
            started.stats.programs,
            searched.stats.programs
        );
        // A wrong table (one value off: a line breaks) is not trusted.
        let mut wrong = truth;
        wrong[0] += 1;
        assert_eq!(bounds(&run(Some(wrong))), bounds(&searched));
    }
}

/// A cube's published values multiplied by 10^4 (amounts in cents, say):
/// microlp called the LP relaxation of those lines infeasible until the
/// programs were scaled by a power of two. Every table of the cube, times
/// 10^4, is a table of the scaled one, so its bounds hold the cube's,
/// times 10^4; and every one is proved tight.
#[test]
fn large_values_are_solved_as_their_scaled_down_table_is() {
    let mut params = Params::new(Shape::Cube { dims: [8, 8, 8] }, 4);
    params.small = 0.3;
    let model = Synth::generate(&params).model(false);
    let k = 10_000;
    let mut scaled = model.clone();
    for table in &mut scaled.tables {
        for cell in &mut table.cells {
            if let cellbound_core::Entry::Published(v) = cell.entry {
                cell.entry = cellbound_core::Entry::Published(v * k);
            }
        }
    }
    let solve_open = |m: &cellbound_core::Model| {
        let system = LinearSystem::build(m, Rule::open()).expect("builds");
        match solve(&system, &Options::default()).expect("solves") {
            Outcome::Feasible(r) => r,
            Outcome::Infeasible(_) => panic!("a table with its truth is feasible"),
        }
    };
    let (small, large) = (solve_open(&model), solve_open(&scaled));
    assert!(large.cells.iter().all(|c| c.tight));
    for (a, b) in small.cells.iter().zip(&large.cells) {
        let (lo, hi) = (a.bounds.lower.unwrap() * k, a.bounds.upper.map(|u| u * k));
        assert!(
            b.bounds.lower.unwrap() <= lo,
            "{:?} {:?}",
            a.bounds,
            b.bounds
        );
        assert!(hi.is_none_or(|h| b.bounds.upper.is_none_or(|u| u >= h)));
    }
}

/// The search by nodes for any integer table: a verified table wherever
/// the integer optimum allows the value asked, never one past it.
#[test]
fn integer_point_finds_a_table_up_to_the_integer_optimum_and_none_past_it() {
    let mut found = 0;
    for seed in 0..3 {
        let mut params = Params::new(Shape::Cube { dims: [5, 4, 3] }, seed);
        params.small = 0.2;
        let model = Synth::generate(&params).model(false);
        let system = LinearSystem::build(&model, Rule::open()).expect("builds");
        for part in components::split(&system) {
            let all: Vec<usize> = (0..part.rows.len()).collect();
            for v in (0..part.vars.len()).step_by(3) {
                let upper = integer_optimum(&part, v, Sense::Max) as i128;
                for (t, reachable) in [(upper, true), (upper + 1, false)] {
                    let mut bounds = Intervals::new(&part.lo, &part.hi);
                    bounds.lo[v] = Some(t);
                    bounds.hi[v] = Some(t);
                    if presolve::propagate(&part.rows, &all, &mut bounds, 200).is_err() {
                        assert!(!reachable, "presolve refused the integer optimum");
                        continue;
                    }
                    if bounds.lo.iter().chain(&bounds.hi).any(Option::is_none) {
                        continue;
                    }
                    let limit = std::time::Duration::from_secs(30);
                    match lp::integer_point(&part.rows, &all, &bounds, 10_000, limit) {
                        Ok(Answer::Point(p)) => {
                            assert!(reachable, "a table past the integer optimum");
                            let values = crate::witness::round(&p).expect("whole");
                            assert!(part.admits(&values) && values[v] as i128 == t);
                            found += 1;
                        }
                        Ok(Answer::Infeasible) => assert!(!reachable, "the optimum refused"),
                        other => panic!("{other:?}"),
                    }
                }
            }
        }
    }
    assert!(found > 0);
}
