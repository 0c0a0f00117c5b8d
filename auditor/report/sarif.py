"""The SARIF 2.1.0 report, for code scanning services such as GitHub's.

Each rule of the report document becomes a reporting descriptor with its
description, fix and `security-severity`. Each finding becomes a result
whose location is relative to the scanned root. Suppressed findings carry a
SARIF suppression, and files that were not scanned are tool execution
notifications.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
    "sarif-schema-2.1.0.json"
)
# GitHub's bands: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium,
# 0.1 to 3.9 low. An info rule gets no score.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "2.0"}
_LEVELS = {"critical": "error", "high": "error", "medium": "warning"}
# Locations of a home scan are relative to the home, all others to the repository.
_URI_BASES = {"machine": "HOME"}
_DEFAULT_URI_BASE = "%SRCROOT%"
_SUPPRESSION_KINDS = {"inline": "inSource"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def render_sarif(document: dict[str, Any]) -> str:
    """Render the report document as a SARIF 2.1.0 log with one run."""
    rules = document["rules"]
    rule_index = {rule["id"]: index for index, rule in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "keyaudit",
                "version": document["tool"]["version"],
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": _uri_bases(document["scan"]["targets"]),
        "invocations": [_invocation(document)],
        "columnKind": "unicodeCodePoints",
        "results": _results(document["findings"], rule_index),
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    text = json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    # SARIF files are UTF-8, so the lone surrogates of paths that are not
    # valid UTF-8 become U+FFFD in messages (URIs keep the bytes as %XX).
    return _SURROGATE.sub("\ufffd", text)


def _descriptor(rule: dict[str, Any]) -> dict[str, Any]:
    severity = rule["severity"]
    properties: dict[str, Any] = {
        "tags": ["security", *_cwe_tags(rule["controls"])],
        "controls": rule["controls"],
    }
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    remediation = rule.get("remediation", "")
    return {
        "id": rule["id"],
        "name": rule["check"],
        "shortDescription": {"text": rule["title"]},
        "fullDescription": {"text": rule.get("description") or rule["title"]},
        "help": {"text": remediation, "markdown": f"**Fix:** {remediation}"},
        "defaultConfiguration": {"level": _level(severity)},
        "properties": properties,
    }


def _cwe_tags(controls: dict[str, list[dict[str, Any]]]) -> list[str]:
    # GitHub shows tags of this form as links to the CWE entries.
    return [
        f"external/cwe/{control['id'].lower()}" for control in controls.get("cwe", [])
    ]


def _level(severity: str) -> str:
    return _LEVELS.get(severity, "note")


def _uri_bases(targets: list[dict[str, Any]]) -> dict[str, Any]:
    bases = {}
    for target in targets:
        name = _URI_BASES.get(target["scope"], _DEFAULT_URI_BASE)
        bases[name] = {"uri": Path(target["root"]).as_uri().rstrip("/") + "/"}
    return bases


def _invocation(document: dict[str, Any]) -> dict[str, Any]:
    coverage = document["coverage"]
    notifications = [
        _notification(gap, "warning", "not scanned")
        for gap in coverage["files_skipped"]
    ]
    notifications += [
        _notification(gap, "note", "partly scanned")
        for gap in coverage["files_partly_scanned"]
    ]
    scan = document["scan"]
    return {
        "executionSuccessful": True,
        "exitCode": document["summary"]["exit_code"],
        "startTimeUtc": _utc(scan["started"]),
        "endTimeUtc": _utc(scan["finished"]),
        "toolExecutionNotifications": notifications,
    }


def _notification(gap: dict[str, Any], level: str, what: str) -> dict[str, Any]:
    return {
        "level": level,
        "message": {"text": f"{gap['path']}: {what}: {gap['detail']}"},
        "descriptor": {"id": gap["reason"]},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact(gap["scope"], gap)}}
        ],
    }


def _utc(timestamp: str) -> str:
    return timestamp.replace("+00:00", "Z")


def _results(
    findings: list[dict[str, Any]], rule_index: dict[str, int]
) -> list[dict[str, Any]]:
    results = []
    occurrences: dict[str, int] = {}
    for finding in findings:
        line_hash = _line_hash(finding)
        occurrences[line_hash] = occurrences.get(line_hash, 0) + 1
        fingerprint = f"{line_hash}:{occurrences[line_hash]}"
        results.append(_result(finding, rule_index[finding["rule"]], fingerprint))
    return results


def _line_hash(finding: dict[str, Any]) -> str:
    """Hash rule, path and key fingerprint: stable when lines move, never the key."""
    secret = finding.get("secret", {})
    parts = [finding["rule"], finding["location"]["path"], secret.get("fingerprint")]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()[:32]


def _result(finding: dict[str, Any], index: int, fingerprint: str) -> dict[str, Any]:
    location = finding["location"]
    physical: dict[str, Any] = {
        "artifactLocation": _artifact(location["scope"], location)
    }
    if location.get("line"):
        physical["region"] = {"startLine": location["line"]}
        if location.get("column"):
            physical["region"]["startColumn"] = location["column"]
    result: dict[str, Any] = {
        "ruleId": finding["rule"],
        "ruleIndex": index,
        "level": _level(finding["severity"]),
        "message": {"text": f"{finding['message']}. Fix: {finding['fix']}"},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {"primaryLocationLineHash": fingerprint},
        "properties": _result_properties(finding),
    }
    suppression = finding.get("suppression")
    if suppression:
        result["suppressions"] = [
            {
                "kind": _SUPPRESSION_KINDS.get(suppression["kind"], "external"),
                "status": "accepted",
                "justification": suppression.get("reason", suppression["kind"]),
            }
        ]
    return result


def _artifact(scope: str, place: dict[str, Any]) -> dict[str, Any]:
    # A path that is not valid UTF-8 carries its raw bytes as lone surrogates
    # (os.fsdecode), and the URI gets them back as %XX escapes.
    raw = place["path"].encode("utf-8", "surrogateescape")
    return {
        "uri": quote(raw, safe="/"),
        "uriBaseId": _URI_BASES.get(scope, _DEFAULT_URI_BASE),
    }


def _result_properties(finding: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {"id": finding["id"], "severity": finding["severity"]}
    for name in ("setting", "row_key", "commit"):
        if name in finding["location"]:
            properties[name] = finding["location"][name]
    if "secret" in finding:
        properties["secret"] = finding["secret"]
    if "suppression" in finding:
        properties["suppression"] = finding["suppression"]["kind"]
    return properties
