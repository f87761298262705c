//! Loads and stores of general registers: unsigned-offset, unscaled,
//! pre- and post-indexed, register-offset and PC-relative literal forms,
//! pairs; and the atomics: exclusives of every size and pairs, load-acquire
//! / store-release (LDAR, LDLAR, LDAPR, LDAPUR, STLR, STLLR, STLUR), and the
//! LSE atomics (LDADD.., SWP, CAS, CASP and their ST* aliases). (SIMD&FP
//! registers come with their own tables.)
//!
//! Memory ordering on an x86 host (TSO): every load is an acquire load and
//! every store a release store, and the locked instructions the atomics
//! become are full barriers, so the acquire/release forms cost nothing —
//! except that Arm's release store followed by an acquire load (STLR; LDAR)
//! must not be reordered, which TSO allows: the release stores put a full
//! fence after themselves.
//!
//! Exclusives: a load-exclusive arms the monitor (`Cpu::exclusive_addr`)
//! with the address and keeps the value it read (`exclusive_value`); a
//! store-exclusive is a compare-and-swap against that value at the armed
//! address (QEMU's approach; the ABA case succeeds where hardware would
//! fail, which no lock-free algorithm can observe). 128-bit pairs use the
//! IR's `AtomicCas128`.

use super::super::cpu::{x_offset, EXCLUSIVE_ADDR_OFFSET, EXCLUSIVE_VALUE_OFFSET, NO_EXCLUSIVE};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Cond, FenceKind, MemOp, RmwOp, Value};

pub const TABLE: &[Pattern] = crate::a64_table! {
    "ss111001ooiiiiiiiiiiiinnnnnttttt" ldst_unsigned => ldst_unsigned;
    "ss111000oo0iiiiiiiiippnnnnnttttt" ldst_unscaled => ldst_unscaled;
    "ss111000oo1mmmmmeeex10nnnnnttttt" ldst_register => ldst_register;
    "oo011000iiiiiiiiiiiiiiiiiiittttt" ldr_literal => ldr_literal;
    "oo10100pplkkkkkkkmmmmmnnnnnttttt" ldst_pair => ldst_pair;
    "zz00100001011111a11111nnnnnttttt" ldxr => ldxr;
    "zz001000000rrrrra11111nnnnnttttt" stxr => stxr;
    "1z00100001111111auuuuunnnnnttttt" ldxp => ldxp;
    "1z001000001rrrrrauuuuunnnnnttttt" stxp => stxp;
    "zz00100011011111a11111nnnnnttttt" ldar => ldar;
    "zz00100010011111a11111nnnnnttttt" stlr => stlr;
    "zz0010001l1sssssa11111nnnnnttttt" cas => cas;
    "0z0010000l1sssssa11111nnnnnttttt" casp => casp;
    "zz11100010111111110000nnnnnttttt" ldapr => ldar;
    "zz111000ar1sssssoppp00nnnnnttttt" lse_rmw => lse_rmw;
    "ss011001oo0iiiiiiiii00nnnnnttttt" ldapur_stlur => ldapur_stlur;
};

/// The access of an exclusive, ordered or atomic access of `size`.
fn sized(size: u32) -> MemOp {
    [MemOp::U8, MemOp::U16, MemOp::U32, MemOp::U64][size as usize]
}

/// Arms the monitor at `addr` with what was read: `lo` (and `hi`, the
/// second half of a 128-bit pair).
fn arm_monitor(cx: &mut Ctx, addr: Value, lo: Value, hi: Option<Value>) {
    cx.b.set_reg(EXCLUSIVE_ADDR_OFFSET, addr);
    cx.b.set_reg(EXCLUSIVE_VALUE_OFFSET, lo);
    if let Some(hi) = hi {
        cx.b.set_reg(EXCLUSIVE_VALUE_OFFSET + 8, hi);
    }
}

/// Clears the monitor and writes a store-exclusive's status to Ws: 0 if
/// `ok` (0 or 1), else 1.
fn exclusive_status(cx: &mut Ctx, ok: Value, s: u32) {
    let one = cx.imm(1);
    let failed = cx.b.xor(ok, one);
    let none = cx.imm(NO_EXCLUSIVE);
    cx.b.set_reg(EXCLUSIVE_ADDR_OFFSET, none);
    cx.set_x(s, failed);
}

/// LDXR/LDAXR (B, H, W, X): an aligned load (an unaligned exclusive is an
/// alignment fault, SIGBUS) that arms the monitor.
fn ldxr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('z');
    let addr = cx.x_sp(insn.get('n'));
    cx.b.check_align(addr, size);
    let v = cx.b.load(sized(size), addr);
    arm_monitor(cx, addr, v, None);
    cx.set_x(insn.get('t'), v);
    Ok(())
}

