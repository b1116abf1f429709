//! The τ-ARGUS JJ format: the plain-text interchange file that τ-ARGUS
//! (libtauargus, `JJFormat.cpp`) writes for its suppression solvers.
//!
//! ```text
//! 0
//! <number of cells>
//! <id> <value> <cost> <status> <lower bound> <upper bound> <lower pl> <upper pl> <sliding pl>
//! ...                                   one line per cell, ids 0, 1, 2, ... in order
//! <number of relations>
//! <rhs> <number of terms> : <id> (<coef>) <id> (<coef>) ...
//! ...                                   one line per relation
//! ```
//!
//! Fields are separated by white space; blank lines are skipped. A
//! relation `0 4 : 1 (-1) 2 (1) 3 (1) 4 (1)` says `0 = -cell1 + cell2 +
//! cell3 + cell4`: cell 1 is the total of cells 2 to 4. Inside a relation
//! the space before `(` and the spaces inside `( -1 )` are optional, and so
//! is the space around `:`.
//!
//! # The mapping to a [`Model`]
//!
//! - One table named after the file's stem, [`Layout::Cube`],
//!   [`Absent::Error`], with one flat dimension `cell` whose codes are the
//!   ids as strings (`"0"`, `"1"`, ...). Cell `k` of the file is cell `k`
//!   of the table (`at = [k]`), with origin `cell <id>` and its line.
//! - Status `s` (safe) and `z` (protected: published, may not be
//!   suppressed) are published: [`Entry::Published`] with the value.
//!   Status `u` (unsafe: a primary suppression) and `m` (secondary
//!   suppression) are hidden: [`Entry::Range`] with the a-priori bounds,
//!   which are what an attacker knows of the cell. The value of a hidden
//!   cell (its true value) stays in [`JjCell::value`]. The status letters
//!   are read in either case.
//! - The table has no hierarchy: every relation becomes one of
//!   [`Model::constraints`], `op` [`Op::Eq`], `rhs` the leading number,
//!   one term per `id (coef)` pair (table 0, `at = [id]`), with origin
//!   `relation <k> (line <L>)`, `k` counting from 0 in file order.
//! - The first line must be the number 0, as τ-ARGUS writes it (`0.0`
//!   too): anything else says the file is not a JJ file, an error.
//!
//! # Numbers
//!
//! Numbers may have decimals and an exponent (`12.00`, `2.000`, `1.0E+15`);
//! they are read exactly, not through floating point. τ-ARGUS writes the
//! values of a magnitude table with decimals (`1234.56`) and their
//! protection levels with three more (`123.456`), so:
//!
//! - the model's [`Model::decimals`] are the most decimals any cell's
//!   value needs, trailing zeros left out (`12.50` needs 1, `12.00` none:
//!   a file of counts written `12.00` is a model of counts), at most
//!   [`MAX_DECIMALS`]; every value, bound and level is then held as an
//!   integer number of `10^-decimals` units;
//! - a value must be non-negative and no larger than [`MAX_COUNT`] units
//!   (`-3` is an error naming the file, the line and the field `value`);
//!   ids, the counts and coefficients must be whole; a relation's
//!   right-hand side must be a whole number of units;
//! - a protection level with more decimals than the values is rounded
//!   **up** to a unit (a level of 2.5 on counts needs 3; `1.2345` on
//!   values with two decimals needs `1.24`: the safe reading); a negative
//!   one is an error;
//! - an a-priori lower bound with more decimals is rounded up to a unit
//!   and an upper bound down (the values in the interval are the same); a
//!   negative lower bound is clamped to 0 (values are never negative: a
//!   weaker bound is no loss);
//! - an upper bound of 10^15 ([`NO_UPPER`]) or more in the file's units,
//!   or more than [`MAX_COUNT`] units, means no upper bound
//!   (`upper: None`, `hi: None`);
//! - the value of a hidden cell must lie within its (rounded) bounds,
//!   otherwise the bound that excludes it is an error; a published cell
//!   whose bounds do not hold its value (sdcTable writes a value
//!   variable's file with bounds taken from the frequencies) is read with
//!   the bounds widened to hold it, and said in [`JjFile::warnings`]: its
//!   value is known, its bounds change nothing;
//! - a fractional cost is rounded up, in the file's units (cellbound does
//!   not choose suppressions: the cost is only carried along).
//!
//! ```
//! use cellbound_core::io::jj::read;
//! use cellbound_core::model::Entry;
//!
//! let text = "0\n3\n0 12.5 1 s 0 1e15 0 0 0\n1 7.25 1 u 0 1e15 1.125 2.0005 0\n\
//!             2 5.25 1 s 6 9 0 0 0\n1\n0 3 : 0 (-1) 1 (1) 2 (1)\n";
//! let file = read(text.as_bytes(), "t.jj", "t").unwrap();
//! assert_eq!(file.model.decimals, 2);
//! assert_eq!(file.model.tables[0].cells[0].entry, Entry::Published(1250));
//! // Levels round up to a hundredth.
//! assert_eq!((file.cells[1].lower_protection, file.cells[1].upper_protection), (113, 201));
//! // Cell 2 is published at 5.25 with bounds 6..9: a warning, not an error.
//! assert!(file.warnings[0].contains("t.jj:5: cell 2 is published"));
//! ```
//!
//! # Structure errors
//!
//! Ids must be 0, 1, 2, ... in file order. The number of cells and of
//! relations must match the lines that follow: too few lines is an error
//! at the line where the next section (or the end of the file) shows up,
//! or at the count's line if the file ends; extra lines are an error at
//! the first extra line. A relation naming an unknown id, a malformed
//! `(coef)`, or a number of terms that does not match its pairs is an
//! error naming the line and the relation.
//!
//! # Writing
//!
//! [`write`] writes any model: every listed cell of every table gets the
//! next id (tables in order, cells in listing order); its line comes from
//! the [`JjCell`] given for it. The relations are every additivity line
//! of every table (the last dimension first, as [`crate::system`] orders
//! them: a grid's rows before its columns), `0 n : parent (-1) child (1)
//! ...`, where unlisted cells of an [`Absent::Zero`] table are structural
//! zeros and left out, followed by the model's extra constraints (a term
//! on a structural zero left out too). Only equations can be written: a
//! `<=` or `>=` constraint is an error naming it. The cell lines are
//! checked so that they read back as written (value and levels from 0 to
//! [`MAX_COUNT`], `0 <= lower <= value <= upper`); the model's entries are
//! not consulted for them. Values, bounds, levels and right-hand sides
//! are written in the model's units with its decimals ([`show_value`]),
//! costs as integers; an upper bound of `None` is written as
//! [`MAX_COUNT`] (9007199254740991) in the file's units, which reads back
//! as `None`.

