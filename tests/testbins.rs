//! The guest test corpus: small riscv64 programs built from `testbins/src/`
//! (committed, prebuilt, in `testbins/riscv64/`) run under `emu-riscv64`.
//!
//! Every line of `testbins/cases.txt` is one case (format documented at the
//! top of that file): `binary | args | exit | expected-stdout`.  Each case runs
//! as `emu-riscv64 -accel BACKEND [-L /usr/riscv64-linux-gnu] testbins/riscv64/BINARY ARGS...`
//! for every backend in [`BACKENDS`], in its own fresh temp dir (cwd, $TMPDIR
//! and the `@TMPDIR` argument token), with a clean environment and a
//! [`TIMEOUT`], and must produce exactly the expected stdout and exit status
//! (or die of the expected signal).  `-dyn` binaries need the riscv64 glibc
//! sysroot; without it they FAIL (never skip).
//!
//! There is one `#[test]` per case (named after the expected-stdout file),
//! and the threaded cases run again `STRESS_RUNS` times each (`stress::*`);
//! `cases_txt_matches_test_list` keeps the list below and cases.txt in sync.
//! Expected outputs are generated with `testbins/bless.sh` (qemu-riscv64) and
//! reviewed by hand; see `testbins/README.md`.

use std::fs;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// `-accel` values every case is run with.  Adding a backend is one line.
const BACKENDS: &[&str] = &["interp", "jit"];

/// Per-run wall-clock limit; on expiry the whole process group is killed and
/// the case fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// riscv64 glibc sysroot for the `-dyn` binaries (Debian's
/// libc6-dev-riscv64-cross, installed by scripts/install-deps.sh).
const SYSROOT: &str = "/usr/riscv64-linux-gnu";
const SYSROOT_PROBE: &str = "/usr/riscv64-linux-gnu/lib/ld-linux-riscv64-lp64d.so.1";

/// Set in every guest's environment; `args_env` prints it.
const TEST_VAR: (&str, &str) = ("EMU_TESTBINS_VAR", "emu-testbins-value");

macro_rules! cases {
    ($($id:ident),* $(,)?) => {
        /// Every case id, in cases.txt order.
        const CASE_IDS: &[&str] = &[$(stringify!($id)),*];
        $(
            #[test]
            fn $id() {
                run_case(stringify!($id));
            }
        )*
    };
}

cases!(
    hello,
    hello_dyn,
    args_env_noargs,
    args_env,
    args_env_exit3,
    exit_codes_0,
    exit_codes_42,
    exit_codes_257,
    exit_codes_minus1,
    exit_codes_underscore_exit,
    exit_codes_ret,
    fileio,
    dirs,
    mmap,
    malloc_stress,
    strings,
    intmath,
    fpmath,
    fpmath_dyn,
    time,
    sockets,
    pipes,
    rv_asm,
    sigsegv,
    illegal,
    smc,
    smc_threads_rewrite,
    smc_threads_fencei,
    smc_threads_remap,
    efault,
    execstack,
    threads_create,
    threads_mutex,
    threads_condvar,
    threads_barrier,
    threads_rwlock,
    threads_atomics,
    threads_tls,
    threads_exit,
    threads_detach,
    threads_once,
    threads_tsd,
    signals_segv,
    signals_bus,
    signals_ucontext,
    signals_raise,
    signals_nested,
    signals_mask,
    signals_resethand,
    signals_altstack,
    signals_overflow,
    signals_restart,
    signals_eintr,
    signals_rtqueue,
    signals_sigwait,
    signals_sigsuspend,
    signals_signalfd,
    signals_kill,
    signals_timer,
    procs_tree,
    procs_vfork,
    procs_reexec,
    procs_waitid,
    procs_killed,
    procs_pgrp,
    threads_signals_pthread_kill,
    threads_signals_blocked,
    threads_signals_busyloop,
    threads_signals_exit_group,
    threads_signals_mainexit,
    pthread_cancel,
    signal_storm,
);

/// Threaded cases, each also run `STRESS_RUNS` times per backend: they must
/// never hang, crash or print anything else.
macro_rules! stress {
    ($($id:ident),* $(,)?) => {
        mod stress {
            $(
                #[test]
                fn $id() {
                    super::run_case_times(stringify!($id), super::STRESS_RUNS);
                }
            )*
        }
    };
}

