//! Support for `tests/it/properties.rs`.
//!
//! - generators: a true integer table consistent along every dimension, a
//!   suppression pattern, a rule (adjusted, most of the time, so that the
//!   truth fits it), explicit ranges that contain the truth, extra
//!   constraints that the truth satisfies (or, sometimes, not);
//! - [`check_values`]: an exact checker of a full table against the model;
//! - [`brute_force`]: every integer completion of the hidden cells,
//!   enumerated by a depth-first search with interval pruning.
//!
//! Nothing here uses cellbound's `LinearSystem`, presolve or solver: only
//! the model's tables, dimensions and constraints.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};

use cellbound::core::{
    Absent, Cell, Constraint, Count, Dimension, Entry, Layout, Model, Op, Rule, Table, Term,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------------------
// Dimensions.

/// A code tree, as the JSON model writes it.
pub enum Tree {
    Leaf(String),
    Node(String, Vec<Tree>),
}

pub fn leaf(code: impl Into<String>) -> Tree {
    Tree::Leaf(code.into())
}

pub fn node(code: impl Into<String>, children: Vec<Tree>) -> Tree {
    Tree::Node(code.into(), children)
}

/// A dimension from trees, each parent listed before its children or, with
/// `parents_last`, after them.
pub fn dimension(name: &str, roots: Vec<Tree>, parents_last: bool) -> Dimension {
    fn walk(
        tree: &Tree,
        parent: Option<&str>,
        parents_last: bool,
        out: &mut Vec<(String, Option<String>)>,
    ) {
        let parent = parent.map(str::to_string);
        match tree {
            Tree::Leaf(code) => out.push((code.clone(), parent)),
            Tree::Node(code, children) => {
                if !parents_last {
                    out.push((code.clone(), parent.clone()));
                }
                for child in children {
                    walk(child, Some(code), parents_last, out);
                }
                if parents_last {
                    out.push((code.clone(), parent));
                }
            }
        }
    }
    let mut order = Vec::new();
    for root in &roots {
        walk(root, None, parents_last, &mut order);
    }
    let index: HashMap<String, usize> = order
        .iter()
        .enumerate()
        .map(|(i, (code, _))| (code.clone(), i))
        .collect();
    Dimension::new(
        name,
        order
            .iter()
            .map(|(code, parent)| (code.clone(), parent.as_ref().map(|p| index[p]))),
    )
    .expect("a well-formed dimension")
}

/// `prefix0 .. prefix{n-1}`, under a `Total` listed last when `total`.
pub fn level(name: &str, prefix: &str, n: usize, total: bool) -> Dimension {
    let leaves: Vec<Tree> = (0..n).map(|i| leaf(format!("{prefix}{i}"))).collect();
    if total {
        dimension(name, vec![node("Total", leaves)], true)
    } else {
        dimension(name, leaves, false)
    }
}

/// Every coordinate of a cross product, in row-major order.
pub fn coordinates(sizes: &[usize]) -> Vec<Vec<usize>> {
    let lists: Vec<Vec<usize>> = sizes.iter().map(|&n| (0..n).collect()).collect();
    product(&lists)
}

/// The cartesian product of lists, in row-major order.
fn product(lists: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new()];
    for list in lists {
        let mut next = Vec::with_capacity(out.len() * list.len());
        for prefix in &out {
            for &x in list {
                let mut v = prefix.clone();
                v.push(x);
                next.push(v);
            }
        }
        out = next;
    }
    out
}

fn leaves_under(dim: &Dimension, code: usize) -> Vec<usize> {
    if dim.is_leaf(code) {
        vec![code]
    } else {
        dim.children(code)
            .iter()
            .flat_map(|&c| leaves_under(dim, c))
            .collect()
    }
}

fn is_interior(dims: &[Dimension], at: &[usize]) -> bool {
    at.iter().zip(dims).all(|(&c, d)| d.is_leaf(c))
}

// ---------------------------------------------------------------------------
// Random draws.

/// The raw random material of one case; each shape builds its model from
/// it, so that shrinking works on plain numbers.
#[derive(Debug, Clone)]
pub struct Draw {
    /// Values of the interior cells (the leaf tuples, row-major), cycled.
    pub values: Vec<Count>,
    /// Which cells to hide (indices modulo the number of candidates).
    pub picks: Vec<usize>,
    /// Per hidden cell: `(kind, below, above)`; kind 0 is a range around
    /// the truth, 1 a range with no upper limit, 2 a `<N`, others none.
    pub ranges: Vec<(u8, Count, Count)>,
    pub threshold: Count,
    pub zeros_shown: bool,
    pub open: bool,
    /// Adjust the rule so that the truth fits it (otherwise it may not,
    /// and constraints may be broken: infeasible cases).
    pub fit: bool,
    /// When fitting zeros under `zeros_shown`: give the zero cells an
    /// explicit `<N` rather than dropping `zeros_shown`.
    pub zeros_by_range: bool,
    /// Shape-specific choices.
    pub knobs: Vec<usize>,
    /// Below 5: the pattern starts with a block (two or three siblings on
    /// every dimension, crossed), as cell suppression makes to protect a
    /// cell; otherwise picks alone.
    pub pattern: u8,
    /// Where the block sits.
    pub block: Vec<usize>,
}

impl Draw {
    /// A reader of the shape-specific choices.
    pub fn knobs(&self) -> Knobs<'_> {
        Knobs {
            knobs: &self.knobs,
            next: 0,
        }
    }
}

/// Takes the shape-specific choices one at a time.
pub struct Knobs<'a> {
    knobs: &'a [usize],
    next: usize,
}

impl Knobs<'_> {
    /// A choice in `0..n`.
    pub fn pick(&mut self, n: usize) -> usize {
        let k = self.knobs[self.next % self.knobs.len()] + self.next / self.knobs.len();
        self.next += 1;
        k % n
    }

    /// A choice in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.pick((hi - lo + 1) as usize) as i64
    }

    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.pick(n) == 0
    }
}

