//! Scalar floating point in half, single and double precision (the
//! manual's "Floating-point data-processing" and "Conversion between
//! floating-point and integer" groups, less the single and double FMOV
//! bit moves simd.rs has), and the Arm FP arithmetic both it and
//! simd_fp.rs compute with.
//!
//! Every instruction is one call of the `a64_fp` helper, which reads its
//! operands from the CPU state and writes its result there (a call is a
//! barrier for the IR passes). The arithmetic is Berkeley SoftFloat's,
//! wrapped in the Arm rules SoftFloat's RISC-V specialisation does not
//! have: NaN propagation (FPProcessNaNs: first signalling NaN, quieted,
//! else first quiet NaN; DN gives the default NaN), FZ flushing of inputs
//! (IDC) and outputs (UFC, no IXC) and FZ16 for halves, tininess detected
//! before rounding, FMAXNM/FMINNM preferring a number to a quiet NaN,
//! conversions to integers giving 0 for NaN, and the FRECPE/FRSQRTE
//! estimates.

use super::super::cpu::{v_offset, Cpu, FPCR_OFFSET, FPSR_OFFSET};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{FpFlavor, FpInline, FpOp, Helper};
use softfloat_sys as sf;

pub const TABLE: &[Pattern] = crate::a64_table! {
    "00011110tt10000oo10000nnnnnddddd" fp_unary => fp_unary;
    "00011110tt10001oo10000nnnnnddddd" fcvt => fcvt;
    "00011110tt1001ooo10000nnnnnddddd" frint => frint;
    "00011110tt1mmmmm001000nnnnnez000" fcmp => fcmp;
    "00011110tt1mmmmmcccc01nnnnneffff" fccmp => fccmp;
    "00011110tt1mmmmmoooo10nnnnnddddd" fp_binary => fp_binary;
    "00011110tt1mmmmmcccc11nnnnnddddd" fcsel => fcsel;
    "00011110tt1iiiiiiii10000000ddddd" fmov_imm => fmov_imm;
    "00011111ttommmmmpaaaaannnnnddddd" fmadd => fmadd;
    "z0011110tt000010ssssssnnnnnddddd" scvtf_fixed => cvtf_fixed;
    "z0011110tt000011ssssssnnnnnddddd" ucvtf_fixed => cvtf_fixed;
    "z0011110tt011000ssssssnnnnnddddd" fcvtzs_fixed => fcvtz_fixed;
    "z0011110tt011001ssssssnnnnnddddd" fcvtzu_fixed => fcvtz_fixed;
    "z0011110tt100010000000nnnnnddddd" scvtf => cvtf;
    "z0011110tt100011000000nnnnnddddd" ucvtf => cvtf;
    "z0011110tt1rr000000000nnnnnddddd" fcvt_s => fcvt_int;
    "z0011110tt1rr001000000nnnnnddddd" fcvt_u => fcvt_int;
    "z0011110tt100100000000nnnnnddddd" fcvtas => fcvt_int;
    "z00111101110011o000000nnnnnddddd" fmov_half => fmov_half;
    "z0011110tt100101000000nnnnnddddd" fcvtau => fcvt_int;
};

// ---------------------------------------------------------------------------
// The formats.

/// FPSR cumulative exception bits.
pub const IOC: u64 = 1;
pub const DZC: u64 = 2;
pub const OFC: u64 = 4;
pub const UFC: u64 = 8;
pub const IXC: u64 = 16;
pub const IDC: u64 = 128;

/// FPCR bits.
const FPCR_FZ16: u64 = 1 << 19;
const FPCR_FZ: u64 = 1 << 24;
const FPCR_DN: u64 = 1 << 25;
const FPCR_AHP: u64 = 1 << 26;

/// A floating-point format: half, single or double precision.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Prec {
    H,
    S,
    D,
}

impl Prec {
    /// The format of an FP instruction's `ptype` field (1x: 10 is reserved).
    pub fn from_ptype(t: u32) -> Option<Prec> {
        match t {
            0 => Some(Prec::S),
            1 => Some(Prec::D),
            3 => Some(Prec::H),
            _ => None,
        }
    }
    /// The format of an Advanced SIMD `sz` bit.
    pub fn from_sz(sz: u32) -> Prec {
        if sz == 0 {
            Prec::S
        } else {
            Prec::D
        }
    }
    pub fn bits(self) -> u32 {
        match self {
            Prec::H => 16,
            Prec::S => 32,
            Prec::D => 64,
        }
    }
    pub fn mask(self) -> u64 {
        u64::MAX >> (64 - self.bits())
    }
    fn frac_bits(self) -> u32 {
        match self {
            Prec::H => 10,
            Prec::S => 23,
            Prec::D => 52,
        }
    }
    pub fn sign(self) -> u64 {
        1 << (self.bits() - 1)
    }
    fn exp_max(self) -> u64 {
        (1 << (self.bits() - 1 - self.frac_bits())) - 1
    }
    fn bias(self) -> u64 {
        self.exp_max() >> 1
    }
    fn exp(self, x: u64) -> u64 {
        (x >> self.frac_bits()) & self.exp_max()
    }
    fn frac(self, x: u64) -> u64 {
        x & ((1 << self.frac_bits()) - 1)
    }
    fn quiet(self) -> u64 {
        1 << (self.frac_bits() - 1)
    }
    pub fn is_nan(self, x: u64) -> bool {
        self.exp(x) == self.exp_max() && self.frac(x) != 0
    }
    pub fn is_snan(self, x: u64) -> bool {
        self.is_nan(x) && x & self.quiet() == 0
    }
    fn is_qnan(self, x: u64) -> bool {
        self.is_nan(x) && x & self.quiet() != 0
    }
    fn is_inf(self, x: u64) -> bool {
        self.exp(x) == self.exp_max() && self.frac(x) == 0
    }
    fn is_zero(self, x: u64) -> bool {
        x & !self.sign() == 0
    }
    fn is_denormal(self, x: u64) -> bool {
        self.exp(x) == 0 && self.frac(x) != 0
    }
    fn is_neg(self, x: u64) -> bool {
        x & self.sign() != 0
    }
    pub fn default_nan(self) -> u64 {
        self.exp_max() << self.frac_bits() | self.quiet()
    }
    fn inf(self, neg: bool) -> u64 {
        self.exp_max() << self.frac_bits() | if neg { self.sign() } else { 0 }
    }
    fn zero(self, neg: bool) -> u64 {
        if neg {
            self.sign()
        } else {
            0
        }
    }
    fn max_normal(self, neg: bool) -> u64 {
        self.inf(neg) - 1
    }
    /// 2^e, for exponents of normal numbers.
    fn pow2(self, e: i64) -> u64 {
        ((self.bias() as i64 + e) as u64) << self.frac_bits()
    }
    /// 1.5, 2.0 and 3.0 (the FRSQRTS/FRECPS constants).
    fn one_point_five(self) -> u64 {
        self.pow2(0) | 1 << (self.frac_bits() - 1)
    }
    fn two(self) -> u64 {
        self.pow2(1)
    }
    fn three(self) -> u64 {
        self.pow2(1) | 1 << (self.frac_bits() - 1)
    }
    /// A value ordered as its number (not NaN; both zeros are 0).
    fn key(self, x: u64) -> i64 {
        let mag = (x & !self.sign()) as i64;
        if self.is_neg(x) {
            -mag
        } else {
            mag
        }
    }
}

