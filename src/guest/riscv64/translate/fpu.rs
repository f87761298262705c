//! riscv64 floating point: the soft-float helpers the F, D and Zfa
//! translators call, and the few IR-emitting routines those translators share.
//!
//! Helpers have the IR helper signature: `state` is the guest [`Cpu`],
//! operands are raw `f` register patterns (singles NaN-boxed) or raw `x`
//! values, `rm` is the instruction's rounding-mode field (7 = dynamic, read
//! `frm`). They compute with Berkeley SoftFloat 3e, RISC-V specialisation
//! (canonical NaNs, tininess after rounding, RISC-V saturating conversions),
//! and OR the raised exception flags into `fflags`. They touch no other
//! guest state, so an IR pass that caches guest state must treat a call to
//! them as reading `frm` and writing `fflags`. The arithmetic and compare
//! helpers carry an `FpInline` description (`Helper::fp`): a backend may
//! compute them inline under exactly this contract (the x64 JIT does, with
//! SSE). Sign injection, moves and
//! loads/stores need no helper: they are plain IR (`sgnj`, `load`, `store`
//! below).

use super::super::cpu::Cpu;
use super::super::cpu::{FFLAGS_OFFSET, FRM_OFFSET};
use super::super::decode::{Illegal, Insn};
use super::Ctx;
use crate::ir::{Cond, FpFlavor, FpInline, FpOp, Helper, MemOp, Value};
use softfloat_sys as sf;
use softfloat_sys::{float32_t, float64_t};

/// Upper half of a NaN-boxed single.
pub const BOX: u64 = 0xffff_ffff_0000_0000;
/// Canonical single-precision NaN (unboxed).
pub const CANON_S: u32 = 0x7fc0_0000;
/// Canonical double-precision NaN.
pub const CANON_D: u64 = 0x7ff8_0000_0000_0000;

/// fflags bits.
pub const NV: u64 = 16;
pub const DZ: u64 = 8;
pub const OF: u64 = 4;
pub const UF: u64 = 2;
pub const NX: u64 = 1;

/// The rounding-mode field value meaning "use `frm`".
pub const RM_DYN: u64 = 7;

// ---------------------------------------------------------------------------
// Floating-point environment: rounding mode in, exception flags out.

/// SoftFloat rounding mode for the riscv rm field `rm` (7 = `frm`).
fn softfloat_mode(cpu: &Cpu, rm: u64) -> u8 {
    let rm = if rm == RM_DYN { cpu.frm } else { rm };
    match rm {
        0 => sf::softfloat_round_near_even,
        1 => sf::softfloat_round_minMag,
        2 => sf::softfloat_round_min,
        3 => sf::softfloat_round_max,
        4 => sf::softfloat_round_near_maxMag,
        // Static 5 and 6 are rejected at translate time; a dynamic frm of
        // 5..=7 must raise SIGILL when the instruction runs.
        // TODO(signals issue): helpers have no exception path yet; round to nearest-even.
        _ => sf::softfloat_round_near_even,
    }
}

/// SoftFloat exception flags → riscv fflags bits.
fn fflags_of(flags: u8) -> u64 {
    let map = [
        (sf::softfloat_flag_invalid, NV),
        (sf::softfloat_flag_infinite, DZ),
        (sf::softfloat_flag_overflow, OF),
        (sf::softfloat_flag_underflow, UF),
        (sf::softfloat_flag_inexact, NX),
    ];
    map.iter()
        .filter(|(s, _)| flags & s != 0)
        .fold(0, |acc, (_, r)| acc | r)
}

/// Runs `op` with SoftFloat's rounding mode set from `rm` and its flags
/// cleared, then accrues the raised flags into `fflags`. `op` gets the mode.
///
/// # Safety
/// `state` must point at a live [`Cpu`].
unsafe fn with_fenv(state: *mut u8, rm: u64, op: impl FnOnce(u8) -> u64) -> u64 {
    let cpu = &mut *(state as *mut Cpu);
    let mode = softfloat_mode(cpu, rm);
    sf::softfloat_roundingMode_write_helper(mode as _);
    sf::softfloat_exceptionFlags_write_helper(0);
    let result = op(mode);
    cpu.fflags |= fflags_of(sf::softfloat_exceptionFlags_read_helper() as u8);
    result
}

