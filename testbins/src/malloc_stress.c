/* malloc_stress: many malloc/realloc/calloc/free of varying sizes driven by a
 * deterministic LCG (sized to stay quick under a plain interpreter).  Every block is filled with a pattern derived from its
 * slot and generation, verified before it is freed/realloced, and a checksum
 * over all verified contents is printed.  Addresses never influence output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define ROUNDS 20000

static uint64_t lcg_state = 0x853c49e6748fea9bULL;
static uint32_t rnd(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(lcg_state >> 33);
}

struct slot {
    unsigned char *p;
    size_t n;
    uint32_t tag;
};
static struct slot slots[SLOTS];
static uint64_t checksum;
static unsigned long errors;

static unsigned char pat(uint32_t tag, size_t i)
{
    return (unsigned char)((tag * 31u) ^ (uint32_t)(i * 7u) ^ (uint32_t)(i >> 8));
}

static void fill(struct slot *s, size_t from)
{
    for (size_t i = from; i < s->n; i++)
        s->p[i] = pat(s->tag, i);
}

static void verify(struct slot *s, size_t upto)
{
    for (size_t i = 0; i < upto; i++) {
        if (s->p[i] != pat(s->tag, i)) {
            errors++;
            return;
        }
        checksum = checksum * 1099511628211ULL + s->p[i];
    }
}

static size_t pick_size(void)
{
    uint32_t r = rnd();
    switch (r % 8) {
    case 0: return r % 8;                   /* tiny, incl. 0 */
    case 1: case 2: case 3: return 8 + r % 120;
    case 4: case 5: return 128 + r % 2000;
    case 6: return 1024 + r % 8000;
    default: return (r % 64 == 0) ? 140000 + r % 100000 : 16 + r % 500; /* some above the mmap threshold */
    }
}

int main(void)
{
    unsigned long n_malloc = 0, n_calloc = 0, n_realloc = 0, n_free = 0;
    for (int round = 0; round < ROUNDS; round++) {
        struct slot *s = &slots[rnd() % SLOTS];
        uint32_t op = rnd() % 10;
        if (s->p == NULL) {
            s->n = pick_size();
            s->tag = rnd();
            if (op < 3) {
                s->p = calloc(1, s->n ? s->n : 1);
                n_calloc++;
                for (size_t i = 0; i < s->n; i++)
                    if (s->p[i] != 0) {
                        errors++;
                        break;
                    }
            } else {
                s->p = malloc(s->n ? s->n : 1);
                n_malloc++;
            }
            if (!s->p) {
                printf("allocation failed\n");
                return 1;
            }
            fill(s, 0);
        } else if (op < 4) {
            size_t nn = pick_size();
            size_t keep = nn < s->n ? nn : s->n;
            unsigned char *np = realloc(s->p, nn ? nn : 1);
            n_realloc++;
            if (!np) {
                printf("realloc failed\n");
                return 1;
            }
            s->p = np;
            verify(s, keep); /* realloc must preserve the common prefix */
            s->n = nn;
            fill(s, keep);
        } else {
            verify(s, s->n);
            free(s->p);
            n_free++;
            s->p = NULL;
        }
    }
    size_t live = 0, live_bytes = 0;
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].p) {
            verify(&slots[i], slots[i].n);
            live++;
            live_bytes += slots[i].n;
            free(slots[i].p);
        }
    /* posix_memalign / aligned_alloc */
    int aligned_ok = 1;
    for (size_t al = 16; al <= 65536; al *= 4) {
        void *p = NULL;
        if (posix_memalign(&p, al, 1000) != 0 || ((uintptr_t)p % al) != 0)
            aligned_ok = 0;
        memset(p, 1, 1000);
        free(p);
        p = aligned_alloc(al, al * 2);
        if (!p || ((uintptr_t)p % al) != 0)
            aligned_ok = 0;
        free(p);
    }
    printf("malloc %lu calloc %lu realloc %lu free %lu\n", n_malloc, n_calloc, n_realloc, n_free);
    printf("live at end %zu blocks, %zu bytes\n", live, live_bytes);
    printf("aligned allocations ok: %s\n", aligned_ok ? "yes" : "no");
    printf("pattern errors: %lu\n", errors);
    printf("checksum %016llx\n", (unsigned long long)checksum);
    return errors ? 1 : 0;
}
