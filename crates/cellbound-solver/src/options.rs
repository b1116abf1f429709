//! How to solve: what the caller asks for beyond the bounds, and how long
//! it may wait. Low enough that every module may read it.

use std::time::Duration;

/// How to solve.
///
/// ```
/// use std::time::Duration;
/// use cellbound_solver::Options;
///
/// let options = Options {
///     keep_witnesses: true,
///     time_limit: Some(Duration::from_secs(30)),
///     ..Options::default()
/// };
/// assert!(!options.derive);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep, for every bound, the integer table that reaches it.
    pub keep_witnesses: bool,
    /// Derive, for every bound, the combination of published lines that
    /// proves it (and, for an unbounded cell, the ray).
    pub derive: bool,
    /// Stop solving after this long: cells not yet solved get presolve's
    /// bounds, sound but possibly loose, marked not tight.
    pub time_limit: Option<Duration>,
}
