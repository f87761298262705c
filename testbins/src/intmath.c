/* intmath: integer arithmetic with RISC-V semantics.
 * mul/mulh*, div/rem (incl. division by zero and INT64_MIN / -1, which RISC-V
 * defines instead of trapping), 32-bit W ops, shifts (incl. the masked shift
 * amount), popcount/clz/ctz builtins, overflow builtins.  All results in hex.
 *
 * On riscv the division/multiply-high/shift operations are done with inline
 * asm so that the real instructions are executed.  On any other host the same
 * program computes the RISC-V-defined results in portable C, so a native build
 * gives the reference output for comparison. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

typedef int64_t i64;
typedef uint64_t u64;
typedef int32_t i32;
typedef uint32_t u32;

#if defined(__riscv)
#define RR(op) ({ u64 _r; __asm__ volatile(op " %0, %1, %2" : "=r"(_r) : "r"(a), "r"(b)); _r; })
static u64 op_div(u64 a, u64 b)    { return RR("div"); }
static u64 op_divu(u64 a, u64 b)   { return RR("divu"); }
static u64 op_rem(u64 a, u64 b)    { return RR("rem"); }
static u64 op_remu(u64 a, u64 b)   { return RR("remu"); }
static u64 op_divw(u64 a, u64 b)   { return RR("divw"); }
static u64 op_divuw(u64 a, u64 b)  { return RR("divuw"); }
static u64 op_remw(u64 a, u64 b)   { return RR("remw"); }
static u64 op_remuw(u64 a, u64 b)  { return RR("remuw"); }
static u64 op_mul(u64 a, u64 b)    { return RR("mul"); }
static u64 op_mulh(u64 a, u64 b)   { return RR("mulh"); }
static u64 op_mulhu(u64 a, u64 b)  { return RR("mulhu"); }
static u64 op_mulhsu(u64 a, u64 b) { return RR("mulhsu"); }
static u64 op_mulw(u64 a, u64 b)   { return RR("mulw"); }
static u64 op_sll(u64 a, u64 b)    { return RR("sll"); }
static u64 op_srl(u64 a, u64 b)    { return RR("srl"); }
static u64 op_sra(u64 a, u64 b)    { return RR("sra"); }
static u64 op_sllw(u64 a, u64 b)   { return RR("sllw"); }
static u64 op_srlw(u64 a, u64 b)   { return RR("srlw"); }
static u64 op_sraw(u64 a, u64 b)   { return RR("sraw"); }
static u64 op_addw(u64 a, u64 b)   { return RR("addw"); }
static u64 op_subw(u64 a, u64 b)   { return RR("subw"); }
static u64 op_slt(u64 a, u64 b)    { return RR("slt"); }
static u64 op_sltu(u64 a, u64 b)   { return RR("sltu"); }
#else
/* portable reference model of the RISC-V semantics */
static u64 sx32(u32 v) { return (u64)(i64)(i32)v; }
static u64 op_div(u64 a, u64 b)
{
    if (b == 0) return ~0ULL;
    if ((i64)a == INT64_MIN && (i64)b == -1) return a;
    return (u64)((i64)a / (i64)b);
}
static u64 op_divu(u64 a, u64 b) { return b == 0 ? ~0ULL : a / b; }
static u64 op_rem(u64 a, u64 b)
{
    if (b == 0) return a;
    if ((i64)a == INT64_MIN && (i64)b == -1) return 0;
    return (u64)((i64)a % (i64)b);
}
static u64 op_remu(u64 a, u64 b) { return b == 0 ? a : a % b; }
static u64 op_divw(u64 a, u64 b)
{
    i32 x = (i32)a, y = (i32)b;
    if (y == 0) return ~0ULL;
    if (x == INT32_MIN && y == -1) return sx32((u32)x);
    return sx32((u32)(x / y));
}
static u64 op_divuw(u64 a, u64 b) { return (u32)b == 0 ? ~0ULL : sx32((u32)a / (u32)b); }
static u64 op_remw(u64 a, u64 b)
{
    i32 x = (i32)a, y = (i32)b;
    if (y == 0) return sx32((u32)x);
    if (x == INT32_MIN && y == -1) return 0;
    return sx32((u32)(x % y));
}
static u64 op_remuw(u64 a, u64 b) { return (u32)b == 0 ? sx32((u32)a) : sx32((u32)a % (u32)b); }
static u64 op_mul(u64 a, u64 b) { return a * b; }
static u64 op_mulh(u64 a, u64 b) { return (u64)(((__int128)(i64)a * (__int128)(i64)b) >> 64); }
static u64 op_mulhu(u64 a, u64 b) { return (u64)(((unsigned __int128)a * b) >> 64); }
static u64 op_mulhsu(u64 a, u64 b) { return (u64)(((__int128)(i64)a * (__int128)(unsigned __int128)b) >> 64); }
static u64 op_mulw(u64 a, u64 b) { return sx32((u32)a * (u32)b); }
static u64 op_sll(u64 a, u64 b) { return a << (b & 63); }
static u64 op_srl(u64 a, u64 b) { return a >> (b & 63); }
static u64 op_sra(u64 a, u64 b) { return (u64)((i64)a >> (b & 63)); }
static u64 op_sllw(u64 a, u64 b) { return sx32((u32)a << (b & 31)); }
static u64 op_srlw(u64 a, u64 b) { return sx32((u32)a >> (b & 31)); }
static u64 op_sraw(u64 a, u64 b) { return sx32((u32)((i32)a >> (b & 31))); }
static u64 op_addw(u64 a, u64 b) { return sx32((u32)a + (u32)b); }
static u64 op_subw(u64 a, u64 b) { return sx32((u32)a - (u32)b); }
static u64 op_slt(u64 a, u64 b) { return (i64)a < (i64)b; }
static u64 op_sltu(u64 a, u64 b) { return a < b; }
#endif

