//! `-strace` formatting: one line per syscall, as QEMU's `-strace` and strace print it.
//!
//! Owns: the argument-format vocabulary of the table files ([`ArgFmt`]), the
//! rendering of arguments, results and errno names. Reads guest memory only
//! through [`Guest`]; never changes guest state.

use crate::abi::consts;
use crate::table::Entry;
use crate::{Errno, Guest};

/// How one syscall argument is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ArgFmt {
    Int,
    Uint,
    Hex,
    Oct,
    Fd,
    /// A dirfd: -100 shows as `AT_FDCWD`.
    DirFd,
    /// A NUL-terminated path read from the guest, shown in full.
    Path,
    /// A NUL-terminated string read from the guest.
    Str,
    /// Bytes whose length is argument N, shown before the call (write).
    BufIn(usize),
    /// Bytes filled by the call: length = result, at most argument N (read).
    BufOut(usize),
    /// A file mode shown (in octal) only when the open flags in argument N
    /// create a file (O_CREAT, O_TMPFILE), as strace does for openat.
    OMode(usize),
    Ptr,
    OFlags,
    Prot,
    MapFlags,
    Signal,
    AtFlags,
    /// An ioctl request: its name when known (TCGETS), hex otherwise.
    IoctlReq,
}

impl ArgFmt {
    pub(crate) fn parse(s: &str) -> Option<ArgFmt> {
        let idx = |rest: &str| rest.parse::<usize>().ok().filter(|&n| n < 6);
        Some(match s {
            "int" => ArgFmt::Int,
            "uint" => ArgFmt::Uint,
            "hex" => ArgFmt::Hex,
            "oct" => ArgFmt::Oct,
            "fd" => ArgFmt::Fd,
            "dirfd" => ArgFmt::DirFd,
            "path" => ArgFmt::Path,
            "str" => ArgFmt::Str,
            "ptr" => ArgFmt::Ptr,
            "oflags" => ArgFmt::OFlags,
            "prot" => ArgFmt::Prot,
            "mapflags" => ArgFmt::MapFlags,
            "signal" => ArgFmt::Signal,
            "atflags" => ArgFmt::AtFlags,
            "ioctl" => ArgFmt::IoctlReq,
            _ => {
                if let Some(r) = s.strip_prefix("buf_in:") {
                    ArgFmt::BufIn(idx(r)?)
                } else if let Some(r) = s.strip_prefix("buf_out:") {
                    ArgFmt::BufOut(idx(r)?)
                } else if let Some(r) = s.strip_prefix("omode:") {
                    ArgFmt::OMode(idx(r)?)
                } else {
                    return None;
                }
            }
        })
    }
}

/// How the result is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetFmt {
    Int,
    Hex,
}

/// strace's string limit for buffers.
const BUF_SHOWN: usize = 32;

/// A call formatted before it runs; buffers filled by the call are added after.
pub(crate) struct Pending {
    head: String,
    args: Vec<Result<String, (u64, ArgFmt)>>,
    raw: [u64; 6],
    ret: RetFmt,
}

impl Pending {
    pub(crate) fn before(guest: &dyn Guest, entry: &Entry, raw: &[u64; 6]) -> Pending {
        let head = entry.name.to_string();
        let args = match &entry.args {
            None => raw.iter().map(|&a| Ok(format!("{a:#x}"))).collect(),
            Some(fmts) => fmts
                .iter()
                .zip(raw.iter())
                .filter(|(&f, _)| match f {
                    ArgFmt::OMode(n) => {
                        let flags = consts::oflags_to_host(guest.machine(), raw[n] as i32);
                        flags & (libc::O_CREAT | O_TMPFILE) != 0
                    }
                    _ => true,
                })
                .map(|(&f, &a)| match f {
                    ArgFmt::BufOut(_) => Err((a, f)),
                    _ => Ok(format_arg(guest, f, a, raw)),
                })
                .collect(),
        };
        Pending {
            head,
            args,
            raw: *raw,
            ret: entry.ret,
        }
    }

