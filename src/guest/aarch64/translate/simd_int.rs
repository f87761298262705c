//! Integer Advanced SIMD data processing, vector and scalar: three same,
//! three different, two-register misc, across lanes, pairwise, shifts by
//! immediate, by element, permutes, EXT and TBL/TBX. One out-of-line
//! helper computes them all: a lane layout (how source lanes pair up and
//! where results go: same width, widening, narrowing, pairwise, across)
//! applied to a per-lane operation on exact (`i128`) values. The hottest
//! simple ones are emitted otherwise: bitwise operations as 64-bit IR on
//! the register halves; ADD/SUB, the compares, min/max, byte pairwise
//! operations and XTN/SHRN as generic vector operations (`ir::vector`),
//! which the JIT computes inline with SSE2. Saturation sets FPSR.QC.
//!
//! Floating-point encodings that share these classes are carved out of
//! the patterns (their opcodes are left to the FP tables).

use super::super::cpu::{v_offset, Cpu};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::vector::{VecArgs, VecOp, VECTOR};
use crate::ir::{Helper, Value};

pub const TABLE: &[Pattern] = crate::a64_table! {
    // Three same: opcodes 00000..10111 (11xxx are FP).
    "0qu01110ss1mmmmm0oooo1nnnnnddddd" three_same => three_same;
    "0qu01110ss1mmmmm10ooo1nnnnnddddd" three_same_hi => three_same;
    "01u11110ss1mmmmm0oooo1nnnnnddddd" scalar_three_same => scalar_three_same;
    "01u11110ss1mmmmm10ooo1nnnnnddddd" scalar_three_same_hi => scalar_three_same;
    "0qu01110ss1mmmmmoooo00nnnnnddddd" three_diff => three_diff;
    "01u11110ss1mmmmmoooo00nnnnnddddd" scalar_three_diff => scalar_three_diff;
    // Two-register misc: opcodes 0xxxx but 011xx, 100xx and 10100.
    "0qu01110ss1000000ooo10nnnnnddddd" two_misc => two_misc;
    "0qu01110ss10000010oo10nnnnnddddd" two_misc_cmp => two_misc;
    "0qu01110ss10000100oo10nnnnnddddd" two_misc_narrow => two_misc;
    "0qu01110ss100001010010nnnnnddddd" two_misc_sqxtn => two_misc;
    "01u11110ss1000000ooo10nnnnnddddd" scalar_two_misc => scalar_two_misc;
    "01u11110ss10000010oo10nnnnnddddd" scalar_two_misc_cmp => scalar_two_misc;
    "01u11110ss10000100oo10nnnnnddddd" scalar_two_misc_narrow => scalar_two_misc;
    "01u11110ss100001010010nnnnnddddd" scalar_two_misc_sqxtn => scalar_two_misc;
    // Across lanes: SADDLV 00011, SMAXV 01010, SMINV 11010, ADDV 11011.
    "0qu01110ss11000oo01o10nnnnnddddd" across => across;
    "01011110ss110001101110nnnnnddddd" scalar_addp => scalar_addp;
    // Shifts by immediate: opcodes 0xxxx and 10xxx (11xxx are FP).
    "0qu011110iiiiiii0oooo1nnnnnddddd" shift_imm => shift_imm;
    "0qu011110iiiiiii10ooo1nnnnnddddd" shift_imm_hi => shift_imm;
    "01u111110iiiiiii0oooo1nnnnnddddd" scalar_shift_imm => scalar_shift_imm;
    "01u111110iiiiiii10ooo1nnnnnddddd" scalar_shift_imm_hi => scalar_shift_imm;
    // By element: opcodes xxx0, xx11 and 1101 (xx01 but 1101 are FP).
    "0qu01111sslkmmmmooo0h0nnnnnddddd" by_elem => by_elem;
    "0qu01111sslkmmmmoo11h0nnnnnddddd" by_elem_q => by_elem;
    "0qu01111sslkmmmm1101h0nnnnnddddd" by_elem_rdmulh => by_elem;
    "01u11111sslkmmmmooo0h0nnnnnddddd" scalar_by_elem => scalar_by_elem;
    "01u11111sslkmmmmoo11h0nnnnnddddd" scalar_by_elem_q => scalar_by_elem;
    "01u11111sslkmmmm1101h0nnnnnddddd" scalar_by_elem_rdmulh => scalar_by_elem;
    "0q001110ss0mmmmm0ooo10nnnnnddddd" permute => permute;
    "0q101110000mmmmm0iiii0nnnnnddddd" ext => ext;
    "0q001110000mmmmm0llo00nnnnnddddd" tbl => tbl;
};

/// How the helper walks the lanes (see [`int_op`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Layout {
    /// Lane i of n and m (or m's element `index`) and d, same width.
    Same,
    /// Adjacent pairs of n:m concatenated (scalar: of n's two lanes).
    Pair,
    /// Lanes of the low (q: high) half of n and m, results twice as wide.
    Long,
    /// Wide lanes of n with the low (q: high) half's lanes of m.
    Wide,
    /// Double-width lanes of n and m into the low (q: high) half of d.
    Narrow,
    /// Adjacent pairs of n, results twice as wide (accumulating into d).
    PairLong,
    /// All lanes of n folded into lane 0.
    Across,
    /// As `Across`, the result twice as wide.
    AcrossLong,
    /// Elements reversed within containers of `imm` bytes.
    Rev,
    /// UZP1, UZP2, ZIP1, ZIP2, TRN1, TRN2 as `imm` 0..=5.
    Permute,
    /// TBL/TBX: `imm` = registers - 1, | 4 for TBX.
    Tbl,
}

/// The per-lane operations, on values extended to `i128` as the
/// signedness bit says (some reinterpret a value as the other kind).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum Op {
    Add,
    Sub,
    Mul,
    Mla,
    Mls,
    HAdd,
    RHAdd,
    HSub,
    QAdd,
    QSub,
    Eq,
    Gt,
    Ge,
    Tst,
    EqZ,
    GtZ,
    GeZ,
    LeZ,
    LtZ,
    Max,
    Min,
    Abd,
    Aba,
    Shl,
    RShl,
    QShl,
    QRShl,
    QDMulH,
    QRDMulH,
    PMul,
    Cnt,
    Clz,
    Cls,
    Rbit,
    Abs,
    Neg,
    QAbs,
    QNeg,
    SuqAdd,
    UsqAdd,
    Shr,
    RShr,
    Sra,
    RSra,
    ShlImm,
    QShlImm,
    QShlUImm,
    Sri,
    Sli,
    ShrN,
    RShrN,
    QShrN,
    QRShrN,
    QShrUN,
    QRShrUN,
    AddHN,
    RAddHN,
    SubHN,
    RSubHN,
    AddAcc,
    QDMul,
    QDMla,
    QDMls,
    /// Placeholder for layouts that do not use a lane operation.
    None,
}

const OP_COUNT: u8 = Op::None as u8 + 1;
const LAYOUT_COUNT: u8 = Layout::Tbl as u8 + 1;

/// FPSR.QC, the cumulative saturation bit.
pub const FPSR_QC: u64 = 1 << 27;

