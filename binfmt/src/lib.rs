//! `emu-binfmt`: registers emu with the kernel's binfmt_misc, so that
//! foreign executables run as if they were native (`./prog`, chroots,
//! containers). Owns the entries (ELF magic and mask per guest
//! architecture, the interpreter and flags), the `register`, `unregister`
//! and `status` commands, mounting binfmt_misc, and `/etc/binfmt.d` export.
//! Knows nothing of the emulator itself but the `emu-<arch>` binary names.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Where binfmt_misc is mounted.
pub const BINFMT_DIR: &str = "/proc/sys/fs/binfmt_misc";

/// A guest architecture emu-binfmt knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arch {
    pub name: &'static str,
    /// ELF class: 1 (32-bit) or 2 (64-bit).
    pub class: u8,
    /// ELF data encoding: 1 (little-endian) or 2 (big-endian).
    pub data: u8,
    pub machine: u16,
}

/// Every guest architecture emu runs (an architecture is added here only
/// once its `emu-<name>` runs real programs: registering it earlier would
/// break every foreign program of that architecture on the machine).
pub const ARCHES: &[Arch] = &[
    Arch {
        name: "riscv64",
        class: 2,
        data: 1,
        machine: 243,
    },
    Arch {
        name: "aarch64",
        class: 2,
        data: 1,
        machine: 183,
    },
];

/// The host's own architecture: never registered.
const HOST_ARCH: &str = std::env::consts::ARCH;

impl Arch {
    /// The emulator binary's file name.
    pub fn emulator(&self) -> String {
        format!("emu-{}", self.name)
    }

    /// The first 20 bytes of an ELF executable of this architecture
    /// (e_ident, e_type, e_machine) and the mask binfmt_misc applies before
    /// comparing: any OS ABI byte, e_type 2 (ET_EXEC) or 3 (ET_DYN).
    pub fn magic_and_mask(&self) -> ([u8; 20], [u8; 20]) {
        let m = if self.data == 1 {
            self.machine.to_le_bytes()
        } else {
            self.machine.to_be_bytes()
        };
        let e_type = if self.data == 1 { [2, 0] } else { [0, 2] };
        let mut magic = [0u8; 20];
        magic[..7].copy_from_slice(&[0x7f, b'E', b'L', b'F', self.class, self.data, 1]);
        magic[16..18].copy_from_slice(&e_type);
        magic[18..20].copy_from_slice(&m);
        let mut mask = [0xffu8; 20];
        mask[7] = 0; // EI_OSABI: SYSV, GNU/Linux, …
        mask[if self.data == 1 { 16 } else { 17 }] = 0xfe; // ET_EXEC or ET_DYN
        (magic, mask)
    }
}

/// The architectures `--arch LIST` names (`all`: every one).
pub fn parse_arches(list: &str) -> Result<Vec<Arch>, String> {
    if list == "all" {
        return Ok(ARCHES.to_vec());
    }
    let mut out = Vec::new();
    for name in list.split(',').map(str::trim) {
        if name == HOST_ARCH || (name == "x86-64" && HOST_ARCH == "x86_64") {
            return Err(format!(
                "{name} is this host's own architecture: its programs run natively"
            ));
        }
        let arch = ARCHES.iter().find(|a| a.name == name).ok_or_else(|| {
            let known: Vec<&str> = ARCHES.iter().map(|a| a.name).collect();
            format!(
                "unknown architecture '{name}' (known: {})",
                known.join(", ")
            )
        })?;
        if !out.contains(arch) {
            out.push(*arch);
        }
    }
    if out.is_empty() {
        return Err("no architecture given".into());
    }
    Ok(out)
}

/// binfmt_misc flags of an entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// `P`: the program's own argv[0] is passed after its path.
    pub preserve_argv0: bool,
    /// `O`: the kernel opens the program and passes the descriptor.
    pub open_binary: bool,
    /// `C`: credentials (setuid/setgid) from the program, not the
    /// interpreter; implies `O`.
    pub credentials: bool,
    /// `F`: the interpreter is opened at registration, so it works in
    /// chroots and containers that do not have it (needs a static emu).
    pub fix_binary: bool,
}

