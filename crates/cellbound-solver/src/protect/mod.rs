//! Complementary suppression proved safe: the fewest extra hidden cells
//! (by the agency's cost) that make [`crate::audit`] pass.
//!
//! The method is an audit-driven loop. Hide the primary cells; audit
//! exactly; for each failing cell, hide the cheapest set of published
//! cells that gives it the room it lacks: on a network (a 2-D table with
//! its margins) the cheapest cycle through it, a shortest path; elsewhere
//! the cheapest hypercube through it (`hypercube`: one signed path of
//! codes per dimension, up and down at once when both are asked), else a
//! linear program over a box of candidate cells, then an integer one.
//! Off a network, each requirement is then checked alone (a table
//! reaching it, solved in its component: `prune::recheck`) instead of a
//! whole audit per round. Then each complement is published again, the
//! most expensive first, when every requirement leaning on it (its
//! witness table moves it) finds another table: a hypercube among the
//! hidden cells, a vertex of a warm LP kept across the trials (`warm`),
//! or its own solve (`prune`). On small tables the greedy runs in a few
//! orders, and the cheapest pattern (on the smallest, each order's
//! pattern) is then improved by ruin and recreate: a complement and its
//! neighbours published, the complement banned, the requirements met
//! again and pruned, kept when cheaper. The
//! exact audit of the result is the final word: a pattern is returned
//! only with the passing audit of that very pattern.

mod hypercube;
mod prune;
mod search;
mod structure;
mod warm;
pub(crate) mod witnessed;

use std::time::{Duration, Instant};

use cellbound_core::system::{describe_cell, describe_line};
use cellbound_core::{CellRef, Count, Entry, LinearSystem, Model};

use crate::audit::{attacker_rule, audit_with, AuditError, AuditReport, CellPolicy, Protection};
use crate::audit::{CellAudit, Inconsistent, Verdict};
use crate::error::SolveError;
use crate::options::Options;
use search::{Found, State};
use structure::{Network, Structure};

/// The price of hiding a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cost {
    /// Every cell costs 1: the count of hidden cells.
    Unity,
    /// The cell's true value: the total hidden (a negative value counts
    /// by its size, so that no cell has a negative price).
    Value,
    /// `1 + ln(1 + |value|)`: between the two.
    Log,
    /// Given per cell, `cost[t][c]` (a column of the input).
    Given(Vec<Vec<f64>>),
}

/// What [`protect`] is asked to do.
#[derive(Debug, Clone)]
pub struct ProtectOptions {
    /// Which cells are sensitive and the room each must keep, as for the
    /// audit.
    pub protection: Protection,
    /// The attacker knows that hidden cells are at least 1.
    pub zeros_shown: bool,
    pub cost: Cost,
    /// Cells that must stay published (a grand total, say).
    pub keep_published: Vec<CellRef>,
    /// Primary cells besides those of the threshold rule.
    pub primary: Vec<CellRef>,
    /// Prefer inner cells as complements: a cell that is a total along
    /// `k` dimensions is priced `(1 + k)` times its cost.
    pub prefer_inner: bool,
    /// Try to publish each complement again once the audit passes.
    pub prune: bool,
    pub time_limit: Option<Duration>,
}

impl Default for ProtectOptions {
    fn default() -> Self {
        ProtectOptions {
            protection: Protection::default(),
            zeros_shown: false,
            cost: Cost::Unity,
            keep_published: Vec::new(),
            primary: Vec::new(),
            prefer_inner: true,
            prune: true,
            time_limit: None,
        }
    }
}

/// A cell hidden to protect others.
#[derive(Debug, Clone, PartialEq)]
pub struct Complement {
    pub cell: CellRef,
    pub value: Count,
    /// Its cost (`--cost`), before the preference for inner cells.
    pub cost: f64,
}

/// How the pattern was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProtectStats {
    /// Rounds of searches between audits.
    pub rounds: usize,
    /// Exact audits run (the final one included).
    pub audits: usize,
    /// Searches for the room of one cell in one direction.
    pub searches: usize,
    /// Complements published again by the pruning.
    pub republished: usize,
    /// Complements published again because they could not be given the
    /// room required of them (`--strict`, `--protect-all`), and banned.
    pub banned: usize,
    /// Whether the searches were shortest paths on a network.
    pub network: bool,
    /// The pruning stopped at the time limit: the pattern passes, but
    /// some complement might still be published.
    pub pruning_cut_short: bool,
    /// Complements the pruning did not try, its audits being too slow.
    pub left_untried: usize,
    /// Cells hidden because their twin in a linked table is (a cell
    /// common to two tables has one status).
    pub linked: usize,
    /// Twins left published because the audit with them hidden did not
    /// pass or ran out of time (the pattern returned passed without them).
    pub links_left: usize,
}

/// A protected table.
#[derive(Debug, Clone)]
pub struct Protected {
    /// The model as it would be published: primary and complementary
    /// cells hidden.
    pub model: Model,
    /// The primary cells, in input order (those hidden in the input
    /// included).
    pub primary: Vec<CellRef>,
    /// The complementary cells, in input order.
    pub complements: Vec<Complement>,
    /// The exact audit of `model`, which passes.
    pub audit: AuditReport,
    pub stats: ProtectStats,
}

