//! The user-mode Linux process: loads the program, runs the CPU loop, and
//! serves the guest's system calls through `emu-syscalls` (which reaches the
//! address space, emulated /proc files and the log through [`Guest`]).
//! Guest-visible deaths by signal become the emulator's own death by the
//! same signal.

mod exec;
pub mod gdb;
mod load;
mod procfs;
mod signal;
mod thread;

pub use load::find_program;

use crate::engine::{Engine, Event, Stats};
use crate::guest::{GuestArch, GuestCpu};
use crate::log::Log;
use crate::mem::AddressSpace;
use emu_syscalls::{Errno, Guest, Outcome, SysResult};
use std::ffi::{CStr, CString, OsStr};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How the emulator was asked to run a program (the CLI's result).
#[derive(Clone, Debug)]
pub struct Options {
    /// `-L`: prefix tried first for absolute guest paths (the ELF interpreter, libraries).
    pub sysroot: Option<PathBuf>,
    /// `-0`: argv[0] for the guest, instead of the program path.
    pub argv0: Option<String>,
    /// `-E`: variables set in the guest environment.
    pub set_env: Vec<(String, String)>,
    /// `-U`: variables removed from the guest environment.
    pub unset_env: Vec<String>,
    /// `-s`: guest stack size in bytes.
    pub stack_size: u64,
    /// `-cpu`: model name.
    pub cpu: String,
    /// `-seed`: makes AT_RANDOM reproducible.
    pub seed: Option<u64>,
    /// `-R`: size of the guest address space (None: `GuestArch::SPACE_SIZE`).
    pub reserved_va: Option<u64>,
    /// `-B`: host address of guest address 0 (default: chosen by emu).
    pub guest_base: Option<u64>,
    /// `-d` items (includes `-strace`).
    pub log: crate::log::LogItems,
    /// `-D`: log file.
    pub log_file: Option<PathBuf>,
    /// `-accel`: the execution backend.
    pub accel: crate::engine::Accel,
    /// `-perfmap`: write `/tmp/perf-PID.map` for translated code.
    pub perfmap: bool,
    /// `-tb-size`: bytes of the JIT code cache.
    pub code_cache_size: usize,
    /// The program file binfmt_misc opened for us (its `O`/`C` flags).
    pub exec_fd: Option<i32>,
    /// `-g`: wait for gdb there and run under it.
    pub gdb: Option<gdb::GdbAddress>,
    /// The emulator's own arguments, minus the program and its arguments:
    /// replayed when a guest execs another guest program.
    pub forward: Vec<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            sysroot: None,
            argv0: None,
            set_env: Vec::new(),
            unset_env: Vec::new(),
            stack_size: 8 << 20,
            cpu: "rv64".into(),
            seed: None,
            reserved_va: None,
            guest_base: None,
            log: Default::default(),
            log_file: None,
            accel: crate::engine::Accel::host_default(),
            perfmap: false,
            code_cache_size: crate::backend::DEFAULT_CODE_CACHE_SIZE,
            exec_fd: None,
            gdb: None,
            forward: Vec::new(),
        }
    }
}

impl Options {
    /// The host path for a guest path: under the `-L` prefix if it exists there.
    pub fn host_path(&self, path: &Path) -> PathBuf {
        if let (Some(root), true) = (&self.sysroot, path.is_absolute()) {
            let under = root.join(path.strip_prefix("/").unwrap_or(path));
            if under.symlink_metadata().is_ok() {
                return under;
            }
        }
        path.to_path_buf()
    }

    /// The 16 AT_RANDOM bytes: from `-seed` if given, else from the host.
    pub fn random_bytes(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        match self.seed {
            Some(seed) => {
                // splitmix64: reproducible, well mixed.
                let mut x = seed;
                for chunk in out.chunks_mut(8) {
                    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
                    let mut z = x;
                    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                    chunk.copy_from_slice(&(z ^ (z >> 31)).to_le_bytes());
                }
            }
            None => {
                // SAFETY: getrandom into a local buffer.
                unsafe { libc::getrandom(out.as_mut_ptr().cast(), out.len(), 0) };
            }
        }
        out
    }
}

/// A failure before the guest runs: message and the emulator's exit status.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub status: i32,
}

