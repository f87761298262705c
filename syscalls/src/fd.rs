//! File-descriptor level syscalls: dup, fcntl, pipes, polling (poll, select,
//! epoll), eventfd, timerfd, signalfd, inotify, close_range.
//!
//! Owns these handlers and the epoll_event conversion at the call boundary.
//! Guest fds are host fds (1:1). Must not keep per-fd state.

use crate::abi::structs::{EpollEvent, Flock, Itimerspec, Pollfd, Timespec};
use crate::abi::{consts, read_obj, write_obj};
use crate::host::{self, int, ptr, sys, sys3};
use crate::{Guest, SysResult};
use std::mem::size_of;

type A = [u64; 6];

// asm-generic/fcntl.h values libc does not export for this target.
const F_SETSIG: i32 = 10;
const F_GETSIG: i32 = 11;
const F_SETOWN_EX: i32 = 15;
const F_GETOWN_EX: i32 = 16;

pub fn dup(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_dup, a[0], 0, 0)
}

pub fn dup3(g: &dyn Guest, a: A) -> SysResult {
    let flags = consts::oflags_to_host(g.machine(), int(a[2]));
    sys3(libc::SYS_dup3, a[0], a[1], flags as u32 as u64)
}

pub fn pipe2(g: &dyn Guest, a: A) -> SysResult {
    let mut fds = [0i32; 2];
    let flags = consts::oflags_to_host(g.machine(), int(a[1]));
    sys3(
        libc::SYS_pipe2,
        fds.as_mut_ptr() as u64,
        flags as u32 as u64,
        0,
    )?;
    let bytes: Vec<u8> = fds.iter().flat_map(|f| f.to_ne_bytes()).collect();
    if let Err(e) = g.write(a[0], &bytes) {
        // SAFETY: closing the fds we just created and could not hand over.
        unsafe {
            libc::close(fds[0]);
            libc::close(fds[1]);
        }
        return Err(e);
    }
    Ok(0)
}

pub fn fcntl(g: &dyn Guest, a: A) -> SysResult {
    let (fd, cmd) = (a[0], int(a[1]));
    match cmd {
        libc::F_DUPFD
        | libc::F_DUPFD_CLOEXEC
        | libc::F_GETFD
        | libc::F_SETFD
        | libc::F_GETOWN
        | libc::F_SETOWN
        | F_GETSIG
        | F_SETSIG
        | libc::F_GETLEASE
        | libc::F_SETLEASE
        | libc::F_NOTIFY
        | libc::F_GETPIPE_SZ
        | libc::F_SETPIPE_SZ
        | libc::F_ADD_SEALS
        | libc::F_GET_SEALS => sys3(libc::SYS_fcntl, fd, a[1], a[2]),
        libc::F_GETFL => {
            let host = sys3(libc::SYS_fcntl, fd, a[1], 0)?;
            Ok(consts::oflags_from_host(g.machine(), host as i32) as u32 as u64)
        }
        libc::F_SETFL => {
            let flags = consts::oflags_to_host(g.machine(), int(a[2]));
            sys3(libc::SYS_fcntl, fd, a[1], flags as u32 as u64)
        }
        // struct flock has the same 32-byte layout on both sides (asserted in abi).
        libc::F_GETLK
        | libc::F_SETLK
        | libc::F_SETLKW
        | libc::F_OFD_GETLK
        | libc::F_OFD_SETLK
        | libc::F_OFD_SETLKW => sys3(
            libc::SYS_fcntl,
            fd,
            a[1],
            ptr(g, a[2], size_of::<Flock>() as u64)?,
        ),
        // struct f_owner_ex {int type; pid_t pid;}: 8 bytes everywhere.
        F_SETOWN_EX | F_GETOWN_EX => sys3(libc::SYS_fcntl, fd, a[1], ptr(g, a[2], 8)?),
        // F_GET_RW_HINT .. F_SET_FILE_RW_HINT take a u64 pointer.
        1035..=1038 => sys3(libc::SYS_fcntl, fd, a[1], ptr(g, a[2], 8)?),
        _ => Err(libc::EINVAL),
    }
}

pub fn eventfd2(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_eventfd2, a[0], a[1], 0)
}

pub fn epoll_create1(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_epoll_create1, a[0], 0, 0)
}

pub fn epoll_ctl(g: &dyn Guest, a: A) -> SysResult {
    // EPOLL_CTL_DEL ignores the event (may be NULL).
    let mut ev = if a[3] == 0 {
        None
    } else {
        Some(read_obj::<EpollEvent>(g, a[3])?.to_host())
    };
    let p = ev.as_mut().map_or(0, |e| e as *mut _ as u64);
    sys(libc::SYS_epoll_ctl, [a[0], a[1], a[2], p, 0, 0])
}

/// EP_MAX_EVENTS of the kernel: INT_MAX / sizeof(struct epoll_event).
const EP_MAX_EVENTS: i64 = (i32::MAX as usize / size_of::<EpollEvent>()) as i64;

