#!/bin/sh
# mmdebstrap's customize hook for the base root: $1 = the new root, $2 = where to write the
# list of installed packages. Runs on the build host; `chroot` runs arm64 programs through
# qemu-user-static.
set -eu
root="$1"
here="$(cd "$(dirname "$0")" && pwd)"

cp -a "${here}/rootfs/." "${root}/"

# Debian's raspi-firmware writes config.txt and cmdline.txt on the boot partition from
# /etc/default/raspi-firmware at every kernel install. In a chroot it cannot see the
# root device or the UART, so say both: the root by its label, the console on the UART
# of the 40-pin header (ttyS1 on a Pi 3, 4 and Zero 2 W) and the screen.
cat >> "${root}/etc/default/raspi-firmware" <<'CONF'

# The box (image/debian/customize-base.sh): root by label, consoles on the screen and UART.
ROOTPART="LABEL=ASPAROOT"
CONSOLES="tty0 ttyS1,115200"
CONF
for kernel in "${root}"/boot/vmlinuz-*; do
    chroot "${root}" env DEB_MAINT_PARAMS=configure \
        /etc/kernel/postinst.d/z50-raspi-firmware "${kernel#"${root}"/boot/vmlinuz-}"
done

chroot "${root}" systemctl enable systemd-networkd.service systemd-resolved.service \
    systemd-timesyncd.service ssh.service
# Each box makes its own SSH host keys at first boot (aspa-firstboot); root has no password.
rm -f "${root}"/etc/ssh/ssh_host_*
chroot "${root}" passwd --lock root >/dev/null

chroot "${root}" dpkg-query -W -f='${Package} ${Version} ${Architecture}\n' > "$2"
rm -rf "${root}"/var/lib/apt/lists/* "${root}"/var/cache/apt/*.bin
