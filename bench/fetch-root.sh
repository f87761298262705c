#!/usr/bin/env bash
# Download and unpack the Debian trixie riscv64 root the benchmarks run in.
#
#   bench/fetch-root.sh [DEST]
#
# DEST defaults to <repo>/.cache/bench-riscv64/root. This is
# tests/debian/fetch.sh (private apt root, idempotent, stamp file) with the
# benchmarks' package list: the tests' root lacks xz-utils, gzip and
# coreutils. It keeps its own cache, because guest python writes __pycache__
# into the root it runs from and each cache keeps only its own .debs.
#
# Environment: DEBIAN_MIRROR (as for tests/debian/fetch.sh), EMU_BENCH_CACHE
# (cache dir, default <repo>/.cache/bench-riscv64), EMU_BENCH_FORCE=1 redoes it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${EMU_BENCH_CACHE:-$repo/.cache/bench-riscv64}

export EMU_DEBIAN_CACHE=$cache
export EMU_DEBIAN_FORCE=${EMU_BENCH_FORCE:-}
export EMU_DEBIAN_PACKAGES="busybox-static python3 sqlite3 lua5.4 xz-utils gzip coreutils"
export EMU_DEBIAN_REQUIRED="bin/busybox usr/bin/python3 usr/bin/sqlite3 usr/bin/lua5.4 usr/bin/xz
usr/bin/gzip usr/bin/sha256sum lib/ld-linux-riscv64-lp64d.so.1
usr/lib/riscv64-linux-gnu/libc.so.6"
exec "$repo/tests/debian/fetch.sh" "${1:-$cache/root}"
