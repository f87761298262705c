//! The x86-64 JIT backend: IR blocks become host code in one code cache.
//!
//! - `enc`: the instruction encoder (checked against iced-x86's decoder).
//! - `cache`: the RWX code region with a bump allocator, flushed whole when full.
//! - `regalloc`: per-block linear-scan allocation of SSA values.
//! - `lower`: IR → host code, one host "function" per block.
//!
//! Runtime protocol. The engine calls the entry trampoline
//! `enter(state, guest_base, code, &mut ExitInfo, jump_table) -> kind`; it
//! saves the callee-saved registers, sets up the fixed frame (rbp = state,
//! r15 = guest_base, [rsp] = &ExitInfo, the calling thread's jump table)
//! and jumps to the block. Blocks jump
//! to each other directly (patched `jmp rel32`, a return-address stack for
//! returns, the inline jump cache for other indirect jumps) and leave through the common epilogue with rax = exit
//! kind, rdx = guest pc, rcx = extra (the patch site of a chainable exit,
//! the address of a misaligned atomic), which it stores into `ExitInfo`.
//!
//! Owns host code and the per-block side tables (host offset → guest pc for
//! precise faults, incoming patched jumps). Knows nothing of the guest. One
//! writer at a time (`&mut self`); translated code may run on many threads
//! meanwhile ([`Runner`]), each with its own jump table: patches are single
//! aligned stores, which x86 makes atomic.

pub mod cache;
pub mod enc;
pub mod lower;
pub mod regalloc;
#[cfg(test)]
mod tests;

use crate::ir::{Block, ExitReason};
use cache::CodeCache;
use enc::{Alu, Asm, Mem, Reg, Size};
use std::collections::HashMap;

/// Exit kinds (rax at the epilogue).
/// Continue at `pc`; `extra` is the address of the exit's patchable rel32.
pub const EXIT_CHAIN: u64 = 0;
/// Continue at `pc` (indirect jump missing the jump cache).
pub const EXIT_NEXT: u64 = 1;
/// Misaligned atomic at `pc` on guest address `extra`.
pub const EXIT_MISALIGNED: u64 = 2;
/// Return to `pc` predicted by the return-address stack whose call site's
/// return cell (at `extra`) is still empty.
pub const EXIT_RETURN: u64 = 3;
/// The exit request was set when the block at `pc` was entered.
pub const EXIT_INTERRUPT: u64 = 4;

/// Jump-cache entries minus one (a power of two minus one).
pub const JUMP_TABLE_MASK: u64 = (1 << 12) - 1;

/// Host CPU features the lowering can use.
#[derive(Clone, Copy, Debug, Default)]
pub struct Features {
    pub lzcnt: bool,
    pub bmi1: bool,
    /// FMA3 (`vfmadd213sd` …): fused multiply-adds inline.
    pub fma: bool,
}

impl Features {
    /// What this host has (cpuid). `None` if the JIT cannot run here at all.
    pub fn detect() -> Option<Features> {
        if !std::arch::is_x86_feature_detected!("popcnt") {
            return None;
        }
        Some(Features {
            lzcnt: std::arch::is_x86_feature_detected!("lzcnt"),
            bmi1: std::arch::is_x86_feature_detected!("bmi1"),
            fma: std::arch::is_x86_feature_detected!("fma"),
        })
    }
}

/// Where a run of translated code ended (filled by the epilogue).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExitInfo {
    pub pc: u64,
    pub extra: u64,
}

/// How a run of translated code ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitExit {
    /// Continue at `pc`; `site` is a patchable jump to point at its block.
    Chain {
        pc: u64,
        site: usize,
    },
    /// Continue at `pc`.
    Next(u64),
    /// The exit request was set: the guest is at `pc`, nothing of its block done.
    Interrupted(u64),
    /// Continue at `pc`; `cell` is a return cell to point at its block.
    Return {
        pc: u64,
        cell: usize,
    },
    Exit(ExitReason, u64),
    Misaligned {
        pc: u64,
        addr: u64,
    },
}

type EnterFn =
    unsafe extern "C" fn(*mut u8, *mut u8, usize, *mut ExitInfo, *const JumpEntry) -> u64;

/// An inline jump cache entry: (guest pc, host code).
pub type JumpEntry = (u64, usize);

/// A new, empty inline jump cache (its address goes to [`Runner::run`]).
pub fn new_jump_table() -> Box<[JumpEntry]> {
    vec![EMPTY; JUMP_TABLE_MASK as usize + 1].into_boxed_slice()
}

