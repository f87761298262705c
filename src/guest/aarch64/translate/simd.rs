//! SIMD&FP registers: loads and stores (every addressing mode, pairs,
//! literals) as 64-bit IR accesses of the register halves, and the
//! Advanced SIMD operations so far, each a helper working on the CPU state
//! (QEMU's out-of-line approach; inline SSE comes later).

use super::super::cpu::{v_offset, Cpu};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Helper, MemOp, Value};

pub const TABLE: &[Pattern] = crate::a64_table! {
    "ss111101ooiiiiiiiiiiiinnnnnttttt" ldst_unsigned => ldst_unsigned;
    "ss111100oo0iiiiiiiiippnnnnnttttt" ldst_unscaled => ldst_unscaled;
    "ss111100oo1mmmmmeeex10nnnnnttttt" ldst_register => ldst_register;
    "oo011100iiiiiiiiiiiiiiiiiiittttt" ldr_literal => ldr_literal;
    "oo10110pplkkkkkkkmmmmmnnnnnttttt" ldst_pair => ldst_pair;
    "0q001110000iiiii000011nnnnnddddd" dup_general => dup_general;
    "0qo0111100000aaacccc01fffffddddd" modified_imm => modified_imm;
    "0q0011000l000000oooossnnnnnttttt" ld1_st1 => ld1_st1;
    "0q0011001l0mmmmmoooossnnnnnttttt" ld1_st1_post => ld1_st1_post;
    "0qu01110ss1mmmmmooooo1nnnnnddddd" three_same => three_same;
    "0qu01110ss10000ooooo10nnnnnddddd" two_misc => two_misc;
    "0qu01110ss11000ooooo10nnnnnddddd" across => across;
    "0qu011110iiiiiiiooooo1nnnnnddddd" shift_imm => shift_imm;
    "0q001110ss0mmmmm0ooo10nnnnnddddd" permute => permute;
    "0q101110000mmmmm0iiii0nnnnnddddd" ext => ext;
    "0q001110000iiiii001111nnnnnddddd" umov => umov;
    "01001110000iiiii000111nnnnnddddd" ins_general => ins_general;
    "z0011110tt1rrooo000000nnnnnddddd" fmov_general => fmov_general;
};

/// The Advanced SIMD operations, computed by one helper on lanes.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
enum Op {
    CmEq,
    CmHs,
    CmHi,
    CmGt,
    CmGe,
    Add,
    Sub,
    UMaxP,
    UMinP,
    AddP,
    And,
    Bic,
    Orr,
    Orn,
    Eor,
    Bsl,
    Bit,
    Bif,
    CmEqZero,
    CmGeZero,
    CmGtZero,
    CmLeZero,
    CmLtZero,
    Rev64,
    Cnt,
    Not,
    Xtn,
    AddV,
    UMaxV,
    UMinV,
    Shrn,
    UShr,
    SShr,
    Shl,
    Uzp1,
    Uzp2,
    Zip1,
    Zip2,
    Trn1,
    Trn2,
    Ext,
    Mul,
    Mla,
    Mls,
    UShll,
    SShll,
}

const OPS: [Op; 46] = [
    Op::CmEq,
    Op::CmHs,
    Op::CmHi,
    Op::CmGt,
    Op::CmGe,
    Op::Add,
    Op::Sub,
    Op::UMaxP,
    Op::UMinP,
    Op::AddP,
    Op::And,
    Op::Bic,
    Op::Orr,
    Op::Orn,
    Op::Eor,
    Op::Bsl,
    Op::Bit,
    Op::Bif,
    Op::CmEqZero,
    Op::CmGeZero,
    Op::CmGtZero,
    Op::CmLeZero,
    Op::CmLtZero,
    Op::Rev64,
    Op::Cnt,
    Op::Not,
    Op::Xtn,
    Op::AddV,
    Op::UMaxV,
    Op::UMinV,
    Op::Shrn,
    Op::UShr,
    Op::SShr,
    Op::Shl,
    Op::Uzp1,
    Op::Uzp2,
    Op::Zip1,
    Op::Zip2,
    Op::Trn1,
    Op::Trn2,
    Op::Ext,
    Op::Mul,
    Op::Mla,
    Op::Mls,
    Op::UShll,
    Op::SShll,
];

/// The lanes of a 128-bit value of `esize` bytes each.
fn lanes(b: [u8; 16], esize: usize) -> Vec<u64> {
    b.chunks(esize)
        .map(|c| c.iter().rev().fold(0u64, |acc, &x| acc << 8 | x as u64))
        .collect()
}