/// Bits `hi..=lo` of the instruction word (opcodes some patterns split).
fn field(insn: Insn, hi: u32, lo: u32) -> u32 {
    (insn.word >> lo) & ((1 << (hi - lo + 1)) - 1)
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// `v`'s low `bits` as a signed or unsigned value.
fn extend(v: u64, bits: u32, signed: bool) -> i128 {
    let v = v & mask(bits);
    if signed && bits < 64 && v >> (bits - 1) & 1 == 1 {
        v as i128 - (1i128 << bits)
    } else if signed && bits == 64 {
        v as i64 as i128
    } else {
        v as i128
    }
}

fn trunc(v: i128, bits: u32) -> u64 {
    v as u64 & mask(bits)
}

/// `v` clamped to the `bits`-wide signed or unsigned range; clamping
/// sets `qc`.
fn sat(v: i128, bits: u32, signed: bool, qc: &mut bool) -> u64 {
    let (lo, hi) = if signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let c = v.clamp(lo, hi);
    if c != v {
        *qc = true;
    }
    trunc(c, bits)
}

/// `x` shifted right by `n` rounding to nearest (ties up).
fn rshr(x: i128, n: u32) -> i128 {
    let n = n.min(127);
    if n == 0 {
        x
    } else {
        (x + (1i128 << (n - 1))) >> n
    }
}

/// `x` shifted by the signed amount `sh` (left if positive), as SSHL and
/// its relatives do on `bits`-wide lanes: left shifts out of range give a
/// huge value of `x`'s sign (0 when truncated, the bound when saturated).
fn shift_by(x: i128, sh: i32, bits: u32, round: bool) -> i128 {
    if sh >= 0 {
        if sh as u32 >= bits {
            x.signum() << 100
        } else {
            x << sh
        }
    } else {
        let n = (-sh) as u32;
        if round {
            rshr(x, n)
        } else {
            x >> n.min(127)
        }
    }
}

/// Carry-less multiplication of the low `bits` of `a` and `b`.
pub fn clmul(a: u64, b: u64, bits: u32) -> u128 {
    let mut r = 0u128;
    for i in 0..bits {
        if b >> i & 1 == 1 {
            r ^= (a as u128) << i;
        }
    }
    r
}

/// One lane: sources `x`, `y` (`sb` bits wide), the destination's old
/// lane `acc` (`rb` bits, the result's width).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn calc(
    op: Op,
    x: i128,
    y: i128,
    acc: i128,
    sb: u32,
    rb: u32,
    imm: u32,
    sg: bool,
    qc: &mut bool,
) -> u64 {
    let t = |v: i128| trunc(v, rb);
    let test = |c: bool| if c { mask(rb) } else { 0 };
    let (ux, uy, ua) = (trunc(x, sb), trunc(y, sb), trunc(acc, rb));
    let sh = uy as u8 as i8 as i32;
    match op {
        Op::Add => t(x + y),
        Op::Sub => t(x - y),
        Op::Mul => t(x.wrapping_mul(y)),
        Op::Mla => t(acc.wrapping_add(x.wrapping_mul(y))),
        Op::Mls => t(acc.wrapping_sub(x.wrapping_mul(y))),
        Op::HAdd => t((x + y) >> 1),
        Op::RHAdd => t((x + y + 1) >> 1),
        Op::HSub => t((x - y) >> 1),
        Op::QAdd => sat(x + y, rb, sg, qc),
        Op::QSub => sat(x - y, rb, sg, qc),
        Op::Eq => test(x == y),
        Op::Gt => test(x > y),
        Op::Ge => test(x >= y),
        Op::Tst => test(ux & uy != 0),
        Op::EqZ => test(x == 0),
        Op::GtZ => test(x > 0),
        Op::GeZ => test(x >= 0),
        Op::LeZ => test(x <= 0),
        Op::LtZ => test(x < 0),
        Op::Max => t(x.max(y)),
        Op::Min => t(x.min(y)),
        Op::Abd => t((x - y).abs()),
        Op::Aba => t(acc + (x - y).abs()),
        Op::Shl => t(shift_by(x, sh, sb, false)),
        Op::RShl => t(shift_by(x, sh, sb, true)),
        Op::QShl => sat(shift_by(x, sh, sb, false), rb, sg, qc),
        Op::QRShl => sat(shift_by(x, sh, sb, true), rb, sg, qc),
        Op::QDMulH => sat((2 * x * y) >> rb, rb, true, qc),
        Op::QRDMulH => sat((2 * x * y + (1i128 << (rb - 1))) >> rb, rb, true, qc),
        Op::PMul => clmul(ux, uy, sb) as u64 & mask(rb),
        Op::Cnt => ux.count_ones() as u64,
        Op::Clz => (sb - (64 - ux.leading_zeros())) as u64,
        Op::Cls => {
            let d = ((ux >> 1) ^ ux) & mask(sb - 1);
            (sb - 1 - (64 - d.leading_zeros())) as u64
        }
        Op::Rbit => (ux as u8).reverse_bits() as u64,
        Op::Abs => t(x.abs()),
        Op::Neg => t(-x),
        Op::QAbs => sat(x.abs(), rb, true, qc),
        Op::QNeg => sat(-x, rb, true, qc),
        Op::SuqAdd => sat(extend(ua, rb, true) + ux as i128, rb, true, qc),
        Op::UsqAdd => sat(ua as i128 + extend(ux, sb, true), rb, false, qc),
        Op::Shr => t(x >> imm.min(127)),
        Op::RShr => t(rshr(x, imm)),
        Op::Sra => t(acc + (x >> imm.min(127))),
        Op::RSra => t(acc + rshr(x, imm)),
        Op::ShlImm => t(x << imm),
        Op::QShlImm => sat(x << imm, rb, sg, qc),
        Op::QShlUImm => sat(x << imm, rb, false, qc),
        Op::Sri => {
            let m = (mask(rb) as u128 >> imm) as u64;
            (ua & !m) | ((ux as u128 >> imm) as u64 & m)
        }
        Op::Sli => {
            let m = mask(rb) << imm & mask(rb);
            (ua & !m) | (ux << imm & m)
        }
        Op::ShrN => t(x >> imm),
        Op::RShrN => t(rshr(x, imm)),
        Op::QShrN => sat(x >> imm, rb, sg, qc),
        Op::QRShrN => sat(rshr(x, imm), rb, sg, qc),
        Op::QShrUN => sat(x >> imm, rb, false, qc),
        Op::QRShrUN => sat(rshr(x, imm), rb, false, qc),
        Op::AddHN => t((x + y) >> rb),
        Op::RAddHN => t(rshr(x + y, rb)),
        Op::SubHN => t((x - y) >> rb),
        Op::RSubHN => t(rshr(x - y, rb)),
        Op::AddAcc => t(acc + x + y),
        Op::QDMul => sat(2 * x * y, rb, true, qc),
        Op::QDMla => {
            let p = extend(sat(2 * x * y, rb, true, qc), rb, true);
            sat(acc + p, rb, true, qc)
        }
        Op::QDMls => {
            let p = extend(sat(2 * x * y, rb, true, qc), rb, true);
            sat(acc - p, rb, true, qc)
        }
        Op::None => 0,
    }
}

/// `f` on adjacent byte pairs of the first `count` bytes of n then m.
#[inline(always)]
fn pairwise_bytes(n: &[u8; 16], m: &[u8; 16], count: usize, f: impl Fn(u8, u8) -> u8) -> [u8; 16] {
    let mut cat = [0u8; 32];
    cat[..count].copy_from_slice(&n[..count]);
    cat[count..2 * count].copy_from_slice(&m[..count]);
    let mut out = [0u8; 16];
    for i in 0..count {
        out[i] = f(cat[2 * i], cat[2 * i + 1]);
    }
    out
}

fn vget(cpu: &Cpu, r: usize) -> u128 {
    cpu.vreg[r][0] as u128 | (cpu.vreg[r][1] as u128) << 64
}

fn vset(cpu: &mut Cpu, r: usize, v: u128) {
    cpu.vreg[r] = [v as u64, (v >> 64) as u64];
}

/// Lane `i` of `bits` of `v`.
fn lane(v: u128, i: usize, bits: u32) -> u64 {
    (v >> (i as u32 * bits)) as u64 & mask(bits)
}

fn with_lane(v: u128, i: usize, bits: u32, x: u64) -> u128 {
    let sh = i as u32 * bits;
    let m = (mask(bits) as u128) << sh;
    (v & !m) | ((x & mask(bits)) as u128) << sh
}

/// What the lane walk of [`int_op`] reads.
struct Lanes {
    vn: u128,
    vm: u128,
    vd: u128,
    /// The table registers of TBL/TBX.
    table: [u128; 4],
    q: bool,
    bits: u32,
    scalar: bool,
    sg: bool,
    elem: bool,
    imm: u32,
    index: usize,
}

