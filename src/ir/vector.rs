//! Generic vector operations on the guest state (QEMU's "gvec" idea): one
//! helper, [`VECTOR`], computes `state[d] = op(state[n], state[m])` on
//! 128-bit (or 64-bit) vectors of 8/16/32/64-bit lanes held in the guest
//! state at byte offsets d, n and m. Frontends call it for the Advanced
//! SIMD / vector operations software runs hot (string functions,
//! vectorised loops); backends may compute it inline (the x64 JIT does,
//! with SSE2) and call the helper for anything else, so the helper is the
//! one definition of the semantics. To the IR passes it is an ordinary
//! helper call that reads and writes the guest state.
//!
//! Arguments: `a` = [`VecOp`] | log2(lane bytes) << 8 | q << 10 |
//! zero-m << 11 | shift << 16 (see [`VecArgs`]); `b`, `c`, `d` = the byte
//! offsets of d, n and m. With q clear the operands are their low 64 bits
//! and the result's upper 64 bits are zeroed; with zero-m set, m reads as 0.

use super::Helper;

/// The operations, on lanes of the given size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum VecOp {
    Add,
    Sub,
    /// All ones where n == m, else zero.
    CmpEq,
    /// Signed n > m.
    CmpGtS,
    /// Signed n >= m.
    CmpGeS,
    /// Unsigned n > m.
    CmpGtU,
    /// Unsigned n >= m.
    CmpGeU,
    MaxU,
    MinU,
    MaxS,
    MinS,
    /// Pairwise over the concatenation n:m: adjacent lanes added, n's
    /// pairs in the low half of the result, m's in the high half.
    AddPair,
    MaxPairU,
    MinPairU,
    /// Narrowing shift right: lanes of twice the size of n, shifted right
    /// by `shift` and truncated, fill the low 64 bits (q clear) or the
    /// high 64 bits, keeping the low ones (q set).
    ShiftRightNarrow,
    /// Each lane of n shifted left by `shift` (0 when it is the lane size
    /// or more).
    ShiftLeft,
    /// Logical shift right by `shift` (0 from the lane size on).
    ShiftRightU,
    /// Arithmetic shift right by `shift` (the sign from the lane size on).
    ShiftRightS,
    /// Widening: the lanes of the low (q clear) or high (q set) 64 bits of
    /// n, zero-extended to twice their size and shifted left by `shift`,
    /// make the whole 128-bit result. `size` is the source lane size.
    WidenU,
    /// As [`VecOp::WidenU`], sign-extending.
    WidenS,
}

impl VecOp {
    pub const ALL: [VecOp; 20] = [
        VecOp::Add,
        VecOp::Sub,
        VecOp::CmpEq,
        VecOp::CmpGtS,
        VecOp::CmpGeS,
        VecOp::CmpGtU,
        VecOp::CmpGeU,
        VecOp::MaxU,
        VecOp::MinU,
        VecOp::MaxS,
        VecOp::MinS,
        VecOp::AddPair,
        VecOp::MaxPairU,
        VecOp::MinPairU,
        VecOp::ShiftRightNarrow,
        VecOp::ShiftLeft,
        VecOp::ShiftRightU,
        VecOp::ShiftRightS,
        VecOp::WidenU,
        VecOp::WidenS,
    ];
}

/// The unpacked `a` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VecArgs {
    pub op: VecOp,
    /// log2 of the lane size in bytes (0..=3); for [`VecOp::ShiftRightNarrow`]
    /// the size of the result's lanes (0..=2).
    pub size: u32,
    /// 128-bit operation (else 64-bit).
    pub q: bool,
    /// m reads as zero (compares against zero).
    pub zero_m: bool,
    pub shift: u32,
}

impl VecArgs {
    pub fn pack(self) -> u64 {
        self.op as u64
            | (self.size as u64) << 8
            | (self.q as u64) << 10
            | (self.zero_m as u64) << 11
            | (self.shift as u64) << 16
    }

    /// `None` for values [`Self::pack`] does not make.
    pub fn unpack(a: u64) -> Option<VecArgs> {
        let op = *VecOp::ALL.get((a & 0xff) as usize)?;
        let size = (a >> 8 & 3) as u32;
        let q = a >> 10 & 1 == 1;
        let pairwise = matches!(op, VecOp::AddPair | VecOp::MaxPairU | VecOp::MinPairU);
        // No narrowing to or widening from 64-bit lanes; no pairs of one
        // 64-bit lane.
        let resizes = matches!(op, VecOp::ShiftRightNarrow | VecOp::WidenU | VecOp::WidenS);
        if (resizes || pairwise && !q) && size == 3 {
            return None;
        }
        Some(VecArgs {
            op,
            size,
            q,
            zero_m: a >> 11 & 1 == 1,
            shift: (a >> 16 & 0xff) as u32,
        })
    }
}

