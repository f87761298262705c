//! Guest signal state and the signal syscalls.
//!
//! Owns: the per-process table of guest sigactions, the per-thread guest
//! signal mask, alternate stack and pending set, the host handler that
//! records a signal for the guest, and the syscalls. Delivery (frames,
//! rt_sigreturn) belongs to the core, which reads and updates this state
//! through the `pub fn`s here.
//!
//! A signal the guest handles gets [`host_handler`] on the host; it records
//! the signal and its siginfo as pending for the calling thread and keeps it
//! blocked on the host until the core has delivered it, so further
//! instances stay queued in the host kernel (real-time signal order and
//! counts come out as the kernel makes them). SIG_IGN/SIG_DFL are mirrored
//! to the host for signals the emulator does not need. The host mask of a
//! thread mirrors its guest mask (so the kernel picks the thread a
//! process-directed signal goes to), minus the signals the emulator needs.

use crate::abi::consts::{host_reserved_signal, SA_RESTORER};
use crate::abi::structs::{
    GuestSigaction, SigactionNoRestorer, SigactionRestorer, StackT, KSIGSET_SIZE,
};
use crate::abi::{read_obj, write_obj};
use crate::host::{int, ptr, sys};
use crate::{Guest, SysResult};
use std::cell::{Cell, UnsafeCell};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

type A = [u64; 6];

/// _NSIG of the guest ABIs.
pub const NSIG: usize = 64;
const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;
const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;
const SS_AUTODISARM: i32 = 1 << 31;

static ACTIONS: Mutex<Option<[GuestSigaction; NSIG]>> = Mutex::new(None);

thread_local! {
    static MASK: Cell<u64> = const { Cell::new(0) };
    static ALTSTACK: Cell<StackT> = const { Cell::new(StackT { ss_sp: 0, ss_flags: SS_DISABLE, pad: 0, ss_size: 0 }) };
    /// Signals recorded by `host_handler`, not yet delivered (bit n-1 for n).
    static PENDING: AtomicU64 = const { AtomicU64::new(0) };
    /// Their siginfo, by signal number - 1. A slot is written only while its
    /// bit is clear and the signal unblocked, read only while the bit is set.
    static PENDING_INFO: UnsafeCell<[[u8; 128]; NSIG]> = const { UnsafeCell::new([[0; 128]; NSIG]) };
    /// Called by `host_handler` after recording (the core's "leave
    /// translated code soon" request).
    static ON_SIGNAL: Cell<Option<fn()>> = const { Cell::new(None) };
    /// The mask to restore after rt_sigsuspend's temporary one (by the
    /// handler's rt_sigreturn, or by the core if no handler ran).
    static SAVED_MASK: Cell<Option<u64>> = const { Cell::new(None) };
    /// The guest stack pointer at the current syscall (for SS_ONSTACK).
    static SYSCALL_SP: Cell<u64> = const { Cell::new(0) };
}

/// A thread's guest signal state (what a vfork child, which runs on its
/// parent's thread-local storage, must hand back untouched).
#[derive(Clone, Copy)]
pub struct ThreadSignals {
    mask: u64,
    altstack: StackT,
    pending: u64,
    saved_mask: Option<u64>,
}

/// The calling thread's guest signal state.
pub fn thread_signals() -> ThreadSignals {
    ThreadSignals {
        mask: guest_sigmask(),
        altstack: ALTSTACK.with(|s| s.get()),
        pending: PENDING.with(|p| p.load(Ordering::SeqCst)),
        saved_mask: SAVED_MASK.with(|m| m.get()),
    }
}

/// Puts back what [`thread_signals`] returned.
pub fn restore_thread_signals(s: ThreadSignals) {
    ALTSTACK.with(|a| a.set(s.altstack));
    PENDING.with(|p| p.store(s.pending, Ordering::SeqCst));
    SAVED_MASK.with(|m| m.set(s.saved_mask));
    set_guest_sigmask(s.mask);
}

/// Takes the mask rt_sigsuspend replaced, if it did.
pub fn take_saved_sigmask() -> Option<u64> {
    SAVED_MASK.with(|m| m.take())
}

