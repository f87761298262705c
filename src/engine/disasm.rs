//! `-d in_asm`: guest code of a translated block, disassembled by capstone.

use crate::guest::GuestArch;
use crate::ir::Block;
use crate::mem::AddressSpace;
use capstone::prelude::*;
use std::fmt::Write;

fn capstone_for(arch: &str) -> Option<Capstone> {
    match arch {
        "riscv64" => Capstone::new()
            .riscv()
            .mode(arch::riscv::ArchMode::RiscV64)
            .extra_mode([arch::riscv::ArchExtraMode::RiscVC].into_iter())
            .build()
            .ok(),
        "aarch64" => Capstone::new()
            .arm64()
            .mode(arch::arm64::ArchMode::Arm)
            .build()
            .ok(),
        _ => None,
    }
}

/// The `IN:` section QEMU prints for a block.
pub fn guest_block<A: GuestArch>(space: &AddressSpace, block: &Block) -> String {
    let mut out = String::from("----------------\nIN:\n");
    let mut bytes = vec![0u8; block.size as usize];
    if space.read(block.pc, &mut bytes).is_err() {
        let _ = writeln!(out, "{:#x}: <unreadable>\n", block.pc);
        return out;
    }
    let Some(cs) = capstone_for(A::NAME) else {
        let _ = writeln!(
            out,
            "{:#x}: <{} bytes, no disassembler>",
            block.pc, block.size
        );
        return out;
    };
    match cs.disasm_all(&bytes, block.pc) {
        Ok(insns) => {
            for i in insns.iter() {
                let hex: String = i.bytes().iter().rev().map(|b| format!("{b:02x}")).collect();
                let _ = writeln!(
                    out,
                    "{:#018x}:  {:<8}  {} {}",
                    i.address(),
                    hex,
                    i.mnemonic().unwrap_or("?"),
                    i.op_str().unwrap_or("")
                );
            }
        }
        Err(e) => {
            let _ = writeln!(out, "{:#x}: <capstone: {e}>", block.pc);
        }
    }
    out.push('\n');
    out
}
