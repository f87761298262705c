//! Advanced SIMD floating point, vector and scalar forms: three-same,
//! two-register misc (compares with zero, FABS/FNEG/FSQRT, FRINT*,
//! conversions, estimates, FRECPX), FCVTL/FCVTN/FCVTXN, across-lanes and
//! pairwise reductions, fixed-point conversions by immediate, and
//! by-element multiplies. Singles and doubles (the FP16 Advanced SIMD
//! encodings are not implemented; FCVTL/FCVTN convert halves). Every instruction is one call of the `a64_simd_fp`
//! helper, which computes lane by lane with fp.rs's Arm arithmetic.

use super::super::decode::{Illegal, Insn, Pattern};
use super::fp::{cpu, rint_mode, Bin, Env, Prec, RA, RO, RZ};
use super::Ctx;
use crate::ir::Helper;

pub const TABLE: &[Pattern] = crate::a64_table! {
    "0qu01110as1mmmmm11ooo1nnnnnddddd" three_same => three_same;
    "01u11110as1mmmmm11ooo1nnnnnddddd" scalar_three_same => three_same;
    "0qu011101s10000011oo10nnnnnddddd" cmp_zero_abs_neg => cmp_zero_abs_neg;
    "01u111101s10000011oo10nnnnnddddd" scalar_cmp_zero => cmp_zero_abs_neg;
    "0qu011100s100001011o10nnnnnddddd" fcvtn_fcvtl => fcvtn_fcvtl;
    "011111100s100001011010nnnnnddddd" scalar_fcvtxn => fcvtn_fcvtl;
    // Opcodes 110xx, 11100 (size 0x: with 1x, URECPE and URSQRTE are
    // integer operations, simd.rs's), 11101, 11111.
    "0qu01110as10000110oo10nnnnnddddd" frint_fcvt => misc;
    "0qu011100s100001110010nnnnnddddd" fcvta => misc;
    "0qu01110as100001110110nnnnnddddd" cvtf_estimate => misc;
    "0qu01110as100001111110nnnnnddddd" fsqrt => misc;
    "01u11110as10000110oo10nnnnnddddd" scalar_fcvt => misc;
    "01u111100s100001110010nnnnnddddd" scalar_fcvta => misc;
    "01u11110as100001110110nnnnnddddd" scalar_cvtf_estimate => misc;
    "01u11110as100001111110nnnnnddddd" scalar_frecpx => misc;
    "0q101110a011000011oo10nnnnnddddd" across => across;
    "01111110as11000011oo10nnnnnddddd" scalar_pairwise => scalar_pairwise;
    // Fixed-point conversions: immh 01xx (singles) and 1xxx (doubles);
    // immh 0000 is the modified-immediate group.
    "0qu01111001iiiii111001nnnnnddddd" cvtf_fixed_s => cvtf_fixed;
    "0qu0111101iiiiii111001nnnnnddddd" cvtf_fixed_d => cvtf_fixed;
    "01u11111001iiiii111001nnnnnddddd" scalar_cvtf_fixed_s => cvtf_fixed;
    "01u1111101iiiiii111001nnnnnddddd" scalar_cvtf_fixed_d => cvtf_fixed;
    "0qu01111001iiiii111111nnnnnddddd" fcvtz_fixed_s => fcvtz_fixed;
    "0qu0111101iiiiii111111nnnnnddddd" fcvtz_fixed_d => fcvtz_fixed;
    "01u11111001iiiii111111nnnnnddddd" scalar_fcvtz_fixed_s => fcvtz_fixed;
    "01u1111101iiiiii111111nnnnnddddd" scalar_fcvtz_fixed_d => fcvtz_fixed;
    "0q0011111slmmmmm0o01h0nnnnnddddd" fmla_elem => fmla_elem;
    "010111111slmmmmm0o01h0nnnnnddddd" scalar_fmla_elem => fmla_elem;
    "0qu011111slmmmmm1001h0nnnnnddddd" fmul_elem => fmul_elem;
    "01u111111slmmmmm1001h0nnnnnddddd" scalar_fmul_elem => fmul_elem;
};

