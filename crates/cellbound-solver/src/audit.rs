//! The pre-publication audit: given the true table and a suppression
//! pattern, does an outsider who knows everything published (and that
//! hidden cells are counts, but not which of them are small) learn too
//! much about a protected cell?
//!
//! For each hidden cell with true value `v` and tight interval `[lo, hi]`
//! the requirements are: never exactly disclosed (`lo < hi`); optionally a
//! minimum width `hi - lo >= W`; optionally safety ranges as in
//! τ-ARGUS's frequency rule, `hi >= v + ceil(P% of v)` and
//! `lo <= v - ceil(P% of v)` (at least 1). A cell whose interval proves it
//! nonzero while zeros are hidden discloses its existence: a finding, a
//! failure only under `strict`.

use cellbound_core::system::describe_line;
use cellbound_core::{CellRef, Count, Entry, LinearSystem, Model, Op, Rule};

use crate::components::{self, Component};
use crate::error::SolveError;
use crate::lp::Sense;
use crate::lp_path::bound_over;
use crate::options::Options;
use crate::pipeline;
use crate::reason::GaveUp;
use crate::report::{Bounds, CellBounds, Outcome, Report, Status, Witness};

/// What the agency requires of its hidden cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// True values in `1..threshold` are sensitive (`0..threshold` with
    /// `zero_sensitive`).
    pub threshold: Count,
    pub zero_sensitive: bool,
    /// `hi - lo >= min_width`.
    pub min_width: Option<Count>,
    /// Percent of the true value the interval must reach above it.
    pub upper_protection: Option<u32>,
    /// Percent of the true value the interval must reach below it.
    pub lower_protection: Option<u32>,
    /// Apply the requirements to every hidden cell, not only sensitive
    /// ones.
    pub protect_all: bool,
    /// Existence disclosure fails the audit.
    pub strict: bool,
}

impl Default for Protection {
    fn default() -> Self {
        Protection {
            threshold: 5,
            zero_sensitive: false,
            min_width: None,
            upper_protection: None,
            lower_protection: None,
            protect_all: false,
            strict: false,
        }
    }
}

/// Per-cell requirements given by the input itself (τ-ARGUS protection
/// levels), which add to the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CellPolicy {
    /// Whether the input marks the cell as a primary suppression.
    pub sensitive: bool,
    /// `lo <= v - lower_protection`.
    pub lower_protection: Count,
    /// `hi >= v + upper_protection`.
    pub upper_protection: Count,
}

/// What a cell must satisfy, in numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Requirement {
    /// The lower bound must be at most this.
    pub lower_at_most: Option<Count>,
    /// The upper bound must be at least this (an unbounded cell passes).
    pub upper_at_least: Option<Count>,
    pub min_width: Option<Count>,
}

/// The audit's word on a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    /// Neither sensitive nor covered by `protect_all`.
    NotAudited,
}

impl Verdict {
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NotAudited => "not audited",
        }
    }
}

/// The audit of one hidden cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellAudit {
    pub cell: CellRef,
    pub value: Count,
    pub bounds: Bounds,
    pub sensitive: bool,
    pub audited: bool,
    pub requirement: Requirement,
    /// Each requirement the cell misses, in words.
    pub failures: Vec<String>,
    /// The interval proves the cell nonzero while zeros are hidden.
    pub existence_disclosed: bool,
    pub verdict: Verdict,
    /// For a failing cell, the published lines that pin it down.
    pub pinned_by: Vec<String>,
    /// Tables reaching the lower and upper bound, when asked for.
    pub witnesses: Option<(Option<Witness>, Option<Witness>)>,
}

/// Counts over the audited cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuditSummary {
    pub hidden: usize,
    pub audited: usize,
    pub passed: usize,
    pub failed: usize,
    pub exactly_disclosed: usize,
    pub under_protected: usize,
    pub existence_disclosed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    pub cells: Vec<CellAudit>,
    pub summary: AuditSummary,
    /// What the verdicts rest on.
    pub basis: Basis,
}

