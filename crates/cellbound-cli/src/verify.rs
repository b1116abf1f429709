//! `cellbound verify`: a second opinion on a bounds file, with no LP
//! solver. Every check is exact integer arithmetic on the table as read
//! again from its file: each witness table satisfies every line and every
//! cell's limits and reaches its bound; each derivation proves its bound;
//! each ray proves a missing upper bound. The words for people are checked
//! too: a derivation's text and its lines' names, when given, must be what
//! `bounds` writes for the derivation checked.

use std::collections::HashMap;

use cellbound_core::proof::{Derivation, Ray, SearchTree, Side};
use cellbound_core::system::describe_line;
use cellbound_core::{kernel, rank};
use cellbound_core::{Count, InputError, Line, LinearSystem, Model, Rule};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::args::VerifyArgs;
use crate::proofs::{
    text, ComponentJson, DerivationJson, LineJson, LineRefJson, OnlyTableJson, ProofsJson,
    ReachedByJson, TableJson, TreeJson, WitnessesJson, FULL_RANK, SHORT_KERNEL,
};
use crate::render::codes;
use crate::{exit, input, CliError};

#[derive(Deserialize)]
struct RuleIn {
    /// In the file's units (`decimals`).
    threshold: Box<RawValue>,
    zeros_shown: bool,
    open: bool,
    #[serde(default)]
    negative: bool,
}

#[derive(Deserialize)]
struct CellIn {
    table: String,
    at: Vec<String>,
    /// The bounds and estimate as written, in the file's units: read
    /// exactly into `lower`, `upper` and `estimate` (units of
    /// `10^-decimals`) once the file's `decimals` is known.
    #[serde(rename = "lower")]
    lower_text: Option<Box<RawValue>>,
    #[serde(rename = "upper")]
    upper_text: Option<Box<RawValue>>,
    #[serde(rename = "estimate")]
    estimate_text: Option<Box<RawValue>>,
    #[serde(skip)]
    lower: Option<Count>,
    #[serde(skip)]
    upper: Option<Count>,
    #[serde(skip)]
    estimate: Option<Count>,
    status: String,
    #[serde(default = "yes")]
    tight: bool,
    component: Option<usize>,
    /// The old form: the whole tables reaching the bounds.
    witnesses: Option<WitnessesJson>,
    /// The shared form: which of the component's `tables` reach them.
    reached_by: Option<ReachedByJson>,
    proofs: Option<ProofsJson>,
}

impl CellIn {
    /// How many bounds the cell has: 2, or fewer where a side has none.
    fn bounds(&self) -> usize {
        usize::from(self.lower.is_some()) + usize::from(self.upper.is_some())
    }
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct BoundsIn {
    rule: RuleIn,
    /// The decimals of the values, 0 when absent.
    #[serde(default)]
    decimals: u32,
    /// `null` when no integer table was found for some component.
    feasible: Option<bool>,
    #[serde(default)]
    cells: Vec<CellIn>,
    components: Option<Vec<ComponentJson>>,
    /// The lines the derivations use, in the compact form.
    lines: Option<Vec<LineJson>>,
}

pub fn run(args: VerifyArgs) -> Result<u8, CliError> {
    let model = input::load_args(&args.file, &args.input.grid_options(), &args.input, true)?.model;
    let display = args.bounds.display().to_string();
    let bytes = cellbound_core::io::read_file(&args.bounds, &display)?;
    let verified = verify_bytes(&model, &bytes, &display)?;
    for line in &verified.stderr {
        crate::output::stderr_line(line);
    }
    for line in &verified.stdout {
        println!("{line}");
    }
    Ok(verified.status)
}

/// What `verify` says of a bounds file: its exit status and the lines it
/// writes on standard output and standard error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub status: u8,
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
}

