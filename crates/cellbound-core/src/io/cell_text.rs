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
    /// `syntax` where the meaning needs a value), in units of
    /// `10^-decimals` with the syntax's declared decimals (0 when none are
    /// declared).
    pub fn entry(self, value: &str, syntax: &CellSyntax) -> Result<Entry, String> {
        self.scaled(value, syntax)?
            .at(syntax.decimals.unwrap_or(0))
            .map_err(|m| format!("{value:?}: {m}"))
    }

    /// The entry of a cell with this flag, at the decimals its value field
    /// was written with.
    fn scaled(self, value: &str, syntax: &CellSyntax) -> Result<Scaled, String> {
        let whole = |entry| Scaled {
            entry,
            decimals: 0,
            below: false,
        };
        match self {
            FlagMeaning::Hidden => Ok(whole(syntax.hidden_entry())),
            FlagMeaning::Secondary => Ok(whole(syntax.secondary_entry())),
            FlagMeaning::Range { lo, .. } if lo < 0 && !syntax.allow_negative => Err(format!(
                "the flag's range starts at {lo}, below 0, and counts cannot be negative (if the \
                 table holds negative values, pass --allow-negative)"
            )),
            FlagMeaning::Range { lo, hi } => Ok(whole(Entry::Range { lo: Some(lo), hi })),
            FlagMeaning::Absent => Ok(whole(Entry::Published(0))),
            FlagMeaning::Published => {
                let number = syntax.number_field(value.trim())?;
                match number.entry {
                    Entry::Published(_) => Ok(number),
                    _ => Err(format!(
                        "the value {value:?} of a cell flagged as published is not a number"
                    )),
                }
            }
        }
    }

    /// The meaning in words, as the CLI reports it: `hidden (below the
    /// threshold)`, `range 0-19`.
    pub fn describe(self) -> String {
        match self {
            FlagMeaning::Hidden => "hidden (below the threshold)".to_string(),
            FlagMeaning::Secondary => "secondary (hidden, possibly large)".to_string(),
            FlagMeaning::Range { lo, hi: Some(hi) } => format!("range {lo}-{hi}"),
            FlagMeaning::Range { lo, hi: None } => format!("range {lo} or more"),
            FlagMeaning::Published => "published (with a quality flag)".to_string(),
            FlagMeaning::Absent => "absent (0)".to_string(),
        }
    }

    /// Reads `hidden`, `secondary`, `range:A-B` (or `range:A-` for no upper
    /// end; either end may be negative, `range:-9-9`), `published`,
    /// `absent`: the values of `--flag-meaning F=...`.
    ///
    /// ```
    /// use cellbound_core::io::cell_text::FlagMeaning;
    ///
    /// assert_eq!(FlagMeaning::parse("range:0-19"), Ok(FlagMeaning::Range { lo: 0, hi: Some(19) }));
    /// assert_eq!(FlagMeaning::parse("range:-9--1"), Ok(FlagMeaning::Range { lo: -9, hi: Some(-1) }));
    /// assert_eq!(FlagMeaning::parse("secondary"), Ok(FlagMeaning::Secondary));
    /// assert!(FlagMeaning::parse("small").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<FlagMeaning, String> {
        let what = "a meaning is hidden, secondary, range:A-B (range:A- for no upper end), \
                    published or absent";
        match text.trim() {
            "hidden" => Ok(FlagMeaning::Hidden),
            "secondary" => Ok(FlagMeaning::Secondary),
            "published" => Ok(FlagMeaning::Published),
            "absent" => Ok(FlagMeaning::Absent),
            t => {
                let Some(range) = t.strip_prefix("range:") else {
                    return Err(format!("{t:?} is not a flag meaning: {what}"));
                };
                // The ends may be negative (`range:-9-9`, `range:-9--1`):
                // the '-' between them is the first after the first end's
                // first character.
                let range = range.trim();
                let cut = range
                    .char_indices()
                    .skip(1)
                    .find(|&(_, c)| c == '-')
                    .map(|(i, _)| i);
                let Some((a, b)) = cut.map(|i| (&range[..i], &range[i + 1..])) else {
                    return Err(format!("{t:?} is not a flag meaning: {what}"));
                };
                let end = |s: &str| {
                    let s = s.trim();
                    let (minus, digits) = match s.strip_prefix('-') {
                        Some(rest) => (true, rest),
                        None => (false, s),
                    };
                    parse_count(digits.trim())
                        .map(|v| if minus { -v } else { v })
                        .map_err(|e| match e {
                            CountError::NotCount => {
                                format!("{t:?} is not a flag meaning: {s:?} is not a count; {what}")
                            }
                            _ => count_problem(s.trim(), e),
                        })
                };
                let lo = end(a)?;
                let hi = if b.trim().is_empty() {
                    None
                } else {
                    Some(end(b)?)
                };
                if hi.is_some_and(|hi| hi < lo) {
                    return Err(format!(
                        "{t:?} is an empty range: its lower end is above its upper end"
                    ));
                }
                Ok(FlagMeaning::Range { lo, hi })
            }
        }
    }
}

