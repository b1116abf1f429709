//! What can go wrong: the errors of [`bounds`](crate::bounds) and
//! [`solve`](crate::solve). Every module of the crate may return them.

use cellbound_core::InputError;

/// What can stop the solver short of an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SolveError {
    /// The LP backend failed.
    #[error("the LP solver failed: {0}")]
    Solver(String),
    /// A solver answer failed the exact check.
    #[error("the solver's answer failed the exact check: {0}")]
    Numerical(String),
    /// The counts are beyond what the integer solver handles.
    #[error("{0}")]
    TooLarge(String),
    /// An integer program did not finish in its time.
    #[error("{0}")]
    OutOfTime(String),
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
