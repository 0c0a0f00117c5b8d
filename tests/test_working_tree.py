"""`keyaudit scan --repo`: git working trees (tracked, unignored files) and folders."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from builders import fish_escape, state_database, write
from conftest import findings_by, fingerprint, git


def scan_tree(keyaudit: Any, root: Path) -> tuple[int, dict[str, Any]]:
    completed = keyaudit("scan", "--repo", root, "--format", "json")
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def fingerprints(report: dict[str, Any]) -> set[str]:
    return {f["secret"]["fingerprint"] for f in report["findings"] if "secret" in f}


def test_tree_tracked_untracked_ignored(
    make_repo: Any, keys: Any, keyaudit: Any, tmp_path: Path
) -> None:
    tracked, untracked = keys.openai_project(), keys.anthropic()
    ignored, nested_ignored = keys.google(), keys.groq()
    repo = make_repo(
        {
            ".gitignore": "secrets/\n*.local\n",
            "app/settings.py": f'OPENAI_API_KEY = "{tracked}"\n',
            "docs/.gitignore": "drafts/\n",
        }
    )
    write(repo / "app" / "notes.md", f"test with {untracked}\n")
    write(repo / "secrets" / ".env", f"GEMINI_API_KEY={ignored}\n")
    write(repo / "config.local", f"GROQ_API_KEY={nested_ignored}\n")
    write(repo / "docs" / "drafts" / "key.txt", f"{nested_ignored}\n")
    outside = write(tmp_path / "outside.env", f"GEMINI_API_KEY={ignored}\n")
    (repo / "secrets" / "link.env").symlink_to(outside)

    code, report = scan_tree(keyaudit, repo)

    assert code == 1
    assert fingerprints(report) == {fingerprint(tracked), fingerprint(untracked)}
    found = findings_by(report, path="app/settings.py", line=1)
    assert [f["rule"] for f in found] == ["plaintext-key"]
    assert found[0]["location"]["scope"] == "tree"
    assert found[0]["location"]["setting"] == "OPENAI_API_KEY"
    assert len(findings_by(report, path="app/notes.md", line=1)) == 1
    # Visiting the ignored folder would list its link as a skipped file.
    assert report["coverage"]["files_skipped"] == []
    assert report["coverage"]["files_scanned"] == 4


def test_tree_deleted_tracked_file(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    repo = make_repo({"gone.env": "A=1\n", "kept.env": f"HF={keys.huggingface()}\n"})
    (repo / "gone.env").unlink()

    code, report = scan_tree(keyaudit, repo)

    assert code == 1
    assert [f["location"]["path"] for f in report["findings"]] == ["kept.env"]
    assert report["coverage"]["files_skipped"] == []


def test_tree_subfolder_of_repo(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    inside, other = keys.xai(), keys.perplexity()
    repo = make_repo(
        {"service/.env": f"XAI_API_KEY={inside}\n", "other/.env": f"P={other}\n"}
    )

    _, report = scan_tree(keyaudit, repo / "service")

    assert [f["location"]["path"] for f in report["findings"]] == [".env"]
    assert fingerprints(report) == {fingerprint(inside)}
    assert report["scan"]["targets"][0]["root"] == str(repo / "service")


def test_tree_odd_file_names(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    key = keys.replicate()
    names = ["my keys.env", "tab\there.txt", "ünïcode.yaml", "-dash.sh"]
    repo = make_repo({name: f"REPLICATE_API_TOKEN={key}\n" for name in names})

    _, report = scan_tree(keyaudit, repo)

    paths = sorted(f["location"]["path"] for f in report["findings"])
    assert paths == sorted(names)


def test_tree_roles_by_file_name(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    folder = tmp_path / "folder"
    backup, database, encrypted = keys.openai_user(), keys.anthropic(), keys.google()
    write(folder / "keys.txt", f"{backup}\n")
    write(folder / "vault.txt.gpg", f"{encrypted}\n")
    state_database(
        folder / ".vscode" / "state.vscdb", rows=[("cursorAuth/claudeKey", database)]
    )

    _, report = scan_tree(keyaudit, folder)

    found = {
        (f["rule"], f["location"]["path"], f["secret"]["fingerprint"])
        for f in report["findings"]
    }
    assert found == {
        ("unencrypted-backup", "keys.txt", fingerprint(backup)),
        ("unencrypted-backup", "vault.txt.gpg", fingerprint(encrypted)),
        ("plaintext-key", ".vscode/state.vscdb", fingerprint(database)),
    }
    rows = findings_by(report, path=".vscode/state.vscdb")
    assert rows[0]["location"]["row_key"] == "cursorAuth/claudeKey"


def test_plain_folder_every_file(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    folder = tmp_path / "folder"
    first, second = keys.together(), keys.openrouter()
    write(folder / ".gitignore", "*.env\n")
    write(folder / "a.env", f"TOGETHER_API_KEY={first}\n")
    write(folder / "deep" / "er" / "config.toml", f'key = "{second}"\n')

    code, report = scan_tree(keyaudit, folder)

    assert code == 1
    assert fingerprints(report) == {fingerprint(first), fingerprint(second)}
    assert report["coverage"]["files_scanned"] == 3


def test_plain_folder_skips_git_dir(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    folder = tmp_path / "folder"
    write(folder / ".git" / "config", f"token = {keys.openai_user()}\n")
    write(folder / "README", "nothing here\n")

    code, report = scan_tree(keyaudit, folder)

    assert code == 0
    assert report["coverage"]["files_scanned"] == 1


def test_tree_no_permission_rule(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    repo = make_repo({"deploy.sh": f"export OPENAI_API_KEY={keys.openai_user()}\n"})
    os.chmod(repo / "deploy.sh", 0o666)

    _, report = scan_tree(keyaudit, repo)

    assert [f["rule"] for f in report["findings"]] == ["plaintext-key"]
    rules = {rule["id"]: rule for rule in report["rules"]}
    assert rules["file-permissions"]["status"] == "not_applicable"


def test_home_and_repo_together(
    tmp_path: Path, make_repo: Any, keys: Any, keyaudit: Any
) -> None:
    home_key, repo_key = keys.cohere(), keys.deepseek()
    write(tmp_path / "home" / ".env", f"CO_API_KEY={home_key}\n")
    repo = make_repo({".env": f"DEEPSEEK_API_KEY={repo_key}\n"})

    completed = keyaudit(
        "scan", "--home", tmp_path / "home", "--repo", repo, "--format", "json"
    )

    report = json.loads(completed.stdout)
    scopes = {
        (f["location"]["scope"], f["secret"]["provider"]) for f in report["findings"]
    }
    assert scopes == {("machine", "cohere"), ("tree", "deepseek")}


def test_tree_git_history_untouched(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    repo = make_repo({"a.env": f"OPENAI_API_KEY={keys.openai_user()}\n"})
    before = git(repo, "status", "--porcelain=v1", "--ignored")
    head = git(repo, "rev-parse", "HEAD")

    scan_tree(keyaudit, repo)

    assert git(repo, "status", "--porcelain=v1", "--ignored") == before
    assert git(repo, "rev-parse", "HEAD") == head


def test_tree_dotfiles_fish_variables(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    key = keys.anthropic()
    text = f"# VERSION: 3.0\nSETUVAR --export ANTHROPIC_API_KEY:{fish_escape(key)}\n"
    repo = make_repo({"fish/fish_variables": text})

    _, report = scan_tree(keyaudit, repo)

    found = findings_by(report, rule="plaintext-key", path="fish/fish_variables")
    assert [f["location"]["line"] for f in found] == [2]
    assert found[0]["secret"]["fingerprint"] == fingerprint(key)
