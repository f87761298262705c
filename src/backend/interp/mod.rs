//! The IR interpreter: the portable backend and the reference semantics
//! every other backend is checked against.
//!
//! It executes one block at a time over a values array. Guest memory is
//! reached directly at `guest_base + addr` (no software check beyond the
//! address-space bound): a host fault inside a block is caught by the
//! engine's `mem::guarded` wrapper, which reads the faulting instruction's
//! pc from [`Machine::insn_pc`]. Nothing here may hold a lock or own a value
//! with a destructor while touching guest memory (a fault unwinds by longjmp).

use crate::ir::{Block, Cond, ExitReason, FenceKind, Helper, Inst, MemOp, Op, RmwOp, Terminator};

/// A block prepared for the interpreter: constants are loaded into the value
/// array up front instead of being dispatched one by one.
pub struct Code {
    /// Guest pc and size of the block (for invalidation).
    pub pc: u64,
    pub size: u64,
    consts: Vec<(u32, u64)>,
    insts: Vec<Inst>,
    term: Terminator,
    num_values: u32,
}

/// Prepares `block` for [`Machine::run`].
pub fn compile(block: &Block) -> Code {
    let (consts, insts): (Vec<&Inst>, Vec<&Inst>) =
        block.insts.iter().partition(|i| i.op == Op::Const);
    Code {
        pc: block.pc,
        size: block.size,
        consts: consts.iter().map(|i| (i.dst.0, i.imm)).collect(),
        insts: insts.into_iter().copied().collect(),
        term: block.term,
        num_values: block.num_values,
    }
}
use std::sync::atomic::{self, Ordering::SeqCst};

/// Where a block execution ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockExit {
    /// Go on with the block at this pc.
    Next(u64),
    /// Leave for the engine; the guest resumes at (or reports) `pc`.
    Exit(ExitReason, u64),
    /// A memory access outside the guest address space, or a misaligned
    /// atomic: the instruction at `pc` faults on `addr`.
    BadAccess {
        pc: u64,
        addr: u64,
        misaligned: bool,
    },
}

/// What the interpreter needs besides the block: where guest state and memory live.
pub struct Machine {
    /// The guest CPU state `GetReg`/`SetReg` offsets point into.
    pub state: *mut u8,
    /// Host address of guest address 0.
    pub guest_base: *mut u8,
    /// Size of the guest address space: accesses at or beyond it fault.
    pub guest_size: u64,
    /// pc of the guest instruction being executed (for precise faults).
    pub insn_pc: u64,
    values: Vec<u64>,
}

impl Machine {
    pub fn new(state: *mut u8, guest_base: *mut u8, guest_size: u64) -> Machine {
        Machine {
            state,
            guest_base,
            guest_size,
            insn_pc: 0,
            values: Vec::with_capacity(256),
        }
    }

    /// Runs `block` once.
    ///
    /// # Safety
    /// `state` must point at a live guest CPU state that the block's offsets
    /// fit in, `guest_base..+guest_size` must be the reserved guest space,
    /// and the call must happen inside `mem::guarded` (guest accesses can fault).
    pub unsafe fn run(&mut self, block: &Code) -> BlockExit {
        if self.values.len() < block.num_values as usize {
            self.values.resize(block.num_values as usize, 0);
        }
        for &(v, c) in &block.consts {
            *self.values.get_unchecked_mut(v as usize) = c;
        }
        for inst in &block.insts {
            let v = match self.exec(inst) {
                Ok(v) => v,
                Err((addr, misaligned)) => {
                    return BlockExit::BadAccess {
                        pc: self.insn_pc,
                        addr,
                        misaligned,
                    }
                }
            };
            if !inst.dst.is_none() {
                *self.values.get_unchecked_mut(inst.dst.index()) = v;
            }
        }
        match block.term {
            Terminator::Jump(pc) => BlockExit::Next(pc),
            Terminator::Branch {
                cond,
                taken,
                not_taken,
            } => BlockExit::Next(if self.values[cond.index()] != 0 {
                taken
            } else {
                not_taken
            }),
            Terminator::Indirect { target, .. } => BlockExit::Next(self.values[target.index()]),
            Terminator::Exit { reason, pc } => BlockExit::Exit(reason, pc),
        }
    }

