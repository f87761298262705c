//! A64 translation: the block loop, the per-instruction context and the
//! operand helpers (registers 31 as zero or sp, 32-bit results, NZCV,
//! condition codes) every encoding group uses. Translators live one file
//! per encoding group of the Arm manual; each exports its decoder `TABLE`.

mod branch;
mod crypto;
mod dp_imm;
mod dp_reg;
mod ldst;
mod simd;
mod simd_int;

use super::cpu::{x_offset, C_OFFSET, N_OFFSET, SP_OFFSET, V_OFFSET, Z_OFFSET};
use super::decode::{lookup, Illegal, Pattern};
use crate::guest::CodeFetch;
use crate::ir::{Block, Builder, Cond, ExitReason, Terminator, Value};

/// Every decoder table, one per encoding group.
pub const TABLES: &[&[Pattern]] = &[
    branch::TABLE,
    dp_imm::TABLE,
    dp_reg::TABLE,
    ldst::TABLE,
    simd::TABLE,
    // After simd: its MOVI/MVNI line claims the shift-by-immediate
    // encodings with immh = 0.
    simd_int::TABLE,
    crypto::TABLE,
];

/// Longest block, in guest instructions.
pub const MAX_BLOCK_INSNS: u32 = 128;
/// Most IR instructions one guest instruction makes, with room to spare.
const MAX_INSTS_PER_INSN: usize = 64;
const PAGE_SIZE: u64 = 4096;

/// State while translating one guest instruction.
pub struct Ctx {
    pub b: Builder,
    /// pc of the instruction being translated.
    pub pc: u64,
    /// Set by control-flow instructions: the block ends here.
    pub end: Option<Terminator>,
    /// Set by calls (`bl`, `blr`): where the callee returns.
    pub call_return: Option<u64>,
}

impl Ctx {
    /// Reads Xr, register 31 being the zero register.
    pub fn x(&mut self, r: u32) -> Value {
        if r == 31 {
            self.b.const_(0)
        } else {
            self.b.get_reg(x_offset(r))
        }
    }
    /// Reads Xr, register 31 being sp.
    pub fn x_sp(&mut self, r: u32) -> Value {
        if r == 31 {
            self.b.get_reg(SP_OFFSET)
        } else {
            self.b.get_reg(x_offset(r))
        }
    }
    /// Writes Xr (writes to the zero register are dropped).
    pub fn set_x(&mut self, r: u32, v: Value) {
        if r != 31 {
            self.b.set_reg(x_offset(r), v);
        }
    }
    /// Writes Xr, register 31 being sp.
    pub fn set_x_sp(&mut self, r: u32, v: Value) {
        let off = if r == 31 { SP_OFFSET } else { x_offset(r) };
        self.b.set_reg(off, v);
    }
    /// Reads Xr or Wr (zero-extended) as `sf` says.
    pub fn reg(&mut self, r: u32, sf: bool) -> Value {
        let v = self.x(r);
        self.width(v, sf)
    }
    /// A result of the operation's width: 32-bit results are zero-extended.
    pub fn width(&mut self, v: Value, sf: bool) -> Value {
        if sf {
            v
        } else {
            self.b.zext32(v)
        }
    }
    /// AND (opc 0 and 3, ANDS setting NZCV), ORR (1), EOR (2) of `a` and `b`.
    pub fn logical(&mut self, opc: u32, a: Value, b: Value, sf: bool) -> Value {
        let res = match opc {
            0 | 3 => self.b.and(a, b),
            1 => self.b.or(a, b),
            _ => self.b.xor(a, b),
        };
        if opc == 3 {
            self.set_flags_logic(res, sf);
        }
        res
    }
    /// `!v` of the operation's width.
    pub fn invert(&mut self, v: Value, sf: bool) -> Value {
        let n = self.b.not(v);
        self.width(n, sf)
    }
    pub fn imm(&mut self, v: u64) -> Value {
        self.b.const_(v)
    }
    /// Bit `bit` of `v` as 0 or 1.
    fn bit_of(&mut self, v: Value, bit: u32) -> Value {
        let s = self.imm(bit as u64);
        let sh = self.b.lshr(v, s);
        let one = self.imm(1);
        self.b.and(sh, one)
    }
    /// N and Z of `res` (already of the operation's width).
    fn set_nz(&mut self, res: Value, sf: bool) {
        let n = self.bit_of(res, if sf { 63 } else { 31 });
        let zero = self.imm(0);
        let z = self.b.cmp(Cond::Eq, res, zero);
        self.b.set_reg(N_OFFSET, n);
        self.b.set_reg(Z_OFFSET, z);
    }
    /// NZCV of a logical result (C and V clear).
    pub fn set_flags_logic(&mut self, res: Value, sf: bool) {
        self.set_nz(res, sf);
        let zero = self.imm(0);
        self.b.set_reg(C_OFFSET, zero);
        self.b.set_reg(V_OFFSET, zero);
    }
    /// `a + b + carry` of width `sf` (operands already of that width),
    /// setting NZCV when `flags`; returns the result.
    pub fn add_with_carry(
        &mut self,
        a: Value,
        b: Value,
        carry: Value,
        sf: bool,
        flags: bool,
    ) -> Value {
        let sum = self.b.add(a, b);
        let full = self.b.add(sum, carry);
        let res = self.width(full, sf);
        if flags {
            self.set_nz(res, sf);
            let c = if sf {
                // Carry out of 64 bits: the sum wrapped below an operand, or
                // equals it with a carry in.
                let lt1 = self.b.cmp(Cond::LtU, sum, a);
                let lt2 = self.b.cmp(Cond::LtU, full, sum);
                self.b.or(lt1, lt2)
            } else {
                self.bit_of(full, 32)
            };
            // Overflow: both operands' sign differs from the result's.
            let x1 = self.b.xor(a, res);
            let x2 = self.b.xor(b, res);
            let both = self.b.and(x1, x2);
            let v = self.bit_of(both, if sf { 63 } else { 31 });
            self.b.set_reg(C_OFFSET, c);
            self.b.set_reg(V_OFFSET, v);
        }
        res
    }
    /// `a - b` as `a + !b + 1`, the architecture's definition.
    pub fn sub_flags(&mut self, a: Value, b: Value, sf: bool, flags: bool) -> Value {
        let nb = self.invert(b, sf);
        let one = self.imm(1);
        self.add_with_carry(a, nb, one, sf, flags)
    }
    /// Condition code `cond` (0..=15) of the current NZCV, as 0 or 1.
    pub fn condition(&mut self, cond: u32) -> Value {
        let get = |c: &mut Ctx, off| c.b.get_reg(off);
        let one = self.imm(1);
        let base = match cond >> 1 {
            0 => get(self, Z_OFFSET),
            1 => get(self, C_OFFSET),
            2 => get(self, N_OFFSET),
            3 => get(self, V_OFFSET),
            4 => {
                // HI: C set and Z clear.
                let c = get(self, C_OFFSET);
                let z = get(self, Z_OFFSET);
                let nz = self.b.xor(z, one);
                self.b.and(c, nz)
            }
            5 => {
                // GE: N == V.
                let n = get(self, N_OFFSET);
                let v = get(self, V_OFFSET);
                let ne = self.b.xor(n, v);
                self.b.xor(ne, one)
            }
            6 => {
                // GT: Z clear and N == V.
                let n = get(self, N_OFFSET);
                let v = get(self, V_OFFSET);
                let ne = self.b.xor(n, v);
                let z = get(self, Z_OFFSET);
                let bad = self.b.or(ne, z);
                self.b.xor(bad, one)
            }
            _ => return one, // AL, NV
        };
        // Odd codes are the negations, except 0b1111 (handled above).
        if cond & 1 == 1 {
            self.b.xor(base, one)
        } else {
            base
        }
    }
    /// Ends the block: continue at `pc`.
    pub fn jump(&mut self, pc: u64) {
        self.end = Some(Terminator::Jump(pc));
    }
    /// Ends the block leaving translated code for the engine.
    pub fn exit(&mut self, reason: ExitReason, pc: u64) {
        self.end = Some(Terminator::Exit { reason, pc });
    }
}

