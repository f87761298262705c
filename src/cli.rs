//! The `emu-<arch>` command line, QEMU-compatible where QEMU has the option:
//! `emu-riscv64 [options] program [args...]`. Every option also has an
//! environment variable (`EMU_*`); the command line wins over the environment.

use crate::guest::GuestArch;
use crate::linux::Options;
use crate::log::{LogItems, ITEMS};
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// Exit status for command-line mistakes.
pub const USAGE_STATUS: i32 = 2;

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Run {
        opts: Box<Options>,
        program: PathBuf,
        args: Vec<Vec<u8>>,
    },
    /// Print this text to stdout and exit 0.
    Print(String),
}

/// One option: its names, its environment variable, whether it takes a value, help text.
struct Spec {
    names: &'static [&'static str],
    env: &'static str,
    arg: Option<&'static str>,
    help: &'static str,
}

const SPECS: &[Spec] = &[
    Spec {
        names: &["h", "help"],
        env: "",
        arg: None,
        help: "print this help and exit",
    },
    Spec {
        names: &["version"],
        env: "",
        arg: None,
        help: "print the version and exit",
    },
    Spec {
        names: &["L"],
        env: "EMU_LD_PREFIX",
        arg: Some("path"),
        help: "prefix for the ELF interpreter and absolute guest paths",
    },
    Spec {
        names: &["E"],
        env: "EMU_SET_ENV",
        arg: Some("var=value"),
        help: "set variables in the guest environment (comma separated)",
    },
    Spec {
        names: &["U"],
        env: "EMU_UNSET_ENV",
        arg: Some("var"),
        help: "remove variables from the guest environment (comma separated)",
    },
    Spec {
        names: &["0"],
        env: "EMU_ARGV0",
        arg: Some("argv0"),
        help: "use argv0 as the guest's argv[0]",
    },
    Spec {
        names: &["s"],
        env: "EMU_STACK_SIZE",
        arg: Some("size"),
        help: "guest stack size (suffixes k, M, G)",
    },
    Spec {
        names: &["cpu"],
        env: "EMU_CPU",
        arg: Some("model"),
        help: "CPU model (-cpu help lists them)",
    },
    Spec {
        names: &["strace"],
        env: "EMU_STRACE",
        arg: None,
        help: "log system calls",
    },
    Spec {
        names: &["d"],
        env: "EMU_LOG",
        arg: Some("item,..."),
        help: "log items (-d help lists them)",
    },
    Spec {
        names: &["D"],
        env: "EMU_LOG_FILENAME",
        arg: Some("logfile"),
        help: "write the log to logfile instead of stderr",
    },
    Spec {
        names: &["seed"],
        env: "EMU_RAND_SEED",
        arg: Some("number"),
        help: "seed the guest's AT_RANDOM for reproducible runs",
    },
    Spec {
        names: &["B"],
        env: "EMU_GUEST_BASE",
        arg: Some("address"),
        help: "host address of guest address 0 (page aligned, must be free)",
    },
    Spec {
        names: &["R"],
        env: "EMU_RESERVED_VA",
        arg: Some("size"),
        help: "size of the guest address space (default: riscv64 256G, aarch64 64T)",
    },
    Spec {
        names: &["perfmap"],
        env: "EMU_PERFMAP",
        arg: None,
        help: "write /tmp/perf-PID.map so perf names translated code (JIT)",
    },
    Spec {
        names: &["accel"],
        env: "EMU_ACCEL",
        arg: Some("name"),
        help: "execution backend: jit (x86-64 hosts) or interp",
    },
    Spec {
        names: &["g"],
        env: "EMU_GDB",
        arg: Some("port|path"),
        help: "wait for gdb on this TCP port or unix socket, the guest stopped before its first instruction",
    },
    Spec {
        names: &["tb-size"],
        env: "EMU_TB_SIZE",
        arg: Some("size"),
        help: "JIT code cache size (default 64M, at least 256K; flushed whole when full)",
    },
];

/// The smallest `-tb-size`: room for the largest block.
const MIN_CODE_CACHE: usize = 256 << 10;

/// CPU models per guest: (name, description).
pub fn cpu_models(arch: &str) -> &'static [(&'static str, &'static str)] {
    match arch {
        "riscv64" => &[
            ("rv64", "RV64GC + Zba, Zbb, Zbs, Zicond, Zfa (default)"),
            ("max", "same as rv64: every extension emu implements"),
        ],
        "aarch64" => &[(
            "max",
            "ARMv8.0-A + what emu implements (default; see AT_HWCAP)",
        )],
        _ => &[],
    }
}

