//! Tests of the riscv64 floating-point frontend (F, D, Zfa, FP CSR access):
//! the soft-float helpers called directly on a [`Cpu`] with exact bit
//! patterns and fflags, the decoder lines, IR shapes, and a few short guest
//! sequences run through the IR interpreter.
//!
//! The helpers are private to `translate`, so a test finds the helper of an
//! instruction the way the engine does: it translates the instruction and
//! takes the helper out of the block's `Call`.

use super::cpu::{f_offset, x_offset, Cpu};
use super::decode::lookup;
use super::translate::{translate_block, MAX_BLOCK_INSNS, TABLES};
use crate::backend::interp::{BlockExit, Machine};
use crate::guest::CodeFetch;
use crate::ir::{verify, Block, ExitReason, Helper, Op, Terminator};

const NV: u64 = 16;
const DZ: u64 = 8;
const OF: u64 = 4;
const UF: u64 = 2;
const NX: u64 = 1;

const RNE: u64 = 0;
const RTZ: u64 = 1;
const RDN: u64 = 2;
const RUP: u64 = 3;
const RMM: u64 = 4;
const DYN: u64 = 7;

const BOX: u64 = 0xffff_ffff_0000_0000;
const CANON_D: u64 = 0x7ff8_0000_0000_0000;
const CANON_S: u64 = BOX | 0x7fc0_0000;
const SNAN_D: u64 = 0x7ff4_0000_0000_0000;
const QNAN_D: u64 = 0x7ff8_0000_0000_0001;
const SNAN_S: u64 = BOX | 0x7fa0_0000;
const QNAN_S: u64 = BOX | 0x7fc0_0001;
const MAX_D: u64 = 0x7fef_ffff_ffff_ffff;
const INF_D: u64 = 0x7ff0_0000_0000_0000;

fn d(x: f64) -> u64 {
    x.to_bits()
}
fn s(x: f32) -> u64 {
    BOX | x.to_bits() as u64
}

/// Guest code at 0x1000 for the translator.
struct Code(Vec<u8>);

const CODE_BASE: u64 = 0x1000;

impl CodeFetch for Code {
    fn fetch_u16(&self, addr: u64) -> Option<u16> {
        let i = usize::try_from(addr.checked_sub(CODE_BASE)?).ok()?;
        Some(u16::from_le_bytes([*self.0.get(i)?, *self.0.get(i + 1)?]))
    }
}

fn translate(words: &[u32]) -> Block {
    let code = Code(words.iter().flat_map(|w| w.to_le_bytes()).collect());
    let block = translate_block(CODE_BASE, &code, MAX_BLOCK_INSNS);
    verify(&block).unwrap_or_else(|e| panic!("{e}\n{block}"));
    block
}

/// The instruction word of table line `name` with every free field zero
/// (so registers x0/f0 and rm = RNE where there is one).
fn word_of(name: &str) -> u32 {
    let line = TABLES
        .iter()
        .flat_map(|t| t.iter())
        .find(|p| p.name == name);
    line.unwrap_or_else(|| panic!("no table line {name}")).bits
}

/// The helper that instruction `name` calls (exactly one call expected).
fn helper(name: &str) -> &'static Helper {
    let block = translate(&[word_of(name)]);
    let calls: Vec<_> = block.insts.iter().filter(|i| i.op == Op::Call).collect();
    assert_eq!(calls.len(), 1, "{name}:\n{block}");
    // SAFETY: Call immediates come from Helper::to_imm.
    unsafe { Helper::from_imm(calls[0].imm) }
}

/// A fresh CPU with dynamic rounding mode `frm`.
fn cpu_with_frm(frm: u64) -> Cpu {
    Cpu {
        frm,
        ..Cpu::default()
    }
}

/// Calls the helper of `name` with `args` (unused trailing ones zero) on
/// `cpu`; returns the result and the fflags accrued.
fn call_on(cpu: &mut Cpu, name: &str, args: &[u64]) -> (u64, u64) {
    let h = helper(name);
    let mut a = [0u64; 4];
    a[..args.len()].copy_from_slice(args);
    cpu.fflags = 0;
    // SAFETY: the helper gets a live Cpu.
    let r = unsafe { (h.func)(cpu as *mut Cpu as *mut u8, a[0], a[1], a[2], a[3]) };
    (r, cpu.fflags)
}

fn call(name: &str, args: &[u64]) -> (u64, u64) {
    call_on(&mut Cpu::default(), name, args)
}

#[test]
fn helpers_are_named_after_their_instructions() {
    for name in [
        "fadd_d",
        "fmadd_s",
        "fcvt_wu_d",
        "fcvt_d_lu",
        "fcvt_s_d",
        "fclass_s",
        "fltq_d",
        "fcvtmod_w_d",
    ] {
        assert_eq!(helper(name).name, name);
    }
}

#[test]
fn add_exact_and_inexact() {
    assert_eq!(call("fadd_d", &[d(1.0), d(2.0), RNE]), (d(3.0), 0));
    assert_eq!(
        call("fadd_d", &[d(0.1), d(0.2), RNE]),
        (0x3fd3_3333_3333_3334, NX)
    );
    assert_eq!(call("fadd_s", &[s(1.0), s(2.0), RNE]), (s(3.0), 0));
    assert_eq!(call("fsub_d", &[d(1.0), d(1.0), RDN]), (d(-0.0), 0));
    assert_eq!(call("fsub_d", &[d(1.0), d(1.0), RNE]), (d(0.0), 0));
}

