//! The debugger side of a process run with `-g`: what the gdbstub
//! (`server.rs`, the GDB remote protocol over the `gdbstub` crate) and the
//! guest threads share.
//!
//! All-stop: when a thread has something to report (a breakpoint, a
//! finished step, a watchpoint, a signal, a caught syscall) it records the
//! stop, raises `stop_requested` and parks; every other thread parks before
//! its next instruction (the engine runs one instruction per block under a
//! debugger, see `engine::debug`). Threads inside a system call count as
//! stopped: they touch their CPU state again only after taking the lock,
//! and park then if the guest is still stopped. The server reports the stop
//! once no thread runs guest code, reads and writes the parked threads'
//! registers through their CPU pointers, and resumes them all with gdb's
//! actions (continue, step, a signal to deliver).

pub mod server;

use crate::guest::{GuestArch, GuestCpu};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Where gdb connects (`-g`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GdbAddress {
    Tcp(u16),
    Unix(std::path::PathBuf),
}

impl GdbAddress {
    /// `-g PORT` or `-g /path/to/socket`.
    pub fn parse(text: &str) -> Result<GdbAddress, String> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text
                .parse()
                .map(GdbAddress::Tcp)
                .map_err(|_| format!("-g: bad port '{text}'"));
        }
        if text.is_empty() {
            return Err("-g: needs a port or a socket path".into());
        }
        Ok(GdbAddress::Unix(text.into()))
    }
}

/// Why the guest stopped, as gdb is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    Breakpoint(u32),
    Step(u32),
    Watch {
        tid: u32,
        write: bool,
        read: bool,
        addr: u64,
    },
    Signal(u32, i32),
    Syscall {
        tid: u32,
        nr: u64,
        entry: bool,
    },
    Exited(i32),
    Terminated(i32),
}

/// What gdb asked a thread to do when the guest resumes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Continue(Option<i32>),
    Step(Option<i32>),
    /// Stay stopped (scheduler locking).
    Stay,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Run {
    Guest,
    Syscall,
    Parked,
}

struct ThreadState {
    /// The thread's CPU (an `A::Cpu`), valid while the thread lives.
    cpu: usize,
    run: Run,
    action: Option<Action>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watchpoint {
    pub addr: u64,
    pub len: u64,
    pub read: bool,
    pub write: bool,
}

/// Syscalls reported to gdb: `None` all of them.
type CatchSyscalls = Option<Vec<u64>>;

#[derive(Default)]
struct State {
    threads: BTreeMap<u32, ThreadState>,
    breakpoints: BTreeSet<u64>,
    watchpoints: Vec<Watchpoint>,
    catch_syscalls: Option<CatchSyscalls>,
    /// The stop to report (the first one wins; the others are found again
    /// when their threads resume).
    stop: Option<Stop>,
    /// gdb sent Ctrl-C: the first thread to park reports SIGINT.
    interrupt: bool,
    /// Bumped at each resume: parked threads wait for it to change.
    resumes: u64,
    /// The action of threads gdb named none for.
    default_action: Option<Action>,
    /// The server told gdb the process ended.
    end_reported: bool,
    /// The last fault gdb was told of: (signal, si_code, si_addr).
    last_fault: Option<(i32, i32, u64)>,
}

pub struct Debugger {
    state: Mutex<State>,
    changed: Condvar,
    /// Set while the guest must stop: running threads park at their next
    /// instruction.
    stop_requested: AtomicBool,
    /// Cleared when gdb detaches (and in a forked child): threads no longer
    /// stop.
    attached: AtomicBool,
}

/// One guest thread's view while debugged.
pub struct DebugThread<'a> {
    d: &'a Debugger,
    tid: u32,
    /// Resumed to single-step.
    stepping: bool,
    /// An instruction ran since the last checkpoint.
    pub ran: bool,
    /// Resumed at this breakpoint, which must not stop it again before it
    /// ran the instruction.
    skip_breakpoint: Option<u64>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Default for Debugger {
    fn default() -> Self {
        Debugger::new()
    }
}

impl Debugger {
    /// A debugger for a guest that starts stopped.
    pub fn new() -> Debugger {
        Debugger {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            stop_requested: AtomicBool::new(true),
            attached: AtomicBool::new(true),
        }
    }

    fn attached(&self) -> bool {
        self.attached.load(Ordering::SeqCst)
    }

    fn wait<'a>(&self, g: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(g).unwrap_or_else(|e| e.into_inner())
    }

