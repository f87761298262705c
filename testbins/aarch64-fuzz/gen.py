"""Random encodings of the integer Advanced SIMD, crypto and CRC32 classes
(the decoder lines of simd_int.rs, simd.rs's copies and crypto.rs), with
registers limited to 0..7; objdump drops the unallocated and the
floating-point ones. Writes OUT/insns.S (each instruction between a load
and a dump of v0-v7, x0-x7, FPSR, x8 and the 64-byte buffer x8
points at for the structure loads and stores) and OUT/names.txt.

Usage: gen.py SEED COUNT OUTDIR (run.sh drives it)."""
import os, random, subprocess, sys, struct
random.seed(int(sys.argv[1]))
OUT = sys.argv[3]
pats = """0qu01110ss1mmmmm0oooo1nnnnnddddd
0qu01110ss1mmmmm10ooo1nnnnnddddd
01u11110ss1mmmmm0oooo1nnnnnddddd
01u11110ss1mmmmm10ooo1nnnnnddddd
0qu01110ss1mmmmmoooo00nnnnnddddd
01u11110ss1mmmmmoooo00nnnnnddddd
0qu01110ss1000000ooo10nnnnnddddd
0qu01110ss10000010oo10nnnnnddddd
0qu01110ss10000100oo10nnnnnddddd
0qu01110ss100001010010nnnnnddddd
01u11110ss1000000ooo10nnnnnddddd
01u11110ss10000010oo10nnnnnddddd
01u11110ss10000100oo10nnnnnddddd
01u11110ss100001010010nnnnnddddd
0qu01110ss11000oo01o10nnnnnddddd
01011110ss110001101110nnnnnddddd
0qu011110iiiiiii0oooo1nnnnnddddd
0qu011110iiiiiii10ooo1nnnnnddddd
01u111110iiiiiii0oooo1nnnnnddddd
01u111110iiiiiii10ooo1nnnnnddddd
0qu01111sslkmmmmooo0h0nnnnnddddd
0qu01111sslkmmmmoo11h0nnnnnddddd
0qu01111sslkmmmm1101h0nnnnnddddd
01u11111sslkmmmmooo0h0nnnnnddddd
01u11111sslkmmmmoo11h0nnnnnddddd
01u11111sslkmmmm1101h0nnnnnddddd
0q001110ss0mmmmm0ooo10nnnnnddddd
0q101110000mmmmm0iiii0nnnnnddddd
0q001110000mmmmm0llo00nnnnnddddd
0q001110000iiiii001111nnnnnddddd
0q001110000iiiii001011nnnnnddddd
01001110000iiiii000111nnnnnddddd
01101110000iiiii0jjjj1nnnnnddddd
0q001110000iiiii000001nnnnnddddd
01011110000iiiii000001nnnnnddddd
0q001110000iiiii000011nnnnnddddd
010011100010100001oo10nnnnnddddd
01011110000mmmmm0ooo00nnnnnddddd
010111100010100ooooo10nnnnnddddd
z0011010110mmmmm010cssnnnnnddddd
0qo0111100000aaacccc01fffffddddd""".split()
# Structure loads and stores: base x8 (the scratch buffer), Rt 0..4.
ldst = """0q0011000l000000oooossnnnnnttttt
0q0011001l0mmmmmoooossnnnnnttttt
0q0011010lr00000ooozssnnnnnttttt
0q0011011lrmmmmmooozssnnnnnttttt""".split()
pats += ldst
words = []
for _ in range(int(sys.argv[2])):
    p = random.choice(pats)
    w = 0
    for i, c in enumerate(p):
        bit = 31 - i
        if c == '1': w |= 1 << bit
        elif c == '0': pass
        else: w |= random.getrandbits(1) << bit
    if p in ldst:
        w = (w & ~0x3ff) | 8 << 5 | random.randrange(5)
        if 'mmmmm' in p:
            w = (w & ~(31 << 16)) | random.choice([0, 1, 2, 31, 31, 31]) << 16
        words.append(w)
        continue
    # registers 0..7 (Rd, Rn, Rm's low bits); tbl needs n..n+3 <= 7
    w &= ~((0x18) | (0x18 << 5))
    if p.startswith('0q001110000mmmmm0llo00'):
        w &= ~(0x1f << 5)
    if 'mmmmm' in p:
        w &= ~(0x18 << 16)
    words.append(w)
