//! `emu-riscv64`: run a riscv64 Linux program on this host.
fn main() {
    emu::cli::main::<emu::guest::riscv64::Riscv64>()
}