// SoftFloat calls on raw bit patterns of format `p`.
macro_rules! sf_un {
    ($p:expr, $a:expr, $h:ident, $s:ident, $d:ident $(, $extra:expr)*) => {
        match $p {
            Prec::H => sf::$h(sf::float16_t { v: $a as u16 } $(, $extra)*).v as u64,
            Prec::S => sf::$s(sf::float32_t { v: $a as u32 } $(, $extra)*).v as u64,
            Prec::D => sf::$d(sf::float64_t { v: $a } $(, $extra)*).v,
        }
    };
}
macro_rules! sf_bin {
    ($p:expr, $a:expr, $b:expr, $h:ident, $s:ident, $d:ident) => {
        match $p {
            Prec::H => {
                sf::$h(
                    sf::float16_t { v: $a as u16 },
                    sf::float16_t { v: $b as u16 },
                )
                .v as u64
            }
            Prec::S => {
                sf::$s(
                    sf::float32_t { v: $a as u32 },
                    sf::float32_t { v: $b as u32 },
                )
                .v as u64
            }
            Prec::D => sf::$d(sf::float64_t { v: $a }, sf::float64_t { v: $b }).v,
        }
    };
}
macro_rules! sf_to_int {
    ($p:expr, $a:expr, $h:ident, $s:ident, $d:ident, $mode:expr) => {
        match $p {
            Prec::H => sf::$h(sf::float16_t { v: $a as u16 }, $mode, true) as u64,
            Prec::S => sf::$s(sf::float32_t { v: $a as u32 }, $mode, true) as u64,
            Prec::D => sf::$d(sf::float64_t { v: $a }, $mode, true) as u64,
        }
    };
}
macro_rules! sf_from_int {
    ($p:expr, $v:expr, $h:ident, $s:ident, $d:ident) => {
        match $p {
            Prec::H => sf::$h($v).v as u64,
            Prec::S => sf::$s($v).v as u64,
            Prec::D => sf::$d($v).v,
        }
    };
}

/// Arm rounding modes, as FPCR.RMode numbers them.
pub const RN: u32 = 0;
pub const RP: u32 = 1;
pub const RM: u32 = 2;
pub const RZ: u32 = 3;
/// To nearest with ties away (FCVTA*, FRINTA).
pub const RA: u32 = 4;
/// Round to odd (FCVTXN).
pub const RO: u32 = 5;

fn softfloat_mode(mode: u32) -> u8 {
    match mode {
        RN => sf::softfloat_round_near_even,
        RP => sf::softfloat_round_max,
        RM => sf::softfloat_round_min,
        RZ => sf::softfloat_round_minMag,
        RA => sf::softfloat_round_near_maxMag,
        _ => sf::softfloat_round_odd,
    }
}

// ---------------------------------------------------------------------------
// Arm FP arithmetic.

/// The FP environment of one instruction: FPCR in, FPSR flags out.
pub struct Env {
    pub fpcr: u64,
    /// Cumulative exception bits raised (ORed into FPSR by the caller).
    pub flags: u64,
}

/// The host's IEEE arithmetic for the common case (QEMU's "hardfloat"
/// idea): add, subtract, multiply and divide of normal or zero operands,
/// rounding to nearest, whose result is normal (or an exact zero). The
/// host rounds exactly as the architecture does there, and no flag but
/// IXC can arise, which the exact error term of the operation decides.
/// None for everything else (SoftFloat computes it).
macro_rules! host_binary {
    ($t:ty, $bits:ty, $op:expr, $a:expr, $b:expr) => {{
        let (a, b) = (<$t>::from_bits($a as $bits), <$t>::from_bits($b as $bits));
        let plain = |x: $t| x == 0.0 || x.is_normal();
        if !plain(a) || !plain(b) || ($op == Bin::Div && b == 0.0) {
            return None;
        }
        let (r, err) = match $op {
            Bin::Add | Bin::Sub => {
                let b = if $op == Bin::Sub { -b } else { b };
                let r = a + b;
                // TwoSum: a + b = r + err exactly.
                let bb = r - a;
                (r, (a - (r - bb)) + (b - bb))
            }
            Bin::Mul => {
                let r = a * b;
                (r, a.mul_add(b, -r))
            }
            _ => {
                let r = a / b;
                (r, r.mul_add(-b, a))
            }
        };
        // A zero result is exact only when it cancels or an operand is 0.
        let exact_zero = r == 0.0 && (matches!($op, Bin::Add | Bin::Sub) || a == 0.0 || b == 0.0);
        if !(r.is_normal() || exact_zero) {
            return None;
        }
        // The product's and the quotient's error terms are exact only away
        // from the subnormal range: they are below |r| (or |a|) · 2^-mant.
        let far = |x: $t| {
            x == 0.0
                || x.abs()
                    >= <$t>::MIN_POSITIVE * (2.0 as $t).powi(<$t>::MANTISSA_DIGITS as i32 + 2)
        };
        if ($op == Bin::Mul && !far(r)) || ($op == Bin::Div && !(far(a) && far(r))) {
            return None;
        }
        (r.to_bits() as u64, err != 0.0)
    }};
}

/// The two-operand operations.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Bin {
    Mul,
    Div,
    Add,
    Sub,
    Max,
    Min,
    MaxNm,
    MinNm,
    /// FNMUL: the negated product (NaN results too).
    NMul,
    /// FMULX: FMUL with ±∞ × ±0 = ±2.
    MulX,
    /// FABD: |a - b|.
    Abd,
    /// FRECPS: 2 - a·b, fused.
    RecpS,
    /// FRSQRTS: (3 - a·b) / 2, fused.
    RsqrtS,
}

impl Env {
    pub fn new(fpcr: u64) -> Env {
        Env { fpcr, flags: 0 }
    }

    /// [`host_binary!`] when it applies.
    fn host_binary(&mut self, p: Prec, op: Bin, a: u64, b: u64) -> Option<u64> {
        if self.rmode() != 0 || !matches!(op, Bin::Add | Bin::Sub | Bin::Mul | Bin::Div) {
            return None;
        }
        let (r, inexact) = match p {
            Prec::D => host_binary!(f64, u64, op, a, b),
            Prec::S => host_binary!(f32, u32, op, a, b),
            Prec::H => return None,
        };
        if inexact {
            self.flags |= IXC;
        }
        Some(r)
    }

    /// FPCR.RMode.
    pub fn rmode(&self) -> u32 {
        (self.fpcr >> 22 & 3) as u32
    }

    /// Flushing to zero: FZ16 for halves, FZ for the others.
    fn fz(&self, p: Prec) -> bool {
        let bit = if p == Prec::H { FPCR_FZ16 } else { FPCR_FZ };
        self.fpcr & bit != 0
    }

    /// FPUnpack's flushing: with FZ, a denormal input is a zero (IDC);
    /// with FZ16, a denormal half (silently).
    pub fn input(&mut self, p: Prec, x: u64) -> u64 {
        if self.fz(p) && p.is_denormal(x) {
            if p != Prec::H {
                self.flags |= IDC;
            }
            x & p.sign()
        } else {
            x
        }
    }

    /// Runs SoftFloat code in rounding mode `mode` and returns its result
    /// with the flags it raised (in FPSR bits).
    fn softfloat(&mut self, mode: u32, f: impl FnOnce(u8) -> u64) -> (u64, u64) {
        let m = softfloat_mode(mode);
        // SAFETY: SoftFloat's environment is thread-local state.
        unsafe {
            let tininess = sf::softfloat_detectTininess_read_helper();
            sf::softfloat_detectTininess_write_helper(sf::softfloat_tininess_beforeRounding as _);
            sf::softfloat_roundingMode_write_helper(m as _);
            sf::softfloat_exceptionFlags_write_helper(0);
            let r = f(m);
            let raised = sf::softfloat_exceptionFlags_read_helper() as u8;
            sf::softfloat_detectTininess_write_helper(tininess);
            let map = [
                (sf::softfloat_flag_invalid, IOC),
                (sf::softfloat_flag_infinite, DZC),
                (sf::softfloat_flag_overflow, OFC),
                (sf::softfloat_flag_underflow, UFC),
                (sf::softfloat_flag_inexact, IXC),
            ];
            let flags = map
                .iter()
                .filter(|(s, _)| raised & s != 0)
                .fold(0, |acc, (_, a)| acc | a);
            (r, flags)
        }
    }