/// Small counts, mostly very small.
fn count() -> impl Strategy<Value = Count> {
    prop_oneof![4 => 0..=2i64, 3 => 0..=5i64, 2 => 0..=9i64]
}

pub fn draw(max_hidden: usize) -> impl Strategy<Value = Draw> {
    (
        proptest::collection::vec(count(), 40),
        proptest::collection::vec(0..10_000usize, 1..=max_hidden),
        proptest::collection::vec((0u8..12, 0..=3i64, 0..=3i64), 8),
        2..=6i64,
        proptest::bool::weighted(0.35),
        proptest::bool::weighted(0.3),
        proptest::bool::weighted(0.8),
        any::<bool>(),
        proptest::collection::vec(0..10_000usize, 24),
        0u8..10,
        proptest::collection::vec(0..10_000usize, 8),
    )
        .prop_map(
            |(
                values,
                picks,
                ranges,
                threshold,
                zeros_shown,
                open,
                fit,
                zeros_by_range,
                knobs,
                pattern,
                block,
            )| {
                Draw {
                    pattern,
                    block,
                    values,
                    picks,
                    ranges,
                    threshold,
                    zeros_shown,
                    open,
                    fit,
                    zeros_by_range,
                    knobs,
                }
            },
        )
}

// ---------------------------------------------------------------------------
// Cases.

/// One table before suppression: its dimensions and its true values.
pub struct TableSpec {
    pub name: String,
    pub dims: Vec<Dimension>,
    pub layout: Layout,
    pub absent: Absent,
    /// The true value of every coordinate (parents included).
    pub truth: HashMap<Vec<usize>, Count>,
    /// Coordinates left out of the listing (structural zeros, `absent`
    /// must then be `Zero`).
    pub unlisted: HashSet<Vec<usize>>,
}

impl TableSpec {
    /// A table whose interior cells take `values[offset..]` (cycled), with
    /// `zeros` leaf tuples forced to zero and left unlisted.
    pub fn new(
        name: &str,
        dims: Vec<Dimension>,
        layout: Layout,
        values: &[Count],
        offset: usize,
        zeros: &[Vec<usize>],
    ) -> Self {
        let leaves: Vec<Vec<usize>> = dims
            .iter()
            .map(|d| (0..d.len()).filter(|&i| d.is_leaf(i)).collect())
            .collect();
        let mut leaf_value = HashMap::new();
        for (k, tuple) in product(&leaves).into_iter().enumerate() {
            let v = if zeros.contains(&tuple) {
                0
            } else {
                values[(offset + k) % values.len()]
            };
            leaf_value.insert(tuple, v);
        }
        let sizes: Vec<usize> = dims.iter().map(Dimension::len).collect();
        let mut truth = HashMap::new();
        for at in coordinates(&sizes) {
            let under: Vec<Vec<usize>> = at
                .iter()
                .zip(&dims)
                .map(|(&c, d)| leaves_under(d, c))
                .collect();
            let v = product(&under).iter().map(|t| leaf_value[t]).sum();
            truth.insert(at, v);
        }
        TableSpec {
            name: name.to_string(),
            dims,
            layout,
            absent: if zeros.is_empty() {
                Absent::Error
            } else {
                Absent::Zero
            },
            truth,
            unlisted: zeros.iter().cloned().collect(),
        }
    }

    /// Leaves also unlisted the parent cells whose truth is zero, picked
    /// by `pick` (a table with `absent: zero`).
    pub fn unlist_zero_parents(&mut self, mut pick: impl FnMut(&[usize]) -> bool) {
        let sizes: Vec<usize> = self.dims.iter().map(Dimension::len).collect();
        for at in coordinates(&sizes) {
            if self.truth[&at] == 0 && !is_interior(&self.dims, &at) && pick(&at) {
                self.unlisted.insert(at);
            }
        }
        if !self.unlisted.is_empty() {
            self.absent = Absent::Zero;
        }
    }

    pub fn sizes(&self) -> Vec<usize> {
        self.dims.iter().map(Dimension::len).collect()
    }

    /// The listed coordinates in listing order.
    pub fn listed(&self) -> Vec<Vec<usize>> {
        coordinates(&self.sizes())
            .into_iter()
            .filter(|at| !self.unlisted.contains(at))
            .collect()
    }

    /// The listed coordinates that are a parent on some dimension.
    pub fn margins(&self) -> Vec<Vec<usize>> {
        self.listed()
            .into_iter()
            .filter(|at| !is_interior(&self.dims, at))
            .collect()
    }

    /// Resolves codes (panics on a typo in a test).
    pub fn at(&self, codes: &[&str]) -> Vec<usize> {
        codes
            .iter()
            .zip(&self.dims)
            .map(|(c, d)| d.find(c).unwrap_or_else(|| panic!("no code {c}")))
            .collect()
    }
}

/// An extra constraint before its right-hand side is set from the truth.
pub struct ConstraintSpec {
    pub terms: Vec<(usize, Vec<usize>, i64)>,
    pub op: Op,
    /// How far from tight the truth is (`<=`, `>=`).
    pub slack: Count,
    /// Whether the truth must break it.
    pub violate: bool,
}

/// A generated case: the model, the rule, the truth of the hidden cells.
#[derive(Debug, Clone)]
pub struct Case {
    pub shape: &'static str,
    pub model: Model,
    pub rule: Rule,
    /// The true value of every hidden cell, in `Model::hidden_cells` order.
    pub truth: Vec<Count>,
    /// Whether the truth fits the rule, the ranges and the constraints (it
    /// always fits the additivity lines): then the model is feasible.
    pub admissible: bool,
}

/// The most hidden cells in a case (a 2x2x2 block).
pub const MAX_HIDDEN: usize = 8;

