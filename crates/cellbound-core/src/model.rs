//! The table model: dimensions with hierarchies, cells, tables, extra
//! constraints and the suppression rule.
//!
//! A [`Model`] is what a reader produces and what [`crate::system`] turns
//! into linear equations. It carries no solver state.

use std::collections::HashMap;
use std::fmt;

use crate::error::ModelError;

/// A count as published. Published counts are non-negative and below 2^53;
/// sums and checks are done in `i128` so that nothing overflows.
pub type Count = i64;

/// The largest count a reader accepts (2^53 - 1): beyond it an `f64` LP
/// solver cannot even represent the number exactly.
pub const MAX_COUNT: Count = (1 << 53) - 1;

/// One dimension of a table: a forest of codes. A parent code is the sum of
/// its children; a dimension with no parent is a flat list (no total).
///
/// Codes are kept in the order the input gave them, so that outputs can
/// follow the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    name: String,
    codes: Vec<String>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    index: HashMap<String, usize>,
}

impl Dimension {
    /// A dimension with no hierarchy.
    pub fn flat<S: Into<String>>(
        name: impl Into<String>,
        codes: impl IntoIterator<Item = S>,
    ) -> Result<Self, ModelError> {
        Self::new(name, codes.into_iter().map(|c| (c.into(), None)))
    }

    /// A dimension from `(code, parent index)` pairs in display order. The
    /// parent index refers to the position of the parent in the same list.
    pub fn new(
        name: impl Into<String>,
        codes: impl IntoIterator<Item = (String, Option<usize>)>,
    ) -> Result<Self, ModelError> {
        let name = name.into();
        let mut dim = Dimension {
            name,
            codes: Vec::new(),
            parent: Vec::new(),
            children: Vec::new(),
            index: HashMap::new(),
        };
        for (code, parent) in codes {
            let i = dim.codes.len();
            if dim.index.insert(code.clone(), i).is_some() {
                return Err(ModelError::DuplicateCode {
                    dimension: dim.name.clone(),
                    code,
                });
            }
            dim.codes.push(code);
            dim.parent.push(parent);
            dim.children.push(Vec::new());
        }
        for i in 0..dim.codes.len() {
            if let Some(p) = dim.parent[i] {
                if p >= dim.codes.len() || p == i {
                    return Err(ModelError::BadParent {
                        dimension: dim.name.clone(),
                        code: dim.codes[i].clone(),
                    });
                }
                dim.children[p].push(i);
            }
        }
        // A cycle would make "parent = sum of children" circular.
        for start in 0..dim.codes.len() {
            let mut at = start;
            let mut steps = 0;
            while let Some(p) = dim.parent[at] {
                at = p;
                steps += 1;
                if steps > dim.codes.len() {
                    return Err(ModelError::Cycle {
                        dimension: dim.name.clone(),
                        code: dim.codes[start].clone(),
                    });
                }
            }
        }
        Ok(dim)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    pub fn code(&self, i: usize) -> &str {
        &self.codes[i]
    }
    pub fn codes(&self) -> &[String] {
        &self.codes
    }
    pub fn find(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }
    pub fn parent(&self, i: usize) -> Option<usize> {
        self.parent[i]
    }
    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }
    pub fn is_leaf(&self, i: usize) -> bool {
        self.children[i].is_empty()
    }
    /// The codes that have children, in display order.
    pub fn parents(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.codes.len()).filter(|&i| !self.children[i].is_empty())
    }
    /// Depth of a code: 0 for a root.
    pub fn depth(&self, mut i: usize) -> usize {
        let mut d = 0;
        while let Some(p) = self.parent[i] {
            i = p;
            d += 1;
        }
        d
    }
}

/// What is known of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// A published count.
    Published(Count),
    /// A suppressed count; its domain comes from the [`Rule`].
    Hidden,
    /// A suppressed count known to lie in `lo..=hi` (`hi: None` for no upper
    /// limit, `lo: None` for no lower limit). Replaces the rule's domain.
    /// `lo` may be negative or absent (a value that can be negative, as
    /// profits or net migration).
    Range {
        lo: Option<Count>,
        hi: Option<Count>,
    },
    /// A value published rounded (`--rounded B`): the file shows
    /// `published`, the truth lies in `lo..=hi` (see [`Rounding`]). The
    /// solver treats the cell as hidden with that domain; outputs report
    /// it as `rounded` unless its lines pin it to one value.
    Rounded {
        published: Count,
        lo: Count,
        hi: Count,
    },
}

