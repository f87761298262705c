/* strings: libc string/memory routines, qsort and printf formatting
 * (integers, strings, %g %e %f %a of doubles).  Everything is printed. */
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv(const void *p, size_t n)
{
    const unsigned char *c = p;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 16777619u;
    return h;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int sgn(int x) { return (x > 0) - (x < 0); }

int main(void)
{
    /* memcpy / memmove / memset over many alignments and lengths; the
     * vectorised libc paths get exercised by the odd offsets */
    static unsigned char src[1024], dst[1024];
    for (int i = 0; i < 1024; i++)
        src[i] = (unsigned char)(i * 37 + 11);
    uint32_t h = 0;
    for (int so = 0; so < 8; so++)
        for (int d0 = 0; d0 < 8; d0++)
            for (int len = 0; len < 300; len += 7) {
                memset(dst, 0xee, sizeof dst);
                memcpy(dst + d0, src + so, len);
                h = h * 31 + fnv(dst, 320);
            }
    printf("memcpy grid hash %08x\n", h);
    h = 0;
    for (int shift = -9; shift <= 9; shift++)
        for (int len = 0; len < 200; len += 13) {
            memcpy(dst, src, 512);
            memmove(dst + 100 + shift, dst + 100, len);
            h = h * 31 + fnv(dst, 512);
        }
    printf("memmove overlap hash %08x\n", h);
    h = 0;
    for (int o = 0; o < 16; o++)
        for (int len = 0; len < 100; len += 3) {
            memset(dst, 0, 200);
            memset(dst + o, 0xa0 + o, len);
            h = h * 31 + fnv(dst, 200);
        }
    printf("memset hash %08x\n", h);
    printf("memcmp: %d %d %d\n", sgn(memcmp("abcd", "abce", 4)), sgn(memcmp("abcd", "abcd", 4)),
           sgn(memcmp("\xff", "\x01", 1)));

    /* strlen at every alignment */
    char buf[128];
    int lens = 0;
    for (int o = 0; o < 16; o++)
        for (int l = 0; l < 40; l++) {
            memset(buf, 'x', sizeof buf);
            buf[o + l] = 0;
            lens += strlen(buf + o) == (size_t)l;
        }
    printf("strlen correct %d/640\n", lens);

    const char *s = "the quick brown fox jumps over the lazy dog";
    printf("strcmp: %d %d %d %d\n", sgn(strcmp("abc", "abd")), sgn(strcmp("abc", "abc")),
           sgn(strcmp("abcd", "abc")), sgn(strcmp("\x80", "a")));
    printf("strncmp: %d %d\n", sgn(strncmp("abcX", "abcY", 3)), sgn(strncmp("abcX", "abcY", 4)));
    printf("strcasecmp: %d\n", strcasecmp("HeLLo", "hello"));
    printf("strchr 'q': %td, strrchr 'o': %td, strchr 'Z': %s, strchr NUL: %td\n",
           strchr(s, 'q') - s, strrchr(s, 'o') - s, strchr(s, 'Z') ? "found" : "null", strchr(s, 0) - s);
    printf("strstr \"fox\": %td, \"the\" last: %td, \"cat\": %s, \"\": %td\n", strstr(s, "fox") - s,
           strstr(s + 1, "the") - s, strstr(s, "cat") ? "found" : "null", strstr(s, "") - s);
    printf("memchr 'z': %td, strspn: %zu, strcspn: %zu\n", (const char *)memchr(s, 'z', strlen(s)) - s,
           strspn(s, "the "), strcspn(s, "xyz"));
    char cat[64] = "abc";
    strcat(cat, "def");
    strncat(cat, "ghijkl", 3);
    printf("strcat: %s\n", cat);
    char cp[16];
    strncpy(cp, "hi", sizeof cp);
    int padded = 1;
    for (int i = 2; i < 16; i++)
        padded &= cp[i] == 0;
    printf("strncpy pads: %s\n", padded ? "yes" : "no");
    char *dup = strdup(s);
    char *save, *tok;
    printf("strtok_r:");
    for (tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        printf(" [%s]", tok);
    printf("\n");
    free(dup);

    /* conversions */
    char *end;
    printf("strtol: %ld %ld %ld %ld\n", strtol("  -12345xyz", &end, 10), strtol("0x7fff", NULL, 16),
           strtol("777", NULL, 8), strtol("zz", NULL, 36));
    printf("strtol end: \"%s\"\n", end);
    printf("strtoul overflow: %lu\n", strtoul("99999999999999999999999", NULL, 10));
    printf("strtoll min: %lld\n", strtoll("-9223372036854775808", NULL, 10));
    printf("atoi: %d\n", atoi("  42abc"));
    printf("strtod: %.17g %.17g %.17g\n", strtod("3.14159", NULL), strtod("1e-310", NULL), strtod("-0x1.8p3", NULL));

    /* qsort */
    int arr[200];
    uint32_t x = 12345;
    for (int i = 0; i < 200; i++) {
        x = x * 1103515245u + 12345u;
        arr[i] = (int)(x >> 8) % 1000 - 500;
    }
    qsort(arr, 200, sizeof arr[0], cmp_int);
    int sorted = 1;
    for (int i = 1; i < 200; i++)
        sorted &= arr[i - 1] <= arr[i];
    printf("qsort ints: sorted %s, min %d, max %d, median %d, hash %08x\n", sorted ? "yes" : "no", arr[0],
           arr[199], arr[100], fnv(arr, sizeof arr));
    const char *words[] = { "pear", "apple", "fig", "banana", "cherry", "apple2", "Zebra", "date" };
    qsort(words, 8, sizeof words[0], cmp_str);
    printf("qsort strings:");
    for (int i = 0; i < 8; i++)
        printf(" %s", words[i]);
    printf("\n");

    /* integer formats */
    printf("ints: [%d] [%5d] [%-5d] [%05d] [%+d] [% d] [%x] [%X] [%#x] [%o] [%#o] [%u]\n", 42, 42, 42, 42, 42,
           42, 255, 255, 255, 8, 8, -1);
    printf("longs: [%ld] [%lu] [%lx] [%lld] [%" PRId64 "] [%" PRIx64 "]\n", LONG_MIN, ULONG_MAX, LONG_MAX,
           LLONG_MIN, (int64_t)-1, (uint64_t)0xdeadbeefcafeULL);
    printf("short/char: [%hd] [%hhd] [%hu] [%hhx]\n", (short)70000, (signed char)200, (unsigned short)-1,
           (unsigned char)511);
    printf("strings: [%s] [%10s] [%-10s] [%.3s] [%c] [%%] [%5c]\n", "abc", "right", "left", "truncate", 'Z', '*');
    printf("star: [%*d] [%-*d] [%.*f]\n", 6, 7, 6, 7, 2, 3.14159);
    int cnt;
    printf("count%n", &cnt);
    printf(" -> %d\n", cnt);

    /* floating formats */
    const double vals[] = { 0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 2.0 / 3.0, 123456789.0, 1e-5, 1e-300,
                            1e300, 5e-324, DBL_MAX, DBL_MIN, M_PI, -M_E, 100.0, 0.5, 1e15, 1e16,
                            INFINITY, -INFINITY, NAN };
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        double v = vals[i];
        printf("%-2u g=%g e=%e f=%.3f a=%a G=%.10G .17g=%.17g\n", i, v, v, fabs(v) < 1e20 ? v : 0.0, v, v, v);
    }
    printf("float: %a %g %.9g\n", (double)1.1f, (double)FLT_MAX, (double)FLT_MIN);
    printf("rounding: %.0f %.0f %.0f %.0f %.1f %.2f\n", 0.5, 1.5, 2.5, -0.5, 0.25, 1.005);
    printf("widths: [%10.3e] [%-12g] [%+.2e] [%012.4f] [%#g] [%#.0f]\n", 1234.5678, 0.0001234, 9.999, -3.14159,
           1.0, 2.0);

    /* snprintf truncation and return value */
    char small[8];
    int rn = snprintf(small, sizeof small, "%s-%d", "abcdefgh", 12345);
    printf("snprintf truncation: ret %d, buf \"%s\"\n", rn, small);
    rn = snprintf(NULL, 0, "%g|%e", 1e100, 2.5);
    printf("snprintf NULL ret %d\n", rn);
    /* sscanf */
    int a1;
    double d1;
    char w[16];
    int got = sscanf("  17 2.5e3 word", "%d %lf %15s", &a1, &d1, w);
    printf("sscanf: %d -> %d %g %s\n", got, a1, d1, w);
    return 0;
}