/// What `a64_simd_fp` computes; `imm` refines each.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u64)]
enum Op {
    /// Lane-wise `n op m` (imm: the `Bin` as `BINS` numbers it).
    Binary,
    /// Pairwise `op` over the lanes of n then m (imm: `Bin`); the scalar
    /// form reduces the two lanes of n.
    Pairwise,
    /// FMLA, FMLS: d ± n·m, fused (imm: 1 negates n).
    Fma,
    /// Compares to all-ones or zero lanes (imm: kind 0 EQ, 1 GE, 2 GT |
    /// absolute << 2 | with zero << 3 | operands swapped << 4).
    Compare,
    /// imm: 0 FABS, 1 FNEG, 2 FSQRT, 3 FRECPE, 4 FRSQRTE, 5 FRECPX,
    /// 8 + rmode FRINT*.
    Unary,
    /// FCVT*S/U (imm: mode | unsigned << 3 | fbits << 8).
    ToInt,
    /// SCVTF/UCVTF (imm: unsigned | fbits << 8).
    FromInt,
    /// FCVTL(2): the low (high, q) half's lanes widened.
    Long,
    /// FCVTN(2), FCVTXN(2) (imm 1: round to odd): into the low (high, q)
    /// half.
    Narrow,
    /// FMAXV and friends over the four singles of n (imm: `Bin`).
    Across,
    /// By element (imm: 0 FMLA, 1 FMLS, 2 FMUL, 3 FMULX); the index is
    /// in `regs` bits 15 and up.
    ByElement,
}

const OPS: [Op; 11] = [
    Op::Binary,
    Op::Pairwise,
    Op::Fma,
    Op::Compare,
    Op::Unary,
    Op::ToInt,
    Op::FromInt,
    Op::Long,
    Op::Narrow,
    Op::Across,
    Op::ByElement,
];

const BINS: [Bin; 13] = [
    Bin::Mul,
    Bin::Div,
    Bin::Add,
    Bin::Sub,
    Bin::Max,
    Bin::Min,
    Bin::MaxNm,
    Bin::MinNm,
    Bin::NMul,
    Bin::MulX,
    Bin::Abd,
    Bin::RecpS,
    Bin::RsqrtS,
];

fn bin_code(b: Bin) -> u64 {
    BINS.iter().position(|&x| x == b).unwrap() as u64
}

/// Lane `i` of `esize` bits of a register.
fn lane(v: [u64; 2], i: usize, esize: u32) -> u64 {
    let bit = i * esize as usize;
    let w = v[bit / 64] >> (bit % 64);
    if esize == 64 {
        w
    } else {
        w & ((1 << esize) - 1)
    }
}

fn set_lane(v: &mut [u64; 2], i: usize, esize: u32, x: u64) {
    let bit = i * esize as usize;
    let mask = if esize == 64 {
        u64::MAX
    } else {
        (1 << esize) - 1
    };
    let w = &mut v[bit / 64];
    *w = (*w & !(mask << (bit % 64))) | (x & mask) << (bit % 64);
}

/// Arm's Reduce: the halves reduced, then combined.
fn reduce(env: &mut Env, p: Prec, op: Bin, l: &[u64]) -> u64 {
    if l.len() == 1 {
        return l[0];
    }
    let (lo, hi) = l.split_at(l.len() / 2);
    let a = reduce(env, p, op, lo);
    let b = reduce(env, p, op, hi);
    env.binary(p, op, a, b)
}

