//! Identity and resource syscalls: pids, uids/gids, groups, sessions,
//! priorities, rlimits, rusage, uname, sysinfo, capabilities, host names.
//!
//! Owns these handlers. uid/gid calls are raw per-thread syscalls on purpose:
//! the guest's libc broadcasts set*id to its threads itself, exactly as it does
//! on a real kernel.

use crate::abi::structs::{Rlimit, Rusage, Sysinfo, Utsname};
use crate::abi::write_obj;
use crate::host::{ptr, sys, sys3};
use crate::{Guest, SysResult};
use std::mem::size_of;

type A = [u64; 6];

macro_rules! plain {
    ($($name:ident => $nr:expr, $n:tt;)*) => {
        $(#[allow(unused_variables)]
        pub fn $name(_g: &dyn Guest, a: A) -> SysResult {
            plain!(@call $nr, a, $n)
        })*
    };
    (@call $nr:expr, $a:ident, 0) => { sys3($nr, 0, 0, 0) };
    (@call $nr:expr, $a:ident, 1) => { sys3($nr, $a[0], 0, 0) };
    (@call $nr:expr, $a:ident, 2) => { sys3($nr, $a[0], $a[1], 0) };
    (@call $nr:expr, $a:ident, 3) => { sys3($nr, $a[0], $a[1], $a[2]) };
}

plain! {
    getpid => libc::SYS_getpid, 0;
    getppid => libc::SYS_getppid, 0;
    gettid => libc::SYS_gettid, 0;
    getuid => libc::SYS_getuid, 0;
    geteuid => libc::SYS_geteuid, 0;
    getgid => libc::SYS_getgid, 0;
    getegid => libc::SYS_getegid, 0;
    setuid => libc::SYS_setuid, 1;
    setgid => libc::SYS_setgid, 1;
    setreuid => libc::SYS_setreuid, 2;
    setregid => libc::SYS_setregid, 2;
    setresuid => libc::SYS_setresuid, 3;
    setresgid => libc::SYS_setresgid, 3;
    setfsuid => libc::SYS_setfsuid, 1;
    setfsgid => libc::SYS_setfsgid, 1;
    setpgid => libc::SYS_setpgid, 2;
    getpgid => libc::SYS_getpgid, 1;
    getsid => libc::SYS_getsid, 1;
    setsid => libc::SYS_setsid, 0;
    getpriority => libc::SYS_getpriority, 2;
    setpriority => libc::SYS_setpriority, 3;
}

pub fn getresuid(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_getresuid,
        ptr(g, a[0], 4)?,
        ptr(g, a[1], 4)?,
        ptr(g, a[2], 4)?,
    )
}

pub fn getresgid(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_getresgid,
        ptr(g, a[0], 4)?,
        ptr(g, a[1], 4)?,
        ptr(g, a[2], 4)?,
    )
}

pub fn getgroups(g: &dyn Guest, a: A) -> SysResult {
    let n = a[0] as i32;
    if n < 0 {
        return Err(libc::EINVAL);
    }
    sys3(libc::SYS_getgroups, a[0], ptr(g, a[1], n as u64 * 4)?, 0)
}

pub fn setgroups(g: &dyn Guest, a: A) -> SysResult {
    let n = a[0] as i32;
    if n < 0 {
        return Err(libc::EINVAL);
    }
    sys3(libc::SYS_setgroups, a[0], ptr(g, a[1], n as u64 * 4)?, 0)
}

const RL: u64 = size_of::<Rlimit>() as u64;

/// Limits that would constrain the emulator rather than the guest (its
/// address-space reservation, its own heap and stack): a guest may read them,
/// and setting them is accepted but not applied, as QEMU does.
fn emulator_owned(resource: u64) -> bool {
    matches!(
        resource as u32,
        libc::RLIMIT_AS | libc::RLIMIT_DATA | libc::RLIMIT_STACK
    )
}

pub fn prlimit64(g: &dyn Guest, a: A) -> SysResult {
    let new = if a[2] != 0 && emulator_owned(a[1]) {
        // Still validate the guest's pointer and values.
        let lim: Rlimit = crate::abi::read_obj(g, a[2])?;
        if lim.rlim_cur > lim.rlim_max {
            return Err(libc::EINVAL);
        }
        0
    } else {
        ptr(g, a[2], RL)?
    };
    sys(
        libc::SYS_prlimit64,
        [a[0], a[1], new, ptr(g, a[3], RL)?, 0, 0],
    )
}

pub fn getrlimit(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_getrlimit, a[0], ptr(g, a[1], RL)?, 0)
}

pub fn setrlimit(g: &dyn Guest, a: A) -> SysResult {
    prlimit64(g, [0, a[0], a[1], 0, 0, 0])
}

pub fn getrusage(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_getrusage,
        a[0],
        ptr(g, a[1], size_of::<Rusage>() as u64)?,
        0,
    )
}

pub fn sysinfo(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_sysinfo,
        ptr(g, a[0], size_of::<Sysinfo>() as u64)?,
        0,
        0,
    )
}

/// The host's uname with the guest's machine name.
pub(crate) fn guest_utsname(g: &dyn Guest) -> Result<Utsname, crate::Errno> {
    // SAFETY: all-zero utsname is valid; the kernel fills it.
    let mut u: Utsname = unsafe { std::mem::zeroed() };
    sys3(libc::SYS_uname, &mut u as *mut _ as u64, 0, 0)?;
    let m = g.machine().as_bytes();
    let n = m.len().min(64);
    u.machine = [0; 65];
    u.machine[..n].copy_from_slice(&m[..n]);
    Ok(u)
}

pub fn uname(g: &dyn Guest, a: A) -> SysResult {
    let u = guest_utsname(g)?;
    write_obj(g, a[0], &u)?;
    Ok(0)
}

pub fn sethostname(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sethostname, ptr(g, a[0], a[1])?, a[1], 0)
}

pub fn setdomainname(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_setdomainname, ptr(g, a[0], a[1])?, a[1], 0)
}

/// cap_user_header_t: {u32 version; i32 pid} = 8 bytes; data: up to two
/// 12-byte {effective, permitted, inheritable} records.
pub fn capget(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_capget, ptr(g, a[0], 8)?, ptr(g, a[1], 24)?, 0)
}

pub fn capset(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_capset, ptr(g, a[0], 8)?, ptr(g, a[1], 24)?, 0)
}

pub fn ioprio_set(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_ioprio_set, a[0], a[1], a[2])
}

pub fn ioprio_get(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_ioprio_get, a[0], a[1], 0)
}
