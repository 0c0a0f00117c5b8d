"""`keyaudit scan --repo DIR --history` on real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from conftest import GIT_IDENTITY, assert_no_key_in, findings_by, fingerprint, git

from auditor import resources


def commit_file(repo: Path, name: str, text: str, message: str) -> str:
    """Write a file, commit it, and return the new commit's sha."""
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(repo, "add", "--", name)
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def commit_raw(repo: Path, author: bytes, message: bytes) -> str:
    """Commit the index with metadata bytes as given; `git commit` would fix them."""
    tree = git(repo, "write-tree").strip().encode()
    signature = author + b" 1767323045 +0000"
    body = b"tree %s\nauthor %s\ncommitter %s\n\n%s\n" % (
        tree,
        signature,
        signature,
        message,
    )
    written = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo,
        input=body,
        capture_output=True,
        check=True,
    )
    sha = written.stdout.decode().strip()
    git(repo, "update-ref", "HEAD", sha)
    return sha


def history_report(keyaudit: Any, repo: Path, *args: str, exit_code: int = 1) -> Any:
    completed = keyaudit("scan", "--repo", repo, "--history", "--format", "json", *args)
    assert completed.returncode == exit_code, completed.stderr
    return json.loads(completed.stdout)


def only(findings: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(findings) == 1, [f["location"] for f in findings]
    return findings[0]


def test_merge_resolution_key_blamed_on_merge(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"config.env": "MODEL=small\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit_file(repo, "config.env", "MODEL=large\n", "Use the large model")
    git(repo, "checkout", "-q", "main")
    commit_file(repo, "config.env", "MODEL=medium\n", "Use the medium model")
    merge = subprocess.run(
        ["git", "merge", "-q", "feature"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_IDENTITY},
        check=False,
    )
    assert "CONFLICT" in merge.stdout + merge.stderr
    key = keys.openai_project()
    (repo / "config.env").write_text(f"MODEL=large\nOPENAI_API_KEY={key}\n")
    git(repo, "add", "config.env")
    git(repo, "commit", "-q", "--no-edit")
    merge_sha = git(repo, "rev-parse", "HEAD").strip()

    completed = keyaudit("scan", "--repo", repo, "--history", "--format", "json")

    assert completed.returncode == 1, completed.stderr
    assert_no_key_in(completed.stdout + completed.stderr, key)
    report = json.loads(completed.stdout)
    finding = only(findings_by(report, rule="history-key", path="config.env"))
    assert finding["location"]["commit"]["sha"] == merge_sha
    assert finding["location"]["line"] == 2
    assert finding["secret"]["fingerprint"] == fingerprint(key)
    assert finding["evidence"]["present_at_head"] is True


def test_pure_rename_ties_both_paths(make_repo, keys, keyaudit) -> None:
    key = keys.anthropic()
    repo = make_repo({"old/settings.json": f'{{"apiKey": "{key}"}}\n'})
    first = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "mv", "old/settings.json", "new-settings.json")
    git(repo, "commit", "-q", "-m", "Move the settings")
    renamed = git(repo, "rev-parse", "HEAD").strip()

    report = history_report(keyaudit, repo)

    old = only(findings_by(report, rule="history-key", path="old/settings.json"))
    new = only(findings_by(report, rule="history-key", path="new-settings.json"))
    assert old["location"]["commit"]["sha"] == first
    assert new["location"]["commit"]["sha"] == renamed
    assert old["secret"]["fingerprint"] == new["secret"]["fingerprint"]
    assert old["evidence"]["present_at_head"] is False
    assert new["evidence"]["present_at_head"] is True


def test_shallow_clone_reported_incomplete(make_repo, keys, keyaudit, tmp_path) -> None:
    repo = make_repo({"README.md": "first\n"})
    commit_file(repo, "README.md", "second\n", "Second commit")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))

    report = history_report(keyaudit, clone, exit_code=0)
    strict = keyaudit("scan", "--repo", clone, "--history", "--strict")

    history = report["coverage"]["history"]
    assert history["complete"] is False
    assert history["commits_read"] == 1
    assert "shallow clone" in history["incomplete_reasons"][0]
    gaps = report["coverage"]["files_skipped"]
    assert [gap["reason"] for gap in gaps] == ["shallow-clone"]
    assert strict.returncode == 1, strict.stderr
    assert "INCOMPLETE" in strict.stdout