#[test]
fn divide_by_zero_and_invalid() {
    assert_eq!(call("fdiv_d", &[d(1.0), d(0.0), RNE]), (INF_D, DZ));
    assert_eq!(
        call("fdiv_d", &[d(-1.0), d(0.0), RNE]),
        (INF_D | 1 << 63, DZ)
    );
    assert_eq!(call("fdiv_d", &[d(0.0), d(0.0), RNE]), (CANON_D, NV));
    assert_eq!(call("fdiv_s", &[s(0.0), s(0.0), RNE]), (CANON_S, NV));
    assert_eq!(call("fsqrt_d", &[d(-1.0), RNE]), (CANON_D, NV));
    assert_eq!(call("fsqrt_s", &[s(-1.0), RNE]), (CANON_S, NV));
    assert_eq!(call("fsqrt_d", &[d(4.0), RNE]), (d(2.0), 0));
    assert_eq!(call("fsqrt_d", &[d(-0.0), RNE]), (d(-0.0), 0));
    // NaN operands give the canonical NaN, NV only for signalling ones.
    assert_eq!(call("fadd_d", &[QNAN_D, d(1.0), RNE]), (CANON_D, 0));
    assert_eq!(call("fadd_d", &[SNAN_D, d(1.0), RNE]), (CANON_D, NV));
    assert_eq!(call("fmul_d", &[INF_D, d(0.0), RNE]), (CANON_D, NV));
}

#[test]
fn overflow_result_depends_on_rounding_mode() {
    let expect = [
        (RNE, INF_D),
        (RTZ, MAX_D),
        (RDN, MAX_D),
        (RUP, INF_D),
        (RMM, INF_D),
    ];
    for (rm, want) in expect {
        assert_eq!(
            call("fmul_d", &[MAX_D, d(2.0), rm]),
            (want, OF | NX),
            "rm {rm}"
        );
    }
    let neg = |x: u64| x | 1 << 63;
    let expect = [
        (RNE, INF_D),
        (RTZ, MAX_D),
        (RDN, INF_D),
        (RUP, MAX_D),
        (RMM, INF_D),
    ];
    for (rm, want) in expect {
        assert_eq!(
            call("fmul_d", &[neg(MAX_D), d(2.0), rm]),
            (neg(want), OF | NX),
            "rm {rm}"
        );
    }
    assert_eq!(
        call("fmul_s", &[s(f32::MAX), s(2.0), RTZ]),
        (s(f32::MAX), OF | NX)
    );
    assert_eq!(
        call("fmul_s", &[s(f32::MAX), s(2.0), RNE]),
        (s(f32::INFINITY), OF | NX)
    );
}

#[test]
fn ties_and_directed_rounding_in_all_five_modes() {
    let one_ulp = d(1.0) + 1; // 1 + 2^-52
    let half_ulp = d(2f64.powi(-53));
    let expect = [
        (RNE, d(1.0)),
        (RTZ, d(1.0)),
        (RDN, d(1.0)),
        (RUP, one_ulp),
        (RMM, one_ulp),
    ];
    for (rm, want) in expect {
        assert_eq!(
            call("fadd_d", &[d(1.0), half_ulp, rm]),
            (want, NX),
            "rm {rm}"
        );
    }
    // A tie whose even neighbour is the upper one: RNE rounds up too.
    let expect = [
        (RNE, one_ulp + 1),
        (RTZ, one_ulp),
        (RDN, one_ulp),
        (RUP, one_ulp + 1),
        (RMM, one_ulp + 1),
    ];
    for (rm, want) in expect {
        assert_eq!(
            call("fadd_d", &[one_ulp, half_ulp, rm]),
            (want, NX),
            "rm {rm}"
        );
    }
    // Negative ties: directed modes go the other way.
    let neg = |x: u64| x | 1 << 63;
    let expect = [
        (RNE, d(-1.0)),
        (RTZ, d(-1.0)),
        (RDN, neg(one_ulp)),
        (RUP, d(-1.0)),
        (RMM, neg(one_ulp)),
    ];
    for (rm, want) in expect {
        assert_eq!(
            call("fsub_d", &[d(-1.0), half_ulp, rm]),
            (want, NX),
            "rm {rm}"
        );
    }
}

#[test]
fn dynamic_rounding_mode_reads_frm() {
    let mut cpu = cpu_with_frm(RTZ);
    assert_eq!(
        call_on(&mut cpu, "fmul_d", &[MAX_D, d(2.0), DYN]),
        (MAX_D, OF | NX)
    );
    let mut cpu = cpu_with_frm(RUP);
    assert_eq!(
        call_on(&mut cpu, "fadd_d", &[d(1.0), d(2f64.powi(-60)), DYN]),
        (d(1.0) + 1, NX)
    );
    // A static mode ignores frm.
    assert_eq!(
        call_on(&mut cpu, "fadd_d", &[d(1.0), d(2f64.powi(-60)), RNE]),
        (d(1.0), NX)
    );
}

#[test]
fn flags_accrue_and_are_never_cleared_by_helpers() {
    let mut cpu = Cpu::default();
    let h = helper("fdiv_d");
    let st = &mut cpu as *mut Cpu as *mut u8;
    // SAFETY: live Cpu.
    unsafe {
        (h.func)(st, d(1.0), d(0.0), RNE, 0);
        (h.func)(st, d(1.0), d(3.0), RNE, 0);
        (h.func)(st, d(4.0), d(2.0), RNE, 0);
    }
    assert_eq!(cpu.fflags, DZ | NX);
}

