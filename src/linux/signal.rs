//! Guest signal delivery: entering guest handlers with the architecture's
//! Linux signal frame, `rt_sigreturn`, default actions, and the restart of
//! system calls a handler interrupted.
//!
//! Owns the sigreturn trampoline page (the vDSO's `rt_sigreturn` entry) and
//! the decisions "deliver, ignore or die". The guest signal state (actions,
//! masks, alternate stacks, the pending set the host handler fills) lives in
//! `emu_syscalls`.

use super::Process;
use crate::guest::{BadFrame, GuestArch, GuestCpu, SignalDelivery};
use crate::mem::AddressSpace;
use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;
const SA_ONSTACK: u64 = 0x0800_0000;
const SA_RESTART: u64 = 0x1000_0000;
const SA_NODEFER: u64 = 0x4000_0000;
const SA_RESETHAND: u64 = 0x8000_0000;
const SS_ONSTACK: i32 = 1;
const SS_DISABLE: i32 = 2;
const SS_AUTODISARM: i32 = 1 << 31;

thread_local! {
    /// The exit request word of the guest CPU this thread runs.
    static EXIT_REQUEST: Cell<*const AtomicU32> = const { Cell::new(std::ptr::null()) };
}

/// Runs in the host signal handler once a signal is recorded for the guest:
/// translated code leaves at its next block (async-signal-safe).
fn request_exit() {
    let flag = EXIT_REQUEST.with(|f| f.get());
    if !flag.is_null() {
        // SAFETY: set by `watch_exit_request` to a word of the CPU that this
        // thread runs until it ends.
        unsafe { (*flag).store(1, Ordering::SeqCst) };
    }
}

/// The exit-request word of the CPU the calling thread runs (null before
/// [`watch_exit_request`]).
pub fn current_exit_request() -> *const AtomicU32 {
    EXIT_REQUEST.with(|f| f.get())
}

/// Makes signals recorded for the calling thread set `cpu`'s exit request
/// (see `GuestArch::EXIT_REQUEST_OFFSET`). `cpu` must outlive the
/// thread's guest execution.
pub fn watch_exit_request<A: GuestArch>(cpu: &mut A::Cpu) {
    let flag: *const AtomicU32 = crate::guest::exit_request::<A>(cpu);
    EXIT_REQUEST.with(|f| f.set(flag));
    emu_syscalls::set_signal_hook(request_exit);
}

/// What the guest's signal came to.
pub enum Fate {
    /// A handler was entered.
    Handled,
    Ignored,
    /// The default action kills the process (the caller dies of it).
    Fatal(i32),
}

/// Maps the sigreturn trampoline for guests of `A`; returns its address.
pub fn map_trampoline<A: GuestArch>(space: &AddressSpace) -> Result<u64, String> {
    let page = crate::mem::PAGE_SIZE;
    let anon = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    let at = space
        .mmap(0, page, libc::PROT_READ | libc::PROT_WRITE, anon, -1, 0)
        .map_err(|e| format!("cannot map the signal trampoline: errno {e}"))?;
    space
        .write(at, A::SIGRETURN_CODE)
        .and_then(|()| space.mprotect(at, page, libc::PROT_READ | libc::PROT_EXEC))
        .map_err(|e| format!("cannot write the signal trampoline: errno {e}"))?;
    Ok(at)
}

/// siginfo for a synchronous fault: si_signo, si_errno 0, si_code, si_addr.
pub fn fault_info(sig: i32, code: i32, addr: u64) -> [u8; 128] {
    let mut info = [0u8; 128];
    info[0..4].copy_from_slice(&sig.to_le_bytes());
    info[8..12].copy_from_slice(&code.to_le_bytes());
    info[16..24].copy_from_slice(&addr.to_le_bytes());
    info
}

/// Whether the default action of `sig` is to ignore it.
fn ignored_by_default(sig: i32) -> bool {
    matches!(
        sig,
        libc::SIGCHLD | libc::SIGURG | libc::SIGWINCH | libc::SIGCONT
    )
}

