//! Process lifecycle: exit, clone (fork-like and threads), execve, wait,
//! kill, tid address.
//!
//! Owns these handlers, the check of clone flag combinations and the
//! per-thread `clear_child_tid` address. exit/exit_group/execve and thread
//! creation hand their work to the core through [`Outcome`].

use crate::host::{self, int, ptr, sys, sys3};
use crate::{Errno, Guest, Outcome, SysResult};
use std::cell::Cell;
use std::ffi::CString;

type A = [u64; 6];

thread_local! {
    static CLEAR_CHILD_TID: Cell<u64> = const { Cell::new(0) };
}

/// The guest address set by `set_tid_address` or `CLONE_CHILD_CLEARTID` for
/// the calling thread (0: none). At thread exit the core writes 0 there and
/// futex-wakes it.
pub fn clear_child_tid() -> u64 {
    CLEAR_CHILD_TID.with(|c| c.get())
}

/// Sets the calling thread's `clear_child_tid` (a new thread's CLONE_CHILD_CLEARTID).
pub fn set_clear_child_tid(addr: u64) {
    CLEAR_CHILD_TID.with(|c| c.set(addr));
}

pub fn exit(_g: &dyn Guest, a: A) -> Outcome {
    Outcome::ExitThread(int(a[0]))
}

pub fn exit_group(_g: &dyn Guest, a: A) -> Outcome {
    Outcome::ExitGroup(int(a[0]))
}

pub fn set_tid_address(_g: &dyn Guest, a: A) -> SysResult {
    CLEAR_CHILD_TID.with(|c| c.set(a[0]));
    sys3(libc::SYS_gettid, 0, 0, 0)
}

/// Accepted and ignored: robust futexes matter only when a thread dies
/// holding a lock, and threads are not supported yet.
pub fn set_robust_list(_g: &dyn Guest, a: A) -> SysResult {
    // sizeof(struct robust_list_head) on 64-bit.
    if a[1] != 24 {
        return Err(libc::EINVAL);
    }
    Ok(0)
}

pub fn wait4(g: &dyn Guest, a: A) -> SysResult {
    let rusage = std::mem::size_of::<crate::abi::structs::Rusage>() as u64;
    sys(
        libc::SYS_wait4,
        [a[0], ptr(g, a[1], 4)?, a[2], ptr(g, a[3], rusage)?, 0, 0],
    )
}

pub fn waitid(g: &dyn Guest, a: A) -> SysResult {
    // siginfo_t (128 bytes) and rusage have the same layout on both sides.
    let rusage = std::mem::size_of::<crate::abi::structs::Rusage>() as u64;
    sys(
        libc::SYS_waitid,
        [
            a[0],
            a[1],
            ptr(g, a[2], 128)?,
            a[3],
            ptr(g, a[4], rusage)?,
            0,
        ],
    )
}

pub fn kill(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_kill, a[0], a[1], 0)
}

pub fn tkill(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_tkill, a[0], a[1], 0)
}

pub fn tgkill(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_tgkill, a[0], a[1], a[2])
}

const CSIGNAL: u64 = 0xff;
const CLONE_VM: u64 = 0x100;
const CLONE_FS: u64 = 0x200;
const CLONE_FILES: u64 = 0x400;
const CLONE_SIGHAND: u64 = 0x800;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_THREAD: u64 = 0x10000;
const CLONE_SYSVSEM: u64 = 0x40000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x0010_0000;
const CLONE_CHILD_CLEARTID: u64 = 0x0020_0000;
const CLONE_DETACHED: u64 = 0x0040_0000;
const CLONE_CHILD_SETTID: u64 = 0x0100_0000;
/// What a thread shares: glibc's and musl's pthread_create pass all of it.
const THREAD_FLAGS: u64 = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
/// Flags a thread-creating clone may add.
const THREAD_OPTIONAL: u64 = CLONE_SYSVSEM
    | CLONE_SETTLS
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_CLEARTID
    | CLONE_CHILD_SETTID
    | CLONE_DETACHED;
/// Flags a fork-like clone may carry.
const FORK_FLAGS: u64 = CSIGNAL
    | CLONE_VM
    | CLONE_VFORK
    | CLONE_PARENT_SETTID
    | CLONE_CHILD_CLEARTID
    | CLONE_CHILD_SETTID;

