/* procs: process creation and reaping.  One sub-test per argument:
 *   tree     fork 3 children, each forks a grandchild; exit statuses of both
 *            generations collected with waitpid in a fixed order
 *   vfork    vfork + execve("/proc/self/exe", "child 7"): the child's output
 *            and its exit status 7
 *   reexec N re-exec through /proc/self/exe with a decreasing depth counter
 *   waitid   waitid(P_PID, WEXITED / WNOHANG / WNOWAIT), siginfo fields
 *   killed   children dying of SIGTERM (raise), SIGABRT (abort), SIGKILL
 *            (from the parent); WIFSTOPPED/WIFCONTINUED via SIGSTOP/SIGCONT
 *   pgrp     setpgid/getpgid, setsid in a child (and EPERM for a group
 *            leader), kill(-pgid) reaching the whole group
 * (internal) child N: print a line and exit N.
 * The exec cases need the emulator to run /proc/self/exe as a guest. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s (errno=%s)\n", __LINE__, #cond, strerror(errno)); failures++; } } while (0)

static void describe(const char *what, int st)
{
    if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s: killed by signal %d (%s)\n", what, WTERMSIG(st), strsignal(WTERMSIG(st)));
    else if (WIFSTOPPED(st)) printf("%s: stopped by signal %d\n", what, WSTOPSIG(st));
    else if (WIFCONTINUED(st)) printf("%s: continued\n", what);
    else printf("%s: status %#x?\n", what, st);
}

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t p = fork();
    if (p < 0) { printf("fork: %s\n", strerror(errno)); exit(1); }
    return p;
}

static void t_tree(void)
{
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = xfork();
        if (kids[i] == 0) {
            pid_t g = fork();
            if (g == 0) _exit(10 * (i + 1) + 1);      /* 11, 21, 31 */
            int st;
            if (waitpid(g, &st, 0) != g || !WIFEXITED(st)) _exit(99);
            _exit(WEXITSTATUS(st) + 100);             /* 111, 121, 131 */
        }
    }
    for (int i = 2; i >= 0; i--) {                   /* reap in reverse order */
        int st;
        CHECK(waitpid(kids[i], &st, 0) == kids[i]);
        char what[32];
        snprintf(what, sizeof what, "tree: child %d", i);
        describe(what, st);
    }
    errno = 0;
    int r = wait(NULL);
    printf("tree: further wait: %d %s\n", r, errno == ECHILD ? "ECHILD" : strerror(errno));
}

static void t_vfork(void)
{
    fflush(stdout);
    pid_t p = vfork();
    if (p == 0) {
        char *argv[] = {"procs", "child", "7", NULL};
        char *envp[] = {"EMU_PROCS=vfork-env", NULL};
        execve("/proc/self/exe", argv, envp);
        _exit(127);
    }
    int st;
    CHECK(waitpid(p, &st, 0) == p);
    describe("vfork: child", st);
}

static void child(const char *n)
{
    const char *e = getenv("EMU_PROCS");
    printf("child %s: env %s\n", n, e ? e : "(none)");
    exit(atoi(n));
}

static void reexec(const char *n)
{
    int d = atoi(n);
    printf("reexec: depth %d\n", d);
    if (d == 0) return;
    char next[16];
    snprintf(next, sizeof next, "%d", d - 1);
    fflush(stdout);
    execl("/proc/self/exe", "procs", "reexec", next, (char *)NULL);
    printf("reexec: execl failed: %s\n", strerror(errno));
    exit(1);
}

static void t_waitid(void)
{
    int go[2];
    CHECK(pipe(go) == 0);
    pid_t p = xfork();
    if (p == 0) { char c; read(go[0], &c, 1); _exit(42); }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, p, &si, WEXITED | WNOHANG) == 0);
    printf("waitid: WNOHANG before exit: si_pid %d\n", si.si_pid);
    write(go[1], "x", 1);
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, p, &si, WEXITED | WNOWAIT) == 0);
    printf("waitid: WNOWAIT: pid ok %d signo %s code %s status %d\n", si.si_pid == p,
           si.si_signo == SIGCHLD ? "SIGCHLD" : "?", si.si_code == CLD_EXITED ? "CLD_EXITED" : "?", si.si_status);
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_ALL, 0, &si, WEXITED) == 0);
    printf("waitid: reaped: pid ok %d code %s status %d\n", si.si_pid == p,
           si.si_code == CLD_EXITED ? "CLD_EXITED" : "?", si.si_status);
    p = xfork();
    if (p == 0) { pause(); _exit(0); }
    kill(p, SIGKILL);
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, p, &si, WEXITED) == 0);
    printf("waitid: killed child: code %s status %d\n", si.si_code == CLD_KILLED ? "CLD_KILLED" : "?", si.si_status);
    errno = 0;
    int r = waitid(P_ALL, 0, &si, WEXITED);
    printf("waitid: no children: %d %s\n", r, errno == ECHILD ? "ECHILD" : strerror(errno));
}

