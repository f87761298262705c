/* fileio: basic file syscalls in a private temp dir.
 * The temp dir is created with mkdtemp under argv[1] (or /tmp) and removed
 * again at the end.  Only sizes, counts, contents and errno names are printed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int failures;

#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s (errno=%s)\n", __LINE__, #cond, strerror(errno)); failures++; } } while (0)

static const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ENOTDIR: return "ENOTDIR";
    case ESPIPE: return "ESPIPE";
    default: return "other";
    }
}

static long fsize(const char *p)
{
    struct stat st;
    if (stat(p, &st) != 0)
        return -1;
    return (long)st.st_size;
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
    const char *base = argc > 1 ? argv[1] : "/tmp";
    umask(022);
    char dir[4096], path[4200], path2[4200];
    snprintf(dir, sizeof dir, "%s/fileio.XXXXXX", base);
    if (!mkdtemp(dir)) {
        printf("mkdtemp failed: %s\n", strerror(errno));
        return 1;
    }
    printf("mkdtemp ok\n");
    snprintf(path, sizeof path, "%s/a.txt", dir);
    snprintf(path2, sizeof path2, "%s/b.txt", dir);

    /* create + write */
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
    CHECK(fd >= 0);
    const char *msg = "The quick brown fox jumps over the lazy dog\n";
    ssize_t n = write(fd, msg, strlen(msg));
    printf("write returned %zd\n", n);
    printf("size after write %ld\n", fsize(path));

    /* O_EXCL on existing file */
    errno = 0;
    int fd2 = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
    printf("open O_EXCL existing: %d %s\n", fd2, ename(errno));

    /* lseek + read */
    off_t off = lseek(fd, 0, SEEK_CUR);
    printf("lseek SEEK_CUR %ld\n", (long)off);
    off = lseek(fd, 4, SEEK_SET);
    printf("lseek SEEK_SET 4 -> %ld\n", (long)off);
    char buf[256];
    memset(buf, 0, sizeof buf);
    n = read(fd, buf, 5);
    printf("read %zd: \"%s\"\n", n, buf);
    off = lseek(fd, -4, SEEK_END);
    printf("lseek SEEK_END -4 -> %ld\n", (long)off);
    memset(buf, 0, sizeof buf);
    n = read(fd, buf, 100);
    printf("read at end-4 %zd: \"%.*s\"\n", n, (int)(n > 0 ? n - 1 : 0), buf);
    n = read(fd, buf, 100);
    printf("read at EOF %zd\n", n);

    /* pread / pwrite do not move the offset */
    off_t before = lseek(fd, 10, SEEK_SET);
    memset(buf, 0, sizeof buf);
    n = pread(fd, buf, 5, 16);
    printf("pread %zd: \"%s\"\n", n, buf);
    n = pwrite(fd, "BROWN", 5, 10);
    printf("pwrite %zd\n", n);
    printf("offset unchanged: %s\n", lseek(fd, 0, SEEK_CUR) == before ? "yes" : "no");
    memset(buf, 0, sizeof buf);
    n = pread(fd, buf, 20, 0);
    printf("pread after pwrite: \"%s\"\n", buf);

    /* writev / readv */
    struct iovec iov[3] = {
        { "one ", 4 }, { "two ", 4 }, { "three\n", 6 },
    };
    lseek(fd, 0, SEEK_END);
    n = writev(fd, iov, 3);
    printf("writev %zd, size %ld\n", n, fsize(path));
    char r1[5] = {0}, r2[5] = {0}, r3[7] = {0};
    struct iovec riov[3] = { { r1, 4 }, { r2, 4 }, { r3, 6 } };
    n = preadv(fd, riov, 3, (off_t)strlen(msg));
    printf("preadv %zd: [%s][%s][%.5s]\n", n, r1, r2, r3);

    /* pwrite beyond EOF makes a hole that reads as zeros */
    n = pwrite(fd, "X", 1, 1000);
    printf("pwrite at 1000: %zd, size %ld\n", n, fsize(path));
    memset(buf, 0x55, sizeof buf);
    n = pread(fd, buf, 10, 200);
    int zeros = 1;
    for (int i = 0; i < 10; i++)
        if (buf[i] != 0)
            zeros = 0;
    printf("hole reads %zd bytes, all zero: %s\n", n, zeros ? "yes" : "no");

    /* ftruncate shrink and grow */
    CHECK(ftruncate(fd, 9) == 0);
    printf("after ftruncate 9: size %ld\n", fsize(path));
    CHECK(ftruncate(fd, 4096) == 0);
    printf("after ftruncate 4096: size %ld\n", fsize(path));
    struct stat st;
    CHECK(fstat(fd, &st) == 0);
    printf("fstat size %ld regular %d mode %o\n", (long)st.st_size, S_ISREG(st.st_mode) ? 1 : 0,
           (unsigned)(st.st_mode & 0777));
    CHECK(truncate(path, 20) == 0);
    printf("after truncate 20: size %ld\n", fsize(path));
    memset(buf, 0, sizeof buf);
    n = pread(fd, buf, 100, 0);
    printf("content %zd: \"%.9s\" then %s\n", n, buf, (buf[9] == 0 && buf[19] == 0) ? "zeros" : "garbage");

    /* dup shares the offset */
    int fdd = dup(fd);
    lseek(fd, 3, SEEK_SET);
    printf("dup shares offset: %s\n", lseek(fdd, 0, SEEK_CUR) == 3 ? "yes" : "no");
    close(fdd);

    /* lseek on a pipe -> ESPIPE */
    int p[2];
    CHECK(pipe(p) == 0);
    errno = 0;
    off = lseek(p[0], 0, SEEK_SET);
    printf("lseek pipe: %ld %s\n", (long)off, ename(errno));
    close(p[0]);
    close(p[1]);

    CHECK(close(fd) == 0);
    errno = 0;
    show("close again", (long)close(fd));
    errno = 0;
    show("read closed fd", (long)read(fd, buf, 1));

    /* O_APPEND */
    fd = open(path, O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    lseek(fd, 0, SEEK_SET);
    n = write(fd, "END", 3);
    printf("append write %zd, size %ld\n", n, fsize(path));
    close(fd);

    /* rename */
    CHECK(rename(path, path2) == 0);
    errno = 0;
    show("stat old name", (long)stat(path, &st));
    printf("stat new name size: %ld\n", fsize(path2));

    /* openat relative to dir fd, fstatat, faccessat */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    fd = openat(dfd, "c.bin", O_CREAT | O_WRONLY | O_TRUNC, 0600);
    CHECK(fd >= 0);
    for (int i = 0; i < 256; i++)
        buf[i] = (char)i;
    for (int i = 0; i < 64; i++)
        CHECK(write(fd, buf, 256) == 256);
    close(fd);
    CHECK(fstatat(dfd, "c.bin", &st, 0) == 0);
    printf("c.bin size %ld blksize>0 %d\n", (long)st.st_size, st.st_blksize > 0);
    printf("faccessat R_OK: %d\n", faccessat(dfd, "c.bin", R_OK, 0));
    errno = 0;
    show("open dir for writing", (long)open(dir, O_WRONLY));
    errno = 0;
    show("open missing", (long)open("/nonexistent/zzz", O_RDONLY));

    /* read it back with stdio and checksum */
    FILE *f = fopen(path2, "r");
    CHECK(f != NULL);
    char line[64] = {0};
    if (f && fgets(line, sizeof line, f))
        printf("fgets: \"%.12s\"\n", line);
    if (f)
        fclose(f);
    f = fopen(path2, "a+");
    fprintf(f, "%d-%s\n", 42, "stdio");
    fclose(f);
    printf("size after fprintf: %ld\n", fsize(path2));

    /* unlink + cleanup */
    CHECK(unlinkat(dfd, "c.bin", 0) == 0);
    CHECK(unlink(path2) == 0);
    errno = 0;
    show("unlink again", (long)unlink(path2));
    close(dfd);
    CHECK(rmdir(dir) == 0);
    printf("cleanup done\n");
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