impl Entry {
    /// Whether the cell's value is an unknown of the system: hidden,
    /// within a range, or published rounded.
    pub fn is_hidden(&self) -> bool {
        !matches!(self, Entry::Published(_))
    }
    /// The exact published value (`None` for a rounded one).
    pub fn published(&self) -> Option<Count> {
        match *self {
            Entry::Published(v) => Some(v),
            _ => None,
        }
    }
    /// The value the file shows for a cell published rounded.
    pub fn rounded(&self) -> Option<Count> {
        match *self {
            Entry::Rounded { published, .. } => Some(published),
            _ => None,
        }
    }
}

/// How a rounded publication rounded its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundingMode {
    /// To the nearest multiple of the base, a half rounded up: the truth
    /// `t` of a published `v` lies in `v - floor(B/2) ..= v + ceil(B/2) - 1`.
    Nearest,
    /// Up or down to a multiple of the base (random rounding, as census
    /// tables): the truth lies in `v - (B-1) ..= v + (B-1)`.
    Random,
}

/// A rounded publication: every published value is a multiple of `base`
/// (in the model's units, `10^-decimals`) standing for an interval.
///
/// ```
/// use cellbound_core::model::{Rounding, RoundingMode};
///
/// let nearest = Rounding { base: 5, mode: RoundingMode::Nearest };
/// assert_eq!(nearest.interval(10, false), Some((8, 12)));
/// assert_eq!(nearest.interval(0, false), Some((0, 2)));
/// let random = Rounding { base: 5, mode: RoundingMode::Random };
/// assert_eq!(random.interval(10, false), Some((6, 14)));
/// assert_eq!(random.interval(7, false), None); // not a multiple of 5
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rounding {
    /// The base B, at least 1 (1 leaves every value exact).
    pub base: Count,
    pub mode: RoundingMode,
}

impl Rounding {
    /// The values `lo..=hi` a published `value` stands for, floored at 0
    /// unless `negative` (values may be negative). `None` when `value` is
    /// not a multiple of the base.
    pub fn interval(&self, value: Count, negative: bool) -> Option<(Count, Count)> {
        let b = self.base.max(1);
        if value % b != 0 {
            return None;
        }
        let (lo, hi) = match self.mode {
            RoundingMode::Nearest => (value - b / 2, value + (b + 1) / 2 - 1),
            RoundingMode::Random => (value - (b - 1), value + (b - 1)),
        };
        Some((if negative { lo } else { lo.max(0) }, hi))
    }
}

/// One listed cell of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// One code index per dimension.
    pub at: Vec<usize>,
    pub entry: Entry,
    /// Where the cell was read, in words a user can find it by
    /// (`line 5, column "Volet 1"`, `tables[0].cells[3]`).
    pub origin: String,
    /// The line of the input file the cell sits on, where the format has
    /// lines that hold one cell's row (the CSV grid).
    pub line: Option<usize>,
}

/// What a cell of the cross product that is not listed means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Absent {
    /// Every cell must be listed.
    #[default]
    Error,
    /// An unlisted cell is a structural zero.
    Zero,
}

/// How a table was laid out in its file, which decides how its lines are
/// named in messages (`row "X"` for a grid, codes otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// A 2-D CSV grid: dimension 0 is the rows, dimension 1 the columns.
    Grid,
    /// Any other table.
    #[default]
    Cube,
}

/// A table: dimensions and the cells listed for it, in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub dimensions: Vec<Dimension>,
    pub cells: Vec<Cell>,
    pub absent: Absent,
    pub layout: Layout,
    index: CellIndex,
}

