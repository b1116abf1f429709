//! Seeded synthetic workloads: realistic published tables with their
//! truth, for benchmarks and tests.
//!
//! A table is generated in three steps:
//!
//! 1. leaf counts, skewed as business counts are: some zeros, a share of
//!    small counts `1..T-1` (the primary suppressions), and a long tail
//!    (a discrete Pareto above `T`); every margin is the sum of its parts;
//! 2. primary suppression: every cell (leaf or margin) whose count lies in
//!    `1..T-1`;
//! 3. complementary suppression, iterated to a fixed point: while some
//!    additivity line (a parent and its children along one dimension) has
//!    exactly one hidden cell, the cheapest published cell of that line
//!    (smallest count, zeros last, first in order on a tie) is hidden too.
//!
//! The same seed gives the same table on every machine: the generator
//! uses its own SplitMix64 stream, no platform randomness.

use std::fmt::Write as _;

use crate::model::{Absent, Cell, Count, Dimension, Entry, Layout, Model, Table};

/// A small deterministic random stream (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }
}

/// The shape of a synthetic table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// A 2-D grid of `rows x cols` leaves with a total row and column.
    Grid { rows: usize, cols: usize },
    /// A 2-D table with a 3-level hierarchy on each dimension under a
    /// grand total: geography `geo[0] > geo[1] > geo[2]` areas (each level
    /// the total count at that level) by industry `ind[0] > ind[1] >
    /// ind[2]` codes.
    Hier { geo: [usize; 3], ind: [usize; 3] },
    /// A 3-D cube of `dims` leaves with a total on every dimension.
    Cube { dims: [usize; 3] },
    /// Any number of dimensions, each a tree of levels under its grand
    /// total ([`LevelDim`]): a flat dimension has one level, a
    /// hierarchical one several, as `Hier`'s dimensions have three.
    ///
    /// ```
    /// use cellbound_core::synth::{LevelDim, Params, Shape, Synth};
    ///
    /// let shape = Shape::Nd {
    ///     dims: vec![LevelDim::new("year", [3]), LevelDim::new("region", [2, 5])],
    /// };
    /// // (1 + 3) years by (1 + 2 + 5) regions.
    /// assert_eq!(shape.size(), (32, 15));
    /// let synth = Synth::generate(&Params::new(shape, 1));
    /// assert_eq!(synth.values.len(), 32);
    /// assert_eq!(synth.dims[1].codes[..4], ["Total", "R1", "R2", "R1.1"]);
    /// ```
    Nd { dims: Vec<LevelDim> },
}

/// One dimension of [`Shape::Nd`]: its name and how many codes it has at
/// each level under its grand total `Total`, from the top. Codes are the
/// name's first letter, upper case, and a number at the first level
/// (`R1`, `R2`), then the parent's code, a dot and a number (`R1.1`), so
/// that `--hierarchy NAME=prefix` reads a long file back. Each level is
/// spread as evenly as possible over the one above; a level with fewer
/// codes than the one above is raised to that many.
///
/// ```
/// use cellbound_core::synth::LevelDim;
///
/// let industry = LevelDim::new("industry", [10, 60, 251]);
/// assert_eq!(industry.levels, [10, 60, 251]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelDim {
    pub name: String,
    pub levels: Vec<usize>,
}

impl LevelDim {
    /// A dimension named `name` with `levels` codes at each level.
    pub fn new(name: impl Into<String>, levels: impl Into<Vec<usize>>) -> Self {
        LevelDim {
            name: name.into(),
            levels: levels.into(),
        }
    }

    /// The number of codes at each level as the generator makes them:
    /// each level at least as large as the one above (and the first at
    /// least 1).
    fn effective_levels(&self) -> Vec<u128> {
        let mut above = 1u128;
        self.levels
            .iter()
            .map(|&n| {
                above = (n as u128).max(above);
                above
            })
            .collect()
    }

    /// The first letter of the name, upper case: the codes' prefix.
    fn prefix(&self) -> String {
        self.name
            .chars()
            .next()
            .map_or_else(|| "D".to_string(), |c| c.to_uppercase().collect())
    }
}