struct binop { const char *name; u64 (*f)(u64, u64); };
static const struct binop ops[] = {
    { "div", op_div }, { "divu", op_divu }, { "rem", op_rem }, { "remu", op_remu },
    { "divw", op_divw }, { "divuw", op_divuw }, { "remw", op_remw }, { "remuw", op_remuw },
    { "mul", op_mul }, { "mulh", op_mulh }, { "mulhu", op_mulhu }, { "mulhsu", op_mulhsu },
    { "mulw", op_mulw }, { "sll", op_sll }, { "srl", op_srl }, { "sra", op_sra },
    { "sllw", op_sllw }, { "srlw", op_srlw }, { "sraw", op_sraw }, { "addw", op_addw },
    { "subw", op_subw }, { "slt", op_slt }, { "sltu", op_sltu },
};

static const u64 vals[] = {
    0, 1, 2, 3, 7, ~0ULL /* -1 */, (u64)-2, (u64)-7,
    0x8000000000000000ULL /* INT64_MIN */, 0x7fffffffffffffffULL,
    0x80000000ULL /* INT32_MIN as unsigned 32 */, 0xffffffff80000000ULL /* INT32_MIN sext */,
    0x7fffffffULL, 0xffffffffULL, 0x123456789abcdef0ULL, 0xfedcba9876543210ULL,
    0x00000001ffffffffULL, 63, 64, 65, 0x5555555555555555ULL, 0xdeadbeefULL,
};
#define NV (sizeof vals / sizeof vals[0])

static u64 mix(u64 h, u64 v)
{
    h ^= v;
    h *= 0x100000001b3ULL;
    return h ^ (h >> 29);
}

