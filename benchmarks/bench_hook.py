"""Time the pre-commit hook as a whole process, against detect-secrets' own hook.

Builds a temporary repository with a staged change to 10 files: source,
settings and dotenv files of about 200 lines each, without keys. Then runs
the entry of keyaudit's hook (from .pre-commit-hooks.yaml) and
`detect-secrets-hook` on the same files several times each, and prints the
medians and their ratio. Both tools run from this script's Python environment.

    python benchmarks/bench_hook.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
FILE_NAMES = [
    "app/main.py",
    "app/client.py",
    "app/settings.py",
    "config/app.json",
    "config/deploy.yaml",
    "config/tool.toml",
    ".env.example",
    "scripts/setup.sh",
    "docs/usage.md",
    "README.md",
]


def file_text(name: str, version: int) -> str:
    """Return about 200 lines of ordinary project text, without keys."""
    lines = []
    for number in range(200):
        if name.endswith(".py"):
            lines.append(f"def step_{number}(value: int) -> int:  # v{version}")
        elif name.endswith(".json"):
            lines.append(f'  "setting_{number}": "value {number} v{version}",')
        elif name.endswith((".yaml", ".toml", ".example")):
            lines.append(f"setting_{number} = 'value {number} v{version}'")
        else:
            lines.append(f"Line {number} of {name}, version {version}.")
    # Context words make both tools look closer, as real settings files do.
    lines.append("# The OpenAI client reads OPENAI_API_KEY from the environment.")
    return "\n".join(lines) + "\n"


def git(repo: Path, *args: str) -> None:
    environment = {**os.environ, **GIT_ENV}
    subprocess.run(["git", *args], cwd=repo, env=environment, check=True)


def make_repository(root: Path) -> list[str]:
    """Commit the files once, then stage a change to every one of them."""
    git(root, "init", "-q", "-b", "main")
    for version in (1, 2):
        for name in FILE_NAMES:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(file_text(name, version))
        git(root, "add", "-A")
        if version == 1:
            git(root, "commit", "-q", "-m", "Initial commit")
    return FILE_NAMES


def hook_command() -> list[str]:
    """Return keyaudit's hook entry, with the executable from this environment."""
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    entry = shlex.split(next(h for h in hooks if h["id"] == "keyaudit")["entry"])
    return [tool_path(entry[0]), *entry[1:]]


def tool_path(name: str) -> str:
    beside = Path(sys.executable).with_name(name)
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"bench_hook: {name} not found; install keyaudit[test] first")
    return found


def time_runs(command: list[str], cwd: Path, runs: int) -> tuple[list[float], int]:
    """Run a command `runs` times after one warm-up; return seconds and exit code."""
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    seconds = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=cwd, capture_output=True, check=False)
        seconds.append(time.perf_counter() - start)
        code = completed.returncode
    return seconds, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per tool")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as folder:
        repo = Path(folder)
        files = make_repository(repo)
        keyaudit = hook_command()
        detect_secrets = [tool_path("detect-secrets-hook"), *files]
        ours, our_code = time_runs(keyaudit, repo, runs)
        theirs, their_code = time_runs(detect_secrets, repo, runs)
    ours_median = statistics.median(ours)
    theirs_median = statistics.median(theirs)
    print(f"staged change: {len(files)} files, {runs} timed runs each")
    print(f"python: {sys.version.split()[0]}, cpus: {os.cpu_count()}")
    print(
        f"keyaudit hook ({' '.join(keyaudit[1:])}): median {ours_median * 1000:.0f} ms "
        f"(min {min(ours) * 1000:.0f}, max {max(ours) * 1000:.0f}), exit {our_code}"
    )
    print(
        f"detect-secrets-hook: median {theirs_median * 1000:.0f} ms "
        f"(min {min(theirs) * 1000:.0f}, max {max(theirs) * 1000:.0f}), "
        f"exit {their_code}"
    )
    print(f"ratio keyaudit / detect-secrets-hook: {ours_median / theirs_median:.2f}")


if __name__ == "__main__":
    main()
