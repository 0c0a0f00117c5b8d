"""Check kinds on small homes: malformed-key, file-permissions, unencrypted-backup."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any

import pytest
from builders import write
from conftest import assert_no_key_in, findings_by, fingerprint
from fakekeys import MARKER

NOBODY_UID = 65534


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def scan(keyaudit: Any, home: Path, *options: str) -> dict[str, Any]:
    completed = keyaudit("scan", "--home", home, "--format", "json", *options)
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("OPENAI_API_KEY=\"'{key}'\"", "extra quotes around the key"),
        ('OPENAI_API_KEY=" {key} "', "whitespace around the key"),
        ('OPENAI_API_KEY="Bearer {key}"', "a 'Bearer ' prefix"),
        ('OPENAI_API_KEY="{key}\\n"', "a literal \\n at the end"),
        ("OPENAI_API_KEY={short}", "the wrong length or characters for openai"),
        ('OPENAI_API_KEY="{head} {tail}"', "whitespace inside the key"),
    ],
)
def test_malformed_key_problem(
    home: Path, keys: Any, keyaudit: Any, template: str, problem: str
) -> None:
    key = keys.openai_project()
    short = keys.openai_user()[:-9]
    text = template.format(key=key, short=short, head=key[:60], tail=key[60:])
    write(home / ".env", text + "\n")

    report = scan(keyaudit, home)

    found = findings_by(report, rule="malformed-key", path=".env", line=1)
    assert len(found) == 1
    assert problem in found[0]["message"]
    assert found[0]["severity"] == "low"
    assert found[0]["secret"]["provider"] == "openai"
    assert found[0]["location"]["setting"] == "OPENAI_API_KEY"
    assert_no_key_in(str(report), key)


def test_malformed_quotes_keep_fingerprint(
    home: Path, keys: Any, keyaudit: Any
) -> None:
    key = keys.anthropic()
    write(home / ".env", f"ANTHROPIC_API_KEY=\"'{key}'\"\n")

    report = scan(keyaudit, home)

    found = findings_by(report, rule="malformed-key")
    assert [f["secret"]["fingerprint"] for f in found] == [fingerprint(key)]


def test_malformed_ignores_deepseek_key(home: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.deepseek()
    write(home / ".env", f"DEEPSEEK_API_KEY={key}\n")

    report = scan(keyaudit, home)

    assert findings_by(report, rule="malformed-key") == []
    found = findings_by(report, rule="plaintext-key", path=".env", line=1)
    assert [f["secret"]["provider"] for f in found] == ["deepseek"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LANGFUSE_SECRET_KEY", "sk-lf-{uuid}"),
        ("MOONSHOT_API_KEY", "sk-{alnum}"),
        ("STABILITY_KEY", "sk-{alnum}"),
    ],
)
def test_malformed_ignores_other_sk(
    home: Path, keys: Any, keyaudit: Any, name: str, value: str
) -> None:
    # Other services' `sk-` keys, shaped from generated keys' random bodies.
    body = keys.openai_project().removeprefix("sk-proj-").replace("-", "a")
    body = body.replace("_", "b").replace(MARKER, "")
    uuid = "-".join((body[:8], body[8:12], body[12:16], body[16:20], body[20:32]))
    write(home / ".env", f"{name}={value.format(uuid=uuid, alnum=body[:48])}\n")

    report = scan(keyaudit, home)

    assert report["findings"] == []


def test_malformed_cut_openai_key(home: Path, keys: Any, keyaudit: Any) -> None:
    cut = keys.openai_user()[:-6]
    write(home / ".env", f"LLM_API_KEY={cut}\n")

    report = scan(keyaudit, home)

    found = findings_by(report, rule="malformed-key", line=1)
    assert len(found) == 1
    assert "the wrong length or characters for openai" in found[0]["message"]


def test_malformed_cut_project_key(home: Path, keys: Any, keyaudit: Any) -> None:
    """A project key cut after 120 of 164 characters still matches the key shape."""
    key = keys.openai_project()
    write(home / ".env", f"OPENAI_API_KEY={key[:120]}\nOTHER_API_KEY={key}\n")

    report = scan(keyaudit, home)

    found = findings_by(report, rule="malformed-key")
    assert [f["location"]["line"] for f in found] == [1]
    assert "74 characters before T3BlbkFJ and 30 after" in found[0]["message"]
    assert "copy the whole key again" in found[0]["fix"]
    assert found[0]["secret"]["redacted"].startswith("sk-proj-…")
    assert len(findings_by(report, rule="plaintext-key")) == 2


def test_malformed_ignores_auth_header(home: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.openai_project()
    text = f'{{"headers": {{"Authorization": "Bearer {key}"}}}}\n'
    write(home / ".cursor" / "mcp.json", text)

    report = scan(keyaudit, home)

    assert findings_by(report, rule="malformed-key") == []
    assert len(findings_by(report, rule="plaintext-key", line=1)) == 1


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("sk-...", "placeholder"),
        ("your-api-key-here", "placeholder"),
        ("${env:OPENAI_API_KEY}", "reference"),
        ("${OPENAI_API_KEY}", "reference"),
        ("${OPENAI_API_KEY:-unset}", "reference"),
        ("$OPENAI_API_KEY", "reference"),
        ("${{ secrets.OPENAI_API_KEY }}", "reference"),
        ("os.environ/OPENAI_API_KEY", "reference"),
        ("op://Private/OpenAI/credential", "reference"),
        ("vault:secret/data/openai#api_key", "reference"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:openai", "reference"),
        ("@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/s/k)", "reference"),
        ("Bearer ${OPENAI_API_KEY}", "reference"),
    ],
)
def test_malformed_ignores_stand_ins(
    home: Path, keyaudit: Any, value: str, reason: str
) -> None:
    write(home / ".env", f'OPENAI_API_KEY="{value}"\n')

    report = scan(keyaudit, home)

    assert report["findings"] == [], reason


@pytest.mark.parametrize(
    ("mode", "failing"),
    [(0o600, False), (0o400, False), (0o640, True), (0o604, True), (0o700, True)],
)
def test_permissions_of_store(
    home: Path, keys: Any, keyaudit: Any, mode: int, failing: bool
) -> None:
    key = keys.openai_user()
    path = write(
        home / ".codex" / "auth.json", f'{{"OPENAI_API_KEY": "{key}"}}\n', mode
    )

    report = scan(keyaudit, home)

    found = findings_by(report, rule="file-permissions", path=".codex/auth.json")
    assert len(found) == int(failing)
    assert findings_by(report, rule="plaintext-key") == []
    if failing:
        assert f"chmod 600 {shlex.quote(str(path))}" in found[0]["fix"]
        assert found[0]["evidence"]["mode"] == f"{mode:04o}"
        assert found[0]["evidence"]["fingerprints"] == [fingerprint(key)]


def test_permissions_of_store_without_key(home: Path, keyaudit: Any) -> None:
    write(home / ".netrc", "machine example.com login me password hunter2\n", 0o644)

    report = scan(keyaudit, home)

    found = findings_by(report, rule="file-permissions", path=".netrc")
    assert len(found) == 1
    assert "credential store" in found[0]["message"]


def test_permissions_skip_keyless_profile(home: Path, keyaudit: Any) -> None:
    write(home / ".bashrc", "export PATH=$HOME/bin:$PATH\n", 0o644)

    report = scan(keyaudit, home)

    assert report["findings"] == []


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_permissions_foreign_owner(home: Path, keys: Any, keyaudit: Any) -> None:
    path = write(home / ".zshrc", f"export GROQ_API_KEY={keys.groq()}\n")
    os.chown(path, NOBODY_UID, -1)

    report = scan(keyaudit, home)

    found = findings_by(report, rule="file-permissions", path=".zshrc")
    assert len(found) == 1
    assert f"owned by uid {NOBODY_UID}" in found[0]["message"]
    assert f"chown root {path}" in found[0]["fix"]
    assert found[0]["evidence"]["owner_uid"] == NOBODY_UID


def test_backup_plaintext_fails(home: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.huggingface()
    write(home / "Documents" / "api-keys.md", f"# tokens\n\nhf: {key}\n")

    report = scan(keyaudit, home)

    found = findings_by(report, rule="unencrypted-backup")
    assert [(f["location"]["path"], f["location"]["line"]) for f in found] == [
        ("Documents/api-keys.md", 3)
    ]
    assert found[0]["secret"]["fingerprint"] == fingerprint(key)
    assert findings_by(report, rule="plaintext-key") == []


@pytest.mark.parametrize("suffix", [".gpg", ".age"])
def test_backup_encrypted_passes(home: Path, keyaudit: Any, suffix: str) -> None:
    write(home / f"secrets.txt{suffix}", b"\x85\x02\x0c\x03\x00" + bytes(range(1, 200)))

    report = scan(keyaudit, home)

    assert report["findings"] == []
    statuses = {rule["id"]: rule["status"] for rule in report["rules"]}
    assert statuses["unencrypted-backup"] == "pass"


def test_backup_clearsigned_asc_fails(home: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.google()
    text = f"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n{key}\n"
    write(home / "keys.asc", text)

    report = scan(keyaudit, home)

    found = findings_by(report, rule="unencrypted-backup", path="keys.asc", line=4)
    assert len(found) == 1
    assert "named as encrypted" in found[0]["message"]


def test_dotenv_fix_uses_run_time_reference(
    home: Path, keys: Any, keyaudit: Any
) -> None:
    """dotenv loaders do not run `$(...)`, so the fix must not suggest it."""
    write(home / ".env", f"GEMINI_API_KEY={keys.google()}\n")

    report = scan(keyaudit, home)

    found = findings_by(report, rule="plaintext-key", path=".env")
    assert len(found) == 1
    assert "$(" not in found[0]["fix"]
    assert "GEMINI_API_KEY=op://VAULT/ITEM/credential" in found[0]["fix"]
    assert "op run --env-file=.env" in found[0]["fix"]
