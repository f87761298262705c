//! Miscellaneous process-wide syscalls: getrandom, prctl, personality,
//! scheduling, getcpu, rseq, membarrier and the riscv icache flush.
//!
//! Owns these handlers. prctl is allow-listed: options that would change the
//! emulator itself rather than the guest (seccomp, mm fields…) are refused.

use crate::abi::structs::{Timespec, SCHED_PARAM_SIZE};
use crate::host::{int, ptr, sys, sys3};
use crate::{Guest, SysResult};

type A = [u64; 6];

pub fn getrandom(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_getrandom, ptr(g, a[0], a[1])?, a[1], a[2])
}

pub fn prctl(g: &dyn Guest, a: A) -> SysResult {
    match int(a[0]) {
        libc::PR_SET_NAME => {
            // The kernel copies at most 16 bytes (TASK_COMM_LEN) and NUL-terminates.
            let mut name = [0u8; 16];
            for (i, b) in name.iter_mut().take(15).enumerate() {
                let mut one = [0u8];
                g.read(a[1] + i as u64, &mut one)?;
                if one[0] == 0 {
                    break;
                }
                *b = one[0];
            }
            sys3(libc::SYS_prctl, a[0], name.as_ptr() as u64, 0)
        }
        libc::PR_GET_NAME => {
            let mut name = [0u8; 16];
            sys3(libc::SYS_prctl, a[0], name.as_mut_ptr() as u64, 0)?;
            g.write(a[1], &name)?;
            Ok(0)
        }
        libc::PR_GET_PDEATHSIG | libc::PR_GET_CHILD_SUBREAPER => {
            sys3(libc::SYS_prctl, a[0], ptr(g, a[1], 4)?, 0)
        }
        libc::PR_SET_PDEATHSIG
        | libc::PR_GET_DUMPABLE
        | libc::PR_SET_DUMPABLE
        | libc::PR_SET_NO_NEW_PRIVS
        | libc::PR_GET_NO_NEW_PRIVS
        | libc::PR_CAPBSET_READ
        | libc::PR_SET_CHILD_SUBREAPER
        | libc::PR_GET_TIMERSLACK
        | libc::PR_SET_TIMERSLACK
        | libc::PR_GET_KEEPCAPS
        | libc::PR_SET_KEEPCAPS
        | libc::PR_GET_SECCOMP
        | libc::PR_CAP_AMBIENT => sys(libc::SYS_prctl, [a[0], a[1], a[2], a[3], a[4], 0]),
        _ => Err(libc::EINVAL),
    }
}

pub fn personality(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_personality, a[0], 0, 0)
}

pub fn sched_getaffinity(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_getaffinity, a[0], a[1], ptr(g, a[2], a[1])?)
}

pub fn sched_setaffinity(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_setaffinity, a[0], a[1], ptr(g, a[2], a[1])?)
}

pub fn sched_yield(_g: &dyn Guest, _a: A) -> SysResult {
    sys3(libc::SYS_sched_yield, 0, 0, 0)
}

const SP: u64 = SCHED_PARAM_SIZE as u64;

pub fn sched_getparam(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_getparam, a[0], ptr(g, a[1], SP)?, 0)
}

pub fn sched_setparam(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_setparam, a[0], ptr(g, a[1], SP)?, 0)
}

pub fn sched_getscheduler(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_getscheduler, a[0], 0, 0)
}

pub fn sched_setscheduler(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_setscheduler, a[0], a[1], ptr(g, a[2], SP)?)
}

pub fn sched_get_priority_max(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_get_priority_max, a[0], 0, 0)
}

pub fn sched_get_priority_min(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_sched_get_priority_min, a[0], 0, 0)
}

pub fn sched_rr_get_interval(g: &dyn Guest, a: A) -> SysResult {
    sys3(
        libc::SYS_sched_rr_get_interval,
        a[0],
        ptr(g, a[1], std::mem::size_of::<Timespec>() as u64)?,
        0,
    )
}

pub fn getcpu(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_getcpu, ptr(g, a[0], 4)?, ptr(g, a[1], 4)?, 0)
}

/// Restartable sequences need the core's cooperation (abort on preemption):
/// ENOSYS makes glibc carry on without them.
pub fn rseq(_g: &dyn Guest, _a: A) -> SysResult {
    Err(libc::ENOSYS)
}

/// The host's: guest threads are host threads of this process, and a host
/// barrier orders their (translated) memory accesses the same way.
pub fn membarrier(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_membarrier, a[0], a[1], a[2])
}

/// riscv_flush_icache(start, end, flags): drop stale translations.
pub fn riscv_flush_icache(g: &dyn Guest, a: A) -> SysResult {
    if a[2] & !1 != 0 {
        return Err(libc::EINVAL);
    }
    // The kernel flushes everything whatever the range; an empty range
    // (glibc's __riscv_flush_icache(0, 0, 0)) must still flush.
    if a[0] < a[1] {
        g.flush_icache(a[0], a[1]);
    } else {
        g.flush_icache(0, u64::MAX);
    }
    Ok(0)
}

/// syslog(type, buf, len): the kernel log (dmesg).
pub fn syslog(g: &dyn Guest, a: A) -> SysResult {
    let len = (a[2] as i32).max(0) as u64;
    sys3(libc::SYS_syslog, a[0], ptr(g, a[1], len)?, a[2])
}

/// struct sched_attr starts with its own size (u32); the layout is arch-independent.
pub fn sched_setattr(g: &dyn Guest, a: A) -> SysResult {
    let size: u32 = crate::abi::read_obj(g, a[1])?;
    let size = if size == 0 { 48 } else { size as u64 };
    sys3(libc::SYS_sched_setattr, a[0], ptr(g, a[1], size)?, a[2])
}

pub fn sched_getattr(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_sched_getattr,
        [a[0], ptr(g, a[1], a[2])?, a[2], a[3], 0, 0],
    )
}