/// A block of listed cells: on each dimension two (sometimes three)
/// children of one parent (or codes of a flat dimension), crossed.
fn block(spec: &TableSpec, choice: &[usize]) -> Vec<Vec<usize>> {
    let mut sets = Vec::new();
    for (d, dim) in spec.dims.iter().enumerate() {
        let mut groups: Vec<Vec<usize>> = dim.parents().map(|p| dim.children(p).to_vec()).collect();
        let roots: Vec<usize> = (0..dim.len())
            .filter(|&i| dim.parent(i).is_none())
            .collect();
        if roots.len() > 1 {
            groups.push(roots);
        }
        let mut group = groups[choice[2 * d] % groups.len()].clone();
        let c = choice[2 * d + 1];
        let shift = c % group.len();
        group.rotate_left(shift);
        let take = if c.is_multiple_of(7) { 3 } else { 2 };
        group.truncate(take);
        sets.push(group);
    }
    let mut cells = product(&sets);
    cells.retain(|at| !spec.unlisted.contains(at));
    cells.truncate(MAX_HIDDEN);
    cells
}

/// Hides cells, sets ranges, the rule and the constraints' right-hand
/// sides, and builds the model. The first `priority_picks` picks choose
/// among `priority` (e.g. margins) rather than among all listed cells.
pub fn finish(
    shape: &'static str,
    specs: Vec<TableSpec>,
    constraints: Vec<ConstraintSpec>,
    draw: &Draw,
    priority: &[(usize, Vec<usize>)],
    priority_picks: usize,
) -> Case {
    let listed: Vec<(usize, Vec<usize>)> = specs
        .iter()
        .enumerate()
        .flat_map(|(t, s)| s.listed().into_iter().map(move |at| (t, at)))
        .collect();
    let mut hidden: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut picks = &draw.picks[..];
    if draw.pattern < 5 {
        let t = draw.block[0] % specs.len();
        for at in block(&specs[t], &draw.block[1..]) {
            hidden.push((t, at));
        }
        picks = &picks[..picks.len() % 3];
    }
    for (k, &p) in picks.iter().enumerate() {
        if hidden.len() >= MAX_HIDDEN || listed.is_empty() {
            break;
        }
        let pool = if k < priority_picks && !priority.is_empty() {
            priority
        } else {
            &listed[..]
        };
        let cell = pool[p % pool.len()].clone();
        if !hidden.contains(&cell) {
            hidden.push(cell);
        }
    }

    let mut rule = Rule {
        threshold: draw.threshold,
        zeros_shown: draw.zeros_shown,
        open: draw.open,
        negative: false,
    };
    let truth_of = |t: usize, at: &[usize]| specs[t].truth[at];
    let mut entries: HashMap<(usize, Vec<usize>), Entry> = HashMap::new();
    for (k, (t, at)) in hidden.iter().enumerate() {
        let v = truth_of(*t, at);
        let (kind, below, above) = draw.ranges[k % draw.ranges.len()];
        let entry = match kind {
            0 => Entry::Range {
                lo: Some((v - below).max(0)),
                hi: Some(v + above),
            },
            1 => Entry::Range {
                lo: Some((v - below).max(0)),
                hi: None,
            },
            2 => Entry::Range {
                lo: Some(0),
                hi: Some(v + above),
            },
            _ => Entry::Hidden,
        };
        entries.insert((*t, at.clone()), entry);
    }
    if draw.fit {
        // Zeros under zeros_shown.
        let zero_cells: Vec<(usize, Vec<usize>)> = hidden
            .iter()
            .filter(|(t, at)| entries[&(*t, at.clone())] == Entry::Hidden && truth_of(*t, at) == 0)
            .cloned()
            .collect();
        if rule.zeros_shown && !zero_cells.is_empty() {
            if draw.zeros_by_range {
                for (k, cell) in zero_cells.into_iter().enumerate() {
                    let above = draw.knobs[k % draw.knobs.len()] as Count % 4;
                    entries.insert(
                        cell,
                        Entry::Range {
                            lo: Some(0),
                            hi: Some(above),
                        },
                    );
                }
            } else {
                rule.zeros_shown = false;
            }
        }
        // Large interior cells under the threshold.
        let largest = hidden
            .iter()
            .filter(|(t, at)| {
                entries[&(*t, at.clone())] == Entry::Hidden && is_interior(&specs[*t].dims, at)
            })
            .map(|(t, at)| truth_of(*t, at))
            .max();
        if let Some(largest) = largest {
            if !rule.open && largest >= rule.threshold {
                if largest < 6 {
                    rule.threshold = largest + 1;
                } else {
                    rule.open = true;
                }
            }
        }
    }

    let mut tables = Vec::new();
    for (t, spec) in specs.iter().enumerate() {
        let cells = spec
            .listed()
            .into_iter()
            .map(|at| {
                let entry = entries
                    .get(&(t, at.clone()))
                    .copied()
                    .unwrap_or(Entry::Published(spec.truth[&at]));
                let codes: Vec<&str> = at.iter().zip(&spec.dims).map(|(&c, d)| d.code(c)).collect();
                Cell {
                    origin: format!("{}{codes:?}", spec.name),
                    line: (spec.layout == Layout::Grid).then_some(at[0] + 2),
                    at,
                    entry,
                }
            })
            .collect();
        tables.push(
            Table::new(
                spec.name.clone(),
                spec.dims.clone(),
                cells,
                spec.absent,
                spec.layout,
            )
            .expect("a well-formed table"),
        );
    }

    let mut model_constraints = Vec::new();
    for (k, c) in constraints.iter().enumerate() {
        let lhs: i64 = c
            .terms
            .iter()
            .map(|(t, at, coef)| coef * truth_of(*t, at))
            .sum();
        let rhs = match (c.op, c.violate) {
            (Op::Eq, false) => lhs,
            (Op::Le, false) => lhs + c.slack,
            (Op::Ge, false) => lhs - c.slack,
            (Op::Eq, true) => lhs + if c.slack % 2 == 0 { 1 } else { -1 },
            (Op::Le, true) => lhs - 1 - c.slack,
            (Op::Ge, true) => lhs + 1 + c.slack,
        };
        model_constraints.push(Constraint {
            terms: c
                .terms
                .iter()
                .map(|(t, at, coef)| Term {
                    table: *t,
                    at: at.clone(),
                    coef: *coef,
                })
                .collect(),
            op: c.op,
            rhs,
            origin: format!("constraints[{k}]"),
        });
    }

    let model = Model {
        tables,
        constraints: model_constraints,
        source: format!("{shape}.json"),
        decimals: 0,
        negative: false,
    };
    let truth: Vec<Count> = model
        .hidden_cells()
        .map(|r| {
            let at = &model.cell(r).at;
            truth_of(r.table, at)
        })
        .collect();
    let admissible = check_values(&model, rule, &truth).is_ok();
    Case {
        shape,
        model,
        rule,
        truth,
        admissible,
    }
}