/// How digits are grouped in a number (`--thousands`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Thousands {
    /// Space-like separators only (space, no-break space, thin space,
    /// narrow no-break space): `1 200`. What the grid has always read.
    #[default]
    Space,
    /// `1,200`.
    Comma,
    /// `1.200`.
    Dot,
    /// No group separator at all: `1200`.
    None,
}

impl Thousands {
    fn accepts(self, c: char) -> bool {
        match self {
            Thousands::Space => GROUP_SEPARATORS.contains(&c),
            Thousands::Comma => c == ',',
            Thousands::Dot => c == '.',
            Thousands::None => false,
        }
    }

    fn example(self) -> &'static str {
        match self {
            Thousands::Space => "\"12 345\"",
            Thousands::Comma => "\"12,345\"",
            Thousands::Dot => "\"12.345\"",
            Thousands::None => "\"12345\"",
        }
    }
}

/// The decimal mark of amounts (`--decimal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decimal {
    /// `12.5`.
    Dot,
    /// `12,5`.
    Comma,
}

impl Decimal {
    fn mark(self) -> char {
        match self {
            Decimal::Dot => '.',
            Decimal::Comma => ',',
        }
    }
}

/// A value field read at the decimals it was written with, before the
/// reader brings every value of the file to one scale with
/// [`Scaled::at`]: `12.5` is `125` at one decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scaled {
    /// Values in units of `10^-decimals`.
    pub entry: Entry,
    pub decimals: u32,
    /// The upper end of a range is "below N" (`<N`): at more decimals it
    /// is N less one of the finer unit, not N-1 scaled.
    below: bool,
}

impl Scaled {
    /// An entry in whole units (no decimals).
    pub fn whole(entry: Entry) -> Scaled {
        Scaled {
            entry,
            decimals: 0,
            below: false,
        }
    }

    /// Whether the entry is in whole units with nothing that changes when
    /// it is brought to more decimals but its scale (not a `<N` range).
    pub fn is_whole(&self) -> bool {
        self.decimals == 0 && !self.below
    }

    /// The entry in units of `10^-decimals`, `decimals` being at least the
    /// value's own; an error past 2^53 - 1 units.
    pub fn at(self, decimals: u32) -> Result<Entry, String> {
        if decimals < self.decimals {
            return Err(format!(
                "it has {} decimals, more than the {decimals} its column holds",
                self.decimals
            ));
        }
        let factor = 10i128
            .checked_pow(decimals - self.decimals)
            .ok_or_else(|| too_many_units(decimals))?;
        let scale = |v: Count| -> Result<Count, String> {
            let scaled = i128::from(v) * factor;
            if scaled.abs() > i128::from(MAX_COUNT) {
                return Err(too_many_units(decimals));
            }
            Ok(scaled as Count)
        };
        Ok(match self.entry {
            Entry::Published(v) => Entry::Published(scale(v)?),
            Entry::Hidden => Entry::Hidden,
            Entry::Range { lo, hi } => Entry::Range {
                lo: lo.map(scale).transpose()?,
                hi: match hi {
                    Some(h) if self.below => Some(scale(h + 1)? - 1),
                    Some(h) => Some(scale(h)?),
                    None => None,
                },
            },
            // Readers never produce it: `--rounded` applies after reading.
            Entry::Rounded { published, lo, hi } => Entry::Rounded {
                published: scale(published)?,
                lo: scale(lo)?,
                hi: scale(hi)?,
            },
        })
    }
}

fn too_many_units(decimals: u32) -> String {
    format!(
        "with {decimals} decimals it is more than {MAX_COUNT} (2^53 - 1) units of 10^-{decimals}, \
         the most that can be read"
    )
}

/// One value field as read: the entry at its own decimals, and the flag
/// or marker that decided it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadValue {
    pub value: Scaled,
    /// The flag of [`CellSyntax::flags`] met (alone, or before or after a
    /// published number), with its meaning.
    pub flag: Option<(String, FlagMeaning)>,
    /// The marker that hid the cell (one of [`MARKERS`] or
    /// [`CellSyntax::markers`]), when no flag decided it.
    pub marker: Option<String>,
}

