/* a64_fp: A64 floating point against qemu-aarch64, printed as hex.
 * Scalar and Advanced SIMD FP instructions under every FPCR rounding
 * mode, FZ and DN; NaN propagation, FMAXNM/FMINNM, conversions at their
 * boundaries, estimates, and the FPSR cumulative flags each raises.
 * Every line: instruction, operands, result, FPSR. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint64_t u64;
typedef uint32_t u32;
typedef u32 v4u __attribute__((vector_size(16)));
typedef u64 v2u __attribute__((vector_size(16)));

#define FZ (1ul << 24)
#define DN (1ul << 25)
#define FZ16 (1ul << 19)
#define AHP (1ul << 26)
static u64 fpcr_now;

static void set_fpcr(u64 v) { fpcr_now = v; __asm__ volatile("msr fpcr, %0" ::"r"(v)); }
static void clr(void) { __asm__ volatile("msr fpsr, xzr"); }
static u64 fpsr(void) { u64 v; __asm__ volatile("mrs %0, fpsr" : "=r"(v)); return v; }

/* Without arguments, one line per instruction and FPCR setting: a hash
 * of every result and FPSR; with any argument, every result. */
static int verbose;
static u64 hash;
static void mix(u64 x) { hash = (hash ^ x) * 0x100000001b3ul; }
static void group(const char *name) {
    if (!verbose) printf("%-12s %06lx %016lx\n", name, fpcr_now >> 16, hash);
    hash = 0xcbf29ce484222325ul;
}
static void out(const char *name, u64 a, u64 b, u64 r) {
    u64 f = fpsr();
    mix(r);
    mix(f);
    if (verbose)
        printf("%-8s %06lx %016lx %016lx = %016lx %02lx\n", name, fpcr_now >> 16, a, b, r, f);
}

/* Scalar two-operand ops on D and S registers. */
#define BIN(fn, insn, reg)                                                      \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        __asm__ volatile("fmov d0, %x1\n fmov d1, %x2\n" insn       \
                         " " reg "2, " reg "0, " reg "1\n fmov %x0, d2"   \
                         : "=r"(r) : "r"(a), "r"(b) : "v0", "v1", "v2");        \
        return r;                                                               \
    }
#define BIN_DS(name, insn) BIN(name##_d, insn, "d") BIN(name##_s, insn, "s")
BIN_DS(fadd, "fadd") BIN_DS(fsub, "fsub") BIN_DS(fmul, "fmul") BIN_DS(fdiv, "fdiv")
BIN_DS(fmax, "fmax") BIN_DS(fmin, "fmin") BIN_DS(fmaxnm, "fmaxnm") BIN_DS(fminnm, "fminnm")
BIN_DS(fnmul, "fnmul") BIN_DS(fabd, "fabd") BIN_DS(fmulx, "fmulx") BIN_DS(frecps, "frecps")
BIN_DS(frsqrts, "frsqrts") BIN_DS(fcmeq, "fcmeq") BIN_DS(fcmge, "fcmge") BIN_DS(fcmgt, "fcmgt")
BIN_DS(facgt, "facgt")

#define UN(fn, insn, rd, rn)                                                    \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        (void)b;                                                                \
        __asm__ volatile("fmov d0, %x1\n" insn " " rd "2, " rn "0\n"       \
                         "fmov %x0, d2"                                    \
                         : "=r"(r) : "r"(a) : "v0", "v2");                      \
        return r;                                                               \
    }
#define UN_DS(name, insn) UN(name##_d, insn, "d", "d") UN(name##_s, insn, "s", "s")
UN_DS(fsqrt, "fsqrt") UN_DS(fabs, "fabs") UN_DS(fneg, "fneg") UN_DS(frintn, "frintn")
UN_DS(frinta, "frinta") UN_DS(frintp, "frintp") UN_DS(frintm, "frintm") UN_DS(frintz, "frintz")
UN_DS(frintx, "frintx") UN_DS(frinti, "frinti") UN_DS(frecpe, "frecpe") UN_DS(frsqrte, "frsqrte") UN_DS(frecpx, "frecpx")
UN(fcvt_ds, "fcvt", "s", "d") UN(fcvt_sd, "fcvt", "d", "s") UN(fcvtxn_ds, "fcvtxn", "s", "d")
UN(fcvt_sh, "fcvt", "h", "s") UN(fcvt_dh, "fcvt", "h", "d")
UN(scvtf_simd_d, "scvtf", "d", "d") UN(fcvtzs_simd_s, "fcvtzs", "s", "s")

