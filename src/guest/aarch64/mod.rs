//! The aarch64 (A64) frontend: CPU state, decoder tables and translators
//! grouped as the Arm manual's encoding groups, the Linux signal frame, and
//! the gdb register layout. Work in progress: integer instructions, loads
//! and stores of general and SIMD&FP registers, 32/64-bit exclusives, the
//! integer Advanced SIMD, crypto and CRC32 instructions; no scalar FP or
//! LSE atomics yet.

pub mod cpu;
pub mod decode;
pub mod gdb;
pub mod signal;
pub mod translate;

use crate::guest::{AltStack, BadFrame, BadRegisters, CodeFetch, GuestArch, SignalDelivery};
use crate::ir::Block;
use cpu::Cpu;

pub struct Aarch64;

impl GuestArch for Aarch64 {
    type Cpu = Cpu;
    const NAME: &'static str = "aarch64";
    const ELF_MACHINE: u16 = 183; // EM_AARCH64
    const SP_OFFSET: usize = cpu::SP_OFFSET;
    const EXIT_REQUEST_OFFSET: usize = std::mem::offset_of!(Cpu, exit_request);
    /// The optional features implemented, as the Linux arm64 uapi
    /// `hwcap.h` numbers them. On: AES (1 << 3), PMULL (1 << 4), SHA1
    /// (1 << 5), SHA2 (1 << 6), CRC32 (1 << 7). Off until implemented: FP
    /// (1 << 0) and ASIMD (1 << 1), which need the floating point, and
    /// ATOMICS (1 << 8).
    const HWCAP: u64 = 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7;
    const MIN_SIGSTKSZ: u64 = signal::MIN_SIGSTKSZ;
    fn cpuinfo(cpus: usize) -> String {
        (0..cpus)
            .map(|i| {
                format!(
                    "processor\t: {i}\nBogoMIPS\t: 50.00\nFeatures\t: aes pmull sha1 sha2 crc32\nCPU implementer\t: 0x00\n\
                     CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0x051\nCPU revision\t: 0\n\n"
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
