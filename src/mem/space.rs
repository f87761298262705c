//! `AddressSpace`: the guest address space as one host reservation at
//! `guest_base` (guest address = host address - guest_base), the guest
//! mmap/munmap/mprotect/mremap/brk/madvise syscalls on it, and fault-safe
//! copies in and out. The VMA map (`vma.rs`) is kept equal to the host
//! mappings in every path; free guest ranges are always the `PROT_NONE`
//! reservation, never a host hole (a hole would let the emulator's own
//! allocations land inside guest space).
//!
//! Host protection equals guest protection except that guest `PROT_EXEC` is
//! never given to the host (guest code is only read by the translator) and
//! implies host `PROT_READ`.

use std::ffi::{c_void, CString};
use std::os::fd::AsRawFd;
use std::sync::{Mutex, MutexGuard};

use super::fault::guarded;
use super::vma::{Backing, Vma, VmaMap, PAGE_SIZE};

/// Default guest space: Sv39's 256 GiB user half.
pub const GUEST_SPACE_SIZE: u64 = 1 << 38;
/// Guest addresses below this are never mapped (NULL dereferences fault).
pub const MMAP_MIN_ADDR: u64 = 0x10000;
/// Distance between the stack top and `mmap_base` (Linux's minimum gap).
pub const MMAP_STACK_GAP: u64 = 128 << 20;

const PAGE_MASK: u64 = PAGE_SIZE - 1;
const HOST_ALIGN: usize = 2 << 20;

// Generic (asm-generic) mmap ABI values: riscv64 and aarch64 use these, and
// so does the x86-64 host.
const MAP_TYPE: i32 = 0x0f;
const MAP_SHARED: i32 = 0x01;
const MAP_PRIVATE: i32 = 0x02;
const MAP_SHARED_VALIDATE: i32 = 0x03;
const MAP_FIXED: i32 = 0x10;
const MAP_ANONYMOUS: i32 = 0x20;
const MAP_GROWSDOWN: i32 = 0x0100;
const MAP_DENYWRITE: i32 = 0x0800;
const MAP_EXECUTABLE: i32 = 0x1000;
const MAP_LOCKED: i32 = 0x2000;
const MAP_NORESERVE: i32 = 0x4000;
const MAP_POPULATE: i32 = 0x8000;
const MAP_NONBLOCK: i32 = 0x10000;
const MAP_STACK: i32 = 0x20000;
const MAP_HUGETLB: i32 = 0x40000;
const MAP_SYNC: i32 = 0x80000;
const MAP_FIXED_NOREPLACE: i32 = 0x100000;
const MAP_UNINITIALIZED: i32 = 0x4000000;
const MAP_HUGE_MASK: i32 = 0x3f << 26;
/// Flags handed to the host as they are.
const MAP_PASS: i32 = MAP_TYPE
    | MAP_ANONYMOUS
    | MAP_DENYWRITE
    | MAP_EXECUTABLE
    | MAP_LOCKED
    | MAP_NORESERVE
    | MAP_POPULATE
    | MAP_NONBLOCK
    | MAP_STACK
    | MAP_SYNC;
/// What MAP_SHARED_VALIDATE accepts (LEGACY_MAP_MASK | MAP_SYNC | NOREPLACE).
const MAP_VALIDATE_KNOWN: i32 = MAP_PASS
    | MAP_FIXED
    | MAP_UNINITIALIZED
    | MAP_GROWSDOWN
    | MAP_HUGETLB
    | MAP_HUGE_MASK
    | MAP_FIXED_NOREPLACE;

const PROT_RWX: i32 = libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC;
const PROT_SEM: i32 = 0x8;
const PROT_GROWSDOWN: i32 = 0x0100_0000;
const PROT_GROWSUP: i32 = 0x0200_0000;

const MREMAP_MAYMOVE: i32 = 1;
const MREMAP_FIXED: i32 = 2;
const MREMAP_DONTUNMAP: i32 = 4;

const EXEC_CHANGES_MAX: usize = 1024;

struct Inner {
    vmas: VmaMap,
    brk_start: u64,
    brk: u64,
    mmap_base: u64,
    /// Guest ranges whose executable contents went away or changed protection.
    exec_changes: Vec<(u64, u64)>,
}

impl Inner {
    fn note_exec(&mut self, removed: &[Vma]) {
        for v in removed {
            if v.prot & libc::PROT_EXEC != 0 {
                self.push_exec(v.start, v.end);
            }
        }
    }

