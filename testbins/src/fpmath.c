/* fpmath: IEEE-754 float/double semantics as RISC-V defines them.
 *  - arithmetic, sqrt, fma, int<->fp conversions (bit patterns in hex)
 *  - saturating fcvt.{w,wu,l,lu}.{d,s} via inline asm (NaN, +-inf, huge, -0.5 ...)
 *    with the fflags each one raises
 *  - the four C rounding modes via fesetround, plus RMM (and the other static
 *    modes) via inline asm fcvt.w.d / fadd.d with a static rm field
 *  - accrued exception flags via fetestexcept after operations
 *  - NaN boxing of single-precision values in the 64-bit f registers
 *  - canonical NaN from 0/0 and from NaN-propagating ops
 *  - fmin/fmax with signalling NaNs and signed zeros, feq/flt/fle with NaNs
 *  - fclass
 * On riscv the instruction-level parts are inline asm.  On any other host a
 * portable C reference model of the RISC-V semantics is used instead, so a
 * native build produces the reference output for comparison. */
#include <fenv.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;
typedef int64_t i64;
typedef uint32_t u32;

static u64 dbits(double d) { u64 u; memcpy(&u, &d, 8); return u; }
static u32 fbits(float f) { u32 u; memcpy(&u, &f, 4); return u; }
static double bitsd(u64 u) { double d; memcpy(&d, &u, 8); return d; }
static float bitsf(u32 u) { float f; memcpy(&f, &u, 4); return f; }

/* RISC-V fflags bit layout */
#define F_NX 1
#define F_UF 2
#define F_OF 4
#define F_DZ 8
#define F_NV 16

static const char *flagstr(unsigned f)
{
    static char buf[5][32];
    static int k;
    char *b = buf[k++ % 5];
    b[0] = 0;
    if (f & F_NV) strcat(b, "NV ");
    if (f & F_DZ) strcat(b, "DZ ");
    if (f & F_OF) strcat(b, "OF ");
    if (f & F_UF) strcat(b, "UF ");
    if (f & F_NX) strcat(b, "NX ");
    if (!b[0]) strcpy(b, "- ");
    b[strlen(b) - 1] = 0;
    return b;
}

/* C-level exception flags in the RISC-V bit layout */
static unsigned c_flags(void)
{
    unsigned f = 0;
    if (fetestexcept(FE_INEXACT)) f |= F_NX;
    if (fetestexcept(FE_UNDERFLOW)) f |= F_UF;
    if (fetestexcept(FE_OVERFLOW)) f |= F_OF;
    if (fetestexcept(FE_DIVBYZERO)) f |= F_DZ;
    if (fetestexcept(FE_INVALID)) f |= F_NV;
    return f;
}

enum rm { RNE, RTZ, RDN, RUP, RMM };
static const char *rmname[] = { "rne", "rtz", "rdn", "rup", "rmm" };

static int __attribute__((unused)) is_snan_d(u64 b) { return ((b >> 52) & 0x7ff) == 0x7ff && (b & 0xfffffffffffffULL) && !(b & (1ULL << 51)); }
static int __attribute__((unused)) is_snan_f(u32 b) { return ((b >> 23) & 0xff) == 0xff && (b & 0x7fffff) && !(b & (1u << 22)); }

#define CANON_D 0x7ff8000000000000ULL
#define CANON_F 0x7fc00000u

/* ---------- instruction-level primitives ---------- */
enum cvt { W, WU, L, LU };
static const char *cvtname[] = { "w", "wu", "l", "lu" };

#if defined(__riscv)
static unsigned rd_fflags(void) { unsigned f; __asm__ volatile("frflags %0" : "=r"(f)); return f; }
static void clr_fflags(void) { __asm__ volatile("fsflags zero"); }