    /// The calling guest thread `tid` (running `cpu`) starts; it is
    /// debugged until it ends ([`DebugThread`] drop).
    pub fn thread<A: GuestArch>(&self, cpu: &mut A::Cpu) -> DebugThread<'_> {
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::gettid() } as u32;
        let mut s = lock(&self.state);
        s.threads.insert(
            tid,
            ThreadState {
                cpu: cpu as *mut A::Cpu as usize,
                run: Run::Guest,
                action: None,
            },
        );
        drop(s);
        DebugThread {
            d: self,
            tid,
            stepping: false,
            ran: false,
            skip_breakpoint: None,
        }
    }

    /// In a forked child, which gdb does not follow: nothing stops.
    pub fn forget(&self) {
        self.attached.store(false, Ordering::SeqCst);
        self.stop_requested.store(false, Ordering::SeqCst);
    }

    // ---- the server's side ----

    /// Waits until the guest stopped (and no thread runs guest code), or
    /// `incoming` says gdb sent something (then `None`).
    pub fn wait_for_stop(&self, mut incoming: impl FnMut() -> bool) -> Option<Stop> {
        let mut s = lock(&self.state);
        loop {
            let running = s.threads.values().any(|t| t.run == Run::Guest);
            if s.interrupt && !running {
                // Ctrl-C while every thread waits in a system call.
                let tid = *s.threads.keys().next()?;
                s.interrupt = false;
                s.stop = Some(Stop::Signal(tid, libc::SIGINT));
            }
            match s.stop {
                Some(stop @ (Stop::Exited(_) | Stop::Terminated(_))) => return Some(stop),
                Some(stop) if !running => return Some(stop),
                _ => {}
            }
            drop(s);
            if incoming() {
                return None;
            }
            s = lock(&self.state);
            s = self
                .changed
                .wait_timeout(s, Duration::from_millis(5))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits until there is a thread and none runs guest code.
    pub fn wait_until_stopped(&self) {
        let mut s = lock(&self.state);
        while s.threads.is_empty() || s.threads.values().any(|t| t.run == Run::Guest) {
            s = self.wait(s);
        }
    }

    /// The process ends (`exit_group`, the last thread's `exit`, or a
    /// fatal signal): gdb is told before it does.
    pub fn process_ends(&self, stop: Stop) {
        if !self.attached() {
            return;
        }
        let mut s = lock(&self.state);
        s.stop = Some(stop);
        self.stop_requested.store(true, Ordering::SeqCst);
        self.changed.notify_all();
        while !s.end_reported && self.attached() {
            s = self.wait(s);
        }
    }

    /// The stopped guest goes on, each thread as its action says.
    pub fn resume(&self) {
        let mut s = lock(&self.state);
        s.stop = None;
        s.resumes += 1;
        self.stop_requested.store(false, Ordering::SeqCst);
        self.changed.notify_all();
    }

    /// Forgets the actions of the last resume; threads gdb does not name
    /// continue.
    pub fn clear_actions(&self) {
        let mut s = lock(&self.state);
        for t in s.threads.values_mut() {
            t.action = None;
        }
        s.default_action = None;
    }

    pub fn set_action(&self, tid: u32, action: Action) {
        if let Some(t) = lock(&self.state).threads.get_mut(&tid) {
            t.action = Some(action);
        }
    }

    /// Threads gdb names no action for stay stopped (scheduler locking).
    pub fn others_stay(&self) {
        lock(&self.state).default_action = Some(Action::Stay);
    }

    /// Ctrl-C: stop the guest and report SIGINT.
    pub fn interrupt(&self) {
        let mut s = lock(&self.state);
        s.interrupt = true;
        self.stop_requested.store(true, Ordering::SeqCst);
        self.changed.notify_all();
    }

    /// gdb went away: breakpoints and the like go, the guest runs on freely.
    pub fn detach(&self) {
        let mut s = lock(&self.state);
        s.breakpoints.clear();
        s.watchpoints.clear();
        s.catch_syscalls = None;
        s.stop = None;
        s.end_reported = true;
        s.resumes += 1;
        self.attached.store(false, Ordering::SeqCst);
        self.stop_requested.store(false, Ordering::SeqCst);
        self.changed.notify_all();
    }

    /// The server sent gdb the end of the process.
    pub fn end_reported(&self) {
        lock(&self.state).end_reported = true;
        self.changed.notify_all();
    }

    pub fn threads(&self) -> Vec<u32> {
        lock(&self.state).threads.keys().copied().collect()
    }

    /// Runs `f` on the CPU of stopped thread `tid`.
    pub fn with_cpu<A: GuestArch, R>(
        &self,
        tid: u32,
        f: impl FnOnce(&mut A::Cpu) -> R,
    ) -> Option<R> {
        let s = lock(&self.state);
        let t = s.threads.get(&tid)?;
        if t.run == Run::Guest {
            return None;
        }
        // SAFETY: the thread lives (it is in the map) and does not touch its
        // CPU while it is parked or in a system call without this lock.
        Some(f(unsafe { &mut *(t.cpu as *mut A::Cpu) }))
    }

    pub fn set_breakpoint(&self, addr: u64, on: bool) -> bool {
        let mut s = lock(&self.state);
        if on {
            s.breakpoints.insert(addr)
        } else {
            s.breakpoints.remove(&addr)
        }
    }

    pub fn set_watchpoint(&self, w: Watchpoint, on: bool) -> bool {
        let mut s = lock(&self.state);
        if on {
            s.watchpoints.push(w);
            return true;
        }
        match s.watchpoints.iter().position(|x| *x == w) {
            Some(i) => {
                s.watchpoints.remove(i);
                true
            }
            None => false,
        }
    }

    /// The last fault reported: (signal, si_code, si_addr).
    pub fn last_fault(&self) -> Option<(i32, i32, u64)> {
        lock(&self.state).last_fault
    }

    pub fn catch_syscalls(&self, which: Option<CatchSyscalls>) {
        lock(&self.state).catch_syscalls = which;
    }
}

impl DebugThread<'_> {
    /// Before the thread's next instruction: reports what the last one
    /// triggered (a watchpoint, the end of a step), a breakpoint here, or
    /// parks because the guest is stopping.
    pub fn checkpoint<A: GuestArch>(&mut self, cpu: &mut A::Cpu) {
        let accesses = crate::engine::debug::take_accesses();
        if !self.d.attached() {
            return;
        }
        loop {
            let pc = cpu.pc();
            let mut stop = None;
            {
                let s = lock(&self.d.state);
                if self.ran {
                    self.skip_breakpoint = None;
                    stop = watch_hit(&s.watchpoints, &accesses).map(|(w, addr)| Stop::Watch {
                        tid: self.tid,
                        write: w.write,
                        read: w.read,
                        addr,
                    });
                    if stop.is_none() && self.stepping {
                        stop = Some(Stop::Step(self.tid));
                    }
                }
                if stop.is_none() && s.breakpoints.contains(&pc) && self.skip_breakpoint != Some(pc)
                {
                    stop = Some(Stop::Breakpoint(self.tid));
                }
            }
            self.ran = false;
            if stop.is_none() && !self.d.stop_requested.load(Ordering::SeqCst) {
                return;
            }
            // Resumed: a breakpoint at the (maybe new) pc that was not
            // reported, or was set meanwhile, stops the thread again.
            self.park::<A>(cpu, stop);
        }
    }

    /// Reports `stop` (if any, and if no other stop is waiting to be
    /// reported) and waits until gdb resumes this thread; returns the signal
    /// gdb wants delivered with the resume.
    fn park<A: GuestArch>(&mut self, cpu: &mut A::Cpu, stop: Option<Stop>) -> Option<i32> {
        let d = self.d;
        let mut s = lock(&d.state);
        let mut reported = false;
        if s.stop.is_none() && !s.end_reported {
            if let Some(stop) = stop {
                s.stop = Some(stop);
                reported = true;
            } else if s.interrupt {
                s.interrupt = false;
                s.stop = Some(Stop::Signal(self.tid, libc::SIGINT));
            }
        }
        d.stop_requested.store(true, Ordering::SeqCst);
        let me = s.threads.get_mut(&self.tid).expect("registered thread");
        me.cpu = cpu as *mut A::Cpu as usize;
        let before = me.run;
        me.run = Run::Parked;
        d.changed.notify_all();
        let action = loop {
            let resumes = s.resumes;
            while s.resumes == resumes && d.attached() {
                s = d.wait(s);
            }
            if !d.attached() {
                break Action::Continue(None);
            }
            let me = s.threads.get_mut(&self.tid).expect("registered thread");
            match me
                .action
                .or(s.default_action)
                .unwrap_or(Action::Continue(None))
            {
                Action::Stay => continue,
                a => break a,
            }
        };
        s.threads.get_mut(&self.tid).expect("registered thread").run = before;
        self.stepping = matches!(action, Action::Step(_));
        // Where gdb resumes a thread it saw stopped at a breakpoint, the
        // breakpoint is behind it.
        if reported && matches!(stop, Some(Stop::Breakpoint(_))) {
            self.skip_breakpoint = Some(cpu.pc());
        }
        match action {
            Action::Continue(sig) | Action::Step(sig) => sig,
            Action::Stay => None,
        }
    }

    /// A syscall is about to be made (`entry`) or was made: reported if gdb
    /// catches it. On entry the thread counts as stopped until
    /// [`syscall_done`](Self::syscall_done).
    pub fn syscall<A: GuestArch>(&mut self, cpu: &mut A::Cpu, nr: u64) {
        self.ran = true;
        if self.catches(nr) {
            self.park::<A>(
                cpu,
                Some(Stop::Syscall {
                    tid: self.tid,
                    nr,
                    entry: true,
                }),
            );
        }
        if let Some(t) = lock(&self.d.state).threads.get_mut(&self.tid) {
            t.run = Run::Syscall;
        }
    }

    /// The syscall returned: the thread runs guest code again (after
    /// parking if the guest is stopped or gdb catches the return).
    pub fn syscall_done<A: GuestArch>(&mut self, cpu: &mut A::Cpu, nr: u64) {
        if let Some(t) = lock(&self.d.state).threads.get_mut(&self.tid) {
            t.run = Run::Guest;
        }
        if self.catches(nr) {
            self.park::<A>(
                cpu,
                Some(Stop::Syscall {
                    tid: self.tid,
                    nr,
                    entry: false,
                }),
            );
        } else if self.d.attached() && self.d.stop_requested.load(Ordering::SeqCst) {
            self.park::<A>(cpu, None);
        }
    }

    fn catches(&self, nr: u64) -> bool {
        self.d.attached()
            && match &lock(&self.d.state).catch_syscalls {
                None => false,
                Some(None) => true,
                Some(Some(list)) => list.contains(&nr),
            }
    }

    /// The thread faulted (`sig` with `code` at `addr`): gdb sees it first
    /// (`monitor siginfo` shows code and address). Returns the signal to
    /// deliver (`None`: gdb discarded it).
    pub fn fault<A: GuestArch>(
        &mut self,
        cpu: &mut A::Cpu,
        sig: i32,
        code: i32,
        addr: u64,
    ) -> Option<i32> {
        if !self.d.attached() {
            return Some(sig);
        }
        lock(&self.d.state).last_fault = Some((sig, code, addr));
        self.park::<A>(cpu, Some(Stop::Signal(self.tid, sig)))
    }
}