/// Where each listed cell of a table sits. Dense (a slot per coordinate of
/// the cross product, in row-major order) when the cross product is not
/// much larger than the list, as for every table that lists all its cells;
/// a hash map otherwise (sparse tables with structural zeros). Either way
/// the same cells are found: the choice only trades memory for speed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CellIndex {
    Dense {
        sizes: Vec<usize>,
        /// `slots[offset]` is the cell's position, or `usize::MAX`.
        slots: Vec<usize>,
    },
    Sparse(HashMap<Vec<usize>, usize>),
}

impl CellIndex {
    pub(crate) fn for_table(dimensions: &[Dimension], cells: usize) -> Self {
        let sizes: Vec<usize> = dimensions.iter().map(Dimension::len).collect();
        let product = sizes
            .iter()
            .try_fold(1usize, |acc, &n| acc.checked_mul(n))
            .filter(|_| !sizes.is_empty());
        match product {
            Some(p) if p <= cells.saturating_mul(4).saturating_add(1024) => CellIndex::Dense {
                sizes,
                slots: vec![usize::MAX; p],
            },
            _ => CellIndex::Sparse(HashMap::with_capacity(cells)),
        }
    }

    /// The row-major offset of `at` in a dense index (`None` when `at`
    /// does not fit the sizes).
    fn offset(sizes: &[usize], at: &[usize]) -> Option<usize> {
        if at.len() != sizes.len() {
            return None;
        }
        let mut offset = 0usize;
        for (&c, &n) in at.iter().zip(sizes) {
            if c >= n {
                return None;
            }
            offset = offset * n + c;
        }
        Some(offset)
    }

    fn get(&self, at: &[usize]) -> Option<usize> {
        match self {
            CellIndex::Dense { sizes, slots } => Self::offset(sizes, at)
                .and_then(|o| slots.get(o).copied())
                .filter(|&i| i != usize::MAX),
            CellIndex::Sparse(map) => map.get(at).copied(),
        }
    }

    /// Records cell `i` at `at` (which fits the dimensions); returns the
    /// cell already there, if any.
    pub(crate) fn insert(&mut self, at: &[usize], i: usize) -> Option<usize> {
        match self {
            CellIndex::Dense { sizes, slots } => {
                let slot = Self::offset(sizes, at).and_then(|o| slots.get_mut(o))?;
                let previous = std::mem::replace(slot, i);
                (previous != usize::MAX).then_some(previous)
            }
            CellIndex::Sparse(map) => map.insert(at.to_vec(), i),
        }
    }
}

impl Table {
    /// Builds a table and indexes its cells. A cell listed twice, a
    /// coordinate of the wrong arity or out of range, or (with
    /// [`Absent::Error`]) a missing cell is an error.
    pub fn new(
        name: impl Into<String>,
        dimensions: Vec<Dimension>,
        cells: Vec<Cell>,
        absent: Absent,
        layout: Layout,
    ) -> Result<Self, ModelError> {
        let name = name.into();
        let mut index = CellIndex::for_table(&dimensions, cells.len());
        for (i, cell) in cells.iter().enumerate() {
            if cell.at.len() != dimensions.len()
                || cell.at.iter().zip(&dimensions).any(|(&c, d)| c >= d.len())
            {
                return Err(ModelError::BadCoordinates {
                    table: name.clone(),
                    origin: cell.origin.clone(),
                });
            }
            if let Some(first) = index.insert(&cell.at, i) {
                return Err(ModelError::DuplicateCell {
                    table: name.clone(),
                    at: describe_at(&dimensions, &cell.at),
                    first: cells[first].origin.clone(),
                    second: cell.origin.clone(),
                });
            }
        }
        Self::indexed(name, dimensions, cells, absent, layout, index)
    }

    /// [`Table::new`] for a reader that has already indexed the cells,
    /// checking their coordinates and repeats as it read them: `index`
    /// holds every cell, at coordinates that fit the dimensions. Only the
    /// missing cells are left to check.
    pub(crate) fn indexed(
        name: String,
        dimensions: Vec<Dimension>,
        cells: Vec<Cell>,
        absent: Absent,
        layout: Layout,
        index: CellIndex,
    ) -> Result<Self, ModelError> {
        let table = Table {
            name,
            dimensions,
            cells,
            absent,
            layout,
            index,
        };
        if absent == Absent::Error {
            let total: usize = table.dimensions.iter().map(Dimension::len).product();
            if total != table.cells.len() {
                let missing = table
                    .coordinates()
                    .find(|at| table.index.get(at).is_none())
                    .expect("fewer cells than coordinates");
                return Err(ModelError::MissingCell {
                    table: table.name.clone(),
                    at: describe_at(&table.dimensions, &missing),
                });
            }
        }
        Ok(table)
    }