/// `verify` without its files: checks the bounds file `bytes` (named
/// `display` in messages) against `model`. Used in process by the Python
/// package.
pub fn verify_bytes(model: &Model, bytes: &[u8], display: &str) -> Result<Verified, CliError> {
    let done = |status, stdout: Vec<String>, stderr: Vec<String>| {
        Ok(Verified {
            status,
            stdout,
            stderr,
        })
    };
    let mut file: BoundsIn = serde_json::from_slice(bytes).map_err(|e| {
        InputError::new(display, format!("not a bounds file: {e}")).at_line(e.line())
    })?;
    if file.decimals != model.decimals {
        return Err(InputError::new(
            display,
            format!(
                "the file's values have {} decimals but the table's have {}: verify a bounds file against the table it was made from",
                file.decimals, model.decimals
            ),
        )
        .into());
    }
    let value = |raw: &RawValue, what: &str| -> Result<Count, CliError> {
        cellbound_core::model::parse_value(raw.get(), file.decimals)
            .ok()
            .and_then(|v| Count::try_from(v).ok())
            .ok_or_else(|| {
                InputError::new(
                    display,
                    format!(
                        "not a bounds file: {what} {} is not a value with at most {} decimals",
                        raw.get(),
                        file.decimals
                    ),
                )
                .into()
            })
    };
    let threshold = value(&file.rule.threshold, "the threshold")?;
    for k in 0..file.cells.len() {
        let c = &file.cells[k];
        let lower = match c.lower_text.as_deref() {
            Some(l) => Some(value(l, "a lower bound")?),
            None => None,
        };
        let upper = match c.upper_text.as_deref() {
            Some(u) => Some(value(u, "an upper bound")?),
            None => None,
        };
        let estimate = match c.estimate_text.as_deref() {
            Some(e) => Some(value(e, "an estimate")?),
            None => None,
        };
        let c = &mut file.cells[k];
        (c.lower, c.upper, c.estimate) = (lower, upper, estimate);
    }
    match file.feasible {
        Some(true) => {}
        Some(false) => {
            return done(exit::AUDIT_FAILED, vec![], vec![format!("cellbound: {display}: the file says the table is infeasible; only bounds can be verified")]);
        }
        None => {
            return done(exit::AUDIT_FAILED, vec![], vec![format!("cellbound: {display}: the file says no integer table was found, so its bounds are not proved tight; only bounds can be verified")]);
        }
    }
    if file.rule.negative != model.negative {
        let (file_says, table_says) = if file.rule.negative {
            ("may be negative", "may not")
        } else {
            ("are counts of 0 or more", "may be negative")
        };
        return Err(InputError::new(
            display,
            format!(
                "the file's values {file_says} but the table's {table_says}: read the table with \
                 the --allow-negative (or --profile) it was bounded with"
            ),
        )
        .into());
    }
    let rule = Rule {
        threshold,
        zeros_shown: file.rule.zeros_shown,
        open: file.rule.open,
        negative: file.rule.negative,
    };
    let system = LinearSystem::build(model, rule)?;
    // An `impute` file: its filled table is checked like a witness, and
    // its bounds too when it carries their witnesses.
    let imputed = file.cells.iter().any(|c| c.estimate.is_some());
    let mut failures: Vec<String> = aligned(model, &system, &file).into_iter().collect();
    if failures.is_empty() && imputed {
        failures = check_estimates(model, &system, &file);
    }
    if failures.is_empty() && imputed && file.components.is_none() {
        return done(exit::SUCCESS, vec![format!(
            "verified: the imputed table ({} hidden cells) satisfies every line, each value within its cell's bounds and limits; the bounds themselves carry no witnesses (make the file with `cellbound impute --witnesses --format json` to check them too)",
            file.cells.len()
        )], vec![]);
    }
    let mut certified = (0, 0, 0);
    if failures.is_empty() {
        (failures, certified) = check(model, &system, &file);
    }
    let (by_rank, by_kernel, by_tree) = certified;
    let mut out = Vec::new();
    if failures.is_empty() {
        if imputed {
            out.push(format!(
                "verified: the imputed table ({} hidden cells) satisfies every line, each value within its cell's bounds",
                file.cells.len()
            ));
        }
        let bounds: usize = file.cells.iter().map(CellIn::bounds).sum();
        let mut line = if by_rank + by_kernel + by_tree == 0 {
            format!(
                "verified: {} hidden cells, {bounds} bounds, each reached by a table that satisfies every line and proved by a derivation",
                file.cells.len()
            )
        } else {
            let mut line = format!(
                "verified: {} hidden cells, {bounds} bounds, each reached by a table that satisfies every line; {} proved by a derivation",
                file.cells.len(),
                bounds - by_rank - by_kernel - by_tree
            );
            if by_rank > 0 {
                line.push_str(&format!(", {by_rank} by their component's lines having full rank modulo a prime (its table the only one)"));
            }
            if by_kernel > 0 {
                line.push_str(&format!(", {by_kernel} by a basis of their component's integer kernel longer than its box (its table the only one in the box)"));
            }
            if by_tree > 0 {
                line.push_str(&format!(", {by_tree} by a search tree whose every leaf a combination of the lines rules out"));
            }
            line
        };
        // Where values may be negative, the missing bounds are counted too
        // (each shown missing by its ray).
        if file.cells.iter().any(|c| c.lower.is_none()) {
            let missing = 2 * file.cells.len() - bounds;
            line.push_str(&format!(
                "; {missing} missing bound{} shown missing by a ray",
                if missing == 1 { "" } else { "s" }
            ));
        }
        out.push(line);
        done(exit::SUCCESS, out, vec![])
    } else {
        let n = failures.len();
        out.extend(failures);
        out.push(format!(
            "{n} problem{} found",
            if n == 1 { "" } else { "s" }
        ));
        done(exit::AUDIT_FAILED, out, vec![])
    }
}

/// The failures, and how many bounds a certificate rather than a
/// derivation proved: a component's full rank, its short kernel, and a
/// search tree.
fn check(
    model: &Model,
    system: &LinearSystem,
    file: &BoundsIn,
) -> (Vec<String>, (usize, usize, usize)) {
    let failures = check_all(model, system, file);
    let components = match &file.components {
        Some(components) if failures.is_empty() => components,
        _ => return (failures, (0, 0, 0)),
    };
    // The single-table certificate a cell's component carries, if any.
    let test_of = |c: &CellIn| {
        c.component
            .and_then(|k| components.get(k))
            .and_then(|k| k.only_table.as_ref())
            .map(|o| o.test.as_str())
    };
    let by = |test: &str| -> usize {
        file.cells
            .iter()
            .filter(|c| test_of(c) == Some(test))
            .map(CellIn::bounds)
            .sum()
    };
    // Bounds with no derivation, in no certified component, proved by a
    // search tree.
    let by_tree = file
        .cells
        .iter()
        .filter(|c| test_of(c).is_none())
        .filter_map(|c| c.proofs.as_ref().map(|p| (c, p)))
        .map(|(c, p)| {
            let lower = c.lower.is_some() && p.lower.is_none() && p.search_lower.is_some();
            let upper = c.upper.is_some() && p.upper.is_none() && p.search_upper.is_some();
            usize::from(lower) + usize::from(upper)
        })
        .sum();
    let certified = (by(FULL_RANK), by(SHORT_KERNEL), by_tree);
    (failures, certified)
}

