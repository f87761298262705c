//! Unit tests: hand-assembled ELF images (ELF32/ELF64, LE/BE), hostile
//! variations of them, file identification, and stack images decoded back.

use crate::auxv::*;
use crate::*;

// ---------------------------------------------------------------- ELF builder

#[derive(Clone)]
struct Ph {
    p_type: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

fn ph(p_type: u32, flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64, align: u64) -> Ph {
    Ph {
        p_type,
        flags,
        offset,
        vaddr,
        filesz,
        memsz,
        align,
    }
}

#[derive(Clone)]
struct Builder {
    class: Class,
    endian: Endian,
    e_type: u16,
    machine: u16,
    flags: u32,
    entry: u64,
    phoff: u64,
    phentsize: Option<u16>,
    phnum: Option<u16>,
    phdrs: Vec<Ph>,
    size: usize,
    data: Vec<(usize, Vec<u8>)>,
}

const INTERP: &[u8] = b"/lib/ld-linux-riscv64-lp64d.so.1\0";

impl Builder {
    /// A typical dynamically linked executable: PHDR, INTERP, two LOADs, TLS,
    /// GNU_STACK. The second LOAD's file bytes end exactly at the end of file.
    fn standard(class: Class, endian: Endian) -> Builder {
        let phoff = match class {
            Class::Elf32 => 52,
            Class::Elf64 => 64,
        };
        let phent = ElfInfo::expected_phentsize(class) as u64;
        Builder {
            class,
            endian,
            e_type: 2,
            machine: EM_RISCV,
            flags: 5,
            entry: 0x10400,
            phoff,
            phentsize: None,
            phnum: None,
            phdrs: vec![
                ph(
                    PT_PHDR,
                    PF_R,
                    phoff,
                    0x10000 + phoff,
                    6 * phent,
                    6 * phent,
                    8,
                ),
                ph(
                    PT_INTERP,
                    PF_R,
                    0x200,
                    0x10200,
                    INTERP.len() as u64,
                    INTERP.len() as u64,
                    1,
                ),
                ph(PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x1000, 0x1000, 0x1000),
                ph(PT_LOAD, PF_R | PF_W, 0x1f00, 0x12f00, 0x100, 0x2000, 0x1000),
                ph(PT_TLS, PF_R, 0x1f00, 0x12f00, 0x10, 0x40, 16),
                ph(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
            ],
            size: 0x2000,
            data: vec![(0x200, INTERP.to_vec())],
        }
    }

    fn put(&self, buf: &mut [u8], off: usize, value: u64, width: usize) {
        let bytes = match self.endian {
            Endian::Little => value.to_le_bytes()[..width].to_vec(),
            Endian::Big => value.to_be_bytes()[8 - width..].to_vec(),
        };
        buf[off..off + width].copy_from_slice(&bytes);
    }

    fn build(&self) -> Vec<u8> {
        let mut b = vec![0u8; self.size];
        let is64 = self.class == Class::Elf64;
        let w = if is64 { 8 } else { 4 };
        b[..4].copy_from_slice(b"\x7fELF");
        b[4] = if is64 { 2 } else { 1 };
        b[5] = if self.endian == Endian::Little { 1 } else { 2 };
        b[6] = 1;
        let phentsize = self
            .phentsize
            .unwrap_or(ElfInfo::expected_phentsize(self.class));
        let phnum = self.phnum.unwrap_or(self.phdrs.len() as u16);
        self.put(&mut b, 16, self.e_type.into(), 2);
        self.put(&mut b, 18, self.machine.into(), 2);
        self.put(&mut b, 20, 1, 4);
        self.put(&mut b, 24, self.entry, w);
        if is64 {
            self.put(&mut b, 32, self.phoff, 8);
            self.put(&mut b, 48, self.flags.into(), 4);
            self.put(&mut b, 52, 64, 2);
            self.put(&mut b, 54, phentsize.into(), 2);
            self.put(&mut b, 56, phnum.into(), 2);
        } else {
            self.put(&mut b, 28, self.phoff, 4);
            self.put(&mut b, 36, self.flags.into(), 4);
            self.put(&mut b, 40, 52, 2);
            self.put(&mut b, 42, phentsize.into(), 2);
            self.put(&mut b, 44, phnum.into(), 2);
        }
        for (i, p) in self.phdrs.iter().enumerate() {
            let at = self.phoff as usize + i * ElfInfo::expected_phentsize(self.class) as usize;
            if at + ElfInfo::expected_phentsize(self.class) as usize > b.len() {
                break;
            }
            self.put(&mut b, at, p.p_type.into(), 4);
            if is64 {
                self.put(&mut b, at + 4, p.flags.into(), 4);
                self.put(&mut b, at + 8, p.offset, 8);
                self.put(&mut b, at + 16, p.vaddr, 8);
                self.put(&mut b, at + 24, p.vaddr, 8);
                self.put(&mut b, at + 32, p.filesz, 8);
                self.put(&mut b, at + 40, p.memsz, 8);
                self.put(&mut b, at + 48, p.align, 8);
            } else {
                self.put(&mut b, at + 4, p.offset, 4);
                self.put(&mut b, at + 8, p.vaddr, 4);
                self.put(&mut b, at + 12, p.vaddr, 4);
                self.put(&mut b, at + 16, p.filesz, 4);
                self.put(&mut b, at + 20, p.memsz, 4);
                self.put(&mut b, at + 24, p.flags.into(), 4);
                self.put(&mut b, at + 28, p.align, 4);
            }
        }
        for (off, d) in &self.data {
            b[*off..*off + d.len()].copy_from_slice(d);
        }
        b
    }

    fn parse(&self) -> Result<ElfInfo, LoadError> {
        parse_elf(&self.build())
    }
}

fn all_variants() -> Vec<Builder> {
    let mut v = Vec::new();
    for class in [Class::Elf32, Class::Elf64] {
        for endian in [Endian::Little, Endian::Big] {
            v.push(Builder::standard(class, endian));
        }
    }
    v
}

fn err(b: &Builder) -> LoadError {
    match b.parse() {
        Ok(info) => panic!("expected an error, parsed {info:?}"),
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- ELF: valid

#[test]
fn parses_every_field_in_all_classes_and_endians() {
    for b in all_variants() {
        let info = b
            .parse()
            .unwrap_or_else(|e| panic!("{:?}/{:?}: {e}", b.class, b.endian));
        let phent = ElfInfo::expected_phentsize(b.class);
        assert_eq!(info.class, b.class);
        assert_eq!(info.endian, b.endian);
        assert_eq!(info.machine, EM_RISCV);
        assert_eq!(info.elf_type, ElfType::Exec);
        assert_eq!(info.flags, 5);
        assert_eq!(info.entry, 0x10400);
        assert_eq!(info.phoff, b.phoff);
        assert_eq!(info.phentsize, phent);
        assert_eq!(info.phnum, 6);
        assert_eq!(
            info.segments,
            vec![
                Segment {
                    vaddr: 0x10000,
                    memsz: 0x1000,
                    offset: 0,
                    filesz: 0x1000,
                    read: true,
                    write: false,
                    exec: true,
                    align: 0x1000
                },
                Segment {
                    vaddr: 0x12f00,
                    memsz: 0x2000,
                    offset: 0x1f00,
                    filesz: 0x100,
                    read: true,
                    write: true,
                    exec: false,
                    align: 0x1000
                },
            ]
        );
        assert_eq!(
            info.interp.as_deref(),
            Some(&b"/lib/ld-linux-riscv64-lp64d.so.1"[..])
        );
        assert!(!info.stack_exec);
        assert_eq!(
            info.tls,
            Some(Tls {
                vaddr: 0x12f00,
                filesz: 0x10,
                memsz: 0x40,
                align: 16
            })
        );
        assert_eq!(info.phdr_vaddr, Some(0x10000 + b.phoff));
        assert_eq!(info.span(), (0x10000, 0x15000));
    }
}

#[test]
fn et_dyn_and_exec_stack() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.e_type = 3;
    b.phdrs[5].flags = PF_R | PF_W | PF_X;
    let info = b.parse().unwrap();
    assert_eq!(info.elf_type, ElfType::Dyn);
    assert!(info.stack_exec);
}

#[test]
fn phdr_vaddr_falls_back_to_containing_load() {
    for mut b in all_variants() {
        b.phdrs[0].p_type = PT_NOTE;
        let info = b.parse().unwrap();
        assert_eq!(info.phdr_vaddr, Some(0x10000 + b.phoff));
        // Program headers outside every PT_LOAD: not loaded.
        b.phdrs[2].offset = 0x1000;
        b.phdrs[2].vaddr = 0x11000;
        b.phdrs[2].filesz = 0x100;
        b.phdrs[2].memsz = 0x100;
        assert_eq!(b.parse().unwrap().phdr_vaddr, None);
    }
}

#[test]
fn static_executable_without_interp_or_gnu_stack() {
    let mut b = Builder::standard(Class::Elf32, Endian::Big);
    b.phdrs.retain(|p| p.p_type == PT_LOAD);
    let info = b.parse().unwrap();
    assert_eq!(info.interp, None);
    assert_eq!(info.tls, None);
    assert!(!info.stack_exec);
    assert_eq!(info.segments.len(), 2);
}

#[test]
fn segments_sharing_a_page_are_fine() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    // First LOAD ends at 0x10800; the second starts in that same page.
    b.phdrs[2].filesz = 0x800;
    b.phdrs[2].memsz = 0x800;
    b.phdrs[3].vaddr = 0x10f00; // same page as the end of the first, no shared bytes
    let info = b.parse().unwrap();
    assert_eq!(info.span(), (0x10000, 0x13000));
    b.phdrs[3].vaddr = 0x10800 - 0x100 + 0x1000; // next page: fine too
    assert!(b.parse().is_err()); // (misaligned: 0x11700 vs offset 0x1f00)
    b.phdrs[3].vaddr = 0x11f00;
    assert!(b.parse().is_ok());
}

#[test]
fn zero_filesz_segment_may_point_past_eof() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phdrs[3].offset = 0x9_9f00;
    b.phdrs[3].filesz = 0;
    b.phdrs[4].p_type = PT_NOTE;
    assert!(b.parse().is_ok());
}

// ---------------------------------------------------------------- ELF: hostile

#[test]
fn every_truncation_is_an_error() {
    for b in all_variants() {
        let full = b.build();
        assert!(parse_elf(&full).is_ok());
        for len in 0..full.len() {
            assert!(parse_elf(&full[..len]).is_err(), "len {len}");
        }
    }
}

#[test]
fn truncated_header_messages() {
    let full = Builder::standard(Class::Elf64, Endian::Little).build();
    assert_eq!(parse_elf(&[]).unwrap_err(), LoadError::NotElf);
    assert_eq!(
        parse_elf(&full[..3]).unwrap_err().to_string(),
        "truncated ELF identification"
    );
    assert_eq!(
        parse_elf(&full[..10]).unwrap_err().to_string(),
        "truncated ELF identification"
    );
    assert_eq!(
        parse_elf(&full[..63]).unwrap_err().to_string(),
        "truncated ELF header"
    );
    assert!(matches!(
        parse_elf(&full[..64]).unwrap_err(),
        LoadError::PhdrTableBeyondFile { .. }
    ));
}

#[test]
fn bad_ident() {
    let mut img = Builder::standard(Class::Elf64, Endian::Little).build();
    img[4] = 3;
    assert_eq!(parse_elf(&img).unwrap_err(), LoadError::BadClass(3));
    img[4] = 2;
    img[5] = 0;
    assert_eq!(parse_elf(&img).unwrap_err(), LoadError::BadEndian(0));
    assert_eq!(parse_elf(b"MZ\x90\0").unwrap_err(), LoadError::NotElf);
}

#[test]
fn rejects_rel_and_core() {
    let mut b = Builder::standard(Class::Elf64, Endian::Big);
    b.e_type = 1;
    assert_eq!(err(&b).to_string(), "not an executable (ET_REL)");
    b.e_type = 4;
    assert_eq!(err(&b).to_string(), "not an executable (ET_CORE)");
    b.e_type = 0x1234;
    assert_eq!(err(&b), LoadError::UnknownType(0x1234));
}

#[test]
fn phdr_table_checks() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phentsize = Some(32);
    assert_eq!(
        err(&b),
        LoadError::BadPhentsize {
            found: 32,
            expected: 56
        }
    );
    let mut b = Builder::standard(Class::Elf32, Endian::Little);
    b.phnum = Some(0);
    assert_eq!(err(&b), LoadError::NoProgramHeaders);
    b.phnum = Some(0xffff);
    assert_eq!(err(&b), LoadError::TooManyProgramHeaders(0xffff));
    b.phnum = Some(1000); // 32000 bytes: allowed size, but beyond the file
    assert!(matches!(err(&b), LoadError::PhdrTableBeyondFile { .. }));
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phoff = u64::MAX - 8;
    b.phdrs.clear();
    b.phnum = Some(2);
    assert!(matches!(err(&b), LoadError::PhdrTableBeyondFile { .. }));
}