def test_removed_key_found_not_at_head(make_repo, keys, keyaudit) -> None:
    key = keys.google()
    repo = make_repo({"app.py": "import os\n"})
    added = commit_file(repo, "app.py", f'import os\nKEY = "{key}"\n', "Add a key")
    commit_file(repo, "app.py", "import os\n", "Remove the key")
    head_text = keyaudit("scan", "--repo", repo)

    report = history_report(keyaudit, repo)

    finding = only(findings_by(report, rule="history-key", path="app.py"))
    assert finding["location"]["commit"]["sha"] == added
    assert finding["location"]["commit"]["subject"] == "Add a key"
    assert finding["location"]["commit"]["author"] == "Test Author <author@example.com>"
    assert finding["evidence"]["present_at_head"] is False
    assert "Revoke the key" in finding["fix"]
    assert "aistudio.google.com" in finding["fix"]
    assert head_text.returncode == 0, "the working tree no longer holds the key"


def test_key_kept_once_per_path(make_repo, keys, keyaudit) -> None:
    key = keys.groq()
    repo = make_repo({"a.env": f"GROQ_API_KEY={key}\n"})
    first = git(repo, "rev-parse", "HEAD").strip()
    commit_file(repo, "a.env", f"# moved down\nGROQ_API_KEY={key}\n", "Edit")
    commit_file(repo, "b.env", f"GROQ_API_KEY={key}\n", "Copy")

    report = history_report(keyaudit, repo)

    in_a = only(findings_by(report, rule="history-key", path="a.env"))
    assert in_a["location"]["commit"]["sha"] == first
    assert len(findings_by(report, rule="history-key", path="b.env")) == 1
    assert len(report["findings"]) == 2


def test_key_on_other_branch_only(make_repo, keys, keyaudit) -> None:
    key = keys.huggingface()
    repo = make_repo({"README.md": "hello\n"})
    git(repo, "checkout", "-q", "-b", "experiment")
    sha = commit_file(repo, "train.sh", f"export HF_TOKEN={key}\n", "Try training")
    git(repo, "checkout", "-q", "main")

    report = history_report(keyaudit, repo)

    finding = only(findings_by(report, rule="history-key", path="train.sh"))
    assert finding["location"]["commit"]["sha"] == sha
    assert finding["evidence"]["present_at_head"] is False


def test_key_on_tag_and_remote_ref(make_repo, keys, keyaudit) -> None:
    tagged_key, remote_key = keys.xai(), keys.perplexity()
    repo = make_repo({"README.md": "hello\n"})
    git(repo, "checkout", "-q", "--detach")
    commit_file(repo, "a.txt", f"xai {tagged_key}\n", "Tagged only")
    git(repo, "tag", "v1")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "--detach")
    remote = commit_file(repo, "b.txt", f"pplx {remote_key}\n", "Remote only")
    git(repo, "update-ref", "refs/remotes/origin/topic", remote)
    git(repo, "checkout", "-q", "main")

    report = history_report(keyaudit, repo)

    assert len(findings_by(report, path="a.txt", fingerprint=fingerprint(tagged_key)))
    assert len(findings_by(report, path="b.txt", fingerprint=fingerprint(remote_key)))


def test_key_in_older_stash_entry(make_repo, keys, keyaudit) -> None:
    key = keys.openai_user()
    repo = make_repo({".env": "DEBUG=1\n"})
    (repo / ".env").write_text(f"DEBUG=1\nOPENAI_API_KEY={key}\n")
    git(repo, "stash", "push", "-q", "-m", "with the key")
    (repo / ".env").write_text("DEBUG=0\n")
    git(repo, "stash", "push", "-q", "-m", "without a key")
    assert len(git(repo, "stash", "list").splitlines()) == 2

    report = history_report(keyaudit, repo)

    finding = only(findings_by(report, rule="history-key", path=".env"))
    assert finding["secret"]["fingerprint"] == fingerprint(key)
    assert "with the key" in finding["location"]["commit"]["subject"]
    assert finding["evidence"]["present_at_head"] is False


