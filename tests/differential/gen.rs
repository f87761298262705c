//! The seeded generator: random riscv64 instruction sequences (RV64IMAC,
//! Zba/Zbb/Zbs/Zicond, F/D, Zfa, fcsr accesses, fences, compressed forms,
//! counted loops and calls) and the initial state each one starts from
//! (integer boundary values, FP special values, NaN-boxed and badly boxed
//! singles, a random fcsr, a random scratch area).
//!
//! Conventions every sequence keeps: `sp` (x2) and `s0` (x8) hold the
//! scratch area's address and are never written; memory accesses stay inside
//! the scratch area (AMOs and LR/SC naturally aligned); frm stays valid;
//! branches between items only go forward, to the start of a later item or
//! to the end of the sequence (loops and calls stay inside one item).

pub use super::common::Rng;
use super::enc::{self, *};

pub const SCRATCH: usize = 256;
/// Registers holding the scratch base, never written by a sequence.
pub const SP: u8 = 2;
pub const S0: u8 = 8;

/// One encoded piece of an item. Branches are resolved at layout time.
#[derive(Clone, Debug)]
pub enum Piece {
    W(u32),
    H(u16),
    Br(Br),
}

#[derive(Clone, Copy, Debug)]
pub enum Br {
    /// beq/bne/blt/bge/bltu/bgeu (funct3).
    B {
        f3: u32,
        rs1: u8,
        rs2: u8,
    },
    Jal {
        rd: u8,
    },
    CJ,
    CBz {
        bnez: bool,
        rs: u8,
    },
    /// `auipc t, 0; jalr rd, off(t)`.
    AuipcJalr {
        t: u8,
        rd: u8,
    },
    /// `auipc t, 0; addi t, t, off; c.jr t` or `c.jalr t`.
    AuipcCJr {
        t: u8,
        link: bool,
    },
}

impl Piece {
    pub fn len(&self) -> usize {
        match self {
            Piece::W(_) => 4,
            Piece::H(_) => 2,
            Piece::Br(Br::CJ | Br::CBz { .. }) => 2,
            Piece::Br(Br::B { .. } | Br::Jal { .. }) => 4,
            Piece::Br(Br::AuipcJalr { .. }) => 8,
            Piece::Br(Br::AuipcCJr { .. }) => 10,
        }
    }

    /// The bytes of the piece, which sits `off` bytes before its target.
    pub fn encode(&self, off: i64, out: &mut Vec<u8>) {
        let w = |out: &mut Vec<u8>, x: u32| out.extend_from_slice(&x.to_le_bytes());
        let h = |out: &mut Vec<u8>, x: u16| out.extend_from_slice(&x.to_le_bytes());
        match *self {
            Piece::W(x) => w(out, x),
            Piece::H(x) => h(out, x),
            Piece::Br(Br::B { f3, rs1, rs2 }) => w(out, enc::b(f3, rs1, rs2, off)),
            Piece::Br(Br::Jal { rd }) => w(out, enc::j(rd, off)),
            Piece::Br(Br::CJ) => h(out, c_j(off)),
            Piece::Br(Br::CBz { bnez, rs }) => h(out, c_bz(bnez, rs, off)),
            Piece::Br(Br::AuipcJalr { t, rd }) => {
                w(out, u(AUIPC, t, 0));
                w(out, i(JALR, 0, rd, t, off as i32));
            }
            Piece::Br(Br::AuipcCJr { t, link }) => {
                w(out, u(AUIPC, t, 0));
                w(out, i(OP_IMM, 0, t, t, off as i32));
                h(out, cr(link as u16, t, 0));
            }
        }
    }
}

/// A unit of a sequence: one instruction or a few that belong together
/// (an address computation and its access, an LR/SC pair). Branches land
/// only on item boundaries.
#[derive(Clone, Debug)]
pub struct Item {
    pub pieces: Vec<Piece>,
    /// For an item holding a branch: the number of following items it skips
    /// (the target is the start of item `index + 1 + skip`, or the end).
    pub skip: usize,
    /// What the generator meant, per piece (fallback when capstone does not know it).
    pub text: Vec<String>,
}

impl Item {
    pub fn len(&self) -> usize {
        self.pieces.iter().map(Piece::len).sum()
    }
}

/// The initial state of one sequence.
#[derive(Clone, Debug)]
pub struct State {
    pub x: [u64; 32],
    pub f: [u64; 32],
    pub fcsr: u64,
    pub scratch: [u8; SCRATCH],
}

#[derive(Clone, Debug)]
pub struct Sequence {
    pub init: State,
    pub items: Vec<Item>,
}

