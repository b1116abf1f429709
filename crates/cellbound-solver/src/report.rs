//! What the solver answers: per hidden cell, tight integer bounds and a
//! status; for an infeasible model, the lines that cannot hold together.

use std::time::Duration;

use cellbound_core::proof::{Derivation, Ray, SearchTree};
use cellbound_core::{CellRef, Count, Model};

use crate::error::SolveError;
use crate::prose;
use crate::reason::{Conflict, Hint, Unproved};

/// The tight integer interval of a hidden cell: some integer table that
/// satisfies every constraint reaches `lower`, and another reaches `upper`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bounds {
    /// `None` when nothing bounds the cell from below (only where values
    /// may be negative, [`Rule::negative`](cellbound_core::Rule)).
    pub lower: Option<Count>,
    /// `None` when nothing bounds the cell from above.
    pub upper: Option<Count>,
}

impl Bounds {
    /// Whether `value` lies within the bounds.
    ///
    /// ```
    /// use cellbound_solver::Bounds;
    ///
    /// let b = Bounds { lower: None, upper: Some(4) };
    /// assert!(b.contains(-100) && !b.contains(5));
    /// ```
    pub fn contains(&self, value: Count) -> bool {
        cellbound_core::model::within(value, self.lower, self.upper)
    }

    pub fn status(&self) -> Status {
        match (self.lower, self.upper) {
            (Some(l), Some(u)) if u == l => Status::Exact,
            (Some(_), Some(_)) => Status::Bounded,
            _ => Status::Unbounded,
        }
    }

    /// `upper - lower`, `None` when unbounded.
    pub fn width(&self) -> Option<Count> {
        Some(self.upper? - self.lower?)
    }
}

/// What the published numbers reveal about one hidden cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The published numbers determine the cell: `lower == upper`.
    Exact,
    /// Both bounds finite, `lower < upper`.
    Bounded,
    /// No upper bound, or (where values may be negative) no lower one.
    Unbounded,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Exact => "exact",
            Status::Bounded => "bounded",
            Status::Unbounded => "unbounded",
        }
    }
}

/// An integer table (the values of the hidden cells of one component) that
/// satisfies every constraint, checked in exact integer arithmetic: table
/// `index` of its component's `tables`. Cheap to clone: the cells whose
/// bounds the tables reach share them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// Every table kept for the component, shared by its cells.
    pub tables: std::sync::Arc<Tables>,
    /// Which of them this is.
    pub index: usize,
}

impl Witness {
    /// `(variable, value)` for every hidden cell of the component: the
    /// table made whole.
    pub fn values(&self) -> Vec<(usize, Count)> {
        let values = self.tables.values(self.index);
        self.tables.vars.iter().copied().zip(values).collect()
    }
}

/// The witness tables of one component, each whole or as the changes
/// from an earlier one: on a network the flow moves its table along
/// cycles, so a table differs from the one kept before it in few cells.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tables {
    /// The component's variables, in increasing order: a table's
    /// positions are in this order.
    pub vars: Vec<usize>,
    pub tables: Vec<Table>,
}

/// One table of a component's [`Tables`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Table {
    /// The value at every position.
    Whole(Vec<Count>),
    /// Table `base`, an earlier one (`base` is below this table's own
    /// index), with `change` added to the value at `position` for each
    /// `(position, change)`: positions increasing, each once.
    Changes {
        base: usize,
        changes: Vec<(usize, Count)>,
    },
}

impl Tables {
    /// Table `j` made whole: the whole table its chain of bases starts
    /// from, with each table's changes added in turn.
    ///
    /// ```
    /// use cellbound_solver::{Table, Tables};
    ///
    /// let tables = Tables {
    ///     vars: vec![0, 1, 2, 3],
    ///     tables: vec![
    ///         Table::Whole(vec![3, 8, 10, 0]),
    ///         Table::Changes { base: 0, changes: vec![(0, 8), (1, -8), (2, -8), (3, 8)] },
    ///     ],
    /// };
    /// assert_eq!(tables.values(1), vec![11, 0, 2, 8]);
    /// ```
    pub fn values(&self, j: usize) -> Vec<Count> {
        table_values(&self.tables, j)
    }

    /// Calls `f(j, values)` for each table in order, made whole, each
    /// from the one before when it is its base.
    pub fn walk(&self, f: impl FnMut(usize, &[Count])) {
        walk_tables(&self.tables, f)
    }

    /// How many changes and whole values the tables hold: their size.
    pub fn stored(&self) -> usize {
        self.tables
            .iter()
            .map(|t| match t {
                Table::Whole(v) => v.len(),
                Table::Changes { changes, .. } => changes.len(),
            })
            .sum()
    }
}

