//! Lowering: one IR block → x86-64 code for one host "function" entered by
//! the runtime's entry trampoline (see `mod.rs` for the frame and the exit
//! protocol).
//!
//! Conventions inside block code: rbp = guest CPU state, r15 = guest_base
//! (guest memory is `[r15 + addr]`, no software check), rsp = the fixed
//! frame (16-byte aligned, so helper calls need no adjustment); rax, rcx,
//! rdx and r11 are scratch; every other register holds SSA values as
//! `regalloc` decided. Semantics follow `backend::interp` exactly (it is the
//! oracle the tests compare against).
//!
//! Precise faults: every `InsnStart` records (host offset, guest pc) in
//! `insn_map`; a host fault at a host pc maps to the last entry before it.
//! Guest registers are written through to the state immediately, so the
//! state is exact at any faulting instruction.

use super::enc::*;
use super::regalloc::{allocate, Loc};
use super::{
    Features, EXIT_CHAIN, EXIT_INTERRUPT, EXIT_MISALIGNED, EXIT_NEXT, EXIT_RETURN, JUMP_TABLE_MASK,
};
use crate::ir::{
    vector, Block, Cond, ExitReason, FenceKind, FpFlavor, FpInline, FpOp, Helper, IndirectKind,
    Inst, MemOp, Op, RmwOp, Terminator, Value,
};

/// Offset of the exit-info pointer in the frame.
pub const FRAME_OUT: i32 = 0;
/// Offset of the helper-call argument temporaries.
const FRAME_ARGS: i32 = 8;
/// Offset of the return-address stack: `RAS_ENTRIES` addresses of call
/// sites' return cells, indexed by bits 3.. of the guest stack pointer,
/// which a return finds as its call left it. No top index, so calls and
/// returns do not wait on each other. A return cell is 16 bytes after the
/// call site's code: the host address to continue at, then the guest return
/// pc. The host address is the return block once the engine has filled it
/// (exit `EXIT_RETURN`), until then the stub right after the cell that
/// leaves to have it filled. The entry trampoline points every entry at a
/// cell whose pc (1) matches no jump target, so the stack lives for one run
/// of translated code and never outlives a flush.
pub const FRAME_RAS: i32 = 40;
/// Bytes of a return cell: (host code, guest pc).
pub const RETURN_CELL_SIZE: usize = 16;
pub const RAS_ENTRIES: i32 = 32;
/// Offset of the address of the calling thread's inline jump cache
/// (`JUMP_TABLE_MASK + 1` entries of (guest pc, host code)): per thread, as
/// the code is shared.
pub const FRAME_JUMP_TABLE: i32 = FRAME_RAS + 8 * RAS_ENTRIES;
/// Offset of spill slot 0 (after the jump table address and a pad word).
const FRAME_SLOTS: i32 = FRAME_JUMP_TABLE + 16;
/// Frame size below the pushed callee-saved registers: ≡ 8 (mod 16) so rsp
/// is 16-byte aligned after the return address and six pushes.
pub const FRAME_SIZE: i32 = FRAME_SLOTS + 8 * super::regalloc::NUM_SLOTS as i32;
const _: () = assert!(FRAME_SIZE % 16 == 8);

/// MXCSR for each static rounding mode 0..=3 (RNE RTZ RDN RUP → x86 RC 0 3
/// 1 2), all exceptions masked, DAZ/FTZ off, status clear. Entry 0 is also
/// the host default restored afterwards.
static MXCSR_OF_RM: [u32; 4] = [0x1f80, 0x1f80 | 3 << 13, 0x1f80 | 1 << 13, 0x1f80 | 2 << 13];

/// MXCSR status bits (IE DE ZE OE UE PE in bits 0..=5) → RISC-V fflags
/// (NV DZ OF UF NX = 16 8 4 2 1); DE (denormal operand) has no counterpart.
static FFLAGS_OF_MXCSR: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = ((i & 1) << 4 | (i & 4) << 1 | (i & 8) >> 1 | (i & 16) >> 3 | (i & 32) >> 5) as u8;
        i += 1;
    }
    t
};

/// Canonical NaNs of the [`FpInline`] contract.
const CANON_S: u64 = 0x7fc0_0000;
const CANON_D: u64 = 0x7ff8_0000_0000_0000;

/// Where runtime pieces live (absolute host addresses).
#[derive(Clone, Copy)]
pub struct Runtime {
    /// The common exit: rax = exit kind, rdx = guest pc, rcx = extra.
    pub epilogue: usize,
    /// Offset of the guest stack pointer in the CPU state.
    pub sp_offset: i32,
    /// Offset of the 32-bit exit request in the CPU state: every block
    /// leaves first (`EXIT_INTERRUPT`) when it is not 0 (a signal arrived).
    pub exit_request_offset: i32,
}

/// A lowered block, assembled for the address it was lowered for.
pub struct Lowered {
    pub code: Vec<u8>,
    /// (host offset, guest pc) at each `InsnStart`, in offset order.
    pub insn_map: Vec<(u32, u64)>,
}

/// A source operand as x86 can take it.
#[derive(Clone, Copy)]
enum Operand {
    Imm(i32),
    Reg(Reg),
    Mem(Mem),
}

fn slot(s: u16) -> Mem {
    Mem::base(Reg::Rsp, FRAME_SLOTS + 8 * s as i32)
}

fn cond_cc(c: Cond) -> Cc {
    match c {
        Cond::Eq => Cc::E,
        Cond::Ne => Cc::Ne,
        Cond::LtS => Cc::L,
        Cond::GeS => Cc::Ge,
        Cond::LtU => Cc::B,
        Cond::GeU => Cc::Ae,
        Cond::GtS => Cc::G,
        Cond::LeS => Cc::Le,
        Cond::GtU => Cc::A,
        Cond::LeU => Cc::Be,
    }
}

/// Exit kind returned for `ExitReason`s.
pub fn reason_kind(r: ExitReason) -> u64 {
    16 + match r {
        ExitReason::Syscall => 0,
        ExitReason::Breakpoint => 1,
        ExitReason::IllegalInstruction => 2,
        ExitReason::FetchFault => 3,
        ExitReason::FlushICache => 4,
    }
}

pub fn kind_reason(k: u64) -> Option<ExitReason> {
    Some(match k.checked_sub(16)? {
        0 => ExitReason::Syscall,
        1 => ExitReason::Breakpoint,
        2 => ExitReason::IllegalInstruction,
        3 => ExitReason::FetchFault,
        4 => ExitReason::FlushICache,
        _ => return None,
    })
}

fn fits_i32(v: u64) -> Option<i32> {
    i32::try_from(v as i64).ok()
}

struct Lower<'a> {
    a: Asm,
    locs: Vec<Loc>,
    base: usize,
    rt: &'a Runtime,
    feat: Features,
    insn_map: Vec<(u32, u64)>,
    cur_pc: u64,
    /// Out-of-line misaligned-atomic exits: (label, guest pc).
    misaligned: Vec<(Label, u64)>,
    /// Per instruction: displacement folded into a Load/Store address.
    disp: Vec<i32>,
    /// A compare fused into the Branch terminator: (cond, a, b).
    fused: Option<(Cond, Value, Value)>,
    /// The spilled value the previous instruction left in rax (its result,
    /// just stored to its slot): a `SetReg` right after stores rax directly.
    rax_holds: Option<Value>,
    /// A call's return cell (after the code) and its guest return pc.
    return_cell: Option<(Label, u64)>,
    /// Index of the instruction being lowered (the terminator: one past the last).
    index: u32,
}

