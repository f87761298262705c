/* efault: bad guest pointers given to system calls get EFAULT (or what Linux
 * returns), never crash the emulator: unmapped, NULL, read-only targets, and
 * pointers far outside any address space. The expected output is what the
 * Linux kernel returns natively (qemu-user differs on writev with a bad
 * second iovec: it writes the first one). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void report(const char *what, long r) {
    if (r < 0) printf("%-34s -1 %s\n", what, strerrorname_np(errno));
    else printf("%-34s %ld\n", what, r);
}

int main(void) {
    char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *gone = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    int p[2];
    pipe(p);
    write(p[1], "abcdef", 6);

    report("write(NULL)", syscall(SYS_write, 1, (void *)0, 5));
    report("write(unmapped)", syscall(SYS_write, 1, gone, 5));
    report("write(huge address)", syscall(SYS_write, 1, (void *)0x7fff00000000000ul, 5));
    report("read into read-only page", syscall(SYS_read, p[0], ro, 3));
    report("read into unmapped page", syscall(SYS_read, p[0], gone, 3));
    report("read into valid buffer", read(p[0], (char[8]){0}, 2));
    report("openat(NULL path)", syscall(SYS_openat, AT_FDCWD, (void *)0, O_RDONLY));
    report("openat(unmapped path)", syscall(SYS_openat, AT_FDCWD, gone, O_RDONLY));
    report("fstat(unmapped statbuf)", syscall(SYS_fstat, 0, gone));
    report("clock_gettime(read-only)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, ro));
    report("uname(NULL)", syscall(SYS_uname, (void *)0));
    struct iovec iov[2] = {{"ok", 2}, {gone, 4}};
    report("writev(second iov unmapped)", syscall(SYS_writev, p[1], iov, 2));
    report("writev(iov array unmapped)", syscall(SYS_writev, p[1], gone, 1));
    report("poll(unmapped fds)", syscall(SYS_ppoll, gone, 1, (void *)0, (void *)0, 8));
    report("pipe2(read-only)", syscall(SYS_pipe2, ro, 0));
    report("getcwd(unmapped)", syscall(SYS_getcwd, gone, 100));
    report("mprotect(unmapped)", mprotect(gone, 4096, PROT_READ));
    report("munmap(unaligned)", munmap(ro + 1, 10));
    report("still alive", 1);
    return 0;
}