    /// A rounded result of format `p` (FPRound): with FZ, a result tiny
    /// before rounding is a zero raising only UFC.
    fn round(&mut self, p: Prec, mode: u32, f: impl FnOnce(u8) -> u64) -> u64 {
        let (r, flags) = self.softfloat(mode, f);
        if self.fz(p) && (flags & UFC != 0 || p.is_denormal(r)) {
            self.flags |= (flags & !(UFC | IXC)) | UFC;
            return r & p.sign();
        }
        self.flags |= flags;
        r
    }

    /// FPProcessNaN: a signalling NaN is quieted (IOC); DN gives the
    /// default NaN.
    pub fn process_nan(&mut self, p: Prec, x: u64) -> u64 {
        let mut r = x;
        if p.is_snan(x) {
            self.flags |= IOC;
            r |= p.quiet();
        }
        if self.fpcr & FPCR_DN != 0 {
            p.default_nan()
        } else {
            r
        }
    }

    /// FPProcessNaNs(3): signalling NaNs first, then quiet ones, each in
    /// operand order.
    fn nans(&mut self, p: Prec, ops: &[u64]) -> Option<u64> {
        let x = ops
            .iter()
            .find(|&&x| p.is_snan(x))
            .or_else(|| ops.iter().find(|&&x| p.is_nan(x)))?;
        Some(self.process_nan(p, *x))
    }

    pub fn binary(&mut self, p: Prec, op: Bin, a: u64, b: u64) -> u64 {
        if let Some(r) = self.host_binary(p, op, a, b) {
            return r;
        }
        let mode = self.rmode();
        match op {
            Bin::NMul => return self.binary(p, Bin::Mul, a, b) ^ p.sign(),
            Bin::Abd => return self.binary(p, Bin::Sub, a, b) & !p.sign(),
            Bin::RecpS => return self.step(p, a, b, false),
            Bin::RsqrtS => return self.step(p, a, b, true),
            _ => {}
        }
        let (mut a, mut b) = (self.input(p, a), self.input(p, b));
        // FPMaxNum/FPMinNum: a lone quiet NaN loses against anything.
        if matches!(op, Bin::MaxNm | Bin::MinNm) {
            let other_inf = p.inf(op == Bin::MaxNm);
            if p.is_qnan(a) && !p.is_qnan(b) {
                a = other_inf;
            } else if p.is_qnan(b) && !p.is_qnan(a) {
                b = other_inf;
            }
        }
        if let Some(n) = self.nans(p, &[a, b]) {
            return n;
        }
        // SAFETY (all SoftFloat calls): plain functions of their operands.
        unsafe {
            match op {
                Bin::Mul => self.round(p, mode, |_| sf_bin!(p, a, b, f16_mul, f32_mul, f64_mul)),
                Bin::MulX if (p.is_inf(a) && p.is_zero(b)) || (p.is_zero(a) && p.is_inf(b)) => {
                    p.two() | ((a ^ b) & p.sign())
                }
                Bin::MulX => self.round(p, mode, |_| sf_bin!(p, a, b, f16_mul, f32_mul, f64_mul)),
                Bin::Div => self.round(p, mode, |_| sf_bin!(p, a, b, f16_div, f32_div, f64_div)),
                Bin::Add => self.round(p, mode, |_| sf_bin!(p, a, b, f16_add, f32_add, f64_add)),
                Bin::Sub => self.round(p, mode, |_| sf_bin!(p, a, b, f16_sub, f32_sub, f64_sub)),
                _ => {
                    let max = matches!(op, Bin::Max | Bin::MaxNm);
                    if p.is_zero(a) && p.is_zero(b) {
                        // The most positive zero for max, negative for min.
                        return if max { a & b } else { a | b };
                    }
                    let a_bigger = p.key(a) > p.key(b);
                    if a_bigger == max {
                        a
                    } else {
                        b
                    }
                }
            }
        }
    }

    pub fn sqrt(&mut self, p: Prec, a: u64) -> u64 {
        let a = self.input(p, a);
        if p.is_nan(a) {
            return self.process_nan(p, a);
        }
        let mode = self.rmode();
        // SAFETY: a plain function of its operand.
        unsafe { self.round(p, mode, |_| sf_un!(p, a, f16_sqrt, f32_sqrt, f64_sqrt)) }
    }

    /// FPMulAdd: `acc + n·m` with one rounding (callers negate operands
    /// for the subtracting forms, before NaN selection as the manual does).
    pub fn mul_add(&mut self, p: Prec, acc: u64, n: u64, m: u64) -> u64 {
        let (acc, n, m) = (self.input(p, acc), self.input(p, n), self.input(p, m));
        let inf_times_zero = (p.is_inf(n) && p.is_zero(m)) || (p.is_zero(n) && p.is_inf(m));
        if let Some(r) = self.nans(p, &[acc, n, m]) {
            if p.is_qnan(acc) && inf_times_zero {
                self.flags |= IOC;
                return p.default_nan();
            }
            return r;
        }
        let mode = self.rmode();
        // SAFETY: a plain function of its operands.
        unsafe {
            self.round(p, mode, |_| match p {
                Prec::H => {
                    let f = |x: u64| sf::float16_t { v: x as u16 };
                    sf::f16_mulAdd(f(n), f(m), f(acc)).v as u64
                }
                Prec::S => {
                    let f = |x: u64| sf::float32_t { v: x as u32 };
                    sf::f32_mulAdd(f(n), f(m), f(acc)).v as u64
                }
                Prec::D => {
                    let f = |x: u64| sf::float64_t { v: x };
                    sf::f64_mulAdd(f(n), f(m), f(acc)).v
                }
            })
        }
    }

    /// FRECPS (2 - a·b) and FRSQRTS ((3 - a·b) / 2), fused, with
    /// ∞ × 0 giving 2 and 1.5.
    fn step(&mut self, p: Prec, a: u64, b: u64, rsqrt: bool) -> u64 {
        let na = self.input(p, a ^ p.sign());
        let b = self.input(p, b);
        if let Some(r) = self.nans(p, &[na, b]) {
            return r;
        }
        if (p.is_inf(na) && p.is_zero(b)) || (p.is_zero(na) && p.is_inf(b)) {
            return if rsqrt { p.one_point_five() } else { p.two() };
        }
        if !rsqrt {
            return self.mul_add(p, p.two(), na, b);
        }
        // (3 + x·y) / 2 = 1.5 + x·(y/2), y/2 exact while y is not tiny.
        if p.exp(b) > 1 && !p.is_inf(b) {
            self.mul_add(p, p.one_point_five(), na, b - (1 << p.frac_bits()))
        } else if p.exp(na) > 1 && !p.is_inf(na) {
            self.mul_add(p, p.one_point_five(), na - (1 << p.frac_bits()), b)
        } else {
            let r = self.mul_add(p, p.three(), na, b);
            self.binary(p, Bin::Mul, r, p.pow2(-1))
        }
    }

    /// FPCompare: NZCV (in bits 31:28) of a comparison; unordered raises
    /// IOC for signalling NaNs, or any NaN when `signal` (FCMPE).
    pub fn compare(&mut self, p: Prec, a: u64, b: u64, signal: bool) -> u64 {
        let (a, b) = (self.input(p, a), self.input(p, b));
        if p.is_nan(a) || p.is_nan(b) {
            if signal || p.is_snan(a) || p.is_snan(b) {
                self.flags |= IOC;
            }
            return 0b0011 << 28;
        }
        match p.key(a).cmp(&p.key(b)) {
            std::cmp::Ordering::Equal => 0b0110 << 28,
            std::cmp::Ordering::Less => 0b1000 << 28,
            std::cmp::Ordering::Greater => 0b0010 << 28,
        }
    }

