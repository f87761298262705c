/* threads_signals: signals in a multi-threaded process.  One sub-test per
 * argument:
 *   pthread_kill  pthread_kill to each of 4 threads (and to main): the handler
 *                 runs in the target thread (checked with a __thread id and
 *                 gettid), with the target's alternate signal mask
 *   blocked       a process-directed kill() while SIGUSR2 is blocked in every
 *                 thread but one: that thread runs the handler
 *   busyloop      SIGALRM (setitimer) ends a pure-computation loop polling a
 *                 volatile flag, in the main thread and then in a worker
 *                 thread (main blocks SIGALRM): the emulator must deliver
 *                 signals to code that never makes a syscall
 *   exit_group    exit(7) from a worker while the other threads sleep in
 *                 futex waits (condvar, join): process exit status 7
 *   mainexit      pthread_exit in main; the last worker's return ends the
 *                 process with status 0 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

static __thread int my_id = -1;          /* 0 = main, 1.. = workers */
static pid_t tids[8];

static void xcreate(pthread_t *t, const pthread_attr_t *at, void *(*fn)(void *), void *arg)
{
    int e = pthread_create(t, at, fn, arg);
    if (e) { printf("pthread_create: %s\n", strerror(e)); exit(1); }
}
static void handle(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}
static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(how, &s, NULL);
}

/* ---- pthread_kill ---- */
static volatile int handled_by[8], handled_tid_ok[8], handled_usr2_blocked[8];
static void who_handler(int sig)
{
    (void)sig;
    int id = my_id;
    sigset_t cur;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    handled_tid_ok[id] = gettid() == tids[id];
    handled_usr2_blocked[id] = sigismember(&cur, SIGUSR2);
    handled_by[id] = id + 100;
}
static pthread_barrier_t bar;
static void *pk_worker(void *a)
{
    my_id = (int)(long)a;
    tids[my_id] = gettid();
    if (my_id % 2) mask(SIG_BLOCK, SIGUSR2);   /* odd threads: distinct masks */
    pthread_barrier_wait(&bar);
    while (!handled_by[my_id]) usleep(1000);
    return NULL;
}
static void t_pthread_kill(void)
{
    my_id = 0;
    tids[0] = gettid();
    handle(SIGUSR1, who_handler);
    pthread_barrier_init(&bar, NULL, 5);
    pthread_t t[5];
    for (long i = 1; i <= 4; i++) xcreate(&t[i], NULL, pk_worker, (void *)i);
    pthread_barrier_wait(&bar);
    for (int i = 4; i >= 1; i--) CHECK(pthread_kill(t[i], SIGUSR1) == 0);
    CHECK(pthread_kill(pthread_self(), SIGUSR1) == 0);
    for (int i = 1; i <= 4; i++) pthread_join(t[i], NULL);
    for (int i = 0; i <= 4; i++)
        printf("pthread_kill: thread %d: handler ran with id %d, tid matches %d, USR2 blocked %d\n",
               i, handled_by[i] - 100, handled_tid_ok[i], handled_usr2_blocked[i]);
}

/* ---- blocked ---- */
static volatile int usr2_handler_id = -1, usr2_count;
static void usr2_handler(int sig) { (void)sig; usr2_handler_id = my_id; usr2_count++; }
static void *bl_worker(void *a)
{
    my_id = (int)(long)a;
    if (my_id == 2) mask(SIG_UNBLOCK, SIGUSR2);
    pthread_barrier_wait(&bar);      /* masks set */
    if (my_id == 2) while (!usr2_count) usleep(1000);
    pthread_barrier_wait(&bar);      /* handled */
    return NULL;
}
static void t_blocked(void)
{
    my_id = 0;
    handle(SIGUSR2, usr2_handler);
    mask(SIG_BLOCK, SIGUSR2);        /* inherited by the workers */
    pthread_barrier_init(&bar, NULL, 4);
    pthread_t t[4];
    for (long i = 1; i <= 3; i++) xcreate(&t[i], NULL, bl_worker, (void *)i);
    pthread_barrier_wait(&bar);
    CHECK(kill(getpid(), SIGUSR2) == 0);
    pthread_barrier_wait(&bar);
    for (int i = 1; i <= 3; i++) pthread_join(t[i], NULL);
    sigset_t pend;
    sigpending(&pend);
    printf("blocked: handled by thread %d, %d time(s), still pending %d\n",
           usr2_handler_id, usr2_count, sigismember(&pend, SIGUSR2));
}

