//! Zicond: conditional zeroing (`czero.eqz`, `czero.nez`), each one `Select`.

use super::super::decode::{Illegal, Insn, Pattern};
use super::i::reg_reg;
use super::Ctx;

pub const TABLE: &[Pattern] = crate::rv_table! {
    "0000111 ..... ..... 101 ..... 0110011" czero_eqz => czero_eqz;
    "0000111 ..... ..... 111 ..... 0110011" czero_nez => czero_nez;
};

/// rd = rs2 == 0 ? 0 : rs1
fn czero_eqz(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, value, cond| {
        let zero = b.const_(0);
        b.select(cond, value, zero)
    })
}

/// rd = rs2 != 0 ? 0 : rs1
fn czero_nez(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, value, cond| {
        let zero = b.const_(0);
        b.select(cond, zero, value)
    })
}
