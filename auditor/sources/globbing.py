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

# Called with a folder that could not be listed or entered, and the error.
FolderError = Callable[[Path, OSError], None]


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


def matches(root: Path, pattern: str, on_error: FolderError) -> Iterator[Path]:
    """Yield the paths under `root` that a glob pattern names.

    Folders are entered through a symbolic link only when the link resolves
    inside the root. The last component is yielded as found, link or not:
    reading it decides what to do with it. A folder that exists but cannot be
    listed or entered (permission denied) is passed to `on_error`.
    """
    for expanded in expand_braces(pattern):
        yield from _walk(root, root, expanded.split("/"), on_error)


def _walk(
    root: Path, folder: Path, segments: list[str], on_error: FolderError
) -> Iterator[Path]:
    segment, rest = segments[0], segments[1:]
    for candidate in _children(folder, segment, on_error):
        if not rest:
            yield candidate
        elif _enterable(root, candidate):
            yield from _walk(root, candidate, rest, on_error)


def _children(folder: Path, segment: str, on_error: FolderError) -> Iterator[Path]:
    if not _GLOB_CHARS & set(segment):
        candidate = folder / segment
        try:
            os.lstat(candidate)
        except (FileNotFoundError, NotADirectoryError):
            return
        except OSError as error:
            on_error(folder, error)
            return
        yield candidate
        return
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as error:
        on_error(folder, error)
        return
    for name in names:
        if fnmatch.fnmatchcase(name, segment):
            yield folder / name


def _enterable(root: Path, path: Path) -> bool:
    if not path.is_symlink():
        return path.is_dir()
    real = Path(os.path.realpath(path))
    return inside(root, real) and real.is_dir()
