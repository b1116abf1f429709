//! What can go wrong: the errors of [`bounds`](crate::bounds) and
//! [`solve`](crate::solve). Every module of the crate may return them.

use cellbound_core::InputError;

use crate::reason::{GaveUp, Unproved};

/// What can stop the solver short of an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// The LP backend failed.
    #[error("the LP solver failed: {0}")]
    Solver(String),
    /// A solver answer failed the exact check.
    #[error("the solver's answer failed the exact check: {0}")]
    Numerical(String),
    /// The solver gave up on its own: an integer program past its time,
    /// or counts past the integer solver's range.
    #[error("{0}")]
    GaveUp(GaveUp),
    /// A caller that needs every bound proved tight
    /// ([`Report::require_proved`](crate::Report::require_proved)) got a
    /// component with some not proved; [`Unproved::describe`] names it in
    /// the user's terms.
    #[error("{0}")]
    Unproved(Box<Unproved>),
}

/// Any error of [`bounds`](crate::bounds): the model does not make a
/// linear system, or the solver failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Solve(#[from] SolveError),
}
