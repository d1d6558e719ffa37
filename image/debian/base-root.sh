#!/bin/bash
# The box's base root: Debian bookworm for arm64 with the packages in ./packages and the
# files in ./rootfs, made by mmdebstrap (through qemu-user-static on a non-arm64 host).
#
#   image/debian/base-root.sh CACHE_DIR      prints the path of CACHE_DIR/base-<key>.tar
#
# The key is the hash of every file in image/debian/ (this script, the package list,
# customize-base.sh and rootfs/): the same inputs reuse
# the tarball already in CACHE_DIR; a changed input builds a new one (about 25 minutes on
# two cores). Packages come from the Debian archive, checked by apt against its signed
# Release files; what was installed is listed in base-<key>.manifest beside the tarball.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: base-root.sh CACHE_DIR}"
release=bookworm
mirror="${ASPA_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${ASPA_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"

key="$(cd "${here}" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)"
tarball="${cache}/base-${key}.tar"
partial="${cache}/base-${key}.partial.tar"
if [ -s "${tarball}" ]; then
    echo "${tarball}"
    exit 0
fi

mkdir -p "${cache}"
packages="$(sed -e 's/#.*//' "${here}/packages" | xargs | tr ' ' ',')"
components="main non-free-firmware"
log="${cache}/base-${key}.log"
echo "base root: building ${tarball} (log: ${log})" >&2

# dpkg leaves out manuals, translations and documentation, keeping the copyright files.
mmdebstrap --mode=root --arch=arm64 --variant=apt --components="${components// /,}" \
    --include="${packages}" \
    --aptopt='Acquire::Retries "5"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --essential-hook="'${here}/initramfs-later.sh' \"\$1\" hold" \
    --customize-hook="'${here}/initramfs-later.sh' \"\$1\" make" \
    --customize-hook="'${here}/customize-base.sh' \"\$1\" '${cache}/base-${key}.manifest'" \
    "${release}" "${partial}" \
    "deb ${mirror} ${release} ${components}" \
    "deb ${mirror} ${release}-updates ${components}" \
    "deb ${security} ${release}-security ${components}" \
    >"${log}" 2>&1 || { tail -n 30 "${log}" >&2; echo "base root: mmdebstrap failed (log: ${log})" >&2; exit 1; }
mv "${partial}" "${tarball}"
echo "${tarball}"
