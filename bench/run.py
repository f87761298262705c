#!/usr/bin/env python3
"""emu benchmark runner: every workload natively, under qemu-ARCH and under
emu-ARCH (ARCH = riscv64 by default, or aarch64 with --arch aarch64), side by
side, with medians, ratios and geometric means.

    bench/run.py                     # full run, 5 repetitions
    bench/run.py --quick             # smoke run: 1 repetition, small sizes
    bench/run.py -n 3 --only kernel  # 3 repetitions, workloads matching 'kernel'
    bench/run.py --emu-opts='-accel jit'

See bench/README.md.  Exit status: 0 if every run succeeded and every output
check passed, 1 otherwise (a table is still printed and written).
"""

import argparse
import datetime
import fcntl
import hashlib
import json
import math
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
WORK = os.path.join(BENCH, "work")
RESULTS = os.path.join(BENCH, "results")

# Host programs for the native column.  Absolute /usr/bin paths on purpose:
# a python3 on PATH may be a pyenv shim that adds 100 ms to every start.
NATIVE = {
    "python3": "/usr/bin/python3",
    "lua5.4": "/usr/bin/lua5.4",
    "xz": "/usr/bin/xz",
    "gzip": "/usr/bin/gzip",
    "sqlite3": "/usr/bin/sqlite3",
    "sha256sum": "/usr/bin/sha256sum",
}

# Guest architectures: emulator suffix -> (Debian architecture, gcc triplet).
ARCHES = {
    "riscv64": ("riscv64", "riscv64-linux-gnu"),
    "aarch64": ("arm64", "aarch64-linux-gnu"),
}

KERNELS = ["intmath", "fpmath", "interp", "recursion", "memstr", "sort", "hash"]

# Sizes: (full, quick).  Full sizes run ~0.2-0.5 s natively on a 2020s x86-64.
SIZES = {
    "kernel_scale": ("100", "5"),
    "py_scale": ("100", "5"),
    "lua_scale": ("100", "5"),
    "sql_rows": (100000, 3000),
    "xz_bytes": (512 << 10, 32 << 10),
    "gz_bytes": (8 << 20, 256 << 10),
    "sha_bytes": (32 << 20, 1 << 20),
}


class Workload:
    def __init__(self, name, guest, native, dyn, stdin=None, verify="same", note=""):
        self.name = name
        self.guest = guest      # argv for the guest program (host paths)
        self.native = native    # argv for the x86-64 program, or None
        self.dyn = dyn          # needs -L ROOT
        self.stdin = stdin      # file name in WORK, or None
        self.verify = verify    # "same" | "xz" | "gzip"
        self.note = note


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log("run.py: ERROR: " + msg)
    sys.exit(2)


# ---------------------------------------------------------------- inputs
def gen_text(size, seed):
    """Deterministic, compressible, text-like bytes (independent of the
    Python version: only integer arithmetic)."""
    words = ["the", "emu", "riscv", "qemu", "translator", "block", "guest", "host",
             "register", "memory", "branch", None, "benchmark", "linux", "syscall",
             "page", "cache", "jit", "interp", "vector"]
    x = seed
    out = []
    n = 0
    mask = (1 << 64) - 1
    while n < size:
        x = (x * 6364136223846793005 + 1442695040888963407) & mask
        w = words[(x >> 33) % len(words)]
        if w is None:
            w = "0x%08x" % ((x >> 20) & 0xFFFFFFFF)
        w += "\n" if (x >> 40) % 11 == 0 else " "
        out.append(w)
        n += len(w)
    return "".join(out).encode()[:size]


def ensure_file(name, size, seed):
    path = os.path.join(WORK, name)
    if os.path.exists(path) and os.path.getsize(path) == size:
        return name
    write_atomic(path, gen_text(size, seed))
    return name


def write_atomic(path, data):
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def prepare_inputs(quick):
    i = 1 if quick else 0
    os.makedirs(WORK, exist_ok=True)
    for f in ("loop.py", "loop.lua"):
        with open(os.path.join(BENCH, "workloads", f), "rb") as src:
            write_atomic(os.path.join(WORK, f), src.read())
    rows = SIZES["sql_rows"][i]
    with open(os.path.join(BENCH, "workloads", "query.sql"), "rb") as f:
        sql = f.read()
    query = "query-%d.sql" % rows
    write_atomic(os.path.join(WORK, query),
                 b"CREATE TABLE params(n INTEGER);\nINSERT INTO params VALUES(%d);\n" % rows + sql)
    xz_in = ensure_file("xz-%d.txt" % SIZES["xz_bytes"][i], SIZES["xz_bytes"][i], 1)
    gz_in = ensure_file("gz-%d.txt" % SIZES["gz_bytes"][i], SIZES["gz_bytes"][i], 2)
    sha_in = ensure_file("sha-%d.txt" % SIZES["sha_bytes"][i], SIZES["sha_bytes"][i], 3)
    return xz_in, gz_in, sha_in, query