use std::fmt::Write as _;

use crate::error::InputError;
use crate::model::{
    describe_at, show_value, Absent, Cell, Constraint, Count, Dimension, Entry, Layout, Model, Op,
    Table, Term, MAX_COUNT,
};

/// The most decimals a JJ file's values may have (as a JSON model's
/// `"decimals"`).
pub const MAX_DECIMALS: u32 = 15;

/// An upper bound at or above this (10^15) reads as no upper bound.
pub const NO_UPPER: Count = 1_000_000_000_000_000;

/// The status of a cell in a JJ file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JjStatus {
    /// `s`: safe, published.
    Safe,
    /// `u`: unsafe, a primary suppression (carries protection levels).
    Unsafe,
    /// `m`: a secondary (complementary) suppression.
    Secondary,
    /// `z`: protected or empty: published, may not be suppressed.
    Protected,
}

impl JjStatus {
    /// The letter τ-ARGUS writes.
    pub fn letter(self) -> char {
        match self {
            JjStatus::Safe => 's',
            JjStatus::Unsafe => 'u',
            JjStatus::Secondary => 'm',
            JjStatus::Protected => 'z',
        }
    }

    /// The status of a letter, in either case.
    pub fn from_letter(text: &str) -> Option<JjStatus> {
        match text {
            "s" | "S" => Some(JjStatus::Safe),
            "u" | "U" => Some(JjStatus::Unsafe),
            "m" | "M" => Some(JjStatus::Secondary),
            "z" | "Z" => Some(JjStatus::Protected),
            _ => None,
        }
    }

    /// Whether a cell with this status is suppressed (`u` or `m`).
    pub fn is_hidden(self) -> bool {
        matches!(self, JjStatus::Unsafe | JjStatus::Secondary)
    }
}

/// One cell line of a JJ file, with the decisions of the module doc
/// applied (whole numbers, levels rounded up, bounds tightened to
/// integers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JjCell {
    pub id: usize,
    /// The cell's value: for a suppressed cell, its true value.
    pub value: Count,
    pub cost: Count,
    pub status: JjStatus,
    /// The a-priori lower bound (at least 0).
    pub lower: Count,
    /// The a-priori upper bound; `None` for none.
    pub upper: Option<Count>,
    pub lower_protection: Count,
    pub upper_protection: Count,
    pub sliding: Count,
}

impl JjCell {
    /// The model entry of the cell: published for `s` and `z`, the
    /// a-priori range for `u` and `m`.
    pub fn entry(&self) -> Entry {
        if self.status.is_hidden() {
            Entry::Range {
                lo: Some(self.lower),
                hi: self.upper,
            }
        } else {
            Entry::Published(self.value)
        }
    }

