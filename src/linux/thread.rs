//! Guest threads: each guest thread is a host thread with its own CPU state
//! and its own engine, sharing the process (address space, translations,
//! file descriptors, signal dispositions).
//!
//! Owns thread creation for `clone(CLONE_VM|CLONE_THREAD…)`, vfork children,
//! and thread exit (CLONE_CHILD_CLEARTID's zero-and-wake, the last thread
//! ending the process).

use super::{cpu_loop, Process};
use crate::guest::{GuestArch, GuestCpu};
use emu_syscalls::{Errno, NewThread};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Host stack of a guest thread's emulator side (the guest stack is in guest memory).
const HOST_STACK: usize = 4 << 20;

/// Process-wide thread bookkeeping.
pub struct Threads {
    /// Guest threads not yet exited.
    live: AtomicUsize,
}

impl Threads {
    pub fn new() -> Threads {
        Threads {
            live: AtomicUsize::new(1),
        }
    }

    /// Guest threads not yet exited.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// In the child of a fork: only the calling thread exists there.
    pub fn forked(&self) {
        self.live.store(1, Ordering::Release);
    }
}

/// The CPU a clone child starts with: the parent's, returning 0 from the
/// clone, on the stack and with the thread pointer `req` asks for.
fn child_cpu<A: GuestArch>(parent: &A::Cpu, req: &NewThread) -> A::Cpu {
    let mut cpu = parent.clone();
    cpu.set_child_return();
    if req.stack != 0 {
        cpu.set_sp(req.stack);
    }
    if let Some(tp) = req.tls {
        cpu.set_tls(tp);
    }
    cpu
}

/// Starts a guest thread running a copy of `parent` (returning 0 from the
/// clone), as `req` asks; returns its tid once it exists and has stored it
/// where asked.
pub fn spawn<A: GuestArch>(
    process: &'static Process,
    parent: &A::Cpu,
    req: NewThread,
) -> Result<u64, Errno> {
    let mut cpu = child_cpu::<A>(parent, &req);
    let mask = emu_syscalls::guest_sigmask();
    let (tx, rx) = std::sync::mpsc::channel();
    process.threads.live.fetch_add(1, Ordering::AcqRel);
    let started = std::thread::Builder::new()
        // Unnamed: the thread keeps its creator's name, as in Linux.
        .stack_size(HOST_STACK)
        .spawn(move || {
            // SAFETY: gettid has no preconditions.
            let tid = unsafe { libc::gettid() };
            emu_syscalls::set_guest_sigmask(mask);
            emu_syscalls::set_clear_child_tid(req.clear_child_tid.unwrap_or(0));
            // As the kernel does, before the thread runs and before clone
            // returns in the parent (a failed store is ignored, as there).
            for at in [req.parent_tid, req.child_tid].into_iter().flatten() {
                let _ = process.space.write(at, &tid.to_ne_bytes());
            }
            let _ = tx.send(tid);
            cpu_loop::<A>(process, &mut cpu);
        });
    match started {
        Ok(_) => Ok(rx.recv().map_err(|_| libc::EAGAIN)? as u64),
        Err(_) => {
            process.threads.live.fetch_sub(1, Ordering::AcqRel);
            Err(libc::EAGAIN)
        }
    }
}

thread_local! {
    /// Set while a vfork child runs on this (its suspended parent's) thread.
    static IN_VFORK_CHILD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this is a vfork child (it leaves by `_exit`).
pub fn in_vfork_child() -> bool {
    IN_VFORK_CHILD.with(|c| c.get())
}

/// What a vfork child runs with, prepared by its parent (which frees it
/// once the child has exec'd or exited: the child's own memory is the
/// parent's until then).
struct VforkChild<A: GuestArch> {
    process: &'static Process,
    /// Dropped before `cpu`, whose exit-request word it registered.
    engine: crate::engine::Engine<A>,
    cpu: A::Cpu,
    req: NewThread,
}

/// `clone(CLONE_VM|CLONE_VFORK)`: a child process sharing the guest's (and
/// the emulator's) memory runs a copy of `parent` on a stack of its own,
/// while this thread waits in the kernel until it execs or exits, as the
/// guest's vfork or posix_spawn expects (the child's writes, such as
/// posix_spawn's exec error, are seen by the parent). Returns its pid.
pub fn vfork<A: GuestArch>(
    process: &'static Process,
    parent: &mut A::Cpu,
    req: NewThread,
) -> Result<u64, Errno> {
    let cpu = child_cpu::<A>(parent, &req);
    let parent_tid = req.parent_tid;
    let mut child = VforkChild {
        process,
        engine: super::new_engine::<A>(process),
        cpu,
        req,
    };
    // The child runs on this thread's thread-local storage: keep ours.
    let signals = emu_syscalls::thread_signals();
    let clear_tid = emu_syscalls::clear_child_tid();
    // SAFETY: a fresh private mapping for the child's host stack.
    let stack = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            HOST_STACK,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
            -1,
            0,
        )
    };
    if stack == libc::MAP_FAILED {
        return Err(libc::ENOMEM);
    }
    // SAFETY: the child gets its own stack and `child`, which outlives it
    // (this thread is suspended until the child execs or exits).
    let pid = unsafe {
        libc::clone(
            vfork_child_main::<A>,
            (stack as *mut u8).add(HOST_STACK) as *mut libc::c_void,
            libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
            &mut child as *mut VforkChild<A> as *mut libc::c_void,
        )
    };
    let err = std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EAGAIN);
    IN_VFORK_CHILD.with(|c| c.set(false));
    emu_syscalls::restore_thread_signals(signals);
    emu_syscalls::set_clear_child_tid(clear_tid);
    super::signal::watch_exit_request::<A>(parent);
    // SAFETY: the child no longer runs on it.
    unsafe { libc::munmap(stack, HOST_STACK) };
    if pid < 0 {
        return Err(err);
    }
    if let Some(at) = parent_tid {
        let _ = process.space.write(at, &pid.to_ne_bytes());
    }
    Ok(pid as u64)
}

extern "C" fn vfork_child_main<A: GuestArch>(arg: *mut libc::c_void) -> i32 {
    // SAFETY: `vfork` passed its `VforkChild`, alive while we run.
    let child = unsafe { &mut *(arg as *mut VforkChild<A>) };
    IN_VFORK_CHILD.with(|c| c.set(true));
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    emu_syscalls::set_clear_child_tid(child.req.clear_child_tid.unwrap_or(0));
    if let Some(at) = child.req.child_tid {
        let _ = child.process.space.write(at, &tid.to_ne_bytes());
    }
    super::run_thread::<A>(child.process, &mut child.cpu, &mut child.engine);
    // SAFETY: as in run_thread's exits.
    unsafe { libc::_exit(0) }
}

/// Ends the calling guest thread with `code`: its CLONE_CHILD_CLEARTID word
/// is zeroed and futex-woken (what pthread_join waits for); the last thread
/// ends the process. Returns if other threads live on.
pub fn exit(process: &Process, code: i32) {
    let tid_addr = emu_syscalls::clear_child_tid();
    if tid_addr != 0 && process.space.write(tid_addr, &0u32.to_ne_bytes()).is_ok() {
        if let Some(p) = process.space.host_ptr(tid_addr, 4) {
            // SAFETY: a futex wake on guest memory just written.
            unsafe { libc::syscall(libc::SYS_futex, p, libc::FUTEX_WAKE, 1, 0, 0, 0) };
        }
    }
    if process.threads.live.fetch_sub(1, Ordering::AcqRel) == 1 {
        std::process::exit(code);
    }
}
