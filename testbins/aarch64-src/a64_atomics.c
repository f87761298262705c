/* a64_atomics: the A64 atomics, one inline-asm form each (built with
 * -march=armv8.4-a, static glibc):
 *   - exclusives LDXR/LDAXR/STXR/STLXR of each size, LDXP/LDAXP/STXP/STLXP
 *     (32- and 64-bit pairs), the status register and the monitor (cleared
 *     on success, failure and CLREX; another address fails);
 *   - LDAR/STLR, LDLAR/STLLR, LDAPR of each size, LDAPUR and STLUR forms;
 *   - LSE: LDADD LDCLR LDEOR LDSET LDSMAX LDSMIN LDUMAX LDUMIN SWP in
 *     every size and ordering, their ST* aliases, CAS and CASP;
 *   - contention: 4 threads hammering counters with LL/SC loops, LDADD,
 *     CAS loops on adjacent bytes and halfwords, 128-bit pairs (LDXP/STXP
 *     and CASP, checking that no snapshot is torn), a SWP spinlock;
 *   - an unaligned load-exclusive is SIGBUS (BUS_ADRALN) at its address
 *     (crossing 16 bytes, where qemu-aarch64 agrees).
 * All output is deterministic; it comes from the main thread. */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;

static u64 sum_lines;
static void line(const char *name, u64 a, u64 b)
{
    printf("%-10s %016llx %016llx\n", name, (unsigned long long)a, (unsigned long long)b);
}

/* ---- exclusives, single thread ---- */
#define LDX(fn, mn, R) static u64 fn(void *p) { u64 v; \
    asm volatile(mn " %" R "0, [%1]" : "=r"(v) : "r"(p) : "memory"); return v; }
#define STX(fn, mn, R) static u32 fn(void *p, u64 v) { u32 s; \
    asm volatile(mn " %w0, %" R "1, [%2]" : "=&r"(s) : "r"(v), "r"(p) : "memory"); return s; }
LDX(ldxrb, "ldxrb", "w") LDX(ldxrh, "ldxrh", "w") LDX(ldxrw, "ldxr", "w") LDX(ldxrx, "ldxr", "x")
LDX(ldaxrb, "ldaxrb", "w") LDX(ldaxrh, "ldaxrh", "w") LDX(ldaxrw, "ldaxr", "w") LDX(ldaxrx, "ldaxr", "x")
STX(stxrb, "stxrb", "w") STX(stxrh, "stxrh", "w") STX(stxrw, "stxr", "w") STX(stxrx, "stxr", "x")
STX(stlxrb, "stlxrb", "w") STX(stlxrh, "stlxrh", "w") STX(stlxrw, "stlxr", "w") STX(stlxrx, "stlxr", "x")

static u64 (*const ldx[2][4])(void *) = {
    {ldxrb, ldxrh, ldxrw, ldxrx}, {ldaxrb, ldaxrh, ldaxrw, ldaxrx}};
static u32 (*const stx[2][4])(void *, u64) = {
    {stxrb, stxrh, stxrw, stxrx}, {stlxrb, stlxrh, stlxrw, stlxrx}};
static const char *const size_name = "bhwx";