/// Makes indirect jumps to `pc` find `entry` without leaving translated
/// code; returns whether the entry changed.
pub fn fill_jump_table(table: &mut [JumpEntry], pc: u64, entry: usize) -> bool {
    let slot = &mut table[((pc >> 1) & JUMP_TABLE_MASK) as usize];
    let changed = *slot != (pc, entry);
    *slot = (pc, entry);
    changed
}

/// Empties a jump table (its blocks went).
pub fn clear_jump_table(table: &mut [JumpEntry]) {
    table.fill(EMPTY);
}

/// Enters translated code; copied out of the [`Jit`] so that any thread can
/// run code while another translates.
#[derive(Clone, Copy)]
pub struct Runner {
    enter: EnterFn,
}

impl Runner {
    /// Runs translated code from `entry` until it leaves.
    ///
    /// # Safety
    /// `state` must be the guest CPU state the blocks were built for,
    /// `guest_base` the guest space, `entry` a live block's entry and
    /// `jump_table` a table of [`new_jump_table`]'s size holding only live
    /// blocks, owned by the calling thread; call inside `mem::guarded`
    /// (guest accesses fault by design).
    pub unsafe fn run(
        &self,
        state: *mut u8,
        guest_base: *mut u8,
        jump_table: *const JumpEntry,
        entry: usize,
    ) -> JitExit {
        let mut out = ExitInfo::default();
        let kind = (self.enter)(state, guest_base, entry, &mut out, jump_table);
        match kind {
            EXIT_CHAIN => JitExit::Chain {
                pc: out.pc,
                site: out.extra as usize,
            },
            EXIT_NEXT => JitExit::Next(out.pc),
            EXIT_INTERRUPT => JitExit::Interrupted(out.pc),
            EXIT_RETURN => JitExit::Return {
                pc: out.pc,
                cell: out.extra as usize,
            },
            EXIT_MISALIGNED => JitExit::Misaligned {
                pc: out.pc,
                addr: out.extra,
            },
            k => JitExit::Exit(
                lower::kind_reason(k).expect("valid exit kind from translated code"),
                out.pc,
            ),
        }
    }
}

/// The guest pc of the instruction whose host code contains `host_pc`, in
/// the block at `entry` with this (host offset, guest pc) map.
pub fn guest_pc_in(entry: usize, insn_map: &[(u32, u64)], block_pc: u64, host_pc: usize) -> u64 {
    let off = (host_pc - entry) as u32;
    let i = insn_map.partition_point(|&(o, _)| o <= off);
    if i == 0 {
        block_pc
    } else {
        insn_map[i - 1].1
    }
}

/// One translated block.
pub struct JitBlock {
    pub pc: u64,
    pub size: u64,
    /// Host address of the code.
    pub entry: usize,
    pub len: usize,
    /// (host offset, guest pc) at each guest instruction.
    pub insn_map: std::sync::Arc<[(u32, u64)]>,
    /// rel32 fields of other blocks' exits patched to jump here, with the
    /// value to restore when this block goes (to their exit stubs).
    incoming: Vec<(usize, i32)>,
    /// Return cells of call sites filled with this block's entry.
    incoming_returns: Vec<usize>,
}

/// Counters of the JIT's dispatch shortcuts (pinned by engine tests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JitStats {
    /// Exits patched into direct jumps.
    pub chains_patched: u64,
    /// Jump-cache entries written (later hits never come back to the engine).
    pub jump_cache_fills: u64,
    /// Return cells filled (later returns predicted by the return-address
    /// stack through them never come back to the engine).
    pub return_cells_filled: u64,
    /// Times translated code was entered from the engine.
    pub entries: u64,
}

/// The return cell of an empty return-address stack entry: its guest pc (1)
/// is no jump target, so its host address is never used.
static NO_RETURN: [u64; 2] = [0, 1];

/// An empty jump-cache entry: an odd pc no jump can target.
const EMPTY: JumpEntry = (u64::MAX, 0);

/// The JIT: code cache, runtime stubs, translated blocks by guest pc.
pub struct Jit {
    cache: CodeCache,
    runner: Runner,
    rt: lower::Runtime,
    feat: Features,
    /// The jump table of [`run`](Self::run) (single-threaded use).
    table: Box<[JumpEntry]>,
    blocks: HashMap<u64, JitBlock>,
    /// Bumped by every flush: patch sites from before are stale.
    pub generation: u64,
    pub stats: JitStats,
}

