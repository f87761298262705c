//! The bit-manipulation extensions Zba (address generation), Zbb (basic
//! bit manipulation) and Zbs (single-bit operations), as in RVA22/RVA23.
//! Every instruction maps to a short IR sequence; no helpers.

use super::super::decode::{Illegal, Insn, Pattern};
use super::i::{reg_imm, reg_reg};
use super::Ctx;
use crate::ir::{Builder, Cond, Value};

pub const TABLE: &[Pattern] = crate::rv_table! {
    // Zba
    "0000100 ..... ..... 000 ..... 0111011" add_uw => add_uw;
    "0010000 ..... ..... 010 ..... 0110011" sh1add => sh1add;
    "0010000 ..... ..... 100 ..... 0110011" sh2add => sh2add;
    "0010000 ..... ..... 110 ..... 0110011" sh3add => sh3add;
    "0010000 ..... ..... 010 ..... 0111011" sh1add_uw => sh1add_uw;
    "0010000 ..... ..... 100 ..... 0111011" sh2add_uw => sh2add_uw;
    "0010000 ..... ..... 110 ..... 0111011" sh3add_uw => sh3add_uw;
    "000010 ...... ..... 001 ..... 0011011" slli_uw => slli_uw;

    // Zbb
    "0100000 ..... ..... 111 ..... 0110011" andn => andn;
    "0100000 ..... ..... 110 ..... 0110011" orn => orn;
    "0100000 ..... ..... 100 ..... 0110011" xnor => xnor;
    "0110000 00000 ..... 001 ..... 0010011" clz => clz;
    "0110000 00000 ..... 001 ..... 0011011" clzw => clzw;
    "0110000 00001 ..... 001 ..... 0010011" ctz => ctz;
    "0110000 00001 ..... 001 ..... 0011011" ctzw => ctzw;
    "0110000 00010 ..... 001 ..... 0010011" cpop => cpop;
    "0110000 00010 ..... 001 ..... 0011011" cpopw => cpopw;
    "0000101 ..... ..... 110 ..... 0110011" max => max;
    "0000101 ..... ..... 111 ..... 0110011" maxu => maxu;
    "0000101 ..... ..... 100 ..... 0110011" min => min;
    "0000101 ..... ..... 101 ..... 0110011" minu => minu;
    "0110000 00100 ..... 001 ..... 0010011" sext_b => sext_b;
    "0110000 00101 ..... 001 ..... 0010011" sext_h => sext_h;
    "0000100 00000 ..... 100 ..... 0111011" zext_h => zext_h;
    "0110000 ..... ..... 001 ..... 0110011" rol => rol;
    "0110000 ..... ..... 001 ..... 0111011" rolw => rolw;
    "0110000 ..... ..... 101 ..... 0110011" ror => ror;
    "011000 ...... ..... 101 ..... 0010011" rori => rori;
    "0110000 ..... ..... 101 ..... 0011011" roriw => roriw;
    "0110000 ..... ..... 101 ..... 0111011" rorw => rorw;
    "0010100 00111 ..... 101 ..... 0010011" orc_b => orc_b;
    "0110101 11000 ..... 101 ..... 0010011" rev8 => rev8;

    // Zbs
    "0100100 ..... ..... 001 ..... 0110011" bclr => bclr;
    "010010 ...... ..... 001 ..... 0010011" bclri => bclri;
    "0100100 ..... ..... 101 ..... 0110011" bext => bext;
    "010010 ...... ..... 101 ..... 0010011" bexti => bexti;
    "0110100 ..... ..... 001 ..... 0110011" binv => binv;
    "011010 ...... ..... 001 ..... 0010011" binvi => binvi;
    "0010100 ..... ..... 001 ..... 0110011" bset => bset;
    "001010 ...... ..... 001 ..... 0010011" bseti => bseti;
};

/// `rd = op(rs1)`; nothing is emitted when rd is x0.
fn unary(cx: &mut Ctx, i: Insn, op: fn(&mut Builder, Value) -> Value) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let a = cx.x(i.rs1());
        let v = op(&mut cx.b, a);
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

// ---- Zba ----

/// `rd = (zext32(rs1) << shift) + rs2` (`uw`) or `(rs1 << shift) + rs2`.
fn shift_add(cx: &mut Ctx, i: Insn, shift: u64, uw: bool) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let mut a = cx.x(i.rs1());
        if uw {
            a = cx.b.zext32(a);
        }
        if shift != 0 {
            let s = cx.b.const_(shift);
            a = cx.b.shl(a, s);
        }
        let b = cx.x(i.rs2());
        let v = cx.b.add(a, b);
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

