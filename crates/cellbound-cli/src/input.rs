//! Reading the table a command works on. A τ-ARGUS JJ file brings more
//! than its model: the true value, status and protection levels of every
//! cell, which `audit` and `--format jj` use. What a reader noticed but
//! did not refuse is printed here, on standard error, before any solving.

use std::io::Write as _;
use std::path::Path;

use cellbound_core::io::jj::{self, JjCell};
use cellbound_core::io::{names, read_bytes_full, Format, GridOptions};
use cellbound_core::{InputError, Model};

/// A table as read.
pub struct Loaded {
    pub model: Model,
    /// The cell lines of a JJ input, in the order of the model's cells.
    pub jj: Option<Vec<JjCell>>,
}

pub fn load(path: &Path, options: &GridOptions) -> Result<Loaded, InputError> {
    load_with(path, options, false)
}

/// [`load`], saying on standard error what each flag met was taken to
/// mean unless `quiet`.
pub fn load_with(path: &Path, options: &GridOptions, quiet: bool) -> Result<Loaded, InputError> {
    let (display, stem) = names(path);
    let bytes = cellbound_core::io::read_file(path, &display)?;
    match Format::detect(path, &bytes) {
        Format::Jj => {
            cellbound_core::io::sheet_option_fits(Format::Jj, &display, options)?;
            let file = jj::read(&bytes, &display, &stem)?;
            Ok(Loaded {
                model: file.model,
                jj: Some(file.cells),
            })
        }
        format => {
            let read = read_bytes_full(&bytes, format, &display, &stem, options)?;
            let mut stderr = std::io::stderr().lock();
            for w in read.warnings {
                // A full or closed standard error is no reason to stop.
                let _ = writeln!(stderr, "cellbound: warning: {w}");
            }
            if !quiet && !read.flags.is_empty() {
                let said: Vec<String> = read
                    .flags
                    .iter()
                    .map(|f| format!("{} = {}", f.flag, f.meaning.describe()))
                    .collect();
                let _ = writeln!(stderr, "cellbound: flags: {}", said.join(", "));
            }
            Ok(Loaded {
                model: read.model,
                jj: None,
            })
        }
    }
}
