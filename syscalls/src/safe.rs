//! System calls that may block, made so that a guest signal cannot slip in
//! between "is a signal pending?" and the kernel starting to wait (which
//! would wait past the signal, perhaps forever). QEMU's safe_syscall idea:
//! the check and the `syscall` instruction sit in one assembly routine, and
//! the host signal handler, finding the interrupted thread between the two,
//! moves it to the routine's EINTR exit.
//!
//! Owns the routine, the per-thread "signal arrived" word it checks and the
//! handler's side of the protocol. Other hosts use a plain syscall (the race
//! stays there).

use std::sync::atomic::{AtomicU32, Ordering};

thread_local! {
    /// Set by the host handler when it records a guest signal; cleared by
    /// the core before it looks for signals to deliver.
    static ARRIVED: AtomicU32 = const { AtomicU32::new(0) };
}

/// The handler recorded a signal for the calling thread.
pub(crate) fn signal_arrived() {
    ARRIVED.with(|a| a.store(1, Ordering::SeqCst));
}

/// The core is about to deliver what is pending: later arrivals interrupt
/// the next blocking syscall again.
pub(crate) fn clear_arrived() {
    ARRIVED.with(|a| a.store(0, Ordering::SeqCst));
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use super::ARRIVED;

    // emu_safe_syscall(arrived: *const u32, nr, a0, a1, a2, a3, a4, a5) -> raw result
    std::arch::global_asm!(
        ".globl emu_safe_syscall",
        ".globl emu_safe_syscall_start",
        ".globl emu_safe_syscall_end",
        ".globl emu_safe_syscall_eintr",
        "emu_safe_syscall:",
        "push r12",
        "mov r12, rdi",
        "mov rax, rsi",
        "mov rdi, rdx",
        "mov rsi, rcx",
        "mov rdx, r8",
        "mov r10, r9",
        "mov r8, [rsp + 16]",
        "mov r9, [rsp + 24]",
        "emu_safe_syscall_start:",
        "cmp dword ptr [r12], 0",
        "jnz emu_safe_syscall_eintr",
        "syscall",
        "emu_safe_syscall_end:",
        "pop r12",
        "ret",
        "emu_safe_syscall_eintr:",
        "mov rax, -4", // -EINTR
        "pop r12",
        "ret",
    );

    extern "C" {
        #[allow(clippy::too_many_arguments)]
        fn emu_safe_syscall(
            arrived: *const u32,
            nr: i64,
            a0: u64,
            a1: u64,
            a2: u64,
            a3: u64,
            a4: u64,
            a5: u64,
        ) -> i64;
        static emu_safe_syscall_start: u8;
        static emu_safe_syscall_end: u8;
        static emu_safe_syscall_eintr: u8;
    }

    /// The raw kernel result of syscall `nr` (negative errno on failure).
    pub(crate) fn syscall(nr: libc::c_long, a: [u64; 6]) -> i64 {
        let arrived = ARRIVED.with(|w| w.as_ptr() as *const u32);
        // SAFETY: the routine makes syscall `nr` with the caller's
        // arguments (valid for `nr`, as for any host syscall here).
        unsafe { emu_safe_syscall(arrived, nr, a[0], a[1], a[2], a[3], a[4], a[5]) }
    }

    /// In the host handler: a thread stopped between the check and the
    /// `syscall` instruction continues at the EINTR exit instead.
    ///
    /// # Safety
    /// `uc` is the handler's ucontext.
    pub(crate) unsafe fn redirect(uc: *mut libc::c_void) {
        let uc = uc as *mut libc::ucontext_t;
        let rip = &mut (*uc).uc_mcontext.gregs[libc::REG_RIP as usize];
        let start = &raw const emu_safe_syscall_start as i64;
        let end = &raw const emu_safe_syscall_end as i64;
        if (start..end).contains(rip) {
            *rip = &raw const emu_safe_syscall_eintr as i64;
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    pub(crate) fn syscall(nr: libc::c_long, a: [u64; 6]) -> i64 {
        // SAFETY: as in host::sys.
        let r = unsafe { libc::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]) };
        if r == -1 {
            -(crate::host::errno() as i64)
        } else {
            r
        }
    }
    pub(crate) unsafe fn redirect(_uc: *mut libc::c_void) {}
}

pub(crate) use imp::{redirect, syscall};

/// Syscalls that may wait for something a signal should interrupt.
pub(crate) fn may_block(nr: libc::c_long) -> bool {
    matches!(
        nr,
        libc::SYS_read
            | libc::SYS_readv
            | libc::SYS_write
            | libc::SYS_writev
            | libc::SYS_recvfrom
            | libc::SYS_recvmsg
            | libc::SYS_recvmmsg
            | libc::SYS_sendto
            | libc::SYS_sendmsg
            | libc::SYS_sendmmsg
            | libc::SYS_accept
            | libc::SYS_accept4
            | libc::SYS_connect
            | libc::SYS_wait4
            | libc::SYS_waitid
            | libc::SYS_futex
            | libc::SYS_nanosleep
            | libc::SYS_clock_nanosleep
            | libc::SYS_ppoll
            | libc::SYS_pselect6
            | libc::SYS_epoll_wait
            | libc::SYS_epoll_pwait
            | libc::SYS_epoll_pwait2
            | libc::SYS_rt_sigsuspend
            | libc::SYS_rt_sigtimedwait
            | libc::SYS_msgrcv
            | libc::SYS_msgsnd
            | libc::SYS_semtimedop
            | libc::SYS_flock
            | libc::SYS_mq_timedsend
            | libc::SYS_mq_timedreceive
    )
}
