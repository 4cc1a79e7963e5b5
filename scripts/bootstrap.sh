# Sourced by the scripts here: make $ROOT/.venv (Python 3.11+) and install engagebot into it:
# the releases requirements-dev.lock pins (their files' hashes checked), then the package
# itself, editable. Installs again only when the lock or pyproject.toml has changed since the
# last install. It leaves the working directory alone: engagebot reads .env and keeps its
# SQLite file where you are.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ ! -x "$ROOT/.venv/bin/python" ]]; then
    python=$(command -v python3.11 || command -v python3)
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "engagebot needs Python 3.11 or newer; $python is older" >&2; exit 1; }
    echo "Installing engagebot and its dependencies into $ROOT/.venv (once) ..." >&2
    "$python" -m venv "$ROOT/.venv"
fi
# What was installed from: a change to either file (a pull, a branch) installs again.
installed_from="$(cat "$ROOT/requirements-dev.lock" "$ROOT/pyproject.toml" | cksum)"
if [[ "$(cat "$ROOT/.venv/.installed" 2>/dev/null)" != "$installed_from" ]]; then
    pip=("$ROOT/.venv/bin/pip" --disable-pip-version-check)
    "${pip[@]}" install -q --require-hashes -r "$ROOT/requirements-dev.lock"
    "${pip[@]}" install -q --no-deps -e "$ROOT"
    # A dependency added to pyproject.toml and not to the lock is missing here.
    if ! missing="$("${pip[@]}" check)"; then
        echo "$missing" >&2
        echo "requirements-dev.lock is out of step with pyproject.toml: run scripts/lock" >&2
        exit 1
    fi
    echo "$installed_from" >"$ROOT/.venv/.installed"
fi
# The public site's assets (handlers/web/static/, not committed) and axe-core for the browser
# tests: built again only when package-lock.json or their sources change. They need npm; a
# machine with only Python runs everything else (the pages then come without their styles,
# and the browser tests skip), except in CI, which must build them.
if command -v npm >/dev/null || [[ -n "${CI:-}" ]]; then
    "$ROOT/scripts/build_assets"
elif [[ ! -d "$ROOT/handlers/web/static" ]]; then
    echo "npm not found: the public site's styles are not built (Debian: apt-get install npm)" >&2
fi
