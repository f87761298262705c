//! The execution engine: finds or translates the block for a guest pc, runs
//! it on the backend, and repeats until something needs the Linux layer (a
//! syscall, a fault, a breakpoint). Owns the translation cache.
//!
//! Blocks are translated once and kept until a flush (`fence.i`,
//! `riscv_flush_icache`, or code unmapped/reprotected). The translations
//! of a process are shared by all its threads (`shared`: lock-free lookups
//! in `blocks`, one writer at a time); an [`Engine`] is one thread's view,
//! with its own jump cache.
//!
//! Two backends ([`Accel`]): the IR interpreter, and on x86-64 hosts the
//! JIT (`backend::x64`), whose blocks chain to each other directly and
//! look indirect targets up in an inline jump cache, so they come back here
//! only for a block not translated yet, a jump-cache miss, or an exit.

use crate::backend::interp::{BlockExit, Machine};
use crate::guest::{CodeFetch, GuestArch, GuestCpu};
use crate::ir::{self, ExitReason};
use crate::log::Log;
use crate::mem::AddressSpace;
use std::fmt::Write;
use std::sync::Arc;

pub mod blocks;
pub mod debug;
mod disasm;
pub mod shared;
#[cfg(test)]
mod tests;

use crate::mem::fault::{BUS_ADRALN, SEGV_ACCERR, SEGV_MAPERR};
use blocks::{Body, Translation};
pub use shared::SharedCode;

/// Why the engine handed control back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A syscall: arguments are in the CPU state, pc is past the trap.
    Syscall,
    /// Breakpoint instruction at the CPU's pc (SIGTRAP).
    Breakpoint,
    /// Illegal instruction at the CPU's pc (SIGILL).
    IllegalInstruction,
    /// Instruction fetch from a non-executable or unmapped address (SIGSEGV).
    FetchFault { addr: u64 },
    /// A data access fault at the CPU's pc: `signal` is SIGSEGV or SIGBUS.
    MemFault { addr: u64, signal: i32, code: i32 },
    /// The exit request was set (a signal for the guest arrived); the guest
    /// is at the CPU's pc.
    Interrupted,
    /// Under a debugger: one instruction ran; the guest is at the CPU's pc.
    Stepped,
}

/// Guest code reader over the address space: only executable pages.
struct Fetch<'a>(&'a AddressSpace);

impl CodeFetch for Fetch<'_> {
    fn fetch_u16(&self, addr: u64) -> Option<u16> {
        let prot = self.0.prot_at(addr)?;
        if prot & libc::PROT_EXEC == 0 {
            return None;
        }
        let mut b = [0u8; 2];
        self.0.read(addr, &mut b).ok()?;
        Some(u16::from_le_bytes(b))
    }
}

/// Translation counters (pinned by the engine tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub blocks_translated: u64,
    /// Invalidations and flushes this thread made.
    pub flushes: u64,
    /// Flushes of the whole shared cache so far (by any thread; a full
    /// code cache, fence.i).
    pub cache_flushes: u64,
    /// JIT: exits patched into direct jumps to their target block.
    pub chains_patched: u64,
    /// JIT: entries written into the inline jump cache of indirect jumps.
    pub jump_cache_fills: u64,
    /// JIT: indirect jumps that missed the inline jump cache.
    pub jump_cache_misses: u64,
    /// JIT: call sites' return cells filled, so that returns predicted by the
    /// return-address stack jump straight to the return block.
    pub return_cells_filled: u64,
    /// JIT: returns predicted by the return-address stack whose cell was
    /// still empty (each fills it).
    pub return_cell_misses: u64,
    /// JIT: times the engine entered translated code.
    pub jit_entries: u64,
}

/// Which backend runs translated blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Accel {
    /// The IR interpreter (portable; the reference).
    #[default]
    Interp,
    /// The x86-64 JIT (falls back to the interpreter on other hosts).
    Jit,
}

impl Accel {
    /// The backend used when none is asked for: the JIT where it exists.
    pub fn host_default() -> Accel {
        if cfg!(target_arch = "x86_64") {
            Accel::Jit
        } else {
            Accel::Interp
        }
    }
}

