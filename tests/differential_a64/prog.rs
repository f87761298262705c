//! A batch of sequences as one tiny static aarch64 ELF.
//!
//! Each sequence owns a record in the data segment, pre-filled with its
//! initial state: `x0..x30 nzcv fpsr fpcr v0..v31 scratch[SCRATCH]`
//! (x28's slot holds the scratch address). Per sequence the code is: a
//! prologue that points x28 at the record, clears the exclusive monitor,
//! loads q0..q31, NZCV, FPSR, FPCR and x0..x30 from it and leaves sp = x28
//! = the scratch address; the sequence; an epilogue that stores every
//! register (x28 and sp excepted) back into the record and `write`s the
//! whole record to stdout. After the last sequence the whole batch runs
//! again (`PASSES` times in all), each sequence starting from where it
//! ended, so the second pass runs already-translated, chained code; then
//! `exit(0)`. A peer that crashes mid-batch has printed exactly the
//! sequences before the one that crashed it.

use super::common::{elf, EM_AARCH64};
use super::enc::{b as enc_b, *};
use super::gen::{Sequence, State, BASE, SCRATCH};

pub const CODE_VA: u64 = 0x40_0000;
pub const DATA_VA: u64 = 0x4000_0000;
/// Offsets in a record.
const REC_NZCV: usize = 31 * 8;
const REC_FPSR: usize = 32 * 8;
const REC_FPCR: usize = 33 * 8;
const REC_V: usize = 34 * 8;
pub const REC_SCRATCH: usize = REC_V + 32 * 16;
pub const REC: usize = REC_SCRATCH + SCRATCH;
/// Times the batch runs: dump `k` is sequence `k % seqs` in pass `k / seqs`.
pub const PASSES: u64 = 2;

const _: () = assert!(REC_SCRATCH.is_multiple_of(16) && REC.is_multiple_of(16));

fn word(rec: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(rec[off..off + 8].try_into().unwrap())
}

/// A sequence's final state as the epilogue prints it.
pub fn parse(rec: &[u8]) -> State {
    let mut x = [0; 31];
    for (k, v) in x.iter_mut().enumerate() {
        *v = word(rec, 8 * k);
    }
    let mut v = [[0; 2]; 32];
    for (k, q) in v.iter_mut().enumerate() {
        *q = [word(rec, REC_V + 16 * k), word(rec, REC_V + 16 * k + 8)];
    }
    State {
        x,
        nzcv: word(rec, REC_NZCV),
        fpsr: word(rec, REC_FPSR),
        fpcr: word(rec, REC_FPCR),
        v,
        scratch: rec[REC_SCRATCH..REC].try_into().unwrap(),
    }
}

pub fn record(st: &State) -> Vec<u8> {
    let mut r = Vec::with_capacity(REC);
    for w in st.x.iter().chain([&st.nzcv, &st.fpsr, &st.fpcr]) {
        r.extend_from_slice(&w.to_le_bytes());
    }
    for q in &st.v {
        r.extend_from_slice(&q[0].to_le_bytes());
        r.extend_from_slice(&q[1].to_le_bytes());
    }
    r.extend_from_slice(&st.scratch);
    r
}

/// Address of sequence `n`'s scratch area.
pub fn scratch_addr(n: usize) -> u64 {
    DATA_VA + (n * REC + REC_SCRATCH) as u64
}

/// Per sequence: (pc of its first instruction, listing of (pc, text)).
pub type Listing = Vec<(u64, Vec<(u64, String)>)>;

struct Code(Vec<u8>);

impl Code {
    fn w(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    fn pc(&self) -> u64 {
        CODE_VA + self.0.len() as u64
    }
    /// `movz/movk` of a 32-bit address into Xr.
    fn address(&mut self, r: u32, a: u64) {
        assert!(a < 1 << 32);
        self.w(move_wide(true, 2, 0, a as u32 & 0xffff, r));
        self.w(move_wide(true, 3, 1, (a >> 16) as u32, r));
    }
}

/// The first registers of the x0..x30 pairs the prologue loads (x28 apart).
const PAIRS: [u32; 15] = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 29];

