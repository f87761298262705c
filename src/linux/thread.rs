//! Guest threads: each guest thread is a host thread with its own CPU state
//! and its own engine (translations are per thread for now), sharing the
//! process (address space, file descriptors, signal dispositions).
//!
//! Owns thread creation for `clone(CLONE_VM|CLONE_THREAD…)`, thread exit
//! (CLONE_CHILD_CLEARTID's zero-and-wake, the last thread ending the
//! process) and the log of code ranges whose translations went stale, which
//! every thread's engine catches up with before it runs guest code again.

use super::{cpu_loop, Process};
use crate::guest::{GuestArch, GuestCpu};
use emu_syscalls::{Errno, NewThread};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Host stack of a guest thread's emulator side (the guest stack is in guest memory).
const HOST_STACK: usize = 4 << 20;
/// Stale code ranges kept for threads that have not caught up yet; a thread
/// further behind drops all its translations instead.
const MAX_CHANGES: usize = 4096;

/// Process-wide thread bookkeeping.
pub struct Threads {
    /// Guest threads not yet exited.
    live: AtomicUsize,
    /// Sequence number of the newest stale range (0: none yet).
    latest: AtomicU64,
    changes: Mutex<Changes>,
}

/// Stale ranges: `ranges[i]` has sequence number `first + i`.
struct Changes {
    first: u64,
    ranges: VecDeque<(u64, u64)>,
}

/// What a thread's engine must drop to catch up.
pub enum Stale {
    Range(u64, u64),
    Everything,
}

impl Threads {
    pub fn new() -> Threads {
        Threads {
            live: AtomicUsize::new(1),
            latest: AtomicU64::new(0),
            changes: Mutex::new(Changes {
                first: 1,
                ranges: VecDeque::new(),
            }),
        }
    }

    /// The current sequence number: a new thread starts from here (its
    /// engine has nothing translated yet).
    pub fn seen_now(&self) -> u64 {
        self.latest.load(Ordering::Acquire)
    }

    /// Records code ranges whose translations are stale in every thread.
    pub fn publish(&self, ranges: impl IntoIterator<Item = (u64, u64)>) {
        let mut c = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        for r in ranges {
            c.ranges.push_back(r);
            if c.ranges.len() > MAX_CHANGES {
                c.ranges.pop_front();
                c.first += 1;
            }
        }
        let latest = c.first + c.ranges.len() as u64 - 1;
        self.latest.store(latest, Ordering::Release);
    }

    /// Hands `drop` what was published after `seen` and advances it. Cheap
    /// when nothing was (one atomic load).
    pub fn catch_up(&self, seen: &mut u64, mut drop: impl FnMut(Stale)) {
        if self.latest.load(Ordering::Acquire) == *seen {
            return;
        }
        let c = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        if *seen + 1 < c.first {
            drop(Stale::Everything);
        } else {
            let skip = (*seen + 1 - c.first) as usize;
            for &(start, end) in c.ranges.iter().skip(skip) {
                drop(Stale::Range(start, end));
            }
        }
        *seen = c.first + c.ranges.len() as u64 - 1;
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
        .name("guest".into())
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
    cpu: A::Cpu,
    engine: crate::engine::Engine<A>,
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
        cpu,
        engine: super::new_engine::<A>(process),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn drained(t: &Threads, seen: &mut u64) -> Vec<String> {
        let mut out = Vec::new();
        t.catch_up(seen, |s| {
            out.push(match s {
                Stale::Range(a, b) => format!("{a:#x}-{b:#x}"),
                Stale::Everything => "all".into(),
            })
        });
        out
    }

    #[test]
    fn threads_catch_up_with_stale_code_once() {
        let t = Threads::new();
        let mut a = t.seen_now();
        t.publish([(0x1000, 0x2000)]);
        let mut b = t.seen_now();
        t.publish([(0x3000, 0x4000), (0x5000, 0x6000)]);
        assert_eq!(
            drained(&t, &mut a),
            ["0x1000-0x2000", "0x3000-0x4000", "0x5000-0x6000"]
        );
        assert_eq!(drained(&t, &mut b), ["0x3000-0x4000", "0x5000-0x6000"]);
        assert!(drained(&t, &mut a).is_empty());
    }

    #[test]
    fn a_thread_too_far_behind_drops_everything() {
        let t = Threads::new();
        let mut old = t.seen_now();
        t.publish((0..MAX_CHANGES as u64 + 10).map(|i| (i, i + 1)));
        assert_eq!(drained(&t, &mut old), ["all"]);
        assert!(drained(&t, &mut old).is_empty());
    }
}
