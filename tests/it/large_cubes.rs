//! Cubes past the reach of branch and bound: the LP relaxation is wide,
//! and the integer tables are so far apart that the synthetic cube has a
//! single one. Before the lattice of the lines, cellbound found no table
//! at all for 40x40x20 and gave up (exit 4); now every hidden cell must
//! come out exactly disclosed, at its true value, proved (the times are
//! in docs/benchmarks.md).

use cellbound::core::synth::{Params, Shape, Synth};
use cellbound::core::{LinearSystem, Rule};
use cellbound::solver::{solve, Options, Outcome};

fn exactly_disclosed_at_the_truth(dims: [usize; 3], seed: u64, options: &Options) {
    let synth = Synth::generate(&Params::new(Shape::Cube { dims }, seed));
    let model = synth.model(false);
    let rule = Rule::open();
    let system = LinearSystem::build(&model, rule).expect("builds");
    let Outcome::Feasible(report) = solve(&system, options).expect("solves") else {
        panic!("a synthetic table with its truth is feasible")
    };
    assert!(report.feasibility_proved(), "{:?}", report.unproved);
    assert_eq!(
        report.cells.len(),
        synth.hidden.iter().filter(|&&h| h).count()
    );
    for c in &report.cells {
        // The model's cells are the synthetic table's, in order.
        let truth = synth.values[c.cell.cell];
        assert!(c.tight, "{:?}", c.cell);
        assert_eq!(
            (c.bounds.lower, c.bounds.upper),
            (Some(truth), Some(truth)),
            "cell {:?}",
            c.cell
        );
        if options.keep_witnesses {
            // Both bounds are reached by the one table, the truth.
            let (lower, upper) = c.witnesses.as_deref().expect("kept");
            for w in [lower.as_ref(), upper.as_ref()] {
                let w = w.expect("bounded");
                for (v, value) in w.values() {
                    assert_eq!(value, synth.values[system.vars[v].cell.cell]);
                }
            }
        }
        if options.derive {
            // No LP derivation exists (the relaxation is wider), and none
            // is looked for cell by cell.
            let proofs = c.proofs.as_deref().expect("derivations asked for");
            assert!(proofs.lower.is_none() && proofs.upper.is_none());
        }
    }
}

#[test]
fn a_40x40x20_cube_has_one_table_and_it_is_the_truth() {
    let witnesses = Options {
        keep_witnesses: true,
        derive: true,
        ..Options::default()
    };
    exactly_disclosed_at_the_truth([40, 40, 20], 1, &witnesses);
}

/// Here a first table is found over the cells; the lattice (4 coordinates)
/// then shows it the only one, far faster than probing every cell.
#[test]
fn a_40x35x30_cube_has_one_table_and_it_is_the_truth() {
    exactly_disclosed_at_the_truth([40, 35, 30], 1, &Options::default());
}
