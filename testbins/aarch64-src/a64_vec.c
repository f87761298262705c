/* Loops compilers auto-vectorise (built -O3): integer sums, widening and
 * narrowing, min/max, saturating clamps, byte searches and shuffles over
 * pseudo-random arrays; each prints a checksum or a few values in hex.
 * No floating point. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 1031

static uint8_t a8[N], b8[N], c8[N];
static int16_t a16[N], b16[N], c16[N];
static int32_t a32[N], b32[N], c32[N];
static uint32_t u32[N];
static int64_t a64[N], c64[N];
static char text[N + 1];

static uint64_t sum_u8(const uint8_t *p, int n)
{
    uint64_t s = 0;
    for (int i = 0; i < n; i++)
        s += p[i];
    return s;
}

static uint64_t mix(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

__attribute__((noinline)) static void fill(void)
{
    uint64_t x = 0x243f6a8885a308d3ull;
    for (int i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        a8[i] = x;
        b8[i] = x >> 8;
        a16[i] = x >> 16;
        b16[i] = x >> 32;
        a32[i] = x >> 3;
        b32[i] = x >> 29;
        u32[i] = x >> 31;
        a64[i] = x;
        text[i] = 'a' + (x >> 40) % 26;
    }
    text[N] = 0;
}

__attribute__((noinline)) static void kernels(void)
{
    for (int i = 0; i < N; i++)
        c8[i] = (a8[i] + b8[i] + 1) >> 1;
    printf("avg u8       %016llx\n", (unsigned long long)mix(c8, N));
    for (int i = 0; i < N; i++)
        c8[i] = a8[i] > b8[i] ? a8[i] - b8[i] : b8[i] - a8[i];
    printf("absdiff u8   %016llx\n", (unsigned long long)mix(c8, N));
    for (int i = 0; i < N; i++) {
        int v = a16[i] + b16[i];
        c16[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    printf("sat add s16  %016llx\n", (unsigned long long)mix(c16, sizeof c16));
    for (int i = 0; i < N; i++) {
        int v = a16[i] >> 3;
        c8[i] = v > 255 ? 255 : v < 0 ? 0 : v;
    }
    printf("clamp u8     %016llx\n", (unsigned long long)mix(c8, N));
    int64_t dot = 0;
    for (int i = 0; i < N; i++)
        dot += (int32_t)a16[i] * b16[i];
    printf("dot s16      %016llx\n", (unsigned long long)dot);
    for (int i = 0; i < N; i++)
        c32[i] = a32[i] * 7 + (b32[i] >> 5) - (a16[i] << 2);
    printf("mad s32      %016llx\n", (unsigned long long)mix(c32, sizeof c32));
    for (int i = 0; i < N; i++)
        c64[i] = (int64_t)a32[i] * b32[i] + a64[i];
    printf("widen mul    %016llx\n", (unsigned long long)mix(c64, sizeof c64));
    int32_t mx = INT32_MIN, mn = INT32_MAX;
    for (int i = 0; i < N; i++) {
        mx = a32[i] > mx ? a32[i] : mx;
        mn = b32[i] < mn ? b32[i] : mn;
    }
    printf("max/min s32  %08x %08x\n", (unsigned)mx, (unsigned)mn);
    uint8_t m8 = 0;
    for (int i = 0; i < N; i++)
        m8 = a8[i] > m8 ? a8[i] : m8;
    printf("max u8       %02x\n", m8);
    uint32_t bits = 0;
    for (int i = 0; i < N; i++)
        bits += __builtin_popcount(u32[i]);
    printf("popcount     %08x\n", bits);
    for (int i = 0; i < N; i++)
        c16[i] = (uint16_t)(a8[i] * b8[i]) >> 4;
    printf("mul u8->u16  %016llx\n", (unsigned long long)mix(c16, sizeof c16));
    for (int i = 0; i < N; i++)
        c8[i] = (uint8_t)(u32[i] >> 7);
    printf("narrow u32   %016llx\n", (unsigned long long)mix(c8, N));
    for (int i = 0; i < N; i++)
        c32[i] = a32[i] < 0 ? -a32[i] : a32[i];
    printf("abs s32      %016llx\n", (unsigned long long)mix(c32, sizeof c32));
    for (int i = 0; i < N; i++)
        c8[i] = text[i] >= 'a' && text[i] <= 'z' ? text[i] - 32 : text[i];
    printf("toupper      %.32s %016llx\n", (char *)c8, (unsigned long long)mix(c8, N));
    int count = 0;
    for (int i = 0; i < N; i++)
        count += text[i] == 'e';
    printf("count e      %d\n", count);
    for (int i = 0; i < N / 2; i++) {
        c16[2 * i] = a16[i];
        c16[2 * i + 1] = b16[i];
    }
    printf("interleave   %016llx\n", (unsigned long long)mix(c16, sizeof c16));
    int32_t s0 = 0, s1 = 0, s2 = 0;
    for (int i = 0; i + 2 < N; i += 3) {
        s0 += a8[i];
        s1 += a8[i + 1] ^ b8[i];
        s2 += a8[i + 2] * 3;
    }
    printf("stride 3     %08x %08x %08x\n", (unsigned)s0, (unsigned)s1, (unsigned)s2);
    for (int i = 0; i < N; i++)
        c8[N - 1 - i] = a8[i];
    printf("reverse      %016llx\n", (unsigned long long)mix(c8, N));
    printf("sum u8       %016llx\n", (unsigned long long)sum_u8(a8, N));
    printf("strlen       %zu %zu\n", strlen(text), strlen(text + 17));
    printf("memchr       %td\n", (char *)memchr(text, 'q', N) - text);
    printf("strcmp       %d\n", strcmp(text, text + 1) > 0);
}

int main(void)
{
    fill();
    kernels();
    return 0;
}
