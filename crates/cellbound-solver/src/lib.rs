//! Tight integer bounds for the hidden cells of a cellbound model.