/// The system rows and multipliers of a derivation's or a leaf's lines
/// (`whose` names it in messages): by index into the file's `lines`
/// (`listed`, each resolved to a row or not), or named in place. With
/// them, the first line whose name is not the table's, as a message.
type Resolved = (Vec<(usize, i128)>, Option<String>);

fn resolve_lines(
    entries: &[LineRefJson],
    whose: &str,
    listed: &[Option<usize>],
    lines: &HashMap<Line, usize>,
    model: &Model,
    system: &LinearSystem,
) -> Result<Resolved, String> {
    let mut multipliers = Vec::with_capacity(entries.len());
    let mut misnamed_line = None;
    for (k, entry) in entries.iter().enumerate() {
        let m = match entry {
            LineRefJson::Named(m) => m,
            LineRefJson::Indexed(i, multiplier) => match listed.get(*i) {
                Some(Some(r)) => {
                    multipliers.push((*r, *multiplier));
                    continue;
                }
                Some(None) => {
                    return Err(format!(
                        "{whose} lines[{k}] is line {i} of the file, which the table does not have"
                    ))
                }
                None => {
                    return Err(format!(
                        "{whose} lines[{k}] is line {i} of the file, which has {} line{}",
                        listed.len(),
                        if listed.len() == 1 { "" } else { "s" }
                    ))
                }
            },
        };
        match m.line.resolve(model).and_then(|l| lines.get(&l)) {
            Some(&r) => {
                if misnamed_line.is_none() {
                    misnamed_line = misnamed(model, &system.rows[r].origin, &m.name)
                        .map(|e| format!("{whose} lines[{k}] {e}"));
                }
                multipliers.push((r, m.multiplier));
            }
            None => {
                return Err(format!(
                    "{} names a line the table does not have: {:?}",
                    whose.trim_end_matches("'s"),
                    m.line
                ))
            }
        }
    }
    Ok((multipliers, misnamed_line))
}

/// A search tree read from a file, its cells (`n` of them) and lines
/// resolved; a leaf with a misnamed line is refused.
fn search_tree<R: Fn(&[LineRefJson], &str) -> Result<Resolved, String>>(
    tree: &TreeJson,
    n: usize,
    resolve: &R,
) -> Result<SearchTree, String> {
    match tree {
        TreeJson::Leaf(leaf) => match resolve(leaf, "a leaf's")? {
            (multipliers, None) => Ok(SearchTree::Leaf(multipliers)),
            (_, Some(e)) => Err(e),
        },
        TreeJson::Branch {
            cell,
            at,
            below,
            above,
        } => {
            if *cell >= n {
                return Err(format!(
                    "a branch on cell {cell}, past the file's {n} cells"
                ));
            }
            Ok(SearchTree::Branch {
                var: *cell,
                at: *at,
                below: Box::new(search_tree(below, n, resolve)?),
                above: Box::new(search_tree(above, n, resolve)?),
            })
        }
    }
}

/// Checks a `"short_kernel"` certificate of the cells `vars`, and that
/// the lengths it states, if any, are the ones recomputed.
fn short_kernel(system: &LinearSystem, vars: &[usize], only: &OnlyTableJson) -> Result<(), String> {
    let cert = only.short_kernel()?;
    let lengths = kernel::check(system, vars, &cert).map_err(|e| e.to_string())?;
    let stated = [
        (
            "shortest_step_squared",
            &only.shortest_step_squared,
            &lengths.shortest_step_squared,
        ),
        (
            "diagonal_squared",
            &only.diagonal_squared,
            &lengths.diagonal_squared,
        ),
    ];
    for (field, stated, computed) in stated {
        if let Some(stated) = stated {
            if stated != computed {
                return Err(format!(
                    "{field} is {stated}, but the basis and the box give {computed}"
                ));
            }
        }
    }
    Ok(())
}

/// Why the file's cells are not the table's hidden cells, one for one and
/// in order (output order is variable order), if they are not.
fn aligned(model: &Model, system: &LinearSystem, file: &BoundsIn) -> Option<String> {
    let n = system.vars.len();
    if file.cells.len() != n {
        return Some(format!(
            "the table has {n} hidden cells, the bounds file {}",
            file.cells.len()
        ));
    }
    file.cells.iter().enumerate().find_map(|(v, cell)| {
        let r = system.vars[v].cell;
        let at = codes(model, r);
        (cell.table != model.tables[r.table].name || cell.at != at).then(|| {
            format!(
                "cell {} of the file is {}{:?}, the table's is {}{:?}",
                v, cell.table, cell.at, model.tables[r.table].name, at
            )
        })
    })
}

