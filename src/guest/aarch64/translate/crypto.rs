//! The cryptographic extension and CRC32: AESE/AESD/AESMC/AESIMC,
//! SHA1C/P/M/H/SU0/SU1, SHA256H/H2/SU0/SU1, PMULL/PMULL2 64 -> 128, and
//! CRC32{B,H,W,X} / CRC32C{B,H,W,X}. Each is a helper computing in
//! portable Rust from the Arm manual's definitions, using the host's
//! AES-NI, PCLMULQDQ and SSE4.2 `crc32` (Castagnoli only) when present.

use super::super::cpu::Cpu;
use super::super::decode::{Illegal, Insn, Pattern};
use super::Ctx;
use crate::ir::Helper;

pub const TABLE: &[Pattern] = crate::a64_table! {
    "010011100010100001oo10nnnnnddddd" aes => aes;
    "01011110000mmmmm0ooo00nnnnnddddd" sha_three => sha_three;
    "010111100010100ooooo10nnnnnddddd" sha_two => sha_two;
    "z0011010110mmmmm010cssnnnnnddddd" crc32 => crc32;
};

fn vget(cpu: &Cpu, r: usize) -> u128 {
    cpu.vreg[r][0] as u128 | (cpu.vreg[r][1] as u128) << 64
}

fn vset(cpu: &mut Cpu, r: usize, v: u128) {
    cpu.vreg[r] = [v as u64, (v >> 64) as u64];
}

/// Multiplication in GF(2^8) modulo the AES polynomial x^8+x^4+x^3+x+1.
const fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut r = 0u8;
    while b != 0 {
        if b & 1 == 1 {
            r ^= a;
        }
        a = (a << 1) ^ if a & 0x80 != 0 { 0x1b } else { 0 };
        b >>= 1;
    }
    r
}

/// The AES S-box (FIPS-197 5.1.1): the inverse in GF(2^8), then the
/// affine transformation; and its inverse.
const SBOX: [u8; 256] = {
    let mut s = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        // x^254 is the inverse (0 for 0).
        let mut inv = 1u8;
        let mut i = 0;
        while i < 254 {
            inv = gmul(inv, x as u8);
            i += 1;
        }
        let b = if x == 0 { 0 } else { inv };
        s[x] = b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4) ^ 0x63;
        x += 1;
    }
    s
};

const INV_SBOX: [u8; 256] = {
    let mut s = [0u8; 256];
    let mut x = 0;
    while x < 256 {
        s[SBOX[x] as usize] = x as u8;
        x += 1;
    }
    s
};

/// The state's bytes: byte i is row i % 4 of column i / 4.
fn aes_bytes(v: u128) -> [u8; 16] {
    v.to_le_bytes()
}

fn sub_shift(v: u128, inverse: bool) -> u128 {
    let b = aes_bytes(v);
    let mut o = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            if inverse {
                o[r + 4 * ((c + r) % 4)] = INV_SBOX[b[r + 4 * c] as usize];
            } else {
                o[r + 4 * c] = SBOX[b[r + 4 * ((c + r) % 4)] as usize];
            }
        }
    }
    u128::from_le_bytes(o)
}

fn mix_columns(v: u128, inverse: bool) -> u128 {
    let b = aes_bytes(v);
    let k: [u8; 4] = if inverse {
        [14, 11, 13, 9]
    } else {
        [2, 3, 1, 1]
    };
    let mut o = [0u8; 16];
    for c in 0..4 {
        for r in 0..4 {
            o[4 * c + r] = (0..4).fold(0, |acc, j| acc ^ gmul(b[4 * c + (r + j) % 4], k[j]));
        }
    }
    u128::from_le_bytes(o)
}

#[cfg(target_arch = "x86_64")]
mod host {
    use std::arch::x86_64::*;

    pub fn has_aes() -> bool {
        std::is_x86_feature_detected!("aes") && std::is_x86_feature_detected!("sse2")
    }
    pub fn has_pclmul() -> bool {
        std::is_x86_feature_detected!("pclmulqdq")
    }
    pub fn has_crc() -> bool {
        std::is_x86_feature_detected!("sse4.2")
    }

    fn to(v: u128) -> __m128i {
        // SAFETY: plain bit reinterpretation.
        unsafe { std::mem::transmute::<u128, __m128i>(v) }
    }
    fn from(v: __m128i) -> u128 {
        // SAFETY: plain bit reinterpretation.
        unsafe { std::mem::transmute::<__m128i, u128>(v) }
    }

