//! From a [`Model`] and a [`Rule`] to a [`LinearSystem`]: one variable per
//! hidden cell, one row per additivity line or extra constraint that
//! touches a hidden cell, published cells folded into the right-hand side.
//!
//! Published numbers that contradict each other on one line are bad input
//! (exit 2) and are caught here, where the line can still be named. Every
//! other contradiction is left in the system for the solver to explain.

use crate::error::InputError;
use crate::model::{
    describe_at, CellRef, Count, Domain, Entry, Layout, Model, Op, Rule, MAX_COUNT,
};

/// One hidden cell: an integer unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    pub cell: CellRef,
    pub domain: Domain,
}

/// What a row of the system stands for in the input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Line {
    /// The cell `at` of `table` equals the sum of its children along `dim`.
    Sum {
        table: usize,
        dim: usize,
        at: Vec<usize>,
    },
    /// The extra constraint with this index.
    Constraint(usize),
}

/// `sum(coef * var) op rhs`, with every published cell already folded into
/// `rhs`: the one row type of the system and of the solver.
///
/// `origin` says where the row comes from: in a [`LinearSystem`] the
/// [`Line`] a person can name (the default); in the solver's components,
/// whose variables are numbered anew, the index of the system row.
///
/// ```
/// use cellbound_core::{Op, Row};
///
/// // x0 + x1 = 7, from system row 3.
/// let row = Row { terms: vec![(0, 1), (1, 1)], op: Op::Eq, rhs: 7, origin: 3usize };
/// assert!(row.holds(&[3, 4]));
/// assert_eq!(row.lhs(&[3, 5]), 8);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<O = Line> {
    pub terms: Vec<(usize, i64)>,
    pub op: Op,
    pub rhs: i128,
    pub origin: O,
}

impl<O> Row<O> {
    /// `sum(coef * value)` in exact arithmetic.
    pub fn lhs(&self, values: &[Count]) -> i128 {
        self.terms
            .iter()
            .map(|&(v, c)| c as i128 * values[v] as i128)
            .sum()
    }

    /// Whether integer values satisfy the row, computed exactly.
    pub fn holds(&self, values: &[Count]) -> bool {
        self.op.holds(self.lhs(values), self.rhs)
    }
}

impl<O: Default> Row<O> {
    /// `sum(coef * var) op rhs` with the default origin (system row 0 for
    /// a component's row): a row written by hand, as tests do.
    ///
    /// ```
    /// use cellbound_core::{Op, Row};
    ///
    /// let row = Row::<usize>::of(&[(0, 2), (1, -1)], Op::Le, 3);
    /// assert!(row.holds(&[2, 1]) && !row.holds(&[3, 1]));
    /// ```
    pub fn of(terms: &[(usize, i64)], op: Op, rhs: i128) -> Self {
        Row {
            terms: terms.to_vec(),
            op,
            rhs,
            origin: O::default(),
        }
    }

    /// `sum(terms) = rhs`, with the default origin.
    pub fn equal(terms: &[(usize, i64)], rhs: i128) -> Self {
        Row::of(terms, Op::Eq, rhs)
    }
}

/// The hidden cells as integer unknowns and the relations between them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinearSystem {
    pub rule: Rule,
    pub vars: Vec<Var>,
    pub rows: Vec<Row>,
    /// `var_of[table][cell]`: the variable of a hidden cell, or
    /// [`NO_VAR`]. A slot per listed cell rather than a hash map: the
    /// lines look up every hidden cell several times.
    pub(crate) var_of: Vec<Vec<usize>>,
}

/// A published cell's slot in `LinearSystem::var_of`.
const NO_VAR: usize = usize::MAX;

impl LinearSystem {
    /// Builds the system. Fails, naming the line, when published numbers
    /// break an additivity line on their own.
    pub fn build(model: &Model, rule: Rule) -> Result<Self, InputError> {
        // A model whose values may be negative takes the hidden cells' lower
        // limit away, whatever the caller's rule says.
        let rule = rule.for_model(model);
        let mut vars = Vec::new();
        let mut var_of: Vec<Vec<usize>> = model
            .tables
            .iter()
            .map(|t| vec![NO_VAR; t.cells.len()])
            .collect();
        for cell in model.hidden_cells() {
            let table = &model.tables[cell.table];
            let c = model.cell(cell);
            let domain = rule
                .domain(c.entry, table.is_interior(&c.at))
                .expect("hidden cells have a domain");
            if let (Some(lo), Some(hi)) = (domain.lo, domain.hi) {
                if lo > hi && domain.source == crate::model::DomainSource::Range {
                    return Err(InputError::new(
                        &model.source,
                        format!("the range [{lo}, {hi}] is empty"),
                    )
                    .field(c.origin.clone()));
                }
            }
            var_of[cell.table][cell.cell] = vars.len();
            vars.push(Var { cell, domain });
        }
        let mut system = LinearSystem {
            rule,
            vars,
            rows: Vec::new(),
            var_of,
        };
        system.add_sum_lines(model)?;
        system.add_constraints(model)?;
        Ok(system)
    }

