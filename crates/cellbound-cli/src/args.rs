//! Command-line arguments (clap derive). Only the CLI parses or prints.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const RULE_HELP: &str = "\
THE RULE (what a hidden cell is assumed to be before any total is used):
  by default      a hidden interior cell (not a total on any dimension) was
                  suppressed because it is small: it lies in 0..T-1, with T
                  from --threshold (5 by default). Hidden totals are never
                  assumed small.
  --zeros-shown   the agency publishes zeros, so every hidden cell, totals
                  included, is at least 1.
  --open          do not assume hidden cells are small: complementary
                  suppressions (hidden to protect another cell) may be any
                  size. Hidden cells are only >= 0 (>= 1 with --zeros-shown).
  A range written in the input (<N, [A,B], \"range\") replaces the rule for
  that cell.";

/// Tight bounds for the suppressed cells of a published statistical table.
///
/// Given a table of counts as published (a CSV grid or a JSON model), with
/// its small cells hidden, cellbound computes for every hidden cell the
/// smallest and largest whole number it can hold given every published
/// number: each bound is reached by a complete table that agrees with
/// everything published. `bounds` prints them, `explain` shows why one
/// cell lies between its bounds, `verify` re-checks a bounds file, `audit`
/// tells an agency before publication which cells its suppression fails to
/// protect, and `synth` writes test tables.
#[derive(Debug, Parser)]
#[command(name = "cellbound", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tight lower and upper bounds for every hidden cell of a table.
    ///
    /// Reads a CSV grid (a 2-D table as published, hidden cells marked x,
    /// .., F, * or left empty), a long file or SDMX-CSV (one row per cell:
    /// dimension columns, a value, flags; see --layout) or a JSON model
    /// (any number of dimensions, hierarchies, several tables, extra
    /// constraints), and prints for each
    /// hidden cell the smallest and largest value that some integer table
    /// consistent with every published number allows. Cells the published
    /// numbers determine are flagged exact.
    ///
    /// Exit status: 0 success, 2 bad usage or input, 3 the published
    /// numbers and the rule cannot all hold (the message says which lines),
    /// 4 the solver could not prove an answer.
    #[command(after_long_help = RULE_HELP)]
    Bounds(BoundsArgs),

    /// Check, before publication, whether a suppression pattern protects
    /// the cells it must.
    ///
    /// Takes the table as it would be published and the true table (the
    /// same table with every cell given, same format and labels, or a JSON
    /// list {"cells": [{"table", "at", "value"}]}). The attacker knows
    /// everything published and that hidden cells are counts, but not which
    /// of them are small: hidden cells are only >= 0 (>= 1 with
    /// --zeros-shown). True values 1..T-1 are sensitive (--threshold T;
    /// --zero-sensitive adds 0); each sensitive hidden cell must not be
    /// exactly disclosed, and must meet the protection flags.
    ///
    /// Exit status: 0 every audited cell passes, 1 some cell fails, 2 bad
    /// usage or input (including a truth that does not fit the published
    /// table), 4 the solver could not prove an answer.
    Audit(AuditArgs),

    /// Choose the complementary suppressions: the cheapest extra hidden
    /// cells that make the audit pass.
    ///
    /// Takes the true table (every cell given). Primary cells are those of
    /// the threshold rule (true values 1..T-1, --zero-sensitive adds 0),
    /// those named with --primary, and those hidden in --pattern. Each
    /// sensitive cell must meet the audit's requirements (the same flags
    /// as `audit`, against the same attacker). Prints the table as it
    /// would be published, the complementary cells with their cost, and
    /// the exact audit of the result, which passes; -o writes the
    /// published table (a CSV grid for a 2-D table, else a JSON model).
    ///
    /// Exit status: 0 a pattern that passes the audit, 2 bad usage or
    /// input (a truth that does not add up, a primary cell required to
    /// stay published), 3 no pattern can protect a cell (the message names
    /// it and its lines), 4 none found in time (--time-limit) or the
    /// search found none.
    Protect(ProtectArgs),

    /// Why one hidden cell lies between its bounds: two complete tables
    /// that reach them, and a derivation of each bound from the published
    /// lines that a person can check by hand.
    ///
    /// Exit status: 0 success, 2 bad usage or input (an unknown cell), 3
    /// infeasible, 4 the solver could not prove an answer.
    #[command(after_long_help = RULE_HELP)]
    Explain(ExplainArgs),

    /// Re-check a bounds file made with `bounds --witnesses` against the
    /// table, in exact integer arithmetic and with no LP solver: every
    /// witness table satisfies every line and reaches its bound, and every
    /// derivation proves its bound.
    ///
    /// Exit status: 0 every bound checks, 1 some bound does not (each is
    /// named), 2 bad usage or input.
    Verify(VerifyArgs),

    /// Fill in every hidden cell: a whole table, in the input's layout,
    /// that satisfies every published line exactly, each hidden cell a
    /// whole number inside its tight bounds (a cell the published numbers
    /// determine gets its value).
    ///
    /// Exit status: 0 success, 2 bad usage or input (a prior that lacks a
    /// hidden cell's labels), 3 infeasible, 4 some bound not proved tight
    /// (no table is written unless --allow-unproved) or no table found in
    /// time.
    #[command(after_long_help = RULE_HELP)]
    Impute(ImputeArgs),

    /// Write a seeded synthetic workload: a published table (skewed
    /// counts, primary suppression of 1..T-1, complementary suppression
    /// until no line has a single hidden cell) and its truth.
    Synth(crate::synth::SynthArgs),
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The table (CSV grid, JSON model or JJ file).
    pub file: PathBuf,

    /// The hidden cell: its labels as in the bounds output, as one CSV
    /// record (`"MRC La Mitis,Volet 1"`; quote a label holding a comma:
    /// `'"A, B",Volet 1'`). Without --table, `table:` may come first, and
    /// an address that could name two cells is refused.
    #[arg(long, value_name = "LABELS")]
    pub cell: String,

    /// The table the cell is in (a model with several tables), by name;
    /// --cell is then the cell's labels alone.
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub memory: MemoryArgs,

    #[command(flatten)]
    pub rule: RuleArgs,

    #[command(flatten)]
    pub output: ExplainOutputArgs,

    /// Stop solving after this many seconds: a bound of the cell not
    /// proved by then is exit 4, with no explanation.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub time_limit: Option<f64>,

    /// No progress bar (it shows on a terminal once a run passes a second).
    #[arg(short, long)]
    pub quiet: bool,
}