/// Table `j` of `tables` made whole (see [`Tables::values`]).
pub(crate) fn table_values(tables: &[Table], j: usize) -> Vec<Count> {
    let mut chain = Vec::new();
    let mut at = j;
    let mut out = loop {
        match &tables[at] {
            Table::Whole(values) => break values.clone(),
            Table::Changes { base, .. } => {
                assert!(*base < at, "a table's base is an earlier table");
                chain.push(at);
                at = *base;
            }
        }
    };
    for &k in chain.iter().rev() {
        apply(&mut out, &tables[k]);
    }
    out
}

/// Adds a table's changes to `values` (its base's values).
fn apply(values: &mut [Count], table: &Table) {
    match table {
        Table::Whole(whole) => values.copy_from_slice(whole),
        Table::Changes { changes, .. } => {
            for &(p, d) in changes {
                values[p] += d;
            }
        }
    }
}

/// Calls `f(j, values)` for each of `tables` in order, made whole.
pub(crate) fn walk_tables(tables: &[Table], mut f: impl FnMut(usize, &[Count])) {
    let mut current: Option<(usize, Vec<Count>)> = None;
    for (j, table) in tables.iter().enumerate() {
        let next = match (table, current.take()) {
            (Table::Whole(values), Some((_, mut cur))) if cur.len() == values.len() => {
                cur.copy_from_slice(values);
                cur
            }
            (Table::Changes { base, .. }, Some((at, mut cur))) if at == *base => {
                apply(&mut cur, table);
                cur
            }
            _ => table_values(tables, j),
        };
        f(j, &next);
        current = Some((j, next));
    }
}

/// The answer for one hidden cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellBounds {
    pub cell: CellRef,
    /// The variable of the cell in the [`LinearSystem`](cellbound_core::LinearSystem).
    pub var: usize,
    pub bounds: Bounds,
    /// Whether the bounds are proved tight (`false` when a time limit cut
    /// the solving short or the solver gave up, see [`Report::unproved`]:
    /// then a side left unproved has presolve's sound bound).
    pub tight: bool,
    /// Which component of the system the cell belongs to.
    pub component: usize,
    /// Tables that reach the lower and the upper bound (`None` for a side
    /// with no bound), kept when [`Options::keep_witnesses`](crate::Options)
    /// is set. Boxed, like `proofs`: most reports have neither, and a
    /// report holds one record per hidden cell.
    pub witnesses: Option<Box<(Option<Witness>, Option<Witness>)>>,
    /// Derivations of the bounds, when [`Options::derive`](crate::Options)
    /// is set.
    pub proofs: Option<Box<Proofs>>,
}

/// Why each bound holds, checkable without an LP solver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proofs {
    /// `None` when only the integer search proves the bound (the LP
    /// relaxation is weaker).
    pub lower: Option<Derivation>,
    pub upper: Option<Derivation>,
    /// For a cell with no upper bound, the direction proving it.
    pub ray: Option<Ray>,
    /// For a cell with no lower bound, the direction proving it.
    pub ray_lower: Option<Ray>,
    /// For a bound with no derivation, a small search tree proving it
    /// when one was found (`TREE_NODES` nodes at most).
    pub search_lower: Option<SearchTree>,
    pub search_upper: Option<SearchTree>,
    /// Whether the lattice of the lines showed the component's table the
    /// only one (its bounds then have no derivation): the component may
    /// carry a certificate of that instead (`cellbound_core::rank`).
    pub only_table: bool,
}

impl CellBounds {
    pub fn status(&self) -> Status {
        self.bounds.status()
    }
}

/// Bounds for every hidden cell of a feasible model, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub cells: Vec<CellBounds>,
    /// Where the solving went: components, programs, time.
    pub stats: Stats,
    /// The components the solver could not finish on its own, in order:
    /// empty when every bound is proved tight or only the caller's time
    /// limit left some loose.
    pub unproved: Vec<Unproved>,
}

/// Where the solving went, as `cellbound bounds --stats` prints it.
///
/// The time makes two reports of the same model differ; compare their
/// cells instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// How many independent components the hidden cells split into.
    pub components: usize,
    /// How many of them are networks (the flow path's, unless the time
    /// limit had passed before they were reached), and their hidden cells.
    pub flow_components: usize,
    pub flow_cells: usize,
    /// The hidden cells of the largest component.
    pub largest: usize,
    /// How many LP or integer programs were solved (none are counted for
    /// an infeasible model).
    pub programs: usize,
    /// With `Options::derive`, how many cells got no derivation because
    /// the time limit had passed when their turn came.
    pub underived: usize,
    /// How long solving took, from the split into components to the
    /// report.
    pub time: Duration,
}