/// [`with_fenv`] for operations that do not round (compares, min/max).
unsafe fn with_flags(state: *mut u8, op: impl FnOnce() -> u64) -> u64 {
    with_fenv(state, 0, |_| op())
}

fn raise_invalid() {
    // SAFETY: only touches SoftFloat's thread-local flags.
    unsafe { sf::softfloat_raiseFlags(sf::softfloat_flag_invalid as _) }
}

// ---------------------------------------------------------------------------
// The two formats, behind one trait so each operation is written once.

/// A binary floating-point format as held in a 64-bit `f` register.
trait Format {
    type T: Copy;
    /// Width in bits (32 or 64).
    const BITS: u32;
    /// Fraction bits (23 or 52).
    const FRAC: u32;
    /// The canonical NaN, as stored in a register (boxed for singles).
    const CANON: u64;
    /// The format's bit pattern held in register value `raw`: NaN-unboxing
    /// for singles (an improperly boxed value reads as the canonical NaN).
    fn bits(raw: u64) -> u64;
    /// Register value holding format bits `bits` (NaN-boxing for singles).
    fn reg(bits: u64) -> u64;
    fn get(raw: u64) -> Self::T;
    fn put(v: Self::T) -> u64;

    unsafe fn add(a: Self::T, b: Self::T) -> Self::T;
    unsafe fn sub(a: Self::T, b: Self::T) -> Self::T;
    unsafe fn mul(a: Self::T, b: Self::T) -> Self::T;
    unsafe fn div(a: Self::T, b: Self::T) -> Self::T;
    unsafe fn sqrt(a: Self::T) -> Self::T;
    unsafe fn mul_add(a: Self::T, b: Self::T, c: Self::T) -> Self::T;
    unsafe fn round_to_int(a: Self::T, mode: u8, exact: bool) -> Self::T;
    /// Quiet equality (NV only for signalling NaNs).
    unsafe fn eq(a: Self::T, b: Self::T) -> bool;
    /// Signalling compares (NV for any NaN).
    unsafe fn lt(a: Self::T, b: Self::T) -> bool;
    unsafe fn le(a: Self::T, b: Self::T) -> bool;
    /// Quiet compares (NV only for signalling NaNs).
    unsafe fn lt_quiet(a: Self::T, b: Self::T) -> bool;
    unsafe fn le_quiet(a: Self::T, b: Self::T) -> bool;
    unsafe fn to_i32(a: Self::T, mode: u8) -> i32;
    unsafe fn to_u32(a: Self::T, mode: u8) -> u32;
    unsafe fn to_i64(a: Self::T, mode: u8) -> i64;
    unsafe fn to_u64(a: Self::T, mode: u8) -> u64;
    unsafe fn from_i32(a: i32) -> Self::T;
    unsafe fn from_u32(a: u32) -> Self::T;
    unsafe fn from_i64(a: i64) -> Self::T;
    unsafe fn from_u64(a: u64) -> Self::T;

    const SIGN: u64 = 1 << (Self::BITS - 1);
    const EXP_MAX: u64 = (1 << (Self::BITS - 1 - Self::FRAC)) - 1;
    const QUIET: u64 = 1 << (Self::FRAC - 1);
    fn exp(bits: u64) -> u64 {
        (bits >> Self::FRAC) & Self::EXP_MAX
    }
    fn frac(bits: u64) -> u64 {
        bits & ((1 << Self::FRAC) - 1)
    }
    fn is_nan(bits: u64) -> bool {
        Self::exp(bits) == Self::EXP_MAX && Self::frac(bits) != 0
    }
    fn is_snan(bits: u64) -> bool {
        Self::is_nan(bits) && bits & Self::QUIET == 0
    }
    /// Flips the sign of a value (for the negated FMA forms; NaN payloads
    /// don't matter, results are canonical anyway).
    fn neg(raw: u64) -> Self::T {
        Self::get(Self::reg(Self::bits(raw) ^ Self::SIGN))
    }
}