/// Where and how `explain` writes: a table or JSON only.
#[derive(Debug, Clone, Args)]
pub struct ExplainOutputArgs {
    /// Output format (default: table on a terminal, json otherwise; with
    /// -o, json for a .json file, else table).
    #[arg(long, value_enum)]
    pub format: Option<ExplainFormat>,

    /// Write to this file instead of standard output, atomically: a failed
    /// run never leaves a partial file.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// The derivation of each bound and the two tables, for a person.
    Table,
    /// The explanation as JSON.
    Json,
}

impl ExplainOutputArgs {
    /// The same choice in the shared terms of [`OutputArgs`].
    pub fn as_output_args(&self) -> OutputArgs {
        OutputArgs {
            format: self
                .format
                .map(|f| match f {
                    ExplainFormat::Table => OutputFormat::Table,
                    ExplainFormat::Json => OutputFormat::Json,
                })
                .or_else(|| {
                    let out = self.output.as_ref()?;
                    let json = out
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                    Some(if json {
                        OutputFormat::Json
                    } else {
                        OutputFormat::Table
                    })
                }),
            output: self.output.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The table the bounds were computed for.
    pub file: PathBuf,

    /// The bounds JSON, from `cellbound bounds --witnesses --format json`.
    pub bounds: PathBuf,

    /// Accepted for consistency, so that a script can pass `-q` to every
    /// command: `verify` shows no progress (it prints its verdict and what
    /// fails, which `-q` does not silence).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    #[command(flatten)]
    pub input: InputArgs,
}

/// What each sensitive cell requires, and what the attacker knows: the
/// same flags, with the same meaning, for `audit` (which checks them) and
/// `protect` (which hides cells until they hold).
#[derive(Debug, Clone, Args)]
pub struct RequirementArgs {
    /// True values 1..T-1 are sensitive (the agency suppresses counts
    /// under T): audited by `audit`, primary for `protect`.
    #[arg(long, value_name = "T", default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=(1i64 << 53)))]
    pub threshold: i64,

    /// A true zero is sensitive too.
    #[arg(long)]
    pub zero_sensitive: bool,

    /// Zeros are published: the attacker knows every hidden cell is at
    /// least 1 (and `protect` never chooses a zero as a complement).
    #[arg(long)]
    pub zeros_shown: bool,

    /// Each sensitive cell's interval must be at least W wide.
    #[arg(long, value_name = "W", value_parser = clap::value_parser!(i64).range(0..))]
    pub min_width: Option<i64>,

    /// The interval must reach P% of the true value above it (rounded up,
    /// at least 1), as τ-ARGUS's upper protection level.
    #[arg(long, value_name = "P")]
    pub upper_protection: Option<u32>,

    /// The interval must reach P% of the true value below it (rounded up,
    /// at least 1).
    #[arg(long, value_name = "P")]
    pub lower_protection: Option<u32>,

    /// Apply the requirements to every hidden cell, not only sensitive
    /// ones (complements included).
    #[arg(long)]
    pub protect_all: bool,

    /// A hidden cell proved nonzero while zeros are hidden (existence
    /// disclosure) fails the audit instead of being a finding.
    #[arg(long)]
    pub strict: bool,
}

impl RequirementArgs {
    /// The requirements in the units of a model with `decimals` decimals:
    /// `--threshold` and `--min-width` are given in the file's units.
    pub fn protection(&self, decimals: u32) -> cellbound_solver::Protection {
        let scale = 10i64.saturating_pow(decimals);
        let units = |x: i64| x.saturating_mul(scale).min(1i64 << 53);
        cellbound_solver::Protection {
            threshold: units(self.threshold),
            zero_sensitive: self.zero_sensitive,
            min_width: self.min_width.map(units),
            upper_protection: self.upper_protection,
            lower_protection: self.lower_protection,
            protect_all: self.protect_all,
            strict: self.strict,
        }
    }
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The table as it would be published (CSV grid, JSON model, or
    /// τ-ARGUS JJ file: status letters u and m mark hidden cells, u
    /// primary ones with their protection levels).
    pub file: PathBuf,

    /// The true table: every cell given (not needed for a τ-ARGUS JJ
    /// file, which carries the true values).
    #[arg(long, value_name = "TRUTH")]
    pub truth: Option<PathBuf>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub memory: MemoryArgs,

    #[command(flatten)]
    pub requirement: RequirementArgs,

    /// Stop solving after this many seconds: an audit judges only tight
    /// bounds or checked tables, so a run cut short is exit 4, with no
    /// verdict.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub time_limit: Option<f64>,

    /// What the verdicts rest on: auto (witness tables when a group of
    /// linked hidden cells has over 1,000 unknowns, tight bounds
    /// otherwise), bounds (every hidden cell's tight interval, at any
    /// size), witnesses (witness tables at any size). On witness tables
    /// each requirement of each audited cell is met by an integer table
    /// checked against every line, and only audited cells are listed;
    /// where a requirement finds none, tight bounds decide. The jj and
    /// html formats always use tight bounds.
    #[arg(long, value_enum, default_value = "auto")]
    pub basis: BasisArg,

    /// No progress bar (`audit` shows none; accepted as `bounds` accepts
    /// it, so that a script can pass it to every command).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ProtectArgs {
    /// The true table: every cell given (CSV grid, JSON model, or τ-ARGUS
    /// JJ file, whose u cells are primary).
    pub file: PathBuf,

    /// The table as currently suppressed: its hidden cells stay hidden
    /// (FILE is then its true table, same labels).
    #[arg(long, value_name = "PUBLISHED")]
    pub pattern: Option<PathBuf>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub memory: MemoryArgs,

    #[command(flatten)]
    pub requirement: RequirementArgs,

    /// The price of hiding a cell: unity (count the cells), value (the
    /// total hidden), log (1 + ln(1 + value)), cost (the cost column of a
    /// τ-ARGUS JJ file), or COL, a column of a long file (name the
    /// dimensions with --dims so that COL is not read as one).
    #[arg(long, value_name = "unity|value|log|cost|COL", default_value = "value")]
    pub cost: String,

    /// A cell that must stay published (e.g. the grand total): its labels,
    /// comma separated, as `explain --cell` takes them. Repeatable.
    #[arg(long, value_name = "CELL")]
    pub keep_published: Vec<String>,

    /// A primary cell besides those of the threshold rule. Repeatable.
    #[arg(long, value_name = "CELL")]
    pub primary: Vec<String>,

    /// Do not prefer inner cells: by default a cell that is a total along
    /// k dimensions is priced (1 + k) times its cost.
    #[arg(long)]
    pub no_prefer_inner: bool,

    /// Keep every complement found, without trying to publish each one
    /// again.
    #[arg(long)]
    pub no_prune: bool,

    /// Stop after this many seconds: no pattern found by then is exit 4
    /// with no output; a passing pattern whose pruning was cut short is
    /// written, with exit 4.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub time_limit: Option<f64>,

    /// No report on standard output when -o writes the published table.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct BoundsArgs {
    /// The table: a CSV grid (.csv, .tsv, .txt), a spreadsheet (.xlsx,
    /// .xlsm, .xlsb, .xls, .ods), a JSON model (.json) or a τ-ARGUS JJ
    /// file (.jj).
    pub file: PathBuf,

    /// Add to the JSON output, for every hidden cell, the integer tables
    /// that reach its bounds and the combination of published lines that
    /// proves each bound; `cellbound verify` re-checks them.
    #[arg(long)]
    pub witnesses: bool,

    /// Stop solving after this many seconds and report what is proved so
    /// far: unsolved cells get sound but possibly loose bounds, marked
    /// "tight": false.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub time_limit: Option<f64>,

    /// Exit with status 4 when some bound is not proved tight (a time
    /// limit cut the solving short); the output is still written.
    #[arg(long)]
    pub require_tight: bool,

    /// No progress bar (it shows on a terminal once a run passes a
    /// second).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print, on standard error, the components, how many took the flow
    /// path, the programs solved and the solve time.
    #[arg(long)]
    pub stats: bool,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub memory: MemoryArgs,

    #[command(flatten)]
    pub rule: RuleArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// The memory budget of a command that solves.
#[derive(Debug, Clone, Args)]
pub struct MemoryArgs {
    /// Refuse (exit 2) a table whose solve is estimated to need more
    /// memory than SIZE (bytes, or with K, M, G, T: 512M, 16G). Default:
    /// the lesser of 8 GiB and the machine's memory.
    #[arg(long, value_name = "SIZE", value_parser = crate::memory::parse_size)]
    pub memory_limit: Option<u64>,
}

/// How to read the input.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    #[command(flatten)]
    pub rounding: RoundingArgs,

    /// A label that marks a total row or column, beyond Total, Ensemble,
    /// All, Tous and Totaux (case-insensitive). Repeatable.
    #[arg(long = "total-label", value_name = "LABEL")]
    pub total_labels: Vec<String>,

    /// A suppression marker, beyond empty, x, X, .., ..., F and *
    /// (case-sensitive). Repeatable.
    #[arg(long = "marker", value_name = "MARKER")]
    pub markers: Vec<String>,

    /// The CSV delimiter: `,`, `;` or `tab` (default: the first of these
    /// that splits every line into the same number of fields).
    #[arg(long, value_name = "D", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Skip the first N lines of a CSV grid (titles above the header)
    /// instead of letting the reader find the table.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub skip_lines: usize,

    /// The block of a CSV grid that is the table, as a spreadsheet names
    /// it: columns A, B, ... and lines from 1 (`A5:F40`). Its first line
    /// is the header, its first column the row labels; everything outside
    /// it is ignored, and no title or notes are looked for.
    #[arg(long, value_name = "A5:F40", value_parser = cellbound_core::io::GridRange::parse, conflicts_with = "skip_lines")]
    pub range: Option<cellbound_core::io::GridRange>,

    /// Read the file as this agency publishes it: its flags and what each
    /// means, its number style (statcan, gss, sdmx, census-cbp, bea, cdc,
    /// abs; docs/formats.md, "Profiles").
    #[arg(long, value_name = "NAME", value_parser = parse_profile)]
    pub profile: Option<&'static cellbound_core::io::profile::Profile>,

    /// What a flag means: F=hidden, secondary, range:A-B (range:A- for no
    /// upper end), published or absent. Repeatable; overrides the profile.
    #[arg(long = "flag-meaning", value_name = "F=MEANING", value_parser = parse_flag_meaning)]
    pub flag_meanings: Vec<(String, cellbound_core::io::cell_text::FlagMeaning)>,

    /// What separates digit groups: `,`, `.`, `space` or `none` (default:
    /// the profile's, else space-like separators only).
    #[arg(long, value_name = "MARK", value_parser = parse_thousands)]
    pub thousands: Option<cellbound_core::io::cell_text::Thousands>,

    /// The decimal mark of amounts: `.` or `,` (default: the profile's,
    /// else the mark --thousands does not use; with neither, whole counts).
    #[arg(long, value_name = "MARK", value_parser = parse_decimal)]
    pub decimal: Option<cellbound_core::io::cell_text::Decimal>,

    /// Values are amounts with N decimals, held exactly in units of
    /// 10^-N; a value with more is an error (default: the most decimals
    /// written in the file).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=15))]
    pub decimals: Option<u32>,

    /// Values may be negative (a minus sign or U+2212 before the number),
    /// and a hidden cell has no lower bound (set by --profile bea).
    #[arg(long)]
    pub allow_negative: bool,

    /// The sheet of a spreadsheet (.xlsx, .xlsm, .xlsb, .xls, .ods) that
    /// holds the table: its name, or its number from 1 (default: the
    /// first).
    #[arg(long, value_name = "NAME|N")]
    pub sheet: Option<String>,

    /// A τ-ARGUS a-priori file (.hst) applied to the table's cells:
    /// status lines (s, p, u, m, ml) and a-priori bounds (ab LOWER UPPER);
    /// docs/formats.md section 8.4.
    #[arg(long, value_name = "FILE.hst")]
    pub apriori: Option<PathBuf>,

    /// The .rda metadata of a τ-ARGUS .tab file (default: FILE.rda beside
    /// it).
    #[arg(long, value_name = "FILE.rda")]
    pub metadata: Option<PathBuf>,

    /// Read a CSV file as a grid, as a long file (one row per cell), or as
    /// a τ-ARGUS code-value table (`tau`: "code","code",value,status lines;
    /// never detected). Default: long when --dims or --value is given, or
    /// when the header is SDMX-CSV or has a VALUE or OBS_VALUE column; a
    /// grid otherwise.
    #[arg(long, value_enum, value_name = "LAYOUT")]
    pub layout: Option<LayoutArg>,

    /// Long files: the dimension columns, in order (default: every column
    /// but the value, the flags and known metadata columns).
    #[arg(long, value_delimiter = ',', value_name = "A,B,C")]
    pub dims: Option<Vec<String>>,

    /// Long files: the value column (default: the first of VALUE,
    /// OBS_VALUE, COUNT, N, case-insensitive).
    #[arg(long, value_name = "COL")]
    pub value: Option<String>,

    /// Long files: the flag column (default: the first of STATUS,
    /// OBS_STATUS, CONF_STATUS, SYMBOL, FLAG; CONF_STATUS then OBS_STATUS
    /// when the file has both).
    #[arg(long, value_name = "COL")]
    pub flag: Option<String>,

    /// Long files: which codes of a dimension are the sums of which:
    /// DIM=FILE (a τ-ARGUS .hrc file or a JSON tree) or DIM=prefix (a
    /// code's parent is its longest proper prefix; A-B ranges). Repeatable.
    #[arg(long, value_name = "DIM=FILE|prefix", value_parser = cellbound_core::io::hierarchy::HierarchySpec::parse)]
    pub hierarchy: Vec<(String, cellbound_core::io::hierarchy::HierarchySpec)>,

    /// Long files: a code that is the grand total of its dimension
    /// (case-insensitive; default: the total labels, and _T in SDMX-CSV).
    /// Repeatable; given, it replaces the defaults.
    #[arg(long = "total-code", value_name = "CODE")]
    pub total_codes: Vec<String>,

    /// Long files: `zero` reads a cell of the cross product with no row
    /// as a structural zero (default: an error naming the cell).
    #[arg(long, value_enum, value_name = "zero")]
    pub absent: Option<AbsentArg>,
}

fn parse_profile(s: &str) -> Result<&'static cellbound_core::io::profile::Profile, String> {
    use cellbound_core::io::profile::Profile;
    Profile::named(s).ok_or_else(|| {
        format!(
            "{s:?} is not a profile: use one of {}",
            Profile::names().join(", ")
        )
    })
}

fn parse_flag_meaning(
    s: &str,
) -> Result<(String, cellbound_core::io::cell_text::FlagMeaning), String> {
    let Some((flag, meaning)) = s.rsplit_once('=') else {
        return Err(format!(
            "{s:?} is not FLAG=MEANING: write the flag, '=', then hidden, secondary, range:A-B, \
             published or absent, as in F=secondary"
        ));
    };
    let flag = flag.trim();
    if flag.is_empty() {
        return Err(format!("{s:?} names no flag before '='"));
    }
    let meaning = cellbound_core::io::cell_text::FlagMeaning::parse(meaning)?;
    Ok((flag.to_string(), meaning))
}

fn parse_thousands(s: &str) -> Result<cellbound_core::io::cell_text::Thousands, String> {
    use cellbound_core::io::cell_text::Thousands;
    match s {
        "," => Ok(Thousands::Comma),
        "." => Ok(Thousands::Dot),
        "space" | " " => Ok(Thousands::Space),
        "none" => Ok(Thousands::None),
        other => Err(format!(
            "{other:?} is not a thousands separator: use `,`, `.`, `space` or `none`"
        )),
    }
}

fn parse_decimal(s: &str) -> Result<cellbound_core::io::cell_text::Decimal, String> {
    use cellbound_core::io::cell_text::Decimal;
    match s {
        "." => Ok(Decimal::Dot),
        "," => Ok(Decimal::Comma),
        other => Err(format!("{other:?} is not a decimal mark: use `.` or `,`")),
    }
}

/// `audit --basis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BasisArg {
    /// Witness tables past 1,000 unknowns in a group, tight bounds below.
    Auto,
    /// Tight bounds at any size.
    Bounds,
    /// Witness tables at any size.
    Witnesses,
}

/// `--layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// A 2-D grid (docs/formats.md section 1).
    Grid,
    /// One row per cell: dimension columns, a value, flags.
    Long,
    /// A τ-ARGUS code-value table ("code","code",value,status lines;
    /// docs/formats.md section 8.2).
    Tau,
}

