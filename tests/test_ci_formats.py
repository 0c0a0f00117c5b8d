"""SARIF and JUnit reports: valid documents that carry the findings, never a key."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from conftest import assert_no_key_in, fingerprint, git
from jsonschema import Draft4Validator

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def mixed_repo(make_repo, keys, tmp_path):
    """A repository with an active, an allowed, a baselined and a malformed finding.

    Returns the repository, its baseline, its policy and the keys in it.
    """
    active, allowed, accepted = keys.openai_project(), keys.anthropic(), keys.google()
    repo = make_repo(
        {
            "old/.env": f"GEMINI_API_KEY={accepted}\n",
            "README.md": "project\n",
        }
    )
    baseline = tmp_path / "baseline.json"
    entry = {
        "rule": "plaintext-key",
        "path": "old/.env",
        "fingerprint": fingerprint(accepted),
    }
    baseline.write_text(json.dumps({"schema_version": "1.0", "findings": [entry]}))
    (repo / "conf dir").mkdir()
    (repo / "conf dir" / "app.env").write_text(
        f"OPENAI_API_KEY={active}\nANTHROPIC_API_KEY={allowed} # keyaudit: allow demo\n"
        f'MISTRAL_API_KEY="  {keys.openai_project()}"\n'
    )
    (repo / "big.txt").write_text("x" * 5000)
    (repo / "blob.bin").write_bytes(b"\x00\x01 some binary \x00")
    policy = tmp_path / "policy.yaml"
    policy.write_text("extends: default\nsettings:\n  max_file_size: 4096\n")
    return repo, baseline, policy, [active, allowed, accepted]


def sarif_for(keyaudit, repo, baseline, policy, *extra: str):
    completed = keyaudit(
        "scan",
        "--repo",
        repo,
        "--baseline",
        baseline,
        "--policy",
        policy,
        "--format",
        "sarif",
        *extra,
    )
    return completed, json.loads(completed.stdout)


def test_sarif_validates_against_schema(mixed_repo, keyaudit) -> None:
    repo, baseline, policy, secrets = mixed_repo

    completed, log = sarif_for(keyaudit, repo, baseline, policy)

    assert completed.returncode == 1, completed.stderr
    schema = json.loads(SARIF_SCHEMA.read_text())
    errors = [error.message for error in Draft4Validator(schema).iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"
    assert_no_key_in(completed.stdout, *secrets)


def test_sarif_rules_describe_and_score(mixed_repo, keyaudit) -> None:
    repo, baseline, policy, _ = mixed_repo

    _, log = sarif_for(keyaudit, repo, baseline, policy)

    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == {
        "plaintext-key",
        "file-permissions",
        "unencrypted-backup",
        "malformed-key",
        "staged-key",
        "history-key",
    }
    plaintext = rules["plaintext-key"]
    assert (
        plaintext["shortDescription"]["text"] == "AI-provider key stored in plaintext"
    )
    assert plaintext["fullDescription"]["text"].startswith("A literal API key")
    assert plaintext["help"]["text"].startswith("Replace the literal")
    assert plaintext["properties"]["security-severity"] == "8.0"
    assert "external/cwe/cwe-312" in plaintext["properties"]["tags"]
    assert rules["malformed-key"]["properties"]["security-severity"] == "2.0"
    assert rules["malformed-key"]["defaultConfiguration"]["level"] == "note"


def test_sarif_results_and_suppressions(mixed_repo, keyaudit) -> None:
    repo, baseline, policy, _ = mixed_repo

    _, log = sarif_for(keyaudit, repo, baseline, policy)

    run = log["runs"][0]
    results = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
        ): r
        for r in run["results"]
    }
    active = results[("plaintext-key", "conf%20dir/app.env", 1)]
    allowed = results[("plaintext-key", "conf%20dir/app.env", 2)]
    accepted = results[("plaintext-key", "old/.env", 1)]
    assert "suppressions" not in active
    assert active["level"] == "error"
    assert "Fix: " in active["message"]["text"]
    assert allowed["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "demo"}
    ]
    assert accepted["suppressions"][0]["kind"] == "external"
    location = active["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uriBaseId"] == "%SRCROOT%"
    assert (
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    )


def test_sarif_fingerprint_survives_line_moves(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({".env": f"OPENAI_API_KEY={key}\n"})

    before = json.loads(keyaudit("scan", "--repo", repo, "--format", "sarif").stdout)
    (repo / ".env").write_text(f"# comment\n\nOPENAI_API_KEY={key}\n")
    after = json.loads(keyaudit("scan", "--repo", repo, "--format", "sarif").stdout)

    first = before["runs"][0]["results"][0]
    second = after["runs"][0]["results"][0]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert second["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    hash_before = first["partialFingerprints"]["primaryLocationLineHash"]
    assert hash_before == second["partialFingerprints"]["primaryLocationLineHash"]
    assert hash_before.endswith(":1")
    assert key not in hash_before


def test_sarif_notifications_for_skipped(mixed_repo, keyaudit) -> None:
    repo, baseline, policy, _ = mixed_repo

    _, log = sarif_for(keyaudit, repo, baseline, policy)

    notifications = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    by_path = {
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n
        for n in notifications
    }
    assert by_path["big.txt"]["level"] == "warning"
    assert by_path["big.txt"]["descriptor"]["id"] == "too-large"
    assert by_path["blob.bin"]["level"] == "note"
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_for_staged_scan(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "x\n"})
    key = keys.openai_project()
    (repo / ".env").write_text(f"OPENAI_API_KEY={key}\n")
    git(repo, "add", ".env")

    completed = keyaudit("scan", "--repo", repo, "--staged", "--format", "sarif")

    log = json.loads(completed.stdout)
    schema = json.loads(SARIF_SCHEMA.read_text())
    assert list(Draft4Validator(schema).iter_errors(log)) == []
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["staged-key"]
    assert completed.returncode == 1


def junit_for(keyaudit, *args: str | Path) -> tuple[int, str, ElementTree.Element]:
    completed = keyaudit(*args, "--format", "junit")
    return (
        completed.returncode,
        completed.stdout,
        ElementTree.fromstring(completed.stdout),
    )


def test_junit_cases_per_rule_and_target(mixed_repo, keyaudit, tmp_path) -> None:
    repo, baseline, policy, secrets = mixed_repo
    home = tmp_path / "home"
    home.mkdir()

    code, text, root = junit_for(
        keyaudit,
        "scan",
        "--repo",
        repo,
        "--home",
        home,
        "--baseline",
        baseline,
        "--policy",
        policy,
    )

    assert code == 1
    assert_no_key_in(text, *secrets)
    suites = root.findall("testsuite")
    assert [suite.get("name").split()[1] for suite in suites] == ["machine", "tree"]
    tree = suites[1]
    names = [case.get("name").split(":")[0] for case in tree.findall("testcase")]
    assert names == [
        "plaintext-key",
        "file-permissions",
        "unencrypted-backup",
        "malformed-key",
        "staged-key",
        "history-key",
        "coverage",
    ]
    assert tree.get("tests") == "7"
    assert root.get("tests") == "14"


def test_junit_failure_carries_findings(mixed_repo, keyaudit) -> None:
    repo, baseline, policy, _ = mixed_repo

    _, _, root = junit_for(
        keyaudit, "scan", "--repo", repo, "--baseline", baseline, "--policy", policy
    )

    cases = {c.get("name").split(":")[0]: c for c in root.iter("testcase")}
    failure = cases["plaintext-key"].find("failure")
    assert failure is not None
    assert failure.get("type") == "high"
    assert "conf dir/app.env:1: openai project key" in failure.text
    assert "sk-proj-…" in failure.text
    assert "fix: " in failure.text
    output = cases["plaintext-key"].find("system-out").text
    assert "suppressed (inline): demo" in output
    assert "suppressed (baseline)" in output
    assert cases["malformed-key"].find("failure") is None
    assert "MISTRAL_API_KEY" in cases["malformed-key"].find("system-out").text
    assert cases["file-permissions"].find("skipped") is not None
    assert cases["coverage"].find("failure") is None
    assert "not scanned: big.txt" in cases["coverage"].find("system-out").text


def test_junit_strict_fails_coverage(mixed_repo, keyaudit) -> None:
    repo, baseline, policy, _ = mixed_repo

    code, _, root = junit_for(
        keyaudit,
        "scan",
        "--repo",
        repo,
        "--policy",
        policy,
        "--strict",
        "--fail-on",
        "critical",
    )

    cases = {c.get("name").split(":")[0]: c for c in root.iter("testcase")}
    assert code == 1
    assert cases["coverage"].find("failure") is not None
    assert cases["plaintext-key"].find("failure") is None


def test_sarif_path_not_utf8(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "x\n"})
    name = b"bad\xffname.env"
    (repo / os.fsdecode(name)).write_text(f"OPENAI_API_KEY={keys.openai_project()}\n")
    git(repo, "add", "-A")

    completed = keyaudit("scan", "--repo", repo, "--staged", "--format", "sarif")

    assert completed.returncode == 1, completed.stderr
    result = json.loads(completed.stdout)["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "bad%FFname.env"


def test_junit_path_not_utf8(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "x\n"})
    (repo / os.fsdecode(b"bad\xffname.env")).write_text(
        f"OPENAI_API_KEY={keys.openai_project()}\n"
    )
    git(repo, "add", "-A")

    code, _, root = junit_for(keyaudit, "scan", "--repo", repo, "--staged")

    assert code == 1
    failure = next(root.iter("failure"))
    assert "bad\ufffdname.env:1" in failure.text


def test_sarif_severity_bands(make_repo, keys, keyaudit, tmp_path) -> None:
    repo = make_repo({".env": f"OPENAI_API_KEY={keys.openai_project()}\n"})
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "extends: default\n"
        "rules:\n"
        "  - id: plaintext-key\n"
        "    severity: critical\n"
        "  - id: unencrypted-backup\n"
        "    severity: medium\n"
        "  - id: malformed-key\n"
        "    severity: info\n"
    )

    completed = keyaudit(
        "scan", "--repo", repo, "--policy", policy, "--format", "sarif"
    )

    rules = json.loads(completed.stdout)["runs"][0]["tool"]["driver"]["rules"]
    scores = {rule["id"]: rule["properties"].get("security-severity") for rule in rules}
    assert scores == {
        "plaintext-key": "9.5",
        "file-permissions": "8.0",
        "unencrypted-backup": "5.5",
        "malformed-key": None,
        "staged-key": "8.0",
        "history-key": "9.5",
    }
    levels = {rule["id"]: rule["defaultConfiguration"]["level"] for rule in rules}
    assert levels["unencrypted-backup"] == "warning"
    assert levels["malformed-key"] == "note"
