/* sockets: TCP over 127.0.0.1 (bind port 0, getsockname, fork a client that
 * connects and sends, parent accepts and echoes), AF_UNIX socketpair with
 * SCM_RIGHTS fd passing, poll, UDP datagrams, socket options.
 * Port numbers are never printed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s (errno=%s)\n", __LINE__, #cond, strerror(errno)); failures++; } } while (0)

static ssize_t read_full(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            return r < 0 ? r : (ssize_t)got;
        got += r;
    }
    return got;
}

static void tcp_test(void)
{
    int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CHECK(srv >= 0);
    int one = 1;
    CHECK(setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    int v = 0;
    socklen_t vl = sizeof v;
    CHECK(getsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &v, &vl) == 0);
    printf("SO_REUSEADDR reads back: %s\n", v ? "on" : "off");
    vl = sizeof v;
    CHECK(getsockopt(srv, SOL_SOCKET, SO_TYPE, &v, &vl) == 0);
    printf("SO_TYPE is SOCK_STREAM: %s\n", v == SOCK_STREAM ? "yes" : "no");

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    CHECK(bind(srv, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(listen(srv, 4) == 0);
    socklen_t al = sizeof addr;
    CHECK(getsockname(srv, (struct sockaddr *)&addr, &al) == 0);
    char ip[32];
    inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof ip);
    printf("getsockname: family %s, addr %s, len %u, port assigned: %s\n",
           addr.sin_family == AF_INET ? "AF_INET" : "other", ip, (unsigned)al, ntohs(addr.sin_port) != 0 ? "yes" : "no");

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(srv);
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&addr, sizeof addr) != 0)
            _exit(10);
        int nd = 1;
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, sizeof nd);
        const char *msg = "hello over tcp";
        if (write(c, msg, strlen(msg)) != (ssize_t)strlen(msg))
            _exit(11);
        /* then a big block to exercise partial reads */
        static char big[100000];
        for (size_t i = 0; i < sizeof big; i++)
            big[i] = (char)(i * 7);
        if (write(c, big, sizeof big) != (ssize_t)sizeof big)
            _exit(12);
        shutdown(c, SHUT_WR);
        char echo[64] = {0};
        ssize_t n = read_full(c, echo, 14);
        if (n != 14 || memcmp(echo, "HELLO OVER TCP", 14) != 0)
            _exit(13);
        char eof;
        if (read(c, &eof, 1) != 0)
            _exit(14);
        close(c);
        _exit(0);
    }
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    int conn = accept(srv, (struct sockaddr *)&peer, &pl);
    CHECK(conn >= 0);
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    printf("accepted from %s\n", ip);
    struct sockaddr_in me;
    socklen_t ml = sizeof me;
    CHECK(getpeername(conn, (struct sockaddr *)&peer, &pl) == 0);
    CHECK(getsockname(conn, (struct sockaddr *)&me, &ml) == 0);
    printf("accepted socket local port == listening port: %s\n", me.sin_port == addr.sin_port ? "yes" : "no");
    char buf[64] = {0};
    ssize_t n = read_full(conn, buf, 14);
    printf("server got %zd: \"%s\"\n", n, buf);
    static char big[100000];
    n = read_full(conn, big, sizeof big);
    int okb = n == (ssize_t)sizeof big;
    for (size_t i = 0; okb && i < sizeof big; i++)
        okb = big[i] == (char)(i * 7);
    printf("server got big block intact: %s\n", okb ? "yes" : "no");
    char eof;
    printf("server sees EOF after shutdown: %s\n", read(conn, &eof, 1) == 0 ? "yes" : "no");
    for (int i = 0; i < 14; i++)
        buf[i] = (char)(buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i]);
    CHECK(send(conn, buf, 14, 0) == 14);
    close(conn);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    printf("client exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    close(srv);

    /* connect to a closed port -> ECONNREFUSED */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    errno = 0;
    int r = connect(c, (struct sockaddr *)&addr, sizeof addr);
    printf("connect to closed port: %d %s\n", r, errno == ECONNREFUSED ? "ECONNREFUSED" : "other");
    close(c);
}

