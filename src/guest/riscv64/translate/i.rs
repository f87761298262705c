//! RV64I base integer instructions: the decoder lines and their translators,
//! plus the small operand helpers (`reg_reg`, `reg_imm`, `mem_addr`) the other
//! integer extensions (M, B, Zicond) reuse. Owns nothing outside this ISA
//! chapter: FP, CSRs and atomics live in their own files.

use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::{Builder, Cond, ExitReason, FenceKind, IndirectKind, MemOp, Terminator, Value};

pub const TABLE: &[Pattern] = crate::rv_table! {
    ".................... ..... 0110111"   lui => lui;
    ".................... ..... 0010111"   auipc => auipc;
    ".................... ..... 1101111"   jal => jal;
    "............ ..... 000 ..... 1100111"  jalr => jalr;

    "....... ..... ..... 000 ..... 1100011" beq => beq;
    "....... ..... ..... 001 ..... 1100011" bne => bne;
    "....... ..... ..... 100 ..... 1100011" blt => blt;
    "....... ..... ..... 101 ..... 1100011" bge => bge;
    "....... ..... ..... 110 ..... 1100011" bltu => bltu;
    "....... ..... ..... 111 ..... 1100011" bgeu => bgeu;

    "............ ..... 000 ..... 0000011"  lb => lb;
    "............ ..... 001 ..... 0000011"  lh => lh;
    "............ ..... 010 ..... 0000011"  lw => lw;
    "............ ..... 011 ..... 0000011"  ld => ld;
    "............ ..... 100 ..... 0000011"  lbu => lbu;
    "............ ..... 101 ..... 0000011"  lhu => lhu;
    "............ ..... 110 ..... 0000011"  lwu => lwu;

    "....... ..... ..... 000 ..... 0100011" sb => sb;
    "....... ..... ..... 001 ..... 0100011" sh => sh;
    "....... ..... ..... 010 ..... 0100011" sw => sw;
    "....... ..... ..... 011 ..... 0100011" sd => sd;

    "............ ..... 000 ..... 0010011"  addi => addi;
    "............ ..... 010 ..... 0010011"  slti => slti;
    "............ ..... 011 ..... 0010011"  sltiu => sltiu;
    "............ ..... 100 ..... 0010011"  xori => xori;
    "............ ..... 110 ..... 0010011"  ori => ori;
    "............ ..... 111 ..... 0010011"  andi => andi;
    "000000 ...... ..... 001 ..... 0010011" slli => slli;
    "000000 ...... ..... 101 ..... 0010011" srli => srli;
    "010000 ...... ..... 101 ..... 0010011" srai => srai;

    "0000000 ..... ..... 000 ..... 0110011" add => add;
    "0100000 ..... ..... 000 ..... 0110011" sub => sub;
    "0000000 ..... ..... 001 ..... 0110011" sll => sll;
    "0000000 ..... ..... 010 ..... 0110011" slt => slt;
    "0000000 ..... ..... 011 ..... 0110011" sltu => sltu;
    "0000000 ..... ..... 100 ..... 0110011" xor => xor;
    "0000000 ..... ..... 101 ..... 0110011" srl => srl;
    "0100000 ..... ..... 101 ..... 0110011" sra => sra;
    "0000000 ..... ..... 110 ..... 0110011" or => or;
    "0000000 ..... ..... 111 ..... 0110011" and => and;

    // The W shifts take a 5-bit shamt: a set bit 25 matches no line (illegal).
    "............ ..... 000 ..... 0011011"  addiw => addiw;
    "0000000 ..... ..... 001 ..... 0011011" slliw => slliw;
    "0000000 ..... ..... 101 ..... 0011011" srliw => srliw;
    "0100000 ..... ..... 101 ..... 0011011" sraiw => sraiw;
    "0000000 ..... ..... 000 ..... 0111011" addw => addw;
    "0100000 ..... ..... 000 ..... 0111011" subw => subw;
    "0000000 ..... ..... 001 ..... 0111011" sllw => sllw;
    "0000000 ..... ..... 101 ..... 0111011" srlw => srlw;
    "0100000 ..... ..... 101 ..... 0111011" sraw => sraw;

    // fence.tso is a fence with fm=1000, pred=succ=RW; more specific, so first.
    "1000 0011 0011 00000 000 00000 0001111" fence_tso => fence;
    "............ ..... 000 ..... 0001111"  fence => fence;
    "000000000000 00000 000 00000 1110011"  ecall => ecall;
    "000000000001 00000 000 00000 1110011"  ebreak => ebreak;
};

// ---- helpers shared with the other integer extensions ----

/// A binary IR operation as a builder method (`Builder::add`, …).
pub(super) type BinOp = fn(&mut Builder, Value, Value) -> Value;

