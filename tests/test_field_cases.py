"""Inputs that broke other secret scanners: encodings, binaries, long lines, links.

Each test plants generated keys, runs the real CLI in a subprocess with a
time limit (a hang fails the test instead of blocking the suite), and checks
both the findings and the coverage the report declares.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from builders import fish_escape, write
from conftest import GIT_IDENTITY, assert_no_key_in, findings_by, fingerprint

CLI_TIMEOUT = 60  # seconds, for scans that take well under one
PR_CAPBSET_DROP = 24  # prctl option, from <linux/prctl.h>
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2


def run_cli(
    keyaudit: Any,
    *args: str | Path,
    env: dict[str, str] | None = None,
    drop_file_capabilities: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run keyaudit with a time limit, optionally without root's file access."""
    drop = drop_file_capabilities
    environment = env or {**os.environ, "HOME": str(keyaudit.home), **GIT_IDENTITY}
    return subprocess.run(
        [sys.executable, "-m", "auditor", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=CLI_TIMEOUT,
        preexec_fn=_drop_file_capabilities if drop and os.geteuid() == 0 else None,
        check=False,
    )


def scan_json(keyaudit: Any, *args: str | Path, **options: Any) -> dict[str, Any]:
    completed = run_cli(keyaudit, "scan", *args, "--format", "json", **options)
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


def _drop_file_capabilities() -> None:
    """Drop root's power to read any file, so that mode 000 applies to root too.

    Runs in the child between fork and exec. Removing CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH from the bounding set takes them from the program
    that exec starts, even when it runs as uid 0.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def c_locale_environment(keyaudit: Any) -> dict[str, str]:
    """Return an environment where Python's default encoding is ASCII, not UTF-8."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONIOENCODING", "PYTHONUTF8", "LANG", "LANGUAGE")
        and not name.startswith("LC_")
    }
    environment.update(
        HOME=str(keyaudit.home), LC_ALL="C", PYTHONUTF8="0", **GIT_IDENTITY
    )
    return environment


def gaps(report: dict[str, Any], kind: str) -> dict[str, str]:
    """Return {path: reason} for files_skipped or files_partly_scanned."""
    return {gap["path"]: gap["reason"] for gap in report["coverage"][kind]}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    path = tmp_path / "tree"
    path.mkdir()
    return path


# Non-ASCII text under a non-UTF-8 locale.


def test_c_locale_really_ascii(keyaudit: Any) -> None:
    probe = (
        "import locale, sys; print(sys.stdout.encoding, locale.getpreferredencoding())"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=c_locale_environment(keyaudit),
        check=True,
    )

    assert "utf" not in completed.stdout.lower()


def test_c_locale_xml_with_cjk(tree: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.anthropic()
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<config>\n  <title>設定ファイル 配置文件 설정</title>\n"
        f"  <apiKey>{key}</apiKey>\n</config>\n"
    )
    write(tree / "config.xml", xml)
    environment = c_locale_environment(keyaudit)

    report = scan_json(keyaudit, "--repo", tree, env=environment)
    text = run_cli(keyaudit, "scan", "--repo", tree, env=environment)

    found = findings_by(report, rule="plaintext-key", path="config.xml", line=4)
    assert len(found) == 1
    assert found[0]["secret"]["fingerprint"] == fingerprint(key)
    assert found[0]["location"]["column"] == 11
    assert report["coverage"]["files_skipped"] == []
    assert report["coverage"]["files_partly_scanned"] == []
    assert text.returncode == 1, text.stderr
    assert "config.xml:4" in text.stdout
    assert_no_key_in(text.stdout + text.stderr, key)


def test_c_locale_non_ascii_name(
    tree: Path, keys: Any, keyaudit: Any, tmp_path: Path
) -> None:
    write(tree / "設定.env", f"OPENAI_API_KEY={keys.openai_project()}\n")
    output = tmp_path / "report.json"

    completed = run_cli(
        keyaudit,
        *("scan", "--repo", tree, "--format", "json", "--output", output),
        env=c_locale_environment(keyaudit),
    )

    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    report = json.loads(output.read_text(encoding="utf-8"))
    assert [f["location"]["path"] for f in report["findings"]] == ["設定.env"]


