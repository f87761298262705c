//! Syscalls through `dispatch` against a mock guest and the real host kernel.

mod common;

use common::{temp_dir, MockGuest, BASE, SIZE};
use emu_syscalls::abi::structs::{EpollEvent, Stat, Utsname};
use emu_syscalls::{dispatch, syscall_name, Outcome};
use std::ffi::CString;
use std::mem::size_of;
use std::os::unix::fs::MetadataExt;

const AT_FDCWD: u64 = -100i64 as u64;
const NR_EPOLL_CREATE1: u64 = 20;
const NR_EPOLL_CTL: u64 = 21;
const NR_EPOLL_PWAIT: u64 = 22;
const NR_FCNTL: u64 = 25;
const NR_OPENAT: u64 = 56;
const NR_CLOSE: u64 = 57;
const NR_PIPE2: u64 = 59;
const NR_GETDENTS64: u64 = 61;
const NR_READ: u64 = 63;
const NR_WRITE: u64 = 64;
const NR_READLINKAT: u64 = 78;
const NR_NEWFSTATAT: u64 = 79;
const NR_FSTAT: u64 = 80;
const NR_EXIT_GROUP: u64 = 94;
const NR_RT_SIGACTION: u64 = 134;
const NR_UNAME: u64 = 160;
const NR_SOCKETPAIR: u64 = 199;
const NR_SENDMSG: u64 = 211;
const NR_RECVMSG: u64 = 212;
const NR_CLONE: u64 = 220;
const NR_EXECVE: u64 = 221;
const NR_WAIT4: u64 = 260;

fn call(g: &MockGuest, nr: u64, args: &[u64]) -> i64 {
    let mut a = [0u64; 6];
    a[..args.len()].copy_from_slice(args);
    match dispatch(g, nr, a) {
        Outcome::Return(v) => v as i64,
        other => panic!("syscall {nr} did not return: {other:?}"),
    }
}

fn errno(e: i32) -> i64 {
    -(e as i64)
}

fn stat_from(bytes: &[u8]) -> Stat {
    assert_eq!(bytes.len(), size_of::<Stat>());
    // SAFETY: Stat is plain data of exactly these bytes.
    unsafe { std::ptr::read_unaligned(bytes.as_ptr() as *const Stat) }
}

#[test]
fn syscall_names_come_from_the_table() {
    assert_eq!(syscall_name(56), Some("openat"));
    assert_eq!(syscall_name(0), Some("io_setup"));
    assert_eq!(syscall_name(9999), None);
}

#[test]
fn openat_write_read_close_round_trip() {
    let g = MockGuest::new();
    let dir = temp_dir("roundtrip");
    let file = dir.join("data.txt");
    let path = g.put_str(file.to_str().unwrap());
    let flags = (libc::O_RDWR | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC) as u64;
    let fd = call(&g, NR_OPENAT, &[AT_FDCWD, path, flags, 0o644]);
    assert!(fd >= 0, "openat: {fd}");
    let msg = g.put(b"hello, guest\n");
    assert_eq!(call(&g, NR_WRITE, &[fd as u64, msg, 13]), 13);
    assert_eq!(std::fs::read(&file).unwrap(), b"hello, guest\n");
    assert_eq!(call(&g, 62 /* lseek */, &[fd as u64, 0, 0]), 0);
    let buf = g.alloc(64);
    assert_eq!(call(&g, NR_READ, &[fd as u64, buf, 64]), 13);
    assert_eq!(g.get(buf, 13), b"hello, guest\n");
    assert_eq!(call(&g, NR_CLOSE, &[fd as u64]), 0);
    assert_eq!(call(&g, NR_CLOSE, &[fd as u64]), errno(libc::EBADF));
}

