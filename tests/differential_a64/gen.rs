//! The seeded generator of the aarch64 tester: random A64 instruction
//! sequences and the initial state each one starts from (integer boundary
//! values and bit patterns in x0–x30 and in the vector lanes, random NZCV,
//! FPSR flags, a random scratch area).
//!
//! Conventions every sequence keeps: `sp` and `x28` hold the scratch
//! area's address and are never written; `x18` (the platform register) is
//! left alone; memory accesses stay inside the scratch area (exclusives and
//! acquire/release accesses naturally aligned); branches only go forward,
//! to the start of a later item or to the end of the sequence; only
//! instructions the A64 frontend implements are generated, and never an
//! encoding the manual calls unallocated or CONSTRAINED UNPREDICTABLE.
//!
//! Adding an instruction class: write a `fn name(&mut self) -> Item` below
//! (pick operands with `rd`/`rs`/`vd`/`vs`, encode with `enc.rs`, wrap with
//! `one` or `Item::new`) and add one `(weight, "what", |g| g.name())` line to
//! `CLASSES`. A class for an extension a backend may not have yet stays out
//! of `CLASSES` until the frontend decodes it.

use super::common::Rng;
use super::enc::{self, *};

pub const SCRATCH: usize = 256;
/// The register holding the scratch base besides sp; never written.
pub const BASE: u32 = 28;
/// The platform register: never touched.
pub const X18: u32 = 18;

/// One encoded piece of an item. Branches are resolved at layout time.
#[derive(Clone, Copy, Debug)]
pub enum Piece {
    W(u32),
    Br(Br),
}

#[derive(Clone, Copy, Debug)]
pub enum Br {
    B,
    /// BL: x30 = the next instruction.
    Bl,
    /// ADR Xd of the target (for BR/BLR/RET through a register).
    Adr(u32),
    Cond(u32),
    Cbz {
        sf: bool,
        nz: bool,
        rt: u32,
    },
    Tbz {
        nz: bool,
        bit: u32,
        rt: u32,
    },
}

impl Piece {
    /// The word of the piece, which sits `off` bytes before its target.
    pub fn encode(&self, off: i64) -> u32 {
        match *self {
            Piece::W(x) => x,
            Piece::Br(Br::B) => enc::b(off),
            Piece::Br(Br::Bl) => enc::b(off) | 1 << 31,
            Piece::Br(Br::Adr(rd)) => adr(false, off, rd),
            Piece::Br(Br::Cond(c)) => b_cond(c, off),
            Piece::Br(Br::Cbz { sf, nz, rt }) => cbz(sf, nz, rt, off),
            Piece::Br(Br::Tbz { nz, bit, rt }) => tbz(nz, bit, rt, off),
        }
    }
}

/// A unit of a sequence: one instruction or a few that belong together
/// (an address computation and its access, an exclusive pair). Branches
/// land only on item boundaries.
#[derive(Clone, Debug)]
pub struct Item {
    pub pieces: Vec<Piece>,
    /// For an item holding a branch: the number of following items it skips
    /// (the target is the start of item `index + 1 + skip`, or the end).
    pub skip: usize,
    /// What the generator meant, per piece (shown when capstone cannot).
    pub text: Vec<String>,
}

impl Item {
    fn new() -> Item {
        Item {
            pieces: Vec::new(),
            skip: 0,
            text: Vec::new(),
        }
    }
    fn push(&mut self, w: u32, text: impl Into<String>) {
        self.pieces.push(Piece::W(w));
        self.text.push(text.into());
    }
}

fn one(w: u32, text: impl Into<String>) -> Item {
    let mut it = Item::new();
    it.push(w, text);
    it
}

/// The initial state of one sequence (also what the epilogue dumps).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// x0..x30 (x28 = the scratch address).
    pub x: [u64; 31],
    /// NZCV as MRS reads it (bits 31:28).
    pub nzcv: u64,
    pub fpsr: u64,
    pub fpcr: u64,
    /// v0..v31 as (low, high) halves.
    pub v: [[u64; 2]; 32],
    pub scratch: [u8; SCRATCH],
}

#[derive(Clone, Debug)]
pub struct Sequence {
    pub init: State,
    pub items: Vec<Item>,
}

impl Sequence {
    /// The sequence's words when placed at `pc`, and each piece's (pc, text).
    pub fn assemble(&self, pc: u64) -> (Vec<u32>, Vec<(u64, String)>) {
        let mut starts = Vec::with_capacity(self.items.len() + 1);
        let mut at = pc;
        for it in &self.items {
            starts.push(at);
            at += 4 * it.pieces.len() as u64;
        }
        starts.push(at);
        let mut out = Vec::new();
        let mut listing = Vec::new();
        for (n, it) in self.items.iter().enumerate() {
            let target = starts[(n + 1 + it.skip).min(self.items.len())];
            let mut p = starts[n];
            for (piece, text) in it.pieces.iter().zip(&it.text) {
                out.push(piece.encode(target as i64 - p as i64));
                listing.push((p, text.clone()));
                p += 4;
            }
        }
        (out, listing)
    }

    /// The same sequence without item `n` (branches keep their targets
    /// where possible).
    pub fn without(&self, n: usize) -> Sequence {
        let mut s = self.clone();
        s.items.remove(n);
        for (k, it) in s.items.iter_mut().enumerate().take(n) {
            if k + 1 + it.skip > n && it.skip > 0 {
                it.skip -= 1;
            }
        }
        s
    }
}

// ---- values ----

