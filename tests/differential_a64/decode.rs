//! The decode sweep: random words of the A64 encoding groups emu claims in
//! full (data processing, immediate and register), each executed once in
//! one ELF whose SIGILL handler records the word and skips it; both peers
//! must reject exactly the same words. This is where the frontend's
//! "unallocated or reserved" checks are compared, which the sequence
//! tester (valid encodings only) never reaches.
//!
//! Left out: encodings of features emu neither implements nor advertises
//! (MTE's ADDG/SUBG/IRG/GMI/SUBP, CSSC's min/max/abs/ctz/cnt, PAuth,
//! CRC32, FlagM's RMIF/SETF), which qemu's `max` CPU has. A class emu
//! gains is one change in `in_sweep`.

use super::common::{elf, Rng, EM_AARCH64};
use super::enc::*;

const CODE_VA: u64 = 0x40_0000;
const DATA_VA: u64 = 0x4000_0000;
const ACT: u64 = DATA_VA;
const FLAGS: u64 = DATA_VA + 64;
const STACK: usize = 64 << 10;
/// Instructions per word: x28 = sp = the stack top, then the word.
const SLOT: u64 = 4;
/// Offset of the saved pc in the signal frame's ucontext (uc_mcontext.pc).
const UC_PC: u32 = 440;
const SIGILL: u32 = 4;
const SA_SIGINFO: u64 = 4;

/// Whether `w` belongs to the sweep: a data-processing word of a class
/// emu translates (or leaves unallocated like the manual).
fn in_sweep(w: u32) -> bool {
    let op0 = (w >> 25) & 0xf;
    let dp_imm = op0 >> 1 == 0b100;
    let dp_reg = op0 & 0b111 == 0b101;
    if dp_imm {
        // add/sub immediate with tags (MTE), min/max immediate (CSSC)
        return (w >> 23) & 0x3f != 0b100011;
    }
    if !dp_reg {
        return false;
    }
    let top = (w >> 21) & 0xff; // bits 28:21
    match top {
        // data processing (2 source) and (1 source)
        0b1101_0110 => {
            let opcode = (w >> 10) & 0x3f;
            if w >> 30 & 1 == 0 {
                matches!(opcode, 2 | 3 | 8..=11)
            } else {
                (w >> 16) & 0x1f == 0 && opcode < 6
            }
        }
        // add/subtract with carry; RMIF and SETF share the group
        0b1101_0000 => (w >> 10) & 0x3f == 0,
        _ => true,
    }
}

/// `n` sweep words of seed `seed`.
pub fn words(seed: u64, n: usize) -> Vec<u32> {
    let mut r = Rng::new(seed ^ 0xdec0de);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let w = r.next() as u32;
        if in_sweep(w) {
            out.push(w);
        }
    }
    out
}

/// The ELF: a SIGILL handler, then every word after resetting sp, then
/// `write(1, flags, n)` (flag k = 1: word k raised SIGILL) and `exit(0)`.
pub fn build(words: &[u32]) -> Vec<u8> {
    let mut code: Vec<u32> = Vec::new();
    let addr = |code: &mut Vec<u32>, r: u32, a: u64| {
        code.push(move_wide(true, 2, 0, a as u32 & 0xffff, r));
        code.push(move_wide(true, 3, 1, (a >> 16) as u32 & 0xffff, r));
    };
    let stack_top = (FLAGS + words.len() as u64 + STACK as u64) & !15;
    // rt_sigaction(SIGILL, &act, NULL, 8)
    code.push(move_wide(true, 2, 0, SIGILL, 0));
    addr(&mut code, 1, ACT);
    code.push(move_wide(true, 2, 0, 0, 2));
    code.push(move_wide(true, 2, 0, 8, 3));
    code.push(move_wide(true, 2, 0, 134, 8));
    code.push(svc0());
    let first = CODE_VA + 4 * code.len() as u64;
    for &w in words {
        addr(&mut code, 28, stack_top);
        code.push(add_imm(true, 0, 0, 0, 0, 28, 31)); // mov sp, x28
        code.push(w);
    }
    addr(&mut code, 1, FLAGS);
    code.push(move_wide(true, 2, 0, 64, 8));
    code.push(move_wide(true, 2, 0, 1, 0));
    code.push(move_wide(true, 2, 0, words.len() as u32, 2));
    code.push(svc0());
    code.push(move_wide(true, 2, 0, 93, 8));
    code.push(move_wide(true, 2, 0, 0, 0));
    code.push(svc0());
    // handler(sig, info, uc): flags[(pc - first word) / 16] = 1; pc += 4
    let handler = CODE_VA + 4 * code.len() as u64;
    code.push(ldst_uimm(3, false, 1, UC_PC / 8, 2, 9));
    addr(&mut code, 10, first + 4 * (SLOT - 1));
    code.push(add_shifted(true, 1, 0, 0, 10, 0, 9, 11)); // sub x11, x9, x10
    code.push(bitfield(true, 2, 4, 63, 11, 11)); // lsr x11, x11, #4
    addr(&mut code, 12, FLAGS);
    code.push(move_wide(false, 2, 0, 1, 13));
    code.push(ldst_reg(0, false, 0, 11, 3, 0, 12, 13)); // strb w13, [x12, x11]
    code.push(add_imm(true, 0, 0, 0, 4, 9, 9));
    code.push(ldst_uimm(3, false, 0, UC_PC / 8, 2, 9));
    code.push(0xd65f_03c0); // ret
    let mut data = vec![0u8; (stack_top - DATA_VA) as usize + 16];
    data[..8].copy_from_slice(&handler.to_le_bytes());
    data[8..16].copy_from_slice(&SA_SIGINFO.to_le_bytes());
    let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
    elf(EM_AARCH64, 0, CODE_VA, &bytes, DATA_VA, &data)
}
