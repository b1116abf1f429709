//! A progress bar on standard error for long runs: shown once a run has
//! lasted a second, never when standard error is not a terminal or with
//! `--quiet`, and cleared when the run ends.

use std::io::IsTerminal;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cellbound_core::LinearSystem;
use cellbound_solver::{Options, Outcome, SolveError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Solves with a bar when one is wanted.
pub fn solve(system: &LinearSystem, options: &Options, quiet: bool) -> Result<Outcome, SolveError> {
    if quiet || !std::io::stderr().is_terminal() {
        return cellbound_solver::solve(system, options);
    }
    let start = Instant::now();
    let bar =
        ProgressBar::with_draw_target(Some(system.vars.len() as u64), ProgressDrawTarget::hidden());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} bounding hidden cells [{bar:40}] {pos}/{len} cells, {elapsed}",
        )
        .expect("a valid template")
        .progress_chars("=> "),
    );
    let shown = Mutex::new(false);
    let update = |done: usize, _total: usize| {
        bar.set_position(done as u64);
        if start.elapsed() >= Duration::from_secs(1) {
            let mut shown = shown.lock().expect("not poisoned");
            if !*shown {
                *shown = true;
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(Duration::from_millis(200));
            }
        }
    };
    // A run whose components all take long shows the bar from a ticker
    // too, not only when a component ends.
    let outcome = std::thread::scope(|scope| {
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let update = &update;
        let bar = &bar;
        let ticker = scope.spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stop_rx.recv_timeout(Duration::from_secs(1)) {
                update(bar.position() as usize, system.vars.len());
            }
        });
        let outcome = cellbound_solver::solve_with_progress(system, options, &update);
        drop(stop_tx);
        let _ = ticker.join();
        outcome
    });
    bar.finish_and_clear();
    outcome
}

/// `--stats`: one line on standard error saying where the solve went.
pub fn stats(system: &LinearSystem, outcome: &Outcome) {
    let stats = outcome.stats();
    crate::output::stderr_line(&format!(
        "cellbound: stats: {} hidden cells, {} rows, {} components ({} by flow, {} cells; largest {} cells), {} LP/IP programs, solved in {:.3} s",
        system.vars.len(),
        system.rows.len(),
        stats.components,
        stats.flow_components,
        stats.flow_cells,
        stats.largest,
        stats.programs,
        stats.time.as_secs_f64()
    ));
}
