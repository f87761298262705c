//! Running batches under two peers (qemu-riscv64, `emu-riscv64 -accel <a>`),
//! comparing their dumps field by field, shrinking a failing sequence to the
//! fewest items that still disagree, and reporting it: seed, disassembly
//! (capstone, or the generator's text where capstone does not know the
//! instruction), initial state and the differing registers/memory.

use super::common::{run_raw, scratch_text};
pub use super::common::{work_dir, write_elf, Peer};
use super::enc::xn;
use super::gen::{random_state, Gen, Rng, Sequence, State, SCRATCH};
use super::prog::{build, scratch_addr, Dump, Listing, PASSES, REC};
use capstone::prelude::*;
use std::fmt::Write as _;
use std::path::Path;

/// qemu-riscv64 with every extension, one guest instruction per block:
/// qemu 10.0.2's TCG optimizer miscompiles across instructions (it folds
/// `sext.b` after `cpop; roriw` into a move, and drops the fflags of an
/// `fround` whose result is overwritten unread), and the oracle must be
/// right about each instruction, not fast.
pub fn qemu() -> Peer {
    Peer {
        name: "qemu-riscv64".into(),
        argv: ["qemu-riscv64", "-cpu", "max", "-one-insn-per-tb"]
            .map(String::from)
            .to_vec(),
    }
}

pub fn emu(accel: &str) -> Peer {
    Peer {
        name: format!("emu-riscv64 -accel {accel}"),
        argv: vec![
            env!("CARGO_BIN_EXE_emu-riscv64").into(),
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
    let mut r = Rng::new(seed);
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
    pub dumps: Vec<Dump>,
    /// Exit status / signal description when it did not exit 0.
    pub failure: Option<String>,
    pub stderr: String,
}

pub fn run(peer: &Peer, elf: &Path) -> Outcome {
    let raw = run_raw(peer, elf);
    Outcome {
        dumps: raw.stdout.chunks_exact(REC).map(Dump::parse).collect(),
        failure: raw.failure,
        stderr: raw.stderr,
    }
}

/// The differences between two dumps, one line each (empty when equal).
pub fn diff(a: &Dump, b: &Dump, an: &str, bn: &str) -> Vec<String> {
    let mut d = Vec::new();
    for k in 1..32 {
        if a.x[k] != b.x[k] {
            d.push(format!(
                "{:>6}: {an} {:#018x}  {bn} {:#018x}",
                xn(k as u8),
                a.x[k],
                b.x[k]
            ));
        }
    }
    for k in 0..32 {
        if a.f[k] != b.f[k] {
            d.push(format!(
                "{:>6}: {an} {:#018x}  {bn} {:#018x}",
                format!("f{k}"),
                a.f[k],
                b.f[k]
            ));
        }
    }
    if a.fcsr != b.fcsr {
        d.push(format!(
            "{:>6}: {an} {:#x} (frm {} fflags {:#07b})  {bn} {:#x} (frm {} fflags {:#07b})",
            "fcsr",
            a.fcsr,
            a.fcsr >> 5,
            a.fcsr & 31,
            b.fcsr,
            b.fcsr >> 5,
            b.fcsr & 31
        ));
    }
    for k in 0..SCRATCH / 8 {
        let w = |s: &[u8]| u64::from_le_bytes(s[8 * k..8 * k + 8].try_into().unwrap());
        if w(&a.scratch) != w(&b.scratch) {
            d.push(format!(
                "{:>6}: {an} {:#018x}  {bn} {:#018x}",
                format!("m[{}]", 8 * k),
                w(&a.scratch),
                w(&b.scratch)
            ));
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

fn state_of(d: &Dump) -> State {
    State {
        x: d.x,
        f: d.f,
        fcsr: d.fcsr,
        scratch: d.scratch.clone().try_into().unwrap(),
    }
}

fn compare(seqs: usize, a: &Peer, oa: &Outcome, b: &Peer, ob: &Outcome) -> Verdict {
    let n = oa.dumps.len().min(ob.dumps.len());
    let start = |k: usize| (k >= seqs).then(|| Box::new(state_of(&oa.dumps[k - seqs])));
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
    let old = s.init.x[2];
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
        .riscv()
        .mode(arch::riscv::ArchMode::RiscV64)
        .extra_mode([arch::riscv::ArchExtraMode::RiscVC].into_iter())
        .build()
        .expect("capstone riscv64")
}

/// The disassembly of one sequence: capstone where it decodes the bytes the
/// way the generator meant (same length), the generator's text otherwise.
pub fn disassemble(seq: &Sequence, at: u64) -> String {
    let cs = capstone();
    let (bytes, list) = seq.assemble(at);
    let mut out = String::new();
    for (pc, len, text) in list {
        let off = (pc - at) as usize;
        let b = &bytes[off..off + len];
        let hex: String = b
            .chunks(2)
            .rev()
            .map(|c| format!("{:02x}{:02x}", c[1], c[0]))
            .collect();
        let cs_text = match cs.disasm_count(b, pc, 1) {
            Ok(insns) if insns.len() == 1 && insns.iter().next().unwrap().bytes().len() == len => {
                let i = insns.iter().next().unwrap();
                Some(format!(
                    "{} {}",
                    i.mnemonic().unwrap_or("?"),
                    i.op_str().unwrap_or("")
                ))
            }
            _ => None,
        };
        match cs_text {
            Some(c) => {
                let _ = writeln!(out, "  {pc:#07x}: {hex:<20} {c:<36} ; {text}");
            }
            None => {
                let _ = writeln!(out, "  {pc:#07x}: {hex:<20} {text}");
            }
        }
    }
    out
}

fn state_text(seq: &Sequence) -> String {
    let st = &seq.init;
    let mut out = String::new();
    for k in 0..32 {
        let _ = write!(out, "  {:>4}={:#018x}", xn(k as u8), st.x[k]);
        if k % 4 == 3 {
            out.push('\n');
        }
    }
    for k in 0..32 {
        let _ = write!(out, "  {:>4}={:#018x}", format!("f{k}"), st.f[k]);
        if k % 4 == 3 {
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "  fcsr={:#x} (frm {}, fflags {:#07b})",
        st.fcsr,
        st.fcsr >> 5,
        st.fcsr & 31
    );
    scratch_text(&mut out, "s0", &st.scratch);
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
         (rerun alone: EMU_DIFF_SEED={seed} cargo test --test differential)",
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
    rep.push_str(&state_text(&small));
    let _ = writeln!(rep, "\nfull failing sequence as generated:");
    rep.push_str(&disassemble(&seqs[n], listing[n].0));
    Err(rep)
}