impl Error {
    /// The program exists but cannot be executed (bad format, wrong architecture): 126.
    pub fn exec(message: String) -> Error {
        Error {
            message,
            status: 126,
        }
    }
    /// Opening failed: 127 when it does not exist, 126 otherwise (as shells do).
    pub fn open(path: &str, e: &std::io::Error) -> Error {
        let status = if e.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            126
        };
        Error {
            message: format!("{path}: {}", os_text(e)),
            status,
        }
    }
}

/// An OS error as `strerror` says it, without Rust's " (os error N)" suffix.
pub fn os_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Process-wide guest state.
pub struct Process {
    pub space: AddressSpace,
    pub opts: Options,
    pub log: Log,
    /// Host path of the running guest program (what /proc/self/exe shows).
    pub exe: PathBuf,
    pub auxv: Vec<(u64, u64)>,
    pub argv: Vec<Vec<u8>>,
    /// The emulator binary, for re-running exec'd guest programs.
    pub emulator: PathBuf,
    pub machine: &'static str,
    /// ELF e_machine of the guest, to recognise exec'd programs we must run.
    pub elf_machine: u16,
    /// The guest's `/proc/cpuinfo` for a number of CPUs.
    cpuinfo: fn(usize) -> String,
    /// Code ranges the guest asked to resynchronise (riscv_flush_icache).
    /// Held while any thread applies these and the address space's
    /// executable-range changes to the translations. Lock order: this, the
    /// translations' writer lock, the address space's.
    flushed_code: Mutex<Vec<(u64, u64)>>,
    /// Stack pointer for the child of a fork-like clone with a new stack.
    child_stack: Mutex<Option<u64>>,
    threads: thread::Threads,
    /// The translations all guest threads share.
    code: std::sync::Arc<crate::engine::SharedCode>,
    /// Under `-g`: what the gdbstub and the guest threads share.
    debugger: Option<gdb::Debugger>,
    /// Guest address of the signal return trampoline (handlers return there).
    sigreturn_trampoline: u64,
}

impl Guest for Process {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        self.space.read(addr, buf)
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        self.space.write(addr, data)
    }
    fn read_cstr(&self, addr: u64, max: usize) -> Result<CString, Errno> {
        self.space.read_cstr(addr, max)
    }
    fn host_ptr(&self, addr: u64, len: u64) -> Result<*mut u8, Errno> {
        self.space.host_ptr(addr, len).ok_or(libc::EFAULT)
    }
    fn mmap(&self, addr: u64, len: u64, prot: i32, flags: i32, fd: i32, offset: u64) -> SysResult {
        let at = self.space.mmap(addr, len, prot, flags, fd, offset)?;
        self.log_page(&format!(
            "mmap {at:#x}+{len:#x} prot={prot:#x} flags={flags:#x} fd={fd}"
        ));
        Ok(at)
    }
    fn munmap(&self, addr: u64, len: u64) -> SysResult {
        self.space.munmap(addr, len)?;
        self.log_page(&format!("munmap {addr:#x}+{len:#x}"));
        Ok(0)
    }
    fn mprotect(&self, addr: u64, len: u64, prot: i32) -> SysResult {
        self.space.mprotect(addr, len, prot)?;
        self.log_page(&format!("mprotect {addr:#x}+{len:#x} prot={prot:#x}"));
        Ok(0)
    }
    fn mremap(
        &self,
        old_addr: u64,
        old_len: u64,
        new_len: u64,
        flags: i32,
        new_addr: u64,
    ) -> SysResult {
        let at = self
            .space
            .mremap(old_addr, old_len, new_len, flags, new_addr)?;
        self.log_page(&format!(
            "mremap {old_addr:#x}+{old_len:#x} -> {at:#x}+{new_len:#x}"
        ));
        Ok(at)
    }
    fn brk(&self, addr: u64) -> u64 {
        let b = self.space.brk(addr);
        self.log_page(&format!("brk {addr:#x} -> {b:#x}"));
        b
    }
    fn madvise(&self, addr: u64, len: u64, advice: i32) -> SysResult {
        self.space.madvise(addr, len, advice).map(|()| 0)
    }
    fn host_path(&self, path: &CStr) -> CString {
        let p = self
            .opts
            .host_path(Path::new(OsStr::from_bytes(path.to_bytes())));
        CString::new(p.into_os_string().into_vec()).unwrap_or_else(|_| path.to_owned())
    }
    fn open_emulated(&self, _dirfd: i32, path: &CStr, flags: i32) -> Option<Result<i32, Errno>> {
        Process::open_emulated(self, path, flags)
    }
    fn readlink_emulated(&self, _dirfd: i32, path: &CStr) -> Option<Vec<u8>> {
        Process::readlink_emulated(self, path)
    }
    fn flush_icache(&self, start: u64, end: u64) {
        lock(&self.flushed_code).push((start, end));
    }
    fn set_child_stack(&self, sp: u64) {
        *lock(&self.child_stack) = Some(sp);
    }
    fn fork(&self) -> i32 {
        let keep = signal::current_exit_request();
        // The locks other threads may hold are taken first (in the order
        // they nest everywhere), so the child inherits none of them held.
        let changes = lock(&self.flushed_code);
        let pid = self.code.around_fork(keep, || {
            // SAFETY: fork(); the child continues running this guest thread only.
            self.space.around_fork(|| unsafe { libc::fork() })
        });
        drop(changes);
        if pid == 0 {
            self.threads.forked();
            // gdb follows the parent.
            if let Some(d) = &self.debugger {
                d.forget();
            }
        }
        pid
    }
    fn machine(&self) -> &'static str {
        self.machine
    }
    fn strace(&self) -> bool {
        self.log.items.strace
    }
    fn log_unimp(&self) -> bool {
        self.log.items.unimp
    }
    fn log(&self, line: &str) {
        self.log.write(&format!("{line}\n"));
    }
}

