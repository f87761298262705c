//! Build script: compiles the C shims (`src/mem/guard.c`: sigsetjmp-based
//! guarded execution for fault-safe guest memory access).

fn main() {
    println!("cargo:rerun-if-changed=src/mem/guard.c");
    cc::Build::new()
        .file("src/mem/guard.c")
        .flag_if_supported("-fno-omit-frame-pointer")
        .compile("emu_mem_guard");
}