def test_empty_repository_passes(make_repo, keyaudit) -> None:
    repo = make_repo()

    report = history_report(keyaudit, repo, exit_code=0)

    history = report["coverage"]["history"]
    assert history["commits_read"] == 0
    assert history["complete"] is True
    rule = next(r for r in report["rules"] if r["id"] == "history-key")
    assert rule["status"] == "pass"


def test_non_utf8_author_and_path(make_repo, keys, keyaudit) -> None:
    key = keys.openrouter()
    repo = make_repo()
    name = "caf\udce9.env"  # the byte 0xE9 alone: Latin-1, not UTF-8
    (repo / name).write_text(f"OPENROUTER_API_KEY={key}\n")
    git(repo, "add", "-A")
    commit_raw(repo, b"Ren\xe9 <rene@example.com>", b"Add caf\xe9.env")

    report = history_report(keyaudit, repo)

    finding = only(findings_by(report, rule="history-key", path="caf\\xe9.env"))
    assert finding["location"]["commit"]["author"].startswith("Ren\ufffd")
    assert finding["evidence"]["present_at_head"] is True
    text = keyaudit("scan", "--repo", repo, "--history")
    assert text.returncode == 1, text.stderr
    assert "caf\\xe9.env" in text.stdout


def test_other_rules_skip_history(make_repo, keys, keyaudit) -> None:
    key = keys.anthropic()
    repo = make_repo({"keys.txt": f"anthropic {key}\n"})

    report = history_report(keyaudit, repo)

    assert {f["rule"] for f in report["findings"]} == {"history-key"}
    statuses = {r["id"]: r["status"] for r in report["rules"]}
    assert statuses["plaintext-key"] == "not_applicable"
    assert statuses["unencrypted-backup"] == "not_applicable"
    assert statuses["history-key"] == "fail"


def test_history_report_matches_schema(make_repo, keys, keyaudit) -> None:
    from jsonschema import Draft202012Validator

    repo = make_repo({"settings.json": f'{{"key": "{keys.openai_project()}"}}\n'})

    report = history_report(keyaudit, repo)

    schema = resources.json_resource("auditor.reports", "report.schema.json")
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(report)]
    assert errors == []
    finding = only(report["findings"])
    assert finding["severity"] == "critical"
    assert finding["controls"]["cwe"][0] == {"id": "CWE-798", "primary": True}


def test_bad_ref_exits_2(make_repo, keyaudit) -> None:
    repo = make_repo({"README.md": "hello\n"})
    (repo / ".git" / "refs" / "heads" / "broken").write_text("1" * 40 + "\n")

    completed = keyaudit("scan", "--repo", repo, "--history")

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert "git log failed" in completed.stderr


def test_missing_object_exits_2(make_repo, keyaudit) -> None:
    repo = make_repo({"README.md": "hello\n"})
    blob = git(repo, "rev-parse", "HEAD:README.md").strip()
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()

    completed = keyaudit("scan", "--repo", repo, "--history")

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert blob in completed.stderr


def test_history_needs_repo(keyaudit, user_home) -> None:
    completed = keyaudit("scan", "--home", user_home, "--history")

    assert completed.returncode == 2
    assert "--history needs --repo" in completed.stderr


def test_not_a_repository_exits_2(tmp_path, keyaudit) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()

    completed = keyaudit("scan", "--repo", folder, "--history")

    assert completed.returncode == 2
    assert "not a git repository" in completed.stderr


def test_log_records_split_across_blocks(make_repo, keys, monkeypatch) -> None:
    from auditor.sources import history as git_history

    big = "".join(f"line {n}\n" for n in range(1500))  # over _KEPT_HEAD bytes
    repo = make_repo({"a.env": f"HF_TOKEN={keys.huggingface()}\n", "b.txt": big})
    commit_file(repo, "diff --cc.txt", "+diff -- not a header\n", "Tricky lines")

    def diffs(read_size: int, limit: int = 1 << 20) -> list[tuple[str, bytes]]:
        monkeypatch.setattr(git_history, "READ_SIZE", read_size)
        stats = git_history.HistoryStats()
        log = git_history.HistoryLog(repo, stats, max_diff_size=limit)
        found = [(commit.sha, diff) for commit, diff in log.file_diffs([])]
        log.close()
        cut = [(commit.sha, path) for commit, path in stats.too_large]
        return found + [(sha, b"too large: " + path) for sha, path in cut]

    whole = diffs(1 << 20)
    for size in (1, 2, 5, 7, 64):
        assert diffs(size) == whole, f"read size {size}"
    assert len(whole) == 3
    sizes = {diff: len(diff) for _, diff in whole}
    limit = max(sizes.values()) - 1
    largest = max(sizes, key=sizes.__getitem__)
    limited = diffs(1 << 20, limit=limit)
    assert len(limited) == 3
    assert b"too large: " + git_history._diff_path(largest) in [d for _, d in limited]
    for size in (1, 7, 64):
        assert diffs(size, limit=limit) == limited, f"read size {size}"
    all_cut = diffs(1 << 20, limit=50)
    assert all(diff.startswith(b"too large: ") for _, diff in all_cut)
    for size in (1, 7, 64):
        assert diffs(size, limit=50) == all_cut, f"read size {size}, all cut"


