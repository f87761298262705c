//! How gdb sees a riscv64 CPU: the target description (integer registers,
//! pc, FP registers with fflags/frm/fcsr, as gdb's own riscv features name
//! and number them) and the `g` packet layout that follows from it.

use super::cpu::Cpu;
use crate::guest::BadRegisters;

/// ABI names of x0..x31 and f0..f31, in register order.
const X_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4",
    "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
    "t5", "t6",
];
const F_NAMES: [&str; 32] = [
    "ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2",
    "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9",
    "fs10", "fs11", "ft8", "ft9", "ft10", "ft11",
];

/// The target description gdb reads (`qXfer:features:read`): regnums are
/// gdb's (x 0-31, pc 32, f 33-64, CSRs at 65 + number).
pub fn target_xml() -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n\
         <architecture>riscv:rv64</architecture>\n<osabi>GNU/Linux</osabi>\n\
         <feature name=\"org.gnu.gdb.riscv.cpu\">\n",
    );
    for (i, name) in X_NAMES.iter().enumerate() {
        let ty = match i {
            1 => "code_ptr",
            2 | 8 => "data_ptr",
            _ => "int",
        };
        s += &format!("<reg name=\"{name}\" bitsize=\"64\" type=\"{ty}\" regnum=\"{i}\"/>\n");
    }
    s += "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n</feature>\n\
          <feature name=\"org.gnu.gdb.riscv.fpu\">\n<union id=\"riscv_double\">\
          <field name=\"float\" type=\"ieee_single\"/><field name=\"double\" type=\"ieee_double\"/></union>\n";
    for (i, name) in F_NAMES.iter().enumerate() {
        s += &format!(
            "<reg name=\"{name}\" bitsize=\"64\" type=\"riscv_double\" regnum=\"{}\"/>\n",
            33 + i
        );
    }
    s += "<reg name=\"fflags\" bitsize=\"32\" type=\"int\" regnum=\"66\"/>\n\
          <reg name=\"frm\" bitsize=\"32\" type=\"int\" regnum=\"67\"/>\n\
          <reg name=\"fcsr\" bitsize=\"32\" type=\"int\" regnum=\"68\"/>\n</feature>\n</target>\n";
    s
}

/// Bytes of the `g` packet: x0..x31, pc, f0..f31 (8 bytes each), fflags,
/// frm, fcsr (4 bytes each), little-endian.
pub const G_PACKET_SIZE: usize = 65 * 8 + 3 * 4;

pub fn registers(cpu: &Cpu) -> Vec<u8> {
    let mut out = Vec::with_capacity(G_PACKET_SIZE);
    for x in cpu.x.iter().chain([&cpu.pc]).chain(&cpu.f) {
        out.extend_from_slice(&x.to_le_bytes());
    }
    let (fflags, frm) = (cpu.fflags as u32 & 0x1f, cpu.frm as u32 & 7);
    for v in [fflags, frm, frm << 5 | fflags] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Writes a `g` packet's registers; `Err` if it has the wrong size. x0
/// stays 0.
pub fn set_registers(cpu: &mut Cpu, bytes: &[u8]) -> Result<(), BadRegisters> {
    if bytes.len() != G_PACKET_SIZE {
        return Err(BadRegisters);
    }
    let word = |i: usize| u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().unwrap());
    for i in 1..32 {
        cpu.x[i] = word(i);
    }
    cpu.pc = word(32);
    for i in 0..32 {
        cpu.f[i] = word(33 + i);
    }
    let csr = |i: usize| {
        let at = 65 * 8 + 4 * i;
        u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as u64
    };
    // fcsr is fflags and frm together: whichever gdb changed counts.
    let (fflags, frm, fcsr) = (csr(0) & 0x1f, csr(1) & 7, csr(2) & 0xff);
    if fcsr != (cpu.frm << 5 | cpu.fflags) {
        (cpu.fflags, cpu.frm) = (fcsr & 0x1f, fcsr >> 5);
    } else {
        (cpu.fflags, cpu.frm) = (fflags, frm);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_round_trip_through_the_g_packet() {
        let mut cpu = Cpu::default();
        for i in 0..32 {
            cpu.x[i] = 0x1000 + i as u64;
            cpu.f[i] = 0x4000_0000_0000_0000 | i as u64;
        }
        cpu.x[0] = 0;
        cpu.pc = 0x1_0000;
        cpu.fflags = 0x11;
        cpu.frm = 2;
        let g = registers(&cpu);
        assert_eq!(g.len(), G_PACKET_SIZE);
        assert_eq!(&g[32 * 8..33 * 8], &0x1_0000u64.to_le_bytes());
        assert_eq!(&g[65 * 8 + 8..], &(2u32 << 5 | 0x11).to_le_bytes());
        let mut back = Cpu::default();
        set_registers(&mut back, &g).unwrap();
        assert_eq!(back, cpu);
        // A changed fflags field (fcsr as it was) and a changed fcsr both count.
        let mut g2 = g.clone();
        g2[65 * 8..65 * 8 + 4].copy_from_slice(&3u32.to_le_bytes());
        set_registers(&mut back, &g2).unwrap();
        assert_eq!((back.fflags, back.frm), (3, 2));
        g2[65 * 8 + 8..].copy_from_slice(&(4u32 << 5 | 1).to_le_bytes());
        set_registers(&mut back, &g2).unwrap();
        assert_eq!((back.fflags, back.frm), (1, 4));
        assert!(set_registers(&mut back, &g[1..]).is_err());
        let xml = target_xml();
        assert_eq!(xml.matches("<reg ").count(), 68);
    }
}