/* Half precision (FEAT_FP16): operands in the low 16 bits. */
#define BIN_H(fn, insn)                                                         \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        __asm__ volatile(".arch_extension fp16\n fmov h0, %w1\n fmov h1, %w2\n" \
                         insn " h2, h0, h1\n fmov %w0, h2"                      \
                         : "=r"(r) : "r"(a), "r"(b) : "v0", "v1", "v2");        \
        return r;                                                               \
    }
BIN_H(fadd_h, "fadd") BIN_H(fmul_h, "fmul") BIN_H(fdiv_h, "fdiv") BIN_H(fmaxnm_h, "fmaxnm")
BIN_H(fmin_h, "fmin") BIN_H(fnmul_h, "fnmul")
static u64 fmadd_h(u64 a, u64 b) {
    u64 r;
    __asm__ volatile(".arch_extension fp16\n fmov h0, %w1\n fmov h1, %w2\n fmov h3, %w3\n"
                     "fmadd h2, h0, h1, h3\n fmov %w0, h2"
                     : "=r"(r) : "r"(a), "r"(b), "r"(0x3555ul) : "v0", "v1", "v2", "v3");
    return r;
}
static u64 fcmpe_h(u64 a, u64 b) {
    u64 r;
    __asm__ volatile(".arch_extension fp16\n fmov h0, %w1\n fmov h1, %w2\n fcmpe h0, h1\n"
                     "mrs %0, nzcv"
                     : "=r"(r) : "r"(a), "r"(b) : "v0", "v1", "cc");
    return r;
}
#define UN_H(fn, insn)                                                          \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        (void)b;                                                                \
        __asm__ volatile(".arch_extension fp16\n fmov h0, %w1\n" insn           \
                         : "=r"(r) : "r"(a) : "v0", "v2");                      \
        return r;                                                               \
    }
UN_H(fsqrt_h, "fsqrt h2, h0\n fmov %w0, h2") UN_H(frintx_h, "frintx h2, h0\n fmov %w0, h2")
UN_H(fcvtzs_wh, "fcvtzs %w0, h0") UN_H(fcvtau_xh, "fcvtau %x0, h0")
UN_H(fcvtzs_fix_h, "fcvtzs %w0, h0, #20") UN_H(fcvt_hd, "fcvt d2, h0\n fmov %x0, d2")
static u64 scvtf_hw(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile(".arch_extension fp16\n scvtf h0, %w1\n fmov %w0, h0" : "=r"(r) : "r"(a) : "v0");
    return r;
}
static u64 ucvtf_hx_fix(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile(".arch_extension fp16\n ucvtf h0, %x1, #40\n fmov %w0, h0" : "=r"(r) : "r"(a) : "v0");
    return r;
}

static u64 fcvt_hs(u64 a, u64 b) {
    u64 r;
    (void)b;
    __asm__ volatile("fmov s0, %w1\n fcvt s2, h0\n fmov %w0, s2" : "=r"(r) : "r"(a) : "v0", "v2");
    return r;
}

/* Float to integer, into X and W registers. */
#define TOI(fn, insn, rd, rn)                                                   \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        (void)b;                                                                \
        __asm__ volatile("fmov d0, %x1\n" insn " %" rd "0, " rn "0"        \
                         : "=r"(r) : "r"(a) : "v0");                            \
        return r;                                                               \
    }
