/* A signal storm against a thread blocked in read() without SA_RESTART:
 * every round, the main thread signals the reader until its read() fails
 * with EINTR; no signal may be lost between the check for pending signals
 * and the kernel starting to wait (the reader would then block forever). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

static atomic_int handled, eintr, ready, done;
static int p[2];

static void h(int s) { handled++; }

static void *reader(void *a) {
    char c;
    while (!done) {
        ready = 1;
        if (read(p[0], &c, 1) < 0 && errno == EINTR) eintr++;
    }
    return 0;
}

int main(void) {
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sigaction(SIGUSR1, &sa, 0);
    pipe(p);
    pthread_t t;
    pthread_create(&t, 0, reader, 0);
    for (int i = 0; i < 2000; i++) {
        while (!ready)
            ;
        ready = 0;
        int before = eintr;
        /* A signal that lands before the reader enters read() is handled
         * without interrupting it: send again until the read comes back. */
        for (int spins = 0; eintr == before; spins++)
            if (spins % 100000 == 0) pthread_kill(t, SIGUSR1);
    }
    done = 1;
    write(p[1], "x", 1); /* ends the last read */
    pthread_join(t, 0);
    printf("2000 rounds: interrupted reads >= 2000: %d, handled >= interrupted: %d\n",
           eintr >= 2000, handled >= eintr);
    return 0;
}
