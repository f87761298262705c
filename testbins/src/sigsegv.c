/* sigsegv: dereference NULL with no handler installed.  The process must die
 * of SIGSEGV (the test checks the emulator dies of the same signal). */
#include <stdio.h>

int main(void)
{
    printf("about to dereference NULL\n");
    fflush(stdout);
    volatile int *p = (volatile int *)0;
    *p = 42;
    printf("survived?!\n");
    return 0;
}