/// Why there is no protected table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtectError {
    /// The true table does not add up or does not fit the input.
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
    #[error(transparent)]
    Input(#[from] cellbound_core::InputError),
    #[error(transparent)]
    Solve(#[from] SolveError),
    /// A primary cell is also required to stay published.
    #[error("cell {cell} is primary (true value {value}) and is required to stay published")]
    KeptPrimary { cell: String, value: Count },
    /// No pattern can give a cell the room it needs (proved: no table
    /// that keeps the required cells published moves it that far).
    #[error("no suppression pattern can protect cell {cell} (true value {value}): {need}; the lines through it: {}", lines.join(", "))]
    Impossible {
        cell: String,
        value: Count,
        need: String,
        lines: Vec<String>,
    },
    /// The searches found no pattern (not a proof that none exists).
    #[error("no pattern found that protects cell {cell} (true value {value}): {need}")]
    NotFound {
        cell: String,
        value: Count,
        need: String,
    },
    /// The time limit passed before a passing pattern was found.
    #[error("the time limit passed before a pattern passing the audit was found")]
    TimeLimit,
}

impl From<AuditError> for ProtectError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::Inconsistent(i) => ProtectError::Inconsistent(i),
            AuditError::Input(i) => ProtectError::Input(i),
            AuditError::Solve(s) => ProtectError::Solve(s),
        }
    }
}

/// Protects `model` (its hidden cells stay hidden) given the true value
/// of every cell, `truth[t][c]`: hides the primary cells and the cheapest
/// complements found, and returns the pattern with its passing exact
/// audit.
///
/// ```
/// use cellbound_core::Model;
/// use cellbound_solver::{protect, ProtectOptions};
///
/// let model = Model::grid_with_margins(
///     "t",
///     &[&[Some(2), Some(9), Some(11)], &[Some(8), Some(6), Some(14)], &[Some(10), Some(15), Some(25)]],
/// )
/// .unwrap();
/// let truth: Vec<Vec<i64>> = vec![model.tables[0]
///     .cells
///     .iter()
///     .map(|c| c.entry.published().unwrap())
///     .collect()];
/// let protected = protect(&model, &truth, &ProtectOptions::default()).unwrap();
/// assert!(protected.audit.passed());
/// assert_eq!(protected.primary.len(), 1); // the 2
/// assert_eq!(protected.complements.len(), 3); // a cycle of four cells
/// ```
pub fn protect(
    model: &Model,
    truth: &[Vec<Count>],
    opts: &ProtectOptions,
) -> Result<Protected, ProtectError> {
    protect_within(model, truth, opts, Limits::default())
}

/// The counts that bound the pruning's work (tests lower them, to run
/// on small tables the paths of large ones).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Groups of linked cells larger than this get an LP of the moves.
    pub moves_past: usize,
    /// The LP work a pruning pass may spend ([`prune::PRUNE_WORK`]).
    pub prune_work: usize,
    /// A pattern with a group of linked hidden cells larger than this (in
    /// the variables of its system) passes on its requirements' tables
    /// (`witnessed`) when they check, instead of on tight bounds.
    pub witnessed_past: usize,
    /// The complements a pruning pass tries before it judges whether its
    /// work will reach the last ([`prune::REORDER_AFTER`]).
    pub reorder_after: usize,
    /// The work of the ruin-and-recreate moves ([`RUIN_WORK`]; 0: none).
    pub ruin_work: usize,
    /// Tables whose work is at most this search from every order's
    /// pattern ([`RUIN_STARTS_TABLES`]; 0: from the cheapest alone).
    pub ruin_starts_tables: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            moves_past: warm::PROGRAM_CELLS,
            prune_work: prune::PRUNE_WORK,
            witnessed_past: witnessed::WITNESSED_PAST,
            reorder_after: prune::REORDER_AFTER,
            ruin_work: RUIN_WORK,
            ruin_starts_tables: RUIN_STARTS_TABLES,
        }
    }
}