const STRESS_RUNS: usize = 50;

stress!(
    smc_threads_rewrite,
    smc_threads_fencei,
    smc_threads_remap,
    threads_create,
    threads_mutex,
    threads_condvar,
    threads_barrier,
    threads_rwlock,
    threads_atomics,
    threads_tls,
    threads_exit,
    threads_detach,
    threads_once,
    threads_tsd,
    threads_signals_pthread_kill,
    threads_signals_blocked,
    threads_signals_busyloop,
    threads_signals_exit_group,
    threads_signals_mainexit,
    pthread_cancel,
    signal_storm,
);

fn testbins_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testbins")
}

#[derive(Debug, Clone, PartialEq)]
enum Exit {
    Code(i32),
    Signal(i32, String),
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit status {c}"),
            Exit::Signal(_, name) => write!(f, "death by {name}"),
        }
    }
}

#[derive(Debug)]
struct Case {
    id: String,
    binary: String,
    args: Vec<String>,
    exit: Exit,
    expected: String,
    line: usize,
}

const SIGNALS: &[(&str, i32)] = &[
    ("SIGHUP", libc::SIGHUP),
    ("SIGINT", libc::SIGINT),
    ("SIGQUIT", libc::SIGQUIT),
    ("SIGILL", libc::SIGILL),
    ("SIGTRAP", libc::SIGTRAP),
    ("SIGABRT", libc::SIGABRT),
    ("SIGBUS", libc::SIGBUS),
    ("SIGFPE", libc::SIGFPE),
    ("SIGKILL", libc::SIGKILL),
    ("SIGUSR1", libc::SIGUSR1),
    ("SIGSEGV", libc::SIGSEGV),
    ("SIGUSR2", libc::SIGUSR2),
    ("SIGPIPE", libc::SIGPIPE),
    ("SIGALRM", libc::SIGALRM),
    ("SIGTERM", libc::SIGTERM),
    ("SIGSYS", libc::SIGSYS),
];

fn signal_name(n: i32) -> String {
    SIGNALS
        .iter()
        .find(|(_, v)| *v == n)
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| format!("signal {n}"))
}

/// Whitespace-separated words; `"..."` groups (and may be empty).
fn split_args(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        let mut word = String::new();
        if c == '"' {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(c) => word.push(c),
                    None => return Err("unterminated \"".into()),
                }
            }
            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                return Err("text directly after a closing \"".into());
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                if c == '"' {
                    return Err("\" inside a word".into());
                }
                word.push(c);
                chars.next();
            }
        }
        out.push(word);
    }
    Ok(out)
}

fn load_cases() -> Vec<Case> {
    let path = testbins_dir().join("cases.txt");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut cases = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| -> ! { panic!("{}:{}: {why}: {raw:?}", path.display(), i + 1) };
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        if f.len() != 4 {
            bad("expected 4 '|'-separated fields");
        }
        let args = split_args(f[1]).unwrap_or_else(|e| bad(&e));
        let exit = if let Some(&(name, n)) = SIGNALS.iter().find(|(s, _)| *s == f[2]) {
            Exit::Signal(n, name.to_string())
        } else {
            match f[2].parse::<i32>() {
                Ok(c) if (0..=255).contains(&c) => Exit::Code(c),
                _ => bad("exit must be 0..=255 or a signal name like SIGSEGV"),
            }
        };
        let Some(id) = f[3].strip_suffix(".out") else {
            bad("expected-stdout must end in .out")
        };
        if id.is_empty()
            || !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bad("case id (expected-stdout name) must be [a-z0-9_]+");
        }
        if f[0].is_empty() || f[0].contains('/') {
            bad("bad binary name");
        }
        cases.push(Case {
            id: id.to_string(),
            binary: f[0].to_string(),
            args,
            exit,
            expected: f[3].to_string(),
            line: i + 1,
        });
    }
    cases
}

