/* Integer Advanced SIMD, crypto and CRC32 instructions on pseudo-random
 * data with edge values (0, 0x7f, 0x80, 0xff bytes are frequent): each
 * line is an operation's result bytes in memory order, in hex, and "QC"
 * when it set FPSR.QC. Built -O2 -march=armv8-a+crypto+crc; the expected
 * output comes from qemu-aarch64. No floating point. */
#include <arm_acle.h>
#include <arm_neon.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint8_t src[4][96];
static uint8_t out[64];

static void fill(unsigned round)
{
    uint64_t x = 0x9e3779b97f4a7c15ull + round;
    static const uint8_t edge[] = {0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 96; j++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            uint8_t b = x >> 56;
            src[i][j] = (x >> 20) % 4 == 0 ? edge[(x >> 8) % 6] : b;
        }
}

static void clear_qc(void)
{
    __asm__ volatile("msr fpsr, xzr" ::: "memory");
}

static void show(const char *name, unsigned n)
{
    uint64_t fpsr;
    __asm__ volatile("mrs %0, fpsr" : "=r"(fpsr) : "r"(out) : "memory");
    printf("%-22s", name);
    for (unsigned i = 0; i < n; i++)
        printf("%s%02x", i && i % 8 == 0 ? " " : "", out[i]);
    printf("%s\n", fpsr >> 27 & 1 ? " QC" : "");
}

#define T(name, expr)                                                        \
    do {                                                                     \
        clear_qc();                                                          \
        __typeof__(expr) r_ = (expr);                                        \
        memcpy(out, &r_, sizeof r_);                                         \
        show(name, sizeof r_);                                               \
    } while (0)

/* Operands: full and half vectors of every element type, from src. */
#define Q(t, s, i) vld1q_##s((const t *)src[i])
#define D(t, s, i) vld1_##s((const t *)(src[i] + 16))
#define U8(i) Q(uint8_t, u8, i)
#define S8(i) Q(int8_t, s8, i)
#define U16(i) Q(uint16_t, u16, i)
#define S16(i) Q(int16_t, s16, i)
#define U32(i) Q(uint32_t, u32, i)
#define S32(i) Q(int32_t, s32, i)
#define U64(i) Q(uint64_t, u64, i)
#define S64(i) Q(int64_t, s64, i)
#define U8D(i) D(uint8_t, u8, i)
#define S8D(i) D(int8_t, s8, i)
#define U16D(i) D(uint16_t, u16, i)
#define S16D(i) D(int16_t, s16, i)
#define U32D(i) D(uint32_t, u32, i)
#define S32D(i) D(int32_t, s32, i)
/* Small signed shift counts (-20..20) for the shift-by-register ops. */
#define SH(t, s) vld1q_##s((const t *)shifts)
static int8_t shifts[16];
/* Scalars. */
#define X64(i) (*(volatile uint64_t *)(src[i] + 32))
#define X32(i) (*(volatile uint32_t *)(src[i] + 40))
#define X16(i) (*(volatile uint16_t *)(src[i] + 44))
#define X8(i) (*(volatile uint8_t *)(src[i] + 46))