#[test]
fn underflow_of_tiny_results() {
    assert_eq!(
        call("fmul_d", &[d(1e-300), d(1e-300), RNE]),
        (d(0.0), UF | NX)
    );
    assert_eq!(call("fmul_d", &[d(1e-300), d(1e-300), RUP]), (1, UF | NX));
    assert_eq!(
        call("fmul_s", &[s(1e-30), s(1e-30), RNE]),
        (s(0.0), UF | NX)
    );
    // An exact subnormal result is not an underflow.
    assert_eq!(
        call("fmul_d", &[d(f64::MIN_POSITIVE), d(0.5), RNE]),
        (1 << 51, 0)
    );
    // Tininess is detected after rounding: (2^-1022 + 2^-1074) * (1 - 2^-52)
    // = 2^-1022 * (1 - 2^-104) rounds to the smallest normal with an
    // unbounded exponent, so RNE is not an underflow, only inexact; RTZ
    // stays below it (tiny, rounds to the largest subnormal).
    let a = 0x0010_0000_0000_0001;
    let b = 0x3fef_ffff_ffff_fffe;
    assert_eq!(call("fmul_d", &[a, b, RNE]), (d(f64::MIN_POSITIVE), NX));
    assert_eq!(
        call("fmul_d", &[a, b, RTZ]),
        (0x000f_ffff_ffff_ffff, UF | NX)
    );
    // A normal result can still follow an underflow: exactly halfway below
    // the smallest normal, RNE rounds up to it, but it was tiny.
    assert_eq!(
        call(
            "fmul_d",
            &[d(f64::MIN_POSITIVE), 0x3fef_ffff_ffff_ffff, RNE]
        ),
        (d(f64::MIN_POSITIVE), UF | NX)
    );
}

#[test]
fn fcvt_w_d_saturates_and_rounds() {
    assert_eq!(call("fcvt_w_d", &[CANON_D, RNE]), (0x7fff_ffff, NV));
    assert_eq!(call("fcvt_w_d", &[SNAN_D, RNE]), (0x7fff_ffff, NV));
    assert_eq!(call("fcvt_w_d", &[INF_D, RNE]), (0x7fff_ffff, NV));
    assert_eq!(
        call("fcvt_w_d", &[INF_D | 1 << 63, RNE]),
        (0xffff_ffff_8000_0000, NV)
    );
    assert_eq!(
        call("fcvt_w_d", &[d(-3e9), RNE]),
        (0xffff_ffff_8000_0000, NV)
    );
    assert_eq!(call("fcvt_w_d", &[d(-1.0), RNE]), (u64::MAX, 0));
    for (rm, want) in [(RNE, 4), (RTZ, 3), (RDN, 3), (RUP, 4), (RMM, 4)] {
        assert_eq!(call("fcvt_w_d", &[d(3.5), rm]), (want, NX), "rm {rm}");
    }
    for (rm, want) in [(RNE, -4i64), (RTZ, -3), (RDN, -4), (RUP, -3), (RMM, -4)] {
        assert_eq!(
            call("fcvt_w_d", &[d(-3.5), rm]),
            (want as u64, NX),
            "rm {rm}"
        );
    }
    for (rm, want) in [(RNE, 2), (RTZ, 2), (RDN, 2), (RUP, 3), (RMM, 3)] {
        assert_eq!(call("fcvt_w_d", &[d(2.5), rm]), (want, NX), "rm {rm}");
    }
    // The dynamic mode is the one the conversion uses.
    let mut cpu = cpu_with_frm(RMM);
    assert_eq!(call_on(&mut cpu, "fcvt_w_d", &[d(2.5), DYN]), (3, NX));
}

#[test]
fn unsigned_and_64_bit_conversions() {
    assert_eq!(call("fcvt_wu_d", &[d(-1.0), RNE]), (0, NV));
    assert_eq!(call("fcvt_wu_d", &[d(-0.5), RTZ]), (0, NX));
    assert_eq!(call("fcvt_wu_d", &[d(-0.5), RDN]), (0, NV));
    // 32-bit unsigned results are sign-extended into rd.
    assert_eq!(call("fcvt_wu_d", &[d(4294967295.0), RNE]), (u64::MAX, 0));
    assert_eq!(
        call("fcvt_wu_d", &[d(2147483648.0), RNE]),
        (0xffff_ffff_8000_0000, 0)
    );
    assert_eq!(call("fcvt_wu_d", &[CANON_D, RNE]), (u64::MAX, NV));
    assert_eq!(call("fcvt_wu_d", &[d(5e9), RNE]), (u64::MAX, NV));
    assert_eq!(
        call("fcvt_l_d", &[d(2f64.powi(63)), RNE]),
        (i64::MAX as u64, NV)
    );
    assert_eq!(
        call("fcvt_l_d", &[d(-(2f64.powi(63))), RNE]),
        (i64::MIN as u64, 0)
    );
    assert_eq!(call("fcvt_l_d", &[CANON_D, RNE]), (i64::MAX as u64, NV));
    assert_eq!(
        call("fcvt_l_d", &[INF_D | 1 << 63, RNE]),
        (i64::MIN as u64, NV)
    );
    assert_eq!(call("fcvt_lu_d", &[d(-1.0), RNE]), (0, NV));
    assert_eq!(call("fcvt_lu_d", &[d(2f64.powi(64)), RNE]), (u64::MAX, NV));
    assert_eq!(call("fcvt_lu_d", &[d(2f64.powi(63)), RNE]), (1 << 63, 0));
    assert_eq!(call("fcvt_w_s", &[s(-2.5), RNE]), (-2i64 as u64, NX));
    assert_eq!(call("fcvt_lu_s", &[s(1e10), RNE]), (10_000_000_000, 0));
    // An improperly boxed single reads as NaN.
    assert_eq!(call("fcvt_w_s", &[0x3f80_0000, RNE]), (0x7fff_ffff, NV));
}