    /// The listed cell at these coordinates, if any.
    pub fn cell_at(&self, at: &[usize]) -> Option<usize> {
        self.index.get(at)
    }

    /// Resolves a list of codes to coordinates.
    pub fn locate(&self, codes: &[impl AsRef<str>]) -> Result<Vec<usize>, ModelError> {
        if codes.len() != self.dimensions.len() {
            return Err(ModelError::Arity {
                table: self.name.clone(),
                expected: self.dimensions.len(),
                found: codes.len(),
            });
        }
        codes
            .iter()
            .zip(&self.dimensions)
            .map(|(code, dim)| {
                dim.find(code.as_ref())
                    .ok_or_else(|| ModelError::UnknownCode {
                        table: self.name.clone(),
                        dimension: dim.name().to_string(),
                        code: code.as_ref().to_string(),
                    })
            })
            .collect()
    }

    /// The codes of a coordinate vector.
    pub fn codes_of(&self, at: &[usize]) -> Vec<String> {
        at.iter()
            .zip(&self.dimensions)
            .map(|(&c, d)| d.code(c).to_string())
            .collect()
    }

    /// Every coordinate of the cross product, in row-major order.
    pub fn coordinates(&self) -> impl Iterator<Item = Vec<usize>> + '_ {
        let sizes: Vec<usize> = self.dimensions.iter().map(Dimension::len).collect();
        let total: usize = if sizes.is_empty() {
            0
        } else {
            sizes.iter().product()
        };
        (0..total).map(move |mut k| {
            let mut at = vec![0; sizes.len()];
            for d in (0..sizes.len()).rev() {
                at[d] = k % sizes[d];
                k /= sizes[d];
            }
            at
        })
    }

    /// Every additivity line that can hold anything but zeros, as `(d,
    /// at)`: the cell `at` is the sum of its children along dimension `d`.
    /// Lines come in a fixed order: the last dimension first (a grid's
    /// rows before its columns), then in the order of the listed cells.
    pub fn sum_lines(&self) -> Vec<(usize, Vec<usize>)> {
        let mut seen = std::collections::HashSet::new();
        // With a dense index, a flag per coordinate and dimension replaces
        // the set (same lines, same order; no hashing per cell).
        let mut seen_dense = match &self.index {
            CellIndex::Dense { slots, .. } => vec![false; slots.len()],
            CellIndex::Sparse(_) => Vec::new(),
        };
        let mut lines = Vec::new();
        let mut at = Vec::new();
        for (d, dim) in self.dimensions.iter().enumerate().rev() {
            seen_dense.fill(false);
            for cell in &self.cells {
                // A listed cell names the line it totals and the line it
                // is a part of.
                let own = (!dim.is_leaf(cell.at[d])).then_some(cell.at[d]);
                for code in own.into_iter().chain(dim.parent(cell.at[d])) {
                    at.clear();
                    at.extend_from_slice(&cell.at);
                    at[d] = code;
                    let new = match &self.index {
                        CellIndex::Dense { sizes, .. } => {
                            match CellIndex::offset(sizes, &at).and_then(|o| seen_dense.get_mut(o))
                            {
                                Some(flag) => !std::mem::replace(flag, true),
                                None => seen.insert((d, at.clone())),
                            }
                        }
                        CellIndex::Sparse(_) => seen.insert((d, at.clone())),
                    };
                    if new {
                        lines.push((d, at.clone()));
                    }
                }
            }
        }
        lines
    }

    /// The listed cells of the line `(d, at)`: the total (if listed) and
    /// each listed child. Unlisted cells are structural zeros.
    pub fn line_cells(&self, d: usize, at: &[usize]) -> (Option<usize>, Vec<usize>) {
        let mut child = at.to_vec();
        let parts = self.dimensions[d]
            .children(at[d])
            .iter()
            .filter_map(|&ch| {
                child[d] = ch;
                self.cell_at(&child)
            })
            .collect();
        (self.cell_at(at), parts)
    }

    /// Whether the cell at `at` is a leaf on every dimension (an interior
    /// cell, which the rule may assume small).
    pub fn is_interior(&self, at: &[usize]) -> bool {
        at.iter().zip(&self.dimensions).all(|(&c, d)| d.is_leaf(c))
    }
}