    /// FPCompareEQ/GE/GT (the vector compares): `kind` 0 EQ (quiet),
    /// 1 GE, 2 GT (signalling).
    pub fn compare_true(&mut self, p: Prec, a: u64, b: u64, kind: u32) -> bool {
        let nzcv = self.compare(p, a, b, kind != 0) >> 28;
        match kind {
            0 => nzcv == 0b0110,
            1 => nzcv == 0b0110 || nzcv == 0b0010,
            _ => nzcv == 0b0010,
        }
    }

    /// FPRoundInt in `mode`; `exact` raises IXC when the value changes
    /// (FRINTX).
    pub fn round_int(&mut self, p: Prec, a: u64, mode: u32, exact: bool) -> u64 {
        let a = self.input(p, a);
        if p.is_nan(a) {
            return self.process_nan(p, a);
        }
        // SAFETY: a plain function of its operand.
        unsafe {
            self.round(p, mode, |m| {
                sf_un!(
                    p,
                    a,
                    f16_roundToInt,
                    f32_roundToInt,
                    f64_roundToInt,
                    m,
                    exact
                )
            })
        }
    }

    /// FPConvert between formats (FCVT, FCVTL, FCVTN; FCVTXN with `RO`).
    /// Halves are neither flushed in nor out (FPUnpackCV, FPRoundCV), and
    /// are of the alternative format with FPCR.AHP.
    pub fn convert(&mut self, from: Prec, to: Prec, a: u64, mode: u32) -> u64 {
        let ahp = self.fpcr & FPCR_AHP != 0;
        if ahp && from == Prec::H && from.exp(a) == from.exp_max() {
            // Alternative half precision: the top exponent is 2^16.
            let sign = if from.is_neg(a) { to.sign() } else { 0 };
            return sign | to.pow2(16) | from.frac(a) << (to.frac_bits() - 10);
        }
        let a = if from == Prec::H {
            a
        } else {
            self.input(from, a)
        };
        if ahp && to == Prec::H {
            if let Some(r) = self.round_alternative_half(from, a, mode) {
                return r;
            }
        }
        if from.is_nan(a) {
            if from.is_snan(a) {
                self.flags |= IOC;
            }
            if self.fpcr & FPCR_DN != 0 {
                return to.default_nan();
            }
            // The sign and the top fraction bits carry over, quieted.
            let frac = from.frac(a) << (64 - from.frac_bits()) >> (64 - to.frac_bits());
            let sign = if from.is_neg(a) { to.sign() } else { 0 };
            return sign | to.inf(false) | to.quiet() | frac;
        }
        // SAFETY: plain functions of their operand.
        let convert = |_: u8| unsafe {
            match (from, to) {
                (Prec::H, Prec::S) => sf::f16_to_f32(sf::float16_t { v: a as u16 }).v as u64,
                (Prec::H, Prec::D) => sf::f16_to_f64(sf::float16_t { v: a as u16 }).v,
                (Prec::S, Prec::H) => sf::f32_to_f16(sf::float32_t { v: a as u32 }).v as u64,
                (Prec::S, Prec::D) => sf::f32_to_f64(sf::float32_t { v: a as u32 }).v,
                (Prec::D, Prec::H) => sf::f64_to_f16(sf::float64_t { v: a }).v as u64,
                (Prec::D, Prec::S) => sf::f64_to_f32(sf::float64_t { v: a }).v as u64,
                _ => a,
            }
        };
        if to == Prec::H {
            let (r, flags) = self.softfloat(mode, convert);
            self.flags |= flags;
            return r;
        }
        self.round(to, mode, convert)
    }

    /// The alternative half precision values that differ from IEEE ones:
    /// NaN is 0 and ∞ the largest value (IOC), 2^15 ≤ |a| < 2^17 has
    /// the top exponent, and beyond saturates (IOC).
    fn round_alternative_half(&mut self, from: Prec, a: u64, mode: u32) -> Option<u64> {
        let sign = if from.is_neg(a) { 0x8000 } else { 0 };
        if from.is_nan(a) {
            self.flags |= IOC;
            return Some(sign);
        }
        if from.is_inf(a) {
            self.flags |= IOC;
            return Some(sign | 0x7fff);
        }
        if (from.exp(a) as i64) < from.bias() as i64 + 15 {
            return None;
        }
        // Halved (exactly), rounded as an IEEE half, the exponent back up.
        let half = a - (1 << from.frac_bits());
        let (h, flags) = self.softfloat(mode, |_| {
            // SAFETY: plain functions of their operand.
            unsafe {
                match from {
                    Prec::S => sf::f32_to_f16(sf::float32_t { v: half as u32 }).v as u64,
                    _ => sf::f64_to_f16(sf::float64_t { v: half }).v as u64,
                }
            }
        });
        if flags & OFC != 0 {
            self.flags |= IOC;
            return Some(sign | 0x7fff);
        }
        self.flags |= flags;
        Some(h + (1 << 10))
    }

    /// FPToFixed: `a · 2^fbits` rounded in `mode` to a `bits`-bit integer,
    /// saturating (IOC); NaN gives 0 (IOC).
    pub fn fp_to_fixed(
        &mut self,
        p: Prec,
        a: u64,
        fbits: u32,
        mode: u32,
        unsigned: bool,
        bits: u32,
    ) -> u64 {
        let mut a = self.input(p, a);
        if p.is_nan(a) {
            self.flags |= IOC;
            return 0;
        }
        let mut p = p;
        if fbits != 0 && !p.is_zero(a) && !p.is_inf(a) {
            // Scaled as a double: exact (overflow to ∞ saturates below).
            a = self
                .softfloat(RN, |_| {
                    // SAFETY: plain functions of their operands.
                    unsafe {
                        let d = match p {
                            Prec::H => sf::f16_to_f64(sf::float16_t { v: a as u16 }).v,
                            Prec::S => sf::f32_to_f64(sf::float32_t { v: a as u32 }).v,
                            Prec::D => a,
                        };
                        let two = sf::float64_t {
                            v: Prec::D.pow2(fbits as i64),
                        };
                        sf::f64_mul(sf::float64_t { v: d }, two).v
                    }
                })
                .0;
            p = Prec::D;
        }
        // SAFETY: plain functions of their operand.
        let (r, flags) = self.softfloat(mode, |m| unsafe {
            match (unsigned, bits) {
                (false, 32) => {
                    sf_to_int!(p, a, f16_to_i32, f32_to_i32, f64_to_i32, m) as u32 as u64
                }
                (true, 32) => {
                    sf_to_int!(p, a, f16_to_ui32, f32_to_ui32, f64_to_ui32, m) as u32 as u64
                }
                (false, _) => sf_to_int!(p, a, f16_to_i64, f32_to_i64, f64_to_i64, m),
                (true, _) => sf_to_int!(p, a, f16_to_ui64, f32_to_ui64, f64_to_ui64, m),
            }
        });
        // An out-of-range value is invalid, not also inexact.
        self.flags |= if flags & IOC != 0 { IOC } else { flags };
        r
    }

    /// FixedToFP: the `bits`-bit integer `v` over 2^fbits, rounded once
    /// by FPCR.
    pub fn fixed_to_fp(&mut self, p: Prec, v: u64, fbits: u32, unsigned: bool, bits: u32) -> u64 {
        let mode = self.rmode();
        if fbits != 0 {
            // Exactly, as a quad, then rounded once.
            let v = match (unsigned, bits) {
                (false, 32) => v as i32 as i64 as u64,
                (true, 32) => v as u32 as u64,
                _ => v,
            };
            // SAFETY: plain functions of their operands.
            return unsafe {
                let q = if unsigned {
                    sf::ui64_to_f128(v)
                } else {
                    sf::i64_to_f128(v as i64)
                };
                let scale = sf::float128_t {
                    v: [0, (16383 - fbits as u64) << 48],
                };
                let q = sf::f128_mul(q, scale);
                self.round(p, mode, |_| match p {
                    Prec::H => sf::f128_to_f16(q).v as u64,
                    Prec::S => sf::f128_to_f32(q).v as u64,
                    Prec::D => sf::f128_to_f64(q).v,
                })
            };
        }
        // SAFETY: plain functions of their operand.
        unsafe {
            self.round(p, mode, |_| match (unsigned, bits) {
                (false, 32) => sf_from_int!(p, v as i32, i32_to_f16, i32_to_f32, i32_to_f64),
                (true, 32) => sf_from_int!(p, v as u32, ui32_to_f16, ui32_to_f32, ui32_to_f64),
                (false, _) => sf_from_int!(p, v as i64, i64_to_f16, i64_to_f32, i64_to_f64),
                (true, _) => sf_from_int!(p, v, ui64_to_f16, ui64_to_f32, ui64_to_f64),
            })
        }
    }

