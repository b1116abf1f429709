//! Agency profiles (`--profile NAME`): how an agency writes its tables.
//! The flags it uses and what each means in cellbound's terms, its number
//! style, its delimiter, the columns of its long files, and whether it
//! publishes negative values.
//!
//! Every flag's wording is the agency's own, quoted in `docs/formats.md`
//! ("Profiles") with the page it comes from; the meaning given here is
//! cellbound's reading of that wording:
//!
//! - **hidden**: a small count hidden by a threshold rule (the rule's
//!   domain, `--threshold`);
//! - **secondary**: hidden, and nothing says it is small (suppressed for
//!   dominance, for reliability, or to protect another cell): at least 0,
//!   no upper end, as under `--open`;
//! - **range**: hidden within the stated range;
//! - **published**: the value is there, with a quality flag;
//! - **absent**: structurally zero or not applicable: 0.
//!
//! "Not available" (a value that exists but is not given, for a reason
//! other than confidentiality) is read as **secondary**: unknown and
//! possibly large, never assumed small or zero.

use super::cell_text::{CellSyntax, Decimal, FlagMeaning, Thousands};

/// One flag of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileFlag {
    /// The text as it appears in a value field or a flag column.
    pub flag: &'static str,
    pub meaning: FlagMeaning,
    /// The flag column it belongs to, where the agency has several whose
    /// codes overlap (SDMX `CONF_STATUS` and `OBS_STATUS`); `None`: any.
    pub column: Option<&'static str>,
    /// The agency's own words (the docs quote them with their source).
    pub wording: &'static str,
}

/// How one agency writes its tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// The `--profile` name.
    pub name: &'static str,
    pub agency: &'static str,
    /// The delimiter of its CSV files, when it always uses one.
    pub delimiter: Option<u8>,
    pub thousands: Thousands,
    pub decimal: Decimal,
    /// The agency publishes negative values (net income, changes).
    pub allow_negative: bool,
    value_columns: &'static [&'static str],
    flag_columns: &'static [&'static str],
    pub flags: &'static [ProfileFlag],
}

const fn flag(flag: &'static str, meaning: FlagMeaning, wording: &'static str) -> ProfileFlag {
    ProfileFlag {
        flag,
        meaning,
        column: None,
        wording,
    }
}

const fn in_column(
    column: &'static str,
    flag: &'static str,
    meaning: FlagMeaning,
    wording: &'static str,
) -> ProfileFlag {
    ProfileFlag {
        flag,
        meaning,
        column: Some(column),
        wording,
    }
}

const fn range(lo: i64, hi: i64) -> FlagMeaning {
    FlagMeaning::Range { lo, hi: Some(hi) }
}

use FlagMeaning::{Absent, Hidden, Published, Secondary};

const STATCAN: &[ProfileFlag] = &[
    flag(
        "x",
        Hidden,
        "suppressed to meet the confidentiality requirements of the Statistics Act",
    ),
    flag("F", Secondary, "too unreliable to be published"),
    flag(".", Secondary, "not available for any reference period"),
    flag(
        "..",
        Secondary,
        "not available for a specific reference period",
    ),
    flag("...", Absent, "not applicable"),
    flag("E", Published, "use with caution"),
    flag("A", Published, "specific levels of data quality"),
    flag("B", Published, "specific levels of data quality"),
    flag("C", Published, "specific levels of data quality"),
    flag("D", Published, "specific levels of data quality"),
    flag("p", Published, "preliminary"),
    flag("r", Published, "revised"),
];

const GSS: &[ProfileFlag] = &[
    flag(
        "[c]",
        Hidden,
        "Confidential information: The data value has been suppressed for confidentiality purposes",
    ),
    flag(
        "[x]",
        Secondary,
        "Not available: The data value is unavailable for unknown or other reasons",
    ),
    flag(
        "[z]",
        Absent,
        "Not applicable: There is no possible data value for this combination of variables",
    ),
    flag(
        "[low]",
        Hidden,
        "Low figure: The data value is a low figure that appears as a zero when rounded",
    ),
    flag(
        "[w]",
        Absent,
        "None recorded in survey: No data value is estimated to be in this combination of variables",
    ),
    flag("[u]", Published, "Low reliability"),
    flag("[e]", Published, "Estimated"),
    flag("[p]", Published, "Provisional"),
    flag("[r]", Published, "Revised"),
];

