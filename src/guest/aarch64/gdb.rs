//! How gdb sees an aarch64 CPU: the core registers (x0..x30, sp, pc, cpsr)
//! and the FP/SIMD ones (v0..v31, fpsr, fpcr), as gdb's aarch64 features
//! name them, and the `g` packet layout that follows.

use super::cpu::Cpu;
use crate::guest::BadRegisters;

/// The target description (`qXfer:features:read`).
pub fn target_xml() -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n\
         <architecture>aarch64</architecture>\n<osabi>GNU/Linux</osabi>\n\
         <feature name=\"org.gnu.gdb.aarch64.core\">\n",
    );
    for i in 0..31 {
        s += &format!("<reg name=\"x{i}\" bitsize=\"64\" type=\"int\" regnum=\"{i}\"/>\n");
    }
    s += "<reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n\
          <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n\
          <reg name=\"cpsr\" bitsize=\"32\" type=\"int\" regnum=\"33\"/>\n</feature>\n\
          <feature name=\"org.gnu.gdb.aarch64.fpu\">\n";
    for i in 0..32 {
        s += &format!(
            "<reg name=\"v{i}\" bitsize=\"128\" type=\"uint128\" regnum=\"{}\"/>\n",
            34 + i
        );
    }
    s += "<reg name=\"fpsr\" bitsize=\"32\" type=\"int\" regnum=\"66\"/>\n\
          <reg name=\"fpcr\" bitsize=\"32\" type=\"int\" regnum=\"67\"/>\n</feature>\n</target>\n";
    s
}

/// Bytes of the `g` packet.
pub const G_PACKET_SIZE: usize = 33 * 8 + 4 + 32 * 16 + 2 * 4;

pub fn registers(cpu: &Cpu) -> Vec<u8> {
    let mut out = Vec::with_capacity(G_PACKET_SIZE);
    for x in cpu.x.iter().chain([&cpu.sp, &cpu.pc]) {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.extend_from_slice(&(cpu.nzcv() as u32).to_le_bytes());
    for [lo, hi] in cpu.vreg {
        out.extend_from_slice(&lo.to_le_bytes());
        out.extend_from_slice(&hi.to_le_bytes());
    }
    out.extend_from_slice(&(cpu.fpsr as u32).to_le_bytes());
    out.extend_from_slice(&(cpu.fpcr as u32).to_le_bytes());
    out
}

pub fn set_registers(cpu: &mut Cpu, bytes: &[u8]) -> Result<(), BadRegisters> {
    if bytes.len() != G_PACKET_SIZE {
        return Err(BadRegisters);
    }
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as u64;
    for i in 0..31 {
        cpu.x[i] = u64_at(8 * i);
    }
    cpu.sp = u64_at(31 * 8);
    cpu.pc = u64_at(32 * 8);
    cpu.set_nzcv(u32_at(33 * 8));
    let v = 33 * 8 + 4;
    for i in 0..32 {
        cpu.vreg[i] = [u64_at(v + 16 * i), u64_at(v + 16 * i + 8)];
    }
    cpu.fpsr = u32_at(v + 512);
    cpu.fpcr = u32_at(v + 516);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_round_trip_through_the_g_packet() {
        let mut cpu = Cpu::default();
        for i in 0..31 {
            cpu.x[i] = 0x100 + i as u64;
        }
        cpu.sp = 0x7000;
        cpu.pc = 0x40_0000;
        cpu.set_nzcv(0x6000_0000);
        cpu.vreg[3] = [1, 2];
        cpu.fpcr = 0x40_0000;
        let g = registers(&cpu);
        assert_eq!(g.len(), G_PACKET_SIZE);
        let mut back = Cpu::default();
        set_registers(&mut back, &g).unwrap();
        assert_eq!(back, cpu);
        assert_eq!(target_xml().matches("<reg ").count(), 68);
    }
}