pub fn x_value(r: &mut Rng) -> u64 {
    match r.below(17) {
        0 => 0,
        1 => 1,
        2 => u64::MAX,
        3 => i64::MIN as u64,
        4 => i64::MAX as u64,
        5 => i32::MIN as i64 as u64,
        6 => i32::MAX as u64,
        7 => 0x8000_0000,
        8 => 0xffff_ffff,
        9 => r.range(-16, 16) as u64,
        10 => r.below(70),
        11 => r.next() as u32 as i32 as i64 as u64,
        12 => r.next() as u32 as u64,
        13 => {
            // bytes of 0x00/0xff/0x80/0x7f/0x01 (rev, clz, cnt, lane compares)
            let mut v = 0u64;
            for _ in 0..8 {
                v = v << 8 | r.pick(&[0x00u64, 0xff, 0x80, 0x7f, 0x01]);
            }
            v
        }
        14 => 1u64 << r.below(64),
        15 => r.pick(&[
            0x0000_0000_ffff_ffffu64,
            0xffff_ffff_0000_0000,
            0x5555_5555_5555_5555,
            0xaaaa_aaaa_aaaa_aaaa,
            0x0f0f_0f0f_0f0f_0f0f,
            0x8000_0000_0000_0001,
        ]),
        _ => r.next(),
    }
}

/// One 64-bit half of a vector register: lanes of special values.
pub fn v_half(r: &mut Rng) -> u64 {
    match r.below(6) {
        0 => {
            // 16-bit lanes
            (0..4).fold(0, |v, _| {
                v << 16 | r.pick(&[0u64, 1, 0x7fff, 0x8000, 0xffff, 0x00ff, 0xff00])
            })
        }
        1 => {
            // 32-bit lanes
            (0..2).fold(0, |v, _| v << 32 | (x_value(r) & 0xffff_ffff))
        }
        _ => x_value(r),
    }
}

pub fn random_state(r: &mut Rng, scratch_addr: u64) -> State {
    let mut x = [0u64; 31];
    for v in x.iter_mut() {
        *v = x_value(r);
    }
    x[BASE as usize] = scratch_addr;
    let mut v = [[0u64; 2]; 32];
    for q in v.iter_mut() {
        *q = [v_half(r), v_half(r)];
    }
    let mut scratch = [0u8; SCRATCH];
    for chunk in scratch.chunks_mut(8) {
        let w = if r.chance(50) { x_value(r) } else { r.next() };
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    State {
        x,
        nzcv: r.below(16) << 28,
        fpsr: fpsr_value(r),
        fpcr: if r.chance(25) {
            r.next() & 0x07c0_0000
        } else {
            0
        },
        v,
        scratch,
    }
}

/// The FPSR bits that hold state: N, Z, C, V (AArch32's), QC and the
/// cumulative exception flags (IDC, IXC, UFC, OFC, DZC, IOC).
pub const FPSR_BITS: u64 = 0xf800_009f;

fn fpsr_value(r: &mut Rng) -> u64 {
    r.next() & FPSR_BITS
}

// ---- the instruction generator ----

pub struct Gen<'a> {
    pub r: &'a mut Rng,
    /// Recently written general registers: sources prefer them.
    recent: Vec<u32>,
    recent_v: Vec<u32>,
    /// Registers the items being generated must not write (a loop counter,
    /// the link register of a call in progress).
    reserved: Vec<u32>,
}

type Class = fn(&mut Gen) -> Item;

/// Every instruction class the generator knows, with its weight.
pub const CLASSES: &[(u64, &str, Class)] = &[
    (6, "add/sub immediate", |g| g.add_sub_imm()),
    (5, "logical immediate", |g| g.logical_imm()),
    (3, "move wide", |g| g.move_wide()),
    (5, "bitfield", |g| g.bitfield()),
    (2, "extract", |g| g.extr()),
    (1, "adr/adrp", |g| g.adr()),
    (6, "logical shifted register", |g| g.logical_reg()),
    (6, "add/sub shifted register", |g| g.add_sub_shifted()),
    (4, "add/sub extended register", |g| g.add_sub_extended()),
    (3, "add/sub with carry", |g| g.adc()),
    (5, "conditional select", |g| g.csel()),
    (4, "conditional compare", |g| g.ccmp()),
    (5, "shifts and divides", |g| g.dp2()),
    (3, "bit and byte operations", |g| g.dp1()),
    (5, "multiplies", |g| g.dp3()),
    (5, "forward branches", |g| g.branch()),
    (2, "indirect branches", |g| g.indirect()),
    (1, "counted loops", |g| g.counted_loop()),
    (1, "calls", |g| g.call()),
    (1, "hints and barriers", |g| g.hint()),
    (1, "load literal", |g| g.load_literal()),
    (2, "system registers", |g| g.sysreg()),
    (6, "loads and stores", |g| g.load_store()),
    (3, "pre/post-indexed", |g| g.load_store_writeback()),
    (3, "register offset", |g| g.load_store_register()),
    (4, "pairs", |g| g.pair()),
    (2, "exclusives", |g| g.exclusive()),
    (1, "acquire/release", |g| g.acquire_release()),
    (4, "SIMD&FP loads and stores", |g| g.simd_load_store()),
    (1, "LD1/ST1", |g| g.ld1_st1()),
    (6, "SIMD three same", |g| g.simd_three_same()),
    (3, "SIMD two-register misc", |g| g.simd_two_misc()),
    (2, "SIMD across lanes", |g| g.simd_across()),
    (3, "SIMD shift by immediate", |g| g.simd_shift_imm()),
    (2, "SIMD permute", |g| g.simd_permute()),
    (1, "SIMD ext", |g| g.simd_ext()),
    (4, "SIMD copy", |g| g.simd_copy()),
    (2, "SIMD modified immediate", |g| g.simd_modified_imm()),
    (2, "FMOV general", |g| g.fmov_general()),
];

/// Registers a sequence may write.
fn writable(r: u32) -> bool {
    r < 31 && r != BASE && r != X18
}

/// Condition-code names, for the generator's text.
const CONDS: [&str; 16] = [
    "eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv",
];

