//! Files and directories: open/close, read/write families, stat family,
//! directory operations, links, permissions, sync, xattrs.
//!
//! Owns the handlers for path- and file-level syscalls. Paths go through
//! `host::path` (the `-L` mapping); `/proc` files the core emulates are asked
//! for first (`Guest::open_emulated`, `Guest::readlink_emulated`). File
//! descriptors are the host's, 1:1. Must not keep per-fd state.

use crate::abi::structs::{Iovec, Stat, Statfs, STATX_SIZE};
use crate::abi::{consts, read_array, read_obj, write_obj};
use crate::host::{self, int, ptr, sys, sys3};
use crate::{Errno, Guest, SysResult};
use libc::c_long;

type A = [u64; 6];

pub fn openat(g: &dyn Guest, a: A) -> SysResult {
    let guest_path = g.read_cstr(a[1], host::PATH_MAX)?;
    let flags = consts::oflags_to_host(g.machine(), int(a[2]));
    if let Some(r) = g.open_emulated(int(a[0]), &guest_path, flags) {
        return r.map(|fd| fd as u64);
    }
    let p = host::path(g, a[1])?;
    sys(
        libc::SYS_openat,
        [a[0], p.as_ptr() as u64, flags as u32 as u64, a[3], 0, 0],
    )
}

pub fn close(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_close, a[0], 0, 0)
}

pub fn read(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_read, a[0], ptr(g, a[1], a[2])?, a[2])
}

pub fn write(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_write, a[0], ptr(g, a[1], a[2])?, a[2])
}

pub fn pread64(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_pread64,
        [a[0], ptr(g, a[1], a[2])?, a[2], a[3], 0, 0],
    )
}

pub fn pwrite64(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_pwrite64,
        [a[0], ptr(g, a[1], a[2])?, a[2], a[3], 0, 0],
    )
}

/// Host iovecs for a guest iovec array (bases translated, lengths kept).
pub(crate) fn host_iovecs(g: &dyn Guest, addr: u64, count: u64) -> Result<Vec<libc::iovec>, Errno> {
    if count > libc::UIO_MAXIOV as u64 {
        return Err(libc::EINVAL);
    }
    let v: Vec<Iovec> = read_array(g, addr, count as usize)?;
    v.iter()
        .map(|io| {
            Ok(libc::iovec {
                iov_base: ptr(g, io.base, io.len)? as *mut libc::c_void,
                iov_len: io.len as usize,
            })
        })
        .collect()
}

fn vec_io(g: &dyn Guest, nr: c_long, a: A, extra: [u64; 3]) -> SysResult {
    let iov = host_iovecs(g, a[1], a[2])?;
    sys(
        nr,
        [
            a[0],
            iov.as_ptr() as u64,
            iov.len() as u64,
            extra[0],
            extra[1],
            extra[2],
        ],
    )
}

pub fn readv(g: &dyn Guest, a: A) -> SysResult {
    vec_io(g, libc::SYS_readv, a, [0; 3])
}
pub fn writev(g: &dyn Guest, a: A) -> SysResult {
    vec_io(g, libc::SYS_writev, a, [0; 3])
}
// preadv/pwritev(2) take (pos_l, pos_h) everywhere; 64-bit kernels ignore pos_h.
pub fn preadv(g: &dyn Guest, a: A) -> SysResult {
    vec_io(g, libc::SYS_preadv, a, [a[3], a[4], 0])
}
pub fn pwritev(g: &dyn Guest, a: A) -> SysResult {
    vec_io(g, libc::SYS_pwritev, a, [a[3], a[4], 0])
}
pub fn preadv2(g: &dyn Guest, a: A) -> SysResult {
    vec_io(g, libc::SYS_preadv2, a, [a[3], a[4], a[5]])
}
pub fn pwritev2(g: &dyn Guest, a: A) -> SysResult {
    vec_io(g, libc::SYS_pwritev2, a, [a[3], a[4], a[5]])
}

pub fn lseek(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_lseek, a[0], a[1], a[2])
}

pub fn getdents64(g: &dyn Guest, a: A) -> SysResult {
    // linux_dirent64 has one layout everywhere: the kernel fills guest memory.
    sys3(libc::SYS_getdents64, a[0], ptr(g, a[1], a[2])?, a[2])
}

