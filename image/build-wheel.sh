#!/bin/bash
# Build Aspa's wheel from this repository into the pi-gen stage, where 00-run.sh finds it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
files="${here}/stage-aspa/00-aspa/files"
rm -f "${files}"/aspa-*.whl
python3 -m pip wheel --no-deps --no-build-isolation --wheel-dir "${files}" "${here}/.."
ls -l "${files}"/aspa-*.whl
