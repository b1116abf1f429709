//! Witness tables and derivations as JSON (`bounds --witnesses`,
//! `explain --format json`) and as text a person can check by hand.
//!
//! Lines are named so that another program can find them again in the
//! table: `{"table", "dimension", "at"}` for a total (the cell `at` is
//! the sum of its children along `dimension`), `{"constraint": k}` for an
//! extra constraint.

use std::collections::HashMap;
use std::fmt::Write as _;

use cellbound_core::proof::{Derivation, Ray, SearchTree, Side};
use cellbound_core::system::describe_line;
use cellbound_core::{kernel, rank};
use cellbound_core::{Line, LinearSystem, Model, Op};
use cellbound_solver::{CellBounds, Report, Table, Tables};
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

/// A line of a derivation: named in place, or (the compact form) by its
/// index in the file's top-level `lines`, written `[index, multiplier]`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum LineRefJson {
    Named(MultiplierJson),
    Indexed(usize, i128),
}

impl<'de> Deserialize<'de> for LineRefJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        struct Entry;
        impl<'de> Visitor<'de> for Entry {
            type Value = LineRefJson;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a line of a derivation: {\"line\", \"name\", \"multiplier\"} or [index in \"lines\", multiplier]",
                )
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let k: usize = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let m: i128 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(3, &self));
                }
                Ok(LineRefJson::Indexed(k, m))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                MultiplierJson::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(LineRefJson::Named)
            }
        }
        d.deserialize_any(Entry)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DerivationJson {
    pub denominator: i128,
    pub lines: Vec<LineRefJson>,
    /// The derivation in words, as [`text`] writes it (`verify` checks it
    /// when it is not empty). Left out in the compact form.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

/// A line the derivations of a compact file use, written once in its
/// top-level `lines`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LineJson {
    pub line: LineId,
    /// The line as the messages name it (`verify` checks it when it is
    /// not empty).
    #[serde(default)]
    pub name: String,
}

/// From how many hidden cells `bounds --witnesses` writes derivations in
/// the compact form: each line once, in the top-level `lines`, each
/// derivation's lines as `[index, multiplier]`, and no `text` (a file of
/// 100,000 derivations is read by a program, not a person).
pub const COMPACT_FROM: usize = 10_000;

/// The lines the derivations of a report use, numbered in the order they
/// are first used: the compact form's top-level `lines`.
pub struct LineIndex {
    /// Per system row, its index (`usize::MAX`: not used).
    pub of_row: Vec<usize>,
    pub lines: Vec<LineJson>,
}

impl LineIndex {
    pub fn of(model: &Model, system: &LinearSystem, report: &Report) -> LineIndex {
        let mut of_row = vec![usize::MAX; system.rows.len()];
        let mut lines = Vec::new();
        for p in report.cells.iter().filter_map(|c| c.proofs.as_deref()) {
            let derivations = [&p.lower, &p.upper].into_iter().flatten();
            let trees = [&p.search_lower, &p.search_upper].into_iter().flatten();
            let used = derivations
                .map(|d| d.multipliers.as_slice())
                .chain(trees.flat_map(SearchTree::leaves));
            for multipliers in used {
                for &(r, _) in multipliers {
                    if of_row[r] == usize::MAX {
                        of_row[r] = lines.len();
                        let origin = &system.rows[r].origin;
                        lines.push(LineJson {
                            line: LineId::of(model, origin),
                            name: describe_line(model, origin),
                        });
                    }
                }
            }
        }
        LineIndex { of_row, lines }
    }
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
    /// For a lower bound with no derivation: a search tree proving it,
    /// when a small one was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_lower: Option<TreeJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_upper: Option<TreeJson>,
}

/// A search tree ([`SearchTree`]) in a bounds file: `{"leaf": [lines]}`,
/// the lines as a derivation's, or `{"branch": {"cell", "at", "below",
/// "above"}}`, the cell by its index in `cells`, `at` in the table's whole
/// units.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TreeJson {
    Leaf(Vec<LineRefJson>),
    Branch {
        cell: usize,
        at: i64,
        below: Box<TreeJson>,
        above: Box<TreeJson>,
    },
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
    /// each written once (whole, or as changes from an earlier one); a
    /// cell's `reached_by` points into it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<TableJson>>,
    /// A certificate that the component has one table only, when the
    /// lattice of the lines showed it (its bounds then have no
    /// derivation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_table: Option<OnlyTableJson>,
}

