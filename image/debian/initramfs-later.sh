#!/bin/sh
# mmdebstrap hooks: make the initramfs once, after every package is in, instead of at the
# kernel's install and again at each trigger (the kernel, udev, kmod, busybox, overlayroot):
# each run copies ~1,500 modules through qemu-user and takes minutes.
#
#   initramfs-later.sh ROOT hold   essential hook: update-initramfs diverted to a no-op
#   initramfs-later.sh ROOT make   customize hook: the real one back, run once for the kernel
set -eu
root="$1"
case "$2" in
hold)
    chroot "${root}" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs
    printf '#!/bin/sh\n# held by image/debian/initramfs-later.sh until every package is in\nexit 0\n' \
        > "${root}/usr/sbin/update-initramfs"
    chmod 755 "${root}/usr/sbin/update-initramfs"
    ;;
make)
    rm -f "${root}/usr/sbin/update-initramfs"
    chroot "${root}" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
    for kernel in "${root}"/boot/vmlinuz-*; do
        chroot "${root}" update-initramfs -c -k "${kernel#"${root}"/boot/vmlinuz-}"
    done
    ;;
esac