fn epoll_wait_common(g: &dyn Guest, a: A, timeout: u64, nr: libc::c_long) -> SysResult {
    let max = a[2] as i32 as i64;
    if max <= 0 || max > EP_MAX_EVENTS {
        return Err(libc::EINVAL);
    }
    // Don't allocate more than the guest buffer can plausibly hold.
    let n = (max as usize).min(4096);
    let mut host = vec![libc::epoll_event { events: 0, u64: 0 }; n];
    let set = masked_wait(g, a[4])?;
    let sigmask = set.as_ref().map_or(0, |s| s as *const u64 as u64);
    let got = sys(
        nr,
        [
            a[0],
            host.as_mut_ptr() as u64,
            n as u64,
            timeout,
            sigmask,
            a[5],
        ],
    )?;
    for (i, ev) in host[..got as usize].iter().enumerate() {
        write_obj(
            g,
            a[1] + (i * size_of::<EpollEvent>()) as u64,
            &EpollEvent::from_host(ev),
        )?;
    }
    Ok(got)
}

pub fn epoll_pwait(g: &dyn Guest, a: A) -> SysResult {
    epoll_wait_common(g, a, a[3], libc::SYS_epoll_pwait)
}

pub fn epoll_pwait2(g: &dyn Guest, a: A) -> SysResult {
    let tmo = ptr(g, a[3], size_of::<Timespec>() as u64)?;
    epoll_wait_common(g, a, tmo, 441)
}

pub fn ppoll(g: &dyn Guest, a: A) -> SysResult {
    let nfds = a[1];
    let fds = ptr(g, a[0], nfds.saturating_mul(size_of::<Pollfd>() as u64))?;
    let tmo = ptr(g, a[2], size_of::<Timespec>() as u64)?;
    let set = masked_wait(g, a[3])?;
    let mask = set.as_ref().map_or(0, |s| s as *const u64 as u64);
    sys(libc::SYS_ppoll, [fds, nfds, tmo, mask, a[4], 0])
}

/// The host mask for a wait given the guest mask at `addr` (0: none).
fn masked_wait(g: &dyn Guest, addr: u64) -> Result<Option<u64>, crate::Errno> {
    if addr == 0 {
        return Ok(None);
    }
    Ok(Some(crate::signal::begin_masked_wait(read_obj(g, addr)?)?))
}

pub fn pselect6(g: &dyn Guest, a: A) -> SysResult {
    let nfds = int(a[0]);
    if nfds < 0 {
        return Err(libc::EINVAL);
    }
    // fd_set is an array of longs: the same bits on every 64-bit little-endian ABI.
    let set_bytes = (nfds as u64).div_ceil(64) * 8;
    let (r, w, e) = (
        ptr(g, a[1], set_bytes)?,
        ptr(g, a[2], set_bytes)?,
        ptr(g, a[3], set_bytes)?,
    );
    let tmo = ptr(g, a[4], size_of::<Timespec>() as u64)?;
    // The sixth argument points at { const sigset_t *ss; size_t ss_len; } holding a guest pointer.
    let raw: [u64; 2] = if a[5] == 0 {
        [0, 0]
    } else {
        [read_obj(g, a[5])?, read_obj(g, a[5] + 8)?]
    };
    let set = masked_wait(g, raw[0])?;
    let sigdata = [set.as_ref().map_or(0, |s| s as *const u64 as u64), raw[1]];
    let sig = if a[5] == 0 {
        0
    } else {
        sigdata.as_ptr() as u64
    };
    sys(libc::SYS_pselect6, [a[0], r, w, e, tmo, sig])
}

pub fn signalfd4(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_signalfd4,
        [a[0], ptr(g, a[1], a[2])?, a[2], a[3], 0, 0],
    )
}

pub fn timerfd_create(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_timerfd_create, a[0], a[1], 0)
}

pub fn timerfd_settime(g: &dyn Guest, a: A) -> SysResult {
    let sz = size_of::<Itimerspec>() as u64;
    sys(
        libc::SYS_timerfd_settime,
        [a[0], a[1], ptr(g, a[2], sz)?, ptr(g, a[3], sz)?, 0, 0],
    )
}

pub fn timerfd_gettime(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_timerfd_gettime,
        a[0],
        ptr(g, a[1], size_of::<Itimerspec>() as u64)?,
        0,
    )
}

pub fn inotify_init1(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_inotify_init1, a[0], 0, 0)
}

pub fn inotify_add_watch(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys3(libc::SYS_inotify_add_watch, a[0], p.as_ptr() as u64, a[2])
}

pub fn inotify_rm_watch(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_inotify_rm_watch, a[0], a[1], 0)
}

pub fn close_range(_g: &dyn Guest, a: A) -> SysResult {
    sys3(436, a[0], a[1], a[2])
}