/* ---- busyloop ---- */
static volatile sig_atomic_t stop;
static volatile int alrm_id = -1;
static void alrm_handler(int sig) { (void)sig; stop = 1; alrm_id = my_id; }
static unsigned long spin(void)
{
    unsigned long x = 1, n = 0;
    while (!stop) { x = x * 6364136223846793005UL + 1442695040888963407UL; n++; }
    return x + n > 0;    /* depends on the loop; always 1 */
}
static void arm(void)
{
    struct itimerval it = { {0, 0}, {0, 50000} };
    stop = 0;
    setitimer(ITIMER_REAL, &it, NULL);
}
static void *busy_worker(void *a)
{
    my_id = (int)(long)a;
    mask(SIG_UNBLOCK, SIGALRM);      /* the mask was inherited from main */
    return (void *)spin();
}
static void t_busyloop(void)
{
    my_id = 0;
    handle(SIGALRM, alrm_handler);
    arm();
    unsigned long r = spin();
    printf("busyloop: main loop stopped (%lu), handler ran in thread %d\n", r, alrm_id);
    mask(SIG_BLOCK, SIGALRM);
    pthread_t t;
    stop = 0;
    xcreate(&t, NULL, busy_worker, (void *)1);
    arm();
    void *ret;
    pthread_join(t, &ret);
    printf("busyloop: worker loop stopped (%lu), handler ran in thread %d\n", (unsigned long)ret, alrm_id);
}

/* ---- exit_group ---- */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static atomic_int waiting;
static void *sleeper(void *a)
{
    (void)a;
    pthread_mutex_lock(&mu);
    atomic_fetch_add(&waiting, 1);
    for (;;) pthread_cond_wait(&never, &mu);
    return NULL;
}
static void *exiter(void *a)
{
    (void)a;
    while (atomic_load(&waiting) < 3) usleep(1000);
    usleep(20000);     /* let them block in the kernel */
    printf("exit_group: worker calling exit(7)\n");
    exit(7);
}
static void atexit_fn(void) { printf("exit_group: atexit handler ran\n"); }
static void t_exit_group(void)
{
    atexit(atexit_fn);
    pthread_t t[4];
    for (int i = 0; i < 3; i++) xcreate(&t[i], NULL, sleeper, NULL);
    xcreate(&t[3], NULL, exiter, NULL);
    pthread_join(t[0], NULL);
    printf("exit_group: main woke up?!\n");
}

/* ---- mainexit ---- */
static void *last_one(void *a)
{
    (void)a;
    usleep(30000);
    printf("mainexit: worker finishing after main's pthread_exit\n");
    fflush(stdout);
    return NULL;
}
static void t_mainexit(void)
{
    pthread_t t;
    xcreate(&t, NULL, last_one, NULL);
    printf("mainexit: main calling pthread_exit\n");
    fflush(stdout);
    pthread_exit(NULL);
}

static const struct { const char *name; void (*fn)(void); } tests[] = {
    {"pthread_kill", t_pthread_kill}, {"blocked", t_blocked}, {"busyloop", t_busyloop},
    {"exit_group", t_exit_group}, {"mainexit", t_mainexit},
};

int main(int argc, char **argv)
{
    if (argc != 2) { printf("usage: threads_signals TEST\n"); return 2; }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (strcmp(argv[1], tests[i].name) == 0) {
            tests[i].fn();
            printf("%s: %s\n", argv[1], failures ? "FAILED" : "done");
            return failures != 0;
        }
    printf("unknown test %s\n", argv[1]);
    return 2;
}
