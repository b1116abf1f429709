//! The text of one cell: a count, a range, or a marker or flag that says
//! the cell is hidden, and what each flag is taken to mean.
//!
//! Every reader that meets a value field (the CSV grid, long files) reads
//! it here, so that a number is written the same way in every layout.

use crate::model::{Count, Entry, MAX_COUNT};

/// What a flag (a marker in a value field, or the text of a flag column)
/// means in cellbound's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagMeaning {
    /// Hidden under the threshold rule (a primary suppression).
    Hidden,
    /// Hidden and possibly large (a secondary suppression): only the rule's
    /// floor, as under `--open`.
    Secondary,
    /// Hidden, known to lie in `lo..=hi` (`hi: None`: no upper limit).
    Range { lo: Count, hi: Option<Count> },
    /// Published, with a quality flag: the value field holds the count.
    Published,
    /// Structurally zero or not applicable: the cell is 0.
    Absent,
}

impl FlagMeaning {
    /// The entry of a cell with this flag, given its value field (read with
    /// `syntax` where the meaning needs a value).
    pub fn entry(self, value: &str, syntax: &CellSyntax) -> Result<Entry, String> {
        match self {
            FlagMeaning::Hidden => Ok(Entry::Hidden),
            FlagMeaning::Secondary => Ok(Entry::Range { lo: 0, hi: None }),
            FlagMeaning::Range { lo, hi } => Ok(Entry::Range { lo, hi }),
            FlagMeaning::Absent => Ok(Entry::Published(0)),
            FlagMeaning::Published => match syntax.value(value)? {
                Entry::Hidden => Err(format!(
                    "the value {value:?} of a cell flagged as published is not a number"
                )),
                entry => Ok(entry),
            },
        }
    }
}

/// How the text of a cell is read: which markers hide a cell in a value
/// field, and what the texts of a flag column mean.
///
/// ```
/// use cellbound_core::io::cell_text::{CellSyntax, FlagMeaning};
/// use cellbound_core::Entry;
///
/// let syntax = CellSyntax {
///     flags: vec![("D".into(), FlagMeaning::Secondary)],
///     ..CellSyntax::default()
/// };
/// assert_eq!(syntax.cell("12", None), Ok((Entry::Published(12), None)));
/// assert_eq!(syntax.cell("x", None), Ok((Entry::Hidden, None)));
/// assert_eq!(
///     syntax.cell("", Some("D")),
///     Ok((Entry::Range { lo: 0, hi: None }, Some(FlagMeaning::Secondary)))
/// );
/// assert!(syntax.cell("", Some("Q")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSyntax {
    /// Markers that hide a cell in a value field, beyond [`MARKERS`]
    /// (trimmed, case-sensitive).
    pub markers: Vec<String>,
    /// What each flag of a flag column means (exact text, trimmed). An
    /// empty flag means the value field says it all.
    pub flags: Vec<(String, FlagMeaning)>,
    /// The field delimiter of the file, for hints about quoting.
    pub delimiter: u8,
}

impl Default for CellSyntax {
    fn default() -> Self {
        CellSyntax {
            markers: Vec::new(),
            flags: Vec::new(),
            delimiter: b',',
        }
    }
}

impl CellSyntax {
    /// A value field alone: a count, a range, or a marker.
    pub fn value(&self, text: &str) -> Result<Entry, String> {
        let text = text.trim();
        let markers: Vec<&str> = MARKERS
            .iter()
            .copied()
            .chain(self.markers.iter().map(|m| m.trim()))
            .collect();
        parse_entry(text, &markers, self.delimiter).map_err(|m| cut_long_field(text, m))
    }

    /// A cell from its value field and, where the layout has one, its flag:
    /// the entry and the meaning of the flag that decided it (`None` when
    /// there is no flag or it is empty). A flag the syntax does not map is
    /// an error saying how to map it.
    pub fn cell(
        &self,
        value: &str,
        flag: Option<&str>,
    ) -> Result<(Entry, Option<FlagMeaning>), String> {
        let flag = flag.map(str::trim).filter(|f| !f.is_empty());
        let Some(flag) = flag else {
            return Ok((self.value(value)?, None));
        };
        let Some(&(_, meaning)) = self.flags.iter().find(|(f, _)| f.trim() == flag) else {
            return Err(format!(
                "the flag {flag:?} has no known meaning here: say what it means with \
                 --flag-meaning {flag}=hidden|secondary|range:A-B|published|absent"
            ));
        };
        Ok((meaning.entry(value, self)?, Some(meaning)))
    }
}

/// The built-in suppression markers (they match exactly).
pub const MARKERS: [&str; 7] = ["", "x", "X", "..", "...", "F", "*"];

/// What may separate two digit groups of a count: space, no-break space,
/// thin space, narrow no-break space.
pub(crate) const GROUP_SEPARATORS: [char; 4] = [' ', '\u{00A0}', '\u{2009}', '\u{202F}'];

/// Why a text is not a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CountError {
    /// Not digits and group separators.
    NotCount,
    /// Digits and separators, badly grouped.
    Grouping,
    /// Above [`MAX_COUNT`].
    TooLarge,
}

/// A published count: digits, optionally grouped in threes after a first
/// group of 1 to 3 digits, each group separator one of
/// [`GROUP_SEPARATORS`].
pub(crate) fn parse_count(text: &str) -> Result<Count, CountError> {
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || GROUP_SEPARATORS.contains(&c))
    {
        return Err(CountError::NotCount);
    }
    let mut groups = text.split(GROUP_SEPARATORS);
    let first = groups.next().unwrap_or("");
    let mut grouped = false;
    for group in groups {
        grouped = true;
        if group.len() != 3 {
            return Err(CountError::Grouping);
        }
    }
    if first.is_empty() || (grouped && first.len() > 3) {
        return Err(CountError::Grouping);
    }
    let mut value: Count = 0;
    for b in text.bytes().filter(u8::is_ascii_digit) {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(Count::from(b - b'0')))
            .filter(|&v| v <= MAX_COUNT)
            .ok_or(CountError::TooLarge)?;
    }
    Ok(value)
}

