/* Code generated at run time while other threads run: every thread must
 * see the new code once it is published the way Linux says.
 *
 *   rewrite  the main thread rewrites a function the workers keep calling
 *            and publishes each version after riscv_flush_icache (all
 *            threads); a worker that has seen version k must get >= k.
 *   fencei   each worker rewrites and runs its own function with a local
 *            fence.i, many times, while the others do the same.
 *   remap    the main thread replaces a code page (munmap + mmap at the
 *            same address, new code) while the workers call another one.
 *
 * Output is the same on every run. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WORKERS 3
#define VERSIONS 2000
#define RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

typedef long (*fn)(long);

static uint32_t addi_a0(int imm) { return (uint32_t)(imm << 20) | (10 << 15) | (10 << 7) | 0x13; } /* addi a0, a0, imm */
#define RET 0x00008067u                                                                       /* jalr zero, 0(ra) */

/* f(x) = x + k */
static void emit(uint32_t *at, int k) {
    at[0] = addi_a0(k);
    at[1] = RET;
}

static void flush_all_threads(void *start, void *end) { syscall(259 /* riscv_flush_icache */, start, end, 0); }

static void *page(void) {
    void *p = mmap(0, 4096, RWX, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        _exit(1);
    }
    return p;
}

static atomic_long version;
static atomic_int stop;
static uint32_t *shared_fn;

/* Some ordinary work between calls: calls, returns and indirect jumps. */
static long mix(long x) { return (x * 2654435761u) ^ (x >> 7); }
static long (*const ops[2])(long) = {mix, labs};

static void *rewrite_worker(void *arg) {
    (void)arg;
    long stale = 0, calls = 0, acc = 0;
    while (!atomic_load(&stop) || calls < 1000) {
        long seen = atomic_load(&version);
        long got = ((fn)shared_fn)(0);
        if (got < seen) stale++;
        acc += ops[calls & 1](calls);
        calls++;
    }
    (void)acc;
    return (void *)stale;
}

static int rewrite(void) {
    shared_fn = page();
    emit(shared_fn, 0);
    flush_all_threads(shared_fn, shared_fn + 2);
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], 0, rewrite_worker, 0);
    for (int k = 1; k <= VERSIONS; k++) {
        emit(shared_fn, k);
        flush_all_threads(shared_fn, shared_fn + 2);
        atomic_store(&version, k);
        if (k % 200 == 0) usleep(1000);
    }
    atomic_store(&stop, 1);
    long stale = 0;
    for (int i = 0; i < WORKERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        stale += (long)r;
    }
    printf("rewrite: %d versions, stale results seen: %ld, final f(0) = %ld\n", VERSIONS,
           stale, ((fn)shared_fn)(0));
    return stale != 0;
}

static void *fencei_worker(void *arg) {
    long id = (long)arg, wrong = 0;
    uint32_t *code = page();
    for (int i = 0; i < 300; i++) {
        int k = (int)(id * 500 + i);
        emit(code, k);
        __asm__ volatile("fence.i" ::: "memory");
        if (((fn)code)(1) != k + 1) wrong++;
    }
    return (void *)wrong;
}

static int fencei(void) {
    pthread_t t[WORKERS];
    for (long i = 0; i < WORKERS; i++) pthread_create(&t[i], 0, fencei_worker, (void *)i);
    long wrong = 0;
    for (int i = 0; i < WORKERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        wrong += (long)r;
    }
    printf("fencei: %d threads x 300 rewrites, wrong results: %ld\n", WORKERS, wrong);
    return wrong != 0;
}

static void *remap_worker(void *arg) {
    fn f = (fn)arg;
    long sum = 0;
    for (long i = 0; i < 200000; i++) sum += f(i) - i;
    return (void *)sum;
}

static int remap(void) {
    uint32_t *steady = page();
    emit(steady, 3);
    flush_all_threads(steady, steady + 2);
    uint32_t *moving = page();
    pthread_t t[WORKERS];
    for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], 0, remap_worker, steady);
    long wrong = 0;
    for (int k = 0; k < 500; k++) {
        munmap(moving, 4096);
        uint32_t *again = mmap(moving, 4096, RWX, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (again != moving) {
            perror("mmap fixed");
            return 1;
        }
        /* Hardware would also want a fence.i here; an emulator must drop
         * what it translated from the old page in any case. */
        emit(moving, k);
        if (((fn)moving)(10) != 10 + k) wrong++;
    }
    long sum = 0;
    for (int i = 0; i < WORKERS; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    printf("remap: 500 remaps, wrong results: %ld, workers' sum: %ld\n", wrong, sum);
    return wrong != 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "rewrite")) return rewrite();
    if (!strcmp(mode, "fencei")) return fencei();
    if (!strcmp(mode, "remap")) return remap();
    fprintf(stderr, "usage: smc_threads rewrite|fencei|remap\n");
    return 2;
}
