/* procinfo: what a guest sees of itself. argv[0], two environment variables,
 * the AT_RANDOM bytes (reproducible under -seed), /proc/self/exe, /proc/self/
 * cmdline, /proc/self/auxv against getauxval, whether /proc/self/maps names
 * the program, the isa line of /proc/cpuinfo, and uname's machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <unistd.h>

static void print_file_line(const char *path, const char *prefix) {
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f) { printf("%s: cannot open\n", path); return; }
    while (fgets(line, sizeof line, f))
        if (strncmp(line, prefix, strlen(prefix)) == 0) { printf("%s", line); break; }
    fclose(f);
}

int main(int argc, char **argv) {
    printf("argv[0]=%s\n", argv[0]);
    printf("EMU_T1=%s\n", getenv("EMU_T1") ? getenv("EMU_T1") : "(unset)");
    printf("EMU_T2=%s\n", getenv("EMU_T2") ? getenv("EMU_T2") : "(unset)");
    const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
    printf("AT_RANDOM=");
    for (int i = 0; i < 16; i++) printf("%02x", r[i]);
    printf("\n");

    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    const char *base = strrchr(exe, '/');
    printf("exe basename=%s\n", base ? base + 1 : exe);

    char cmd[4096];
    FILE *f = fopen("/proc/self/cmdline", "r");
    size_t len = f ? fread(cmd, 1, sizeof cmd, f) : 0;
    if (f) fclose(f);
    printf("cmdline args=%d:", argc);
    for (size_t i = 0, start = 0; i < len; i++)
        if (cmd[i] == 0) { printf(" [%s]", cmd + start); start = i + 1; }
    printf("\n");

    unsigned long aux[2], pagesz = 0, hwcap = 0;
    f = fopen("/proc/self/auxv", "r");
    while (f && fread(aux, sizeof aux, 1, f) == 1 && aux[0] != AT_NULL) {
        if (aux[0] == AT_PAGESZ) pagesz = aux[1];
        if (aux[0] == AT_HWCAP) hwcap = aux[1];
    }
    if (f) fclose(f);
    printf("auxv pagesz=%lu matches=%d hwcap=%#lx matches=%d\n", pagesz, pagesz == getauxval(AT_PAGESZ), hwcap,
           hwcap == getauxval(AT_HWCAP));

    int named = 0;
    char line[1024];
    f = fopen("/proc/self/maps", "r");
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "procinfo") && strstr(line, "r-xp")) named = 1;
    if (f) fclose(f);
    printf("maps names the program: %s\n", named ? "yes" : "no");

    print_file_line("/proc/cpuinfo", "isa");
    struct utsname u;
    uname(&u);
    printf("machine=%s\n", u.machine);
    return 0;
}