/// `rd = op(rs1, rs2)`; nothing is emitted when rd is x0 (no side effects).
pub(super) fn reg_reg(cx: &mut Ctx, i: Insn, op: BinOp) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let a = cx.x(i.rs1());
        let b = cx.x(i.rs2());
        let v = op(&mut cx.b, a, b);
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

/// `rd = sext32(op(rs1, rs2))`: the *W forms.
pub(super) fn reg_reg_w(cx: &mut Ctx, i: Insn, op: BinOp) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let a = cx.x(i.rs1());
        let b = cx.x(i.rs2());
        let v = op(&mut cx.b, a, b);
        let v = cx.b.sext32(v);
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

/// `rd = op(rs1, imm)`; nothing is emitted when rd is x0.
pub(super) fn reg_imm(cx: &mut Ctx, i: Insn, imm: i64, op: BinOp) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let a = cx.x(i.rs1());
        let b = cx.imm(imm);
        let v = op(&mut cx.b, a, b);
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

/// `rd = sext32(op(rs1, imm))`.
fn reg_imm_w(cx: &mut Ctx, i: Insn, imm: i64, op: BinOp) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let a = cx.x(i.rs1());
        let b = cx.imm(imm);
        let v = op(&mut cx.b, a, b);
        let v = cx.b.sext32(v);
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

/// `rs1 + offset` (no add for a zero offset).
pub(super) fn mem_addr(cx: &mut Ctx, rs1: u32, offset: i64) -> Value {
    let base = cx.x(rs1);
    if offset == 0 {
        base
    } else {
        let off = cx.imm(offset);
        cx.b.add(base, off)
    }
}

// ---- U/J types and control flow ----

fn lui(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let v = cx.imm(i.imm_u());
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

fn auipc(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    if i.rd() != 0 {
        // The pc is known at translation time: fold to a constant.
        let v = cx.b.const_(cx.pc.wrapping_add(i.imm_u() as u64));
        cx.set_x(i.rd(), v);
    }
    Ok(())
}

fn jal(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    if i.rd() != 0 {
        let link = cx.b.const_(cx.next_pc);
        cx.set_x(i.rd(), link);
    }
    if is_link(i.rd()) {
        cx.call_return = Some(cx.next_pc);
    }
    cx.jump(cx.pc.wrapping_add(i.imm_j() as u64));
    Ok(())
}

/// x1 (ra) and x5 (t0) are the link registers of the calling convention
/// (the manual's return-address-stack hints).
fn is_link(r: u32) -> bool {
    r == 1 || r == 5
}

fn jalr(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    // The target is computed before rd is written: rd may be rs1.
    let sum = mem_addr(cx, i.rs1(), i.imm_i());
    let mask = cx.imm(!1);
    let target = cx.b.and(sum, mask);
    if i.rd() != 0 {
        let link = cx.b.const_(cx.next_pc);
        cx.set_x(i.rd(), link);
    }
    if is_link(i.rd()) {
        cx.call_return = Some(cx.next_pc);
    }
    let kind = if i.rd() == 0 && is_link(i.rs1()) && i.imm_i() == 0 {
        IndirectKind::Return
    } else {
        IndirectKind::Jump
    };
    cx.end = Some(Terminator::Indirect { target, kind });
    Ok(())
}

fn branch(cx: &mut Ctx, i: Insn, cond: Cond) -> Result<(), Illegal> {
    let a = cx.x(i.rs1());
    let b = cx.x(i.rs2());
    let c = cx.b.cmp(cond, a, b);
    let taken = cx.pc.wrapping_add(i.imm_b() as u64);
    cx.end = Some(Terminator::Branch {
        cond: c,
        taken,
        not_taken: cx.next_pc,
    });
    Ok(())
}

fn beq(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    branch(cx, i, Cond::Eq)
}
fn bne(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    branch(cx, i, Cond::Ne)
}
fn blt(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    branch(cx, i, Cond::LtS)
}
fn bge(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    branch(cx, i, Cond::GeS)
}
fn bltu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    branch(cx, i, Cond::LtU)
}
fn bgeu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    branch(cx, i, Cond::GeU)
}

// ---- loads and stores ----

/// Loads always access memory, even into x0: the access may fault.
fn load(cx: &mut Ctx, i: Insn, mem: MemOp) -> Result<(), Illegal> {
    let addr = mem_addr(cx, i.rs1(), i.imm_i());
    let v = cx.b.load(mem, addr);
    cx.set_x(i.rd(), v);
    Ok(())
}

fn lb(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load(cx, i, MemOp::S8)
}
fn lh(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load(cx, i, MemOp::S16)
}
fn lw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load(cx, i, MemOp::S32)
}
fn ld(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load(cx, i, MemOp::U64)
}
fn lbu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load(cx, i, MemOp::U8)
}
fn lhu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load(cx, i, MemOp::U16)
}
fn lwu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    load(cx, i, MemOp::U32)
}

