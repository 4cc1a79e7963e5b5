"""The page templates ship with the package: pyproject.toml's package data names every file
in `bot/statements/templates/` (setuptools copies only what it names into the wheel and the
sdist), and the Docker image installs the package from a copy of `bot/`.

There is no Docker engine or package build in CI, so the configuration is read and matched
as setuptools and Docker match it (`glob` with `**` recursive; .dockerignore's patterns).
"""

from __future__ import annotations

import fnmatch
import glob
import re
import tomllib
from pathlib import Path

from bot.statements.pages import TEMPLATES, page_templates

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_ROOT = REPO_ROOT / "bot" / "statements"
TEMPLATE_ROOT = PACKAGE_ROOT / TEMPLATES


def template_files() -> set[str]:
    """Every file under bot/statements/templates/, as a path from there."""
    return {
        path.relative_to(TEMPLATE_ROOT).as_posix()
        for path in TEMPLATE_ROOT.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_package_data_names_every_template() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["bot.statements"]
    shipped = {
        Path(found).relative_to(PACKAGE_ROOT).as_posix()
        for pattern in patterns
        for found in glob.glob(str(PACKAGE_ROOT / pattern), recursive=True)
    }
    assert template_files()  # the statements' pages at least
    assert {f"{TEMPLATES}/{name}" for name in template_files()} <= shipped


def test_pages_load_every_template_from_the_package() -> None:
    assert set(page_templates().list_templates()) == template_files()
    for name in page_templates().list_templates():
        page_templates().get_template(name)  # each compiles


def test_the_docker_image_installs_the_package_with_its_templates() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^COPY bot/ bot/$", dockerfile, re.MULTILINE)
    install = re.search(r"^RUN pip install (.* \.)(?: &&.*)?$", dockerfile, re.MULTILINE)
    assert install and "-e" not in install.group(1).split()
    patterns = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for name in template_files():
        assert excluded_by(f"bot/statements/{TEMPLATES}/{name}", patterns) is None


def excluded_by(path: str, patterns: list[str]) -> str | None:
    """The .dockerignore pattern that leaves `path` (or a folder it is in) out of the build
    context, if one does. fnmatch's `*` also matches `/`, so this errs on the side of
    finding one."""
    parts = path.split("/")
    for end in range(1, len(parts) + 1):
        for pattern in patterns:
            if pattern.startswith("**/"):
                if fnmatch.fnmatch(parts[end - 1], pattern.removeprefix("**/")):
                    return pattern
            elif fnmatch.fnmatch("/".join(parts[:end]), pattern):
                return pattern
    return None


def test_what_docker_leaves_out_is_found() -> None:
    patterns = [".venv", "**/__pycache__", "*.sqlite"]
    assert excluded_by("bot/statements/templates/x.html", patterns) is None
    assert excluded_by("bot/__pycache__/x.pyc", patterns) == "**/__pycache__"
    assert excluded_by(".venv/lib/x.py", patterns) == ".venv"
    assert (
        excluded_by("bot/statements/templates/statements/page.html", ["bot/statements/templates"])
        is not None
    )


WEB_ROOT = REPO_ROOT / "handlers" / "web"


def test_package_data_names_every_file_of_the_public_site() -> None:
    """Its templates and Welsh catalogue (committed), and its built assets (static/)."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["handlers.web"]
    shipped = {
        Path(found).relative_to(WEB_ROOT).as_posix()
        for pattern in patterns
        for found in glob.glob(str(WEB_ROOT / pattern), recursive=True)
    }
    needed = {
        path.relative_to(WEB_ROOT).as_posix()
        for folder in ("templates", "locale", "static")
        for path in (WEB_ROOT / folder).rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }
    assert "static/site.css" in needed and "locale/cy/LC_MESSAGES/messages.po" in needed
    assert needed <= shipped


def test_the_docker_image_builds_the_public_sites_assets() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^RUN scripts/build_assets$", dockerfile, re.MULTILINE)
    assert re.search(
        r"^COPY --from=assets /build/handlers/web/static/ handlers/web/static/$",
        dockerfile,
        re.MULTILINE,
    )
