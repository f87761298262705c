//! The differential instruction tester: seeded random riscv64 instruction
//! sequences — RV64IMAC, Zba/Zbb/Zbs/Zicond, F/D with special values (±0,
//! ±inf, qNaN/sNaN, subnormals, integer boundaries, badly NaN-boxed singles),
//! Zfa, fcsr accesses, loads/stores (some misaligned), AMOs and LR/SC on a
//! scratch area, fences and `fence.i`, forward branches and jumps, counted
//! loops, calls/returns, compressed forms — batched into tiny static ELFs
//! (`differential/prog.rs`) and run under two peers. After every sequence
//! the integer and FP register files, fcsr and the scratch memory must be
//! equal. Each batch runs twice, the second pass on already-translated code.
//!
//! - `qemu_vs_interp`: qemu-riscv64 (the oracle, one instruction per block)
//!   against `-accel interp`.
//! - `interp_vs_jit`: `-accel interp` against `-accel jit` (when
//!   `emu-riscv64 -accel help` lists it, i.e. on x86-64 hosts).
//!
//! CI runs a fixed seed set (`CI_SEEDS` batches of 200 sequences). Longer:
//! `EMU_DIFF_SEEDS=N cargo test --test differential` runs seeds 0..N;
//! `EMU_DIFF_SEED=S` runs seed S alone (what a failure report tells you);
//! `EMU_DIFF_KEEP=<dir>` keeps every batch ELF there (`-d in_asm` them).
//! A mismatch is shrunk to the fewest items that still disagree and
//! reported with its seed, disassembly, initial state and differences.

#[path = "differential/common.rs"]
mod common;
#[path = "differential/enc.rs"]
mod enc;
#[path = "differential/gen.rs"]
mod gen;
#[path = "differential/prog.rs"]
mod prog;
#[path = "differential/run.rs"]
mod run;

use common::Peer;
use run::check_seed;
use std::process::Command;

/// Batches in the CI budget (each: 200 sequences of 10–30 items, run twice);
/// about 5 s per comparison on two cores.
const CI_SEEDS: u64 = 48;

/// Runs every seed under both peers on all cores.
fn differential(a: &Peer, b: &Peer) {
    common::differential(
        &format!("{} vs {}", a.name, b.name),
        CI_SEEDS,
        |dir, seed| check_seed(dir, seed, a, b),
    );
}

fn require_qemu() {
    match Command::new("qemu-riscv64").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => panic!(
            "qemu-riscv64 not found: the differential tester compares against it \
             (run `sudo scripts/install-deps.sh` to install qemu-user 10)"
        ),
    }
}

/// The accelerators `emu-riscv64 -accel help` lists.
fn accels() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_emu-riscv64"))
        .args(["-accel", "help"])
        .output()
        .expect("run emu-riscv64 -accel help");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn qemu_vs_interp() {
    require_qemu();
    differential(&run::qemu(), &run::emu("interp"));
}

#[test]
fn interp_vs_jit() {
    if !accels().iter().any(|a| a == "jit") {
        eprintln!("emu-riscv64 has no -accel jit yet: interp-vs-jit comparison not run");
        return;
    }
    differential(&run::emu("interp"), &run::emu("jit"));
}

/// The generator is deterministic: a seed always means the same batch.
#[test]
fn batches_are_reproducible() {
    let a = prog::build(&run::batch(7)).0;
    let b = prog::build(&run::batch(7)).0;
    assert!(a == b);
    assert!(a != prog::build(&run::batch(8)).0);
}

/// The harness itself: a hand-written sequence's results reach the dump.
#[test]
fn harness_reports_results() {
    use enc::*;
    use gen::{Item, Piece, Sequence};
    let item = |w: u32| Item {
        pieces: vec![Piece::W(w)],
        skip: 0,
        text: vec![String::new()],
    };
    let mut rng = gen::Rng::new(1);
    let init = gen::random_state(&mut rng, prog::scratch_addr(0));
    let seq = Sequence {
        init: init.clone(),
        items: vec![
            item(i(OP_IMM, 0, 10, 0, 5)),               // li a0, 5
            item(s(STORE, 3, 8, 10, 16)),               // sd a0, 16(s0)
            item(r(OP_FP, 0, 0x1e << 2 | 1, 3, 10, 0)), // fmv.d.x f3, a0
            item(csr(5, 0, 0b10101, 1)),                // csrwi fflags, 0b10101
        ],
    };
    let dir = run::work_dir("harness");
    let path = dir.join("harness.elf");
    run::write_elf(&path, &prog::build(&[seq]).0);
    require_qemu();
    for peer in [run::qemu(), run::emu("interp")] {
        let out = run::run(&peer, &path);
        assert!(out.failure.is_none(), "{}: {:?}", peer.name, out.failure);
        assert_eq!(out.dumps.len(), prog::PASSES as usize, "{}", peer.name);
        let d = &out.dumps[0];
        assert_eq!(d.x[10], 5);
        assert_eq!(d.x[11], init.x[11]);
        assert_eq!(d.x[2], prog::scratch_addr(0));
        assert_eq!(d.f[3], 5);
        assert_eq!(d.f[4], init.f[4]);
        assert_eq!(d.fcsr, init.fcsr & !31 | 0b10101);
        assert_eq!(d.scratch[16..24], 5u64.to_le_bytes());
        assert_eq!(d.scratch[24..], init.scratch[24..]);
    }
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    let _ = std::fs::remove_dir(dir.parent().unwrap());
}