    /// The whole line; `ret` is `None` for calls that do not return (exit, execve).
    pub(crate) fn finish(&self, guest: &dyn Guest, ret: Option<u64>) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Ok(s) => s.clone(),
                Err((addr, ArgFmt::BufOut(n))) => match ret {
                    Some(r) if (r as i64) >= 0 => {
                        let len = (r).min(self.raw[*n]) as usize;
                        format_buf(guest, *addr, len)
                    }
                    _ => format_ptr(*addr),
                },
                Err((addr, _)) => format_ptr(*addr),
            })
            .collect();
        // The pid now, not at `before`: a fork-like clone returns in two processes.
        let call = format!(
            "{} {}({})",
            unsafe { libc::getpid() },
            self.head,
            args.join(", ")
        );
        match ret {
            None => call,
            Some(v) => format!("{call} = {}", format_ret(v, self.ret)),
        }
    }
}

/// The call part of a line for a syscall that has no handler (`name(0x…, …)`).
pub(crate) fn call_line(
    guest: &dyn Guest,
    nr: u64,
    entry: Option<&Entry>,
    raw: &[u64; 6],
) -> String {
    match entry {
        Some(e) => Pending::before(guest, e, raw).finish(guest, None),
        None => {
            let args: Vec<String> = raw.iter().map(|a| format!("{a:#x}")).collect();
            format!(
                "{} syscall_{nr}({})",
                unsafe { libc::getpid() },
                args.join(", ")
            )
        }
    }
}

pub(crate) fn format_ret(v: u64, fmt: RetFmt) -> String {
    let s = v as i64;
    if (-4095..0).contains(&s) {
        return format_errno((-s) as Errno);
    }
    match fmt {
        RetFmt::Int => s.to_string(),
        RetFmt::Hex => format!("{v:#x}"),
    }
}

/// `-1 ENOENT (No such file or directory)`.
pub(crate) fn format_errno(e: Errno) -> String {
    let msg = std::io::Error::from_raw_os_error(e).to_string();
    let msg = msg.split(" (os error").next().unwrap_or("").to_string();
    format!("-1 {} ({msg})", errno_name(e).unwrap_or("E?"))
}

/// The kernel's __O_TMPFILE bit (O_TMPFILE without O_DIRECTORY).
const O_TMPFILE: i32 = 0o20000000;

fn format_oct(a: u64) -> String {
    if a == 0 {
        "0".into()
    } else {
        format!("0{a:o}")
    }
}

fn format_ptr(a: u64) -> String {
    if a == 0 {
        "NULL".into()
    } else {
        format!("{a:#x}")
    }
}

fn format_arg(guest: &dyn Guest, f: ArgFmt, a: u64, raw: &[u64; 6]) -> String {
    match f {
        ArgFmt::Int => (a as i64).to_string(),
        ArgFmt::Uint => a.to_string(),
        ArgFmt::Hex => format!("{a:#x}"),
        ArgFmt::Oct | ArgFmt::OMode(_) => format_oct(a),
        ArgFmt::Fd => (a as i32).to_string(),
        ArgFmt::DirFd if a as i32 == libc::AT_FDCWD => "AT_FDCWD".into(),
        ArgFmt::DirFd => (a as i32).to_string(),
        ArgFmt::Path | ArgFmt::Str => {
            if a == 0 {
                return "NULL".into();
            }
            match guest.read_cstr(a, 4096) {
                Ok(s) => quote(s.as_bytes(), false),
                Err(_) => format!("{a:#x}"),
            }
        }
        ArgFmt::BufIn(n) => format_buf(guest, a, raw[n] as usize),
        ArgFmt::BufOut(_) | ArgFmt::Ptr => format_ptr(a),
        ArgFmt::OFlags => consts::oflags_names(consts::oflags_to_host(guest.machine(), a as i32)),
        ArgFmt::Prot => flag_names(a, PROT_NAMES, "PROT_NONE"),
        ArgFmt::MapFlags => {
            let kind = match a & 0xf {
                1 => "MAP_SHARED",
                2 => "MAP_PRIVATE",
                3 => "MAP_SHARED_VALIDATE",
                _ => "",
            };
            let rest = flag_names(a & !0xf, MAP_NAMES, "");
            match (kind.is_empty(), rest.is_empty()) {
                (false, false) => format!("{kind}|{rest}"),
                (false, true) => kind.into(),
                (true, _) if rest.is_empty() => "0".into(),
                (true, _) => rest,
            }
        }
        ArgFmt::Signal => {
            signal_name(a as i32).map_or_else(|| (a as i64).to_string(), String::from)
        }
        ArgFmt::AtFlags => flag_names(a, AT_NAMES, "0"),
        ArgFmt::IoctlReq => crate::ioctl::request_name(a & 0xffff_ffff)
            .map_or_else(|| format!("{a:#x}"), String::from),
    }
}

