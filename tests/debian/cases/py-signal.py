import os, signal, time
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append("usr1"))
os.kill(os.getpid(), signal.SIGUSR1)
print("kill", got)
signal.signal(signal.SIGALRM, lambda s, f: got.append("alrm"))
signal.setitimer(signal.ITIMER_REAL, 0.05)
n = 0
while "alrm" not in got: n += 1
print("busy loop interrupted", got)
class Timeout(Exception): pass
def raise_timeout(s, f): raise Timeout()
signal.signal(signal.SIGALRM, raise_timeout)
signal.setitimer(signal.ITIMER_REAL, 0.05)
try:
    time.sleep(5); print("slept")
except Timeout:
    print("sleep interrupted by Timeout")
r, w = os.pipe()
signal.signal(signal.SIGALRM, lambda s, f: os.write(w, b"x"))
signal.setitimer(signal.ITIMER_REAL, 0.05)
print("read after handler", os.read(r, 1))
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
os.kill(os.getpid(), signal.SIGUSR2)
print("pending", signal.SIGUSR2 in signal.sigpending())
print("sigwait", signal.sigwait({signal.SIGUSR2}) == signal.SIGUSR2)
