"""The README stays short and its links lead somewhere; the documentation in docs/ keeps up
with what it documents. (Its links and anchors are checked by `mkdocs build --strict`, in
scripts/test.)"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
README_MOST_BYTES = 12_000  # what a team lead reads in one go; depth goes to docs/
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_the_readme_stays_under_12_kb() -> None:
    size = len(README.read_bytes())
    assert size < README_MOST_BYTES, (
        f"README.md is {size:,} bytes, over {README_MOST_BYTES:,}: move the detail to docs/"
    )


def test_the_readmes_links_lead_to_files_that_exist() -> None:
    targets = [
        target.split("#")[0]
        for target in LINK.findall(README.read_text(encoding="utf-8"))
        if not target.startswith(("http://", "https://", "#"))
    ]
    assert "docs/index.md" in targets
    missing = [target for target in targets if not (REPO_ROOT / target).exists()]
    assert not missing, f"README.md links to files that do not exist: {missing}"


def test_the_quickstart_keeps_its_two_commands() -> None:
    quickstart = README.read_text(encoding="utf-8").split("## Quickstart", 1)[1]
    commands = re.search(r"```sh\n(.*?)```", quickstart, re.DOTALL)
    assert commands is not None
    lines = [line.split("#")[0].split() for line in commands.group(1).splitlines()]
    assert lines == [["scripts/engagebot", "console"], ["scripts/test"]]
    for script in ("scripts/engagebot", "scripts/test"):
        assert os.access(REPO_ROOT / script, os.X_OK), script


def test_every_setting_is_in_the_configuration_reference() -> None:
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    settings = re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.MULTILINE)
    reference = (REPO_ROOT / "docs/reference/configuration.md").read_text(encoding="utf-8")
    missing = [name for name in settings if f"| `{name}` |" not in reference]
    assert not missing, (
        f"Settings of .env.example with no row in docs/reference/configuration.md: {missing}"
    )


def test_the_deploying_page_names_every_service_of_the_compose_file() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    page = (REPO_ROOT / "docs/operator/deploying.md").read_text(encoding="utf-8")
    missing = [name for name in compose["services"] if f"`{name}`" not in page]
    assert not missing, f"docker-compose.yml services docs/operator/deploying.md omits: {missing}"