/// Single precision.
struct S;
/// Double precision.
struct D;

macro_rules! impl_format {
    ($fmt:ident, $t:ident, $bits:literal, $frac:literal, $canon:expr,
     bits: |$r:ident| $bits_e:expr, reg: |$b:ident| $reg_e:expr,
     $add:ident $sub:ident $mul:ident $div:ident $sqrt:ident $fma:ident $rti:ident
     $eq:ident $lt:ident $le:ident $ltq:ident $leq:ident
     $toi32:ident $tou32:ident $toi64:ident $tou64:ident
     $fromi32:ident $fromu32:ident $fromi64:ident $fromu64:ident) => {
        impl Format for $fmt {
            type T = $t;
            const BITS: u32 = $bits;
            const FRAC: u32 = $frac;
            const CANON: u64 = $canon;
            fn bits($r: u64) -> u64 {
                $bits_e
            }
            fn reg($b: u64) -> u64 {
                $reg_e
            }
            fn get(raw: u64) -> $t {
                $t {
                    v: Self::bits(raw) as _,
                }
            }
            fn put(v: $t) -> u64 {
                Self::reg(v.v as u64)
            }
            unsafe fn add(a: $t, b: $t) -> $t {
                sf::$add(a, b)
            }
            unsafe fn sub(a: $t, b: $t) -> $t {
                sf::$sub(a, b)
            }
            unsafe fn mul(a: $t, b: $t) -> $t {
                sf::$mul(a, b)
            }
            unsafe fn div(a: $t, b: $t) -> $t {
                sf::$div(a, b)
            }
            unsafe fn sqrt(a: $t) -> $t {
                sf::$sqrt(a)
            }
            unsafe fn mul_add(a: $t, b: $t, c: $t) -> $t {
                sf::$fma(a, b, c)
            }
            unsafe fn round_to_int(a: $t, mode: u8, exact: bool) -> $t {
                sf::$rti(a, mode as _, exact)
            }
            unsafe fn eq(a: $t, b: $t) -> bool {
                sf::$eq(a, b)
            }
            unsafe fn lt(a: $t, b: $t) -> bool {
                sf::$lt(a, b)
            }
            unsafe fn le(a: $t, b: $t) -> bool {
                sf::$le(a, b)
            }
            unsafe fn lt_quiet(a: $t, b: $t) -> bool {
                sf::$ltq(a, b)
            }
            unsafe fn le_quiet(a: $t, b: $t) -> bool {
                sf::$leq(a, b)
            }
            // SoftFloat's RISC-V specialisation already saturates exactly as
            // the spec's conversion table says (NaN → max positive).
            unsafe fn to_i32(a: $t, mode: u8) -> i32 {
                sf::$toi32(a, mode as _, true) as i32
            }
            unsafe fn to_u32(a: $t, mode: u8) -> u32 {
                sf::$tou32(a, mode as _, true) as u32
            }
            unsafe fn to_i64(a: $t, mode: u8) -> i64 {
                sf::$toi64(a, mode as _, true) as i64
            }
            unsafe fn to_u64(a: $t, mode: u8) -> u64 {
                sf::$tou64(a, mode as _, true) as u64
            }
            unsafe fn from_i32(a: i32) -> $t {
                sf::$fromi32(a)
            }
            unsafe fn from_u32(a: u32) -> $t {
                sf::$fromu32(a)
            }
            unsafe fn from_i64(a: i64) -> $t {
                sf::$fromi64(a)
            }
            unsafe fn from_u64(a: u64) -> $t {
                sf::$fromu64(a)
            }
        }
    };
}

impl_format!(S, float32_t, 32, 23, BOX | CANON_S as u64,
    bits: |raw| if raw & BOX == BOX { raw & 0xffff_ffff } else { CANON_S as u64 },
    reg: |bits| BOX | bits,
    f32_add f32_sub f32_mul f32_div f32_sqrt f32_mulAdd f32_roundToInt
    f32_eq f32_lt f32_le f32_lt_quiet f32_le_quiet
    f32_to_i32 f32_to_ui32 f32_to_i64 f32_to_ui64
    i32_to_f32 ui32_to_f32 i64_to_f32 ui64_to_f32);

