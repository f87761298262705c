//! The GDB remote protocol server, on the `gdbstub` crate (packets, the
//! state machine, `vCont`, `qXfer`): its `Target` is the debugged process,
//! seen through [`Debugger`]. Runs on a host thread of its own.

use super::{Action, Debugger, Stop, Watchpoint};
use crate::guest::{GuestArch, GuestCpu};
use crate::linux::Process;
use gdbstub::arch::{Arch, RegId, Registers};
use gdbstub::common::{Signal, Tid};
use gdbstub::conn::ConnectionExt;
use gdbstub::stub::{run_blocking, DisconnectReason, GdbStub, MultiThreadStopReason};
use gdbstub::target::ext::base::multithread::{
    MultiThreadBase, MultiThreadResume, MultiThreadResumeOps, MultiThreadSchedulerLocking,
    MultiThreadSchedulerLockingOps, MultiThreadSingleStep, MultiThreadSingleStepOps,
};
use gdbstub::target::ext::base::BaseOps;
use gdbstub::target::ext::breakpoints::{
    Breakpoints, BreakpointsOps, HwBreakpoint, HwBreakpointOps, HwWatchpoint, HwWatchpointOps,
    SwBreakpoint, SwBreakpointOps, WatchKind,
};
use gdbstub::target::ext::catch_syscalls::{CatchSyscallPosition, CatchSyscalls, SyscallNumbers};
use gdbstub::target::{Target, TargetError, TargetResult};
use std::marker::PhantomData;

/// gdb's view of guest `A`: 64-bit addresses, registers as `A` lays out
/// the `g` packet (the target description says what they are).
pub enum GdbArch<A> {
    _Never(PhantomData<A>),
}

/// The `g` packet's bytes and the pc.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawRegs {
    pub bytes: Vec<u8>,
    pub pc: u64,
}

impl Registers for RawRegs {
    type ProgramCounter = u64;
    fn pc(&self) -> u64 {
        self.pc
    }
    fn gdb_serialize(&self, mut write_byte: impl FnMut(Option<u8>)) {
        for b in &self.bytes {
            write_byte(Some(*b));
        }
    }
    fn gdb_deserialize(&mut self, bytes: &[u8]) -> Result<(), ()> {
        self.bytes = bytes.to_vec();
        Ok(())
    }
}

/// Register numbers (single-register access is not offered: gdb uses `g`).
#[derive(Debug)]
pub struct RawRegId;

impl RegId for RawRegId {
    fn from_raw_id(_id: usize) -> Option<(Self, Option<std::num::NonZeroUsize>)> {
        None
    }
}

impl<A: GuestArch> Arch for GdbArch<A> {
    type Usize = u64;
    type Registers = RawRegs;
    type BreakpointKind = usize;
    type RegId = RawRegId;
}

/// The debugged process.
pub struct GdbTarget<A: GuestArch> {
    process: &'static Process,
    debugger: &'static Debugger,
    xml: String,
    _arch: PhantomData<fn() -> A>,
}

fn tid_of(tid: u32) -> Tid {
    Tid::new(tid as usize).expect("tids are positive")
}

fn signal(sig: i32) -> Signal {
    Signal(sig as u8)
}

/// Copies `data[offset..]` into `buf` as `qXfer` reads want.
fn xfer(data: &[u8], offset: u64, length: usize, buf: &mut [u8]) -> usize {
    let start = (offset as usize).min(data.len());
    let n = (data.len() - start).min(length).min(buf.len());
    buf[..n].copy_from_slice(&data[start..start + n]);
    n
}

impl<A: GuestArch> Target for GdbTarget<A> {
    type Arch = GdbArch<A>;
    type Error = &'static str;

