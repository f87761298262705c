/* rv_asm: pure assembly, no libc, static.
 * Exercises RV64 I, M, A, C, Zba, Zbb, Zbs, Zicond (and fence.i with
 * self-modifying code).  Every group folds its instruction results into a
 * checksum (mixing uses only base-I shifts/xor/add, in s11), printed in hex
 * via raw write ecalls; exit status 0.  Absolute addresses never enter a
 * checksum (only differences).  Build: -march=rv64gc_zba_zbb_zbs; Zicond is
 * encoded with .insn because binutils 2.40 does not know it:
 *   czero.eqz rd,rs1,rs2 = funct7 0000111, funct3 101, opcode 0110011
 *   czero.nez rd,rs1,rs2 = funct7 0000111, funct3 111, opcode 0110011 */

#define SYS_write 64
#define SYS_exit  93
#define SYS_mmap  222

/* s11 = rotl(s11, 7) ^ r, + 0x35 */
.macro MIX r
    slli t5, s11, 7
    srli t6, s11, 57
    or   s11, t5, t6
    xor  s11, s11, \r
    addi s11, s11, 0x35
.endm

.macro SEED
    li s11, 0x6a09e667f3bcc908
.endm

.macro CZERO_EQZ rd, rs1, rs2
    .insn r 0x33, 5, 7, \rd, \rs1, \rs2
.endm
.macro CZERO_NEZ rd, rs1, rs2
    .insn r 0x33, 7, 7, \rd, \rs1, \rs2
.endm

/* report: print label (string at \lab, length \len) then s11 in hex */
.macro REPORT lab
    la a0, \lab
    jal ra, print_cstr
    mv a0, s11
    jal ra, print_hex
    xor s10, s10, s11          /* s10: combined checksum of all groups */
    slli t0, s10, 1
    srli t1, s10, 63
    or s10, t0, t1
.endm

    .section .rodata
vals:
    .dword 0
    .dword 1
    .dword 2
    .dword 0xffffffffffffffff
    .dword 0xfffffffffffffff9
    .dword 0x8000000000000000
    .dword 0x7fffffffffffffff
    .dword 0x0000000080000000
    .dword 0xffffffff80000000
    .dword 0x00000000ffffffff
    .dword 0x123456789abcdef0
    .dword 0xfedcba9876543210
    .dword 0x5555555555555555
    .dword 0x000000000000003f
    .dword 0x0000000000000041
vals_end:

lab_i:      .asciz "RV64I   "
lab_ls:     .asciz "ld/st   "
lab_br:     .asciz "branch  "
lab_m:      .asciz "RV64M   "
lab_a:      .asciz "RV64A   "
lab_c:      .asciz "RVC     "
lab_zba:    .asciz "Zba     "
lab_zbb:    .asciz "Zbb     "
lab_zbs:    .asciz "Zbs     "
lab_zicond: .asciz "Zicond  "
lab_smc:    .asciz "fence.i "
lab_all:    .asciz "all     "
hexdigits:  .ascii "0123456789abcdef"

    .data
    .balign 16
buf:
    .dword 0x8899aabbccddeeff
    .dword 0x0011223344556677
    .dword 0xf0e1d2c3b4a59687
    .dword 0
amo_word:
    .dword 0
    .dword 0
outbuf:
    .space 32

    .text
    .globl _start
_start:
    li s10, 0

/* ---------------- RV64I register-register / immediate ---------------- */
    SEED
    la s1, vals
    la s3, vals_end
1:  ld a0, 0(s1)
    la s2, vals
