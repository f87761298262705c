//! Real software: unmodified Debian trixie binaries (busybox-static,
//! python3.13, perl 5.40, sqlite3, lua5.4, xz, openssl, dash and coreutils)
//! run under `emu-riscv64` (module `riscv64`) and `emu-aarch64` (module
//! `arm64`), one test per case and architecture.
//!
//! The roots come from `tests/debian/fetch.sh` (riscv64) and
//! `EMU_DEBIAN_ARCH=arm64 tests/debian/fetch.sh` (default locations
//! `.cache/debian-{riscv64,arm64}/root`, override with `EMU_DEBIAN_ROOT` and
//! `EMU_DEBIAN_ROOT_ARM64`).  Without a root every case FAILS (it never
//! silently skips).
//!
//! The cases live in `tests/debian/cases.txt` (shared with
//! `tests/debian/check-expected.sh`, which verifies the expected outputs under
//! qemu-riscv64 and natively); their scripts are in `tests/debian/cases/` and
//! the exact expected stdout in `tests/debian/expected/NAME.out` (the same for
//! both architectures unless `expected/ARCH/NAME.out` exists).  Each case runs
//! as `emu-ARCH -accel BACKEND [-L ROOT] ROOT/PROGRAM ARGS...` for every
//! backend in [`BACKENDS`], in a fresh empty directory as cwd, with a clean
//! environment and a [`TIMEOUT`], and must produce exactly the expected stdout
//! and exit status.  See tests/debian/README.md.

use std::fs;
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// `-accel` values every case is run with.  Adding a backend is one line.
const BACKENDS: &[&str] = &["interp", "jit"];

/// Per-run wall-clock limit; on expiry the whole process group is killed and
/// the case fails.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Programs that busybox itself runs *by name* through a PATH search rather
/// than by re-executing /proc/self/exe (`tar -z` pipes through `gzip`).  For
/// the static cases PATH is a per-case directory holding only these, as
/// symlinks to ROOT/bin/busybox (like `busybox --install -s` would make).
/// Everything else busybox `sh` runs by re-executing /proc/self/exe, which the
/// emulator has to support: if that fails, ash quietly falls back to a PATH
/// search, which must not find a host (x86-64) binary that would make the case
/// pass anyway, nor a riscv64 applet link that would hide the failure.
const STATIC_PATH_LINKS: &[&str] = &["gzip"];
/// PATH for the dynamic cases (as seen by the guest through `-L ROOT`).
const DYN_PATH: &str = "/usr/bin:/bin";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn debian_dir() -> PathBuf {
    manifest_dir().join("tests/debian")
}

/// A guest architecture: its emulator and its Debian root.
struct Arch {
    /// Debian's name (`fetch.sh`'s EMU_DEBIAN_ARCH).
    debian: &'static str,
    emulator: &'static str,
    /// Environment variable naming a root elsewhere.
    root_env: &'static str,
    /// Architecture-specific files the root must have.
    required: &'static [&'static str],
}

const RISCV64: Arch = Arch {
    debian: "riscv64",
    emulator: env!("CARGO_BIN_EXE_emu-riscv64"),
    root_env: "EMU_DEBIAN_ROOT",
    required: &[
        "lib/ld-linux-riscv64-lp64d.so.1",
        "usr/lib/riscv64-linux-gnu/libc.so.6",
    ],
};

const ARM64: Arch = Arch {
    debian: "arm64",
    emulator: env!("CARGO_BIN_EXE_emu-aarch64"),
    root_env: "EMU_DEBIAN_ROOT_ARM64",
    required: &[
        "lib/ld-linux-aarch64.so.1",
        "usr/lib/aarch64-linux-gnu/libc.so.6",
    ],
};

/// Files every root must have (mirrors REQUIRED in fetch.sh).
const REQUIRED: &[&str] = &[
    ".emu-debian-stamp",
    "bin/busybox",
    "usr/bin/python3",
    "usr/bin/perl",
    "usr/bin/sqlite3",
    "usr/bin/lua5.4",
    "bin/sh",
    "bin/dash",
    "usr/bin/ls",
    "usr/bin/tr",
    "usr/bin/wc",
    "usr/bin/xz",
    "usr/bin/openssl",
    "usr/lib/python3.13/json/__init__.py",
    "usr/share/perl/5.40",
];

