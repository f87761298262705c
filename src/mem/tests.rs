//! Tests of `AddressSpace` against the real host mappings: syscall semantics,
//! VMA split/merge as /proc/self/maps text, and no holes in the reservation.

use super::*;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;

const R: i32 = libc::PROT_READ;
const RW: i32 = libc::PROT_READ | libc::PROT_WRITE;
const RX: i32 = libc::PROT_READ | libc::PROT_EXEC;
const PA: i32 = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
const P: u64 = PAGE_SIZE;

fn space() -> AddressSpace {
    let s = AddressSpace::new(GUEST_SPACE_SIZE).expect("reserve guest space");
    s.set_stack_top(GUEST_SPACE_SIZE);
    s
}

fn anon_line(start: u64, end: u64, perms: &str) -> String {
    format!("{start:08x}-{end:08x} {perms} 00000000 00:00 0 \n")
}

fn named_line(
    start: u64,
    end: u64,
    perms: &str,
    off: u64,
    dev: (u32, u32),
    ino: u64,
    name: &str,
) -> String {
    let head = format!(
        "{start:08x}-{end:08x} {perms} {off:08x} {:02x}:{:02x} {ino} ",
        dev.0, dev.1
    );
    format!("{head:<72} {name}\n")
}

/// Every byte of the guest range is some host mapping (reservation or guest):
/// no hole the emulator's own allocations could fall into.
fn assert_no_holes(s: &AddressSpace) {
    let (lo, hi) = (s.base() as u64, s.base() as u64 + s.size());
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
    let mut ranges: Vec<(u64, u64)> = maps
        .lines()
        .filter_map(|l| {
            let r = l.split(' ').next()?;
            let (a, b) = r.split_once('-')?;
            Some((
                u64::from_str_radix(a, 16).ok()?,
                u64::from_str_radix(b, 16).ok()?,
            ))
        })
        .filter(|&(a, b)| b > lo && a < hi)
        .collect();
    ranges.sort();
    let mut at = lo;
    for (a, b) in ranges {
        assert!(a <= at, "hole in guest reservation at guest {:#x}", at - lo);
        at = at.max(b);
    }
    assert!(at >= hi, "hole at the top of the guest reservation");
}

fn fill(s: &AddressSpace, addr: u64, len: usize, byte: u8) {
    s.write(addr, &vec![byte; len]).unwrap();
}

fn byte_at(s: &AddressSpace, addr: u64) -> Result<u8, i32> {
    let mut b = [0u8];
    s.read(addr, &mut b).map(|_| b[0])
}

#[test]
fn new_reserves_aligned_space_with_null_page_unmapped() {
    let s = space();
    assert_eq!(s.size(), 1 << 38);
    assert_eq!(s.base() as usize % (2 << 20), 0);
    assert_eq!(s.host_ptr(0, 1 << 38), Some(s.base()));
    assert_eq!(s.host_ptr(1, 1 << 38), None);
    assert_eq!(s.host_ptr(u64::MAX, 2), None);
    assert_eq!(byte_at(&s, 0), Err(libc::EFAULT));
    assert_eq!(s.prot_at(0), None);
    assert_eq!(s.proc_maps(), "");
    assert_no_holes(&s);
}

#[test]
fn mmap_anywhere_goes_top_down_below_mmap_base_and_merges() {
    let s = space();
    let base = GUEST_SPACE_SIZE - MMAP_STACK_GAP;
    let a = s.mmap(0, 0x3000, RW, PA, -1, 0).unwrap();
    assert_eq!(a, base - 0x3000);
    let b = s.mmap(0, 0x1800, RW, PA, -1, 0).unwrap();
    assert_eq!(b, base - 0x5000);
    assert_eq!(s.proc_maps(), anon_line(b, base, "rw-p"));
    fill(&s, a, 0x3000, 7);
    assert_eq!(byte_at(&s, a + 0x2fff), Ok(7));
    assert_eq!(byte_at(&s, b), Ok(0));
    assert_eq!(s.prot_at(b), Some(RW));
    assert_eq!(s.prot_at(base), None);
}