const SDMX: &[ProfileFlag] = &[
    in_column("CONF_STATUS", "F", Published, "free"),
    in_column(
        "CONF_STATUS",
        "C",
        Secondary,
        "Confidential statistical information (primary confidentiality) due to identifiable respondents",
    ),
    in_column(
        "CONF_STATUS",
        "A",
        Hidden,
        "primary confidentiality due to small counts",
    ),
    in_column("CONF_STATUS", "O", Secondary, "primary confidentiality by dominance or other measures"),
    in_column("CONF_STATUS", "T", Secondary, "primary confidentiality by dominance or other measures"),
    in_column("CONF_STATUS", "G", Secondary, "primary confidentiality by dominance or other measures"),
    in_column("CONF_STATUS", "M", Secondary, "primary confidentiality by dominance or other measures"),
    in_column("CONF_STATUS", "D", Secondary, "secondary confidentiality"),
    in_column("CONF_STATUS", "S", Secondary, "secondary confidentiality"),
    in_column(
        "CONF_STATUS",
        "N",
        Secondary,
        "Not for publication, restricted for internal use only",
    ),
    in_column("OBS_STATUS", "A", Published, "normal value"),
    in_column("OBS_STATUS", "B", Published, "break in time series"),
    in_column("OBS_STATUS", "D", Published, "definition differs (see metadata)"),
    in_column("OBS_STATUS", "E", Published, "estimated"),
    in_column("OBS_STATUS", "F", Published, "forecast"),
    in_column(
        "OBS_STATUS",
        "I",
        Published,
        "value imputed by Eurostat or other receiving agencies",
    ),
    in_column("OBS_STATUS", "N", Published, "not significant"),
    in_column("OBS_STATUS", "P", Published, "provisional"),
    in_column("OBS_STATUS", "U", Published, "low reliability"),
    in_column("OBS_STATUS", "M", Absent, "missing value, data cannot exist"),
    in_column("OBS_STATUS", "L", Secondary, "missing value; data exist but were not collected"),
    in_column("OBS_STATUS", "Q", Secondary, "missing value; suppressed"),
    // Eurostat's new confidentiality code (from 27 January 2025).
    in_column(
        "CONF_STATUS",
        "P",
        Secondary,
        "information under non-statistical secrecy arrangements",
    ),
    // Eurostat's SDMX-CSV writes the observation status as `OBS_FLAG`, in
    // lower case; `s`, `z` and `c` are its codes before 27 January 2025.
    in_column("OBS_FLAG", "b", Published, "break in time series"),
    in_column("OBS_FLAG", "d", Published, "definition differs (see metadata)"),
    in_column("OBS_FLAG", "e", Published, "estimated"),
    in_column("OBS_FLAG", "f", Published, "forecast"),
    in_column(
        "OBS_FLAG",
        "i",
        Published,
        "value imputed by Eurostat or other receiving agencies",
    ),
    in_column("OBS_FLAG", "n", Published, "not significant"),
    in_column("OBS_FLAG", "p", Published, "provisional"),
    in_column("OBS_FLAG", "u", Published, "low reliability"),
    in_column("OBS_FLAG", "s", Published, "Eurostat estimate"),
    in_column("OBS_FLAG", "m", Absent, "missing value, data cannot exist"),
    in_column("OBS_FLAG", "z", Absent, "not applicable"),
    in_column("OBS_FLAG", "c", Secondary, "confidential"),
];

