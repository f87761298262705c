//! The execution engine: finds or translates the block for a guest pc, runs
//! it on the backend, and repeats until something needs the Linux layer (a
//! syscall, a fault, a breakpoint). Owns the translation cache.
//!
//! Blocks are translated once and kept until a flush (`fence.i`,
//! `riscv_flush_icache`, or code unmapped/reprotected). The cache is per
//! thread for now; the threads issue makes it shared.
//!
//! Two backends ([`Accel`]): the IR interpreter, and on x86-64 hosts the
//! JIT (`backend::x64`), whose blocks chain to each other directly and
//! look indirect targets up in an inline jump cache, so they come back here
//! only for a block not translated yet, a jump-cache miss, or an exit.

use crate::backend::interp::{self, BlockExit, Code, Machine};
use crate::guest::{CodeFetch, GuestArch, GuestCpu};
use crate::ir::{self, ExitReason};
use crate::log::Log;
use crate::mem::AddressSpace;
use std::collections::HashMap;
use std::fmt::Write;

mod disasm;
#[cfg(test)]
mod tests;

use crate::mem::fault::{BUS_ADRALN, SEGV_ACCERR, SEGV_MAPERR};

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
    pub flushes: u64,
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

/// Entries in the direct-mapped jump cache (pc → block), a power of two.
const JUMP_CACHE_SIZE: usize = 1 << 12;

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

pub struct Engine<A: GuestArch> {
    /// Every translation, by guest pc. Boxed so a block's address is stable
    /// until it is invalidated.
    cache: HashMap<u64, Box<Code>>,
    /// Fast path in front of `cache`: (pc, block) by pc bits; a null block is empty.
    jump_cache: Vec<(u64, *const Code)>,
    /// The JIT, when it is the backend (then `cache` stays empty).
    #[cfg(target_arch = "x86_64")]
    jit: Option<Box<crate::backend::x64::Jit>>,
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

fn jump_slot(pc: u64) -> usize {
    ((pc >> 1) as usize) & (JUMP_CACHE_SIZE - 1)
}

impl<A: GuestArch> Engine<A> {
    /// An engine running blocks on `accel` (the interpreter if the JIT
    /// cannot run on this host).
    pub fn new(accel: Accel) -> Self {
        #[cfg(not(target_arch = "x86_64"))]
        let _ = accel;
        Engine {
            cache: HashMap::new(),
            jump_cache: vec![(0, std::ptr::null()); JUMP_CACHE_SIZE],
            #[cfg(target_arch = "x86_64")]
            jit: match accel {
                Accel::Jit => crate::backend::x64::Jit::new(
                    crate::backend::x64::cache::DEFAULT_SIZE,
                    A::SP_OFFSET,
                    A::EXIT_REQUEST_OFFSET,
                )
                .map(Box::new),
                Accel::Interp => None,
            },
            perfmap: None,
            stats: Stats::default(),
            _arch: std::marker::PhantomData,
        }
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
        #[cfg(target_arch = "x86_64")]
        if self.jit.is_some() {
            return Accel::Jit;
        }
        Accel::Interp
    }

    /// Drops every translation (the guest changed or asked to resync code).
    pub fn flush(&mut self) {
        self.cache.clear();
        self.jump_cache.fill((0, std::ptr::null()));
        #[cfg(target_arch = "x86_64")]
        if let Some(jit) = &mut self.jit {
            jit.flush();
        }
        self.stats.flushes += 1;
    }

    /// Drops translations overlapping guest addresses `start..end`.
    pub fn invalidate(&mut self, start: u64, end: u64) {
        let before = self.cache.len();
        self.cache
            .retain(|_, b| b.pc.saturating_add(b.size.max(1)) <= start || b.pc >= end);
        #[allow(unused_mut)]
        let mut dropped = self.cache.len() != before;
        #[cfg(target_arch = "x86_64")]
        if let Some(jit) = &mut self.jit {
            dropped |= jit.invalidate(start, end);
        }
        if dropped {
            self.jump_cache.fill((0, std::ptr::null()));
            self.stats.flushes += 1;
        }
    }

    /// Translates and optimises the block at `pc`, logging it as asked.
    fn translate(&mut self, pc: u64, space: &AddressSpace, log: &Log) -> ir::Block {
        let mut block = A::translate(pc, &Fetch(space));
        self.stats.blocks_translated += 1;
        if log.items.in_asm {
            log.write(&disasm::guest_block::<A>(space, &block));
        }
        if log.items.op {
            log.write(&format!("OP:\n{block}\n"));
        }
        crate::opt::optimize(&mut block);
        debug_assert_eq!(ir::verify(&block), Ok(()), "{block}");
        if log.items.op_opt {
            log.write(&format!("OP after optimization:\n{block}\n"));
        }
        block
    }

    /// The block at `pc` if it is translated: no allocation, safe inside `guarded`.
    fn lookup(&mut self, pc: u64) -> Option<*const Code> {
        let slot = &mut self.jump_cache[jump_slot(pc)];
        if slot.0 == pc && !slot.1.is_null() {
            return Some(slot.1);
        }
        let block: *const Code = &**self.cache.get(&pc)?;
        *slot = (pc, block);
        Some(block)
    }

