//! Loading a guest program into the guest address space: the core half of
//! `execve`. The `emu-loader` crate says what to map (segments, interpreter,
//! stack image); this module maps it and returns the initial registers.

use super::{Error, Options};
use crate::guest::GuestArch;
use crate::mem::AddressSpace;
use emu_loader::{self as loader, Class, ElfInfo, ElfType, FileKind};
use std::ffi::OsStr;
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

const PAGE: u64 = 4096;

fn page_down(x: u64) -> u64 {
    x & !(PAGE - 1)
}
fn page_up(x: u64) -> u64 {
    x.saturating_add(PAGE - 1) & !(PAGE - 1)
}

/// The result of loading: what the first guest instruction sees.
pub struct Loaded {
    pub entry: u64,
    pub sp: u64,
    /// auxv pairs, for /proc/self/auxv.
    pub auxv: Vec<(u64, u64)>,
    /// Guest-visible argv (after -0), for /proc/self/cmdline.
    pub argv: Vec<Vec<u8>>,
}

/// Opens the program to run: the file binfmt_misc opened for us if it
/// passed one (its `O` and `C` flags: the file may not be readable by us
/// otherwise), else `path`.
pub fn open_program(opts: &Options, path: &Path) -> Result<File, Error> {
    match opts.exec_fd {
        // SAFETY: duplicating a descriptor the kernel gave us.
        Some(fd) => match unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) } {
            -1 => Err(Error::open(
                &path.display().to_string(),
                &std::io::Error::last_os_error(),
            )),
            // SAFETY: a fresh descriptor we own.
            dup => Ok(unsafe { std::os::fd::FromRawFd::from_raw_fd(dup) }),
        },
        None => File::open(path).map_err(|e| Error::open(&path.display().to_string(), &e)),
    }
}

/// Reads and validates the ELF at `path` for guest `A`, with the messages
/// users see.
pub fn read_elf<A: GuestArch>(path: &Path) -> Result<(Vec<u8>, ElfInfo), Error> {
    let shown = path.display().to_string();
    let file = File::open(path).map_err(|e| Error::open(&shown, &e))?;
    read_elf_file::<A>(&file, &shown)
}

/// [`read_elf`] of an open file (read from offset 0), shown as `shown`.
pub fn read_elf_file<A: GuestArch>(file: &File, shown: &str) -> Result<(Vec<u8>, ElfInfo), Error> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata().map_err(|e| Error::open(shown, &e))?.len();
    let mut bytes = vec![0; len as usize];
    file.read_exact_at(&mut bytes, 0)
        .map_err(|e| Error::open(shown, &e))?;
    match loader::identify(&bytes) {
        FileKind::Elf => {}
        FileKind::MachO => {
            return Err(Error::exec(format!(
                "{shown}: Mach-O executables are not supported yet"
            )))
        }
        FileKind::Script { .. } => {
            return Err(Error::exec(format!(
                "{shown}: is a script, not an ELF executable (run its interpreter)"
            )))
        }
        FileKind::Unknown => return Err(Error::exec(format!("{shown}: not an ELF executable"))),
    }
    let info =
        loader::parse_elf(&bytes).map_err(|e| Error::exec(format!("{shown}: invalid ELF: {e}")))?;
    if info.machine != A::ELF_MACHINE || info.class != Class::Elf64 {
        let arch = loader::machine_name(info.machine, info.class);
        let hint = match loader::emulator_name(info.machine, info.class) {
            Some(emu) => format!("use {emu}"),
            None if arch == "x86_64" => "run it directly on this host".to_string(),
            None => "no emu for it yet".to_string(),
        };
        return Err(Error::exec(format!(
            "{shown}: {arch} executable, not {} ({hint})",
            A::NAME
        )));
    }
    Ok((bytes, info))
}

