//! The aarch64 (A64) frontend: CPU state, decoder tables and translators
//! grouped as the Arm manual's encoding groups, the Linux signal frame, and
//! the gdb register layout: integer instructions, loads and stores of
//! general and SIMD&FP registers, the atomics (exclusives of every size,
//! LSE, RCpc), scalar floating point, Advanced SIMD (integer and FP), and
//! the AES/SHA/PMULL/CRC32 instructions.

pub mod cpu;
pub mod decode;
pub mod gdb;
pub mod signal;
pub mod translate;

use crate::guest::{AltStack, BadFrame, BadRegisters, CodeFetch, GuestArch, SignalDelivery};
use crate::ir::Block;
use cpu::Cpu;

pub struct Aarch64;

/// `/proc/cpuinfo`'s name of each AT_HWCAP bit, bit 0 first (the arm64
/// kernel's order).
const HWCAP_NAMES: [&str; 27] = [
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp",
    "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
    "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc",
];

impl GuestArch for Aarch64 {
    type Cpu = Cpu;
    const NAME: &'static str = "aarch64";
    const ELF_MACHINE: u16 = 183; // EM_AARCH64
    const SP_OFFSET: usize = cpu::SP_OFFSET;
    const EXIT_REQUEST_OFFSET: usize = std::mem::offset_of!(Cpu, exit_request);
    /// 64 TiB: a quarter of arm64's 48-bit user space, what a 47-bit host
    /// reserves comfortably (a failed reservation falls back to smaller ones).
    const SPACE_SIZE: u64 = 1 << 46;
    /// The optional features implemented, one term per group of work
    /// (Linux arch/arm64 uapi hwcap.h bits), so that parallel additions
    /// merge line by line.
    #[allow(clippy::identity_op)]
    const HWCAP: u64 = 0
        // FP and ASIMD (FEAT_FP, FEAT_AdvSIMD): translate/fp.rs,
        // simd_fp.rs, simd.rs and simd_int.rs.
        | 1 << 0 | 1 << 1
        // AES, PMULL, SHA1, SHA2, CRC32: translate/crypto.rs.
        | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7
        // LSE atomics (HWCAP_ATOMICS), LDAPR (HWCAP_LRCPC), LDAPUR/STLUR
        // (HWCAP_ILRCPC): translate/ldst.rs.
        | 1 << 8 | 1 << 15 | 1 << 26
        // MRS of MIDR_EL1 and the ID registers (HWCAP_CPUID): branch.rs.
        | 1 << 11;
    const MIN_SIGSTKSZ: u64 = signal::MIN_SIGSTKSZ;
    fn cpuinfo(cpus: usize) -> String {
        let features: Vec<&str> = HWCAP_NAMES
            .iter()
            .enumerate()
            .filter(|(bit, _)| (Self::HWCAP >> bit) & 1 == 1)
            .map(|(_, name)| *name)
            .collect();
        let features = features.join(" ");
        (0..cpus)
            .map(|i| {
                format!(
                    "processor\t: {i}\nBogoMIPS\t: 50.00\nFeatures\t: {features}\nCPU implementer\t: 0x00\n\
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
