//! Emulated files: what the guest must see differently from the host's
//! /proc (its own program, memory map, auxv and command line, and a CPU of
//! its architecture). Contents are generated into a memfd.

use super::Process;
use std::ffi::CStr;
use std::io::Write;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::os::unix::ffi::OsStrExt;

/// The per-process file a `/proc/self/…`, `/proc/<our pid>/…` or
/// `/proc/thread-self/…` path names, if it is one we emulate.
fn self_entry(path: &[u8]) -> Option<&[u8]> {
    let rest = path.strip_prefix(b"/proc/")?;
    let slash = rest.iter().position(|&c| c == b'/')?;
    let (who, file) = (&rest[..slash], &rest[slash + 1..]);
    let ours =
        who == b"self" || who == b"thread-self" || who == std::process::id().to_string().as_bytes();
    ours.then_some(file)
}

/// A read-only fd holding `data`, positioned at 0.
fn memfd_with(data: &[u8]) -> Result<i32, i32> {
    // SAFETY: memfd_create with a static name; the fd is owned by the File below.
    let fd = unsafe { libc::memfd_create(c"emu-proc".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO));
    }
    // SAFETY: fd was just created and is ours.
    let mut f = unsafe { std::fs::File::from_raw_fd(fd) };
    f.write_all(data)
        .map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
    // SAFETY: plain lseek on our fd.
    unsafe { libc::lseek(fd, 0, libc::SEEK_SET) };
    let fd = f.into_raw_fd();
    // The guest decides close-on-exec through its open flags.
    // SAFETY: fcntl on our fd.
    unsafe { libc::fcntl(fd, libc::F_SETFD, 0) };
    Ok(fd)
}

impl Process {
    /// Contents of an emulated per-process file, if `file` is one.
    fn self_file(&self, file: &[u8]) -> Option<Vec<u8>> {
        Some(match file {
            b"maps" => self.space.proc_maps().into_bytes(),
            b"auxv" => self
                .auxv
                .iter()
                .flat_map(|&(k, v)| [k.to_le_bytes(), v.to_le_bytes()])
                .flatten()
                .collect(),
            b"cmdline" => self
                .argv
                .iter()
                .flat_map(|a| a.iter().copied().chain([0]))
                .collect(),
            _ => return None,
        })
    }

    pub fn open_emulated(&self, path: &CStr, flags: i32) -> Option<Result<i32, i32>> {
        let path = path.to_bytes();
        if path == b"/proc/cpuinfo" {
            let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
            return Some(memfd_with((self.cpuinfo)(cpus).as_bytes()));
        }
        let file = self_entry(path)?;
        if file == b"exe" {
            let c = std::ffi::CString::new(self.exe.as_os_str().as_bytes()).ok()?;
            // SAFETY: open with a valid C string.
            let fd = unsafe { libc::open(c.as_ptr(), flags & !libc::O_CREAT, 0) };
            return Some(if fd < 0 {
                Err(std::io::Error::last_os_error()
                    .raw_os_error()
                    .unwrap_or(libc::EIO))
            } else {
                Ok(fd)
            });
        }
        self.self_file(file).map(|data| memfd_with(&data))
    }

    pub fn readlink_emulated(&self, path: &CStr) -> Option<Vec<u8>> {
        (self_entry(path.to_bytes())? == b"exe").then(|| self.exe.as_os_str().as_bytes().to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_own_proc_paths_only() {
        let me = format!("/proc/{}/maps", std::process::id());
        assert_eq!(self_entry(me.as_bytes()), Some(&b"maps"[..]));
        assert_eq!(self_entry(b"/proc/self/exe"), Some(&b"exe"[..]));
        assert_eq!(self_entry(b"/proc/thread-self/auxv"), Some(&b"auxv"[..]));
        assert_eq!(self_entry(b"/proc/1/maps"), None);
        assert_eq!(self_entry(b"/proc/self"), None);
        assert_eq!(self_entry(b"/etc/passwd"), None);
    }
}