/// One of a component's `tables`: whole, or as the changes from an
/// earlier one of the same component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TableJson {
    /// The values of the component's cells, in the order of its `cells`.
    Whole(Vec<i64>),
    /// Table `base` of the component (an earlier one) with each
    /// `[position, change]` added: the value at `position` (in the order
    /// of the component's `cells`) is the base's plus `change`.
    Changes {
        base: usize,
        changes: Vec<(usize, i64)>,
    },
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
pub fn components(
    report: &Report,
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
        // Every witness of a component holds all its tables.
        let shared = comp.cells.iter().find_map(|&i| {
            let (lo, hi) = report.cells[i].witnesses.as_deref()?;
            lo.as_ref().or(hi.as_ref()).map(|w| w.tables.clone())
        });
        let tables = match shared {
            None => Vec::new(),
            // Where no table is worth writing as changes (small
            // components, the LP path's), each distinct table is written
            // whole once, as before tables were kept as changes.
            Some(shared)
                if !shared
                    .tables
                    .iter()
                    .any(|t| as_changes(t, shared.vars.len())) =>
            {
                distinct_whole(report, comp, &shared, &mut reached)
            }
            Some(shared) => with_changes(report, comp, &shared, &mut reached),
        };
        // Any cell's table will do; cells left not tight have none.
        comp.base = match tables.first() {
            Some(TableJson::Whole(values)) => values.clone(),
            _ => Vec::new(),
        };
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

/// A component's tables, all whole, each distinct one written once, in
/// the order the cells first reach them (the form before tables were
/// kept as changes, kept for the components the LP path solves).
fn distinct_whole(
    report: &Report,
    comp: &ComponentJson,
    shared: &Tables,
    reached: &mut [Option<ReachedByJson>],
) -> Vec<TableJson> {
    let order = positions(comp, shared);
    let in_order = |j: usize| -> Vec<i64> {
        let values = shared.values(j);
        let mut out = vec![0; values.len()];
        for (p, x) in values.into_iter().enumerate() {
            out[order[p]] = x;
        }
        out
    };
    let mut seen: HashMap<Vec<i64>, usize> = HashMap::new();
    let mut by_index: HashMap<usize, usize> = HashMap::new();
    let mut tables: Vec<TableJson> = Vec::new();
    let mut index_of = |w: &cellbound_solver::Witness| -> usize {
        *by_index.entry(w.index).or_insert_with(|| {
            *seen.entry(in_order(w.index)).or_insert_with_key(|values| {
                tables.push(TableJson::Whole(values.clone()));
                tables.len() - 1
            })
        })
    };
    for &i in &comp.cells {
        let Some((lo, hi)) = report.cells[i].witnesses.as_deref() else {
            continue;
        };
        reached[i] = Some(ReachedByJson {
            lower: lo.as_ref().map(&mut index_of),
            upper: hi.as_ref().map(&mut index_of),
        });
    }
    tables
}

/// A component's tables kept as changes from one another: the tables
/// reaching some bound, and those their changes start from, in the
/// solver's order; each as its changes when few cells change
/// ([`as_changes`]), else whole.
fn with_changes(
    report: &Report,
    comp: &ComponentJson,
    shared: &Tables,
    reached: &mut [Option<ReachedByJson>],
) -> Vec<TableJson> {
    let order = positions(comp, shared);
    let n = shared.vars.len();
    let mut needed = vec![false; shared.tables.len()];
    for &i in &comp.cells {
        if let Some((lo, hi)) = report.cells[i].witnesses.as_deref() {
            for w in [lo, hi].into_iter().flatten() {
                needed[w.index] = true;
            }
        }
    }
    for j in (0..shared.tables.len()).rev() {
        if let (true, Table::Changes { base, .. }) = (needed[j], &shared.tables[j]) {
            needed[*base] = true;
        }
    }
    let mut renumbered = vec![usize::MAX; needed.len()];
    let mut count = 0;
    for (j, &yes) in needed.iter().enumerate() {
        if yes {
            renumbered[j] = count;
            count += 1;
        }
    }
    let mut tables = Vec::with_capacity(count);
    shared.walk(|j, values| {
        if !needed[j] {
            return;
        }
        tables.push(match &shared.tables[j] {
            t @ Table::Changes { base, changes } if as_changes(t, n) => {
                let mut changes: Vec<(usize, i64)> =
                    changes.iter().map(|&(p, d)| (order[p], d)).collect();
                changes.sort_unstable();
                TableJson::Changes {
                    base: renumbered[*base],
                    changes,
                }
            }
            _ => {
                let mut out = vec![0; n];
                for (p, &x) in values.iter().enumerate() {
                    out[order[p]] = x;
                }
                TableJson::Whole(out)
            }
        });
    });
    for &i in &comp.cells {
        if let Some((lo, hi)) = report.cells[i].witnesses.as_deref() {
            reached[i] = Some(ReachedByJson {
                lower: lo.as_ref().map(|w| renumbered[w.index]),
                upper: hi.as_ref().map(|w| renumbered[w.index]),
            });
        }
    }
    tables
}

/// Whether a table of a component of `n` cells is written as its changes:
/// when fewer than an eighth of the cells change (pretty-printed, a
/// change takes about four times the bytes of a whole table's value).
fn as_changes(table: &Table, n: usize) -> bool {
    matches!(table, Table::Changes { changes, .. } if 8 * changes.len() < n)
}

/// Where each position of the solver's tables is in the component's
/// `cells` (the same order, both increasing, when every cell is there).
fn positions(comp: &ComponentJson, shared: &Tables) -> Vec<usize> {
    if shared.vars == comp.cells {
        return (0..comp.cells.len()).collect();
    }
    let at: HashMap<usize, usize> = comp
        .cells
        .iter()
        .enumerate()
        .map(|(p, &i)| (i, p))
        .collect();
    shared.vars.iter().map(|v| at[v]).collect()
}

/// A cell's derivations and rays as JSON: each line named in place with
/// the derivation's text, or, with `compact`, each line by its index in
/// the file's top-level `lines` and no text.
pub fn proofs(
    model: &Model,
    system: &LinearSystem,
    cell: &CellBounds,
    index: &HashMap<usize, usize>,
    compact: Option<&LineIndex>,
) -> Option<ProofsJson> {
    let p = cell.proofs.as_deref()?;
    let line_refs = |multipliers: &[(usize, i128)]| -> Vec<LineRefJson> {
        multipliers
            .iter()
            .map(|&(r, m)| match compact {
                Some(lines) => LineRefJson::Indexed(lines.of_row[r], m),
                None => LineRefJson::Named(MultiplierJson {
                    line: LineId::of(model, &system.rows[r].origin),
                    name: describe_line(model, &system.rows[r].origin),
                    multiplier: m,
                }),
            })
            .collect()
    };
    let derivation = |d: &Derivation| DerivationJson {
        denominator: d.denominator,
        lines: line_refs(&d.multipliers),
        text: match compact {
            Some(_) => String::new(),
            None => text(model, system, d),
        },
    };
    fn tree<R: Fn(&[(usize, i128)]) -> Vec<LineRefJson>>(
        t: &SearchTree,
        refs: &R,
        index: &HashMap<usize, usize>,
    ) -> TreeJson {
        match t {
            SearchTree::Leaf(m) => TreeJson::Leaf(refs(m)),
            SearchTree::Branch {
                var,
                at,
                below,
                above,
            } => TreeJson::Branch {
                cell: index[var],
                at: *at,
                below: Box::new(tree(below, refs, index)),
                above: Box::new(tree(above, refs, index)),
            },
        }
    }
    let steps =
        |r: &Ray| -> Vec<(usize, i64)> { r.steps.iter().map(|&(v, s)| (index[&v], s)).collect() };
    Some(ProofsJson {
        lower: p.lower.as_ref().map(derivation),
        upper: p.upper.as_ref().map(derivation),
        ray: p.ray.as_ref().map(steps),
        ray_lower: p.ray_lower.as_ref().map(steps),
        search_lower: p.search_lower.as_ref().map(|t| tree(t, &line_refs, index)),
        search_upper: p.search_upper.as_ref().map(|t| tree(t, &line_refs, index)),
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

/// A search tree in words: the cell past its bound, then each split
/// and each leaf's lines with their multipliers, indented by depth.
pub fn tree_text(
    model: &Model,
    system: &LinearSystem,
    var: usize,
    side: Side,
    bound: i64,
    tree: &SearchTree,
) -> String {
    let x = short(model, system, var);
    let past = match side {
        Side::Upper => format!("{x} >= {}", bound + 1),
        Side::Lower => format!("{x} <= {}", bound - 1),
    };
    let mut out = format!(
        "proved by a search tree (the LP relaxation alone gives a weaker bound); with {past}:\n"
    );
    fn walk(
        model: &Model,
        system: &LinearSystem,
        node: &SearchTree,
        depth: usize,
        out: &mut String,
    ) {
        let pad = "  ".repeat(depth);
        match node {
            SearchTree::Leaf(lines) if lines.is_empty() => {
                let _ = writeln!(out, "{pad}no table here: its limits leave a cell no value");
            }
            SearchTree::Leaf(lines) => {
                let terms: Vec<String> = lines
                    .iter()
                    .map(|&(r, m)| {
                        format!("{} times {m}", describe_line(model, &system.rows[r].origin))
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "{pad}no table here: {} add up to a line that no values within this part's limits meet",
                    terms.join(", ")
                );
            }
            SearchTree::Branch {
                var,
                at,
                below,
                above,
            } => {
                let c = short(model, system, *var);
                let _ = writeln!(out, "{pad}if {c} <= {at}:");
                walk(model, system, below, depth + 1, out);
                let _ = writeln!(out, "{pad}if {c} >= {}:", at + 1);
                walk(model, system, above, depth + 1, out);
            }
        }
    }
    walk(model, system, tree, 1, &mut out);
    out
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