#[test]
fn segment_beyond_file() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phdrs[3].filesz = 0x101;
    let e = err(&b);
    assert_eq!(
        e,
        LoadError::SegmentBeyondFile {
            index: 3,
            offset: 0x1f00,
            filesz: 0x101,
            file_size: 0x2000
        }
    );
    assert_eq!(
        e.to_string(),
        "program header 3: segment file range 0x1f00+0x101 beyond end of file (size 0x2000)"
    );
    b.phdrs[3].offset = u64::MAX;
    assert!(matches!(err(&b), LoadError::SegmentBeyondFile { .. }));
}

#[test]
fn filesz_exceeds_memsz() {
    let mut b = Builder::standard(Class::Elf32, Endian::Big);
    b.phdrs[2].memsz = 0xfff;
    assert_eq!(
        err(&b),
        LoadError::FileszExceedsMemsz {
            index: 2,
            filesz: 0x1000,
            memsz: 0xfff
        }
    );
}

#[test]
fn vaddr_overflow_and_address_space() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phdrs[3].vaddr = 0xffff_ffff_ffff_ff00;
    let e = err(&b);
    assert!(matches!(
        e,
        LoadError::SegmentOutOfAddressSpace { index: 3, .. }
    ));
    assert!(e
        .to_string()
        .contains("segment vaddr range out of the user address space"));
    b.phdrs[3].vaddr = (1 << 47) - 0x100;
    assert!(matches!(
        err(&b),
        LoadError::SegmentOutOfAddressSpace { .. }
    ));
    b.phdrs[3].vaddr = 0x12f00;
    b.phdrs[3].memsz = 1 << 50;
    assert!(matches!(err(&b), LoadError::SegmentTooLarge { .. }));
    assert!(err(&b).to_string().contains("segment too large"));
    // ELF32: vaddr + memsz past 4 GiB.
    let mut b = Builder::standard(Class::Elf32, Endian::Little);
    b.phdrs[3].vaddr = 0xffff_ff00;
    assert!(matches!(
        err(&b),
        LoadError::SegmentOutOfAddressSpace { .. }
    ));
}