#[test]
fn integer_to_float_conversions() {
    // W forms use the low 32 bits of x[rs1].
    assert_eq!(
        call("fcvt_s_w", &[0x1234_5678_ffff_ffff, RNE]),
        (s(-1.0), 0)
    );
    assert_eq!(
        call("fcvt_s_wu", &[0xffff_ffff, RNE]),
        (s(4294967296.0), NX)
    );
    assert_eq!(
        call("fcvt_s_wu", &[0xffff_ffff, RTZ]),
        (s(4294967040.0), NX)
    );
    assert_eq!(
        call("fcvt_d_w", &[0xffff_ffff_8000_0000, RNE]),
        (d(-2147483648.0), 0)
    );
    assert_eq!(call("fcvt_d_wu", &[0xffff_ffff, RNE]), (d(4294967295.0), 0));
    assert_eq!(
        call("fcvt_d_l", &[(1 << 53) + 1, RNE]),
        (d(2f64.powi(53)), NX)
    );
    assert_eq!(
        call("fcvt_d_l", &[(1 << 53) + 1, RUP]),
        (d(2f64.powi(53)) + 1, NX)
    );
    assert_eq!(call("fcvt_d_lu", &[u64::MAX, RNE]), (d(2f64.powi(64)), NX));
    assert_eq!(
        call("fcvt_s_l", &[-(1i64 << 24) as u64 - 1, RNE]),
        (s(-16777216.0), NX)
    );
    assert_eq!(call("fcvt_s_lu", &[1 << 40, RNE]), (s(2f32.powi(40)), 0));
}

#[test]
fn precision_conversions() {
    assert_eq!(call("fcvt_s_d", &[d(0.1), RNE]), (s(0.1), NX));
    assert_eq!(
        call("fcvt_s_d", &[d(1e300), RNE]),
        (s(f32::INFINITY), OF | NX)
    );
    assert_eq!(call("fcvt_s_d", &[d(1e300), RTZ]), (s(f32::MAX), OF | NX));
    assert_eq!(call("fcvt_s_d", &[SNAN_D, RNE]), (CANON_S, NV));
    assert_eq!(call("fcvt_s_d", &[QNAN_D, RNE]), (CANON_S, 0));
    assert_eq!(call("fcvt_d_s", &[s(0.1), RNE]), (d(0.1f32 as f64), 0));
    assert_eq!(call("fcvt_d_s", &[SNAN_S, RNE]), (CANON_D, NV));
    assert_eq!(call("fcvt_d_s", &[QNAN_S, RNE]), (CANON_D, 0));
    assert_eq!(
        call("fcvt_d_s", &[0x3f80_0000, RNE]),
        (CANON_D, 0),
        "improperly boxed"
    );
}

#[test]
fn singles_are_nan_unboxed_and_results_boxed() {
    // 1.0f with the upper half not all ones reads as the canonical NaN.
    assert_eq!(call("fadd_s", &[0x3f80_0000, s(1.0), RNE]), (CANON_S, 0));
    assert_eq!(
        call("fadd_s", &[0xffff_fffe_3f80_0000, s(1.0), RNE]),
        (CANON_S, 0)
    );
    assert_eq!(call("fadd_s", &[s(1.0), s(1.0), RNE]), (s(2.0), 0));
    assert_eq!(
        call("fmadd_s", &[s(2.0), s(3.0), 0x3f80_0000, RNE]),
        (CANON_S, 0)
    );
    assert_eq!(call("fclass_s", &[d(1.0)]), (1 << 9, 0));
    assert_eq!(call("fmin_s", &[0x3f80_0000, s(5.0)]), (s(5.0), 0));
    assert_eq!(call("feq_s", &[0x3f80_0000, 0x3f80_0000]), (0, 0));
}

#[test]
fn min_max_are_minimum_number_with_signed_zeros() {
    for (min, max, nan, snan, canon, one, neg0, pos0) in [
        (
            "fmin_d",
            "fmax_d",
            QNAN_D,
            SNAN_D,
            CANON_D,
            d(1.0),
            d(-0.0),
            d(0.0),
        ),
        (
            "fmin_s",
            "fmax_s",
            QNAN_S,
            SNAN_S,
            CANON_S,
            s(1.0),
            s(-0.0),
            s(0.0),
        ),
    ] {
        for op in [min, max] {
            assert_eq!(call(op, &[snan, one]), (one, NV), "{op}");
            assert_eq!(call(op, &[one, snan]), (one, NV), "{op}");
            assert_eq!(call(op, &[nan, one]), (one, 0), "{op}");
            assert_eq!(call(op, &[one, nan]), (one, 0), "{op}");
            assert_eq!(call(op, &[nan, nan]), (canon, 0), "{op}");
            assert_eq!(call(op, &[snan, nan]), (canon, NV), "{op}");
        }
        assert_eq!(call(min, &[neg0, pos0]), (neg0, 0));
        assert_eq!(call(min, &[pos0, neg0]), (neg0, 0));
        assert_eq!(call(max, &[neg0, pos0]), (pos0, 0));
        assert_eq!(call(max, &[pos0, neg0]), (pos0, 0));
    }
    assert_eq!(call("fmin_d", &[d(-3.0), d(2.0)]), (d(-3.0), 0));
    assert_eq!(call("fmax_d", &[d(-3.0), d(2.0)]), (d(2.0), 0));
    assert_eq!(call("fmax_d", &[INF_D, d(2.0)]), (INF_D, 0));
}

