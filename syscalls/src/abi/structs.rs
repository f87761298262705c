//! Guest struct layouts for the asm-generic 64-bit ABI (riscv64, aarch64), each
//! with a size assertion, and conversions from the x86-64 host's structs where
//! the layouts differ. Where they agree, an assertion pins that fact so the
//! handlers may pass the bytes through.
//!
//! Sources (facts only): include/uapi/asm-generic/{stat,statfs,signal,termbits,
//! poll,socket}.h, include/uapi/linux/{eventpoll,time_types,utsname,sysinfo,
//! resource,uio,socket,dirent}.h and the x86-64 counterparts.

use super::Pod;
use std::mem::{offset_of, size_of};

macro_rules! pod {
    ($($t:ty),* $(,)?) => { $(unsafe impl Pod for $t {})* };
}

/// `struct stat` of asm-generic/stat.h: 128 bytes. x86-64's is 144 bytes with
/// `st_nlink` widened to 64 bits and placed before `st_mode`: always convert.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    pub st_dev: u64,
    pub st_ino: u64,
    pub st_mode: u32,
    pub st_nlink: u32,
    pub st_uid: u32,
    pub st_gid: u32,
    pub st_rdev: u64,
    pub pad1: u64,
    pub st_size: i64,
    pub st_blksize: i32,
    pub pad2: i32,
    pub st_blocks: i64,
    pub st_atime: i64,
    pub st_atime_nsec: u64,
    pub st_mtime: i64,
    pub st_mtime_nsec: u64,
    pub st_ctime: i64,
    pub st_ctime_nsec: u64,
    pub unused4: u32,
    pub unused5: u32,
}
const _: () = assert!(size_of::<Stat>() == 128);
const _: () = assert!(offset_of!(Stat, st_size) == 48);
const _: () = assert!(offset_of!(Stat, st_atime) == 72);
const _: () = assert!(size_of::<libc::stat>() == 144);

impl Stat {
    pub fn from_host(h: &libc::stat) -> Stat {
        Stat {
            st_dev: h.st_dev,
            st_ino: h.st_ino,
            st_mode: h.st_mode,
            st_nlink: h.st_nlink as u32,
            st_uid: h.st_uid,
            st_gid: h.st_gid,
            st_rdev: h.st_rdev,
            pad1: 0,
            st_size: h.st_size,
            st_blksize: h.st_blksize as i32,
            pad2: 0,
            st_blocks: h.st_blocks,
            st_atime: h.st_atime,
            st_atime_nsec: h.st_atime_nsec as u64,
            st_mtime: h.st_mtime,
            st_mtime_nsec: h.st_mtime_nsec as u64,
            st_ctime: h.st_ctime,
            st_ctime_nsec: h.st_ctime_nsec as u64,
            unused4: 0,
            unused5: 0,
        }
    }
}

/// `struct statfs` with 64-bit `__statfs_word`: 120 bytes, the same layout as
/// x86-64's (offsets pinned against libc below), so guest buffers pass through.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Statfs {
    pub f_type: i64,
    pub f_bsize: i64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    pub f_bavail: u64,
    pub f_files: u64,
    pub f_ffree: u64,
    pub f_fsid: [i32; 2],
    pub f_namelen: i64,
    pub f_frsize: i64,
    pub f_flags: i64,
    pub f_spare: [i64; 4],
}
const _: () = assert!(size_of::<Statfs>() == 120);
const _: () = assert!(size_of::<libc::statfs>() == 120);
const _: () = assert!(offset_of!(Statfs, f_fsid) == offset_of!(libc::statfs, f_fsid));
const _: () = assert!(offset_of!(Statfs, f_frsize) == offset_of!(libc::statfs, f_frsize));

/// `struct statx` is arch-independent (256 bytes): passed through.
pub const STATX_SIZE: usize = 256;
const _: () = assert!(size_of::<libc::statx>() == STATX_SIZE);

/// `struct epoll_event` of the generic ABI: naturally aligned, 16 bytes. The
/// x86-64 kernel packs it to 12 bytes (`__EPOLL_PACKED`): always convert.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EpollEvent {
    pub events: u32,
    pub pad: u32,
    pub data: u64,
}
const _: () = assert!(size_of::<EpollEvent>() == 16);
const _: () = assert!(size_of::<libc::epoll_event>() == 12);

impl EpollEvent {
    pub fn to_host(&self) -> libc::epoll_event {
        libc::epoll_event {
            events: self.events,
            u64: self.data,
        }
    }
    pub fn from_host(h: &libc::epoll_event) -> EpollEvent {
        // Copy out of the packed struct before use.
        let (events, data) = (h.events, h.u64);
        EpollEvent {
            events,
            pad: 0,
            data,
        }
    }
}