const CENSUS_CBP: &[ProfileFlag] = &[
    // The noise flags of the employment column (`emp_nf`); `D`, `S` and
    // `N` below are read there too.
    in_column(
        "EMP_NF",
        "G",
        Published,
        "Low noise applied to cell value (less than 2%)",
    ),
    in_column(
        "EMP_NF",
        "H",
        Published,
        "Medium noise applied to cell value (2% or more but less than 5%)",
    ),
    in_column(
        "EMP_NF",
        "J",
        Published,
        "High noise applied to cell value (greater than or equal to 5%)",
    ),
    flag(
        "D",
        Secondary,
        "Data withheld to avoid disclosing operations of individual companies",
    ),
    flag(
        "(D)",
        Secondary,
        "Data withheld to avoid disclosing operations of individual companies",
    ),
    flag(
        "S",
        Secondary,
        "Data withheld because estimate did not meet standards",
    ),
    flag(
        "(S)",
        Secondary,
        "Data withheld because estimate did not meet standards",
    ),
    flag("N", Secondary, "Data not available"),
    flag("(NA)", Secondary, "Data not available"),
    flag("X", Absent, "Not applicable"),
    flag("(X)", Absent, "Not applicable"),
    flag("Z", Absent, "Less than half the unit shown"),
    flag("(Z)", Absent, "Less than half the unit shown"),
    flag("a", range(0, 19), "0-19"),
    flag("A", range(0, 19), "0-19"),
    flag("B", range(20, 99), "20-99"),
    flag("C", range(100, 249), "100-249"),
    flag("E", range(250, 499), "250-499"),
    flag("F", range(500, 999), "500-999"),
    flag("G", range(1_000, 2_499), "1,000-2,499"),
    flag("H", range(2_500, 4_999), "2,500-4,999"),
    flag("I", range(5_000, 9_999), "5,000-9,999"),
    flag("J", range(10_000, 24_999), "10,000-24,999"),
    flag("K", range(25_000, 49_999), "25,000-49,999"),
    flag("L", range(50_000, 99_999), "50,000-99,999"),
    flag(
        "M",
        FlagMeaning::Range {
            lo: 100_000,
            hi: None,
        },
        "100,000 or More",
    ),
];

const BEA: &[ProfileFlag] = &[
    flag(
        "(D)",
        Secondary,
        "Not shown to avoid disclosure of confidential information; estimates are included in higher-level totals",
    ),
    flag("(L)", range(0, 49), "Less than $50,000"),
    flag("(NA)", Secondary, "Not available"),
    flag("(NM)", Secondary, "Not meaningful"),
];

const CDC: &[ProfileFlag] = &[
    flag(
        "Suppressed",
        range(1, 9),
        "Statistics representing one through nine (1-9) deaths are suppressed",
    ),
    flag("Unreliable", Secondary, "Unreliable"),
    flag("Not Applicable", Absent, "Not Applicable"),
    flag("Missing", Secondary, "Missing"),
];

const ABS: &[ProfileFlag] = &[
    flag("np", Secondary, "not published"),
    flag("n.p.", Secondary, "not for publication"),
    flag("..", Absent, "not applicable"),
    flag("-", Absent, "nil or rounded to zero (including null cells)"),
    flag("na", Secondary, "Not available"),
    flag("n.a.", Secondary, "not available"),
    flag(
        "*",
        Published,
        "subject to high standard errors and should be used with caution",
    ),
    flag(
        "**",
        Published,
        "subject to sampling variability too high for practical purposes",
    ),
];

