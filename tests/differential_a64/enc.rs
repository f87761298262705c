//! A64 instruction encoders for the aarch64 differential tester: one
//! function per encoding class, its fields in the order the Arm manual's
//! encoding diagram draws them (most significant first). No assembler is
//! involved at test time; `aarch64-linux-gnu-objdump` agrees with these
//! (checked while writing them), and capstone shows them in reports.

#![allow(clippy::too_many_arguments)]

/// Register 31: the zero register or sp, as the encoding says.
pub const ZR: u32 = 31;

fn field(v: u32, bits: u32) -> u32 {
    assert!(v < 1 << bits, "field {v:#x} wider than {bits} bits");
    v
}

fn signed(v: i64, bits: u32) -> u32 {
    let lim = 1i64 << (bits - 1);
    assert!(
        (-lim..lim).contains(&v),
        "offset {v} not in {bits} signed bits"
    );
    (v as u32) & ((1 << bits) - 1)
}

// ---- data processing, immediate ----

/// ADD/ADDS/SUB/SUBS (immediate): op 1 = sub, s = set flags.
pub fn add_imm(sf: bool, op: u32, s: u32, sh: u32, imm12: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31
        | op << 30
        | s << 29
        | 0b100010 << 23
        | sh << 22
        | field(imm12, 12) << 10
        | rn << 5
        | rd
}

/// AND/ORR/EOR/ANDS (immediate), opc 0..3.
pub fn logical_imm(sf: bool, opc: u32, n: u32, immr: u32, imms: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31
        | opc << 29
        | 0b100100 << 23
        | n << 22
        | field(immr, 6) << 16
        | field(imms, 6) << 10
        | rn << 5
        | rd
}

/// MOVN (opc 0), MOVZ (2), MOVK (3).
pub fn move_wide(sf: bool, opc: u32, hw: u32, imm16: u32, rd: u32) -> u32 {
    (sf as u32) << 31 | opc << 29 | 0b100101 << 23 | hw << 21 | field(imm16, 16) << 5 | rd
}

/// SBFM (opc 0), BFM (1), UBFM (2); n must equal sf.
pub fn bitfield(sf: bool, opc: u32, immr: u32, imms: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31
        | opc << 29
        | 0b100110 << 23
        | (sf as u32) << 22
        | field(immr, 6) << 16
        | field(imms, 6) << 10
        | rn << 5
        | rd
}

pub fn extr(sf: bool, rm: u32, lsb: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31
        | 0b00100111 << 23
        | (sf as u32) << 22
        | rm << 16
        | field(lsb, 6) << 10
        | rn << 5
        | rd
}

/// ADR (page false) / ADRP of a 21-bit signed immediate.
pub fn adr(page: bool, imm: i64, rd: u32) -> u32 {
    let imm = signed(imm, 21);
    (page as u32) << 31 | (imm & 3) << 29 | 0b10000 << 24 | (imm >> 2) << 5 | rd
}

// ---- data processing, register ----

/// AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register): opc, n = invert.
pub fn logical_reg(
    sf: bool,
    opc: u32,
    shift: u32,
    n: u32,
    rm: u32,
    imm6: u32,
    rn: u32,
    rd: u32,
) -> u32 {
    (sf as u32) << 31
        | opc << 29
        | 0b01010 << 24
        | shift << 22
        | n << 21
        | rm << 16
        | field(imm6, 6) << 10
        | rn << 5
        | rd
}

/// ADD/ADDS/SUB/SUBS (shifted register); shift 0..2.
pub fn add_shifted(
    sf: bool,
    op: u32,
    s: u32,
    shift: u32,
    rm: u32,
    imm6: u32,
    rn: u32,
    rd: u32,
) -> u32 {
    (sf as u32) << 31
        | op << 30
        | s << 29
        | 0b01011 << 24
        | shift << 22
        | rm << 16
        | field(imm6, 6) << 10
        | rn << 5
        | rd
}

