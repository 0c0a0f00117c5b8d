"""SQLite state databases (`state.vscdb`), read from a private copy.

The live database is never opened: its bytes and those of its `-wal` file are
copied into a temporary folder, and SQLite opens the copy, which replays the
write-ahead log. Each row of each table becomes a part whose row key (such as
`cursorAuth/openAIKey`) is reported as the place. Keys deleted from the live
rows can survive in free pages or in old log frames, so the raw bytes of both
files are also searched for printable strings.
"""

from __future__ import annotations

import re
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.detect import providers
from auditor.detect.scanner import has_candidates
from auditor.model import CoverageGap
from auditor.sources import FileInfo, LoadedFile, Part
from auditor.sources.reading import printable_strings

if TYPE_CHECKING:
    from auditor.sources.loading import FileLoader
    from auditor.sources.reading import ReadFile

_KEY_COLUMNS = ("key", "name", "id")
_GLUED = re.compile(
    "(?<=[A-Za-z0-9_-])(?=" + "|".join(map(re.escape, providers.PREFIXES)) + ")"
)


def load_database(
    loader: FileLoader, info: FileInfo, read: ReadFile
) -> list[LoadedFile]:
    """Return the database's rows and raw strings, and its `-wal` file if present."""
    wal_path = Path(f"{info.abs_path}-wal")
    wal = loader.read_sibling(wal_path)
    database = LoadedFile(info)
    try:
        database.parts.extend(_rows(read.data, wal.data if wal else None))
    except sqlite3.DatabaseError as error:
        detail = (
            f"not a readable SQLite database ({error}); scanned its printable strings"
        )
        loader.gaps.append(
            CoverageGap(info.path, "database-error", detail, info.scope, True)
        )
    database.parts.append(_raw_strings(read.data))
    files = [database]
    if wal is not None:
        wal_info = replace(
            info,
            path=f"{info.path}-wal",
            abs_path=wal_path,
            mode=wal.mode,
            uid=wal.uid,
            size=wal.size,
            companion_of=info.path,
        )
        files.append(LoadedFile(wal_info, [_raw_strings(wal.data)]))
    return files


def _raw_strings(data: bytes) -> Part:
    text = printable_strings(data)
    return Part(_with_glued_keys(text), "text", row_key=None, binary=True)


def _with_glued_keys(text: str) -> str:
    """Append, as lines of their own, the runs that start at a glued key prefix.

    SQLite stores a row's columns back to back, so in the raw bytes a row key
    such as `cursorAuth/openAIKey` runs straight into the key stored in the
    next column. The key patterns need a non-token character before a key,
    so such a key is only found once its run starts a line.
    """
    runs = [text[match.start() :].split("\n", 1)[0] for match in _GLUED.finditer(text)]
    return "\n".join([text, *runs])


def _rows(data: bytes, wal: bytes | None) -> list[Part]:
    with tempfile.TemporaryDirectory(prefix="keyaudit-") as folder:
        copy = Path(folder) / "copy.db"
        copy.write_bytes(data)
        if wal is not None:
            Path(f"{copy}-wal").write_bytes(wal)
        connection = sqlite3.connect(copy)
        try:
            return list(_table_rows(connection))
        finally:
            connection.close()


def _table_rows(connection: sqlite3.Connection) -> list[Part]:
    parts: list[Part] = []
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )
    ]
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        cursor = connection.execute(f"SELECT * FROM {quoted}")  # noqa: S608
        columns = [d[0].lower() for d in cursor.description]
        key_column = next(
            (columns.index(c) for c in _KEY_COLUMNS if c in columns), None
        )
        for number, row in enumerate(cursor, start=1):
            row_key = (
                str(row[key_column]) if key_column is not None else f"row {number}"
            )
            if table != "ItemTable":
                row_key = f"{table}:{row_key}"
            parts.extend(_row_parts(row, key_column, row_key))
    return parts


def _row_parts(
    row: tuple[object, ...], key_column: int | None, row_key: str
) -> list[Part]:
    parts = []
    for index, value in enumerate(row):
        if index == key_column or value is None:
            continue
        text = (
            value.decode("utf-8", errors="replace")
            if isinstance(value, bytes)
            else str(value)
        )
        if has_candidates(text):
            parts.append(
                Part(text, "json" if text[:1] in "{[" else "text", row_key=row_key)
            )
    return parts
