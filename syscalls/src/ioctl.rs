//! ioctl: an allow-list of requests with their argument shapes.
//!
//! Owns the list below. Every listed request has the same number and argument
//! layout in the generic ABI and on x86-64 (asm-generic/ioctls.h and
//! termbits.h are used by both; pinned by the tests in `abi::consts`), so the
//! argument is passed through as a value or a host pointer of the given size.
//! Unknown requests return ENOTTY, as QEMU does, and are logged under
//! `-d unimp`.

use crate::abi::structs::{KTermios, Winsize};
use crate::host::{ptr, sys3};
use crate::{Guest, SysResult};
use std::mem::size_of;

type A = [u64; 6];

/// What the third ioctl argument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    /// Ignored or absent.
    None,
    /// An integer passed by value.
    Value,
    /// A pointer to this many bytes (read, written or both by the kernel).
    Ptr(u64),
}

const TERMIOS: u64 = size_of::<KTermios>() as u64;
/// struct termios2: termios + c_ispeed + c_ospeed.
const TERMIOS2: u64 = TERMIOS + 8;
const WINSZ: u64 = size_of::<Winsize>() as u64;

const REQUESTS: &[(u64, &str, Arg)] = &[
    (0x5401, "TCGETS", Arg::Ptr(TERMIOS)),
    (0x5402, "TCSETS", Arg::Ptr(TERMIOS)),
    (0x5403, "TCSETSW", Arg::Ptr(TERMIOS)),
    (0x5404, "TCSETSF", Arg::Ptr(TERMIOS)),
    (0x5409, "TCSBRK", Arg::Value),
    (0x540A, "TCXONC", Arg::Value),
    (0x540B, "TCFLSH", Arg::Value),
    (0x540C, "TIOCEXCL", Arg::None),
    (0x540D, "TIOCNXCL", Arg::None),
    (0x540E, "TIOCSCTTY", Arg::Value),
    (0x540F, "TIOCGPGRP", Arg::Ptr(4)),
    (0x5410, "TIOCSPGRP", Arg::Ptr(4)),
    (0x5411, "TIOCOUTQ", Arg::Ptr(4)),
    (0x5413, "TIOCGWINSZ", Arg::Ptr(WINSZ)),
    (0x5414, "TIOCSWINSZ", Arg::Ptr(WINSZ)),
    (0x5415, "TIOCMGET", Arg::Ptr(4)),
    (0x5418, "TIOCMSET", Arg::Ptr(4)),
    (0x541B, "FIONREAD", Arg::Ptr(4)),
    (0x5421, "FIONBIO", Arg::Ptr(4)),
    (0x5422, "TIOCNOTTY", Arg::None),
    (0x5425, "TCSBRKP", Arg::Value),
    (0x5429, "TIOCGSID", Arg::Ptr(4)),
    (0x802C_542A, "TCGETS2", Arg::Ptr(TERMIOS2)),
    (0x402C_542B, "TCSETS2", Arg::Ptr(TERMIOS2)),
    (0x402C_542C, "TCSETSW2", Arg::Ptr(TERMIOS2)),
    (0x402C_542D, "TCSETSF2", Arg::Ptr(TERMIOS2)),
    (0x8004_5430, "TIOCGPTN", Arg::Ptr(4)),
    (0x4004_5431, "TIOCSPTLCK", Arg::Ptr(4)),
    (0x8004_5439, "TIOCGPTLCK", Arg::Ptr(4)),
    (0x5441, "TIOCGPTPEER", Arg::Value),
    (0x5450, "FIONCLEX", Arg::None),
    (0x5451, "FIOCLEX", Arg::None),
    (0x5452, "FIOASYNC", Arg::Ptr(4)),
    (0x5460, "FIOQSIZE", Arg::Ptr(8)),
    (0x8901, "FIOSETOWN", Arg::Ptr(4)),
    (0x8903, "FIOGETOWN", Arg::Ptr(4)),
    // linux/fs.h: FIGETBSZ (_IO(0x00,2)), BLKGETSIZE64 (_IOR(0x12,114,size_t)).
    (0x0002, "FIGETBSZ", Arg::Ptr(4)),
    (0x8008_1272, "BLKGETSIZE64", Arg::Ptr(8)),
];

/// The name of a known ioctl request (for `-strace`).
pub(crate) fn request_name(req: u64) -> Option<&'static str> {
    REQUESTS.iter().find(|r| r.0 == req).map(|r| r.1)
}

pub fn ioctl(g: &dyn Guest, a: A) -> SysResult {
    // The request is an unsigned int: the upper register half is not part of it.
    let req = a[1] & 0xffff_ffff;
    let Some(&(_, _, arg)) = REQUESTS.iter().find(|r| r.0 == req) else {
        if g.log_unimp() {
            g.log(&format!("Unsupported ioctl: cmd={req:#06x}"));
        }
        return Err(libc::ENOTTY);
    };
    let host_arg = match arg {
        Arg::None => 0,
        Arg::Value => a[2],
        Arg::Ptr(n) => ptr(g, a[2], n)?,
    };
    sys3(libc::SYS_ioctl, a[0], req, host_arg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_unique_and_match_the_host() {
        for (i, r) in REQUESTS.iter().enumerate() {
            assert!(
                REQUESTS[..i].iter().all(|o| o.0 != r.0),
                "{} listed twice",
                r.1
            );
        }
        assert_eq!(request_name(libc::TCGETS), Some("TCGETS"));
        assert_eq!(request_name(libc::TIOCGWINSZ), Some("TIOCGWINSZ"));
        assert_eq!(request_name(libc::TCGETS2), Some("TCGETS2"));
        assert_eq!(request_name(libc::TCSETS2), Some("TCSETS2"));
        assert_eq!(request_name(libc::TIOCGPTPEER), Some("TIOCGPTPEER"));
        assert_eq!(request_name(libc::FIOASYNC), Some("FIOASYNC"));
    }
}
