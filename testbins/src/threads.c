/* threads: pthreads and C11 atomics.  One sub-test per argument:
 *   create   200 threads created and joined in waves of 20 (return values)
 *   mutex    8 threads x 20000 locked increments of a shared counter
 *   condvar  3 producers / 3 consumers through a bounded queue of 4 slots
 *   barrier  6 threads x 50 pthread_barrier_wait rounds (serial thread count)
 *   rwlock   readers check an invariant that writers keep under the wrlock
 *   atomics  atomic_fetch_add (AMO), CAS loops (LR/SC), exchange, fetch_or
 *   tls      __thread variables: initial value per thread, private updates
 *   exit     pthread_exit from a nested call while other threads run
 *   detach   detached threads finishing (semaphore) before main reads a counter
 *   once     pthread_once called by 16 threads runs the init routine once
 *   tsd      pthread_key_create destructor called once per non-NULL value
 * All output comes from the main thread after the joins. */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s\n", __LINE__, #cond); failures++; } } while (0)

static void start(pthread_t *t, void *(*fn)(void *), long arg)
{
    int e = pthread_create(t, NULL, fn, (void *)arg);
    if (e) { printf("pthread_create: %s\n", strerror(e)); exit(1); }
}
static long join(pthread_t t)
{
    void *r;
    int e = pthread_join(t, &r);
    if (e) { printf("pthread_join: %s\n", strerror(e)); exit(1); }
    return (long)r;
}

/* ---- create ---- */
static void *square(void *a) { long x = (long)a; return (void *)(x * x); }
static void t_create(void)
{
    long sum = 0;
    for (int wave = 0; wave < 10; wave++) {
        pthread_t t[20];
        for (int i = 0; i < 20; i++) start(&t[i], square, wave * 20 + i);
        for (int i = 0; i < 20; i++) sum += join(t[i]);
    }
    printf("create: 200 threads joined, sum of squares %ld\n", sum);
}

/* ---- mutex ---- */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static void *mutex_worker(void *a)
{
    (void)a;
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&mu);
        long v = counter;
        counter = v + 1;
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}
static void t_mutex(void)
{
    pthread_t t[8];
    for (int i = 0; i < 8; i++) start(&t[i], mutex_worker, i);
    for (int i = 0; i < 8; i++) join(t[i]);
    printf("mutex: counter %ld (expect 160000)\n", counter);
    CHECK(pthread_mutex_trylock(&mu) == 0);
    CHECK(pthread_mutex_trylock(&mu) != 0);
    CHECK(pthread_mutex_unlock(&mu) == 0);
}

/* ---- condvar ---- */
#define QCAP 4
#define PER_PRODUCER 5000
static int queue[QCAP], qhead, qlen;
static pthread_cond_t notfull = PTHREAD_COND_INITIALIZER, notempty = PTHREAD_COND_INITIALIZER;
static void *producer(void *a)
{
    long id = (long)a;
    for (int i = 1; i <= PER_PRODUCER; i++) {
        pthread_mutex_lock(&mu);
        while (qlen == QCAP) pthread_cond_wait(&notfull, &mu);
        queue[(qhead + qlen++) % QCAP] = (int)(id * 100000 + i);
        pthread_cond_signal(&notempty);
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}
static void *consumer(void *a)
{
    (void)a;
    long sum = 0;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (qlen == 0) pthread_cond_wait(&notempty, &mu);
        int v = queue[qhead];
        qhead = (qhead + 1) % QCAP; qlen--;
        pthread_cond_signal(&notfull);
        pthread_mutex_unlock(&mu);
        if (v < 0) break;
        sum += v;
    }
    return (void *)sum;
}
static void t_condvar(void)
{
    pthread_t p[3], c[3];
    for (int i = 0; i < 3; i++) start(&c[i], consumer, i);
    for (int i = 0; i < 3; i++) start(&p[i], producer, i + 1);
    for (int i = 0; i < 3; i++) join(p[i]);
    for (int i = 0; i < 3; i++) {   /* one stop marker per consumer */
        pthread_mutex_lock(&mu);
        while (qlen == QCAP) pthread_cond_wait(&notfull, &mu);
        queue[(qhead + qlen++) % QCAP] = -1;
        pthread_cond_signal(&notempty);
        pthread_mutex_unlock(&mu);
    }
    long total = 0;
    for (int i = 0; i < 3; i++) total += join(c[i]);
    printf("condvar: consumed sum %ld, queue left %d\n", total, qlen);
}