/// `a64_simd_fp(state, op, d | n << 5 | m << 10 | index << 15,
/// q | sz << 1 | scalar << 2, imm)`.
unsafe extern "C" fn simd_fp(state: *mut u8, op: u64, regs: u64, shape: u64, imm: u64) -> u64 {
    let cpu = cpu(state);
    let reg = |i: u64| (regs >> (5 * i) & 31) as usize;
    let (d, n, m) = (reg(0), reg(1), reg(2));
    let index = (regs >> 15) as usize;
    let q = shape & 1 != 0;
    let p = Prec::from_sz((shape >> 1 & 1) as u32);
    let scalar = shape & 4 != 0;
    let esize = p.bits();
    let count = if scalar {
        1
    } else if q {
        128 / esize as usize
    } else {
        64 / esize as usize
    };
    let mut env = Env::new(cpu.fpcr);
    let (vn, vm, vd) = (cpu.vreg[n], cpu.vreg[m], cpu.vreg[d]);
    let ln = |i| lane(vn, i, esize);
    let lm = |i| lane(vm, i, esize);
    let ones = p.mask();
    let mut out = [0u64; 2];
    match OPS[op as usize] {
        Op::Binary => {
            for i in 0..count {
                let r = env.binary(p, BINS[imm as usize], ln(i), lm(i));
                set_lane(&mut out, i, esize, r);
            }
        }
        Op::Pairwise => {
            let op = BINS[imm as usize];
            if scalar {
                out[0] = env.binary(p, op, ln(0), ln(1));
            } else {
                let cat: Vec<u64> = (0..count).map(ln).chain((0..count).map(lm)).collect();
                for i in 0..count {
                    let r = env.binary(p, op, cat[2 * i], cat[2 * i + 1]);
                    set_lane(&mut out, i, esize, r);
                }
            }
        }
        Op::Fma => {
            for i in 0..count {
                let x = if imm & 1 != 0 {
                    ln(i) ^ p.sign()
                } else {
                    ln(i)
                };
                let r = env.mul_add(p, lane(vd, i, esize), x, lm(i));
                set_lane(&mut out, i, esize, r);
            }
        }
        Op::Compare => {
            for i in 0..count {
                let mut a = ln(i);
                let mut b = if imm & 8 != 0 { 0 } else { lm(i) };
                if imm & 4 != 0 {
                    a &= !p.sign();
                    b &= !p.sign();
                }
                if imm & 16 != 0 {
                    std::mem::swap(&mut a, &mut b);
                }
                let t = env.compare_true(p, a, b, (imm & 3) as u32);
                set_lane(&mut out, i, esize, if t { ones } else { 0 });
            }
        }
        Op::Unary => {
            for i in 0..count {
                let x = ln(i);
                let r = match imm {
                    0 => x & !p.sign(),
                    1 => x ^ p.sign(),
                    2 => env.sqrt(p, x),
                    3 => env.recip_estimate(p, x),
                    4 => env.rsqrt_estimate(p, x),
                    5 => env.recip_exponent(p, x),
                    _ => {
                        let (mode, exact) = rint_mode(&env, imm - 8);
                        env.round_int(p, x, mode, exact)
                    }
                };
                set_lane(&mut out, i, esize, r);
            }
        }
        Op::ToInt => {
            let (mode, unsigned, fbits) = ((imm & 7) as u32, imm & 8 != 0, (imm >> 8) as u32);
            for i in 0..count {
                let r = env.fp_to_fixed(p, ln(i), fbits, mode, unsigned, esize);
                set_lane(&mut out, i, esize, r);
            }
        }
        Op::FromInt => {
            let (unsigned, fbits) = (imm & 1 != 0, (imm >> 8) as u32);
            for i in 0..count {
                let r = env.fixed_to_fp(p, ln(i), fbits, unsigned, esize);
                set_lane(&mut out, i, esize, r);
            }
        }
        Op::Long => {
            // p is the wide format; the narrow lanes are half its size.
            let from = if p == Prec::D { Prec::S } else { Prec::H };
            let lanes = 128 / esize as usize;
            let base = if q { lanes } else { 0 };
            let mode = env.rmode();
            for i in 0..lanes {
                let x = lane(vn, base + i, from.bits());
                let r = env.convert(from, p, x, mode);
                set_lane(&mut out, i, esize, r);
            }
        }
        Op::Narrow => {
            // p is the wide format of n.
            let to = if p == Prec::D { Prec::S } else { Prec::H };
            let mode = if imm & 1 != 0 { RO } else { env.rmode() };
            let lanes = if scalar { 1 } else { 128 / esize as usize };
            let mut half = [0u64; 2];
            for i in 0..lanes {
                let r = env.convert(p, to, ln(i), mode);
                set_lane(&mut half, i, to.bits(), r);
            }
            out = if q { [vd[0], half[0]] } else { [half[0], 0] };
        }
        Op::Across => {
            let l: Vec<u64> = (0..count).map(ln).collect();
            out[0] = reduce(&mut env, p, BINS[imm as usize], &l);
        }
        Op::ByElement => {
            let e = lane(vm, index, esize);
            for i in 0..count {
                let x = ln(i);
                let r = match imm {
                    0 => env.mul_add(p, lane(vd, i, esize), x, e),
                    1 => env.mul_add(p, lane(vd, i, esize), x ^ p.sign(), e),
                    2 => env.binary(p, Bin::Mul, x, e),
                    _ => env.binary(p, Bin::MulX, x, e),
                };
                set_lane(&mut out, i, esize, r);
            }
        }
    }
    cpu.vreg[d] = out;
    cpu.fpsr |= env.flags;
    0
}

