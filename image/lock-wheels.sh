#!/bin/bash
# Write image/wheels.lock: every Python package the box's virtual env needs, as the arm64
# wheel for the image's Python (Debian bookworm: CPython 3.11, glibc 2.36), pinned to the
# versions the tests ran with (the test env in .venv) and locked by SHA-256. scripts/image
# fetches exactly these files (`pip download --require-hashes`) and the image installs them
# with `pip install --require-hashes --no-index`: the same lock gives the same image.
#
#   image/lock-wheels.sh        after a dependency in pyproject.toml changed; commit the lock
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
venv="${ASPA_VENV:-${repo}/.venv}"
lock="${repo}/image/wheels.lock"
work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT

# The box's dependencies: the package's own, and lgpio, the GPIO library gpiozero uses on the
# Pi (Debian has no python3-lgpio; PyPI's wheel carries the C library).
"${venv}/bin/python" - "${repo}/pyproject.toml" > "${work}/requirements" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as handle:
    print("\n".join(tomllib.load(handle)["project"]["dependencies"]))
print("lgpio>=0.2")
PY
"${venv}/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable \
    > "${work}/constraints"

# shellcheck source=image/wheel-platform.sh
. "${repo}/image/wheel-platform.sh"
"${venv}/bin/python" -m pip download --quiet --disable-pip-version-check --dest "${work}/wheels" \
    "${ASPA_WHEEL_PLATFORM[@]}" -c "${work}/constraints" -r "${work}/requirements"

{
    echo "# The box's Python packages: arm64 wheels for CPython 3.11, locked by hash."
    echo "# Written by image/lock-wheels.sh from the versions the tests ran with; do not edit."
    for wheel in "${work}"/wheels/*.whl; do
        file="$(basename "${wheel}")"
        name="${file%%-*}"
        rest="${file#*-}"
        echo "${name}==${rest%%-*} \\"
        echo "    --hash=sha256:$(sha256sum "${wheel}" | cut -d' ' -f1)"
    done
} > "${lock}"
echo "wrote ${lock}: $(grep -c -- '--hash' "${lock}") wheels"
