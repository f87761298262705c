//! riscv64 Linux signal frame: the guest layout of `struct rt_sigframe`
//! (siginfo + ucontext + sigcontext, exactly as the kernel writes it), building
//! it from a [`Cpu`] at delivery and reading it back at `rt_sigreturn`.
//! Choosing the stack, masks and sigaltstack bookkeeping belong to the caller.
//!
//! Sources (facts only): arch/riscv/kernel/signal.c, arch/riscv/include/uapi/
//! asm/{sigcontext,ucontext,ptrace}.h (Linux 6.x).
//! - `rt_sigframe { siginfo info; ucontext uc; }`: no in-frame trampoline with
//!   an MMU; the kernel sets ra to the vDSO's `__vdso_rt_sigreturn`
//!   (`li a7, 139; ecall`, here [`SIGRETURN_CODE`]).
//! - `ucontext`: `uc_sigmask` is the kernel's 64-bit sigset, followed by
//!   `1024/8 - 8` unused bytes; `uc_mcontext` is 16-aligned (offset 176).
//! - `sigcontext`: `user_regs_struct` (pc, x1..x31) then the 528-byte union of
//!   `__riscv_fp_state` (the kernel writes the D view: f[32], fcsr) and
//!   `__riscv_extra_ext_header` (`reserved` word at 516, written 0 and
//!   checked 0 on return; the first extension header at 520: with no vector
//!   state it is the END header, magic 0 size 0).
//! - frame size = sizeof(rt_sigframe) (no extension contexts) rounded up to
//!   16; frame address = (sp - size) & !15.

use super::cpu::{Cpu, NO_RESERVATION};
use std::mem::{offset_of, size_of};

/// `__NR_rt_sigreturn` on riscv64 (asm-generic).
pub const NR_RT_SIGRETURN: u32 = 139;

/// The vDSO's `__vdso_rt_sigreturn`: `li a7, 139` (`addi a7, zero, 139`) and
/// `ecall`, little-endian words for a guest page the handler's ra points to.
pub const SIGRETURN_CODE: [u32; 2] = [
    (NR_RT_SIGRETURN << 20) | (17 << 7) | 0x13, // 0x08b00893
    0x0000_0073,
];
const _: () = assert!(SIGRETURN_CODE[0] == 0x08b0_0893);

/// `END_MAGIC` / `END_HDR_SIZE` of the extension-context terminator.
pub const END_MAGIC: u32 = 0;
pub const END_HDR_SIZE: u32 = 0;
/// `RISCV_V_MAGIC`: a vector context header (never written here: no V).
pub const RISCV_V_MAGIC: u32 = 0x5346_5457;

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

/// `struct user_regs_struct`: `regs[0]` is pc, `regs[i]` is x_i for i in 1..32.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserRegs {
    pub regs: [u64; 32],
}
const _: () = assert!(size_of::<UserRegs>() == 256);

/// `struct __riscv_ctx_hdr`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CtxHdr {
    pub magic: u32,
    pub size: u32,
}
const _: () = assert!(size_of::<CtxHdr>() == 8);

/// The 528-byte union `{ __riscv_fp_state sc_fpregs; __riscv_extra_ext_header
/// sc_extdesc; }` as one flat struct: the D view (`f`, `fcsr`), the rest of
/// the Q view, and the extension-header view (`reserved`, `hdr`).
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FpState {
    /// `d.f[32]`.
    pub f: [u64; 32],
    /// `d.fcsr`: frm << 5 | fflags.
    pub fcsr: u32,
    /// Tail padding of `struct __riscv_d_ext_state` (copied as 0).
    pub _d_pad: u32,
    /// `q.f[33..64]`: unused.
    pub _q_rest: [u64; 31],
    /// `q.fcsr`: unused.
    pub _q_fcsr: u32,
    /// `sc_extdesc.reserved` (= `q.reserved[0]`): written 0, must be 0 on return.
    pub reserved: u32,
    /// `sc_extdesc.hdr`: the first extension header; END when there is none.
    pub hdr: CtxHdr,
}
const _: () = assert!(size_of::<FpState>() == 528);
const _: () = assert!(offset_of!(FpState, fcsr) == 256);
const _: () = assert!(offset_of!(FpState, _q_fcsr) == 512);
const _: () = assert!(offset_of!(FpState, reserved) == 516);
const _: () = assert!(offset_of!(FpState, hdr) == 520);

