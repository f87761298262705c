//! Each pass pinned on a small block, by its printed IR.

use super::*;
use crate::ir::{Builder, MemOp, Terminator};

fn text(b: &Block) -> String {
    b.insts.iter().map(|i| format!("{i}\n")).collect::<String>() + &format!("{}\n", b.term)
}

#[test]
fn auipc_addi_pair_folds_to_one_constant() {
    let mut b = Builder::new(0);
    b.insn_start(0);
    let c = b.const_(0x7de3c);
    b.set_reg(24, c);
    b.insn_start(4);
    let gp = b.get_reg(24);
    let k = b.const_(0x234);
    let sum = b.add(gp, k);
    b.set_reg(24, sum);
    let mut blk = b.finish(8, 2, Terminator::Jump(8));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = Const 0x7e070\nSetReg v0, state+24\njump 0x8\n"
    );
    assert_eq!(crate::ir::verify(&blk), Ok(()));
}

#[test]
fn register_writes_before_a_possible_fault_are_kept() {
    let mut b = Builder::new(0);
    let one = b.const_(1);
    b.set_reg(8, one);
    let addr = b.const_(0x1000);
    let v = b.load(MemOp::U64, addr);
    b.set_reg(8, v);
    let mut blk = b.finish(8, 2, Terminator::Jump(8));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = Const 0x1\nSetReg v0, state+8\nv1 = Const 0x1000\nv2 = Load v1, u64\nSetReg v2, state+8\njump 0x8\n"
    );
}

#[test]
fn helper_calls_invalidate_forwarded_registers() {
    unsafe extern "C" fn nop(_: *mut u8, _: u64, _: u64, _: u64, _: u64) -> u64 {
        0
    }
    static NOP: crate::ir::Helper = crate::ir::Helper {
        name: "nop",
        func: nop,
        fp: None,
    };
    let mut b = Builder::new(0);
    let x = b.get_reg(16);
    b.call(&NOP, &[]);
    let y = b.get_reg(16);
    let s = b.add(x, y);
    b.set_reg(0, s);
    let mut blk = b.finish(4, 1, Terminator::Jump(4));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = GetReg state+16\nv1 = Call @nop\nv2 = GetReg state+16\nv3 = Add v0, v2\nSetReg v3, state+0\njump 0x4\n"
    );
}

#[test]
fn branch_on_constants_keeps_its_condition_value() {
    let mut b = Builder::new(0);
    let x = b.const_(3);
    let y = b.const_(4);
    let c = b.cmp(crate::ir::Cond::LtU, x, y);
    let mut blk = b.finish(
        4,
        1,
        Terminator::Branch {
            cond: c,
            taken: 0x10,
            not_taken: 4,
        },
    );
    optimize(&mut blk);
    assert_eq!(text(&blk), "v0 = Const 0x1\nbranch v0 ? 0x10 : 0x4\n");
}

#[test]
fn insn_start_markers_stay_only_before_possible_faults() {
    let mut b = Builder::new(0);
    b.insn_start(0);
    let x = b.get_reg(8);
    b.set_reg(16, x);
    b.insn_start(4);
    let v = b.load(MemOp::U8, x);
    b.set_reg(24, v);
    b.insn_start(8);
    let one = b.const_(1);
    b.set_reg(32, one);
    let mut blk = b.finish(12, 3, Terminator::Jump(12));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = GetReg state+8\nSetReg v0, state+16\nInsnStart pc=0x4\nv1 = Load v0, u8\nSetReg v1, state+24\n\
         v2 = Const 0x1\nSetReg v2, state+32\njump 0xc\n"
    );
}

#[test]
fn adding_zero_is_the_value_itself() {
    // riscv `mv a0, a1` is `addi a0, a1, 0`.
    let mut b = Builder::new(0);
    let x = b.get_reg(88);
    let zero = b.const_(0);
    let sum = b.add(x, zero);
    let shifted = b.shl(sum, zero);
    b.set_reg(80, shifted);
    let mut blk = b.finish(4, 1, Terminator::Jump(4));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = GetReg state+88\nSetReg v0, state+80\njump 0x4\n"
    );
}