/// How the text of a cell is read: which markers hide a cell in a value
/// field, what the texts of a flag column mean, and how numbers are
/// written. `CellSyntax::default()` reads what the CSV grid has always
/// read: whole counts grouped by spaces, `<N`, `[A,B]`, `A-B` and the
/// built-in markers.
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
///     Ok((Entry::Range { lo: Some(0), hi: None }, Some(FlagMeaning::Secondary)))
/// );
/// assert!(syntax.cell("", Some("Q")).is_err());
///
/// // Numbers as people write them: a decimal comma, dots between groups.
/// use cellbound_core::io::cell_text::{Decimal, Thousands};
/// let french = CellSyntax {
///     thousands: Thousands::Dot,
///     decimal: Some(Decimal::Comma),
///     decimals: Some(1),
///     ..CellSyntax::default()
/// };
/// assert_eq!(french.cell("1.200,5", None), Ok((Entry::Published(12005), None)));
/// assert!(french.cell("1,25", None).is_err()); // more decimals than declared
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSyntax {
    /// Markers that hide a cell in a value field, beyond [`MARKERS`]
    /// (trimmed, case-sensitive).
    pub markers: Vec<String>,
    /// What each flag means (exact text, trimmed): the text of a flag
    /// column, or a value field that is the flag alone (`x`, `(D)`), or a
    /// published number with a [`FlagMeaning::Published`] flag written
    /// before or after it (`12E`, `12 [e]`, `*12`). The first entry for a
    /// text wins; flags are tried before the markers. An empty flag means
    /// the value field says it all.
    pub flags: Vec<(String, FlagMeaning)>,
    /// The field delimiter of the file, for hints about quoting.
    pub delimiter: u8,
    /// What separates digit groups (`--thousands`).
    pub thousands: Thousands,
    /// The decimal mark (`--decimal`). `None`: a comma thousands separator
    /// makes it `.`, a dot one `,`, declared decimals `.`; otherwise
    /// numbers are whole.
    pub decimal: Option<Decimal>,
    /// The decimals of amounts (`--decimals N`): a value with more is an
    /// error. `None`: the reader takes the most decimals written in the
    /// file.
    pub decimals: Option<u32>,
    /// Values may be negative (`-5`, `\u{2212}5`), and a hidden cell has no
    /// lower bound (`--allow-negative`).
    pub allow_negative: bool,
}

impl Default for CellSyntax {
    fn default() -> Self {
        CellSyntax {
            markers: Vec::new(),
            flags: Vec::new(),
            delimiter: b',',
            thousands: Thousands::Space,
            decimal: None,
            decimals: None,
            allow_negative: false,
        }
    }
}

impl CellSyntax {
    /// A value field alone: a count, a range, or a marker, in units of
    /// `10^-decimals` with the declared decimals (0 when none are).
    pub fn value(&self, text: &str) -> Result<Entry, String> {
        let read = self.read_value(text)?;
        self.at_declared(text, read.value)
    }

    /// The entry of a hidden cell with no range: THE ONE PLACE that says
    /// what a hidden cell is. Its domain comes from the rule; with
    /// `allow_negative` the readers set `Model::negative`, which takes its
    /// lower limit away (`Rule::for_model`).
    pub fn hidden_entry(&self) -> Entry {
        Entry::Hidden
    }

    /// The entry of a secondary (possibly large) suppression: at least 0,
    /// no upper end; with `allow_negative`, no limit on either side
    /// (docs/formats.md, section 13.2).
    pub fn secondary_entry(&self) -> Entry {
        Entry::Range {
            lo: (!self.allow_negative).then_some(0),
            hi: None,
        }
    }

    fn at_declared(&self, text: &str, value: Scaled) -> Result<Entry, String> {
        let target = self.decimals.unwrap_or(0);
        if value.decimals > target {
            return Err(match self.decimals {
                Some(d) => self.too_many_decimals(text.trim(), value.decimals, d),
                None => format!(
                    "{:?} has {} decimals: say how many the values have with --decimals N",
                    text.trim(),
                    value.decimals
                ),
            });
        }
        value
            .at(target)
            .map_err(|m| format!("{:?}: {m}", text.trim()))
    }

    fn too_many_decimals(&self, text: &str, has: u32, declared: u32) -> String {
        format!(
            "{text:?} has {has} decimals, more than the {declared} declared (--decimals \
             {declared}): nothing is rounded; declare --decimals {has}, or correct the value"
        )
    }

    /// A cell from its value field and, where the layout has one, its flag:
    /// the entry and the meaning of the flag that decided it (`None` when
    /// there is no flag or it is empty). A flag the syntax does not map is
    /// an error saying how to map it. Values are in units of
    /// `10^-decimals` with the declared decimals (0 when none are); a
    /// reader that decides the decimals from the file uses
    /// [`Self::read_cell`].
    pub fn cell(
        &self,
        value: &str,
        flag: Option<&str>,
    ) -> Result<(Entry, Option<FlagMeaning>), String> {
        let read = self.read_cell(value, flag)?;
        let entry = self.at_declared(value, read.value)?;
        Ok((entry, read.flag.map(|(_, m)| m)))
    }

