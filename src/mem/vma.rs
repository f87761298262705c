//! The VMA map: the guest's view of its mappings (ranges, protection, backing),
//! with Linux-style split on partial change and merge of compatible
//! neighbours. Pure bookkeeping: no host syscalls here (`space.rs` keeps the
//! host mappings equal to what this map says).

use std::collections::BTreeMap;

pub const PAGE_SIZE: u64 = 4096;

/// What backs a mapping, as /proc/self/maps shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backing {
    /// Anonymous memory, optionally labelled (`[heap]`, `[stack]`).
    Anon(Option<String>),
    /// A file: `offset` is the file offset of the VMA's first byte.
    File {
        path: String,
        dev_major: u32,
        dev_minor: u32,
        inode: u64,
        offset: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vma {
    pub start: u64,
    pub end: u64,
    /// Guest PROT_* bits (READ|WRITE|EXEC).
    pub prot: i32,
    pub shared: bool,
    pub backing: Backing,
}

impl Vma {
    pub fn len(&self) -> u64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The part `[start, end)` of this VMA (clipped), with the file offset adjusted.
    pub fn slice(&self, start: u64, end: u64) -> Vma {
        let start = start.max(self.start);
        let end = end.min(self.end);
        let mut v = self.clone();
        v.start = start;
        v.end = end;
        if let Backing::File { offset, .. } = &mut v.backing {
            *offset += start - self.start;
        }
        v
    }

    /// Whether `next` (starting exactly at our end) can be merged into us.
    fn mergeable_with(&self, next: &Vma) -> bool {
        if self.end != next.start || self.prot != next.prot || self.shared != next.shared {
            return false;
        }
        match (&self.backing, &next.backing) {
            (Backing::Anon(a), Backing::Anon(b)) => a == b && a.as_deref() != Some("[stack]"),
            (
                Backing::File {
                    path: p1,
                    dev_major: a1,
                    dev_minor: b1,
                    inode: i1,
                    offset: o1,
                },
                Backing::File {
                    path: p2,
                    dev_major: a2,
                    dev_minor: b2,
                    inode: i2,
                    offset: o2,
                },
            ) => p1 == p2 && a1 == a2 && b1 == b2 && i1 == i2 && o1 + self.len() == *o2,
            _ => false,
        }
    }

    /// One /proc/self/maps line (with trailing newline), exactly as the kernel prints it.
    pub fn proc_maps_line(&self) -> String {
        let (offset, maj, min, ino, name): (u64, u32, u32, u64, Option<&str>) = match &self.backing
        {
            Backing::Anon(label) => (0, 0, 0, 0, label.as_deref()),
            Backing::File {
                path,
                dev_major,
                dev_minor,
                inode,
                offset,
            } => (*offset, *dev_major, *dev_minor, *inode, Some(path.as_str())),
        };
        let mut line = format!(
            "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ",
            self.start,
            self.end,
            if self.prot & libc::PROT_READ != 0 {
                'r'
            } else {
                '-'
            },
            if self.prot & libc::PROT_WRITE != 0 {
                'w'
            } else {
                '-'
            },
            if self.prot & libc::PROT_EXEC != 0 {
                'x'
            } else {
                '-'
            },
            if self.shared { 's' } else { 'p' },
            offset,
            maj,
            min,
            ino
        );
        if let Some(name) = name {
            // seq_setwidth(25 + sizeof(void *) * 6 - 1) then seq_pad(m, ' ').
            const WIDTH: usize = 25 + 8 * 6 - 1;
            while line.len() < WIDTH {
                line.push(' ');
            }
            line.push(' ');
            line.push_str(name);
        }
        line.push('\n');
        line
    }
}

/// The ordered, non-overlapping set of guest VMAs, keyed by start.
#[derive(Default, Debug)]
pub struct VmaMap {
    map: BTreeMap<u64, Vma>,
}

impl VmaMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Vma> {
        self.map.values()
    }

    /// The VMA containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.map
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    /// VMAs intersecting `[start, end)`, in order.
    pub fn overlapping(&self, start: u64, end: u64) -> impl Iterator<Item = &Vma> {
        let first = self
            .map
            .range(..start)
            .next_back()
            .filter(|(_, v)| v.end > start)
            .map(|(k, _)| *k)
            .unwrap_or(start);
        self.map.range(first..end).map(|(_, v)| v)
    }

    pub fn is_free(&self, start: u64, end: u64) -> bool {
        self.overlapping(start, end).next().is_none()
    }

    /// Whether every byte of `[start, end)` is mapped.
    pub fn is_covered(&self, start: u64, end: u64) -> bool {
        let mut at = start;
        for v in self.overlapping(start, end) {
            if v.start > at {
                return false;
            }
            at = v.end;
        }
        at >= end
    }

    /// Split the VMA strictly containing `addr` (if any) at `addr`.
    fn split_at(&mut self, addr: u64) {
        let Some(v) = self.find(addr).cloned() else {
            return;
        };
        if v.start == addr {
            return;
        }
        self.map.insert(v.start, v.slice(v.start, addr));
        self.map.insert(addr, v.slice(addr, v.end));
    }

    /// Remove `[start, end)` from the map, returning the removed pieces.
    pub fn remove_range(&mut self, start: u64, end: u64) -> Vec<Vma> {
        self.split_at(start);
        self.split_at(end);
        let keys: Vec<u64> = self.map.range(start..end).map(|(k, _)| *k).collect();
        keys.into_iter()
            .filter_map(|k| self.map.remove(&k))
            .collect()
    }

    /// Insert a VMA over a free range, merging with compatible neighbours.
    pub fn insert(&mut self, vma: Vma) {
        debug_assert!(vma.start < vma.end);
        debug_assert!(self.is_free(vma.start, vma.end), "insert over {vma:?}");
        let (start, end) = (vma.start, vma.end);
        self.map.insert(start, vma);
        self.merge_around(start, end);
    }

    /// Apply `f` to every VMA piece inside `[start, end)` (splitting at the
    /// edges), then merge what became compatible.
    pub fn update_range(&mut self, start: u64, end: u64, mut f: impl FnMut(&mut Vma)) {
        self.split_at(start);
        self.split_at(end);
        for (_, v) in self.map.range_mut(start..end) {
            f(v);
        }
        self.merge_around(start, end);
    }

    /// Merge compatible neighbours among the VMAs touching `[start, end]`.
    fn merge_around(&mut self, start: u64, end: u64) {
        let first = self
            .map
            .range(..start)
            .next_back()
            .map(|(k, _)| *k)
            .unwrap_or(start);
        let mut keys: Vec<u64> = self.map.range(first..=end).map(|(k, _)| *k).collect();
        keys.reverse();
        // Walk right to left so each merge folds `next` into its predecessor.
        for pair in keys.windows(2) {
            let (next_key, prev_key) = (pair[0], pair[1]);
            let mergeable = match (self.map.get(&prev_key), self.map.get(&next_key)) {
                (Some(p), Some(n)) => p.mergeable_with(n),
                _ => false,
            };
            if mergeable {
                let n = self.map.remove(&next_key).expect("present");
                self.map.get_mut(&prev_key).expect("present").end = n.end;
            }
        }
    }

    /// Highest `align`-aligned start of a free `len`-byte range inside `[lo, hi)`.
    pub fn find_free_topdown(&self, len: u64, align: u64, lo: u64, hi: u64) -> Option<u64> {
        let align = align.max(PAGE_SIZE);
        if len == 0 || hi < lo || len > hi - lo {
            return None;
        }
        // Gaps from the top: between each VMA's end and the next start.
        let mut gap_end = hi;
        for v in self.map.range(..hi).rev().map(|(_, v)| v) {
            let gap_start = v.end.max(lo);
            if let Some(a) = fit_top(gap_start, gap_end, len, align) {
                return Some(a);
            }
            gap_end = gap_end.min(v.start);
            if gap_end <= lo {
                return None;
            }
        }
        fit_top(lo, gap_end, len, align)
    }
}

