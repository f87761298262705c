//! emu-aarch64 on the aarch64 test programs (`testbins/aarch64/`), on both
//! backends: output and exit status as qemu-aarch64 gave them
//! (`testbins/expected/aarch64/`), and, where qemu-aarch64 is installed, as
//! it gives them now.

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
    if let Ok(q) = Command::new("qemu-aarch64").arg(&program).output() {
        assert_eq!(
            String::from_utf8_lossy(&q.stdout),
            expected,
            "qemu-aarch64 disagrees"
        );
        assert_eq!(q.status.code(), Some(status));
    }
}

#[test]
fn integer_instructions_loads_stores_and_branches() {
    check("a64_basic", 25);
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