/* ---- barrier ---- */
static pthread_barrier_t bar;
static atomic_int serial_count, phase_errors;
static int slots[6];
static void *barrier_worker(void *a)
{
    long id = (long)a;
    for (int r = 0; r < 50; r++) {
        slots[id] = r;
        if (pthread_barrier_wait(&bar) == PTHREAD_BARRIER_SERIAL_THREAD)
            atomic_fetch_add(&serial_count, 1);
        for (int j = 0; j < 6; j++)      /* everyone wrote round r */
            if (slots[j] != r) atomic_fetch_add(&phase_errors, 1);
        pthread_barrier_wait(&bar);
    }
    return NULL;
}
static void t_barrier(void)
{
    pthread_t t[6];
    pthread_barrier_init(&bar, NULL, 6);
    for (int i = 0; i < 6; i++) start(&t[i], barrier_worker, i);
    for (int i = 0; i < 6; i++) join(t[i]);
    pthread_barrier_destroy(&bar);
    printf("barrier: 50 rounds, serial threads %d, phase errors %d\n",
           atomic_load(&serial_count), atomic_load(&phase_errors));
}

/* ---- rwlock ---- */
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;            /* invariant: rw_a + rw_b == 0 */
static atomic_long rw_bad, rw_reads;
static void *rw_writer(void *a)
{
    (void)a;
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_wrlock(&rw);
        rw_a++;
        for (volatile int k = 0; k < 10; k++) ;
        rw_b--;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}
