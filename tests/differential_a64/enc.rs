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
