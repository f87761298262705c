//! A `Guest` for tests: guest memory is one host buffer at a fixed guest base
//! address, log lines are collected, paths map to themselves.

#![allow(dead_code)]

use emu_syscalls::{Errno, Guest, SysResult};
use std::cell::{Cell, RefCell, UnsafeCell};
use std::ffi::{CStr, CString};

pub const BASE: u64 = 0x1_0000_0000;
pub const SIZE: usize = 1 << 20;

pub struct MockGuest {
    mem: Box<[UnsafeCell<u8>]>,
    next: Cell<u64>,
    pub logs: RefCell<Vec<String>>,
    pub strace: bool,
    pub unimp: bool,
    pub machine: &'static str,
    pub child_sp: Cell<u64>,
}

impl MockGuest {
    pub fn new() -> MockGuest {
        MockGuest {
            mem: (0..SIZE).map(|_| UnsafeCell::new(0)).collect(),
            next: Cell::new(BASE + 0x1000),
            logs: RefCell::new(Vec::new()),
            strace: false,
            unimp: false,
            machine: "riscv64",
            child_sp: Cell::new(0),
        }
    }

    fn host(&self, addr: u64, len: u64) -> Result<*mut u8, Errno> {
        let off = addr.checked_sub(BASE).ok_or(libc::EFAULT)?;
        if off.checked_add(len).is_none_or(|end| end > SIZE as u64) {
            return Err(libc::EFAULT);
        }
        Ok(self.mem[off as usize].get())
    }

    /// Reserves `len` zeroed bytes (8-aligned) and returns their guest address.
    pub fn alloc(&self, len: usize) -> u64 {
        let at = self.next.get();
        self.next.set((at + len as u64 + 7) & !7);
        assert!(
            self.next.get() < BASE + SIZE as u64,
            "mock guest memory exhausted"
        );
        at
    }

    /// Copies bytes into fresh guest memory.
    pub fn put(&self, data: &[u8]) -> u64 {
        let at = self.alloc(data.len());
        self.write(at, data).unwrap();
        at
    }

    /// A NUL-terminated string in guest memory.
    pub fn put_str(&self, s: &str) -> u64 {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.put(&v)
    }

    pub fn get(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        self.read(addr, &mut v).unwrap();
        v
    }

    pub fn get_u32(&self, addr: u64) -> u32 {
        u32::from_ne_bytes(self.get(addr, 4).try_into().unwrap())
    }

    pub fn get_u64(&self, addr: u64) -> u64 {
        u64::from_ne_bytes(self.get(addr, 8).try_into().unwrap())
    }

    pub fn put_u64s(&self, vals: &[u64]) -> u64 {
        let bytes: Vec<u8> = vals.iter().flat_map(|v| v.to_ne_bytes()).collect();
        self.put(&bytes)
    }
}

impl Guest for MockGuest {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), Errno> {
        let p = self.host(addr, buf.len() as u64)?;
        // SAFETY: bounds checked above; the cells allow shared mutation.
        unsafe { std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        let p = self.host(addr, data.len() as u64)?;
        // SAFETY: as above.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
        Ok(())
    }
    fn read_cstr(&self, addr: u64, max: usize) -> Result<CString, Errno> {
        let mut out = Vec::new();
        for i in 0..max as u64 {
            let mut b = [0u8];
            self.read(addr + i, &mut b)?;
            if b[0] == 0 {
                return Ok(CString::new(out).unwrap());
            }
            out.push(b[0]);
        }
        Err(libc::ENAMETOOLONG)
    }
    fn host_ptr(&self, addr: u64, len: u64) -> Result<*mut u8, Errno> {
        self.host(addr, len)
    }
    fn mmap(
        &self,
        _addr: u64,
        _len: u64,
        _prot: i32,
        _flags: i32,
        _fd: i32,
        _offset: u64,
    ) -> SysResult {
        Err(libc::ENOMEM)
    }
    fn munmap(&self, _addr: u64, _len: u64) -> SysResult {
        Ok(0)
    }
    fn mprotect(&self, _addr: u64, _len: u64, _prot: i32) -> SysResult {
        Ok(0)
    }
    fn mremap(&self, _o: u64, _ol: u64, _nl: u64, _f: i32, _n: u64) -> SysResult {
        Err(libc::ENOMEM)
    }
    fn brk(&self, addr: u64) -> u64 {
        addr
    }
    fn madvise(&self, _addr: u64, _len: u64, _advice: i32) -> SysResult {
        Ok(0)
    }
    fn host_path(&self, path: &CStr) -> CString {
        path.to_owned()
    }
    fn open_emulated(&self, _dirfd: i32, _path: &CStr, _flags: i32) -> Option<Result<i32, Errno>> {
        None
    }
    fn readlink_emulated(&self, _dirfd: i32, path: &CStr) -> Option<Vec<u8>> {
        (path.to_bytes() == b"/proc/self/exe").then(|| b"/guest/bin/prog".to_vec())
    }
    fn flush_icache(&self, _start: u64, _end: u64) {}
    fn machine(&self) -> &'static str {
        self.machine
    }
    fn strace(&self) -> bool {
        self.strace
    }
    fn log_unimp(&self) -> bool {
        self.unimp
    }
    fn log(&self, line: &str) {
        self.logs.borrow_mut().push(line.to_string());
    }
    fn set_child_stack(&self, sp: u64) {
        self.child_sp.set(sp);
    }
    fn fork(&self) -> i32 {
        // SAFETY: fork(); the test's child only returns from the syscall.
        unsafe { libc::fork() }
    }
}

/// A fresh, empty host directory for one test.
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("emu-syscalls-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