    /// FPRecipEstimate (FRECPE).
    pub fn recip_estimate(&mut self, p: Prec, a: u64) -> u64 {
        let a = self.input(p, a);
        let neg = p.is_neg(a);
        if p.is_nan(a) {
            return self.process_nan(p, a);
        }
        if p.is_inf(a) {
            return p.zero(neg);
        }
        if p.is_zero(a) {
            self.flags |= DZC;
            return p.inf(neg);
        }
        let e = p.exp(a) as i64;
        let bias = p.bias() as i64;
        // |a| < 2^-(bias+1) (the top two fraction bits of a denormal
        // clear): the reciprocal overflows.
        if e == 0 && p.frac(a) >> (p.frac_bits() - 2) == 0 {
            self.flags |= OFC | IXC;
            let to_inf = match self.rmode() {
                RN => true,
                RP => !neg,
                RM => neg,
                _ => false,
            };
            return if to_inf {
                p.inf(neg)
            } else {
                p.max_normal(neg)
            };
        }
        if self.fz(p) && e >= 2 * bias - 1 {
            self.flags |= UFC;
            return p.zero(neg);
        }
        let mut frac = p.frac(a) << (52 - p.frac_bits());
        let mut exp = e;
        if exp == 0 {
            if frac >> 51 & 1 == 0 {
                exp = -1;
                frac = (frac << 2) & ((1 << 52) - 1);
            } else {
                frac = (frac << 1) & ((1 << 52) - 1);
            }
        }
        let scaled = 256 | frac >> 44;
        let mut result_exp = 2 * bias - 1 - exp;
        let estimate = recip_estimate(scaled);
        let mut frac = (estimate & 0xff) << 44;
        if result_exp == 0 {
            frac = 1 << 51 | frac >> 1;
        } else if result_exp == -1 {
            frac = 1 << 50 | frac >> 2;
            result_exp = 0;
        }
        let sign = if neg { p.sign() } else { 0 };
        sign | (result_exp as u64) << p.frac_bits() | frac >> (52 - p.frac_bits())
    }

    /// FPRSqrtEstimate (FRSQRTE).
    pub fn rsqrt_estimate(&mut self, p: Prec, a: u64) -> u64 {
        let a = self.input(p, a);
        if p.is_nan(a) {
            return self.process_nan(p, a);
        }
        if p.is_zero(a) {
            self.flags |= DZC;
            return p.inf(p.is_neg(a));
        }
        if p.is_neg(a) {
            self.flags |= IOC;
            return p.default_nan();
        }
        if p.is_inf(a) {
            return 0;
        }
        let mut frac = p.frac(a) << (52 - p.frac_bits());
        let mut exp = p.exp(a) as i64;
        if exp == 0 {
            while frac >> 51 & 1 == 0 {
                frac <<= 1;
                exp -= 1;
            }
            frac = (frac << 1) & ((1 << 52) - 1);
        }
        let scaled = if exp & 1 == 0 {
            256 | frac >> 44
        } else {
            128 | frac >> 45
        };
        let bias = p.bias() as i64;
        // (3·bias - 1 - exp) / 2: 380 for singles.
        let result_exp = (3 * bias - 1 - exp).div_euclid(2);
        let estimate = rsqrt_estimate(scaled);
        (result_exp as u64) << p.frac_bits() | (estimate & 0xff) << (p.frac_bits() - 8)
    }
}

impl Env {
    /// FPRecpX (FRECPX): the exponent inverted, the fraction cleared
    /// (zeros and denormals get the largest finite exponent).
    pub fn recip_exponent(&mut self, p: Prec, a: u64) -> u64 {
        // Unpacked for the IDC a flushed denormal raises.
        let flushed = self.input(p, a);
        if p.is_nan(flushed) {
            return self.process_nan(p, flushed);
        }
        let sign = a & p.sign();
        let exp = match p.exp(a) {
            0 => p.exp_max() - 1,
            e => !e & p.exp_max(),
        };
        sign | exp << p.frac_bits()
    }
}

/// RecipEstimate: 256..=511 (0.5 ≤ a < 1 in 1/512s) to 256..=511.
fn recip_estimate(a: u64) -> u64 {
    let a = a * 2 + 1;
    let b = (1 << 19) / a;
    // Rounded to nearest.
    b.div_ceil(2)
}

/// RecipSqrtEstimate: 128..=511 (0.25 ≤ a < 1 in 1/512s) to 256..=511.
fn rsqrt_estimate(a: u64) -> u64 {
    let a = if a < 256 {
        a * 2 + 1
    } else {
        (((a >> 1) << 1) + 1) * 2
    };
    let mut b = 512u64;
    while a * (b + 1) * (b + 1) < 1 << 28 {
        b += 1;
    }
    // Rounded to nearest.
    b.div_ceil(2)
}

// ---------------------------------------------------------------------------
// The scalar instructions: one helper, told the operation.

/// The scalar operations `a64_fp` computes; `imm` refines each.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u64)]
enum Op {
    /// FMOV, FABS, FNEG, FSQRT (imm: opcode 0..=3).
    Unary,
    /// FCVT to the format of ptype `imm`.
    Cvt,
    /// FRINT* (imm: the opcode's rmode bits, 0..=7).
    Rint,
    /// FCMP/FCMPE (imm: E | with-zero << 1).
    Cmp,
    /// FCCMP/FCCMPE (imm: cond | nzcv << 4 | E << 8).
    CCmp,
    /// The 2-source group (imm: opcode 0..=8).
    Binary,
    /// FCSEL (imm: cond).
    CSel,
    /// FMADD, FMSUB, FNMADD, FNMSUB (imm: o1 << 1 | o0).
    MulAdd,
    /// SCVTF/UCVTF from Xn/Wn (imm: unsigned | sf << 1 | fbits << 8).
    FromInt,
    /// FCVT[NPMZA][SU] to Xd/Wd (imm: mode | unsigned << 3 | sf << 4 |
    /// fbits << 8).
    ToInt,
}

const OPS: [Op; 10] = [
    Op::Unary,
    Op::Cvt,
    Op::Rint,
    Op::Cmp,
    Op::CCmp,
    Op::Binary,
    Op::CSel,
    Op::MulAdd,
    Op::FromInt,
    Op::ToInt,
];

/// The CPU state a helper gets.
///
/// # Safety
/// `state` is the translating guest's `Cpu` (the IR calling convention).
pub(super) unsafe fn cpu<'a>(state: *mut u8) -> &'a mut Cpu {
    &mut *(state as *mut Cpu)
}

/// ConditionHolds for the current NZCV.
fn holds(cpu: &Cpu, cond: u64) -> bool {
    let bits = cpu.nzcv();
    let (n, z, c, v) = (
        bits >> 31 & 1 == 1,
        bits >> 30 & 1 == 1,
        bits >> 29 & 1 == 1,
        bits >> 28 & 1 == 1,
    );
    let r = match cond >> 1 {
        0 => z,
        1 => c,
        2 => n,
        3 => v,
        4 => c && !z,
        5 => n == v,
        6 => n == v && !z,
        _ => true,
    };
    if cond & 1 == 1 && cond != 15 {
        !r
    } else {
        r
    }
}