/// Tells the signal syscalls the guest stack pointer of the syscall being made.
pub fn set_syscall_sp(sp: u64) {
    SYSCALL_SP.with(|s| s.set(sp));
}

/// The host handler of guest-handled signals (async-signal-safe: no locks,
/// no allocation).
extern "C" fn host_handler(sig: i32, info: *mut libc::siginfo_t, uc: *mut libc::c_void) {
    let Some(i) = (sig as usize).checked_sub(1).filter(|&i| i < NSIG) else {
        return;
    };
    // SAFETY: the kernel passes a valid siginfo and ucontext; the slot is
    // ours (its bit is clear, see PENDING_INFO).
    unsafe {
        PENDING_INFO.with(|p| {
            std::ptr::copy_nonoverlapping(info as *const u8, (*p.get())[i].as_mut_ptr(), 128)
        });
        PENDING.with(|p| p.fetch_or(1 << i, Ordering::SeqCst));
        libc::sigaddset(&mut (*(uc as *mut libc::ucontext_t)).uc_sigmask, sig);
        crate::safe::signal_arrived();
        crate::safe::redirect(uc);
    }
    if let Some(f) = ON_SIGNAL.with(|f| f.get()) {
        f();
    }
}

/// Sets the calling thread's hook run by the host handler after it recorded
/// a signal.
pub fn set_signal_hook(f: fn()) {
    ON_SIGNAL.with(|h| h.set(Some(f)));
}

/// Takes the lowest-numbered pending signal of the calling thread that its
/// guest mask does not block, with its siginfo.
pub fn take_pending_signal() -> Option<(i32, [u8; 128])> {
    // Cleared first: a signal recorded from here on interrupts the next
    // blocking syscall even if this look misses it.
    crate::safe::clear_arrived();
    let deliverable = PENDING.with(|p| p.load(Ordering::SeqCst)) & !guest_sigmask();
    if deliverable == 0 {
        return None;
    }
    let i = deliverable.trailing_zeros() as usize;
    // SAFETY: the bit is set: the handler does not write this slot.
    let info = PENDING_INFO.with(|p| unsafe { (*p.get())[i] });
    PENDING.with(|p| p.fetch_and(!(1 << i), Ordering::SeqCst));
    Some((i as i32 + 1, info))
}

/// Makes the calling thread's host mask mirror its guest mask: guest-blocked
/// and recorded-but-undelivered signals blocked, the emulator's own never.
fn apply_host_mask() {
    let pending = PENDING.with(|p| p.load(Ordering::SeqCst));
    let blocked = (guest_sigmask() | pending) & !reserved_mask() & !UNBLOCKABLE;
    // SAFETY: a sigset_t built from the 64 bits of the kernel set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        *(&mut set as *mut libc::sigset_t as *mut u64) = blocked;
        libc::pthread_sigmask(libc::SIG_SETMASK, &set, std::ptr::null_mut());
    }
}

/// The calling thread's alternate signal stack (ss_sp, ss_flags, ss_size).
pub fn guest_altstack() -> (u64, i32, u64) {
    let s = ALTSTACK.with(|s| s.get());
    (s.ss_sp, s.ss_flags, s.ss_size)
}

/// Replaces the calling thread's alternate signal stack (rt_sigreturn
/// restores it from the frame; SS_AUTODISARM clears it at delivery).
pub fn set_guest_altstack(ss_sp: u64, ss_flags: i32, ss_size: u64) {
    let mode = ss_flags & !SS_AUTODISARM;
    if mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK {
        return;
    }
    ALTSTACK.with(|s| {
        s.set(StackT {
            ss_sp,
            ss_flags: ss_flags & (SS_AUTODISARM | SS_DISABLE),
            pad: 0,
            ss_size,
        })
    });
}

/// Sets the guest disposition of `sig` back to SIG_DFL (SA_RESETHAND).
pub fn reset_guest_sigaction(sig: i32) {
    if let Some(i) = (sig as usize).checked_sub(1).filter(|&i| i < NSIG) {
        with_actions(|t| t[i] = GuestSigaction::default());
        if !host_reserved_signal(sig) {
            let _ = install_host_action(sig, SIG_DFL);
        }
    }
}

