/* gdb_target: a program for the debugger tests (tests/gdb.rs), built with
 * -O0 -g. Modes:
 *   (none)   a loop calling square(); exits with the sum (5)
 *   threads  two named worker threads meet main at a barrier in worker()
 *   segv     a store through a bad pointer
 *   spin     loops until a debugger interrupts it */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int counter;
volatile int watched;
static pthread_barrier_t barrier;

int square(int x) {
    int y = x * x;
    return y;
}

/* Where the debugger tests stop each worker: named by then. */
void reached(long id) { watched = (int)id; }

void *worker(void *arg) {
    long id = (long)arg;
    char name[16];
    snprintf(name, sizeof name, "worker-%ld", id);
    pthread_setname_np(pthread_self(), name);
    reached(id);
    pthread_barrier_wait(&barrier);
    return (void *)id;
}

static int threads(void) {
    pthread_t t[2];
    pthread_barrier_init(&barrier, 0, 3);
    for (long i = 0; i < 2; i++) {
        pthread_create(&t[i], 0, worker, (void *)(i + 1));
    }
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 2; i++) pthread_join(t[i], 0);
    printf("threads done\n");
    return 0;
}

static int spin(void) {
    for (;;) counter++;
}

static int segv(void) {
    volatile int *bad = (int *)0x1234;
    *bad = 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "threads")) return threads();
    if (argc > 1 && !strcmp(argv[1], "segv")) return segv();
    if (argc > 1 && !strcmp(argv[1], "spin")) return spin();
    int total = 0;
    for (int i = 0; i < 3; i++) {
        total += square(i);
        counter++;
    }
    printf("total %d\n", total);
    return total;
}