impl Flags {
    pub fn letters(&self) -> String {
        let mut s = String::new();
        for (on, c) in [
            (self.preserve_argv0, 'P'),
            (self.open_binary || self.credentials, 'O'),
            (self.credentials, 'C'),
            (self.fix_binary, 'F'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }
}

/// One binfmt_misc entry for `arch`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub arch: Arch,
    pub interpreter: PathBuf,
    pub flags: Flags,
}

impl Entry {
    /// The line written to `register` (and to `/etc/binfmt.d` files):
    /// `:name:M::magic:mask:interpreter:flags`, every magic and mask byte
    /// escaped so that none can be taken for a field separator.
    pub fn registration(&self) -> String {
        let (magic, mask) = self.arch.magic_and_mask();
        let hex = |b: &[u8]| {
            b.iter().fold(String::new(), |mut s, x| {
                let _ = write!(s, "\\x{x:02x}");
                s
            })
        };
        format!(
            ":{}:M::{}:{}:{}:{}",
            self.name,
            hex(&magic),
            hex(&mask),
            self.interpreter.display(),
            self.flags.letters()
        )
    }
}

/// An entry as binfmt_misc shows it (`/proc/sys/fs/binfmt_misc/NAME`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    pub enabled: bool,
    pub interpreter: String,
    pub flags: String,
}

impl Shown {
    pub fn parse(text: &str) -> Shown {
        let mut s = Shown {
            enabled: false,
            interpreter: String::new(),
            flags: String::new(),
        };
        for line in text.lines() {
            if line == "enabled" {
                s.enabled = true;
            } else if let Some(i) = line.strip_prefix("interpreter ") {
                s.interpreter = i.to_string();
            } else if let Some(f) = line.strip_prefix("flags:") {
                s.flags = f.trim().to_string();
            }
        }
        s
    }
}

/// A binfmt_misc mount (the real one is [`BINFMT_DIR`]).
pub struct BinfmtMisc {
    pub dir: PathBuf,
}

fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl BinfmtMisc {
    pub fn mounted(&self) -> bool {
        self.dir.join("register").exists()
    }

    /// Mounts binfmt_misc at `dir` unless it is there already.
    pub fn ensure_mounted(&self) -> Result<(), String> {
        if self.mounted() {
            return Ok(());
        }
        let c = |s: &str| std::ffi::CString::new(s).expect("no NUL");
        let dir = c(&self.dir.to_string_lossy());
        let fs = c("binfmt_misc");
        // SAFETY: valid C strings; no mount data.
        let r = unsafe { libc::mount(fs.as_ptr(), dir.as_ptr(), fs.as_ptr(), 0, std::ptr::null()) };
        if r != 0 {
            return Err(format!(
                "cannot mount binfmt_misc on {}: {}",
                self.dir.display(),
                io_text(&std::io::Error::last_os_error())
            ));
        }
        Ok(())
    }

    /// The entry named `name`, if registered.
    pub fn show(&self, name: &str) -> Option<Shown> {
        std::fs::read_to_string(self.dir.join(name))
            .ok()
            .map(|t| Shown::parse(&t))
    }

    pub fn register(&self, entry: &Entry) -> Result<(), String> {
        if self.dir.join(&entry.name).exists() {
            return Err(format!(
                "an entry named {} exists already (emu-binfmt unregister --arch {} first)",
                entry.name, entry.arch.name
            ));
        }
        // One write: binfmt_misc parses each write as one registration.
        std::fs::write(self.dir.join("register"), entry.registration()).map_err(|e| {
            format!(
                "cannot register {}: {}",
                entry.name,
                match e.raw_os_error() {
                    Some(libc::EEXIST) => "an entry with that name exists".into(),
                    Some(libc::ENOENT) => format!(
                        "{} is gone (with F, the interpreter must exist)",
                        entry.interpreter.display()
                    ),
                    _ => io_text(&e),
                }
            )
        })
    }

    pub fn unregister(&self, name: &str) -> Result<(), String> {
        let path = self.dir.join(name);
        if !path.exists() {
            return Err(format!("{name} is not registered"));
        }
        std::fs::write(&path, "-1").map_err(|e| format!("cannot remove {name}: {}", io_text(&e)))
    }
}

/// The `emu-binfmt` command line.
#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    pub command: Cmd,
    pub arches: Vec<Arch>,
    /// Where the `emu-<arch>` binaries are (default: beside emu-binfmt).
    pub path: Option<PathBuf>,
    /// Entry names are PREFIX + arch (default `emu-`).
    pub prefix: String,
    pub flags: Flags,
    /// `--export systemd DIR`: write `DIR/<name>.conf` instead of registering.
    pub export: Option<PathBuf>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Cmd {
    Register,
    Unregister,
    Status,
    Help,
}

pub const USAGE: &str = "\
usage: emu-binfmt register|unregister|status [options]

Registers emu-<arch> with the kernel's binfmt_misc, so that foreign
executables run directly (./prog, chroots, containers). Needs root, except
status and --export.

options:
  --arch LIST         riscv64, aarch64 (comma separated) or all (the default)
  --path DIR          where the emu-<arch> binaries are (default: beside emu-binfmt)
  --prefix P          entry names are P<arch> (default: emu-)
  --preserve-argv0    P flag: the program's own argv[0] reaches it
  --open-binary       O flag: the kernel opens the program (execute-only files)
  --credentials       C flag: setuid/setgid programs get their credentials (implies O)
  --fix-binary        F flag: the interpreter is opened now, so it works in
                      chroots and containers (use a static emu-<arch>)
  --export systemd DIR
                      write DIR/<name>.conf (/etc/binfmt.d format) instead
