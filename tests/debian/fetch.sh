#!/usr/bin/env bash
# Download and unpack a minimal Debian trixie root for the real-software
# tests (tests/debian_software.rs): riscv64 by default, arm64 with
# EMU_DEBIAN_ARCH=arm64.
#
#   tests/debian/fetch.sh [DEST]
#   EMU_DEBIAN_ARCH=arm64 tests/debian/fetch.sh [DEST]
#
# DEST defaults to <repo>/.cache/debian-ARCH/root; the .deb files are kept
# in <repo>/.cache/debian-ARCH/debs (override with EMU_DEBIAN_CACHE).
#
# It uses a *private* apt root (its own sources, lists, cache and an empty
# dpkg status file) so the host's apt never sees trixie, then `dpkg-deb -x`
# of every package of the dependency closure into DEST.  Needs only apt-get,
# dpkg-deb, gpgv and debian-archive-keyring, which a stock Debian 12 has.
# Idempotent: a stamp file in DEST records a hash of the package list; if it
# matches, nothing is done.  Any failure exits non-zero with a message.
#
# Environment:
#   EMU_DEBIAN_ARCH    Debian architecture: riscv64 (default) or arm64
#   EMU_DEBIAN_CACHE   cache dir (default <repo>/.cache/debian-ARCH)
#   DEBIAN_MIRROR      mirror URI (default: the first URIs: of the host's
#                      /etc/apt/sources.list.d/debian.sources that ends in
#                      /debian, else http://deb.debian.org/debian)
#   EMU_DEBIAN_FORCE=1 re-resolve and re-unpack even if the stamp matches
#   EMU_DEBIAN_PACKAGES  packages to unpack (default: what the tests need)
#   EMU_DEBIAN_REQUIRED  files that must exist in the root afterwards
# (bench/fetch-root.sh uses these three with its own cache for the bench root.)
set -euo pipefail

die() { echo "fetch.sh: ERROR: $*" >&2; exit 1; }
log() { echo "fetch.sh: $*" >&2; }

ARCH=${EMU_DEBIAN_ARCH:-riscv64}
case $ARCH in
    riscv64) TRIPLET=riscv64-linux-gnu LOADER=lib/ld-linux-riscv64-lp64d.so.1 ;;
    arm64) TRIPLET=aarch64-linux-gnu LOADER=lib/ld-linux-aarch64.so.1 ;;
    *) die "EMU_DEBIAN_ARCH=$ARCH: riscv64 or arm64" ;;
