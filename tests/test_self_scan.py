"""The repository scans itself clean, which guards against committed keys.

Test keys are generated at run time (tests/fakekeys.py), so a finding here
means a key-shaped literal was committed somewhere in the repository.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]


def test_repository_scans_clean(keyaudit: Any) -> None:
    completed = keyaudit(
        "scan", "--repo", REPOSITORY, "--format", "json", "--fail-on", "info"
    )

    report = json.loads(completed.stdout)
    places = [
        f"{f['rule']} at {f['location']['path']}:{f['location'].get('line')}"
        for f in report["findings"]
    ]
    assert places == []
    assert completed.returncode == 0, completed.stderr
    assert report["coverage"]["files_skipped"] == []


def test_repository_scan_covers_tests(keyaudit: Any) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")

    report = keyaudit.json("scan", "--repo", REPOSITORY, expect_exit=0)

    assert "tests/fakekeys.py" in listed
    # A path with a merge conflict is listed once per index stage.
    assert report["coverage"]["files_scanned"] == len(set(listed) - {""})
