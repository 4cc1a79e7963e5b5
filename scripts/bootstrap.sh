# Sourced by the scripts here: make $ROOT/.venv (Python 3.11+) and install engagebot into it.
# Installs again only when pyproject.toml has changed since the last install. It leaves the
# working directory alone: engagebot reads .env and keeps its SQLite file where you are.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ ! -x "$ROOT/.venv/bin/python" ]]; then
    python=$(command -v python3.11 || command -v python3)
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || { echo "engagebot needs Python 3.11 or newer; $python is older" >&2; exit 1; }
    echo "Installing engagebot and its dependencies into $ROOT/.venv (once) ..." >&2
    "$python" -m venv "$ROOT/.venv"
fi
if [[ ! -f "$ROOT/.venv/.installed" || "$ROOT/pyproject.toml" -nt "$ROOT/.venv/.installed" ]]; then
    "$ROOT/.venv/bin/pip" install -q --disable-pip-version-check -e "$ROOT[dev]"
    touch "$ROOT/.venv/.installed"
fi