impl Drop for DebugThread<'_> {
    fn drop(&mut self) {
        lock(&self.d.state).threads.remove(&self.tid);
        self.d.changed.notify_all();
    }
}

/// The first watchpoint an access of the last instruction hit, with the
/// address gdb is told.
fn watch_hit(
    watchpoints: &[Watchpoint],
    accesses: &[crate::engine::debug::Access],
) -> Option<(Watchpoint, u64)> {
    for a in accesses {
        for w in watchpoints {
            let overlaps = a.addr < w.addr + w.len && w.addr < a.addr + a.len;
            if overlaps && ((w.write && a.write) || (w.read && a.read)) {
                return Some((*w, w.addr.max(a.addr)));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::debug::Access;

    #[test]
    fn watchpoints_match_overlapping_accesses_of_their_kind() {
        let w = Watchpoint {
            addr: 0x1000,
            len: 4,
            read: false,
            write: true,
        };
        let store = |addr, len| Access {
            addr,
            len,
            read: false,
            write: true,
        };
        let load = Access {
            addr: 0x1000,
            len: 8,
            read: true,
            write: false,
        };
        assert_eq!(watch_hit(&[w], &[store(0x1002, 1)]), Some((w, 0x1002)));
        assert_eq!(watch_hit(&[w], &[store(0xffc, 8)]), Some((w, 0x1000)));
        assert_eq!(watch_hit(&[w], &[store(0x1004, 4)]), None);
        assert_eq!(watch_hit(&[w], &[load]), None);
        let r = Watchpoint { read: true, ..w };
        assert_eq!(watch_hit(&[r], &[load]), Some((r, 0x1000)));
    }

    #[test]
    fn gdb_addresses_are_ports_or_socket_paths() {
        assert_eq!(GdbAddress::parse("1234"), Ok(GdbAddress::Tcp(1234)));
        assert_eq!(
            GdbAddress::parse("/tmp/s"),
            Ok(GdbAddress::Unix("/tmp/s".into()))
        );
        assert_eq!(
            GdbAddress::parse("99999"),
            Err("-g: bad port '99999'".into())
        );
    }
}
