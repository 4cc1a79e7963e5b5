"""Where the console saves the files the bot shares (exports, charts), so the person can
open them: a folder of their own that no one else can read, as an export may hold
contact names and emails (`/engage export personal`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def files_folder(environ: Mapping[str, str] = os.environ) -> Path:
    """`engagebot/console` in the person's cache folder ($XDG_CACHE_HOME, else ~/.cache),
    made if need be, and readable by its owner alone."""
    cache = environ.get("XDG_CACHE_HOME", "")
    # The XDG rule: a relative path is to be ignored.
    base = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
    folder = base / "engagebot" / "console"
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    folder.chmod(PRIVATE_FOLDER)  # mkdir's mode is narrowed by the umask, never widened
    return folder


def save_privately(folder: Path, name: str, content: bytes) -> Path:
    """Write `content` as `name` (a file name, no folder) in `folder`, readable by its
    owner alone from the start."""
    path = folder / name
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(path, flags, PRIVATE_FILE), "wb") as file:
        file.write(content)
    path.chmod(PRIVATE_FILE)  # a file already there keeps its mode through O_CREAT
    return path
