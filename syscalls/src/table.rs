//! The syscall tables as data and the dispatcher.
//!
//! Owns: parsing `tables/*.tbl` (number, name, handler, strace argument formats),
//! the registry mapping handler names to functions, [`dispatch`] and
//! [`syscall_name`]. Handlers themselves live in the area modules; this module
//! must not know what any syscall does.

use crate::strace::{self, ArgFmt, RetFmt};
use crate::{fd, fs, ident, ioctl, misc, mm, net, process, signal, sync, time};
use crate::{Errno, Guest, Outcome, SysResult};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A handler: most return a value or errno; exit/execve ask the core for more.
#[derive(Clone, Copy)]
pub(crate) enum Handler {
    Ret(fn(&dyn Guest, [u64; 6]) -> SysResult),
    Out(fn(&dyn Guest, [u64; 6]) -> Outcome),
}

/// One line of a table.
pub(crate) struct Entry {
    pub name: &'static str,
    /// The handler column as written (the registry test checks coverage with it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub handler_name: Option<&'static str>,
    pub handler: Option<Handler>,
    /// `None`: unknown argument formats (strace shows all six as hex).
    pub args: Option<Vec<ArgFmt>>,
    pub ret: RetFmt,
}

/// A parsed table: syscall number → entry.
pub(crate) struct Table {
    pub entries: HashMap<u64, Entry>,
}

const GENERIC_TBL: &str = include_str!("../tables/generic.tbl");
const RISCV64_TBL: &str = include_str!("../tables/riscv64.tbl");

macro_rules! handlers {
    ($($name:literal => $kind:ident $path:path),* $(,)?) => {
        &[$(($name, Handler::$kind($path))),*]
    };
}

