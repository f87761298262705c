//! The JIT against the interpreter (the oracle) on the same IR blocks:
//! every opcode, MemOp, Cond, RmwOp, helper calls, terminators and precise
//! faults, with random operands from a fixed seed, with operands in
//! registers, constants and spill slots (register pressure, calls).

use super::*;
use crate::backend::interp::{self, BlockExit, Machine};
use crate::ir::{Builder, Cond, FenceKind, Helper, MemOp, Op, RmwOp, Terminator, Value};

const MEM: usize = 4096;
/// Guest memory: one RW page, then a PROT_NONE page (faults).
struct Memory(*mut u8);

impl Memory {
    fn new() -> Memory {
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                2 * MEM,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        unsafe { libc::mprotect((p as *mut u8).add(MEM) as _, MEM, libc::PROT_NONE) };
        Memory(p as *mut u8)
    }
    #[allow(clippy::mut_from_ref)]
    fn bytes(&self) -> &mut [u8] {
        unsafe { std::slice::from_raw_parts_mut(self.0, MEM) }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        unsafe { libc::munmap(self.0 as _, 2 * MEM) };
    }
}

/// Big enough to be a riscv64 `Cpu` (the FP helpers read frm and write fflags).
type State = [u64; 72];
/// Where the tests' state keeps the exit request (always 0 here).
const EXIT_REQUEST: usize = 71 * 8;

/// (exit, state, memory) of one run; faults are reported as BadAccess with
/// misaligned = false, like the interpreter's own out-of-range accesses.
type Outcome = (BlockExit, State, Vec<u8>);

fn run_interp(block: &Block, state: &State, mem: &[u8]) -> Outcome {
    let m = Memory::new();
    m.bytes().copy_from_slice(mem);
    let mut st = *state;
    st[EXIT_REQUEST / 8] = 0; // a real CPU's is clear
    let code = interp::compile(block);
    let mut machine = Machine::new(st.as_mut_ptr() as *mut u8, m.0, 2 * MEM as u64);
    let r = crate::mem::guarded(|| unsafe { machine.run(&code) });
    let exit = match r {
        Ok(e) => e,
        Err(f) => BlockExit::BadAccess {
            pc: machine.insn_pc,
            addr: (f.host_addr - m.0 as usize) as u64,
            misaligned: false,
        },
    };
    (exit, st, m.bytes().to_vec())
}

fn run_jit(jit: &mut Jit, block: &Block, state: &State, mem: &[u8]) -> Outcome {
    let m = Memory::new();
    m.bytes().copy_from_slice(mem);
    let mut st = *state;
    st[EXIT_REQUEST / 8] = 0; // a real CPU's is clear
    let entry = jit.compile(block);
    let sp = st.as_mut_ptr() as *mut u8;
    let r = crate::mem::guarded(|| unsafe { jit.run(sp, m.0, entry) });
    let exit = match r {
        Ok(
            JitExit::Chain { pc, .. }
            | JitExit::Next(pc)
            | JitExit::Return { pc, .. }
            | JitExit::Interrupted(pc),
        ) => BlockExit::Next(pc),
        Ok(JitExit::Exit(r, pc)) => BlockExit::Exit(r, pc),
        Ok(JitExit::Misaligned { pc, addr }) => BlockExit::BadAccess {
            pc,
            addr,
            misaligned: true,
        },
        Err(f) => BlockExit::BadAccess {
            pc: jit
                .guest_pc_at(f.host_pc)
                .expect("fault inside translated code"),
            addr: (f.host_addr - m.0 as usize) as u64,
            misaligned: false,
        },
    };
    (exit, st, m.bytes().to_vec())
}

fn same(jit: &mut Jit, block: &Block, state: &State, mem: &[u8]) -> Outcome {
    crate::ir::verify(block).unwrap();
    let want = run_interp(block, state, mem);
    let got = run_jit(jit, block, state, mem);
    if want != got {
        let mut code = Vec::new();
        let e = jit.lookup(block.pc).unwrap();
        code.extend_from_slice(unsafe { std::slice::from_raw_parts(e.entry as *const u8, e.len) });
        let regs: Vec<String> = (0..want.1.len())
            .filter(|&i| want.1[i] != got.1[i])
            .map(|i| format!("state[{i}] {:#x} != {:#x}", want.1[i], got.1[i]))
            .collect();
        let bytes: Vec<usize> = (0..MEM).filter(|&i| want.2[i] != got.2[i]).collect();
        panic!(
            "JIT differs from interpreter\n{block}\nexit {:?} / {:?}\n{regs:?}\nmemory differs at {bytes:x?}\n{}",
            want.0,
            got.0,
            disassemble(&code, e.entry as u64)
        );
    }
    got
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Random values biased towards edge cases.
    fn value(&mut self) -> u64 {
        const EDGES: [u64; 14] = [
            0,
            1,
            2,
            31,
            32,
            63,
            64,
            u64::MAX,
            i64::MIN as u64,
            i64::MAX as u64,
            0x8000_0000,
            0xffff_ffff,
            0x7fff_ffff,
            0xffff_ffff_8000_0000,
        ];
        match self.next() % 4 {
            0 => EDGES[(self.next() % EDGES.len() as u64) as usize],
            1 => self.next() % 100,
            _ => self.next(),
        }
    }
}

fn jit() -> Jit {
    Jit::new(4 << 20, 16, EXIT_REQUEST).expect("the JIT runs on this host")
}

/// How operands reach the operation under test.
#[derive(Clone, Copy, Debug)]
enum Shape {
    /// All operands from guest registers.
    Regs,
    /// The last operand is a constant.
    ConstLast,
    /// The first operand is a constant.
    ConstFirst,
    /// Many values live across the operation: everything spills.
    Pressure,
    /// Values live across a helper call: callee-saved registers and slots.
    AcrossCall,
}

const SHAPES: [Shape; 5] = [
    Shape::Regs,
    Shape::ConstLast,
    Shape::ConstFirst,
    Shape::Pressure,
    Shape::AcrossCall,
];

