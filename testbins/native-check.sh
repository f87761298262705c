#!/bin/bash
# Cross-check expected/ against a native x86-64 build of the same C sources:
# every case whose binary comes from src/<name>.c is compiled with the host
# gcc, run with the same args/env, and its stdout and exit status diffed
# against testbins/expected/.  Assembly programs (*.S) are riscv-only and
# skipped.  intmath.c and fpmath.c contain portable reference models of the
# RISC-V instruction semantics they test with inline asm, so they are
# compared too.  Known, explained differences are listed in README.md.
#
# Usage: testbins/native-check.sh        (exit 1 if anything differs)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/emu-native.XXXXXX")
trap 'rm -rf "$work"' EXIT
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

bad=0
while IFS='|' read -r bin args want out rest; do
    bin=$(trim "$bin")
    [ -z "$bin" ] && continue
    case "$bin" in \#*) continue ;; esac
    args=$(trim "$args"); want=$(trim "$want"); out=$(trim "$out")
    id=${out%.out}
    name=${bin%-dyn}
    src="$here/src/$name.c"
    [ -f "$src" ] || { printf '  skip  %-28s (not C)\n' "$id"; continue; }
    [ -x "$work/$name" ] || gcc -O2 -ffp-contract=off -w -o "$work/$name" "$src" -lm || { bad=1; continue; }
    tmp=$(mktemp -d "$work/run-$id.XXXXXX")
    eval "set -- ${args//@TMPDIR/$tmp}"
    (cd "$tmp" && env -i EMU_TESTBINS_VAR=emu-testbins-value TMPDIR="$tmp" HOME="$tmp" \
        LC_ALL=C TZ=UTC PATH=/nonexistent/emu-testbins /usr/bin/perl -e '
        system(@ARGV[1..$#ARGV]); open(my $f, ">", $ARGV[0]) or die;
        print $f (($? & 127) ? "sig " . ($? & 127) : "exit " . ($? >> 8)), "\n";' \
        "$tmp.status" "$work/$name" "$@") </dev/null >"$tmp.out" 2>/dev/null
    read -r kind num <"$tmp.status"
    if [ "$kind" = sig ]; then got=SIG$(kill -l "$num"); else got=$num; fi
    if [ "$got" = "$want" ] && diff -q "$here/expected/$out" "$tmp.out" >/dev/null; then
        printf '  same  %s\n' "$id"
    else
        printf '  DIFF  %s (native exit %s, expected %s)\n' "$id" "$got" "$want"
        diff "$here/expected/$out" "$tmp.out" | sed 's/^/        /'
        bad=1
    fi
    set --
done <"$here/cases.txt"
exit $bad