    fn base_ops(&mut self) -> BaseOps<'_, Self::Arch, Self::Error> {
        BaseOps::MultiThread(self)
    }
    fn support_breakpoints(&mut self) -> Option<BreakpointsOps<'_, Self>> {
        Some(self)
    }
    fn support_catch_syscalls(
        &mut self,
    ) -> Option<gdbstub::target::ext::catch_syscalls::CatchSyscallsOps<'_, Self>> {
        Some(self)
    }
    fn support_target_description_xml_override(
        &mut self,
    ) -> Option<
        gdbstub::target::ext::target_description_xml_override::TargetDescriptionXmlOverrideOps<
            '_,
            Self,
        >,
    > {
        Some(self)
    }
    fn support_auxv(&mut self) -> Option<gdbstub::target::ext::auxv::AuxvOps<'_, Self>> {
        Some(self)
    }
    fn support_exec_file(
        &mut self,
    ) -> Option<gdbstub::target::ext::exec_file::ExecFileOps<'_, Self>> {
        Some(self)
    }
    fn support_extended_mode(
        &mut self,
    ) -> Option<gdbstub::target::ext::extended_mode::ExtendedModeOps<'_, Self>> {
        Some(self)
    }
    fn support_monitor_cmd(
        &mut self,
    ) -> Option<gdbstub::target::ext::monitor_cmd::MonitorCmdOps<'_, Self>> {
        Some(self)
    }
}

/// `monitor siginfo`: the last fault's signal, code and address (this
/// gdbstub has no `qXfer:siginfo:read` for `$_siginfo`).
impl<A: GuestArch> gdbstub::target::ext::monitor_cmd::MonitorCmd for GdbTarget<A> {
    fn handle_monitor_cmd(
        &mut self,
        cmd: &[u8],
        mut out: gdbstub::target::ext::monitor_cmd::ConsoleOutput<'_>,
    ) -> Result<(), Self::Error> {
        match (cmd, self.debugger.last_fault()) {
            (b"siginfo", Some((sig, code, addr))) => {
                gdbstub::outputln!(out, "si_signo={sig} si_code={code} si_addr={addr:#x}")
            }
            (b"siginfo", None) => gdbstub::outputln!(out, "no fault reported"),
            _ => gdbstub::outputln!(out, "monitor commands: siginfo"),
        }
        Ok(())
    }
}

/// Only what `kill` needs (its acknowledgement); gdb cannot start or
/// attach to other processes here.
impl<A: GuestArch> gdbstub::target::ext::extended_mode::ExtendedMode for GdbTarget<A> {
    fn run(
        &mut self,
        _filename: Option<&[u8]>,
        _args: gdbstub::target::ext::extended_mode::Args<'_, '_>,
    ) -> TargetResult<gdbstub::common::Pid, Self> {
        Err(TargetError::NonFatal)
    }
    fn attach(&mut self, _pid: gdbstub::common::Pid) -> TargetResult<(), Self> {
        Err(TargetError::NonFatal)
    }
    /// Started for gdb, as by gdbserver: quitting gdb kills it.
    fn query_if_attached(
        &mut self,
        _pid: gdbstub::common::Pid,
    ) -> TargetResult<gdbstub::target::ext::extended_mode::AttachKind, Self> {
        Ok(gdbstub::target::ext::extended_mode::AttachKind::Run)
    }
    fn kill(
        &mut self,
        _pid: Option<gdbstub::common::Pid>,
    ) -> TargetResult<gdbstub::target::ext::extended_mode::ShouldTerminate, Self> {
        Ok(gdbstub::target::ext::extended_mode::ShouldTerminate::Yes)
    }
    fn restart(&mut self) -> Result<(), Self::Error> {
        Err("restart is not supported")
    }
}

impl<A: GuestArch> MultiThreadBase for GdbTarget<A> {
    fn read_registers(&mut self, regs: &mut RawRegs, tid: Tid) -> TargetResult<(), Self> {
        let (bytes, pc) = self
            .debugger
            .with_cpu::<A, _>(tid.get() as u32, |cpu| (A::gdb_registers(cpu), cpu.pc()))
            .ok_or(TargetError::NonFatal)?;
        *regs = RawRegs { bytes, pc };
        Ok(())
    }

    fn write_registers(&mut self, regs: &RawRegs, tid: Tid) -> TargetResult<(), Self> {
        self.debugger
            .with_cpu::<A, _>(tid.get() as u32, |cpu| {
                A::set_gdb_registers(cpu, &regs.bytes)
            })
            .ok_or(TargetError::NonFatal)?
            .map_err(|_| TargetError::NonFatal)
    }