def test_latin1_file_partly_scanned(tree: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.groq()
    write(tree / "notes.txt", f"Clé: caf\xe9\nGROQ_API_KEY={key}\n".encode("latin-1"))

    report = scan_json(keyaudit, "--repo", tree)

    assert len(findings_by(report, path="notes.txt", line=2)) == 1
    assert gaps(report, "files_partly_scanned") == {"notes.txt": "decode-error"}


# Binary files in the tree.


def _wav_with(text: str) -> bytes:
    header = b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00"
    samples = bytes((i * 37) % 256 for i in range(4096))
    return header + samples + f" token={text} ".encode() + b"\x00\x01" * 512


def test_binary_files_kept_going(tree: Path, keys: Any, keyaudit: Any) -> None:
    in_wav, in_env = keys.google(), keys.openai_project()
    write(tree / "intro.wav", _wav_with(in_wav))
    write(tree / "font.ttf", b"\x00\x01\x00\x00\x00\x0f" + bytes(range(256)) * 64)
    write(tree / ".env", f"OPENAI_API_KEY={in_env}\n")

    completed = run_cli(keyaudit, "scan", "--repo", tree, "--format", "json")

    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    partly = gaps(report, "files_partly_scanned")
    assert partly == {"intro.wav": "binary", "font.ttf": "binary"}
    assert len(findings_by(report, path=".env", fingerprint=fingerprint(in_env))) == 1
    wav = findings_by(report, path="intro.wav", fingerprint=fingerprint(in_wav))
    assert len(wav) == 1
    assert "line" not in wav[0]["location"]
    assert report["coverage"]["files_scanned"] == 3


# A very long line.


@pytest.mark.parametrize(
    "filler",
    [
        "a" * 1_000_000,
        ('"sk-proj-' + "A" * 40 + '",') * 20_000,
        "AIza" * 250_000,
        "azure " + "0123456789abcdef" * 62_500,
    ],
    ids=["letters", "prefix-repeats", "aiza-repeats", "hex-with-context"],
)
def test_long_line_fast(tree: Path, keys: Any, keyaudit: Any, filler: str) -> None:
    key = keys.openai_project()
    write(tree / "bundle.min.js", f'{filler} var k="{key}";')

    started = time.monotonic()
    report = scan_json(keyaudit, "--repo", tree)
    elapsed = time.monotonic() - started

    assert elapsed < 10, f"a 1 MB line took {elapsed:.1f} s"
    found = findings_by(report, path="bundle.min.js", fingerprint=fingerprint(key))
    assert [f["location"]["line"] for f in found] == [1]
    assert found[0]["location"]["column"] == len(filler) + 9


def test_file_over_limit_skipped(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    big_key, small_key = keys.openai_project(), keys.groq()
    write(home / ".env", f"# {'x' * 200}\nOPENAI_API_KEY={big_key}\n")
    write(home / ".envrc", f"GROQ_API_KEY={small_key}\n")
    policy = write(
        tmp_path / "policy.yaml", "extends: default\nsettings:\n  max_file_size: 100\n"
    )

    report = scan_json(keyaudit, "--home", home, "--policy", policy)

    assert [f["location"]["path"] for f in report["findings"]] == [".envrc"]
    skipped = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["reason"]) for gap in skipped] == [(".env", "too-large")]
    size = (home / ".env").stat().st_size
    assert skipped[0]["detail"] == f"{size} bytes, over the limit of 100 bytes"


