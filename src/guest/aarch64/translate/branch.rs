//! Branches, exception generation and system instructions: direct and
//! indirect branches, compare-and-branch, test-and-branch, `svc`, `brk`,
//! hints (NOP, and the PAC/BTI hint space, which run as NOPs), barriers,
//! and the system registers user space reads and writes.

use super::super::cpu::{
    C_OFFSET, FPCR_OFFSET, FPSR_OFFSET, N_OFFSET, TPIDR_OFFSET, V_OFFSET, Z_OFFSET,
};
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Cond, ExitReason, FenceKind, IndirectKind, Terminator};

pub const TABLE: &[Pattern] = crate::a64_table! {
    "000101iiiiiiiiiiiiiiiiiiiiiiiiii" b => b;
    "100101iiiiiiiiiiiiiiiiiiiiiiiiii" bl => bl;
    "01010100iiiiiiiiiiiiiiiiiii0cccc" b_cond => b_cond;
    "z0110100iiiiiiiiiiiiiiiiiiittttt" cbz => cbz;
    "z0110101iiiiiiiiiiiiiiiiiiittttt" cbnz => cbnz;
    "b0110110oooooiiiiiiiiiiiiiittttt" tbz => tbz;
    "b0110111oooooiiiiiiiiiiiiiittttt" tbnz => tbnz;
    "1101011000011111000000nnnnn00000" br => br;
    "1101011000111111000000nnnnn00000" blr => blr;
    "1101011001011111000000nnnnn00000" ret => ret;
    "11010100000iiiiiiiiiiiiiiii00001" svc => svc;
    "11010100001iiiiiiiiiiiiiiii00000" brk => brk;
    "11010101000000110010mmmmooo11111" hint => hint;
    "11010101000000110011mmmm01011111" clrex => clrex;
    "11010101000000110011mmmm10011111" dsb => barrier;
    "11010101000000110011mmmm10111111" dmb => barrier;
    "11010101000000110011mmmm11011111" isb => isb;
    "11010101001ppppppppppppppppttttt" mrs => mrs;
    "11010101000ppppppppppppppppttttt" msr => msr;
};

fn target(cx: &Ctx, insn: Insn) -> u64 {
    cx.pc.wrapping_add((insn.sext('i') << 2) as u64)
}

fn b(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = target(cx, insn);
    cx.jump(t);
    Ok(())
}

fn bl(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let ret = cx.pc.wrapping_add(4);
    let r = cx.imm(ret);
    cx.set_x(30, r);
    cx.call_return = Some(ret);
    let t = target(cx, insn);
    cx.jump(t);
    Ok(())
}

/// Ends the block on `cond` (0 or 1): to `taken`, else to the next instruction.
fn branch_on(cx: &mut Ctx, cond: crate::ir::Value, taken: u64) {
    cx.end = Some(Terminator::Branch {
        cond,
        taken,
        not_taken: cx.pc.wrapping_add(4),
    });
}

fn b_cond(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let t = target(cx, insn);
    let c = cx.condition(insn.get('c'));
    branch_on(cx, c, t);
    Ok(())
}

fn compare_branch(cx: &mut Ctx, insn: Insn, cond: Cond) -> Result<(), Illegal> {
    let v = cx.reg(insn.get('t'), insn.bit('z'));
    let zero = cx.imm(0);
    let c = cx.b.cmp(cond, v, zero);
    let t = target(cx, insn);
    branch_on(cx, c, t);
    Ok(())
}

fn cbz(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    compare_branch(cx, insn, Cond::Eq)
}

fn cbnz(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    compare_branch(cx, insn, Cond::Ne)
}

fn test_branch(cx: &mut Ctx, insn: Insn, cond: Cond) -> Result<(), Illegal> {
    let bit = (insn.get('b') << 5) | insn.get('o');
    let v = cx.x(insn.get('t'));
    let mask = cx.imm(1 << bit);
    let set = cx.b.and(v, mask);
    let zero = cx.imm(0);
    let c = cx.b.cmp(cond, set, zero);
    let t = target(cx, insn);
    branch_on(cx, c, t);
    Ok(())
}

fn tbz(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    test_branch(cx, insn, Cond::Eq)
}

fn tbnz(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    test_branch(cx, insn, Cond::Ne)
}

