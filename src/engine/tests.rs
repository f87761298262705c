//! The engine on real guest code: translations are made once and reused,
//! and faults inside a block are precise (pc and earlier register writes).

use super::*;
use crate::guest::riscv64::{Cpu, Riscv64};
use crate::log::{Log, LogItems};

const CODE: u64 = 0x10000;
const STACK: u64 = 0x20000;

/// An address space with `code` at CODE (RWX) and a stack page below STACK.
fn space_with(code: &[u8]) -> AddressSpace {
    crate::mem::install_fault_handler();
    let space = AddressSpace::new(1 << 30).unwrap();
    let rwx = libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC;
    space.map_fixed_anon(CODE, 4096, rwx, None).unwrap();
    space
        .map_fixed_anon(STACK - 4096, 4096, libc::PROT_READ | libc::PROT_WRITE, None)
        .unwrap();
    space.write(CODE, code).unwrap();
    space
}

/// Both backends where the JIT exists.
fn accels() -> Vec<Accel> {
    if cfg!(target_arch = "x86_64") {
        vec![Accel::Interp, Accel::Jit]
    } else {
        vec![Accel::Interp]
    }
}

fn run(code: &[u8], entry: u64) -> (Event, Cpu, Stats) {
    let results: Vec<_> = accels()
        .into_iter()
        .map(|a| run_on(a, code, entry))
        .collect();
    for r in &results[1..] {
        assert_eq!(
            (r.0, &r.1),
            (results[0].0, &results[0].1),
            "backends disagree"
        );
        assert_eq!(r.2.blocks_translated, results[0].2.blocks_translated);
    }
    results.into_iter().next().unwrap()
}

fn run_on(accel: Accel, code: &[u8], entry: u64) -> (Event, Cpu, Stats) {
    let space = space_with(code);
    let mut engine = Engine::<Riscv64>::new(accel);
    assert_eq!(engine.accel(), accel, "backend unavailable");
    let mut cpu = Cpu::default();
    cpu.set_pc(entry);
    cpu.set_sp(STACK - 64);
    let event = engine.run(&mut cpu, &space, &Log::new(LogItems::default(), None));
    (event, cpu, engine.stats)
}

/// Assembled with riscv64-linux-gnu-as -march=rv64gc (see objdump in the comments).
const PROGRAM: &[u8] = &[
    0x01, 0x45, // 0x00 c.li a0, 0
    0x93, 0x05, 0x40, 0x06, // 0x02 addi a1, zero, 100
    0x05, 0x05, // 0x06 c.addi a0, 1
    0xe3, 0x1f, 0xb5, 0xfe, // 0x08 bne a0, a1, 0x06
    0x73, 0x00, 0x00, 0x00, // 0x0c ecall
    0x1d, 0x45, // 0x10 c.li a0, 7
    0x83, 0x35, 0x00, 0x00, // 0x12 ld a1, 0(zero)
    0x25, 0x45, // 0x16 c.li a0, 9
    0x13, 0x06, 0x11, 0x00, // 0x18 addi a2, sp, 1
    0xaf, 0x26, 0xa6, 0x00, // 0x1c amoadd.w a3, a0, (a2)
];

#[test]
fn loop_blocks_are_translated_once_and_reused() {
    let (event, cpu, stats) = run(PROGRAM, CODE);
    assert_eq!(event, Event::Syscall);
    assert_eq!(cpu.x[10], 100);
    assert_eq!(cpu.pc, CODE + 0x10);
    // Entry block (to the bne), the loop body (100 runs), the ecall block.
    assert_eq!(stats.blocks_translated, 3);
}

#[test]
fn threads_share_translations_and_invalidation_reaches_them_all() {
    for accel in accels() {
        let space = space_with(PROGRAM);
        let log = Log::new(LogItems::default(), None);
        // The CPUs outlive the engines, which register their exit requests.
        let (mut cpu1, mut cpu2) = (Cpu::default(), Cpu::default());
        let mut first = Engine::<Riscv64>::new(accel);
        let mut second = Engine::<Riscv64>::sharing(first.shared());
        let start = |e: &mut Engine<Riscv64>, cpu: &mut Cpu| {
            // A fresh state (as the Linux layer clears the exit request).
            *cpu = Cpu::default();
            cpu.set_pc(CODE);
            cpu.set_sp(STACK - 64);
            (e.run(cpu, &space, &log), cpu.x[10])
        };
        assert_eq!(start(&mut first, &mut cpu1), (Event::Syscall, 100));
        assert_eq!(first.stats.blocks_translated, 3);
        // The other thread runs what the first translated.
        assert_eq!(start(&mut second, &mut cpu2), (Event::Syscall, 100));
        assert_eq!(second.stats.blocks_translated, 0, "{accel:?}");
        // Code changed by one thread is retranslated by the other, which
        // is asked to leave translated code.
        space.write(CODE + 0x02, &[0x93, 0x05, 0x80, 0x0c]).unwrap(); // addi a1, zero, 200
        first.invalidate(CODE, CODE + 0x10);
        assert_eq!(
            crate::guest::exit_request::<Riscv64>(&cpu2).load(std::sync::atomic::Ordering::SeqCst),
            1
        );
        assert_eq!(
            crate::guest::exit_request::<Riscv64>(&cpu1).load(std::sync::atomic::Ordering::SeqCst),
            0
        );
        assert_eq!(start(&mut second, &mut cpu2), (Event::Syscall, 200));
        assert_eq!(second.stats.blocks_translated, 3, "{accel:?}");
    }
}

