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
    """Return True for a setting value such as `sk-...` or `your-api-key-here`.

    This is for whole setting values, which may be prose. A string that
    matched a key's exact shape is judged by `is_stand_in_key` instead.
    """
    value = value.strip()
    if not value:
        return True
    if _PLACEHOLDER_WORDS.search(value) or _SAME_CHAR_RUN.search(value):
        return True
    return len(value) >= 8 and len(set(value)) <= 4


# Words that mark a documentation stand-in even inside a key-shaped string.
# Each is long enough that a random key body contains it with a chance far
# below one in a million.
_STAND_IN_WORDS = re.compile(
    r"your[-_]?(?:api[-_]?)?key|example|placeholder|changeme|replace|insert|redacted",
    re.IGNORECASE,
)
_STAND_IN_RUN = re.compile(r"(.)\1{5,}|[xX*]{8,}")


def is_stand_in_key(key: str, prefix: str = "") -> bool:
    """Return True when a string of a key's exact shape is a documentation stand-in.

    Keys are random, so only markers that random text practically never
    shows count: six equal characters in a row, eight of `x` or `*`, under
    ten distinct characters, a sequence such as `abcdefgh`, or a stand-in word.
    """
    body = key[len(prefix) :]
    if _STAND_IN_RUN.search(body) or _STAND_IN_WORDS.search(body):
        return True
    if len(body) >= 20 and len(set(body)) < 10:
        return True
    return len(body) >= 8 and _is_sequential(body)


def _is_sequential(body: str) -> bool:
    # Imported here: detect-secrets takes about 0.1 s to import, and this
    # runs only on strings that already matched a key shape.
    from detect_secrets.filters.heuristic import is_sequential_string

    return bool(is_sequential_string(body))
