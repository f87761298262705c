//! The code cache: one big RWX mapping with a bump allocator. Nothing is
//! freed individually; when the cache is full the engine flushes everything
//! (`reset`) and retranslates on demand.
//!
//! A fixed prefix (the runtime stubs: entry trampoline and exit epilogue)
//! survives `reset`. Future work: W^X (dual mapping or mprotect flips).

use std::ptr::NonNull;

pub struct CodeCache {
    base: NonNull<u8>,
    size: usize,
    /// Bytes in use from `base`.
    used: usize,
    /// Start of the area `reset` frees (everything before it is permanent).
    keep: usize,
}

// SAFETY: the mapping is owned; writes go through `&mut self`.
unsafe impl Send for CodeCache {}

impl CodeCache {
    pub fn new(size: usize) -> std::io::Result<CodeCache> {
        // SAFETY: a fresh private anonymous mapping.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size,
                libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(std::io::Error::last_os_error());
        }
        Ok(CodeCache {
            base: NonNull::new(p as *mut u8).expect("mmap returned null"),
            size,
            used: 0,
            keep: 0,
        })
    }

    /// Host address the next allocation will start at (16-byte aligned).
    pub fn next_addr(&self) -> usize {
        self.base.as_ptr() as usize + self.used.next_multiple_of(16)
    }

    /// Copies `code` (assembled for address [`next_addr`](Self::next_addr))
    /// into the cache; `None` when it does not fit (flush and retry).
    pub fn push(&mut self, code: &[u8]) -> Option<usize> {
        let start = self.used.next_multiple_of(16);
        if start + code.len() > self.size {
            return None;
        }
        // SAFETY: in bounds of our mapping, which is writable.
        unsafe {
            std::ptr::copy_nonoverlapping(code.as_ptr(), self.base.as_ptr().add(start), code.len());
        }
        self.used = start + code.len();
        Some(self.base.as_ptr() as usize + start)
    }

    /// Makes everything pushed so far permanent (survives `reset`).
    pub fn seal_prefix(&mut self) {
        self.keep = self.used;
    }

    /// Frees everything after the permanent prefix.
    pub fn reset(&mut self) {
        self.used = self.keep;
    }

    /// Whether `addr` lies in code pushed so far.
    pub fn contains(&self, addr: usize) -> bool {
        let b = self.base.as_ptr() as usize;
        (b..b + self.used).contains(&addr)
    }

    /// Rewrites the rel32 field at `at` (inside the cache) with `rel`.
    ///
    /// # Safety
    /// `at` must be the rel32 field of a jump this cache holds. Other
    /// threads may be executing that jump: the 4-byte store is aligned, so
    /// x86 makes it atomic and they take either the old or the new target.
    pub unsafe fn patch_rel32(&mut self, at: usize, rel: i32) {
        debug_assert!(self.contains(at) && at.is_multiple_of(4));
        (at as *mut i32).write_volatile(rel);
    }

    /// Writes the 8-byte data word at `at` (a call site's return cell).
    ///
    /// # Safety
    /// `at` must be a return cell this cache holds (8-byte aligned, so the
    /// store is atomic on x86).
    pub unsafe fn patch_u64(&mut self, at: usize, v: u64) {
        debug_assert!(self.contains(at) && at.is_multiple_of(8));
        (at as *mut u64).write_volatile(v);
    }

    pub fn used(&self) -> usize {
        self.used
    }
}

impl Drop for CodeCache {
    fn drop(&mut self) {
        // SAFETY: our own mapping; no code of it runs any more.
        unsafe {
            libc::munmap(self.base.as_ptr() as *mut libc::c_void, self.size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_allocation_aligns_and_reset_keeps_the_prefix() {
        let mut c = CodeCache::new(4096).unwrap();
        let a = c.push(&[0xc3]).unwrap();
        c.seal_prefix();
        let b = c.push(&[0x90; 10]).unwrap();
        assert_eq!(b - a, 16);
        assert!(c.push(&[0; 4096]).is_none());
        c.reset();
        assert_eq!(c.next_addr(), b);
        // The prefix is executable code: `ret`.
        let f: extern "C" fn() = unsafe { std::mem::transmute(a) };
        f();
    }
}