/// Every handler a table may name. A unit test checks that each is used.
pub(crate) static REGISTRY: &[(&str, Handler)] = handlers! {
    // fs
    "fs::getcwd" => Ret fs::getcwd,
    "fs::mknodat" => Ret fs::mknodat,
    "fs::mkdirat" => Ret fs::mkdirat,
    "fs::unlinkat" => Ret fs::unlinkat,
    "fs::symlinkat" => Ret fs::symlinkat,
    "fs::linkat" => Ret fs::linkat,
    "fs::renameat" => Ret fs::renameat,
    "fs::renameat2" => Ret fs::renameat2,
    "fs::statfs" => Ret fs::statfs,
    "fs::fstatfs" => Ret fs::fstatfs,
    "fs::truncate" => Ret fs::truncate,
    "fs::ftruncate" => Ret fs::ftruncate,
    "fs::fallocate" => Ret fs::fallocate,
    "fs::faccessat" => Ret fs::faccessat,
    "fs::faccessat2" => Ret fs::faccessat2,
    "fs::chdir" => Ret fs::chdir,
    "fs::fchdir" => Ret fs::fchdir,
    "fs::chroot" => Ret fs::chroot,
    "fs::fchmod" => Ret fs::fchmod,
    "fs::fchmodat" => Ret fs::fchmodat,
    "fs::fchmodat2" => Ret fs::fchmodat2,
    "fs::fchownat" => Ret fs::fchownat,
    "fs::fchown" => Ret fs::fchown,
    "fs::openat" => Ret fs::openat,
    "fs::close" => Ret fs::close,
    "fs::getdents64" => Ret fs::getdents64,
    "fs::lseek" => Ret fs::lseek,
    "fs::read" => Ret fs::read,
    "fs::write" => Ret fs::write,
    "fs::readv" => Ret fs::readv,
    "fs::writev" => Ret fs::writev,
    "fs::pread64" => Ret fs::pread64,
    "fs::pwrite64" => Ret fs::pwrite64,
    "fs::preadv" => Ret fs::preadv,
    "fs::pwritev" => Ret fs::pwritev,
    "fs::preadv2" => Ret fs::preadv2,
    "fs::pwritev2" => Ret fs::pwritev2,
    "fs::sendfile" => Ret fs::sendfile,
    "fs::splice" => Ret fs::splice,
    "fs::tee" => Ret fs::tee,
    "fs::readlinkat" => Ret fs::readlinkat,
    "fs::newfstatat" => Ret fs::newfstatat,
    "fs::fstat" => Ret fs::fstat,
    "fs::sync" => Ret fs::sync,
    "fs::fsync" => Ret fs::fsync,
    "fs::fdatasync" => Ret fs::fdatasync,
    "fs::syncfs" => Ret fs::syncfs,
    "fs::sync_file_range" => Ret fs::sync_file_range,
    "fs::utimensat" => Ret fs::utimensat,
    "fs::umask" => Ret fs::umask,
    "fs::flock" => Ret fs::flock,
    "fs::copy_file_range" => Ret fs::copy_file_range,
    "fs::statx" => Ret fs::statx,
    "fs::fadvise64" => Ret fs::fadvise64,
    "fs::readahead" => Ret fs::readahead,
    "fs::memfd_create" => Ret fs::memfd_create,
    "fs::getxattr" => Ret fs::getxattr,
    "fs::lgetxattr" => Ret fs::lgetxattr,
    "fs::fgetxattr" => Ret fs::fgetxattr,
    "fs::listxattr" => Ret fs::listxattr,
    "fs::llistxattr" => Ret fs::llistxattr,
    "fs::flistxattr" => Ret fs::flistxattr,
    "fs::setxattr" => Ret fs::setxattr,
    "fs::lsetxattr" => Ret fs::lsetxattr,
    "fs::fsetxattr" => Ret fs::fsetxattr,
    "fs::removexattr" => Ret fs::removexattr,
    "fs::lremovexattr" => Ret fs::lremovexattr,
    "fs::fremovexattr" => Ret fs::fremovexattr,
    // fd
    "fd::eventfd2" => Ret fd::eventfd2,
    "fd::epoll_create1" => Ret fd::epoll_create1,
    "fd::epoll_ctl" => Ret fd::epoll_ctl,
    "fd::epoll_pwait" => Ret fd::epoll_pwait,
    "fd::epoll_pwait2" => Ret fd::epoll_pwait2,
    "fd::dup" => Ret fd::dup,
    "fd::dup3" => Ret fd::dup3,
    "fd::fcntl" => Ret fd::fcntl,
    "fd::inotify_init1" => Ret fd::inotify_init1,
    "fd::inotify_add_watch" => Ret fd::inotify_add_watch,
    "fd::inotify_rm_watch" => Ret fd::inotify_rm_watch,
    "fd::pipe2" => Ret fd::pipe2,
    "fd::pselect6" => Ret fd::pselect6,
    "fd::ppoll" => Ret fd::ppoll,
    "fd::signalfd4" => Ret fd::signalfd4,
    "fd::timerfd_create" => Ret fd::timerfd_create,
    "fd::timerfd_settime" => Ret fd::timerfd_settime,
    "fd::timerfd_gettime" => Ret fd::timerfd_gettime,
    "fd::close_range" => Ret fd::close_range,
    "ioctl::ioctl" => Ret ioctl::ioctl,
    // mm
    "mm::brk" => Ret mm::brk,
    "mm::munmap" => Ret mm::munmap,
    "mm::mremap" => Ret mm::mremap,
    "mm::mmap" => Ret mm::mmap,
    "mm::mprotect" => Ret mm::mprotect,
    "mm::msync" => Ret mm::msync,
    "mm::mlock" => Ret mm::mlock,
    "mm::munlock" => Ret mm::munlock,
    "mm::mlockall" => Ret mm::mlockall,
    "mm::munlockall" => Ret mm::munlockall,
    "mm::mincore" => Ret mm::mincore,
    "mm::madvise" => Ret mm::madvise,
    "mm::mlock2" => Ret mm::mlock2,
    // time
    "time::nanosleep" => Ret time::nanosleep,
    "time::getitimer" => Ret time::getitimer,
    "time::setitimer" => Ret time::setitimer,
    "time::clock_gettime" => Ret time::clock_gettime,
    "time::clock_getres" => Ret time::clock_getres,
    "time::clock_nanosleep" => Ret time::clock_nanosleep,
    "time::clock_settime" => Ret time::clock_settime,
    "time::gettimeofday" => Ret time::gettimeofday,
    "time::settimeofday" => Ret time::settimeofday,
    "time::times" => Ret time::times,
    // ident
    "ident::getpid" => Ret ident::getpid,
    "ident::getppid" => Ret ident::getppid,
    "ident::gettid" => Ret ident::gettid,
    "ident::getuid" => Ret ident::getuid,
    "ident::geteuid" => Ret ident::geteuid,
    "ident::getgid" => Ret ident::getgid,
    "ident::getegid" => Ret ident::getegid,
    "ident::getresuid" => Ret ident::getresuid,
    "ident::getresgid" => Ret ident::getresgid,
    "ident::setuid" => Ret ident::setuid,
    "ident::setgid" => Ret ident::setgid,
    "ident::setreuid" => Ret ident::setreuid,
    "ident::setregid" => Ret ident::setregid,
    "ident::setresuid" => Ret ident::setresuid,
    "ident::setresgid" => Ret ident::setresgid,
    "ident::setfsuid" => Ret ident::setfsuid,
    "ident::setfsgid" => Ret ident::setfsgid,
    "ident::getgroups" => Ret ident::getgroups,
    "ident::setgroups" => Ret ident::setgroups,
    "ident::setpgid" => Ret ident::setpgid,
    "ident::getpgid" => Ret ident::getpgid,
    "ident::getsid" => Ret ident::getsid,
    "ident::setsid" => Ret ident::setsid,
    "ident::getpriority" => Ret ident::getpriority,
    "ident::setpriority" => Ret ident::setpriority,
    "ident::prlimit64" => Ret ident::prlimit64,
    "ident::getrlimit" => Ret ident::getrlimit,
    "ident::setrlimit" => Ret ident::setrlimit,
    "ident::getrusage" => Ret ident::getrusage,
    "ident::uname" => Ret ident::uname,
    "ident::sethostname" => Ret ident::sethostname,
    "ident::setdomainname" => Ret ident::setdomainname,
    "ident::sysinfo" => Ret ident::sysinfo,
    "ident::capget" => Ret ident::capget,
    "ident::capset" => Ret ident::capset,
    // misc
    "misc::getrandom" => Ret misc::getrandom,
    "misc::prctl" => Ret misc::prctl,
    "misc::personality" => Ret misc::personality,
    "misc::sched_getaffinity" => Ret misc::sched_getaffinity,
    "misc::sched_setaffinity" => Ret misc::sched_setaffinity,
    "misc::sched_yield" => Ret misc::sched_yield,
    "misc::sched_getparam" => Ret misc::sched_getparam,
    "misc::sched_setparam" => Ret misc::sched_setparam,
    "misc::sched_getscheduler" => Ret misc::sched_getscheduler,
    "misc::sched_setscheduler" => Ret misc::sched_setscheduler,
    "misc::sched_get_priority_max" => Ret misc::sched_get_priority_max,
    "misc::sched_get_priority_min" => Ret misc::sched_get_priority_min,
    "misc::sched_rr_get_interval" => Ret misc::sched_rr_get_interval,
    "misc::getcpu" => Ret misc::getcpu,
    "misc::rseq" => Ret misc::rseq,
    "misc::membarrier" => Ret misc::membarrier,
    "misc::riscv_flush_icache" => Ret misc::riscv_flush_icache,
    "sync::futex" => Ret sync::futex,
    "ident::ioprio_set" => Ret ident::ioprio_set,
    "ident::ioprio_get" => Ret ident::ioprio_get,
    "fs::vmsplice" => Ret fs::vmsplice,
    "time::timer_create" => Ret time::timer_create,
    "time::timer_gettime" => Ret time::timer_gettime,
    "time::timer_getoverrun" => Ret time::timer_getoverrun,
    "time::timer_settime" => Ret time::timer_settime,
    "time::timer_delete" => Ret time::timer_delete,
    "misc::syslog" => Ret misc::syslog,
    "signal::rt_sigqueueinfo" => Ret signal::rt_sigqueueinfo,
    "signal::rt_tgsigqueueinfo" => Ret signal::rt_tgsigqueueinfo,
    "misc::sched_setattr" => Ret misc::sched_setattr,
    "misc::sched_getattr" => Ret misc::sched_getattr,
    "process::pidfd_send_signal" => Ret process::pidfd_send_signal,
    "process::pidfd_open" => Ret process::pidfd_open,
    "fs::openat2" => Ret fs::openat2,
    "process::pidfd_getfd" => Ret process::pidfd_getfd,
    // process
    "process::exit" => Out process::exit,
    "process::exit_group" => Out process::exit_group,
    "process::waitid" => Ret process::waitid,
    "process::set_tid_address" => Ret process::set_tid_address,
    "process::set_robust_list" => Ret process::set_robust_list,
    "process::wait4" => Ret process::wait4,
    "process::kill" => Ret process::kill,
    "process::tkill" => Ret process::tkill,
    "process::tgkill" => Ret process::tgkill,
    "process::clone" => Out process::clone,
    "process::clone3" => Out process::clone3,
    "process::execve" => Out process::execve,
    "process::execveat" => Out process::execveat,
    // signal
    "signal::sigaltstack" => Ret signal::sigaltstack,
    "signal::rt_sigsuspend" => Ret signal::rt_sigsuspend,
    "signal::rt_sigaction" => Ret signal::rt_sigaction,
    "signal::rt_sigprocmask" => Ret signal::rt_sigprocmask,
    "signal::rt_sigpending" => Ret signal::rt_sigpending,
    "signal::rt_sigtimedwait" => Ret signal::rt_sigtimedwait,
    "signal::rt_sigreturn" => Out signal::rt_sigreturn,
    // net
    "net::socket" => Ret net::socket,
    "net::socketpair" => Ret net::socketpair,
    "net::bind" => Ret net::bind,
    "net::listen" => Ret net::listen,
    "net::accept" => Ret net::accept,
    "net::accept4" => Ret net::accept4,
    "net::connect" => Ret net::connect,
    "net::getsockname" => Ret net::getsockname,
    "net::getpeername" => Ret net::getpeername,
    "net::sendto" => Ret net::sendto,
    "net::recvfrom" => Ret net::recvfrom,
    "net::setsockopt" => Ret net::setsockopt,
    "net::getsockopt" => Ret net::getsockopt,
    "net::shutdown" => Ret net::shutdown,
    "net::sendmsg" => Ret net::sendmsg,
    "net::recvmsg" => Ret net::recvmsg,
    "net::sendmmsg" => Ret net::sendmmsg,
    "net::recvmmsg" => Ret net::recvmmsg,
};

