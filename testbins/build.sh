#!/bin/sh
# Build the riscv64 guest test programs into testbins/riscv64/.
#
#   src/*.c  -> riscv64/<name>      static glibc, -O2  (lld: bookworm's bfd ld
#                                   crashes on riscv64 -static links)
#   src/*.S  -> riscv64/<name>      freestanding (-nostdlib), static
#   DYN list -> riscv64/<name>-dyn  ordinary dynamic link against the
#                                   riscv64 glibc in /usr/riscv64-linux-gnu
# All outputs are stripped.  The build is deterministic: rebuilding from the
# same sources with the same toolchain gives byte-identical binaries.
#
# Needs (Debian 12): gcc-riscv64-linux-gnu, libc6-dev-riscv64-cross, lld-19.
# Usage: testbins/build.sh [name...]      (default: everything)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src="$here/src"
out="$here/riscv64"

CC=${CC:-riscv64-linux-gnu-gcc}
STRIP=${STRIP:-riscv64-linux-gnu-strip}
LLD_DIR=${LLD_DIR:-/usr/lib/llvm-19/bin}

# Programs that additionally get a dynamically linked "-dyn" build.
DYN="hello fpmath"
# Programs built for the debugger tests: -O0 -g; stripped of everything
# but their debug info (gdb finds their functions and variables there).
DEBUG="gdb_target"
# Programs linked with an executable stack (PT_GNU_STACK with PF_X); lld
# ignores .note.GNU-stack sections, so it has to be asked.
EXECSTACK="execstack"

for tool in "$CC" "$STRIP" "$LLD_DIR/ld.lld"; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "$tool" ] || {
        echo "build.sh: missing $tool (run scripts/install-deps.sh)" >&2
        exit 1
    }
done

# -ffp-contract=off: no implicit fused multiply-add, so fpmath's "naive"
# expressions mean what they say (and match a native x86-64 build).
# -ffile-prefix-map: no build-directory paths in the objects.
CFLAGS="-O2 -ffp-contract=off -ffile-prefix-map=$here=testbins"
STATIC="-static -fuse-ld=lld -B$LLD_DIR"
ASFLAGS="-march=rv64gc_zba_zbb_zbs -mabi=lp64d -nostdlib -static -fuse-ld=lld -B$LLD_DIR"

mkdir -p "$out"

WANT="$*"
want() { # name: is it in the requested list?
    for w in $WANT; do [ "$w" = "$1" ] && return 0; done
    return 1
}

for f in "$src"/*.c "$src"/*.S; do
    [ -e "$f" ] || continue
    base=$(basename "$f")
    name=${base%.*}
    if [ -n "$WANT" ] && ! want "$name"; then continue; fi
    case "$base" in
    *.c)
        flags=$CFLAGS
        for d in $DEBUG; do [ "$d" = "$name" ] && flags="$CFLAGS -O0 -g"; done
        echo "  CC     riscv64/$name"
        $CC $flags $STATIC -o "$out/$name" "$f" -lm -lpthread
        ;;
    *.S)
        echo "  AS     riscv64/$name"
        extra=""
        for e in $EXECSTACK; do [ "$e" = "$name" ] && extra="-Wl,-z,execstack"; done
        $CC $ASFLAGS $extra -o "$out/$name" "$f"
        ;;
    esac
    case " $DEBUG " in
    *" $name "*) $STRIP --strip-all --keep-section='.debug_*' "$out/$name" ;;
    *) $STRIP "$out/$name" ;;
    esac
    for d in $DYN; do
        if [ "$d" = "$name" ]; then
            echo "  CC-dyn riscv64/$name-dyn"
            $CC $CFLAGS -o "$out/$name-dyn" "$f" -lm
            $STRIP "$out/$name-dyn"
        fi
    done
done