static void t_killed(void)
{
    int st;
    pid_t p = xfork();
    if (p == 0) { raise(SIGTERM); _exit(0); }
    waitpid(p, &st, 0);
    describe("killed: raise(SIGTERM)", st);
    p = xfork();
    if (p == 0) {
        abort();
    }
    waitpid(p, &st, 0);
    printf("killed: abort(): WIFSIGNALED %d WTERMSIG %d\n", WIFSIGNALED(st), WTERMSIG(st));
    p = xfork();
    if (p == 0) { for (;;) pause(); }
    CHECK(kill(p, SIGSTOP) == 0);
    CHECK(waitpid(p, &st, WUNTRACED) == p);
    describe("killed: after SIGSTOP", st);
    CHECK(kill(p, SIGCONT) == 0);
    CHECK(waitpid(p, &st, WCONTINUED) == p);
    describe("killed: after SIGCONT", st);
    CHECK(kill(p, SIGKILL) == 0);
    CHECK(waitpid(p, &st, 0) == p);
    describe("killed: after SIGKILL", st);
    p = xfork();
    if (p == 0) { volatile int *z = NULL; *z = 1; _exit(0); }
    waitpid(p, &st, 0);
    printf("killed: NULL store: WTERMSIG %d\n", WTERMSIG(st));
}

static void t_pgrp(void)
{
    int st, sync[2];
    CHECK(pipe(sync) == 0);
    pid_t p = xfork();
    if (p == 0) {
        int ok = setpgid(0, 0) == 0 && getpgid(0) == getpid() && getpgrp() == getpid();
        errno = 0;
        int r = setsid();        /* group leader: EPERM */
        ok = ok && r == -1 && errno == EPERM;
        _exit(ok ? 0 : 1);
    }
    waitpid(p, &st, 0);
    describe("pgrp: setpgid(0,0) then setsid (EPERM) in child", st);

    p = xfork();
    if (p == 0) {
        pid_t s = setsid();
        int ok = s == getpid() && getsid(0) == getpid() && getpgrp() == getpid() && getsid(0) != getsid(getppid());
        _exit(ok ? 0 : 1);
    }
    waitpid(p, &st, 0);
    describe("pgrp: setsid in child", st);

    /* a group of a child and its grandchild, killed with kill(-pgid) */
    p = xfork();
    if (p == 0) {
        setpgid(0, 0);
        pid_t g = fork();
        if (g == 0) { write(sync[1], "g", 1); for (;;) pause(); }
        write(sync[1], "c", 1);
        int gs;
        waitpid(g, &gs, 0);
        _exit(WIFSIGNALED(gs) ? 50 + WTERMSIG(gs) : 1);  /* never reached: we die too */
    }
    setpgid(p, p);   /* both sides, as shells do */
    char c[2];
    CHECK(read(sync[0], c, 1) == 1 && read(sync[0], c + 1, 1) == 1);
    printf("pgrp: group leader is child: %d, differs from ours: %d\n", getpgid(p) == p, getpgrp() != p);
    CHECK(kill(-p, SIGTERM) == 0);
    waitpid(p, &st, 0);
    describe("pgrp: group child after kill(-pgid)", st);
    errno = 0;
    int r = setpgid(1, 1);
    printf("pgrp: setpgid on a non-child: %d %s\n", r, errno == ESRCH ? "ESRCH" : strerror(errno));
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "child") == 0) child(argv[2]);
    else if (argc >= 3 && strcmp(argv[1], "reexec") == 0) reexec(argv[2]);
    else if (argc == 2 && strcmp(argv[1], "tree") == 0) t_tree();
    else if (argc == 2 && strcmp(argv[1], "vfork") == 0) t_vfork();
    else if (argc == 2 && strcmp(argv[1], "waitid") == 0) t_waitid();
    else if (argc == 2 && strcmp(argv[1], "killed") == 0) t_killed();
    else if (argc == 2 && strcmp(argv[1], "pgrp") == 0) t_pgrp();
    else { printf("usage: procs TEST\n"); return 2; }
    printf("%s: %s\n", argv[1], failures ? "FAILED" : "done");
    return failures != 0;
}