#[test]
fn newfstatat_and_fstat_convert_to_the_generic_layout() {
    let g = MockGuest::new();
    let dir = temp_dir("stat");
    let file = dir.join("f");
    std::fs::write(&file, vec![7u8; 12345]).unwrap();
    std::fs::hard_link(&file, dir.join("g")).unwrap();
    let md = std::fs::metadata(&file).unwrap();
    let path = g.put_str(file.to_str().unwrap());
    let st = g.alloc(size_of::<Stat>());
    assert_eq!(call(&g, NR_NEWFSTATAT, &[AT_FDCWD, path, st, 0]), 0);
    let s = stat_from(&g.get(st, size_of::<Stat>()));
    assert_eq!(s.st_size, 12345);
    assert_eq!(s.st_mode, md.mode());
    assert_eq!(s.st_ino, md.ino());
    assert_eq!(s.st_nlink, 2);
    assert_eq!(s.st_nlink as u64, md.nlink());
    assert_eq!(s.st_dev, md.dev());
    assert_eq!(s.st_uid, md.uid());
    assert_eq!(s.st_gid, md.gid());
    assert_eq!(s.st_blksize as u64, md.blksize());
    assert_eq!(s.st_blocks as u64, md.blocks());
    assert_eq!(s.st_mtime, md.mtime());
    assert_eq!(s.st_mtime_nsec as i64, md.mtime_nsec());
    assert_eq!(s.st_atime, md.atime());
    assert_eq!(s.st_ctime, md.ctime());

    let fd = call(&g, NR_OPENAT, &[AT_FDCWD, path, libc::O_RDONLY as u64, 0]);
    let st2 = g.alloc(size_of::<Stat>());
    assert_eq!(call(&g, NR_FSTAT, &[fd as u64, st2]), 0);
    assert_eq!(stat_from(&g.get(st2, size_of::<Stat>())), s);
    call(&g, NR_CLOSE, &[fd as u64]);
}

#[test]
fn getdents64_lists_a_directory() {
    let g = MockGuest::new();
    let dir = temp_dir("dents");
    for n in ["alpha", "beta", "gamma"] {
        std::fs::write(dir.join(n), b"").unwrap();
    }
    let path = g.put_str(dir.to_str().unwrap());
    let fd = call(
        &g,
        NR_OPENAT,
        &[
            AT_FDCWD,
            path,
            (libc::O_RDONLY | libc::O_DIRECTORY) as u64,
            0,
        ],
    );
    assert!(fd >= 0);
    let buf = g.alloc(4096);
    let n = call(&g, NR_GETDENTS64, &[fd as u64, buf, 4096]);
    assert!(n > 0);
    let bytes = g.get(buf, n as usize);
    let mut names = Vec::new();
    let mut off = 0;
    while off < bytes.len() {
        let reclen = u16::from_ne_bytes([bytes[off + 16], bytes[off + 17]]) as usize;
        let name = &bytes[off + 19..off + reclen];
        let end = name.iter().position(|&b| b == 0).unwrap();
        names.push(String::from_utf8(name[..end].to_vec()).unwrap());
        off += reclen;
    }
    names.sort();
    assert_eq!(names, [".", "..", "alpha", "beta", "gamma"]);
    assert_eq!(call(&g, NR_GETDENTS64, &[fd as u64, buf, 4096]), 0);
    call(&g, NR_CLOSE, &[fd as u64]);
}