open(os.path.join(OUT, 'words.bin'), 'wb').write(b''.join(struct.pack('<I', w) for w in words))
dis = subprocess.run(['aarch64-linux-gnu-objdump','-D','-b','binary','-maarch64',os.path.join(OUT, 'words.bin')],capture_output=True,text=True).stdout
ok = []
bad_mn = ('.inst', 'undefined', 'sdot', 'udot', 'sqrdmlah', 'sqrdmlsh', 'fmlal', 'fmlsl', 'usdot', 'sudot', 'bfdot', 'bfmlal', 'smmla', 'ummla', 'usmmla', 'bfmmla', 'bfcvtn', 'eor3', 'bcax', 'xar', 'rax1', 'sha512', 'sm3', 'sm4', 'fcm', 'fabs', 'fneg', 'fmax', 'fmin', 'fadd', 'fmul', 'fcvt', 'frint', 'scvtf', 'ucvtf', 'frecpe', 'frsqrte', 'urecpe', 'ursqrte', 'fsqrt', 'fmov', 'fdiv', 'fsub', 'fabd', 'facg', 'frecps', 'frsqrts', 'fmla', 'fmls', 'fcadd', 'fcmla', 'sqrdcmlah', 'cdot')
for line in dis.splitlines():
    parts = line.split('\t')
    if len(parts) >= 3 and parts[0].strip().endswith(':'):
        mn = parts[2].split()[0] if parts[2].split() else ''
        if any(mn.startswith(b) for b in bad_mn): continue
        ok.append((int(parts[1].strip(), 16), parts[2].strip() + ' ' + (parts[3].strip() if len(parts) > 3 else '')))
with open(os.path.join(OUT, 'insns.S'), 'w') as f:
    f.write('.text\n.global run_all\nrun_all:\n stp x29, x30, [sp, #-96]!\n stp x19, x20, [sp, #16]\n stp x21, x22, [sp, #32]\n mov x19, x0\n mov x20, x1\n')
    for w, txt in ok:
        f.write(' bl load_state\n .inst 0x%08x // %s\n bl save_state\n' % (w, txt))
    f.write(' ldp x19, x20, [sp, #16]\n ldp x21, x22, [sp, #32]\n ldp x29, x30, [sp], #96\n ret\n')
    f.write('''load_state:
 mov x21, x19
 ld1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x21], #64
 ld1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x21], #64
 ldp x0, x1, [x21], #16
 ldp x2, x3, [x21], #16
 ldp x4, x5, [x21], #16
 ldp x6, x7, [x21], #16
 ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x21]
 adrp x8, scratch
 add x8, x8, :lo12:scratch
 st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x8]
 msr fpsr, xzr
 ret
save_state:
 st1 {v0.16b, v1.16b, v2.16b, v3.16b}, [x20], #64
 st1 {v4.16b, v5.16b, v6.16b, v7.16b}, [x20], #64
 stp x0, x1, [x20], #16
 stp x2, x3, [x20], #16
 stp x4, x5, [x20], #16
 stp x6, x7, [x20], #16
 mrs x21, fpsr
 str x21, [x20], #8
 str x8, [x20], #8
 adrp x21, scratch
 add x21, x21, :lo12:scratch
 ld1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x21]
 st1 {v16.16b, v17.16b, v18.16b, v19.16b}, [x20], #64
 ret
.bss
.balign 16
scratch:
 .skip 64
''')
with open(os.path.join(OUT, 'names.txt'), 'w') as f:
    for w, txt in ok: f.write('%08x %s\n' % (w, txt))
print(len(ok), 'instructions')
