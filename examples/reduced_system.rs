//! Writes the largest component of a table as the LP path sees it: after
//! the doubleton substitution and presolve, over the roots only. The
//! output feeds other solvers in experiments (`benches/lattice.py`, see
//! docs/benchmarks.md, "Why the large cubes are hard").
//!
//! ```text
//! cargo run --release --example reduced_system -- FILE [--open] > SYS
//! ```
//!
//! Format, one item per line: the number of variables `n`; `n` lines
//! `lo hi` (presolve's bounds; `hi` is `inf` when there is none); the
//! number of rows; one line per row, `op rhs k v1 c1 ... vk ck` with `op`
//! one of `=`, `<` (at most) and `>` (at least).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use cellbound::core::io::{read_path, GridOptions};
use cellbound::core::{LinearSystem, Op, Rule};
use cellbound::solver::{largest_reduced_component, ReducedComponent};

fn main() -> ExitCode {
    let mut path = None;
    let mut rule = Rule::default();
    for arg in std::env::args_os().skip(1) {
        if arg == "--open" {
            rule.open = true;
        } else {
            path = Some(PathBuf::from(arg));
        }
    }
    let Some(path) = path else {
        eprintln!("usage: reduced_system FILE [--open]");
        return ExitCode::from(2);
    };
    let model = match read_path(&path, &GridOptions::default()) {
        Ok(model) => model,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let system = match LinearSystem::build(&model, rule) {
        Ok(system) => system,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let reduced = match largest_reduced_component(&system) {
        None => {
            eprintln!("{}: no hidden cell", path.display());
            return ExitCode::from(1);
        }
        Some(None) => {
            eprintln!("{}: the lines contradict each other", path.display());
            return ExitCode::from(3);
        }
        Some(Some(reduced)) => reduced,
    };
    match write(&reduced) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("writing the system: {e}");
            ExitCode::from(1)
        }
    }
}

fn write(reduced: &ReducedComponent) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "{}", reduced.lo.len())?;
    for (lo, hi) in reduced.lo.iter().zip(&reduced.hi) {
        let lo = lo.map_or("-inf".to_string(), |l| l.to_string());
        let hi = hi.map_or("inf".to_string(), |h| h.to_string());
        writeln!(out, "{lo} {hi}")?;
    }
    writeln!(out, "{}", reduced.rows.len())?;
    for row in &reduced.rows {
        let op = match row.op {
            Op::Eq => "=",
            Op::Le => "<",
            Op::Ge => ">",
        };
        write!(out, "{op} {} {}", row.rhs, row.terms.len())?;
        for (v, c) in &row.terms {
            write!(out, " {v} {c}")?;
        }
        writeln!(out)?;
    }
    out.flush()
}
