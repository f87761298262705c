//! aarch64 Linux signal frame: the guest layout of `struct rt_sigframe`
//! (siginfo + ucontext + sigcontext with its `__reserved` record area) and
//! the frame record above it, exactly as the kernel writes them for a
//! process with FP/SIMD but no SVE/SME; building them from a [`Cpu`] at
//! delivery and reading the frame back at `rt_sigreturn`. Choosing the
//! stack, masks and sigaltstack bookkeeping belong to the caller.
//!
//! Sources (facts only): arch/arm64/kernel/signal.c, arch/arm64/kernel/
//! ptrace.c (`valid_native_regs`), arch/arm64/include/uapi/asm/sigcontext.h,
//! include/uapi/asm-generic/ucontext.h (Linux 5.x/6.x).
//! - `rt_sigframe { siginfo info; ucontext uc; }`: 4688 bytes. Above it, a
//!   `frame_record { fp, lr }` holding the interrupted x29 and x30, which
//!   the handler's x29 points at (unwinders walk through the handler).
//! - `ucontext`: `uc_sigmask` is the kernel's 64-bit sigset, followed by
//!   `1024/8 - 8` unused bytes; `uc_mcontext` is 16-aligned (offset 176).
//! - `sigcontext { fault_address; regs[31]; sp; pc; pstate;
//!   __reserved[4096] }`, `__reserved` 16-aligned (offset 288). It holds a
//!   chain of 16-aligned records `_aarch64_ctx { magic, size }`: here the
//!   528-byte `fpsimd_context`, then the null terminator (magic 0, size 0).
//! - No `esr_context` and `fault_address` 0: the kernel writes the faulting
//!   thread's syndrome record and address only when delivering a fault that
//!   has them, and this API has no fault to report (the address still
//!   reaches the handler in siginfo's `si_addr`). No SVE, ZA or
//!   `extra_context` records: the guest has no SVE/SME.
//! - `get_sigframe`: the frame record at `round_down(sp_top - 16, 16)`, the
//!   sigframe `round_up(sizeof(rt_sigframe), 16)` bytes below it.
//! - Handler entry (`setup_return`): x0 = sig, x1 = &info, x2 = &uc,
//!   sp = sigframe, x29 = &frame_record, x30 = `sa_restorer` or the vDSO's
//!   `__kernel_rt_sigreturn` (`mov x8, #139; svc #0`, [`SIGRETURN_CODE`]).
//!
//! Checked against qemu-aarch64 10.0 (`-cpu cortex-a57`: FP/SIMD, no SVE)
//! with a glibc program whose SA_SIGINFO | SA_ONSTACK handler recorded its
//! entry registers: ucontext 4560 bytes, `uc_mcontext` at 176, regs/sp/pc/
//! pstate/`__reserved` at 8/256/264/272/288 in it; uc = info + 128; handler
//! sp = round_down(top - 16, 16) - 4688 for an unaligned alternate stack
//! top; x29 = sp + 4688, holding the interrupted x29/x30; pstate = NZCV as
//! set by `msr nzcv`; the FPSIMD record (magic 0x46508001, size 528, fpcr
//! and q7 as set) at `__reserved` + 0 and the terminator at + 528. A frame
//! qemu built was also rebuilt here from its saved state byte for byte
//! (all but the unused sigmask tail and `__reserved` past the terminator,
//! which the kernel leaves as stack garbage) and restored.

use super::cpu::{Cpu, NO_EXCLUSIVE};
use std::mem::{offset_of, size_of};

/// `__NR_rt_sigreturn` on arm64 (asm-generic).
pub const NR_RT_SIGRETURN: u32 = 139;

/// The vDSO's `__kernel_rt_sigreturn`: `mov x8, #139` (`movz x8, #139`) and
/// `svc #0`, little-endian words for a guest page the handler's x30 points to.
pub const SIGRETURN_CODE: [u32; 2] = [
    0xd280_0000 | (NR_RT_SIGRETURN << 5) | 8, // 0xd2801168
    0xd400_0001,
];
const _: () = assert!(SIGRETURN_CODE[0] == 0xd280_1168);

/// Record magics of `__reserved`: the terminator (size 0), FP/SIMD state,
/// and the fault syndrome (never written here; skipped on return).
pub const END_MAGIC: u32 = 0;
pub const FPSIMD_MAGIC: u32 = 0x4650_8001;
pub const ESR_MAGIC: u32 = 0x4553_5201;