static void three_same(void)
{
    T("shadd.16b", vhaddq_s8(S8(0), S8(1)));
    T("uhadd.8h", vhaddq_u16(U16(0), U16(1)));
    T("urhadd.16b", vrhaddq_u8(U8(0), U8(1)));
    T("srhadd.4s", vrhaddq_s32(S32(0), S32(1)));
    T("shsub.8h", vhsubq_s16(S16(0), S16(1)));
    T("uhsub.16b", vhsubq_u8(U8(0), U8(1)));
    T("sqadd.16b", vqaddq_s8(S8(0), S8(1)));
    T("uqadd.16b", vqaddq_u8(U8(0), U8(1)));
    T("sqadd.2d", vqaddq_s64(S64(0), S64(1)));
    T("uqadd.2d", vqaddq_u64(U64(0), U64(1)));
    T("sqsub.8h", vqsubq_s16(S16(0), S16(1)));
    T("uqsub.4s", vqsubq_u32(U32(0), U32(1)));
    T("sqsub.2s", vqsub_s32(S32D(0), S32D(1)));
    T("cmtst.16b", vtstq_u8(U8(0), U8(1)));
    T("sshl.16b", vshlq_s8(S8(0), SH(int8_t, s8)));
    T("ushl.4s", vshlq_u32(U32(0), vreinterpretq_s32_s8(SH(int8_t, s8))));
    T("srshl.8h", vrshlq_s16(S16(0), vreinterpretq_s16_s8(SH(int8_t, s8))));
    T("urshl.2d", vrshlq_u64(U64(0), vreinterpretq_s64_s8(SH(int8_t, s8))));
    T("sqshl.16b", vqshlq_s8(S8(0), SH(int8_t, s8)));
    T("uqshl.8h", vqshlq_u16(U16(0), vreinterpretq_s16_s8(SH(int8_t, s8))));
    T("sqrshl.4s", vqrshlq_s32(S32(0), vreinterpretq_s32_s8(SH(int8_t, s8))));
    T("uqrshl.16b", vqrshlq_u8(U8(0), SH(int8_t, s8)));
    T("smax.16b", vmaxq_s8(S8(0), S8(1)));
    T("umin.8h", vminq_u16(U16(0), U16(1)));
    T("umax.4s", vmaxq_u32(U32(0), U32(1)));
    T("smin.2s", vmin_s32(S32D(0), S32D(1)));
    T("smaxp.16b", vpmaxq_s8(S8(0), S8(1)));
    T("uminp.8h", vpminq_u16(U16(0), U16(1)));
    T("sminp.4s", vpminq_s32(S32(0), S32(1)));
    T("sabd.16b", vabdq_s8(S8(0), S8(1)));
    T("uabd.4s", vabdq_u32(U32(0), U32(1)));
    T("uaba.8h", vabaq_u16(U16(2), U16(0), U16(1)));
    T("saba.16b", vabaq_s8(S8(2), S8(0), S8(1)));
    T("sqdmulh.8h", vqdmulhq_s16(S16(0), S16(1)));
    T("sqrdmulh.4s", vqrdmulhq_s32(S32(0), S32(1)));
    T("pmul.16b", vmulq_p8(vreinterpretq_p8_u8(U8(0)), vreinterpretq_p8_u8(U8(1))));
    T("mul.8h", vmulq_u16(U16(0), U16(1)));
    T("mla.4s", vmlaq_u32(U32(2), U32(0), U32(1)));
    T("mls.16b", vmlsq_u8(U8(2), U8(0), U8(1)));
    T("addp.16b", vpaddq_u8(U8(0), U8(1)));
    T("addp.2d", vpaddq_u64(U64(0), U64(1)));
    T("cmgt.16b", vcgtq_s8(S8(0), S8(1)));
    T("cmhs.8h", vcgeq_u16(U16(0), U16(1)));
    T("cmhi.4s", vcgtq_u32(U32(0), U32(1)));
    T("cmge.2d", vcgeq_s64(S64(0), S64(1)));
    T("cmeq.2d", vceqq_u64(U64(0), vorrq_u64(U64(0), vandq_u64(U64(1), U64(2)))));
    T("add.2d", vaddq_u64(U64(0), U64(1)));
    T("sub.2d", vsubq_u64(U64(0), U64(1)));
    T("bsl.16b", vbslq_u8(U8(2), U8(0), U8(1)));
    T("orn.8b", vorn_u8(U8D(0), U8D(1)));
    T("bic.16b", vbicq_u8(U8(0), U8(1)));
}