fn from_lanes(l: &[u64], esize: usize) -> [u8; 16] {
    let mut b = [0u8; 16];
    for (i, v) in l.iter().enumerate() {
        for k in 0..esize {
            if i * esize + k < 16 {
                b[i * esize + k] = (v >> (8 * k)) as u8;
            }
        }
    }
    b
}

fn sign(v: u64, bits: u32) -> i64 {
    ((v << (64 - bits)) as i64) >> (64 - bits)
}

/// `simd(state, d | n << 5 | m << 10, q | size << 1 | imm << 8, op)`.
unsafe extern "C" fn simd(state: *mut u8, regs: u64, shape: u64, op: u64, _: u64) -> u64 {
    let cpu = cpu(state);
    let (d, n, m) = (
        (regs & 31) as usize,
        (regs >> 5 & 31) as usize,
        (regs >> 10 & 31) as usize,
    );
    let q = shape & 1 == 1;
    let esize = 1usize << (shape >> 1 & 3);
    let imm = (shape >> 8) as u32;
    let bits = 8 * esize as u32;
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let count = if q { 16 / esize } else { 8 / esize };
    let a = lanes(bytes_of(cpu, n), esize);
    let b = lanes(bytes_of(cpu, m), esize);
    let old = lanes(bytes_of(cpu, d), esize);
    let op = OPS[op as usize];
    let test = |c: bool| if c { mask } else { 0 };
    let mut r = vec![0u64; 16 / esize];
    let mut scalar = None;
    match op {
        Op::UMaxP | Op::UMinP | Op::AddP => {
            let cat: Vec<u64> = a[..count].iter().chain(&b[..count]).copied().collect();
            for i in 0..count {
                let (x, y) = (cat[2 * i], cat[2 * i + 1]);
                r[i] = match op {
                    Op::UMaxP => x.max(y),
                    Op::UMinP => x.min(y),
                    _ => x.wrapping_add(y) & mask,
                };
            }
        }
        Op::AddV | Op::UMaxV | Op::UMinV => {
            let it = a[..count].iter().copied();
            scalar = Some(match op {
                Op::AddV => it.fold(0u64, |s, x| s.wrapping_add(x)) & mask,
                Op::UMaxV => it.max().unwrap_or(0),
                _ => it.min().unwrap_or(0),
            });
        }
        Op::Xtn | Op::Shrn => {
            // Narrow each 2×esize lane of Vn into an esize lane (the low
            // half of Vd; the "2" forms, the high half).
            let wide = lanes(bytes_of(cpu, n), 2 * esize);
            let base = if q { 8 / esize } else { 0 };
            r = lanes(bytes_of(cpu, d), esize);
            if !q {
                r.iter_mut().for_each(|x| *x = 0);
            }
            for i in 0..8 / esize {
                let v = if op == Op::Shrn {
                    wide[i] >> imm
                } else {
                    wide[i]
                };
                r[base + i] = v & mask;
            }
        }
        Op::UShll | Op::SShll => {
            // Widen each esize lane of the low (or, for the "2" forms, high)
            // half of Vn to 2*esize, shifted left.
            let base = if q { 8 / esize } else { 0 };
            let wmask = if bits == 32 {
                u64::MAX
            } else {
                (1u64 << (2 * bits)) - 1
            };
            let wide: Vec<u64> = (0..8 / esize)
                .map(|i| {
                    let x = a[base + i];
                    let x = if op == Op::SShll {
                        sign(x, bits) as u64
                    } else {
                        x
                    };
                    (x << imm) & wmask
                })
                .collect();
            set_bytes(cpu, d, from_lanes(&wide, 2 * esize));
            return 0;
        }
        Op::Uzp1 | Op::Uzp2 | Op::Zip1 | Op::Zip2 | Op::Trn1 | Op::Trn2 => {
            let half = count / 2;
            for (i, out) in r.iter_mut().enumerate().take(count) {
                *out = match op {
                    Op::Uzp1 | Op::Uzp2 => {
                        let k = 2 * i + (op == Op::Uzp2) as usize;
                        if k < count {
                            a[k]
                        } else {
                            b[k - count]
                        }
                    }
                    Op::Zip1 | Op::Zip2 => {
                        let k = i / 2 + if op == Op::Zip2 { half } else { 0 };
                        if i % 2 == 0 {
                            a[k]
                        } else {
                            b[k]
                        }
                    }
                    _ => {
                        let k = (i & !1) + (op == Op::Trn2) as usize;
                        if i % 2 == 0 {
                            a[k]
                        } else {
                            b[k]
                        }
                    }
                };
            }
        }
        Op::Ext => {
            let total = if q { 16 } else { 8 };
            let (ab, bb) = (bytes_of(cpu, n), bytes_of(cpu, m));
            let cat: Vec<u8> = ab[..total].iter().chain(&bb[..total]).copied().collect();
            let mut out = [0u8; 16];
            out[..total].copy_from_slice(&cat[imm as usize..imm as usize + total]);
            set_bytes(cpu, d, out);
            return 0;
        }
        _ => {
            for i in 0..count {
                let (x, y, o) = (a[i], b[i], old[i]);
                r[i] = match op {
                    Op::CmEq => test(x == y),
                    Op::CmHs => test(x >= y),
                    Op::CmHi => test(x > y),
                    Op::CmGt => test(sign(x, bits) > sign(y, bits)),
                    Op::CmGe => test(sign(x, bits) >= sign(y, bits)),
                    Op::Add => x.wrapping_add(y) & mask,
                    Op::Mul => x.wrapping_mul(y) & mask,
                    Op::Mla => o.wrapping_add(x.wrapping_mul(y)) & mask,
                    Op::Mls => o.wrapping_sub(x.wrapping_mul(y)) & mask,
                    Op::Sub => x.wrapping_sub(y) & mask,
                    Op::And => x & y,
                    Op::Bic => x & !y & mask,
                    Op::Orr => x | y,
                    Op::Orn => (x | !y) & mask,
                    Op::Eor => x ^ y,
                    Op::Bsl => (o & x) | (!o & y & mask),
                    Op::Bit => (x & y) | (o & !y & mask),
                    Op::Bif => (x & !y & mask) | (o & y),
                    Op::CmEqZero => test(x == 0),
                    Op::CmGeZero => test(sign(x, bits) >= 0),
                    Op::CmGtZero => test(sign(x, bits) > 0),
                    Op::CmLeZero => test(sign(x, bits) <= 0),
                    Op::CmLtZero => test(sign(x, bits) < 0),
                    Op::Cnt => x.count_ones() as u64,
                    Op::Not => !x & mask,
                    Op::UShr => {
                        if imm >= bits {
                            0
                        } else {
                            x >> imm
                        }
                    }
                    Op::SShr => (sign(x, bits) >> imm.min(bits - 1)) as u64 & mask,
                    Op::Shl => (x << imm) & mask,
                    Op::Rev64 => {
                        let per = 8 / esize;
                        a[(i / per) * per + (per - 1 - i % per)]
                    }
                    _ => unreachable!("handled above"),
                };
            }
        }
    }
    let out = match scalar {
        Some(v) => {
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&v.to_le_bytes());
            b
        }
        None => {
            let mut b = from_lanes(&r, esize);
            if !q && !matches!(op, Op::Xtn | Op::Shrn) {
                b[8..].fill(0);
            }
            b
        }
    };
    set_bytes(cpu, d, out);
    0
}

