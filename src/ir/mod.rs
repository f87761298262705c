//! The intermediate representation between guest frontends and host backends.
//!
//! A [`Block`] is a straight-line list of [`Inst`]s in SSA form over 64-bit
//! [`Value`]s, ending in one explicit [`Terminator`]. Guest architectural
//! state is reached only through `GetReg`/`SetReg` with byte offsets into the
//! guest CPU state, so backends never know which guest they run.
//! Opcodes are declared once, in [`opcodes`].

mod builder;
mod opcodes;
mod printer;
pub mod vector;
mod verify;

pub use builder::Builder;
pub use opcodes::{ImmKind, Op};
pub use verify::{verify, VerifyError};

use std::fmt;

/// An SSA value: the result of one instruction in its block.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Value(pub u32);

impl Value {
    /// "No value": unused argument slots and the `dst` of instructions without a result.
    pub const NONE: Value = Value(u32::MAX);

    pub fn is_none(self) -> bool {
        self == Value::NONE
    }
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            write!(f, "_")
        } else {
            write!(f, "v{}", self.0)
        }
    }
}

/// One IR instruction. Argument slots past `op.num_args()` are `Value::NONE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inst {
    pub op: Op,
    pub dst: Value,
    pub args: [Value; 4],
    pub imm: u64,
}

/// Size and signedness of a memory access, packed into `Inst::imm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemOp {
    /// log2 of the access size in bytes: 0..=3.
    pub log2_size: u8,
    /// Sign-extend the loaded value (loads only).
    pub signed: bool,
}

impl MemOp {
    pub const U8: MemOp = MemOp {
        log2_size: 0,
        signed: false,
    };
    pub const U16: MemOp = MemOp {
        log2_size: 1,
        signed: false,
    };
    pub const U32: MemOp = MemOp {
        log2_size: 2,
        signed: false,
    };
    pub const U64: MemOp = MemOp {
        log2_size: 3,
        signed: false,
    };
    pub const S8: MemOp = MemOp {
        log2_size: 0,
        signed: true,
    };
    pub const S16: MemOp = MemOp {
        log2_size: 1,
        signed: true,
    };
    pub const S32: MemOp = MemOp {
        log2_size: 2,
        signed: true,
    };

    pub fn size(self) -> u64 {
        1 << self.log2_size
    }
    pub fn to_imm(self) -> u64 {
        self.log2_size as u64 | (self.signed as u64) << 2
    }
    pub fn from_imm(imm: u64) -> MemOp {
        MemOp {
            log2_size: (imm & 3) as u8,
            signed: imm & 4 != 0,
        }
    }
}

/// The operation of an atomic read-modify-write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RmwOp {
    Xchg,
    Add,
    And,
    Or,
    Xor,
    MinS,
    MaxS,
    MinU,
    MaxU,
}

impl RmwOp {
    pub const ALL: [RmwOp; 9] = [
        RmwOp::Xchg,
        RmwOp::Add,
        RmwOp::And,
        RmwOp::Or,
        RmwOp::Xor,
        RmwOp::MinS,
        RmwOp::MaxS,
        RmwOp::MinU,
        RmwOp::MaxU,
    ];
    /// `Inst::imm` of an `AtomicRmw`: the operation in bits 8.., the MemOp below.
    pub fn to_imm(self, mem: MemOp) -> u64 {
        (self as u64) << 8 | mem.to_imm()
    }
    pub fn from_imm(imm: u64) -> (RmwOp, MemOp) {
        (
            RmwOp::ALL[(imm >> 8) as usize % 9],
            MemOp::from_imm(imm & 0xff),
        )
    }
}

/// Comparison conditions for `Cmp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Cond {
    Eq,
    Ne,
    LtS,
    GeS,
    LtU,
    GeU,
    GtS,
    LeS,
    GtU,
    LeU,
}

impl Cond {
    pub const ALL: [Cond; 10] = [
        Cond::Eq,
        Cond::Ne,
        Cond::LtS,
        Cond::GeS,
        Cond::LtU,
        Cond::GeU,
        Cond::GtS,
        Cond::LeS,
        Cond::GtU,
        Cond::LeU,
    ];
    pub fn from_imm(imm: u64) -> Cond {
        Cond::ALL[imm as usize % Cond::ALL.len()]
    }
    pub fn eval(self, a: u64, b: u64) -> bool {
        let (sa, sb) = (a as i64, b as i64);
        match self {
            Cond::Eq => a == b,
            Cond::Ne => a != b,
            Cond::LtS => sa < sb,
            Cond::GeS => sa >= sb,
            Cond::LtU => a < b,
            Cond::GeU => a >= b,
            Cond::GtS => sa > sb,
            Cond::LeS => sa <= sb,
            Cond::GtU => a > b,
            Cond::LeU => a <= b,
        }
    }
}

/// Memory barrier strength. x86 is TSO, so only `Full` costs anything there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum FenceKind {
    /// Orders everything against everything (needs `mfence` on x86).
    Full,
    /// Weaker orderings that TSO already provides.
    Weak,
}

impl FenceKind {
    pub fn from_imm(imm: u64) -> FenceKind {
        if imm == 0 {
            FenceKind::Full
        } else {
            FenceKind::Weak
        }
    }
}