fn add_uw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    if i.rs2() == 0 {
        // zext.w
        return unary(cx, i, Builder::zext32);
    }
    shift_add(cx, i, 0, true)
}
fn sh1add(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    shift_add(cx, i, 1, false)
}
fn sh2add(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    shift_add(cx, i, 2, false)
}
fn sh3add(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    shift_add(cx, i, 3, false)
}
fn sh1add_uw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    shift_add(cx, i, 1, true)
}
fn sh2add_uw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    shift_add(cx, i, 2, true)
}
fn sh3add_uw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    shift_add(cx, i, 3, true)
}
fn slli_uw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.shamt() as i64, |b, x, s| {
        let x = b.zext32(x);
        b.shl(x, s)
    })
}

// ---- Zbb: logic with negate, counts, min/max, extensions, rotates ----

fn andn(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| {
        let ny = b.not(y);
        b.and(x, ny)
    })
}
fn orn(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| {
        let ny = b.not(y);
        b.or(x, ny)
    })
}
fn xnor(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| {
        let v = b.xor(x, y);
        b.not(v)
    })
}
fn clz(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::clz)
}
fn clzw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::clz32)
}
fn ctz(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::ctz)
}
fn ctzw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::ctz32)
}
fn cpop(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::popcount)
}
fn cpopw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, |b, x| {
        let w = b.zext32(x);
        b.popcount(w)
    })
}

/// `(x cond y) ? x : y`: max/min by the condition.
fn pick(b: &mut Builder, cond: Cond, x: Value, y: Value) -> Value {
    let c = b.cmp(cond, x, y);
    b.select(c, x, y)
}
fn max(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| pick(b, Cond::GtS, x, y))
}
fn maxu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| pick(b, Cond::GtU, x, y))
}
fn min(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| pick(b, Cond::LtS, x, y))
}
fn minu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| pick(b, Cond::LtU, x, y))
}
fn sext_b(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::sext8)
}
fn sext_h(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::sext16)
}
fn zext_h(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::zext16)
}
fn rol(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::rotl)
}
fn rolw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| {
        let v = b.rotl32(x, y);
        b.sext32(v)
    })
}
fn ror(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::rotr)
}
fn rori(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.shamt() as i64, Builder::rotr)
}
/// The pattern fixes bit 25 to 0: a 6-bit rotate amount is reserved.
fn roriw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.shamt() as i64, |b, x, s| {
        let v = b.rotr32(x, s);
        b.sext32(v)
    })
}
fn rorw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| {
        let v = b.rotr32(x, y);
        b.sext32(v)
    })
}

/// Each byte becomes 0xff if it was nonzero, else 0x00:
/// `t = ((x & 0x7f..) + 0x7f..) | x` has a byte's top bit set iff the byte
/// is nonzero (the add cannot carry across bytes); keep those top bits,
/// then `t | (t - (t >> 7))` fills each marked byte with ones.
fn orc_b(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, |b, x| {
        let low7 = b.const_(0x7f7f_7f7f_7f7f_7f7f);
        let top = b.const_(0x8080_8080_8080_8080);
        let seven = b.const_(7);
        let t = b.and(x, low7);
        let t = b.add(t, low7);
        let t = b.or(t, x);
        let t = b.and(t, top);
        let ones = b.lshr(t, seven);
        let fill = b.sub(t, ones);
        b.or(t, fill)
    })
}
fn rev8(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    unary(cx, i, Builder::bswap)
}

// ---- Zbs: single bit at index rs2 & 63 / shamt ----

fn bit(b: &mut Builder, index: Value) -> Value {
    let one = b.const_(1);
    b.shl(one, index)
}
fn bclr(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, n| {
        let m = bit(b, n);
        let m = b.not(m);
        b.and(x, m)
    })
}
fn bclri(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, !(1u64 << i.shamt()) as i64, Builder::and)
}
fn bext(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, n| {
        let v = b.lshr(x, n);
        let one = b.const_(1);
        b.and(v, one)
    })
}
fn bexti(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.shamt() as i64, |b, x, n| {
        let v = b.lshr(x, n);
        let one = b.const_(1);
        b.and(v, one)
    })
}
fn binv(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, n| {
        let m = bit(b, n);
        b.xor(x, m)
    })
}
fn binvi(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, (1u64 << i.shamt()) as i64, Builder::xor)
}
fn bset(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, n| {
        let m = bit(b, n);
        b.or(x, m)
    })
}
fn bseti(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, (1u64 << i.shamt()) as i64, Builder::or)
}
