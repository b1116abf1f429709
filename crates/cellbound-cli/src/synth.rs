//! `cellbound synth`: seeded synthetic workloads (a published table and
//! its truth), a thin layer over [`cellbound_core::synth`].

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use cellbound_core::synth::{LevelDim, Params, Shape, Synth};

use crate::{exit, output, CliError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShapeArg {
    /// A 2-D grid with a total row and column (CSV grid out).
    Grid,
    /// Geography in 3 levels by industry in 3 levels, under grand totals
    /// (JSON model out).
    Hier,
    /// A 3-D cube with a total on every dimension (JSON model out).
    Cube,
    /// Any number of dimensions, each flat or hierarchical, given by
    /// `--levels` (JSON model out).
    Nd,
}

/// `synth --layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SynthLayout {
    /// One row per cell (docs/formats.md, "Long files and SDMX-CSV").
    Long,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// The shape of the table.
    #[arg(long, value_enum, default_value_t = ShapeArg::Grid)]
    pub shape: ShapeArg,

    /// Grid: leaf rows.
    #[arg(long, default_value_t = 50)]
    pub rows: usize,

    /// Grid: leaf columns.
    #[arg(long, default_value_t = 10)]
    pub cols: usize,

    /// Hierarchical: geography codes at each level, e.g. 10,100,2000.
    #[arg(long, value_delimiter = ',', default_value = "10,100,2000")]
    pub geo: Vec<usize>,

    /// Hierarchical: industry codes at each level, e.g. 10,50,500.
    #[arg(long, value_delimiter = ',', default_value = "10,50,500")]
    pub ind: Vec<usize>,

    /// Cube: leaves on each of the three dimensions, e.g. 20,20,20.
    #[arg(long, value_delimiter = ',', default_value = "20,20,20")]
    pub dims: Vec<usize>,

    /// Nd: one dimension, `[NAME=]N[,N...]`: its name (letters, digits,
    /// `_`; by default a, b, c... in order) and how many codes it has at
    /// each level under its grand total, from the top: `year=4` is flat (4
    /// years and Total), `region=4,12` hierarchical (4 regions, 12 areas
    /// spread over them). Repeat for each dimension. The default is the
    /// size of τ-ARGUS's 4-D test table (Year x Size x Region x
    /// IndustryCode, 164,430 cells); `--small 0.33 --zeros 0.3` gives it
    /// its share of primary cells, 15% (docs/benchmarks.md, "A 4-D table
    /// of τ-ARGUS's size").
    #[arg(
        long = "levels",
        value_name = "[NAME=]N,..",
        value_parser = parse_levels,
        default_values = ["year=4", "size=5", "region=4,16", "industry=10,50,200"],
    )]
    pub levels: Vec<Levels>,

    /// The random seed: the same seed gives the same table.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Counts 1..T-1 are primary suppressions.
    #[arg(long, value_name = "T", default_value_t = 5, value_parser = clap::value_parser!(i64).range(2..))]
    pub threshold: i64,

    /// The share of leaf cells drawn small (1..T-1), e.g. 0.05.
    #[arg(long, default_value_t = 0.05)]
    pub small: f64,

    /// The share of leaf cells that are zero.
    #[arg(long, default_value_t = 0.05)]
    pub zeros: f64,

    /// `long`: write the table as a long file (one row per cell: the
    /// dimension columns, VALUE, and STATUS `x` for a hidden cell), whatever
    /// the shape; read it back with `--hierarchy geography=prefix
    /// --hierarchy industry=prefix` for the hierarchical shape, and
    /// `--hierarchy NAME=prefix` for each dimension of `nd` with more than
    /// one level.
    #[arg(long, value_enum, value_name = "LAYOUT")]
    pub layout: Option<SynthLayout>,

    /// Where to write the published table (standard output if absent).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Where to write the true table (same format, every cell given).
    #[arg(long, value_name = "TRUTH")]
    pub truth: Option<PathBuf>,

    /// Leave out the summary line on standard error (`cellbound synth: N
    /// cells, H hidden ...`); `synth` shows no other progress.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Protect the table as an agency would: the complements are chosen
    /// by `cellbound protect` (cost the cell's value; every primary cell
    /// never exactly disclosed to the open attacker), instead of "no line
    /// with a single hidden cell", which leaves many cube cells exactly
    /// disclosed.
    #[arg(long)]
    pub protect: bool,

    /// Hide the primary cells (counts 1..T-1) alone, with no
    /// complementary suppression: a table as τ-ARGUS's frequency rule
    /// leaves it before secondary suppression, whose lines with a single
    /// hidden cell disclose it.
    #[arg(long, conflicts_with = "protect")]
    pub primary_only: bool,
}