fn lookup_handler(name: &str) -> Option<Handler> {
    REGISTRY.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}

/// Parses table text into `entries`. Panics on malformed lines: the tables are
/// compiled in, so a bad line is a build-time bug caught by the unit tests.
pub(crate) fn parse_into(
    text: &'static str,
    entries: &mut HashMap<u64, Entry>,
) -> Result<(), String> {
    for (lineno, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let cols: Vec<&'static str> = line.split_whitespace().collect();
        let bad = |what: &str| format!("line {}: {what}: {line}", lineno + 1);
        if cols.len() < 4 || cols.len() > 5 {
            return Err(bad("expected 4 or 5 columns"));
        }
        let nr: u64 = cols[0].parse().map_err(|_| bad("bad number"))?;
        let (handler_name, handler) = match cols[2] {
            "-" => (None, None),
            h => (
                Some(h),
                Some(lookup_handler(h).ok_or_else(|| bad("unknown handler"))?),
            ),
        };
        let args = match cols[3] {
            "*" => None,
            "-" => Some(Vec::new()),
            a => Some(
                a.split(',')
                    .map(|f| ArgFmt::parse(f).ok_or_else(|| bad("bad arg format")))
                    .collect::<Result<_, _>>()?,
            ),
        };
        let ret = match cols.get(4) {
            None | Some(&"int") => RetFmt::Int,
            Some(&"hex") => RetFmt::Hex,
            Some(_) => return Err(bad("bad ret format")),
        };
        let entry = Entry {
            name: cols[1],
            handler_name,
            handler,
            args,
            ret,
        };
        if entries.insert(nr, entry).is_some() {
            return Err(bad("duplicate number"));
        }
    }
    Ok(())
}

