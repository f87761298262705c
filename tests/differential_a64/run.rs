//! Running aarch64 batches under two peers (qemu-aarch64,
//! `emu-aarch64 -accel <a>`), comparing their dumps field by field,
//! shrinking a failing sequence to the fewest items that still disagree,
//! and reporting it: seed, disassembly (capstone), initial state and the
//! differing registers/memory.

use super::common::{run_raw, scratch_text, write_elf, Peer, Rng};
use super::gen::{random_state, Gen, Sequence, State, BASE, SCRATCH};
use super::prog::{build, parse, scratch_addr, Listing, PASSES, REC};
use capstone::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// qemu-aarch64 with every feature, one guest instruction per block (as
/// for riscv64: the oracle must be right about each instruction, not fast).
pub fn qemu() -> Peer {
    Peer {
        name: "qemu-aarch64".into(),
        argv: ["qemu-aarch64", "-cpu", "max", "-one-insn-per-tb"]
            .map(String::from)
            .to_vec(),
    }
}

pub fn emu(accel: &str) -> Peer {
    Peer {
        name: format!("emu-aarch64 -accel {accel}"),
        argv: vec![
            env!("CARGO_BIN_EXE_emu-aarch64").into(),
            "-accel".into(),
            accel.into(),
        ],
    }
}

/// Batch shape.
pub const SEQS_PER_BATCH: usize = 200;
pub const ITEMS_PER_SEQ: usize = 20;

/// The sequences of batch `seed` (deterministic).
pub fn batch(seed: u64) -> Vec<Sequence> {
    let mut r = Rng::new(seed ^ 0xa64);
    (0..SEQS_PER_BATCH)
        .map(|n| {
            let init = random_state(&mut r, scratch_addr(n));
            // Mostly 10–30 items; now and then a long one (register pressure).
            let len = if r.chance(10) {
                r.range(ITEMS_PER_SEQ as i64 * 3 / 2, ITEMS_PER_SEQ as i64 * 6)
            } else {
                r.range(ITEMS_PER_SEQ as i64 / 2, ITEMS_PER_SEQ as i64 * 3 / 2)
            } as usize;
            let items = Gen::new(&mut r).sequence(len);
            Sequence { init, items }
        })
        .collect()
}

/// What a peer printed for a batch.
pub struct Outcome {
    pub dumps: Vec<State>,
    pub failure: Option<String>,
    pub stderr: String,
}

pub fn run(peer: &Peer, elf: &Path) -> Outcome {
    let raw = run_raw(peer, elf);
    Outcome {
        dumps: raw.stdout.chunks_exact(REC).map(parse).collect(),
        failure: raw.failure,
        stderr: raw.stderr,
    }
}

fn line(out: &mut Vec<String>, what: &str, an: &str, a: String, bn: &str, b: String) {
    out.push(format!("{what:>7}: {an} {a}  {bn} {b}"));
}

/// The differences between two dumps, one line each (empty when equal).
pub fn diff(a: &State, b: &State, an: &str, bn: &str) -> Vec<String> {
    let mut d = Vec::new();
    let hex = |v: u64| format!("{v:#018x}");
    for k in 0..31 {
        if a.x[k] != b.x[k] {
            line(&mut d, &format!("x{k}"), an, hex(a.x[k]), bn, hex(b.x[k]));
        }
    }
    if a.nzcv != b.nzcv {
        let f = |v: u64| {
            let s: String = "NZCV"
                .chars()
                .enumerate()
                .map(|(i, c)| if v >> (31 - i) & 1 == 1 { c } else { '-' })
                .collect();
            format!("{s} ({v:#x})")
        };
        line(&mut d, "nzcv", an, f(a.nzcv), bn, f(b.nzcv));
    }
    if a.fpsr != b.fpsr {
        line(&mut d, "fpsr", an, hex(a.fpsr), bn, hex(b.fpsr));
    }
    if a.fpcr != b.fpcr {
        line(&mut d, "fpcr", an, hex(a.fpcr), bn, hex(b.fpcr));
    }
    for k in 0..32 {
        if a.v[k] != b.v[k] {
            let q = |v: [u64; 2]| format!("{:016x}_{:016x}", v[1], v[0]);
            line(&mut d, &format!("v{k}"), an, q(a.v[k]), bn, q(b.v[k]));
        }
    }
    for k in 0..SCRATCH / 8 {
        let w = |s: &[u8]| u64::from_le_bytes(s[8 * k..8 * k + 8].try_into().unwrap());
        if w(&a.scratch) != w(&b.scratch) {
            line(
                &mut d,
                &format!("m[{}]", 8 * k),
                an,
                hex(w(&a.scratch)),
                bn,
                hex(w(&b.scratch)),
            );
        }
    }
    d
}

