//! The execution engine: finds or translates the block for a guest pc, runs
//! it on the backend, and repeats until something needs the Linux layer (a
//! syscall, a fault, a breakpoint). Owns the translation cache.
//!
//! Blocks are translated once and kept until a flush (`fence.i`,
//! `riscv_flush_icache`, or code unmapped/reprotected). The cache is per
//! thread for now; the threads issue makes it shared.

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
}

/// Entries in the direct-mapped jump cache (pc → block), a power of two.
const JUMP_CACHE_SIZE: usize = 1 << 12;

/// What one guarded run of chained blocks ended with.
enum Step {
    /// The next block is not translated yet (or tracing wants control back).
    Continue,
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
    pub stats: Stats,
    _arch: std::marker::PhantomData<A>,
}

impl<A: GuestArch> Default for Engine<A> {
    fn default() -> Self {
        Engine {
            cache: HashMap::new(),
            jump_cache: vec![(0, std::ptr::null()); JUMP_CACHE_SIZE],
            stats: Stats::default(),
            _arch: std::marker::PhantomData,
        }
    }
}

fn jump_slot(pc: u64) -> usize {
    ((pc >> 1) as usize) & (JUMP_CACHE_SIZE - 1)
}

impl<A: GuestArch> Engine<A> {
    /// Drops every translation (the guest changed or asked to resync code).
    pub fn flush(&mut self) {
        self.cache.clear();
        self.jump_cache.fill((0, std::ptr::null()));
        self.stats.flushes += 1;
    }

    /// Drops translations overlapping guest addresses `start..end`.
    pub fn invalidate(&mut self, start: u64, end: u64) {
        let before = self.cache.len();
        self.cache
            .retain(|_, b| b.pc.saturating_add(b.size.max(1)) <= start || b.pc >= end);
        if self.cache.len() != before {
            self.jump_cache.fill((0, std::ptr::null()));
            self.stats.flushes += 1;
        }
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
        let mut block = A::translate(pc, &Fetch(space));
        crate::opt::optimize(&mut block);
        debug_assert_eq!(ir::verify(&block), Ok(()), "{block}");
        self.stats.blocks_translated += 1;
        if log.items.in_asm {
            log.write(&disasm::guest_block::<A>(space, &block));
        }
        if log.items.op {
            log.write(&format!("OP:\n{block}\n"));
        }
        self.cache.insert(pc, Box::new(interp::compile(&block)));
        self.lookup(pc).expect("just inserted")
    }

    /// Runs guest code from `cpu.pc()` until an [`Event`]. On return the CPU
    /// state is precise: pc is the instruction to report or resume at.
    pub fn run(&mut self, cpu: &mut A::Cpu, space: &AddressSpace, log: &Log) -> Event {
        let mut m = Machine::new(cpu as *mut A::Cpu as *mut u8, space.base(), space.size());
        // Tracing takes control back after every block, to log outside `guarded`.
        let trace = log.items.exec || log.items.cpu;
        loop {
            let pc = cpu.pc();
            if trace {
                let mut line = String::new();
                if log.items.cpu {
                    line.push_str(&cpu.dump());
                }
                if log.items.exec {
                    let _ = writeln!(line, "Trace: {pc:#x}");
                }
                log.write(&line);
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
            };
        }
    }
}