/// [`protect`] under `limits`.
pub(crate) fn protect_within(
    model: &Model,
    truth: &[Vec<Count>],
    opts: &ProtectOptions,
    limits: Limits,
) -> Result<Protected, ProtectError> {
    let started = Instant::now();
    let deadline = opts.time_limit.map(|l| started + l);
    let s = Structure::new(model, truth);
    // The attacker's rule as `LinearSystem::build` reads the model: no
    // lower limit where values may be negative.
    let rule = attacker_rule(opts.zeros_shown).for_model(model);
    let n = s.len();
    let mut state = State::at_truth(&s, model, truth, rule);
    let mut base_cost = vec![1.0; n];
    for (g, &r) in s.refs.iter().enumerate() {
        let v = state.value[g];
        base_cost[g] = match &opts.cost {
            Cost::Unity => 1.0,
            Cost::Value => v.unsigned_abs() as f64,
            Cost::Log => 1.0 + (1.0 + v.unsigned_abs() as f64).ln(),
            Cost::Given(c) => c[r.table][r.cell],
        };
        let weight = if opts.prefer_inner {
            1.0 + s.margin_dims[g] as f64
        } else {
            1.0
        };
        // A small price per cell breaks ties towards fewer cells.
        state.price[g] = base_cost[g] * weight + 1e-3;
    }
    for &r in &opts.keep_published {
        state.kept[s.global(r)] = true;
    }
    let mut kept_zero = vec![false; n];
    if opts.zeros_shown {
        // Zeros are published: a zero cannot be a complement.
        #[allow(clippy::needless_range_loop)]
        for g in 0..n {
            if state.value[g] == 0 && !state.hidden[g] && !state.kept[g] {
                state.kept[g] = true;
                kept_zero[g] = true;
            }
        }
    }

    // The primary cells: the threshold rule, the list, and the hidden.
    let p = &opts.protection;
    let mut explicit = vec![false; n];
    for &r in &opts.primary {
        explicit[s.global(r)] = true;
    }
    let mut primary_flag = vec![false; n];
    #[allow(clippy::needless_range_loop)]
    for g in 0..n {
        let v = state.value[g];
        let by_value = if p.zero_sensitive {
            (0..p.threshold).contains(&v)
        } else {
            (1..p.threshold).contains(&v)
        };
        if by_value || explicit[g] {
            if state.kept[g] && !kept_zero[g] {
                return Err(ProtectError::KeptPrimary {
                    cell: describe_cell(model, s.refs[g]),
                    value: v,
                });
            }
            primary_flag[g] = true;
        }
    }
    let policies: Option<Vec<Vec<CellPolicy>>> = opts.primary.first().map(|_| {
        model
            .tables
            .iter()
            .enumerate()
            .map(|(t, table)| {
                (0..table.cells.len())
                    .map(|c| CellPolicy {
                        sensitive: explicit[s.global(CellRef { table: t, cell: c })],
                        ..CellPolicy::default()
                    })
                    .collect()
            })
            .collect()
    });
    let start_hidden = state.hidden.clone();
    let mut pattern = model.clone();
    for g in (0..n).filter(|&g| primary_flag[g]) {
        if !state.hidden[g] {
            hide(&mut pattern, &s, &mut state, g);
        }
    }
    let network = Network::of(&s);
    let mut stats = ProtectStats {
        network: network.is_some(),
        ..ProtectStats::default()
    };

    let run_audit = |pattern: &Model,
                     stats: &mut ProtectStats,
                     witnesses: bool|
     -> Result<AuditReport, ProtectError> {
        let time_limit = match deadline {
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(ProtectError::TimeLimit);
                }
                Some(left)
            }
            None => None,
        };
        stats.audits += 1;
        let options = Options {
            time_limit,
            keep_witnesses: witnesses,
            ..Options::default()
        };
        audit_with(
            pattern,
            truth,
            opts.zeros_shown,
            &opts.protection,
            policies.as_deref(),
            &options,
            false,
        )
        .map_err(|e| match e {
            AuditError::Solve(SolveError::GaveUp(g)) if g.is_time() => ProtectError::TimeLimit,
            e => e.into(),
        })
    };

    // The truth must fit: the audit checks it, naming the line.
    LinearSystem::build(&pattern, rule)?;
    let work = Work {
        s: &s,
        model,
        network: network.as_ref(),
        deadline,
        prune_deadline: opts.time_limit.map(|l| started + l.mul_f64(PRUNE_SHARE)),
        start_hidden: &start_hidden,
        primary_flag: &primary_flag,
        truth,
        rule,
        limits,
    };
    // Off a network, the requirements are checked one by one between
    // rounds (the first audit's witness tables say which cells each
    // leans on); on a network, whole audits are flows, and cheap.
    let by_requirement = network.is_none();
    let mut pruned = false;
    // The requirements' tables, when the final audit rests on them.
    let mut witnessed_reqs: Option<Vec<prune::Requirement>> = None;
    let mut report = run_audit(&pattern, &mut stats, by_requirement)?;
    if !report.passed() && by_requirement {
        if let Some(first) = prune::requirements(&pattern, &s, &report, truth, opts, rule) {
            // The requirements grouped by cell, in the audit's order; the
            // greedy searches depend on the order the groups are served
            // in, so on small tables a few orders are tried and the
            // cheapest pattern kept (each pruned as below).
            let mut groups: Vec<Vec<usize>> = Vec::new();
            for (i, r) in first.iter().enumerate() {
                match groups.last_mut() {
                    Some(last) if first[last[0]].cell == r.cell => last.push(i),
                    _ => groups.push(vec![i]),
                }
            }
            let value_of = |gr: &Vec<usize>| state.value[first[gr[0]].cell];
            let attempts = (ATTEMPT_WORK / (n * groups.len()).max(1)).max(1);
            // Every attempt, the cheapest first once sorted below.
            let mut tried: Vec<Attempt> = Vec::new();
            for (k, order) in attempt_orders(groups.len(), |a| value_of(&groups[a]))
                .into_iter()
                .enumerate()
            {
                if k >= attempts {
                    break;
                }
                let (mut p, mut st, mut rq) = (pattern.clone(), state.clone(), first.clone());
                let all_met = meet_requirements(
                    &work, &mut p, &mut st, &mut stats, &mut rq, &groups, &order,
                )?;
                let (freed, untried) = if opts.prune && all_met {
                    republish(&work, &mut p, &mut st, &mut stats, &mut rq, None)
                } else {
                    (0, 0)
                };
                tried.push(Attempt::new(&work, p, st, rq, (freed, untried)));
                if !all_met {
                    break;
                }
            }
            // A stable sort: among equal costs, the earlier order first.
            tried.sort_by(|a, b| a.cost.total_cmp(&b.cost));
            let work_of_one = (n * groups.len()).max(1);
            let searched =
                opts.prune && tried[0].reqs.iter().all(|r| r.met) && work_of_one <= RUIN_TABLES;
            if !searched || work_of_one > limits.ruin_starts_tables {
                tried.truncate(1);
            }
            // Orders that found the same pattern would search the same way.
            let mut starts: Vec<Attempt> = Vec::new();
            for a in tried {
                if !starts.iter().any(|b| b.state.hidden == a.state.hidden) {
                    starts.push(a);
                }
            }
            let until = opts.time_limit.map(|l| started + l.mul_f64(RUIN_SHARE));
            let moves = limits.ruin_work / work_of_one;
            let mut best: Option<Attempt> = None;
            for attempt in starts {
                let found = if searched && attempt.reqs.iter().all(|r| r.met) {
                    search_from(&work, attempt, &groups, &mut stats, moves, until)
                } else {
                    attempt
                };
                if best.as_ref().is_none_or(|b| found.cost < b.cost - 1e-9) {
                    best = Some(found);
                }
            }
            let best = best.expect("one attempt at least");
            let Attempt {
                pattern: p,
                state: st,
                reqs,
                freed,
                untried,
                ..
            } = best;
            pattern = p;
            state = st;
            if opts.prune && reqs.iter().all(|r| r.met) {
                // Every requirement had its table, and the pruning ran:
                // the one exact audit, or on a pattern too large for
                // tight bounds, the check of those tables.
                let system = LinearSystem::build(&pattern, rule)?;
                let witnessed = witnessed::largest_group(&system) > limits.witnessed_past;
                report = match witnessed
                    .then(|| witnessed::audit(&system, &s, truth, &report, &reqs))
                    .flatten()
                {
                    Some(r) => {
                        stats.audits += 1;
                        witnessed_reqs = Some(reqs);
                        r
                    }
                    None => run_audit(&pattern, &mut stats, false)?,
                };
                if report.passed() {
                    stats.republished += freed;
                    stats.left_untried = untried;
                    pruned = true;
                }
            } else {
                report = run_audit(&pattern, &mut stats, false)?;
            }
        }
    }
    let mut integer = false;
    while !report.passed() {
        stats.rounds += 1;
        let mut added = 0;
        for c in report.cells.iter().filter(|c| c.verdict == Verdict::Fail) {
            added += give_room(
                &work,
                &mut pattern,
                &mut state,
                &mut stats,
                integer,
                c.cell,
                needs(c, opts),
            )?;
        }
        if added == 0 {
            if integer || network.is_some() {
                let c = report
                    .cells
                    .iter()
                    .find(|c| c.verdict == Verdict::Fail)
                    .expect("a failing audit has a failing cell");
                return Err(ProtectError::NotFound {
                    cell: describe_cell(model, c.cell),
                    value: c.value,
                    need: c.failures.join("; "),
                });
            }
            // The programs' room is not whole: ask for whole tables.
            integer = true;
        }
        report = run_audit(&pattern, &mut stats, false)?;
    }

    // Publish each complement again when the audit still passes.
    if opts.prune && !pruned {
        let mut order = complements_of(&work, &state);
        // First, with no audit: a complement that no table proving a
        // requirement moves, or whose requirements find other hypercubes,
        // can be published, those tables staying valid.
        let before = (pattern.clone(), state.hidden.clone());
        let started_audit = Instant::now();
        let proved = run_audit(&pattern, &mut stats, true)?;
        let audit_time = started_audit.elapsed();
        let mut freed = 0;
        // With cheap audits, one trial audit per complement (below) prunes
        // more than this greedy step, which would go first.
        // On a network whole audits are flows, and one per complement
        // (below) is cheap; elsewhere the requirements leaning on each.
        let reqs = if by_requirement {
            prune::requirements(&pattern, &s, &proved, truth, opts, rule)
        } else {
            None
        };
        let supports = if reqs.is_none() && audit_time > TRIAL_AUDIT_BUDGET {
            witness_supports(&pattern, &s, &proved, truth, opts, rule)
        } else {
            None
        };
        if let Some(mut reqs) = reqs {
            let untried;
            (freed, untried) =
                republish(&work, &mut pattern, &mut state, &mut stats, &mut reqs, None);
            stats.left_untried = untried;
            order.clear();
        } else if let Some(used) = supports {
            let mut left = Vec::new();
            for g in order {
                if used[g] {
                    left.push(g);
                } else {
                    let r = s.refs[g];
                    pattern.tables[r.table].cells[r.cell].entry = Entry::Published(state.value[g]);
                    state.hidden[g] = false;
                    freed += 1;
                }
            }
            order = left;
        }
        if freed > 0 {
            // The exact audit stays the final word.
            match run_audit(&pattern, &mut stats, false) {
                Ok(r) if r.passed() => {
                    stats.republished += freed;
                    report = r;
                }
                Ok(_) => {
                    // Cannot happen if the tables were right; keep the
                    // pattern that passed.
                    (pattern, state.hidden) = before;
                    stats.left_untried = 0;
                    order = complements_of(&work, &state);
                }
                Err(ProtectError::TimeLimit) => {
                    (pattern, state.hidden) = before;
                    stats.pruning_cut_short = true;
                    order.clear();
                }
                Err(e) => return Err(e),
            }
        }
        // Then one exact audit per complement left, when audits are cheap.
        let cheap = audit_time <= TRIAL_AUDIT_BUDGET;
        if !cheap && !order.is_empty() {
            stats.left_untried = order.len();
            order.clear();
        }
        for g in order {
            if deadline.is_some_and(|d| Instant::now() > d) {
                stats.pruning_cut_short = true;
                break;
            }
            let r = s.refs[g];
            pattern.tables[r.table].cells[r.cell].entry = Entry::Published(state.value[g]);
            state.hidden[g] = false;
            match run_audit(&pattern, &mut stats, false) {
                Ok(trial) if trial.passed() => {
                    stats.republished += 1;
                    report = trial;
                }
                Ok(_) => hide(&mut pattern, &s, &mut state, g),
                Err(ProtectError::TimeLimit) => {
                    hide(&mut pattern, &s, &mut state, g);
                    stats.pruning_cut_short = true;
                    break;
                }
                Err(e) => return Err(e),
            }
        }
    }
    // Linked tables: a cell common to two tables (an extra constraint
    // `a - b = 0`) has one status. Hiding the published twin of a hidden
    // cell only widens what the attacker may believe, and its interval is
    // its twin's; the exact audit confirms it, or the pattern stays as it
    // was (it passed).
    let mut linked = Vec::new();
    let mut stack: Vec<usize> = (0..n).filter(|&g| state.hidden[g]).collect();
    while let Some(g) = stack.pop() {
        for &h in &s.twins[g] {
            if !state.hidden[h] && !state.kept[h] {
                hide(&mut pattern, &s, &mut state, h);
                linked.push(h);
                stack.push(h);
            }
        }
    }
    if !linked.is_empty() {
        // Hiding a twin moves no table: those that checked still hold.
        let again = match &witnessed_reqs {
            Some(reqs) => LinearSystem::build(&pattern, rule)
                .ok()
                .and_then(|system| witnessed::audit(&system, &s, truth, &report, reqs))
                .map(Ok)
                .unwrap_or_else(|| run_audit(&pattern, &mut stats, false)),
            None => run_audit(&pattern, &mut stats, false),
        };
        match again {
            Ok(r) if r.passed() => {
                report = r;
                stats.linked = linked.len();
            }
            Ok(_) | Err(ProtectError::TimeLimit) => {
                for &h in &linked {
                    let r = s.refs[h];
                    pattern.tables[r.table].cells[r.cell].entry = Entry::Published(state.value[h]);
                    state.hidden[h] = false;
                }
                stats.links_left = linked.len();
            }
            Err(e) => return Err(e),
        }
    }
    let primary = (0..n)
        .filter(|&g| primary_flag[g] || (start_hidden[g] && explicit[g]))
        .map(|g| s.refs[g])
        .collect();
    let complements = (0..n)
        .filter(|&g| work.is_complement(&state, g))
        .map(|g| Complement {
            cell: s.refs[g],
            value: state.value[g],
            cost: base_cost[g],
        })
        .collect();
    for c in &mut report.cells {
        c.witnesses = None;
    }
    Ok(Protected {
        model: pattern,
        primary,
        complements,
        audit: report,
        stats,
    })
}

