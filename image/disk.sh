#!/bin/bash
# The card's image from an assembled root and data folder: three partitions, all made here.
#
#   image/disk.sh ROOT DATA OUT.img
#
#   1  ASPABOOT  FAT32, 256 MiB   the Pi's firmware, config.txt, cmdline.txt, kernel, initrd
#                                 and device trees (ROOT/boot/firmware, which raspi-firmware
#                                 filled); mounted at /boot/firmware
#   2  ASPAROOT  ext4             the system, with room for upgrades; may be read-only
#   3  ASPADATA  ext4, 256 MiB    /data: Aspa's database, settings and the broker's data;
#                                 first boot grows it to the end of the card
#
# MBR partition table (a Pi 3 boots from nothing else). The file systems are made from the
# folders (mkfs.ext4 -d, mtools): no loop devices and no mounts, so it runs anywhere.
set -euo pipefail

root="${1:?usage: disk.sh ROOT DATA OUT.img}"
data="${2:?usage: disk.sh ROOT DATA OUT.img}"
out="${3:?usage: disk.sh ROOT DATA OUT.img}"
MIB=$((1024 * 1024))
lead_mib=4          # before the first partition: the table, and erase-block alignment
boot_mib=256
data_mib=256
# The root gets what it holds plus a third, and at least 512 MiB free, for upgrades.
used_mib=$(( $(du -sx --block-size=1M --exclude=./boot/firmware "${root}" | cut -f1) ))
root_mib=$(( used_mib + (used_mib / 3 > 512 ? used_mib / 3 : 512) ))
root_mib=$(( (root_mib + 3) / 4 * 4 ))

work="$(mktemp -d "$(dirname "${out}")/.disk.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

# 1: the boot partition, from what raspi-firmware put in /boot/firmware.
mkfs.vfat -F 32 -n ASPABOOT -C "${work}/boot.part" $(( boot_mib * 1024 )) >/dev/null
mcopy -s -p -m -i "${work}/boot.part" "${root}"/boot/firmware/* ::/
find "${root}/boot/firmware" -mindepth 1 -delete  # on the box it is only a mount point

# 2 and 3: ext4 from the folders; owners, modes and extended attributes kept.
mkfs.ext4 -q -L ASPAROOT -d "${root}" "${work}/root.part" "${root_mib}M"
mkfs.ext4 -q -L ASPADATA -m 1 -d "${data}" "${work}/data.part" "${data_mib}M"

boot_start=$(( lead_mib * MIB / 512 ))
root_start=$(( boot_start + boot_mib * MIB / 512 ))
data_start=$(( root_start + root_mib * MIB / 512 ))
total_mib=$(( lead_mib + boot_mib + root_mib + data_mib ))
rm -f "${out}"
truncate -s "${total_mib}M" "${out}"
sfdisk --quiet "${out}" <<TABLE
label: dos
unit: sectors
start=${boot_start}, size=$(( boot_mib * MIB / 512 )), type=c, bootable
start=${root_start}, size=$(( root_mib * MIB / 512 )), type=83
start=${data_start}, size=$(( data_mib * MIB / 512 )), type=83
TABLE
for part in boot:${boot_start} root:${root_start} data:${data_start}; do
    dd if="${work}/${part%%:*}.part" of="${out}" bs=1M seek=$(( ${part#*:} * 512 / MIB )) \
        conv=notrunc,sparse status=none
done
echo "${out}: ${total_mib} MiB (boot ${boot_mib}, root ${root_mib} with ${used_mib} used, data ${data_mib})"