/// One `--levels` value: a dimension's name, if given, and its level
/// sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Levels {
    pub name: Option<String>,
    pub sizes: Vec<usize>,
}

/// Parses `[NAME=]N[,N...]`.
fn parse_levels(text: &str) -> Result<Levels, String> {
    let (name, sizes) = match text.split_once('=') {
        Some((name, sizes)) => {
            let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(format!(
                    "the dimension name {name:?} must start with a letter and hold only \
                     letters, digits and _ (e.g. region=4,12)"
                ));
            }
            if name.eq_ignore_ascii_case("VALUE") || name.eq_ignore_ascii_case("STATUS") {
                return Err(format!(
                    "{name} is a column of the long layout: name the dimension otherwise"
                ));
            }
            (Some(name.to_string()), sizes)
        }
        None => (None, text),
    };
    let sizes = sizes
        .split(',')
        .map(|n| match n.trim().parse::<usize>() {
            Ok(0) => Err("every level needs at least one code".to_string()),
            Ok(n) => Ok(n),
            Err(_) => Err(format!(
                "{n:?} is not a number of codes: give [NAME=]N[,N...], e.g. region=4,12"
            )),
        })
        .collect::<Result<Vec<usize>, String>>()?;
    if let Some(w) = sizes.windows(2).find(|w| w[1] < w[0]) {
        return Err(format!(
            "a level of {} codes under one of {}: each level needs at least as many codes \
             as the level above",
            w[1], w[0]
        ));
    }
    Ok(Levels { name, sizes })
}

/// The dimensions of `--shape nd`: named, names distinct.
fn nd_dims(levels: &[Levels]) -> Result<Vec<LevelDim>, CliError> {
    let mut dims: Vec<LevelDim> = Vec::with_capacity(levels.len());
    for (k, l) in levels.iter().enumerate() {
        let name = l.name.clone().unwrap_or_else(|| match u8::try_from(k) {
            Ok(k) if k < 26 => char::from(b'a' + k).to_string(),
            _ => format!("d{}", k + 1),
        });
        if dims.iter().any(|d| d.name == name) {
            return Err(CliError::usage(format!(
                "--levels: two dimensions are named {name}: give each its own name (NAME=N,..)"
            )));
        }
        dims.push(LevelDim::new(name, l.sizes.clone()));
    }
    Ok(dims)
}

/// The most cells, margins included, `synth` writes: past it the file
/// would pass the 256 MiB that cellbound reads.
pub const MAX_SYNTH_CELLS: u128 = 20_000_000;

/// Refuses a table too large to write or a threshold whose counts could
/// pass 2^53 - 1 (every count of a table is at most its grand total, the
/// sum of its leaves, each at most T + 1,000,000).
fn check_size(shape: &Shape, threshold: i64) -> Result<(), CliError> {
    let (cells, leaves) = shape.size();
    if cells > MAX_SYNTH_CELLS {
        return Err(CliError::usage(format!(
            "synth: a table of {cells} cells is too large: at most {MAX_SYNTH_CELLS}, margins included \
             (cellbound reads files up to 256 MiB); give smaller sizes"
        )));
    }
    let largest = leaves.saturating_mul(threshold as u128 + 1_000_000);
    if largest > cellbound_core::MAX_COUNT as u128 {
        return Err(CliError::usage(format!(
            "synth: --threshold {threshold}: with {leaves} leaf cells, counts could reach {largest}, \
             past 2^53 - 1, the largest count cellbound reads; give a smaller threshold"
        )));
    }
    Ok(())
}

