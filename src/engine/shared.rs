//! The translation cache of a process, shared by all its guest threads.
//!
//! - Lookups are lock-free ([`BlockMap`]); each thread also keeps a small
//!   jump cache of its own in front of it (the JIT's inline one).
//! - Translation, chaining and invalidation take one lock (the writer).
//!   Invalidation unpublishes blocks and unpatches jumps into them while
//!   other threads run: a thread inside such a block finishes it, as if it
//!   had run just before. The invalidation `epoch` then tells every thread
//!   to empty its own jump cache before it enters translated code again,
//!   and each thread is asked (through its CPU's exit-request word) to
//!   leave translated code at its next block.
//! - Freeing code (a flush: the code cache is full, `fence.i`) waits until
//!   no thread runs or looks up translated code: QEMU's "exclusive" section.
//!   A thread counts as running from [`SharedCode::begin_run`] to
//!   [`SharedCode::end_run`]; a flush sets `pending`, asks every thread to
//!   leave, waits for the count to reach zero, frees, and lets them go on.
//!   Threads in system calls are not running, so they never hold it up.

use super::blocks::{BlockMap, Body, Translation};
use super::Accel;
use crate::backend::interp;
use crate::guest::GuestArch;
use crate::ir;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Threads running translated code, and the flush waiting for them.
#[derive(Default)]
struct Exclusive {
    running: AtomicUsize,
    pending: AtomicBool,
    lock: Mutex<()>,
    changed: Condvar,
}

impl Exclusive {
    fn begin(&self) {
        loop {
            self.running.fetch_add(1, Ordering::SeqCst);
            if !self.pending.load(Ordering::SeqCst) {
                return;
            }
            self.end();
            let mut g = lock(&self.lock);
            while self.pending.load(Ordering::SeqCst) {
                g = self.changed.wait(g).unwrap_or_else(|e| e.into_inner());
            }
        }
    }

    fn end(&self) {
        if self.running.fetch_sub(1, Ordering::SeqCst) == 1 && self.pending.load(Ordering::SeqCst) {
            let _g = lock(&self.lock);
            self.changed.notify_all();
        }
    }

