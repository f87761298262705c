//! The aarch64 differential instruction tester: seeded random A64
//! sequences — add/sub (immediate, shifted, extended, with carry, flag
//! setting), logical (every kind of bitmask immediate, shifted register),
//! move wide, bitfield, EXTR, ADR/ADRP, variable shifts, CLZ/CLS/RBIT/REV*,
//! the multiplies, divides (by 0 and MIN/-1 too), conditional select and
//! compare, forward B/BL/B.cond/CBZ/CBNZ/TBZ/TBNZ, BR/BLR/RET through ADR,
//! counted loops, calls and returns, hints and barriers, loads and stores
//! of every size and addressing mode (pairs, LDPSW, literals, prefetches
//! too), LDXR/STXR, LDAR/STLR, SIMD&FP loads and stores with LD1/ST1, the
//! integer Advanced SIMD subset, FMOV to and from general registers,
//! MRS/MSR NZCV, FPSR, FPCR and TPIDR_EL0, with boundary values and bit
//! patterns in the registers — batched into
//! tiny static ELFs (`differential_a64/prog.rs`) and run under two peers.
//! After every sequence x0–x30, NZCV, FPSR, FPCR, v0–v31 and the scratch
//! memory must be equal. Each batch runs twice, the second pass on
//! already-translated code. The generator (`differential_a64/gen.rs`)
//! says how to add an instruction class.
//!
//! - `qemu_vs_interp`: qemu-aarch64 (the oracle, one instruction per
//!   block) against `emu-aarch64 -accel interp`.
//! - `interp_vs_jit`: `-accel interp` against `-accel jit` (when
//!   `emu-aarch64 -accel help` lists it, i.e. on x86-64 hosts).
//! - `decode_agrees_with_qemu`: random data-processing words, valid or
//!   not, must raise SIGILL under both or neither (`differential_a64/decode.rs`).
//!
//! CI runs a fixed seed set (`CI_SEEDS` batches of 200 sequences). Longer:
//! `EMU_DIFF_SEEDS=N cargo test --test differential_a64` runs seeds 0..N;
//! `EMU_DIFF_SEED=S` runs seed S alone (what a failure report tells you);
//! `EMU_DIFF_KEEP=<dir>` keeps every batch ELF there. A mismatch is shrunk
//! to the fewest items that still disagree and reported with its seed,
//! disassembly, initial state and differences.

#[path = "differential/common.rs"]
mod common;
#[path = "differential_a64/decode.rs"]
mod decode;
#[path = "differential_a64/enc.rs"]
mod enc;
#[path = "differential_a64/gen.rs"]
mod gen;
#[path = "differential_a64/prog.rs"]
mod prog;
#[path = "differential_a64/run.rs"]
mod run;

use common::{differential, Peer};
use std::process::Command;

/// Batches in the CI budget (each: 200 sequences of 10–30 items, run
/// twice); about 5 s per comparison on two cores.
const CI_SEEDS: u64 = 40;

fn compare(a: &Peer, b: &Peer) {
    differential(
        &format!("{} vs {}", a.name, b.name),
        CI_SEEDS,
        |dir, seed| run::check_seed(dir, seed, a, b),
    );
}

fn require_qemu() {
    match Command::new("qemu-aarch64").arg("--version").output() {
        Ok(o) if o.status.success() => {}
        _ => panic!(
            "qemu-aarch64 not found: the differential tester compares against it \
             (run `sudo scripts/install-deps.sh` to install qemu-user 10)"
        ),
    }
}

/// The accelerators `emu-aarch64 -accel help` lists.
fn accels() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_emu-aarch64"))
        .args(["-accel", "help"])
        .output()
        .expect("run emu-aarch64 -accel help");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn qemu_vs_interp() {
    require_qemu();
    compare(&run::qemu(), &run::emu("interp"));
}

#[test]
fn interp_vs_jit() {
    if !accels().iter().any(|a| a == "jit") {
        eprintln!("emu-aarch64 has no -accel jit yet: interp-vs-jit comparison not run");
        return;
    }
    compare(&run::emu("interp"), &run::emu("jit"));
}