/// The share of `--time-limit` after which the pruning by requirements
/// stops: the rest is the final exact audit's.
const PRUNE_SHARE: f64 = 0.6;

/// An exact audit longer than this makes the pruning stop after its
/// first, audit-free step.
const TRIAL_AUDIT_BUDGET: Duration = Duration::from_millis(500);

/// Per cell, whether some table proving a requirement moves it: the
/// tables reaching each audited cell's bounds (and, under `strict`, every
/// hidden cell's lower bound). `None` when a requirement rests on an
/// unbounded side, which no table proves.
fn witness_supports(
    pattern: &Model,
    s: &Structure,
    report: &AuditReport,
    truth: &[Vec<Count>],
    opts: &ProtectOptions,
    rule: cellbound_core::Rule,
) -> Option<Vec<bool>> {
    let system = LinearSystem::build(pattern, rule).ok()?;
    let mut truth_of_var = Vec::with_capacity(system.vars.len());
    for v in &system.vars {
        truth_of_var.push(s.global(v.cell));
    }
    let mut used = vec![false; s.len()];
    let strict = opts.protection.strict && !opts.zeros_shown;
    for c in &report.cells {
        if !c.audited && !strict {
            continue;
        }
        let (lo, hi) = c.witnesses.as_ref()?.clone();
        let mut tables = vec![lo?];
        if c.audited {
            tables.push(hi?);
        }
        for w in tables {
            for (var, value) in w.values() {
                let g = truth_of_var[var];
                if value != truth[s.refs[g].table][s.refs[g].cell] {
                    used[g] = true;
                }
            }
        }
    }
    Some(used)
}