esac
# What the tests need.  Everything else is the dependency closure, computed by
# apt from the trixie Packages index.
PACKAGES=${EMU_DEBIAN_PACKAGES:-"busybox-static python3 perl sqlite3 lua5.4 dash coreutils xz-utils openssl"}
SUITE=trixie
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Files that must exist in the unpacked root (relative to it).
REQUIRED=${EMU_DEBIAN_REQUIRED:-"bin/busybox usr/bin/python3 usr/bin/perl usr/bin/sqlite3 usr/bin/lua5.4
bin/sh bin/dash usr/bin/ls usr/bin/tr usr/bin/wc usr/bin/xz usr/bin/openssl
$LOADER usr/lib/$TRIPLET/libc.so.6
usr/lib/python3.13/json/__init__.py usr/lib/python3.13/lib-dynload
usr/share/perl/5.40 usr/lib/$TRIPLET/libsqlite3.so.0"}
# Bump when the unpacking logic changes so old roots are rebuilt.
LAYOUT_VERSION=2

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${EMU_DEBIAN_CACHE:-$repo/.cache/debian-$ARCH}
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
stamp=$dest/.emu-debian-stamp

check_root() {  # $1 = root; prints missing files, returns 1 if any
    local r=$1 f bad=0
    for f in $REQUIRED; do
        if [ ! -e "$r/$f" ]; then echo "  missing: $f" >&2; bad=1; fi
    done
    return $bad
}

# One fetch at a time per cache (a second one waits, then finds it done).
mkdir -p "$cache"
if command -v flock >/dev/null; then
    exec 9>"$cache/.fetch.lock"
    flock 9
fi

if [ "${EMU_DEBIAN_FORCE:-0}" != 1 ] && [ -f "$stamp" ] &&
   [ "$(head -n1 "$stamp")" = "$stamp_hash" ] && check_root "$dest" 2>/dev/null; then
    log "up to date: $dest"
    exit 0
fi

# ---------------------------------------------------------------- private apt
mkdir -p "$aptroot"/etc/apt/sources.list.d "$aptroot"/etc/apt/apt.conf.d \
         "$aptroot"/etc/apt/preferences.d "$aptroot"/var/lib/apt/lists/partial \
         "$aptroot"/var/cache/apt "$aptroot"/var/lib/dpkg "$debs"/partial
: > "$aptroot/var/lib/dpkg/status"   # nothing is installed in the target
cat > "$aptroot/etc/apt/sources.list.d/$SUITE.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $SUITE
Components: main
Architectures: $ARCH
Signed-By: $KEYRING
EOF
# APT_CONFIG is read before anything else; since it moves Dir::Etc, the
# host's /etc/apt/apt.conf.d and sources are never read.
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
    # The _apt sandbox user may not be able to write into the repo's cache.
    echo 'APT::Sandbox::User "root";' >> "$aptroot/apt.conf"
fi
export APT_CONFIG=$aptroot/apt.conf
unset APT_CONFIG_DIR 2>/dev/null || true

log "apt-get update ($SUITE/$ARCH from $DEBIAN_MIRROR)"
apt-get -q update >"$aptroot/update.log" 2>&1 ||
    { cat "$aptroot/update.log" >&2; die "apt-get update failed (is $DEBIAN_MIRROR reachable?)"; }
# apt-get update exits 0 even when the index could not be fetched or verified.
if grep -qiE '^E: |^W: .*(fail|GPG|sign|NO_PUBKEY|Release)' "$aptroot/update.log"; then
    cat "$aptroot/update.log" >&2
    die "apt-get update could not fetch/verify the $SUITE index from $DEBIAN_MIRROR"
fi
grep -E '^W: ' "$aptroot/update.log" >&2 || true

# Closure: simulate installing into the empty status file.
# shellcheck disable=SC2086
apt-get -s install $PACKAGES >"$aptroot/resolve.log" 2>&1 ||
    { cat "$aptroot/resolve.log" >&2; die "cannot resolve: $PACKAGES"; }
closure=$(awk '/^Inst /{print $2}' "$aptroot/resolve.log" | sort)
[ -n "$closure" ] || die "empty dependency closure (see $aptroot/resolve.log)"
for p in $PACKAGES; do
    echo "$closure" | grep -qx "$p" || die "package $p not in the resolved closure"
done
log "closure: $(echo "$closure" | wc -l) packages"

log "downloading into $debs"
# --download-only with an empty status: fetches exactly the closure into
# Dir::Cache::archives, re-using (hash-checked) .debs already there.
# shellcheck disable=SC2086
apt-get -q -y --download-only install $PACKAGES >"$aptroot/download.log" 2>&1 ||
    { cat "$aptroot/download.log" >&2; die "download failed"; }

# Exact file names of the closure (the cache may hold stale versions).
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

# ---------------------------------------------------------------- unpack
tmp=$dest.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
log "unpacking ${#files[@]} packages"
for f in "${files[@]}"; do
    dpkg-deb -x "$f" "$tmp" || die "dpkg-deb -x failed on $f"
done

# Merged /usr (trixie ships everything under /usr; base-files, which we do not
# unpack, would normally create these links).
for d in bin sbin lib; do
    if [ -d "$tmp/$d" ] && [ ! -L "$tmp/$d" ]; then
        mkdir -p "$tmp/usr/$d"
        cp -a "$tmp/$d/." "$tmp/usr/$d/"
        rm -rf "${tmp:?}/$d"
    fi
    [ -e "$tmp/$d" ] || ln -s "usr/$d" "$tmp/$d"
done
# Maintainer scripts are not run; create the links they would make on a
# real system (/usr/bin/lua, /bin/sh).  Nothing else is added: the root is
# exactly the packages' contents, and the tests never write to it.
[ -e "$tmp/usr/bin/lua" ] || ln -s lua5.4 "$tmp/usr/bin/lua"
[ -e "$tmp/usr/bin/sh" ] || ln -s dash "$tmp/usr/bin/sh"

check_root "$tmp" || die "unpacked root is incomplete"

printf '%s\n%s\n--- resolved from %s %s/%s on %s\n%s' "$stamp_hash" "$stamp_content" \
    "$DEBIAN_MIRROR" "$SUITE" "$ARCH" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$versions" \
    > "$tmp/.emu-debian-stamp"

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$tmp" "$dest"
trap - EXIT

# Keep the cache small: drop .debs of superseded versions and the 50+ MB of
# package indexes (the next refresh re-downloads ~10 MB of them).
for f in "$debs"/*.deb; do
    keep=0
    for k in "${files[@]}"; do [ "$k" = "$f" ] && keep=1 && break; done
    [ $keep = 1 ] || rm -f "$f"
done
rm -rf "$aptroot"/var/lib/apt/lists "$aptroot"/var/cache/apt/*.bin
log "done: $dest ($(du -sh "$dest" | cut -f1)), debs $(du -sh "$debs" | cut -f1)"