fn write_stat(g: &dyn Guest, addr: u64, st: &libc::stat) -> SysResult {
    write_obj(g, addr, &Stat::from_host(st))?;
    Ok(0)
}

pub fn newfstatat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    // SAFETY: an all-zero stat is valid; the kernel fills it.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    sys(
        libc::SYS_newfstatat,
        [
            a[0],
            p.as_ptr() as u64,
            &mut st as *mut _ as u64,
            a[3],
            0,
            0,
        ],
    )?;
    write_stat(g, a[2], &st)
}

pub fn fstat(g: &dyn Guest, a: A) -> SysResult {
    // SAFETY: as above.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    sys3(libc::SYS_fstat, a[0], &mut st as *mut _ as u64, 0)?;
    write_stat(g, a[1], &st)
}

pub fn statx(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    // struct statx is the same on every architecture.
    sys(
        libc::SYS_statx,
        [
            a[0],
            p.as_ptr() as u64,
            a[2],
            a[3],
            ptr(g, a[4], STATX_SIZE as u64)?,
            0,
        ],
    )
}

const STATFS: u64 = std::mem::size_of::<Statfs>() as u64;

pub fn statfs(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[0])?;
    sys3(
        libc::SYS_statfs,
        p.as_ptr() as u64,
        ptr(g, a[1], STATFS)?,
        0,
    )
}

pub fn fstatfs(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_fstatfs, a[0], ptr(g, a[1], STATFS)?, 0)
}

pub fn readlinkat(g: &dyn Guest, a: A) -> SysResult {
    let guest_path = g.read_cstr(a[1], host::PATH_MAX)?;
    if let Some(target) = g.readlink_emulated(int(a[0]), &guest_path) {
        if (a[3] as i64) <= 0 {
            return Err(libc::EINVAL);
        }
        let n = target.len().min(a[3] as usize);
        g.write(a[2], &target[..n])?;
        return Ok(n as u64);
    }
    let p = host::path(g, a[1])?;
    sys(
        libc::SYS_readlinkat,
        [a[0], p.as_ptr() as u64, ptr(g, a[2], a[3])?, a[3], 0, 0],
    )
}

pub fn getcwd(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_getcwd, ptr(g, a[0], a[1])?, a[1], 0)
}

pub fn mkdirat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys3(libc::SYS_mkdirat, a[0], p.as_ptr() as u64, a[2])
}

pub fn mknodat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys(
        libc::SYS_mknodat,
        [a[0], p.as_ptr() as u64, a[2], a[3], 0, 0],
    )
}

pub fn unlinkat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys3(libc::SYS_unlinkat, a[0], p.as_ptr() as u64, a[2])
}

pub fn symlinkat(g: &dyn Guest, a: A) -> SysResult {
    // The link's contents are stored verbatim: only the new link's own path is mapped.
    let target = host::string(g, a[0])?;
    let p = host::path(g, a[2])?;
    sys3(
        libc::SYS_symlinkat,
        target.as_ptr() as u64,
        a[1],
        p.as_ptr() as u64,
    )
}

pub fn linkat(g: &dyn Guest, a: A) -> SysResult {
    let old = host::path(g, a[1])?;
    let new = host::path(g, a[3])?;
    sys(
        libc::SYS_linkat,
        [
            a[0],
            old.as_ptr() as u64,
            a[2],
            new.as_ptr() as u64,
            a[4],
            0,
        ],
    )
}

pub fn renameat(g: &dyn Guest, a: A) -> SysResult {
    renameat2(g, [a[0], a[1], a[2], a[3], 0, 0])
}

pub fn renameat2(g: &dyn Guest, a: A) -> SysResult {
    let old = host::path(g, a[1])?;
    let new = host::path(g, a[3])?;
    sys(
        libc::SYS_renameat2,
        [
            a[0],
            old.as_ptr() as u64,
            a[2],
            new.as_ptr() as u64,
            a[4],
            0,
        ],
    )
}

pub fn faccessat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys3(libc::SYS_faccessat, a[0], p.as_ptr() as u64, a[2])
}

pub fn faccessat2(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys(
        libc::SYS_faccessat2,
        [a[0], p.as_ptr() as u64, a[2], a[3], 0, 0],
    )
}