static SIMD_FP: Helper = Helper {
    name: "a64_simd_fp",
    func: simd_fp,
    fp: None,
};

/// Whether the line is a scalar form (bit 28 set: op0 = 01x1).
fn is_scalar(insn: Insn) -> bool {
    insn.word >> 28 & 1 == 1
}

/// Emits the `a64_simd_fp` call, checking the arrangement: 1D is
/// reserved, and scalars have no q.
fn emit(cx: &mut Ctx, insn: Insn, op: Op, sz: u32, imm: u64, index: u32) -> Result<(), Illegal> {
    let scalar = is_scalar(insn);
    let q = !scalar && insn.word >> 30 & 1 == 1;
    if !scalar && sz == 1 && !q && !matches!(op, Op::Long | Op::Narrow) {
        return Err(Illegal);
    }
    let regs = (insn.word & 0x3ff) as u64 | ((insn.word >> 16 & 31) as u64) << 10;
    let regs = regs | (index as u64) << 15;
    let shape = q as u64 | (sz as u64) << 1 | (scalar as u64) << 2;
    let args = [cx.imm(op as u64), cx.imm(regs), cx.imm(shape), cx.imm(imm)];
    cx.b.call(&SIMD_FP, &args);
    Ok(())
}

/// The three-same group, by U:a:opcode (opcode 11xxx).
fn three_same(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let scalar = is_scalar(insn);
    let (u, a, o) = (insn.bit('u'), insn.bit('a'), insn.get('o'));
    let bin = |b| (Op::Binary, bin_code(b));
    let pair = |b| (Op::Pairwise, bin_code(b));
    let cmp = |k: u64| (Op::Compare, k);
    let (op, imm) = match (u, a, o) {
        (false, false, 0b011) => bin(Bin::MulX),
        (false, false, 0b100) => cmp(0),
        (false, false, 0b111) => bin(Bin::RecpS),
        (false, true, 0b111) => bin(Bin::RsqrtS),
        (true, false, 0b100) => cmp(1),
        (true, false, 0b101) => cmp(1 | 4),
        (true, true, 0b010) => bin(Bin::Abd),
        (true, true, 0b100) => cmp(2),
        (true, true, 0b101) => cmp(2 | 4),
        _ if scalar => return Err(Illegal),
        (false, false, 0b000) => bin(Bin::MaxNm),
        (false, false, 0b001) => (Op::Fma, 0),
        (false, false, 0b010) => bin(Bin::Add),
        (false, false, 0b110) => bin(Bin::Max),
        (false, true, 0b000) => bin(Bin::MinNm),
        (false, true, 0b001) => (Op::Fma, 1),
        (false, true, 0b010) => bin(Bin::Sub),
        (false, true, 0b110) => bin(Bin::Min),
        (true, false, 0b000) => pair(Bin::MaxNm),
        (true, false, 0b010) => pair(Bin::Add),
        (true, false, 0b011) => bin(Bin::Mul),
        (true, false, 0b110) => pair(Bin::Max),
        (true, false, 0b111) => bin(Bin::Div),
        (true, true, 0b000) => pair(Bin::MinNm),
        (true, true, 0b110) => pair(Bin::Min),
        _ => return Err(Illegal),
    };
    emit(cx, insn, op, insn.get('s'), imm, 0)
}

/// FCMGT, FCMEQ, FCMLT, FCMGE, FCMLE (zero); FABS, FNEG (vector).
fn cmp_zero_abs_neg(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (op, imm) = match (insn.bit('u'), insn.get('o')) {
        (false, 0) => (Op::Compare, 2 | 8),
        (false, 1) => (Op::Compare, 8),
        (false, 2) => (Op::Compare, 2 | 8 | 16),
        (true, 0) => (Op::Compare, 1 | 8),
        (true, 1) => (Op::Compare, 1 | 8 | 16),
        (false, 3) if !is_scalar(insn) => (Op::Unary, 0),
        (true, 3) if !is_scalar(insn) => (Op::Unary, 1),
        _ => return Err(Illegal),
    };
    emit(cx, insn, op, insn.get('s'), imm, 0)
}