/// Every check of the bounds, on a file whose cells are [`aligned`].
fn check_all(model: &Model, system: &LinearSystem, file: &BoundsIn) -> Vec<String> {
    let shown = |v: Count| crate::render::Amount::new(v, model.decimals);
    let mut failures = Vec::new();
    let n = system.vars.len();
    let Some(components) = &file.components else {
        failures.push(
            "no witnesses: make the file with `cellbound bounds --witnesses --format json`".into(),
        );
        return failures;
    };
    let mut base = vec![None; n];
    for comp in components {
        for (&i, &value) in comp.cells.iter().zip(&comp.base) {
            if let Some(slot) = base.get_mut(i) {
                *slot = Some(value);
            }
        }
    }
    let Some(base): Option<Vec<Count>> = base.into_iter().collect() else {
        failures.push("the components do not give every hidden cell a base value".into());
        return failures;
    };
    let lines: HashMap<Line, usize> = system
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.origin.clone(), i))
        .collect();
    // The compact form's lines, each found once (and its name checked).
    let mut listed: Vec<Option<usize>> = Vec::new();
    for (i, l) in file.lines.iter().flatten().enumerate() {
        let row = l.line.resolve(model).and_then(|l| lines.get(&l)).copied();
        if let Some(r) = row {
            if let Some(e) = misnamed(model, &system.rows[r].origin, &l.name) {
                failures.push(format!("line {i} of the file {e}"));
            }
        }
        listed.push(row);
    }
    let mut tables = Tables::new(system, components, base.clone());
    // The bases together are one complete table: checked once, whole, so
    // that a witness need only be checked on the lines of its own cells.
    if let Err(e) = tables.check_whole(model) {
        failures.push(format!("the components' base tables: {e}"));
        return failures;
    }
    // A component whose lines leave it a single table: its base, checked
    // above, is that table, and fixes each of its cells.
    // The cells of such components: a cell proved so must be one of them,
    // whatever component it claims.
    let mut single = vec![false; n];
    for (k, comp) in components.iter().enumerate() {
        let Some(only) = &comp.only_table else {
            continue;
        };
        let first = comp.cells.first().and_then(|&i| file.cells.get(i));
        let name = first.map_or(String::new(), |c| {
            format!(" (first cell {}{:?})", c.table, c.at)
        });
        let verdict = match only.test.as_str() {
            FULL_RANK => {
                rank::full_rank(system, &comp.cells, only.prime).map_err(|e| e.to_string())
            }
            SHORT_KERNEL => short_kernel(system, &comp.cells, only),
            _ => Err(format!(
                "unknown test {:?} (known: {FULL_RANK:?}, {SHORT_KERNEL:?})",
                only.test
            )),
        };
        match verdict {
            Ok(()) => {
                for &i in &comp.cells {
                    single[i] = true;
                }
            }
            Err(e) => failures.push(format!(
                "component {k}{name}: its certificate of a single table does not check: {e}"
            )),
        }
    }
    // Each component's shared tables are checked once, in order, keeping
    // the value of each cell in each table said to reach its bound.
    let mut wanted: Vec<Vec<(usize, usize)>> = vec![Vec::new(); components.len()];
    for (v, cell) in file.cells.iter().enumerate() {
        if let (Some(k), Some(r)) = (cell.component, cell.reached_by) {
            if let Some(w) = wanted.get_mut(k) {
                w.extend([r.lower, r.upper].into_iter().flatten().map(|j| (j, v)));
            }
        }
    }
    for (k, w) in wanted.iter_mut().enumerate() {
        if !w.is_empty() {
            tables.check_component(model, k, w);
        }
    }
    // The box search trees start from, when a file has any: the domains
    // narrowed by propagation along every line (as `bounds` computed it).
    let has_trees = file.cells.iter().any(|c| {
        c.proofs
            .as_ref()
            .is_some_and(|p| p.search_lower.is_some() || p.search_upper.is_some())
    });
    let limits = if has_trees {
        let all: Vec<usize> = (0..n).collect();
        match kernel::box_of(system, &all) {
            Ok(limits) => limits,
            Err(e) => {
                failures.push(format!("the box search trees start from: {e}"));
                return failures;
            }
        }
    } else {
        Vec::new()
    };
    for (v, cell) in file.cells.iter().enumerate() {
        let name = format!("{}{:?}", cell.table, cell.at);
        let mut fail = |m: String| failures.push(format!("{name}: {m}"));
        if !cell.tight {
            fail(
                "not proved tight (a time limit cut the solving short, or the solver gave up)"
                    .into(),
            );
            continue;
        }
        // A cell published rounded and not pinned is `rounded`.
        let rounded = model.cell(system.vars[v].cell).entry.rounded().is_some();
        let expected = match (cell.lower, cell.upper) {
            (None, _) | (_, None) => "unbounded",
            (Some(l), Some(u)) if l == u => "exact",
            _ if rounded => "rounded",
            _ => "bounded",
        };
        if cell.status != expected {
            fail(format!(
                "status {:?} but the bounds say {expected:?}",
                cell.status
            ));
        }
        let Some(k) = cell.component else {
            fail("no witness tables".into());
            continue;
        };
        if k >= components.len() {
            fail(format!("no component {k}"));
            continue;
        }
        // A cell with no bound on either side has no table to reach one:
        // its rays prove it, below.
        let bounded = cell.lower.is_some() || cell.upper.is_some();
        if bounded && cell.witnesses.is_none() && cell.reached_by.is_none() {
            fail("no witness tables".into());
            continue;
        }
        // The old form: a whole table for each bound, checked on its own.
        if let Some(w) = &cell.witnesses {
            match cell.lower {
                Some(l) => {
                    if let Err(e) = tables.check_values(model, k, &w.lower, v, l) {
                        fail(format!("lower bound {}: {e}", shown(l)));
                    }
                }
                None => fail("no lower bound: the old form of witnesses needs one".into()),
            }
            match (cell.upper, &w.upper) {
                (Some(u), Some(values)) => {
                    if let Err(e) = tables.check_values(model, k, values, v, u) {
                        fail(format!("upper bound {}: {e}", shown(u)));
                    }
                }
                (Some(u), None) => fail(format!("upper bound {}: no witness table", shown(u))),
                (None, _) => {}
            }
        }
        // The shared form: each table of a component is checked once.
        if let Some(r) = cell.reached_by {
            let sides = [
                ("lower", cell.lower, r.lower),
                ("upper", cell.upper, r.upper),
            ];
            for (what, bound, table) in sides {
                match (bound, table) {
                    (Some(b), Some(j)) => {
                        if let Err(e) = tables.check_shared(model, k, j, v, b) {
                            fail(format!("{what} bound {}: {e}", shown(b)));
                        }
                    }
                    (Some(b), None) => fail(format!("{what} bound {}: no witness table", shown(b))),
                    (None, _) => {}
                }
            }
        }
        let Some(p) = &cell.proofs else {
            fail("no derivations".into());
            continue;
        };
        let resolve = |entries: &[LineRefJson], whose: &str| {
            resolve_lines(entries, whose, &listed, &lines, model, system)
        };
        let mut prove = |side: Side,
                         claimed: Count,
                         d: &Option<DerivationJson>,
                         tree: &Option<TreeJson>| {
            let what = if side == Side::Lower {
                "lower"
            } else {
                "upper"
            };
            let Some(d) = d else {
                if single[v] {
                    // The only table puts the cell at its base value.
                    if claimed != base[v] {
                        fail(format!(
                            "{what} bound {}: component {k} has a single table, which puts the cell at {}",
                            shown(claimed),
                            shown(base[v])
                        ));
                    }
                } else if let Some(tree) = tree {
                    let checked = search_tree(tree, n, &resolve)
                        .and_then(|t| t.check(system, &limits, v, side, claimed));
                    if let Err(e) = checked {
                        fail(format!(
                            "{what} bound {}: the search tree does not check: {e}",
                            shown(claimed)
                        ));
                    }
                } else {
                    fail(format!(
                        "{what} bound {}: no derivation (proved only by the integer search)",
                        shown(claimed)
                    ));
                }
                return;
            };
            let multipliers = match resolve(&d.lines, "the derivation's") {
                Ok((multipliers, misnamed)) => {
                    if let Some(e) = misnamed {
                        fail(format!("{what} bound {}: {e}", shown(claimed)));
                    }
                    multipliers
                }
                Err(e) => {
                    fail(format!("{what} bound {}: {e}", shown(claimed)));
                    return;
                }
            };
            let derivation = Derivation {
                var: v,
                side,
                denominator: d.denominator,
                multipliers,
            };
            match derivation.check(system) {
                Ok(c) if c.bound == claimed => {
                    let own = || text(model, system, &derivation);
                    if let Some(e) = (!d.text.is_empty())
                        .then(own)
                        .and_then(|own| miswritten(&d.text, &own))
                    {
                        fail(format!("{what} bound {}: {e}", shown(claimed)));
                    }
                }
                Ok(c) => fail(format!(
                    "{what} bound {}: the derivation proves {} instead",
                    shown(claimed),
                    shown(c.bound)
                )),
                Err(e) => fail(format!(
                    "{what} bound {claimed}: the derivation does not check: {e}"
                )),
            }
        };
        let sides = [
            (
                Side::Lower,
                cell.lower,
                &p.lower,
                &p.ray_lower,
                &p.search_lower,
            ),
            (Side::Upper, cell.upper, &p.upper, &p.ray, &p.search_upper),
        ];
        for (side, bound, derivation, _, tree) in sides {
            if let Some(b) = bound {
                prove(side, b, derivation, tree);
            }
        }
        for (side, _, _, ray, _) in sides.into_iter().filter(|s| s.1.is_none()) {
            let what = match side {
                Side::Lower => "lower",
                Side::Upper => "upper",
            };
            let ray = ray.as_ref().map(|steps| Ray {
                var: v,
                side,
                steps: steps.clone(),
            });
            match ray.map(|r| r.check(system)) {
                Some(Ok(())) => {}
                Some(Err(e)) => fail(format!("no {what} bound: the ray does not check: {e}")),
                None => fail(format!("no {what} bound: no ray proves it")),
            }
        }
    }
    failures
}

