//! emu-aarch64 on the aarch64 test programs (`testbins/aarch64/`), on both
//! backends: output and exit status as qemu-aarch64 gave them
//! (`testbins/expected/aarch64/`), and as it gives them now (qemu-user is
//! a prerequisite: `scripts/install-deps.sh` installs it).

use std::path::PathBuf;
use std::process::Command;

const BACKENDS: &[&str] = &["interp", "jit"];

fn testbins() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testbins")
}

/// Runs `name` under emu-aarch64 on every backend and compares.
fn check(name: &str, status: i32) {
    let program = testbins().join("aarch64").join(name);
    let expected = std::fs::read_to_string(testbins().join(format!("expected/aarch64/{name}.out")))
        .expect("expected output");
    for accel in BACKENDS {
        let o = Command::new(env!("CARGO_BIN_EXE_emu-aarch64"))
            .args(["-accel", accel])
            .arg(&program)
            .output()
            .expect("run emu-aarch64");
        assert_eq!(
            (o.status.code(), String::from_utf8_lossy(&o.stdout).as_ref()),
            (Some(status), expected.as_str()),
            "{name} on {accel}; stderr: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The expectation still is what qemu-aarch64 does.
    let q = Command::new("qemu-aarch64")
        .arg(&program)
        .output()
        .expect("qemu-aarch64 not found (scripts/install-deps.sh installs qemu-user)");
    assert_eq!(
        String::from_utf8_lossy(&q.stdout),
        expected,
        "qemu-aarch64 disagrees"
    );
    assert_eq!(q.status.code(), Some(status));
}

#[test]
fn integer_instructions_loads_stores_and_branches() {
    check("a64_basic", 27);
}

/// Scalar and Advanced SIMD floating point under every FPCR rounding mode,
/// FZ and DN: results and FPSR flags, hashed per instruction and mode
/// (`testbins/aarch64/a64_fp v` prints every result, to find a mismatch).
#[test]
fn floating_point_instructions_agree_with_qemu() {
    check("a64_fp", 0);
}

#[test]
fn a_riscv64_program_is_refused_with_the_right_emulator_named() {
    let o = Command::new(env!("CARGO_BIN_EXE_emu-aarch64"))
        .arg(testbins().join("riscv64/hello"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(126));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "emu-aarch64: {}: riscv64 executable, not aarch64 (use emu-riscv64)\n",
            testbins().join("riscv64/hello").display()
        )
    );
}

#[test]
fn a_signal_handler_gets_the_kernels_frame_and_returns() {
    check("a64_signal", 0);
}

#[test]
fn atomics_exclusives_lse_and_rcpc_under_contention() {
    check("a64_atomics", 0);
}

#[test]
fn integer_advanced_simd_crypto_and_crc32() {
    check("a64_neon", 0);
}

#[test]
fn auto_vectorised_loops() {
    check("a64_vec", 0);
}

/// Cases of `testbins/cases.txt` (by id) that emu-aarch64 runs, with the
/// aarch64 build of their program: threads, signals, processes, mmap,
/// sockets. (The others: arch-specific output (`signals_ucontext`), riscv
/// assembly (`smc_threads`), or instructions not translated yet: `strings`
/// and `fpmath` need scalar FP.)
const SHARED_CASES: &[&str] = &[
    "threads_create",
    "threads_mutex",
    "threads_condvar",
    "threads_barrier",
    "threads_rwlock",
    "threads_atomics",
    "threads_tls",
    "threads_exit",
    "threads_detach",
    "threads_once",
    "threads_tsd",
    "signals_segv",
    "signals_bus",
    "signals_raise",
    "signals_nested",
    "signals_mask",
    "signals_resethand",
    "signals_altstack",
    "signals_overflow",
    "signals_restart",
    "signals_eintr",
    "signals_rtqueue",
    "signals_sigwait",
    "signals_sigsuspend",
    "signals_signalfd",
    "signals_kill",
    "signals_timer",
    "procs_tree",
    "procs_vfork",
    "procs_reexec",
    "procs_waitid",
    "procs_killed",
    "procs_pgrp",
    "threads_signals_pthread_kill",
    "threads_signals_blocked",
    "threads_signals_busyloop",
    "threads_signals_exit_group",
    "threads_signals_mainexit",
    "mmap",
    "sockets",
    "pthread_cancel",
    "signal_storm",
    "sigsegv",
    "efault",
];

/// Runs the SHARED_CASES of cases.txt, each with the aarch64 build of its
/// program named by `program` (from the cases.txt name); returns how many.
fn run_shared_cases(program: impl Fn(&str) -> Option<String>) -> usize {
    let cases = std::fs::read_to_string(testbins().join("cases.txt")).unwrap();
    let mut seen = 0;
    for line in cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split('|').map(str::trim).collect();
        let id = f[3].trim_end_matches(".out");
        if !SHARED_CASES.contains(&id) {
            continue;
        }
        let Some(name) = program(f[0]) else {
            continue;
        };
        seen += 1;
        let args: Vec<&str> = f[1].split_whitespace().collect();
        let status = match f[2] {
            "SIGSEGV" => 128 + libc::SIGSEGV,
            n => n.parse().expect("exit status"),
        };
        check_common(&name, &args, status, f[3]);
    }
    seen
}

