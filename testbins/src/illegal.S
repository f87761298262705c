/* illegal: no libc.  Writes one line, then executes an all-zero 32-bit word,
 * which is an illegal instruction: the process must die of SIGILL. */
    .section .rodata
msg:
    .ascii "about to execute an illegal instruction\n"
    .set msglen, . - msg

    .text
    .globl _start
_start:
    li a0, 1            /* fd: stdout */
    la a1, msg
    li a2, msglen
    li a7, 64           /* write */
    ecall
    .option push
    .option norvc
    .4byte 0            /* all-zero word: illegal */
    .option pop
    li a0, 0
    li a7, 93           /* exit(0): must not be reached */
    ecall