def workloads(arch, root, quick):
    i = 1 if quick else 0
    xz_in, gz_in, sha_in, query = prepare_inputs(quick)
    ks = SIZES["kernel_scale"][i]
    ws = []
    for k in KERNELS:
        ws.append(Workload("kernel/" + k, [os.path.join(BENCH, "bin", arch, k), ks],
                           [os.path.join(BENCH, "bin", "x86_64", k), ks], dyn=False))
    g = lambda p: os.path.join(root, "usr", "bin", p)
    ws += [
        Workload("python3 loop.py", [g("python3"), "loop.py", SIZES["py_scale"][i]],
                 [NATIVE["python3"], "loop.py", SIZES["py_scale"][i]], dyn=True,
                 note="python"),
        Workload("python3 -c pass", [g("python3"), "-c", "pass"],
                 [NATIVE["python3"], "-c", "pass"], dyn=True, note="python"),
        Workload("lua5.4 loop.lua", [g("lua5.4"), "loop.lua", SIZES["lua_scale"][i]],
                 [NATIVE["lua5.4"], "loop.lua", SIZES["lua_scale"][i]], dyn=True,
                 note="lua5.4"),
        Workload("xz -6 (%s)" % human(SIZES["xz_bytes"][i]), [g("xz"), "-6", "-T1", "-c", xz_in],
                 [NATIVE["xz"], "-6", "-T1", "-c", xz_in], dyn=True, verify="xz", note="xz"),
        Workload("gzip -6 (%s)" % human(SIZES["gz_bytes"][i]), [g("gzip"), "-6", "-c", gz_in],
                 [NATIVE["gzip"], "-6", "-c", gz_in], dyn=True, verify="gzip", note="gzip"),
        Workload("sqlite3 query.sql", [g("sqlite3"), ":memory:"],
                 [NATIVE["sqlite3"], ":memory:"], dyn=True, stdin=query, note="sqlite3"),
        Workload("sha256sum (%s)" % human(SIZES["sha_bytes"][i]), [g("sha256sum"), sha_in],
                 [NATIVE["sha256sum"], sha_in], dyn=True, note="sha256sum"),
    ]
    return ws


def human(n):
    for unit, s in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= s and n % s == 0:
            return "%d %s" % (n // s, unit)
    return "%d B" % n


# ---------------------------------------------------------------- running
ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C",
    "LC_ALL": "C",
    "HOME": WORK,           # no ~/.sqliterc etc.
    "PYTHONHASHSEED": "0",
    "TZ": "UTC",
}


class RunError(Exception):
    pass