#[test]
fn bad_guest_pointers_give_efault() {
    let g = MockGuest::new();
    let beyond = BASE + SIZE as u64 + 0x1000;
    let mut fds = [0i32; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // A buffer outside guest memory: host_ptr refuses it.
    assert_eq!(
        call(&g, NR_WRITE, &[fds[1] as u64, beyond, 4]),
        errno(libc::EFAULT)
    );
    // A path outside guest memory.
    assert_eq!(
        call(&g, NR_OPENAT, &[AT_FDCWD, beyond, 0, 0]),
        errno(libc::EFAULT)
    );
    // A struct written back outside guest memory.
    assert_eq!(
        call(&g, NR_FSTAT, &[fds[0] as u64, beyond]),
        errno(libc::EFAULT)
    );
    unsafe {
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
}

#[test]
fn unimplemented_syscalls_return_enosys_and_log_under_unimp() {
    let mut g = MockGuest::new();
    g.unimp = true;
    assert_eq!(call(&g, 0, &[]), errno(libc::ENOSYS));
    assert_eq!(
        g.logs.borrow().as_slice(),
        ["Unsupported syscall: 0 (io_setup)"]
    );
    assert_eq!(call(&g, 9999, &[]), errno(libc::ENOSYS));
    assert_eq!(g.logs.borrow()[1], "Unsupported syscall: 9999 (unknown)");
}

#[test]
fn unknown_syscall_number_is_enosys_silently_without_unimp() {
    let g = MockGuest::new();
    assert_eq!(call(&g, 9999, &[1, 2, 3]), errno(libc::ENOSYS));
    assert!(g.logs.borrow().is_empty());
}

#[test]
fn strace_lines_for_openat_success_and_failure() {
    let mut g = MockGuest::new();
    g.strace = true;
    let pid = std::process::id();
    let path = g.put_str("/etc/passwd");
    let flags = (libc::O_RDONLY | libc::O_CLOEXEC) as u64;
    let fd = call(&g, NR_OPENAT, &[AT_FDCWD, path, flags, 0]);
    assert!(fd >= 0);
    let missing = g.put_str("/nonexistent/emu-test");
    assert_eq!(
        call(&g, NR_OPENAT, &[AT_FDCWD, missing, flags, 0]),
        errno(libc::ENOENT)
    );
    call(&g, NR_CLOSE, &[fd as u64]);
    let dir = temp_dir("strace");
    let created = g.put_str(dir.join("new").to_str().unwrap());
    let cflags = (libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC) as u64;
    let fd2 = call(&g, NR_OPENAT, &[AT_FDCWD, created, cflags, 0o644]);
    call(&g, NR_CLOSE, &[fd2 as u64]);
    let logs = g.logs.borrow();
    assert_eq!(
        logs[0],
        format!("{pid} openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = {fd}")
    );
    assert_eq!(logs[1], format!("{pid} openat(AT_FDCWD, \"/nonexistent/emu-test\", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)"));
    assert_eq!(logs[2], format!("{pid} close({fd}) = 0"));
    let shown = dir.join("new");
    assert_eq!(
        logs[3],
        format!(
            "{pid} openat(AT_FDCWD, \"{}\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = {fd2}",
            shown.display()
        )
    );
}

#[test]
fn strace_shows_write_and_read_buffers() {
    let mut g = MockGuest::new();
    g.strace = true;
    let pid = std::process::id();
    let fds = g.alloc(8);
    assert_eq!(call(&g, NR_PIPE2, &[fds, 0]), 0);
    g.logs.borrow_mut().clear();
    let (r, w) = (g.get_u32(fds) as u64, g.get_u32(fds + 4) as u64);
    let long = g.put(b"0123456789abcdefghijklmnopqrstuvwxyz\n");
    assert_eq!(call(&g, NR_WRITE, &[w, long, 37]), 37);
    let buf = g.alloc(64);
    assert_eq!(call(&g, NR_READ, &[r, buf, 5]), 5);
    let logs = g.logs.borrow();
    assert_eq!(
        logs[0],
        format!("{pid} write({w}, \"0123456789abcdefghijklmnopqrstuv\"..., 37) = 37")
    );
    assert_eq!(logs[1], format!("{pid} read({r}, \"01234\", 5) = 5"));
    unsafe {
        libc::close(r as i32);
        libc::close(w as i32);
    }
}

#[test]
fn pipe2_write_read() {
    let g = MockGuest::new();
    let fds = g.alloc(8);
    assert_eq!(call(&g, NR_PIPE2, &[fds, libc::O_CLOEXEC as u64]), 0);
    let (r, w) = (g.get_u32(fds) as u64, g.get_u32(fds + 4) as u64);
    assert_eq!(
        call(&g, NR_FCNTL, &[r, libc::F_GETFD as u64]),
        libc::FD_CLOEXEC as i64
    );
    let msg = g.put(b"through the pipe");
    assert_eq!(call(&g, NR_WRITE, &[w, msg, 16]), 16);
    let buf = g.alloc(32);
    assert_eq!(call(&g, NR_READ, &[r, buf, 32]), 16);
    assert_eq!(g.get(buf, 16), b"through the pipe");
    call(&g, NR_CLOSE, &[r]);
    call(&g, NR_CLOSE, &[w]);
}

#[test]
fn epoll_events_use_the_16_byte_guest_layout() {
    let g = MockGuest::new();
    let fds = g.alloc(8);
    assert_eq!(call(&g, NR_PIPE2, &[fds, 0]), 0);
    let (r, w) = (g.get_u32(fds) as u64, g.get_u32(fds + 4) as u64);
    let ep = call(&g, NR_EPOLL_CREATE1, &[0]);
    assert!(ep >= 0);
    let ev = g.put(emu_syscalls::abi::Pod::as_bytes(&EpollEvent {
        events: libc::EPOLLIN as u32,
        pad: 0,
        data: 0xdead_beef_cafe_f00d,
    }));
    assert_eq!(
        call(
            &g,
            NR_EPOLL_CTL,
            &[ep as u64, libc::EPOLL_CTL_ADD as u64, r, ev]
        ),
        0
    );
    let msg = g.put(b"x");
    assert_eq!(call(&g, NR_WRITE, &[w, msg, 1]), 1);
    let out = g.alloc(32);
    assert_eq!(
        call(&g, NR_EPOLL_PWAIT, &[ep as u64, out, 2, 1000, 0, 8]),
        1
    );
    assert_eq!(g.get_u32(out), libc::EPOLLIN as u32);
    assert_eq!(g.get_u64(out + 8), 0xdead_beef_cafe_f00d);
    for fd in [r, w, ep as u64] {
        call(&g, NR_CLOSE, &[fd]);
    }
}

#[test]
fn socketpair_sendmsg_recvmsg_pass_an_fd_with_scm_rights() {
    let g = MockGuest::new();
    let sv = g.alloc(8);
    assert_eq!(
        call(
            &g,
            NR_SOCKETPAIR,
            &[libc::AF_UNIX as u64, libc::SOCK_STREAM as u64, 0, sv]
        ),
        0
    );
    let (a, b) = (g.get_u32(sv) as u64, g.get_u32(sv + 4) as u64);

    // The fd to pass: a pipe whose read end we send.
    let fds = g.alloc(8);
    assert_eq!(call(&g, NR_PIPE2, &[fds, 0]), 0);
    let (pr, pw) = (g.get_u32(fds), g.get_u32(fds + 4));

    // sendmsg: one iovec "fd!", one SCM_RIGHTS control message.
    let data = g.put(b"fd!");
    let iov = g.put_u64s(&[data, 3]);
    let mut cmsg = Vec::new();
    cmsg.extend_from_slice(&20u64.to_ne_bytes()); // CMSG_LEN(4)
    cmsg.extend_from_slice(&libc::SOL_SOCKET.to_ne_bytes());
    cmsg.extend_from_slice(&libc::SCM_RIGHTS.to_ne_bytes());
    cmsg.extend_from_slice(&pr.to_ne_bytes());
    cmsg.extend_from_slice(&[0u8; 4]); // CMSG_SPACE(4) = 24
    let control = g.put(&cmsg);
    let msg = g.put_u64s(&[0, 0, iov, 1, control, 24, 0]);
    assert_eq!(call(&g, NR_SENDMSG, &[a, msg, 0]), 3);

    // recvmsg into fresh buffers.
    let rbuf = g.alloc(16);
    let riov = g.put_u64s(&[rbuf, 16]);
    let rcontrol = g.alloc(64);
    let rmsg = g.put_u64s(&[0, 0, riov, 1, rcontrol, 64, 0]);
    assert_eq!(
        call(&g, NR_RECVMSG, &[b, rmsg, libc::MSG_CMSG_CLOEXEC as u64]),
        3
    );
    assert_eq!(g.get(rbuf, 3), b"fd!");
    // msg_controllen was updated in the guest's msghdr.
    assert_eq!(g.get_u64(rmsg + 40), 24);
    assert_eq!(g.get_u64(rcontrol), 20);
    assert_eq!(g.get_u32(rcontrol + 8) as i32, libc::SOL_SOCKET);
    assert_eq!(g.get_u32(rcontrol + 12) as i32, libc::SCM_RIGHTS);
    let received = g.get_u32(rcontrol + 16) as u64;
    assert_ne!(received as u32, pr);

    // The received fd is the pipe's read end.
    let hello = g.put(b"via passed fd");
    assert_eq!(call(&g, NR_WRITE, &[pw as u64, hello, 13]), 13);
    let out = g.alloc(16);
    assert_eq!(call(&g, NR_READ, &[received, out, 16]), 13);
    assert_eq!(g.get(out, 13), b"via passed fd");
    for fd in [a, b, pr as u64, pw as u64, received] {
        call(&g, NR_CLOSE, &[fd]);
    }
}

#[test]
fn uname_reports_the_guest_machine() {
    let g = MockGuest::new();
    let buf = g.alloc(size_of::<Utsname>());
    assert_eq!(call(&g, NR_UNAME, &[buf]), 0);
    let bytes = g.get(buf, size_of::<Utsname>());
    let field = |i: usize| {
        let f = &bytes[i * 65..(i + 1) * 65];
        String::from_utf8(f[..f.iter().position(|&b| b == 0).unwrap()].to_vec()).unwrap()
    };
    assert_eq!(field(0), "Linux");
    assert_eq!(field(4), "riscv64");
    let mut host: libc::utsname = unsafe { std::mem::zeroed() };
    unsafe { libc::uname(&mut host) };
    let release = unsafe { std::ffi::CStr::from_ptr(host.release.as_ptr()) }
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(field(2), release);
}

#[test]
fn readlinkat_uses_emulated_links_first() {
    let g = MockGuest::new();
    let path = g.put_str("/proc/self/exe");
    let buf = g.alloc(64);
    assert_eq!(call(&g, NR_READLINKAT, &[AT_FDCWD, path, buf, 64]), 15);
    assert_eq!(g.get(buf, 15), b"/guest/bin/prog");
    // Truncated to the buffer, as readlink does.
    assert_eq!(call(&g, NR_READLINKAT, &[AT_FDCWD, path, buf, 4]), 4);
}

#[test]
fn rt_sigaction_keeps_the_riscv_layout_and_returns_the_old_action() {
    let g = MockGuest::new();
    // riscv64 struct sigaction: handler, flags, mask (no restorer).
    let act = g.put_u64s(&[0x1234_5678, libc::SA_SIGINFO as u64, 1 << 9]);
    let old = g.alloc(24);
    assert_eq!(
        call(&g, NR_RT_SIGACTION, &[libc::SIGUSR2 as u64, act, 0, 8]),
        0
    );
    assert_eq!(
        call(&g, NR_RT_SIGACTION, &[libc::SIGUSR2 as u64, 0, old, 8]),
        0
    );
    assert_eq!(g.get(old, 24), g.get(act, 24));
    let got = emu_syscalls::guest_sigaction(libc::SIGUSR2).unwrap();
    assert_eq!(
        (got.handler, got.flags),
        (0x1234_5678, libc::SA_SIGINFO as u64)
    );
    // Bad sigset size and SIGKILL are refused.
    assert_eq!(
        call(&g, NR_RT_SIGACTION, &[libc::SIGUSR2 as u64, act, 0, 16]),
        errno(libc::EINVAL)
    );
    assert_eq!(
        call(&g, NR_RT_SIGACTION, &[libc::SIGKILL as u64, act, 0, 8]),
        errno(libc::EINVAL)
    );
}

#[test]
fn aarch64_open_flags_are_translated_for_the_host() {
    let mut g = MockGuest::new();
    g.machine = "aarch64";
    let dir = temp_dir("arm64flags");
    let path = g.put_str(dir.to_str().unwrap());
    // aarch64 O_DIRECTORY is 040000 (the host's O_DIRECT).
    let fd = call(&g, NR_OPENAT, &[AT_FDCWD, path, 0o40000, 0]);
    assert!(fd >= 0, "openat: {fd}");
    let buf = g.alloc(1024);
    assert!(call(&g, NR_GETDENTS64, &[fd as u64, buf, 1024]) > 0);
    // F_GETFL reports the aarch64 O_LARGEFILE (0400000), not the host's (0100000).
    let fl = call(&g, NR_FCNTL, &[fd as u64, libc::F_GETFL as u64]);
    assert_eq!(fl & 0o400000, 0o400000);
    assert_eq!(fl & 0o100000, 0);
    call(&g, NR_CLOSE, &[fd as u64]);
}

#[test]
fn fork_like_clone_runs_the_child_and_wait4_reaps_it() {
    let g = MockGuest::new();
    let ctid = g.alloc(4);
    let flags = 0x0100_0000 | 0x0020_0000 | libc::SIGCHLD as u64; // CHILD_SETTID|CHILD_CLEARTID|SIGCHLD
    let r = call(&g, NR_CLONE, &[flags, 0, 0, 0, ctid]);
    if r == 0 {
        // The child (no allocation here: other test threads may hold malloc's lock).
        let mut tid = [0u8; 4];
        let read = emu_syscalls::Guest::read(&g, ctid, &mut tid).is_ok();
        let ok = read
            && i32::from_ne_bytes(tid) == unsafe { libc::gettid() }
            && emu_syscalls::clear_child_tid() == ctid;
        unsafe { libc::_exit(if ok { 42 } else { 1 }) };
    }
    assert!(r > 0, "clone: {r}");
    let status = g.alloc(4);
    assert_eq!(call(&g, NR_WAIT4, &[r as u64, status, 0, 0]), r);
    let st = g.get_u32(status) as i32;
    assert!(libc::WIFEXITED(st));
    assert_eq!(libc::WEXITSTATUS(st), 42);
    // glibc's pthread_create flags go to the core as a thread request.
    assert_eq!(
        dispatch(&g, NR_CLONE, [0x3d0f00, 0x7000, 0x6000, 0x5000, 0x4000, 0]),
        Outcome::NewThread(emu_syscalls::NewThread {
            flags: 0x3d0f00,
            stack: 0x7000,
            parent_tid: Some(0x6000),
            tls: Some(0x5000),
            child_tid: None,
            clear_child_tid: Some(0x4000),
        })
    );
    // clone3 asks the same through struct clone_args (stack as base + size).
    let args = g.put_u64s(&[0x3d0f00, 0, 0x4000, 0x6000, 0, 0x7000, 0x1000, 0x5000]);
    assert_eq!(
        dispatch(&g, 435, [args, 64, 0, 0, 0, 0]),
        Outcome::NewThread(emu_syscalls::NewThread {
            flags: 0x3d0f00,
            stack: 0x8000,
            parent_tid: Some(0x6000),
            tls: Some(0x5000),
            child_tid: None,
            clear_child_tid: Some(0x4000),
        })
    );
    assert_eq!(call(&g, 435, &[args, 63]), errno(libc::EINVAL));
    // Sharing memory without being a thread or a vfork: not supported.
    assert_eq!(
        call(&g, NR_CLONE, &[0x100 | libc::SIGCHLD as u64, 0, 0, 0, 0]),
        errno(libc::ENOSYS)
    );
}

#[test]
fn exit_group_and_execve_hand_over_to_the_core() {
    let mut g = MockGuest::new();
    g.strace = true;
    assert_eq!(
        dispatch(&g, NR_EXIT_GROUP, [3, 0, 0, 0, 0, 0]),
        Outcome::ExitGroup(3)
    );
    let path = g.put_str("/bin/true");
    let a0 = g.put_str("true");
    let a1 = g.put_str("--help");
    let e0 = g.put_str("A=1");
    let argv = g.put_u64s(&[a0, a1, 0]);
    let envp = g.put_u64s(&[e0, 0]);
    let out = dispatch(&g, NR_EXECVE, [path, argv, envp, 0, 0, 0]);
    let c = |s: &str| CString::new(s).unwrap();
    assert_eq!(
        out,
        Outcome::Execve {
            path: c("/bin/true"),
            argv: vec![c("true"), c("--help")],
            envp: vec![c("A=1")]
        }
    );
    let pid = std::process::id();
    let logs = g.logs.borrow();
    assert_eq!(logs[0], format!("{pid} exit_group(3) = ?"));
    assert_eq!(
        logs[1],
        format!("{pid} execve(\"/bin/true\", {argv:#x}, {envp:#x}) = ?")
    );
}

#[test]
fn rt_sigprocmask_mirrors_the_guest_mask_on_the_host_except_emulator_signals() {
    let g = MockGuest::new();
    let usr1 = 1u64 << (libc::SIGUSR1 - 1);
    let kill = 1u64 << (libc::SIGKILL - 1);
    let segv = 1u64 << (libc::SIGSEGV - 1);
    let set = g.put_u64s(&[usr1 | kill | segv]);
    let old = g.alloc(8);
    assert_eq!(call(&g, 135, &[libc::SIG_SETMASK as u64, set, 0, 8]), 0);
    assert_eq!(call(&g, 135, &[libc::SIG_BLOCK as u64, 0, old, 8]), 0);
    assert_eq!(g.get_u64(old), usr1 | segv, "SIGKILL cannot be blocked");
    assert_eq!(emu_syscalls::guest_sigmask(), usr1 | segv);
    // The host blocks what the guest blocks (the kernel then picks the
    // thread a signal goes to), but never the emulator's fault signals.
    let mut host: libc::sigset_t = unsafe { std::mem::zeroed() };
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut host) };
    assert_eq!(unsafe { libc::sigismember(&host, libc::SIGUSR1) }, 1);
    assert_eq!(unsafe { libc::sigismember(&host, libc::SIGSEGV) }, 0);
    assert_eq!(call(&g, 135, &[7, set, 0, 8]), errno(libc::EINVAL));
    let none = g.put_u64s(&[0]);
    assert_eq!(call(&g, 135, &[libc::SIG_SETMASK as u64, none, 0, 8]), 0);
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut host) };
    assert_eq!(unsafe { libc::sigismember(&host, libc::SIGUSR1) }, 0);
}

