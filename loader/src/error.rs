//! `LoadError`: every way parsing an executable or building a stack image can fail,
//! each rendered as one clear line.

use std::fmt;

/// Why an executable could not be parsed, or a stack image could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file ends inside the named structure ("ELF identification", "ELF header").
    Truncated(&'static str),
    /// No `\x7fELF` magic.
    NotElf,
    /// The file is a Mach-O (thin or fat) executable.
    MachO,
    /// `EI_CLASS` is neither ELFCLASS32 nor ELFCLASS64.
    BadClass(u8),
    /// `EI_DATA` is neither little nor big endian.
    BadEndian(u8),
    /// A relocatable object or core dump; the payload is "ET_REL" or "ET_CORE".
    NotExecutable(&'static str),
    /// An `e_type` we do not know.
    UnknownType(u16),
    /// `e_phentsize` does not match the class.
    BadPhentsize { found: u16, expected: u16 },
    /// `e_phnum` is 0.
    NoProgramHeaders,
    /// The program header table is larger than 64 KiB.
    TooManyProgramHeaders(u16),
    /// The program header table does not fit in the file.
    PhdrTableBeyondFile {
        offset: u64,
        size: u64,
        file_size: u64,
    },
    /// A segment's file range `offset..offset+filesz` is not inside the file.
    SegmentBeyondFile {
        index: usize,
        offset: u64,
        filesz: u64,
        file_size: u64,
    },
    /// `p_filesz > p_memsz`.
    FileszExceedsMemsz {
        index: usize,
        filesz: u64,
        memsz: u64,
    },
    /// `p_memsz` alone is larger than the user address space.
    SegmentTooLarge { index: usize, memsz: u64 },
    /// `vaddr + memsz` overflows or reaches past the user address space.
    SegmentOutOfAddressSpace {
        index: usize,
        vaddr: u64,
        memsz: u64,
    },
    /// `p_align` is not 0, 1 or a power of two.
    BadAlign { index: usize, align: u64 },
    /// `p_vaddr` and `p_offset` differ modulo the page size, so it cannot be mmapped.
    Misaligned {
        index: usize,
        vaddr: u64,
        offset: u64,
    },
    /// PT_LOAD segments are not in ascending vaddr order.
    SegmentsUnsorted { index: usize },
    /// Two PT_LOAD segments' byte ranges overlap.
    SegmentsOverlap { index: usize },
    /// No PT_LOAD segment at all.
    NoLoadSegments,
    /// A malformed PT_INTERP; the payload says what is wrong.
    BadInterp(&'static str),
    /// More than one PT_INTERP.
    MultipleInterp,
    /// Arguments plus environment exceed the kernel's limit (E2BIG).
    ArgListTooLong,
    /// The stack image does not fit below `stack_top` (or above it, for 32-bit pointers).
    StackTooSmall,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LoadError::*;
        match self {
            Truncated(what) => write!(f, "truncated {what}"),
            NotElf => write!(f, "not an ELF file"),
            MachO => write!(f, "Mach-O executables are not supported yet"),
            BadClass(c) => write!(f, "bad ELF class {c} (expected 1 or 2)"),
            BadEndian(d) => write!(f, "bad ELF data encoding {d} (expected 1 or 2)"),
            NotExecutable(t) => write!(f, "not an executable ({t})"),
            UnknownType(t) => write!(f, "unknown ELF type {t:#x}"),
            BadPhentsize { found, expected } => write!(
                f,
                "e_phentsize is {found}, expected {expected} for this ELF class"
            ),
            NoProgramHeaders => write!(f, "no program headers"),
            TooManyProgramHeaders(n) => write!(f, "too many program headers ({n})"),
            PhdrTableBeyondFile {
                offset,
                size,
                file_size,
            } => write!(
                f,
                "program header table at {offset:#x} (size {size:#x}) beyond end of file (size {file_size:#x})"
            ),
            SegmentBeyondFile {
                index,
                offset,
                filesz,
                file_size,
            } => write!(
                f,
                "program header {index}: segment file range {offset:#x}+{filesz:#x} beyond end of file (size {file_size:#x})"
            ),
            FileszExceedsMemsz {
                index,
                filesz,
                memsz,
            } => write!(
                f,
                "program header {index}: p_filesz {filesz:#x} exceeds p_memsz {memsz:#x}"
            ),
            SegmentTooLarge { index, memsz } => {
                write!(f, "program header {index}: segment too large (memsz {memsz:#x})")
            }
            SegmentOutOfAddressSpace {
                index,
                vaddr,
                memsz,
            } => write!(
                f,
                "program header {index}: segment vaddr range out of the user address space (vaddr {vaddr:#x}, memsz {memsz:#x})"
            ),
            BadAlign { index, align } => write!(
                f,
                "program header {index}: p_align {align:#x} is not a power of two"
            ),
            Misaligned {
                index,
                vaddr,
                offset,
            } => write!(
                f,
                "program header {index}: p_vaddr {vaddr:#x} and p_offset {offset:#x} differ modulo the page size"
            ),
            SegmentsUnsorted { index } => write!(
                f,
                "program header {index}: PT_LOAD segments not sorted by vaddr"
            ),
            SegmentsOverlap { index } => {
                write!(f, "program header {index}: segments overlap")
            }
            NoLoadSegments => write!(f, "no PT_LOAD segments"),
            BadInterp(why) => write!(f, "PT_INTERP {why}"),
            MultipleInterp => write!(f, "more than one PT_INTERP"),
            ArgListTooLong => write!(f, "argument list too long"),
            StackTooSmall => write!(f, "initial stack image does not fit"),
        }
    }
}

impl std::error::Error for LoadError {}