/// Per-sequence verdict of one run of a batch under both peers.
enum Verdict {
    Same,
    /// Dump `n` differs (or one peer died before printing it); with the
    /// state that sequence started from when that was an earlier dump.
    Differs(usize, Vec<String>, Option<Box<State>>),
}

fn compare(seqs: usize, a: &Peer, oa: &Outcome, b: &Peer, ob: &Outcome) -> Verdict {
    let n = oa.dumps.len().min(ob.dumps.len());
    let start = |k: usize| (k >= seqs).then(|| Box::new(oa.dumps[k - seqs].clone()));
    for k in 0..n {
        let d = diff(&oa.dumps[k], &ob.dumps[k], "A", "B");
        if !d.is_empty() {
            return Verdict::Differs(k, d, start(k));
        }
    }
    let all = seqs * PASSES as usize;
    if oa.dumps.len() == all
        && ob.dumps.len() == all
        && oa.failure.is_none()
        && ob.failure.is_none()
    {
        return Verdict::Same;
    }
    let say = |p: &Peer, o: &Outcome| {
        format!(
            "{}: {} of {all} sequence runs, {}{}",
            p.name,
            o.dumps.len(),
            o.failure.as_deref().unwrap_or("exit 0"),
            if o.stderr.is_empty() {
                String::new()
            } else {
                format!(", stderr: {}", o.stderr.trim_end())
            }
        )
    };
    Verdict::Differs(n, vec![say(a, oa), say(b, ob)], start(n))
}

/// Runs `seqs` as one ELF under both peers.
fn run_pair(dir: &Path, tag: &str, seqs: &[Sequence], a: &Peer, b: &Peer) -> (Verdict, Listing) {
    let (elf, listing) = build(seqs);
    let path = dir.join(format!("{tag}.elf"));
    write_elf(&path, &elf);
    let oa = run(a, &path);
    let ob = run(b, &path);
    let v = compare(seqs.len(), a, &oa, b, &ob);
    if matches!(v, Verdict::Same) && std::env::var_os("EMU_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_file(&path);
    }
    (v, listing)
}

/// Sequence `seq` alone (its state moved to record 0).
fn alone(seq: &Sequence) -> Sequence {
    let mut s = seq.clone();
    let sa = scratch_addr(0);
    let old = s.init.x[BASE as usize];
    for v in s.init.x.iter_mut() {
        if *v == old {
            *v = sa;
        }
    }
    s
}

/// Greedy shrinking: drop items while the peers still disagree.
fn shrink(dir: &Path, tag: &str, seq: &Sequence, a: &Peer, b: &Peer) -> Sequence {
    let mut cur = alone(seq);
    let mut tries = 0;
    loop {
        let mut progress = false;
        let mut k = 0;
        while k < cur.items.len() {
            let cand = cur.without(k);
            tries += 1;
            if let (Verdict::Differs(..), _) = run_pair(dir, tag, std::slice::from_ref(&cand), a, b)
            {
                cur = cand;
                progress = true;
            } else {
                k += 1;
            }
            if tries > 400 {
                return cur;
            }
        }
        if !progress {
            return cur;
        }
    }
}

fn capstone() -> Capstone {
    Capstone::new()
        .arm64()
        .mode(arch::arm64::ArchMode::Arm)
        .build()
        .expect("capstone arm64")
}

/// Capstone's text for one word ("?" where it knows none).
pub fn disassemble_word(w: u32) -> String {
    match capstone().disasm_count(&w.to_le_bytes(), 0, 1) {
        Ok(insns) if insns.len() == 1 => {
            let i = insns.iter().next().unwrap();
            format!(
                "{} {}",
                i.mnemonic().unwrap_or("?"),
                i.op_str().unwrap_or("")
            )
        }
        _ => "?".into(),
    }
}

