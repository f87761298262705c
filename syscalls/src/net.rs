//! Sockets: creation, addresses, options, send/receive including
//! sendmsg/recvmsg/sendmmsg/recvmmsg.
//!
//! Owns these handlers and the msghdr translation (guest iovec and buffer
//! addresses → host pointers). Socket addresses (AF_UNIX, AF_INET, AF_INET6)
//! and control messages have the same 64-bit layout on guest and host, so
//! their bytes pass through; SCM_RIGHTS fds are 1:1.

use crate::abi::structs::{Mmsghdr, Msghdr, Timespec};
use crate::abi::{read_obj, write_obj};
use crate::fs::host_iovecs;
use crate::host::{ptr, sys, sys3};
use crate::{Errno, Guest, SysResult};
use std::mem::size_of;

type A = [u64; 6];

pub fn socket(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_socket, a[0], a[1], a[2])
}

pub fn socketpair(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_socketpair,
        [a[0], a[1], a[2], ptr(g, a[3], 8)?, 0, 0],
    )
}

pub fn bind(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_bind, a[0], ptr(g, a[1], a[2])?, a[2])
}

pub fn connect(g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_connect, a[0], ptr(g, a[1], a[2])?, a[2])
}

pub fn listen(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_listen, a[0], a[1], 0)
}

pub fn shutdown(_g: &dyn Guest, a: A) -> SysResult {
    sys3(libc::SYS_shutdown, a[0], a[1], 0)
}

/// (host address buffer, host length pointer) for a guest `addr, addrlen*` pair.
fn addr_out(g: &dyn Guest, addr: u64, lenp: u64) -> Result<(u64, u64), Errno> {
    if addr == 0 || lenp == 0 {
        return Ok((0, ptr(g, lenp, 4)?));
    }
    let len: u32 = read_obj(g, lenp)?;
    if (len as i32) < 0 {
        return Err(libc::EINVAL);
    }
    Ok((ptr(g, addr, len as u64)?, ptr(g, lenp, 4)?))
}

pub fn accept(g: &dyn Guest, a: A) -> SysResult {
    accept4(g, [a[0], a[1], a[2], 0, 0, 0])
}

pub fn accept4(g: &dyn Guest, a: A) -> SysResult {
    let (addr, len) = addr_out(g, a[1], a[2])?;
    sys(libc::SYS_accept4, [a[0], addr, len, a[3], 0, 0])
}

pub fn getsockname(g: &dyn Guest, a: A) -> SysResult {
    let (addr, len) = addr_out(g, a[1], a[2])?;
    sys3(libc::SYS_getsockname, a[0], addr, len)
}

pub fn getpeername(g: &dyn Guest, a: A) -> SysResult {
    let (addr, len) = addr_out(g, a[1], a[2])?;
    sys3(libc::SYS_getpeername, a[0], addr, len)
}

pub fn sendto(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_sendto,
        [
            a[0],
            ptr(g, a[1], a[2])?,
            a[2],
            a[3],
            ptr(g, a[4], a[5])?,
            a[5],
        ],
    )
}

pub fn recvfrom(g: &dyn Guest, a: A) -> SysResult {
    let (addr, len) = addr_out(g, a[4], a[5])?;
    sys(
        libc::SYS_recvfrom,
        [a[0], ptr(g, a[1], a[2])?, a[2], a[3], addr, len],
    )
}

/// Socket options: SOL_SOCKET/SO_* and the IP/TCP/IPv6 levels use the same
/// numbers and value layouts (ints, timevals, linger, ucred) on both sides.
pub fn setsockopt(g: &dyn Guest, a: A) -> SysResult {
    sys(
        libc::SYS_setsockopt,
        [a[0], a[1], a[2], ptr(g, a[3], a[4])?, a[4], 0],
    )
}

pub fn getsockopt(g: &dyn Guest, a: A) -> SysResult {
    let (val, len) = addr_out(g, a[3], a[4])?;
    sys(libc::SYS_getsockopt, [a[0], a[1], a[2], val, len, 0])
}

/// A host msghdr built from a guest one; owns the host iovec array it points to.
struct HostMsg {
    hdr: libc::msghdr,
    _iov: Vec<libc::iovec>,
}