    /// [`Self::cell`] at the decimals the value was written with: the
    /// reader brings the file to one scale with [`Scaled::at`] (the most
    /// decimals met, or the declared ones).
    pub fn read_cell(&self, value: &str, flag: Option<&str>) -> Result<ReadValue, String> {
        let flag = flag.map(str::trim).filter(|f| !f.is_empty());
        let Some(flag) = flag else {
            return self.read_value(value);
        };
        let Some(meaning) = self.flag_meaning(flag) else {
            return Err(unmapped_flag(flag));
        };
        if meaning == FlagMeaning::Published && value.trim().is_empty() {
            return Err(format!(
                "{flag:?} is a flag for a published value, but the value field is empty: give its \
                 number, or say what the flag means here with --flag-meaning \
                 {flag}=hidden|secondary|range:A-B|absent"
            ));
        }
        Ok(ReadValue {
            value: meaning.scaled(value, self)?,
            flag: Some((flag.to_string(), meaning)),
            marker: None,
        })
    }

    fn flag_meaning(&self, flag: &str) -> Option<FlagMeaning> {
        self.flags
            .iter()
            .find(|(f, _)| f.trim() == flag)
            .map(|&(_, m)| m)
    }

    /// A value field: a flag alone, a marker, a number with a published
    /// flag before or after it, a range, or a number.
    pub fn read_value(&self, text: &str) -> Result<ReadValue, String> {
        let text = text.trim();
        let plain = |value| ReadValue {
            value,
            flag: None,
            marker: None,
        };
        if let Some(meaning) = self.flag_meaning(text).filter(|_| !text.is_empty()) {
            if meaning == FlagMeaning::Published {
                return Err(format!(
                    "{text:?} is a flag for a published value, but there is no number with it"
                ));
            }
            return Ok(ReadValue {
                value: meaning.scaled("", self)?,
                flag: Some((text.to_string(), meaning)),
                marker: None,
            });
        }
        let extra = self.markers.iter().map(|m| m.trim());
        if let Some(marker) = MARKERS.iter().copied().chain(extra).find(|&m| m == text) {
            return Ok(ReadValue {
                value: Scaled {
                    entry: self.hidden_entry(),
                    decimals: 0,
                    below: false,
                },
                flag: None,
                marker: Some(marker.to_string()),
            });
        }
        if let Some((flag, number)) = self.published_with_flag(text) {
            let value = self
                .number_field(number)
                .ok()
                .filter(|v| matches!(v.entry, Entry::Published(_)));
            if let Some(value) = value {
                return Ok(ReadValue {
                    value,
                    flag: Some((flag.to_string(), FlagMeaning::Published)),
                    marker: None,
                });
            }
        }
        self.number_field(text)
            .map(plain)
            .map_err(|m| cut_long_field(text, m))
    }

