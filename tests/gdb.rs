//! The gdbstub end to end: real `gdb-multiarch -batch` scripts against
//! `testbins/riscv64/gdb_target` (built with -g) under `emu-riscv64 -g`, on
//! both backends: breakpoints, stepping, locals, registers read and
//! written, watchpoints (write, read, access), threads with their names, a
//! fault, the exit status, the auxiliary vector; and the aarch64 build of
//! the same program under `emu-aarch64 -g` (general, FP/SIMD, cpsr, fpsr
//! and fpcr registers, breakpoints, stepping, threads).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

const BACKENDS: &[&str] = &["interp", "jit"];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a debugging session printed, and how the guest ended.
struct Session {
    gdb: String,
    guest_stdout: String,
    guest_status: std::process::ExitStatus,
}

/// Runs `gdb_target ARGS` under emu with `-g` on a unix socket and drives
/// it with the gdb commands `script` (after connecting).
fn session(accel: &str, args: &[&str], script: &str) -> Session {
    session_with(&RISCV64, accel, args, script, Via::Unix)
}

/// A guest architecture: its emulator and its build of gdb_target.
struct Guest {
    name: &'static str,
    emulator: &'static str,
}

const RISCV64: Guest = Guest {
    name: "riscv64",
    emulator: env!("CARGO_BIN_EXE_emu-riscv64"),
};

const AARCH64: Guest = Guest {
    name: "aarch64",
    emulator: env!("CARGO_BIN_EXE_emu-aarch64"),
};

/// How emu is told where gdb connects, and what gdb is given.
#[derive(PartialEq)]
enum Via {
    /// `-g SOCKET`; gdb gets the program file.
    Unix,
    /// `EMU_GDB=PORT`; gdb gets no file and asks the stub which it is.
    TcpFromEnvironment,
}