static void udp_test(void)
{
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(a >= 0 && b >= 0);
    struct sockaddr_in aa, ba;
    memset(&aa, 0, sizeof aa);
    aa.sin_family = AF_INET;
    aa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ba = aa;
    CHECK(bind(a, (struct sockaddr *)&aa, sizeof aa) == 0);
    CHECK(bind(b, (struct sockaddr *)&ba, sizeof ba) == 0);
    socklen_t l = sizeof aa;
    getsockname(a, (struct sockaddr *)&aa, &l);
    l = sizeof ba;
    getsockname(b, (struct sockaddr *)&ba, &l);
    CHECK(sendto(a, "dgram-1", 7, 0, (struct sockaddr *)&ba, sizeof ba) == 7);
    CHECK(sendto(a, "dgram-22", 8, 0, (struct sockaddr *)&ba, sizeof ba) == 8);
    char buf[32] = {0};
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    printf("udp recv %zd \"%.*s\" from sender port: %s\n", n, (int)n, buf, from.sin_port == aa.sin_port ? "yes" : "no");
    n = recv(b, buf, 3, 0);
    printf("udp truncated recv %zd \"%.*s\"\n", n, (int)n, buf);
    close(a);
    close(b);
}

static void unix_test(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);

    /* poll: nothing readable yet, writable yes */
    struct pollfd pfd = { sv[1], POLLIN | POLLOUT, 0 };
    int r = poll(&pfd, 1, 0);
    printf("poll empty socketpair: ret %d, POLLIN %d, POLLOUT %d\n", r, !!(pfd.revents & POLLIN), !!(pfd.revents & POLLOUT));

    /* pass a pipe's read end over the socket with SCM_RIGHTS */
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(write(p[1], "through a passed fd", 19) == 19);
    close(p[1]);

    char data = 'F';
    struct iovec iov = { &data, 1 };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &p[0], sizeof(int));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* child sends the fd, then closes its copy */
        if (sendmsg(sv[0], &msg, 0) != 1)
            _exit(20);
        close(p[0]);
        _exit(0);
    }
    close(p[0]);
    int st;
    CHECK(waitpid(pid, &st, 0) == pid);
    printf("sender child exit status %d\n", WEXITSTATUS(st));

    pfd.revents = 0;
    pfd.events = POLLIN;
    r = poll(&pfd, 1, 1000);
    printf("poll after sendmsg: ret %d, POLLIN %d\n", r, !!(pfd.revents & POLLIN));

    char rdata = 0;
    struct iovec riov = { &rdata, 1 };
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ru;
    struct msghdr rmsg;
    memset(&rmsg, 0, sizeof rmsg);
    rmsg.msg_iov = &riov;
    rmsg.msg_iovlen = 1;
    rmsg.msg_control = ru.buf;
    rmsg.msg_controllen = sizeof ru.buf;
    ssize_t n = recvmsg(sv[1], &rmsg, 0);
    printf("recvmsg %zd byte '%c'\n", n, rdata);
    int got = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&rmsg); c; c = CMSG_NXTHDR(&rmsg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
            memcpy(&got, CMSG_DATA(c), sizeof(int));
    printf("received an fd: %s, MSG_CTRUNC %d\n", got >= 0 ? "yes" : "no", !!(rmsg.msg_flags & MSG_CTRUNC));
    if (got >= 0) {
        char buf[64] = {0};
        n = read(got, buf, sizeof buf - 1);
        printf("read via passed fd: %zd \"%s\"\n", n, buf);
        close(got);
    }

    /* poll with timeout on an idle socket times out */
    pfd.fd = sv[0];
    pfd.events = POLLIN;
    pfd.revents = 0;
    r = poll(&pfd, 1, 20);
    printf("poll timeout: ret %d\n", r);
    /* peer close -> POLLIN/POLLHUP and read returns 0 */
    close(sv[1]);
    pfd.revents = 0;
    pfd.events = POLLIN;
    r = poll(&pfd, 1, 1000);
    char c;
    printf("poll after peer close: ret %d, readable %d, read %zd\n", r, !!(pfd.revents & (POLLIN | POLLHUP)),
           read(sv[0], &c, 1));
    close(sv[0]);

    /* SOCK_DGRAM socketpair keeps message boundaries */
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
    send(sv[0], "abc", 3, 0);
    send(sv[0], "defgh", 5, 0);
    char b2[16];
    ssize_t n1 = recv(sv[1], b2, sizeof b2, 0);
    ssize_t n2 = recv(sv[1], b2, sizeof b2, 0);
    printf("dgram socketpair message sizes: %zd %zd\n", n1, n2);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    tcp_test();
    udp_test();
    unix_test();
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
