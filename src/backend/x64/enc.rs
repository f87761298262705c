//! A small hand-written x86-64 encoder: exactly the instruction forms the
//! lowering uses, appended to a byte buffer, plus labels with rel32 fixups.
//!
//! Owns instruction encoding only (no register allocation, no policy). Every
//! form is decoded back with iced-x86 in the tests below; add a test line
//! with each new form.

/// A general-purpose register, numbered as in the ModRM encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Reg {
    Rax = 0,
    Rcx,
    Rdx,
    Rbx,
    Rsp,
    Rbp,
    Rsi,
    Rdi,
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
}

impl Reg {
    fn low(self) -> u8 {
        self as u8 & 7
    }
    fn high(self) -> bool {
        self as u8 >= 8
    }
    /// The register numbered `n` (0..=15): also names xmm`n` in SSE forms.
    fn from_num(n: u8) -> Reg {
        use Reg::*;
        [
            Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15,
        ][n as usize]
    }
}

/// Operand size of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    B,
    W,
    D,
    Q,
}

impl Size {
    /// From log2 of the byte size (0..=3).
    pub fn from_log2(l: u8) -> Size {
        [Size::B, Size::W, Size::D, Size::Q][l as usize & 3]
    }
}

/// A memory operand `[base + index + disp]`, or `[rip + disp]` when `base` is None.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mem {
    pub base: Option<Reg>,
    pub index: Option<Reg>,
    pub disp: i32,
}

impl Mem {
    pub fn base(base: Reg, disp: i32) -> Mem {
        Mem {
            base: Some(base),
            index: None,
            disp,
        }
    }
    pub fn index(base: Reg, index: Reg, disp: i32) -> Mem {
        assert_ne!(index, Reg::Rsp, "rsp cannot be an index");
        Mem {
            base: Some(base),
            index: Some(index),
            disp,
        }
    }
}

/// A register or memory operand (the ModRM r/m field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rm {
    R(Reg),
    M(Mem),
}

/// x86 condition codes (the low nibble of jcc/setcc/cmovcc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Cc {
    O = 0,
    No,
    B,
    Ae,
    E,
    Ne,
    Be,
    A,
    S,
    Ns,
    P,
    Np,
    L,
    Ge,
    Le,
    G,
}

/// Two-operand ALU operations: (opcode of `op r/m, r`, ModRM digit of the immediate form).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alu {
    Add,
    Or,
    And,
    Sub,
    Xor,
    Cmp,
}

impl Alu {
    fn rm_r(self) -> u8 {
        match self {
            Alu::Add => 0x01,
            Alu::Or => 0x09,
            Alu::And => 0x21,
            Alu::Sub => 0x29,
            Alu::Xor => 0x31,
            Alu::Cmp => 0x39,
        }
    }
    fn digit(self) -> u8 {
        match self {
            Alu::Add => 0,
            Alu::Or => 1,
            Alu::And => 4,
            Alu::Sub => 5,
            Alu::Xor => 6,
            Alu::Cmp => 7,
        }
    }
}

/// Shifts and rotates (ModRM digit of the C1/D3 group).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shift {
    Rol = 0,
    Ror = 1,
    Shl = 4,
    Shr = 5,
    Sar = 7,
}

/// One-operand group-3 operations (F7 /digit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    Not = 2,
    Neg = 3,
    Mul = 4,
    Imul = 5,
    Div = 6,
    Idiv = 7,
}

/// Bit-count instructions `op r, r/m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitCount {
    Lzcnt,
    Tzcnt,
    Popcnt,
    Bsr,
    Bsf,
}

/// A code position to jump to, bound once.
/// FMA3 213-form opcodes (after VEX 0F38).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fma {
    /// a·b + c
    MAdd = 0xa9,
    /// a·b − c
    MSub = 0xab,
    /// −(a·b) + c
    NMAdd = 0xad,
    /// −(a·b) − c
    NMSub = 0xaf,
}

/// SSE scalar arithmetic opcodes (second opcode byte after 0F).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sse {
    Add = 0x58,
    Mul = 0x59,
    Sub = 0x5c,
    Div = 0x5e,
    Sqrt = 0x51,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(u32);

/// The byte buffer and its pending label fixups.
#[derive(Default)]
pub struct Asm {
    pub buf: Vec<u8>,
    labels: Vec<Option<u32>>,
    /// (position of a rel32 field, label it points at)
    fixups: Vec<(u32, Label)>,
}

impl Asm {
    pub fn new() -> Asm {
        Asm::default()
    }

    pub fn pos(&self) -> usize {
        self.buf.len()
    }

    fn b(&mut self, byte: u8) {
        self.buf.push(byte);
    }

    fn d32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    // ---- labels ----

