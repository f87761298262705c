//! Constants of the guest ABIs and their translation to and from the x86-64 host.
//!
//! Checked against the kernel headers (facts only):
//! - open flags: riscv64 and x86-64 both use asm-generic/fcntl.h unchanged;
//!   aarch64 (arch/arm64/include/uapi/asm/fcntl.h) moves O_DIRECTORY,
//!   O_NOFOLLOW, O_DIRECT and O_LARGEFILE: translated here.
//! - fcntl commands, struct flock, SOL_SOCKET/SO_*, TCGETS & co, MAP_*/PROT_*,
//!   errno numbers, signal numbers 1..31, poll/epoll events, SOCK_* flags: the
//!   x86-64 headers use the asm-generic values. No translation; the tests below
//!   pin each set against the host's values so a mistake shows.
//! - sigaction: x86-64 and aarch64 have SA_RESTORER (0x04000000), riscv64 has not.

/// The kernel's O_LARGEFILE (x86-64 glibc defines it as 0 for userspace, but
/// the kernel reports it in F_GETFL and accepts it in open).
pub const O_LARGEFILE: i32 = 0o100000;

/// The four open flags aarch64 places differently: (generic/x86-64, aarch64).
const ARM64_OFLAGS: [(i32, i32); 4] = [
    (0o40000, 0o200000),  // O_DIRECT
    (0o100000, 0o400000), // O_LARGEFILE
    (0o200000, 0o40000),  // O_DIRECTORY
    (0o400000, 0o100000), // O_NOFOLLOW
];

fn swap_bits(flags: i32, from_to: impl Iterator<Item = (i32, i32)>) -> i32 {
    let pairs: Vec<(i32, i32)> = from_to.collect();
    let moved: i32 = pairs.iter().fold(0, |m, (from, _)| m | from);
    let mut out = flags & !moved;
    for (from, to) in pairs {
        if flags & from != 0 {
            out |= to;
        }
    }
    out
}

/// Guest open flags (`openat`, `fcntl(F_SETFL)`, `dup3`, `pipe2`…) → host.
pub fn oflags_to_host(machine: &str, flags: i32) -> i32 {
    if machine == "aarch64" {
        swap_bits(flags, ARM64_OFLAGS.iter().map(|&(g, a)| (a, g)))
    } else {
        flags
    }
}

/// Host open flags (`fcntl(F_GETFL)`) → guest.
pub fn oflags_from_host(machine: &str, flags: i32) -> i32 {
    if machine == "aarch64" {
        swap_bits(flags, ARM64_OFLAGS.iter().copied())
    } else {
        flags
    }
}

const OFLAG_NAMES: &[(u64, &str)] = &[
    (libc::O_CREAT as u64, "O_CREAT"),
    (libc::O_EXCL as u64, "O_EXCL"),
    (libc::O_NOCTTY as u64, "O_NOCTTY"),
    (libc::O_TRUNC as u64, "O_TRUNC"),
    (libc::O_APPEND as u64, "O_APPEND"),
    (libc::O_NONBLOCK as u64, "O_NONBLOCK"),
    (libc::O_SYNC as u64, "O_SYNC"),
    (libc::O_DSYNC as u64, "O_DSYNC"),
    (libc::O_DIRECT as u64, "O_DIRECT"),
    (O_LARGEFILE as u64, "O_LARGEFILE"),
    (libc::O_DIRECTORY as u64, "O_DIRECTORY"),
    (libc::O_NOFOLLOW as u64, "O_NOFOLLOW"),
    (libc::O_NOATIME as u64, "O_NOATIME"),
    (libc::O_CLOEXEC as u64, "O_CLOEXEC"),
    (libc::O_PATH as u64, "O_PATH"),
    (0o20000000, "O_TMPFILE"),
];

/// `O_RDONLY|O_CLOEXEC` for host-valued open flags.
pub fn oflags_names(flags: i32) -> String {
    let acc = match flags & libc::O_ACCMODE {
        0 => "O_RDONLY",
        1 => "O_WRONLY",
        2 => "O_RDWR",
        _ => "O_ACCMODE",
    };
    let rest = crate::strace::flag_names((flags & !libc::O_ACCMODE) as u32 as u64, OFLAG_NAMES, "");
    if rest.is_empty() {
        acc.to_string()
    } else {
        format!("{acc}|{rest}")
    }
}

/// Signals the guest may not re-point on the host: the core needs them
/// (faults become guest signals) or the kernel forbids it.
pub fn host_reserved_signal(sig: i32) -> bool {
    matches!(
        sig,
        libc::SIGSEGV
            | libc::SIGBUS
            | libc::SIGILL
            | libc::SIGFPE
            | libc::SIGTRAP
            | libc::SIGKILL
            | libc::SIGSTOP
    )
}