/// Kernel `struct sigaction` for riscv64: asm-generic/signal.h without
/// `sa_restorer` (riscv does not define SA_RESTORER). 24 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigactionNoRestorer {
    pub handler: u64,
    pub flags: u64,
    pub mask: u64,
}
const _: () = assert!(size_of::<SigactionNoRestorer>() == 24);

/// Kernel `struct sigaction` for aarch64 (defines SA_RESTORER): 32 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigactionRestorer {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}
const _: () = assert!(size_of::<SigactionRestorer>() == 32);

/// The guest's view of one signal's disposition, arch-independent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestSigaction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// `stack_t`: 24 bytes on every 64-bit ABI.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StackT {
    pub ss_sp: u64,
    pub ss_flags: i32,
    pub pad: i32,
    pub ss_size: u64,
}
const _: () = assert!(size_of::<StackT>() == 24);
const _: () = assert!(size_of::<libc::stack_t>() == 24);

/// `struct __kernel_timespec` / 64-bit `timespec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timespec {
    pub tv_sec: i64,
    pub tv_nsec: i64,
}
const _: () = assert!(size_of::<Timespec>() == 16 && size_of::<libc::timespec>() == 16);

/// 64-bit `timeval`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeval {
    pub tv_sec: i64,
    pub tv_usec: i64,
}
const _: () = assert!(size_of::<Timeval>() == 16 && size_of::<libc::timeval>() == 16);

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Itimerspec {
    pub it_interval: Timespec,
    pub it_value: Timespec,
}
const _: () = assert!(size_of::<Itimerspec>() == 32 && size_of::<libc::itimerspec>() == 32);

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Itimerval {
    pub it_interval: Timeval,
    pub it_value: Timeval,
}
const _: () = assert!(size_of::<Itimerval>() == 32 && size_of::<libc::itimerval>() == 32);

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rlimit {
    pub rlim_cur: u64,
    pub rlim_max: u64,
}
const _: () = assert!(size_of::<Rlimit>() == 16 && size_of::<libc::rlimit>() == 16);

/// `struct rusage`: two timevals and fourteen longs, 144 bytes on both sides.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Rusage {
    pub ru_utime: Timeval,
    pub ru_stime: Timeval,
    pub rest: [i64; 14],
}
const _: () = assert!(size_of::<Rusage>() == 144 && size_of::<libc::rusage>() == 144);

/// `struct sysinfo` with 64-bit longs: 112 bytes on both sides.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Sysinfo {
    pub uptime: i64,
    pub loads: [u64; 3],
    pub totalram: u64,
    pub freeram: u64,
    pub sharedram: u64,
    pub bufferram: u64,
    pub totalswap: u64,
    pub freeswap: u64,
    pub procs: u16,
    pub pad: u16,
    pub pad2: u32,
    pub totalhigh: u64,
    pub freehigh: u64,
    pub mem_unit: u32,
    pub pad3: u32,
}
const _: () = assert!(size_of::<Sysinfo>() == 112 && size_of::<libc::sysinfo>() == 112);

/// `struct new_utsname`: six 65-byte fields.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Utsname {
    pub sysname: [u8; 65],
    pub nodename: [u8; 65],
    pub release: [u8; 65],
    pub version: [u8; 65],
    pub machine: [u8; 65],
    pub domainname: [u8; 65],
}
const _: () = assert!(size_of::<Utsname>() == 390 && size_of::<libc::utsname>() == 390);

/// Kernel `struct termios` (TCGETS/TCSETS*), asm-generic/termbits.h: 36 bytes.
/// x86-64 uses the same asm-generic definition, so it is passed through.
/// (glibc's `struct termios` is a different, larger struct; never use it here.)
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct KTermios {
    pub c_iflag: u32,
    pub c_oflag: u32,
    pub c_cflag: u32,
    pub c_lflag: u32,
    pub c_line: u8,
    pub c_cc: [u8; 19],
}
const _: () = assert!(size_of::<KTermios>() == 36);
// The host's kernel termios is the head of its termios2 (libc exposes only the latter).
const _: () = assert!(size_of::<libc::termios2>() == 44);
const _: () = assert!(offset_of!(libc::termios2, c_line) == offset_of!(KTermios, c_line));
const _: () = assert!(offset_of!(libc::termios2, c_cc) == offset_of!(KTermios, c_cc));
const _: () = assert!(offset_of!(libc::termios2, c_ispeed) == size_of::<KTermios>());

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Winsize {
    pub ws_row: u16,
    pub ws_col: u16,
    pub ws_xpixel: u16,
    pub ws_ypixel: u16,
}
const _: () = assert!(size_of::<Winsize>() == 8 && size_of::<libc::winsize>() == 8);

/// `struct iovec` with a guest base address.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Iovec {
    pub base: u64,
    pub len: u64,
}
const _: () = assert!(size_of::<Iovec>() == 16 && size_of::<libc::iovec>() == 16);