2:  ld a1, 0(s2)
    add t0, a0, a1;   MIX t0
    sub t0, a0, a1;   MIX t0
    sll t0, a0, a1;   MIX t0
    srl t0, a0, a1;   MIX t0
    sra t0, a0, a1;   MIX t0
    slt t0, a0, a1;   MIX t0
    sltu t0, a0, a1;  MIX t0
    xor t0, a0, a1;   MIX t0
    or t0, a0, a1;    MIX t0
    and t0, a0, a1;   MIX t0
    addw t0, a0, a1;  MIX t0
    subw t0, a0, a1;  MIX t0
    sllw t0, a0, a1;  MIX t0
    srlw t0, a0, a1;  MIX t0
    sraw t0, a0, a1;  MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    /* immediates on a0 */
    addi t0, a0, -2048;  MIX t0
    addi t0, a0, 2047;   MIX t0
    slti t0, a0, -1;     MIX t0
    sltiu t0, a0, -1;    MIX t0
    xori t0, a0, -1;     MIX t0
    ori t0, a0, 0x555;   MIX t0
    andi t0, a0, -16;    MIX t0
    slli t0, a0, 63;     MIX t0
    srli t0, a0, 33;     MIX t0
    srai t0, a0, 31;     MIX t0
    addiw t0, a0, 1;     MIX t0
    addiw t0, a0, -2048; MIX t0
    slliw t0, a0, 31;    MIX t0
    srliw t0, a0, 1;     MIX t0
    sraiw t0, a0, 31;    MIX t0
    sext.w t0, a0;       MIX t0
    addi s1, s1, 8
    bltu s1, s3, 1b
    lui t0, 0x80000;     MIX t0     /* sign-extended upper immediate */
    lui t0, 0x7ffff;     MIX t0
3:  auipc t0, 0
    lla t1, 3b
    sub t0, t0, t1;      MIX t0     /* 0 */
4:  auipc t0, 0x1
    lla t1, 4b
    sub t0, t0, t1;      MIX t0     /* 0x1000 */
    /* jal / jalr link values relative to the return label */
    jal t0, 5f
5:  lla t1, 5b
    sub t0, t0, t1;      MIX t0
    lla t1, 6f
    jalr t0, 0(t1)
6:  lla t1, 6b
    sub t2, t0, t1;      MIX t2     /* link = address after jalr = 6b */
    lla t1, 7f
    addi t1, t1, -3
    jalr t0, 3(t1)                  /* offset added to base */
7:  li t2, 1;            MIX t2
    lla t1, 8f
    addi t1, t1, 1
    jalr t0, 0(t1)                  /* jalr clears bit 0 of the target */
8:  li t2, 2;            MIX t2
    REPORT lab_i

/* ---------------- loads and stores ---------------- */
    SEED
    la s1, buf
    lb t0, 0(s1);   MIX t0
    lb t0, 7(s1);   MIX t0
    lbu t0, 7(s1);  MIX t0
    lh t0, 6(s1);   MIX t0
    lhu t0, 6(s1);  MIX t0
    lh t0, 1(s1);   MIX t0          /* misaligned halfword */
    lw t0, 4(s1);   MIX t0
    lwu t0, 4(s1);  MIX t0
    lw t0, 0(s1);   MIX t0
    lw t0, 3(s1);   MIX t0          /* misaligned word */
    ld t0, 0(s1);   MIX t0
    ld t0, 8(s1);   MIX t0
    ld t0, 5(s1);   MIX t0          /* misaligned doubleword */
    ld t0, 16(s1);  MIX t0
    li t1, -1
    sd t1, 24(s1)
    li t1, 0x12345
    sb t1, 24(s1)
    sh t1, 26(s1)
    sw t1, 28(s1)
    ld t0, 24(s1);  MIX t0
    sd t1, 24(s1)
    ld t0, 24(s1);  MIX t0
    li t1, 0xa5a5a5a5a5a5a5a5
    sw t1, 25(s1)                   /* misaligned store */
    ld t0, 24(s1);  MIX t0
    ld t0, 16(s1);  MIX t0
    sd zero, 24(s1)
    REPORT lab_ls

/* ---------------- branches ---------------- */
    SEED
    la s1, vals
    la s3, vals_end
1:  ld a0, 0(s1)
    la s2, vals
2:  ld a1, 0(s2)
    li t0, 0
    beq a0, a1, 3f
    ori t0, t0, 1
3:  bne a0, a1, 3f
    ori t0, t0, 2
3:  blt a0, a1, 3f
    ori t0, t0, 4
3:  bge a0, a1, 3f
    ori t0, t0, 8
3:  bltu a0, a1, 3f
    ori t0, t0, 16
3:  bgeu a0, a1, 3f
    ori t0, t0, 32
3:  bgt a0, a1, 3f
    ori t0, t0, 64
3:  bleu a0, a1, 3f
    ori t0, t0, 128
3:  beqz a0, 3f
    ori t0, t0, 256
3:  bltz a1, 3f
    ori t0, t0, 512
3:  MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    addi s1, s1, 8
    bltu s1, s3, 1b
    /* a counted loop with a backward branch */
    li t0, 0
    li t1, 1000