/// Walks the lanes of `layout` with the lane operation `f(x, y, acc, sb,
/// rb, qc)`; returns the result and whether it saturated. Generic so the
/// hot operations get a copy with the operation known.
#[inline(always)]
fn walk(
    p: &Lanes,
    layout: Layout,
    f: impl Fn(i128, i128, i128, u32, u32, &mut bool) -> u64,
) -> (u128, bool) {
    let Lanes {
        vn,
        vm,
        vd,
        q,
        bits,
        scalar,
        sg,
        elem,
        imm,
        index,
        ..
    } = *p;
    let width = if q { 128 } else { 64 };
    let mut qc = false;
    let ext = |v: u64, b: u32| extend(v, b, sg);
    let y_at = |i: usize, b: u32| lane(vm, if elem { index } else { i }, b);
    let count = if scalar { 1 } else { (width / bits) as usize };
    let half = (64 / bits) as usize;
    let base = if q { half } else { 0 };
    let wb = 2 * bits;
    let mut r = 0u128;
    match layout {
        Layout::Same => {
            for i in 0..count {
                let (x, y, a) = (lane(vn, i, bits), y_at(i, bits), lane(vd, i, bits));
                let v = f(
                    ext(x, bits),
                    ext(y, bits),
                    ext(a, bits),
                    bits,
                    bits,
                    &mut qc,
                );
                r = with_lane(r, i, bits, v);
            }
        }
        Layout::Pair => {
            let at = |k: usize| {
                if scalar || k < count {
                    lane(vn, k, bits)
                } else {
                    lane(vm, k - count, bits)
                }
            };
            for i in 0..count {
                let (x, y) = (ext(at(2 * i), bits), ext(at(2 * i + 1), bits));
                r = with_lane(r, i, bits, f(x, y, 0, bits, bits, &mut qc));
            }
        }
        Layout::Long | Layout::Wide => {
            let (count, base) = if scalar { (1, 0) } else { (half, base) };
            for i in 0..count {
                let x = if layout == Layout::Wide {
                    ext(lane(vn, i, wb), wb)
                } else {
                    ext(lane(vn, base + i, bits), bits)
                };
                let y = ext(y_at(base + i, bits), bits);
                let a = ext(lane(vd, i, wb), wb);
                r = with_lane(r, i, wb, f(x, y, a, bits, wb, &mut qc));
            }
        }
        Layout::Narrow => {
            let (count, base) = if scalar { (1, 0) } else { (half, base) };
            if q && !scalar {
                r = vd & u64::MAX as u128;
            }
            for i in 0..count {
                let (x, y) = (ext(lane(vn, i, wb), wb), ext(lane(vm, i, wb), wb));
                r = with_lane(r, base + i, bits, f(x, y, 0, wb, bits, &mut qc));
            }
        }
        Layout::PairLong => {
            for i in 0..(width / wb) as usize {
                let (x, y) = (
                    ext(lane(vn, 2 * i, bits), bits),
                    ext(lane(vn, 2 * i + 1, bits), bits),
                );
                let a = ext(lane(vd, i, wb), wb);
                r = with_lane(r, i, wb, f(x, y, a, bits, wb, &mut qc));
            }
        }
        Layout::Across | Layout::AcrossLong => {
            let rb = if layout == Layout::AcrossLong {
                wb
            } else {
                bits
            };
            let mut acc = ext(lane(vn, 0, bits), bits);
            for i in 1..count {
                let x = ext(lane(vn, i, bits), bits);
                acc = extend(f(acc, x, 0, rb, rb, &mut qc), rb, sg);
            }
            r = trunc(acc, rb) as u128;
        }
        Layout::Rev => {
            let per = (imm * 8 / bits) as usize;
            for i in 0..count {
                let src = (i / per) * per + (per - 1 - i % per);
                r = with_lane(r, i, bits, lane(vn, src, bits));
            }
        }
        Layout::Permute => {
            let at = |k: usize| {
                if k < count {
                    lane(vn, k, bits)
                } else {
                    lane(vm, k - count, bits)
                }
            };
            let part = (imm & 1) as usize;
            for i in 0..count {
                let v = match imm >> 1 {
                    0 => at(2 * i + part),
                    1 => at(i / 2 + part * count / 2 + (i % 2) * count),
                    _ => at((i & !1) + part + (i % 2) * count),
                };
                r = with_lane(r, i, bits, v);
            }
        }
        Layout::Tbl => {
            let regs = (imm & 3) as usize + 1;
            let tbx = imm & 4 != 0;
            let table = &p.table[..regs];
            for i in 0..(width / 8) as usize {
                let idx = lane(vm, i, 8) as usize;
                let v = if idx < 16 * regs {
                    lane(table[idx / 16], idx % 16, 8)
                } else if tbx {
                    lane(vd, i, 8)
                } else {
                    0
                };
                r = with_lane(r, i, 8, v);
            }
        }
    }
    (r, qc)
}

/// `int_op(state, regs, shape, op)`: regs = d | n << 5 | m << 10; shape =
/// q | size << 1 | scalar << 3 | signed << 4 | by-element << 5 |
/// imm << 16 | element index << 24; op = Op | Layout << 8.
unsafe extern "C" fn int_op(state: *mut u8, regs: u64, shape: u64, op: u64, _: u64) -> u64 {
    // SAFETY: `state` is the guest's Cpu (the IR calling convention).
    let cpu = &mut *(state as *mut Cpu);
    let (op, layout) = (op as u8, (op >> 8) as u8);
    debug_assert!(op < OP_COUNT && layout < LAYOUT_COUNT);
    // SAFETY: `emit` packs valid discriminants of these `repr(u8)` enums.
    let (op, layout) = (
        std::mem::transmute::<u8, Op>(op),
        std::mem::transmute::<u8, Layout>(layout),
    );
    let (d, n, m) = (
        (regs & 31) as usize,
        (regs >> 5 & 31) as usize,
        (regs >> 10 & 31) as usize,
    );
    let q = shape & 1 == 1;
    let bits = 8u32 << (shape >> 1 & 3);
    let scalar = shape >> 3 & 1 == 1;
    let sg = shape >> 4 & 1 == 1;
    let elem = shape >> 5 & 1 == 1;
    let imm = (shape >> 16 & 0xff) as u32;
    let index = (shape >> 24 & 15) as usize;
    let (vn, vm, vd) = (vget(cpu, n), vget(cpu, m), vget(cpu, d));
    if layout == Layout::Pair && bits == 8 && !scalar {
        // UMAXP/UMINP/ADDP on bytes (glibc's string functions): direct.
        let count = if q { 16 } else { 8 };
        let (nb, mb) = (vn.to_le_bytes(), vm.to_le_bytes());
        let out = match (op, sg) {
            (Op::Max, false) => pairwise_bytes(&nb, &mb, count, |x, y| x.max(y)),
            (Op::Min, false) => pairwise_bytes(&nb, &mb, count, |x, y| x.min(y)),
            (Op::Max, true) => pairwise_bytes(&nb, &mb, count, |x, y| (x as i8).max(y as i8) as u8),
            (Op::Min, true) => pairwise_bytes(&nb, &mb, count, |x, y| (x as i8).min(y as i8) as u8),
            _ => pairwise_bytes(&nb, &mb, count, |x, y| x.wrapping_add(y)),
        };
        vset(cpu, d, u128::from_le_bytes(out));
        return 0;
    }
    let mut table = [0u128; 4];
    if layout == Layout::Tbl {
        for (k, t) in table.iter_mut().enumerate() {
            *t = vget(cpu, (n + k) % 32);
        }
    }
    let p = Lanes {
        vn,
        vm,
        vd,
        table,
        q,
        bits,
        scalar,
        sg,
        elem,
        imm,
        index,
    };
    macro_rules! with_op {
        ($($hot:ident),*) => {
            match op {
                $(Op::$hot => walk(&p, layout, |x, y, a, sb, rb, qc| {
                    calc(Op::$hot, x, y, a, sb, rb, imm, sg, qc)
                }),)*
                _ => walk(&p, layout, |x, y, a, sb, rb, qc| calc(op, x, y, a, sb, rb, imm, sg, qc)),
            }
        };
    }
    // The operations auto-vectorised loops use most get their own copy.
    let (r, qc) = with_op!(Add, Sub, Mul, Mla, Mls, ShlImm, Max, Min, Shr, Gt, Ge, QAdd, Abd);
    vset(cpu, d, r);
    if qc {
        cpu.fpsr |= FPSR_QC;
    }
    0
}

