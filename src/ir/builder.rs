//! Builder: the one way frontends construct IR blocks.

use super::*;

/// Appends instructions to a block under construction.
pub struct Builder {
    pc: u64,
    insts: Vec<Inst>,
    num_values: u32,
}

macro_rules! unary_ops {
    ($($fn_name:ident => $op:ident),* $(,)?) => {
        $( pub fn $fn_name(&mut self, a: Value) -> Value { self.emit(Op::$op, &[a], 0) } )*
    };
}
macro_rules! binary_ops {
    ($($fn_name:ident => $op:ident),* $(,)?) => {
        $( pub fn $fn_name(&mut self, a: Value, b: Value) -> Value { self.emit(Op::$op, &[a, b], 0) } )*
    };
}

impl Builder {
    pub fn new(pc: u64) -> Builder {
        Builder {
            pc,
            insts: Vec::with_capacity(64),
            num_values: 0,
        }
    }

    /// Appends one instruction and returns its result (or `Value::NONE`).
    pub fn emit(&mut self, op: Op, args: &[Value], imm: u64) -> Value {
        debug_assert!(args.len() <= 4);
        let mut a = [Value::NONE; 4];
        a[..args.len()].copy_from_slice(args);
        let dst = if op.has_dst() {
            self.num_values += 1;
            Value(self.num_values - 1)
        } else {
            Value::NONE
        };
        self.insts.push(Inst {
            op,
            dst,
            args: a,
            imm,
        });
        dst
    }

    /// Number of instructions emitted so far.
    pub fn len(&self) -> usize {
        self.insts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.insts.is_empty()
    }

    /// Drops every instruction from index `len` on (used to abandon a
    /// partially translated guest instruction). Value numbering stays dense
    /// because values are only ever appended.
    pub fn truncate(&mut self, len: usize) {
        self.insts.truncate(len);
        self.num_values = self
            .insts
            .iter()
            .rev()
            .find(|i| !i.dst.is_none())
            .map_or(0, |i| i.dst.0 + 1);
    }

    pub fn finish(self, size: u64, insn_count: u32, term: Terminator) -> Block {
        Block {
            pc: self.pc,
            size,
            insn_count,
            insts: self.insts,
            num_values: self.num_values,
            term,
            call_return: None,
        }
    }

    pub fn const_(&mut self, imm: u64) -> Value {
        self.emit(Op::Const, &[], imm)
    }
    pub fn get_reg(&mut self, offset: usize) -> Value {
        self.emit(Op::GetReg, &[], offset as u64)
    }
    pub fn set_reg(&mut self, offset: usize, v: Value) {
        self.emit(Op::SetReg, &[v], offset as u64);
    }
    pub fn insn_start(&mut self, pc: u64) {
        self.emit(Op::InsnStart, &[], pc);
    }
    pub fn cmp(&mut self, cond: Cond, a: Value, b: Value) -> Value {
        self.emit(Op::Cmp, &[a, b], cond as u64)
    }
    pub fn select(&mut self, c: Value, t: Value, f: Value) -> Value {
        self.emit(Op::Select, &[c, t, f], 0)
    }
    pub fn load(&mut self, mem: MemOp, addr: Value) -> Value {
        self.emit(Op::Load, &[addr], mem.to_imm())
    }
    pub fn store(&mut self, mem: MemOp, addr: Value, v: Value) {
        self.emit(Op::Store, &[addr, v], mem.to_imm());
    }
    pub fn atomic_rmw(&mut self, op: RmwOp, mem: MemOp, addr: Value, v: Value) -> Value {
        self.emit(Op::AtomicRmw, &[addr, v], op.to_imm(mem))
    }
    pub fn atomic_cas(&mut self, mem: MemOp, addr: Value, expected: Value, new: Value) -> Value {
        self.emit(Op::AtomicCas, &[addr, expected, new], mem.to_imm())
    }
    /// 128-bit compare-and-swap against the pair at `state_offset` (which
    /// receives the old memory value); returns 1 if it stored.
    pub fn atomic_cas128(
        &mut self,
        addr: Value,
        lo: Value,
        hi: Value,
        state_offset: usize,
    ) -> Value {
        self.emit(Op::AtomicCas128, &[addr, lo, hi], state_offset as u64)
    }
    /// Faults (misaligned) unless `addr` is a multiple of `1 << log2`.
    pub fn check_align(&mut self, addr: Value, log2: u32) {
        self.emit(Op::CheckAlign, &[addr], log2 as u64);
    }
    pub fn fence(&mut self, kind: FenceKind) {
        self.emit(Op::Fence, &[], kind as u64);
    }
    /// Calls `helper(state, args...)`; up to four arguments, the rest are 0.
    pub fn call(&mut self, helper: &'static Helper, args: &[Value]) -> Value {
        self.emit(Op::Call, args, helper.to_imm())
    }

    unary_ops! {
        not => Not, neg => Neg, clz => Clz, ctz => Ctz, popcount => Popcount,
        clz32 => Clz32, ctz32 => Ctz32, bswap => Bswap,
        sext8 => SExt8, sext16 => SExt16, sext32 => SExt32,
        zext8 => ZExt8, zext16 => ZExt16, zext32 => ZExt32,
    }
    binary_ops! {
        add => Add, sub => Sub, mul => Mul, mulhs => MulHS, mulhu => MulHU, mulhsu => MulHSU,
        divs => DivS, divu => DivU, rems => RemS, remu => RemU,
        divs32 => DivS32, divu32 => DivU32, rems32 => RemS32, remu32 => RemU32,
        and => And, or => Or, xor => Xor,
        shl => Shl, lshr => LShr, ashr => AShr, rotl => Rotl, rotr => Rotr,
        shl32 => Shl32, lshr32 => LShr32, ashr32 => AShr32, rotl32 => Rotl32, rotr32 => Rotr32,
    }
}
