//! The process-wide map of translations: guest pc → [`Translation`], read
//! without locks by every guest thread while one writer at a time (the
//! caller holds the shared cache's lock) adds and removes entries.
//!
//! An open-addressing hash table of pointers (linear probing; a removed
//! entry leaves a tombstone so probes continue past it) plus every record in
//! creation order, which is host code order, for finding the block that
//! contains a faulting host pc. A record is immutable once published and
//! stays allocated after removal until [`BlockMap::clear`], which runs only
//! while no thread executes or looks up translated code, so a reader
//! holding a pointer never sees it freed under it.

use crate::backend::interp::Code;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::Arc;

/// One translated block, shared by all threads.
pub struct Translation {
    pub pc: u64,
    /// Guest bytes it covers.
    pub size: u64,
    /// Set when it is invalidated (it may still run until its thread leaves).
    gone: AtomicBool,
    pub body: Body,
}

/// What a backend runs.
pub enum Body {
    /// The interpreter's prepared IR.
    Interp(Code),
    /// JIT host code at `entry` (`len` bytes) and its (host offset, guest
    /// pc) map for precise faults.
    Jit {
        entry: usize,
        len: usize,
        insn_map: Arc<[(u32, u64)]>,
    },
}

impl Translation {
    pub fn new(pc: u64, size: u64, body: Body) -> Translation {
        Translation {
            pc,
            size,
            gone: AtomicBool::new(false),
            body,
        }
    }

    /// Whether it covers any guest byte of `start..end`.
    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.pc < end && self.pc.saturating_add(self.size.max(1)) > start
    }

    /// The JIT code's host range, if it is JIT code.
    fn host_range(&self) -> Option<std::ops::Range<usize>> {
        match self.body {
            Body::Jit { entry, len, .. } => Some(entry..entry + len),
            Body::Interp(_) => None,
        }
    }
}

/// Slots in the hash table (a power of two): room for `MAX_RECORDS` at a
/// load factor of one half.
const SLOTS: usize = 1 << 20;
/// Records kept until a clear (live and removed together).
pub const MAX_RECORDS: usize = SLOTS / 2;

/// A slot whose entry was removed: probes go on past it.
fn tombstone() -> *mut Translation {
    std::ptr::dangling_mut()
}

fn slot_of(pc: u64) -> usize {
    // Fibonacci hashing: neighbouring pcs spread over the table.
    (pc.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 44) as usize & (SLOTS - 1)
}

/// `n` null pointers in zeroed memory, which the kernel provides lazily
/// (the tables are mostly untouched in small programs).
fn null_pointers<T>(n: usize) -> Box<[AtomicPtr<T>]> {
    let layout = std::alloc::Layout::array::<AtomicPtr<T>>(n).expect("table size");
    // SAFETY: a non-zero-sized layout; all-zero bits are a null `AtomicPtr`,
    // and the allocation is owned by the returned box with this layout.
    unsafe {
        let p = std::alloc::alloc_zeroed(layout) as *mut AtomicPtr<T>;
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, n))
    }
}

pub struct BlockMap {
    slots: Box<[AtomicPtr<Translation>]>,
    /// Every record since the last clear, in creation order.
    records: Box<[AtomicPtr<Translation>]>,
    len: AtomicUsize,
}

// SAFETY: records are immutable once published (except the atomic `gone`)
// and freed only by `clear`, whose contract excludes concurrent readers.
unsafe impl Send for BlockMap {}
unsafe impl Sync for BlockMap {}

impl Default for BlockMap {
    fn default() -> Self {
        BlockMap::new()
    }
}

impl BlockMap {
    pub fn new() -> BlockMap {
        BlockMap {
            slots: null_pointers(SLOTS),
            records: null_pointers(MAX_RECORDS),
            len: AtomicUsize::new(0),
        }
    }