/// The 2-source operations by opcode.
const BINARY: [Bin; 9] = [
    Bin::Mul,
    Bin::Div,
    Bin::Add,
    Bin::Sub,
    Bin::Max,
    Bin::Min,
    Bin::MaxNm,
    Bin::MinNm,
    Bin::NMul,
];

/// The FRINT* rounding of the opcode's rmode bits: (mode, exact); FRINTX
/// and FRINTI round in the FPCR mode, FRINTX raising IXC.
pub fn rint_mode(env: &Env, rmode: u64) -> (u32, bool) {
    match rmode {
        0 => (RN, false),
        1 => (RP, false),
        2 => (RM, false),
        3 => (RZ, false),
        4 => (RA, false),
        6 => (env.rmode(), true),
        _ => (env.rmode(), false),
    }
}

/// `a64_fp(state, op, d | n << 5 | m << 10 | a << 15, ptype, imm)`.
unsafe extern "C" fn fp(state: *mut u8, op: u64, regs: u64, ptype: u64, imm: u64) -> u64 {
    let cpu = cpu(state);
    let reg = |i: u64| (regs >> (5 * i) & 31) as usize;
    let (d, n, m, a) = (reg(0), reg(1), reg(2), reg(3));
    let p = Prec::from_ptype(ptype as u32).unwrap_or(Prec::D);
    let mut env = Env::new(cpu.fpcr);
    let mut mask = p.mask();
    let (vn, vm, va) = (
        cpu.vreg[n][0] & mask,
        cpu.vreg[m][0] & mask,
        cpu.vreg[a][0] & mask,
    );
    let xn = if n == 31 { 0 } else { cpu.x[n] };
    let result = match OPS[op as usize] {
        Op::Unary => Some(match imm {
            0 => vn,
            1 => vn & !p.sign(),
            2 => vn ^ p.sign(),
            _ => env.sqrt(p, vn),
        }),
        Op::Cvt => {
            let to = Prec::from_ptype(imm as u32).unwrap_or(Prec::D);
            let r = env.convert(p, to, vn & mask, env.rmode());
            mask = to.mask();
            Some(r)
        }
        Op::Rint => {
            let (mode, exact) = rint_mode(&env, imm);
            Some(env.round_int(p, vn, mode, exact))
        }
        Op::Cmp => {
            let vm = if imm & 2 != 0 { 0 } else { vm };
            cpu.set_nzcv(env.compare(p, vn, vm, imm & 1 != 0));
            None
        }
        Op::CCmp => {
            let nzcv = if holds(cpu, imm & 15) {
                env.compare(p, vn, vm, imm >> 8 & 1 != 0)
            } else {
                (imm >> 4 & 15) << 28
            };
            cpu.set_nzcv(nzcv);
            None
        }
        Op::Binary => Some(env.binary(p, BINARY[imm as usize], vn, vm)),
        Op::CSel => Some(if holds(cpu, imm) { vn } else { vm }),
        Op::MulAdd => {
            // FMSUB negates n; FNMADD both a and n; FNMSUB a.
            let (neg_a, neg_n) = match imm {
                0 => (false, false),
                1 => (false, true),
                2 => (true, true),
                _ => (true, false),
            };
            let va = if neg_a { va ^ p.sign() } else { va };
            let vn = if neg_n { vn ^ p.sign() } else { vn };
            Some(env.mul_add(p, va, vn, vm))
        }
        Op::FromInt => {
            let bits = if imm & 2 != 0 { 64 } else { 32 };
            Some(env.fixed_to_fp(p, xn, (imm >> 8) as u32, imm & 1 != 0, bits))
        }
        Op::ToInt => {
            let bits = if imm & 16 != 0 { 64 } else { 32 };
            let mode = (imm & 7) as u32;
            let r = env.fp_to_fixed(p, vn, (imm >> 8) as u32, mode, imm & 8 != 0, bits);
            if d != 31 {
                cpu.x[d] = r;
            }
            None
        }
    };
    if let Some(r) = result {
        cpu.vreg[d] = [r & mask, 0];
    }
    cpu.fpsr |= env.flags;
    0
}

static FP: Helper = Helper {
    name: "a64_fp",
    func: fp,
    fp: None,
};

/// Emits the `a64_fp` call.
fn emit(cx: &mut Ctx, op: Op, regs: [u32; 4], ptype: u32, imm: u64) {
    let packed = regs
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, &r)| acc | (r as u64) << (5 * i));
    let args = [
        cx.imm(op as u64),
        cx.imm(packed),
        cx.imm(ptype as u64),
        cx.imm(imm),
    ];
    cx.b.call(&FP, &args);
}

/// The operand format: single, double or half (ptype 10 is reserved).
fn format(insn: Insn) -> Result<u32, Illegal> {
    match insn.get('t') {
        2 => Err(Illegal),
        t => Ok(t),
    }
}

/// FMOV, FABS, FNEG, FSQRT (register). The first three only move or
/// change the sign bit (no NaN processing, no flags): plain IR.
fn fp_unary(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let (d, n, op) = (insn.get('d'), insn.get('n'), insn.get('o'));
    if op == 3 {
        emit(cx, Op::Unary, [d, n, 0, 0], t, op as u64);
        return Ok(());
    }
    let p = Prec::from_ptype(t).ok_or(Illegal)?;
    let v = cx.b.get_reg(v_offset(n, 0));
    let (keep, flip) = match op {
        0 => (p.mask(), 0),
        1 => (p.mask() & !p.sign(), 0),
        _ => (p.mask(), p.sign()),
    };
    let keep = cx.imm(keep);
    let mut r = cx.b.and(v, keep);
    if flip != 0 {
        let flip = cx.imm(flip);
        r = cx.b.xor(r, flip);
    }
    let zero = cx.imm(0);
    cx.b.set_reg(v_offset(d, 0), r);
    cx.b.set_reg(v_offset(d, 1), zero);
    Ok(())
}

/// FCVT between half, single and double precision.
fn fcvt(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (from, to) = (insn.get('t'), insn.get('o'));
    if from == to || from == 2 || to == 2 {
        return Err(Illegal);
    }
    emit(
        cx,
        Op::Cvt,
        [insn.get('d'), insn.get('n'), 0, 0],
        from,
        to as u64,
    );
    Ok(())
}

/// FRINTN, FRINTP, FRINTM, FRINTZ, FRINTA, FRINTX, FRINTI.
fn frint(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let rmode = insn.get('o');
    if rmode == 5 {
        return Err(Illegal);
    }
    emit(
        cx,
        Op::Rint,
        [insn.get('d'), insn.get('n'), 0, 0],
        t,
        rmode as u64,
    );
    Ok(())
}

/// FCMP, FCMPE (registers or with zero).
fn fcmp(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let imm = insn.get('e') as u64 | (insn.get('z') as u64) << 1;
    emit(cx, Op::Cmp, [0, insn.get('n'), insn.get('m'), 0], t, imm);
    Ok(())
}

/// FCCMP, FCCMPE.
fn fccmp(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let imm = insn.get('c') as u64 | (insn.get('f') as u64) << 4 | (insn.get('e') as u64) << 8;
    emit(cx, Op::CCmp, [0, insn.get('n'), insn.get('m'), 0], t, imm);
    Ok(())
}

/// FMUL, FDIV, FADD, FSUB, FMAX, FMIN, FMAXNM, FMINNM, FNMUL.
fn fp_binary(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let opcode = insn.get('o');
    if opcode > 8 {
        return Err(Illegal);
    }
    let (d, n, m) = (insn.get('d'), insn.get('n'), insn.get('m'));
    if let Some(h) = arith_helper(t, opcode) {
        // FMUL/FDIV/FADD/FSUB of S and D: a helper the JIT may inline.
        let a = cx.b.get_reg(v_offset(n, 0));
        let b = cx.b.get_reg(v_offset(m, 0));
        let dynamic = cx.imm(7);
        let r = cx.b.call(h, &[a, b, dynamic]);
        let zero = cx.imm(0);
        cx.b.set_reg(v_offset(d, 0), r);
        cx.b.set_reg(v_offset(d, 1), zero);
        return Ok(());
    }
    emit(cx, Op::Binary, [d, n, m, 0], t, opcode as u64);
    Ok(())
}

