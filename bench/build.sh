#!/usr/bin/env bash
# Build the C kernels in bench/kernels/ for a guest architecture (riscv64,
# the default, or aarch64) and for x86-64 with the same gcc (12) and the same
# flags, into bench/bin/ARCH/ and bench/bin/x86_64/.
#
#   bench/build.sh [riscv64|aarch64]   # rebuilds what is out of date (make-like)
#
# Both builds are static so neither pays for the dynamic loader; riscv64
# static links need lld-19 (bookworm's ld crashes, see HOST-NOTES.md).
# -ffp-contract=off stops gcc fusing a*b+c into fmadd on the guest (x86-64's
# baseline has no FMA), so both produce bit-identical FP results.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CFLAGS="-O2 -ffp-contract=off -static"
ARCH=${1:-riscv64}
case $ARCH in
    riscv64) GUEST_CC=${RV_CC:-riscv64-linux-gnu-gcc} GUEST_LD="-fuse-ld=lld -B/usr/lib/llvm-19/bin" ;;
    aarch64) GUEST_CC=${A64_CC:-aarch64-linux-gnu-gcc} GUEST_LD="" ;;
    *) echo "build.sh: unknown architecture $ARCH (riscv64 or aarch64)" >&2; exit 2 ;;
esac
X86_CC=${X86_CC:-gcc}
command -v "$GUEST_CC" >/dev/null || { echo "build.sh: $GUEST_CC missing (scripts/install-deps.sh; gcc-aarch64-linux-gnu for aarch64)" >&2; exit 1; }
command -v "$X86_CC" >/dev/null || { echo "build.sh: $X86_CC missing" >&2; exit 1; }
guest_ver=$("$GUEST_CC" -dumpversion); x86_ver=$("$X86_CC" -dumpversion)
[ "${guest_ver%%.*}" = "${x86_ver%%.*}" ] ||
    echo "build.sh: WARNING: gcc versions differ: $GUEST_CC $guest_ver vs $X86_CC $x86_ver" >&2
mkdir -p "$here/bin/$ARCH" "$here/bin/x86_64"
for src in "$here"/kernels/*.c; do
    name=$(basename "$src" .c)
    guest=$here/bin/$ARCH/$name x86=$here/bin/x86_64/$name
    if [ ! "$guest" -nt "$src" ] || [ ! "$guest" -nt "$here/build.sh" ]; then
        # shellcheck disable=SC2086
        "$GUEST_CC" $CFLAGS $GUEST_LD -o "$guest" "$src" -lm
    fi
    if [ ! "$x86" -nt "$src" ] || [ ! "$x86" -nt "$here/build.sh" ]; then
        # shellcheck disable=SC2086
        "$X86_CC" $CFLAGS -o "$x86" "$src" -lm
    fi
done
echo "build.sh: kernels in $here/bin/{$ARCH,x86_64} (gcc $guest_ver / $x86_ver, $CFLAGS)" >&2
