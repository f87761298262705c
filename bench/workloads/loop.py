# Pure-Python workload: integer loops, function calls, a dict, a list sort,
# string building.  Same output on CPython 3.11 and 3.13.
# Usage: python3 loop.py [scale] (default 100)
import sys

def collatz_len(n, cache):
    steps = 0
    m = n
    while m != 1 and m >= n:
        m = m // 2 if m % 2 == 0 else 3 * m + 1
        steps += 1
    return steps + (cache[m] if m < n else 0)

def main():
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    n = 4800 * scale
    cache = [0] * (n + 1)
    best = 0
    for i in range(2, n + 1):
        c = collatz_len(i, cache)
        cache[i] = c
        if c > best:
            best = c
    words = {}
    for i in range(1200 * scale):
        k = "w%d" % ((i * 7919) % 5003)
        words[k] = words.get(k, 0) + i % 7
    top = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    acc = 0
    for i in range(1600 * scale):
        acc = (acc * 31 + (i ^ (i >> 3))) % 1000000007
    s = "".join(str(i % 10) for i in range(200 * scale))
    print("python best=%d top=%s acc=%d len=%d" % (best, top, acc, len(s)))

main()