static void *rw_reader(void *a)
{
    (void)a;
    for (int i = 0; i < 3000; i++) {
        pthread_rwlock_rdlock(&rw);
        if (rw_a + rw_b != 0) atomic_fetch_add(&rw_bad, 1);
        atomic_fetch_add(&rw_reads, 1);
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}
static void t_rwlock(void)
{
    pthread_t t[6];
    for (int i = 0; i < 6; i++) start(&t[i], i < 2 ? rw_writer : rw_reader, i);
    for (int i = 0; i < 6; i++) join(t[i]);
    printf("rwlock: a=%ld b=%ld reads=%ld torn=%ld\n", rw_a, rw_b,
           atomic_load(&rw_reads), atomic_load(&rw_bad));
    CHECK(pthread_rwlock_tryrdlock(&rw) == 0);
    CHECK(pthread_rwlock_trywrlock(&rw) != 0);
    CHECK(pthread_rwlock_unlock(&rw) == 0);
}

/* ---- atomics ---- */
static atomic_long a_add, a_cas, a_xchg_sum;
static atomic_int a_word;
static _Atomic uint64_t a_bits;
static atomic_uint a_minmax = 1000;
static void *atomic_worker(void *a)
{
    long id = (long)a;
    for (int i = 0; i < 10000; i++) {
        atomic_fetch_add(&a_add, id + 1);                 /* amoadd.d */
        long old = atomic_load(&a_cas), want;
        do want = old * 3 % 1000003 + 1;                  /* lr.d/sc.d */
        while (!atomic_compare_exchange_weak(&a_cas, &old, want));
        (void)want;
        atomic_fetch_add(&a_word, 1);                     /* amoadd.w */
    }
    atomic_fetch_or(&a_bits, (uint64_t)1 << (id * 7));    /* amoor.d */
    atomic_fetch_add(&a_xchg_sum, atomic_exchange(&a_word, 0)); /* amoswap.w */
    unsigned cur = atomic_load(&a_minmax);                /* CAS min */
    while (id * 10 < cur && !atomic_compare_exchange_strong(&a_minmax, &cur, (unsigned)id * 10)) ;
    return NULL;
}
static void t_atomics(void)
{
    pthread_t t[8];
    for (int i = 0; i < 8; i++) start(&t[i], atomic_worker, i);
    for (int i = 0; i < 8; i++) join(t[i]);
    /* a_cas: 80000 applications of x -> 3x+1 mod p in some order: the
     * sequence is the same whatever the interleaving. */
    long x = 0;
    for (int i = 0; i < 80000; i++) x = x * 3 % 1000003 + 1;
    printf("atomics: fetch_add %ld (expect 360000)\n", atomic_load(&a_add));
    printf("atomics: cas chain %s (%ld)\n", atomic_load(&a_cas) == x ? "ok" : "WRONG", atomic_load(&a_cas));
    printf("atomics: word adds %ld (xchg-drained) + %d left = 80000\n",
           atomic_load(&a_xchg_sum), atomic_load(&a_word));
    printf("atomics: bits %#llx, min %u\n", (unsigned long long)atomic_load(&a_bits),
           atomic_load(&a_minmax));
}

/* ---- tls ---- */
static __thread long tls_val = 12345;
static __thread char tls_buf[64];
static __thread long tls_zero;
static void *tls_worker(void *a)
{
    long id = (long)a;
    long initial_ok = tls_val == 12345 && tls_zero == 0 && tls_buf[0] == 0;
    tls_val = id * 1000;
    snprintf(tls_buf, sizeof tls_buf, "thread-%ld", id);
    for (int i = 0; i < 1000; i++) { tls_val++; tls_zero += 2; usleep(i % 100 == 0); }
    long ok = initial_ok && tls_val == id * 1000 + 1000 && tls_zero == 2000 &&
              strcmp(tls_buf, "thread-") > 0 && atol(tls_buf + 7) == id;
    return (void *)(ok ? tls_val : -1);
}
static void t_tls(void)
{
    pthread_t t[6];
    tls_val = 7;
    for (int i = 0; i < 6; i++) start(&t[i], tls_worker, i + 1);
    for (int i = 0; i < 6; i++) printf("tls: thread %d final %ld\n", i + 1, join(t[i]));
    printf("tls: main still %ld, buf '%s'\n", tls_val, tls_buf);
}

/* ---- exit ---- */
static atomic_int exit_spin_stop;
static atomic_long exit_spins;
static void deep_exit(int depth) { if (depth == 0) pthread_exit((void *)4242); deep_exit(depth - 1); printf("unreachable\n"); }
static void *exiter(void *a) { (void)a; usleep(20000); deep_exit(10); return NULL; }
static void *spinner(void *a)
{
    (void)a;
    while (!atomic_load(&exit_spin_stop)) { atomic_fetch_add(&exit_spins, 1); usleep(100); }
    return (void *)1;
}
static void t_exit(void)
{
    pthread_t s[3], e;
    for (int i = 0; i < 3; i++) start(&s[i], spinner, i);
    start(&e, exiter, 0);
    long r = join(e);
    long before = atomic_load(&exit_spins);
    usleep(20000);
    int still_running = atomic_load(&exit_spins) > before;
    atomic_store(&exit_spin_stop, 1);
    long sr = 0;
    for (int i = 0; i < 3; i++) sr += join(s[i]);
    printf("exit: pthread_exit value %ld, others still running %d, their returns %ld\n",
           r, still_running, sr);
}

/* ---- detach ---- */
static sem_t det_sem;
static atomic_int det_counter;
static void *detached(void *a)
{
    usleep(1000 * ((long)a % 5));
    atomic_fetch_add(&det_counter, (int)(long)a);
    sem_post(&det_sem);
    return NULL;
}
static void t_detach(void)
{
    sem_init(&det_sem, 0, 0);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    for (long i = 1; i <= 20; i++) {
        pthread_t t;
        CHECK(pthread_create(&t, &at, detached, (void *)i) == 0);
    }
    pthread_t t;
    start(&t, square, 3);
    CHECK(pthread_detach(t) == 0);
    for (int i = 0; i < 20; i++) sem_wait(&det_sem);
    printf("detach: counter %d (expect 210)\n", atomic_load(&det_counter));
}

/* ---- once ---- */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int once_calls;
static int once_value;
static void once_init(void) { usleep(10000); atomic_fetch_add(&once_calls, 1); once_value = 99; }
static void *once_worker(void *a) { (void)a; pthread_once(&once, once_init); return (void *)(long)once_value; }
static void t_once(void)
{
    pthread_t t[16];
    long sum = 0;
    for (int i = 0; i < 16; i++) start(&t[i], once_worker, i);
    for (int i = 0; i < 16; i++) sum += join(t[i]);
    printf("once: init ran %d time(s), every thread saw it done: %s\n",
           atomic_load(&once_calls), sum == 16 * 99 ? "yes" : "no");
}

/* ---- tsd ---- */
static pthread_key_t key;
static atomic_int dtor_calls;
static atomic_long dtor_sum;
static void dtor(void *p) { atomic_fetch_add(&dtor_calls, 1); atomic_fetch_add(&dtor_sum, *(long *)p); free(p); }
static void *tsd_worker(void *a)
{
    long id = (long)a;
    if (pthread_getspecific(key) != NULL) return (void *)-1;
    if (id % 3 != 0) {            /* threads 0, 3, 6 leave it NULL */
        long *p = malloc(sizeof *p);
        *p = id * 10;
        pthread_setspecific(key, p);
    }
    usleep(1000);
    long *q = pthread_getspecific(key);
    return (void *)(q ? *q : 0);
}
static void t_tsd(void)
{
    CHECK(pthread_key_create(&key, dtor) == 0);
    pthread_t t[8];
    long sum = 0;
    for (int i = 0; i < 8; i++) start(&t[i], tsd_worker, i);
    for (int i = 0; i < 8; i++) sum += join(t[i]);
    printf("tsd: values seen %ld, destructor calls %d, destructor sum %ld\n",
           sum, atomic_load(&dtor_calls), atomic_load(&dtor_sum));
    printf("tsd: main's value %s\n", pthread_getspecific(key) ? "set" : "NULL");
    CHECK(pthread_key_delete(key) == 0);
}

static const struct { const char *name; void (*fn)(void); } tests[] = {
    {"create", t_create}, {"mutex", t_mutex}, {"condvar", t_condvar},
    {"barrier", t_barrier}, {"rwlock", t_rwlock}, {"atomics", t_atomics},
    {"tls", t_tls}, {"exit", t_exit}, {"detach", t_detach}, {"once", t_once},
    {"tsd", t_tsd},
};

int main(int argc, char **argv)
{
    if (argc != 2) { printf("usage: threads TEST\n"); return 2; }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (strcmp(argv[1], tests[i].name) == 0) {
            tests[i].fn();
            printf("%s: %s\n", argv[1], failures ? "FAILED" : "done");
            return failures != 0;
        }
    printf("unknown test %s\n", argv[1]);
    return 2;
}
