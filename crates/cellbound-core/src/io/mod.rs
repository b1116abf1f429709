//! Readers: text to [`Model`](crate::Model).
//!
//! Every reader takes the bytes of a file and the name to use in messages,
//! and returns a model or an [`InputError`](crate::InputError) that names
//! the file, the line and the field.

pub mod csv_grid;
pub mod jj;
pub mod json_model;
pub mod truth;

use std::path::Path;

use crate::error::InputError;
use crate::model::Model;

/// Options of the CSV grid reader (formats.md, section 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GridOptions {
    /// `None`: the first of `,` `;` tab that splits every non-blank line
    /// into the same number (>= 2) of fields.
    pub delimiter: Option<u8>,
    /// Total labels beyond the built-in ones (case-insensitive).
    pub total_labels: Vec<String>,
    /// Suppression markers beyond the built-in ones (case-sensitive).
    pub markers: Vec<String>,
}

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CsvGrid,
    JsonModel,
    /// A τ-ARGUS JJ file (`.jj`): its model, see [`jj`].
    Jj,
}

impl Format {
    /// `.json` is a JSON model; `.jj` is a τ-ARGUS JJ file; any other file
    /// whose first character (after a BOM and white space) is `{` or `[`
    /// is a JSON model too; the rest are grids.
    pub fn detect(path: &Path, bytes: &[u8]) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Format::JsonModel,
            Some("jj") => Format::Jj,
            Some("csv") | Some("tsv") | Some("txt") => Format::CsvGrid,
            _ => {
                let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
                match body.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') | Some(b'[') => Format::JsonModel,
                    _ => Format::CsvGrid,
                }
            }
        }
    }
}

/// The name messages use for a file, and its stem (the default table
/// name).
pub fn names(path: &Path) -> (String, String) {
    let display = path.display().to_string();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| display.clone());
    (display, stem)
}

/// Reads a model from a file in either format.
pub fn read_path(path: &Path, options: &GridOptions) -> Result<Model, InputError> {
    let (display, stem) = names(path);
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(&display, format!("cannot read the file: {e}")))?;
    read_bytes(
        &bytes,
        Format::detect(path, &bytes),
        &display,
        &stem,
        options,
    )
}

/// Reads a model from bytes in a known format.
pub fn read_bytes(
    bytes: &[u8],
    format: Format,
    display: &str,
    stem: &str,
    options: &GridOptions,
) -> Result<Model, InputError> {
    match format {
        Format::CsvGrid => csv_grid::read(bytes, display, stem, options),
        Format::JsonModel => json_model::read(bytes, display, stem),
        Format::Jj => jj::read(bytes, display, stem).map(|file| file.model),
    }
}
