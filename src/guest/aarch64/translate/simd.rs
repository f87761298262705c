//! SIMD&FP registers: loads and stores (every addressing mode, pairs,
//! literals, LD1-LD4/ST1-ST4 multiple and single structures, LDnR) as
//! 64-bit IR accesses of the register halves, MOVI/MVNI/ORR/BIC
//! (immediate), and the copies between and within registers (DUP, INS,
//! UMOV, SMOV, FMOV general). Lane data processing is in `simd_int.rs`.

use super::super::cpu::{v_offset, Cpu};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Helper, MemOp, Value};

pub const TABLE: &[Pattern] = crate::a64_table! {
    "ss111101ooiiiiiiiiiiiinnnnnttttt" ldst_unsigned => ldst_unsigned;
    "ss111100oo0iiiiiiiiippnnnnnttttt" ldst_unscaled => ldst_unscaled;
    "ss111100oo1mmmmmeeex10nnnnnttttt" ldst_register => ldst_register;
    "oo011100iiiiiiiiiiiiiiiiiiittttt" ldr_literal => ldr_literal;
    "oo10110pplkkkkkkkmmmmmnnnnnttttt" ldst_pair => ldst_pair;
    "0q001110000iiiii000011nnnnnddddd" dup_general => dup_general;
    "0qo0111100000aaacccc01fffffddddd" modified_imm => modified_imm;
    "0q0011000l000000oooossnnnnnttttt" ldst_multiple => ldst_multiple;
    "0q0011001l0mmmmmoooossnnnnnttttt" ldst_multiple_post => ldst_multiple_post;
    "0q0011010lr00000ooozssnnnnnttttt" ldst_single => ldst_single;
    "0q0011011lrmmmmmooozssnnnnnttttt" ldst_single_post => ldst_single_post;
    "0q001110000iiiii001111nnnnnddddd" umov => umov;
    "0q001110000iiiii001011nnnnnddddd" smov => smov;
    "01001110000iiiii000111nnnnnddddd" ins_general => ins_general;
    "01101110000iiiii0jjjj1nnnnnddddd" ins_elem => ins_elem;
    "0q001110000iiiii000001nnnnnddddd" dup_elem => dup_elem;
    "01011110000iiiii000001nnnnnddddd" dup_scalar => dup_scalar;
    "z0011110tt1rrooo000000nnnnnddddd" fmov_general => fmov_general;
};

/// Element size (log2 bytes) and index of an imm5 field: the lowest
/// set bit gives the size.
fn elem_of(imm5: u32) -> Result<(u32, u32), Illegal> {
    let size = imm5.trailing_zeros();
    if size > 3 {
        return Err(Illegal);
    }
    Ok((size, imm5 >> (size + 1)))
}

/// Element `index` of 2^size bytes of V`r`, zero-extended.
fn get_lane(cx: &mut Ctx, r: u32, size: u32, index: u32) -> Value {
    let bit = (index << size) * 8;
    let half = cx.b.get_reg(v_offset(r, bit / 64));
    let v = if bit.is_multiple_of(64) {
        half
    } else {
        let s = cx.imm((bit % 64) as u64);
        cx.b.lshr(half, s)
    };
    match size {
        0 => cx.b.zext8(v),
        1 => cx.b.zext16(v),
        2 => cx.b.zext32(v),
        _ => v,
    }
}

/// Sets element `index` of 2^size bytes of V`r` to the low bits of `v`,
/// the other elements unchanged.
fn set_lane(cx: &mut Ctx, r: u32, size: u32, index: u32, v: Value) {
    let bit = (index << size) * 8;
    let off = v_offset(r, bit / 64);
    if size == 3 {
        cx.b.set_reg(off, v);
        return;
    }
    let width_mask = (1u64 << (8 << size)) - 1;
    let keep = cx.imm(!(width_mask << (bit % 64)));
    let old = cx.b.get_reg(off);
    let kept = cx.b.and(old, keep);
    let m = cx.imm(width_mask);
    let v = cx.b.and(v, m);
    let s = cx.imm((bit % 64) as u64);
    let v = cx.b.shl(v, s);
    let new = cx.b.or(kept, v);
    cx.b.set_reg(off, new);
}

