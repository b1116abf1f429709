//! Witness tables and derivations as JSON (`bounds --witnesses`,
//! `explain --format json`) and as text a person can check by hand.
//!
//! Lines are named so that another program can find them again in the
//! table: `{"table", "dimension", "at"}` for a total (the cell `at` is
//! the sum of its children along `dimension`), `{"constraint": k}` for an
//! extra constraint.

use std::collections::HashMap;
use std::fmt::Write as _;

use cellbound_core::proof::{Derivation, Ray, Side};
use cellbound_core::system::describe_line;
use cellbound_core::{kernel, rank};
use cellbound_core::{Line, LinearSystem, Model, Op};
use cellbound_solver::{CellBounds, Report};
use serde::{Deserialize, Serialize};

/// A line of the table, findable again from its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LineId {
    Sum {
        table: String,
        dimension: String,
        at: Vec<String>,
    },
    Constraint {
        constraint: usize,
    },
}

impl LineId {
    pub fn of(model: &Model, line: &Line) -> LineId {
        match line {
            Line::Sum { table, dim, at } => {
                let t = &model.tables[*table];
                LineId::Sum {
                    table: t.name.clone(),
                    dimension: t.dimensions[*dim].name().to_string(),
                    at: t.codes_of(at),
                }
            }
            Line::Constraint(k) => LineId::Constraint { constraint: *k },
        }
    }