fn build(overlay: Option<&'static str>) -> Table {
    let mut entries = HashMap::new();
    parse_into(GENERIC_TBL, &mut entries).expect("generic.tbl");
    if let Some(text) = overlay {
        parse_into(text, &mut entries).expect("arch overlay table");
    }
    Table { entries }
}

/// The generic table plus the riscv64 overlay.
pub(crate) fn riscv64_table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| build(Some(RISCV64_TBL)))
}

/// The generic table alone (aarch64 has no arch-specific numbers).
pub(crate) fn generic_table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| build(None))
}

fn table_for(guest: &dyn Guest) -> &'static Table {
    if guest.machine() == "riscv64" {
        riscv64_table()
    } else {
        generic_table()
    }
}

/// The name of a generic-ABI syscall number (riscv64 arch-specific ones included).
pub fn syscall_name(nr: u64) -> Option<&'static str> {
    riscv64_table().entries.get(&nr).map(|e| e.name)
}

/// Encodes a handler result for the guest's return register.
pub(crate) fn encode(r: SysResult) -> u64 {
    match r {
        Ok(v) => v,
        Err(e) => (-(e as i64)) as u64,
    }
}

/// Runs syscall `nr` for the guest: the core calls this after a guest `ecall`/`svc`.
pub fn dispatch(guest: &dyn Guest, nr: u64, args: [u64; 6]) -> Outcome {
    let entry = table_for(guest).entries.get(&nr);
    let handler = entry.and_then(|e| e.handler);
    let Some(handler) = handler else {
        if guest.log_unimp() {
            guest.log(&format!(
                "Unsupported syscall: {nr} ({})",
                entry.map_or("unknown", |e| e.name)
            ));
        }
        if guest.strace() {
            let line = strace::call_line(guest, nr, entry, &args);
            guest.log(&format!("{line} = {}", strace::format_errno(libc::ENOSYS)));
        }
        return Outcome::Return(encode(Err(libc::ENOSYS as Errno)));
    };
    let entry = entry.expect("handler implies entry");
    if !guest.strace() {
        return run(handler, guest, args);
    }
    let pending = strace::Pending::before(guest, entry, &args);
    let out = run(handler, guest, args);
    // exit/execve hand over to the core, which may never come back: their line
    // ends in `= ?` (as strace prints it) and is logged before the core acts.
    let ret = match out {
        Outcome::Return(v) => Some(v),
        _ => None,
    };
    let line = pending.finish(guest, ret);
    guest.log(&if ret.is_some() {
        line
    } else {
        format!("{line} = ?")
    });
    out
}

