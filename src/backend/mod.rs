//! Execution backends. `interp` is the portable IR interpreter and the
//! reference semantics; `x64` compiles blocks to host code on x86-64 hosts.
pub mod interp;
#[cfg(target_arch = "x86_64")]
pub mod x64;

/// Bytes of JIT code cache unless `-tb-size` says otherwise.
pub const DEFAULT_CODE_CACHE_SIZE: usize = 64 << 20;
