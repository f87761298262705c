//! `InsnStart` markers exist so a fault can name its guest instruction. A
//! marker is only needed when an instruction that may fault or observe the
//! pc (loads, stores, atomics, helpers) follows it before the next marker.

use super::may_fault_or_observe;
use crate::ir::{Block, Op};

pub fn drop_unneeded_insn_starts(block: &mut Block) {
    let mut needed = vec![false; block.insts.len()];
    let mut fault_follows = false;
    for (i, inst) in block.insts.iter().enumerate().rev() {
        if inst.op == Op::InsnStart {
            needed[i] = fault_follows;
            fault_follows = false;
        } else if may_fault_or_observe(inst.op) {
            fault_follows = true;
        }
    }
    let mut i = 0;
    block.insts.retain(|inst| {
        i += 1;
        inst.op != Op::InsnStart || needed[i - 1]
    });
}