fn root(arch: &Arch) -> PathBuf {
    let (root, how) = match std::env::var_os(arch.root_env) {
        Some(r) if !r.is_empty() => (PathBuf::from(r), arch.root_env),
        _ => (
            manifest_dir().join(format!(".cache/debian-{}/root", arch.debian)),
            "the default location",
        ),
    };
    let missing: Vec<&str> = REQUIRED
        .iter()
        .chain(arch.required)
        .copied()
        .filter(|f| fs::symlink_metadata(root.join(f)).is_err())
        .collect();
    if !missing.is_empty() {
        panic!(
            "Debian {arch} root not found or incomplete at {} ({how}); missing: {}.\n\
             Run `EMU_DEBIAN_ARCH={arch} tests/debian/fetch.sh` (takes well under a \
             minute, ~180 MB) or point {env} at a root made by it.",
            root.display(),
            missing.join(", "),
            arch = arch.debian,
            env = arch.root_env,
        );
    }
    root.canonicalize().expect("canonicalize root")
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Statically linked: run ROOT/PROGRAM without -L.
    Static,
    /// Dynamically linked: run with -L ROOT.
    Dyn,
}

#[derive(Debug)]
struct Case {
    name: String,
    status: i32,
    kind: Kind,
    program: String,
    args: Vec<String>,
    stdin: Option<PathBuf>,
}

fn load_cases() -> Vec<Case> {
    let dir = debian_dir();
    let text = fs::read_to_string(dir.join("cases.txt")).expect("read tests/debian/cases.txt");
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        assert!(words.len() >= 4, "cases.txt:{}: too few fields", i + 1);
        let kind = match words[2] {
            "static" => Kind::Static,
            "dyn" => Kind::Dyn,
            k => panic!("cases.txt:{}: bad kind {k}", i + 1),
        };
        let mut args = Vec::new();
        let mut stdin = None;
        for w in &words[4..] {
            if let Some(f) = w.strip_prefix('@') {
                let p = dir.join("cases").join(f);
                args.push(
                    fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display())),
                );
            } else if let Some(f) = w.strip_prefix('<') {
                stdin = Some(dir.join("cases").join(f));
            } else {
                args.push(w.to_string());
            }
        }
        cases.push(Case {
            name: words[0].to_string(),
            status: words[1]
                .parse()
                .unwrap_or_else(|_| panic!("cases.txt:{}: bad status", i + 1)),
            kind,
            program: words[3].to_string(),
            args,
            stdin,
        });
    }
    cases
}

struct Outcome {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Exit code, or None if killed by a signal.
    code: Option<i32>,
    signal: Option<i32>,
    timed_out: bool,
    elapsed: Duration,
}

fn run_with_timeout(mut cmd: Command, stdin: Option<&Path>) -> Outcome {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    match stdin {
        Some(p) => {
            let f = fs::File::open(p).unwrap_or_else(|e| panic!("open {}: {e}", p.display()));
            cmd.stdin(Stdio::from(f));
        }
        None => {
            cmd.stdin(Stdio::null());
        }
    }
    // Own process group, so a timeout (or a leftover grandchild) can be killed
    // as a whole and the output pipes reach EOF.
    cmd.process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let pgid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            break child.wait().expect("wait");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let elapsed = start.elapsed();
    // Whatever of the group is still around would hold the pipes open.
    unsafe { libc::kill(-pgid, libc::SIGKILL) };
    Outcome {
        stdout: t_out.join().unwrap(),
        stderr: t_err.join().unwrap(),
        code: status.code(),
        signal: status.signal(),
        timed_out,
        elapsed,
    }
}

fn scratch_dir(name: &str, arch: &Arch, backend: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "debian-{name}-{}-{backend}-{}-{}",
        arch.debian,
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(d.join("cwd")).expect("create scratch dir");
    d
}

fn run_case(arch: &Arch, name: &str) {
    run_case_with(arch, name, BACKENDS, &[]);
}

