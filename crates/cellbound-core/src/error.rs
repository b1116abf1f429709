//! Errors of the model and of the readers. Every error says where: the
//! file, the line (when the format has lines) and the field.

use std::fmt;

/// A structural error in a model: what a reader reports, with where, as an
/// [`InputError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("code {code:?} appears twice in dimension {dimension:?}")]
    DuplicateCode { dimension: String, code: String },
    #[error("code {code:?} of dimension {dimension:?} has an invalid parent")]
    BadParent { dimension: String, code: String },
    #[error("code {code:?} of dimension {dimension:?} is its own ancestor")]
    Cycle { dimension: String, code: String },
    #[error("table {table:?}: cell at {origin} has coordinates that do not fit the dimensions")]
    BadCoordinates { table: String, origin: String },
    #[error("table {table:?}: cell {at} is listed twice ({first} and {second})")]
    DuplicateCell {
        table: String,
        at: String,
        first: String,
        second: String,
    },
    #[error("table {table:?}: cell {at} is not listed (list it, or set \"absent\": \"zero\" to make unlisted cells structural zeros)")]
    MissingCell { table: String, at: String },
    #[error("table {table:?} has {expected} dimensions but {found} codes were given")]
    Arity {
        table: String,
        expected: usize,
        found: usize,
    },
    #[error("table {table:?}: {code:?} is not a code of dimension {dimension:?}")]
    UnknownCode {
        table: String,
        dimension: String,
        code: String,
    },
}

/// Bad input: exit status 2. Names the file, the line when there is one,
/// and the field (a column, a JSON path, a table line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

impl InputError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            line: None,
            field: None,
            message: message.into(),
        }
    }
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// Something a reader noticed and did not refuse, but that the user must
/// hear about because the answer rests on it (a label that looks like a
/// total but is read as data, lines skipped as a title or notes). It says
/// where as an [`InputError`] does; the CLI prints each on standard error
/// as `cellbound: warning: ...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputWarning(pub InputError);

impl InputWarning {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        InputWarning(InputError::new(file, message))
    }
    pub fn at_line(self, line: usize) -> Self {
        InputWarning(self.0.at_line(line))
    }
    pub fn field(self, field: impl Into<String>) -> Self {
        InputWarning(self.0.field(field))
    }
}

impl fmt::Display for InputWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
