#!/bin/sh
# Build the aarch64 guest test programs into testbins/aarch64/.
#
#   aarch64-src/*.S -> aarch64/<name>   freestanding (-nostdlib), static
# Outputs are stripped and deterministic. Expected outputs in
# expected/aarch64/ come from qemu-aarch64 (see tests/aarch64.rs).
#
# Needs (Debian 12): gcc-aarch64-linux-gnu.
# Usage: testbins/build-aarch64.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-aarch64-linux-gnu-gcc}
STRIP=${STRIP:-aarch64-linux-gnu-strip}
command -v "$CC" >/dev/null || { echo "build-aarch64.sh: missing $CC" >&2; exit 1; }
mkdir -p "$here/aarch64"
for f in "$here"/aarch64-src/*.S; do
    name=$(basename "$f" .S)
    echo "  AS     aarch64/$name"
    $CC -nostdlib -static -o "$here/aarch64/$name" "$f"
    $STRIP "$here/aarch64/$name"
done