#[test]
fn alignment_checks() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phdrs[3].align = 0x3000;
    assert_eq!(
        err(&b),
        LoadError::BadAlign {
            index: 3,
            align: 0x3000
        }
    );
    b.phdrs[3].align = 0;
    assert!(b.parse().is_ok());
    b.phdrs[3].vaddr = 0x12f08;
    assert!(matches!(err(&b), LoadError::Misaligned { index: 3, .. }));
}

#[test]
fn overlapping_and_unsorted_segments() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phdrs[3].vaddr = 0x10f00; // inside the first LOAD's bytes
    assert_eq!(err(&b), LoadError::SegmentsOverlap { index: 3 });
    assert!(err(&b).to_string().contains("segments overlap"));
    b.phdrs[3].vaddr = 0xf00;
    assert_eq!(err(&b), LoadError::SegmentsUnsorted { index: 3 });
}

#[test]
fn no_load_segments() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    for p in &mut b.phdrs {
        if p.p_type == PT_LOAD {
            p.p_type = PT_NOTE;
        }
    }
    assert_eq!(err(&b), LoadError::NoLoadSegments);
}

#[test]
fn interp_checks() {
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.data = vec![(0x200, b"/lib/ld.so.1XXXXXXXXXXXXXXXXXXXXX".to_vec())];
    assert_eq!(
        err(&b).to_string(),
        "PT_INTERP is not a NUL-terminated path"
    );
    b.data = vec![(0x200, b"/lib/ld\0so.1XXXXXXXXXXXXXXXXXXXX\0".to_vec())];
    assert_eq!(
        err(&b),
        LoadError::BadInterp("is not a NUL-terminated path")
    );
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phdrs[1].offset = 0x1ff0;
    assert_eq!(err(&b), LoadError::BadInterp("is beyond end of file"));
    b.phdrs[1].offset = u64::MAX;
    assert_eq!(err(&b), LoadError::BadInterp("is beyond end of file"));
    b.phdrs[1].filesz = 5000;
    assert_eq!(err(&b), LoadError::BadInterp("path is too long"));
    b.phdrs[1].filesz = 1;
    assert_eq!(err(&b), LoadError::BadInterp("is too short"));
    let mut b = Builder::standard(Class::Elf64, Endian::Little);
    b.phdrs[5] = b.phdrs[1].clone();
    assert_eq!(err(&b), LoadError::MultipleInterp);
}

