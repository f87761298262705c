//! riscv64 CPU state: the register file the IR's `GetReg`/`SetReg` offsets address.

use crate::guest::GuestCpu;
use std::fmt::Write;
use std::mem::offset_of;

/// Value of `reservation` meaning "no LR reservation held".
pub const NO_RESERVATION: u64 = u64::MAX;

/// The user-visible riscv64 state (RV64GC). `#[repr(C)]`: offsets are ABI for the IR.
#[repr(C)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// x0..x31. x0 is never written (the frontend drops writes to it).
    pub x: [u64; 32],
    /// f0..f31, as raw 64-bit patterns; single-precision values are NaN-boxed.
    pub f: [u64; 32],
    pub pc: u64,
    /// Accrued exception flags (fflags CSR, 5 bits: NV DZ OF UF NX).
    pub fflags: u64,
    /// Dynamic rounding mode (frm CSR, 3 bits).
    pub frm: u64,
    /// Address of the LR reservation, or [`NO_RESERVATION`].
    pub reservation: u64,
    /// Value loaded by the LR that made the reservation (SC compares against it).
    pub reservation_value: u64,
    /// Not architectural: see `GuestArch::EXIT_REQUEST_OFFSET`.
    pub exit_request: u32,
}

impl Default for Cpu {
    fn default() -> Cpu {
        Cpu {
            x: [0; 32],
            f: [0; 32],
            pc: 0,
            fflags: 0,
            frm: 0,
            reservation: NO_RESERVATION,
            reservation_value: 0,
            exit_request: 0,
        }
    }
}

pub const fn x_offset(reg: u32) -> usize {
    offset_of!(Cpu, x) + 8 * reg as usize
}
pub const fn f_offset(reg: u32) -> usize {
    offset_of!(Cpu, f) + 8 * reg as usize
}
pub const PC_OFFSET: usize = offset_of!(Cpu, pc);
pub const FFLAGS_OFFSET: usize = offset_of!(Cpu, fflags);
pub const FRM_OFFSET: usize = offset_of!(Cpu, frm);
pub const RESERVATION_OFFSET: usize = offset_of!(Cpu, reservation);
pub const RESERVATION_VALUE_OFFSET: usize = offset_of!(Cpu, reservation_value);
const _: () = assert!(std::mem::size_of::<Cpu>() == 8 * (64 + 6));

/// ABI register names, for dumps.
pub const X_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];

impl GuestCpu for Cpu {
    fn pc(&self) -> u64 {
        self.pc
    }
    fn set_pc(&mut self, pc: u64) {
        self.pc = pc;
    }
    fn sp(&self) -> u64 {
        self.x[2]
    }
    fn set_sp(&mut self, sp: u64) {
        self.x[2] = sp;
    }
    fn set_tls(&mut self, tp: u64) {
        self.x[4] = tp;
    }
    fn syscall_args(&self) -> (u64, [u64; 6]) {
        (
            self.x[17],
            [
                self.x[10], self.x[11], self.x[12], self.x[13], self.x[14], self.x[15],
            ],
        )
    }
    fn set_syscall_result(&mut self, ret: u64) {
        self.x[10] = ret;
    }
    fn rewind_syscall(&mut self, arg0: u64) {
        // ecall has no compressed form.
        self.pc -= 4;
        self.x[10] = arg0;
    }
    fn dump(&self) -> String {
        let mut s = format!(" pc       {:016x}\n", self.pc);
        for (i, name) in X_NAMES.iter().enumerate() {
            let _ = write!(s, " x{i:<2}/{name:<4} {:016x}", self.x[i]);
            s.push(if i % 4 == 3 { '\n' } else { ' ' });
        }
        for i in 0..32 {
            let _ = write!(s, " f{i:<2}      {:016x}", self.f[i]);
            s.push(if i % 4 == 3 { '\n' } else { ' ' });
        }
        let _ = writeln!(s, " fflags {:02x} frm {}", self.fflags, self.frm);
        s
    }
}
