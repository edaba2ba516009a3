# Shared by scripts/run and scripts/test: find Python 3.12, make the venv, install, compile.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_312() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; }

find_python() {
    local candidate root
    if [ -n "${OPES_PYTHON:-}" ]; then
        is_312 "$OPES_PYTHON" || die "OPES_PYTHON=$OPES_PYTHON is not Python 3.12"
        echo "$OPES_PYTHON"; return
    fi
    for candidate in python3.12 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && is_312 "$(command -v "$candidate")"; then
            command -v "$candidate"; return
        fi
    done
    # pyenv shims answer only for the selected version: look in pyenv's folder directly.
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root)"
        for candidate in "$root"/versions/3.12*/bin/python3.12; do
            if [ -x "$candidate" ] && is_312 "$candidate"; then echo "$candidate"; return; fi
        done
    fi
    die "Python 3.12 is needed and none was found. Install it (Debian/Ubuntu: 'apt-get install python3.12 python3.12-venv'; pyenv: 'pyenv install 3.12'), or point OPES_PYTHON at one."
}

# pip_install ARGS: pip into the venv, quiet. -qq: setuptools' notice that an editable
# install exists reads like a failure to a new user and is not one; errors still show.
pip_install() {
    "$VENV/bin/python" -m pip install -qq --disable-pip-version-check "$@" 2>&1 \
        | grep -v "^WARNING: Location" || true
}

# make_venv EXTRA: create .venv (once) and install the project with the given extra,
# skipping pip when neither the extra nor pyproject.toml changed since the last install.
make_venv() {
    local extra="$1" python stamp want
    if [ ! -x "$VENV/bin/python" ] || ! is_312 "$VENV/bin/python"; then
        python="$(find_python)"
        say "creating $VENV with $python"
        rm -rf "$VENV"
        "$python" -m venv "$VENV" || die "could not create a virtual environment (Debian: apt-get install python3.12-venv)"
        pip_install --upgrade pip
    fi
    stamp="$VENV/.opes-installed"
    want="$extra $(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
        say "installing opes-lti[$extra] into $VENV"
        pip_install -e "$ROOT[$extra]"
        "$VENV/bin/python" -c "import opes_lti" || die "installation failed"
        if [ "$extra" = test ]; then
            # The XBlocks, for their tests in xblock-sdk's runtime (their dependencies,
            # XBlock and web-fragments, come with xblock-sdk).
            pip_install --no-deps -e "$ROOT/xblocks"
        fi
        # A test install includes the server one: remember both as satisfied. (An `if`,
        # not `[ ] && echo`: under `set -e` the latter's status 1 ended the script.)
        {
            echo "$want"
            if [ "$extra" = test ]; then echo "server ${want#* }"; fi
        } > "$stamp"
    fi
}

compile_catalogs() {
    "$VENV/bin/pybabel" -q compile --use-fuzzy -d "$ROOT/opes_lti/translations" >/dev/null \
        || die "could not compile the translation catalogs"
    # The XBlocks' catalogs, in the domain Open edX's XBlock i18n service reads ("text").
    "$VENV/bin/pybabel" -q compile --use-fuzzy -D text -d "$ROOT/xblocks/opes_xblocks/translations" \
        >/dev/null || die "could not compile the XBlock translation catalogs"
}
