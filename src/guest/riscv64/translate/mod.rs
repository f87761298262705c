//! Placeholder: replaced by the real translators.
use crate::guest::CodeFetch;
use crate::ir::{Block, Builder, ExitReason, Terminator};

pub fn translate_block(pc: u64, _code: &dyn CodeFetch) -> Block {
    Builder::new(pc).finish(0, 0, Terminator::Exit { reason: ExitReason::IllegalInstruction, pc })
}
