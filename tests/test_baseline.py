"""The baseline: accepted findings pass, new ones fail, and the file does not churn."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import assert_no_key_in, findings_by, fingerprint, git

from auditor.report.json_report import validate

BASELINE = ".keyaudit-baseline.json"


def test_baseline_passes_known_fails_new(make_repo, keys, keyaudit) -> None:
    old = keys.openai_project()
    repo = make_repo({"legacy/.env": f"OPENAI_API_KEY={old}\n", "README.md": "x\n"})
    created = keyaudit("baseline", "create", "--repo", repo)
    assert created.returncode == 0, created.stderr
    baseline = repo / BASELINE

    known = keyaudit.json("scan", "--repo", repo, "--baseline", baseline, expect_exit=0)
    new = keys.anthropic()
    (repo / "new.env").write_text(f"ANTHROPIC_API_KEY={new}\n")
    both = keyaudit.json("scan", "--repo", repo, "--baseline", baseline, expect_exit=1)

    assert known["findings"][0]["suppression"]["kind"] == "baseline"
    assert str(baseline) in known["findings"][0]["suppression"]["reason"]
    assert known["summary"]["suppressed_findings"] == 1
    active = [f for f in both["findings"] if "suppression" not in f]
    assert [f["secret"]["fingerprint"] for f in active] == [fingerprint(new)]
    assert both["summary"]["failing_findings"] == 1
    validate(known)
    validate(both)


def test_baseline_file_content(make_repo, keys, keyaudit) -> None:
    first, second = keys.openai_project(), keys.google()
    repo = make_repo(
        {"b/.env": f"OPENAI_API_KEY={first}\n", "a/.env": f"GEMINI_API_KEY={second}\n"}
    )

    keyaudit("baseline", "create", "--repo", repo)

    text = (repo / BASELINE).read_text()
    assert_no_key_in(text, first, second)
    data = json.loads(text)
    assert data == {
        "schema_version": "1.0",
        "findings": [
            {
                "rule": "plaintext-key",
                "path": "a/.env",
                "fingerprint": fingerprint(second),
            },
            {
                "rule": "plaintext-key",
                "path": "b/.env",
                "fingerprint": fingerprint(first),
            },
        ],
    }
    assert "line" not in text
    assert text.endswith("}\n")


def test_update_unchanged_when_lines_move(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({".env": f"OPENAI_API_KEY={key}\n"})
    keyaudit("baseline", "create", "--repo", repo)
    before = (repo / BASELINE).read_bytes()
    (repo / ".env").write_text(f"# moved down\n\nDEBUG=1\nOPENAI_API_KEY={key}\n")
    git(
        repo,
        "commit",
        "-qam",
        "Move the key down",
        GIT_COMMITTER_DATE="2026-02-03T00:00:00+00:00",
    )

    updated = keyaudit("baseline", "update", "--repo", repo)

    assert updated.returncode == 0, updated.stderr
    assert "unchanged: 0 added, 0 removed" in updated.stderr
    assert (repo / BASELINE).read_bytes() == before


def test_update_unchanged_with_crlf_checkout(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({".env": f"OPENAI_API_KEY={key}\nOTHER=1\n"})
    keyaudit("baseline", "create", "--repo", repo)
    baseline = repo / BASELINE
    lf_bytes = baseline.read_bytes()
    # What a Windows checkout with core.autocrlf=true leaves on disk.
    (repo / ".env").write_bytes(f"OPENAI_API_KEY={key}\r\nOTHER=1\r\n".encode())
    crlf_bytes = lf_bytes.replace(b"\n", b"\r\n")
    baseline.write_bytes(crlf_bytes)

    updated = keyaudit("baseline", "update", "--repo", repo)
    scanned = keyaudit.json("scan", "--repo", repo, "--baseline", baseline)

    assert updated.returncode == 0, updated.stderr
    assert baseline.read_bytes() == crlf_bytes
    assert scanned["summary"]["exit_code"] == 0
    assert scanned["findings"][0]["secret"]["fingerprint"] == fingerprint(key)


def test_update_twice_is_byte_identical(make_repo, keys, keyaudit) -> None:
    repo = make_repo(
        {f"svc{n}/.env": f"OPENAI_API_KEY={keys.openai_project()}\n" for n in range(4)}
    )
    keyaudit("baseline", "create", "--repo", repo)
    (repo / "late.env").write_text(f"GROQ_API_KEY={keys.groq()}\n")

    first = keyaudit("baseline", "update", "--repo", repo)
    after_first = (repo / BASELINE).read_bytes()
    second = keyaudit("baseline", "update", "--repo", repo)

    assert "updated: 1 added, 0 removed" in first.stderr
    assert "+ plaintext-key late.env sha256:" in first.stderr
    assert "unchanged" in second.stderr
    assert (repo / BASELINE).read_bytes() == after_first


def test_update_keeps_crlf_when_changed(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({".env": f"OPENAI_API_KEY={key}\n"})
    keyaudit("baseline", "create", "--repo", repo)
    baseline = repo / BASELINE
    baseline.write_bytes(baseline.read_bytes().replace(b"\n", b"\r\n"))
    (repo / ".env").write_text("OPENAI_API_KEY=\n")

    updated = keyaudit("baseline", "update", "--repo", repo)

    assert "updated: 0 added, 1 removed" in updated.stderr
    data = baseline.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n")
    assert json.loads(data)["findings"] == []


def test_create_keeps_existing_file(make_repo, keys, keyaudit) -> None:
    repo = make_repo({".env": f"OPENAI_API_KEY={keys.openai_project()}\n"})
    (repo / BASELINE).write_text("mine\n")

    completed = keyaudit("baseline", "create", "--repo", repo)

    assert completed.returncode == 2
    assert f"{repo / BASELINE}: baseline already exists" in completed.stderr
    assert (repo / BASELINE).read_text() == "mine\n"


def test_inline_allowed_not_baselined(make_repo, keys, keyaudit) -> None:
    repo = make_repo(
        {".env": f"OPENAI_API_KEY={keys.openai_project()} # keyaudit: allow\n"}
    )

    keyaudit("baseline", "create", "--repo", repo)

    assert json.loads((repo / BASELINE).read_text())["findings"] == []


def test_baseline_for_staged_scan(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "x\n"})
    key = keys.openai_project()
    (repo / "fixture.env").write_text(f"OPENAI_API_KEY={key}\n")
    git(repo, "add", "fixture.env")
    baseline = repo / BASELINE
    entry = {
        "rule": "staged-key",
        "path": "fixture.env",
        "fingerprint": fingerprint(key),
    }
    baseline.write_text(json.dumps({"schema_version": "1.0", "findings": [entry]}))

    report = keyaudit.json(
        "scan", "--staged", "--repo", repo, "--baseline", baseline, expect_exit=0
    )

    assert (
        findings_by(report, rule="staged-key")[0]["suppression"]["kind"] == "baseline"
    )


def test_created_baseline_accepts_staged_key(make_repo, keys, keyaudit) -> None:
    """`baseline create` on the tree, then staging the same file, passes the hook."""
    repo = make_repo({"README.md": "x\n"})
    key = keys.openai_project()
    (repo / "config.py").write_text(f'OPENAI_API_KEY = "{key}"\n')
    created = keyaudit("baseline", "create", "--repo", repo)
    assert created.returncode == 0, created.stderr
    git(repo, "add", "config.py")

    report = keyaudit.json(
        "scan", "--staged", "--repo", repo, "--baseline", repo / BASELINE, expect_exit=0
    )

    found = findings_by(report, rule="staged-key", path="config.py")
    assert len(found) == 1
    assert found[0]["suppression"]["kind"] == "baseline"


def test_baseline_other_key_same_path_fails(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "x\n"})
    (repo / "config.py").write_text(f'OPENAI_API_KEY = "{keys.openai_project()}"\n')
    keyaudit("baseline", "create", "--repo", repo)
    (repo / "config.py").write_text(f'OPENAI_API_KEY = "{keys.openai_project()}"\n')
    git(repo, "add", "config.py")

    report = keyaudit.json(
        "scan", "--staged", "--repo", repo, "--baseline", repo / BASELINE, expect_exit=1
    )

    found = findings_by(report, rule="staged-key", path="config.py")
    assert len(found) == 1
    assert "suppression" not in found[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_broken_baselines_exit_2(make_repo, keyaudit, tmp_path) -> None:
    repo = make_repo({"README.md": "x\n"})
    cases = {
        "baseline.not-json.json": ("{oops", ":1: invalid baseline: Expecting"),
        "baseline.no-findings.json": (
            '{"schema_version": "1.0"}',
            "invalid baseline: at the top level: 'findings' is a required property",
        ),
        "baseline.bad-fingerprint.json": (
            '{"schema_version": "1.0", "findings": '
            '[{"rule": "r", "path": "p", "fingerprint": "md5:00"}]}',
            "at findings/0/fingerprint: 'md5:00' does not match",
        ),
        "baseline.future-version.json": (
            '{"schema_version": "9.0", "findings": []}',
            "at schema_version: '1.0' was expected",
        ),
    }
    for name, (text, message) in cases.items():
        path = write(tmp_path / name, text)

        completed = keyaudit("scan", "--repo", repo, "--baseline", path)

        assert completed.returncode == 2, name
        assert f"keyaudit: error: {path}" in completed.stderr, name
        assert message in completed.stderr, (name, completed.stderr)
        assert completed.stdout == "", name


def test_missing_baseline_exit_2(make_repo, keyaudit, tmp_path) -> None:
    repo = make_repo({"README.md": "x\n"})
    missing = tmp_path / "absent.json"

    scan = keyaudit("scan", "--repo", repo, "--baseline", missing)
    update = keyaudit("baseline", "update", "--repo", repo, "--file", missing)

    assert scan.returncode == 2
    assert f"{missing}: baseline file not found" in scan.stderr
    assert update.returncode == 2
    assert f"{missing}: baseline file not found" in update.stderr


def test_baseline_file_scans_clean(make_repo, keys, keyaudit) -> None:
    repo = make_repo({".env": f"AZURE_OPENAI_API_KEY={keys.azure()}\n"})
    keyaudit("baseline", "create", "--repo", repo)
    (repo / ".env").unlink()

    report = keyaudit.json("scan", "--repo", repo, expect_exit=0)

    assert report["findings"] == []