/// Store-exclusive of a value up to 64 bits, `new`, of access `mem`: a
/// compare-and-swap against what the monitor saw when it is armed at
/// `addr`; else one that stores back that value (failing harmlessly).
fn store_exclusive(cx: &mut Ctx, mem: MemOp, addr: Value, new: Value, s: u32) {
    let armed = cx.b.get_reg(EXCLUSIVE_ADDR_OFFSET);
    let expected = cx.b.get_reg(EXCLUSIVE_VALUE_OFFSET);
    let matched = cx.b.cmp(Cond::Eq, armed, addr);
    let stored = cx.b.select(matched, new, expected);
    // Both zero-extended from the access size.
    let old = cx.b.atomic_cas(mem, addr, expected, stored);
    let same = cx.b.cmp(Cond::Eq, old, expected);
    let ok = cx.b.and(matched, same);
    exclusive_status(cx, ok, s);
}

/// STXR/STLXR (B, H, W, X). Ws = 0 on success, 1 on failure; the monitor
/// is cleared either way.
fn stxr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let addr = cx.x_sp(insn.get('n'));
    let new = cx.x(insn.get('t'));
    store_exclusive(cx, sized(insn.get('z')), addr, new, insn.get('r'));
    Ok(())
}

/// LDXP/LDAXP: a 32-bit pair is one 64-bit access, a 64-bit pair two
/// loads checked by the 128-bit compare-and-swap of the STXP (a torn read
/// makes it fail). Aligned to the pair's size.
fn ldxp(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (t, t2) = (insn.get('t'), insn.get('u'));
    let addr = cx.x_sp(insn.get('n'));
    if insn.bit('z') {
        cx.b.check_align(addr, 4);
        let lo = cx.b.load(MemOp::U64, addr);
        let eight = cx.imm(8);
        let addr_hi = cx.b.add(addr, eight);
        let hi = cx.b.load(MemOp::U64, addr_hi);
        arm_monitor(cx, addr, lo, Some(hi));
        cx.set_x(t, lo);
        cx.set_x(t2, hi);
    } else {
        cx.b.check_align(addr, 3);
        let v = cx.b.load(MemOp::U64, addr);
        arm_monitor(cx, addr, v, None);
        let lo = cx.b.zext32(v);
        let sh = cx.imm(32);
        let hi = cx.b.lshr(v, sh);
        cx.set_x(t, lo);
        cx.set_x(t2, hi);
    }
    Ok(())
}

/// Wt (low word, at the lower address) and Wt2 as one 64-bit value.
fn word_pair(cx: &mut Ctx, t: u32, t2: u32) -> Value {
    let lo = cx.reg(t, false);
    let hi = cx.x(t2);
    let sh = cx.imm(32);
    let hi = cx.b.shl(hi, sh);
    cx.b.or(lo, hi)
}

/// STXP/STLXP: 32-bit pairs as one 64-bit store-exclusive, 64-bit pairs a
/// 128-bit compare-and-swap against the pair the monitor saw.
fn stxp(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (t, t2, s) = (insn.get('t'), insn.get('u'), insn.get('r'));
    let addr = cx.x_sp(insn.get('n'));
    if !insn.bit('z') {
        let new = word_pair(cx, t, t2);
        store_exclusive(cx, MemOp::U64, addr, new, s);
        return Ok(());
    }
    let armed = cx.b.get_reg(EXCLUSIVE_ADDR_OFFSET);
    let matched = cx.b.cmp(Cond::Eq, armed, addr);
    let seen_lo = cx.b.get_reg(EXCLUSIVE_VALUE_OFFSET);
    let seen_hi = cx.b.get_reg(EXCLUSIVE_VALUE_OFFSET + 8);
    let (lo, hi) = (cx.x(t), cx.x(t2));
    let lo = cx.b.select(matched, lo, seen_lo);
    let hi = cx.b.select(matched, hi, seen_hi);
    let stored = cx.b.atomic_cas128(addr, lo, hi, EXCLUSIVE_VALUE_OFFSET);
    let ok = cx.b.and(matched, stored);
    exclusive_status(cx, ok, s);
    Ok(())
}

/// LDAR and LDLAR (o0 = 0, LoadLOAcquire), and LDAPR (RCpc): x86 loads
/// are acquire loads.
fn ldar(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let addr = cx.x_sp(insn.get('n'));
    let v = cx.b.load(sized(insn.get('z')), addr);
    cx.set_x(insn.get('t'), v);
    Ok(())
}

/// STLR and STLLR (o0 = 0): x86 stores are release stores, but a later
/// LDAR must not pass it (Arm's acquire/release is sequentially
/// consistent): a full fence after.
fn stlr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let addr = cx.x_sp(insn.get('n'));
    let v = cx.x(insn.get('t'));
    cx.b.store(sized(insn.get('z')), addr, v);
    cx.b.fence(FenceKind::Full);
    Ok(())
}