/// Runs `f` on the table, first filling it from the host's dispositions (an
/// ignored signal stays ignored across execve, and the new emulator instance
/// must report it so).
fn with_actions<R>(f: impl FnOnce(&mut [GuestSigaction; NSIG]) -> R) -> R {
    let mut guard = ACTIONS.lock().unwrap_or_else(|e| e.into_inner());
    let table = guard.get_or_insert_with(|| {
        let mut t = [GuestSigaction::default(); NSIG];
        for (i, slot) in t.iter_mut().enumerate().take(31) {
            let sig = i as i32 + 1;
            // SAFETY: querying (not changing) a disposition.
            let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
            if unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) } == 0
                && old.sa_sigaction == libc::SIG_IGN
                && !host_reserved_signal(sig)
            {
                slot.handler = SIG_IGN;
            }
        }
        t
    });
    f(table)
}

/// The guest's disposition of signal `sig` (1..=64).
pub fn guest_sigaction(sig: i32) -> Option<GuestSigaction> {
    let i = (sig as usize).checked_sub(1).filter(|&i| i < NSIG)?;
    Some(with_actions(|t| t[i]))
}

/// The calling thread's guest signal mask (bit n-1 for signal n).
pub fn guest_sigmask() -> u64 {
    MASK.with(|m| m.get())
}

/// Sets the calling thread's guest signal mask (a new thread inherits its
/// creator's; delivery and rt_sigreturn change it), and the host mask to match.
pub fn set_guest_sigmask(mask: u64) {
    MASK.with(|m| m.set(mask & !UNBLOCKABLE));
    apply_host_mask();
}

fn has_restorer(g: &dyn Guest) -> bool {
    g.machine() != "riscv64"
}

fn read_guest_action(g: &dyn Guest, addr: u64) -> Result<GuestSigaction, crate::Errno> {
    Ok(if has_restorer(g) {
        let k: SigactionRestorer = read_obj(g, addr)?;
        GuestSigaction {
            handler: k.handler,
            flags: k.flags,
            restorer: k.restorer,
            mask: k.mask,
        }
    } else {
        let k: SigactionNoRestorer = read_obj(g, addr)?;
        GuestSigaction {
            handler: k.handler,
            flags: k.flags & !SA_RESTORER,
            restorer: 0,
            mask: k.mask,
        }
    })
}

fn write_guest_action(g: &dyn Guest, addr: u64, a: &GuestSigaction) -> Result<(), crate::Errno> {
    if has_restorer(g) {
        write_obj(
            g,
            addr,
            &SigactionRestorer {
                handler: a.handler,
                flags: a.flags,
                restorer: a.restorer,
                mask: a.mask,
            },
        )
    } else {
        write_obj(
            g,
            addr,
            &SigactionNoRestorer {
                handler: a.handler,
                flags: a.flags,
                mask: a.mask,
            },
        )
    }
}

const UNBLOCKABLE: u64 = (1 << (libc::SIGKILL - 1)) | (1 << (libc::SIGSTOP - 1));

pub fn rt_sigaction(g: &dyn Guest, a: A) -> SysResult {
    let sig = int(a[0]);
    if a[3] != KSIGSET_SIZE || !(1..=NSIG as i32).contains(&sig) {
        return Err(libc::EINVAL);
    }
    let new = if a[1] != 0 {
        Some(read_guest_action(g, a[1])?)
    } else {
        None
    };
    if new.is_some() && (sig == libc::SIGKILL || sig == libc::SIGSTOP) {
        return Err(libc::EINVAL);
    }
    let i = sig as usize - 1;
    let old = with_actions(|t| t[i]);
    if let Some(mut n) = new {
        n.mask &= !UNBLOCKABLE;
        if !host_reserved_signal(sig) {
            install_host_action(sig, n.handler)?;
        }
        with_actions(|t| t[i] = n);
    }
    if a[2] != 0 {
        write_guest_action(g, a[2], &old)?;
    }
    Ok(0)
}