/// `--absent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AbsentArg {
    /// A missing cell is a structural zero.
    Zero,
}

/// A rounded publication: what each published value stands for.
#[derive(Debug, Clone, Args)]
pub struct RoundingArgs {
    /// The published values (totals included) are the true values rounded
    /// to a multiple of B (in the file's units): each stands for an
    /// interval, and the bounds cover every cell whose value is not
    /// known exactly, published or not. See --rounding.
    #[arg(long, value_name = "B", value_parser = clap::value_parser!(i64).range(1..=(1i64 << 53)))]
    pub rounded: Option<i64>,

    /// How --rounded rounded: `nearest` (a published v stands for
    /// v-floor(B/2) ..= v+ceil(B/2)-1, a half rounded up) or `random` (up
    /// or down: v-(B-1) ..= v+(B-1)); never below 0.
    #[arg(
        long,
        value_enum,
        value_name = "MODE",
        default_value = "nearest",
        requires = "rounded"
    )]
    pub rounding: RoundingModeArg,
}

/// `--rounding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoundingModeArg {
    /// To the nearest multiple of the base, a half rounded up.
    Nearest,
    /// Up or down to a multiple of the base (random rounding).
    Random,
}

impl RoundingArgs {
    /// The rounding of a model whose values have `decimals` decimals
    /// (`--rounded` is in the file's units), `None` without `--rounded`.
    /// A base too large once scaled is refused.
    pub fn rounding(&self, decimals: u32) -> Result<Option<cellbound_core::Rounding>, String> {
        let Some(b) = self.rounded else {
            return Ok(None);
        };
        let base = 10i64
            .checked_pow(decimals)
            .and_then(|scale| b.checked_mul(scale))
            .filter(|&base| base <= cellbound_core::MAX_COUNT)
            .ok_or_else(|| {
                format!("--rounded {b} with {decimals} decimals is past 2^53 - 1 units")
            })?;
        let mode = match self.rounding {
            RoundingModeArg::Nearest => cellbound_core::RoundingMode::Nearest,
            RoundingModeArg::Random => cellbound_core::RoundingMode::Random,
        };
        Ok(Some(cellbound_core::Rounding { base, mode }))
    }
}