def run_once(argv, stdin, out_path, timeout):
    """Run argv in WORK with stdout to out_path; return (wall, cpu) seconds,
    cpu being user+sys of the child and its threads/children."""
    fin = open(os.path.join(WORK, stdin), "rb") if stdin else subprocess.DEVNULL
    try:
        with open(out_path, "wb") as fout:
            ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            try:
                p = subprocess.run(argv, cwd=WORK, env=ENV, stdin=fin, stdout=fout,
                                   stderr=subprocess.PIPE, timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RunError("timed out after %d s" % timeout)
            except OSError as e:
                raise RunError("cannot run: %s" % e)
            dt = time.perf_counter() - t0
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        if stdin:
            fin.close()
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise RunError("exit status %d%s" % (p.returncode,
                       (": " + " | ".join(err)) if err else ""))
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return dt, cpu


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def roundtrip_ok(kind, out_path, input_name):
    """Decompress out_path with the host tool and compare with the input."""
    tool = {"xz": [NATIVE["xz"], "-dc"], "gzip": [NATIVE["gzip"], "-dc"]}[kind]
    with open(out_path, "rb") as f:
        p = subprocess.run(tool, stdin=f, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        return False
    with open(os.path.join(WORK, input_name), "rb") as f:
        return p.stdout == f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--reps", type=int, default=None,
                    help="timed repetitions per workload and runner (default 5, quick 1)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 1 repetition, small sizes, no warm-up")
    ap.add_argument("--arch", choices=sorted(ARCHES), default="riscv64",
                    help="guest architecture (default riscv64)")
    ap.add_argument("--emu", default=os.environ.get("EMU_BENCH_EMU"),
                    help="emu-ARCH binary [EMU_BENCH_EMU]; default: "
                         "target/release/emu-ARCH, built first with cargo build --release")
    ap.add_argument("--emu-opts", default=os.environ.get("EMU_BENCH_OPTS", ""),
                    help="extra emu options, e.g. '-accel jit' [EMU_BENCH_OPTS]")
    ap.add_argument("--qemu", default=os.environ.get("EMU_BENCH_QEMU"),
                    help="qemu-ARCH binary [EMU_BENCH_QEMU]")
    ap.add_argument("--root", default=os.environ.get("EMU_BENCH_ROOT"),
                    help="Debian root of the guest architecture [EMU_BENCH_ROOT]; default "
                         ".cache/bench-DEBARCH/root, made by bench/fetch-root.sh")
    ap.add_argument("--only", action="append", default=[],
                    help="run only workloads whose name contains this (repeatable)")
    ap.add_argument("--no-native", action="store_true", help="skip the native column")
    ap.add_argument("--no-qemu", action="store_true", help="skip the qemu column")
    ap.add_argument("--no-build", action="store_true",
                    help="do not run cargo build / build.sh / fetch-root.sh")
    ap.add_argument("--no-warmup", action="store_true",
                    help="skip the untimed native+qemu warm-up run of each workload")
    ap.add_argument("--label", default="",
                    help="free text describing the emu build, written into the report")
    ap.add_argument("--timeout", type=int, default=1200, help="per-run limit in seconds")
    ap.add_argument("--out", default=None,
                    help="markdown result file (default bench/results/latest.md, "
                         "latest-aarch64.md for aarch64); raw times go next to it as .json")
    args = ap.parse_args()
    arch = args.arch
    debarch, triplet = ARCHES[arch]
    args.qemu = args.qemu or "qemu-" + arch
    if args.out is None:
        args.out = os.path.join(RESULTS, "latest.md" if arch == "riscv64" else
                                "latest-%s.md" % arch)
    reps = args.reps if args.reps is not None else (1 if args.quick else 5)
    if reps < 1:
        die("--reps must be >= 1")
    warmup = not (args.no_warmup or args.quick)
    command = " ".join(shlex.quote(a) for a in [os.path.relpath(sys.argv[0], REPO)] + sys.argv[1:])
    env_cmd = "".join("%s=%s " % (k, shlex.quote(os.environ[k]))
                      for k in ("EMU_BENCH_EMU", "EMU_BENCH_OPTS", "EMU_BENCH_QEMU", "EMU_BENCH_ROOT")
                      if os.environ.get(k))

    # One benchmark run at a time on this machine: two concurrent runs (or
    # anything else busy) distort each other's timings.  Outputs go to a
    # private directory, so even a forced concurrent run cannot mix outputs.
    os.makedirs(WORK, exist_ok=True)
    lockf = open(os.path.join(WORK, ".lock"), "a+")
    try:
        fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lockf.seek(0)
        log("run.py: waiting for another bench/run.py (%s) to finish: concurrent runs "
            "distort each other's timings" % (lockf.read().strip() or "?"))
        fcntl.flock(lockf, fcntl.LOCK_EX)
    lockf.seek(0)
    lockf.truncate()
    lockf.write("pid %d" % os.getpid())
    lockf.flush()
    # -------- prerequisites
    root = args.root or os.path.join(REPO, ".cache", "bench-" + debarch, "root")
    if not args.no_build:
        if not args.root:
            subprocess.run([os.path.join(BENCH, "fetch-root.sh"), root], check=True,
                           env=dict(os.environ, EMU_DEBIAN_ARCH=debarch))
        subprocess.run([os.path.join(BENCH, "build.sh"), arch], check=True)
        if not args.emu:
            log("run.py: cargo build --release")
            subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    emu = args.emu or os.path.join(REPO, "target", "release", "emu-" + arch)
    emu = shutil.which(emu) or emu
    if not os.access(emu, os.X_OK):
        die("emu binary not found: %s" % emu)
    qemu = shutil.which(args.qemu) if not args.no_qemu else None
    if not args.no_qemu and not qemu:
        die("%s not found (scripts/install-deps.sh installs qemu-user 10; or --no-qemu)" % args.qemu)
    for f in ("usr/bin/python3", "usr/bin/xz", "usr/bin/sha256sum"):
        if not os.path.exists(os.path.join(root, f)):
            die("%s root incomplete at %s (missing %s): run bench/fetch-root.sh" % (debarch, root, f))
    for k in KERNELS:
        for a in (arch, "x86_64"):
            if not os.path.exists(os.path.join(BENCH, "bin", a, k)):
                die("kernel %s/%s not built: run bench/build.sh %s" % (a, k, arch))
    emu_opts = shlex.split(args.emu_opts)

    ws = workloads(arch, root, args.quick)
    if args.only:
        ws = [w for w in ws if any(o in w.name for o in args.only)]
        if not ws:
            die("no workload matches --only %s" % args.only)

    runners = []
    if not args.no_native:
        runners.append("native")
    if qemu:
        runners.append("qemu")
    runners.append("emu")

    def argv_for(w, runner):
        if runner == "native":
            if not w.native or not os.path.exists(w.native[0]):
                return None
            return w.native
        pre = [qemu] if runner == "qemu" else [emu] + emu_opts
        if w.dyn:
            pre += ["-L", root]
        return pre + w.guest

    # -------- versions for the report
    info = host_info(arch, emu, emu_opts, qemu, root)
    info["label"] = args.label
    info["emu_built_here"] = not args.emu
    log("run.py: %d workloads x %s x %d reps%s" % (len(ws), "/".join(runners), reps,
                                                  " (+1 warm-up)" if warmup else ""))
    outdir = tempfile.mkdtemp(prefix="out-", dir=WORK)
    info["loadavg_start"] = loadavg()
    if float(info["loadavg_start"].split()[0]) > 1.0:
        log("run.py: WARNING: load average %s: something else is running; "
            "timings will be distorted" % info["loadavg_start"])

    results = []   # per workload dict
    problems = []
    t_start = time.time()
    for w in ws:
        r = {"name": w.name, "times": {x: [] for x in runners},
             "cpu": {x: [] for x in runners}, "error": {},
             "mismatch": [], "skipped": []}
        outs = {}  # runner -> list of output digests
        heads = {}  # (runner, rep) -> first bytes of the output
        for x in runners:
            if argv_for(w, x) is None:
                r["skipped"].append(x)
        active = [x for x in runners if x not in r["skipped"]]
        if warmup:
            for x in ("native", "qemu"):
                if x in active:
                    try:
                        run_once(argv_for(w, x), w.stdin, os.path.join(outdir, "warmup"), args.timeout)
                    except RunError:
                        pass  # reported by the timed runs
        for rep in range(reps):
            for x in active:
                if x in r["error"]:
                    continue
                out_path = os.path.join(outdir, "%s.%d" % (x, rep))
                try:
                    dt, cpu = run_once(argv_for(w, x), w.stdin, out_path, args.timeout)
                except RunError as e:
                    r["error"][x] = str(e)
                    problems.append("%s: %s: %s" % (w.name, x, e))
                    log("run.py: FAILED %s under %s: %s" % (w.name, x, e))
                    continue
                r["times"][x].append(dt)
                r["cpu"][x].append(cpu)
                if w.verify in ("xz", "gzip") and not roundtrip_ok(w.verify, out_path, w.guest[-1]):
                    m = "%s output (rep %d) does not decompress to the input" % (x, rep + 1)
                    r["mismatch"].append(m)
                outs.setdefault(x, []).append(digest(out_path))
                with open(out_path, "rb") as f:
                    heads[(x, rep)] = f.read(160)
                if w.verify == "same" and rep == 0 and x == active[0]:
                    with open(out_path, "rb") as f:
                        r["sample"] = f.read(300).decode(errors="replace").strip()
        # Output checks.  "same": every run of every runner prints the same
        # bytes.  xz/gzip: qemu and emu run the same guest binary, so their
        # compressed bytes must be identical; the host's (other version) output
        # is checked by the round trip above.
        groups = [x for x in outs if w.verify == "same" or x != "native"]
        ref = None
        for x in groups:
            for i, d in enumerate(outs[x]):
                if ref is None:
                    ref = (x, d)
                elif d != ref[1]:
                    r["mismatch"].append("%s rep %d output differs from %s rep 1: %r vs %r" % (
                        x, i + 1, ref[0], heads.get((x, i), b"")[:80], heads.get((ref[0], 0), b"")[:80]))
        for m in r["mismatch"]:
            problems.append("%s: OUTPUT MISMATCH: %s" % (w.name, m))
            log("run.py: !!! OUTPUT MISMATCH in %s: %s" % (w.name, m))
        med = {x: statistics.median(r["times"][x]) for x in runners if r["times"][x]}
        r["median"] = med
        log("run.py: %-22s %s" % (w.name, "  ".join("%s %.3fs" % (x, med[x]) for x in med)))
        results.append(r)
    elapsed = time.time() - t_start
    info["loadavg_end"] = loadavg()
    if problems:
        log("run.py: outputs kept in %s" % os.path.relpath(outdir, REPO))
    else:
        shutil.rmtree(outdir, ignore_errors=True)

    table = render(results, runners, info, reps, warmup, env_cmd + command, elapsed, args, problems)
    print(table)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(table)
    raw = os.path.splitext(args.out)[0] + ".json"
    with open(raw, "w") as f:
        json.dump({"info": info, "command": env_cmd + command, "reps": reps,
                   "results": results}, f, indent=1)
    log("run.py: wrote %s and %s" % (os.path.relpath(args.out, REPO), os.path.relpath(raw, REPO)))
    if problems:
        log("run.py: %d PROBLEM(S):" % len(problems))
        for p in problems:
            log("  " + p)
        sys.exit(1)


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "0 0 0"


def busy_ratio(results):
    """Median over runs of >= 0.2 s of wall/cpu for single-threaded work:
    about 1.0 on an idle machine, higher when other processes took the CPU."""
    rs = []
    for r in results:
        for x, ts in r["times"].items():
            for t, c in zip(ts, r["cpu"][x]):
                if t >= 0.2 and c > 0:
                    rs.append(t / c)
    return statistics.median(rs) if rs else None


def cmd_out(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        return p.stdout.decode(errors="replace").strip()
    except Exception:
        return "?"


def host_info(arch, emu, emu_opts, qemu, root):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    stamp = os.path.join(root, ".emu-debian-stamp")  # written by tests/debian/fetch.sh
    pkgs = {}
    if os.path.exists(stamp):
        with open(stamp) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] in ("python3.13", "lua5.4", "xz-utils",
                                                   "gzip", "sqlite3", "coreutils", "libc6"):
                    pkgs[parts[0]] = parts[1]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "kernel": platform.release(),
        "emu": emu, "emu_opts": " ".join(emu_opts),
        "emu_version": cmd_out([emu, "-version"]).splitlines()[0] if os.path.exists(emu) else "?",
        "git": cmd_out(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(cmd_out(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"])),
        "qemu": (cmd_out([qemu, "--version"]).splitlines() or ["?"])[0] if qemu else "-",
        "arch": arch,
        "gcc": "%s-gcc %s / gcc %s" % (ARCHES[arch][1],
                                       cmd_out([ARCHES[arch][1] + "-gcc", "-dumpfullversion"]),
                                       cmd_out(["gcc", "-dumpfullversion"])),
        "guest_pkgs": pkgs,
        "native_versions": {
            "python3": cmd_out([NATIVE["python3"], "--version"]),
            "lua5.4": cmd_out([NATIVE["lua5.4"], "-v"]).split("  ")[0],
            "xz": cmd_out([NATIVE["xz"], "--version"]).splitlines()[0],
            "gzip": cmd_out([NATIVE["gzip"], "--version"]).splitlines()[0],
            "sqlite3": "sqlite3 " + " ".join(cmd_out([NATIVE["sqlite3"], "--version"]).split()[:1]),
            "sha256sum": cmd_out([NATIVE["sha256sum"], "--version"]).splitlines()[0],
        },
    }


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def render(results, runners, info, reps, warmup, command, elapsed, args, problems):
    def t(v):
        return "%.3f" % v if v is not None else "-"

    def ratio(a, b):
        return a / b if a is not None and b else None

    def rs(v):
        return "%.2f" % v if v is not None else "-"

    lines = []
    lines.append("# emu benchmark results: %s guests\n" % info["arch"])
    lines.append("- date: %s" % info["date"])
    lines.append("- host: %s, %s cores, Linux %s" % (info["cpu"], info["cores"], info["kernel"]))
    lines.append("- command: `%s`" % command)
    if info["emu_built_here"]:
        build = "built from the working tree: git %s%s" % (
            info["git"], ", with uncommitted changes" if info["git_dirty"] else "")
    else:
        build = "given with --emu; working tree at git %s" % info["git"]
    lines.append("- emu: `%s%s` (%s; %s)%s" % (
        os.path.relpath(info["emu"], REPO) if info["emu"].startswith(REPO + "/") else info["emu"],
        (" " + info["emu_opts"]) if info["emu_opts"] else "",
        info["emu_version"], build, (" — " + info["label"]) if info["label"] else ""))
    lines.append("- qemu: %s" % info["qemu"])
    lines.append("- kernels: %s, `-O2 -ffp-contract=off -static`" % info["gcc"])
    if info["guest_pkgs"]:
        lines.append("- guest (Debian trixie %s): %s" % (ARCHES[info["arch"]][0],
                     ", ".join("%s %s" % kv for kv in sorted(info["guest_pkgs"].items()))))
    lines.append("- native (host Debian 12 x86-64): %s" % ", ".join(info["native_versions"].values()))
    lines.append("- %d timed repetition%s per workload and runner%s; wall-clock medians in seconds; "
                 "total %.0f s" % (reps, "" if reps == 1 else "s",
                                  ", after one untimed native+qemu warm-up" if warmup else "", elapsed))
    br = busy_ratio(results)
    lines.append("- load average at start %s, at end %s; median wall/cpu of the runs over 0.2 s: %s%s" % (
        info.get("loadavg_start", "?"), info.get("loadavg_end", "?"),
        "%.2f" % br if br else "-",
        " — **the machine was busy: other processes took CPU time, timings are inflated**"
        if br and br > 1.1 else " (about 1.0: the timed processes were not kept off the CPU by others)"))
    lines.append("")
    lines.append("| workload | native s | qemu s | emu s | qemu/native | emu/native | qemu/emu |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    qn, en, qe = [], [], []
    for r in results:
        m = r["median"]
        n, q, e = m.get("native"), m.get("qemu"), m.get("emu")
        a, b, c = ratio(q, n), ratio(e, n), ratio(q, e)
        qn.append(a); en.append(b); qe.append(c)
        flag = ""
        if r["mismatch"]:
            flag = " **OUTPUT MISMATCH**"
        if r["error"]:
            flag += " **FAILED: %s**" % ", ".join(sorted(r["error"]))
        name = r["name"]
        if name.startswith(("python3", "lua5.4")) and "native" in m:
            name += " ¹"
        lines.append("| %s%s | %s | %s | %s | %s | %s | %s |" % (name, flag, t(n), t(q), t(e),
                                                               rs(a), rs(b), rs(c)))
    lines.append("| **geometric mean** | | | | **%s** | **%s** | **%s** |" %
                 (rs(geomean(qn)), rs(geomean(en)), rs(geomean(qe))))
    lines.append("")
    lines.append("qemu/native and emu/native: slowdown against the host's own x86-64 build "
                 "(lower is better). qemu/emu: emu's speed-up over qemu "
                 "(above 1 means emu is faster). Geometric means are over the workloads "
                 "that have both columns.")
    lines.append("")
    nv = info["native_versions"]
    gp = info["guest_pkgs"]
    lines.append("¹ The native column runs the host's Debian 12 builds, which are older than "
                 "the guest's Debian 13 ones (%s vs python3.13 %s; %s vs lua5.4 %s), so their "
                 "*/native ratios compare different interpreter versions; the qemu/emu column "
                 "always compares the same guest binary. The native xz, gzip and sha256sum "
                 "are also other versions (their outputs are checked by round trip, not byte "
                 "equality), and the host sha256sum uses the CPU's SHA instructions when it "
                 "has them." % (nv["python3"], gp.get("python3.13", "?"), nv["lua5.4"],
                                gp.get("lua5.4", "?")))
    lines.append("")
    if problems:
        lines.append("## PROBLEMS\n")
        for p in problems:
            lines.append("- %s" % p)
        lines.append("")
    else:
        lines.append("All runs exited 0 and all output checks passed "
                     "(every repetition of every runner printed the same bytes; "
                     "xz/gzip outputs decompress to their input).")
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