#[test]
fn macho_is_reported() {
    assert_eq!(
        parse_elf(&0xfeed_facf_u32.to_le_bytes())
            .unwrap_err()
            .to_string(),
        "Mach-O executables are not supported yet"
    );
}

// ---------------------------------------------------------------- real file

#[test]
fn parses_host_bin_ls() {
    let Ok(bytes) = std::fs::read("/bin/ls") else {
        eprintln!("no /bin/ls; skipping");
        return;
    };
    assert_eq!(identify(&bytes), FileKind::Elf);
    let info = parse_elf(&bytes).unwrap();
    assert_eq!(info.machine, EM_X86_64);
    assert_eq!(info.class, Class::Elf64);
    assert_eq!(info.endian, Endian::Little);
    assert_eq!(machine_name(info.machine, info.class), "x86_64");
    assert_eq!(emulator_name(info.machine, info.class), None);
    assert!(!info.segments.is_empty());
    if info.elf_type == ElfType::Dyn {
        assert_eq!(
            info.interp.as_deref(),
            Some(&b"/lib64/ld-linux-x86-64.so.2"[..])
        );
    }
    assert!(info.phdr_vaddr.is_some());
    let (start, end) = info.span();
    assert!(start < end && start % 4096 == 0 && end % 4096 == 0);
}

