/* ids: the credentials a program runs with (real and effective user and
 * group ids, AT_SECURE) and its argv[0]. Driven by tests/binfmt.rs (a
 * setuid-root copy run by another user under binfmt_misc's C flag); not in
 * cases.txt, since the answer depends on who runs it. */
#include <stdio.h>
#include <sys/auxv.h>
#include <unistd.h>

int main(int argc, char **argv) {
    (void)argc;
    printf("argv0=%s uid=%d euid=%d gid=%d egid=%d secure=%lu\n", argv[0], (int)getuid(), (int)geteuid(),
           (int)getgid(), (int)getegid(), getauxval(AT_SECURE));
    return 0;
}