/// Peepholes on a copy of the block before allocation:
/// - `Load/Store(Add(x, c))` address `[r15 + x + c]` directly (the add
///   goes if nothing else uses it);
/// - a `Cmp` used only by the `Branch` right after it becomes `cmp; jcc`.
///
/// Returns the per-instruction displacements and the fused compare.
#[allow(clippy::needless_range_loop)] // instructions are rewritten in place
fn fold(block: &mut Block) -> (Vec<i32>, Option<(Cond, Value, Value)>) {
    let n = block.num_values as usize;
    let mut def = vec![usize::MAX; n];
    let mut uses = vec![0u32; n];
    for (i, inst) in block.insts.iter().enumerate() {
        if !inst.dst.is_none() {
            def[inst.dst.index()] = i;
        }
        for a in inst.args.iter().filter(|a| !a.is_none()) {
            uses[a.index()] += 1;
        }
    }
    match block.term {
        Terminator::Branch { cond: v, .. } | Terminator::Indirect { target: v, .. } => {
            uses[v.index()] += 1
        }
        _ => {}
    }
    let const_of = |insts: &[Inst], v: Value| -> Option<u64> {
        let d = def[v.index()];
        (d != usize::MAX && insts[d].op == Op::Const).then(|| insts[d].imm)
    };
    let mut disp = vec![0i32; block.insts.len()];
    for i in 0..block.insts.len() {
        let inst = block.insts[i];
        if !matches!(inst.op, Op::Load | Op::Store) {
            continue;
        }
        let addr = inst.args[0];
        let d = def[addr.index()];
        if d == usize::MAX || block.insts[d].op != Op::Add {
            continue;
        }
        let [x, y, ..] = block.insts[d].args;
        let (base, c) = match (const_of(&block.insts, x), const_of(&block.insts, y)) {
            (_, Some(c)) => (x, c),
            (Some(c), None) => (y, c),
            _ => continue,
        };
        let Ok(c) = i32::try_from(c as i64) else {
            continue;
        };
        if const_of(&block.insts, base).is_some() {
            continue;
        }
        block.insts[i].args[0] = base;
        disp[i] = c;
        uses[addr.index()] -= 1;
        uses[base.index()] += 1;
    }
    // A Select right after the Cmp it alone uses becomes cmp + cmov: the
    // Select takes the compare's operands, `imm` = 1 + its Cond.
    let mut fused_cmps = vec![false; block.insts.len()];
    for i in 1..block.insts.len() {
        let inst = block.insts[i];
        let c = block.insts[i - 1];
        if inst.op == Op::Select
            && c.op == Op::Cmp
            && inst.args[0] == c.dst
            && uses[c.dst.index()] == 1
        {
            block.insts[i].args = [c.args[0], c.args[1], inst.args[1], inst.args[2]];
            block.insts[i].imm = 1 + c.imm;
            fused_cmps[i - 1] = true;
        }
    }
    let mut fused = None;
    if let Terminator::Branch { cond, .. } = block.term {
        let d = def[cond.index()];
        if d != usize::MAX
            && d + 1 == block.insts.len()
            && block.insts[d].op == Op::Cmp
            && uses[cond.index()] == 1
        {
            let c = block.insts[d];
            fused = Some((Cond::from_imm(c.imm), c.args[0], c.args[1]));
            uses[c.args[0].index()] += 1;
            uses[c.args[1].index()] += 1;
        }
    }
    // Drop pure adds whose every use was folded (and the fused compare).
    let mut keep = Vec::with_capacity(block.insts.len());
    let mut kept_disp = Vec::with_capacity(block.insts.len());
    for (i, inst) in block.insts.iter().enumerate() {
        let dead = (matches!(
            inst.op,
            Op::Add | Op::Or | Op::Xor | Op::Sub | Op::Shl | Op::LShr | Op::AShr
        ) && uses[inst.dst.index()] == 0)
            || (fused.is_some() && i + 1 == block.insts.len() && inst.op == Op::Cmp)
            || fused_cmps[i];
        if dead {
            if inst.op != Op::Cmp {
                for a in inst.args.iter().filter(|a| !a.is_none()) {
                    uses[a.index()] -= 1;
                }
            }
        } else {
            keep.push(*inst);
            kept_disp.push(disp[i]);
        }
    }
    block.insts = keep;
    (kept_disp, fused)
}

/// A lane-wise vector operation as one SSE2 opcode: (opcode, operands
/// swapped, result negated) — n >= m is !(m > n).
fn lanewise_sse(args: vector::VecArgs) -> Option<(u8, bool, bool)> {
    use vector::VecOp as V;
    let by_size = |ops: [u8; 4]| (ops[args.size as usize] != 0).then_some(ops[args.size as usize]);
    let (ops, swap) = match args.op {
        V::Add => ([0xfc, 0xfd, 0xfe, 0xd4], false),
        V::Sub => ([0xf8, 0xf9, 0xfa, 0xfb], false),
        V::CmpEq => ([0x74, 0x75, 0x76, 0], false),
        V::CmpGtS => ([0x64, 0x65, 0x66, 0], false),
        V::CmpGeS => ([0x64, 0x65, 0x66, 0], true),
        V::MaxU => ([0xde, 0, 0, 0], false),
        V::MinU => ([0xda, 0, 0, 0], false),
        V::MaxS => ([0, 0xee, 0, 0], false),
        V::MinS => ([0, 0xea, 0, 0], false),
        _ => return None,
    };
    by_size(ops).map(|op| (op, swap, swap))
}

/// A shift by an immediate as SSE2's (opcode group, ModRM reg field):
/// 16/32/64-bit lanes (no 64-bit arithmetic shift).
fn shift_sse(args: vector::VecArgs) -> Option<(u8, u8)> {
    use vector::VecOp as V;
    let group = match args.size {
        1 => 0x71,
        2 => 0x72,
        3 => 0x73,
        _ => return None,
    };
    match args.op {
        V::ShiftLeft => Some((group, 6)),
        V::ShiftRightU => Some((group, 2)),
        V::ShiftRightS if args.size < 3 => Some((group, 4)),
        _ => None,
    }
}

/// Whether the JIT computes this [`vector::VECTOR`] operation inline.
pub fn inlines_vector(args: vector::VecArgs) -> bool {
    use vector::VecOp as V;
    shift_sse(args).is_some()
        || lanewise_sse(args).is_some()
        || matches!(
            (args.op, args.size),
            (
                V::CmpGeU | V::CmpGtU | V::AddPair | V::MaxPairU | V::MinPairU,
                0
            ) | (V::ShiftRightNarrow, 0 | 1)
                | (V::WidenU | V::WidenS, _)
        )
}

/// Lowers `block` to code that will be placed at host address `base`.
pub fn lower(block: &Block, base: usize, rt: &Runtime, feat: Features) -> Lowered {
    let mut block = block.clone();
    let (disp, fused) = fold(&mut block);
    let end_uses: Vec<Value> = fused.iter().flat_map(|&(_, a, b)| [a, b]).collect();
    let mut l = Lower {
        a: Asm::new(),
        locs: allocate(&block, &end_uses),
        base,
        rt,
        feat,
        insn_map: Vec::new(),
        cur_pc: block.pc,
        misaligned: Vec::new(),
        disp,
        fused,
        rax_holds: None,
        return_cell: None,
        index: 0,
    };
    let interrupt = l.a.label();
    l.a.alu_mi(
        Alu::Cmp,
        Size::D,
        Mem::base(Reg::Rbp, rt.exit_request_offset),
        0,
    );
    l.a.jcc(Cc::Ne, interrupt);
    for (i, inst) in block.insts.iter().enumerate() {
        l.index = i as u32;
        l.inst(inst, i);
    }
    l.index = block.insts.len() as u32;
    if let Some(ret) = block.call_return {
        l.push_return(ret);
    }
    l.terminator(&block.term);
    l.a.bind(interrupt);
    l.a.mov_ri(Reg::Rdx, block.pc);
    l.exit(EXIT_INTERRUPT);
    for (label, pc) in std::mem::take(&mut l.misaligned) {
        l.a.bind(label);
        // rdx holds the host address: the guest address is rdx - r15.
        l.a.mov_rr(Size::Q, Reg::Rcx, Reg::Rdx);
        l.a.alu_rr(Alu::Sub, Size::Q, Reg::Rcx, Reg::R15);
        l.a.mov_ri(Reg::Rdx, pc);
        l.exit(EXIT_MISALIGNED);
    }
    if let Some((cell, ret)) = l.return_cell {
        // The cell, initially pointing at the stub after it (rdx = pc).
        l.a.pad_to(8, 0);
        l.a.bind(cell);
        let stub = (base + l.a.pos() + RETURN_CELL_SIZE) as u64;
        l.a.buf.extend_from_slice(&stub.to_le_bytes());
        l.a.buf.extend_from_slice(&ret.to_le_bytes());
        l.a.lea_label(Reg::Rcx, cell);
        l.exit(EXIT_RETURN);
    }
    l.a.finish();
    Lowered {
        code: l.a.buf,
        insn_map: l.insn_map,
    }
}

