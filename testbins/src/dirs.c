/* dirs: directory syscalls in a private temp dir (under argv[1] or /tmp).
 * mkdir, creating files, opendir/readdir (sorted listing), getcwd/chdir,
 * symlink/readlink, rmdir.  No absolute paths are printed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
#define CHECK(cond) do { if (!(cond)) { printf("FAIL line %d: %s (errno=%s)\n", __LINE__, #cond, strerror(errno)); failures++; } } while (0)

static const char *ename(int e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ELOOP: return "ELOOP";
    default: return "other";
    }
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing(const char *label, const char *d)
{
    DIR *dp = opendir(d);
    if (!dp) {
        printf("%s: opendir failed %s\n", label, ename(errno));
        return;
    }
    char *names[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dp)) != NULL && n < 256) {
        char t = '?';
        switch (de->d_type) {
        case DT_REG: t = 'f'; break;
        case DT_DIR: t = 'd'; break;
        case DT_LNK: t = 'l'; break;
        case DT_UNKNOWN: {
            /* some filesystems do not fill d_type: fall back to lstat */
            struct stat ls;
            char pth[PATH_MAX];
            snprintf(pth, sizeof pth, "%s/%s", d, de->d_name);
            if (lstat(pth, &ls) == 0)
                t = S_ISDIR(ls.st_mode) ? 'd' : S_ISLNK(ls.st_mode) ? 'l' : S_ISREG(ls.st_mode) ? 'f' : '?';
            break;
        }
        }
        char *s = malloc(strlen(de->d_name) + 3);
        sprintf(s, "%s %c", de->d_name, t);
        names[n++] = s;
    }
    closedir(dp);
    qsort(names, n, sizeof names[0], cmp);
    printf("%s: %d entries\n", label, n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
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
    char dir[PATH_MAX], real[PATH_MAX], cwd[PATH_MAX], orig[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/dirs.XXXXXX", base);
    if (!mkdtemp(dir)) {
        printf("mkdtemp failed\n");
        return 1;
    }
    CHECK(realpath(dir, real) != NULL);
    CHECK(getcwd(orig, sizeof orig) != NULL);

    CHECK(chdir(dir) == 0);
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    printf("getcwd after chdir matches realpath: %s\n", strcmp(cwd, real) == 0 ? "yes" : "no");

    /* mkdir + files */
    CHECK(mkdir("sub", 0755) == 0);
    errno = 0;
    show("mkdir existing", (long)mkdir("sub", 0755));
    CHECK(mkdir("sub/deeper", 0700) == 0);
    const char *files[] = { "zeta", "alpha", "Mid", "sub/inner.txt", "beta.txt", "_under" };
    for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++) {
        int fd = open(files[i], O_CREAT | O_WRONLY, 0644);
        CHECK(fd >= 0);
        dprintf(fd, "file %u\n", i);
        close(fd);
    }
    struct stat st;
    CHECK(stat("sub", &st) == 0);
    printf("sub is dir: %d\n", S_ISDIR(st.st_mode) ? 1 : 0);

    /* symlinks */
    CHECK(symlink("alpha", "link-to-alpha") == 0);
    CHECK(symlink("does-not-exist", "dangling") == 0);
    CHECK(symlink("sub/deeper", "link-to-dir") == 0);
    char lb[256];
    ssize_t n = readlink("link-to-alpha", lb, sizeof lb);
    printf("readlink: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), lb);
    n = readlinkat(AT_FDCWD, "dangling", lb, 4);
    printf("readlink truncated: %zd \"%.*s\"\n", n, (int)(n > 0 ? n : 0), lb);
    errno = 0;
    show("readlink on regular file", (long)readlink("alpha", lb, sizeof lb));
    CHECK(lstat("link-to-alpha", &st) == 0);
    printf("lstat symlink: islnk %d size %ld\n", S_ISLNK(st.st_mode) ? 1 : 0, (long)st.st_size);
    CHECK(stat("link-to-alpha", &st) == 0);
    printf("stat through symlink: isreg %d size %ld\n", S_ISREG(st.st_mode) ? 1 : 0, (long)st.st_size);
    errno = 0;
    show("stat dangling", (long)stat("dangling", &st));
    errno = 0;
    show("open O_NOFOLLOW on symlink", (long)open("link-to-alpha", O_RDONLY | O_NOFOLLOW));

    listing("top", ".");
    listing("sub", "sub");

    /* chdir through a symlink, relative chdir, getcwd */
    CHECK(chdir("link-to-dir") == 0);
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    size_t rl = strlen(real);
    printf("getcwd via symlink resolves: %s\n",
           (strncmp(cwd, real, rl) == 0 && strcmp(cwd + rl, "/sub/deeper") == 0) ? "yes" : "no");
    CHECK(chdir("../..") == 0);
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    printf("back at top: %s\n", strcmp(cwd, real) == 0 ? "yes" : "no");
    /* getcwd with too small buffer */
    errno = 0;
    char tiny[2];
    { char *g = getcwd(tiny, sizeof tiny); printf("getcwd tiny buffer: %s %s\n", g ? "ok" : "NULL", errno == ERANGE ? "ERANGE" : ename(errno)); }

    /* fchdir */
    int dfd = open("sub", O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0);
    CHECK(fchdir(dfd) == 0);
    printf("after fchdir, inner.txt visible: %s\n", access("inner.txt", F_OK) == 0 ? "yes" : "no");
    close(dfd);
    CHECK(chdir("..") == 0);

    /* rmdir */
    errno = 0;
    show("rmdir non-empty", (long)rmdir("sub"));
    errno = 0;
    show("rmdir file", (long)rmdir("alpha"));
    CHECK(rmdir("sub/deeper") == 0);
    CHECK(unlink("sub/inner.txt") == 0);
    CHECK(rmdir("sub") == 0);
    errno = 0;
    show("stat removed dir", (long)stat("sub", &st));
    /* renameat of a directory */
    CHECK(mkdir("d1", 0755) == 0);
    CHECK(renameat(AT_FDCWD, "d1", AT_FDCWD, "d2") == 0);
    printf("renamed dir exists: %s\n", access("d2", F_OK) == 0 ? "yes" : "no");
    CHECK(unlinkat(AT_FDCWD, "d2", AT_REMOVEDIR) == 0);
    listing("top after removals", ".");

    /* cleanup everything */
    const char *rm[] = { "zeta", "alpha", "Mid", "beta.txt", "_under", "link-to-alpha", "dangling", "link-to-dir" };
    for (unsigned i = 0; i < sizeof rm / sizeof rm[0]; i++)
        CHECK(unlink(rm[i]) == 0);
    listing("top empty", ".");
    CHECK(chdir(orig) == 0);
    CHECK(rmdir(dir) == 0);
    printf("failures: %d\n", failures);
    return failures ? 1 : 0;
}