    /// The variable of a hidden cell.
    pub fn var_of(&self, cell: CellRef) -> Option<usize> {
        self.var_of
            .get(cell.table)
            .and_then(|t| t.get(cell.cell))
            .copied()
            .filter(|&v| v != NO_VAR)
    }

    fn add_sum_lines(&mut self, model: &Model) -> Result<(), InputError> {
        for (t, table) in model.tables.iter().enumerate() {
            for (d, at) in table.sum_lines() {
                let (total, parts) = table.line_cells(d, &at);
                let line = Line::Sum {
                    table: t,
                    dim: d,
                    at,
                };
                let mut terms: Vec<(usize, i64)> = Vec::new();
                let mut rhs: i128 = 0;
                let mut published_parts: i128 = 0;
                let mut published_total = None;
                // Whether a hidden part may be negative: then published
                // parts above the total are no contradiction on their own.
                let mut negative_part = false;
                let vars = &self.vars;
                let var_of = &self.var_of;
                let mut add = |ci: usize, coef: i64, is_total: bool| match table.cells[ci].entry {
                    Entry::Published(v) => {
                        rhs -= coef as i128 * v as i128;
                        if is_total {
                            published_total = Some(v as i128);
                        } else {
                            published_parts += v as i128;
                        }
                    }
                    _ => {
                        let var = var_of[t][ci];
                        negative_part |= !is_total && vars[var].domain.lo.is_none_or(|l| l < 0);
                        terms.push((var, coef));
                    }
                };
                if let Some(ci) = total {
                    add(ci, -1, true);
                }
                for ci in parts {
                    add(ci, 1, false);
                }
                if published_total.is_none() && published_parts > MAX_COUNT as i128 {
                    // The hidden total is at least the published parts: a
                    // count no reader accepts, beyond the solver's exact
                    // range. Refused rather than answered wrongly.
                    let mut err = InputError::new(
                        &model.source,
                        format!(
                            "the published parts add up to {published_parts}, so its hidden total would be 2^53 or more; counts must stay below 2^53 = 9007199254740992"
                        ),
                    )
                    .field(describe_line(model, &line));
                    if let Some(l) = line_number(model, &line) {
                        err = err.at_line(l);
                    }
                    return Err(err);
                }
                let breaks_alone = terms.is_empty() && rhs != 0;
                let overflows =
                    !negative_part && published_total.is_some_and(|tot| published_parts > tot);
                if breaks_alone || overflows {
                    let total = published_total.unwrap_or(0);
                    let message = if overflows {
                        format!(
                            "the published parts add up to {published_parts}, more than the published total {total}"
                        )
                    } else {
                        format!(
                            "the published total is {total} but its published parts add up to {published_parts}"
                        )
                    };
                    let mut err =
                        InputError::new(&model.source, message).field(describe_line(model, &line));
                    if let Some(l) = line_number(model, &line) {
                        err = err.at_line(l);
                    }
                    return Err(err);
                }
                if !terms.is_empty() {
                    self.rows.push(Row {
                        terms: merge_terms(terms)
                            .expect("additivity lines have coefficients of 1 and -1"),
                        op: Op::Eq,
                        rhs,
                        origin: line,
                    });
                }
            }
        }
        Ok(())
    }

    fn add_constraints(&mut self, model: &Model) -> Result<(), InputError> {
        for (k, constraint) in model.constraints.iter().enumerate() {
            let out_of_range = |what: String| {
                InputError::new(
                    &model.source,
                    format!(
                        "{what}; coefficients must lie within -(2^53 - 1)..=2^53 - 1 once repeated terms are added up and their common divisor is taken out"
                    ),
                )
                .field(constraint.origin.clone())
            };
            let mut terms: Vec<(usize, i128)> = Vec::new();
            let mut rhs = constraint.rhs as i128;
            for term in &constraint.terms {
                let table = &model.tables[term.table];
                let Some(ci) = table.cell_at(&term.at) else {
                    continue; // a structural zero
                };
                match table.cells[ci].entry {
                    Entry::Published(v) => {
                        rhs = (term.coef as i128)
                            .checked_mul(v as i128)
                            .and_then(|p| rhs.checked_sub(p))
                            .ok_or_else(|| {
                                out_of_range(
                                    "the published cells' terms add up beyond 128-bit integers"
                                        .to_string(),
                                )
                            })?;
                    }
                    _ => terms.push((self.var_of[term.table][ci], term.coef as i128)),
                }
            }
            let merged = merge_terms(terms).ok_or_else(|| {
                out_of_range("repeated terms of one cell add up beyond 128-bit integers".into())
            })?;
            let (merged, op, rhs) = normalize(merged, constraint.op, rhs);
            let mut terms = Vec::with_capacity(merged.len());
            for (v, c) in merged {
                match i64::try_from(c) {
                    Ok(c) if c.unsigned_abs() <= MAX_COUNT as u64 => terms.push((v, c)),
                    _ => {
                        return Err(out_of_range(format!(
                            "the coefficient of {} comes to {c}",
                            describe_cell(model, self.vars[v].cell)
                        )))
                    }
                }
            }
            let row = Row {
                terms,
                op,
                rhs,
                origin: Line::Constraint(k),
            };
            // A constant row that holds says nothing; one that fails makes
            // the model infeasible, which the solver reports.
            if !row.terms.is_empty() || !row.holds(&[]) {
                self.rows.push(row);
            }
        }
        Ok(())
    }
}