/// The suppression rule.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Hidden interior cells are assumed to lie in 0..T-1 (the agency
    /// suppresses counts under T).
    #[arg(long, value_name = "T", default_value_t = 5, value_parser = clap::value_parser!(i64).range(1..=(1i64 << 53)))]
    pub threshold: i64,

    /// Zeros are published: every hidden cell is at least 1.
    #[arg(long)]
    pub zeros_shown: bool,

    /// Do not assume hidden cells are small (complementary suppressions may
    /// be any size): hidden cells are only >= 0 (or >= 1).
    #[arg(long)]
    pub open: bool,
}

/// Where and how to write the answer.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format (default: table on a terminal, json otherwise; with
    /// -o, taken from the file's extension when it is .json, .csv, .jj or
    /// .html).
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,

    /// Write to this file instead of standard output, atomically: a failed
    /// run never leaves a partial file.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The grid with each hidden cell as its interval (2-D), or one line
    /// per hidden cell.
    Table,
    /// The bounds JSON of the formats spec.
    Json,
    /// One row per hidden cell: table, one column per dimension, lower,
    /// upper, status.
    Csv,
    /// A τ-ARGUS JJ file whose bounds columns hold the computed bounds
    /// (needs the true values: a JJ input, or `audit`).
    Jj,
    /// One self-contained HTML page: the tables with each hidden cell's
    /// interval, and its derivation on selection.
    Html,
    /// A long input's own rows, in its order, with lower, upper, status
    /// and meaning appended (also chosen by `-o FILE.csv` for a long
    /// input).
    Long,
}

