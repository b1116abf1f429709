//! τ-ARGUS a-priori files (`.hst`, `--apriori FILE`): one line per cell,
//! the cell's codes (one per dimension, in the table's order), a type, and
//! the type's numbers, separated by `;` (or `,` when a line has no `;`):
//!
//! ```text
//! "North";"Small";u
//! "South";"Large";ab;10;25
//! "South";"Small";c;5
//! ```
//!
//! The types are τ-ARGUS's (`APriori.java`), case-insensitive:
//!
//! - `s` (safe), `p` (protected): the cell is published; a hidden cell is
//!   an error (its value is not in the table).
//! - `u` (unsafe), `m`, `ml` (secondary): the cell is hidden, possibly
//!   large (as a secondary suppression); a hidden cell stays as it is.
//! - `ab lower upper` (a-priori bounds, which τ-ARGUS reserves and does
//!   not apply): a hidden cell's range is narrowed to them (a cell hidden
//!   under the threshold rule gets them as its range instead); a
//!   published cell whose value they do not hold is a warning naming the
//!   line and the cell, the cell unchanged.
//! - `c`, `w` (cost) and `pl` (protection levels) do not change what is
//!   known of a cell: the lines are counted in one warning.
//!
//! Codes are matched to the first table's dimensions after trimming; an
//! unknown code, a wrong number of fields or an unknown type is an error
//! naming the file, the line and the field.

use super::cell_text::CellSyntax;
use crate::error::{InputError, InputWarning};
use crate::model::{parse_value, show_value, Count, Entry, Model};

