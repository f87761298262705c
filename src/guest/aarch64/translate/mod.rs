//! A64 translation: the block loop, the per-instruction context and the
//! operand helpers (registers 31 as zero or sp, 32-bit results, NZCV,
//! condition codes) every encoding group uses. Translators live one file
//! per encoding group of the Arm manual; each exports its decoder `TABLE`.

mod branch;
mod crypto;
mod dp_imm;
mod dp_reg;
pub(crate) mod fp;
mod ldst;
mod simd;
mod simd_fp;
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
    // Before simd.rs: its wide integer lines cover the FP encodings too.
    fp::TABLE,
    simd_fp::TABLE,
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

/// A compare (SUBS) whose flags are still current: a condition evaluated
/// by the next instruction compares its operands directly, which the
/// backend fuses with the branch (`cmp; b.cond`, `cmp; csel`).
#[derive(Clone, Copy)]
struct Compare {
    /// pc of the compare instruction.
    pc: u64,
    a: Value,
    b: Value,
    sf: bool,
}

/// State while translating one guest instruction.
pub struct Ctx {
    pub b: Builder,
    /// pc of the instruction being translated.
    pub pc: u64,
    /// Set by control-flow instructions: the block ends here.
    pub end: Option<Terminator>,
    /// Set by calls (`bl`, `blr`): where the callee returns.
    pub call_return: Option<u64>,
    /// The compare just before this instruction, if any.
    compare: Option<Compare>,
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
    /// The sign bit of a result of width `sf` as bit 63 (how N and V are kept).
    fn sign_at_63(&mut self, v: Value, sf: bool) -> Value {
        if sf {
            v
        } else {
            self.b.sext32(v)
        }
    }
    /// N and Z of `res` (already of the operation's width): the result
    /// itself is both (see the encoding in `cpu.rs`).
    fn set_nz(&mut self, res: Value, sf: bool) {
        let n = self.sign_at_63(res, sf);
        self.b.set_reg(N_OFFSET, n);
        self.b.set_reg(Z_OFFSET, res);
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
            let v = self.sign_at_63(both, sf);
            self.b.set_reg(C_OFFSET, c);
            self.b.set_reg(V_OFFSET, v);
        }
        res
    }
    /// `a - b` of width `sf` (operands already of that width), setting NZCV
    /// when `flags` as `a + !b + 1` would: C is "no borrow", V the signed
    /// overflow.
    pub fn sub_flags(&mut self, a: Value, b: Value, sf: bool, flags: bool) -> Value {
        let diff = self.b.sub(a, b);
        let res = self.width(diff, sf);
        if flags {
            self.set_nz(res, sf);
            let c = self.b.cmp(Cond::GeU, a, b);
            let x1 = self.b.xor(a, b);
            let x2 = self.b.xor(a, res);
            let both = self.b.and(x1, x2);
            let v = self.sign_at_63(both, sf);
            self.b.set_reg(C_OFFSET, c);
            self.b.set_reg(V_OFFSET, v);
        }
        res
    }
    /// Records that this instruction is a compare of `a` and `b` (the
    /// flags of [`Self::sub_flags`] and nothing else written after them).
    pub fn note_compare(&mut self, a: Value, b: Value, sf: bool) {
        self.compare = Some(Compare {
            pc: self.pc,
            a,
            b,
            sf,
        });
    }
    /// Condition code `cond` (0..=15) of the current NZCV, as 0 or 1.
    pub fn condition(&mut self, cond: u32) -> Value {
        if let Some(v) = self.fused_condition(cond) {
            return v;
        }
        let zero = self.imm(0);
        let negate = cond & 1 == 1 && cond != 15;
        // Each base condition as (compare, a, b) or a computed 0/1 value.
        let base = match cond >> 1 {
            0 => {
                let z = self.b.get_reg(Z_OFFSET);
                let cc = if negate { Cond::Ne } else { Cond::Eq };
                return self.b.cmp(cc, z, zero);
            }
            1 => self.b.get_reg(C_OFFSET),
            2 | 3 => {
                let off = if cond >> 1 == 2 { N_OFFSET } else { V_OFFSET };
                let f = self.b.get_reg(off);
                let cc = if negate { Cond::GeS } else { Cond::LtS };
                return self.b.cmp(cc, f, zero);
            }
            4 => {
                // HI: C set and Z clear.
                let c = self.b.get_reg(C_OFFSET);
                let z = self.b.get_reg(Z_OFFSET);
                let nz = self.b.cmp(Cond::Ne, z, zero);
                self.b.and(c, nz)
            }
            5 => {
                // GE: N == V, the sign of n ^ v clear.
                let n = self.b.get_reg(N_OFFSET);
                let v = self.b.get_reg(V_OFFSET);
                let x = self.b.xor(n, v);
                let cc = if negate { Cond::LtS } else { Cond::GeS };
                return self.b.cmp(cc, x, zero);
            }
            6 => {
                // GT: Z clear and N == V.
                let n = self.b.get_reg(N_OFFSET);
                let v = self.b.get_reg(V_OFFSET);
                let x = self.b.xor(n, v);
                let ge = self.b.cmp(Cond::GeS, x, zero);
                let z = self.b.get_reg(Z_OFFSET);
                let nz = self.b.cmp(Cond::Ne, z, zero);
                self.b.and(ge, nz)
            }
            _ => return self.imm(1), // AL, NV
        };
        if negate {
            let one = self.imm(1);
            self.b.xor(base, one)
        } else {
            base
        }
    }
    /// `cond` right after a compare, as one comparison of its operands.
    fn fused_condition(&mut self, cond: u32) -> Option<Value> {
        let c = self.compare.filter(|c| c.pc.wrapping_add(4) == self.pc)?;
        let (cc, signed) = match cond {
            0 => (Cond::Eq, false),
            1 => (Cond::Ne, false),
            2 => (Cond::GeU, false),
            3 => (Cond::LtU, false),
            8 => (Cond::GtU, false),
            9 => (Cond::LeU, false),
            10 => (Cond::GeS, true),
            11 => (Cond::LtS, true),
            12 => (Cond::GtS, true),
            13 => (Cond::LeS, true),
            _ => return None,
        };
        let (mut a, mut b) = (c.a, c.b);
        if signed && !c.sf {
            a = self.b.sext32(a);
            b = self.b.sext32(b);
        }
        Some(self.b.cmp(cc, a, b))
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
        compare: None,
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

/// Code that is one instruction word, at any address (for unit tests).
#[cfg(test)]
pub(crate) struct OneWord(pub u32);

#[cfg(test)]
impl CodeFetch for OneWord {
    fn fetch_u16(&self, addr: u64) -> Option<u16> {
        Some((self.0 >> (8 * (addr & 2))) as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs one instruction on the interpreter from a default CPU whose x0
    /// is 0x5555.
    fn run_one(word: u32) -> crate::guest::aarch64::cpu::Cpu {
        let mut cpu = crate::guest::aarch64::cpu::Cpu::default();
        cpu.x[0] = 0x5555;
        let block = translate_block(0, &OneWord(word), 1);
        let code = crate::backend::interp::compile(&block);
        let mut mem = [0u8; 16];
        let mut m = crate::backend::interp::Machine::new(
            &mut cpu as *mut _ as *mut u8,
            mem.as_mut_ptr(),
            16,
        );
        // SAFETY: live state; the interpreter bounds-checks guest memory.
        unsafe { m.run(&code) };
        cpu
    }

    #[test]
    fn id_registers_read_as_linux_shows_them() {
        // mrs x0, ID_AA64ISAR0_EL1 / ID_AA64PFR0_EL1 / MIDR_EL1 / ID_AA64MMFR0_EL1.
        assert_eq!(run_one(0xd538_0600).x[0], 0x0021_1120);
        assert_eq!(run_one(0xd538_0400).x[0], 0x11);
        assert_eq!(run_one(0xd538_0000).x[0], 0x000f_0510);
        assert_eq!(run_one(0xd538_0700).x[0], 0);
        // Outside the ID space (mrs x0, MDSCR_EL1): not for user space.
        let b = translate_block(0, &OneWord(0xd530_0240), 1);
        assert!(matches!(
            b.term,
            Terminator::Exit {
                reason: ExitReason::IllegalInstruction,
                ..
            }
        ));
    }

    #[test]
    fn unallocated_load_store_forms_are_illegal() {
        // PRFM unprivileged, post- and pre-indexed; LDNP/STNP with opc 01;
        // SIMD&FP loads and stores in the unprivileged mode.
        let words = [
            0xf887_7acf,
            0xf880_d97d,
            0xf888_7494,
            0x6856_a7c0,
            0x6877_cb54,
            0x3c04_b8c7,
            0x7c5b_580c,
            0xfc43_0932,
            0xbc0e_4a91,
        ];
        for w in words {
            let b = translate_block(0, &OneWord(w), 1);
            assert!(
                matches!(
                    b.term,
                    Terminator::Exit {
                        reason: ExitReason::IllegalInstruction,
                        ..
                    }
                ),
                "{w:#010x} decoded"
            );
        }
    }
}
