//! The bounds of one component as the flow path and the LP path give them:
//! per variable, its interval, whether it is proved tight and which tables
//! reach it, with the tables themselves and what the solving cost.

use cellbound_core::Count;

use crate::presolve::Box;
use crate::reason::Reason;

/// The bounds of one component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComponentBounds {
    pub lower: Vec<Count>,
    pub upper: Vec<Option<Count>>,
    /// Whether each variable's bounds are proved tight; `false` when the
    /// deadline passed first or the solver gave up (`unproved`), and
    /// presolve's sound bound stands in for a side left unproved.
    pub tight: Vec<bool>,
    /// For each variable, the index in `witnesses` of the tables reaching
    /// its lower and upper bound, when witnesses are kept and the bounds
    /// are tight.
    pub reached_by: Vec<(Option<usize>, Option<usize>)>,
    pub witnesses: Vec<Vec<Count>>,
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
            lower: Vec::with_capacity(n),
            upper: Vec::with_capacity(n),
            tight: Vec::with_capacity(n),
            reached_by: Vec::with_capacity(n),
            witnesses,
            programs,
            only_table: false,
            unproved: None,
        }
    }

    /// Appends the bounds of the next variables, found apart (by another
    /// thread): their tables are renumbered after this one's.
    pub(crate) fn append(&mut self, part: ComponentBounds) {
        let offset = self.witnesses.len();
        self.lower.extend(part.lower);
        self.upper.extend(part.upper);
        self.tight.extend(part.tight);
        self.reached_by.extend(
            part.reached_by
                .into_iter()
                .map(|(lo, hi)| (lo.map(|l| l + offset), hi.map(|h| h + offset))),
        );
        self.witnesses.extend(part.witnesses);
        self.programs += part.programs;
        self.unproved = self.unproved.take().or(part.unproved);
    }

    /// Presolve's bounds for every variable, none proved tight: what can
    /// be said soundly when no integer table was found.
    pub(crate) fn presolved(bounds: &Box, programs: usize, why: Reason) -> Self {
        let fit = |x: i128| Count::try_from(x).expect("presolve stays within the counts");
        let n = bounds.lo.len();
        let mut out = ComponentBounds::empty(n, Vec::new(), programs);
        out.lower = bounds.lo.iter().map(|&l| fit(l)).collect();
        out.upper = bounds.hi.iter().map(|h| h.map(fit)).collect();
        out.tight = vec![false; n];
        out.reached_by = vec![(None, None); n];
        out.unproved = Some(why);
        out
    }
}