/// Highest aligned start `a` with `[a, a+len)` inside `[lo, hi)`.
fn fit_top(lo: u64, hi: u64, len: u64, align: u64) -> Option<u64> {
    if hi <= lo || hi - lo < len {
        return None;
    }
    let a = (hi - len) & !(align - 1);
    (a >= lo).then_some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anon(start: u64, end: u64, prot: i32) -> Vma {
        Vma {
            start,
            end,
            prot,
            shared: false,
            backing: Backing::Anon(None),
        }
    }

    const RW: i32 = libc::PROT_READ | libc::PROT_WRITE;

    #[test]
    fn adjacent_compatible_anon_vmas_merge_and_split_on_update() {
        let mut m = VmaMap::new();
        m.insert(anon(0x10000, 0x12000, RW));
        m.insert(anon(0x12000, 0x14000, RW));
        assert_eq!(m.iter().count(), 1);
        m.update_range(0x11000, 0x12000, |v| v.prot = libc::PROT_READ);
        let v: Vec<_> = m.iter().map(|v| (v.start, v.end, v.prot)).collect();
        assert_eq!(
            v,
            vec![
                (0x10000, 0x11000, RW),
                (0x11000, 0x12000, libc::PROT_READ),
                (0x12000, 0x14000, RW)
            ]
        );
        m.update_range(0x11000, 0x12000, |v| v.prot = RW);
        assert_eq!(m.iter().count(), 1);
    }

    #[test]
    fn file_vmas_merge_only_with_contiguous_offsets() {
        let file = |start, end, offset| Vma {
            start,
            end,
            prot: libc::PROT_READ,
            shared: false,
            backing: Backing::File {
                path: "/f".into(),
                dev_major: 1,
                dev_minor: 2,
                inode: 3,
                offset,
            },
        };
        let mut m = VmaMap::new();
        m.insert(file(0x10000, 0x11000, 0));
        m.insert(file(0x11000, 0x12000, 0x2000));
        assert_eq!(m.iter().count(), 2);
        m.insert(file(0x12000, 0x13000, 0x3000));
        assert_eq!(m.iter().count(), 2);
        let removed = m.remove_range(0x11800 & !0xfff, 0x12000);
        assert_eq!(removed.len(), 1);
        match &m.find(0x12000).unwrap().backing {
            Backing::File { offset, .. } => assert_eq!(*offset, 0x3000),
            b => panic!("{b:?}"),
        }
    }

    #[test]
    fn find_free_topdown_picks_highest_aligned_gap() {
        let mut m = VmaMap::new();
        m.insert(anon(0x100000, 0x200000, RW));
        m.insert(anon(0x1f_0000_0000, 0x1f_0000_1000, RW));
        assert_eq!(
            m.find_free_topdown(0x1000, 0x1000, 0x10000, 0x300000),
            Some(0x2ff000)
        );
        assert_eq!(
            m.find_free_topdown(0x1000, 0x1000, 0x10000, 0x200000),
            Some(0xff000)
        );
        assert_eq!(
            m.find_free_topdown(0x100000, 0x100000, 0x10000, 0x200000),
            None
        );
        assert_eq!(
            m.find_free_topdown(0xf0000, 0x1000, 0x10000, 0x200000),
            Some(0x10000)
        );
        assert!(m.is_covered(0x100000, 0x200000));
        assert!(!m.is_covered(0x100000, 0x201000));
    }
}
