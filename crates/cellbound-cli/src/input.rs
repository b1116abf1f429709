//! Reading the table a command works on. A τ-ARGUS JJ file brings more
//! than its model: the true value, status and protection levels of every
//! cell, which `audit` and `--format jj` use.

use std::path::Path;

use cellbound_core::io::jj::{self, JjCell};
use cellbound_core::io::{names, read_bytes, Format, GridOptions};
use cellbound_core::{InputError, Model};

/// A table as read.
pub struct Loaded {
    pub model: Model,
    /// The cell lines of a JJ input, in the order of the model's cells.
    pub jj: Option<Vec<JjCell>>,
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
        format => Ok(Loaded {
            model: read_bytes(&bytes, format, &display, &stem, options)?,
            jj: None,
        }),
    }
}
