//! The JSON model (formats.md, section 2).

use crate::error::InputError;
use crate::model::Model;

/// Reads a JSON model. `display` names the file in messages; `stem` is the
/// default table name of a one-table file.
pub fn read(_bytes: &[u8], display: &str, _stem: &str) -> Result<Model, InputError> {
    Err(InputError::new(
        display,
        "the JSON model reader is not written yet",
    ))
}
