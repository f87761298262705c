//! emu-loader: turns executable files into plain data for the core. It
//! identifies file kinds (ELF, Mach-O, `#!` scripts), parses and validates ELF
//! headers into an [`ElfInfo`] load plan, and builds the initial stack image
//! (argv, envp, auxv) like Linux does. It maps no memory and depends on nothing
//! of ours.

pub mod auxv;
mod elf;
mod error;
mod identify;
mod machine;
mod reader;
mod stack;

pub use elf::*;
pub use error::LoadError;
pub use identify::{identify, FileKind, BINPRM_BUF_SIZE};
pub use machine::{emulator_name, machine_name};
pub use stack::{
    build_stack, AuxvInputs, StackImage, StackInputs, DEFAULT_STACK_RLIMIT, MAX_ARG_STRLEN,
};

#[cfg(test)]
mod tests;