    /// Runs `f` while no thread runs translated code; `kick` asks running
    /// threads to leave. Callers are serialised by the writer lock.
    fn run(&self, kick: impl FnOnce(), f: impl FnOnce()) {
        self.pending.store(true, Ordering::SeqCst);
        kick();
        let mut g = lock(&self.lock);
        while self.running.load(Ordering::SeqCst) != 0 {
            g = self.changed.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        f();
        self.pending.store(false, Ordering::SeqCst);
        self.changed.notify_all();
    }
}

/// What only the lock holder touches.
struct Writer {
    #[cfg(target_arch = "x86_64")]
    jit: Option<crate::backend::x64::Jit>,
}

pub struct SharedCode {
    blocks: BlockMap,
    writer: Mutex<Writer>,
    /// Bumped by every invalidation and flush: threads empty their own
    /// jump caches when they see it change.
    epoch: AtomicU64,
    /// Bumped by every flush: JIT patch sites reported before it are stale.
    generation: AtomicU64,
    exclusive: Exclusive,
    /// Exit-request words of the threads' CPUs, by engine id.
    cpus: Mutex<Vec<(u64, usize)>>,
    next_engine: AtomicU64,
    debug: bool,
    #[cfg(target_arch = "x86_64")]
    runner: Option<crate::backend::x64::Runner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SharedCode {
    /// A cache for guests of `A` on `accel` (the interpreter if the JIT
    /// cannot run on this host) with `code_size` bytes for JIT code; with
    /// `debug`, of code for a debugger (see `engine::debug`).
    pub fn new<A: GuestArch>(accel: Accel, code_size: usize, debug: bool) -> Arc<SharedCode> {
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (accel, code_size);
        #[cfg(target_arch = "x86_64")]
        let jit = match accel {
            Accel::Jit => {
                crate::backend::x64::Jit::new(code_size, A::SP_OFFSET, A::EXIT_REQUEST_OFFSET)
            }
            Accel::Interp => None,
        };
        Arc::new(SharedCode {
            blocks: BlockMap::new(),
            #[cfg(target_arch = "x86_64")]
            runner: jit.as_ref().map(|j| j.runner()),
            writer: Mutex::new(Writer {
                #[cfg(target_arch = "x86_64")]
                jit,
            }),
            epoch: AtomicU64::new(0),
            generation: AtomicU64::new(0),
            exclusive: Exclusive::default(),
            cpus: Mutex::new(Vec::new()),
            next_engine: AtomicU64::new(0),
            debug,
        })
    }

    /// Whether this is code for a debugger: one instruction per block,
    /// memory accesses recorded.
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// The backend in use.
    pub fn accel(&self) -> Accel {
        #[cfg(target_arch = "x86_64")]
        if self.runner.is_some() {
            return Accel::Jit;
        }
        Accel::Interp
    }

    #[cfg(target_arch = "x86_64")]
    pub fn runner(&self) -> Option<crate::backend::x64::Runner> {
        self.runner
    }

    /// The live translation of `pc`. Lock-free.
    ///
    /// Translations stay allocated until a flush, which bumps the epoch
    /// and never happens while a thread is running: a pointer is good while
    /// the caller runs with the epoch it had before getting it.
    pub fn get(&self, pc: u64) -> Option<*const Translation> {
        self.blocks.get(pc).map(|t| t as *const Translation)
    }

    /// The JIT translation whose code contains `host_pc`. Lock-free; good
    /// as [`get`](Self::get)'s.
    pub fn containing_host_pc(&self, host_pc: usize) -> Option<*const Translation> {
        self.blocks
            .containing_host_pc(host_pc)
            .map(|t| t as *const Translation)
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// The current code generation (stable while the caller is running).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Publishes the translation of the block at `pc` unless another
    /// thread did meanwhile; `translate` makes its IR and `on_new` sees the
    /// new one. Both run under the lock, so an invalidation cannot fall
    /// between reading the guest code and publishing what was read (it
    /// would miss the block and leave it stale). The caller (an engine id)
    /// must not be running.
    pub fn translate(
        &self,
        caller: u64,
        pc: u64,
        translate: impl FnOnce() -> ir::Block,
        on_new: impl FnOnce(&Translation),
    ) {
        let mut w = lock(&self.writer);
        if self.blocks.get(pc).is_some() {
            return;
        }
        if !self.blocks.has_room() {
            self.flush_locked(&mut w, caller);
        }
        let block = translate();
        let body = self.compile(&mut w, &block, caller);
        // SAFETY: we hold the writer lock and made room.
        on_new(unsafe {
            self.blocks
                .insert(Translation::new(block.pc, block.size, body))
        });
    }

    #[cfg(target_arch = "x86_64")]
    fn compile(&self, w: &mut Writer, block: &ir::Block, caller: u64) -> Body {
        if w.jit.is_none() {
            return Body::Interp(interp::compile(block));
        }
        for attempt in 0..2 {
            let jit = w.jit.as_mut().expect("jit");
            if let Some(b) = jit.try_compile(block) {
                return Body::Jit {
                    entry: b.entry,
                    len: b.len,
                    insn_map: b.insn_map.clone(),
                };
            }
            assert_eq!(attempt, 0, "block does not fit in an empty code cache");
            self.flush_locked(w, caller);
        }
        unreachable!()
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn compile(&self, _w: &mut Writer, block: &ir::Block, _caller: u64) -> Body {
        Body::Interp(interp::compile(block))
    }

    /// Drops translations overlapping guest `start..end` in every thread;
    /// returns whether any went. `caller` (an engine id) is not asked to
    /// leave translated code (it is not in it).
    pub fn invalidate(&self, start: u64, end: u64, caller: u64) -> bool {
        let _w = lock(&self.writer);
        // SAFETY: we hold the writer lock.
        let gone = unsafe { self.blocks.remove_range(start, end) };
        if gone.is_empty() {
            return false;
        }
        #[cfg(target_arch = "x86_64")]
        {
            let mut w = _w;
            if let Some(jit) = &mut w.jit {
                jit.invalidate(start, end);
            }
        }
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.kick(caller);
        true
    }

    /// Drops every translation in every thread. The caller (an engine id)
    /// must not be running.
    pub fn flush(&self, caller: u64) {
        let mut w = lock(&self.writer);
        self.flush_locked(&mut w, caller);
    }

    fn flush_locked(&self, _w: &mut Writer, caller: u64) {
        self.exclusive.run(
            || self.kick(caller),
            || {
                // SAFETY: no thread runs or looks up translated code.
                unsafe { self.blocks.clear() };
                #[cfg(target_arch = "x86_64")]
                if let Some(jit) = &mut _w.jit {
                    jit.flush();
                }
                self.generation.fetch_add(1, Ordering::AcqRel);
                self.epoch.fetch_add(1, Ordering::SeqCst);
            },
        );
    }

    /// Points the chainable exit at `site` (of code `generation`) at the
    /// block of `pc`; returns whether it did.
    #[cfg(target_arch = "x86_64")]
    pub fn chain(&self, site: usize, generation: u64, pc: u64) -> bool {
        let mut w = lock(&self.writer);
        w.jit
            .as_mut()
            .is_some_and(|j| j.chain(site, generation, pc))
    }

    /// Fills the return cell `cell` (of code `generation`) with the block of
    /// `pc`; returns whether it did.
    #[cfg(target_arch = "x86_64")]
    pub fn fill_return_cell(&self, cell: usize, generation: u64, pc: u64) -> bool {
        let mut w = lock(&self.writer);
        w.jit
            .as_mut()
            .is_some_and(|j| j.fill_return_cell(cell, generation, pc))
    }

    /// The calling thread starts running translated code (waits while a
    /// flush is pending).
    pub fn begin_run(&self) {
        self.exclusive.begin();
    }

    /// The calling thread stopped running translated code.
    pub fn end_run(&self) {
        self.exclusive.end();
    }

    /// A new engine's id.
    pub fn new_engine_id(&self) -> u64 {
        self.next_engine.fetch_add(1, Ordering::Relaxed)
    }

    /// Records the exit-request word of the CPU engine `id` runs (replacing
    /// the one it had): it is set to make the thread leave translated code.
    pub fn register_cpu(&self, id: u64, exit_request: &AtomicU32) {
        let at = exit_request as *const AtomicU32 as usize;
        let mut cpus = lock(&self.cpus);
        cpus.retain(|&(e, _)| e != id);
        cpus.push((id, at));
    }

    pub fn unregister_cpu(&self, id: u64) {
        lock(&self.cpus).retain(|&(e, _)| e != id);
    }

    /// Asks every registered thread but engine `except`'s to leave
    /// translated code at its next block.
    fn kick(&self, except: u64) {
        for &(id, at) in lock(&self.cpus).iter() {
            if id != except {
                // SAFETY: a registered CPU outlives its registration.
                unsafe { (*(at as *const AtomicU32)).store(1, Ordering::SeqCst) };
            }
        }
    }

    /// Runs `fork` (a host fork) with the cache's locks held, so the child
    /// does not inherit them held by a thread it no longer has; in the child
    /// only the thread whose CPU has exit-request word `keep` remains.
    /// Returns what `fork` returned.
    pub fn around_fork(&self, keep: *const AtomicU32, fork: impl FnOnce() -> i32) -> i32 {
        let w = lock(&self.writer);
        let mut cpus = lock(&self.cpus);
        let g = lock(&self.exclusive.lock);
        let pid = fork();
        if pid == 0 {
            // The caller is in a system call, not running translated code.
            self.exclusive.running.store(0, Ordering::SeqCst);
            cpus.retain(|&(_, at)| at == keep as usize);
        }
        drop(g);
        drop(cpus);
        drop(w);
        pid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::riscv64::Riscv64;

    #[test]
    fn a_flush_waits_for_running_threads_and_kicks_them_out() {
        let shared = SharedCode::new::<Riscv64>(Accel::Interp, 0, false);
        let word = Arc::new(AtomicU32::new(0));
        let id = shared.new_engine_id();
        shared.register_cpu(id, &word);
        let flushed = Arc::new(AtomicBool::new(false));
        shared.begin_run();
        let flusher = {
            let (shared, flushed) = (shared.clone(), flushed.clone());
            std::thread::spawn(move || {
                shared.flush(u64::MAX);
                flushed.store(true, Ordering::SeqCst);
            })
        };
        // The "running thread" leaves only when asked.
        while word.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!flushed.load(Ordering::SeqCst), "flushed while running");
        let epoch = shared.epoch();
        shared.end_run();
        flusher.join().unwrap();
        assert!(flushed.load(Ordering::SeqCst));
        assert_eq!(shared.epoch(), epoch + 1);
        assert_eq!(shared.generation(), 1);
        // Running again is allowed once the flush is over.
        shared.begin_run();
        shared.end_run();
        shared.unregister_cpu(id);
    }
}
