//! Reading the table a command works on. A τ-ARGUS JJ file brings more
//! than its model: the true value, status and protection levels of every
//! cell, which `audit` and `--format jj` use. What a reader noticed but
//! did not refuse is printed here, on standard error, before any solving.

use std::io::Write as _;
use std::path::Path;

use cellbound_core::io::cell_text::FlagUse;
use cellbound_core::io::jj::{self, JjCell};
use cellbound_core::io::long::{self, LongInfo};
use cellbound_core::io::sheet::{self, SheetRead};
use cellbound_core::io::tau_tab;
use cellbound_core::io::{names, read_bytes_full, Format, GridOptions};
use cellbound_core::{InputError, Model};

/// A table as read.
pub struct Loaded {
    pub model: Model,
    /// The cell lines of a JJ input, in the order of the model's cells.
    pub jj: Option<Vec<JjCell>>,
    /// What writing a long input back needs (`bounds --format long`).
    pub long: Option<LongInfo>,
}

/// [`load`] with the options of a command's input arguments, the
/// rounding of `--rounded` applied to the model read.
/// [`load_with`], then the rounding of `--rounded` applied: every
/// published value becomes the interval it stands for.
pub fn load_args(
    path: &Path,
    options: &GridOptions,
    args: &crate::args::InputArgs,
    quiet: bool,
) -> Result<Loaded, InputError> {
    let mut loaded = load_with(path, options, quiet)?;
    if let Some(hst) = &args.apriori {
        let (display, _) = names(hst);
        let bytes = cellbound_core::io::read_file(hst, &display)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            InputError::new(&display, "the file is not valid UTF-8: save it as UTF-8")
        })?;
        let warnings = cellbound_core::io::hst::apply(&mut loaded.model, &text, &display)?;
        say(warnings, &[], quiet, false);
    }
    let rounding = args
        .rounding
        .rounding(loaded.model.decimals)
        .map_err(|e| InputError::new(loaded.model.source.clone(), e))?;
    if let Some(rounding) = rounding {
        // Values that may be negative (--allow-negative, or a model that
        // holds a negative value) may have negative truths: their
        // intervals are not floored at 0.
        use cellbound_core::Entry;
        let negative = options.syntax.allow_negative
            || loaded.model.negative
            || loaded
                .model
                .tables
                .iter()
                .flat_map(|t| &t.cells)
                .any(|c| match c.entry {
                    Entry::Published(v) => v < 0,
                    Entry::Range { lo, .. } => lo.is_none_or(|l| l < 0),
                    _ => false,
                });
        loaded.model = loaded.model.rounded(rounding, negative)?;
    }
    Ok(loaded)
}

/// [`load`], saying on standard error what each flag met was taken to
/// mean unless `quiet`.
pub fn load_with(path: &Path, options: &GridOptions, quiet: bool) -> Result<Loaded, InputError> {
    load_checked(path, options, true, quiet)
}

/// [`load`] for a file read beside the input (`impute --prior`): the
/// options of long files may be meant for the input alone.
pub fn load_related(path: &Path, options: &GridOptions) -> Result<Loaded, InputError> {
    load_checked(path, options, false, true)
}

