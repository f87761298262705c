//! riscv64 instruction encoders for the differential tester: the base formats
//! (R/I/S/B/U/J/R4) and the compressed formats, exactly as the manual's
//! encoding diagrams draw them. No assembler is involved at test time.

pub const LOAD: u32 = 0x03;
pub const LOAD_FP: u32 = 0x07;
pub const OP_IMM: u32 = 0x13;
pub const AUIPC: u32 = 0x17;
pub const OP_IMM_32: u32 = 0x1b;
pub const STORE: u32 = 0x23;
pub const STORE_FP: u32 = 0x27;
pub const AMO: u32 = 0x2f;
pub const OP: u32 = 0x33;
pub const LUI: u32 = 0x37;
pub const OP_32: u32 = 0x3b;
pub const MADD: u32 = 0x43;
pub const OP_FP: u32 = 0x53;
pub const BRANCH: u32 = 0x63;
pub const JALR: u32 = 0x67;
pub const JAL: u32 = 0x6f;
pub const SYSTEM: u32 = 0x73;

pub const X_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

pub fn xn(r: u8) -> &'static str {
    X_NAMES[r as usize]
}

pub fn fname(r: u8) -> String {
    format!("f{r}")
}

fn fits_signed(v: i64, bits: u32) -> bool {
    let lim = 1i64 << (bits - 1);
    (-lim..lim).contains(&v)
}

pub fn r(op: u32, f3: u32, f7: u32, rd: u8, rs1: u8, rs2: u8) -> u32 {
    f7 << 25 | (rs2 as u32) << 20 | (rs1 as u32) << 15 | f3 << 12 | (rd as u32) << 7 | op
}

pub fn i(op: u32, f3: u32, rd: u8, rs1: u8, imm: i32) -> u32 {
    assert!(fits_signed(imm as i64, 12), "I immediate {imm}");
    ((imm as u32) & 0xfff) << 20 | (rs1 as u32) << 15 | f3 << 12 | (rd as u32) << 7 | op
}

pub fn s(op: u32, f3: u32, rs1: u8, rs2: u8, imm: i32) -> u32 {
    assert!(fits_signed(imm as i64, 12), "S immediate {imm}");
    let imm = imm as u32;
    (imm >> 5 & 0x7f) << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | f3 << 12
        | (imm & 0x1f) << 7
        | op
}

pub fn b(f3: u32, rs1: u8, rs2: u8, off: i64) -> u32 {
    assert!(fits_signed(off, 13) && off % 2 == 0, "B offset {off}");
    let o = off as u32;
    (o >> 12 & 1) << 31
        | (o >> 5 & 0x3f) << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | f3 << 12
        | (o >> 1 & 0xf) << 8
        | (o >> 11 & 1) << 7
        | BRANCH
}

pub fn u(op: u32, rd: u8, imm20: u32) -> u32 {
    (imm20 & 0xfffff) << 12 | (rd as u32) << 7 | op
}

pub fn j(rd: u8, off: i64) -> u32 {
    assert!(fits_signed(off, 21) && off % 2 == 0, "J offset {off}");
    let o = off as u32;
    (o >> 20 & 1) << 31
        | (o >> 1 & 0x3ff) << 21
        | (o >> 11 & 1) << 20
        | (o >> 12 & 0xff) << 12
        | (rd as u32) << 7
        | JAL
}

/// fmadd/fmsub/fnmsub/fnmadd: `op` is one of 0x43/0x47/0x4b/0x4f, fmt 0 = S, 1 = D.
#[allow(clippy::too_many_arguments)]
pub fn r4(op: u32, fmt: u32, rd: u8, rs1: u8, rs2: u8, rs3: u8, rm: u32) -> u32 {
    (rs3 as u32) << 27
        | fmt << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | rm << 12
        | (rd as u32) << 7
        | op
}

pub fn amo(funct5: u32, w64: bool, aq: bool, rl: bool, rd: u8, rs1: u8, rs2: u8) -> u32 {
    let f7 = funct5 << 2 | (aq as u32) << 1 | rl as u32;
    r(AMO, if w64 { 3 } else { 2 }, f7, rd, rs1, rs2)
}