";

/// Parses the arguments after the program name.
pub fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut it = args.iter();
    let command = match it.next().map(String::as_str) {
        Some("register") => Cmd::Register,
        Some("unregister") => Cmd::Unregister,
        Some("status") => Cmd::Status,
        Some("-h" | "--help" | "help") => Cmd::Help,
        Some(other) => return Err(format!("unknown command '{other}' (try --help)")),
        None => return Err("no command given (try --help)".into()),
    };
    let mut a = Args {
        command,
        arches: parse_arches("all")?,
        path: None,
        prefix: "emu-".into(),
        flags: Flags::default(),
        export: None,
    };
    while let Some(opt) = it.next() {
        let mut value = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("option '{opt}' needs an argument ({what})"))
        };
        match opt.as_str() {
            "--arch" => a.arches = parse_arches(&value("list")?)?,
            "--path" => a.path = Some(PathBuf::from(value("directory")?)),
            "--prefix" => a.prefix = value("prefix")?,
            "--preserve-argv0" => a.flags.preserve_argv0 = true,
            "--open-binary" => a.flags.open_binary = true,
            "--credentials" => a.flags.credentials = true,
            "--fix-binary" => a.flags.fix_binary = true,
            "--export" => {
                let format = value("format")?;
                if format != "systemd" {
                    return Err(format!("unknown export format '{format}' (known: systemd)"));
                }
                a.export = Some(PathBuf::from(value("directory")?));
            }
            "-h" | "--help" => a.command = Cmd::Help,
            other => return Err(format!("unknown option '{other}' (try --help)")),
        }
    }
    if a.prefix.is_empty() || a.prefix.contains(['/', ':']) {
        return Err(format!("bad --prefix '{}'", a.prefix));
    }
    Ok(a)
}

/// The entries `args` describes, with interpreters in `dir`.
pub fn entries(args: &Args, dir: &Path) -> Vec<Entry> {
    args.arches
        .iter()
        .map(|arch| Entry {
            name: format!("{}{}", args.prefix, arch.name),
            arch: *arch,
            interpreter: dir.join(arch.emulator()),
            flags: args.flags,
        })
        .collect()
}

/// The status report: binfmt_misc itself, then one line per architecture.
pub fn status(b: &BinfmtMisc, args: &Args) -> String {
    let mut out = String::new();
    if !b.mounted() {
        let _ = writeln!(out, "binfmt_misc: not mounted at {}", b.dir.display());
    } else {
        let state = std::fs::read_to_string(b.dir.join("status")).unwrap_or_default();
        let _ = writeln!(
            out,
            "binfmt_misc: mounted at {}, {}",
            b.dir.display(),
            state.trim()
        );
    }
    for arch in ARCHES {
        let name = format!("{}{}", args.prefix, arch.name);
        let line = match b.show(&name) {
            Some(s) => format!(
                "registered as {name} ({}), interpreter {}, flags: {}",
                if s.enabled { "enabled" } else { "disabled" },
                s.interpreter,
                if s.flags.is_empty() { "none" } else { &s.flags }
            ),
            None => "not registered".into(),
        };
        let _ = writeln!(out, "{}: {line}", arch.name);
    }
    out
}

/// Runs a parsed command; returns its output or a one-line error.
pub fn run(args: &Args, b: &BinfmtMisc, default_dir: &Path) -> Result<String, String> {
    let is_root = || {
        // SAFETY: geteuid has no preconditions.
        unsafe { libc::geteuid() == 0 }
    };
    match args.command {
        Cmd::Help => Ok(USAGE.into()),
        Cmd::Status => Ok(status(b, args)),
        Cmd::Register => {
            let dir = args.path.as_deref().unwrap_or(default_dir);
            let dir = std::fs::canonicalize(dir)
                .map_err(|e| format!("--path {}: {}", dir.display(), io_text(&e)))?;
            let entries = entries(args, &dir);
            for e in &entries {
                let ok = std::fs::metadata(&e.interpreter).map(|m| {
                    m.is_file()
                        && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
                });
                if !matches!(ok, Ok(true)) {
                    return Err(format!(
                        "{}: no executable {} there (see --path)",
                        e.interpreter.display(),
                        e.arch.emulator()
                    ));
                }
            }
            let mut out = String::new();
            if let Some(to) = &args.export {
                for e in &entries {
                    let file = to.join(format!("{}.conf", e.name));
                    std::fs::write(&file, format!("{}\n", e.registration()))
                        .map_err(|err| format!("{}: {}", file.display(), io_text(&err)))?;
                    let _ = writeln!(out, "wrote {}", file.display());
                }
                return Ok(out);
            }
            if !is_root() {
                return Err("register needs root (binfmt_misc entries are machine-wide)".into());
            }
            b.ensure_mounted()?;
            for e in &entries {
                b.register(e)?;
                let _ = writeln!(
                    out,
                    "registered {} for {} ELF executables: {} {}",
                    e.name,
                    e.arch.name,
                    e.interpreter.display(),
                    e.flags.letters()
                );
            }
            Ok(out)
        }
        Cmd::Unregister => {
            if !is_root() {
                return Err("unregister needs root (binfmt_misc entries are machine-wide)".into());
            }
            if !b.mounted() {
                return Err(format!("binfmt_misc is not mounted at {}", b.dir.display()));
            }
            let mut out = String::new();
            for arch in &args.arches {
                let name = format!("{}{}", args.prefix, arch.name);
                b.unregister(&name)?;
                let _ = writeln!(out, "removed {name}");
            }
            Ok(out)
        }
    }
}

