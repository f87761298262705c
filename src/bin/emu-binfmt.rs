//! `emu-binfmt`: register emu-<arch> with binfmt_misc (see `binfmt/`).
fn main() {
    emu_binfmt::main()
}
