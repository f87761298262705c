//! riscv64 decoding: instruction fields, the table-line format, and the lookup.
//!
//! Every 32-bit instruction is one line in a per-extension table
//! (`translate/<ext>.rs`, `TABLE`): a bit pattern written as in the manual's
//! encoding diagrams (`0`/`1` fixed, `.` free, spaces ignored), a mnemonic
//! and its translator. Compressed (16-bit) instructions are expanded to their
//! 32-bit equivalents first (`translate/c.rs`), so each has one translator.

use super::translate::Ctx;

/// A 32-bit instruction word (compressed instructions arrive expanded).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insn(pub u32);

fn sext(value: u32, bits: u32) -> i64 {
    ((value as i64) << (64 - bits)) >> (64 - bits)
}

impl Insn {
    pub fn opcode(self) -> u32 {
        self.0 & 0x7f
    }
    pub fn rd(self) -> u32 {
        (self.0 >> 7) & 31
    }
    pub fn rs1(self) -> u32 {
        (self.0 >> 15) & 31
    }
    pub fn rs2(self) -> u32 {
        (self.0 >> 20) & 31
    }
    pub fn rs3(self) -> u32 {
        self.0 >> 27
    }
    pub fn funct3(self) -> u32 {
        (self.0 >> 12) & 7
    }
    /// Floating-point rounding-mode field (same bits as funct3).
    pub fn rm(self) -> u32 {
        self.funct3()
    }
    pub fn funct7(self) -> u32 {
        self.0 >> 25
    }
    /// Acquire bit of an atomic.
    pub fn aq(self) -> bool {
        self.0 & (1 << 26) != 0
    }
    /// Release bit of an atomic.
    pub fn rl(self) -> bool {
        self.0 & (1 << 25) != 0
    }
    /// CSR number (bits 31:20).
    pub fn csr(self) -> u32 {
        self.0 >> 20
    }
    /// 6-bit shift amount of RV64 shifts by immediate.
    pub fn shamt(self) -> u32 {
        (self.0 >> 20) & 63
    }
    pub fn imm_i(self) -> i64 {
        sext(self.0 >> 20, 12)
    }
    pub fn imm_s(self) -> i64 {
        sext(((self.0 >> 25) << 5) | ((self.0 >> 7) & 31), 12)
    }
    pub fn imm_b(self) -> i64 {
        let i = self.0;
        let v = ((i >> 31) & 1) << 12
            | ((i >> 7) & 1) << 11
            | ((i >> 25) & 0x3f) << 5
            | ((i >> 8) & 0xf) << 1;
        sext(v, 13)
    }
    pub fn imm_u(self) -> i64 {
        (self.0 & 0xffff_f000) as i32 as i64
    }
    pub fn imm_j(self) -> i64 {
        let i = self.0;
        let v = ((i >> 31) & 1) << 20
            | ((i >> 12) & 0xff) << 12
            | ((i >> 20) & 1) << 11
            | ((i >> 21) & 0x3ff) << 1;
        sext(v, 21)
    }
}

/// The instruction is not valid (reserved encoding or unsupported operand):
/// the guest gets SIGILL at its pc.
#[derive(Debug, PartialEq, Eq)]
pub struct Illegal;

pub type TranslateFn = fn(&mut Ctx, Insn) -> Result<(), Illegal>;

/// One decoder table line.
pub struct Pattern {
    pub mask: u32,
    pub bits: u32,
    pub name: &'static str,
    pub translate: TranslateFn,
}

/// Parses a pattern string at compile time into (mask, bits).
pub const fn parse_pattern(p: &str) -> (u32, u32) {
    let b = p.as_bytes();
    let (mut mask, mut bits, mut n, mut i) = (0u32, 0u32, 0, 0);
    while i < b.len() {
        match b[i] {
            b' ' | b'_' => {}
            c => {
                mask <<= 1;
                bits <<= 1;
                n += 1;
                match c {
                    b'0' => mask |= 1,
                    b'1' => {
                        mask |= 1;
                        bits |= 1
                    }
                    b'.' => {}
                    _ => panic!("bad pattern character"),
                }
            }
        }
        i += 1;
    }
    assert!(n == 32 || n == 16, "pattern must have 32 or 16 bits");
    (mask, bits)
}

/// Builds a decoder table: `"pattern" name => translator;` per line.
#[macro_export]
macro_rules! rv_table {
    ($( $pat:literal $name:ident => $f:path; )*) => {
        &[ $( {
            const MB: (u32, u32) = $crate::guest::riscv64::decode::parse_pattern($pat);
            $crate::guest::riscv64::decode::Pattern {
                mask: MB.0, bits: MB.1, name: stringify!($name), translate: $f,
            }
        }, )* ]
    };
}

/// Looks up the table line for a 32-bit instruction word.
pub fn lookup(word: u32) -> Option<&'static Pattern> {
    use std::sync::OnceLock;
    // Bucket the lines by major opcode (bits 6:0) once; lines whose pattern
    // leaves the opcode free would go in every bucket (none do).
    static BUCKETS: OnceLock<Vec<Vec<&'static Pattern>>> = OnceLock::new();
    let buckets = BUCKETS.get_or_init(|| {
        let mut b = vec![Vec::new(); 128];
        for p in super::translate::TABLES.iter().flat_map(|t| t.iter()) {
            for (op, bucket) in b.iter_mut().enumerate() {
                if (op as u32 & p.mask & 0x7f) == (p.bits & 0x7f) {
                    bucket.push(p);
                }
            }
        }
        b
    });
    buckets[(word & 0x7f) as usize]
        .iter()
        .copied()
        .find(|p| word & p.mask == p.bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_parsing() {
        assert_eq!(
            parse_pattern("0000000 ..... ..... 000 ..... 0110011"),
            (0xfe00707f, 0x00000033)
        );
    }

    #[test]
    fn immediates_decode_sign_and_scatter() {
        // jal x0, -4  => 0xffdff06f
        assert_eq!(Insn(0xffdff06f).imm_j(), -4);
        // beq x0, x0, -2 (via c.j expansion style) : bne x1,x2,+8 = 0x00209463
        assert_eq!(Insn(0x00209463).imm_b(), 8);
        // sd x1, -8(x2) = 0xfe113c23
        assert_eq!(Insn(0xfe113c23).imm_s(), -8);
        // addi x1, x1, -1 = 0xfff08093
        assert_eq!(Insn(0xfff08093).imm_i(), -1);
        // lui x1, 0x80000 = 0x800000b7 → sign-extended
        assert_eq!(Insn(0x800000b7).imm_u(), -0x8000_0000);
    }
}
