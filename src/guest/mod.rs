//! Guest architecture frontends: each turns guest machine code into IR blocks
//! and describes its CPU state and Linux calling conventions as data.
//! Nothing outside `guest/<arch>` knows a guest register's meaning.

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
    /// Translates the block starting at `pc`.
    fn translate(pc: u64, code: &dyn CodeFetch) -> crate::ir::Block;
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
    /// Sets the return value register of a newly created child (fork/clone).
    fn set_child_return(&mut self) {
        self.set_syscall_result(0)
    }
    /// Register dump for `-d cpu`.
    fn dump(&self) -> String;
}