impl Lower<'_> {
    /// Where `v` is for the instruction being lowered.
    fn loc(&self, v: Value) -> Loc {
        match self.locs[v.index()] {
            Loc::StateMoved { from, to, at } => Loc::State(if self.index < at { from } else { to }),
            l => l,
        }
    }

    /// Copies value `v` into register `r`.
    fn load_into(&mut self, r: Reg, v: Value) {
        match self.loc(v) {
            Loc::Reg(s) if s == r => {}
            Loc::Reg(s) => self.a.mov_rr(Size::Q, r, s),
            Loc::Imm(c) => self.a.mov_ri(r, c),
            Loc::Slot(s) => self.a.load(Size::Q, r, slot(s)),
            Loc::State(off) => self.a.load(Size::Q, r, Mem::base(Reg::Rbp, off as i32)),
            Loc::None | Loc::StateMoved { .. } => panic!("use of undefined value {v:?}"),
        }
    }

    /// `v` in a register: its own, or `scratch` loaded with it.
    fn reg_of(&mut self, v: Value, scratch: Reg) -> Reg {
        match self.loc(v) {
            Loc::Reg(r) => r,
            _ => {
                self.load_into(scratch, v);
                scratch
            }
        }
    }

    /// The register to compute `v` in: its own, or rax (then written back).
    fn dst_reg(&self, v: Value) -> Reg {
        match self.loc(v) {
            Loc::Reg(r) => r,
            _ => Reg::Rax,
        }
    }

    /// Moves the result in `r` to `v`'s home.
    fn write_back(&mut self, v: Value, r: Reg) {
        match self.loc(v) {
            Loc::Reg(d) if d == r => {}
            Loc::Reg(d) => self.a.mov_rr(Size::Q, d, r),
            Loc::Slot(s) => {
                self.a.store(Size::Q, slot(s), r);
                if r == Reg::Rax {
                    self.rax_holds = Some(v);
                }
            }
            _ => {}
        }
    }

    /// `jmp` to an absolute address.
    fn jmp_abs(&mut self, target: usize) {
        let after = self.base + self.a.pos() + 5;
        let rel = target as i64 - after as i64;
        self.a
            .jmp_rel(i32::try_from(rel).expect("jump target out of rel32 range"));
    }

    /// Leaves to the dispatcher with exit `kind` (rdx, rcx already set).
    fn exit(&mut self, kind: u64) {
        self.a.mov_ri(Reg::Rax, kind);
        self.jmp_abs(self.rt.epilogue);
    }

    /// A patchable exit to guest `pc`: a 4-byte-aligned `jmp rel32` that
    /// initially falls through (rel32 = 0) to the stub reporting its own
    /// address, so the dispatcher can point it straight at the target block.
    fn chain_exit(&mut self, pc: u64) {
        self.a.pad_to(4, 3);
        let site = self.a.jmp_rel(0);
        self.exit_stub(pc, site);
    }

    /// Exits of a conditional branch on flags `cc`: a patchable `jcc rel32`
    /// to `taken` (its rel32 4-byte aligned; initially to a stub reporting
    /// it, like `chain_exit`), then the exit to `not_taken`. Chained, a
    /// taken branch (a loop's back edge) is one jump.
    fn branch_exits(&mut self, cc: Cc, taken: u64, not_taken: u64) {
        let stub = self.a.label();
        self.a.pad_to(4, 2);
        self.a.jcc(cc, stub);
        let site = self.a.pos() - 4;
        self.chain_exit(not_taken);
        self.a.bind(stub);
        self.exit_stub(taken, site);
    }

    /// Leaves with `EXIT_CHAIN` for guest `pc`, reporting the patch site
    /// (the rel32 field at code offset `site`).
    fn exit_stub(&mut self, pc: u64, site: usize) {
        self.a.mov_ri(Reg::Rdx, pc);
        let disp = site as i64 - (self.a.pos() as i64 + 7);
        self.a.lea(
            Reg::Rcx,
            Mem {
                base: None,
                index: None,
                disp: disp as i32,
            },
        );
        self.exit(EXIT_CHAIN);
    }

    /// The guest memory operand for address value `addr` + `disp` (may use rax).
    fn guest_mem(&mut self, addr: Value, disp: i32) -> Mem {
        match self.loc(addr) {
            Loc::Imm(c) if c.wrapping_add(disp as i64 as u64) < 1 << 31 => {
                Mem::base(Reg::R15, c.wrapping_add(disp as i64 as u64) as i32)
            }
            Loc::Imm(c) => {
                self.a.mov_ri(Reg::Rax, c.wrapping_add(disp as i64 as u64));
                Mem::index(Reg::R15, Reg::Rax, 0)
            }
            _ => {
                let r = self.reg_of(addr, Reg::Rax);
                Mem::index(Reg::R15, r, disp)
            }
        }
    }

    /// The second operand of a two-address instruction: an immediate, a
    /// register, or the memory a spilled or in-state value lives in.
    fn operand(&mut self, v: Value) -> Operand {
        match self.loc(v) {
            Loc::Imm(c) if fits_i32(c).is_some() => Operand::Imm(fits_i32(c).unwrap()),
            Loc::Reg(r) => Operand::Reg(r),
            Loc::Slot(s) => Operand::Mem(slot(s)),
            Loc::State(off) => Operand::Mem(Mem::base(Reg::Rbp, off as i32)),
            _ => {
                self.load_into(Reg::Rcx, v);
                Operand::Reg(Reg::Rcx)
            }
        }
    }

    /// `op r, operand`.
    fn alu_operand(&mut self, op: Alu, size: Size, r: Reg, b: Operand) {
        match b {
            Operand::Imm(c) => self.a.alu_ri(op, size, r, c),
            Operand::Reg(s) => self.a.alu_rr(op, size, r, s),
            Operand::Mem(m) => self.a.alu_rm(op, size, r, m),
        }
    }

    fn binop(&mut self, inst: &Inst, op: Alu) {
        let d = self.dst_reg(inst.dst);
        let (mut x, mut y) = (inst.args[0], inst.args[1]);
        // Commutative: a constant goes second, and so does nothing that
        // shares the result's register (see `regalloc::reusable_args`).
        if op != Alu::Sub && (matches!(self.loc(x), Loc::Imm(_)) || self.loc(y) == Loc::Reg(d)) {
            std::mem::swap(&mut x, &mut y);
        }
        // Three-operand add: lea d, [x + y] / [x + c].
        if op == Alu::Add {
            if let Loc::Reg(rx) = self.loc(x) {
                match self.loc(y) {
                    Loc::Imm(c) if fits_i32(c).is_some() => {
                        self.a.lea(d, Mem::base(rx, fits_i32(c).unwrap()));
                        self.write_back(inst.dst, d);
                        return;
                    }
                    Loc::Reg(ry) if ry != Reg::Rsp => {
                        self.a.lea(d, Mem::index(rx, ry, 0));
                        self.write_back(inst.dst, d);
                        return;
                    }
                    _ => {}
                }
            }
        }
        self.load_into(d, x);
        let b = self.operand(y);
        self.alu_operand(op, Size::Q, d, b);
        self.write_back(inst.dst, d);
    }

    fn shift(&mut self, inst: &Inst, op: Shift, size: Size) {
        let d = self.dst_reg(inst.dst);
        let mask = if size == Size::Q { 63 } else { 31 };
        match self.loc(inst.args[1]) {
            Loc::Imm(c) => {
                self.load_into(d, inst.args[0]);
                if c & mask == 0 {
                    if size == Size::D {
                        self.a.mov_rr(Size::D, d, d);
                    }
                } else {
                    self.a.shift_ri(op, size, d, (c & mask) as u8);
                }
            }
            _ => {
                self.load_into(Reg::Rcx, inst.args[1]);
                self.load_into(d, inst.args[0]);
                self.a.shift_cl(op, size, d);
                if size == Size::D {
                    // A count of 0 leaves the register untouched: make sure
                    // the upper half is cleared either way.
                    self.a.mov_rr(Size::D, d, d);
                }
            }
        }
        self.write_back(inst.dst, d);
    }

    fn div(&mut self, inst: &Inst, signed: bool, rem: bool, size: Size) {
        let (zero, minus1, done) = (self.a.label(), self.a.label(), self.a.label());
        self.load_into(Reg::Rcx, inst.args[1]);
        self.load_into(Reg::Rax, inst.args[0]);
        self.a.test_rr(size, Reg::Rcx, Reg::Rcx);
        self.a.jcc(Cc::E, zero);
        if signed {
            self.a.alu_ri(Alu::Cmp, size, Reg::Rcx, -1);
            self.a.jcc(Cc::E, minus1);
            if size == Size::Q {
                self.a.cqo();
            } else {
                self.a.cdq();
            }
            self.a.unary(Unary::Idiv, size, Reg::Rcx);
        } else {
            self.a.alu_rr(Alu::Xor, Size::D, Reg::Rdx, Reg::Rdx);
            self.a.unary(Unary::Div, size, Reg::Rcx);
        }
        if rem {
            self.a.mov_rr(size, Reg::Rax, Reg::Rdx);
        }
        self.a.jmp(done);
        // b == 0: quotient 0, remainder a.
        self.a.bind(zero);
        if rem {
            if size == Size::D {
                self.a.mov_rr(Size::D, Reg::Rax, Reg::Rax);
            }
        } else {
            self.a.mov_ri(Reg::Rax, 0);
        }
        if signed {
            self.a.jmp(done);
            // b == -1: quotient -a (MIN stays MIN), remainder 0.
            self.a.bind(minus1);
            if rem {
                self.a.mov_ri(Reg::Rax, 0);
            } else {
                self.a.unary(Unary::Neg, size, Reg::Rax);
            }
        } else {
            self.a.bind(minus1);
        }
        self.a.bind(done);
        self.write_back(inst.dst, Reg::Rax);
    }

    /// Extends the low `m.size()` bytes of `src` into `d` as `m` says.
    fn extend(&mut self, d: Reg, src: Reg, m: MemOp) {
        self.extend_rm(d, Rm::R(src), m)
    }

    /// d = the low bytes of register or memory `src`, extended as `m` says.
    fn extend_rm(&mut self, d: Reg, src: Rm, m: MemOp) {
        match (m.log2_size, m.signed, src) {
            (0, false, _) => self.a.movzx(Size::B, d, src),
            (1, false, _) => self.a.movzx(Size::W, d, src),
            (2, false, Rm::R(s)) => self.a.mov_rr(Size::D, d, s),
            (2, false, Rm::M(mem)) => self.a.load(Size::D, d, mem),
            (0, true, _) => self.a.movsx(Size::B, d, src),
            (1, true, _) => self.a.movsx(Size::W, d, src),
            (2, true, _) => self.a.movsx(Size::D, d, src),
            (_, _, Rm::R(s)) if s == d => {}
            (_, _, Rm::R(s)) => self.a.mov_rr(Size::Q, d, s),
            (_, _, Rm::M(mem)) => self.a.load(Size::Q, d, mem),
        }
    }

    /// rdx = host address of an atomic access, checked for natural alignment.
    fn atomic_addr(&mut self, addr: Value, m: MemOp) -> Mem {
        self.aligned_addr(addr, m.log2_size as u32)
    }

    /// rdx = host address `addr`, which leaves by the misaligned exit
    /// unless it is a multiple of `1 << log2`.
    fn aligned_addr(&mut self, addr: Value, log2: u32) -> Mem {
        self.load_into(Reg::Rdx, addr);
        self.a.alu_rr(Alu::Add, Size::Q, Reg::Rdx, Reg::R15);
        if log2 > 0 {
            let l = self.a.label();
            self.a.test_ri(Size::B, Reg::Rdx, (1 << log2) - 1);
            self.a.jcc(Cc::Ne, l);
            self.misaligned.push((l, self.cur_pc));
        }
        Mem::base(Reg::Rdx, 0)
    }

    /// `lock cmpxchg16b` wants rdx:rax, rcx:rbx and an address register:
    /// rbx and rsi (which may hold values) are saved in the frame
    /// temporaries around it, with the new value.
    fn atomic_cas128(&mut self, inst: &Inst) {
        let tmp = |i: i32| Mem::base(Reg::Rsp, FRAME_ARGS + 8 * i);
        let pair = |half: i32| Mem::base(Reg::Rbp, inst.imm as i32 + 8 * half);
        self.load_into(Reg::Rax, inst.args[1]);
        self.a.store(Size::Q, tmp(2), Reg::Rax);
        self.load_into(Reg::Rax, inst.args[2]);
        self.a.store(Size::Q, tmp(3), Reg::Rax);
        self.aligned_addr(inst.args[0], 4);
        self.a.store(Size::Q, tmp(0), Reg::Rbx);
        self.a.store(Size::Q, tmp(1), Reg::Rsi);
        self.a.mov_rr(Size::Q, Reg::Rsi, Reg::Rdx);
        self.a.load(Size::Q, Reg::Rbx, tmp(2));
        self.a.load(Size::Q, Reg::Rcx, tmp(3));
        self.a.load(Size::Q, Reg::Rax, pair(0));
        self.a.load(Size::Q, Reg::Rdx, pair(1));
        self.a.lock_cmpxchg16b(Mem::base(Reg::Rsi, 0));
        self.a.setcc(Cc::E, Reg::Rcx);
        self.a.store(Size::Q, pair(0), Reg::Rax);
        self.a.store(Size::Q, pair(1), Reg::Rdx);
        self.a.load(Size::Q, Reg::Rbx, tmp(0));
        self.a.load(Size::Q, Reg::Rsi, tmp(1));
        let d = self.dst_reg(inst.dst);
        self.a.movzx(Size::B, d, Rm::R(Reg::Rcx));
        self.write_back(inst.dst, d);
    }

    fn atomic_rmw(&mut self, inst: &Inst) {
        let (op, m) = RmwOp::from_imm(inst.imm);
        let size = Size::from_log2(m.log2_size);
        let mem = self.atomic_addr(inst.args[0], m);
        match op {
            RmwOp::Xchg => {
                self.load_into(Reg::Rax, inst.args[1]);
                self.a.xchg(size, mem, Reg::Rax);
            }
            RmwOp::Add => {
                self.load_into(Reg::Rax, inst.args[1]);
                self.a.lock_xadd(size, mem, Reg::Rax);
            }
            _ => {
                // The operand, extended for min/max, waits in the frame:
                // rax, rcx and rdx are all taken in the loop.
                let b = Mem::base(Reg::Rsp, FRAME_ARGS);
                let signed = matches!(op, RmwOp::MinS | RmwOp::MaxS);
                let ext = MemOp {
                    log2_size: m.log2_size,
                    signed,
                };
                let minmax = matches!(op, RmwOp::MinS | RmwOp::MaxS | RmwOp::MinU | RmwOp::MaxU);
                self.load_into(Reg::Rcx, inst.args[1]);
                if minmax {
                    self.extend(Reg::Rcx, Reg::Rcx, ext);
                }
                self.a.store(Size::Q, b, Reg::Rcx);
                // rax = current value (zero-extended)
                match size {
                    Size::B | Size::W => self.a.movzx(size, Reg::Rax, Rm::M(mem)),
                    _ => self.a.load(size, Reg::Rax, mem),
                }
                let again = self.a.label();
                self.a.bind(again);
                match op {
                    RmwOp::And | RmwOp::Or | RmwOp::Xor => {
                        let alu = match op {
                            RmwOp::And => Alu::And,
                            RmwOp::Or => Alu::Or,
                            _ => Alu::Xor,
                        };
                        self.a.mov_rr(Size::Q, Reg::Rcx, Reg::Rax);
                        self.a.alu_rm(alu, Size::Q, Reg::Rcx, b);
                    }
                    _ => {
                        // Keep the current value unless b is smaller (min)
                        // or greater (max).
                        let keep = match op {
                            RmwOp::MinS => Cc::Le,
                            RmwOp::MaxS => Cc::Ge,
                            RmwOp::MinU => Cc::Be,
                            _ => Cc::Ae,
                        };
                        let done = self.a.label();
                        self.extend(Reg::Rcx, Reg::Rax, ext);
                        self.a.alu_rm(Alu::Cmp, Size::Q, Reg::Rcx, b);
                        self.a.jcc(keep, done);
                        self.a.load(Size::Q, Reg::Rcx, b);
                        self.a.bind(done);
                    }
                }
                self.a.lock_cmpxchg(size, mem, Reg::Rcx);
                self.a.jcc(Cc::Ne, again);
            }
        }
        let d = self.dst_reg(inst.dst);
        self.extend(d, Reg::Rax, m);
        self.write_back(inst.dst, d);
    }

    fn atomic_cas(&mut self, inst: &Inst) {
        let m = MemOp::from_imm(inst.imm);
        let size = Size::from_log2(m.log2_size);
        let mem = self.atomic_addr(inst.args[0], m);
        self.load_into(Reg::Rcx, inst.args[2]);
        self.load_into(Reg::Rax, inst.args[1]);
        self.a.lock_cmpxchg(size, mem, Reg::Rcx);
        let d = self.dst_reg(inst.dst);
        self.extend(d, Reg::Rax, m);
        self.write_back(inst.dst, d);
    }

    fn call(&mut self, inst: &Inst) {
        // SAFETY: the verifier/frontends only put `Helper::to_imm` values here.
        let helper = unsafe { Helper::from_imm(inst.imm) };
        if std::ptr::eq(helper, &vector::VECTOR) && self.vector_inline(inst) {
            return;
        }
        if let Some(fp) = helper.fp.filter(|fp| fp.flavor == FpFlavor::Arm) {
            return self.fp_inline_arm(inst, fp);
        }
        if let Some(fp) = helper.fp {
            let rm = match fp.op {
                FpOp::Eq | FpOp::Lt | FpOp::Le => return self.fp_inline(inst, fp, Some(0)),
                FpOp::Sqrt => inst.args[1],
                FpOp::MAdd | FpOp::MSub | FpOp::NMSub | FpOp::NMAdd if !self.feat.fma => {
                    return self.call_helper(inst);
                }
                FpOp::MAdd | FpOp::MSub | FpOp::NMSub | FpOp::NMAdd => inst.args[3],
                _ => inst.args[2],
            };
            match self.loc(rm) {
                Loc::Imm(rm @ 0..=3) => return self.fp_inline(inst, fp, Some(rm)),
                Loc::Imm(7) => {
                    // Dynamic: frm 0..=3 inline, anything else (RMM, the
                    // reserved values) through the helper.
                    let (slow, done) = (self.a.label(), self.a.label());
                    self.a
                        .load(Size::Q, Reg::Rax, Mem::base(Reg::Rbp, fp.frm as i32));
                    self.a.alu_ri(Alu::Cmp, Size::Q, Reg::Rax, 3);
                    self.a.jcc(Cc::A, slow);
                    self.fp_inline(inst, fp, None);
                    self.a.jmp(done);
                    self.a.bind(slow);
                    self.call_helper(inst);
                    self.a.bind(done);
                    return;
                }
                _ => {}
            }
        }
        self.call_helper(inst)
    }

    /// The [`vector::VECTOR`] helper with constant arguments, computed with
    /// SSE2 when the operation and lane size have a short sequence (the
    /// state is addressed through rbp; xmm0..xmm2 are scratch). Returns
    /// false, emitting nothing, for the others.
    fn vector_inline(&mut self, inst: &Inst) -> bool {
        use vector::VecOp as V;
        let konst = |l: &Self, v: Value| match l.loc(v) {
            Loc::Imm(c) => i32::try_from(c).ok().map(|c| (c, c as u64)),
            _ => None,
        };
        let (Some((_, a)), Some((d, _)), Some((n, _)), Some((m, _))) = (
            konst(self, inst.args[0]),
            konst(self, inst.args[1]),
            konst(self, inst.args[2]),
            konst(self, inst.args[3]),
        ) else {
            return false;
        };
        let Some(args) = vector::VecArgs::unpack(a) else {
            return false;
        };
        if !inlines_vector(args) {
            return false;
        }
        let size = args.size as usize;
        let (op, swap, negate) = match lanewise_sse(args) {
            Some((op, swap, negate)) => (Some(op), swap, negate),
            None => (None, false, false),
        };
        let state = |off: i32| Mem::base(Reg::Rbp, off);
        let load = |l: &mut Self, x: u8, off: i32| {
            if args.q {
                l.a.movdqu_load(x, state(off));
            } else {
                l.a.movq_load(x, state(off));
            }
        };
        let load_m = |l: &mut Self, x: u8| {
            if args.zero_m {
                l.a.packed(0xef, x, x); // pxor: zero
            } else {
                load(l, x, m);
            }
        };
        // A 64-bit operation's result has its upper half cleared.
        let store = |l: &mut Self, x: u8| {
            if !args.q {
                l.a.movq_xx(x, x);
            }
            l.a.movdqu_store(state(d), x);
        };
        if let Some((group, ext)) = shift_sse(args) {
            // The SSE shifts take counts up to 255: past the lane size they
            // give 0 (or the sign), as the operation says.
            load(self, 0, n);
            self.a
                .packed_shift(group, ext, 0, args.shift.min(255) as u8);
            store(self, 0);
            return true;
        }
        if let Some(op) = op {
            let (a, b) = if swap { (1, 0) } else { (0, 1) };
            load(self, a, n);
            load_m(self, b);
            self.a.packed(op, 0, 1);
            if negate {
                self.a.packed(0x75, 2, 2); // pcmpeqw: all ones
                self.a.packed(0xef, 0, 2); // pxor
            }
            store(self, 0);
            return true;
        }
        match (args.op, size) {
            (V::CmpGeU, 0) => {
                // n >= m exactly where max(n, m) == n.
                load(self, 0, n);
                load_m(self, 1);
                self.a.packed(0xde, 1, 0); // pmaxub xmm1, xmm0
                self.a.packed(0x74, 0, 1); // pcmpeqb xmm0, xmm1
                store(self, 0);
            }
            (V::CmpGtU, 0) => {
                // n > m exactly where max(n, m) != m.
                load(self, 0, n);
                load_m(self, 1);
                self.a.packed(0xde, 0, 1); // pmaxub xmm0, xmm1
                self.a.packed(0x74, 0, 1); // pcmpeqb xmm0, xmm1
                self.a.packed(0x75, 2, 2);
                self.a.packed(0xef, 0, 2);
                store(self, 0);
            }
            (V::AddPair | V::MaxPairU | V::MinPairU, 0) => {
                // Bytes 2i of n:m in xmm2, bytes 2i+1 in xmm0 (each as the
                // low byte of a word, packed), then one lane-wise op.
                let op = match args.op {
                    V::AddPair => 0xfc,  // paddb
                    V::MaxPairU => 0xde, // pmaxub
                    _ => 0xda,           // pminub
                };
                self.a.packed(0x75, 4, 4); // pcmpeqw: all ones
                self.a.packed_shift(0x71, 2, 4, 8); // psrlw: 0x00ff words
                if args.q {
                    self.a.movdqu_load(0, state(n));
                    load_m(self, 1);
                    self.a.movdqu_load(2, state(n));
                    load_m(self, 3);
                    self.a.packed(0xdb, 2, 4); // pand: even bytes
                    self.a.packed(0xdb, 3, 4);
                    self.a.packed_shift(0x71, 2, 0, 8); // odd bytes
                    self.a.packed_shift(0x71, 2, 1, 8);
                    self.a.packed(0x67, 2, 3); // packuswb
                    self.a.packed(0x67, 0, 1);
                } else {
                    // n.lo : m.lo as one vector; its pairs pack to 8 bytes.
                    self.a.movq_load(0, state(n));
                    load_m(self, 1);
                    self.a.packed(0x6c, 0, 1); // punpcklqdq
                    self.a.packed(0x6f, 2, 0); // movdqa xmm2, xmm0
                    self.a.packed(0xdb, 2, 4);
                    self.a.packed_shift(0x71, 2, 0, 8);
                    self.a.packed(0x67, 2, 2);
                    self.a.packed(0x67, 0, 0);
                }
                self.a.packed(op, 0, 2);
                store(self, 0);
            }
            (V::WidenU | V::WidenS, _) => {
                self.a.movdqu_load(0, state(n));
                if args.q {
                    self.a.packed_shift(0x73, 3, 0, 8); // psrldq: the high half down
                }
                // punpcklbw/wd/dq: each lane next to its extension.
                let unpack = 0x60 + size as u8;
                if args.op == V::WidenU {
                    self.a.packed(0xef, 1, 1); // pxor: zero
                    self.a.packed(unpack, 0, 1);
                } else if size < 2 {
                    // Each lane twice, then shifted down arithmetically.
                    self.a.packed(unpack, 0, 0);
                    self.a.packed_shift(0x71 + size as u8, 4, 0, 8 << size);
                } else {
                    // No 64-bit arithmetic shift: the sign masks (0 > x) go
                    // above each lane.
                    self.a.packed(0xef, 1, 1);
                    self.a.packed(0x66, 1, 0); // pcmpgtd xmm1, xmm0
                    self.a.packed(unpack, 0, 1);
                }
                if args.shift != 0 {
                    self.a
                        .packed_shift(0x71 + size as u8, 6, 0, args.shift.min(255) as u8);
                }
                self.a.movdqu_store(state(d), 0);
            }
            (V::ShiftRightNarrow, 0 | 1) => {
                // Keep each wide lane's low half after the shift, then pack.
                self.a.movdqu_load(0, state(n));
                let (group, bits) = if size == 0 { (0x71, 8) } else { (0x72, 16) };
                if args.shift != 0 {
                    self.a.packed_shift(group, 2, 0, args.shift as u8);
                }
                // Sign-extend each lane's low half so the saturating pack
                // (packsswb / packssdw) keeps it exactly.
                self.a.packed_shift(group, 6, 0, bits);
                self.a.packed_shift(group, 4, 0, bits);
                self.a.packed(if size == 0 { 0x63 } else { 0x6b }, 0, 0);
                if args.q {
                    self.a.movq_load(1, state(d));
                    self.a.packed(0x6c, 1, 0); // punpcklqdq: d.lo : result
                    self.a.movdqu_store(state(d), 1);
                } else {
                    self.a.movq_xx(0, 0);
                    self.a.movdqu_store(state(d), 0);
                }
            }
            _ => return false,
        }
        true
    }

    /// An [`FpInline`] helper computed with SSE (see the contract there):
    /// MXCSR is loaded with all exceptions masked, DAZ/FTZ off, the rounding
    /// mode `rm` (or, if `None`, the guest's `frm`, known to be 0..=3 and in
    /// rax); afterwards its status bits are mapped to fflags, NaN results
    /// replaced by the canonical NaN and MXCSR restored to the host default.
    ///
    /// Round-to-nearest (static, or dynamic with frm = 0 in rax) first tries
    /// a fast path that needs no MXCSR access, relying on the host MXCSR
    /// being at its default (RNE, masked, DAZ/FTZ off) outside these
    /// sequences: a compare of two non-NaNs raises nothing; an arithmetic
    /// result that is finite and above the smallest normal in magnitude (or
    /// an exact zero from add/sub/sqrt) can only have raised NX, so if
    /// fflags already holds NX nothing changes. Anything else redoes the
    /// operation on the MXCSR path.
    fn fp_inline(&mut self, inst: &Inst, fp: FpInline, rm: Option<u64>) {
        if rm.is_some_and(|rm| rm != 0) {
            return self.fp_inline_mxcsr(inst, fp, rm);
        }
        let (slow, done) = (self.a.label(), self.a.label());
        if rm.is_none() {
            self.a.test_rr(Size::Q, Reg::Rax, Reg::Rax);
            self.a.jcc(Cc::Ne, slow);
        }
        self.fp_operands(inst, fp);
        match fp.op {
            FpOp::Eq | FpOp::Lt | FpOp::Le => {
                self.a.mov_ri(Reg::Rax, 0);
                let cc = if fp.op == FpOp::Eq {
                    self.a.ucomis(fp.double, 0, 1);
                    Cc::E
                } else {
                    self.a.comis(fp.double, 1, 0);
                    if fp.op == FpOp::Lt {
                        Cc::A
                    } else {
                        Cc::Ae
                    }
                };
                self.a.jcc(Cc::P, slow);
                self.a.setcc(cc, Reg::Rax);
            }
            _ => {
                self.a
                    .load(Size::D, Reg::Rdx, Mem::base(Reg::Rbp, fp.fflags as i32));
                self.a.test_ri(Size::D, Reg::Rdx, 1);
                self.a.jcc(Cc::E, slow);
                self.fp_arith(fp);
                self.fp_result_normal(fp, slow);
                if !fp.double {
                    self.a.mov_ri(Reg::Rcx, 0xffff_ffff_0000_0000);
                    self.a.alu_rr(Alu::Or, Size::Q, Reg::Rax, Reg::Rcx);
                }
            }
        }
        self.write_back(inst.dst, Reg::Rax);
        self.a.jmp(done);
        self.a.bind(slow);
        self.fp_inline_mxcsr(inst, fp, rm);
        self.a.bind(done);
    }

    /// Operands in xmm0 (and xmm1), singles NaN-unboxed. Uses rax, rcx, rdx.
    /// An Arm-flavoured [`FpInline`] helper (see the contract there): inline
    /// only while FPCR is 0 and FPSR.IXC is already set, when a normal
    /// result (or an exact zero from add/sub/sqrt) raises nothing new;
    /// everything else calls the helper.
    fn fp_inline_arm(&mut self, inst: &Inst, fp: FpInline) {
        let (slow, done) = (self.a.label(), self.a.label());
        self.a
            .load(Size::Q, Reg::Rax, Mem::base(Reg::Rbp, fp.frm as i32));
        self.a.test_rr(Size::Q, Reg::Rax, Reg::Rax);
        self.a.jcc(Cc::Ne, slow);
        self.a
            .load(Size::D, Reg::Rax, Mem::base(Reg::Rbp, fp.fflags as i32));
        self.a.test_ri(Size::D, Reg::Rax, 16);
        self.a.jcc(Cc::E, slow);
        self.fp_operands(inst, fp);
        self.fp_arith(fp);
        self.fp_result_normal(fp, slow);
        self.write_back(inst.dst, Reg::Rax);
        self.a.jmp(done);
        self.a.bind(slow);
        self.call_helper(inst);
        self.a.bind(done);
    }

    /// rax = the result in xmm0 (singles zero-extended); to `slow` unless it
    /// is normal, or an exact zero from add/sub/sqrt (from a multiply or an
    /// FMA a zero may be an underflow).
    fn fp_result_normal(&mut self, fp: FpInline, slow: Label) {
        let zero_ok = matches!(fp.op, FpOp::Add | FpOp::Sub | FpOp::Sqrt);
        let ok = self.a.label();
        // rcx = |result| << 1: (min normal, infinity) exclusive.
        if fp.double {
            self.a.movq_rx(Size::Q, Reg::Rax, 0);
            self.a.mov_rr(Size::Q, Reg::Rcx, Reg::Rax);
            self.a.alu_rr(Alu::Add, Size::Q, Reg::Rcx, Reg::Rcx);
            if zero_ok {
                self.a.jcc(Cc::E, ok);
            }
            self.a
                .mov_ri(Reg::Rdx, (0x0020_0000_0000_0001u64).wrapping_neg());
            self.a.alu_rr(Alu::Add, Size::Q, Reg::Rcx, Reg::Rdx);
            self.a
                .mov_ri(Reg::Rdx, 0xffe0_0000_0000_0000 - 0x0020_0000_0000_0001);
            self.a.alu_rr(Alu::Cmp, Size::Q, Reg::Rcx, Reg::Rdx);
            self.a.jcc(Cc::Ae, slow);
        } else {
            self.a.movq_rx(Size::D, Reg::Rax, 0);
            self.a.mov_rr(Size::D, Reg::Rcx, Reg::Rax);
            self.a.alu_rr(Alu::Add, Size::D, Reg::Rcx, Reg::Rcx);
            if zero_ok {
                self.a.jcc(Cc::E, ok);
            }
            self.a.alu_ri(Alu::Sub, Size::D, Reg::Rcx, 0x0100_0001);
            self.a.alu_ri(
                Alu::Cmp,
                Size::D,
                Reg::Rcx,
                (0xff00_0000u32 - 0x0100_0001) as i32,
            );
            self.a.jcc(Cc::Ae, slow);
        }
        self.a.bind(ok);
    }

    fn fp_operands(&mut self, inst: &Inst, fp: FpInline) {
        let args = match fp.op {
            FpOp::Sqrt => 1,
            FpOp::MAdd | FpOp::MSub | FpOp::NMSub | FpOp::NMAdd => 3,
            _ => 2,
        };
        for i in 0..args {
            self.load_into(Reg::Rax, inst.args[i]);
            if !fp.double && fp.flavor == FpFlavor::RiscV {
                // NaN-unboxing: an improperly boxed single is the canonical NaN.
                self.a.mov_ri(Reg::Rcx, CANON_S);
                self.a.mov_rr(Size::Q, Reg::Rdx, Reg::Rax);
                self.a.shift_ri(Shift::Shr, Size::Q, Reg::Rdx, 32);
                self.a.alu_ri(Alu::Cmp, Size::D, Reg::Rdx, -1);
                self.a.cmov(Cc::Ne, Size::D, Reg::Rax, Reg::Rcx);
            }
            let size = if fp.double { Size::Q } else { Size::D };
            self.a.movq_xr(size, i as u8, Reg::Rax);
        }
    }

    /// xmm0 = xmm0 op xmm1 (or sqrt xmm0, or the FMA of xmm0, xmm1, xmm2)
    /// for an arithmetic `FpOp`.
    fn fp_arith(&mut self, fp: FpInline) {
        // RISC-V fnmsub is −(a·b) + c: x86's fnmadd; fnmadd is x86's fnmsub.
        let fma = match fp.op {
            FpOp::MAdd => Some(Fma::MAdd),
            FpOp::MSub => Some(Fma::MSub),
            FpOp::NMSub => Some(Fma::NMAdd),
            FpOp::NMAdd => Some(Fma::NMSub),
            _ => None,
        };
        if let Some(f) = fma {
            // xmm0 = xmm1·xmm0 ± xmm2 = b·a ± c.
            return self.a.fma213(f, fp.double, 0, 1, 2);
        }
        let op = match fp.op {
            FpOp::Add => Sse::Add,
            FpOp::Sub => Sse::Sub,
            FpOp::Mul => Sse::Mul,
            FpOp::Div => Sse::Div,
            FpOp::Sqrt => Sse::Sqrt,
            _ => unreachable!("compares are not arithmetic"),
        };
        let src = if fp.op == FpOp::Sqrt { 0 } else { 1 };
        self.a.sse_rr(op, fp.double, 0, src);
    }

    /// The MXCSR path of [`Self::fp_inline`]: exact for every operand.
    fn fp_inline_mxcsr(&mut self, inst: &Inst, fp: FpInline, rm: Option<u64>) {
        let tmp = Mem::base(Reg::Rsp, FRAME_ARGS);
        match rm {
            Some(rm) => {
                self.a
                    .store_imm(Size::D, tmp, MXCSR_OF_RM[rm as usize] as i32);
                self.a.ldmxcsr(tmp);
            }
            None => {
                self.a
                    .load(Size::Q, Reg::Rax, Mem::base(Reg::Rbp, fp.frm as i32));
                self.a.shift_ri(Shift::Shl, Size::D, Reg::Rax, 2);
                self.a.mov_ri(Reg::Rcx, MXCSR_OF_RM.as_ptr() as u64);
                self.a.ldmxcsr(Mem::index(Reg::Rcx, Reg::Rax, 0));
            }
        }
        self.fp_operands(inst, fp);
        match fp.op {
            FpOp::Eq | FpOp::Lt | FpOp::Le => {
                // a == b: ZF=1 and PF=0 (unordered sets ZF, PF and CF);
                // a < b is b "above" a, a <= b is b "above or equal" a, both
                // false when unordered.
                self.a.mov_ri(Reg::Rax, 0);
                self.a.mov_ri(Reg::Rcx, 0);
                if fp.op == FpOp::Eq {
                    self.a.ucomis(fp.double, 0, 1);
                    self.a.setcc(Cc::Np, Reg::Rax);
                    self.a.setcc(Cc::E, Reg::Rcx);
                    self.a.alu_rr(Alu::And, Size::D, Reg::Rax, Reg::Rcx);
                } else {
                    self.a.comis(fp.double, 1, 0);
                    let cc = if fp.op == FpOp::Lt { Cc::A } else { Cc::Ae };
                    self.a.setcc(cc, Reg::Rax);
                }
                self.a.stmxcsr(tmp);
                self.fp_flags(fp, tmp);
                return self.write_back(inst.dst, Reg::Rax);
            }
            _ => {}
        }
        self.fp_arith(fp);
        // x86 raises no IE for inf·0 plus a quiet NaN; RISC-V raises NV. A
        // NaN from an FMA is rare: let the helper do it.
        let fma = matches!(fp.op, FpOp::MAdd | FpOp::MSub | FpOp::NMSub | FpOp::NMAdd);
        let fma_nan = self.a.label();
        if fma {
            self.a.ucomis(fp.double, 0, 0);
            self.a.jcc(Cc::P, fma_nan);
        }
        self.a.stmxcsr(tmp);
        // Result in rax; an unordered (NaN) result becomes the canonical NaN.
        let ordered = self.a.label();
        if fp.double {
            self.a.movq_rx(Size::Q, Reg::Rax, 0);
            self.a.ucomis(true, 0, 0);
            self.a.jcc(Cc::Np, ordered);
            self.a.mov_ri(Reg::Rax, CANON_D);
        } else {
            self.a.movq_rx(Size::D, Reg::Rax, 0);
            self.a.ucomis(false, 0, 0);
            self.a.jcc(Cc::Np, ordered);
            self.a.mov_ri(Reg::Rax, CANON_S);
        }
        self.a.bind(ordered);
        if !fp.double {
            self.a.mov_ri(Reg::Rcx, 0xffff_ffff_0000_0000);
            self.a.alu_rr(Alu::Or, Size::Q, Reg::Rax, Reg::Rcx);
        }
        self.fp_flags(fp, tmp);
        // Back to the host's round-to-nearest (its status bits may stay set:
        // nothing reads them, and every inline op loads MXCSR first). With a
        // dynamic mode, only when frm was not already RNE (ldmxcsr is slow).
        if rm != Some(0) {
            let rne = self.a.label();
            if rm.is_none() {
                self.a
                    .load(Size::Q, Reg::Rcx, Mem::base(Reg::Rbp, fp.frm as i32));
                self.a.test_rr(Size::Q, Reg::Rcx, Reg::Rcx);
                self.a.jcc(Cc::E, rne);
            }
            self.a.store_imm(Size::D, tmp, MXCSR_OF_RM[0] as i32);
            self.a.ldmxcsr(tmp);
            self.a.bind(rne);
        }
        self.write_back(inst.dst, Reg::Rax);
        if fma {
            let done = self.a.label();
            self.a.jmp(done);
            self.a.bind(fma_nan);
            self.a.store_imm(Size::D, tmp, MXCSR_OF_RM[0] as i32);
            self.a.ldmxcsr(tmp);
            self.call_helper(inst);
            self.a.bind(done);
        }
    }

    /// ORs the MXCSR status bits stored at `tmp` (IE DE ZE OE UE PE) into
    /// fflags, skipped when none is set. Uses rcx and rdx.
    fn fp_flags(&mut self, fp: FpInline, tmp: Mem) {
        let no_flags = self.a.label();
        self.a.load(Size::D, Reg::Rcx, tmp);
        self.a.alu_ri(Alu::And, Size::D, Reg::Rcx, 0x3d);
        self.a.jcc(Cc::E, no_flags);
        self.a.mov_ri(Reg::Rdx, FFLAGS_OF_MXCSR.as_ptr() as u64);
        self.a
            .movzx(Size::B, Reg::Rcx, Rm::M(Mem::index(Reg::Rdx, Reg::Rcx, 0)));
        let fflags = Mem::base(Reg::Rbp, fp.fflags as i32);
        self.a.load(Size::Q, Reg::Rdx, fflags);
        self.a.alu_rr(Alu::Or, Size::Q, Reg::Rdx, Reg::Rcx);
        self.a.store(Size::Q, fflags, Reg::Rdx);
        self.a.bind(no_flags);
    }

    fn call_helper(&mut self, inst: &Inst) {
        // Arguments go through the frame temporaries: no parallel-move puzzle
        // with the argument registers, which may hold other values.
        for i in 0..4 {
            if !inst.args[i].is_none() {
                let at = Mem::base(Reg::Rsp, FRAME_ARGS + 8 * i as i32);
                match self.loc(inst.args[i]) {
                    Loc::Reg(r) => self.a.store(Size::Q, at, r),
                    _ => {
                        self.load_into(Reg::Rax, inst.args[i]);
                        self.a.store(Size::Q, at, Reg::Rax);
                    }
                }
            }
        }
        for (i, r) in [Reg::Rsi, Reg::Rdx, Reg::Rcx, Reg::R8]
            .into_iter()
            .enumerate()
        {
            if inst.args[i].is_none() {
                self.a.mov_ri(r, 0);
            } else {
                self.a
                    .load(Size::Q, r, Mem::base(Reg::Rsp, FRAME_ARGS + 8 * i as i32));
            }
        }
        self.a.mov_rr(Size::Q, Reg::Rdi, Reg::Rbp);
        // SAFETY: as in `call`.
        let helper = unsafe { Helper::from_imm(inst.imm) };
        self.a.mov_ri(Reg::Rax, helper.func as usize as u64);
        self.a.call_r(Reg::Rax);
        self.write_back(inst.dst, Reg::Rax);
    }

    fn count(&mut self, inst: &Inst, op: Op) {
        let d = self.dst_reg(inst.dst);
        let a = self.reg_of(inst.args[0], Reg::Rcx);
        let size = if matches!(op, Op::Clz32 | Op::Ctz32) {
            Size::D
        } else {
            Size::Q
        };
        let bits = if size == Size::Q { 64 } else { 32 };
        match op {
            Op::Popcount => self.a.bitcount(BitCount::Popcnt, Size::Q, d, a),
            Op::Clz | Op::Clz32 if self.feat.lzcnt => self.a.bitcount(BitCount::Lzcnt, size, d, a),
            Op::Ctz | Op::Ctz32 if self.feat.bmi1 => self.a.bitcount(BitCount::Tzcnt, size, d, a),
            Op::Clz | Op::Clz32 => {
                // bsr gives the index of the top bit (ZF for 0): clz = index ^ (bits-1),
                // and 0 maps through (2*bits-1) ^ (bits-1) = bits.
                self.a.mov_ri(Reg::Rdx, 2 * bits - 1);
                self.a.bitcount(BitCount::Bsr, size, d, a);
                self.a.cmov(Cc::E, size, d, Reg::Rdx);
                self.a.alu_ri(Alu::Xor, size, d, bits as i32 - 1);
            }
            _ => {
                self.a.mov_ri(Reg::Rdx, bits);
                self.a.bitcount(BitCount::Bsf, size, d, a);
                self.a.cmov(Cc::E, size, d, Reg::Rdx);
            }
        }
        self.write_back(inst.dst, d);
    }

    fn inst(&mut self, inst: &Inst, index: usize) {
        let a0 = inst.args[0];
        // Valid only right after the instruction that set it.
        let rax_holds = self.rax_holds.take();
        match inst.op {
            Op::Const => {}
            Op::InsnStart => {
                self.cur_pc = inst.imm;
                self.insn_map.push((self.a.pos() as u32, inst.imm));
            }
            Op::GetReg => match self.loc(inst.dst) {
                Loc::State(_) => {}
                _ => {
                    let d = self.dst_reg(inst.dst);
                    self.a
                        .load(Size::Q, d, Mem::base(Reg::Rbp, inst.imm as i32));
                    self.write_back(inst.dst, d);
                }
            },
            Op::SetReg if self.loc(a0) == Loc::State(inst.imm as u32) => {}
            Op::SetReg => {
                let at = Mem::base(Reg::Rbp, inst.imm as i32);
                match self.loc(a0) {
                    Loc::Imm(c) if fits_i32(c).is_some() => {
                        self.a.store_imm(Size::Q, at, fits_i32(c).unwrap())
                    }
                    _ if rax_holds == Some(a0) => self.a.store(Size::Q, at, Reg::Rax),
                    _ => {
                        let r = self.reg_of(a0, Reg::Rax);
                        self.a.store(Size::Q, at, r);
                    }
                }
            }
            Op::Add => self.binop(inst, Alu::Add),
            Op::Sub => self.binop(inst, Alu::Sub),
            Op::And => self.binop(inst, Alu::And),
            Op::Or => self.binop(inst, Alu::Or),
            Op::Xor => self.binop(inst, Alu::Xor),
            Op::Mul => {
                let d = self.dst_reg(inst.dst);
                match self.loc(inst.args[1]) {
                    Loc::Imm(c) if fits_i32(c).is_some() => {
                        let a = self.reg_of(a0, Reg::Rcx);
                        self.a.imul_rri(d, a, fits_i32(c).unwrap());
                    }
                    _ => {
                        // Commutative: nothing sharing d's register goes second.
                        let (x, y) = if self.loc(inst.args[1]) == Loc::Reg(d) {
                            (inst.args[1], a0)
                        } else {
                            (a0, inst.args[1])
                        };
                        let b = self.reg_of(y, Reg::Rcx);
                        self.load_into(d, x);
                        self.a.imul_rr(d, b);
                    }
                }
                self.write_back(inst.dst, d);
            }
            Op::MulHS | Op::MulHU | Op::MulHSU => {
                self.load_into(Reg::Rax, a0);
                let b = self.reg_of(inst.args[1], Reg::Rcx);
                let op = if inst.op == Op::MulHS {
                    Unary::Imul
                } else {
                    Unary::Mul
                };
                self.a.unary(op, Size::Q, b);
                if inst.op == Op::MulHSU {
                    // signed a × unsigned b = unsigned product − (a < 0 ? b << 64 : 0)
                    self.load_into(Reg::Rax, a0);
                    self.a.shift_ri(Shift::Sar, Size::Q, Reg::Rax, 63);
                    self.a.alu_rr(Alu::And, Size::Q, Reg::Rax, b);
                    self.a.alu_rr(Alu::Sub, Size::Q, Reg::Rdx, Reg::Rax);
                }
                self.write_back(inst.dst, Reg::Rdx);
            }
            Op::DivS => self.div(inst, true, false, Size::Q),
            Op::DivU => self.div(inst, false, false, Size::Q),
            Op::RemS => self.div(inst, true, true, Size::Q),
            Op::RemU => self.div(inst, false, true, Size::Q),
            Op::DivS32 => self.div(inst, true, false, Size::D),
            Op::DivU32 => self.div(inst, false, false, Size::D),
            Op::RemS32 => self.div(inst, true, true, Size::D),
            Op::RemU32 => self.div(inst, false, true, Size::D),
            Op::Not | Op::Neg | Op::Bswap => {
                let d = self.dst_reg(inst.dst);
                self.load_into(d, a0);
                match inst.op {
                    Op::Not => self.a.unary(Unary::Not, Size::Q, d),
                    Op::Neg => self.a.unary(Unary::Neg, Size::Q, d),
                    _ => self.a.bswap(d),
                }
                self.write_back(inst.dst, d);
            }
            Op::Shl => self.shift(inst, Shift::Shl, Size::Q),
            Op::LShr => self.shift(inst, Shift::Shr, Size::Q),
            Op::AShr => self.shift(inst, Shift::Sar, Size::Q),
            Op::Rotl => self.shift(inst, Shift::Rol, Size::Q),
            Op::Rotr => self.shift(inst, Shift::Ror, Size::Q),
            Op::Shl32 => self.shift(inst, Shift::Shl, Size::D),
            Op::LShr32 => self.shift(inst, Shift::Shr, Size::D),
            Op::AShr32 => self.shift(inst, Shift::Sar, Size::D),
            Op::Rotl32 => self.shift(inst, Shift::Rol, Size::D),
            Op::Rotr32 => self.shift(inst, Shift::Ror, Size::D),
            Op::Clz | Op::Ctz | Op::Popcount | Op::Clz32 | Op::Ctz32 => self.count(inst, inst.op),
            Op::SExt8 | Op::SExt16 | Op::SExt32 | Op::ZExt8 | Op::ZExt16 | Op::ZExt32 => {
                let d = self.dst_reg(inst.dst);
                // A value in memory is extended straight from there.
                let a = match self.operand(a0) {
                    Operand::Mem(mem) => Rm::M(mem),
                    _ => Rm::R(self.reg_of(a0, Reg::Rcx)),
                };
                let m = match inst.op {
                    Op::SExt8 => MemOp::S8,
                    Op::SExt16 => MemOp::S16,
                    Op::SExt32 => MemOp::S32,
                    Op::ZExt8 => MemOp::U8,
                    Op::ZExt16 => MemOp::U16,
                    _ => MemOp::U32,
                };
                self.extend_rm(d, a, m);
                self.write_back(inst.dst, d);
            }
            Op::Cmp => {
                let d = self.dst_reg(inst.dst);
                let a = self.reg_of(a0, Reg::Rax);
                let b = self.operand(inst.args[1]);
                self.alu_operand(Alu::Cmp, Size::Q, a, b);
                self.a.setcc(cond_cc(Cond::from_imm(inst.imm)), d);
                self.a.movzx(Size::B, d, Rm::R(d));
                self.write_back(inst.dst, d);
            }
            Op::Select if inst.imm != 0 => {
                // Fused with its compare (see `fold`): cmp p, q; cmovcc.
                let cc = cond_cc(Cond::from_imm(inst.imm - 1));
                let d = self.dst_reg(inst.dst);
                if d == Reg::Rax {
                    // The result is spilled and needs rax, which p uses:
                    // the condition goes through rcx as a 0/1 value.
                    let p = self.reg_of(a0, Reg::Rax);
                    let q = self.operand(inst.args[1]);
                    self.alu_operand(Alu::Cmp, Size::Q, p, q);
                    self.a.setcc(cc, Reg::Rcx);
                    self.a.movzx(Size::B, Reg::Rcx, Rm::R(Reg::Rcx));
                    self.load_into(d, inst.args[3]);
                    let x = self.reg_of(inst.args[2], Reg::Rdx);
                    self.a.test_rr(Size::Q, Reg::Rcx, Reg::Rcx);
                    self.a.cmov(Cc::Ne, Size::Q, d, x);
                } else {
                    self.load_into(d, inst.args[3]);
                    let x = self.reg_of(inst.args[2], Reg::Rdx);
                    let p = self.reg_of(a0, Reg::Rax);
                    let q = self.operand(inst.args[1]);
                    self.alu_operand(Alu::Cmp, Size::Q, p, q);
                    self.a.cmov(cc, Size::Q, d, x);
                }
                self.write_back(inst.dst, d);
            }
            Op::Select => {
                let d = self.dst_reg(inst.dst);
                // Materialise everything before the test (mov of 0 is an xor).
                self.load_into(d, inst.args[2]);
                let b = self.reg_of(inst.args[1], Reg::Rdx);
                let c = self.reg_of(a0, Reg::Rcx);
                self.a.test_rr(Size::Q, c, c);
                self.a.cmov(Cc::Ne, Size::Q, d, b);
                self.write_back(inst.dst, d);
            }
            Op::Load => {
                let m = MemOp::from_imm(inst.imm);
                let mem = self.guest_mem(a0, self.disp[index]);
                let d = self.dst_reg(inst.dst);
                match (m.log2_size, m.signed) {
                    (0, false) => self.a.movzx(Size::B, d, Rm::M(mem)),
                    (1, false) => self.a.movzx(Size::W, d, Rm::M(mem)),
                    (2, false) => self.a.load(Size::D, d, mem),
                    (0, true) => self.a.movsx(Size::B, d, Rm::M(mem)),
                    (1, true) => self.a.movsx(Size::W, d, Rm::M(mem)),
                    (2, true) => self.a.movsx(Size::D, d, Rm::M(mem)),
                    _ => self.a.load(Size::Q, d, mem),
                }
                self.write_back(inst.dst, d);
            }
            Op::Store => {
                let m = MemOp::from_imm(inst.imm);
                let size = Size::from_log2(m.log2_size);
                let mem = self.guest_mem(a0, self.disp[index]);
                match self.loc(inst.args[1]) {
                    Loc::Imm(c) if size != Size::Q || fits_i32(c).is_some() => {
                        self.a.store_imm(size, mem, c as i32)
                    }
                    _ => {
                        let v = self.reg_of(inst.args[1], Reg::Rcx);
                        self.a.store(size, mem, v);
                    }
                }
            }
            Op::AtomicRmw => self.atomic_rmw(inst),
            Op::AtomicCas => self.atomic_cas(inst),
            Op::AtomicCas128 => self.atomic_cas128(inst),
            Op::CheckAlign => {
                self.aligned_addr(a0, inst.imm as u32);
            }
            Op::Fence => {
                if FenceKind::from_imm(inst.imm) == FenceKind::Full {
                    self.a.mfence();
                }
            }
            Op::Call => self.call(inst),
        }
    }

    /// The return-address stack entry of the current guest stack pointer:
    /// rax = its byte offset within `FRAME_RAS`.
    fn ras_entry(&mut self) {
        self.a
            .load(Size::D, Reg::Rax, Mem::base(Reg::Rbp, self.rt.sp_offset));
        self.a
            .alu_ri(Alu::And, Size::D, Reg::Rax, (RAS_ENTRIES - 1) << 3);
    }

    /// Points the return-address stack entry of the guest stack pointer at
    /// the call at this call site's return cell (for guest pc `ret`).
    fn push_return(&mut self, ret: u64) {
        self.ras_entry();
        let cell = self.a.label();
        self.a.lea_label(Reg::Rcx, cell);
        self.a
            .store(Size::Q, Mem::index(Reg::Rsp, Reg::Rax, FRAME_RAS), Reg::Rcx);
        self.return_cell = Some((cell, ret));
    }

    /// A return to the guest pc in rdx: if the entry of the current stack
    /// pointer predicts it, jump through its return cell (to the return
    /// block, or to the cell's stub leaving to have it filled); otherwise
    /// fall through.
    fn pop_return(&mut self) {
        let wrong = self.a.label();
        self.ras_entry();
        self.a
            .load(Size::Q, Reg::Rax, Mem::index(Reg::Rsp, Reg::Rax, FRAME_RAS));
        self.a
            .alu_rm(Alu::Cmp, Size::Q, Reg::Rdx, Mem::base(Reg::Rax, 8));
        self.a.jcc(Cc::Ne, wrong);
        self.a.jmp_m(Mem::base(Reg::Rax, 0));
        self.a.bind(wrong);
    }

    fn terminator(&mut self, term: &Terminator) {
        match *term {
            Terminator::Jump(pc) => self.chain_exit(pc),
            Terminator::Branch {
                cond,
                taken,
                not_taken,
            } => match self.loc(cond) {
                Loc::Imm(c) if self.fused.is_none() => {
                    self.chain_exit(if c != 0 { taken } else { not_taken })
                }
                _ if self.fused.is_some() => {
                    let (cond, a, b) = self.fused.unwrap();
                    let ra = self.reg_of(a, Reg::Rax);
                    match self.operand(b) {
                        Operand::Imm(0) => self.a.test_rr(Size::Q, ra, ra),
                        rb => self.alu_operand(Alu::Cmp, Size::Q, ra, rb),
                    }
                    self.branch_exits(cond_cc(cond), taken, not_taken);
                }
                _ => {
                    let c = self.reg_of(cond, Reg::Rcx);
                    self.a.test_rr(Size::Q, c, c);
                    self.branch_exits(Cc::Ne, taken, not_taken);
                }
            },
            Terminator::Indirect { target, kind } => {
                self.load_into(Reg::Rdx, target);
                if kind == IndirectKind::Return {
                    self.pop_return();
                }
                // Inline jump-cache probe: entry (guest pc, host code) at
                // table[(pc >> 1) & mask]; a hit jumps straight to the block.
                self.a.mov_rr(Size::D, Reg::Rcx, Reg::Rdx);
                self.a.shift_ri(Shift::Shr, Size::D, Reg::Rcx, 1);
                self.a
                    .alu_ri(Alu::And, Size::D, Reg::Rcx, JUMP_TABLE_MASK as i32);
                self.a.shift_ri(Shift::Shl, Size::D, Reg::Rcx, 4);
                self.a.alu_rm(
                    Alu::Add,
                    Size::Q,
                    Reg::Rcx,
                    Mem::base(Reg::Rsp, FRAME_JUMP_TABLE),
                );
                self.a
                    .alu_rm(Alu::Cmp, Size::Q, Reg::Rdx, Mem::base(Reg::Rcx, 0));
                let miss = self.a.label();
                self.a.jcc(Cc::Ne, miss);
                self.a.jmp_m(Mem::base(Reg::Rcx, 8));
                self.a.bind(miss);
                self.exit(EXIT_NEXT);
            }
            Terminator::Exit { reason, pc } => {
                self.a.mov_ri(Reg::Rdx, pc);
                self.exit(reason_kind(reason));
            }
        }
    }
}