static INT_OP: Helper = Helper {
    name: "a64_simd_int",
    func: int_op,
    fp: None,
};

/// One call of the lane helper.
#[derive(Clone, Copy)]
struct Emit {
    layout: Layout,
    op: Op,
    size: u32,
    signed: bool,
    scalar: bool,
    q: bool,
    imm: u32,
    index: Option<u32>,
    d: u32,
    n: u32,
    m: u32,
}

impl Emit {
    fn new(insn: Insn, layout: Layout, op: Op, size: u32, signed: bool) -> Emit {
        Emit {
            layout,
            op,
            size,
            signed,
            scalar: false,
            q: false,
            imm: 0,
            index: None,
            d: insn.get('d'),
            n: insn.get('n'),
            m: 0,
        }
    }
    fn emit(self, cx: &mut Ctx) {
        let regs = cx.imm((self.d | self.n << 5 | self.m << 10) as u64);
        let shape = self.q as u64
            | (self.size as u64) << 1
            | (self.scalar as u64) << 3
            | (self.signed as u64) << 4
            | (self.index.is_some() as u64) << 5
            | (self.imm as u64) << 16
            | (self.index.unwrap_or(0) as u64) << 24;
        let shape = cx.imm(shape);
        let op = cx.imm(self.op as u64 | (self.layout as u64) << 8);
        cx.b.call(&INT_OP, &[regs, shape, op]);
    }
}

/// Three same (vector and scalar): the operation, its layout and whether
/// it is valid at this size.
fn three_same_op(u: bool, opc: u32, size: u32, scalar: bool) -> Option<(Layout, Op)> {
    use Layout::{Pair, Same};
    let small = size < 3;
    let r = match (u, opc) {
        (_, 0b00000) if small => (Same, Op::HAdd),
        (_, 0b00001) => (Same, Op::QAdd),
        (_, 0b00010) if small => (Same, Op::RHAdd),
        (_, 0b00100) if small => (Same, Op::HSub),
        (_, 0b00101) => (Same, Op::QSub),
        (_, 0b00110) => (Same, Op::Gt),
        (_, 0b00111) => (Same, Op::Ge),
        (_, 0b01000) => (Same, Op::Shl),
        (_, 0b01001) => (Same, Op::QShl),
        (_, 0b01010) => (Same, Op::RShl),
        (_, 0b01011) => (Same, Op::QRShl),
        (_, 0b01100) if small => (Same, Op::Max),
        (_, 0b01101) if small => (Same, Op::Min),
        (_, 0b01110) if small => (Same, Op::Abd),
        (_, 0b01111) if small => (Same, Op::Aba),
        (false, 0b10000) => (Same, Op::Add),
        (true, 0b10000) => (Same, Op::Sub),
        (false, 0b10001) => (Same, Op::Tst),
        (true, 0b10001) => (Same, Op::Eq),
        (false, 0b10010) if small => (Same, Op::Mla),
        (true, 0b10010) if small => (Same, Op::Mls),
        (false, 0b10011) if small => (Same, Op::Mul),
        (true, 0b10011) if size == 0 => (Same, Op::PMul),
        (_, 0b10100) if small => (Pair, Op::Max),
        (_, 0b10101) if small => (Pair, Op::Min),
        (false, 0b10110) if size == 1 || size == 2 => (Same, Op::QDMulH),
        (true, 0b10110) if size == 1 || size == 2 => (Same, Op::QRDMulH),
        (false, 0b10111) => (Pair, Op::Add),
        _ => return None,
    };
    if scalar {
        // The scalar forms: saturating ops at any size, the rest on D.
        let ok = match r.1 {
            Op::QAdd | Op::QSub | Op::QShl | Op::QRShl => true,
            Op::QDMulH | Op::QRDMulH => true,
            Op::Gt | Op::Ge | Op::Shl | Op::RShl | Op::Add | Op::Sub | Op::Tst | Op::Eq => {
                size == 3
            }
            _ => false,
        };
        if !ok || r.0 != Same {
            return None;
        }
    }
    Some(r)
}

fn three_same(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (u, opc, size, q) = (
        insn.bit('u'),
        field(insn, 15, 11),
        insn.get('s'),
        insn.bit('q'),
    );
    let (d, n, m) = (insn.get('d'), insn.get('n'), insn.get('m'));
    if opc == 0b00011 {
        logical(cx, u, size, q, [d, n, m]);
        return Ok(());
    }
    if size == 3 && !q {
        return Err(Illegal);
    }
    if let Some(op) = vector_three_same(u, opc, size) {
        vector(cx, op, size, q, Some(m), [d, n]);
        return Ok(());
    }
    let (layout, op) = three_same_op(u, opc, size, false).ok_or(Illegal)?;
    // Signedness: U clear is signed, except for the ops where U selects
    // the operation (and CMGT/CMGE vs CMHI/CMHS, which it does select).
    let signed = !u || matches!(op, Op::QRDMulH);
    let mut e = Emit::new(insn, layout, op, size, signed);
    e.q = q;
    e.m = m;
    e.emit(cx);
    Ok(())
}

fn scalar_three_same(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (u, opc, size) = (insn.bit('u'), field(insn, 15, 11), insn.get('s'));
    let (layout, op) = three_same_op(u, opc, size, true).ok_or(Illegal)?;
    let mut e = Emit::new(insn, layout, op, size, !u || op == Op::QRDMulH);
    e.scalar = true;
    e.m = insn.get('m');
    e.emit(cx);
    Ok(())
}

/// AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF as 64-bit IR on the halves.
fn logical(cx: &mut Ctx, u: bool, opc: u32, q: bool, [d, n, m]: [u32; 3]) {
    for half in 0..2 {
        if half == 1 && !q {
            let zero = cx.imm(0);
            cx.b.set_reg(v_offset(d, 1), zero);
            break;
        }
        let a = cx.b.get_reg(v_offset(n, half));
        let b = cx.b.get_reg(v_offset(m, half));
        let r = match (u, opc) {
            (false, 0) => cx.b.and(a, b),
            (false, 1) => {
                let nb = cx.b.not(b);
                cx.b.and(a, nb)
            }
            (false, 2) => cx.b.or(a, b),
            (false, _) => {
                let nb = cx.b.not(b);
                cx.b.or(a, nb)
            }
            (true, 0) => cx.b.xor(a, b),
            (true, sel) => {
                // d = (x & mask) | (y & !mask): BSL selects by d, BIT
                // inserts n where m is set, BIF where m is clear.
                let old = cx.b.get_reg(v_offset(d, half));
                let (mask, x, y) = match sel {
                    1 => (old, a, b),
                    2 => (b, a, old),
                    _ => (b, old, a),
                };
                let t = cx.b.xor(x, y);
                let t = cx.b.and(t, mask);
                cx.b.xor(t, y)
            }
        };
        cx.b.set_reg(v_offset(d, half), r);
    }
}

