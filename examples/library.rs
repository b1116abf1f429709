//! Calling cellbound from Rust: read the seed's table 1, solve it with the
//! `--open` rule (hidden cells only known to be >= 0), print each hidden
//! cell's bounds.
//!
//! ```text
//! cargo run --example library [-- FILE]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use cellbound::core::io::{read_path, GridOptions};
use cellbound::core::Rule;
use cellbound::solver::{bounds, Error, Options, Outcome};

fn main() -> ExitCode {
    let path = std::env::args_os().nth(1).map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/examples/table1-declarations.csv"
            ))
        },
        PathBuf::from,
    );

    // Errors name the file, the line and the field.
    let model = match read_path(&path, &GridOptions::default()) {
        Ok(model) => model,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };

    // What `cellbound bounds --open` does: complementary suppressions may
    // be any size, so hidden cells are only >= 0.
    let rule = Rule::open();
    let report = match bounds(&model, rule, &Options::default()) {
        Ok(Outcome::Feasible(report)) => report,
        Ok(Outcome::Infeasible(why)) => {
            eprintln!("infeasible: {}", why.explanation(&model));
            return ExitCode::from(3);
        }
        // Published numbers that contradict each other on one line.
        Err(Error::Input(e)) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
        // The solver could not prove an answer.
        Err(Error::Solve(e)) => {
            eprintln!("{e}");
            return ExitCode::from(4);
        }
    };

    for cell in &report.cells {
        let table = &model.tables[cell.cell.table];
        let codes = table.codes_of(&table.cells[cell.cell.cell].at);
        let upper = cell
            .bounds
            .upper
            .map_or("no upper bound".to_string(), |u| u.to_string());
        println!(
            "{}: {} to {} ({})",
            codes.join(", "),
            cell.bounds
                .lower
                .map_or("no lower bound".to_string(), |l| l.to_string()),
            upper,
            cell.status().as_str()
        );
    }
    let s = report.summary();
    println!(
        "{} hidden cells: {} exact, {} bounded, {} unbounded",
        s.hidden, s.exact, s.bounded, s.unbounded
    );
    ExitCode::SUCCESS
}