impl Sequence {
    /// The sequence's bytes when placed at `pc`, and each piece's (pc, len, text).
    pub fn assemble(&self, pc: u64) -> (Vec<u8>, Vec<(u64, usize, String)>) {
        let mut starts = Vec::with_capacity(self.items.len() + 1);
        let mut at = pc;
        for it in &self.items {
            starts.push(at);
            at += it.len() as u64;
        }
        starts.push(at);
        let mut out = Vec::new();
        let mut listing = Vec::new();
        for (n, it) in self.items.iter().enumerate() {
            let target = starts[(n + 1 + it.skip).min(self.items.len())];
            let mut p = starts[n];
            for (piece, text) in it.pieces.iter().zip(&it.text) {
                piece.encode(target as i64 - p as i64, &mut out);
                listing.push((p, piece.len(), text.clone()));
                p += piece.len() as u64;
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
    match r.below(16) {
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
        12 => {
            // bytes of 0x00/0xff/0x80/0x7f (orc.b, rev8, sext.b/h, clz...)
            let mut v = 0u64;
            for _ in 0..8 {
                v = v << 8 | r.pick(&[0x00u64, 0xff, 0x80, 0x7f, 0x01]);
            }
            v
        }
        13 => 1u64 << r.below(64),
        _ => r.next(),
    }
}

const D_SPECIAL: &[u64] = &[
    0x0000_0000_0000_0000, // +0
    0x8000_0000_0000_0000, // -0
    0x7ff0_0000_0000_0000, // +inf
    0xfff0_0000_0000_0000, // -inf
    0x7ff8_0000_0000_0000, // canonical qNaN
    0xfff8_0000_0000_0001, // -qNaN with payload
    0x7ff0_0000_0000_0001, // sNaN
    0x7ff4_0000_0000_0000, // sNaN
    0x0000_0000_0000_0001, // min subnormal
    0x800f_ffff_ffff_ffff, // -max subnormal
    0x0010_0000_0000_0000, // min normal
    0x7fef_ffff_ffff_ffff, // max finite
    0xffef_ffff_ffff_ffff, // -max finite
    0x3ff0_0000_0000_0000, // 1.0
    0xbff0_0000_0000_0000, // -1.0
    0x3fe0_0000_0000_0000, // 0.5
    0x3ff8_0000_0000_0000, // 1.5
    0x4004_0000_0000_0000, // 2.5
    0xc004_0000_0000_0000, // -2.5
    0xbfe0_0000_0000_0000, // -0.5
    0x41e0_0000_0000_0000, // 2^31
    0xc1e0_0000_0000_0000, // -2^31
    0x41df_ffff_ffc0_0000, // 2^31 - 1
    0xc1e0_0000_0020_0000, // -2^31 - 1
    0x41ef_ffff_ffe0_0000, // 2^32 - 1
    0x41f0_0000_0000_0000, // 2^32
    0x43e0_0000_0000_0000, // 2^63
    0xc3e0_0000_0000_0000, // -2^63
    0x43f0_0000_0000_0000, // 2^64
    0x3fd5_5555_5555_5555, // 1/3
    0x4340_0000_0000_0001, // 2^53 + 2 (ulp 2)
    0x3ca0_0000_0000_0000, // 2^-53
];

const S_SPECIAL: &[u32] = &[
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x7fc0_0000, // canonical qNaN
    0xffc0_0001, // -qNaN with payload
    0x7f80_0001, // sNaN
    0x7fa0_0000, // sNaN
    0x0000_0001, // min subnormal
    0x807f_ffff, // -max subnormal
    0x0080_0000, // min normal
    0x7f7f_ffff, // max finite
    0xff7f_ffff, // -max finite
    0x3f80_0000, // 1.0
    0xbf80_0000, // -1.0
    0x3f00_0000, // 0.5
    0x3fc0_0000, // 1.5
    0x4020_0000, // 2.5
    0xc020_0000, // -2.5
    0x4f00_0000, // 2^31
    0xcf00_0000, // -2^31
    0x4f80_0000, // 2^32
    0x5f00_0000, // 2^63
    0xdf00_0000, // -2^63
    0x5f80_0000, // 2^64
    0x3eaa_aaab, // 1/3
    0x4b80_0001, // 2^24 + 2
    0x3380_0000, // 2^-24
];

pub fn f_value(r: &mut Rng) -> u64 {
    let boxed = |s: u32| 0xffff_ffff_0000_0000 | s as u64;
    match r.below(20) {
        0..=6 => boxed(r.pick(S_SPECIAL)),
        7..=8 => boxed(r.next() as u32),
        9..=14 => r.pick(D_SPECIAL),
        15..=17 => {
            // a double near a special one
            let v = r.pick(D_SPECIAL);
            v.wrapping_add(r.range(-2, 2) as u64)
        }
        18 => r.next(),
        // a badly boxed single: any FP-single use must see the canonical NaN
        _ => (r.below(0xffff_fffe) << 32) | r.pick(S_SPECIAL) as u64,
    }
}

pub fn random_state(r: &mut Rng, scratch_addr: u64) -> State {
    let mut x = [0u64; 32];
    for v in x.iter_mut().skip(1) {
        *v = x_value(r);
    }
    x[SP as usize] = scratch_addr;
    x[S0 as usize] = scratch_addr;
    let mut f = [0u64; 32];
    for v in f.iter_mut() {
        *v = f_value(r);
    }
    let fcsr = r.below(5) << 5 | r.below(32);
    let mut scratch = [0u8; SCRATCH];
    for chunk in scratch.chunks_mut(8) {
        let v = match r.below(4) {
            0 => x_value(r),
            1 => f_value(r),
            _ => r.next(),
        };
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    State {
        x,
        f,
        fcsr,
        scratch,
    }
}

// ---- the instruction generator ----

pub struct Gen<'a> {
    pub r: &'a mut Rng,
    /// Recently written integer registers: sources prefer them (dependency chains).
    recent: Vec<u8>,
    recent_f: Vec<u8>,
}

/// Static rounding modes (dyn = 7 most often).
const RMS: &[u32] = &[0, 1, 2, 3, 4, 7, 7, 7];
const RM_NAMES: [&str; 8] = ["rne", "rtz", "rdn", "rup", "rmm", "?5", "?6", "dyn"];

fn one(p: Piece, text: String) -> Item {
    Item {
        pieces: vec![p],
        skip: 0,
        text: vec![text],
    }
}

impl<'a> Gen<'a> {
    pub fn new(r: &'a mut Rng) -> Gen<'a> {
        Gen {
            r,
            recent: Vec::new(),
            recent_f: Vec::new(),
        }
    }

    /// A destination: any register but sp and s0 (x0 now and then).
    fn rd(&mut self) -> u8 {
        loop {
            let v = self.r.below(32) as u8;
            if v != SP && v != S0 {
                if v == 0 {
                    return v;
                }
                self.recent.push(v);
                if self.recent.len() > 4 {
                    self.recent.remove(0);
                }
                return v;
            }
        }
    }
    /// A destination other than x0.
    fn rd_nz(&mut self) -> u8 {
        loop {
            let v = self.rd();
            if v != 0 {
                return v;
            }
        }
    }
    /// A compressed-field destination: x9..x15.
    fn rdc(&mut self) -> u8 {
        let v = self.r.range(9, 15) as u8;
        self.recent.push(v);
        if self.recent.len() > 4 {
            self.recent.remove(0);
        }
        v
    }
    fn rs(&mut self) -> u8 {
        if !self.recent.is_empty() && self.r.chance(40) {
            let n = self.recent.len() as u64;
            self.recent[self.r.below(n) as usize]
        } else {
            self.r.below(32) as u8
        }
    }
    /// A compressed-field source: x8..x15.
    fn rsc(&mut self) -> u8 {
        self.r.range(8, 15) as u8
    }
    fn fd(&mut self) -> u8 {
        let v = self.r.below(32) as u8;
        self.recent_f.push(v);
        if self.recent_f.len() > 4 {
            self.recent_f.remove(0);
        }
        v
    }
    fn fs(&mut self) -> u8 {
        if !self.recent_f.is_empty() && self.r.chance(40) {
            let n = self.recent_f.len() as u64;
            self.recent_f[self.r.below(n) as usize]
        } else {
            self.r.below(32) as u8
        }
    }
    /// A scratch offset for an access of `size` bytes (naturally aligned).
    fn off(&mut self, size: u64) -> i32 {
        (self.r.below(SCRATCH as u64 / size) * size) as i32
    }

    pub fn sequence(&mut self, len: usize) -> Vec<Item> {
        self.recent.clear();
        self.recent_f.clear();
        let mut items = Vec::with_capacity(len);
        while items.len() < len {
            let remaining = len - items.len();
            let mut it = self.item();
            // Keep branch distances within every form's range.
            it.skip = it.skip.min(remaining);
            items.push(it);
        }
        items
    }

    pub fn item(&mut self) -> Item {
        match self.r.below(100) {
            0..=17 => self.alu_r(),
            18..=29 => self.alu_i(),
            30..=31 => self.upper(),
            32..=41 => self.load_store(),
            42..=45 => self.fp_load_store(),
            46..=49 => self.amo(),
            50..=51 => self.lr_sc(),
            52..=57 => self.branch(),
            58..=71 => self.fp_arith(),
            72..=79 => self.fp_convert(),
            80..=81 => self.fcsr(),
            82..=83 => self.zfa(),
            84 => self.fence(),
            85 => self.counted_loop(),
            86 => self.call(),
            _ => self.compressed(),
        }
    }

    fn alu_r(&mut self) -> Item {
        // (name, opcode, funct3, funct7)
        const OPS: &[(&str, u32, u32, u32)] = &[
            ("add", OP, 0, 0),
            ("sub", OP, 0, 0x20),
            ("sll", OP, 1, 0),
            ("slt", OP, 2, 0),
            ("sltu", OP, 3, 0),
            ("xor", OP, 4, 0),
            ("srl", OP, 5, 0),
            ("sra", OP, 5, 0x20),
            ("or", OP, 6, 0),
            ("and", OP, 7, 0),
            ("addw", OP_32, 0, 0),
            ("subw", OP_32, 0, 0x20),
            ("sllw", OP_32, 1, 0),
            ("srlw", OP_32, 5, 0),
            ("sraw", OP_32, 5, 0x20),
            ("mul", OP, 0, 1),
            ("mulh", OP, 1, 1),
            ("mulhsu", OP, 2, 1),
            ("mulhu", OP, 3, 1),
            ("div", OP, 4, 1),
            ("divu", OP, 5, 1),
            ("rem", OP, 6, 1),
            ("remu", OP, 7, 1),
            ("mulw", OP_32, 0, 1),
            ("divw", OP_32, 4, 1),
            ("divuw", OP_32, 5, 1),
            ("remw", OP_32, 6, 1),
            ("remuw", OP_32, 7, 1),
            ("sh1add", OP, 2, 0x10),
            ("sh2add", OP, 4, 0x10),
            ("sh3add", OP, 6, 0x10),
            ("add.uw", OP_32, 0, 0x04),
            ("sh1add.uw", OP_32, 2, 0x10),
            ("sh2add.uw", OP_32, 4, 0x10),
            ("sh3add.uw", OP_32, 6, 0x10),
            ("andn", OP, 7, 0x20),
            ("orn", OP, 6, 0x20),
            ("xnor", OP, 4, 0x20),
            ("max", OP, 6, 0x05),
            ("maxu", OP, 7, 0x05),
            ("min", OP, 4, 0x05),
            ("minu", OP, 5, 0x05),
            ("rol", OP, 1, 0x30),
            ("ror", OP, 5, 0x30),
            ("rolw", OP_32, 1, 0x30),
            ("rorw", OP_32, 5, 0x30),
            ("bclr", OP, 1, 0x24),
            ("bext", OP, 5, 0x24),
            ("binv", OP, 1, 0x34),
            ("bset", OP, 1, 0x14),
            ("czero.eqz", OP, 5, 0x07),
            ("czero.nez", OP, 7, 0x07),
        ];
        let (name, op, f3, f7) = self.r.pick(OPS);
        let (rs1, rs2) = (self.rs(), self.rs());
        let rd = self.rd();
        one(
            Piece::W(r(op, f3, f7, rd, rs1, rs2)),
            format!("{name} {}, {}, {}", xn(rd), xn(rs1), xn(rs2)),
        )
    }

    fn alu_i(&mut self) -> Item {
        let rs1 = self.rs();
        let rd = self.rd();
        let imm12 = match self.r.below(4) {
            0 => self.r.range(-2048, 2047) as i32,
            1 => self.r.pick(&[0, 1, -1, 2047, -2048, 0x7ff, -0x800]),
            _ => self.r.range(-40, 40) as i32,
        };
        let sh6 = self.r.below(64) as i32;
        let sh5 = self.r.below(32) as i32;
        // (name, opcode, funct3, immediate field) for each form
        let forms: [(&str, u32, u32, i32, String); 29] = [
            ("addi", OP_IMM, 0, imm12, imm12.to_string()),
            ("slti", OP_IMM, 2, imm12, imm12.to_string()),
            ("sltiu", OP_IMM, 3, imm12, imm12.to_string()),
            ("xori", OP_IMM, 4, imm12, imm12.to_string()),
            ("ori", OP_IMM, 6, imm12, imm12.to_string()),
            ("andi", OP_IMM, 7, imm12, imm12.to_string()),
            ("addiw", OP_IMM_32, 0, imm12, imm12.to_string()),
            ("slli", OP_IMM, 1, sh6, sh6.to_string()),
            ("srli", OP_IMM, 5, sh6, sh6.to_string()),
            ("srai", OP_IMM, 5, 0x400 | sh6, sh6.to_string()),
            ("slliw", OP_IMM_32, 1, sh5, sh5.to_string()),
            ("srliw", OP_IMM_32, 5, sh5, sh5.to_string()),
            ("sraiw", OP_IMM_32, 5, 0x400 | sh5, sh5.to_string()),
            ("slli.uw", OP_IMM_32, 1, 0x080 | sh6, sh6.to_string()),
            ("rori", OP_IMM, 5, 0x600 | sh6, sh6.to_string()),
            ("roriw", OP_IMM_32, 5, 0x600 | sh5, sh5.to_string()),
            ("bclri", OP_IMM, 1, 0x480 | sh6, sh6.to_string()),
            ("bexti", OP_IMM, 5, 0x480 | sh6, sh6.to_string()),
            ("binvi", OP_IMM, 1, 0x680 | sh6, sh6.to_string()),
            ("bseti", OP_IMM, 1, 0x280 | sh6, sh6.to_string()),
            ("clz", OP_IMM, 1, 0x600, String::new()),
            ("ctz", OP_IMM, 1, 0x601, String::new()),
            ("cpop", OP_IMM, 1, 0x602, String::new()),
            ("sext.b", OP_IMM, 1, 0x604, String::new()),
            ("sext.h", OP_IMM, 1, 0x605, String::new()),
            ("clzw", OP_IMM_32, 1, 0x600, String::new()),
            ("ctzw", OP_IMM_32, 1, 0x601, String::new()),
            ("cpopw", OP_IMM_32, 1, 0x602, String::new()),
            ("orc.b", OP_IMM, 5, 0x287, String::new()),
        ];
        if self.r.chance(6) {
            // rev8 and zext.h (fixed encodings outside the table's shape)
            return if self.r.chance(50) {
                one(
                    Piece::W(i(OP_IMM, 5, rd, rs1, 0x6b8)),
                    format!("rev8 {}, {}", xn(rd), xn(rs1)),
                )
            } else {
                one(
                    Piece::W(r(OP_32, 4, 0x04, rd, rs1, 0)),
                    format!("zext.h {}, {}", xn(rd), xn(rs1)),
                )
            };
        }
        let n = self.r.below(forms.len() as u64) as usize;
        let (name, op, f3, field, shown) = &forms[n];
        // The 12-bit field as a signed immediate for the encoder.
        let field = (*field << 20) >> 20;
        let text = if shown.is_empty() {
            format!("{name} {}, {}", xn(rd), xn(rs1))
        } else {
            format!("{name} {}, {}, {shown}", xn(rd), xn(rs1))
        };
        one(Piece::W(i(*op, *f3, rd, rs1, field)), text)
    }

    fn upper(&mut self) -> Item {
        let rd = self.rd();
        let imm = match self.r.below(3) {
            0 => self.r.pick(&[0u32, 1, 0x7ffff, 0x80000, 0xfffff]),
            _ => self.r.below(1 << 20) as u32,
        };
        if self.r.chance(50) {
            one(
                Piece::W(u(LUI, rd, imm)),
                format!("lui {}, {imm:#x}", xn(rd)),
            )
        } else {
            one(
                Piece::W(u(AUIPC, rd, imm)),
                format!("auipc {}, {imm:#x}", xn(rd)),
            )
        }
    }

    fn load_store(&mut self) -> Item {
        const LOADS: &[(&str, u32, u64)] = &[
            ("lb", 0, 1),
            ("lh", 1, 2),
            ("lw", 2, 4),
            ("ld", 3, 8),
            ("lbu", 4, 1),
            ("lhu", 5, 2),
            ("lwu", 6, 4),
        ];
        const STORES: &[(&str, u32, u64)] =
            &[("sb", 0, 1), ("sh", 1, 2), ("sw", 2, 4), ("sd", 3, 8)];
        let base = self.r.pick(&[SP, S0]);
        // Now and then address through a fresh pointer register: `addi t, s0, k`.
        let via = self.r.chance(25);
        let (name, f3, size, load) = if self.r.chance(55) {
            let (n, f, s) = self.r.pick(LOADS);
            (n, f, s, true)
        } else {
            let (n, f, s) = self.r.pick(STORES);
            (n, f, s, false)
        };
        let mut off = self.off(size);
        if size > 1 && self.r.chance(8) {
            // misaligned, still inside the scratch area
            off += self.r.range(1, size as i64 - 1) as i32;
            off = off.min((SCRATCH as u64 - size) as i32);
        }
        let mut pieces = Vec::new();
        let mut text = Vec::new();
        let (base, off) = if via {
            let t = self.rd_nz();
            let k = self.r.range(-64, 64) as i32;
            pieces.push(Piece::W(i(OP_IMM, 0, t, base, k)));
            text.push(format!("addi {}, {}, {k}", xn(t), xn(base)));
            (t, off - k)
        } else {
            (base, off)
        };
        if load {
            let rd = self.rd();
            pieces.push(Piece::W(i(LOAD, f3, rd, base, off)));
            text.push(format!("{name} {}, {off}({})", xn(rd), xn(base)));
        } else {
            let rs2 = self.rs();
            pieces.push(Piece::W(s(STORE, f3, base, rs2, off)));
            text.push(format!("{name} {}, {off}({})", xn(rs2), xn(base)));
        }
        Item {
            pieces,
            skip: 0,
            text,
        }
    }

    fn fp_load_store(&mut self) -> Item {
        let base = self.r.pick(&[SP, S0]);
        let d = self.r.chance(50);
        let (f3, size, sfx) = if d { (3, 8, 'd') } else { (2, 4, 'w') };
        let off = self.off(size);
        if self.r.chance(50) {
            let fd = self.fd();
            one(
                Piece::W(i(LOAD_FP, f3, fd, base, off)),
                format!("fl{sfx} {}, {off}({})", fname(fd), xn(base)),
            )
        } else {
            let fs = self.fs();
            one(
                Piece::W(s(STORE_FP, f3, base, fs, off)),
                format!("fs{sfx} {}, {off}({})", fname(fs), xn(base)),
            )
        }
    }

    /// `addi t, s0, off` with t a fresh register (not x0/sp/s0).
    fn pointer(&mut self, size: u64) -> (u8, Piece, String) {
        let t = self.rd_nz();
        let off = self.off(size);
        let base = self.r.pick(&[SP, S0]);
        (
            t,
            Piece::W(i(OP_IMM, 0, t, base, off)),
            format!("addi {}, {}, {off}", xn(t), xn(base)),
        )
    }

    fn amo(&mut self) -> Item {
        const OPS: &[(&str, u32)] = &[
            ("amoswap", 0x01),
            ("amoadd", 0x00),
            ("amoxor", 0x04),
            ("amoand", 0x0c),
            ("amoor", 0x08),
            ("amomin", 0x10),
            ("amomax", 0x14),
            ("amominu", 0x18),
            ("amomaxu", 0x1c),
        ];
        let (name, f5) = self.r.pick(OPS);
        let d = self.r.chance(50);
        let (t, p, ptext) = self.pointer(if d { 8 } else { 4 });
        let rs2 = self.rs();
        let rd = self.rd();
        let (aq, rl) = (self.r.chance(30), self.r.chance(30));
        let sfx = format!(
            "{}{}{}",
            if d { ".d" } else { ".w" },
            if aq { ".aq" } else { "" },
            if rl { ".rl" } else { "" }
        );
        Item {
            pieces: vec![p, Piece::W(enc::amo(f5, d, aq, rl, rd, t, rs2))],
            skip: 0,
            text: vec![
                ptext,
                format!("{name}{sfx} {}, {}, ({})", xn(rd), xn(rs2), xn(t)),
            ],
        }
    }

    /// `addi t, s0, off; lr rd, (t); [ALU ops]; sc rd2, rs2, (t)` — and now
    /// and then an `sc` to another address or without a reservation.
    fn lr_sc(&mut self) -> Item {
        let d = self.r.chance(50);
        let size = if d { 8 } else { 4 };
        let sfx = if d { ".d" } else { ".w" };
        let (t, p, ptext) = self.pointer(size);
        let mut pieces = vec![p];
        let mut text = vec![ptext];
        let mode = self.r.below(10);
        if mode != 0 {
            let rd = loop {
                let v = self.rd();
                if v != t {
                    break v;
                }
            };
            pieces.push(Piece::W(enc::amo(0x02, d, false, false, rd, t, 0)));
            text.push(format!("lr{sfx} {}, ({})", xn(rd), xn(t)));
            for _ in 0..self.r.below(3) {
                let rs1 = self.rs();
                let rs2 = self.rs();
                let rd = loop {
                    let v = self.rd();
                    if v != t {
                        break v;
                    }
                };
                pieces.push(Piece::W(r(OP, 0, 0, rd, rs1, rs2)));
                text.push(format!("add {}, {}, {}", xn(rd), xn(rs1), xn(rs2)));
            }
        }
        let t = if mode == 1 {
            // sc to a different (aligned) address: must fail
            let t2 = loop {
                let v = self.rd_nz();
                if v != t {
                    break v;
                }
            };
            let off = self.off(size);
            pieces.push(Piece::W(i(OP_IMM, 0, t2, S0, off)));
            text.push(format!("addi {}, s0, {off}", xn(t2)));
            t2
        } else {
            t
        };
        let rs2 = self.rs();
        let rd = self.rd();
        pieces.push(Piece::W(enc::amo(0x03, d, false, false, rd, t, rs2)));
        text.push(format!("sc{sfx} {}, {}, ({})", xn(rd), xn(rs2), xn(t)));
        Item {
            pieces,
            skip: 0,
            text,
        }
    }

    fn branch(&mut self) -> Item {
        const BS: &[(&str, u32)] = &[
            ("beq", 0),
            ("bne", 1),
            ("blt", 4),
            ("bge", 5),
            ("bltu", 6),
            ("bgeu", 7),
        ];
        let skip = self.r.below(4) as usize;
        let (p, text) = match self.r.below(10) {
            0..=6 => {
                let (name, f3) = self.r.pick(BS);
                // Same register on both sides now and then (always/never taken).
                let rs1 = self.rs();
                let rs2 = if self.r.chance(10) { rs1 } else { self.rs() };
                (
                    Br::B { f3, rs1, rs2 },
                    format!("{name} {}, {}, <+{skip} items>", xn(rs1), xn(rs2)),
                )
            }
            7 => {
                let rd = self.rd();
                (Br::Jal { rd }, format!("jal {}, <+{skip} items>", xn(rd)))
            }
            _ => {
                let t = self.rd_nz();
                let rd = self.rd();
                (
                    Br::AuipcJalr { t, rd },
                    format!(
                        "auipc {t}, 0; jalr {}, <+{skip} items>({t})",
                        xn(rd),
                        t = xn(t)
                    ),
                )
            }
        };
        Item {
            pieces: vec![Piece::Br(p)],
            skip,
            text: vec![text],
        }
    }

    fn rm(&mut self) -> u32 {
        self.r.pick(RMS)
    }

    fn fp_arith(&mut self) -> Item {
        let d = self.r.chance(50);
        let fmt = d as u32;
        let sfx = if d { "d" } else { "s" };
        let rm = self.rm();
        let (rs1, rs2, rs3) = (self.fs(), self.fs(), self.fs());
        let fd = self.fd();
        let (f1, f2, f3n, fdn) = (fname(rs1), fname(rs2), fname(rs3), fname(fd));
        let rmn = RM_NAMES[rm as usize];
        match self.r.below(14) {
            0..=3 => {
                let (name, f5) =
                    self.r
                        .pick(&[("fadd", 0u32), ("fsub", 1), ("fmul", 2), ("fdiv", 3)]);
                one(
                    Piece::W(r(OP_FP, rm, f5 << 2 | fmt, fd, rs1, rs2)),
                    format!("{name}.{sfx} {fdn}, {f1}, {f2}, {rmn}"),
                )
            }
            4 => one(
                Piece::W(r(OP_FP, rm, 0x0b << 2 | fmt, fd, rs1, 0)),
                format!("fsqrt.{sfx} {fdn}, {f1}, {rmn}"),
            ),
            5..=6 => {
                let (name, f3) = self
                    .r
                    .pick(&[("fsgnj", 0u32), ("fsgnjn", 1), ("fsgnjx", 2)]);
                one(
                    Piece::W(r(OP_FP, f3, 0x04 << 2 | fmt, fd, rs1, rs2)),
                    format!("{name}.{sfx} {fdn}, {f1}, {f2}"),
                )
            }
            7..=8 => {
                let (name, f3) = self.r.pick(&[("fmin", 0u32), ("fmax", 1)]);
                one(
                    Piece::W(r(OP_FP, f3, 0x05 << 2 | fmt, fd, rs1, rs2)),
                    format!("{name}.{sfx} {fdn}, {f1}, {f2}"),
                )
            }
            _ => {
                let (name, op) = self.r.pick(&[
                    ("fmadd", MADD),
                    ("fmsub", 0x47u32),
                    ("fnmsub", 0x4b),
                    ("fnmadd", 0x4f),
                ]);
                one(
                    Piece::W(r4(op, fmt, fd, rs1, rs2, rs3, rm)),
                    format!("{name}.{sfx} {fdn}, {f1}, {f2}, {f3n}, {rmn}"),
                )
            }
        }
    }

    fn fp_convert(&mut self) -> Item {
        let d = self.r.chance(50);
        let fmt = d as u32;
        let sfx = if d { "d" } else { "s" };
        let rm = self.rm();
        let rmn = RM_NAMES[rm as usize];
        const INTS: [&str; 4] = ["w", "wu", "l", "lu"];
        match self.r.below(8) {
            0..=1 => {
                // fcvt.<int>.<fp>
                let k = self.r.below(4) as u8;
                let fs = self.fs();
                let rd = self.rd();
                one(
                    Piece::W(r(OP_FP, rm, 0x18 << 2 | fmt, rd, fs, k)),
                    format!(
                        "fcvt.{}.{sfx} {}, {}, {rmn}",
                        INTS[k as usize],
                        xn(rd),
                        fname(fs)
                    ),
                )
            }
            2 => {
                // fcvt.<fp>.<int>
                let k = self.r.below(4) as u8;
                let rs = self.rs();
                let fd = self.fd();
                one(
                    Piece::W(r(OP_FP, rm, 0x1a << 2 | fmt, fd, rs, k)),
                    format!(
                        "fcvt.{sfx}.{} {}, {}, {rmn}",
                        INTS[k as usize],
                        fname(fd),
                        xn(rs)
                    ),
                )
            }
            3 => {
                // fcvt.s.d / fcvt.d.s
                let fs = self.fs();
                let fd = self.fd();
                let (name, src) = if d { ("fcvt.d.s", 0) } else { ("fcvt.s.d", 1) };
                one(
                    Piece::W(r(OP_FP, rm, 0x08 << 2 | fmt, fd, fs, src)),
                    format!("{name} {}, {}, {rmn}", fname(fd), fname(fs)),
                )
            }
            4 => {
                let (name, f3) = self.r.pick(&[("feq", 2u32), ("flt", 1), ("fle", 0)]);
                let (a, b) = (self.fs(), self.fs());
                let rd = self.rd();
                one(
                    Piece::W(r(OP_FP, f3, 0x14 << 2 | fmt, rd, a, b)),
                    format!("{name}.{sfx} {}, {}, {}", xn(rd), fname(a), fname(b)),
                )
            }
            5 => {
                let fs = self.fs();
                let rd = self.rd();
                one(
                    Piece::W(r(OP_FP, 1, 0x1c << 2 | fmt, rd, fs, 0)),
                    format!("fclass.{sfx} {}, {}", xn(rd), fname(fs)),
                )
            }
            6 => {
                let fs = self.fs();
                let rd = self.rd();
                let n = if d { "fmv.x.d" } else { "fmv.x.w" };
                one(
                    Piece::W(r(OP_FP, 0, 0x1c << 2 | fmt, rd, fs, 0)),
                    format!("{n} {}, {}", xn(rd), fname(fs)),
                )
            }
            _ => {
                let rs = self.rs();
                let fd = self.fd();
                let n = if d { "fmv.d.x" } else { "fmv.w.x" };
                one(
                    Piece::W(r(OP_FP, 0, 0x1e << 2 | fmt, fd, rs, 0)),
                    format!("{n} {}, {}", fname(fd), xn(rs)),
                )
            }
        }
    }

    /// Zfa: fli, fminm/fmaxm, fround/froundnx, fcvtmod.w.d, fleq/fltq.
    fn zfa(&mut self) -> Item {
        let d = self.r.chance(50);
        let fmt = d as u32;
        let sfx = if d { "d" } else { "s" };
        let (a, b) = (self.fs(), self.fs());
        match self.r.below(5) {
            0 => {
                let fd = self.fd();
                let k = self.r.below(32) as u8;
                one(
                    Piece::W(r(OP_FP, 0, 0x1e << 2 | fmt, fd, k, 1)),
                    format!("fli.{sfx} {}, #{k}", fname(fd)),
                )
            }
            1 => {
                let fd = self.fd();
                let (n, f3) = self.r.pick(&[("fminm", 2u32), ("fmaxm", 3)]);
                one(
                    Piece::W(r(OP_FP, f3, 0x05 << 2 | fmt, fd, a, b)),
                    format!("{n}.{sfx} {}, {}, {}", fname(fd), fname(a), fname(b)),
                )
            }
            2 => {
                let fd = self.fd();
                let rm = self.rm();
                let (n, k) = self.r.pick(&[("fround", 4u8), ("froundnx", 5)]);
                one(
                    Piece::W(r(OP_FP, rm, 0x08 << 2 | fmt, fd, a, k)),
                    format!(
                        "{n}.{sfx} {}, {}, {}",
                        fname(fd),
                        fname(a),
                        RM_NAMES[rm as usize]
                    ),
                )
            }
            3 => {
                let rd = self.rd();
                one(
                    Piece::W(r(OP_FP, 1, 0x18 << 2 | 1, rd, a, 8)),
                    format!("fcvtmod.w.d {}, {}, rtz", xn(rd), fname(a)),
                )
            }
            _ => {
                let rd = self.rd();
                let (n, f3) = self.r.pick(&[("fleq", 4u32), ("fltq", 5)]);
                one(
                    Piece::W(r(OP_FP, f3, 0x14 << 2 | fmt, rd, a, b)),
                    format!("{n}.{sfx} {}, {}, {}", xn(rd), fname(a), fname(b)),
                )
            }
        }
    }

    /// fence (random pred/succ), fence.tso, fence.i (which flushes translations).
    fn fence(&mut self) -> Item {
        match self.r.below(3) {
            0 => {
                let (p, q) = (self.r.range(1, 15) as i32, self.r.range(1, 15) as i32);
                one(
                    Piece::W(i(0x0f, 0, 0, 0, p << 4 | q)),
                    format!("fence {p:#x}, {q:#x}"),
                )
            }
            1 => one(Piece::W(0x8330_000f), "fence.tso".into()),
            _ => one(Piece::W(0x0000_100f), "fence.i".into()),
        }
    }

    /// A backward branch: `li c, n; body; addi c, c, -1; bnez c, body` with a
    /// body of ALU instructions that leave the counter alone.
    fn counted_loop(&mut self) -> Item {
        let c = self.rd_nz();
        let n = self.r.range(1, 4) as i32;
        let mut pieces = vec![Piece::W(i(OP_IMM, 0, c, 0, n))];
        let mut text = vec![format!("li {}, {n}", xn(c))];
        let mut body = 0i64;
        for _ in 0..self.r.range(1, 4) {
            let it = loop {
                let it = if self.r.chance(50) {
                    self.alu_r()
                } else {
                    self.alu_i()
                };
                let Piece::W(w) = it.pieces[0] else {
                    unreachable!()
                };
                if (w >> 7 & 31) as u8 != c {
                    break it;
                }
            };
            body += it.len() as i64;
            pieces.extend(it.pieces);
            text.extend(it.text);
        }
        pieces.push(Piece::W(i(OP_IMM, 0, c, c, -1)));
        text.push(format!("addi {c}, {c}, -1", c = xn(c)));
        pieces.push(Piece::W(enc::b(1, c, 0, -(body + 4))));
        text.push(format!("bnez {}, <loop body>", xn(c)));
        Item {
            pieces,
            skip: 0,
            text,
        }
    }

    /// A call and return inside the item: `jal l, f; j over; f: body; jalr x0, 0(l)`
    /// with `l` = ra or t0 (the return-address-stack hints); now and then the
    /// body redirects `l` to `over` first (a mispredicted return).
    fn call(&mut self) -> Item {
        let l = self.r.pick(&[1u8, 5]);
        let mut body: Vec<Piece> = Vec::new();
        let mut text = Vec::new();
        for _ in 0..self.r.range(0, 2) {
            let it = loop {
                let it = if self.r.chance(50) {
                    self.alu_r()
                } else {
                    self.alu_i()
                };
                let Piece::W(w) = it.pieces[0] else {
                    unreachable!()
                };
                if (w >> 7 & 31) as u8 != l {
                    break it;
                }
            };
            body.extend(it.pieces);
            text.extend(it.text);
        }
        let redirect = self.r.chance(25);
        let body_len = 4 * body.len() as i64 + if redirect { 8 } else { 0 };
        if redirect {
            // auipc l, 0; addi l, l, (over - here)
            body.push(Piece::W(u(AUIPC, l, 0)));
            // `over` is 12 bytes past this auipc (addi, jr)
            body.push(Piece::W(i(OP_IMM, 0, l, l, 12)));
            text.push(format!("auipc {}, 0", xn(l)));
            text.push(format!("addi {l}, {l}, <over>", l = xn(l)));
        }
        let mut pieces = vec![
            Piece::W(enc::j(l, 8)),
            Piece::W(enc::j(0, 4 + body_len + 4)),
        ];
        let mut t = vec![format!("jal {}, <f>", xn(l)), "j <over>".to_string()];
        pieces.extend(body);
        t.extend(text);
        pieces.push(Piece::W(i(JALR, 0, 0, l, 0)));
        t.push(format!("jr {}  # <over>:", xn(l)));
        Item {
            pieces,
            skip: 0,
            text: t,
        }
    }

    /// fflags/frm/fcsr accesses that keep frm valid.
    fn fcsr(&mut self) -> Item {
        if self.r.chance(30) {
            // Register writes: `andi t, rs, mask; csrrw/csrrc rd, csr, t`, the
            // mask keeping frm valid where the write could make it 5..7.
            let t = self.rd_nz();
            let src = self.rs();
            let (mask, f3, c, name) = self.r.pick(&[
                (0x7f, 1u32, 3u32, "fscsr"),
                (0x3, 1, 2, "fsrm"),
                (0xff, 3, 3, "csrrc fcsr"),
                (0xff, 3, 2, "csrrc frm"),
                (0x1f, 2, 1, "csrrs fflags"),
                (0xff, 3, 1, "csrrc fflags"),
            ]);
            let rd = self.rd();
            return Item {
                pieces: vec![
                    Piece::W(i(OP_IMM, 7, t, src, mask)),
                    Piece::W(csr(f3, rd, t, c)),
                ],
                skip: 0,
                text: vec![
                    format!("andi {}, {}, {mask:#x}", xn(t), xn(src)),
                    format!("{name} {}, {}", xn(rd), xn(t)),
                ],
            };
        }
        let rd = self.rd();
        let rs = self.rs();
        let imm5 = self.r.below(32) as u8;
        let rm = self.r.below(5) as u8;
        let (w, text) = match self.r.below(8) {
            0 => (csr(2, rd, 0, 3), format!("frcsr {}", xn(rd))),
            1 => (csr(2, rd, 0, 1), format!("frflags {}", xn(rd))),
            2 => (csr(2, rd, 0, 2), format!("frrm {}", xn(rd))),
            3 => (csr(1, rd, rs, 1), format!("fsflags {}, {}", xn(rd), xn(rs))),
            4 => (
                csr(5, rd, imm5, 1),
                format!("csrrwi {}, fflags, {imm5}", xn(rd)),
            ),
            5 => (
                csr(6, rd, imm5, 1),
                format!("csrrsi {}, fflags, {imm5}", xn(rd)),
            ),
            6 => (
                csr(7, rd, imm5, 3),
                format!("csrrci {}, fcsr, {imm5}", xn(rd)),
            ),
            _ => (csr(5, rd, rm, 2), format!("fsrmi {}, {rm}", xn(rd))),
        };
        one(Piece::W(w), text)
    }

    fn compressed(&mut self) -> Item {
        let imm6 = |g: &mut Gen| -> i32 { g.r.range(-32, 31) as i32 };
        let nz6 = |g: &mut Gen| -> i32 {
            loop {
                let v = g.r.range(-32, 31) as i32;
                if v != 0 {
                    return v;
                }
            }
        };
        match self.r.below(32) {
            0 => {
                let rd = self.rd_nz();
                let v = nz6(self);
                one(
                    Piece::H(ci(0, 1, rd, v as u32 & 63)),
                    format!("c.addi {}, {v}", xn(rd)),
                )
            }
            1 => {
                let rd = self.rd_nz();
                let v = imm6(self);
                one(
                    Piece::H(ci(1, 1, rd, v as u32 & 63)),
                    format!("c.addiw {}, {v}", xn(rd)),
                )
            }
            2 => {
                let rd = self.rd_nz();
                let v = imm6(self);
                one(
                    Piece::H(ci(2, 1, rd, v as u32 & 63)),
                    format!("c.li {}, {v}", xn(rd)),
                )
            }
            3 => {
                let rd = self.rd_nz();
                let v = nz6(self);
                one(
                    Piece::H(ci(3, 1, rd, v as u32 & 63)),
                    format!("c.lui {}, {v}", xn(rd)),
                )
            }
            4 => {
                let rd = self.rd_nz();
                let sh = self.r.range(1, 63) as u32;
                one(
                    Piece::H(ci(0, 2, rd, sh)),
                    format!("c.slli {}, {sh}", xn(rd)),
                )
            }
            5..=7 => {
                let rd = self.rdc();
                let k = self.r.below(3) as u16;
                let v = if k == 2 {
                    imm6(self) as u32 & 63
                } else {
                    self.r.range(1, 63) as u32
                };
                let n = ["c.srli", "c.srai", "c.andi"][k as usize];
                one(
                    Piece::H(cb_alu(k, rd, v)),
                    format!("{n} {}, {v:#x}", xn(rd)),
                )
            }
            8..=10 => {
                let rd = self.rdc();
                let rs2 = self.rsc();
                let k = self.r.below(6);
                let (w, f2) = [
                    (false, 0),
                    (false, 1),
                    (false, 2),
                    (false, 3),
                    (true, 0),
                    (true, 1),
                ][k as usize];
                let n = ["c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"][k as usize];
                one(
                    Piece::H(ca(w, f2, rd, rs2)),
                    format!("{n} {}, {}", xn(rd), xn(rs2)),
                )
            }
            11 => {
                let rd = self.rd_nz();
                let rs = loop {
                    let v = self.rs();
                    if v != 0 {
                        break v;
                    }
                };
                one(
                    Piece::H(cr(0, rd, rs)),
                    format!("c.mv {}, {}", xn(rd), xn(rs)),
                )
            }
            12 => {
                let rd = self.rd_nz();
                let rs = loop {
                    let v = self.rs();
                    if v != 0 {
                        break v;
                    }
                };
                one(
                    Piece::H(cr(1, rd, rs)),
                    format!("c.add {}, {}", xn(rd), xn(rs)),
                )
            }
            13 => {
                let rd = self.rdc();
                let v = (self.r.range(1, 63) * 4) as u32;
                one(
                    Piece::H(c_addi4spn(rd, v)),
                    format!("c.addi4spn {}, sp, {v}", xn(rd)),
                )
            }
            14 => {
                let rd = self.rdc();
                let o = self.off(8) as u32;
                one(
                    Piece::H(cls_d(0b011, S0, rd, o)),
                    format!("c.ld {}, {o}(s0)", xn(rd)),
                )
            }
            15 => {
                let rd = self.rdc();
                let o = self.off(4) as u32 & 0x7c;
                one(
                    Piece::H(cls_w(0b010, S0, rd, o)),
                    format!("c.lw {}, {o}(s0)", xn(rd)),
                )
            }
            16 => {
                let rs = self.rsc();
                let o = self.off(8) as u32;
                one(
                    Piece::H(cls_d(0b111, S0, rs, o)),
                    format!("c.sd {}, {o}(s0)", xn(rs)),
                )
            }
            17 => {
                let rs = self.rsc();
                let o = self.off(4) as u32 & 0x7c;
                one(
                    Piece::H(cls_w(0b110, S0, rs, o)),
                    format!("c.sw {}, {o}(s0)", xn(rs)),
                )
            }
            18 => {
                let fd = self.r.range(8, 15) as u8;
                let o = self.off(8) as u32;
                one(
                    Piece::H(cls_d(0b001, S0, fd, o)),
                    format!("c.fld {}, {o}(s0)", fname(fd)),
                )
            }
            19 => {
                let fs = self.r.range(8, 15) as u8;
                let o = self.off(8) as u32;
                one(
                    Piece::H(cls_d(0b101, S0, fs, o)),
                    format!("c.fsd {}, {o}(s0)", fname(fs)),
                )
            }
            20 => {
                let rd = self.rd_nz();
                let o = self.off(8) as u32;
                one(
                    Piece::H(c_ldsp(0b011, rd, o)),
                    format!("c.ldsp {}, {o}(sp)", xn(rd)),
                )
            }
            21 => {
                let rd = self.rd_nz();
                let o = self.off(4) as u32 & 0xfc;
                one(
                    Piece::H(c_lwsp(rd, o)),
                    format!("c.lwsp {}, {o}(sp)", xn(rd)),
                )
            }
            22 => {
                let rs = self.rs();
                let o = self.off(8) as u32;
                one(
                    Piece::H(c_sdsp(0b111, rs, o)),
                    format!("c.sdsp {}, {o}(sp)", xn(rs)),
                )
            }
            23 => {
                let rs = self.rs();
                let o = self.off(4) as u32 & 0xfc;
                one(
                    Piece::H(c_swsp(rs, o)),
                    format!("c.swsp {}, {o}(sp)", xn(rs)),
                )
            }
            24 => {
                let fd = self.fd();
                let o = self.off(8) as u32;
                one(
                    Piece::H(c_ldsp(0b001, fd, o)),
                    format!("c.fldsp {}, {o}(sp)", fname(fd)),
                )
            }
            25 => {
                let fs = self.fs();
                let o = self.off(8) as u32;
                one(
                    Piece::H(c_sdsp(0b101, fs, o)),
                    format!("c.fsdsp {}, {o}(sp)", fname(fs)),
                )
            }
            26..=27 => {
                let skip = self.r.below(4) as usize;
                Item {
                    pieces: vec![Piece::Br(Br::CJ)],
                    skip,
                    text: vec![format!("c.j <+{skip} items>")],
                }
            }
            28..=29 => {
                let skip = self.r.below(4) as usize;
                let rs = self.rsc();
                let bnez = self.r.chance(50);
                let n = if bnez { "c.bnez" } else { "c.beqz" };
                Item {
                    pieces: vec![Piece::Br(Br::CBz { bnez, rs })],
                    skip,
                    text: vec![format!("{n} {}, <+{skip} items>", xn(rs))],
                }
            }
            30 => {
                let skip = self.r.below(4) as usize;
                let t = self.rd_nz();
                let link = self.r.chance(50);
                if link {
                    self.recent.push(1);
                }
                let n = if link { "c.jalr" } else { "c.jr" };
                Item {
                    pieces: vec![Piece::Br(Br::AuipcCJr { t, link })],
                    skip,
                    text: vec![format!(
                        "auipc {t}, 0; addi {t}, {t}, <+{skip} items>; {n} {t}",
                        t = xn(t)
                    )],
                }
            }
            _ => one(Piece::H(0x0001), "c.nop".into()),
        }
    }
}