    /// A cell line for a model entry when nothing more is known: a
    /// published entry is safe (`s`), a hidden one secondary (`m`) with
    /// the entry's range as bounds (`0` and none for [`Entry::Hidden`]);
    /// cost 1, no protection levels. `value` is the cell's value (for a
    /// hidden cell, its true value).
    pub fn from_entry(entry: Entry, value: Count) -> JjCell {
        let (status, lower, upper) = match entry {
            Entry::Published(_) => (JjStatus::Safe, 0, None),
            Entry::Hidden => (JjStatus::Secondary, 0, None),
            // A JJ file has a lower bound on every cell: none is written
            // as the lowest value a count may take.
            Entry::Range { lo, hi } => (JjStatus::Secondary, lo.unwrap_or(-MAX_COUNT), hi),
            Entry::Rounded { lo, hi, .. } => (JjStatus::Secondary, lo, Some(hi)),
        };
        JjCell {
            id: 0,
            value,
            cost: 1,
            status,
            lower,
            upper,
            lower_protection: 0,
            upper_protection: 0,
            sliding: 0,
        }
    }
}

/// A JJ file read: the model, and the cell lines in file order
/// (`cells[k]` is cell `k` of table 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JjFile {
    pub model: Model,
    pub cells: Vec<JjCell>,
    /// What the reader noticed but did not refuse (a published cell whose
    /// a-priori bounds do not hold its value), each naming the file, the
    /// line and the cell.
    pub warnings: Vec<String>,
}

// ---------------------------------------------------------------------------
// Numbers.

/// The integer part saturates here: far beyond any count.
const CAP: u128 = 1_000_000_000_000_000_000_000_000_000_000; // 10^30

/// A decimal number read exactly: `|x| = int + f` with `f` in `[0, 1)`,
/// `frac` telling whether `f > 0`. `int` saturates at [`CAP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Num {
    neg: bool,
    int: u128,
    frac: bool,
}

impl Num {
    fn floor(self) -> i128 {
        let int = self.int as i128;
        if self.neg {
            -(int + self.frac as i128)
        } else {
            int
        }
    }
    fn ceil(self) -> i128 {
        let int = self.int as i128;
        if self.neg {
            -int
        } else {
            int + self.frac as i128
        }
    }
    fn whole(self) -> Option<i128> {
        (!self.frac).then(|| self.floor())
    }
}

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (at least one mantissa
/// digit; `.5` and `5.` are fine). `None` if the text is not a number.
fn parse_num(text: &str) -> Option<Num> {
    parse_num_at(text, 0)
}

/// [`parse_num`] of the number times `10^decimals`: the number in units
/// of `10^-decimals`.
fn parse_num_at(text: &str, decimals: u32) -> Option<Num> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut neg = false;
    if let Some(&s) = b.first() {
        if s == b'+' || s == b'-' {
            neg = s == b'-';
            i = 1;
        }
    }
    // Every mantissa digit, the point left out; `frac_len` of them come
    // after the point.
    let mut digits: Vec<u8> = Vec::new();
    let mut frac_len: i64 = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        digits.push(c - b'0');
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            digits.push(c - b'0');
            frac_len += 1;
            i += 1;
        }
    }
    if digits.is_empty() {
        return None;
    }
    let mut exp: i64 = 0;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let mut eneg = false;
        if let Some(&s) = b.get(i) {
            if s == b'+' || s == b'-' {
                eneg = s == b'-';
                i += 1;
            }
        }
        let start = i;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            exp = (exp * 10 + (c - b'0') as i64).min(1_000_000_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        if eneg {
            exp = -exp;
        }
    }
    if i != b.len() {
        return None;
    }
    // Leading zeros change nothing.
    let first = digits.iter().position(|&d| d != 0).unwrap_or(digits.len());
    Some(scale(
        neg,
        &digits[first..],
        exp + decimals as i64,
        frac_len,
    ))
}

/// The decimals a number's text needs to be held exactly: the digits
/// after the point, trailing zeros left out, less the exponent (`12.50`
/// needs 1, `1.25e1` 1, `12.00` none). `None` if the text is not a
/// number.
fn decimals_needed(text: &str) -> Option<i64> {
    parse_num(text)?;
    let t = text.trim_start_matches(['+', '-']);
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(at) => (&t[..at], t[at + 1..].parse::<i64>().unwrap_or(0)),
        None => (t, 0),
    };
    let fraction = mantissa.split_once('.').map_or("", |(_, f)| f);
    let fraction = fraction.trim_end_matches('0');
    Some((fraction.len() as i64 - exp).max(0))
}

