#!/bin/bash -e
# Start from the previous stage's tree (pi-gen's own stages do the same).
if [ ! -d "${ROOTFS_DIR}" ]; then
    copy_previous
fi