/// Every element of V`r` (of 2^size bytes; the high half zeroed unless
/// `q`) set to the zero-extended value `v`.
fn replicate(cx: &mut Ctx, r: u32, size: u32, q: bool, v: Value) {
    let ones = [
        0x0101_0101_0101_0101u64,
        0x0001_0001_0001_0001,
        0x1_0000_0001,
        1,
    ][size as usize];
    let v = if size == 3 {
        v
    } else {
        let k = cx.imm(ones);
        cx.b.mul(v, k)
    };
    cx.b.set_reg(v_offset(r, 0), v);
    let hi = if q { v } else { cx.imm(0) };
    cx.b.set_reg(v_offset(r, 1), hi);
}

/// UMOV Wd/Xd, Vn.T[i].
fn umov(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (size, index) = elem_of(insn.get('i'))?;
    if (size == 3) != insn.bit('q') {
        return Err(Illegal);
    }
    let v = get_lane(cx, insn.get('n'), size, index);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// SMOV Wd/Xd, Vn.T[i]: sign-extended.
fn smov(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (size, index) = elem_of(insn.get('i'))?;
    let q = insn.bit('q');
    if size >= 2 + q as u32 {
        return Err(Illegal);
    }
    let v = get_lane(cx, insn.get('n'), size, index);
    let v = match size {
        0 => cx.b.sext8(v),
        1 => cx.b.sext16(v),
        _ => cx.b.sext32(v),
    };
    let v = cx.width(v, q);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// INS Vd.T[i], Rn.
fn ins_general(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (size, index) = elem_of(insn.get('i'))?;
    let v = cx.x(insn.get('n'));
    set_lane(cx, insn.get('d'), size, index, v);
    Ok(())
}

/// INS Vd.T[i], Vn.T[j] (MOV element).
fn ins_elem(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (size, index) = elem_of(insn.get('i'))?;
    let src = insn.get('j') >> size;
    let v = get_lane(cx, insn.get('n'), size, src);
    set_lane(cx, insn.get('d'), size, index, v);
    Ok(())
}

/// DUP Vd.T, Vn.Ts[i].
fn dup_elem(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (size, index) = elem_of(insn.get('i'))?;
    let q = insn.bit('q');
    if size == 3 && !q {
        return Err(Illegal);
    }
    let v = get_lane(cx, insn.get('n'), size, index);
    replicate(cx, insn.get('d'), size, q, v);
    Ok(())
}

/// DUP (MOV) Bd/Hd/Sd/Dd, Vn.T[i]: the element, the rest zeroed.
fn dup_scalar(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (size, index) = elem_of(insn.get('i'))?;
    let v = get_lane(cx, insn.get('n'), size, index);
    let zero = cx.imm(0);
    cx.b.set_reg(v_offset(insn.get('d'), 0), v);
    cx.b.set_reg(v_offset(insn.get('d'), 1), zero);
    Ok(())
}

/// FMOV between general and SIMD&FP registers (bit moves, no conversion).
fn fmov_general(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (d, n) = (insn.get('d'), insn.get('n'));
    let zero = cx.imm(0);
    match (insn.bit('z'), insn.get('t'), insn.get('r'), insn.get('o')) {
        // FMOV Wd, Sn / Xd, Dn.
        (sf, t, 0, 0b110) if (t == 1) == sf && t < 2 => {
            let v = cx.b.get_reg(v_offset(n, 0));
            let v = cx.width(v, sf);
            cx.set_x(d, v);
        }
        // FMOV Sd, Wn / Dd, Xn.
        (sf, t, 0, 0b111) if (t == 1) == sf && t < 2 => {
            let v = cx.reg(n, sf);
            cx.b.set_reg(v_offset(d, 0), v);
            cx.b.set_reg(v_offset(d, 1), zero);
        }
        // FMOV Xd, Vn.D[1].
        (true, 2, 1, 0b110) => {
            let v = cx.b.get_reg(v_offset(n, 1));
            cx.set_x(d, v);
        }
        // FMOV Vd.D[1], Xn.
        (true, 2, 1, 0b111) => {
            let v = cx.x(n);
            cx.b.set_reg(v_offset(d, 1), v);
        }
        _ => return Err(Illegal),
    }
    Ok(())
}

/// LD1-LD4/ST1-ST4 (multiple structures). LD1/ST1 of 1 to 4 registers
/// move whole registers; LD2-LD4 load the bytes into the registers in
/// memory order and de-interleave them there; ST2-ST4 store the
/// interleaved stream a 64-bit word at a time. Returns the bytes moved.
fn ldst_multiple_at(cx: &mut Ctx, insn: Insn, base: Value) -> Result<u64, Illegal> {
    let (regs, interleave) = match insn.get('o') {
        0b0111 => (1, 1),
        0b1010 => (2, 1),
        0b0110 => (3, 1),
        0b0010 => (4, 1),
        0b1000 => (2, 2),
        0b0100 => (3, 3),
        0b0000 => (4, 4),
        _ => return Err(Illegal),
    };
    let (q, size, load) = (insn.bit('q'), insn.get('s'), insn.bit('l'));
    if interleave > 1 && size == 3 && !q {
        return Err(Illegal);
    }
    let bytes = if q { 16 } else { 8 };
    let t = insn.get('t');
    let info = (t | regs << 5 | size << 8 | (q as u32) << 10) as u64;
    if interleave == 1 || load {
        for i in 0..regs {
            let off = cx.imm((i * bytes) as u64);
            let addr = cx.b.add(base, off);
            perform(cx, (t + i) % 32, addr, bytes, load);
        }
        if interleave > 1 {
            let info = cx.imm(info);
            cx.b.call(&DEINTERLEAVE, &[info]);
        }
    } else {
        for w in 0..regs * bytes / 8 {
            let arg = cx.imm(info | (w as u64) << 16);
            let v = cx.b.call(&INTERLEAVED_WORD, &[arg]);
            let off = cx.imm(8 * w as u64);
            let addr = cx.b.add(base, off);
            cx.b.store(MemOp::U64, addr, v);
        }
    }
    Ok((regs * bytes) as u64)
}

/// The registers of an LDn/STn: (first, count, element bytes, register
/// bytes) of `info` = t | regs << 5 | size << 8 | q << 10.
fn structure_shape(info: u64) -> (usize, usize, usize, usize) {
    (
        (info & 31) as usize,
        (info >> 5 & 7) as usize,
        1 << (info >> 8 & 3),
        if info >> 10 & 1 == 1 { 16 } else { 8 },
    )
}

/// The structures' stream: element j of register r at stream element
/// j * regs + r.
fn stream(cpu: &Cpu, info: u64) -> Vec<u8> {
    let (t, regs, esize, rbytes) = structure_shape(info);
    let mut out = vec![0u8; regs * rbytes];
    for r in 0..regs {
        let b = bytes_of(cpu, (t + r) % 32);
        for j in 0..rbytes / esize {
            let at = (j * regs + r) * esize;
            out[at..at + esize].copy_from_slice(&b[j * esize..(j + 1) * esize]);
        }
    }
    out
}

/// `deinterleave(state, info)`: the registers hold the stream in memory
/// order; put each structure's elements in their registers.
unsafe extern "C" fn deinterleave(state: *mut u8, info: u64, _: u64, _: u64, _: u64) -> u64 {
    let cpu = cpu(state);
    let (t, regs, esize, rbytes) = structure_shape(info);
    let mut raw = Vec::with_capacity(regs * rbytes);
    for r in 0..regs {
        raw.extend_from_slice(&bytes_of(cpu, (t + r) % 32)[..rbytes]);
    }
    for r in 0..regs {
        let mut b = [0u8; 16];
        for j in 0..rbytes / esize {
            let at = (j * regs + r) * esize;
            b[j * esize..(j + 1) * esize].copy_from_slice(&raw[at..at + esize]);
        }
        set_bytes(cpu, (t + r) % 32, b);
    }
    0
}

/// `interleaved_word(state, info | w << 16)`: 64-bit word w of the stream.
unsafe extern "C" fn interleaved_word(state: *mut u8, arg: u64, _: u64, _: u64, _: u64) -> u64 {
    let w = (arg >> 16) as usize;
    let s = stream(cpu(state), arg & 0xffff);
    u64::from_le_bytes(s[8 * w..8 * w + 8].try_into().unwrap())
}

static DEINTERLEAVE: Helper = Helper {
    name: "a64_deinterleave",
    func: deinterleave,
    fp: None,
};

static INTERLEAVED_WORD: Helper = Helper {
    name: "a64_interleaved_word",
    func: interleaved_word,
    fp: None,
};

fn ldst_multiple(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let base = cx.x_sp(insn.get('n'));
    ldst_multiple_at(cx, insn, base).map(|_| ())
}

/// Post-index: by the bytes moved (Rm = 31) or by Xm.
fn post_index(cx: &mut Ctx, insn: Insn, base: Value, moved: u64) {
    let step = match insn.get('m') {
        31 => cx.imm(moved),
        m => cx.x(m),
    };
    let next = cx.b.add(base, step);
    cx.set_x_sp(insn.get('n'), next);
}

fn ldst_multiple_post(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let base = cx.x_sp(insn.get('n'));
    let moved = ldst_multiple_at(cx, insn, base)?;
    post_index(cx, insn, base, moved);
    Ok(())
}

/// LD1-LD4/ST1-ST4 (single structure) of one lane, and LD1R-LD4R
/// (loaded elements replicated). Returns the bytes moved.
fn ldst_single_at(cx: &mut Ctx, insn: Insn, base: Value) -> Result<u64, Illegal> {
    let (opc, s, size, q, load) = (
        insn.get('o'),
        insn.get('z'),
        insn.get('s'),
        insn.bit('q'),
        insn.bit('l'),
    );
    let selem = ((opc & 1) << 1 | insn.get('r')) + 1;
    let qi = q as u32;
    let (esize, index) = match opc >> 1 {
        0 => (0, qi << 3 | s << 2 | size),
        1 if size & 1 == 0 => (1, qi << 2 | s << 1 | size >> 1),
        2 if size == 0 => (2, qi << 1 | s),
        2 if size == 1 && s == 0 => (3, qi),
        3 if load && s == 0 => (size, 0),
        _ => return Err(Illegal),
    };
    let mem = [MemOp::U8, MemOp::U16, MemOp::U32, MemOp::U64][esize as usize];
    let t = insn.get('t');
    for i in 0..selem {
        let off = cx.imm((i << esize) as u64);
        let addr = cx.b.add(base, off);
        let r = (t + i) % 32;
        if opc >> 1 == 3 {
            let v = cx.b.load(mem, addr);
            replicate(cx, r, esize, q, v);
        } else if load {
            let v = cx.b.load(mem, addr);
            set_lane(cx, r, esize, index, v);
        } else {
            let v = get_lane(cx, r, esize, index);
            cx.b.store(mem, addr, v);
        }
    }
    Ok((selem << esize) as u64)
}

fn ldst_single(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let base = cx.x_sp(insn.get('n'));
    ldst_single_at(cx, insn, base).map(|_| ())
}

fn ldst_single_post(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let base = cx.x_sp(insn.get('n'));
    let moved = ldst_single_at(cx, insn, base)?;
    post_index(cx, insn, base, moved);
    Ok(())
}

/// AdvSIMDExpandImm of the manual: the 64-bit pattern of op:cmode:imm8,
/// or `None` where it is unallocated.
fn expand_imm(op: bool, cmode: u32, imm8: u64) -> Option<u64> {
    let rep2 = |v: u64| v | v << 32;
    let rep4 = |v: u64| v | v << 16 | v << 32 | v << 48;
    Some(match cmode >> 1 {
        0 => rep2(imm8),
        1 => rep2(imm8 << 8),
        2 => rep2(imm8 << 16),
        3 => rep2(imm8 << 24),
        4 => rep4(imm8),
        5 => rep4(imm8 << 8),
        6 if cmode & 1 == 0 => rep2(imm8 << 8 | 0xff),
        6 => rep2(imm8 << 16 | 0xffff),
        _ => match (cmode & 1, op) {
            (0, false) => imm8 * 0x0101_0101_0101_0101,
            (0, true) => (0..8).fold(0, |acc, i| {
                acc | if imm8 >> i & 1 == 1 {
                    0xff << (8 * i)
                } else {
                    0
                }
            }),
            (_, false) => {
                // FMOV Vd.4S/2S: VFPExpandImm to single, twice.
                let s = (imm8 >> 7) << 31
                    | ((imm8 >> 6 & 1) ^ 1) << 30
                    | (if imm8 >> 6 & 1 == 1 { 0x1f } else { 0 }) << 25
                    | (imm8 & 0x3f) << 19;
                rep2(s)
            }
            (_, true) => {
                // FMOV Vd.2D: VFPExpandImm to double.
                (imm8 >> 7) << 63
                    | ((imm8 >> 6 & 1) ^ 1) << 62
                    | (if imm8 >> 6 & 1 == 1 { 0xff } else { 0 }) << 54
                    | (imm8 & 0x3f) << 48
            }
        },
    })
}

/// MOVI, MVNI, ORR and BIC (vector, immediate), FMOV (vector, immediate).
fn modified_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (q, op, cmode) = (insn.bit('q'), insn.bit('o'), insn.get('c'));
    let imm8 = (insn.get('a') << 5 | insn.get('f')) as u64;
    let imm = expand_imm(op, cmode, imm8).ok_or(Illegal)?;
    if cmode == 0xf && op && !q {
        return Err(Illegal);
    }
    let d = insn.get('d');
    // ORR/BIC: cmode 0xx1 and 10x1.
    let logical = cmode < 0xc && cmode & 1 == 1;
    let halves = if q { 2 } else { 1 };
    for half in 0..halves {
        let v = match (logical, op) {
            (true, false) => {
                let old = cx.b.get_reg(v_offset(d, half));
                let i = cx.imm(imm);
                cx.b.or(old, i)
            }
            (true, true) => {
                let old = cx.b.get_reg(v_offset(d, half));
                let i = cx.imm(!imm);
                cx.b.and(old, i)
            }
            // MVNI: op=1 with cmode below 1110.
            (false, true) if cmode < 0xe => cx.imm(!imm),
            _ => cx.imm(imm),
        };
        cx.b.set_reg(v_offset(d, half), v);
    }
    if !q {
        let zero = cx.imm(0);
        cx.b.set_reg(v_offset(d, 1), zero);
    }
    Ok(())
}

/// Bytes of a SIMD&FP access of size:opc, and whether it loads.
fn access(size: u32, opc: u32) -> Result<(u32, bool), Illegal> {
    match (size, opc) {
        (_, 0 | 1) => Ok((1 << size, opc == 1)),
        (0, 2 | 3) => Ok((16, opc == 3)),
        _ => Err(Illegal),
    }
}

/// Loads `bytes` at `addr` into V`t`, zeroing the rest of the register.
fn load_v(cx: &mut Ctx, t: u32, addr: Value, bytes: u32) {
    let mem =
        [MemOp::U8, MemOp::U16, MemOp::U32, MemOp::U64][bytes.min(8).trailing_zeros() as usize];
    let lo = cx.b.load(mem, addr);
    let hi = if bytes == 16 {
        let eight = cx.imm(8);
        let a = cx.b.add(addr, eight);
        cx.b.load(MemOp::U64, a)
    } else {
        cx.imm(0)
    };
    cx.b.set_reg(v_offset(t, 0), lo);
    cx.b.set_reg(v_offset(t, 1), hi);
}

/// Stores the low `bytes` of V`t` at `addr`.
fn store_v(cx: &mut Ctx, t: u32, addr: Value, bytes: u32) {
    let mem =
        [MemOp::U8, MemOp::U16, MemOp::U32, MemOp::U64][bytes.min(8).trailing_zeros() as usize];
    let lo = cx.b.get_reg(v_offset(t, 0));
    cx.b.store(mem, addr, lo);
    if bytes == 16 {
        let hi = cx.b.get_reg(v_offset(t, 1));
        let eight = cx.imm(8);
        let a = cx.b.add(addr, eight);
        cx.b.store(MemOp::U64, a, hi);
    }
}

fn perform(cx: &mut Ctx, t: u32, addr: Value, bytes: u32, load: bool) {
    if load {
        load_v(cx, t, addr, bytes)
    } else {
        store_v(cx, t, addr, bytes)
    }
}

fn ldst_unsigned(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (bytes, load) = access(insn.get('s'), insn.get('o'))?;
    let base = cx.x_sp(insn.get('n'));
    let off = cx.imm(insn.get('i') as u64 * bytes as u64);
    let addr = cx.b.add(base, off);
    perform(cx, insn.get('t'), addr, bytes, load);
    Ok(())
}

fn ldst_unscaled(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (bytes, load) = access(insn.get('s'), insn.get('o'))?;
    // Mode 10 (unprivileged) exists for general registers only.
    if insn.get('p') == 2 {
        return Err(Illegal);
    }
    let n = insn.get('n');
    let base = cx.x_sp(n);
    let off = cx.imm(insn.sext('i') as u64);
    let moved = cx.b.add(base, off);
    let mode = insn.get('p');
    let addr = if mode == 1 { base } else { moved };
    perform(cx, insn.get('t'), addr, bytes, load);
    if mode & 1 == 1 {
        cx.set_x_sp(n, moved);
    }
    Ok(())
}

fn ldst_register(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (bytes, load) = access(insn.get('s'), insn.get('o'))?;
    let addr = super::ldst::register_offset_addr(cx, insn, bytes.trailing_zeros())?;
    perform(cx, insn.get('t'), addr, bytes, load);
    Ok(())
}

fn ldr_literal(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let bytes = match insn.get('o') {
        0 => 4,
        1 => 8,
        2 => 16,
        _ => return Err(Illegal),
    };
    let addr = cx.imm(cx.pc.wrapping_add((insn.sext('i') << 2) as u64));
    load_v(cx, insn.get('t'), addr, bytes);
    Ok(())
}

fn ldst_pair(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let bytes = match insn.get('o') {
        0 => 4u32,
        1 => 8,
        2 => 16,
        _ => return Err(Illegal),
    };
    let mode = insn.get('p');
    let n = insn.get('n');
    let base = cx.x_sp(n);
    let off = cx.imm((insn.sext('k') * bytes as i64) as u64);
    let moved = cx.b.add(base, off);
    let addr = if mode == 1 { base } else { moved };
    let step = cx.imm(bytes as u64);
    let addr2 = cx.b.add(addr, step);
    let load = insn.bit('l');
    perform(cx, insn.get('t'), addr, bytes, load);
    perform(cx, insn.get('m'), addr2, bytes, load);
    if mode == 1 || mode == 3 {
        cx.set_x_sp(n, moved);
    }
    Ok(())
}

/// The CPU state a helper gets.
///
/// # Safety
/// `state` is the translating guest's `Cpu` (the IR calling convention).
unsafe fn cpu<'a>(state: *mut u8) -> &'a mut Cpu {
    &mut *(state as *mut Cpu)
}

/// The 128 bits of V`r` as 16 bytes, and back.
fn bytes_of(cpu: &Cpu, r: usize) -> [u8; 16] {
    let [lo, hi] = cpu.vreg[r];
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&lo.to_le_bytes());
    b[8..].copy_from_slice(&hi.to_le_bytes());
    b
}

