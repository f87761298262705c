/* Sorting: libc qsort with a comparison callback, a hand-written quicksort
 * (median of three + insertion sort), and a merge sort of strings' keys.
 * Usage: sort [scale] (default 100). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 88172645463325252ull;
static uint32_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)rng; }

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void isort(int32_t *v, long n) {
    for (long i = 1; i < n; i++) {
        int32_t t = v[i]; long j = i - 1;
        while (j >= 0 && v[j] > t) { v[j + 1] = v[j]; j--; }
        v[j + 1] = t;
    }
}

static void qsort_hand(int32_t *v, long n) {
    while (n > 16) {
        int32_t a = v[0], b = v[n / 2], c = v[n - 1];
        int32_t p = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        long i = 0, j = n - 1;
        for (;;) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i >= j) break;
            int32_t t = v[i]; v[i] = v[j]; v[j] = t; i++; j--;
        }
        if (j + 1 < n - j - 1) { qsort_hand(v, j + 1); v += j + 1; n -= j + 1; }
        else { qsort_hand(v + j + 1, n - j - 1); n = j + 1; }
    }
    isort(v, n);
}

static void msort(uint64_t *v, uint64_t *tmp, long n) {
    if (n < 2) return;
    long h = n / 2;
    msort(v, tmp, h); msort(v + h, tmp, n - h);
    long i = 0, j = h, k = 0;
    while (i < h && j < n) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
    while (i < h) tmp[k++] = v[i++];
    while (j < n) tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int main(int argc, char **argv) {
    long scale = argc > 1 ? atol(argv[1]) : 100;
    long n = 12000 * scale;
    uint32_t *u = malloc(n * sizeof *u);
    int32_t *s = malloc(n * sizeof *s);
    uint64_t *m = malloc(n * sizeof *m), *tmp = malloc(n * sizeof *tmp);
    for (long i = 0; i < n; i++) { u[i] = next(); s[i] = (int32_t)next(); m[i] = ((uint64_t)next() << 32) | next(); }
    qsort(u, n, sizeof *u, cmp_u32);
    qsort_hand(s, n);
    msort(m, tmp, n);
    uint64_t h = 1469598103934665603ull;
    for (long i = 0; i < n; i++) {
        if (i && (u[i - 1] > u[i] || s[i - 1] > s[i] || m[i - 1] > m[i])) { printf("NOT SORTED at %ld\n", i); return 1; }
        h = (h ^ u[i] ^ (uint32_t)s[i] ^ m[i]) * 1099511628211ull;
    }
    printf("sort n=%ld median=%u hash=%016llx\n", n, u[n / 2], (unsigned long long)h);
    free(u); free(s); free(m); free(tmp);
    return 0;
}
