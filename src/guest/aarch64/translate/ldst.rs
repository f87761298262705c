//! Loads and stores of general registers: unsigned-offset, unscaled,
//! pre- and post-indexed, register-offset and PC-relative literal forms,
//! pairs, exclusives and load-acquire/store-release. (LSE atomics and
//! SIMD&FP registers come with their own tables.)

use super::super::cpu::{EXCLUSIVE_ADDR_OFFSET, EXCLUSIVE_VALUE_OFFSET, NO_EXCLUSIVE};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Cond, FenceKind, MemOp, Value};

pub const TABLE: &[Pattern] = crate::a64_table! {
    "ss111001ooiiiiiiiiiiiinnnnnttttt" ldst_unsigned => ldst_unsigned;
    "ss111000oo0iiiiiiiiippnnnnnttttt" ldst_unscaled => ldst_unscaled;
    "ss111000oo1mmmmmeeex10nnnnnttttt" ldst_register => ldst_register;
    "oo011000iiiiiiiiiiiiiiiiiiittttt" ldr_literal => ldr_literal;
    "oo10100pplkkkkkkkmmmmmnnnnnttttt" ldst_pair => ldst_pair;
    "zz00100001011111a11111nnnnnttttt" ldxr => ldxr;
    "zz001000000rrrrra11111nnnnnttttt" stxr => stxr;
    "zz00100011011111111111nnnnnttttt" ldar => ldar;
    "zz00100010011111111111nnnnnttttt" stlr => stlr;
};

/// The access of an exclusive or ordered access of `size` (32 and 64 bits
/// so far: the byte and halfword forms need narrow compare-and-swaps).
fn ordered_mem(size: u32) -> Result<MemOp, Illegal> {
    match size {
        2 => Ok(MemOp::U32),
        3 => Ok(MemOp::U64),
        _ => Err(Illegal),
    }
}

/// LDXR/LDAXR: load and arm the exclusive monitor with the address and
/// the value (x86 loads are acquire loads already).
fn ldxr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let mem = ordered_mem(insn.get('z'))?;
    let addr = cx.x_sp(insn.get('n'));
    let v = cx.b.load(mem, addr);
    cx.b.set_reg(EXCLUSIVE_ADDR_OFFSET, addr);
    cx.b.set_reg(EXCLUSIVE_VALUE_OFFSET, v);
    cx.set_x(insn.get('t'), v);
    Ok(())
}

/// STXR/STLXR: a compare-and-swap against the value the monitor saw
/// (QEMU's approach; the ABA case succeeds where hardware would fail,
/// which no lock-free algorithm can observe). Ws = 0 on success, 1 on
/// failure; the monitor is cleared either way.
fn stxr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let mem = ordered_mem(insn.get('z'))?;
    let addr = cx.x_sp(insn.get('n'));
    let new = cx.x(insn.get('t'));
    let armed = cx.b.get_reg(EXCLUSIVE_ADDR_OFFSET);
    let expected = cx.b.get_reg(EXCLUSIVE_VALUE_OFFSET);
    let matched = cx.b.cmp(Cond::Eq, armed, addr);
    // Unmatched: store back what the monitor saw, which fails harmlessly.
    let stored = cx.b.select(matched, new, expected);
    let old = cx.b.atomic_cas(mem, addr, expected, stored);
    let (old, expected) = if mem == MemOp::U32 {
        (cx.b.zext32(old), cx.b.zext32(expected))
    } else {
        (old, expected)
    };
    let same = cx.b.cmp(Cond::Eq, old, expected);
    let ok = cx.b.and(matched, same);
    let one = cx.imm(1);
    let failed = cx.b.xor(ok, one);
    let none = cx.imm(NO_EXCLUSIVE);
    cx.b.set_reg(EXCLUSIVE_ADDR_OFFSET, none);
    cx.set_x(insn.get('r'), failed);
    Ok(())
}

/// LDAR: x86 loads are acquire loads.
fn ldar(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let mem = ordered_mem(insn.get('z'))?;
    let addr = cx.x_sp(insn.get('n'));
    let v = cx.b.load(mem, addr);
    cx.set_x(insn.get('t'), v);
    Ok(())
}

/// STLR: x86 stores are release stores, but a later LDAR must not pass it
/// (Arm's acquire/release is sequentially consistent): a full fence after.
fn stlr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let mem = ordered_mem(insn.get('z'))?;
    let addr = cx.x_sp(insn.get('n'));
    let v = cx.x(insn.get('t'));
    cx.b.store(mem, addr, v);
    cx.b.fence(FenceKind::Full);
    Ok(())
}

/// What a size:opc combination does.
enum Access {
    Store(MemOp),
    /// Load with this extension; `to32`: the result is a W register.
    Load(MemOp, bool),
    Prefetch,
}

fn access(size: u32, opc: u32) -> Result<Access, Illegal> {
    let unsigned = [MemOp::U8, MemOp::U16, MemOp::U32, MemOp::U64][size as usize];
    let signed = [MemOp::S8, MemOp::S16, MemOp::S32, MemOp::U64][size as usize];
    Ok(match (opc, size) {
        (0, _) => Access::Store(unsigned),
        (1, _) => Access::Load(unsigned, false),
        (2, 3) => Access::Prefetch,
        (2, _) => Access::Load(signed, false),
        (3, 0 | 1) => Access::Load(signed, true),
        _ => return Err(Illegal),
    })
}