    /// The live translation of `pc`. Lock-free.
    pub fn get(&self, pc: u64) -> Option<&Translation> {
        let mut i = slot_of(pc);
        loop {
            let p = self.slots[i].load(Ordering::Acquire);
            if p.is_null() {
                return None;
            }
            if p != tombstone() {
                // SAFETY: published records live until `clear`.
                let t = unsafe { &*p };
                if t.pc == pc {
                    return Some(t);
                }
            }
            i = (i + 1) & (SLOTS - 1);
        }
    }

    /// Whether another record fits (else clear first).
    pub fn has_room(&self) -> bool {
        self.len.load(Ordering::Relaxed) < MAX_RECORDS
    }

    /// Publishes `t` (its pc must not be live).
    ///
    /// # Safety
    /// Only one writer at a time; [`has_room`](Self::has_room) must hold.
    pub unsafe fn insert(&self, t: Translation) -> &Translation {
        let n = self.len.load(Ordering::Relaxed);
        assert!(n < MAX_RECORDS, "block map full");
        let p = Box::into_raw(Box::new(t));
        self.records[n].store(p, Ordering::Release);
        self.len.store(n + 1, Ordering::Release);
        // SAFETY: just allocated.
        let pc = unsafe { (*p).pc };
        let mut i = slot_of(pc);
        // At most MAX_RECORDS slots are ever non-null, so a free or
        // tombstoned one exists.
        loop {
            let q = self.slots[i].load(Ordering::Relaxed);
            if q.is_null() || q == tombstone() {
                self.slots[i].store(p, Ordering::Release);
                // SAFETY: just published; lives until `clear`.
                return unsafe { &*p };
            }
            i = (i + 1) & (SLOTS - 1);
        }
    }

    /// Unpublishes every live translation overlapping guest `start..end`
    /// and returns them (they stay allocated until `clear`).
    ///
    /// # Safety
    /// Only one writer at a time.
    pub unsafe fn remove_range(&self, start: u64, end: u64) -> Vec<&Translation> {
        let mut gone = Vec::new();
        for t in self.all() {
            if !t.gone.load(Ordering::Relaxed) && t.overlaps(start, end) {
                t.gone.store(true, Ordering::Relaxed);
                self.unpublish(t);
                gone.push(t);
            }
        }
        gone
    }

    fn unpublish(&self, t: &Translation) {
        let mut i = slot_of(t.pc);
        loop {
            let p = self.slots[i].load(Ordering::Relaxed);
            assert!(!p.is_null(), "live translation not in the table");
            if std::ptr::eq(p, t) {
                self.slots[i].store(tombstone(), Ordering::Release);
                return;
            }
            i = (i + 1) & (SLOTS - 1);
        }
    }

    /// Every record since the last clear, live or removed, in creation order.
    fn all(&self) -> impl Iterator<Item = &Translation> {
        let n = self.len.load(Ordering::Acquire);
        // SAFETY: the first `n` records are published and live until `clear`.
        self.records[..n]
            .iter()
            .map(|p| unsafe { &*p.load(Ordering::Acquire) })
    }