#[test]
fn sigaltstack_records_and_returns_the_stack() {
    let g = MockGuest::new();
    let old = g.alloc(24);
    assert_eq!(call(&g, 132, &[0, old]), 0);
    assert_eq!(g.get_u32(old + 8) as i32, 2, "SS_DISABLE initially");
    let ss = g.put_u64s(&[0x5000_0000, 0, 65536]);
    assert_eq!(call(&g, 132, &[ss, 0]), 0);
    assert_eq!(call(&g, 132, &[0, old]), 0);
    assert_eq!(g.get(old, 24), g.get(ss, 24));
    let tiny = g.put_u64s(&[0x5000_0000, 0, 100]);
    assert_eq!(call(&g, 132, &[tiny, 0]), errno(libc::ENOMEM));
}

#[test]
fn prctl_names_the_thread() {
    let g = MockGuest::new();
    let name = g.put_str("guest-thread-name-too-long");
    assert_eq!(call(&g, 167, &[libc::PR_SET_NAME as u64, name]), 0);
    let out = g.alloc(16);
    assert_eq!(call(&g, 167, &[libc::PR_GET_NAME as u64, out]), 0);
    assert_eq!(&g.get(out, 16)[..], b"guest-thread-na\0");
    assert_eq!(
        call(&g, 167, &[libc::PR_SET_MM as u64, 0]),
        errno(libc::EINVAL)
    );
}

