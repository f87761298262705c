//! RV64A: LR/SC and the AMOs.
//!
//! LR/SC are emulated with a host compare-and-swap: `lr` records the address
//! and the loaded value in `Cpu::reservation`/`reservation_value`; `sc`
//! succeeds iff its address is the reserved one and memory still holds the
//! loaded value (the usual ABA-tolerant emulation). `sc` always clears the
//! reservation; the engine must also clear it (`NO_RESERVATION`) whenever a
//! signal handler is entered or returns, so an `sc` never pairs with an `lr`
//! from a different context.
//!
//! The aq/rl bits need nothing: the host's locked read-modify-writes are full
//! barriers, and x86 loads already have acquire semantics.

use super::super::cpu::{NO_RESERVATION, RESERVATION_OFFSET, RESERVATION_VALUE_OFFSET};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Cond, MemOp, RmwOp};

pub const TABLE: &[Pattern] = crate::rv_table! {
    "00010 .. 00000 ..... 010 ..... 0101111" lr_w => lr_w;
    "00011 .. ..... ..... 010 ..... 0101111" sc_w => sc_w;
    "00001 .. ..... ..... 010 ..... 0101111" amoswap_w => amoswap_w;
    "00000 .. ..... ..... 010 ..... 0101111" amoadd_w => amoadd_w;
    "00100 .. ..... ..... 010 ..... 0101111" amoxor_w => amoxor_w;
    "01100 .. ..... ..... 010 ..... 0101111" amoand_w => amoand_w;
    "01000 .. ..... ..... 010 ..... 0101111" amoor_w => amoor_w;
    "10000 .. ..... ..... 010 ..... 0101111" amomin_w => amomin_w;
    "10100 .. ..... ..... 010 ..... 0101111" amomax_w => amomax_w;
    "11000 .. ..... ..... 010 ..... 0101111" amominu_w => amominu_w;
    "11100 .. ..... ..... 010 ..... 0101111" amomaxu_w => amomaxu_w;

    "00010 .. 00000 ..... 011 ..... 0101111" lr_d => lr_d;
    "00011 .. ..... ..... 011 ..... 0101111" sc_d => sc_d;
    "00001 .. ..... ..... 011 ..... 0101111" amoswap_d => amoswap_d;
    "00000 .. ..... ..... 011 ..... 0101111" amoadd_d => amoadd_d;
    "00100 .. ..... ..... 011 ..... 0101111" amoxor_d => amoxor_d;
    "01100 .. ..... ..... 011 ..... 0101111" amoand_d => amoand_d;
    "01000 .. ..... ..... 011 ..... 0101111" amoor_d => amoor_d;
    "10000 .. ..... ..... 011 ..... 0101111" amomin_d => amomin_d;
    "10100 .. ..... ..... 011 ..... 0101111" amomax_d => amomax_d;
    "11000 .. ..... ..... 011 ..... 0101111" amominu_d => amominu_d;
    "11100 .. ..... ..... 011 ..... 0101111" amomaxu_d => amomaxu_d;
};

/// `lr`: a plain load (sign-extending for .w) that also records the
/// reservation. The recorded value is the sign-extended register value.
fn load_reserved(cx: &mut Ctx, i: Insn, mem: MemOp) -> Result<(), Illegal> {
    let addr = cx.x(i.rs1());
    let v = cx.b.load(mem, addr);
    cx.b.set_reg(RESERVATION_OFFSET, addr);
    cx.b.set_reg(RESERVATION_VALUE_OFFSET, v);
    cx.set_x(i.rd(), v);
    Ok(())
}

/// `sc`: `old = cas(addr, reservation_value, matched ? new : reservation_value)`.
/// When the address does not match the reservation the cas can at most
/// store back the value memory already holds (harmless, and it keeps the
/// alignment and permission checks an `sc` makes anyway); success is
/// `matched && old == expected`, compared on the access width. rd = 0 on
/// success, 1 on failure.
fn store_conditional(cx: &mut Ctx, i: Insn, mem: MemOp) -> Result<(), Illegal> {
    let addr = cx.x(i.rs1());
    let new = cx.x(i.rs2());
    let reserved = cx.b.get_reg(RESERVATION_OFFSET);
    let expected = cx.b.get_reg(RESERVATION_VALUE_OFFSET);
    let matched = cx.b.cmp(Cond::Eq, reserved, addr);
    let stored = cx.b.select(matched, new, expected);
    let old = cx.b.atomic_cas(mem, addr, expected, stored);
    let (old, expected) = if mem.log2_size == 2 {
        // The cas result's upper half is not ours to rely on: compare words.
        (cx.b.zext32(old), cx.b.zext32(expected))
    } else {
        (old, expected)
    };
    let same = cx.b.cmp(Cond::Eq, old, expected);
    let ok = cx.b.and(matched, same);
    let one = cx.b.const_(1);
    let failed = cx.b.xor(ok, one);
    let none = cx.b.const_(NO_RESERVATION);
    cx.b.set_reg(RESERVATION_OFFSET, none);
    cx.set_x(i.rd(), failed);
    Ok(())
}

/// A signed 64-bit access (sign extension is a no-op at full width), so the
/// MemOp's signedness agrees with MinS/MaxS whichever of the two a backend reads.
const S64: MemOp = MemOp {
    log2_size: 3,
    signed: true,
};

/// An AMO: `rd = old; memory = old <op> rs2`. The .w forms sign-extend the
/// old value into rd. MinS/MaxS/MinU/MaxU compare at the access width with
/// the signedness of the MemOp, so min/max use S32/S64 and minu/maxu U32/U64.
fn amo(cx: &mut Ctx, i: Insn, op: RmwOp, mem: MemOp) -> Result<(), Illegal> {
    let addr = cx.x(i.rs1());
    let v = cx.x(i.rs2());
    let old = cx.b.atomic_rmw(op, mem, addr, v);
    let old = if mem.log2_size == 2 {
        cx.b.sext32(old)
    } else {
        old
    };
    cx.set_x(i.rd(), old);
    Ok(())
}

fn lr_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load_reserved(cx, i, MemOp::S32)
}
fn sc_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    store_conditional(cx, i, MemOp::U32)
}
fn amoswap_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Xchg, MemOp::S32)
}
fn amoadd_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Add, MemOp::S32)
}
fn amoxor_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Xor, MemOp::S32)
}
fn amoand_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::And, MemOp::S32)
}
fn amoor_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Or, MemOp::S32)
}
fn amomin_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MinS, MemOp::S32)
}
fn amomax_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MaxS, MemOp::S32)
}
fn amominu_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MinU, MemOp::U32)
}
fn amomaxu_w(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MaxU, MemOp::U32)
}

fn lr_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load_reserved(cx, i, MemOp::U64)
}
fn sc_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    store_conditional(cx, i, MemOp::U64)
}
fn amoswap_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Xchg, MemOp::U64)
}
fn amoadd_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Add, MemOp::U64)
}
fn amoxor_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Xor, MemOp::U64)
}
fn amoand_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::And, MemOp::U64)
}
fn amoor_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::Or, MemOp::U64)
}
fn amomin_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MinS, S64)
}
fn amomax_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MaxS, S64)
}
fn amominu_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MinU, MemOp::U64)
}
fn amomaxu_d(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    amo(cx, i, RmwOp::MaxU, MemOp::U64)
}
