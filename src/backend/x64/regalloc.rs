//! Per-block linear-scan register allocation of SSA values.
//!
//! Blocks are straight-line code, so a value's live interval is exactly
//! `[definition, last use]` and one pass in definition order is optimal
//! enough. Constants are not allocated (`Loc::Imm`): the lowering folds
//! them into immediates or materialises them in a scratch register.
//!
//! Fixed registers (never allocated): rbp = guest state, r15 = guest_base,
//! rsp = frame, and the lowering's scratch registers rax, rcx, rdx.
//! A value live across a `Call` (defined before it, used after it) gets a
//! callee-saved register or a spill slot; others prefer caller-saved ones.
//! A destination shares a register with an argument of its own instruction
//! only where `reusable_args` allows it (the argument dies there and the
//! lowering reads it before writing the result, as in `mov d, a; op d, b`
//! with the mov gone); otherwise arguments are freed only after the
//! instruction, which keeps the lowering free of aliasing hazards.
//!
//! Locations are fixed for a value's whole life (no splitting). When no
//! register is free, the live value used furthest away is evicted to a
//! *new* slot (a reused one might have been live earlier in its life), or —
//! cheapest — a `GetReg` value whose guest register is neither rewritten
//! nor exposed to a helper while it lives stays in the guest state
//! (`Loc::State`) and is read from there at each use. Unit tests check that
//! no two overlapping values share a register or slot.

use super::enc::Reg;
use crate::ir::{Block, Op, Terminator};

/// Where a value lives for its whole life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    /// A constant: folded into its uses.
    Imm(u64),
    Reg(Reg),
    /// A spill slot in the fixed frame (see `lower::slot`).
    Slot(u16),
    /// A `GetReg` value whose guest register is not written (and no helper
    /// runs) while it lives: it stays in the guest state, read at each use.
    State(u32),
    /// A `GetReg` value read from guest state offset `from` by instructions
    /// before index `at` (where `from` is rewritten), from `to` (a guest
    /// register it was copied to before) by the later ones.
    StateMoved {
        from: u32,
        to: u32,
        at: u32,
    },
    /// Not defined (unused value numbers).
    None,
}

/// Caller-saved registers available to values (clobbered by helper calls).
pub const CALLER_SAVED: [Reg; 6] = [Reg::Rsi, Reg::Rdi, Reg::R8, Reg::R9, Reg::R10, Reg::R11];
/// Callee-saved registers available to values (preserved across helper calls).
pub const CALLEE_SAVED: [Reg; 4] = [Reg::Rbx, Reg::R12, Reg::R13, Reg::R14];

/// Number of spill slots in the frame: one per IR instruction of the
/// largest block is always enough (a slot holds one value for its life).
pub const NUM_SLOTS: usize = crate::ir::MAX_BLOCK_INSTS;

/// Whether `op` may write guest state other than by `SetReg`: helper
/// calls, and a 128-bit compare-and-swap (the old value to its pair).
fn writes_state(op: Op) -> bool {
    matches!(op, Op::Call | Op::AtomicCas128)
}

/// A spill slot free from now on: a freed one or a new one.
fn take_slot(free: &mut Vec<u16>, next: &mut u16) -> u16 {
    free.pop().unwrap_or_else(|| {
        *next += 1;
        assert!(
            (*next as usize) <= NUM_SLOTS,
            "block needs too many spill slots"
        );
        *next - 1
    })
}

/// The arguments of `op` whose register its result may take over when they
/// die at it. The lowering must read them before it writes the result; for
/// the commutative operations it swaps its operands so the shared one comes
/// first.
pub fn reusable_args(op: Op) -> &'static [usize] {
    match op {
        Op::Add | Op::And | Op::Or | Op::Xor | Op::Mul => &[0, 1],
        Op::Sub
        | Op::Shl
        | Op::LShr
        | Op::AShr
        | Op::Rotl
        | Op::Rotr
        | Op::Shl32
        | Op::LShr32
        | Op::AShr32
        | Op::Rotl32
        | Op::Rotr32
        | Op::Not
        | Op::Neg
        | Op::Bswap
        | Op::SExt8
        | Op::SExt16
        | Op::SExt32
        | Op::ZExt8
        | Op::ZExt16
        | Op::ZExt32
        | Op::Cmp
        | Op::Load => &[0],
        _ => &[],
    }
}