impl Shape {
    /// The table's name (`grid`, `hier`, `cube`, `nd`).
    fn name(&self) -> &'static str {
        match self {
            Shape::Grid { .. } => "grid",
            Shape::Hier { .. } => "hier",
            Shape::Cube { .. } => "cube",
            Shape::Nd { .. } => "nd",
        }
    }

    /// The table's dimensions.
    fn dims(&self) -> Vec<SynthDim> {
        match self {
            Shape::Grid { rows, cols } => vec![
                SynthDim::flat_with_total("row", "R", *rows),
                SynthDim::flat_with_total("col", "C", *cols),
            ],
            Shape::Hier { geo, ind } => vec![
                SynthDim::levels("geography", "G", geo),
                SynthDim::levels("industry", "I", ind),
            ],
            Shape::Cube { dims } => vec![
                SynthDim::flat_with_total("a", "A", dims[0]),
                SynthDim::flat_with_total("b", "B", dims[1]),
                SynthDim::flat_with_total("c", "C", dims[2]),
            ],
            Shape::Nd { dims } => dims
                .iter()
                .map(|d| SynthDim::levels(&d.name, &d.prefix(), &d.levels))
                .collect(),
        }
    }

    /// `(cells, leaf cells)` of the table, margins included in the cells,
    /// counted without generating it (saturating at `u128::MAX`), so that
    /// a caller can refuse a table too large before it is made.
    ///
    /// ```
    /// use cellbound_core::synth::Shape;
    ///
    /// assert_eq!(Shape::Cube { dims: [2, 3, 4] }.size(), (3 * 4 * 5, 2 * 3 * 4));
    /// ```
    pub fn size(&self) -> (u128, u128) {
        // (codes, leaves) of each dimension.
        let flat = |n: usize| (n as u128 + 1, (n as u128).max(1));
        let levels = |levels: &[u128]| {
            let codes = levels.iter().fold(1u128, |s, &n| s.saturating_add(n));
            (codes, levels.last().copied().unwrap_or(1))
        };
        let per_dim: Vec<(u128, u128)> = match self {
            Shape::Grid { rows, cols } => vec![flat(*rows), flat(*cols)],
            Shape::Hier { geo, ind } => [geo, ind]
                .iter()
                .map(|l| levels(&LevelDim::new("", l.to_vec()).effective_levels()))
                .collect(),
            Shape::Cube { dims } => dims.iter().map(|&n| flat(n)).collect(),
            Shape::Nd { dims } => dims.iter().map(|d| levels(&d.effective_levels())).collect(),
        };
        per_dim.iter().fold((1u128, 1u128), |(c, l), &(dc, dl)| {
            (c.saturating_mul(dc), l.saturating_mul(dl))
        })
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub shape: Shape,
    pub seed: u64,
    /// Counts `1..threshold-1` are primary suppressions.
    pub threshold: Count,
    /// The share of leaf cells drawn small (`1..threshold-1`).
    pub small: f64,
    /// The share of leaf cells that are zero.
    pub zeros: f64,
    /// Whether complementary suppression follows the primary one (the
    /// default); without it the primary cells alone are hidden, as in a
    /// table before secondary suppression (the JJ file τ-ARGUS writes
    /// for its audit after a frequency rule).
    pub complements: bool,
}

impl Params {
    /// Defaults for a shape: threshold 5, 5% small leaves, 5% zeros,
    /// complementary suppression.
    pub fn new(shape: Shape, seed: u64) -> Self {
        Params {
            shape,
            seed,
            threshold: 5,
            small: 0.05,
            zeros: 0.05,
            complements: true,
        }
    }
}

/// One dimension of a synthetic table: codes in display order, parents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthDim {
    pub name: String,
    pub codes: Vec<String>,
    pub parent: Vec<Option<usize>>,
    pub children: Vec<Vec<usize>>,
}

impl SynthDim {
    fn new(name: &str, codes: Vec<(String, Option<usize>)>) -> Self {
        let mut children = vec![Vec::new(); codes.len()];
        for (i, (_, p)) in codes.iter().enumerate() {
            if let Some(p) = p {
                children[*p].push(i);
            }
        }
        SynthDim {
            name: name.to_string(),
            parent: codes.iter().map(|c| c.1).collect(),
            codes: codes.into_iter().map(|c| c.0).collect(),
            children,
        }
    }

    /// Leaves `prefix0001..` under a `Total` placed last.
    fn flat_with_total(name: &str, prefix: &str, n: usize) -> Self {
        let mut codes: Vec<(String, Option<usize>)> = (0..n)
            .map(|i| (format!("{prefix}{:0w$}", i + 1, w = digits(n)), Some(n)))
            .collect();
        codes.push(("Total".to_string(), None));
        Self::new(name, codes)
    }

