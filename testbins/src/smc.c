/* Self-modifying code: code written at run time and changed in place runs
 * its new version after fence.i, after the riscv_flush_icache syscall, and
 * after an mprotect round trip; running a page without PROT_EXEC is SIGSEGV. */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*fn)(void);

static uint32_t li_a0(int imm) { return (uint32_t)(imm << 20) | (10 << 7) | 0x13; } /* addi a0, zero, imm */
#define RET 0x00008067u /* jalr zero, 0(ra) */

int main(void) {
    uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return 1;
    code[0] = li_a0(42);
    code[1] = RET;
    __asm__ volatile("fence.i" ::: "memory");
    printf("first: %ld\n", ((fn)code)());

    code[0] = li_a0(99);
    __asm__ volatile("fence.i" ::: "memory");
    printf("after fence.i: %ld\n", ((fn)code)());

    code[0] = li_a0(7);
    syscall(259 /* riscv_flush_icache */, code, code + 2, 0);
    printf("after riscv_flush_icache: %ld\n", ((fn)code)());

    mprotect(code, 4096, PROT_READ | PROT_WRITE);
    code[0] = li_a0(5);
    mprotect(code, 4096, PROT_READ | PROT_EXEC);
    __asm__ volatile("fence.i" ::: "memory");
    printf("after mprotect: %ld\n", ((fn)code)());

    /* A fresh page at another address, loop of 1000 calls to a translated block. */
    long sum = 0;
    for (int i = 0; i < 1000; i++) sum += ((fn)code)();
    printf("sum of 1000 calls: %ld\n", sum);

    mprotect(code, 4096, PROT_READ);
    printf("calling non-executable code\n");
    fflush(stdout);
    ((fn)code)();
    printf("not reached\n");
    return 0;
}