/// The whole `emu-binfmt` binary.
pub fn main() -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match parse_args(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("emu-binfmt: {e}");
            std::process::exit(2)
        }
    };
    let here = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let b = BinfmtMisc {
        dir: PathBuf::from(BINFMT_DIR),
    };
    match run(&parsed, &b, &here) {
        Ok(out) => {
            print!("{out}");
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("emu-binfmt: {e}");
            std::process::exit(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        parse_args(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn riscv64_magic_matches_exec_and_dyn_elf64_le_only() {
        let (magic, mask) = ARCHES[0].magic_and_mask();
        let matches = |header: &[u8; 20]| {
            header
                .iter()
                .zip(&mask)
                .zip(&magic)
                .all(|((h, m), g)| h & m == g & m)
        };
        let mut h = [0u8; 20];
        h[..8].copy_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
        h[18] = 243;
        for (e_type, osabi, want) in [
            (2, 0, true),
            (3, 0, true),
            (3, 3, true),
            (1, 0, false),
            (4, 0, false),
        ] {
            h[16] = e_type;
            h[7] = osabi;
            assert_eq!(matches(&h), want, "e_type {e_type} osabi {osabi}");
        }
        h[16] = 2;
        h[4] = 1; // ELFCLASS32
        assert!(!matches(&h));
        h[4] = 2;
        h[5] = 2; // big-endian
        assert!(!matches(&h));
        h[5] = 1;
        h[18] = 62; // x86-64
        assert!(!matches(&h));
    }

    #[test]
    fn the_registration_line_escapes_every_byte() {
        let e = Entry {
            name: "emu-riscv64".into(),
            arch: ARCHES[0],
            interpreter: PathBuf::from("/usr/bin/emu-riscv64"),
            flags: Flags {
                preserve_argv0: true,
                credentials: true,
                fix_binary: true,
                ..Flags::default()
            },
        };
        assert_eq!(
            e.registration(),
            ":emu-riscv64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00:\
             \\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:\
             /usr/bin/emu-riscv64:POCF"
        );
    }

    #[test]
    fn arguments_name_guests_only() {
        let a = args("register --arch riscv64 --preserve-argv0 --open-binary --prefix t-").unwrap();
        assert_eq!(a.command, Cmd::Register);
        assert_eq!(a.arches, vec![ARCHES[0]]);
        assert_eq!(a.flags.letters(), "PO");
        assert_eq!(args("status").unwrap().arches, ARCHES.to_vec());
        assert_eq!(
            args("register --arch aarch64,riscv64").unwrap().arches,
            vec![ARCHES[1], ARCHES[0]]
        );
        assert_eq!(
            args("register --arch x86_64").unwrap_err(),
            "x86_64 is this host's own architecture: its programs run natively"
        );
        assert_eq!(
            args("register --arch mips").unwrap_err(),
            "unknown architecture 'mips' (known: riscv64, aarch64)"
        );
        assert_eq!(
            args("register --bogus").unwrap_err(),
            "unknown option '--bogus' (try --help)"
        );
        assert_eq!(
            args("frob").unwrap_err(),
            "unknown command 'frob' (try --help)"
        );
        assert_eq!(
            args("register --export json /tmp").unwrap_err(),
            "unknown export format 'json' (known: systemd)"
        );
        assert_eq!(
            args("register --prefix a/b").unwrap_err(),
            "bad --prefix 'a/b'"
        );
    }

    #[test]
    fn shown_entries_are_parsed() {
        let s = Shown::parse(
            "enabled\ninterpreter /x/emu-riscv64\nflags: PF\noffset 0\nmagic 7f454c46\nmask ffffffff\n",
        );
        assert_eq!(
            s,
            Shown {
                enabled: true,
                interpreter: "/x/emu-riscv64".into(),
                flags: "PF".into()
            }
        );
    }
}