impl_format!(D, float64_t, 64, 52, CANON_D,
    bits: |raw| raw, reg: |bits| bits,
    f64_add f64_sub f64_mul f64_div f64_sqrt f64_mulAdd f64_roundToInt
    f64_eq f64_lt f64_le f64_lt_quiet f64_le_quiet
    f64_to_i32 f64_to_ui32 f64_to_i64 f64_to_ui64
    i32_to_f64 ui32_to_f64 i64_to_f64 ui64_to_f64);

// ---------------------------------------------------------------------------
// The operations, each once for both formats. Argument names follow the
// helper call: `a`, `b`, `c` operands, `rm` the rounding-mode field.

unsafe extern "C" fn add<F: Format>(st: *mut u8, a: u64, b: u64, rm: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::add(F::get(a), F::get(b))))
}
unsafe extern "C" fn sub<F: Format>(st: *mut u8, a: u64, b: u64, rm: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::sub(F::get(a), F::get(b))))
}
unsafe extern "C" fn mul<F: Format>(st: *mut u8, a: u64, b: u64, rm: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::mul(F::get(a), F::get(b))))
}
unsafe extern "C" fn div<F: Format>(st: *mut u8, a: u64, b: u64, rm: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::div(F::get(a), F::get(b))))
}
unsafe extern "C" fn sqrt<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::sqrt(F::get(a))))
}

/// a*b + c, rounded once.
unsafe extern "C" fn madd<F: Format>(st: *mut u8, a: u64, b: u64, c: u64, rm: u64) -> u64 {
    with_fenv(st, rm, |_| {
        F::put(F::mul_add(F::get(a), F::get(b), F::get(c)))
    })
}
/// a*b - c.
unsafe extern "C" fn msub<F: Format>(st: *mut u8, a: u64, b: u64, c: u64, rm: u64) -> u64 {
    with_fenv(st, rm, |_| {
        F::put(F::mul_add(F::get(a), F::get(b), F::neg(c)))
    })
}
/// -(a*b) + c.
unsafe extern "C" fn nmsub<F: Format>(st: *mut u8, a: u64, b: u64, c: u64, rm: u64) -> u64 {
    with_fenv(st, rm, |_| {
        F::put(F::mul_add(F::neg(a), F::get(b), F::get(c)))
    })
}
/// -(a*b) - c.
unsafe extern "C" fn nmadd<F: Format>(st: *mut u8, a: u64, b: u64, c: u64, rm: u64) -> u64 {
    with_fenv(st, rm, |_| {
        F::put(F::mul_add(F::neg(a), F::get(b), F::neg(c)))
    })
}

/// The min/max family. `max` picks the larger; `nan_wins` gives the Zfa
/// fminm/fmaxm behaviour (any NaN input → canonical NaN) instead of the
/// IEEE 754-2019 minimumNumber/maximumNumber of fmin/fmax (a NaN input
/// yields the other operand). Signalling NaN inputs set NV; -0 < +0.
unsafe fn min_max<F: Format>(st: *mut u8, a: u64, b: u64, max: bool, nan_wins: bool) -> u64 {
    with_flags(st, || {
        let (x, y) = (F::bits(a), F::bits(b));
        let (x_nan, y_nan) = (F::is_nan(x), F::is_nan(y));
        if F::is_snan(x) || F::is_snan(y) {
            raise_invalid();
        }
        if (x_nan && y_nan) || (nan_wins && (x_nan || y_nan)) {
            return F::CANON;
        }
        if x_nan {
            return F::reg(y);
        }
        if y_nan {
            return F::reg(x);
        }
        let (fx, fy) = (F::get(a), F::get(b));
        let x_less = F::lt_quiet(fx, fy) || (F::eq(fx, fy) && x & F::SIGN != 0);
        F::reg(if x_less != max { x } else { y })
    })
}
unsafe extern "C" fn min<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    min_max::<F>(st, a, b, false, false)
}
unsafe extern "C" fn max<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    min_max::<F>(st, a, b, true, false)
}
unsafe extern "C" fn minm<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    min_max::<F>(st, a, b, false, true)
}
unsafe extern "C" fn maxm<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    min_max::<F>(st, a, b, true, true)
}

