//! What the riscv64 and the aarch64 differential testers share, whatever
//! the guest: the seeded random number generator, the tiny static ELF
//! writer, running a peer on a batch ELF (with a timeout and an output
//! cap), the seed list (`EMU_DIFF_SEED(S)`), the work directory
//! (`EMU_DIFF_KEEP`) and the driver that checks every seed on all cores.
//! Each tester includes this file with `#[path]`; guest-specific parts
//! (encoders, generator, program layout, dumps, shrinking) stay in its own
//! directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// splitmix64: small, seedable, good enough for test generation.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6a09_e667_f3bc_c908)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// ELF machine numbers.
pub const EM_AARCH64: u16 = 183;
pub const EM_RISCV: u16 = 243;

/// A static little-endian ELF64 ET_EXEC for `machine` (with `flags`):
/// `code` R+X at `code_va` (the entry point), `data` RW at `data_va`.
pub fn elf(
    machine: u16,
    flags: u32,
    code_va: u64,
    code: &[u8],
    data_va: u64,
    data: &[u8],
) -> Vec<u8> {
    let code_off = 0x1000u64;
    let data_off = (code_off + code.len() as u64 + 0xfff) & !0xfff;
    let mut h = vec![0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2; // ELFCLASS64
    h[5] = 1; // little endian
    h[6] = 1; // EV_CURRENT
    h[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[24..32].copy_from_slice(&code_va.to_le_bytes()); // e_entry
    h[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    h[48..52].copy_from_slice(&flags.to_le_bytes());
    h[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    h[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
    h[56..58].copy_from_slice(&2u16.to_le_bytes()); // e_phnum
    let phdr = |h: &mut Vec<u8>, flags: u32, off: u64, va: u64, len: u64| {
        let mut ph = vec![0u8; 56];
        ph[..4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        ph[4..8].copy_from_slice(&flags.to_le_bytes());
        ph[8..16].copy_from_slice(&off.to_le_bytes());
        ph[16..24].copy_from_slice(&va.to_le_bytes());
        ph[24..32].copy_from_slice(&va.to_le_bytes());
        ph[32..40].copy_from_slice(&len.to_le_bytes());
        ph[40..48].copy_from_slice(&len.to_le_bytes());
        ph[48..56].copy_from_slice(&0x1000u64.to_le_bytes());
        h.extend(ph);
    };
    phdr(&mut h, 5, code_off, code_va, code.len() as u64); // R+X
    phdr(&mut h, 6, data_off, data_va, data.len() as u64); // R+W
    h.resize(code_off as usize, 0);
    h.extend_from_slice(code);
    h.resize(data_off as usize, 0);
    h.extend_from_slice(data);
    h
}

/// Writes an executable file.
/// The scratch area as report lines: 32 bytes (four words) per line,
/// after a heading naming the register that points at it.
pub fn scratch_text(out: &mut String, base_reg: &str, scratch: &[u8]) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "  scratch (at sp = {base_reg}):");
    for (n, c) in scratch.chunks(32).enumerate() {
        let words: Vec<String> = c
            .chunks(8)
            .map(|w| format!("{:016x}", u64::from_le_bytes(w.try_into().unwrap())))
            .collect();
        let _ = writeln!(out, "    +{:<3} {}", n * 32, words.join(" "));
    }
}

pub fn write_elf(path: &Path, elf: &[u8]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, elf).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Something that runs a guest ELF: a program and its leading arguments.
#[derive(Clone, Debug)]
pub struct Peer {
    pub name: String,
    pub argv: Vec<String>,
}

/// What a peer printed for a batch.
pub struct Raw {
    pub stdout: Vec<u8>,
    /// Exit status / signal description when it did not exit 0.
    pub failure: Option<String>,
    pub stderr: String,
}

/// Longest a peer may run one ELF, and most it may print (a runaway guest
/// is killed, not waited for).
const TIMEOUT: Duration = Duration::from_secs(60);
const MAX_OUTPUT: usize = 64 << 20;

/// Runs `elf` under `peer`.
pub fn run_raw(peer: &Peer, elf: &Path) -> Raw {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(&peer.argv[0])
        .args(&peer.argv[1..])
        .arg(elf)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", peer.argv[0]));
    let reader = |r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.take(MAX_OUTPUT as u64).read_to_end(&mut v);
            v
        })
    };
    let out = reader(Box::new(child.stdout.take().unwrap()));
    let err = reader(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let mut killed = None;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > TIMEOUT || out.is_finished() {
            // Out of time, or stdout hit MAX_OUTPUT (or was closed early).
            std::thread::sleep(Duration::from_millis(100));
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            let _ = child.kill();
            killed = Some(if start.elapsed() > TIMEOUT {
                format!("killed after {}s", TIMEOUT.as_secs())
            } else {
                format!("killed after printing {MAX_OUTPUT} bytes")
            });
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    let failure = if killed.is_some() {
        killed
    } else if status.success() {
        None
    } else if let Some(sig) = status.signal() {
        Some(format!("killed by signal {sig}"))
    } else {
        Some(format!("exit status {}", status.code().unwrap_or(-1)))
    };
    Raw {
        stdout,
        failure,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Where the ELFs of comparison `name` go (one directory per comparison:
/// tests run in parallel): under `EMU_DIFF_KEEP=<dir>`, which keeps them
/// all, otherwise under a temporary directory that keeps only failing ones.
pub fn work_dir(name: &str) -> PathBuf {
    let base = match std::env::var_os("EMU_DIFF_KEEP") {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join(format!("emu-differential-{}", std::process::id())),
    };
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let d = base.join(slug);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The seeds to run: `EMU_DIFF_SEED=S` alone, `EMU_DIFF_SEEDS=N` for
/// 0..N, else 0..`ci_seeds`.
pub fn seeds(ci_seeds: u64) -> Vec<u64> {
    if let Ok(s) = std::env::var("EMU_DIFF_SEED") {
        return vec![s.trim().parse().expect("EMU_DIFF_SEED: a number")];
    }
    let n = match std::env::var("EMU_DIFF_SEEDS") {
        Ok(s) => s.trim().parse().expect("EMU_DIFF_SEEDS: a number"),
        Err(_) => ci_seeds,
    };
    (0..n).collect()
}

/// Runs `check(dir, seed)` (`Ok(sequences that agree)` or `Err(report)`)
/// for every seed on all cores; panics with the reports of the failing
/// seeds (at most a few, so the output stays readable).
pub fn differential(
    what: &str,
    ci_seeds: u64,
    check: impl Fn(&Path, u64) -> Result<usize, String> + Sync,
) {
    let seeds = seeds(ci_seeds);
    let dir = work_dir(what);
    let start = Instant::now();
    let next = AtomicUsize::new(0);
    let sequences = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(4, |n| n.get())
        .min(16);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= seeds.len() || failures.lock().unwrap().len() >= 3 {
                    break;
                }
                match check(&dir, seeds[k]) {
                    Ok(n) => {
                        sequences.fetch_add(n, Ordering::Relaxed);
                    }
                    Err(rep) => failures.lock().unwrap().push(rep),
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    eprintln!(
        "differential {what}: {} seeds, {} sequences agree, {} failing, {:.1}s",
        seeds.len(),
        sequences.load(Ordering::Relaxed),
        failures.len(),
        start.elapsed().as_secs_f64()
    );
    if !failures.is_empty() {
        panic!("{}", failures.join("\n"));
    }
    if std::env::var_os("EMU_DIFF_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
        // the per-process parent, once the last comparison is done with it
        let _ = std::fs::remove_dir(dir.parent().unwrap());
    }
}