impl OutputFormat {
    /// The format's name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Table => "table",
            OutputFormat::Json => "json",
            OutputFormat::Csv => "csv",
            OutputFormat::Jj => "jj",
            OutputFormat::Html => "html",
            OutputFormat::Long => "long",
        }
    }
}

/// The longest `--time-limit` accepted: about 31 years, far from where
/// adding it to the clock could overflow.
pub const MAX_TIME_LIMIT: f64 = 1e9;

/// A number of seconds from 0 to [`MAX_TIME_LIMIT`].
fn parse_seconds(s: &str) -> Result<f64, String> {
    let t: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(t.is_finite() && (0.0..=MAX_TIME_LIMIT).contains(&t)) {
        return Err(format!(
            "{s} is out of range: give a number of seconds from 0 to {MAX_TIME_LIMIT:e} (about 31 years)"
        ));
    }
    Ok(t)
}

fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "," => Ok(b','),
        ";" => Ok(b';'),
        other if other.len() == 1 && other.is_ascii() && other != "\"" => Ok(other.as_bytes()[0]),
        other => Err(format!(
            "{other:?} is not a delimiter: use `,`, `;`, `tab` or another single ASCII character"
        )),
    }
}

impl RuleArgs {
    /// The rule for a model whose values have `decimals` decimals: the
    /// threshold is in the file's units (`--threshold 5` on amounts in
    /// hundredths is 500 units), capped at 2^53.
    pub fn rule_in(&self, decimals: u32) -> cellbound_core::Rule {
        let scale = 10i64.saturating_pow(decimals);
        cellbound_core::Rule {
            threshold: self.threshold.saturating_mul(scale).min(1i64 << 53),
            ..self.rule()
        }
    }