/// Publishes again, the most expensive first, each complement whose
/// requirements leaning on it are met without it: by hypercubes among the
/// other hidden cells, then by solving those requirements alone (the
/// exact audit's answer for them, at the cost of a few cells' bounds
/// instead of every cell's). Returns how many, and how many were left
/// untried (the pruning's work spent); the caller's exact audit stays
/// the final word.
fn republish(
    w: &Work,
    pattern: &mut Model,
    state: &mut State,
    stats: &mut ProtectStats,
    reqs: &mut [prune::Requirement],
    only: Option<&[bool]>,
) -> (usize, usize) {
    let (truth, rule) = (w.truth, w.rule);
    let s = w.s;
    let mut order = complements_of(w, state);
    if let Some(only) = only {
        order.retain(|&g| only[g]);
    }
    let pass = prune::by_hypercubes_then_solving(
        s,
        w.model,
        pattern,
        state,
        truth,
        rule,
        &order,
        reqs,
        w.prune_deadline,
        w.limits,
    );
    stats.pruning_cut_short |= pass.cut_short;
    (pass.freed.len(), pass.untried)
}

/// The work (cells times requirement groups) that one attempt of the
/// greedy search is allowed: a table under it gets `ATTEMPT_WORK / work`
/// attempts (at most the eight orders). A count, not a clock, so that the
/// same input gives the same pattern on any machine.
const ATTEMPT_WORK: usize = 200_000;