    /// The block at `pc`, translating it first if needed. Runs outside `guarded`.
    fn lookup_or_translate(&mut self, pc: u64, space: &AddressSpace, log: &Log) -> *const Code {
        if let Some(b) = self.lookup(pc) {
            return b;
        }
        let block = self.translate(pc, space, log);
        self.cache.insert(pc, Box::new(interp::compile(&block)));
        self.lookup(pc).expect("just inserted")
    }

    /// Runs guest code from `cpu.pc()` until an [`Event`]. On return the CPU
    /// state is precise: pc is the instruction to report or resume at.
    pub fn run(&mut self, cpu: &mut A::Cpu, space: &AddressSpace, log: &Log) -> Event {
        #[cfg(target_arch = "x86_64")]
        if self.jit.is_some() {
            return self.run_jit(cpu, space, log);
        }
        let mut m = Machine::new(cpu as *mut A::Cpu as *mut u8, space.base(), space.size());
        // Tracing takes control back after every block, to log outside `guarded`.
        let trace = log.items.exec || log.items.cpu;
        loop {
            let pc = cpu.pc();
            if trace {
                Self::trace(cpu, log);
            }
            let first = self.lookup_or_translate(pc, space, log);
            // Inside `guarded` only block execution and cache lookups happen:
            // no allocation, no locks (a guest fault unwinds by longjmp).
            let step = crate::mem::guarded(|| {
                let mut block = first;
                loop {
                    // SAFETY: blocks stay alive while the cache is not modified,
                    // the state pointer is `cpu`, and we are inside `guarded`.
                    match unsafe { m.run(&*block) } {
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
            return match step {
                Ok(Step::Continue) => continue,
                Ok(Step::Interrupted) => Event::Interrupted,
                Ok(Step::Exit(ExitReason::FlushICache)) => {
                    self.flush();
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
    fn run_jit(&mut self, cpu: &mut A::Cpu, space: &AddressSpace, log: &Log) -> Event {
        use crate::backend::x64::JitExit;
        // Tracing takes control back after every block: no chaining then.
        let trace = log.items.exec || log.items.cpu;
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
            let known = self.jit.as_ref().expect("jit").lookup(pc).map(|b| b.entry);
            let entry = match known {
                Some(e) => e,
                None => {
                    let block = self.translate(pc, space, log);
                    let jit = self.jit.as_mut().expect("jit");
                    let entry = jit.compile(&block);
                    if let Some(f) = &mut self.perfmap {
                        use std::io::Write as _;
                        let len = jit.lookup(pc).map_or(0, |b| b.len);
                        let _ = writeln!(f, "{entry:x} {len:x} guest_{pc:x}");
                    }
                    if log.items.out_asm {
                        let b = jit.lookup(pc).expect("just compiled");
                        // SAFETY: the block's code, just written to the cache.
                        let code = unsafe { std::slice::from_raw_parts(entry as *const u8, b.len) };
                        log.write(&format!(
                            "OUT: [guest pc {pc:#x}]\n{}\n",
                            crate::backend::x64::disassemble(code, entry as u64)
                        ));
                    }
                    entry
                }
            };
            let jit = self.jit.as_mut().expect("jit");
            if !trace {
                match pending.take() {
                    Some((Pending::Chain(site), generation)) => jit.chain(site, generation, pc),
                    Some((Pending::Return(cell), generation)) => {
                        jit.fill_return_cell(cell, generation, pc)
                    }
                    None => {}
                }
                jit.fill_jump_cache(pc, entry);
            }
            pending = None;
            jit.stats.entries += 1;
            let jit_ref: &crate::backend::x64::Jit = jit;
            // SAFETY: `state` is `cpu`, `base` the guest space, `entry` a live
            // block; inside `guarded` nothing allocates or locks.
            let r = crate::mem::guarded(|| unsafe { jit_ref.run(state, base, entry) });
            let jit = self.jit.as_mut().expect("jit");
            let s = jit.stats;
            self.stats.chains_patched = s.chains_patched;
            self.stats.jump_cache_fills = s.jump_cache_fills;
            self.stats.return_cells_filled = s.return_cells_filled;
            self.stats.jit_entries = s.entries;
            match r {
                Ok(JitExit::Chain { pc, site }) => {
                    cpu.set_pc(pc);
                    pending = Some((Pending::Chain(site), jit.generation));
                }
                Ok(JitExit::Return { pc, cell }) => {
                    cpu.set_pc(pc);
                    self.stats.return_cell_misses += 1;
                    pending = Some((Pending::Return(cell), jit.generation));
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
                    // A fault outside translated code (in a helper) is
                    // reported at the block's first instruction.
                    cpu.set_pc(jit.guest_pc_at(fault.host_pc).unwrap_or(pc));
                    return fault_event(&fault, space);
                }
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