/// Translates guest code from `pc` until a control-flow instruction, a page
/// boundary or `max_insns`.
pub fn translate_block(start: u64, code: &dyn CodeFetch, max_insns: u32) -> Block {
    let mut cx = Ctx {
        b: Builder::new(start),
        pc: start,
        end: None,
        call_return: None,
    };
    let mut count = 0;
    let mut pc = start;
    while count < max_insns.min(MAX_BLOCK_INSNS) {
        let mark = cx.b.len();
        cx.pc = pc;
        let word = match (code.fetch_u16(pc), code.fetch_u16(pc.wrapping_add(2))) {
            (Some(lo), Some(hi)) => lo as u32 | (hi as u32) << 16,
            // Code that cannot be fetched ends the block before it; only the
            // block starting there reports the fault.
            _ if count > 0 => break,
            _ => {
                return cx.b.finish(
                    0,
                    0,
                    Terminator::Exit {
                        reason: ExitReason::FetchFault,
                        pc,
                    },
                )
            }
        };
        cx.b.insn_start(pc);
        let ok = match lookup(word) {
            Some(p) => (p.translate)(&mut cx, p.insn(word)),
            None => Err(Illegal),
        };
        if ok.is_err() {
            cx.b.truncate(mark);
            cx.end = None;
            cx.exit(ExitReason::IllegalInstruction, pc);
            break;
        }
        count += 1;
        pc = pc.wrapping_add(4);
        if cx.end.is_some()
            || pc.is_multiple_of(PAGE_SIZE)
            || cx.b.len() + MAX_INSTS_PER_INSN > crate::ir::MAX_BLOCK_INSTS
        {
            break;
        }
    }
    let term = cx.end.take().unwrap_or(Terminator::Jump(pc));
    let mut block = cx.b.finish(pc.wrapping_sub(start), count, term);
    block.call_return = cx.call_return;
    block
}