/// The generator is deterministic: a seed always means the same batch.
#[test]
fn batches_are_reproducible() {
    let a = prog::build(&run::batch(7)).0;
    let b = prog::build(&run::batch(7)).0;
    assert!(a == b);
    assert!(a != prog::build(&run::batch(8)).0);
}

/// Every generated word decodes (capstone knows it) and every class is
/// generated: a typo in an encoder shows here, not as a SIGILL.
#[test]
fn generated_instructions_decode() {
    let text = run::disassemble(
        &gen::Sequence {
            init: run::batch(1)[0].init.clone(),
            items: run::batch(1).into_iter().flat_map(|s| s.items).collect(),
        },
        prog::CODE_VA,
    );
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(" ? ") || l.contains("?  "))
        .collect();
    assert!(bad.is_empty(), "undecodable words:\n{}", bad.join("\n"));
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
    let mut rng = common::Rng::new(1);
    let init = gen::random_state(&mut rng, prog::scratch_addr(0));
    let seq = Sequence {
        init: init.clone(),
        items: vec![
            item(move_wide(true, 2, 0, 5, 0)),             // movz x0, #5
            item(ldst_uimm(3, false, 0, 2, 31, 0)),        // str x0, [sp, #16]
            item(fmov_general(true, 1, 0, 7, 0, 3)),       // fmov d3, x0
            item(add_shifted(true, 1, 1, 0, 0, 0, 0, 31)), // cmp x0, x0
        ],
    };
    let dir = common::work_dir("harness-a64");
    let path = dir.join("harness.elf");
    common::write_elf(&path, &prog::build(&[seq]).0);
    require_qemu();
    for peer in [run::qemu(), run::emu("interp")] {
        let out = run::run(&peer, &path);
        assert!(
            out.failure.is_none(),
            "{}: {:?} {}",
            peer.name,
            out.failure,
            out.stderr
        );
        assert_eq!(out.dumps.len(), prog::PASSES as usize, "{}", peer.name);
        let d = &out.dumps[0];
        assert_eq!(d.x[0], 5);
        assert_eq!(d.x[1], init.x[1]);
        assert_eq!(d.x[28], prog::scratch_addr(0));
        assert_eq!(d.v[3], [5, 0]);
        assert_eq!(d.v[4], init.v[4]);
        assert_eq!(d.nzcv, 0x6000_0000);
        assert_eq!(d.fpsr, init.fpsr);
        assert_eq!(d.scratch[16..24], 5u64.to_le_bytes());
        assert_eq!(d.scratch[24..], init.scratch[24..]);
    }
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    let _ = std::fs::remove_dir(dir.parent().unwrap());
}

/// The decode sweep (`differential_a64/decode.rs`): qemu-aarch64 and
/// `-accel interp` reject exactly the same data-processing words.
#[test]
fn decode_agrees_with_qemu() {
    require_qemu();
    let dir = common::work_dir("decode-sweep");
    let mut bad = Vec::new();
    for seed in common::seeds(1) {
        let words = decode::words(seed, 4000);
        let path = dir.join(format!("decode-{seed}.elf"));
        common::write_elf(&path, &decode::build(&words));
        let q = common::run_raw(&run::qemu(), &path);
        let e = common::run_raw(&run::emu("interp"), &path);
        for (p, o) in [("qemu", &q), ("emu", &e)] {
            assert!(
                o.failure.is_none() && o.stdout.len() == words.len(),
                "{p}: {:?} after {} words, {}",
                o.failure,
                o.stdout.len(),
                o.stderr
            );
        }
        for (k, &w) in words.iter().enumerate() {
            if q.stdout[k] != e.stdout[k] {
                let say = |f: u8| if f == 1 { "SIGILL" } else { "runs" };
                bad.push(format!(
                    "  {w:08x} {:<40} qemu: {}, emu: {}",
                    run::disassemble_word(w),
                    say(q.stdout[k]),
                    say(e.stdout[k])
                ));
            }
        }
        if bad.is_empty() && std::env::var_os("EMU_DIFF_KEEP").is_none() {
            let _ = std::fs::remove_file(&path);
        }
    }
    assert!(
        bad.is_empty(),
        "decode differences (seed words in {}):\n{}",
        dir.display(),
        bad.join("\n")
    );
    let _ = std::fs::remove_dir(&dir);
    let _ = std::fs::remove_dir(dir.parent().unwrap());
}