impl Process {
    fn log_page(&self, line: &str) {
        if self.log.items.page {
            self.log.write(&format!("page: {line}\n"));
        }
    }
}

/// Builds the guest environment from the host's plus `-E`/`-U`.
/// Reserves the guest address space: `-R`'s size exactly, or the
/// architecture's default, halved until the host has room (down to 256 GiB).
fn reserve_space<A: GuestArch>(opts: &Options) -> Result<AddressSpace, Error> {
    let fail = |e: std::io::Error| Error {
        message: format!("cannot reserve the guest address space: {}", os_text(&e)),
        status: 1,
    };
    if let Some(size) = opts.reserved_va {
        return AddressSpace::new_at(size, opts.guest_base).map_err(fail);
    }
    let mut size = A::SPACE_SIZE;
    loop {
        match AddressSpace::new_at(size, opts.guest_base) {
            Err(_) if size > 1 << 38 => size /= 2,
            r => return r.map_err(fail),
        }
    }
}

fn guest_env(opts: &Options) -> Vec<Vec<u8>> {
    let mut env: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .filter(|(k, _)| !opts.unset_env.iter().any(|u| u.as_bytes() == k.as_slice()))
        .collect();
    for (k, v) in &opts.set_env {
        match env.iter_mut().find(|(ek, _)| ek == k.as_bytes()) {
            Some(e) => e.1 = v.as_bytes().to_vec(),
            None => env.push((k.as_bytes().to_vec(), v.as_bytes().to_vec())),
        }
    }
    env.into_iter()
        .map(|(k, v)| [k, b"=".to_vec(), v].concat())
        .collect()
}