    /// A published flag written before or after a number (`12E`, `12 [e]`,
    /// `*12`): the flag and the number's text. The longest flag wins.
    fn published_with_flag<'t>(&'t self, text: &'t str) -> Option<(&'t str, &'t str)> {
        let mut best: Option<(&str, &str)> = None;
        for (flag, meaning) in &self.flags {
            let flag = flag.trim();
            if *meaning != FlagMeaning::Published || flag.is_empty() || flag.len() >= text.len() {
                continue;
            }
            let rest = text
                .strip_suffix(flag)
                .map(str::trim_end)
                .filter(|r| r.ends_with(|c: char| c.is_ascii_digit()))
                .or_else(|| {
                    text.strip_prefix(flag)
                        .map(str::trim_start)
                        .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
                });
            if let Some(rest) = rest {
                if best.is_none_or(|(f, _)| f.len() < flag.len()) {
                    best = Some((flag, rest));
                }
            }
        }
        best
    }

    /// Refuses a syntax whose thousands separator is its decimal mark.
    pub fn check(&self) -> Result<(), String> {
        let mark = self.decimal_mark();
        if mark.is_some_and(|m| self.thousands.accepts(m)) {
            return Err(format!(
                "the thousands separator and the decimal mark are both {:?}: give them \
                 different marks (--thousands and --decimal)",
                mark.unwrap_or(' ')
            ));
        }
        Ok(())
    }

    /// The decimal mark in force (see [`CellSyntax::decimal`]).
    pub fn decimal_mark(&self) -> Option<char> {
        if let Some(d) = self.decimal {
            return Some(d.mark());
        }
        match self.thousands {
            Thousands::Comma => Some('.'),
            Thousands::Dot => Some(','),
            _ if self.decimals.is_some() => Some('.'),
            _ => None,
        }
    }

    /// A number, `<N`, `[A,B]` or `A-B`.
    fn number_field(&self, text: &str) -> Result<Scaled, String> {
        if let Some(rest) = text.strip_prefix('<') {
            let n = self.amount(rest.trim()).map_err(|e| match e {
                NumberError::Count(CountError::NotCount) => format!(
                    "{text:?} is not a valid range: \"<N\" needs a count N, as in \"<5\" (0 to 4)"
                ),
                e => self.number_problem(rest.trim(), e),
            })?;
            if n.value < 1 {
                return Err(format!(
                    "{text:?} is an empty range: \"<N\" means 0 to N-1, so N must be at least 1"
                ));
            }
            return Ok(Scaled {
                entry: Entry::Range {
                    lo: Some(0),
                    hi: Some(n.value - 1),
                },
                decimals: n.decimals,
                below: true,
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
                let hint = if self.delimiter == b',' {
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
            return self.range(text, a, b, "[A,B], as in [3,7]");
        }
        if let Some((a, b)) = self.split_dash_range(text) {
            return self.range(text, a, b, "A-B, as in 1-9");
        }
        let signless = text
            .strip_prefix('-')
            .or_else(|| text.strip_prefix('\u{2212}'))
            .filter(|_| self.allow_negative);
        let negative = signless.is_some();
        let magnitude = signless.unwrap_or(text);
        let n = self
            .amount(magnitude)
            .map_err(|e| self.number_problem(text, e))?;
        Ok(Scaled {
            entry: Entry::Published(if negative { -n.value } else { n.value }),
            decimals: n.decimals,
            below: false,
        })
    }

    /// `A-B` with a digit before the dash: the two ends.
    fn split_dash_range<'t>(&self, text: &'t str) -> Option<(&'t str, &'t str)> {
        let at = text
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '-' || c == '\u{2013}')?
            .0;
        let (a, b) = (text.get(..at)?, text.get(at..)?);
        let b = b.get(b.chars().next()?.len_utf8()..)?;
        let digit_before = a.trim_end().ends_with(|c: char| c.is_ascii_digit());
        let digit_after = b.trim_start().starts_with(|c: char| c.is_ascii_digit());
        (digit_before && digit_after).then_some((a, b))
    }

    fn range(&self, text: &str, a: &str, b: &str, form: &str) -> Result<Scaled, String> {
        let end = |s: &str| {
            let s = s.trim();
            // With --allow-negative an end may be negative: `[-500,200]`.
            let (negative, magnitude) = match s.strip_prefix(['-', '\u{2212}']) {
                Some(m) if self.allow_negative => (true, m.trim_start()),
                _ => (false, s),
            };
            self.amount(magnitude)
                .map(|n| Amount {
                    value: if negative { -n.value } else { n.value },
                    ..n
                })
                .map_err(|e| match e {
                    NumberError::Count(CountError::NotCount) => format!(
                        "{text:?} is not a valid range: its end {s:?} is not a count; a range is \
                         written {form}"
                    ),
                    e => self.number_problem(s, e),
                })
        };
        let (lo, hi) = (end(a)?, end(b)?);
        let decimals = lo.decimals.max(hi.decimals);
        let up = |n: Amount| n.value * 10i64.pow(decimals - n.decimals);
        // Both ends are at most MAX_DECIMALS decimals and MAX_COUNT units:
        // the check below keeps the product in range.
        let fits = |n: Amount| {
            i128::from(n.value).abs() * 10i128.pow(decimals - n.decimals) <= i128::from(MAX_COUNT)
        };
        if !fits(lo) || !fits(hi) {
            return Err(format!("{text:?}: {}", too_many_units(decimals)));
        }
        let (l, h) = (up(lo), up(hi));
        if l > h {
            let (a, b) = (a.trim(), b.trim());
            let swapped = if form.starts_with('[') {
                format!("[{b},{a}]")
            } else {
                format!("{b}-{a}")
            };
            return Err(format!(
                "{text:?} is an empty range: its lower end {a} is above its upper end {b}; \
                 write {swapped}"
            ));
        }
        Ok(Scaled {
            entry: Entry::Range {
                lo: Some(l),
                hi: Some(h),
            },
            decimals,
            below: false,
        })
    }

    /// A non-negative number: digit groups, then the decimal mark and its
    /// digits.
    fn amount(&self, text: &str) -> Result<Amount, NumberError> {
        let mark = self.decimal_mark();
        let (int, frac) = match mark.and_then(|m| text.split_once(m)) {
            Some((int, frac)) => (int, Some(frac)),
            None => (text, None),
        };
        let whole = parse_grouped(int, |c| self.thousands.accepts(c) && Some(c) != mark)
            .map_err(NumberError::Count)?;
        let Some(frac) = frac else {
            return Ok(Amount {
                value: whole,
                decimals: 0,
            });
        };
        if frac.is_empty() || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(NumberError::Count(CountError::NotCount));
        }
        if frac.len() > MAX_DECIMALS as usize {
            return Err(NumberError::TooManyDecimals);
        }
        let decimals = frac.len() as u32;
        let mut value = whole;
        for b in frac.bytes() {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(Count::from(b - b'0')))
                .filter(|&v| v <= MAX_COUNT)
                .ok_or(NumberError::Count(CountError::TooLarge))?;
        }
        if let Some(declared) = self.decimals.filter(|&d| decimals > d) {
            return Err(NumberError::Decimals {
                has: decimals,
                declared,
            });
        }
        Ok(Amount { value, decimals })
    }

    /// The message for a text that is not a number where one is needed.
    fn number_problem(&self, text: &str, error: NumberError) -> String {
        match error {
            NumberError::Decimals { has, declared } => self.too_many_decimals(text, has, declared),
            NumberError::TooManyDecimals => format!(
                "{text:?} has more than {MAX_DECIMALS} decimals, the most an amount may have"
            ),
            NumberError::Count(CountError::Grouping) if self.thousands != Thousands::Space => {
                format!(
                    "{text:?} is not a number: digit groups must have three digits each (after a \
                     first group of 1 to 3), as in {}",
                    self.thousands.example()
                )
            }
            NumberError::Count(CountError::NotCount)
                if text.starts_with(['-', '\u{2212}'])
                    && text.chars().any(|c| c.is_ascii_digit())
                    && !self.allow_negative =>
            {
                format!(
                    "{text:?} is not a count: counts cannot be negative (if the table holds \
                     negative values, pass --allow-negative)"
                )
            }
            NumberError::Count(e) => {
                let plain = self.thousands == Thousands::Space && self.decimal_mark().is_none();
                // A minus sign, where negatives are allowed, is no style.
                let body = if self.allow_negative {
                    text.strip_prefix(['-', '\u{2212}']).unwrap_or(text)
                } else {
                    text
                };
                let base = if body.len() < text.len() && e == CountError::NotCount {
                    format!("{text:?} is not a number")
                } else {
                    count_problem(text, e)
                };
                let styled = body.chars().any(|c| matches!(c, '.' | ','))
                    && body.chars().all(|c| {
                        c.is_ascii_digit()
                            || matches!(c, '.' | ',' | '\'')
                            || GROUP_SEPARATORS.contains(&c)
                    });
                if plain && styled && e == CountError::NotCount {
                    format!(
                        "{base} (if it is written with other marks, say which: --thousands ,|. \
                         and --decimal .|, , or a --profile)"
                    )
                } else if !plain && styled && e == CountError::NotCount {
                    let mark = self
                        .decimal_mark()
                        .map_or("none".to_string(), |m| format!("'{m}'"));
                    format!(
                        "{text:?} is not a number as this file's numbers are written (digit \
                         groups as in {}, decimal mark {mark}): check --thousands and --decimal",
                        self.thousands.example()
                    )
                } else {
                    base
                }
            }
        }
    }
}