    pub fn rule(&self) -> cellbound_core::Rule {
        cellbound_core::Rule {
            threshold: self.threshold,
            zeros_shown: self.zeros_shown,
            open: self.open,
            // The model says whether values may be negative
            // (`Model::negative`, from --allow-negative or a profile).
            negative: false,
        }
    }
}

impl InputArgs {
    pub fn grid_options(&self) -> cellbound_core::io::GridOptions {
        cellbound_core::io::GridOptions {
            delimiter: self.delimiter,
            total_labels: self.total_labels.clone(),
            markers: self.markers.clone(),
            skip_lines: self.skip_lines,
            range: self.range,
            syntax: self.syntax(),
            sheet: self.sheet.clone(),
            layout: self.layout.map(|l| match l {
                LayoutArg::Grid => cellbound_core::io::long::InputLayout::Grid,
                LayoutArg::Long => cellbound_core::io::long::InputLayout::Long,
                LayoutArg::Tau => cellbound_core::io::long::InputLayout::Tau,
            }),
            long: cellbound_core::io::long::LongOptions {
                dims: self.dims.clone(),
                value: self.value.clone(),
                flag: self.flag.clone(),
                hierarchies: self.hierarchy.clone(),
                total_codes: self.total_codes.clone(),
                absent_zero: self.absent.is_some(),
                syntax: self.long_syntax(),
                profile: self.profile,
                metadata: self.metadata.clone(),
            },
        }
    }

