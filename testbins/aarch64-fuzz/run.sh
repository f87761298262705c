#!/bin/sh
# Differential check of emu-aarch64 against qemu-aarch64 on random
# integer Advanced SIMD / crypto / CRC32 encodings (see gen.py): every
# instruction's v0-v7, x0-x7, FPSR and scratch memory must match, on both
# backends.
#
# Usage: testbins/aarch64-fuzz/run.sh [seed] [count]   (from the repo root,
# after cargo build --release --bin emu-aarch64)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seed=${1:-1}
count=${2:-4000}
out=$(mktemp -d)
python3 "$here/gen.py" "$seed" "$count" "$out"
aarch64-linux-gnu-gcc -O1 -static -o "$out/fz" "$here/main.c" "$out/insns.S"
n=$(wc -l < "$out/names.txt")
qemu-aarch64 "$out/fz" "$n" > "$out/qemu.out"
status=0
for accel in jit interp; do
    target/release/emu-aarch64 -accel $accel "$out/fz" "$n" > "$out/emu.out" || true
    if ! cmp -s "$out/qemu.out" "$out/emu.out"; then
        echo "$accel: differences (line k = instruction k of $out/names.txt):"
        diff "$out/qemu.out" "$out/emu.out" | grep '^<' | cut -d' ' -f2 | head -20 |
            while read -r k; do sed -n "$((k + 1))p" "$out/names.txt"; done
        status=1
    fi
done
[ $status = 0 ] && echo "$n instructions agree with qemu-aarch64" && rm -rf "$out"
exit $status