/// clone(flags, newsp, parent_tid, tls, child_tid): the CLONE_BACKWARDS
/// argument order riscv64 and aarch64 use. Threads (the flags of
/// `THREAD_FLAGS`, plus any of `THREAD_OPTIONAL`) go to the core as
/// [`Outcome::NewThread`]; fork-like clones are a host fork()
/// (CLONE_VM|CLONE_VFORK becomes a plain fork too: the child execs or exits,
/// and the parent waits for nothing it could observe).
pub fn clone(g: &dyn Guest, a: A) -> Outcome {
    let (flags, newsp, ptid, tls, ctid) = (a[0], a[1], a[2], a[3], a[4]);
    let opt = |f: u64, v: u64| (flags & f != 0).then_some(v);
    let request = crate::NewThread {
        flags,
        stack: newsp,
        parent_tid: opt(CLONE_PARENT_SETTID, ptid),
        tls: opt(CLONE_SETTLS, tls),
        child_tid: opt(CLONE_CHILD_SETTID, ctid),
        clear_child_tid: opt(CLONE_CHILD_CLEARTID, ctid),
    };
    if flags & THREAD_FLAGS == THREAD_FLAGS && flags & !(THREAD_FLAGS | THREAD_OPTIONAL) == 0 {
        return Outcome::NewThread(request);
    }
    if flags & (CLONE_VM | CLONE_VFORK) == CLONE_VM | CLONE_VFORK && flags & !FORK_FLAGS == 0 {
        return Outcome::VforkChild(request);
    }
    Outcome::Return(crate::table::encode(fork_like(g, flags, newsp, ptid, ctid)))
}

fn fork_like(g: &dyn Guest, flags: u64, newsp: u64, ptid: u64, ctid: u64) -> SysResult {
    if flags & !FORK_FLAGS != 0 || (flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0) {
        if g.log_unimp() {
            g.log(&format!("Unsupported clone flags: {flags:#x}"));
        }
        return Err(libc::ENOSYS);
    }
    // vfork: the parent waits until the child execs or exits, which closes
    // the child's copy of this close-on-exec pipe.
    let vfork = if flags & CLONE_VFORK != 0 {
        Some(VforkPipe::new()?)
    } else {
        None
    };
    let pid = g.fork();
    if pid < 0 {
        return Err(host::errno());
    }
    if let Some(p) = vfork {
        p.wait_unless_child(pid == 0);
    }
    if pid == 0 {
        let tid = unsafe { libc::gettid() };
        if flags & CLONE_CHILD_SETTID != 0 {
            let _ = g.write(ctid, &tid.to_ne_bytes());
        }
        if flags & CLONE_PARENT_SETTID != 0 {
            let _ = g.write(ptid, &tid.to_ne_bytes());
        }
        CLEAR_CHILD_TID.with(|c| {
            c.set(if flags & CLONE_CHILD_CLEARTID != 0 {
                ctid
            } else {
                0
            })
        });
        if newsp != 0 {
            g.set_child_stack(newsp);
        }
        return Ok(0);
    }
    if flags & CLONE_PARENT_SETTID != 0 {
        g.write(ptid, &pid.to_ne_bytes())?;
    }
    Ok(pid as u64)
}

/// The pipe a vfork parent waits on: its write end, close-on-exec, lives
/// only in the child (at a high descriptor, out of the guest's way).
struct VforkPipe {
    read: i32,
    write: i32,
}

impl VforkPipe {
    fn new() -> Result<VforkPipe, Errno> {
        let mut fds = [0i32; 2];
        // SAFETY: pipe2 into a local array; moving the ends up with F_DUPFD_CLOEXEC.
        unsafe {
            if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
                return Err(host::errno());
            }
            let high = fds.map(|fd| {
                let h = libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 900);
                libc::close(fd);
                h
            });
            if high.contains(&-1) {
                let e = host::errno();
                for fd in high.into_iter().filter(|&fd| fd >= 0) {
                    libc::close(fd);
                }
                return Err(e);
            }
            Ok(VforkPipe {
                read: high[0],
                write: high[1],
            })
        }
    }

    /// In the child: keeps only the write end. In the parent: waits for
    /// end of file (the child exec'd or exited), then closes it.
    fn wait_unless_child(self, child: bool) {
        // SAFETY: closing and reading our own descriptors.
        unsafe {
            if child {
                libc::close(self.read);
                return;
            }
            libc::close(self.write);
            let mut b = 0u8;
            while libc::read(self.read, &mut b as *mut u8 as *mut libc::c_void, 1) < 0
                && host::errno() == libc::EINTR
            {}
            libc::close(self.read);
        }
    }
}

/// clone3(args, size): the same requests as clone, from a `struct
/// clone_args` (the child's stack given as base and size). pidfds, set_tid
/// and cgroups are not supported (EINVAL; glibc then falls back to clone).
pub fn clone3(g: &dyn Guest, a: A) -> Outcome {
    let c = match CloneArgs::read(g, a[0], a[1]) {
        Ok(c) => c,
        Err(e) => return Outcome::Return(crate::table::encode(Err(e))),
    };
    let unsupported = CLONE_PIDFD | CLONE_INTO_CGROUP;
    if c.flags & (CSIGNAL | unsupported) != 0 || c.exit_signal > CSIGNAL || c.set_tid_size != 0 {
        return Outcome::Return(crate::table::encode(Err(libc::EINVAL)));
    }
    let sp = if c.stack != 0 {
        c.stack.wrapping_add(c.stack_size)
    } else {
        0
    };
    clone(
        g,
        [
            c.flags | c.exit_signal,
            sp,
            c.parent_tid,
            c.tls,
            c.child_tid,
            0,
        ],
    )
}