/// REV16/REV32/REV64: the elements of 2^size bytes reversed within each
/// container of `container` bytes, as 64-bit IR on the halves: one swap of
/// adjacent groups per doubling of the group size.
fn rev(cx: &mut Ctx, [d, n]: [u32; 2], size: u32, container: u32, q: bool) {
    let mut rs = Vec::with_capacity(2);
    for half in 0..if q { 2 } else { 1 } {
        let mut x = cx.b.get_reg(v_offset(n, half));
        let mut group = 8 << size;
        while group < 8 * container {
            // The low `group` bits of every 2·group-bit unit.
            let low = (0..64 / (2 * group)).fold(0u64, |m, i| m | mask(group) << (2 * group * i));
            let (k, sh) = (cx.imm(low), cx.imm(group as u64));
            let down = cx.b.lshr(x, sh);
            let down = cx.b.and(down, k);
            let up = cx.b.and(x, k);
            let up = cx.b.shl(up, sh);
            x = cx.b.or(down, up);
            group *= 2;
        }
        rs.push(x);
    }
    let hi = if q { rs[1] } else { cx.imm(0) };
    cx.b.set_reg(v_offset(d, 0), rs[0]);
    cx.b.set_reg(v_offset(d, 1), hi);
}

/// The three-same operations with a generic vector form (`ir::vector`),
/// which the JIT computes inline: add/sub, the compares, min/max and the
/// pairwise byte operations glibc's string functions loop on.
fn vector_three_same(u: bool, opc: u32, size: u32) -> Option<VecOp> {
    let small = size < 3;
    Some(match (u, opc) {
        (false, 0b10000) => VecOp::Add,
        (true, 0b10000) => VecOp::Sub,
        (true, 0b10001) => VecOp::CmpEq,
        (false, 0b00110) => VecOp::CmpGtS,
        (true, 0b00110) => VecOp::CmpGtU,
        (false, 0b00111) => VecOp::CmpGeS,
        (true, 0b00111) => VecOp::CmpGeU,
        (false, 0b01100) if small => VecOp::MaxS,
        (true, 0b01100) if small => VecOp::MaxU,
        (false, 0b01101) if small => VecOp::MinS,
        (true, 0b01101) if small => VecOp::MinU,
        (false, 0b10111) => VecOp::AddPair,
        (true, 0b10100) if small => VecOp::MaxPairU,
        (true, 0b10101) if small => VecOp::MinPairU,
        _ => return None,
    })
}

/// `d = op(n, m)` on the register file through [`VECTOR`]; `m` = None
/// compares against zero.
fn vector(cx: &mut Ctx, op: VecOp, size: u32, q: bool, m: Option<u32>, dn: [u32; 2]) {
    vector_shift(cx, op, size, q, m, dn, 0)
}

/// [`vector`] with a shift amount (the shifts, narrowing and widening).
fn vector_shift(
    cx: &mut Ctx,
    op: VecOp,
    size: u32,
    q: bool,
    m: Option<u32>,
    [d, n]: [u32; 2],
    shift: u32,
) {
    let args = VecArgs {
        op,
        size,
        q,
        zero_m: m.is_none(),
        shift,
    };
    let m = m.unwrap_or(n);
    let a = [
        args.pack(),
        v_offset(d, 0) as u64,
        v_offset(n, 0) as u64,
        v_offset(m, 0) as u64,
    ]
    .map(|c| cx.imm(c));
    cx.b.call(&VECTOR, &a);
}

/// Three different: widening, wide and narrowing-high operations.
fn three_diff_op(u: bool, opc: u32) -> Option<(Layout, Op)> {
    use Layout::{Long, Narrow, Wide};
    Some(match (u, opc) {
        (_, 0b0000) => (Long, Op::Add),
        (_, 0b0001) => (Wide, Op::Add),
        (_, 0b0010) => (Long, Op::Sub),
        (_, 0b0011) => (Wide, Op::Sub),
        (false, 0b0100) => (Narrow, Op::AddHN),
        (true, 0b0100) => (Narrow, Op::RAddHN),
        (_, 0b0101) => (Long, Op::Aba),
        (false, 0b0110) => (Narrow, Op::SubHN),
        (true, 0b0110) => (Narrow, Op::RSubHN),
        (_, 0b0111) => (Long, Op::Abd),
        (_, 0b1000) => (Long, Op::Mla),
        (false, 0b1001) => (Long, Op::QDMla),
        (_, 0b1010) => (Long, Op::Mls),
        (false, 0b1011) => (Long, Op::QDMls),
        (_, 0b1100) => (Long, Op::Mul),
        (false, 0b1101) => (Long, Op::QDMul),
        (false, 0b1110) => (Long, Op::PMul),
        _ => return None,
    })
}

fn three_diff(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (u, opc, size) = (insn.bit('u'), insn.get('o'), insn.get('s'));
    if opc == 0b1110 && !u && size == 3 {
        return super::crypto::pmull64(cx, insn);
    }
    let (layout, op) = three_diff_op(u, opc).ok_or(Illegal)?;
    let bad = match op {
        Op::QDMla | Op::QDMls | Op::QDMul => size == 0 || size == 3,
        Op::PMul => size != 0,
        _ => size == 3,
    };
    if bad {
        return Err(Illegal);
    }
    let mut e = Emit::new(insn, layout, op, size, !u);
    e.q = insn.bit('q');
    e.m = insn.get('m');
    e.emit(cx);
    Ok(())
}

/// SQDMLAL, SQDMLSL, SQDMULL (scalar).
fn scalar_three_diff(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('s');
    let op = match (insn.bit('u'), insn.get('o')) {
        (false, 0b1001) => Op::QDMla,
        (false, 0b1011) => Op::QDMls,
        (false, 0b1101) => Op::QDMul,
        _ => return Err(Illegal),
    };
    if size == 0 || size == 3 {
        return Err(Illegal);
    }
    let mut e = Emit::new(insn, Layout::Long, op, size, true);
    e.scalar = true;
    e.m = insn.get('m');
    e.emit(cx);
    Ok(())
}

/// Two-register misc: (layout, op, signed, size used, imm); `None` if
/// unallocated.
fn two_misc_op(u: bool, opc: u32, size: u32) -> Option<(Layout, Op, bool, u32)> {
    use Layout::{Long, Narrow, PairLong, Rev, Same};
    let small = size < 3;
    Some(match (u, opc) {
        (false, 0b00000) if small => (Rev, Op::None, false, 8),
        (true, 0b00000) if size < 2 => (Rev, Op::None, false, 4),
        (false, 0b00001) if size == 0 => (Rev, Op::None, false, 2),
        (_, 0b00010) if small => (PairLong, Op::Add, !u, 0),
        (false, 0b00011) => (Same, Op::SuqAdd, false, 0),
        (true, 0b00011) => (Same, Op::UsqAdd, false, 0),
        (false, 0b00100) if small => (Same, Op::Cls, true, 0),
        (true, 0b00100) if small => (Same, Op::Clz, false, 0),
        (false, 0b00101) if size == 0 => (Same, Op::Cnt, false, 0),
        (true, 0b00101) if size == 0 => (Same, Op::None, false, 0), // NOT
        (true, 0b00101) if size == 1 => (Same, Op::Rbit, false, 0),
        (_, 0b00110) if small => (PairLong, Op::AddAcc, !u, 0),
        (false, 0b00111) => (Same, Op::QAbs, true, 0),
        (true, 0b00111) => (Same, Op::QNeg, true, 0),
        (false, 0b01000) => (Same, Op::GtZ, true, 0),
        (true, 0b01000) => (Same, Op::GeZ, true, 0),
        (false, 0b01001) => (Same, Op::EqZ, true, 0),
        (true, 0b01001) => (Same, Op::LeZ, true, 0),
        (false, 0b01010) => (Same, Op::LtZ, true, 0),
        (false, 0b01011) => (Same, Op::Abs, true, 0),
        (true, 0b01011) => (Same, Op::Neg, true, 0),
        (false, 0b10010) if small => (Narrow, Op::ShrN, false, 0),
        (true, 0b10010) if small => (Narrow, Op::QShrUN, true, 0),
        (true, 0b10011) if small => (Long, Op::ShlImm, false, 8 << size),
        (_, 0b10100) if small => (Narrow, Op::QShrN, !u, 0),
        _ => return None,
    })
}

