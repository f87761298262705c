//! emu-binfmt and binfmt_misc end to end, as root: foreign programs run
//! directly, argv[0] kept with P, setuid credentials with C, execute-only
//! programs with O, `status`, and Debian riscv64 and arm64 chroots whose
//! shell scripts, coreutils and child processes all run through a fixed
//! (F), statically linked emu-riscv64 or emu-aarch64.
//!
//! Registrations are machine-wide and every one matches every riscv64
//! program, so these tests take a lock file and each registers under a
//! name of its own, removed when it ends (also when it fails). Where
//! binfmt_misc cannot be used (not root, cannot mount) they are skipped,
//! except in CI (`CI` set), where that is a failure.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

const BINFMT: &str = "/proc/sys/fs/binfmt_misc";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn testbin(name: &str) -> PathBuf {
    manifest_dir().join("testbins/riscv64").join(name)
}

fn emu_binfmt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_emu-binfmt"))
}

/// The directory of the emu-riscv64 under test.
fn emu_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_emu-riscv64"))
        .parent()
        .expect("bin dir")
        .to_path_buf()
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

/// Holds the machine's binfmt_misc for one test: `None` (test skipped)
/// where it cannot be used outside CI.
struct Binfmt {
    _lock: fs::File,
}

fn binfmt() -> Option<Binfmt> {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let usable = root
        && (Path::new(BINFMT).join("register").exists()
            || Command::new("mount")
                .args(["-t", "binfmt_misc", "binfmt_misc", BINFMT])
                .status()
                .is_ok_and(|s| s.success()));
    if !usable {
        assert!(
            std::env::var_os("CI").is_none(),
            "binfmt_misc is not usable here (root: {root}), and CI must run these tests"
        );
        eprintln!("skipped: binfmt_misc is not usable (needs root and a mountable binfmt_misc)");
        return None;
    }
    let lock =
        fs::File::create(std::env::temp_dir().join("emu-binfmt-tests.lock")).expect("lock file");
    // SAFETY: flock on a descriptor we own; released when it closes.
    assert_eq!(
        unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) },
        0
    );
    Some(Binfmt { _lock: lock })
}

/// A registration for one architecture, removed on drop.
struct Registration {
    prefix: String,
    arch: &'static str,
}

impl Registration {
    /// Registers riscv64.
    fn new(b: &Binfmt, dir: &Path, flags: &[&str]) -> Registration {
        Registration::for_arch(b, "riscv64", dir, flags)
    }

