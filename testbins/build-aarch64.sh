#!/bin/sh
# Build the aarch64 guest test programs into testbins/aarch64/.
#
#   aarch64-src/*.S -> aarch64/<name>   freestanding (-nostdlib), static
#   aarch64-src/*.c -> aarch64/<name>   static glibc, aarch64-only checks
#                                       (inline assembly; flags per program
#                                       below: LSE/RCpc, crypto, -O3)
#   src/<C>.c       -> aarch64/<name>   static glibc, -O2: the riscv64
#                                       programs whose expected outputs
#                                       hold for aarch64 too (list below)
#   src/<C>.c       -> aarch64/<name>_lse   the threaded ones again with
#                                       -march=armv8.1-a: inline LSE
#                                       atomics instead of LL/SC
#   src/gdb_target.c -> aarch64/gdb_target  -O0 -g for tests/gdb.rs
# Outputs are stripped and deterministic. Expected outputs of the
# aarch64-src programs in expected/aarch64/ come from qemu-aarch64; the
# common C programs share the riscv64 ones (see tests/aarch64.rs).
#
# Needs (Debian 12): gcc-aarch64-linux-gnu.
# Usage: testbins/build-aarch64.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-aarch64-linux-gnu-gcc}
STRIP=${STRIP:-aarch64-linux-gnu-strip}
command -v "$CC" >/dev/null || { echo "build-aarch64.sh: missing $CC" >&2; exit 1; }
mkdir -p "$here/aarch64"
# Common C programs emu-aarch64 runs.
C_PROGRAMS="hello args_env exit_codes intmath malloc_stress time pipes fileio dirs
    threads signals threads_signals procs sigsegv efault strings fpmath mmap sockets
    pthread_cancel signal_storm"
for name in $C_PROGRAMS; do
    echo "  CC     aarch64/$name"
    $CC -O2 -ffp-contract=off -ffile-prefix-map="$here"=testbins -static \
        -o "$here/aarch64/$name" "$here/src/$name.c" -lm -lpthread
    $STRIP "$here/aarch64/$name"
done
for name in threads threads_signals; do
    echo "  CC     aarch64/${name}_lse"
    $CC -O2 -march=armv8.1-a -ffp-contract=off -ffile-prefix-map="$here"=testbins -static \
        -o "$here/aarch64/${name}_lse" "$here/src/$name.c" -lm -lpthread
    $STRIP "$here/aarch64/${name}_lse"
done
# The debugger tests' program (tests/gdb.rs): -O0 -g, only the debug info kept.
echo "  CC     aarch64/gdb_target"
$CC -O0 -g -ffile-prefix-map="$here"=testbins -static \
    -o "$here/aarch64/gdb_target" "$here/src/gdb_target.c" -lpthread
$STRIP --strip-all --keep-section='.debug_*' "$here/aarch64/gdb_target"
for f in "$here"/aarch64-src/*.c; do
    name=$(basename "$f" .c)
    case $name in
    a64_atomics) flags="-O2 -march=armv8.4-a" ;;
    a64_fp) flags="-O2 -ffp-contract=off" ;;
    a64_vec) flags="-O3 -march=armv8-a+crypto+crc" ;;
    *) flags="-O2 -march=armv8-a+crypto+crc" ;;
    esac
    echo "  CC     aarch64/$name"
    $CC $flags -ffile-prefix-map="$here"=testbins -static \
        -o "$here/aarch64/$name" "$f" -lm -lpthread
    $STRIP "$here/aarch64/$name"
done
for f in "$here"/aarch64-src/*.S; do
    name=$(basename "$f" .S)
    echo "  AS     aarch64/$name"
    $CC -nostdlib -static -o "$here/aarch64/$name" "$f"
    $STRIP "$here/aarch64/$name"
done
