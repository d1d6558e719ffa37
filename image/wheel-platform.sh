# shellcheck shell=bash
# The wheels the image can run: arm64 binary wheels for CPython 3.11 with glibc up to 2.36
# (Debian bookworm), or pure-Python ones. Sourced by lock-wheels.sh and scripts/image.
ASPA_WHEEL_PLATFORM=(--only-binary=:all: --implementation cp --python-version 3.11 --abi cp311
    --abi abi3 --abi none
    --platform manylinux_2_36_aarch64 --platform manylinux_2_35_aarch64
    --platform manylinux_2_34_aarch64 --platform manylinux_2_28_aarch64
    --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64 --platform any)