/// `digits` (no leading zeros) times `10^(exp - frac_len)`.
fn scale(neg: bool, digits: &[u8], exp: i64, frac_len: i64) -> Num {
    if digits.is_empty() {
        return Num {
            neg: false,
            int: 0,
            frac: false,
        };
    }
    let value = |ds: &[u8]| -> u128 {
        if ds.len() > 30 {
            return CAP;
        }
        ds.iter().fold(0u128, |acc, &d| acc * 10 + d as u128)
    };
    let shift = exp - frac_len;
    let len = digits.len() as i64;
    if shift >= 0 {
        let int = if len + shift > 30 {
            CAP
        } else {
            value(digits) * 10u128.pow(shift as u32)
        };
        Num {
            neg,
            int: int.min(CAP),
            frac: false,
        }
    } else {
        let k = -shift;
        if k >= len {
            Num {
                neg,
                int: 0,
                frac: true,
            }
        } else {
            let cut = (len - k) as usize;
            Num {
                neg,
                int: value(&digits[..cut]).min(CAP),
                frac: digits[cut..].iter().any(|&d| d != 0),
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Reading.

/// The non-blank lines of the text, with their 1-based numbers.
#[derive(Clone)]
struct Lines<'a> {
    inner: std::iter::Enumerate<std::str::Split<'a, char>>,
    /// The number of the last line returned.
    last: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            inner: text.split('\n').enumerate(),
            last: 0,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a str);
    fn next(&mut self) -> Option<(usize, &'a str)> {
        for (i, line) in self.inner.by_ref() {
            if !line.trim().is_empty() {
                self.last = i + 1;
                return Some((i + 1, line));
            }
        }
        None
    }
}

/// What a reader step reports: an [`InputError`] without the file name.
struct Fail {
    line: usize,
    field: Option<String>,
    message: String,
}

fn fail<T>(line: usize, field: Option<&str>, message: impl Into<String>) -> Result<T, Fail> {
    Err(Fail {
        line,
        field: field.map(str::to_string),
        message: message.into(),
    })
}

/// A number of a field, or an error naming the field.
fn number(text: &str, line: usize, field: &str) -> Result<Num, Fail> {
    number_at(text, 0, line, field)
}

/// [`number`] in units of `10^-decimals`.
fn number_at(text: &str, decimals: u32, line: usize, field: &str) -> Result<Num, Fail> {
    parse_num_at(text, decimals).map_or_else(
        || fail(line, Some(field), format!("`{text}` is not a number")),
        Ok,
    )
}

/// A whole number in `lo..=hi`.
fn whole_in(
    text: &str,
    line: usize,
    field: &str,
    what: &str,
    lo: i128,
    hi: i128,
) -> Result<i128, Fail> {
    whole_in_at(text, 0, line, field, what, lo, hi)
}

/// [`whole_in`] in units of `10^-decimals` (`lo` and `hi` in units too).
fn whole_in_at(
    text: &str,
    decimals: u32,
    line: usize,
    field: &str,
    what: &str,
    lo: i128,
    hi: i128,
) -> Result<i128, Fail> {
    let n = number_at(text, decimals, line, field)?;
    let Some(v) = n.whole() else {
        if decimals > 0 {
            return fail(
                line,
                Some(field),
                format!(
                    "`{text}` has more decimals than the cell values' {decimals}: {what} must be \
                     a whole number of 10^-{decimals} units"
                ),
            );
        }
        return fail(
            line,
            Some(field),
            format!("`{text}` is not a whole number: {what} must be whole"),
        );
    };
    if v < lo {
        if lo == 0 {
            return fail(
                line,
                Some(field),
                format!("`{text}` is negative: {what} cannot be negative"),
            );
        }
        return fail(line, Some(field), format!("`{text}` is below {lo}"));
    }
    if v > hi {
        return fail(
            line,
            Some(field),
            format!(
                "`{text}` is too large: {what} can be at most {}",
                show_value(hi, decimals)
            ),
        );
    }
    Ok(v)
}

/// A protection level in units of `10^-decimals`: rounded up, at least
/// 0, at most [`MAX_COUNT`].
fn level(text: &str, decimals: u32, line: usize, field: &str) -> Result<Count, Fail> {
    let v = number_at(text, decimals, line, field)?.ceil();
    if v < 0 {
        return fail(
            line,
            Some(field),
            format!("`{text}` is negative: a protection level cannot be negative"),
        );
    }
    if v > MAX_COUNT as i128 {
        return fail(
            line,
            Some(field),
            format!("`{text}` is larger than {MAX_COUNT}, the largest count cellbound accepts"),
        );
    }
    Ok(v as Count)
}

/// A cell line, its numbers in units of `10^-decimals` (the cost
/// excepted). A published cell whose a-priori bounds do not hold its value
/// is read with bounds that do, and said in `warnings`.
fn cell_line(
    fields: &[&str],
    line: usize,
    expected_id: usize,
    decimals: u32,
    display: &str,
    warnings: &mut Vec<String>,
) -> Result<JjCell, Fail> {
    let max = MAX_COUNT as i128;
    let id = whole_in(fields[0], line, "id", "an id", 0, max)? as usize;
    if id != expected_id {
        return fail(
            line,
            Some("id"),
            format!(
                "id {id} where {expected_id} was expected: the ids must be 0, 1, 2, ... in file order"
            ),
        );
    }
    let value = whole_in_at(fields[1], decimals, line, "value", "a cell value", 0, max)? as Count;
    let cost = number(fields[2], line, "cost")?.ceil();
    if cost.abs() > max {
        return fail(
            line,
            Some("cost"),
            format!(
                "`{}` is beyond {MAX_COUNT}, the largest count cellbound accepts",
                fields[2]
            ),
        );
    }
    let Some(status) = JjStatus::from_letter(fields[3]) else {
        return fail(
            line,
            Some("status"),
            format!(
                "unknown status `{}`: expected s (safe), u (unsafe), m (secondary) or z (protected)",
                fields[3]
            ),
        );
    };
    let mut lower = number_at(fields[4], decimals, line, "lower bound")?
        .ceil()
        .max(0);
    // An upper bound of 10^15 or more in the file's units, or past the
    // largest value in units, is none.
    let upper_file = number(fields[5], line, "upper bound")?.floor();
    let upper = number_at(fields[5], decimals, line, "upper bound")?.floor();
    let mut upper = (upper_file < NO_UPPER as i128 && upper <= max).then_some(upper);
    let shown = show_value(value as i128, decimals);
    let outside = lower > value as i128 || upper.is_some_and(|hi| hi < value as i128);
    if outside && !status.is_hidden() {
        // sdcTable writes bounds taken from another variable (the
        // frequencies) for a value variable: for a published cell they
        // change nothing, since its value is known.
        warnings.push(format!(
            "{display}:{line}: cell {id} is published (status {}) with the value {shown}, but \
             its a-priori bounds {}..{} do not hold it; a published cell's bounds change \
             nothing: they are widened to hold {shown}",
            status.letter(),
            fields[4],
            fields[5],
        ));
        lower = lower.min(value as i128);
        upper = upper.map(|hi| hi.max(value as i128));
    }
    if lower > value as i128 {
        return fail(
            line,
            Some("lower bound"),
            format!(
                "the lower bound {} is above the cell's value {shown}",
                fields[4]
            ),
        );
    }
    if let Some(hi) = upper {
        if hi < value as i128 {
            return fail(
                line,
                Some("upper bound"),
                format!(
                    "the upper bound {} is below the cell's value {shown}",
                    fields[5]
                ),
            );
        }
    }
    Ok(JjCell {
        id,
        value,
        cost: cost as Count,
        status,
        lower: lower as Count,
        upper: upper.map(|u| u as Count),
        lower_protection: level(fields[6], decimals, line, "lower protection level")?,
        upper_protection: level(fields[7], decimals, line, "upper protection level")?,
        sliding: level(fields[8], decimals, line, "sliding protection level")?,
    })
}

/// A count line (`number of cells`, `number of relations`): one whole
/// non-negative number.
fn count_line(text: &str, line: usize, field: &str, what: &str) -> Result<usize, Fail> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    if fields.len() != 1 {
        return fail(
            line,
            Some(field),
            format!(
                "expected {what} alone on its line, found {} fields",
                fields.len()
            ),
        );
    }
    Ok(whole_in(fields[0], line, field, what, 0, MAX_COUNT as i128)? as usize)
}

/// One relation: `rhs n : id (coef) id (coef) ...`.
fn relation(
    text: &str,
    line: usize,
    k: usize,
    cells: usize,
    decimals: u32,
) -> Result<Constraint, Fail> {
    let field = format!("relation {k}");
    let max = MAX_COUNT as i128;
    let Some((head, rest)) = text.split_once(':') else {
        return fail(
            line,
            Some(&field),
            "expected `<rhs> <number of terms> : <id> (<coef>) ...`: there is no `:`",
        );
    };
    let head: Vec<&str> = head.split_whitespace().collect();
    if head.len() != 2 {
        return fail(
            line,
            Some(&field),
            format!(
                "expected `<rhs> <number of terms>` before `:`, found {} fields",
                head.len()
            ),
        );
    }
    let rhs = whole_in_at(
        head[0],
        decimals,
        line,
        &format!("{field}, right-hand side"),
        "a right-hand side",
        -max,
        max,
    )? as i64;
    let n = whole_in(
        head[1],
        line,
        &format!("{field}, number of terms"),
        "a number of terms",
        0,
        max,
    )? as usize;
    let mut terms = Vec::new();
    let mut s = rest.trim_start();
    while !s.is_empty() {
        let j = terms.len();
        let tfield = format!("{field}, term {j}");
        let end = s
            .find(|c: char| c.is_whitespace() || c == '(')
            .unwrap_or(s.len());
        let id_text = &s[..end];
        if id_text.is_empty() {
            return fail(line, Some(&tfield), "expected a cell id before `(`");
        }
        s = s[end..].trim_start();
        if !s.starts_with('(') {
            return fail(
                line,
                Some(&tfield),
                format!("cell id `{id_text}` is not followed by `(<coefficient>)`"),
            );
        }
        let Some(close) = s.find(')') else {
            return fail(
                line,
                Some(&tfield),
                format!("the coefficient of cell `{id_text}` has `(` but no `)`"),
            );
        };
        let coef_text = s[1..close].trim();
        s = s[close + 1..].trim_start();
        let id = whole_in(id_text, line, &tfield, "a cell id", 0, max)? as usize;
        if id >= cells {
            let known = if cells == 0 {
                "the file has no cells".to_string()
            } else {
                format!("the ids run from 0 to {}", cells - 1)
            };
            return fail(
                line,
                Some(&tfield),
                format!("cell {id} is not a cell of the file: {known}"),
            );
        }
        let coef = match parse_num(coef_text).and_then(Num::whole) {
            Some(c) if c.abs() <= max => c as i64,
            Some(c) => {
                return fail(
                    line,
                    Some(&tfield),
                    format!(
                        "the coefficient ({c}) of cell {id} is out of range: coefficients lie within \
                         -{max}..={max} (2^53 - 1)"
                    ),
                )
            }
            _ => {
                return fail(
                    line,
                    Some(&tfield),
                    format!(
                        "malformed coefficient `({coef_text})` of cell {id}: expected a whole number such as (1) or (-1)"
                    ),
                )
            }
        };
        terms.push(Term {
            table: 0,
            at: vec![id],
            coef,
        });
    }
    if terms.len() != n {
        return fail(
            line,
            Some(&format!("{field}, number of terms")),
            format!(
                "the relation says {n} terms but lists {} `id (coef)` pairs",
                terms.len()
            ),
        );
    }
    Ok(Constraint {
        terms,
        op: Op::Eq,
        rhs,
        origin: format!("relation {k} (line {line})"),
    })
}

/// Reads a JJ file. `display` names the file in messages; `stem` names
/// the table. See the module doc for the mapping and the decisions.
pub fn read(bytes: &[u8], display: &str, stem: &str) -> Result<JjFile, InputError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(InputError::new(
                display,
                format!("the file is not valid UTF-8 (byte {})", at + 1),
            )
            .at_line(line));
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    read_text(text, stem, display).map_err(|f| {
        let mut err = InputError::new(display, f.message);
        if f.line > 0 {
            err = err.at_line(f.line);
        }
        if let Some(field) = f.field {
            err = err.field(field);
        }
        err
    })
}