#[test]
fn shared_threads_signals_and_processes_cases() {
    assert_eq!(
        run_shared_cases(|p| Some(p.to_string())),
        SHARED_CASES.len(),
        "a listed case is not in cases.txt"
    );
}

/// The threaded programs built with `-march=armv8.1-a` (`<name>_lse`):
/// their atomics are inline LSE instructions instead of LL/SC loops.
#[test]
fn shared_threads_cases_with_lse_atomics() {
    let lse = |p: &str| matches!(p, "threads" | "threads_signals").then(|| format!("{p}_lse"));
    assert!(run_shared_cases(lse) > 10);
}

/// A common C program (static glibc) built for aarch64, checked against
/// the riscv64 expected output it shares: run in a fresh directory (its
/// cwd, $TMPDIR and the `@TMPDIR` argument) with a clean environment, as
/// `tests/testbins.rs` runs the riscv64 build. A death by signal counts
/// as 128 + the signal.
fn check_common(name: &str, args: &[&str], status: i32, expected: &str) {
    let program = testbins().join("aarch64").join(name);
    let expected = std::fs::read_to_string(testbins().join("expected").join(expected))
        .expect("expected output");
    for accel in BACKENDS {
        let dir =
            std::env::temp_dir().join(format!("emu-a64-{name}-{accel}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.to_str().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_emu-aarch64"))
            .args(["-accel", accel])
            .arg(&program)
            .args(args.iter().map(|a| a.replace("@TMPDIR", d)))
            .current_dir(&dir)
            .env_clear()
            .env("EMU_TESTBINS_VAR", "emu-testbins-value")
            .env("TMPDIR", &dir)
            .env("HOME", &dir)
            .env("LC_ALL", "C")
            .env("TZ", "UTC")
            .env("PATH", "/nonexistent/emu-testbins")
            .output()
            .expect("run emu-aarch64");
        let _ = std::fs::remove_dir_all(&dir);
        use std::os::unix::process::ExitStatusExt;
        let code = o.status.code().or(o.status.signal().map(|s| 128 + s));
        assert_eq!(
            (code, String::from_utf8_lossy(&o.stdout).as_ref()),
            (Some(status), expected.as_str()),
            "{name} {args:?} on {accel}; stderr: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn glibc_hello() {
    check_common("hello", &[], 0, "hello.out");
}

#[test]
fn glibc_args_env() {
    check_common(
        "args_env",
        &["one", "two words", "", "three"],
        0,
        "args_env.out",
    );
}

#[test]
fn glibc_exit_codes() {
    check_common("exit_codes", &["42"], 42, "exit_codes_42.out");
    check_common(
        "exit_codes",
        &["_exit", "77"],
        77,
        "exit_codes_underscore_exit.out",
    );
}

#[test]
fn glibc_intmath() {
    check_common("intmath", &[], 0, "intmath.out");
}

#[test]
fn glibc_malloc_stress() {
    check_common("malloc_stress", &[], 0, "malloc_stress.out");
}

#[test]
fn glibc_time() {
    check_common("time", &[], 0, "time.out");
}

#[test]
fn glibc_pipes_and_fork() {
    check_common("pipes", &[], 0, "pipes.out");
}

#[test]
fn glibc_fileio() {
    check_common("fileio", &["@TMPDIR"], 0, "fileio.out");
}

#[test]
fn glibc_dirs() {
    check_common("dirs", &["@TMPDIR"], 0, "dirs.out");
}

#[test]
fn glibc_strings() {
    check_common("strings", &[], 0, "strings.out");
}

#[test]
fn glibc_fpmath() {
    check_common("fpmath", &[], 0, "fpmath.out");
}

#[test]
fn glibc_sockets() {
    check_common("sockets", &[], 0, "sockets.out");
}

#[test]
fn glibc_signal_storm() {
    check_common("signal_storm", &[], 0, "signal_storm.out");
}
