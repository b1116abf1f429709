//! Reading the table a command works on. A τ-ARGUS JJ file brings more
//! than its model: the true value, status and protection levels of every
//! cell, which `audit` and `--format jj` use. What a reader noticed but
//! did not refuse is printed here, on standard error, before any solving.

use std::io::Write as _;
use std::path::Path;

use cellbound_core::io::jj::{self, JjCell};
use cellbound_core::io::long::{self, LongInfo};
use cellbound_core::io::{names, read_bytes_with_warnings, Format, GridOptions};
use cellbound_core::{InputError, Model};

/// A table as read.
pub struct Loaded {
    pub model: Model,
    /// The cell lines of a JJ input, in the order of the model's cells.
    pub jj: Option<Vec<JjCell>>,
    /// What writing a long input back needs (`bounds --format long`).
    pub long: Option<LongInfo>,
}

pub fn load(path: &Path, options: &GridOptions) -> Result<Loaded, InputError> {
    load_checked(path, options, true)
}

/// [`load`] for a file read beside the input (`impute --prior`): the
/// options of long files may be meant for the input alone.
pub fn load_related(path: &Path, options: &GridOptions) -> Result<Loaded, InputError> {
    load_checked(path, options, false)
}

fn load_checked(path: &Path, options: &GridOptions, strict: bool) -> Result<Loaded, InputError> {
    let (display, stem) = names(path);
    let bytes = cellbound_core::io::read_file(path, &display)?;
    let format = Format::detect_with(path, &bytes, options);
    if strict && format != Format::Long {
        check_no_long_options(&display, format, options)?;
    }
    let (model, warnings, info) = match format {
        Format::Jj => {
            let file = jj::read(&bytes, &display, &stem)?;
            return Ok(Loaded {
                model: file.model,
                jj: Some(file.cells),
                long: None,
            });
        }
        Format::Long => {
            let (model, warnings, info) =
                long::read_with_warnings(&bytes, &display, &stem, options)?;
            (model, warnings, Some(info))
        }
        format => {
            let (model, warnings) =
                read_bytes_with_warnings(&bytes, format, &display, &stem, options)?;
            (model, warnings, None)
        }
    };
    let mut stderr = std::io::stderr().lock();
    for w in warnings {
        // A full or closed standard error is no reason to stop.
        let _ = writeln!(stderr, "cellbound: warning: {w}");
    }
    Ok(Loaded {
        model,
        jj: None,
        long: info,
    })
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
