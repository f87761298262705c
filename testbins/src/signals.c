/* signals: signal delivery in a single-threaded process.  One sub-test per
 * argument:
 *   segv       SA_SIGINFO SIGSEGV from PROT_NONE / unmapped pages: si_signo,
 *              si_code (ACCERR/MAPERR), si_addr relative to the page;
 *              recovery with siglongjmp, mask restored
 *   bus        SIGBUS (BUS_ADRERR) touching a mapping beyond the end of a file
 *   ucontext   handler edits a register in uc_mcontext and returns: the
 *              faulting load re-executes with the new address
 *   raise      raise(SIGUSR1): handler runs, si_code SI_TKILL, si_pid
 *   nested     SIGUSR1 handler raising SIGUSR2 (unmasked / in sa_mask) and
 *              itself (with and without SA_NODEFER): order of events
 *   mask       sigprocmask block, sigpending, unblock delivers (once)
 *   resethand  SA_RESETHAND: disposition back to SIG_DFL after one delivery
 *   altstack   sigaltstack + SA_ONSTACK: handler's locals on the alt stack
 *   overflow   infinite recursion caught on the alt stack, siglongjmp out
 *   restart    SIGALRM (setitimer) interrupting read() on an empty pipe with
 *              SA_RESTART: read continues and gets the data the 3rd tick writes
 *   eintr      the same without SA_RESTART: read fails with EINTR
 *   rtqueue    sigqueue of RT and standard signals while blocked; unblock:
 *              lowest number first, FIFO with si_value within one RT signal
 *   sigwait    sigwaitinfo, sigtimedwait (EAGAIN on timeout)
 *   sigsuspend sigsuspend returns EINTR after the handler, mask restored
 *   signalfd   reading blocked signals through a signalfd; poll readiness
 *   kill       kill(getpid()) SI_USER, tgkill SI_TKILL, kill sig 0, ESRCH
 *   timer      timer_create/timer_settime delivering SIGRTMIN with si_value */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s (errno=%s)\n", __LINE__, #cond, strerror(errno)); failures++; } } while (0)

static void handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    CHECK(sigaction(sig, &sa, NULL) == 0);
}
static void block(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    CHECK(sigprocmask(how, &s, NULL) == 0);
}
static int is_blocked(int sig)
{
    sigset_t s;
    sigprocmask(SIG_BLOCK, NULL, &s);
    return sigismember(&s, sig);
}

/* event log written by handlers, printed afterwards */
static char logbuf[512];
static void logs(const char *s) { strcat(logbuf, s); strcat(logbuf, " "); }

static sigjmp_buf jb;
static volatile siginfo_t last;
static volatile int hits;
static void jump_handler(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    last = *si;
    hits++;
    siglongjmp(jb, 1);
}
static const char *segv_code(int c) { return c == SEGV_ACCERR ? "SEGV_ACCERR" : c == SEGV_MAPERR ? "SEGV_MAPERR" : "other"; }

static void t_segv(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(mprotect(p + pg, pg, PROT_NONE) == 0);
    CHECK(munmap(p + 2 * pg, pg) == 0);
    handle(SIGSEGV, jump_handler, 0);
    struct { const char *what; volatile char *addr; int write; } cases[] = {
        {"write PROT_NONE", p + pg + 0x123, 1},
        {"read PROT_NONE", p + pg + 8, 0},
        {"write unmapped", p + 2 * pg + 0xff0, 1},
        {"read unmapped", p + 2 * pg, 0},
    };
    for (int i = 0; i < 4; i++) {
        if (sigsetjmp(jb, 1) == 0) {
            if (cases[i].write) *cases[i].addr = 1; else (void)*cases[i].addr;
            printf("segv: %s did not fault\n", cases[i].what);
        } else {
            printf("segv: %s: signo %d code %s addr page+%#lx, SIGSEGV blocked after longjmp %d\n",
                   cases[i].what, last.si_signo, segv_code(last.si_code),
                   (long)((char *)last.si_addr - (p + pg)), is_blocked(SIGSEGV));
        }
    }
    p[0] = 5;   /* the accessible page still works */
    printf("segv: handler calls %d, first page value %d\n", hits, p[0]);
}