/// `struct user_msghdr` (64-bit): 56 bytes; pointers are guest addresses.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Msghdr {
    pub name: u64,
    pub namelen: u32,
    pub pad1: u32,
    pub iov: u64,
    pub iovlen: u64,
    pub control: u64,
    pub controllen: u64,
    pub flags: u32,
    pub pad2: u32,
}
const _: () = assert!(size_of::<Msghdr>() == 56 && size_of::<libc::msghdr>() == 56);

/// `struct mmsghdr`: msghdr + `msg_len`, 64 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Mmsghdr {
    pub hdr: Msghdr,
    pub len: u32,
    pub pad: u32,
}
const _: () = assert!(size_of::<Mmsghdr>() == 64 && size_of::<libc::mmsghdr>() == 64);

/// `struct cmsghdr` (64-bit): 16 bytes, data 8-aligned on both sides; control
/// buffers are therefore passed through unchanged (SCM_RIGHTS fds are 1:1).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Cmsghdr {
    pub len: u64,
    pub level: i32,
    pub kind: i32,
}
const _: () = assert!(size_of::<Cmsghdr>() == 16 && size_of::<libc::cmsghdr>() == 16);

/// `struct linux_dirent64` header (the name follows): identical everywhere.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Dirent64Head {
    pub d_ino: u64,
    pub d_off: i64,
    pub d_reclen: u16,
    pub d_type: u8,
}
pub const DIRENT64_NAME_OFFSET: usize = 19;
const _: () = assert!(offset_of!(Dirent64Head, d_type) + 1 == DIRENT64_NAME_OFFSET);
const _: () = assert!(offset_of!(libc::dirent64, d_name) == DIRENT64_NAME_OFFSET);

#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Pollfd {
    pub fd: i32,
    pub events: i16,
    pub revents: i16,
}
const _: () = assert!(size_of::<Pollfd>() == 8 && size_of::<libc::pollfd>() == 8);

/// `struct flock` (64-bit, F_GETLK/F_SETLK/F_SETLKW): 32 bytes on both sides,
/// and the generic ABI has no separate F_*LK64 commands on 64-bit.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Flock {
    pub l_type: i16,
    pub l_whence: i16,
    pub pad: u32,
    pub l_start: i64,
    pub l_len: i64,
    pub l_pid: i32,
    pub pad2: u32,
}
const _: () = assert!(size_of::<Flock>() == 32 && size_of::<libc::flock>() == 32);
const _: () = assert!(offset_of!(Flock, l_pid) == offset_of!(libc::flock, l_pid));

/// `struct sched_param`.
pub const SCHED_PARAM_SIZE: usize = 4;

/// A kernel sigset for rt_* calls (_NSIG = 64 on both sides).
pub const KSIGSET_SIZE: u64 = 8;

pod!(
    Stat,
    Statfs,
    EpollEvent,
    SigactionNoRestorer,
    SigactionRestorer,
    StackT,
    Timespec,
    Timeval,
    Itimerspec,
    Itimerval,
    Rlimit,
    Rusage,
    Sysinfo,
    Utsname,
    KTermios,
    Winsize,
    Iovec,
    Msghdr,
    Mmsghdr,
    Cmsghdr,
    Dirent64Head,
    Pollfd,
    Flock,
    u32,
    u64,
    i32
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoll_event_converts_between_packed_host_and_aligned_guest() {
        let g = EpollEvent {
            events: libc::EPOLLIN as u32 | libc::EPOLLET as u32,
            pad: 0,
            data: 0x1122_3344_5566_7788,
        };
        let h = g.to_host();
        let bytes: [u8; 12] = unsafe { std::mem::transmute(h) };
        assert_eq!(&bytes[0..4], &g.events.to_ne_bytes());
        assert_eq!(&bytes[4..12], &0x1122_3344_5566_7788u64.to_ne_bytes());
        assert_eq!(EpollEvent::from_host(&h), g);
        let gb = g.as_bytes();
        assert_eq!(&gb[8..16], &0x1122_3344_5566_7788u64.to_ne_bytes());
    }

    #[test]
    fn stat_field_offsets_match_asm_generic() {
        assert_eq!(offset_of!(Stat, st_mode), 16);
        assert_eq!(offset_of!(Stat, st_nlink), 20);
        assert_eq!(offset_of!(Stat, st_rdev), 32);
        assert_eq!(offset_of!(Stat, st_blksize), 56);
        assert_eq!(offset_of!(Stat, st_blocks), 64);
        assert_eq!(offset_of!(Stat, st_ctime_nsec), 112);
    }

    #[test]
    fn msghdr_offsets_match_the_host() {
        assert_eq!(offset_of!(Msghdr, iov), offset_of!(libc::msghdr, msg_iov));
        assert_eq!(
            offset_of!(Msghdr, control),
            offset_of!(libc::msghdr, msg_control)
        );
        assert_eq!(
            offset_of!(Msghdr, flags),
            offset_of!(libc::msghdr, msg_flags)
        );
    }
}
