/* time: clocks and sleeping.  Only relations are printed ("ok" lines). */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;
static void ok(const char *what, int cond)
{
    printf("%s %s\n", what, cond ? "ok" : "FAILED");
    if (!cond)
        failures++;
}

static long long ns(const struct timespec *t) { return (long long)t->tv_sec * 1000000000LL + t->tv_nsec; }

int main(void)
{
    struct timespec a, b, r;

    /* monotonic clock never goes backwards */
    int mono = 1;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 10000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (ns(&b) < ns(&a))
            mono = 0;
        a = b;
    }
    ok("monotonic non-decreasing", mono);
    ok("monotonic tv_nsec in range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000);

    /* nanosleep 10 ms takes >= 10 ms (and not absurdly long) */
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec req = { 0, 10 * 1000 * 1000 };
    int rc = nanosleep(&req, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long d = ns(&b) - ns(&a);
    ok("nanosleep returns 0", rc == 0);
    ok("nanosleep 10ms >= 10ms", d >= 10000000LL);
    ok("nanosleep 10ms < 5s", d < 5000000000LL);

    /* clock_nanosleep relative and absolute */
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec until = a;
    until.tv_nsec += 5 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_nsec -= 1000000000;
        until.tv_sec++;
    }
    rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ok("clock_nanosleep TIMER_ABSTIME returns 0", rc == 0);
    ok("clock_nanosleep TIMER_ABSTIME reached deadline", ns(&b) >= ns(&until));
    errno = 0;
    struct timespec bad = { 0, 1000000000 };
    ok("nanosleep invalid tv_nsec -> EINVAL", nanosleep(&bad, NULL) == -1 && errno == EINVAL);

    /* usleep */
    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(2000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    ok("usleep 2ms >= 2ms", ns(&b) - ns(&a) >= 2000000LL);

    /* realtime vs gettimeofday vs time() agree (within 2 s), and are after 2020 */
    struct timeval tv;
    clock_gettime(CLOCK_REALTIME, &a);
    int g = gettimeofday(&tv, NULL);
    time_t t = time(NULL);
    ok("gettimeofday returns 0", g == 0);
    ok("gettimeofday tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    ok("realtime after 2020", a.tv_sec > 1577836800);
    ok("gettimeofday ~ clock_gettime(REALTIME)", tv.tv_sec - a.tv_sec >= 0 && tv.tv_sec - a.tv_sec <= 2);
    ok("time() ~ gettimeofday", t - tv.tv_sec >= 0 && t - tv.tv_sec <= 2);

    /* clock resolution and the other clocks */
    ok("clock_getres MONOTONIC <= 1ms", clock_getres(CLOCK_MONOTONIC, &r) == 0 && r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000);
    ok("clock_gettime BOOTTIME", clock_gettime(CLOCK_BOOTTIME, &a) == 0);
    ok("clock_gettime MONOTONIC_RAW", clock_gettime(CLOCK_MONOTONIC_RAW, &a) == 0);
    ok("clock_gettime MONOTONIC_COARSE", clock_gettime(CLOCK_MONOTONIC_COARSE, &a) == 0);
    errno = 0;
    ok("clock_gettime bad clock -> EINVAL", clock_gettime((clockid_t)12345, &a) == -1 && errno == EINVAL);

    /* CPU time advances when we burn CPU */
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    volatile unsigned long x = 0;
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    do {
        for (int i = 0; i < 100000; i++)
            x += i;
        clock_gettime(CLOCK_MONOTONIC, &w1);
    } while (ns(&w1) - ns(&w0) < 20000000LL);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    ok("process cputime advances", ns(&c1) > ns(&c0));
    clock_t ck = clock();
    ok("clock() positive", ck > 0);

    /* localtime/gmtime of a fixed instant (pure libc, TZ-independent for gmtime) */
    time_t fixed = 1700000000;
    struct tm tmv;
    gmtime_r(&fixed, &tmv);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a", &tmv);
    printf("gmtime(1700000000) = %s\n", buf);
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