/// Mirrors a guest disposition on the host: SIG_IGN and SIG_DFL as they
/// are, a guest handler as [`host_handler`].
///
/// Through the raw system call: the host libc's wrapper refuses the two
/// real-time signals it keeps for itself (32 and 33), which the guest's libc
/// uses in the same way (pthread_cancel, setxid broadcasts, SIGEV_THREAD
/// timers) and which would otherwise kill the emulator.
#[cfg(target_arch = "x86_64")]
fn install_host_action(sig: i32, handler: u64) -> Result<(), crate::Errno> {
    let act = KernelSigaction {
        handler: match handler {
            SIG_DFL | SIG_IGN => handler as usize,
            _ => host_handler as *const () as usize,
        },
        flags: (libc::SA_SIGINFO | libc::SA_ONSTACK | SA_RESTORER_FLAG) as u64,
        restorer: emu_sigreturn_restorer as *const () as usize,
        mask: !0,
    };
    // SAFETY: a kernel sigaction for a signal the emulator does not use itself.
    let r = unsafe {
        libc::syscall(
            libc::SYS_rt_sigaction,
            sig,
            &act as *const KernelSigaction,
            0usize,
            8usize,
        )
    };
    if r != 0 {
        return Err(crate::host::errno());
    }
    Ok(())
}

/// Other hosts: through the libc (which keeps 32 and 33 to itself).
#[cfg(not(target_arch = "x86_64"))]
fn install_host_action(sig: i32, handler: u64) -> Result<(), crate::Errno> {
    // SAFETY: a sigaction for a signal the emulator does not use itself.
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = match handler {
            SIG_DFL | SIG_IGN => handler as usize,
            _ => {
                act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                host_handler as *const () as usize
            }
        };
        libc::sigfillset(&mut act.sa_mask);
        if libc::sigaction(sig, &act, std::ptr::null_mut()) != 0 {
            return Err(crate::host::errno());
        }
    }
    Ok(())
}

/// The x86-64 kernel's `struct sigaction` (rt_sigaction's argument).
#[cfg(target_arch = "x86_64")]
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

#[cfg(target_arch = "x86_64")]
const SA_RESTORER_FLAG: i32 = 0x0400_0000;

// The x86-64 kernel returns from a handler through the restorer it is given.
#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".globl emu_sigreturn_restorer",
    "emu_sigreturn_restorer:",
    "mov eax, 15", // rt_sigreturn
    "syscall",
);

#[cfg(target_arch = "x86_64")]
extern "C" {
    fn emu_sigreturn_restorer();
}

pub fn rt_sigprocmask(g: &dyn Guest, a: A) -> SysResult {
    if a[3] != KSIGSET_SIZE {
        return Err(libc::EINVAL);
    }
    let old = guest_sigmask();
    if a[1] != 0 {
        let set: u64 = read_obj(g, a[1])?;
        let new = match int(a[0]) {
            libc::SIG_BLOCK => old | set,
            libc::SIG_UNBLOCK => old & !set,
            libc::SIG_SETMASK => set,
            _ => return Err(libc::EINVAL),
        };
        set_guest_sigmask(new);
    }
    if a[2] != 0 {
        write_obj(g, a[2], &old)?;
    }
    Ok(0)
}

pub fn rt_sigpending(g: &dyn Guest, a: A) -> SysResult {
    if a[1] != KSIGSET_SIZE {
        return Err(libc::EINVAL);
    }
    sys(
        libc::SYS_rt_sigpending,
        [ptr(g, a[0], KSIGSET_SIZE)?, a[1], 0, 0, 0, 0],
    )
}

pub fn rt_sigsuspend(g: &dyn Guest, a: A) -> SysResult {
    if a[1] != KSIGSET_SIZE {
        return Err(libc::EINVAL);
    }
    let set = begin_masked_wait(read_obj(g, a[0])?)?;
    sys(
        libc::SYS_rt_sigsuspend,
        [&set as *const u64 as u64, a[1], 0, 0, 0, 0],
    )
}

