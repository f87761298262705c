//! Fault-safe execution: the process-wide SIGSEGV/SIGBUS handler, per-thread
//! alternate signal stacks, and [`guarded`], which turns a host fault inside a
//! closure into `Err(Fault)` instead of a crash (sigsetjmp/siglongjmp through
//! the C shim `guard.c`).
//!
//! Rules for code run inside [`guarded`] (a fault longjmps over its Rust frames):
//! - own nothing whose destructor matters (no `Vec`, `Box`, `String` created
//!   inside; they leak at best), and hold no lock guard across a guest access
//!   (the lock would stay locked forever);
//! - keep whatever must survive a fault (e.g. the guest pc) in memory owned
//!   outside the closure, written before the access.
//!
//! A panic inside the closure is carried across the C frame and resumed
//! outside. A fault outside any `guarded` section is not swallowed: the
//! optional hook ([`set_unguarded_fault_hook`]) gets a look, then the previous
//! handler (Rust's stack-overflow reporter) or SIG_DFL runs and the faulting
//! instruction re-executes, killing the process with the real signal.

use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

/// A host fault caught by [`guarded`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The faulting host address (`si_addr`).
    pub host_addr: usize,
    /// `SIGSEGV` or `SIGBUS`.
    pub signal: i32,
    /// `si_code` (`SEGV_MAPERR`, `SEGV_ACCERR`, `BUS_ADRERR`, ...).
    pub code: i32,
    /// The host instruction that faulted (RIP from the signal context; 0 on
    /// hosts where it is not read): translated code maps it to a guest pc.
    pub host_pc: usize,
}

/// `si_code` values for SIGSEGV/SIGBUS (not all exported by the libc crate).
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const BUS_ADRALN: i32 = 1;
pub const BUS_ADRERR: i32 = 2;

extern "C" {
    fn emu_guarded_call(f: extern "C" fn(*mut c_void), arg: *mut c_void) -> c_int;
    fn emu_guarded_active() -> c_int;
    fn emu_guarded_escape() -> !;
}

thread_local! {
    static LAST_FAULT: Cell<Fault> = const {
        Cell::new(Fault { host_addr: 0, signal: 0, code: 0, host_pc: 0 })
    };
    static HAS_ALTSTACK: Cell<bool> = const { Cell::new(false) };
    static ALTSTACK: std::cell::RefCell<Option<AltStack>> = const { std::cell::RefCell::new(None) };
}

/// Called for faults outside `guarded`; returns true if it handled the fault
/// (e.g. the engine turning a fault in translated code into a guest signal).
pub type FaultHook = unsafe fn(sig: i32, info: *mut libc::siginfo_t, ctx: *mut c_void) -> bool;

static HOOK: AtomicUsize = AtomicUsize::new(0);
static PREV_SEGV: OnceLock<libc::sigaction> = OnceLock::new();
static PREV_BUS: OnceLock<libc::sigaction> = OnceLock::new();

/// Install the hook consulted for faults outside any `guarded` section.
pub fn set_unguarded_fault_hook(hook: FaultHook) {
    HOOK.store(hook as usize, Ordering::Release);
}

/// Install the SIGSEGV/SIGBUS handler (once per process) and make sure the
/// calling thread has an alternate signal stack. Cheap after the first call
/// on a thread.
pub fn install_fault_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe {
        for (sig, prev) in [(libc::SIGSEGV, &PREV_SEGV), (libc::SIGBUS, &PREV_BUS)] {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = handler as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut sa.sa_mask);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, &sa, &mut old) == 0 {
                let _ = prev.set(old);
            }
        }
    });
    ensure_altstack();
}

struct AltStack {
    map: *mut c_void,
    len: usize,
}

impl Drop for AltStack {
    fn drop(&mut self) {
        unsafe {
            let mut cur: libc::stack_t = std::mem::zeroed();
            if libc::sigaltstack(std::ptr::null(), &mut cur) == 0
                && cur.ss_sp as usize == self.map as usize + 4096
            {
                let off = libc::stack_t {
                    ss_sp: std::ptr::null_mut(),
                    ss_flags: libc::SS_DISABLE,
                    ss_size: 0,
                };
                libc::sigaltstack(&off, std::ptr::null_mut());
            }
            libc::munmap(self.map, self.len);
        }
    }
}

/// Give the calling thread an alternate signal stack if it has none (new
/// guest threads call this; Rust-spawned threads usually already have one).
pub fn ensure_altstack() {
    if HAS_ALTSTACK.get() {
        return;
    }
    unsafe {
        let mut cur: libc::stack_t = std::mem::zeroed();
        if libc::sigaltstack(std::ptr::null(), &mut cur) == 0
            && cur.ss_flags & libc::SS_DISABLE == 0
        {
            HAS_ALTSTACK.set(true);
            return;
        }
        let min = libc::getauxval(libc::AT_MINSIGSTKSZ) as usize;
        let size = (64 << 10).max(min * 4).next_multiple_of(4096);
        let len = size + 4096;
        let map = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK,
            -1,
            0,
        );
        if map == libc::MAP_FAILED {
            return;
        }
        // Lowest page is a guard against overflowing the signal stack.
        libc::mprotect(map, 4096, libc::PROT_NONE);
        let ss = libc::stack_t {
            ss_sp: (map as usize + 4096) as *mut c_void,
            ss_flags: 0,
            ss_size: size,
        };
        if libc::sigaltstack(&ss, std::ptr::null_mut()) != 0 {
            libc::munmap(map, len);
            return;
        }
        ALTSTACK.with(|a| *a.borrow_mut() = Some(AltStack { map, len }));
        HAS_ALTSTACK.set(true);
    }
}