/// Entries in each thread's jump cache (pc → block), a power of two.
const JUMP_CACHE_SIZE: usize = 1 << 12;
#[cfg(target_arch = "x86_64")]
const _: () = assert!(crate::backend::x64::JUMP_TABLE_MASK as usize + 1 == JUMP_CACHE_SIZE);

/// An empty jump-cache entry: an odd pc no jump can target.
const EMPTY_SLOT: (u64, usize) = (u64::MAX, 0);

fn jump_slot(pc: u64) -> usize {
    ((pc >> 1) as usize) & (JUMP_CACHE_SIZE - 1)
}

/// What one guarded run of chained blocks ended with.
enum Step {
    /// The next block is not translated yet (or tracing wants control back).
    Continue,
    /// The exit request is set.
    Interrupted,
    Exit(ExitReason),
    BadAccess {
        addr: u64,
        misaligned: bool,
    },
}

/// One guest thread's engine over its process's shared translations.
pub struct Engine<A: GuestArch> {
    shared: Arc<SharedCode>,
    /// This engine's id in `shared`.
    id: u64,
    /// Address of the exit-request word registered with `shared` (0: none).
    registered: usize,
    /// The shared cache's epoch this thread's jump cache is up to date with.
    epoch: u64,
    /// This thread's jump cache in front of the shared map: (pc, block) for
    /// the interpreter; (pc, host code) for the JIT, whose indirect jumps
    /// probe it inline.
    jump_cache: Box<[(u64, usize)]>,
    /// `-perfmap`: `/tmp/perf-PID.map`, one line per translated block.
    perfmap: Option<std::fs::File>,
    pub stats: Stats,
    _arch: std::marker::PhantomData<A>,
}

impl<A: GuestArch> Default for Engine<A> {
    fn default() -> Self {
        Engine::new(Accel::Interp)
    }
}

impl<A: GuestArch> Drop for Engine<A> {
    fn drop(&mut self) {
        self.shared.unregister_cpu(self.id);
    }
}

impl<A: GuestArch> Engine<A> {
    /// An engine with translations of its own, running blocks on `accel`
    /// (the interpreter if the JIT cannot run on this host).
    pub fn new(accel: Accel) -> Self {
        Engine::sharing(&SharedCode::new::<A>(
            accel,
            crate::backend::DEFAULT_CODE_CACHE_SIZE,
            false,
        ))
    }

    /// An engine for another thread of the process whose translations
    /// `shared` holds.
    pub fn sharing(shared: &Arc<SharedCode>) -> Self {
        Engine {
            shared: shared.clone(),
            id: shared.new_engine_id(),
            registered: 0,
            epoch: shared.epoch(),
            jump_cache: vec![EMPTY_SLOT; JUMP_CACHE_SIZE].into_boxed_slice(),
            perfmap: None,
            stats: Stats::default(),
            _arch: std::marker::PhantomData,
        }
    }

    /// The translations this engine uses (to share with another thread's).
    pub fn shared(&self) -> &Arc<SharedCode> {
        &self.shared
    }

    /// Appends every new block's host code range to `/tmp/perf-PID.map`
    /// (the perf JIT-map convention), so `perf report` names guest code.
    pub fn enable_perfmap(&mut self) {
        let path = format!("/tmp/perf-{}.map", std::process::id());
        self.perfmap = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok();
    }

    /// The backend actually in use.
    pub fn accel(&self) -> Accel {
        self.shared.accel()
    }

    /// Drops every translation, in every thread (the guest changed or asked
    /// to resync code). Must not be called while running translated code.
    pub fn flush(&mut self) {
        self.shared.flush(self.id);
        self.stats.flushes += 1;
    }

    /// Drops translations overlapping guest addresses `start..end`, in
    /// every thread.
    pub fn invalidate(&mut self, start: u64, end: u64) {
        if self.shared.invalidate(start, end, self.id) {
            self.stats.flushes += 1;
        }
    }

    /// Translates and optimises the block at `pc`, logging it as asked;
    /// for a debugger, one instruction recording its memory accesses.
    fn translate(pc: u64, space: &AddressSpace, log: &Log, debug: bool) -> ir::Block {
        let max_insns = if debug { 1 } else { u32::MAX };
        let mut block = A::translate(pc, &Fetch(space), max_insns);
        if log.items.in_asm {
            log.write(&disasm::guest_block::<A>(space, &block));
        }
        if log.items.op {
            log.write(&format!("OP:\n{block}\n"));
        }
        crate::opt::optimize(&mut block);
        if debug {
            debug::record_accesses(&mut block);
        }
        debug_assert_eq!(ir::verify(&block), Ok(()), "{block}");
        if log.items.op_opt {
            log.write(&format!("OP after optimization:\n{block}\n"));
        }
        block
    }

