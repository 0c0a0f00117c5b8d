"""SQLite state databases: live rows, old log frames, free pages and broken files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from builders import cursor_ciphertext, state_database, write
from conftest import fingerprint

GLOBAL_STORAGE = ".config/Cursor/User/globalStorage"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "home" / GLOBAL_STORAGE / "state.vscdb"


def scan_home(keyaudit: Any, database: Path) -> dict[str, Any]:
    home = database.parents[len(Path(GLOBAL_STORAGE).parts)]
    completed = keyaudit("scan", "--home", home, "--format", "json")
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


def places(report: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [
        (
            f["location"]["path"].removeprefix(GLOBAL_STORAGE + "/"),
            f["location"].get("row_key"),
            f["secret"]["fingerprint"],
        )
        for f in report["findings"]
    ]


def test_live_row_reported_once(database: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.openai_project()
    state_database(database, rows=[("cursorAuth/openAIKey", key)])

    report = scan_home(keyaudit, database)

    assert places(report) == [("state.vscdb", "cursorAuth/openAIKey", fingerprint(key))]
    assert "line" not in report["findings"][0]["location"]


def test_overwritten_key_in_log(database: Path, keys: Any, keyaudit: Any) -> None:
    old_key, new_key = keys.anthropic(), keys.anthropic()
    state_database(
        database,
        wal_rows=[("cursorAuth/claudeKey", old_key), ("cursorAuth/claudeKey", new_key)],
    )

    report = scan_home(keyaudit, database)

    assert sorted(places(report)) == [
        ("state.vscdb", "cursorAuth/claudeKey", fingerprint(new_key)),
        ("state.vscdb-wal", None, fingerprint(old_key)),
    ]


def test_deleted_key_in_free_page(database: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.google()
    database.parent.mkdir(parents=True)
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA secure_delete=OFF")
    connection.execute("CREATE TABLE ItemTable (key TEXT UNIQUE, value BLOB)")
    connection.execute(
        "INSERT INTO ItemTable VALUES ('cursorAuth/googleKey', ?)", [key]
    )
    connection.commit()
    connection.execute("DELETE FROM ItemTable")
    connection.commit()
    connection.close()
    database.chmod(0o600)
    assert key.encode() in database.read_bytes()

    report = scan_home(keyaudit, database)

    assert places(report) == [("state.vscdb", None, fingerprint(key))]


def test_other_table_row_key(database: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.openrouter()
    state_database(database)
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE, value BLOB)")
    value = json.dumps({"messages": [{"text": f"use {key} for now"}]})
    connection.execute("INSERT INTO cursorDiskKV VALUES ('composerData:1', ?)", [value])
    connection.commit()
    connection.close()

    report = scan_home(keyaudit, database)

    assert places(report) == [
        ("state.vscdb", "cursorDiskKV:composerData:1", fingerprint(key))
    ]


def test_broken_database_partly_scanned(
    database: Path, keys: Any, keyaudit: Any
) -> None:
    key = keys.groq()
    write(database, b"SQLite format 3\x00" + bytes(80) + f" {key} ".encode())

    report = scan_home(keyaudit, database)

    assert places(report) == [("state.vscdb", None, fingerprint(key))]
    partly = report["coverage"]["files_partly_scanned"]
    assert [(gap["path"], gap["reason"]) for gap in partly] == [
        (f"{GLOBAL_STORAGE}/state.vscdb", "database-error")
    ]


def test_database_over_size_limit(
    database: Path, keys: Any, keyaudit: Any, tmp_path: Path
) -> None:
    state_database(database, rows=[("cursorAuth/openAIKey", keys.openai_user())])
    policy = write(
        tmp_path / "policy.yaml",
        "extends: default\nsettings:\n  max_database_size: 1024\n",
    )
    home = database.parents[len(Path(GLOBAL_STORAGE).parts)]

    report = keyaudit.json("scan", "--home", home, "--policy", policy, expect_exit=0)

    assert report["findings"] == []
    skipped = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["reason"]) for gap in skipped] == [
        (f"{GLOBAL_STORAGE}/state.vscdb", "too-large")
    ]
    assert skipped[0]["detail"].endswith("over the limit of 1024 bytes")


def test_ciphertext_rows_no_finding(database: Path, keyaudit: Any) -> None:
    state_database(
        database,
        rows=[
            ("secret://cursorAuth/openAIKey", cursor_ciphertext()),
            ('secret://{"extensionId":"a.b","key":"token"}', cursor_ciphertext()),
        ],
    )

    report = scan_home(keyaudit, database)

    assert report["findings"] == []
    assert report["coverage"]["files_partly_scanned"] == []


def test_readable_log_permissions(database: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.openai_project()
    state_database(database, wal_rows=[("cursorAuth/openAIKey", key)])
    Path(f"{database}-wal").chmod(0o644)

    report = scan_home(keyaudit, database)

    permissions = [f for f in report["findings"] if f["rule"] == "file-permissions"]
    assert [f["location"]["path"] for f in permissions] == [
        f"{GLOBAL_STORAGE}/state.vscdb-wal"
    ]
    assert permissions[0]["evidence"]["fingerprints"] == [fingerprint(key)]
    plaintext = [f for f in report["findings"] if f["rule"] == "plaintext-key"]
    assert [f["location"]["row_key"] for f in plaintext] == ["cursorAuth/openAIKey"]