    fn for_arch(_b: &Binfmt, arch: &'static str, dir: &Path, flags: &[&str]) -> Registration {
        static N: AtomicUsize = AtomicUsize::new(0);
        let prefix = format!(
            "emutest{}x{}-",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let o = run(emu_binfmt()
            .args(["register", "--arch", arch, "--prefix", &prefix, "--path"])
            .arg(dir)
            .args(flags));
        assert!(o.status.success(), "register: {}", text(&o));
        Registration { prefix, arch }
    }

    fn name(&self) -> String {
        format!("{}{}", self.prefix, self.arch)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let _ = emu_binfmt()
            .args(["unregister", "--arch", self.arch, "--prefix", &self.prefix])
            .output();
    }
}

/// A fresh directory under the system temp dir that other users can enter,
/// removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let d = std::env::temp_dir().join(format!(
            "emu-binfmt-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("temp dir");
        fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).expect("chmod");
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn copy(from: &Path, to: &Path, mode: u32) {
    fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    fs::set_permissions(to, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// A command run as user and group nobody (65534).
fn as_nobody(program: &Path) -> Command {
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(program);
    c
}

#[test]
fn foreign_programs_run_directly() {
    let Some(b) = binfmt() else { return };
    let _r = Registration::new(&b, &emu_dir(), &[]);
    let o = run(&mut Command::new(testbin("hello")));
    assert_eq!(text(&o), text_of(0, "Hello, world!\n"));
    let o = run(Command::new(testbin("exit_codes")).arg("42"));
    assert_eq!(o.status.code(), Some(42), "{}", text(&o));
    // Without P the kernel passes the path in place of argv[0].
    let procinfo = testbin("procinfo");
    let o = run(Command::new(&procinfo).arg0("custom0"));
    let first = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .map(String::from);
    assert_eq!(first, Some(format!("argv[0]={}", procinfo.display())));
}

#[test]
fn aarch64_programs_run_directly() {
    let Some(b) = binfmt() else { return };
    let _r = Registration::for_arch(&b, "aarch64", &emu_dir(), &[]);
    let a64 = |name: &str| manifest_dir().join("testbins/aarch64").join(name);
    let o = run(&mut Command::new(a64("hello")));
    assert_eq!(text(&o), text_of(0, "Hello, world!\n"));
    let o = run(Command::new(a64("exit_codes")).arg("42"));
    assert_eq!(o.status.code(), Some(42), "{}", text(&o));
}

/// What a successful run prints through `text`.
fn text_of(code: i32, stdout: &str) -> String {
    format!(
        "status ExitStatus(unix_wait_status({}))\nstdout:\n{stdout}\nstderr:\n",
        code << 8
    )
}

#[test]
fn preserve_argv0_keeps_the_programs_own_argv0() {
    let Some(b) = binfmt() else { return };
    let _r = Registration::new(&b, &emu_dir(), &["--preserve-argv0"]);
    let o = run(Command::new(testbin("procinfo")).arg0("custom0"));
    let first = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .map(String::from);
    assert_eq!(first.as_deref(), Some("argv[0]=custom0"), "{}", text(&o));
}

#[test]
fn setuid_programs_get_their_credentials_and_execute_only_ones_run() {
    let Some(b) = binfmt() else { return };
    let dir = TempDir::new("cred");
    copy(
        Path::new(env!("CARGO_BIN_EXE_emu-riscv64")),
        &dir.0.join("emu-riscv64"),
        0o755,
    );
    copy(&testbin("ids"), &dir.0.join("ids-setuid"), 0o4755);
    copy(&testbin("ids"), &dir.0.join("ids-plain"), 0o755);
    copy(&testbin("ids"), &dir.0.join("ids-xonly"), 0o711);
    let _r = Registration::new(&b, &dir.0, &["--credentials"]);
    let expect = |name: &str, euid: u32, secure: u32| {
        let p = dir.0.join(name);
        let o = run(&mut as_nobody(&p));
        assert_eq!(
            text(&o),
            text_of(
                0,
                &format!(
                    "argv0={} uid=65534 euid={euid} gid=65534 egid=65534 secure={secure}\n",
                    p.display()
                )
            )
        );
    };
    // A setuid-root program runs as root (and its libc knows to be careful).
    expect("ids-setuid", 0, 1);
    expect("ids-plain", 65534, 0);
    // Unreadable for nobody: emu runs it from the descriptor the kernel opened.
    expect("ids-xonly", 65534, 0);
}

#[test]
fn status_shows_registrations_and_errors_are_one_line() {
    let Some(b) = binfmt() else { return };
    let r = Registration::new(
        &b,
        &emu_dir(),
        &["--preserve-argv0", "--open-binary", "--fix-binary"],
    );
    let status = |prefix: &str| run(emu_binfmt().args(["status", "--prefix", prefix]));
    let o = status(&r.prefix);
    let interp = fs::canonicalize(emu_dir()).unwrap().join("emu-riscv64");
    assert_eq!(
        text(&o),
        text_of(
            0,
            &format!(
                "binfmt_misc: mounted at {BINFMT}, enabled\n\
                 riscv64: registered as {} (enabled), interpreter {}, flags: POF\n\
                 aarch64: not registered\n",
                r.name(),
                interp.display()
            )
        )
    );
    // The same name again.
    let o = run(emu_binfmt()
        .args([
            "register", "--arch", "riscv64", "--prefix", &r.prefix, "--path",
        ])
        .arg(emu_dir()));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "emu-binfmt: an entry named {} exists already (emu-binfmt unregister --arch riscv64 first)\n",
            r.name()
        )
    );
    // Not root.
    let o = run(
        as_nobody(Path::new(env!("CARGO_BIN_EXE_emu-binfmt"))).args([
            "unregister",
            "--prefix",
            &r.prefix,
        ]),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "emu-binfmt: unregister needs root (binfmt_misc entries are machine-wide)\n"
    );
    let prefix = r.prefix.clone();
    drop(r);
    let o = status(&prefix);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("riscv64: not registered\n"),
        "{}",
        text(&o)
    );
}

