"""A first end-to-end scan of a small fake home."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_no_key_in, findings_by, fingerprint


def test_home_scan_finds_profile_key(tmp_path: Path, keys, keyaudit) -> None:
    home = tmp_path / "home"
    home.mkdir()
    key = keys.openai_project()
    (home / ".bashrc").write_text(f"export OPENAI_API_KEY={key}\n")
    (home / ".bashrc").chmod(0o600)

    completed = keyaudit("scan", "--home", home, "--format", "json")

    assert completed.returncode == 1
    assert_no_key_in(completed.stdout + completed.stderr, key)
    import json

    report = json.loads(completed.stdout)
    found = findings_by(report, rule="plaintext-key", path=".bashrc", line=1)
    assert len(found) == 1
    assert found[0]["secret"]["fingerprint"] == fingerprint(key)
    assert found[0]["secret"]["provider"] == "openai"
