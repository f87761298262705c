//! The Linux syscall layer for emu guests.
//!
//! Owns: the per-ABI syscall tables (text data under `tables/`), guest struct
//! layouts with explicit conversions (`abi/`), the handlers grouped by area,
//! and `-strace` formatting. Depends only on libc: everything it needs from the
//! emulator core (guest memory, the guest address space, emulated files)
//! arrives through the [`Guest`] trait, which the core implements.

use std::ffi::{CStr, CString};

pub mod abi;
mod fd;
mod fs;
mod host;
mod ident;
mod ioctl;
mod misc;
mod mm;
mod net;
mod process;
mod safe;
mod signal;
mod strace;
mod sync;
mod table;
mod time;

pub use abi::structs::GuestSigaction;
pub use process::{clear_child_tid, set_clear_child_tid};
pub use signal::{
    guest_altstack, guest_sigaction, guest_sigmask, reset_guest_sigaction, restore_thread_signals,
    set_guest_altstack, set_guest_sigmask, set_signal_hook, set_syscall_sp, take_pending_signal,
    take_saved_sigmask, thread_signals, ThreadSignals,
};
pub use table::{dispatch, syscall_name};

/// A positive Linux errno value (EFAULT = 14, …), as the guest kernel ABI numbers it.
pub type Errno = i32;
pub type SysResult = Result<u64, Errno>;

/// What a syscall asks of the core besides a return value.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Put this value (a result, or a negative errno already encoded) in the return register.
    Return(u64),
    /// `exit`: end the calling thread with this status.
    ExitThread(i32),
    /// `clone` of a thread (CLONE_VM|CLONE_THREAD…): the core starts a new
    /// guest thread sharing everything and returns its tid (or an errno).
    NewThread(NewThread),
    /// `clone(CLONE_VM|CLONE_VFORK)` (posix_spawn, vfork): the core starts a
    /// child process sharing the guest's memory and returns its pid once
    /// the child has exec'd or exited.
    VforkChild(NewThread),
    /// `rt_sigreturn`: the core restores the state saved in the signal
    /// frame at the stack pointer (the return register included).
    SigReturn,
    /// `exit_group`: end the whole process with this status.
    ExitGroup(i32),
    /// `execve`/`execveat` of a program: the core decides how to run it
    /// (re-run under emu for a foreign ELF, host execve otherwise) and only
    /// returns (with an errno) on failure.
    Execve {
        path: CString,
        argv: Vec<CString>,
        envp: Vec<CString>,
    },
}

/// A thread-creating `clone`'s request, already checked.
#[derive(Debug, PartialEq, Eq)]
pub struct NewThread {
    pub flags: u64,
    /// The child's stack pointer (0: the parent's).
    pub stack: u64,
    /// CLONE_PARENT_SETTID: where to store the child's tid.
    pub parent_tid: Option<u64>,
    /// CLONE_SETTLS: the child's thread pointer.
    pub tls: Option<u64>,
    /// CLONE_CHILD_SETTID: where the child stores its tid.
    pub child_tid: Option<u64>,
    /// CLONE_CHILD_CLEARTID: zeroed and futex-woken when the child exits.
    pub clear_child_tid: Option<u64>,
}

/// Services the emulator core provides to syscall handlers for one guest thread.
/// All addresses are guest addresses.
pub trait Guest {
    /// Copies guest memory out; `Err(EFAULT)` if any byte is not readable.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno>;
    /// Copies into guest memory; `Err(EFAULT)` if any byte is not writable.
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), Errno>;
    /// Reads a NUL-terminated string of at most `max` bytes (ENAMETOOLONG past it, EFAULT).
    fn read_cstr(&self, addr: u64, max: usize) -> Result<CString, Errno>;
    /// A host pointer to guest bytes `addr..addr+len`, to hand straight to a host
    /// syscall (which then reports EFAULT itself for unmapped pages). `Err(EFAULT)`
    /// when the range leaves the guest address space.
    fn host_ptr(&self, addr: u64, len: u64) -> Result<*mut u8, Errno>;

    // The guest address space (the core keeps the guest's view of mappings).
    fn mmap(&self, addr: u64, len: u64, prot: i32, flags: i32, fd: i32, offset: u64) -> SysResult;
    fn munmap(&self, addr: u64, len: u64) -> SysResult;
    fn mprotect(&self, addr: u64, len: u64, prot: i32) -> SysResult;
    fn mremap(
        &self,
        old_addr: u64,
        old_len: u64,
        new_len: u64,
        flags: i32,
        new_addr: u64,
    ) -> SysResult;
    fn brk(&self, addr: u64) -> u64;
    /// Fails with ENOMEM when part of the range is not mapped in the guest:
    /// msync/mincore/mlock probe guest mappings with `MADV_NORMAL`.
    fn madvise(&self, addr: u64, len: u64, advice: i32) -> SysResult;

    /// Maps an absolute guest path to the host path to use (the `-L` prefix is
    /// tried first, as QEMU does). Relative paths are returned unchanged.
    fn host_path(&self, path: &CStr) -> CString;
    /// Opens files the core emulates (`/proc/self/maps`, `/proc/self/exe`,
    /// `/proc/self/auxv`, `/proc/cpuinfo`, `/proc/<own pid>/…`). `None`: not emulated.
    fn open_emulated(&self, dirfd: i32, path: &CStr, flags: i32) -> Option<Result<i32, Errno>>;
    /// `readlink` of emulated links (`/proc/self/exe`). `None`: not emulated.
    fn readlink_emulated(&self, dirfd: i32, path: &CStr) -> Option<Vec<u8>>;
    /// The guest's translations of `start..end` may be stale (riscv_flush_icache).
    fn flush_icache(&self, start: u64, end: u64);

    /// `uname -m` of the guest ("riscv64").
    fn machine(&self) -> &'static str;
    /// Whether `-strace` / `-d strace` is on.
    fn strace(&self) -> bool;
    /// Whether `-d unimp` is on.
    fn log_unimp(&self) -> bool;
    /// Writes one line to the emulator log (stderr or `-D` file).
    fn log(&self, line: &str);

    /// Called in the child of a fork-like `clone` that passed a new stack
    /// (glibc's `posix_spawn` runs the child on its own stack): the core must
    /// make `sp` the guest's stack pointer before the child resumes.
    fn set_child_stack(&self, sp: u64);
    /// A host `fork()` for a fork-like `clone` (the core holds its locks
    /// across it and, in the child, where only the calling guest thread
    /// exists, forgets the others). Returns fork's result.
    fn fork(&self) -> i32;
}
