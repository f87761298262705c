//! Reference semantics of IR opcodes, pinned one by one.

use super::*;
use crate::ir::{Builder, Value};

/// Runs a block built by `f` over a 64-byte state and a 4 KiB "guest memory".
fn run(f: impl FnOnce(&mut Builder) -> Value) -> (u64, [u64; 8], Vec<u8>) {
    let mut b = Builder::new(0x1000);
    let v = f(&mut b);
    b.set_reg(0, v);
    let block = b.finish(4, 1, Terminator::Jump(0x1004));
    crate::ir::verify(&block).unwrap();
    let mut state = [0u64; 8];
    let mut mem = vec![0u8; 4096];
    let mut m = Machine::new(state.as_mut_ptr() as *mut u8, mem.as_mut_ptr(), 4096);
    let exit = unsafe { m.run(&compile(&block)) };
    assert_eq!(exit, BlockExit::Next(0x1004));
    (state[0], state, mem)
}

fn binop(op: Op, x: u64, y: u64) -> u64 {
    run(|b| {
        let (p, q) = (b.const_(x), b.const_(y));
        b.emit(op, &[p, q], 0)
    })
    .0
}

#[test]
fn division_edge_cases_are_total() {
    assert_eq!(binop(Op::DivS, 7, 0), 0);
    assert_eq!(binop(Op::DivU, 7, 0), 0);
    assert_eq!(binop(Op::RemS, 7, 0), 7);
    assert_eq!(binop(Op::RemU, 7, 0), 7);
    assert_eq!(
        binop(Op::DivS, i64::MIN as u64, -1i64 as u64),
        i64::MIN as u64
    );
    assert_eq!(binop(Op::RemS, i64::MIN as u64, -1i64 as u64), 0);
    assert_eq!(binop(Op::DivS, -7i64 as u64, 2), -3i64 as u64);
    assert_eq!(binop(Op::RemS, -7i64 as u64, 2), -1i64 as u64);
    assert_eq!(
        binop(Op::DivS32, i32::MIN as u32 as u64, -1i32 as u32 as u64),
        0x8000_0000
    );
    assert_eq!(binop(Op::RemS32, 0xffff_fff9, 2), 0xffff_ffff);
    assert_eq!(binop(Op::DivU32, 0x1_0000_0007, 0), 0);
    assert_eq!(binop(Op::RemU32, 0x1_0000_0007, 0), 7);
}

#[test]
fn high_multiplies() {
    assert_eq!(binop(Op::MulHU, u64::MAX, u64::MAX), u64::MAX - 1);
    assert_eq!(binop(Op::MulHS, -1i64 as u64, -1i64 as u64), 0);
    assert_eq!(binop(Op::MulHSU, -1i64 as u64, u64::MAX), u64::MAX);
    assert_eq!(binop(Op::MulHSU, 2, u64::MAX), 1);
}

#[test]
fn shifts_mask_their_amount_and_32_bit_ops_zero_extend() {
    assert_eq!(binop(Op::Shl, 1, 65), 2);
    assert_eq!(binop(Op::AShr, 0x8000_0000_0000_0000, 63), u64::MAX);
    assert_eq!(binop(Op::Shl32, 0x8000_0001, 33), 2);
    assert_eq!(binop(Op::AShr32, 0x8000_0000, 31), 0xffff_ffff);
    assert_eq!(binop(Op::Rotr32, 1, 1), 0x8000_0000);
    assert_eq!(binop(Op::Rotl, 0x8000_0000_0000_0000, 1), 1);
}

#[test]
fn comparisons_and_select() {
    assert_eq!(
        run(|b| {
            let (x, y) = (b.const_(-1i64 as u64), b.const_(1));
            b.cmp(Cond::LtS, x, y)
        })
        .0,
        1
    );
    assert_eq!(
        run(|b| {
            let (x, y) = (b.const_(-1i64 as u64), b.const_(1));
            b.cmp(Cond::LtU, x, y)
        })
        .0,
        0
    );
    assert_eq!(
        run(|b| {
            let (c, t, f) = (b.const_(0), b.const_(5), b.const_(9));
            b.select(c, t, f)
        })
        .0,
        9
    );
}

#[test]
fn loads_extend_and_stores_truncate() {
    let (v, _, mem) = run(|b| {
        let (addr, val) = (b.const_(0x10), b.const_(0x1234_5678_9abc_def0));
        b.store(MemOp::U64, addr, val);
        let a2 = b.const_(0x20);
        b.store(MemOp::U16, a2, val);
        b.load(MemOp::S8, addr)
    });
    assert_eq!(v, 0xffff_ffff_ffff_fff0);
    assert_eq!(&mem[0x20..0x23], &[0xf0, 0xde, 0]);
}

#[test]
fn atomics_return_old_value_and_compare_by_op_signedness() {
    let (v, state, mem) = run(|b| {
        let addr = b.const_(0x40);
        let init = b.const_(5);
        b.store(MemOp::U32, addr, init);
        let minus = b.const_(-3i64 as u64);
        let old = b.atomic_rmw(RmwOp::MinS, MemOp::S32, addr, minus);
        b.set_reg(8, old);
        let exp = b.const_(-3i64 as u64);
        let new = b.const_(77);
        b.atomic_cas(MemOp::S32, addr, exp, new)
    });
    assert_eq!(state[1], 5);
    assert_eq!(v, -3i64 as u64);
    assert_eq!(u32::from_le_bytes(mem[0x40..0x44].try_into().unwrap()), 77);
}

