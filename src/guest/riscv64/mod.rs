//! riscv64 frontend: RV64GC (+ Zba, Zbb, Zbs, Zicond, Zfa) decoding and
//! translation to IR. The decoder is one table (`decode.rs`, a line per
//! instruction); translators are grouped one file per extension under
//! `translate/`.

pub mod cpu;
pub mod decode;
pub mod gdb;
pub mod signal;
pub mod translate;

#[cfg(test)]
mod fp_tests;
#[cfg(test)]
mod tests;

pub use cpu::Cpu;

use crate::guest::{AltStack, BadFrame, BadRegisters, CodeFetch, GuestArch, SignalDelivery};
use crate::ir::Block;

pub struct Riscv64;

/// The riscv AT_HWCAP bits of single-letter extensions.
const fn hwcap_letters(letters: &[u8]) -> u64 {
    let mut bits = 0;
    let mut i = 0;
    while i < letters.len() {
        bits |= 1 << (letters[i] - b'A');
        i += 1;
    }
    bits
}

impl GuestArch for Riscv64 {
    type Cpu = Cpu;
    const NAME: &'static str = "riscv64";
    const ELF_MACHINE: u16 = 243; // EM_RISCV
    const SP_OFFSET: usize = cpu::x_offset(2);
    const EXIT_REQUEST_OFFSET: usize = std::mem::offset_of!(Cpu, exit_request);
    /// Sv39's 256 GiB user half.
    const SPACE_SIZE: u64 = 1 << 38;
    /// The single-letter extensions I, M, A, F, D, C (bit n = letter 'A' + n).
    const HWCAP: u64 = hwcap_letters(b"IMAFDC");
    /// The rt_sigframe without vector state.
    const MIN_SIGSTKSZ: u64 = 0x440;
    fn cpuinfo(cpus: usize) -> String {
        (0..cpus)
            .map(|i| {
                format!(
                    "processor\t: {i}\nhart\t\t: {i}\nisa\t\t: rv64imafdc_zicond_zicsr_zifencei_zfa_zba_zbb_zbs\n\
                     mmu\t\t: sv39\nmvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\n\n"
                )
            })
            .collect()
    }

    fn translate(pc: u64, code: &dyn CodeFetch, max_insns: u32) -> Block {
        translate::translate_block(pc, code, max_insns)
    }

    fn gdb_target_xml() -> String {
        gdb::target_xml()
    }
    fn gdb_registers(cpu: &Cpu) -> Vec<u8> {
        gdb::registers(cpu)
    }
    fn set_gdb_registers(cpu: &mut Cpu, bytes: &[u8]) -> Result<(), BadRegisters> {
        gdb::set_registers(cpu, bytes)
    }

    const SIGRETURN_CODE: &'static [u8] = &{
        let [a, b] = signal::SIGRETURN_CODE;
        let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
        [a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]]
    };
    const SIGNAL_FRAME_SIZE: usize = signal::FRAME_SIZE;
    fn setup_signal_frame(cpu: &mut Cpu, d: &SignalDelivery) -> (u64, Vec<u8>) {
        let f = signal::setup_rt_frame(
            cpu,
            d.sp_top,
            d.sig,
            &d.info,
            d.blocked,
            d.uc_stack,
            d.handler,
            d.trampoline,
        );
        (f.frame_addr, f.bytes)
    }
    fn restore_signal_frame(cpu: &mut Cpu, frame: &[u8]) -> Result<(u64, AltStack), BadFrame> {
        signal::restore_rt_frame(cpu, frame).map_err(|()| BadFrame)
    }
}
