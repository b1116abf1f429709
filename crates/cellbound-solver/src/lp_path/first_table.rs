//! The search for a first integer table of a component, in explicit
//! stages, cheapest first. Each stage finds a table (which ends the
//! search), shows there is none (likewise), or hands over to the next.
//! The lattice of the lines is searched from here only, once at most per
//! component: as a stage where the LP vertex and the dive found no table,
//! or, on a large component whose table came easily, as a cheap check
//! that the table is the only one.

use std::time::Duration;

use cellbound_core::Count;

use crate::error::SolveError;
use crate::lattice::{self, Lattice, LatticeEffort};
use crate::lp::{Answer, Search, WarmLp};
use crate::reason::GaveUp;

use super::solver::{ComponentSolver, LatticeVerdict, FIRST_TABLE_GRACE, WARM_SEARCH_NODES};
use super::PARALLEL_FROM;

/// How long the integer program over the lattice's coordinates may run
/// (a few dozen integers: quick when it works).
const LATTICE_PROGRAM_TIME: Duration = Duration::from_secs(10);

/// One stage of the search for a first table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The LP vertex itself, rounded.
    Vertex,
    /// A dive from the vertex: fix the least fractional variable,
    /// re-solve warm, repeat.
    Dive,
    /// The lattice of the lines, in full: where the dive fails, the
    /// integer tables may be few and far apart, which it shows directly.
    Lattice,
    /// A branch and bound from the warm vertex, for about what a fresh
    /// integer program's root costs; it may show there is no table.
    WarmSearch,
    /// A dive in the order of the rows that backs up from dead ends
    /// ([`super::sweep`]): it finds the table the dive misses on cubes
    /// (a protected cube's LP vertex has over a thousand fractional
    /// variables), in milliseconds on small ones.
    Sweep,
    /// A table in offsets from the vertex rounded, within a few units of
    /// it: on large values, where the dive's floating point fails
    /// ([`super::local`]).
    Local,
    /// A fresh integer program: the last resort, which settles it.
    IntegerProgram,
}

/// The order on a large component: its warm branch and bound costs
/// seconds, its lattice often less (or nothing, past the dimensions
/// searched), so the lattice comes first.
const LARGE: [Stage; 7] = [
    Stage::Vertex,
    Stage::Dive,
    Stage::Lattice,
    Stage::Sweep,
    Stage::Local,
    Stage::WarmSearch,
    Stage::IntegerProgram,
];

/// The order on a smaller one.
const SMALL: [Stage; 7] = [
    Stage::Vertex,
    Stage::Dive,
    Stage::Sweep,
    Stage::Local,
    Stage::WarmSearch,
    Stage::Lattice,
    Stage::IntegerProgram,
];

/// What one stage gives.
enum Step {
    /// A verified table.
    Table(Vec<Count>),
    /// Proof that there is none.
    NoTable,
    /// Nothing either way: the next stage.
    Next,
}

