#!/usr/bin/env bash
# Download and unpack the Debian trixie riscv64 root the benchmarks run in.
#
#   bench/fetch-root.sh [DEST]
#
# DEST defaults to <repo>/.cache/bench-riscv64/root.  Same private-apt approach
# as tests/debian/fetch.sh (its own sources, lists and an empty dpkg status
# under <repo>/.cache/bench-riscv64/apt, so the host's apt never sees trixie),
# with the package list the benchmarks need: the tests' root lacks xz-utils,
# gzip and coreutils.  .debs already downloaded by tests/debian/fetch.sh are
# reused (hard-linked) so only the extra packages are downloaded.
# Idempotent (a stamp file records the package list); EMU_BENCH_FORCE=1 redoes it.
#
# Environment: DEBIAN_MIRROR (mirror URI, default: the host's deb.debian.org
# URI), EMU_BENCH_CACHE (cache dir, default <repo>/.cache/bench-riscv64).
set -euo pipefail

die() { echo "bench/fetch-root.sh: ERROR: $*" >&2; exit 1; }
log() { echo "bench/fetch-root.sh: $*" >&2; }

PACKAGES="busybox-static python3 sqlite3 lua5.4 xz-utils gzip coreutils"
SUITE=trixie
ARCH=riscv64
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
REQUIRED="bin/busybox usr/bin/python3 usr/bin/sqlite3 usr/bin/lua5.4 usr/bin/xz
usr/bin/gzip usr/bin/sha256sum lib/ld-linux-riscv64-lp64d.so.1
usr/lib/riscv64-linux-gnu/libc.so.6"
LAYOUT_VERSION=1

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${EMU_BENCH_CACHE:-$repo/.cache/bench-riscv64}
dest=${1:-$cache/root}
debs=$cache/debs
aptroot=$cache/apt

for tool in apt-get dpkg-deb gpgv sha256sum; do
    command -v "$tool" >/dev/null || die "'$tool' not found (this script expects a Debian/Ubuntu host)"
done
[ -r "$KEYRING" ] || die "$KEYRING missing: apt-get install debian-archive-keyring"

if [ -z "${DEBIAN_MIRROR:-}" ]; then
    DEBIAN_MIRROR=http://deb.debian.org/debian
    if [ -r /etc/apt/sources.list.d/debian.sources ]; then
        m=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources |
            tr ' ' '\n' | grep -E '/debian/?$' | head -n1 || true)
        [ -n "$m" ] && DEBIAN_MIRROR=$m
    fi
fi

stamp_content=$(printf 'packages=%s\nsuite=%s\narch=%s\nlayout=%s\n' \
    "$PACKAGES" "$SUITE" "$ARCH" "$LAYOUT_VERSION")
stamp_hash=$(printf '%s' "$stamp_content" | sha256sum | cut -d' ' -f1)
stamp=$dest/.emu-bench-stamp

check_root() {
    local r=$1 f bad=0
    for f in $REQUIRED; do
        if [ ! -e "$r/$f" ]; then echo "  missing: $f" >&2; bad=1; fi
    done
    return $bad
}

mkdir -p "$cache"
if command -v flock >/dev/null; then
    exec 9>"$cache/.fetch.lock"
    flock 9
fi

if [ "${EMU_BENCH_FORCE:-0}" != 1 ] && [ -f "$stamp" ] &&
   [ "$(head -n1 "$stamp")" = "$stamp_hash" ] && check_root "$dest" 2>/dev/null; then
    log "up to date: $dest"
    exit 0
fi

mkdir -p "$aptroot"/etc/apt/sources.list.d "$aptroot"/etc/apt/apt.conf.d \
         "$aptroot"/etc/apt/preferences.d "$aptroot"/var/lib/apt/lists/partial \
         "$aptroot"/var/cache/apt "$aptroot"/var/lib/dpkg "$debs"/partial
