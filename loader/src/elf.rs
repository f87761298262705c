//! ELF executable parsing: header and program headers (ELF32/ELF64, both
//! endiannesses) into plain data (`ElfInfo`), with Linux-like validation of
//! hostile input. Never maps memory; the core does that from the result.

use crate::error::LoadError;
use crate::reader::Reader;

/// The page size segment placement is checked against (as Linux does).
pub const PAGE_SIZE: u64 = 4096;
/// Longest PT_INTERP path accepted, including the NUL (PATH_MAX).
pub const MAX_INTERP_LEN: u64 = 4096;
/// Largest program header table accepted, in bytes.
pub const MAX_PHDR_TABLE: u64 = 65536;

pub const PT_LOAD: u32 = 1;
pub const PT_DYNAMIC: u32 = 2;
pub const PT_INTERP: u32 = 3;
pub const PT_NOTE: u32 = 4;
pub const PT_PHDR: u32 = 6;
pub const PT_TLS: u32 = 7;
pub const PT_GNU_EH_FRAME: u32 = 0x6474_e550;
pub const PT_GNU_STACK: u32 = 0x6474_e551;
pub const PT_GNU_RELRO: u32 = 0x6474_e552;
pub const PT_GNU_PROPERTY: u32 = 0x6474_e553;
pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;

pub const EM_386: u16 = 3;
pub const EM_MIPS: u16 = 8;
pub const EM_PPC: u16 = 20;
pub const EM_PPC64: u16 = 21;
pub const EM_S390: u16 = 22;
pub const EM_ARM: u16 = 40;
pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;
pub const EM_RISCV: u16 = 243;
pub const EM_LOONGARCH: u16 = 258;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Elf32,
    Elf64,
}

impl Class {
    /// Size of an address / pointer word in bytes.
    pub fn word_size(self) -> u64 {
        match self {
            Class::Elf32 => 4,
            Class::Elf64 => 8,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfType {
    /// ET_EXEC: loaded at its link addresses.
    Exec,
    /// ET_DYN: position independent (PIE or shared object / dynamic linker); the
    /// core picks a load bias and adds it to every vaddr and to the entry.
    Dyn,
}

/// One PT_LOAD segment, exactly as in the file (vaddrs not biased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub memsz: u64,
    pub offset: u64,
    pub filesz: u64,
    pub read: bool,
    pub write: bool,
    pub exec: bool,
    pub align: u64,
}

/// The PT_TLS template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfInfo {
    pub class: Class,
    pub endian: Endian,
    pub machine: u16,
    pub elf_type: ElfType,
    /// e_flags
    pub flags: u32,
    pub entry: u64,
    pub phoff: u64,
    pub phentsize: u16,
    pub phnum: u16,
    /// PT_LOAD only, in file order (which validation guarantees is vaddr order).
    pub segments: Vec<Segment>,
    /// PT_INTERP path without the trailing NUL.
    pub interp: Option<Vec<u8>>,
    /// PT_GNU_STACK has PF_X. False when PT_GNU_STACK is absent (the riscv64 and
    /// aarch64 Linux default).
    pub stack_exec: bool,
    pub tls: Option<Tls>,
    /// Vaddr of the program headers once loaded (unbiased): PT_PHDR's p_vaddr,
    /// else derived from the PT_LOAD containing e_phoff; None if not loaded.
    pub phdr_vaddr: Option<u64>,
}

impl ElfInfo {
    /// `(start, end)`: the lowest segment vaddr rounded down to a page and the end
    /// of the highest segment (`vaddr + memsz`) rounded up to a page. Unbiased.
    /// This is the range to reserve, and `end` (+ bias) is where Linux starts brk.
    pub fn span(&self) -> (u64, u64) {
        let start = self.segments.iter().map(|s| s.vaddr).min().unwrap_or(0) & !(PAGE_SIZE - 1);
        let end = self
            .segments
            .iter()
            .map(|s| s.vaddr.saturating_add(s.memsz))
            .max()
            .unwrap_or(0);
        let end = end
            .checked_add(PAGE_SIZE - 1)
            .map_or(!(PAGE_SIZE - 1), |e| e & !(PAGE_SIZE - 1));
        (start, end)
    }