/// Delivers `sig` to the calling thread's guest, as the kernel does.
/// `forced`: a synchronous fault, which a blocked or ignored disposition
/// cannot hold off (the kernel resets it to the default).
pub fn deliver<A: GuestArch>(
    process: &Process,
    cpu: &mut A::Cpu,
    sig: i32,
    info: [u8; 128],
    forced: bool,
) -> Fate {
    let Some(action) = emu_syscalls::guest_sigaction(sig) else {
        return Fate::Ignored;
    };
    let blocked = emu_syscalls::guest_sigmask() & (1 << (sig - 1)) != 0;
    if forced && (blocked || action.handler == SIG_IGN) {
        return Fate::Fatal(sig);
    }
    match action.handler {
        SIG_IGN => return Fate::Ignored,
        SIG_DFL if ignored_by_default(sig) => return Fate::Ignored,
        SIG_DFL => return Fate::Fatal(sig),
        _ => {}
    }
    let (ss_sp, ss_flags, ss_size) = emu_syscalls::guest_altstack();
    let sp = cpu.sp();
    let on_altstack = ss_flags & SS_DISABLE == 0 && sp.wrapping_sub(ss_sp) < ss_size;
    let use_altstack = action.flags & SA_ONSTACK != 0 && ss_flags & SS_DISABLE == 0 && !on_altstack;
    let sp_top = if use_altstack { ss_sp + ss_size } else { sp };
    let uc_flags = if ss_flags & SS_DISABLE != 0 {
        SS_DISABLE
    } else if on_altstack {
        SS_ONSTACK
    } else {
        ss_flags & SS_AUTODISARM
    };
    let mask = emu_syscalls::guest_sigmask();
    // After rt_sigsuspend, the handler returns to the mask from before it.
    let restore = emu_syscalls::take_saved_sigmask().unwrap_or(mask);
    let d = SignalDelivery {
        sp_top,
        sig,
        info,
        blocked: restore,
        uc_stack: (ss_sp, uc_flags, ss_size),
        handler: action.handler,
        trampoline: process.sigreturn_trampoline,
    };
    let saved = cpu.clone();
    let (frame, bytes) = A::setup_signal_frame(cpu, &d);
    if process.space.write(frame, &bytes).is_err() {
        // No room for the frame: the kernel forces SIGSEGV.
        *cpu = saved;
        return Fate::Fatal(libc::SIGSEGV);
    }
    if use_altstack && ss_flags & SS_AUTODISARM != 0 {
        emu_syscalls::set_guest_altstack(0, SS_DISABLE, 0);
    }
    let mut new_mask = mask | action.mask;
    if action.flags & SA_NODEFER == 0 {
        new_mask |= 1 << (sig - 1);
    }
    emu_syscalls::set_guest_sigmask(new_mask);
    if action.flags & SA_RESETHAND != 0 {
        emu_syscalls::reset_guest_sigaction(sig);
    }
    Fate::Handled
}

/// Whether `sig` runs a handler whose action has SA_RESTART.
pub fn restarts(sig: i32) -> bool {
    emu_syscalls::guest_sigaction(sig)
        .is_some_and(|a| a.handler != SIG_DFL && a.handler != SIG_IGN && a.flags & SA_RESTART != 0)
}

/// `rt_sigreturn`: restores the thread from the frame at its stack pointer.
/// `Err` for a bad frame (the kernel's SIGSEGV).
pub fn sigreturn<A: GuestArch>(process: &Process, cpu: &mut A::Cpu) -> Result<(), BadFrame> {
    let mut frame = vec![0u8; A::SIGNAL_FRAME_SIZE];
    process
        .space
        .read(cpu.sp(), &mut frame)
        .map_err(|_| BadFrame)?;
    let (mask, (ss_sp, ss_flags, ss_size)) = A::restore_signal_frame(cpu, &frame)?;
    emu_syscalls::set_guest_sigmask(mask);
    emu_syscalls::set_guest_altstack(ss_sp, ss_flags, ss_size);
    Ok(())
}

/// System calls a handler's SA_RESTART does not restart (signal(7)): they
/// fail with EINTR whenever a handler interrupted them.
pub fn never_restarted(name: &str) -> bool {
    matches!(
        name,
        "ppoll"
            | "pselect6"
            | "epoll_pwait"
            | "epoll_pwait2"
            | "io_getevents"
            | "io_pgetevents"
            | "nanosleep"
            | "clock_nanosleep"
            | "rt_sigsuspend"
            | "rt_sigtimedwait"
            | "msgrcv"
            | "msgsnd"
            | "semtimedop"
            | "semop"
            | "signalfd4"
    )
}
