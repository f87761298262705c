# execstack: linked with an executable stack (PT_GNU_STACK RWX, see build.sh);
# writes "li a0, 42; ret" onto its stack, runs it, and prints the result.
# Under Linux this works only because of PT_GNU_STACK.
    .text
    .globl _start
_start:
    addi    sp, sp, -16
    li      t0, 0x02a00513          # addi a0, zero, 42
    sw      t0, 0(sp)
    li      t0, 0x00008067          # jalr zero, 0(ra)
    sw      t0, 4(sp)
    fence.i
    jalr    ra, 0(sp)
    li      t1, 42
    bne     a0, t1, 1f
    li      a0, 1
    la      a1, msg
    li      a2, 23                  # length of msg
    li      a7, 64                  # write
    ecall
    li      a0, 0
    li      a7, 93                  # exit
    ecall
1:  li      a0, 1
    li      a7, 93
    ecall

    .section .rodata
msg:    .ascii "stack code returned 42\n"

