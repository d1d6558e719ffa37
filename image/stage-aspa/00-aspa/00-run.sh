#!/bin/bash -e
# Aspa's pi-gen sub-stage: put the package, the units, the rules and the broker's settings
# into the image and enable them. pi-gen runs this on the build host with the target tree in
# ROOTFS_DIR and this folder as the working directory (build.sh: run_sub_stage).

ASPA_REPO="${ASPA_REPO:-$(cd ../../.. && pwd)}"
SYSTEMD="${ASPA_REPO}/systemd"

# The wheel is built from this repository by image/build-wheel.sh before the build.
WHEEL="$(find files -maxdepth 1 -name 'aspa-*.whl' | sort -V | tail -n 1)"
if [ -z "${WHEEL}" ]; then
    echo "no aspa-*.whl in $(pwd)/files: run image/build-wheel.sh first" >&2
    exit 1
fi

# The package and its tools.
install -d -m 755 "${ROOTFS_DIR}/opt/aspa" "${ROOTFS_DIR}/opt/aspa/bin" \
    "${ROOTFS_DIR}/opt/aspa/wheels" "${ROOTFS_DIR}/opt/aspa/share" \
    "${ROOTFS_DIR}/opt/aspa/share/udev" "${ROOTFS_DIR}/opt/aspa/share/mosquitto" \
    "${ROOTFS_DIR}/opt/aspa/share/docs" "${ROOTFS_DIR}/opt/aspa/share/image"
install -m 644 "${WHEEL}" "${ROOTFS_DIR}/opt/aspa/wheels/"
install -m 755 files/aspa-firstboot files/aspa-readonly "${ROOTFS_DIR}/opt/aspa/bin/"
install -m 644 files/aspa.toml.in "${ASPA_REPO}/aspa.example.toml" "${ROOTFS_DIR}/opt/aspa/share/"
install -m 644 "${ASPA_REPO}/README.md" "${ROOTFS_DIR}/opt/aspa/share/"
install -m 644 "${ASPA_REPO}/docs/updates.md" "${ROOTFS_DIR}/opt/aspa/share/docs/"
install -m 644 "${ASPA_REPO}/image/README.md" "${ROOTFS_DIR}/opt/aspa/share/image/"

# systemd: the service, first boot, the nightly backup, and the static user.
install -d -m 755 "${ROOTFS_DIR}/etc/systemd/system" "${ROOTFS_DIR}/usr/lib/sysusers.d"
install -m 644 "${SYSTEMD}/aspa.service" "${SYSTEMD}/aspa-firstboot.service" \
    "${SYSTEMD}/aspa-backup.service" "${SYSTEMD}/aspa-backup.timer" \
    "${ROOTFS_DIR}/etc/systemd/system/"
install -m 644 "${SYSTEMD}/aspa.sysusers.conf" "${ROOTFS_DIR}/usr/lib/sysusers.d/aspa.conf"

# udev: the USB modems' stable names. The UART rule is for SIM800 HATs only: kept aside.
install -d -m 755 "${ROOTFS_DIR}/etc/udev/rules.d"
install -m 644 "${SYSTEMD}/udev/90-aspa-gsm-modem.rules" "${ROOTFS_DIR}/etc/udev/rules.d/"
install -m 644 "${SYSTEMD}/udev/99-gsm-modem-uart.rules" "${ROOTFS_DIR}/opt/aspa/share/udev/"

# mDNS: http://aspa.local.
install -d -m 755 "${ROOTFS_DIR}/etc/avahi/services"
install -m 644 "${SYSTEMD}/avahi/aspa.service" "${ROOTFS_DIR}/etc/avahi/services/aspa.service"

# Mosquitto: the box's listeners and the desk units' ACL; the password file is made at
# first boot, so no two boxes share a password.
install -d -m 755 "${ROOTFS_DIR}/etc/mosquitto/conf.d"
install -m 644 "${SYSTEMD}/mosquitto/aspa.conf" "${ROOTFS_DIR}/etc/mosquitto/conf.d/aspa.conf"
install -m 644 "${SYSTEMD}/mosquitto/aspa.acl" "${ROOTFS_DIR}/etc/mosquitto/aspa.acl"
for example in "${SYSTEMD}"/mosquitto/*.example; do
    [ -e "${example}" ] && install -m 644 "${example}" "${ROOTFS_DIR}/opt/aspa/share/mosquitto/"
done

# The backup stick's automount, once.
install -d -m 755 "${ROOTFS_DIR}/media/aspa-backup"
if ! grep -q "LABEL=ASPA-BACKUP" "${ROOTFS_DIR}/etc/fstab" 2>/dev/null; then
    cat files/fstab-backup-stick >> "${ROOTFS_DIR}/etc/fstab"
fi

WHEEL_NAME="$(basename "${WHEEL}")"
on_chroot << EOF
systemd-sysusers
python3 -m venv --system-site-packages /opt/aspa/venv
/opt/aspa/venv/bin/pip install --no-cache-dir /opt/aspa/wheels/${WHEEL_NAME}
systemctl enable aspa-firstboot.service aspa.service aspa-backup.timer mosquitto.service avahi-daemon.service
EOF