    fn read_addrs(&mut self, start: u64, data: &mut [u8], _tid: Tid) -> TargetResult<usize, Self> {
        if self.process.space.read(start, data).is_ok() {
            return Ok(data.len());
        }
        // Up to the first unreadable byte.
        let n = (0..data.len())
            .take_while(|&i| {
                self.process
                    .space
                    .read(start + i as u64, &mut data[i..i + 1])
                    .is_ok()
            })
            .count();
        if n == 0 {
            return Err(TargetError::Errno(libc::EFAULT as u8));
        }
        Ok(n)
    }

    fn write_addrs(&mut self, start: u64, data: &[u8], _tid: Tid) -> TargetResult<(), Self> {
        self.process
            .space
            .write(start, data)
            .map_err(|e| TargetError::Errno(e as u8))?;
        // Code gdb changed is translated again.
        self.process
            .code
            .invalidate(start, start + data.len() as u64, u64::MAX);
        Ok(())
    }

    fn list_active_threads(&mut self, register: &mut dyn FnMut(Tid)) -> Result<(), Self::Error> {
        for tid in self.debugger.threads() {
            register(tid_of(tid));
        }
        Ok(())
    }

    fn support_resume(&mut self) -> Option<MultiThreadResumeOps<'_, Self>> {
        Some(self)
    }

    fn support_thread_extra_info(
        &mut self,
    ) -> Option<gdbstub::target::ext::thread_extra_info::ThreadExtraInfoOps<'_, Self>> {
        Some(self)
    }
}

impl<A: GuestArch> MultiThreadResume for GdbTarget<A> {
    fn resume(&mut self) -> Result<(), Self::Error> {
        self.debugger.resume();
        Ok(())
    }
    fn clear_resume_actions(&mut self) -> Result<(), Self::Error> {
        self.debugger.clear_actions();
        Ok(())
    }
    fn set_resume_action_continue(
        &mut self,
        tid: Tid,
        sig: Option<Signal>,
    ) -> Result<(), Self::Error> {
        self.debugger
            .set_action(tid.get() as u32, Action::Continue(sig.map(|s| s.0 as i32)));
        Ok(())
    }
    fn support_single_step(&mut self) -> Option<MultiThreadSingleStepOps<'_, Self>> {
        Some(self)
    }
    fn support_scheduler_locking(&mut self) -> Option<MultiThreadSchedulerLockingOps<'_, Self>> {
        Some(self)
    }
}

impl<A: GuestArch> MultiThreadSingleStep for GdbTarget<A> {
    fn set_resume_action_step(&mut self, tid: Tid, sig: Option<Signal>) -> Result<(), Self::Error> {
        self.debugger
            .set_action(tid.get() as u32, Action::Step(sig.map(|s| s.0 as i32)));
        Ok(())
    }
}

impl<A: GuestArch> MultiThreadSchedulerLocking for GdbTarget<A> {
    fn set_resume_action_scheduler_lock(&mut self) -> Result<(), Self::Error> {
        self.debugger.others_stay();
        Ok(())
    }
}

impl<A: GuestArch> Breakpoints for GdbTarget<A> {
    fn support_sw_breakpoint(&mut self) -> Option<SwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_breakpoint(&mut self) -> Option<HwBreakpointOps<'_, Self>> {
        Some(self)
    }
    fn support_hw_watchpoint(&mut self) -> Option<HwWatchpointOps<'_, Self>> {
        Some(self)
    }
}

impl<A: GuestArch> SwBreakpoint for GdbTarget<A> {
    fn add_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        // One already there is as good as a new one.
        self.debugger.set_breakpoint(addr, true);
        Ok(true)
    }
    fn remove_sw_breakpoint(&mut self, addr: u64, _kind: usize) -> TargetResult<bool, Self> {
        Ok(self.debugger.set_breakpoint(addr, false))
    }
}

impl<A: GuestArch> HwBreakpoint for GdbTarget<A> {
    fn add_hw_breakpoint(&mut self, addr: u64, kind: usize) -> TargetResult<bool, Self> {
        self.add_sw_breakpoint(addr, kind)
    }
    fn remove_hw_breakpoint(&mut self, addr: u64, kind: usize) -> TargetResult<bool, Self> {
        self.remove_sw_breakpoint(addr, kind)
    }
}

fn watchpoint(addr: u64, len: u64, kind: WatchKind) -> Watchpoint {
    Watchpoint {
        addr,
        len,
        read: matches!(kind, WatchKind::Read | WatchKind::ReadWrite),
        write: matches!(kind, WatchKind::Write | WatchKind::ReadWrite),
    }
}