/// feq: quiet (NV only for signalling NaNs).
unsafe extern "C" fn eq<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    with_flags(st, || F::eq(F::get(a), F::get(b)) as u64)
}
/// flt: signalling (NV for any NaN).
unsafe extern "C" fn lt<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    with_flags(st, || F::lt(F::get(a), F::get(b)) as u64)
}
/// fle: signalling (NV for any NaN).
unsafe extern "C" fn le<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    with_flags(st, || F::le(F::get(a), F::get(b)) as u64)
}
/// Zfa fltq: quiet.
unsafe extern "C" fn ltq<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    with_flags(st, || F::lt_quiet(F::get(a), F::get(b)) as u64)
}
/// Zfa fleq: quiet.
unsafe extern "C" fn leq<F: Format>(st: *mut u8, a: u64, b: u64, _: u64, _: u64) -> u64 {
    with_flags(st, || F::le_quiet(F::get(a), F::get(b)) as u64)
}

/// fclass: one of ten bits (0 -inf, 1 -normal, 2 -subnormal, 3 -0, 4 +0,
/// 5 +subnormal, 6 +normal, 7 +inf, 8 signalling NaN, 9 quiet NaN).
/// Raises nothing.
unsafe extern "C" fn class<F: Format>(_: *mut u8, a: u64, _: u64, _: u64, _: u64) -> u64 {
    let x = F::bits(a);
    let neg = x & F::SIGN != 0;
    let (exp, frac) = (F::exp(x), F::frac(x));
    let bit = match (exp, frac) {
        (e, 0) if e == F::EXP_MAX => 7,
        (e, _) if e == F::EXP_MAX => return if F::is_snan(x) { 1 << 8 } else { 1 << 9 },
        (0, 0) => 4,
        (0, _) => 5,
        _ => 6,
    };
    1 << if neg { 7 - bit } else { bit }
}

/// fround (`exact` false: no NX) and froundnx (`exact` true).
unsafe extern "C" fn round<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |mode| {
        F::put(F::round_to_int(F::get(a), mode, false))
    })
}
unsafe extern "C" fn roundnx<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |mode| {
        F::put(F::round_to_int(F::get(a), mode, true))
    })
}

// Float → integer. 32-bit results (including unsigned ones) are sign-extended
// into the 64-bit destination.
unsafe extern "C" fn to_w<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |mode| F::to_i32(F::get(a), mode) as i64 as u64)
}
unsafe extern "C" fn to_wu<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |mode| {
        F::to_u32(F::get(a), mode) as i32 as i64 as u64
    })
}
unsafe extern "C" fn to_l<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |mode| F::to_i64(F::get(a), mode) as u64)
}
unsafe extern "C" fn to_lu<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |mode| F::to_u64(F::get(a), mode))
}

// Integer → float; `a` is the raw x register (W forms use its low 32 bits).
unsafe extern "C" fn from_w<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::from_i32(a as i32)))
}
unsafe extern "C" fn from_wu<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::from_u32(a as u32)))
}
unsafe extern "C" fn from_l<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::from_i64(a as i64)))
}
unsafe extern "C" fn from_lu<F: Format>(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| F::put(F::from_u64(a)))
}

/// fcvt.s.d: rounds; NaN → canonical NaN (NV for sNaN).
unsafe extern "C" fn cvt_s_d(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| S::put(sf::f64_to_f32(D::get(a))))
}
/// fcvt.d.s: exact; NaN → canonical NaN (NV for sNaN). Takes `rm` only so a
/// bad dynamic frm can be reported once helpers can trap.
unsafe extern "C" fn cvt_d_s(st: *mut u8, a: u64, rm: u64, _: u64, _: u64) -> u64 {
    with_fenv(st, rm, |_| D::put(sf::f32_to_f64(S::get(a))))
}