/// `struct sigcontext`: 784 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigcontext {
    pub sc_regs: UserRegs,
    pub sc_fpregs: FpState,
}
const _: () = assert!(size_of::<Sigcontext>() == 784);
const _: () = assert!(offset_of!(Sigcontext, sc_fpregs) == 256);

/// `struct ucontext`: 960 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ucontext {
    pub uc_flags: u64,
    pub uc_link: u64,
    pub uc_stack: StackT,
    pub uc_sigmask: u64,
    /// `__unused[1024/8 - sizeof(sigset_t)]`.
    pub _unused: [u8; 120],
    /// Alignment padding before the 16-aligned `uc_mcontext` (explicit, so the
    /// struct has no uninitialised bytes).
    pub _align: u64,
    pub uc_mcontext: Sigcontext,
}
const _: () = assert!(size_of::<Ucontext>() == 960);
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

/// `struct rt_sigframe` (with an MMU): 1088 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtSigframe {
    pub info: [u8; 128],
    pub uc: Ucontext,
}
const _: () = assert!(size_of::<RtSigframe>() == 1088);
const _: () = assert!(offset_of!(RtSigframe, uc) == 128);

impl Default for RtSigframe {
    fn default() -> RtSigframe {
        RtSigframe {
            info: [0; 128],
            uc: Ucontext::default(),
        }
    }
}

/// Bytes the kernel reserves below the stack top for a frame without
/// extension contexts: sizeof(rt_sigframe) rounded up to 16.
pub const FRAME_SIZE: usize = (size_of::<RtSigframe>() + 15) & !15;
const _: () = assert!(FRAME_SIZE == 1088);

/// Offsets inside the frame the handler's a1/a2 point to.
pub const INFO_OFFSET: usize = offset_of!(RtSigframe, info);
pub const UC_OFFSET: usize = offset_of!(RtSigframe, uc);
/// Offset of `uc_mcontext` (the sigcontext, starting with pc) in the frame.
pub const MCONTEXT_OFFSET: usize = UC_OFFSET + offset_of!(Ucontext, uc_mcontext);
/// Offset of the FP state (f0) in the frame.
pub const FPREGS_OFFSET: usize = MCONTEXT_OFFSET + offset_of!(Sigcontext, sc_fpregs);
const _: () = assert!(MCONTEXT_OFFSET == 304 && FPREGS_OFFSET == 560);

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

/// A built frame: the caller writes `bytes` to guest memory at `frame_addr`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSetup {
    pub frame_addr: u64,
    pub bytes: Vec<u8>,
}

/// fcsr as the kernel saves it: frm << 5 | fflags.
fn fcsr_of(cpu: &Cpu) -> u32 {
    (((cpu.frm & 7) << 5) | (cpu.fflags & 0x1f)) as u32
}