// ---------------------------------------------------------------------------
// The model in the JSON format, for failure messages.

fn tree_json(dim: &Dimension, siblings: &[usize]) -> Value {
    if siblings.iter().all(|&c| dim.is_leaf(c)) {
        Value::Array(siblings.iter().map(|&c| json!(dim.code(c))).collect())
    } else {
        let mut map = Map::new();
        for &c in siblings {
            let v = if dim.is_leaf(c) {
                Value::Null
            } else {
                tree_json(dim, dim.children(c))
            };
            map.insert(dim.code(c).to_string(), v);
        }
        Value::Object(map)
    }
}

/// The model as docs/formats.md section 2 writes it (one line).
pub fn model_json(model: &Model) -> String {
    let tables: Vec<Value> = model
        .tables
        .iter()
        .map(|t| {
            let dims: Vec<Value> = t
                .dimensions
                .iter()
                .map(|d| {
                    let roots: Vec<usize> =
                        (0..d.len()).filter(|&i| d.parent(i).is_none()).collect();
                    json!({"name": d.name(), "tree": tree_json(d, &roots)})
                })
                .collect();
            let cells: Vec<Value> = t
                .cells
                .iter()
                .map(|c| {
                    let at = t.codes_of(&c.at);
                    match c.entry {
                        Entry::Published(v) => json!({"at": at, "value": v}),
                        Entry::Hidden => json!({"at": at, "hidden": true}),
                        Entry::Range { lo, hi } => json!({"at": at, "range": [lo, hi]}),
                        Entry::Rounded { published, lo, hi } => {
                            json!({"at": at, "rounded": published, "range": [lo, hi]})
                        }
                    }
                })
                .collect();
            let mut v = json!({"name": t.name, "dimensions": dims, "cells": cells});
            if t.absent == Absent::Zero {
                v["absent"] = json!("zero");
            }
            v
        })
        .collect();
    let constraints: Vec<Value> = model
        .constraints
        .iter()
        .map(|c| {
            let terms: Vec<Value> = c
                .terms
                .iter()
                .map(|term| {
                    json!({"table": model.tables[term.table].name,
                           "at": model.tables[term.table].codes_of(&term.at),
                           "coef": term.coef})
                })
                .collect();
            json!({"terms": terms, "op": c.op.to_string(), "rhs": c.rhs})
        })
        .collect();
    json!({"tables": tables, "constraints": constraints}).to_string()
}

/// `table[codes]` of a hidden cell.
pub fn name_cell(model: &Model, table: usize, cell: usize) -> String {
    let t = &model.tables[table];
    format!("{}{:?}", t.name, t.codes_of(&t.cells[cell].at))
}

// ---------------------------------------------------------------------------
// Lines and the exact checker.

/// `sum(coef * hidden) + constant  op  0`, in exact integers.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    pub terms: Vec<(usize, i128)>,
    pub constant: i128,
    pub op: Op,
}

impl Line {
    fn holds(&self, x: &[i128]) -> bool {
        let lhs: i128 = self.constant + self.terms.iter().map(|&(v, c)| c * x[v]).sum::<i128>();
        match self.op {
            Op::Eq => lhs == 0,
            Op::Le => lhs <= 0,
            Op::Ge => lhs >= 0,
        }
    }
}

/// The hidden cells as `(table, cell)`, tables in order, cells in listing
/// order.
pub fn hidden_list(model: &Model) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (t, table) in model.tables.iter().enumerate() {
        for (c, cell) in table.cells.iter().enumerate() {
            if !matches!(cell.entry, Entry::Published(_)) {
                out.push((t, c));
            }
        }
    }
    out
}

/// The domain of a hidden cell under the rule (docs/formats.md section 3);
/// `None` for no limit on that side (no lower limit where values may be
/// negative).
pub fn domain(model: &Model, rule: Rule, (t, c): (usize, usize)) -> (Option<i128>, Option<i128>) {
    let table = &model.tables[t];
    let cell = &table.cells[c];
    let floor = match (rule.negative || model.negative, rule.zeros_shown) {
        (true, _) => None,
        (false, true) => Some(1),
        (false, false) => Some(0),
    };
    match cell.entry {
        Entry::Published(_) => panic!("a published cell has no domain"),
        Entry::Range { lo, hi } => (lo.map(|l| l as i128), hi.map(|h| h as i128)),
        Entry::Rounded { lo, hi, .. } => (Some(lo as i128), Some(hi as i128)),
        Entry::Hidden if is_interior(&table.dimensions, &cell.at) && !rule.open => {
            (floor, Some(rule.threshold as i128 - 1))
        }
        Entry::Hidden => (floor, None),
    }
}