fn format_buf(guest: &dyn Guest, addr: u64, len: usize) -> String {
    let shown = len.min(BUF_SHOWN);
    let mut buf = vec![0u8; shown];
    if guest.read(addr, &mut buf).is_err() {
        return format_ptr(addr);
    }
    quote(&buf, len > shown)
}

/// Quotes bytes C-style, as strace does.
pub(crate) fn quote(bytes: &[u8], truncated: bool) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:o}")),
        }
    }
    s.push('"');
    if truncated {
        s.push_str("...");
    }
    s
}

/// `A|B|0x40` for the bits of `v`; `zero` when `v` is 0.
pub(crate) fn flag_names(v: u64, names: &[(u64, &str)], zero: &str) -> String {
    if v == 0 {
        return zero.into();
    }
    let mut parts = Vec::new();
    let mut rest = v;
    for &(bit, name) in names {
        if rest & bit == bit && bit != 0 {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    parts.join("|")
}

const PROT_NAMES: &[(u64, &str)] = &[
    (1, "PROT_READ"),
    (2, "PROT_WRITE"),
    (4, "PROT_EXEC"),
    (0x0100_0000, "PROT_GROWSDOWN"),
    (0x0200_0000, "PROT_GROWSUP"),
];

// asm-generic/mman-common.h and mman.h (x86-64 agrees, plus MAP_32BIT which the generic ABI lacks).
const MAP_NAMES: &[(u64, &str)] = &[
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x80000, "MAP_SYNC"),
    (0x100000, "MAP_FIXED_NOREPLACE"),
];

const AT_NAMES: &[(u64, &str)] = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
    (0x2000, "AT_STATX_FORCE_SYNC"),
    (0x4000, "AT_STATX_DONT_SYNC"),
    (0x8000, "AT_RECURSIVE"),
];

/// Signal numbers 1..31 of the generic ABI (identical on x86-64).
const SIGNAL_NAMES: [&str; 31] = [
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

pub(crate) fn signal_name(sig: i32) -> Option<&'static str> {
    if sig == 0 {
        return Some("0");
    }
    SIGNAL_NAMES.get((sig as usize).wrapping_sub(1)).copied()
}