/// What is wrong with the filled table of an `impute` file (its cells
/// already [`aligned`] with the table's): every hidden cell must have an
/// estimate within its bounds and limits, and the estimates with the
/// published cells must satisfy every line.
fn check_estimates(model: &Model, system: &LinearSystem, file: &BoundsIn) -> Vec<String> {
    let shown = |v: Count| crate::render::Amount::new(v, model.decimals);
    let n = system.vars.len();
    let mut failures = Vec::new();
    let mut values = Vec::with_capacity(n);
    for (v, cell) in file.cells.iter().enumerate() {
        let name = format!("{}{:?}", cell.table, cell.at);
        let Some(x) = cell.estimate else {
            failures.push(format!("{name}: no estimate"));
            continue;
        };
        if !cellbound_core::model::within(x, cell.lower, cell.upper) {
            failures.push(format!(
                "{name}: estimate {} outside the cell's bounds {}",
                shown(x),
                crate::render::interval_in(
                    cellbound_solver::Bounds {
                        lower: cell.lower,
                        upper: cell.upper
                    },
                    model.decimals
                )
            ));
        }
        if !system.vars[v].domain.contains(x) {
            failures.push(format!(
                "{name}: estimate {} outside the cell's limits",
                shown(x)
            ));
        }
        values.push(x);
    }
    if values.len() == n {
        for row in &system.rows {
            if !row.holds(&values) {
                failures.push(format!(
                    "the imputed table breaks {}",
                    describe_line(model, &row.origin)
                ));
            }
        }
    }
    failures
}

