// a64_signal: freestanding A64 signal delivery (no libc). A SIGUSR1
// handler (SA_SIGINFO, no restorer: the kernel's/emu's return path) records
// what it is entered with (x0..x2, x29, sp alignment, the frame record, the
// ucontext's pc, pstate, x19 and first __reserved record) and moves the saved
// pc one instruction on; after rt_sigreturn the program prints those values
// and the registers and flags it finds preserved. Written with the helper
// that built guest/aarch64/signal.rs; expected output: qemu-aarch64's.
    .global _start
    .text
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

handler:
    adrp x9, res
    add x9, x9, :lo12:res
    mov x10, sp
    str x0, [x9]              // sig
    sub x11, x1, x10
    str x11, [x9, #8]         // x1 - sp
    sub x11, x2, x10
    str x11, [x9, #16]        // x2 - sp
    sub x11, x29, x10
    str x11, [x9, #24]        // x29 - sp
    and x11, x10, #15
    str x11, [x9, #32]        // sp & 15
    ldr x11, [x29]
    str x11, [x9, #40]        // record fp
    ldr x11, [x29, #8]
    str x11, [x9, #48]        // record lr
    ldr x11, [x2, #(176 + 264)]
    str x11, [x9, #56]        // uc pc
    ldr x11, [x2, #(176 + 272)]
    str x11, [x9, #64]        // uc pstate
    ldr x11, [x2, #(176 + 8 + 19 * 8)]
    str x11, [x9, #72]        // uc x19
    ldr w11, [x2, #(176 + 288)]
    str x11, [x9, #80]        // first record magic
    ldr w11, [x2, #(176 + 292)]
    str x11, [x9, #88]        // first record size
    // resume one instruction later: skip the "mov x20, #0xbad"
    ldr x11, [x2, #(176 + 264)]
    add x11, x11, #4
    str x11, [x2, #(176 + 264)]
    ret

_start:
    // rt_sigaction(SIGUSR1, &act, 0, 8)
    adrp x1, act
    add x1, x1, :lo12:act
    adr x0, handler
    str x0, [x1]
    mov x0, #10
    mov x2, #0
    mov x3, #8
    mov x8, #134
    svc #0
    mov x8, #172              // getpid
    svc #0
    mov x1, #10
    mov x8, #129              // kill
    mov x19, #0x1234
    mov x20, #0x77
    mov x29, #0x2900
    mov x30, #0x3000
    mov x21, #0x6000
    lsl x21, x21, #16
    msr nzcv, x21             // Z, C
    svc #0
resume:
    mov x20, #0xbad           // skipped by the handler
    cset x22, eq
    cset x23, cs
    adrp x9, res
    add x9, x9, :lo12:res
    str x19, [x9, #96]
    str x20, [x9, #104]
    str x22, [x9, #112]
    str x23, [x9, #120]
    adr x10, resume
    ldr x11, [x9, #56]
    sub x11, x11, x10
    str x11, [x9, #56]        // uc pc - resume
    ldr x11, [x9, #40]
    str x11, [x9, #40]
    mov x24, #0
4:  ldr x0, [x9, x24, lsl #3]
    bl print_hex
    adrp x9, res
    add x9, x9, :lo12:res
    add x24, x24, #1
    cmp x24, #16
    b.lo 4b
    mov x0, #0
    mov x8, #93
    svc #0

    .data
    .balign 16
act: .quad 0, 4, 0, 0         // handler, SA_SIGINFO, restorer, mask
res: .space 16 * 8
buf: .space 32