/// Every additivity line of every table (for each dimension, each parent
/// code and each combination of the other coordinates) and every extra
/// constraint, over the hidden cells numbered as in [`hidden_list`].
pub fn lines(model: &Model) -> Vec<Line> {
    let var_of: HashMap<(usize, usize), usize> = hidden_list(model)
        .into_iter()
        .enumerate()
        .map(|(v, tc)| (tc, v))
        .collect();
    let add = |terms: &mut Vec<(usize, i128)>,
               constant: &mut i128,
               t: usize,
               at: &[usize],
               coef: i128| {
        let table = &model.tables[t];
        let Some(ci) = table.cell_at(at) else {
            assert_eq!(
                table.absent,
                Absent::Zero,
                "only absent: zero leaves cells out"
            );
            return;
        };
        match table.cells[ci].entry {
            Entry::Published(v) => *constant += coef * v as i128,
            _ => terms.push((var_of[&(t, ci)], coef)),
        }
    };
    let mut out = Vec::new();
    for (t, table) in model.tables.iter().enumerate() {
        let sizes: Vec<usize> = table.dimensions.iter().map(Dimension::len).collect();
        for at in coordinates(&sizes) {
            for (d, dim) in table.dimensions.iter().enumerate() {
                if dim.is_leaf(at[d]) {
                    continue;
                }
                let mut terms = Vec::new();
                let mut constant = 0;
                add(&mut terms, &mut constant, t, &at, 1);
                let mut child = at.clone();
                for &ch in dim.children(at[d]) {
                    child[d] = ch;
                    add(&mut terms, &mut constant, t, &child, -1);
                }
                out.push(Line {
                    name: format!(
                        "{}{:?} = sum of its children over {:?}",
                        table.name,
                        table.codes_of(&at),
                        dim.name()
                    ),
                    terms: merge(terms),
                    constant,
                    op: Op::Eq,
                });
            }
        }
    }
    for (k, c) in model.constraints.iter().enumerate() {
        let mut terms = Vec::new();
        let mut constant = -(c.rhs as i128);
        for term in &c.terms {
            add(
                &mut terms,
                &mut constant,
                term.table,
                &term.at,
                term.coef as i128,
            );
        }
        out.push(Line {
            name: format!("constraints[{k}] ({})", c.origin),
            terms: merge(terms),
            constant,
            op: c.op,
        });
    }
    out
}

fn merge(mut terms: Vec<(usize, i128)>) -> Vec<(usize, i128)> {
    terms.sort_by_key(|&(v, _)| v);
    let mut out: Vec<(usize, i128)> = Vec::new();
    for (v, c) in terms {
        match out.last_mut() {
            Some((lv, lc)) if *lv == v => *lc += c,
            _ => out.push((v, c)),
        }
    }
    out.retain(|&(_, c)| c != 0);
    out
}