/// Runs `program` with `args` (args[0] is the guest's argv[0] unless `-0`)
/// and never returns: exits with the guest's status or dies of its signal.
pub fn run<A: GuestArch>(
    opts: Options,
    program: &Path,
    args: &[Vec<u8>],
) -> Result<std::convert::Infallible, Error> {
    let path = find_program(&opts, program);
    let file = load::open_program(&opts, &path)?;
    let (_, info) = load::read_elf_file::<A>(&file, &path.display().to_string())?;
    let log_file = match &opts.log_file {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| Error {
            message: format!("{}: {}", p.display(), os_text(&e)),
            status: 1,
        })?),
        None => None,
    };
    let space = reserve_space::<A>(&opts)?;
    crate::mem::install_fault_handler();

    let mut argv = args.to_vec();
    if let (Some(a0), Some(first)) = (&opts.argv0, argv.first_mut()) {
        *first = a0.as_bytes().to_vec();
    }
    let envp = guest_env(&opts);
    let loaded = load::load::<A>(&space, &opts, &path, &file, &info, &argv, &envp)?;
    drop(file);
    if let Some(fd) = opts.exec_fd {
        // binfmt_misc's descriptor is not the guest's.
        // SAFETY: closing a descriptor we own and no longer use.
        unsafe { libc::close(fd) };
    }
    let exe = std::fs::canonicalize(&path).unwrap_or(path);
    let emulator = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("/proc/self/exe"));
    let log = Log::new(opts.log, log_file);
    let sigreturn_trampoline =
        signal::map_trampoline::<A>(&space).map_err(|message| Error { message, status: 1 })?;
    // The guest starts with the signal mask the emulator was started with.
    // SAFETY: reading this thread's mask.
    let host_mask = unsafe {
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut old);
        *(&old as *const libc::sigset_t as *const u64)
    };
    emu_syscalls::set_guest_sigmask(host_mask);
    let opts_gdb = opts.gdb.is_some();
    let code =
        crate::engine::SharedCode::new::<A>(opts.accel, opts.code_cache_size, opts.gdb.is_some());
    let process = Process {
        space,
        opts,
        log,
        exe,
        auxv: loaded.auxv,
        argv: loaded.argv,
        emulator,
        machine: A::NAME,
        elf_machine: A::ELF_MACHINE,
        cpuinfo: A::cpuinfo,
        flushed_code: Mutex::new(Vec::new()),
        child_stack: Mutex::new(None),
        threads: thread::Threads::new(),
        debugger: opts_gdb.then(gdb::Debugger::new),
        code,
        sigreturn_trampoline,
    };
    // Guest threads share it until the process ends.
    let process: &'static Process = Box::leak(Box::new(process));
    if let (Some(address), Some(debugger)) = (&process.opts.gdb, &process.debugger) {
        gdb::server::start::<A>(process, debugger, address)
            .map_err(|message| Error { message, status: 1 })?;
    }
    name_main_thread(&process.exe);
    let mut cpu = A::Cpu::default();
    cpu.set_pc(loaded.entry);
    cpu.set_sp(loaded.sp);
    cpu_loop::<A>(process, &mut cpu);
    // The main thread exited (`exit`, not `exit_group`) while others run:
    // the process lives on until the last one exits.
    loop {
        std::thread::park();
    }
}

/// A lock that survives a panicked holder (the data stays consistent: every
/// critical section here is a single push or store).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs a guest thread until it exits; returns if it was not the last one
/// (`exit_group` and the last thread's `exit` end the process).
fn cpu_loop<A: GuestArch>(process: &'static Process, cpu: &mut A::Cpu) {
    let mut engine = new_engine::<A>(process);
    run_thread::<A>(process, cpu, &mut engine)
}

/// A translation engine for one guest thread, over the process's translations.
fn new_engine<A: GuestArch>(process: &Process) -> Engine<A> {
    let mut engine = Engine::<A>::sharing(&process.code);
    if process.opts.perfmap {
        engine.enable_perfmap();
    }
    engine
}