    /// Record a changed code range; past `EXEC_CHANGES_MAX` unread entries
    /// the log collapses to one "everything" range so it stays bounded.
    fn push_exec(&mut self, start: u64, end: u64) {
        if self.exec_changes.first() == Some(&(0, u64::MAX)) {
            return;
        }
        if self.exec_changes.len() >= EXEC_CHANGES_MAX {
            self.exec_changes.clear();
            self.exec_changes.push((0, u64::MAX));
            return;
        }
        self.exec_changes.push((start, end));
    }

    fn remove(&mut self, start: u64, end: u64) {
        let removed = self.vmas.remove_range(start, end);
        self.note_exec(&removed);
    }
}

/// The guest address space. All methods take `&self`; the VMA map and the
/// host mappings change together under one lock.
pub struct AddressSpace {
    base: usize,
    size: u64,
    inner: Mutex<Inner>,
}

fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE_MASK).map(|v| v & !PAGE_MASK)
}

fn host_prot(prot: i32) -> i32 {
    let mut p = prot & (libc::PROT_READ | libc::PROT_WRITE);
    if prot & libc::PROT_EXEC != 0 {
        p |= libc::PROT_READ;
    }
    p
}

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EINVAL)
}

fn file_backing(fd: i32, offset: u64, path: Option<&str>) -> Result<Backing, i32> {
    // SAFETY: plain fstat into a zeroed struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        return Err(libc::EBADF);
    }
    let path = match path {
        Some(p) => p.to_string(),
        None => std::fs::read_link(format!("/proc/self/fd/{fd}"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    Ok(Backing::File {
        path,
        dev_major: libc::major(st.st_dev),
        dev_minor: libc::minor(st.st_dev),
        inode: st.st_ino,
        offset,
    })
}

fn is_dev_zero(fd: i32) -> bool {
    // SAFETY: plain fstat into a zeroed struct.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::fstat(fd, &mut st) } == 0;
    ok && st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == libc::makedev(1, 5)
}

impl AddressSpace {
    /// Reserve `size` bytes (page multiple) of host address space for the guest.
    pub fn new(size: u64) -> std::io::Result<AddressSpace> {
        AddressSpace::new_at(size, None)
    }

    /// Like [`AddressSpace::new`], with guest_base at host address `base`
    /// (`-B`) when given: page aligned, and the range must be free.
    pub fn new_at(size: u64, base: Option<u64>) -> std::io::Result<AddressSpace> {
        if size == 0 || size & PAGE_MASK != 0 || size <= MMAP_MIN_ADDR {
            return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
        }
        if let Some(b) = base {
            if b == 0 || b & PAGE_MASK != 0 {
                return Err(std::io::Error::from_raw_os_error(libc::EINVAL));
            }
        }
        let want = match base {
            Some(_) => size as usize,
            None => size as usize + HOST_ALIGN,
        };
        let (hint, fixed) = match base {
            Some(b) => (b as *mut c_void, libc::MAP_FIXED_NOREPLACE),
            None => (std::ptr::null_mut(), 0),
        };
        // SAFETY: a fresh PROT_NONE reservation; we own it until Drop.
        let raw = unsafe {
            libc::mmap(
                hint,
                want,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | fixed,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        // Align guest_base to 2 MiB so guest huge-page-aligned ranges are
        // host huge-page-aligned too; trim the slack (outside guest space).
        let raw = raw as usize;
        let base = if base.is_some() {
            raw
        } else {
            raw.next_multiple_of(HOST_ALIGN)
        };
        // SAFETY: unmapping only the slack of our own reservation.
        unsafe {
            if base > raw {
                libc::munmap(raw as *mut c_void, base - raw);
            }
            let tail = base + size as usize;
            if raw + want > tail {
                libc::munmap(tail as *mut c_void, raw + want - tail);
            }
        }
        Ok(AddressSpace {
            base,
            size,
            inner: Mutex::new(Inner {
                vmas: VmaMap::new(),
                brk_start: 0,
                brk: 0,
                mmap_base: size,
                exec_changes: Vec::new(),
            }),
        })
    }

    /// `guest_base`: host address of guest address 0.
    pub fn base(&self) -> *mut u8 {
        self.base as *mut u8
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Host pointer for `addr..addr+len`, or None if the range leaves the space.
    pub fn host_ptr(&self, addr: u64, len: u64) -> Option<*mut u8> {
        let end = addr.checked_add(len)?;
        (end <= self.size).then(|| (self.base + addr as usize) as *mut u8)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `fork` (a host fork) with the map's lock held, so the child
    /// does not inherit it held by a thread it does not have.
    pub fn around_fork(&self, fork: impl FnOnce() -> i32) -> i32 {
        let _held = self.lock();
        fork()
    }

    fn hp(&self, addr: u64) -> *mut c_void {
        (self.base + addr as usize) as *mut c_void
    }

    /// Host `mmap(MAP_FIXED)` at guest `addr`.
    fn host_map(
        &self,
        addr: u64,
        len: u64,
        prot: i32,
        flags: i32,
        fd: i32,
        off: u64,
    ) -> Result<(), i32> {
        // SAFETY: the target lies inside our reservation (callers check bounds).
        let r = unsafe {
            libc::mmap(
                self.hp(addr),
                len as usize,
                prot,
                flags | libc::MAP_FIXED,
                fd,
                off as libc::off_t,
            )
        };
        if r == libc::MAP_FAILED {
            return Err(errno());
        }
        debug_assert_eq!(r, self.hp(addr));
        Ok(())
    }

    /// Put the PROT_NONE reservation back over `[addr, addr+len)`.
    fn reserve(&self, addr: u64, len: u64) -> Result<(), i32> {
        if len == 0 {
            return Ok(());
        }
        self.host_map(
            addr,
            len,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    }

    /// Re-reserve a range that is a host hole for a moment. NOREPLACE: if
    /// another thread's host allocation raced into the hole, clobbering it
    /// would corrupt the emulator, so stop loudly instead.
    fn refill_hole(&self, addr: u64, len: u64) {
        // SAFETY: NOREPLACE never replaces an existing host mapping.
        let r = unsafe {
            libc::mmap(
                self.hp(addr),
                len as usize,
                libc::PROT_NONE,
                libc::MAP_PRIVATE
                    | libc::MAP_ANONYMOUS
                    | libc::MAP_NORESERVE
                    | libc::MAP_FIXED_NOREPLACE,
                -1,
                0,
            )
        };
        if r != self.hp(addr) {
            panic!(
                "emu: guest range {addr:#x}+{len:#x} lost to a host mapping during mremap ({})",
                std::io::Error::last_os_error()
            );
        }
    }

    fn find_free_locked(&self, inner: &Inner, len: u64, align: u64) -> Option<u64> {
        let base = inner.mmap_base.min(self.size);
        inner
            .vmas
            .find_free_topdown(len, align, MMAP_MIN_ADDR, base)
            .or_else(|| {
                inner
                    .vmas
                    .find_free_topdown(len, align, base.max(MMAP_MIN_ADDR), self.size)
            })
    }

    /// A free, `align`-aligned guest range of `len` bytes: top-down below
    /// `mmap_base` like Linux, then above it.
    pub fn find_free(&self, len: u64, align: u64) -> Option<u64> {
        let len = page_up(len)?;
        let align = align.max(PAGE_SIZE).checked_next_power_of_two()?;
        self.find_free_locked(&self.lock(), len, align)
    }

    /// Tell the allocator where the stack is: `mmap_base` goes
    /// `MMAP_STACK_GAP` below it.
    pub fn set_stack_top(&self, top: u64) {
        let base = top.saturating_sub(MMAP_STACK_GAP) & !PAGE_MASK;
        self.lock().mmap_base = base.max(MMAP_MIN_ADDR);
    }

    /// The guest `mmap` syscall.
    pub fn mmap(
        &self,
        addr: u64,
        len: u64,
        prot: i32,
        flags: i32,
        fd: i32,
        offset: u64,
    ) -> Result<u64, i32> {
        let map_type = flags & MAP_TYPE;
        if map_type != MAP_SHARED && map_type != MAP_PRIVATE && map_type != MAP_SHARED_VALIDATE {
            return Err(libc::EINVAL);
        }
        if map_type == MAP_SHARED_VALIDATE && flags & !MAP_VALIDATE_KNOWN != 0 {
            return Err(libc::EOPNOTSUPP);
        }
        if offset & PAGE_MASK != 0 || len == 0 {
            return Err(libc::EINVAL);
        }
        let len = page_up(len).ok_or(libc::ENOMEM)?;
        if len > self.size {
            return Err(libc::ENOMEM);
        }
        if offset.checked_add(len).is_none() {
            return Err(libc::EOVERFLOW);
        }
        let noreplace = flags & MAP_FIXED_NOREPLACE != 0;
        let fixed = noreplace || flags & MAP_FIXED != 0;
        if fixed {
            if addr & PAGE_MASK != 0 {
                return Err(libc::EINVAL);
            }
            if addr > self.size - len {
                return Err(libc::ENOMEM);
            }
            if addr < MMAP_MIN_ADDR {
                return Err(libc::EPERM);
            }
        }
        let anonymous = flags & MAP_ANONYMOUS != 0;
        let shared = map_type != MAP_PRIVATE;
        let backing = if anonymous {
            if shared {
                Backing::File {
                    path: "/dev/zero (deleted)".into(),
                    dev_major: 0,
                    dev_minor: 1,
                    inode: 0,
                    offset: 0,
                }
            } else {
                Backing::Anon(None)
            }
        } else if !shared && is_dev_zero(fd) {
            Backing::Anon(None)
        } else {
            file_backing(fd, offset, None)?
        };

        let mut inner = self.lock();
        let start = if noreplace {
            if !inner.vmas.is_free(addr, addr + len) {
                return Err(libc::EEXIST);
            }
            addr
        } else if fixed {
            addr
        } else {
            let hint = page_up(addr).unwrap_or(0);
            let hint = if hint != 0 && hint < MMAP_MIN_ADDR {
                MMAP_MIN_ADDR
            } else {
                hint
            };
            if hint != 0 && hint <= self.size - len && inner.vmas.is_free(hint, hint + len) {
                hint
            } else {
                self.find_free_locked(&inner, len, PAGE_SIZE)
                    .ok_or(libc::ENOMEM)?
            }
        };
        let host_flags = flags & MAP_PASS;
        let (fd, off) = if anonymous { (-1, 0) } else { (fd, offset) };
        self.host_map(start, len, host_prot(prot), host_flags, fd, off)?;
        inner.remove(start, start + len);
        inner.vmas.insert(Vma {
            start,
            end: start + len,
            prot: prot & PROT_RWX,
            shared,
            backing,
        });
        Ok(start)
    }

    /// Check a fixed `[addr, addr+len)` request; returns the page-rounded end.
    fn fixed_range(&self, addr: u64, len: u64) -> Result<u64, i32> {
        if addr & PAGE_MASK != 0 || len == 0 {
            return Err(libc::EINVAL);
        }
        let len = page_up(len).ok_or(libc::ENOMEM)?;
        match addr.checked_add(len) {
            Some(end) if end <= self.size => Ok(end),
            _ => Err(libc::ENOMEM),
        }
    }

    /// Private anonymous fixed mapping for the core (stack, bss), replacing
    /// whatever was there; `label` is the /proc/self/maps name (`[stack]`).
    pub fn map_fixed_anon(
        &self,
        addr: u64,
        len: u64,
        prot: i32,
        label: Option<&str>,
    ) -> Result<(), i32> {
        let end = self.fixed_range(addr, len)?;
        let mut inner = self.lock();
        self.host_map(
            addr,
            end - addr,
            host_prot(prot),
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )?;
        inner.remove(addr, end);
        inner.vmas.insert(Vma {
            start: addr,
            end,
            prot: prot & PROT_RWX,
            shared: false,
            backing: Backing::Anon(label.map(str::to_string)),
        });
        Ok(())
    }

    /// `MAP_PRIVATE|MAP_FIXED` file mapping for ELF segments, named `path`.
    pub fn map_file(
        &self,
        addr: u64,
        len: u64,
        prot: i32,
        file: &std::fs::File,
        offset: u64,
        path: &str,
    ) -> Result<(), i32> {
        if offset & PAGE_MASK != 0 {
            return Err(libc::EINVAL);
        }
        let end = self.fixed_range(addr, len)?;
        let fd = file.as_raw_fd();
        let backing = file_backing(fd, offset, Some(path))?;
        let mut inner = self.lock();
        self.host_map(
            addr,
            end - addr,
            host_prot(prot),
            libc::MAP_PRIVATE,
            fd,
            offset,
        )?;
        inner.remove(addr, end);
        inner.vmas.insert(Vma {
            start: addr,
            end,
            prot: prot & PROT_RWX,
            shared: false,
            backing,
        });
        Ok(())
    }

    /// The guest `munmap` syscall: the range goes back to the reservation.
    pub fn munmap(&self, addr: u64, len: u64) -> Result<(), i32> {
        if addr & PAGE_MASK != 0 || len == 0 {
            return Err(libc::EINVAL);
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .filter(|&e| e <= self.size)
            .ok_or(libc::EINVAL)?;
        let mut inner = self.lock();
        if inner.vmas.is_free(addr, end) {
            return Ok(());
        }
        self.reserve(addr, end - addr)?;
        inner.remove(addr, end);
        Ok(())
    }

    /// The guest `mprotect` syscall (splits and merges VMAs like Linux).
    pub fn mprotect(&self, addr: u64, len: u64, prot: i32) -> Result<(), i32> {
        let grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
        if grows == PROT_GROWSDOWN | PROT_GROWSUP {
            return Err(libc::EINVAL);
        }
        let prot = prot & !grows;
        if addr & PAGE_MASK != 0 || prot & !(PROT_RWX | PROT_SEM) != 0 {
            return Err(libc::EINVAL);
        }
        if len == 0 {
            return Ok(());
        }
        let end = page_up(len)
            .and_then(|l| addr.checked_add(l))
            .filter(|&e| e <= self.size)
            .ok_or(libc::ENOMEM)?;
        let prot = prot & PROT_RWX;
        let mut inner = self.lock();
        let pieces: Vec<(u64, u64, i32)> = inner
            .vmas
            .overlapping(addr, end)
            .map(|v| (v.start.max(addr), v.end.min(end), v.prot))
            .collect();
        let mut at = addr;
        for (s, e, old) in pieces {
            if s > at {
                return Err(libc::ENOMEM);
            }
            // SAFETY: inside our reservation, on a guest mapping.
            if unsafe { libc::mprotect(self.hp(s), (e - s) as usize, host_prot(prot)) } != 0 {
                return Err(errno());
            }
            inner.vmas.update_range(s, e, |v| v.prot = prot);
            if old & libc::PROT_EXEC != 0 && old != prot {
                inner.push_exec(s, e);
            }
            at = e;
        }
        if at < end {
            return Err(libc::ENOMEM);
        }
        Ok(())
    }

    /// Move the host pages of guest `[src, src+old_len)` (one VMA) to
    /// `[dst, dst+new_len)` (reservation, or `src` itself when growing in
    /// place), then fix the VMA map. With `dontunmap` the source stays
    /// mapped (emptied), as MREMAP_DONTUNMAP asks.
    fn relocate(
        &self,
        inner: &mut Inner,
        src: u64,
        old_len: u64,
        dst: u64,
        new_len: u64,
        dontunmap: bool,
    ) -> Result<(), i32> {
        let template = inner
            .vmas
            .find(src)
            .map(|v| v.slice(src, src + old_len))
            .ok_or(libc::EFAULT)?;
        let (hsrc, hdst) = (self.hp(src), self.hp(dst));
        let (old, new) = (old_len as usize, new_len as usize);
        // SAFETY (all host mremap calls below): sources are our guest
        // mappings or our temporary; destinations lie inside the reservation.
        unsafe {
            if dontunmap {
                let r = libc::mremap(
                    hsrc,
                    old,
                    new,
                    libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED | libc::MREMAP_DONTUNMAP,
                    hdst,
                );
                if r == libc::MAP_FAILED {
                    return Err(errno());
                }
            } else {
                // Move out of guest space with DONTUNMAP first so no moment
                // leaves a hole inside the reservation, then into place.
                let tmp = libc::mremap(
                    hsrc,
                    old,
                    old,
                    libc::MREMAP_MAYMOVE | libc::MREMAP_DONTUNMAP,
                );
                if tmp != libc::MAP_FAILED {
                    let r = libc::mremap(
                        tmp,
                        old,
                        new,
                        libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                        hdst,
                    );
                    if r == libc::MAP_FAILED {
                        let e = errno();
                        // Put the pages back where they were.
                        libc::mremap(
                            tmp,
                            old,
                            old,
                            libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                            hsrc,
                        );
                        return Err(e);
                    }
                    if dst != src {
                        // Replace the emptied leftover with the reservation
                        // (a mapping over a mapping: cannot fail for lack
                        // of address space).
                        let _ = self.reserve(src, old_len);
                    }
                } else if dst != src {
                    // DONTUNMAP refused (file and shared mappings): the
                    // source is a hole until refilled just below.
                    let r = libc::mremap(
                        hsrc,
                        old,
                        new,
                        libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                        hdst,
                    );
                    if r == libc::MAP_FAILED {
                        return Err(errno());
                    }
                    self.refill_hole(src, old_len);
                } else {
                    // Growing in place without DONTUNMAP: out and back in.
                    let tmp = libc::mremap(hsrc, old, new, libc::MREMAP_MAYMOVE);
                    if tmp == libc::MAP_FAILED {
                        return Err(errno());
                    }
                    self.refill_hole(src, old_len);
                    let r = libc::mremap(
                        tmp,
                        new,
                        new,
                        libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                        hdst,
                    );
                    if r == libc::MAP_FAILED {
                        let e = errno();
                        libc::mremap(
                            tmp,
                            new,
                            old,
                            libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                            hsrc,
                        );
                        return Err(e);
                    }
                }
            }
        }
        if dontunmap {
            if template.prot & libc::PROT_EXEC != 0 {
                inner.push_exec(src, src + old_len);
            }
        } else {
            inner.remove(src, src + old_len);
        }
        inner.remove(dst, dst + new_len);
        let mut moved = template;
        moved.start = dst;
        moved.end = dst + new_len;
        inner.vmas.insert(moved);
        Ok(())
    }

    /// The guest `mremap` syscall.
    pub fn mremap(
        &self,
        old_addr: u64,
        old_len: u64,
        new_len: u64,
        flags: i32,
        new_addr: u64,
    ) -> Result<u64, i32> {
        if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 {
            return Err(libc::EINVAL);
        }
        let maymove = flags & MREMAP_MAYMOVE != 0;
        let fixed = flags & MREMAP_FIXED != 0;
        let dontunmap = flags & MREMAP_DONTUNMAP != 0;
        if (fixed || dontunmap) && !maymove {
            return Err(libc::EINVAL);
        }
        if old_addr & PAGE_MASK != 0 {
            return Err(libc::EINVAL);
        }
        let old_len = page_up(old_len).ok_or(libc::EINVAL)?;
        let new_len = page_up(new_len).ok_or(libc::EINVAL)?;
        if new_len == 0 || (dontunmap && old_len != new_len) {
            return Err(libc::EINVAL);
        }
        if fixed {
            if new_addr & PAGE_MASK != 0 || new_len > self.size || new_addr > self.size - new_len {
                return Err(libc::EINVAL);
            }
            let old_end = old_addr.saturating_add(old_len.max(1));
            if new_addr < old_end && old_addr < new_addr + new_len {
                return Err(libc::EINVAL);
            }
            if new_addr < MMAP_MIN_ADDR {
                return Err(libc::EPERM);
            }
        }
        let mut inner = self.lock();
        let vma = inner.vmas.find(old_addr).cloned().ok_or(libc::EFAULT)?;
        if old_len == 0 {
            // Duplicate a shared mapping's pages at a new address.
            if !vma.shared {
                return Err(libc::EINVAL);
            }
            if !maymove {
                return Err(libc::ENOMEM);
            }
            let dst = if fixed {
                new_addr
            } else {
                self.find_free_locked(&inner, new_len, PAGE_SIZE)
                    .ok_or(libc::ENOMEM)?
            };
            // SAFETY: old_len 0 leaves the source alone; dst is reservation
            // or a guest mapping being replaced (MAP_FIXED semantics).
            let r = unsafe {
                libc::mremap(
                    self.hp(old_addr),
                    0,
                    new_len as usize,
                    libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                    self.hp(dst),
                )
            };
            if r == libc::MAP_FAILED {
                return Err(errno());
            }
            inner.remove(dst, dst + new_len);
            let mut copy = vma.slice(old_addr, old_addr + 1);
            copy.start = dst;
            copy.end = dst + new_len;
            inner.vmas.insert(copy);
            return Ok(dst);
        }
        let old_end = old_addr.checked_add(old_len).ok_or(libc::EFAULT)?;
        if old_end > vma.end {
            return Err(libc::EFAULT);
        }
        let mut old_len = old_len;
        if fixed || dontunmap {
            let dst = if fixed {
                self.reserve(new_addr, new_len)?;
                inner.remove(new_addr, new_addr + new_len);
                new_addr
            } else {
                self.find_free_locked(&inner, new_len, PAGE_SIZE)
                    .ok_or(libc::ENOMEM)?
            };
            if old_len > new_len {
                self.reserve(old_addr + new_len, old_len - new_len)?;
                inner.remove(old_addr + new_len, old_end);
                old_len = new_len;
            }
            self.relocate(&mut inner, old_addr, old_len, dst, new_len, dontunmap)?;
            return Ok(dst);
        }
        if new_len <= old_len {
            if new_len < old_len {
                self.reserve(old_addr + new_len, old_len - new_len)?;
                inner.remove(old_addr + new_len, old_end);
            }
            return Ok(old_addr);
        }
        let grow_end = old_addr
            .checked_add(new_len)
            .filter(|&e| e <= self.size)
            .unwrap_or(u64::MAX);
        if old_end == vma.end && grow_end != u64::MAX && inner.vmas.is_free(old_end, grow_end) {
            if !vma.shared && matches!(vma.backing, Backing::Anon(_)) {
                // Private anonymous: the extension is just fresh zero pages;
                // the host merges it with the existing mapping.
                self.host_map(
                    old_end,
                    grow_end - old_end,
                    host_prot(vma.prot),
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )?;
                let mut ext = vma.slice(old_addr, old_end);
                ext.start = old_end;
                ext.end = grow_end;
                inner.vmas.insert(ext);
            } else {
                self.relocate(&mut inner, old_addr, old_len, old_addr, new_len, false)?;
            }
            return Ok(old_addr);
        }
        if !maymove {
            return Err(libc::ENOMEM);
        }
        let dst = self
            .find_free_locked(&inner, new_len, PAGE_SIZE)
            .ok_or(libc::ENOMEM)?;
        self.relocate(&mut inner, old_addr, old_len, dst, new_len, false)?;
        Ok(dst)
    }

    /// The page-aligned start of the heap (`set_brk_start`).
    pub fn set_brk_start(&self, addr: u64) {
        let a = page_up(addr).unwrap_or(addr);
        let mut inner = self.lock();
        inner.brk_start = a;
        inner.brk = a;
    }

    /// The guest `brk` syscall: the new break, or the current one on failure
    /// (`brk(0)` queries).
    pub fn brk(&self, addr: u64) -> u64 {
        let mut inner = self.lock();
        let cur = inner.brk;
        if inner.brk_start == 0 || addr < inner.brk_start {
            return cur;
        }
        let (Some(newbrk), Some(oldbrk)) = (page_up(addr), page_up(cur)) else {
            return cur;
        };
        if newbrk == oldbrk {
            inner.brk = addr;
            return addr;
        }
        if addr < cur {
            if self.reserve(newbrk, oldbrk - newbrk).is_err() {
                return cur;
            }
            inner.remove(newbrk, oldbrk);
            inner.brk = addr;
            return addr;
        }
        // Like Linux, keep a page between the heap and the next mapping.
        let limit = newbrk.saturating_add(PAGE_SIZE);
        if limit > self.size || !inner.vmas.is_free(oldbrk, limit) {
            return cur;
        }
        if self
            .host_map(
                oldbrk,
                newbrk - oldbrk,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
            .is_err()
        {
            return cur;
        }
        inner.vmas.insert(Vma {
            start: oldbrk,
            end: newbrk,
            prot: libc::PROT_READ | libc::PROT_WRITE,
            shared: false,
            backing: Backing::Anon(Some("[heap]".into())),
        });
        inner.brk = addr;
        addr
    }

    /// The guest `madvise` syscall. Advice with guest-visible effects
    /// (MADV_DONTNEED zeroing, MADV_FREE, fork behaviour, guard regions) goes to the host;
    /// the rest are hints and are accepted.
    pub fn madvise(&self, addr: u64, len: u64, advice: i32) -> Result<(), i32> {
        const HOST: &[i32] = &[
            libc::MADV_DONTNEED,
            libc::MADV_FREE,
            libc::MADV_REMOVE,
            libc::MADV_DONTFORK,
            libc::MADV_DOFORK,
            18,  // MADV_WIPEONFORK
            19,  // MADV_KEEPONFORK
            24,  // MADV_DONTNEED_LOCKED
            102, // MADV_GUARD_INSTALL (host EINVAL before 6.13: glibc falls back)
            103, // MADV_GUARD_REMOVE
        ];
        if matches!(advice, 100 | 101) {
            // MADV_HWPOISON / MADV_SOFT_OFFLINE need CAP_SYS_ADMIN.
            return Err(libc::EPERM);
        }
        let hint = matches!(advice, 0..=3 | 12..=17 | 20..=23 | 25);
        if !hint && !HOST.contains(&advice) {
            return Err(libc::EINVAL);
        }
        if addr & PAGE_MASK != 0 {
            return Err(libc::EINVAL);
        }
        let plen = page_up(len).ok_or(libc::EINVAL)?;
        let end = addr.checked_add(plen).ok_or(libc::EINVAL)?;
        if end == addr {
            return Ok(());
        }
        if end > self.size {
            return Err(libc::ENOMEM);
        }
        let inner = self.lock();
        if HOST.contains(&advice) {
            for v in inner.vmas.overlapping(addr, end) {
                let (s, e) = (v.start.max(addr), v.end.min(end));
                // SAFETY: a guest mapping inside our reservation.
                if unsafe { libc::madvise(self.hp(s), (e - s) as usize, advice) } != 0 {
                    return Err(errno());
                }
            }
        }
        if !inner.vmas.is_covered(addr, end) {
            return Err(libc::ENOMEM);
        }
        Ok(())
    }

    /// Guest PROT_* of the mapping containing `addr`, None if unmapped.
    pub fn prot_at(&self, addr: u64) -> Option<i32> {
        self.lock().vmas.find(addr).map(|v| v.prot)
    }

    /// All guest VMAs (a snapshot), in address order.
    pub fn vmas(&self) -> Vec<Vma> {
        self.lock().vmas.iter().cloned().collect()
    }

    /// Guest ranges whose executable mapping was unmapped, replaced, moved or
    /// re-protected since the last call (for translation-cache invalidation).
    /// `(0, u64::MAX)` means "too many to list: flush everything".
    pub fn take_exec_changes(&self) -> Vec<(u64, u64)> {
        std::mem::take(&mut self.lock().exec_changes)
    }

    /// The guest's /proc/self/maps text (guest addresses, kernel format).
    pub fn proc_maps(&self) -> String {
        self.lock().vmas.iter().map(Vma::proc_maps_line).collect()
    }

    /// Host pointer for a guest range, EFAULT if it leaves the space.
    fn range(&self, addr: u64, len: usize) -> Result<*mut u8, i32> {
        self.host_ptr(addr, len as u64).ok_or(libc::EFAULT)
    }

    /// Fault-safe copy out of guest memory: EFAULT if any byte is unreadable.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), i32> {
        let src = self.range(addr, buf.len())?;
        let (dst, n) = (buf.as_mut_ptr(), buf.len());
        // SAFETY: src..src+n lies in our reservation; a fault is caught.
        guarded(|| unsafe { std::ptr::copy_nonoverlapping(src, dst, n) }).map_err(|_| libc::EFAULT)
    }

    /// Fault-safe copy into guest memory: EFAULT if any byte is not writable
    /// for the guest (host protection equals guest protection). Bytes before
    /// the faulting page may have been written, like Linux's copy_to_user.
    pub fn write(&self, addr: u64, data: &[u8]) -> Result<(), i32> {
        let dst = self.range(addr, data.len())?;
        let (src, n) = (data.as_ptr(), data.len());
        // SAFETY: dst..dst+n lies in our reservation; a fault is caught.
        guarded(|| unsafe { std::ptr::copy_nonoverlapping(src, dst, n) }).map_err(|_| libc::EFAULT)
    }

    /// A NUL-terminated guest string: the string and its NUL must fit in
    /// `max` bytes (else ENAMETOOLONG); EFAULT if unreadable before the NUL.
    pub fn read_cstr(&self, addr: u64, max: usize) -> Result<CString, i32> {
        if addr >= self.size {
            return Err(libc::EFAULT);
        }
        let avail = (self.size - addr).min(max as u64) as usize;
        let start = self.base + addr as usize;
        // Scan page by page so memchr never touches a page past the NUL.
        let scan = guarded(|| {
            let mut at = 0usize;
            while at < avail {
                let p = start + at;
                let chunk = (4096 - (p & 4095)).min(avail - at);
                // SAFETY: p..p+chunk is inside our reservation and one page.
                let hit = unsafe { libc::memchr(p as *const c_void, 0, chunk) };
                if !hit.is_null() {
                    return Some(hit as usize - start);
                }
                at += chunk;
            }
            None
        })
        .map_err(|_| libc::EFAULT)?;
        let len = match scan {
            Some(len) => len,
            None if (avail as u64) < max as u64 => return Err(libc::EFAULT),
            None => return Err(libc::ENAMETOOLONG),
        };
        let mut bytes = vec![0u8; len];
        self.read(addr, &mut bytes)?;
        CString::new(bytes).map_err(|_| libc::EFAULT)
    }
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        // SAFETY: the reservation is ours and nothing refers to it any more.
        unsafe { libc::munmap(self.base as *mut c_void, self.size as usize) };
    }
}
