//! emu: a user-mode dynamic binary translator.
//!
//! Pipeline: `loader` (ELF → load plan) → `guest::<arch>` (guest code → IR)
//! → `opt` (IR passes) → `backend` (IR execution) driven by `engine`
//! (translation cache, dispatch loop) inside `linux` (the user-mode process:
//! syscalls, emulated files). `mem` owns the guest address space.

pub mod backend;
pub mod cli;
pub mod engine;
pub mod guest;
pub mod ir;
pub mod linux;
pub mod log;
pub mod mem;
pub mod opt;