    /// How cells are read: the profile's syntax, then the number options
    /// and `--flag-meaning` over it (the first mapping of a flag wins).
    pub fn syntax(&self) -> cellbound_core::io::cell_text::CellSyntax {
        let mut syntax = self
            .profile
            .map_or_else(Default::default, |p| p.syntax(None));
        let mut flags = self.flag_meanings.clone();
        flags.append(&mut syntax.flags);
        syntax.flags = flags;
        if let Some(t) = self.thousands {
            syntax.thousands = t;
            // The profile's decimal mark gives way to the one --thousands
            // leaves, unless --decimal says it.
            syntax.decimal = None;
        }
        if let Some(d) = self.decimal {
            syntax.decimal = Some(d);
        }
        syntax.decimals = self.decimals;
        syntax.allow_negative |= self.allow_negative;
        syntax
    }

    /// The syntax of long files when any option sets one: [`Self::syntax`]
    /// with `--flag-meaning`'s flags only, as the long reader adds the
    /// profile's flags of each flag column itself. `None` leaves the long
    /// reader its defaults.
    fn long_syntax(&self) -> Option<cellbound_core::io::cell_text::CellSyntax> {
        let given = self.profile.is_some()
            || !self.flag_meanings.is_empty()
            || self.thousands.is_some()
            || self.decimal.is_some()
            || self.decimals.is_some()
            || self.allow_negative
            || !self.markers.is_empty();
        given.then(|| {
            let mut syntax = self.syntax();
            syntax.flags = self.flag_meanings.clone();
            syntax.markers = self.markers.clone();
            syntax
        })
    }
}