/// Counts by status, as the bounds output's `summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    pub hidden: usize,
    pub exact: usize,
    pub bounded: usize,
    pub unbounded: usize,
}

impl Report {
    /// A report with no cells.
    pub fn empty() -> Self {
        Report {
            cells: Vec::new(),
            stats: Stats::default(),
            unproved: Vec::new(),
        }
    }

    /// Whether a verified integer table was found for every component, so
    /// that the model is proved feasible.
    pub fn feasibility_proved(&self) -> bool {
        self.unproved.iter().all(Unproved::table_found)
    }

    /// The report itself when every bound is proved tight; for callers
    /// whose answers rest on tight bounds (an audit, an explanation).
    /// Otherwise [`SolveError::Unproved`] with the first component left
    /// unproved, which says why.
    pub fn require_proved(mut self) -> Result<Self, SolveError> {
        if self.unproved.is_empty() {
            Ok(self)
        } else {
            Err(SolveError::Unproved(Box::new(self.unproved.swap_remove(0))))
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            hidden: self.cells.len(),
            ..Summary::default()
        };
        for c in &self.cells {
            match c.status() {
                Status::Exact => s.exact += 1,
                Status::Bounded => s.bounded += 1,
                Status::Unbounded => s.unbounded += 1,
            }
        }
        s
    }
}

/// Why a model has no integer completion: a minimal set of lines (rows,
/// columns, totals, constraints) that cannot hold together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Infeasibility {
    /// The lines of the conflict (or the one cell whose domain is empty).
    pub conflict: Vec<Conflict>,
    /// Whether the set is proved minimal (dropping any one line leaves a
    /// feasible system); very large conflicts are reported whole.
    pub minimal: bool,
    /// What the user may change, e.g. `--open`.
    pub hints: Vec<Hint>,
    /// Where the solving went until the conflict was found.
    pub stats: Stats,
}

impl Infeasibility {
    /// Whether the conflict is one cell's own domain (no line needed).
    pub fn about_a_cell(&self) -> bool {
        matches!(self.conflict.first(), Some(Conflict::EmptyDomain { .. }))
    }

    /// One sentence per part of the conflict, in the user's terms;
    /// `model` is the one the outcome was solved from.
    pub fn lines(&self, model: &Model) -> Vec<String> {
        self.conflict
            .iter()
            .map(|c| prose::conflict(model, c))
            .collect()
    }

    /// The hints as one sentence or more, `None` when there are none;
    /// `model` is the one the outcome was solved from (its values' units).
    pub fn hint(&self, model: &Model) -> Option<String> {
        (!self.hints.is_empty()).then(|| {
            self.hints
                .iter()
                .map(|h| prose::hint(model, h))
                .collect::<Vec<_>>()
                .join(". ")
        })
    }

    /// The whole explanation as one paragraph.
    ///
    /// ```
    /// use cellbound_core::io::{csv_grid, GridOptions};
    /// use cellbound_core::Rule;
    /// use cellbound_solver::{bounds, Options, Outcome};
    ///
    /// let csv = "MRC,Volet 1,Volet 2,Volet 3,Total\n\
    ///            La Mitis,x,9,x,20\n\
    ///            Les Basques,x,15,x,25\n\
    ///            Total,13,24,8,45\n";
    /// let model = csv_grid::read(csv.as_bytes(), "t.csv", "t", &GridOptions::default()).unwrap();
    /// let Outcome::Infeasible(why) = bounds(&model, Rule::default(), &Options::default()).unwrap()
    /// else {
    ///     panic!("two hidden cells below 5 cannot make 11")
    /// };
    /// assert!(why.explanation(&model).contains("--open"));
    /// ```
    pub fn explanation(&self, model: &Model) -> String {
        let lines = self.lines(model);
        let mut s = String::from(if self.about_a_cell() {
            "no integer table exists: "
        } else if lines.len() == 1 {
            "no integer table satisfies this line: "
        } else if self.minimal {
            "no integer table satisfies these lines together: "
        } else {
            "no integer table satisfies these lines together (not reduced to a minimal set): "
        });
        s.push_str(&lines.join("; "));
        if let Some(hint) = self.hint(model) {
            s.push_str(". ");
            s.push_str(&hint);
        }
        s
    }
}

/// The outcome of solving a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Feasible(Report),
    Infeasible(Infeasibility),
}

impl Outcome {
    /// Where the solving went, whichever the outcome.
    pub fn stats(&self) -> &Stats {
        match self {
            Outcome::Feasible(report) => &report.stats,
            Outcome::Infeasible(why) => &why.stats,
        }
    }
}