    /// `Total > level 1 > level 2 > ...`, `sizes` the number of codes at
    /// each level, spread as evenly as possible; parents precede their
    /// children.
    fn levels(name: &str, prefix: &str, sizes: &[usize]) -> Self {
        let mut codes: Vec<(String, Option<usize>)> = vec![("Total".to_string(), None)];
        let mut level: Vec<usize> = vec![0];
        for (depth, &n) in sizes.iter().enumerate() {
            let n = n.max(level.len());
            let mut next = Vec::with_capacity(n);
            let parents = level.len();
            for (k, &p) in level.iter().enumerate() {
                let share = n / parents + usize::from(k < n % parents);
                for j in 0..share {
                    let code = format!("{}.{:0w$}", codes[p].0, j + 1, w = digits(share));
                    let code = if depth == 0 {
                        format!("{prefix}{:0w$}", j + 1, w = digits(share))
                    } else {
                        code
                    };
                    next.push(codes.len());
                    codes.push((code, Some(p)));
                }
            }
            level = next;
        }
        Self::new(name, codes)
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
    pub fn is_leaf(&self, i: usize) -> bool {
        self.children[i].is_empty()
    }
    fn depth(&self, mut i: usize) -> usize {
        let mut d = 0;
        while let Some(p) = self.parent[i] {
            i = p;
            d += 1;
        }
        d
    }
}

fn digits(n: usize) -> usize {
    n.max(1).to_string().len()
}

/// A generated table: every cell of the cross product (margins included)
/// with its true count and whether it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synth {
    pub name: String,
    pub dims: Vec<SynthDim>,
    /// Row-major over the dimensions' codes.
    pub values: Vec<Count>,
    pub hidden: Vec<bool>,
    /// How many cells the primary rule hid (the rest of the hidden cells
    /// are complements).
    pub primary: usize,
}

impl Synth {
    /// Generates the table of `params`.
    pub fn generate(params: &Params) -> Synth {
        let dims = params.shape.dims();
        let name = params.shape.name();
        let sizes: Vec<usize> = dims.iter().map(SynthDim::len).collect();
        let total: usize = sizes.iter().product();
        let strides = strides(&sizes);
        let mut rng = Rng::new(params.seed);
        let t = params.threshold.max(2);
        let mut values = vec![0 as Count; total];
        let mut at = vec![0usize; dims.len()];
        for (k, value) in values.iter_mut().enumerate() {
            unflatten(k, &sizes, &mut at);
            if at.iter().zip(&dims).all(|(&c, d)| d.is_leaf(c)) {
                *value = draw(&mut rng, params, t);
            }
        }
        // Margins: along each dimension, parents deepest first.
        for (d, dim) in dims.iter().enumerate() {
            let mut parents: Vec<usize> = (0..dim.len()).filter(|&c| !dim.is_leaf(c)).collect();
            parents.sort_by_key(|&c| std::cmp::Reverse(dim.depth(c)));
            let stride = strides[d];
            let outer = total / (sizes[d] * stride);
            for &p in &parents {
                for o in 0..outer {
                    let base = o * sizes[d] * stride;
                    for i in 0..stride {
                        let sum = dim.children[p]
                            .iter()
                            .map(|&c| values[base + c * stride + i])
                            .sum();
                        values[base + p * stride + i] = sum;
                    }
                }
            }
        }
        let mut hidden: Vec<bool> = values.iter().map(|&v| v >= 1 && v < t).collect();
        let primary = hidden.iter().filter(|&&h| h).count();
        let mut synth = Synth {
            name: name.to_string(),
            dims,
            values,
            hidden: Vec::new(),
            primary,
        };
        if params.complements {
            synth.complement(&mut hidden);
        }
        synth.hidden = hidden;
        synth
    }

    fn sizes(&self) -> Vec<usize> {
        self.dims.iter().map(SynthDim::len).collect()
    }

    /// The additivity lines as `(dimension, parent cell index)`.
    pub fn lines(&self) -> Vec<(usize, usize)> {
        let sizes = self.sizes();
        let mut at = vec![0usize; sizes.len()];
        let mut out = Vec::new();
        for k in 0..self.values.len() {
            unflatten(k, &sizes, &mut at);
            for (d, dim) in self.dims.iter().enumerate() {
                if !dim.is_leaf(at[d]) {
                    out.push((d, k));
                }
            }
        }
        out
    }

