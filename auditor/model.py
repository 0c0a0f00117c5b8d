"""Frozen result types shared by sources, detectors, checks and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NewType

Fingerprint = NewType("Fingerprint", str)

SEVERITIES = ("critical", "high", "medium", "low", "info")


def severity_rank(severity: str) -> int:
    """Return a number that grows with severity (info is 0, critical is 4)."""
    return len(SEVERITIES) - 1 - SEVERITIES.index(severity)


@dataclass(frozen=True)
class Secret:
    """A key as reports show it: never the key itself."""

    provider: str
    kind: str
    fingerprint: Fingerprint
    redacted: str


@dataclass(frozen=True)
class Location:
    """A finding's place: a path relative to the scanned root, with `/` separators."""

    scope: str
    path: str
    line: int | None = None
    column: int | None = None
    row_key: str | None = None
    setting: str | None = None
    # For history findings: sha, author, date, subject of the introducing commit.
    commit: dict[str, Any] | None = None


@dataclass(frozen=True)
class Finding:
    """One failed rule at one place, for one secret where it concerns a key."""

    rule: str
    check: str
    severity: str
    message: str
    location: Location
    secret: Secret | None
    controls: dict[str, list[dict[str, Any]]]
    remediation: str
    fix: str
    evidence: dict[str, Any] = field(default_factory=dict)
    # Set when an inline `keyaudit: allow`, a baseline or a waiver accepts the
    # finding: {"kind": "inline" | "baseline" | "waiver", "reason": ...}.
    # Suppressed findings are reported, but never fail the scan.
    suppression: dict[str, Any] | None = None


@dataclass(frozen=True)
class CoverageGap:
    """A file that was not scanned, or scanned only in part, and why."""

    path: str
    reason: str
    detail: str
    scope: str = "machine"
    scanned: bool = False


@dataclass(frozen=True)
class Target:
    """A scan target: a home directory, a working tree, its index or its history."""

    scope: str
    root: str