static SIMD: Helper = Helper {
    name: "a64_simd",
    func: simd,
    fp: None,
};

/// Emits `op` on Vd, Vn, Vm with element size 2^size bytes.
fn emit(cx: &mut Ctx, insn: Insn, op: Op, size: u32, imm: u32, m: u32) {
    let regs = cx.imm((insn.get('d') | insn.get('n') << 5 | m << 10) as u64);
    let shape = cx.imm((insn.get('q') | size << 1 | imm << 8) as u64);
    let op = cx.imm(op as u64);
    cx.b.call(&SIMD, &[regs, shape, op]);
}

fn three_same(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('s');
    let op = match (insn.bit('u'), insn.get('o')) {
        (true, 0b10001) => Op::CmEq,
        (true, 0b00111) => Op::CmHs,
        (true, 0b00110) => Op::CmHi,
        (false, 0b00110) => Op::CmGt,
        (false, 0b00111) => Op::CmGe,
        (false, 0b10000) => Op::Add,
        (true, 0b10000) => Op::Sub,
        (true, 0b10100) => Op::UMaxP,
        (true, 0b10101) => Op::UMinP,
        (false, 0b10111) => Op::AddP,
        (false, 0b10011) if size < 3 => Op::Mul,
        (false, 0b10010) if size < 3 => Op::Mla,
        (true, 0b10010) if size < 3 => Op::Mls,
        (false, 0b00011) => [Op::And, Op::Bic, Op::Orr, Op::Orn][size as usize],
        (true, 0b00011) => [Op::Eor, Op::Bsl, Op::Bit, Op::Bif][size as usize],
        _ => return Err(Illegal),
    };
    let logical = insn.get('o') == 0b00011;
    if !logical && size == 3 && !insn.bit('q') {
        return Err(Illegal);
    }
    // The logical operations work bytewise (size selects the operation).
    emit(
        cx,
        insn,
        op,
        if logical { 0 } else { size },
        0,
        insn.get('m'),
    );
    Ok(())
}