#[test]
fn mmap_hint_is_used_when_free_and_ignored_otherwise() {
    let s = space();
    let a = s.mmap(0x1000_0000, P, RW, PA, -1, 0).unwrap();
    assert_eq!(a, 0x1000_0000);
    let b = s.mmap(0x1000_0000, P, RW, PA, -1, 0).unwrap();
    assert_eq!(b, GUEST_SPACE_SIZE - MMAP_STACK_GAP - P);
    // An unaligned hint is rounded up.
    assert_eq!(s.mmap(0x2000_0123, P, R, PA, -1, 0), Ok(0x2000_1000));
    // A hint below mmap_min_addr is raised to it.
    assert_eq!(s.mmap(0x1000, P, R, PA, -1, 0), Ok(MMAP_MIN_ADDR));
    // A hint past the end of the space is ignored.
    let c = s.mmap(GUEST_SPACE_SIZE, P, R, PA, -1, 0).unwrap();
    assert!(c < GUEST_SPACE_SIZE - MMAP_STACK_GAP);
}

#[test]
fn mmap_fixed_replaces_part_of_existing_mapping() {
    let s = space();
    let x = 0x4000_0000;
    assert_eq!(s.mmap(x, 4 * P, RW, PA | libc::MAP_FIXED, -1, 0), Ok(x));
    fill(&s, x, 4 * P as usize, 0xaa);
    assert_eq!(s.mmap(x + P, P, R, PA | libc::MAP_FIXED, -1, 0), Ok(x + P));
    assert_eq!(byte_at(&s, x + P), Ok(0));
    assert_eq!(byte_at(&s, x), Ok(0xaa));
    assert_eq!(byte_at(&s, x + 2 * P), Ok(0xaa));
    assert_eq!(
        s.proc_maps(),
        anon_line(x, x + P, "rw-p")
            + &anon_line(x + P, x + 2 * P, "r--p")
            + &anon_line(x + 2 * P, x + 4 * P, "rw-p")
    );
    assert_no_holes(&s);
}

#[test]
fn mmap_fixed_noreplace_fails_with_eexist_on_overlap() {
    let s = space();
    let x = 0x4000_0000;
    s.mmap(x, 2 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    let nr = PA | libc::MAP_FIXED_NOREPLACE;
    assert_eq!(s.mmap(x + P, 2 * P, RW, nr, -1, 0), Err(libc::EEXIST));
    assert_eq!(s.mmap(x - P, 2 * P, RW, nr, -1, 0), Err(libc::EEXIST));
    assert_eq!(s.mmap(x + 2 * P, P, RW, nr, -1, 0), Ok(x + 2 * P));
    assert_eq!(s.proc_maps(), anon_line(x, x + 3 * P, "rw-p"));
}

#[test]
fn mmap_rejects_bad_arguments() {
    let s = space();
    let fixed = PA | libc::MAP_FIXED;
    assert_eq!(s.mmap(0, 0, RW, PA, -1, 0), Err(libc::EINVAL));
    assert_eq!(s.mmap(0x4000_0010, P, RW, fixed, -1, 0), Err(libc::EINVAL));
    assert_eq!(s.mmap(0, P, RW, PA, -1, 0x123), Err(libc::EINVAL));
    assert_eq!(
        s.mmap(0, P, RW, libc::MAP_ANONYMOUS, -1, 0),
        Err(libc::EINVAL)
    );
    assert_eq!(s.mmap(0x1000, P, RW, fixed, -1, 0), Err(libc::EPERM));
    assert_eq!(
        s.mmap(GUEST_SPACE_SIZE - P, 2 * P, RW, fixed, -1, 0),
        Err(libc::ENOMEM)
    );
    assert_eq!(
        s.mmap(0, GUEST_SPACE_SIZE + P, RW, PA, -1, 0),
        Err(libc::ENOMEM)
    );
    assert_eq!(s.mmap(0, u64::MAX, RW, PA, -1, 0), Err(libc::ENOMEM));
    assert_eq!(
        s.mmap(0, P, R, libc::MAP_PRIVATE, 9999, 0),
        Err(libc::EBADF)
    );
    assert_eq!(s.proc_maps(), "");
    assert_no_holes(&s);
}

#[test]
fn munmap_middle_splits_vma_in_two() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 3 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    fill(&s, x, 3 * P as usize, 5);
    assert_eq!(s.munmap(x + P, P), Ok(()));
    assert_eq!(
        s.proc_maps(),
        "10000000-10001000 rw-p 00000000 00:00 0 \n10002000-10003000 rw-p 00000000 00:00 0 \n"
    );
    assert_eq!(byte_at(&s, x + P), Err(libc::EFAULT));
    assert_eq!(byte_at(&s, x + 2 * P), Ok(5));
    assert_eq!(s.munmap(x + 1, P), Err(libc::EINVAL));
    assert_eq!(s.munmap(x, 0), Err(libc::EINVAL));
    assert_eq!(s.munmap(GUEST_SPACE_SIZE - P, 2 * P), Err(libc::EINVAL));
    // Unmapping nothing succeeds.
    assert_eq!(s.munmap(0x2000_0000, P), Ok(()));
    assert_no_holes(&s);
}

