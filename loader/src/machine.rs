//! Names for ELF `e_machine` values: the architecture name used in messages and
//! the emu user-mode binary that runs it.

use crate::elf::Class;

/// Architecture name for an `e_machine` and class ("riscv64", "aarch64", "x86_64",
/// "arm", "mips", "i386", "ppc64", "s390x", ...); "unknown" if we do not know it.
pub fn machine_name(machine: u16, class: Class) -> &'static str {
    let is64 = class == Class::Elf64;
    match machine {
        2 => "sparc",
        3 => "i386",
        4 => "m68k",
        8 if is64 => "mips64",
        8 => "mips",
        15 => "hppa",
        18 => "sparc32plus",
        20 => "ppc",
        21 => "ppc64",
        22 if is64 => "s390x",
        22 => "s390",
        40 => "arm",
        42 => "sh4",
        43 => "sparc64",
        62 if is64 => "x86_64",
        62 => "x32",
        92 => "or1k",
        94 => "xtensa",
        164 => "hexagon",
        183 => "aarch64",
        243 if is64 => "riscv64",
        243 => "riscv32",
        258 => "loongarch64",
        0x9026 => "alpha",
        _ => "unknown",
    }
}

/// The emu user-mode binary that runs this architecture (`emu-<name>`), or `None`
/// for the host architecture (x86_64: run it natively) and unknown machines.
pub fn emulator_name(machine: u16, class: Class) -> Option<&'static str> {
    Some(match machine_name(machine, class) {
        "x86_64" | "unknown" => return None,
        "sparc" => "emu-sparc",
        "i386" => "emu-i386",
        "m68k" => "emu-m68k",
        "mips64" => "emu-mips64",
        "mips" => "emu-mips",
        "hppa" => "emu-hppa",
        "sparc32plus" => "emu-sparc32plus",
        "ppc" => "emu-ppc",
        "ppc64" => "emu-ppc64",
        "s390x" => "emu-s390x",
        "s390" => "emu-s390",
        "arm" => "emu-arm",
        "sh4" => "emu-sh4",
        "sparc64" => "emu-sparc64",
        "x32" => "emu-x32",
        "or1k" => "emu-or1k",
        "xtensa" => "emu-xtensa",
        "hexagon" => "emu-hexagon",
        "aarch64" => "emu-aarch64",
        "riscv64" => "emu-riscv64",
        "riscv32" => "emu-riscv32",
        "loongarch64" => "emu-loongarch64",
        "alpha" => "emu-alpha",
        _ => return None,
    })
}