#[test]
fn compares_signal_as_the_spec_says() {
    assert_eq!(call("feq_d", &[QNAN_D, d(1.0)]), (0, 0));
    assert_eq!(call("feq_d", &[SNAN_D, d(1.0)]), (0, NV));
    assert_eq!(call("flt_d", &[QNAN_D, d(1.0)]), (0, NV));
    assert_eq!(call("fle_d", &[d(1.0), QNAN_D]), (0, NV));
    assert_eq!(call("feq_d", &[d(-0.0), d(0.0)]), (1, 0));
    assert_eq!(call("flt_d", &[d(-0.0), d(0.0)]), (0, 0));
    assert_eq!(call("fle_d", &[d(-0.0), d(0.0)]), (1, 0));
    assert_eq!(call("flt_d", &[d(1.0), d(2.0)]), (1, 0));
    assert_eq!(call("feq_s", &[QNAN_S, s(1.0)]), (0, 0));
    assert_eq!(call("flt_s", &[QNAN_S, s(1.0)]), (0, NV));
    assert_eq!(call("fle_s", &[s(2.0), s(2.0)]), (1, 0));
}

#[test]
fn fclass_reports_each_of_the_ten_classes() {
    let min_sub_d = 1u64;
    let cases_d = [
        (INF_D | 1 << 63, 0),
        (d(-1.0), 1),
        (min_sub_d | 1 << 63, 2),
        (d(-0.0), 3),
        (d(0.0), 4),
        (min_sub_d, 5),
        (d(1.0), 6),
        (INF_D, 7),
        (SNAN_D, 8),
        (QNAN_D, 9),
        (CANON_D, 9),
        (SNAN_D | 1 << 63, 8),
    ];
    for (x, bit) in cases_d {
        assert_eq!(call("fclass_d", &[x]), (1 << bit, 0), "{x:#x}");
    }
    let cases_s = [
        (s(f32::NEG_INFINITY), 0),
        (s(-1.0), 1),
        (BOX | 0x8000_0001, 2),
        (s(-0.0), 3),
        (s(0.0), 4),
        (BOX | 1, 5),
        (s(1.0), 6),
        (s(f32::INFINITY), 7),
        (SNAN_S, 8),
        (QNAN_S, 9),
    ];
    for (x, bit) in cases_s {
        assert_eq!(call("fclass_s", &[x]), (1 << bit, 0), "{x:#x}");
    }
}

#[test]
fn fused_multiply_add_rounds_once() {
    // a = b = 1 + 2^-27: a*b = 1 + 2^-26 + 2^-54 exactly. With
    // c = -(1 + 2^-26), the fused result is 2^-54; a*b rounded first gives 0.
    let a = d(1.0 + 2f64.powi(-27));
    let c = d(-(1.0 + 2f64.powi(-26)));
    assert_eq!(call("fmadd_d", &[a, a, c, RNE]), (d(2f64.powi(-54)), 0));
    let (p, _) = call("fmul_d", &[a, a, RNE]);
    assert_eq!(call("fadd_d", &[p, c, RNE]), (d(0.0), 0));
    // The sign variants.
    assert_eq!(call("fmadd_d", &[d(1.0), d(2.0), d(3.0), RNE]), (d(5.0), 0));
    assert_eq!(
        call("fmsub_d", &[d(1.0), d(2.0), d(3.0), RNE]),
        (d(-1.0), 0)
    );
    assert_eq!(
        call("fnmsub_d", &[d(1.0), d(2.0), d(3.0), RNE]),
        (d(1.0), 0)
    );
    assert_eq!(
        call("fnmadd_d", &[d(1.0), d(2.0), d(3.0), RNE]),
        (d(-5.0), 0)
    );
    assert_eq!(
        call("fnmadd_s", &[s(1.0), s(2.0), s(3.0), RNE]),
        (s(-5.0), 0)
    );
    assert_eq!(
        call("fmsub_s", &[s(1.0), s(2.0), s(3.0), RNE]),
        (s(-1.0), 0)
    );
    // inf * 0 + qNaN is invalid (the spec requires NV here).
    assert_eq!(
        call("fmadd_d", &[INF_D, d(0.0), QNAN_D, RNE]),
        (CANON_D, NV)
    );
    // Exact zero sums take the rounding mode's sign.
    assert_eq!(
        call("fmadd_d", &[d(1.0), d(1.0), d(-1.0), RDN]),
        (d(-0.0), 0)
    );
    // fnmadd is (-a)*b - c: -(1*1) + 1 = +0 under RNE, as in Spike.
    assert_eq!(
        call("fnmadd_d", &[d(1.0), d(1.0), d(-1.0), RNE]),
        (d(0.0), 0)
    );
}

#[test]
fn zfa_minm_maxm_propagate_nan() {
    assert_eq!(call("fminm_d", &[QNAN_D, d(1.0)]), (CANON_D, 0));
    assert_eq!(call("fmaxm_d", &[d(1.0), SNAN_D]), (CANON_D, NV));
    assert_eq!(call("fminm_s", &[s(1.0), QNAN_S]), (CANON_S, 0));
    assert_eq!(call("fminm_d", &[d(-0.0), d(0.0)]), (d(-0.0), 0));
    assert_eq!(call("fmaxm_s", &[s(-0.0), s(0.0)]), (s(0.0), 0));
}

