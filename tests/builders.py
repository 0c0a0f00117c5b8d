"""Build the files that tests scan: exact bytes, and SQLite state databases."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

ItemRows = Iterable[tuple[str, str | bytes]]


def write(path: Path, content: str | bytes, mode: int = 0o600) -> Path:
    """Write `content` byte for byte (no newline translation) and set `mode`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    path.chmod(mode)
    return path


def fish_escape(value: str) -> str:
    """Escape a value as fish writes it to `fish_variables` (fish 3.x).

    Letters, digits, `/` and `_` are written as they are, and every other
    ASCII character as `\\xHH`.
    """
    return "".join(
        c if c.isascii() and (c.isalnum() or c in "/_") else f"\\x{ord(c):02x}"
        for c in value
    )


def cursor_ciphertext() -> str:
    """Return a `secret://` row value as newer Cursor builds store it: a JSON Buffer."""
    data = list(b"v10" + bytes(range(7, 71)))
    return json.dumps({"type": "Buffer", "data": data})


def state_database(
    path: Path, rows: ItemRows = (), wal_rows: ItemRows = (), mode: int = 0o600
) -> Path:
    """Create a `state.vscdb` in WAL mode whose `wal_rows` exist only in its `-wal`.

    SQLite checkpoints the log into the database when the last connection
    closes, so the database and its log are copied aside while the connection
    is open, and put back after it is closed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    wal_rows = list(wal_rows)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute(
        "CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)"
    )
    connection.executemany("INSERT INTO ItemTable VALUES (?, ?)", list(rows))
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if wal_rows:
        # One commit per row, so an overwritten value stays in an older frame.
        for row in wal_rows:
            connection.execute("INSERT INTO ItemTable VALUES (?, ?)", row)
            connection.commit()
        _close_keeping_wal(connection, path)
    else:
        connection.close()
        Path(f"{path}-wal").unlink(missing_ok=True)
    for file in (path, Path(f"{path}-wal")):
        if file.exists():
            file.chmod(mode)
    Path(f"{path}-shm").unlink(missing_ok=True)
    return path


def _close_keeping_wal(connection: sqlite3.Connection, path: Path) -> None:
    wal = Path(f"{path}-wal")
    saved = {file: file.with_name(file.name + ".saved") for file in (path, wal)}
    for file, copy in saved.items():
        shutil.copyfile(file, copy)
    connection.close()
    for file, copy in saved.items():
        os.replace(copy, file)
