//! Data processing (immediate): PC-relative addresses, add/subtract,
//! logical with bitmask immediates, move wide, bitfield moves, extract.

use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::Value;

pub const TABLE: &[Pattern] = crate::a64_table! {
    "0ii10000jjjjjjjjjjjjjjjjjjjddddd" adr => adr;
    "1ii10000jjjjjjjjjjjjjjjjjjjddddd" adrp => adrp;
    "zos100010hiiiiiiiiiiiinnnnnddddd" add_sub_imm => add_sub_imm;
    "zoo100100wrrrrrrssssssnnnnnddddd" logical_imm => logical_imm;
    "z00100101hhiiiiiiiiiiiiiiiiddddd" movn => movn;
    "z10100101hhiiiiiiiiiiiiiiiiddddd" movz => movz;
    "z11100101hhiiiiiiiiiiiiiiiiddddd" movk => movk;
    "z00100110wrrrrrrssssssnnnnnddddd" sbfm => sbfm;
    "z01100110wrrrrrrssssssnnnnnddddd" bfm => bfm;
    "z10100110wrrrrrrssssssnnnnnddddd" ubfm => ubfm;
    "z00100111w0mmmmmssssssnnnnnddddd" extr => extr;
};

fn pc_relative(insn: Insn) -> i64 {
    // immhi:immlo, 21 bits signed.
    let v = (insn.get('j') << 2 | insn.get('i')) as i64;
    (v << 43) >> 43
}

fn adr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let v = cx.imm(cx.pc.wrapping_add(pc_relative(insn) as u64));
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn adrp(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let page = (cx.pc & !0xfff).wrapping_add((pc_relative(insn) << 12) as u64);
    let v = cx.imm(page);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn add_sub_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let imm = (insn.get('i') as u64) << if insn.bit('h') { 12 } else { 0 };
    let a = cx.x_sp(insn.get('n'));
    let a = cx.width(a, sf);
    let b = cx.imm(imm);
    let flags = insn.bit('s');
    let res = if insn.bit('o') {
        if flags {
            cx.note_compare(a, b, sf);
        }
        cx.sub_flags(a, b, sf, flags)
    } else {
        let zero = cx.imm(0);
        cx.add_with_carry(a, b, zero, sf, flags)
    };
    // The flag-setting forms write the zero register, the others sp.
    if flags {
        cx.set_x(insn.get('d'), res);
    } else {
        cx.set_x_sp(insn.get('d'), res);
    }
    Ok(())
}

/// DecodeBitMasks of the manual: the (wmask, tmask) of N:immr:imms for a
/// `width`-bit operation, or `None` for a reserved combination.
pub fn decode_bit_masks(
    n: u32,
    imms: u32,
    immr: u32,
    width: u32,
    immediate: bool,
) -> Option<(u64, u64)> {
    // HighestSetBit(N:NOT(imms)); none (N = 0, imms = 0b111111) is reserved.
    let bits = (n << 6) | (!imms & 0x3f);
    if bits == 0 {
        return None;
    }
    let len = 31 - bits.leading_zeros();
    if len < 1 || (n == 1 && width == 32) {
        return None;
    }
    let esize = 1u32 << len;
    let levels = esize - 1;
    if immediate && (imms & levels) == levels {
        return None;
    }
    let s = imms & levels;
    let r = immr & levels;
    let d = s.wrapping_sub(r) & levels;
    let ones = |k: u32| if k >= 64 { u64::MAX } else { (1u64 << k) - 1 };
    let welem = ones(s + 1);
    let telem = ones(d + 1);
    let emask = ones(esize);
    let rotr = |v: u64| {
        if r == 0 {
            v
        } else {
            ((v >> r) | (v << (esize - r))) & emask
        }
    };
    let replicate = |e: u64| {
        let mut out = 0u64;
        let mut i = 0;
        while i < 64 {
            out |= e << i;
            i += esize;
        }
        out
    };
    let wmask = replicate(rotr(welem));
    let tmask = replicate(telem);
    let keep = ones(width);
    Some((wmask & keep, tmask & keep))
}

fn logical_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let width = if sf { 64 } else { 32 };
    let (imm, _) = decode_bit_masks(insn.get('w'), insn.get('s'), insn.get('r'), width, true)
        .ok_or(Illegal)?;
    let a = cx.reg(insn.get('n'), sf);
    let b = cx.imm(imm);
    let opc = insn.get('o');
    let res = cx.logical(opc, a, b, sf);
    // ANDS writes the zero register, the others sp.
    if opc == 3 {
        cx.set_x(insn.get('d'), res);
    } else {
        cx.set_x_sp(insn.get('d'), res);
    }
    Ok(())
}

/// The shifted 16-bit immediate of a move-wide; `None` for an invalid shift.
fn wide(insn: Insn) -> Option<(u64, u32)> {
    let shift = insn.get('h') * 16;
    if !insn.bit('z') && shift >= 32 {
        return None;
    }
    Some(((insn.get('i') as u64) << shift, shift))
}