#[test]
fn unknown_ioctls_are_enotty_and_logged_under_unimp() {
    let mut g = MockGuest::new();
    g.unimp = true;
    let fds = g.alloc(8);
    assert_eq!(call(&g, NR_PIPE2, &[fds, 0]), 0);
    let (r, w) = (g.get_u32(fds) as u64, g.get_u32(fds + 4) as u64);
    assert_eq!(call(&g, 29, &[r, 0x1234_5678, 0]), errno(libc::ENOTTY));
    assert_eq!(
        g.logs.borrow().as_slice(),
        ["Unsupported ioctl: cmd=0x12345678"]
    );
    // A known request on a pipe: the host answers.
    let msg = g.put(b"abc");
    call(&g, NR_WRITE, &[w, msg, 3]);
    let n = g.alloc(4);
    assert_eq!(call(&g, 29, &[r, libc::FIONREAD, n]), 0);
    assert_eq!(g.get_u32(n), 3);
    let ws = g.alloc(8);
    assert_eq!(
        call(&g, 29, &[r, libc::TIOCGWINSZ, ws]),
        errno(libc::ENOTTY)
    );
    call(&g, NR_CLOSE, &[r]);
    call(&g, NR_CLOSE, &[w]);
}

#[test]
fn ppoll_and_vectored_io() {
    let g = MockGuest::new();
    let fds = g.alloc(8);
    assert_eq!(call(&g, NR_PIPE2, &[fds, 0]), 0);
    let (r, w) = (g.get_u32(fds) as u64, g.get_u32(fds + 4) as u64);
    // Nothing to read yet: ppoll times out.
    let pfd = g.put(&[(r as i32).to_ne_bytes(), [1, 0, 0, 0]].concat());
    let tmo = g.put_u64s(&[0, 1_000_000]);
    assert_eq!(call(&g, 73, &[pfd, 1, tmo, 0, 8]), 0);
    // writev two pieces, then ppoll sees POLLIN.
    let (a, b) = (g.put(b"vec"), g.put(b"tored"));
    let iov = g.put_u64s(&[a, 3, b, 5]);
    assert_eq!(call(&g, 66, &[w, iov, 2]), 8);
    assert_eq!(call(&g, 73, &[pfd, 1, tmo, 0, 8]), 1);
    assert_eq!(g.get(pfd + 6, 2), [1, 0]);
    // readv splits them differently.
    let (x, y) = (g.alloc(2), g.alloc(16));
    let riov = g.put_u64s(&[x, 2, y, 16]);
    assert_eq!(call(&g, 65, &[r, riov, 2]), 8);
    assert_eq!(g.get(x, 2), b"ve");
    assert_eq!(g.get(y, 6), b"ctored");
    call(&g, NR_CLOSE, &[r]);
    call(&g, NR_CLOSE, &[w]);
}

