"""Inline `keyaudit: allow` comments: suppressed findings, shown and counted."""

from __future__ import annotations

from conftest import assert_no_key_in, findings_by, git


def test_allowed_line_is_suppressed(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo(
        {"demo.sh": f"export OPENAI_API_KEY={key}  # keyaudit: allow demo\n"}
    )

    report = keyaudit.json("scan", "--repo", repo, expect_exit=0)

    found = findings_by(report, rule="plaintext-key", path="demo.sh", line=1)
    assert len(found) == 1
    assert found[0]["suppression"] == {"kind": "inline", "reason": "demo"}
    assert report["summary"]["suppressed_findings"] == 1
    assert report["summary"]["failing_findings"] == 0
    assert report["summary"]["by_severity"]["high"] == 0
    assert report["summary"]["findings"] == 1


def test_allow_covers_only_its_line(make_repo, keys, keyaudit) -> None:
    allowed, other = keys.openai_project(), keys.anthropic()
    text = (
        f"export OPENAI_API_KEY={allowed} # keyaudit: allow\n"
        f"export ANTHROPIC_API_KEY={other}\n"
    )
    repo = make_repo({"env.sh": text})

    report = keyaudit.json("scan", "--repo", repo, expect_exit=1)

    suppressed = [f for f in report["findings"] if "suppression" in f]
    active = [f for f in report["findings"] if "suppression" not in f]
    assert [f["location"]["line"] for f in suppressed] == [1]
    assert [f["location"]["line"] for f in active] == [2]
    assert (
        suppressed[0]["suppression"]["reason"] == "`keyaudit: allow` comment on line 1"
    )


def test_allow_in_jsonc_comment(make_repo, keys, keyaudit) -> None:
    key = keys.google()
    text = f'{{\n  "geminiApiKey": "{key}" // keyaudit: allow fixture for docs\n}}\n'
    repo = make_repo({"settings.json": text})

    report = keyaudit.json("scan", "--repo", repo, expect_exit=0)

    assert report["findings"][0]["suppression"]["reason"] == "fixture for docs"


def test_allow_in_block_comment(make_repo, keys, keyaudit) -> None:
    key = keys.google()
    text = f'{{\n  "geminiApiKey": "{key}" /* keyaudit: allow sample */\n}}\n'
    repo = make_repo({"settings.json": text})

    report = keyaudit.json("scan", "--repo", repo, expect_exit=0)

    assert report["findings"][0]["suppression"]["reason"] == "sample"


def test_allow_in_staged_scan(make_repo, keys, keyaudit) -> None:
    repo = make_repo({"README.md": "project\n"})
    key = keys.openai_project()
    (repo / ".env").write_text(f"OPENAI_API_KEY={key} # keyaudit: allow test key\n")
    git(repo, "add", ".env")

    report = keyaudit.json("scan", "--repo", repo, "--staged", expect_exit=0)

    found = findings_by(report, rule="staged-key")
    assert len(found) == 1
    assert found[0]["suppression"]["kind"] == "inline"
    statuses = {rule["id"]: rule for rule in report["rules"]}
    assert statuses["staged-key"]["status"] == "pass"
    assert "1 finding(s) suppressed" in statuses["staged-key"]["reason"]


def test_allow_in_home_scan(tmp_path, keys, keyaudit) -> None:
    home = tmp_path / "home"
    home.mkdir()
    key = keys.openai_project()
    profile = home / ".bashrc"
    profile.write_text(f"export OPENAI_API_KEY={key} # keyaudit: allow\n")
    profile.chmod(0o600)

    report = keyaudit.json("scan", "--home", home, expect_exit=0)

    found = findings_by(report, rule="plaintext-key", path=".bashrc")
    assert found[0]["suppression"]["kind"] == "inline"


def test_text_report_shows_suppressed(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo(
        {"demo.sh": f"export OPENAI_API_KEY={key} # keyaudit: allow demo\n"}
    )

    completed = keyaudit("scan", "--repo", repo)

    assert completed.returncode == 0
    assert "SUPPRESSED (1)" in completed.stdout
    assert "inline: demo" in completed.stdout
    assert "1 suppressed" in completed.stdout
    assert "HIGH (" not in completed.stdout
    assert_no_key_in(completed.stdout, key)


def test_reason_holding_key_is_not_shown(make_repo, keys, keyaudit) -> None:
    key, other = keys.openai_project(), keys.anthropic()
    line = f"export OPENAI_API_KEY={key} # keyaudit: allow was {other}\n"
    repo = make_repo({"demo.sh": line})

    completed = keyaudit("scan", "--repo", repo, "--format", "json")

    assert_no_key_in(completed.stdout, key, other)
    assert "`keyaudit: allow` comment on line 1" in completed.stdout


def test_marker_without_allow_does_nothing(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({"demo.sh": f"export OPENAI_API_KEY={key} # keyaudit: allowed?\n"})

    report = keyaudit.json("scan", "--repo", repo, expect_exit=1)

    assert "suppression" not in report["findings"][0]


def test_text_report_suppressed_section(make_repo, keys, keyaudit) -> None:
    key = keys.openai_project()
    repo = make_repo({"demo.sh": f"export OPENAI_API_KEY={key}  # keyaudit: allow\n"})

    completed = keyaudit("scan", "--repo", repo)

    assert completed.returncode == 0
    lines = completed.stdout.splitlines()
    assert "SUPPRESSED (1)" in lines
    assert lines[lines.index("SUPPRESSED (1)") - 1] == ""
    assert "\\x0a" not in completed.stdout