const CLONE_PIDFD: u64 = 0x1000;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
const CLONE_ARGS_SIZE_VER0: u64 = 64;

/// `struct clone_args` up to `set_tid_size` (the first 64 + 16 bytes).
struct CloneArgs {
    flags: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid_size: u64,
}

impl CloneArgs {
    /// Reads the `size` bytes the guest passed (missing fields are 0).
    fn read(g: &dyn Guest, addr: u64, size: u64) -> Result<CloneArgs, Errno> {
        if size < CLONE_ARGS_SIZE_VER0 {
            return Err(libc::EINVAL);
        }
        let mut raw = [0u8; 80];
        let n = size.min(raw.len() as u64) as usize;
        g.read(addr, &mut raw[..n])?;
        let f = |i: usize| u64::from_le_bytes(raw[8 * i..8 * i + 8].try_into().expect("8 bytes"));
        Ok(CloneArgs {
            flags: f(0),
            child_tid: f(2),
            parent_tid: f(3),
            exit_signal: f(4),
            stack: f(5),
            stack_size: f(6),
            tls: f(7),
            set_tid_size: f(9),
        })
    }
}

/// MAX_ARG_STRLEN of the kernel.
const MAX_ARG_STRLEN: usize = 32 * 4096;
/// A bound on argv/envp entries (the kernel's is memory-based).
const MAX_ARGS: usize = 1 << 20;

fn read_string_array(g: &dyn Guest, mut addr: u64) -> Result<Vec<CString>, Errno> {
    let mut out = Vec::new();
    if addr == 0 {
        return Ok(out);
    }
    loop {
        let p: u64 = crate::abi::read_obj(g, addr)?;
        if p == 0 {
            return Ok(out);
        }
        if out.len() >= MAX_ARGS {
            return Err(libc::E2BIG);
        }
        out.push(g.read_cstr(p, MAX_ARG_STRLEN).map_err(|e| {
            if e == libc::ENAMETOOLONG {
                libc::E2BIG
            } else {
                e
            }
        })?);
        addr += 8;
    }
}

fn execve_outcome(g: &dyn Guest, path: CString, argv: u64, envp: u64) -> Outcome {
    // An emulated link (`/proc/self/exe`) names the guest program; on the host
    // it would name the emulator. QEMU substitutes it the same way.
    let path = match g.readlink_emulated(libc::AT_FDCWD, &path) {
        Some(target) => CString::new(target).unwrap_or(path),
        None => path,
    };
    let args = read_string_array(g, argv).and_then(|argv| Ok((argv, read_string_array(g, envp)?)));
    match args {
        Ok((argv, envp)) => Outcome::Execve { path, argv, envp },
        Err(e) => Outcome::Return(crate::table::encode(Err(e))),
    }
}

/// The path is handed over as the guest wrote it (emulated links resolved):
/// the core maps it (`-L`).
pub fn execve(g: &dyn Guest, a: A) -> Outcome {
    match g.read_cstr(a[0], host::PATH_MAX) {
        Ok(path) => execve_outcome(g, path, a[1], a[2]),
        Err(e) => Outcome::Return(crate::table::encode(Err(e))),
    }
}

/// execveat: relative paths and AT_EMPTY_PATH become `/proc/self/fd/N[/path]`.
pub fn execveat(g: &dyn Guest, a: A) -> Outcome {
    let path = match g.read_cstr(a[1], host::PATH_MAX) {
        Ok(p) => p,
        Err(e) => return Outcome::Return(crate::table::encode(Err(e))),
    };
    let dirfd = int(a[0]);
    let bytes = path.as_bytes();
    let full = if bytes.first() == Some(&b'/') || dirfd == libc::AT_FDCWD && !bytes.is_empty() {
        path
    } else if bytes.is_empty() {
        if a[4] & libc::AT_EMPTY_PATH as u64 == 0 {
            return Outcome::Return(crate::table::encode(Err(libc::ENOENT)));
        }
        CString::new(format!("/proc/self/fd/{dirfd}")).expect("no NUL")
    } else {
        let mut v = format!("/proc/self/fd/{dirfd}/").into_bytes();
        v.extend_from_slice(bytes);
        CString::new(v).expect("no NUL")
    };
    execve_outcome(g, full, a[2], a[3])
}

// Numbers >= 424 are shared by every ABI, x86-64 included.
pub fn pidfd_send_signal(g: &dyn Guest, a: A) -> SysResult {
    sys(424, [a[0], a[1], ptr(g, a[2], 128)?, a[3], 0, 0])
}

pub fn pidfd_open(_g: &dyn Guest, a: A) -> SysResult {
    sys3(434, a[0], a[1], 0)
}

pub fn pidfd_getfd(_g: &dyn Guest, a: A) -> SysResult {
    sys3(438, a[0], a[1], a[2])
}
