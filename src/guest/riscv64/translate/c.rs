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
    /// The mnemonic with '.' as '_' (tests and diagnostics).
    #[cfg_attr(not(test), allow(dead_code))]
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
        assert!(
            TABLE[n].mask & 0xe003 == 0xe003,
            "a compressed line leaves funct3 or the quadrant free"
        );
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
    pieces
        .iter()
        .fold(0, |v, &(hi, lo, at)| v | field(h, hi, lo) << at)
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
    sext(
        scatter(
            h,
            &[(12, 12, 8), (11, 10, 3), (6, 5, 6), (4, 3, 1), (2, 2, 5)],
        ),
        9,
    )
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
    ((i >> 20) & 1) << 31
        | ((i >> 1) & 0x3ff) << 21
        | ((i >> 11) & 1) << 20
        | ((i >> 12) & 0xff) << 12
        | rd << 7
        | JAL
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
    let imm = sext(
        scatter(
            h,
            &[(12, 12, 9), (6, 6, 4), (5, 5, 6), (4, 3, 7), (2, 2, 5)],
        ),
        10,
    );
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
    let off = scatter(
        h,
        &[
            (12, 12, 11),
            (11, 11, 4),
            (10, 9, 8),
            (8, 8, 10),
            (7, 7, 6),
            (6, 6, 7),
            (5, 3, 1),
            (2, 2, 5),
        ],
    );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::riscv64::decode::lookup as lookup32;
    use crate::guest::riscv64::tests::{
        candidates, capstone, capstone_name, line_name, same_instruction, Lcg,
    };

    /// (compressed halfword, 32-bit equivalent, source): the halfword
    /// assembled by GNU as 2.40 (`-march=rv64gc`, `.option rvc`), the word
    /// from the equivalent 32-bit instruction under `.option norvc`, both
    /// linked at 0x10000 so pc-relative offsets resolve; the compressed
    /// mnemonic checked back with `objdump -M no-aliases`.
    const ASSEMBLED: &[(u16, u32, &str)] = &[
        (0x1fe8, 0x3fc10513, "c.addi4spn a0, sp, 1020"),
        (0x0040, 0x00410413, "c.addi4spn s0, sp, 4"),
        (0x003c, 0x00810793, "c.addi4spn a5, sp, 8"),
        (0x3de8, 0x0f85b507, "c.fld fa0, 248(a1)"),
        (0x2480, 0x0084b407, "c.fld fs0, 8(s1)"),
        (0x5de8, 0x07c5a503, "c.lw a0, 124(a1)"),
        (0x43c4, 0x0047a483, "c.lw s1, 4(a5)"),
        (0x42b0, 0x0406a603, "c.lw a2, 64(a3)"),
        (0x7de8, 0x0f85b503, "c.ld a0, 248(a1)"),
        (0x641c, 0x00843783, "c.ld a5, 8(s0)"),
        (0x6324, 0x04073483, "c.ld s1, 64(a4)"),
        (0xbd7c, 0x0ef53c27, "c.fsd fa5, 248(a0)"),
        (0xa024, 0x04943027, "c.fsd fs1, 64(s0)"),
        (0xdde8, 0x06a5ae23, "c.sw a0, 124(a1)"),
        (0xc1a8, 0x04a5a023, "c.sw a0, 64(a1)"),
        (0xc3c0, 0x0087a223, "c.sw s0, 4(a5)"),
        (0xe4dc, 0x08f4b423, "c.sd a5, 136(s1)"),
        (0xfd60, 0x0e853c23, "c.sd s0, 248(a0)"),
        (0x0001, 0x00000013, "c.nop"),
        (0x1501, 0xfe050513, "c.addi a0, -32"),
        (0x0ffd, 0x01ff8f93, "c.addi t6, 31"),
        (0x0105, 0x00110113, "c.addi sp, 1"),
        (0x357d, 0xfff5051b, "c.addiw a0, -1"),
        (0x22fd, 0x01f2829b, "c.addiw t0, 31"),
        (0x2481, 0x0004849b, "c.addiw s1, 0"),
        (0x5501, 0xfe000513, "c.li a0, -32"),
        (0x40fd, 0x01f00093, "c.li ra, 31"),
        (0x4e01, 0x00000e13, "c.li t3, 0"),
        (0x7101, 0xe0010113, "c.addi16sp sp, -512"),
        (0x617d, 0x1f010113, "c.addi16sp sp, 496"),
        (0x6141, 0x01010113, "c.addi16sp sp, 16"),
        (0x6105, 0x02010113, "c.addi16sp sp, 32"),
        (0x6121, 0x04010113, "c.addi16sp sp, 64"),
        (0x6109, 0x08010113, "c.addi16sp sp, 128"),
        (0x6111, 0x10010113, "c.addi16sp sp, 256"),
        (0x6505, 0x00001537, "c.lui a0, 1"),
        (0x7501, 0xfffe0537, "c.lui a0, 0xfffe0"),
        (0x6ffd, 0x0001ffb7, "c.lui t6, 31"),
        (0x747d, 0xfffff437, "c.lui s0, 0xfffff"),
        (0x60c1, 0x000100b7, "c.lui ra, 16"),
        (0x917d, 0x03f55513, "c.srli a0, 63"),
        (0x8005, 0x00145413, "c.srli s0, 1"),
        (0x9381, 0x0207d793, "c.srli a5, 32"),
        (0x957d, 0x43f55513, "c.srai a0, 63"),
        (0x84fd, 0x41f4d493, "c.srai s1, 31"),
        (0x9681, 0x4206d693, "c.srai a3, 32"),
        (0x9901, 0xfe057513, "c.andi a0, -32"),
        (0x887d, 0x01f47413, "c.andi s0, 31"),
        (0x8b81, 0x0007f793, "c.andi a5, 0"),
        (0x8d0d, 0x40b50533, "c.sub a0, a1"),
        (0x8c1d, 0x40f40433, "c.sub s0, a5"),
        (0x8fa1, 0x0087c7b3, "c.xor a5, s0"),
        (0x8e35, 0x00d64633, "c.xor a2, a3"),
        (0x8cd9, 0x00e4e4b3, "c.or s1, a4"),
        (0x8d49, 0x00a56533, "c.or a0, a0"),
        (0x8ee5, 0x0096f6b3, "c.and a3, s1"),
        (0x8f7d, 0x00f77733, "c.and a4, a5"),
        (0x9d0d, 0x40b5053b, "c.subw a0, a1"),
        (0x9f81, 0x408787bb, "c.subw a5, s0"),
        (0x9c25, 0x0094043b, "c.addw s0, s1"),
        (0x9fb1, 0x00c787bb, "c.addw a5, a2"),
        (0xaffd, 0x7fe0006f, "c.j .+2046"),
        (0xb001, 0x801ff06f, "c.j .-2048"),
        (0xa009, 0x0020006f, "c.j .+2"),
        (0xa101, 0x4000006f, "c.j .+1024"),
        (0xa46d, 0x2aa0006f, "c.j .+682"),
        (0xb46d, 0xaabff06f, "c.j .-1366"),
        (0xcc7d, 0x0e040f63, "c.beqz s0, .+254"),
        (0xd381, 0xf00780e3, "c.beqz a5, .-256"),
        (0xc54d, 0x0a050563, "c.beqz a0, .+170"),
        (0xe109, 0x00051163, "c.bnez a0, .+2"),
        (0xfdfd, 0xfe059fe3, "c.bnez a1, .-2"),
        (0xe8b1, 0x04049a63, "c.bnez s1, .+84"),
        (0x157e, 0x03f51513, "c.slli a0, 63"),
        (0x0f86, 0x001f9f93, "c.slli t6, 1"),
        (0x1082, 0x02009093, "c.slli ra, 32"),
        (0x357e, 0x1f813507, "c.fldsp fa0, 504(sp)"),
        (0x2002, 0x00013007, "c.fldsp ft0, 0(sp)"),
        (0x3fa2, 0x02813f87, "c.fldsp ft11, 40(sp)"),
        (0x557e, 0x0fc12503, "c.lwsp a0, 252(sp)"),
        (0x4092, 0x00412083, "c.lwsp ra, 4(sp)"),
        (0x5f82, 0x02012f83, "c.lwsp t6, 32(sp)"),
        (0x757e, 0x1f813503, "c.ldsp a0, 504(sp)"),
        (0x60a2, 0x00813083, "c.ldsp ra, 8(sp)"),
        (0x7f82, 0x02013f83, "c.ldsp t6, 32(sp)"),
        (0x8082, 0x00008067, "c.jr ra"),
        (0x8f82, 0x000f8067, "c.jr t6"),
        (0x852e, 0x00b00533, "c.mv a0, a1"),
        (0x8f86, 0x00100fb3, "c.mv t6, ra"),
        (0x9002, 0x00100073, "c.ebreak"),
        (0x9502, 0x000500e7, "c.jalr a0"),
        (0x9f82, 0x000f80e7, "c.jalr t6"),
        (0x952e, 0x00b50533, "c.add a0, a1"),
        (0x9f86, 0x001f8fb3, "c.add t6, ra"),
        (0xbfaa, 0x1ea13c27, "c.fsdsp fa0, 504(sp)"),
        (0xa406, 0x00113427, "c.fsdsp ft1, 8(sp)"),
        (0xdfaa, 0x0ea12e23, "c.swsp a0, 252(sp)"),
        (0xc206, 0x00112223, "c.swsp ra, 4(sp)"),
        (0xffaa, 0x1ea13c23, "c.sdsp a0, 504(sp)"),
        (0xe47e, 0x01f13423, "c.sdsp t6, 8(sp)"),
    ];

    #[test]
    fn every_compressed_line_expands_as_gnu_as_assembles() {
        let mut failures = Vec::new();
        for &(half, word, source) in ASSEMBLED {
            let want_line = line_name(source.split_whitespace().next().unwrap());
            let got_line = lookup(half).map(|l| l.name);
            if got_line != Some(want_line.as_str()) {
                failures.push(format!("{half:#06x} ({source}) matches line {got_line:?}"));
            }
            if expand(half) != Some(word) {
                failures.push(format!(
                    "{half:#06x} ({source}) expands to {:#010x?}, as says {word:#010x}",
                    expand(half)
                ));
            }
        }
        for line in TABLE {
            if !ASSEMBLED
                .iter()
                .any(|&(h, _, _)| lookup(h).is_some_and(|l| l.name == line.name))
            {
                failures.push(format!("line {} has no assembled example", line.name));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_compressed_line_decodes_as_capstone_says() {
        let cs = capstone();
        let mut rng = Lcg::new(0xc0_ffee);
        let mut failures = Vec::new();
        for line in TABLE {
            let mut verified = false;
            for h in candidates(line.mask as u32, line.bits as u32, 16, 24, &mut rng) {
                let h = h as u16;
                if lookup(h).map(|l| l.name) != Some(line.name) || expand(h).is_none() {
                    continue; // an earlier line's, or reserved
                }
                match capstone_name(&cs, &h.to_le_bytes()) {
                    Some(name) if same_instruction(&name, line.name) => verified = true,
                    Some(name) => failures.push(format!(
                        "{h:#06x}: line {} but capstone says {name}",
                        line.name
                    )),
                    None => {}
                }
            }
            if !verified {
                failures.push(format!("line {} never confirmed by capstone", line.name));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Which 32-bit line each compressed line must expand to.
    const BASE: &[(&str, &str)] = &[
        ("c_addi4spn", "addi"),
        ("c_fld", "fld"),
        ("c_lw", "lw"),
        ("c_ld", "ld"),
        ("c_fsd", "fsd"),
        ("c_sw", "sw"),
        ("c_sd", "sd"),
        ("c_nop", "addi"),
        ("c_addi", "addi"),
        ("c_addiw", "addiw"),
        ("c_li", "addi"),
        ("c_addi16sp", "addi"),
        ("c_lui", "lui"),
        ("c_srli", "srli"),
        ("c_srai", "srai"),
        ("c_andi", "andi"),
        ("c_sub", "sub"),
        ("c_xor", "xor"),
        ("c_or", "or"),
        ("c_and", "and"),
        ("c_subw", "subw"),
        ("c_addw", "addw"),
        ("c_j", "jal"),
        ("c_beqz", "beq"),
        ("c_bnez", "bne"),
        ("c_slli", "slli"),
        ("c_fldsp", "fld"),
        ("c_lwsp", "lw"),
        ("c_ldsp", "ld"),
        ("c_jr", "jalr"),
        ("c_mv", "add"),
        ("c_ebreak", "ebreak"),
        ("c_jalr", "jalr"),
        ("c_add", "add"),
        ("c_fsdsp", "fsd"),
        ("c_swsp", "sw"),
        ("c_sdsp", "sd"),
    ];

    #[test]
    fn every_expansion_is_a_decodable_instruction_of_the_right_kind() {
        let mut rng = Lcg::new(7);
        assert_eq!(BASE.len(), TABLE.len());
        for line in TABLE {
            let base = BASE
                .iter()
                .find(|b| b.0 == line.name)
                .unwrap_or_else(|| panic!("{} not in BASE", line.name))
                .1;
            for h in candidates(line.mask as u32, line.bits as u32, 16, 64, &mut rng) {
                let h = h as u16;
                if lookup(h).map(|l| l.name) != Some(line.name) {
                    continue;
                }
                if let Some(word) = expand(h) {
                    assert_eq!(
                        lookup32(word).map(|p| p.name),
                        Some(base),
                        "{h:#06x} ({}) -> {word:#010x}",
                        line.name
                    );
                }
            }
        }
    }

    #[test]
    fn reserved_compressed_encodings_do_not_expand() {
        for (half, what) in [
            (0x0000, "all-zero halfword"),
            (0x0004, "c.addi4spn with nzuimm 0"),
            (0x8000, "quadrant 0, funct3 100"),
            (0x2001, "c.addiw x0"),
            (0x6101, "c.addi16sp 0"),
            (0x6501, "c.lui a0, 0"),
            (0x9c41, "c.subw-space funct2 10 (reserved)"),
            (0x9c61, "c.subw-space funct2 11 (reserved)"),
            (0x4002, "c.lwsp x0"),
            (0x6002, "c.ldsp x0"),
            (0x8002, "c.jr x0"),
            (0x0003, "not compressed"),
            (0xffff, "not compressed"),
        ] {
            assert_eq!(expand(half), None, "{half:#06x}: {what}");
        }
    }

    #[test]
    fn hints_expand_to_writes_of_x0() {
        // c.li x0, 1 / c.mv x0, a0 / c.slli x0, 1 are HINTs: they run, as nops.
        assert_eq!(expand(0x4005), Some(0x0010_0013)); // addi x0, x0, 1
        assert_eq!(expand(0x802a), Some(0x00a0_0033)); // add x0, x0, a0
        assert_eq!(expand(0x0006), Some(0x0010_1013)); // slli x0, x0, 1
    }
}