#[test]
fn posix_spawn_style_clone_goes_to_the_core_as_a_vfork_child() {
    let g = MockGuest::new();
    let flags = 0x100 | 0x4000 | libc::SIGCHLD as u64; // CLONE_VM|CLONE_VFORK|SIGCHLD
    assert_eq!(
        dispatch(&g, NR_CLONE, [flags, 0x7000_1000, 0, 0, 0, 0]),
        Outcome::VforkChild(emu_syscalls::NewThread {
            flags,
            stack: 0x7000_1000,
            parent_tid: None,
            tls: None,
            child_tid: None,
            clear_child_tid: None,
        })
    );
}

#[test]
fn futex_operates_on_guest_words() {
    let g = MockGuest::new();
    let word = g.put(&5u32.to_ne_bytes());
    let private = 128u64;
    // FUTEX_WAIT with a stale value returns EAGAIN at once; WAKE finds nobody.
    assert_eq!(
        call(&g, 98, &[word, private, 4, 0, 0, 0]),
        errno(libc::EAGAIN)
    );
    assert_eq!(call(&g, 98, &[word, 1 | private, 1, 0, 0, 0]), 0);
    // A timed wait on the current value times out.
    let tmo = g.put_u64s(&[0, 1_000_000]);
    assert_eq!(
        call(&g, 98, &[word, private, 5, tmo, 0, 0]),
        errno(libc::ETIMEDOUT)
    );
}