/// A helper function callable from IR: `f(state, a, b, c, d) -> result`.
/// Helpers are how frontends express operations too rich for the IR (soft
/// floating point, CSR side effects); backends only ever call them.
pub type HelperFn = unsafe extern "C" fn(state: *mut u8, a: u64, b: u64, c: u64, d: u64) -> u64;

/// A named helper. Frontends declare them as `static`s; `Call` points at one.
pub struct Helper {
    pub name: &'static str,
    pub func: HelperFn,
    /// Set when the helper is a scalar IEEE operation a backend may compute
    /// inline instead of calling it (the helper stays the fallback).
    pub fp: Option<FpInline>,
}

/// A floating-point helper a backend may inline, with the helper's exact
/// contract (the RISC-V one): operands are 64-bit register patterns (singles
/// NaN-boxed: an improperly boxed operand reads as the canonical NaN; results
/// are boxed), the last argument is a rounding-mode code (0 RNE, 1 RTZ, 2 RDN,
/// 3 RUP, 4 RMM, 7 = the `u64` at state offset `frm`, whose values 4..=7 the
/// backend must leave to the helper), every NaN result is the canonical NaN
/// (0x7ff8_0000_0000_0000 / boxed 0x7fc0_0000), and the raised exceptions are
/// ORed into the `u64` at state offset `fflags` as NV=16 DZ=8 OF=4 UF=2 NX=1
/// (tininess detected after rounding).
///
/// With [`FpFlavor::Arm`] the contract is the Arm one instead, for the
/// arithmetic operations only: singles are the low 32 bits of their
/// operands (results zero-extended), the rounding argument is 7 and the
/// `u64` at `frm` is FPCR (the backend may compute inline only while it is
/// 0: round to nearest, no flush-to-zero, no default NaN), `fflags` is
/// FPSR (IXC = 16), and every result a backend cannot prove it computes
/// exactly (NaN, infinite, zero or subnormal results, or IXC still clear)
/// is left to the helper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FpInline {
    pub op: FpOp,
    /// Double precision (else single).
    pub double: bool,
    pub frm: u32,
    pub fflags: u32,
    pub flavor: FpFlavor,
}

/// Whose floating-point rules an [`FpInline`] helper follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpFlavor {
    RiscV,
    Arm,
}

/// The operations [`FpInline`] describes: `a op b` (or `sqrt a`), rounded;
/// or a compare `a == b` (quiet: NV only for a signalling NaN), `a < b`,
/// `a <= b` (signalling: NV for any NaN), giving 0 or 1 with no `rm` argument;
/// or a fused multiply-add with one rounding (`a, b, c, rm`): `a*b + c`,
/// `a*b - c`, `-(a*b) + c`, `-(a*b) - c` (NV for inf*0 even with a quiet-NaN `c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FpOp {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    Eq,
    Lt,
    Le,
    MAdd,
    MSub,
    NMSub,
    NMAdd,
}

impl Helper {
    pub fn to_imm(&'static self) -> u64 {
        self as *const Helper as u64
    }
    /// # Safety
    /// `imm` must come from [`Helper::to_imm`].
    pub unsafe fn from_imm(imm: u64) -> &'static Helper {
        &*(imm as *const Helper)
    }
}

/// Why a block stops running translated code and returns to the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitReason {
    /// System call; `pc` is the instruction after the trap instruction.
    Syscall,
    /// Breakpoint instruction (SIGTRAP); `pc` is the breakpoint.
    Breakpoint,
    /// Undecodable or unsupported instruction (SIGILL); `pc` is that instruction.
    IllegalInstruction,
    /// The instruction at `pc` could not be fetched (SIGSEGV with si_addr = pc).
    FetchFault,
    /// The guest asked to synchronise its instruction stream (`fence.i`);
    /// `pc` is the next instruction.
    FlushICache,
}

/// Hint for indirect jumps: a `Return` is predicted by the JIT's
/// return-address stack (pushed by blocks with a `call_return`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndirectKind {
    Jump,
    Return,
}

/// How a block ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminator {
    /// Continue at a known guest pc.
    Jump(u64),
    /// Continue at `taken` if `cond` != 0, else at `not_taken`.
    Branch {
        cond: Value,
        taken: u64,
        not_taken: u64,
    },
    /// Continue at the guest pc held in `target`.
    Indirect { target: Value, kind: IndirectKind },
    /// Leave translated code for the engine.
    Exit { reason: ExitReason, pc: u64 },
}

/// Most IR instructions in one block: backends size their tables for it
/// (the x64 spill frame), frontends end blocks before reaching it.
pub const MAX_BLOCK_INSTS: usize = 1024;

/// A translated guest basic block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Guest pc of the first instruction.
    pub pc: u64,
    /// Guest bytes covered (`pc..pc + size`).
    pub size: u64,
    /// Guest instructions covered.
    pub insn_count: u32,
    pub insts: Vec<Inst>,
    /// Number of SSA values defined (values are `0..num_values`).
    pub num_values: u32,
    pub term: Terminator,
    /// The terminator is a call: the callee returns to this pc (the JIT
    /// pushes it on its return-address stack).
    pub call_return: Option<u64>,
}
