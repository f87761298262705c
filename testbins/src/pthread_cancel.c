/* pthread_cancel: deferred cancellation at a cancellation point, and
 * cancellation of a thread blocked in read() (glibc sends it signal 32,
 * SIGCANCEL, which the emulator's own libc keeps to itself on the host).
 * Cleanup handlers run in both cases. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int cleanups;
static void cleanup(void *arg) { cleanups += (int)(long)arg; }

static void *spin(void *arg) {
    pthread_cleanup_push(cleanup, (void *)1);
    for (;;) {
        pthread_testcancel();
        usleep(1000);
    }
    pthread_cleanup_pop(0);
    return 0;
}

static void *blocked(void *arg) {
    int p[2];
    char c;
    pipe(p);
    pthread_cleanup_push(cleanup, (void *)10);
    read(p[0], &c, 1);
    pthread_cleanup_pop(0);
    return 0;
}

int main(void) {
    pthread_t t;
    void *r;
    pthread_create(&t, 0, spin, 0);
    usleep(20000);
    pthread_cancel(t);
    pthread_join(t, &r);
    printf("spinning thread canceled: %d\n", r == PTHREAD_CANCELED);
    pthread_create(&t, 0, blocked, 0);
    usleep(20000);
    pthread_cancel(t);
    pthread_join(t, &r);
    printf("blocked thread canceled: %d\n", r == PTHREAD_CANCELED);
    printf("cleanup handlers: %d\n", cleanups);
    return 0;
}