/// errno names (asm-generic/errno-base.h, errno.h: the same numbers on x86-64).
const ERRNO_NAMES: &[(i32, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (8, "ENOEXEC"),
    (9, "EBADF"),
    (10, "ECHILD"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (15, "ENOTBLK"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (18, "EXDEV"),
    (19, "ENODEV"),
    (20, "ENOTDIR"),
    (21, "EISDIR"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (25, "ENOTTY"),
    (26, "ETXTBSY"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (29, "ESPIPE"),
    (30, "EROFS"),
    (31, "EMLINK"),
    (32, "EPIPE"),
    (33, "EDOM"),
    (34, "ERANGE"),
    (35, "EDEADLK"),
    (36, "ENAMETOOLONG"),
    (37, "ENOLCK"),
    (38, "ENOSYS"),
    (39, "ENOTEMPTY"),
    (40, "ELOOP"),
    (42, "ENOMSG"),
    (43, "EIDRM"),
    (44, "ECHRNG"),
    (45, "EL2NSYNC"),
    (46, "EL3HLT"),
    (47, "EL3RST"),
    (48, "ELNRNG"),
    (49, "EUNATCH"),
    (50, "ENOCSI"),
    (51, "EL2HLT"),
    (52, "EBADE"),
    (53, "EBADR"),
    (54, "EXFULL"),
    (55, "ENOANO"),
    (56, "EBADRQC"),
    (57, "EBADSLT"),
    (59, "EBFONT"),
    (60, "ENOSTR"),
    (61, "ENODATA"),
    (62, "ETIME"),
    (63, "ENOSR"),
    (64, "ENONET"),
    (65, "ENOPKG"),
    (66, "EREMOTE"),
    (67, "ENOLINK"),
    (68, "EADV"),
    (69, "ESRMNT"),
    (70, "ECOMM"),
    (71, "EPROTO"),
    (72, "EMULTIHOP"),
    (73, "EDOTDOT"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (76, "ENOTUNIQ"),
    (77, "EBADFD"),
    (78, "EREMCHG"),
    (79, "ELIBACC"),
    (80, "ELIBBAD"),
    (81, "ELIBSCN"),
    (82, "ELIBMAX"),
    (83, "ELIBEXEC"),
    (84, "EILSEQ"),
    (85, "ERESTART"),
    (86, "ESTRPIPE"),
    (87, "EUSERS"),
    (88, "ENOTSOCK"),
    (89, "EDESTADDRREQ"),
    (90, "EMSGSIZE"),
    (91, "EPROTOTYPE"),
    (92, "ENOPROTOOPT"),
    (93, "EPROTONOSUPPORT"),
    (94, "ESOCKTNOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (96, "EPFNOSUPPORT"),
    (97, "EAFNOSUPPORT"),
    (98, "EADDRINUSE"),
    (99, "EADDRNOTAVAIL"),
    (100, "ENETDOWN"),
    (101, "ENETUNREACH"),
    (102, "ENETRESET"),
    (103, "ECONNABORTED"),
    (104, "ECONNRESET"),
    (105, "ENOBUFS"),
    (106, "EISCONN"),
    (107, "ENOTCONN"),
    (108, "ESHUTDOWN"),
    (109, "ETOOMANYREFS"),
    (110, "ETIMEDOUT"),
    (111, "ECONNREFUSED"),
    (112, "EHOSTDOWN"),
    (113, "EHOSTUNREACH"),
    (114, "EALREADY"),
    (115, "EINPROGRESS"),
    (116, "ESTALE"),
    (117, "EUCLEAN"),
    (118, "ENOTNAM"),
    (119, "ENAVAIL"),
    (120, "EISNAM"),
    (121, "EREMOTEIO"),
    (122, "EDQUOT"),
    (123, "ENOMEDIUM"),
    (124, "EMEDIUMTYPE"),
    (125, "ECANCELED"),
    (126, "ENOKEY"),
    (127, "EKEYEXPIRED"),
    (128, "EKEYREVOKED"),
    (129, "EKEYREJECTED"),
    (130, "EOWNERDEAD"),
    (131, "ENOTRECOVERABLE"),
    (132, "ERFKILL"),
    (133, "EHWPOISON"),
];

pub(crate) fn errno_name(e: Errno) -> Option<&'static str> {
    ERRNO_NAMES.iter().find(|(n, _)| *n == e).map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errno_names_agree_with_host_values() {
        // The generic ABI and x86-64 share asm-generic/errno.h: no translation needed.
        assert_eq!(errno_name(libc::ENOENT), Some("ENOENT"));
        assert_eq!(errno_name(libc::ENOSYS), Some("ENOSYS"));
        assert_eq!(errno_name(libc::EAGAIN), Some("EAGAIN"));
        assert_eq!(errno_name(libc::ECONNREFUSED), Some("ECONNREFUSED"));
        assert_eq!(errno_name(libc::EHWPOISON), Some("EHWPOISON"));
        assert_eq!(format_errno(2), "-1 ENOENT (No such file or directory)");
    }

    #[test]
    fn signal_names_agree_with_host_values() {
        assert_eq!(signal_name(libc::SIGPIPE), Some("SIGPIPE"));
        assert_eq!(signal_name(libc::SIGCHLD), Some("SIGCHLD"));
        assert_eq!(signal_name(libc::SIGSYS), Some("SIGSYS"));
        assert_eq!(signal_name(libc::SIGSTKFLT), Some("SIGSTKFLT"));
    }

    #[test]
    fn buffers_are_quoted_and_truncated() {
        assert_eq!(quote(b"hi\n\x01", false), "\"hi\\n\\1\"");
        assert_eq!(quote(b"abc", true), "\"abc\"...");
    }

    #[test]
    fn flags_are_named() {
        assert_eq!(
            flag_names(3, PROT_NAMES, "PROT_NONE"),
            "PROT_READ|PROT_WRITE"
        );
        assert_eq!(flag_names(0, PROT_NAMES, "PROT_NONE"), "PROT_NONE");
        assert_eq!(
            flag_names(0x1100, AT_NAMES, "0"),
            "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"
        );
    }
}
