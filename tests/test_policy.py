"""Policies: broken files named after their defect, overrides, show and explain.

A broken policy must stop the run before anything is scanned: exit code 2, one
message naming the file, the line and the key path, and nothing on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import write
from conftest import findings_by, fingerprint

from auditor.checks import CHECKS
from auditor.detect import providers

SCHEMA = Path(__file__).parents[1] / "policies" / "policy.schema.json"
DEFAULT_POLICY = Path(__file__).parents[1] / "policies" / "default.yaml"
# As error messages list them: the schema's check enum, the built-in rule ids.
CHECK_KINDS = ", ".join(json.loads(SCHEMA.read_text("utf-8"))["$defs"]["check"]["enum"])
BUILTIN_RULES = [
    rule["id"] for rule in yaml.safe_load(DEFAULT_POLICY.read_text("utf-8"))["rules"]
]
SEVERITIES = "critical, high, medium, low, info"

# (file name, content, stderr after "keyaudit: error: "), where {path} is the
# policy file and {folder} its folder.
BROKEN_POLICIES = [
    (
        "policy.unknown-check.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    check: no-such-check\n",
        "invalid policy:\n"
        "{path}:4: at rules[0].check: 'no-such-check' is not allowed; use one of: "
        + CHECK_KINDS,
    ),
    (
        "policy.unknown-severity.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    severity: huge\n",
        "invalid policy:\n{path}:4: at rules[0].severity: 'huge' is not allowed; "
        "use one of: " + SEVERITIES,
    ),
    (
        "policy.misspelt-field.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    severty: low\n",
        "invalid policy:\n"
        "{path}:4: at rules[0].severty: unknown key 'severty'; remove it or check "
        "its spelling (known keys here: check, controls, description, enabled, id, "
        "parameters, remediation, severity, title)",
    ),
    (
        "policy.unknown-top-level-key.yaml",
        "extends: default\nrulez: []\n",
        "invalid policy:\n"
        "{path}:2: at rulez: unknown key 'rulez'; remove it or check its spelling "
        "(known keys here: description, extends, locations, name, rules, settings, "
        "version)",
    ),
    (
        "policy.unknown-scope.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    parameters:\n"
        "      scopes: [nowhere]\n",
        "invalid policy:\n"
        "{path}:5: at rules[0].parameters.scopes[0]: 'nowhere' is not allowed; use one "
        "of: machine, tree, staged, history",
    ),
    (
        "policy.unknown-provider.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    parameters:\n"
        "      providers: [openia]\n",
        "invalid policy:\n"
        "{path}:5: at rules[0].parameters.providers[0]: 'openia' is not allowed; "
        "use one of: openai, anthropic, google, azure-openai, huggingface, groq, xai, "
        "openrouter, perplexity, replicate, together, fireworks, deepseek, "
        "mistral, cohere",
    ),
    (
        "policy.bad-file-mode.yaml",
        'extends: default\nsettings:\n  allowed_file_mode: "0999"\n',
        "invalid policy:\n"
        "{path}:3: at settings.allowed_file_mode: '0999' does not match '^0?[0-7]{3}$'",
    ),
    (
        "policy.file-mode-not-string.yaml",
        "extends: default\nrules:\n  - id: file-permissions\n    parameters:\n"
        "      allowed_file_mode: 600\n",
        "invalid policy:\n"
        "{path}:5: at rules[0].parameters.allowed_file_mode: 600 is not a string; "
        "YAML reads an unquoted 0600 as a number, so write the mode in quotes, such "
        'as "0600"',
    ),
    (
        "policy.negative-max-size.yaml",
        "extends: default\nsettings:\n  max_file_size: -1\n",
        "invalid policy:\n"
        "{path}:3: at settings.max_file_size: -1 is less than the minimum of 1",
    ),
    (
        "policy.location-leaves-home.yaml",
        "extends: default\nlocations:\n  - id: mine\n    role: settings\n"
        "    format: json\n    paths: ['../etc/passwd']\n",
        "invalid policy:\n"
        "{path}:6: at locations[0].paths[0]: '../etc/passwd' should not be valid under "
        "{'pattern': '(^/|^~|\\\\.\\\\.)'}",
    ),
    (
        "policy.new-rule-incomplete.yaml",
        "extends: default\nrules:\n  - id: my-rule\n    severity: low\n",
        "{path}:3: rule 'my-rule' is new here and misses title, check, remediation;"
        " a new "
        "rule needs title, severity, check and remediation (to change a built-in "
        "rule, use its exact id).",
    ),
    (
        "policy.invalid-yaml.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    severity: [low\n",
        "{path}:5: invalid YAML: expected ',' or ']', but got '<stream end>'. Fix the "
        "syntax at that line.",
    ),
    (
        "policy.not-a-mapping.yaml",
        "- plaintext-key\n- file-permissions\n",
        "{path}:1: a policy must be a YAML mapping of settings and rules.",
    ),
    (
        "policy.missing-extends.yaml",
        "name: mine\nextends: no-such-policy.yaml\n",
        "{path}:2: at extends: policy file {folder}/no-such-policy.yaml not found; use "
        "`default` or a path relative to this policy file.",
    ),
]


@pytest.fixture
def home_with_key(tmp_path: Path, keys: Any) -> tuple[Path, str]:
    home = tmp_path / "home"
    key = keys.anthropic()
    write(home / ".env", f"ANTHROPIC_API_KEY={key}\n")
    write(home / ".codex" / "auth.json", f'{{"OPENAI_API_KEY": "{key}"}}\n', 0o640)
    return home, key


def _broken_policy(
    tmp_path: Path, name: str, text: str, message: str
) -> tuple[Path, str]:
    folder = tmp_path / "policies"
    path = write(folder / name, text)
    message = message.replace("{path}", str(path)).replace("{folder}", str(folder))
    return path, f"keyaudit: error: {message}\n"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    BROKEN_POLICIES,
    ids=[case[0] for case in BROKEN_POLICIES],
)
def test_broken_policy_stops_scan(
    tmp_path: Path,
    home_with_key: tuple[Path, str],
    keyaudit: Any,
    name: str,
    text: str,
    message: str,
) -> None:
    path, expected = _broken_policy(tmp_path, name, text, message)
    report = tmp_path / "report.json"
    home, _ = home_with_key

    completed = keyaudit(
        *("scan", "--home", home, "--policy", path, "--output", report)
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == expected
    assert not report.exists()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    BROKEN_POLICIES,
    ids=[case[0] for case in BROKEN_POLICIES],
)
def test_broken_policy_validate(
    tmp_path: Path, keyaudit: Any, name: str, text: str, message: str
) -> None:
    path, expected = _broken_policy(tmp_path, name, text, message)

    completed = keyaudit("policy", "validate", path)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == expected


def test_schema_error_message_whole(tmp_path: Path, keyaudit: Any) -> None:
    path = write(
        tmp_path / "policy.unknown-check.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    check: nope\n",
    )

    completed = keyaudit("policy", "validate", path)

    assert completed.stderr == (
        "keyaudit: error: invalid policy:\n"
        f"{path}:4: at rules[0].check: 'nope' is not allowed; use one of: "
        f"{CHECK_KINDS}\n"
    )


def test_extends_cycle_rejected(tmp_path: Path, keyaudit: Any) -> None:
    first = write(tmp_path / "policy.cycle-a.yaml", "extends: policy.cycle-b.yaml\n")
    second = write(tmp_path / "policy.cycle-b.yaml", "extends: policy.cycle-a.yaml\n")

    completed = keyaudit("policy", "validate", first)

    assert completed.returncode == 2
    assert completed.stderr == (
        f"keyaudit: error: {second}:1: `extends: policy.cycle-a.yaml` forms a "
        "cycle; point it at a policy that does not extend this one.\n"
    )


def test_policy_not_utf8(tmp_path: Path, keyaudit: Any) -> None:
    path = write(tmp_path / "policy.not-utf8.yaml", b"name: caf\xe9\n")

    completed = keyaudit("policy", "validate", path)

    assert completed.returncode == 2
    assert completed.stderr.startswith(
        f"keyaudit: error: {path}: policy file is not UTF-8 text:"
    )


def test_policy_file_not_found(tmp_path: Path, keyaudit: Any) -> None:
    missing = tmp_path / "nowhere.yaml"

    completed = keyaudit("scan", "--home", tmp_path, "--policy", missing)

    assert completed.returncode == 2
    assert completed.stderr == (
        f"keyaudit: error: {missing}: policy file not found; check the path.\n"
    )


def test_broken_repo_policy_found(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    repo = make_repo(
        {
            ".env": f"OPENAI_API_KEY={keys.openai_user()}\n",
            "keyaudit.yaml": "extends: default\nrules:\n  - id: x\n    check: y\n",
        }
    )

    completed = keyaudit("scan", "--repo", repo)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert f"{repo / 'keyaudit.yaml'}:4: at rules[0].check:" in completed.stderr


def test_schema_lists_every_check() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))

    assert set(schema["$defs"]["check"]["enum"]) == set(CHECKS)


def test_schema_lists_every_provider() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    items = schema["$defs"]["parameters"]["properties"]["providers"]["items"]

    assert set(items["enum"]) == {p.provider for p in providers.PATTERNS}


# Extending and overriding the built-in policy.


def _scan(keyaudit: Any, *args: Any) -> tuple[int, dict[str, Any]]:
    completed = keyaudit("scan", *args, "--format", "json")
    assert completed.returncode in (0, 1), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def _policy(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "policy" / "keyaudit.yaml", text)


def test_override_disables_rule(
    tmp_path: Path, home_with_key: tuple[Path, str], keyaudit: Any
) -> None:
    policy = _policy(
        tmp_path,
        "extends: default\nrules:\n  - id: plaintext-key\n    enabled: false\n",
    )
    home, _ = home_with_key

    code, report = _scan(keyaudit, "--home", home, "--policy", policy)

    assert findings_by(report, rule="plaintext-key") == []
    assert len(findings_by(report, rule="file-permissions")) == 1
    rules = {rule["id"]: rule for rule in report["rules"]}
    assert rules["plaintext-key"]["status"] == "not_applicable"
    assert rules["plaintext-key"]["reason"] == "disabled by the policy"
    assert code == 1


def test_override_changes_severity(
    tmp_path: Path, home_with_key: tuple[Path, str], keyaudit: Any
) -> None:
    policy = _policy(
        tmp_path,
        "extends: default\nrules:\n  - id: plaintext-key\n    severity: medium\n"
        "  - id: file-permissions\n    enabled: false\n",
    )
    home, _ = home_with_key

    code, report = _scan(keyaudit, "--home", home, "--policy", policy)
    strict_code, _ = _scan(
        keyaudit, "--home", home, "--policy", policy, "--fail-on", "medium"
    )

    found = findings_by(report, rule="plaintext-key")
    assert [f["severity"] for f in found] == ["medium"]
    assert code == 0
    assert strict_code == 1


def test_added_rule_of_existing_kind(
    tmp_path: Path, home_with_key: tuple[Path, str], keyaudit: Any
) -> None:
    policy = _policy(
        tmp_path,
        "extends: default\nrules:\n"
        "  - id: anthropic-key-anywhere\n"
        "    title: Anthropic key in any file\n"
        "    severity: critical\n"
        "    check: plaintext-key\n"
        "    parameters: {providers: [anthropic]}\n"
        "    remediation: Move it to the keychain.\n",
    )
    home, key = home_with_key

    _, report = _scan(keyaudit, "--home", home, "--policy", policy)

    added = findings_by(report, rule="anthropic-key-anywhere")
    assert [(f["location"]["path"], f["severity"]) for f in added] == [
        (".codex/auth.json", "critical"),
        (".env", "critical"),
    ]
    assert added[0]["secret"]["fingerprint"] == fingerprint(key)
    assert len(findings_by(report, rule="plaintext-key")) == 1
    assert report["findings"][0]["severity"] == "critical"


def test_added_rule_roles_and_paths(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    write(home / ".bash_history", f"export HF_TOKEN={keys.huggingface()}\n")
    write(home / ".zshrc", f"export HF_TOKEN={keys.huggingface()}\n")
    write(home / "work" / ".env", f"HF_TOKEN={keys.huggingface()}\n")
    policy = _policy(
        tmp_path,
        "extends: default\nrules:\n"
        "  - id: history-keys\n    title: Keys typed at the prompt\n"
        "    severity: critical\n    check: plaintext-key\n"
        "    parameters: {roles: [history]}\n    remediation: Clear the history.\n"
        "  - id: work-keys\n    title: Keys in work projects\n"
        "    severity: medium\n    check: plaintext-key\n"
        "    parameters: {paths: ['work/*']}\n    remediation: Use the vault.\n",
    )

    _, report = _scan(keyaudit, "--home", home, "--policy", policy)

    history = findings_by(report, rule="history-keys")
    work = findings_by(report, rule="work-keys")
    assert [f["location"]["path"] for f in history] == [".bash_history"]
    assert [f["location"]["path"] for f in work] == ["work/.env"]
    assert len(findings_by(report, rule="plaintext-key")) == 3


@pytest.mark.parametrize(
    ("where", "mode", "failing"),
    [("settings", 0o640, False), ("settings", 0o644, True), ("rule", 0o640, False)],
)
def test_allowed_file_mode_changed(
    tmp_path: Path,
    home_with_key: tuple[Path, str],
    keyaudit: Any,
    where: str,
    mode: int,
    failing: bool,
) -> None:
    if where == "settings":
        text = 'extends: default\nsettings:\n  allowed_file_mode: "0640"\n'
    else:
        text = (
            "extends: default\nrules:\n  - id: file-permissions\n"
            '    parameters: {allowed_file_mode: "640"}\n'
        )
    policy = _policy(tmp_path, text)
    home, _ = home_with_key
    store = home / ".codex" / "auth.json"
    store.chmod(mode)

    _, report = _scan(keyaudit, "--home", home, "--policy", policy)

    found = findings_by(report, rule="file-permissions")
    assert len(found) == int(failing)
    if failing:
        assert f"chmod 640 {store}" in found[0]["fix"]


def test_added_location_scanned(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    key = keys.groq()
    write(home / ".mytool" / "config.yml", f"llm:\n  groq_key: {key}\n")
    policy = _policy(
        tmp_path,
        "extends: default\nlocations:\n  - id: my-tool\n    tool: My tool\n"
        "    role: settings\n    format: yaml\n    paths: ['.mytool/config.yml']\n",
    )

    _, default_report = _scan(keyaudit, "--home", home)
    _, report = _scan(keyaudit, "--home", home, "--policy", policy)

    assert default_report["findings"] == []
    found = findings_by(report, rule="plaintext-key", path=".mytool/config.yml")
    assert [f["location"]["line"] for f in found] == [2]
    assert found[0]["location"]["setting"] == "llm.groq_key"


def test_replaced_location_by_id(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    home = tmp_path / "home"
    write(home / ".bash_history", f"export HF_TOKEN={keys.huggingface()}\n")
    write(home / "logs" / "history.txt", f"export HF_TOKEN={keys.huggingface()}\n")
    policy = _policy(
        tmp_path,
        "extends: default\nlocations:\n  - id: shell-history\n    role: history\n"
        "    format: history\n    paths: ['logs/*.txt']\n",
    )

    _, report = _scan(keyaudit, "--home", home, "--policy", policy)

    assert [f["location"]["path"] for f in report["findings"]] == ["logs/history.txt"]


def test_repo_policy_found(make_repo: Any, keys: Any, keyaudit: Any) -> None:
    repo = make_repo(
        {
            ".env": f"OPENAI_API_KEY={keys.openai_user()}\n",
            "keyaudit.yaml": "name: team\nextends: default\nrules:\n"
            "  - id: plaintext-key\n    severity: low\n",
        }
    )

    code, report = _scan(keyaudit, "--repo", repo)

    assert report["scan"]["policy"]["name"] == "team"
    assert report["scan"]["policy"]["sources"] == [
        "builtin:default.yaml",
        str(repo / "keyaudit.yaml"),
    ]
    assert [f["severity"] for f in report["findings"]] == ["low"]
    assert code == 0


def test_user_config_policy_found(
    home_with_key: tuple[Path, str], keyaudit: Any
) -> None:
    config = keyaudit.home / ".config" / "keyaudit" / "keyaudit.yaml"
    write(config, "name: mine\nextends: default\n")
    home, _ = home_with_key

    _, report = _scan(keyaudit, "--home", home)

    assert report["scan"]["policy"]["name"] == "mine"
    assert report["scan"]["policy"]["sources"][-1] == str(config)


def test_standalone_policy_replaces(
    tmp_path: Path, home_with_key: tuple[Path, str], keyaudit: Any
) -> None:
    policy = _policy(
        tmp_path,
        "name: only-backups\nrules:\n  - id: backups\n    title: Backups\n"
        "    severity: low\n    check: unencrypted-backup\n"
        "    remediation: Encrypt them.\n",
    )
    home, _ = home_with_key

    code, report = _scan(keyaudit, "--home", home, "--policy", policy)

    assert [rule["id"] for rule in report["rules"]] == ["backups"]
    assert report["findings"] == []
    assert code == 0


# policy show and policy explain.


def test_show_effective_policy(tmp_path: Path, keyaudit: Any) -> None:
    policy = _policy(
        tmp_path,
        "name: team\nextends: default\nsettings:\n  max_file_size: 1000\nrules:\n"
        "  - id: malformed-key\n    enabled: false\n",
    )

    as_yaml = keyaudit("policy", "show", "--policy", policy)
    as_json = keyaudit("policy", "show", "--policy", policy, "--format", "json")

    assert as_yaml.returncode == 0, as_yaml.stderr
    document = yaml.safe_load(as_yaml.stdout)
    assert document == json.loads(as_json.stdout)
    assert document["name"] == "team"
    assert document["sources"] == ["builtin:default.yaml", str(policy)]
    assert document["settings"]["max_file_size"] == 1000
    assert document["settings"]["allowed_file_mode"] == "0600"
    rules = {rule["id"]: rule for rule in document["rules"]}
    assert rules["malformed-key"]["enabled"] is False
    assert rules["plaintext-key"]["severity"] == "high"
    assert "shell-history" in {location["id"] for location in document["locations"]}


def test_show_hash_matches_report(
    tmp_path: Path, home_with_key: tuple[Path, str], keyaudit: Any
) -> None:
    policy = _policy(tmp_path, "extends: default\n")
    home, _ = home_with_key

    as_json = keyaudit("policy", "show", "--policy", policy, "--format", "json")
    _, report = _scan(keyaudit, "--home", home, "--policy", policy)

    assert json.loads(as_json.stdout)["sha256"] == report["scan"]["policy"]["sha256"]


def test_explain_overridden_rule(tmp_path: Path, keyaudit: Any) -> None:
    policy = _policy(
        tmp_path,
        "extends: default\nrules:\n  - id: file-permissions\n    severity: critical\n",
    )

    completed = keyaudit("policy", "explain", "file-permissions", "--policy", policy)

    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0] == (
        "file-permissions: File holding a key is readable by others or not owned "
        "by the user"
    )
    assert lines[1].split() == [
        *("check:", "file-permissions", "severity:", "critical", "enabled")
    ]
    assert "  SOC 2: CC6.1 (primary)" in lines
    assert "  CWE: CWE-732 (primary)" in lines
    assert any(line.startswith("Remediation: Make the file private") for line in lines)
    assert lines[-1] == f"Defined at {policy}:3"


def test_extends_chain_merges(tmp_path: Path, keyaudit: Any) -> None:
    write(
        tmp_path / "base.yaml",
        "extends: default\nrules:\n  - id: plaintext-key\n    severity: medium\n",
    )
    team = write(
        tmp_path / "team.yaml",
        "name: team\nextends: base.yaml\nrules:\n  - id: plaintext-key\n"
        "    parameters:\n      providers: [openai]\n",
    )

    completed = keyaudit("policy", "show", "--policy", team, "--format", "json")

    document = json.loads(completed.stdout)
    assert document["sources"] == [
        "builtin:default.yaml",
        str(tmp_path / "base.yaml"),
        str(team),
    ]
    rule = next(r for r in document["rules"] if r["id"] == "plaintext-key")
    assert rule["severity"] == "medium"
    assert rule["parameters"]["providers"] == ["openai"]
    assert rule["parameters"]["exclude_roles"] == [
        "credential-store",
        "backup",
        "encrypted-backup",
    ]


def test_explain_builtin_rule(keyaudit: Any) -> None:
    completed = keyaudit("policy", "explain", "plaintext-key")

    assert completed.returncode == 0, completed.stderr
    assert "  PCI DSS 4.0.1: 3.6.1.2 (analogy)" in completed.stdout
    assert "  HIPAA: 164.312(d) (Required)" in completed.stdout
    assert completed.stdout.rstrip().endswith("Defined at builtin:default.yaml:22")


def test_explain_unknown_rule(keyaudit: Any) -> None:
    completed = keyaudit("policy", "explain", "no-such-rule")

    assert completed.returncode == 2
    assert completed.stderr == (
        "keyaudit: error: rule 'no-such-rule' not found in policy 'default'; "
        f"rules: {', '.join(BUILTIN_RULES)}\n"
    )


def test_validate_good_policy(tmp_path: Path, keyaudit: Any) -> None:
    policy = _policy(
        tmp_path,
        "extends: default\nrules:\n  - id: malformed-key\n    enabled: false\n",
    )

    completed = keyaudit("policy", "validate", policy)

    assert completed.returncode == 0
    assert completed.stdout == (
        f"{policy}: valid policy '{policy.stem}' with {len(BUILTIN_RULES) - 1} enabled "
        "rule(s)\n"
    )


def test_policy_error_redacts_key(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    """A key pasted into a policy value is quoted redacted in the error."""
    key = keys.openai_project()
    policy = tmp_path / "policy.key-as-severity.yaml"
    policy.write_text(
        f"extends: default\nrules:\n  - id: plaintext-key\n    severity: {key}\n"
    )

    completed = keyaudit("policy", "validate", policy)

    assert completed.returncode == 2
    assert "rules[0].severity" in completed.stderr
    assert key not in completed.stderr
    assert "sk-proj-…" + key[-4:] in completed.stderr


def test_empty_policy_rejected(tmp_path: Path, keys: Any, keyaudit: Any) -> None:
    """An empty keyaudit.yaml must not turn every check off and pass."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text(f"export OPENAI_API_KEY={keys.openai_project()}\n")
    policy = tmp_path / "policy.empty.yaml"
    policy.write_text("")

    completed = keyaudit("scan", "--home", home, "--policy", policy)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert f"{policy}: the policy enables no rules" in completed.stderr
    assert "extends: default" in completed.stderr


def test_duplicate_rule_id_rejected(tmp_path: Path, keyaudit: Any) -> None:
    policy = tmp_path / "policy.duplicate-rule-id.yaml"
    policy.write_text(
        "extends: default\nrules:\n  - id: malformed-key\n    enabled: false\n"
        "  - id: malformed-key\n    severity: low\n"
    )

    completed = keyaudit("policy", "validate", policy)

    assert completed.returncode == 2
    assert completed.stderr == (
        f"keyaudit: error: {policy}:5: rule id 'malformed-key' is already used at "
        "line 3; merge the two entries.\n"
    )