/// Builds the frame for a handler (the kernel's `setup_rt_frame` with no
/// vector state) and sets `cpu` up for handler entry.
///
/// - `sp_top`: the stack to push on, already chosen by the caller (the guest
///   sp, or the top of the alternate stack; the "would overflow the
///   alternate stack" check is the caller's too).
/// - `info`: the guest `siginfo_t`, copied verbatim.
/// - `blocked`: the mask sigreturn will restore (the mask before delivery).
/// - `uc_stack`: (ss_sp, ss_flags, ss_size) as `__save_altstack` records them
///   (flags as `sas_ss_flags` of the interrupted sp).
/// - `trampoline`: guest address of [`SIGRETURN_CODE`] (the vDSO's
///   `__vdso_rt_sigreturn`), put in ra.
///
/// `cpu` on return: pc = handler, ra = trampoline, sp = frame, a0 = sig,
/// a1 = &frame.info, a2 = &frame.uc; everything else unchanged except the LR
/// reservation, which is dropped (the kernel's trap return clears it).
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
    let frame_addr = sp_top.wrapping_sub(FRAME_SIZE as u64) & !0xf;

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
    sc.sc_regs.regs[0] = cpu.pc;
    sc.sc_regs.regs[1..].copy_from_slice(&cpu.x[1..]);
    sc.sc_fpregs.f = cpu.f;
    sc.sc_fpregs.fcsr = fcsr_of(cpu);
    sc.sc_fpregs.reserved = 0;
    sc.sc_fpregs.hdr = CtxHdr {
        magic: END_MAGIC,
        size: END_HDR_SIZE,
    };

    let mut bytes = frame.to_bytes();
    bytes.resize(FRAME_SIZE, 0);

    cpu.pc = handler;
    cpu.x[1] = trampoline;
    cpu.x[2] = frame_addr;
    cpu.x[10] = sig as i64 as u64;
    cpu.x[11] = frame_addr.wrapping_add(INFO_OFFSET as u64);
    cpu.x[12] = frame_addr.wrapping_add(UC_OFFSET as u64);
    cpu.reservation = NO_RESERVATION;

    FrameSetup { frame_addr, bytes }
}