pub fn usage(arch: &str) -> String {
    let mut s = format!(
        "usage: emu-{arch} [options] program [arguments...]\n\
         Runs a Linux {arch} program on this host.\n\nOptions:\n"
    );
    for spec in SPECS {
        let name = format!(
            "-{} {}",
            spec.names[spec.names.len() - 1],
            spec.arg.unwrap_or("")
        );
        let env = if spec.env.is_empty() {
            String::new()
        } else {
            format!(" [{}]", spec.env)
        };
        s.push_str(&format!("  {name:<22} {}{env}\n", spec.help));
    }
    s.push_str(
        "\nOptions may also be spelled with two dashes. Exit status: the guest's; 2 for a bad\n\
                command line, 126 when the program cannot be run, 127 when it does not exist.\n",
    );
    s
}

pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, mul) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (
            &t[..i],
            match c.to_ascii_lowercase() {
                'k' => 1u64 << 10,
                'm' => 1 << 20,
                'g' => 1 << 30,
                _ => return Err(format!("invalid size '{text}'")),
            },
        ),
        _ => (t, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("invalid size '{text}'"))
}

fn parse_number(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let r = match t.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => t.parse(),
    };
    r.map_err(|_| format!("invalid number '{text}'"))
}

/// Applies one option value to `opts`.
fn apply(
    opts: &mut Options,
    arch: &str,
    name: &str,
    value: Option<&str>,
) -> Result<Option<Command>, String> {
    let v = || value.unwrap_or_default();
    match name {
        "h" | "help" => return Ok(Some(Command::Print(usage(arch)))),
        "version" => {
            return Ok(Some(Command::Print(format!(
                "emu-{arch} version {}\n",
                env!("CARGO_PKG_VERSION")
            ))));
        }
        "L" => opts.sysroot = Some(PathBuf::from(v())),
        "E" => {
            for kv in v().split(',').filter(|s| !s.is_empty()) {
                let (k, val) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("-E expects var=value, got '{kv}'"))?;
                opts.set_env.push((k.to_string(), val.to_string()));
            }
        }
        "U" => opts
            .unset_env
            .extend(v().split(',').filter(|s| !s.is_empty()).map(String::from)),
        "0" => opts.argv0 = Some(v().to_string()),
        "s" => opts.stack_size = parse_size(v())?,
        "cpu" => {
            let models = cpu_models(arch);
            if v() == "help" {
                let mut s = format!("Available CPUs for {arch}:\n");
                for (m, d) in models {
                    s.push_str(&format!("  {m:<8} {d}\n"));
                }
                return Ok(Some(Command::Print(s)));
            }
            if !models.iter().any(|(m, _)| *m == v()) {
                return Err(format!("unknown CPU model '{}' (try -cpu help)", v()));
            }
            opts.cpu = v().to_string();
        }
        "strace" => opts.log.strace = true,
        "perfmap" => opts.perfmap = true,
        "d" => {
            if v() == "help" {
                let mut s = String::from("Log items (comma separated):\n");
                for (n, d) in ITEMS {
                    s.push_str(&format!("  {n:<8} {d}\n"));
                }
                return Ok(Some(Command::Print(s)));
            }
            let items = LogItems::parse(v())?;
            let strace = opts.log.strace;
            opts.log = items;
            opts.log.strace |= strace;
        }
        "D" => opts.log_file = Some(PathBuf::from(v())),
        "seed" => opts.seed = Some(parse_number(v())?),
        "B" => opts.guest_base = Some(parse_number(v())?),
        "R" => opts.reserved_va = Some(parse_size(v())?),
        "g" => opts.gdb = Some(crate::linux::gdb::GdbAddress::parse(v())?),
        "tb-size" => {
            opts.code_cache_size = parse_size(v())?
                .try_into()
                .ok()
                .filter(|&n| n >= MIN_CODE_CACHE)
                .ok_or_else(|| format!("-tb-size: at least {}K", MIN_CODE_CACHE >> 10))?
        }
        "accel" => match v() {
            "interp" => opts.accel = crate::engine::Accel::Interp,
            "jit" if cfg!(target_arch = "x86_64") => opts.accel = crate::engine::Accel::Jit,
            "help" => {
                let mut s = String::from("Accelerators:\n");
                if cfg!(target_arch = "x86_64") {
                    s.push_str("  jit      the x86-64 JIT\n");
                }
                s.push_str("  interp   the IR interpreter\n");
                return Ok(Some(Command::Print(s)));
            }
            other => {
                return Err(format!(
                    "unknown accelerator '{other}' (available: {})",
                    if cfg!(target_arch = "x86_64") {
                        "jit, interp"
                    } else {
                        "interp"
                    }
                ))
            }
        },
        _ => unreachable!("every spec name is handled"),
    }
    Ok(None)
}