    /// Translates the block at `pc` and publishes it to every thread.
    /// Must not be called while running.
    fn translate_and_publish(&mut self, pc: u64, space: &AddressSpace, log: &Log) {
        let shared = self.shared.clone();
        let stats = &mut self.stats;
        let perfmap = &mut self.perfmap;
        let debug = shared.debug();
        let translate = || {
            stats.blocks_translated += 1;
            Self::translate(pc, space, log, debug)
        };
        shared.translate(self.id, pc, translate, |t| {
            #[allow(unused_variables)]
            let Body::Jit { entry, len, .. } = t.body
            else {
                return;
            };
            if let Some(f) = perfmap {
                use std::io::Write as _;
                let _ = writeln!(f, "{entry:x} {len:x} guest_{pc:x}");
            }
            #[cfg(target_arch = "x86_64")]
            if log.items.out_asm {
                // SAFETY: the block's code, just written to the cache.
                let code = unsafe { std::slice::from_raw_parts(entry as *const u8, len) };
                log.write(&format!(
                    "OUT: [guest pc {pc:#x}]\n{}\n",
                    crate::backend::x64::disassemble(code, entry as u64)
                ));
            }
        });
        self.stats.cache_flushes = self.shared.generation();
    }

    /// Makes `cpu`'s exit request the word set when this thread must leave
    /// translated code (the CPU must outlive the engine, or be replaced by
    /// the next run's before it goes).
    fn register(&mut self, cpu: &A::Cpu) {
        let word = crate::guest::exit_request::<A>(cpu);
        let at = word as *const _ as usize;
        if at != self.registered {
            self.shared.register_cpu(self.id, word);
            self.registered = at;
        }
    }

    /// Starts running translated code: from here until `end_run` no flush
    /// frees any. Empties this thread's jump cache if blocks went since it
    /// was last brought up to date.
    fn begin_run(&mut self) {
        self.shared.begin_run();
        let epoch = self.shared.epoch();
        if epoch != self.epoch {
            self.jump_cache.fill(EMPTY_SLOT);
            self.epoch = epoch;
        }
    }

    /// The block at `pc` if it is translated: no allocation, no lock, safe
    /// inside `guarded`. Only while running.
    fn lookup(&mut self, pc: u64) -> Option<*const Translation> {
        let slot = &mut self.jump_cache[jump_slot(pc)];
        if slot.0 == pc {
            return Some(slot.1 as *const Translation);
        }
        let t = self.shared.get(pc)?;
        *slot = (pc, t as usize);
        Some(t)
    }

