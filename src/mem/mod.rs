//! `mem`: the guest address space. Owns the host reservation at `guest_base`
//! (guest address = host address - guest_base, no software check on the fast
//! path), the VMA map behind mmap/munmap/mprotect/mremap/brk/madvise and
//! /proc/self/maps, and fault-safe access to guest memory (`fault`).
//! It must not know about guest CPUs or the syscall ABI beyond the generic
//! mmap/madvise flag values; the core turns faults into guest signals.
//!
//! Invariants the rest of the emulator may rely on:
//! - every guest address in `0..size` is either a guest mapping or the
//!   `PROT_NONE` reservation (never a host hole), so host syscalls given a
//!   bad guest pointer fail with EFAULT, and the host never places the
//!   emulator's own allocations inside guest space;
//! - host protection equals guest protection, except guest `PROT_EXEC`
//!   becomes host `PROT_READ` (guest code is read, never run, by the host);
//! - guest addresses below [`MMAP_MIN_ADDR`] are never mapped;
//! - the VMA map (`AddressSpace::vmas`, `proc_maps`, `prot_at`) always matches
//!   the host mappings, splitting and merging like Linux.
//!
//! A host SIGSEGV at a reserved-but-unmapped guest address reports
//! `SEGV_ACCERR` (the reservation is a PROT_NONE mapping): use
//! `AddressSpace::prot_at` to tell the guest MAPERR from ACCERR.

pub mod fault;
mod space;
pub mod vma;

#[cfg(test)]
mod tests;

pub use fault::{ensure_altstack, guarded, install_fault_handler, Fault};
pub use space::{AddressSpace, GUEST_SPACE_SIZE, MMAP_MIN_ADDR, MMAP_STACK_GAP};
pub use vma::{Backing, Vma, PAGE_SIZE};
