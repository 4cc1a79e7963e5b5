"""The layers contract (pyproject.toml's [tool.importlinter], checked by `lint-imports` in
scripts/test): it names every package of bot/, and an import that points upward breaks it,
directly or by way of another module."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def layered() -> set[str]:
    """The packages the contract puts in a layer."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return {name.strip() for layer in contract["layers"] for name in layer.split("|")}


def test_every_package_of_bot_is_in_a_layer() -> None:
    bot = REPO_ROOT / "bot"
    assert [path.name for path in bot.glob("*.py")] == ["__init__.py"]  # no module outside
    packages = {f"bot.{path.parent.name}" for path in bot.glob("*/__init__.py")}
    assert packages == layered() - {"handlers", "storage"}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on the tree at `root` (it reads the packages from its working folder)."""
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("storage/clock.py", "bot.base.text"),  # storage knows nothing of bot/
        ("bot/base/text.py", "bot.feedback.recording"),  # the base knows no capability
        ("bot/feedback/recording.py", "handlers.engage"),  # the domain knows no handler
        ("handlers/views/blocks.py", "bot.runtime.app"),  # handlers know no runtime
        ("bot/users/who.py", "bot.reviews.figures"),  # a capability knows none above it
        ("bot/teams/editing.py", "bot.transfer.kinds"),  # nor a sibling it is independent of
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path: Path, module: str, upward: str) -> None:
    for package in ("bot", "handlers", "storage"):
        shutil.copytree(
            REPO_ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    kept = lint_imports(tmp_path)
    assert kept.returncode == 0, kept.stdout + kept.stderr

    source = tmp_path / module
    source.write_text(source.read_text(encoding="utf-8") + f"\nimport {upward}\n")
    broken = lint_imports(tmp_path)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {upward}" in broken.stdout