const X: u32 = 3; // size of a doubleword access
const LDR: u32 = 1;
const STR: u32 = 0;

/// The ELF running `seqs` in order (each sequence's `init.x[28]` must be
/// its `scratch_addr`).
pub fn build(seqs: &[Sequence]) -> (Vec<u8>, Listing) {
    let mut code = Code(Vec::new());
    let mut data = Vec::with_capacity(seqs.len() * REC);
    let mut listing = Vec::new();
    let b = BASE;
    for (n, seq) in seqs.iter().enumerate() {
        let sa = scratch_addr(n);
        assert_eq!(seq.init.x[BASE as usize], sa);
        data.extend_from_slice(&record(&seq.init));
        // prologue: x28 = the record
        code.address(b, sa - REC_SCRATCH as u64);
        code.w(clrex());
        for k in 0..32 {
            // ldr qk, [x28, #REC_V + 16k]
            code.w(ldst_uimm(0, true, 3, (REC_V / 16) as u32 + k, b, k));
        }
        for (off, reg) in [(REC_NZCV, NZCV), (REC_FPSR, FPSR), (REC_FPCR, FPCR)] {
            code.w(ldst_uimm(X, false, LDR, off as u32 / 8, b, 0));
            code.w(msr(reg, 0));
        }
        code.w(add_imm(true, 0, 0, 0, REC_SCRATCH as u32, b, 0));
        code.w(add_imm(true, 0, 0, 0, 0, 0, 31)); // mov sp, x0
        for k in PAIRS {
            code.w(ldst_pair(2, false, 2, true, k as i64, k + 1, b, k)); // ldp
        }
        code.w(add_imm(true, 0, 0, 0, REC_SCRATCH as u32, b, b));
        // the sequence
        let (words, list) = seq.assemble(code.pc());
        listing.push((code.pc(), list));
        for w in words {
            code.w(w);
        }
        // epilogue
        code.w(add_imm(true, 1, 0, 0, REC_SCRATCH as u32, b, b));
        for k in PAIRS {
            code.w(ldst_pair(2, false, 2, false, k as i64, k + 1, b, k)); // stp
        }
        for (off, reg) in [(REC_NZCV, NZCV), (REC_FPSR, FPSR), (REC_FPCR, FPCR)] {
            code.w(mrs(0, reg));
            code.w(ldst_uimm(X, false, STR, off as u32 / 8, b, 0));
        }
        for k in 0..32 {
            code.w(ldst_uimm(0, true, 2, (REC_V / 16) as u32 + k, b, k));
        }
        code.w(move_wide(true, 2, 0, 64, 8)); // x8 = write
        code.w(move_wide(true, 2, 0, 1, 0)); // x0 = stdout
        code.w(add_imm(true, 0, 0, 0, 0, b, 1)); // x1 = the record
        code.w(move_wide(true, 2, 0, REC as u32, 2)); // x2 = its length
        code.w(svc0());
    }
    // if --passes != 0, start over
    let counter = DATA_VA + data.len() as u64;
    data.extend_from_slice(&PASSES.to_le_bytes());
    code.address(b, counter);
    code.w(ldst_uimm(X, false, LDR, 0, b, 0));
    code.w(add_imm(true, 1, 0, 0, 1, 0, 0));
    code.w(ldst_uimm(X, false, STR, 0, b, 0));
    code.w(cbz(true, false, 0, 8));
    code.w(enc_b(CODE_VA as i64 - code.pc() as i64));
    code.w(move_wide(true, 2, 0, 93, 8)); // exit(0)
    code.w(move_wide(true, 2, 0, 0, 0));
    code.w(svc0());
    (
        elf(EM_AARCH64, 0, CODE_VA, &code.0, DATA_VA, &data),
        listing,
    )
}
