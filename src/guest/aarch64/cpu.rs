//! aarch64 CPU state: the register file the IR's `GetReg`/`SetReg` offsets
//! address. The NZCV flags are four fields in the form that is cheapest to
//! produce (QEMU's idea): N is the sign bit of `n` and V of `v`, Z is set
//! when `z` is zero, C is `c` (0 or 1). A flag-setting instruction stores
//! its result as both `n` and `z`, so flag producers and consumers are
//! plain register writes and reads the IR passes can forward and drop.
//! [`Cpu::nzcv`] and [`Cpu::set_nzcv`] convert from and to PSTATE bits.

use crate::guest::GuestCpu;
use std::fmt::Write;
use std::mem::offset_of;

/// Value of `exclusive_addr` meaning "no exclusive monitor armed".
pub const NO_EXCLUSIVE: u64 = u64::MAX;

/// The user-visible A64 state. `#[repr(C)]`: offsets are ABI for the IR.
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// x0..x30 (x30 is the link register).
    pub x: [u64; 31],
    pub sp: u64,
    pub pc: u64,
    /// PSTATE.N, Z, C, V in the module's encoding: N = bit 63 of `n`,
    /// Z = (`z` == 0), C = `c`, V = bit 63 of `v`.
    pub n: u64,
    pub z: u64,
    pub c: u64,
    pub v: u64,
    /// v0..v31 (q registers) as (low, high) 64-bit halves.
    pub vreg: [[u64; 2]; 32],
    pub fpcr: u64,
    pub fpsr: u64,
    /// The user thread pointer (TPIDR_EL0).
    pub tpidr: u64,
    /// Address armed by a load-exclusive, or [`NO_EXCLUSIVE`].
    pub exclusive_addr: u64,
    /// What the load-exclusive read (a store-exclusive compares against it).
    pub exclusive_value: [u64; 2],
    /// Not architectural: see `GuestArch::EXIT_REQUEST_OFFSET`.
    pub exit_request: u32,
}

impl Default for Cpu {
    fn default() -> Cpu {
        Cpu {
            x: [0; 31],
            sp: 0,
            pc: 0,
            n: 0,
            z: 0,
            c: 0,
            v: 0,
            vreg: [[0; 2]; 32],
            fpcr: 0,
            fpsr: 0,
            tpidr: 0,
            exclusive_addr: NO_EXCLUSIVE,
            exclusive_value: [0; 2],
            exit_request: 0,
        }
    }
}

pub const fn x_offset(reg: u32) -> usize {
    offset_of!(Cpu, x) + 8 * reg as usize
}
/// Offsets of the low and high halves of vector register `reg`.
pub const fn v_offset(reg: u32, half: u32) -> usize {
    offset_of!(Cpu, vreg) + 16 * reg as usize + 8 * half as usize
}
pub const SP_OFFSET: usize = offset_of!(Cpu, sp);
pub const PC_OFFSET: usize = offset_of!(Cpu, pc);
pub const N_OFFSET: usize = offset_of!(Cpu, n);
pub const Z_OFFSET: usize = offset_of!(Cpu, z);
pub const C_OFFSET: usize = offset_of!(Cpu, c);
pub const V_OFFSET: usize = offset_of!(Cpu, v);
pub const FPCR_OFFSET: usize = offset_of!(Cpu, fpcr);
pub const FPSR_OFFSET: usize = offset_of!(Cpu, fpsr);
pub const TPIDR_OFFSET: usize = offset_of!(Cpu, tpidr);
pub const EXCLUSIVE_ADDR_OFFSET: usize = offset_of!(Cpu, exclusive_addr);
pub const EXCLUSIVE_VALUE_OFFSET: usize = offset_of!(Cpu, exclusive_value);
/// The (n, z, c, v) field values encoding PSTATE bits `nzcv` (bits 31..28).
pub fn flag_fields(nzcv: u64) -> [u64; 4] {
    let bit = |b: u32| (nzcv >> b) & 1;
    [bit(31) << 63, bit(30) ^ 1, bit(29), bit(28) << 63]
}
const _: () = assert!(std::mem::size_of::<Cpu>() == 8 * (31 + 2 + 4 + 64 + 3 + 3 + 1));

impl Cpu {
    /// PSTATE's NZCV bits as MRS NZCV reads them (bits 31..28).
    pub fn nzcv(&self) -> u64 {
        ((self.n >> 63) << 31)
            | ((self.z == 0) as u64) << 30
            | (self.c & 1) << 29
            | ((self.v >> 63) << 28)
    }

    pub fn set_nzcv(&mut self, bits: u64) {
        [self.n, self.z, self.c, self.v] = flag_fields(bits);
    }
}

impl GuestCpu for Cpu {
    fn pc(&self) -> u64 {
        self.pc
    }
    fn set_pc(&mut self, pc: u64) {
        self.pc = pc;
    }
    fn sp(&self) -> u64 {
        self.sp
    }
    fn set_sp(&mut self, sp: u64) {
        self.sp = sp;
    }
    fn set_tls(&mut self, tp: u64) {
        self.tpidr = tp;
    }
    /// `svc #0`: x8 is the number, x0..x5 the arguments.
    fn syscall_args(&self) -> (u64, [u64; 6]) {
        (
            self.x[8],
            [
                self.x[0], self.x[1], self.x[2], self.x[3], self.x[4], self.x[5],
            ],
        )
    }
    fn set_syscall_result(&mut self, ret: u64) {
        self.x[0] = ret;
    }
    /// The pc is past the `svc`, whose encoding is 4 bytes.
    fn rewind_syscall(&mut self, arg0: u64) {
        self.pc = self.pc.wrapping_sub(4);
        self.x[0] = arg0;
    }
    fn dump(&self) -> String {
        let mut s = String::new();
        for (i, x) in self.x.iter().enumerate() {
            let _ = write!(s, "x{i:<2} {x:016x}");
            s.push(if i % 4 == 3 { '\n' } else { ' ' });
        }
        let _ = writeln!(
            s,
            "sp  {:016x}\npc  {:016x} NZCV {:04b}",
            self.sp,
            self.pc,
            self.nzcv() >> 28
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nzcv_packs_as_mrs_reads_it() {
        let mut cpu = Cpu::default();
        cpu.set_nzcv(0xa000_0000);
        assert_eq!((cpu.n, cpu.z, cpu.c, cpu.v), (1 << 63, 1, 1, 0));
        assert_eq!(cpu.nzcv(), 0xa000_0000);
        for bits in 0..16u64 {
            cpu.set_nzcv(bits << 28);
            assert_eq!(cpu.nzcv(), bits << 28);
        }
    }
}