unsafe extern "C" fn handler(sig: c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    let code = (*info).si_code;
    // Only kernel-generated faults (si_code > 0) are escapable; a SIGSEGV
    // sent with kill() is not a memory access.
    if code > 0 && emu_guarded_active() != 0 {
        LAST_FAULT.set(Fault {
            host_addr: (*info).si_addr() as usize,
            signal: sig,
            code,
            host_pc: context_pc(ctx),
        });
        emu_guarded_escape();
    }
    let hook = HOOK.load(Ordering::Acquire);
    if hook != 0 {
        let hook: FaultHook = std::mem::transmute::<usize, FaultHook>(hook);
        if hook(sig, info, ctx) {
            return;
        }
    }
    let prev = if sig == libc::SIGSEGV {
        PREV_SEGV.get()
    } else {
        PREV_BUS.get()
    };
    if let Some(prev) = prev {
        let h = prev.sa_sigaction;
        if h != libc::SIG_DFL && h != libc::SIG_IGN {
            if prev.sa_flags & libc::SA_SIGINFO != 0 {
                let f: unsafe extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void) =
                    std::mem::transmute(h);
                f(sig, info, ctx);
            } else {
                let f: unsafe extern "C" fn(c_int) = std::mem::transmute(h);
                f(sig);
            }
            return;
        }
    }
    let mut sa: libc::sigaction = std::mem::zeroed();
    sa.sa_sigaction = libc::SIG_DFL;
    libc::sigaction(sig, &sa, std::ptr::null_mut());
    if code <= 0 {
        libc::raise(sig);
    }
    // Returning re-executes the faulting instruction under SIG_DFL.
}

/// The interrupted instruction's address from a signal handler's context.
unsafe fn context_pc(ctx: *mut c_void) -> usize {
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    {
        if !ctx.is_null() {
            let uc = ctx as *const libc::ucontext_t;
            return (*uc).uc_mcontext.gregs[libc::REG_RIP as usize] as usize;
        }
    }
    let _ = ctx;
    0
}

/// Run `f`; a SIGSEGV/SIGBUS raised by it on this thread returns `Err(Fault)`
/// instead of crashing. See the module docs for what `f` must not do.
pub fn guarded<R, F: FnOnce() -> R>(f: F) -> Result<R, Fault> {
    struct Slot<F, R> {
        f: Option<F>,
        out: Option<std::thread::Result<R>>,
    }
    extern "C" fn trampoline<F: FnOnce() -> R, R>(arg: *mut c_void) {
        // SAFETY: `arg` is the `Slot` on `guarded`'s frame, alive for the call.
        let slot = unsafe { &mut *(arg as *mut Slot<F, R>) };
        if let Some(f) = slot.f.take() {
            slot.out = Some(catch_unwind(AssertUnwindSafe(f)));
        }
    }
    install_fault_handler();
    let mut slot = Slot {
        f: Some(f),
        out: None,
    };
    // SAFETY: the trampoline matches the slot type; the shim restores its
    // jump-buffer stack on both return paths.
    let rc = unsafe {
        emu_guarded_call(
            trampoline::<F, R>,
            &mut slot as *mut Slot<F, R> as *mut c_void,
        )
    };
    if rc != 0 {
        return Err(LAST_FAULT.get());
    }
    match slot.out.take() {
        Some(Ok(r)) => Ok(r),
        Some(Err(panic)) => resume_unwind(panic),
        None => unreachable!("guarded closure neither returned nor faulted"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prot_none_page() -> *mut u8 {
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        p as *mut u8
    }

    #[test]
    fn guarded_catches_fault_on_prot_none_page_repeatedly() {
        let page = prot_none_page();
        for _ in 0..3 {
            let r = guarded(|| unsafe { std::ptr::read_volatile(page.add(8)) });
            let f = r.expect_err("read of PROT_NONE must fault");
            assert_eq!(f.signal, libc::SIGSEGV);
            assert_eq!(f.code, SEGV_ACCERR);
            assert_eq!(f.host_addr, page as usize + 8);
            assert_ne!(f.host_pc, 0, "the faulting instruction's address is known");
            let w = guarded(|| unsafe { std::ptr::write_volatile(page, 1u8) });
            assert_eq!(w.unwrap_err().host_addr, page as usize);
            // The thread keeps working normally after the escape.
            assert_eq!(guarded(|| 40 + 2), Ok(42));
        }
        unsafe { libc::munmap(page as *mut c_void, 4096) };
    }

    #[test]
    fn guarded_nests_and_inner_fault_does_not_escape_outer() {
        let page = prot_none_page();
        let r = guarded(|| {
            let inner = guarded(|| unsafe { std::ptr::read_volatile(page) });
            inner.is_err()
        });
        assert_eq!(r, Ok(true));
        unsafe { libc::munmap(page as *mut c_void, 4096) };
    }

    #[test]
    fn guarded_works_on_new_thread_and_propagates_panics() {
        let t = std::thread::spawn(|| {
            let page = prot_none_page();
            let r = guarded(|| unsafe { std::ptr::read_volatile(page) });
            unsafe { libc::munmap(page as *mut c_void, 4096) };
            r.is_err()
        });
        assert!(t.join().unwrap());
        let p = std::panic::catch_unwind(|| guarded(|| panic!("inner")));
        assert!(p.is_err());
    }

    #[test]
    fn fault_outside_guarded_kills_with_the_real_signal() {
        install_fault_handler();
        let page = prot_none_page();
        // SAFETY: the child only faults or calls _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            unsafe {
                std::ptr::read_volatile(page);
                libc::_exit(0);
            }
        }
        let mut status = 0;
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(libc::WIFSIGNALED(status), "status {status:#x}");
        assert_eq!(libc::WTERMSIG(status), libc::SIGSEGV);
        unsafe { libc::munmap(page as *mut c_void, 4096) };
    }
}
