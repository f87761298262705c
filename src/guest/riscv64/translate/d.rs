//! RV64D: double-precision loads/stores, arithmetic, conversions (including
//! to and from single), moves and compares. Table lines and one-line
//! translators; the arithmetic itself is in `fpu.rs`.

use super::super::decode::{Insn, Pattern};
use super::f::forward;
use super::fpu::{self, Sgnj, Translated, Width};
use super::Ctx;

forward! {
    fld = load(Width::D);
    fsd = store(Width::D);
    fmadd_d = f_fff_rm(&fpu::FMADD_D);
    fmsub_d = f_fff_rm(&fpu::FMSUB_D);
    fnmsub_d = f_fff_rm(&fpu::FNMSUB_D);
    fnmadd_d = f_fff_rm(&fpu::FNMADD_D);
    fadd_d = f_ff_rm(&fpu::FADD_D);
    fsub_d = f_ff_rm(&fpu::FSUB_D);
    fmul_d = f_ff_rm(&fpu::FMUL_D);
    fdiv_d = f_ff_rm(&fpu::FDIV_D);
    fsqrt_d = f_f_rm(&fpu::FSQRT_D);
    fsgnj_d = sgnj(Width::D, Sgnj::Copy);
    fsgnjn_d = sgnj(Width::D, Sgnj::Negate);
    fsgnjx_d = sgnj(Width::D, Sgnj::Xor);
    fmin_d = f_ff(&fpu::FMIN_D);
    fmax_d = f_ff(&fpu::FMAX_D);
    fcvt_s_d = f_f_rm(&fpu::FCVT_S_D);
    fcvt_d_s = f_f_rm(&fpu::FCVT_D_S);
    fcvt_w_d = x_f_rm(&fpu::FCVT_W_D);
    fcvt_wu_d = x_f_rm(&fpu::FCVT_WU_D);
    fcvt_l_d = x_f_rm(&fpu::FCVT_L_D);
    fcvt_lu_d = x_f_rm(&fpu::FCVT_LU_D);
    fcvt_d_w = f_x_rm(&fpu::FCVT_D_W);
    fcvt_d_wu = f_x_rm(&fpu::FCVT_D_WU);
    fcvt_d_l = f_x_rm(&fpu::FCVT_D_L);
    fcvt_d_lu = f_x_rm(&fpu::FCVT_D_LU);
    feq_d = x_ff(&fpu::FEQ_D);
    flt_d = x_ff(&fpu::FLT_D);
    fle_d = x_ff(&fpu::FLE_D);
    fclass_d = x_f(&fpu::FCLASS_D);
}

/// fmv.x.d: raw bits.
fn fmv_x_d(cx: &mut Ctx, i: Insn) -> Translated {
    let v = cx.f(i.rs1());
    cx.set_x(i.rd(), v);
    Ok(())
}

/// fmv.d.x: raw bits.
fn fmv_d_x(cx: &mut Ctx, i: Insn) -> Translated {
    let v = cx.x(i.rs1());
    cx.set_f(i.rd(), v);
    Ok(())
}

pub const TABLE: &[Pattern] = crate::rv_table! {
    "............ ..... 011 ..... 0000111" fld => fld;
    "....... ..... ..... 011 ..... 0100111" fsd => fsd;
    "..... 01 ..... ..... ... ..... 1000011" fmadd_d => fmadd_d;
    "..... 01 ..... ..... ... ..... 1000111" fmsub_d => fmsub_d;
    "..... 01 ..... ..... ... ..... 1001011" fnmsub_d => fnmsub_d;
    "..... 01 ..... ..... ... ..... 1001111" fnmadd_d => fnmadd_d;
    "0000001 ..... ..... ... ..... 1010011" fadd_d => fadd_d;
    "0000101 ..... ..... ... ..... 1010011" fsub_d => fsub_d;
    "0001001 ..... ..... ... ..... 1010011" fmul_d => fmul_d;
    "0001101 ..... ..... ... ..... 1010011" fdiv_d => fdiv_d;
    "0101101 00000 ..... ... ..... 1010011" fsqrt_d => fsqrt_d;
    "0010001 ..... ..... 000 ..... 1010011" fsgnj_d => fsgnj_d;
    "0010001 ..... ..... 001 ..... 1010011" fsgnjn_d => fsgnjn_d;
    "0010001 ..... ..... 010 ..... 1010011" fsgnjx_d => fsgnjx_d;
    "0010101 ..... ..... 000 ..... 1010011" fmin_d => fmin_d;
    "0010101 ..... ..... 001 ..... 1010011" fmax_d => fmax_d;
    "0100000 00001 ..... ... ..... 1010011" fcvt_s_d => fcvt_s_d;
    "0100001 00000 ..... ... ..... 1010011" fcvt_d_s => fcvt_d_s;
    "1010001 ..... ..... 010 ..... 1010011" feq_d => feq_d;
    "1010001 ..... ..... 001 ..... 1010011" flt_d => flt_d;
    "1010001 ..... ..... 000 ..... 1010011" fle_d => fle_d;
    "1110001 00000 ..... 001 ..... 1010011" fclass_d => fclass_d;
    "1100001 00000 ..... ... ..... 1010011" fcvt_w_d => fcvt_w_d;
    "1100001 00001 ..... ... ..... 1010011" fcvt_wu_d => fcvt_wu_d;
    "1100001 00010 ..... ... ..... 1010011" fcvt_l_d => fcvt_l_d;
    "1100001 00011 ..... ... ..... 1010011" fcvt_lu_d => fcvt_lu_d;
    "1101001 00000 ..... ... ..... 1010011" fcvt_d_w => fcvt_d_w;
    "1101001 00001 ..... ... ..... 1010011" fcvt_d_wu => fcvt_d_wu;
    "1101001 00010 ..... ... ..... 1010011" fcvt_d_l => fcvt_d_l;
    "1101001 00011 ..... ... ..... 1010011" fcvt_d_lu => fcvt_d_lu;
    "1110001 00000 ..... 000 ..... 1010011" fmv_x_d => fmv_x_d;
    "1111001 00000 ..... 000 ..... 1010011" fmv_d_x => fmv_d_x;
};