/// The inlinable helper of FMUL, FDIV, FADD, FSUB (opcodes 0..=3) for
/// ptype `t`.
fn arith_helper(t: u32, opcode: u32) -> Option<&'static Helper> {
    let double = match t {
        0 => false,
        1 => true,
        _ => return None,
    };
    let i = opcode as usize;
    (i < 4).then(|| if double { &ARITH_D[i] } else { &ARITH_S[i] })
}

/// `a op b` of precision `p` with BINARY[op], FPCR and FPSR at the given
/// state offsets: the helper of an Arm `FpInline` (its contract: raw
/// operand patterns, flags ORed into FPSR).
fn arith(state: *mut u8, [fpcr, fpsr]: [usize; 2], p: Prec, op: usize, a: u64, b: u64) -> u64 {
    // SAFETY: the offsets are of u64 fields of the state (the IR calling
    // convention: `state` is the guest's Cpu, or a test's state).
    let (fpcr, fpsr) = unsafe { (state.add(fpcr) as *mut u64, state.add(fpsr) as *mut u64) };
    let mut env = Env::new(unsafe { fpcr.read_unaligned() });
    let r = env.binary(p, BINARY[op], a & p.mask(), b & p.mask());
    unsafe { fpsr.write_unaligned(fpsr.read_unaligned() | env.flags) };
    r
}

/// The helpers of FMUL, FDIV, FADD, FSUB for one precision, with FPCR and
/// FPSR at the given offsets.
macro_rules! arith_helpers {
    ($name:ident, $offs:expr, $prec:expr, $double:expr, $($f:ident $op:ident $i:expr),*) => {
        pub(crate) static $name: [Helper; 4] = [$(
            {
                unsafe extern "C" fn $f(state: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
                    arith(state, $offs, $prec, $i, a, b)
                }
                Helper {
                    name: stringify!($f),
                    func: $f,
                    fp: Some(FpInline {
                        op: FpOp::$op,
                        double: $double,
                        frm: $offs[0] as u32,
                        fflags: $offs[1] as u32,
                        flavor: FpFlavor::Arm,
                    }),
                }
            },
        )*];
    };
}

const FP_STATE: [usize; 2] = [FPCR_OFFSET, FPSR_OFFSET];
arith_helpers!(ARITH_D, FP_STATE, Prec::D, true, a64_fmul_d Mul 0, a64_fdiv_d Div 1, a64_fadd_d Add 2, a64_fsub_d Sub 3);
arith_helpers!(ARITH_S, FP_STATE, Prec::S, false, a64_fmul_s Mul 0, a64_fdiv_s Div 1, a64_fadd_s Add 2, a64_fsub_s Sub 3);

/// The same helpers with FPCR and FPSR in words 60 and 61 of a small test
/// state (the JIT's unit tests).
#[cfg(test)]
pub(crate) mod test_helpers {
    use super::*;
    const TEST_STATE: [usize; 2] = [8 * 60, 8 * 61];
    arith_helpers!(ARITH_D, TEST_STATE, Prec::D, true, t_fmul_d Mul 0, t_fdiv_d Div 1, t_fadd_d Add 2, t_fsub_d Sub 3);
    arith_helpers!(ARITH_S, TEST_STATE, Prec::S, false, t_fmul_s Mul 0, t_fdiv_s Div 1, t_fadd_s Add 2, t_fsub_s Sub 3);
}

fn fcsel(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let regs = [insn.get('d'), insn.get('n'), insn.get('m'), 0];
    emit(cx, Op::CSel, regs, t, insn.get('c') as u64);
    Ok(())
}

/// VFPExpandImm: imm8 = a:b:cdefgh is a · 2^(NOT(b):b..b:cd) · 1.efgh.
pub fn expand_imm(p: Prec, imm8: u64) -> u64 {
    let e = p.bits() - 1 - p.frac_bits();
    let b = imm8 >> 6 & 1;
    let exp =
        (b ^ 1) << (e - 1) | (if b == 1 { (1 << (e - 3)) - 1 } else { 0 }) << 2 | (imm8 >> 4 & 3);
    (imm8 >> 7) << (p.bits() - 1) | exp << p.frac_bits() | (imm8 & 15) << (p.frac_bits() - 4)
}

/// FMOV (scalar, immediate): no computation, plain register writes.
fn fmov_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let p = Prec::from_ptype(format(insn)?).ok_or(Illegal)?;
    let d = insn.get('d');
    let v = cx.imm(expand_imm(p, insn.get('i') as u64));
    cx.b.set_reg(super::super::cpu::v_offset(d, 0), v);
    let zero = cx.imm(0);
    cx.b.set_reg(super::super::cpu::v_offset(d, 1), zero);
    Ok(())
}

/// FMOV Wd/Xd, Hn (o = 0) and Hd, Wn/Xn (o = 1): the low 16 bits,
/// zero-extended (simd.rs has the single and double forms).
fn fmov_half(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    use super::super::cpu::v_offset;
    let (d, n) = (insn.get('d'), insn.get('n'));
    if insn.bit('o') {
        let v = cx.x(n);
        let v = cx.b.zext16(v);
        cx.b.set_reg(v_offset(d, 0), v);
        let zero = cx.imm(0);
        cx.b.set_reg(v_offset(d, 1), zero);
    } else {
        let v = cx.b.get_reg(v_offset(n, 0));
        let v = cx.b.zext16(v);
        cx.set_x(d, v);
    }
    Ok(())
}

/// FMADD, FMSUB, FNMADD, FNMSUB.
fn fmadd(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let regs = [insn.get('d'), insn.get('n'), insn.get('m'), insn.get('a')];
    let imm = (insn.get('o') << 1 | insn.get('p')) as u64;
    emit(cx, Op::MulAdd, regs, t, imm);
    Ok(())
}

/// SCVTF, UCVTF (scalar, fixed-point): bit 16 is the U of the opcode.
fn cvtf_fixed(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let scale = insn.get('s');
    let sf = insn.bit('z');
    if !sf && scale < 32 {
        return Err(Illegal);
    }
    let unsigned = insn.word >> 16 & 1;
    let imm = unsigned as u64 | (sf as u64) << 1 | ((64 - scale) as u64) << 8;
    emit(
        cx,
        Op::FromInt,
        [insn.get('d'), insn.get('n'), 0, 0],
        t,
        imm,
    );
    Ok(())
}

/// SCVTF, UCVTF (scalar, integer).
fn cvtf(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let unsigned = insn.word >> 16 & 1;
    let imm = unsigned as u64 | (insn.get('z') as u64) << 1;
    emit(
        cx,
        Op::FromInt,
        [insn.get('d'), insn.get('n'), 0, 0],
        t,
        imm,
    );
    Ok(())
}

/// FCVTZS, FCVTZU (scalar, fixed-point).
fn fcvtz_fixed(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let scale = insn.get('s');
    let sf = insn.bit('z');
    if !sf && scale < 32 {
        return Err(Illegal);
    }
    let unsigned = insn.word >> 16 & 1;
    let imm = RZ as u64 | (unsigned as u64) << 3 | (sf as u64) << 4 | ((64 - scale) as u64) << 8;
    emit(cx, Op::ToInt, [insn.get('d'), insn.get('n'), 0, 0], t, imm);
    Ok(())
}

