//! IR optimisation passes: small functions over one block, run in order by
//! [`optimize`]. Every pass keeps guest-visible state precise at each
//! instruction that can fault (loads, stores, atomics, helper calls), so a
//! fault mid-block still sees every earlier guest register write.

mod extend;
mod fold;
mod forward;
mod markers;

#[cfg(test)]
mod tests;

use crate::ir::{Block, Op, Value};

/// The standard pipeline.
pub fn optimize(block: &mut Block) {
    forward::forward_registers(block);
    fold::fold_constants(block);
    fold::drop_identities(block);
    extend::drop_redundant_sext32(block);
    extend::drop_redundant_zext32(block);
    forward::drop_dead_sets(block);
    eliminate_dead_code(block);
    markers::drop_unneeded_insn_starts(block);
}

/// Whether an instruction has effects beyond defining its value.
fn has_effects(op: Op) -> bool {
    matches!(
        op,
        Op::SetReg
            | Op::InsnStart
            | Op::Load
            | Op::Store
            | Op::AtomicRmw
            | Op::AtomicCas
            | Op::AtomicCas128
            | Op::CheckAlign
            | Op::Fence
            | Op::Call
    )
}

/// Whether an instruction may leave the block abnormally (a guest fault) or
/// observe the guest state through the state pointer (helpers).
pub fn may_fault_or_observe(op: Op) -> bool {
    matches!(
        op,
        Op::Load
            | Op::Store
            | Op::AtomicRmw
            | Op::AtomicCas
            | Op::AtomicCas128
            | Op::CheckAlign
            | Op::Call
    )
}

/// Replaces every use of a value by `map[value]` (for backends' peepholes too).
pub fn rename_values(block: &mut Block, map: &[Value]) {
    rename(block, map)
}

/// Replaces every use of a value by `map[value]`.
fn rename(block: &mut Block, map: &[Value]) {
    let get = |v: Value| if v.is_none() { v } else { map[v.index()] };
    for inst in &mut block.insts {
        for a in &mut inst.args {
            *a = get(*a);
        }
    }
    match &mut block.term {
        crate::ir::Terminator::Branch { cond, .. } => *cond = get(*cond),
        crate::ir::Terminator::Indirect { target, .. } => *target = get(*target),
        _ => {}
    }
}

/// Removes instructions without effects whose value is unused, then renumbers values densely.
pub fn eliminate_dead_code(block: &mut Block) {
    let mut used = vec![false; block.num_values as usize];
    match block.term {
        crate::ir::Terminator::Branch { cond, .. } => used[cond.index()] = true,
        crate::ir::Terminator::Indirect { target, .. } => used[target.index()] = true,
        _ => {}
    }
    let mut keep = vec![false; block.insts.len()];
    for (i, inst) in block.insts.iter().enumerate().rev() {
        if has_effects(inst.op) || (!inst.dst.is_none() && used[inst.dst.index()]) {
            keep[i] = true;
            for a in inst.args.iter().filter(|a| !a.is_none()) {
                used[a.index()] = true;
            }
        }
    }
    let mut map = vec![Value::NONE; block.num_values as usize];
    let mut next = 0u32;
    let mut insts = Vec::with_capacity(block.insts.len());
    for (inst, k) in block.insts.iter().zip(keep) {
        if k {
            let mut inst = *inst;
            if !inst.dst.is_none() {
                map[inst.dst.index()] = Value(next);
                inst.dst = Value(next);
                next += 1;
            }
            insts.push(inst);
        }
    }
    block.insts = insts;
    block.num_values = next;
    rename(block, &map);
}