static void three_different(void)
{
    T("saddl.8h", vaddl_s8(S8D(0), S8D(1)));
    T("uaddl2.4s", vaddl_high_u16(U16(0), U16(1)));
    T("saddw.2d", vaddw_s32(S64(0), S32D(1)));
    T("uaddw2.8h", vaddw_high_u8(U16(0), U8(1)));
    T("usubl.8h", vsubl_u8(U8D(0), U8D(1)));
    T("ssubw2.4s", vsubw_high_s16(S32(0), S16(1)));
    T("addhn.8b", vaddhn_u16(U16(0), U16(1)));
    T("raddhn2.8h", vraddhn_high_u32(U16D(2), U32(0), U32(1)));
    T("subhn.2s", vsubhn_s64(S64(0), S64(1)));
    T("rsubhn.8b", vrsubhn_u16(U16(0), U16(1)));
    T("sabal.8h", vabal_s8(S16(2), S8D(0), S8D(1)));
    T("uabdl2.4s", vabdl_high_u16(U16(0), U16(1)));
    T("smull.8h", vmull_s8(S8D(0), S8D(1)));
    T("umull2.2d", vmull_high_u32(U32(0), U32(1)));
    T("smlal.4s", vmlal_s16(S32(2), S16D(0), S16D(1)));
    T("umlsl2.8h", vmlsl_high_u8(U16(2), U8(0), U8(1)));
    T("sqdmull.4s", vqdmull_s16(S16D(0), S16D(1)));
    T("sqdmlal2.2d", vqdmlal_high_s32(S64(2), S32(0), S32(1)));
    T("sqdmlsl.4s", vqdmlsl_s16(S32(2), S16D(0), S16D(1)));
    T("pmull.8h", vmull_p8(vreinterpret_p8_u8(U8D(0)), vreinterpret_p8_u8(U8D(1))));
    T("pmull2.8h", vmull_high_p8(vreinterpretq_p8_u8(U8(0)), vreinterpretq_p8_u8(U8(1))));
}

static void two_misc(void)
{
    T("rev16.16b", vrev16q_u8(U8(0)));
    T("rev32.8h", vrev32q_u16(U16(0)));
    T("rev64.4s", vrev64q_u32(U32(0)));
    T("cls.16b", vclsq_s8(S8(0)));
    T("clz.8h", vclzq_u16(U16(0)));
    T("clz.4s", vclzq_u32(U32(0)));
    T("rbit.16b", vrbitq_u8(U8(0)));
    T("cnt.16b", vcntq_u8(U8(0)));
    T("not.16b", vmvnq_u8(U8(0)));
    T("abs.8h", vabsq_s16(S16(0)));
    T("neg.2d", vnegq_s64(S64(0)));
    T("sqabs.16b", vqabsq_s8(S8(0)));
    T("sqneg.4s", vqnegq_s32(S32(0)));
    T("saddlp.8h", vpaddlq_s8(S8(0)));
    T("uadalp.4s", vpadalq_u16(U32(2), U16(0)));
    T("sadalp.2d", vpadalq_s32(S64(2), S32(0)));
    T("xtn.8b", vmovn_u16(U16(0)));
    T("xtn2.8h", vmovn_high_u32(U16D(2), U32(0)));
    T("sqxtn.8b", vqmovn_s16(S16(0)));
    T("uqxtn2.8h", vqmovn_high_u32(U16D(2), U32(0)));
    T("sqxtun.2s", vqmovun_s64(S64(0)));
    T("suqadd.16b", vuqaddq_s8(S8(0), U8(1)));
    T("usqadd.8h", vsqaddq_u16(U16(0), S16(1)));
    T("shll.8h", vshll_n_u8(U8D(0), 8));
    T("shll2.2d", vshll_high_n_s32(S32(0), 32));
    T("cmeq0.16b", vceqzq_s8(vandq_s8(S8(0), S8(1))));
    T("cmlt0.8h", vcltzq_s16(S16(0)));
    T("cmgt0.4s", vcgtzq_s32(S32(0)));
    T("cmle0.2d", vclezq_s64(S64(0)));
    T("cmge0.16b", vcgezq_s8(S8(0)));
}

static void across(void)
{
    T("saddlv.16b", vaddlvq_s8(S8(0)));
    T("uaddlv.8h", vaddlvq_u16(U16(0)));
    T("uaddlv.4s", vaddlvq_u32(U32(0)));
    T("smaxv.16b", vmaxvq_s8(S8(0)));
    T("sminv.8h", vminvq_s16(S16(0)));
    T("umaxv.4s", vmaxvq_u32(U32(0)));
    T("uminv.8b", vminv_u8(U8D(0)));
    T("addv.16b", vaddvq_u8(U8(0)));
    T("addv.4s", vaddvq_u32(U32(0)));
}

