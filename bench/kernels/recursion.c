/* Deep recursion: naive fib, ackermann(2,n)/(3,n), and a recursive tree
 * build/walk.  Call/return heavy.  Usage: recursion [scale] (default 100). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

__attribute__((noinline)) static long ack(long m, long n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

typedef struct Node { struct Node *l, *r; long v; } Node;

static Node *build(int depth, long v) {
    Node *n = malloc(sizeof *n);
    n->v = v;
    n->l = depth ? build(depth - 1, 2 * v) : NULL;
    n->r = depth ? build(depth - 1, 2 * v + 1) : NULL;
    return n;
}
static long walk(const Node *n) { return n ? (n->v ^ walk(n->l)) + walk(n->r) : 0; }
static void destroy(Node *n) { if (n) { destroy(n->l); destroy(n->r); free(n); } }

int main(int argc, char **argv) {
    long scale = argc > 1 ? atol(argv[1]) : 100;
    long f = 0;
    int fn = 25;
    for (long i = 0; i < scale / 2 + 1; i++) f += fib(fn);
    long a = 0;
    for (long i = 0; i < scale + 1; i++) a += ack(2, 1000 + i) + ack(3, 5);
    long a3 = ack(3, scale >= 100 ? 9 : 5);
    long t = 0;
    for (long i = 0; i < scale / 8 + 1; i++) {
        Node *root = build(16, i + 1);
        t += walk(root);
        destroy(root);
    }
    printf("recursion fib(%d)=%ld ack=%ld ack3=%ld tree=%ld\n", fn, f, a, a3, t);
    return 0;
}