/// Zfa fcvtmod.w.d: round toward zero, keep the integer modulo 2^32,
/// sign-extend. NaN and ±inf give 0. NV when the value (after truncation) is
/// not representable in i32 or is NaN/inf (then NX is not reported);
/// otherwise NX when the input was not an integer.
unsafe extern "C" fn cvtmod_w_d(st: *mut u8, a: u64, _: u64, _: u64, _: u64) -> u64 {
    let cpu = &mut *(st as *mut Cpu);
    let (neg, exp, frac) = (a & D::SIGN != 0, D::exp(a), D::frac(a));
    let (result, flags) = if exp == D::EXP_MAX {
        (0, NV)
    } else if exp == 0 {
        (0, if frac != 0 { NX } else { 0 })
    } else {
        // |value| = m * 2^shift with m the 53-bit significand.
        let m = frac | 1 << 52;
        let shift = exp as i64 - 1023 - 52;
        let (int, inexact) = match shift {
            s if s >= 64 => (0u64, false),
            s if s >= 0 => (m << s, false),
            s if s > -64 => (m >> -s, m & ((1u64 << -s) - 1) != 0),
            _ => (0, true),
        };
        let limit = if neg { 1 << 31 } else { (1 << 31) - 1 };
        let invalid = exp > 1023 + 31 || int > limit;
        let value = if neg { int.wrapping_neg() } else { int };
        (
            value as i32 as i64 as u64,
            if invalid {
                NV
            } else if inexact {
                NX
            } else {
                0
            },
        )
    };
    cpu.fflags |= flags;
    result
}

// ---------------------------------------------------------------------------
// The helper table: one line per operation, its single and double instance.

macro_rules! helpers {
    ($($op:ident: $s:ident $s_name:literal, $d:ident $d_name:literal $(=> $inl:ident)?;)*) => { $(
        pub static $s: Helper = Helper {
            name: $s_name,
            func: $op::<S>,
            fp: fp_inline!(false $(, $inl)?),
        };
        pub static $d: Helper = Helper {
            name: $d_name,
            func: $op::<D>,
            fp: fp_inline!(true $(, $inl)?),
        };
    )* };
}

/// The [`FpInline`] description of a helper a backend may compute inline.
macro_rules! fp_inline {
    ($double:expr) => {
        None
    };
    ($double:expr, $op:ident) => {
        Some(FpInline {
            op: FpOp::$op,
            double: $double,
            frm: FRM_OFFSET as u32,
            fflags: FFLAGS_OFFSET as u32,
            flavor: FpFlavor::RiscV,
        })
    };
}

helpers! {
    add: FADD_S "fadd_s", FADD_D "fadd_d" => Add;
    sub: FSUB_S "fsub_s", FSUB_D "fsub_d" => Sub;
    mul: FMUL_S "fmul_s", FMUL_D "fmul_d" => Mul;
    div: FDIV_S "fdiv_s", FDIV_D "fdiv_d" => Div;
    sqrt: FSQRT_S "fsqrt_s", FSQRT_D "fsqrt_d" => Sqrt;
    madd: FMADD_S "fmadd_s", FMADD_D "fmadd_d" => MAdd;
    msub: FMSUB_S "fmsub_s", FMSUB_D "fmsub_d" => MSub;
    nmsub: FNMSUB_S "fnmsub_s", FNMSUB_D "fnmsub_d" => NMSub;
    nmadd: FNMADD_S "fnmadd_s", FNMADD_D "fnmadd_d" => NMAdd;
    min: FMIN_S "fmin_s", FMIN_D "fmin_d";
    max: FMAX_S "fmax_s", FMAX_D "fmax_d";
    minm: FMINM_S "fminm_s", FMINM_D "fminm_d";
    maxm: FMAXM_S "fmaxm_s", FMAXM_D "fmaxm_d";
    eq: FEQ_S "feq_s", FEQ_D "feq_d" => Eq;
    lt: FLT_S "flt_s", FLT_D "flt_d" => Lt;
    le: FLE_S "fle_s", FLE_D "fle_d" => Le;
    ltq: FLTQ_S "fltq_s", FLTQ_D "fltq_d";
    leq: FLEQ_S "fleq_s", FLEQ_D "fleq_d";
    class: FCLASS_S "fclass_s", FCLASS_D "fclass_d";
    round: FROUND_S "fround_s", FROUND_D "fround_d";
    roundnx: FROUNDNX_S "froundnx_s", FROUNDNX_D "froundnx_d";
    to_w: FCVT_W_S "fcvt_w_s", FCVT_W_D "fcvt_w_d";
    to_wu: FCVT_WU_S "fcvt_wu_s", FCVT_WU_D "fcvt_wu_d";
    to_l: FCVT_L_S "fcvt_l_s", FCVT_L_D "fcvt_l_d";
    to_lu: FCVT_LU_S "fcvt_lu_s", FCVT_LU_D "fcvt_lu_d";
    from_w: FCVT_S_W "fcvt_s_w", FCVT_D_W "fcvt_d_w";
    from_wu: FCVT_S_WU "fcvt_s_wu", FCVT_D_WU "fcvt_d_wu";
    from_l: FCVT_S_L "fcvt_s_l", FCVT_D_L "fcvt_d_l";
    from_lu: FCVT_S_LU "fcvt_s_lu", FCVT_D_LU "fcvt_d_lu";
}

