/* mmap: memory-management syscalls.
 * anonymous mmap/munmap/mprotect, MAP_FIXED, MAP_FIXED_NOREPLACE (EEXIST),
 * mremap grow, file-backed MAP_SHARED/MAP_PRIVATE mapping of a temp file
 * (under argv[1] or /tmp), madvise(MADV_DONTNEED) zeroing, brk/sbrk growth,
 * mincore residency, and the presence of [heap]/[stack] in /proc/self/maps.
 * Addresses are never printed; only relations and contents. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s (errno=%s)\n", __LINE__, #cond, strerror(errno)); failures++; } } while (0)

static const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    default: return "other";
    }
}

static uint32_t sum(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* print "label: result ERRNO" -- a function, so the call has happened
 * before errno is read (argument evaluation order is unspecified). */
static void show(const char *label, long r)
{
    int e = r < 0 ? errno : 0;
    printf("%s: %ld %s\n", label, r, ename(e));
}

int main(int argc, char **argv)
{
    const long pg = sysconf(_SC_PAGESIZE);
    printf("page size %ld\n", pg);

    /* anonymous mapping is zero-filled */
    size_t len = 16 * pg;
    unsigned char *a = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(a != MAP_FAILED);
    printf("anon mmap page aligned: %s\n", ((uintptr_t)a % pg) == 0 ? "yes" : "no");
    int allzero = 1;
    for (size_t i = 0; i < len; i++)
        if (a[i])
            allzero = 0;
    printf("anon zero-filled: %s\n", allzero ? "yes" : "no");
    for (size_t i = 0; i < len; i++)
        a[i] = (unsigned char)(i * 7 + (i >> 12));
    printf("anon checksum %08x\n", sum(a, len));

    /* mincore: all pages touched -> resident */
    unsigned char vec[16];
    CHECK(mincore(a, len, vec) == 0);
    int res = 0;
    for (int i = 0; i < 16; i++)
        res += vec[i] & 1;
    printf("mincore resident pages: %d/16\n", res);
    errno = 0;
    show("mincore unaligned", (long)mincore(a + 1, pg, vec));

    /* madvise(MADV_DONTNEED) on private anon -> zero on next touch */
    CHECK(madvise(a + 2 * pg, 2 * pg, MADV_DONTNEED) == 0);
    printf("after MADV_DONTNEED: page1[0]=%02x page2[0]=%02x page3[5]=%02x page4[0]=%02x\n",
           a[pg], a[2 * pg], a[3 * pg + 5], a[4 * pg]);
    allzero = 1;
    for (size_t i = 2 * pg; i < 4 * (size_t)pg; i++)
        if (a[i])
            allzero = 0;
    printf("dontneed range zero: %s\n", allzero ? "yes" : "no");

    /* mprotect to read-only and back; data survives */
    CHECK(mprotect(a, pg, PROT_READ) == 0);
    printf("read after mprotect RO: %02x\n", a[1]);
    CHECK(mprotect(a, pg, PROT_READ | PROT_WRITE) == 0);
    a[1] = 0xab;
    printf("write after mprotect RW: %02x\n", a[1]);
    errno = 0;
    show("mprotect unaligned", (long)mprotect(a + 1, pg, PROT_READ));

    /* munmap a hole in the middle, then MAP_FIXED_NOREPLACE into it works,
     * but into a still-mapped page fails with EEXIST */
    CHECK(munmap(a + 8 * pg, 2 * pg) == 0);
    errno = 0;
    int r = mincore(a + 8 * pg, pg, vec);
    printf("mincore on unmapped hole: %d %s\n", r, ename(errno));
    void *p = mmap(a + 8 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE into hole: %s\n", p == a + 8 * pg ? "placed" : (p == MAP_FAILED ? ename(errno) : "elsewhere"));
    errno = 0;
    p = mmap(a + 5 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE over mapping: %s %s\n", p == MAP_FAILED ? "MAP_FAILED" : "mapped", ename(errno));
    printf("page 5 intact: %02x\n", a[5 * pg + 3]);

    /* MAP_FIXED replaces existing contents with zeros */
    p = mmap(a + 5 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED over mapping: %s, page 5 now %02x, page 6 still %02x\n",
           p == a + 5 * pg ? "placed" : "wrong", a[5 * pg + 3], a[6 * pg + 3]);
    CHECK(munmap(a, len) == 0);

    /* mremap grow keeps contents */
    unsigned char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    for (long i = 0; i < 2 * pg; i++)
        m[i] = (unsigned char)(i ^ 0x5a);
    uint32_t before = sum(m, 2 * pg);
    unsigned char *m2 = mremap(m, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
    CHECK(m2 != MAP_FAILED);
    printf("mremap grow: contents kept %s, new tail zero %s\n",
           sum(m2, 2 * pg) == before ? "yes" : "no",
           (m2[2 * pg] == 0 && m2[64 * pg - 1] == 0) ? "yes" : "no");
    m2[64 * pg - 1] = 1;
    unsigned char *m3 = mremap(m2, 64 * pg, pg, 0);
    printf("mremap shrink in place: %s, contents kept %s\n", m3 == m2 ? "yes" : "no",
           m3[100] == (unsigned char)(100 ^ 0x5a) ? "yes" : "no");
    CHECK(munmap(m3, pg) == 0);

    /* file-backed mappings */
    const char *base = argc > 1 ? argv[1] : "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/mmapfile.XXXXXX", base);
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    unlink(path); /* the fd keeps the file alive */
    unsigned char fb[8192];
    for (int i = 0; i < 8192; i++)
        fb[i] = (unsigned char)(i * 13);
    CHECK(write(fd, fb, 8192) == 8192);
    unsigned char *fm = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(fm != MAP_FAILED);
    printf("file map matches file: %s\n", memcmp(fm, fb, 8192) == 0 ? "yes" : "no");
    memcpy(fm + 100, "shared-write", 12);
    CHECK(msync(fm, 8192, MS_SYNC) == 0);
    char rb[13] = {0};
    CHECK(pread(fd, rb, 12, 100) == 12);
    printf("MAP_SHARED write visible via pread: \"%s\"\n", rb);
    CHECK(pwrite(fd, "via-pwrite", 10, 4096 + 7) == 10);
    printf("pwrite visible via MAP_SHARED: \"%.10s\"\n", (char *)fm + 4096 + 7);
    /* private mapping at an offset: copy-on-write */
    unsigned char *pm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 4096);
    CHECK(pm != MAP_FAILED);
    printf("MAP_PRIVATE offset 4096 sees: \"%.10s\"\n", (char *)pm + 7);
    memcpy(pm + 7, "PRIVATE!!!", 10);
    CHECK(pread(fd, rb, 10, 4096 + 7) == 10);
    rb[10] = 0;
    printf("private write not in file: \"%s\"\n", rb);
    /* mapping beyond EOF: the partial page is zero past EOF */
    CHECK(ftruncate(fd, 4096 + 100) == 0);
    unsigned char *tm = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096);
    CHECK(tm != MAP_FAILED);
    printf("beyond EOF in last page: %02x %02x\n", tm[99], tm[100]);
    errno = 0;
    p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 100);
    printf("mmap unaligned offset: %s %s\n", p == MAP_FAILED ? "MAP_FAILED" : "mapped", ename(errno));
    munmap(tm, 4096);
    munmap(pm, 4096);
    munmap(fm, 8192);
    close(fd);

    /* MAP_FAILED for bad fd */
    errno = 0;
    p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 12345, 0);
    printf("mmap bad fd: %s %s\n", p == MAP_FAILED ? "MAP_FAILED" : "mapped", errno == EBADF ? "EBADF" : ename(errno));

    /* brk / sbrk */
    char *b0 = sbrk(0);
    char *b1 = sbrk(256 * 1024);
    char *b2 = sbrk(0);
    printf("sbrk returns old break: %s\n", b1 == b0 ? "yes" : "no");
    printf("sbrk grew by 256K: %s\n", (b2 - b0) == 256 * 1024 ? "yes" : "no");
    memset(b0, 0x77, 256 * 1024);
    printf("brk memory writable: %02x %02x\n", (unsigned char)b0[0], (unsigned char)b0[256 * 1024 - 1]);
    CHECK(sbrk(-128 * 1024) != (void *)-1);
    printf("sbrk shrink: %s\n", (char *)sbrk(0) - b0 == 128 * 1024 ? "yes" : "no");
    CHECK(brk(b0 + 512 * 1024) == 0);
    printf("brk set: %s\n", (char *)sbrk(0) == b0 + 512 * 1024 ? "yes" : "no");
    b0[512 * 1024 - 1] = 1;
    printf("brk regrown memory zero: %s\n", b0[200 * 1024] == 0 ? "yes" : "no");

    /* /proc/self/maps: presence of [heap] and [stack] only */
    FILE *f = fopen("/proc/self/maps", "r");
    int heap = 0, stack = 0, lines = 0, brkmapped = 0;
    uintptr_t brktop = (uintptr_t)sbrk(0) - 1;
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            unsigned long lo, hi;
            lines++;
            if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= brktop && brktop < hi)
                brkmapped = 1;
            if (strstr(line, "[heap]"))
                heap = 1;
            if (strstr(line, "[stack]"))
                stack = 1;
        }
        fclose(f);
    }
    printf("/proc/self/maps readable: %s, [heap]: %s, [stack]: %s\n", lines > 0 ? "yes" : "no",
           heap ? "present" : "absent", stack ? "present" : "absent");
    printf("/proc/self/maps covers the brk top: %s\n", brkmapped ? "yes" : "no");

    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