/// What is wrong with the `name` a derivation gives a line, if anything:
/// a name that is not the line's own would tell a person reading the file
/// of another line than the one checked. An empty name is no claim.
fn misnamed(model: &Model, line: &Line, name: &str) -> Option<String> {
    let own = describe_line(model, line);
    (!name.is_empty() && name != own).then(|| {
        format!(
            "is named {}, but the line it identifies is {own:?}: \
             remove the \"name\" or make the file again with `cellbound bounds --witnesses --format json`",
            cut(name)
        )
    })
}

/// What is wrong with a derivation's `text`, if anything: it must be the
/// words `bounds` writes for the derivation just checked (an empty text
/// is no claim). The message quotes the first line that differs.
fn miswritten(claimed: &str, own: &str) -> Option<String> {
    if claimed.is_empty() || claimed == own {
        return None;
    }
    // Split at '\n' only, so that a text differing in a line end alone
    // still has a line that differs.
    let quote = |line: Option<&str>| line.map_or("the end of the text".into(), cut);
    let most = claimed.len() + own.len() + 2;
    let (k, said, says) = claimed
        .split('\n')
        .map(Some)
        .chain(std::iter::repeat(None))
        .zip(own.split('\n').map(Some).chain(std::iter::repeat(None)))
        .take(most)
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(k, (a, b))| (k + 1, quote(a), quote(b)))?;
    Some(format!(
        "the derivation's \"text\" does not say what its lines prove: its line {k} reads {said} \
         where the derivation gives {says}; remove the \"text\" or make the file again with \
         `cellbound bounds --witnesses --format json`"
    ))
}

/// A text quoted in a message, cut to its start when it is long (a
/// tampered file may hold a megabyte on one line).
fn cut(text: &str) -> String {
    const MOST: usize = 100;
    if text.chars().count() <= MOST {
        return format!("{text:?}");
    }
    let start: String = text.chars().take(MOST).collect();
    format!("{start:?} (cut)")
}

/// The witness tables of a bounds file, checked against the table read
/// again: each table replaces its component's cells in the complete table
/// the bases make (checked whole once), so that only the lines through
/// those cells need checking. A shared table is checked once.
struct Tables<'f> {
    system: &'f LinearSystem,
    components: &'f [ComponentJson],
    base: Vec<Count>,
    /// The complete table being checked: `base` with one witness in.
    full: Vec<Count>,
    /// The rows through each hidden cell, with the cell's coefficient.
    rows_of: Vec<Vec<(usize, i64)>>,
    /// Where each hidden cell is in the components: `(component, position)`.
    place: Vec<Option<(usize, usize)>>,
    /// The verdict on each shared table, by component and index, once
    /// its component's tables are checked ([`Tables::check_component`]).
    shared: HashMap<usize, Vec<Result<(), String>>>,
    /// The value of a hidden cell in a shared table, for each bound a
    /// table is said to reach: `(component, table, cell)`.
    reached: HashMap<(usize, usize, usize), Count>,
    /// Per row, its left-hand side in `full`, kept as changes are made.
    lhs: Vec<i128>,
    /// Cells seen in the current check (a stamp per hidden cell).
    cell_seen: Vec<usize>,
    /// Rows seen in the current check (a stamp per row).
    seen: Vec<usize>,
    stamp: usize,
}

impl<'f> Tables<'f> {
    fn new(system: &'f LinearSystem, components: &'f [ComponentJson], base: Vec<Count>) -> Self {
        let n = system.vars.len();
        let mut rows_of = vec![Vec::new(); n];
        for (r, row) in system.rows.iter().enumerate() {
            for &(v, c) in &row.terms {
                rows_of[v].push((r, c));
            }
        }
        let mut place = vec![None; n];
        for (k, comp) in components.iter().enumerate() {
            for (p, &i) in comp.cells.iter().enumerate() {
                if let Some(slot) = place.get_mut(i) {
                    *slot = Some((k, p));
                }
            }
        }
        Tables {
            system,
            components,
            full: base.clone(),
            base,
            rows_of,
            place,
            shared: HashMap::new(),
            reached: HashMap::new(),
            lhs: vec![0; system.rows.len()],
            cell_seen: vec![0; n],
            seen: vec![0; system.rows.len()],
            stamp: 0,
        }
    }

    /// Whether the bases together satisfy every line and limit.
    fn check_whole(&self, model: &Model) -> Result<(), String> {
        for (i, var) in self.system.vars.iter().enumerate() {
            if !var.domain.contains(self.base[i]) {
                return Err(format!(
                    "they put hidden cell {i} at {}, outside its limits",
                    self.base[i]
                ));
            }
        }
        for row in &self.system.rows {
            if !row.holds(&self.base) {
                return Err(format!("they break {}", describe_line(model, &row.origin)));
            }
        }
        Ok(())
    }