/// A coefficient [`merge_terms`] adds exactly: `i64` or `i128`.
pub trait Coefficient: Copy + PartialEq {
    /// Zero, whose terms are dropped.
    const ZERO: Self;
    /// `self + other`, `None` on overflow.
    fn checked_add(self, other: Self) -> Option<Self>;
}

impl Coefficient for i64 {
    const ZERO: Self = 0;
    fn checked_add(self, other: Self) -> Option<Self> {
        i64::checked_add(self, other)
    }
}

impl Coefficient for i128 {
    const ZERO: Self = 0;
    fn checked_add(self, other: Self) -> Option<Self> {
        i128::checked_add(self, other)
    }
}

/// `(variable, coefficient)` terms sorted by variable, the coefficients
/// of a variable named twice added up exactly, zeros dropped: the one
/// term-merging routine of the system and of the solver's substitutions.
/// `None` when a sum overflows `C` (`i64` coefficients widened to `i128`
/// never do).
///
/// ```
/// use cellbound_core::system::merge_terms;
///
/// assert_eq!(merge_terms(vec![(2, 1i64), (0, 3), (2, -1), (0, 1)]), Some(vec![(0, 4)]));
/// assert_eq!(merge_terms(vec![(0, i64::MAX), (0, 1)]), None);
/// ```
pub fn merge_terms<C: Coefficient>(mut terms: Vec<(usize, C)>) -> Option<Vec<(usize, C)>> {
    terms.sort_unstable_by_key(|&(v, _)| v);
    let mut merged: Vec<(usize, C)> = Vec::with_capacity(terms.len());
    for (v, c) in terms {
        match merged.last_mut() {
            Some((lv, lc)) if *lv == v => *lc = lc.checked_add(c)?,
            _ => merged.push((v, c)),
        }
    }
    merged.retain(|&(_, c)| c != C::ZERO);
    Some(merged)
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Divides a constraint over integer unknowns by the common divisor `g` of
/// its coefficients, which keeps exactly the same integer solutions:
/// `<=` rounds `rhs / g` down, `>=` up. An equality whose `rhs` is not a
/// multiple of `g` has no integer solution; it is kept as written, for the
/// solver to explain.
fn normalize(terms: Vec<(usize, i128)>, op: Op, rhs: i128) -> (Vec<(usize, i128)>, Op, i128) {
    let g = terms
        .iter()
        .fold(0u128, |g, &(_, c)| gcd(g, c.unsigned_abs()));
    if g <= 1 {
        return (terms, op, rhs);
    }
    // g divides a coefficient that fits i128, and is not 1, so it fits too.
    let g = g as i128;
    let rhs = match op {
        Op::Le => rhs.div_euclid(g),
        Op::Ge => rhs.div_euclid(g) + i128::from(rhs.rem_euclid(g) != 0),
        Op::Eq if rhs % g == 0 => rhs / g,
        Op::Eq => return (terms, op, rhs),
    };
    let terms = terms.into_iter().map(|(v, c)| (v, c / g)).collect();
    (terms, op, rhs)
}

/// A line in the user's terms: `row "MRC La Mitis"`, `column "Volet 1"`,
/// `table "t": ["BSL", "Volet 1"] over "mrc"`, `constraint constraints[0]`.
pub fn describe_line(model: &Model, line: &Line) -> String {
    match line {
        Line::Sum { table, dim, at } => {
            let t = &model.tables[*table];
            let prefix = if model.tables.len() > 1 {
                format!("table {:?}, ", t.name)
            } else {
                String::new()
            };
            if t.layout == Layout::Grid && t.dimensions.len() == 2 {
                let (kind, label) = if *dim == 1 {
                    ("row", t.dimensions[0].code(at[0]))
                } else {
                    ("column", t.dimensions[1].code(at[1]))
                };
                format!("{prefix}{kind} {label:?}")
            } else {
                format!(
                    "{prefix}total {} over {:?}",
                    describe_at(&t.dimensions, at),
                    t.dimensions[*dim].name()
                )
            }
        }
        Line::Constraint(k) => format!("constraint {}", model.constraints[*k].origin),
    }
}

/// The input line a row of a grid sits on, when there is one.
fn line_number(model: &Model, line: &Line) -> Option<usize> {
    match line {
        Line::Sum { table, dim: 1, at } => {
            let t = &model.tables[*table];
            if t.layout != Layout::Grid {
                return None;
            }
            t.cell_at(at).and_then(|c| t.cells[c].line)
        }
        _ => None,
    }
}

/// A hidden cell in the user's terms: `"MRC La Mitis", "Volet 1"` (with
/// the table's name first when the model has several tables).
pub fn describe_cell(model: &Model, cell: CellRef) -> String {
    let t = &model.tables[cell.table];
    let at = describe_at(&t.dimensions, &t.cells[cell.cell].at);
    if model.tables.len() > 1 {
        format!("{}{at}", t.name)
    } else {
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(values: &[&[Option<i64>]]) -> Model {
        Model::grid_with_margins("t", values).unwrap()
    }

    #[test]
    fn folds_published_cells() {
        let m = grid(&[
            &[None, Some(9), None, Some(20)],
            &[None, Some(15), None, Some(25)],
            &[Some(13), Some(24), Some(8), Some(45)],
        ]);
        let s = LinearSystem::build(&m, Rule::default()).unwrap();
        assert_eq!(s.vars.len(), 4);
        // Two rows and two columns touch hidden cells.
        assert_eq!(s.rows.len(), 4);
        let mitis = s
            .rows
            .iter()
            .find(|r| describe_line(&m, &r.origin) == "row \"r0\"")
            .unwrap();
        assert_eq!(mitis.terms, vec![(0, 1), (1, 1)]);
        assert_eq!(mitis.rhs, 11);
        assert!(mitis.holds(&[3, 8, 0, 0]));
        assert!(!mitis.holds(&[3, 7, 0, 0]));
        assert_eq!(describe_line(&m, &mitis.origin), "row \"r0\"");
    }

    #[test]
    fn published_contradiction_names_the_line() {
        let m = grid(&[&[Some(1), Some(2), Some(4)], &[Some(1), Some(2), Some(3)]]);
        let err = LinearSystem::build(&m, Rule::default()).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.field.as_deref(), Some("row \"r0\""));
        assert!(err.message.contains("total is 4"), "{err}");
    }

    #[test]
    fn constraints_are_divided_by_their_common_divisor_exactly() {
        let t = [(0, 6i128), (1, -4)];
        // 6p - 4q <= 7 is 3p - 2q <= 3; >= 7 is >= 4; = 8 is = 4.
        assert_eq!(
            normalize(t.to_vec(), Op::Le, 7),
            (vec![(0, 3), (1, -2)], Op::Le, 3)
        );
        assert_eq!(
            normalize(t.to_vec(), Op::Le, -7),
            (vec![(0, 3), (1, -2)], Op::Le, -4)
        );
        assert_eq!(
            normalize(t.to_vec(), Op::Ge, 7),
            (vec![(0, 3), (1, -2)], Op::Ge, 4)
        );
        assert_eq!(
            normalize(t.to_vec(), Op::Ge, -7),
            (vec![(0, 3), (1, -2)], Op::Ge, -3)
        );
        assert_eq!(
            normalize(t.to_vec(), Op::Eq, 8),
            (vec![(0, 3), (1, -2)], Op::Eq, 4)
        );
        // No integer solution: kept as written for the solver to explain.
        assert_eq!(normalize(t.to_vec(), Op::Eq, 7), (t.to_vec(), Op::Eq, 7));
        // 2^62 twice is 2^63, past i64, added exactly.
        let big = 1i128 << 62;
        assert_eq!(
            merge_terms(vec![(0, big), (0, big)]),
            Some(vec![(0, 1i128 << 63)])
        );
        assert_eq!(
            merge_terms(vec![(0, big), (0, -big), (1, 1)]),
            Some(vec![(1, 1)])
        );
    }

    #[test]
    fn parts_over_total_is_bad_input_even_with_hidden_cells() {
        let m = grid(&[&[Some(5), None, Some(4)], &[Some(5), None, Some(9)]]);
        let err = LinearSystem::build(&m, Rule::default()).unwrap_err();
        assert!(
            err.message.contains("more than the published total 4"),
            "{err}"
        );
    }
}
