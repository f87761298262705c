/* exit_codes: exit status plumbing.
 *   exit_codes N          -> exit(N)   (atexit handler runs, stdio flushed)
 *   exit_codes _exit N    -> _exit(N)  (atexit handler must NOT run; the
 *                                       line is written with write(2) first)
 *   exit_codes ret N      -> return N from main
 * N is taken modulo 256 by the kernel (e.g. 257 -> 1, -1 -> 255). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_exit_handler(void)
{
    printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
    atexit(on_exit_handler);
    if (argc < 2) {
        printf("usage: exit_codes [_exit|ret] N\n");
        return 2;
    }
    if (strcmp(argv[1], "_exit") == 0 && argc >= 3) {
        int n = atoi(argv[2]);
        static const char msg[] = "calling _exit\n";
        write(1, msg, sizeof msg - 1);
        printf("this buffered line must be lost\n");
        _exit(n);
    }
    if (strcmp(argv[1], "ret") == 0 && argc >= 3) {
        int n = atoi(argv[2]);
        printf("returning %d from main\n", n);
        return n;
    }
    int n = atoi(argv[1]);
    printf("calling exit(%d)\n", n);
    exit(n);
}