    /// Runs guest code from `cpu.pc()` until an [`Event`]. On return the CPU
    /// state is precise: pc is the instruction to report or resume at.
    pub fn run(&mut self, cpu: &mut A::Cpu, space: &AddressSpace, log: &Log) -> Event {
        self.register(cpu);
        #[cfg(target_arch = "x86_64")]
        if let Some(runner) = self.shared.runner() {
            return self.run_jit(runner, cpu, space, log);
        }
        let mut m = Machine::new(cpu as *mut A::Cpu as *mut u8, space.base(), space.size());
        // Tracing takes control back after every block, to log outside
        // `guarded`; a debugger after every (one-instruction) block.
        let debug = self.shared.debug();
        let trace = log.items.exec || log.items.cpu || debug;
        loop {
            let pc = cpu.pc();
            if trace {
                Self::trace(cpu, log);
            }
            self.begin_run();
            let Some(first) = self.lookup(pc) else {
                self.shared.end_run();
                self.translate_and_publish(pc, space, log);
                continue;
            };
            // Inside `guarded` only block execution and cache lookups happen:
            // no allocation, no locks (a guest fault unwinds by longjmp).
            let step = crate::mem::guarded(|| {
                let mut block = first;
                loop {
                    // SAFETY: blocks stay alive while this thread runs, the
                    // state pointer is `cpu`, and we are inside `guarded`.
                    let Body::Interp(code) = (unsafe { &(*block).body }) else {
                        unreachable!("interpreter engine with JIT code")
                    };
                    // SAFETY: as above.
                    match unsafe { m.run(code) } {
                        BlockExit::Next(next) => {
                            cpu.set_pc(next);
                            if exit_requested::<A>(cpu) {
                                return Step::Interrupted;
                            }
                            match self.lookup(next) {
                                Some(b) if !trace => block = b,
                                _ => return Step::Continue,
                            }
                        }
                        BlockExit::Exit(reason, at) => {
                            cpu.set_pc(at);
                            return Step::Exit(reason);
                        }
                        BlockExit::BadAccess {
                            pc,
                            addr,
                            misaligned,
                        } => {
                            cpu.set_pc(pc);
                            return Step::BadAccess { addr, misaligned };
                        }
                    }
                }
            });
            self.shared.end_run();
            return match step {
                Ok(Step::Continue) if debug => Event::Stepped,
                Ok(Step::Continue) => continue,
                Ok(Step::Interrupted) => Event::Interrupted,
                Ok(Step::Exit(ExitReason::FlushICache)) => {
                    self.flush();
                    if debug {
                        return Event::Stepped;
                    }
                    continue;
                }
                Ok(Step::Exit(ExitReason::Syscall)) => Event::Syscall,
                Ok(Step::Exit(ExitReason::Breakpoint)) => Event::Breakpoint,
                Ok(Step::Exit(ExitReason::IllegalInstruction)) => Event::IllegalInstruction,
                Ok(Step::Exit(ExitReason::FetchFault)) => Event::FetchFault { addr: cpu.pc() },
                Ok(Step::BadAccess {
                    addr,
                    misaligned: true,
                }) => Event::MemFault {
                    addr,
                    signal: libc::SIGBUS,
                    code: BUS_ADRALN,
                },
                Ok(Step::BadAccess {
                    addr,
                    misaligned: false,
                }) => Event::MemFault {
                    addr,
                    signal: libc::SIGSEGV,
                    code: SEGV_MAPERR,
                },
                Err(fault) => {
                    cpu.set_pc(m.insn_pc);
                    fault_event(&fault, space)
                }
            };
        }
    }

    /// Logs the CPU state and/or pc before a block when tracing.
    fn trace(cpu: &A::Cpu, log: &Log) {
        let mut line = String::new();
        if log.items.cpu {
            line.push_str(&cpu.dump());
        }
        if log.items.exec {
            let _ = writeln!(line, "Trace: {:#x}", cpu.pc());
        }
        log.write(&line);
    }