/// PSTATE bits `valid_native_regs` requires clear for a 64-bit EL0t
/// return: mode bits 3..0, AArch32 bit 4, F, I, A, D (bits 6..9).
const PSTATE_NOT_EL0T: u64 = 0x3df;

/// `stack_t` (asm-generic): 24 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StackT {
    pub ss_sp: u64,
    pub ss_flags: i32,
    pub _pad: u32,
    pub ss_size: u64,
}
const _: () = assert!(size_of::<StackT>() == 24);
const _: () = assert!(offset_of!(StackT, ss_flags) == 8);
const _: () = assert!(offset_of!(StackT, ss_size) == 16);

/// `struct _aarch64_ctx`: the header of every `__reserved` record.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CtxHdr {
    pub magic: u32,
    pub size: u32,
}
const _: () = assert!(size_of::<CtxHdr>() == 8);

/// `struct fpsimd_context`: 528 bytes.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FpsimdContext {
    pub head: CtxHdr,
    pub fpsr: u32,
    pub fpcr: u32,
    /// `__uint128_t vregs[32]`: q0..q31 as (low, high) halves.
    pub vregs: [[u64; 2]; 32],
}
const _: () = assert!(size_of::<FpsimdContext>() == 528);
const _: () = assert!(offset_of!(FpsimdContext, fpsr) == 8);
const _: () = assert!(offset_of!(FpsimdContext, fpcr) == 12);
const _: () = assert!(offset_of!(FpsimdContext, vregs) == 16);

/// Size of `sigcontext.__reserved`.
pub const RESERVED_SIZE: usize = 4096;

/// `struct sigcontext`: 4384 bytes.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sigcontext {
    pub fault_address: u64,
    /// x0..x30.
    pub regs: [u64; 31],
    pub sp: u64,
    pub pc: u64,
    pub pstate: u64,
    /// Alignment padding before the 16-aligned `__reserved` (explicit, so
    /// the struct has no uninitialised bytes).
    pub _align: u64,
    /// `__reserved[4096]`: the record chain.
    pub reserved: [u8; RESERVED_SIZE],
}
const _: () = assert!(size_of::<Sigcontext>() == 4384);
const _: () = assert!(offset_of!(Sigcontext, regs) == 8);
const _: () = assert!(offset_of!(Sigcontext, sp) == 256);
const _: () = assert!(offset_of!(Sigcontext, pc) == 264);
const _: () = assert!(offset_of!(Sigcontext, pstate) == 272);
const _: () = assert!(offset_of!(Sigcontext, reserved) == 288);

impl Default for Sigcontext {
    fn default() -> Sigcontext {
        Sigcontext {
            fault_address: 0,
            regs: [0; 31],
            sp: 0,
            pc: 0,
            pstate: 0,
            _align: 0,
            reserved: [0; RESERVED_SIZE],
        }
    }
}

/// `struct ucontext`: 4560 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ucontext {
    pub uc_flags: u64,
    pub uc_link: u64,
    pub uc_stack: StackT,
    pub uc_sigmask: u64,
    /// `__unused[1024/8 - sizeof(sigset_t)]`.
    pub _unused: [u8; 120],
    /// Alignment padding before the 16-aligned `uc_mcontext`.
    pub _align: u64,
    pub uc_mcontext: Sigcontext,
}
const _: () = assert!(size_of::<Ucontext>() == 4560);
const _: () = assert!(offset_of!(Ucontext, uc_stack) == 16);
const _: () = assert!(offset_of!(Ucontext, uc_sigmask) == 40);
const _: () = assert!(offset_of!(Ucontext, uc_mcontext) == 176);

impl Default for Ucontext {
    fn default() -> Ucontext {
        Ucontext {
            uc_flags: 0,
            uc_link: 0,
            uc_stack: StackT::default(),
            uc_sigmask: 0,
            _unused: [0; 120],
            _align: 0,
            uc_mcontext: Sigcontext::default(),
        }
    }
}

/// `struct rt_sigframe`: 4688 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtSigframe {
    pub info: [u8; 128],
    pub uc: Ucontext,
}
const _: () = assert!(size_of::<RtSigframe>() == 4688);
const _: () = assert!(offset_of!(RtSigframe, uc) == 128);

impl Default for RtSigframe {
    fn default() -> RtSigframe {
        RtSigframe {
            info: [0; 128],
            uc: Ucontext::default(),
        }
    }
}

/// `struct frame_record`: the AAPCS64 frame record above the sigframe.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameRecord {
    pub fp: u64,
    pub lr: u64,
}
const _: () = assert!(size_of::<FrameRecord>() == 16);