def test_utf16_profile_found(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    key = keys.openai_user()
    text = f'# profile\r\n$env:OPENAI_API_KEY = "{key}"\r\n'
    profile = home / "Documents/WindowsPowerShell/Microsoft.PowerShell_profile.ps1"
    write(profile, text.encode("utf-16"))

    report = scan_json(keyaudit, "--home", home)

    found = findings_by(report, rule="plaintext-key", line=2)
    assert [f["secret"]["fingerprint"] for f in found] == [fingerprint(key)]
    assert report["coverage"]["files_partly_scanned"] == []


# YAML anchors.


def test_yaml_anchor_reported_once(tree: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.openrouter()
    text = (
        "defaults: &common\n"
        "  provider: openrouter\n"
        f"  api_key: {key}\n"
        "development:\n  <<: *common\n"
        "staging:\n  <<: *common\n"
        "production: *common\n"
    )
    write(tree / "config.yaml", text)

    report = scan_json(keyaudit, "--repo", tree)

    found = findings_by(report, rule="plaintext-key", path="config.yaml")
    assert [f["location"]["line"] for f in found] == [3]
    assert found[0]["location"]["setting"] == "defaults.api_key"


# Unquoted (and quoted) values in every assignment form.

ASSIGNMENTS = [
    (".env", "OPENAI_API_KEY={key}", "OPENAI_API_KEY"),
    (".env", 'OPENAI_API_KEY="{key}"', "OPENAI_API_KEY"),
    (".bashrc", "export OPENAI_API_KEY={key}", "OPENAI_API_KEY"),
    (".bashrc", "export OPENAI_API_KEY='{key}'", "OPENAI_API_KEY"),
    (".bashrc", "declare -x OPENAI_API_KEY={key}", "OPENAI_API_KEY"),
    (".aider.conf.yml", "openai-api-key: {key}", "openai-api-key"),
    (".aider.conf.yml", 'openai-api-key: "{key}"', "openai-api-key"),
    (".config/fish/config.fish", "set -gx OPENAI_API_KEY {key}", "OPENAI_API_KEY"),
    (".config/fish/config.fish", 'set -Ux OPENAI_API_KEY "{key}"', "OPENAI_API_KEY"),
    (".config/fish/fish_variables", "SETUVAR --export OPENAI_API_KEY:{key}", None),
    (".config/fish/fish_variables", "SETUVAR --export OPENAI_API_KEY:{fish}", None),
    (".cshrc", "setenv OPENAI_API_KEY {key}", "OPENAI_API_KEY"),
]


@pytest.mark.parametrize(("name", "template", "setting"), ASSIGNMENTS)
def test_assignment_found(
    tmp_path: Path,
    keys: Any,
    keyaudit: Any,
    name: str,
    template: str,
    setting: str | None,
) -> None:
    home = tmp_path / "home"
    key = keys.openai_user()
    text = template.format(key=key, fish=fish_escape(key))
    write(home / name, "# keys\n" + text + "\n")

    report = scan_json(keyaudit, "--home", home)

    found = findings_by(report, rule="plaintext-key", path=name, line=2)
    assert len(found) == 1
    assert found[0]["secret"]["fingerprint"] == fingerprint(key)
    assert found[0]["location"]["setting"] == (setting or "OPENAI_API_KEY")


# LF, CRLF and lone-CR line endings.

ENDINGS = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def _ending_files(keys: Any) -> dict[str, str]:
    """Return {name: text with LF endings}, each file with keys on known lines."""
    openai, google, azure = keys.openai_project(), keys.google(), keys.azure()
    return {
        ".env": f"# local\nOPENAI_API_KEY={openai}\nGEMINI_API_KEY='{google}'\n",
        "config.yaml": f"models:\n  - provider: google\n    apiKey: {google}\n",
        "settings.json": (
            '{\n  // editor\n  "azure.openai.endpoint": "https://x.openai.azure.com",\n'
            f'  "azure.openai.apiKey": "{azure}",\n}}\n'
        ),
        "config.toml": f'[providers.openai]\nbearer_token = "{openai}"\n',
        "profile.sh": f'export A=1\nexport OPENAI_API_KEY="{openai}"\n',
        "history.txt": f"ls\ncurl -H 'Authorization: Bearer {openai}' x\n",
    }


def test_line_endings_identical(tree: Path, keys: Any, keyaudit: Any) -> None:
    files = _ending_files(keys)
    for folder, ending in ENDINGS.items():
        for name, text in files.items():
            write(tree / folder / name, text.replace("\n", ending))

    report = scan_json(keyaudit, "--repo", tree)

    results: dict[str, list[tuple[Any, ...]]] = {folder: [] for folder in ENDINGS}
    for finding in report["findings"]:
        location = finding["location"]
        folder, name = location["path"].split("/", 1)
        results[folder].append(
            (
                finding["rule"],
                name,
                location.get("line"),
                location.get("column"),
                location.get("setting"),
                finding["secret"]["fingerprint"],
            )
        )
    assert len(results["lf"]) == 7
    assert sorted(results["crlf"]) == sorted(results["lf"])
    assert sorted(results["cr"]) == sorted(results["lf"])


# JSON with comments.


def test_jsonc_parsed_with_settings(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    key = keys.anthropic()
    text = (
        "\ufeff{\n"
        '  // a comment with a quote " and a brace {\n'
        '  "docs.url": "https://example.com//path", /* block\n'
        '     comment "with" quotes */\n'
        '  "files.exclude": {"**/*.tmp": true, "/*glob*/": true,},\n'
        '  "mcp": {"servers": {"claude": {"env": {\n'
        f'    "ANTHROPIC_API_KEY": "{key}",\n'
        "  }}}},\n"
        "}\n"
    )
    write(home / ".config/Code/User/settings.json", text)

    report = scan_json(keyaudit, "--home", home)

    found = findings_by(report, rule="plaintext-key", line=7)
    assert len(found) == 1
    assert found[0]["secret"]["fingerprint"] == fingerprint(key)
    setting = "mcp.servers.claude.env.ANTHROPIC_API_KEY"
    assert found[0]["location"]["setting"] == setting
    assert len(report["findings"]) == 1


def test_jsonc_commented_key_found(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    key = keys.openai_user()
    text = f'{{\n  /* old: "openai.key": "{key}" */\n  "a": 1\n}}\n'
    write(home / ".config/Cursor/User/settings.json", text)

    report = scan_json(keyaudit, "--home", home)

    assert [f["location"]["line"] for f in report["findings"]] == [2]


def test_jsonc_broken_falls_back(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    key = keys.openai_project()
    text = (
        '{\n  "editor.tabSize": 2\n  "missing.comma": true,\n'
        '  "list": [1, 2,\n'
        f'  "openai.apiKey": "{key}"\n'
    )
    write(home / ".config/Cursor/User/settings.json", text)

    report = scan_json(keyaudit, "--home", home)

    found = findings_by(report, rule="plaintext-key", line=5)
    assert len(found) == 1
    assert found[0]["location"]["setting"] == "openai.apiKey"
    assert report["coverage"]["files_skipped"] == []
    assert report["coverage"]["files_scanned"] == 1


# Symbolic links.


def test_links_never_followed_out(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    outside_key = keys.openai_project()
    outside = write(tmp_path / "other-user" / ".env", f"OPENAI_API_KEY={outside_key}\n")
    write(home / ".bashrc", "export EDITOR=vi\n")
    (home / ".env").symlink_to("/dev/urandom")
    (home / ".zshrc").symlink_to(home / ".zshenv")
    (home / ".zshenv").symlink_to(home / ".zshrc")
    (home / ".envrc").symlink_to(outside)
    (home / ".config").symlink_to(outside.parent, target_is_directory=True)
    os.mkfifo(home / ".profile")

    completed = run_cli(keyaudit, "scan", "--home", home, "--format", "json")

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert gaps(report, "files_skipped") == {
        ".config": "symlink-outside-root",
        ".env": "symlink-outside-root",
        ".envrc": "symlink-outside-root",
        ".profile": "not-a-regular-file",
        ".zshenv": "symlink-loop",
        ".zshrc": "symlink-loop",
    }
    assert report["findings"] == []
    assert fingerprint(outside_key) not in completed.stdout


def test_link_inside_root_read(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    key = keys.groq()
    write(home / "dotfiles" / "zshrc", f"export GROQ_API_KEY={key}\n")
    (home / ".zshrc").symlink_to(home / "dotfiles" / "zshrc")

    report = scan_json(keyaudit, "--home", home)

    found = findings_by(report, rule="plaintext-key", path=".zshrc", line=1)
    assert len(found) == 1
    assert report["coverage"]["files_skipped"] == []


def test_tree_link_to_device(tree: Path, keys: Any, keyaudit: Any) -> None:
    key = keys.xai()
    write(tree / "app.env", f"XAI_API_KEY={key}\n")
    (tree / "random.bin").symlink_to("/dev/urandom")
    (tree / "zero").symlink_to("/dev/zero")
    (tree / "vendor").symlink_to(tree.parent, target_is_directory=True)

    report = scan_json(keyaudit, "--repo", tree)

    assert gaps(report, "files_skipped") == {
        "random.bin": "symlink-outside-root",
        "zero": "symlink-outside-root",
        "vendor": "symlink-outside-root",
    }
    assert len(findings_by(report, path="app.env", line=1)) == 1


# Unreadable files and folders.


def _can_drop_capabilities() -> bool:
    if os.geteuid() != 0:
        return True
    try:
        subprocess.run(["true"], preexec_fn=_drop_file_capabilities, check=True)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


needs_permission_checks = pytest.mark.skipif(
    not _can_drop_capabilities(),
    reason="running as root without CAP_SETPCAP: mode 000 cannot stop root's reads",
)


@needs_permission_checks
def test_unreadable_file_is_gap(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    hidden, visible = keys.openai_project(), keys.anthropic()
    write(home / ".env", f"OPENAI_API_KEY={hidden}\n", mode=0o000)
    write(home / ".bashrc", f"export ANTHROPIC_API_KEY={visible}\n")

    completed = run_cli(
        keyaudit,
        *("scan", "--home", home, "--format", "json"),
        drop_file_capabilities=True,
    )

    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    skipped = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["reason"]) for gap in skipped] == [
        (".env", "permission-denied")
    ]
    assert skipped[0]["detail"] == "not scanned: permission denied"
    assert len(findings_by(report, path=".bashrc", line=1)) == 1
    assert findings_by(report, path=".env") == []


@needs_permission_checks
def test_unreadable_file_strict_fails(tmp_path: Path, keyaudit: Any) -> None:
    home = tmp_path / "home"
    write(home / ".env", "A=1\n", mode=0o000)
    arguments = ("scan", "--home", home, "--format", "json")

    lenient = run_cli(keyaudit, *arguments, drop_file_capabilities=True)
    strict = run_cli(keyaudit, *arguments, "--strict", drop_file_capabilities=True)

    assert lenient.returncode == 0, lenient.stderr
    assert strict.returncode == 1, strict.stderr
    assert json.loads(strict.stdout)["summary"]["coverage_gaps"] == 1


@needs_permission_checks
@pytest.mark.parametrize("scope", ["--home", "--repo"])
def test_unreadable_folder_is_gap(
    tmp_path: Path, keys: Any, keyaudit: Any, scope: str
) -> None:
    root = tmp_path / "root"
    folder = root / ".config" / "fish" / "conf.d"
    write(folder / "keys.fish", f"set -gx GROQ_API_KEY {keys.groq()}\n")
    folder.chmod(0o000)

    try:
        report = scan_json(keyaudit, scope, root, drop_file_capabilities=True)
    finally:
        folder.chmod(0o700)

    assert gaps(report, "files_skipped") == {".config/fish/conf.d": "permission-denied"}
    assert report["findings"] == []


@needs_permission_checks
def test_unreadable_tracked_file_gap(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    repo = make_repo({"config/.env": f"GROQ_API_KEY={keys.groq()}\n"})
    (repo / "config").chmod(0o000)

    try:
        report = scan_json(keyaudit, "--repo", repo, drop_file_capabilities=True)
    finally:
        (repo / "config").chmod(0o700)

    skipped = report["coverage"]["files_skipped"]
    assert [(gap["path"], gap["detail"]) for gap in skipped] == [
        ("config/.env", "Permission denied")
    ]
    assert report["findings"] == []


def test_history_linked_to_dev_null(tmp_path: Path, keyaudit: Any) -> None:
    """A history file linked to /dev/null holds nothing and does not fail --strict."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bash_history").symlink_to("/dev/null")

    report = keyaudit.json("scan", "--home", home, "--strict", expect_exit=0)

    assert report["coverage"]["files_skipped"] == []
    partly = report["coverage"]["files_partly_scanned"]
    assert [gap["path"] for gap in partly] == [".bash_history"]
    assert partly[0]["reason"] == "link-to-dev-null"
