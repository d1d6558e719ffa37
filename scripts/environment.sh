# Sourced by scripts/demo and scripts/test: make sure Python 3.11+, a virtual env
# with Aspa installed, and (for tests, as root) the Debian packages of the test peers.
# shellcheck shell=bash

ASPA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ASPA_VENV=${ASPA_VENV:-$ASPA_ROOT/.venv}

aspa_say() { printf 'aspa: %s\n' "$*" >&2; }

aspa_is_root() { [ "$(id -u)" -eq 0 ]; }

aspa_apt_install() {
    # Install Debian packages when root; otherwise say exactly what is missing.
    local missing=("$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    if aspa_is_root && command -v apt-get >/dev/null 2>&1; then
        aspa_say "installing Debian packages: ${missing[*]}"
        if [ ! -f /var/lib/aspa-apt-updated ] || [ -n "$(find /var/lib/apt/lists -maxdepth 0 -mmin +720 2>/dev/null)" ]; then
            apt-get update -qq && touch /var/lib/aspa-apt-updated
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
            || { aspa_say "apt-get install failed for: ${missing[*]}"; return 1; }
    else
        aspa_say "missing Debian packages: ${missing[*]}"
        aspa_say "install them with: sudo apt-get install ${missing[*]}"
        return 1
    fi
}

aspa_python() {
    # The interpreter to build the env with: python3 >= 3.11.
    local py
    for py in python3.11 python3.12 python3.13 python3; do
        if command -v "$py" >/dev/null 2>&1 \
            && "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$py"; return 0
        fi
    done
    aspa_say "Python 3.11 or newer is needed (Debian 12: apt-get install python3)"
    return 1
}

aspa_venv() {
    # Create or refresh the virtual env; $1 = pip extras ("" or "test").
    local extras=$1 py stamp want
    py=$(aspa_python) || return 1
    if ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        aspa_apt_install python3-venv || return 1
    fi
    if [ ! -x "$ASPA_VENV/bin/python" ]; then
        aspa_say "creating the virtual env in $ASPA_VENV"
        "$py" -m venv "$ASPA_VENV" || return 1
    fi
    stamp="$ASPA_VENV/.aspa-installed"
    want="$(sha256sum "$ASPA_ROOT/pyproject.toml" | cut -c1-16) ${extras}"
    if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
        aspa_say "installing Aspa and its Python packages${extras:+ (with $extras extras)}"
        "$ASPA_VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null || return 1
        "$ASPA_VENV/bin/python" -m pip install -q --disable-pip-version-check \
            -e "$ASPA_ROOT${extras:+[$extras]}" || return 1
        echo "$want" >"$stamp"
    fi
}