fn load_checked(
    path: &Path,
    options: &GridOptions,
    strict: bool,
    quiet: bool,
) -> Result<Loaded, InputError> {
    let (display, stem) = names(path);
    let bytes = cellbound_core::io::read_file(path, &display)?;
    if strict && options.long.metadata.is_some() && !tau_tab::is_tab(path) {
        return Err(InputError::new(
            display,
            "--metadata names the .rda file of a τ-ARGUS .tab file, and this file is not one \
             (its name does not end in .tab): leave --metadata out",
        ));
    }
    if tau_tab::is_tab(path) {
        // A τ-ARGUS .tab file, read with its .rda metadata.
        let rda = tau_tab::metadata_path(path, options.long.metadata.as_deref())?;
        let (model, warnings, info) =
            tau_tab::read_with_warnings(&bytes, &display, &stem, &rda, options)?;
        say(warnings, &info.used, quiet, model.negative);
        return Ok(Loaded {
            model,
            jj: None,
            long: None,
        });
    }
    let mut format = Format::detect_with(path, &bytes, options);
    // A sheet, read once: as a grid, or in the long layout as CSV text for
    // the long reader (`--layout grid` says it is a grid).
    let mut sheet_text = None;
    let mut sheet_grid = None;
    if format == Format::Sheet && options.layout != Some(long::InputLayout::Grid) {
        let read = sheet::read_layout(&bytes, &display, &stem, options, |head| {
            long::is_long(head, options)
        })?;
        match read {
            SheetRead::Long { text, warnings } => {
                format = Format::Long;
                sheet_text = Some((text, warnings));
            }
            SheetRead::Grid(read) => sheet_grid = Some(read),
        }
    }
    if strict && format != Format::Long {
        check_no_long_options(&display, format, options)?;
    }
    let (model, warnings, flags, info) = match format {
        Format::Jj => {
            cellbound_core::io::sheet_option_fits(Format::Jj, &display, options)?;
            let file = jj::read(&bytes, &display, &stem)?;
            let mut stderr = std::io::stderr().lock();
            for w in &file.warnings {
                let _ = writeln!(stderr, "cellbound: warning: {w}");
            }
            return Ok(Loaded {
                model: file.model,
                jj: Some(file.cells),
                long: None,
            });
        }
        Format::Long => match sheet_text {
            Some((text, mut warnings)) => {
                let (model, more, mut info) =
                    long::read_with_warnings(&text, &display, &stem, options)?;
                warnings.extend(more);
                info.text = Some(text);
                let flags = info.used.clone();
                (model, warnings, flags, Some(info))
            }
            None => {
                let (model, warnings, info) =
                    long::read_with_warnings(&bytes, &display, &stem, options)?;
                let flags = info.used.clone();
                // A τ-ARGUS code-value table is read as a long file that is
                // not the file itself: it is not written back.
                let tau = options.layout == Some(cellbound_core::io::long::InputLayout::Tau);
                (model, warnings, flags, (!tau).then_some(info))
            }
        },
        format => {
            let read = match sheet_grid {
                Some(read) => read,
                None => read_bytes_full(&bytes, format, &display, &stem, options)?,
            };
            (read.model, read.warnings, read.flags, None)
        }
    };
    say(warnings, &flags, quiet, model.negative);
    Ok(Loaded {
        model,
        jj: None,
        long: info,
    })
}

/// Prints a reader's warnings, and unless `quiet` what each flag met was
/// taken to mean, on standard error; `negative` when the model's values
/// may be negative, which takes a hidden cell's lower limit away.
fn say(
    warnings: Vec<cellbound_core::InputWarning>,
    flags: &[FlagUse],
    quiet: bool,
    negative: bool,
) {
    let mut stderr = std::io::stderr().lock();
    for w in warnings {
        // A full or closed standard error is no reason to stop.
        let _ = writeln!(stderr, "cellbound: warning: {w}");
    }
    if !quiet && !flags.is_empty() {
        let hidden = flags.iter().any(|f| {
            matches!(
                f.meaning,
                cellbound_core::io::cell_text::FlagMeaning::Hidden
                    | cellbound_core::io::cell_text::FlagMeaning::Secondary
            )
        });
        let note = if negative && hidden {
            "; values may be negative (--allow-negative), so a hidden cell has no lower limit \
             (a secondary one no limit at all) unless its lines give one"
        } else {
            ""
        };
        let _ = writeln!(stderr, "cellbound: flags: {}{note}", describe_flags(flags));
    }
}

/// The options of long files given for an input that is not one: an
/// error naming the first, rather than an option silently ignored.
fn check_no_long_options(
    display: &str,
    format: Format,
    options: &GridOptions,
) -> Result<(), InputError> {
    let long = &options.long;
    let given = [
        (long.dims.is_some(), "--dims"),
        (long.value.is_some(), "--value"),
        (long.flag.is_some(), "--flag"),
        (!long.hierarchies.is_empty(), "--hierarchy"),
        (!long.total_codes.is_empty(), "--total-code"),
        (long.absent_zero, "--absent"),
    ];
    let Some((_, flag)) = given.iter().find(|(on, _)| *on) else {
        return Ok(());
    };
    let what = match format {
        Format::JsonModel => "a JSON model",
        Format::Jj => "a τ-ARGUS JJ file",
        _ => "a CSV grid",
    };
    Err(InputError::new(
        display,
        format!(
            "{flag} applies to long files (one row per cell), and this file is read as {what}: \
             leave {flag} out, or add --layout long if the file is a long file"
        ),
    ))
}

/// What each flag met was taken to mean, in the order first met:
/// `x = hidden (below the threshold), E = published (with a quality flag)`.
fn describe_flags(flags: &[FlagUse]) -> String {
    let said: Vec<String> = flags
        .iter()
        .map(|f| format!("{} = {}", f.flag, f.meaning.describe()))
        .collect();
    said.join(", ")
}

/// The rows a long input was read from, for the writers that give them
/// back: the CSV text of a sheet's rows, or the file read again.
pub fn long_rows<'i>(
    path: &Path,
    info: &'i LongInfo,
) -> Result<std::borrow::Cow<'i, [u8]>, InputError> {
    match &info.text {
        Some(text) => Ok(std::borrow::Cow::Borrowed(text)),
        None => {
            let (display, _) = names(path);
            cellbound_core::io::read_file(path, &display).map(std::borrow::Cow::Owned)
        }
    }
}