/// Maps one ELF's PT_LOAD segments at `bias`; returns the end of the highest segment.
fn map_segments(
    space: &AddressSpace,
    file: &File,
    name: &str,
    info: &ElfInfo,
    bias: u64,
) -> Result<u64, Error> {
    let mut end = 0;
    for seg in &info.segments {
        let prot = (if seg.read { libc::PROT_READ } else { 0 })
            | (if seg.write { libc::PROT_WRITE } else { 0 })
            | (if seg.exec { libc::PROT_EXEC } else { 0 });
        let vaddr = seg
            .vaddr
            .checked_add(bias)
            .ok_or_else(|| Error::exec(format!("{name}: segment out of range")))?;
        let start = page_down(vaddr);
        let file_end = vaddr + seg.filesz;
        let mem_end = vaddr + seg.memsz;
        let oops = |e: i32| {
            Error::exec(format!(
                "{name}: cannot map segment at {vaddr:#x}: {}",
                errno_text(e)
            ))
        };
        if seg.filesz > 0 {
            let len = page_up(file_end) - start;
            // Writable while we clear the partial page past the file data.
            space
                .map_file(
                    start,
                    len,
                    prot | libc::PROT_WRITE,
                    file,
                    page_down(seg.offset),
                    name,
                )
                .map_err(oops)?;
            if seg.memsz > seg.filesz && file_end % PAGE != 0 {
                let zeros = vec![0u8; (PAGE - file_end % PAGE) as usize];
                space.write(file_end, &zeros).map_err(oops)?;
            }
            if prot & libc::PROT_WRITE == 0 {
                space.mprotect(start, len, prot).map_err(oops)?;
            }
        }
        // Zero-fill pages past the file data. A segment with no file data
        // (all .bss) starts its own pages at its first one, unless an
        // earlier segment ends there: then that page's tail is cleared.
        let bss_start = if seg.filesz > 0 {
            page_up(file_end)
        } else if space.prot_at(start).is_some() {
            let head = (page_up(vaddr).min(mem_end) - vaddr) as usize;
            space.write(vaddr, &vec![0u8; head]).map_err(oops)?;
            page_up(vaddr)
        } else {
            start
        };
        if page_up(mem_end) > bss_start {
            space
                .map_fixed_anon(bss_start, page_up(mem_end) - bss_start, prot, None)
                .map_err(oops)?;
        }
        end = end.max(mem_end);
    }
    Ok(end)
}

/// Where an ELF goes: its own addresses for ET_EXEC, a free range for ET_DYN.
fn choose_bias(
    space: &AddressSpace,
    info: &ElfInfo,
    preferred: Option<u64>,
    name: &str,
) -> Result<u64, Error> {
    if info.elf_type == ElfType::Exec {
        return Ok(0);
    }
    let (lo, hi) = info.span();
    let len = page_up(hi) - page_down(lo);
    let align = info
        .segments
        .iter()
        .map(|s| s.align)
        .max()
        .unwrap_or(PAGE)
        .clamp(PAGE, 1 << 21);
    if let Some(base) = preferred {
        if base + len <= space.size() {
            return Ok(base - page_down(lo));
        }
    }
    let at = space.find_free(len, align).ok_or_else(|| {
        Error::exec(format!(
            "{name}: no room in the guest address space ({len:#x} bytes)"
        ))
    })?;
    Ok(at - page_down(lo))
}

