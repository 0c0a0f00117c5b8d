"""The staged scan: blobs read from the index, and only keys a commit would add."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import assert_no_key_in, findings_by, fingerprint, git

from auditor.report.json_report import validate


def stage(repo: Path, files: dict[str, str | bytes]) -> None:
    """Write files and stage them."""
    for relative, content in files.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        git(repo, "add", "--", relative)


def test_key_removed_from_working_copy_blocks(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    key = keys.openai_project()
    stage(repo, {".env": f"OPENAI_API_KEY={key}\n"})
    (repo / ".env").write_text("OPENAI_API_KEY=\n")

    completed = keyaudit("scan", "--repo", repo, "--staged", "--format", "json")

    assert completed.returncode == 1, completed.stderr
    assert_no_key_in(completed.stdout + completed.stderr, key)
    report = keyaudit.json("scan", "--repo", repo, "--staged")
    found = findings_by(report, rule="staged-key", path=".env", line=1)
    assert len(found) == 1
    assert found[0]["secret"]["fingerprint"] == fingerprint(key)
    assert found[0]["location"]["scope"] == "staged"
    assert found[0]["evidence"]["status"] == "added"
    validate(report)


def test_key_only_in_working_copy_passes(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    stage(repo, {".env": "OPENAI_API_KEY=\n"})
    (repo / ".env").write_text(f"OPENAI_API_KEY={keys.openai_project()}\n")

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=0)

    assert report["findings"] == []
    assert report["summary"]["result"] == "pass"


@pytest.mark.parametrize("with_key", ["a.env", "b.env"])
def test_every_new_staged_file_scanned(make_repo, keys, keyaudit, with_key) -> None:
    repo = make_repo({"README.md": "project\n"})
    key = keys.anthropic()
    files = {"a.env": "NAME=value\n", "b.env": "NAME=value\n"}
    files[with_key] = f"ANTHROPIC_API_KEY={key}\n"
    stage(repo, files)

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert [f["location"]["path"] for f in report["findings"]] == [with_key]
    assert report["coverage"]["files_scanned"] == 2


def test_keys_in_several_files_each_reported(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    first, second = keys.openai_project(), keys.google()
    stage(
        repo,
        {
            "one/.env": f"OPENAI_API_KEY={first}\n",
            "two/settings.json": f'{{"geminiApiKey": "{second}"}}\n',
            "three.txt": "nothing here\n",
        },
    )

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert (
        len(findings_by(report, path="one/.env", fingerprint=fingerprint(first))) == 1
    )
    second_found = findings_by(
        report, path="two/settings.json", fingerprint=fingerprint(second)
    )
    assert len(second_found) == 1


def test_committed_key_is_not_new(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({"app/.env": f"# settings\nOPENAI_API_KEY={key}\n"})
    stage(repo, {"app/.env": f"# settings\nDEBUG=1\n\nOPENAI_API_KEY={key}\n"})

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=0)

    assert report["findings"] == []
    assert report["coverage"]["files_scanned"] == 1


def test_second_key_in_modified_file_reported(make_repo, keys, keyaudit) -> None:
    old, new = keys.openai_project(), keys.openai_project()
    repo = make_repo({".env": f"OPENAI_API_KEY={old}\n"})
    stage(repo, {".env": f"OPENAI_API_KEY={old}\nOTHER_KEY={new}\n"})

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert len(report["findings"]) == 1
    assert report["findings"][0]["secret"]["fingerprint"] == fingerprint(new)
    assert report["findings"][0]["location"]["line"] == 2
    assert report["findings"][0]["evidence"]["status"] == "modified"


def test_all_keys_when_new_keys_only_off(make_repo, keys, keyaudit, tmp_path) -> None:
    key = keys.openai_project()
    repo = make_repo({".env": f"OPENAI_API_KEY={key}\n"})
    stage(repo, {".env": f"DEBUG=1\nOPENAI_API_KEY={key}\n"})
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "extends: default\n"
        "rules:\n"
        "  - id: staged-key\n"
        "    parameters: {new_keys_only: false}\n"
    )

    report = keyaudit.json(
        "scan", "--repo", repo, "--staged", "--policy", policy, expect_exit=1
    )

    assert len(findings_by(report, rule="staged-key", line=2)) == 1


def test_pure_rename_of_committed_key_passes(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({"old.env": f"OPENAI_API_KEY={key}\n"})
    git(repo, "mv", "old.env", "new.env")

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=0)

    assert report["findings"] == []


def test_rename_adding_key_reported(make_repo, keys, keyaudit) -> None:
    old, new = keys.openai_project(), keys.anthropic()
    text = "".join(f"SETTING_{n}=value {n}\n" for n in range(20))
    repo = make_repo({"old.env": f"{text}OPENAI_API_KEY={old}\n"})
    git(repo, "mv", "old.env", "new.env")
    stage(repo, {"new.env": f"{text}OPENAI_API_KEY={old}\nANTHROPIC_API_KEY={new}\n"})

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert len(report["findings"]) == 1
    finding = report["findings"][0]
    assert finding["secret"]["fingerprint"] == fingerprint(new)
    assert finding["evidence"]["status"] == "renamed"
    assert finding["evidence"]["renamed_from"] == "old.env"


def test_staged_deletion_passes(make_repo, keys, keyaudit) -> None:
    repo = make_repo({".env": f"OPENAI_API_KEY={keys.openai_project()}\n"})
    git(repo, "rm", "-q", ".env")

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=0)

    assert report["findings"] == []


def test_repository_without_commits(make_repo, keys, keyaudit) -> None:
    repo = make_repo()
    key = keys.groq()
    stage(repo, {"config.yaml": f"groq_api_key: {key}\n"})

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert len(findings_by(report, path="config.yaml", fingerprint=fingerprint(key)))


def test_subfolder_defaults_to_repository(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"src/main.py": "print('hi')\n"})
    key = keys.openai_project()
    stage(repo, {"src/config.sh": f"export OPENAI_API_KEY={key}\n"})

    completed = keyaudit("scan", "--staged", "--format", "json", cwd=repo / "src")

    assert completed.returncode == 1, completed.stderr
    assert '"path": "src/config.sh"' in completed.stdout


def test_only_staged_rule_judges_staged_blobs(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    stage(
        repo,
        {
            "keys.txt": f"{keys.openai_project()}\n",
            ".env": f"OPENAI_API_KEY={keys.openai_project()}\n",
        },
    )

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert {f["rule"] for f in report["findings"]} == {"staged-key"}
    assert len(report["findings"]) == 2
    statuses = {rule["id"]: rule["status"] for rule in report["rules"]}
    assert statuses["staged-key"] == "fail"
    assert statuses["plaintext-key"] == "not_applicable"
    assert statuses["unencrypted-backup"] == "not_applicable"


def test_binary_blob_key_found(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    key = keys.openai_project()
    stage(repo, {"model.bin": b"\x00\x01\x02" + key.encode() + b"\x00\xff"})

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    found = findings_by(report, path="model.bin", fingerprint=fingerprint(key))
    assert len(found) == 1
    assert "line" not in found[0]["location"]
    partly = report["coverage"]["files_partly_scanned"]
    assert [gap["path"] for gap in partly] == ["model.bin"]


def test_blobs_read_in_bulk(make_repo, keys, keyaudit, tmp_path) -> None:
    repo = make_repo({f"old{n}.txt": f"line {n}\n" for n in range(5)})
    files = {
        f"new{n}.env": f"OPENAI_API_KEY={keys.openai_project()}\n" for n in range(8)
    }
    files.update({f"old{n}.txt": f"line {n}\nmore\n" for n in range(5)})
    stage(repo, files)
    trace = tmp_path / "git-trace.log"

    completed = keyaudit("scan", "--repo", repo, "--staged", GIT_TRACE=str(trace))

    assert completed.returncode == 1, completed.stderr
    commands = [
        line for line in trace.read_text().splitlines() if "trace: built-in:" in line
    ]
    assert sum("git diff" in line for line in commands) == 1
    assert sum("git cat-file" in line for line in commands) == 1
    assert len(commands) <= 3


def test_path_with_spaces_and_unicode(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    key = keys.openai_project()
    stage(repo, {"conf dir/réglages.env": f"OPENAI_API_KEY={key}\n"})

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert [f["location"]["path"] for f in report["findings"]] == [
        "conf dir/réglages.env"
    ]


def test_oversized_blob_is_coverage_gap(make_repo, keys, keyaudit, tmp_path) -> None:
    repo = make_repo({"README.md": "project\n"})
    stage(repo, {"big.txt": "x" * 2000 + "\n", "small.env": "NAME=value\n"})
    policy = tmp_path / "policy.yaml"
    policy.write_text("extends: default\nsettings:\n  max_file_size: 1000\n")

    report = keyaudit.json("scan", "--repo", repo, "--staged", "--policy", policy)
    strict = keyaudit(
        "scan", "--repo", repo, "--staged", "--policy", policy, "--strict"
    )

    skipped = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["reason"]) for gap in skipped] == [
        ("big.txt", "too-large")
    ]
    assert report["summary"]["exit_code"] == 0
    assert strict.returncode == 1


def test_staged_outside_repository_is_usage_error(tmp_path, keyaudit) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()

    completed = keyaudit("scan", "--repo", folder, "--staged")

    assert completed.returncode == 2
    assert "not inside a git work tree" in completed.stderr
    assert str(folder) in completed.stderr


def test_quiet_prints_nothing_on_pass(make_repo, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    stage(repo, {"notes.txt": "nothing secret\n"})

    completed = keyaudit("scan", "--repo", repo, "--staged", "--quiet")

    assert completed.returncode == 0
    assert completed.stdout == ""
    assert completed.stderr == ""


def test_quiet_prints_finding_and_fix(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    key = keys.openai_project()
    stage(repo, {".env": f"OPENAI_API_KEY={key}\n"})

    completed = keyaudit("scan", "--repo", repo, "--staged", "--quiet")

    assert completed.returncode == 1
    assert ".env:1: openai project key in the staged change" in completed.stdout
    assert "fix: Remove the key from line 1 of .env" in completed.stdout
    assert_no_key_in(completed.stdout + completed.stderr, key)


def test_fail_on_critical_passes_high(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    stage(repo, {".env": f"OPENAI_API_KEY={keys.openai_project()}\n"})

    completed = keyaudit("scan", "--repo", repo, "--staged", "--fail-on", "critical")

    assert completed.returncode == 0


def test_hook_path_imports_stay_light(make_repo, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    stage(repo, {"notes.txt": "the OpenAI client reads its key from a variable\n"})

    completed = keyaudit(
        "scan", "--repo", repo, "--staged", "--quiet", PYTHONPROFILEIMPORTTIME="1"
    )

    assert completed.returncode == 0, completed.stderr
    imported = {
        line.split("|")[-1].strip()
        for line in completed.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "auditor.sources.staged" in imported
    heavy = ("jsonschema", "git", "detect_secrets", "jinja2", "auditor.report.sarif")
    heavy += (
        "auditor.report.junit",
        "auditor.report.html",
        "auditor.report.json_report",
    )
    assert sorted(imported & set(heavy)) == []


def test_subfolder_finds_repository_policy(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"src/main.py": "print('hi')\n"})
    (repo / "keyaudit.yaml").write_text(
        "extends: default\nrules:\n  - id: staged-key\n    severity: critical\n"
    )
    stage(repo, {"src/.env": f"OPENAI_API_KEY={keys.openai_project()}\n"})

    completed = keyaudit("scan", "--staged", "--format", "json", cwd=repo / "src")

    assert completed.returncode == 1, completed.stderr
    assert '"severity": "critical"' in completed.stdout


def test_subfolder_reads_in_bulk(make_repo, keys, keyaudit, tmp_path) -> None:
    repo = make_repo({"src/main.py": "print('hi')\n"})
    stage(repo, {"src/.env": f"OPENAI_API_KEY={keys.openai_project()}\n"})
    trace = tmp_path / "git-trace.log"

    completed = keyaudit("scan", "--staged", cwd=repo / "src", GIT_TRACE=str(trace))

    assert completed.returncode == 1, completed.stderr
    commands = [
        line for line in trace.read_text().splitlines() if "trace: built-in:" in line
    ]
    assert len(commands) == 3


def test_unmerged_path_is_coverage_gap(make_repo, keyaudit) -> None:
    repo = make_repo({"app.env": "MODE=base\n"})
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "app.env").write_text("MODE=other\n")
    git(repo, "commit", "-qam", "Change on other")
    git(repo, "checkout", "-q", "main")
    (repo / "app.env").write_text("MODE=main\n")
    git(repo, "commit", "-qam", "Change on main")
    merge = subprocess.run(
        ["git", "merge", "-q", "other"], cwd=repo, capture_output=True, check=False
    )
    assert merge.returncode == 1

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=0)
    strict = keyaudit("scan", "--repo", repo, "--staged", "--strict")

    skipped = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["reason"]) for gap in skipped] == [
        ("app.env", "unmerged")
    ]
    assert strict.returncode == 1


def test_submodule_is_coverage_gap(make_repo, keyaudit) -> None:
    repo = make_repo({"README.md": "x\n"})
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},vendor/lib")

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=0)

    skipped = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["reason"]) for gap in skipped] == [
        ("vendor/lib", "submodule")
    ]
    assert report["coverage"]["files_scanned"] == 0


def test_rule_listing_staged_scope_judges(make_repo, keys, keyaudit, tmp_path) -> None:
    repo = make_repo({"README.md": "x\n"})
    stage(repo, {"keys.txt": f"{keys.openai_project()}\n"})
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "extends: default\n"
        "rules:\n"
        "  - id: unencrypted-backup\n"
        "    parameters: {scopes: [machine, tree, staged]}\n"
    )

    report = keyaudit.json(
        "scan", "--repo", repo, "--staged", "--policy", policy, expect_exit=1
    )

    assert sorted(f["rule"] for f in report["findings"]) == [
        "staged-key",
        "unencrypted-backup",
    ]


def test_many_staged_files_one_key(make_repo, keys, keyaudit) -> None:
    # 2000 blob ids overflow the pipe buffers both ways, which a reader that
    # wrote every request before reading would deadlock on.
    repo = make_repo({"README.md": "x\n"})
    for number in range(2000):
        path = repo / f"part{number % 30}" / f"file{number}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"line {number}\n" * 50)
    key = keys.openai_project()
    (repo / "part7" / "late.env").write_text(f"OPENAI_API_KEY={key}\n")
    git(repo, "add", "-A")

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=1)

    assert report["coverage"]["files_scanned"] == 2001
    assert [f["location"]["path"] for f in report["findings"]] == ["part7/late.env"]
