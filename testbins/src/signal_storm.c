/* A signal storm against a thread blocked in read() without SA_RESTART:
 * every signal must interrupt the read (EINTR); none may be lost between
 * the check for pending signals and the kernel starting to wait. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <errno.h>
#include <stdatomic.h>
static atomic_int handled, eintr, ready;
static int p[2];
static void h(int s) { handled++; }
static void *reader(void *a) {
    char c;
    for (int i = 0; i < 2000; i++) {
        ready = 1;
        if (read(p[0], &c, 1) < 0 && errno == EINTR) eintr++;
    }
    return 0;
}
int main(void) {
    struct sigaction sa = {0}; sa.sa_handler = h; sigaction(SIGUSR1, &sa, 0);
    pipe(p);
    pthread_t t; pthread_create(&t, 0, reader, 0);
    for (int i = 0; i < 2000; i++) {
        while (!ready) ;
        ready = 0;
        int before = eintr;
        /* A signal that lands before the reader enters read() is handled
         * without interrupting it: send again until the read comes back. */
        for (int spins = 0; eintr == before; spins++)
            if (spins % 100000 == 0) pthread_kill(t, SIGUSR1);
    }
    pthread_join(t, 0);
    printf("eintr=%d handled>=eintr: %d\n", (int)eintr, handled >= eintr);
    return 0;
}