/// Whether values of the hidden cells (in [`hidden_list`] order) make a
/// full table that satisfies every line, every constraint and every
/// hidden cell's domain; the first failure otherwise.
pub fn check_values(model: &Model, rule: Rule, values: &[Count]) -> Result<(), String> {
    let hidden = hidden_list(model);
    assert_eq!(values.len(), hidden.len(), "one value per hidden cell");
    let x: Vec<i128> = values.iter().map(|&v| v as i128).collect();
    for (v, &tc) in hidden.iter().enumerate() {
        let (lo, hi) = domain(model, rule, tc);
        if lo.is_some_and(|l| x[v] < l) || hi.is_some_and(|h| x[v] > h) {
            return Err(format!(
                "{} = {} is outside its domain [{lo:?}, {hi:?}]",
                name_cell(model, tc.0, tc.1),
                x[v]
            ));
        }
    }
    for line in lines(model) {
        if !line.holds(&x) {
            return Err(format!("{} fails", line.name));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Brute force.

/// What enumeration says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brute {
    pub feasible: bool,
    /// Per hidden cell: min and max over every integer completion (`None`:
    /// no limit on that side). Empty when infeasible.
    pub bounds: Vec<(Option<Count>, Option<Count>)>,
    /// The cap put on cells with no upper limit (and minus it, on cells
    /// with no lower one).
    pub cap: i128,
}

/// Above this many search nodes, a case is too big for brute force (a
/// test bug, not a solver bug).
const NODE_LIMIT: u64 = 20_000_000;

/// Largest entry tried for a direction of unboundedness.
const RAY_MAX: i128 = 12;

/// Min and max of every hidden cell over all integer completions.
///
/// Cells with no upper limit in their domain are capped at
/// `CAP = 2 * (published sum + domain limits + |rhs| sum) + 2`; a
/// cell is unbounded when some non-negative integer direction (entries up
/// to `RAY_MAX`, zero on cells with an upper limit) keeps every line and
/// increases it, from a feasible point. A cell found bounded that reaches
/// the cap means the cap was too small: a panic, not a wrong answer.
pub fn brute_force(model: &Model, rule: Rule) -> Brute {
    let hidden = hidden_list(model);
    let domains: Vec<(Option<i128>, Option<i128>)> =
        hidden.iter().map(|&tc| domain(model, rule, tc)).collect();
    let all = lines(model);
    let published: i128 = model
        .tables
        .iter()
        .flat_map(|t| &t.cells)
        .filter_map(|c| c.entry.published())
        .map(|v| (v as i128).abs())
        .sum();
    let limits: i128 = domains
        .iter()
        .map(|d| d.0.unwrap_or(0).abs() + d.1.unwrap_or(0).abs())
        .sum();
    let rhs: i128 = model
        .constraints
        .iter()
        .map(|c| (c.rhs as i128).abs())
        .sum();
    let cap = 2 * (published + limits + rhs) + 2;
    let infeasible = Brute {
        feasible: false,
        bounds: Vec::new(),
        cap,
    };

    if domains
        .iter()
        .any(|&(lo, hi)| matches!((lo, hi), (Some(l), Some(h)) if h < l))
    {
        return infeasible;
    }
    if all.iter().any(|l| l.terms.is_empty() && !l.holds(&[])) {
        return infeasible;
    }

    // Components: hidden cells linked by a line.
    let n = hidden.len();
    let mut root: Vec<usize> = (0..n).collect();
    fn find(root: &mut [usize], mut v: usize) -> usize {
        while root[v] != v {
            root[v] = root[root[v]];
            v = root[v];
        }
        v
    }
    for l in &all {
        for w in l.terms.windows(2) {
            let (a, b) = (find(&mut root, w[0].0), find(&mut root, w[1].0));
            root[a] = b;
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for v in 0..n {
        let r = find(&mut root, v);
        groups.entry(r).or_default().push(v);
    }

    let mut bounds = vec![(None, None); n];
    for vars in groups.values() {
        let local: HashMap<usize, usize> = vars.iter().enumerate().map(|(i, &v)| (v, i)).collect();
        let comp_lines: Vec<Local> = all
            .iter()
            .filter(|l| l.terms.first().is_some_and(|(v, _)| local.contains_key(v)))
            .map(|l| Local {
                terms: l.terms.iter().map(|&(v, c)| (local[&v], c)).collect(),
                constant: l.constant,
                op: l.op,
            })
            .collect();
        let boxed: Vec<(i128, i128)> = vars
            .iter()
            .map(|&v| (domains[v].0.unwrap_or(-cap), domains[v].1.unwrap_or(cap)))
            .collect();
        let Some(found) = extremes(&comp_lines, boxed) else {
            return infeasible;
        };
        // Directions of unboundedness.
        let cone_lines: Vec<Local> = comp_lines
            .iter()
            .map(|l| Local {
                constant: 0,
                ..l.clone()
            })
            .collect();
        let cone: Vec<(i128, i128)> = vars
            .iter()
            .map(|&v| {
                let down = if domains[v].0.is_none() { -RAY_MAX } else { 0 };
                let up = if domains[v].1.is_none() { RAY_MAX } else { 0 };
                (down, up)
            })
            .collect();
        let rays = extremes(&cone_lines, cone).expect("zero is a direction");
        for (i, &v) in vars.iter().enumerate() {
            let (lo, hi) = found[i];
            let (below, above) = (rays[i].0 < 0, rays[i].1 > 0);
            assert!(
                (above || hi < cap) && (below || lo > -cap),
                "brute force: {} reaches the cap {cap} but no direction makes it \
                 unbounded; the cap is too small",
                name_cell(model, hidden[v].0, hidden[v].1)
            );
            bounds[v] = (
                (!below).then_some(lo as Count),
                (!above).then_some(hi as Count),
            );
        }
    }
    Brute {
        feasible: true,
        bounds,
        cap,
    }
}

#[derive(Debug, Clone)]
struct Local {
    terms: Vec<(usize, i128)>,
    constant: i128,
    op: Op,
}

impl Local {
    fn holds(&self, x: &[i128]) -> bool {
        let lhs: i128 = self.constant + self.terms.iter().map(|&(v, c)| c * x[v]).sum::<i128>();
        match self.op {
            Op::Eq => lhs == 0,
            Op::Le => lhs <= 0,
            Op::Ge => lhs >= 0,
        }
    }
}

/// Min and max of every variable over the integer points of the box that
/// satisfy every line; `None` when there is none.
fn extremes(lines: &[Local], domain: Vec<(i128, i128)>) -> Option<Vec<(i128, i128)>> {
    let mut search = Search {
        lines,
        best: None,
        nodes: 0,
    };
    search.run(domain);
    search.best
}

struct Search<'a> {
    lines: &'a [Local],
    best: Option<Vec<(i128, i128)>>,
    nodes: u64,
}

impl Search<'_> {
    fn run(&mut self, domain: Vec<(i128, i128)>) {
        self.nodes += 1;
        assert!(
            self.nodes < NODE_LIMIT,
            "brute force: more than {NODE_LIMIT} nodes, the case is too big"
        );
        let Some(domain) = propagate(self.lines, domain) else {
            return;
        };
        // Nothing in this subtree can widen what is already found.
        if let Some(best) = &self.best {
            if domain
                .iter()
                .zip(best)
                .all(|(&(lo, hi), &(blo, bhi))| blo <= lo && hi <= bhi)
            {
                return;
            }
        }
        let branch = (0..domain.len())
            .filter(|&v| domain[v].0 < domain[v].1)
            .min_by_key(|&v| domain[v].1 - domain[v].0);
        let Some(v) = branch else {
            let x: Vec<i128> = domain.iter().map(|d| d.0).collect();
            if self.lines.iter().all(|l| l.holds(&x)) {
                match &mut self.best {
                    None => self.best = Some(x.iter().map(|&a| (a, a)).collect()),
                    Some(best) => {
                        for (b, &a) in best.iter_mut().zip(&x) {
                            b.0 = b.0.min(a);
                            b.1 = b.1.max(a);
                        }
                    }
                }
            }
            return;
        };
        // Both ends first, so that extremes are found early and prune.
        let (mut a, mut b) = domain[v];
        let mut low = true;
        while a <= b {
            let value = if low {
                a += 1;
                a - 1
            } else {
                b -= 1;
                b + 1
            };
            low = !low;
            let mut next = domain.clone();
            next[v] = (value, value);
            self.run(next);
        }
    }
}

fn floor_div(a: i128, b: i128) -> i128 {
    debug_assert!(b > 0);
    a.div_euclid(b)
}

fn ceil_div(a: i128, b: i128) -> i128 {
    debug_assert!(b > 0);
    -(-a).div_euclid(b)
}

/// Interval propagation to a fixpoint; `None` when a line cannot hold.
fn propagate(lines: &[Local], mut domain: Vec<(i128, i128)>) -> Option<Vec<(i128, i128)>> {
    loop {
        let mut changed = false;
        for line in lines {
            let range = |domain: &[(i128, i128)], v: usize, c: i128| {
                let (lo, hi) = domain[v];
                if c > 0 {
                    (c * lo, c * hi)
                } else {
                    (c * hi, c * lo)
                }
            };
            let (mut min, mut max) = (line.constant, line.constant);
            for &(v, c) in &line.terms {
                let (a, b) = range(&domain, v, c);
                min += a;
                max += b;
            }
            let possible = match line.op {
                Op::Eq => min <= 0 && 0 <= max,
                Op::Le => min <= 0,
                Op::Ge => max >= 0,
            };
            if !possible {
                return None;
            }
            for &(v, c) in &line.terms {
                let (a, b) = range(&domain, v, c);
                // c * x + rest op 0, rest in [min - a, max - b] (the
                // totals may be stale, hence looser: still sound).
                let (rest_min, rest_max) = (min - a, max - b);
                let (low, high) = match line.op {
                    Op::Eq => (Some(-rest_max), Some(-rest_min)),
                    Op::Le => (None, Some(-rest_min)),
                    Op::Ge => (Some(-rest_max), None),
                };
                // c * x in [low, high].
                let (xlo, xhi) = if c > 0 {
                    (low.map(|l| ceil_div(l, c)), high.map(|h| floor_div(h, c)))
                } else {
                    (
                        high.map(|h| ceil_div(-h, -c)),
                        low.map(|l| floor_div(-l, -c)),
                    )
                };
                let (lo, hi) = domain[v];
                let nlo = xlo.map_or(lo, |x| x.max(lo));
                let nhi = xhi.map_or(hi, |x| x.min(hi));
                if nlo > nhi {
                    return None;
                }
                if (nlo, nhi) != (lo, hi) {
                    domain[v] = (nlo, nhi);
                    changed = true;
                }
            }
        }
        if !changed {
            return Some(domain);
        }
    }
}

// ---------------------------------------------------------------------------
// Shapes.

/// A 2-D grid with a total row and a total column.
pub fn grid_both_margins(d: &Draw) -> Case {
    let mut k = d.knobs();
    let dims = vec![
        level("row", "r", 2 + k.pick(2), true),
        level("col", "c", 2 + k.pick(3), true),
    ];
    let spec = TableSpec::new("t", dims, Layout::Grid, &d.values, 0, &[]);
    finish("grid_both_margins", vec![spec], vec![], d, &[], 0)
}

/// A 2-D grid with a total on one dimension only.
pub fn grid_one_margin(d: &Draw) -> Case {
    let mut k = d.knobs();
    let rows = 2 + k.pick(3);
    let cols = 2 + k.pick(3);
    let rows_total = k.one_in(2);
    let dims = vec![
        level("row", "r", rows, rows_total),
        level("col", "c", cols, !rows_total),
    ];
    let spec = TableSpec::new("t", dims, Layout::Grid, &d.values, 0, &[]);
    finish("grid_one_margin", vec![spec], vec![], d, &[], 0)
}

/// A 2-D grid with no total at all: no line links anything.
pub fn grid_no_margins(d: &Draw) -> Case {
    let mut k = d.knobs();
    let dims = vec![
        level("row", "r", 2 + k.pick(2), false),
        level("col", "c", 2 + k.pick(2), false),
    ];
    let spec = TableSpec::new("t", dims, Layout::Grid, &d.values, 0, &[]);
    finish("grid_no_margins", vec![spec], vec![], d, &[], 0)
}

/// A 2-D grid with both margins where one to three margins (the grand
/// total among the candidates) are hidden too.
pub fn hidden_margins(d: &Draw) -> Case {
    let mut k = d.knobs();
    let dims = vec![
        level("row", "r", 2 + k.pick(2), true),
        level("col", "c", 2 + k.pick(3), true),
    ];
    let spec = TableSpec::new("t", dims, Layout::Grid, &d.values, 0, &[]);
    let margins: Vec<(usize, Vec<usize>)> = spec.margins().into_iter().map(|at| (0, at)).collect();
    let n = 1 + k.pick(3);
    finish("hidden_margins", vec![spec], vec![], d, &margins, n)
}

/// The 3-level dimension of the hierarchy shapes, in one of three forms.
fn regions(k: &mut Knobs<'_>) -> Dimension {
    let parents_last = k.one_in(2);
    let tree = match k.pick(3) {
        0 => node(
            "Total",
            vec![
                node("A", vec![leaf("a1"), leaf("a2")]),
                node("B", vec![leaf("b1"), leaf("b2"), leaf("b3")]),
            ],
        ),
        // A leaf beside sub-parents.
        1 => node(
            "Total",
            vec![
                node("A", vec![leaf("a1"), leaf("a2")]),
                leaf("c"),
                node("B", vec![leaf("b1"), leaf("b2")]),
            ],
        ),
        // A parent with a single child.
        _ => node(
            "Total",
            vec![
                node("A", vec![leaf("a1"), leaf("a2"), leaf("a3")]),
                node("B", vec![leaf("b1")]),
            ],
        ),
    };
    dimension("region", vec![tree], parents_last)
}

/// A 3-level hierarchy crossed with a flat or a 1-level dimension;
/// sometimes an extra constraint.
pub fn hierarchy(d: &Draw) -> Case {
    let mut k = d.knobs();
    let region = regions(&mut k);
    let other = level("kind", "x", 2 + k.pick(2), k.one_in(2));
    let spec = TableSpec::new("h", vec![region, other], Layout::Cube, &d.values, 0, &[]);
    let margins: Vec<(usize, Vec<usize>)> = spec.margins().into_iter().map(|at| (0, at)).collect();
    let n = k.pick(3);
    let constraints = if k.one_in(3) {
        random_constraints(&[&spec], 1, d, &mut k)
    } else {
        Vec::new()
    };
    finish("hierarchy", vec![spec], constraints, d, &margins, n)
}

/// A 3-D cube, 2x2x2 or 3x2x2 leaves, a total on every dimension;
/// sometimes an extra constraint.
pub fn cube(d: &Draw) -> Case {
    let mut k = d.knobs();
    let dims = vec![
        level("a", "a", 2 + k.pick(2), true),
        level("b", "b", 2, true),
        level("c", "c", 2, true),
    ];
    let spec = TableSpec::new("cube", dims, Layout::Cube, &d.values, 0, &[]);
    let margins: Vec<(usize, Vec<usize>)> = spec.margins().into_iter().map(|at| (0, at)).collect();
    let n = k.pick(3);
    let constraints = if k.one_in(3) {
        random_constraints(&[&spec], 1, d, &mut k)
    } else {
        Vec::new()
    };
    finish("cube", vec![spec], constraints, d, &margins, n)
}

/// Random leaf tuples of a table, to be structural zeros.
fn some_leaf_tuples(dims: &[Dimension], k: &mut Knobs<'_>, max: usize) -> Vec<Vec<usize>> {
    let leaves: Vec<Vec<usize>> = dims
        .iter()
        .map(|d| (0..d.len()).filter(|&i| d.is_leaf(i)).collect())
        .collect();
    let tuples = product(&leaves);
    let n = 1 + k.pick(max);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for _ in 0..n {
        let t = tuples[k.pick(tuples.len())].clone();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// `n` extra constraints of two or three terms on any cells of the tables
/// (structural zeros included), coefficients in -2..=2; the truth
/// satisfies them unless the draw does not fit and a coin says break.
fn random_constraints(
    specs: &[&TableSpec],
    n: usize,
    d: &Draw,
    k: &mut Knobs<'_>,
) -> Vec<ConstraintSpec> {
    let mut all: Vec<(usize, Vec<usize>)> = Vec::new();
    for (t, spec) in specs.iter().enumerate() {
        for at in coordinates(&spec.sizes()) {
            all.push((t, at));
        }
    }
    (0..n)
        .map(|_| {
            let terms = (0..2 + k.pick(2))
                .map(|_| {
                    let (t, at) = all[k.pick(all.len())].clone();
                    (t, at, k.range(-2, 2))
                })
                .collect();
            ConstraintSpec {
                terms,
                op: [Op::Le, Op::Ge, Op::Eq][k.pick(3)],
                slack: k.range(0, 2),
                violate: !d.fit && k.one_in(2),
            }
        })
        .collect()
}

/// Two tables sharing the `volet` dimension (and the region codes), linked
/// by one or two extra constraints; the second table sometimes has
/// structural zeros.
pub fn linked(d: &Draw) -> Case {
    let mut k = d.knobs();
    let regions = 2 + k.pick(2);
    let decl = TableSpec::new(
        "declarations",
        vec![
            level("mrc", "m", regions, true),
            level("volet", "v", 3, true),
        ],
        Layout::Cube,
        &d.values,
        0,
        &[],
    );
    let inv_dims = vec![
        level("mrc", "m", regions, false),
        level("volet", "v", 3, true),
    ];
    let zeros = if k.one_in(2) {
        some_leaf_tuples(&inv_dims, &mut k, 3)
    } else {
        Vec::new()
    };
    let mut inv = TableSpec::new("invitations", inv_dims, Layout::Cube, &d.values, 17, &zeros);
    if !zeros.is_empty() {
        inv.unlist_zero_parents(|_| k.one_in(2));
    }
    let n = 1 + k.pick(2);
    let constraints = random_constraints(&[&decl, &inv], n, d, &mut k);
    finish("linked", vec![decl, inv], constraints, d, &[], 0)
}

/// A table with `absent: zero`: unlisted interior cells (true value 0) and
/// sometimes unlisted zero margins; a 2-D grid or a hierarchy.
pub fn absent_zero(d: &Draw) -> Case {
    let mut k = d.knobs();
    let (dims, layout) = match k.pick(3) {
        0 => (
            vec![
                level("row", "r", 2 + k.pick(2), true),
                level("col", "c", 2 + k.pick(3), true),
            ],
            Layout::Grid,
        ),
        1 => (
            vec![
                level("row", "r", 2 + k.pick(3), false),
                level("col", "c", 2 + k.pick(3), true),
            ],
            Layout::Grid,
        ),
        _ => (
            vec![regions(&mut k), level("kind", "x", 2, k.one_in(2))],
            Layout::Cube,
        ),
    };
    let zeros = some_leaf_tuples(&dims, &mut k, 4);
    let mut spec = TableSpec::new("z", dims, layout, &d.values, 0, &zeros);
    spec.unlist_zero_parents(|_| k.one_in(2));
    finish("absent_zero", vec![spec], vec![], d, &[], 0)
}

/// A grid whose last row and last column are the totals; `None` is hidden
/// (for checking the brute force itself on hand-worked tables).
pub fn grid(values: &[&[Option<Count>]]) -> Model {
    let dims = vec![
        level("row", "r", values.len() - 1, true),
        level("col", "c", values[0].len() - 1, true),
    ];
    let mut cells = Vec::new();
    for (r, line) in values.iter().enumerate() {
        for (c, v) in line.iter().enumerate() {
            cells.push(Cell {
                at: vec![r, c],
                entry: v.map_or(Entry::Hidden, Entry::Published),
                origin: format!("r{r}c{c}"),
                line: Some(r + 2),
            });
        }
    }
    Model {
        tables: vec![Table::new("t", dims, cells, Absent::Error, Layout::Grid).unwrap()],
        constraints: vec![],
        source: "t.csv".into(),
        decimals: 0,
        negative: false,
    }
}