/// `sigframe_size()` for an FP/SIMD-only frame: the records fit in
/// `__reserved`, so it is sizeof(rt_sigframe) rounded up to 16.
pub const SIGFRAME_SIZE: usize = (size_of::<RtSigframe>() + 15) & !15;
/// Bytes the kernel writes from the frame address up: the sigframe and
/// the frame record right above it.
pub const FRAME_SIZE: usize = SIGFRAME_SIZE + size_of::<FrameRecord>();
const _: () = assert!(SIGFRAME_SIZE == 4688 && FRAME_SIZE == 4704);
/// AT_MINSIGSTKSZ as `minsigstksz_setup` computes it (the largest frame:
/// with an `esr_context`, which still fits in `__reserved`): sigframe,
/// frame record, 16 bytes of alignment slack.
pub const MIN_SIGSTKSZ: u64 = (SIGFRAME_SIZE + size_of::<FrameRecord>() + 16) as u64;
const _: () = assert!(MIN_SIGSTKSZ == 4720);

/// Offsets inside the frame the handler's x1/x2/x29 point to.
pub const INFO_OFFSET: usize = offset_of!(RtSigframe, info);
pub const UC_OFFSET: usize = offset_of!(RtSigframe, uc);
pub const RECORD_OFFSET: usize = SIGFRAME_SIZE;
/// Offset of `uc_mcontext` (the sigcontext) in the frame.
pub const MCONTEXT_OFFSET: usize = UC_OFFSET + offset_of!(Ucontext, uc_mcontext);
/// Offset of `__reserved` (the first record: FP/SIMD) in the frame.
pub const RESERVED_OFFSET: usize = MCONTEXT_OFFSET + offset_of!(Sigcontext, reserved);
// 592 = 37 * 16: the records are 16-aligned in guest memory too.
const _: () = assert!(MCONTEXT_OFFSET == 304 && RESERVED_OFFSET == 592);

// The byte views below rely on these: the guest is little-endian and so must
// the host be; the structs have no implicit padding (sizes asserted above
// equal the sums of their fields).
const _: () = assert!(cfg!(target_endian = "little"));

impl RtSigframe {
    /// The frame's bytes as the guest sees them.
    pub fn to_bytes(&self) -> Vec<u8> {
        // SAFETY: `RtSigframe` is `repr(C)` plain data made only of integers
        // and integer arrays with no padding bytes (every byte is initialised),
        // so viewing it as `size_of::<RtSigframe>()` bytes is sound.
        let bytes = unsafe {
            std::slice::from_raw_parts(
                (self as *const RtSigframe).cast::<u8>(),
                size_of::<RtSigframe>(),
            )
        };
        bytes.to_vec()
    }

    /// Reads a frame from its first `size_of::<RtSigframe>()` bytes; `None`
    /// if `bytes` is shorter.
    pub fn from_bytes(bytes: &[u8]) -> Option<RtSigframe> {
        if bytes.len() < size_of::<RtSigframe>() {
            return None;
        }
        // SAFETY: the length was checked; every bit pattern is a valid
        // `RtSigframe` (integers only); `read_unaligned` has no alignment need.
        Some(unsafe { std::ptr::read_unaligned(bytes.as_ptr().cast::<RtSigframe>()) })
    }
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut w = [0; 4];
    w.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(w)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut w = [0; 8];
    w.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(w)
}

impl CtxHdr {
    /// Writes the header at the start of `out`.
    fn write(&self, out: &mut [u8]) {
        out[..4].copy_from_slice(&self.magic.to_le_bytes());
        out[4..8].copy_from_slice(&self.size.to_le_bytes());
    }
}

impl FpsimdContext {
    /// The record of `cpu`'s FP/SIMD state (`preserve_fpsimd_context`).
    fn of(cpu: &Cpu) -> FpsimdContext {
        FpsimdContext {
            head: CtxHdr {
                magic: FPSIMD_MAGIC,
                size: size_of::<FpsimdContext>() as u32,
            },
            // FPSR and FPCR are 32-bit registers.
            fpsr: cpu.fpsr as u32,
            fpcr: cpu.fpcr as u32,
            vregs: cpu.vreg,
        }
    }

    /// Writes the record at the start of `out`, field by field (records
    /// sit at run-time offsets of `__reserved`).
    fn write(&self, out: &mut [u8]) {
        self.head.write(out);
        let fpsr = offset_of!(FpsimdContext, fpsr);
        out[fpsr..fpsr + 4].copy_from_slice(&self.fpsr.to_le_bytes());
        let fpcr = offset_of!(FpsimdContext, fpcr);
        out[fpcr..fpcr + 4].copy_from_slice(&self.fpcr.to_le_bytes());
        let base = offset_of!(FpsimdContext, vregs);
        for (i, q) in self.vregs.iter().enumerate() {
            let off = base + 16 * i;
            out[off..off + 8].copy_from_slice(&q[0].to_le_bytes());
            out[off + 8..off + 16].copy_from_slice(&q[1].to_le_bytes());
        }
    }