#[test]
fn zfa_round_to_integer() {
    assert_eq!(call("fround_d", &[d(2.5), RNE]), (d(2.0), 0));
    assert_eq!(call("froundnx_d", &[d(2.5), RNE]), (d(2.0), NX));
    assert_eq!(call("fround_d", &[d(2.5), RMM]), (d(3.0), 0));
    assert_eq!(call("fround_d", &[d(-0.5), RUP]), (d(-0.0), 0));
    assert_eq!(call("froundnx_s", &[s(7.0), RNE]), (s(7.0), 0));
    assert_eq!(call("fround_s", &[s(-1.5), RDN]), (s(-2.0), 0));
    assert_eq!(call("fround_d", &[SNAN_D, RNE]), (CANON_D, NV));
    assert_eq!(call("fround_d", &[INF_D, RNE]), (INF_D, 0));
}

#[test]
fn zfa_quiet_compares() {
    assert_eq!(call("fltq_d", &[QNAN_D, d(1.0)]), (0, 0));
    assert_eq!(call("fleq_d", &[QNAN_D, d(1.0)]), (0, 0));
    assert_eq!(call("fltq_d", &[SNAN_D, d(1.0)]), (0, NV));
    assert_eq!(call("fleq_s", &[s(1.0), s(1.0)]), (1, 0));
    assert_eq!(call("fltq_s", &[s(1.0), s(1.0)]), (0, 0));
}

#[test]
fn zfa_fcvtmod_w_d_wraps_modulo_2_pow_32() {
    let neg = |x: u64| x | 1 << 63;
    let cases: [(u64, u64, u64); 18] = [
        (d(0.0), 0, 0),
        (d(-0.0), 0, 0),
        (1, 0, NX),
        (neg(0x0000_ffff_ffff_ffff), 0, NX),
        (INF_D, 0, NV),
        (neg(INF_D), 0, NV),
        (CANON_D, 0, NV),
        (d(0.5), 0, NX),
        (d(-1.0), u64::MAX, 0),
        (d(-1.5), u64::MAX, NX),
        (d(2147483647.0), 0x7fff_ffff, 0),
        (d(2147483648.0), 0xffff_ffff_8000_0000, NV),
        (d(2147483649.0), 0xffff_ffff_8000_0001, NV),
        (d(-2147483648.0), 0xffff_ffff_8000_0000, 0),
        (d(-2147483649.0), 0x7fff_ffff, NV),
        (d(-2147483650.0), 0x7fff_fffe, NV),
        (d(2f64.powi(32) * 3.0 + 5.0), 5, NV),
        (d(2f64.powi(80)), 0, NV),
    ];
    for (x, want, flags) in cases {
        assert_eq!(call("fcvtmod_w_d", &[x]), (want, flags), "{x:#x}");
    }
}

// ---------------------------------------------------------------------------
// Decoding and IR shape.

/// Translates `words` and returns the printed IR.
fn ir(words: &[u32]) -> String {
    translate(words).to_string()
}

#[test]
fn fadd_d_ir_golden() {
    // fadd.d fa0, fa1, fa2 (rm = dyn), as assembled by binutils.
    let f = |r: u32| f_offset(r);
    assert_eq!(
        ir(&[0x02c5_f553]),
        format!(
            "block 0x1000 (4 bytes, 1 insns):\n  InsnStart pc=0x1000\n  v0 = Const 0x7\n  \
             v1 = GetReg state+{}\n  v2 = GetReg state+{}\n  v3 = Call v1, v2, v0, @fadd_d\n  \
             SetReg v3, state+{}\n  jump 0x1004\n",
            f(11),
            f(12),
            f(10)
        )
    );
}

#[test]
fn flw_nan_boxes_and_fsw_stores_low_half() {
    // flw ft0, 8(a0); fsw ft0, -4(a1)
    let text = ir(&[0x0085_2007, 0xfe05_ae27]);
    let x = |r: u32| x_offset(r);
    assert_eq!(
        text,
        format!(
            "block 0x1000 (8 bytes, 2 insns):\n  InsnStart pc=0x1000\n  v0 = GetReg state+{}\n  \
             v1 = Const 0x8\n  v2 = Add v0, v1\n  v3 = Load v2, u32\n  v4 = Const 0xffffffff00000000\n  \
             v5 = Or v3, v4\n  SetReg v5, state+{}\n  InsnStart pc=0x1004\n  v6 = GetReg state+{}\n  \
             v7 = Const 0xfffffffffffffffc\n  v8 = Add v6, v7\n  v9 = GetReg state+{}\n  \
             Store v8, v9, u32\n  jump 0x1008\n",
            x(10),
            f_offset(0),
            x(11),
            f_offset(0)
        )
    );
}

