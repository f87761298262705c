//! A64 decoding: the table-line format and the lookup.
//!
//! Every encoding is one line in a table of its encoding group
//! (`translate/<group>.rs`, `TABLE`), Dynarmic-style: a 32-character bit
//! pattern, most significant bit first, where `0`/`1` are fixed bits and
//! letters name the fields (`d` = Rd, `n` = Rn, `m` = Rm, `i` = an
//! immediate, `z` = sf, …; the same letter may appear in several places,
//! its bits concatenate in order). The translator gets the word with the
//! pattern's field masks and reads fields by letter.

use super::translate::Ctx;

/// The instruction is not valid (unallocated, reserved or unsupported):
/// the guest gets SIGILL at its pc.
#[derive(Debug, PartialEq, Eq)]
pub struct Illegal;

/// An instruction word and the field layout of the line that matched it.
#[derive(Clone, Copy)]
pub struct Insn {
    pub word: u32,
    fields: &'static [u32; 26],
}

impl Insn {
    /// The bits of field `letter`, concatenated from high to low.
    pub fn get(self, letter: char) -> u32 {
        let mask = self.fields[(letter as u8 - b'a') as usize];
        debug_assert!(mask != 0, "field {letter} not in the pattern");
        let mut out = 0;
        let mut m = mask;
        while m != 0 {
            let top = 31 - m.leading_zeros();
            out = (out << 1) | ((self.word >> top) & 1);
            m &= !(1 << top);
        }
        out
    }

    /// Field `letter` sign-extended from its width.
    pub fn sext(self, letter: char) -> i64 {
        let width = self.fields[(letter as u8 - b'a') as usize].count_ones();
        let v = self.get(letter) as i64;
        (v << (64 - width)) >> (64 - width)
    }

    /// A single-bit field as a flag.
    pub fn bit(self, letter: char) -> bool {
        self.get(letter) != 0
    }
}

pub type TranslateFn = fn(&mut Ctx, Insn) -> Result<(), Illegal>;

/// One decoder table line.
pub struct Pattern {
    pub mask: u32,
    pub bits: u32,
    /// Mask of each field letter a..z.
    pub fields: [u32; 26],
    pub name: &'static str,
    pub translate: TranslateFn,
}

impl Pattern {
    pub fn insn(&'static self, word: u32) -> Insn {
        Insn {
            word,
            fields: &self.fields,
        }
    }
}

/// Parses a pattern at compile time into (mask, bits, field masks).
pub const fn parse_pattern(p: &str) -> (u32, u32, [u32; 26]) {
    let b = p.as_bytes();
    assert!(b.len() == 32, "A64 patterns have 32 bits");
    let (mut mask, mut bits, mut fields) = (0u32, 0u32, [0u32; 26]);
    let mut i = 0;
    while i < 32 {
        let bit = 1u32 << (31 - i);
        match b[i] {
            b'0' => mask |= bit,
            b'1' => {
                mask |= bit;
                bits |= bit
            }
            c @ b'a'..=b'z' => fields[(c - b'a') as usize] |= bit,
            _ => panic!("bad pattern character"),
        }
        i += 1;
    }
    (mask, bits, fields)
}

/// Builds a decoder table: `"pattern" name => translator;` per line.
#[macro_export]
macro_rules! a64_table {
    ($( $pat:literal $name:ident => $f:path; )*) => {
        &[ $( {
            const P: (u32, u32, [u32; 26]) = $crate::guest::aarch64::decode::parse_pattern($pat);
            $crate::guest::aarch64::decode::Pattern {
                mask: P.0, bits: P.1, fields: P.2, name: stringify!($name), translate: $f,
            }
        }, )* ]
    };
}

/// Looks up the table line for an instruction word (the first that
/// matches, in table order: specific lines come before general ones).
pub fn lookup(word: u32) -> Option<&'static Pattern> {
    use std::sync::OnceLock;
    // Bucket the lines by op0 (bits 28:25), the manual's top-level split.
    static BUCKETS: OnceLock<Vec<Vec<&'static Pattern>>> = OnceLock::new();
    let buckets = BUCKETS.get_or_init(|| {
        let mut b = vec![Vec::new(); 16];
        for p in super::translate::TABLES.iter().flat_map(|t| t.iter()) {
            for (op0, bucket) in b.iter_mut().enumerate() {
                let op0 = (op0 as u32) << 25;
                if (op0 & p.mask & (0xf << 25)) == (p.bits & (0xf << 25)) {
                    bucket.push(p);
                }
            }
        }
        b
    });
    buckets[((word >> 25) & 0xf) as usize]
        .iter()
        .copied()
        .find(|p| word & p.mask == p.bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    static P: Pattern = {
        let (mask, bits, fields) = parse_pattern("z0010001shiiiiiiiiiiiinnnnnddddd");
        fn nop(_: &mut Ctx, _: Insn) -> Result<(), Illegal> {
            Ok(())
        }
        Pattern {
            mask,
            bits,
            fields,
            name: "add_imm",
            translate: nop,
        }
    };

    #[test]
    fn fields_are_read_by_letter() {
        // add x1, x2, #0x123, lsl #12 = 0x91448c41
        let insn = P.insn(0x9144_8c41);
        assert_eq!(0x9144_8c41 & P.mask, P.bits);
        assert_eq!(insn.get('z'), 1);
        assert_eq!(insn.get('h'), 1);
        assert_eq!(insn.get('i'), 0x123);
        assert_eq!(insn.get('n'), 2);
        assert_eq!(insn.get('d'), 1);
        assert_eq!(P.insn(0xffff_ffff).sext('i'), -1);
    }
}
