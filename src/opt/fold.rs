//! Constant folding: an instruction whose arguments are all constants and
//! whose result the interpreter can compute without effects becomes a `Const`.
//! The interpreter's own semantics are used, so folding can never disagree
//! with execution.

use crate::backend::interp::eval_pure;
use crate::ir::{Block, Op};

pub fn fold_constants(block: &mut Block) {
    let mut consts: Vec<Option<u64>> = vec![None; block.num_values as usize];
    for inst in &mut block.insts {
        if inst.op == Op::Const {
            consts[inst.dst.index()] = Some(inst.imm);
            continue;
        }
        if super::has_effects(inst.op) || inst.op == Op::GetReg || inst.dst.is_none() {
            continue;
        }
        let mut vals = [0u64; 4];
        let mut all_const = true;
        for (k, a) in inst.args.iter().enumerate().take(inst.op.num_args()) {
            match consts[a.index()] {
                Some(c) => vals[k] = c,
                None => all_const = false,
            }
        }
        if !all_const {
            continue;
        }
        if let Some(v) = eval_pure(inst.op, vals, inst.imm) {
            consts[inst.dst.index()] = Some(v);
            inst.op = Op::Const;
            inst.args = [crate::ir::Value::NONE; 4];
            inst.imm = v;
        }
    }
}

/// `x + 0`, `x | 0`, `x ^ 0`, `x - 0` and 64-bit shifts by 0 are `x` itself
/// (riscv `mv` is `addi rd, rs, 0`): their uses are renamed to `x`, and
/// dead-code elimination then drops them.
pub fn drop_identities(block: &mut Block) {
    let mut consts: Vec<Option<u64>> = vec![None; block.num_values as usize];
    let mut alias: Vec<crate::ir::Value> = (0..block.num_values).map(crate::ir::Value).collect();
    for inst in &block.insts {
        if inst.op == Op::Const {
            consts[inst.dst.index()] = Some(inst.imm);
            continue;
        }
        let [x, y, ..] = inst.args;
        let is_zero = |v: crate::ir::Value| !v.is_none() && consts[v.index()] == Some(0);
        let same = match inst.op {
            Op::Add | Op::Or | Op::Xor if is_zero(y) => Some(x),
            Op::Add | Op::Or | Op::Xor if is_zero(x) => Some(y),
            Op::Sub | Op::Shl | Op::LShr | Op::AShr if is_zero(y) => Some(x),
            _ => None,
        };
        if let Some(src) = same {
            alias[inst.dst.index()] = alias[src.index()];
        }
    }
    super::rename(block, &alias);
}
