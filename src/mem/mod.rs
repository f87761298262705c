//! `mem`: the guest address space. Owns the host reservation at `guest_base`
//! (guest address = host address - guest_base, no software check on the fast
//! path), the VMA map behind mmap/munmap/mprotect/mremap/brk/madvise and
//! /proc/self/maps, and fault-safe access to guest memory (`fault`).
//! It must not know about guest CPUs or the syscall ABI beyond the generic
//! mmap flag values; the core translates signals and errnos.

pub mod fault;
mod space;
pub mod vma;

#[cfg(test)]
mod tests;

pub use fault::{guarded, install_fault_handler, Fault};
pub use space::{AddressSpace, GUEST_SPACE_SIZE, MMAP_MIN_ADDR, MMAP_STACK_GAP};
pub use vma::{Backing, Vma, PAGE_SIZE};