pub fn chdir(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[0])?;
    sys3(libc::SYS_chdir, p.as_ptr() as u64, 0, 0)
}

pub fn fchdir(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_fchdir, a[0], 0, 0)
}

pub fn chroot(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[0])?;
    sys3(libc::SYS_chroot, p.as_ptr() as u64, 0, 0)
}

pub fn fchmod(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_fchmod, a[0], a[1], 0)
}

pub fn fchmodat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys3(libc::SYS_fchmodat, a[0], p.as_ptr() as u64, a[2])
}

pub fn fchmodat2(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    // fchmodat2 is 452 on x86-64 too (numbers >= 424 are shared by all ABIs).
    sys(452, [a[0], p.as_ptr() as u64, a[2], a[3], 0, 0])
}

pub fn fchownat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[1])?;
    sys(
        libc::SYS_fchownat,
        [a[0], p.as_ptr() as u64, a[2], a[3], a[4], 0],
    )
}

pub fn fchown(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_fchown, a[0], a[1], a[2])
}

pub fn truncate(g: &dyn Guest, a: A) -> SysResult {
    let p = host::path(g, a[0])?;
    sys3(libc::SYS_truncate, p.as_ptr() as u64, a[1], 0)
}

pub fn ftruncate(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_ftruncate, a[0], a[1], 0)
}

pub fn fallocate(_g: &dyn Guest, a: A) -> SysResult {
    sys(libc::SYS_fallocate, [a[0], a[1], a[2], a[3], 0, 0])
}

pub fn sync(_g: &dyn Guest, _a: A) -> SysResult {
    sys3(libc::SYS_sync, 0, 0, 0)
}

pub fn fsync(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_fsync, a[0], 0, 0)
}

pub fn fdatasync(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_fdatasync, a[0], 0, 0)
}

pub fn syncfs(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_syncfs, a[0], 0, 0)
}

pub fn sync_file_range(_g: &dyn Guest, a: A) -> SysResult {
    sys(libc::SYS_sync_file_range, [a[0], a[1], a[2], a[3], 0, 0])
}

pub fn fadvise64(_g: &dyn Guest, a: A) -> SysResult {
    sys(libc::SYS_fadvise64, [a[0], a[1], a[2], a[3], 0, 0])
}

pub fn readahead(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_readahead, a[0], a[1], a[2])
}

pub fn utimensat(g: &dyn Guest, a: A) -> SysResult {
    let p = host::opt_path(g, a[1])?;
    let pp = p.as_ref().map_or(0, |p| p.as_ptr() as u64);
    // Two 64-bit timespecs: the same layout on both sides.
    sys(
        libc::SYS_utimensat,
        [a[0], pp, ptr(g, a[2], 32)?, a[3], 0, 0],
    )
}

pub fn umask(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_umask, a[0], 0, 0)
}

pub fn flock(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_flock, a[0], a[1], 0)
}

pub fn copy_file_range(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_copy_file_range,
        [a[0], ptr(g, a[1], 8)?, a[2], ptr(g, a[3], 8)?, a[4], a[5]],
    )
}

pub fn sendfile(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_sendfile,
        [a[0], a[1], ptr(g, a[2], 8)?, a[3], 0, 0],
    )
}

pub fn splice(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_splice,
        [a[0], ptr(g, a[1], 8)?, a[2], ptr(g, a[3], 8)?, a[4], a[5]],
    )
}

pub fn tee(_g: &dyn Guest, a: A) -> SysResult {
    sys(libc::SYS_tee, [a[0], a[1], a[2], a[3], 0, 0])
}

pub fn memfd_create(g: &dyn Guest, a: A) -> SysResult {
    let name = host::string(g, a[0])?;
    sys3(libc::SYS_memfd_create, name.as_ptr() as u64, a[1], 0)
}

fn xattr_path(g: &dyn Guest, nr: c_long, a: A) -> SysResult {
    let p = host::path(g, a[0])?;
    let name = host::string(g, a[1])?;
    sys(
        nr,
        [
            p.as_ptr() as u64,
            name.as_ptr() as u64,
            ptr(g, a[2], a[3])?,
            a[3],
            a[4],
            0,
        ],
    )
}

