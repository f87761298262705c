/* A switch-dispatch bytecode interpreter (a small stack machine) running a
 * program with nested loops, arithmetic, a call and memory access: the shape
 * of the dispatch loop of python/lua.  Usage: interp [scale] (default 100). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, MOD, XOR, SHL, DUP, POP, JMP, JNZ, JLT,
       CALL, RET, LDM, STM, HALT };

typedef struct { uint8_t op; int32_t arg; } Insn;

static int64_t run(const Insn *code, int64_t *vars, int64_t *mem) {
    int64_t stack[256]; int sp = 0;
    int rstack[64]; int rsp = 0;
    int pc = 0;
    for (;;) {
        Insn in = code[pc++];
        switch (in.op) {
        case PUSH: stack[sp++] = in.arg; break;
        case LOAD: stack[sp++] = vars[in.arg]; break;
        case STORE: vars[in.arg] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case MOD: sp--; stack[sp - 1] %= stack[sp]; break;
        case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case SHL: sp--; stack[sp - 1] <<= (stack[sp] & 63); break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case POP: sp--; break;
        case JMP: pc = in.arg; break;
        case JNZ: if (stack[--sp]) pc = in.arg; break;
        case JLT: sp -= 2; if (stack[sp] < stack[sp + 1]) pc = in.arg; break;
        case CALL: rstack[rsp++] = pc; pc = in.arg; break;
        case RET: pc = rstack[--rsp]; break;
        case LDM: stack[sp - 1] = mem[stack[sp - 1] & 1023]; break;
        case STM: sp -= 2; mem[stack[sp + 1] & 1023] = stack[sp]; break;
        case HALT: return vars[0];
        default: abort();
        }
    }
}

int main(int argc, char **argv) {
    long scale = argc > 1 ? atol(argv[1]) : 100;
    /* vars: 0 acc, 1 i, 2 j, 3 n_outer, 4 n_inner */
    Insn prog[] = {
        /* 0 */ {PUSH, 0}, {STORE, 1},                   /* i = 0 */
        /* 2 outer: */ {PUSH, 0}, {STORE, 2},            /* j = 0 */
        /* 4 inner: */ {LOAD, 0}, {LOAD, 2}, {CALL, 30}, {ADD, 0}, {STORE, 0},
        /* 9 */ {LOAD, 0}, {LOAD, 2}, {STM, 0},         /* mem[j] = acc */
        /* 12 */ {LOAD, 2}, {PUSH, 1}, {ADD, 0}, {DUP, 0}, {STORE, 2},
        /* 17 */ {LOAD, 4}, {JLT, 4},                   /* if j < n_inner goto inner */
        /* 19 */ {LOAD, 1}, {PUSH, 1}, {ADD, 0}, {DUP, 0}, {STORE, 1},
        /* 24 */ {LOAD, 3}, {JLT, 2},                   /* if i < n_outer goto outer */
        /* 26 */ {HALT, 0}, {HALT, 0}, {HALT, 0}, {HALT, 0},
        /* 30 f: [j] -> [j + (((j*j) ^ mem[j+7]) % 1000003 << 3)] */
        {DUP, 0}, {DUP, 0}, {MUL, 0}, {PUSH, 7}, {LOAD, 2}, {ADD, 0}, {LDM, 0}, {XOR, 0},
        {PUSH, 1000003}, {MOD, 0}, {PUSH, 1}, {JNZ, 43}, {POP, 0},
        /* 43 */ {PUSH, 3}, {SHL, 0}, {ADD, 0}, {PUSH, 0}, {JNZ, 0}, {RET, 0},
    };
    int64_t vars[8] = {1, 0, 0, 0, 0};
    int64_t *mem = calloc(1024, sizeof(int64_t));
    vars[3] = 52 * scale;
    vars[4] = 1000;
    int64_t r = run(prog, vars, mem);
    uint64_t chk = 0;
    for (int i = 0; i < 1024; i++) chk = chk * 1000003u + (uint64_t)mem[i];
    printf("interp acc=%lld mem=%016llx\n", (long long)r, (unsigned long long)chk);
    free(mem);
    return 0;
}