    #[inline(always)]
    fn arg(&self, inst: &Inst, i: usize) -> u64 {
        let v = inst.args[i];
        if v.is_none() {
            0
        } else {
            // SAFETY: the verifier guarantees arguments are defined values.
            unsafe { *self.values.get_unchecked(v.index()) }
        }
    }

    /// Host pointer for a guest access, or the faulting address.
    #[inline(always)]
    fn host(&self, addr: u64, size: u64) -> Result<*mut u8, (u64, bool)> {
        match addr.checked_add(size) {
            Some(end) if end <= self.guest_size => Ok(self.guest_base.wrapping_add(addr as usize)),
            _ => Err((addr, false)),
        }
    }

    /// Executes one instruction; `Err((addr, misaligned))` for a bad access.
    #[inline(always)]
    unsafe fn exec(&mut self, inst: &Inst) -> Result<u64, (u64, bool)> {
        let a = self.arg(inst, 0);
        let b = self.arg(inst, 1);
        let state = self.state;
        Ok(match inst.op {
            Op::Const => inst.imm,
            Op::GetReg => (state.add(inst.imm as usize) as *const u64).read_unaligned(),
            Op::SetReg => {
                (state.add(inst.imm as usize) as *mut u64).write_unaligned(a);
                0
            }
            Op::InsnStart => {
                self.insn_pc = inst.imm;
                0
            }
            Op::Select => {
                if a != 0 {
                    b
                } else {
                    self.arg(inst, 2)
                }
            }
            Op::Load => {
                let m = MemOp::from_imm(inst.imm);
                let p = self.host(a, m.size())?;
                let raw = match m.log2_size {
                    0 => p.read() as u64,
                    1 => (p as *const u16).read_unaligned() as u64,
                    2 => (p as *const u32).read_unaligned() as u64,
                    _ => (p as *const u64).read_unaligned(),
                };
                extend(raw, m)
            }
            Op::Store => {
                let m = MemOp::from_imm(inst.imm);
                let p = self.host(a, m.size())?;
                match m.log2_size {
                    0 => p.write(b as u8),
                    1 => (p as *mut u16).write_unaligned(b as u16),
                    2 => (p as *mut u32).write_unaligned(b as u32),
                    _ => (p as *mut u64).write_unaligned(b),
                }
                0
            }
            Op::AtomicRmw => {
                let (op, m) = RmwOp::from_imm(inst.imm);
                let p = self.aligned(a, m)?;
                extend(atomic_rmw(op, m, p, b), m)
            }
            Op::AtomicCas => {
                let m = MemOp::from_imm(inst.imm);
                let p = self.aligned(a, m)?;
                extend(atomic_cas(m, p, b, self.arg(inst, 2)), m)
            }
            Op::AtomicCas128 => {
                let p = self.aligned_to(a, 16)?;
                let pair = state.add(inst.imm as usize) as *mut u64;
                let expected =
                    pair.read_unaligned() as u128 | (pair.add(1).read_unaligned() as u128) << 64;
                let new = b as u128 | (self.arg(inst, 2) as u128) << 64;
                let old = atomic_cas128(p as *mut u128, expected, new);
                pair.write_unaligned(old as u64);
                pair.add(1).write_unaligned((old >> 64) as u64);
                (old == expected) as u64
            }
            Op::CheckAlign => {
                if a & ((1 << inst.imm) - 1) != 0 {
                    return Err((a, true));
                }
                0
            }
            Op::Fence => {
                if FenceKind::from_imm(inst.imm) == FenceKind::Full {
                    atomic::fence(SeqCst);
                }
                0
            }
            Op::Call => {
                let helper = Helper::from_imm(inst.imm);
                (helper.func)(state, a, b, self.arg(inst, 2), self.arg(inst, 3))
            }
            // SAFETY: every other opcode is pure and handled by eval_pure.
            op => eval_pure(op, [a, b, 0, 0], inst.imm)
                .unwrap_or_else(|| std::hint::unreachable_unchecked()),
        })
    }

    fn aligned(&self, addr: u64, m: MemOp) -> Result<*mut u8, (u64, bool)> {
        self.aligned_to(addr, m.size())
    }

    fn aligned_to(&self, addr: u64, size: u64) -> Result<*mut u8, (u64, bool)> {
        if addr & (size - 1) != 0 {
            return Err((addr, true));
        }
        self.host(addr, size)
    }
}