fn two_misc(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (u, opc, size, q) = (
        insn.bit('u'),
        field(insn, 16, 12),
        insn.get('s'),
        insn.bit('q'),
    );
    let (layout, op, signed, imm) = two_misc_op(u, opc, size).ok_or(Illegal)?;
    if size == 3 && !q && layout == Layout::Same {
        return Err(Illegal);
    }
    if layout == Layout::Same && op == Op::None {
        // NOT (MVN): plain IR.
        for half in 0..2 {
            let r = if half == 1 && !q {
                cx.imm(0)
            } else {
                let a = cx.b.get_reg(v_offset(insn.get('n'), half));
                cx.b.not(a)
            };
            cx.b.set_reg(v_offset(insn.get('d'), half), r);
        }
        return Ok(());
    }
    let (d, n) = (insn.get('d'), insn.get('n'));
    // Compares with zero and XTN: generic vector operations.
    let zero_compare = match op {
        Op::EqZ => Some(VecOp::CmpEq),
        Op::GtZ => Some(VecOp::CmpGtS),
        Op::GeZ => Some(VecOp::CmpGeS),
        _ => None,
    };
    if let Some(vop) = zero_compare {
        vector(cx, vop, size, q, None, [d, n]);
        return Ok(());
    }
    if layout == Layout::Narrow && op == Op::ShrN {
        vector_shift(cx, VecOp::ShiftRightNarrow, size, q, None, [d, n], 0);
        return Ok(());
    }
    if layout == Layout::Rev {
        rev(cx, [d, n], size, imm, q);
        return Ok(());
    }
    if layout == Layout::Long && op == Op::ShlImm {
        // SHLL: widening by the element size.
        vector_shift(cx, VecOp::WidenU, size, q, None, [d, n], imm);
        return Ok(());
    }
    // Narrowing ops name the narrow size; the byte ops work on bytes.
    let size = if matches!(op, Op::Cnt | Op::Rbit) {
        0
    } else {
        size
    };
    let mut e = Emit::new(insn, layout, op, size, signed);
    e.q = q;
    e.imm = imm;
    e.emit(cx);
    Ok(())
}

fn scalar_two_misc(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (u, opc, size) = (insn.bit('u'), field(insn, 16, 12), insn.get('s'));
    let (layout, op, signed, _) = two_misc_op(u, opc, size).ok_or(Illegal)?;
    let ok = match op {
        Op::SuqAdd | Op::UsqAdd | Op::QAbs | Op::QNeg | Op::QShrN | Op::QShrUN => true,
        Op::GtZ | Op::GeZ | Op::EqZ | Op::LeZ | Op::LtZ | Op::Abs | Op::Neg => size == 3,
        _ => false,
    };
    if !ok {
        return Err(Illegal);
    }
    let mut e = Emit::new(insn, layout, op, size, signed);
    e.scalar = true;
    e.emit(cx);
    Ok(())
}

fn across(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (u, size, q) = (insn.bit('u'), insn.get('s'), insn.bit('q'));
    let (layout, op) = match field(insn, 16, 12) {
        0b00011 => (Layout::AcrossLong, Op::Add),
        0b01010 => (Layout::Across, Op::Max),
        0b11010 => (Layout::Across, Op::Min),
        0b11011 if !u => (Layout::Across, Op::Add),
        _ => return Err(Illegal),
    };
    if size == 3 || (size == 2 && !q) {
        return Err(Illegal);
    }
    let mut e = Emit::new(insn, layout, op, size, !u);
    e.q = q;
    e.emit(cx);
    Ok(())
}

/// ADDP Dd, Vn.2D.
fn scalar_addp(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    if insn.get('s') != 3 {
        return Err(Illegal);
    }
    let n = insn.get('n');
    let a = cx.b.get_reg(v_offset(n, 0));
    let b = cx.b.get_reg(v_offset(n, 1));
    let r = cx.b.add(a, b);
    let zero = cx.imm(0);
    cx.b.set_reg(v_offset(insn.get('d'), 0), r);
    cx.b.set_reg(v_offset(insn.get('d'), 1), zero);
    Ok(())
}

/// Shifts by immediate: immh:immb's top set bit gives the element size
/// (of the narrow side for the narrowing shifts), the rest the shift.
fn shift_imm_op(
    u: bool,
    opc: u32,
    immhb: u32,
    scalar: bool,
) -> Option<(Layout, Op, bool, u32, u32)> {
    use Layout::{Long, Narrow, Same};
    if immhb >> 3 == 0 {
        return None; // modified immediate, decoded elsewhere
    }
    let size = 31 - (immhb >> 3).leading_zeros();
    let esize = 8u32 << size;
    let right = 2 * esize - immhb;
    let left = immhb - esize;
    let narrow = size < 3;
    let (layout, op, signed, amount) = match (u, opc) {
        (_, 0b00000) => (Same, Op::Shr, !u, right),
        (_, 0b00010) => (Same, Op::Sra, !u, right),
        (_, 0b00100) => (Same, Op::RShr, !u, right),
        (_, 0b00110) => (Same, Op::RSra, !u, right),
        (true, 0b01000) => (Same, Op::Sri, false, right),
        (false, 0b01010) => (Same, Op::ShlImm, false, left),
        (true, 0b01010) => (Same, Op::Sli, false, left),
        (true, 0b01100) => (Same, Op::QShlUImm, true, left),
        (_, 0b01110) => (Same, Op::QShlImm, !u, left),
        (false, 0b10000) if narrow && !scalar => (Narrow, Op::ShrN, false, right),
        (false, 0b10001) if narrow && !scalar => (Narrow, Op::RShrN, false, right),
        (true, 0b10000) if narrow => (Narrow, Op::QShrUN, true, right),
        (true, 0b10001) if narrow => (Narrow, Op::QRShrUN, true, right),
        (_, 0b10010) if narrow => (Narrow, Op::QShrN, !u, right),
        (_, 0b10011) if narrow => (Narrow, Op::QRShrN, !u, right),
        (_, 0b10100) if narrow && !scalar => (Long, Op::ShlImm, !u, left),
        _ => return None,
    };
    if scalar && layout == Same && size != 3 && !matches!(op, Op::QShlImm | Op::QShlUImm) {
        return None;
    }
    Some((layout, op, signed, size, amount))
}

fn shift_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let q = insn.bit('q');
    let (layout, op, signed, size, amount) =
        shift_imm_op(insn.bit('u'), field(insn, 15, 11), insn.get('i'), false).ok_or(Illegal)?;
    if size == 3 && !q && layout == Layout::Same {
        return Err(Illegal);
    }
    let dn = [insn.get('d'), insn.get('n')];
    let vop = match (layout, op, signed) {
        (Layout::Narrow, Op::ShrN, _) => Some(VecOp::ShiftRightNarrow),
        (Layout::Same, Op::Shr, true) => Some(VecOp::ShiftRightS),
        (Layout::Same, Op::Shr, false) => Some(VecOp::ShiftRightU),
        (Layout::Same, Op::ShlImm, _) => Some(VecOp::ShiftLeft),
        (Layout::Long, Op::ShlImm, true) => Some(VecOp::WidenS),
        (Layout::Long, Op::ShlImm, false) => Some(VecOp::WidenU),
        _ => None,
    };
    if let Some(vop) = vop {
        vector_shift(cx, vop, size, q, None, dn, amount);
        return Ok(());
    }
    let mut e = Emit::new(insn, layout, op, size, signed);
    e.q = q;
    e.imm = amount;
    e.emit(cx);
    Ok(())
}

fn scalar_shift_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (layout, op, signed, size, amount) =
        shift_imm_op(insn.bit('u'), field(insn, 15, 11), insn.get('i'), true).ok_or(Illegal)?;
    let mut e = Emit::new(insn, layout, op, size, signed);
    e.scalar = true;
    e.imm = amount;
    e.emit(cx);
    Ok(())
}

