#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 (bookworm) x86-64 host:
# the riscv64 cross compiler (+ lld-19 for static links), qemu-user 10 from
# bookworm-backports (comparison peer only), cmake (softfloat-sys builds with it),
# gdb-multiarch (the gdbstub's client in tests/gdb.rs), and util-linux/binutils
# for the binfmt_misc tests (setpriv, mount, readelf), libc6-dev's static libc
# for the statically linked emulator they build.
# Foreign riscv64 packages come from tests/debian/fetch.sh, which uses a private
# apt root so the host's apt never sees trixie. Idempotent.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "install-deps.sh: must run as root (apt-get)" >&2; exit 1; }

uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
key=/usr/share/keyrings/debian-archive-keyring.gpg

if [ ! -f /etc/apt/sources.list.d/emu-backports.sources ]; then
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: %s\n' \
    "$uri" "$key" >/etc/apt/sources.list.d/emu-backports.sources
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross lld-19 file cmake gdb-multiarch libc6-dev \
  util-linux binutils >/dev/null
apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-user >/dev/null
echo "install-deps: ok ($(riscv64-linux-gnu-gcc --version | head -1); $(qemu-riscv64 --version | head -1))"