/// The message for a text that is not a count where a count is needed.
pub(crate) fn count_problem(text: &str, error: CountError) -> String {
    match error {
        CountError::TooLarge => format!(
            "{text:?} is larger than {MAX_COUNT} (2^53 - 1), the largest count that can be read"
        ),
        CountError::Grouping => format!(
            "{text:?} is not a count: digit groups must have three digits each (after a first group \
             of 1 to 3) and be separated by exactly one space, as in \"12 345\""
        ),
        CountError::NotCount => {
            let digits = text.chars().any(|c| c.is_ascii_digit());
            let negative = text
                .strip_prefix(['-', '\u{2212}'])
                .is_some_and(|rest| rest.chars().any(|c| c.is_ascii_digit()));
            if negative {
                format!("{text:?} is not a count: counts cannot be negative")
            } else if digits
                && text.chars().any(|c| matches!(c, '.' | ',' | '\''))
                && text.chars().all(|c| {
                    c.is_ascii_digit()
                        || matches!(c, '.' | ',' | '\'')
                        || GROUP_SEPARATORS.contains(&c)
                })
            {
                format!(
                    "{text:?} is not a count: counts are whole numbers, with digit groups separated \
                     by a space (\"1 200\"), not by ',' or '.'"
                )
            } else {
                format!(
                    "{text:?} is not a count, a suppression marker (empty, x, X, .., ..., F, *) or a \
                     range (<N or [A,B]): if it marks a suppressed cell, use --marker {text:?}"
                )
            }
        }
    }
}

/// The longest field a message quotes in full, in characters.
const QUOTED_FIELD_CHARS: usize = 80;

/// A message about a field too long to quote (a megabyte of text) quotes
/// its start only, once, and drops the `--marker` hint.
pub(crate) fn cut_long_field(text: &str, message: String) -> String {
    let n = text.chars().count();
    if n <= QUOTED_FIELD_CHARS {
        return message;
    }
    let start: String = text.chars().take(QUOTED_FIELD_CHARS).collect();
    format!(
        "a field of {n} characters, starting {start:?}, is not a count, a suppression marker or a \
         range: is a delimiter or a closing quote missing?"
    )
}

/// One field of the grid.
pub(crate) fn parse_entry(text: &str, markers: &[&str], delimiter: u8) -> Result<Entry, String> {
    if markers.contains(&text) {
        return Ok(Entry::Hidden);
    }
    if let Some(rest) = text.strip_prefix('<') {
        let n = parse_count(rest.trim()).map_err(|e| match e {
            CountError::NotCount => format!(
                "{text:?} is not a valid range: \"<N\" needs a count N, as in \"<5\" (0 to 4)"
            ),
            _ => count_problem(rest.trim(), e),
        })?;
        if n < 1 {
            return Err(format!(
                "{text:?} is an empty range: \"<N\" means 0 to N-1, so N must be at least 1"
            ));
        }
        return Ok(Entry::Range {
            lo: 0,
            hi: Some(n - 1),
        });
    }
    let opens = text.starts_with('[');
    let closes = text.ends_with(']');
    if opens || closes {
        let inner = match (opens, closes) {
            (true, true) => text.get(1..text.len() - 1),
            _ => None,
        };
        let Some(inner) = inner else {
            let hint = if delimiter == b',' {
                "quote ranges in comma-delimited files: \"[3,7]\""
            } else {
                "a range is written [A,B]"
            };
            return Err(format!("{text:?} is not a valid range: {hint}"));
        };
        let mut ends = inner.split(',');
        let (Some(a), Some(b), None) = (ends.next(), ends.next(), ends.next()) else {
            return Err(format!(
                "{text:?} is not a valid range: a range is written [A,B], two counts separated \
                 by a comma"
            ));
        };
        let end = |s: &str| {
            let s = s.trim();
            parse_count(s).map_err(|e| match e {
                CountError::NotCount => format!(
                    "{text:?} is not a valid range: its end {s:?} is not a count; a range is \
                     written [A,B], as in [3,7]"
                ),
                _ => count_problem(s, e),
            })
        };
        let (lo, hi) = (end(a)?, end(b)?);
        if lo > hi {
            return Err(format!(
                "{text:?} is an empty range: its lower end {lo} is above its upper end {hi}; \
                 write [{hi},{lo}]"
            ));
        }
        return Ok(Entry::Range { lo, hi: Some(hi) });
    }
    parse_count(text)
        .map(Entry::Published)
        .map_err(|e| count_problem(text, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count("007"), Ok(7));
        assert_eq!(parse_count("1 200"), Ok(1200));
        assert_eq!(parse_count("12\u{202F}345\u{2009}678"), Ok(12_345_678));
        assert_eq!(parse_count("1 20"), Err(CountError::Grouping));
        assert_eq!(parse_count("1  200"), Err(CountError::Grouping));
        assert_eq!(parse_count("1234 567"), Err(CountError::Grouping));
        assert_eq!(parse_count("9007199254740991"), Ok(MAX_COUNT));
        assert_eq!(parse_count("9007199254740992"), Err(CountError::TooLarge));
        assert_eq!(
            parse_count("99999999999999999999999999"),
            Err(CountError::TooLarge)
        );
        assert_eq!(parse_count("1.5"), Err(CountError::NotCount));
        assert_eq!(parse_count(""), Err(CountError::NotCount));
    }
}