fn two_misc(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('s');
    let (op, size) = match (insn.bit('u'), insn.get('o')) {
        (false, 0b01001) => (Op::CmEqZero, size),
        (true, 0b01000) => (Op::CmGeZero, size),
        (false, 0b01000) => (Op::CmGtZero, size),
        (true, 0b01001) => (Op::CmLeZero, size),
        (false, 0b01010) => (Op::CmLtZero, size),
        (false, 0b00000) if size < 3 => (Op::Rev64, size),
        (false, 0b00101) if size == 0 => (Op::Cnt, 0),
        (true, 0b00101) if size == 0 => (Op::Not, 0),
        (false, 0b10010) if size < 3 => (Op::Xtn, size),
        _ => return Err(Illegal),
    };
    emit(cx, insn, op, size, 0, 0);
    Ok(())
}

fn across(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('s');
    let op = match (insn.bit('u'), insn.get('o')) {
        (false, 0b11011) => Op::AddV,
        (true, 0b01010) => Op::UMaxV,
        (true, 0b11010) => Op::UMinV,
        _ => return Err(Illegal),
    };
    if size == 3 || (size == 2 && !insn.bit('q')) {
        return Err(Illegal);
    }
    emit(cx, insn, op, size, 0, 0);
    Ok(())
}

/// Shifts by immediate: immh:immb gives the element size (its top set bit)
/// and the shift.
fn shift_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let immhb = insn.get('i');
    if immhb >> 3 == 0 {
        return Err(Illegal); // modified immediate (decoded elsewhere)
    }
    let size = 31 - (immhb >> 3).leading_zeros();
    let esize = 8u32 << size;
    let op = match (insn.bit('u'), insn.get('o')) {
        (false, 0b10000) => Op::Shrn,
        (true, 0b00000) => Op::UShr,
        (false, 0b00000) => Op::SShr,
        (false, 0b01010) => Op::Shl,
        (true, 0b10100) => Op::UShll,
        (false, 0b10100) => Op::SShll,
        _ => return Err(Illegal),
    };
    let (size, amount) = match op {
        // Right shifts: 2*esize - immh:immb; SHRN narrows to size.
        Op::Shrn => {
            if size == 3 {
                return Err(Illegal);
            }
            (size, 2 * esize - immhb)
        }
        Op::Shl => (size, immhb - esize),
        Op::UShll | Op::SShll => {
            if size == 3 {
                return Err(Illegal);
            }
            (size, immhb - esize)
        }
        _ => (size, 2 * esize - immhb),
    };
    emit(cx, insn, op, size, amount, 0);
    Ok(())
}

fn permute(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let op = match insn.get('o') {
        0b001 => Op::Uzp1,
        0b101 => Op::Uzp2,
        0b011 => Op::Zip1,
        0b111 => Op::Zip2,
        0b010 => Op::Trn1,
        0b110 => Op::Trn2,
        _ => return Err(Illegal),
    };
    emit(cx, insn, op, insn.get('s'), 0, insn.get('m'));
    Ok(())
}

fn ext(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let index = insn.get('i');
    if !insn.bit('q') && index >= 8 {
        return Err(Illegal);
    }
    emit(cx, insn, Op::Ext, 0, index, insn.get('m'));
    Ok(())
}

