//! The questions that infeasibility explanations and audits ask of the
//! LP path, over a subset of a component's rows: is there an integer
//! table at all, and how far can one cell go.

use std::time::{Duration, Instant};

use cellbound_core::Count;

use crate::components::Component;
use crate::error::SolveError;
use crate::lp::{Answer, Sense};

use super::solver::ComponentSolver;

/// Whether the `active` rows of a component admit an integer table, for
/// the search for a minimal conflict. When that cannot be settled (past
/// the integer solver's range or time), the answer is `true`: the line
/// then stays in the conflict, which stays a true conflict. Past
/// `deadline` (and a first table's short grace) the search gives up,
/// likewise.
pub(crate) fn admits_some_table(
    component: &Component,
    active: &[usize],
    deadline: Option<Instant>,
) -> Result<bool, SolveError> {
    let Some(mut solver) = ComponentSolver::new(component, active.to_vec(), false) else {
        return Ok(false);
    };
    solver.deadline = deadline;
    match solver.first_table() {
        Ok(found) => Ok(found.is_some()),
        Err(SolveError::GaveUp(_)) => Ok(true),
        Err(e) => Err(e),
    }
}

/// The tight bound of local variable `v` over only the `active` rows of a
/// feasible component (`None`: unbounded), for finding which lines pin a
/// cell down.
pub(crate) fn bound_over(
    component: &Component,
    active: &[usize],
    v: usize,
    sense: Sense,
) -> Result<Option<Count>, SolveError> {
    let Some(mut solver) = ComponentSolver::new(component, active.to_vec(), false) else {
        return Err(SolveError::Numerical(
            "a part of a feasible system was found infeasible".into(),
        ));
    };
    let Some(first) = solver.first_table()? else {
        return Err(SolveError::Numerical(
            "a part of a feasible system was found infeasible".into(),
        ));
    };
    solver.record(first);
    Ok(solver.extreme(v, sense)?.map(|(b, _)| b))
}

/// Whether an integer table of a component moves local variable `v` to
/// `need` or past it in direction `sense`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reach {
    /// No table found does: the LP relaxation or the tight bound stops
    /// short (a proof), or the question's time ran out (not one).
    Short,
    /// This verified table does (`None`: `v` is unbounded that way, and
    /// no one table stands for it).
    Reached(Option<Vec<Count>>),
}

/// Questions about how far single variables of one component go, asked
/// one after the other of one solver (its LP kept warm between them), for
/// checking a few requirements of an audit without bounding every cell.
pub(crate) struct Probe<'a> {
    solver: ComponentSolver<'a>,
    deadline: Option<Instant>,
}

/// The time one question of a [`Probe`] may take at most: a safety cap,
/// far above what its search's node budget takes (the node budget, a
/// count, decides, so that the same input gives the same answers on any
/// machine). Past it the answer is "short".
const QUESTION_TIME: Duration = Duration::from_secs(10);

impl<'a> Probe<'a> {
    /// A probe of a component that `start` satisfies; past `deadline` its
    /// questions give up (an error).
    pub(crate) fn new(
        component: &'a Component,
        start: Vec<Count>,
        deadline: Option<Instant>,
    ) -> Result<Self, SolveError> {
        let all = (0..component.rows.len()).collect();
        if !component.admits(&start) {
            return Err(SolveError::Numerical(
                "the starting table does not satisfy the system".into(),
            ));
        }
        let Some(mut solver) = ComponentSolver::new(component, all, true) else {
            return Err(SolveError::Numerical(
                "a table that satisfies the system was found infeasible".into(),
            ));
        };
        solver.deadline = deadline;
        solver.record(start);
        Ok(Probe { solver, deadline })
    }

    /// The solver, its deadline set for one question: the probe's, or
    /// [`QUESTION_TIME`] from now if sooner.
    fn question(&mut self) -> &mut ComponentSolver<'a> {
        let budget = Instant::now() + QUESTION_TIME;
        self.solver.deadline = Some(self.deadline.map_or(budget, |d| d.min(budget)));
        &mut self.solver
    }

    /// A verified table with local variable `v` at `need`, changed from
    /// the first table only near `support` (the variables an LP moves to
    /// get there); `None` when none is found (not a proof).
    pub(crate) fn table_around(
        &mut self,
        v: usize,
        need: Count,
        support: &[usize],
    ) -> Option<Vec<Count>> {
        let solver = self.question();
        let values = solver.table_around(v, need as i128, support)?;
        solver.record(values.clone());
        Some(values)
    }

    /// Whether some integer table moves local variable `v` to `need` or
    /// past it in direction `sense`. The LP relaxation answers "no" first
    /// when it can (it bounds every integer table); "yes" needs a
    /// verified table; past the question's time the answer is "short"
    /// (not a proof). A caller that knows the LP relaxation reaches
    /// `need` (`relaxation_reaches`) has it not asked again.
    pub(crate) fn reaches(
        &mut self,
        v: usize,
        sense: Sense,
        need: Count,
        relaxation_reaches: bool,
    ) -> Result<Reach, SolveError> {
        let past = |x: i128| match sense {
            Sense::Max => x >= need as i128,
            Sense::Min => x <= need as i128,
        };
        let solver = self.question();
        let (seen, id) = solver.seen(v, sense);
        if past(seen as i128) {
            return Ok(Reach::Reached(Some(solver.witnesses[id].clone())));
        }
        if !relaxation_reaches {
            let Some((lp, _, _)) = solver.lp_bound(v, sense)? else {
                return Ok(Reach::Reached(None));
            };
            if !past(lp) {
                return Ok(Reach::Short);
            }
            let (seen, id) = solver.seen(v, sense);
            if past(seen as i128) {
                return Ok(Reach::Reached(Some(solver.witnesses[id].clone())));
            }
        }
        // Any table at or past `need` will do: on a large component, one
        // near the first table (a few thousand variables free, the rest
        // held); else a program with the cell held there and no
        // objective, not the tight bound.
        if let Some(values) = solver.table_near(v, need as i128) {
            solver.record(values.clone());
            return Ok(Reach::Reached(Some(values)));
        }
        Ok(
            match solver.integer_program_past(None, Some((v, sense, need as i128))) {
                Ok((Answer::Point(p), _)) => match solver.check_integer(&p) {
                    Ok(values) if past(values[v] as i128) => {
                        solver.record(values.clone());
                        Reach::Reached(Some(values))
                    }
                    Ok(_) | Err(_) => Reach::Short,
                },
                Ok(_) | Err(SolveError::GaveUp(_)) => Reach::Short,
                Err(e) => return Err(e),
            },
        )
    }
}