    /// The system line it names, if any.
    pub fn resolve(&self, model: &Model) -> Option<Line> {
        match self {
            LineId::Sum {
                table,
                dimension,
                at,
            } => {
                let t = model.table_index(table)?;
                let dim = model.tables[t]
                    .dimensions
                    .iter()
                    .position(|d| d.name() == dimension)?;
                let at = model.tables[t].locate(at).ok()?;
                Some(Line::Sum { table: t, dim, at })
            }
            LineId::Constraint { constraint } => Some(Line::Constraint(*constraint)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiplierJson {
    pub line: LineId,
    /// The line as the messages name it (for people; `verify` checks it
    /// when it is not empty).
    #[serde(default)]
    pub name: String,
    pub multiplier: i128,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DerivationJson {
    pub denominator: i128,
    pub lines: Vec<MultiplierJson>,
    /// The derivation in words, as [`text`] writes it (`verify` checks it
    /// when it is not empty).
    #[serde(default)]
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProofsJson {
    pub lower: Option<DerivationJson>,
    pub upper: Option<DerivationJson>,
    /// For a cell with no upper bound: `[index of a hidden cell in
    /// "cells", step]`.
    pub ray: Option<Vec<(usize, i64)>>,
    /// For a cell with no lower bound (values that may be negative), the
    /// same; a negative step lowers the cell. Written only then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ray_lower: Option<Vec<(usize, i64)>>,
}

/// The old form of a cell's witness tables, written before they were
/// shared: the whole tables, one per bound. `verify` still reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WitnessesJson {
    /// The values of the component's cells (in the order of its
    /// `cells`) in a table reaching the lower bound.
    pub lower: Vec<i64>,
    pub upper: Option<Vec<i64>>,
}

/// Which of its component's `tables` reach a cell's bounds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ReachedByJson {
    /// `None` for no lower bound.
    pub lower: Option<usize>,
    pub upper: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ComponentJson {
    /// Indices into the output's `cells`.
    pub cells: Vec<usize>,
    /// One table's values for these cells: with every other component's
    /// base, a complete table.
    pub base: Vec<i64>,
    /// The distinct tables reaching the bounds of the component's cells,
    /// each written once; a cell's `reached_by` points into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<Vec<i64>>>,
    /// A certificate that the component has one table only, when the
    /// lattice of the lines showed it (its bounds then have no
    /// derivation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_table: Option<OnlyTableJson>,
}

/// Why a component has at most one table: `"test": "full_rank"`, its
/// equality lines restricted to its cells have full column rank modulo
/// the prime `prime` (`cellbound_core::rank`), so the lines leave its
/// cells a single solution, and its `base` is it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OnlyTableJson {
    pub test: String,
    pub prime: u64,
    /// `"short_kernel"`: a basis of the integer kernel of the lines, each
    /// vector as `[position, value]` pairs (positions into the
    /// component's `cells`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Vec<Vec<(usize, i128)>>>,
    /// `"short_kernel"`: sets of positions, one per basis vector, whose
    /// minors of the basis have coprime determinants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minors: Option<Vec<Vec<usize>>>,
    /// `"short_kernel"`: the shortest squared Gram-Schmidt step of the
    /// basis, an exact fraction as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortest_step_squared: Option<String>,
    /// `"short_kernel"`: the squared diagonal of the cells' box, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagonal_squared: Option<String>,
}

/// The lines restricted to the cells have full column rank.
pub const FULL_RANK: &str = "full_rank";
/// A basis of the lines' integer kernel is longer than the cells' box.
pub const SHORT_KERNEL: &str = "short_kernel";

impl OnlyTableJson {
    /// The lattice certificate this claim carries, when its test is
    /// [`SHORT_KERNEL`] and every part of it is there.
    pub fn short_kernel(&self) -> Result<kernel::ShortKernel, String> {
        let missing = |what: &str| format!("a {SHORT_KERNEL:?} certificate without {what:?}");
        Ok(kernel::ShortKernel {
            basis: self.basis.clone().ok_or_else(|| missing("basis"))?,
            minors: self.minors.clone().ok_or_else(|| missing("minors"))?,
            prime: self.prime,
        })
    }
}

/// Maps system variables to their index in the output (input order).
pub fn output_index(report: &Report) -> HashMap<usize, usize> {
    report
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| (c.var, i))
        .collect()
}

/// The components of a report with their witness tables, each distinct
/// table once, and for each cell (in output order) which of its
/// component's tables reach its bounds. A component the lattice showed to
/// have one table only carries the certificate `verify` checks, when its
/// lines have full rank modulo [`rank::PRIME`] (checked here by the same
/// routine).
pub fn components<'a>(
    report: &'a Report,
    system: &LinearSystem,
) -> (Vec<ComponentJson>, Vec<Option<ReachedByJson>>) {
    let mut comps: Vec<ComponentJson> = Vec::new();
    for (i, c) in report.cells.iter().enumerate() {
        if comps.len() <= c.component {
            comps.resize_with(c.component + 1, || ComponentJson {
                cells: Vec::new(),
                base: Vec::new(),
                tables: Some(Vec::new()),
                only_table: None,
            });
        }
        comps[c.component].cells.push(i);
    }
    let mut reached = vec![None; report.cells.len()];
    for comp in &mut comps {
        let in_order = |w: &cellbound_solver::Witness| -> Vec<i64> {
            let value: HashMap<usize, i64> = w.values.iter().copied().collect();
            comp.cells
                .iter()
                .map(|&i| value[&report.cells[i].var])
                .collect()
        };
        // The same table often reaches many bounds (a component with a
        // single table reaches them all): it is written once.
        let mut seen: HashMap<&[(usize, i64)], usize> = HashMap::new();
        let mut tables: Vec<Vec<i64>> = Vec::new();
        for &i in &comp.cells {
            let Some((lo, hi)) = report.cells[i].witnesses.as_deref() else {
                continue;
            };
            let mut index_of = |w: &'a cellbound_solver::Witness| -> usize {
                *seen.entry(&w.values).or_insert_with(|| {
                    tables.push(in_order(w));
                    tables.len() - 1
                })
            };
            reached[i] = Some(ReachedByJson {
                lower: lo.as_ref().map(&mut index_of),
                upper: hi.as_ref().map(&mut index_of),
            });
        }
        // Any cell's table will do; cells left not tight have none.
        comp.base = tables.first().cloned().unwrap_or_default();
        comp.tables = Some(tables);
        let cells = || comp.cells.iter().map(|&i| &report.cells[i]);
        let only = cells().all(|c| c.tight && c.proofs.as_ref().is_some_and(|p| p.only_table));
        if only {
            let vars: Vec<usize> = cells().map(|c| c.var).collect();
            if rank::full_rank(system, &vars, rank::PRIME).is_ok() {
                comp.only_table = Some(OnlyTableJson {
                    test: FULL_RANK.into(),
                    prime: rank::PRIME,
                    basis: None,
                    minors: None,
                    shortest_step_squared: None,
                    diagonal_squared: None,
                });
            } else if let Some((cert, lengths)) =
                cellbound_solver::short_kernel(system, &vars, &comp.base)
            {
                comp.only_table = Some(OnlyTableJson {
                    test: SHORT_KERNEL.into(),
                    prime: cert.prime,
                    basis: Some(cert.basis),
                    minors: Some(cert.minors),
                    shortest_step_squared: Some(lengths.shortest_step_squared),
                    diagonal_squared: Some(lengths.diagonal_squared),
                });
            }
        }
    }
    (comps, reached)
}

pub fn proofs(
    model: &Model,
    system: &LinearSystem,
    cell: &CellBounds,
    index: &HashMap<usize, usize>,
) -> Option<ProofsJson> {
    let p = cell.proofs.as_deref()?;
    let derivation = |d: &Derivation| DerivationJson {
        denominator: d.denominator,
        lines: d
            .multipliers
            .iter()
            .map(|&(r, m)| MultiplierJson {
                line: LineId::of(model, &system.rows[r].origin),
                name: describe_line(model, &system.rows[r].origin),
                multiplier: m,
            })
            .collect(),
        text: text(model, system, d),
    };
    let steps =
        |r: &Ray| -> Vec<(usize, i64)> { r.steps.iter().map(|&(v, s)| (index[&v], s)).collect() };
    Some(ProofsJson {
        lower: p.lower.as_ref().map(derivation),
        upper: p.upper.as_ref().map(derivation),
        ray: p.ray.as_ref().map(steps),
        ray_lower: p.ray_lower.as_ref().map(steps),
    })
}

/// A short name for a hidden cell in a derivation: its codes joined.
pub fn short(model: &Model, system: &LinearSystem, var: usize) -> String {
    let cell = system.vars[var].cell;
    let t = &model.tables[cell.table];
    let codes = t.codes_of(&t.cells[cell.cell].at).join("/");
    if model.tables.len() > 1 {
        format!("[{}:{codes}]", t.name)
    } else {
        format!("[{codes}]")
    }
}

fn signed_sum(terms: &[(String, i128)], constant: i128) -> String {
    let mut s = String::new();
    if constant != 0 || terms.is_empty() {
        s.push_str(&constant.to_string());
    }
    for (name, c) in terms {
        let mag = c.unsigned_abs();
        let coef = if mag == 1 {
            String::new()
        } else {
            format!("{mag}·")
        };
        if s.is_empty() {
            if *c < 0 {
                s.push('-');
            }
        } else {
            s.push_str(if *c < 0 { " - " } else { " + " });
        }
        s.push_str(&coef);
        s.push_str(name);
    }
    s
}

/// A derivation in words, each step checkable by hand.
pub fn text(model: &Model, system: &LinearSystem, d: &Derivation) -> String {
    let Ok(checked) = d.check(system) else {
        return "this derivation does not check".into();
    };
    let x = short(model, system, d.var);
    let dd = d.denominator;
    // The sign of the bounded cell in the combination: +x for an upper
    // bound, -x for a lower one.
    let sign: i128 = if d.side == Side::Upper { 1 } else { -1 };
    if d.multipliers.is_empty() {
        // No line: the bound is the cell's own domain.
        let (rel, why) = match d.side {
            Side::Upper => ("<=", reason(system, d.var, true)),
            Side::Lower => (">=", reason(system, d.var, false)),
        };
        return format!(
            "{x} {rel} {}: the cell's own limit ({why}); no line is needed",
            checked.bound
        );
    }
    let mut out = String::new();
    for &(r, m) in &d.multipliers {
        let row = &system.rows[r];
        // Shown so that the lines add up to +x: for a lower bound each
        // multiplier is negated, and a line taken negatively is written
        // negated, so that every multiplier a person reads is positive.
        let shown = sign * m;
        let flip: i64 = if shown < 0 { -1 } else { 1 };
        let lhs: Vec<(String, i128)> = row
            .terms
            .iter()
            .map(|&(v, c)| (short(model, system, v), (flip * c) as i128))
            .collect();
        let mag = shown.unsigned_abs();
        let mult = match (mag, dd) {
            (1, 1) => String::new(),
            (_, 1) => format!("{mag} × "),
            _ => format!("{mag}/{dd} × "),
        };
        let (op, rhs) = if flip < 0 {
            (flipped(row.op), -row.rhs)
        } else {
            (row.op, row.rhs)
        };
        let negated = if flip < 0 { ", negated" } else { "" };
        let _ = writeln!(
            out,
            "{mult}{}{negated}: {} {op} {rhs}",
            describe_line(model, &row.origin),
            signed_sum(&lhs, 0),
        );
    }
    // The combination, solved for x.
    let rest: Vec<(String, i128)> = checked
        .rest
        .iter()
        .filter(|&&(v, _)| v != d.var)
        .map(|&(v, di)| (short(model, system, v), sign * di))
        .collect();
    let scaled_x = if dd == 1 {
        x.clone()
    } else {
        format!("{dd}·{x}")
    };
    let rel = match (checked.inequality, d.side) {
        (false, _) => "=",
        (true, Side::Upper) => "<=",
        (true, Side::Lower) => ">=",
    };
    let _ = writeln!(
        out,
        "adding up: {scaled_x} {rel} {}",
        signed_sum(&rest, sign * checked.rhs)
    );
    for &(v, di) in &checked.rest {
        if v == d.var {
            continue;
        }
        let dom = system.vars[v].domain;
        // The derivation checked: every limit it uses exists.
        let limit = if di > 0 {
            format!("<= {}", dom.hi.unwrap_or_default())
        } else {
            format!(">= {}", dom.lo.unwrap_or_default())
        };
        let why = reason(system, v, di > 0);
        let _ = writeln!(out, "with {} {limit} ({why})", short(model, system, v));
    }
    let bound_rel = if d.side == Side::Upper { "<=" } else { ">=" };
    let value = sign * checked.scaled_bound;
    if dd == 1 {
        let _ = write!(out, "so {x} {bound_rel} {}", checked.bound);
    } else {
        let _ = write!(out, "so {dd}·{x} {bound_rel} {value}, ");
        if checked.rounded {
            let _ = write!(
                out,
                "and since cells are whole numbers, {x} {bound_rel} {} (rounded)",
                checked.bound
            );
        } else {
            let _ = write!(out, "{x} {bound_rel} {}", checked.bound);
        }
    }
    out
}

/// The relation of a line multiplied by -1.
fn flipped(op: Op) -> Op {
    match op {
        Op::Eq => Op::Eq,
        Op::Le => Op::Ge,
        Op::Ge => Op::Le,
    }
}

/// Why a hidden cell has the limit a derivation uses.
fn reason(system: &LinearSystem, v: usize, upper: bool) -> String {
    use cellbound_core::DomainSource;
    match (system.vars[v].domain.source, upper) {
        (DomainSource::Range, _) => "its stated range".into(),
        (DomainSource::Threshold, true) => format!(
            "hidden cells are under the threshold {}",
            system.rule.threshold
        ),
        (_, _) if system.rule.zeros_shown => "zeros are shown".into(),
        _ => "counts are not negative".into(),
    }
}