fn find_spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.names.contains(&name))
}

/// Parses `args` (without the binary's own name). `env` reads environment variables.
pub fn parse(
    arch: &str,
    args: Vec<OsString>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let mut opts = Options::default();
    // Environment first, so the command line overrides it.
    for spec in SPECS.iter().filter(|s| !s.env.is_empty()) {
        if let Some(val) = env(spec.env) {
            if spec.arg.is_none() && (val.is_empty() || val == "0") {
                continue;
            }
            if let Some(cmd) = apply(&mut opts, arch, spec.names[0], Some(&val))? {
                return Ok(cmd);
            }
            if !matches!(
                spec.env,
                "EMU_SET_ENV" | "EMU_UNSET_ENV" | "EMU_ARGV0" | "EMU_GDB"
            ) {
                opts.forward.push(format!("-{}", spec.names[0]));
                if spec.arg.is_some() {
                    opts.forward.push(val);
                }
            }
        }
    }
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            break;
        }
        if bytes.first() != Some(&b'-') || bytes.len() == 1 {
            let rest: Vec<Vec<u8>> = it.map(|a| a.into_vec()).collect();
            return finish(opts, arg, rest);
        }
        let text = arg.to_string_lossy();
        let name = text.trim_start_matches('-');
        let spec = find_spec(name).ok_or_else(|| format!("unknown option '{text}' (try -h)"))?;
        let value = match spec.arg {
            Some(what) => Some(
                it.next()
                    .ok_or_else(|| format!("option '{text}' needs an argument ({what})"))?
                    .to_string_lossy()
                    .into_owned(),
            ),
            None => None,
        };
        if let Some(cmd) = apply(&mut opts, arch, spec.names[0], value.as_deref())? {
            return Ok(cmd);
        }
        // Not for exec'd programs: the environment and argv[0] are the
        // guest's business, the log file and gdb belong to this process.
        if !matches!(spec.names[0], "E" | "U" | "0" | "D" | "g") {
            opts.forward.push(format!("-{}", spec.names[0]));
            opts.forward.extend(value);
        }
    }
    match it.next() {
        Some(program) => {
            let rest: Vec<Vec<u8>> = it.map(|a| a.into_vec()).collect();
            finish(opts, program, rest)
        }
        None => Err("no program given (try -h)".into()),
    }
}

fn finish(opts: Options, program: OsString, rest: Vec<Vec<u8>>) -> Result<Command, String> {
    let mut args = vec![program.as_bytes().to_vec()];
    args.extend(rest);
    Ok(Command::Run {
        opts: Box::new(opts),
        program: PathBuf::from(program),
        args,
    })
}

/// AT_FLAGS bit: binfmt_misc's `P` flag kept the program's own argv[0]
/// (linux/binfmts.h).
const AT_FLAGS_PRESERVE_ARGV0: u64 = 1;

/// What the kernel tells an interpreter it started for binfmt_misc, in the
/// auxiliary vector: with the `P` flag, the program's own argv[0] follows
/// its path (which becomes the guest's argv[0] unless `-0` says otherwise);
/// with `O` (or `C`), AT_EXECFD is the program, opened for us.
fn started_by_binfmt_misc(opts: &mut Options, args: &mut Vec<Vec<u8>>) {
    // SAFETY: getauxval has no preconditions.
    let (flags, exec_fd) = unsafe {
        (
            libc::getauxval(libc::AT_FLAGS),
            libc::getauxval(libc::AT_EXECFD),
        )
    };
    if flags & AT_FLAGS_PRESERVE_ARGV0 != 0 && args.len() >= 2 {
        let argv0 = args.remove(1);
        opts.argv0
            .get_or_insert_with(|| String::from_utf8_lossy(&argv0).into_owned());
    }
    if exec_fd != 0 {
        opts.exec_fd = Some(exec_fd as i32);
    }
}

