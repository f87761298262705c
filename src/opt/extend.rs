//! Redundant extensions. Sign: `SExt32 x` is `x` when x is already the sign
//! extension of its low 32 bits (bits 63..31 all equal). Frontends of
//! 64-bit guests emit `SExt32` after every 32-bit operation (riscv64 `*w`
//! instructions, `lw`, `sext.w`); most of them extend values that are
//! extended already: loaded words, logic of extended values, right shifts.

use crate::ir::{Block, MemOp, Op, Value};

/// Whether `c` is the sign extension of its low 32 bits.
fn is_sext32(c: u64) -> bool {
    c as i32 as i64 as u64 == c
}

pub fn drop_redundant_sext32(block: &mut Block) {
    let n = block.num_values as usize;
    // Per value: known sign-extended from 32 bits, and its constant if any.
    let mut sext = vec![false; n];
    let mut consts: Vec<Option<u64>> = vec![None; n];
    let mut alias: Vec<Value> = (0..block.num_values).map(Value).collect();
    for inst in &block.insts {
        if inst.dst.is_none() {
            continue;
        }
        let [x, y, z, _] = inst
            .args
            .map(|a| if a.is_none() { a } else { alias[a.index()] });
        let known = |v: Value| sext[v.index()];
        let konst = |v: Value| consts[v.index()];
        // A constant below 2^31: anything and-ed with it, or shifted right
        // by at least 33 (64-bit) or 1 (32-bit), is below 2^31 too.
        let small = |v: Value| konst(v).is_some_and(|c| c < 1 << 31);
        let shift_at_least = |v: Value, s: u64| konst(v).is_some_and(|c| c & 63 >= s);
        let extended = match inst.op {
            Op::Const => {
                consts[inst.dst.index()] = Some(inst.imm);
                is_sext32(inst.imm)
            }
            Op::SExt32 if known(x) => {
                alias[inst.dst.index()] = x;
                continue;
            }
            Op::SExt8 | Op::SExt16 | Op::SExt32 | Op::ZExt8 | Op::ZExt16 => true,
            Op::Cmp | Op::Clz | Op::Ctz | Op::Popcount | Op::Clz32 | Op::Ctz32 => true,
            Op::Load => {
                let m = MemOp::from_imm(inst.imm);
                m.log2_size < 2 || (m.log2_size == 2 && m.signed)
            }
            Op::And => (known(x) && known(y)) || small(x) || small(y),
            Op::Or | Op::Xor => known(x) && known(y),
            Op::Not => known(x),
            Op::Select => known(y) && known(z),
            Op::LShr => shift_at_least(y, 33),
            Op::AShr => shift_at_least(y, 32) || known(x),
            Op::LShr32 => konst(y).is_some_and(|c| c & 31 >= 1),
            _ => false,
        };
        sext[inst.dst.index()] = extended;
    }
    super::rename(block, &alias);
}

/// Redundant zero extensions: `ZExt32 x` is `x` when x's bits 63..32 are
/// known to be zero. 32-bit guest operations (aarch64 W registers) end in
/// `ZExt32`, mostly of values that are zero-extended already: results of
/// `*32` opcodes, compares, narrow unsigned loads, masks.
pub fn drop_redundant_zext32(block: &mut Block) {
    let n = block.num_values as usize;
    // Per value: known below 2^32, and its constant if any.
    let mut zext = vec![false; n];
    let mut consts: Vec<Option<u64>> = vec![None; n];
    let mut alias: Vec<Value> = (0..block.num_values).map(Value).collect();
    for inst in &block.insts {
        if inst.dst.is_none() {
            continue;
        }
        let [x, y, z, _] = inst
            .args
            .map(|a| if a.is_none() { a } else { alias[a.index()] });
        let known = |v: Value| zext[v.index()];
        let shift_at_least = |v: Value, s: u64| consts[v.index()].is_some_and(|c| c & 63 >= s);
        let extended = match inst.op {
            Op::Const => {
                consts[inst.dst.index()] = Some(inst.imm);
                inst.imm >> 32 == 0
            }
            Op::ZExt32 if known(x) => {
                alias[inst.dst.index()] = x;
                continue;
            }
            Op::ZExt8 | Op::ZExt16 | Op::ZExt32 => true,
            Op::Cmp | Op::Clz | Op::Ctz | Op::Popcount | Op::Clz32 | Op::Ctz32 => true,
            Op::Shl32 | Op::LShr32 | Op::AShr32 | Op::Rotl32 | Op::Rotr32 => true,
            Op::DivS32 | Op::DivU32 | Op::RemS32 | Op::RemU32 => true,
            Op::Load => {
                let m = MemOp::from_imm(inst.imm);
                !m.signed && m.log2_size <= 2
            }
            Op::And => known(x) || known(y),
            Op::Or | Op::Xor => known(x) && known(y),
            Op::Select => known(y) && known(z),
            Op::LShr => known(x) || shift_at_least(y, 32),
            _ => false,
        };
        zext[inst.dst.index()] = extended;
    }
    super::rename(block, &alias);
}
