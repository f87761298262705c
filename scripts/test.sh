#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 x86-64 machine: installs what
# the tests need (cross compiler, cmake, qemu-user for comparisons, the Debian
# riscv64 software root), then runs every test of the workspace plus the
# formatting and lint gates. A missing prerequisite fails; nothing is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

as_root bash scripts/install-deps.sh
bash tests/debian/fetch.sh
EMU_DEBIAN_ARCH=arm64 bash tests/debian/fetch.sh

if ! command -v cargo-nextest >/dev/null; then
  echo "test.sh: cargo-nextest not found; using cargo test"
fi
cargo build --workspace --all-targets
if command -v cargo-nextest >/dev/null; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
echo "test.sh: all tests passed"