4:  add t0, t0, t1
    addi t1, t1, -1
    bnez t1, 4b
    MIX t0
    REPORT lab_br

/* ---------------- RV64M ---------------- */
    SEED
    la s1, vals
    la s3, vals_end
1:  ld a0, 0(s1)
    la s2, vals
2:  ld a1, 0(s2)
    mul t0, a0, a1;    MIX t0
    mulh t0, a0, a1;   MIX t0
    mulhsu t0, a0, a1; MIX t0
    mulhu t0, a0, a1;  MIX t0
    div t0, a0, a1;    MIX t0
    divu t0, a0, a1;   MIX t0
    rem t0, a0, a1;    MIX t0
    remu t0, a0, a1;   MIX t0
    mulw t0, a0, a1;   MIX t0
    divw t0, a0, a1;   MIX t0
    divuw t0, a0, a1;  MIX t0
    remw t0, a0, a1;   MIX t0
    remuw t0, a0, a1;  MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    addi s1, s1, 8
    bltu s1, s3, 1b
    REPORT lab_m

/* ---------------- RV64A ---------------- */
    SEED
    la s1, amo_word
    li t1, 0x1122334455667788
    sd t1, 0(s1)
    /* lr/sc success */
    lr.d t0, (s1);           MIX t0
    addi t0, t0, 1
    sc.d t2, t0, (s1);       MIX t2      /* 0: success */
    ld t0, 0(s1);            MIX t0
    /* sc without a reservation fails and does not store */
    li t0, 0xdead
    sc.d t2, t0, (s1)
    snez t2, t2;             MIX t2      /* 1: failed */
    ld t0, 0(s1);            MIX t0
    /* lr.w/sc.w on the low word (sign-extending load) */
    li t1, 0x00000000f0000000
    sw t1, 0(s1)
    lr.w t0, (s1);           MIX t0
    li t1, 0x7fffffff
    sc.w t2, t1, (s1);       MIX t2
    ld t0, 0(s1);            MIX t0
    /* a retry loop as compilers emit for CAS */
    li t3, 5
1:  lr.d.aq t0, (s1)
    addi t0, t0, 3
    sc.d.rl t2, t0, (s1)
    bnez t2, 1b
    addi t3, t3, -1
    bnez t3, 1b
    ld t0, 0(s1);            MIX t0
    /* AMOs, doubleword */
    la s2, vals
    la s3, vals_end
2:  ld a1, 0(s2)
    li t1, 0x7ff0000000000123
    sd t1, 0(s1)
    amoswap.d t0, a1, (s1);      MIX t0
    amoadd.d t0, a1, (s1);       MIX t0
    amoxor.d.aq t0, a1, (s1);    MIX t0
    amoand.d.rl t0, a1, (s1);    MIX t0
    amoor.d.aqrl t0, a1, (s1);   MIX t0
    amomin.d t0, a1, (s1);       MIX t0
    amomax.d t0, a1, (s1);       MIX t0
    amominu.d t0, a1, (s1);      MIX t0
    amomaxu.d t0, a1, (s1);      MIX t0
    ld t0, 0(s1);                MIX t0
    /* word AMOs on the high half: results sign-extend, low half untouched */
    li t1, 0x80000001
    sw t1, 4(s1)
    addi s4, s1, 4
    amoswap.w t0, a1, (s4);      MIX t0
    amoadd.w t0, a1, (s4);       MIX t0
    amoxor.w t0, a1, (s4);       MIX t0
    amoand.w t0, a1, (s4);       MIX t0
    amoor.w t0, a1, (s4);        MIX t0
    amomin.w t0, a1, (s4);       MIX t0
    amomax.w t0, a1, (s4);       MIX t0
    amominu.w t0, a1, (s4);      MIX t0
    amomaxu.w t0, a1, (s4);      MIX t0
    ld t0, 0(s1);                MIX t0
    amoadd.w zero, a1, (s4)      /* rd = zero: still performs the store */
    ld t0, 0(s1);                MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    fence rw, rw
    fence
    REPORT lab_a