static void t_bus(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    int fd = memfd_create("bus", 0);
    CHECK(fd >= 0);
    CHECK(ftruncate(fd, pg) == 0);
    volatile char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    handle(SIGBUS, jump_handler, 0);
    p[10] = 'x';
    if (sigsetjmp(jb, 1) == 0) {
        (void)p[pg + 16];
        printf("bus: no fault\n");
    } else {
        printf("bus: signo %d code %s addr map+%#lx\n", last.si_signo,
               last.si_code == BUS_ADRERR ? "BUS_ADRERR" : "other",
               (long)((char *)last.si_addr - (char *)p));
    }
    printf("bus: in-file byte %c\n", p[10]);
}

/* ---- ucontext: change the address register of a faulting load ---- */
static long good_value = 777;
static void fix_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    hits++;
#if defined(__riscv)
    uc->uc_mcontext.__gregs[11] = (unsigned long)&good_value;   /* a1 */
#elif defined(__x86_64__)
    uc->uc_mcontext.gregs[REG_RSI] = (long)&good_value;
#endif
}
static void t_ucontext(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *bad = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    handle(SIGSEGV, fix_handler, 0);
    long v;
#if defined(__riscv)
    register long a1 asm("a1") = (long)bad;
    asm volatile("ld %0, 0(a1)" : "=r"(v) : "r"(a1) : "memory");
#elif defined(__x86_64__)
    register long rsi asm("rsi") = (long)bad;
    asm volatile("mov (%%rsi), %0" : "=r"(v) : "r"(rsi) : "memory");
#endif
    printf("ucontext: load returned %ld after %d handler call(s)\n", v, hits);
}

static void info_handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    last = *si;
    hits++;
    (void)sig;
}
static const char *code_name(int c)
{
    switch (c) {
    case SI_USER: return "SI_USER"; case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE"; case SI_TIMER: return "SI_TIMER";
    case SI_KERNEL: return "SI_KERNEL"; default: return "other";
    }
}
static void t_raise(void)
{
    handle(SIGUSR1, info_handler, 0);
    CHECK(raise(SIGUSR1) == 0);
    printf("raise: hits %d signo %s code %s pid-is-self %d\n", hits,
           last.si_signo == SIGUSR1 ? "SIGUSR1" : "?", code_name(last.si_code),
           last.si_pid == getpid());
}

/* ---- nested ---- */
static volatile int depth;
static void usr2_log(int s, siginfo_t *i, void *u) { (void)s; (void)i; (void)u; logs("usr2"); }
static void usr1_raise_usr2(int s, siginfo_t *i, void *u) { (void)s; (void)i; (void)u; logs("usr1-in"); raise(SIGUSR2); logs("usr1-out"); }
static void usr1_raise_self(int s, siginfo_t *i, void *u)
{
    (void)s; (void)i; (void)u;
    int d = ++depth;
    logs(d == 1 ? "in1" : "in2");
    if (d == 1) raise(SIGUSR1);
    logs(d == 1 ? "out1" : "out2");
}
static void t_nested(void)
{
    handle(SIGUSR2, usr2_log, 0);
    handle(SIGUSR1, usr1_raise_usr2, 0);
    raise(SIGUSR1);
    printf("nested: usr2 unmasked: %s\n", logbuf);
    logbuf[0] = 0;
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    printf("nested: usr2 in sa_mask: %s\n", logbuf);
    logbuf[0] = 0; depth = 0;
    handle(SIGUSR1, usr1_raise_self, 0);
    raise(SIGUSR1);
    printf("nested: self, default: %s\n", logbuf);
    logbuf[0] = 0; depth = 0;
    handle(SIGUSR1, usr1_raise_self, SA_NODEFER);
    raise(SIGUSR1);
    printf("nested: self, SA_NODEFER: %s\n", logbuf);
}

static void t_mask(void)
{
    handle(SIGUSR1, info_handler, 0);
    block(SIG_BLOCK, SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigset_t pend;
    sigpending(&pend);
    printf("mask: after 2 raises while blocked: hits %d pending %d\n", hits, sigismember(&pend, SIGUSR1));
    block(SIG_UNBLOCK, SIGUSR1);
    sigpending(&pend);
    printf("mask: after unblock: hits %d pending %d\n", hits, sigismember(&pend, SIGUSR1));
    /* SIGKILL/SIGSTOP can't be blocked: silently dropped from the mask */
    sigset_t s, got;
    sigemptyset(&s); sigaddset(&s, SIGKILL); sigaddset(&s, SIGSTOP); sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_SETMASK, &s, NULL);
    sigprocmask(SIG_SETMASK, NULL, &got);
    printf("mask: KILL %d STOP %d USR2 %d\n", sigismember(&got, SIGKILL), sigismember(&got, SIGSTOP), sigismember(&got, SIGUSR2));
}