fn run(handler: Handler, guest: &dyn Guest, args: [u64; 6]) -> Outcome {
    match handler {
        Handler::Ret(f) => Outcome::Return(encode(f(guest, args))),
        Handler::Out(f) => f(guest, args),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_table_handler_resolves_and_numbers_are_unique() {
        // parse_into errors on unknown handlers and duplicate numbers.
        let mut e = HashMap::new();
        parse_into(GENERIC_TBL, &mut e).unwrap();
        let mut r = HashMap::new();
        parse_into(RISCV64_TBL, &mut r).unwrap();
        for k in r.keys() {
            assert!(
                !e.contains_key(k),
                "riscv64.tbl overrides generic number {k}"
            );
        }
        assert!(e.len() > 300);
    }

    #[test]
    fn every_registered_handler_is_used_once() {
        let t = riscv64_table();
        let used: HashSet<&str> = t.entries.values().filter_map(|e| e.handler_name).collect();
        let mut seen = HashSet::new();
        for (name, _) in REGISTRY {
            assert!(seen.insert(*name), "{name} registered twice");
            assert!(
                used.contains(name),
                "{name} registered but no table line uses it"
            );
        }
    }

    #[test]
    fn names_match_the_kernel_numbers() {
        assert_eq!(syscall_name(56), Some("openat"));
        assert_eq!(syscall_name(63), Some("read"));
        assert_eq!(syscall_name(64), Some("write"));
        assert_eq!(syscall_name(79), Some("newfstatat"));
        assert_eq!(syscall_name(93), Some("exit"));
        assert_eq!(syscall_name(94), Some("exit_group"));
        assert_eq!(syscall_name(214), Some("brk"));
        assert_eq!(syscall_name(220), Some("clone"));
        assert_eq!(syscall_name(222), Some("mmap"));
        assert_eq!(syscall_name(259), Some("riscv_flush_icache"));
        assert_eq!(syscall_name(261), Some("prlimit64"));
        assert_eq!(syscall_name(291), Some("statx"));
        assert_eq!(syscall_name(435), Some("clone3"));
        assert_eq!(syscall_name(462), Some("mseal"));
        assert_eq!(syscall_name(9999), None);
    }
}