fn movn(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (imm, _) = wide(insn).ok_or(Illegal)?;
    let v = if insn.bit('z') {
        !imm
    } else {
        !imm & 0xffff_ffff
    };
    let v = cx.imm(v);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn movz(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (imm, _) = wide(insn).ok_or(Illegal)?;
    let v = cx.imm(imm);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn movk(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let (imm, shift) = wide(insn).ok_or(Illegal)?;
    let sf = insn.bit('z');
    let old = cx.reg(insn.get('d'), sf);
    let keep = cx.imm(!(0xffffu64 << shift));
    let kept = cx.b.and(old, keep);
    let new = cx.imm(imm);
    let v = cx.b.or(kept, new);
    let v = cx.width(v, sf);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// The operands of BFM: the source rotated right by immr, and the masks.
struct Bitfield {
    sf: bool,
    rotated: Value,
    wmask: u64,
    tmask: u64,
}

fn bitfield(cx: &mut Ctx, insn: Insn) -> Result<Bitfield, Illegal> {
    let sf = insn.bit('z');
    let width = if sf { 64 } else { 32 };
    if insn.bit('w') != sf {
        return Err(Illegal);
    }
    let (r, s) = (insn.get('r'), insn.get('s'));
    if r >= width || s >= width {
        return Err(Illegal);
    }
    let (wmask, tmask) = decode_bit_masks(insn.get('w'), s, r, width, false).ok_or(Illegal)?;
    let src = cx.reg(insn.get('n'), sf);
    let rotated = if r == 0 {
        src
    } else {
        let amount = cx.imm(r as u64);
        if sf {
            cx.b.rotr(src, amount)
        } else {
            cx.b.rotr32(src, amount)
        }
    };
    Ok(Bitfield {
        sf,
        rotated,
        wmask,
        tmask,
    })
}

/// SBFM and UBFM as two shifts: the field (bits s..r, or s..0 moved up for
/// the insert forms) goes to the top of 64 bits, then down to its place,
/// arithmetically for SBFM. Covers ASR/LSR/LSL, SBFX/UBFX, SBFIZ/UBFIZ and
/// SXT*/UXT*.
fn extract(cx: &mut Ctx, insn: Insn, signed: bool) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let width = if sf { 64 } else { 32 };
    let (r, s) = (insn.get('r'), insn.get('s'));
    if insn.bit('w') != sf || r >= width || s >= width {
        return Err(Illegal);
    }
    let src = cx.reg(insn.get('n'), sf);
    // The common aliases in one operation: LSR, ASR, LSL, UXT*, SXT*.
    let plain = match (signed, r, s + 1) {
        (false, _, top) if top == width => {
            let a = cx.imm(r as u64);
            Some(cx.b.lshr(src, a))
        }
        (true, _, top) if top == width => {
            let a = cx.imm(r as u64);
            Some(if sf {
                cx.b.ashr(src, a)
            } else {
                cx.b.ashr32(src, a)
            })
        }
        (false, r, top) if top == r => {
            let a = cx.imm((width - r) as u64);
            Some(if sf {
                cx.b.shl(src, a)
            } else {
                cx.b.shl32(src, a)
            })
        }
        (false, 0, 8) => Some(cx.b.zext8(src)),
        (false, 0, 16) => Some(cx.b.zext16(src)),
        (true, 0, 8) => Some(cx.b.sext8(src)),
        (true, 0, 16) => Some(cx.b.sext16(src)),
        (true, 0, 32) => Some(cx.b.sext32(src)),
        _ => None,
    };
    if let Some(v) = plain {
        let v = cx.width(v, sf);
        cx.set_x(insn.get('d'), v);
        return Ok(());
    }
    // Bit s of the source to bit 63.
    let up = 63 - s;
    // The field's lowest bit ends at bit `down`'s distance from 63: for
    // s >= r it is bit r of the source, moved to bit 0; for s < r the
    // field's bit 0 goes to bit width - r.
    let down = if s >= r { up + r } else { up - (width - r) };
    let mut v = src;
    if up != 0 {
        let a = cx.imm(up as u64);
        v = cx.b.shl(v, a);
    }
    if down != 0 {
        let a = cx.imm(down as u64);
        v = if signed {
            cx.b.ashr(v, a)
        } else {
            cx.b.lshr(v, a)
        };
    }
    let v = cx.width(v, sf);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn sbfm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    extract(cx, insn, true)
}

fn bfm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let f = bitfield(cx, insn)?;
    let dst = cx.reg(insn.get('d'), f.sf);
    // bot = (dst & !wmask) | (ROR(src, r) & wmask); result = (dst & !tmask) | (bot & tmask).
    let wm = cx.imm(f.wmask);
    let nwm = cx.imm(!f.wmask);
    let a = cx.b.and(dst, nwm);
    let b = cx.b.and(f.rotated, wm);
    let bot = cx.b.or(a, b);
    let tm = cx.imm(f.tmask);
    let ntm = cx.imm(!f.tmask);
    let c = cx.b.and(dst, ntm);
    let d = cx.b.and(bot, tm);
    let v = cx.b.or(c, d);
    let v = cx.width(v, f.sf);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn ubfm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    extract(cx, insn, false)
}

fn extr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let width = if sf { 64 } else { 32 };
    let lsb = insn.get('s');
    if insn.bit('w') != sf || lsb >= width {
        return Err(Illegal);
    }
    let hi = cx.reg(insn.get('n'), sf);
    let lo = cx.reg(insn.get('m'), sf);
    let v = if lsb == 0 {
        lo
    } else {
        // (hi:lo) >> lsb, of the operation's width.
        let r = cx.imm(lsb as u64);
        let l = cx.imm((width - lsb) as u64);
        let a = cx.b.lshr(lo, r);
        let b = cx.b.shl(hi, l);
        let v = cx.b.or(a, b);
        cx.width(v, sf)
    };
    cx.set_x(insn.get('d'), v);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decode_bit_masks;
    use crate::guest::aarch64::cpu::Cpu;
    use crate::guest::aarch64::translate::OneWord as Word;

    /// SBFM/UBFM by the manual's pseudocode.
    fn manual(signed: bool, sf: bool, r: u32, s: u32, src: u64) -> u64 {
        let width = if sf { 64 } else { 32 };
        let ones = if sf { u64::MAX } else { 0xffff_ffff };
        let (wmask, tmask) = decode_bit_masks(sf as u32, s, r, width, false).unwrap();
        let src = src & ones;
        let rotated = if r == 0 {
            src
        } else {
            ((src >> r) | (src << (width - r))) & ones
        };
        let bot = rotated & wmask;
        let top = if signed && (src >> s) & 1 == 1 {
            ones
        } else {
            0
        };
        ((top & !tmask) | (bot & tmask)) & ones
    }

    #[test]
    fn shifts_and_extracts_match_the_manual_for_every_r_and_s() {
        let values = [0x8123_4567_89ab_cdef, 0x7fed_cba9_8765_4321, u64::MAX, 1];
        for signed in [false, true] {
            for sf in [false, true] {
                let width = if sf { 64 } else { 32 };
                for r in 0..width {
                    for s in 0..width {
                        // sbfm/ubfm x0, x1, #r, #s (N = sf).
                        let opc = if signed { 0 } else { 2 };
                        let word = (sf as u32) << 31
                            | opc << 29
                            | 0b100110 << 23
                            | (sf as u32) << 22
                            | r << 16
                            | s << 10
                            | 1 << 5;
                        let block = super::super::translate_block(0, &Word(word), 1);
                        let code = crate::backend::interp::compile(&block);
                        for v in values {
                            let mut cpu = Cpu::default();
                            cpu.x[1] = v;
                            let mut mem = [0u8; 16];
                            let mut m = crate::backend::interp::Machine::new(
                                &mut cpu as *mut Cpu as *mut u8,
                                mem.as_mut_ptr(),
                                16,
                            );
                            // SAFETY: live state; no memory access.
                            unsafe { m.run(&code) };
                            assert_eq!(
                                cpu.x[0],
                                manual(signed, sf, r, s, v),
                                "signed {signed} sf {sf} r {r} s {s} value {v:#x}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bitmask_immediates_decode_as_the_manual_says() {
        // and x0, x1, #0xff: N=1 immr=0 imms=7.
        assert_eq!(decode_bit_masks(1, 7, 0, 64, true).unwrap().0, 0xff);
        // orr w0, wzr, #0xaaaaaaaa: N=0 immr=1 imms=0b111100.
        assert_eq!(
            decode_bit_masks(0, 0x3c, 1, 32, true).unwrap().0,
            0xaaaa_aaaa
        );
        // 0x00ff00ff00ff00ff: esize 16, 8 ones.
        assert_eq!(
            decode_bit_masks(0, 0x27, 0, 64, true).unwrap().0,
            0x00ff_00ff_00ff_00ff
        );
        // All ones is reserved for immediates.
        assert!(decode_bit_masks(1, 0x3f, 0, 64, true).is_none());
        // N = 0 with imms all ones or 0b11111x: no element size (found by
        // the differential tester's decode sweep: `.inst 0x3225fc2f`
        // panicked instead of raising SIGILL).
        assert!(decode_bit_masks(0, 0x3f, 5, 32, true).is_none());
        assert!(decode_bit_masks(0, 0x3f, 0, 64, false).is_none());
        assert!(decode_bit_masks(0, 0x3e, 0, 64, true).is_none());
        // ubfx x0, x1, #4, #8 = ubfm immr=4 imms=11: wmask rotated, tmask 12 ones.
        let (w, t) = decode_bit_masks(1, 11, 4, 64, false).unwrap();
        assert_eq!(w & t, 0xff);
    }
}