static void shift_immediate(void)
{
    T("srshr.16b #3", vrshrq_n_s8(S8(0), 3));
    T("urshr.2d #64", vrshrq_n_u64(U64(0), 64));
    T("sshr.2d #64", vshrq_n_s64(S64(0), 64));
    T("usra.8h #5", vsraq_n_u16(U16(2), U16(0), 5));
    T("srsra.4s #7", vrsraq_n_s32(S32(2), S32(0), 7));
    T("sri.16b #3", vsriq_n_u8(U8(2), U8(0), 3));
    T("sli.8h #4", vsliq_n_u16(U16(2), U16(0), 4));
    T("sqshlu.16b #2", vqshluq_n_s8(S8(0), 2));
    T("sqshl.8h #9", vqshlq_n_s16(S16(0), 9));
    T("uqshl.4s #3", vqshlq_n_u32(U32(0), 3));
    T("rshrn.8b #4", vrshrn_n_u16(U16(0), 4));
    T("shrn2.8h #5", vshrn_high_n_u32(U16D(2), U32(0), 5));
    T("sqshrn.4h #7", vqshrn_n_s32(S32(0), 7));
    T("uqrshrn2.16b #2", vqrshrn_high_n_u16(U8D(2), U16(0), 2));
    T("sqshrun.8b #3", vqshrun_n_s16(S16(0), 3));
    T("sqrshrun2.8h #9", vqrshrun_high_n_s32(U16D(2), S32(0), 9));
    T("sshll.4s #3", vshll_n_s16(S16D(0), 3));
    T("ushll2.8h #7", vshll_high_n_u8(U8(0), 7));
    T("shl.2d #63", vshlq_n_u64(U64(0), 63));
}

static void by_element(void)
{
    T("mul.8h[5]", vmulq_laneq_u16(U16(0), U16(1), 5));
    T("mla.4s[3]", vmlaq_laneq_s32(S32(2), S32(0), S32(1), 3));
    T("mls.4h[2]", vmls_lane_u16(U16D(2), U16D(0), U16D(1), 2));
    T("smull.4s[7]", vmull_laneq_s16(S16D(0), S16(1), 7));
    T("umlal2.2d[1]", vmlal_high_laneq_u32(U64(2), U32(0), U32(1), 1));
    T("sqdmulh.8h[6]", vqdmulhq_laneq_s16(S16(0), S16(1), 6));
    T("sqrdmulh.4s[2]", vqrdmulhq_laneq_s32(S32(0), S32(1), 2));
    T("sqdmull.2d[3]", vqdmull_laneq_s32(S32D(0), S32(1), 3));
    T("sqdmlal.4s[1]", vqdmlal_lane_s16(S32(2), S16D(0), S16D(1), 1));
}

static void copies_and_tables(void)
{
    T("dup.16b[13]", vdupq_laneq_u8(U8(0), 13));
    T("dup.2d[1]", vdupq_laneq_u64(U64(0), 1));
    T("dup.4h[3]", vdup_laneq_u16(U16(0), 3));
    T("smov.b", (int64_t)vgetq_lane_s8(S8(0), 9));
    T("smov.h", (int32_t)vgetq_lane_s16(S16(0), 6));
    T("smov.s", (int64_t)vgetq_lane_s32(S32(0), 3));
    T("ins.s[1]<-[3]", vcopyq_laneq_u32(U32(0), 1, U32(1), 3));
    T("ins.b[15]<-[0]", vcopyq_laneq_u8(U8(0), 15, U8(1), 0));
    uint8x16_t idx = vandq_u8(U8(2), vdupq_n_u8(0x47));
    T("tbl1", vqtbl1q_u8(U8(0), idx));
    T("tbl2", vqtbl2q_u8((uint8x16x2_t){{U8(0), U8(1)}}, idx));
    T("tbl3.8b", vqtbl3_u8((uint8x16x3_t){{U8(0), U8(1), U8(3)}}, vget_low_u8(idx)));
    T("tbl4", vqtbl4q_u8((uint8x16x4_t){{U8(0), U8(1), U8(3), U8(2)}}, idx));
    T("tbx1", vqtbx1q_u8(U8(3), U8(0), idx));
    T("tbx4", vqtbx4q_u8(U8(3), (uint8x16x4_t){{U8(0), U8(1), U8(2), U8(0)}}, idx));
    T("ext.16b #11", vextq_u8(U8(0), U8(1), 11));
    T("uzp2.8h", vuzp2q_u16(U16(0), U16(1)));
    T("zip1.4s", vzip1q_u32(U32(0), U32(1)));
    T("trn2.16b", vtrn2q_u8(U8(0), U8(1)));
}

