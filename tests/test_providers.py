"""Per-provider tables of values that must and must not be found as keys.

The detector runs in-process on each value (the same parse and find_keys the
engine calls); one CLI test then scans all the tables at once. Keys are
generated at test time, and values that must not match are built from
hashes at run time, so this file contains no key-shaped literal.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import write
from conftest import fingerprint
from fakekeys import MARKER, FakeKeys

from auditor.detect import providers
from auditor.detect.scanner import find_keys
from auditor.formats import parse

Case = tuple[str, Callable[[FakeKeys], str], str]


def found(text: str, fmt: str = "text") -> list[tuple[str, str]]:
    """Return (provider, key) for each key the detector finds in `text`."""
    return [(o.pattern.provider, o.key) for o in find_keys(parse(text, fmt))]


def _openai_dashes(keys: FakeKeys) -> str:
    """Return a project key with `-` and `_` right next to the marker."""
    before, after = keys.openai_project().split(MARKER)
    return f"{before[:-1]}-{MARKER}_{after[1:]}"


def _openai_none(keys: FakeKeys) -> str:
    return "sk-None-" + keys.openai_project().removeprefix("sk-proj-")


def _openai_service(keys: FakeKeys) -> str:
    return "sk-service-build-bot-" + keys.openai_project().removeprefix("sk-proj-")


def _anthropic_refresh(keys: FakeKeys) -> str:
    return keys.anthropic_oauth().replace("sk-ant-oat01-", "sk-ant-ort01-")


def _huggingface_org(keys: FakeKeys) -> str:
    return "api_org_" + keys.huggingface().removeprefix("hf_")


def _xai_of(length: int) -> Callable[[FakeKeys], str]:
    def make(keys: FakeKeys) -> str:
        body = (keys.xai().removeprefix("xai-") * 2)[:length]
        return "xai-" + body

    return make


# (provider, key maker, text around the key with `{key}` where it goes)
SHOULD_MATCH: list[Case] = [
    ("openai", FakeKeys.openai_user, "{key}"),
    ("openai", FakeKeys.openai_project, "{key}"),
    ("openai", FakeKeys.openai_service_account, "{key}"),
    ("openai", FakeKeys.openai_admin, "{key}"),
    ("openai", _openai_dashes, "OPENAI_API_KEY={key}"),
    ("openai", _openai_none, "{key}"),
    ("openai", _openai_service, "{key}"),
    ("anthropic", FakeKeys.anthropic, "{key}"),
    ("anthropic", FakeKeys.anthropic_admin, "{key}"),
    ("anthropic", FakeKeys.anthropic_oauth, "{key}"),
    ("anthropic", _anthropic_refresh, "{key}"),
    ("google", FakeKeys.google, "{key}"),
    ("google", FakeKeys.google, "https://example.com/v1?key={key}&alt=json"),
    ("azure-openai", FakeKeys.azure, "AZURE_OPENAI_API_KEY={key}"),
    (
        "azure-openai",
        FakeKeys.azure,
        "endpoint: https://contoso.openai.azure.com\ndeployment: gpt\napi-key: {key}",
    ),
    ("huggingface", FakeKeys.huggingface, "{key}"),
    ("huggingface", _huggingface_org, "{key}"),
    ("groq", FakeKeys.groq, "{key}"),
    ("xai", _xai_of(70), "{key}"),
    ("xai", FakeKeys.xai, "{key}"),
    ("xai", _xai_of(120), "{key}"),
    ("openrouter", FakeKeys.openrouter, "{key}"),
    ("perplexity", FakeKeys.perplexity, "{key}"),
    ("replicate", FakeKeys.replicate, "{key}"),
    ("together", FakeKeys.together, "{key}"),
    ("deepseek", FakeKeys.deepseek, "DEEPSEEK_API_KEY={key}"),
    ("deepseek", FakeKeys.deepseek, "# DeepSeek\nkey = {key}"),
    ("mistral", FakeKeys.mistral, "MISTRAL_API_KEY={key}"),
    ("mistral", FakeKeys.mistral, "provider: mistral\napiKey: {key}"),
    ("cohere", FakeKeys.cohere, "CO_API_KEY={key}"),
    ("cohere", FakeKeys.cohere, "COHERE_API_KEY: {key}"),
]


def _case_id(case: Case) -> str:
    provider, make, template = case
    return f"{provider}-{make.__name__.strip('_')}-{len(template)}"


@pytest.mark.parametrize("case", SHOULD_MATCH, ids=_case_id)
def test_provider_key_found(case: Case, keys: FakeKeys) -> None:
    provider, make, template = case
    key = make(keys)

    results = found(template.format(key=key))

    assert results == [(provider, key)]


def test_every_provider_tabled() -> None:
    tabled = {provider for provider, _, _ in SHOULD_MATCH}
    known = {pattern.provider for pattern in providers.PATTERNS}

    assert known - tabled <= {"fireworks"}


def _md5(seed: str) -> str:
    return hashlib.md5(seed.encode()).hexdigest()


def _sha1(seed: str) -> str:
    return hashlib.sha1(seed.encode()).hexdigest()


def _integrity(seed: str) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(seed.encode()).digest()).decode()


def _not_matching(keys: FakeKeys) -> dict[str, str]:
    """Return {case name: text} that must produce no finding."""
    user = keys.openai_user()
    google = keys.google()
    hex_body = _md5("deepseek")
    return {
        "other marker": user.replace(MARKER, "T4BlbkFJ"),
        "marker alone": f"token {MARKER} here",
        "sk and marker": f"sk-{MARKER}",
        "aiza short": google[:-1],
        "aiza long": google + "Q",
        "aiza in token": "x" + google,
        "aiza before dash": google + "-tail",
        "md5 sum": f"{_md5('archive')}  archive.tar.gz",
        "commit id": f"commit {_md5('commit')}\nAuthor: A <a@example.com>",
        "uuid without dashes": f"request_id={_md5('request')}",
        "azure word far away": f"# azure\n\n\n\n\n\nchecksum={_md5('far')}",
        "lock integrity": f'"integrity": "{_integrity("left-pad")}"',
        "yarn cohere entry": (
            '"cohere-ai@^7.0.0":\n  version "7.0.0"\n'
            '  resolved "https://registry.example/cohere-ai/-/cohere-ai-7.0.0.tgz'
            f'#{_sha1("cohere-ai")}"\n  integrity {_integrity("cohere-ai")}\n'
        ),
        "cohere pinned commit": (
            f"cohere @ git+https://github.com/cohere-ai/cohere-python@{_sha1('c')}"
        ),
        "mistral model checksum": f"mistral-7b.gguf md5: {_md5('weights')}",
        "placeholder dots": "OPENAI_API_KEY=sk-...",
        "placeholder words": "OPENAI_API_KEY=your-api-key-here",
        "placeholder x run": "sk-proj-" + "X" * 40 + MARKER + "X" * 40,
        "placeholder google": "AIza" + "x" * 35,
        "placeholder anthropic": "sk-ant-api03-" + "x" * 93 + "AA",
        "placeholder angle": "ANTHROPIC_API_KEY=<your-anthropic-key>",
        "env reference": '"apiKey": "${env:OPENAI_API_KEY}"',
        "shell reference": "export OPENAI_API_KEY=$OPENAI_KEY",
        "default reference": "TOKEN=${OPENAI_API_KEY:-unset}",
        "actions secret": "api_key: ${{ secrets.OPENAI_API_KEY }}",
        "litellm reference": "api_key: os.environ/AZURE_API_KEY",
        "1password": "OPENAI_API_KEY=op://Private/OpenAI/credential",
        "vault": "key: vault:secret/data/openai#api_key",
        "aws arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:openai",
        "key vault": "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/s/k)",
        "deepseek shape bare": f"KEY=sk-{hex_body}",
        "mistral shape bare": f"KEY={keys.mistral()}",
        "cohere shape bare": f"KEY={keys.cohere()}",
    }


NOT_MATCHING_NAMES = list(_not_matching(FakeKeys(0)))


@pytest.mark.parametrize("name", NOT_MATCHING_NAMES)
def test_non_key_not_found(name: str, keys: FakeKeys) -> None:
    text = _not_matching(keys)[name]

    assert found(text) == []
    assert found(text, "yaml") == []


def test_tables_through_cli(tmp_path: Path, keys: FakeKeys, keyaudit: Any) -> None:
    tree = tmp_path / "tree"
    expected = set()
    for number, (provider, make, template) in enumerate(SHOULD_MATCH):
        key = make(keys)
        write(tree / f"match-{number}.txt", template.format(key=key) + "\n")
        expected.add((f"match-{number}.txt", provider, fingerprint(key)))
    for number, text in enumerate(_not_matching(keys).values()):
        write(tree / f"clean-{number}.txt", text + "\n")

    completed = keyaudit("scan", "--repo", tree, "--format", "json")

    assert completed.returncode == 1, completed.stderr
    report = json.loads(completed.stdout)
    actual = {
        (f["location"]["path"], f["secret"]["provider"], f["secret"]["fingerprint"])
        for f in report["findings"]
        if f["rule"] == "plaintext-key"
    }
    assert actual == expected