    /// The cells of a line: the parent first, then its children.
    pub fn line_cells(&self, line: (usize, usize), out: &mut Vec<usize>) {
        let (d, k) = line;
        let sizes = self.sizes();
        let stride: usize = sizes[d + 1..].iter().product();
        let p = (k / stride) % sizes[d];
        let base = k - p * stride;
        out.clear();
        out.push(k);
        out.extend(self.dims[d].children[p].iter().map(|&c| base + c * stride));
    }

    /// Hides the cheapest published cell of every line with exactly one
    /// hidden cell, until no line has one.
    fn complement(&self, hidden: &mut [bool]) {
        let sizes = self.sizes();
        let strides = strides(&sizes);
        let lines = self.lines();
        // The lines each cell belongs to: as parent, and as a child.
        let mut line_of: std::collections::HashMap<(usize, usize), usize> =
            std::collections::HashMap::with_capacity(lines.len());
        for (i, &l) in lines.iter().enumerate() {
            line_of.insert(l, i);
        }
        let mut queued = vec![true; lines.len()];
        let mut queue: std::collections::VecDeque<usize> = (0..lines.len()).collect();
        let mut cells = Vec::new();
        let mut at = vec![0usize; sizes.len()];
        while let Some(l) = queue.pop_front() {
            queued[l] = false;
            self.line_cells(lines[l], &mut cells);
            if cells.iter().filter(|&&c| hidden[c]).count() != 1 {
                continue;
            }
            let cheapest = cells
                .iter()
                .copied()
                .filter(|&c| !hidden[c])
                .min_by_key(|&c| (self.values[c] == 0, self.values[c]));
            let Some(c) = cheapest else { continue };
            hidden[c] = true;
            unflatten(c, &sizes, &mut at);
            for (d, dim) in self.dims.iter().enumerate() {
                let mut touch = |key: (usize, usize)| {
                    if let Some(&i) = line_of.get(&key) {
                        if !queued[i] {
                            queued[i] = true;
                            queue.push_back(i);
                        }
                    }
                };
                if !dim.is_leaf(at[d]) {
                    touch((d, c));
                }
                if let Some(p) = dim.parent[at[d]] {
                    touch((d, c - at[d] * strides[d] + p * strides[d]));
                }
            }
        }
    }

    /// How many cells are hidden.
    pub fn hidden_count(&self) -> usize {
        self.hidden.iter().filter(|&&h| h).count()
    }

    /// The table as a model: hidden cells hidden, or every cell published
    /// with `truth`.
    pub fn model(&self, truth: bool) -> Model {
        let dims: Vec<Dimension> = self
            .dims
            .iter()
            .map(|d| {
                Dimension::new(
                    d.name.clone(),
                    d.codes.iter().cloned().zip(d.parent.iter().copied()),
                )
                .expect("generated dimensions are well formed")
            })
            .collect();
        let sizes = self.sizes();
        let mut at = vec![0usize; sizes.len()];
        let cells = (0..self.values.len())
            .map(|k| {
                unflatten(k, &sizes, &mut at);
                Cell {
                    at: at.clone(),
                    entry: if self.hidden[k] && !truth {
                        Entry::Hidden
                    } else {
                        Entry::Published(self.values[k])
                    },
                    origin: format!("cells[{k}]"),
                    line: None,
                }
            })
            .collect();
        let layout = if self.dims.len() == 2 && matches!(self.name.as_str(), "grid") {
            Layout::Grid
        } else {
            Layout::Cube
        };
        Model {
            tables: vec![
                Table::new(self.name.clone(), dims, cells, Absent::Error, layout)
                    .expect("generated tables are complete"),
            ],
            constraints: vec![],
            source: format!("{}.synth", self.name),
            decimals: 0,
            negative: false,
        }
    }

