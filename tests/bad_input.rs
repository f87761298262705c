//! Bad input to `emu-riscv64` gets one clear line on stderr and a meaningful
//! exit status (2: bad command line, 126: cannot execute, 127: not found),
//! never a panic or a hang.

use std::path::PathBuf;
use std::process::Command;

fn emu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_emu-riscv64"))
        .args(args)
        .output()
        .expect("run emu-riscv64");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("emu-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A minimal ELF64 little-endian ET_EXEC header for `machine`, no program headers.
fn elf_header(machine: u16) -> Vec<u8> {
    let mut h = vec![0u8; 64];
    h[..4].copy_from_slice(b"\x7fELF");
    h[4] = 2; // ELFCLASS64
    h[5] = 1; // little endian
    h[6] = 1; // EV_CURRENT
    h[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    h[18..20].copy_from_slice(&machine.to_le_bytes());
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    h[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
    h
}

/// An ELF64 riscv64 ET_EXEC with one PT_LOAD (R+X at 0x10000) as described.
fn elf_with_segment(machine: u16, offset: u64, filesz: u64, memsz: u64) -> Vec<u8> {
    let mut h = elf_header(machine);
    h[24..32].copy_from_slice(&0x10078u64.to_le_bytes()); // e_entry
    h[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    h[56..58].copy_from_slice(&1u16.to_le_bytes()); // e_phnum
    let mut ph = vec![0u8; 56];
    ph[..4].copy_from_slice(&1u32.to_le_bytes()); // PT_LOAD
    ph[4..8].copy_from_slice(&5u32.to_le_bytes()); // R+X
    ph[8..16].copy_from_slice(&offset.to_le_bytes());
    ph[16..24].copy_from_slice(&(0x10000 + offset).to_le_bytes()); // p_vaddr
    ph[32..40].copy_from_slice(&filesz.to_le_bytes());
    ph[40..48].copy_from_slice(&memsz.to_le_bytes());
    ph[48..56].copy_from_slice(&0x1000u64.to_le_bytes()); // p_align
    h.extend(ph);
    h.extend([0u8; 8]);
    h
}

fn one_line(stderr: &str) -> &str {
    assert_eq!(
        stderr.lines().count(),
        1,
        "expected exactly one line, got: {stderr:?}"
    );
    stderr.trim_end()
}

#[test]
fn missing_file_is_127() {
    let (code, _, err) = emu(&["/nonexistent/prog"]);
    assert_eq!(
        one_line(&err),
        "emu-riscv64: /nonexistent/prog: No such file or directory"
    );
    assert_eq!(code, 127);
}

#[test]
fn non_elf_file_is_126() {
    let p = temp_file("text", b"just some text\n");
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    assert_eq!(
        one_line(&err),
        format!("emu-riscv64: {}: not an ELF executable", p.display())
    );
    assert_eq!(code, 126);
}

#[test]
fn directory_is_126() {
    let (code, _, err) = emu(&["/"]);
    assert_eq!(one_line(&err), "emu-riscv64: /: Is a directory");
    assert_eq!(code, 126);
}

#[test]
fn host_executable_names_the_host() {
    let (code, _, err) = emu(&["/bin/true"]);
    assert_eq!(
        one_line(&err),
        "emu-riscv64: /bin/true: x86_64 executable, not riscv64 (run it directly on this host)"
    );
    assert_eq!(code, 126);
}

#[test]
fn aarch64_executable_names_the_right_emulator() {
    // A well-formed ELF (one PT_LOAD): the architecture is checked after parsing.
    let p = temp_file("arm64", &elf_with_segment(183, 0, 128, 128));
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    assert_eq!(
        one_line(&err),
        format!(
            "emu-riscv64: {}: aarch64 executable, not riscv64 (use emu-aarch64)",
            p.display()
        )
    );
    assert_eq!(code, 126);
}

#[test]
fn truncated_elf_is_126() {
    let p = temp_file("trunc", &elf_header(243)[..30]);
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    let line = one_line(&err);
    assert!(
        line.starts_with(&format!("emu-riscv64: {}: invalid ELF: ", p.display())),
        "{line}"
    );
    assert!(line.contains("truncated"), "{line}");
    assert_eq!(code, 126);
}

#[test]
fn elf_without_segments_is_126() {
    let p = temp_file("empty", &elf_header(243));
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    assert!(one_line(&err).starts_with(&format!("emu-riscv64: {}: invalid ELF: ", p.display())));
    assert_eq!(code, 126);
}

#[test]
fn mach_o_is_refused_clearly() {
    let mut m = vec![0xcf, 0xfa, 0xed, 0xfe];
    m.extend([0u8; 60]);
    let p = temp_file("macho", &m);
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    assert_eq!(
        one_line(&err),
        format!(
            "emu-riscv64: {}: Mach-O executables are not supported yet",
            p.display()
        )
    );
    assert_eq!(code, 126);
}

#[test]
fn unknown_option_is_2() {
    let (code, _, err) = emu(&["-bogus", "x"]);
    assert_eq!(
        one_line(&err),
        "emu-riscv64: unknown option '-bogus' (try -h)"
    );
    assert_eq!(code, 2);
}

#[test]
fn no_program_is_2() {
    let (code, _, err) = emu(&[]);
    assert_eq!(one_line(&err), "emu-riscv64: no program given (try -h)");
    assert_eq!(code, 2);
}

#[test]
fn help_and_version_go_to_stdout() {
    let (code, out, err) = emu(&["-h"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.starts_with("usage: emu-riscv64 [options] program [arguments...]"));
    let (code, out, _) = emu(&["-version"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        format!("emu-riscv64 version {}\n", env!("CARGO_PKG_VERSION"))
    );
    let (code, out, _) = emu(&["-cpu", "help"]);
    assert_eq!(code, 0);
    assert!(out.contains("rv64"));
}

#[test]
fn segment_beyond_the_file_is_126() {
    let p = temp_file("beyond", &elf_with_segment(243, 0, 0x10_0000, 0x10_0000));
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    let line = one_line(&err);
    assert!(
        line.starts_with(&format!("emu-riscv64: {}: invalid ELF: ", p.display())),
        "{line}"
    );
    assert!(line.contains("beyond end of file"), "{line}");
    assert_eq!(code, 126);
}

#[test]
fn segment_too_big_for_the_guest_space_is_126() {
    // 1 TiB of bss: valid ELF, but more than the 256 GiB guest space holds.
    let p = temp_file("huge", &elf_with_segment(243, 0, 128, 1 << 40));
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    assert_eq!(
        one_line(&err),
        format!(
            "emu-riscv64: {}: cannot map segment at 0x10000: Cannot allocate memory",
            p.display()
        )
    );
    assert_eq!(code, 126);
}

#[test]
fn missing_elf_interpreter_is_127_and_suggests_l() {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testbins/riscv64/hello-dyn");
    let (code, _, err) = emu(&[bin.to_str().unwrap()]);
    assert_eq!(
        one_line(&err),
        format!(
            "emu-riscv64: {}: ELF interpreter /lib/ld-linux-riscv64-lp64d.so.1: No such file or directory \
             (use -L with a riscv64 root)",
            bin.display()
        )
    );
    assert_eq!(code, 127);
}

#[test]
fn script_given_directly_is_126() {
    let p = temp_file("script.sh", b"#!/bin/sh\necho hi\n");
    let (code, _, err) = emu(&[p.to_str().unwrap()]);
    assert_eq!(
        one_line(&err),
        format!(
            "emu-riscv64: {}: is a script, not an ELF executable (run its interpreter)",
            p.display()
        )
    );
    assert_eq!(code, 126);
}

#[test]
fn unwritable_log_file_is_1() {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testbins/riscv64/hello");
    let (code, out, err) = emu(&["-D", "/nonexistent/dir/log", bin.to_str().unwrap()]);
    assert_eq!(
        one_line(&err),
        "emu-riscv64: /nonexistent/dir/log: No such file or directory"
    );
    assert_eq!((code, out.as_str()), (1, ""));
}