/// Result of a pure opcode (no memory, state or helper access) on constant
/// arguments; `None` for opcodes that are not pure. Shared by execution and
/// constant folding so the two can never disagree.
#[inline(always)]
pub fn eval_pure(op: Op, args: [u64; 4], imm: u64) -> Option<u64> {
    let [a, b, c, _] = args;
    Some(match op {
        Op::Add => a.wrapping_add(b),
        Op::Sub => a.wrapping_sub(b),
        Op::Mul => a.wrapping_mul(b),
        Op::MulHS => ((a as i64 as i128 * b as i64 as i128) >> 64) as u64,
        Op::MulHU => ((a as u128 * b as u128) >> 64) as u64,
        Op::MulHSU => ((a as i64 as i128).wrapping_mul(b as u128 as i128) >> 64) as u64,
        Op::DivS => (a as i64)
            .checked_div(b as i64)
            .map_or(if b == 0 { 0 } else { a }, |q| q as u64),
        Op::DivU => a.checked_div(b).unwrap_or(0),
        Op::RemS => {
            if b == 0 {
                a
            } else {
                (a as i64).wrapping_rem(b as i64) as u64
            }
        }
        Op::RemU => a.checked_rem(b).unwrap_or(a),
        Op::DivS32 => {
            let (x, y) = (a as i32, b as i32);
            (if y == 0 { 0 } else { x.wrapping_div(y) }) as u32 as u64
        }
        Op::DivU32 => (a as u32).checked_div(b as u32).unwrap_or(0) as u64,
        Op::RemS32 => {
            let (x, y) = (a as i32, b as i32);
            (if y == 0 { x } else { x.wrapping_rem(y) }) as u32 as u64
        }
        Op::RemU32 => (a as u32).checked_rem(b as u32).unwrap_or(a as u32) as u64,
        Op::And => a & b,
        Op::Or => a | b,
        Op::Xor => a ^ b,
        Op::Not => !a,
        Op::Neg => a.wrapping_neg(),
        Op::Shl => a << (b & 63),
        Op::LShr => a >> (b & 63),
        Op::AShr => ((a as i64) >> (b & 63)) as u64,
        Op::Rotl => a.rotate_left((b & 63) as u32),
        Op::Rotr => a.rotate_right((b & 63) as u32),
        Op::Shl32 => ((a as u32) << (b & 31)) as u64,
        Op::LShr32 => ((a as u32) >> (b & 31)) as u64,
        Op::AShr32 => ((a as i32) >> (b & 31)) as u32 as u64,
        Op::Rotl32 => (a as u32).rotate_left((b & 31) as u32) as u64,
        Op::Rotr32 => (a as u32).rotate_right((b & 31) as u32) as u64,
        Op::Clz => a.leading_zeros() as u64,
        Op::Ctz => a.trailing_zeros() as u64,
        Op::Popcount => a.count_ones() as u64,
        Op::Clz32 => (a as u32).leading_zeros() as u64,
        Op::Ctz32 => (a as u32).trailing_zeros() as u64,
        Op::Bswap => a.swap_bytes(),
        Op::SExt8 => a as i8 as i64 as u64,
        Op::SExt16 => a as i16 as i64 as u64,
        Op::SExt32 => a as i32 as i64 as u64,
        Op::ZExt8 => a as u8 as u64,
        Op::ZExt16 => a as u16 as u64,
        Op::ZExt32 => a as u32 as u64,
        Op::Cmp => Cond::from_imm(imm).eval(a, b) as u64,
        Op::Select => {
            if a != 0 {
                b
            } else {
                c
            }
        }
        _ => return None,
    })
}

fn extend(raw: u64, m: MemOp) -> u64 {
    match (m.log2_size, m.signed) {
        (0, true) => raw as i8 as i64 as u64,
        (1, true) => raw as i16 as i64 as u64,
        (2, true) => raw as i32 as i64 as u64,
        (0, false) => raw as u8 as u64,
        (1, false) => raw as u16 as u64,
        (2, false) => raw as u32 as u64,
        _ => raw,
    }
}