/// Runs case `name` on `backends` with extra emulator options.
fn run_case_with(arch: &Arch, name: &str, backends: &[&str], options: &[&str]) {
    let root = root(arch);
    let cases = load_cases();
    let case = cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("case {name} not in tests/debian/cases.txt"));
    let expected_dir = debian_dir().join("expected");
    let own = expected_dir.join(arch.debian).join(format!("{name}.out"));
    let exp_path = if own.is_file() {
        own
    } else {
        expected_dir.join(format!("{name}.out"))
    };
    let expected =
        fs::read(&exp_path).unwrap_or_else(|e| panic!("read {}: {e}", exp_path.display()));
    let program = root.join(&case.program);

    let mut failures = Vec::new();
    for backend in backends {
        let scratch = scratch_dir(name, arch, backend);
        let cwd = scratch.join("cwd");
        let bin = scratch.join("bin");
        fs::create_dir_all(&bin).expect("create scratch bin");
        for link in STATIC_PATH_LINKS {
            std::os::unix::fs::symlink(root.join("bin/busybox"), bin.join(link))
                .expect("symlink applet");
        }
        let mut cmd = Command::new(arch.emulator);
        cmd.arg("-accel").arg(backend).args(options);
        if case.kind == Kind::Dyn {
            cmd.arg("-L").arg(&root);
        }
        cmd.arg(&program).args(&case.args);
        cmd.current_dir(&cwd).env_clear();
        let path = match case.kind {
            Kind::Static => bin.display().to_string(),
            Kind::Dyn => DYN_PATH.to_string(),
        };
        cmd.env("PATH", &path)
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env("HOME", &cwd)
            // The root is shared and must stay pristine: no __pycache__ in it.
            .env("PYTHONDONTWRITEBYTECODE", "1");
        let shown = format!(
            "{} -accel {backend} {}{} {} {}",
            arch.emulator,
            options.join(" "),
            if case.kind == Kind::Dyn {
                format!(" -L {}", root.display())
            } else {
                String::new()
            },
            program.display(),
            case.args
                .iter()
                .map(|a| if a.contains(char::is_whitespace) || a.is_empty() {
                    format!("'{}'", a.replace('\'', "'\\''"))
                } else {
                    a.clone()
                })
                .collect::<Vec<_>>()
                .join(" ")
        );
        let o = run_with_timeout(cmd, case.stdin.as_deref());
        let ok = !o.timed_out && o.code == Some(case.status) && o.stdout == expected;
        eprintln!(
            "[{name}/{}/{backend}] {} in {:.2}s",
            arch.debian,
            if ok { "ok" } else { "FAILED" },
            o.elapsed.as_secs_f64()
        );
        if ok {
            let _ = fs::remove_dir_all(&scratch);
            continue;
        }
        let mut msg = format!(
            "--- case {name} ({}), backend {backend}\ncommand: {shown}\ncwd: {}\nPATH: {path}\n",
            arch.debian,
            cwd.display()
        );
        if let Some(p) = &case.stdin {
            msg += &format!("stdin: {}\n", p.display());
        }
        if o.timed_out {
            msg += &format!("TIMED OUT after {TIMEOUT:?} (process group killed)\n");
        }
        match (o.code, o.signal) {
            (Some(c), _) if c != case.status => {
                msg += &format!("exit status {c}, expected {}\n", case.status)
            }
            (None, Some(s)) if !o.timed_out => {
                msg += &format!(
                    "killed by signal {s}, expected exit status {}\n",
                    case.status
                )
            }
            _ => {}
        }
        if o.stdout != expected {
            msg += &format!(
                "stdout differs from {}\n{}",
                exp_path.display(),
                diff(&expected, &o.stdout)
            );
        }
        msg += &format!(
            "stderr ({} bytes):\n{}\n",
            o.stderr.len(),
            tail(&String::from_utf8_lossy(&o.stderr), 40)
        );
        failures.push(msg);
    }
    if !failures.is_empty() {
        panic!("{}", failures.join("\n"));
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    let skip = lines.len().saturating_sub(n);
    let mut out = String::new();
    if skip > 0 {
        out += &format!("  ... ({skip} lines omitted)\n");
    }
    for l in &lines[skip..] {
        out += "  ";
        out += l;
        out += "\n";
    }
    out
}

/// A small line diff: the first differing line and some context.
fn diff(expected: &[u8], actual: &[u8]) -> String {
    let e = String::from_utf8_lossy(expected);
    let a = String::from_utf8_lossy(actual);
    let el: Vec<&str> = e.split_inclusive('\n').collect();
    let al: Vec<&str> = a.split_inclusive('\n').collect();
    let first = el
        .iter()
        .zip(al.iter())
        .position(|(x, y)| x != y)
        .unwrap_or(el.len().min(al.len()));
    let from = first.saturating_sub(3);
    let mut out = format!(
        "  first difference at line {} (expected {} lines/{} bytes, got {} lines/{} bytes)\n",
        first + 1,
        el.len(),
        expected.len(),
        al.len(),
        actual.len()
    );
    for l in el.iter().skip(from).take(first - from) {
        out += &format!("   {:?}\n", l);
    }
    for l in el.iter().skip(first).take(8) {
        out += &format!("  -{:?}\n", l);
    }
    for l in al.iter().skip(first).take(8) {
        out += &format!("  +{:?}\n", l);
    }
    out
}

/// One test per case and architecture: `riscv64::NAME` and `arm64::NAME`.
macro_rules! cases {
    ($($test:ident => $name:literal,)*) => {
        mod riscv64 {
            $(
                #[test]
                fn $test() {
                    super::run_case(&super::RISCV64, $name);
                }
            )*
        }
        mod arm64 {
            $(
                #[test]
                fn $test() {
                    super::run_case(&super::ARM64, $name);
                }
            )*
        }
        const CASE_NAMES: &[&str] = &[$($name),*];
    };
}