/// CAS/CASA/CASL/CASAL (B, H, W, X): Rs = the old value, zero-extended.
fn cas(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let s = insn.get('s');
    let addr = cx.x_sp(insn.get('n'));
    let expected = cx.x(s);
    let new = cx.x(insn.get('t'));
    let old = cx.b.atomic_cas(sized(insn.get('z')), addr, expected, new);
    cx.set_x(s, old);
    Ok(())
}

/// CASP/CASPA/CASPL/CASPAL: compares the pair Rs, Rs+1 with memory and
/// stores Rt, Rt+1 if equal; Rs, Rs+1 = the old pair. Rs and Rt even.
fn casp(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (s, t) = (insn.get('s'), insn.get('t'));
    if s & 1 != 0 || t & 1 != 0 {
        return Err(Illegal);
    }
    let addr = cx.x_sp(insn.get('n'));
    if !insn.bit('z') {
        let expected = word_pair(cx, s, s + 1);
        let new = word_pair(cx, t, t + 1);
        let old = cx.b.atomic_cas(MemOp::U64, addr, expected, new);
        let lo = cx.b.zext32(old);
        let sh = cx.imm(32);
        let hi = cx.b.lshr(old, sh);
        cx.set_x(s, lo);
        cx.set_x(s + 1, hi);
        return Ok(());
    }
    let (lo, hi) = (cx.x(t), cx.x(t + 1));
    if s < 30 {
        // Xs, Xs+1 are adjacent in the state: compared and rewritten there.
        cx.b.atomic_cas128(addr, lo, hi, x_offset(s));
    } else {
        // x30 and xzr: through the monitor's value pair, which clears the
        // monitor (a store-exclusive may always fail spuriously).
        let x30 = cx.x(30);
        let zero = cx.imm(0);
        arm_monitor(cx, addr, x30, Some(zero));
        cx.b.atomic_cas128(addr, lo, hi, EXCLUSIVE_VALUE_OFFSET);
        let old = cx.b.get_reg(EXCLUSIVE_VALUE_OFFSET);
        cx.set_x(30, old);
        let none = cx.imm(NO_EXCLUSIVE);
        cx.b.set_reg(EXCLUSIVE_ADDR_OFFSET, none);
    }
    Ok(())
}

/// LSE atomic memory operations (B, H, W, X; A and R orderings are free
/// on x86): LDADD, LDCLR (AND with the complement), LDEOR, LDSET, LDSMAX,
/// LDSMIN, LDUMAX, LDUMIN (o3 = 0, by opc) and SWP (o3 = 1, opc = 0). Rt
/// = the old value zero-extended; Rt = 31 is the ST* alias (dropped).
fn lse_rmw(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let op = match (insn.get('o'), insn.get('p')) {
        (0, 0) => RmwOp::Add,
        (0, 1) => RmwOp::And,
        (0, 2) => RmwOp::Xor,
        (0, 3) => RmwOp::Or,
        (0, 4) => RmwOp::MaxS,
        (0, 5) => RmwOp::MinS,
        (0, 6) => RmwOp::MaxU,
        (0, 7) => RmwOp::MinU,
        (1, 0) => RmwOp::Xchg,
        _ => return Err(Illegal),
    };
    let addr = cx.x_sp(insn.get('n'));
    let mut v = cx.x(insn.get('s'));
    if insn.get('p') == 1 && insn.get('o') == 0 {
        v = cx.b.not(v);
    }
    let old = cx.b.atomic_rmw(op, sized(insn.get('z')), addr, v);
    cx.set_x(insn.get('t'), old);
    Ok(())
}

/// LDAPUR* / STLUR* (RCpc, unscaled signed offset): as LDUR/STUR, the
/// stores with STLR's fence after them.
fn ldapur_stlur(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let a = match access(insn.get('s'), insn.get('o'))? {
        Access::Prefetch => return Err(Illegal),
        a => a,
    };
    let addr = offset_addr(cx, insn.get('n'), insn.sext('i'));
    perform(cx, &a, addr, insn.get('t'));
    if let Access::Store(_) = a {
        cx.b.fence(FenceKind::Full);
    }
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
    // Prefetches exist only unscaled (PRFUM): not unprivileged or indexed.
    if matches!(a, Access::Prefetch) && insn.get('p') != 0 {
        return Err(Illegal);
    }
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
    let mode = insn.get('p');
    let (mem, step) = match (insn.get('o'), load) {
        (0, _) => (MemOp::U32, 4),
        // LDPSW; there is no non-temporal (mode 00) form of it.
        (1, true) if mode != 0 => (MemOp::S32, 4),
        (2, _) => (MemOp::U64, 8),
        _ => return Err(Illegal),
    };
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