#define CVT_D(ins, rms) __asm__ volatile(ins " %0, %1, " rms : "=r"(r) : "f"(x))
#define CVT_CASES(CV, sfx)                                                              \
    switch (k * 8 + m) {                                                               \
    case W * 8 + RNE: CV("fcvt.w." sfx, "rne"); break;  case W * 8 + RTZ: CV("fcvt.w." sfx, "rtz"); break;   \
    case W * 8 + RDN: CV("fcvt.w." sfx, "rdn"); break;  case W * 8 + RUP: CV("fcvt.w." sfx, "rup"); break;   \
    case W * 8 + RMM: CV("fcvt.w." sfx, "rmm"); break;                                                         \
    case WU * 8 + RNE: CV("fcvt.wu." sfx, "rne"); break; case WU * 8 + RTZ: CV("fcvt.wu." sfx, "rtz"); break; \
    case WU * 8 + RDN: CV("fcvt.wu." sfx, "rdn"); break; case WU * 8 + RUP: CV("fcvt.wu." sfx, "rup"); break; \
    case WU * 8 + RMM: CV("fcvt.wu." sfx, "rmm"); break;                                                       \
    case L * 8 + RNE: CV("fcvt.l." sfx, "rne"); break;  case L * 8 + RTZ: CV("fcvt.l." sfx, "rtz"); break;   \
    case L * 8 + RDN: CV("fcvt.l." sfx, "rdn"); break;  case L * 8 + RUP: CV("fcvt.l." sfx, "rup"); break;   \
    case L * 8 + RMM: CV("fcvt.l." sfx, "rmm"); break;                                                         \
    case LU * 8 + RNE: CV("fcvt.lu." sfx, "rne"); break; case LU * 8 + RTZ: CV("fcvt.lu." sfx, "rtz"); break; \
    case LU * 8 + RDN: CV("fcvt.lu." sfx, "rdn"); break; case LU * 8 + RUP: CV("fcvt.lu." sfx, "rup"); break; \
    case LU * 8 + RMM: CV("fcvt.lu." sfx, "rmm"); break;                                                       \
    }

/* fcvt.<k>.d x with static rounding mode m: returns the 64-bit register value */
static u64 fcvt_d(enum cvt k, enum rm m, double x, unsigned *flags)
{
    u64 r = 0;
    clr_fflags();
    CVT_CASES(CVT_D, "d")
    *flags = rd_fflags();
    return r;
}
static u64 fcvt_s(enum cvt k, enum rm m, float x, unsigned *flags)
{
    u64 r = 0;
    clr_fflags();
    CVT_CASES(CVT_D, "s")
    *flags = rd_fflags();
    return r;
}

#define FOP_D(ins, rms) __asm__ volatile(ins " %0, %1, %2, " rms : "=f"(r) : "f"(a), "f"(b))
static double fadd_d(enum rm m, double a, double b, unsigned *flags)
{
    double r = 0;
    clr_fflags();
    switch (m) {
    case RNE: FOP_D("fadd.d", "rne"); break;
    case RTZ: FOP_D("fadd.d", "rtz"); break;
    case RDN: FOP_D("fadd.d", "rdn"); break;
    case RUP: FOP_D("fadd.d", "rup"); break;
    case RMM: FOP_D("fadd.d", "rmm"); break;
    }
    *flags = rd_fflags();
    return r;
}
static float fadd_s(enum rm m, float a, float b, unsigned *flags)
{
    float r = 0;
    clr_fflags();
    switch (m) {
    case RNE: FOP_D("fadd.s", "rne"); break;
    case RTZ: FOP_D("fadd.s", "rtz"); break;
    case RDN: FOP_D("fadd.s", "rdn"); break;
    case RUP: FOP_D("fadd.s", "rup"); break;
    case RMM: FOP_D("fadd.s", "rmm"); break;
    }
    *flags = rd_fflags();
    return r;
}

#define BIN_D(ins) ({ double _r; clr_fflags(); __asm__ volatile(ins " %0, %1, %2" : "=f"(_r) : "f"(a), "f"(b)); *flags = rd_fflags(); _r; })
#define CMP_D(ins) ({ u64 _r; clr_fflags(); __asm__ volatile(ins " %0, %1, %2" : "=r"(_r) : "f"(a), "f"(b)); *flags = rd_fflags(); _r; })
static double fmin_d(double a, double b, unsigned *flags) { return BIN_D("fmin.d"); }
static double fmax_d(double a, double b, unsigned *flags) { return BIN_D("fmax.d"); }
static u64 feq_d(double a, double b, unsigned *flags) { return CMP_D("feq.d"); }
static u64 flt_d(double a, double b, unsigned *flags) { return CMP_D("flt.d"); }
static u64 fle_d(double a, double b, unsigned *flags) { return CMP_D("fle.d"); }
static float fmin_s(float a, float b, unsigned *flags)
{
    float r;
    clr_fflags();
    __asm__ volatile("fmin.s %0, %1, %2" : "=f"(r) : "f"(a), "f"(b));
    *flags = rd_fflags();
    return r;
}
static u64 fclass_d(double x) { u64 r; __asm__ volatile("fclass.d %0, %1" : "=r"(r) : "f"(x)); return r; }
static u64 fclass_s(float x) { u64 r; __asm__ volatile("fclass.s %0, %1" : "=r"(r) : "f"(x)); return r; }

