/* Driver of the generated instructions (gen.py): fills v0-v7 and x0-x7
 * and the scratch buffer with edge-heavy pseudo-random bytes (v3: small
 * signed shift counts), runs
 * them, prints each one's dumped state as a hex line. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
void run_all(const uint8_t *state, uint8_t *out);
#define PER (128 + 64 + 8 + 8 + 64)
int main(int argc, char **argv) {
    int n = atoi(argv[1]);
    static uint8_t state[256];
    uint64_t x = 0x1234567;
    static const uint8_t edge[] = {0, 0x7f, 0x80, 0xff, 1, 0xfe};
    for (int i = 0; i < 256; i++) { x = x * 6364136223846793005ull + 1442695040888963407ull; state[i] = (x >> 20) % 3 == 0 ? edge[(x >> 8) % 6] : x >> 56; }
    /* small shift counts in v3's bytes */
    for (int i = 48; i < 64; i++) state[i] = (int8_t)(state[i] % 41) - 20;
    uint8_t *out = calloc(n, PER);
    run_all(state, out);
    for (int k = 0; k < n; k++) {
        printf("%d", k);
        for (int i = 0; i < PER; i++) printf("%s%02x", i % 16 ? "" : " ", out[k * PER + i]);
        printf("\n");
    }
}
