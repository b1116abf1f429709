//! Reading the table a command works on. A τ-ARGUS JJ file brings more
//! than its model: the true value, status and protection levels of every
//! cell, which `audit` and `--format jj` use. What a reader noticed but
//! did not refuse is printed here, on standard error, before any solving.

use std::io::Write as _;
use std::path::Path;

use cellbound_core::io::jj::{self, JjCell};
use cellbound_core::io::{names, read_bytes_with_warnings, Format, GridOptions};
use cellbound_core::{InputError, Model};

/// A table as read.
pub struct Loaded {
    pub model: Model,
    /// The cell lines of a JJ input, in the order of the model's cells.
    pub jj: Option<Vec<JjCell>>,
}

/// [`load`] with the options of a command's input arguments, the
/// rounding of `--rounded` applied to the model read.
pub fn load_args(path: &Path, args: &crate::args::InputArgs) -> Result<Loaded, InputError> {
    let mut loaded = load(path, &args.grid_options())?;
    let rounding = args
        .rounding
        .rounding(loaded.model.decimals)
        .map_err(|e| InputError::new(loaded.model.source.clone(), e))?;
    if let Some(rounding) = rounding {
        // A model that holds a negative value may hold negative truths:
        // its intervals are not floored at 0.
        let negative = loaded.model.tables.iter().flat_map(|t| &t.cells).any(|c| {
            matches!(c.entry, cellbound_core::Entry::Published(v) | cellbound_core::Entry::Range { lo: v, .. } if v < 0)
        });
        loaded.model = loaded.model.rounded(rounding, negative)?;
    }
    Ok(loaded)
}

pub fn load(path: &Path, options: &GridOptions) -> Result<Loaded, InputError> {
    let (display, stem) = names(path);
    let bytes = cellbound_core::io::read_file(path, &display)?;
    match Format::detect(path, &bytes) {
        Format::Jj => {
            let file = jj::read(&bytes, &display, &stem)?;
            Ok(Loaded {
                model: file.model,
                jj: Some(file.cells),
            })
        }
        format => {
            let (model, warnings) =
                read_bytes_with_warnings(&bytes, format, &display, &stem, options)?;
            let mut stderr = std::io::stderr().lock();
            for w in warnings {
                // A full or closed standard error is no reason to stop.
                let _ = writeln!(stderr, "cellbound: warning: {w}");
            }
            Ok(Loaded { model, jj: None })
        }
    }
}