    /// A 2-D table as a CSV grid (docs/formats.md section 1): hidden cells `x`,
    /// or every count with `truth`.
    pub fn csv(&self, truth: bool) -> String {
        assert_eq!(self.dims.len(), 2, "a CSV grid has two dimensions");
        let (rows, cols) = (&self.dims[0], &self.dims[1]);
        let mut out = String::with_capacity(self.values.len() * 4);
        out.push_str(&rows.name);
        for c in &cols.codes {
            out.push(',');
            out.push_str(c);
        }
        out.push('\n');
        for (r, code) in rows.codes.iter().enumerate() {
            out.push_str(code);
            for c in 0..cols.len() {
                let k = r * cols.len() + c;
                if self.hidden[k] && !truth {
                    out.push_str(",x");
                } else {
                    let _ = write!(out, ",{}", self.values[k]);
                }
            }
            out.push('\n');
        }
        out
    }

    /// The table as a long file (docs/formats.md, "Long files and
    /// SDMX-CSV"): one column per dimension, `VALUE` and `STATUS`, one row
    /// per cell in row-major order; a hidden cell has an empty `VALUE` and
    /// the `STATUS` `x` (every count with `truth`). Every dimension's grand
    /// total is coded `Total`, and the codes of the hierarchical shape
    /// are built by prefix (`G01` > `G01.03` > `G01.03.12`), so the file
    /// reads back to [`Synth::model`] with `--hierarchy geography=prefix
    /// --hierarchy industry=prefix`.
    ///
    /// ```
    /// use cellbound_core::synth::{Params, Shape, Synth};
    ///
    /// let synth = Synth::generate(&Params::new(Shape::Grid { rows: 2, cols: 2 }, 1));
    /// let text = synth.long_csv(false);
    /// assert!(text.starts_with("row,col,VALUE,STATUS\nR1,C1,"));
    /// assert_eq!(text.lines().count(), 1 + 9);
    /// ```
    pub fn long_csv(&self, truth: bool) -> String {
        let mut out = String::with_capacity(self.values.len() * 32);
        for d in &self.dims {
            out.push_str(&d.name);
            out.push(',');
        }
        out.push_str("VALUE,STATUS\n");
        let sizes = self.sizes();
        let mut at = vec![0usize; sizes.len()];
        for k in 0..self.values.len() {
            unflatten(k, &sizes, &mut at);
            for (d, &c) in at.iter().enumerate() {
                out.push_str(&self.dims[d].codes[c]);
                out.push(',');
            }
            if self.hidden[k] && !truth {
                out.push_str(",x\n");
            } else {
                let _ = writeln!(out, "{},", self.values[k]);
            }
        }
        out
    }

    /// The table as a JSON model (docs/formats.md section 2), cells in
    /// row-major order: hidden cells `"hidden": true`, or every count with
    /// `truth`.
    pub fn json(&self, truth: bool) -> String {
        let mut out = String::with_capacity(self.values.len() * 40);
        let _ = write!(out, "{{\"name\": {:?},\n \"dimensions\": [", self.name);
        for (d, dim) in self.dims.iter().enumerate() {
            if d > 0 {
                out.push(',');
            }
            let _ = write!(out, "\n  {{\"name\": {:?}, \"tree\": ", dim.name);
            let roots: Vec<usize> = (0..dim.len())
                .filter(|&c| dim.parent[c].is_none())
                .collect();
            out.push('{');
            for (i, &r) in roots.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                tree_json(dim, r, &mut out);
            }
            out.push_str("}}");
        }
        out.push_str("\n ],\n \"cells\": [");
        let sizes = self.sizes();
        let mut at = vec![0usize; sizes.len()];
        for k in 0..self.values.len() {
            unflatten(k, &sizes, &mut at);
            out.push_str(if k == 0 { "\n  " } else { ",\n  " });
            out.push_str("{\"at\": [");
            for (d, &c) in at.iter().enumerate() {
                if d > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{:?}", self.dims[d].codes[c]);
            }
            if self.hidden[k] && !truth {
                out.push_str("], \"hidden\": true}");
            } else {
                let _ = write!(out, "], \"value\": {}}}", self.values[k]);
            }
        }
        out.push_str("\n ]\n}\n");
        out
    }
}

/// `"code": children` of a parent (`null` for a leaf).
fn tree_json(dim: &SynthDim, c: usize, out: &mut String) {
    let _ = write!(out, "{:?}: ", dim.codes[c]);
    if dim.is_leaf(c) {
        out.push_str("null");
        return;
    }
    out.push('{');
    for (i, &ch) in dim.children[c].iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        tree_json(dim, ch, out);
    }
    out.push('}');
}