pub fn csr(f3: u32, rd: u8, rs1_or_uimm: u8, csr: u32) -> u32 {
    csr << 20 | (rs1_or_uimm as u32) << 15 | f3 << 12 | (rd as u32) << 7 | SYSTEM
}

pub fn ecall() -> u32 {
    SYSTEM
}

// ---- compressed ----

/// A register of the compressed 3-bit fields (x8..x15 / f8..f15).
fn c3(r: u8) -> u16 {
    assert!((8..16).contains(&r), "compressed register {r}");
    (r - 8) as u16
}

/// CI format (c.addi, c.addiw, c.li, c.slli, c.lui): imm[5] at 12, imm[4:0] at 6:2.
pub fn ci(f3: u16, op: u16, rd: u8, imm6: u32) -> u16 {
    f3 << 13 | ((imm6 >> 5 & 1) as u16) << 12 | (rd as u16) << 7 | ((imm6 & 0x1f) as u16) << 2 | op
}

/// CB-format shifts/andi (c.srli, c.srai, c.andi): funct2 at 11:10.
pub fn cb_alu(funct2: u16, rd: u8, imm6: u32) -> u16 {
    0b100 << 13
        | ((imm6 >> 5 & 1) as u16) << 12
        | funct2 << 10
        | c3(rd) << 7
        | ((imm6 & 0x1f) as u16) << 2
        | 0b01
}

/// CA format: c.sub/xor/or/and (w = false), c.subw/addw (w = true).
pub fn ca(w: bool, funct2: u16, rd: u8, rs2: u8) -> u16 {
    0b100 << 13 | (w as u16) << 12 | 0b11 << 10 | c3(rd) << 7 | funct2 << 5 | c3(rs2) << 2 | 0b01
}

/// CR format: c.mv (bit12 = 0), c.add (bit12 = 1), c.jr, c.jalr.
pub fn cr(bit12: u16, rd: u8, rs2: u8) -> u16 {
    0b100 << 13 | bit12 << 12 | (rd as u16) << 7 | (rs2 as u16) << 2 | 0b10
}

/// c.addi4spn rd', sp, nzuimm.
pub fn c_addi4spn(rd: u8, uimm: u32) -> u16 {
    assert!(uimm != 0 && uimm.is_multiple_of(4) && uimm < 1024);
    let f = ((uimm >> 4 & 3) << 11
        | (uimm >> 6 & 0xf) << 7
        | (uimm >> 2 & 1) << 6
        | (uimm >> 3 & 1) << 5) as u16;
    f | c3(rd) << 2
}

/// CL/CS with an 8-byte access (c.ld, c.sd, c.fld, c.fsd): uimm[5:3] at 12:10, uimm[7:6] at 6:5.
pub fn cls_d(f3: u16, rs1: u8, r: u8, uimm: u32) -> u16 {
    assert!(uimm.is_multiple_of(8) && uimm < 256);
    f3 << 13
        | ((uimm >> 3 & 7) as u16) << 10
        | c3(rs1) << 7
        | ((uimm >> 6 & 3) as u16) << 5
        | c3(r) << 2
}

/// CL/CS with a 4-byte access (c.lw, c.sw): uimm[5:3] at 12:10, uimm[2] at 6, uimm[6] at 5.
pub fn cls_w(f3: u16, rs1: u8, r: u8, uimm: u32) -> u16 {
    assert!(uimm.is_multiple_of(4) && uimm < 128);
    f3 << 13
        | ((uimm >> 3 & 7) as u16) << 10
        | c3(rs1) << 7
        | ((uimm >> 2 & 1) as u16) << 6
        | ((uimm >> 6 & 1) as u16) << 5
        | c3(r) << 2
}

/// c.ldsp / c.fldsp: uimm[5] at 12, uimm[4:3] at 6:5, uimm[8:6] at 4:2.
pub fn c_ldsp(f3: u16, rd: u8, uimm: u32) -> u16 {
    assert!(uimm.is_multiple_of(8) && uimm < 512);
    f3 << 13
        | ((uimm >> 5 & 1) as u16) << 12
        | (rd as u16) << 7
        | ((uimm >> 3 & 3) as u16) << 5
        | ((uimm >> 6 & 7) as u16) << 2
        | 0b10
}