/// ADD/ADDS/SUB/SUBS (extended register); option UXTB..SXTX, imm3 0..4.
pub fn add_extended(
    sf: bool,
    op: u32,
    s: u32,
    rm: u32,
    option: u32,
    imm3: u32,
    rn: u32,
    rd: u32,
) -> u32 {
    (sf as u32) << 31
        | op << 30
        | s << 29
        | 0b01011001 << 21
        | rm << 16
        | option << 13
        | field(imm3, 3) << 10
        | rn << 5
        | rd
}

/// ADC/ADCS/SBC/SBCS.
pub fn adc(sf: bool, op: u32, s: u32, rm: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31 | op << 30 | s << 29 | 0b11010000 << 21 | rm << 16 | rn << 5 | rd
}

/// CSEL (op 0, o2 0), CSINC (0, 1), CSINV (1, 0), CSNEG (1, 1).
pub fn csel(sf: bool, op: u32, rm: u32, cond: u32, o2: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31
        | op << 30
        | 0b11010100 << 21
        | rm << 16
        | cond << 12
        | o2 << 10
        | rn << 5
        | rd
}

/// CCMN (op 0) / CCMP (op 1): `imm` says whether `rm_imm5` is an immediate.
pub fn ccmp(sf: bool, op: u32, imm: bool, rm_imm5: u32, cond: u32, rn: u32, nzcv: u32) -> u32 {
    (sf as u32) << 31
        | op << 30
        | 1 << 29
        | 0b11010010 << 21
        | field(rm_imm5, 5) << 16
        | cond << 12
        | (imm as u32) << 11
        | rn << 5
        | field(nzcv, 4)
}

/// Data-processing (2 source): UDIV 2, SDIV 3, LSLV 8, LSRV 9, ASRV 10, RORV 11.
pub fn dp2(sf: bool, rm: u32, opcode: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31 | 0b11010110 << 21 | rm << 16 | opcode << 10 | rn << 5 | rd
}

/// Data-processing (1 source): RBIT 0, REV16 1, REV32/REV(W) 2, REV(X) 3, CLZ 4, CLS 5.
pub fn dp1(sf: bool, opcode: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31 | 0b1011010110 << 21 | opcode << 10 | rn << 5 | rd
}

/// Data-processing (3 source): op31 0 MADD/MSUB, 1 SMADDL/SMSUBL,
/// 2 SMULH, 5 UMADDL/UMSUBL, 6 UMULH; o0 selects the subtracting form.
pub fn dp3(sf: bool, op31: u32, rm: u32, o0: u32, ra: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31 | 0b11011 << 24 | op31 << 21 | rm << 16 | o0 << 15 | ra << 10 | rn << 5 | rd
}

// ---- branches and system ----

pub fn b(off: i64) -> u32 {
    assert!(off % 4 == 0);
    0b000101 << 26 | signed(off / 4, 26)
}

pub fn b_cond(cond: u32, off: i64) -> u32 {
    assert!(off % 4 == 0);
    0b01010100 << 24 | signed(off / 4, 19) << 5 | cond
}

pub fn cbz(sf: bool, nz: bool, rt: u32, off: i64) -> u32 {
    assert!(off % 4 == 0);
    (sf as u32) << 31 | 0b011010 << 25 | (nz as u32) << 24 | signed(off / 4, 19) << 5 | rt
}

pub fn tbz(nz: bool, bit: u32, rt: u32, off: i64) -> u32 {
    assert!(off % 4 == 0);
    (bit >> 5) << 31
        | 0b011011 << 25
        | (nz as u32) << 24
        | (bit & 31) << 19
        | signed(off / 4, 14) << 5
        | rt
}

/// A system register as MRS/MSR's o0:op1:CRn:CRm:op2 (op0 = 3).
const fn sysreg(op1: u32, crn: u32, crm: u32, op2: u32) -> u32 {
    1 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2
}
pub const NZCV: u32 = sysreg(3, 4, 2, 0);
pub const FPCR: u32 = sysreg(3, 4, 4, 0);
pub const FPSR: u32 = sysreg(3, 4, 4, 1);
pub const TPIDR_EL0: u32 = sysreg(3, 13, 0, 2);

