//! Memory syscalls: the guest address space changes (brk, mmap, munmap,
//! mprotect, mremap, madvise) go to the core through `Guest`, which keeps the
//! guest's view of mappings; the rest (msync, mlock*, mincore) act on host
//! memory through `Guest::host_ptr`.
//!
//! Owns only argument plumbing: never maps host memory itself. The guest
//! address space is a host reservation, so a guest hole is still host memory:
//! calls whose result depends on the guest's mappings first probe them with
//! `Guest::madvise(MADV_NORMAL)`, a no-op that fails with ENOMEM on holes.

use crate::host::{int, ptr, sys, sys3};
use crate::{Guest, SysResult};

type A = [u64; 6];

pub fn brk(g: &dyn Guest, a: A) -> SysResult {
    Ok(g.brk(a[0]))
}

pub fn mmap(g: &dyn Guest, a: A) -> SysResult {
    g.mmap(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), a[5])
}

pub fn munmap(g: &dyn Guest, a: A) -> SysResult {
    g.munmap(a[0], a[1])
}

pub fn mprotect(g: &dyn Guest, a: A) -> SysResult {
    g.mprotect(a[0], a[1], int(a[2]))
}

pub fn mremap(g: &dyn Guest, a: A) -> SysResult {
    g.mremap(a[0], a[1], a[2], int(a[3]), a[4])
}

pub fn madvise(g: &dyn Guest, a: A) -> SysResult {
    g.madvise(a[0], a[1], int(a[2]))
}

/// ENOMEM (or EINVAL for an unaligned start) unless the guest maps all of `addr..addr+len`.
fn probe_mapped(g: &dyn Guest, addr: u64, len: u64) -> Result<(), crate::Errno> {
    g.madvise(addr, len, libc::MADV_NORMAL).map(|_| ())
}

pub fn msync(g: &dyn Guest, a: A) -> SysResult {
    probe_mapped(g, a[0], a[1])?;
    sys3(libc::SYS_msync, ptr(g, a[0], a[1])?, a[1], a[2])
}

pub fn mlock(g: &dyn Guest, a: A) -> SysResult {
    probe_mapped(g, a[0] & !4095, a[1] + (a[0] & 4095))?;
    sys3(libc::SYS_mlock, ptr(g, a[0], a[1])?, a[1], 0)
}

pub fn mlock2(g: &dyn Guest, a: A) -> SysResult {
    probe_mapped(g, a[0] & !4095, a[1] + (a[0] & 4095))?;
    sys3(libc::SYS_mlock2, ptr(g, a[0], a[1])?, a[1], a[2])
}

pub fn munlock(g: &dyn Guest, a: A) -> SysResult {
    probe_mapped(g, a[0] & !4095, a[1] + (a[0] & 4095))?;
    sys3(libc::SYS_munlock, ptr(g, a[0], a[1])?, a[1], 0)
}

pub fn mlockall(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_mlockall, a[0], 0, 0)
}

pub fn munlockall(_g: &dyn Guest, _a: A) -> SysResult {
    sys3(libc::SYS_munlockall, 0, 0, 0)
}

pub fn mincore(g: &dyn Guest, a: A) -> SysResult {
    // One byte per 4 KiB page: guest and host page sizes agree.
    let pages = a[1].div_ceil(4096);
    probe_mapped(g, a[0], a[1])?;
    sys(
        libc::SYS_mincore,
        [ptr(g, a[0], a[1])?, a[1], ptr(g, a[2], pages)?, 0, 0, 0],
    )
}
