//! Code made for a debugger: one guest instruction per block (so the
//! engine regains control between any two instructions, for breakpoints and
//! single steps) with every memory access recorded (for watchpoints). The
//! recording is an IR helper call before each access, so both backends
//! record the same accesses.

use crate::ir::{Block, Helper, Inst, MemOp, Op, RmwOp, Value};
use std::cell::Cell;

/// A guest memory access of the instruction that just ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub addr: u64,
    pub len: u64,
    pub read: bool,
    pub write: bool,
}

/// Accesses one instruction can make (an AMO is one, read and written).
const MAX_ACCESSES: usize = 4;

thread_local! {
    static ACCESSES: Cell<([Access; MAX_ACCESSES], usize)> = const {
        Cell::new(([Access { addr: 0, len: 0, read: false, write: false }; MAX_ACCESSES], 0))
    };
}

const READ: u64 = 1 << 8;
const WRITE: u64 = 1 << 9;

/// `record(state, addr, kind)`: kind is log2 size | READ | WRITE.
unsafe extern "C" fn record(_state: *mut u8, addr: u64, kind: u64, _: u64, _: u64) -> u64 {
    ACCESSES.with(|a| {
        let (mut list, n) = a.get();
        if n < MAX_ACCESSES {
            list[n] = Access {
                addr,
                len: 1 << (kind & 7),
                read: kind & READ != 0,
                write: kind & WRITE != 0,
            };
            a.set((list, n + 1));
        }
    });
    0
}

static RECORD: Helper = Helper {
    name: "debug_record_access",
    func: record,
    fp: None,
};

/// The accesses recorded since the last call (by this thread).
pub fn take_accesses() -> Vec<Access> {
    ACCESSES.with(|a| {
        let (list, n) = a.get();
        a.set((list, 0));
        list[..n].to_vec()
    })
}

/// Inserts a recording call before every memory access of `block`.
pub fn record_accesses(block: &mut Block) {
    let mut out = Vec::with_capacity(block.insts.len() + 8);
    for inst in block.insts.drain(..) {
        let kind = match inst.op {
            Op::Load => Some(MemOp::from_imm(inst.imm).log2_size as u64 | READ),
            Op::Store => Some(MemOp::from_imm(inst.imm).log2_size as u64 | WRITE),
            Op::AtomicRmw => Some(RmwOp::from_imm(inst.imm).1.log2_size as u64 | READ | WRITE),
            Op::AtomicCas => Some(MemOp::from_imm(inst.imm).log2_size as u64 | READ | WRITE),
            Op::AtomicCas128 => Some(4 | READ | WRITE),
            _ => None,
        };
        if let Some(kind) = kind {
            let k = Value(block.num_values);
            let r = Value(block.num_values + 1);
            block.num_values += 2;
            out.push(Inst {
                op: Op::Const,
                dst: k,
                args: [Value::NONE; 4],
                imm: kind,
            });
            out.push(Inst {
                op: Op::Call,
                dst: r,
                args: [inst.args[0], k, Value::NONE, Value::NONE],
                imm: RECORD.to_imm(),
            });
        }
        out.push(inst);
    }
    block.insts = out;
}