    /// Reads a record from the start of `b` (at least 528 bytes).
    fn read(b: &[u8]) -> FpsimdContext {
        let base = offset_of!(FpsimdContext, vregs);
        FpsimdContext {
            head: CtxHdr {
                magic: u32_at(b, 0),
                size: u32_at(b, 4),
            },
            fpsr: u32_at(b, offset_of!(FpsimdContext, fpsr)),
            fpcr: u32_at(b, offset_of!(FpsimdContext, fpcr)),
            vregs: std::array::from_fn(|i| {
                let off = base + 16 * i;
                [u64_at(b, off), u64_at(b, off + 8)]
            }),
        }
    }
}

/// A built frame: the caller writes `bytes` to guest memory at `frame_addr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSetup {
    pub frame_addr: u64,
    pub bytes: Vec<u8>,
}

/// Builds the frame for a handler (the kernel's `setup_rt_frame` for a task
/// with FP/SIMD only) and sets `cpu` up for handler entry.
///
/// - `sp_top`: the stack to push on, already chosen by the caller (the guest
///   sp, or the top of the alternate stack; the "would overflow the
///   alternate stack" check is the caller's too).
/// - `info`: the guest `siginfo_t`, copied verbatim.
/// - `blocked`: the mask sigreturn will restore (the mask before delivery).
/// - `uc_stack`: (ss_sp, ss_flags, ss_size) as `__save_altstack` records them
///   (flags as `sas_ss_flags` of the interrupted sp).
/// - `trampoline`: `sa_restorer` if SA_RESTORER, else the guest address of
///   [`SIGRETURN_CODE`] (the vDSO's `__kernel_rt_sigreturn`), put in x30.
///
/// `bytes` is [`FRAME_SIZE`] long: the sigframe then the frame record (the
/// up to 15 alignment bytes above it are not the kernel's to write).
///
/// `cpu` on return: pc = handler, sp = frame, x0 = sig, x1 = &frame.info,
/// x2 = &frame.uc, x29 = &frame record, x30 = trampoline; everything else
/// unchanged except the exclusive monitor, which is cleared (an exception
/// return clears the local monitor). The kernel sets x1/x2 (and copies
/// siginfo) only for SA_SIGINFO; a plain handler ignores them.
#[allow(clippy::too_many_arguments)]
pub fn setup_rt_frame(
    cpu: &mut Cpu,
    sp_top: u64,
    sig: i32,
    info: &[u8; 128],
    blocked: u64,
    uc_stack: (u64, i32, u64),
    handler: u64,
    trampoline: u64,
) -> FrameSetup {
    let record_addr = sp_top.wrapping_sub(size_of::<FrameRecord>() as u64) & !0xf;
    let frame_addr = record_addr.wrapping_sub(SIGFRAME_SIZE as u64);

    let mut frame = RtSigframe {
        info: *info,
        ..RtSigframe::default()
    };
    let uc = &mut frame.uc;
    uc.uc_flags = 0;
    uc.uc_link = 0;
    uc.uc_stack = StackT {
        ss_sp: uc_stack.0,
        ss_flags: uc_stack.1,
        _pad: 0,
        ss_size: uc_stack.2,
    };
    uc.uc_sigmask = blocked;
    let sc = &mut uc.uc_mcontext;
    sc.fault_address = 0;
    sc.regs = cpu.x;
    sc.sp = cpu.sp;
    sc.pc = cpu.pc;
    sc.pstate = cpu.nzcv();
    // `__reserved`: the FP/SIMD record, then the terminator.
    let fpsimd_size = size_of::<FpsimdContext>();
    FpsimdContext::of(cpu).write(&mut sc.reserved);
    CtxHdr {
        magic: END_MAGIC,
        size: 0,
    }
    .write(&mut sc.reserved[fpsimd_size..]);

    let mut bytes = frame.to_bytes();
    bytes.resize(SIGFRAME_SIZE, 0);
    let record = FrameRecord {
        fp: cpu.x[29],
        lr: cpu.x[30],
    };
    bytes.extend_from_slice(&record.fp.to_le_bytes());
    bytes.extend_from_slice(&record.lr.to_le_bytes());

    cpu.pc = handler;
    cpu.sp = frame_addr;
    cpu.x[0] = sig as i64 as u64;
    cpu.x[1] = frame_addr.wrapping_add(INFO_OFFSET as u64);
    cpu.x[2] = frame_addr.wrapping_add(UC_OFFSET as u64);
    cpu.x[29] = record_addr;
    cpu.x[30] = trampoline;
    cpu.exclusive_addr = NO_EXCLUSIVE;

    FrameSetup { frame_addr, bytes }
}