static void t_resethand(void)
{
    handle(SIGUSR2, info_handler, SA_RESETHAND);
    raise(SIGUSR2);
    struct sigaction sa;
    sigaction(SIGUSR2, NULL, &sa);
    printf("resethand: hits %d, disposition now %s\n", hits,
           sa.sa_handler == SIG_DFL ? "SIG_DFL" : "not SIG_DFL");
    signal(SIGUSR2, SIG_IGN);
    raise(SIGUSR2);
    sigaction(SIGUSR2, NULL, &sa);
    printf("resethand: ignored raise survived, %s\n", sa.sa_handler == SIG_IGN ? "SIG_IGN" : "?");
}

/* ---- altstack ---- */
#define ALT_SIZE (64 * 1024)
static char *alt;
static volatile int on_alt, ss_onstack;
static void alt_handler(int s, siginfo_t *i, void *u)
{
    (void)s; (void)i; (void)u;
    volatile char local;
    stack_t cur;
    on_alt = (char *)&local >= alt && (char *)&local < alt + ALT_SIZE;
    sigaltstack(NULL, &cur);
    ss_onstack = (cur.ss_flags & SS_ONSTACK) != 0;
}
static void setup_alt(void)
{
    alt = malloc(ALT_SIZE);
    stack_t ss = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
    CHECK(sigaltstack(&ss, NULL) == 0);
}
static void t_altstack(void)
{
    setup_alt();
    handle(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    printf("altstack: SA_ONSTACK: local on alt stack %d, SS_ONSTACK %d\n", on_alt, ss_onstack);
    handle(SIGUSR1, alt_handler, 0);
    raise(SIGUSR1);
    printf("altstack: without SA_ONSTACK: local on alt stack %d, SS_ONSTACK %d\n", on_alt, ss_onstack);
    stack_t cur;
    sigaltstack(NULL, &cur);
    printf("altstack: outside handler flags %d size %zu\n", cur.ss_flags, cur.ss_size);
}

static volatile long max_depth;
static long recurse(long n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    max_depth = n;
    return recurse(n + 1) + pad[0];
}
static void t_overflow(void)
{
    setup_alt();
    handle(SIGSEGV, jump_handler, SA_ONSTACK);
    for (int round = 1; round <= 2; round++) {
        max_depth = 0;
        if (sigsetjmp(jb, 1) == 0) {
            recurse(0);
        } else {
            printf("overflow: round %d caught SIGSEGV at depth > 1000: %d, SEGV blocked %d\n",
                   round, max_depth > 1000, is_blocked(SIGSEGV));
        }
    }
}

/* ---- restart / eintr ---- */
static int pfd[2];
static volatile int ticks;
static void tick_handler(int s, siginfo_t *i, void *u)
{
    (void)s; (void)i; (void)u;
    if (++ticks == 3) write(pfd[1], "data!", 5);
}
static void read_with_timer(int flags, const char *name)
{
    CHECK(pipe(pfd) == 0);
    handle(SIGALRM, tick_handler, flags);
    struct itimerval it = { {0, 20000}, {0, 20000} }, off = { {0, 0}, {0, 0} };
    setitimer(ITIMER_REAL, &it, NULL);
    char buf[16] = {0};
    errno = 0;
    ssize_t n = read(pfd[0], buf, sizeof buf);
    int e = errno;
    setitimer(ITIMER_REAL, &off, NULL);
    int t = ticks;
    printf("%s: read returned %zd errno %s data '%s', ticks at return %d\n", name, n,
           e == EINTR ? "EINTR" : e ? strerror(e) : "0", n > 0 ? buf : "", t);
}
static void t_restart(void) { read_with_timer(SA_RESTART, "restart"); }
static void t_eintr(void) { read_with_timer(0, "eintr"); }

/* ---- rtqueue ---- */
static volatile int nrec;
static int rec_sig[16], rec_val[16], rec_code[16];
static void rec_handler(int s, siginfo_t *i, void *u)
{
    (void)u;
    rec_sig[nrec] = s; rec_val[nrec] = i->si_value.sival_int; rec_code[nrec] = i->si_code;
    nrec++;
}
static void t_rtqueue(void)
{
    int sigs[] = {SIGRTMIN + 2, SIGRTMIN, SIGUSR1, SIGRTMIN + 2, SIGRTMIN, SIGRTMIN + 1, SIGUSR1, SIGRTMIN};
    sigset_t all;
    sigemptyset(&all);
    for (int i = 0; i < 8; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = rec_handler;
        sa.sa_flags = SA_SIGINFO;
        sigfillset(&sa.sa_mask);     /* one handler at a time: delivery order is observable */
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&all, sigs[i]);
    }
    sigprocmask(SIG_BLOCK, &all, NULL);
    for (int i = 0; i < 8; i++)
        CHECK(sigqueue(getpid(), sigs[i], (union sigval){ .sival_int = 100 + i }) == 0);
    printf("rtqueue: delivered while blocked %d\n", nrec);
    sigprocmask(SIG_UNBLOCK, &all, NULL);
    for (int i = 0; i < nrec; i++) {
        int s = rec_sig[i];
        if (s >= SIGRTMIN) printf("rtqueue: SIGRTMIN+%d", s - SIGRTMIN);
        else printf("rtqueue: %s", s == SIGUSR1 ? "SIGUSR1" : "?");
        printf(" value %d %s\n", rec_val[i], code_name(rec_code[i]));
    }
}