impl<'a> Gen<'a> {
    pub fn new(r: &'a mut Rng) -> Gen<'a> {
        Gen {
            r,
            recent: Vec::new(),
            recent_v: Vec::new(),
            reserved: Vec::new(),
        }
    }

    pub fn sequence(&mut self, len: usize) -> Vec<Item> {
        self.recent.clear();
        self.recent_v.clear();
        let mut items = Vec::with_capacity(len);
        while items.len() < len {
            let mut it = self.item();
            it.skip = it.skip.min(len - items.len());
            items.push(it);
        }
        items
    }

    /// One item of a class drawn by weight.
    fn item(&mut self) -> Item {
        let total: u64 = CLASSES.iter().map(|c| c.0).sum();
        let mut k = self.r.below(total);
        for c in CLASSES {
            if k < c.0 {
                return (c.2)(self);
            }
            k -= c.0;
        }
        unreachable!()
    }

    /// An item without branches between items (for loop and call bodies).
    fn straight_item(&mut self) -> Item {
        loop {
            let it = self.item();
            if it.pieces.iter().all(|p| matches!(p, Piece::W(_))) {
                return it;
            }
        }
    }

    // ---- operands ----

    fn sf(&mut self) -> bool {
        self.r.chance(50)
    }
    /// A destination register, never 31.
    fn rd(&mut self) -> u32 {
        loop {
            let v = self.r.below(31) as u32;
            if writable(v) && !self.reserved.contains(&v) {
                self.recent.push(v);
                if self.recent.len() > 4 {
                    self.recent.remove(0);
                }
                return v;
            }
        }
    }
    /// A destination where 31 is the zero register (now and then).
    fn rd_zr(&mut self) -> u32 {
        if self.r.chance(4) {
            ZR
        } else {
            self.rd()
        }
    }
    /// A source register (31 is the zero register or sp, per encoding).
    fn rs(&mut self) -> u32 {
        if !self.recent.is_empty() && self.r.chance(40) {
            let n = self.recent.len() as u64;
            return self.recent[self.r.below(n) as usize];
        }
        loop {
            let v = self.r.below(32) as u32;
            if v != X18 {
                return v;
            }
        }
    }
    /// A destination register distinct from `others`.
    fn rd_not(&mut self, others: &[u32]) -> u32 {
        loop {
            let v = self.rd();
            if !others.contains(&v) {
                return v;
            }
        }
    }
    fn vd(&mut self) -> u32 {
        let v = self.r.below(32) as u32;
        self.recent_v.push(v);
        if self.recent_v.len() > 4 {
            self.recent_v.remove(0);
        }
        v
    }
    fn vs(&mut self) -> u32 {
        if !self.recent_v.is_empty() && self.r.chance(40) {
            let n = self.recent_v.len() as u64;
            self.recent_v[self.r.below(n) as usize]
        } else {
            self.r.below(32) as u32
        }
    }
    fn cond(&mut self) -> u32 {
        self.r.below(16) as u32
    }
    /// A scratch offset for an access of `size` bytes (naturally aligned).
    fn off(&mut self, size: u64) -> i64 {
        (self.r.below(SCRATCH as u64 / size) * size) as i64
    }
    /// The scratch base: x28 or sp.
    fn base(&mut self) -> u32 {
        if self.r.chance(50) {
            BASE
        } else {
            31
        }
    }
    /// `add xt, x28, #k`: a fresh pointer into (or near) the scratch area,
    /// t distinct from `avoid`.
    fn pointer(&mut self, it: &mut Item, k: u32, avoid: &[u32]) -> u32 {
        let t = self.rd_not(avoid);
        it.push(add_imm(true, 0, 0, 0, k, BASE, t), "pointer");
        t
    }

    // ---- data processing, immediate ----

    fn add_sub_imm(&mut self) -> Item {
        let (sf, op, s) = (self.sf(), self.r.below(2) as u32, self.r.below(2) as u32);
        let sh = self.r.chance(25) as u32;
        let imm = match self.r.below(3) {
            0 => self.r.pick(&[0, 1, 0xfff, 0x800, 0x7ff]),
            1 => self.r.below(64) as u32,
            _ => self.r.below(4096) as u32,
        };
        let rn = self.rs(); // 31 = sp
                            // Rd 31 is sp for ADD/SUB, the zero register for ADDS/SUBS.
        let rd = if s == 1 { self.rd_zr() } else { self.rd() };
        one(add_imm(sf, op, s, sh, imm, rn, rd), "add/sub imm")
    }

    fn logical_imm(&mut self) -> Item {
        let sf = self.sf();
        let opc = self.r.below(4) as u32;
        // A valid bitmask: element of e bits with `ones` consecutive ones
        // (not all), rotated right by r.
        let sizes: &[u32] = if sf {
            &[2, 4, 8, 16, 32, 64]
        } else {
            &[2, 4, 8, 16, 32]
        };
        let e = self.r.pick(sizes);
        let ones = self.r.range(1, e as i64 - 1) as u32;
        let rot = self.r.below(e as u64) as u32;
        let (n, imms) = if e == 64 {
            (1, ones - 1)
        } else {
            (0, (!(2 * e - 1) & 0x3f) | (ones - 1))
        };
        let rn = self.rs();
        // Rd 31 is sp for AND/ORR/EOR, the zero register for ANDS.
        let rd = if opc == 3 { self.rd_zr() } else { self.rd() };
        one(
            logical_imm(sf, opc, n, rot, imms, rn, rd),
            format!("logical imm e={e} ones={ones} ror={rot}"),
        )
    }

    fn move_wide(&mut self) -> Item {
        let sf = self.sf();
        let opc = self.r.pick(&[0, 2, 3]);
        let hw = self.r.below(if sf { 4 } else { 2 }) as u32;
        let imm = match self.r.below(3) {
            0 => self.r.pick(&[0, 1, 0xffff, 0x8000, 0x7fff]),
            _ => self.r.below(0x10000) as u32,
        };
        let rd = self.rd_zr();
        one(move_wide(sf, opc, hw, imm, rd), "move wide")
    }

    fn bitfield(&mut self) -> Item {
        let sf = self.sf();
        let w = if sf { 64 } else { 32 };
        let opc = self.r.below(3) as u32;
        let (immr, imms) = (self.r.below(w) as u32, self.r.below(w) as u32);
        let rn = self.rs();
        let rd = self.rd_zr();
        one(bitfield(sf, opc, immr, imms, rn, rd), "bitfield")
    }

    fn extr(&mut self) -> Item {
        let sf = self.sf();
        let lsb = self.r.below(if sf { 64 } else { 32 }) as u32;
        let (rm, rn) = (self.rs(), self.rs());
        let rd = self.rd_zr();
        one(extr(sf, rm, lsb, rn, rd), "extr")
    }

    fn adr(&mut self) -> Item {
        let page = self.r.chance(50);
        let imm = self.r.range(-(1 << 20), (1 << 20) - 1);
        let rd = self.rd();
        one(adr(page, imm, rd), "adr/adrp")
    }

    // ---- data processing, register ----

    fn shift6(&mut self, sf: bool) -> u32 {
        let w = if sf { 64 } else { 32 };
        match self.r.below(3) {
            0 => 0,
            1 => self.r.pick(&[1, w as u32 - 1]),
            _ => self.r.below(w) as u32,
        }
    }

    fn logical_reg(&mut self) -> Item {
        let sf = self.sf();
        let (opc, shift, n) = (
            self.r.below(4) as u32,
            self.r.below(4) as u32,
            self.r.below(2) as u32,
        );
        let imm6 = self.shift6(sf);
        let (rm, rn) = (self.rs(), self.rs());
        let rd = self.rd_zr();
        one(
            logical_reg(sf, opc, shift, n, rm, imm6, rn, rd),
            "logical reg",
        )
    }

    fn add_sub_shifted(&mut self) -> Item {
        let sf = self.sf();
        let (op, s, shift) = (
            self.r.below(2) as u32,
            self.r.below(2) as u32,
            self.r.below(3) as u32,
        );
        let imm6 = self.shift6(sf);
        let (rm, rn) = (self.rs(), self.rs());
        let rd = self.rd_zr();
        one(
            add_shifted(sf, op, s, shift, rm, imm6, rn, rd),
            "add/sub shifted",
        )
    }

    fn add_sub_extended(&mut self) -> Item {
        let sf = self.sf();
        let (op, s) = (self.r.below(2) as u32, self.r.below(2) as u32);
        let option = self.r.below(8) as u32;
        let imm3 = self.r.below(5) as u32;
        let rm = self.rs(); // 31 = zero register
        let rn = self.rs(); // 31 = sp
        let rd = if s == 1 { self.rd_zr() } else { self.rd() };
        one(
            add_extended(sf, op, s, rm, option, imm3, rn, rd),
            "add/sub extended",
        )
    }

    fn adc(&mut self) -> Item {
        let sf = self.sf();
        let (op, s) = (self.r.below(2) as u32, self.r.below(2) as u32);
        let (rm, rn) = (self.rs(), self.rs());
        let rd = self.rd_zr();
        one(enc::adc(sf, op, s, rm, rn, rd), "adc/sbc")
    }

    fn csel(&mut self) -> Item {
        let sf = self.sf();
        let (op, o2) = (self.r.below(2) as u32, self.r.below(2) as u32);
        let cond = self.cond();
        let (rm, rn) = (self.rs(), self.rs());
        let rd = self.rd_zr();
        one(
            enc::csel(sf, op, rm, cond, o2, rn, rd),
            format!("csel-class {}", CONDS[cond as usize]),
        )
    }

    fn ccmp(&mut self) -> Item {
        let sf = self.sf();
        let op = self.r.below(2) as u32;
        let imm = self.r.chance(50);
        let m = if imm {
            self.r.below(32) as u32
        } else {
            self.rs()
        };
        let cond = self.cond();
        let nzcv = self.r.below(16) as u32;
        let rn = self.rs();
        one(enc::ccmp(sf, op, imm, m, cond, rn, nzcv), "ccmp/ccmn")
    }

    fn dp2(&mut self) -> Item {
        let sf = self.sf();
        let opcode = self.r.pick(&[2, 3, 2, 3, 8, 9, 10, 11]);
        let (rm, rn) = (self.rs(), self.rs());
        let rd = self.rd_zr();
        one(dp2(sf, rm, opcode, rn, rd), "div/shift")
    }

    fn dp1(&mut self) -> Item {
        let sf = self.sf();
        let opcode = if sf {
            self.r.pick(&[0, 1, 2, 3, 4, 5])
        } else {
            self.r.pick(&[0, 1, 2, 4, 5])
        };
        let rn = self.rs();
        let rd = self.rd_zr();
        one(dp1(sf, opcode, rn, rd), "rbit/rev/clz/cls")
    }

    fn dp3(&mut self) -> Item {
        let (rm, rn, ra) = (self.rs(), self.rs(), self.rs());
        let o0 = self.r.below(2) as u32;
        let rd = self.rd_zr();
        let w = match self.r.below(4) {
            0 => dp3(self.r.chance(50), 0, rm, o0, ra, rn, rd), // MADD/MSUB
            1 => dp3(true, self.r.pick(&[1, 5]), rm, o0, ra, rn, rd), // [SU]M{ADD,SUB}L
            2 => dp3(true, self.r.pick(&[2, 6]), rm, 0, 31, rn, rd), // [SU]MULH
            _ => dp3(self.r.chance(50), 0, rm, 0, 31, rn, rd),  // MUL
        };
        one(w, "multiply")
    }

    // ---- branches and system registers ----

    fn branch(&mut self) -> Item {
        let skip = self.r.below(4) as usize;
        let (br, text) = match self.r.below(10) {
            0..=3 => {
                let c = self.cond();
                (
                    Br::Cond(c),
                    format!("b.{} <+{skip} items>", CONDS[c as usize]),
                )
            }
            4..=6 => {
                let (sf, nz, rt) = (self.sf(), self.r.chance(50), self.rs());
                (Br::Cbz { sf, nz, rt }, format!("cb(n)z <+{skip} items>"))
            }
            7..=8 => {
                let (nz, bit, rt) = (self.r.chance(50), self.r.below(64) as u32, self.rs());
                (
                    Br::Tbz { nz, bit, rt },
                    format!("tb(n)z #{bit} <+{skip} items>"),
                )
            }
            9 if self.r.chance(50) => {
                self.recent.push(30);
                (Br::Bl, format!("bl <+{skip} items>"))
            }
            _ => (Br::B, format!("b <+{skip} items>")),
        };
        Item {
            pieces: vec![Piece::Br(br)],
            skip,
            text: vec![text],
        }
    }

    /// `adr xt, <target>` then BR/BLR xt or RET xt.
    fn indirect(&mut self) -> Item {
        let skip = self.r.below(4) as usize;
        let t = self.rd();
        let (w, name) = match self.r.below(3) {
            0 => (0xd61f_0000 | t << 5, "br"),
            1 => (0xd63f_0000 | t << 5, "blr"),
            _ => (0xd65f_0000 | t << 5, "ret"),
        };
        if name == "blr" {
            self.recent.push(30);
        }
        Item {
            pieces: vec![Piece::Br(Br::Adr(t)), Piece::W(w)],
            skip,
            text: vec![format!("adr x{t}, <+{skip} items>"), name.into()],
        }
    }

    /// `movz c, #n; body: <items>; sub c, c, #1; cbnz c, body`.
    fn counted_loop(&mut self) -> Item {
        let c = self.rd();
        let n = self.r.range(1, 4) as u32;
        let mut it = one(move_wide(self.sf(), 2, 0, n, c), "loop count");
        self.reserved.push(c);
        let mut body = 0;
        for _ in 0..self.r.range(1, 3) {
            let b = self.straight_item();
            body += b.pieces.len();
            it.pieces.extend(b.pieces);
            it.text.extend(b.text);
        }
        self.reserved.pop();
        it.push(add_imm(true, 1, 0, 0, 1, c, c), "loop decrement");
        it.push(cbz(true, true, c, -4 * (body as i64 + 1)), "loop back");
        it
    }

    /// `bl f; b over; f: <items>; ret; over:` (now and then through blr
    /// or with the return through another register).
    fn call(&mut self) -> Item {
        if self.reserved.contains(&30) {
            return self.hint(); // inside another call, or x30 counts a loop
        }
        let mut body = Item::new();
        self.reserved.push(30);
        for _ in 0..self.r.range(1, 3) {
            let b = self.straight_item();
            body.pieces.extend(b.pieces);
            body.text.extend(b.text);
        }
        self.reserved.pop();
        let n = body.pieces.len() as i64;
        let mut it = Item::new();
        it.push(enc::b(8) | 1 << 31, "bl f");
        it.push(enc::b(4 * (n + 2)), "b over");
        it.pieces.extend(body.pieces);
        it.text.extend(body.text);
        it.push(0xd65f_03c0, "ret");
        self.recent.push(30);
        it
    }

    fn hint(&mut self) -> Item {
        let (w, name) = self.r.pick(&[
            (0xd503_201fu32, "nop"),
            (0xd503_203f, "yield"),
            (0xd503_3bbf, "dmb ish"),
            (0xd503_39bf, "dmb ishld"),
            (0xd503_3f9f, "dsb sy"),
            (0xd503_3fdf, "isb"),
            (0xd503_3f5f, "clrex"),
        ]);
        one(w, name)
    }

    /// LDR (literal) of a word of code a little ahead (never past the
    /// code: the epilogue after the sequence is longer than the reach).
    fn load_literal(&mut self) -> Item {
        let words = self.r.range(0, 40);
        let (opc, v) = self.r.pick(&[
            (0u32, false),
            (1, false),
            (2, false),
            (3, false),
            (0, true),
            (1, true),
            (2, true),
        ]);
        let rt = if v {
            self.vd()
        } else if opc == 3 {
            self.r.below(32) as u32
        } else {
            self.rd_zr()
        };
        one(
            opc << 30 | 0b011 << 27 | (v as u32) << 26 | (words as u32) << 5 | rt,
            "ldr literal",
        )
    }

    fn sysreg(&mut self) -> Item {
        match self.r.below(7) {
            0 => {
                let rd = self.rd();
                one(mrs(rd, NZCV), "mrs nzcv")
            }
            1 => {
                let rt = self.rs();
                one(msr(NZCV, rt), "msr nzcv")
            }
            2 => {
                let rd = self.rd();
                one(mrs(rd, FPSR), "mrs fpsr")
            }
            4 => {
                let rd = self.rd();
                one(mrs(rd, FPCR), "mrs fpcr")
            }
            5 => {
                // the thread pointer (not in the dump: written, read back)
                let mut it = Item::new();
                let rt = self.rs();
                it.push(msr(TPIDR_EL0, rt), "msr tpidr_el0");
                let rd = self.rd();
                it.push(mrs(rd, TPIDR_EL0), "mrs tpidr_el0");
                it
            }
            _ => {
                // Any 32-bit value: RES0 and unimplemented bits read as 0.
                // FPCR: only AHP, DN, FZ and RMode, as the bits past them
                // (FP16, alternate FP, Len/Stride) are the CPU model's
                // choice (qemu's max has them, emu does not).
                let mut it = Item::new();
                let t = self.rd();
                let (reg, name) = if self.r.chance(50) {
                    (FPSR, "msr fpsr")
                } else {
                    (FPCR, "msr fpcr")
                };
                let mut v = self.r.next() & 0xffff_ffff;
                if reg == FPCR {
                    v &= 0x07c0_0000;
                }
                it.push(move_wide(true, 2, 0, v as u32 & 0xffff, t), "movz");
                it.push(move_wide(true, 3, 1, (v >> 16) as u32 & 0xffff, t), "movk");
                it.push(msr(reg, t), name);
                it
            }
        }
    }

    // ---- loads and stores of general registers ----

    /// (size, opc) of a general load or store; `prefetch` allows PRFM.
    fn gp_access(&mut self, prefetch: bool) -> (u32, u32) {
        loop {
            let size = self.r.below(4) as u32;
            let opc = self.r.below(4) as u32;
            match (size, opc) {
                (3, 3) | (2, 3) => continue,
                (3, 2) if !prefetch => continue,
                _ => return (size, opc),
            }
        }
    }
    /// Register of a load (31 = zero register now and then) or a store.
    fn rt(&mut self, opc: u32) -> u32 {
        if opc == 0 {
            self.rs()
        } else {
            self.rd_zr()
        }
    }

    fn load_store(&mut self) -> Item {
        let (size, opc) = self.gp_access(true);
        let base = self.base();
        let rt = if (size, opc) == (3, 2) {
            self.r.below(32) as u32 // prfop
        } else {
            self.rt(opc)
        };
        let bytes = 1u64 << size;
        if self.r.chance(60) {
            let off = self.off(bytes);
            one(
                ldst_uimm(size, false, opc, (off >> size) as u32, base, rt),
                "ldr/str [base, #uimm]",
            )
        } else {
            // LDUR/STUR (misaligned now and then) or LDTR/STTR.
            let mut off = self.r.below(SCRATCH as u64 - bytes + 1) as i64;
            let mode = if (size, opc) != (3, 2) && self.r.chance(25) {
                2
            } else {
                0
            };
            if mode == 2 {
                off &= !(bytes as i64 - 1);
            }
            one(
                ldst_imm9(size, false, opc, off, mode, base, rt),
                "ldur/stur/ldtr/sttr",
            )
        }
    }

    fn load_store_writeback(&mut self) -> Item {
        let (size, opc) = self.gp_access(false);
        let bytes = 1i64 << size;
        let rt = self.rt(opc);
        let mut it = Item::new();
        let start = self.r.below(SCRATCH as u64 - bytes as u64 + 1) as i64;
        let pre = self.r.chance(50);
        let (p0, imm) = self.writeback(start, pre);
        let t = self.pointer(&mut it, p0, &[rt]);
        let mode = if pre { 3 } else { 1 };
        it.push(
            ldst_imm9(size, false, opc, imm, mode, t, rt),
            "pre/post-index",
        );
        it
    }

    /// For an access at scratch offset `start` with a 9-bit writeback:
    /// the pointer's initial offset and the immediate (the pointer may end
    /// outside the area, but is never dereferenced there).
    fn writeback(&mut self, start: i64, pre: bool) -> (u32, i64) {
        let imm = match self.r.below(3) {
            0 => self.r.pick(&[-256, 255, 0, 1, -1, 8, -8, 16]),
            _ => self.r.range(-32, 32),
        };
        if pre {
            let imm = imm.min(start);
            ((start - imm) as u32, imm)
        } else {
            (start as u32, imm)
        }
    }

    fn load_store_register(&mut self) -> Item {
        let (size, opc) = self.gp_access(true);
        let bytes = 1u64 << size;
        let rt = if (size, opc) == (3, 2) {
            0
        } else {
            self.rt(opc)
        };
        self.register_offset(bytes, rt, |m, option, s, n, t| {
            ldst_reg(size, false, opc, m, option, s, n, t)
        })
    }

    /// An index register and a base such that `[base, index, extend/shift]`
    /// is an access of `bytes` inside the scratch area, then the access.
    fn register_offset(
        &mut self,
        bytes: u64,
        rt: u32,
        access: impl Fn(u32, u32, u32, u32, u32) -> u32,
    ) -> Item {
        let mut it = Item::new();
        let option = self.r.pick(&[2, 3, 6, 7]);
        let s = self.r.below(2) as u32;
        let shift = if s == 1 { bytes.trailing_zeros() } else { 0 };
        let slots = SCRATCH as i64 / bytes as i64;
        // Index in units of the access size (when shifted) or bytes.
        let signed = option & 4 != 0 && self.r.chance(60);
        let (base, mid) = if signed {
            (
                self.pointer(&mut it, SCRATCH as u32 / 2, &[rt]),
                SCRATCH as i64 / 2,
            )
        } else {
            (self.base(), 0)
        };
        let slot = self.r.range(0, slots - 1) * bytes as i64 - mid;
        let index = if s == 1 { slot >> shift } else { slot };
        let m = self.rd_not(&[base, rt]);
        if index < 0 {
            it.push(
                move_wide(option & 1 == 1, 0, 0, (!index) as u32 & 0xffff, m),
                "movn index",
            );
        } else {
            it.push(move_wide(true, 2, 0, index as u32, m), "movz index");
        }
        if option & 1 == 0 && self.r.chance(50) {
            // W index: the high half must not matter.
            let junk = self.r.below(0x10000) as u32;
            it.push(
                move_wide(true, 3, self.r.range(2, 3) as u32, junk, m),
                "movk junk",
            );
        }
        it.push(access(m, option, s, base, rt), "register offset");
        it
    }

    fn pair(&mut self) -> Item {
        let opc = self.r.below(3) as u32;
        let load = opc == 1 || self.r.chance(50);
        let step = if opc == 2 { 8 } else { 4 };
        self.pair_of(opc, false, load, step)
    }

    /// LDP/STP (general or SIMD&FP) of two `step`-byte registers.
    fn pair_of(&mut self, opc: u32, v: bool, load: bool, step: i64) -> Item {
        let pick = |g: &mut Gen| {
            if v {
                if load {
                    g.vd()
                } else {
                    g.vs()
                }
            } else if load {
                g.rd_zr()
            } else {
                g.rs()
            }
        };
        let rt = pick(self);
        let rt2 = loop {
            let r = pick(self);
            if !load || r != rt {
                break r;
            }
        };
        let mode = self.r.pick(&[1, 2, 2, 3]);
        let slots = SCRATCH as i64 / step - 1;
        let slot = self.r.range(0, slots - 1);
        let mut it = Item::new();
        if mode == 2 {
            let base = self.base();
            let k = slot.min(63);
            it.push(
                ldst_pair(opc, v, 2, load, k, rt2, base, rt),
                "ldp/stp offset",
            );
            return it;
        }
        // Writeback: the pointer moves by imm7 * step.
        let imm = self.r.range(-64, 63);
        let imm = if mode == 3 { imm.min(slot) } else { imm };
        let p0 = if mode == 3 { slot - imm } else { slot } * step;
        let avoid = if v { vec![] } else { vec![rt, rt2] };
        let t = self.pointer(&mut it, p0 as u32, &avoid);
        it.push(
            ldst_pair(opc, v, mode, load, imm, rt2, t, rt),
            "ldp/stp writeback",
        );
        it
    }

    fn exclusive(&mut self) -> Item {
        let size = self.r.pick(&[2u32, 3]);
        let bytes = 1u64 << size;
        let mut it = Item::new();
        let off = self.off(bytes) as u32;
        let t = self.pointer(&mut it, off, &[]);
        let rt = self.rd_not(&[t]);
        if self.r.chance(85) {
            it.push(ldxr(size, self.r.below(2) as u32, t, rt), "ldxr");
        }
        if self.r.chance(60) {
            // change the value (or not) before storing it back
            let k = self.r.below(3) as u32;
            it.push(add_imm(size == 3, 0, 0, 0, k, rt, rt), "add");
        }
        let rs = self.rd_not(&[t, rt]);
        it.push(stxr(size, self.r.below(2) as u32, rs, t, rt), "stxr");
        it
    }

    fn acquire_release(&mut self) -> Item {
        let size = self.r.pick(&[2u32, 3]);
        let mut it = Item::new();
        let off = self.off(1 << size) as u32;
        let rt = self.rd();
        let t = self.pointer(&mut it, off, &[rt]);
        if self.r.chance(50) {
            it.push(ldar(size, t, rt), "ldar");
        } else {
            it.push(stlr(size, t, self.rs()), "stlr");
        }
        it
    }

    // ---- loads and stores of SIMD&FP registers ----

    fn simd_load_store(&mut self) -> Item {
        // (size, opc base): B H S D use size 0..3 with opc 0/1; Q is size 0, opc 2/3.
        let log2 = self.r.below(5) as u32;
        let (size, opc0) = if log2 == 4 { (0, 2) } else { (log2, 0) };
        let load = self.r.chance(50);
        let opc = opc0 | load as u32;
        let rt = if load { self.vd() } else { self.vs() };
        let bytes = 1u64 << log2;
        match self.r.below(10) {
            0..=3 => {
                let off = self.off(bytes);
                one(
                    ldst_uimm(size, true, opc, (off >> log2) as u32, self.base(), rt),
                    "ldr/str simd uimm",
                )
            }
            4..=5 => {
                let off = self.r.below(SCRATCH as u64 - bytes + 1) as i64;
                one(
                    ldst_imm9(size, true, opc, off, 0, self.base(), rt),
                    "ldur/stur simd",
                )
            }
            6..=7 => self.register_offset(bytes, rt, |m, option, s, n, t| {
                ldst_reg(size, true, opc, m, option, s, n, t)
            }),
            8 => {
                let start = self.off(bytes);
                let pre = self.r.chance(50);
                let (p0, imm) = self.writeback(start, pre);
                let mut it = Item::new();
                let t = self.pointer(&mut it, p0, &[]);
                it.push(
                    ldst_imm9(size, true, opc, imm, if pre { 3 } else { 1 }, t, rt),
                    "simd pre/post-index",
                );
                it
            }
            _ => {
                let opc = self.r.below(3) as u32; // S, D, Q
                self.pair_of(opc, true, load, 4 << opc)
            }
        }
    }

    fn ld1_st1(&mut self) -> Item {
        let (opcode, regs) =
            self.r
                .pick(&[(0b0111u32, 1u64), (0b1010, 2), (0b0110, 3), (0b0010, 4)]);
        let q = self.r.below(2) as u32;
        let size = self.r.below(4) as u32;
        let load = self.r.chance(50);
        let rt = if load { self.vd() } else { self.vs() };
        let bytes = regs * (8 << q);
        let off = self.r.below((SCRATCH as u64 - bytes) / 8 + 1) as u32 * 8;
        let mut it = Item::new();
        let t = self.pointer(&mut it, off, &[]);
        let post = match self.r.below(3) {
            0 => None,
            1 => Some(31),
            _ => {
                let m = self.rd_not(&[t]);
                let k = self.r.below(64) as u32;
                it.push(move_wide(true, 2, 0, k, m), "movz");
                Some(m)
            }
        };
        it.push(enc::ld1_st1(q, load, opcode, size, post, t, rt), "ld1/st1");
        it
    }

    // ---- Advanced SIMD data processing ----

    fn simd_three_same(&mut self) -> Item {
        // (u, opcode, what sizes: 0 any arithmetic, 1 no D lanes, 2 logical)
        const OPS: &[(u32, u32, u32)] = &[
            (1, 0b10001, 0), // cmeq
            (1, 0b00111, 0), // cmhs
            (1, 0b00110, 0), // cmhi
            (0, 0b00110, 0), // cmgt
            (0, 0b00111, 0), // cmge
            (0, 0b10000, 0), // add
            (1, 0b10000, 0), // sub
            (1, 0b10100, 1), // umaxp
            (1, 0b10101, 1), // uminp
            (0, 0b10111, 0), // addp
            (0, 0b10011, 1), // mul
            (0, 0b10010, 1), // mla
            (1, 0b10010, 1), // mls
            (0, 0b00011, 2), // and/bic/orr/orn
            (1, 0b00011, 2), // eor/bsl/bit/bif
        ];
        let (u, opcode, kind) = self.r.pick(OPS);
        let q = self.r.below(2) as u32;
        let size = match kind {
            1 => self.r.below(3) as u32,
            2 => self.r.below(4) as u32,
            _ if q == 1 => self.r.below(4) as u32,
            _ => self.r.below(3) as u32,
        };
        let (vm, vn) = (self.vs(), self.vs());
        let vd = self.vd();
        one(
            simd_three_same(q, u, size, opcode, vm, vn, vd),
            "simd three same",
        )
    }

    fn simd_two_misc(&mut self) -> Item {
        // (u, opcode, sizes: 0 any (no 1D), 1 B/H/S, 2 B only)
        const OPS: &[(u32, u32, u32)] = &[
            (0, 0b01001, 0), // cmeq #0
            (1, 0b01000, 0), // cmge #0
            (0, 0b01000, 0), // cmgt #0
            (1, 0b01001, 0), // cmle #0
            (0, 0b01010, 0), // cmlt #0
            (0, 0b00000, 1), // rev64
            (0, 0b00101, 2), // cnt
            (1, 0b00101, 2), // not
            (0, 0b10010, 1), // xtn/xtn2
        ];
        let (u, opcode, kind) = self.r.pick(OPS);
        let q = self.r.below(2) as u32;
        let size = match kind {
            2 => 0,
            1 => self.r.below(3) as u32,
            _ if q == 1 => self.r.below(4) as u32,
            _ => self.r.below(3) as u32,
        };
        let vn = self.vs();
        let vd = self.vd();
        one(simd_two_misc(q, u, size, opcode, vn, vd), "simd two misc")
    }

    fn simd_across(&mut self) -> Item {
        let (u, opcode) = self
            .r
            .pick(&[(0u32, 0b11011u32), (1, 0b01010), (1, 0b11010)]);
        // 8B 16B 4H 8H 4S
        let (q, size) = self.r.pick(&[(0u32, 0u32), (1, 0), (0, 1), (1, 1), (1, 2)]);
        let vn = self.vs();
        let vd = self.vd();
        one(simd_across(q, u, size, opcode, vn, vd), "addv/umaxv/uminv")
    }

    fn simd_shift_imm(&mut self) -> Item {
        let q = self.r.below(2) as u32;
        let vn = self.vs();
        let vd = self.vd();
        // element size 8 << size
        let (u, opcode, narrow) = self.r.pick(&[
            (1u32, 0b00000u32, false), // ushr
            (0, 0b00000, false),       // sshr
            (0, 0b01010, false),       // shl
            (0, 0b10000, true),        // shrn
            (1, 0b10100, true),        // ushll
            (0, 0b10100, true),        // sshll
        ]);
        let size = if narrow || q == 0 {
            self.r.below(3) as u32
        } else {
            self.r.below(4) as u32
        };
        let esize = 8u32 << size;
        let immhb = match (opcode, u) {
            // right shifts by 1..=esize: immh:immb = 2*esize - shift
            (0b00000, _) => 2 * esize - self.r.range(1, esize as i64) as u32,
            // shl by 0..esize-1: esize + shift
            (0b01010, _) => esize + self.r.below(esize as u64) as u32,
            // shrn: narrow to esize from 2*esize lanes, shift 1..=esize
            (0b10000, _) => 2 * esize - self.r.range(1, esize as i64) as u32,
            // ushll/sshll: esize + shift 0..esize-1
            _ => esize + self.r.below(esize as u64) as u32,
        };
        one(
            simd_shift_imm(q, u, immhb, opcode, vn, vd),
            "simd shift imm",
        )
    }

    fn simd_permute(&mut self) -> Item {
        let q = self.r.below(2) as u32;
        let size = self.r.below(if q == 1 { 4 } else { 3 }) as u32;
        let opcode = self.r.pick(&[1, 2, 3, 5, 6, 7]);
        let (vm, vn) = (self.vs(), self.vs());
        let vd = self.vd();
        one(simd_permute(q, size, opcode, vm, vn, vd), "uzp/zip/trn")
    }

    fn simd_ext(&mut self) -> Item {
        let q = self.r.below(2) as u32;
        let imm4 = self.r.below(if q == 1 { 16 } else { 8 }) as u32;
        let (vm, vn) = (self.vs(), self.vs());
        let vd = self.vd();
        one(simd_ext(q, vm, imm4, vn, vd), "ext")
    }

    fn simd_copy(&mut self) -> Item {
        let size = self.r.below(4) as u32;
        let index = self.r.below(16 >> size) as u32;
        let imm5 = (index << 1 | 1) << size;
        match self.r.below(3) {
            0 => {
                // DUP Vd.T, Rn (2D needs Q)
                let q = if size == 3 { 1 } else { self.r.below(2) as u32 };
                let rn = self.rs();
                let vd = self.vd();
                one(simd_copy(q, 0, 1 << size, 0b0001, rn, vd), "dup general")
            }
            1 => {
                // UMOV Wd, Vn.B/H/S[i]; UMOV Xd, Vn.D[i]
                let q = (size == 3) as u32;
                let vn = self.vs();
                let rd = self.rd_zr();
                one(simd_copy(q, 0, imm5, 0b0111, vn, rd), "umov")
            }
            _ => {
                let rn = self.rs();
                let vd = self.vd();
                one(simd_copy(1, 0, imm5, 0b0011, rn, vd), "ins general")
            }
        }
    }

    fn simd_modified_imm(&mut self) -> Item {
        let q = self.r.below(2) as u32;
        let op = self.r.below(2) as u32;
        let cmode = self.r.below(16) as u32;
        if op == 1 && cmode == 0b1111 && q == 0 {
            return self.simd_modified_imm();
        }
        let imm8 = match self.r.below(3) {
            0 => self.r.pick(&[0u32, 0xff, 0x80, 0x7f, 0x01]),
            _ => self.r.below(256) as u32,
        };
        let vd = self.vd();
        one(
            simd_modified_imm(q, op, cmode, imm8, vd),
            "movi/mvni/orr/bic/fmov",
        )
    }

    fn fmov_general(&mut self) -> Item {
        match self.r.below(4) {
            0 => {
                let sf = self.sf();
                let vn = self.vs();
                let rd = self.rd_zr();
                one(
                    enc::fmov_general(sf, sf as u32, 0, 6, vn, rd),
                    "fmov w/x, s/d",
                )
            }
            1 => {
                let sf = self.sf();
                let rn = self.rs();
                let vd = self.vd();
                one(
                    enc::fmov_general(sf, sf as u32, 0, 7, rn, vd),
                    "fmov s/d, w/x",
                )
            }
            2 => {
                let vn = self.vs();
                let rd = self.rd_zr();
                one(enc::fmov_general(true, 2, 1, 6, vn, rd), "fmov x, v.d[1]")
            }
            _ => {
                let rn = self.rs();
                let vd = self.vd();
                one(enc::fmov_general(true, 2, 1, 7, rn, vd), "fmov v.d[1], x")
            }
        }
    }
}