/// UMOV Wd/Xd, Vn.T[i]: imm5's lowest set bit gives the element size.
fn umov(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let imm5 = insn.get('i');
    let size = imm5.trailing_zeros();
    if size > 3 || (size == 3) != insn.bit('q') {
        return Err(Illegal);
    }
    let index = imm5 >> (size + 1);
    let bit = (index << size) * 8;
    let half = cx.b.get_reg(v_offset(insn.get('n'), bit / 64));
    let s = cx.imm((bit % 64) as u64);
    let v = cx.b.lshr(half, s);
    let v = match size {
        0 => cx.b.zext8(v),
        1 => cx.b.zext16(v),
        2 => cx.b.zext32(v),
        _ => v,
    };
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// INS Vd.T[i], Rn.
fn ins_general(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let imm5 = insn.get('i');
    let size = imm5.trailing_zeros();
    if size > 3 {
        return Err(Illegal);
    }
    let index = imm5 >> (size + 1);
    let bit = (index << size) * 8;
    let off = v_offset(insn.get('d'), bit / 64);
    let width_mask = if size == 3 {
        u64::MAX
    } else {
        (1u64 << (8 << size)) - 1
    };
    let keep = cx.imm(!(width_mask << (bit % 64)));
    let old = cx.b.get_reg(off);
    let kept = cx.b.and(old, keep);
    let v = cx.x(insn.get('n'));
    let m = cx.imm(width_mask);
    let v = cx.b.and(v, m);
    let s = cx.imm((bit % 64) as u64);
    let v = cx.b.shl(v, s);
    let new = cx.b.or(kept, v);
    cx.b.set_reg(off, new);
    Ok(())
}

/// FMOV between general and SIMD&FP registers (bit moves, no conversion).
fn fmov_general(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (d, n) = (insn.get('d'), insn.get('n'));
    let zero = cx.imm(0);
    match (insn.bit('z'), insn.get('t'), insn.get('r'), insn.get('o')) {
        // FMOV Wd, Sn / Xd, Dn.
        (sf, t, 0, 0b110) if (t == 1) == sf && t < 2 => {
            let v = cx.b.get_reg(v_offset(n, 0));
            let v = cx.width(v, sf);
            cx.set_x(d, v);
        }
        // FMOV Sd, Wn / Dd, Xn.
        (sf, t, 0, 0b111) if (t == 1) == sf && t < 2 => {
            let v = cx.reg(n, sf);
            cx.b.set_reg(v_offset(d, 0), v);
            cx.b.set_reg(v_offset(d, 1), zero);
        }
        // FMOV Xd, Vn.D[1].
        (true, 2, 1, 0b110) => {
            let v = cx.b.get_reg(v_offset(n, 1));
            cx.set_x(d, v);
        }
        // FMOV Vd.D[1], Xn.
        (true, 2, 1, 0b111) => {
            let v = cx.x(n);
            cx.b.set_reg(v_offset(d, 1), v);
        }
        _ => return Err(Illegal),
    }
    Ok(())
}

/// LD1/ST1 (multiple structures) of 1 to 4 consecutive registers: with
/// no interleaving, the element size does not matter. Returns the bytes
/// moved.
fn ld1_st1_at(cx: &mut Ctx, insn: Insn, base: Value) -> Result<u64, Illegal> {
    let regs = match insn.get('o') {
        0b0111 => 1,
        0b1010 => 2,
        0b0110 => 3,
        0b0010 => 4,
        // LD2/LD3/LD4 interleave: not yet.
        _ => return Err(Illegal),
    };
    let bytes = if insn.bit('q') { 16 } else { 8 };
    let t = insn.get('t');
    for i in 0..regs {
        let off = cx.imm((i * bytes) as u64);
        let addr = cx.b.add(base, off);
        perform(cx, (t + i) % 32, addr, bytes, insn.bit('l'));
    }
    Ok((regs * bytes) as u64)
}

fn ld1_st1(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let base = cx.x_sp(insn.get('n'));
    ld1_st1_at(cx, insn, base).map(|_| ())
}

/// Post-index: by the bytes moved (Rm = 31) or by Xm.
fn ld1_st1_post(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let n = insn.get('n');
    let base = cx.x_sp(n);
    let moved = ld1_st1_at(cx, insn, base)?;
    let step = match insn.get('m') {
        31 => cx.imm(moved),
        m => cx.x(m),
    };
    let next = cx.b.add(base, step);
    cx.set_x_sp(n, next);
    Ok(())
}

/// AdvSIMDExpandImm of the manual: the 64-bit pattern of op:cmode:imm8,
/// or `None` where it is unallocated.
fn expand_imm(op: bool, cmode: u32, imm8: u64) -> Option<u64> {
    let rep2 = |v: u64| v | v << 32;
    let rep4 = |v: u64| v | v << 16 | v << 32 | v << 48;
    Some(match cmode >> 1 {
        0 => rep2(imm8),
        1 => rep2(imm8 << 8),
        2 => rep2(imm8 << 16),
        3 => rep2(imm8 << 24),
        4 => rep4(imm8),
        5 => rep4(imm8 << 8),
        6 if cmode & 1 == 0 => rep2(imm8 << 8 | 0xff),
        6 => rep2(imm8 << 16 | 0xffff),
        _ => match (cmode & 1, op) {
            (0, false) => imm8 * 0x0101_0101_0101_0101,
            (0, true) => (0..8).fold(0, |acc, i| {
                acc | if imm8 >> i & 1 == 1 {
                    0xff << (8 * i)
                } else {
                    0
                }
            }),
            (_, false) => {
                // FMOV Vd.4S/2S: VFPExpandImm to single, twice.
                let s = (imm8 >> 7) << 31
                    | ((imm8 >> 6 & 1) ^ 1) << 30
                    | (if imm8 >> 6 & 1 == 1 { 0x1f } else { 0 }) << 25
                    | (imm8 & 0x3f) << 19;
                rep2(s)
            }
            (_, true) => {
                // FMOV Vd.2D: VFPExpandImm to double.
                (imm8 >> 7) << 63
                    | ((imm8 >> 6 & 1) ^ 1) << 62
                    | (if imm8 >> 6 & 1 == 1 { 0xff } else { 0 }) << 54
                    | (imm8 & 0x3f) << 48
            }
        },
    })
}

/// MOVI, MVNI, ORR and BIC (vector, immediate), FMOV (vector, immediate).
fn modified_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (q, op, cmode) = (insn.bit('q'), insn.bit('o'), insn.get('c'));
    let imm8 = (insn.get('a') << 5 | insn.get('f')) as u64;
    let imm = expand_imm(op, cmode, imm8).ok_or(Illegal)?;
    if cmode == 0xf && op && !q {
        return Err(Illegal);
    }
    let d = insn.get('d');
    // ORR/BIC: cmode 0xx1 and 10x1.
    let logical = cmode < 0xc && cmode & 1 == 1;
    let halves = if q { 2 } else { 1 };
    for half in 0..halves {
        let v = match (logical, op) {
            (true, false) => {
                let old = cx.b.get_reg(v_offset(d, half));
                let i = cx.imm(imm);
                cx.b.or(old, i)
            }
            (true, true) => {
                let old = cx.b.get_reg(v_offset(d, half));
                let i = cx.imm(!imm);
                cx.b.and(old, i)
            }
            // MVNI: op=1 with cmode below 1110.
            (false, true) if cmode < 0xe => cx.imm(!imm),
            _ => cx.imm(imm),
        };
        cx.b.set_reg(v_offset(d, half), v);
    }
    if !q {
        let zero = cx.imm(0);
        cx.b.set_reg(v_offset(d, 1), zero);
    }
    Ok(())
}