/// The work (cells times requirement groups) that the ruin-and-recreate
/// moves of one table may spend: a table gets `RUIN_WORK / work` moves.
/// A count, not a clock: the same input, the same pattern.
const RUIN_WORK: usize = 4_000_000;

/// The largest work (cells times requirement groups) of a table that
/// gets ruin-and-recreate moves at all: on larger ones the moves would
/// be a few, each costing seconds (docs/benchmarks.md).
const RUIN_TABLES: usize = 600_000;

/// The largest work (cells times requirement groups) of a table whose
/// ruin-and-recreate search starts from every order the greedy tried,
/// not only from the cheapest (docs/benchmarks.md).
const RUIN_STARTS_TABLES: usize = 100_000;

/// Ruin and recreate from `start`, then, when it found a cheaper pattern,
/// every complement of it tried once more (the moves pruned only near
/// each change), and again while that publishes some: the cheapest
/// pattern found, one from which no complement can be published.
fn search_from(
    w: &Work,
    start: Attempt,
    groups: &[Vec<usize>],
    stats: &mut ProtectStats,
    moves: usize,
    until: Option<Instant>,
) -> Attempt {
    let mut best = start;
    let mut left = moves;
    loop {
        let before = best.cost;
        best = ruin_and_recreate(w, best, groups, stats, &mut left, until);
        if best.cost >= before - 1e-9 {
            return best;
        }
        let Attempt {
            mut pattern,
            mut state,
            mut reqs,
            freed,
            ..
        } = best;
        let (more, untried) = republish(w, &mut pattern, &mut state, stats, &mut reqs, None);
        best = Attempt::new(w, pattern, state, reqs, (freed + more, untried));
        if more == 0 {
            return best;
        }
    }
}

/// A pattern found, its cost (its complements' prices), and what its
/// pruning did.
struct Attempt {
    cost: f64,
    pattern: Model,
    state: State,
    reqs: Vec<prune::Requirement>,
    /// Complements the pruning published again.
    freed: usize,
    /// Complements the pruning left untried (its work spent).
    untried: usize,
}

impl Attempt {
    fn new(
        w: &Work,
        pattern: Model,
        state: State,
        reqs: Vec<prune::Requirement>,
        (freed, untried): (usize, usize),
    ) -> Attempt {
        let cost = (0..w.s.len())
            .filter(|&g| w.is_complement(&state, g))
            .map(|g| state.price[g])
            .sum();
        Attempt {
            cost,
            pattern,
            state,
            reqs,
            freed,
            untried,
        }
    }
}

/// Local search from a pruned pattern whose every requirement is met
/// (ruin and recreate). Each complement in turn, the most expensive
/// first, is published with the complements on its lines; it is banned
/// (the others may come back), the requirements that leaned on any of
/// them are met again (a table among the cells still hidden, else the
/// greedy's cheapest room, hidden cells free), the complements near the
/// change are pruned, and the result is kept when it costs less
/// ([`search_from`] prunes the last one whole). Stops when `left` moves
/// are spent, past `until`, or after as many moves as the best pattern
/// has complements without a better one. A move whose pruning the time
/// limit stops is void.
fn ruin_and_recreate(
    w: &Work,
    mut best: Attempt,
    groups: &[Vec<usize>],
    stats: &mut ProtectStats,
    left: &mut usize,
    until: Option<Instant>,
) -> Attempt {
    let mut since_better = 0;
    loop {
        let complements = complements_of(w, &best.state);
        let mut count = complements.len();
        let mut improved = false;
        for c in complements {
            if *left == 0 || since_better >= count || until.is_some_and(|d| Instant::now() > d) {
                return best;
            }
            if !best.state.hidden[c] {
                continue;
            }
            *left -= 1;
            since_better += 1;
            if let Some(next) = ruined_and_recreated(w, &best, groups, stats, c) {
                if next.cost < best.cost - 1e-9 {
                    best = next;
                    count = complements_of(w, &best.state).len();
                    improved = true;
                    since_better = 0;
                }
            }
        }
        if !improved {
            return best;
        }
    }
}

/// The complements of a pattern, the most expensive first.
fn complements_of(w: &Work, st: &State) -> Vec<usize> {
    let mut out: Vec<usize> = (0..w.s.len()).filter(|&g| w.is_complement(st, g)).collect();
    out.sort_by(|&a, &b| st.price[b].total_cmp(&st.price[a]).then(a.cmp(&b)));
    out
}

