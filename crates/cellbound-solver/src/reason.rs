//! Why the solver stopped short, and why a model has no table: typed, so
//! that a library caller can match on them; each says itself the way the
//! command line does (a `Display`, or a method that takes the model to
//! name cells and lines). Plain data: nothing here solves anything.

use std::fmt;
use std::time::Duration;

use cellbound_core::system::describe_cell;
use cellbound_core::{CellRef, Count, Domain, Line, Model, Op};

/// Why the solver gave up proving a bound (or finding a first table) on
/// its own, before any time limit of the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// The LP relaxation is fractional and some bound or count is past
    /// `2^31 - 2`, the range of microlp's integer variables.
    IntegerRange,
    /// An integer program ran past its time limit without proving its
    /// answer.
    IntegerTime {
        /// The unknowns of the program.
        unknowns: usize,
        /// The time it was given.
        limit: Duration,
    },
    /// An earlier integer program on the same cells ran out of time, so
    /// this one was not started.
    AfterEarlierTimeout,
    /// The first LP of a component ran past the time it was given.
    FirstLpTime,
    /// The caller's time limit (and the short grace a first table gets
    /// past it) ran out before any integer table of the component was
    /// found.
    TimeLimit,
    /// The caller's time limit left this many cells' bounds not proved
    /// tight, where only tight bounds will do (an audit).
    LooseAtTimeLimit { loose: usize },
    /// Cells with no upper bound were capped for the integer search, and
    /// it found nothing below the cap.
    NothingBelowCap,
    /// Cells with no upper bound were capped for the integer search, and
    /// its best table stops short of the LP bound: nothing proves which of
    /// the two is tight.
    CapShortOfLp {
        /// The best value the capped search reached.
        found: Count,
        /// The LP relaxation's bound, rounded inward.
        lp_bound: i128,
    },
    /// The LP solver called the lines contradictory, and no combination of
    /// them proving it was found in exact arithmetic: a floating-point
    /// verdict is never reported as one (large values strain its
    /// precision).
    LpInfeasibleUnproved,
    /// The integer solver found no table on lines whose numbers pass
    /// [`crate::lp::TRUSTED_INTEGER_MAGNITUDE`]: its floating point
    /// (never scaled for integer programs) has called such lines
    /// contradictory when tables satisfy them, so its word is not
    /// reported as infeasibility.
    IntegerInfeasibleUnproved,
    /// An LP or integer program called the lines contradictory after a
    /// table satisfying them was found and checked exactly: the solver's
    /// floating point failed (large values strain it), and the bound is
    /// left to presolve.
    ContradictedByTable,
}

impl GaveUp {
    /// Whether the reason is time (an integer program's own limit) rather
    /// than numbers out of the integer solver's range.
    pub fn is_time(&self) -> bool {
        matches!(
            self,
            GaveUp::IntegerTime { .. }
                | GaveUp::AfterEarlierTimeout
                | GaveUp::FirstLpTime
                | GaveUp::TimeLimit
                | GaveUp::LooseAtTimeLimit { .. }
        )
    }
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GaveUp::IntegerRange => f.write_str(
                "the LP relaxation is fractional and counts exceed 2^31 - 2, the integer solver's limit",
            ),
            GaveUp::IntegerTime { unknowns, limit } => write!(
                f,
                "an integer program with {unknowns} unknowns ran past {:.0} s without proving its answer",
                limit.as_secs_f64()
            ),
            GaveUp::AfterEarlierTimeout => f.write_str(
                "not tried: an earlier integer program on these cells ran out of time",
            ),
            GaveUp::FirstLpTime => {
                f.write_str("the first LP of a component ran past the time limit")
            }
            GaveUp::TimeLimit => {
                f.write_str("the time limit passed before an integer table was found")
            }
            GaveUp::LooseAtTimeLimit { loose } => write!(
                f,
                "the time limit passed with {loose} hidden cells' bounds not proved tight, and a verdict on loose bounds could pass a cell that leaks: raise --time-limit"
            ),
            GaveUp::NothingBelowCap => f.write_str(
                "the LP relaxation is fractional and some hidden cells have no upper bound; the integer search found nothing below its cap",
            ),
            GaveUp::CapShortOfLp { found, lp_bound } => write!(
                f,
                "the LP relaxation is fractional and some hidden cells have no upper bound: the integer search found {found}, the LP bound is {lp_bound}, and nothing proves which is tight"
            ),
            GaveUp::ContradictedByTable => f.write_str(
                "the LP solver called the lines contradictory although a table checked exactly satisfies them (its floating point fails on large values)",
            ),
            GaveUp::IntegerInfeasibleUnproved => f.write_str(
                "the integer solver found no table, but its floating point is not trusted on values past 2^20, so it is not reported as infeasible",
            ),
            GaveUp::LpInfeasibleUnproved => f.write_str(
                "the LP solver called the lines contradictory, but no exact combination of them proves it (its floating point may have failed on large values), so it is not reported as infeasible",
            ),
        }
    }
}