/// `["La Mitis", "Volet 1"]` as a user reads it.
pub fn describe_at(dimensions: &[Dimension], at: &[usize]) -> String {
    let codes: Vec<String> = at
        .iter()
        .zip(dimensions)
        .map(|(&c, d)| format!("{:?}", d.code(c)))
        .collect();
    format!("[{}]", codes.join(", "))
}

/// The relation of an extra constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Le,
    Ge,
}

impl Op {
    /// Whether `lhs op rhs` holds, in exact arithmetic.
    pub fn holds(self, lhs: i128, rhs: i128) -> bool {
        match self {
            Op::Eq => lhs == rhs,
            Op::Le => lhs <= rhs,
            Op::Ge => lhs >= rhs,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Le => "<=",
            Op::Ge => ">=",
        })
    }
}

/// One term `coef * cell` of an extra constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub table: usize,
    pub at: Vec<usize>,
    pub coef: i64,
}

/// An extra linear relation between cells of any tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub terms: Vec<Term>,
    pub op: Op,
    pub rhs: i64,
    /// Where it was read (`constraints[0]`).
    pub origin: String,
}

/// Tables plus the extra constraints that link them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Model {
    pub tables: Vec<Table>,
    pub constraints: Vec<Constraint>,
    /// The file the model was read from, as messages name it.
    pub source: String,
    /// The decimals of the file's values: every count, bound and range of
    /// the model is an integer number of `10^-decimals` units (`0` for
    /// counts; `12.5` read with one decimal is `125`). Outputs show values
    /// in the file's own units with [`show_value`].
    pub decimals: u32,
    /// Values may be negative (read with `--allow-negative`, a profile that
    /// sets it, or a JSON model's `"negative": true`): a hidden cell then
    /// has no lower limit unless a range or a line gives one, whatever the
    /// [`Rule`] passed with the model says ([`Rule::negative`]).
    pub negative: bool,
}

/// A value of a model with `decimals` decimals, as the file wrote it:
/// `125` with one decimal is `12.5`, `-5` with two is `-0.05`, and with
/// none it is the integer itself. Exact: no floating point is involved.
///
/// ```
/// use cellbound_core::model::show_value;
///
/// assert_eq!(show_value(125, 1), "12.5");
/// assert_eq!(show_value(-5, 2), "-0.05");
/// assert_eq!(show_value(42, 0), "42");
/// ```
pub fn show_value(value: i128, decimals: u32) -> String {
    if decimals == 0 {
        return value.to_string();
    }
    let digits = value.unsigned_abs().to_string();
    let d = decimals as usize;
    let padded = if digits.len() <= d {
        format!("{}{digits}", "0".repeat(d + 1 - digits.len()))
    } else {
        digits
    };
    let (whole, fraction) = padded.split_at(padded.len() - d);
    let sign = if value < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction}")
}

