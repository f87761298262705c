//! Property "fuzz" test: random bytes and random mutations (byte flips,
//! overwrites with boundary values, truncations) of a valid ELF image are fed
//! to `identify` and `parse_elf`; they must never panic.

use emu_loader::{identify, parse_elf, FileKind};
use proptest::prelude::*;

/// A small valid ELF64 little-endian executable: PHDR, INTERP, two LOADs, TLS,
/// GNU_STACK.
fn valid_elf64() -> Vec<u8> {
    let mut b = vec![0u8; 0x2000];
    b[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\x00");
    let put = |b: &mut Vec<u8>, off: usize, v: u64, w: usize| {
        b[off..off + w].copy_from_slice(&v.to_le_bytes()[..w]);
    };
    put(&mut b, 16, 2, 2); // ET_EXEC
    put(&mut b, 18, 243, 2); // EM_RISCV
    put(&mut b, 20, 1, 4);
    put(&mut b, 24, 0x10400, 8);
    put(&mut b, 32, 64, 8); // phoff
    put(&mut b, 52, 64, 2);
    put(&mut b, 54, 56, 2);
    put(&mut b, 56, 6, 2);
    let interp = b"/lib/ld-linux-riscv64-lp64d.so.1\0";
    b[0x200..0x200 + interp.len()].copy_from_slice(interp);
    let il = interp.len() as u64;
    let phdrs: [(u32, u32, u64, u64, u64, u64, u64); 6] = [
        (6, 4, 64, 0x10040, 336, 336, 8),
        (3, 4, 0x200, 0x10200, il, il, 1),
        (1, 5, 0, 0x10000, 0x1000, 0x1000, 0x1000),
        (1, 6, 0x1f00, 0x12f00, 0x100, 0x2000, 0x1000),
        (7, 4, 0x1f00, 0x12f00, 0x10, 0x40, 16),
        (0x6474_e551, 6, 0, 0, 0, 0, 16),
    ];
    for (i, &(t, f, off, va, fsz, msz, al)) in phdrs.iter().enumerate() {
        let at = 64 + i * 56;
        put(&mut b, at, t.into(), 4);
        put(&mut b, at + 4, f.into(), 4);
        put(&mut b, at + 8, off, 8);
        put(&mut b, at + 16, va, 8);
        put(&mut b, at + 24, va, 8);
        put(&mut b, at + 32, fsz, 8);
        put(&mut b, at + 40, msz, 8);
        put(&mut b, at + 48, al, 8);
    }
    b
}

/// Header + program headers: where mutations matter. Plus the interp bytes.
const HOT: usize = 64 + 6 * 56;

fn exercise(bytes: &[u8]) {
    let _ = identify(bytes);
    if let Ok(info) = parse_elf(bytes) {
        let _ = info.span();
        assert!(!info.segments.is_empty());
        for s in &info.segments {
            assert!(s.filesz <= s.memsz);
        }
    }
    if let Err(e) = parse_elf(bytes) {
        let _ = e.to_string();
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    /// Overwrite 8 bytes with a boundary value.
    Word(usize, u64),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let boundary = prop_oneof![
        Just(0u64),
        Just(1),
        Just(u64::MAX),
        Just(u64::MAX - 0xfff),
        Just(1 << 47),
        Just(0xffff_ffff),
        Just(0x8000_0000_0000_0000),
        any::<u64>(),
    ];
    prop_oneof![
        (0..HOT, 1u8..=255).prop_map(|(i, m)| Mutation::Flip(i, m)),
        (0..0x2000usize, any::<u8>()).prop_map(|(i, v)| Mutation::Set(i, v)),
        (0..HOT, boundary).prop_map(|(i, v)| Mutation::Word(i, v)),
        (0..0x2000usize).prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    match *m {
        Mutation::Flip(i, x) => {
            if let Some(b) = bytes.get_mut(i) {
                *b ^= x;
            }
        }
        Mutation::Set(i, v) => {
            if let Some(b) = bytes.get_mut(i) {
                *b = v;
            }
        }
        Mutation::Word(i, v) => {
            for (k, byte) in v.to_le_bytes().iter().enumerate() {
                if let Some(b) = bytes.get_mut(i + k) {
                    *b = *byte;
                }
            }
        }
        Mutation::Truncate(n) => bytes.truncate(n),
    }
}

#[test]
fn the_base_image_is_valid() {
    assert_eq!(identify(&valid_elf64()), FileKind::Elf);
    assert!(parse_elf(&valid_elf64()).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        exercise(&bytes);
    }

    #[test]
    fn random_bytes_with_elf_magic_never_panic(
        class in 0u8..4, data in 0u8..4,
        rest in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = vec![0x7f, b'E', b'L', b'F', class, data];
        bytes.extend(rest);
        exercise(&bytes);
    }

    #[test]
    fn mutated_elf_never_panics(muts in proptest::collection::vec(mutation(), 1..8)) {
        let mut bytes = valid_elf64();
        for m in &muts {
            apply(&mut bytes, m);
        }
        exercise(&bytes);
    }

    #[test]
    fn scripts_never_panic(line in proptest::collection::vec(
        prop_oneof![Just(b' '), Just(b'\t'), Just(b'\n'), Just(0u8), Just(b'/'), any::<u8>()],
        0..400,
    )) {
        let mut bytes = b"#!".to_vec();
        bytes.extend(line);
        if let FileKind::Script { interpreter, arg } = identify(&bytes) {
            prop_assert!(!interpreter.is_empty());
            prop_assert!(interpreter.len() < 256);
            prop_assert!(arg.map_or(0, <[u8]>::len) < 256);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random argv/envp and stack tops: `build_stack` errors or returns a
    /// 16-byte aligned image that ends exactly at `stack_top`.
    #[test]
    fn build_stack_never_panics(
        argv in proptest::collection::vec(proptest::collection::vec(1u8..=255, 0..40), 0..20),
        envp in proptest::collection::vec(proptest::collection::vec(1u8..=255, 0..40), 0..20),
        top in prop_oneof![Just(0u64), Just(0x100), Just(1 << 32), Just(u64::MAX), any::<u64>()],
        is64 in any::<bool>(),
        big in any::<bool>(),
    ) {
        use emu_loader::{build_stack, AuxvInputs, Class, Endian, StackInputs};
        let inputs = StackInputs {
            argv: &argv,
            envp: &envp,
            execfn: b"/bin/x",
            platform: b"p",
            random: [7; 16],
            auxv: AuxvInputs::default(),
            class: if is64 { Class::Elf64 } else { Class::Elf32 },
            endian: if big { Endian::Big } else { Endian::Little },
        };
        if let Ok(img) = build_stack(top, &inputs) {
            prop_assert_eq!(img.sp % 16, 0);
            prop_assert_eq!(img.sp.checked_add(img.bytes.len() as u64), Some(top));
        }
    }
}
