//! The floating-point CSRs: fflags (0x001, 5 bits NV DZ OF UF NX), frm
//! (0x002, 3 bits) and fcsr (0x003, frm << 5 | fflags), as IR over the
//! `fflags`/`frm` fields of the CPU state. The Zicsr translators call these
//! for the CSR read and write halves of csrrw/csrrs/csrrc and their
//! immediate forms; the read-modify-write logic stays there.
//!
//! frm accepts any 3-bit value (the reserved 5..=7 only fault when an
//! instruction uses the dynamic rounding mode).

use super::super::cpu::{FFLAGS_OFFSET, FRM_OFFSET};
use super::Ctx;
use crate::ir::Value;

pub const FFLAGS: u32 = 0x001;
pub const FRM: u32 = 0x002;
pub const FCSR: u32 = 0x003;

/// Reads an FP CSR; `csr` is 1, 2 or 3. The state fields only ever hold
/// in-range values (writes mask them), so reads need no masking.
pub fn read(cx: &mut Ctx, csr: u32) -> Value {
    match csr {
        FFLAGS => cx.b.get_reg(FFLAGS_OFFSET),
        FRM => cx.b.get_reg(FRM_OFFSET),
        _ => {
            debug_assert_eq!(csr, FCSR);
            let flags = cx.b.get_reg(FFLAGS_OFFSET);
            let frm = cx.b.get_reg(FRM_OFFSET);
            let five = cx.b.const_(5);
            let high = cx.b.shl(frm, five);
            cx.b.or(high, flags)
        }
    }
}

/// Writes an FP CSR; `csr` is 1, 2 or 3. Bits beyond the CSR's fields are
/// ignored (fcsr bits 8 and up are reserved, read as zero).
pub fn write(cx: &mut Ctx, csr: u32, v: Value) {
    match csr {
        FFLAGS => set_masked(cx, FFLAGS_OFFSET, v, 0x1f),
        FRM => set_masked(cx, FRM_OFFSET, v, 7),
        _ => {
            debug_assert_eq!(csr, FCSR);
            set_masked(cx, FFLAGS_OFFSET, v, 0x1f);
            let five = cx.b.const_(5);
            let frm = cx.b.lshr(v, five);
            set_masked(cx, FRM_OFFSET, frm, 7);
        }
    }
}

fn set_masked(cx: &mut Ctx, offset: usize, v: Value, mask: u64) {
    let m = cx.b.const_(mask);
    let masked = cx.b.and(v, m);
    cx.b.set_reg(offset, masked);
}
