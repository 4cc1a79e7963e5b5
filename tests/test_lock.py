"""The locks are in step with pyproject.toml: every dependency it names (and what its extras
bring) is pinned, at a release its bounds allow, with the hashes pip checks; the dev lock
holds the runtime lock's releases, so the tests run on what the Docker image ships.

Offline: it reads the files, and asks no index. `scripts/lock` writes the locks again.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

REPO_ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = "requirements.lock"
DEV_LOCK = "requirements-dev.lock"


@dataclass(frozen=True)
class Pin:
    version: Version
    marker: str  # "" where the pin holds on every platform and Python
    hashes: int


def pins(lock: str) -> dict[NormalizedName, list[Pin]]:
    """A lock's pins by project name: a universal lock may pin one project twice, each
    under its own marker (another release for a later Python, say)."""
    found: dict[NormalizedName, list[Pin]] = {}
    name: NormalizedName | None = None
    for line in lock.splitlines():
        text = line.strip().removesuffix("\\").strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("--hash="):
            assert name is not None, f"a hash before any pin: {line!r}"
            last = found[name][-1]
            found[name][-1] = Pin(last.version, last.marker, last.hashes + 1)
            continue
        requirement, _, marker = text.partition(";")
        project, equals, version = requirement.strip().partition("==")
        assert equals, f"not a pin: {line!r}"
        name = canonicalize_name(project)
        found.setdefault(name, []).append(Pin(Version(version.strip()), marker.strip(), 0))
    return found


def out_of_step(requirements: list[str], lock: str, name: str) -> list[str]:
    """What `lock` (the text of the file called `name`) lacks for `requirements`: each
    problem in a line."""
    locked = pins(lock)
    problems = [
        f"{name}: {project} {pin.version} has no hash"
        for project, project_pins in locked.items()
        for pin in project_pins
        if pin.hashes == 0
    ]
    for text in requirements:
        requirement = Requirement(text)
        project = canonicalize_name(requirement.name)
        if project not in locked:
            problems.append(f"{name}: {requirement} is not pinned")
            continue
        for pin in locked[project]:
            if not requirement.specifier.contains(pin.version, prereleases=True):
                problems.append(f"{name}: {project}=={pin.version} is outside {requirement}")
        problems += [
            f"{name}: {brought} (from {requirement}) is not pinned"
            for brought in brought_by_extras(requirement)
            if brought not in locked
        ]
    return problems


def brought_by_extras(requirement: Requirement) -> list[NormalizedName]:
    """The projects `requirement`'s extras add (psycopg[binary]: psycopg-binary), from the
    installed project's metadata; their platform markers are taken as they fall here."""
    if not requirement.extras:
        return []
    brought = []
    for text in metadata.requires(requirement.name) or []:
        needed = Requirement(text)
        marker = needed.marker
        if (
            marker is not None
            and not marker.evaluate({"extra": ""})
            and any(marker.evaluate({"extra": extra}) for extra in requirement.extras)
        ):
            brought.append(canonicalize_name(needed.name))
    return brought


def project_dependencies() -> tuple[list[str], list[str]]:
    """pyproject.toml's runtime dependencies and its dev extra."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["dependencies"], project["optional-dependencies"]["dev"]


def lock_text(name: str) -> str:
    return (REPO_ROOT / name).read_text(encoding="utf-8")


def test_the_runtime_lock_pins_every_runtime_dependency() -> None:
    runtime, _ = project_dependencies()
    problems = out_of_step(runtime, lock_text(RUNTIME_LOCK), RUNTIME_LOCK)
    assert not problems, "\n".join([*problems, "run scripts/lock"])


def test_the_dev_lock_pins_every_dependency_and_the_dev_extra() -> None:
    runtime, dev = project_dependencies()
    problems = out_of_step(runtime + dev, lock_text(DEV_LOCK), DEV_LOCK)
    assert not problems, "\n".join([*problems, "run scripts/lock"])


def test_the_tests_run_on_the_releases_the_image_ships() -> None:
    shipped = pins(lock_text(RUNTIME_LOCK))
    tested = pins(lock_text(DEV_LOCK))
    differ = {
        project: (shipped[project], tested.get(project))
        for project in shipped
        if {(pin.version, pin.marker) for pin in shipped[project]}
        != {(pin.version, pin.marker) for pin in tested.get(project, [])}
    }
    assert not differ, f"the locks pin these differently (run scripts/lock): {differ}"


LOCK = """\
# This file was autogenerated by uv via the following command:
#    scripts/lock
numpy==2.4.6 ; python_full_version < '3.12' \\
    --hash=sha256:aa \\
    --hash=sha256:bb
    # via matplotlib
numpy==2.5.5 ; python_full_version >= '3.12' \\
    --hash=sha256:cc
psycopg==3.3.9 \\
    --hash=sha256:dd
psycopg-binary==3.3.9 ; implementation_name != 'pypy' \\
    --hash=sha256:ee
waitress==3.0.2 \\
    --hash=sha256:ff
"""


def test_a_lock_is_read_pin_by_pin() -> None:
    assert pins(LOCK)[canonicalize_name("numpy")] == [
        Pin(Version("2.4.6"), "python_full_version < '3.12'", 2),
        Pin(Version("2.5.5"), "python_full_version >= '3.12'", 1),
    ]
    assert out_of_step(["numpy>=2", "psycopg[binary]>=3.1,<4", "waitress<3.1"], LOCK, "x") == []


@pytest.mark.parametrize(
    ("requirement", "problem"),
    [
        ("pydantic-settings>=2", "x: pydantic-settings>=2 is not pinned"),
        ("Waitress>=3.1", "x: waitress==3.0.2 is outside Waitress>=3.1"),
        ("numpy<2.5", "x: numpy==2.5.5 is outside numpy<2.5"),
    ],
)
def test_a_dependency_the_lock_lacks_is_found(requirement: str, problem: str) -> None:
    assert out_of_step(["waitress>=3"], LOCK, "x") == []
    assert out_of_step(["waitress>=3", requirement], LOCK, "x") == [problem]


def test_what_an_extra_brings_must_be_pinned_too() -> None:
    without_binary = LOCK.replace("psycopg-binary==3.3.9", "something-else==1")
    assert out_of_step(["psycopg[binary]>=3.1"], without_binary, "x") == [
        "x: psycopg-binary (from psycopg[binary]>=3.1) is not pinned"
    ]


def test_a_pin_without_its_hashes_is_found() -> None:
    unhashed = LOCK.replace("waitress==3.0.2 \\\n    --hash=sha256:ff\n", "waitress==3.0.2\n")
    assert out_of_step([], unhashed, "x") == ["x: waitress 3.0.2 has no hash"]
