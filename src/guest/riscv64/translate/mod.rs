//! riscv64 translation: the block loop and the per-instruction context.
//! Translators live one file per extension; each file exports its decoder
//! `TABLE` (see `decode.rs` for the line format).

mod a;
mod b;
mod c;
mod d;
mod f;
mod fcsr;
pub(crate) mod fpu;
mod i;
mod m;
mod zfa;
mod zicond;
mod zicsr;

use super::cpu::{f_offset, x_offset};
use super::decode::{lookup, Illegal, Insn, Pattern};
use crate::guest::CodeFetch;
use crate::ir::{Block, Builder, ExitReason, Terminator, Value};

/// Every 32-bit decoder table, one per extension.
pub const TABLES: &[&[Pattern]] = &[
    i::TABLE,
    m::TABLE,
    a::TABLE,
    f::TABLE,
    d::TABLE,
    zicsr::TABLE,
    b::TABLE,
    zicond::TABLE,
    zfa::TABLE,
];

/// Longest block, in guest instructions.
pub const MAX_BLOCK_INSNS: u32 = 128;
/// Most IR instructions one guest instruction makes, with room to spare: a
/// block ends before the next instruction could pass `ir::MAX_BLOCK_INSTS`.
const MAX_INSTS_PER_INSN: usize = 64;
const PAGE_SIZE: u64 = 4096;

/// State while translating one guest instruction.
pub struct Ctx {
    pub b: Builder,
    /// pc of the instruction being translated.
    pub pc: u64,
    /// pc of the following instruction (pc + 2 for compressed, + 4 otherwise).
    pub next_pc: u64,
    /// Set by control-flow instructions: the block ends here with this terminator.
    pub end: Option<Terminator>,
    /// Set by calls (`jal`/`jalr` linking in ra or t0): where the callee returns.
    pub call_return: Option<u64>,
}

impl Ctx {
    /// Reads integer register `r` (x0 reads as constant 0).
    pub fn x(&mut self, r: u32) -> Value {
        if r == 0 {
            self.b.const_(0)
        } else {
            self.b.get_reg(x_offset(r))
        }
    }
    /// Writes integer register `r` (writes to x0 are dropped).
    pub fn set_x(&mut self, r: u32, v: Value) {
        if r != 0 {
            self.b.set_reg(x_offset(r), v);
        }
    }
    /// Reads the raw 64-bit pattern of FP register `r`.
    pub fn f(&mut self, r: u32) -> Value {
        self.b.get_reg(f_offset(r))
    }
    pub fn set_f(&mut self, r: u32, v: Value) {
        self.b.set_reg(f_offset(r), v);
    }
    pub fn imm(&mut self, v: i64) -> Value {
        self.b.const_(v as u64)
    }
    /// Ends the block: continue at `pc`.
    pub fn jump(&mut self, pc: u64) {
        self.end = Some(Terminator::Jump(pc));
    }
    /// Ends the block leaving translated code for the engine; the guest resumes at `pc`.
    pub fn exit(&mut self, reason: ExitReason, pc: u64) {
        self.end = Some(Terminator::Exit { reason, pc });
    }
}

/// Fetches the instruction at `pc`: its 32-bit (expanded) form and its length.
/// `Err(None)` if it cannot be fetched, `Err(Some(len))` if it is illegal.
fn fetch(code: &dyn CodeFetch, pc: u64) -> Result<(Insn, u64), Option<u64>> {
    let lo = code.fetch_u16(pc).ok_or(None)?;
    if lo & 3 != 3 {
        return c::expand(lo).map(|w| (Insn(w), 2)).ok_or(Some(2));
    }
    let hi = code.fetch_u16(pc.wrapping_add(2)).ok_or(None)?;
    Ok((Insn(lo as u32 | (hi as u32) << 16), 4))
}

/// Translates guest code from `pc` until a control-flow instruction, a page
/// boundary or [`MAX_BLOCK_INSNS`].
pub fn translate_block(start: u64, code: &dyn CodeFetch, max_insns: u32) -> Block {
    let mut cx = Ctx {
        b: Builder::new(start),
        pc: start,
        next_pc: start,
        end: None,
        call_return: None,
    };
    let mut count = 0;
    while count < max_insns.min(MAX_BLOCK_INSNS) {
        let pc = cx.next_pc;
        let mark = cx.b.len();
        cx.pc = pc;
        let (insn, len) = match fetch(code, pc) {
            Ok(ok) => ok,
            // An instruction that cannot be fetched ends the block before it;
            // only the block starting there reports the fault.
            Err(None) if count > 0 => break,
            Err(None) => {
                return cx.b.finish(
                    0,
                    0,
                    Terminator::Exit {
                        reason: ExitReason::FetchFault,
                        pc,
                    },
                )
            }
            Err(Some(_)) => {
                cx.exit(ExitReason::IllegalInstruction, pc);
                break;
            }
        };
        cx.next_pc = pc.wrapping_add(len);
        cx.b.insn_start(pc);
        let ok = match lookup(insn.0) {
            Some(p) => (p.translate)(&mut cx, insn),
            None => Err(Illegal),
        };
        if ok.is_err() {
            cx.b.truncate(mark);
            cx.end = None;
            cx.next_pc = pc;
            cx.exit(ExitReason::IllegalInstruction, pc);
            break;
        }
        count += 1;
        if cx.end.is_some()
            || cx.b.len() + MAX_INSTS_PER_INSN > crate::ir::MAX_BLOCK_INSTS
            || cx.next_pc.is_multiple_of(PAGE_SIZE)
            || cx.next_pc / PAGE_SIZE != start / PAGE_SIZE
        {
            break;
        }
    }
    let term = cx.end.take().unwrap_or(Terminator::Jump(cx.next_pc));
    let size = cx.next_pc.wrapping_sub(start);
    let mut block = cx.b.finish(size, count, term);
    block.call_return = cx.call_return;
    block
}