#[test]
fn a_fault_mid_block_reports_its_pc_and_keeps_earlier_writes() {
    let (event, cpu, _) = run(PROGRAM, CODE + 0x10);
    assert_eq!(
        event,
        Event::MemFault {
            addr: 0,
            signal: libc::SIGSEGV,
            code: SEGV_MAPERR
        }
    );
    assert_eq!(cpu.pc, CODE + 0x12);
    assert_eq!(cpu.x[10], 7);
}

#[test]
fn a_misaligned_atomic_is_sigbus_at_its_pc() {
    let (event, cpu, _) = run(PROGRAM, CODE + 0x18);
    let addr = STACK - 64 + 1;
    assert_eq!(
        event,
        Event::MemFault {
            addr,
            signal: libc::SIGBUS,
            code: BUS_ADRALN
        }
    );
    assert_eq!(cpu.pc, CODE + 0x1c);
    assert_eq!(cpu.x[12], addr);
}

#[test]
fn executing_unmapped_memory_is_a_fetch_fault() {
    let (event, cpu, _) = run(PROGRAM, 0x5000_0000);
    assert_eq!(event, Event::FetchFault { addr: 0x5000_0000 });
    assert_eq!(cpu.pc, 0x5000_0000);
}

/// Assembled with riscv64-linux-gnu-as -march=rv64g: a loop through an
/// indirect jump (`la t0, target; jr t0`) and a backward branch.
const INDIRECT_LOOP: &[u8] = &[
    0x13, 0x05, 0x00, 0x00, // 0x00 li a0, 0
    0x93, 0x05, 0x80, 0x3e, // 0x04 li a1, 1000
    0x13, 0x05, 0x15, 0x00, // 0x08 loop: addi a0, a0, 1
    0x97, 0x02, 0x00, 0x00, // 0x0c auipc t0, 0
    0x93, 0x82, 0xc2, 0x00, // 0x10 addi t0, t0, 12
    0x67, 0x80, 0x02, 0x00, // 0x14 jr t0
    0xe3, 0x18, 0xb5, 0xfe, // 0x18 target: bne a0, a1, loop
    0x73, 0x00, 0x00, 0x00, // 0x1c ecall
];

#[cfg(target_arch = "x86_64")]
#[test]
fn jit_chains_direct_jumps_so_a_loop_stays_in_translated_code() {
    let (event, cpu, stats) = run_on(Accel::Jit, PROGRAM, CODE);
    assert_eq!((event, cpu.x[10]), (Event::Syscall, 100));
    // The loop branch is patched to jump to itself: 100 iterations, a
    // handful of entries from the engine.
    assert!(stats.chains_patched >= 2, "{stats:?}");
    assert!(stats.jit_entries <= 5, "{stats:?}");
}

#[cfg(target_arch = "x86_64")]
#[test]
fn jit_indirect_jumps_hit_the_inline_jump_cache() {
    let (event, cpu, stats) = run(INDIRECT_LOOP, CODE);
    assert_eq!((event, cpu.x[10]), (Event::Syscall, 1000));
    let (_, _, stats_jit) = run_on(Accel::Jit, INDIRECT_LOOP, CODE);
    assert_eq!(stats.blocks_translated, 4);
    // 1000 indirect jumps, almost all resolved inside translated code.
    assert!(stats_jit.jump_cache_fills >= 1, "{stats_jit:?}");
    assert!(stats_jit.jump_cache_misses <= 2, "{stats_jit:?}");
    assert!(stats_jit.jit_entries <= 8, "{stats_jit:?}");
}

/// Assembled with riscv64-linux-gnu-as -march=rv64g: a loop calling two
/// functions (`jal ra`), each returning with `ret`.
const CALL_LOOP: &[u8] = &[
    0x13, 0x05, 0x00, 0x00, // 0x00 li a0, 0
    0x93, 0x05, 0x80, 0x3e, // 0x04 li a1, 1000
    0xef, 0x00, 0x00, 0x01, // 0x08 loop: jal f
    0xef, 0x00, 0x40, 0x01, // 0x0c jal g
    0xe3, 0x1c, 0xb5, 0xfe, // 0x10 bne a0, a1, loop
    0x73, 0x00, 0x00, 0x00, // 0x14 ecall
    0x13, 0x05, 0x15, 0x00, // 0x18 f: addi a0, a0, 1
    0x67, 0x80, 0x00, 0x00, // 0x1c ret
    0x13, 0x06, 0x26, 0x00, // 0x20 g: addi a2, a2, 2
    0x67, 0x80, 0x00, 0x00, // 0x24 ret
];

#[cfg(target_arch = "x86_64")]
#[test]
fn jit_returns_are_predicted_by_the_return_address_stack() {
    let (event, cpu, stats) = run(CALL_LOOP, CODE);
    assert_eq!((event, cpu.x[10], cpu.x[12]), (Event::Syscall, 1000, 2000));
    let (_, _, stats_jit) = run_on(Accel::Jit, CALL_LOOP, CODE);
    assert_eq!(stats.blocks_translated, 7);
    // 2000 returns: each call site's return cell is filled once (the
    // first predicted return through it leaves to have it filled), then
    // every return jumps through it without leaving translated code. (The
    // very first return of each function finds the stack empty: its call
    // left translated code to have the callee translated.)
    assert_eq!(stats_jit.return_cells_filled, 2, "{stats_jit:?}");
    assert_eq!(stats_jit.return_cell_misses, 2, "{stats_jit:?}");
    assert!(stats_jit.jump_cache_misses <= 2, "{stats_jit:?}");
    assert!(stats_jit.jit_entries <= 10, "{stats_jit:?}");
}