fn unmapped_flag(flag: &str) -> String {
    format!(
        "the flag {flag:?} has no known meaning here: say what it means with \
         --flag-meaning {flag}=hidden|secondary|range:A-B|published|absent"
    )
}

/// A flag met in a file, and what it was taken to mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUse {
    pub flag: String,
    pub meaning: FlagMeaning,
    /// How many cells carry it.
    pub cells: usize,
    /// The line of the first, where the format has lines.
    pub first_line: Option<usize>,
}

impl FlagUse {
    /// Counts the flag of `read`, if any, met on `line`: one more cell for
    /// a flag already in `used`, else a new entry (so `used` keeps the
    /// order flags are first met in).
    pub(crate) fn note(used: &mut Vec<FlagUse>, read: &ReadValue, line: usize) {
        let Some((flag, meaning)) = &read.flag else {
            return;
        };
        match used.iter_mut().find(|f| &f.flag == flag) {
            Some(u) => u.cells += 1,
            None => used.push(FlagUse {
                flag: flag.clone(),
                meaning: *meaning,
                cells: 1,
                first_line: Some(line),
            }),
        }
    }
}

/// A non-negative number in units of `10^-decimals`.
#[derive(Debug, Clone, Copy)]
struct Amount {
    value: Count,
    decimals: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberError {
    Count(CountError),
    /// More decimals than declared.
    Decimals {
        has: u32,
        declared: u32,
    },
    /// More than [`MAX_DECIMALS`].
    TooManyDecimals,
}

/// The most decimals an amount may have.
pub const MAX_DECIMALS: u32 = 15;

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
    parse_grouped(text, |c| GROUP_SEPARATORS.contains(&c))
}

