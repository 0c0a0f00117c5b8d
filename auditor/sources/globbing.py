"""Expand location patterns under a root without leaving it."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from auditor.sources.reading import inside

_BRACES = re.compile(r"\{([^{}]*)\}")
_GLOB_CHARS = set("*?[")

# Called with a folder that is not entered, the reason and a detail.
SkippedFolder = Callable[[Path, str, str], None]
LINK_OUT_DETAIL = "symbolic link to a folder outside the scanned root; not followed"


def expand_braces(pattern: str) -> list[str]:
    """Expand `{a,b}` alternatives, innermost first: `x{1,2}` gives `x1` and `x2`."""
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    results: list[str] = []
    for choice in match.group(1).split(","):
        results.extend(expand_braces(head + choice + tail))
    return results


def matches(root: Path, pattern: str, on_skip: SkippedFolder) -> Iterator[Path]:
    """Yield the paths under `root` that a glob pattern names.

    Folders are entered through a symbolic link only when the link resolves
    inside the root. The last component is yielded as found, link or not:
    reading it decides what to do with it. A folder that exists but cannot be
    listed or entered (permission denied), or that links out of the root, is
    passed to `on_skip`.
    """
    for expanded in expand_braces(pattern):
        yield from _walk(root, root, expanded.split("/"), on_skip)


def _walk(
    root: Path, folder: Path, segments: list[str], on_skip: SkippedFolder
) -> Iterator[Path]:
    segment, rest = segments[0], segments[1:]
    for candidate in _children(folder, segment, on_skip):
        if not rest:
            yield candidate
        elif _enterable(root, candidate, on_skip):
            yield from _walk(root, candidate, rest, on_skip)


def _children(folder: Path, segment: str, on_skip: SkippedFolder) -> Iterator[Path]:
    if not _GLOB_CHARS & set(segment):
        candidate = folder / segment
        try:
            os.lstat(candidate)
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as error:
            skip_unreadable(folder, error, on_skip)
            return
        yield candidate
        return
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as error:
        skip_unreadable(folder, error, on_skip)
        return
    for name in names:
        if fnmatch.fnmatchcase(name, segment):
            yield folder / name


def skip_unreadable(folder: Path, error: OSError, on_skip: SkippedFolder) -> None:
    """Pass a folder that could not be listed or entered to `on_skip`."""
    reason = "permission-denied" if isinstance(error, PermissionError) else "unreadable"
    on_skip(folder, reason, f"folder not scanned: {error.strerror or error}")


def _enterable(root: Path, path: Path, on_skip: SkippedFolder) -> bool:
    if not path.is_symlink():
        return path.is_dir()
    real = Path(os.path.realpath(path))
    if not real.is_dir():
        return False
    if not inside(root, real):
        on_skip(path, "symlink-outside-root", LINK_OUT_DETAIL)
        return False
    return True
