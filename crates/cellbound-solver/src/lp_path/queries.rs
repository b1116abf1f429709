//! The questions that infeasibility explanations and audits ask of the
//! LP path, over a subset of a component's rows: is there an integer
//! table at all, and how far can one cell go.

use std::time::Instant;

use cellbound_core::Count;

use crate::components::Component;
use crate::error::SolveError;
use crate::lp::Sense;

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
