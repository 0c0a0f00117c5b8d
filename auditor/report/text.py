"""The text report: findings grouped by severity, each with its place and fix."""

from __future__ import annotations

import re
from typing import Any

from auditor.model import SEVERITIES

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_FRAMEWORK_NAMES = {
    "hipaa": "HIPAA",
    "soc2": "SOC 2",
    "pci-dss": "PCI DSS 4.0.1",
    "nist-800-53": "NIST 800-53 r5",
    "iso-27001": "ISO 27001:2022",
    "cis": "CIS v8.1",
    "owasp-asvs": "OWASP ASVS 5.0",
    "cwe": "CWE",
}


def framework_name(key: str) -> str:
    return _FRAMEWORK_NAMES.get(key, key)


def place(location: dict[str, Any]) -> str:
    """Render a location as `path:line`, with the database row key if any."""
    text = location["path"]
    if location.get("line"):
        text += f":{location['line']}"
    if location.get("row_key"):
        text += f" [row {location['row_key']}]"
    return text


def controls_line(controls: dict[str, list[dict[str, Any]]]) -> str:
    """List each framework's primary controls; the JSON and HTML reports list all."""
    parts = []
    for framework, items in controls.items():
        primary = [c for c in items if c.get("primary")] or items[:1]
        ids = [c["id"] + (" (analogy)" if c.get("analogy") else "") for c in primary]
        parts.append(f"{framework_name(framework)} {', '.join(ids)}")
    return "; ".join(parts)


def render_text(document: dict[str, Any]) -> str:
    lines = [_header(document)]
    # With a home and a tree in one report, the same relative path can be in both.
    several_targets = len(document["scan"]["targets"]) > 1
    active = [f for f in document["findings"] if "suppression" not in f]
    for severity in SEVERITIES:
        group = [f for f in active if f["severity"] == severity]
        if not group:
            continue
        lines.extend(["", f"{severity.upper()} ({len(group)})"])
        for finding in group:
            lines.extend(_finding_lines(finding, several_targets))
    lines.extend(_suppressed_lines(document["findings"]))
    lines.extend(_coverage_lines(document["coverage"]))
    lines.extend(["", _footer(document)])
    return "\n".join(_escape_controls(line) for line in lines) + "\n"


def _escape_controls(text: str) -> str:
    """Show control characters as `\\xNN`.

    File names, row keys and setting names come from the scanned files, and
    whoever wrote them could otherwise forge report lines with a newline or
    send escape sequences to the terminal.
    """
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _header(document: dict[str, Any]) -> str:
    scan = document["scan"]
    targets = ", ".join(f"{t['scope']} {t['root']}" for t in scan["targets"])
    version = document["tool"]["version"]
    return f"keyaudit {version}: {targets} (policy {scan['policy']['name']})"


def _finding_lines(finding: dict[str, Any], show_scope: bool) -> list[str]:
    location = finding["location"]
    where = f"{location['scope']}:{place(location)}" if show_scope else place(location)
    lines = [f"  {where}: {finding['message']} [{finding['rule']}]"]
    secret = finding.get("secret")
    if secret:
        lines.append(f"      key: {secret['redacted']}  {secret['fingerprint']}")
    lines.append(f"      fix: {finding['fix']}")
    if finding["controls"]:
        lines.append(f"      controls: {controls_line(finding['controls'])}")
    return lines


def _suppressed_lines(findings: list[dict[str, Any]]) -> list[str]:
    suppressed = [f for f in findings if "suppression" in f]
    if not suppressed:
        return []
    lines = ["", f"SUPPRESSED ({len(suppressed)})"]
    for finding in suppressed:
        suppression = finding["suppression"]
        lines.append(
            f"  {place(finding['location'])}: {finding['message']} "
            f"[{finding['rule']}, {finding['severity']}]"
        )
        reason = suppression.get("reason", "no reason given")
        lines.append(f"      {suppression['kind']}: {reason}")
    return lines


def _coverage_lines(coverage: dict[str, Any]) -> list[str]:
    lines = []
    skipped = coverage["files_skipped"]
    partly = coverage["files_partly_scanned"]
    if skipped:
        lines.extend(["", f"NOT SCANNED ({len(skipped)})"])
        lines.extend(f"  {gap['path']}: {gap['detail']}" for gap in skipped)
    if partly:
        lines.extend(["", f"PARTLY SCANNED ({len(partly)})"])
        lines.extend(f"  {gap['path']}: {gap['detail']}" for gap in partly)
    history = coverage.get("history")
    if history:
        state = "complete" if history["complete"] else "INCOMPLETE"
        lines.extend(
            [
                "",
                f"HISTORY: {history['commits_read']} commit(s), "
                f"{history['blobs_read']} blob(s) read; {state}",
            ]
        )
        lines.extend(f"  {reason}" for reason in history["incomplete_reasons"])
    return lines


def _footer(document: dict[str, Any]) -> str:
    summary = document["summary"]
    counts = ", ".join(f"{n} {s}" for s, n in summary["by_severity"].items() if n)
    if summary.get("suppressed_findings"):
        counts += f"{', ' if counts else ''}{summary['suppressed_findings']} suppressed"
    coverage = document["coverage"]
    rules = document["rules"]
    failed = sum(r["status"] == "fail" for r in rules)
    return (
        f"{summary['findings']} finding(s){': ' + counts if counts else ''}. "
        f"{coverage['files_scanned']} file(s) scanned, "
        f"{len(coverage['files_skipped'])} not scanned. "
        f"{failed} of {len(rules)} rule(s) failed. Result: {summary['result']} "
        f"({_result_reason(summary)})."
    )


def _result_reason(summary: dict[str, Any]) -> str:
    reasons = [f"--fail-on {summary['fail_on']}"]
    if summary["strict"] and summary["coverage_gaps"]:
        reasons.append(f"--strict: {summary['coverage_gaps']} file(s) not scanned")
    if summary["result"] == "error":
        reasons.append("a rule's check raised an error")
    return "; ".join(reasons)
