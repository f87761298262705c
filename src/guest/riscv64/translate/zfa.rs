//! Zfa (additional floating-point instructions) for F and D: fli, fminm/fmaxm,
//! fround/froundnx, fcvtmod.w.d, fleq/fltq. fmvh.x.d and fmvp.d.x exist only
//! on RV32, so they have no table line here (they decode as illegal).

use super::super::decode::{Insn, Pattern};
use super::f::forward;
use super::fpu::{self, Translated, Width};
use super::Ctx;

/// The fli constants by rs1 index (spec table "Immediate values loaded by
/// the FLI instructions"), as doubles; entry 1 (the smallest positive
/// normal), 30 (+inf) and 31 (canonical NaN) depend on the format and are
/// special-cased in [`fli_bits`].
const FLI_VALUES: [f64; 32] = [
    -1.0,
    0.0, // smallest positive normal, see fli_bits
    1.0 / 65536.0,
    1.0 / 32768.0,
    1.0 / 256.0,
    1.0 / 128.0,
    0.0625,
    0.125,
    0.25,
    0.3125,
    0.375,
    0.4375,
    0.5,
    0.625,
    0.75,
    0.875,
    1.0,
    1.25,
    1.5,
    1.75,
    2.0,
    2.5,
    3.0,
    4.0,
    8.0,
    16.0,
    128.0,
    256.0,
    32768.0,
    65536.0,
    f64::INFINITY,
    0.0, // canonical NaN, see fli_bits
];

/// The register value fli loads for index `i` (singles NaN-boxed).
fn fli_bits(i: u32, w: Width) -> u64 {
    match (w, i) {
        (Width::S, 1) => fpu::BOX | 0x0080_0000,
        (Width::D, 1) => 0x0010_0000_0000_0000,
        (Width::S, 31) => fpu::BOX | fpu::CANON_S as u64,
        (Width::D, 31) => fpu::CANON_D,
        (Width::S, _) => fpu::BOX | (FLI_VALUES[i as usize] as f32).to_bits() as u64,
        (Width::D, _) => FLI_VALUES[i as usize].to_bits(),
    }
}

fn fli(cx: &mut Ctx, i: Insn, w: Width) -> Translated {
    let v = cx.b.const_(fli_bits(i.rs1(), w));
    cx.set_f(i.rd(), v);
    Ok(())
}
fn fli_s(cx: &mut Ctx, i: Insn) -> Translated {
    fli(cx, i, Width::S)
}
fn fli_d(cx: &mut Ctx, i: Insn) -> Translated {
    fli(cx, i, Width::D)
}

forward! {
    fminm_s = f_ff(&fpu::FMINM_S);
    fmaxm_s = f_ff(&fpu::FMAXM_S);
    fminm_d = f_ff(&fpu::FMINM_D);
    fmaxm_d = f_ff(&fpu::FMAXM_D);
    fround_s = f_f_rm(&fpu::FROUND_S);
    froundnx_s = f_f_rm(&fpu::FROUNDNX_S);
    fround_d = f_f_rm(&fpu::FROUND_D);
    froundnx_d = f_f_rm(&fpu::FROUNDNX_D);
    fcvtmod_w_d = x_f(&fpu::FCVTMOD_W_D);
    fleq_s = x_ff(&fpu::FLEQ_S);
    fltq_s = x_ff(&fpu::FLTQ_S);
    fleq_d = x_ff(&fpu::FLEQ_D);
    fltq_d = x_ff(&fpu::FLTQ_D);
}

pub const TABLE: &[Pattern] = crate::rv_table! {
    "1111000 00001 ..... 000 ..... 1010011" fli_s => fli_s;
    "1111001 00001 ..... 000 ..... 1010011" fli_d => fli_d;
    "0010100 ..... ..... 010 ..... 1010011" fminm_s => fminm_s;
    "0010100 ..... ..... 011 ..... 1010011" fmaxm_s => fmaxm_s;
    "0010101 ..... ..... 010 ..... 1010011" fminm_d => fminm_d;
    "0010101 ..... ..... 011 ..... 1010011" fmaxm_d => fmaxm_d;
    "0100000 00100 ..... ... ..... 1010011" fround_s => fround_s;
    "0100000 00101 ..... ... ..... 1010011" froundnx_s => froundnx_s;
    "0100001 00100 ..... ... ..... 1010011" fround_d => fround_d;
    "0100001 00101 ..... ... ..... 1010011" froundnx_d => froundnx_d;
    // Only rm = RTZ is defined; other rounding modes are reserved.
    "1100001 01000 ..... 001 ..... 1010011" fcvtmod_w_d => fcvtmod_w_d;
    "1010000 ..... ..... 100 ..... 1010011" fleq_s => fleq_s;
    "1010000 ..... ..... 101 ..... 1010011" fltq_s => fltq_s;
    "1010001 ..... ..... 100 ..... 1010011" fleq_d => fleq_d;
    "1010001 ..... ..... 101 ..... 1010011" fltq_d => fltq_d;
};