#[test]
fn emulator_owned_rlimits_are_accepted_but_not_applied() {
    let g = MockGuest::new();
    let old = g.alloc(16);
    assert_eq!(call(&g, 261, &[0, libc::RLIMIT_STACK as u64, 0, old]), 0);
    let before = (g.get_u64(old), g.get_u64(old + 8));
    let new = g.put_u64s(&[4096 * 64, before.1.min(4096 * 64)]);
    assert_eq!(call(&g, 261, &[0, libc::RLIMIT_STACK as u64, new, 0]), 0);
    assert_eq!(call(&g, 163, &[libc::RLIMIT_STACK as u64, old]), 0);
    assert_eq!((g.get_u64(old), g.get_u64(old + 8)), before);
    let bad = g.put_u64s(&[10, 5]);
    assert_eq!(
        call(&g, 261, &[0, libc::RLIMIT_STACK as u64, bad, 0]),
        errno(libc::EINVAL)
    );
}

#[test]
fn execve_of_proc_self_exe_runs_the_guest_program() {
    let g = MockGuest::new();
    let path = g.put_str("/proc/self/exe");
    let a0 = g.put_str("tr");
    let argv = g.put_u64s(&[a0, 0]);
    let out = dispatch(&g, NR_EXECVE, [path, argv, 0, 0, 0, 0]);
    let c = |s: &str| CString::new(s).unwrap();
    assert_eq!(
        out,
        Outcome::Execve {
            path: c("/guest/bin/prog"),
            argv: vec![c("tr")],
            envp: vec![]
        }
    );
}