/// MRS Xt, <sysreg> (bits 31:20 = 1101010100, L = 1, op0<1> = 1).
pub fn mrs(rt: u32, sysreg: u32) -> u32 {
    0xd53 << 20 | sysreg << 5 | rt
}

/// MSR <sysreg>, Xt (L = 0).
pub fn msr(sysreg: u32, rt: u32) -> u32 {
    0xd51 << 20 | sysreg << 5 | rt
}

pub fn clrex() -> u32 {
    0xd503_3f5f
}

pub fn svc0() -> u32 {
    0xd400_0001
}

// ---- loads and stores ----

/// Load/store register (unsigned immediate): `v` = SIMD&FP register.
pub fn ldst_uimm(size: u32, v: bool, opc: u32, imm12: u32, rn: u32, rt: u32) -> u32 {
    size << 30
        | 0b111 << 27
        | (v as u32) << 26
        | 1 << 24
        | opc << 22
        | field(imm12, 12) << 10
        | rn << 5
        | rt
}

/// Load/store register, 9-bit signed offset: mode 0 unscaled, 1 post-index,
/// 2 unprivileged, 3 pre-index.
pub fn ldst_imm9(size: u32, v: bool, opc: u32, imm9: i64, mode: u32, rn: u32, rt: u32) -> u32 {
    size << 30
        | 0b111 << 27
        | (v as u32) << 26
        | opc << 22
        | signed(imm9, 9) << 12
        | mode << 10
        | rn << 5
        | rt
}

/// Load/store register (register offset): option UXTW 2, LSL 3, SXTW 6, SXTX 7.
pub fn ldst_reg(
    size: u32,
    v: bool,
    opc: u32,
    rm: u32,
    option: u32,
    s: u32,
    rn: u32,
    rt: u32,
) -> u32 {
    size << 30
        | 0b111 << 27
        | (v as u32) << 26
        | opc << 22
        | 1 << 21
        | rm << 16
        | option << 13
        | s << 12
        | 0b10 << 10
        | rn << 5
        | rt
}

/// Load/store pair: mode 1 post-index, 2 offset, 3 pre-index; imm7 scaled.
pub fn ldst_pair(
    opc: u32,
    v: bool,
    mode: u32,
    load: bool,
    imm7: i64,
    rt2: u32,
    rn: u32,
    rt: u32,
) -> u32 {
    opc << 30
        | 0b101 << 27
        | (v as u32) << 26
        | mode << 23
        | (load as u32) << 22
        | signed(imm7, 7) << 15
        | rt2 << 10
        | rn << 5
        | rt
}

/// LDXR/LDAXR (o0 = acquire).
pub fn ldxr(size: u32, o0: u32, rn: u32, rt: u32) -> u32 {
    size << 30 | 0b001000010 << 21 | 0b11111 << 16 | o0 << 15 | 0b11111 << 10 | rn << 5 | rt
}

/// STXR/STLXR (o0 = release): Ws the status.
pub fn stxr(size: u32, o0: u32, rs: u32, rn: u32, rt: u32) -> u32 {
    size << 30 | 0b001000000 << 21 | rs << 16 | o0 << 15 | 0b11111 << 10 | rn << 5 | rt
}

pub fn ldar(size: u32, rn: u32, rt: u32) -> u32 {
    size << 30 | 0b001000110 << 21 | 0b11111 << 16 | 1 << 15 | 0b11111 << 10 | rn << 5 | rt
}

pub fn stlr(size: u32, rn: u32, rt: u32) -> u32 {
    size << 30 | 0b001000100 << 21 | 0b11111 << 16 | 1 << 15 | 0b11111 << 10 | rn << 5 | rt
}

/// LD1/ST1 (multiple structures), no writeback (`post` None) or
/// post-indexed by the bytes moved (Some(31)) or by Xm.
pub fn ld1_st1(
    q: u32,
    load: bool,
    opcode: u32,
    size: u32,
    post: Option<u32>,
    rn: u32,
    rt: u32,
) -> u32 {
    q << 30
        | 0b0011 << 26
        | (post.is_some() as u32) << 23
        | (load as u32) << 22
        | post.unwrap_or(0) << 16
        | opcode << 12
        | size << 10
        | rn << 5
        | rt
}