/// A TCP port nothing listens on just now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn session_with(guest: &Guest, accel: &str, args: &[&str], script: &str, via: Via) -> Session {
    assert!(
        Command::new("gdb-multiarch")
            .arg("--version")
            .output()
            .is_ok(),
        "gdb-multiarch not found (scripts/install-deps.sh installs it)"
    );
    static N: AtomicUsize = AtomicUsize::new(0);
    let sock = std::env::temp_dir().join(format!(
        "emu-gdb-{}-{}.sock",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let target = manifest_dir()
        .join("testbins")
        .join(guest.name)
        .join("gdb_target");
    let port = free_port();
    let (remote, listening) = match via {
        Via::Unix => (
            sock.display().to_string(),
            format!(
                "emu-{}: waiting for gdb on {}\n",
                guest.name,
                sock.display()
            ),
        ),
        Via::TcpFromEnvironment => (
            format!("127.0.0.1:{port}"),
            format!("emu-{}: waiting for gdb on port {port}\n", guest.name),
        ),
    };
    let mut emu = Command::new("timeout");
    emu.arg("60").arg(guest.emulator).args(["-accel", accel]);
    match via {
        Via::Unix => emu.arg("-g").arg(&sock),
        Via::TcpFromEnvironment => emu.env("EMU_GDB", port.to_string()),
    };
    let mut emu = emu
        .arg(&target)
        .args(args)
        .current_dir(manifest_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start emu");
    // It says so once it listens.
    let mut stderr = BufReader::new(emu.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("emu's stderr");
    assert_eq!(line, listening);
    let script_file = sock.with_extension("gdb");
    std::fs::write(
        &script_file,
        format!("set pagination off\nset confirm off\ntarget remote {remote}\n{script}"),
    )
    .expect("write script");
    // gdb's stdout and stderr in one file, in the order it wrote them.
    let log_file = sock.with_extension("log");
    let log = std::fs::File::create(&log_file).expect("gdb log");
    let mut gdb = Command::new("timeout");
    gdb.args(["60", "gdb-multiarch", "-nx", "-batch", "-x"])
        .arg(&script_file)
        .current_dir(manifest_dir())
        .stdout(log.try_clone().expect("dup"))
        .stderr(log);
    if via == Via::Unix {
        gdb.arg(&target);
    }
    gdb.status().expect("run gdb-multiarch");
    let gdb_said = std::fs::read_to_string(&log_file).unwrap_or_default();
    let _ = std::fs::remove_file(&log_file);
    let out = emu.wait_with_output().expect("emu");
    let _ = std::fs::remove_file(&script_file);
    let _ = std::fs::remove_file(&sock);
    Session {
        gdb: gdb_said,
        guest_stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        guest_status: out.status,
    }
}

/// The line of gdb_target.c holding `text`.
fn line_of(text: &str) -> usize {
    let src = std::fs::read_to_string(manifest_dir().join("testbins/src/gdb_target.c")).unwrap();
    1 + src
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text:?} not in gdb_target.c"))
}

/// Each of `want` appears in `s.gdb`, in this order.
fn assert_in_order(s: &Session, want: &[&str]) {
    let mut rest = s.gdb.as_str();
    for w in want {
        match rest.find(w) {
            Some(i) => rest = &rest[i + w.len()..],
            None => panic!(
                "gdb output lacks {w:?} (in this order)\n--- gdb said:\n{}\n--- guest stdout:\n{}",
                s.gdb, s.guest_stdout
            ),
        }
    }
}

#[test]
fn break_step_print_finish_and_change_a_register() {
    let body = line_of("int y = x * x;");
    let printf = line_of("printf(\"total");
    for accel in BACKENDS {
        let s = session(
            accel,
            &[],
            &format!(
                "hbreak square\ncontinue\nprint x\nnext\nnext\ninfo locals\nfinish\n\
                 set $a0 = 40\ndelete\nbreak {printf}\ncontinue\nprint total\n\
                 info registers pc\np $fflags\np $frm\np $fcsr\nprint counter = 7\nprint counter\n\
                 set $fa0 = 1.5\nprint $fa0\ncontinue\n"
            ),
        );
        let at_body = format!("Breakpoint 1, square (x=0) at testbins/src/gdb_target.c:{body}");
        let end = format!("{}", body + 2);
        assert_in_order(
            &s,
            &[
                "Hardware assisted breakpoint 1 at",
                &at_body,
                "$1 = 0",
                "return y;",
                &end,
                "y = 0",
                "in main (argc=1, argv=",
                "total += square(i);",
                "Value returned is $2 = 0",
                "Breakpoint 2, main (argc=1, argv=",
                // The changed return value went into the sum: 40 + 1 + 4.
                "$3 = 45",
                "pc             0x",
                "<main+",
                "$4 = 0",
                "$5 = 0",
                "$6 = 0",
                // Memory and an FP register written.
                "$7 = 7",
                "$8 = 7",
                "double = 1.5",
                "[Inferior 1 (process 1) exited with code 055]",
            ],
        );
        assert_eq!(s.guest_stdout, "total 45\n");
        assert_eq!(s.guest_status.code(), Some(45));
    }
}

#[test]
fn watchpoints_fire_on_writes_reads_and_accesses() {
    for accel in BACKENDS {
        let s = session(
            accel,
            &[],
            "watch counter\ncontinue\ncontinue\ndelete\nrwatch counter\ncontinue\ndelete\n\
             awatch counter\ncontinue\ndelete\ncontinue\n",
        );
        // Reported after the store, at the loop's next statement.
        let after_store = format!(
            "at testbins/src/gdb_target.c:{}",
            line_of("for (int i = 0; i < 3")
        );
        assert_in_order(
            &s,
            &[
                "Hardware watchpoint 1: counter",
                "Old value = 0",
                "New value = 1",
                &after_store,
                "Old value = 1",
                "New value = 2",
                // counter++ reads (stopped after the load)...
                "Hardware read watchpoint 2: counter",
                "Value = 2",
                "counter++;",
                // ... then writes.
                "Hardware access (read/write) watchpoint 3: counter",
                "Old value = 2",
                "New value = 3",
                "[Inferior 1 (process 1) exited with code 05]",
            ],
        );
    }
}

/// Run several times: the workers race to the breakpoint.
#[test]
fn threads_are_listed_with_names_and_their_own_registers() {
    for accel in BACKENDS.iter().cycle().take(10) {
        let s = session(
            accel,
            &["threads"],
            "break reached\ncontinue\ninfo threads\nprint id\ncontinue\nprint id\n\
             info threads\nthread 1\nprint $pc == $pc\ndelete\ncontinue\n",
        );
        assert_in_order(
            &s,
            &[
                "hit Breakpoint 1, reached (id=",
                "(gdb_target)",
                "(worker-",
                "$1 = ",
                "hit Breakpoint 1, reached (id=",
                "$2 = ",
                "(gdb_target)",
                "[Switching to thread 1 ",
                "$3 = 1",
                "[Inferior 1 (process 1) exited normally]",
            ],
        );
        // The second list names both workers.
        let second = &s.gdb[s.gdb.find("$2 = ").unwrap()..];
        assert!(
            second.contains("(worker-1)") && second.contains("(worker-2)"),
            "{}",
            s.gdb
        );
        // Both workers were seen, each with its own argument.
        let ids: Vec<&str> = s
            .gdb
            .lines()
            .filter(|l| l.starts_with("$1 = ") || l.starts_with("$2 = "))
            .map(|l| &l[5..])
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(sorted, ["1", "2"], "{}", s.gdb);
        assert_eq!(s.guest_stdout, "threads done\n");
    }
}

#[test]
fn a_fault_stops_at_its_instruction_and_then_kills() {
    let store = format!(
        "segv () at testbins/src/gdb_target.c:{}",
        line_of("*bad = 1;")
    );
    for accel in BACKENDS {
        let s = session(
            accel,
            &["segv"],
            "continue\np/x $a5\nmonitor siginfo\nx/i $pc\ninfo auxv\ncontinue\n",
        );
        assert_in_order(
            &s,
            &[
                "Program received signal SIGSEGV, Segmentation fault.",
                &store,
                "*bad = 1;",
                // The faulting store's address register, and the address.
                "$1 = 0x1234",
                "si_signo=11 si_code=1 si_addr=0x1234",
                "sw\t",
                "AT_PAGESZ            System page size               4096",
                "Program terminated with signal SIGSEGV, Segmentation fault.",
            ],
        );
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(s.guest_status.signal(), Some(libc::SIGSEGV));
    }
}

#[test]
fn gdb_finds_the_program_itself_over_tcp_steps_instructions_and_detaches() {
    for accel in BACKENDS {
        let s = session_with(
            &RISCV64,
            accel,
            &[],
            "info inferiors\nbreak square\ncontinue\nstepi\nstepi\nstepi\ninfo registers pc\ndetach\n",
            Via::TcpFromEnvironment,
        );
        assert_in_order(
            &s,
            &[
                "testbins/riscv64/gdb_target",
                "Breakpoint 1, square (x=0)",
                // Three instructions on, the next line.
                "return y;",
                "<square+24>",
                "[Inferior 1 (process 1) detached]",
            ],
        );
        // Detached, the guest runs to its end on its own.
        assert_eq!(s.guest_stdout, "total 5\n");
        assert_eq!(s.guest_status.code(), Some(5));
    }
}

#[test]
fn kill_ends_the_guest() {
    let s = session("jit", &[], "break square\ncontinue\nkill\n");
    assert_in_order(
        &s,
        &["Breakpoint 1, square", "[Inferior 1 (process 1) killed]"],
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(s.guest_status.signal(), Some(libc::SIGKILL));
    assert_eq!(s.guest_stdout, "");
}

/// A bare GDB remote protocol client, for what gdb-multiarch 13 cannot do
/// on riscv64 (`catch syscall`) or in batch mode (Ctrl-C).
struct Rsp {
    s: std::os::unix::net::UnixStream,
    emu: std::process::Child,
}

impl Rsp {
    fn start(args: &[&str]) -> Rsp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let sock = std::env::temp_dir().join(format!(
            "emu-rsp-{}-{}.sock",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let mut emu = Command::new(env!("CARGO_BIN_EXE_emu-riscv64"))
            .arg("-g")
            .arg(&sock)
            .arg(manifest_dir().join("testbins/riscv64/gdb_target"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start emu");
        let mut line = String::new();
        BufReader::new(emu.stderr.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let s = std::os::unix::net::UnixStream::connect(&sock).expect("connect");
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let _ = std::fs::remove_file(&sock);
        Rsp { s, emu }
    }

    fn send(&mut self, body: &str) {
        use std::io::Write;
        let sum = body.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        write!(self.s, "${body}#{sum:02x}").unwrap();
        let mut ack = [0u8];
        std::io::Read::read_exact(&mut self.s, &mut ack).unwrap();
        assert_eq!(ack[0], b'+');
    }

    /// The next packet's body (acknowledged).
    fn recv(&mut self) -> String {
        use std::io::{Read, Write};
        let mut byte = [0u8];
        loop {
            self.s.read_exact(&mut byte).unwrap();
            if byte[0] == b'$' {
                break;
            }
        }
        let mut body = Vec::new();
        loop {
            self.s.read_exact(&mut byte).unwrap();
            if byte[0] == b'#' {
                break;
            }
            body.push(byte[0]);
        }
        let mut sum = [0u8; 2];
        self.s.read_exact(&mut sum).unwrap();
        // (After the exit reply the stub may have closed already.)
        let _ = self.s.write_all(b"+");
        String::from_utf8(body).unwrap()
    }

    fn ask(&mut self, body: &str) -> String {
        self.send(body);
        self.recv()
    }
}

#[test]
fn syscalls_are_caught_at_entry_and_return() {
    let mut r = Rsp::start(&[]);
    assert!(r.ask("?").starts_with("T05"));
    // write (64) only.
    assert_eq!(r.ask("QCatchSyscalls:1;40"), "OK");
    let entry = r.ask("vCont;c");
    assert!(
        entry.starts_with("T05") && entry.contains(";syscall_entry:40;"),
        "{entry}"
    );
    let ret = r.ask("vCont;c");
    assert!(
        ret.starts_with("T05") && ret.contains(";syscall_return:40;"),
        "{ret}"
    );
    assert_eq!(r.ask("QCatchSyscalls:0"), "OK");
    assert_eq!(r.ask("vCont;c"), "W05");
    assert_eq!(r.emu.wait().unwrap().code(), Some(5));
}

#[test]
fn ctrl_c_stops_a_running_guest() {
    let mut r = Rsp::start(&["spin"]);
    assert!(r.ask("?").starts_with("T05"));
    r.send("vCont;c");
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::io::Write::write_all(&mut r.s, &[3]).unwrap();
    let stop = r.recv();
    assert!(stop.starts_with("T02"), "{stop}");
    r.send("vKill;1");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(r.emu.wait().unwrap().signal(), Some(libc::SIGKILL));
}

#[test]
fn a_bad_gdb_address_is_a_one_line_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_emu-riscv64"))
        .args(["-g", "99999", "testbins/riscv64/hello"])
        .current_dir(manifest_dir())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "emu-riscv64: -g: bad port '99999'\n"
    );
}

/// emu-aarch64 under gdb: a breakpoint, stepping, locals, `finish` with a
/// changed return value (x0), the general, cpsr, fpsr and fpcr registers,
/// a SIMD&FP register written through its `d` view, memory written, and
/// threads stopping at a breakpoint with their names.
#[test]
fn aarch64_registers_breakpoints_stepping_and_threads() {
    let body = line_of("int y = x * x;");
    let printf = line_of("printf(\"total");
    for accel in BACKENDS {
        let s = session_with(
            &AARCH64,
            accel,
            &[],
            &format!(
                "hbreak square\ncontinue\nprint x\nnext\nnext\ninfo locals\nfinish\n\
                 set $x0 = 40\ndelete\nbreak {printf}\ncontinue\nprint total\n\
                 info registers pc\np/x $cpsr & 0xf0000000\np $fpsr\np $fpcr\n\
                 set $fpcr = 0x400000\np/x $fpcr\nprint counter = 7\nprint counter\n\
                 set $d1 = 1.5\nprint $d1\np/x $v1\np $sp == $x29 || $sp != 0\ncontinue\n"
            ),
            Via::Unix,
        );
        let at_body = format!("Breakpoint 1, square (x=0) at testbins/src/gdb_target.c:{body}");
        let end = format!("{}", body + 2);
        assert_in_order(
            &s,
            &[
                "Hardware assisted breakpoint 1 at",
                &at_body,
                "$1 = 0",
                "return y;",
                &end,
                "y = 0",
                "in main (argc=1, argv=",
                "total += square(i);",
                "Value returned is $2 = 0",
                "Breakpoint 2, main (argc=1, argv=",
                "$3 = 45",
                "pc             0x",
                "<main+",
                "$4 = 0x",
                "$5 = 0",
                "$6 = 0",
                "$7 = 0x400000",
                "$8 = 7",
                "$9 = 7",
                "$10 = {f = 1.5,",
                "$11 = 0x3ff8000000000000",
                "$12 = 1",
                "[Inferior 1 (process 1) exited with code 055]",
            ],
        );
        assert_eq!(s.guest_stdout, "total 45\n");
        assert_eq!(s.guest_status.code(), Some(45));

        let s = session_with(
            &AARCH64,
            accel,
            &["threads"],
            "break reached\ncontinue\ncontinue\ninfo threads\ndelete\ncontinue\n",
            Via::Unix,
        );
        assert_in_order(
            &s,
            &[
                "hit Breakpoint 1, reached (id=",
                "hit Breakpoint 1, reached (id=",
                "(gdb_target)",
                "[Inferior 1 (process 1) exited normally]",
            ],
        );
        assert!(
            s.gdb.contains("(worker-1)") && s.gdb.contains("(worker-2)"),
            "{}",
            s.gdb
        );
        assert_eq!(s.guest_stdout, "threads done\n");
    }
}
