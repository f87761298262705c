//! RVC (the C extension, RV64 quadrants 0–2): every 16-bit instruction is
//! expanded to its 32-bit equivalent, which then goes through the ordinary
//! decoder, so compressed code needs no translators of its own.
//!
//! One table line per compressed instruction, in the decoder's pattern
//! syntax with 16 bits; more specific lines come first (the first match
//! wins). An expander returns `None` for the reserved encodings of its
//! line (the guest gets SIGILL); HINT encodings expand to their harmless
//! 32-bit forms (writes to x0).

use super::super::decode::parse_pattern;

/// One compressed-instruction table line.
pub struct CLine {
    pub mask: u16,
    pub bits: u16,
    pub name: &'static str,
    pub expand: fn(u16) -> Option<u32>,
}

/// `"16-bit pattern" name => expander;` per line.
macro_rules! rvc_table {
    ($( $pat:literal $name:ident => $f:path; )*) => {
        &[ $( {
            const MB: (u32, u32) = parse_pattern($pat);
            CLine { mask: MB.0 as u16, bits: MB.1 as u16, name: stringify!($name), expand: $f }
        }, )* ]
    };
}

pub const TABLE: &[CLine] = rvc_table! {
    // Quadrant 0
    "000 ........ ... 00"   c_addi4spn => addi4spn;
    "001 ... ... .. ... 00" c_fld => fld;
    "010 ... ... .. ... 00" c_lw => lw;
    "011 ... ... .. ... 00" c_ld => ld;
    "101 ... ... .. ... 00" c_fsd => fsd;
    "110 ... ... .. ... 00" c_sw => sw;
    "111 ... ... .. ... 00" c_sd => sd;

    // Quadrant 1
    "000 0 00000 00000 01"  c_nop => nop;
    "000 . ..... ..... 01"  c_addi => addi;
    "001 . ..... ..... 01"  c_addiw => addiw;
    "010 . ..... ..... 01"  c_li => li;
    "011 . 00010 ..... 01"  c_addi16sp => addi16sp;
    "011 . ..... ..... 01"  c_lui => lui;
    "100 . 00 ... ..... 01" c_srli => srli;
    "100 . 01 ... ..... 01" c_srai => srai;
    "100 . 10 ... ..... 01" c_andi => andi;
    "100 0 11 ... 00 ... 01" c_sub => sub;
    "100 0 11 ... 01 ... 01" c_xor => xor;
    "100 0 11 ... 10 ... 01" c_or => or;
    "100 0 11 ... 11 ... 01" c_and => and;
    "100 1 11 ... 00 ... 01" c_subw => subw;
    "100 1 11 ... 01 ... 01" c_addw => addw;
    "101 ........... 01"    c_j => j;
    "110 ... ... ..... 01"  c_beqz => beqz;
    "111 ... ... ..... 01"  c_bnez => bnez;

    // Quadrant 2
    "000 . ..... ..... 10"  c_slli => slli;
    "001 . ..... ..... 10"  c_fldsp => fldsp;
    "010 . ..... ..... 10"  c_lwsp => lwsp;
    "011 . ..... ..... 10"  c_ldsp => ldsp;
    "100 0 ..... 00000 10"  c_jr => jr;
    "100 0 ..... ..... 10"  c_mv => mv;
    "100 1 00000 00000 10"  c_ebreak => ebreak;
    "100 1 ..... 00000 10"  c_jalr => jalr;
    "100 1 ..... ..... 10"  c_add => add;
    "101 ...... ..... 10"   c_fsdsp => fsdsp;
    "110 ...... ..... 10"   c_swsp => swsp;
    "111 ...... ..... 10"   c_sdsp => sdsp;
};

/// Lines by (funct3, quadrant): bit n of `BUCKETS[h >> 13 << 2 | h & 3]` is
/// set when line n can match. Every line fixes bits 15:13 and 1:0.
const BUCKETS: [u64; 32] = {
    assert!(TABLE.len() <= 64);
    let mut buckets = [0u64; 32];
    let mut n = 0;
    while n < TABLE.len() {
        assert!(TABLE[n].mask & 0xe003 == 0xe003, "a compressed line leaves funct3 or the quadrant free");
        let bits = TABLE[n].bits;
        buckets[((bits >> 13) << 2 | (bits & 3)) as usize] |= 1 << n;
        n += 1;
    }
    buckets
};