/// The decimals of the cells' values: the most that any of the next `n`
/// cell lines' values needs (trailing zeros left out), at most 15. Lines
/// that are not cell lines are left to the cell reader's errors.
fn value_decimals(lines: Lines<'_>, n: usize) -> Result<u32, Fail> {
    let mut most = 0;
    for (line, text) in lines.take(n) {
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 9 {
            continue;
        }
        let Some(d) = decimals_needed(fields[1]) else {
            continue;
        };
        if d > MAX_DECIMALS as i64 {
            return fail(
                line,
                Some("value"),
                format!(
                    "`{}` has {d} decimals: cellbound holds amounts with at most {MAX_DECIMALS}",
                    fields[1]
                ),
            );
        }
        most = most.max(d as u32);
    }
    Ok(most)
}

fn read_text(text: &str, stem: &str, display: &str) -> Result<JjFile, Fail> {
    let mut lines = Lines::new(text);
    // The first line: a number τ-ARGUS writes as 0.
    let Some((first_line, first)) = lines.next() else {
        return fail(
            0,
            None,
            "the file is empty: expected a τ-ARGUS JJ file (0, the number of cells, the cells, the number of relations, the relations)",
        );
    };
    let fields: Vec<&str> = first.split_whitespace().collect();
    if fields.len() != 1 || parse_num(fields[0]).is_none() {
        return fail(
            first_line,
            Some("header"),
            "expected the first line of a τ-ARGUS JJ file: a single number (0)",
        );
    }
    if parse_num(fields[0]).and_then(Num::whole) != Some(0) {
        return fail(
            first_line,
            Some("header"),
            format!(
                "the first line of a τ-ARGUS JJ file is 0, and this one is `{}`: is it a JJ file? \
                 (τ-ARGUS writes 0; a table in another format needs the .csv or .json extension)",
                fields[0]
            ),
        );
    }
    // The cells.
    let Some((count_at, count_text)) = lines.next() else {
        return fail(
            first_line,
            None,
            "the file ends after its first line: expected the number of cells",
        );
    };
    let n = count_line(
        count_text,
        count_at,
        "number of cells",
        "the number of cells",
    )?;
    let decimals = value_decimals(lines.clone(), n)?;
    let mut warnings = Vec::new();
    let mut cells: Vec<JjCell> = Vec::new();
    let mut model_cells: Vec<Cell> = Vec::new();
    while cells.len() < n {
        let Some((line, text)) = lines.next() else {
            return fail(
                count_at,
                Some("number of cells"),
                format!(
                    "the file declares {n} cells but ends after {} cell lines",
                    cells.len()
                ),
            );
        };
        let fields: Vec<&str> = text.split_whitespace().collect();
        if fields.len() != 9 {
            let message = if fields.len() == 1 && !cells.is_empty() {
                format!(
                    "the file declares {n} cells (line {count_at}) but only {} cell lines come before this line",
                    cells.len()
                )
            } else {
                format!(
                    "a cell line has 9 fields (id, value, cost, status, lower bound, upper bound, lower, upper and sliding protection levels); this one has {}",
                    fields.len()
                )
            };
            return fail(line, None, message);
        }
        let cell = cell_line(&fields, line, cells.len(), decimals, display, &mut warnings)?;
        model_cells.push(Cell {
            at: vec![cell.id],
            entry: cell.entry(),
            origin: format!("cell {}", cell.id),
            line: Some(line),
        });
        cells.push(cell);
    }
    // The relations.
    let Some((rcount_at, rcount_text)) = lines.next() else {
        return fail(
            lines.last.max(count_at),
            None,
            "the file ends after the cells: expected the number of relations",
        );
    };
    if rcount_text.split_whitespace().count() == 9 {
        return fail(
            rcount_at,
            Some("number of cells"),
            format!(
                "the file declares {n} cells (line {count_at}) but this line is one more cell line"
            ),
        );
    }
    let r = count_line(
        rcount_text,
        rcount_at,
        "number of relations",
        "the number of relations",
    )?;
    let mut constraints = Vec::new();
    while constraints.len() < r {
        let Some((line, text)) = lines.next() else {
            return fail(
                rcount_at,
                Some("number of relations"),
                format!(
                    "the file declares {r} relations but ends after {}",
                    constraints.len()
                ),
            );
        };
        constraints.push(relation(text, line, constraints.len(), n, decimals)?);
    }
    if let Some((line, _)) = lines.next() {
        return fail(
            line,
            Some("number of relations"),
            format!("the file declares {r} relations (line {rcount_at}) but more lines follow"),
        );
    }
    let dim = Dimension::flat("cell", (0..n).map(|k| k.to_string())).map_err(|e| Fail {
        line: 0,
        field: None,
        message: e.to_string(),
    })?;
    let table =
        Table::new(stem, vec![dim], model_cells, Absent::Error, Layout::Cube).map_err(|e| {
            Fail {
                line: 0,
                field: None,
                message: e.to_string(),
            }
        })?;
    Ok(JjFile {
        model: Model {
            tables: vec![table],
            constraints,
            source: display.to_string(),
            decimals,
            negative: false,
        },
        cells,
        warnings,
    })
}