fn indirect(cx: &mut Ctx, insn: Insn, kind: IndirectKind) {
    let target = cx.x(insn.get('n'));
    cx.end = Some(Terminator::Indirect { target, kind });
}

fn br(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    indirect(cx, insn, IndirectKind::Jump);
    Ok(())
}

fn blr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    // The target is read before x30 is written (blr x30 is allowed).
    let target = cx.x(insn.get('n'));
    let ret = cx.pc.wrapping_add(4);
    let r = cx.imm(ret);
    cx.set_x(30, r);
    cx.call_return = Some(ret);
    cx.end = Some(Terminator::Indirect {
        target,
        kind: IndirectKind::Jump,
    });
    Ok(())
}

fn ret(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    indirect(cx, insn, IndirectKind::Return);
    Ok(())
}

fn svc(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    // Linux takes the number from x8 whatever the immediate.
    let _ = insn;
    cx.exit(ExitReason::Syscall, cx.pc.wrapping_add(4));
    Ok(())
}

fn brk(cx: &mut Ctx, _insn: Insn) -> Result<(), Illegal> {
    cx.exit(ExitReason::Breakpoint, cx.pc);
    Ok(())
}

/// NOP, YIELD, WFE, SEV, and the pointer-authentication and BTI hints
/// (not advertised, so executing them as NOPs is what the architecture
/// says a processor without them does).
fn hint(_cx: &mut Ctx, _insn: Insn) -> Result<(), Illegal> {
    Ok(())
}

fn clrex(cx: &mut Ctx, _insn: Insn) -> Result<(), Illegal> {
    let none = cx.imm(super::super::cpu::NO_EXCLUSIVE);
    cx.b.set_reg(super::super::cpu::EXCLUSIVE_ADDR_OFFSET, none);
    Ok(())
}

/// DMB and DSB: x86's ordering is stronger than everything but store →
/// load, which a full fence covers.
fn barrier(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    // CRm bits 1:0: 0b01 orders loads only (…LD), 0b10 stores against
    // stores (…ST): both hold under x86 TSO already. Only the full forms
    // (and the 0b00 ones, which the manual makes full too) order stores
    // before later loads, which needs an mfence.
    let kind = match insn.get('m') & 3 {
        1 | 2 => FenceKind::Weak,
        _ => FenceKind::Full,
    };
    cx.b.fence(kind);
    Ok(())
}

/// ISB: code written by this thread is seen after it (blocks end here).
fn isb(cx: &mut Ctx, _insn: Insn) -> Result<(), Illegal> {
    cx.jump(cx.pc.wrapping_add(4));
    Ok(())
}

/// System registers by op0:op1:CRn:CRm:op2.
const fn sysreg(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32) -> u32 {
    op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2
}
const NZCV: u32 = sysreg(3, 3, 4, 2, 0);
const FPCR: u32 = sysreg(3, 3, 4, 4, 0);
const FPSR: u32 = sysreg(3, 3, 4, 4, 1);
const TPIDR_EL0: u32 = sysreg(3, 3, 13, 0, 2);
const CTR_EL0: u32 = sysreg(3, 3, 0, 0, 1);
const DCZID_EL0: u32 = sysreg(3, 3, 0, 0, 7);
const MIDR_EL1: u32 = sysreg(3, 0, 0, 0, 0);

/// The FPCR bits that hold state here: AHP, DN, FZ, RMode and FZ16 (the
/// scalar half-precision instructions honour it; no alternate FP
/// behaviour; trap enables are RAZ/WI, Len and Stride RES0 in AArch64).
/// The others read as zero, as on hardware.
const FPCR_BITS: u64 = 0x07c8_0000;
/// The FPSR bits: N, Z, C, V (AArch32's), QC and the cumulative
/// exception flags IDC, IXC, UFC, OFC, DZC, IOC.
const FPSR_BITS: u64 = 0xf800_009f;

/// CTR_EL0 as a Neoverse-like core reports it: 64-byte lines (IminLine and
/// DminLine 4), DIC and IDC clear, so caches are maintained by the program.
const CTR_VALUE: u64 = 0x8444_c004;
/// DCZID_EL0: DC ZVA prohibited (bit 4) until it is implemented.
const DCZID_VALUE: u64 = 0x10;
/// MIDR_EL1: architecture 0xf, implementer 0 (as qemu's "max" CPU).
const MIDR_VALUE: u64 = 0x000f_0510;