/// One move of [`ruin_and_recreate`] from `from`: complement `c` and the
/// complements on its lines published, `c` banned while the requirements
/// that leaned on any of them are met again, the result pruned. `None`
/// when the requirements cannot all be met so.
fn ruined_and_recreated(
    w: &Work,
    from: &Attempt,
    groups: &[Vec<usize>],
    stats: &mut ProtectStats,
    c: usize,
) -> Option<Attempt> {
    let s = w.s;
    let (mut p, mut st, mut rq) = (from.pattern.clone(), from.state.clone(), from.reqs.clone());
    let mut ruined = vec![c];
    for &(rel, _) in &s.on[c] {
        for &(h, _) in &s.relations[rel].terms {
            if w.is_complement(&st, h) && !ruined.contains(&h) {
                ruined.push(h);
            }
        }
    }
    for &h in &ruined {
        let r = s.refs[h];
        p.tables[r.table].cells[r.cell].entry = Entry::Published(st.value[h]);
        st.hidden[h] = false;
        for q in rq.iter_mut().filter(|q| q.leans_on(h)) {
            q.met = false;
            q.table = None;
        }
    }
    let was_kept = st.kept[c];
    st.kept[c] = true;
    prune::recheck(s, w.model, &p, &st, w.truth, w.rule, &mut rq, w.deadline);
    let order: Vec<usize> = (0..groups.len()).collect();
    match meet_requirements(w, &mut p, &mut st, stats, &mut rq, groups, &order) {
        Ok(true) => {}
        // No room without the banned cell, or none found.
        Ok(false) | Err(_) => return None,
    }
    st.kept[c] = was_kept;
    // The pruning tries the complements near the change: on the lines of
    // the cells published or newly hidden.
    let mut near = vec![false; s.len()];
    let changed = (0..s.len()).filter(|&h| st.hidden[h] != from.state.hidden[h]);
    for h in ruined.iter().copied().chain(changed) {
        for &(rel, _) in &s.on[h] {
            for &(g, _) in &s.relations[rel].terms {
                near[g] = true;
            }
        }
    }
    let cut_short = stats.pruning_cut_short;
    let (freed, untried) = republish(w, &mut p, &mut st, stats, &mut rq, Some(&near));
    if stats.pruning_cut_short && !cut_short {
        // The time limit stopped this move's pruning: the move is void.
        stats.pruning_cut_short = false;
        return None;
    }
    Some(Attempt::new(w, p, st, rq, (freed, untried)))
}

/// The share of `--time-limit` after which no ruin-and-recreate move
/// starts, leaving the whole pruning of its last pattern until
/// [`PRUNE_SHARE`].
const RUIN_SHARE: f64 = 0.3;

/// The orders in which the requirement groups are served, one per
/// attempt: the audit's, reversed, smallest values first, largest first,
/// and four fixed shuffles (a linear congruential sequence: the same
/// input, the same orders).
fn attempt_orders(n: usize, value: impl Fn(usize) -> Count) -> Vec<Vec<usize>> {
    let id: Vec<usize> = (0..n).collect();
    let mut out = vec![id.clone()];
    out.push(id.iter().rev().copied().collect());
    let mut asc = id.clone();
    asc.sort_by_key(|&a| (value(a), a));
    out.push(asc.clone());
    asc.reverse();
    out.push(asc);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..4 {
        let mut o = id.clone();
        for i in (1..n).rev() {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            o.swap(i, (x >> 33) as usize % (i + 1));
        }
        out.push(o);
    }
    out
}

/// Round after round, gives each requirement not yet met its room (the
/// groups served in `order`) and checks it alone (a table reaching it,
/// solved in its component), instead of one whole audit a round: hiding
/// only widens, so a requirement met stays met. Returns whether every
/// requirement is met (else the whole audit's loop finishes the work).
fn meet_requirements(
    w: &Work,
    pattern: &mut Model,
    state: &mut State,
    stats: &mut ProtectStats,
    reqs: &mut [prune::Requirement],
    groups: &[Vec<usize>],
    order: &[usize],
) -> Result<bool, ProtectError> {
    loop {
        if reqs.iter().all(|r| r.met) {
            return Ok(true);
        }
        stats.rounds += 1;
        let mut added = 0;
        for &k in order {
            let all: Vec<Vec<(i64, i128)>> = groups[k]
                .iter()
                .filter(|&&i| !reqs[i].met)
                .map(|&i| reqs[i].moves.clone())
                .collect();
            if all.is_empty() {
                continue;
            }
            let g = reqs[groups[k][0]].cell;
            added += give_room(w, pattern, state, stats, false, w.s.refs[g], all)?;
        }
        if added == 0 {
            return Ok(false);
        }
        prune::recheck(
            w.s, w.model, pattern, state, w.truth, w.rule, reqs, w.deadline,
        );
    }
}

/// What the search for a cell's room works on.
struct Work<'a> {
    s: &'a Structure,
    model: &'a Model,
    network: Option<&'a Network>,
    deadline: Option<Instant>,
    /// When the pruning stops, leaving the final exact audit the rest of
    /// the time limit.
    prune_deadline: Option<Instant>,
    start_hidden: &'a [bool],
    primary_flag: &'a [bool],
    truth: &'a [Vec<Count>],
    rule: cellbound_core::Rule,
    limits: Limits,
}

impl Work<'_> {
    /// Whether cell `g` is a complement of the pattern `st` describes:
    /// hidden by the search, neither primary nor hidden in the input.
    fn is_complement(&self, st: &State, g: usize) -> bool {
        st.hidden[g] && !self.start_hidden[g] && !self.primary_flag[g]
    }
}