#[test]
fn cases_txt_matches_test_list() {
    let cases = load_cases();
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    let mut seen = std::collections::HashSet::new();
    for c in &cases {
        assert!(
            seen.insert(c.id.as_str()),
            "cases.txt:{}: duplicate case id {}",
            c.line,
            c.id
        );
    }
    let missing: Vec<&&str> = ids.iter().filter(|id| !CASE_IDS.contains(id)).collect();
    let stale: Vec<&&str> = CASE_IDS.iter().filter(|id| !ids.contains(id)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "tests/testbins.rs cases!(...) is out of sync with testbins/cases.txt:\n  \
         in cases.txt but not in cases!(): {missing:?}\n  in cases!() but not in cases.txt: {stale:?}"
    );
    for c in &cases {
        let bin = testbins_dir().join("riscv64").join(&c.binary);
        assert!(
            bin.is_file(),
            "cases.txt:{}: {} missing (run testbins/build.sh)",
            c.line,
            bin.display()
        );
        let exp = testbins_dir().join("expected").join(&c.expected);
        assert!(
            exp.is_file(),
            "cases.txt:{}: {} missing (run testbins/bless.sh)",
            c.line,
            exp.display()
        );
    }
}

#[test]
fn split_args_quoting() {
    assert_eq!(split_args("").unwrap(), Vec::<String>::new());
    assert_eq!(split_args(" a  b ").unwrap(), ["a", "b"]);
    assert_eq!(
        split_args(r#"one "two words" "" x"#).unwrap(),
        ["one", "two words", "", "x"]
    );
    assert!(split_args(r#"a "b"#).is_err());
}

/// A fresh, empty private directory for one run.
fn scratch_dir(id: &str, backend: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "emu-testbins-{}-{id}-{backend}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap_or_else(|e| panic!("create {}: {e}", d.display()));
    d
}

struct Outcome {
    status: Option<ExitStatus>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    timed_out: bool,
    elapsed: Duration,
}

fn kill_group(child: &Child) {
    // The emulator leads its own process group (see process_group(0)); guest
    // fork()s stay in it, so this also reaps stragglers holding our pipes.
    unsafe {
        libc::kill(-(child.id() as i32), libc::SIGKILL);
    }
}

fn reader(mut r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

fn run_with_timeout(mut cmd: Command) -> Outcome {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let out = reader(child.stdout.take().unwrap());
    let err = reader(child.stderr.take().unwrap());
    let deadline = start + TIMEOUT;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(st)) => break Some(st),
            Ok(None) if Instant::now() >= deadline => {
                timed_out = true;
                kill_group(&child);
                break child.wait().ok();
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("wait: {e}"),
        }
    };
    let elapsed = start.elapsed();
    // Leftover guest processes would keep the pipes open: kill the group.
    kill_group(&child);
    let grace = Duration::from_secs(5);
    let stdout = out.recv_timeout(grace).unwrap_or_default();
    let stderr = err.recv_timeout(grace).unwrap_or_default();
    Outcome {
        status,
        stdout,
        stderr,
        timed_out,
        elapsed,
    }
}

/// A line diff (LCS) of expected vs actual, `-` expected only, `+` actual only.
fn diff(expected: &[u8], actual: &[u8]) -> String {
    let e = String::from_utf8_lossy(expected);
    let a = String::from_utf8_lossy(actual);
    let el: Vec<&str> = e.split_inclusive('\n').collect();
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let show = |l: &str| {
        if l.ends_with('\n') {
            l.to_string()
        } else {
            format!("{l}\n\\ no newline at end\n")
        }
    };
    let mut out = String::new();
    if el.len() * al.len() > 4_000_000 {
        out += "(outputs too large for a line diff; first 50 lines of each)\n";
        for l in el.iter().take(50) {
            out += &format!("-{}", show(l));
        }
        for l in al.iter().take(50) {
            out += &format!("+{}", show(l));
        }
        return out;
    }
    let (n, m) = (el.len(), al.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if el[i] == al[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut shown) = (0, 0, 0);
    while (i < n || j < m) && shown < 200 {
        if i < n && j < m && el[i] == al[j] {
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out += &format!("{:>4} -{}", i + 1, show(el[i]));
            i += 1;
            shown += 1;
        } else {
            out += &format!("{:>4} +{}", j + 1, show(al[j]));
            j += 1;
            shown += 1;
        }
    }
    if shown >= 200 {
        out += "... (diff truncated)\n";
    }
    out
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let skip = lines.len().saturating_sub(n);
    let mut out = if skip > 0 {
        format!("... ({skip} lines skipped)\n")
    } else {
        String::new()
    };
    for l in &lines[skip..] {
        out += l;
        out.push('\n');
    }
    out
}

fn run_case(id: &str) {
    run_case_times(id, 1)
}

/// Runs case `id` `runs` times under every backend; fails on the first bad run.
fn run_case_times(id: &str, runs: usize) {
    let cases = load_cases();
    let case = cases
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("case {id} not in testbins/cases.txt"));
    let bin = testbins_dir().join("riscv64").join(&case.binary);
    assert!(
        bin.is_file(),
        "case {id}: {} missing (run testbins/build.sh)",
        bin.display()
    );
    let exp_path = testbins_dir().join("expected").join(&case.expected);
    let expected = fs::read(&exp_path)
        .unwrap_or_else(|e| panic!("case {id}: read {}: {e}", exp_path.display()));
    let dynamic = case.binary.ends_with("-dyn");
    if dynamic && !Path::new(SYSROOT_PROBE).exists() {
        panic!(
            "case {id}: dynamically linked guest needs the riscv64 glibc sysroot {SYSROOT} \
             ({SYSROOT_PROBE} not found): run scripts/install-deps.sh"
        );
    }

    let mut failures = Vec::new();
    for backend in BACKENDS.iter().flat_map(|b| std::iter::repeat_n(b, runs)) {
        let dir = scratch_dir(id, backend);
        let dir_s = dir.to_str().expect("temp dir path is UTF-8");
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("@TMPDIR", dir_s))
            .collect();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_emu-riscv64"));
        cmd.arg("-accel").arg(backend);
        if dynamic {
            cmd.arg("-L").arg(SYSROOT);
        }
        cmd.arg(&bin).args(&args);
        cmd.current_dir(&dir)
            .env_clear()
            .env(TEST_VAR.0, TEST_VAR.1)
            .env("TMPDIR", &dir)
            .env("HOME", &dir)
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env("PATH", "/nonexistent/emu-testbins");
        let shown = format!(
            "emu-riscv64 -accel {backend}{} {} {}",
            if dynamic {
                format!(" -L {SYSROOT}")
            } else {
                String::new()
            },
            bin.display(),
            args.iter()
                .map(|a| if a.is_empty() || a.contains(char::is_whitespace) {
                    format!("'{a}'")
                } else {
                    a.clone()
                })
                .collect::<Vec<_>>()
                .join(" ")
        );

        let o = run_with_timeout(cmd);
        let got = o.status.map(|st| match (st.code(), st.signal()) {
            (Some(c), _) => Exit::Code(c),
            (None, Some(s)) => Exit::Signal(s, signal_name(s)),
            _ => Exit::Code(-1),
        });
        let exit_ok = matches!((&got, &case.exit), (Some(Exit::Code(a)), Exit::Code(b)) if a == b)
            || matches!((&got, &case.exit), (Some(Exit::Signal(a, _)), Exit::Signal(b, _)) if a == b);
        let ok = !o.timed_out && exit_ok && o.stdout == expected;
        eprintln!(
            "[testbins {id}/{backend}] {} in {:.2}s",
            if ok { "ok" } else { "FAILED" },
            o.elapsed.as_secs_f64()
        );
        if ok {
            let _ = fs::remove_dir_all(&dir);
            continue;
        }
        let mut msg = format!(
            "--- testbins case {id} (cases.txt line {}), backend {backend}\ncommand: {shown}\ncwd: {}\n",
            case.line,
            dir.display()
        );
        if o.timed_out {
            msg += &format!("TIMED OUT after {TIMEOUT:?} (process group killed)\n");
        } else if !exit_ok {
            match &got {
                Some(g) => msg += &format!("{g}, expected {}\n", case.exit),
                None => msg += &format!("no exit status, expected {}\n", case.exit),
            }
        }
        if o.stdout != expected {
            msg += &format!(
                "stdout differs from {} (- expected, + actual):\n{}",
                exp_path.display(),
                diff(&expected, &o.stdout)
            );
        }
        msg += &format!(
            "stderr ({} bytes):\n{}",
            o.stderr.len(),
            tail(&String::from_utf8_lossy(&o.stderr), 40)
        );
        failures.push(msg);
        if runs > 1 {
            break; // keep the failed run's directory as it is
        }
    }
    if !failures.is_empty() {
        panic!("{}", failures.join("\n"));
    }
}