/// Starts a wait with a temporary guest mask (sigsuspend, ppoll, pselect6,
/// epoll_pwait): the mask is the guest's until a handler has run (its frame
/// then records the saved one for rt_sigreturn; the core restores it if none
/// runs). Returns the host mask for the wait (the emulator's signals never
/// blocked, recorded ones kept blocked), or EINTR when a recorded signal is
/// unblocked by the temporary mask (the wait ends before it begins).
pub(crate) fn begin_masked_wait(temp: u64) -> Result<u64, crate::Errno> {
    let temp = temp & !UNBLOCKABLE;
    SAVED_MASK.with(|m| m.set(Some(guest_sigmask())));
    MASK.with(|m| m.set(temp));
    let pending = PENDING.with(|p| p.load(Ordering::SeqCst));
    if pending & !temp != 0 {
        return Err(libc::EINTR);
    }
    Ok((temp | pending) & !reserved_mask())
}

fn reserved_mask() -> u64 {
    (1..32)
        .filter(|&s| host_reserved_signal(s))
        .fold(0, |m, s| m | (1u64 << (s - 1)))
}

pub fn rt_sigtimedwait(g: &dyn Guest, a: A) -> SysResult {
    if a[3] != KSIGSET_SIZE {
        return Err(libc::EINVAL);
    }
    let set: u64 = read_obj(g, a[0])?;
    let set = set & !reserved_mask() & !UNBLOCKABLE;
    // The guest blocked these in its own mask; block them on the host for the
    // wait so they are taken by the wait, not by a host default action.
    // SAFETY: sigset_t starts with the 64 bits of the kernel set; the rest stays empty.
    let mut host_set: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe { *(&mut host_set as *mut libc::sigset_t as *mut u64) = set };
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &host_set, &mut old) };
    // siginfo_t is 128 bytes with the same layout on both sides.
    let r = (|| {
        sys(
            libc::SYS_rt_sigtimedwait,
            [
                &set as *const u64 as u64,
                ptr(g, a[1], 128)?,
                ptr(g, a[2], 16)?,
                a[3],
                0,
                0,
            ],
        )
    })();
    // SAFETY: restoring the mask saved above.
    unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
    r
}

/// MINSIGSTKSZ: riscv64 2048 (asm-generic), aarch64 5120.
fn min_sigstksz(g: &dyn Guest) -> u64 {
    if g.machine() == "aarch64" {
        5120
    } else {
        2048
    }
}

pub fn sigaltstack(g: &dyn Guest, a: A) -> SysResult {
    let mut old = ALTSTACK.with(|s| s.get());
    let sp = SYSCALL_SP.with(|s| s.get());
    let on_stack = old.ss_flags & SS_DISABLE == 0 && sp.wrapping_sub(old.ss_sp) < old.ss_size;
    if on_stack {
        old.ss_flags |= SS_ONSTACK;
    }
    if a[0] != 0 {
        if on_stack {
            return Err(libc::EPERM);
        }
        let new: StackT = read_obj(g, a[0])?;
        let mode = new.ss_flags & !SS_AUTODISARM;
        if mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK {
            return Err(libc::EINVAL);
        }
        let stored = if mode == SS_DISABLE {
            StackT {
                ss_sp: 0,
                ss_flags: SS_DISABLE,
                pad: 0,
                ss_size: 0,
            }
        } else {
            if new.ss_size < min_sigstksz(g) {
                return Err(libc::ENOMEM);
            }
            StackT {
                ss_flags: new.ss_flags & SS_AUTODISARM,
                pad: 0,
                ..new
            }
        };
        ALTSTACK.with(|s| s.set(stored));
    }
    if a[1] != 0 {
        write_obj(g, a[1], &old)?;
    }
    Ok(0)
}

/// The frame is the core's: it restores the registers, mask and altstack.
pub fn rt_sigreturn(_g: &dyn Guest, _a: A) -> crate::Outcome {
    crate::Outcome::SigReturn
}

/// siginfo_t: 128 bytes, the same layout on both sides.
const SIGINFO: u64 = 128;

pub fn rt_sigqueueinfo(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_rt_sigqueueinfo,
        [a[0], a[1], ptr(g, a[2], SIGINFO)?, 0, 0, 0],
    )
}

pub fn rt_tgsigqueueinfo(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_rt_tgsigqueueinfo,
        [a[0], a[1], a[2], ptr(g, a[3], SIGINFO)?, 0, 0],
    )
}