impl<A: GuestArch> HwWatchpoint for GdbTarget<A> {
    fn add_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        kind: WatchKind,
    ) -> TargetResult<bool, Self> {
        Ok(self
            .debugger
            .set_watchpoint(watchpoint(addr, len, kind), true))
    }
    fn remove_hw_watchpoint(
        &mut self,
        addr: u64,
        len: u64,
        kind: WatchKind,
    ) -> TargetResult<bool, Self> {
        Ok(self
            .debugger
            .set_watchpoint(watchpoint(addr, len, kind), false))
    }
}

impl<A: GuestArch> CatchSyscalls for GdbTarget<A> {
    fn enable_catch_syscalls(
        &mut self,
        filter: Option<SyscallNumbers<'_, u64>>,
    ) -> TargetResult<(), Self> {
        self.debugger
            .catch_syscalls(Some(filter.map(|f| f.collect())));
        Ok(())
    }
    fn disable_catch_syscalls(&mut self) -> TargetResult<(), Self> {
        self.debugger.catch_syscalls(None);
        Ok(())
    }
}

impl<A: GuestArch>
    gdbstub::target::ext::target_description_xml_override::TargetDescriptionXmlOverride
    for GdbTarget<A>
{
    fn target_description_xml(
        &self,
        _annex: &[u8],
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        Ok(xfer(self.xml.as_bytes(), offset, length, buf))
    }
}

impl<A: GuestArch> gdbstub::target::ext::auxv::Auxv for GdbTarget<A> {
    fn get_auxv(&self, offset: u64, length: usize, buf: &mut [u8]) -> TargetResult<usize, Self> {
        let bytes: Vec<u8> = self
            .process
            .auxv
            .iter()
            .flat_map(|&(k, v)| [k.to_le_bytes(), v.to_le_bytes()])
            .flatten()
            .collect();
        Ok(xfer(&bytes, offset, length, buf))
    }
}

impl<A: GuestArch> gdbstub::target::ext::exec_file::ExecFile for GdbTarget<A> {
    fn get_exec_file(
        &self,
        _pid: Option<gdbstub::common::Pid>,
        offset: u64,
        length: usize,
        buf: &mut [u8],
    ) -> TargetResult<usize, Self> {
        use std::os::unix::ffi::OsStrExt;
        Ok(xfer(
            self.process.exe.as_os_str().as_bytes(),
            offset,
            length,
            buf,
        ))
    }
}

impl<A: GuestArch> gdbstub::target::ext::thread_extra_info::ThreadExtraInfo for GdbTarget<A> {
    fn thread_extra_info(&self, tid: Tid, buf: &mut [u8]) -> Result<usize, Self::Error> {
        // The thread's name (pthread_setname_np and prctl reach the host's).
        let name =
            std::fs::read_to_string(format!("/proc/self/task/{tid}/comm")).unwrap_or_default();
        Ok(xfer(name.trim_end().as_bytes(), 0, buf.len(), buf))
    }
}

/// Our stops in gdbstub's words.
fn stop_reason(stop: Stop) -> MultiThreadStopReason<u64> {
    match stop {
        Stop::Breakpoint(tid) => MultiThreadStopReason::SwBreak(tid_of(tid)),
        Stop::Step(tid) => MultiThreadStopReason::SignalWithThread {
            tid: tid_of(tid),
            signal: Signal::SIGTRAP,
        },
        Stop::Watch {
            tid,
            write,
            read,
            addr,
        } => MultiThreadStopReason::Watch {
            tid: tid_of(tid),
            kind: match (read, write) {
                (true, true) => WatchKind::ReadWrite,
                (true, false) => WatchKind::Read,
                _ => WatchKind::Write,
            },
            addr,
        },
        Stop::Signal(tid, sig) => MultiThreadStopReason::SignalWithThread {
            tid: tid_of(tid),
            signal: signal(sig),
        },
        Stop::Syscall { tid, nr, entry } => MultiThreadStopReason::CatchSyscall {
            tid: Some(tid_of(tid)),
            number: nr,
            position: if entry {
                CatchSyscallPosition::Entry
            } else {
                CatchSyscallPosition::Return
            },
        },
        Stop::Exited(code) => MultiThreadStopReason::Exited(code as u8),
        Stop::Terminated(sig) => MultiThreadStopReason::Terminated(signal(sig)),
    }
}

