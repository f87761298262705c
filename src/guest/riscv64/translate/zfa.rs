//! (being written)
use super::super::decode::Pattern;
pub const TABLE: &[Pattern] = &[];