/// The ID registers (op0 3, op1 0, CRn 0, CRm 0..7) as Linux's MRS
/// emulation shows them to user space (HWCAP_CPUID): MIDR_EL1, MPIDR_EL1,
/// and the feature fields of what emu implements; the rest of that space
/// reads as zero.
fn id_register(reg: u32) -> u64 {
    match reg {
        MIDR_EL1 => MIDR_VALUE,
        // MPIDR_EL1: bit 31 is RES1.
        r if r == sysreg(3, 0, 0, 0, 5) => 0x8000_0000,
        // ID_AA64PFR0_EL1: EL0 and EL1 AArch64 only; FP and AdvSIMD (0 =
        // implemented).
        r if r == sysreg(3, 0, 0, 4, 0) => 0x11,
        // ID_AA64ISAR0_EL1: AES with PMULL (2), SHA1, SHA2, CRC32 (1),
        // LSE atomics (2).
        r if r == sysreg(3, 0, 0, 6, 0) => 0x0021_1120,
        // ID_AA64ISAR1_EL1: LRCPC with LDAPUR/STLUR (2).
        r if r == sysreg(3, 0, 0, 6, 1) => 0x0020_0000,
        _ => 0,
    }
}

fn mrs(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let v = match insn.get('p') {
        NZCV => {
            // From the flag encoding of cpu.rs to PSTATE bits 31..28.
            let n = cx.b.get_reg(N_OFFSET);
            let z = cx.b.get_reg(Z_OFFSET);
            let c = cx.b.get_reg(C_OFFSET);
            let v = cx.b.get_reg(V_OFFSET);
            let zero = cx.imm(0);
            let z = cx.b.cmp(Cond::Eq, z, zero);
            let s63 = cx.imm(63);
            let n = cx.b.lshr(n, s63);
            let v = cx.b.lshr(v, s63);
            // N at 31, Z at 30, C at 29, V at 28: (n:z:c:v) << 28.
            let mut bits = n;
            for f in [z, c, v] {
                let one = cx.imm(1);
                bits = cx.b.shl(bits, one);
                bits = cx.b.or(bits, f);
            }
            let s28 = cx.imm(28);
            cx.b.shl(bits, s28)
        }
        FPCR => cx.b.get_reg(FPCR_OFFSET),
        FPSR => cx.b.get_reg(FPSR_OFFSET),
        TPIDR_EL0 => cx.b.get_reg(TPIDR_OFFSET),
        CTR_EL0 => cx.imm(CTR_VALUE),
        DCZID_EL0 => cx.imm(DCZID_VALUE),
        reg if reg >> 7 == sysreg(3, 0, 0, 0, 0) >> 7 && reg >> 3 & 15 < 8 => {
            cx.imm(id_register(reg))
        }
        _ => return Err(Illegal),
    };
    cx.set_x(insn.get('t'), v);
    Ok(())
}

fn msr(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let v = cx.x(insn.get('t'));
    match insn.get('p') {
        NZCV => {
            // PSTATE bits 31..28 to the flag encoding of cpu.rs.
            let s32 = cx.imm(32);
            let n = cx.b.shl(v, s32);
            let not = cx.b.not(v);
            let zbit = cx.imm(1 << 30);
            let z = cx.b.and(not, zbit);
            let s29 = cx.imm(29);
            let c = cx.b.lshr(v, s29);
            let one = cx.imm(1);
            let c = cx.b.and(c, one);
            let s35 = cx.imm(35);
            let vf = cx.b.shl(v, s35);
            cx.b.set_reg(N_OFFSET, n);
            cx.b.set_reg(Z_OFFSET, z);
            cx.b.set_reg(C_OFFSET, c);
            cx.b.set_reg(V_OFFSET, vf);
        }
        FPCR => {
            let mask = cx.imm(FPCR_BITS);
            let v = cx.b.and(v, mask);
            cx.b.set_reg(FPCR_OFFSET, v);
        }
        FPSR => {
            let mask = cx.imm(FPSR_BITS);
            let v = cx.b.and(v, mask);
            cx.b.set_reg(FPSR_OFFSET, v);
        }
        TPIDR_EL0 => cx.b.set_reg(TPIDR_OFFSET, v),
        _ => return Err(Illegal),
    }
    Ok(())
}
