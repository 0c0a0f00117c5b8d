"""Sources turn a target into files to scan; they read and never judge."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.model import CoverageGap


@dataclass(frozen=True)
class FileInfo:
    """A file as found: its path, the role its location gives it, and its status."""

    scope: str
    path: str
    role: str
    format: str
    tool: str
    abs_path: Path | None = None
    mode: int | None = None
    uid: int | None = None
    size: int = 0
    # For a database's `-wal` file: the database's path. Keys already found in
    # the database's rows are not reported again from its companions.
    companion_of: str | None = None
    # For staged and history blobs: the commit (sha, author, date, subject).
    commit: dict[str, Any] | None = None


@dataclass(frozen=True)
class Part:
    """Text to scan from a file: the whole file, or one row of a database."""

    text: str
    format: str
    row_key: str | None = None
    binary: bool = False


@dataclass
class LoadedFile:
    """A file with the parts read from it, ready for detection."""

    info: FileInfo
    parts: list[Part] = field(default_factory=list)


@dataclass
class SourceResult:
    """A source's output: files to scan, and gaps for files it could not read."""

    files: list[LoadedFile] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    locations_checked: int = 0