/// A number's text (JSON syntax: sign, digits, fraction, exponent) as an
/// integer count of `10^-decimals` units, exactly, never through a float:
/// the inverse of [`show_value`]. `Err` says why not: more decimals than
/// declared, or past 2^53 - 1 units.
///
/// ```
/// use cellbound_core::model::parse_value;
///
/// assert_eq!(parse_value("12.5", 1), Ok(125));
/// assert_eq!(parse_value("1.5e1", 0), Ok(15));
/// assert_eq!(parse_value("-0.05", 2), Ok(-5));
/// assert!(parse_value("12.55", 1).is_err());
/// assert!(parse_value("1e9223372036854775807", 2).is_err());
/// assert!(parse_value("1e-9223372036854775808", 2).is_err());
/// assert_eq!(parse_value("-0.0e-99", 2), Ok(0));
/// ```
pub fn parse_value(text: &str, decimals: u32) -> Result<i128, String> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (
            &rest[..at],
            rest[at + 1..]
                .parse::<i64>()
                .map_err(|_| format!("{text} has an exponent out of range"))?,
        ),
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits: String = format!("{whole}{fraction}");
    if digits.bytes().all(|b| b == b'0') {
        return Ok(0);
    }
    // The value is digits * 10^shift units.
    let mut shift = exponent
        .saturating_sub(fraction.len() as i64)
        .saturating_add(decimals as i64);
    while shift < 0 && digits.ends_with('0') {
        digits.pop();
        shift += 1;
    }
    if shift < 0 {
        return Err(format!(
            "{text} has more decimals than the model's {decimals} (\"decimals\": {decimals})"
        ));
    }
    let digits = digits.trim_start_matches('0');
    let too_large =
        || format!("{text} is too large: a value is at most 2^53 - 1 units of 10^-{decimals}");
    if digits.is_empty() {
        return Ok(0);
    }
    if (digits.len() as i64).saturating_add(shift) > 17 {
        return Err(too_large());
    }
    let mut value: i128 = digits.parse().map_err(|_| too_large())?;
    value *= 10i128.pow(shift as u32);
    if value > MAX_COUNT as i128 {
        return Err(too_large());
    }
    Ok(if negative { -value } else { value })
}

impl Model {
    /// A one-table model from a grid of values whose last row and last
    /// column are the totals (`None`: hidden), as a program builds a
    /// table without a file. Rows are coded `r0`, `r1`..., columns `c0`...,
    /// the margins `Total`; `origin` and `line` give the cell's line as if
    /// the grid were a CSV file with a header line.
    pub fn grid_with_margins(name: &str, values: &[&[Option<Count>]]) -> Result<Model, ModelError> {
        let rows = values.len().saturating_sub(1);
        let cols = values.first().map_or(0, |l| l.len().saturating_sub(1));
        let dim = |name: &str, prefix: &str, n: usize| {
            let codes = (0..n)
                .map(|i| (format!("{prefix}{i}"), Some(n)))
                .chain([("Total".to_string(), None)]);
            Dimension::new(name, codes)
        };
        let mut cells = Vec::new();
        for (r, line) in values.iter().enumerate() {
            for (c, v) in line.iter().enumerate() {
                cells.push(Cell {
                    at: vec![r, c],
                    entry: v.map_or(Entry::Hidden, Entry::Published),
                    origin: format!("line {}, column {}", r + 2, c + 2),
                    line: Some(r + 2),
                });
            }
        }
        let dims = vec![dim("row", "r", rows)?, dim("column", "c", cols)?];
        Ok(Model {
            tables: vec![Table::new(name, dims, cells, Absent::Error, Layout::Grid)?],
            constraints: Vec::new(),
            source: format!("{name}.csv"),
            decimals: 0,
            negative: false,
        })
    }

    pub fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }

    /// Every hidden cell as `(table, cell)` in input order: tables in
    /// order, cells in listing order.
    pub fn hidden_cells(&self) -> impl Iterator<Item = CellRef> + '_ {
        self.tables.iter().enumerate().flat_map(|(t, table)| {
            table
                .cells
                .iter()
                .enumerate()
                .filter(|(_, c)| c.entry.is_hidden())
                .map(move |(c, _)| CellRef { table: t, cell: c })
        })
    }

    pub fn cell(&self, r: CellRef) -> &Cell {
        &self.tables[r.table].cells[r.cell]
    }

    /// The model of a rounded publication: every published value `v`
    /// (totals included) becomes [`Entry::Rounded`] with the interval
    /// [`Rounding::interval`] gives it (at least 0 unless `negative`);
    /// hidden cells and ranges keep their domains. A published value that
    /// is not a multiple of the base is bad input, named by its cell.
    ///
    /// ```
    /// use cellbound_core::model::{Entry, Model, Rounding, RoundingMode};
    ///
    /// let model = Model::grid_with_margins("t", &[&[Some(5), None, Some(10)], &[Some(5), Some(5), Some(10)]]).unwrap();
    /// let rounded = model.rounded(Rounding { base: 5, mode: RoundingMode::Nearest }, false).unwrap();
    /// assert_eq!(rounded.tables[0].cells[0].entry, Entry::Rounded { published: 5, lo: 3, hi: 7 });
    /// assert_eq!(rounded.tables[0].cells[1].entry, Entry::Hidden);
    /// ```
    pub fn rounded(
        mut self,
        rounding: Rounding,
        negative: bool,
    ) -> Result<Model, crate::error::InputError> {
        if rounding.base < 1 {
            return Err(crate::error::InputError::new(
                &self.source,
                format!(
                    "the rounding base must be at least 1, not {}",
                    rounding.base
                ),
            ));
        }
        for table in &mut self.tables {
            for cell in &mut table.cells {
                if let Entry::Published(v) = cell.entry {
                    let Some((lo, hi)) = rounding.interval(v, negative) else {
                        return Err(crate::error::InputError::new(
                            &self.source,
                            format!(
                                "the published value {} is not a multiple of the rounding base {}; check --rounded",
                                show_value(v as i128, self.decimals),
                                show_value(rounding.base as i128, self.decimals)
                            ),
                        )
                        .field(cell.origin.clone()));
                    };
                    cell.entry = Entry::Rounded {
                        published: v,
                        lo,
                        hi,
                    };
                }
            }
        }
        Ok(self)
    }
}

