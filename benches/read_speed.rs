//! Reading speed on large files, side by side in one run
//! (`cargo bench -p cellbound-bench --bench read_speed`; docs/benchmarks.md,
//! section "Reading large files").
//!
//! For the 1.2-million-cell hierarchy (JSON model, `synth --shape hier
//! --small 0.3`) and a 1-million-cell grid (CSV, `synth --shape grid
//! --rows 2000 --cols 500`), generated in process exactly as `cellbound
//! synth` writes them, it times on the same bytes:
//!
//! - the baseline: `serde_json::from_slice::<serde_json::Value>` (JSON),
//!   or the `csv` crate iterating its records (CSV);
//! - cellbound's reader (`io::read_bytes`), and the ratio to the baseline;
//! - `LinearSystem::build` on the model read, the step between reading and
//!   the solver.
//!
//! Each figure is the best of `READ_SPEED_RUNS` runs (default 5), as the
//! CPU time of the one thread that does the work and as wall time; the
//! ratio is of CPU times, which other work on a busy machine disturbs
//! less than wall time. `READ_SPEED_ONLY=json`
//! or `csv` times one format.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cellbound::core::io::{read_bytes, Format, GridOptions};
use cellbound::core::synth::{Params, Shape, Synth};
use cellbound::core::{LinearSystem, Rule};

/// The CPU time of the calling thread so far.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the call's duration.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if !ok {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// One timing: wall time and the thread's CPU time.
#[derive(Clone, Copy)]
struct Timing {
    wall: Duration,
    cpu: Duration,
}

/// The best of `runs` timings of `f` (wall and CPU time each at its
/// minimum). Everything timed runs on this one thread: the CPU time is
/// what the work took, whatever else the machine is doing.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> Timing {
    let mut best = Timing {
        wall: Duration::MAX,
        cpu: Duration::MAX,
    };
    for _ in 0..runs.max(1) {
        let (wall, cpu) = (Instant::now(), thread_cpu());
        black_box(f());
        best.cpu = best.cpu.min(thread_cpu().saturating_sub(cpu));
        best.wall = best.wall.min(wall.elapsed());
    }
    best
}

fn ms(t: Timing) -> String {
    format!(
        "{:8.1} ms CPU {:8.1} ms wall",
        t.cpu.as_secs_f64() * 1e3,
        t.wall.as_secs_f64() * 1e3
    )
}

fn report(name: &str, bytes: &[u8], format: Format, baseline: (&str, Timing), runs: usize) {
    let options = GridOptions::default();
    let read = || read_bytes(bytes, format, "bench", "bench", &options).expect("the file reads");
    let model = read();
    let cells: usize = model.tables.iter().map(|t| t.cells.len()).sum();
    let hidden = model.hidden_cells().count();
    let ours = best(runs, read);
    let build = best(runs, || {
        LinearSystem::build(&model, Rule::open()).expect("the system builds")
    });
    println!(
        "{name}: {cells} cells, {hidden} hidden, {:.1} MB",
        bytes.len() as f64 / 1e6
    );
    println!("  {:<34} {}", baseline.0, ms(baseline.1));
    println!(
        "  {:<34} {}  ({:.2}x the baseline's CPU time)",
        "cellbound reader",
        ms(ours),
        ours.cpu.as_secs_f64() / baseline.1.cpu.as_secs_f64()
    );
    println!("  {:<34} {}", "LinearSystem::build (--open)", ms(build));
}

fn main() {
    let runs: usize = std::env::var("READ_SPEED_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let only = std::env::var("READ_SPEED_ONLY").unwrap_or_default();
    if only.is_empty() || only == "json" {
        let params = Params {
            small: 0.3,
            ..Params::new(
                Shape::Hier {
                    geo: [10, 100, 2000],
                    ind: [10, 50, 500],
                },
                1,
            )
        };
        let bytes = Synth::generate(&params).json(false).into_bytes();
        let serde = best(runs, || {
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("valid JSON")
        });
        report(
            "hier 10>100>2000 x 10>50>500, --small 0.3 (JSON model)",
            &bytes,
            Format::JsonModel,
            ("serde_json::Value", serde),
            runs,
        );
    }
    if only.is_empty() || only == "csv" {
        let params = Params {
            small: 0.05,
            ..Params::new(
                Shape::Grid {
                    rows: 2000,
                    cols: 500,
                },
                1,
            )
        };
        let bytes = Synth::generate(&params).csv(false).into_bytes();
        let csv = best(runs, || {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(bytes.as_slice());
            let mut record = csv::StringRecord::new();
            let mut fields = 0usize;
            while reader.read_record(&mut record).expect("valid CSV") {
                fields += record.len();
            }
            fields
        });
        report(
            "grid 2000x500 (CSV grid)",
            &bytes,
            Format::CsvGrid,
            ("csv crate, StringRecord iteration", csv),
            runs,
        );
    }
}