impl ComponentSolver<'_> {
    /// Whether the component is large enough to have the lattice tried
    /// first (and its variables bounded by all threads).
    pub(super) fn large(&self) -> bool {
        self.component.vars.len() >= PARALLEL_FROM
    }

    /// Some integer table satisfying the active rows, or `None` when there
    /// is none. The first LP's vertex stays as the warm vertex. Every
    /// stage stops at the end of the first table's grace past the
    /// deadline ([`FIRST_TABLE_GRACE`]); then the search gives up
    /// ([`GaveUp::TimeLimit`], or
    /// `FirstLpTime`).
    pub(super) fn first_table(&mut self) -> Result<Option<Vec<Count>>, SolveError> {
        let deadline = self.deadline;
        self.deadline = deadline.map(|d| d + FIRST_TABLE_GRACE);
        let found = self.first_table_within_grace();
        self.deadline = deadline;
        found
    }

    fn first_table_within_grace(&mut self) -> Result<Option<Vec<Count>>, SolveError> {
        if self.out_of_time() {
            return Err(SolveError::GaveUp(GaveUp::TimeLimit));
        }
        self.programs += 1;
        self.warm_tried = true;
        let limit = self.time_left();
        let started = std::time::Instant::now();
        let Some(warm) = WarmLp::new(&self.component.rows, &self.active, &self.bounds, limit)?
        else {
            // The LP's word alone is floating point: the rows are called
            // contradictory only when a combination of them proves it
            // exactly.
            return if crate::certificate::contradiction_proved(
                &self.component.rows,
                &self.active,
                &self.bounds,
            )? {
                Ok(None)
            } else {
                Err(SolveError::GaveUp(GaveUp::LpInfeasibleUnproved))
            };
        };
        self.first_lp_time = started.elapsed();
        let point = warm.point();
        self.warm = Some(warm.clone());
        let stages: &[Stage] = if self.large() { &LARGE } else { &SMALL };
        // The lattice's integer program gets the time left once the dive
        // is done.
        let mut lattice_time = LATTICE_PROGRAM_TIME;
        for &stage in stages {
            let step = match stage {
                Stage::Vertex => self.check(&point).map_or(Step::Next, Step::Table),
                Stage::Dive => {
                    let found = warm
                        .clone()
                        .dive(point.len(), self.deadline)
                        .and_then(|p| self.check(&p));
                    lattice_time = self
                        .time_left()
                        .map_or(LATTICE_PROGRAM_TIME, |t| t.min(LATTICE_PROGRAM_TIME));
                    found.map_or(Step::Next, Step::Table)
                }
                Stage::Local => self
                    .local_table(&point, None)
                    .map_or(Step::Next, Step::Table),
                Stage::Lattice => self
                    .search_lattice(&point, LatticeEffort::Full(lattice_time))?
                    .map_or(Step::Next, Step::Table),
                // An exhausted warm search is a floating-point verdict: the
                // stages after it settle the question.
                Stage::WarmSearch => {
                    match warm.search(WARM_SEARCH_NODES, Some(self.warm_search_stop())) {
                        Search::Found(p) => self.check(&p).map_or(Step::Next, Step::Table),
                        Search::Exhausted | Search::GaveUp => Step::Next,
                    }
                }
                Stage::Sweep => self
                    .sweep(warm.clone())
                    .and_then(|p| self.check(&p))
                    .map_or(Step::Next, Step::Table),
                Stage::IntegerProgram => match self.integer_program(None)?.0 {
                    Answer::Point(p) => Step::Table(self.check_integer(&p)?),
                    Answer::Infeasible
                        if !crate::lp::small_numbers(
                            &self.component.rows,
                            &self.active,
                            &self.bounds,
                        ) =>
                    {
                        return Err(SolveError::GaveUp(GaveUp::IntegerInfeasibleUnproved))
                    }
                    Answer::Infeasible => Step::NoTable,
                    // Past its time the program is an error already; a
                    // capped box is never unbounded.
                    Answer::Unbounded | Answer::OutOfTime => return Err(SolveError::Numerical(
                        "the integer program for a first table found no optimum in a bounded box"
                            .into(),
                    )),
                },
            };
            match step {
                Step::Table(values) => return Ok(Some(values)),
                Step::NoTable => return Ok(None),
                Step::Next => {}
            }
        }
        unreachable!("the integer program settles the search")
    }

    /// On a large component whose first table came before the lattice
    /// was tried, the lattice's cheap tests, which can show `table` the
    /// only one at once where the LP path would probe every variable.
    pub(super) fn check_only_table(&mut self, table: &[Count]) -> Result<(), SolveError> {
        if self.lattice == LatticeVerdict::NotTried && self.large() {
            let point: Vec<f64> = table.iter().map(|&x| x as f64).collect();
            self.search_lattice(&point, LatticeEffort::CheapOnly)?;
        }
        Ok(())
    }

    /// A table through the lattice of the lines (see [`lattice`]),
    /// recording the verdict; `None` when the search finds none (and,
    /// with the cheap tests only, when the table it finds is not shown the
    /// only one).
    fn search_lattice(
        &mut self,
        point: &[f64],
        effort: LatticeEffort,
    ) -> Result<Option<Vec<Count>>, SolveError> {
        self.programs += 1;
        let found = lattice::search(
            self.component,
            &self.active,
            &self.bounds,
            point,
            effort,
            self.deadline,
        )?;
        let values = match found {
            Lattice::Unique(values) => {
                self.lattice = LatticeVerdict::OnlyTable;
                values
            }
            Lattice::Found(values) => {
                self.lattice = LatticeVerdict::Table;
                values
            }
            Lattice::Nothing(why) => {
                self.lattice = LatticeVerdict::Nothing(why);
                return Ok(None);
            }
        };
        if !self.holds(&values) {
            return Err(SolveError::Numerical(
                "the lattice's table fails the exact check".into(),
            ));
        }
        Ok(Some(values))
    }
}
