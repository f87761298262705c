//! The initial process stack image (argc, argv, envp, auxv and the strings they
//! point to), laid out like Linux's fs/binfmt_elf.c `create_elf_tables`.
//!
//! From `stack_top` downward: one zero pointer-sized word (8 bytes; Linux starts
//! at `vm_end - sizeof(void *)`), the execfn string, the env strings, the argv
//! strings (each group in order, so `argv[0]` is lowest), align down to 16, the
//! platform string, the 16 AT_RANDOM bytes, then the vector block ending (after
//! padding) below them: argc, argv pointers, NULL, envp pointers, NULL, auxv
//! pairs ending with AT_NULL. `sp` points to argc and is 16-byte aligned.

use crate::auxv::*;
use crate::elf::{Class, Endian};
use crate::error::LoadError;
use crate::reader::put_word;

/// Linux's default RLIMIT_STACK; argv+envp may use a quarter of it.
pub const DEFAULT_STACK_RLIMIT: u64 = 8 << 20;
/// Linux's MAX_ARG_STRLEN: the longest single argument or environment string
/// (including its NUL).
pub const MAX_ARG_STRLEN: u64 = 32 * 4096;

/// The values of the auxv entries that are not addresses inside the image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuxvInputs {
    /// Biased address of the program headers in guest memory.
    pub phdr: u64,
    pub phent: u64,
    pub phnum: u64,
    pub pagesz: u64,
    /// Load address of the interpreter (0 if none).
    pub base: u64,
    pub flags: u64,
    /// The program's (biased) entry point, not the interpreter's.
    pub entry: u64,
    pub uid: u64,
    pub euid: u64,
    pub gid: u64,
    pub egid: u64,
    pub secure: u64,
    pub hwcap: u64,
    pub clktck: u64,
    /// AT_MINSIGSTKSZ; the entry is omitted when 0.
    pub minsigstksz: u64,
}

#[derive(Debug, Clone)]
pub struct StackInputs<'a> {
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// AT_EXECFN string (the path given to execve); stored at the very top.
    pub execfn: &'a [u8],
    /// AT_PLATFORM string; when empty, neither the string nor AT_PLATFORM is emitted.
    pub platform: &'a [u8],
    pub random: [u8; 16],
    pub auxv: AuxvInputs,
    pub class: Class,
    pub endian: Endian,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackImage {
    /// Initial stack pointer (points to argc; 16-byte aligned).
    pub sp: u64,
    /// Contents of guest memory `sp..stack_top`.
    pub bytes: Vec<u8>,
    /// The auxv pairs in order, including the final `(AT_NULL, 0)`.
    pub auxv: Vec<(u64, u64)>,
    /// Guest range `argv_start..argv_end` of the NUL-terminated argv strings.
    pub argv_start: u64,
    pub argv_end: u64,
    /// Guest range `envp_start..envp_end` of the NUL-terminated env strings.
    pub envp_start: u64,
    pub envp_end: u64,
}

/// Bytes occupied by a NUL-terminated copy of `s`, or E2BIG if over MAX_ARG_STRLEN.
fn string_size(s: &[u8]) -> Result<u64, LoadError> {
    (s.len() as u64)
        .checked_add(1)
        .filter(|&l| l <= MAX_ARG_STRLEN)
        .ok_or(LoadError::ArgListTooLong)
}

/// Bytes occupied by NUL-terminated copies of `strings`, or E2BIG.
fn strings_size(strings: &[Vec<u8>]) -> Result<u64, LoadError> {
    strings.iter().try_fold(0u64, |acc, s| {
        acc.checked_add(string_size(s)?)
            .ok_or(LoadError::ArgListTooLong)
    })
}

fn down(p: u64, n: u64) -> Result<u64, LoadError> {
    p.checked_sub(n).ok_or(LoadError::StackTooSmall)
}

