//! Data processing (register): logical and add/subtract with shifted or
//! extended registers, add/subtract with carry, conditional select and
//! compare, one- and two-source operations (bit and byte reversal, counts,
//! division, variable shifts) and three-source multiplies.

use super::super::cpu::{flag_fields, C_OFFSET, N_OFFSET, V_OFFSET, Z_OFFSET};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Cond, Value};

pub const TABLE: &[Pattern] = crate::a64_table! {
    "zoo01010hhvmmmmmiiiiiinnnnnddddd" logical_reg => logical_reg;
    "zos01011hh0mmmmmiiiiiinnnnnddddd" add_sub_shifted => add_sub_shifted;
    "zos01011001mmmmmeeeiiinnnnnddddd" add_sub_extended => add_sub_extended;
    "zos11010000mmmmm000000nnnnnddddd" adc_sbc => adc_sbc;
    "zo011010100mmmmmcccc0pnnnnnddddd" csel => csel;
    "zo111010010mmmmmcccc00nnnnn0ffff" ccmp_reg => ccmp_reg;
    "zo111010010iiiiicccc10nnnnn0ffff" ccmp_imm => ccmp_imm;
    "z0011010110mmmmm00001unnnnnddddd" div => div;
    "z0011010110mmmmm0010ttnnnnnddddd" shift_reg => shift_reg;
    "z101101011000000000000nnnnnddddd" rbit => rbit;
    "z10110101100000000001onnnnnddddd" rev => rev;
    "z101101011000000000001nnnnnddddd" rev16 => rev16;
    "z10110101100000000010cnnnnnddddd" clz_cls => clz_cls;
    "z0011011000mmmmmoaaaaannnnnddddd" madd_msub => madd_msub;
    "10011011u01mmmmmoaaaaannnnnddddd" maddl => maddl;
    "10011011u10mmmmm011111nnnnnddddd" mulh => mulh;
};

/// Register `m` shifted by `amount` as `kind` (LSL, LSR, ASR, ROR).
fn shifted(cx: &mut Ctx, m: u32, kind: u32, amount: u32, sf: bool) -> Result<Value, Illegal> {
    if !sf && amount >= 32 {
        return Err(Illegal);
    }
    let v = cx.reg(m, sf);
    if amount == 0 {
        return Ok(v);
    }
    let a = cx.imm(amount as u64);
    let r = match (kind, sf) {
        (0, true) => cx.b.shl(v, a),
        (0, false) => cx.b.shl32(v, a),
        (1, _) => cx.b.lshr(v, a),
        (2, true) => cx.b.ashr(v, a),
        (2, false) => cx.b.ashr32(v, a),
        (_, true) => cx.b.rotr(v, a),
        (_, false) => cx.b.rotr32(v, a),
    };
    Ok(cx.width(r, sf))
}

fn logical_reg(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let mut b = shifted(cx, insn.get('m'), insn.get('h'), insn.get('i'), sf)?;
    if insn.bit('v') {
        b = cx.invert(b, sf);
    }
    let res = cx.logical(insn.get('o'), a, b, sf);
    cx.set_x(insn.get('d'), res);
    Ok(())
}

fn add_or_sub(cx: &mut Ctx, insn: Insn, a: Value, b: Value) -> Value {
    let sf = insn.bit('z');
    let flags = insn.bit('s');
    if insn.bit('o') {
        if flags {
            cx.note_compare(a, b, sf);
        }
        cx.sub_flags(a, b, sf, flags)
    } else {
        let zero = cx.imm(0);
        cx.add_with_carry(a, b, zero, sf, flags)
    }
}

fn add_sub_shifted(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    if insn.get('h') == 3 {
        return Err(Illegal);
    }
    let a = cx.reg(insn.get('n'), sf);
    let b = shifted(cx, insn.get('m'), insn.get('h'), insn.get('i'), sf)?;
    let res = add_or_sub(cx, insn, a, b);
    cx.set_x(insn.get('d'), res);
    Ok(())
}

