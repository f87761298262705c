//! RV64F: single-precision loads/stores, arithmetic, conversions, moves and
//! compares. Table lines and one-line translators; the arithmetic itself is
//! in `fpu.rs` (soft-float helpers and the shared IR emitters). Singles live
//! NaN-boxed in the 64-bit `f` registers.

use super::super::decode::{Insn, Pattern};
use super::fpu::{self, Sgnj, Translated, Width};
use super::Ctx;

/// Declares translators that forward to a shared emitter with a helper
/// (`name = emitter(HELPER)`) or with extra arguments (`name = emitter(args..)`).
macro_rules! forward {
    ($($name:ident = $emit:ident($($arg:expr),*);)*) => { $(
        fn $name(cx: &mut Ctx, i: Insn) -> Translated {
            fpu::$emit(cx, i, $($arg),*)
        }
    )* };
}
pub(super) use forward;

forward! {
    flw = load(Width::S);
    fsw = store(Width::S);
    fmadd_s = f_fff_rm(&fpu::FMADD_S);
    fmsub_s = f_fff_rm(&fpu::FMSUB_S);
    fnmsub_s = f_fff_rm(&fpu::FNMSUB_S);
    fnmadd_s = f_fff_rm(&fpu::FNMADD_S);
    fadd_s = f_ff_rm(&fpu::FADD_S);
    fsub_s = f_ff_rm(&fpu::FSUB_S);
    fmul_s = f_ff_rm(&fpu::FMUL_S);
    fdiv_s = f_ff_rm(&fpu::FDIV_S);
    fsqrt_s = f_f_rm(&fpu::FSQRT_S);
    fsgnj_s = sgnj(Width::S, Sgnj::Copy);
    fsgnjn_s = sgnj(Width::S, Sgnj::Negate);
    fsgnjx_s = sgnj(Width::S, Sgnj::Xor);
    fmin_s = f_ff(&fpu::FMIN_S);
    fmax_s = f_ff(&fpu::FMAX_S);
    fcvt_w_s = x_f_rm(&fpu::FCVT_W_S);
    fcvt_wu_s = x_f_rm(&fpu::FCVT_WU_S);
    fcvt_l_s = x_f_rm(&fpu::FCVT_L_S);
    fcvt_lu_s = x_f_rm(&fpu::FCVT_LU_S);
    fcvt_s_w = f_x_rm(&fpu::FCVT_S_W);
    fcvt_s_wu = f_x_rm(&fpu::FCVT_S_WU);
    fcvt_s_l = f_x_rm(&fpu::FCVT_S_L);
    fcvt_s_lu = f_x_rm(&fpu::FCVT_S_LU);
    feq_s = x_ff(&fpu::FEQ_S);
    flt_s = x_ff(&fpu::FLT_S);
    fle_s = x_ff(&fpu::FLE_S);
    fclass_s = x_f(&fpu::FCLASS_S);
}

/// fmv.x.w: the low 32 bits, sign-extended, whatever the boxing.
fn fmv_x_w(cx: &mut Ctx, i: Insn) -> Translated {
    let v = cx.f(i.rs1());
    let r = cx.b.sext32(v);
    cx.set_x(i.rd(), r);
    Ok(())
}

/// fmv.w.x: the low 32 bits of x[rs1], NaN-boxed.
fn fmv_w_x(cx: &mut Ctx, i: Insn) -> Translated {
    let v = cx.x(i.rs1());
    let low = cx.b.zext32(v);
    let high = cx.b.const_(fpu::BOX);
    let r = cx.b.or(low, high);
    cx.set_f(i.rd(), r);
    Ok(())
}

pub const TABLE: &[Pattern] = crate::rv_table! {
    "............ ..... 010 ..... 0000111" flw => flw;
    "....... ..... ..... 010 ..... 0100111" fsw => fsw;
    "..... 00 ..... ..... ... ..... 1000011" fmadd_s => fmadd_s;
    "..... 00 ..... ..... ... ..... 1000111" fmsub_s => fmsub_s;
    "..... 00 ..... ..... ... ..... 1001011" fnmsub_s => fnmsub_s;
    "..... 00 ..... ..... ... ..... 1001111" fnmadd_s => fnmadd_s;
    "0000000 ..... ..... ... ..... 1010011" fadd_s => fadd_s;
    "0000100 ..... ..... ... ..... 1010011" fsub_s => fsub_s;
    "0001000 ..... ..... ... ..... 1010011" fmul_s => fmul_s;
    "0001100 ..... ..... ... ..... 1010011" fdiv_s => fdiv_s;
    "0101100 00000 ..... ... ..... 1010011" fsqrt_s => fsqrt_s;
    "0010000 ..... ..... 000 ..... 1010011" fsgnj_s => fsgnj_s;
    "0010000 ..... ..... 001 ..... 1010011" fsgnjn_s => fsgnjn_s;
    "0010000 ..... ..... 010 ..... 1010011" fsgnjx_s => fsgnjx_s;
    "0010100 ..... ..... 000 ..... 1010011" fmin_s => fmin_s;
    "0010100 ..... ..... 001 ..... 1010011" fmax_s => fmax_s;
    "1100000 00000 ..... ... ..... 1010011" fcvt_w_s => fcvt_w_s;
    "1100000 00001 ..... ... ..... 1010011" fcvt_wu_s => fcvt_wu_s;
    "1100000 00010 ..... ... ..... 1010011" fcvt_l_s => fcvt_l_s;
    "1100000 00011 ..... ... ..... 1010011" fcvt_lu_s => fcvt_lu_s;
    "1110000 00000 ..... 000 ..... 1010011" fmv_x_w => fmv_x_w;
    "1010000 ..... ..... 010 ..... 1010011" feq_s => feq_s;
    "1010000 ..... ..... 001 ..... 1010011" flt_s => flt_s;
    "1010000 ..... ..... 000 ..... 1010011" fle_s => fle_s;
    "1110000 00000 ..... 001 ..... 1010011" fclass_s => fclass_s;
    "1101000 00000 ..... ... ..... 1010011" fcvt_s_w => fcvt_s_w;
    "1101000 00001 ..... ... ..... 1010011" fcvt_s_wu => fcvt_s_wu;
    "1101000 00010 ..... ... ..... 1010011" fcvt_s_l => fcvt_s_l;
    "1101000 00011 ..... ... ..... 1010011" fcvt_s_lu => fcvt_s_lu;
    "1111000 00000 ..... 000 ..... 1010011" fmv_w_x => fmv_w_x;
};