/// Bytes of a SIMD&FP access of size:opc, and whether it loads.
fn access(size: u32, opc: u32) -> Result<(u32, bool), Illegal> {
    match (size, opc) {
        (_, 0 | 1) => Ok((1 << size, opc == 1)),
        (0, 2 | 3) => Ok((16, opc == 3)),
        _ => Err(Illegal),
    }
}

/// Loads `bytes` at `addr` into V`t`, zeroing the rest of the register.
fn load_v(cx: &mut Ctx, t: u32, addr: Value, bytes: u32) {
    let mem =
        [MemOp::U8, MemOp::U16, MemOp::U32, MemOp::U64][bytes.min(8).trailing_zeros() as usize];
    let lo = cx.b.load(mem, addr);
    let hi = if bytes == 16 {
        let eight = cx.imm(8);
        let a = cx.b.add(addr, eight);
        cx.b.load(MemOp::U64, a)
    } else {
        cx.imm(0)
    };
    cx.b.set_reg(v_offset(t, 0), lo);
    cx.b.set_reg(v_offset(t, 1), hi);
}

/// Stores the low `bytes` of V`t` at `addr`.
fn store_v(cx: &mut Ctx, t: u32, addr: Value, bytes: u32) {
    let mem =
        [MemOp::U8, MemOp::U16, MemOp::U32, MemOp::U64][bytes.min(8).trailing_zeros() as usize];
    let lo = cx.b.get_reg(v_offset(t, 0));
    cx.b.store(mem, addr, lo);
    if bytes == 16 {
        let hi = cx.b.get_reg(v_offset(t, 1));
        let eight = cx.imm(8);
        let a = cx.b.add(addr, eight);
        cx.b.store(MemOp::U64, a, hi);
    }
}

