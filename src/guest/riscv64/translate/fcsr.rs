//! (being written) FP CSRs fflags (0x001), frm (0x002), fcsr (0x003).
use super::Ctx;
use crate::ir::Value;

/// Reads an FP CSR; `csr` is 1, 2 or 3.
pub fn read(cx: &mut Ctx, csr: u32) -> Value {
    let _ = csr;
    cx.b.const_(0)
}
/// Writes an FP CSR; `csr` is 1, 2 or 3.
pub fn write(cx: &mut Ctx, csr: u32, v: Value) {
    let _ = (csr, v);
}
