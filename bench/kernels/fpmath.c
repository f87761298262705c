/* Floating point: n-body simulation (double), mandelbrot (double), a float
 * matrix multiply.  Only + - * / and sqrt, built with -ffp-contract=off, so
 * riscv64 and x86-64 produce bit-identical results.
 * Usage: fpmath [scale] (default 100). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NB 5
static double px[NB], py[NB], pz[NB], vx[NB], vy[NB], vz[NB], m[NB];

static void nbody_init(void) {
    for (int i = 0; i < NB; i++) {
        px[i] = i * 1.5 - 3.0; py[i] = (i % 2) ? 0.5 * i : -0.25 * i; pz[i] = 0.1 * i;
        vx[i] = 0.01 * (i - 2); vy[i] = 0.02 * (2 - i); vz[i] = 0.005 * i;
        m[i] = 1.0 + 0.3 * i;
    }
}

static void nbody_step(double dt) {
    for (int i = 0; i < NB; i++)
        for (int j = i + 1; j < NB; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double mag = dt / (d2 * sqrt(d2));
            vx[i] -= dx * m[j] * mag; vy[i] -= dy * m[j] * mag; vz[i] -= dz * m[j] * mag;
            vx[j] += dx * m[i] * mag; vy[j] += dy * m[i] * mag; vz[j] += dz * m[i] * mag;
        }
    for (int i = 0; i < NB; i++) { px[i] += dt * vx[i]; py[i] += dt * vy[i]; pz[i] += dt * vz[i]; }
}

static double energy(void) {
    double e = 0;
    for (int i = 0; i < NB; i++) {
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
        for (int j = i + 1; j < NB; j++) {
            double dx = px[i] - px[j], dy = py[i] - py[j], dz = pz[i] - pz[j];
            e -= m[i] * m[j] / sqrt(dx * dx + dy * dy + dz * dz + 0.01);
        }
    }
    return e;
}

int main(int argc, char **argv) {
    long scale = argc > 1 ? atol(argv[1]) : 100;
    nbody_init();
    for (long s = 0; s < 30000 * scale; s++) nbody_step(0.001);
    double e = energy();

    long iters = 0;
    int side = 40 + 4 * (int)scale;
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            double cr = -2.0 + 2.5 * x / side, ci = -1.25 + 2.5 * y / side;
            double zr = 0, zi = 0;
            int k = 0;
            while (k < 500 && zr * zr + zi * zi < 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                k++;
            }
            iters += k;
        }

    int n = 96;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n),
          *c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) { a[i] = (float)((i * 7) % 17) / 8.0f; b[i] = (float)((i * 11) % 13) / 4.0f - 1.0f; }
    double tr = 0;
    for (long rep = 0; rep < scale / 2 + 1; rep++) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
                c[i * n + j] = s;
            }
        for (int i = 0; i < n; i++) tr += c[i * n + i];
        a[rep % (n * n)] += 0.5f;
    }
    printf("fpmath energy=%.12e mandel=%ld trace=%.6f\n", e, iters, tr);
    free(a); free(b); free(c);
    return 0;
}