// ---------------------------------------------------------------- identify

#[test]
fn identify_kinds() {
    assert_eq!(identify(b"\x7fELF"), FileKind::Elf);
    assert_eq!(identify(b""), FileKind::Unknown);
    assert_eq!(identify(b"\x7fEL"), FileKind::Unknown);
    for magic in [0xfeed_face_u32, 0xfeed_facf] {
        assert_eq!(identify(&magic.to_be_bytes()), FileKind::MachO);
        assert_eq!(identify(&magic.to_le_bytes()), FileKind::MachO);
    }
    // Fat binary with 2 archs vs a Java class file (version 52.0).
    assert_eq!(identify(b"\xca\xfe\xba\xbe\0\0\0\x02"), FileKind::MachO);
    assert_eq!(identify(b"\xbe\xba\xfe\xca\x02\0\0\0"), FileKind::MachO);
    assert_eq!(identify(b"\xca\xfe\xba\xbe\0\0\0\x34"), FileKind::Unknown);
    assert_eq!(identify(b"\xca\xfe\xba\xbe"), FileKind::Unknown);
}

fn script(bytes: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    match identify(bytes) {
        FileKind::Script { interpreter, arg } => Some((interpreter, arg)),
        _ => None,
    }
}

#[test]
fn identify_scripts_like_binfmt_script() {
    let s = |i: &'static [u8], a: Option<&'static [u8]>| Some((i, a));
    assert_eq!(script(b"#!/bin/sh\necho hi\n"), s(b"/bin/sh", None));
    assert_eq!(script(b"#! /bin/sh  \t\n"), s(b"/bin/sh", None));
    assert_eq!(
        script(b"#!/usr/bin/env  python3 -u \nprint()\n"),
        s(b"/usr/bin/env", Some(b"python3 -u"))
    );
    assert_eq!(script(b"#!\t/bin/bash\t-e\n"), s(b"/bin/bash", Some(b"-e")));
    // No newline at all, short file.
    assert_eq!(script(b"#!/bin/sh"), s(b"/bin/sh", None));
    assert_eq!(script(b"#!/bin/sh -x"), s(b"/bin/sh", Some(b"-x")));
    // CR is not whitespace to the kernel.
    assert_eq!(script(b"#!/bin/sh\r\n"), s(b"/bin/sh\r", None));
    // Nothing after "#!".
    assert_eq!(script(b"#!\n"), None);
    assert_eq!(script(b"#!   \t \n"), None);
    assert_eq!(script(b"#!"), None);
    // A 300-byte interpreter path with no terminator in the first 256 bytes: the
    // kernel refuses (ENOEXEC) rather than run a truncated path.
    let mut long = b"#!/".to_vec();
    long.extend(std::iter::repeat_n(b'a', 300));
    assert_eq!(script(&long), None);
    // A long line whose interpreter ends early: the argument is cut at 255 bytes.
    let mut long = b"#!/bin/sh ".to_vec();
    long.extend(std::iter::repeat_n(b'b', 300));
    let (i, a) = script(&long).unwrap();
    assert_eq!(i, b"/bin/sh");
    assert_eq!(a.unwrap().len(), 255 - 10);
}