/* raw 64-bit register image after a single-precision op */
static u64 nanbox_after_fadd_s(float a, float b)
{
    u64 r;
    __asm__ volatile("fadd.s ft0, %1, %2\n\tfmv.x.d %0, ft0" : "=r"(r) : "f"(a), "f"(b) : "ft0");
    return r;
}
static u64 nanbox_after_fcvt_s_w(long x)
{
    u64 r;
    __asm__ volatile("fcvt.s.w ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(x) : "ft0");
    return r;
}
static u64 nanbox_after_flw(const float *p)
{
    u64 r;
    __asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"(p) : "ft0", "memory");
    return r;
}
static u64 nanbox_after_fmv_w_x(u32 x)
{
    u64 r;
    __asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(r) : "r"((u64)x) : "ft0");
    return r;
}
/* a single-precision op reading an improperly boxed value sees the canonical NaN */
static u32 fadd_s_on_unboxed(u64 raw, float b)
{
    u32 r;
    __asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft1, ft0, %2\n\tfmv.x.w %0, ft1" : "=r"(r) : "r"(raw), "f"(b) : "ft0", "ft1");
    return r;
}
/* fmv.x.w sign-extends bit 31 into the 64-bit integer register */
static u64 fmv_x_w(float f)
{
    u64 r;
    __asm__ volatile("fmv.x.w %0, %1" : "=r"(r) : "f"(f));
    return r;
}
static int hw_is_riscv = 1;
#else
/* ---- portable reference model ---- */
static double round_rm(double x, enum rm m)
{
    switch (m) {
    case RNE: { int o = fegetround(); fesetround(FE_TONEAREST); double r = nearbyint(x); fesetround(o); return r; }
    case RTZ: return trunc(x);
    case RDN: return floor(x);
    case RUP: return ceil(x);
    default: return round(x);
    }
}
static u64 cvt_model(enum cvt k, enum rm m, double x, unsigned *flags)
{
    double lo, hi;
    switch (k) {
    case W: lo = -2147483648.0; hi = 2147483647.0; break;
    case WU: lo = 0; hi = 4294967295.0; break;
    case L: lo = -9223372036854775808.0; hi = 9223372036854775807.0; break;
    default: lo = 0; hi = 18446744073709551615.0; break;
    }
    *flags = 0;
    u64 maxv = k == W ? 0x7fffffffULL : k == WU ? 0xffffffffffffffffULL : k == L ? 0x7fffffffffffffffULL : ~0ULL;
    u64 minv = k == W ? 0xffffffff80000000ULL : k == L ? 0x8000000000000000ULL : 0;
    if (isnan(x)) { *flags = F_NV; return maxv; }
    double r = round_rm(x, m);
    if (r < lo) { *flags = F_NV; return minv; }
    /* hi for L/LU is not exactly representable: compare with 2^63 / 2^64 */
    if ((k == L && r >= 9223372036854775808.0) || (k == LU && r >= 18446744073709551616.0) ||
        ((k == W || k == WU) && r > hi)) { *flags = F_NV; return maxv; }
    if (r != x) *flags = F_NX;
    switch (k) {
    case W: return (u64)(i64)(int32_t)r;
    case WU: return (u64)(i64)(int32_t)(u32)r; /* sign-extended 32-bit result */
    case L: return (u64)(i64)r;
    default: return (u64)r;
    }
}
static u64 fcvt_d(enum cvt k, enum rm m, double x, unsigned *flags) { return cvt_model(k, m, x, flags); }
static u64 fcvt_s(enum cvt k, enum rm m, float x, unsigned *flags) { return cvt_model(k, m, (double)x, flags); }

