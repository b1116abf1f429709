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
    /// With `derive`, derive only for these system variables (`None`: for
    /// every one). `explain` asks for one cell, whose two derivations then
    /// cost about what its two bounds cost, not two LPs for every cell.
    pub derive_only: Option<Vec<usize>>,
    /// Stop solving after this long: cells not yet solved get presolve's
    /// bounds, sound but possibly loose, marked not tight.
    pub time_limit: Option<Duration>,
    /// A table known to satisfy every line, one value per system variable
    /// (the truth, in an audit): the LP path starts from it instead of
    /// searching for a first table, so a component is never left with no
    /// table found. It is checked exactly first, and ignored where it
    /// fails.
    pub start: Option<Vec<cellbound_core::Count>>,
}