#[test]
fn machine_names() {
    assert_eq!(machine_name(243, Class::Elf64), "riscv64");
    assert_eq!(emulator_name(243, Class::Elf64), Some("emu-riscv64"));
    assert_eq!(machine_name(183, Class::Elf64), "aarch64");
    assert_eq!(emulator_name(183, Class::Elf64), Some("emu-aarch64"));
    assert_eq!(machine_name(62, Class::Elf64), "x86_64");
    assert_eq!(machine_name(40, Class::Elf32), "arm");
    assert_eq!(machine_name(8, Class::Elf32), "mips");
    assert_eq!(machine_name(3, Class::Elf32), "i386");
    assert_eq!(machine_name(21, Class::Elf64), "ppc64");
    assert_eq!(machine_name(22, Class::Elf64), "s390x");
    assert_eq!(machine_name(0xbeef, Class::Elf64), "unknown");
    assert_eq!(emulator_name(0xbeef, Class::Elf64), None);
}

// ---------------------------------------------------------------- stack image

struct Decoded {
    argc: u64,
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
    auxv: Vec<(u64, u64)>,
}

fn read_word(img: &StackImage, class: Class, endian: Endian, addr: u64) -> u64 {
    let at = (addr - img.sp) as usize;
    let w = class.word_size() as usize;
    let b = &img.bytes[at..at + w];
    let mut buf = [0u8; 8];
    match endian {
        Endian::Little => {
            buf[..w].copy_from_slice(b);
            u64::from_le_bytes(buf)
        }
        Endian::Big => {
            buf[8 - w..].copy_from_slice(b);
            u64::from_be_bytes(buf)
        }
    }
}

fn read_cstr(img: &StackImage, addr: u64) -> Vec<u8> {
    let at = (addr - img.sp) as usize;
    let end = img.bytes[at..].iter().position(|&c| c == 0).unwrap();
    img.bytes[at..at + end].to_vec()
}

