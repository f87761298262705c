#!/bin/sh
# Build the aarch64 guest test programs into testbins/aarch64/.
#
#   aarch64-src/*.S -> aarch64/<name>   freestanding (-nostdlib), static
#   aarch64-src/*.c -> aarch64/<name>   static glibc, -O2 (a64_vec: -O3),
#                                       with the crypto and CRC extensions
#   src/<C>.c       -> aarch64/<name>   static glibc, -O2: the riscv64
#                                       programs whose expected outputs
#                                       hold for aarch64 too (list below)
# Outputs are stripped and deterministic. Expected outputs of the
# aarch64-src programs in expected/aarch64/ come from qemu-aarch64; the
# src/ C programs share the riscv64 ones (see tests/aarch64.rs).
#
# Needs (Debian 12): gcc-aarch64-linux-gnu.
# Usage: testbins/build-aarch64.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-aarch64-linux-gnu-gcc}
STRIP=${STRIP:-aarch64-linux-gnu-strip}
command -v "$CC" >/dev/null || { echo "build-aarch64.sh: missing $CC" >&2; exit 1; }
mkdir -p "$here/aarch64"
# Common C programs emu-aarch64 runs so far.
C_PROGRAMS="hello args_env exit_codes intmath malloc_stress time pipes fileio dirs
    threads signals threads_signals procs sigsegv efault mmap sockets pthread_cancel
    signal_storm"
for name in $C_PROGRAMS; do
    echo "  CC     aarch64/$name"
    $CC -O2 -ffp-contract=off -ffile-prefix-map="$here"=testbins -static \
        -o "$here/aarch64/$name" "$here/src/$name.c" -lm -lpthread
    $STRIP "$here/aarch64/$name"
done
for f in "$here"/aarch64-src/*.c; do
    name=$(basename "$f" .c)
    opt=-O2
    [ "$name" = a64_vec ] && opt=-O3
    echo "  CC     aarch64/$name"
    $CC $opt -march=armv8-a+crypto+crc -ffile-prefix-map="$here"=testbins -static \
        -o "$here/aarch64/$name" "$f"
    $STRIP "$here/aarch64/$name"
done
for f in "$here"/aarch64-src/*.S; do
    name=$(basename "$f" .S)
    echo "  AS     aarch64/$name"
    $CC -nostdlib -static -o "$here/aarch64/$name" "$f"
    $STRIP "$here/aarch64/$name"
done