/// Replaces the table's suppression by the one `protect` chooses from its
/// truth.
fn protect(synth: &mut Synth, threshold: i64) -> Result<(), CliError> {
    use cellbound_solver::{Cost, ProtectOptions, Protection};
    let model = synth.model(true);
    let truth = vec![model.tables[0]
        .cells
        .iter()
        .map(|c| c.entry.published().unwrap_or(0))
        .collect()];
    let opts = ProtectOptions {
        protection: Protection {
            threshold,
            ..Protection::default()
        },
        cost: Cost::Value,
        ..ProtectOptions::default()
    };
    let protected = cellbound_solver::protect(&model, &truth, &opts).map_err(|e| CliError {
        message: format!("synth --protect: {e}"),
        status: exit::SOLVER,
    })?;
    for (k, cell) in protected.model.tables[0].cells.iter().enumerate() {
        synth.hidden[k] = cell.entry.is_hidden();
    }
    synth.primary = protected.primary.len();
    if protected.stats.left_untried > 0 {
        crate::output::stderr_line(&format!(
            "cellbound synth: {}",
            crate::protect::left_untried(protected.stats.left_untried)
        ));
    }
    Ok(())
}

pub fn run(args: SynthArgs) -> Result<u8, CliError> {
    let three = |v: &[usize], what: &str| -> Result<[usize; 3], CliError> {
        let arr: [usize; 3] = v
            .try_into()
            .map_err(|_| CliError::usage(format!("--{what} takes three sizes")))?;
        if arr.contains(&0) {
            return Err(CliError::usage(format!("--{what} sizes must be positive")));
        }
        Ok(arr)
    };
    let shape = match args.shape {
        ShapeArg::Grid => {
            if args.rows == 0 || args.cols == 0 {
                return Err(CliError::usage("--rows and --cols must be positive"));
            }
            Shape::Grid {
                rows: args.rows,
                cols: args.cols,
            }
        }
        ShapeArg::Hier => Shape::Hier {
            geo: three(&args.geo, "geo")?,
            ind: three(&args.ind, "ind")?,
        },
        ShapeArg::Cube => Shape::Cube {
            dims: three(&args.dims, "dims")?,
        },
        ShapeArg::Nd => Shape::Nd {
            dims: nd_dims(&args.levels)?,
        },
    };
    for (share, what) in [(args.small, "small"), (args.zeros, "zeros")] {
        if !(0.0..=1.0).contains(&share) {
            return Err(CliError::usage(format!("--{what} must lie in 0..1")));
        }
    }
    if args.small + args.zeros > 1.0 {
        return Err(CliError::usage("--small and --zeros add up to more than 1"));
    }
    check_size(&shape, args.threshold)?;
    for out in args.output.iter().chain(&args.truth) {
        output::check_not_input(out, &[])?;
    }
    let params = Params {
        shape,
        seed: args.seed,
        threshold: args.threshold,
        small: args.small,
        zeros: args.zeros,
        complements: !args.primary_only,
    };
    let mut synth = Synth::generate(&params);
    if args.protect {
        protect(&mut synth, args.threshold)?;
    }
    let text = |truth: bool| {
        if args.layout == Some(SynthLayout::Long) {
            synth.long_csv(truth)
        } else if matches!(params.shape, Shape::Grid { .. }) {
            synth.csv(truth)
        } else {
            synth.json(truth)
        }
    };
    output::emit(args.output.as_deref(), &text(false))?;
    if let Some(truth) = &args.truth {
        output::emit(Some(truth), &text(true))?;
    }
    if args.quiet {
        return Ok(exit::SUCCESS);
    }
    output::stderr_line(&format!(
        "cellbound synth: {} cells, {} hidden ({} primary, {} complementary)",
        synth.values.len(),
        synth.hidden_count(),
        synth.primary,
        synth.hidden_count() - synth.primary
    ));
    Ok(exit::SUCCESS)
}