    /// AESE/AESD/AESMC/AESIMC as op 0..=3.
    ///
    /// # Safety
    /// The host has AES-NI.
    #[target_feature(enable = "aes,sse2")]
    pub unsafe fn aes(op: u32, state: u128) -> u128 {
        let z = _mm_setzero_si128();
        let s = to(state);
        from(match op {
            0 => _mm_aesenclast_si128(s, z),
            1 => _mm_aesdeclast_si128(s, z),
            // InvShiftRows/InvSubBytes undone by aesenc's, leaving
            // MixColumns.
            2 => _mm_aesenc_si128(_mm_aesdeclast_si128(s, z), z),
            _ => _mm_aesimc_si128(s),
        })
    }

    /// # Safety
    /// The host has PCLMULQDQ.
    #[target_feature(enable = "pclmulqdq,sse2")]
    pub unsafe fn clmul(a: u64, b: u64) -> u128 {
        from(_mm_clmulepi64_si128(
            _mm_set_epi64x(0, a as i64),
            _mm_set_epi64x(0, b as i64),
            0,
        ))
    }

    /// # Safety
    /// The host has SSE4.2.
    #[target_feature(enable = "sse4.2")]
    pub unsafe fn crc32c(acc: u32, data: u64, bytes: u32) -> u32 {
        match bytes {
            1 => _mm_crc32_u8(acc, data as u8),
            2 => _mm_crc32_u16(acc, data as u16),
            4 => _mm_crc32_u32(acc, data as u32),
            _ => _mm_crc32_u64(acc as u64, data) as u32,
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod host {
    pub fn has_aes() -> bool {
        false
    }
    pub fn has_pclmul() -> bool {
        false
    }
    pub fn has_crc() -> bool {
        false
    }
    pub unsafe fn aes(_: u32, _: u128) -> u128 {
        unreachable!()
    }
    pub unsafe fn clmul(_: u64, _: u64) -> u128 {
        unreachable!()
    }
    pub unsafe fn crc32c(_: u32, _: u64, _: u32) -> u32 {
        unreachable!()
    }
}

/// Host features, probed once.
fn host_has(which: usize) -> bool {
    use std::sync::OnceLock;
    static HAS: OnceLock<[bool; 3]> = OnceLock::new();
    HAS.get_or_init(|| [host::has_aes(), host::has_pclmul(), host::has_crc()])[which]
}

/// AESE/AESD (op 0, 1: Vd ^ Vn, then (Inv)ShiftRows and (Inv)SubBytes)
/// and AESMC/AESIMC (2, 3: (Inv)MixColumns of Vn), portably.
pub fn aes_portable(op: u32, d: u128, n: u128) -> u128 {
    match op {
        0 => sub_shift(d ^ n, false),
        1 => sub_shift(d ^ n, true),
        2 => mix_columns(n, false),
        _ => mix_columns(n, true),
    }
}

/// `aes_op(state, d | n << 5 | op << 10)`.
unsafe extern "C" fn aes_op(state: *mut u8, arg: u64, _: u64, _: u64, _: u64) -> u64 {
    // SAFETY: `state` is the guest's Cpu (the IR calling convention).
    let cpu = &mut *(state as *mut Cpu);
    let (d, n, op) = (
        (arg & 31) as usize,
        (arg >> 5 & 31) as usize,
        (arg >> 10) as u32,
    );
    let (vd, vn) = (vget(cpu, d), vget(cpu, n));
    let r = if host_has(0) {
        let input = if op < 2 { vd ^ vn } else { vn };
        host::aes(op, input)
    } else {
        aes_portable(op, vd, vn)
    };
    vset(cpu, d, r);
    0
}

static AES: Helper = Helper {
    name: "a64_aes",
    func: aes_op,
    fp: None,
};

fn aes(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let arg = insn.get('d') | insn.get('n') << 5 | insn.get('o') << 10;
    let arg = cx.imm(arg as u64);
    cx.b.call(&AES, &[arg]);
    Ok(())
}

fn lanes32(v: u128) -> [u32; 4] {
    [
        v as u32,
        (v >> 32) as u32,
        (v >> 64) as u32,
        (v >> 96) as u32,
    ]
}

fn from32(l: [u32; 4]) -> u128 {
    l.iter().rev().fold(0u128, |acc, &x| acc << 32 | x as u128)
}

fn choose(x: u32, y: u32, z: u32) -> u32 {
    ((y ^ z) & x) ^ z
}

fn majority(x: u32, y: u32, z: u32) -> u32 {
    (x & y) | ((x | y) & z)
}

/// SHA1C/SHA1P/SHA1M (op 0, 1, 2): four rounds on hash state Qd and e Sn
/// with the schedule words of Vm.
fn sha1_hash(op: u32, d: u128, n: u128, w: u128) -> u128 {
    let mut x = lanes32(d);
    let mut y = n as u32;
    let w = lanes32(w);
    for &we in &w {
        let t = match op {
            0 => choose(x[1], x[2], x[3]),
            1 => x[1] ^ x[2] ^ x[3],
            _ => majority(x[1], x[2], x[3]),
        };
        y = y
            .wrapping_add(x[0].rotate_left(5))
            .wrapping_add(t)
            .wrapping_add(we);
        x[1] = x[1].rotate_left(30);
        // <Y, X> = ROL(Y:X, 32).
        let top = x[3];
        x = [y, x[0], x[1], x[2]];
        y = top;
    }
    from32(x)
}

/// SHA256H (part1) and SHA256H2: four rounds on the halves X, Y.
/// SHA256H's and SHA256H2's results for the state halves `x` (a..d) and
/// `y` (e..h) and the schedule words `w`. Software issues the two as a pair
/// on the same operands, so the last result is remembered (per thread) and
/// the four rounds run once per pair.
fn sha256_rounds(x: u128, y: u128, w: u128) -> (u128, u128) {
    use std::cell::Cell;
    /// (x, y, w) and the (SHA256H, SHA256H2) results.
    type Rounds = ([u128; 3], (u128, u128));
    thread_local! {
        static LAST: Cell<Option<Rounds>> = const { Cell::new(None) };
    }
    LAST.with(|last| match last.get() {
        Some(([kx, ky, kw], r)) if kx == x && ky == y && kw == w => r,
        _ => {
            let r = sha256_hash(lanes32(x), lanes32(y), lanes32(w));
            last.set(Some(([x, y, w], r)));
            r
        }
    })
}

/// Four SHA-256 rounds: the new (a..d, e..h).
fn sha256_hash(mut x: [u32; 4], mut y: [u32; 4], w: [u32; 4]) -> (u128, u128) {
    for &we in &w {
        let chs = choose(y[0], y[1], y[2]);
        let maj = majority(x[0], x[1], x[2]);
        let s1 = y[0].rotate_right(6) ^ y[0].rotate_right(11) ^ y[0].rotate_right(25);
        let s0 = x[0].rotate_right(2) ^ x[0].rotate_right(13) ^ x[0].rotate_right(22);
        let t = y[3].wrapping_add(s1).wrapping_add(chs).wrapping_add(we);
        x[3] = t.wrapping_add(x[3]);
        y[3] = t.wrapping_add(s0).wrapping_add(maj);
        // <Y, X> = ROL(Y:X, 32).
        let (xt, yt) = (x[3], y[3]);
        x = [yt, x[0], x[1], x[2]];
        y = [xt, y[0], y[1], y[2]];
    }
    (from32(x), from32(y))
}

/// The SHA three-register operations (opcode 0..=6) on Vd, Vn, Vm.
pub fn sha_three_portable(op: u32, d: u128, n: u128, m: u128) -> u128 {
    match op {
        0..=2 => sha1_hash(op, d, n, m),
        3 => {
            // SHA1SU0.
            let t = (n << 64) | (d >> 64);
            t ^ d ^ m
        }
        4 => sha256_rounds(d, n, m).0,
        5 => sha256_rounds(n, d, m).1,
        _ => {
            // SHA256SU1.
            let (o1, t0) = (lanes32(d), lanes32((m << 96) | (n >> 32)));
            let sig = |e: u32| e.rotate_right(17) ^ e.rotate_right(19) ^ (e >> 10);
            let mut r = [0u32; 4];
            let t1 = lanes32(m);
            for e in 0..2 {
                r[e] = sig(t1[e + 2]).wrapping_add(o1[e]).wrapping_add(t0[e]);
            }
            for e in 2..4 {
                r[e] = sig(r[e - 2]).wrapping_add(o1[e]).wrapping_add(t0[e]);
            }
            from32(r)
        }
    }
}

/// The SHA two-register operations: SHA1H (0), SHA1SU1 (1), SHA256SU0 (2).
pub fn sha_two_portable(op: u32, d: u128, n: u128) -> u128 {
    match op {
        0 => (n as u32).rotate_left(30) as u128,
        1 => {
            let t = lanes32(d ^ (n >> 32));
            let w = [
                t[0].rotate_left(1),
                t[1].rotate_left(1),
                t[2].rotate_left(1),
                t[3].rotate_left(1) ^ t[0].rotate_left(2),
            ];
            from32(w)
        }
        _ => {
            let t = lanes32((n << 96) | (d >> 32));
            let o1 = lanes32(d);
            let mut r = [0u32; 4];
            for e in 0..4 {
                let x = t[e];
                r[e] = (x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)).wrapping_add(o1[e]);
            }
            from32(r)
        }
    }
}

/// `sha(state, d | n << 5 | m << 10 | op << 15 | three << 20)`.
unsafe extern "C" fn sha_op(state: *mut u8, arg: u64, _: u64, _: u64, _: u64) -> u64 {
    // SAFETY: `state` is the guest's Cpu (the IR calling convention).
    let cpu = &mut *(state as *mut Cpu);
    let (d, n, m) = (
        (arg & 31) as usize,
        (arg >> 5 & 31) as usize,
        (arg >> 10 & 31) as usize,
    );
    let op = (arg >> 15 & 31) as u32;
    let (vd, vn, vm) = (vget(cpu, d), vget(cpu, n), vget(cpu, m));
    let r = if arg >> 20 & 1 == 1 {
        sha_three_portable(op, vd, vn, vm)
    } else {
        sha_two_portable(op, vd, vn)
    };
    vset(cpu, d, r);
    0
}

static SHA: Helper = Helper {
    name: "a64_sha",
    func: sha_op,
    fp: None,
};

fn sha_three(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let op = insn.get('o');
    if op == 7 {
        return Err(Illegal);
    }
    let arg = insn.get('d') | insn.get('n') << 5 | insn.get('m') << 10 | op << 15 | 1 << 20;
    let arg = cx.imm(arg as u64);
    cx.b.call(&SHA, &[arg]);
    Ok(())
}

fn sha_two(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let op = insn.get('o');
    if op > 2 {
        return Err(Illegal);
    }
    let arg = insn.get('d') | insn.get('n') << 5 | op << 15;
    let arg = cx.imm(arg as u64);
    cx.b.call(&SHA, &[arg]);
    Ok(())
}

/// `pmull64(state, d | n << 5 | m << 10 | q << 15)`: PMULL Vd.1Q, Vn.1D,
/// Vm.1D (PMULL2: the high doublewords).
unsafe extern "C" fn pmull64_op(state: *mut u8, arg: u64, _: u64, _: u64, _: u64) -> u64 {
    // SAFETY: `state` is the guest's Cpu (the IR calling convention).
    let cpu = &mut *(state as *mut Cpu);
    let (d, n, m) = (
        (arg & 31) as usize,
        (arg >> 5 & 31) as usize,
        (arg >> 10 & 31) as usize,
    );
    let half = (arg >> 15 & 1) as usize;
    let (a, b) = (cpu.vreg[n][half], cpu.vreg[m][half]);
    let r = if host_has(1) {
        host::clmul(a, b)
    } else {
        super::simd_int::clmul(a, b, 64)
    };
    vset(cpu, d, r);
    0
}

static PMULL64: Helper = Helper {
    name: "a64_pmull64",
    func: pmull64_op,
    fp: None,
};

/// PMULL/PMULL2 of doublewords (three different, size 3), from
/// `simd_int::three_diff`.
pub fn pmull64(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let arg = insn.get('d') | insn.get('n') << 5 | insn.get('m') << 10 | insn.get('q') << 15;
    let arg = cx.imm(arg as u64);
    cx.b.call(&PMULL64, &[arg]);
    Ok(())
}

/// Byte-at-a-time tables of the reflected CRC-32 (0x04c11db7) and
/// CRC-32C (Castagnoli, 0x1edc6f41) polynomials.
const fn crc_table(poly: u32) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 { (c >> 1) ^ poly } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

const CRC32: [u32; 256] = crc_table(0xedb8_8320);
const CRC32C: [u32; 256] = crc_table(0x82f6_3b78);

/// CRC32/CRC32C of `bytes` bytes of `data` into `acc` (no inversions: the
/// instruction's definition).
pub fn crc_portable(acc: u32, data: u64, bytes: u32, castagnoli: bool) -> u32 {
    let t = if castagnoli { &CRC32C } else { &CRC32 };
    (0..bytes).fold(acc, |c, i| {
        let b = (data >> (8 * i)) as u8;
        t[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8)
    })
}

/// `crc(state, acc, data, bytes | castagnoli << 8)`.
unsafe extern "C" fn crc_op(_: *mut u8, acc: u64, data: u64, shape: u64, _: u64) -> u64 {
    let bytes = (shape & 0xff) as u32;
    let c = shape >> 8 == 1;
    (if c && host_has(2) {
        host::crc32c(acc as u32, data, bytes)
    } else {
        crc_portable(acc as u32, data, bytes, c)
    }) as u64
}

static CRC: Helper = Helper {
    name: "a64_crc32",
    func: crc_op,
    fp: None,
};

/// CRC32{B,H,W,X} Wd, Wn, Wm/Xm and the CRC32C forms.
fn crc32(cx: &mut Ctx, insn: Insn) -> Result<(), Illegal> {
    let size = insn.get('s');
    if insn.bit('z') != (size == 3) {
        return Err(Illegal);
    }
    let acc = cx.reg(insn.get('n'), false);
    let data = cx.x(insn.get('m'));
    let shape = cx.imm(1u64 << size | (insn.get('c') as u64) << 8);
    let r = cx.b.call(&CRC, &[acc, data, shape]);
    cx.set_x(insn.get('d'), r);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_and_crc_tables_match_the_standards() {
        assert_eq!(SBOX[0x00], 0x63);
        assert_eq!(SBOX[0x53], 0xed);
        assert_eq!(INV_SBOX[0x63], 0x00);
        // The check values of "123456789", with the usual inversions.
        let crc = |c: bool| {
            !b"123456789"
                .iter()
                .fold(!0u32, |a, &b| crc_portable(a, b as u64, 1, c))
        };
        assert_eq!(crc(false), 0xcbf4_3926);
        assert_eq!(crc(true), 0xe306_9283);
        // Wider data is the bytes in little-endian order.
        let w = u64::from_le_bytes(*b"12345678");
        assert_eq!(
            crc_portable(!0, w, 8, true),
            b"12345678"
                .iter()
                .fold(!0u32, |a, &b| crc_portable(a, b as u64, 1, true))
        );
    }

    #[test]
    fn aes_round_matches_fips197() {
        // FIPS-197 appendix B, round 1: start of round, after SubBytes,
        // ShiftRows, MixColumns (the column-major byte order).
        let start = 0x193de3bea0f4e22b9ac68d2ae9f84808u128.swap_bytes();
        let shifted = 0xd4bf5d30e0b452aeb84111f11e2798e5u128.swap_bytes();
        let mixed = 0x046681e5e0cb199a48f8d37a2806264cu128.swap_bytes();
        assert_eq!(aes_portable(0, start, 0), shifted);
        assert_eq!(aes_portable(2, 0, shifted), mixed);
        assert_eq!(aes_portable(3, 0, mixed), shifted);
        assert_eq!(aes_portable(1, shifted, 0), start);
        if host_has(0) {
            for op in 0..4 {
                let x = start ^ (op as u128) << 7;
                let (host, portable) = if op < 2 {
                    (unsafe { host::aes(op, x ^ 5) }, aes_portable(op, x, 5))
                } else {
                    (unsafe { host::aes(op, x) }, aes_portable(op, 0, x))
                };
                assert_eq!(host, portable);
            }
        }
    }

    #[test]
    fn carry_less_multiply() {
        assert_eq!(
            super::super::simd_int::clmul(u64::MAX, u64::MAX, 64),
            0x5555_5555_5555_5555_5555_5555_5555_5555
        );
        if host_has(1) {
            assert_eq!(
                unsafe { host::clmul(0x1234_5678_9abc_def0, 0xfedc_ba98) },
                super::super::simd_int::clmul(0x1234_5678_9abc_def0, 0xfedc_ba98, 64)
            );
        }
    }
}
