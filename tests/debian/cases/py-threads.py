import threading, concurrent.futures, queue
def f(n): return sum(i * i for i in range(n))
with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
    print("pool", sum(ex.map(f, range(100))))
q, out = queue.Queue(maxsize=4), []
def prod():
    for i in range(500): q.put(i)
    q.put(None)
def cons():
    s = 0
    while (x := q.get()) is not None: s += x
    out.append(s)
ts = [threading.Thread(target=prod), threading.Thread(target=cons)]
for t in ts: t.start()
for t in ts: t.join()
print("queue", out)
lock, c = threading.Lock(), [0]
def inc():
    for _ in range(5000):
        with lock: c[0] += 1
ts = [threading.Thread(target=inc) for _ in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print("lock", c[0], "alive", threading.active_count())
b = threading.Barrier(4); seen = []
def at_barrier(i):
    b.wait(); seen.append(i)
ts = [threading.Thread(target=at_barrier, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("barrier", sorted(seen))