/// [`cpu_loop`] with a given engine.
fn run_thread<A: GuestArch>(process: &'static Process, cpu: &mut A::Cpu, engine: &mut Engine<A>) {
    signal::watch_exit_request::<A>(cpu);
    // A vfork child is not debugged (gdb follows the parent).
    let mut debug = match &process.debugger {
        Some(d) if !thread::in_vfork_child() => Some(d.thread::<A>(cpu)),
        _ => None,
    };
    loop {
        crate::guest::exit_request::<A>(cpu).store(0, std::sync::atomic::Ordering::SeqCst);
        deliver_pending::<A>(process, cpu, &engine.stats);
        if let Some(t) = &mut debug {
            t.checkpoint::<A>(cpu);
        }
        let event = engine.run(cpu, &process.space, &process.log);
        // A fault goes to gdb first, which may discard it, then to the guest.
        if let Some((sig, code, addr)) = fault_of(process, event, cpu.pc()) {
            if let Some(t) = &mut debug {
                if t.fault::<A>(cpu, sig, code, addr).is_none() {
                    continue;
                }
            }
            fault::<A>(
                process,
                cpu,
                &engine.stats,
                signal::fault_info(sig, code, addr),
            );
            continue;
        }
        match event {
            Event::Stepped => {
                if let Some(t) = &mut debug {
                    t.ran = true;
                }
            }
            Event::Syscall => {
                let (nr, _) = cpu.syscall_args();
                if let Some(t) = &mut debug {
                    t.syscall::<A>(cpu, nr);
                }
                // (gdb may have changed them at a syscall catchpoint.)
                let (nr, args) = cpu.syscall_args();
                emu_syscalls::set_syscall_sp(cpu.sp());
                let outcome = emu_syscalls::dispatch(process, nr, args);
                if let Some(t) = &mut debug {
                    t.syscall_done::<A>(cpu, nr);
                }
                match outcome {
                    Outcome::Return(v) => {
                        cpu.set_syscall_result(v);
                        if let Some(sp) = lock(&process.child_stack).take() {
                            cpu.set_sp(sp);
                        }
                        if v == -(libc::EINTR as i64) as u64 {
                            interrupted::<A>(process, cpu, &engine.stats, nr, args[0]);
                        }
                        // rt_sigsuspend's mask, if no handler took it over.
                        if let Some(mask) = emu_syscalls::take_saved_sigmask() {
                            emu_syscalls::set_guest_sigmask(mask);
                        }
                    }
                    Outcome::SigReturn => {
                        if signal::sigreturn::<A>(process, cpu).is_err() {
                            die(process, cpu, &engine.stats, libc::SIGSEGV);
                        }
                    }
                    Outcome::NewThread(req) => {
                        let r = thread::spawn::<A>(process, cpu, req);
                        cpu.set_syscall_result(syscall_return(r));
                    }
                    Outcome::VforkChild(req) => {
                        let r = thread::vfork::<A>(process, cpu, req);
                        cpu.set_syscall_result(syscall_return(r));
                    }
                    Outcome::ExitThread(code) | Outcome::ExitGroup(code)
                        if thread::in_vfork_child() =>
                    {
                        log_stats(process, &engine.stats);
                        // SAFETY: leaving without the atexit work, which
                        // belongs to the parent whose memory this is.
                        unsafe { libc::_exit(code) }
                    }
                    Outcome::ExitThread(code) => {
                        log_stats(process, &engine.stats);
                        if process.threads.live() == 1 {
                            process_ends(process, gdb::Stop::Exited(code));
                        }
                        thread::exit(process, code);
                        return;
                    }
                    Outcome::ExitGroup(code) => {
                        log_stats(process, &engine.stats);
                        process_ends(process, gdb::Stop::Exited(code));
                        std::process::exit(code)
                    }
                    Outcome::Execve { path, argv, envp } => {
                        let err = exec::execve(process, &path, &argv, &envp);
                        cpu.set_syscall_result(syscall_return(Err(err)));
                    }
                }
                // Translations of code the syscall unmapped, replaced or
                // reprotected, or that the guest asked to resynchronise, go
                // (in every thread). Another thread may have taken this
                // syscall's changes: holding the lock while invalidating
                // makes this thread wait until they are applied.
                let mut flushed = lock(&process.flushed_code);
                let changes = process.space.take_exec_changes();
                for (start, end) in changes.into_iter().chain(flushed.drain(..)) {
                    engine.invalidate(start, end);
                }
                drop(flushed);
            }
            // Handled above.
            Event::Breakpoint
            | Event::IllegalInstruction
            | Event::FetchFault { .. }
            | Event::MemFault { .. } => unreachable!("faults are handled above"),
            // Pending signals are delivered at the top of the loop.
            Event::Interrupted => {}
        }
    }
}

/// Names the calling (main) thread after the program, as exec does: what
/// `ps`, `/proc/self/comm` and gdb's thread list show; new threads inherit it.
fn name_main_thread(exe: &Path) {
    let Some(base) = exe.file_name() else { return };
    let mut name = base.as_bytes()[..base.len().min(15)].to_vec();
    name.push(0);
    // SAFETY: a NUL-terminated name of at most 16 bytes.
    unsafe { libc::prctl(libc::PR_SET_NAME, name.as_ptr()) };
}

/// The (signal, si_code, si_addr) a fault event at `pc` raises.
fn fault_of(process: &Process, e: Event, pc: u64) -> Option<(i32, i32, u64)> {
    match e {
        Event::Breakpoint => Some((libc::SIGTRAP, TRAP_BRKPT, pc)),
        Event::IllegalInstruction => Some((libc::SIGILL, ILL_ILLOPC, pc)),
        Event::FetchFault { addr } => {
            let code = if process.space.prot_at(addr).is_some() {
                SEGV_ACCERR
            } else {
                SEGV_MAPERR
            };
            Some((libc::SIGSEGV, code, addr))
        }
        Event::MemFault { addr, signal, code } => Some((signal, code, addr)),
        _ => None,
    }
}

