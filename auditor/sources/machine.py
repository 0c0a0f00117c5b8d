"""The machine source: the known locations of AI tools' files under a home."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.sources import SourceResult
from auditor.sources.globbing import matches
from auditor.sources.loading import FileLoader


def scan_home(
    home: Path, locations: tuple[dict[str, Any], ...], settings: dict[str, Any]
) -> SourceResult:
    """Load every file that a location pattern names under `home`.

    A path named by several locations takes the first one's role and format.
    """
    root = home.resolve()
    loader = FileLoader(root, "machine", settings)
    result = SourceResult()
    claimed: set[Path] = set()
    for location in locations:
        for pattern in location["paths"]:
            for path in matches(root, pattern, loader.skip_folder):
                if path in claimed:
                    continue
                claimed.add(path)
                result.locations_checked += 1
                tool = location.get("tool", location["id"])
                result.files.extend(
                    loader.load(path, location["role"], location["format"], tool)
                )
    result.gaps.extend(loader.gaps)
    return result