/* a+b rounded with mode m: directed modes via fesetround, RMM via TwoSum */
static double add_rm(enum rm m, double a, double b, unsigned *flags)
{
    static const int cm[] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST };
    int o = fegetround();
    feclearexcept(FE_ALL_EXCEPT);
    fesetround(cm[m]);
    volatile double va = a, vb = b;
    double r = va + vb;
    *flags = c_flags();
    fesetround(FE_TONEAREST);
    if (m == RMM && (*flags & F_NX)) {
        volatile double s = va + vb, bb = s - va, err = (va - (s - bb)) + (vb - bb);
        fesetround(FE_UPWARD); volatile double up = va + vb;
        fesetround(FE_DOWNWARD); volatile double dn = va + vb;
        fesetround(FE_TONEAREST);
        if (fabs(err) * 2 == up - dn) /* exact tie: away from zero */
            r = fabs(up) > fabs(dn) ? up : dn;
        else
            r = s;
    }
    fesetround(o);
    return r;
}
static float addf_rm(enum rm m, float a, float b, unsigned *flags)
{
    /* float sums are exact in double; then round the double to float with mode m */
    static const int cm[] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST };
    int o = fegetround();
    fesetround(cm[m]); /* exact, but the sign of an exact zero depends on the mode */
    volatile double va = a, vb = b;
    double exact = va + vb;
    feclearexcept(FE_ALL_EXCEPT);
    volatile double ve = exact;
    float r = (float)ve;
    *flags = c_flags();
    fesetround(FE_TONEAREST);
    if (m == RMM && (*flags & F_NX)) {
        fesetround(FE_UPWARD); volatile float up = (float)ve;
        fesetround(FE_DOWNWARD); volatile float dn = (float)ve;
        fesetround(FE_TONEAREST);
        double mid = ((double)up + (double)dn) / 2;
        if (exact == mid)
            r = fabsf(up) > fabsf(dn) ? up : dn;
    }
    fesetround(o);
    return r;
}
static double fadd_d(enum rm m, double a, double b, unsigned *flags) { return add_rm(m, a, b, flags); }
static float fadd_s(enum rm m, float a, float b, unsigned *flags) { return addf_rm(m, a, b, flags); }

static double minmax_model(double a, double b, int is_max, unsigned *flags, int single)
{
    u64 ba = dbits(a), bb = dbits(b);
    *flags = 0;
    if (is_snan_d(ba) || is_snan_d(bb)) *flags = F_NV;
    if (isnan(a) && isnan(b)) return single ? (double)bitsf(CANON_F) : bitsd(CANON_D);
    if (isnan(a)) return b;
    if (isnan(b)) return a;
    if (a == 0 && b == 0) {
        int na = signbit(a) != 0, nb = signbit(b) != 0;
        if (is_max) return (na && nb) ? a : (na ? b : a);
        return (na || nb) ? (na ? a : b) : a;
    }
    return is_max ? (a > b ? a : b) : (a < b ? a : b);
}
static double fmin_d(double a, double b, unsigned *flags) { return minmax_model(a, b, 0, flags, 0); }
static float fmin_s(float a, float b, unsigned *flags)
{
    int sn = is_snan_f(fbits(a)) || is_snan_f(fbits(b));
    /* widening to double would quieten an sNaN: use a quiet stand-in and add NV */
    double da = isnan(a) ? bitsd(CANON_D) : a, db = isnan(b) ? bitsd(CANON_D) : b;
    float r = (float)minmax_model(da, db, 0, flags, 1);
    if (sn) *flags |= F_NV;
    return r;
}
static double fmax_d(double a, double b, unsigned *flags) { return minmax_model(a, b, 1, flags, 0); }
static u64 feq_d(double a, double b, unsigned *flags)
{
    *flags = (is_snan_d(dbits(a)) || is_snan_d(dbits(b))) ? F_NV : 0;
    return a == b;
}
static u64 flt_d(double a, double b, unsigned *flags) { *flags = (isnan(a) || isnan(b)) ? F_NV : 0; return a < b; }
static u64 fle_d(double a, double b, unsigned *flags) { *flags = (isnan(a) || isnan(b)) ? F_NV : 0; return a <= b; }
static u64 fclass_bits(int neg, int cls, int snan)
{
    switch (cls) {
    case FP_INFINITE: return neg ? 1 << 0 : 1 << 7;
    case FP_NORMAL: return neg ? 1 << 1 : 1 << 6;
    case FP_SUBNORMAL: return neg ? 1 << 2 : 1 << 5;
    case FP_ZERO: return neg ? 1 << 3 : 1 << 4;
    default: return snan ? 1 << 8 : 1 << 9;
    }
}
static u64 fclass_d(double x) { return fclass_bits(signbit(x) != 0, fpclassify(x), is_snan_d(dbits(x))); }
static u64 fclass_s(float x) { return fclass_bits(signbit(x) != 0, fpclassify(x), is_snan_f(fbits(x))); }
/* architecturally defined values (no way to observe them off riscv) */
static u64 nanbox_after_fadd_s(float a, float b) { return 0xffffffff00000000ULL | fbits(a + b); }
static u64 nanbox_after_fcvt_s_w(long x) { return 0xffffffff00000000ULL | fbits((float)x); }
static u64 nanbox_after_flw(const float *p) { return 0xffffffff00000000ULL | fbits(*p); }
static u64 nanbox_after_fmv_w_x(u32 x) { return 0xffffffff00000000ULL | x; }
static u32 fadd_s_on_unboxed(u64 raw, float b)
{
    if ((raw >> 32) != 0xffffffffu) return CANON_F; /* improperly boxed input reads as canonical NaN */
    return fbits(bitsf((u32)raw) + b);
}
static u64 fmv_x_w(float f) { return (u64)(i64)(int32_t)fbits(f); }
static int hw_is_riscv = 0;
#endif