#[test]
fn strace_of_a_fork_prints_each_side_with_its_own_pid() {
    let mut g = MockGuest::new();
    g.strace = true;
    let r = call(&g, NR_CLONE, &[libc::SIGCHLD as u64, 0, 0, 0, 0]);
    if r == 0 {
        // The child's line was logged in the child's copy of the mock: check it there.
        let ok = g.logs.borrow().last().is_some_and(|l| {
            l.starts_with(&format!("{} clone(", std::process::id())) && l.ends_with(") = 0")
        });
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let status = g.alloc(4);
    assert_eq!(call(&g, NR_WAIT4, &[r as u64, status, 0, 0]), r);
    assert_eq!(libc::WEXITSTATUS(g.get_u32(status) as i32), 0);
    assert_eq!(
        g.logs.borrow()[0],
        format!(
            "{} clone(0x11, NULL, NULL, NULL, NULL) = {r}",
            std::process::id()
        )
    );
}

#[test]
fn openat2_translates_open_how_flags() {
    let mut g = MockGuest::new();
    g.machine = "aarch64";
    g.strace = true;
    let dir = temp_dir("openat2");
    let path = g.put_str(dir.to_str().unwrap());
    // aarch64 O_DIRECTORY (040000) | O_CLOEXEC, mode 0, resolve 0.
    let how = g.put_u64s(&[0o40000 | libc::O_CLOEXEC as u64, 0, 0]);
    let fd = call(&g, 437, &[AT_FDCWD, path, how, 24]);
    assert!(fd >= 0, "openat2: {fd}");
    let buf = g.alloc(1024);
    assert!(call(&g, NR_GETDENTS64, &[fd as u64, buf, 1024]) > 0);
    // A too-small struct is refused; ioctl requests are named in -strace.
    assert_eq!(
        call(&g, 437, &[AT_FDCWD, path, how, 16]),
        errno(libc::EINVAL)
    );
    let ws = g.alloc(8);
    assert_eq!(
        call(&g, 29, &[fd as u64, libc::TIOCGWINSZ, ws]),
        errno(libc::ENOTTY)
    );
    let last = g.logs.borrow().last().unwrap().clone();
    assert_eq!(
        last,
        format!(
            "{} ioctl({fd}, TIOCGWINSZ, {ws:#x}) = -1 ENOTTY (Inappropriate ioctl for device)",
            std::process::id()
        )
    );
    call(&g, NR_CLOSE, &[fd as u64]);
}
