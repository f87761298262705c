//! futex: guest memory is host memory, so a host futex on the translated
//! address gives the same wait/wake semantics between guest threads and
//! across processes sharing a mapping.
//!
//! Owns the futex handler: which operations take a timeout pointer, a second
//! address or plain integers. Must not keep wait queues of its own.

use crate::abi::structs::Timespec;
use crate::host::{ptr, sys};
use crate::{Guest, SysResult};

type A = [u64; 6];

/// Clears FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256).
const FUTEX_CMD_MASK: u64 = !(128 | 256);

/// futex(uaddr, op, val, timeout|val2, uaddr2, val3).
pub fn futex(g: &dyn Guest, a: A) -> SysResult {
    let cmd = a[1] & FUTEX_CMD_MASK;
    let ts = std::mem::size_of::<Timespec>() as u64;
    let uaddr = ptr(g, a[0], 4)?;
    // (is the 4th argument a timespec pointer, is the 5th an address)
    let (timeout_is_ptr, uses_uaddr2) = match cmd {
        0 | 9 => (true, false),      // WAIT, WAIT_BITSET
        1 | 10 => (false, false),    // WAKE, WAKE_BITSET
        3..=5 => (false, true),      // REQUEUE, CMP_REQUEUE, WAKE_OP
        6 | 8 | 13 => (true, false), // LOCK_PI, TRYLOCK_PI, LOCK_PI2
        7 => (false, false),         // UNLOCK_PI
        11 => (true, true),          // WAIT_REQUEUE_PI
        12 => (false, true),         // CMP_REQUEUE_PI
        _ => return Err(libc::ENOSYS),
    };
    let a3 = if timeout_is_ptr {
        ptr(g, a[3], ts)?
    } else {
        a[3]
    };
    let a4 = if uses_uaddr2 { ptr(g, a[4], 4)? } else { a[4] };
    sys(libc::SYS_futex, [uaddr, a[1], a[2], a3, a4, a[5]])
}
