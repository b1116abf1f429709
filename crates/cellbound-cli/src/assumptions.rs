//! What an answer rests on: the rule in force, and which bounds hold only
//! because of the threshold.
//!
//! Under the default rule a hidden interior cell lies in `0..T-1`. A bound
//! that sits on that cap may be the threshold talking, not the published
//! numbers: two rows `x,x,10,18` with totals `8,8,20,36` give `=4` for all
//! four hidden cells, while `2, 6, 6, 2` fits every published number. So
//! when some upper bound sits on a cell's cap (and only then: the second
//! solve costs about what the first did), the model is solved again under
//! `--open`, through the solver's public API, and every cell whose
//! interval is wider there is marked as resting on the threshold. Nothing
//! is guessed: a cell is marked only when the open solve proves its wider
//! interval tight.

use cellbound_core::model::show_value;
use std::collections::HashMap;
use std::time::Duration;

use cellbound_core::{CellRef, DomainSource, LinearSystem, Model, Rule};
use cellbound_solver::{Bounds, Options, Outcome, Report};

/// The threshold's part in a report.
#[derive(Debug, Clone, Default)]
pub struct Assumptions {
    /// Per cell of the report (same order): its interval under `--open`,
    /// when that interval is wider, proved tight.
    pub wider: Vec<Option<Bounds>>,
    /// Cells whose upper bound sits on the threshold's cap but whose open
    /// interval could not be settled (time limit, solver gave up).
    pub undecided: usize,
    /// The threshold of the rule (for the messages).
    pub threshold: i64,
    /// The model's decimals: values are shown in the file's units.
    pub decimals: u32,
}

impl Assumptions {
    /// How many cells rest on the threshold.
    pub fn resting(&self) -> usize {
        self.wider.iter().filter(|w| w.is_some()).count()
    }

    /// Whether the `i`-th cell of the report rests on the threshold.
    pub fn rests(&self, i: usize) -> bool {
        self.wider.get(i).is_some_and(|w| w.is_some())
    }