def test_oversized_diff_listed_not_scanned(make_repo, keys, keyaudit) -> None:
    policy = "extends: default\nsettings:\n  max_file_size: 3000\n"
    big_key, small_key = keys.openai_user(), keys.anthropic()
    filler = "".join(f"line {n} of a generated file\n" for n in range(400))
    repo = make_repo(
        {
            "keyaudit.yaml": policy,
            "generated.txt": f"{filler}OPENAI_API_KEY={big_key}\n{filler}",
            "small.env": f"ANTHROPIC_API_KEY={small_key}\n",
        }
    )

    report = history_report(keyaudit, repo)

    gaps = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["reason"]) for gap in gaps] == [
        ("generated.txt", "too-large")
    ]
    assert "over 6000 bytes" in gaps[0]["detail"]
    assert findings_by(report, path="generated.txt") == []
    assert len(findings_by(report, path="small.env")) == 1


def test_partial_clone_reported_incomplete(make_repo, keys, keyaudit, tmp_path) -> None:
    key = keys.replicate()
    repo = make_repo({"README.md": "first\n"})
    commit_file(repo, "run.sh", f"export REPLICATE_API_TOKEN={key}\n", "Add")
    git(repo, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial"
    git(
        tmp_path,
        "clone",
        "-q",
        "--no-checkout",
        "--filter=blob:none",
        f"file://{repo}",
        str(clone),
    )

    report = history_report(keyaudit, clone, exit_code=0)
    strict = keyaudit("scan", "--repo", clone, "--history", "--strict")

    history = report["coverage"]["history"]
    assert history["complete"] is False
    reasons = [gap["reason"] for gap in report["coverage"]["files_skipped"]]
    assert reasons == ["partial-clone", "partial-clone-stopped"]
    assert "stopped at an object" in history["incomplete_reasons"][1]
    assert strict.returncode == 1, strict.stderr


def test_merged_branch_key_blamed_on_branch(make_repo, keys, keyaudit) -> None:
    key = keys.together()
    repo = make_repo({"README.md": "hello\n", "app.env": "A=1\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    added = commit_file(repo, "app.env", f"A=1\nTOGETHER_API_KEY={key}\n", "Key")
    git(repo, "checkout", "-q", "main")
    commit_file(repo, "README.md", "hello again\n", "Edit README")
    git(repo, "merge", "-q", "--no-edit", "feature")

    report = history_report(keyaudit, repo)

    finding = only(findings_by(report, rule="history-key", path="app.env"))
    assert finding["location"]["commit"]["sha"] == added
    assert finding["evidence"]["present_at_head"] is True


def test_history_and_staged_rejected(make_repo, keyaudit) -> None:
    repo = make_repo({"README.md": "hello\n"})

    completed = keyaudit("scan", "--repo", repo, "--history", "--staged")

    assert completed.returncode == 2
    assert "cannot be combined" in completed.stderr


def test_text_report_history_line(make_repo, keyaudit) -> None:
    repo = make_repo({"README.md": "clean\n"})

    completed = keyaudit("scan", "--repo", repo, "--history")

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    history = [line for line in lines if line.startswith("HISTORY: ")]
    assert history == ["HISTORY: 1 commit(s), 1 blob(s) read; complete"]
    assert lines[lines.index(history[0]) - 1] == ""
    assert "\\x0a" not in completed.stdout