/// The `uc_sigmask` of a frame (what `rt_sigreturn` installs first, before
/// any other check), or `None` if `frame` is too short to hold it.
pub fn saved_sigmask(frame: &[u8]) -> Option<u64> {
    let off = UC_OFFSET + offset_of!(Ucontext, uc_sigmask);
    let b = frame.get(off..off + 8)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

/// The kernel's `rt_sigreturn` on a frame read from guest memory at the guest
/// sp: restores pc, x1..x31, f0..f31, fflags and frm, and returns the saved
/// mask and the saved (ss_sp, ss_flags, ss_size) for the caller to install
/// (`set_current_blocked`, which also drops SIGKILL/SIGSTOP, and
/// `restore_altstack` are the caller's).
///
/// `Err(())` is the kernel's `badframe` (the caller forces SIGSEGV):
/// - `frame` shorter than [`FRAME_SIZE`]: nothing is touched;
/// - `sc_extdesc.reserved` not 0, or the first extension header not END with
///   size 0 (a vector context included: no V here): as in the kernel, the
///   registers have already been restored by then (and the mask installed:
///   see [`saved_sigmask`]).
///
/// The syscall's a0 result is the restored a0, which is already in `cpu`:
/// the caller must not overwrite it with a syscall return value.
#[allow(clippy::result_unit_err)]
pub fn restore_rt_frame(cpu: &mut Cpu, frame: &[u8]) -> Result<(u64, (u64, i32, u64)), ()> {
    if frame.len() < FRAME_SIZE {
        return Err(());
    }
    let f = RtSigframe::from_bytes(frame).ok_or(())?;
    let uc = &f.uc;
    let sc = &uc.uc_mcontext;

    cpu.pc = sc.sc_regs.regs[0];
    cpu.x[1..].copy_from_slice(&sc.sc_regs.regs[1..]);
    cpu.f = sc.sc_fpregs.f;
    // fscsr keeps the architectural bits only: fflags 4..0, frm 7..5.
    let fcsr = u64::from(sc.sc_fpregs.fcsr);
    cpu.fflags = fcsr & 0x1f;
    cpu.frm = (fcsr >> 5) & 7;
    cpu.reservation = NO_RESERVATION;

    if sc.sc_fpregs.reserved != 0 {
        return Err(());
    }
    let hdr = sc.sc_fpregs.hdr;
    if hdr.magic != END_MAGIC || hdr.size != END_HDR_SIZE {
        return Err(());
    }
    let st = uc.uc_stack;
    Ok((uc.uc_sigmask, (st.ss_sp, st.ss_flags, st.ss_size)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_cpu() -> Cpu {
        let mut cpu = Cpu::default();
        for i in 1..32 {
            cpu.x[i] = 0x1111_0000_0000_0000 | (i as u64) << 8 | i as u64;
        }
        for i in 0..32 {
            cpu.f[i] = 0xffff_ffff_0000_0000 | (0x40 + i as u64);
        }
        cpu.pc = 0x1_2345_6788;
        cpu.fflags = 0b10101;
        cpu.frm = 3;
        cpu.reservation = 0x4000;
        cpu.reservation_value = 7;
        cpu
    }

    fn info() -> [u8; 128] {
        let mut info = [0u8; 128];
        for (i, b) in info.iter_mut().enumerate() {
            *b = i as u8 ^ 0x5a;
        }
        info
    }

    fn u64_at(b: &[u8], off: usize) -> u64 {
        u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
    }
    fn u32_at(b: &[u8], off: usize) -> u32 {
        u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
    }

    #[test]
    fn layout_matches_kernel() {
        // Values measured with a riscv64 glibc program under qemu-riscv64
        // (sizeof(ucontext_t) 960, uc - info 128, uc_mcontext at uc+176,
        // __fpregs at uc+432, fcsr at uc+688) and from the uapi headers.
        assert_eq!(size_of::<Ucontext>(), 960);
        assert_eq!(offset_of!(Ucontext, uc_mcontext), 176);
        assert_eq!(
            offset_of!(Ucontext, uc_mcontext) + offset_of!(Sigcontext, sc_fpregs),
            432
        );
        assert_eq!(
            offset_of!(Ucontext, uc_mcontext)
                + offset_of!(Sigcontext, sc_fpregs)
                + offset_of!(FpState, fcsr),
            688
        );
        assert_eq!(size_of::<Sigcontext>(), 784);
        assert_eq!(size_of::<RtSigframe>(), 1088);
        assert_eq!(UC_OFFSET, 128);
        assert_eq!(INFO_OFFSET, 0);
        assert_eq!(FRAME_SIZE, 1088);
        assert_eq!(std::mem::align_of::<RtSigframe>(), 16);
    }

    #[test]
    fn sigreturn_code() {
        assert_eq!(SIGRETURN_CODE, [0x08b0_0893, 0x0000_0073]);
    }

    #[test]
    fn frame_address_and_handler_entry() {
        let mut cpu = sample_cpu();
        let before = cpu.clone();
        let sp_top = 0x7fff_1238; // not 16-aligned
        let fs = setup_rt_frame(
            &mut cpu,
            sp_top,
            10,
            &info(),
            0x4_0001,
            (0, 2, 0),
            0x10_000,
            0x20_000,
        );
        assert_eq!(fs.frame_addr, (sp_top - 1088) & !15);
        assert_eq!(fs.frame_addr % 16, 0);
        assert_eq!(fs.bytes.len(), FRAME_SIZE);
        assert_eq!(cpu.pc, 0x10_000);
        assert_eq!(cpu.x[1], 0x20_000);
        assert_eq!(cpu.x[2], fs.frame_addr);
        assert_eq!(cpu.x[10], 10);
        assert_eq!(cpu.x[11], fs.frame_addr);
        assert_eq!(cpu.x[12], fs.frame_addr + 128);
        assert_eq!(cpu.reservation, NO_RESERVATION);
        // Nothing else changes.
        for i in (3..32).filter(|&i| !(10..=12).contains(&i)) {
            assert_eq!(cpu.x[i], before.x[i], "x{i}");
        }
        assert_eq!(cpu.f, before.f);
        assert_eq!((cpu.fflags, cpu.frm), (before.fflags, before.frm));
    }

    #[test]
    fn values_at_kernel_offsets() {
        let mut cpu = sample_cpu();
        let before = cpu.clone();
        let fs = setup_rt_frame(
            &mut cpu,
            0x8000_0000,
            12,
            &info(),
            0xdead_beef_0000_0001,
            (0x5000, 1, 0x2000),
            0x10_000,
            0x20_000,
        );
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
        assert_eq!(u64_at(b, mc), before.pc);
        for i in 1..32 {
            assert_eq!(u64_at(b, mc + 8 * i), before.x[i], "x{i}");
        }
        let fp = mc + 256;
        assert_eq!(fp, FPREGS_OFFSET);
        for i in 0..32 {
            assert_eq!(u64_at(b, fp + 8 * i), before.f[i], "f{i}");
        }
        assert_eq!(u32_at(b, fp + 256), (3 << 5) | 0b10101); // fcsr
        assert_eq!(u32_at(b, fp + 516), 0); // sc_extdesc.reserved
        assert_eq!(u32_at(b, fp + 520), END_MAGIC);
        assert_eq!(u32_at(b, fp + 524), END_HDR_SIZE);
        assert_eq!(fp + 528, FRAME_SIZE);
    }

    #[test]
    fn round_trip() {
        let mut cpu = sample_cpu();
        let before = cpu.clone();
        let fs = setup_rt_frame(
            &mut cpu,
            0x8000_0000,
            10,
            &info(),
            0x55,
            (0x5000, 2, 0x3000),
            0x10_000,
            0x20_000,
        );
        // The handler clobbers everything.
        for i in 1..32 {
            cpu.x[i] = !cpu.x[i];
        }
        cpu.f = [0; 32];
        cpu.fflags = 0;
        cpu.frm = 0;
        cpu.pc = 0x20_004;
        cpu.x[2] = fs.frame_addr;
        let (mask, st) = restore_rt_frame(&mut cpu, &fs.bytes).unwrap();
        assert_eq!(mask, 0x55);
        assert_eq!(st, (0x5000, 2, 0x3000));
        let expect = Cpu {
            reservation: NO_RESERVATION,
            ..before
        };
        assert_eq!(cpu, expect);
    }

    #[test]
    fn restore_reads_handler_edits() {
        let mut cpu = sample_cpu();
        let fs = setup_rt_frame(
            &mut cpu,
            0x8000_0000,
            10,
            &info(),
            0,
            (0, 2, 0),
            0x10_000,
            0x20_000,
        );
        let mut b = fs.bytes.clone();
        // A handler that changes the resume pc and fcsr (only the low 8 bits
        // are architectural).
        b[MCONTEXT_OFFSET..MCONTEXT_OFFSET + 8].copy_from_slice(&0x7777u64.to_le_bytes());
        b[FPREGS_OFFSET + 256..FPREGS_OFFSET + 260].copy_from_slice(&0xffff_ff61u32.to_le_bytes());
        restore_rt_frame(&mut cpu, &b).unwrap();
        assert_eq!(cpu.pc, 0x7777);
        assert_eq!((cpu.frm, cpu.fflags), (3, 1));
        assert_eq!(cpu.x[0], 0);
    }

    #[test]
    fn bad_frames() {
        let mut cpu = sample_cpu();
        let fs = setup_rt_frame(
            &mut cpu,
            0x8000_0000,
            10,
            &info(),
            9,
            (0, 2, 0),
            0x10_000,
            0x20_000,
        );
        let snapshot = cpu.clone();
        assert_eq!(
            restore_rt_frame(&mut cpu, &fs.bytes[..FRAME_SIZE - 1]),
            Err(())
        );
        assert_eq!(cpu, snapshot, "a short frame touches nothing");

        let mut b = fs.bytes.clone();
        b[FPREGS_OFFSET + 516] = 1; // reserved word
        assert_eq!(restore_rt_frame(&mut cpu, &b), Err(()));

        let mut b = fs.bytes.clone();
        b[FPREGS_OFFSET + 520..FPREGS_OFFSET + 524].copy_from_slice(&RISCV_V_MAGIC.to_le_bytes());
        assert_eq!(restore_rt_frame(&mut cpu, &b), Err(()));

        let mut b = fs.bytes.clone();
        b[FPREGS_OFFSET + 524] = 8; // END with a size
        assert_eq!(restore_rt_frame(&mut cpu, &b), Err(()));
        assert_eq!(saved_sigmask(&b), Some(9));
        assert_eq!(saved_sigmask(&b[..170]), None);
    }
}