    /// The one line for standard error, when there is something to say.
    pub fn warning(&self) -> Option<String> {
        let n = self.resting();
        let mut parts = Vec::new();
        if n > 0 {
            parts.push(format!(
                "{n} hidden cell{} {} bounds that rest on the threshold assumption (hidden interior cells under {}; marked ^ in a table, \"assumes\": \"threshold\" in JSON): --open, or a larger --threshold, relaxes it",
                plural(n),
                if n == 1 { "has" } else { "have" },
                show_value(i128::from(self.threshold), self.decimals)
            ));
        }
        if self.undecided > 0 {
            parts.push(format!(
                "{} upper bound{} at the threshold's cap could not be checked under --open",
                self.undecided,
                plural(self.undecided)
            ));
        }
        (!parts.is_empty()).then(|| format!("cellbound: {}", parts.join("; ")))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Whether a cell's upper bound sits on the cap the threshold gave it.
pub fn at_cap(system: &LinearSystem, var: usize, bounds: Bounds) -> bool {
    let d = system.vars[var].domain;
    d.source == DomainSource::Threshold && bounds.upper.is_some() && bounds.upper == d.hi
}

/// Which cells of `report` (solved under `rule`) rest on the threshold:
/// solves the model again under `--open` when some upper bound sits on
/// its cap, and not otherwise.
pub fn check(
    model: &Model,
    system: &LinearSystem,
    rule: Rule,
    report: &Report,
    time_limit: Option<Duration>,
) -> Assumptions {
    let mut out = Assumptions {
        wider: vec![None; report.cells.len()],
        undecided: 0,
        threshold: rule.threshold,
        decimals: model.decimals,
    };
    let capped = report
        .cells
        .iter()
        .filter(|c| at_cap(system, c.var, c.bounds))
        .count();
    if rule.open || capped == 0 {
        return out;
    }
    let open = Rule { open: true, ..rule };
    let options = Options {
        time_limit,
        ..Options::default()
    };
    let open_report = match cellbound_solver::bounds(model, open, &options) {
        Ok(Outcome::Feasible(r)) => r,
        // A looser rule keeps every table of the stricter one, so neither
        // can happen when the first solve succeeded; say it was not settled.
        Ok(Outcome::Infeasible(_)) | Err(_) => {
            out.undecided = capped;
            return out;
        }
    };
    // Both rules hide the same cells, in input order: the reports match
    // cell for cell, with no index to build (one entry per hidden cell).
    let same_order = open_report.cells.len() == report.cells.len()
        && open_report
            .cells
            .iter()
            .zip(&report.cells)
            .all(|(o, c)| o.cell == c.cell);
    let by_cell: HashMap<CellRef, &cellbound_solver::CellBounds> = if same_order {
        HashMap::new()
    } else {
        open_report.cells.iter().map(|c| (c.cell, c)).collect()
    };
    for (i, c) in report.cells.iter().enumerate() {
        let o = if same_order {
            &open_report.cells[i]
        } else {
            match by_cell.get(&c.cell) {
                Some(o) => *o,
                None => continue,
            }
        };
        let wider = o.bounds.lower < c.bounds.lower
            || match (o.bounds.upper, c.bounds.upper) {
                (None, Some(_)) => true,
                (Some(ou), Some(cu)) => ou > cu,
                _ => false,
            };
        if o.tight && wider {
            out.wider[i] = Some(o.bounds);
        } else if !o.tight && at_cap(system, c.var, c.bounds) {
            out.undecided += 1;
        }
    }
    out
}

/// The rule in force, in one line, for the summary of a table output;
/// values in the file's units (`decimals`).
pub fn describe(rule: Rule, decimals: u32) -> String {
    let v = |x: i64| show_value(i128::from(x), decimals);
    let floor = v(i64::from(rule.zeros_shown));
    let zeros = if rule.zeros_shown {
        "zeros shown"
    } else {
        "zeros not shown"
    };
    if rule.negative {
        // Values that may be negative: no floor anywhere.
        return if rule.open {
            "rule: open, values may be negative (hidden cells have no limit but their stated ranges)"
                .to_string()
        } else {
            format!(
                "rule: threshold {}, values may be negative (hidden interior cells below {}, with no lower limit; hidden totals with none), not open",
                v(rule.threshold),
                v(rule.threshold)
            )
        };
    }
    if rule.open {
        format!("rule: open (hidden cells only >= {floor}), {zeros}")
    } else {
        format!(
            "rule: threshold {} (hidden interior cells {floor}..{}, hidden totals >= {floor}), {zeros}, not open",
            v(rule.threshold),
            v(rule.threshold - 1)
        )
    }
}

/// The line an audit's table output ends with: the attacker's rule, which
/// is always open, so that no interval of an audit rests on the threshold;
/// there the threshold only says which true values are sensitive.
pub fn attacker(args: &crate::args::RequirementArgs, negative: bool) -> String {
    let limits = attacker_limits(args.zeros_shown, negative);
    format!(
        "attacker: open ({limits}), {}; the threshold {} only says which true values are sensitive ({}..{}), no interval rests on it\n",
        if args.zeros_shown {
            "zeros shown"
        } else {
            "zeros not shown"
        },
        args.threshold,
        if args.zero_sensitive { 0 } else { 1 },
        args.threshold - 1
    )
}

/// What the attacker takes a hidden cell to be, as `audit` and `protect`
/// say it: `hidden cells only >= 0` (or `>= 1`), or no limit but a stated
/// range where values may be negative.
pub fn attacker_limits(zeros_shown: bool, negative: bool) -> String {
    if negative {
        "values may be negative: hidden cells have no limit but their stated ranges".to_string()
    } else {
        format!("hidden cells only >= {}", i64::from(zeros_shown))
    }
}

/// The summary lines a table output adds: the rule, and how many cells
/// rest on the threshold.
pub fn summary(rule: Rule, assumptions: &Assumptions) -> String {
    let mut out = describe(rule, assumptions.decimals);
    out.push('\n');
    let n = assumptions.resting();
    if n > 0 {
        out.push_str(&format!(
            "{n} rest{} on the threshold (marked ^): --open gives {} wider interval{}\n",
            if n == 1 { "s" } else { "" },
            if n == 1 { "it a" } else { "them" },
            plural(n)
        ));
    }
    out
}

/// What `bounds` says on standard error once its output is written, and
/// its exit status: 4 when the solver gave up somewhere, or when
/// `--require-tight` is given and some bound is not proved tight (a time
/// limit); 0 otherwise.
pub fn finish(report: &Report, assumptions: &Assumptions, require_tight: bool) -> u8 {
    if let Some(line) = assumptions.warning() {
        eprintln!("{line}");
    }
    let loose = report.cells.iter().filter(|c| !c.tight).count();
    if loose > 0 {
        eprintln!(
            "cellbound: {loose} of {} hidden cells have bounds not proved tight (sound, possibly loose){}",
            report.cells.len(),
            match (report.unproved.is_empty(), require_tight) {
                (false, _) => "",
                (true, true) => "; --require-tight: exit 4",
                (true, false) => "; --require-tight would make this exit 4",
            }
        );
    }
    if !report.unproved.is_empty() || (require_tight && loose > 0) {
        crate::exit::SOLVER
    } else {
        crate::exit::SUCCESS
    }
}

/// For `explain`: the cell's wider interval under `--open` when its bounds
/// rest on the threshold (decided as for `bounds`, by solving again only
/// when some bound sits on its cap), with the line for standard error.
pub fn for_cell(
    model: &Model,
    system: &LinearSystem,
    rule: Rule,
    report: &Report,
    cell: CellRef,
) -> Option<(Bounds, String)> {
    let i = report.cells.iter().position(|c| c.cell == cell)?;
    let checked = check(model, system, rule, report, None);
    let open = checked.wider[i]?;
    Some((
        open,
        format!(
            "cellbound: this cell's bounds rest on the threshold assumption (hidden interior cells under {}): under --open it is {}; --open, or a larger --threshold, relaxes it",
            show_value(i128::from(rule.threshold), model.decimals),
            crate::render::interval_in(open, model.decimals)
        ),
    ))
}