fn host_msghdr(g: &dyn Guest, m: &Msghdr) -> Result<HostMsg, Errno> {
    let iov = host_iovecs(g, m.iov, m.iovlen)?;
    // SAFETY: zeroed msghdr is valid; every field is set below.
    let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
    hdr.msg_name = ptr(g, m.name, m.namelen as u64)? as *mut libc::c_void;
    hdr.msg_namelen = m.namelen;
    hdr.msg_iov = iov.as_ptr() as *mut libc::iovec;
    hdr.msg_iovlen = iov.len();
    hdr.msg_control = ptr(g, m.control, m.controllen)? as *mut libc::c_void;
    hdr.msg_controllen = m.controllen as usize;
    hdr.msg_flags = m.flags as i32;
    Ok(HostMsg { hdr, _iov: iov })
}

/// The guest msghdr after a receive: lengths and flags as the kernel left them.
fn updated(m: &Msghdr, h: &libc::msghdr) -> Msghdr {
    Msghdr {
        namelen: h.msg_namelen,
        controllen: h.msg_controllen as u64,
        flags: h.msg_flags as u32,
        ..*m
    }
}

pub fn sendmsg(g: &dyn Guest, a: A) -> SysResult {
    let m: Msghdr = read_obj(g, a[1])?;
    let h = host_msghdr(g, &m)?;
    sys3(libc::SYS_sendmsg, a[0], &h.hdr as *const _ as u64, a[2])
}

pub fn recvmsg(g: &dyn Guest, a: A) -> SysResult {
    let m: Msghdr = read_obj(g, a[1])?;
    let mut h = host_msghdr(g, &m)?;
    let n = sys3(libc::SYS_recvmsg, a[0], &mut h.hdr as *mut _ as u64, a[2])?;
    write_obj(g, a[1], &updated(&m, &h.hdr))?;
    Ok(n)
}

fn mmsg_vec(g: &dyn Guest, addr: u64, vlen: u64) -> Result<(Vec<Mmsghdr>, Vec<HostMsg>), Errno> {
    // The kernel silently caps vlen at UIO_MAXIOV.
    let n = vlen.min(libc::UIO_MAXIOV as u64) as usize;
    let guest: Vec<Mmsghdr> = crate::abi::read_array(g, addr, n)?;
    let host = guest
        .iter()
        .map(|m| host_msghdr(g, &m.hdr))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((guest, host))
}

fn mmsg_host(host: &[HostMsg]) -> Vec<libc::mmsghdr> {
    host.iter()
        .map(|h| libc::mmsghdr {
            msg_hdr: h.hdr,
            msg_len: 0,
        })
        .collect()
}

pub fn sendmmsg(g: &dyn Guest, a: A) -> SysResult {
    let (guest, host) = mmsg_vec(g, a[1], a[2])?;
    let mut hv = mmsg_host(&host);
    let sent = sys(
        libc::SYS_sendmmsg,
        [a[0], hv.as_mut_ptr() as u64, hv.len() as u64, a[3], 0, 0],
    )?;
    for (i, (gm, hm)) in guest.iter().zip(&hv).enumerate().take(sent as usize) {
        let out = Mmsghdr {
            len: hm.msg_len,
            ..*gm
        };
        write_obj(g, a[1] + (i * size_of::<Mmsghdr>()) as u64, &out)?;
    }
    Ok(sent)
}

pub fn recvmmsg(g: &dyn Guest, a: A) -> SysResult {
    let (guest, host) = mmsg_vec(g, a[1], a[2])?;
    let mut hv = mmsg_host(&host);
    let tmo = ptr(g, a[4], size_of::<Timespec>() as u64)?;
    let got = sys(
        libc::SYS_recvmmsg,
        [a[0], hv.as_mut_ptr() as u64, hv.len() as u64, a[3], tmo, 0],
    )?;
    for (i, (gm, hm)) in guest.iter().zip(&hv).enumerate().take(got as usize) {
        let out = Mmsghdr {
            hdr: updated(&gm.hdr, &hm.msg_hdr),
            len: hm.msg_len,
            pad: 0,
        };
        write_obj(g, a[1] + (i * size_of::<Mmsghdr>()) as u64, &out)?;
    }
    Ok(got)
}