// ---------------------------------------------------------------------------
// Writing.

/// Writes a JJ file for any model. `cells[t][c]` describes cell `c` of
/// table `t` (its `id` is ignored: ids are renumbered). See the module doc.
pub fn write(model: &Model, cells: &[Vec<JjCell>]) -> Result<String, String> {
    if cells.len() != model.tables.len() {
        return Err(format!(
            "{} tables of cell lines were given for a model of {} tables",
            cells.len(),
            model.tables.len()
        ));
    }
    let mut base = Vec::with_capacity(model.tables.len());
    let mut total = 0usize;
    for (t, table) in model.tables.iter().enumerate() {
        if cells[t].len() != table.cells.len() {
            return Err(format!(
                "table {:?} has {} cells but {} cell lines were given for it",
                table.name,
                table.cells.len(),
                cells[t].len()
            ));
        }
        base.push(total);
        total += table.cells.len();
    }
    // Only equations can be written: check before writing anything.
    for c in &model.constraints {
        if c.op != Op::Eq {
            return Err(format!(
                "constraint {} uses {}: a JJ relation can only be an equation (=)",
                c.origin, c.op
            ));
        }
    }

    let mut out = String::new();
    out.push_str("0\n");
    let _ = writeln!(out, "{total}");
    for (t, jjs) in cells.iter().enumerate() {
        for (c, jj) in jjs.iter().enumerate() {
            check_cell(model, t, c, jj)?;
            // Amounts in the file's units; no upper bound is MAX_COUNT
            // in those units, which reads back as none.
            let d = model.decimals;
            let show = |v: Count| show_value(v as i128, d);
            let _ = writeln!(
                out,
                "{} {} {} {} {} {} {} {} {}",
                base[t] + c,
                show(jj.value),
                jj.cost,
                jj.status.letter(),
                show(jj.lower),
                jj.upper.map_or(MAX_COUNT.to_string(), show),
                show(jj.lower_protection),
                show(jj.upper_protection),
                show(jj.sliding)
            );
        }
    }

    let mut relations: Vec<(i64, Vec<(usize, i64)>)> = Vec::new();
    for (t, table) in model.tables.iter().enumerate() {
        for terms in additivity_lines(table) {
            relations.push((
                0,
                terms
                    .into_iter()
                    .map(|(c, coef)| (base[t] + c, coef))
                    .collect(),
            ));
        }
    }
    for c in &model.constraints {
        let mut terms = Vec::new();
        for term in &c.terms {
            let Some(table) = model.tables.get(term.table) else {
                return Err(format!(
                    "constraint {} names table {}, which the model does not have",
                    c.origin, term.table
                ));
            };
            if let Some(ci) = table.cell_at(&term.at) {
                terms.push((base[term.table] + ci, term.coef));
            } else if table.absent != Absent::Zero {
                return Err(format!(
                    "constraint {} names cell {} of table {:?}, which is not listed",
                    c.origin,
                    describe_at(&table.dimensions, &term.at),
                    table.name
                ));
            }
            // Otherwise a structural zero: left out.
        }
        relations.push((c.rhs, terms));
    }

    let _ = writeln!(out, "{}", relations.len());
    for (rhs, terms) in relations {
        let _ = write!(
            out,
            "{} {} :",
            show_value(rhs as i128, model.decimals),
            terms.len()
        );
        for (id, coef) in terms {
            let _ = write!(out, " {id} ({coef})");
        }
        out.push('\n');
    }
    Ok(out)
}

