/* emu guarded execution: sigsetjmp/siglongjmp cannot be written in Rust
 * (sigsetjmp returns twice), so this shim owns the per-thread stack of jump
 * buffers. Owned by src/mem/fault.rs; nothing else should call it. */
#include <setjmp.h>
#include <stddef.h>

static __thread sigjmp_buf *emu_guard_top;

/* Run fn(arg). Returns 0 if it returned normally, 1 if a fault escaped it
 * through emu_guarded_escape(). Nesting is allowed. */
int emu_guarded_call(void (*fn)(void *), void *arg)
{
    sigjmp_buf buf;
    sigjmp_buf *volatile prev = emu_guard_top;
    /* savemask 0: no sigprocmask syscall; the handler uses SA_NODEFER and an
     * empty sa_mask, so escaping leaves the signal mask as it was. */
    if (sigsetjmp(buf, 0) == 0) {
        emu_guard_top = &buf;
        fn(arg);
        emu_guard_top = prev;
        return 0;
    }
    emu_guard_top = prev;
    return 1;
}

int emu_guarded_active(void)
{
    return emu_guard_top != NULL;
}

/* Only valid when emu_guarded_active() (called from the signal handler). */
void emu_guarded_escape(void)
{
    siglongjmp(*emu_guard_top, 1);
}