fn perform(cx: &mut Ctx, t: u32, addr: Value, bytes: u32, load: bool) {
    if load {
        load_v(cx, t, addr, bytes)
    } else {
        store_v(cx, t, addr, bytes)
    }
}

fn ldst_unsigned(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (bytes, load) = access(insn.get('s'), insn.get('o'))?;
    let base = cx.x_sp(insn.get('n'));
    let off = cx.imm(insn.get('i') as u64 * bytes as u64);
    let addr = cx.b.add(base, off);
    perform(cx, insn.get('t'), addr, bytes, load);
    Ok(())
}

fn ldst_unscaled(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (bytes, load) = access(insn.get('s'), insn.get('o'))?;
    let n = insn.get('n');
    let base = cx.x_sp(n);
    let off = cx.imm(insn.sext('i') as u64);
    let moved = cx.b.add(base, off);
    let mode = insn.get('p');
    let addr = if mode == 1 { base } else { moved };
    perform(cx, insn.get('t'), addr, bytes, load);
    if mode & 1 == 1 {
        cx.set_x_sp(n, moved);
    }
    Ok(())
}

fn ldst_register(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (bytes, load) = access(insn.get('s'), insn.get('o'))?;
    let addr = super::ldst::register_offset_addr(cx, insn, bytes.trailing_zeros())?;
    perform(cx, insn.get('t'), addr, bytes, load);
    Ok(())
}

fn ldr_literal(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let bytes = match insn.get('o') {
        0 => 4,
        1 => 8,
        2 => 16,
        _ => return Err(Illegal),
    };
    let addr = cx.imm(cx.pc.wrapping_add((insn.sext('i') << 2) as u64));
    load_v(cx, insn.get('t'), addr, bytes);
    Ok(())
}

fn ldst_pair(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let bytes = match insn.get('o') {
        0 => 4u32,
        1 => 8,
        2 => 16,
        _ => return Err(Illegal),
    };
    let mode = insn.get('p');
    let n = insn.get('n');
    let base = cx.x_sp(n);
    let off = cx.imm((insn.sext('k') * bytes as i64) as u64);
    let moved = cx.b.add(base, off);
    let addr = if mode == 1 { base } else { moved };
    let step = cx.imm(bytes as u64);
    let addr2 = cx.b.add(addr, step);
    let load = insn.bit('l');
    perform(cx, insn.get('t'), addr, bytes, load);
    perform(cx, insn.get('m'), addr2, bytes, load);
    if mode == 1 || mode == 3 {
        cx.set_x_sp(n, moved);
    }
    Ok(())
}

/// The CPU state a helper gets.
///
/// # Safety
/// `state` is the translating guest's `Cpu` (the IR calling convention).
unsafe fn cpu<'a>(state: *mut u8) -> &'a mut Cpu {
    &mut *(state as *mut Cpu)
}

/// The 128 bits of V`r` as 16 bytes, and back.
fn bytes_of(cpu: &Cpu, r: usize) -> [u8; 16] {
    let [lo, hi] = cpu.vreg[r];
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&lo.to_le_bytes());
    b[8..].copy_from_slice(&hi.to_le_bytes());
    b
}

fn set_bytes(cpu: &mut Cpu, r: usize, b: [u8; 16]) {
    cpu.vreg[r] = [
        u64::from_le_bytes(b[..8].try_into().unwrap()),
        u64::from_le_bytes(b[8..].try_into().unwrap()),
    ];
}

/// `dup(state, d, value, esize | q << 8)`: every element of Vd = value.
unsafe extern "C" fn dup(state: *mut u8, d: u64, value: u64, shape: u64, _: u64) -> u64 {
    let cpu = cpu(state);
    let esize = (shape & 0xff) as usize;
    let full = shape >> 8 != 0;
    let mut b = [0u8; 16];
    let v = value.to_le_bytes();
    for i in 0..if full { 16 } else { 8 } {
        b[i] = v[i % esize];
    }
    set_bytes(cpu, d as usize, b);
    0
}

static DUP: Helper = Helper {
    name: "a64_dup",
    func: dup,
    fp: None,
};

