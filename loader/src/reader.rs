//! A tiny bounds-checked byte reader: fixed-width integers at file offsets in a
//! given endianness. Every read returns `None` instead of panicking.

use crate::elf::{Class, Endian};

#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    endian: Endian,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], endian: Endian) -> Self {
        Reader { bytes, endian }
    }

    /// `len` bytes at `off`, or `None` if any of them lies outside the buffer.
    pub(crate) fn slice(&self, off: u64, len: u64) -> Option<&'a [u8]> {
        let start = usize::try_from(off).ok()?;
        let len = usize::try_from(len).ok()?;
        let end = start.checked_add(len)?;
        self.bytes.get(start..end)
    }

    fn array<const N: usize>(&self, off: u64) -> Option<[u8; N]> {
        self.slice(off, N as u64)?.try_into().ok()
    }

    pub(crate) fn u16(&self, off: u64) -> Option<u16> {
        let a = self.array(off)?;
        Some(match self.endian {
            Endian::Little => u16::from_le_bytes(a),
            Endian::Big => u16::from_be_bytes(a),
        })
    }

    pub(crate) fn u32(&self, off: u64) -> Option<u32> {
        let a = self.array(off)?;
        Some(match self.endian {
            Endian::Little => u32::from_le_bytes(a),
            Endian::Big => u32::from_be_bytes(a),
        })
    }

    pub(crate) fn u64(&self, off: u64) -> Option<u64> {
        let a = self.array(off)?;
        Some(match self.endian {
            Endian::Little => u64::from_le_bytes(a),
            Endian::Big => u64::from_be_bytes(a),
        })
    }

    /// An address-sized word: 4 bytes for ELF32, 8 for ELF64, widened to u64.
    pub(crate) fn word(&self, class: Class, off: u64) -> Option<u64> {
        match class {
            Class::Elf32 => self.u32(off).map(u64::from),
            Class::Elf64 => self.u64(off),
        }
    }
}

/// Encode `value` as an address-sized word of `class` in `endian` into `out`
/// (which must be exactly 4 or 8 bytes long; other lengths are left untouched).
pub(crate) fn put_word(out: &mut [u8], value: u64, endian: Endian) {
    match (out.len(), endian) {
        (4, Endian::Little) => out.copy_from_slice(&(value as u32).to_le_bytes()),
        (4, Endian::Big) => out.copy_from_slice(&(value as u32).to_be_bytes()),
        (8, Endian::Little) => out.copy_from_slice(&value.to_le_bytes()),
        (8, Endian::Big) => out.copy_from_slice(&value.to_be_bytes()),
        _ => {}
    }
}