/// Hides the cells that give `cell` the room it lacks: every requirement
/// in `all` met by one of its moves. Returns how many cells changed
/// status (a complement that cannot have the room it needs itself is
/// published again and banned), or why no pattern is found.
fn give_room(
    w: &Work,
    pattern: &mut Model,
    state: &mut State,
    stats: &mut ProtectStats,
    integer: bool,
    cell: CellRef,
    all: Vec<Vec<(i64, i128)>>,
) -> Result<usize, ProtectError> {
    let Work {
        s,
        model,
        network,
        deadline,
        ..
    } = *w;
    let g = s.global(cell);
    let value = state.value[g];
    let mut added = 0;
    if network.is_none() && !integer && all.len() > 1 && all.iter().all(|a| a.len() == 1) {
        // One hypercube for every requirement at once (up and down by
        // the same cells) before one per requirement.
        let moves: Vec<(i64, i128)> = all.iter().map(|a| a[0]).collect();
        stats.searches += 1;
        if let Some(cube) = hypercube::cheapest(s, model, state, g, &moves) {
            for h in cube.hide {
                hide(pattern, s, state, h);
                added += 1;
            }
            return Ok(added);
        }
    }
    for alternatives in all {
        let mut proved = true;
        let mut met = false;
        for &(dir, t) in &alternatives {
            if deadline.is_some_and(|d| Instant::now() > d) {
                return Err(ProtectError::TimeLimit);
            }
            stats.searches += 1;
            let found = match network {
                Some(net) => search::on_network(net, state, g, dir, t),
                None => match hypercube::cheapest(s, model, state, g, &[(dir, t)]) {
                    Some(cube) if !integer => Found::Hide(cube.hide),
                    _ => search::by_program(s, model, state, g, dir, t, integer, deadline),
                },
            };
            match found {
                Found::Hide(cells) => {
                    for h in cells {
                        hide(pattern, s, state, h);
                        added += 1;
                    }
                    met = true;
                    break;
                }
                Found::Impossible => {}
                Found::Missed => proved = false,
            }
        }
        if met {
            continue;
        }
        if deadline.is_some_and(|d| Instant::now() > d) {
            return Err(ProtectError::TimeLimit);
        }
        if w.is_complement(state, g) {
            // A complement of ours that cannot have the room it needs
            // itself (--strict, --protect-all): publish it again, and
            // never choose it again.
            pattern.tables[cell.table].cells[cell.cell].entry = Entry::Published(value);
            state.hidden[g] = false;
            state.kept[g] = true;
            stats.banned += 1;
            added += 1;
            break;
        }
        let need = describe_need(value, &alternatives);
        // Two directions each impossible prove nothing about a width
        // that a move both ways could give.
        let width_only = alternatives.len() > 1 && alternatives[0].1 > 1;
        if proved && !width_only {
            let lines = s.on[g]
                .iter()
                .map(|&(r, _)| describe_line(model, &s.relations[r].line))
                .collect();
            return Err(ProtectError::Impossible {
                cell: describe_cell(model, cell),
                value,
                need,
                lines,
            });
        }
        return Err(ProtectError::NotFound {
            cell: describe_cell(model, cell),
            value,
            need,
        });
    }
    Ok(added)
}

fn hide(pattern: &mut Model, s: &Structure, state: &mut State, g: usize) {
    let r = s.refs[g];
    pattern.tables[r.table].cells[r.cell].entry = Entry::Hidden;
    state.hidden[g] = true;
}

/// The moves that give a failing cell its room, each `(direction,
/// amount)` from its true value: every requirement must be met, by one of
/// its alternatives (tried in order).
fn needs(c: &CellAudit, opts: &ProtectOptions) -> Vec<Vec<(i64, i128)>> {
    let v = c.value as i128;
    // No lower bound: the cell has all the room below it wants.
    let lo = c.bounds.lower.map_or(i128::MIN / 4, |l| l as i128);
    let hi = c.bounds.upper.map(|h| h as i128);
    let req = c.requirement;
    let up = req
        .upper_at_least
        .filter(|&u| hi.is_some_and(|h| h < u as i128))
        .map_or(0, |u| u as i128 - v);
    let mut down = req
        .lower_at_most
        .filter(|&l| lo > l as i128)
        .map_or(0, |l| v - l as i128);
    if opts.protection.strict && !opts.zeros_shown && lo >= 1 {
        down = down.max(v);
    }
    let mut list = Vec::new();
    if up > 0 {
        list.push(vec![(1, up)]);
    }
    if down > 0 {
        list.push(vec![(-1, down)]);
    }
    if let (Some(w), Some(h)) = (req.min_width, hi) {
        let reach_up = (h - v).max(up);
        let reach_down = (v - lo).max(down);
        if reach_up + reach_down < w as i128 {
            list.push(vec![
                (1, w as i128 - reach_down),
                (-1, w as i128 - reach_up),
            ]);
        }
    }
    if list.is_empty() && hi == Some(lo) {
        // Exactly disclosed and nothing else asked: any room.
        list.push(vec![(1, 1), (-1, 1)]);
    }
    list
}

fn describe_need(value: Count, alternatives: &[(i64, i128)]) -> String {
    let v = value as i128;
    let one = |&(dir, t): &(i64, i128)| {
        if dir > 0 {
            format!("an upper bound of at least {}", v + t)
        } else {
            format!("a lower bound of at most {}", v - t)
        }
    };
    format!(
        "it needs {}",
        alternatives
            .iter()
            .map(one)
            .collect::<Vec<_>>()
            .join(" or ")
    )
}

#[cfg(test)]
mod tests;
