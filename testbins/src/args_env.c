/* args_env: argc/argv/envp passing.
 * Prints argc, every argv[i] (i >= 1; argv[0] is the path, which depends on
 * how the program was started, so only its presence is printed), and the
 * value of EMU_TESTBINS_VAR (the test harness sets it to a fixed value).
 * If any argument is exactly "exit3" the program exits with status 3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
    int want3 = 0;
    printf("argc=%d\n", argc);
    printf("argv[0] %s\n", (argv[0] && argv[0][0]) ? "present" : "missing");
    for (int i = 1; i < argc; i++) {
        printf("argv[%d]=\"%s\" len=%zu\n", i, argv[i], strlen(argv[i]));
        if (strcmp(argv[i], "exit3") == 0)
            want3 = 1;
    }
    printf("argv[argc] %s\n", argv[argc] == NULL ? "is NULL" : "is NOT NULL");
    const char *v = getenv("EMU_TESTBINS_VAR");
    printf("EMU_TESTBINS_VAR=%s\n", v ? v : "(unset)");
    /* environ must be the same block main's envp points into */
    int found = 0;
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "EMU_TESTBINS_VAR=", 17) == 0)
            found++;
    printf("environ entries for EMU_TESTBINS_VAR: %d\n", found);
    /* setenv / unsetenv round trip */
    setenv("EMU_TESTBINS_OTHER", "xyz", 1);
    printf("after setenv: %s\n", getenv("EMU_TESTBINS_OTHER"));
    unsetenv("EMU_TESTBINS_OTHER");
    printf("after unsetenv: %s\n", getenv("EMU_TESTBINS_OTHER") ? "still set" : "gone");
    if (want3) {
        printf("exiting with 3\n");
        return 3;
    }
    return 0;
}