/// A listed cell of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    pub table: usize,
    pub cell: usize,
}

/// The suppression rule: what a hidden cell is assumed to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Hidden interior cells lie in `0..threshold` (unless `open`).
    pub threshold: Count,
    /// Zeros are published, so every hidden cell is at least 1.
    pub zeros_shown: bool,
    /// Hidden cells are not assumed small: only `>= 0` (or `>= 1`).
    pub open: bool,
    /// Values may be negative (`--allow-negative`): a hidden cell has no
    /// lower limit (and, under `open` or on a margin, no limit at all)
    /// unless a range or a line gives one.
    pub negative: bool,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            threshold: 5,
            zeros_shown: false,
            open: false,
            negative: false,
        }
    }
}

impl Rule {
    /// The default rule with `open` set (`--open`): hidden cells are only
    /// `>= 0`, not assumed below the threshold.
    ///
    /// ```
    /// use cellbound_core::Rule;
    ///
    /// let open = Rule::open();
    /// assert!(open.open && !open.zeros_shown);
    /// ```
    pub fn open() -> Self {
        Rule {
            open: true,
            ..Rule::default()
        }
    }

    /// The rule as it applies to `model`: with [`Rule::negative`] set when
    /// the model's values may be negative ([`Model::negative`]), whatever
    /// the caller's rule says. [`LinearSystem::build`](crate::LinearSystem)
    /// applies it; so must whatever describes the rule in force.
    ///
    /// ```
    /// use cellbound_core::{Model, Rule};
    ///
    /// let mut model = Model::grid_with_margins("t", &[&[None, Some(3)], &[Some(3), Some(3)]]).unwrap();
    /// assert!(!Rule::default().for_model(&model).negative);
    /// model.negative = true;
    /// assert!(Rule::default().for_model(&model).negative);
    /// ```
    pub fn for_model(self, model: &Model) -> Rule {
        Rule {
            negative: self.negative || model.negative,
            ..self
        }
    }
}

/// Where a hidden cell's domain came from, so that explanations can say
/// which assumption a conclusion rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainSource {
    /// The rule's threshold capped an interior cell.
    Threshold,
    /// The rule gave only a lower limit (margins, `--open`).
    RuleFloor,
    /// An explicit range in the input.
    Range,
    /// The interval a value published rounded stands for.
    Rounded,
}

/// The integer interval a hidden cell may take before any total is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    /// `None` when nothing bounds the cell from below (values that may be
    /// negative).
    pub lo: Option<Count>,
    pub hi: Option<Count>,
    pub source: DomainSource,
}

impl Domain {
    /// Whether `value` lies in the domain.
    pub fn contains(&self, value: Count) -> bool {
        within(value, self.lo, self.hi)
    }
}