/// The `uc_sigmask` of a frame (what `rt_sigreturn` installs first, before
/// any check but the sp alignment), or `None` if `frame` is too short.
pub fn saved_sigmask(frame: &[u8]) -> Option<u64> {
    let off = UC_OFFSET + offset_of!(Ucontext, uc_sigmask);
    frame.get(off..off + 8).map(|b| u64_at(b, 0))
}

/// Walks the `__reserved` records as `parse_user_sigframe` does and returns
/// the offset of the FP/SIMD record, or `None` for a chain the kernel
/// rejects: a header misaligned (to 16) or not fitting, a record size below
/// 8 or past the end, a terminator with a size, no terminator, an unknown
/// magic (SVE, ZA, extra_context, ...: none is supported here), or not
/// exactly one FP/SIMD record of exactly 528 bytes
/// (`restore_fpsimd_context`). ESR records are skipped.
fn find_fpsimd(reserved: &[u8]) -> Option<usize> {
    let limit = reserved.len();
    let mut offset = 0;
    let mut fpsimd = None;
    loop {
        if limit - offset < size_of::<CtxHdr>() || offset % 16 != 0 {
            return None;
        }
        let magic = u32_at(reserved, offset);
        let size = u32_at(reserved, offset + 4) as usize;
        if limit - offset < size {
            return None;
        }
        match magic {
            END_MAGIC if size == 0 => break,
            FPSIMD_MAGIC if fpsimd.is_none() => fpsimd = Some((offset, size)),
            ESR_MAGIC => {}
            _ => return None,
        }
        if size < size_of::<CtxHdr>() {
            return None;
        }
        offset += size;
    }
    match fpsimd {
        Some((offset, size)) if size == size_of::<FpsimdContext>() => Some(offset),
        _ => None,
    }
}