    /// Whether `values`, for the cells of component `k` with every other
    /// cell at its base, satisfy every line and limit.
    fn check_table(&mut self, model: &Model, k: usize, values: &[Count]) -> Result<(), String> {
        let comp = &self.components[k];
        if values.len() != comp.cells.len() {
            return Err("a witness does not give every cell of its component".into());
        }
        if comp.cells.iter().any(|&i| i >= self.full.len()) {
            return Err("a component names an unknown cell".into());
        }
        for (&i, &x) in comp.cells.iter().zip(values) {
            self.full[i] = x;
        }
        self.stamp += 1;
        let mut verdict = Ok(());
        'cells: for &i in &comp.cells {
            let x = self.full[i];
            if !self.system.vars[i].domain.contains(x) {
                verdict = Err(format!(
                    "its witness puts hidden cell {i} at {x}, outside its limits"
                ));
                break;
            }
            for &(r, _) in &self.rows_of[i] {
                if self.seen[r] == self.stamp {
                    continue;
                }
                self.seen[r] = self.stamp;
                let row = &self.system.rows[r];
                if !row.holds(&self.full) {
                    verdict = Err(format!(
                        "its witness breaks {}",
                        describe_line(model, &row.origin)
                    ));
                    break 'cells;
                }
            }
        }
        for &i in &comp.cells {
            self.full[i] = self.base[i];
        }
        verdict
    }

    /// The value a table of component `k` gives hidden cell `v`.
    fn value(&self, k: usize, values: &[Count], v: usize) -> Count {
        match self.place[v] {
            Some((c, p)) if c == k => values[p],
            _ => self.base[v],
        }
    }

    /// A witness of the old form, for cell `v` at `bound`.
    fn check_values(
        &mut self,
        model: &Model,
        k: usize,
        values: &[Count],
        v: usize,
        bound: Count,
    ) -> Result<(), String> {
        if values.len() != self.components[k].cells.len() {
            return Err("a witness does not give every cell of its component".into());
        }
        let x = self.value(k, values, v);
        if x != bound {
            return Err(format!(
                "its witness has the cell at {}",
                crate::render::Amount::new(x, model.decimals)
            ));
        }
        self.check_table(model, k, values)
    }

    /// Table `j` of component `k`, for cell `v` at `bound`, once
    /// [`Tables::check_component`] has checked the component's tables.
    fn check_shared(
        &mut self,
        model: &Model,
        k: usize,
        j: usize,
        v: usize,
        bound: Count,
    ) -> Result<(), String> {
        let components = self.components;
        let listed = components[k].tables.as_deref().unwrap_or_default();
        let Some(table) = listed.get(j) else {
            return Err(format!(
                "its witness is table {j} of component {k}, which has {} table{}",
                listed.len(),
                if listed.len() == 1 { "" } else { "s" }
            ));
        };
        if matches!(table, TableJson::Whole(values) if values.len() != components[k].cells.len()) {
            return Err(format!(
                "its witness, table {j} of component {k}, does not give every cell of the component"
            ));
        }
        if let Some(&x) = self.reached.get(&(k, j, v)) {
            if x != bound {
                return Err(format!(
                    "its witness, table {j} of component {k}, has the cell at {}",
                    crate::render::Amount::new(x, model.decimals)
                ));
            }
        }
        match self.shared.get(&k).and_then(|verdicts| verdicts.get(j)) {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(format!("{e} (table {j} of component {k})")),
            None => Err(format!("table {j} of component {k} was not checked")),
        }
    }

    /// Checks every table of component `k`, and keeps the value of each
    /// cell `v` of `wanted` (`(table, v)` pairs) in its table. A whole
    /// table is checked on every line through the component's cells; a
    /// table given as changes from an earlier one that checked is checked
    /// on the lines through the cells it changes alone (every other line
    /// keeps its base's sum, and every other cell its base's value), with
    /// each changed cell within its limits. The tables are visited depth
    /// first from each whole one, each table's changes added on the way
    /// down and taken back on the way up: each change is made twice at
    /// most, however the file chains its tables.
    fn check_component(&mut self, model: &Model, k: usize, wanted: &mut [(usize, usize)]) {
        let components = self.components;
        let comp = &components[k];
        let listed = comp.tables.as_deref().unwrap_or_default();
        wanted.sort_unstable();
        if comp.cells.iter().any(|&i| i >= self.full.len()) {
            let unknown = Err("a component names an unknown cell".to_string());
            self.shared.insert(k, vec![unknown; listed.len()]);
            return;
        }
        // The rows through the component's cells.
        self.stamp += 1;
        let mut rows = Vec::new();
        for &i in &comp.cells {
            for &(r, _) in &self.rows_of[i] {
                if self.seen[r] != self.stamp {
                    self.seen[r] = self.stamp;
                    rows.push(r);
                }
            }
        }
        let mut verdicts: Vec<Option<Result<(), String>>> = vec![None; listed.len()];
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); listed.len()];
        let mut roots = Vec::new();
        for (j, table) in listed.iter().enumerate() {
            match table {
                TableJson::Whole(_) => roots.push(j),
                TableJson::Changes { base, .. } if *base < j => children[*base].push(j),
                TableJson::Changes { base, .. } => {
                    verdicts[j] = Some(Err(format!(
                        "its changes start from table {base}, not an earlier table of the component"
                    )));
                }
            }
        }
        for root in roots {
            let TableJson::Whole(values) = &listed[root] else {
                unreachable!("roots are whole tables")
            };
            let loaded = self.load(model, comp, &rows, values);
            let ok = loaded.is_ok();
            verdicts[root] = Some(loaded);
            if !ok {
                continue;
            }
            self.keep_values(k, root, wanted);
            // (table, whether it is being entered rather than left)
            let mut stack: Vec<(usize, bool)> =
                children[root].iter().rev().map(|&c| (c, true)).collect();
            while let Some((j, entering)) = stack.pop() {
                let TableJson::Changes { changes, .. } = &listed[j] else {
                    unreachable!("only tables given as changes have a base")
                };
                if !entering {
                    self.undo(comp, changes);
                    continue;
                }
                let verdict = self.change(model, comp, changes);
                let ok = verdict.is_ok();
                verdicts[j] = Some(verdict);
                if ok {
                    self.keep_values(k, j, wanted);
                    stack.push((j, false));
                    stack.extend(children[j].iter().rev().map(|&c| (c, true)));
                }
            }
        }
        for &i in &comp.cells {
            self.full[i] = self.base[i];
        }
        // A table not reached starts from one that failed.
        let verdicts = verdicts
            .into_iter()
            .zip(listed)
            .map(|(verdict, table)| {
                verdict.unwrap_or_else(|| match table {
                    TableJson::Changes { base, .. } => Err(format!(
                        "its changes start from table {base}, which does not check"
                    )),
                    TableJson::Whole(_) => Err("a whole table was not checked".into()),
                })
            })
            .collect();
        self.shared.insert(k, verdicts);
    }

    /// Keeps the value, in the table now in `full` (table `j` of component
    /// `k`), of each cell `wanted` asks of it.
    fn keep_values(&mut self, k: usize, j: usize, wanted: &[(usize, usize)]) {
        let from = wanted.partition_point(|&(t, _)| t < j);
        for &(_, v) in wanted[from..].iter().take_while(|&&(t, _)| t == j) {
            let x = match self.place[v] {
                Some((c, _)) if c == k => self.full[v],
                _ => self.base[v],
            };
            self.reached.insert((k, j, v), x);
        }
    }

    /// Puts a whole table of `comp` in `full`, its rows' sums in `lhs`,
    /// and checks it: every cell within its limits, every row holding.
    fn load(
        &mut self,
        model: &Model,
        comp: &ComponentJson,
        rows: &[usize],
        values: &[Count],
    ) -> Result<(), String> {
        if values.len() != comp.cells.len() {
            return Err("a witness does not give every cell of its component".into());
        }
        for (&i, &x) in comp.cells.iter().zip(values) {
            self.full[i] = x;
        }
        for &r in rows {
            self.lhs[r] = self.system.rows[r].lhs(&self.full);
        }
        for &i in &comp.cells {
            let x = self.full[i];
            if !self.system.vars[i].domain.contains(x) {
                return Err(format!(
                    "its witness puts hidden cell {i} at {x}, outside its limits"
                ));
            }
        }
        for &r in rows {
            let row = &self.system.rows[r];
            if !row.op.holds(self.lhs[r], row.rhs) {
                return Err(format!(
                    "its witness breaks {}",
                    describe_line(model, &row.origin)
                ));
            }
        }
        Ok(())
    }

    /// Adds `changes` to the table in `full` (one that checked), keeping
    /// `lhs`, and checks the changed cells' limits and the rows through
    /// them. On failure `full` and `lhs` are left as they were.
    fn change(
        &mut self,
        model: &Model,
        comp: &ComponentJson,
        changes: &[(usize, i64)],
    ) -> Result<(), String> {
        self.stamp += 1;
        let stamp = self.stamp;
        for &(p, d) in changes {
            let Some(&i) = comp.cells.get(p) else {
                return Err(format!(
                    "its changes name position {p}, past the component's {} cells",
                    comp.cells.len()
                ));
            };
            if self.cell_seen[i] == stamp {
                return Err(format!("its changes name position {p} twice"));
            }
            self.cell_seen[i] = stamp;
            let Some(x) = self.full[i].checked_add(d) else {
                return Err(format!(
                    "its change of {d} at position {p} leaves the counts"
                ));
            };
            if !self.system.vars[i].domain.contains(x) {
                return Err(format!(
                    "its changes put hidden cell {i} at {x}, outside its limits"
                ));
            }
        }
        let mut touched = Vec::new();
        for &(p, d) in changes {
            let i = comp.cells[p];
            self.full[i] += d;
            for &(r, c) in &self.rows_of[i] {
                self.lhs[r] += c as i128 * d as i128;
                if self.seen[r] != stamp {
                    self.seen[r] = stamp;
                    touched.push(r);
                }
            }
        }
        for &r in &touched {
            let row = &self.system.rows[r];
            if !row.op.holds(self.lhs[r], row.rhs) {
                self.undo(comp, changes);
                return Err(format!(
                    "its changes break {}",
                    describe_line(model, &row.origin)
                ));
            }
        }
        Ok(())
    }

    /// Takes back `changes` that [`Tables::change`] made.
    fn undo(&mut self, comp: &ComponentJson, changes: &[(usize, i64)]) {
        for &(p, d) in changes {
            let i = comp.cells[p];
            self.full[i] -= d;
            for &(r, c) in &self.rows_of[i] {
                self.lhs[r] -= c as i128 * d as i128;
            }
        }
    }
}