#define TOI_ALL(name, insn)                                                     \
    TOI(name##_xd, insn, "x", "d") TOI(name##_wd, insn, "w", "d")              \
    TOI(name##_xs, insn, "x", "s") TOI(name##_ws, insn, "w", "s")
TOI_ALL(fcvtzs, "fcvtzs") TOI_ALL(fcvtzu, "fcvtzu") TOI_ALL(fcvtns, "fcvtns")
TOI_ALL(fcvtnu, "fcvtnu") TOI_ALL(fcvtas, "fcvtas") TOI_ALL(fcvtau, "fcvtau")
TOI_ALL(fcvtps, "fcvtps") TOI_ALL(fcvtpu, "fcvtpu") TOI_ALL(fcvtms, "fcvtms")
TOI_ALL(fcvtmu, "fcvtmu")
TOI(fcvtzs_fix_xd, "fcvtzs", "x", "d") /* replaced below with a shift */
static u64 fcvtzs_x16_d(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile("fmov d0, %x1\n fcvtzs %x0, d0, #16" : "=r"(r) : "r"(a) : "v0");
    return r;
}
static u64 fcvtzu_w3_s(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile("fmov s0, %w1\n fcvtzu %w0, s0, #3" : "=r"(r) : "r"(a) : "v0");
    return r;
}
static u64 fcvtzs_x64_d(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile("fmov d0, %x1\n fcvtzs %x0, d0, #64" : "=r"(r) : "r"(a) : "v0");
    return r;
}

#define FROMI(fn, insn, rd, rn)                                                 \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        (void)b;                                                                \
        __asm__ volatile(insn " " rd "0, %" rn "1\n fmov %x0, d0"               \
                         : "=r"(r) : "r"(a) : "v0");                            \
        return r;                                                               \
    }
FROMI(scvtf_dx, "scvtf", "d", "x") FROMI(scvtf_dw, "scvtf", "d", "w")
FROMI(ucvtf_dx, "ucvtf", "d", "x") FROMI(ucvtf_dw, "ucvtf", "d", "w")
FROMI(scvtf_sx, "scvtf", "s", "x") FROMI(scvtf_sw, "scvtf", "s", "w")
FROMI(ucvtf_sx, "ucvtf", "s", "x") FROMI(ucvtf_sw, "ucvtf", "s", "w")
static u64 scvtf_dx_fix(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile("scvtf d0, %x1, #12\n fmov %x0, d0" : "=r"(r) : "r"(a) : "v0");
    return r;
}
static u64 ucvtf_sw_fix(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile("ucvtf s0, %w1, #32\n fmov %x0, d0" : "=r"(r) : "r"(a) : "v0");
    return r;
}

/* Fused multiply-add family: c is the accumulator (a, b, c = n, m, a). */
static u64 acc_d, acc_s;
#define FMA(fn, insn, reg, acc)                                                 \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        __asm__ volatile("fmov d0, %x1\n fmov d1, %x2\n fmov d3, %x3\n"           \
                          insn " " reg "2, " reg "0, " reg "1, " reg  \
                         "3\n fmov %x0, d2"                               \
                         : "=r"(r) : "r"(a), "r"(b), "r"(acc)                   \
                         : "v0", "v1", "v2", "v3");                             \
        return r;                                                               \
    }
FMA(fmadd_d, "fmadd", "d", acc_d) FMA(fmsub_d, "fmsub", "d", acc_d)
FMA(fnmadd_d, "fnmadd", "d", acc_d) FMA(fnmsub_d, "fnmsub", "d", acc_d)
FMA(fmadd_s, "fmadd", "s", acc_s) FMA(fnmsub_s, "fnmsub", "s", acc_s)

/* Compares: NZCV. */
#define CMP(fn, insn, reg)                                                      \
    static u64 fn(u64 a, u64 b) {                                               \
        u64 r;                                                                  \
        __asm__ volatile("fmov d0, %x1\n fmov d1, %x2\n" insn " "   \
                         reg "0, " reg "1\n mrs %0, nzcv"                       \
                         : "=r"(r) : "r"(a), "r"(b) : "v0", "v1", "cc");        \
        return r;                                                               \
    }
CMP(fcmp_d, "fcmp", "d") CMP(fcmpe_d, "fcmpe", "d") CMP(fcmp_s, "fcmp", "s")
CMP(fcmpe_s, "fcmpe", "s")
static u64 fcmp0_d(u64 a, u64 b) {
    u64 r; (void)b;
    __asm__ volatile("fmov d0, %x1\n fcmp d0, #0.0\n mrs %0, nzcv" : "=r"(r) : "r"(a) : "v0", "cc");
    return r;
}
static u64 fccmp_d(u64 a, u64 b) {
    u64 r;
    __asm__ volatile("fmov d0, %x1\n fmov d1, %x2\n cmp %x1, #0\n fccmpe d0, d1, #5, ne\n"
                     "mrs %0, nzcv"
                     : "=r"(r) : "r"(a), "r"(b) : "v0", "v1", "cc");
    return r;
}
static u64 fcsel_d(u64 a, u64 b) {
    u64 r;
    __asm__ volatile("fmov d0, %x1\n fmov d1, %x2\n fcmp d0, d1\n fcsel d2, d0, d1, gt\n"
                     "fmov %x0, d2"
                     : "=r"(r) : "r"(a), "r"(b) : "v0", "v1", "v2", "cc");
    return r;
}

struct op {
    const char *name;
    u64 (*f)(u64, u64);
};