#[test]
fn mprotect_splits_then_merges_back() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 4 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    assert_eq!(s.mprotect(x + P, 2 * P, R), Ok(()));
    assert_eq!(
        s.proc_maps(),
        "10000000-10001000 rw-p 00000000 00:00 0 \n\
         10001000-10003000 r--p 00000000 00:00 0 \n\
         10003000-10004000 rw-p 00000000 00:00 0 \n"
    );
    assert_eq!(s.write(x + P, &[1]), Err(libc::EFAULT));
    assert_eq!(s.write(x + 3 * P, &[1]), Ok(()));
    assert_eq!(s.prot_at(x + 2 * P), Some(R));
    assert_eq!(s.mprotect(x + P, 2 * P, RW), Ok(()));
    assert_eq!(s.proc_maps(), anon_line(x, x + 4 * P, "rw-p"));
    assert_eq!(s.write(x + P, &[1]), Ok(()));
    // Exec is kept in the guest view; the host page is only readable.
    assert_eq!(s.mprotect(x, P, libc::PROT_EXEC), Ok(()));
    assert_eq!(s.prot_at(x), Some(libc::PROT_EXEC));
    assert_eq!(byte_at(&s, x), Ok(0));
    assert_eq!(s.write(x, &[1]), Err(libc::EFAULT));
    assert!(s.proc_maps().starts_with("10000000-10001000 --xp "));
}

#[test]
fn mprotect_rejects_holes_and_bad_arguments() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    assert_eq!(s.mprotect(x - P, 2 * P, R), Err(libc::ENOMEM));
    assert_eq!(s.prot_at(x), Some(RW));
    // Like Linux, the mapped part before the hole is changed.
    assert_eq!(s.mprotect(x, 2 * P, R), Err(libc::ENOMEM));
    assert_eq!(s.prot_at(x), Some(R));
    assert_eq!(s.mprotect(x + 1, P, R), Err(libc::EINVAL));
    assert_eq!(s.mprotect(x, P, 0x40), Err(libc::EINVAL));
    assert_eq!(s.mprotect(x, 0, RW), Ok(()));
    assert_eq!(s.prot_at(x), Some(R));
}