/// FCVTN(2) and FCVTXN(2) (o = 0), FCVTL(2) (o = 1); scalar FCVTXN.
fn fcvtn_fcvtl(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sz = insn.get('s');
    if is_scalar(insn) {
        return if sz == 1 {
            emit(cx, insn, Op::Narrow, 1, 1, 0)
        } else {
            Err(Illegal)
        };
    }
    match (insn.bit('u'), insn.bit('o')) {
        (false, false) => emit(cx, insn, Op::Narrow, sz, 0, 0),
        (true, false) if sz == 1 => emit(cx, insn, Op::Narrow, 1, 1, 0),
        (false, true) => emit(cx, insn, Op::Long, sz, 0, 0),
        _ => Err(Illegal),
    }
}

/// Two-register misc, opcodes 11xxx: FRINT*, FCVT[NPMZA][SU],
/// SCVTF/UCVTF, FRECPE/FRSQRTE, FSQRT.
fn misc(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let scalar = is_scalar(insn);
    let (u, a, o) = (insn.bit('u'), insn.word >> 23 & 1 == 1, insn.word >> 12 & 7);
    let sz = insn.get('s');
    let to_int = |mode: u32| (Op::ToInt, mode as u64 | (u as u64) << 3);
    let (op, imm) = match (a, o) {
        (false, 0b010) => to_int(0),
        (false, 0b011) => to_int(2),
        (false, 0b100) => to_int(RA),
        (true, 0b010) => to_int(1),
        (true, 0b011) => to_int(RZ),
        (false, 0b101) => (Op::FromInt, u as u64),
        (true, 0b101) => (Op::Unary, if u { 4 } else { 3 }),
        (true, 0b111) if scalar && !u => (Op::Unary, 5),
        _ if scalar => return Err(Illegal),
        // FRINT: N/A (U), M/X (U); P, Z/I (U).
        (false, 0b000) => (Op::Unary, 8 + if u { 4 } else { 0 }),
        (false, 0b001) => (Op::Unary, 8 + if u { 6 } else { 2 }),
        (true, 0b000) if !u => (Op::Unary, 8 + 1),
        (true, 0b001) => (Op::Unary, 8 + if u { 7 } else { 3 }),
        (true, 0b111) if u => (Op::Unary, 2),
        _ => return Err(Illegal),
    };
    emit(cx, insn, op, sz, imm, 0)
}

/// FMAXNMV, FMINNMV (opcode 01100), FMAXV, FMINV (01111): 4S only.
fn across(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    if !insn.bit('q') {
        return Err(Illegal);
    }
    let b = match (insn.bit('a'), insn.get('o')) {
        (false, 0) => Bin::MaxNm,
        (true, 0) => Bin::MinNm,
        (false, 3) => Bin::Max,
        (true, 3) => Bin::Min,
        _ => return Err(Illegal),
    };
    emit(cx, insn, Op::Across, 0, bin_code(b), 0)
}

/// FMAXNMP, FADDP, FMAXP, FMINNMP, FMINP (scalar).
fn scalar_pairwise(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let b = match (insn.bit('a'), insn.get('o')) {
        (false, 0) => Bin::MaxNm,
        (false, 1) => Bin::Add,
        (false, 3) => Bin::Max,
        (true, 0) => Bin::MinNm,
        (true, 3) => Bin::Min,
        _ => return Err(Illegal),
    };
    emit(cx, insn, Op::Pairwise, insn.get('s'), bin_code(b), 0)
}

/// The format and fraction bits of immh:immb (bits 22:16).
fn fixed_shape(insn: Insn) -> (u32, u64) {
    let immhb = insn.word >> 16 & 0x7f;
    if immhb >= 64 {
        (1, 128 - immhb as u64)
    } else {
        (0, 64 - immhb as u64)
    }
}

/// SCVTF, UCVTF (vector and scalar, fixed-point).
fn cvtf_fixed(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (sz, fbits) = fixed_shape(insn);
    emit(
        cx,
        insn,
        Op::FromInt,
        sz,
        insn.get('u') as u64 | fbits << 8,
        0,
    )
}

