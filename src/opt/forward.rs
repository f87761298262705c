//! Guest-register forwarding within a block: a `GetReg` after a `SetReg` or
//! `GetReg` of the same state slot reuses the known value, and a `SetReg`
//! overwritten before anything could observe it is dropped.

use super::{may_fault_or_observe, rename};
use crate::ir::{Block, Op, Value};
use std::collections::HashMap;

/// Forwards known register values to later `GetReg`s of the same offset.
pub fn forward_registers(block: &mut Block) {
    let mut known: HashMap<u64, Value> = HashMap::new();
    let mut map: Vec<Value> = (0..block.num_values).map(Value).collect();
    for inst in &mut block.insts {
        for a in &mut inst.args {
            if !a.is_none() {
                *a = map[a.index()];
            }
        }
        match inst.op {
            Op::GetReg => match known.get(&inst.imm) {
                Some(&v) => map[inst.dst.index()] = v,
                None => {
                    known.insert(inst.imm, inst.dst);
                }
            },
            Op::SetReg => {
                known.insert(inst.imm, inst.args[0]);
            }
            // Helpers may read and write any guest state; a 128-bit
            // compare-and-swap writes the pair at its imm.
            Op::Call | Op::AtomicCas128 => known.clear(),
            _ => {}
        }
    }
    rename(block, &map);
}

/// Drops a `SetReg` when a later `SetReg` of the same slot overwrites it and
/// nothing in between can fault or look at the state.
pub fn drop_dead_sets(block: &mut Block) {
    let mut pending: HashMap<u64, usize> = HashMap::new();
    let mut dead = vec![false; block.insts.len()];
    for (i, inst) in block.insts.iter().enumerate() {
        if may_fault_or_observe(inst.op) {
            pending.clear();
        } else if inst.op == Op::SetReg {
            if let Some(prev) = pending.insert(inst.imm, i) {
                dead[prev] = true;
            }
        }
    }
    let mut i = 0;
    block.insts.retain(|_| {
        i += 1;
        !dead[i - 1]
    });
}
