"""The pre-commit hook, run by the real `pre-commit` tool.

pre-commit installs the hook's repository into a virtualenv of its own, which
needs the package index and takes some seconds, so one test covers both the
failing and the passing commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GIT_IDENTITY, assert_no_key_in, git

PROJECT = Path(__file__).resolve().parents[1]


def project_files() -> list[str]:
    """Return the project's tracked and unignored files, as a clone would have them."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    )
    names = [os.fsdecode(name) for name in listing.stdout.split(b"\0") if name]
    return [name for name in names if (PROJECT / name).is_file()]


@pytest.fixture(scope="session")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-commit copy of the project's files, for `pre-commit try-repo`.

    Copying the files, instead of cloning, lets the test run the hook as it is
    in the working tree, uncommitted changes included.
    """
    source = tmp_path_factory.mktemp("hook-source")
    for name in project_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT / name, target)
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", "Snapshot of the project")
    return source


def pre_commit(
    repo: Path, hook_repository: Path, cache: Path
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        **GIT_IDENTITY,
        "PRE_COMMIT_HOME": str(cache),
        "PRE_COMMIT_COLOR": "never",
    }
    pre_commit_tool = Path(sys.executable).with_name("pre-commit")
    return subprocess.run(
        [
            str(pre_commit_tool),
            "try-repo",
            str(hook_repository),
            "keyaudit",
            "--verbose",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=600,
    )


def test_hook_blocks_key_and_passes_clean(
    hook_repository, make_repo, keys, tmp_path_factory
) -> None:
    cache = tmp_path_factory.mktemp("pre-commit-home")
    repo = make_repo({"README.md": "project\n"})
    key = keys.openai_project()
    (repo / "app.env").write_text(f"OPENAI_API_KEY={key}\n")
    git(repo, "add", "app.env")

    blocked = pre_commit(repo, hook_repository, cache)

    output = blocked.stdout + blocked.stderr
    assert blocked.returncode == 1, output
    assert "app.env:1: openai project key in the staged change" in output
    assert "fix: Remove the key from line 1 of app.env" in output
    assert_no_key_in(output, key)

    (repo / "app.env").write_text("OPENAI_API_KEY=\n")
    git(repo, "add", "app.env")

    passed = pre_commit(repo, hook_repository, cache)

    output = passed.stdout + passed.stderr
    assert passed.returncode == 0, output
    assert "Passed" in output
    assert "keyaudit 0.1.0" not in output
    assert "staged-key" not in output
