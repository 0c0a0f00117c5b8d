"""Build the report document: the complete, schema-valid form of a scan result."""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
from dataclasses import asdict
from typing import Any

from auditor import __version__
from auditor.detect import identity
from auditor.engine import ScanResult
from auditor.model import SEVERITIES, Finding, severity_rank

SCHEMA_VERSION = "1.0"
EXIT_RULE_ERROR = 3


def build_document(result: ScanResult, fail_on: str, strict: bool) -> dict[str, Any]:
    """Return the report as plain data, with the exit code it implies."""
    return _without_keys(_build(result, fail_on, strict))


def _build(result: ScanResult, fail_on: str, strict: bool) -> dict[str, Any]:
    findings = _with_unique_ids([_finding(f) for f in result.findings])
    gaps = [asdict(gap) for gap in result.gaps]
    active = [f for f in findings if "suppression" not in f]
    failing = [
        f for f in active if severity_rank(f["severity"]) >= severity_rank(fail_on)
    ]
    skipped = [gap for gap in gaps if not gap["scanned"]]
    errors = [r for r in result.rule_results if r.status == "error"]
    exit_code = _exit_code(failing, strict and bool(skipped), bool(errors))
    coverage: dict[str, Any] = {
        "files_scanned": result.files_scanned,
        "locations_checked": result.locations_checked,
        "files_skipped": skipped,
        "files_partly_scanned": [gap for gap in gaps if gap["scanned"]],
    }
    if result.history is not None:
        coverage["history"] = result.history
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "keyaudit", "version": __version__},
        "scan": _scan(result),
        "summary": {
            "findings": len(findings),
            # Unsuppressed findings only; suppressed ones are counted apart.
            "by_severity": {
                s: sum(f["severity"] == s for f in active) for s in SEVERITIES
            },
            "fail_on": fail_on,
            "strict": strict,
            "failing_findings": len(failing),
            "suppressed_findings": len(findings) - len(active),
            "coverage_gaps": len(skipped),
            "exit_code": exit_code,
            "result": {0: "pass", 1: "fail"}.get(exit_code, "error"),
        },
        "findings": findings,
        "rules": [_rule(r) for r in result.rule_results],
        "coverage": coverage,
    }


def _scan(result: ScanResult) -> dict[str, Any]:
    policy = result.policy
    return {
        "started": result.started.isoformat(),
        "finished": (result.finished or result.started).isoformat(),
        "host": socket.gethostname(),
        "user": _current_user(),
        "targets": [asdict(target) for target in result.targets],
        "policy": {
            "name": policy.name,
            "sha256": policy.sha256,
            "sources": list(policy.sources),
        },
    }


def _finding(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["location"] = {k: v for k, v in data["location"].items() if v is not None}
    for optional in ("secret", "suppression"):
        if data[optional] is None:
            del data[optional]
    data["id"] = finding_id(finding)
    return data


def finding_id(finding: Finding) -> str:
    """Return a stable id from rule, place and key fingerprint (never the key)."""
    location = finding.location
    fingerprint = finding.secret.fingerprint if finding.secret else ""
    parts = [
        finding.rule,
        location.scope,
        location.path,
        location.row_key or "",
        str(location.line or ""),
        fingerprint,
    ]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:16]


def _with_unique_ids(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make repeated finding ids unique, keeping the first one as it is.

    Two findings can share rule, place and fingerprint: the same key twice on
    a line or in a database row, or a file that fails on both mode and owner.
    Each repeat gets an id derived from the first one and its count. Findings
    arrive sorted, so the ids are the same on every run.
    """
    repeats: dict[str, int] = {}
    for data in findings:
        base = data["id"]
        count = repeats.get(base, 0)
        repeats[base] = count + 1
        if count:
            data["id"] = hashlib.sha256(f"{base}:{count}".encode()).hexdigest()[:16]
    return findings


def _rule(rule_result: Any) -> dict[str, Any]:
    rule = rule_result.rule
    data = {
        "id": rule.id,
        "title": rule.title,
        "check": rule.check,
        "severity": rule.severity,
        "status": rule_result.status,
        "findings": rule_result.findings,
        "controls": rule.controls,
        "description": rule.description,
        "remediation": rule.remediation,
    }
    if rule_result.reason:
        data["reason"] = rule_result.reason
    return data


def _exit_code(failing: list[Any], strict_gaps: bool, rule_errors: bool) -> int:
    """Return 3 when a rule's check raised: the result cannot be trusted as a pass."""
    if rule_errors:
        return EXIT_RULE_ERROR
    return 1 if failing or strict_gaps else 0


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _without_keys(value: Any) -> Any:
    """Return `value` with every key in its strings replaced by the redacted key.

    Paths, row keys and setting names come from the scanned files and can
    themselves be keys (a file or a JSON member named after one), so this is
    the last guard that no report holds a whole key.
    """
    if isinstance(value, str):
        return identity.redact_keys_in(value)
    if isinstance(value, dict):
        return {name: _without_keys(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_without_keys(item) for item in value]
    return value