unsafe extern "C" fn test_helper(state: *mut u8, a: u64, b: u64, c: u64, d: u64) -> u64 {
    let s0 = *(state as *const u64);
    (a.wrapping_mul(3) ^ b)
        .wrapping_add(c.rotate_left(7))
        .wrapping_sub(d)
        ^ s0
}
static TEST_HELPER: Helper = Helper {
    name: "test_helper",
    func: test_helper,
    fp: None,
};

/// A block computing `op(args...)` into state[4], with `shape`'s extra pressure.
fn op_block(op: Op, imm: u64, args: &[u64], shape: Shape) -> (Block, State) {
    let mut b = Builder::new(0x1000);
    let mut st: State = [0; 72];
    for (i, s) in st.iter_mut().enumerate() {
        *s = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    let n = args.len();
    let live: Vec<Value> = match shape {
        Shape::Pressure => (0..20).map(|i| b.get_reg(8 * (10 + i))).collect(),
        Shape::AcrossCall => (0..6).map(|i| b.get_reg(8 * (10 + i))).collect(),
        _ => Vec::new(),
    };
    let mut vals = Vec::new();
    for (i, &a) in args.iter().enumerate() {
        let konst = match shape {
            Shape::ConstLast => i == n - 1,
            Shape::ConstFirst => i == 0,
            _ => false,
        };
        if konst {
            vals.push(b.const_(a));
        } else {
            st[i] = a;
            vals.push(b.get_reg(8 * i));
        }
    }
    if let Shape::AcrossCall = shape {
        let c = b.call(&TEST_HELPER, &[vals[0], live[0], live[1], live[2]]);
        b.set_reg(8 * 5, c);
    }
    let r = b.emit(op, &vals, imm);
    if op.has_dst() {
        b.set_reg(8 * 4, r);
    }
    if let Shape::AcrossCall = shape {
        let c = b.call(&TEST_HELPER, &[r, vals[n - 1], live[3], live[4]]);
        b.set_reg(8 * 6, c);
    }
    let mut sum = b.const_(0);
    for v in live {
        sum = b.xor(sum, v);
        sum = b.emit(Op::Rotl, &[sum, vals[0]], 0);
    }
    b.set_reg(8 * 7, sum);
    (b.finish(4, 1, Terminator::Jump(0x1004)), st)
}

#[test]
fn every_pure_opcode_matches_the_interpreter() {
    let mut j = jit();
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mem = vec![0u8; MEM];
    let mut tested = 0;
    for &op in Op::ALL {
        if interp::eval_pure(op, [1, 2, 3, 0], 0).is_none() {
            continue;
        }
        let imms: Vec<u64> = if op == Op::Cmp {
            (0..Cond::ALL.len() as u64).collect()
        } else {
            vec![0]
        };
        for &imm in &imms {
            for shape in SHAPES {
                for _ in 0..40 {
                    let args: Vec<u64> = (0..op.num_args()).map(|_| rng.value()).collect();
                    let (block, st) = op_block(op, imm, &args, shape);
                    same(&mut j, &block, &st, &mem);
                }
            }
        }
        tested += 1;
    }
    assert!(tested >= 43, "only {tested} pure opcodes");
}

#[test]
fn shifts_by_zero_and_by_the_width_zero_extend_32_bit_results() {
    let mut j = jit();
    let mem = vec![0u8; MEM];
    for op in [
        Op::Shl32,
        Op::LShr32,
        Op::AShr32,
        Op::Rotl32,
        Op::Rotr32,
        Op::Shl,
        Op::Rotr,
    ] {
        for amount in [0, 32, 64, 1, 31] {
            for shape in [Shape::Regs, Shape::ConstLast] {
                let (block, st) = op_block(op, 0, &[0xdead_beef_8765_4321, amount], shape);
                same(&mut j, &block, &st, &mem);
            }
        }
    }
}

fn random_mem(rng: &mut Rng) -> Vec<u8> {
    (0..MEM).map(|_| rng.next() as u8).collect()
}

#[test]
fn loads_and_stores_of_every_size_match() {
    let mut j = jit();
    let mut rng = Rng(42);
    let mem = random_mem(&mut rng);
    let memops = [
        MemOp::U8,
        MemOp::U16,
        MemOp::U32,
        MemOp::U64,
        MemOp::S8,
        MemOp::S16,
        MemOp::S32,
    ];
    let mut changed = 0;
    for m in memops {
        for shape in SHAPES {
            for _ in 0..20 {
                let addr = rng.next() % (MEM as u64 - 8);
                let (block, st) = op_block(Op::Load, m.to_imm(), &[addr], shape);
                same(&mut j, &block, &st, &mem);
                let v = rng.value();
                let (block, st) = op_block(Op::Store, m.to_imm(), &[addr, v], shape);
                let (_, _, after) = same(&mut j, &block, &st, &mem);
                changed += (after != mem) as u32;
            }
        }
    }
    assert!(changed > 600, "stores changed memory only {changed} times");
}

#[test]
fn atomics_match_including_min_max_signedness_and_misalignment() {
    let mut j = jit();
    let mut rng = Rng(7);
    for log2 in 0..4u8 {
        for signed in [false, true] {
            let m = MemOp {
                log2_size: log2,
                signed,
            };
            for op in RmwOp::ALL {
                for shape in SHAPES {
                    for _ in 0..6 {
                        let mem = random_mem(&mut rng);
                        let mut addr = (rng.next() % (MEM as u64 - 8)) & !(m.size() - 1);
                        if rng.next().is_multiple_of(5) && log2 > 0 {
                            addr |= 1; // misaligned: BadAccess at the pc
                        }
                        let v = rng.value();
                        let (mut block, st) =
                            op_block(Op::AtomicRmw, op.to_imm(m), &[addr, v], shape);
                        block.insts.insert(
                            0,
                            crate::ir::Inst {
                                op: Op::InsnStart,
                                dst: Value::NONE,
                                args: [Value::NONE; 4],
                                imm: 0x1002,
                            },
                        );
                        same(&mut j, &block, &st, &mem);
                    }
                }
            }
            for shape in SHAPES {
                for _ in 0..10 {
                    let mem = random_mem(&mut rng);
                    let addr = (rng.next() % (MEM as u64 - 8)) & !(m.size() - 1);
                    let mut cur = [0u8; 8];
                    cur.copy_from_slice(&mem[addr as usize..addr as usize + 8]);
                    let expected = if rng.next().is_multiple_of(2) {
                        u64::from_le_bytes(cur)
                    } else {
                        rng.value()
                    };
                    let (block, st) = op_block(
                        Op::AtomicCas,
                        m.to_imm(),
                        &[addr, expected, rng.value()],
                        shape,
                    );
                    same(&mut j, &block, &st, &mem);
                }
            }
        }
    }
}

#[test]
fn helper_calls_get_state_and_four_arguments() {
    let mut j = jit();
    let mut rng = Rng(99);
    let mem = vec![0u8; MEM];
    for shape in SHAPES {
        for _ in 0..20 {
            let args: Vec<u64> = (0..4).map(|_| rng.value()).collect();
            let (block, st) = op_block(Op::Call, TEST_HELPER.to_imm(), &args, shape);
            let (_, out, _) = same(&mut j, &block, &st, &mem);
            let s0 = out[0];
            let want = (args[0].wrapping_mul(3) ^ args[1])
                .wrapping_add(args[2].rotate_left(7))
                .wrapping_sub(args[3])
                ^ s0;
            assert_eq!(out[4], want);
        }
    }
}

#[test]
fn terminators_exit_with_the_interpreters_next_pc() {
    let mut j = jit();
    let mem = vec![0u8; MEM];
    for cond in [0u64, 1, 0x100] {
        let mut b = Builder::new(0x1000);
        let c = b.get_reg(0);
        let block = b.finish(
            4,
            1,
            Terminator::Branch {
                cond: c,
                taken: 0x2000,
                not_taken: 0x3000,
            },
        );
        let mut st: State = [0; 72];
        st[0] = cond;
        let (e, _, _) = same(&mut j, &block, &st, &mem);
        assert_eq!(e, BlockExit::Next(if cond != 0 { 0x2000 } else { 0x3000 }));
    }
    let mut b = Builder::new(0x1000);
    let t = b.get_reg(8);
    let block = b.finish(
        4,
        1,
        Terminator::Indirect {
            target: t,
            kind: crate::ir::IndirectKind::Jump,
        },
    );
    let mut st: State = [0; 72];
    st[1] = 0x1234_5678_9abc;
    assert_eq!(
        same(&mut j, &block, &st, &mem).0,
        BlockExit::Next(0x1234_5678_9abc)
    );
    for reason in [
        ExitReason::Syscall,
        ExitReason::Breakpoint,
        ExitReason::IllegalInstruction,
        ExitReason::FetchFault,
        ExitReason::FlushICache,
    ] {
        let mut b = Builder::new(0x1000);
        b.fence(FenceKind::Full);
        b.fence(FenceKind::Weak);
        let block = b.finish(4, 1, Terminator::Exit { reason, pc: 0x1004 });
        let st: State = [0; 72];
        assert_eq!(
            same(&mut j, &block, &st, &mem).0,
            BlockExit::Exit(reason, 0x1004)
        );
    }
}

#[test]
fn a_host_fault_maps_to_the_faulting_instructions_pc_with_earlier_writes_done() {
    let mut j = jit();
    let mem = vec![0u8; MEM];
    for (store, m) in [(false, MemOp::U64), (true, MemOp::U8), (false, MemOp::S16)] {
        let mut b = Builder::new(0x1000);
        b.insn_start(0x1000);
        let x = b.get_reg(0);
        let ok = b.load(MemOp::U64, x);
        b.set_reg(8, ok);
        b.insn_start(0x1004);
        let one = b.const_(1);
        let y = b.add(ok, one);
        b.set_reg(16, y);
        let bad = b.const_(MEM as u64 + 16);
        b.insn_start(0x1008);
        if store {
            b.store(m, bad, y);
        } else {
            let v = b.load(m, bad);
            b.set_reg(24, v);
        }
        b.insn_start(0x100c);
        b.set_reg(32, y);
        let block = b.finish(16, 4, Terminator::Jump(0x1010));
        let mut st: State = [0; 72];
        st[0] = 8;
        let (e, out, _) = same(&mut j, &block, &st, &mem);
        assert_eq!(
            e,
            BlockExit::BadAccess {
                pc: 0x1008,
                addr: MEM as u64 + 16,
                misaligned: false
            }
        );
        assert_eq!(out[2], 1);
        assert_eq!(out[4], 0);
    }
}

#[test]
fn chained_blocks_jump_directly_and_unpatch_on_invalidation() {
    let mut j = jit();
    let mut st: State = [0; 72];
    // Block A at 0x1000: x0 += 1; jump 0x2000. Block B at 0x2000: exit.
    let mut b = Builder::new(0x1000);
    let x = b.get_reg(0);
    let one = b.const_(1);
    let y = b.add(x, one);
    b.set_reg(0, y);
    let a = b.finish(4, 1, Terminator::Jump(0x2000));
    let b2 = Builder::new(0x2000).finish(
        4,
        1,
        Terminator::Exit {
            reason: ExitReason::Syscall,
            pc: 0x2004,
        },
    );
    let ea = j.compile(&a);
    let mem = Memory::new();
    let sp = st.as_mut_ptr() as *mut u8;
    let r = unsafe { j.run(sp, mem.0, ea) };
    let JitExit::Chain { pc: 0x2000, site } = r else {
        panic!("{r:?}")
    };
    j.compile(&b2);
    j.chain(site, j.generation, 0x2000);
    assert_eq!(j.stats.chains_patched, 1);
    let r = unsafe { j.run(sp, mem.0, ea) };
    assert_eq!(r, JitExit::Exit(ExitReason::Syscall, 0x2004));
    assert_eq!(st[0], 2);
    // Invalidate B: A's exit goes back to the dispatcher.
    assert!(j.invalidate(0x2000, 0x2004));
    let r = unsafe { j.run(sp, mem.0, ea) };
    assert!(matches!(r, JitExit::Chain { pc: 0x2000, .. }), "{r:?}");
    assert_eq!(st[0], 3);
}

#[test]
fn folded_address_displacements_and_fused_branches_match() {
    let mut j = jit();
    let mut rng = Rng(5);
    let mem = random_mem(&mut rng);
    for _ in 0..200 {
        let base = 2048 + rng.next() % 1024;
        let off = (rng.next() % 2048) as i64 - 1024;
        let m = MemOp::from_imm(rng.next() % 8);
        let m = if m.log2_size == 3 { MemOp::U64 } else { m };
        let also_used = rng.next().is_multiple_of(3);
        let mut b = Builder::new(0x1000);
        let x = b.get_reg(0);
        let c = b.const_(off as u64);
        let addr = if rng.next().is_multiple_of(2) {
            b.add(x, c)
        } else {
            b.add(c, x)
        };
        b.insn_start(0x1000);
        let v = b.load(m, addr);
        b.set_reg(8, v);
        let c8 = b.const_(8);
        let addr2 = b.add(x, c8);
        let y = b.get_reg(16);
        b.store(m, addr2, y);
        if also_used {
            b.set_reg(24, addr);
        }
        let cond = Cond::ALL[(rng.next() % 10) as usize];
        let z = b.get_reg(32);
        let k = b.cmp(cond, v, z);
        let block = b.finish(
            8,
            2,
            Terminator::Branch {
                cond: k,
                taken: 0x2000,
                not_taken: 0x3000,
            },
        );
        let mut st: State = [0; 72];
        st[0] = base;
        st[2] = rng.value();
        st[4] = if rng.next().is_multiple_of(2) {
            rng.value()
        } else {
            0
        };
        same(&mut j, &block, &st, &mem);
    }
    // An address add that is also the indirect jump target stays.
    let mut b = Builder::new(0x1000);
    let x = b.get_reg(0);
    let c = b.const_(16);
    let addr = b.add(x, c);
    let v = b.load(MemOp::U64, addr);
    b.set_reg(8, v);
    let block = b.finish(
        4,
        1,
        Terminator::Indirect {
            target: addr,
            kind: crate::ir::IndirectKind::Jump,
        },
    );
    let mut st: State = [0; 72];
    st[0] = 64;
    assert_eq!(same(&mut j, &block, &st, &mem).0, BlockExit::Next(80));
}

#[test]
fn a_full_code_cache_is_flushed_and_stale_chain_sites_are_ignored() {
    let mut j = Jit::new(16 << 10, 16, EXIT_REQUEST).unwrap();
    let mem = Memory::new();
    let mut st: State = [0; 72];
    let sp = st.as_mut_ptr() as *mut u8;
    let mut site = None;
    let mut generation = j.generation;
    for i in 0..400u64 {
        let pc = 0x1000 + 4 * i;
        let mut b = Builder::new(pc);
        let x = b.get_reg(0);
        let one = b.const_(1);
        let y = b.add(x, one);
        b.set_reg(0, y);
        let block = b.finish(4, 1, Terminator::Jump(pc + 4));
        let entry = j.compile(&block);
        if let Some(s) = site.take() {
            // After a flush the site from the previous generation is stale.
            j.chain(s, generation, pc);
        }
        let r = unsafe { j.run(sp, mem.0, entry) };
        let JitExit::Chain { pc: next, site: s } = r else {
            panic!("{r:?}")
        };
        assert_eq!(next, pc + 4);
        site = Some(s);
        generation = j.generation;
    }
    assert_eq!(st[0], 400);
    assert!(j.generation >= 1, "16 KiB holds fewer than 400 blocks");
    assert!(j.stats.chains_patched > 0);
}

#[test]
fn bit_counts_without_lzcnt_and_tzcnt_use_bsr_bsf_correctly() {
    let mut j = jit();
    j.feat = Features::default();
    let mut rng = Rng(3);
    let mem = vec![0u8; MEM];
    for op in [Op::Clz, Op::Ctz, Op::Clz32, Op::Ctz32] {
        for shape in SHAPES {
            for x in [
                0,
                1,
                0x8000_0000,
                0x1_0000_0000,
                u64::MAX,
                rng.value(),
                rng.value(),
            ] {
                let (block, st) = op_block(op, 0, &[x], shape);
                same(&mut j, &block, &st, &mem);
            }
        }
    }
}

/// Random straight-line blocks with many values live at once, guest
/// registers read and rewritten, memory accesses at folded addresses, and
/// a compare-and-branch at the end: allocation (spills, values kept in the
/// guest state), peepholes and lowering together.
#[test]
fn random_blocks_under_register_pressure_match() {
    let mut j = jit();
    let mut rng = Rng(0xfeed_beef);
    let pure = [
        Op::Add,
        Op::Sub,
        Op::And,
        Op::Or,
        Op::Xor,
        Op::Mul,
        Op::Shl,
        Op::LShr,
        Op::AShr,
        Op::Shl32,
        Op::AShr32,
        Op::SExt32,
        Op::Not,
        Op::Cmp,
        Op::Select,
        Op::DivU,
        Op::Rotr,
    ];
    for round in 0..3000 {
        let mem = random_mem(&mut rng);
        let mut b = Builder::new(0x1000);
        let mut vals: Vec<Value> = Vec::new();
        let len = 20 + rng.next() % 120;
        for _ in 0..len {
            let pick =
                |rng: &mut Rng, vals: &Vec<Value>| vals[(rng.next() % vals.len() as u64) as usize];
            match rng.next() % 10 {
                0 | 1 => vals.push(b.get_reg(8 * (rng.next() % 16) as usize)),
                2 if !vals.is_empty() => {
                    let v = pick(&mut rng, &vals);
                    b.set_reg(8 * (rng.next() % 16) as usize, v);
                }
                3 => {
                    let c = if rng.next().is_multiple_of(2) {
                        0
                    } else {
                        rng.value()
                    };
                    vals.push(b.const_(c));
                }
                4 if !vals.is_empty() => {
                    // Load/store at (v & 0x7f8) + c, c in 0..0x800.
                    let v = pick(&mut rng, &vals);
                    let mask = b.const_(0x7f8);
                    let base = b.and(v, mask);
                    let c = b.const_(rng.next() % 0x800);
                    let addr = b.add(base, c);
                    b.insn_start(0x1000 + 4 * (rng.next() % 16));
                    if rng.next().is_multiple_of(2) {
                        let m = MemOp::from_imm(rng.next() % 8);
                        let m = if m.log2_size == 3 { MemOp::U64 } else { m };
                        vals.push(b.load(m, addr));
                    } else {
                        let x = pick(&mut rng, &vals);
                        b.store(MemOp::from_imm(rng.next() % 4), addr, x);
                    }
                }
                _ if vals.len() >= 3 => {
                    let op = pure[(rng.next() % pure.len() as u64) as usize];
                    let args: Vec<Value> =
                        (0..op.num_args()).map(|_| pick(&mut rng, &vals)).collect();
                    let imm = if op == Op::Cmp { rng.next() % 10 } else { 0 };
                    vals.push(b.emit(op, &args, imm));
                }
                _ => vals.push(b.get_reg(8 * (rng.next() % 16) as usize)),
            }
        }
        // Everything stays observable: fold all values into the state.
        for (k, v) in vals.iter().enumerate() {
            if k % 3 == 0 {
                b.set_reg(8 * (16 + k % 20), *v);
            }
        }
        let x = vals[(rng.next() % vals.len() as u64) as usize];
        let y = vals[(rng.next() % vals.len() as u64) as usize];
        let k = b.cmp(Cond::ALL[round % 10], x, y);
        let block = b.finish(
            4,
            1,
            Terminator::Branch {
                cond: k,
                taken: 0x2000,
                not_taken: 0x3000,
            },
        );
        let mut st: State = [0; 72];
        for s in st.iter_mut() {
            *s = rng.value();
        }
        if run_interp(&block, &st, &mem) != run_jit(&mut j, &block, &st, &mem) {
            let small = shrink(&mut j, block, &st, &mem);
            same(&mut j, &small, &st, &mem);
        }
    }
}

/// The smallest block (by removing instructions one at a time) on which the
/// JIT still disagrees with the interpreter: what a failure report shows.
fn shrink(j: &mut Jit, mut block: Block, st: &State, mem: &[u8]) -> Block {
    let differs = |j: &mut Jit, b: &Block| {
        crate::ir::verify(b).is_ok() && run_interp(b, st, mem) != run_jit(j, b, st, mem)
    };
    loop {
        let mut smaller = None;
        for i in (0..block.insts.len()).rev() {
            let mut b = block.clone();
            b.insts.remove(i);
            if differs(j, &b) {
                smaller = Some(b);
                break;
            }
        }
        match smaller {
            Some(b) => block = b,
            None => return block,
        }
    }
}

// ---- Inline floating point (`FpInline` helpers) against the SoftFloat helpers ----

mod fp {
    use super::*;
    use crate::guest::riscv64::cpu::{FFLAGS_OFFSET, FRM_OFFSET};
    use crate::guest::riscv64::translate::fpu::*;
    use crate::ir::FpOp;

    const BOX: u64 = 0xffff_ffff_0000_0000;

    /// Doubles: zeros, ones, infinities, quiet and signalling NaNs (with
    /// payloads and signs), subnormals, the normal/subnormal and overflow
    /// boundaries, values one ulp apart and inexact quotients.
    const D: [u64; 26] = [
        0,
        0x8000_0000_0000_0000,
        0x3ff0_0000_0000_0000,
        0xbff0_0000_0000_0000,
        0x3ff8_0000_0000_0000,
        0x4008_0000_0000_0000,
        0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000,
        0x7ff8_0000_0000_0000,
        0x7ff8_0000_0000_1234,
        0xfff8_0000_0000_0001,
        0x7ff0_0000_0000_0001,
        0x7ff4_0000_0000_0000,
        0xfff0_0000_0000_0005,
        1,
        0x8000_0000_0000_0003,
        0x000f_ffff_ffff_ffff,
        0x0010_0000_0000_0000,
        0x0010_0000_0000_0001,
        0x7fef_ffff_ffff_ffff,
        0xffef_ffff_ffff_ffff,
        0x3ff0_0000_0000_0001,
        0x3ca0_0000_0000_0000,
        0x4340_0000_0000_0000,
        0x3fd5_5555_5555_5555,
        0x2000_0000_0000_0000,
    ];

    /// Singles, boxed, the same kinds; plus improperly boxed patterns (which
    /// read as the canonical NaN).
    const S: [u64; 26] = [
        BOX,
        BOX | 0x8000_0000,
        BOX | 0x3f80_0000,
        BOX | 0xbf80_0000,
        BOX | 0x3fc0_0000,
        BOX | 0x4040_0000,
        BOX | 0x7f80_0000,
        BOX | 0xff80_0000,
        BOX | 0x7fc0_0000,
        BOX | 0x7fc0_1234,
        BOX | 0xffc0_0001,
        BOX | 0x7f80_0001,
        BOX | 0x7fa0_0000,
        BOX | 1,
        BOX | 0x8000_0003,
        BOX | 0x007f_ffff,
        BOX | 0x0080_0000,
        BOX | 0x0080_0001,
        BOX | 0x7f7f_ffff,
        BOX | 0xff7f_ffff,
        BOX | 0x3f80_0001,
        BOX | 0x3380_0000,
        BOX | 0x3eaa_aaab,
        0x3f80_0000,
        0x0000_0001_3f80_0000,
        0xffff_fffe_3f80_0000,
    ];

    const OPS: [&Helper; 24] = [
        &FADD_D, &FSUB_D, &FMUL_D, &FDIV_D, &FSQRT_D, &FEQ_D, &FLT_D, &FLE_D, &FMADD_D, &FMSUB_D,
        &FNMSUB_D, &FNMADD_D, &FADD_S, &FSUB_S, &FMUL_S, &FDIV_S, &FSQRT_S, &FEQ_S, &FLT_S, &FLE_S,
        &FMADD_S, &FMSUB_S, &FNMSUB_S, &FNMADD_S,
    ];

    /// `state[4] = h(state[0], state[1], rm)` (or `h(a, state[1], rm)` with `a` a
    /// constant), values live across it when `live`.
    fn block(h: &'static Helper, a: u64, rm: u64, konst: bool, live: bool) -> Block {
        let mut bl = Builder::new(0x1000);
        let x = if konst { bl.const_(a) } else { bl.get_reg(0) };
        let y = bl.get_reg(8);
        let keep: Vec<Value> = if live {
            (0..8).map(|i| bl.get_reg(8 * (10 + i))).collect()
        } else {
            Vec::new()
        };
        let rm = bl.const_(rm);
        let r = match h.fp.unwrap().op {
            FpOp::Sqrt => bl.call(h, &[x, rm]),
            FpOp::Eq | FpOp::Lt | FpOp::Le => bl.call(h, &[x, y]),
            FpOp::MAdd | FpOp::MSub | FpOp::NMSub | FpOp::NMAdd => {
                let z = bl.get_reg(16);
                bl.call(h, &[x, y, z, rm])
            }
            _ => bl.call(h, &[x, y, rm]),
        };
        bl.set_reg(8 * 4, r);
        let mut sum = bl.const_(0);
        for v in keep {
            sum = bl.xor(sum, v);
            sum = bl.add(sum, r);
        }
        bl.set_reg(8 * 7, sum);
        bl.finish(4, 1, Terminator::Jump(0x1004))
    }

    fn state(a: u64, b: u64, c: u64, frm: u64, fflags: u64) -> State {
        let mut st: State = [0; 72];
        for (i, s) in st.iter_mut().enumerate() {
            *s = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
        st[0] = a;
        st[1] = b;
        st[2] = c;
        st[FRM_OFFSET / 8] = frm;
        st[FFLAGS_OFFSET / 8] = fflags;
        st
    }

    #[test]
    fn inline_fp_matches_the_softfloat_helpers_on_special_values_in_every_rounding_mode() {
        let mut j = jit();
        let mem = vec![0u8; MEM];
        let mut n = 0u64;
        for h in OPS {
            let vals = if h.fp.unwrap().double { &D } else { &S };
            for &a in vals {
                for &b in vals {
                    // Static modes, RMM (the helper), and dynamic with every frm.
                    for (rm, frm) in [(0, 0), (1, 0), (2, 0), (3, 0), (4, 0)]
                        .into_iter()
                        .chain((0..5).map(|f| (7, f)))
                    {
                        n += 1;
                        let konst = n.is_multiple_of(7);
                        let live = n.is_multiple_of(5);
                        // NX already accrued enables the fast path; others must stay.
                        let fflags = [0, 1, 5, 0x1f][(n % 4) as usize];
                        let bl = block(h, a, rm, konst, live);
                        same(
                            &mut j,
                            &bl,
                            &state(a, b, vals[(n as usize * 7) % vals.len()], frm, fflags),
                            &mem,
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn inline_fp_matches_the_helpers_on_random_operands() {
        let mut j = jit();
        let mem = vec![0u8; MEM];
        let mut rng = Rng(0xf00d);
        for h in OPS {
            let double = h.fp.unwrap().double;
            for i in 0..400 {
                // Random patterns, and nearby exponents so sums round and cancel.
                let mut v = || {
                    let r = rng.next();
                    let r = if i % 2 == 0 {
                        r
                    } else {
                        r & 0x800f_ffff_ffff_ffff | 0x3ff0_0000_0000_0000
                    };
                    if double {
                        r
                    } else {
                        BOX | (r >> 32)
                    }
                };
                let (a, b, c) = (v(), v(), v());
                let rm = [0, 1, 2, 3, 7][i % 5];
                let bl = block(h, a, rm, false, i % 3 == 0);
                same(
                    &mut j,
                    &bl,
                    &state(a, b, c, (i as u64 / 5) % 4, (i % 2) as u64),
                    &mem,
                );
            }
        }
    }

    #[test]
    fn fadd_with_a_static_or_dynamic_rounding_mode_and_compares_are_inline_and_rmm_calls_the_helper(
    ) {
        let mut j = jit();
        let code = |j: &mut Jit, rm: u64| {
            let h = match rm {
                99 => &FLT_S,
                98 => &FMADD_D,
                _ => &FADD_D,
            };
            let rm = if rm == 98 { 7 } else { rm };
            let bl = block(h, 0, rm, false, false);
            j.compile(&bl);
            let e = j.lookup(0x1000).unwrap();
            let code = unsafe { std::slice::from_raw_parts(e.entry as *const u8, e.len) };
            disassemble(code, e.entry as u64)
        };
        let rne = code(&mut j, 0);
        assert!(rne.contains("addsd") && !rne.contains("call"), "{rne}");
        let dynamic = code(&mut j, 7);
        assert!(
            dynamic.contains("addsd") && dynamic.contains("call"),
            "{dynamic}"
        );
        let rmm = code(&mut j, 4);
        assert!(!rmm.contains("addsd") && rmm.contains("call"), "{rmm}");
        let flt = code(&mut j, 99);
        assert!(flt.contains("comiss") && !flt.contains("call"), "{flt}");
        let fma = code(&mut j, 98);
        if std::arch::is_x86_feature_detected!("fma") {
            assert!(fma.contains("vfmadd213sd"), "{fma}");
        }
    }

    #[test]
    fn inline_fp_leaves_the_host_mxcsr_at_round_to_nearest_with_all_exceptions_masked() {
        let mut j = jit();
        let mem = vec![0u8; MEM];
        for (rm, frm) in [
            (1, 0),
            (2, 0),
            (3, 0),
            (7, 1),
            (7, 2),
            (7, 3),
            (7, 0),
            (0, 3),
        ] {
            let bl = block(&FDIV_D, 0x3ff0_0000_0000_0000, rm, false, false);
            let st = state(0x3ff0_0000_0000_0000, 0x4008_0000_0000_0000, 0, frm, 0);
            let (_, out, _) = run_jit(&mut j, &bl, &st, &mem);
            assert_eq!(out[FFLAGS_OFFSET / 8], 1, "1/3 is inexact");
            let mut csr = 0u32;
            // SAFETY: stmxcsr only stores the register.
            unsafe { std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr) };
            assert_eq!(csr & !0x3f, 0x1f80, "rm {rm} frm {frm}: mxcsr {csr:#x}");
        }
    }
}

/// Guest register copies (`mv`) under register pressure live in their
/// destination's home in the guest state: the copy is written early, so a
/// value read from that home before must not be clobbered (a bug the
/// random blocks found), and a rotation of registers through each other
/// (SHA-256's `h = g; g = f; …`) must come out exact.
#[test]
fn register_copies_under_pressure_match_the_interpreter() {
    let mut j = jit();
    let mem = vec![0u8; MEM];
    let mut st: State = [0; 72];
    for (i, s) in st.iter_mut().enumerate() {
        *s = 0x1111_1111_1111_1111u64.wrapping_mul(i as u64 + 1);
    }
    let mut b = Builder::new(0x1000);
    // Read r11 early and keep it live; then copy r12 into r11.
    let early = b.get_reg(8 * 11);
    let rotated: Vec<Value> = (1..9).map(|r| b.get_reg(8 * r)).collect();
    for (k, &v) in rotated.iter().enumerate() {
        b.set_reg(8 * (k % 8 + 2), v);
    }
    let copied = b.get_reg(8 * 12);
    b.set_reg(8 * 11, copied);
    // Enough live values to force spills, all used at the end.
    let mut live = Vec::new();
    for r in 20..40 {
        let x = b.get_reg(8 * r);
        let one = b.const_(r as u64);
        live.push(b.add(x, one));
    }
    let mut sum = b.xor(early, copied);
    for &v in rotated.iter().chain(&live) {
        sum = b.add(sum, v);
    }
    b.set_reg(8 * 40, sum);
    let block = b.finish(4, 1, Terminator::Jump(0x1004));
    same(&mut j, &block, &st, &mem);
}

// ---- Inline vector operations (`ir::vector::VECTOR`) against the helper ----

mod vector {
    use super::*;
    use crate::ir::vector::{VecArgs, VecOp, VECTOR};

    /// Lanes at their limits: zero, ones, sign bits, small and large.
    fn pattern(rng: &mut Rng, i: usize) -> u64 {
        match i % 4 {
            0 => rng.next(),
            1 => rng.next() & 0x8080_8080_8080_8080,
            2 => rng.next() & 0x0101_0101_7f7f_ffff,
            _ => [0, u64::MAX, 0x7fff_8000_0000_ffff, 0x8000_0000_7fff_ffff][i / 4 % 4],
        }
    }

    #[test]
    fn inline_vector_operations_match_the_helper() {
        let mut j = jit();
        let mem = vec![0u8; MEM];
        let mut rng = Rng(0x5eed);
        let mut inlined = 0;
        for op in VecOp::ALL {
            for size in 0..4 {
                for (q, zero_m) in [(false, false), (true, false), (false, true), (true, true)] {
                    let args = VecArgs {
                        op,
                        size,
                        q,
                        zero_m,
                        shift: if op == VecOp::ShiftRightNarrow {
                            1 + size * 3
                        } else {
                            0
                        },
                    };
                    if VecArgs::unpack(args.pack()) != Some(args) {
                        continue;
                    }
                    // d, n, m at offsets 8 apart from 16-byte alignment;
                    // also d == n.
                    for (d, n, m) in [(88, 168, 248), (168, 168, 248)] {
                        let mut bl = Builder::new(0x1000);
                        let a = [args.pack(), d, n, m].map(|c| bl.const_(c));
                        bl.call(&VECTOR, &a);
                        let bl = bl.finish(4, 1, Terminator::Jump(0x1004));
                        for i in 0..16 {
                            let mut st: State = [0; 72];
                            for s in st.iter_mut() {
                                *s = pattern(&mut rng, i);
                            }
                            same(&mut j, &bl, &st, &mem);
                        }
                        inlined += crate::backend::x64::lower::inlines_vector(args) as usize;
                    }
                }
            }
        }
        // What the JIT inlines: the lane-wise operations of SSE2, the
        // unsigned byte compares, byte pairwise, the narrowing shifts and
        // the shifts by an immediate of 16/32/64-bit lanes, widening.
        assert_eq!(inlined, 2 * 4 * 42);
    }
}

#[test]
fn cas128_and_check_align_match_under_pressure_and_misalignment() {
    let mut j = jit();
    let mut rng = Rng(0xc45_128);
    // The expected pair lives at state[40..42], clear of op_block's values.
    const PAIR: u64 = 8 * 40;
    for shape in SHAPES {
        for _ in 0..40 {
            let mem = random_mem(&mut rng);
            let mut addr = (rng.next() % (MEM as u64 - 16)) & !15;
            if rng.next().is_multiple_of(6) {
                addr |= 8 >> (rng.next() % 4); // misaligned
            }
            let (mut block, mut st) = op_block(
                Op::AtomicCas128,
                PAIR,
                &[addr, rng.value(), rng.value()],
                shape,
            );
            let at = (addr & !15) as usize;
            let cur =
                |i: usize| u64::from_le_bytes(mem[at + 8 * i..at + 8 * i + 8].try_into().unwrap());
            // Matching, half matching or not matching.
            st[40] = if !rng.next().is_multiple_of(3) {
                cur(0)
            } else {
                rng.value()
            };
            st[41] = if !rng.next().is_multiple_of(3) {
                cur(1)
            } else {
                rng.value()
            };
            block.insts.insert(
                0,
                crate::ir::Inst {
                    op: Op::InsnStart,
                    dst: Value::NONE,
                    args: [Value::NONE; 4],
                    imm: 0x1002,
                },
            );
            same(&mut j, &block, &st, &mem);
        }
        for log2 in 0..5u64 {
            let addr = rng.next() % (MEM as u64);
            let (mut block, st) = op_block(Op::CheckAlign, log2, &[addr], shape);
            block.insts.insert(
                0,
                crate::ir::Inst {
                    op: Op::InsnStart,
                    dst: Value::NONE,
                    args: [Value::NONE; 4],
                    imm: 0x1002,
                },
            );
            same(&mut j, &block, &st, &random_mem(&mut rng));
        }
    }
}

#[test]
fn a_guest_register_read_before_a_cas128_of_its_slot_keeps_the_old_value() {
    // v = state[40]; CAS128 rewrites state[40..42]; state[3] = v.
    let mut j = jit();
    let mut b = Builder::new(0x1000);
    let v = b.get_reg(8 * 40);
    let addr = b.const_(0x80);
    let lo = b.get_reg(0);
    let ok = b.atomic_cas128(addr, lo, lo, 8 * 40);
    b.set_reg(8 * 3, v);
    b.set_reg(8 * 4, ok);
    let block = b.finish(4, 1, Terminator::Jump(0x1004));
    let mut st: State = [0; 72];
    st[40] = 0x1234; // mismatch: state[40..42] gets memory's (zero) pair
    let (_, got, _) = same(&mut j, &block, &st, &[0u8; MEM]);
    assert_eq!((got[3], got[4], got[40]), (0x1234, 0, 0));
}

#[test]
fn cas128_in_translated_code_is_atomic_between_threads() {
    const THREADS: u64 = 4;
    const ITERS: u64 = 20_000;
    let m = Memory::new(); // outlives the threads, joined below
    let base = m.0 as usize;
    // state[1] = AtomicCas128(0x40, state[4], state[5]) against state[2..4]
    let mut b = Builder::new(0x1000);
    let addr = b.const_(0x40);
    let lo = b.get_reg(32);
    let hi = b.get_reg(40);
    let ok = b.atomic_cas128(addr, lo, hi, 16);
    b.set_reg(8, ok);
    let block = b.finish(4, 1, Terminator::Jump(0x1004));
    let start = std::sync::Arc::new(std::sync::Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let start = start.clone();
            let block = block.clone();
            std::thread::spawn(move || {
                let mut j = jit();
                let entry = j.compile(&block);
                let mut st: State = [0; 72];
                let sp = st.as_mut_ptr() as *mut u8;
                start.wait();
                for _ in 0..ITERS {
                    loop {
                        st[4] = st[2] + 1;
                        st[5] = st[3] + 2;
                        let r =
                            crate::mem::guarded(|| unsafe { j.run(sp, base as *mut u8, entry) });
                        assert!(r.is_ok());
                        if st[1] == 1 {
                            break;
                        }
                    }
                    st[2] += 1;
                    st[3] += 2;
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let total = THREADS * ITERS;
    let bytes = m.bytes();
    let word = |i: usize| u64::from_le_bytes(bytes[0x40 + 8 * i..0x48 + 8 * i].try_into().unwrap());
    assert_eq!((word(0), word(1)), (total, 2 * total));
}

// ---- Inline Arm floating point (Arm-flavoured `FpInline`) against its helpers ----

mod arm_fp {
    use super::*;
    use crate::guest::aarch64::translate::fp::test_helpers::{ARITH_D, ARITH_S};
    // Where those helpers keep FPCR and FPSR.
    const FPCR_OFFSET: usize = 8 * 60;
    const FPSR_OFFSET: usize = 8 * 61;

    /// `state[4] = h(state[0], state[1], 7)`: a double, or a single in the
    /// low half of a pattern whose upper half is garbage.
    fn block(h: &'static Helper) -> Block {
        let mut bl = Builder::new(0x1000);
        let x = bl.get_reg(0);
        let y = bl.get_reg(8);
        let rm = bl.const_(7);
        let r = bl.call(h, &[x, y, rm]);
        bl.set_reg(8 * 4, r);
        bl.finish(4, 1, Terminator::Jump(0x1004))
    }

    #[test]
    fn inline_arm_fp_matches_the_helpers() {
        let mut j = jit();
        let mem = vec![0u8; MEM];
        let mut rng = Rng(0xa64f);
        let specials = [
            0u64,
            0x8000_0000_0000_0000,
            0x3ff0_0000_0000_0000,
            0x7ff0_0000_0000_0000,
            0x7ff8_0000_0000_0001,
            0x7ff4_0000_0000_0000,
            1,
            0x0010_0000_0000_0000,
            0x7fef_ffff_ffff_ffff,
            0x3f80_0000,
            0x7f80_0001,
            0x0080_0000,
            0x7f7f_ffff,
        ];
        for h in ARITH_D.iter().chain(ARITH_S.iter()) {
            for i in 0..600 {
                let pick = |rng: &mut Rng| {
                    let r = rng.next();
                    match r % 4 {
                        0 => {
                            specials[(r >> 8) as usize % specials.len()]
                                | ((r & 0xffff_0000_0000_0000) * (i % 2))
                        }
                        1 => r & 0x800f_ffff_ffff_ffff | 0x3ff0_0000_0000_0000,
                        2 => (r & 0xffff_ffff_807f_ffff) | 0x3f80_0000,
                        _ => r,
                    }
                };
                let mut st: State = [0; 72];
                st[0] = pick(&mut rng);
                st[1] = pick(&mut rng);
                // FPCR 0 (inline) or not (the helper); IXC set or clear.
                st[FPCR_OFFSET / 8] =
                    [0, 0, 0, 0x0040_0000, 0x0100_0000, 0x0200_0000][i as usize % 6];
                st[FPSR_OFFSET / 8] = [0x10, 0x10, 0, 0x9f][i as usize % 4];
                same(&mut j, &block(h), &st, &mem);
            }
        }
    }
}
