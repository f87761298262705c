//! A batch of sequences as one tiny static riscv64 ELF.
//!
//! Each sequence owns a record in the data segment, pre-filled with its
//! initial state: `x[32] f[32] fcsr scratch[SCRATCH]`. Per sequence the code
//! is: a prologue that points s0 at the record's scratch area and loads
//! fcsr, f0..f31 and every x register (sp = s0 = the scratch address) from
//! it; the sequence; an epilogue that stores every x/f register and fcsr
//! back into the record and `write`s the whole record (registers and
//! scratch) to stdout. After the last sequence the whole batch runs again
//! (`PASSES` times in all), each sequence starting from where it ended, so
//! the second pass runs already-translated, chained code; then `exit(0)`.
//! A peer that crashes mid-batch has printed exactly the sequences before
//! the one that crashed it.

use super::common::{elf, EM_RISCV};
use super::enc::*;
use super::gen::{Sequence, State, S0, SCRATCH};

pub const CODE_VA: u64 = 0x11000;
pub const DATA_VA: u64 = 0x4000_0000;
/// Offset of the scratch area in a record.
pub const REC_SCRATCH: usize = 65 * 8;
pub const REC: usize = REC_SCRATCH + SCRATCH;
/// Times the batch runs: dump `k` is sequence `k % seqs` in pass `k / seqs`.
pub const PASSES: u64 = 2;

/// One sequence's final state as printed by the epilogue.
#[derive(Clone, PartialEq, Eq)]
pub struct Dump {
    pub x: [u64; 32],
    pub f: [u64; 32],
    pub fcsr: u64,
    pub scratch: Vec<u8>,
}

impl Dump {
    pub fn parse(rec: &[u8]) -> Dump {
        let word = |k: usize| u64::from_le_bytes(rec[8 * k..8 * k + 8].try_into().unwrap());
        let mut x = [0; 32];
        let mut f = [0; 32];
        for k in 0..32 {
            x[k] = word(k);
            f[k] = word(32 + k);
        }
        Dump {
            x,
            f,
            fcsr: word(64),
            scratch: rec[REC_SCRATCH..REC].to_vec(),
        }
    }
}

pub fn record(st: &State) -> Vec<u8> {
    let mut v = Vec::with_capacity(REC);
    for w in st.x.iter().chain(st.f.iter()) {
        v.extend_from_slice(&w.to_le_bytes());
    }
    v.extend_from_slice(&st.fcsr.to_le_bytes());
    v.extend_from_slice(&st.scratch);
    v
}

/// Address of sequence `n`'s scratch area.
pub fn scratch_addr(n: usize) -> u64 {
    DATA_VA + (n * REC + REC_SCRATCH) as u64
}

/// Per sequence: (pc of its first instruction, listing of (pc, len, text)).
pub type Listing = Vec<(u64, Vec<(u64, usize, String)>)>;

struct Code(Vec<u8>);

impl Code {
    fn w(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn pc(&self) -> u64 {
        CODE_VA + self.0.len() as u64
    }
}

/// The ELF running `seqs` in order (each sequence's `init.x[2]`/`x[8]` must be
/// its `scratch_addr`).
pub fn build(seqs: &[Sequence]) -> (Vec<u8>, Listing) {
    let mut code = Code(Vec::new());
    let mut data = Vec::with_capacity(seqs.len() * REC);
    let mut listing = Vec::new();
    // Offsets of the record's fields from s0 (the scratch area).
    let xo = |k: u8| -(REC_SCRATCH as i32) + 8 * k as i32;
    let fo = |k: u8| -(REC_SCRATCH as i32) + 256 + 8 * k as i32;
    let fcsr_o = -8;
    for (n, seq) in seqs.iter().enumerate() {
        let sa = scratch_addr(n);
        assert_eq!(seq.init.x[S0 as usize], sa);
        data.extend_from_slice(&record(&seq.init));
        // prologue
        let hi = ((sa + 0x800) >> 12) as u32;
        let lo = (sa as i64 - ((hi as i64) << 12)) as i32;
        code.w(u(LUI, S0, hi));
        code.w(i(OP_IMM, 0, S0, S0, lo));
        code.w(i(LOAD, 3, 5, S0, fcsr_o)); // ld t0, fcsr
        code.w(csr(1, 0, 5, 3)); // fscsr t0
                                 // Drop any LR reservation (an sc without a matching lr fails and stores nothing new).
        code.w(amo(0x03, true, false, false, 0, S0, 0));
        for k in 0..32 {
            code.w(i(LOAD_FP, 3, k, S0, fo(k)));
        }
        for k in 1..32 {
            if k != S0 {
                code.w(i(LOAD, 3, k, S0, xo(k)));
            }
        }
        // the sequence
        let (bytes, list) = seq.assemble(code.pc());
        listing.push((code.pc(), list));
        code.0.extend_from_slice(&bytes);
        // epilogue
        for k in 1..32 {
            code.w(s(STORE, 3, S0, k, xo(k)));
        }
        for k in 0..32 {
            code.w(s(STORE_FP, 3, S0, k, fo(k)));
        }
        code.w(csr(2, 5, 0, 3)); // frcsr t0
        code.w(s(STORE, 3, S0, 5, fcsr_o));
        code.w(i(OP_IMM, 0, 17, 0, 64)); // a7 = write
        code.w(i(OP_IMM, 0, 10, 0, 1)); // a0 = stdout
        code.w(i(OP_IMM, 0, 11, S0, -(REC_SCRATCH as i32))); // a1 = record
        code.w(i(OP_IMM, 0, 12, 0, REC as i32)); // a2 = length
        code.w(ecall());
    }
    // if --passes != 0, start over
    let counter = DATA_VA + data.len() as u64;
    data.extend_from_slice(&PASSES.to_le_bytes());
    let hi = ((counter + 0x800) >> 12) as u32;
    let lo = (counter as i64 - ((hi as i64) << 12)) as i32;
    code.w(u(LUI, S0, hi));
    code.w(i(OP_IMM, 0, S0, S0, lo));
    code.w(i(LOAD, 3, 5, S0, 0));
    code.w(i(OP_IMM, 0, 5, 5, -1));
    code.w(s(STORE, 3, S0, 5, 0));
    code.w(b(0, 5, 0, 12)); // beqz t0, exit
    code.w(u(LUI, 6, (CODE_VA >> 12) as u32));
    code.w(i(JALR, 0, 0, 6, (CODE_VA & 0xfff) as i32));
    code.w(i(OP_IMM, 0, 17, 0, 93)); // exit(0)
    code.w(i(OP_IMM, 0, 10, 0, 0));
    code.w(ecall());
    // e_flags: RVC | double-float ABI
    (elf(EM_RISCV, 5, CODE_VA, &code.0, DATA_VA, &data), listing)
}
