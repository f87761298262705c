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

/// The operands of a bitfield move: source, rotate right by immr, masks.
struct Bitfield {
    sf: bool,
    src: Value,
    rotated: Value,
    wmask: u64,
    tmask: u64,
    /// imms: the top bit of the source field (sign bit for SBFM).
    s: u32,
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
        src,
        rotated,
        wmask,
        tmask,
        s,
    })
}

fn sbfm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let f = bitfield(cx, insn)?;
    // bot = ROR(src, r) & wmask; top = replicated src<s>.
    let wm = cx.imm(f.wmask);
    let bot = cx.b.and(f.rotated, wm);
    let sh = cx.imm(63 - f.s as u64);
    let up = cx.b.shl(f.src, sh);
    let sixty_three = cx.imm(63);
    let top = cx.b.ashr(up, sixty_three);
    let tm = cx.imm(f.tmask);
    let ntm = cx.imm(!f.tmask);
    let t1 = cx.b.and(top, ntm);
    let t2 = cx.b.and(bot, tm);
    let v = cx.b.or(t1, t2);
    let v = cx.width(v, f.sf);
    cx.set_x(insn.get('d'), v);
    Ok(())
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
    let f = bitfield(cx, insn)?;
    let m = cx.imm(f.wmask & f.tmask);
    let v = cx.b.and(f.rotated, m);
    cx.set_x(insn.get('d'), v);
    Ok(())
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