/// SA_RESTORER: present in the x86-64 and aarch64 ABIs, absent in riscv64's.
pub const SA_RESTORER: u64 = 0x0400_0000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn riscv64_open_flags_are_the_hosts() {
        // asm-generic/fcntl.h values; x86-64 defines none of its own.
        assert_eq!(libc::O_DIRECT, 0o40000);
        assert_eq!(
            libc::O_LARGEFILE,
            0,
            "glibc's x86-64 userspace value; the kernel's is O_LARGEFILE"
        );
        assert_eq!(libc::O_DIRECTORY, 0o200000);
        assert_eq!(libc::O_NOFOLLOW, 0o400000);
        assert_eq!(libc::O_CLOEXEC, 0o2000000);
        assert_eq!(libc::O_NONBLOCK, 0o4000);
        assert_eq!(libc::O_PATH, 0o10000000);
        let all = 0o17777777;
        assert_eq!(oflags_to_host("riscv64", all), all);
        assert_eq!(oflags_from_host("riscv64", 0o200000), 0o200000);
    }

    #[test]
    fn aarch64_open_flags_are_translated_both_ways() {
        // aarch64 O_DIRECTORY is 040000 → host 0200000.
        assert_eq!(oflags_to_host("aarch64", 0o40000), libc::O_DIRECTORY);
        assert_eq!(oflags_to_host("aarch64", 0o100000), libc::O_NOFOLLOW);
        assert_eq!(oflags_to_host("aarch64", 0o200000), libc::O_DIRECT);
        assert_eq!(oflags_to_host("aarch64", 0o400000), O_LARGEFILE);
        let g = 0o40000 | libc::O_CLOEXEC | libc::O_RDWR;
        assert_eq!(
            oflags_to_host("aarch64", g),
            libc::O_DIRECTORY | libc::O_CLOEXEC | libc::O_RDWR
        );
        for f in [
            0,
            0o40000,
            0o100000,
            0o200000,
            0o400000,
            0o740000 | 0o2000002,
        ] {
            assert_eq!(oflags_from_host("aarch64", oflags_to_host("aarch64", f)), f);
        }
    }

    #[test]
    fn open_flags_are_named() {
        assert_eq!(
            oflags_names(libc::O_RDONLY | libc::O_CLOEXEC),
            "O_RDONLY|O_CLOEXEC"
        );
        assert_eq!(
            oflags_names(libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC),
            "O_WRONLY|O_CREAT|O_TRUNC"
        );
    }

    #[test]
    fn fcntl_commands_are_the_generic_values() {
        // asm-generic/fcntl.h (64-bit: no F_*LK64 remapping).
        assert_eq!(
            (
                libc::F_DUPFD,
                libc::F_GETFD,
                libc::F_SETFD,
                libc::F_GETFL,
                libc::F_SETFL
            ),
            (0, 1, 2, 3, 4)
        );
        assert_eq!((libc::F_GETLK, libc::F_SETLK, libc::F_SETLKW), (5, 6, 7));
        assert_eq!((libc::F_SETOWN, libc::F_GETOWN), (8, 9));
        assert_eq!(
            (libc::F_OFD_GETLK, libc::F_OFD_SETLK, libc::F_OFD_SETLKW),
            (36, 37, 38)
        );
        assert_eq!(libc::F_DUPFD_CLOEXEC, 1030);
        assert_eq!((libc::F_RDLCK, libc::F_WRLCK, libc::F_UNLCK), (0, 1, 2));
    }

    #[test]
    fn socket_options_are_the_generic_values() {
        // asm-generic/socket.h, used unchanged by x86-64, riscv64 and aarch64.
        assert_eq!(libc::SOL_SOCKET, 1);
        assert_eq!(
            (
                libc::SO_DEBUG,
                libc::SO_REUSEADDR,
                libc::SO_TYPE,
                libc::SO_ERROR
            ),
            (1, 2, 3, 4)
        );
        assert_eq!(
            (libc::SO_SNDBUF, libc::SO_RCVBUF, libc::SO_KEEPALIVE),
            (7, 8, 9)
        );
        assert_eq!(
            (libc::SO_PASSCRED, libc::SO_PEERCRED, libc::SO_RCVLOWAT),
            (16, 17, 18)
        );
        assert_eq!((libc::SO_RCVTIMEO, libc::SO_SNDTIMEO), (20, 21));
        assert_eq!(libc::SO_REUSEPORT, 15);
        assert_eq!(libc::SCM_RIGHTS, 1);
        assert_eq!(libc::SCM_CREDENTIALS, 2);
        assert_eq!((libc::SOCK_STREAM, libc::SOCK_DGRAM), (1, 2));
        assert_eq!(
            (libc::SOCK_NONBLOCK, libc::SOCK_CLOEXEC),
            (0o4000, 0o2000000)
        );
    }

    #[test]
    fn tty_ioctls_are_the_generic_values() {
        // asm-generic/ioctls.h, used unchanged by x86-64.
        assert_eq!(libc::TCGETS, 0x5401);
        assert_eq!(
            (libc::TCSETS, libc::TCSETSW, libc::TCSETSF),
            (0x5402, 0x5403, 0x5404)
        );
        assert_eq!(
            (libc::TIOCSCTTY, libc::TIOCGPGRP, libc::TIOCSPGRP),
            (0x540E, 0x540F, 0x5410)
        );
        assert_eq!((libc::TIOCGWINSZ, libc::TIOCSWINSZ), (0x5413, 0x5414));
        assert_eq!(
            (libc::FIONREAD, libc::FIONBIO, libc::TIOCNOTTY),
            (0x541B, 0x5421, 0x5422)
        );
        assert_eq!((libc::FIONCLEX, libc::FIOCLEX), (0x5450, 0x5451));
        assert_eq!(libc::TIOCGPTN, 0x80045430);
        assert_eq!(libc::TIOCSPTLCK, 0x40045431);
    }

    #[test]
    fn mmap_constants_are_the_generic_values() {
        assert_eq!(
            (libc::PROT_READ, libc::PROT_WRITE, libc::PROT_EXEC),
            (1, 2, 4)
        );
        assert_eq!(
            (
                libc::MAP_SHARED,
                libc::MAP_PRIVATE,
                libc::MAP_FIXED,
                libc::MAP_ANONYMOUS
            ),
            (1, 2, 0x10, 0x20)
        );
        assert_eq!(
            (libc::MAP_NORESERVE, libc::MAP_POPULATE, libc::MAP_STACK),
            (0x4000, 0x8000, 0x20000)
        );
        assert_eq!(libc::MAP_FIXED_NOREPLACE, 0x100000);
    }

    #[test]
    fn signal_numbers_are_the_generic_values() {
        // asm-generic/signal.h and x86-64's asm/signal.h agree on 1..31.
        let host = [
            libc::SIGHUP,
            libc::SIGINT,
            libc::SIGQUIT,
            libc::SIGILL,
            libc::SIGTRAP,
            libc::SIGABRT,
            libc::SIGBUS,
            libc::SIGFPE,
            libc::SIGKILL,
            libc::SIGUSR1,
            libc::SIGSEGV,
            libc::SIGUSR2,
            libc::SIGPIPE,
            libc::SIGALRM,
            libc::SIGTERM,
            libc::SIGSTKFLT,
            libc::SIGCHLD,
            libc::SIGCONT,
            libc::SIGSTOP,
            libc::SIGTSTP,
            libc::SIGTTIN,
            libc::SIGTTOU,
            libc::SIGURG,
            libc::SIGXCPU,
            libc::SIGXFSZ,
            libc::SIGVTALRM,
            libc::SIGPROF,
            libc::SIGWINCH,
            libc::SIGIO,
            libc::SIGPWR,
            libc::SIGSYS,
        ];
        for (i, s) in host.iter().enumerate() {
            assert_eq!(*s, i as i32 + 1);
        }
        // x86-64 asm/signal.h: #define SA_RESTORER 0x04000000 (libc does not export it).
        assert_eq!(SA_RESTORER, 0x0400_0000);
        assert_eq!(
            (libc::SA_SIGINFO, libc::SA_ONSTACK, libc::SA_RESTART),
            (4, 0x0800_0000, 0x1000_0000)
        );
    }

    #[test]
    fn epoll_and_poll_events_are_the_generic_values() {
        assert_eq!(
            (
                libc::EPOLLIN,
                libc::EPOLLOUT,
                libc::EPOLLERR,
                libc::EPOLLHUP
            ),
            (1, 4, 8, 0x10)
        );
        assert_eq!(libc::EPOLLET, 1 << 31);
        assert_eq!((libc::POLLIN, libc::POLLPRI, libc::POLLOUT), (1, 2, 4));
        assert_eq!(
            (
                libc::EPOLL_CTL_ADD,
                libc::EPOLL_CTL_DEL,
                libc::EPOLL_CTL_MOD
            ),
            (1, 2, 3)
        );
    }
}