#[derive(Debug, Args)]
pub struct ImputeArgs {
    /// The table: a CSV grid, a JSON model or a τ-ARGUS JJ file.
    pub file: PathBuf,

    /// How to choose each hidden cell's value: `fit` (default) spreads
    /// each line's remainder over its hidden cells, the wider a cell's
    /// tight interval the larger its share; `midpoint` takes the table
    /// nearest the midpoints of the tight intervals (the County Business
    /// Patterns method, on tight bounds).
    #[arg(long, value_enum, default_value_t = MethodArg::Fit)]
    pub method: MethodArg,

    /// A related table (the same table last year, a population table) in
    /// any layout cellbound reads, matched to the hidden cells by their
    /// labels: the fit starts from its values and spreads each line's
    /// remainder in proportion to them. A hidden cell whose labels it does
    /// not have is exit 2, naming them.
    #[arg(long, value_name = "FILE")]
    pub prior: Option<PathBuf>,

    /// Add each hidden cell's exact mean over every integer table
    /// consistent with the publication (all equally likely), counted where
    /// a component is small enough; elsewhere the field is absent.
    #[arg(long)]
    pub means: bool,

    /// Write the table even when some bound is not proved tight (exit 4
    /// still says so); without it no table is written then.
    #[arg(long)]
    pub allow_unproved: bool,

    /// With --format json, add each bound's witness tables and derivations
    /// as `bounds --witnesses` does, so that `verify` checks the bounds
    /// as well as the filled table.
    #[arg(long)]
    pub witnesses: bool,

    /// Stop after this many seconds (bounds and imputation together; with
    /// --allow-unproved the bounds get at most half of it, and filling in
    /// the rest).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub time_limit: Option<f64>,

    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub memory: MemoryArgs,

    #[command(flatten)]
    pub rule: RuleArgs,

    /// `filled` (default): the table in the input's own layout with every
    /// cell given (a CSV grid, a JSON model, a JJ file); `json`: the
    /// bounds JSON with each hidden cell's `estimate` and `method`;
    /// `html`: a self-contained page with each interval and estimate
    /// (also chosen by `-o` ending in .html or .htm).
    #[arg(long, value_enum)]
    pub format: Option<ImputeFormat>,

    /// Write to this file instead of standard output, atomically.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    Fit,
    Midpoint,
}

impl ImputeArgs {
    /// The format in force: `--format`, else HTML for `-o` ending in
    /// .html or .htm, else the filled table (whatever the extension: a
    /// filled grid written to `x.json` is still a grid).
    pub fn format(&self) -> ImputeFormat {
        if let Some(f) = self.format {
            return f;
        }
        let html = self
            .output
            .as_deref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        if html {
            ImputeFormat::Html
        } else {
            ImputeFormat::Filled
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImputeFormat {
    /// The filled table, in the input's layout.
    Filled,
    /// The bounds JSON with estimates.
    Json,
    /// One self-contained HTML page: the tables with each hidden cell's
    /// interval and estimate.
    Html,
}