#[test]
fn reserved_rounding_modes_are_illegal() {
    // fadd.d fa0, fa1, fa2 with rm = 5, 6: SIGILL at that pc; rm = 0..=4, 7 fine.
    for rm in 0..8u32 {
        let word = (0x02c5_f553 & !(7 << 12)) | rm << 12;
        let block = translate(&[word]);
        let illegal = block.term
            == Terminator::Exit {
                reason: ExitReason::IllegalInstruction,
                pc: CODE_BASE,
            };
        assert_eq!(illegal, rm == 5 || rm == 6, "rm {rm}:\n{block}");
    }
    // Also for conversions that are always exact (fcvt.d.s, fcvt.d.w).
    for name in [
        "fcvt_d_s", "fcvt_d_w", "fsqrt_s", "fmadd_d", "fcvt_w_s", "fround_d",
    ] {
        let block = translate(&[word_of(name) | 5 << 12]);
        assert_eq!(
            block.term,
            Terminator::Exit {
                reason: ExitReason::IllegalInstruction,
                pc: CODE_BASE
            },
            "{name}"
        );
    }
}

#[test]
fn fixed_funct3_encodings_reject_other_values() {
    // fsgnj.d with funct3 = 3 and fmin.d with funct3 = 2 (fminm.d in Zfa) etc.
    assert!(lookup(word_of("fsgnj_d") | 3 << 12).is_none());
    assert_eq!(
        lookup(word_of("fmin_d") | 2 << 12).map(|p| p.name),
        Some("fminm_d")
    );
    assert!(lookup(word_of("fmin_d") | 4 << 12).is_none());
    assert!(lookup(word_of("fmv_x_d") | 2 << 12).is_none());
    assert!(
        lookup(word_of("fcvtmod_w_d") & !(7 << 12)).is_none(),
        "fcvtmod.w.d requires rm = rtz"
    );
    // RV32-only Zfa moves are not decoded on RV64.
    assert!(lookup(0xe210_0553).is_none(), "fmvh.x.d");
    assert!(lookup(0xb221_0553).is_none(), "fmvp.d.x");
}

#[test]
fn fp_table_lines_overlap_no_other_line() {
    // The F, D and Zfa tables: the ones holding fadd.s, fadd.d and fli.s.
    let fp_tables: Vec<_> = ["fadd_s", "fadd_d", "fli_s"]
        .iter()
        .map(|n| {
            TABLES
                .iter()
                .find(|t| t.iter().any(|p| p.name == *n))
                .unwrap()
        })
        .collect();
    let all: Vec<_> = TABLES.iter().flat_map(|t| t.iter()).collect();
    for p in fp_tables.iter().flat_map(|t| t.iter()) {
        for q in &all {
            let common = p.mask & q.mask;
            let same_line = (p.name, p.mask, p.bits) == (q.name, q.mask, q.bits);
            if !same_line && p.bits & common == q.bits & common {
                panic!("{} and {} overlap", p.name, q.name);
            }
        }
    }
}

#[test]
fn mnemonics_agree_with_capstone() {
    use capstone::prelude::*;
    let cs = Capstone::new()
        .riscv()
        .mode(arch::riscv::ArchMode::RiscV64)
        .build()
        .unwrap();
    let mut checked = 0;
    for name in super::translate::TABLES
        .iter()
        .flat_map(|t| t.iter())
        .map(|p| p.name)
    {
        if !(name.starts_with('f')) || name.starts_with("fence") {
            continue;
        }
        // Distinct registers (so no pseudo-instruction aliases), rm = rne where free.
        let p = TABLES
            .iter()
            .flat_map(|t| t.iter())
            .find(|p| p.name == name)
            .unwrap();
        let fields = 1 << 7 | 2 << 15 | 3 << 20 | 4 << 27;
        let word = p.bits | (fields & !p.mask);
        if lookup(word).map(|q| q.name) != Some(name) {
            continue;
        }
        let Ok(insns) = cs.disasm_all(&word.to_le_bytes(), 0) else {
            continue;
        };
        let Some(insn) = insns.iter().next() else {
            continue;
        };
        let mnemonic = insn.mnemonic().unwrap_or("");
        if mnemonic.is_empty() {
            continue;
        }
        assert_eq!(
            mnemonic.replace('.', "_"),
            name,
            "{word:#010x}: {} {}",
            mnemonic,
            insn.op_str().unwrap_or("")
        );
        checked += 1;
    }
    assert!(checked >= 60, "capstone checked only {checked} lines");
}

// ---------------------------------------------------------------------------
// Short guest sequences through the IR interpreter.

/// Runs `words` as one block on `cpu` with 4 KiB of guest memory at 0.
fn run(words: &[u32], cpu: &mut Cpu, mem: &mut [u8; 4096]) {
    let block = translate(words);
    let mut m = Machine::new(cpu as *mut Cpu as *mut u8, mem.as_mut_ptr(), 4096);
    // SAFETY: live state and memory; the accesses stay inside it.
    let exit = unsafe { m.run(&crate::backend::interp::compile(&block)) };
    assert_eq!(
        exit,
        BlockExit::Next(CODE_BASE + 4 * words.len() as u64),
        "{block}"
    );
}

#[test]
fn load_add_store_single_through_the_interpreter() {
    let mut cpu = Cpu::default();
    let mut mem = [0u8; 4096];
    mem[16..20].copy_from_slice(&1.5f32.to_bits().to_le_bytes());
    cpu.x[10] = 16;
    // flw ft0, 0(a0); fadd.s ft1, ft0, ft0; fsw ft1, 4(a0); fmv.x.w a1, ft1; fclass.s a2, ft1
    run(
        &[
            0x0005_2007,
            0x0000_70d3,
            0x0015_2227,
            0xe000_85d3,
            0xe000_9653,
        ],
        &mut cpu,
        &mut mem,
    );
    assert_eq!(cpu.f[0], s(1.5));
    assert_eq!(cpu.f[1], s(3.0));
    assert_eq!(&mem[20..24], &3.0f32.to_bits().to_le_bytes());
    assert_eq!(cpu.x[11], 3.0f32.to_bits() as u64);
    assert_eq!(cpu.x[12], 1 << 6);
    assert_eq!(cpu.fflags, 0);
}