/// Build the initial stack image that ends at `stack_top` (exclusive).
pub fn build_stack(stack_top: u64, inputs: &StackInputs) -> Result<StackImage, LoadError> {
    let word = inputs.class.word_size();
    let argc = inputs.argv.len() as u64;
    let envc = inputs.envp.len() as u64;

    // Linux's bprm_stack_limits + copy_strings: strings plus pointers must fit
    // in a quarter of the stack rlimit, and each string in MAX_ARG_STRLEN.
    let argv_size = strings_size(inputs.argv)?;
    let envp_size = strings_size(inputs.envp)?;
    let execfn_size = string_size(inputs.execfn)?;
    let ptr_size = argc
        .max(1)
        .checked_add(envc)
        .and_then(|n| n.checked_mul(word))
        .ok_or(LoadError::ArgListTooLong)?;
    let total = [envp_size, execfn_size, ptr_size]
        .iter()
        .try_fold(argv_size, |a, &b| a.checked_add(b))
        .ok_or(LoadError::ArgListTooLong)?;
    if total > DEFAULT_STACK_RLIMIT / 4 {
        return Err(LoadError::ArgListTooLong);
    }
    let platform_size = if inputs.platform.is_empty() {
        0
    } else {
        string_size(inputs.platform)?
    };
    if inputs.class == Class::Elf32 && stack_top > 1 << 32 {
        return Err(LoadError::StackTooSmall);
    }

    // Strings, from the top down.
    let mut p = down(stack_top, 8)?;
    let execfn_addr = down(p, execfn_size)?;
    let envp_start = down(execfn_addr, envp_size)?;
    let argv_start = down(envp_start, argv_size)?;
    p = argv_start & !15;
    let platform_addr = down(p, platform_size)?;
    let random_addr = down(platform_addr, 16)?;

    // The auxiliary vector, in create_elf_tables order (ARCH_DLINFO first).
    let a = &inputs.auxv;
    let mut auxv: Vec<(u64, u64)> = Vec::with_capacity(24);
    if a.minsigstksz != 0 {
        auxv.push((AT_MINSIGSTKSZ, a.minsigstksz));
    }
    auxv.extend_from_slice(&[
        (AT_HWCAP, a.hwcap),
        (AT_PAGESZ, a.pagesz),
        (AT_CLKTCK, a.clktck),
        (AT_PHDR, a.phdr),
        (AT_PHENT, a.phent),
        (AT_PHNUM, a.phnum),
        (AT_BASE, a.base),
        (AT_FLAGS, a.flags),
        (AT_ENTRY, a.entry),
        (AT_UID, a.uid),
        (AT_EUID, a.euid),
        (AT_GID, a.gid),
        (AT_EGID, a.egid),
        (AT_SECURE, a.secure),
        (AT_RANDOM, random_addr),
        (AT_EXECFN, execfn_addr),
    ]);
    if platform_size != 0 {
        auxv.push((AT_PLATFORM, platform_addr));
    }
    auxv.push((AT_NULL, 0));

    // The vector block: argc, argv[], NULL, envp[], NULL, auxv pairs.
    let auxv_words = (auxv.len() as u64) * 2;
    let items = argc
        .checked_add(envc)
        .and_then(|n| n.checked_add(3))
        .and_then(|n| n.checked_add(auxv_words))
        .and_then(|n| n.checked_mul(word))
        .ok_or(LoadError::ArgListTooLong)?;
    let sp = down(random_addr, items)? & !15;

    // Everything is bounded by the E2BIG check above (plus the platform string),
    // so this allocation is small.
    let len = usize::try_from(stack_top - sp).map_err(|_| LoadError::StackTooSmall)?;
    let mut img = Image {
        bytes: vec![0u8; len],
        base: sp,
        word,
        endian: inputs.endian,
    };

    img.put_bytes(execfn_addr, inputs.execfn);
    let mut q = envp_start;
    let mut env_ptrs = Vec::with_capacity(inputs.envp.len());
    for s in inputs.envp {
        env_ptrs.push(q);
        img.put_bytes(q, s);
        q += s.len() as u64 + 1;
    }
    let mut q = argv_start;
    let mut arg_ptrs = Vec::with_capacity(inputs.argv.len());
    for s in inputs.argv {
        arg_ptrs.push(q);
        img.put_bytes(q, s);
        q += s.len() as u64 + 1;
    }
    if platform_size != 0 {
        img.put_bytes(platform_addr, inputs.platform);
    }
    img.put_raw(random_addr, &inputs.random);

    let mut w = sp;
    let mut next = |img: &mut Image, v: u64| {
        img.put_word(w, v);
        w += word;
    };
    next(&mut img, argc);
    for &ptr in &arg_ptrs {
        next(&mut img, ptr);
    }
    next(&mut img, 0);
    for &ptr in &env_ptrs {
        next(&mut img, ptr);
    }
    next(&mut img, 0);
    for &(k, v) in &auxv {
        next(&mut img, k);
        next(&mut img, v);
    }

    Ok(StackImage {
        sp,
        bytes: img.bytes,
        auxv,
        argv_start,
        argv_end: envp_start,
        envp_start,
        envp_end: execfn_addr,
    })
}

/// The image under construction: guest addresses `base..base+bytes.len()`.
struct Image {
    bytes: Vec<u8>,
    base: u64,
    word: u64,
    endian: Endian,
}

impl Image {
    fn range(&mut self, addr: u64, len: usize) -> Option<&mut [u8]> {
        let start = usize::try_from(addr.checked_sub(self.base)?).ok()?;
        let end = start.checked_add(len)?;
        self.bytes.get_mut(start..end)
    }

    fn put_raw(&mut self, addr: u64, data: &[u8]) {
        if let Some(dst) = self.range(addr, data.len()) {
            dst.copy_from_slice(data);
        }
    }

    /// A string followed by its NUL (the buffer is already zeroed).
    fn put_bytes(&mut self, addr: u64, s: &[u8]) {
        self.put_raw(addr, s);
    }

    fn put_word(&mut self, addr: u64, value: u64) {
        let (word, endian) = (self.word as usize, self.endian);
        if let Some(dst) = self.range(addr, word) {
            put_word(dst, value, endian);
        }
    }
}