/* a NaN produced by arithmetic: RISC-V always returns the canonical NaN */
static u64 arith_d(double r) { u64 b = dbits(r); return (!hw_is_riscv && isnan(r)) ? CANON_D : b; }
static u32 arith_f(float r) { u32 b = fbits(r); return (!hw_is_riscv && isnan(r)) ? CANON_F : b; }

int main(void)
{
    volatile double one = 1.0, two = 2.0, three = 3.0, ten = 10.0, zero = 0.0, nzero = -0.0;
    volatile double big = DBL_MAX, tiny = DBL_MIN, inf = INFINITY, half = 0.5;
    volatile float fone = 1.0f, fthree = 3.0f, fbig = FLT_MAX, ftiny = FLT_MIN, fzero = 0.0f;
    volatile double qnan_payload = bitsd(0x7ff8000000000123ULL);
    volatile double snan = bitsd(0x7ff0000000000001ULL);
    volatile float fsnan = bitsf(0x7f800001u), fqnan = bitsf(0x7fc00123u);

    printf("== arithmetic (double)\n");
    printf("1/3 %016" PRIx64 "  2/3 %016" PRIx64 "  1+2 %016" PRIx64 "  10*3 %016" PRIx64 "\n", dbits(one / three),
           dbits(two / three), dbits(one + two), dbits(ten * three));
    printf("0.1+0.2 %016" PRIx64 "  1-1e-17 %016" PRIx64 "  sqrt2 %016" PRIx64 "  sqrt(-0) %016" PRIx64 "\n",
           dbits(0.1 * one + 0.2 * one), dbits(one - 1e-17), dbits(sqrt(two)), dbits(sqrt(nzero)));
    printf("fma(1/3,3,-1) %016" PRIx64 "  naive %016" PRIx64 "\n", dbits(fma(one / three, three, -one)),
           dbits((one / three) * three - one));
    printf("min-subnormal %016" PRIx64 "  DBL_MIN/2 %016" PRIx64 "  -0+0 %016" PRIx64 "  -0*-1 %016" PRIx64 "\n",
           dbits(tiny * 0x1p-52), dbits(tiny / two), dbits(nzero + zero), dbits(nzero * -one));
    printf("== arithmetic (float)\n");
    printf("1/3 %08" PRIx32 "  sqrt3 %08" PRIx32 "  fmaf %08" PRIx32 "  FLT_MAX*1 %08" PRIx32 "  FLT_MIN/4 %08" PRIx32 "\n",
           fbits(fone / fthree), fbits(sqrtf(fthree)), fbits(fmaf(fone / fthree, fthree, -fone)), fbits(fbig * fone),
           fbits(ftiny / 4.0f));

    printf("== C conversions\n");
    volatile i64 i53p1 = (1LL << 53) + 1, imax = INT64_MAX, ineg = -123456789;
    volatile u64 umax = UINT64_MAX;
    volatile double d2p63 = 9223372036854775808.0, dneg = -2.75, dpos = 1e18 + 0.5;
    printf("(double)(2^53+1) %016" PRIx64 "  (double)INT64_MAX %016" PRIx64 "  (double)UINT64_MAX %016" PRIx64 "\n",
           dbits((double)i53p1), dbits((double)imax), dbits((double)umax));
    printf("(float)(2^53+1) %08" PRIx32 "  (double)-123456789 %016" PRIx64 "  (float)1/3 %08" PRIx32 "\n",
           fbits((float)i53p1), dbits((double)ineg), fbits((float)(one / three)));
    printf("(i64)-2.75 %016" PRIx64 "  (u64)2^63 %016" PRIx64 "  (i64)1e18 %016" PRIx64 "  (int)-2.75 %08" PRIx32 "\n",
           (u64)(i64)dneg, (u64)d2p63, (u64)(i64)dpos, (u32)(int)dneg);
    printf("(double)FLT_MAX %016" PRIx64 "  (float)DBL_MAX %08" PRIx32 "  (float)DBL_MIN %08" PRIx32 "\n",
           dbits((double)fbig), fbits((float)big), fbits((float)tiny));

    printf("== fcvt saturation and flags (static rtz)\n");
    const double cin[] = { NAN, INFINITY, -INFINITY, 1e20, -1e20, 2147483647.5, 2147483648.0, -2147483648.5,
                           -2147483649.0, 4294967295.0, 4294967296.0, -0.5, -1.0, -0.0, 1.5,
                           9223372036854775808.0, -9223372036854775808.0, 18446744073709551616.0, 5e-324 };
    for (unsigned i = 0; i < sizeof cin / sizeof cin[0]; i++) {
        volatile double x = cin[i];
        if (i == 0) x = bitsd(CANON_D);
        printf("%-24.17g", x);
        for (int k = W; k <= LU; k++) {
            unsigned fl;
            u64 r = fcvt_d(k, RTZ, x, &fl);
            printf(" %s:%016" PRIx64 "/%s", cvtname[k], r, flagstr(fl));
        }
        printf("\n");
    }
    printf("snan (double) ->");
    for (int k = W; k <= LU; k++) {
        unsigned fl;
        u64 r = fcvt_d(k, RTZ, snan, &fl);
        printf(" %s:%016" PRIx64 "/%s", cvtname[k], r, flagstr(fl));
    }
    printf("\n");
    const float cinf[] = { NAN, -INFINITY, 3e9f, -3e9f, 1.5e19f, 2e19f, -0.75f, 16777217.0f };
    for (unsigned i = 0; i < sizeof cinf / sizeof cinf[0]; i++) {
        volatile float x = cinf[i];
        if (i == 0) x = bitsf(CANON_F);
        printf("float %-14.9g", (double)x);
        for (int k = W; k <= LU; k++) {
            unsigned fl;
            u64 r = fcvt_s(k, RTZ, x, &fl);
            printf(" %s:%016" PRIx64 "/%s", cvtname[k], r, flagstr(fl));
        }
        printf("\n");
    }

    printf("== fcvt.w.d / fcvt.wu.d with every static rounding mode\n");
    const double rin[] = { 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999999999999996, -3.5, 1e-300, -1e-300 };
    for (unsigned i = 0; i < sizeof rin / sizeof rin[0]; i++) {
        printf("%-22.17g", rin[i]);
        for (int m = RNE; m <= RMM; m++) {
            unsigned fl;
            u64 r = fcvt_d(W, m, rin[i], &fl);
            printf(" %s:%" PRId64 "/%s", rmname[m], (i64)r, flagstr(fl));
        }
        unsigned fl;
        u64 r = fcvt_d(WU, RDN, rin[i], &fl);
        printf(" wu.rdn:%" PRIx64 "/%s\n", r, flagstr(fl));
    }

    printf("== fadd with every static rounding mode\n");
    const double aa[] = { 1.0, -1.0, 1.0, 1.0, -1.0, 0x1p1023, 1.0 };
    const double bb[] = { 0x1p-53, -0x1p-53, 0x1.8p-52, 0x1p-60, 0x1p-60, 0x1p1023, -1.0 };
    for (unsigned i = 0; i < sizeof aa / sizeof aa[0]; i++) {
        printf("%a + %a:", aa[i], bb[i]);
        for (int m = RNE; m <= RMM; m++) {
            unsigned fl;
            double r = fadd_d(m, aa[i], bb[i], &fl);
            printf(" %s:%016" PRIx64 "/%s", rmname[m], dbits(r), flagstr(fl));
        }
        printf("\n");
    }
    const float fa[] = { 1.0f, -1.0f, 16777216.0f, 3.0f };
    const float fb[] = { 0x1p-24f, -0x1p-24f, 3.0f, -3.0f };
    for (unsigned i = 0; i < sizeof fa / sizeof fa[0]; i++) {
        printf("float %a + %a:", (double)fa[i], (double)fb[i]);
        for (int m = RNE; m <= RMM; m++) {
            unsigned fl;
            float r = fadd_s(m, fa[i], fb[i], &fl);
            printf(" %s:%08" PRIx32 "/%s", rmname[m], fbits(r), flagstr(fl));
        }
        printf("\n");
    }

    printf("== C rounding modes (fesetround)\n");
    static const int modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
    static const char *mnames[] = { "nearest", "downward", "upward", "towardzero" };
    for (int i = 0; i < 4; i++) {
        if (fesetround(modes[i]) != 0)
            printf("fesetround failed\n");
        volatile double r1 = one / three, r2 = -one / three, r3 = sqrt(two);
        volatile float r4 = fone / fthree;
        volatile float r5 = (float)(volatile double)(two / three);
        volatile double r6 = (double)i53p1;
        printf("%-10s got=%d 1/3 %016" PRIx64 " -1/3 %016" PRIx64 " sqrt2 %016" PRIx64 " 1/3f %08" PRIx32
               " (float)2/3 %08" PRIx32 " (double)(2^53+1) %016" PRIx64 "\n",
               mnames[i], fegetround() == modes[i], dbits(r1), dbits(r2), dbits(r3), fbits(r4), fbits(r5), dbits(r6));
        printf("%-10s lrint: 2.5->%ld -2.5->%ld 3.5->%ld -0.4->%ld  rint(0.5) %g nearbyint(-1.5) %g llrint(1e15+0.5) %lld\n",
               mnames[i], lrint(2.5 * one), lrint(-2.5 * one), lrint(3.5 * one), lrint(-0.4 * one), rint(half),
               nearbyint(-1.5 * one), llrint(1e15 * one + half));
    }
    fesetround(FE_TONEAREST);

    printf("== exception flags (fetestexcept)\n");
    struct { const char *name; int which; } fops[] = {
        { "1+2", 0 }, { "1/3", 1 }, { "DBL_MAX*2", 2 }, { "DBL_MIN*DBL_MIN", 3 }, { "1/0", 4 },
        { "0/0", 5 }, { "sqrt(-1)", 6 }, { "inf-inf", 7 }, { "DBL_MIN/2 (exact)", 8 },
        { "DBL_MIN/3", 9 }, { "FLT_MAX*2f", 10 }, { "FLT_MIN/3f", 11 }, { "-1/0", 12 }, { "inf*0", 13 },
        { "(float)DBL_MAX", 14 }, { "(int)1e10", 15 }, { "qnan+1", 16 }, { "snan+1", 17 }, { "qnan<1", 18 },
        { "qnan==1", 19 }, { "fmaf(big)", 20 },
    };
    for (unsigned i = 0; i < sizeof fops / sizeof fops[0]; i++) {
        feclearexcept(FE_ALL_EXCEPT);
        volatile double r = 0;
        volatile float rf = 0;
        volatile int ri = 0;
        switch (fops[i].which) {
        case 0: r = one + two; break;
        case 1: r = one / three; break;
        case 2: r = big * two; break;
        case 3: r = tiny * tiny; break;
        case 4: r = one / zero; break;
        case 5: r = zero / zero; break;
        case 6: r = sqrt(-one); break;
        case 7: r = inf - inf; break;
        case 8: r = tiny / two; break;
        case 9: r = tiny / three; break;
        case 10: rf = fbig * 2.0f; break;
        case 11: rf = ftiny / 3.0f; break;
        case 12: r = -one / zero; break;
        case 13: r = inf * zero; break;
        case 14: rf = (float)big; break;
        case 15: { volatile double d = 1e10; long l = lrint(d); ri = (int)(l & 1); ri = (int)d; } break;
        case 16: r = qnan_payload + one; break;
        case 17: r = snan + one; break;
        case 18: ri = qnan_payload < one; break;
        case 19: ri = qnan_payload == one; break;
        case 20: rf = fmaf(fbig, fbig, -fbig); break;
        }
        unsigned f = c_flags();
        (void)ri;
        printf("%-18s flags: %-8s result %016" PRIx64 " %08" PRIx32 "\n", fops[i].name, flagstr(f), arith_d(r), arith_f(rf));
    }

    printf("== NaN boxing\n");
    volatile float fx = 1.5f;
    printf("fadd.s result reg   %016" PRIx64 "\n", nanbox_after_fadd_s(fone, fx));
    printf("fcvt.s.w result reg %016" PRIx64 "\n", nanbox_after_fcvt_s_w(-7));
    printf("flw result reg      %016" PRIx64 "\n", nanbox_after_flw((const float *)&fx));
    printf("fmv.w.x result reg  %016" PRIx64 "\n", nanbox_after_fmv_w_x(0x80000001u));
    printf("fadd.s on unboxed 0x000000003f800000: %08" PRIx32 "\n", fadd_s_on_unboxed(0x000000003f800000ULL, fone));
    printf("fadd.s on boxed   0xffffffff3f800000: %08" PRIx32 "\n", fadd_s_on_unboxed(0xffffffff3f800000ULL, fone));
    printf("fmv.x.w sign-extends: %016" PRIx64 " %016" PRIx64 "\n", fmv_x_w(-2.0f), fmv_x_w(2.0f));

    printf("== canonical NaN\n");
    printf("0/0 double %016" PRIx64 "  float %08" PRIx32 "\n", arith_d(zero / zero), arith_f(fzero / fzero));
    printf("qnan(payload 123)+1 %016" PRIx64 "  snan+1 %016" PRIx64 "  sqrt(-1) %016" PRIx64 "\n",
           arith_d(qnan_payload + one), arith_d(snan + one), arith_d(sqrt(-one)));
    printf("float qnan(payload)*1 %08" PRIx32 "  (double)fqnan %016" PRIx64 "  (float)qnan_payload %08" PRIx32 "\n",
           arith_f(fqnan * fone), arith_d((double)fqnan), arith_f((float)qnan_payload));
    printf("-qnan keeps payload (fsgnjn) %016" PRIx64 "  fabs %016" PRIx64 "  copysign %016" PRIx64 "\n",
           dbits(-qnan_payload), dbits(fabs(-qnan_payload)), dbits(copysign(qnan_payload, -one)));

    printf("== fmin/fmax (IEEE 754-2019 minimumNumber/maximumNumber)\n");
    const u64 mm[][2] = {
        { 0x7ff0000000000001ULL, 0x3ff0000000000000ULL }, /* sNaN, 1 */
        { 0x3ff0000000000000ULL, 0x7ff0000000000001ULL }, /* 1, sNaN */
        { 0x7ff8000000000123ULL, 0xbff0000000000000ULL }, /* qNaN, -1 */
        { 0x7ff8000000000123ULL, 0x7ff0000000000001ULL }, /* qNaN, sNaN */
        { 0x7ff8000000000123ULL, 0xfff8000000000456ULL }, /* qNaN, qNaN */
        { 0x8000000000000000ULL, 0x0000000000000000ULL }, /* -0, +0 */
        { 0x0000000000000000ULL, 0x8000000000000000ULL }, /* +0, -0 */
        { 0x3ff0000000000000ULL, 0x4000000000000000ULL }, /* 1, 2 */
        { 0xfff0000000000000ULL, 0x7ff0000000000000ULL }, /* -inf, inf */
    };
    for (unsigned i = 0; i < sizeof mm / sizeof mm[0]; i++) {
        unsigned f1, f2, f3, f4, f5;
        double a = bitsd(mm[i][0]), b = bitsd(mm[i][1]);
        double mn = fmin_d(a, b, &f1), mx = fmax_d(a, b, &f2);
        u64 eq = feq_d(a, b, &f3), lt = flt_d(a, b, &f4), le = fle_d(a, b, &f5);
        printf("%016" PRIx64 " %016" PRIx64 ": min %016" PRIx64 "/%s max %016" PRIx64 "/%s eq %d/%s lt %d/%s le %d/%s\n",
               mm[i][0], mm[i][1], dbits(mn), flagstr(f1), dbits(mx), flagstr(f2), (int)eq, flagstr(f3), (int)lt,
               flagstr(f4), (int)le, flagstr(f5));
    }
    {
        unsigned fl;
        float r = fmin_s(fsnan, fone, &fl);
        printf("fmin.s(sNaN, 1) %08" PRIx32 "/%s\n", fbits(r), flagstr(fl));
    }

    printf("== fclass\n");
    const u64 cl[] = { 0xfff0000000000000ULL, 0xbff0000000000000ULL, 0x800fffffffffffffULL, 0x8000000000000000ULL,
                       0x0000000000000000ULL, 0x0000000000000001ULL, 0x3ff0000000000000ULL, 0x7ff0000000000000ULL,
                       0x7ff0000000000001ULL, 0x7ff8000000000000ULL, 0xfff4000000000000ULL };
    for (unsigned i = 0; i < sizeof cl / sizeof cl[0]; i++)
        printf("fclass.d %016" PRIx64 " = %03" PRIx64 "\n", cl[i], fclass_d(bitsd(cl[i])));
    const u32 cls[] = { 0xff800000u, 0x80000001u, 0x00000000u, 0x3f800000u, 0x7f800001u, 0x7fc00000u };
    for (unsigned i = 0; i < sizeof cls / sizeof cls[0]; i++)
        printf("fclass.s %08" PRIx32 " = %03" PRIx64 "\n", cls[i], fclass_s(bitsf(cls[i])));
    return 0;
}