// ---- Advanced SIMD ----

pub fn simd_three_same(q: u32, u: u32, size: u32, opcode: u32, rm: u32, rn: u32, rd: u32) -> u32 {
    q << 30
        | u << 29
        | 0b01110 << 24
        | size << 22
        | 1 << 21
        | rm << 16
        | opcode << 11
        | 1 << 10
        | rn << 5
        | rd
}

pub fn simd_two_misc(q: u32, u: u32, size: u32, opcode: u32, rn: u32, rd: u32) -> u32 {
    q << 30
        | u << 29
        | 0b01110 << 24
        | size << 22
        | 0b10000 << 17
        | opcode << 12
        | 0b10 << 10
        | rn << 5
        | rd
}

pub fn simd_across(q: u32, u: u32, size: u32, opcode: u32, rn: u32, rd: u32) -> u32 {
    q << 30
        | u << 29
        | 0b01110 << 24
        | size << 22
        | 0b11000 << 17
        | opcode << 12
        | 0b10 << 10
        | rn << 5
        | rd
}

/// Shift by immediate: immh:immb as one 7-bit field.
pub fn simd_shift_imm(q: u32, u: u32, immhb: u32, opcode: u32, rn: u32, rd: u32) -> u32 {
    q << 30
        | u << 29
        | 0b011110 << 23
        | field(immhb, 7) << 16
        | opcode << 11
        | 1 << 10
        | rn << 5
        | rd
}

/// UZP1 1, TRN1 2, ZIP1 3, UZP2 5, TRN2 6, ZIP2 7.
pub fn simd_permute(q: u32, size: u32, opcode: u32, rm: u32, rn: u32, rd: u32) -> u32 {
    q << 30 | 0b001110 << 24 | size << 22 | rm << 16 | opcode << 12 | 0b10 << 10 | rn << 5 | rd
}

pub fn simd_ext(q: u32, rm: u32, imm4: u32, rn: u32, rd: u32) -> u32 {
    q << 30 | 0b101110 << 24 | rm << 16 | imm4 << 11 | rn << 5 | rd
}

/// Advanced SIMD copy: DUP (general) imm4 1, UMOV 7, INS (general) 3.
pub fn simd_copy(q: u32, op: u32, imm5: u32, imm4: u32, rn: u32, rd: u32) -> u32 {
    q << 30 | op << 29 | 0b01110000 << 21 | imm5 << 16 | imm4 << 11 | 1 << 10 | rn << 5 | rd
}

/// MOVI/MVNI/ORR/BIC/FMOV (vector, immediate).
pub fn simd_modified_imm(q: u32, op: u32, cmode: u32, imm8: u32, rd: u32) -> u32 {
    q << 30
        | op << 29
        | 0b0111100000 << 19
        | (imm8 >> 5) << 16
        | cmode << 12
        | 1 << 10
        | (imm8 & 31) << 5
        | rd
}