/// FCVT{N,P,M,Z,A}{S,U} (scalar, integer): rmode bits 20:19, U bit 16,
/// opcode bit 18 the ties-away forms.
fn fcvt_int(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = format(insn)?;
    let mode = if insn.word >> 18 & 1 == 1 {
        RA
    } else {
        insn.word >> 19 & 3
    };
    let unsigned = insn.word >> 16 & 1;
    let imm = mode as u64 | (unsigned as u64) << 3 | (insn.get('z') as u64) << 4;
    emit(cx, Op::ToInt, [insn.get('d'), insn.get('n'), 0, 0], t, imm);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const QNAN_D: u64 = 0x7ff8_0000_0000_0123;
    const SNAN_D: u64 = 0x7ff0_0000_0000_0456;
    const ONE_D: u64 = 0x3ff0_0000_0000_0000;
    const ONE_S: u64 = 0x3f80_0000;

    #[test]
    fn nan_operands_propagate_as_the_manual_orders_them() {
        let mut env = Env::new(0);
        // The first quiet NaN, unchanged.
        assert_eq!(env.binary(Prec::D, Bin::Add, QNAN_D, ONE_D), QNAN_D);
        assert_eq!(env.flags, 0);
        // A signalling NaN wins over an earlier quiet one, quieted, IOC.
        assert_eq!(
            env.binary(Prec::D, Bin::Add, QNAN_D, SNAN_D),
            SNAN_D | 1 << 51
        );
        assert_eq!(env.flags, IOC);
        // FMADD: the accumulator comes first.
        let mut env = Env::new(0);
        let other = 0x7ff8_0000_0000_0999;
        assert_eq!(env.mul_add(Prec::D, other, QNAN_D, ONE_D), other);
        // A quiet NaN accumulator with ∞ × 0 is the default NaN, IOC.
        let inf = 0x7ff0_0000_0000_0000;
        assert_eq!(env.mul_add(Prec::D, other, inf, 0), Prec::D.default_nan());
        assert_eq!(env.flags, IOC);
        // DN: always the default NaN.
        let mut env = Env::new(FPCR_DN);
        assert_eq!(env.binary(Prec::D, Bin::Mul, ONE_D, QNAN_D), 0x7ff8 << 48);
    }

    #[test]
    fn maxnm_prefers_a_number_to_a_quiet_nan_but_not_to_a_signalling_one() {
        let mut env = Env::new(0);
        assert_eq!(env.binary(Prec::D, Bin::MaxNm, QNAN_D, ONE_D), ONE_D);
        assert_eq!(env.binary(Prec::D, Bin::MinNm, ONE_D, QNAN_D), ONE_D);
        assert_eq!(env.binary(Prec::D, Bin::Max, QNAN_D, ONE_D), QNAN_D);
        assert_eq!(env.flags, 0);
        assert_eq!(
            env.binary(Prec::D, Bin::MaxNm, SNAN_D, ONE_D),
            SNAN_D | 1 << 51
        );
        assert_eq!(env.flags, IOC);
        // Zeros: max is +0, min -0, whatever the order.
        let neg0 = 1 << 63;
        assert_eq!(env.binary(Prec::D, Bin::Max, neg0, 0), 0);
        assert_eq!(env.binary(Prec::D, Bin::Min, 0, neg0), neg0);
    }

    #[test]
    fn conversions_to_integers_saturate_and_give_zero_for_nan() {
        let mut env = Env::new(0);
        // 2^63 as a double, to a signed 64-bit integer: saturates, IOC only.
        let two63 = 0x43e0_0000_0000_0000;
        assert_eq!(
            env.fp_to_fixed(Prec::D, two63, 0, RZ, false, 64),
            i64::MAX as u64
        );
        assert_eq!(env.flags, IOC);
        let mut env = Env::new(0);
        assert_eq!(env.fp_to_fixed(Prec::D, QNAN_D, 0, RZ, false, 32), 0);
        assert_eq!(env.flags, IOC);
        // -1.5 to unsigned: 0, IOC; -0.5 rounds to 0, only inexact.
        let mut env = Env::new(0);
        assert_eq!(env.fp_to_fixed(Prec::S, 0xbfc0_0000, 0, RZ, true, 32), 0);
        assert_eq!(env.flags, IOC);
        let mut env = Env::new(0);
        assert_eq!(env.fp_to_fixed(Prec::S, 0xbf00_0000, 0, RZ, true, 32), 0);
        assert_eq!(env.flags, IXC);
        // 32-bit results are zero-extended; fixed point scales first.
        let mut env = Env::new(0);
        assert_eq!(
            env.fp_to_fixed(Prec::S, 0xbf80_0000, 0, RZ, false, 32),
            0xffff_ffff
        );
        assert_eq!(env.fp_to_fixed(Prec::S, ONE_S, 4, RZ, false, 64), 16);
        // 2.5 under each rounding.
        let two_half = 0x4004_0000_0000_0000;
        let r: Vec<u64> = [RN, RP, RM, RZ, RA]
            .iter()
            .map(|&m| env.fp_to_fixed(Prec::D, two_half, 0, m, false, 64))
            .collect();
        assert_eq!(r, [2, 3, 2, 2, 3]);
    }

    #[test]
    fn fpcr_rounding_mode_applies() {
        // 1 + 2^-60 rounds up only towards +∞.
        let tiny = 0x3c30_0000_0000_0000;
        for (rmode, expect) in [(0, ONE_D), (1, ONE_D + 1), (2, ONE_D), (3, ONE_D)] {
            let mut env = Env::new(rmode << 22);
            assert_eq!(env.binary(Prec::D, Bin::Add, ONE_D, tiny), expect);
            assert_eq!(env.flags, IXC);
        }
    }

    #[test]
    fn flush_to_zero_flushes_inputs_and_tiny_results() {
        let denormal = 1;
        let mut env = Env::new(FPCR_FZ);
        // A denormal input is a zero: IDC.
        assert_eq!(env.binary(Prec::D, Bin::Add, denormal, 0), 0);
        assert_eq!(env.flags, IDC);
        // A result tiny before rounding is a zero: UFC, not IXC.
        let mut env = Env::new(FPCR_FZ);
        let min_normal = 0x0010_0000_0000_0000;
        assert_eq!(env.binary(Prec::D, Bin::Mul, min_normal, 0x3fe0 << 48), 0);
        assert_eq!(env.flags, UFC);
        // Without FZ: the denormal, exact (no underflow).
        let mut env = Env::new(0);
        assert_eq!(
            env.binary(Prec::D, Bin::Mul, min_normal, 0x3fe0 << 48),
            0x0008_0000_0000_0000
        );
        assert_eq!(env.flags, 0);
    }

    #[test]
    fn estimates_follow_the_pseudocode() {
        let mut env = Env::new(0);
        // FRECPE 1.0 = 0.998046875 (511/512), FRSQRTE 1.0 likewise.
        assert_eq!(env.recip_estimate(Prec::S, ONE_S), 0x3f7f_8000);
        assert_eq!(env.rsqrt_estimate(Prec::S, ONE_S), 0x3f7f_8000);
        // FRSQRTE 4.0 = 0.4990234375.
        assert_eq!(env.rsqrt_estimate(Prec::S, 0x4080_0000), 0x3eff_8000);
        // FRECPE of zero: ∞, DZC.
        assert_eq!(env.recip_estimate(Prec::D, 1 << 63), 0xfff0 << 48);
        assert_eq!(env.flags, DZC);
    }

    #[test]
    fn immediates_expand_like_vfpexpandimm() {
        // fmov d0, #1.0 (imm8 0x70); fmov s0, #-1.25 (0xf4); #31.0 (0x3f).
        assert_eq!(expand_imm(Prec::D, 0x70), ONE_D);
        assert_eq!(expand_imm(Prec::S, 0xf4), 0xbfa0_0000);
        assert_eq!(expand_imm(Prec::S, 0x3f), 0x41f8_0000);
        assert_eq!(expand_imm(Prec::H, 0x70), 0x3c00);
    }
}