impl Jit {
    /// A JIT with a code cache of `size` bytes for guests whose stack pointer
    /// and exit request are at these offsets in the CPU state, or `None` if this host
    /// cannot run it (missing CPU features, no memory).
    pub fn new(size: usize, sp_offset: usize, exit_request_offset: usize) -> Option<Jit> {
        let feat = Features::detect()?;
        let mut cache = CodeCache::new(size).ok()?;
        let frame = lower::FRAME_SIZE;
        let saved = [Reg::Rbp, Reg::Rbx, Reg::R12, Reg::R13, Reg::R14, Reg::R15];

        let mut a = Asm::new();
        for r in saved {
            a.push(r);
        }
        a.alu_ri(Alu::Sub, Size::Q, Reg::Rsp, frame);
        a.store(Size::Q, Mem::base(Reg::Rsp, lower::FRAME_OUT), Reg::Rcx);
        a.store(
            Size::Q,
            Mem::base(Reg::Rsp, lower::FRAME_JUMP_TABLE),
            Reg::R8,
        );
        a.mov_rr(Size::Q, Reg::Rbp, Reg::Rdi);
        a.mov_rr(Size::Q, Reg::R15, Reg::Rsi);
        // An empty return-address stack: every entry at a cell for pc 1,
        // which is no jump target.
        a.mov_ri(Reg::Rax, NO_RETURN.as_ptr() as u64);
        for i in 0..lower::RAS_ENTRIES {
            a.store(
                Size::Q,
                Mem::base(Reg::Rsp, lower::FRAME_RAS + 8 * i),
                Reg::Rax,
            );
        }
        a.jmp_r(Reg::Rdx);
        let enter = cache.push(&a.buf)?;

        let mut a = Asm::new();
        a.load(Size::Q, Reg::R11, Mem::base(Reg::Rsp, lower::FRAME_OUT));
        a.store(Size::Q, Mem::base(Reg::R11, 0), Reg::Rdx);
        a.store(Size::Q, Mem::base(Reg::R11, 8), Reg::Rcx);
        a.alu_ri(Alu::Add, Size::Q, Reg::Rsp, frame);
        for r in saved.iter().rev() {
            a.pop(*r);
        }
        a.ret();
        let epilogue = cache.push(&a.buf)?;
        cache.seal_prefix();

        let rt = lower::Runtime {
            epilogue,
            sp_offset: sp_offset as i32,
            exit_request_offset: exit_request_offset as i32,
        };
        Some(Jit {
            cache,
            runner: Runner {
                // SAFETY: `enter` is the trampoline just assembled for this signature.
                enter: unsafe { std::mem::transmute::<usize, EnterFn>(enter) },
            },
            rt,
            feat,
            table: new_jump_table(),
            blocks: HashMap::new(),
            generation: 0,
            stats: JitStats::default(),
        })
    }

    /// The host code for guest `pc`, if translated.
    pub fn lookup(&self, pc: u64) -> Option<&JitBlock> {
        self.blocks.get(&pc)
    }

    /// What enters translated code, for any thread.
    pub fn runner(&self) -> Runner {
        self.runner
    }

    /// Compiles `block` into the cache (flushing everything first if it is
    /// full) and returns its entry. Replaces an existing translation of the pc.
    pub fn compile(&mut self, block: &Block) -> usize {
        if let Some(b) = self.try_compile(block) {
            return b.entry;
        }
        self.flush();
        self.try_compile(block)
            .expect("block does not fit in an empty code cache")
            .entry
    }

    /// Compiles `block` into the cache, or `None` if the cache is full
    /// (flush and retry). Replaces an existing translation of the pc.
    pub fn try_compile(&mut self, block: &Block) -> Option<&JitBlock> {
        if self.blocks.contains_key(&block.pc) {
            self.invalidate(block.pc, block.pc + 1);
        }
        let base = self.cache.next_addr();
        let low = lower::lower(block, base, &self.rt, self.feat);
        let entry = self.cache.push(&low.code)?;
        debug_assert_eq!(entry, base);
        let b = JitBlock {
            pc: block.pc,
            size: block.size,
            entry,
            len: low.code.len(),
            insn_map: low.insn_map.into(),
            incoming: Vec::new(),
            incoming_returns: Vec::new(),
        };
        Some(self.blocks.entry(block.pc).insert_entry(b).into_mut())
    }

    /// Drops every translation and frees the code cache.
    ///
    /// No thread may be running translated code meanwhile.
    pub fn flush(&mut self) {
        self.blocks.clear();
        self.table.fill(EMPTY);
        self.cache.reset();
        self.generation += 1;
    }