/// The profiles, by `--profile` name.
pub const PROFILES: [Profile; 7] = [
    Profile {
        name: "statcan",
        agency: "Statistics Canada",
        delimiter: Some(b','),
        thousands: Thousands::Comma,
        decimal: Decimal::Dot,
        allow_negative: false,
        value_columns: &["VALUE"],
        flag_columns: &["STATUS", "SYMBOL"],
        flags: STATCAN,
    },
    Profile {
        name: "gss",
        agency: "UK Government Statistical Service",
        delimiter: Some(b','),
        thousands: Thousands::Comma,
        decimal: Decimal::Dot,
        allow_negative: false,
        value_columns: &["Value", "Count", "OBS_VALUE"],
        flag_columns: &["Marker", "Shorthand"],
        flags: GSS,
    },
    Profile {
        name: "sdmx",
        agency: "SDMX (Eurostat, ECB, OECD)",
        delimiter: Some(b','),
        thousands: Thousands::None,
        decimal: Decimal::Dot,
        allow_negative: false,
        value_columns: &["OBS_VALUE"],
        flag_columns: &["CONF_STATUS", "OBS_STATUS", "OBS_FLAG"],
        flags: SDMX,
    },
    Profile {
        name: "census-cbp",
        agency: "US Census Bureau, County Business Patterns",
        delimiter: Some(b','),
        thousands: Thousands::Comma,
        decimal: Decimal::Dot,
        allow_negative: false,
        value_columns: &["EMP", "ESTAB", "PAYANN"],
        flag_columns: &["EMPFLAG", "EMP_NF", "EMP_F", "EMP_N_F"],
        flags: CENSUS_CBP,
    },
    Profile {
        name: "bea",
        agency: "US Bureau of Economic Analysis",
        delimiter: Some(b','),
        thousands: Thousands::Comma,
        decimal: Decimal::Dot,
        allow_negative: true,
        value_columns: &["DataValue", "Value"],
        flag_columns: &["NoteRef"],
        flags: BEA,
    },
    Profile {
        name: "cdc",
        agency: "CDC WONDER",
        delimiter: Some(b'\t'),
        thousands: Thousands::None,
        decimal: Decimal::Dot,
        allow_negative: false,
        value_columns: &["Deaths", "Births", "Count"],
        flag_columns: &[],
        flags: CDC,
    },
    Profile {
        name: "abs",
        agency: "Australian Bureau of Statistics",
        delimiter: Some(b','),
        thousands: Thousands::Comma,
        decimal: Decimal::Dot,
        allow_negative: false,
        value_columns: &["OBS_VALUE", "Value"],
        flag_columns: &["OBS_STATUS"],
        flags: ABS,
    },
];