#[test]
fn sign_injection_and_moves_through_the_interpreter() {
    let mut cpu = Cpu::default();
    let mut mem = [0u8; 4096];
    cpu.f[1] = s(2.0);
    cpu.f[2] = s(-0.0);
    cpu.f[3] = 0x0000_0000_4000_0000; // improperly boxed: reads as canonical NaN
    cpu.f[4] = d(-3.0);
    cpu.f[5] = d(1.0);
    cpu.x[6] = 0xdead_beef_bf80_0000;
    // fsgnj.s f10, f1, f2; fsgnjn.s f11, f1, f2; fsgnjx.s f12, f2, f2; fsgnj.s f13, f3, f1;
    // fsgnjn.d f14, f4, f4 (fneg); fsgnjx.d f15, f4, f4 (fabs); fmv.w.x f16, x6;
    // fmv.x.w x7, f2; fmv.x.d x8, f4; fmv.d.x f17, x6
    let words = [
        0x2020_8553,
        0x2020_95d3,
        0x2021_2653,
        0x2011_86d3,
        0x2242_1753,
        0x2242_27d3,
        0xf003_0853,
        0xe001_03d3,
        0xe202_0453,
        0xf203_08d3,
    ];
    run(&words, &mut cpu, &mut mem);
    assert_eq!(cpu.f[10], s(-2.0));
    assert_eq!(cpu.f[11], s(2.0));
    assert_eq!(cpu.f[12], s(0.0));
    assert_eq!(cpu.f[13], CANON_S);
    assert_eq!(cpu.f[14], d(3.0));
    assert_eq!(cpu.f[15], d(3.0));
    assert_eq!(cpu.f[16], s(-1.0));
    assert_eq!(cpu.x[7], 0xffff_ffff_8000_0000);
    assert_eq!(cpu.x[8], d(-3.0));
    assert_eq!(cpu.f[17], 0xdead_beef_bf80_0000);
    assert_eq!(cpu.fflags, 0);
}

#[test]
fn fli_loads_the_constant_table() {
    let mut cpu = Cpu::default();
    let mut mem = [0u8; 4096];
    // fli.s f1, index; fli.d f2, index, for every index.
    let want_s: [u32; 32] = [
        0xbf80_0000,
        0x0080_0000,
        0x3780_0000,
        0x3800_0000,
        0x3b80_0000,
        0x3c00_0000,
        0x3d80_0000,
        0x3e00_0000,
        0x3e80_0000,
        0x3ea0_0000,
        0x3ec0_0000,
        0x3ee0_0000,
        0x3f00_0000,
        0x3f20_0000,
        0x3f40_0000,
        0x3f60_0000,
        0x3f80_0000,
        0x3fa0_0000,
        0x3fc0_0000,
        0x3fe0_0000,
        0x4000_0000,
        0x4020_0000,
        0x4040_0000,
        0x4080_0000,
        0x4100_0000,
        0x4180_0000,
        0x4300_0000,
        0x4380_0000,
        0x4700_0000,
        0x4780_0000,
        0x7f80_0000,
        0x7fc0_0000,
    ];
    for (i, want) in want_s.iter().enumerate() {
        let i = i as u32;
        run(
            &[0xf010_00d3 | i << 15, 0xf210_0153 | i << 15],
            &mut cpu,
            &mut mem,
        );
        assert_eq!(cpu.f[1], BOX | *want as u64, "fli.s {i}");
        let want_d = match i {
            1 => 0x0010_0000_0000_0000,
            31 => CANON_D,
            _ => d(f32::from_bits(*want) as f64),
        };
        assert_eq!(cpu.f[2], want_d, "fli.d {i}");
    }
}

#[test]
fn fp_csrs_through_the_interpreter() {
    let mut cpu = Cpu {
        fflags: 0x3,
        frm: 2,
        ..Cpu::default()
    };
    let mut mem = [0u8; 4096];
    cpu.x[2] = 0xffff_ff3f; // fcsr bits 8 and up are ignored
    cpu.x[5] = RUP;
    cpu.f[2] = d(1.0);
    cpu.f[3] = d(2f64.powi(-60));
    let words = [
        0x0031_10f3, // csrrw x1, fcsr, x2
        0x0010_21f3, // csrrs x3, fflags, x0 (frflags)
        0x0022_9273, // csrrw x4, frm, x5 (fsrm)
        0x001f_f373, // csrrci x6, fflags, 0x1f
        0x0231_70d3, // fadd.d f1, f2, f3 (dyn: frm is now RUP)
        0x0030_23f3, // csrrs x7, fcsr, x0 (frcsr)
    ];
    run(&words, &mut cpu, &mut mem);
    assert_eq!(cpu.x[1], 2 << 5 | 0x3, "old fcsr");
    assert_eq!(cpu.x[3], 0x1f, "fflags after fcsr write");
    assert_eq!(cpu.x[4], 1, "frm after fcsr write");
    assert_eq!(cpu.x[6], 0x1f, "fflags before clearing");
    assert_eq!(cpu.f[1], d(1.0) + 1, "rounded up under dynamic RUP");
    assert_eq!(cpu.x[7], RUP << 5 | NX, "fcsr after the add");
    assert_eq!((cpu.fflags, cpu.frm), (NX, RUP));
}