#[test]
fn mremap_grows_in_place_when_next_range_is_free() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 2 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    fill(&s, x, 2 * P as usize, 3);
    assert_eq!(s.mremap(x, 2 * P, 5 * P, 0, 0), Ok(x));
    assert_eq!(byte_at(&s, x + 2 * P - 1), Ok(3));
    assert_eq!(byte_at(&s, x + 5 * P - 1), Ok(0));
    assert_eq!(s.proc_maps(), anon_line(x, x + 5 * P, "rw-p"));
    assert_no_holes(&s);
}

#[test]
fn mremap_moves_when_blocked_and_maymove() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 2 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    s.mmap(x + 2 * P, P, R, PA | libc::MAP_FIXED, -1, 0)
        .unwrap();
    fill(&s, x, 2 * P as usize, 9);
    assert_eq!(s.mremap(x, 2 * P, 4 * P, 0, 0), Err(libc::ENOMEM));
    let y = s.mremap(x, 2 * P, 4 * P, 1, 0).unwrap();
    assert_eq!(y, GUEST_SPACE_SIZE - MMAP_STACK_GAP - 4 * P);
    assert_eq!(byte_at(&s, y + 2 * P - 1), Ok(9));
    assert_eq!(byte_at(&s, y + 4 * P - 1), Ok(0));
    assert_eq!(byte_at(&s, x), Err(libc::EFAULT));
    assert_eq!(
        s.proc_maps(),
        anon_line(x + 2 * P, x + 3 * P, "r--p") + &anon_line(y, y + 4 * P, "rw-p")
    );
    assert_no_holes(&s);
}

#[test]
fn mremap_shrinks_and_moves_to_fixed_address() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 4 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    fill(&s, x, 4 * P as usize, 4);
    assert_eq!(s.mremap(x, 4 * P, 3 * P, 0, 0), Ok(x));
    assert_eq!(byte_at(&s, x + 3 * P), Err(libc::EFAULT));
    let z = 0x2000_0000;
    s.mmap(z, 8 * P, R, PA | libc::MAP_FIXED, -1, 0).unwrap();
    // FIXED replaces what is at the target and shrinks on the way.
    assert_eq!(s.mremap(x, 3 * P, 2 * P, 3, z + P), Ok(z + P));
    assert_eq!(byte_at(&s, z + P), Ok(4));
    assert_eq!(
        s.proc_maps(),
        anon_line(z, z + P, "r--p")
            + &anon_line(z + P, z + 3 * P, "rw-p")
            + &anon_line(z + 3 * P, z + 8 * P, "r--p")
    );
    assert_eq!(s.mremap(z, P, P, 2, 0x3000_0000), Err(libc::EINVAL)); // FIXED without MAYMOVE
    assert_eq!(
        s.mremap(z + P, 2 * P, 2 * P, 3, z + 2 * P),
        Err(libc::EINVAL)
    ); // overlap
    assert_eq!(s.mremap(0x5000_0000, P, 2 * P, 1, 0), Err(libc::EFAULT));
    assert_eq!(
        s.mremap(z, 2 * P, 3 * P, 1, 0).map(|_| ()),
        Err(libc::EFAULT)
    ); // spans two VMAs
    assert_no_holes(&s);
}

#[test]
fn mremap_dontunmap_leaves_empty_source() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 2 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    fill(&s, x, 2 * P as usize, 6);
    let y = s.mremap(x, 2 * P, 2 * P, 1 | 4, 0).unwrap();
    assert_ne!(y, x);
    assert_eq!(byte_at(&s, y + P), Ok(6));
    assert_eq!(byte_at(&s, x + P), Ok(0));
    assert_eq!(s.prot_at(x), Some(RW));
    assert_eq!(s.mremap(x, P, 2 * P, 1 | 4, 0), Err(libc::EINVAL));
    assert_no_holes(&s);
}

