//! The execution engine: finds or translates the block for a guest pc, runs
//! it on the backend, and repeats until something needs the Linux layer (a
//! syscall, a fault, a breakpoint). Owns the translation cache.
//!
//! Blocks are translated once and kept until a flush (`fence.i`,
//! `riscv_flush_icache`, or code unmapped/reprotected). The cache is per
//! thread for now; the threads issue makes it shared.

use crate::backend::interp::{BlockExit, Machine};
use crate::guest::{CodeFetch, GuestArch, GuestCpu};
use crate::ir::{self, Block, ExitReason};
use crate::log::Log;
use crate::mem::AddressSpace;
use std::collections::HashMap;
use std::fmt::Write;

mod disasm;

/// `si_code` values of the faults the engine reports (Linux siginfo.h).
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const BUS_ADRALN: i32 = 1;

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

/// Counters shown by `-d` tooling and checked by tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub blocks_translated: u64,
    pub flushes: u64,
}

pub struct Engine<A: GuestArch> {
    cache: HashMap<u64, Box<Block>>,
    pub stats: Stats,
    _arch: std::marker::PhantomData<A>,
}

impl<A: GuestArch> Default for Engine<A> {
    fn default() -> Self {
        Engine { cache: HashMap::new(), stats: Stats::default(), _arch: std::marker::PhantomData }
    }
}

impl<A: GuestArch> Engine<A> {
    /// Drops every translation (the guest changed or asked to resync code).
    pub fn flush(&mut self) {
        self.cache.clear();
        self.stats.flushes += 1;
    }

    /// Drops translations overlapping guest addresses `start..end`.
    pub fn invalidate(&mut self, start: u64, end: u64) {
        let before = self.cache.len();
        self.cache.retain(|_, b| b.pc.saturating_add(b.size.max(1)) <= start || b.pc >= end);
        if self.cache.len() != before {
            self.stats.flushes += 1;
        }
    }

    fn translate(&mut self, pc: u64, space: &AddressSpace, log: &Log) -> &Block {
        let stats = &mut self.stats;
        self.cache.entry(pc).or_insert_with(|| {
            let block = A::translate(pc, &Fetch(space));
            debug_assert_eq!(ir::verify(&block), Ok(()), "{block}");
            stats.blocks_translated += 1;
            if log.items.in_asm {
                log.write(&disasm::guest_block::<A>(space, &block));
            }
            if log.items.op {
                log.write(&format!("OP:\n{block}\n"));
            }
            Box::new(block)
        })
    }

    /// Runs guest code from `cpu.pc()` until an [`Event`]. On return the CPU
    /// state is precise: pc is the instruction to report or resume at.
    pub fn run(&mut self, cpu: &mut A::Cpu, space: &AddressSpace, log: &Log) -> Event {
        let mut m = Machine::new(cpu as *mut A::Cpu as *mut u8, space.base(), space.size());
        let trace = log.items.exec || log.items.cpu;
        let outcome = crate::mem::guarded(|| loop {
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
            // Keep `pc` in the CPU state: a fault inside the block reports
            // the instruction pc the interpreter recorded instead.
            let block: *const Block = self.translate(pc, space, log);
            // SAFETY: the cache is not modified while the block runs, the
            // state pointer is `cpu`, and we are inside `guarded`.
            match unsafe { m.run(&*block) } {
                BlockExit::Next(next) => cpu.set_pc(next),
                BlockExit::Exit(reason, at) => {
                    cpu.set_pc(at);
                    return match reason {
                        ExitReason::Syscall => Event::Syscall,
                        ExitReason::Breakpoint => Event::Breakpoint,
                        ExitReason::IllegalInstruction => Event::IllegalInstruction,
                        ExitReason::FetchFault => Event::FetchFault { addr: at },
                        ExitReason::FlushICache => {
                            self.flush();
                            continue;
                        }
                    };
                }
                BlockExit::BadAccess { pc, addr, misaligned } => {
                    cpu.set_pc(pc);
                    return if misaligned {
                        Event::MemFault { addr, signal: libc::SIGBUS, code: BUS_ADRALN }
                    } else {
                        Event::MemFault { addr, signal: libc::SIGSEGV, code: SEGV_MAPERR }
                    };
                }
            }
        });
        match outcome {
            Ok(event) => event,
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
                Event::MemFault { addr, signal: fault.signal, code }
            }
        }
    }
}