/// Register `m` extended as `option` (UXTB…SXTX) and shifted left by `shift`.
fn extended(cx: &mut Ctx, m: u32, option: u32, shift: u32, sf: bool) -> Value {
    let v = cx.x(m);
    let e = match option {
        0 => cx.b.zext8(v),
        1 => cx.b.zext16(v),
        2 => cx.b.zext32(v),
        4 => cx.b.sext8(v),
        5 => cx.b.sext16(v),
        6 => cx.b.sext32(v),
        _ => v,
    };
    let s = cx.imm(shift as u64);
    let e = cx.b.shl(e, s);
    cx.width(e, sf)
}

fn add_sub_extended(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let shift = insn.get('i');
    if shift > 4 {
        return Err(Illegal);
    }
    let a = cx.x_sp(insn.get('n'));
    let a = cx.width(a, sf);
    let b = extended(cx, insn.get('m'), insn.get('e'), shift, sf);
    let res = add_or_sub(cx, insn, a, b);
    if insn.bit('s') {
        cx.set_x(insn.get('d'), res);
    } else {
        cx.set_x_sp(insn.get('d'), res);
    }
    Ok(())
}

fn adc_sbc(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let mut b = cx.reg(insn.get('m'), sf);
    if insn.bit('o') {
        b = cx.invert(b, sf);
    }
    let carry = cx.b.get_reg(C_OFFSET);
    let res = cx.add_with_carry(a, b, carry, sf, insn.bit('s'));
    cx.set_x(insn.get('d'), res);
    Ok(())
}

fn csel(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let mut b = cx.reg(insn.get('m'), sf);
    // CSINC, CSINV, CSNEG transform the second operand.
    if insn.bit('o') {
        b = cx.invert(b, sf);
    }
    if insn.bit('p') {
        let one = cx.imm(1);
        let nb = cx.b.add(b, one);
        b = cx.width(nb, sf);
    }
    let c = cx.condition(insn.get('c'));
    let v = cx.b.select(c, a, b);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// CCMP/CCMN: if the condition holds, the flags of the comparison of `a`
/// and `b`, else the immediate flags `f`.
fn cond_compare(cx: &mut Ctx, insn: Insn, b: Value) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let c = cx.condition(insn.get('c'));
    let offs = [N_OFFSET, Z_OFFSET, C_OFFSET, V_OFFSET];
    // The comparison's flags first, then each chosen against the immediate.
    if insn.bit('o') {
        cx.sub_flags(a, b, sf, true);
    } else {
        let zero = cx.imm(0);
        cx.add_with_carry(a, b, zero, sf, true);
    }
    let given = flag_fields((insn.get('f') as u64) << 28);
    for (off, given) in offs.into_iter().zip(given) {
        let computed = cx.b.get_reg(off);
        let given = cx.imm(given);
        let v = cx.b.select(c, computed, given);
        cx.b.set_reg(off, v);
    }
    Ok(())
}

fn ccmp_reg(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let b = cx.reg(insn.get('m'), insn.bit('z'));
    cond_compare(cx, insn, b)
}

fn ccmp_imm(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let b = cx.imm(insn.get('i') as u64);
    cond_compare(cx, insn, b)
}