fn temp_file(pages: usize) -> (std::fs::File, String) {
    let path = std::env::temp_dir().join(format!(
        "emu-mem-test-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    for i in 0..pages {
        f.write_all(&vec![b'a' + i as u8; P as usize]).unwrap();
    }
    let name = path.to_str().unwrap().to_string();
    (f, name)
}

fn dev_ino(f: &std::fs::File) -> ((u32, u32), u64) {
    let m = f.metadata().unwrap();
    ((libc::major(m.dev()), libc::minor(m.dev())), m.ino())
}

#[test]
fn proc_maps_shows_file_mappings_with_dev_inode_and_name() {
    let s = space();
    let (f, path) = temp_file(3);
    let (dev, ino) = dev_ino(&f);
    let x = 0x1000_0000;
    s.map_file(x, 2 * P, RX, &f, P, &path).unwrap();
    assert_eq!(byte_at(&s, x), Ok(b'b'));
    assert_eq!(byte_at(&s, x + P), Ok(b'c'));
    assert_eq!(
        s.proc_maps(),
        named_line(x, x + 2 * P, "r-xp", P, dev, ino, &path)
    );
    // Splitting a file VMA advances the second half's offset.
    s.mprotect(x + P, P, R).unwrap();
    assert_eq!(
        s.proc_maps(),
        named_line(x, x + P, "r-xp", P, dev, ino, &path)
            + &named_line(x + P, x + 2 * P, "r--p", 2 * P, dev, ino, &path)
    );
    // The guest mmap of an fd names the file through /proc/self/fd.
    let y = s.mmap(0, P, R, libc::MAP_SHARED, f.as_raw_fd(), 0).unwrap();
    assert!(s
        .proc_maps()
        .ends_with(&named_line(y, y + P, "r--s", 0, dev, ino, &path)));
    assert_eq!(byte_at(&s, y), Ok(b'a'));
    // Exact kernel column: the name starts at byte 73.
    assert_eq!(s.proc_maps().lines().next().unwrap().find('/'), Some(73));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn mremap_grows_file_mapping_in_place() {
    let s = space();
    let (f, path) = temp_file(3);
    let x = 0x1000_0000;
    s.map_file(x, P, R, &f, 0, &path).unwrap();
    assert_eq!(s.mremap(x, P, 3 * P, 0, 0), Ok(x));
    assert_eq!(byte_at(&s, x + 2 * P), Ok(b'c'));
    assert_eq!(s.vmas().len(), 1);
    // Move it elsewhere: the offset of the moved part follows.
    s.mmap(x + 3 * P, P, R, PA | libc::MAP_FIXED, -1, 0)
        .unwrap();
    let y = s.mremap(x + P, 2 * P, 2 * P, 3, 0x2000_0000).unwrap();
    assert_eq!(byte_at(&s, y), Ok(b'b'));
    match &s.vmas().iter().find(|v| v.start == y).unwrap().backing {
        Backing::File { offset, .. } => assert_eq!(*offset, P),
        b => panic!("{b:?}"),
    }
    assert_no_holes(&s);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn shared_anonymous_mapping_can_be_duplicated_with_old_len_zero() {
    let s = space();
    let x = s
        .mmap(0, P, RW, libc::MAP_SHARED | libc::MAP_ANONYMOUS, -1, 0)
        .unwrap();
    let y = s.mremap(x, 0, P, 1, 0).unwrap();
    assert_ne!(x, y);
    s.write(x, &[42]).unwrap();
    assert_eq!(byte_at(&s, y), Ok(42));
    assert!(s.proc_maps().contains("rw-s 00000000 00:01 0"));
    let p = s.mmap(0, P, RW, PA, -1, 0).unwrap();
    assert_eq!(s.mremap(p, 0, P, 1, 0), Err(libc::EINVAL));
}

#[test]
fn brk_grows_shrinks_and_queries() {
    let s = space();
    let start = 0x20_0000;
    s.set_brk_start(start);
    assert_eq!(s.brk(0), start);
    assert_eq!(s.brk(start + 0x1800), start + 0x1800);
    assert_eq!(s.brk(0), start + 0x1800);
    fill(&s, start, 0x1800, 0x11);
    assert_eq!(s.brk(start + 5 * P), start + 5 * P);
    assert_eq!(byte_at(&s, start + 0x17ff), Ok(0x11));
    assert_eq!(
        s.proc_maps(),
        named_line(start, start + 5 * P, "rw-p", 0, (0, 0), 0, "[heap]")
    );
    fill(&s, start, 5 * P as usize, 0x22);
    assert_eq!(s.brk(start + P), start + P);
    assert_eq!(byte_at(&s, start + P), Err(libc::EFAULT));
    assert_eq!(s.brk(start + 3 * P), start + 3 * P);
    assert_eq!(byte_at(&s, start + P - 1), Ok(0x22));
    assert_eq!(byte_at(&s, start + P), Ok(0));
    assert_eq!(byte_at(&s, start + 3 * P - 1), Ok(0));
    // Below the start, and into another mapping (one page gap kept): refused.
    assert_eq!(s.brk(start - P), start + 3 * P);
    s.mmap(start + 8 * P, P, R, PA | libc::MAP_FIXED, -1, 0)
        .unwrap();
    assert_eq!(s.brk(start + 8 * P), start + 3 * P);
    assert_eq!(s.brk(start + 7 * P), start + 7 * P);
    assert_no_holes(&s);
}

#[test]
fn madvise_dontneed_zeroes_private_anonymous_memory() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 2 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    fill(&s, x, 2 * P as usize, 0x33);
    assert_eq!(s.madvise(x, P, libc::MADV_DONTNEED), Ok(()));
    assert_eq!(byte_at(&s, x), Ok(0));
    assert_eq!(byte_at(&s, x + P), Ok(0x33));
    assert_eq!(s.madvise(x, 2 * P, libc::MADV_WILLNEED), Ok(()));
    assert_eq!(s.madvise(x, 3 * P, libc::MADV_NORMAL), Err(libc::ENOMEM));
    assert_eq!(s.madvise(x + 1, P, libc::MADV_NORMAL), Err(libc::EINVAL));
    assert_eq!(s.madvise(x, P, 999), Err(libc::EINVAL));
    assert_eq!(s.madvise(x, 0, libc::MADV_DONTNEED), Ok(()));
}

#[test]
fn read_and_write_fail_with_efault_outside_guest_mappings() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, P, R, PA | libc::MAP_FIXED, -1, 0).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(s.read(x + P - 8, &mut buf), Err(libc::EFAULT));
    assert_eq!(s.read(x + P - 16, &mut buf), Ok(()));
    assert_eq!(s.write(x, &buf), Err(libc::EFAULT));
    assert_eq!(s.read(GUEST_SPACE_SIZE - 8, &mut buf), Err(libc::EFAULT));
    assert_eq!(s.read(u64::MAX - 4, &mut buf), Err(libc::EFAULT));
    assert_eq!(s.write(0x100, &buf), Err(libc::EFAULT));
    // Repeated faults keep working (the handler is not left blocked).
    for _ in 0..3 {
        assert_eq!(s.write(x, &buf), Err(libc::EFAULT));
    }
    assert_eq!(s.read(x, &mut []), Ok(()));
}