impl Profile {
    /// The profile `--profile name` names.
    ///
    /// ```
    /// use cellbound_core::io::profile::Profile;
    /// use cellbound_core::io::cell_text::FlagMeaning;
    /// use cellbound_core::Entry;
    ///
    /// let statcan = Profile::named("statcan").unwrap();
    /// let syntax = statcan.syntax(None);
    /// // F is "too unreliable to be published": not a small count.
    /// assert_eq!(syntax.cell("F", None).unwrap().0, Entry::Range { lo: Some(0), hi: None });
    /// assert_eq!(syntax.cell("1,234E", None).unwrap().0, Entry::Published(1234));
    /// assert!(Profile::named("nso").is_none());
    /// ```
    pub fn named(name: &str) -> Option<&'static Profile> {
        PROFILES.iter().find(|p| p.name == name)
    }

    /// The names, for messages and `--help`.
    pub fn names() -> Vec<&'static str> {
        PROFILES.iter().map(|p| p.name).collect()
    }

    /// The value columns of the agency's long files, most likely first.
    pub fn value_columns(&self) -> &'static [&'static str] {
        self.value_columns
    }

    /// The flag columns of the agency's long files, most likely first.
    pub fn flag_columns(&self) -> &'static [&'static str] {
        self.flag_columns
    }

    /// The flags of one flag column (`Some("OBS_STATUS")`, matched
    /// case-insensitively), or of a value field (`None`: every flag, those
    /// of the first flag column first, so that where two columns use one
    /// code the confidentiality meaning wins).
    pub fn flags_for(&self, column: Option<&str>) -> Vec<(String, FlagMeaning)> {
        let mut flags: Vec<&ProfileFlag> = match column {
            Some(c) => self
                .flags
                .iter()
                .filter(|f| f.column.is_none_or(|fc| fc.eq_ignore_ascii_case(c)))
                .collect(),
            None => self.flags.iter().collect(),
        };
        let rank = |f: &ProfileFlag| {
            f.column
                .and_then(|c| self.flag_columns.iter().position(|&fc| fc == c))
                .unwrap_or(0)
        };
        // For one column, the flags of that column before those of any
        // column (CBP's noise flag `G` is not the size class `G`).
        let specific = column.is_some();
        flags.sort_by_key(|f| (specific && f.column.is_none(), rank(f)));
        flags
            .into_iter()
            .map(|f| (f.flag.to_string(), f.meaning))
            .collect()
    }

    /// The cell syntax of the profile, for a value field (`None`) or one
    /// flag column: its flags, number style and negatives; no declared
    /// decimals (the reader takes them from the file).
    pub fn syntax(&self, flag_column: Option<&str>) -> CellSyntax {
        CellSyntax {
            flags: self.flags_for(flag_column),
            thousands: self.thousands,
            decimal: Some(self.decimal),
            allow_negative: self.allow_negative,
            delimiter: self.delimiter.unwrap_or(b','),
            ..CellSyntax::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Entry;

    #[test]
    fn every_profile_is_named_and_its_flags_are_unique_per_column() {
        for p in &PROFILES {
            assert_eq!(Profile::named(p.name), Some(p));
            for (i, a) in p.flags.iter().enumerate() {
                for b in &p.flags[i + 1..] {
                    assert!(
                        a.flag != b.flag || a.column != b.column,
                        "{}: {} twice",
                        p.name,
                        a.flag
                    );
                }
            }
        }
        assert_eq!(Profile::names().len(), 7);
    }

    fn cell(profile: &str, text: &str) -> Entry {
        let syntax = Profile::named(profile).unwrap().syntax(None);
        syntax.cell(text, None).unwrap().0
    }

    #[test]
    fn statcan_flags() {
        assert_eq!(cell("statcan", "x"), Entry::Hidden);
        assert_eq!(
            cell("statcan", "F"),
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
        assert_eq!(
            cell("statcan", ".."),
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
        assert_eq!(cell("statcan", "..."), Entry::Published(0));
        assert_eq!(cell("statcan", "12E"), Entry::Published(12));
        assert_eq!(cell("statcan", "1,234 E"), Entry::Published(1234));
    }

    #[test]
    fn gss_flags() {
        assert_eq!(cell("gss", "[c]"), Entry::Hidden);
        assert_eq!(
            cell("gss", "[x]"),
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
        assert_eq!(cell("gss", "[z]"), Entry::Published(0));
        assert_eq!(cell("gss", "[low]"), Entry::Hidden);
        assert_eq!(cell("gss", "1,200 [e]"), Entry::Published(1200));
    }

    #[test]
    fn sdmx_columns_keep_their_own_codes() {
        let sdmx = Profile::named("sdmx").unwrap();
        let obs = sdmx.syntax(Some("OBS_STATUS"));
        let conf = sdmx.syntax(Some("conf_status"));
        assert_eq!(
            obs.cell("12", Some("E")).unwrap(),
            (Entry::Published(12), Some(Published))
        );
        assert_eq!(conf.cell("", Some("A")).unwrap().0, Entry::Hidden);
        assert_eq!(
            conf.cell("", Some("D")).unwrap().0,
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
        assert!(conf.cell("", Some("E")).is_err());
        // In a value field, the confidentiality meaning wins.
        assert_eq!(
            cell("sdmx", "D"),
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
    }

    #[test]
    fn census_cbp_ranges() {
        assert_eq!(
            cell("census-cbp", "(D)"),
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
        assert_eq!(
            cell("census-cbp", "G"),
            Entry::Range {
                lo: Some(1000),
                hi: Some(2499)
            }
        );
        assert_eq!(
            cell("census-cbp", "M"),
            Entry::Range {
                lo: Some(100_000),
                hi: None
            }
        );
        assert_eq!(cell("census-cbp", "1,234"), Entry::Published(1234));
    }

    #[test]
    fn bea_cdc_abs() {
        assert_eq!(
            cell("bea", "(L)"),
            Entry::Range {
                lo: Some(0),
                hi: Some(49)
            }
        );
        assert_eq!(cell("bea", "-1,250"), Entry::Published(-1250));
        // Negatives allowed: a secondary suppression has no limit at all.
        assert_eq!(cell("bea", "(D)"), Entry::Range { lo: None, hi: None });
        assert_eq!(
            cell("cdc", "Suppressed"),
            Entry::Range {
                lo: Some(1),
                hi: Some(9)
            }
        );
        assert_eq!(cell("cdc", "Not Applicable"), Entry::Published(0));
        assert_eq!(
            cell("abs", "np"),
            Entry::Range {
                lo: Some(0),
                hi: None
            }
        );
        assert_eq!(cell("abs", "-"), Entry::Published(0));
        assert_eq!(cell("abs", "*12"), Entry::Published(12));
    }
}
