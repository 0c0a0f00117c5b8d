"""Fingerprints and redaction: the only forms in which a key leaves the detector."""

from __future__ import annotations

import hashlib

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