static void t_sigwait(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1); sigaddset(&s, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &s, NULL);
    sigqueue(getpid(), SIGRTMIN + 3, (union sigval){ .sival_int = 7 });
    raise(SIGUSR1);
    for (int i = 0; i < 2; i++) {
        siginfo_t si;
        int r = sigwaitinfo(&s, &si);
        printf("sigwait: got %s code %s value %d\n", r == SIGUSR1 ? "SIGUSR1" : r == SIGRTMIN + 3 ? "SIGRTMIN+3" : "?",
               code_name(si.si_code), r == SIGUSR1 ? 0 : si.si_value.sival_int);
    }
    struct timespec ts = {0, 30 * 1000 * 1000};
    errno = 0;
    int r = sigtimedwait(&s, NULL, &ts);
    printf("sigwait: sigtimedwait with nothing pending: %d %s\n", r, errno == EAGAIN ? "EAGAIN" : strerror(errno));
    sigqueue(getpid(), SIGRTMIN + 3, (union sigval){ .sival_int = 8 });
    siginfo_t si;
    r = sigtimedwait(&s, &si, &ts);
    printf("sigwait: sigtimedwait pending: %s value %d\n", r == SIGRTMIN + 3 ? "SIGRTMIN+3" : "?", si.si_value.sival_int);
}

static void t_sigsuspend(void)
{
    handle(SIGUSR1, info_handler, 0);
    handle(SIGALRM, info_handler, 0);
    block(SIG_BLOCK, SIGUSR1);
    block(SIG_BLOCK, SIGALRM);
    raise(SIGUSR1);
    sigset_t none;
    sigemptyset(&none);
    errno = 0;
    int r = sigsuspend(&none);
    printf("sigsuspend: pending USR1: ret %d %s hits %d, USR1 blocked again %d\n", r,
           errno == EINTR ? "EINTR" : "?", hits, is_blocked(SIGUSR1));
    struct itimerval it = { {0, 0}, {0, 30000} };
    setitimer(ITIMER_REAL, &it, NULL);
    r = sigsuspend(&none);
    printf("sigsuspend: timer SIGALRM: ret %d hits %d last %s, ALRM blocked again %d\n", r, hits,
           last.si_signo == SIGALRM ? "SIGALRM" : "?", is_blocked(SIGALRM));
}

