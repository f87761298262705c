/* Integer math: sieve of Eratosthenes, modular exponentiation, gcd, collatz,
 * 64-bit multiply/divide mix.  Usage: intmath [scale] (default 100). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
    uint64_t r = 1;
    b %= m;
    while (e) {
        if (e & 1) r = (r * b) % m;
        b = (b * b) % m;
        e >>= 1;
    }
    return r;
}

static uint64_t gcd(uint64_t a, uint64_t b) {
    while (b) { uint64_t t = a % b; a = b; b = t; }
    return a;
}

int main(int argc, char **argv) {
    long scale = argc > 1 ? atol(argv[1]) : 100;
    uint64_t sum = 0;
    /* sieve */
    long n = 100000 * scale;
    unsigned char *comp = calloc(n + 1, 1);
    long primes = 0;
    for (long i = 2; i <= n; i++) {
        if (!comp[i]) {
            primes++;
            sum += (uint64_t)i * (uint64_t)primes;
            for (long j = i * i; j <= n; j += i) comp[j] = 1;
        }
    }
    free(comp);
    /* modexp (32-bit modulus so products fit) */
    for (long i = 1; i <= 6000 * scale; i++)
        sum ^= powmod((uint64_t)i * 2654435761u, (uint64_t)i + 12345, 4294967291u) + (uint64_t)i;
    /* gcd */
    for (long i = 1; i <= 10000 * scale; i++)
        sum += gcd((uint64_t)i * 7919u + 1, (uint64_t)i * 104729u + 3);
    /* collatz */
    uint64_t maxsteps = 0;
    for (long i = 1; i <= 10000 * scale; i++) {
        uint64_t x = (uint64_t)i, steps = 0;
        while (x != 1) { x = (x & 1) ? 3 * x + 1 : x >> 1; steps++; }
        if (steps > maxsteps) maxsteps = steps;
        sum += steps;
    }
    /* signed division / 32-bit ops */
    uint32_t acc = 1;
    for (long i = 1; i <= 150000 * scale; i++) {
        int32_t v = (int32_t)(i * 2246822519u);
        acc = acc * 31u + (uint32_t)(v / (int32_t)(i % 97 + 1)) - (uint32_t)(v % 13);
    }
    printf("intmath primes=%ld maxsteps=%llu acc=%u sum=%llu\n", primes,
           (unsigned long long)maxsteps, acc, (unsigned long long)sum);
    return 0;
}