/// Applies an a-priori file's lines to the first table of `model` (see
/// the module doc); returns the warnings.
///
/// ```
/// use cellbound_core::io::hst::apply;
/// use cellbound_core::{Absent, Cell, Dimension, Entry, Layout, Model, Table};
///
/// let dim = Dimension::flat("d", ["a", "b"]).unwrap();
/// let cells = vec![
///     Cell { at: vec![0], entry: Entry::Published(3), origin: "a".into(), line: None },
///     Cell { at: vec![1], entry: Entry::Range { lo: Some(0), hi: None }, origin: "b".into(), line: None },
/// ];
/// let table = Table::new("t", vec![dim], cells, Absent::Error, Layout::Cube).unwrap();
/// let mut model = Model { tables: vec![table], constraints: vec![], source: "t".into(), decimals: 0, negative: false };
/// let warnings = apply(&mut model, "b;ab;2;9\na;ab;5;9\n", "t.hst").unwrap();
/// assert_eq!(model.tables[0].cells[1].entry, Entry::Range { lo: Some(2), hi: Some(9) });
/// assert_eq!(warnings.len(), 1); // a: published 3, outside 5..9
/// ```
pub fn apply(
    model: &mut Model,
    text: &str,
    display: &str,
) -> Result<Vec<InputWarning>, InputError> {
    let mut warnings = Vec::new();
    let decimals = model.decimals;
    let Some(table) = model.tables.first_mut() else {
        return Ok(warnings);
    };
    let n = table.dimensions.len();
    let mut ignored = 0usize;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let sep = if raw.contains(';') { ';' } else { ',' };
        let fields: Vec<String> = super::tau_cv::fields_by(raw, sep)
            .map_err(|m| InputError::new(display, m).at_line(line))?
            .into_iter()
            .map(|(t, _)| t.trim().to_string())
            .collect();
        let bad = |field: String, m: String| InputError::new(display, m).at_line(line).field(field);
        if fields.len() < n + 1 {
            return Err(InputError::new(
                display,
                format!(
                    "{} fields: a line names the cell by its {n} codes, then gives a type (s, u, \
                     p, m, ml, ab, c, w, pl) and its numbers",
                    fields.len()
                ),
            )
            .at_line(line));
        }
        let mut at = Vec::with_capacity(n);
        for (d, dim) in table.dimensions.iter().enumerate() {
            let code = &fields[d];
            let Some(k) = dim.find(code) else {
                return Err(bad(
                    format!("code {}", d + 1),
                    format!("{code:?} is not a code of the dimension {:?}", dim.name()),
                ));
            };
            at.push(k);
        }
        let kind = fields[n].to_ascii_lowercase();
        let args = &fields[n + 1..];
        let expect = |k: usize| -> Result<(), InputError> {
            if args.len() == k {
                Ok(())
            } else {
                Err(bad(
                    "type".into(),
                    format!("{kind} takes {k} numbers and the line gives {}", args.len()),
                ))
            }
        };
        let cell_name = fields[..n].join(";");
        let Some(c) = table.cell_at(&at) else {
            return Err(bad(
                "code 1".into(),
                format!("the cell {cell_name} is not listed in the table"),
            ));
        };
        let entry = table.cells[c].entry;
        match kind.as_str() {
            "s" | "p" => {
                expect(0)?;
                if !matches!(entry, Entry::Published(_)) {
                    return Err(bad(
                        "type".into(),
                        format!(
                            "{kind} publishes the cell {cell_name}, which the table hides: its \
                             value is not in the table; publish it there"
                        ),
                    ));
                }
            }
            "u" | "m" | "ml" => {
                expect(0)?;
                if matches!(entry, Entry::Published(_)) {
                    table.cells[c].entry = CellSyntax::default().secondary_entry();
                }
            }
            "ab" => {
                expect(2)?;
                let num = |k: usize, name: &str| -> Result<Count, InputError> {
                    parse_value(&args[k], decimals)
                        .map(|v| v as Count)
                        .map_err(|m| bad(name.into(), format!("{:?}: {m}", args[k])))
                };
                let (lo, hi) = (num(0, "lower")?, num(1, "upper")?);
                if lo > hi {
                    return Err(bad(
                        "lower".into(),
                        format!("the bounds {}..{} are empty", args[0], args[1]),
                    ));
                }
                table.cells[c].entry = match entry {
                    Entry::Published(v) => {
                        if v < lo || v > hi {
                            warnings.push(
                                InputWarning::new(
                                    display,
                                    format!(
                                        "the cell {cell_name} is published with the value {}, \
                                         outside its a-priori bounds {}..{}: a published cell's \
                                         bounds change nothing",
                                        show_value(v as i128, decimals),
                                        args[0],
                                        args[1]
                                    ),
                                )
                                .at_line(line),
                            );
                        }
                        entry
                    }
                    Entry::Hidden => Entry::Range {
                        lo: Some(lo),
                        hi: Some(hi),
                    },
                    Entry::Range { lo: l, hi: h } => {
                        let lo2 = l.map_or(lo, |l| l.max(lo));
                        let hi2 = h.map_or(hi, |h| h.min(hi));
                        if lo2 > hi2 {
                            return Err(bad(
                                "lower".into(),
                                format!(
                                    "the bounds {}..{} do not meet the cell's range: no value is \
                                     left for {cell_name}",
                                    args[0], args[1]
                                ),
                            ));
                        }
                        Entry::Range {
                            lo: Some(lo2),
                            hi: Some(hi2),
                        }
                    }
                    Entry::Rounded { .. } => {
                        return Err(bad(
                            "type".into(),
                            format!(
                                "ab on the rounded cell {cell_name}: a-priori bounds apply to \
                                 hidden cells"
                            ),
                        ))
                    }
                };
            }
            "c" | "w" | "pl" => ignored += 1,
            _ => {
                return Err(bad(
                    "type".into(),
                    format!(
                        "{:?} is not an a-priori type: s, p (published), u, m, ml (hidden), ab \
                         (bounds), c, w (cost), pl (protection levels)",
                        fields[n]
                    ),
                ))
            }
        }
    }
    if ignored > 0 {
        warnings.push(InputWarning::new(
            display,
            format!(
                "{ignored} {} costs or protection levels (c, w, pl), which do not change \
                 what is known of a cell: not applied",
                if ignored == 1 {
                    "line changes"
                } else {
                    "lines change"
                }
            ),
        ));
    }
    Ok(warnings)
}