fn decode(img: &StackImage, class: Class, endian: Endian) -> Decoded {
    let w = class.word_size();
    let rd = |a| read_word(img, class, endian, a);
    let mut a = img.sp;
    let argc = rd(a);
    a += w;
    let mut argv = Vec::new();
    loop {
        let p = rd(a);
        a += w;
        if p == 0 {
            break;
        }
        argv.push(read_cstr(img, p));
    }
    let mut envp = Vec::new();
    loop {
        let p = rd(a);
        a += w;
        if p == 0 {
            break;
        }
        envp.push(read_cstr(img, p));
    }
    let mut auxv = Vec::new();
    loop {
        let (k, v) = (rd(a), rd(a + w));
        a += 2 * w;
        auxv.push((k, v));
        if k == AT_NULL {
            break;
        }
    }
    Decoded {
        argc,
        argv,
        envp,
        auxv,
    }
}

fn sample_inputs<'a>(
    argv: &'a [Vec<u8>],
    envp: &'a [Vec<u8>],
    class: Class,
    endian: Endian,
) -> StackInputs<'a> {
    StackInputs {
        argv,
        envp,
        execfn: b"/usr/bin/prog",
        platform: b"riscv64",
        random: *b"0123456789abcdef",
        auxv: AuxvInputs {
            phdr: 0x10040,
            phent: 56,
            phnum: 9,
            pagesz: 4096,
            base: 0x4000_0000,
            flags: 0,
            entry: 0x10400,
            uid: 1000,
            euid: 1001,
            gid: 100,
            egid: 101,
            secure: 0,
            hwcap: 0x112d,
            clktck: 100,
            minsigstksz: 0,
        },
        class,
        endian,
    }
}

#[test]
fn stack_image_round_trips() {
    let argv = vec![
        b"prog".to_vec(),
        b"-x".to_vec(),
        b"".to_vec(),
        b"last arg".to_vec(),
    ];
    let envp = vec![b"HOME=/root".to_vec(), b"A=b".to_vec()];
    for (class, endian, top) in [
        (Class::Elf64, Endian::Little, 0x7fff_f000_0000_u64),
        (Class::Elf32, Endian::Big, 0xc000_0000),
        (Class::Elf64, Endian::Big, 0x4000_0000_0008),
        (Class::Elf32, Endian::Little, 0x1_0000_0000),
    ] {
        let inputs = sample_inputs(&argv, &envp, class, endian);
        let img = build_stack(top, &inputs).unwrap();
        assert_eq!(img.sp % 16, 0);
        assert_eq!(img.sp + img.bytes.len() as u64, top);
        // The top word is zero and the execfn string sits right below it.
        assert!(img.bytes[img.bytes.len() - 8..].iter().all(|&b| b == 0));
        let d = decode(&img, class, endian);
        assert_eq!(d.argc, 4);
        assert_eq!(d.argv, argv);
        assert_eq!(d.envp, envp);
        assert_eq!(d.auxv, img.auxv);
        let get = |k| d.auxv.iter().find(|p| p.0 == k).map(|p| p.1);
        let keys: Vec<u64> = d.auxv.iter().map(|p| p.0).collect();
        assert_eq!(
            keys,
            vec![
                AT_HWCAP,
                AT_PAGESZ,
                AT_CLKTCK,
                AT_PHDR,
                AT_PHENT,
                AT_PHNUM,
                AT_BASE,
                AT_FLAGS,
                AT_ENTRY,
                AT_UID,
                AT_EUID,
                AT_GID,
                AT_EGID,
                AT_SECURE,
                AT_RANDOM,
                AT_EXECFN,
                AT_PLATFORM,
                AT_NULL
            ]
        );
        assert_eq!(get(AT_PHDR), Some(0x10040));
        assert_eq!(get(AT_BASE), Some(0x4000_0000));
        assert_eq!(get(AT_EUID), Some(1001));
        assert_eq!(get(AT_HWCAP), Some(0x112d));
        let rnd = get(AT_RANDOM).unwrap();
        let at = (rnd - img.sp) as usize;
        assert_eq!(&img.bytes[at..at + 16], b"0123456789abcdef");
        let execfn = get(AT_EXECFN).unwrap();
        assert_eq!(read_cstr(&img, execfn), b"/usr/bin/prog");
        assert_eq!(execfn + 14 + 8, top);
        assert_eq!(read_cstr(&img, get(AT_PLATFORM).unwrap()), b"riscv64");
        // Random bytes and platform lie above the vectors and below the strings.
        assert!(rnd > img.sp && rnd + 16 <= get(AT_PLATFORM).unwrap());
        // String ranges for /proc/self/cmdline and environ.
        let cmdline =
            &img.bytes[(img.argv_start - img.sp) as usize..(img.argv_end - img.sp) as usize];
        assert_eq!(cmdline, b"prog\0-x\0\0last arg\0");
        let environ =
            &img.bytes[(img.envp_start - img.sp) as usize..(img.envp_end - img.sp) as usize];
        assert_eq!(environ, b"HOME=/root\0A=b\0");
        assert_eq!(img.envp_end, execfn);
    }
}

