//! The bounds of one component as the flow path and the LP path give them:
//! one record per variable (its interval, whether it is proved tight,
//! which tables reach it), the tables themselves, and what solving cost.
//!
//! Invariant: a variable marked tight has `reached_by` pointing into
//! `witnesses` (when witnesses are kept) at tables whose value of the
//! variable is its bound; a variable not tight has presolve's sound bound
//! on each side left unproved, and no table.

use cellbound_core::Count;

use crate::components::Component;
use crate::presolve::Intervals;
use crate::reason::Reason;
use crate::report::Table;

/// Which variables' witness tables a solve keeps: none, every variable's,
/// or only the flagged ones' (`explain`, which shows the tables of one
/// cell: keeping every cell's tables of a large component would take a
/// table per bound, each as large as the component).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keep<'a> {
    None,
    All,
    Only(&'a [bool]),
}

impl Keep<'_> {
    /// Whether any table is kept.
    pub(crate) fn any(self) -> bool {
        !matches!(self, Keep::None)
    }

    /// Whether the tables reaching `v`'s bounds are kept.
    pub(crate) fn var(self, v: usize) -> bool {
        match self {
            Keep::None => false,
            Keep::All => true,
            Keep::Only(only) => only[v],
        }
    }
}

/// The bounds of one variable of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VarBounds {
    /// `None` when nothing bounds the variable from below.
    pub lower: Option<Count>,
    /// `None` when nothing bounds the variable from above.
    pub upper: Option<Count>,
    /// Whether both bounds are proved tight; `false` when the deadline
    /// passed first or the solver gave up (see `ComponentBounds::unproved`),
    /// and presolve's sound bound stands in for a side left unproved.
    pub tight: bool,
    /// The indices in `ComponentBounds::witnesses` of the tables reaching
    /// the lower and the upper bound, when witnesses are kept and the
    /// bounds are tight.
    pub reached_by: (Option<usize>, Option<usize>),
}

impl VarBounds {
    /// Bounds proved tight, reached by the tables `reached_by`.
    pub(crate) fn tight(
        lower: Option<Count>,
        upper: Option<Count>,
        reached_by: (Option<usize>, Option<usize>),
    ) -> Self {
        VarBounds {
            lower,
            upper,
            tight: true,
            reached_by,
        }
    }

    /// Sound bounds, not proved tight.
    pub(crate) fn loose(lower: Option<Count>, upper: Option<Count>) -> Self {
        VarBounds {
            lower,
            upper,
            tight: false,
            reached_by: (None, None),
        }
    }
}

/// The bounds of one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComponentBounds {
    /// One record per variable, in the component's order.
    pub vars: Vec<VarBounds>,
    /// The tables kept, each whole or as changes from an earlier one.
    pub witnesses: Vec<Table>,
    pub programs: usize,
    /// Whether the lattice of the lines showed the component's table the
    /// only one: its bounds are then beyond what the LP relaxation proves,
    /// so no LP derivation of them exists.
    pub only_table: bool,
    /// Why the solver left some bound short of proved tight on its own,
    /// before any deadline of the caller's (an integer program past its
    /// own time limit, counts beyond the integer solver's range), or found
    /// no table at all ([`Reason::NoTable`]: every bound is then
    /// presolve's, and the component's integer feasibility is not settled).
    pub unproved: Option<Reason>,
}

impl ComponentBounds {
    /// Room for `n` variables' bounds, none filled in yet.
    pub(crate) fn empty(n: usize, witnesses: Vec<Vec<Count>>, programs: usize) -> Self {
        ComponentBounds {
            vars: Vec::with_capacity(n),
            witnesses: witnesses.into_iter().map(Table::Whole).collect(),
            programs,
            only_table: false,
            unproved: None,
        }
    }

    /// Appends the bounds of the next variables, found apart (by another
    /// thread): their tables are renumbered after this one's.
    pub(crate) fn append(&mut self, part: ComponentBounds) {
        let offset = self.witnesses.len();
        self.vars.extend(part.vars.into_iter().map(|b| VarBounds {
            reached_by: (
                b.reached_by.0.map(|l| l + offset),
                b.reached_by.1.map(|h| h + offset),
            ),
            ..b
        }));
        // A part that starts from this one's first table (the flow's
        // threads all start from one) keeps it as no change from it.
        let same_start = matches!(
            (self.witnesses.first(), part.witnesses.first()),
            (Some(Table::Whole(a)), Some(Table::Whole(b))) if a == b
        );
        self.witnesses.extend(
            part.witnesses
                .into_iter()
                .enumerate()
                .map(|(j, t)| match t {
                    Table::Whole(_) if j == 0 && same_start => Table::Changes {
                        base: 0,
                        changes: Vec::new(),
                    },
                    Table::Whole(values) => Table::Whole(values),
                    Table::Changes { base, changes } => Table::Changes {
                        base: base + offset,
                        changes,
                    },
                }),
        );
        self.programs += part.programs;
        self.unproved = self.unproved.take().or(part.unproved);
    }

    /// The bounds of a component no row touches: each variable ranges over
    /// its whole domain, reached by the table that puts every variable at
    /// its lower end and the one that puts them at their upper ends (the
    /// other end, or 0, where there is none). No solver is needed; `None`
    /// when a domain is empty, for the solver to explain.
    pub(crate) fn unconstrained(part: &Component, keep_witnesses: bool) -> Option<Self> {
        if !part.rows.is_empty()
            || part
                .lo
                .iter()
                .zip(&part.hi)
                .any(|(l, h)| matches!((l, h), (Some(l), Some(h)) if h < l))
        {
            return None;
        }
        let witnesses = if keep_witnesses {
            let end = |a: Option<Count>, b: Option<Count>| a.or(b).unwrap_or(0);
            let (low, high) = part
                .lo
                .iter()
                .zip(&part.hi)
                .map(|(&l, &h)| (end(l, h), end(h, l)))
                .unzip();
            vec![low, high]
        } else {
            Vec::new()
        };
        let mut out = ComponentBounds::empty(part.vars.len(), witnesses, 0);
        out.vars = part
            .lo
            .iter()
            .zip(&part.hi)
            .map(|(&l, &h)| {
                let reached_by = if keep_witnesses {
                    (l.map(|_| 0), h.map(|_| 1))
                } else {
                    (None, None)
                };
                VarBounds::tight(l, h, reached_by)
            })
            .collect();
        Some(out)
    }

    /// Presolve's bounds for every variable, none proved tight: what can
    /// be said soundly when no integer table was found.
    pub(crate) fn presolved(bounds: &Intervals, programs: usize, why: Reason) -> Self {
        let fit = |x: i128| Count::try_from(x).expect("presolve stays within the counts");
        let mut out = ComponentBounds::empty(bounds.lo.len(), Vec::new(), programs);
        out.vars = bounds
            .lo
            .iter()
            .zip(&bounds.hi)
            .map(|(l, h)| VarBounds::loose(l.map(fit), h.map(fit)))
            .collect();
        out.unproved = Some(why);
        out
    }

    /// The lower bounds, in order.
    #[cfg(test)]
    pub(crate) fn lower(&self) -> Vec<Option<Count>> {
        self.vars.iter().map(|b| b.lower).collect()
    }

    /// The upper bounds, in order.
    #[cfg(test)]
    pub(crate) fn upper(&self) -> Vec<Option<Count>> {
        self.vars.iter().map(|b| b.upper).collect()
    }
}