#[test]
fn export_writes_binfmt_d_files() {
    let dir = TempDir::new("export");
    let o = run(emu_binfmt()
        .args([
            "register",
            "--arch",
            "all",
            "--preserve-argv0",
            "--fix-binary",
            "--path",
        ])
        .arg(emu_dir())
        .args(["--export", "systemd"])
        .arg(&dir.0));
    let file = dir.0.join("emu-riscv64.conf");
    let a64_file = dir.0.join("emu-aarch64.conf");
    assert_eq!(
        text(&o),
        text_of(
            0,
            &format!("wrote {}\nwrote {}\n", file.display(), a64_file.display())
        )
    );
    let a64_interp = fs::canonicalize(emu_dir()).unwrap().join("emu-aarch64");
    assert_eq!(
        fs::read_to_string(&a64_file).unwrap(),
        format!(
            ":emu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\
             \\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:{}:PF\n",
            a64_interp.display()
        )
    );
    let interp = fs::canonicalize(emu_dir()).unwrap().join("emu-riscv64");
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        format!(
            ":emu-riscv64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00:\
             \\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:{}:PF\n",
            interp.display()
        )
    );
}

/// The statically linked emulator, built (or brought up to date) by the
/// script the README documents.
fn static_emu_dir() -> PathBuf {
    let o = run(&mut Command::new(
        manifest_dir().join("scripts/build-static.sh"),
    ));
    assert!(o.status.success(), "scripts/build-static.sh: {}", text(&o));
    PathBuf::from(String::from_utf8_lossy(&o.stdout).trim())
}

#[test]
fn a_debian_chroot_runs_scripts_coreutils_and_children_through_binfmt() {
    debian_chroot("riscv64", "riscv64");
}

#[test]
fn a_debian_arm64_chroot_runs_through_binfmt() {
    debian_chroot("arm64", "aarch64");
}

/// A Debian root of `debian_arch` whose shell script, coreutils and child
/// processes all run through binfmt_misc and the static emu-`arch`.
fn debian_chroot(debian_arch: &str, arch: &'static str) {
    let Some(b) = binfmt() else { return };
    let debian = manifest_dir().join(format!(".cache/debian-{debian_arch}/root"));
    assert!(
        debian.join("bin/dash").exists() && debian.join("usr/bin/tr").exists(),
        "no Debian {debian_arch} root with dash and coreutils at {} \
         (run EMU_DEBIAN_ARCH={debian_arch} tests/debian/fetch.sh)",
        debian.display()
    );
    let emu = static_emu_dir();
    // A private root: hard links to the shared one (which stays pristine),
    // plus a script of ours.
    let dir = TempDir::new("chroot");
    let root = dir.0.join("root");
    let o = run(Command::new("cp").arg("-al").arg(&debian).arg(&root));
    assert!(o.status.success(), "cp -al: {}", text(&o));
    fs::create_dir_all(root.join("tmp")).unwrap();
    fs::write(
        root.join("tmp/t.sh"),
        "#!/bin/sh\n\
         echo \"script args: $*\"\n\
         ls /usr/bin | wc -l\n\
         echo hello world | tr a-z A-Z\n\
         sh -c 'exit 7'; echo \"child exit: $?\"\n\
         uname -m\n",
    )
    .unwrap();
    fs::set_permissions(root.join("tmp/t.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    // F: the kernel holds the (static) interpreter, which the root lacks.
    let _r = Registration::for_arch(&b, arch, &emu, &["--fix-binary"]);
    let o = run(Command::new("chroot").arg(&root).args([
        "/bin/sh",
        "-c",
        "/tmp/t.sh a b | cat; echo done",
    ]));
    let programs = fs::read_dir(root.join("usr/bin")).unwrap().count();
    assert_eq!(
        text(&o),
        text_of(
            0,
            &format!("script args: a b\n{programs}\nHELLO WORLD\nchild exit: 7\n{arch}\ndone\n")
        )
    );
}
