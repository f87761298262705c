//! riscv64 frontend: RV64GC (+ Zba, Zbb, Zbs, Zicond, Zfa) decoding and
//! translation to IR. The decoder is one table (`decode.rs`, a line per
//! instruction); translators are grouped one file per extension under
//! `translate/`.

pub mod cpu;
pub mod decode;
pub mod signal;
pub mod translate;

#[cfg(test)]
mod fp_tests;
#[cfg(test)]
mod tests;

pub use cpu::Cpu;

use crate::guest::{CodeFetch, GuestArch};
use crate::ir::Block;

pub struct Riscv64;

impl GuestArch for Riscv64 {
    type Cpu = Cpu;
    const NAME: &'static str = "riscv64";
    const ELF_MACHINE: u16 = 243; // EM_RISCV
    const SP_OFFSET: usize = cpu::x_offset(2);
    fn translate(pc: u64, code: &dyn CodeFetch) -> Block {
        translate::translate_block(pc, code)
    }
}
