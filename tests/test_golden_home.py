"""A golden fake home: a file at every known location, and the exact findings.

The table below plants generated keys at every path pattern of
policies/locations.yaml (Linux, macOS and Windows layouts). Each row lists
the findings its file must produce, and the scan must produce those and no others.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import cursor_ciphertext, fish_escape, state_database, write
from conftest import KeyauditRunner, assert_no_key_in, fingerprint
from fakekeys import FakeKeys

from auditor.sources.globbing import expand_braces

LOCATIONS = Path(__file__).parents[1] / "policies" / "locations.yaml"

# Key name in the table -> (FakeKeys method, provider the report must name).
GENERATORS = {
    "openai_user": ("openai_user", "openai"),
    "openai_project": ("openai_project", "openai"),
    "openai_svc": ("openai_service_account", "openai"),
    "openai_admin": ("openai_admin", "openai"),
    "anthropic": ("anthropic", "anthropic"),
    "anthropic_admin": ("anthropic_admin", "anthropic"),
    "anthropic_oauth": ("anthropic_oauth", "anthropic"),
    "google": ("google", "google"),
    "azure": ("azure", "azure-openai"),
    "huggingface": ("huggingface", "huggingface"),
    "groq": ("groq", "groq"),
    "xai": ("xai", "xai"),
    "openrouter": ("openrouter", "openrouter"),
    "perplexity": ("perplexity", "perplexity"),
    "replicate": ("replicate", "replicate"),
    "together": ("together", "together"),
    "deepseek": ("deepseek", "deepseek"),
    "mistral": ("mistral", "mistral"),
    "cohere": ("cohere", "cohere"),
}
# `<<name>>` plants a key, `<<fish:name>>` plants it escaped as fish writes it.
_MARK = re.compile(r"<<(fish:)?([a-z_]+?)(?:_(\d))?>>")

# Bytes that stand for a gpg file: binary (a NUL early on), no printable key.
ENCRYPTED = b"\x8c\x0d\x04\x09\x03\x00" + hashlib.sha512(b"ciphertext").digest() * 4


@dataclass(frozen=True)
class Expect:
    """One expected finding: `where` is a line, a database row key, or None."""

    rule: str
    where: int | str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Row:
    """A planted file: text with `<<key>>` marks, or database rows, and a mode."""

    path: str
    text: str | bytes = ""
    mode: int = 0o600
    rows: tuple[tuple[str, str], ...] | None = None
    wal_rows: tuple[tuple[str, str], ...] = ()
    expect: tuple[Expect, ...] = ()


def plain(line: int, key: str) -> Expect:
    return Expect("plaintext-key", line, key)


PERMISSIONS = Expect("file-permissions")

GOLDEN: tuple[Row, ...] = (
    # Key backups: plaintext ones fail, the encrypted twin is compliant.
    Row(
        "keys.txt",
        "# copied from the dashboard\nopenai <<openai_user>>\n",
        expect=(Expect("unencrypted-backup", 2, "openai_user"),),
    ),
    Row("keys.txt.gpg", ENCRYPTED),
    Row(
        "Dropbox/work.env.bak",
        "ANTHROPIC_API_KEY=<<anthropic_admin>>\n",
        expect=(Expect("unencrypted-backup", 1, "anthropic_admin"),),
    ),
    # Editors of the VS Code family, one OS layout each.
    Row(
        ".config/Cursor/User/settings.json",
        "\ufeff{\n"
        "  // Cursor settings, with comments and trailing commas\n"
        '  "editor.fontSize": 13, /* inline */\n'
        '  "cursor.openai.apiKey": "<<openai_project>>",\n'
        '  "cursor.apiKeys": {"claude": "${env:ANTHROPIC_API_KEY}",},\n'
        "}\n",
        expect=(plain(4, "openai_project"),),
    ),
    Row(
        "Library/Application Support/Code/User/profiles/4f2a/settings.json",
        '{\n  "gemini.apiKey": "<<google>>"\n}\n',
        expect=(plain(2, "google"),),
    ),
    Row(
        "AppData/Roaming/Windsurf/User/settings.json.bak",
        '{\n  "windsurf.anthropicKey": "<<anthropic>>",\n}\n',
        expect=(plain(2, "anthropic"),),
    ),
    Row(
        ".config/Cursor/User/globalStorage/state.vscdb",
        rows=(
            ("workbench.colorTheme", "Default Dark+"),
            ("secret://cursorAuth/claudeKey", "<<ciphertext>>"),
        ),
        wal_rows=(("cursorAuth/openAIKey", "<<openai_svc>>"),),
        expect=(Expect("plaintext-key", "cursorAuth/openAIKey", "openai_svc"),),
    ),
    Row(
        ".config/Cursor/User/globalStorage/state.vscdb.backup",
        rows=(("cursorAuth/claudeKey", "<<anthropic_2>>"),),
        expect=(Expect("plaintext-key", "cursorAuth/claudeKey", "anthropic_2"),),
    ),
    Row(
        "AppData/Roaming/Code/User/workspaceStorage/9c1e/state.vscdb",
        rows=(
            (
                "workbench.panel.aichat.view.aichat.chatdata",
                '{"tabs": [{"text": "my key is <<google_2>>"}]}',
            ),
        ),
        expect=(
            Expect(
                "plaintext-key",
                "workbench.panel.aichat.view.aichat.chatdata",
                "google_2",
            ),
        ),
    ),
    Row(
        ".cursor/argv.json",
        '{\n  // runtime arguments\n  "password-store": "basic",\n}\n',
    ),
    # MCP server configurations.
    Row(
        ".cursor/mcp.json",
        '{\n  "mcpServers": {\n    "docs": {\n      "command": "npx",\n'
        '      "env": {"OPENAI_API_KEY": "<<openai_admin>>"}\n    }\n  }\n}\n',
        expect=(plain(5, "openai_admin"),),
    ),
    Row(
        ".codeium/windsurf/mcp_config.json",
        '{"mcpServers": {"groq": {"env": {\n  "GROQ_API_KEY": "<<groq>>",\n'
        '  "BRAVE_API_KEY": "${env:BRAVE_API_KEY}"\n}}}}\n',
        expect=(plain(2, "groq"),),
    ),
    Row(
        ".mcp.json",
        '{\n  "mcpServers": {\n'
        '    "hf": {"headers": {"Authorization": "Bearer <<huggingface>>"}},\n'
        '    "other": {"env": {"TOKEN": "${HF_TOKEN:-none}"}}\n  }\n}\n',
        expect=(plain(3, "huggingface"),),
    ),
    # Credential stores are judged on their permissions, never as plaintext.
    Row(
        ".codeium/config.json",
        '{"api_key": "<<perplexity>>"}\n',
        mode=0o644,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".claude/settings.json",
        '{\n  "apiKeyHelper": "~/bin/claude-key.sh",\n  "env": {\n'
        '    "ANTHROPIC_API_KEY": "<<anthropic_3>>"\n  }\n}\n',
        expect=(plain(4, "anthropic_3"),),
    ),
    Row(
        ".claude/settings.local.json",
        '{\n  "env": {"OPENROUTER_API_KEY": "<<openrouter>>"}\n}\n',
        expect=(plain(2, "openrouter"),),
    ),
    Row(".claude.json", '{\n  "primaryApiKey": "<<anthropic_4>>"\n}\n'),
    Row(
        ".claude/.credentials.json",
        '{"claudeAiOauth": {"accessToken": "<<anthropic_oauth>>"}}\n',
        mode=0o644,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".codex/auth.json",
        '{\n  "OPENAI_API_KEY": "<<openai_user_2>>"\n}\n',
        mode=0o640,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".codex/config.toml",
        'model = "grok-4"\n\n[model_providers.xai]\n'
        'base_url = "https://api.x.ai/v1"\nenv_key = "XAI_API_KEY"\n'
        'experimental_bearer_token = "<<xai>>"\n',
        expect=(plain(6, "xai"),),
    ),
    Row(
        ".gemini/settings.json",
        '{\n  "mcpServers": {\n    "search": {\n'
        '      "env": {"TAVILY": "$TAVILY_KEY", "GEMINI_API_KEY": "<<google_3>>"}\n'
        "    }\n  }\n}\n",
        expect=(plain(4, "google_3"),),
    ),
    Row(
        ".gemini/oauth_creds.json",
        '{"access_token": "ya29.token", "token_type": "Bearer"}\n',
        mode=0o644,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".continue/config.yaml",
        "name: Local\nmodels:\n  - name: GPT\n    provider: openai\n"
        "    apiKey: ${{ secrets.OPENAI_API_KEY }}\n  - name: Together\n"
        "    provider: together\n    apiKey: <<together>>\n",
        expect=(plain(8, "together"),),
    ),
    Row(
        ".continue/config.json",
        '{\n  "tabAutocompleteModel": {\n    "provider": "mistral",\n'
        '    "model": "codestral-latest",\n    "apiKey": "<<mistral>>"\n  }\n}\n',
        expect=(plain(5, "mistral"),),
    ),
    Row(
        ".aider.conf.yml",
        "model: sonnet\nanthropic-api-key: <<anthropic_5>>\nopenai-api-key: sk-...\n",
        expect=(plain(2, "anthropic_5"),),
    ),
    Row(
        "Library/Application Support/Zed/settings.json",
        '{\n  "context_servers": {\n    "replicate": {\n'
        '      "env": {"REPLICATE_API_TOKEN": "<<replicate>>"}\n    }\n  }\n}\n',
        expect=(plain(4, "replicate"),),
    ),
    Row(
        "AppData/Roaming/io.datasette.llm/keys.json",
        '{\n  "openai": "<<openai_project_2>>",\n'
        '  "perplexity": "<<perplexity_2>>"\n}\n',
        mode=0o644,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".local/share/jupyter/jupyter_ai/config.json",
        '{"api_keys": {"COHERE_API_KEY": "<<cohere>>"}}\n',
    ),
    Row(
        ".local/share/jupyter_ai/config.json",
        '{"api_keys": {}}\n',
        mode=0o604,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".litellm/config.yaml",
        "model_list:\n  - model_name: command-r\n    litellm_params:\n"
        "      model: cohere/command-r\n      api_key: <<cohere_2>>\n"
        "  - model_name: gpt\n    litellm_params:\n"
        "      api_key: os.environ/OPENAI_API_KEY\n",
        expect=(plain(5, "cohere_2"),),
    ),
    Row(
        ".config/github-copilot/hosts.json",
        '{"github.com": {"user": "octocat", "oauth_token": "gho_token"}}\n',
        mode=0o644,
        expect=(PERMISSIONS,),
    ),
    Row("AppData/Local/github-copilot/apps.json", '{"github.com:Iv1": {}}\n'),
    Row(
        ".config/github-copilot/auth.db",
        rows=(("github.com", "gho_token"),),
        mode=0o644,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".cline/data/secrets.json",
        '{"openRouterApiKey": "<<openrouter_2>>"}\n',
        mode=0o664,
        expect=(PERMISSIONS,),
    ),
    Row(".kilocode/secrets.json", '{"deepSeekApiKey": "<<deepseek>>"}\n'),
    Row(
        "Downloads/roo-code-settings.json",
        '{\n  "providerProfiles": {\n    "apiConfigs": {"default": '
        '{"apiProvider": "deepseek", "deepSeekApiKey": "<<deepseek_2>>"}}\n  }\n}\n',
        expect=(plain(3, "deepseek_2"),),
    ),
    # Shell profiles. A profile that others can read fails on permissions too.
    Row(
        ".zshrc",
        "# keys\nexport OPENAI_API_KEY=<<openai_user_3>>\n"
        'export PATH="$HOME/bin:$PATH"\n',
        mode=0o644,
        expect=(plain(2, "openai_user_3"), PERMISSIONS),
    ),
    Row(
        ".config/fish/config.fish",
        "if status is-interactive\n    set -gx GROQ_API_KEY <<groq_2>>\nend\n",
        expect=(plain(2, "groq_2"),),
    ),
    Row(
        ".config/fish/conf.d/ai.fish",
        'set -x HF_TOKEN "<<huggingface_2>>"\n',
        expect=(plain(1, "huggingface_2"),),
    ),
    Row(
        "Documents/PowerShell/Microsoft.PowerShell_profile.ps1",
        '$env:PERPLEXITY_API_KEY = "<<perplexity_3>>"\n',
        expect=(plain(1, "perplexity_3"),),
    ),
    Row(
        ".config/powershell/Microsoft.PowerShell_profile.ps1",
        "# profile\n$env:TOGETHER_API_KEY = '<<together_2>>'\n",
        expect=(plain(2, "together_2"),),
    ),
    Row(
        ".config/fish/fish_variables",
        "# This file contains fish universal variable definitions.\n"
        "# VERSION: 3.0\nSETUVAR --export XAI_API_KEY:<<fish:xai_2>>\n"
        "SETUVAR fish_greeting:\\x1d\n",
        expect=(plain(3, "xai_2"),),
    ),
    # Shell history.
    Row(
        ".zsh_history",
        ": 1700000000:0;ls\n"
        ": 1700000005:0;export REPLICATE_API_TOKEN=<<replicate_2>>\n",
        expect=(plain(2, "replicate_2"),),
    ),
    Row(
        ".local/share/fish/fish_history",
        "- cmd: set -gx ANTHROPIC_API_KEY <<anthropic_6>>\n  when: 1700000000\n",
        expect=(plain(1, "anthropic_6"),),
    ),
    Row(
        "AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt",
        'cd projects\n$env:GEMINI_API_KEY="<<google_4>>"\n',
        expect=(plain(2, "google_4"),),
    ),
    # dotenv and direnv files.
    Row(
        ".envrc",
        "export OPENROUTER_API_KEY=<<openrouter_3>>\n",
        expect=(plain(1, "openrouter_3"),),
    ),
    Row(
        ".gemini/.env", "GEMINI_API_KEY=<<google_5>>\n", expect=(plain(1, "google_5"),)
    ),
    Row(
        "project/.env.local",
        "# local\nAZURE_OPENAI_ENDPOINT=https://contoso.openai.azure.com\n"
        "AZURE_OPENAI_API_KEY=<<azure>>\n",
        expect=(plain(3, "azure"),),
    ),
    Row(
        "src/webapp/.env",
        'DEEPSEEK_API_KEY="<<deepseek_3>>"\n',
        expect=(plain(1, "deepseek_3"),),
    ),
    Row(
        ".netrc",
        "machine api.openai.com\n  login apikey\n  password <<openai_project_3>>\n",
        mode=0o644,
        expect=(PERMISSIONS,),
    ),
    Row(
        ".docker/config.json",
        '{"auths": {"ghcr.io": {"auth": "dXNlcjpwYXNz"}}, "credsStore": "desktop"}\n',
    ),
)

# A settings file whose path is a symbolic link to a file outside the home.
ESCAPING_LINK = ".config/VSCodium/User/settings.json"


@dataclass
class GoldenHome:
    """The fake home, the keys planted in it, and the key kept outside it."""

    root: Path
    keys: dict[str, str] = field(default_factory=dict)
    outside_key: str = ""
    database_bytes: dict[str, bytes] = field(default_factory=dict)

    def expected(self) -> set[tuple[Any, ...]]:
        """Return (rule, path, line, row_key, provider, fingerprint) per finding."""
        results = set()
        for row in GOLDEN:
            for expect in row.expect:
                results.add(_expected_tuple(row.path, expect, self.keys))
        return results


def _expected_tuple(path: str, expect: Expect, keys: dict[str, str]) -> tuple[Any, ...]:
    line = expect.where if isinstance(expect.where, int) else None
    row_key = expect.where if isinstance(expect.where, str) else None
    provider = secret = None
    if expect.key is not None:
        provider = GENERATORS[expect.key.rstrip("_0123456789")][1]
        secret = fingerprint(keys[expect.key])
    return (expect.rule, path, line, row_key, provider, secret)


def _fill(text: str, keys: dict[str, str], generate: FakeKeys) -> str:
    def key_for(match: re.Match[str]) -> str:
        name = match.group(0)[2:-2].removeprefix("fish:")
        if name == "ciphertext":
            return cursor_ciphertext()
        if name not in keys:
            method = GENERATORS[match.group(2)][0]
            keys[name] = getattr(generate, method)()
        return fish_escape(keys[name]) if match.group(1) else keys[name]

    return _MARK.sub(key_for, text)


def build_golden_home(root: Path, outside: Path, generate: FakeKeys) -> GoldenHome:
    """Write every row of GOLDEN under `root`, and a key outside it behind a link."""
    home = GoldenHome(root)
    for row in GOLDEN:
        path = root / row.path
        if row.rows is None:
            text = row.text
            if isinstance(text, str):
                text = _fill(text, home.keys, generate)
            write(path, text, row.mode)
            continue
        rows = tuple((k, _fill(v, home.keys, generate)) for k, v in row.rows)
        wal_rows = tuple((k, _fill(v, home.keys, generate)) for k, v in row.wal_rows)
        state_database(path, rows, wal_rows, row.mode)
    home.outside_key = generate.openai_project()
    target = write(outside / "settings.json", f'{{"k": "{home.outside_key}"}}\n')
    link = root / ESCAPING_LINK
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    for database in root.rglob("*.vscdb*"):
        home.database_bytes[str(database)] = database.read_bytes()
    return home


@pytest.fixture(scope="module")
def golden(tmp_path_factory: pytest.TempPathFactory) -> GoldenHome:
    folder = tmp_path_factory.mktemp("golden")
    return build_golden_home(folder / "home", folder / "outside", FakeKeys(20261204))


@pytest.fixture(scope="module")
def golden_report(
    golden: GoldenHome, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    keyaudit = KeyauditRunner(tmp_path_factory.mktemp("runner-home"))
    completed = keyaudit("scan", "--home", golden.root, "--format", "json")
    assert completed.returncode == 1, completed.stderr
    assert_no_key_in(completed.stdout + completed.stderr, *golden.keys.values())
    return json.loads(completed.stdout)


def _actual(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    results = set()
    for finding in report["findings"]:
        location = finding["location"]
        secret = finding.get("secret", {})
        results.add(
            (
                finding["rule"],
                location["path"],
                location.get("line"),
                location.get("row_key"),
                secret.get("provider"),
                secret.get("fingerprint"),
            )
        )
    return results


def test_golden_findings_exact(golden: GoldenHome, golden_report: dict) -> None:
    expected = golden.expected()
    actual = _actual(golden_report)

    assert sorted(actual - expected, key=str) == []
    assert sorted(expected - actual, key=str) == []
    assert len(golden_report["findings"]) == len(expected)


def test_golden_every_file_scanned(golden_report: dict) -> None:
    coverage = golden_report["coverage"]
    # Every planted file, plus the `-wal` of the Cursor database.
    assert coverage["files_scanned"] == len(GOLDEN) + 1
    skipped = [(gap["path"], gap["reason"]) for gap in coverage["files_skipped"]]
    assert skipped == [(ESCAPING_LINK, "symlink-outside-root")]
    partly = [(gap["path"], gap["reason"]) for gap in coverage["files_partly_scanned"]]
    assert partly == [("keys.txt.gpg", "binary")]


def test_golden_link_out_not_read(golden: GoldenHome, golden_report: dict) -> None:
    text = json.dumps(golden_report)

    assert fingerprint(golden.outside_key) not in text
    assert golden.outside_key[-4:] not in text
    assert golden.outside_key not in text


def test_golden_wal_key_only_in_log(golden: GoldenHome) -> None:
    database = golden.root / ".config/Cursor/User/globalStorage/state.vscdb"
    key = golden.keys["openai_svc"].encode()

    assert key not in database.read_bytes()
    assert key in Path(f"{database}-wal").read_bytes()


def test_golden_databases_untouched(golden: GoldenHome, keyaudit: Any) -> None:
    keyaudit("scan", "--home", golden.root, "--format", "json")

    after = {str(p): p.read_bytes() for p in golden.root.rglob("*.vscdb*")}
    assert after == golden.database_bytes
    assert not list(golden.root.rglob("*-shm"))


def test_golden_ciphertext_row_ignored(golden_report: dict) -> None:
    rows = [f["location"].get("row_key", "") for f in golden_report["findings"]]

    assert not [row for row in rows if row.startswith("secret://")]


def test_golden_rules_status(golden_report: dict) -> None:
    statuses = {rule["id"]: rule["status"] for rule in golden_report["rules"]}
    judged = (
        "plaintext-key",
        "file-permissions",
        "unencrypted-backup",
        "malformed-key",
    )

    assert {rule: statuses.pop(rule) for rule in judged} == {
        "plaintext-key": "fail",
        "file-permissions": "fail",
        "unencrypted-backup": "fail",
        "malformed-key": "pass",
    }
    assert set(statuses.values()) <= {"not_applicable"}


def _segments_match(path: str, pattern: str) -> bool:
    parts, globs = path.split("/"), pattern.split("/")
    return len(parts) == len(globs) and all(
        fnmatch.fnmatchcase(part, glob) for part, glob in zip(parts, globs, strict=True)
    )


def _location_patterns() -> list[tuple[str, str]]:
    data = yaml.safe_load(LOCATIONS.read_text(encoding="utf-8"))
    return [
        (location["id"], pattern)
        for location in data["locations"]
        for pattern in location["paths"]
    ]


@pytest.mark.parametrize(("location", "pattern"), _location_patterns())
def test_golden_covers_pattern(location: str, pattern: str) -> None:
    paths = [row.path for row in GOLDEN] + [ESCAPING_LINK]
    expanded = expand_braces(pattern)

    covered = [p for p in paths if any(_segments_match(p, e) for e in expanded)]
    assert covered, f"no golden file for {location}: {pattern}"


@pytest.mark.parametrize("layout", [".config/", "Library/", "AppData/"])
def test_golden_covers_os_layout(layout: str) -> None:
    assert any(row.path.startswith(layout) for row in GOLDEN)