    pub fn label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() as u32 - 1)
    }

    pub fn bind(&mut self, l: Label) {
        assert!(self.labels[l.0 as usize].is_none(), "label bound twice");
        self.labels[l.0 as usize] = Some(self.buf.len() as u32);
    }

    fn rel32_to(&mut self, l: Label) {
        self.fixups.push((self.buf.len() as u32, l));
        self.d32(0);
    }

    /// Resolves label fixups; every used label must be bound.
    pub fn finish(&mut self) {
        for &(at, l) in &self.fixups {
            let target = self.labels[l.0 as usize].expect("unbound label");
            let rel = target as i64 - (at as i64 + 4);
            self.buf[at as usize..at as usize + 4].copy_from_slice(&(rel as i32).to_le_bytes());
        }
        self.fixups.clear();
    }

    // ---- generic ModRM encoding ----

    /// Emits `[legacy prefix] [REX] opcode ModRM [SIB] [disp]` for `reg` (a
    /// register number or a /digit) and `rm`. `byte` forces a REX prefix when
    /// an 8-bit operand names spl/bpl/sil/dil.
    fn modrm(&mut self, size: Size, opcode: &[u8], reg: u8, rm: Rm, byte_regs: bool) {
        self.modrm_p(None, size, opcode, reg, rm, byte_regs)
    }

    fn modrm_p(
        &mut self,
        mandatory: Option<u8>,
        size: Size,
        opcode: &[u8],
        reg: u8,
        rm: Rm,
        byte_regs: bool,
    ) {
        if size == Size::W {
            self.b(0x66);
        }
        if let Some(p) = mandatory {
            self.b(p);
        }
        let w = size == Size::Q;
        let r = reg >= 8;
        let (x, bb) = match rm {
            Rm::R(r) => (false, r.high()),
            Rm::M(m) => (
                m.index.is_some_and(|i| i.high()),
                m.base.is_some_and(|b| b.high()),
            ),
        };
        let force = byte_regs
            && ((4..8).contains(&reg) || matches!(rm, Rm::R(r) if (4..8).contains(&(r as u8))));
        if w || r || x || bb || force {
            self.b(0x40 | (w as u8) << 3 | (r as u8) << 2 | (x as u8) << 1 | bb as u8);
        }
        self.buf.extend_from_slice(opcode);
        let reg3 = (reg & 7) << 3;
        match rm {
            Rm::R(r) => self.b(0xc0 | reg3 | r.low()),
            Rm::M(m) => match m.base {
                None => {
                    // [rip + disp32]
                    self.b(reg3 | 5);
                    self.d32(m.disp as u32);
                }
                Some(base) => {
                    let (md, disp8) = if m.disp == 0 && base.low() != 5 {
                        (0u8, false)
                    } else if i8::try_from(m.disp).is_ok() {
                        (1, true)
                    } else {
                        (2, false)
                    };
                    if m.index.is_some() || base.low() == 4 {
                        let index = m.index.map_or(4, |i| i.low());
                        self.b(md << 6 | reg3 | 4);
                        self.b(index << 3 | base.low());
                    } else {
                        self.b(md << 6 | reg3 | base.low());
                    }
                    if md == 1 && disp8 {
                        self.b(m.disp as u8);
                    } else if md == 2 {
                        self.d32(m.disp as u32);
                    }
                }
            },
        }
    }

    // ---- moves ----

    /// `mov dst, src` (Q or D; D zero-extends).
    pub fn mov_rr(&mut self, size: Size, dst: Reg, src: Reg) {
        self.modrm(size, &[0x89], src as u8, Rm::R(dst), false);
    }

    /// Loads a 64-bit constant in the shortest form.
    pub fn mov_ri(&mut self, dst: Reg, imm: u64) {
        if imm == 0 {
            self.alu_rr(Alu::Xor, Size::D, dst, dst);
        } else if imm <= u32::MAX as u64 {
            if dst.high() {
                self.b(0x41);
            }
            self.b(0xb8 + dst.low());
            self.d32(imm as u32);
        } else if i32::try_from(imm as i64).is_ok() {
            self.modrm(Size::Q, &[0xc7], 0, Rm::R(dst), false);
            self.d32(imm as u32);
        } else {
            self.b(0x48 | dst.high() as u8);
            self.b(0xb8 + dst.low());
            self.buf.extend_from_slice(&imm.to_le_bytes());
        }
    }

    /// `mov dst, [m]` (Q or D; D zero-extends).
    pub fn load(&mut self, size: Size, dst: Reg, m: Mem) {
        assert!(matches!(size, Size::Q | Size::D));
        self.modrm(size, &[0x8b], dst as u8, Rm::M(m), false);
    }

    /// `mov [m], src` of any size.
    pub fn store(&mut self, size: Size, m: Mem, src: Reg) {
        let op = if size == Size::B { 0x88 } else { 0x89 };
        self.modrm(size, &[op], src as u8, Rm::M(m), size == Size::B);
    }

    /// `mov size [m], imm` (Q sign-extends the imm32).
    pub fn store_imm(&mut self, size: Size, m: Mem, imm: i32) {
        match size {
            Size::B => {
                self.modrm(size, &[0xc6], 0, Rm::M(m), false);
                self.b(imm as u8);
            }
            Size::W => {
                self.modrm(size, &[0xc7], 0, Rm::M(m), false);
                self.buf.extend_from_slice(&(imm as u16).to_le_bytes());
            }
            _ => {
                self.modrm(size, &[0xc7], 0, Rm::M(m), false);
                self.d32(imm as u32);
            }
        }
    }

    /// `movzx dst32, byte/word rm` (zero-extends to 64 bits).
    pub fn movzx(&mut self, from: Size, dst: Reg, rm: Rm) {
        let op = match from {
            Size::B => 0xb6,
            Size::W => 0xb7,
            _ => panic!("movzx from {from:?}"),
        };
        self.modrm(Size::D, &[0x0f, op], dst as u8, rm, from == Size::B);
    }

    /// `movsx dst64, byte/word/dword rm`.
    pub fn movsx(&mut self, from: Size, dst: Reg, rm: Rm) {
        match from {
            Size::B => self.modrm(Size::Q, &[0x0f, 0xbe], dst as u8, rm, true),
            Size::W => self.modrm(Size::Q, &[0x0f, 0xbf], dst as u8, rm, false),
            Size::D => self.modrm(Size::Q, &[0x63], dst as u8, rm, false),
            Size::Q => panic!("movsx from Q"),
        }
    }

    /// `lea dst, [m]`.
    pub fn lea(&mut self, dst: Reg, m: Mem) {
        self.modrm(Size::Q, &[0x8d], dst as u8, Rm::M(m), false);
    }

    // ---- ALU ----

    /// `op dst, src` (B, D or Q).
    pub fn alu_rr(&mut self, op: Alu, size: Size, dst: Reg, src: Reg) {
        let opc = if size == Size::B {
            op.rm_r() - 1
        } else {
            op.rm_r()
        };
        self.modrm(size, &[opc], src as u8, Rm::R(dst), size == Size::B);
    }

    /// `op dst, imm32` (sign-extended for Q).
    pub fn alu_ri(&mut self, op: Alu, size: Size, dst: Reg, imm: i32) {
        if i8::try_from(imm).is_ok() {
            self.modrm(size, &[0x83], op.digit(), Rm::R(dst), false);
            self.b(imm as u8);
        } else {
            self.modrm(size, &[0x81], op.digit(), Rm::R(dst), false);
            self.d32(imm as u32);
        }
    }

    /// `op [m], imm32` (sign-extended for Q).
    pub fn alu_mi(&mut self, op: Alu, size: Size, m: Mem, imm: i32) {
        if i8::try_from(imm).is_ok() {
            self.modrm(size, &[0x83], op.digit(), Rm::M(m), false);
            self.b(imm as u8);
        } else {
            self.modrm(size, &[0x81], op.digit(), Rm::M(m), false);
            self.d32(imm as u32);
        }
    }

    /// `lea r, [rip + l]`.
    pub fn lea_label(&mut self, r: Reg, l: Label) {
        self.modrm(
            Size::Q,
            &[0x8d],
            r as u8,
            Rm::M(Mem {
                base: None,
                index: None,
                disp: 0,
            }),
            false,
        );
        // The rip-relative disp32 ends the instruction: a label fixup.
        self.buf.truncate(self.buf.len() - 4);
        self.rel32_to(l);
    }

    /// `op r, [m]` (D or Q).
    pub fn alu_rm(&mut self, op: Alu, size: Size, r: Reg, m: Mem) {
        self.modrm(size, &[op.rm_r() + 2], r as u8, Rm::M(m), false);
    }

    /// `test a, b`.
    pub fn test_rr(&mut self, size: Size, a: Reg, b: Reg) {
        let opc = if size == Size::B { 0x84 } else { 0x85 };
        self.modrm(size, &[opc], b as u8, Rm::R(a), size == Size::B);
    }

    /// `test a, imm` (B: imm8, otherwise imm32).
    pub fn test_ri(&mut self, size: Size, a: Reg, imm: i32) {
        if size == Size::B {
            self.modrm(size, &[0xf6], 0, Rm::R(a), true);
            self.b(imm as u8);
        } else {
            self.modrm(size, &[0xf7], 0, Rm::R(a), false);
            self.d32(imm as u32);
        }
    }

    /// `imul dst, src` (Q).
    pub fn imul_rr(&mut self, dst: Reg, src: Reg) {
        self.modrm(Size::Q, &[0x0f, 0xaf], dst as u8, Rm::R(src), false);
    }

    /// `imul dst, src, imm32` (Q).
    pub fn imul_rri(&mut self, dst: Reg, src: Reg, imm: i32) {
        if i8::try_from(imm).is_ok() {
            self.modrm(Size::Q, &[0x6b], dst as u8, Rm::R(src), false);
            self.b(imm as u8);
        } else {
            self.modrm(Size::Q, &[0x69], dst as u8, Rm::R(src), false);
            self.d32(imm as u32);
        }
    }

    /// Group 3: `not/neg/mul/imul/div/idiv r` (D or Q).
    pub fn unary(&mut self, op: Unary, size: Size, r: Reg) {
        self.modrm(size, &[0xf7], op as u8, Rm::R(r), false);
    }

    /// `cqo` (sign-extend rax into rdx).
    pub fn cqo(&mut self) {
        self.buf.extend_from_slice(&[0x48, 0x99]);
    }

    /// `cdq` (sign-extend eax into edx).
    pub fn cdq(&mut self) {
        self.b(0x99);
    }

    /// `op r, cl` (D or Q).
    pub fn shift_cl(&mut self, op: Shift, size: Size, r: Reg) {
        self.modrm(size, &[0xd3], op as u8, Rm::R(r), false);
    }

    /// `op r, imm8` (D or Q).
    pub fn shift_ri(&mut self, op: Shift, size: Size, r: Reg, imm: u8) {
        self.modrm(size, &[0xc1], op as u8, Rm::R(r), false);
        self.b(imm);
    }

    /// `lzcnt/tzcnt/popcnt/bsr/bsf dst, src` (D or Q).
    pub fn bitcount(&mut self, op: BitCount, size: Size, dst: Reg, src: Reg) {
        let (prefix, opc) = match op {
            BitCount::Lzcnt => (Some(0xf3), 0xbd),
            BitCount::Tzcnt => (Some(0xf3), 0xbc),
            BitCount::Popcnt => (Some(0xf3), 0xb8),
            BitCount::Bsr => (None, 0xbd),
            BitCount::Bsf => (None, 0xbc),
        };
        self.modrm_p(prefix, size, &[0x0f, opc], dst as u8, Rm::R(src), false);
    }

    /// `bswap r` (Q).
    pub fn bswap(&mut self, r: Reg) {
        self.b(0x48 | r.high() as u8);
        self.b(0x0f);
        self.b(0xc8 + r.low());
    }

    /// `setcc r8`.
    pub fn setcc(&mut self, cc: Cc, r: Reg) {
        self.modrm(Size::B, &[0x0f, 0x90 + cc as u8], 0, Rm::R(r), true);
    }

    /// `cmovcc dst, src` (D or Q).
    pub fn cmov(&mut self, cc: Cc, size: Size, dst: Reg, src: Reg) {
        self.modrm(size, &[0x0f, 0x40 + cc as u8], dst as u8, Rm::R(src), false);
    }

    // ---- atomics ----

    /// `lock xadd [m], r`.
    pub fn lock_xadd(&mut self, size: Size, m: Mem, r: Reg) {
        self.b(0xf0);
        let opc = if size == Size::B { 0xc0 } else { 0xc1 };
        self.modrm(size, &[0x0f, opc], r as u8, Rm::M(m), size == Size::B);
    }

    /// `lock cmpxchg [m], r` (compares with rax/eax/ax/al).
    pub fn lock_cmpxchg(&mut self, size: Size, m: Mem, r: Reg) {
        self.b(0xf0);
        let opc = if size == Size::B { 0xb0 } else { 0xb1 };
        self.modrm(size, &[0x0f, opc], r as u8, Rm::M(m), size == Size::B);
    }

    /// `lock cmpxchg16b [m]` (compares with rdx:rax, stores rcx:rbx).
    pub fn lock_cmpxchg16b(&mut self, m: Mem) {
        self.b(0xf0);
        self.modrm(Size::Q, &[0x0f, 0xc7], 1, Rm::M(m), false);
    }

    /// `xchg [m], r` (implicitly locked).
    pub fn xchg(&mut self, size: Size, m: Mem, r: Reg) {
        let opc = if size == Size::B { 0x86 } else { 0x87 };
        self.modrm(size, &[opc], r as u8, Rm::M(m), size == Size::B);
    }

    pub fn mfence(&mut self) {
        self.buf.extend_from_slice(&[0x0f, 0xae, 0xf0]);
    }

    // ---- SSE scalar floating point (xmm registers by number 0..=15) ----

    /// Scalar `op` (`addsd`/`addss`, …) `dst, src` on xmm registers; `double`
    /// picks sd (F2) or ss (F3).
    pub fn sse_rr(&mut self, op: Sse, double: bool, dst: u8, src: u8) {
        let p = if double { 0xf2 } else { 0xf3 };
        let r = Reg::from_num(src);
        self.modrm_p(Some(p), Size::D, &[0x0f, op as u8], dst, Rm::R(r), false);
    }

    /// `vfm*213sd dst, a, b` (`double`) or `…ss`: dst = ±(a·dst) ± b with one
    /// rounding (VEX.LIG.66.0F38 W1/W0).
    pub fn fma213(&mut self, op: Fma, double: bool, dst: u8, a: u8, b: u8) {
        self.b(0xc4);
        let (r, bb) = (dst >= 8, b >= 8);
        self.b((!r as u8) << 7 | 1 << 6 | (!bb as u8) << 5 | 0x02);
        self.b((double as u8) << 7 | (!a & 15) << 3 | 0x01);
        self.b(op as u8);
        self.b(0xc0 | (dst & 7) << 3 | (b & 7));
    }

    /// `movq xmm, r64` (Q) or `movd xmm, r32` (D).
    pub fn movq_xr(&mut self, size: Size, dst: u8, src: Reg) {
        self.modrm_p(Some(0x66), size, &[0x0f, 0x6e], dst, Rm::R(src), false);
    }

    /// `movq r64, xmm` (Q) or `movd r32, xmm` (D).
    pub fn movq_rx(&mut self, size: Size, dst: Reg, src: u8) {
        self.modrm_p(Some(0x66), size, &[0x0f, 0x7e], src, Rm::R(dst), false);
    }

    /// `ucomisd a, b` (`double`) or `ucomiss a, b`.
    pub fn ucomis(&mut self, double: bool, a: u8, b: u8) {
        let r = Reg::from_num(b);
        if double {
            self.modrm_p(Some(0x66), Size::D, &[0x0f, 0x2e], a, Rm::R(r), false);
        } else {
            self.modrm(Size::D, &[0x0f, 0x2e], a, Rm::R(r), false);
        }
    }

    /// `comisd a, b` (`double`) or `comiss a, b`: like `ucomis`, but a quiet
    /// NaN operand raises IE too.
    pub fn comis(&mut self, double: bool, a: u8, b: u8) {
        let r = Reg::from_num(b);
        if double {
            self.modrm_p(Some(0x66), Size::D, &[0x0f, 0x2f], a, Rm::R(r), false);
        } else {
            self.modrm(Size::D, &[0x0f, 0x2f], a, Rm::R(r), false);
        }
    }

    // ---- SSE2 packed integers (xmm registers by number 0..=15) ----

    /// `op dst, src` for a 66 0F-prefixed packed-integer opcode
    /// (`pcmpeqb` 0x74, `paddb` 0xfc, `packuswb` 0x67, …).
    pub fn packed(&mut self, op: u8, dst: u8, src: u8) {
        let r = Reg::from_num(src);
        self.modrm_p(Some(0x66), Size::D, &[0x0f, op], dst, Rm::R(r), false);
    }

    /// A packed shift by an immediate: `group` is the opcode (0x71 words,
    /// 0x72 doublewords, 0x73 quadwords) and `ext` the ModRM reg field
    /// (2 logical right, 4 arithmetic right, 6 left).
    pub fn packed_shift(&mut self, group: u8, ext: u8, x: u8, imm: u8) {
        let r = Reg::from_num(x);
        self.modrm_p(Some(0x66), Size::D, &[0x0f, group], ext, Rm::R(r), false);
        self.b(imm);
    }

    /// `movdqu x, [m]`.
    pub fn movdqu_load(&mut self, x: u8, m: Mem) {
        self.modrm_p(Some(0xf3), Size::D, &[0x0f, 0x6f], x, Rm::M(m), false);
    }

    /// `movdqu [m], x`.
    pub fn movdqu_store(&mut self, m: Mem, x: u8) {
        self.modrm_p(Some(0xf3), Size::D, &[0x0f, 0x7f], x, Rm::M(m), false);
    }

    /// `movq x, [m]` (the upper 64 bits of x cleared).
    pub fn movq_load(&mut self, x: u8, m: Mem) {
        self.modrm_p(Some(0xf3), Size::D, &[0x0f, 0x7e], x, Rm::M(m), false);
    }

    /// `movq dst, src` between xmm registers (the upper 64 bits cleared).
    pub fn movq_xx(&mut self, dst: u8, src: u8) {
        let r = Reg::from_num(src);
        self.modrm_p(Some(0xf3), Size::D, &[0x0f, 0x7e], dst, Rm::R(r), false);
    }

    /// `ldmxcsr [m]`.
    pub fn ldmxcsr(&mut self, m: Mem) {
        self.modrm(Size::D, &[0x0f, 0xae], 2, Rm::M(m), false);
    }

    /// `stmxcsr [m]`.
    pub fn stmxcsr(&mut self, m: Mem) {
        self.modrm(Size::D, &[0x0f, 0xae], 3, Rm::M(m), false);
    }

    // ---- control flow ----

    /// `jmp rel32` to a label.
    pub fn jmp(&mut self, l: Label) {
        self.b(0xe9);
        self.rel32_to(l);
    }

    /// `jcc rel32` to a label.
    pub fn jcc(&mut self, cc: Cc, l: Label) {
        self.b(0x0f);
        self.b(0x80 + cc as u8);
        self.rel32_to(l);
    }

    /// `jmp rel32` with a raw displacement; returns the position of the rel32 field.
    pub fn jmp_rel(&mut self, rel: i32) -> usize {
        self.b(0xe9);
        let at = self.pos();
        self.d32(rel as u32);
        at
    }

    /// `call r`.
    pub fn call_r(&mut self, r: Reg) {
        self.modrm(Size::D, &[0xff], 2, Rm::R(r), false);
    }

    /// `jmp r`.
    pub fn jmp_r(&mut self, r: Reg) {
        self.modrm(Size::D, &[0xff], 4, Rm::R(r), false);
    }

    /// `jmp qword [m]`.
    pub fn jmp_m(&mut self, m: Mem) {
        self.modrm(Size::D, &[0xff], 4, Rm::M(m), false);
    }

    pub fn push(&mut self, r: Reg) {
        if r.high() {
            self.b(0x41);
        }
        self.b(0x50 + r.low());
    }

    pub fn pop(&mut self, r: Reg) {
        if r.high() {
            self.b(0x41);
        }
        self.b(0x58 + r.low());
    }

    pub fn ret(&mut self) {
        self.b(0xc3);
    }

    /// `nop`s until `pos() % align == rem`: as few as possible (the
    /// multi-byte forms of 2 and 3 bytes), since padding may be executed.
    pub fn pad_to(&mut self, align: usize, rem: usize) {
        let mut n = (rem + align - self.pos() % align) % align;
        const NOPS: [&[u8]; 3] = [&[0x90], &[0x66, 0x90], &[0x0f, 0x1f, 0x00]];
        while n > 0 {
            let k = n.min(3);
            self.buf.extend_from_slice(NOPS[k - 1]);
            n -= k;
        }
    }

    /// `int3` (unreachable code).
    pub fn int3(&mut self) {
        self.b(0xcc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};
    use Reg::*;

    /// Decodes `bytes` as exactly one instruction and formats it.
    fn one(bytes: &[u8]) -> String {
        let mut d = Decoder::new(64, bytes, DecoderOptions::NONE);
        let insn = d.decode();
        assert!(!insn.is_invalid(), "invalid encoding {bytes:02x?}");
        assert_eq!(insn.len(), bytes.len(), "length of {bytes:02x?}");
        let mut f = IntelFormatter::new();
        let mut s = String::new();
        f.format(&insn, &mut s);
        s
    }

    fn check(f: impl FnOnce(&mut Asm), want: &str) {
        let mut a = Asm::new();
        f(&mut a);
        a.finish();
        assert_eq!(one(&a.buf), want, "bytes {:02x?}", a.buf);
    }

    const ALL: [Reg; 16] = [
        Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15,
    ];
    const NAMES64: [&str; 16] = [
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
        "r13", "r14", "r15",
    ];
    const NAMES32: [&str; 16] = [
        "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d",
        "r12d", "r13d", "r14d", "r15d",
    ];
    const NAMES16: [&str; 16] = [
        "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w",
        "r13w", "r14w", "r15w",
    ];
    const NAMES8: [&str; 16] = [
        "al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b",
        "r13b", "r14b", "r15b",
    ];

    fn n(size: Size, r: Reg) -> &'static str {
        let i = r as usize;
        match size {
            Size::B => NAMES8[i],
            Size::W => NAMES16[i],
            Size::D => NAMES32[i],
            Size::Q => NAMES64[i],
        }
    }

    /// Every base register (incl. rsp/rbp/r12/r13 special cases) × index × disp width.
    fn mems() -> Vec<(Mem, String)> {
        let mut v = Vec::new();
        for &b in &ALL {
            for disp in [0i32, 8, -8, 0x1234, -0x12345] {
                let ds = match disp {
                    0 => String::new(),
                    d if d < 0 => format!("-{:X}h", -(d as i64)),
                    d => format!("+{d:X}h"),
                };
                let ds = ds.replace("+8h", "+8").replace("-8h", "-8");
                v.push((Mem::base(b, disp), format!("[{}{ds}]", n(Size::Q, b))));
                for &i in &[Rax, R9, Rbp, R13, R12] {
                    v.push((
                        Mem::index(b, i, disp),
                        format!("[{}+{}{ds}]", n(Size::Q, b), n(Size::Q, i)),
                    ));
                }
            }
        }
        v
    }

    #[test]
    fn moves_round_trip_for_every_register_and_addressing_form() {
        for &d in &ALL {
            for &s in &ALL {
                check(
                    |a| a.mov_rr(Size::Q, d, s),
                    &format!("mov {},{}", n(Size::Q, d), n(Size::Q, s)),
                );
                check(
                    |a| a.mov_rr(Size::D, d, s),
                    &format!("mov {},{}", n(Size::D, d), n(Size::D, s)),
                );
            }
            check(|a| a.mov_ri(d, 0), &format!("xor {0},{0}", n(Size::D, d)));
            check(
                |a| a.mov_ri(d, 0x1234),
                &format!("mov {},1234h", n(Size::D, d)),
            );
            check(
                |a| a.mov_ri(d, 0xffff_ffff),
                &format!("mov {},0FFFFFFFFh", n(Size::D, d)),
            );
            check(
                |a| a.mov_ri(d, -2i64 as u64),
                &format!("mov {},0FFFFFFFFFFFFFFFEh", n(Size::Q, d)),
            );
            check(
                |a| a.mov_ri(d, 0x1234_5678_9abc),
                &format!("mov {},123456789ABCh", n(Size::Q, d)),
            );
        }
        for (m, ms) in mems() {
            for &r in &[Rax, Rsi, R11, R15] {
                check(
                    |a| a.load(Size::Q, r, m),
                    &format!("mov {},{ms}", n(Size::Q, r)),
                );
                check(
                    |a| a.load(Size::D, r, m),
                    &format!("mov {},{ms}", n(Size::D, r)),
                );
                for size in [Size::B, Size::W, Size::D, Size::Q] {
                    check(|a| a.store(size, m, r), &format!("mov {ms},{}", n(size, r)));
                }
                check(
                    |a| a.movzx(Size::B, r, Rm::M(m)),
                    &format!("movzx {},byte ptr {ms}", n(Size::D, r)),
                );
                check(
                    |a| a.movzx(Size::W, r, Rm::M(m)),
                    &format!("movzx {},word ptr {ms}", n(Size::D, r)),
                );
                check(
                    |a| a.movsx(Size::B, r, Rm::M(m)),
                    &format!("movsx {},byte ptr {ms}", n(Size::Q, r)),
                );
                check(
                    |a| a.movsx(Size::W, r, Rm::M(m)),
                    &format!("movsx {},word ptr {ms}", n(Size::Q, r)),
                );
                check(
                    |a| a.movsx(Size::D, r, Rm::M(m)),
                    &format!("movsxd {},{ms}", n(Size::Q, r)),
                );
                check(|a| a.lea(r, m), &format!("lea {},{ms}", n(Size::Q, r)));
                for (op, name) in ALUS {
                    for size in [Size::D, Size::Q] {
                        check(
                            |a| a.alu_rm(op, size, r, m),
                            &format!("{name} {},{ms}", n(size, r)),
                        );
                    }
                }
                if r == Rax {
                    for (op, name) in ALUS {
                        check(
                            |a| a.alu_mi(op, Size::D, m, 5),
                            &format!("{name} dword ptr {ms},5"),
                        );
                        check(
                            |a| a.alu_mi(op, Size::Q, m, 0x1234),
                            &format!("{name} qword ptr {ms},1234h"),
                        );
                    }
                }
                for size in [Size::B, Size::W, Size::D, Size::Q] {
                    check(
                        |a| a.lock_xadd(size, m, r),
                        &format!("lock xadd {ms},{}", n(size, r)),
                    );
                    check(
                        |a| a.lock_cmpxchg(size, m, r),
                        &format!("lock cmpxchg {ms},{}", n(size, r)),
                    );
                    check(|a| a.xchg(size, m, r), &format!("xchg {ms},{}", n(size, r)));
                }
            }
            check(
                |a| a.store_imm(Size::B, m, -1),
                &format!("mov byte ptr {ms},0FFh"),
            );
            check(
                |a| a.store_imm(Size::W, m, 0x1234),
                &format!("mov word ptr {ms},1234h"),
            );
            check(
                |a| a.store_imm(Size::D, m, 7),
                &format!("mov dword ptr {ms},7"),
            );
            check(
                |a| a.store_imm(Size::Q, m, -2),
                &format!("mov qword ptr {ms},0FFFFFFFFFFFFFFFEh"),
            );
            check(|a| a.jmp_m(m), &format!("jmp qword ptr {ms}"));
        }
        check(
            |a| {
                a.lea(
                    Rcx,
                    Mem {
                        base: None,
                        index: None,
                        disp: -16,
                    },
                )
            },
            "lea rcx,[0FFFFFFFFFFFFFFF7h]",
        );
    }

    const ALUS: [(Alu, &str); 6] = [
        (Alu::Add, "add"),
        (Alu::Or, "or"),
        (Alu::And, "and"),
        (Alu::Sub, "sub"),
        (Alu::Xor, "xor"),
        (Alu::Cmp, "cmp"),
    ];

    #[test]
    fn register_forms_round_trip() {
        let shifts = [
            (Shift::Rol, "rol"),
            (Shift::Ror, "ror"),
            (Shift::Shl, "shl"),
            (Shift::Shr, "shr"),
            (Shift::Sar, "sar"),
        ];
        let unaries = [
            (Unary::Not, "not"),
            (Unary::Neg, "neg"),
            (Unary::Mul, "mul"),
            (Unary::Imul, "imul"),
            (Unary::Div, "div"),
            (Unary::Idiv, "idiv"),
        ];
        let counts = [
            (BitCount::Lzcnt, "lzcnt"),
            (BitCount::Tzcnt, "tzcnt"),
            (BitCount::Popcnt, "popcnt"),
            (BitCount::Bsr, "bsr"),
            (BitCount::Bsf, "bsf"),
        ];
        for &d in &ALL {
            for (op, name) in ALUS {
                for size in [Size::B, Size::D, Size::Q] {
                    for &s in &ALL {
                        check(
                            |a| a.alu_rr(op, size, d, s),
                            &format!("{name} {},{}", n(size, d), n(size, s)),
                        );
                    }
                }
                for size in [Size::D, Size::Q] {
                    check(
                        |a| a.alu_ri(op, size, d, 5),
                        &format!("{name} {},5", n(size, d)),
                    );
                    check(
                        |a| a.alu_ri(op, size, d, 0x12345),
                        &format!("{name} {},12345h", n(size, d)),
                    );
                }
                check(
                    |a| a.alu_ri(op, Size::Q, d, -0x12345),
                    &format!("{name} {},0FFFFFFFFFFFEDCBBh", n(Size::Q, d)),
                );
            }
            for &s in &ALL {
                for size in [Size::B, Size::D, Size::Q] {
                    check(
                        |a| a.test_rr(size, d, s),
                        &format!("test {},{}", n(size, d), n(size, s)),
                    );
                }
                check(
                    |a| a.imul_rr(d, s),
                    &format!("imul {},{}", n(Size::Q, d), n(Size::Q, s)),
                );
                let ds = if d == s {
                    n(Size::Q, d).to_string()
                } else {
                    format!("{},{}", n(Size::Q, d), n(Size::Q, s))
                };
                check(|a| a.imul_rri(d, s, 3), &format!("imul {ds},3"));
                check(|a| a.imul_rri(d, s, 0x1000), &format!("imul {ds},1000h"));
                for (op, name) in counts {
                    for size in [Size::D, Size::Q] {
                        check(
                            |a| a.bitcount(op, size, d, s),
                            &format!("{name} {},{}", n(size, d), n(size, s)),
                        );
                    }
                }
                for (cc, name) in [(Cc::E, "cmove"), (Cc::Ne, "cmovne"), (Cc::L, "cmovl")] {
                    for size in [Size::D, Size::Q] {
                        check(
                            |a| a.cmov(cc, size, d, s),
                            &format!("{name} {},{}", n(size, d), n(size, s)),
                        );
                    }
                }
                for (from, name) in [(Size::B, "byte"), (Size::W, "word")] {
                    check(
                        |a| a.movzx(from, d, Rm::R(s)),
                        &format!("movzx {},{}", n(Size::D, d), n(from, s)),
                    );
                    check(
                        |a| a.movsx(from, d, Rm::R(s)),
                        &format!("movsx {},{}", n(Size::Q, d), n(from, s)),
                    );
                    let _ = name;
                }
                check(
                    |a| a.movsx(Size::D, d, Rm::R(s)),
                    &format!("movsxd {},{}", n(Size::Q, d), n(Size::D, s)),
                );
            }
            check(
                |a| a.test_ri(Size::B, d, 7),
                &format!("test {},7", n(Size::B, d)),
            );
            check(
                |a| a.test_ri(Size::D, d, 0x100),
                &format!("test {},100h", n(Size::D, d)),
            );
            check(
                |a| a.test_ri(Size::Q, d, 1),
                &format!("test {},1", n(Size::Q, d)),
            );
            for (op, name) in shifts {
                for size in [Size::D, Size::Q] {
                    check(
                        |a| a.shift_cl(op, size, d),
                        &format!("{name} {},cl", n(size, d)),
                    );
                    check(
                        |a| a.shift_ri(op, size, d, 13),
                        &format!("{name} {},0Dh", n(size, d)),
                    );
                }
            }
            for (op, name) in unaries {
                for size in [Size::D, Size::Q] {
                    check(|a| a.unary(op, size, d), &format!("{name} {}", n(size, d)));
                }
            }
            check(|a| a.bswap(d), &format!("bswap {}", n(Size::Q, d)));
            for (cc, name) in [
                (Cc::O, "seto"),
                (Cc::B, "setb"),
                (Cc::Ae, "setae"),
                (Cc::E, "sete"),
                (Cc::Ne, "setne"),
                (Cc::Be, "setbe"),
                (Cc::A, "seta"),
                (Cc::L, "setl"),
                (Cc::Ge, "setge"),
                (Cc::Le, "setle"),
                (Cc::G, "setg"),
            ] {
                check(|a| a.setcc(cc, d), &format!("{name} {}", n(Size::B, d)));
            }
            check(|a| a.push(d), &format!("push {}", n(Size::Q, d)));
            check(|a| a.pop(d), &format!("pop {}", n(Size::Q, d)));
            check(|a| a.call_r(d), &format!("call {}", n(Size::Q, d)));
            check(|a| a.jmp_r(d), &format!("jmp {}", n(Size::Q, d)));
        }
        check(|a| a.cqo(), "cqo");
        check(|a| a.cdq(), "cdq");
        check(|a| a.mfence(), "mfence");
        check(|a| a.ret(), "ret");
        check(|a| a.int3(), "int3");
    }

    #[test]
    fn sse_round_trip() {
        let ops = [
            (Sse::Add, "add"),
            (Sse::Sub, "sub"),
            (Sse::Mul, "mul"),
            (Sse::Div, "div"),
            (Sse::Sqrt, "sqrt"),
        ];
        for (op, name) in ops {
            for (d, s) in [(0u8, 1u8), (9, 2), (3, 12), (15, 15)] {
                check(
                    |a| a.sse_rr(op, true, d, s),
                    &format!("{name}sd xmm{d},xmm{s}"),
                );
                check(
                    |a| a.sse_rr(op, false, d, s),
                    &format!("{name}ss xmm{d},xmm{s}"),
                );
            }
        }
        for &r in &ALL {
            for x in [0u8, 1, 8, 15] {
                check(
                    |a| a.movq_xr(Size::Q, x, r),
                    &format!("movq xmm{x},{}", n(Size::Q, r)),
                );
                check(
                    |a| a.movq_xr(Size::D, x, r),
                    &format!("movd xmm{x},{}", n(Size::D, r)),
                );
                check(
                    |a| a.movq_rx(Size::Q, r, x),
                    &format!("movq {},xmm{x}", n(Size::Q, r)),
                );
                check(
                    |a| a.movq_rx(Size::D, r, x),
                    &format!("movd {},xmm{x}", n(Size::D, r)),
                );
            }
        }
        check(|a| a.ucomis(true, 0, 9), "ucomisd xmm0,xmm9");
        check(|a| a.ucomis(false, 10, 1), "ucomiss xmm10,xmm1");
        check(|a| a.comis(true, 8, 7), "comisd xmm8,xmm7");
        let fmas = [
            (Fma::MAdd, "vfmadd213"),
            (Fma::MSub, "vfmsub213"),
            (Fma::NMAdd, "vfnmadd213"),
            (Fma::NMSub, "vfnmsub213"),
        ];
        for (op, name) in fmas {
            for (d, x, y) in [(0u8, 1u8, 2u8), (9, 2, 12), (3, 15, 8), (15, 0, 15)] {
                check(
                    |a| a.fma213(op, true, d, x, y),
                    &format!("{name}sd xmm{d},xmm{x},xmm{y}"),
                );
                check(
                    |a| a.fma213(op, false, d, x, y),
                    &format!("{name}ss xmm{d},xmm{x},xmm{y}"),
                );
            }
        }
        check(|a| a.comis(false, 2, 13), "comiss xmm2,xmm13");
        for (m, s) in mems() {
            check(|a| a.ldmxcsr(m), &format!("ldmxcsr {s}"));
            check(|a| a.stmxcsr(m), &format!("stmxcsr {s}"));
        }
    }

    #[test]
    fn packed_integer_round_trip() {
        let ops = [
            (0x74, "pcmpeqb"),
            (0xfe, "paddd"),
            (0x67, "packuswb"),
            (0xde, "pmaxub"),
        ];
        for (op, name) in ops {
            for (d, s) in [(0u8, 1u8), (9, 2), (3, 12), (15, 15)] {
                check(|a| a.packed(op, d, s), &format!("{name} xmm{d},xmm{s}"));
            }
        }
        check(|a| a.packed_shift(0x71, 2, 9, 4), "psrlw xmm9,4");
        check(|a| a.packed_shift(0x72, 4, 1, 16), "psrad xmm1,10h");
        check(|a| a.packed_shift(0x72, 6, 3, 16), "pslld xmm3,10h");
        check(|a| a.movq_xx(2, 11), "movq xmm2,xmm11");
        for (m, s) in mems() {
            check(|a| a.movdqu_load(8, m), &format!("movdqu xmm8,{s}"));
            check(|a| a.movdqu_store(m, 1), &format!("movdqu {s},xmm1"));
            check(|a| a.movq_load(0, m), &format!("movq xmm0,{s}"));
        }
    }

    #[test]
    fn labels_resolve_forward_and_backward() {
        let mut a = Asm::new();
        let fwd = a.label();
        let back = a.label();
        a.bind(back);
        a.jcc(Cc::Ne, fwd); // 6 bytes at 0
        a.jmp(back); // 5 bytes at 6
        a.bind(fwd);
        a.ret();
        a.finish();
        assert_eq!(one(&a.buf[0..6]), "jne 000000000000000Bh");
        assert_eq!(one(&a.buf[6..11]), "jmp 0FFFFFFFFFFFFFFFAh");
        let mut a = Asm::new();
        let at = a.jmp_rel(0);
        assert_eq!(at, 1);
        assert_eq!(one(&a.buf), "jmp 5");
    }

    #[test]
    fn padding_is_one_nop_instruction_per_three_bytes() {
        for start in 0..4 {
            let mut a = Asm::new();
            a.buf.resize(start, 0x90);
            a.pad_to(4, 2);
            assert_eq!(a.pos() % 4, 2);
            let pad = &a.buf[start..];
            assert!(pad.len() <= 3);
            if !pad.is_empty() {
                let nop = ["nop", "xchg ax,ax", "nop [rax]"][pad.len() - 1];
                assert_eq!(one(pad), nop, "{pad:02x?}");
            }
        }
    }
}
