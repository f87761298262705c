//! Guest-side data: struct layouts of the generic 64-bit Linux ABI and the
//! constants whose values differ from the x86-64 host's.
//!
//! Owns: `#[repr(C)]` guest structs with size assertions and explicit
//! conversions from host structs (`structs`), flag/constant translation
//! (`consts`), and typed guest-memory access for plain-data structs ([`Pod`]).
//! Must not perform syscalls.

pub mod consts;
pub mod structs;

use crate::{Errno, Guest};
use std::mem::{size_of, MaybeUninit};

/// Plain old data: any byte pattern is a valid value and the type has no
/// pointers the host could follow.
///
/// # Safety
/// Implement only for `#[repr(C)]` structs of integers (and arrays of them).
pub unsafe trait Pod: Copy + 'static {
    fn as_bytes(&self) -> &[u8] {
        // SAFETY: Pod types are plain integers laid out by repr(C).
        unsafe { std::slice::from_raw_parts(self as *const Self as *const u8, size_of::<Self>()) }
    }
    fn zeroed() -> Self {
        // SAFETY: all-zero bytes are a valid Pod value.
        unsafe { MaybeUninit::<Self>::zeroed().assume_init() }
    }
}

/// Reads a `T` from guest memory.
pub fn read_obj<T: Pod>(g: &dyn Guest, addr: u64) -> Result<T, Errno> {
    let mut v = T::zeroed();
    // SAFETY: the slice covers exactly `v`, and any bytes form a valid Pod.
    let bytes =
        unsafe { std::slice::from_raw_parts_mut(&mut v as *mut T as *mut u8, size_of::<T>()) };
    g.read(addr, bytes)?;
    Ok(v)
}

/// Writes a `T` to guest memory.
pub fn write_obj<T: Pod>(g: &dyn Guest, addr: u64, v: &T) -> Result<(), Errno> {
    g.write(addr, v.as_bytes())
}

/// Reads `n` consecutive `T`s.
pub fn read_array<T: Pod>(g: &dyn Guest, addr: u64, n: usize) -> Result<Vec<T>, Errno> {
    (0..n)
        .map(|i| read_obj(g, addr + (i * size_of::<T>()) as u64))
        .collect()
}