/* ---------------- RVC (explicit compressed encodings) ---------------- */
    SEED
    .option push
    .option rvc
    c.li s0, -32;        MIX s0
    c.li a0, 31;         MIX a0
    c.addi a0, -1;       MIX a0
    c.lui a1, 0xfffe1;   MIX a1      /* nzimm -> sign-extended */
    c.lui a2, 1;         MIX a2
    c.addiw a1, 1;       MIX a1
    c.slli a1, 33;       MIX a1
    c.srli a1, 3;        MIX a1
    c.srai a1, 63;       MIX a1
    c.mv a3, a1;         MIX a3
    li a4, 0x0123456789abcdef
    c.andi a4, -7;       MIX a4
    c.mv a5, a4
    c.add a5, a0;        MIX a5
    c.sub a5, a2;        MIX a5
    c.xor a5, a4;        MIX a5
    c.or a5, a0;         MIX a5
    c.and a5, a4;        MIX a5
    li a3, 0x7fffffff
    c.addw a3, a0;       MIX a3      /* 32-bit wrap */
    c.subw a3, a4;       MIX a3
    la s1, buf
    c.ld a0, 8(s1);      MIX a0
    c.lw a1, 4(s1);      MIX a1
    c.lw a2, 16(s1);     MIX a2
    c.sd a0, 24(s1)
    c.sw a2, 28(s1)
    c.ld a3, 24(s1);     MIX a3
    sd zero, 24(s1)
    /* stack-pointer relative forms */
    mv s9, sp
    c.addi16sp sp, -64
    sub t0, s9, sp;      MIX t0
    c.addi4spn a0, sp, 16
    sub t0, a0, sp;      MIX t0
    li t1, 0x1357924680aceb0d
    li t2, -1
    sd t2, 16(sp)                /* known bytes around the c.swsp target */
    c.sdsp t1, 8(sp)
    c.swsp t1, 20(sp)
    c.ldsp t2, 8(sp);    MIX t2
    c.lwsp t2, 20(sp);   MIX t2
    c.ldsp t2, 16(sp);   MIX t2
    c.addi16sp sp, 64
    sub t0, s9, sp;      MIX t0
    /* control transfer */
    li a0, 0
    c.beqz a0, 1f
    c.li a0, 5
1:  c.bnez a0, 2f
    c.li a0, 7
2:  MIX a0
    c.j 3f
    c.li a0, 9
3:  MIX a0
    lla t1, 4f
    c.jr t1
    c.li a0, 11
4:  MIX a0
    lla t1, 5f
    c.jalr t1                    /* ra = address of the next (2-byte) insn */
6:  c.nop
5:  lla t2, 6b
    sub t0, ra, t2;      MIX t0  /* 0 */
    c.nop
    .option pop
    REPORT lab_c

/* ---------------- Zba ---------------- */
    SEED
    la s1, vals
    la s3, vals_end
1:  ld a0, 0(s1)
    la s2, vals
2:  ld a1, 0(s2)
    add.uw t0, a0, a1;    MIX t0
    sh1add t0, a0, a1;    MIX t0
    sh2add t0, a0, a1;    MIX t0
    sh3add t0, a0, a1;    MIX t0
    sh1add.uw t0, a0, a1; MIX t0
    sh2add.uw t0, a0, a1; MIX t0
    sh3add.uw t0, a0, a1; MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    slli.uw t0, a0, 0;    MIX t0
    slli.uw t0, a0, 5;    MIX t0
    slli.uw t0, a0, 63;   MIX t0
    zext.w t0, a0;        MIX t0
    addi s1, s1, 8
    bltu s1, s3, 1b
    REPORT lab_zba

/* ---------------- Zbb ---------------- */
    SEED
    la s1, vals
    la s3, vals_end
1:  ld a0, 0(s1)
    la s2, vals
2:  ld a1, 0(s2)
    andn t0, a0, a1;  MIX t0
    orn t0, a0, a1;   MIX t0
    xnor t0, a0, a1;  MIX t0
    max t0, a0, a1;   MIX t0
    maxu t0, a0, a1;  MIX t0
    min t0, a0, a1;   MIX t0
    minu t0, a0, a1;  MIX t0
    rol t0, a0, a1;   MIX t0
    ror t0, a0, a1;   MIX t0
    rolw t0, a0, a1;  MIX t0
    rorw t0, a0, a1;  MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    clz t0, a0;       MIX t0
    clzw t0, a0;      MIX t0
    ctz t0, a0;       MIX t0
    ctzw t0, a0;      MIX t0
    cpop t0, a0;      MIX t0
    cpopw t0, a0;     MIX t0
    sext.b t0, a0;    MIX t0
    sext.h t0, a0;    MIX t0
    zext.h t0, a0;    MIX t0
    rori t0, a0, 1;   MIX t0
    rori t0, a0, 63;  MIX t0
    roriw t0, a0, 1;  MIX t0
    roriw t0, a0, 31; MIX t0
    orc.b t0, a0;     MIX t0
    rev8 t0, a0;      MIX t0
    addi s1, s1, 8
    bltu s1, s3, 1b
    REPORT lab_zbb

