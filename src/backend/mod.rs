//! Execution backends. `interp` is the portable IR interpreter and the reference semantics.
pub mod interp;
