//! Helpers for making host syscalls on the guest's behalf.
//!
//! Owns: raw host syscall invocation with errno capture, guest→host pointer
//! translation for zero-copy buffers, and guest path reading (with the `-L`
//! mapping). Knows nothing of particular syscalls.

use crate::{Errno, Guest, SysResult};
use std::ffi::CString;

/// A raw host syscall; `Err(errno)` on failure. Those that may block are
/// made so that a guest signal arriving just before cannot be missed
/// (`safe`): they fail with EINTR instead.
pub(crate) fn sys(nr: libc::c_long, a: [u64; 6]) -> SysResult {
    if crate::safe::may_block(nr) {
        let r = crate::safe::syscall(nr, a);
        return if (-4095..0).contains(&r) {
            Err(-r as Errno)
        } else {
            Ok(r as u64)
        };
    }
    // SAFETY: the caller passes arguments valid for `nr` (host pointers come
    // from `Guest::host_ptr` and the kernel checks them itself).
    let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if r == -1 {
        Err(errno())
    } else {
        Ok(r as u64)
    }
}

/// Shorthand for syscalls with fewer arguments.
pub(crate) fn sys3(nr: libc::c_long, a: u64, b: u64, c: u64) -> SysResult {
    sys(nr, [a, b, c, 0, 0, 0])
}

pub(crate) fn errno() -> Errno {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// Host address of a guest buffer for a host syscall; guest NULL stays NULL.
pub(crate) fn ptr(g: &dyn Guest, addr: u64, len: u64) -> Result<u64, Errno> {
    if addr == 0 {
        Ok(0)
    } else {
        g.host_ptr(addr, len.max(1)).map(|p| p as u64)
    }
}

/// The maximum path length the kernel accepts (PATH_MAX).
pub(crate) const PATH_MAX: usize = 4096;

/// Reads a guest path and maps it for the host (`-L` prefix for absolute paths).
pub(crate) fn path(g: &dyn Guest, addr: u64) -> Result<CString, Errno> {
    let p = g.read_cstr(addr, PATH_MAX)?;
    Ok(if p.as_bytes().first() == Some(&b'/') {
        g.host_path(&p)
    } else {
        p
    })
}

/// A guest path for a syscall where NULL is allowed (utimensat).
pub(crate) fn opt_path(g: &dyn Guest, addr: u64) -> Result<Option<CString>, Errno> {
    if addr == 0 {
        Ok(None)
    } else {
        path(g, addr).map(Some)
    }
}

/// A guest string (not a path: no `-L` mapping).
pub(crate) fn string(g: &dyn Guest, addr: u64) -> Result<CString, Errno> {
    g.read_cstr(addr, PATH_MAX)
}

/// The low 32 bits of a register as the C `int` the guest passed.
pub(crate) fn int(a: u64) -> i32 {
    a as i32
}
