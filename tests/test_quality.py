"""Quality gates that CI runs with the tests: formatting, lint, types, README."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_format_clean() -> None:
    completed = _run("ruff", "format", "--check", "auditor", "tests", "benchmarks")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_ruff_check_clean() -> None:
    completed = _run("ruff", "check", "auditor", "tests", "benchmarks")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_mypy_clean() -> None:
    completed = _run("mypy")
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _readme_policy_example() -> str:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
    assert blocks, "README has no yaml example"
    return blocks[0]


def test_readme_policy_example_validates(tmp_path: Path) -> None:
    policy = tmp_path / "keyaudit.yaml"
    policy.write_text(_readme_policy_example())
    completed = _run("auditor", "policy", "validate", str(policy))
    assert completed.returncode == 0, completed.stderr
    assert "valid policy 'acme-workstations'" in completed.stdout


@pytest.mark.parametrize("command", ["scan", "policy"])
def test_readme_names_real_options(command: str) -> None:
    """Every `--option` the README shows for a command exists in its --help."""
    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(rf"keyaudit {command}[^\n`]*?(--[a-z-]+)", readme))
    help_text = _run("auditor", command, "--help").stdout
    if command == "policy":
        help_text += _run("auditor", "policy", "show", "--help").stdout
    missing = [option for option in shown if option not in help_text]
    assert not missing, f"README shows options the CLI lacks: {missing}"


def test_default_policy_is_valid_yaml() -> None:
    data = yaml.safe_load((ROOT / "policies" / "default.yaml").read_text())
    assert data["name"] == "default"