/// FMOV (general): ftype, rmode, opcode 6 (to general) / 7 (from general).
pub fn fmov_general(sf: bool, ftype: u32, rmode: u32, opcode: u32, rn: u32, rd: u32) -> u32 {
    (sf as u32) << 31
        | 0b11110 << 24
        | ftype << 22
        | 1 << 21
        | rmode << 19
        | opcode << 16
        | rn << 5
        | rd
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words as `aarch64-linux-gnu-as` assembles them (objdump's text beside).
    #[test]
    fn known_encodings() {
        let cases: &[(u32, u32, &str)] = &[
            (
                add_imm(true, 0, 0, 1, 0x123, 2, 1),
                0x91448c41,
                "add x1, x2, #0x123, lsl #12",
            ),
            (
                add_imm(false, 1, 1, 0, 7, 4, 3),
                0x71001c83,
                "subs w3, w4, #0x7",
            ),
            (
                logical_imm(true, 0, 0, 8, 39, 6, 5),
                0x92089cc5,
                "and x5, x6, #0xff00ff00ff00ff00",
            ),
            (
                logical_imm(false, 3, 0, 0, 1, 8, 7),
                0x72000507,
                "ands w7, w8, #0x3",
            ),
            (
                move_wide(true, 3, 3, 0xbeef, 9),
                0xf2f7dde9,
                "movk x9, #0xbeef, lsl #48",
            ),
            (
                move_wide(false, 0, 0, 5, 10),
                0x128000aa,
                "mov w10, #0xfffffffa",
            ),
            (
                bitfield(true, 0, 3, 9, 12, 11),
                0x9343258b,
                "sbfx x11, x12, #3, #7",
            ),
            (
                bitfield(false, 1, 31, 4, 14, 13),
                0x331f11cd,
                "bfi w13, w14, #1, #5",
            ),
            (
                extr(true, 17, 63, 16, 15),
                0x93d1fe0f,
                "extr x15, x16, x17, #63",
            ),
            (
                logical_reg(false, 3, 3, 1, 2, 7, 1, 0),
                0x6ae21c20,
                "bics w0, w1, w2, ror #7",
            ),
            (
                add_shifted(true, 1, 0, 2, 5, 63, 4, 3),
                0xcb85fc83,
                "sub x3, x4, x5, asr #63",
            ),
            (
                add_extended(false, 0, 1, 8, 5, 3, 7, 6),
                0x2b28ace6,
                "adds w6, w7, w8, sxth #3",
            ),
            (
                add_extended(true, 0, 0, 10, 2, 2, 31, 9),
                0x8b2a4be9,
                "add x9, sp, w10, uxtw #2",
            ),
            (
                adc(true, 1, 1, 13, 12, 11),
                0xfa0d018b,
                "sbcs x11, x12, x13",
            ),
            (
                csel(false, 1, 16, 8, 1, 15, 14),
                0x5a9085ee,
                "csneg w14, w15, w16, hi",
            ),
            (
                ccmp(true, 1, true, 31, 13, 17, 0b1010),
                0xfa5fda2a,
                "ccmp x17, #0x1f, #0xa, le",
            ),
            (
                ccmp(false, 0, false, 20, 15, 19, 5),
                0x3a54f265,
                "ccmn w19, w20, #0x5, nv",
            ),
            (dp2(true, 23, 3, 22, 21), 0x9ad70ed5, "sdiv x21, x22, x23"),
            (dp2(false, 26, 11, 25, 24), 0x1ada2f38, "ror w24, w25, w26"),
            (dp1(true, 5, 29, 27), 0xdac017bb, "cls x27, x29"),
            (dp1(true, 2, 1, 0), 0xdac00820, "rev32 x0, x1"),
            (
                dp3(true, 5, 4, 1, 5, 3, 2),
                0x9ba49462,
                "umsubl x2, w3, w4, x5",
            ),
            (dp3(true, 2, 8, 0, 31, 7, 6), 0x9b487ce6, "smulh x6, x7, x8"),
            (mrs(9, NZCV), 0xd53b4209, "mrs x9, nzcv"),
            (msr(FPSR, 10), 0xd51b442a, "msr fpsr, x10"),
            (mrs(11, TPIDR_EL0), 0xd53bd04b, "mrs x11, tpidr_el0"),
            (
                ldst_uimm(0, false, 3, 255, 28, 12),
                0x39c3ff8c,
                "ldrsb w12, [x28, #255]",
            ),
            (
                ldst_imm9(1, false, 1, -2, 2, 31, 13),
                0x785febed,
                "ldtrh w13, [sp, #-2]",
            ),
            (
                ldst_imm9(2, false, 2, -8, 3, 15, 14),
                0xb89f8dee,
                "ldrsw x14, [x15, #-8]!",
            ),
            (
                ldst_imm9(0, true, 2, 16, 1, 17, 16),
                0x3c810630,
                "str q16, [x17], #16",
            ),
            (
                ldst_reg(3, true, 1, 19, 6, 1, 28, 18),
                0xfc73db92,
                "ldr d18, [x28, w19, sxtw #3]",
            ),
            (
                ldst_pair(1, false, 3, true, -64, 21, 22, 20),
                0x69e056d4,
                "ldpsw x20, x21, [x22, #-256]!",
            ),
            (
                ldst_pair(2, true, 2, false, 63, 1, 31, 0),
                0xad1f87e0,
                "stp q0, q1, [sp, #1008]",
            ),
            (ldxr(2, 1, 24, 23), 0x885fff17, "ldaxr w23, [x24]"),
            (stxr(3, 1, 25, 27, 26), 0xc819ff7a, "stlxr w25, x26, [x27]"),
            (ldar(3, 1, 0), 0xc8dffc20, "ldar x0, [x1]"),
            (stlr(2, 3, 2), 0x889ffc62, "stlr w2, [x3]"),
            (
                ld1_st1(1, true, 0b0110, 1, Some(8), 7, 4),
                0x4cc864e4,
                "ld1 {v4.8h-v6.8h}, [x7], x8",
            ),
            (
                ld1_st1(0, false, 0b1010, 2, Some(31), 9, 31),
                0x0c9fa93f,
                "st1 {v31.2s, v0.2s}, [x9], #16",
            ),
            (
                simd_three_same(1, 1, 1, 0b00110, 3, 2, 1),
                0x6e633441,
                "cmhi v1.8h, v2.8h, v3.8h",
            ),
            (
                simd_three_same(1, 1, 3, 0b00011, 6, 5, 4),
                0x6ee61ca4,
                "bif v4.16b, v5.16b, v6.16b",
            ),
            (
                simd_two_misc(0, 1, 2, 0b01001, 8, 7),
                0x2ea09907,
                "cmle v7.2s, v8.2s, #0",
            ),
            (
                simd_two_misc(1, 0, 0, 0b10010, 10, 9),
                0x4e212949,
                "xtn2 v9.16b, v10.8h",
            ),
            (
                simd_across(1, 1, 1, 0b11010, 12, 11),
                0x6e71a98b,
                "uminv h11, v12.8h",
            ),
            (
                simd_shift_imm(0, 0, 29, 0b10000, 14, 13),
                0x0f1d85cd,
                "shrn v13.4h, v14.4s, #3",
            ),
            (
                simd_shift_imm(1, 0, 63, 0b10100, 16, 15),
                0x4f3fa60f,
                "sshll2 v15.2d, v16.4s, #31",
            ),
            (
                simd_shift_imm(1, 1, 64, 0, 18, 17),
                0x6f400651,
                "ushr v17.2d, v18.2d, #64",
            ),
            (
                simd_permute(1, 2, 6, 21, 20, 19),
                0x4e956a93,
                "trn2 v19.4s, v20.4s, v21.4s",
            ),
            (
                simd_ext(1, 24, 15, 23, 22),
                0x6e187af6,
                "ext v22.16b, v23.16b, v24.16b, #15",
            ),
            (
                simd_copy(0, 0, 30, 0b0111, 26, 25),
                0x0e1e3f59,
                "umov w25, v26.h[7]",
            ),
            (
                simd_copy(1, 0, 24, 0b0111, 28, 27),
                0x4e183f9b,
                "mov x27, v28.d[1]",
            ),
            (
                simd_copy(1, 0, 28, 0b0011, 30, 29),
                0x4e1c1fdd,
                "mov v29.s[3], w30",
            ),
            (
                simd_copy(1, 0, 8, 0b0001, 1, 0),
                0x4e080c20,
                "dup v0.2d, x1",
            ),
            (
                simd_modified_imm(1, 1, 0b1101, 0xab, 2),
                0x6f05d562,
                "mvni v2.4s, #0xab, msl #16",
            ),
            (
                simd_modified_imm(1, 1, 0b1111, 0xf8, 3),
                0x6f07f703,
                "fmov v3.2d, #-1.5",
            ),
            (
                fmov_general(false, 0, 0, 7, 5, 4),
                0x1e2700a4,
                "fmov s4, w5",
            ),
            (
                fmov_general(true, 2, 1, 7, 7, 6),
                0x9eaf00e6,
                "fmov v6.d[1], x7",
            ),
        ];
        for &(got, want, text) in cases {
            assert_eq!(got, want, "{text}: {got:#010x}, want {want:#010x}");
        }
    }
}
