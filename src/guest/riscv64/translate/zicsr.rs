//! Zicsr (the CSR instructions) and Zifencei (`fence.i`).
//!
//! User mode sees only the FP CSRs (fflags, frm, fcsr: delegated to
//! `fcsr.rs`, which the FP code owns) and the read-only counters cycle, time
//! and instret. Every other CSR, and any write to a counter, is illegal.
//! The counters all read a 10 MHz clock derived from the host's monotonic
//! clock (riscv Linux reports a 10 MHz timebase): cycle and instret are not
//! architecturally tied to time, but software only needs them monotonic.

use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{ExitReason, Helper};

pub const TABLE: &[Pattern] = crate::rv_table! {
    "............ ..... 001 ..... 1110011" csrrw => csrrw;
    "............ ..... 010 ..... 1110011" csrrs => csrrs;
    "............ ..... 011 ..... 1110011" csrrc => csrrc;
    "............ ..... 101 ..... 1110011" csrrwi => csrrwi;
    "............ ..... 110 ..... 1110011" csrrsi => csrrsi;
    "............ ..... 111 ..... 1110011" csrrci => csrrci;
    "............ ..... 001 ..... 0001111" fence_i => fence_i;
};

const FFLAGS: u32 = 0x001;
const FRM: u32 = 0x002;
const FCSR: u32 = 0x003;
const CYCLE: u32 = 0xc00;
const TIME: u32 = 0xc01;
const INSTRET: u32 = 0xc02;

/// Ticks per second of the counters.
pub const TIMEBASE_HZ: u64 = 10_000_000;

/// The host's CLOCK_MONOTONIC in units of 1 / [`TIMEBASE_HZ`] s.
fn timebase_now() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    let ns = ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64;
    ns / (1_000_000_000 / TIMEBASE_HZ)
}

/// Helper: the counter value; takes no arguments and does not touch `state`.
unsafe extern "C" fn read_counter(_state: *mut u8, _a: u64, _b: u64, _c: u64, _d: u64) -> u64 {
    timebase_now()
}

static RDCYCLE: Helper = Helper {
    name: "rdcycle",
    func: read_counter,
    fp: None,
};
static RDTIME: Helper = Helper {
    name: "rdtime",
    func: read_counter,
    fp: None,
};
static RDINSTRET: Helper = Helper {
    name: "rdinstret",
    func: read_counter,
    fp: None,
};

/// How an instruction changes the CSR.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CsrOp {
    Write,
    Set,
    Clear,
}

/// Where the value written comes from.
#[derive(Clone, Copy)]
enum Src {
    /// Register rs1.
    Reg,
    /// The 5-bit zero-extended immediate in the rs1 field.
    Imm,
}

/// The common body: `old = csr; csr = f(old, src); rd = old`, with the
/// manual's side-effect rules: csrrw with rd = x0 does not read, csrrs/csrrc
/// with a zero source register/immediate field do not write.
fn csr_access(cx: &mut Ctx, i: Insn, op: CsrOp, src: Src) -> Result<(), Illegal> {
    let csr = i.csr();
    let writes = op == CsrOp::Write || i.rs1() != 0;
    let reads = op != CsrOp::Write || i.rd() != 0;
    match csr {
        FFLAGS | FRM | FCSR => {
            // The source is read before rd is written (rd may equal rs1).
            let src = match (writes, src) {
                (false, _) => None,
                (true, Src::Reg) => Some(cx.x(i.rs1())),
                (true, Src::Imm) => Some(cx.imm(i.rs1() as i64)),
            };
            let old = if reads {
                Some(super::fcsr::read(cx, csr))
            } else {
                None
            };
            if let Some(src) = src {
                let new = match (op, old) {
                    (CsrOp::Write, _) => src,
                    (CsrOp::Set, Some(old)) => cx.b.or(old, src),
                    (CsrOp::Clear, Some(old)) => {
                        let mask = cx.b.not(src);
                        cx.b.and(old, mask)
                    }
                    _ => unreachable!("set and clear always read"),
                };
                super::fcsr::write(cx, csr, new);
            }
            if let Some(old) = old {
                cx.set_x(i.rd(), old);
            }
            Ok(())
        }
        CYCLE | TIME | INSTRET => {
            if writes {
                return Err(Illegal);
            }
            let helper = match csr {
                CYCLE => &RDCYCLE,
                TIME => &RDTIME,
                _ => &RDINSTRET,
            };
            if i.rd() != 0 {
                let v = cx.b.call(helper, &[]);
                cx.set_x(i.rd(), v);
            }
            Ok(())
        }
        _ => Err(Illegal),
    }
}

fn csrrw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    csr_access(cx, i, CsrOp::Write, Src::Reg)
}
fn csrrs(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    csr_access(cx, i, CsrOp::Set, Src::Reg)
}
fn csrrc(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    csr_access(cx, i, CsrOp::Clear, Src::Reg)
}
fn csrrwi(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    csr_access(cx, i, CsrOp::Write, Src::Imm)
}
fn csrrsi(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    csr_access(cx, i, CsrOp::Set, Src::Imm)
}
fn csrrci(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    csr_access(cx, i, CsrOp::Clear, Src::Imm)
}

/// The engine must drop translations of any code the guest may have
/// written before continuing at the next instruction.
fn fence_i(cx: &mut Ctx, _i: Insn) -> Result<(), Illegal> {
    cx.exit(ExitReason::FlushICache, cx.next_pc);
    Ok(())
}
