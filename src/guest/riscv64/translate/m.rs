//! RV64M: integer multiply and divide. The IR's division opcodes are total
//! (x/0 = 0, x%0 = x, MIN/-1 = MIN, MIN%-1 = 0); riscv differs only in x/0,
//! which is all ones, so each divide adds a zero test and a `Select`.

use super::super::decode::{Illegal, Insn, Pattern};
use super::i::{reg_reg, reg_reg_w, BinOp};
use super::Ctx;
use crate::ir::{Builder, Cond};

pub const TABLE: &[Pattern] = crate::rv_table! {
    "0000001 ..... ..... 000 ..... 0110011" mul => mul;
    "0000001 ..... ..... 001 ..... 0110011" mulh => mulh;
    "0000001 ..... ..... 010 ..... 0110011" mulhsu => mulhsu;
    "0000001 ..... ..... 011 ..... 0110011" mulhu => mulhu;
    "0000001 ..... ..... 100 ..... 0110011" div => div;
    "0000001 ..... ..... 101 ..... 0110011" divu => divu;
    "0000001 ..... ..... 110 ..... 0110011" rem => rem;
    "0000001 ..... ..... 111 ..... 0110011" remu => remu;
    "0000001 ..... ..... 000 ..... 0111011" mulw => mulw;
    "0000001 ..... ..... 100 ..... 0111011" divw => divw;
    "0000001 ..... ..... 101 ..... 0111011" divuw => divuw;
    "0000001 ..... ..... 110 ..... 0111011" remw => remw;
    "0000001 ..... ..... 111 ..... 0111011" remuw => remuw;
};

fn mul(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::mul)
}
fn mulh(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::mulhs)
}
/// rs1 signed × rs2 unsigned, as `MulHSU` defines it.
fn mulhsu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::mulhsu)
}
fn mulhu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::mulhu)
}

/// `rd = divisor == 0 ? -1 : op(rs1, rs2)`, where `wide` says whether the
/// divisor is all 64 bits or its low word; `w` sign-extends the 32-bit quotient.
fn divide(cx: &mut Ctx, i: Insn, op: BinOp, wide: bool) -> Result<(), Illegal> {
    if i.rd() == 0 {
        return Ok(());
    }
    let a = cx.x(i.rs1());
    let d = cx.x(i.rs2());
    let q = op(&mut cx.b, a, d);
    let (q, divisor) = if wide {
        (q, d)
    } else {
        (cx.b.sext32(q), cx.b.zext32(d))
    };
    let zero = cx.b.const_(0);
    let by_zero = cx.b.cmp(Cond::Eq, divisor, zero);
    let all_ones = cx.imm(-1);
    let v = cx.b.select(by_zero, all_ones, q);
    cx.set_x(i.rd(), v);
    Ok(())
}

fn div(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    divide(cx, i, Builder::divs, true)
}
fn divu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    divide(cx, i, Builder::divu, true)
}
/// x % 0 = x and MIN % -1 = 0 already hold for `RemS`.
fn rem(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::rems)
}
fn remu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::remu)
}
fn mulw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::mul)
}
/// INT32_MIN / -1 = INT32_MIN (from `DivS32`), sign-extended.
fn divw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    divide(cx, i, Builder::divs32, false)
}
/// The 32-bit unsigned quotient is sign-extended too (riscv *W rule).
fn divuw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    divide(cx, i, Builder::divu32, false)
}
fn remw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::rems32)
}
fn remuw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::remu32)
}