/// Digits, optionally grouped in threes after a first group of 1 to 3
/// digits, each separator a character `separator` accepts.
fn parse_grouped(text: &str, separator: impl Fn(char) -> bool) -> Result<Count, CountError> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit() || separator(c)) {
        return Err(CountError::NotCount);
    }
    let mut groups = text.split(|c: char| !c.is_ascii_digit());
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
                     range (<N, [A,B] or A-B): if it marks a suppressed cell, use --marker {text:?}, or \
                     say what the flag means with --flag-meaning \
                     {text}=hidden|secondary|range:A-B|published|absent"
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

    fn syntax(thousands: Thousands, decimal: Option<Decimal>) -> CellSyntax {
        CellSyntax {
            thousands,
            decimal,
            ..CellSyntax::default()
        }
    }

    fn read(syntax: &CellSyntax, text: &str) -> (Entry, u32) {
        let r = syntax.read_value(text).unwrap();
        (r.value.entry, r.value.decimals)
    }

    #[test]
    fn number_styles() {
        let us = syntax(Thousands::Comma, None);
        assert_eq!(read(&us, "1,200"), (Entry::Published(1200), 0));
        assert_eq!(
            read(&us, "1,234,567.25"),
            (Entry::Published(123_456_725), 2)
        );
        assert!(us
            .read_value("1,20")
            .unwrap_err()
            .contains("as in \"12,345\""));
        let spaced = CellSyntax::default();
        assert_eq!(read(&spaced, "1 200"), (Entry::Published(1200), 0));
        let german = syntax(Thousands::Dot, Some(Decimal::Comma));
        assert_eq!(read(&german, "1.200,5"), (Entry::Published(12005), 1));
        let french = syntax(Thousands::Space, Some(Decimal::Comma));
        assert_eq!(read(&french, "12,5"), (Entry::Published(125), 1));
        assert_eq!(read(&french, "1 200,75"), (Entry::Published(120_075), 2));
        let none = syntax(Thousands::None, Some(Decimal::Dot));
        assert!(none.read_value("1 200").is_err());
        assert_eq!(read(&none, "1200.0"), (Entry::Published(12000), 1));
    }

    #[test]
    fn the_default_reads_whole_counts_only() {
        let d = CellSyntax::default();
        let e = d.value("1.5").unwrap_err();
        assert!(e.contains("counts are whole numbers"), "{e}");
        assert!(e.contains("--thousands"), "{e}");
        let e = d.value("1,200").unwrap_err();
        assert!(e.contains("not by ',' or '.'"), "{e}");
    }

    #[test]
    fn ranges_in_every_form() {
        let d = CellSyntax::default();
        let r = |lo, hi| Entry::Range {
            lo: Some(lo),
            hi: Some(hi),
        };
        assert_eq!(d.value("1-9"), Ok(r(1, 9)));
        assert_eq!(d.value("1 000 - 2 499"), Ok(r(1000, 2499)));
        assert_eq!(d.value("3\u{2013}7"), Ok(r(3, 7)));
        assert_eq!(d.value("<5"), Ok(r(0, 4)));
        assert_eq!(d.value("[3,7]"), Ok(r(3, 7)));
        let e = d.value("9-3").unwrap_err();
        assert!(e.contains("empty range") && e.contains("write 3-9"), "{e}");
        let us = syntax(Thousands::Comma, None);
        assert_eq!(us.value("10,000-24,999"), Ok(r(10_000, 24_999)));
    }

    #[test]
    fn amounts_are_exact_and_rescaled() {
        let us = syntax(Thousands::Comma, None);
        let v = us.read_value("12.5").unwrap().value;
        assert_eq!(v.at(1), Ok(Entry::Published(125)));
        assert_eq!(v.at(3), Ok(Entry::Published(12_500)));
        // "<0.5" is below 0.5: 0.4 at one decimal, 0.49 at two.
        let below = us.read_value("<0.5").unwrap().value;
        assert_eq!(
            below.at(1),
            Ok(Entry::Range {
                lo: Some(0),
                hi: Some(4)
            })
        );
        assert_eq!(
            below.at(2),
            Ok(Entry::Range {
                lo: Some(0),
                hi: Some(49)
            })
        );
        // "<5" at two decimals is up to 4.99.
        let five = us.read_value("<5").unwrap().value;
        assert_eq!(
            five.at(2),
            Ok(Entry::Range {
                lo: Some(0),
                hi: Some(499)
            })
        );
        assert!(v.at(0).is_err());
        let big = us.read_value("9,007,199,254,740.991").unwrap().value;
        assert!(big.at(4).unwrap_err().contains("2^53 - 1"));
        let many = us.read_value("0.0000000000000001").unwrap_err();
        assert!(many.contains("more than 15 decimals"), "{many}");
    }

    #[test]
    fn declared_decimals() {
        let two = CellSyntax {
            decimals: Some(2),
            ..CellSyntax::default()
        };
        assert_eq!(two.value("12.5"), Ok(Entry::Published(1250)));
        assert_eq!(two.value("3"), Ok(Entry::Published(300)));
        let e = two.value("1.255").unwrap_err();
        assert!(
            e.contains("\"1.255\" has 3 decimals, more than the 2 declared (--decimals 2)"),
            "{e}"
        );
        let e = CellSyntax::default().cell("7", None);
        assert_eq!(e, Ok((Entry::Published(7), None)));
        let undeclared = syntax(Thousands::Comma, None);
        let e = undeclared.cell("12.5", None).unwrap_err();
        assert!(e.contains("--decimals N"), "{e}");
    }

    #[test]
    fn negatives() {
        let d = CellSyntax::default();
        let e = d.value("-5").unwrap_err();
        assert!(
            e.contains("cannot be negative") && e.contains("--allow-negative"),
            "{e}"
        );
        let neg = CellSyntax {
            allow_negative: true,
            ..syntax(Thousands::Comma, None)
        };
        assert_eq!(neg.value("-5"), Ok(Entry::Published(-5)));
        assert_eq!(neg.value("\u{2212}1,250"), Ok(Entry::Published(-1250)));
        assert!(neg.value("--5").is_err());
        // A hidden cell that may be negative has no lower limit: hidden, its
        // domain the rule's with `negative` set from the model; a secondary
        // one no limit at all, never the non-negative domain.
        assert_eq!(neg.value("x"), Ok(Entry::Hidden));
        assert_eq!(neg.secondary_entry(), Entry::Range { lo: None, hi: None });
        let v = neg.read_value("-0.5").unwrap().value;
        assert_eq!(v.at(2), Ok(Entry::Published(-50)));
    }

    #[test]
    fn flags_alone_before_and_after_a_value() {
        let s = CellSyntax {
            flags: vec![
                ("E".into(), FlagMeaning::Published),
                ("F".into(), FlagMeaning::Secondary),
                (
                    "Suppressed".into(),
                    FlagMeaning::Range { lo: 1, hi: Some(9) },
                ),
                ("*".into(), FlagMeaning::Published),
            ],
            ..syntax(Thousands::Comma, None)
        };
        let r = s.read_value("F").unwrap();
        assert_eq!(
            r.value.entry,
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
        assert_eq!(r.flag, Some(("F".to_string(), FlagMeaning::Secondary)));
        assert_eq!(r.marker, None);
        assert_eq!(s.value("12E"), Ok(Entry::Published(12)));
        assert_eq!(s.value("1,200 E"), Ok(Entry::Published(1200)));
        assert_eq!(s.value("*45"), Ok(Entry::Published(45)));
        assert_eq!(
            s.value("Suppressed"),
            Ok(Entry::Range {
                lo: Some(1),
                hi: Some(9)
            })
        );
        let e = s.value("E").unwrap_err();
        assert!(e.contains("no number"), "{e}");
        let x = s.read_value("x").unwrap();
        assert_eq!(x.marker.as_deref(), Some("x"));
        let e = s.cell("3", Some("Q")).unwrap_err();
        assert!(e.contains("--flag-meaning Q=hidden|secondary|range:A-B|published|absent"));
    }

    #[test]
    fn flag_meanings_parse() {
        assert_eq!(FlagMeaning::parse("hidden"), Ok(FlagMeaning::Hidden));
        assert_eq!(FlagMeaning::parse("absent"), Ok(FlagMeaning::Absent));
        assert_eq!(FlagMeaning::parse("published"), Ok(FlagMeaning::Published));
        assert_eq!(
            FlagMeaning::parse("range:100000-"),
            Ok(FlagMeaning::Range {
                lo: 100_000,
                hi: None
            })
        );
        assert!(FlagMeaning::parse("range:9-1")
            .unwrap_err()
            .contains("empty"));
        assert!(FlagMeaning::parse("range:a-1").is_err());
        assert_eq!(
            FlagMeaning::Range { lo: 1, hi: Some(9) }.describe(),
            "range 1-9"
        );
    }
}
