#!/bin/bash
# Regenerate testbins/expected/ by running every case of cases.txt under
# qemu-riscv64 (the reference; never used by the tests themselves).
#
# Blessing is a manual step for reviewing diffs: run it, then inspect
# `git diff testbins/expected` and justify every change.  The tests never
# bless automatically.
#
# Known qemu deviations from real Linux are corrected after the run by
# testbins/fixups/<case-id>.sed (a sed script applied to that case's stdout);
# each script documents the deviation it papers over.
#
# Usage: testbins/bless.sh [case-id...]     (default: all cases)
# Exit status 1 if any case's exit status differs from cases.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
QEMU=$(command -v "${QEMU:-qemu-riscv64}" || true)
SYSROOT=${SYSROOT:-/usr/riscv64-linux-gnu}
[ -n "$QEMU" ] || { echo "bless.sh: qemu-riscv64 not found (run scripts/install-deps.sh)" >&2; exit 1; }

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

only=("$@")
bad=0
while IFS='|' read -r bin args want out rest; do
    bin=$(trim "$bin")
    [ -z "$bin" ] && continue
    case "$bin" in \#*) continue ;; esac
    args=$(trim "$args"); want=$(trim "$want"); out=$(trim "$out")
    id=${out%.out}
    if [ ${#only[@]} -gt 0 ]; then
        hit=0
        for w in "${only[@]}"; do [ "$w" = "$id" ] && hit=1; done
        [ $hit = 1 ] || continue
    fi
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/emu-bless-$id.XXXXXX")
    eval "set -- ${args//@TMPDIR/$tmp}"
    qargs=()
    case "$bin" in *-dyn) qargs=(-L "$SYSROOT") ;; esac
    # perl (always present on Debian) reports the raw wait status, so that
    # "exit 139" and "killed by SIGSEGV" are told apart.
    (cd "$tmp" && env -i EMU_TESTBINS_VAR=emu-testbins-value TMPDIR="$tmp" HOME="$tmp" \
        LC_ALL=C TZ=UTC PATH=/nonexistent/emu-testbins /usr/bin/perl -e '
        system(@ARGV[1..$#ARGV]); open(my $f, ">", $ARGV[0]) or die;
        print $f (($? & 127) ? "sig " . ($? & 127) : "exit " . ($? >> 8)), "\n";' \
        "$tmp.status" "$QEMU" "${qargs[@]}" "$here/riscv64/$bin" "$@") </dev/null >"$here/expected/$out" 2>"$tmp.stderr"
    read -r kind num <"$tmp.status"
    if [ -f "$here/fixups/$id.sed" ]; then
        sed -i -f "$here/fixups/$id.sed" "$here/expected/$out"
    fi
    if [ "$kind" = sig ]; then got=SIG$(kill -l "$num"); else got=$num; fi
    if [ "$got" = "$want" ]; then
        printf '  ok    %-28s exit %s\n' "$id" "$got"
    else
        printf '  FAIL  %-28s exit %s, cases.txt says %s\n' "$id" "$got" "$want"
        sed 's/^/        stderr: /' "$tmp.stderr"
        bad=1
    fi
    rm -rf "$tmp" "$tmp.stderr" "$tmp.status"
    set --
done <"$here/cases.txt"
exit $bad