#[test]
fn sign_extensions_of_extended_values_go() {
    // The riscv64 crc32 step: lw; srliw; xor; sext.w — only the shift of an
    // unknown register and the final add keep their extension.
    let mut b = Builder::new(0);
    let p = b.get_reg(8);
    let word = b.load(MemOp::S32, p);
    let crc = b.get_reg(16);
    let eight = b.const_(8);
    let shifted = b.lshr32(crc, eight);
    let shifted = b.sext32(shifted);
    let x = b.xor(word, shifted);
    let x = b.sext32(x);
    b.set_reg(16, x);
    let unknown = b.sext32(crc);
    b.set_reg(24, unknown);
    let sum = b.add(x, x);
    let sum = b.sext32(sum);
    b.set_reg(32, sum);
    let mut blk = b.finish(4, 1, Terminator::Jump(4));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = GetReg state+8\nv1 = Load v0, s32\nv2 = GetReg state+16\nv3 = Const 0x8\n\
         v4 = LShr32 v2, v3\nv5 = Xor v1, v4\nSetReg v5, state+16\nv6 = SExt32 v2\n\
         SetReg v6, state+24\nv7 = Add v5, v5\nv8 = SExt32 v7\nSetReg v8, state+32\njump 0x4\n"
    );
    assert_eq!(crate::ir::verify(&blk), Ok(()));
}

#[test]
fn zero_extensions_of_extended_values_go() {
    // aarch64 `lsl w1, w3, #5; sub w3, w1, w3`: the shift's result is
    // extended already, the subtraction's is not; a loaded word is.
    let mut b = Builder::new(0);
    let w3 = b.get_reg(24);
    let five = b.const_(5);
    let sh = b.shl32(w3, five);
    let sh = b.zext32(sh);
    b.set_reg(8, sh);
    let w3z = b.zext32(w3);
    let d = b.sub(sh, w3z);
    let d = b.zext32(d);
    b.set_reg(24, d);
    let word = b.load(MemOp::U32, w3);
    let word = b.zext32(word);
    b.set_reg(16, word);
    // A sign-extended halfword (ldrsh w) keeps its extension.
    let half = b.load(MemOp::S16, w3);
    let half = b.zext32(half);
    b.set_reg(32, half);
    let mut blk = b.finish(4, 1, Terminator::Jump(4));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = GetReg state+24\nv1 = Const 0x5\nv2 = Shl32 v0, v1\nSetReg v2, state+8\n\
         v3 = ZExt32 v0\nv4 = Sub v2, v3\nv5 = ZExt32 v4\nSetReg v5, state+24\n\
         v6 = Load v0, u32\nSetReg v6, state+16\nv7 = Load v0, s16\nv8 = ZExt32 v7\n\
         SetReg v8, state+32\njump 0x4\n"
    );
    assert_eq!(crate::ir::verify(&blk), Ok(()));
}

#[test]
fn a_cas128_keeps_the_writes_of_its_pair_and_rereads_it() {
    let mut b = Builder::new(0);
    let expected = b.const_(5);
    b.set_reg(16, expected); // read by the CAS: kept
    let addr = b.const_(0x1000);
    let ok = b.atomic_cas128(addr, expected, expected, 16);
    let old = b.get_reg(16); // written by the CAS: not forwarded
    let s = b.add(ok, old);
    b.set_reg(16, s);
    let mut blk = b.finish(8, 2, Terminator::Jump(8));
    optimize(&mut blk);
    assert_eq!(
        text(&blk),
        "v0 = Const 0x5\nSetReg v0, state+16\nv1 = Const 0x1000\nv2 = AtomicCas128 v1, v0, v0, state+16\n\
         v3 = GetReg state+16\nv4 = Add v2, v3\nSetReg v4, state+16\njump 0x8\n"
    );
}