    /// Drops translations overlapping guest `start..end`, unpatching jumps into them.
    /// Returns whether any went.
    pub fn invalidate(&mut self, start: u64, end: u64) -> bool {
        let gone: Vec<u64> = self
            .blocks
            .values()
            .filter(|b| b.pc < end && b.pc.saturating_add(b.size.max(1)) > start)
            .map(|b| b.pc)
            .collect();
        for pc in &gone {
            let b = self.blocks.remove(pc).expect("listed");
            for (site, unpatched) in b.incoming {
                // Back to the exit stub.
                // SAFETY: a site recorded by `chain`, inside the cache.
                unsafe { self.cache.patch_rel32(site, unpatched) };
            }
            for cell in b.incoming_returns {
                // Back to its stub, right after it.
                let stub = (cell + lower::RETURN_CELL_SIZE) as u64;
                // SAFETY: a cell recorded by `fill_return_cell`, inside the cache.
                unsafe { self.cache.patch_u64(cell, stub) };
            }
        }
        if !gone.is_empty() {
            self.table.fill(EMPTY);
        }
        !gone.is_empty()
    }

    /// Points the exit jump at `site` (reported by a chainable exit in this
    /// `generation`) at the translated block of `pc`; returns whether it did.
    pub fn chain(&mut self, site: usize, generation: u64, pc: u64) -> bool {
        if generation != self.generation {
            return false;
        }
        let Some(b) = self.blocks.get_mut(&pc) else {
            return false;
        };
        let rel = b.entry as i64 - (site as i64 + 4);
        // SAFETY: `site` is the rel32 field of a live exit jump of this generation.
        let unpatched = unsafe { (site as *const i32).read_volatile() };
        b.incoming.push((site, unpatched));
        // SAFETY: `site` is the rel32 field of a live exit jump of this generation.
        unsafe { self.cache.patch_rel32(site, rel as i32) };
        self.stats.chains_patched += 1;
        true
    }

    /// Fills the return cell `cell` (reported by a return exit in this
    /// `generation`) with the translated block of `pc`; returns whether it did.
    pub fn fill_return_cell(&mut self, cell: usize, generation: u64, pc: u64) -> bool {
        if generation != self.generation {
            return false;
        }
        let Some(b) = self.blocks.get_mut(&pc) else {
            return false;
        };
        b.incoming_returns.push(cell);
        // SAFETY: `cell` is the return cell of a live call site of this generation.
        unsafe { self.cache.patch_u64(cell, b.entry as u64) };
        self.stats.return_cells_filled += 1;
        true
    }

    /// Makes indirect jumps to `pc` run by [`run`](Self::run) find `entry`
    /// without leaving translated code.
    pub fn fill_jump_cache(&mut self, pc: u64, entry: usize) {
        if fill_jump_table(&mut self.table, pc, entry) {
            self.stats.jump_cache_fills += 1;
        }
    }

    /// Runs translated code from `entry` until it leaves, with this JIT's
    /// own jump table (single-threaded use; see [`Runner::run`]).
    ///
    /// # Safety
    /// As [`Runner::run`].
    pub unsafe fn run(&self, state: *mut u8, guest_base: *mut u8, entry: usize) -> JitExit {
        self.runner
            .run(state, guest_base, self.table.as_ptr(), entry)
    }

    /// The guest pc of the instruction whose host code contains `host_pc`,
    /// if it is translated code.
    pub fn guest_pc_at(&self, host_pc: usize) -> Option<u64> {
        if !self.cache.contains(host_pc) {
            return None;
        }
        let b = self
            .blocks
            .values()
            .find(|b| (b.entry..b.entry + b.len).contains(&host_pc))?;
        Some(guest_pc_in(b.entry, &b.insn_map, b.pc, host_pc))
    }

    /// Bytes of code in the cache.
    pub fn code_bytes(&self) -> usize {
        self.cache.used()
    }
}

/// Host code of a block for `-d out_asm`, formatted by iced-x86.
pub fn disassemble(code: &[u8], addr: u64) -> String {
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
    use std::fmt::Write;
    let mut d = Decoder::with_ip(64, code, addr, DecoderOptions::NONE);
    let mut f = IntelFormatter::new();
    let mut s = String::new();
    let mut text = String::new();
    while d.can_decode() {
        let insn = d.decode();
        text.clear();
        f.format(&insn, &mut text);
        let _ = writeln!(s, "  {:#x}:  {text}", insn.ip());
    }
    s
}