/// FCVTZS, FCVTZU (vector and scalar, fixed-point).
fn fcvtz_fixed(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (sz, fbits) = fixed_shape(insn);
    let imm = RZ as u64 | (insn.get('u') as u64) << 3 | fbits << 8;
    emit(cx, insn, Op::ToInt, sz, imm, 0)
}

/// The element index of a by-element form: H:L for singles, H for
/// doubles (L set is reserved).
fn element_index(insn: Insn) -> Result<u32, Illegal> {
    match (insn.get('s'), insn.get('l')) {
        (0, l) => Ok(insn.get('h') << 1 | l),
        (_, 0) => Ok(insn.get('h')),
        _ => Err(Illegal),
    }
}

/// FMLA, FMLS (by element).
fn fmla_elem(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let index = element_index(insn)?;
    emit(
        cx,
        insn,
        Op::ByElement,
        insn.get('s'),
        insn.get('o') as u64,
        index,
    )
}

/// FMUL, FMULX (by element).
fn fmul_elem(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let index = element_index(insn)?;
    let imm = 2 + insn.get('u') as u64;
    emit(cx, insn, Op::ByElement, insn.get('s'), imm, index)
}

#[cfg(test)]
mod tests {
    use super::super::super::cpu::Cpu;
    use super::*;

    /// Runs `op` with d = 0, n = 1, m = 2.
    fn run(cpu: &mut Cpu, op: Op, shape: u64, imm: u64, index: u64) {
        let state = cpu as *mut Cpu as *mut u8;
        unsafe { simd_fp(state, op as u64, 1 << 5 | 2 << 10 | index << 15, shape, imm) };
    }

    const ONE: u64 = 0x3f80_0000;
    const TWO: u64 = 0x4000_0000;
    const QNAN: u64 = 0x7fc0_0001;

    #[test]
    fn pairwise_and_across_lanes_pair_as_the_manual_says() {
        let mut cpu = Cpu::default();
        cpu.vreg[1] = [ONE | TWO << 32, TWO | TWO << 32];
        cpu.vreg[2] = [ONE | ONE << 32, 0];
        // faddp v0.4s: n's pairs, then m's: 3, 4, 2, 0.
        run(&mut cpu, Op::Pairwise, 1, bin_code(Bin::Add), 0);
        assert_eq!(cpu.vreg[0], [0x4040_0000 | 0x4080_0000 << 32, TWO]);
        // fmaxnmv s0, v1.4s with a quiet NaN lane: the numbers win.
        cpu.vreg[1] = [QNAN | ONE << 32, TWO | QNAN << 32];
        run(&mut cpu, Op::Across, 1, bin_code(Bin::MaxNm), 0);
        assert_eq!(cpu.vreg[0], [TWO, 0]);
        // fmaxv: the first NaN of the first pair.
        run(&mut cpu, Op::Across, 1, bin_code(Bin::Max), 0);
        assert_eq!(cpu.vreg[0], [QNAN, 0]);
    }

    #[test]
    fn compares_give_lane_masks_and_64_bit_forms_clear_the_top() {
        let mut cpu = Cpu::default();
        cpu.vreg[1] = [ONE | TWO << 32, QNAN | 0x8000_0000 << 32];
        // fcmge v0.2s, v1.2s, #0.0: both true; the high half cleared.
        cpu.vreg[0] = [0, u64::MAX];
        run(&mut cpu, Op::Compare, 0, 1 | 8, 0);
        assert_eq!(cpu.vreg[0], [u64::MAX, 0]);
        // fcmlt v0.4s, v1.4s, #0.0: NaN is false (and IOC), -0 is not < 0.
        run(&mut cpu, Op::Compare, 1, 2 | 8 | 16, 0);
        assert_eq!(cpu.vreg[0], [0, 0]);
        assert_eq!(cpu.fpsr, 1);
    }

    #[test]
    fn by_element_uses_the_indexed_lane_of_m() {
        let mut cpu = Cpu::default();
        cpu.vreg[1] = [ONE | TWO << 32, 0];
        cpu.vreg[2] = [0, TWO << 32];
        // fmul v0.2s, v1.2s, v2.s[3].
        run(&mut cpu, Op::ByElement, 0, 2, 3);
        assert_eq!(cpu.vreg[0], [TWO | 0x4080_0000 << 32, 0]);
    }
}