/// UDIV, SDIV: division by zero gives 0; INT_MIN / -1 wraps.
fn div(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let signed = insn.bit('u');
    let a = cx.reg(insn.get('n'), sf);
    let b = cx.reg(insn.get('m'), sf);
    let q = match (signed, sf) {
        (false, true) => cx.b.divu(a, b),
        (false, false) => cx.b.divu32(a, b),
        (true, true) => cx.b.divs(a, b),
        (true, false) => cx.b.divs32(a, b),
    };
    let q = cx.width(q, sf);
    let zero = cx.imm(0);
    let by_zero = cx.b.cmp(Cond::Eq, b, zero);
    let v = cx.b.select(by_zero, zero, q);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn shift_reg(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let s = cx.x(insn.get('m'));
    // The amount is taken modulo the width (the IR masks the same way).
    let v = match (insn.get('t'), sf) {
        (0, true) => cx.b.shl(a, s),
        (0, false) => cx.b.shl32(a, s),
        (1, true) => cx.b.lshr(a, s),
        (1, false) => cx.b.lshr32(a, s),
        (2, true) => cx.b.ashr(a, s),
        (2, false) => cx.b.ashr32(a, s),
        (_, true) => cx.b.rotr(a, s),
        (_, false) => cx.b.rotr32(a, s),
    };
    let v = cx.width(v, sf);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// Reverses the bits of `v` (64-bit): bytes swapped, then bits in each byte.
fn reverse_bits(cx: &mut Ctx, v: Value) -> Value {
    let mut v = cx.b.bswap(v);
    for (shift, mask) in [
        (1, 0x5555_5555_5555_5555u64),
        (2, 0x3333_3333_3333_3333),
        (4, 0x0f0f_0f0f_0f0f_0f0f),
    ] {
        let m = cx.imm(mask);
        let s = cx.imm(shift);
        let lo = cx.b.and(v, m);
        let lo = cx.b.shl(lo, s);
        let hi = cx.b.lshr(v, s);
        let hi = cx.b.and(hi, m);
        v = cx.b.or(hi, lo);
    }
    v
}

fn rbit(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let mut v = reverse_bits(cx, a);
    if !sf {
        let s = cx.imm(32);
        v = cx.b.lshr(v, s);
    }
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// REV (opc 1x): bytes reversed in the whole register, or REV32 (x
/// registers, opc 10) in each word.
fn rev(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.x(insn.get('n'));
    let swapped = cx.b.bswap(a);
    let v = match (sf, insn.bit('o')) {
        // REV Xd.
        (true, true) => swapped,
        // REV32 Xd: each word's bytes, words in place.
        (true, false) => {
            let s = cx.imm(32);
            cx.b.rotr(swapped, s)
        }
        // REV Wd.
        (false, false) => {
            let s = cx.imm(32);
            cx.b.lshr(swapped, s)
        }
        (false, true) => return Err(Illegal),
    };
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// REV16: the bytes of each halfword swapped.
fn rev16(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let m = cx.imm(0x00ff_00ff_00ff_00ff);
    let eight = cx.imm(8);
    let lo = cx.b.and(a, m);
    let lo = cx.b.shl(lo, eight);
    let hi = cx.b.lshr(a, eight);
    let hi = cx.b.and(hi, m);
    let v = cx.b.or(hi, lo);
    let v = cx.width(v, sf);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn clz_cls(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let a = cx.reg(insn.get('n'), sf);
    let v = if insn.bit('c') {
        // CLS: leading bits equal to the sign, not counting it:
        // clz(a ^ (a >> 1)) - 1 on the operation's width.
        let one = cx.imm(1);
        let sh = if sf {
            cx.b.ashr(a, one)
        } else {
            let s = cx.b.sext32(a);
            let s = cx.b.ashr(s, one);
            cx.b.zext32(s)
        };
        let x = cx.b.xor(a, sh);
        let n = if sf { cx.b.clz(x) } else { cx.b.clz32(x) };
        cx.b.sub(n, one)
    } else if sf {
        cx.b.clz(a)
    } else {
        cx.b.clz32(a)
    };
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn madd_msub(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let sf = insn.bit('z');
    let n = cx.reg(insn.get('n'), sf);
    let m = cx.reg(insn.get('m'), sf);
    let a = cx.reg(insn.get('a'), sf);
    let p = cx.b.mul(n, m);
    let v = if insn.bit('o') {
        cx.b.sub(a, p)
    } else {
        cx.b.add(a, p)
    };
    let v = cx.width(v, sf);
    cx.set_x(insn.get('d'), v);
    Ok(())
}

/// SMADDL/SMSUBL/UMADDL/UMSUBL: 32 × 32 → 64 plus or minus Xa.
fn maddl(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let n = cx.x(insn.get('n'));
    let m = cx.x(insn.get('m'));
    let (n, m) = if insn.bit('u') {
        (cx.b.zext32(n), cx.b.zext32(m))
    } else {
        (cx.b.sext32(n), cx.b.sext32(m))
    };
    let a = cx.x(insn.get('a'));
    let p = cx.b.mul(n, m);
    let v = if insn.bit('o') {
        cx.b.sub(a, p)
    } else {
        cx.b.add(a, p)
    };
    cx.set_x(insn.get('d'), v);
    Ok(())
}

fn mulh(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let n = cx.x(insn.get('n'));
    let m = cx.x(insn.get('m'));
    let v = if insn.bit('u') {
        cx.b.mulhu(n, m)
    } else {
        cx.b.mulhs(n, m)
    };
    cx.set_x(insn.get('d'), v);
    Ok(())
}