    /// [`run`](Self::run) on the JIT: translation, chaining and jump-cache
    /// fills happen here, between runs of translated code; only the run
    /// itself is inside `guarded`.
    #[cfg(target_arch = "x86_64")]
    fn run_jit(
        &mut self,
        runner: crate::backend::x64::Runner,
        cpu: &mut A::Cpu,
        space: &AddressSpace,
        log: &Log,
    ) -> Event {
        use crate::backend::x64::{fill_jump_table, guest_pc_in, JitExit};
        // Tracing takes control back after every block: no chaining then.
        // Neither under a debugger, which wants it after every
        // (one-instruction) block.
        let debug = self.shared.debug();
        let trace = log.items.exec || log.items.cpu || debug;
        let state = cpu as *mut A::Cpu as *mut u8;
        let base = space.base();
        // The patchable exit or return cell the last run left by, with the
        // code generation it belongs to.
        let mut pending: Option<(Pending, u64)> = None;
        loop {
            let pc = cpu.pc();
            if trace {
                Self::trace(cpu, log);
            }
            // Not running: translate and patch (both take the writer lock,
            // which a flush holds while it waits for running threads).
            if self.shared.get(pc).is_none() {
                self.translate_and_publish(pc, space, log);
            }
            match pending.take() {
                Some((Pending::Chain(site), generation))
                    if !trace && self.shared.chain(site, generation, pc) =>
                {
                    self.stats.chains_patched += 1;
                }
                Some((Pending::Return(cell), generation))
                    if !trace && self.shared.fill_return_cell(cell, generation, pc) =>
                {
                    self.stats.return_cells_filled += 1;
                }
                _ => {}
            }
            self.begin_run();
            let Some(t) = self.shared.get(pc) else {
                // Invalidated or flushed meanwhile.
                self.shared.end_run();
                continue;
            };
            // SAFETY: published, and this thread is running.
            let t = unsafe { &*t };
            let Body::Jit { entry, .. } = t.body else {
                unreachable!("JIT engine with interpreter code")
            };
            if !trace && fill_jump_table(&mut self.jump_cache, pc, entry) {
                self.stats.jump_cache_fills += 1;
            }
            self.stats.jit_entries += 1;
            let generation = self.shared.generation();
            let table = self.jump_cache.as_ptr();
            // SAFETY: `state` is `cpu`, `base` the guest space, `entry` a live
            // block, the jump cache holds blocks of this epoch; inside
            // `guarded` nothing allocates or locks.
            let r = crate::mem::guarded(|| unsafe { runner.run(state, base, table, entry) });
            // A fault in translated code is reported at its instruction; one
            // outside (in a helper) at the block's first instruction.
            let fault_pc = r.as_ref().err().map(|fault| {
                self.shared
                    .containing_host_pc(fault.host_pc)
                    .map_or(pc, |b| {
                        // SAFETY: this thread is still running.
                        let b = unsafe { &*b };
                        match &b.body {
                            Body::Jit {
                                entry, insn_map, ..
                            } => guest_pc_in(*entry, insn_map, b.pc, fault.host_pc),
                            Body::Interp(_) => pc,
                        }
                    })
            });
            self.shared.end_run();
            match r {
                Ok(JitExit::Chain { pc, site }) => {
                    cpu.set_pc(pc);
                    pending = Some((Pending::Chain(site), generation));
                }
                Ok(JitExit::Return { pc, cell }) => {
                    cpu.set_pc(pc);
                    self.stats.return_cell_misses += 1;
                    pending = Some((Pending::Return(cell), generation));
                }
                Ok(JitExit::Next(pc)) => {
                    cpu.set_pc(pc);
                    self.stats.jump_cache_misses += 1;
                }
                Ok(JitExit::Interrupted(pc)) => {
                    cpu.set_pc(pc);
                    return Event::Interrupted;
                }
                Ok(JitExit::Exit(reason, pc)) => {
                    cpu.set_pc(pc);
                    return match reason {
                        ExitReason::FlushICache => {
                            self.flush();
                            if debug {
                                return Event::Stepped;
                            }
                            continue;
                        }
                        ExitReason::Syscall => Event::Syscall,
                        ExitReason::Breakpoint => Event::Breakpoint,
                        ExitReason::IllegalInstruction => Event::IllegalInstruction,
                        ExitReason::FetchFault => Event::FetchFault { addr: pc },
                    };
                }
                Ok(JitExit::Misaligned { pc, addr }) => {
                    cpu.set_pc(pc);
                    return Event::MemFault {
                        addr,
                        signal: libc::SIGBUS,
                        code: BUS_ADRALN,
                    };
                }
                Err(fault) => {
                    cpu.set_pc(fault_pc.unwrap_or(pc));
                    return fault_event(&fault, space);
                }
            }
            // One block ran and the guest goes on at the CPU's pc.
            if debug {
                return Event::Stepped;
            }
        }
    }
}

/// What to point at the next block once it is translated.
#[cfg(target_arch = "x86_64")]
enum Pending {
    /// A chainable exit's rel32 field.
    Chain(usize),
    /// A call site's return cell.
    Return(usize),
}

/// Whether the exit request in `cpu` is set.
fn exit_requested<A: GuestArch>(cpu: &A::Cpu) -> bool {
    crate::guest::exit_request::<A>(cpu).load(std::sync::atomic::Ordering::Relaxed) != 0
}

/// The guest event for a host fault on a guest access.
fn fault_event(fault: &crate::mem::Fault, space: &AddressSpace) -> Event {
    let addr = (fault.host_addr as u64).wrapping_sub(space.base() as u64);
    // The host says ACCERR for our PROT_NONE reservation too: the
    // guest view decides between "unmapped" and "no permission".
    let code = if fault.signal == libc::SIGSEGV {
        if space.prot_at(addr).is_some() {
            SEGV_ACCERR
        } else {
            SEGV_MAPERR
        }
    } else {
        fault.code
    };
    Event::MemFault {
        addr,
        signal: fault.signal,
        code,
    }
}