static void t_signalfd(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2); sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int fd = signalfd(-1, &s, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK(fd >= 0);
    struct pollfd pf = { fd, POLLIN, 0 };
    printf("signalfd: poll before %d\n", poll(&pf, 1, 0));
    raise(SIGUSR2);
    sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 99 });
    int pr = poll(&pf, 1, 0);
    printf("signalfd: poll after %d revents %s\n", pr, (pf.revents & POLLIN) ? "has POLLIN" : "?");
    struct signalfd_siginfo fi[4];
    ssize_t n = read(fd, fi, sizeof fi);
    printf("signalfd: read %zd records\n", n / (ssize_t)sizeof fi[0]);
    for (int i = 0; i < n / (ssize_t)sizeof fi[0]; i++)
        printf("signalfd: %s code %s pid-is-self %d int %d\n",
               fi[i].ssi_signo == SIGUSR2 ? "SIGUSR2" : fi[i].ssi_signo == (unsigned)SIGRTMIN ? "SIGRTMIN" : "?",
               code_name(fi[i].ssi_code), fi[i].ssi_pid == (unsigned)getpid(), fi[i].ssi_int);
    errno = 0;
    n = read(fd, fi, sizeof fi);
    printf("signalfd: empty read %zd %s\n", n, errno == EAGAIN ? "EAGAIN" : strerror(errno));
    sigset_t pend;
    sigpending(&pend);
    printf("signalfd: still pending USR2 %d\n", sigismember(&pend, SIGUSR2));
    close(fd);
}

static void t_kill(void)
{
    handle(SIGUSR1, info_handler, 0);
    handle(SIGUSR2, info_handler, 0);
    CHECK(kill(getpid(), SIGUSR1) == 0);
    printf("kill: hits %d %s code %s pid-is-self %d uid-is-self %d\n", hits,
           last.si_signo == SIGUSR1 ? "SIGUSR1" : "?", code_name(last.si_code),
           last.si_pid == getpid(), last.si_uid == getuid());
    CHECK(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2) == 0);
    printf("kill: tgkill hits %d %s code %s\n", hits,
           last.si_signo == SIGUSR2 ? "SIGUSR2" : "?", code_name(last.si_code));
    printf("kill: sig 0 to self %d\n", kill(getpid(), 0));
    errno = 0;
    int r = kill(0x3ffffff0, SIGUSR1);
    printf("kill: no such pid %d %s\n", r, errno == ESRCH ? "ESRCH" : strerror(errno));
    errno = 0;
    r = kill(getpid(), 1000);
    printf("kill: bad signal %d %s, hits %d\n", r, errno == EINVAL ? "EINVAL" : strerror(errno), hits);
}

static void t_timer(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGRTMIN;
    ev.sigev_value.sival_int = 1234;
    timer_t t;
    CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
    struct itimerspec its = { {0, 0}, {0, 20 * 1000 * 1000} };
    CHECK(timer_settime(t, 0, &its, NULL) == 0);
    siginfo_t si;
    int r = sigwaitinfo(&s, &si);
    printf("timer: one-shot: %s code %s value %d\n", r == SIGRTMIN ? "SIGRTMIN" : "?",
           code_name(si.si_code), si.si_value.sival_int);
    struct itimerspec cur;
    timer_gettime(t, &cur);
    printf("timer: disarmed after expiry %d\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    /* periodic, delivered to a handler while waiting in sigsuspend */
    handle(SIGRTMIN, info_handler, 0);
    struct itimerspec per = { {0, 10 * 1000 * 1000}, {0, 10 * 1000 * 1000} };
    timer_settime(t, 0, &per, NULL);
    sigset_t none;
    sigemptyset(&none);
    while (hits < 3) sigsuspend(&none);
    CHECK(timer_delete(t) == 0);
    printf("timer: periodic: %d deliveries, last code %s value %d\n", hits, code_name(last.si_code),
           last.si_value.sival_int);
}

static const struct { const char *name; void (*fn)(void); } tests[] = {
    {"segv", t_segv}, {"bus", t_bus}, {"ucontext", t_ucontext}, {"raise", t_raise},
    {"nested", t_nested}, {"mask", t_mask}, {"resethand", t_resethand},
    {"altstack", t_altstack}, {"overflow", t_overflow}, {"restart", t_restart},
    {"eintr", t_eintr}, {"rtqueue", t_rtqueue}, {"sigwait", t_sigwait},
    {"sigsuspend", t_sigsuspend}, {"signalfd", t_signalfd}, {"kill", t_kill},
    {"timer", t_timer},
};

int main(int argc, char **argv)
{
    if (argc != 2) { printf("usage: signals TEST\n"); return 2; }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (strcmp(argv[1], tests[i].name) == 0) {
            tests[i].fn();
            printf("%s: %s\n", argv[1], failures ? "FAILED" : "done");
            return failures != 0;
        }
    printf("unknown test %s\n", argv[1]);
    return 2;
}