pub static FCVT_S_D: Helper = Helper {
    name: "fcvt_s_d",
    func: cvt_s_d,
    fp: None,
};
pub static FCVT_D_S: Helper = Helper {
    name: "fcvt_d_s",
    func: cvt_d_s,
    fp: None,
};
pub static FCVTMOD_W_D: Helper = Helper {
    name: "fcvtmod_w_d",
    func: cvtmod_w_d,
    fp: None,
};

// ---------------------------------------------------------------------------
// IR emission shared by the F, D and Zfa translators.

pub type Translated = Result<(), Illegal>;

/// The rounding-mode field as an IR constant. 5 and 6 are reserved (SIGILL);
/// 7 (dynamic) is resolved by the helper from `frm`.
pub fn rm(cx: &mut Ctx, i: Insn) -> Result<Value, Illegal> {
    match i.rm() {
        5 | 6 => Err(Illegal),
        rm => Ok(cx.b.const_(rm as u64)),
    }
}

/// f[rd] = h(f[rs1], f[rs2], rm)
pub fn f_ff_rm(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let rm = rm(cx, i)?;
    let (a, b) = (cx.f(i.rs1()), cx.f(i.rs2()));
    let r = cx.b.call(h, &[a, b, rm]);
    cx.set_f(i.rd(), r);
    Ok(())
}

/// f[rd] = h(f[rs1], f[rs2], f[rs3], rm)
pub fn f_fff_rm(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let rm = rm(cx, i)?;
    let (a, b, c) = (cx.f(i.rs1()), cx.f(i.rs2()), cx.f(i.rs3()));
    let r = cx.b.call(h, &[a, b, c, rm]);
    cx.set_f(i.rd(), r);
    Ok(())
}

/// f[rd] = h(f[rs1], rm)
pub fn f_f_rm(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let rm = rm(cx, i)?;
    let a = cx.f(i.rs1());
    let r = cx.b.call(h, &[a, rm]);
    cx.set_f(i.rd(), r);
    Ok(())
}

/// f[rd] = h(x[rs1], rm)
pub fn f_x_rm(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let rm = rm(cx, i)?;
    let a = cx.x(i.rs1());
    let r = cx.b.call(h, &[a, rm]);
    cx.set_f(i.rd(), r);
    Ok(())
}

/// x[rd] = h(f[rs1], rm)
pub fn x_f_rm(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let rm = rm(cx, i)?;
    let a = cx.f(i.rs1());
    let r = cx.b.call(h, &[a, rm]);
    cx.set_x(i.rd(), r);
    Ok(())
}

/// f[rd] = h(f[rs1], f[rs2]) (no rounding: min/max)
pub fn f_ff(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let (a, b) = (cx.f(i.rs1()), cx.f(i.rs2()));
    let r = cx.b.call(h, &[a, b]);
    cx.set_f(i.rd(), r);
    Ok(())
}

