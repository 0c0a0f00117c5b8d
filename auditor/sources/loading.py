"""Turn a file on disk into a LoadedFile, or into a coverage gap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.formats.lines import unescape_fish_variables
from auditor.model import CoverageGap
from auditor.sources import FileInfo, LoadedFile, Part
from auditor.sources.reading import ReadFile, decode, display_path, read_regular


class FileLoader:
    """Read files under one root once each, and collect what could not be read."""

    def __init__(self, root: Path, scope: str, settings: dict[str, Any]) -> None:
        self.root = root
        self.scope = scope
        self.max_size = int(settings["max_file_size"])
        self.max_database_size = int(
            settings.get("max_database_size", 512 * 1024 * 1024)
        )
        self.gaps: list[CoverageGap] = []
        self._seen: set[tuple[int, int]] = set()

    def load(self, path: Path, role: str, fmt: str, tool: str) -> list[LoadedFile]:
        """Return the file's parts (a database also returns its write-ahead log)."""
        rel = display_path(path.relative_to(self.root).as_posix())
        limit = self.max_database_size if fmt == "sqlite" else self.max_size
        read = read_regular(self.root, path, rel, self.scope, limit)
        if isinstance(read, CoverageGap):
            self.gaps.append(read)
            return []
        if read.identity in self._seen:
            return []
        self._seen.add(read.identity)
        info = FileInfo(
            scope=self.scope,
            path=rel,
            role=role,
            format=fmt,
            tool=tool,
            abs_path=path,
            mode=read.mode,
            uid=read.uid,
            size=read.size,
        )
        if fmt == "sqlite":
            from auditor.sources import sqlite

            return sqlite.load_database(self, info, read)
        return [self.text_file(info, read.data)]

    def skip_folder(self, path: Path, reason: str, detail: str) -> None:
        """Record a folder that is not scanned, once."""
        rel = display_path(path.relative_to(self.root).as_posix())
        gap = CoverageGap(rel, reason, detail, self.scope, False)
        if gap not in self.gaps:
            self.gaps.append(gap)

    def text_file(self, info: FileInfo, data: bytes) -> LoadedFile:
        decoded = decode(data)
        if decoded.note:
            self.gaps.append(
                CoverageGap(info.path, _reason(decoded), decoded.note, self.scope, True)
            )
        fmt = "text" if decoded.binary else info.format
        text = decoded.text
        if fmt == "fish-variables":
            text = unescape_fish_variables(text)
        return LoadedFile(info, [Part(text, fmt, binary=decoded.binary)])

    def read_sibling(self, path: Path) -> ReadFile | None:
        """Read a database's `-wal` file if it exists and is safe to read."""
        if not path.exists() and not path.is_symlink():
            return None
        rel = display_path(path.relative_to(self.root).as_posix())
        read = read_regular(self.root, path, rel, self.scope, self.max_database_size)
        if isinstance(read, CoverageGap):
            self.gaps.append(read)
            return None
        self._seen.add(read.identity)
        return read


def _reason(decoded: Any) -> str:
    return "binary" if decoded.binary else "decode-error"