fn store(cx: &mut Ctx, i: Insn, mem: MemOp) -> Result<(), Illegal> {
    let addr = mem_addr(cx, i.rs1(), i.imm_s());
    let v = cx.x(i.rs2());
    cx.b.store(mem, addr, v);
    Ok(())
}

fn sb(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    store(cx, i, MemOp::U8)
}
fn sh(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    store(cx, i, MemOp::U16)
}
fn sw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    store(cx, i, MemOp::U32)
}
fn sd(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    store(cx, i, MemOp::U64)
}

// ---- register-immediate ----

fn addi(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    if i.rs1() == 0 && i.rd() != 0 {
        // li: a constant, no add.
        let v = cx.imm(i.imm_i());
        cx.set_x(i.rd(), v);
        return Ok(());
    }
    if i.imm_i() == 0 && i.rd() != 0 {
        // mv: a copy, no add.
        let v = cx.x(i.rs1());
        cx.set_x(i.rd(), v);
        return Ok(());
    }
    reg_imm(cx, i, i.imm_i(), Builder::add)
}

fn slti(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.imm_i(), |b, x, y| b.cmp(Cond::LtS, x, y))
}
fn sltiu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    // The immediate is sign-extended, then compared unsigned.
    reg_imm(cx, i, i.imm_i(), |b, x, y| b.cmp(Cond::LtU, x, y))
}
fn xori(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.imm_i(), Builder::xor)
}
fn ori(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.imm_i(), Builder::or)
}
fn andi(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.imm_i(), Builder::and)
}
fn slli(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.shamt() as i64, Builder::shl)
}
fn srli(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.shamt() as i64, Builder::lshr)
}
fn srai(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm(cx, i, i.shamt() as i64, Builder::ashr)
}

// ---- register-register ----

fn add(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::add)
}
fn sub(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::sub)
}
fn sll(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::shl)
}
fn slt(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| b.cmp(Cond::LtS, x, y))
}
fn sltu(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, |b, x, y| b.cmp(Cond::LtU, x, y))
}
fn xor(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::xor)
}
fn srl(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::lshr)
}
fn sra(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::ashr)
}
fn or(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::or)
}
fn and(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg(cx, i, Builder::and)
}

// ---- 32-bit (W) forms: operate on the low word, sign-extend the result ----

fn addiw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    if i.imm_i() == 0 && i.rd() != 0 {
        // sext.w
        let a = cx.x(i.rs1());
        let v = cx.b.sext32(a);
        cx.set_x(i.rd(), v);
        return Ok(());
    }
    reg_imm_w(cx, i, i.imm_i(), Builder::add)
}
fn slliw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm_w(cx, i, i.shamt() as i64, Builder::shl32)
}
fn srliw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm_w(cx, i, i.shamt() as i64, Builder::lshr32)
}
fn sraiw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_imm_w(cx, i, i.shamt() as i64, Builder::ashr32)
}
fn addw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::add)
}
fn subw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::sub)
}
fn sllw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::shl32)
}
fn srlw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::lshr32)
}
fn sraw(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    reg_reg_w(cx, i, Builder::ashr32)
}

// ---- fences and traps ----

/// FENCE predecessor/successor bits (imm[7:4] = pred, imm[3:0] = succ): I O R W.
const FENCE_I: u32 = 8;
const FENCE_O: u32 = 4;
const FENCE_R: u32 = 2;
const FENCE_W: u32 = 1;

/// The x86 cost of a fence: TSO already orders everything except an earlier
/// store against a later load, so only fences ordering writes (W or device
/// output O) before reads (R or I) need a full barrier. `fence.tso`
/// (fm=1000, RW,RW) is exactly TSO. Reserved fm values and the rd/rs1 fields
/// are ignored, as the manual asks of base implementations.
fn fence(cx: &mut Ctx, i: Insn) -> Result<(), Illegal> {
    let fm = i.0 >> 28;
    let pred = (i.0 >> 24) & 15;
    let succ = (i.0 >> 20) & 15;
    let tso = fm == 0b1000 && pred == FENCE_R | FENCE_W && succ == FENCE_R | FENCE_W;
    let orders_write_to_read = pred & (FENCE_W | FENCE_O) != 0 && succ & (FENCE_R | FENCE_I) != 0;
    let kind = if orders_write_to_read && !tso {
        FenceKind::Full
    } else {
        FenceKind::Weak
    };
    cx.b.fence(kind);
    Ok(())
}

fn ecall(cx: &mut Ctx, _i: Insn) -> Result<(), Illegal> {
    cx.exit(ExitReason::Syscall, cx.next_pc);
    Ok(())
}

fn ebreak(cx: &mut Ctx, _i: Insn) -> Result<(), Illegal> {
    cx.exit(ExitReason::Breakpoint, cx.pc);
    Ok(())
}