/// One leaf count: zero, small (a primary suppression), or from the long
/// tail above the threshold.
fn draw(rng: &mut Rng, params: &Params, t: Count) -> Count {
    let u = rng.unit();
    if u < params.zeros {
        0
    } else if u < params.zeros + params.small {
        1 + rng.below((t - 1) as u64) as Count
    } else {
        // A discrete Pareto (shape 1.1, scale 6) above the threshold:
        // many counts under 10, a long tail, capped at a million.
        let tail = 6.0 * ((1.0 - rng.unit()).powf(-1.0 / 1.1) - 1.0);
        t + (tail.min(1e6) as Count)
    }
}

fn strides(sizes: &[usize]) -> Vec<usize> {
    let mut s = vec![1; sizes.len()];
    for d in (0..sizes.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * sizes[d + 1];
    }
    s
}

fn unflatten(mut k: usize, sizes: &[usize], at: &mut [usize]) {
    for d in (0..sizes.len()).rev() {
        at[d] = k % sizes[d];
        k /= sizes[d];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rule;
    use crate::system::LinearSystem;

    fn shapes() -> Vec<Shape> {
        vec![
            Shape::Grid { rows: 30, cols: 8 },
            Shape::Hier {
                geo: [3, 6, 18],
                ind: [2, 5, 12],
            },
            Shape::Cube { dims: [5, 4, 6] },
            nd(),
        ]
    }

    /// Four dimensions: two flat, two hierarchical (one with two levels,
    /// one with three).
    fn nd() -> Shape {
        Shape::Nd {
            dims: vec![
                LevelDim::new("year", [3]),
                LevelDim::new("size", [4]),
                LevelDim::new("region", [2, 5]),
                LevelDim::new("industry", [2, 4, 7]),
            ],
        }
    }

    #[test]
    fn size_counts_what_generate_makes() {
        let mut all = shapes();
        // A level smaller than the one above is raised to it.
        all.push(Shape::Nd {
            dims: vec![LevelDim::new("a", [3, 2]), LevelDim::new("b", [0])],
        });
        all.push(Shape::Hier {
            geo: [4, 2, 9],
            ind: [1, 1, 1],
        });
        for shape in all {
            let s = Synth::generate(&Params::new(shape.clone(), 1));
            let sizes = s.sizes();
            let mut at = vec![0; sizes.len()];
            let leaves = (0..s.values.len())
                .filter(|&k| {
                    unflatten(k, &sizes, &mut at);
                    at.iter().zip(&s.dims).all(|(&c, d)| d.is_leaf(c))
                })
                .count() as u128;
            assert_eq!(shape.size(), (s.values.len() as u128, leaves), "{shape:?}");
        }
        let huge = Shape::Nd {
            dims: vec![LevelDim::new("a", [usize::MAX]); 5],
        };
        assert_eq!(huge.size(), (u128::MAX, u128::MAX));
    }

    #[test]
    fn nd_codes_follow_their_levels() {
        let s = Synth::generate(&Params::new(nd(), 1));
        let names: Vec<&str> = s.dims.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["year", "size", "region", "industry"]);
        assert_eq!(s.dims[0].codes, ["Total", "Y1", "Y2", "Y3"]);
        let region = &s.dims[2];
        assert_eq!(region.len(), 1 + 2 + 5);
        // 5 areas over 2 regions: 3 and 2, each under its parent's code.
        assert_eq!(region.children[1].len(), 3);
        assert_eq!(region.children[2].len(), 2);
        for c in 3..region.len() {
            let p = region.parent[c].unwrap();
            assert!(region.codes[c].starts_with(&format!("{}.", region.codes[p])));
        }
        let industry = &s.dims[3];
        assert_eq!(industry.len(), 1 + 2 + 4 + 7);
        assert_eq!(
            (0..industry.len()).filter(|&c| industry.is_leaf(c)).count(),
            7
        );
        assert_eq!(industry.depth(industry.len() - 1), 3);
        assert_eq!(s.values.len(), 4 * 5 * 8 * 14);
    }

    #[test]
    fn primary_cells_are_the_small_counts_and_the_rest_complements() {
        for shape in shapes() {
            for seed in 0..3 {
                let mut p = Params::new(shape.clone(), seed);
                p.small = 0.2;
                p.threshold = 4;
                let s = Synth::generate(&p);
                let small: Vec<usize> = (0..s.values.len())
                    .filter(|&k| (1..4).contains(&s.values[k]))
                    .collect();
                assert_eq!(s.primary, small.len(), "{shape:?} seed {seed}");
                assert!(small.iter().all(|&k| s.hidden[k]));
                // Some cells are complements: a lone primary cell on a
                // line needs one.
                assert!(s.hidden_count() > s.primary, "{shape:?} seed {seed}");
            }
            // Without complements, the primary cells alone.
            let mut p = Params::new(shape.clone(), 2);
            p.small = 0.2;
            p.complements = false;
            let s = Synth::generate(&p);
            assert!(s.primary > 0);
            for (k, &v) in s.values.iter().enumerate() {
                assert_eq!(s.hidden[k], (1..5).contains(&v), "{shape:?}: cell {k}");
            }
            // No small count, nothing hidden: every complement is there
            // for a primary cell.
            let mut p = Params::new(shape.clone(), 5);
            p.small = 0.0;
            let s = Synth::generate(&p);
            assert_eq!((s.primary, s.hidden_count()), (0, 0), "{shape:?}");
        }
    }

    #[test]
    fn deterministic_for_a_seed() {
        for shape in shapes() {
            let a = Synth::generate(&Params::new(shape.clone(), 7));
            let b = Synth::generate(&Params::new(shape.clone(), 7));
            let c = Synth::generate(&Params::new(shape, 8));
            assert_eq!(a, b);
            assert_ne!(a.values, c.values);
        }
    }

    #[test]
    fn no_line_has_a_single_hidden_cell() {
        for shape in shapes() {
            for seed in 0..5 {
                let mut p = Params::new(shape.clone(), seed);
                p.small = 0.15;
                let s = Synth::generate(&p);
                assert!(s.primary > 0, "{shape:?}");
                assert!(s.hidden_count() >= s.primary);
                let mut cells = Vec::new();
                for line in s.lines() {
                    s.line_cells(line, &mut cells);
                    let n = cells.iter().filter(|&&c| s.hidden[c]).count();
                    assert_ne!(n, 1, "{shape:?} seed {seed} line {line:?}");
                }
                // The same through the linear system: no row with one
                // unknown.
                let system = LinearSystem::build(&s.model(false), Rule::default()).unwrap();
                assert!(system.rows.iter().all(|r| r.terms.len() != 1));
            }
        }
    }

    #[test]
    fn truth_adds_up_and_counts_are_skewed() {
        for shape in shapes() {
            let s = Synth::generate(&Params::new(shape, 3));
            // Every line holds with every cell published.
            let truth = s.model(true);
            let system = LinearSystem::build(&truth, Rule::default()).unwrap();
            assert!(system.vars.is_empty());
            // Primary suppressions are exactly the small counts.
            for (k, &v) in s.values.iter().enumerate() {
                if (1..5).contains(&v) {
                    assert!(s.hidden[k]);
                }
            }
        }
        let s = Synth::generate(&Params::new(
            Shape::Grid {
                rows: 200,
                cols: 20,
            },
            1,
        ));
        let leaves: Vec<Count> = (0..200)
            .flat_map(|r| (0..20).map(move |c| r * 21 + c))
            .map(|k| s.values[k])
            .collect();
        let under_10 = leaves.iter().filter(|&&v| v < 10).count();
        assert!(under_10 * 4 > leaves.len(), "many under 10: {under_10}");
        assert!(leaves.iter().any(|&v| v > 200), "a long tail");
    }

    #[test]
    fn outputs_read_back() {
        let s = Synth::generate(&Params::new(Shape::Grid { rows: 12, cols: 5 }, 2));
        let m = crate::io::csv_grid::read(
            s.csv(false).as_bytes(),
            "g.csv",
            "g",
            &crate::io::GridOptions::default(),
        )
        .unwrap();
        assert_eq!(m.hidden_cells().count(), s.hidden_count());
        let h = Synth::generate(&Params::new(
            Shape::Hier {
                geo: [2, 4, 8],
                ind: [2, 3, 6],
            },
            2,
        ));
        let m = crate::io::json_model::read(h.json(false).as_bytes(), "h.json", "h").unwrap();
        assert_eq!(m.hidden_cells().count(), h.hidden_count());
        let t = crate::io::json_model::read(h.json(true).as_bytes(), "t.json", "t").unwrap();
        assert_eq!(t.hidden_cells().count(), 0);
    }
}
