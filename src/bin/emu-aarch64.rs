//! `emu-aarch64`: run an aarch64 Linux program on this host (work in
//! progress: see the README's status).
fn main() {
    emu::cli::main::<emu::guest::aarch64::Aarch64>()
}