/// Why a search through the lattice of the lines found no table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatticeStop {
    /// The exact arithmetic would need numbers past 128 bits.
    Past128Bits,
    /// The lines leave one rational solution, and it is not an integer one.
    SingleSolutionNotWhole,
    /// The lattice has more coordinates than are searched.
    TooManyDimensions {
        /// About how many coordinates it has.
        dimensions: usize,
        /// The most that are searched.
        searched: usize,
    },
    /// The kernel basis failed its exact check.
    KernelFailsCheck,
    /// The elimination found the lines contradictory.
    Contradiction,
    /// The lines admit no integer solution at all.
    NoIntegerSolution,
    /// Only the cheap tests were asked for, and the lattice's steps are
    /// not all longer than the box.
    StepsNotLonger,
    /// The rows over the coordinates need coefficients past 64 bits.
    CoefficientsPast64Bits,
    /// The caller's deadline passed.
    OutOfTime,
    /// The LP over the coordinates is infeasible.
    LpInfeasible,
    /// The LP over the coordinates has no optimum.
    LpNoOptimum,
    /// A coordinate's LP range reaches the limit trusted.
    RangeTooWide,
    /// A coordinate's LP range holds no integer.
    NoIntegerCoordinate,
    /// The integer program over the coordinates found no table.
    ProgramFoundNothing,
    /// The table found has a value past the counts.
    TablePastCounts,
    /// The table found fails the exact check.
    TableFailsCheck,
}

impl fmt::Display for LatticeStop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            LatticeStop::Past128Bits => "the lattice of the lines needs numbers past 128 bits",
            LatticeStop::SingleSolutionNotWhole => {
                "the lines have a single solution, and it is not whole"
            }
            LatticeStop::TooManyDimensions {
                dimensions,
                searched,
            } => {
                return write!(
                    f,
                    "the lattice of the lines has about {dimensions} dimensions, past the {searched} searched"
                )
            }
            LatticeStop::KernelFailsCheck => "the lattice fails the exact check",
            LatticeStop::Contradiction => "the lines contradict each other",
            LatticeStop::NoIntegerSolution => "the lines admit no integer table",
            LatticeStop::StepsNotLonger => "the lattice's steps are not all longer than the box",
            LatticeStop::CoefficientsPast64Bits => "the lattice's coefficients pass 64 bits",
            LatticeStop::OutOfTime => "out of time",
            LatticeStop::LpInfeasible => "the LP over the lattice is infeasible",
            LatticeStop::LpNoOptimum => "the LP over the lattice has no optimum",
            LatticeStop::RangeTooWide => "a coordinate's range is too wide",
            LatticeStop::NoIntegerCoordinate => {
                "the LP over the lattice leaves a coordinate no integer"
            }
            LatticeStop::ProgramFoundNothing => {
                "the integer program over the lattice found no table"
            }
            LatticeStop::TablePastCounts => "the lattice's table passes the counts",
            LatticeStop::TableFailsCheck => "the lattice's table fails the exact check",
        };
        f.write_str(text)
    }
}

/// Why some bounds of a component are not proved tight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A verified table was found, but the solver gave up on some bound.
    GaveUp(GaveUp),
    /// No integer table was found at all: every bound is presolve's, and
    /// whether the component has an integer table is not settled.
    NoTable {
        /// Why the last search for a table stopped.
        why: GaveUp,
        /// Why the lattice of the lines found none, when it was tried.
        lattice: Option<LatticeStop>,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::GaveUp(why) => write!(f, "{why}"),
            Reason::NoTable {
                why,
                lattice: Some(lattice),
            } => write!(
                f,
                "no integer table found: {why}; through the lattice of the lines: {lattice}"
            ),
            Reason::NoTable { why, lattice: None } => write!(f, "no integer table found: {why}"),
        }
    }
}

/// A component with bounds left unproved for a reason other than the
/// caller's time limit, or with no integer table found at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unproved {
    pub component: usize,
    /// One of its cells, to say which component it is.
    pub first_cell: CellRef,
    /// Its hidden cells, and how many of them have bounds not proved tight.
    pub cells: usize,
    pub loose: usize,
    pub reason: Reason,
}

impl Unproved {
    /// Whether a verified integer table satisfies the component. When
    /// none was found, every bound is presolve's and the model's integer
    /// feasibility is not settled.
    pub fn table_found(&self) -> bool {
        !matches!(self.reason, Reason::NoTable { .. })
    }

    /// One sentence for the user, naming the component by its first cell.
    pub fn describe(&self, model: &Model) -> String {
        self.sentence(&describe_cell(model, self.first_cell))
    }

    fn sentence(&self, first_cell: &str) -> String {
        if self.table_found() {
            format!(
                "{} of the {} hidden cells linked to {first_cell} have bounds not proved tight (sound; presolve's on the unproved side): {}",
                self.loose, self.cells, self.reason
            )
        } else {
            format!(
                "the {} hidden cells linked to {first_cell}: {}; their bounds are presolve's, sound but not proved tight, and whether any integer table satisfies these lines is not settled",
                self.cells, self.reason
            )
        }
    }
}

/// [`Unproved::describe`] with the component's number for its first cell,
/// for a caller without the model.
impl fmt::Display for Unproved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence(&format!("component {}", self.component)))
    }
}

/// One part of a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// A line with no hidden cell that fails on the published cells
    /// alone: `0 op rhs` is false, `rhs` being what is left once the
    /// published cells are moved to the right-hand side.
    PublishedOnly { line: Line, op: Op, rhs: i128 },
    /// A hidden cell whose own domain, `lo..=hi` with `hi < lo`, is empty.
    EmptyDomain { cell: CellRef, lo: Count, hi: Count },
    /// One of a set of lines that cannot hold together.
    Line(ConflictLine),
}

/// A line of a conflict over its hidden cells: `sum(coef * cell) op rhs`,
/// the published cells moved to `rhs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictLine {
    pub line: Line,
    pub op: Op,
    pub rhs: i128,
    /// Each hidden cell of the line, its coefficient and its domain.
    pub terms: Vec<(CellRef, i64, Domain)>,
}

/// What the user may relax, drawn from where the domains in the conflict
/// came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Some hidden cells in the conflict are assumed below the threshold:
    /// `--open` drops that.
    Open { threshold: Count },
    /// Some are at least 1 only because of `--zeros-shown`.
    DropZerosShown,
}
