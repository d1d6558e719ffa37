#!/bin/bash
# Aspa's layer: what makes a Debian root the box. The one copy of it, used by scripts/image.
#
#   image/layer/install.sh ROOT DATA WHEELHOUSE
#
# ROOT is the target root file system (a folder), DATA the folder that becomes the data
# partition (ASPADATA, mounted at /data), WHEELHOUSE a folder with Aspa's wheel and the
# wheels of image/wheels.lock. Files go in from this repository; what must run inside the
# target (the virtual env, pip) runs through $ASPA_IN_TARGET (default: chroot ROOT), which
# runs arm64 programs through qemu-user-static on another host.
set -euo pipefail
trap 'echo "install.sh: line ${LINENO} failed (exit $?): ${BASH_COMMAND}" >&2' ERR

root="$(realpath "${1:?usage: install.sh ROOT DATA WHEELHOUSE}")"
data="$(realpath "${2:?usage: install.sh ROOT DATA WHEELHOUSE}")"
wheelhouse="$(realpath "${3:?usage: install.sh ROOT DATA WHEELHOUSE}")"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
systemd="${repo}/systemd"
files="${here}/files"
# In the target, a clean environment: the build host's PIP_* or PYTHON* settings stay out.
read -r -a in_target <<< "${ASPA_IN_TARGET:-chroot ${root} env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8}"

wheel="$(find "${wheelhouse}" -maxdepth 1 -name 'aspa-*.whl' | sort -V | tail -n 1)"
if [ -z "${wheel}" ]; then
    echo "install.sh: no aspa-*.whl in ${wheelhouse}: scripts/image builds it" >&2
    exit 1
fi

# The package and its tools.
install -d -m 755 "${root}/opt/aspa/bin" "${root}/opt/aspa/wheels" \
    "${root}/opt/aspa/share/udev" "${root}/opt/aspa/share/mosquitto" \
    "${root}/opt/aspa/share/docs" "${root}/opt/aspa/share/image"
install -m 644 "${wheelhouse}"/*.whl "${repo}/image/wheels.lock" "${root}/opt/aspa/wheels/"
install -m 755 "${files}/aspa-firstboot" "${files}/aspa-readonly" "${files}/aspa-uart-modem" \
    "${root}/opt/aspa/bin/"
install -m 644 "${files}/aspa.toml.in" "${repo}/aspa.example.toml" "${repo}/README.md" \
    "${root}/opt/aspa/share/"
install -m 644 "${repo}/docs/updates.md" "${root}/opt/aspa/share/docs/"
install -m 644 "${repo}/image/README.md" "${root}/opt/aspa/share/image/"

# systemd: the service, first boot, the UART helper, the nightly backup, the static user.
install -d -m 755 "${root}/etc/systemd/system" "${root}/usr/lib/sysusers.d"
install -m 644 "${systemd}"/*.service "${systemd}"/*.timer "${systemd}"/*.path \
    "${root}/etc/systemd/system/"
install -m 644 "${systemd}/aspa.sysusers.conf" "${root}/usr/lib/sysusers.d/aspa.conf"
systemd-sysusers --root="${root}" "${root}/usr/lib/sysusers.d/aspa.conf"

# udev: the GPIO chips for the gpio group; the USB modems' stable names and models. The UART rule is for SIM800 HATs only:
# aspa-uart-modem installs it when aspa.toml names the UART modem (/dev/gsm-modem-uart).
install -d -m 755 "${root}/etc/udev/rules.d"
install -m 644 "${systemd}/udev/60-aspa-gpio.rules" "${systemd}/udev/90-aspa-gsm-modem.rules" \
    "${root}/etc/udev/rules.d/"
install -m 644 "${systemd}/udev/99-gsm-modem-uart.rules" "${root}/opt/aspa/share/udev/"

# mDNS: http://aspa.local.
install -d -m 755 "${root}/etc/avahi/services"
install -m 644 "${systemd}/avahi/aspa.service" "${root}/etc/avahi/services/aspa.service"

# Mosquitto: the box's listeners and the desk units' ACL; the password file is made at
# first boot, so no two boxes share a password.
install -d -m 755 "${root}/etc/mosquitto/conf.d"
install -m 644 "${systemd}/mosquitto/aspa.conf" "${root}/etc/mosquitto/conf.d/aspa.conf"
install -m 644 "${systemd}/mosquitto/aspa.acl" "${root}/etc/mosquitto/aspa.acl"
install -m 644 "${systemd}"/mosquitto/*.example "${root}/opt/aspa/share/mosquitto/"

# The data partition: the state folders move onto it (owners and modes kept) and are bound
# back in their places, so the root may be read-only. Made here, at build time: first boot
# only grows it to fill the card.
install -d -m 755 "${root}/data" "${root}/media/aspa-backup"
install -d -m 755 "${data}"
aspa_ids="$(awk -F: '$1 == "aspa" { print $3 ":" $4 }' "${root}/etc/passwd")"
# (folder on the data partition, where it is bound, owner; empty = as the package made it)
# /etc/aspa belongs to aspa: the web page saves the settings there (aspa.toml, secrets).
for entry in "aspa /var/lib/aspa ${aspa_ids}" "etc-aspa /etc/aspa ${aspa_ids}" \
        "mosquitto /var/lib/mosquitto"; do
    read -r name target owner <<< "${entry}"
    install -d "${root}${target}"
    rm -rf "${data:?}/${name}"
    cp -a "${root}${target}" "${data}/${name}"
    find "${root}${target}" -mindepth 1 -delete
    if [ -n "${owner}" ]; then
        chown "${owner}" "${data}/${name}"
        chmod 750 "${data}/${name}"
    fi
done
if ! grep -q "LABEL=ASPADATA" "${root}/etc/fstab"; then
    cat "${files}/fstab-data" >> "${root}/etc/fstab"
fi
if ! grep -q "LABEL=ASPA-BACKUP" "${root}/etc/fstab"; then
    cat "${files}/fstab-backup-stick" >> "${root}/etc/fstab"
fi

# Python: a virtual env (PEP 668) from the locked wheels only, checked against their hashes;
# then Aspa's own wheel, whose dependencies are all in place by then.
"${in_target[@]}" python3 -m venv /opt/aspa/venv
"${in_target[@]}" /opt/aspa/venv/bin/pip install --quiet --no-cache-dir --no-index \
    --disable-pip-version-check --find-links /opt/aspa/wheels --require-hashes \
    --only-binary=:all: -r /opt/aspa/wheels/wheels.lock
"${in_target[@]}" /opt/aspa/venv/bin/pip install --quiet --no-cache-dir --no-index \
    --disable-pip-version-check --no-deps "/opt/aspa/wheels/$(basename "${wheel}")"
"${in_target[@]}" /opt/aspa/venv/bin/pip check --disable-pip-version-check
# Bytecode now: on the box /opt is read-only to the service (ProtectSystem=strict), so what
# is not compiled here would be compiled again at every start, slowly on a Pi.
"${in_target[@]}" /opt/aspa/venv/bin/python -m compileall -q /opt/aspa/venv/lib

# An appliance is upgraded on purpose (docs/updates.md), not by apt's daily timers.
systemctl --root="${root}" mask apt-daily.timer apt-daily-upgrade.timer >/dev/null
systemctl --root="${root}" enable aspa-firstboot.service aspa.service aspa-backup.timer \
    aspa-uart-modem.path mosquitto.service avahi-daemon.service >/dev/null