/// The disassembly of one sequence placed at `at`: capstone's, with the
/// generator's text beside it.
pub fn disassemble(seq: &Sequence, at: u64) -> String {
    let cs = capstone();
    let (words, list) = seq.assemble(at);
    let mut out = String::new();
    for (w, (pc, text)) in words.iter().zip(list) {
        let cs_text = match cs.disasm_count(&w.to_le_bytes(), pc, 1) {
            Ok(insns) if insns.len() == 1 => {
                let i = insns.iter().next().unwrap();
                format!(
                    "{} {}",
                    i.mnemonic().unwrap_or("?"),
                    i.op_str().unwrap_or("")
                )
            }
            _ => "?".into(),
        };
        let _ = writeln!(out, "  {pc:#08x}: {w:08x}  {cs_text:<40} ; {text}");
    }
    out
}

fn state_text(st: &State) -> String {
    let mut out = String::new();
    for k in 0..31 {
        let _ = write!(out, "  {:>4}={:#018x}", format!("x{k}"), st.x[k]);
        if k % 4 == 3 {
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "\n  nzcv={:#x} fpsr={:#x} fpcr={:#x}",
        st.nzcv, st.fpsr, st.fpcr
    );
    for k in 0..32 {
        let _ = write!(
            out,
            "  {:>4}={:016x}_{:016x}",
            format!("v{k}"),
            st.v[k][1],
            st.v[k][0]
        );
        if k % 2 == 1 {
            out.push('\n');
        }
    }
    scratch_text(&mut out, "x28", &st.scratch);
    out
}

/// Runs batch `seed` under both peers: `Ok(sequences)` when they agree on
/// every sequence, else the full report.
pub fn check_seed(dir: &Path, seed: u64, a: &Peer, b: &Peer) -> Result<usize, String> {
    let seqs = batch(seed);
    let (verdict, listing) = run_pair(dir, &format!("seed-{seed}"), &seqs, a, b);
    let Verdict::Differs(k, lines, start) = verdict else {
        return Ok(seqs.len());
    };
    let n = k % seqs.len();
    let mut rep = String::new();
    let _ = writeln!(
        rep,
        "\ndifferential mismatch: A = {}, B = {}",
        a.name, b.name
    );
    let _ = writeln!(
        rep,
        "seed {seed}, sequence {n} of batch, pass {} of {PASSES} \
         (rerun alone: EMU_DIFF_SEED={seed} cargo test --test differential_a64)",
        k / seqs.len() + 1
    );
    let _ = writeln!(
        rep,
        "ELF kept at {}",
        dir.join(format!("seed-{seed}.elf")).display()
    );
    for l in &lines {
        let _ = writeln!(rep, "{l}");
    }
    if k >= seqs.len() * PASSES as usize {
        return Err(rep);
    }
    let mut failing = seqs[n].clone();
    if let Some(st) = start {
        failing.init = *st;
    }
    let small = shrink(dir, &format!("shrink-{seed}"), &failing, a, b);
    let minimal = format!("minimal-{seed}");
    let (vs, _) = run_pair(dir, &minimal, std::slice::from_ref(&small), a, b);
    let _ = writeln!(
        rep,
        "\nminimal sequence ({} of {} items), ELF kept at {}:",
        small.items.len(),
        seqs[n].items.len(),
        dir.join(format!("{minimal}.elf")).display()
    );
    rep.push_str(&disassemble(&small, listing[0].0));
    match vs {
        Verdict::Differs(_, d, _) => {
            let _ = writeln!(rep, "differences:");
            for l in d {
                let _ = writeln!(rep, "{l}");
            }
        }
        Verdict::Same => {
            let _ = writeln!(rep, "(the minimal sequence agrees when run alone)");
        }
    }
    let _ = writeln!(rep, "initial state:");
    rep.push_str(&state_text(&small.init));
    let _ = writeln!(rep, "\nfull failing sequence as generated:");
    rep.push_str(&disassemble(&seqs[n], listing[n].0));
    Err(rep)
}