/// Loads `program` (already validated by [`read_elf`]) with its interpreter,
/// builds the stack, and returns the entry state.
pub fn load<A: GuestArch>(
    space: &AddressSpace,
    opts: &Options,
    program: &Path,
    file: &File,
    info: &ElfInfo,
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
) -> Result<Loaded, Error> {
    // The stack first: top of the guest space, `-s` bytes; mmap_base (where the
    // interpreter and later mmaps go) is below it. PT_GNU_STACK decides
    // whether it is executable, as in Linux.
    let top = space.size() - PAGE;
    let size = page_up(opts.stack_size);
    let exec = if info.stack_exec { libc::PROT_EXEC } else { 0 };
    space
        .map_fixed_anon(
            top - size,
            size,
            libc::PROT_READ | libc::PROT_WRITE | exec,
            Some("[stack]"),
        )
        .map_err(|e| Error::exec(format!("cannot map the stack: {}", errno_text(e))))?;
    space.set_stack_top(top - size);

    let name = program.display().to_string();
    // A PIE main program goes at two thirds of the space, as Linux's
    // ELF_ET_DYN_BASE (0x2a_aaaa_a000 for riscv64's Sv39).
    let et_dyn_base = page_down(space.size() / 3 * 2);
    let bias = choose_bias(space, info, Some(et_dyn_base), &name)?;
    let end = map_segments(space, file, &name, info, bias)?;
    space.set_brk_start(page_up(end));

    let mut entry = info.entry.wrapping_add(bias);
    let prog_entry = entry;
    let mut interp_base = 0;
    if let Some(interp) = &info.interp {
        let path = opts.host_path(Path::new(OsStr::from_bytes(interp)));
        let (_, iinfo) = read_elf::<A>(&path).map_err(|e| {
            let hint = match opts.sysroot {
                None => format!(" (use -L with a {} root)", A::NAME),
                Some(_) => String::new(),
            };
            Error {
                message: format!("{name}: ELF interpreter {}{hint}", e.message),
                status: e.status,
            }
        })?;
        let iname = path.display().to_string();
        let ifile = File::open(&path).map_err(|e| Error::open(&iname, &e))?;
        let ibias = choose_bias(space, &iinfo, None, &iname)?;
        map_segments(space, &ifile, &iname, &iinfo, ibias)?;
        interp_base = ibias + page_down(iinfo.span().0);
        entry = iinfo.entry.wrapping_add(ibias);
    }

    let phdr = info.phdr_vaddr.map_or(0, |p| p + bias);
    let execfn = program.as_os_str().as_bytes().to_vec();
    // SAFETY: plain libc identity calls.
    let (uid, euid, gid, egid) = unsafe {
        (
            libc::getuid(),
            libc::geteuid(),
            libc::getgid(),
            libc::getegid(),
        )
    };
    let inputs = loader::StackInputs {
        argv,
        envp,
        execfn: &execfn,
        platform: A::NAME.as_bytes(),
        random: opts.random_bytes(),
        auxv: loader::AuxvInputs {
            phdr,
            phent: info.phentsize as u64,
            phnum: info.phnum as u64,
            pagesz: PAGE,
            base: interp_base,
            flags: 0,
            entry: prog_entry,
            uid: uid as u64,
            euid: euid as u64,
            gid: gid as u64,
            egid: egid as u64,
            // What the kernel decided for us (a setuid program started
            // through binfmt_misc's C flag): the guest's libc must be as
            // careful as ours.
            // SAFETY: getauxval has no preconditions.
            secure: unsafe { libc::getauxval(libc::AT_SECURE) },
            hwcap: A::HWCAP,
            clktck: 100,
            minsigstksz: A::MIN_SIGSTKSZ,
        },
        class: Class::Elf64,
        endian: info.endian,
    };
    let image =
        loader::build_stack(top, &inputs).map_err(|e| Error::exec(format!("{name}: {e}")))?;
    space
        .write(image.sp, &image.bytes)
        .map_err(|e| Error::exec(format!("cannot write the initial stack: {}", errno_text(e))))?;
    Ok(Loaded {
        entry,
        sp: image.sp,
        auxv: image.auxv,
        argv: argv.to_vec(),
    })
}

pub fn errno_text(e: i32) -> String {
    super::os_text(&std::io::Error::from_raw_os_error(e))
}

/// Resolves `program` like QEMU: as given, else under the `-L` prefix.
pub fn find_program(opts: &Options, program: &Path) -> PathBuf {
    if program.exists() {
        program.to_path_buf()
    } else {
        opts.host_path(program)
    }
}
