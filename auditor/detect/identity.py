"""Fingerprints and redaction: the only forms in which a key leaves the detector."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from auditor.model import Fingerprint

_QUOTES = "\"'`"


def normalize(key: str) -> str:
    """Strip a trailing carriage return and one pair of surrounding quotes."""
    key = key.rstrip("\r")
    if len(key) >= 2 and key[0] == key[-1] and key[0] in _QUOTES:
        key = key[1:-1]
    return key


def fingerprint(key: str) -> Fingerprint:
    """Return `sha256:` and the hex SHA-256 of the exact key string."""
    digest = hashlib.sha256(normalize(key).encode("utf-8")).hexdigest()
    return Fingerprint(f"sha256:{digest}")


def redact(key: str, prefix: str = "") -> str:
    """Show the provider prefix and the last four characters, nothing between.

    Keys shorter than 16 characters show only their prefix, so that a short
    value never appears nearly whole.
    """
    key = normalize(key)
    if len(key) < 16:
        return f"{prefix}…" if prefix else "…"
    return f"{prefix}…{key[-4:]}"


def redact_keys_in(text: str) -> str:
    """Return `text` with every prefixed key replaced by its redacted form.

    The last guard for text that comes from scanned or user files (paths,
    setting names, error messages). Keys without a prefix of their own, such
    as Azure's 32 hex digits, are not recognised here.
    """
    from auditor.detect import providers

    if not any(prefix in text for prefix in providers.PREFIXES):
        return text
    for pattern in providers.PREFIXED:
        text = pattern.regex.sub(_redactor(pattern.prefix), text)
    return text


def _redactor(prefix: str) -> Callable[[re.Match[str]], str]:
    return lambda match: redact(match.group(), prefix)