: > "$aptroot/var/lib/dpkg/status"
cat > "$aptroot/etc/apt/sources.list.d/$SUITE.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $SUITE
Components: main
Architectures: $ARCH
Signed-By: $KEYRING
EOF
cat > "$aptroot/apt.conf" <<EOF
Dir "$aptroot/";
Dir::Etc "$aptroot/etc/apt/";
Dir::Etc::main "$aptroot/etc/apt/apt.conf";
Dir::Etc::Parts "$aptroot/etc/apt/apt.conf.d/";
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$aptroot/etc/apt/sources.list.d/";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "$aptroot/etc/apt/preferences.d/";
Dir::State "$aptroot/var/lib/apt/";
Dir::State::status "$aptroot/var/lib/dpkg/status";
Dir::Cache "$aptroot/var/cache/apt/";
Dir::Cache::archives "$debs/";
Dir::Log "$aptroot/var/log/apt/";
APT::Architecture "$ARCH";
APT::Architectures { "$ARCH"; };
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Acquire::Retries "3";
EOF
if [ "$(id -u)" = 0 ]; then
    echo 'APT::Sandbox::User "root";' >> "$aptroot/apt.conf"
fi
export APT_CONFIG=$aptroot/apt.conf

# Reuse the tests' downloads (apt hash-checks them).
testdebs=$repo/.cache/debian-riscv64/debs
if [ -d "$testdebs" ]; then
    for f in "$testdebs"/*.deb; do
        [ -e "$f" ] || continue
        [ -e "$debs/$(basename "$f")" ] || ln "$f" "$debs/" 2>/dev/null || cp "$f" "$debs/"
    done
fi

log "apt-get update ($SUITE/$ARCH from $DEBIAN_MIRROR)"
apt-get -q update >"$aptroot/update.log" 2>&1 ||
    { cat "$aptroot/update.log" >&2; die "apt-get update failed"; }
if grep -qiE '^E: |^W: .*(fail|GPG|sign|NO_PUBKEY|Release)' "$aptroot/update.log"; then
    cat "$aptroot/update.log" >&2
    die "apt-get update could not fetch/verify the $SUITE index"
fi

# shellcheck disable=SC2086
apt-get -s install $PACKAGES >"$aptroot/resolve.log" 2>&1 ||
    { cat "$aptroot/resolve.log" >&2; die "cannot resolve: $PACKAGES"; }
closure=$(awk '/^Inst /{print $2}' "$aptroot/resolve.log" | sort)
[ -n "$closure" ] || die "empty dependency closure"
for p in $PACKAGES; do
    echo "$closure" | grep -qx "$p" || die "package $p not in the resolved closure"
done
log "closure: $(echo "$closure" | wc -l) packages"

# shellcheck disable=SC2086
apt-get -q -y --download-only install $PACKAGES >"$aptroot/download.log" 2>&1 ||
    { cat "$aptroot/download.log" >&2; die "download failed"; }

files=()
versions=""
for p in $closure; do
    v=$(awk -v p="$p" '$1=="Inst" && $2==p {gsub(/[()]/,"",$3); print $3}' "$aptroot/resolve.log")
    [ -n "$v" ] || die "no version for $p"
    ve=${v//:/%3a}
    f=$(ls "$debs/${p}_${ve}_"*.deb 2>/dev/null | head -n1 || true)
    [ -n "$f" ] && [ -s "$f" ] || die "missing .deb for $p $v in $debs"
    files+=("$f")
    versions+="$p $v"$'\n'
done

tmp=$dest.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
log "unpacking ${#files[@]} packages"
for f in "${files[@]}"; do
    dpkg-deb -x "$f" "$tmp" || die "dpkg-deb -x failed on $f"
done
for d in bin sbin lib; do
    if [ -d "$tmp/$d" ] && [ ! -L "$tmp/$d" ]; then
        mkdir -p "$tmp/usr/$d"
        cp -a "$tmp/$d/." "$tmp/usr/$d/"
        rm -rf "${tmp:?}/$d"
    fi
    [ -e "$tmp/$d" ] || ln -s "usr/$d" "$tmp/$d"
done
[ -e "$tmp/usr/bin/lua" ] || ln -s lua5.4 "$tmp/usr/bin/lua"
check_root "$tmp" || die "unpacked root is incomplete"

printf '%s\n%s\n--- resolved from %s %s/%s on %s\n%s' "$stamp_hash" "$stamp_content" \
    "$DEBIAN_MIRROR" "$SUITE" "$ARCH" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$versions" \
    > "$tmp/.emu-bench-stamp"
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$tmp" "$dest"
trap - EXIT
for f in "$debs"/*.deb; do
    keep=0
    for k in "${files[@]}"; do [ "$k" = "$f" ] && keep=1 && break; done
    [ $keep = 1 ] || rm -f "$f"
done
rm -rf "$aptroot"/var/lib/apt/lists "$aptroot"/var/cache/apt/*.bin
log "done: $dest ($(du -sh "$dest" | cut -f1))"