    /// Bytes of one program header for this class.
    pub fn expected_phentsize(class: Class) -> u16 {
        match class {
            Class::Elf32 => 32,
            Class::Elf64 => 56,
        }
    }
}

/// Exclusive upper bound of user virtual addresses for a class: 2^47 for 64-bit
/// (x86-64/riscv64 Sv48/aarch64 48-bit VA) and 2^32 for 32-bit.
pub fn user_space_limit(class: Class) -> u64 {
    match class {
        Class::Elf32 => 1 << 32,
        Class::Elf64 => 1 << 47,
    }
}

struct Header {
    class: Class,
    endian: Endian,
    elf_type: ElfType,
    machine: u16,
    flags: u32,
    entry: u64,
    phoff: u64,
    phentsize: u16,
    phnum: u16,
}

fn parse_header(bytes: &[u8]) -> Result<Header, LoadError> {
    if bytes.len() < 4 || bytes[..4] != *b"\x7fELF" {
        if crate::identify::is_macho(bytes) {
            return Err(LoadError::MachO);
        }
        if !bytes.is_empty() && bytes.len() < 4 && b"\x7fELF".starts_with(bytes) {
            return Err(LoadError::Truncated("ELF identification"));
        }
        return Err(LoadError::NotElf);
    }
    let ident = bytes
        .get(..16)
        .ok_or(LoadError::Truncated("ELF identification"))?;
    let class = match ident[4] {
        1 => Class::Elf32,
        2 => Class::Elf64,
        c => return Err(LoadError::BadClass(c)),
    };
    let endian = match ident[5] {
        1 => Endian::Little,
        2 => Endian::Big,
        d => return Err(LoadError::BadEndian(d)),
    };
    let header_size: usize = match class {
        Class::Elf32 => 52,
        Class::Elf64 => 64,
    };
    if bytes.len() < header_size {
        return Err(LoadError::Truncated("ELF header"));
    }
    let r = Reader::new(bytes, endian);
    let t = LoadError::Truncated("ELF header");
    let e_type = r.u16(16).ok_or(t.clone())?;
    let machine = r.u16(18).ok_or(t.clone())?;
    let (entry, phoff, flags, phentsize, phnum) = match class {
        Class::Elf32 => (
            r.word(class, 24),
            r.word(class, 28),
            r.u32(36),
            r.u16(42),
            r.u16(44),
        ),
        Class::Elf64 => (
            r.word(class, 24),
            r.word(class, 32),
            r.u32(48),
            r.u16(54),
            r.u16(56),
        ),
    };
    let elf_type = match e_type {
        1 => return Err(LoadError::NotExecutable("ET_REL")),
        2 => ElfType::Exec,
        3 => ElfType::Dyn,
        4 => return Err(LoadError::NotExecutable("ET_CORE")),
        other => return Err(LoadError::UnknownType(other)),
    };
    Ok(Header {
        class,
        endian,
        elf_type,
        machine,
        flags: flags.ok_or(t.clone())?,
        entry: entry.ok_or(t.clone())?,
        phoff: phoff.ok_or(t.clone())?,
        phentsize: phentsize.ok_or(t.clone())?,
        phnum: phnum.ok_or(t)?,
    })
}

struct Phdr {
    p_type: u32,
    flags: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

fn read_phdr(r: &Reader<'_>, class: Class, at: u64) -> Option<Phdr> {
    let f = |o: u64| at.checked_add(o);
    Some(match class {
        Class::Elf32 => Phdr {
            p_type: r.u32(f(0)?)?,
            offset: r.word(class, f(4)?)?,
            vaddr: r.word(class, f(8)?)?,
            filesz: r.word(class, f(16)?)?,
            memsz: r.word(class, f(20)?)?,
            flags: r.u32(f(24)?)?,
            align: r.word(class, f(28)?)?,
        },
        Class::Elf64 => Phdr {
            p_type: r.u32(f(0)?)?,
            flags: r.u32(f(4)?)?,
            offset: r.word(class, f(8)?)?,
            vaddr: r.word(class, f(16)?)?,
            filesz: r.word(class, f(32)?)?,
            memsz: r.word(class, f(40)?)?,
            align: r.word(class, f(48)?)?,
        },
    })
}

/// Class and machine of an ELF executable from its header alone (the first
/// 64 bytes suffice): how `execve` decides which emulator runs a file.
pub fn elf_machine(bytes: &[u8]) -> Result<(Class, u16), LoadError> {
    parse_header(bytes).map(|h| (h.class, h.machine))
}

/// Parse and validate an ELF executable (ET_EXEC or ET_DYN).
pub fn parse_elf(bytes: &[u8]) -> Result<ElfInfo, LoadError> {
    let h = parse_header(bytes)?;
    let class = h.class;
    let file_size = bytes.len() as u64;

    let expected = ElfInfo::expected_phentsize(class);
    if h.phnum == 0 {
        return Err(LoadError::NoProgramHeaders);
    }
    if h.phentsize != expected {
        return Err(LoadError::BadPhentsize {
            found: h.phentsize,
            expected,
        });
    }
    // At most 65535 * 56 bytes: cannot overflow u64.
    let table_size = u64::from(h.phnum) * u64::from(h.phentsize);
    if table_size > MAX_PHDR_TABLE {
        return Err(LoadError::TooManyProgramHeaders(h.phnum));
    }
    if h.phoff
        .checked_add(table_size)
        .is_none_or(|end| end > file_size)
    {
        return Err(LoadError::PhdrTableBeyondFile {
            offset: h.phoff,
            size: table_size,
            file_size,
        });
    }

    let r = Reader::new(bytes, h.endian);
    let limit = user_space_limit(class);
    let mut segments: Vec<Segment> = Vec::new();
    let mut interp = None;
    let mut stack_exec = false;
    let mut tls = None;
    let mut pt_phdr = None;
    // (index, end) of the previous PT_LOAD, for order and overlap checks.
    let mut prev: Option<(u64, u64)> = None;

    for index in 0..usize::from(h.phnum) {
        let at = (index as u64)
            .checked_mul(u64::from(h.phentsize))
            .and_then(|o| o.checked_add(h.phoff))
            .ok_or(LoadError::Truncated("program header table"))?;
        let p = read_phdr(&r, class, at).ok_or(LoadError::Truncated("program header table"))?;
        match p.p_type {
            PT_LOAD => {
                if p.filesz > 0 && p.offset.checked_add(p.filesz).is_none_or(|e| e > file_size) {
                    return Err(LoadError::SegmentBeyondFile {
                        index,
                        offset: p.offset,
                        filesz: p.filesz,
                        file_size,
                    });
                }
                if p.filesz > p.memsz {
                    return Err(LoadError::FileszExceedsMemsz {
                        index,
                        filesz: p.filesz,
                        memsz: p.memsz,
                    });
                }
                if p.memsz >= limit {
                    return Err(LoadError::SegmentTooLarge {
                        index,
                        memsz: p.memsz,
                    });
                }
                let end = match p.vaddr.checked_add(p.memsz) {
                    Some(e) if e <= limit && p.vaddr < limit => e,
                    _ => {
                        return Err(LoadError::SegmentOutOfAddressSpace {
                            index,
                            vaddr: p.vaddr,
                            memsz: p.memsz,
                        })
                    }
                };
                if p.align > 1 && !p.align.is_power_of_two() {
                    return Err(LoadError::BadAlign {
                        index,
                        align: p.align,
                    });
                }
                if p.filesz > 0 && p.vaddr % PAGE_SIZE != p.offset % PAGE_SIZE {
                    return Err(LoadError::Misaligned {
                        index,
                        vaddr: p.vaddr,
                        offset: p.offset,
                    });
                }
                if let Some((prev_vaddr, prev_end)) = prev {
                    if p.vaddr < prev_vaddr {
                        return Err(LoadError::SegmentsUnsorted { index });
                    }
                    // Byte ranges may share a page but not bytes. Empty segments
                    // occupy nothing.
                    if p.memsz > 0 && p.vaddr < prev_end {
                        return Err(LoadError::SegmentsOverlap { index });
                    }
                }
                if p.memsz > 0 || prev.is_none() {
                    prev = Some((p.vaddr, end));
                }
                segments.push(Segment {
                    vaddr: p.vaddr,
                    memsz: p.memsz,
                    offset: p.offset,
                    filesz: p.filesz,
                    read: p.flags & PF_R != 0,
                    write: p.flags & PF_W != 0,
                    exec: p.flags & PF_X != 0,
                    align: p.align,
                });
            }
            PT_INTERP => {
                if interp.is_some() {
                    return Err(LoadError::MultipleInterp);
                }
                if p.filesz < 2 {
                    return Err(LoadError::BadInterp("is too short"));
                }
                if p.filesz > MAX_INTERP_LEN {
                    return Err(LoadError::BadInterp("path is too long"));
                }
                let raw = r
                    .slice(p.offset, p.filesz)
                    .ok_or(LoadError::BadInterp("is beyond end of file"))?;
                let path = match raw.split_last() {
                    Some((0, path)) if !path.contains(&0) => path,
                    _ => return Err(LoadError::BadInterp("is not a NUL-terminated path")),
                };
                interp = Some(path.to_vec());
            }
            PT_GNU_STACK => stack_exec = p.flags & PF_X != 0,
            PT_TLS if tls.is_none() => {
                tls = Some(Tls {
                    vaddr: p.vaddr,
                    filesz: p.filesz,
                    memsz: p.memsz,
                    align: p.align,
                });
            }
            PT_PHDR if pt_phdr.is_none() => pt_phdr = Some(p.vaddr),
            _ => {}
        }
    }

    if segments.is_empty() {
        return Err(LoadError::NoLoadSegments);
    }

    let phdr_vaddr = pt_phdr.or_else(|| {
        segments.iter().find_map(|s| {
            let inside = s.offset <= h.phoff && h.phoff - s.offset < s.filesz;
            if inside {
                s.vaddr.checked_add(h.phoff - s.offset)
            } else {
                None
            }
        })
    });

    Ok(ElfInfo {
        class,
        endian: h.endian,
        machine: h.machine,
        elf_type: h.elf_type,
        flags: h.flags,
        entry: h.entry,
        phoff: h.phoff,
        phentsize: h.phentsize,
        phnum: h.phnum,
        segments,
        interp,
        stack_exec,
        tls,
        phdr_vaddr,
    })
}