/// DUP Vd.<T>, Rn: the element size is the lowest set bit of imm5.
fn dup_general(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let imm5 = insn.get('i');
    let esize = 1u64 << imm5.trailing_zeros();
    if imm5 & 0xf == 0 || (esize == 8 && !insn.bit('q')) {
        return Err(Illegal);
    }
    let d = cx.imm(insn.get('d') as u64);
    let v = cx.x(insn.get('n'));
    let shape = cx.imm(esize | (insn.get('q') as u64) << 8);
    cx.b.call(&DUP, &[d, v, shape]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dup_fills_every_element() {
        let mut cpu = Cpu::default();
        let state = &mut cpu as *mut Cpu as *mut u8;
        unsafe { dup(state, 3, 0x1234, 2 | 1 << 8, 0) };
        assert_eq!(cpu.vreg[3], [0x1234_1234_1234_1234; 2]);
        unsafe { dup(state, 3, 0xab, 1, 0) };
        assert_eq!(cpu.vreg[3], [0xabab_abab_abab_abab, 0]);
        assert_eq!(bytes_of(&cpu, 3)[7], 0xab);
    }

    fn run(cpu: &mut Cpu, op: Op, size: u64, q: bool, imm: u64) {
        let state = cpu as *mut Cpu as *mut u8;
        // d = 0, n = 1, m = 2.
        unsafe {
            simd(
                state,
                1 << 5 | 2 << 10,
                q as u64 | size << 1 | imm << 8,
                op as u64,
                0,
            )
        };
    }

    #[test]
    fn lane_operations_compute_as_the_manual_says() {
        let mut cpu = Cpu::default();
        cpu.vreg[1] = [0x00ff_0001_0000_7f00, 0x0102_0304_0506_0708];
        cpu.vreg[2] = [0x0101_0101_0101_0101, 0xffff_ffff_ffff_ffff];
        // cmeq v0.16b, v1.16b, #0: bytes equal to zero become 0xff.
        run(&mut cpu, Op::CmEqZero, 0, true, 0);
        assert_eq!(cpu.vreg[0], [0xff00_ff00_ffff_00ff, 0]);
        // umaxp v0.16b, v1.16b, v2.16b: pairwise maxima of n then m.
        run(&mut cpu, Op::UMaxP, 0, true, 0);
        assert_eq!(cpu.vreg[0], [0x0204_0608_ff01_007f, 0xffff_ffff_0101_0101]);
        // ext v0.8b, v1.8b, v2.8b, #3 (64-bit form: the high half is cleared).
        run(&mut cpu, Op::Ext, 0, false, 3);
        assert_eq!(cpu.vreg[0], [0x0101_0100_ff00_0100, 0]);
        // uzp1 v0.4s: even words of n then m.
        run(&mut cpu, Op::Uzp1, 2, true, 0);
        assert_eq!(cpu.vreg[0], [0x0506_0708_0000_7f00, 0xffff_ffff_0101_0101]);
        // shrn v0.8b, v1.8h, #4: each halfword shifted, narrowed to a byte.
        run(&mut cpu, Op::Shrn, 0, false, 4);
        assert_eq!(cpu.vreg[0], [0x1030_5070_0f00_00f0, 0]);
        // uxtl v0.8h, v1.8b (ushll #0): the low bytes widened.
        run(&mut cpu, Op::UShll, 0, false, 0);
        assert_eq!(cpu.vreg[0], [0x007f_0000, 0x0000_00ff_0000_0001]);
        // sshll2 v0.4s, v1.8h, #1: high halfwords sign-extended, doubled.
        cpu.vreg[1][1] = 0x8000_0001_7fff_ffff;
        run(&mut cpu, Op::SShll, 1, true, 1);
        assert_eq!(cpu.vreg[0], [0x0000_fffe_ffff_fffe, 0xffff_0000_0000_0002]);
        // mla v0.16b, v1.16b, v2.16b: v0 + v1 * v2 per byte.
        cpu.vreg[0] = [0x0101_0101_0101_0101; 2];
        cpu.vreg[1] = [0x0203_0405_0607_0809; 2];
        cpu.vreg[2] = [0x0202_0202_0202_0202, 0x8080_8080_8080_8080];
        run(&mut cpu, Op::Mla, 0, true, 0);
        assert_eq!(cpu.vreg[0], [0x0507_090b_0d0f_1113, 0x0181_0181_0181_0181]);
    }
}
