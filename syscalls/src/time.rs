//! Time syscalls: clocks, sleeps, interval timers, times(2).
//!
//! Owns these handlers. The 64-bit timespec/timeval/itimerval/tms layouts are
//! identical on guest and host (asserted in `abi::structs`), so guest buffers
//! are handed to the host kernel directly.

use crate::abi::structs::{Itimerval, Timespec, Timeval};
use crate::host::{ptr, sys3};
use crate::{Guest, SysResult};
use std::mem::size_of;

type A = [u64; 6];
const TS: u64 = size_of::<Timespec>() as u64;
const TV: u64 = size_of::<Timeval>() as u64;
const ITV: u64 = size_of::<Itimerval>() as u64;
/// struct tms: four clock_t (long).
const TMS: u64 = 32;

pub fn clock_gettime(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_clock_gettime, a[0], ptr(g, a[1], TS)?, 0)
}

pub fn clock_getres(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_clock_getres, a[0], ptr(g, a[1], TS)?, 0)
}

pub fn clock_settime(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_clock_settime, a[0], ptr(g, a[1], TS)?, 0)
}

pub fn clock_nanosleep(g: &dyn Guest, a: A) -> SysResult {
    crate::host::sys(
        libc::SYS_clock_nanosleep,
        [a[0], a[1], ptr(g, a[2], TS)?, ptr(g, a[3], TS)?, 0, 0],
    )
}

pub fn nanosleep(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_nanosleep, ptr(g, a[0], TS)?, ptr(g, a[1], TS)?, 0)
}

pub fn gettimeofday(g: &dyn Guest, a: A) -> SysResult {
    // struct timezone: two ints.
    sys3(
        libc::SYS_gettimeofday,
        ptr(g, a[0], TV)?,
        ptr(g, a[1], 8)?,
        0,
    )
}

pub fn settimeofday(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_settimeofday,
        ptr(g, a[0], TV)?,
        ptr(g, a[1], 8)?,
        0,
    )
}

pub fn times(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_times, ptr(g, a[0], TMS)?, 0, 0)
}

pub fn getitimer(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_getitimer, a[0], ptr(g, a[1], ITV)?, 0)
}

pub fn setitimer(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_setitimer,
        a[0],
        ptr(g, a[1], ITV)?,
        ptr(g, a[2], ITV)?,
    )
}

/// struct sigevent is 64 bytes with the same layout on both sides.
const SIGEVENT: u64 = 64;
const ITS: u64 = 32;

pub fn timer_create(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_timer_create,
        a[0],
        ptr(g, a[1], SIGEVENT)?,
        ptr(g, a[2], 4)?,
    )
}

pub fn timer_settime(g: &dyn Guest, a: A) -> SysResult {
    crate::host::sys(
        libc::SYS_timer_settime,
        [a[0], a[1], ptr(g, a[2], ITS)?, ptr(g, a[3], ITS)?, 0, 0],
    )
}

pub fn timer_gettime(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_timer_gettime, a[0], ptr(g, a[1], ITS)?, 0)
}

pub fn timer_getoverrun(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_timer_getoverrun, a[0], 0, 0)
}

pub fn timer_delete(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_timer_delete, a[0], 0, 0)
}