/// Performs `a` at `addr` on register `t`.
fn perform(cx: &mut Ctx, a: &Access, addr: Value, t: u32) {
    match *a {
        Access::Store(mem) => {
            let v = cx.x(t);
            cx.b.store(mem, addr, v);
        }
        Access::Load(mem, to32) => {
            let v = cx.b.load(mem, addr);
            let v = if to32 { cx.b.zext32(v) } else { v };
            cx.set_x(t, v);
        }
        Access::Prefetch => {}
    }
}

fn offset_addr(cx: &mut Ctx, n: u32, offset: i64) -> Value {
    let base = cx.x_sp(n);
    if offset == 0 {
        return base;
    }
    let o = cx.imm(offset as u64);
    cx.b.add(base, o)
}

fn ldst_unsigned(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('s');
    let a = access(size, insn.get('o'))?;
    let addr = offset_addr(cx, insn.get('n'), (insn.get('i') as i64) << size);
    perform(cx, &a, addr, insn.get('t'));
    Ok(())
}

/// LDUR/STUR (mode 00), unprivileged (10, as ordinary accesses in user
/// mode), post-index (01) and pre-index (11).
fn ldst_unscaled(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let a = access(insn.get('s'), insn.get('o'))?;
    let n = insn.get('n');
    let imm = insn.sext('i');
    match insn.get('p') {
        0 | 2 => {
            let addr = offset_addr(cx, n, imm);
            perform(cx, &a, addr, insn.get('t'));
        }
        mode => {
            let base = cx.x_sp(n);
            let o = cx.imm(imm as u64);
            let moved = cx.b.add(base, o);
            let addr = if mode == 3 { moved } else { base };
            perform(cx, &a, addr, insn.get('t'));
            cx.set_x_sp(n, moved);
        }
    }
    Ok(())
}

/// The address of a register-offset access: Xn|SP plus Xm or Wm
/// (extended as `option` says: UXTW, LSL, SXTW, SXTX), shifted by
/// `log2_bytes` when the S bit (`x`) is set.
pub(super) fn register_offset_addr(
    cx: &mut Ctx,
    insn: Insn,
    log2_bytes: u32,
) -> Result<Value, Illegal> {
    let option = insn.get('e');
    if option & 2 == 0 {
        return Err(Illegal);
    }
    let m = cx.x(insn.get('m'));
    let index = match option {
        2 => cx.b.zext32(m),
        6 => cx.b.sext32(m),
        _ => m,
    };
    let shift = if insn.bit('x') { log2_bytes } else { 0 };
    let s = cx.imm(shift as u64);
    let index = cx.b.shl(index, s);
    let base = cx.x_sp(insn.get('n'));
    Ok(cx.b.add(base, index))
}

fn ldst_register(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('s');
    let a = access(size, insn.get('o'))?;
    let addr = register_offset_addr(cx, insn, size)?;
    perform(cx, &a, addr, insn.get('t'));
    Ok(())
}

fn ldr_literal(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let a = match insn.get('o') {
        0 => Access::Load(MemOp::U32, false),
        1 => Access::Load(MemOp::U64, false),
        2 => Access::Load(MemOp::S32, false),
        _ => Access::Prefetch,
    };
    let addr = cx.imm(cx.pc.wrapping_add((insn.sext('i') << 2) as u64));
    perform(cx, &a, addr, insn.get('t'));
    Ok(())
}

/// LDP/STP/LDPSW: opc 00 words, 01 LDPSW (loads only), 10 doublewords;
/// modes 00/10 offset, 01 post-index, 11 pre-index.
fn ldst_pair(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let load = insn.bit('l');
    let (mem, step) = match (insn.get('o'), load) {
        (0, _) => (MemOp::U32, 4),
        (1, true) => (MemOp::S32, 4),
        (2, _) => (MemOp::U64, 8),
        _ => return Err(Illegal),
    };
    let mode = insn.get('p');
    let (t, t2, n) = (insn.get('t'), insn.get('m'), insn.get('n'));
    let offset = insn.sext('k') * step;
    let base = cx.x_sp(n);
    let o = cx.imm(offset as u64);
    let moved = cx.b.add(base, o);
    let addr = if mode == 1 { base } else { moved };
    let s = cx.imm(step as u64);
    let addr2 = cx.b.add(addr, s);
    if load {
        let v1 = cx.b.load(mem, addr);
        let v2 = cx.b.load(mem, addr2);
        cx.set_x(t, v1);
        cx.set_x(t2, v2);
    } else {
        let v1 = cx.x(t);
        let v2 = cx.x(t2);
        cx.b.store(mem, addr, v1);
        cx.b.store(mem, addr2, v2);
    }
    if mode == 1 || mode == 3 {
        cx.set_x_sp(n, moved);
    }
    Ok(())
}
