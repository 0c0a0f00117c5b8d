"""Reports: the JSON schema, the text layout, --output, --fail-on and exit codes."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any

import pytest
from builders import write
from conftest import assert_no_key_in, findings_by, fingerprint
from jsonschema import Draft202012Validator, FormatChecker

SCHEMA = Path(__file__).parents[1] / "reports" / "report.schema.json"
NOBODY_UID = 65534


def validate_report(report: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator(schema, format_checker=FormatChecker()).validate(report)


class Home:
    """A home with high and low findings, a skipped file and a binary file.

    The key with a space in its quotes is both a plaintext key (high) and a
    malformed one (low), so the home has three high findings and one low.
    """

    def __init__(self, root: Path, keys: Any) -> None:
        self.root = root
        self.profile_key = keys.openai_project()
        self.store_key = keys.anthropic()
        self.malformed_key = keys.google()
        write(root / ".zshrc", f"export OPENAI_API_KEY={self.profile_key}\n")
        self.store = write(
            root / ".claude" / ".credentials.json",
            f'{{"claudeAiOauth": {{"accessToken": "{self.store_key}"}}}}\n',
            0o644,
        )
        write(root / ".gemini" / ".env", f'GEMINI_API_KEY=" {self.malformed_key}"\n')
        write(root / "keys.txt.gpg", b"\x8c\x0d\x04\x00" + bytes(range(256)))
        (root / ".env").symlink_to("/etc/hostname")

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.profile_key, self.store_key, self.malformed_key)


@pytest.fixture
def home(tmp_path: Path, keys: Any) -> Home:
    return Home(tmp_path / "home", keys)


def test_json_report_valid(home: Home, keyaudit: Any) -> None:
    completed = keyaudit("scan", "--home", home.root, "--format", "json")

    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    validate_report(report)
    assert report["summary"]["by_severity"] == {
        "critical": 0,
        "high": 3,
        "medium": 0,
        "low": 1,
        "info": 0,
    }
    assert report["coverage"]["files_skipped"][0]["path"] == ".env"
    assert report["scan"]["targets"] == [{"scope": "machine", "root": str(home.root)}]
    assert_no_key_in(completed.stdout + completed.stderr, *home.keys)


def test_json_report_valid_tree(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    repo = make_repo({"app/.env": f"OPENAI_API_KEY={keys.openai_user()}\n"})

    report = keyaudit.json("scan", "--repo", repo, expect_exit=1)

    validate_report(report)
    assert report["scan"]["targets"] == [{"scope": "tree", "root": str(repo)}]


def test_json_report_valid_empty(tmp_path: Path, keyaudit: Any) -> None:
    report = keyaudit.json("scan", "--home", tmp_path, expect_exit=0)

    validate_report(report)
    assert report["findings"] == []
    assert report["summary"]["result"] == "pass"
    statuses = {rule["status"] for rule in report["rules"]}
    assert statuses == {"not_applicable"}


def test_finding_fields(home: Home, keyaudit: Any) -> None:
    report = keyaudit.json("scan", "--home", home.root)

    by_rule = {finding["rule"]: finding for finding in report["findings"]}
    plaintext = findings_by(report, rule="plaintext-key", path=".zshrc")[0]
    assert plaintext["secret"] == {
        "provider": "openai",
        "kind": "project key",
        "fingerprint": fingerprint(home.profile_key),
        "redacted": "sk-proj-…" + home.profile_key[-4:],
    }
    assert plaintext["location"] == {
        "scope": "machine",
        "path": ".zshrc",
        "line": 1,
        "column": 23,
        "setting": "OPENAI_API_KEY",
    }
    assert plaintext["controls"]["soc2"] == [{"id": "CC6.1", "primary": True}]
    assert by_rule["file-permissions"]["evidence"]["mode"] == "0644"
    assert by_rule["malformed-key"]["severity"] == "low"


def test_finding_ids_stable(home: Home, keyaudit: Any) -> None:
    first = keyaudit.json("scan", "--home", home.root)
    second = keyaudit.json("scan", "--home", home.root)

    ids = [finding["id"] for finding in first["findings"]]
    assert ids == [finding["id"] for finding in second["findings"]]
    assert len(set(ids)) == len(ids)


def test_finding_ids_unique(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.openai_user()
    write(tmp_path / ".env", f"OPENAI_API_KEY={key} BACKUP_OPENAI_KEY={key}\n")
    store = write(tmp_path / ".netrc", "machine example.com password x\n", 0o644)
    if os.geteuid() == 0:
        os.chown(store, NOBODY_UID, -1)

    report = keyaudit.json("scan", "--home", tmp_path)

    ids = [finding["id"] for finding in report["findings"]]
    assert len(findings_by(report, rule="plaintext-key", line=1)) == 2
    assert len(ids) == (4 if os.geteuid() == 0 else 3)
    assert len(set(ids)) == len(ids)
    validate_report(report)


def test_text_report_layout(home: Home, keyaudit: Any) -> None:
    completed = keyaudit("scan", "--home", home.root)
    report_rules = keyaudit.json("scan", "--home", home.root)["rules"]

    assert completed.returncode == 1, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == f"keyaudit 0.1.0: machine {home.root} (policy default)"
    headings = [line for line in lines if line and not line.startswith(" ")][1:]
    assert headings[:4] == [
        "HIGH (3)",
        "LOW (1)",
        "NOT SCANNED (1)",
        "PARTLY SCANNED (1)",
    ]
    high = lines.index("HIGH (3)")
    assert lines[high + 1].startswith("  .claude/.credentials.json: ")
    assert lines[high + 1].endswith(" [file-permissions]")
    assert lines[high + 2].startswith("      fix: ")
    assert f"chmod 600 {shlex.quote(str(home.store))}" in lines[high + 2]
    key_line = f"      key: sk-proj-…{home.profile_key[-4:]}  "
    assert key_line + fingerprint(home.profile_key) in lines
    assert lines[-1] == (
        "4 finding(s): 3 high, 1 low. 4 file(s) scanned, 1 not scanned. "
        f"3 of {len(report_rules)} rule(s) failed. Result: fail (--fail-on high)."
    )
    assert_no_key_in(completed.stdout, *home.keys)


def test_output_file_written(home: Home, keyaudit: Any, tmp_path: Path) -> None:
    output = tmp_path / "out" / "report.json"
    output.parent.mkdir()

    completed = keyaudit(
        "scan", "--home", home.root, "--format", "json", "--output", output
    )

    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr == f"keyaudit: report written to {output}\n"
    report = json.loads(output.read_text(encoding="utf-8"))
    validate_report(report)
    assert report["summary"]["findings"] == 4


def test_output_unwritable_folder(home: Home, keyaudit: Any, tmp_path: Path) -> None:
    output = tmp_path / "missing" / "report.txt"

    completed = keyaudit("scan", "--home", home.root, "--output", output)

    assert completed.returncode == 2
    assert completed.stderr == (
        f"keyaudit: error: {output}: cannot write the report: "
        "No such file or directory\n"
    )


@pytest.mark.parametrize(
    ("fail_on", "exit_code", "failing"),
    [
        ("critical", 0, 0),
        ("high", 1, 3),
        ("medium", 1, 3),
        ("low", 1, 4),
        ("info", 1, 4),
    ],
)
def test_fail_on_threshold(
    home: Home, keyaudit: Any, fail_on: str, exit_code: int, failing: int
) -> None:
    completed = keyaudit(
        "scan", "--home", home.root, "--format", "json", "--fail-on", fail_on
    )

    assert completed.returncode == exit_code, completed.stderr
    summary = json.loads(completed.stdout)["summary"]
    assert summary["exit_code"] == exit_code
    assert summary["failing_findings"] == failing
    assert summary["fail_on"] == fail_on


def test_fail_on_low_only(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    write(tmp_path / ".env", f'OPENAI_API_KEY=" {keys.openai_user()}"\n')
    (tmp_path / ".env").chmod(0o600)
    policy = write(
        tmp_path / "policy.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    enabled: false\n",
    )
    arguments = ("scan", "--home", tmp_path, "--policy", policy)

    default = keyaudit(*arguments)
    low = keyaudit(*arguments, "--fail-on", "low")

    assert default.returncode == 0, default.stderr
    assert low.returncode == 1, low.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ("scan", "--format", "xml"),
        ("scan", "--fail-on", "severe"),
        ("scan", "--home", "/nonexistent/home"),
        ("scan", "--no-such-option"),
        ("no-such-command",),
    ],
)
def test_usage_error_exit_two(keyaudit: Any, arguments: tuple[str, ...]) -> None:
    completed = keyaudit(*arguments)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "Error" in completed.stderr


def test_verbose_log_keyless(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    short_key = keys.azure()
    long_key = keys.openai_project()
    tree = tmp_path / "tree"
    write(tree / "a.yaml", f"azure:\n  api_key: {short_key}: x: y\n")
    write(tree / "b.yaml", f"openai:\n  key: @{long_key}\n")
    write(tree / "c.json", f'{{"openai": "{long_key}" oops}}\n')

    completed = keyaudit("-vv", "scan", "--repo", tree, "--format", "json")

    assert completed.returncode == 1, completed.stderr
    assert "yaml as lines" in completed.stderr
    assert_no_key_in(completed.stderr, short_key, long_key)
    assert long_key[8:30] not in completed.stderr
    assert_no_key_in(completed.stdout, short_key, long_key)


def test_text_escapes_control_chars(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    tree = tmp_path / "tree"
    forged = "a\n\n0 finding(s). Result: pass (--fail-on high).\n.env"
    write(tree / forged, f"OPENAI_API_KEY={keys.openai_user()}\n")
    write(tree / "\x1b]0;title\x07.env", f"GROQ_API_KEY={keys.groq()}\n")

    completed = keyaudit("scan", "--repo", tree)

    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert not [line for line in lines if line.startswith("0 finding(s)")]
    assert "\x1b" not in completed.stdout
    assert "\x07" not in completed.stdout
    assert "  \\x1b]0;title\\x07.env:1: " in completed.stdout
    assert "  a\\x0a\\x0a0 finding(s). Result: pass" in completed.stdout


def test_key_as_name_not_reported(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    tree = tmp_path / "tree"
    member, variable, file_name = keys.openai_project(), keys.groq(), keys.anthropic()
    write(tree / "cache.json", json.dumps({member: {"note": "validated"}}) + "\n")
    write(tree / "notes.env", f"{variable}=1\n")
    write(tree / f"{file_name}.txt", f"{file_name}\n")

    as_json = keyaudit("scan", "--repo", tree, "--format", "json")
    as_text = keyaudit("scan", "--repo", tree)

    assert as_json.returncode == 1, as_json.stderr
    report = json.loads(as_json.stdout)
    assert len(report["findings"]) == 3
    assert_no_key_in(as_json.stdout + as_text.stdout, member, variable, file_name)
    paths = {f["location"]["path"] for f in report["findings"]}
    assert f"sk-ant-api…{file_name[-4:]}.txt" in paths


def test_strict_failure_names_its_reason(tmp_path: Path, keyaudit: Any) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").symlink_to("/etc/hostname")

    completed = keyaudit("scan", "--home", home, "--strict")

    assert completed.returncode == 1
    assert "Result: fail (--fail-on high; --strict: 1 file(s) not scanned)." in (
        completed.stdout
    )
