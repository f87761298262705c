//! Guest architecture frontends: each turns guest machine code into IR blocks
//! and describes its CPU state and Linux calling conventions as data.
//! Nothing outside `guest/<arch>` knows a guest register's meaning.

pub mod aarch64;
pub mod riscv64;

/// Reads guest code for translation. Returns `None` where the guest may not
/// execute (unmapped or not PROT_EXEC): the frontend turns that into a
/// `FetchFault` exit at that pc.
pub trait CodeFetch {
    fn fetch_u16(&self, addr: u64) -> Option<u16>;
}

/// What the engine and the Linux layer need from a guest architecture.
pub trait GuestArch: 'static {
    /// The `#[repr(C)]` CPU state IR `GetReg`/`SetReg` offsets point into.
    type Cpu: GuestCpu;
    /// `uname -m` and messages ("riscv64").
    const NAME: &'static str;
    /// The ELF `e_machine` this frontend runs.
    const ELF_MACHINE: u16;
    /// Offset of the stack pointer in `Cpu` (the JIT keys its
    /// return-address stack by it: a return finds the stack pointer its
    /// call had).
    const SP_OFFSET: usize;
    /// Offset of a 32-bit word in `Cpu` that is not guest state: set (from
    /// a host signal handler) to make translated code return to the engine
    /// at the next block, so a signal reaches a guest that never makes a
    /// system call.
    const EXIT_REQUEST_OFFSET: usize;
    /// Default size of the guest address space (`-R`): the user address
    /// space of this architecture's kernel, or as much of it as a 47-bit
    /// host gives room for. The stack goes at its top, a PIE program at
    /// two thirds of it (Linux's ELF_ET_DYN_BASE rule).
    const SPACE_SIZE: u64;
    /// AT_HWCAP: what the guest's libc may use.
    const HWCAP: u64;
    /// AT_MINSIGSTKSZ: the signal frame without optional state.
    const MIN_SIGSTKSZ: u64;
    /// `/proc/cpuinfo` as this architecture's kernel writes it, for `cpus` CPUs.
    fn cpuinfo(cpus: usize) -> String;

    /// Translates the block starting at `pc`, of at most `max_insns` guest
    /// instructions (1 under a debugger).
    fn translate(pc: u64, code: &dyn CodeFetch, max_insns: u32) -> crate::ir::Block;

    /// The gdb target description (`qXfer:features:read`).
    fn gdb_target_xml() -> String;
    /// The registers as gdb's `g` packet lays them out.
    fn gdb_registers(cpu: &Self::Cpu) -> Vec<u8>;
    /// Writes registers from a `G` packet.
    fn set_gdb_registers(cpu: &mut Self::Cpu, bytes: &[u8]) -> Result<(), BadRegisters>;

    /// Machine code of the signal return trampoline (the vDSO's
    /// `rt_sigreturn` entry): the emulator maps it in a page of its own.
    const SIGRETURN_CODE: &'static [u8];
    /// Bytes of a signal frame.
    const SIGNAL_FRAME_SIZE: usize;
    /// Builds the Linux signal frame for entering a handler as `d` says and
    /// points `cpu` at the handler; returns the frame's address and bytes.
    fn setup_signal_frame(cpu: &mut Self::Cpu, d: &SignalDelivery) -> (u64, Vec<u8>);
    /// Restores `cpu` from a frame (read at the stack pointer of
    /// rt_sigreturn); returns the saved mask and alternate stack, or `Err`
    /// for a bad frame (SIGSEGV).
    fn restore_signal_frame(cpu: &mut Self::Cpu, frame: &[u8])
        -> Result<(u64, AltStack), BadFrame>;
}

/// A `G` packet of the wrong size.
#[derive(Debug)]
pub struct BadRegisters;

/// A signal frame rt_sigreturn cannot restore from.
#[derive(Debug)]
pub struct BadFrame;

/// The exit-request word of `cpu` (see `GuestArch::EXIT_REQUEST_OFFSET`).
pub fn exit_request<A: GuestArch>(cpu: &A::Cpu) -> &std::sync::atomic::AtomicU32 {
    // SAFETY: the offset is of an aligned u32 inside `Cpu` (GuestArch
    // contract), written only atomically (by this thread's signal handler).
    unsafe {
        &*((cpu as *const A::Cpu as *const u8).add(A::EXIT_REQUEST_OFFSET)
            as *const std::sync::atomic::AtomicU32)
    }
}

/// (ss_sp, ss_flags, ss_size) of a `stack_t`.
pub type AltStack = (u64, i32, u64);

/// What entering a guest signal handler needs.
pub struct SignalDelivery {
    /// Where the frame goes below (the stack pointer, or the top of the
    /// alternate stack).
    pub sp_top: u64,
    pub sig: i32,
    pub info: [u8; 128],
    /// The mask rt_sigreturn restores.
    pub blocked: u64,
    /// The alternate stack as the frame records it.
    pub uc_stack: AltStack,
    pub handler: u64,
    /// Guest address of `SIGRETURN_CODE`.
    pub trampoline: u64,
}

/// Per-thread guest CPU state with the few architectural facts the Linux layer uses.
pub trait GuestCpu: Default + Clone + Send + 'static {
    fn pc(&self) -> u64;
    fn set_pc(&mut self, pc: u64);
    fn sp(&self) -> u64;
    fn set_sp(&mut self, sp: u64);
    /// Thread pointer register (TLS base).
    fn set_tls(&mut self, tp: u64);
    /// Syscall number and its six arguments, after a `Syscall` exit.
    fn syscall_args(&self) -> (u64, [u64; 6]);
    /// Writes a syscall's return value (negative errno on failure).
    fn set_syscall_result(&mut self, ret: u64);
    /// Makes the syscall just made run again when the guest resumes (pc back
    /// on the syscall instruction, its first argument `arg0` back in place):
    /// a handler with SA_RESTART interrupted it.
    fn rewind_syscall(&mut self, arg0: u64);
    /// Sets the return value register of a newly created child (fork/clone).
    fn set_child_return(&mut self) {
        self.set_syscall_result(0)
    }
    /// Register dump for `-d cpu`.
    fn dump(&self) -> String;
}