/// The additivity lines of a table as `(cell, coef)` lists: the parent
/// `-1`, its listed children `+1`. Lines with no listed cell are left
/// out (`0 = 0`).
fn additivity_lines(table: &Table) -> Vec<Vec<(usize, i64)>> {
    table
        .sum_lines()
        .into_iter()
        .filter_map(|(d, at)| {
            let (total, parts) = table.line_cells(d, &at);
            let terms: Vec<(usize, i64)> = total
                .map(|t| (t, -1))
                .into_iter()
                .chain(parts.into_iter().map(|p| (p, 1)))
                .collect();
            (!terms.is_empty()).then_some(terms)
        })
        .collect()
}

/// A cell line must read back as written.
fn check_cell(model: &Model, t: usize, c: usize, jj: &JjCell) -> Result<(), String> {
    let table = &model.tables[t];
    let name = || {
        format!(
            "cell {} of table {:?}",
            describe_at(&table.dimensions, &table.cells[c].at),
            table.name
        )
    };
    let in_range = |v: Count| (0..=MAX_COUNT).contains(&v);
    if !in_range(jj.value) {
        return Err(format!(
            "{}: the value {} is not a count from 0 to {MAX_COUNT}",
            name(),
            jj.value
        ));
    }
    if jj.cost.abs() > MAX_COUNT {
        return Err(format!("{}: the cost {} is too large", name(), jj.cost));
    }
    if !in_range(jj.lower) || jj.lower > jj.value {
        return Err(format!(
            "{}: the lower bound {} is not from 0 to the value {}",
            name(),
            jj.lower,
            jj.value
        ));
    }
    if let Some(hi) = jj.upper {
        if hi < jj.value {
            return Err(format!(
                "{}: the upper bound {hi} is below the value {}",
                name(),
                jj.value
            ));
        }
    }
    for (what, v) in [
        ("lower protection level", jj.lower_protection),
        ("upper protection level", jj.upper_protection),
        ("sliding protection level", jj.sliding),
    ] {
        if !in_range(v) {
            return Err(format!(
                "{}: the {what} {v} is not from 0 to {MAX_COUNT}",
                name()
            ));
        }
    }
    Ok(())
}