/// What an audit's verdicts rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Every hidden cell's tight interval: each cell's `bounds` are the
    /// tight integer bounds, and every finding is reported.
    Bounds,
    /// Per requirement of each audited cell, an integer table that meets
    /// it, checked in exact integer arithmetic against every line (what
    /// [`protect`](crate::protect) returns for patterns too large for the
    /// tight bounds). Only audited cells are listed; their `bounds` are
    /// the values the tables reach, inside the tight interval (the tight
    /// lower bound is at most `lower`, the tight upper at least `upper`).
    /// It can only pass: existence findings are not sought.
    Witnesses,
}

impl Basis {
    pub fn as_str(&self) -> &'static str {
        match self {
            Basis::Bounds => "bounds",
            Basis::Witnesses => "witnesses",
        }
    }
}

impl AuditReport {
    pub fn passed(&self) -> bool {
        self.summary.failed == 0
    }
}

/// The truth does not fit the published table: each problem names a cell
/// or a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the true table does not fit the published one: {}", problems.join("; "))]
pub struct Inconsistent {
    pub problems: Vec<String>,
}

/// Any error of [`audit`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
    #[error(transparent)]
    Input(#[from] cellbound_core::InputError),
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// One end of an interval as messages show it: empty when there is no
/// limit on that side.
fn end(x: Option<Count>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// The attacker's rule for an audit: hidden cells are any counts (`>= 1`
/// when zeros are shown); ranges stated in the input still hold.
pub fn attacker_rule(zeros_shown: bool) -> Rule {
    Rule {
        threshold: Rule::default().threshold,
        zeros_shown,
        open: true,
        // A model of values that may be negative sets it (`Model::negative`).
        negative: false,
    }
}

/// Checks that `truth` (one value per listed cell, `truth[t][c]`) agrees
/// with every published cell, adds up along every line, satisfies every
/// extra constraint, and lies in each hidden cell's domain.
pub fn check_truth(
    model: &Model,
    system: &LinearSystem,
    truth: &[Vec<Count>],
) -> Result<(), Inconsistent> {
    let mut problems = Vec::new();
    for (t, table) in model.tables.iter().enumerate() {
        for (c, cell) in table.cells.iter().enumerate() {
            if let Entry::Published(v) = cell.entry {
                if truth[t][c] != v {
                    problems.push(format!(
                        "cell {} ({}): published {v}, true {}",
                        cellbound_core::system::describe_cell(model, CellRef { table: t, cell: c }),
                        cell.origin,
                        truth[t][c]
                    ));
                }
            }
        }
    }
    let values: Vec<Count> = system
        .vars
        .iter()
        .map(|v| truth[v.cell.table][v.cell.cell])
        .collect();
    for (i, var) in system.vars.iter().enumerate() {
        let d = var.domain;
        if !d.contains(values[i]) {
            problems.push(format!(
                "cell {} ({}): true value {} is outside its declared range {}..{}",
                cellbound_core::system::describe_cell(model, var.cell),
                model.cell(var.cell).origin,
                values[i],
                end(d.lo),
                end(d.hi)
            ));
        }
    }
    for row in &system.rows {
        if !row.holds(&values) {
            let lhs: i128 = row
                .terms
                .iter()
                .map(|&(v, c)| c as i128 * values[v] as i128)
                .sum();
            let what = match row.op {
                Op::Eq => "does not add up",
                _ => "does not hold",
            };
            problems.push(format!(
                "{}: the true table {what} (hidden cells give {lhs}, the line needs {} {})",
                describe_line(model, &row.origin),
                row.op,
                row.rhs
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Inconsistent { problems })
    }
}

/// Audits a published model against its truth. `policies`, when given,
/// holds per-cell requirements from the input (`policies[t][c]`).
pub fn audit(
    model: &Model,
    truth: &[Vec<Count>],
    zeros_shown: bool,
    protection: &Protection,
    policies: Option<&[Vec<CellPolicy>]>,
    options: &Options,
) -> Result<AuditReport, AuditError> {
    audit_with(
        model,
        truth,
        zeros_shown,
        protection,
        policies,
        options,
        true,
    )
}

/// What an audit is asked to rest on ([`audit_on`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BasisChoice {
    /// Witness tables when the pattern has a group of linked hidden cells
    /// of over 1,000 unknowns (where tight bounds take long) and every
    /// requirement finds one; tight bounds otherwise.
    #[default]
    Auto,
    /// Tight bounds, whatever the size: [`audit`].
    Bounds,
    /// Witness tables at any size when every requirement finds one;
    /// tight bounds otherwise.
    Witnesses,
}

/// [`audit`] on the basis `choice` asks for. On witness tables
/// ([`Basis::Witnesses`]) a pattern can only pass: each requirement of
/// each audited cell met by an integer table checked against every line
/// in exact integer arithmetic. When a requirement finds no table, or the
/// protection asks what one table per requirement does not show (a
/// minimum width, existence under `strict` with zeros hidden), the audit
/// is the exact one on tight bounds, within what is left of
/// `options.time_limit`.
///
/// ```
/// use cellbound_core::Model;
/// use cellbound_solver::{audit_on, Basis, BasisChoice, Options, Protection};
///
/// // A 2x2 grid with margins, all four inner cells hidden; the truth.
/// let model = Model::grid_with_margins("t", &[
///     &[None, None, Some(10)],
///     &[None, None, Some(10)],
///     &[Some(10), Some(10), Some(20)],
/// ]).unwrap();
/// let truth = vec![vec![3, 7, 10, 7, 3, 10, 10, 10, 20]];
/// let p = Protection { upper_protection: Some(30), lower_protection: Some(30), ..Protection::default() };
/// let r = audit_on(&model, &truth, false, &p, None, &Options::default(), BasisChoice::Witnesses).unwrap();
/// assert!(r.passed());
/// assert_eq!(r.basis, Basis::Witnesses);
/// // The two cells of 3 are audited: each reaches 2 and 4 at least.
/// assert_eq!(r.cells.len(), 2);
/// assert!(r.cells.iter().all(|c| c.bounds.lower <= Some(2) && c.bounds.upper >= Some(4)));
/// ```
pub fn audit_on(
    model: &Model,
    truth: &[Vec<Count>],
    zeros_shown: bool,
    protection: &Protection,
    policies: Option<&[Vec<CellPolicy>]>,
    options: &Options,
    choice: BasisChoice,
) -> Result<AuditReport, AuditError> {
    let started = std::time::Instant::now();
    if choice != BasisChoice::Bounds {
        let rule = attacker_rule(zeros_shown).for_model(model);
        let system = LinearSystem::build(model, rule)?;
        check_truth(model, &system, truth)?;
        let large = || {
            crate::protect::witnessed::largest_group(&system)
                > crate::protect::witnessed::WITNESSED_PAST
        };
        if choice == BasisChoice::Witnesses || large() {
            let deadline = options.time_limit.map(|l| started + l);
            if let Some(r) = crate::protect::witnessed::search(
                model,
                &system,
                truth,
                zeros_shown,
                protection,
                policies,
                deadline,
            ) {
                return Ok(r);
            }
        }
    }
    let options = Options {
        time_limit: options
            .time_limit
            .map(|l| l.saturating_sub(started.elapsed())),
        ..options.clone()
    };
    audit(model, truth, zeros_shown, protection, policies, &options)
}

/// [`audit`], naming the lines that pin each failing cell only with
/// `pinning` (each name costs programs; `protect` only needs verdicts).
pub(crate) fn audit_with(
    model: &Model,
    truth: &[Vec<Count>],
    zeros_shown: bool,
    protection: &Protection,
    policies: Option<&[Vec<CellPolicy>]>,
    options: &Options,
    pinning: bool,
) -> Result<AuditReport, AuditError> {
    let system = LinearSystem::build(model, attacker_rule(zeros_shown))?;
    check_truth(model, &system, truth)?;
    // The truth is a table of the published lines: the solver starts from
    // it, and never leaves a component with no table found.
    let options = Options {
        start: Some(
            system
                .vars
                .iter()
                .map(|v| truth[v.cell.table][v.cell.cell])
                .collect(),
        ),
        ..options.clone()
    };
    let report = match pipeline::solve(&system, &options, &|_, _| {})? {
        // A verdict on loose bounds could pass a cell that leaks.
        Outcome::Feasible(r) => {
            let r = r.require_proved()?;
            let loose = r.cells.iter().filter(|c| !c.tight).count();
            if loose > 0 {
                return Err(SolveError::GaveUp(GaveUp::LooseAtTimeLimit { loose }).into());
            }
            r
        }
        // The truth satisfies every line, so this cannot happen unless
        // the solver is wrong: say so rather than report nothing.
        Outcome::Infeasible(why) => {
            return Err(SolveError::Numerical(format!(
                "the published table was found infeasible although the truth satisfies it: {}",
                why.explanation(model)
            ))
            .into())
        }
    };
    let parts = components::split(&system);
    let mut cells = Vec::with_capacity(report.cells.len());
    for cb in &report.cells {
        let value = truth[cb.cell.table][cb.cell.cell];
        let policy = policies.map(|p| p[cb.cell.table][cb.cell.cell]);
        cells.push(audit_cell(
            model,
            &system,
            &parts,
            &report,
            cb,
            value,
            zeros_shown,
            protection,
            policy,
            pinning,
        )?);
    }
    let mut summary = AuditSummary {
        hidden: cells.len(),
        ..AuditSummary::default()
    };
    for c in &cells {
        summary.existence_disclosed += c.existence_disclosed as usize;
        match c.verdict {
            Verdict::Pass => summary.passed += 1,
            Verdict::Fail => summary.failed += 1,
            Verdict::NotAudited => {}
        }
        if c.audited {
            summary.audited += 1;
            if c.bounds.status() == Status::Exact {
                summary.exactly_disclosed += 1;
            } else if !c.failures.is_empty() {
                summary.under_protected += 1;
            }
        }
    }
    Ok(AuditReport {
        cells,
        summary,
        basis: Basis::Bounds,
    })
}

/// `ceil(pct% of v)`, at least 1.
fn safety_margin(value: Count, pct: u32) -> i128 {
    let m = (value as i128 * pct as i128 + 99) / 100;
    m.max(1)
}

/// An exact requirement brought into `Count`: past `i64` it saturates,
/// which keeps every comparison with a bound (a count below 2^53) true to
/// the exact number.
fn saturate(x: i128) -> Count {
    x.clamp(Count::MIN as i128, Count::MAX as i128) as Count
}

/// Whether a cell of true `value` is sensitive, whether it is audited,
/// and what it must satisfy.
pub(crate) fn requirement_of(
    value: Count,
    protection: &Protection,
    policy: Option<CellPolicy>,
) -> (bool, bool, Requirement) {
    let by_value = if protection.zero_sensitive {
        (0..protection.threshold).contains(&value)
    } else {
        (1..protection.threshold).contains(&value)
    };
    let sensitive = by_value || policy.is_some_and(|p| p.sensitive);
    let audited = sensitive || protection.protect_all;
    let mut req = Requirement {
        min_width: protection.min_width,
        ..Requirement::default()
    };
    let mut lower_margin = protection.lower_protection.map(|p| safety_margin(value, p));
    let mut upper_margin = protection.upper_protection.map(|p| safety_margin(value, p));
    if let Some(p) = policy {
        if p.lower_protection > 0 {
            lower_margin = Some(lower_margin.unwrap_or(0).max(p.lower_protection as i128));
        }
        if p.upper_protection > 0 {
            upper_margin = Some(upper_margin.unwrap_or(0).max(p.upper_protection as i128));
        }
    }
    req.lower_at_most = lower_margin.map(|m| saturate(value as i128 - m));
    req.upper_at_least = upper_margin.map(|m| saturate(value as i128 + m));
    (sensitive, audited, req)
}

#[allow(clippy::too_many_arguments)]
fn audit_cell(
    model: &Model,
    system: &LinearSystem,
    parts: &[Component],
    report: &Report,
    cb: &CellBounds,
    value: Count,
    zeros_shown: bool,
    protection: &Protection,
    policy: Option<CellPolicy>,
    pinning: bool,
) -> Result<CellAudit, SolveError> {
    let b = cb.bounds;
    let (sensitive, audited, req) = requirement_of(value, protection, policy);

    let mut failures = Vec::new();
    let mut sides = (false, false); // (lower side, upper side) to explain
    if audited {
        if b.status() == Status::Exact {
            failures.push(format!(
                "exactly disclosed: the published numbers give {}",
                end(b.lower)
            ));
            sides = (true, true);
        }
        if let (Some(w), Some(width)) = (req.min_width, b.width()) {
            if width < w {
                failures.push(format!(
                    "interval {}..{} is {width} wide, less than {w}",
                    end(b.lower),
                    end(b.upper)
                ));
                sides = (true, true);
            }
        }
        if let (Some(at_most), Some(l)) = (req.lower_at_most, b.lower) {
            if l > at_most {
                failures.push(format!(
                    "lower bound {l} is above {at_most} (true value {value} less its protection)"
                ));
                sides.0 = true;
            }
        }
        if let (Some(at_least), Some(u)) = (req.upper_at_least, b.upper) {
            if u < at_least {
                failures.push(format!(
                    "upper bound {u} is below {at_least} (true value {value} plus its protection)"
                ));
                sides.1 = true;
            }
        }
    }
    let existence_disclosed = !zeros_shown && b.lower.is_some_and(|l| l >= 1);
    if existence_disclosed && protection.strict {
        failures.push(format!(
            "existence disclosed: the interval {}..{} proves the cell nonzero",
            end(b.lower),
            end(b.upper)
        ));
        sides.0 = true;
    }
    let verdict = if !failures.is_empty() {
        Verdict::Fail
    } else if audited {
        Verdict::Pass
    } else {
        Verdict::NotAudited
    };
    let pinned_by = if verdict == Verdict::Fail && pinning {
        pinning_lines(model, system, &parts[cb.component], report, cb, sides)?
    } else {
        Vec::new()
    };
    Ok(CellAudit {
        cell: cb.cell,
        value,
        bounds: b,
        sensitive,
        audited,
        requirement: req,
        failures,
        existence_disclosed,
        verdict,
        pinned_by,
        witnesses: cb.witnesses.as_deref().cloned(),
    })
}

/// Past this many lines in a component, the lines through the cell are
/// named instead of a minimal set (each step solves a program).
const MAX_LINES_TO_REDUCE: usize = 120;

/// A minimal set of lines that alone keep the cell's bound(s) where they
/// are: drop each line in turn, and keep it out when the bound holds
/// without it.
fn pinning_lines(
    model: &Model,
    system: &LinearSystem,
    part: &Component,
    _report: &Report,
    cb: &CellBounds,
    (lower_side, upper_side): (bool, bool),
) -> Result<Vec<String>, SolveError> {
    let v = part
        .vars
        .binary_search(&cb.var)
        .expect("the cell is in its component");
    let names = |rows: &[usize]| -> Vec<String> {
        rows.iter()
            .map(|&r| describe_line(model, &system.rows[part.rows[r].origin].origin))
            .collect()
    };
    if part.rows.len() > MAX_LINES_TO_REDUCE {
        let through: Vec<usize> = (0..part.rows.len())
            .filter(|&r| part.rows[r].terms.iter().any(|&(x, _)| x == v))
            .collect();
        return Ok(names(&through));
    }
    let holds = |active: &[usize]| -> Result<bool, SolveError> {
        if lower_side && bound_over(part, active, v, Sense::Min)? != cb.bounds.lower {
            return Ok(false);
        }
        if upper_side {
            let hi = bound_over(part, active, v, Sense::Max)?;
            if hi.is_none() || hi > cb.bounds.upper {
                return Ok(false);
            }
        }
        Ok(true)
    };
    let mut active: Vec<usize> = (0..part.rows.len()).collect();
    let mut k = 0;
    while k < active.len() {
        let mut without = active.clone();
        without.remove(k);
        if holds(&without)? {
            active = without;
        } else {
            k += 1;
        }
    }
    let mut lines = names(&active);
    if lines.is_empty() {
        // No line is needed: the cell's own domain does it.
        let d = system.vars[cb.var].domain;
        lines.push(format!(
            "the cell's own domain ({}..{})",
            end(d.lo),
            end(d.hi)
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safety_margin_rounds_up_and_is_at_least_one() {
        assert_eq!(safety_margin(3, 10), 1);
        assert_eq!(safety_margin(30, 10), 3);
        assert_eq!(safety_margin(31, 10), 4);
        assert_eq!(safety_margin(0, 50), 1);
    }
}