int main(void)
{
    /* selected cases printed individually (the interesting corner cases) */
    volatile u64 zero = 0, m1 = ~0ULL, imin = 0x8000000000000000ULL, i32min = 0xffffffff80000000ULL;
    volatile u64 seven = 7, mseven = (u64)-7, two = 2;
    printf("div 7/0 = %016" PRIx64 "\n", op_div(seven, zero));
    printf("divu 7/0 = %016" PRIx64 "\n", op_divu(seven, zero));
    printf("rem 7%%0 = %016" PRIx64 "\n", op_rem(seven, zero));
    printf("remu -7%%0 = %016" PRIx64 "\n", op_remu(mseven, zero));
    printf("div INT64_MIN/-1 = %016" PRIx64 "\n", op_div(imin, m1));
    printf("rem INT64_MIN%%-1 = %016" PRIx64 "\n", op_rem(imin, m1));
    printf("divw INT32_MIN/-1 = %016" PRIx64 "\n", op_divw(i32min, m1));
    printf("remw INT32_MIN%%-1 = %016" PRIx64 "\n", op_remw(i32min, m1));
    printf("divw 7/0 = %016" PRIx64 "\n", op_divw(seven, zero));
    printf("divuw -7/0 = %016" PRIx64 "\n", op_divuw(mseven, zero));
    printf("remw -7%%0 = %016" PRIx64 "\n", op_remw(mseven, zero));
    printf("remuw -7%%0 = %016" PRIx64 "\n", op_remuw(mseven, zero));
    printf("div -7/2 = %016" PRIx64 " rem -7%%2 = %016" PRIx64 "\n", op_div(mseven, two), op_rem(mseven, two));
    printf("mulh -1*-1 = %016" PRIx64 " mulhu = %016" PRIx64 " mulhsu = %016" PRIx64 "\n", op_mulh(m1, m1),
           op_mulhu(m1, m1), op_mulhsu(m1, m1));
    printf("sll 1<<65 = %016" PRIx64 " sllw 1<<33 = %016" PRIx64 " sraw INT32_MIN>>31 = %016" PRIx64 "\n",
           op_sll(1, 65), op_sllw(1, 33), op_sraw(i32min, 31));
    printf("addw 7fffffff+1 = %016" PRIx64 " subw 0-80000000 = %016" PRIx64 "\n", op_addw(0x7fffffff, 1),
           op_subw(0, 0x80000000ULL));

    /* full grid over all ops x all operand pairs: one hash per op */
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        u64 h = 0xcbf29ce484222325ULL;
        for (unsigned i = 0; i < NV; i++)
            for (unsigned j = 0; j < NV; j++)
                h = mix(h, ops[k].f(vals[i], vals[j]));
        printf("grid %-6s %016" PRIx64 "\n", ops[k].name, h);
    }

    /* ordinary C arithmetic through volatile (compiler emits the real ops) */
    volatile i64 x = -123456789012345LL, y = 9876543;
    volatile i32 a = -2000000000, b = 2000000000;
    printf("c: x*y=%016" PRIx64 " x/y=%016" PRIx64 " x%%y=%016" PRIx64 "\n", (u64)(x * y), (u64)(x / y), (u64)(x % y));
    printf("c: (u64)x/y=%016" PRIx64 " (u64)x%%y=%016" PRIx64 "\n", (u64)x / (u64)y, (u64)x % (u64)y);
    printf("c32: a+b=%08" PRIx32 " a-b=%08" PRIx32 " (u32)a*b=%08" PRIx32 " a/7=%08" PRIx32 " a%%7=%08" PRIx32 "\n",
           (u32)(a + b), (u32)a - (u32)b, (u32)a * (u32)b, (u32)(a / 7), (u32)(a % 7));
    volatile int sh = 13;
    printf("c shifts: %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %08" PRIx32 " %08" PRIx32 "\n", (u64)x << sh,
           (u64)x >> sh, (u64)(x >> sh), (u32)((u32)a >> sh), (u32)(a >> sh));
    printf("c sext/zext: %016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", (u64)(i64)(int8_t)x,
           (u64)(uint8_t)x, (u64)(i64)(int16_t)x, (u64)(u32)x);

    /* bit-manipulation builtins */
    u64 bh = 0;
    for (unsigned i = 0; i < NV; i++) {
        volatile u64 v = vals[i];
        bh = mix(bh, (u64)__builtin_popcountll(v));
        bh = mix(bh, (u64)__builtin_popcount((u32)v));
        bh = mix(bh, (u64)__builtin_parityll(v));
        if (v) {
            bh = mix(bh, (u64)__builtin_clzll(v));
            bh = mix(bh, (u64)__builtin_ctzll(v));
        }
        if ((u32)v) {
            bh = mix(bh, (u64)__builtin_clz((u32)v));
            bh = mix(bh, (u64)__builtin_ctz((u32)v));
        }
        bh = mix(bh, __builtin_bswap64(v));
        bh = mix(bh, (u64)__builtin_bswap32((u32)v));
        bh = mix(bh, (u64)__builtin_ffsll((i64)v));
    }
    volatile u64 pv = 0xf0f0000100000000ULL;
    printf("popcount %d clz %d ctz %d clz32 %d ctz32 %d bswap %016" PRIx64 "\n", __builtin_popcountll(pv),
           __builtin_clzll(pv), __builtin_ctzll(pv), __builtin_clz((u32)(pv >> 32)), __builtin_ctz((u32)(pv >> 32)),
           __builtin_bswap64(pv));
    printf("bits hash %016" PRIx64 "\n", bh);

    /* overflow builtins */
    i64 r64;
    i32 r32;
    u64 ru;
    int o1 = __builtin_add_overflow((i64)x, (i64)INT64_MAX, &r64);
    printf("add_overflow i64: %d %016" PRIx64 "\n", o1, (u64)r64);
    o1 = __builtin_add_overflow((i64)imin, (i64)-1, &r64);
    printf("add_overflow i64 min-1: %d %016" PRIx64 "\n", o1, (u64)r64);
    o1 = __builtin_sub_overflow((i32)a, (i32)b, &r32);
    printf("sub_overflow i32: %d %08" PRIx32 "\n", o1, (u32)r32);
    o1 = __builtin_mul_overflow((i64)x, (i64)y, &r64);
    printf("mul_overflow i64: %d %016" PRIx64 "\n", o1, (u64)r64);
    o1 = __builtin_mul_overflow((i64)x, (i64)x, &r64);
    printf("mul_overflow i64 big: %d %016" PRIx64 "\n", o1, (u64)r64);
    o1 = __builtin_mul_overflow((u64)m1, (u64)two, &ru);
    printf("mul_overflow u64: %d %016" PRIx64 "\n", o1, ru);
    o1 = __builtin_add_overflow((u64)m1, (u64)1, &ru);
    printf("add_overflow u64: %d %016" PRIx64 "\n", o1, ru);
    o1 = __builtin_sub_overflow((u32)0, (u32)1, (u32 *)&r32);
    printf("sub_overflow u32: %d %08" PRIx32 "\n", o1, (u32)r32);
    o1 = __builtin_mul_overflow((i32)a, (i32)2, &r32);
    printf("mul_overflow i32: %d %08" PRIx32 "\n", o1, (u32)r32);
    /* 128-bit arithmetic through libgcc helpers */
    unsigned __int128 big = (unsigned __int128)(u64)x * (u64)y;
    volatile unsigned __int128 dv = 1000000007;
    printf("u128 mul hi %016" PRIx64 " lo %016" PRIx64 " / 1000000007 = %016" PRIx64 " rem %016" PRIx64 "\n",
           (u64)(big >> 64), (u64)big, (u64)(big / dv), (u64)(big % dv));
    return 0;
}