/* ---------------- Zbs ---------------- */
    SEED
    la s1, vals
    la s3, vals_end
1:  ld a0, 0(s1)
    la s2, vals
2:  ld a1, 0(s2)
    bclr t0, a0, a1;  MIX t0
    bext t0, a0, a1;  MIX t0
    binv t0, a0, a1;  MIX t0
    bset t0, a0, a1;  MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    bclri t0, a0, 0;   MIX t0
    bclri t0, a0, 63;  MIX t0
    bexti t0, a0, 31;  MIX t0
    bexti t0, a0, 63;  MIX t0
    binvi t0, a0, 32;  MIX t0
    bseti t0, a0, 7;   MIX t0
    addi s1, s1, 8
    bltu s1, s3, 1b
    REPORT lab_zbs

/* ---------------- Zicond ---------------- */
    SEED
    li s4, 0x0f0f0f0f0f0f0f0f
    la s1, vals
    la s3, vals_end
1:  ld a0, 0(s1)
    la s2, vals
2:  ld a1, 0(s2)
    CZERO_EQZ t0, a0, a1;  MIX t0
    CZERO_NEZ t0, a0, a1;  MIX t0
    /* the conditional-select idiom: t0 = a1 ? a0 : s4 */
    CZERO_EQZ t1, a0, a1
    CZERO_NEZ t2, s4, a1
    or t0, t1, t2;         MIX t0
    addi s2, s2, 8
    bltu s2, s3, 2b
    addi s1, s1, 8
    bltu s1, s3, 1b
    REPORT lab_zicond

/* ---------------- self-modifying code + fence.i ---------------- */
    SEED
    li a0, 0
    li a1, 4096
    li a2, 7                 /* PROT_READ|PROT_WRITE|PROT_EXEC */
    li a3, 0x22              /* MAP_PRIVATE|MAP_ANONYMOUS */
    li a4, -1
    li a5, 0
    li a7, SYS_mmap
    ecall
    mv s1, a0
    li t0, -4096
    bgeu s1, t0, smc_fail
    li t0, 0x00150513        /* addi a0, a0, 1 */
    sw t0, 0(s1)
    li t0, 0x00008067        /* ret */
    sw t0, 4(s1)
    fence.i
    li a0, 100
    jalr ra, 0(s1)
    MIX a0                   /* 101 */
    li t0, 0x00250513        /* addi a0, a0, 2 */
    sw t0, 0(s1)
    fence.i
    li a0, 100
    jalr ra, 0(s1)
    MIX a0                   /* 102 */
    /* replace with two compressed instructions: c.addi a0, 16 (0x0541); c.jr ra (0x8082) */
    li t0, 0x80820541
    sw t0, 0(s1)
    fence.i
    li a0, 100
    jalr ra, 0(s1)
    MIX a0                   /* 116 */
    j smc_done
smc_fail:
    li t0, 0xbad
    MIX t0
smc_done:
    REPORT lab_smc

    mv s11, s10
    REPORT lab_all
    li a0, 0
    li a7, SYS_exit
    ecall

/* print_cstr: a0 = NUL-terminated string */
print_cstr:
    mv t0, a0
1:  lbu t1, 0(t0)
    beqz t1, 2f
    addi t0, t0, 1
    j 1b
2:  sub a2, t0, a0
    mv a1, a0
    li a0, 1
    li a7, SYS_write
    ecall
    ret

/* print_hex: a0 = value; prints 16 hex digits and a newline */
print_hex:
    la t0, outbuf
    la t1, hexdigits
    li t2, 60
1:  srl t3, a0, t2
    andi t3, t3, 15
    add t3, t3, t1
    lbu t3, 0(t3)
    sb t3, 0(t0)
    addi t0, t0, 1
    addi t2, t2, -4
    bgez t2, 1b
    li t3, 10
    sb t3, 0(t0)
    la a1, outbuf
    li a2, 17
    li a0, 1
    li a7, SYS_write
    ecall
    ret