/// Whether `value` lies in `lo..=hi`, `None` standing for no limit on
/// that side: the one domain check, for counts and for the solver's wider
/// integers alike.
///
/// ```
/// use cellbound_core::model::within;
///
/// assert!(within(7, Some(0), None));
/// assert!(!within(7i128, Some(0), Some(5)));
/// assert!(within(-7, None, Some(5)));
/// ```
pub fn within<T: PartialOrd>(value: T, lo: Option<T>, hi: Option<T>) -> bool {
    lo.is_none_or(|l| value >= l) && hi.is_none_or(|h| value <= h)
}

impl Rule {
    /// The domain of a hidden cell. `interior` says whether the cell is a
    /// leaf on every dimension; hidden margins are never assumed small.
    pub fn domain(&self, entry: Entry, interior: bool) -> Option<Domain> {
        // Values that may be negative have no floor.
        let floor = match (self.negative, self.zeros_shown) {
            (true, _) => None,
            (false, true) => Some(1),
            (false, false) => Some(0),
        };
        match entry {
            Entry::Published(_) => None,
            Entry::Range { lo, hi } => Some(Domain {
                lo,
                hi,
                source: DomainSource::Range,
            }),
            Entry::Rounded { lo, hi, .. } => Some(Domain {
                lo: Some(lo),
                hi: Some(hi),
                source: DomainSource::Rounded,
            }),
            Entry::Hidden if interior && !self.open => Some(Domain {
                lo: floor,
                hi: Some(self.threshold - 1),
                source: DomainSource::Threshold,
            }),
            Entry::Hidden => Some(Domain {
                lo: floor,
                hi: None,
                source: DomainSource::RuleFloor,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region() -> Dimension {
        Dimension::new(
            "mrc",
            vec![
                ("BSL".to_string(), None),
                ("Mitis".to_string(), Some(0)),
                ("Basques".to_string(), Some(0)),
            ],
        )
        .unwrap()
    }

    #[test]
    fn dimension_tree() {
        let d = region();
        assert_eq!(d.children(0), &[1, 2]);
        assert!(d.is_leaf(1) && !d.is_leaf(0));
        assert_eq!(d.parents().collect::<Vec<_>>(), vec![0]);
        assert_eq!(d.depth(2), 1);
        assert_eq!(d.find("Basques"), Some(2));
    }

    #[test]
    fn dimension_rejects_repeat_and_cycle() {
        assert!(matches!(
            Dimension::flat("d", ["a", "a"]),
            Err(ModelError::DuplicateCode { .. })
        ));
        let cyc = Dimension::new(
            "d",
            vec![("a".to_string(), Some(1)), ("b".to_string(), Some(0))],
        );
        assert!(matches!(cyc, Err(ModelError::Cycle { .. })));
    }

    #[test]
    fn table_requires_every_cell_unless_absent_zero() {
        let dims = vec![region(), Dimension::flat("v", ["1"]).unwrap()];
        let cells = vec![Cell {
            at: vec![1, 0],
            entry: Entry::Hidden,
            origin: "here".into(),
            line: None,
        }];
        let err = Table::new(
            "t",
            dims.clone(),
            cells.clone(),
            Absent::Error,
            Layout::Cube,
        );
        assert!(matches!(err, Err(ModelError::MissingCell { .. })));
        let ok = Table::new("t", dims, cells, Absent::Zero, Layout::Cube).unwrap();
        assert_eq!(ok.cell_at(&[1, 0]), Some(0));
        assert!(ok.is_interior(&[1, 0]) && !ok.is_interior(&[0, 0]));
    }

    #[test]
    fn rule_domains() {
        let rule = Rule::default();
        assert_eq!(rule.domain(Entry::Hidden, true).unwrap().hi, Some(4));
        assert_eq!(rule.domain(Entry::Hidden, false).unwrap().hi, None);
        let open = Rule {
            open: true,
            zeros_shown: true,
            ..rule
        };
        let d = open.domain(Entry::Hidden, true).unwrap();
        assert_eq!((d.lo, d.hi), (Some(1), None));
        let r = open
            .domain(
                Entry::Range {
                    lo: Some(0),
                    hi: Some(4),
                },
                true,
            )
            .unwrap();
        assert_eq!((r.lo, r.hi), (Some(0), Some(4)));
    }
}