/// Tells gdb, if it is attached, that the process ends (and waits until it
/// was told).
fn process_ends(process: &Process, stop: gdb::Stop) {
    if let Some(d) = &process.debugger {
        if !thread::in_vfork_child() {
            d.process_ends(stop);
        }
    }
}

/// A syscall's return register value: the result, or -errno.
fn syscall_return(r: Result<u64, emu_syscalls::Errno>) -> u64 {
    r.unwrap_or_else(|e| -(e as i64) as u64)
}

/// si_code values of synchronous signals.
const ILL_ILLOPC: i32 = 1;
const TRAP_BRKPT: i32 = 1;
const SEGV_MAPERR: i32 = 1;
const SEGV_ACCERR: i32 = 2;

/// A synchronous fault of the guest (signal and siginfo in `info`): its
/// handler runs, or the process dies of it.
fn fault<A: GuestArch>(process: &Process, cpu: &mut A::Cpu, stats: &Stats, info: [u8; 128]) {
    let sig = i32::from_le_bytes(info[..4].try_into().expect("4 bytes"));
    if let signal::Fate::Fatal(s) = signal::deliver::<A>(process, cpu, sig, info, true) {
        die(process, cpu, stats, s);
    }
}

/// Delivers the calling thread's pending guest signals: before translated
/// code runs again, handlers are entered (each on top of the last).
fn deliver_pending<A: GuestArch>(process: &Process, cpu: &mut A::Cpu, stats: &Stats) {
    let mut any = false;
    while let Some((sig, info)) = emu_syscalls::take_pending_signal() {
        any = true;
        if let signal::Fate::Fatal(s) = signal::deliver::<A>(process, cpu, sig, info, false) {
            die(process, cpu, stats, s);
        }
    }
    if any {
        // Unblock on the host what was delivered, ignored or is still blocked
        // by the guest mask only.
        emu_syscalls::set_guest_sigmask(emu_syscalls::guest_sigmask());
    }
}

/// A syscall failed with EINTR: a host signal for the guest interrupted it.
/// Its handler runs now; with SA_RESTART the syscall is made again after
/// the handler returns (except those signal(7) says never restart).
fn interrupted<A: GuestArch>(
    process: &Process,
    cpu: &mut A::Cpu,
    stats: &Stats,
    nr: u64,
    arg0: u64,
) {
    let Some((sig, info)) = emu_syscalls::take_pending_signal() else {
        return;
    };
    if signal::restarts(sig)
        && emu_syscalls::syscall_name(nr).is_some_and(|n| !signal::never_restarted(n))
    {
        cpu.rewind_syscall(arg0);
    }
    if let signal::Fate::Fatal(s) = signal::deliver::<A>(process, cpu, sig, info, false) {
        die(process, cpu, stats, s);
    }
    deliver_pending::<A>(process, cpu, stats);
}

/// `-d stats`: the engine's counters, as the guest leaves.
fn log_stats(process: &Process, stats: &Stats) {
    if process.log.items.stats {
        process.log.write(&format!("{stats:#?}\n"));
    }
}

/// The guest dies of `signal` (no guest handler delivery yet): the emulator
/// dies of the same signal, without an emulator core file.
fn die<C: GuestCpu>(process: &Process, cpu: &C, stats: &Stats, signal: i32) -> ! {
    log_stats(process, stats);
    process_ends(process, gdb::Stop::Terminated(signal));
    if process.log.items.cpu || process.log.items.unimp {
        // The bytes at pc, for an instruction the translator rejected.
        let mut code = [0u8; 4];
        let code = match process.space.read(cpu.pc(), &mut code) {
            Ok(()) => format!(" (code bytes {:02x?})", code),
            Err(_) => String::new(),
        };
        process.log.write(&format!(
            "guest killed by signal {signal} at pc {:#x}{code}\n{}",
            cpu.pc(),
            cpu.dump()
        ));
    }
    // SAFETY: resetting dispositions and raising a signal in our own process.
    unsafe {
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        libc::signal(signal, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(signal);
    }
    std::process::exit(128 + signal)
}