    /// The JIT translation whose host code contains `host_pc` (live or
    /// removed: its code is still there). Lock-free.
    pub fn containing_host_pc(&self, host_pc: usize) -> Option<&Translation> {
        let n = self.len.load(Ordering::Acquire);
        let at = |i: usize| -> &Translation {
            // SAFETY: as in `all`.
            unsafe { &*self.records[i].load(Ordering::Acquire) }
        };
        // Host code is allocated in creation order: binary search by entry.
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match at(mid).host_range() {
                Some(r) if r.start <= host_pc => lo = mid + 1,
                Some(_) => hi = mid,
                None => return None,
            }
        }
        let t = at(lo.checked_sub(1)?);
        t.host_range()?.contains(&host_pc).then_some(t)
    }

    /// Frees every record.
    ///
    /// # Safety
    /// No other thread may use the map or hold a record meanwhile.
    pub unsafe fn clear(&self) {
        let n = self.len.swap(0, Ordering::AcqRel);
        // Every used slot (a record or a tombstone) lies on the probe run
        // from some record's home slot: empty those runs.
        for r in &self.records[..n] {
            // SAFETY: allocated by `insert`, not yet freed.
            let mut i = slot_of(unsafe { (*r.load(Ordering::Relaxed)).pc });
            while !self.slots[i]
                .swap(std::ptr::null_mut(), Ordering::Relaxed)
                .is_null()
            {
                i = (i + 1) & (SLOTS - 1);
            }
        }
        for r in &self.records[..n] {
            let p = r.swap(std::ptr::null_mut(), Ordering::Relaxed);
            // SAFETY: allocated by `insert`, no longer reachable.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

impl Drop for BlockMap {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: no other user.
        unsafe { self.clear() };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jit(pc: u64, entry: usize) -> Translation {
        let body = Body::Jit {
            entry,
            len: 16,
            insn_map: Arc::from(vec![(0, pc)]),
        };
        Translation::new(pc, 4, body)
    }

    #[test]
    fn inserted_blocks_are_found_until_their_range_is_removed() {
        let m = BlockMap::new();
        unsafe {
            m.insert(jit(0x1000, 0x10));
            m.insert(jit(0x1004, 0x20));
            m.insert(jit(0x2000, 0x30));
        }
        assert_eq!(m.get(0x1004).map(|t| t.pc), Some(0x1004));
        let gone = unsafe { m.remove_range(0x1002, 0x1005) };
        assert_eq!(
            gone.iter().map(|t| t.pc).collect::<Vec<_>>(),
            [0x1000, 0x1004]
        );
        assert!(m.get(0x1000).is_none() && m.get(0x1004).is_none());
        assert_eq!(m.get(0x2000).map(|t| t.pc), Some(0x2000));
        // A removed block's code is still found by host pc (it may be running).
        assert_eq!(m.containing_host_pc(0x25).map(|t| t.pc), Some(0x1004));
        assert!(m.containing_host_pc(0x0f).is_none());
        assert!(m.containing_host_pc(0x40).is_none());
        // Re-translated after removal: found again.
        unsafe { m.insert(jit(0x1000, 0x40)) };
        assert_eq!(m.get(0x1000).map(|t| t.body_entry()), Some(0x40));
        unsafe { m.clear() };
        assert!(m.get(0x2000).is_none() && m.has_room());
    }

    #[test]
    fn colliding_pcs_probe_past_tombstones() {
        let m = BlockMap::new();
        // Same slot: pcs differing by a multiple of 2^64 / multiplier are
        // rare, so force collisions through many inserts in one region.
        let pcs: Vec<u64> = (0..5000).map(|i| 0x10_0000 + 2 * i).collect();
        for (i, &pc) in pcs.iter().enumerate() {
            unsafe { m.insert(jit(pc, 0x1000 + 16 * i)) };
        }
        unsafe { m.remove_range(0x10_0000, 0x10_0000 + 2000) };
        for &pc in &pcs {
            assert_eq!(m.get(pc).is_some(), pc >= 0x10_0000 + 2000, "{pc:#x}");
        }
    }

    #[test]
    fn readers_see_whole_records_while_a_writer_inserts_and_removes() {
        let m = Arc::new(BlockMap::new());
        let stop = Arc::new(AtomicBool::new(false));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (m, stop) = (m.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut hits = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        for pc in (0..256u64).map(|i| 0x4000 + 4 * i) {
                            if let Some(t) = m.get(pc) {
                                assert_eq!(t.pc, pc);
                                assert_eq!(t.body_entry(), pc as usize * 2);
                                hits += 1;
                            }
                        }
                    }
                    hits
                })
            })
            .collect();
        for round in 0..200u64 {
            for pc in (0..256u64).map(|i| 0x4000 + 4 * i) {
                if m.get(pc).is_none() {
                    unsafe { m.insert(jit(pc, pc as usize * 2)) };
                }
            }
            unsafe { m.remove_range(0x4000 + 4 * (round % 256), 0x4000 + 4 * (round % 256) + 64) };
        }
        stop.store(true, Ordering::Relaxed);
        for r in readers {
            r.join().unwrap();
        }
    }

    impl Translation {
        fn body_entry(&self) -> usize {
            self.host_range().map_or(0, |r| r.start)
        }
    }
}