#[test]
fn misaligned_atomic_and_out_of_space_access_fault() {
    let mut b = Builder::new(0);
    b.insn_start(0x1234);
    let addr = b.const_(0x41);
    let one = b.const_(1);
    b.atomic_rmw(RmwOp::Add, MemOp::U32, addr, one);
    let block = b.finish(4, 1, Terminator::Jump(4));
    let (mut state, mut mem) = ([0u64; 1], vec![0u8; 4096]);
    let mut m = Machine::new(state.as_mut_ptr() as *mut u8, mem.as_mut_ptr(), 4096);
    assert_eq!(
        unsafe { m.run(&compile(&block)) },
        BlockExit::BadAccess {
            pc: 0x1234,
            addr: 0x41,
            misaligned: true
        }
    );

    let mut b = Builder::new(0);
    b.insn_start(0x10);
    let addr = b.const_(4093);
    b.load(MemOp::U32, addr);
    let block = b.finish(4, 1, Terminator::Jump(4));
    assert_eq!(
        unsafe { m.run(&compile(&block)) },
        BlockExit::BadAccess {
            pc: 0x10,
            addr: 4093,
            misaligned: false
        }
    );
}

#[test]
fn helpers_get_state_and_arguments() {
    unsafe extern "C" fn sum(state: *mut u8, a: u64, b: u64, c: u64, d: u64) -> u64 {
        *(state as *const u64).add(7) + a + b + c + d
    }
    static SUM: Helper = Helper {
        name: "sum",
        func: sum,
        fp: None,
    };
    let (v, ..) = run(|b| {
        let x = b.const_(1);
        let y = b.const_(10);
        b.call(&SUM, &[x, y])
    });
    assert_eq!(v, 11);
}

/// A 16-byte-aligned 4 KiB guest memory (the host address must be aligned
/// for the 128-bit compare-and-swap, as a real page-aligned guest base is).
fn aligned_mem() -> Vec<u128> {
    vec![0u128; 256]
}

/// `state[1] = AtomicCas128(0x40, state[4], state[5])` against the pair at
/// state[2..4].
fn cas128_block() -> crate::backend::interp::Code {
    let mut b = Builder::new(0x1000);
    let addr = b.const_(0x40);
    let lo = b.get_reg(32);
    let hi = b.get_reg(40);
    let ok = b.atomic_cas128(addr, lo, hi, 16);
    b.set_reg(8, ok);
    let block = b.finish(4, 1, Terminator::Jump(0x1004));
    crate::ir::verify(&block).unwrap();
    compile(&block)
}

#[test]
fn cas128_compares_both_halves_and_leaves_the_old_value_in_state() {
    let code = cas128_block();
    let mut mem = aligned_mem();
    mem[4] = 0x2222_0000_0000_0000_0000_0000_0000_1111;
    let mut state = [0u64; 8];
    let mut m = Machine::new(
        state.as_mut_ptr() as *mut u8,
        mem.as_mut_ptr() as *mut u8,
        4096,
    );
    // The low half matches, the high one does not: no store, old in state.
    state[2..6].copy_from_slice(&[0x1111, 0x2223 << 48, 5, 6]);
    assert_eq!(unsafe { m.run(&code) }, BlockExit::Next(0x1004));
    assert_eq!((state[1], state[2], state[3]), (0, 0x1111, 0x2222 << 48));
    assert_eq!(mem[4], 0x2222_0000_0000_0000_0000_0000_0000_1111);
    // Now it matches: stored, the pair unchanged.
    assert_eq!(unsafe { m.run(&code) }, BlockExit::Next(0x1004));
    assert_eq!((state[1], state[2], state[3]), (1, 0x1111, 0x2222 << 48));
    assert_eq!(mem[4], 6 << 64 | 5);
}

#[test]
fn cas128_is_atomic_between_threads() {
    const THREADS: u64 = 4;
    const ITERS: u64 = 20_000;
    let mut mem = aligned_mem();
    let base = mem.as_mut_ptr() as usize;
    let code = std::sync::Arc::new(cas128_block());
    let start = std::sync::Arc::new(std::sync::Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let start = start.clone();
            let code = code.clone();
            std::thread::spawn(move || {
                let mut state = [0u64; 8];
                let mut m = Machine::new(state.as_mut_ptr() as *mut u8, base as *mut u8, 4096);
                start.wait();
                for _ in 0..ITERS {
                    // Increment (lo, hi) by (1, 2); a failure leaves the
                    // current value as the next expectation.
                    loop {
                        state[4] = state[2] + 1;
                        state[5] = state[3] + 2;
                        unsafe { m.run(&code) };
                        if state[1] == 1 {
                            break;
                        }
                    }
                    state[2] += 1;
                    state[3] += 2;
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let total = THREADS * ITERS;
    assert_eq!(mem[4], ((2 * total) as u128) << 64 | total as u128);
}

#[test]
fn check_align_faults_only_when_misaligned() {
    for (addr, log2, bad) in [
        (0x40, 4, false),
        (0x48, 4, true),
        (0x48, 3, false),
        (0x41, 1, true),
        (0x41, 0, false),
    ] {
        let mut b = Builder::new(0);
        b.insn_start(0x1234);
        let a = b.const_(addr);
        b.check_align(a, log2);
        let block = b.finish(4, 1, Terminator::Jump(4));
        crate::ir::verify(&block).unwrap();
        let (mut state, mut mem) = ([0u64; 1], vec![0u8; 4096]);
        let mut m = Machine::new(state.as_mut_ptr() as *mut u8, mem.as_mut_ptr(), 4096);
        let want = if bad {
            BlockExit::BadAccess {
                pc: 0x1234,
                addr,
                misaligned: true,
            }
        } else {
            BlockExit::Next(4)
        };
        assert_eq!(unsafe { m.run(&compile(&block)) }, want, "{addr:#x} {log2}");
    }
}
