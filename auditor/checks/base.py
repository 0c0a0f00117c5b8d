"""The check protocol, the scanned-file type checks receive, and finding builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from auditor.detect.scanner import Occurrence
from auditor.formats import Document
from auditor.model import Finding, Location, Secret
from auditor.policy.loader import Rule
from auditor.sources import FileInfo, Part


@dataclass(frozen=True)
class Hit:
    """A key occurrence and the part of the file it was found in."""

    occurrence: Occurrence
    part: Part


@dataclass
class ScannedFile:
    """A file after detection: its parts as documents, and the keys in them."""

    info: FileInfo
    documents: list[tuple[Part, Document]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    # Fingerprints of every key in the file's bytes, also those whose hits
    # were left to the database row that shows the same key.
    held: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class CheckContext:
    """Scan facts a check needs besides the file: root, expected owner, settings."""

    root: Path
    expected_uid: int | None
    expected_user: str
    settings: dict[str, Any]
    # For history scans: (path, fingerprint) of each key still in its file at HEAD.
    history_at_head: frozenset[tuple[str, str]] = frozenset()


class Check(Protocol):
    """One kind of rule. `run` returns the findings for one file."""

    def run(
        self, scanned: ScannedFile, rule: Rule, context: CheckContext
    ) -> list[Finding]: ...


def applies(rule: Rule, info: FileInfo) -> bool:
    """Apply the parameters every check shares: scopes, roles, exclude_roles, paths."""
    import fnmatch

    parameters = rule.parameters
    if not rule.applies_to_scope(info.scope):
        return False
    if "roles" in parameters and info.role not in parameters["roles"]:
        return False
    if info.role in parameters.get("exclude_roles", ()):
        return False
    paths = parameters.get("paths")
    return not paths or any(fnmatch.fnmatchcase(info.path, glob) for glob in paths)


def wants_provider(rule: Rule, provider: str) -> bool:
    providers = rule.parameters.get("providers")
    return not providers or provider in providers


def finding(
    rule: Rule,
    info: FileInfo,
    message: str,
    fix: str,
    *,
    line: int | None = None,
    column: int | None = None,
    row_key: str | None = None,
    setting: str | None = None,
    secret: Secret | None = None,
    evidence: dict[str, Any] | None = None,
) -> Finding:
    """Build a finding of `rule` at a place in `info`'s file."""
    return Finding(
        rule=rule.id,
        check=rule.check,
        severity=rule.severity,
        message=message,
        location=Location(
            scope=info.scope,
            path=info.path,
            line=line,
            column=column,
            row_key=row_key,
            setting=setting,
            commit=info.commit,
        ),
        secret=secret,
        controls=rule.controls,
        remediation=rule.remediation,
        fix=fix,
        evidence=evidence or {},
    )


def hit_finding(
    rule: Rule, info: FileInfo, hit: Hit, message: str, fix: str
) -> Finding:
    """Build a finding about one key occurrence."""
    occurrence = hit.occurrence
    binary = hit.part.binary or hit.part.row_key is not None
    return finding(
        rule,
        info,
        message,
        fix,
        line=None if binary else occurrence.line,
        column=None if binary else occurrence.column,
        row_key=hit.part.row_key,
        setting=occurrence.setting,
        secret=occurrence.secret,
    )