static void structures(void)
{
    T("ld2.16b", vld2q_u8(src[0]));
    T("ld3.8h", vld3q_u16((const uint16_t *)src[0]));
    T("ld4.4s", vld4q_u32((const uint32_t *)src[0]));
    T("ld4.8b", vld4_u8(src[1]));
    T("ld3.2d", vld3q_u64((const uint64_t *)src[1]));
    uint8_t buf[64];
    memset(buf, 0, sizeof buf);
    vst2q_u16((uint16_t *)buf, vld2q_u16((const uint16_t *)src[2]));
    T("st2.8h", vld1q_u8(buf));
    vst3q_u8(buf, (uint8x16x3_t){{U8(0), U8(1), U8(2)}});
    T("st3.16b", vld1q_u8(buf + 16));
    vst4q_u32((uint32_t *)buf, (uint32x4x4_t){{U32(0), U32(1), U32(2), U32(3)}});
    T("st4.4s", vld1q_u8(buf + 32));
    vst4_u16((uint16_t *)buf, (uint16x4x4_t){{U16D(0), U16D(1), U16D(2), U16D(3)}});
    T("st4.4h", vld1q_u8(buf + 16));
    T("ld1.h[5]", vld1q_lane_u16((const uint16_t *)src[2], U16(0), 5));
    T("ld2.s[3]", vld2q_lane_u32((const uint32_t *)src[2], ((uint32x4x2_t){{U32(0), U32(1)}}), 3));
    T("ld4.b[6]", vld4_lane_u8(src[3], ((uint8x8x4_t){{U8D(0), U8D(1), U8D(2), U8D(0)}}), 6));
    T("ld3.d[1]", vld3q_lane_u64((const uint64_t *)src[3], ((uint64x2x3_t){{U64(0), U64(1), U64(2)}}), 1));
    memset(buf, 0, sizeof buf);
    vst3q_lane_u16((uint16_t *)buf, ((uint16x8x3_t){{U16(0), U16(1), U16(2)}}), 6);
    vst1q_lane_u64((uint64_t *)(buf + 8), U64(1), 1);
    vst2_lane_u8(buf + 16, ((uint8x8x2_t){{U8D(0), U8D(1)}}), 7);
    vst4q_lane_u32((uint32_t *)(buf + 20), ((uint32x4x4_t){{U32(0), U32(1), U32(2), U32(3)}}), 2);
    T("st lanes", vld1q_u8_x2(buf));
    T("ld1r.16b", vld1q_dup_u8(src[2] + 5));
    T("ld2r.8h", vld2q_dup_u16((const uint16_t *)src[2]));
    T("ld3r.2s", vld3_dup_u32((const uint32_t *)src[3]));
    T("ld4r.2d", vld4q_dup_u64((const uint64_t *)src[3]));
}

