#!/usr/bin/env bash
# Build the C kernels in bench/kernels/ for riscv64 and x86-64 with the same
# gcc (12) and the same flags, into bench/bin/riscv64/ and bench/bin/x86_64/.
#
#   bench/build.sh          # rebuilds what is out of date (make-like)
#
# Both builds are static so neither pays for the dynamic loader; riscv64
# static links need lld-19 (bookworm's ld crashes, see HOST-NOTES.md).
# -ffp-contract=off stops gcc fusing a*b+c into fmadd on riscv64 (x86-64's
# baseline has no FMA), so both produce bit-identical FP results.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CFLAGS="-O2 -ffp-contract=off -static"
RV_CC=${RV_CC:-riscv64-linux-gnu-gcc}
X86_CC=${X86_CC:-gcc}
RV_LD="-fuse-ld=lld -B/usr/lib/llvm-19/bin"
command -v "$RV_CC" >/dev/null || { echo "build.sh: $RV_CC missing (scripts/install-deps.sh)" >&2; exit 1; }
command -v "$X86_CC" >/dev/null || { echo "build.sh: $X86_CC missing" >&2; exit 1; }
rv_ver=$("$RV_CC" -dumpversion); x86_ver=$("$X86_CC" -dumpversion)
[ "${rv_ver%%.*}" = "${x86_ver%%.*}" ] ||
    echo "build.sh: WARNING: gcc versions differ: $RV_CC $rv_ver vs $X86_CC $x86_ver" >&2
mkdir -p "$here/bin/riscv64" "$here/bin/x86_64"
for src in "$here"/kernels/*.c; do
    name=$(basename "$src" .c)
    rv=$here/bin/riscv64/$name x86=$here/bin/x86_64/$name
    if [ ! "$rv" -nt "$src" ] || [ ! "$rv" -nt "$here/build.sh" ]; then
        # shellcheck disable=SC2086
        "$RV_CC" $CFLAGS $RV_LD -o "$rv" "$src" -lm
    fi
    if [ ! "$x86" -nt "$src" ] || [ ! "$x86" -nt "$here/build.sh" ]; then
        # shellcheck disable=SC2086
        "$X86_CC" $CFLAGS -o "$x86" "$src" -lm
    fi
done
echo "build.sh: kernels in $here/bin/{riscv64,x86_64} (gcc $rv_ver / $x86_ver, $CFLAGS)" >&2
