/* memcpy/memmove/memset/memcmp/strlen/strchr over buffers of several sizes,
 * plus byte loops written by hand.  Usage: memstr [scale] (default 100). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF (1 << 20)

int main(int argc, char **argv) {
    long scale = argc > 1 ? atol(argv[1]) : 100;
    char *a = malloc(BUF + 64), *b = malloc(BUF + 64);
    uint32_t x = 12345;
    for (int i = 0; i < BUF; i++) { x = x * 1103515245u + 12345u; a[i] = (char)('a' + (x >> 16) % 26); }
    a[BUF] = 0;
    uint64_t sum = 0;
    /* big copies */
    for (long r = 0; r < 16 * scale; r++) {
        memcpy(b + (r & 7), a + (r % 13), BUF - 16);
        sum += (unsigned char)b[(r * 7919) % (BUF - 16)];
        memmove(b + 1, b, BUF / 2);
        sum += (unsigned char)b[r % 1000];
    }
    /* many small copies and strlen of short strings */
    size_t sizes[] = {3, 8, 15, 31, 64, 100, 255};
    for (long r = 0; r < 30000 * scale; r++) {
        size_t n = sizes[r % 7];
        size_t off = (size_t)(r * 4099) % (BUF - 512);
        memcpy(b + 1, a + off, n);
        b[1 + n] = 0;
        sum += strlen(b + 1);
        sum += memcmp(a + off, b + 1, n) == 0;
    }
    /* strlen/strchr over long strings */
    for (long r = 0; r < 4 * scale + 1; r++) {
        size_t cut = BUF - (size_t)(r * 977) % 4096;
        char saved = a[cut];
        a[cut] = 0;
        sum += strlen(a + (r & 15));
        char *p = strchr(a + (r & 15), '#');
        sum += p ? 1 : 0;
        a[cut] = saved;
    }
    /* memset */
    for (long r = 0; r < 8 * scale; r++) { memset(b, (int)r, BUF); sum += (unsigned char)b[r * 31 % BUF]; }
    /* hand-written byte loops (not replaced by libc calls) */
    volatile char *va = a;
    for (long r = 0; r < scale + 1; r++) {
        uint32_t cnt = 0;
        for (int i = 0; i < BUF; i++) cnt += va[i] == 'e';
        sum += cnt;
    }
    printf("memstr sum=%llu\n", (unsigned long long)sum);
    free(a); free(b);
    return 0;
}
