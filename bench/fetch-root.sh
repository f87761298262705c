#!/usr/bin/env bash
# Download and unpack the Debian trixie root the benchmarks run in: riscv64,
# or arm64 with EMU_DEBIAN_ARCH=arm64.
#
#   bench/fetch-root.sh [DEST]
#
# DEST defaults to <repo>/.cache/bench-ARCH/root. This is
# tests/debian/fetch.sh (private apt root, idempotent, stamp file) with the
# benchmarks' package list: the tests' root lacks xz-utils, gzip and
# coreutils. It keeps its own cache, because guest python writes __pycache__
# into the root it runs from and each cache keeps only its own .debs.
#
# Environment: DEBIAN_MIRROR (as for tests/debian/fetch.sh), EMU_BENCH_CACHE
# (cache dir, default <repo>/.cache/bench-ARCH), EMU_BENCH_FORCE=1 redoes it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
arch=${EMU_DEBIAN_ARCH:-riscv64}
case $arch in
    riscv64) triplet=riscv64-linux-gnu loader=lib/ld-linux-riscv64-lp64d.so.1 ;;
    arm64) triplet=aarch64-linux-gnu loader=lib/ld-linux-aarch64.so.1 ;;
    *) echo "fetch-root.sh: EMU_DEBIAN_ARCH=$arch: riscv64 or arm64" >&2; exit 2 ;;
esac
cache=${EMU_BENCH_CACHE:-$repo/.cache/bench-$arch}

export EMU_DEBIAN_CACHE=$cache
export EMU_DEBIAN_FORCE=${EMU_BENCH_FORCE:-}
export EMU_DEBIAN_PACKAGES="busybox-static python3 sqlite3 lua5.4 xz-utils gzip coreutils"
export EMU_DEBIAN_REQUIRED="bin/busybox usr/bin/python3 usr/bin/sqlite3 usr/bin/lua5.4 usr/bin/xz
usr/bin/gzip usr/bin/sha256sum $loader usr/lib/$triplet/libc.so.6"
exec "$repo/tests/debian/fetch.sh" "${1:-$cache/root}"
