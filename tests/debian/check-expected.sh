#!/usr/bin/env bash
# Cross-check tests/debian/expected/*.out against reference runners, WITHOUT
# emu: the cases of tests/debian/cases.txt are run
#
#   --qemu    under qemu-riscv64 (and -L ROOT for dyn cases) on the riscv64 root
#             from fetch.sh                                  [default]
#   --native  with the host's own x86-64 busybox/python3/perl/sqlite3/lua5.4
#             (other versions than trixie's: differences are reported, and
#             expected where a case prints something version-specific)
#   --update  (with --qemu) write the qemu output as the new expected files;
#             review the diff and re-check with --native before committing
#
#   tests/debian/check-expected.sh [--qemu|--native] [--update] [CASE...]
#
# qemu-user does not follow execve() into foreign binaries unless binfmt_misc
# is set up, so busybox's re-exec of /proc/self/exe fails there (ENOEXEC) and
# ash falls back to a PATH search.  For the static cases PATH therefore points
# at a directory of host wrappers `APPLET -> qemu-riscv64 ROOT/bin/busybox
# APPLET "$@"` so every applet still runs as riscv64 code.  (emu gets no such
# help: its PATH points nowhere and it has to handle the re-exec itself.)
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=${EMU_DEBIAN_ROOT:-$repo/.cache/debian-riscv64/root}
mode=qemu update=0
while [ $# -gt 0 ]; do
    case $1 in
        --qemu) mode=qemu ;;
        --native) mode=native ;;
        --update) update=1 ;;
        -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
    shift
done
only=("$@")
QEMU=$(command -v "${QEMU:-qemu-riscv64}" || echo "${QEMU:-qemu-riscv64}")

if [ "$mode" = qemu ]; then
    [ -x "$root/bin/busybox" ] || { echo "no root at $root: run tests/debian/fetch.sh" >&2; exit 1; }
    command -v "$QEMU" >/dev/null || { echo "$QEMU not found" >&2; exit 1; }
fi
[ "$update" = 1 ] && [ "$mode" != qemu ] && { echo "--update only with --qemu" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wrap=$work/wrap
mkdir -p "$wrap"
if [ "$mode" = qemu ]; then
    for a in $("$QEMU" "$root/bin/busybox" --list); do
        printf '#!/bin/sh\nexec %s %s %s "$@"\n' "$(command -v "$QEMU")" "$root/bin/busybox" "$a" > "$wrap/$a"
        chmod +x "$wrap/$a"
    done
else
    bb=$(command -v busybox) || { echo "host busybox missing (apt-get install busybox)" >&2; exit 1; }
    for a in $("$bb" --list); do ln -s "$bb" "$wrap/$a"; done
fi

native_prog() {  # riscv64 root path -> host program
    case $1 in
        bin/busybox) echo "$wrap/sh" ;;  # applet name via argv[0]
        usr/bin/python3) command -v python3 ;;
        usr/bin/perl) command -v perl ;;
        usr/bin/sqlite3) command -v sqlite3 ;;
        usr/bin/lua5.4) command -v lua5.4 ;;
        *) return 1 ;;
    esac
}

pass=0 fail=0 failed=()
while read -r name status kind prog args; do
    case $name in ''|'#'*) continue ;; esac
    if [ ${#only[@]} -gt 0 ]; then
        hit=0; for o in "${only[@]}"; do [ "$o" = "$name" ] && hit=1; done
        [ $hit = 1 ] || continue
    fi
    argv=() stdin=/dev/null
    for w in $args; do
        case $w in
            @*) argv+=("$(cat "$here/cases/${w#@}")") ;;
            \<*) stdin=$here/cases/${w#<} ;;
            *) argv+=("$w") ;;
        esac
    done
    cwd=$work/cwd-$name
    mkdir -p "$cwd"
    if [ "$kind" = static ]; then path=$wrap; else path=/usr/bin:/bin; fi
    envv=(env -i "PATH=$path" LC_ALL=C TZ=UTC "HOME=$cwd" PYTHONDONTWRITEBYTECODE=1)
    if [ "$mode" = qemu ]; then
        if [ "$kind" = static ]; then
            cmd=("$QEMU" "$root/$prog")
        else
            cmd=("$QEMU" -L "$root" "$root/$prog")
        fi
    else
        p=$(native_prog "$prog") || { echo "SKIP $name (no native $prog)"; continue; }
        cmd=("$p")
        # $wrap/sh is a symlink to busybox: drop the "sh" word of the case.
        [ "$prog" = bin/busybox ] && argv=("${argv[@]:1}")
        [ "$kind" = static ] || envv+=("PATH=/usr/bin:/bin")  # host programs
    fi
    out=$work/$name.out
    (cd "$cwd" && timeout 300 "${envv[@]}" "${cmd[@]}" "${argv[@]}" <"$stdin" >"$out" 2>"$work/$name.err")
    rc=$?
    exp=$here/expected/$name.out
    if [ "$update" = 1 ]; then
        cp "$out" "$exp"
    fi
    if [ "$rc" = "$status" ] && [ -f "$exp" ] && cmp -s "$out" "$exp"; then
        echo "ok   $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name (status $rc, want $status)"
        [ -f "$exp" ] && diff -u "$exp" "$out" | sed 's/^/     /'
        sed 's/^/     stderr: /' "$work/$name.err" | head -20
        fail=$((fail + 1)); failed+=("$name")
    fi
done < "$here/cases.txt"
echo "$mode: $pass passed, $fail failed ${failed[*]:-}"
[ "$fail" = 0 ]
