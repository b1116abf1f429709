//! The table model of cellbound and its file formats.
//!
//! - [`model`]: tables, dimensions with hierarchies, cells, extra
//!   constraints, the suppression [`Rule`];
//! - [`system`]: a model under a rule as integer linear equations over the
//!   hidden cells;
//! - [`io`]: the CSV grid and JSON model readers (`docs/formats.md`), with
//!   errors that name the file, line and field;
//! - [`rank`]: the exact check that a component's lines leave it a
//!   single table (full rank modulo a prime).

pub mod error;
pub mod io;
pub mod kernel;
pub mod model;
pub mod proof;
pub mod rank;
pub mod synth;
pub mod system;

pub use error::{InputError, InputWarning, ModelError};
pub use model::{
    Absent, Cell, CellRef, Constraint, Count, Dimension, Domain, DomainSource, Entry, Layout,
    Model, Op, Rounding, RoundingMode, Rule, Table, Term, MAX_COUNT,
};
pub use system::{Line, LinearSystem, Row, Var};