/// The helper; see the module comment for its arguments.
pub static VECTOR: Helper = Helper {
    name: "vector",
    func: vector_helper,
    fp: None,
};

unsafe extern "C" fn vector_helper(state: *mut u8, a: u64, d: u64, n: u64, m: u64) -> u64 {
    let args = VecArgs::unpack(a).expect("VECTOR: bad operation word");
    let read = |off: u64| {
        // SAFETY: frontends pass offsets of 16-byte vector registers
        // inside the guest state.
        let p = unsafe { state.add(off as usize) } as *const u128;
        unsafe { p.read_unaligned() }
    };
    let vm = if args.zero_m { 0 } else { read(m) };
    let r = apply(args, read(n), vm, read(d));
    // SAFETY: as above.
    unsafe { (state.add(d as usize) as *mut u128).write_unaligned(r) };
    0
}

fn lane(v: u128, i: u32, bits: u32) -> u64 {
    (v >> (i * bits)) as u64 & mask(bits)
}

fn mask(bits: u32) -> u64 {
    if bits == 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

fn signed(v: u64, bits: u32) -> i64 {
    ((v << (64 - bits)) as i64) >> (64 - bits)
}

/// The operation on whole vectors: `d_old` is the destination's previous
/// value (kept by the high-half narrowing form).
pub fn apply(args: VecArgs, n: u128, m: u128, d_old: u128) -> u128 {
    let width = if args.q { 128 } else { 64 };
    let low = |v: u128| if args.q { v } else { v & u64::MAX as u128 };
    let full_n = n;
    let (n, m) = (low(n), low(m));
    let bits = 8 << args.size;
    let lanes = width / bits;
    let ones = mask(bits);
    let bool_lane = |b: bool| if b { ones } else { 0 };
    let lanewise = |f: &dyn Fn(u64, u64) -> u64| {
        (0..lanes).fold(0u128, |r, i| {
            r | ((f(lane(n, i, bits), lane(m, i, bits)) & ones) as u128) << (i * bits)
        })
    };
    let pairwise = |f: &dyn Fn(u64, u64) -> u64| {
        (0..lanes).fold(0u128, |r, i| {
            let src = if i < lanes / 2 { n } else { m };
            let j = 2 * (i % (lanes / 2));
            let v = f(lane(src, j, bits), lane(src, j + 1, bits)) & ones;
            r | (v as u128) << (i * bits)
        })
    };
    let s = |v: u64| signed(v, bits);
    match args.op {
        VecOp::Add => lanewise(&|x, y| x.wrapping_add(y)),
        VecOp::Sub => lanewise(&|x, y| x.wrapping_sub(y)),
        VecOp::CmpEq => lanewise(&|x, y| bool_lane(x == y)),
        VecOp::CmpGtS => lanewise(&|x, y| bool_lane(s(x) > s(y))),
        VecOp::CmpGeS => lanewise(&|x, y| bool_lane(s(x) >= s(y))),
        VecOp::CmpGtU => lanewise(&|x, y| bool_lane(x > y)),
        VecOp::CmpGeU => lanewise(&|x, y| bool_lane(x >= y)),
        VecOp::MaxU => lanewise(&|x, y| x.max(y)),
        VecOp::MinU => lanewise(&|x, y| x.min(y)),
        VecOp::MaxS => lanewise(&|x, y| s(x).max(s(y)) as u64),
        VecOp::MinS => lanewise(&|x, y| s(x).min(s(y)) as u64),
        VecOp::ShiftLeft => lanewise(&|x, _| x.checked_shl(args.shift).unwrap_or(0)),
        VecOp::ShiftRightU => lanewise(&|x, _| x.checked_shr(args.shift).unwrap_or(0)),
        VecOp::ShiftRightS => lanewise(&|x, _| (s(x) >> args.shift.min(63)) as u64),
        VecOp::WidenU | VecOp::WidenS => {
            let src = if args.q {
                (full_n >> 64) as u64
            } else {
                full_n as u64
            };
            let wide = 2 * bits;
            (0..64 / bits).fold(0u128, |r, i| {
                let x = lane(src as u128, i, bits);
                let x = if args.op == VecOp::WidenS {
                    s(x) as u64
                } else {
                    x
                };
                let v = x.checked_shl(args.shift).unwrap_or(0) & mask(wide);
                r | (v as u128) << (i * wide)
            })
        }
        VecOp::AddPair => pairwise(&|x, y| x.wrapping_add(y)),
        VecOp::MaxPairU => pairwise(&|x, y| x.max(y)),
        VecOp::MinPairU => pairwise(&|x, y| x.min(y)),
        VecOp::ShiftRightNarrow => {
            // 64 result bits from the whole 128-bit n, whatever q says.
            let wide = 2 * bits;
            let narrowed = (0..64 / bits).fold(0u64, |r, i| {
                let v = (lane(full_n, i, wide) >> args.shift) & ones;
                r | v << (i * bits)
            });
            if args.q {
                (d_old & u64::MAX as u128) | (narrowed as u128) << 64
            } else {
                narrowed as u128
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(op: VecOp, size: u32, q: bool) -> VecArgs {
        VecArgs {
            op,
            size,
            q,
            zero_m: false,
            shift: 0,
        }
    }

    #[test]
    fn packing_round_trips() {
        for op in VecOp::ALL {
            let a = VecArgs {
                op,
                size: 1,
                q: true,
                zero_m: true,
                shift: 9,
            };
            assert_eq!(VecArgs::unpack(a.pack()), Some(a));
        }
        assert_eq!(VecArgs::unpack(0xff), None);
    }

    #[test]
    fn lanes_compute_as_defined() {
        let n = 0x0001_00ff_7f80_1234_0000_0000_ffff_0102u128;
        let m = 0x0001_0100_8080_1234_0000_0001_fffe_0201u128;
        assert_eq!(
            apply(args(VecOp::CmpEq, 0, true), n, m, 0),
            0xffff_0000_00ff_ffff_ffff_ff00_ff00_0000
        );
        // 64-bit operations see the low halves and zero the high one.
        assert_eq!(
            apply(args(VecOp::Add, 1, false), n, m, 0),
            0x0000_0001_fffd_0303
        );
        assert_eq!(apply(args(VecOp::CmpGtS, 0, false), 0x7f, 0x80, 0), 0xff);
        assert_eq!(apply(args(VecOp::CmpGtU, 0, false), 0x7f, 0x80, 0), 0);
        // Pairwise: n's pairs low, m's high.
        assert_eq!(
            apply(
                args(VecOp::MaxPairU, 0, false),
                0x0102_0304_0506_0708,
                0x1122_3344_5566_7788,
                0
            ),
            0x2244_6688_0204_0608
        );
        assert_eq!(
            apply(args(VecOp::AddPair, 3, true), 1 | 2 << 64, 3 | 4 << 64, 0),
            3 | 7 << 64
        );
        // ushr/sshr/shl by immediate, also by the whole lane.
        let mut sh = args(VecOp::ShiftRightS, 1, false);
        sh.shift = 16;
        assert_eq!(
            apply(sh, 0x8000_7fff_0001_fffe, 0, 0),
            0xffff_0000_0000_ffff
        );
        sh.op = VecOp::ShiftRightU;
        sh.shift = 4;
        assert_eq!(
            apply(sh, 0x8000_7fff_0001_fffe, 0, 0),
            0x0800_07ff_0000_0fff
        );
        sh.op = VecOp::ShiftLeft;
        sh.shift = 15;
        assert_eq!(
            apply(sh, 0x8000_7fff_0001_fffe, 0, 0),
            0x0000_8000_8000_0000
        );
        // uxtl2 v.4s, v.8h and sshll v.8h, v.8b, #1.
        let mut w = args(VecOp::WidenU, 1, true);
        assert_eq!(
            apply(w, 0x8001_0002_0003_0004u128 << 64, 0, 0),
            0x8001_0000_0002_0000_0003_0000_0004
        );
        w = args(VecOp::WidenS, 0, false);
        w.shift = 1;
        assert_eq!(
            apply(w, 0x0102_0304_0506_ff80, 0, 0),
            0x0002_0004_0006_0008_000a_000c_fffe_ff00
        );
        // shrn v.8b, v.8h, #4 and shrn2 keeping the low half.
        let mut a = args(VecOp::ShiftRightNarrow, 0, false);
        a.shift = 4;
        let n = 0xfff0_0f00_1230_0ab0_0040_8000_ffff_0010u128;
        assert_eq!(apply(a, n, 0, 0), 0xff_f0_23_ab_04_00_ff_01);
        a.q = true;
        assert_eq!(
            apply(a, n, 0, 0x55),
            0x55 | (0xff_f0_23_ab_04_00_ff_01u128) << 64
        );
    }
}