/// The whole `emu-<arch>` binary.
pub fn main<A: GuestArch>() -> ! {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let code = match parse(A::NAME, args, &|k| std::env::var(k).ok()) {
        Ok(Command::Print(text)) => {
            print!("{text}");
            0
        }
        Ok(Command::Run {
            mut opts,
            program,
            mut args,
        }) => {
            started_by_binfmt_misc(&mut opts, &mut args);
            match crate::linux::run::<A>(*opts, &program, &args) {
                Ok(never) => match never {},
                Err(e) => {
                    eprintln!("emu-{}: {}", A::NAME, e.message);
                    e.status
                }
            }
        }
        Err(msg) => {
            eprintln!("emu-{}: {msg}", A::NAME);
            USAGE_STATUS
        }
    };
    std::process::exit(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str], env: &[(&str, &str)]) -> Result<Command, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse("riscv64", args.iter().map(OsString::from).collect(), &|k| {
            env.iter().find(|(ek, _)| ek == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn options_before_program_and_guest_args_untouched() {
        let Ok(Command::Run {
            opts,
            program,
            args,
        }) = p(
            &[
                "-L", "/sysroot", "-E", "A=1,B=2", "-strace", "./prog", "-L", "x",
            ],
            &[],
        )
        else {
            panic!()
        };
        assert_eq!(opts.sysroot, Some(PathBuf::from("/sysroot")));
        assert_eq!(
            opts.set_env,
            vec![("A".into(), "1".into()), ("B".into(), "2".into())]
        );
        assert!(opts.log.strace);
        assert_eq!(program, PathBuf::from("./prog"));
        assert_eq!(
            args,
            vec![b"./prog".to_vec(), b"-L".to_vec(), b"x".to_vec()]
        );
        assert_eq!(opts.forward, vec!["-L", "/sysroot", "-strace"]);
    }

    #[test]
    fn environment_variables_and_command_line_override() {
        let Ok(Command::Run { opts, .. }) = p(
            &["-s", "1M", "prog"],
            &[
                ("EMU_LD_PREFIX", "/r"),
                ("EMU_STACK_SIZE", "64k"),
                ("EMU_STRACE", "1"),
            ],
        ) else {
            panic!()
        };
        assert_eq!(opts.sysroot, Some(PathBuf::from("/r")));
        assert_eq!(opts.stack_size, 1 << 20);
        assert!(opts.log.strace);
    }

    #[test]
    fn errors_are_one_line_messages() {
        assert_eq!(
            p(&["-bogus", "prog"], &[]).unwrap_err(),
            "unknown option '-bogus' (try -h)"
        );
        assert_eq!(
            p(&["-L"], &[]).unwrap_err(),
            "option '-L' needs an argument (path)"
        );
        assert_eq!(p(&[], &[]).unwrap_err(), "no program given (try -h)");
        assert_eq!(
            p(&["-d", "nope", "x"], &[]).unwrap_err(),
            "unknown -d item 'nope' (try -d help)"
        );
        assert_eq!(
            p(&["-cpu", "pentium", "x"], &[]).unwrap_err(),
            "unknown CPU model 'pentium' (try -cpu help)"
        );
        assert_eq!(
            p(&["-s", "12q", "x"], &[]).unwrap_err(),
            "invalid size '12q'"
        );
        assert_eq!(
            p(&["-accel", "kvm", "x"], &[]).unwrap_err(),
            "unknown accelerator 'kvm' (available: jit, interp)"
        );
    }

    #[test]
    fn help_texts() {
        assert!(matches!(p(&["-cpu", "help"], &[]), Ok(Command::Print(s)) if s.contains("rv64")));
        assert!(matches!(p(&["-d", "help"], &[]), Ok(Command::Print(s)) if s.contains("in_asm")));
        assert!(
            matches!(p(&["--version"], &[]), Ok(Command::Print(s)) if s.starts_with("emu-riscv64 version"))
        );
        assert!(
            matches!(p(&["-h"], &[]), Ok(Command::Print(s)) if s.starts_with("usage: emu-riscv64"))
        );
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8M"), Ok(8 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert!(parse_size("0").is_err());
    }
}
