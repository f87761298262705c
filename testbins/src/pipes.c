/* pipes: pipe + fork + waitpid, dup2, O_NONBLOCK (EAGAIN), pipe2, SIGPIPE/EPIPE. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s (errno=%s)\n", __LINE__, #cond, strerror(errno)); failures++; } } while (0)

int main(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        /* write more than a pipe buffer's worth in chunks */
        char buf[1000];
        for (int i = 0; i < 200; i++) {
            memset(buf, 'a' + i % 26, sizeof buf);
            if (write(p[1], buf, sizeof buf) != (ssize_t)sizeof buf)
                _exit(99);
        }
        close(p[1]);
        _exit(42);
    }
    CHECK(pid > 0);
    close(p[1]);
    char buf[4096];
    long total = 0;
    unsigned long sum = 0;
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            sum = sum * 31 + (unsigned char)buf[i];
        total += n;
    }
    close(p[0]);
    printf("parent read %ld bytes, hash %016lx, last read %zd\n", total, sum, n);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    printf("child exited: %d, status %d\n", WIFEXITED(st), WEXITSTATUS(st));

    /* child killed by a signal */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        raise(SIGTERM);
        _exit(0);
    }
    CHECK(waitpid(pid, &st, 0) == pid);
    printf("child signaled: %d, signal %s\n", WIFSIGNALED(st), WTERMSIG(st) == SIGTERM ? "SIGTERM" : "other");
    errno = 0;
    int w = waitpid(-1, &st, WNOHANG);
    printf("waitpid with no children: %d %s\n", w, errno == ECHILD ? "ECHILD" : "other");

    /* dup2 redirects stdout into a pipe */
    CHECK(pipe(p) == 0);
    fflush(stdout);
    int saved = dup(1);
    CHECK(dup2(p[1], 1) == 1);
    printf("this line goes through the pipe\n");
    fflush(stdout);
    CHECK(dup2(saved, 1) == 1);
    close(saved);
    close(p[1]);
    memset(buf, 0, sizeof buf);
    n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    printf("captured %zd bytes: %s", n, buf);
    printf("dup2 same fd returns fd: %d\n", dup2(1, 1));

    /* O_NONBLOCK read on an empty pipe -> EAGAIN */
    CHECK(pipe(p) == 0);
    int fl = fcntl(p[0], F_GETFL);
    CHECK(fcntl(p[0], F_SETFL, fl | O_NONBLOCK) == 0);
    printf("F_GETFL has O_NONBLOCK: %s\n", (fcntl(p[0], F_GETFL) & O_NONBLOCK) ? "yes" : "no");
    errno = 0;
    n = read(p[0], buf, 10);
    printf("nonblocking empty read: %zd %s\n", n, (errno == EAGAIN || errno == EWOULDBLOCK) ? "EAGAIN" : "other");
    CHECK(write(p[1], "xyz", 3) == 3);
    n = read(p[0], buf, 10);
    printf("nonblocking read with data: %zd \"%.3s\"\n", n, buf);
    /* fill a nonblocking write end until EAGAIN */
    fl = fcntl(p[1], F_GETFL);
    CHECK(fcntl(p[1], F_SETFL, fl | O_NONBLOCK) == 0);
    long filled = 0;
    memset(buf, 'q', sizeof buf);
    for (;;) {
        n = write(p[1], buf, sizeof buf);
        if (n < 0)
            break;
        filled += n;
    }
    printf("nonblocking write until full: %s, filled >= 4096: %s\n",
           (errno == EAGAIN || errno == EWOULDBLOCK) ? "EAGAIN" : "other", filled >= 4096 ? "yes" : "no");
    close(p[0]);
    /* writing to a pipe with no reader: SIGPIPE (ignored here) -> EPIPE */
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    n = write(p[1], "x", 1);
    printf("write to closed pipe: %zd %s\n", n, errno == EPIPE ? "EPIPE" : "other");
    close(p[1]);

    /* pipe2 with O_CLOEXEC, FD_CLOEXEC via fcntl */
    CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0);
    printf("pipe2 O_CLOEXEC: %s, O_NONBLOCK: %s\n", (fcntl(p[0], F_GETFD) & FD_CLOEXEC) ? "yes" : "no",
           (fcntl(p[1], F_GETFL) & O_NONBLOCK) ? "yes" : "no");
    CHECK(fcntl(p[0], F_SETFD, 0) == 0);
    printf("FD_CLOEXEC cleared: %s\n", (fcntl(p[0], F_GETFD) & FD_CLOEXEC) ? "no" : "yes");
    int d = fcntl(p[0], F_DUPFD, 100);
    printf("F_DUPFD >= 100: %s\n", d >= 100 ? "yes" : "no");
    close(d);
    close(p[0]);
    close(p[1]);

    /* exit status of a child that calls exit() after writing via stdio */
    CHECK(pipe(p) == 0);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        printf("from child stdio\n");
        exit(7); /* flushes stdio */
    }
    close(p[1]);
    memset(buf, 0, sizeof buf);
    n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    CHECK(waitpid(pid, &st, 0) == pid);
    printf("child said: %s", buf);
    printf("child exit status %d\n", WEXITSTATUS(st));
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