cases! {
    bb_sh_pipeline => "bb-sh-pipeline",
    bb_exit_status => "bb-exit-status",
    bb_ls_stat => "bb-ls-stat",
    bb_sort => "bb-sort",
    bb_digest => "bb-digest",
    bb_tar => "bb-tar",
    bb_gzip => "bb-gzip",
    bb_find => "bb-find",
    bb_text => "bb-text",
    py_nosite => "py-nosite",
    py_json => "py-json",
    py_re => "py-re",
    py_hashlib => "py-hashlib",
    py_zlib => "py-zlib",
    py_listdir => "py-listdir",
    py_lang => "py-lang",
    py_exit => "py-exit",
    py_threads => "py-threads",
    py_signal => "py-signal",
    py_subprocess => "py-subprocess",
    pl_basic => "pl-basic",
    pl_modules => "pl-modules",
    sql_query => "sql-query",
    lua_basic => "lua-basic",
    xz_roundtrip => "xz-roundtrip",
    ssl_dgst => "ssl-dgst",
    ssl_speed => "ssl-speed",
}

/// Every case in cases.txt has a #[test] above and an expected output file
/// (this one does not need the root).
#[test]
fn manifest_matches_tests() {
    let cases = load_cases();
    let in_manifest: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for n in &in_manifest {
        assert!(
            CASE_NAMES.contains(n),
            "case {n} of tests/debian/cases.txt has no #[test] in tests/debian_software.rs (add it to cases!)"
        );
        let e = debian_dir().join("expected").join(format!("{n}.out"));
        assert!(e.is_file(), "missing {}", e.display());
    }
    for n in CASE_NAMES {
        assert!(
            in_manifest.contains(n),
            "test {n} is not in tests/debian/cases.txt"
        );
    }
    assert!(!BACKENDS.is_empty());
}

/// Job control in an interactive busybox `sh` on a pseudo-terminal: Ctrl-Z
/// stops the foreground job (SIGTSTP to its process group, the shell sees
/// it stopped through wait4), `bg` continues it (SIGCONT), `kill %1` ends it.
/// Python threads on the JIT with a code cache so small that it fills
/// over a hundred times: every flush waits for the running threads to leave
/// translated code, and the output stays right.
#[test]
fn py_threads_with_a_tiny_code_cache() {
    run_case_with(&RISCV64, "py-threads", &["jit"], &["-tb-size", "1M"]);
}

#[test]
fn busybox_sh_job_control_in_a_pty() {
    use std::io::{Read as _, Write as _};
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    let busybox = root(&RISCV64).join("bin/busybox");
    for backend in BACKENDS {
        let (mut master, slave) = unsafe {
            let (mut m, mut s) = (0, 0);
            assert_eq!(
                libc::openpty(
                    &mut m,
                    &mut s,
                    std::ptr::null_mut(),
                    std::ptr::null(),
                    std::ptr::null()
                ),
                0
            );
            (
                fs::File::from(OwnedFd::from_raw_fd(m)),
                OwnedFd::from_raw_fd(s),
            )
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_emu-riscv64"));
        cmd.args(["-accel", backend])
            .arg(&busybox)
            .args(["sh", "-i"])
            .env_clear()
            .env("PATH", "/nonexistent")
            .env("PS1", "$ ")
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave);
        // SAFETY: setsid and TIOCSCTTY in the child before exec: the pty
        // becomes the shell's controlling terminal.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect("spawn emu");
        // The pty is read in a thread; the transcript is checked step by step.
        let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
        let mut reader = master.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let mut seen = String::new();
        let mut expect = |want: &str| {
            let deadline = std::time::Instant::now() + Duration::from_secs(30);
            while !seen.contains(want) {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match rx.recv_timeout(left) {
                    Ok(b) => seen.push_str(&String::from_utf8_lossy(&b)),
                    Err(_) => panic!("[{backend}] no {want:?} in the transcript:\n{seen}"),
                }
            }
            // Keep what came after the match for the next step.
            let rest = seen.find(want).unwrap() + want.len();
            seen.drain(..rest);
        };
        let mut send = |s: &str| master.write_all(s.as_bytes()).unwrap();
        expect("$ ");
        send("sleep 30\n");
        std::thread::sleep(Duration::from_millis(500));
        send("\x1a");
        expect("Stopped");
        expect("$ ");
        send("jobs\n");
        expect("[1]+  Stopped                    sleep 30");
        send("bg\n");
        expect("[1] sleep 30");
        // The shell reports the job's end at its next prompt or `jobs`.
        send("kill %1\n");
        std::thread::sleep(Duration::from_millis(500));
        send("jobs\n");
        expect("Terminated");
        send("echo status $?\n");
        expect("status 0");
        send("exit\n");
        let status = child.wait().expect("wait for the shell");
        assert!(status.success(), "[{backend}] shell: {status:?}");
    }
}
