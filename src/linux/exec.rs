//! `execve` for the guest: a foreign ELF of our architecture re-runs under
//! this emulator with the same options (no binfmt_misc needed; where the
//! emulator cannot be reached, as in a chroot, the kernel's binfmt_misc
//! gets the program), `#!` scripts
//! have their interpreter looked up under `-L` first, and host-native
//! programs are executed directly, as on a real system.

use super::Process;
use emu_loader::{self as loader, FileKind};
use std::ffi::{CStr, CString, OsStr};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Replaces the process image; returns only with an errno on failure.
pub fn execve(process: &Process, path: &CStr, argv: &[CString], envp: &[CString]) -> i32 {
    exec_depth(process, path, argv.to_vec(), envp, 0)
}

fn errno_of(e: &std::io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

fn exec_depth(
    process: &Process,
    path: &CStr,
    argv: Vec<CString>,
    envp: &[CString],
    depth: u32,
) -> i32 {
    if depth > 4 {
        return libc::ELOOP;
    }
    let host = process
        .opts
        .host_path(Path::new(OsStr::from_bytes(path.to_bytes())));
    let Ok(host_c) = CString::new(host.as_os_str().as_bytes()) else {
        return libc::ENOENT;
    };
    // SAFETY: access() with a valid C string.
    if unsafe { libc::access(host_c.as_ptr(), libc::X_OK) } != 0 {
        return std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EACCES);
    }
    let mut head = vec![0u8; 256];
    let n = match std::fs::File::open(&host).and_then(|mut f| f.read(&mut head)) {
        Ok(n) => n,
        Err(e) => return errno_of(&e),
    };
    head.truncate(n);
    match loader::identify(&head) {
        FileKind::Script { interpreter, arg } => {
            let Ok(interp) = CString::new(interpreter) else {
                return libc::ENOEXEC;
            };
            let mut new_argv = vec![interp.clone()];
            new_argv.extend(arg.and_then(|a| CString::new(a).ok()));
            new_argv.push(path.to_owned());
            new_argv.extend(argv.into_iter().skip(1));
            exec_depth(process, &interp, new_argv, envp, depth + 1)
        }
        FileKind::Elf => {
            let ours =
                loader::elf_machine(&head) == Ok((loader::Class::Elf64, process.elf_machine));
            if ours {
                let mut args: Vec<CString> =
                    vec![CString::new(process.emulator.as_os_str().as_bytes()).unwrap_or_default()];
                args.extend(
                    process
                        .opts
                        .forward
                        .iter()
                        .filter_map(|a| CString::new(a.as_str()).ok()),
                );
                if let Some(a0) = argv.first() {
                    args.push(c"-0".to_owned());
                    args.push(a0.clone());
                }
                args.push(c"--".to_owned());
                args.push(host_c.clone());
                args.extend(argv.iter().skip(1).cloned());
                match host_execve(&args[0], &args, envp) {
                    // The emulator is out of reach (a chroot that binfmt_misc
                    // serves with a fixed interpreter): leave it to the kernel.
                    libc::ENOENT | libc::EACCES => host_execve(&host_c, &argv, envp),
                    err => err,
                }
            } else {
                host_execve(&host_c, &argv, envp)
            }
        }
        FileKind::MachO | FileKind::Unknown => libc::ENOEXEC,
    }
}

fn host_execve(path: &CStr, argv: &[CString], envp: &[CString]) -> i32 {
    let mut a: Vec<*const libc::c_char> = argv.iter().map(|s| s.as_ptr()).collect();
    a.push(std::ptr::null());
    let mut e: Vec<*const libc::c_char> = envp.iter().map(|s| s.as_ptr()).collect();
    e.push(std::ptr::null());
    // SAFETY: NULL-terminated arrays of valid C strings that outlive the call.
    unsafe { libc::execve(path.as_ptr(), a.as_ptr(), e.as_ptr()) };
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::ENOEXEC)
}