/// By element: `Vm.T[index]` as every lane's second operand.
fn by_elem_common(cx: &mut Ctx, insn: Insn, scalar: bool) -> Result<(), Illegal> {
    let (u, size) = (insn.bit('u'), insn.get('s'));
    let (layout, op) = match (u, field(insn, 15, 12)) {
        (true, 0b0000) => (Layout::Same, Op::Mla),
        (true, 0b0100) => (Layout::Same, Op::Mls),
        (false, 0b1000) => (Layout::Same, Op::Mul),
        (_, 0b0010) => (Layout::Long, Op::Mla),
        (_, 0b0110) => (Layout::Long, Op::Mls),
        (_, 0b1010) => (Layout::Long, Op::Mul),
        (false, 0b0011) => (Layout::Long, Op::QDMla),
        (false, 0b0111) => (Layout::Long, Op::QDMls),
        (false, 0b1011) => (Layout::Long, Op::QDMul),
        (false, 0b1100) => (Layout::Same, Op::QDMulH),
        (false, 0b1101) => (Layout::Same, Op::QRDMulH),
        _ => return Err(Illegal),
    };
    let saturating = matches!(
        op,
        Op::QDMla | Op::QDMls | Op::QDMul | Op::QDMulH | Op::QRDMulH
    );
    if scalar && !saturating {
        return Err(Illegal);
    }
    let (h, l, mhi) = (insn.get('h'), insn.get('l'), insn.get('k'));
    let (index, m) = match size {
        1 => (h << 2 | l << 1 | mhi, insn.get('m')),
        2 => (h << 1 | l, mhi << 4 | insn.get('m')),
        _ => return Err(Illegal),
    };
    let signed = !u || saturating;
    let mut e = Emit::new(insn, layout, op, size, signed);
    if scalar {
        e.scalar = true;
    } else {
        e.q = insn.bit('q');
    }
    e.m = m;
    e.index = Some(index);
    e.emit(cx);
    Ok(())
}

fn by_elem(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    by_elem_common(cx, insn, false)
}

fn scalar_by_elem(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    by_elem_common(cx, insn, true)
}

fn permute(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let kind = match insn.get('o') {
        0b001 => 0, // UZP1
        0b101 => 1, // UZP2
        0b011 => 2, // ZIP1
        0b111 => 3, // ZIP2
        0b010 => 4, // TRN1
        0b110 => 5, // TRN2
        _ => return Err(Illegal),
    };
    let (size, q) = (insn.get('s'), insn.bit('q'));
    if size == 3 && !q {
        return Err(Illegal);
    }
    let mut e = Emit::new(insn, Layout::Permute, Op::None, size, false);
    e.q = q;
    e.imm = kind;
    e.m = insn.get('m');
    e.emit(cx);
    Ok(())
}

fn ext(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (index, q) = (insn.get('i'), insn.bit('q'));
    if !q && index >= 8 {
        return Err(Illegal);
    }
    // Bytes index.. of n:m (the low halves only for 64-bit), as 64-bit IR:
    // each result half is a funnel shift of two adjacent source words.
    let (d, n, m) = (insn.get('d'), insn.get('n'), insn.get('m'));
    let words: Vec<Value> = if q {
        [(n, 0), (n, 1), (m, 0), (m, 1)]
            .iter()
            .map(|&(r, h)| cx.b.get_reg(v_offset(r, h)))
            .collect()
    } else {
        [n, m]
            .iter()
            .map(|&r| cx.b.get_reg(v_offset(r, 0)))
            .collect()
    };
    let mut out = Vec::with_capacity(2);
    for half in 0..if q { 2 } else { 1 } {
        let bit = 8 * index + 64 * half;
        let (k, r) = ((bit / 64) as usize, bit % 64);
        let v = if r == 0 {
            words[k]
        } else {
            let (sr, sl) = (cx.imm(r as u64), cx.imm(64 - r as u64));
            let lo = cx.b.lshr(words[k], sr);
            let hi = cx.b.shl(words[k + 1], sl);
            cx.b.or(lo, hi)
        };
        out.push(v);
    }
    let hi = if q { out[1] } else { cx.imm(0) };
    cx.b.set_reg(v_offset(d, 0), out[0]);
    cx.b.set_reg(v_offset(d, 1), hi);
    Ok(())
}