/// x[rd] = h(f[rs1], f[rs2]) (compares). The helper runs even for rd = x0:
/// it may raise NV.
pub fn x_ff(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let (a, b) = (cx.f(i.rs1()), cx.f(i.rs2()));
    let r = cx.b.call(h, &[a, b]);
    cx.set_x(i.rd(), r);
    Ok(())
}

/// x[rd] = h(f[rs1]) (fclass, fcvtmod.w.d)
pub fn x_f(cx: &mut Ctx, i: Insn, h: &'static Helper) -> Translated {
    let a = cx.f(i.rs1());
    let r = cx.b.call(h, &[a]);
    cx.set_x(i.rd(), r);
    Ok(())
}

/// Single or double, for the helper-free instructions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Width {
    S,
    D,
}

impl Width {
    fn sign(self) -> u64 {
        match self {
            Width::S => 0x8000_0000,
            Width::D => 1 << 63,
        }
    }
}

/// Reads f[r] as a `w` value: for singles, NaN-unboxed in IR (an improperly
/// boxed register reads as the boxed canonical NaN).
fn read_unboxed(cx: &mut Ctx, r: u32, w: Width) -> Value {
    let raw = cx.f(r);
    if w == Width::D {
        return raw;
    }
    let boxed_min = cx.b.const_(BOX);
    let ok = cx.b.cmp(Cond::GeU, raw, boxed_min);
    let nan = cx.b.const_(BOX | CANON_S as u64);
    cx.b.select(ok, raw, nan)
}

/// Sign-injection variants (funct3 of fsgnj*).
#[derive(Clone, Copy)]
pub enum Sgnj {
    /// Sign of rs2.
    Copy,
    /// Opposite of the sign of rs2.
    Negate,
    /// Sign of rs1 xor sign of rs2.
    Xor,
}

/// fsgnj/fsgnjn/fsgnjx: bit operations only, no flags, no canonicalisation
/// (but singles are NaN-unboxed first, as the spec requires of every input).
pub fn sgnj(cx: &mut Ctx, i: Insn, w: Width, kind: Sgnj) -> Translated {
    let a = read_unboxed(cx, i.rs1(), w);
    let b = read_unboxed(cx, i.rs2(), w);
    let sign = cx.b.const_(w.sign());
    let r = match kind {
        Sgnj::Xor => {
            let s = cx.b.and(b, sign);
            cx.b.xor(a, s)
        }
        Sgnj::Copy | Sgnj::Negate => {
            let not_sign = cx.b.const_(!w.sign());
            let magnitude = cx.b.and(a, not_sign);
            let b = if matches!(kind, Sgnj::Negate) {
                cx.b.not(b)
            } else {
                b
            };
            let s = cx.b.and(b, sign);
            cx.b.or(magnitude, s)
        }
    };
    cx.set_f(i.rd(), r);
    Ok(())
}

/// x[rs1] + offset.
fn address(cx: &mut Ctx, rs1: u32, offset: i64) -> Value {
    let base = cx.x(rs1);
    if offset == 0 {
        return base;
    }
    let off = cx.imm(offset);
    cx.b.add(base, off)
}

/// flw / fld: singles are NaN-boxed as they are loaded.
pub fn load(cx: &mut Ctx, i: Insn, w: Width) -> Translated {
    let addr = address(cx, i.rs1(), i.imm_i());
    let v = match w {
        Width::D => cx.b.load(MemOp::U64, addr),
        Width::S => {
            let v = cx.b.load(MemOp::U32, addr);
            let high = cx.b.const_(BOX);
            cx.b.or(v, high)
        }
    };
    cx.set_f(i.rd(), v);
    Ok(())
}

/// fsw / fsd: fsw stores the low 32 bits of the raw register (no unboxing).
pub fn store(cx: &mut Ctx, i: Insn, w: Width) -> Translated {
    let addr = address(cx, i.rs1(), i.imm_s());
    let v = cx.f(i.rs2());
    cx.b.store(
        if w == Width::S {
            MemOp::U32
        } else {
            MemOp::U64
        },
        addr,
        v,
    );
    Ok(())
}
