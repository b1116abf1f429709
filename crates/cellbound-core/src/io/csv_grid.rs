//! The CSV grid (formats.md, section 1).

use super::GridOptions;
use crate::error::InputError;
use crate::model::Model;

/// Reads a 2-D grid. `display` names the file in messages; `stem` names
/// the table.
pub fn read(
    _bytes: &[u8],
    display: &str,
    _stem: &str,
    _options: &GridOptions,
) -> Result<Model, InputError> {
    Err(InputError::new(
        display,
        "the CSV grid reader is not written yet",
    ))
}