fn set_bytes(cpu: &mut Cpu, r: usize, b: [u8; 16]) {
    cpu.vreg[r] = [
        u64::from_le_bytes(b[..8].try_into().unwrap()),
        u64::from_le_bytes(b[8..].try_into().unwrap()),
    ];
}

/// DUP Vd.<T>, Rn: the element size is the lowest set bit of imm5.
fn dup_general(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (size, _) = elem_of(insn.get('i'))?;
    let q = insn.bit('q');
    if size == 3 && !q {
        return Err(Illegal);
    }
    let v = cx.x(insn.get('n'));
    let v = match size {
        0 => cx.b.zext8(v),
        1 => cx.b.zext16(v),
        2 => cx.b.zext32(v),
        _ => v,
    };
    replicate(cx, insn.get('d'), size, q, v);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structures_interleave_and_deinterleave() {
        let mut cpu = Cpu::default();
        // ld3 {v30.8b, v31.8b, v0.8b}: 24 bytes in memory order 0..23.
        cpu.vreg[30][0] = 0x0706_0504_0302_0100;
        cpu.vreg[31][0] = 0x0f0e_0d0c_0b0a_0908;
        cpu.vreg[0][0] = 0x1716_1514_1312_1110;
        let info = 30 | 3 << 5;
        let state = &mut cpu as *mut Cpu as *mut u8;
        unsafe { deinterleave(state, info, 0, 0, 0) };
        assert_eq!(cpu.vreg[30], [0x1512_0f0c_0906_0300, 0]);
        assert_eq!(cpu.vreg[31], [0x1613_100d_0a07_0401, 0]);
        assert_eq!(cpu.vreg[0], [0x1714_110e_0b08_0502, 0]);
        // st3 gives the stream back.
        for w in 0..3u64 {
            let v = unsafe { interleaved_word(state, info | w << 16, 0, 0, 0) };
            assert_eq!(v, 0x0706_0504_0302_0100 + w * 0x0808_0808_0808_0808);
        }
        // ld2 {v1.4s, v2.4s}.
        cpu.vreg[1] = [0x1_0000_0000, 0x3_0000_0002];
        cpu.vreg[2] = [0x5_0000_0004, 0x7_0000_0006];
        let state = &mut cpu as *mut Cpu as *mut u8;
        unsafe { deinterleave(state, 1 | 2 << 5 | 2 << 8 | 1 << 10, 0, 0, 0) };
        assert_eq!(cpu.vreg[1], [0x2_0000_0000, 0x6_0000_0004]);
        assert_eq!(cpu.vreg[2], [0x3_0000_0001, 0x7_0000_0005]);
    }
}