static void exclusives(void)
{
    static u64 mem[4] __attribute__((aligned(16)));
    for (int acq = 0; acq < 2; acq++)
        for (int sz = 0; sz < 4; sz++) {
            mem[0] = 0x8877665544332211ull; mem[1] = 0xffeeddccbbaa9988ull;
            u8 *p = (u8 *)mem + (1 << sz); /* an offset of the size */
            u64 v = ldx[acq][sz](p);
            u32 ok = stx[acq][sz](p, 0xa5a5a5a5a5a5a5a5ull);
            u32 again = stx[acq][sz](p, 0x1234); /* monitor cleared by success */
            ldx[acq][sz](p);
            asm volatile("clrex" ::: "memory");
            u32 cleared = stx[acq][sz](p, 0x5678);
            ldx[acq][sz](p);
            u32 other = stx[acq][sz](p + 8, 0x9abc); /* not the armed address */
            u32 after = stx[acq][sz](p, 0xdef0); /* failure cleared it too */
            char name[16];
            snprintf(name, sizeof name, "%s%c", acq ? "ldaxr" : "ldxr", size_name[sz]);
            line(name, v, (u64)ok << 16 | again << 12 | cleared << 8 | other << 4 | after);
            line("  mem", mem[0], mem[1]);
        }
    /* pairs */
    for (int acq = 0; acq < 2; acq++) {
        mem[0] = 0x8877665544332211ull; mem[1] = 0xffeeddccbbaa9988ull;
        u64 a, b; u32 s, s2;
        if (acq)
            asm volatile("ldaxp %w0, %w1, [%2]" : "=&r"(a), "=&r"(b) : "r"(mem + 1) : "memory");
        else
            asm volatile("ldxp %w0, %w1, [%2]" : "=&r"(a), "=&r"(b) : "r"(mem + 1) : "memory");
        if (acq)
            asm volatile("stlxp %w0, %w1, %w2, [%3]" : "=&r"(s) : "r"(0x11112222u), "r"(0x33334444u), "r"(mem + 1) : "memory");
        else
            asm volatile("stxp %w0, %w1, %w2, [%3]" : "=&r"(s) : "r"(0x11112222u), "r"(0x33334444u), "r"(mem + 1) : "memory");
        asm volatile("stxp %w0, %w1, %w2, [%3]" : "=&r"(s2) : "r"(1), "r"(2), "r"(mem + 1) : "memory");
        line(acq ? "ldaxp w" : "ldxp w", a, b);
        line("  mem", mem[1], (u64)s << 4 | s2);
        mem[2] = 0x0123456789abcdefull; mem[3] = 0xfedcba9876543210ull;
        if (acq)
            asm volatile("ldaxp %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(mem + 2) : "memory");
        else
            asm volatile("ldxp %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(mem + 2) : "memory");
        if (acq)
            asm volatile("stlxp %w0, %1, %2, [%3]" : "=&r"(s) : "r"(0xaaaabbbbccccddddull), "r"(0x1111222233334444ull), "r"(mem + 2) : "memory");
        else
            asm volatile("stxp %w0, %1, %2, [%3]" : "=&r"(s) : "r"(0xaaaabbbbccccddddull), "r"(0x1111222233334444ull), "r"(mem + 2) : "memory");
        asm volatile("stxp %w0, %1, %2, [%3]" : "=&r"(s2) : "r"(1ull), "r"(2ull), "r"(mem + 2) : "memory");
        line(acq ? "ldaxp x" : "ldxp x", a, b);
        line("  mem", mem[2], mem[3]);
        /* a changed value between the pair's load and store fails it */
        asm volatile("ldxp %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(mem + 2) : "memory");
        mem[3] ^= 1;
        asm volatile("stxp %w0, %1, %2, [%3]" : "=&r"(s) : "r"(5ull), "r"(6ull), "r"(mem + 2) : "memory");
        line("  changed", s, mem[2] ^ mem[3]);
    }
}

/* ---- load-acquire / store-release ---- */
static void ordered(void)
{
    static u64 m[4] __attribute__((aligned(16)));
    u64 r[8];
    m[0] = 0x8182838485868788ull; m[1] = 0xf1f2f3f4f5f6f7f8ull;
    asm volatile("ldarb %w0, [%1]" : "=r"(r[0]) : "r"(m) : "memory");
    asm volatile("ldarh %w0, [%1]" : "=r"(r[1]) : "r"(m) : "memory");
    asm volatile("ldar %w0, [%1]" : "=r"(r[2]) : "r"(m) : "memory");
    asm volatile("ldar %0, [%1]" : "=r"(r[3]) : "r"(m) : "memory");
    asm volatile("ldlarb %w0, [%1]" : "=r"(r[4]) : "r"(m + 1) : "memory");
    asm volatile("ldlarh %w0, [%1]" : "=r"(r[5]) : "r"(m + 1) : "memory");
    asm volatile("ldlar %w0, [%1]" : "=r"(r[6]) : "r"(m + 1) : "memory");
    asm volatile("ldlar %0, [%1]" : "=r"(r[7]) : "r"(m + 1) : "memory");
    line("ldar", r[0] << 48 | r[1] << 32 | r[2], r[3]);
    line("ldlar", r[4] << 48 | r[5] << 32 | r[6], r[7]);
    asm volatile("ldaprb %w0, [%1]" : "=r"(r[0]) : "r"(m) : "memory");
    asm volatile("ldaprh %w0, [%1]" : "=r"(r[1]) : "r"(m) : "memory");
    asm volatile("ldapr %w0, [%1]" : "=r"(r[2]) : "r"(m) : "memory");
    asm volatile("ldapr %0, [%1]" : "=r"(r[3]) : "r"(m) : "memory");
    line("ldapr", r[0] << 48 | r[1] << 32 | r[2], r[3]);
    asm volatile("stlrb %w0, [%1]" :: "r"(0x1234567801ull), "r"(m + 2) : "memory");
    asm volatile("stlrh %w0, [%1]" :: "r"(0x1234567802ull), "r"((u8 *)(m + 2) + 2) : "memory");
    asm volatile("stlr %w0, [%1]" :: "r"(0xaabbccdd03ull), "r"((u8 *)(m + 2) + 4) : "memory");
    asm volatile("stlr %0, [%1]" :: "r"(0x0102030405060708ull), "r"(m + 3) : "memory");
    line("stlr", m[2], m[3]);
    asm volatile("stllrb %w0, [%1]" :: "r"(0x11ull), "r"(m + 2) : "memory");
    asm volatile("stllrh %w0, [%1]" :: "r"(0x2222ull), "r"((u8 *)(m + 2) + 2) : "memory");
    asm volatile("stllr %w0, [%1]" :: "r"(0x33333333ull), "r"((u8 *)(m + 2) + 4) : "memory");
    asm volatile("stllr %0, [%1]" :: "r"(0x4444444444444444ull), "r"(m + 3) : "memory");
    line("stllr", m[2], m[3]);
    /* RCpc unscaled: offsets around m + 2 */
    u8 *b = (u8 *)(m + 2);
    m[0] = 0x8182838485868788ull; m[1] = 0xf1f2f3f4f5f6f7f8ull;
    asm volatile("ldapurb %w0, [%1, #-1]" : "=r"(r[0]) : "r"(b) : "memory");
    asm volatile("ldapurh %w0, [%1, #-2]" : "=r"(r[1]) : "r"(b) : "memory");
    asm volatile("ldapur %w0, [%1, #-4]" : "=r"(r[2]) : "r"(b) : "memory");
    asm volatile("ldapur %0, [%1, #-16]" : "=r"(r[3]) : "r"(b) : "memory");
    line("ldapur", r[0] << 48 | r[1] << 32 | r[2], r[3]);
    asm volatile("ldapursb %w0, [%1, #-16]" : "=r"(r[0]) : "r"(b) : "memory");
    asm volatile("ldapursb %0, [%1, #-9]" : "=r"(r[1]) : "r"(b) : "memory");
    asm volatile("ldapursh %w0, [%1, #-10]" : "=r"(r[2]) : "r"(b) : "memory");
    asm volatile("ldapursh %0, [%1, #-2]" : "=r"(r[3]) : "r"(b) : "memory");
    asm volatile("ldapursw %0, [%1, #-12]" : "=r"(r[4]) : "r"(b) : "memory");
    line("ldapurs", r[0] << 32 | (r[1] & 0xffffffff), r[2]);
    line("ldapurs", r[3], r[4]);
    asm volatile("stlurb %w0, [%1, #-16]" :: "r"(0x1234ull), "r"(b) : "memory");
    asm volatile("stlurh %w0, [%1, #-14]" :: "r"(0x123456ull), "r"(b) : "memory");
    asm volatile("stlur %w0, [%1, #-12]" :: "r"(0x99887766554433ull), "r"(b) : "memory");
    asm volatile("stlur %0, [%1, #-8]" :: "r"(0x0a0b0c0d0e0f1011ull), "r"(b) : "memory");
    line("stlur", m[0], m[1]);
}

/* ---- LSE: every operation, size and ordering ---- */
#define RMW1(fn, mn, T, R) static u64 fn(void *vp, u64 v) { T *p = vp; u64 o; \
    asm volatile(mn " %" R "[v], %" R "[o], %[m]" : [o] "=&r"(o), [m] "+Q"(*p) : [v] "r"(v) : "memory"); return o; }
#define RMW_SIZES(op, ord) \
    RMW1(op##ord##_b, #op #ord "b", u8, "w") RMW1(op##ord##_h, #op #ord "h", u16, "w") \
    RMW1(op##ord##_w, #op #ord, u32, "w") RMW1(op##ord##_x, #op #ord, u64, "x")
#define RMW_OP(op) RMW_SIZES(op, ) RMW_SIZES(op, a) RMW_SIZES(op, l) RMW_SIZES(op, al)
#define RMW_ROW(op, ord) {op##ord##_b, op##ord##_h, op##ord##_w, op##ord##_x}
#define RMW_TABLE(op) {RMW_ROW(op, ), RMW_ROW(op, a), RMW_ROW(op, l), RMW_ROW(op, al)}
RMW_OP(ldadd) RMW_OP(ldclr) RMW_OP(ldeor) RMW_OP(ldset)
RMW_OP(ldsmax) RMW_OP(ldsmin) RMW_OP(ldumax) RMW_OP(ldumin) RMW_OP(swp)
typedef u64 (*rmw_fn)(void *, u64);
static const rmw_fn rmw[9][4][4] = {
    RMW_TABLE(ldadd), RMW_TABLE(ldclr), RMW_TABLE(ldeor), RMW_TABLE(ldset),
    RMW_TABLE(ldsmax), RMW_TABLE(ldsmin), RMW_TABLE(ldumax), RMW_TABLE(ldumin), RMW_TABLE(swp)};
static const char *const rmw_name[9] = {
    "ldadd", "ldclr", "ldeor", "ldset", "ldsmax", "ldsmin", "ldumax", "ldumin", "swp"};

/* ST* aliases (no result register), plain and release */
#define ST1(fn, mn, T, R) static void fn(void *vp, u64 v) { T *p = vp; \
    asm volatile(mn " %" R "[v], %[m]" : [m] "+Q"(*p) : [v] "r"(v) : "memory"); }
#define ST_SIZES(op, ord) \
    ST1(op##ord##_b, #op #ord "b", u8, "w") ST1(op##ord##_h, #op #ord "h", u16, "w") \
    ST1(op##ord##_w, #op #ord, u32, "w") ST1(op##ord##_x, #op #ord, u64, "x")
#define ST_OP(op) ST_SIZES(op, ) ST_SIZES(op, l)
#define ST_TABLE(op) {{op##_b, op##_h, op##_w, op##_x}, {op##l_b, op##l_h, op##l_w, op##l_x}}
ST_OP(stadd) ST_OP(stclr) ST_OP(steor) ST_OP(stset)
ST_OP(stsmax) ST_OP(stsmin) ST_OP(stumax) ST_OP(stumin)
typedef void (*st_fn)(void *, u64);
static const st_fn st[8][2][4] = {
    ST_TABLE(stadd), ST_TABLE(stclr), ST_TABLE(steor), ST_TABLE(stset),
    ST_TABLE(stsmax), ST_TABLE(stsmin), ST_TABLE(stumax), ST_TABLE(stumin)};

/* CAS of each size and ordering: returns Rs afterwards */
#define CAS1(fn, mn, T, R) static u64 fn(void *vp, u64 e, u64 n) { T *p = vp; \
    asm volatile(mn " %" R "[s], %" R "[t], %[m]" : [s] "+&r"(e), [m] "+Q"(*p) : [t] "r"(n) : "memory"); return e; }
#define CAS_SIZES(ord) \
    CAS1(cas##ord##_b, "cas" #ord "b", u8, "w") CAS1(cas##ord##_h, "cas" #ord "h", u16, "w") \
    CAS1(cas##ord##_w, "cas" #ord, u32, "w") CAS1(cas##ord##_x, "cas" #ord, u64, "x")
CAS_SIZES() CAS_SIZES(a) CAS_SIZES(l) CAS_SIZES(al)
typedef u64 (*cas_fn)(void *, u64, u64);
static const cas_fn cas[4][4] = {
    {cas_b, cas_h, cas_w, cas_x}, {casa_b, casa_h, casa_w, casa_x},
    {casl_b, casl_h, casl_w, casl_x}, {casal_b, casal_h, casal_w, casal_x}};

/* CASP: pairs in x4/x5 (compare, old) and x6/x7 (new) */
#define CASP1(fn, mn, R) static void fn(void *p, u64 *s, u64 t0, u64 t1) { \
    register u64 a asm("x4") = s[0], b asm("x5") = s[1], c asm("x6") = t0, d asm("x7") = t1; \
    asm volatile(mn " " R "4, " R "5, " R "6, " R "7, [%4]" : "+r"(a), "+r"(b) : "r"(c), "r"(d), "r"(p) : "memory"); \
    s[0] = a; s[1] = b; }
CASP1(casp_w, "casp", "w") CASP1(caspa_w, "caspa", "w") CASP1(caspl_w, "caspl", "w") CASP1(caspal_w, "caspal", "w")
CASP1(casp_x, "casp", "x") CASP1(caspa_x, "caspa", "x") CASP1(caspl_x, "caspl", "x") CASP1(caspal_x, "caspal", "x")
static void (*const casp[2][4])(void *, u64 *, u64, u64) = {
    {casp_w, caspa_w, caspl_w, caspal_w}, {casp_x, caspa_x, caspl_x, caspal_x}};

/* CASP with the pair x30, xzr (w30, wzr): returns x30 afterwards */
static u64 casp_x30(void *p, u64 e, u64 t0, u64 t1)
{
    register u64 c asm("x6") = t0, d asm("x7") = t1;
    u64 r;
    asm volatile("mov x30, %1\n casp x30, xzr, x6, x7, [%4]\n mov %0, x30"
                 : "=r"(r) : "r"(e), "r"(c), "r"(d), "r"(p) : "x30", "memory");
    return r;
}
static u64 casp_w30(void *p, u64 e, u64 t0, u64 t1)
{
    register u64 c asm("x6") = t0, d asm("x7") = t1;
    u64 r;
    asm volatile("mov x30, %1\n casp w30, wzr, w6, w7, [%4]\n mov %0, x30"
                 : "=r"(r) : "r"(e), "r"(c), "r"(d), "r"(p) : "x30", "memory");
    return r;
}

static const u64 init[2] = {0x8c7b6a5948372615ull, 0x0f1e2d3c4b5a6978ull};
static const u64 operand[3] = {0x1324354657687980ull, 0x7f7f7f7f7f7f7f7full, 0x0000000000000001ull};

static void lse(void)
{
    static u64 m[2] __attribute__((aligned(16)));
    for (int op = 0; op < 9; op++)
        for (int sz = 0; sz < 4; sz++) {
            /* the same results in every ordering, at an offset of the size */
            u64 h = 0, olds = 0;
            for (int ord = 0; ord < 4; ord++) {
                u64 acc = 0;
                for (int k = 0; k < 3; k++) {
                    m[0] = init[0]; m[1] = init[1];
                    u8 *p = (u8 *)m + (sz == 3 ? 0 : 8 - (1 << sz)); /* m[0]'s top */
                    u64 old = rmw[op][ord][sz](p, operand[k] ^ m[1] * k);
                    acc = acc * 31 + old;
                    acc = acc * 31 + m[0];
                    acc = acc * 31 + m[1];
                    if (ord == 0 && k == 0) olds = old;
                }
                if (ord == 0) h = acc;
                else if (acc != h) printf("%s%c: ordering %d differs\n", rmw_name[op], size_name[sz], ord);
            }
            char name[16];
            snprintf(name, sizeof name, "%s%c", rmw_name[op], size_name[sz]);
            line(name, olds, h);
            sum_lines += h;
        }
    for (int op = 0; op < 8; op++) {
        u64 h = 0;
        for (int ord = 0; ord < 2; ord++)
            for (int sz = 0; sz < 4; sz++) {
                m[0] = init[0]; m[1] = init[1];
                st[op][ord][sz]((u8 *)m + 8 - (1 << sz), operand[1]);
                /* agrees with the LD form */
                u64 a0 = m[0], a1 = m[1];
                m[0] = init[0]; m[1] = init[1];
                rmw[op][ord == 1 ? 2 : 0][sz]((u8 *)m + 8 - (1 << sz), operand[1]);
                if (a0 != m[0] || a1 != m[1]) printf("st %s%c differs from ld\n", rmw_name[op], size_name[sz]);
                h = h * 31 + a0 + a1;
            }
        char name[16];
        snprintf(name, sizeof name, "st%s", rmw_name[op] + 2);
        line(name, h, 0);
    }
    for (int ord = 0; ord < 4; ord++)
        for (int sz = 0; sz < 4; sz++) {
            m[0] = init[0]; m[1] = init[1];
            u8 *p = (u8 *)m + 8 - (1 << sz);
            u64 cur = sz == 3 ? init[0] : init[0] >> (64 - (8 << sz));
            u64 miss = cas[ord][sz](p, cur ^ 1, 0x5555555555555555ull);
            if (m[0] != init[0]) printf("cas%d%c: a failed cas stored\n", ord, size_name[sz]);
            /* expected with garbage above the access size still matches */
            u64 hit = cas[ord][sz](p, cur | (sz == 3 ? 0 : ~0ull << (8 << sz)), 0xa1b2c3d4e5f60718ull);
            if (hit != miss) printf("cas%d%c: old values differ\n", ord, size_name[sz]);
            char name[16];
            snprintf(name, sizeof name, "cas%d%c", ord, size_name[sz]);
            line(name, miss, m[0]);
        }
    for (int ord = 0; ord < 4; ord++) {
        u64 s[2];
        m[0] = init[0]; m[1] = init[1];
        s[0] = 0x48372615; s[1] = 0x8c7b6a59;
        casp[0][ord](m, s, 0x11111111, 0x22222222);
        u64 r = m[0];
        s[0] = 1; s[1] = 0x8c7b6a59;
        casp[0][ord](m, s, 0x33333333, 0x44444444); /* fails: s = the old pair */
        line("caspw", r, s[0] << 32 | s[1]);
        m[0] = init[0]; m[1] = init[1];
        s[0] = init[0]; s[1] = init[1];
        casp[1][ord](m, s, 0x1111111111111111ull, 0x2222222222222222ull);
        u64 r0 = m[0], r1 = m[1];
        s[0] = 0x1111111111111111ull; s[1] = 0;
        casp[1][ord](m, s, 3, 4);
        line("caspx", r0 ^ r1, s[0] ^ s[1] ^ m[0] ^ m[1]);
    }
    m[0] = init[0]; m[1] = 0;
    u64 hit = casp_x30(m, init[0], 0x1111, 0x3333); /* (x30, xzr) == (m0, m1) */
    u64 miss = casp_x30(m, 0x1111, 0x2222, 0);      /* m1 is not 0 now */
    line("caspx30", hit, miss);
    line("  mem", m[0], m[1]);
    m[0] = 0x0000000012345678ull;
    hit = casp_w30(m, 0xffffffff12345678ull, 0x55, 0x66); /* compares w30 only */
    miss = casp_w30(m, 0x55, 0x77, 0x88);                 /* high word 0x66 != 0 */
    line("caspw30", hit, miss);
    line("  mem", m[0], m[1]);
}

/* ---- contention ---- */
#define THREADS 4
#define ITER 100000

static u64 c_llsc64, c_llsc32, c_ldadd64, c_ldadd32, c_mixed, c_lock_count;
static u8 bytes_llsc[8] __attribute__((aligned(8)));
static u8 bytes_cas[8] __attribute__((aligned(8)));
static u8 bytes_add[8] __attribute__((aligned(8)));
static u16 halves_cas[4] __attribute__((aligned(8)));
static u16 halves_llsc[4] __attribute__((aligned(8)));
static u16 halves_add[4] __attribute__((aligned(8)));
static u64 pair_x[2] __attribute__((aligned(16)));
static u64 pair_c[2] __attribute__((aligned(16)));
static u32 pair_w[2] __attribute__((aligned(8)));
static u64 torn_x, torn_c;
static u32 lock_word;
static u64 bits_set;
static u16 smax_h = 0x8000;
static u8 umin_b = 0xff;

static void inc_llsc64(u64 *p)
{
    u64 v; u32 s;
    asm volatile("1: ldxr %0, [%2]\n add %0, %0, #1\n stxr %w1, %0, [%2]\n cbnz %w1, 1b"
                 : "=&r"(v), "=&r"(s) : "r"(p) : "memory");
}
static void inc_llsc32(u64 *p)
{
    u32 v, s;
    asm volatile("1: ldaxr %w0, [%2]\n add %w0, %w0, #3\n stlxr %w1, %w0, [%2]\n cbnz %w1, 1b"
                 : "=&r"(v), "=&r"(s) : "r"(p) : "memory");
}
static void inc_llsc8(u8 *p)
{
    u32 v, s;
    asm volatile("1: ldaxrb %w0, [%2]\n add %w0, %w0, #1\n stlxrb %w1, %w0, [%2]\n cbnz %w1, 1b"
                 : "=&r"(v), "=&r"(s) : "r"(p) : "memory");
}
static void inc_llsc16(u16 *p)
{
    u32 v, s;
    asm volatile("1: ldxrh %w0, [%2]\n add %w0, %w0, #257\n stxrh %w1, %w0, [%2]\n cbnz %w1, 1b"
                 : "=&r"(v), "=&r"(s) : "r"(p) : "memory");
}
static void inc_cas8(u8 *p)
{
    u32 old = *(volatile u8 *)p, want, seen;
    for (;;) {
        want = (old + 1) & 0xff;
        seen = old;
        asm volatile("casalb %w0, %w2, [%1]" : "+&r"(seen) : "r"(p), "r"(want) : "memory");
        if (seen == old) break;
        old = seen;
    }
}
static void inc_cas16(u16 *p)
{
    u32 old = *(volatile u16 *)p, want, seen;
    for (;;) {
        want = (old + 7) & 0xffff;
        seen = old;
        asm volatile("cash %w0, %w2, [%1]" : "+&r"(seen) : "r"(p), "r"(want) : "memory");
        if (seen == old) break;
        old = seen;
    }
}
/* 128-bit pair by LDAXP/STLXP: lo += 1, hi += 2; the snapshot a successful
 * store-exclusive pairs with is never torn (hi == 2 lo). */
static int inc_pair_x(void)
{
    u64 lo, hi, nlo, nhi; u32 s;
    asm volatile("1: ldaxp %0, %1, [%5]\n add %2, %0, #1\n add %3, %1, #2\n"
                 " stlxp %w4, %2, %3, [%5]\n cbnz %w4, 1b"
                 : "=&r"(lo), "=&r"(hi), "=&r"(nlo), "=&r"(nhi), "=&r"(s) : "r"(pair_x) : "memory");
    return hi != 2 * lo;
}
/* 128-bit pair by CASPAL: lo += 1, hi += 3 */
static int inc_pair_c(void)
{
    register u64 a asm("x4"), b asm("x5"), c asm("x6"), d asm("x7");
    u64 e0, e1;
    asm volatile("ldp %0, %1, [%6]\n"
                 "1: add %2, %0, #1\n add %3, %1, #3\n mov %4, %0\n mov %5, %1\n"
                 " caspal %0, %1, %2, %3, [%6]\n cmp %0, %4\n ccmp %1, %5, #0, eq\n b.ne 1b"
                 : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "=&r"(e0), "=&r"(e1) : "r"(pair_c) : "cc", "memory");
    return b != 3 * a;
}
/* 32-bit pair by LDXP/STXP: both words += 1 */
static void inc_pair_w(void)
{
    u32 lo, hi, s;
    asm volatile("1: ldxp %w0, %w1, [%3]\n add %w0, %w0, #1\n add %w1, %w1, #1\n"
                 " stxp %w2, %w0, %w1, [%3]\n cbnz %w2, 1b"
                 : "=&r"(lo), "=&r"(hi), "=&r"(s) : "r"(pair_w) : "memory");
}
static void lock(void)
{
    u32 old;
    do asm volatile("swpa %w1, %w0, [%2]" : "=&r"(old) : "r"(1), "r"(&lock_word) : "memory");
    while (old);
}
static void unlock(void) { asm volatile("stlr wzr, [%0]" :: "r"(&lock_word) : "memory"); }

static pthread_barrier_t go;

static void *worker(void *arg)
{
    long id = (long)arg;
    pthread_barrier_wait(&go); /* all start together: real contention */
    u64 torn_px = 0, torn_pc = 0;
    for (int i = 0; i < ITER; i++) {
        inc_llsc64(&c_llsc64);
        inc_llsc32(&c_llsc32);
        asm volatile("stadd %0, [%1]" :: "r"((u64)id + 1), "r"(&c_ldadd64) : "memory");
        u32 o;
        asm volatile("ldaddal %w0, %w1, [%2]" : "=r"(o) : "r"(2), "r"(&c_ldadd32) : "memory");
        /* LL/SC and LDADD on the same word */
        if (id & 1) inc_llsc64(&c_mixed);
        else asm volatile("staddl %0, [%1]" :: "r"(1ull), "r"(&c_mixed) : "memory");
        inc_llsc8(&bytes_llsc[(id + i) & 7]);
        inc_cas8(&bytes_cas[(id + i) & 7]);
        asm volatile("ldaddb %w1, %w0, [%2]" : "=&r"(o) : "r"(id + 1), "r"(&bytes_add[i & 7]) : "memory");
        asm volatile("staddh %w0, [%1]" :: "r"(0x101), "r"(&halves_add[(i + id) & 3]) : "memory");
        inc_cas16(&halves_cas[(id + i) & 3]);
        inc_llsc16(&halves_llsc[i & 3]);
        torn_px += inc_pair_x();
        torn_pc += inc_pair_c();
        inc_pair_w();
        lock();
        c_lock_count = *(volatile u64 *)&c_lock_count + 1;
        unlock();
        asm volatile("stset %0, [%1]" :: "r"(1ull << ((id * 16 + i) & 63)), "r"(&bits_set) : "memory");
        asm volatile("stsmaxh %w0, [%1]" :: "r"((u32)(i * 7 + id) & 0x7fff), "r"(&smax_h) : "memory");
        asm volatile("stuminb %w0, [%1]" :: "r"(((u32)(ITER - i + id) & 0xff) | 0x10), "r"(&umin_b) : "memory");
    }
    __atomic_fetch_add(&torn_x, torn_px, __ATOMIC_RELAXED);
    __atomic_fetch_add(&torn_c, torn_pc, __ATOMIC_RELAXED);
    return NULL;
}

static u64 bytes8(const u8 *b) { u64 v; memcpy(&v, b, 8); return v; }

static void contention(void)
{
    pthread_t t[THREADS];
    pthread_barrier_init(&go, NULL, THREADS);
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    u64 n = (u64)THREADS * ITER;
    printf("contention: %d threads x %d\n", THREADS, ITER);
    printf("llsc64 %llu llsc32 %llu (expect %llu %llu)\n", (unsigned long long)c_llsc64,
           (unsigned long long)c_llsc32, (unsigned long long)n, (unsigned long long)(3 * n));
    printf("ldadd64 %llu ldadd32 %llu mixed %llu lock %llu\n", (unsigned long long)c_ldadd64,
           (unsigned long long)c_ldadd32, (unsigned long long)c_mixed, (unsigned long long)c_lock_count);
    line("bytes", bytes8(bytes_llsc), bytes8(bytes_cas));
    line("adds", bytes8(bytes_add), bytes8((u8 *)halves_add));
    line("halves", bytes8((u8 *)halves_cas), bytes8((u8 *)halves_llsc));
    line("pair_x", pair_x[0], pair_x[1]);
    line("pair_c", pair_c[0], pair_c[1]);
    line("pair_w", pair_w[0], pair_w[1]);
    printf("torn %llu %llu\n", (unsigned long long)torn_x, (unsigned long long)torn_c);
    line("bits", bits_set, (u64)smax_h << 8 | umin_b);
}

/* ---- unaligned exclusives ---- */
static sigjmp_buf jb;
static volatile int sig_code;
static void *volatile sig_addr;
static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    sig_code = si->si_code;
    sig_addr = si->si_addr;
    siglongjmp(jb, 1);
}
static void unaligned(void)
{
    static u64 m[4] __attribute__((aligned(16)));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    static const char *const names[] = {"ldxr x", "ldaxr w", "ldxrh", "ldxp x", "ldxp w", "ldaxp x"};
    /* Each crosses a 16-byte boundary: qemu-aarch64 (FEAT_LSE2) lets an
     * unaligned exclusive within 16 bytes pass; emu faults on any. */
    static const int offs[] = {12, 14, 15, 8, 12, 4};
    for (int k = 0; k < 6; k++) {
        u8 *p = (u8 *)m + offs[k];
        u64 a = 0, b = 0;
        sig_code = 0;
        sig_addr = 0;
        if (!sigsetjmp(jb, 1)) {
            switch (k) {
            case 0: asm volatile("ldxr %0, [%1]" : "=r"(a) : "r"(p) : "memory"); break;
            case 1: asm volatile("ldaxr %w0, [%1]" : "=r"(a) : "r"(p) : "memory"); break;
            case 2: asm volatile("ldxrh %w0, [%1]" : "=r"(a) : "r"(p) : "memory"); break;
            case 3: asm volatile("ldxp %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(p) : "memory"); break;
            case 4: asm volatile("ldxp %w0, %w1, [%2]" : "=&r"(a), "=&r"(b) : "r"(p) : "memory"); break;
            case 5: asm volatile("ldaxp %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(p) : "memory"); break;
            }
            asm volatile("clrex");
            printf("unaligned %s: no signal\n", names[k]);
        } else {
            printf("unaligned %s: SIGBUS code %d at +%ld\n", names[k], sig_code,
                   (long)((u8 *)sig_addr - (u8 *)m));
        }
    }
}

int main(void)
{
    unsigned long hw = getauxval(AT_HWCAP);
    printf("hwcap atomics %lu lrcpc %lu ilrcpc %lu\n", hw >> 8 & 1, hw >> 15 & 1, hw >> 26 & 1);
    exclusives();
    ordered();
    lse();
    contention();
    unaligned();
    printf("done %016llx\n", (unsigned long long)sum_lines);
    return 0;
}
