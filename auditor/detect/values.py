"""Tell references and placeholders apart from literal values."""

from __future__ import annotations

import re

# Values that point at a key kept elsewhere; none of them is a secret.
_REFERENCES = tuple(
    re.compile(pattern)
    for pattern in (
        r"\$\{env:[A-Za-z_][A-Za-z0-9_]*\}",
        r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}",
        r"\$[A-Za-z_][A-Za-z0-9_]*",
        r"\$env:[A-Za-z_][A-Za-z0-9_]*",
        r"%[A-Za-z_][A-Za-z0-9_]*%",
        r"\$\{\{\s*(?:secrets|env|inputs)\.[A-Za-z0-9_.-]+\s*\}\}",
        r"\{\{\s*[A-Za-z0-9_.]+\s*\}\}",
        r"os\.environ/[A-Za-z_][A-Za-z0-9_]*",
        r"op://\S+",
        r"vault:\S+",
        r"arn:aws:secretsmanager:\S+",
        r"@Microsoft\.KeyVault\(.*\)",
        r"\$\((?:.+)\)",
        r"`.+`",
    )
)

_PLACEHOLDER_WORDS = re.compile(
    r"your|example|placeholder|dummy|changeme|change-me|replace|insert|redacted"
    r"|<[^>]*>|\.\.\.|…|\*{3,}|x{4,}|X{4,}",
    re.IGNORECASE,
)
_SAME_CHAR_RUN = re.compile(r"(.)\1{5,}")


def is_reference(value: str) -> bool:
    """Return True when the whole value is a reference to a key kept elsewhere."""
    value = value.strip()
    return any(pattern.fullmatch(value) for pattern in _REFERENCES)


def is_placeholder(value: str) -> bool:
    """Return True for documentation stand-ins such as `sk-...` or `your-api-key-here`.

    A run of six or more equal characters, or very few distinct characters,
    also marks a stand-in: random keys have neither.
    """
    value = value.strip()
    if not value:
        return True
    if _PLACEHOLDER_WORDS.search(value) or _SAME_CHAR_RUN.search(value):
        return True
    body = value.split("-")[-1].split("_")[-1]
    if len(body) >= 8 and len(set(body)) <= 4:
        return True
    return _is_sequential(body)


def _is_sequential(body: str) -> bool:
    # Imported here: detect-secrets takes about 0.1 s to import, and this
    # runs only on strings that already matched a key shape.
    from detect_secrets.filters.heuristic import is_sequential_string

    return bool(is_sequential_string(body))