macro_rules! rmw_width {
    ($atomic:ty, $int:ty, $sint:ty, $satomic:ty, $op:expr, $p:expr, $v:expr) => {{
        let a = &*($p as *const $atomic);
        let v = $v as $int;
        let s = &*($p as *const $satomic);
        (match $op {
            RmwOp::Xchg => a.swap(v, SeqCst),
            RmwOp::Add => a.fetch_add(v, SeqCst),
            RmwOp::And => a.fetch_and(v, SeqCst),
            RmwOp::Or => a.fetch_or(v, SeqCst),
            RmwOp::Xor => a.fetch_xor(v, SeqCst),
            RmwOp::MinU => a.fetch_min(v, SeqCst),
            RmwOp::MaxU => a.fetch_max(v, SeqCst),
            RmwOp::MinS => s.fetch_min(v as $sint, SeqCst) as $int,
            RmwOp::MaxS => s.fetch_max(v as $sint, SeqCst) as $int,
        }) as u64
    }};
}

/// Atomic read-modify-write on naturally aligned host memory; returns the old value (zero-extended).
unsafe fn atomic_rmw(op: RmwOp, m: MemOp, p: *mut u8, v: u64) -> u64 {
    use atomic::*;
    match m.log2_size {
        0 => rmw_width!(AtomicU8, u8, i8, AtomicI8, op, p, v),
        1 => rmw_width!(AtomicU16, u16, i16, AtomicI16, op, p, v),
        2 => rmw_width!(AtomicU32, u32, i32, AtomicI32, op, p, v),
        _ => rmw_width!(AtomicU64, u64, i64, AtomicI64, op, p, v),
    }
}

/// Atomic compare-and-swap; returns the old value (zero-extended).
unsafe fn atomic_cas(m: MemOp, p: *mut u8, expected: u64, new: u64) -> u64 {
    use atomic::*;
    macro_rules! cas {
        ($atomic:ty, $int:ty) => {{
            let a = &*(p as *const $atomic);
            match a.compare_exchange(expected as $int, new as $int, SeqCst, SeqCst) {
                Ok(old) | Err(old) => old as u64,
            }
        }};
    }
    match m.log2_size {
        0 => cas!(AtomicU8, u8),
        1 => cas!(AtomicU16, u16),
        2 => cas!(AtomicU32, u32),
        _ => cas!(AtomicU64, u64),
    }
}

/// 16-byte compare-and-swap on aligned host memory; returns the old value.
/// (`lock cmpxchg16b`, which every x86-64 this runs on has; rbx, which it
/// needs, is reserved by the compiler, so the new low half visits it.)
#[cfg(target_arch = "x86_64")]
unsafe fn atomic_cas128(p: *mut u128, expected: u128, new: u128) -> u128 {
    let (mut lo, mut hi) = (expected as u64, (expected >> 64) as u64);
    std::arch::asm!(
        "xchg rbx, {new_lo}",
        "lock cmpxchg16b [{p}]",
        "xchg rbx, {new_lo}",
        p = in(reg) p,
        new_lo = inout(reg) new as u64 => _,
        in("rcx") (new >> 64) as u64,
        inout("rax") lo,
        inout("rdx") hi,
        options(nostack),
    );
    lo as u128 | (hi as u128) << 64
}

/// 16-byte compare-and-swap without a host instruction for it: under one
/// global lock (taken after a probing write-capable access of the first
/// word, so a guest fault never unwinds with the lock held). Atomic against
/// other 128-bit compare-and-swaps; plain guest stores may interleave.
#[cfg(not(target_arch = "x86_64"))]
unsafe fn atomic_cas128(p: *mut u128, expected: u128, new: u128) -> u128 {
    use atomic::{AtomicBool, AtomicU64};
    static LOCK: AtomicBool = AtomicBool::new(false);
    let words = p as *const AtomicU64;
    (*words).fetch_or(0, SeqCst);
    (*words.add(1)).fetch_or(0, SeqCst);
    while LOCK.swap(true, SeqCst) {
        std::hint::spin_loop();
    }
    let old = (*words).load(SeqCst) as u128 | ((*words.add(1)).load(SeqCst) as u128) << 64;
    if old == expected {
        (*words).store(new as u64, SeqCst);
        (*words.add(1)).store((new >> 64) as u64, SeqCst);
    }
    LOCK.store(false, SeqCst);
    old
}

#[cfg(test)]
mod tests;