/// Assigns a location to every value of `block`; `end_uses` are values the
/// terminator reads besides its own operand (a fused compare's operands).
pub fn allocate(block: &Block, end_uses: &[crate::ir::Value]) -> Vec<Loc> {
    let n = block.num_values as usize;
    let end = block.insts.len();
    let mut last_use = vec![usize::MAX; n];
    // Values used once, as the second operand of an ALU operation or a
    // compare: x86 can read them from memory at no extra cost.
    let mut uses = vec![0u32; n];
    let mut memory_operand = vec![true; n];
    for (i, inst) in block.insts.iter().enumerate() {
        for (k, a) in inst.args.iter().enumerate().filter(|(_, a)| !a.is_none()) {
            last_use[a.index()] = i;
            uses[a.index()] += 1;
            memory_operand[a.index()] &= k == 1
                && matches!(
                    inst.op,
                    Op::Add | Op::Sub | Op::And | Op::Or | Op::Xor | Op::Cmp
                );
        }
    }
    let term_use = match block.term {
        Terminator::Branch { cond, .. } => Some(cond),
        Terminator::Indirect { target, .. } => Some(target),
        _ => None,
    };
    for &v in term_use.iter().chain(end_uses) {
        last_use[v.index()] = end;
        uses[v.index()] += 1;
    }
    // The fused compare's second operand (end_uses[1]) may be memory.
    for &v in term_use.iter().chain(end_uses.first()) {
        memory_operand[v.index()] = false;
    }
    let calls: Vec<usize> = (0..end)
        .filter(|&i| block.insts[i].op == Op::Call)
        .collect();
    // GetReg values that can live in the guest state: no SetReg of the same
    // offset and no helper call between definition and last use. A value
    // copied to another guest register b (`SetReg v, b`) before its own
    // home a is rewritten may move there: read from a before that point,
    // from b after it, if b keeps it to the end.
    let mut in_state: Vec<Option<Loc>> = vec![None; n];
    let clobbers = |range: std::ops::Range<usize>, off: u64| {
        block.insts[range]
            .iter()
            .any(|j| writes_state(j.op) || (j.op == Op::SetReg && j.imm == off))
    };
    for (i, inst) in block.insts.iter().enumerate() {
        let v = inst.dst;
        if inst.op != Op::GetReg || last_use[v.index()] == usize::MAX {
            continue;
        }
        let last = last_use[v.index()].min(end);
        let Some(c) = (i + 1..last).find(|&k| clobbers(k..k + 1, inst.imm)) else {
            in_state[v.index()] = Some(Loc::State(inst.imm as u32));
            continue;
        };
        if writes_state(block.insts[c].op) {
            continue;
        }
        let moved = (i + 1..c).find(|&j| {
            let s = block.insts[j];
            s.op == Op::SetReg && s.args[0] == v && !clobbers(j + 1..last.max(j + 1), s.imm)
        });
        if let Some(j) = moved {
            in_state[v.index()] = Some(Loc::StateMoved {
                from: inst.imm as u32,
                to: block.insts[j].imm as u32,
                at: c as u32,
            });
        }
    }

    let mut locs = vec![Loc::None; n];
    let mut free_caller: Vec<Reg> = CALLER_SAVED.iter().rev().copied().collect();
    let mut free_callee: Vec<Reg> = CALLEE_SAVED.iter().rev().copied().collect();
    let mut free_slots: Vec<u16> = Vec::new();
    let mut next_slot = 0u16;
    // (last use, value) of values holding a register or slot.
    let mut active: Vec<(usize, usize)> = Vec::new();

    for (i, inst) in block.insts.iter().enumerate() {
        if inst.dst.is_none() {
            continue;
        }
        let v = inst.dst.index();
        if inst.op == Op::Const {
            locs[v] = Loc::Imm(inst.imm);
            continue;
        }
        if let Some(home) = in_state[v].filter(|_| uses[v] == 1 && memory_operand[v]) {
            locs[v] = home;
            continue;
        }
        // Free what died before this instruction.
        active.retain(|&(last, w)| {
            if last < i {
                match locs[w] {
                    Loc::Reg(r) if CALLEE_SAVED.contains(&r) => free_callee.push(r),
                    Loc::Reg(r) => free_caller.push(r),
                    Loc::Slot(s) => free_slots.push(s),
                    _ => {}
                }
                false
            } else {
                true
            }
        });
        let last = if last_use[v] == usize::MAX {
            i
        } else {
            last_use[v]
        };
        let crosses_call = calls.iter().any(|&c| i < c && c < last);
        // Take over the register of an argument dying here, if allowed.
        let reused = reusable_args(inst.op).iter().find_map(|&k| {
            let a = inst.args[k];
            if a.is_none() {
                return None;
            }
            match locs[a.index()] {
                Loc::Reg(r)
                    if last_use[a.index()] == i && (!crosses_call || CALLEE_SAVED.contains(&r)) =>
                {
                    Some((a.index(), r))
                }
                _ => None,
            }
        });
        if let Some((a, r)) = reused {
            active.retain(|&(_, w)| w != a);
            locs[v] = Loc::Reg(r);
            active.push((last, v));
            continue;
        }
        let reg = if crosses_call {
            free_callee.pop()
        } else {
            free_caller.pop().or_else(|| free_callee.pop())
        };
        locs[v] = match reg {
            Some(r) => Loc::Reg(r),
            None => {
                // No register free: the live value whose last use is
                // furthest away goes to a slot for its whole life (its
                // register was its alone since its definition), if that is
                // further than ours. (Spilling the fewest-used value instead
                // measured slower: short-lived temporaries then go through
                // memory on the critical path, long-lived values are only
                // read back, off it.)
                // Values that can stay in the guest state cost nothing to
                // spill: they go first.
                let victim = active
                    .iter()
                    .filter(|&&(_, w)| match locs[w] {
                        Loc::Reg(r) => !crosses_call || CALLEE_SAVED.contains(&r),
                        _ => false,
                    })
                    .max_by_key(|&&(end, w)| (in_state[w].is_some(), end))
                    .copied();
                match victim {
                    Some((end, w))
                        if in_state[w].is_some() && in_state[v].is_none()
                            || end > last && (next_slot as usize) < NUM_SLOTS =>
                    {
                        let r = locs[w];
                        // The victim needs a slot free over its whole life,
                        // so never one freed since its definition: a new one.
                        locs[w] = match in_state[w] {
                            Some(home) => home,
                            None => {
                                next_slot += 1;
                                Loc::Slot(next_slot - 1)
                            }
                        };
                        r
                    }
                    _ => match in_state[v] {
                        Some(home) => home,
                        None => Loc::Slot(take_slot(&mut free_slots, &mut next_slot)),
                    },
                }
            }
        };
        active.push((last, v));
    }
    #[cfg(test)]
    {
        let mut def = vec![usize::MAX; n];
        for (i, inst) in block.insts.iter().enumerate() {
            if !inst.dst.is_none() {
                def[inst.dst.index()] = i;
            }
        }
        for a in 0..n {
            for b in a + 1..n {
                let same_home = match (locs[a], locs[b]) {
                    (Loc::Reg(ra), Loc::Reg(rb)) => ra == rb,
                    (Loc::Slot(sa), Loc::Slot(sb)) => sa == sb,
                    _ => false,
                };
                if same_home {
                    let ea = if last_use[a] == usize::MAX {
                        def[a]
                    } else {
                        last_use[a]
                    };
                    let eb = if last_use[b] == usize::MAX {
                        def[b]
                    } else {
                        last_use[b]
                    };
                    // Touching ends are allowed where the later value's
                    // instruction may reuse the earlier one's register.
                    let reuse = |early: usize, e_end: usize, late: usize| {
                        e_end == def[late]
                            && block.insts[def[late]]
                                .args
                                .iter()
                                .enumerate()
                                .any(|(k, x)| {
                                    x.index() == early
                                        && reusable_args(block.insts[def[late]].op).contains(&k)
                                })
                    };
                    let overlap =
                        def[a] <= eb && def[b] <= ea && !reuse(a, ea, b) && !reuse(b, eb, a);
                    assert!(
                        !overlap,
                        "v{a} [{}, {ea}] and v{b} [{}, {eb}] share {:?}",
                        def[a], def[b], locs[a]
                    );
                }
            }
        }
    }
    locs
}
