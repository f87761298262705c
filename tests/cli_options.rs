//! The command-line options and their `EMU_*` variables, observed from inside
//! a guest (`testbins/riscv64/procinfo` prints what it sees of itself).

use std::path::PathBuf;
use std::process::{Command, Output};

fn testbin(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testbins/riscv64")
        .join(name)
}

/// Runs emu with a clean environment plus `env`.
fn emu(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_emu-riscv64"));
    c.env_clear().env("PATH", "/usr/bin:/bin");
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).output().expect("run emu-riscv64")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "status {:?}, stderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn procinfo_sees_argv0_env_seed_and_its_own_proc_files() {
    let bin = testbin("procinfo");
    let out = stdout(&emu(
        &[
            "-seed",
            "7",
            "-0",
            "myname",
            "-E",
            "EMU_T1=a",
            "-U",
            "EMU_T2",
            bin.to_str().unwrap(),
            "x",
            "y z",
        ],
        &[("EMU_T2", "set-on-host")],
    ));
    assert_eq!(
        out,
        "argv[0]=myname\nEMU_T1=a\nEMU_T2=(unset)\nAT_RANDOM=d70d3259e4e1cb631c663cf4d73c4c04\n\
         exe basename=procinfo\ncmdline args=3: [myname] [x] [y z]\n\
         auxv pagesz=4096 matches=1 hwcap=0x112d matches=1\nmaps names the program: yes\n\
         isa\t\t: rv64imafdc_zicond_zicsr_zifencei_zfa_zba_zbb_zbs\nmachine=riscv64\n"
    );
}

#[test]
fn environment_variables_mirror_the_options() {
    let bin = testbin("procinfo");
    let out = stdout(&emu(
        &[bin.to_str().unwrap()],
        &[
            ("EMU_ARGV0", "fromenv"),
            ("EMU_SET_ENV", "EMU_T1=b,EMU_T2=c"),
            ("EMU_RAND_SEED", "7"),
        ],
    ));
    assert!(
        out.starts_with(
            "argv[0]=fromenv\nEMU_T1=b\nEMU_T2=c\nAT_RANDOM=d70d3259e4e1cb631c663cf4d73c4c04\n"
        ),
        "{out}"
    );
}

fn at_random(out: &str) -> &str {
    out.lines()
        .find_map(|l| l.strip_prefix("AT_RANDOM="))
        .expect("AT_RANDOM line")
}

#[test]
fn at_random_is_random_without_a_seed_and_follows_the_seed() {
    let bin = testbin("procinfo");
    let a = stdout(&emu(&[bin.to_str().unwrap()], &[]));
    let b = stdout(&emu(&[bin.to_str().unwrap()], &[]));
    assert_ne!(at_random(&a), at_random(&b));
    let c = stdout(&emu(&["-seed", "8", bin.to_str().unwrap()], &[]));
    assert_ne!(at_random(&c), "d70d3259e4e1cb631c663cf4d73c4c04");
}

#[test]
fn strace_prints_calls_and_results() {
    let bin = testbin("hello");
    let o = emu(&["-strace", bin.to_str().unwrap()], &[]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Hello, world!\n");
    let err = String::from_utf8_lossy(&o.stderr);
    let pid_stripped: Vec<&str> = err
        .lines()
        .map(|l| l.split_once(' ').map_or(l, |(_, rest)| rest))
        .collect();
    assert!(
        pid_stripped.contains(&"write(1, \"Hello, world!\\n\", 14) = 14"),
        "{err}"
    );
    assert!(pid_stripped.contains(&"exit_group(0) = ?"), "{err}");
    assert!(
        pid_stripped.iter().any(|l| l.starts_with("brk(0x0) = 0x")),
        "{err}"
    );
}

#[test]
fn debug_log_goes_to_the_log_file() {
    let bin = testbin("hello");
    let log = std::env::temp_dir().join(format!("emu-cli-log-{}", std::process::id()));
    let o = emu(
        &[
            "-d",
            "in_asm,op,op_opt,exec,stats",
            "-D",
            log.to_str().unwrap(),
            bin.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Hello, world!\n");
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).unwrap();
    assert!(text.contains("IN:\n"), "no guest disassembly");
    assert!(text.contains("OP:\nblock 0x"), "no IR");
    assert!(
        text.contains("OP after optimization:\nblock 0x"),
        "no optimised IR"
    );
    // `stats` at exit: hello translates a few dozen blocks.
    let translated = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("blocks_translated: "))
        .expect("no stats");
    assert!(
        translated.trim_end_matches(',').parse::<u64>().unwrap() > 10,
        "{translated}"
    );
    assert!(text.contains("Trace: 0x"), "no exec trace");
    // The entry block's first instruction, disassembled by capstone.
    assert!(
        text.lines()
            .any(|l| l.contains("jal") || l.contains("auipc")),
        "{}",
        &text[..400.min(text.len())]
    );
}

#[test]
fn out_asm_logs_host_code_of_the_jit() {
    let bin = testbin("hello");
    let o = emu(
        &["-accel", "jit", "-d", "out_asm", bin.to_str().unwrap()],
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Hello, world!\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("OUT: [guest pc 0x"),
        "{}",
        &err[..400.min(err.len())]
    );
    // iced-x86's Intel syntax: guest memory through r15, state through rbp.
    assert!(err.contains("[r15+"), "no guest memory access in host code");
    assert!(err.contains("[rbp+"), "no guest state access in host code");
    assert!(
        String::from_utf8_lossy(&emu(&["-accel", "help"], &[]).stdout).contains("jit"),
        "-accel help lists the JIT"
    );
}

#[test]
fn guest_base_reserved_size_and_stack_size_options() {
    let bin = testbin("hello");
    for args in [
        vec!["-B", "0x100000000000"],
        vec!["-R", "1G"],
        vec!["-s", "256k"],
        vec!["-cpu", "max"],
        vec!["-accel", "interp"],
        vec!["-accel", "jit"],
    ] {
        let mut a = args.clone();
        a.push(bin.to_str().unwrap());
        assert_eq!(stdout(&emu(&a, &[])), "Hello, world!\n", "{args:?}");
    }
    let o = emu(&["-B", "0x1001", bin.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "emu-riscv64: cannot reserve the guest address space: Invalid argument\n"
    );
}

#[test]
fn dynamic_program_under_a_small_address_space() {
    let sysroot = "/usr/riscv64-linux-gnu";
    assert!(
        std::path::Path::new(sysroot)
            .join("lib/ld-linux-riscv64-lp64d.so.1")
            .exists(),
        "{sysroot} missing: run scripts/install-deps.sh"
    );
    let bin = testbin("hello-dyn");
    assert_eq!(
        stdout(&emu(
            &["-R", "1G", "-L", sysroot, bin.to_str().unwrap()],
            &[]
        )),
        "Hello, world!\n"
    );
}
