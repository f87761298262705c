// a64_basic: freestanding A64 (no libc) exercising the integer
// instructions emu-aarch64 translates so far. Each check stores a 64-bit
// result into `results`; the program prints them in hex, one per line, and
// exits with the number of results. Expected output: qemu-aarch64's.
    .global _start
    .text

// print_hex: x0 = value; writes 16 hex digits and '\n'. Clobbers x0-x4, x8.
print_hex:
    adrp x1, buf
    add x1, x1, :lo12:buf
    mov x2, #15
1:  and x3, x0, #0xf
    cmp x3, #10
    b.lo 2f
    add x3, x3, #('a' - 10)
    b 3f
2:  add x3, x3, #'0'
3:  strb w3, [x1, x2]
    lsr x0, x0, #4
    subs x2, x2, #1
    b.ge 1b
    mov w3, #'\n'
    strb w3, [x1, #16]
    mov x0, #1
    mov x2, #17
    mov x8, #64
    svc #0
    ret

// store: x9 = results cursor; appends x0.
.macro RESULT reg
    str \reg, [x9], #8
.endm

square:
    mul x0, x0, x0
    ret

_start:
    adrp x9, results
    add x9, x9, :lo12:results
    // Move wide and add/sub immediate.
    movz x0, #0x1234, lsl #48
    movk x0, #0x5678, lsl #16
    movn x1, #0
    add x0, x0, x1          // minus one
    RESULT x0
    mov w2, #-5
    add w2, w2, #7
    RESULT x2
    sub x3, sp, #16
    mov x4, sp
    sub x3, x3, x4          // -16 through sp
    RESULT x3
    // Flags: adds/subs, conditional select and branches.
    mov x4, #-1
    adds x5, x4, #1         // carry out, zero
    cset x6, cs
    cset x7, eq
    lsl x6, x6, #1
    orr x6, x6, x7
    RESULT x6
    mov w4, #0x7fffffff
    adds w5, w4, #1         // signed overflow in 32 bits
    cset w6, vs
    csinc x7, x5, xzr, mi
    add x6, x6, x7, lsl #4
    RESULT x6
    // Logical immediates and shifted registers.
    mov x10, #0xff00ff00ff00ff00
    eor x11, x10, #0x0ff00ff00ff00ff0
    and x12, x11, x10, ror #8
    bic x13, x11, x12, lsr #4
    RESULT x13
    orn w14, wzr, w13
    RESULT x14
    // Bitfields and extract.
    ubfx x15, x10, #12, #8
    sbfx x16, x10, #8, #8
    bfi x15, x16, #32, #4
    RESULT x15
    extr x17, x10, x11, #20
    RESULT x17
    sxtw x18, w4
    uxtb w19, w10
    add x18, x18, x19
    RESULT x18
    // Multiply and divide.
    movz x20, #0x000f, lsl #16
    movk x20, #0x4243       // 1000003
    movz x21, #0x000f, lsl #16
    movk x21, #0x422f       // 999983
    mul x22, x20, x21
    madd x22, x22, x21, x20
    umulh x23, x22, x22
    RESULT x22
    RESULT x23
    udiv x24, x22, x20
    sdiv x25, x3, x20
    mov x26, #0
    udiv x26, x22, x26      // by zero: 0
    add x24, x24, x25
    add x24, x24, x26
    RESULT x24
    msub x27, x24, x20, x22
    RESULT x27
    // Shifts by register, counts, reversals.
    mov x0, #3
    lsl x1, x22, x0
    asr x2, x3, x0
    ror x4, x22, x0
    eor x1, x1, x2
    eor x1, x1, x4
    RESULT x1
    clz x1, x20
    cls x2, x3
    rbit x4, x20
    rev x5, x20
    add x1, x1, x2, lsl #8
    eor x1, x1, x4
    eor x1, x1, x5
    RESULT x1
    // A loop: sum of squares 1..10 through bl/ret.
    mov x12, #0
    mov x13, #1
4:  mov x0, x13
    bl square
    add x12, x12, x0
    add x13, x13, #1
    cmp x13, #10
    b.le 4b
    RESULT x12
    // Loads and stores: all widths and addressing modes, pairs.
    adrp x1, data
    add x1, x1, :lo12:data
    ldrb w2, [x1]
    ldrsb x3, [x1, #1]
    ldrh w4, [x1, #2]
    ldrsh w5, [x1, #2]
    ldr w6, [x1, #4]
    ldrsw x7, [x1, #4]
    ldr x8, [x1, #8]
    add x2, x2, x3
    add x2, x2, x4
    add x2, x2, x5
    add x2, x2, x6
    add x2, x2, x7
    eor x2, x2, x8
    RESULT x2
    mov x3, #2
    ldr x4, [x1, x3, lsl #3]
    ldur x5, [x1, #3]
    ldp x6, x7, [x1]
    ldr x10, [x1, #8]!      // pre-index: x1 += 8
    ldr x11, [x1], #-8      // post-index: back
    add x4, x4, x5
    eor x4, x4, x6
    add x4, x4, x7
    eor x4, x4, x10
    add x4, x4, x11
    RESULT x4
    adrp x1, scratch
    add x1, x1, :lo12:scratch
    stp x20, x21, [x1, #16]
    str w22, [x1]
    strh w22, [x1, #4]
    strb w22, [x1, #6]
    ldp x2, x3, [x1, #16]
    ldr x4, [x1]
    add x2, x2, x3
    eor x2, x2, x4
    RESULT x2
    ldr x5, value           // literal
    RESULT x5
    // The thread pointer.
    msr tpidr_el0, x20
    mrs x6, tpidr_el0
    RESULT x6
    // FPSR and FPCR keep their defined bits only (FPCR: AHP, DN, FZ,
    // RMode; the IDE trap enable is RAZ/WI).
    mov x6, #-1
    msr fpsr, x6
    mrs x7, fpsr
    RESULT x7
    movz x6, #0x07c0, lsl #16
    movk x6, #0x8000
    msr fpcr, x6
    mrs x7, fpcr
    RESULT x7
    msr fpcr, xzr
    msr fpsr, xzr
    // Conditional compares and test-and-branch.
    mov x0, #5
    cmp x0, #5
    ccmp x0, #6, #0b0100, ne
    cset x1, eq
    tbz x20, #0, 5f
    add x1, x1, #2
5:  cbnz x26, 6f
    add x1, x1, #4
6:  RESULT x1
    // Exclusives (an atomic add loop), acquire/release.
    mov x28, x9
    adrp x1, scratch
    add x1, x1, :lo12:scratch
    mov x2, #40
    str x2, [x1, #32]
9:  ldaxr x3, [x1, #0]
    add x3, x3, #2
    stlxr w4, x3, [x1]
    cbnz w4, 9b
    ldxr w5, [x1]
    add w5, w5, #1
    stxr w6, w5, [x1]
    add x7, x1, #32
    ldar x8, [x7]
    stlr x8, [x1]
    ldr x9, [x1]
    add x5, x5, x9
    add x5, x5, x6, lsl #32
    clrex
    stxr w6, x5, [x1]       // the monitor is clear: fails
    add x5, x5, x6, lsl #40
    mov x9, x28
    RESULT x5
    // An indirect jump.
    adr x2, 7f
    br x2
    mov x1, #999
7:  RESULT x2

    // Print everything and exit with the count.
    adrp x19, results
    add x19, x19, :lo12:results
    sub x20, x9, x19
    lsr x20, x20, #3
    mov x21, #0
8:  ldr x0, [x19, x21, lsl #3]
    bl print_hex
    add x21, x21, #1
    cmp x21, x20
    b.lt 8b
    mov x0, x20
    mov x8, #93
    svc #0

    .section .rodata
    .balign 8
data:
    .byte 0xf0, 0x80, 0x34, 0x92, 0x78, 0x56, 0x34, 0xf2
    .quad 0x0123456789abcdef
    .quad 0xfedcba9876543210
value:
    .quad 0x1122334455667788

    .bss
    .balign 16
buf:     .space 32
results: .space 512
scratch: .space 64