fn xattr_fd(g: &dyn Guest, nr: c_long, a: A) -> SysResult {
    let name = host::string(g, a[1])?;
    sys(
        nr,
        [
            a[0],
            name.as_ptr() as u64,
            ptr(g, a[2], a[3])?,
            a[3],
            a[4],
            0,
        ],
    )
}

pub fn getxattr(g: &dyn Guest, a: A) -> SysResult {
    xattr_path(g, libc::SYS_getxattr, a)
}
pub fn lgetxattr(g: &dyn Guest, a: A) -> SysResult {
    xattr_path(g, libc::SYS_lgetxattr, a)
}
pub fn fgetxattr(g: &dyn Guest, a: A) -> SysResult {
    xattr_fd(g, libc::SYS_fgetxattr, a)
}
pub fn setxattr(g: &dyn Guest, a: A) -> SysResult {
    xattr_path(g, libc::SYS_setxattr, a)
}
pub fn lsetxattr(g: &dyn Guest, a: A) -> SysResult {
    xattr_path(g, libc::SYS_lsetxattr, a)
}
pub fn fsetxattr(g: &dyn Guest, a: A) -> SysResult {
    xattr_fd(g, libc::SYS_fsetxattr, a)
}

fn listxattr_path(g: &dyn Guest, nr: c_long, a: A) -> SysResult {
    let p = host::path(g, a[0])?;
    sys3(nr, p.as_ptr() as u64, ptr(g, a[1], a[2])?, a[2])
}
pub fn listxattr(g: &dyn Guest, a: A) -> SysResult {
    listxattr_path(g, libc::SYS_listxattr, a)
}
pub fn llistxattr(g: &dyn Guest, a: A) -> SysResult {
    listxattr_path(g, libc::SYS_llistxattr, a)
}
pub fn flistxattr(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_flistxattr, a[0], ptr(g, a[1], a[2])?, a[2])
}

fn removexattr_path(g: &dyn Guest, nr: c_long, a: A) -> SysResult {
    let p = host::path(g, a[0])?;
    let name = host::string(g, a[1])?;
    sys3(nr, p.as_ptr() as u64, name.as_ptr() as u64, 0)
}
pub fn removexattr(g: &dyn Guest, a: A) -> SysResult {
    removexattr_path(g, libc::SYS_removexattr, a)
}
pub fn lremovexattr(g: &dyn Guest, a: A) -> SysResult {
    removexattr_path(g, libc::SYS_lremovexattr, a)
}
pub fn fremovexattr(g: &dyn Guest, a: A) -> SysResult {
    let name = host::string(g, a[1])?;
    sys3(libc::SYS_fremovexattr, a[0], name.as_ptr() as u64, 0)
}

pub fn vmsplice(g: &dyn Guest, a: A) -> SysResult {
    vec_io(g, libc::SYS_vmsplice, a, [a[3], 0, 0])
}

/// struct open_how: { u64 flags; u64 mode; u64 resolve; }, the same everywhere
/// but for the open flags themselves (translated for aarch64).
pub fn openat2(g: &dyn Guest, a: A) -> SysResult {
    if a[3] < 24 {
        return Err(libc::EINVAL);
    }
    let mut how: [u64; 3] = [
        read_obj(g, a[2])?,
        read_obj(g, a[2] + 8)?,
        read_obj(g, a[2] + 16)?,
    ];
    // Larger (future) structs must be zero beyond what we know, as the kernel requires.
    for off in (24..a[3]).step_by(8) {
        let mut tail = [0u8; 8];
        let n = (a[3] - off).min(8) as usize;
        g.read(a[2] + off, &mut tail[..n])?;
        if tail != [0; 8] {
            return Err(libc::E2BIG);
        }
    }
    let flags = consts::oflags_to_host(g.machine(), how[0] as i32);
    let guest_path = g.read_cstr(a[1], host::PATH_MAX)?;
    if let Some(r) = g.open_emulated(int(a[0]), &guest_path, flags) {
        return r.map(|fd| fd as u64);
    }
    how[0] = (how[0] & !0xffff_ffff) | flags as u32 as u64;
    let p = host::path(g, a[1])?;
    sys(
        437,
        [a[0], p.as_ptr() as u64, how.as_ptr() as u64, 24, 0, 0],
    )
}
