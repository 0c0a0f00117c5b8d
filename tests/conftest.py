"""Shared fixtures: fake keys, the real CLI in a subprocess, hermetic git repos."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakekeys import FakeKeys  # noqa: E402

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.com",
    "GIT_COMMITTER_DATE": "2026-01-02T03:04:05+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@pytest.fixture
def keys(request: pytest.FixtureRequest) -> FakeKeys:
    """Fake keys seeded from the test's name: the same keys on every run."""
    seed = int(hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:8], 16)
    return FakeKeys(seed)


@pytest.fixture
def user_home(tmp_path: Path) -> Path:
    """An empty HOME for the keyaudit process, so no real user config is read."""
    home = tmp_path / "runner-home"
    home.mkdir()
    return home


class KeyauditRunner:
    """Run the real `keyaudit` CLI as a subprocess, with HOME isolated."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(
        self, *args: str | Path, cwd: Path | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "HOME": str(self.home), **GIT_IDENTITY, **env}
        return subprocess.run(
            [sys.executable, "-m", "auditor", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=environment,
            check=False,
        )

    def json(
        self, *args: str | Path, expect_exit: int | None = None, **env: str
    ) -> dict[str, Any]:
        """Run a scan with `--format json` and return the parsed report."""
        completed = self(*args, "--format", "json", **env)
        if expect_exit is not None:
            assert completed.returncode == expect_exit, completed.stderr
        assert completed.stdout, completed.stderr
        return json.loads(completed.stdout)


@pytest.fixture
def keyaudit(user_home: Path) -> KeyauditRunner:
    return KeyauditRunner(user_home)


def git(repo: Path, *args: str, **env: str) -> str:
    """Run git in `repo` with a pinned identity and dates; return stdout."""
    environment = {**os.environ, **GIT_IDENTITY, **env}
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    return completed.stdout


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a git repository from a {path: text} tree, committed once."""

    def factory(files: dict[str, str] | None = None, name: str = "repo") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        for relative, text in (files or {}).items():
            path = repo / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        if files:
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", "Initial commit")
        return repo

    return factory


def findings_by(report: dict[str, Any], **match: Any) -> list[dict[str, Any]]:
    """Return the findings whose fields (dotted for nested) equal the given values."""
    selected = []
    for finding in report["findings"]:
        values = {
            "rule": finding["rule"],
            "path": finding["location"]["path"],
            "line": finding["location"].get("line"),
            "provider": finding.get("secret", {}).get("provider"),
            "fingerprint": finding.get("secret", {}).get("fingerprint"),
        }
        if all(values.get(key) == value for key, value in match.items()):
            selected.append(finding)
    return selected


def fingerprint(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def assert_no_key_in(text: str, *secret_keys: str) -> None:
    """Fail if any whole key appears in an output."""
    for key in secret_keys:
        assert key not in text, "a whole key leaked into the output"