static void scalars(void)
{
    T("sqadd b", vqaddb_s8(X8(0), X8(1)));
    T("uqadd d", vqaddd_u64(X64(0), X64(1)));
    T("sqsub h", vqsubh_s16(X16(0), X16(1)));
    T("uqsub s", vqsubs_u32(X32(0), X32(1)));
    T("sshl d", vshld_s64(X64(0), (int8_t)X8(1) % 70));
    T("urshl d", vrshld_u64(X64(0), (int8_t)X8(1) % 70));
    T("uqshl b", vqshlb_u8(X8(0), (int8_t)X8(1) % 10));
    T("sqrshl s", vqrshls_s32(X32(0), (int8_t)X8(1) % 40));
    T("cmgt d", vcgtd_s64(X64(0), X64(1)));
    T("cmtst d", vtstd_u64(X64(0), X64(1)));
    T("sshr d #9", vshrd_n_s64(X64(0), 9));
    T("usra d #60", vsrad_n_u64(X64(1), X64(0), 60));
    T("srshr d #33", vrshrd_n_s64(X64(0), 33));
    T("sqshl b #3", vqshlb_n_s8(X8(0), 3));
    T("sqshlu s #5", vqshlus_n_s32(X32(0), 5));
    T("sqshrn s #7", vqshrnd_n_s64(X64(0), 7));
    T("uqrshrn b #2", vqrshrnh_n_u16(X16(0), 2));
    T("sqxtn h", vqmovns_s32(X32(0)));
    T("sqxtun s", vqmovund_s64(X64(0)));
    T("sqabs b", vqabsb_s8(X8(0)));
    T("sqneg d", vqnegd_s64(X64(0) | 0x8000000000000000ull));
    T("abs d", vabsd_s64(X64(0)));
    T("addp d", vpaddd_u64(U64(0)));
    T("sqdmulh s", vqdmulhs_s32(X32(0), X32(1)));
    T("sqrdmulh h", vqrdmulhh_s16(X16(0), X16(1)));
    T("sqdmull h", vqdmullh_s16(X16(0), X16(1)));
    T("sqdmlal s", vqdmlals_s32(X64(2), X32(0), X32(1)));
    T("sqdmulh h[5]", vqdmulhh_laneq_s16(X16(0), S16(1), 5));
    T("usqadd b", vsqaddb_u8(X8(0), X8(1)));
    T("suqadd d", vuqaddd_s64(X64(0), X64(1)));
    T("dup b[13]", vdupb_laneq_u8(U8(0), 13));
    T("sqdmull s[3]", vqdmulls_laneq_s32(X32(0), S32(1), 3));
}

static void crypto(void)
{
    T("aese", vaeseq_u8(U8(0), U8(1)));
    T("aesd", vaesdq_u8(U8(0), U8(1)));
    T("aesmc", vaesmcq_u8(U8(0)));
    T("aesimc", vaesimcq_u8(U8(0)));
    T("aese+aesmc", vaesmcq_u8(vaeseq_u8(U8(2), U8(3))));
    T("sha1c", vsha1cq_u32(U32(0), X32(1), U32(2)));
    T("sha1p", vsha1pq_u32(U32(0), X32(1), U32(2)));
    T("sha1m", vsha1mq_u32(U32(0), X32(1), U32(2)));
    T("sha1h", vsha1h_u32(X32(0)));
    T("sha1su0", vsha1su0q_u32(U32(0), U32(1), U32(2)));
    T("sha1su1", vsha1su1q_u32(U32(0), U32(1)));
    T("sha256h", vsha256hq_u32(U32(0), U32(1), U32(2)));
    T("sha256h2", vsha256h2q_u32(U32(0), U32(1), U32(2)));
    T("sha256su0", vsha256su0q_u32(U32(0), U32(1)));
    T("sha256su1", vsha256su1q_u32(U32(0), U32(1), U32(2)));
    T("pmull.1q", vmull_p64(X64(0), X64(1)));
    T("pmull2.1q", vmull_high_p64(vreinterpretq_p64_u8(U8(0)), vreinterpretq_p64_u8(U8(1))));
    T("crc32b", __crc32b(X32(0), X8(1)));
    T("crc32h", __crc32h(X32(0), X16(1)));
    T("crc32w", __crc32w(X32(0), X32(1)));
    T("crc32x", __crc32d(X32(0), X64(1)));
    T("crc32cb", __crc32cb(X32(0), X8(1)));
    T("crc32ch", __crc32ch(X32(0), X16(1)));
    T("crc32cw", __crc32cw(X32(0), X32(1)));
    T("crc32cx", __crc32cd(X32(0), X64(1)));
}

int main(void)
{
    for (unsigned round = 0; round < 3; round++) {
        fill(round);
        for (int i = 0; i < 16; i++)
            shifts[i] = (int8_t)(src[3][i] % 41) - 20 + (i == 3 ? 100 : 0);
        printf("round %u\n", round);
        three_same();
        three_different();
        two_misc();
        across();
        shift_immediate();
        by_element();
        copies_and_tables();
        structures();
        scalars();
        crypto();
    }
    return 0;
}
