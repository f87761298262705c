#!/usr/bin/env bash
# Builds statically linked emulators (glibc static-pie): what binfmt_misc's
# F flag, chroots and containers need, since they run the interpreter
# without the host's libraries. Prints the directory holding them.
#
#   scripts/build-static.sh            # release build
# Output: target/static/x86_64-unknown-linux-gnu/release/emu-{riscv64,aarch64}
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="-C target-feature=+crt-static" CARGO_TARGET_DIR=target/static \
    cargo build --release --target x86_64-unknown-linux-gnu \
    --bin emu-riscv64 --bin emu-aarch64 >&2
dir=target/static/x86_64-unknown-linux-gnu/release
# A static(-pie) executable has no ELF interpreter.
for emu in emu-riscv64 emu-aarch64; do
    if readelf -lW "$dir/$emu" | grep -q 'program interpreter'; then
        echo "build-static.sh: $dir/$emu is not statically linked" >&2
        exit 1
    fi
done
echo "$PWD/$dir"