#[test]
fn read_cstr_finds_nul_across_pages_and_reports_errors() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, 2 * P, RW, PA | libc::MAP_FIXED, -1, 0).unwrap();
    s.write(x + P - 3, b"abcde\0").unwrap();
    assert_eq!(s.read_cstr(x + P - 3, 4096).unwrap().as_bytes(), b"abcde");
    assert_eq!(s.read_cstr(x + P - 3, 6).unwrap().as_bytes(), b"abcde");
    assert_eq!(s.read_cstr(x + P - 3, 5), Err(libc::ENAMETOOLONG));
    fill(&s, x + P, P as usize, b'z');
    assert_eq!(s.read_cstr(x + P, 1 << 20), Err(libc::EFAULT));
    assert_eq!(s.read_cstr(0, 10), Err(libc::EFAULT));
    assert_eq!(s.read_cstr(GUEST_SPACE_SIZE, 10), Err(libc::EFAULT));
}

#[test]
fn guarded_catches_fault_on_guest_prot_none_page_twice() {
    let s = space();
    let x = 0x1000_0000;
    s.mmap(x, P, libc::PROT_NONE, PA | libc::MAP_FIXED, -1, 0)
        .unwrap();
    let p = s.host_ptr(x, 1).unwrap();
    for _ in 0..2 {
        let f = guarded(|| unsafe { std::ptr::read_volatile(p) }).unwrap_err();
        assert_eq!(f.host_addr, p as usize);
        assert_eq!((f.signal, f.code), (libc::SIGSEGV, fault::SEGV_ACCERR));
    }
    s.mprotect(x, P, RW).unwrap();
    assert_eq!(guarded(|| unsafe { std::ptr::read_volatile(p) }), Ok(0));
}