/// The kernel's `rt_sigreturn` on a frame read from guest memory at the
/// guest sp: restores x0..x30, sp, pc, NZCV, q0..q31, FPSR and FPCR, and
/// returns the saved mask and the saved (ss_sp, ss_flags, ss_size) for the
/// caller to install (`set_current_blocked`, which also drops SIGKILL/SIGSTOP,
/// and `restore_altstack` are the caller's).
///
/// `Err(())` is the kernel's `badframe` (the caller forces SIGSEGV):
/// - `cpu.sp` not 16-aligned, or `frame` shorter than the sigframe (the
///   frame record is not read): nothing is touched;
/// - saved pstate not a 64-bit EL0t one with D, A, I, F clear, or a
///   malformed `__reserved` chain (see `find_fpsimd`): as in the kernel,
///   the general registers (and NZCV) have already been restored by then
///   (and the mask installed: see [`saved_sigmask`]), the FP/SIMD state not.
///
/// Other pstate bits are not state here: only NZCV is restored. The
/// exclusive monitor is cleared. The syscall's x0 result is the restored
/// x0, which is already in `cpu`: the caller must not overwrite it with a
/// syscall return value.
#[allow(clippy::result_unit_err)]
pub fn restore_rt_frame(cpu: &mut Cpu, frame: &[u8]) -> Result<(u64, (u64, i32, u64)), ()> {
    if cpu.sp & 15 != 0 {
        return Err(());
    }
    let f = RtSigframe::from_bytes(frame).ok_or(())?;
    let uc = &f.uc;
    let sc = &uc.uc_mcontext;

    cpu.x = sc.regs;
    cpu.sp = sc.sp;
    cpu.pc = sc.pc;
    cpu.set_nzcv(sc.pstate);
    cpu.exclusive_addr = NO_EXCLUSIVE;

    if sc.pstate & PSTATE_NOT_EL0T != 0 {
        return Err(());
    }
    let off = find_fpsimd(&sc.reserved).ok_or(())?;
    let fpsimd = FpsimdContext::read(&sc.reserved[off..]);
    cpu.vreg = fpsimd.vregs;
    cpu.fpsr = fpsimd.fpsr.into();
    cpu.fpcr = fpsimd.fpcr.into();

    let st = uc.uc_stack;
    Ok((uc.uc_sigmask, (st.ss_sp, st.ss_flags, st.ss_size)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_cpu() -> Cpu {
        let mut cpu = Cpu::default();
        for i in 0..31 {
            cpu.x[i] = 0x1111_0000_0000_0000 | (i as u64) << 8 | i as u64;
        }
        for (i, q) in cpu.vreg.iter_mut().enumerate() {
            *q = [
                0xffff_0000_0000_0000 | i as u64,
                0x0123_4567_0000_0000 | i as u64,
            ];
        }
        cpu.sp = 0x7fff_0120;
        cpu.pc = 0x40_1234;
        cpu.set_nzcv(0xa000_0000); // N, C
        cpu.fpcr = 0x0040_0000; // RMode = +inf
        cpu.fpsr = 0x0800_0011; // QC, IXC, IOC
        cpu.tpidr = 0x5555_0000;
        cpu.exclusive_addr = 0x4000;
        cpu.exclusive_value = [7, 8];
        cpu
    }

    fn info() -> [u8; 128] {
        let mut info = [0u8; 128];
        for (i, b) in info.iter_mut().enumerate() {
            *b = i as u8 ^ 0x5a;
        }
        info
    }

    fn setup(cpu: &mut Cpu, sp_top: u64) -> FrameSetup {
        setup_rt_frame(
            cpu,
            sp_top,
            10,
            &info(),
            0xdead_beef_0000_0001,
            (0x5000, 1, 0x2000),
            0x10_000,
            0x20_000,
        )
    }

    fn put_u32(b: &mut [u8], off: usize, v: u32) {
        b[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }

    #[test]
    fn layout_matches_kernel() {
        // Values measured with a glibc aarch64 program under qemu-aarch64
        // (see the module comment) and from the uapi headers.
        assert_eq!(size_of::<Ucontext>(), 4560);
        assert_eq!(offset_of!(Ucontext, uc_mcontext), 176);
        assert_eq!(size_of::<Sigcontext>(), 4384);
        assert_eq!(offset_of!(Sigcontext, reserved), 288);
        assert_eq!(size_of::<RtSigframe>(), 4688);
        assert_eq!(INFO_OFFSET, 0);
        assert_eq!(UC_OFFSET, 128);
        assert_eq!(RECORD_OFFSET, 4688);
        assert_eq!(FRAME_SIZE, 4704);
        assert_eq!(std::mem::align_of::<RtSigframe>(), 16);
    }

    #[test]
    fn sigreturn_code() {
        assert_eq!(SIGRETURN_CODE, [0xd280_1168, 0xd400_0001]);
    }

    #[test]
    fn frame_address_and_handler_entry() {
        for sp_top in [0x7fff_1238u64, 0x7fff_1240, 0x7fff_124f] {
            let mut cpu = sample_cpu();
            let before = cpu.clone();
            let fs = setup(&mut cpu, sp_top);
            let record = (sp_top - 16) & !15;
            assert_eq!(fs.frame_addr, record - 4688);
            assert_eq!(fs.frame_addr % 16, 0);
            assert!(fs.frame_addr + FRAME_SIZE as u64 <= sp_top);
            assert_eq!(fs.bytes.len(), FRAME_SIZE);
            assert_eq!(cpu.pc, 0x10_000);
            assert_eq!(cpu.sp, fs.frame_addr);
            assert_eq!(cpu.x[0], 10);
            assert_eq!(cpu.x[1], fs.frame_addr);
            assert_eq!(cpu.x[2], fs.frame_addr + 128);
            assert_eq!(cpu.x[29], record);
            assert_eq!(cpu.x[30], 0x20_000);
            assert_eq!(cpu.exclusive_addr, NO_EXCLUSIVE);
            // Nothing else changes.
            assert_eq!(cpu.x[3..29], before.x[3..29]);
            assert_eq!(cpu.nzcv(), before.nzcv());
            assert_eq!(cpu.vreg, before.vreg);
            assert_eq!((cpu.fpcr, cpu.fpsr), (before.fpcr, before.fpsr));
            assert_eq!(cpu.tpidr, before.tpidr);
        }
    }

    #[test]
    fn frame_record_holds_interrupted_fp_lr() {
        let mut cpu = sample_cpu();
        let before = cpu.clone();
        let fs = setup(&mut cpu, 0x8000_0000);
        let b = &fs.bytes;
        assert_eq!(cpu.x[29], fs.frame_addr + RECORD_OFFSET as u64);
        assert_eq!(u64_at(b, RECORD_OFFSET), before.x[29]);
        assert_eq!(u64_at(b, RECORD_OFFSET + 8), before.x[30]);
        assert_eq!(RECORD_OFFSET + 16, FRAME_SIZE);
    }

    #[test]
    fn values_at_kernel_offsets() {
        let mut cpu = sample_cpu();
        let before = cpu.clone();
        let fs = setup(&mut cpu, 0x8000_0000);
        let b = &fs.bytes;
        assert_eq!(&b[..128], &info()[..]);
        let uc = 128;
        assert_eq!(u64_at(b, uc), 0); // uc_flags
        assert_eq!(u64_at(b, uc + 8), 0); // uc_link
        assert_eq!(u64_at(b, uc + 16), 0x5000); // ss_sp
        assert_eq!(u32_at(b, uc + 24), 1); // ss_flags
        assert_eq!(u64_at(b, uc + 32), 0x2000); // ss_size
        assert_eq!(u64_at(b, uc + 40), 0xdead_beef_0000_0001); // uc_sigmask
        let mc = uc + 176;
        assert_eq!(mc, MCONTEXT_OFFSET);
        assert_eq!(u64_at(b, mc), 0); // fault_address
        for i in 0..31 {
            assert_eq!(u64_at(b, mc + 8 + 8 * i), before.x[i], "x{i}");
        }
        assert_eq!(u64_at(b, mc + 256), before.sp);
        assert_eq!(u64_at(b, mc + 264), before.pc);
        assert_eq!(u64_at(b, mc + 272), 0xa000_0000); // pstate
        let r = mc + 288;
        assert_eq!(r, RESERVED_OFFSET);
        assert_eq!(u32_at(b, r), FPSIMD_MAGIC);
        assert_eq!(u32_at(b, r + 4), 528);
        assert_eq!(u32_at(b, r + 8), 0x0800_0011); // fpsr
        assert_eq!(u32_at(b, r + 12), 0x0040_0000); // fpcr
        for (i, q) in before.vreg.iter().enumerate() {
            assert_eq!(u64_at(b, r + 16 + 16 * i), q[0], "q{i} low");
            assert_eq!(u64_at(b, r + 24 + 16 * i), q[1], "q{i} high");
        }
        assert_eq!(u32_at(b, r + 528), END_MAGIC);
        assert_eq!(u32_at(b, r + 532), 0);
        assert_eq!(r + RESERVED_SIZE, SIGFRAME_SIZE);
    }

    #[test]
    fn round_trip() {
        let mut cpu = sample_cpu();
        let before = cpu.clone();
        let fs = setup(&mut cpu, 0x8000_0000);
        // The handler clobbers everything; its return leaves sp at the frame.
        for x in cpu.x.iter_mut() {
            *x = !*x;
        }
        cpu.set_nzcv(0x5000_0000);
        cpu.vreg = [[0; 2]; 32];
        cpu.fpcr = 0;
        cpu.fpsr = 0;
        cpu.pc = 0x20_004;
        cpu.sp = fs.frame_addr;
        let (mask, st) = restore_rt_frame(&mut cpu, &fs.bytes).unwrap();
        assert_eq!(mask, 0xdead_beef_0000_0001);
        assert_eq!(st, (0x5000, 1, 0x2000));
        let expect = Cpu {
            exclusive_addr: NO_EXCLUSIVE,
            ..before
        };
        assert_eq!(cpu, expect);
    }

    #[test]
    fn restore_reads_handler_edits() {
        let mut cpu = sample_cpu();
        let fs = setup(&mut cpu, 0x8000_0000);
        let mut b = fs.bytes.clone();
        // A handler that changes the resume pc, the flags (and sets bits
        // outside NZCV that are not state here), fpcr and q5, and puts an
        // ESR record between the FP/SIMD record and the terminator.
        let mc = MCONTEXT_OFFSET;
        b[mc + 264..mc + 272].copy_from_slice(&0x7777u64.to_le_bytes());
        b[mc + 272..mc + 280].copy_from_slice(&0x6000_1000u64.to_le_bytes()); // Z, C, SSBS
        let r = RESERVED_OFFSET;
        put_u32(&mut b, r + 12, 0x0300_0000);
        b[r + 16 + 5 * 16..r + 16 + 6 * 16].fill(0xab);
        put_u32(&mut b, r + 528, ESR_MAGIC);
        put_u32(&mut b, r + 532, 16);
        b[r + 536..r + 544].copy_from_slice(&0x9200_0047u64.to_le_bytes());
        cpu.sp = fs.frame_addr;
        restore_rt_frame(&mut cpu, &b).unwrap();
        assert_eq!(cpu.pc, 0x7777);
        assert_eq!(cpu.nzcv(), 0x6000_0000);
        assert_eq!(cpu.fpcr, 0x0300_0000);
        assert_eq!(cpu.vreg[5], [0xabab_abab_abab_abab; 2]);
        assert_eq!(cpu.x[0], 0x1111_0000_0000_0000);
    }

    #[test]
    fn bad_frames() {
        let mut cpu = sample_cpu();
        let fs = setup(&mut cpu, 0x8000_0000);
        let good = cpu.clone();
        let restore = |b: &[u8]| {
            let mut c = good.clone();
            c.sp = fs.frame_addr;
            restore_rt_frame(&mut c, b).map(|_| ())
        };
        assert_eq!(restore(&fs.bytes), Ok(()));

        let mut c = good.clone();
        c.sp = fs.frame_addr;
        let snapshot = c.clone();
        assert_eq!(
            restore_rt_frame(&mut c, &fs.bytes[..SIGFRAME_SIZE - 1]),
            Err(())
        );
        assert_eq!(c, snapshot, "a short frame touches nothing");
        c.sp = fs.frame_addr + 8;
        let snapshot = c.clone();
        assert_eq!(restore_rt_frame(&mut c, &fs.bytes), Err(()));
        assert_eq!(c, snapshot, "a misaligned sp touches nothing");

        let r = RESERVED_OFFSET;
        let edit = |f: &dyn Fn(&mut Vec<u8>)| {
            let mut b = fs.bytes.clone();
            f(&mut b);
            restore(&b)
        };
        // FP/SIMD record: corrupted magic, wrong sizes, missing, doubled.
        assert_eq!(edit(&|b| put_u32(b, r, FPSIMD_MAGIC ^ 1)), Err(()));
        assert_eq!(edit(&|b| put_u32(b, r + 4, 512)), Err(()));
        assert_eq!(edit(&|b| put_u32(b, r + 4, 544)), Err(()));
        assert_eq!(edit(&|b| put_u32(b, r + 4, 0)), Err(()));
        assert_eq!(edit(&|b| b[r..r + 8].fill(0)), Err(()));
        assert_eq!(
            edit(&|b| {
                let (head, tail) = b.split_at_mut(r + 528);
                tail[..528].copy_from_slice(&head[r..r + 528]);
            }),
            Err(())
        );
        // Terminator with a size; no terminator (records up to the end).
        assert_eq!(edit(&|b| put_u32(b, r + 532, 16)), Err(()));
        assert_eq!(
            edit(&|b| {
                for off in (r + 528..r + RESERVED_SIZE).step_by(16) {
                    put_u32(b, off, ESR_MAGIC);
                    put_u32(b, off + 4, 16);
                }
            }),
            Err(())
        );
        // A record whose size leaves the next header misaligned, or runs
        // past `__reserved`.
        assert_eq!(
            edit(&|b| {
                put_u32(b, r + 528, ESR_MAGIC);
                put_u32(b, r + 532, 24);
            }),
            Err(())
        );
        assert_eq!(
            edit(&|b| {
                put_u32(b, r + 528, ESR_MAGIC);
                put_u32(b, r + 532, 4096);
            }),
            Err(())
        );
        // Records this CPU has no state for: SVE, extra_context.
        for magic in [0x5356_4501, 0x4558_5401] {
            assert_eq!(
                edit(&|b| {
                    put_u32(b, r + 528, magic);
                    put_u32(b, r + 532, 16);
                }),
                Err(())
            );
        }
        // pstate not EL0t, or with an exception masked.
        for pstate in [0x5u64, 0x10, 0x80, 0x200] {
            let mc = MCONTEXT_OFFSET;
            assert_eq!(
                edit(&|b| b[mc + 272..mc + 280].copy_from_slice(&pstate.to_le_bytes())),
                Err(())
            );
        }

        // A bad record leaves the general registers restored but not the
        // FP/SIMD state; the mask is still readable.
        let mut b = fs.bytes.clone();
        put_u32(&mut b, r, 0);
        let mut c = good.clone();
        c.sp = fs.frame_addr;
        c.vreg = [[0; 2]; 32];
        assert_eq!(restore_rt_frame(&mut c, &b), Err(()));
        assert_eq!(c.x, sample_cpu().x);
        assert_eq!(c.vreg, [[0; 2]; 32]);
        assert_eq!(saved_sigmask(&b), Some(0xdead_beef_0000_0001));
        assert_eq!(saved_sigmask(&b[..170]), None);
    }
}