/// TBL/TBX Vd, {Vn..Vn+len}, Vm: bytes indexed in the table; indices out
/// of range give 0 (TBL) or keep Vd's byte (TBX).
fn tbl(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let mut e = Emit::new(insn, Layout::Tbl, Op::None, 0, false);
    e.q = insn.bit('q');
    e.imm = insn.get('l') | (insn.get('o') << 2);
    e.m = insn.get('m');
    e.emit(cx);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cpu: &mut Cpu, e: Emit) {
        let state = cpu as *mut Cpu as *mut u8;
        let shape = e.q as u64
            | (e.size as u64) << 1
            | (e.scalar as u64) << 3
            | (e.signed as u64) << 4
            | (e.index.is_some() as u64) << 5
            | (e.imm as u64) << 16
            | (e.index.unwrap_or(0) as u64) << 24;
        unsafe {
            int_op(
                state,
                (e.d | e.n << 5 | e.m << 10) as u64,
                shape,
                e.op as u64 | (e.layout as u64) << 8,
                0,
            )
        };
    }

    /// d = 0, n = 1, m = 2.
    fn op(layout: Layout, op: Op, size: u32, signed: bool, q: bool) -> Emit {
        Emit {
            layout,
            op,
            size,
            signed,
            scalar: false,
            q,
            imm: 0,
            index: None,
            d: 0,
            n: 1,
            m: 2,
        }
    }

    #[test]
    fn saturating_add_and_sub_clamp_and_set_qc() {
        let mut cpu = Cpu::default();
        cpu.vreg[1] = [0x7f80_0102_fe01_7f00, 0];
        cpu.vreg[2] = [0x0180_ff02_0302_0101, 0];
        // sqadd v0.8b: 0x7f + 1 saturates to 0x7f, 0x80 + 0x80 to 0x80.
        run(&mut cpu, op(Layout::Same, Op::QAdd, 0, true, false));
        assert_eq!(cpu.vreg[0], [0x7f80_0004_0103_7f01, 0]);
        assert_eq!(cpu.fpsr, FPSR_QC);
        cpu.fpsr = 0;
        // uqadd v0.8b: 0xfe + 3 and 0x80 + 0x80 saturate to 0xff.
        run(&mut cpu, op(Layout::Same, Op::QAdd, 0, false, false));
        assert_eq!(cpu.vreg[0], [0x80ff_ff04_ff03_8001, 0]);
        assert_eq!(cpu.fpsr, FPSR_QC);
        cpu.fpsr = 0;
        // uqsub v0.8b: below zero clamps to 0.
        run(&mut cpu, op(Layout::Same, Op::QSub, 0, false, false));
        assert_eq!(cpu.vreg[0], [0x7e00_0000_fb00_7e00, 0]);
        assert_eq!(cpu.fpsr, FPSR_QC);
        // No saturation leaves QC alone (it is sticky, never cleared).
        cpu.fpsr = 0;
        cpu.vreg[1] = [0x0101, 0];
        cpu.vreg[2] = [0x0101, 0];
        run(&mut cpu, op(Layout::Same, Op::QAdd, 1, true, true));
        assert_eq!((cpu.vreg[0], cpu.fpsr), ([0x0202, 0], 0));
    }

    #[test]
    fn rounding_shifts_round_half_up() {
        let mut cpu = Cpu::default();
        // srshr v0.4s, v1.4s, #2: -5/4 = -1.25 -> -1, 6/4 = 1.5 -> 2.
        cpu.vreg[1] = [0x0000_0006_ffff_fffb, 0x8000_0000_7fff_ffff];
        let mut e = op(Layout::Same, Op::RShr, 2, true, true);
        e.imm = 2;
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0x0000_0002_ffff_ffff, 0xe000_0000_2000_0000]);
        // urshl v0.2d by -1 and by +1.
        cpu.vreg[1] = [3, u64::MAX];
        cpu.vreg[2] = [0xff, 1];
        run(&mut cpu, op(Layout::Same, Op::RShl, 3, false, true));
        assert_eq!(cpu.vreg[0], [2, u64::MAX - 1]);
        // sqshl v0.2d by 1: u64::MAX is -1 (fine), 0x4000.. overflows.
        cpu.vreg[1] = [0x4000_0000_0000_0000, u64::MAX];
        cpu.vreg[2] = [1, 1];
        run(&mut cpu, op(Layout::Same, Op::QShl, 3, true, true));
        assert_eq!(cpu.vreg[0], [0x7fff_ffff_ffff_ffff, u64::MAX - 1]);
        assert_eq!(cpu.fpsr, FPSR_QC);
        // sshl by -64 (and beyond) fills with the sign.
        cpu.vreg[2] = [0xc0, 0x80];
        cpu.vreg[1] = [0x8000_0000_0000_0000, 0x8000_0000_0000_0000];
        run(&mut cpu, op(Layout::Same, Op::Shl, 3, true, true));
        assert_eq!(cpu.vreg[0], [u64::MAX, u64::MAX]);
    }

    #[test]
    fn narrowing_saturates_and_the_2_forms_keep_the_low_half() {
        let mut cpu = Cpu::default();
        // sqxtn v0.8b, v1.8h: 0x0100 -> 0x7f, 0xff00 (-256) -> 0x80.
        cpu.vreg[1] = [0x0005_ff00_0100_fffe, 0x7fff_8000_007f_ff80];
        run(&mut cpu, op(Layout::Narrow, Op::QShrN, 0, true, false));
        assert_eq!(cpu.vreg[0], [0x7f80_7f80_0580_7ffe, 0]);
        // sqxtun2 v0.16b, v1.8h: negatives -> 0, big -> 0xff; low half kept.
        cpu.fpsr = 0;
        run(&mut cpu, op(Layout::Narrow, Op::QShrUN, 0, true, true));
        assert_eq!(cpu.vreg[0], [0x7f80_7f80_0580_7ffe, 0xff00_7f00_0500_ff00]);
        assert_eq!(cpu.fpsr, FPSR_QC);
        // rshrn v0.8b, v1.8h, #8: rounding.
        let mut e = op(Layout::Narrow, Op::RShrN, 0, false, false);
        e.imm = 8;
        cpu.vreg[1] = [0x0080_007f_0180_ffff, 0];
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0x0100_0200, 0]);
        // addhn v0.4h, v1.4s, v2.4s: high halves of the sums.
        cpu.vreg[1] = [0x0001_8000_ffff_ffff, 0];
        cpu.vreg[2] = [0x0000_8000_0000_0001, 0];
        run(&mut cpu, op(Layout::Narrow, Op::AddHN, 1, false, false));
        assert_eq!(cpu.vreg[0], [0x0002_0000, 0]);
    }

    #[test]
    fn pairwise_and_long_operations() {
        let mut cpu = Cpu::default();
        // smaxp v0.8b: pairs of n then m.
        cpu.vreg[1] = [0x0102_80ff_7f00_fe03, 0];
        cpu.vreg[2] = [0x0000_0000_0000_0504, 0];
        run(&mut cpu, op(Layout::Pair, Op::Max, 0, true, false));
        assert_eq!(cpu.vreg[0], [0x0000_0005_02ff_7f03, 0]);
        // saddlp v0.4h, v1.8b: signed pairs widened.
        run(&mut cpu, op(Layout::PairLong, Op::Add, 0, true, false));
        assert_eq!(cpu.vreg[0], [0x0003_ff7f_007f_0001, 0]);
        // uaddlv h0, v1.8b.
        run(&mut cpu, op(Layout::AcrossLong, Op::Add, 0, false, false));
        assert_eq!(cpu.vreg[0], [0x0302, 0]);
        // smull2 v0.4s, v1.8h, v2.8h: the high halves multiplied.
        cpu.vreg[1] = [0, 0x7fff_8000_0002_fffd];
        cpu.vreg[2] = [0, 0x7fff_8000_0003_0004];
        run(&mut cpu, op(Layout::Long, Op::Mul, 1, true, true));
        assert_eq!(cpu.vreg[0], [0x0000_0006_ffff_fff4, 0x3fff_0001_4000_0000]);
        // sqdmull v0.4s: -32768 * -32768 * 2 saturates.
        cpu.fpsr = 0;
        run(&mut cpu, op(Layout::Long, Op::QDMul, 1, true, true));
        assert_eq!(cpu.vreg[0][1], 0x7ffe_0002_7fff_ffff);
        assert_eq!(cpu.fpsr, FPSR_QC);
        // pmull v0.8h, v1.8b, v2.8b: carry-less products.
        cpu.vreg[1] = [0x0000_0000_0000_ff03, 0];
        cpu.vreg[2] = [0x0000_0000_0000_ff03, 0];
        run(&mut cpu, op(Layout::Long, Op::PMul, 0, false, false));
        assert_eq!(cpu.vreg[0], [0x5555_0005, 0]);
    }

    #[test]
    fn table_lookups_out_of_range() {
        let mut cpu = Cpu::default();
        cpu.vreg[1] = [0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908];
        cpu.vreg[2] = [0x1716_1514_1312_1110, 0x1f1e_1d1c_1b1a_1918];
        cpu.vreg[3] = [0x00_1f_10_0f_20_ff_01_00, 0];
        cpu.vreg[0] = [0xaaaa_aaaa_aaaa_aaaa; 2];
        // tbl v0.8b, {v1.16b}, v3.8b: 0x10 and up -> 0.
        let mut e = op(Layout::Tbl, Op::None, 0, false, false);
        e.m = 3;
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0x0000_000f_0000_0100, 0]);
        // tbx v0.8b, {v1.16b, v2.16b}, v3.8b: keeps v0's bytes past 0x1f.
        cpu.vreg[0] = [0xaaaa_aaaa_aaaa_aaaa; 2];
        e.imm = 1 | 4;
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0x001f_100f_aaaa_0100, 0]);
    }

    #[test]
    fn by_element_and_misc() {
        let mut cpu = Cpu::default();
        // mul v0.8h, v1.8h, v2.h[5].
        cpu.vreg[1] = [0x0004_0003_0002_0001, 0xffff_0000_0010_0100];
        cpu.vreg[2] = [0, 0x0000_0003_0000_0000];
        let mut e = op(Layout::Same, Op::Mul, 1, false, true);
        e.index = Some(6);
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0x000c_0009_0006_0003, 0xfffd_0000_0030_0300]);
        // cls/clz on bytes.
        cpu.vreg[1] = [0x00ff_0180_7f3f, 0];
        run(&mut cpu, op(Layout::Same, Op::Cls, 0, true, false));
        assert_eq!(cpu.vreg[0], [0x0707_0707_0600_0001, 0]);
        run(&mut cpu, op(Layout::Same, Op::Clz, 0, false, false));
        assert_eq!(cpu.vreg[0], [0x0808_0800_0700_0102, 0]);
        // sri v0.8b, v1.8b, #4 / sli #4.
        cpu.vreg[0] = [0xabab, 0];
        cpu.vreg[1] = [0x1234, 0];
        let mut e = op(Layout::Same, Op::Sri, 0, false, false);
        e.imm = 4;
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0xa1a3, 0]);
        e.op = Op::Sli;
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0x2143, 0]);
        // rev16 on bytes, abs/neg of the most negative.
        cpu.vreg[1] = [0x8000_0102, 0];
        let mut e = op(Layout::Rev, Op::None, 0, false, false);
        e.imm = 2;
        run(&mut cpu, e);
        assert_eq!(cpu.vreg[0], [0x0080_0201, 0]);
        cpu.fpsr = 0;
        run(&mut cpu, op(Layout::Same, Op::QAbs, 1, true, false));
        assert_eq!((cpu.vreg[0], cpu.fpsr), ([0x7fff_0102, 0], FPSR_QC));
        run(&mut cpu, op(Layout::Same, Op::Neg, 1, true, false));
        assert_eq!(cpu.vreg[0], [0x8000_fefe, 0]);
    }
}