#[test]
fn exec_changes_report_unmapped_and_reprotected_code() {
    let s = space();
    let x = 0x1000_0000;
    s.map_fixed_anon(x, 4 * P, RX, None).unwrap();
    assert_eq!(s.take_exec_changes(), vec![]);
    s.munmap(x, P).unwrap();
    s.mprotect(x + P, P, RW).unwrap();
    assert_eq!(s.take_exec_changes(), vec![(x, x + P), (x + P, x + 2 * P)]);
    assert_eq!(s.take_exec_changes(), vec![]);
}

#[test]
fn map_fixed_anon_labels_stack() {
    let s = space();
    let top = GUEST_SPACE_SIZE - P;
    s.map_fixed_anon(top - 32 * P, 32 * P, RW, Some("[stack]"))
        .unwrap();
    assert_eq!(
        s.proc_maps(),
        named_line(top - 32 * P, top, "rw-p", 0, (0, 0), 0, "[stack]")
    );
    assert_eq!(s.map_fixed_anon(top + 1, P, RW, None), Err(libc::EINVAL));
    assert_eq!(s.map_fixed_anon(top, 2 * P, RW, None), Err(libc::ENOMEM));
}

#[test]
fn address_space_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<AddressSpace>();
}

#[test]
fn access_past_end_of_file_mapping_is_sigbus_and_efault() {
    let s = space();
    let (f, path) = temp_file(1);
    let x = 0x1000_0000;
    s.map_file(x, 2 * P, R, &f, 0, &path).unwrap();
    assert_eq!(byte_at(&s, x + P - 1), Ok(b'a'));
    assert_eq!(byte_at(&s, x + P), Err(libc::EFAULT));
    let p = s.host_ptr(x + P, 1).unwrap();
    let fault = guarded(|| unsafe { std::ptr::read_volatile(p) }).unwrap_err();
    assert_eq!(fault.signal, libc::SIGBUS);
    assert_eq!(fault.code, fault::BUS_ADRERR);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn concurrent_threads_map_access_and_unmap_consistently() {
    let s = space();
    std::thread::scope(|scope| {
        for t in 0..4u8 {
            let s = &s;
            scope.spawn(move || {
                for i in 0..50 {
                    let a = s.mmap(0, 3 * P, RW, PA, -1, 0).unwrap();
                    fill(s, a, 3 * P as usize, t);
                    assert_eq!(byte_at(s, a + 2 * P), Ok(t));
                    if i % 2 == 0 {
                        s.mprotect(a + P, P, R).unwrap();
                        assert_eq!(s.write(a + P, &[1]), Err(libc::EFAULT));
                    }
                    // (Another thread may map the freed range right away.)
                    s.munmap(a, 3 * P).unwrap();
                }
            });
        }
    });
    assert_eq!(s.proc_maps(), "");
    assert_no_holes(&s);
}