enum EventLoop<A> {
    _Never(PhantomData<A>),
}

impl<A: GuestArch> run_blocking::BlockingEventLoop for EventLoop<A> {
    type Target = GdbTarget<A>;
    type Connection = Box<dyn ConnectionExt<Error = std::io::Error>>;
    type StopReason = MultiThreadStopReason<u64>;

    #[allow(clippy::type_complexity)]
    fn wait_for_stop_reason(
        target: &mut GdbTarget<A>,
        conn: &mut Self::Connection,
    ) -> Result<
        run_blocking::Event<Self::StopReason>,
        run_blocking::WaitForStopReasonError<&'static str, std::io::Error>,
    > {
        let incoming = || conn.peek().map(|b| b.is_some()).unwrap_or(true);
        match target.debugger.wait_for_stop(incoming) {
            Some(stop) => Ok(run_blocking::Event::TargetStopped(stop_reason(stop))),
            None => {
                let byte = conn
                    .read()
                    .map_err(run_blocking::WaitForStopReasonError::Connection)?;
                Ok(run_blocking::Event::IncomingData(byte))
            }
        }
    }

    fn on_interrupt(
        target: &mut GdbTarget<A>,
    ) -> Result<Option<MultiThreadStopReason<u64>>, &'static str> {
        target.debugger.interrupt();
        Ok(None)
    }
}

/// Where gdb will connect.
enum Listener {
    Tcp(std::net::TcpListener),
    Unix(std::os::unix::net::UnixListener),
}

impl Listener {
    fn accept(&self) -> std::io::Result<Box<dyn ConnectionExt<Error = std::io::Error>>> {
        Ok(match self {
            Listener::Tcp(l) => {
                let (s, _) = l.accept()?;
                let _ = s.set_nodelay(true);
                Box::new(s)
            }
            Listener::Unix(l) => Box::new(l.accept()?.0),
        })
    }
}

/// Listens at `address` for gdb and serves it on a thread of its own; the
/// guest waits stopped before its first instruction until gdb resumes it.
pub fn start<A: GuestArch>(
    process: &'static Process,
    debugger: &'static Debugger,
    address: &super::GdbAddress,
) -> Result<(), String> {
    let listener = match address {
        super::GdbAddress::Tcp(port) => std::net::TcpListener::bind(("0.0.0.0", *port))
            .map(Listener::Tcp)
            .map_err(|e| format!("-g {port}: {e}"))?,
        super::GdbAddress::Unix(path) => {
            let _ = std::fs::remove_file(path);
            std::os::unix::net::UnixListener::bind(path)
                .map(Listener::Unix)
                .map_err(|e| format!("-g {}: {e}", path.display()))?
        }
    };
    match address {
        super::GdbAddress::Tcp(port) => {
            eprintln!("emu-{}: waiting for gdb on port {port}", A::NAME)
        }
        super::GdbAddress::Unix(path) => {
            eprintln!("emu-{}: waiting for gdb on {}", A::NAME, path.display())
        }
    }
    let mut target = GdbTarget::<A> {
        process,
        debugger,
        xml: A::gdb_target_xml(),
        _arch: PhantomData,
    };
    std::thread::Builder::new()
        .name("gdbstub".into())
        .spawn(move || {
            let conn = match listener.accept() {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("emu-{}: gdb connection: {e}", A::NAME);
                    return debugger.detach();
                }
            };
            // gdb talks to a stopped guest: wait for the first thread to park.
            debugger.wait_until_stopped();
            let end = GdbStub::new(conn).run_blocking::<EventLoop<A>>(&mut target);
            match end {
                Ok(DisconnectReason::Kill) => {
                    // SAFETY: the whole process ends, as gdb asked.
                    unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
                }
                Ok(DisconnectReason::TargetExited(_) | DisconnectReason::TargetTerminated(_)) => {
                    debugger.end_reported()
                }
                Ok(DisconnectReason::Disconnect) | Err(_) => debugger.detach(),
            }
        })
        .map_err(|e| format!("cannot start the gdbstub: {e}"))?;
    Ok(())
}