#[test]
fn stack_optional_auxv_entries() {
    let argv = vec![b"a".to_vec()];
    let mut inputs = sample_inputs(&argv, &[], Class::Elf64, Endian::Little);
    inputs.platform = b"";
    inputs.auxv.minsigstksz = 2048;
    let img = build_stack(0x8000_0000, &inputs).unwrap();
    assert!(!img.auxv.iter().any(|p| p.0 == AT_PLATFORM));
    assert_eq!(img.auxv[0], (AT_MINSIGSTKSZ, 2048));
    assert_eq!(img.auxv.last(), Some(&(AT_NULL, 0)));
    let d = decode(&img, Class::Elf64, Endian::Little);
    assert_eq!(d.envp.len(), 0);
    assert_eq!(d.auxv, img.auxv);
}

#[test]
fn stack_limits() {
    let big = vec![vec![b'x'; 100_000]; 30]; // 3 MB > 2 MiB
    let inputs = sample_inputs(&big, &[], Class::Elf64, Endian::Little);
    assert_eq!(
        build_stack(0x7fff_0000_0000, &inputs).unwrap_err(),
        LoadError::ArgListTooLong
    );
    let huge = vec![vec![b'x'; 200_000]]; // one string over MAX_ARG_STRLEN
    let inputs = sample_inputs(&huge, &[], Class::Elf64, Endian::Little);
    assert_eq!(
        build_stack(0x7fff_0000_0000, &inputs).unwrap_err(),
        LoadError::ArgListTooLong
    );
    let argv = vec![b"a".to_vec()];
    let inputs = sample_inputs(&argv, &[], Class::Elf64, Endian::Little);
    assert_eq!(
        build_stack(0x100, &inputs).unwrap_err(),
        LoadError::StackTooSmall
    );
    let inputs = sample_inputs(&argv, &[], Class::Elf32, Endian::Little);
    assert_eq!(
        build_stack(0x1_0000_1000, &inputs).unwrap_err(),
        LoadError::StackTooSmall
    );
    // Just under the limit works.
    let ok = vec![vec![b'y'; 100_000]; 20];
    let inputs = sample_inputs(&ok, &[], Class::Elf64, Endian::Little);
    assert!(build_stack(0x7fff_0000_0000, &inputs).is_ok());
}

#[test]
fn auxv_names() {
    assert_eq!(auxv::name(AT_RANDOM), Some("RANDOM"));
    assert_eq!(auxv::name(AT_MINSIGSTKSZ), Some("MINSIGSTKSZ"));
    assert_eq!(auxv::name(999), None);
}

#[test]
fn elf_machine_reads_only_the_header() {
    let host = std::fs::read("/bin/true").expect("/bin/true");
    assert_eq!(elf_machine(&host[..64]), Ok((Class::Elf64, 62)));
    assert_eq!(elf_machine(b"#!/bin/sh\n"), Err(LoadError::NotElf));
}