/// c.lwsp: uimm[5] at 12, uimm[4:2] at 6:4, uimm[7:6] at 3:2.
pub fn c_lwsp(rd: u8, uimm: u32) -> u16 {
    assert!(uimm.is_multiple_of(4) && uimm < 256);
    0b010 << 13
        | ((uimm >> 5 & 1) as u16) << 12
        | (rd as u16) << 7
        | ((uimm >> 2 & 7) as u16) << 4
        | ((uimm >> 6 & 3) as u16) << 2
        | 0b10
}

/// c.sdsp / c.fsdsp: uimm[5:3] at 12:10, uimm[8:6] at 9:7.
pub fn c_sdsp(f3: u16, rs2: u8, uimm: u32) -> u16 {
    assert!(uimm.is_multiple_of(8) && uimm < 512);
    f3 << 13
        | ((uimm >> 3 & 7) as u16) << 10
        | ((uimm >> 6 & 7) as u16) << 7
        | (rs2 as u16) << 2
        | 0b10
}

/// c.swsp: uimm[5:2] at 12:9, uimm[7:6] at 8:7.
pub fn c_swsp(rs2: u8, uimm: u32) -> u16 {
    assert!(uimm.is_multiple_of(4) && uimm < 256);
    0b110 << 13
        | ((uimm >> 2 & 0xf) as u16) << 9
        | ((uimm >> 6 & 3) as u16) << 7
        | (rs2 as u16) << 2
        | 0b10
}

/// c.j offset.
pub fn c_j(off: i64) -> u16 {
    assert!(fits_signed(off, 12) && off % 2 == 0, "c.j offset {off}");
    let o = off as u32;
    let f = (o >> 11 & 1) << 12
        | (o >> 4 & 1) << 11
        | (o >> 8 & 3) << 9
        | (o >> 10 & 1) << 8
        | (o >> 6 & 1) << 7
        | (o >> 7 & 1) << 6
        | (o >> 1 & 7) << 3
        | (o >> 5 & 1) << 2;
    0b101 << 13 | f as u16 | 0b01
}

/// c.beqz (bnez = false) / c.bnez rs1', offset.
pub fn c_bz(bnez: bool, rs1: u8, off: i64) -> u16 {
    assert!(fits_signed(off, 9) && off % 2 == 0, "c.beqz offset {off}");
    let o = off as u32;
    let f = (o >> 8 & 1) << 12
        | (o >> 3 & 3) << 10
        | (o >> 6 & 3) << 5
        | (o >> 1 & 3) << 3
        | (o >> 5 & 1) << 2;
    (if bnez { 0b111 } else { 0b110 }) << 13 | f as u16 | c3(rs1) << 7 | 0b01
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodings pasted from `riscv64-linux-gnu-as` + objdump.
    #[test]
    fn known_encodings() {
        assert_eq!(r(OP, 0, 0, 10, 11, 12), 0x00c58533); // add a0,a1,a2
        assert_eq!(i(OP_IMM, 0, 10, 10, -1), 0xfff50513); // addi a0,a0,-1
        assert_eq!(s(STORE, 3, 8, 10, -8), 0xfea43c23); // sd a0,-8(s0)
        assert_eq!(b(0, 10, 11, 6), 0x00b50363); // beq a0,a1,.+6
        assert_eq!(j(1, 10), 0x00a000ef); // jal ra,.+10
        assert_eq!(ci(0b000, 0b01, 10, 1), 0x0505); // c.addi a0,1
        assert_eq!(c_j(2), 0xa009); // c.j .+2
        assert_eq!(c_bz(false, 10, 4), 0xc111); // c.beqz a0,.+4
        assert_eq!(cls_d(0b011, 8, 10, 8), 0x6408); // c.ld a0,8(s0)
        assert_eq!(c_ldsp(0b011, 10, 16), 0x6542); // c.ldsp a0,16(sp)
        assert_eq!(c_sdsp(0b111, 10, 16), 0xe82a); // c.sdsp a0,16(sp)
        assert_eq!(c_addi4spn(10, 16), 0x0808); // c.addi4spn a0,sp,16
    }
}