static const u64 dvals[] = {
    0x0000000000000000, 0x8000000000000000, 0x3ff0000000000000, 0xbff8000000000000,
    0x4004000000000000, 0xc004000000000000, 0x3fb999999999999a, 0x7fefffffffffffff,
    0xffefffffffffffff, 0x0000000000000001, 0x800fffffffffffff, 0x0010000000000000,
    0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000123, 0xfff0000000000456,
    0x43e0000000000000, 0xc3e0000000000000, 0x41efffffffe00000, 0x41f0000000000000,
    0x3fe0000000000000, 0xbfe8000000000000, 0x4330000000000001, 0x37f0000000000000,
    0x40f869f000000000,
};
static const u64 svals[] = {
    0x00000000, 0x80000000, 0x3f800000, 0xbfc00000, 0x40200000, 0xc0200000,
    0x3dcccccd, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x807fffff, 0x00800000,
    0x7f800000, 0xff800000, 0x7fc00123, 0xff800456, 0x5f000000, 0xdf000000,
    0x4f800000, 0x4f000000, 0x3f000000, 0xbf400000, 0x4b000001, 0x0d800000,
    0x47c34f80, 0x477ff000,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void pairs(const struct op *ops, unsigned nops, const u64 *v, unsigned nv) {
    for (unsigned o = 0; o < nops; o++) {
        for (unsigned i = 0; i < nv; i++)
            for (unsigned j = 0; j < nv; j++) {
                clr();
                u64 r = ops[o].f(v[i], v[j]);
                out(ops[o].name, v[i], v[j], r);
            }
        group(ops[o].name);
    }
}
static void singles(const struct op *ops, unsigned nops, const u64 *v, unsigned nv) {
    for (unsigned o = 0; o < nops; o++) {
        for (unsigned i = 0; i < nv; i++) {
            clr();
            u64 r = ops[o].f(v[i], 0);
            out(ops[o].name, v[i], 0, r);
        }
        group(ops[o].name);
    }
}

#define OPDS(n) {#n "_d", n##_d}, {#n "_s", n##_s}
static const struct op arith_d[] = {
    {"fadd_d", fadd_d}, {"fsub_d", fsub_d}, {"fmul_d", fmul_d}, {"fdiv_d", fdiv_d},
    {"fmadd_d", fmadd_d}, {"fmsub_d", fmsub_d}, {"fnmadd_d", fnmadd_d}, {"fnmsub_d", fnmsub_d},
    {"fnmul_d", fnmul_d},
};
static const struct op arith_s[] = {
    {"fadd_s", fadd_s}, {"fsub_s", fsub_s}, {"fmul_s", fmul_s}, {"fdiv_s", fdiv_s},
    {"fmadd_s", fmadd_s}, {"fnmsub_s", fnmsub_s},
};
static const struct op other_d[] = {
    OPDS(fmax), OPDS(fmin), OPDS(fmaxnm), OPDS(fminnm), OPDS(fabd), OPDS(fmulx),
    OPDS(frecps), OPDS(frsqrts), OPDS(fcmeq), OPDS(fcmge), OPDS(fcmgt), OPDS(facgt),
    {"fcmp_d", fcmp_d}, {"fcmpe_d", fcmpe_d}, {"fcmp_s", fcmp_s}, {"fcmpe_s", fcmpe_s},
    {"fccmp_d", fccmp_d}, {"fcsel_d", fcsel_d},
};
static const struct op unary_d[] = {
    {"fsqrt_d", fsqrt_d}, {"fabs_d", fabs_d}, {"fneg_d", fneg_d}, {"frintn_d", frintn_d},
    {"frinta_d", frinta_d}, {"frintp_d", frintp_d}, {"frintm_d", frintm_d},
    {"frintz_d", frintz_d}, {"frintx_d", frintx_d}, {"frinti_d", frinti_d},
    {"frecpe_d", frecpe_d}, {"frsqrte_d", frsqrte_d}, {"fcvt_ds", fcvt_ds},
    {"fcvtxn", fcvtxn_ds}, {"fcvt_dh", fcvt_dh}, {"fcmp0_d", fcmp0_d},
    {"fcvtzs_xd", fcvtzs_xd}, {"fcvtzs_wd", fcvtzs_wd}, {"fcvtzu_xd", fcvtzu_xd},
    {"fcvtzu_wd", fcvtzu_wd}, {"fcvtns_xd", fcvtns_xd}, {"fcvtnu_wd", fcvtnu_wd},
    {"fcvtas_xd", fcvtas_xd}, {"fcvtau_xd", fcvtau_xd}, {"fcvtps_wd", fcvtps_wd},
    {"fcvtpu_xd", fcvtpu_xd}, {"fcvtms_xd", fcvtms_xd}, {"fcvtmu_wd", fcvtmu_wd},
    {"frecpx_d", frecpx_d}, {"fcvtzs16", fcvtzs_x16_d}, {"fcvtzs64", fcvtzs_x64_d}, {"scvtf_v", scvtf_simd_d},
};
static const struct op unary_s[] = {
    {"fsqrt_s", fsqrt_s}, {"fabs_s", fabs_s}, {"fneg_s", fneg_s}, {"frintn_s", frintn_s},
    {"frinta_s", frinta_s}, {"frintp_s", frintp_s}, {"frintm_s", frintm_s},
    {"frintz_s", frintz_s}, {"frintx_s", frintx_s}, {"frinti_s", frinti_s},
    {"frecpe_s", frecpe_s}, {"frsqrte_s", frsqrte_s}, {"fcvt_sd", fcvt_sd},
    {"fcvt_sh", fcvt_sh}, {"fcvtzs_xs", fcvtzs_xs}, {"fcvtzs_ws", fcvtzs_ws},
    {"fcvtzu_xs", fcvtzu_xs}, {"fcvtzu_ws", fcvtzu_ws}, {"fcvtns_ws", fcvtns_ws},
    {"fcvtnu_xs", fcvtnu_xs}, {"fcvtas_ws", fcvtas_ws}, {"fcvtau_ws", fcvtau_ws},
    {"fcvtps_xs", fcvtps_xs}, {"fcvtpu_ws", fcvtpu_ws}, {"fcvtms_ws", fcvtms_ws},
    {"fcvtmu_xs", fcvtmu_xs}, {"frecpx_s", frecpx_s}, {"fcvtzu3", fcvtzu_w3_s}, {"fcvtzs_v", fcvtzs_simd_s},
};
static const struct op from_int[] = {
    {"scvtf_dx", scvtf_dx}, {"scvtf_dw", scvtf_dw}, {"ucvtf_dx", ucvtf_dx},
    {"ucvtf_dw", ucvtf_dw}, {"scvtf_sx", scvtf_sx}, {"scvtf_sw", scvtf_sw},
    {"ucvtf_sx", ucvtf_sx}, {"ucvtf_sw", ucvtf_sw}, {"scvtf12", scvtf_dx_fix},
    {"ucvtf32", ucvtf_sw_fix},
};
static const u64 ints[] = {
    0, 1, 0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x00000000ffffffff,
    0x0000000080000001, 0x0020000000000001, 0x0000000001000001, 0x123456789abcdef0,
    0xfffffffffffff801,
};
static const u64 halves[] = {0x0000, 0x8000, 0x3c00, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00,
                             0x7e01, 0x7c01, 0xfd23, 0x3555, 0x0400, 0xc900, 0x5bff, 0x1400};

/* Advanced SIMD vector forms: four singles or two doubles per line. */
#define VEC3(fn, insn, arr)                                                     \
    static void fn(v4u a, v4u b, v4u *r) {                                      \
        v4u x = *r;                                                             \
        __asm__ volatile(insn " %0." arr ", %1." arr ", %2." arr                \
                         : "+w"(x) : "w"(a), "w"(b));                           \
        *r = x;                                                                 \
    }
VEC3(vfadd_4s, "fadd", "4s") VEC3(vfsub_2d, "fsub", "2d") VEC3(vfmul_4s, "fmul", "4s")
VEC3(vfdiv_2d, "fdiv", "2d") VEC3(vfmla_4s, "fmla", "4s") VEC3(vfmls_2d, "fmls", "2d")
VEC3(vfabd_4s, "fabd", "4s") VEC3(vfmax_4s, "fmax", "4s") VEC3(vfminnm_4s, "fminnm", "4s")
VEC3(vfmaxnm_2d, "fmaxnm", "2d") VEC3(vfaddp_4s, "faddp", "4s") VEC3(vfmaxp_4s, "fmaxp", "4s")
VEC3(vfminnmp_2d, "fminnmp", "2d") VEC3(vfcmeq_4s, "fcmeq", "4s") VEC3(vfcmge_2d, "fcmge", "2d")
VEC3(vfcmgt_4s, "fcmgt", "4s") VEC3(vfacge_4s, "facge", "4s") VEC3(vfrecps_4s, "frecps", "4s")
VEC3(vfrsqrts_2d, "frsqrts", "2d") VEC3(vfadd_2s, "fadd", "2s") VEC3(vfmulx_4s, "fmulx", "4s")
VEC3(vfminp_2s, "fminp", "2s") VEC3(vfmin_2d, "fmin", "2d")
#define VEC2(fn, insn)                                                          \
    static void fn(v4u a, v4u b, v4u *r) {                                      \
        v4u x = *r;                                                             \
        (void)b;                                                                \
        __asm__ volatile(insn : "+w"(x) : "w"(a));                              \
        *r = x;                                                                 \
    }
VEC2(vfabs_4s, "fabs %0.4s, %1.4s") VEC2(vfneg_2d, "fneg %0.2d, %1.2d")
VEC2(vfsqrt_4s, "fsqrt %0.4s, %1.4s") VEC2(vfrintn_4s, "frintn %0.4s, %1.4s")
VEC2(vfrinta_2d, "frinta %0.2d, %1.2d") VEC2(vfrintx_4s, "frintx %0.4s, %1.4s")
VEC2(vfrintm_2s, "frintm %0.2s, %1.2s") VEC2(vfrinti_2d, "frinti %0.2d, %1.2d")
VEC2(vfcvtzs_4s, "fcvtzs %0.4s, %1.4s") VEC2(vfcvtzu_2d, "fcvtzu %0.2d, %1.2d")
VEC2(vfcvtns_4s, "fcvtns %0.4s, %1.4s") VEC2(vfcvtau_4s, "fcvtau %0.4s, %1.4s")
VEC2(vfcvtms_2d, "fcvtms %0.2d, %1.2d") VEC2(vfcvtpu_4s, "fcvtpu %0.4s, %1.4s")
VEC2(vscvtf_4s, "scvtf %0.4s, %1.4s") VEC2(vucvtf_2d, "ucvtf %0.2d, %1.2d")
VEC2(vscvtf_fix, "scvtf %0.4s, %1.4s, #5") VEC2(vfcvtzu_fix, "fcvtzu %0.2d, %1.2d, #40")
VEC2(vfcvtzs_fix, "fcvtzs %0.4s, %1.4s, #1")
VEC2(vfcvtl, "fcvtl %0.2d, %1.2s") VEC2(vfcvtl2, "fcvtl2 %0.2d, %1.4s")
VEC2(vfcvtl_h, "fcvtl %0.4s, %1.4h") VEC2(vfcvtn, "fcvtn %0.2s, %1.2d")
VEC2(vfcvtn2, "fcvtn2 %0.4s, %1.2d") VEC2(vfcvtn_h, "fcvtn %0.4h, %1.4s")
VEC2(vfcvtxn2, "fcvtxn2 %0.4s, %1.2d")
VEC2(vfcmeq0, "fcmeq %0.4s, %1.4s, #0.0") VEC2(vfcmge0, "fcmge %0.4s, %1.4s, #0.0")
VEC2(vfcmgt0, "fcmgt %0.2d, %1.2d, #0.0") VEC2(vfcmle0, "fcmle %0.4s, %1.4s, #0.0")
VEC2(vfcmlt0, "fcmlt %0.4s, %1.4s, #0.0") VEC2(vfrecpe_4s, "frecpe %0.4s, %1.4s")
VEC2(vfrsqrte_2d, "frsqrte %0.2d, %1.2d") VEC2(vfrsqrte_4s, "frsqrte %0.4s, %1.4s")
VEC2(vfmaxv, "fmaxv %s0, %1.4s") VEC2(vfminnmv, "fminnmv %s0, %1.4s")
VEC2(vfmaxnmv, "fmaxnmv %s0, %1.4s") VEC2(vfminv, "fminv %s0, %1.4s")
VEC2(vfaddp_d, "faddp %d0, %1.2d") VEC2(vfmaxnmp_s, "fmaxnmp %s0, %1.2s")
VEC2(vfcmeq0_d, "fcmeq %d0, %d1, #0.0") VEC2(vfcmlt0_s, "fcmlt %s0, %s1, #0.0")
VEC2(vucvtf_s, "ucvtf %s0, %s1") VEC2(vfcvtzs_d16, "fcvtzs %d0, %d1, #16")
VEC2(vfcvtxn_s, "fcvtxn %s0, %d1") VEC2(vfrecpe_s, "frecpe %s0, %s1")
#define VELEM(fn, insn)                                                         \
    static void fn(v4u a, v4u b, v4u *r) {                                      \
        v4u x = *r;                                                             \
        __asm__ volatile(insn : "+w"(x) : "w"(a), "x"(b));                      \
        *r = x;                                                                 \
    }
VELEM(vfmul_e, "fmul %0.4s, %1.4s, %2.s[2]") VELEM(vfmla_e, "fmla %0.4s, %1.4s, %2.s[3]")
VELEM(vfmls_e2d, "fmls %0.2d, %1.2d, %2.d[1]") VELEM(vfmulx_e, "fmulx %0.2s, %1.2s, %2.s[1]")
VELEM(vfmla_se, "fmla %s0, %s1, %2.s[1]") VELEM(vfmul_de, "fmul %d0, %d1, %2.d[1]")

struct vop {
    const char *name;
    void (*f)(v4u, v4u, v4u *);
};
static const struct vop vops[] = {
#define V(n) {#n, n}
    V(vfadd_4s), V(vfsub_2d), V(vfmul_4s), V(vfdiv_2d), V(vfmla_4s), V(vfmls_2d),
    V(vfabd_4s), V(vfmax_4s), V(vfminnm_4s), V(vfmaxnm_2d), V(vfaddp_4s), V(vfmaxp_4s),
    V(vfminnmp_2d), V(vfcmeq_4s), V(vfcmge_2d), V(vfcmgt_4s), V(vfacge_4s), V(vfrecps_4s),
    V(vfrsqrts_2d), V(vfadd_2s), V(vfmulx_4s), V(vfminp_2s), V(vfmin_2d),
    V(vfabs_4s), V(vfneg_2d), V(vfsqrt_4s), V(vfrintn_4s), V(vfrinta_2d), V(vfrintx_4s),
    V(vfrintm_2s), V(vfrinti_2d), V(vfcvtzs_4s), V(vfcvtzu_2d), V(vfcvtns_4s),
    V(vfcvtau_4s), V(vfcvtms_2d), V(vfcvtpu_4s), V(vscvtf_4s), V(vucvtf_2d), V(vscvtf_fix),
    V(vfcvtzu_fix), V(vfcvtzs_fix), V(vfcvtl), V(vfcvtl2), V(vfcvtl_h), V(vfcvtn),
    V(vfcvtn2), V(vfcvtn_h), V(vfcvtxn2), V(vfcmeq0), V(vfcmge0), V(vfcmgt0), V(vfcmle0),
    V(vfcmlt0), V(vfrecpe_4s), V(vfrsqrte_2d), V(vfrsqrte_4s), V(vfmaxv), V(vfminnmv),
    V(vfmaxnmv), V(vfminv), V(vfaddp_d), V(vfmaxnmp_s), V(vfcmeq0_d), V(vfcmlt0_s),
    V(vucvtf_s), V(vfcvtzs_d16), V(vfcvtxn_s), V(vfrecpe_s), V(vfmul_e), V(vfmla_e),
    V(vfmls_e2d), V(vfmulx_e), V(vfmla_se), V(vfmul_de),
};

/* Built in memory: inserting lanes would take integer SIMD. */
static v4u vec(const u64 *v, unsigned n, unsigned at, int dbl) {
    v4u r;
    u32 w[4];
    u64 d[2] = {v[at % n], v[(at + 1) % n]};
    for (unsigned i = 0; i < 4; i++) w[i] = (u32)v[(at + i) % n];
    if (dbl)
        memcpy(&r, d, 16);
    else
        memcpy(&r, w, 16);
    return r;
}
/* Eight halves. */
static v4u hvec(unsigned at) {
    v4u r;
    uint16_t h[8];
    for (unsigned i = 0; i < 8; i++) h[i] = (uint16_t)halves[(at + i) % N(halves)];
    memcpy(&r, h, 16);
    return r;
}

/* Lanes read back through memory (extracting them would take integer
 * SIMD). */
static __attribute__((noinline)) void vout(const char *nm, const v4u *a, const v4u *b,
                                           const v4u *r, u64 f) {
    const volatile u32 *aw = (const volatile u32 *)a, *bw = (const volatile u32 *)b,
                       *rw = (const volatile u32 *)r;
    mix((u64)rw[1] << 32 | rw[0]);
    mix((u64)rw[3] << 32 | rw[2]);
    mix(f);
    if (verbose)
        printf("%-12s %06lx %08x%08x%08x%08x %08x%08x%08x%08x = %08x%08x%08x%08x %02lx\n", nm,
               fpcr_now >> 16, aw[3], aw[2], aw[1], aw[0], bw[3], bw[2], bw[1], bw[0], rw[3],
               rw[2], rw[1], rw[0], f);
}

static void vector_tests(void) {
    for (unsigned o = 0; o < N(vops); o++) {
        int dbl = 0;
        const char *nm = vops[o].name;
        for (const char *c = nm; *c; c++)
            if (c[0] == '2' && c[1] == 'd') dbl = 1;
        if (nm[1] == 'u' || (nm[1] == 's' && nm[2] == 'c')) dbl = -1; /* integer inputs */
        for (unsigned k = 0; k < 24; k += 3) {
            v4u a, b, r;
            if (dbl < 0) {
                a = vec(ints, N(ints), k, 1);
                if (nm[6] != '2') a = vec(svals, N(svals), k, 0);
            } else {
                a = dbl ? vec(dvals, N(dvals), k, 1) : vec(svals, N(svals), k, 0);
            }
            b = dbl > 0 ? vec(dvals, N(dvals), k + 5, 1) : vec(svals, N(svals), k + 7, 0);
            r = dbl > 0 ? vec(dvals, N(dvals), k + 2, 1) : vec(svals, N(svals), k + 10, 0);
            if (nm[2] == 'c' && nm[5] == 'l' && nm[6] == '_') a = hvec(k);
            clr();
            vops[o].f(a, b, &r);
            u64 f = fpsr();
            vout(nm, &a, &b, &r, f);
        }
        group(nm);
    }
}

int main(int argc, char **argv) {
    (void)argv;
    verbose = argc > 1;
    group("start");
    static const u64 modes[] = {0, 1ul << 22, 2ul << 22, 3ul << 22, FZ, DN, FZ | DN, FZ16, AHP, AHP | DN | 3ul << 22};
    for (unsigned m = 0; m < N(modes); m++) {
        set_fpcr(modes[m]);
        acc_d = dvals[(m * 5 + 3) % N(dvals)];
        acc_s = svals[(m * 7 + 2) % N(svals)];
        pairs(arith_d, N(arith_d), dvals, N(dvals));
        pairs(arith_s, N(arith_s), svals, N(svals));
        if (m == 0 || m >= 4)
            for (unsigned i = 0; i < N(other_d); i++) {
                int single = other_d[i].name[strlen(other_d[i].name) - 1] == 's';
                pairs(&other_d[i], 1, single ? svals : dvals, 16);
            }
        singles(unary_d, N(unary_d), dvals, N(dvals));
        singles(unary_s, N(unary_s), svals, N(svals));
        singles(from_int, N(from_int), ints, N(ints));
        {
            static const struct op h[] = {
                {"fcvt_hs", fcvt_hs}, {"fsqrt_h", fsqrt_h}, {"frintx_h", frintx_h},
                {"fcvtzs_wh", fcvtzs_wh}, {"fcvtau_xh", fcvtau_xh}, {"fcvtzs_fh", fcvtzs_fix_h},
                {"fcvt_hd", fcvt_hd}};
            static const struct op h2[] = {
                {"fadd_h", fadd_h}, {"fmul_h", fmul_h}, {"fdiv_h", fdiv_h},
                {"fmaxnm_h", fmaxnm_h}, {"fmin_h", fmin_h}, {"fnmul_h", fnmul_h},
                {"fmadd_h", fmadd_h}, {"fcmpe_h", fcmpe_h}};
            static const struct op hi[] = {{"scvtf_hw", scvtf_hw}, {"ucvtf_hx", ucvtf_hx_fix}};
            singles(h, N(h), halves, N(halves));
            pairs(h2, N(h2), halves, N(halves));
            singles(hi, N(hi), ints, N(ints));
        }
        vector_tests();
    }
    set_fpcr(0);
    /* FPSR accumulates across instructions until cleared. */
    clr();
    fadd_d(0x0000000000000001, 0x0000000000000001);
    fdiv_d(0x3ff0000000000000, 0);
    fsqrt_d(0xbff0000000000000, 0);
    printf("accumulated %02lx\n", fpsr());
    /* FMOV (immediate) and the scalar register writes zeroing the rest. */
    {
        v4u r = vec(svals, N(svals), 2, 0);
        __asm__ volatile("fmov d0, #-1.25\n fmov s1, #31.0\n fadd %s0, s0, s1" : "+w"(r)
                         :: "v0", "v1");
        const volatile u32 *rw = (const volatile u32 *)&r;
        printf("fmov_imm %08x %08x %08x %08x\n", rw[0], rw[1], rw[2], rw[3]);
    }
    return 0;
}
