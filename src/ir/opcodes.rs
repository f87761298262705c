//! The IR opcode table: every opcode is declared exactly once, here.
//!
//! Each line gives the opcode, how many value arguments it takes, whether it
//! defines a result value, and what its `imm` field means. The printer, the
//! parser, the verifier and the backends all take their facts from this table.
//!
//! Values are 64 bits wide. Opcodes with a `32` suffix operate on the low 32
//! bits and zero-extend their result; frontends add `SExt32` where the guest
//! wants sign extension (riscv64 `*W` instructions).

/// What the `imm` field of an instruction holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmKind {
    /// Not used (must be 0).
    None,
    /// A 64-bit constant.
    Const,
    /// A byte offset into the guest CPU state.
    StateOffset,
    /// A [`MemOp`](super::MemOp): access size and signedness.
    MemOp,
    /// A [`RmwOp`](super::RmwOp) together with a [`MemOp`](super::MemOp).
    Rmw,
    /// A [`Cond`](super::Cond).
    Cond,
    /// A pointer to a `&'static` [`Helper`](super::Helper).
    Helper,
    /// A [`FenceKind`](super::FenceKind).
    Fence,
    /// A guest program counter.
    GuestPc,
}

macro_rules! define_opcodes {
    ($( $(#[$doc:meta])* $name:ident, $nargs:literal, $has_dst:literal, $imm:ident; )*) => {
        /// An IR opcode. See the table in `src/ir/opcodes.rs`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Op {
            $( $(#[$doc])* $name, )*
        }

        impl Op {
            /// Every opcode, in table order.
            pub const ALL: &'static [Op] = &[ $( Op::$name, )* ];

            /// The opcode's name as printed and parsed.
            pub const fn name(self) -> &'static str {
                match self { $( Op::$name => stringify!($name), )* }
            }
            /// Number of value arguments.
            pub const fn num_args(self) -> usize {
                match self { $( Op::$name => $nargs, )* }
            }
            /// Whether the instruction defines a result value.
            pub const fn has_dst(self) -> bool {
                match self { $( Op::$name => $has_dst, )* }
            }
            /// What the `imm` field means.
            pub const fn imm_kind(self) -> ImmKind {
                match self { $( Op::$name => ImmKind::$imm, )* }
            }
        }
    };
}

define_opcodes! {
    // name          args dst    imm
    /// dst = imm
    Const,           0, true,  Const;
    /// dst = u64 at state+imm
    GetReg,          0, true,  StateOffset;
    /// u64 at state+imm = a
    SetReg,          1, false, StateOffset;
    /// Marks the start of the guest instruction at pc imm (precise faults, `-d exec`).
    InsnStart,       0, false, GuestPc;

    /// dst = a + b
    Add,             2, true,  None;
    /// dst = a - b
    Sub,             2, true,  None;
    /// dst = low 64 bits of a * b
    Mul,             2, true,  None;
    /// dst = high 64 bits of signed a * signed b
    MulHS,           2, true,  None;
    /// dst = high 64 bits of unsigned a * unsigned b
    MulHU,           2, true,  None;
    /// dst = high 64 bits of signed a * unsigned b
    MulHSU,          2, true,  None;
    /// Signed division; b == 0 gives 0, MIN / -1 gives MIN.
    DivS,            2, true,  None;
    /// Unsigned division; b == 0 gives 0.
    DivU,            2, true,  None;
    /// Signed remainder; b == 0 gives a, MIN % -1 gives 0.
    RemS,            2, true,  None;
    /// Unsigned remainder; b == 0 gives a.
    RemU,            2, true,  None;
    /// 32-bit signed division (zero-extended result), same edge cases as DivS.
    DivS32,          2, true,  None;
    /// 32-bit unsigned division (zero-extended result).
    DivU32,          2, true,  None;
    /// 32-bit signed remainder (zero-extended result).
    RemS32,          2, true,  None;
    /// 32-bit unsigned remainder (zero-extended result).
    RemU32,          2, true,  None;

    /// dst = a & b
    And,             2, true,  None;
    /// dst = a | b
    Or,              2, true,  None;
    /// dst = a ^ b
    Xor,             2, true,  None;
    /// dst = !a
    Not,             1, true,  None;
    /// dst = -a
    Neg,             1, true,  None;
    /// dst = a << (b & 63)
    Shl,             2, true,  None;
    /// dst = a >> (b & 63), logical
    LShr,            2, true,  None;
    /// dst = a >> (b & 63), arithmetic
    AShr,            2, true,  None;
    /// dst = a rotated left by b & 63
    Rotl,            2, true,  None;
    /// dst = a rotated right by b & 63
    Rotr,            2, true,  None;
    /// dst = zext32(low32(a) << (b & 31))
    Shl32,           2, true,  None;
    /// dst = zext32(low32(a) >> (b & 31)), logical
    LShr32,          2, true,  None;
    /// dst = zext32(low32(a) >> (b & 31)), arithmetic
    AShr32,          2, true,  None;
    /// dst = zext32(low32(a) rotated left by b & 31)
    Rotl32,          2, true,  None;
    /// dst = zext32(low32(a) rotated right by b & 31)
    Rotr32,          2, true,  None;

    /// Count leading zeros (64 for 0).
    Clz,             1, true,  None;
    /// Count trailing zeros (64 for 0).
    Ctz,             1, true,  None;
    /// Population count.
    Popcount,        1, true,  None;
    /// Count leading zeros of the low 32 bits (32 for 0).
    Clz32,           1, true,  None;
    /// Count trailing zeros of the low 32 bits (32 for 0).
    Ctz32,           1, true,  None;
    /// Byte swap of all 8 bytes.
    Bswap,           1, true,  None;

    /// dst = sign-extend the low 8 bits
    SExt8,           1, true,  None;
    /// dst = sign-extend the low 16 bits
    SExt16,          1, true,  None;
    /// dst = sign-extend the low 32 bits
    SExt32,          1, true,  None;
    /// dst = zero-extend the low 8 bits
    ZExt8,           1, true,  None;
    /// dst = zero-extend the low 16 bits
    ZExt16,          1, true,  None;
    /// dst = zero-extend the low 32 bits
    ZExt32,          1, true,  None;

    /// dst = (a cond b) ? 1 : 0
    Cmp,             2, true,  Cond;
    /// dst = a != 0 ? b : c
    Select,          3, true,  None;

    /// dst = guest memory at address a (size and sign extension from imm)
    Load,            1, true,  MemOp;
    /// guest memory at address a = b (size from imm)
    Store,           2, false, MemOp;
    /// Atomically: dst = old value at a; memory = old <op> b. Naturally aligned or it faults.
    AtomicRmw,       2, true,  Rmw;
    /// Atomically: dst = old value at a; if old == b { memory = c }. Naturally aligned or it faults.
    AtomicCas,       3, true,  MemOp;
    /// Atomically at a (16-byte aligned or it faults): old = the 16 bytes
    /// there; if old == the two u64 at state+imm (low half first) { memory =
    /// b (low half), c (high half) }; then state+imm = old. dst = 1 if it
    /// stored, else 0. (128-bit exclusives and compare-and-swap pairs.)
    AtomicCas128,    3, true,  StateOffset;
    /// Faults as a misaligned access unless a is a multiple of 1 << imm
    /// (imm <= 4): exclusive loads, which must be aligned but load plainly.
    CheckAlign,      1, false, Const;
    /// Memory barrier.
    Fence,           0, false, Fence;

    /// dst = helper(state, a, b, c, d). Unused arguments are passed as 0.
    Call,            4, true,  Helper;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcode_names_are_unique() {
        let mut names: Vec<_> = Op::ALL.iter().map(|o| o.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Op::ALL.len());
    }

    #[test]
    fn table_order_matches_discriminants() {
        for (i, op) in Op::ALL.iter().enumerate() {
            assert_eq!(*op as usize, i);
        }
    }
}