/// The table line a halfword matches (the first, in table order).
pub fn lookup(half: u16) -> Option<&'static CLine> {
    let mut candidates = BUCKETS[((half >> 13) << 2 | (half & 3)) as usize];
    while candidates != 0 {
        let line = &TABLE[candidates.trailing_zeros() as usize];
        if half & line.mask == line.bits {
            return Some(line);
        }
        candidates &= candidates - 1;
    }
    None
}

/// Expands a compressed instruction to its 32-bit equivalent; `None` if the
/// halfword is reserved or not a compressed instruction (low bits 11).
pub fn expand(half: u16) -> Option<u32> {
    lookup(half).and_then(|line| (line.expand)(half))
}

// ---- fields of the 16-bit formats ----

/// Bits hi..=lo of the halfword.
fn field(h: u16, hi: u32, lo: u32) -> u32 {
    (h as u32 >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// Assembles an immediate from scattered pieces: each `(hi, lo, at)` moves
/// halfword bits hi..=lo to immediate bits starting at `at`.
fn scatter(h: u16, pieces: &[(u32, u32, u32)]) -> u32 {
    pieces.iter().fold(0, |v, &(hi, lo, at)| v | field(h, hi, lo) << at)
}

fn sext(v: u32, bits: u32) -> i64 {
    ((v as i64) << (64 - bits)) >> (64 - bits)
}

/// Full 5-bit rd/rs1 (bits 11:7).
fn rd(h: u16) -> u32 {
    field(h, 11, 7)
}
/// Full 5-bit rs2 (bits 6:2).
fn rs2(h: u16) -> u32 {
    field(h, 6, 2)
}
/// 3-bit register x8..x15 at bits 9:7 (rd'/rs1').
fn r97(h: u16) -> u32 {
    8 + field(h, 9, 7)
}
/// 3-bit register x8..x15 at bits 4:2 (rd'/rs2').
fn r42(h: u16) -> u32 {
    8 + field(h, 4, 2)
}
/// The signed 6-bit immediate of CI: imm[5] at 12, imm[4:0] at 6:2.
fn ci_imm(h: u16) -> i64 {
    sext(scatter(h, &[(12, 12, 5), (6, 2, 0)]), 6)
}
/// The unsigned 6-bit shift amount of CI / CB shifts.
fn ci_shamt(h: u16) -> i64 {
    scatter(h, &[(12, 12, 5), (6, 2, 0)]) as i64
}
/// CL/CS word offset: uimm[5:3] at 12:10, uimm[2] at 6, uimm[6] at 5.
fn cl_w_off(h: u16) -> i64 {
    scatter(h, &[(12, 10, 3), (6, 6, 2), (5, 5, 6)]) as i64
}
/// CL/CS doubleword offset: uimm[5:3] at 12:10, uimm[7:6] at 6:5.
fn cl_d_off(h: u16) -> i64 {
    scatter(h, &[(12, 10, 3), (6, 5, 6)]) as i64
}
/// CB branch offset: imm[8|4:3] at 12:10, imm[7:6|2:1|5] at 6:2.
fn cb_off(h: u16) -> i64 {
    sext(scatter(h, &[(12, 12, 8), (11, 10, 3), (6, 5, 6), (4, 3, 1), (2, 2, 5)]), 9)
}

// ---- 32-bit encodings ----

const LOAD: u32 = 0x03;
const LOAD_FP: u32 = 0x07;
const OP_IMM: u32 = 0x13;
const OP_IMM_32: u32 = 0x1b;
const STORE: u32 = 0x23;
const STORE_FP: u32 = 0x27;
const OP: u32 = 0x33;
const LUI: u32 = 0x37;
const OP_32: u32 = 0x3b;
const BRANCH: u32 = 0x63;
const JALR: u32 = 0x67;
const JAL: u32 = 0x6f;
const EBREAK: u32 = 0x0010_0073;

const SP: u32 = 2;
const RA: u32 = 1;

fn i_type(op: u32, f3: u32, rd: u32, rs1: u32, imm: i64) -> u32 {
    ((imm as u32) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn s_type(op: u32, f3: u32, rs1: u32, rs2: u32, imm: i64) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (imm & 0x1f) << 7 | op
}
fn r_type(op: u32, f3: u32, f7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
    f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
}
fn b_type(f3: u32, rs1: u32, rs2: u32, imm: i64) -> u32 {
    let i = imm as u32;
    ((i >> 12) & 1) << 31
        | ((i >> 5) & 0x3f) << 25
        | rs2 << 20
        | rs1 << 15
        | f3 << 12
        | ((i >> 1) & 0xf) << 8
        | ((i >> 11) & 1) << 7
        | BRANCH
}
fn j_type(rd: u32, imm: i64) -> u32 {
    let i = imm as u32;
    ((i >> 20) & 1) << 31 | ((i >> 1) & 0x3ff) << 21 | ((i >> 11) & 1) << 20 | ((i >> 12) & 0xff) << 12 | rd << 7 | JAL
}

// ---- quadrant 0 ----

/// addi rd', sp, nzuimm; nzuimm = 0 (including the all-zero halfword) is reserved.
fn addi4spn(h: u16) -> Option<u32> {
    let imm = scatter(h, &[(12, 11, 4), (10, 7, 6), (6, 6, 2), (5, 5, 3)]) as i64;
    (imm != 0).then(|| i_type(OP_IMM, 0, r42(h), SP, imm))
}
fn fld(h: u16) -> Option<u32> {
    Some(i_type(LOAD_FP, 3, r42(h), r97(h), cl_d_off(h)))
}
fn lw(h: u16) -> Option<u32> {
    Some(i_type(LOAD, 2, r42(h), r97(h), cl_w_off(h)))
}
fn ld(h: u16) -> Option<u32> {
    Some(i_type(LOAD, 3, r42(h), r97(h), cl_d_off(h)))
}
fn fsd(h: u16) -> Option<u32> {
    Some(s_type(STORE_FP, 3, r97(h), r42(h), cl_d_off(h)))
}
fn sw(h: u16) -> Option<u32> {
    Some(s_type(STORE, 2, r97(h), r42(h), cl_w_off(h)))
}
fn sd(h: u16) -> Option<u32> {
    Some(s_type(STORE, 3, r97(h), r42(h), cl_d_off(h)))
}

// ---- quadrant 1 ----

fn nop(_h: u16) -> Option<u32> {
    Some(i_type(OP_IMM, 0, 0, 0, 0))
}
/// addi rd, rd, imm (rd = x0 or imm = 0 are HINTs).
fn addi(h: u16) -> Option<u32> {
    Some(i_type(OP_IMM, 0, rd(h), rd(h), ci_imm(h)))
}
/// addiw rd, rd, imm; rd = x0 is reserved.
fn addiw(h: u16) -> Option<u32> {
    (rd(h) != 0).then(|| i_type(OP_IMM_32, 0, rd(h), rd(h), ci_imm(h)))
}
/// addi rd, x0, imm.
fn li(h: u16) -> Option<u32> {
    Some(i_type(OP_IMM, 0, rd(h), 0, ci_imm(h)))
}
/// addi sp, sp, nzimm (multiples of 16); nzimm = 0 is reserved.
fn addi16sp(h: u16) -> Option<u32> {
    let imm = sext(scatter(h, &[(12, 12, 9), (6, 6, 4), (5, 5, 6), (4, 3, 7), (2, 2, 5)]), 10);
    (imm != 0).then(|| i_type(OP_IMM, 0, SP, SP, imm))
}
/// lui rd, nzimm; nzimm = 0 is reserved.
fn lui(h: u16) -> Option<u32> {
    let imm = sext(scatter(h, &[(12, 12, 17), (6, 2, 12)]), 18);
    (imm != 0).then(|| (imm as u32 & 0xffff_f000) | rd(h) << 7 | LUI)
}
fn srli(h: u16) -> Option<u32> {
    Some(i_type(OP_IMM, 5, r97(h), r97(h), ci_shamt(h)))
}
fn srai(h: u16) -> Option<u32> {
    Some(i_type(OP_IMM, 5, r97(h), r97(h), ci_shamt(h) | 0x400))
}
fn andi(h: u16) -> Option<u32> {
    Some(i_type(OP_IMM, 7, r97(h), r97(h), ci_imm(h)))
}
fn sub(h: u16) -> Option<u32> {
    Some(r_type(OP, 0, 0x20, r97(h), r97(h), r42(h)))
}
fn xor(h: u16) -> Option<u32> {
    Some(r_type(OP, 4, 0, r97(h), r97(h), r42(h)))
}
fn or(h: u16) -> Option<u32> {
    Some(r_type(OP, 6, 0, r97(h), r97(h), r42(h)))
}
fn and(h: u16) -> Option<u32> {
    Some(r_type(OP, 7, 0, r97(h), r97(h), r42(h)))
}
fn subw(h: u16) -> Option<u32> {
    Some(r_type(OP_32, 0, 0x20, r97(h), r97(h), r42(h)))
}
fn addw(h: u16) -> Option<u32> {
    Some(r_type(OP_32, 0, 0, r97(h), r97(h), r42(h)))
}
/// jal x0, offset.
fn j(h: u16) -> Option<u32> {
    let off = scatter(h, &[(12, 12, 11), (11, 11, 4), (10, 9, 8), (8, 8, 10), (7, 7, 6), (6, 6, 7), (5, 3, 1), (2, 2, 5)]);
    Some(j_type(0, sext(off, 12)))
}
fn beqz(h: u16) -> Option<u32> {
    Some(b_type(0, r97(h), 0, cb_off(h)))
}
fn bnez(h: u16) -> Option<u32> {
    Some(b_type(1, r97(h), 0, cb_off(h)))
}

// ---- quadrant 2 ----

/// slli rd, rd, shamt (rd = x0 is a HINT).
fn slli(h: u16) -> Option<u32> {
    Some(i_type(OP_IMM, 1, rd(h), rd(h), ci_shamt(h)))
}
/// Stack-pointer-relative doubleword load offset: uimm[5] at 12, uimm[4:3|8:6] at 6:2.
fn ldsp_off(h: u16) -> i64 {
    scatter(h, &[(12, 12, 5), (6, 5, 3), (4, 2, 6)]) as i64
}
fn fldsp(h: u16) -> Option<u32> {
    Some(i_type(LOAD_FP, 3, rd(h), SP, ldsp_off(h)))
}
/// lw rd, uimm(sp); rd = x0 is reserved.
fn lwsp(h: u16) -> Option<u32> {
    let off = scatter(h, &[(12, 12, 5), (6, 4, 2), (3, 2, 6)]) as i64;
    (rd(h) != 0).then(|| i_type(LOAD, 2, rd(h), SP, off))
}
/// ld rd, uimm(sp); rd = x0 is reserved.
fn ldsp(h: u16) -> Option<u32> {
    (rd(h) != 0).then(|| i_type(LOAD, 3, rd(h), SP, ldsp_off(h)))
}
/// jalr x0, 0(rs1); rs1 = x0 is reserved.
fn jr(h: u16) -> Option<u32> {
    (rd(h) != 0).then(|| i_type(JALR, 0, 0, rd(h), 0))
}
/// add rd, x0, rs2 (rd = x0 is a HINT).
fn mv(h: u16) -> Option<u32> {
    Some(r_type(OP, 0, 0, rd(h), 0, rs2(h)))
}
fn ebreak(_h: u16) -> Option<u32> {
    Some(EBREAK)
}
/// jalr ra, 0(rs1) (rs1 != 0: c.ebreak comes first).
fn jalr(h: u16) -> Option<u32> {
    Some(i_type(JALR, 0, RA, rd(h), 0))
}
/// add rd, rd, rs2 (rd = x0 is a HINT).
fn add(h: u16) -> Option<u32> {
    Some(r_type(OP, 0, 0, rd(h), rd(h), rs2(h)))
}
/// Stack-pointer-relative doubleword store offset: uimm[5:3|8:6] at 12:7.
fn sdsp_off(h: u16) -> i64 {
    scatter(h, &[(12, 10, 3), (9, 7, 6)]) as i64
}
fn fsdsp(h: u16) -> Option<u32> {
    Some(s_type(STORE_FP, 3, SP, rs2(h), sdsp_off(h)))
}
/// sw rs2, uimm(sp): uimm[5:2|7:6] at 12:7.
fn swsp(h: u16) -> Option<u32> {
    let off = scatter(h, &[(12, 9, 2), (8, 7, 6)]) as i64;
    Some(s_type(STORE, 2, SP, rs2(h), off))
}
fn sdsp(h: u16) -> Option<u32> {
    Some(s_type(STORE, 3, SP, rs2(h), sdsp_off(h)))
}
