"""The working-tree source: a git working tree's files, or a plain folder's."""

from __future__ import annotations

import fnmatch
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditor.errors import UserError
from auditor.sources import SourceResult
from auditor.sources.globbing import LINK_OUT_DETAIL, skip_unreadable
from auditor.sources.loading import FileLoader
from auditor.sources.reading import inside

# (glob on the file name, role, format); the first match wins.
_NAME_RULES: tuple[tuple[str, str, str], ...] = (
    ("*.gpg", "encrypted-backup", "text"),
    ("*.asc", "encrypted-backup", "text"),
    ("*.age", "encrypted-backup", "text"),
    ("keys.txt", "backup", "text"),
    ("secrets.txt", "backup", "text"),
    ("*-keys.txt", "backup", "text"),
    ("*_keys.txt", "backup", "text"),
    ("api-keys.*", "backup", "text"),
    ("api_keys.*", "backup", "text"),
    ("*.env.bak", "backup", "dotenv"),
    (".env.bak", "backup", "dotenv"),
    (".env", "dotenv", "dotenv"),
    (".env.*", "dotenv", "dotenv"),
    (".envrc", "dotenv", "shell"),
    ("*.code-workspace", "settings", "jsonc"),
    ("*.json", "settings", "jsonc"),
    ("*.jsonc", "settings", "jsonc"),
    ("*.yaml", "settings", "yaml"),
    ("*.yml", "settings", "yaml"),
    ("*.toml", "settings", "toml"),
    ("*.sh", "source", "shell"),
    ("*.bash", "source", "shell"),
    ("*.zsh", "source", "shell"),
    ("*.fish", "source", "shell"),
    ("fish_variables", "profile", "fish-variables"),
    ("*.ps1", "source", "shell"),
    ("*.vscdb", "database", "sqlite"),
    ("*.sqlite", "database", "sqlite"),
    ("*.sqlite3", "database", "sqlite"),
)


def classify(name: str) -> tuple[str, str]:
    """Return the (role, format) a file name gives a file in a working tree."""
    for pattern, role, fmt in _NAME_RULES:
        if fnmatch.fnmatchcase(name, pattern):
            return role, fmt
    return "source", "text"


def scan_tree(directory: Path, settings: dict[str, Any]) -> SourceResult:
    """Load a git working tree's tracked and unignored files, or a plain folder's."""
    if not directory.is_dir():
        raise UserError(
            f"{directory}: not a folder; pass the root of a working tree to --repo."
        )
    root = directory.resolve()
    loader = FileLoader(root, "tree", settings)
    result = SourceResult()
    paths = _git_paths(root)
    for path in paths if paths is not None else _walk(root, loader):
        role, fmt = classify(path.name)
        result.files.extend(loader.load(path, role, fmt, "working tree"))
    result.gaps.extend(loader.gaps)
    return result


def _git_paths(root: Path) -> list[Path] | None:
    """Return tracked and unignored untracked files, or None outside a work tree."""
    try:
        inside_tree = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return None
    if inside_tree.stdout.strip() != "true":
        return None
    listing = subprocess.run(
        [
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--deduplicate",
        ],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:
        message = listing.stderr.decode("utf-8", "replace").strip()
        raise UserError(f"{root}: git ls-files failed: {message}")
    names = [os.fsdecode(name) for name in listing.stdout.split(b"\0") if name]
    paths = [root / name for name in names]
    return [path for path in paths if _listed_file(path)]


def _listed_file(path: Path) -> bool:
    """Return False for a listed path that is gone, or is a folder (a submodule).

    A path that cannot be looked at (permission denied) is kept, so that
    reading it records a coverage gap.
    """
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return not path.is_dir()


def _walk(root: Path, loader: FileLoader) -> Iterator[Path]:
    def on_error(error: OSError) -> None:
        skip_unreadable(Path(error.filename), error, loader.skip_folder)

    for folder, dirs, files in os.walk(root, onerror=on_error):
        dirs[:] = sorted(
            d for d in dirs if d != ".git" and _descend(root, Path(folder, d), loader)
        )
        for name in sorted(files):
            yield Path(folder, name)


def _descend(root: Path, path: Path, loader: FileLoader) -> bool:
    if not path.is_symlink():
        return True
    real = Path(os.path.realpath(path))
    if not inside(root, real):
        loader.skip_folder(path, "symlink-outside-root", LINK_OUT_DETAIL)
    return False
