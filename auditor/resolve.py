"""Resolution: mark findings that an inline comment or the baseline accepts.

A suppressed finding stays in the report with its `suppression`, so it is
counted and shown. The report document leaves it out of the exit code.
"""

from __future__ import annotations

import re
from dataclasses import replace

from auditor.checks.base import ScannedFile
from auditor.formats import Document
from auditor.model import Finding
from auditor.policy.baseline import Baseline

ALLOW_MARKER = "keyaudit: allow"
# The text after the marker, up to a closing comment token, is the reason.
_ALLOW = re.compile(r"keyaudit:\s?allow\b[\s:\-]*(?P<reason>.*?)\s*(?:\*/|-->)?\s*$")
_MAX_REASON = 200


def suppress(
    findings: list[Finding], scanned: ScannedFile, baseline: Baseline | None
) -> list[Finding]:
    """Mark each finding that an inline allow on its line, or the baseline, accepts.

    The inline comment wins when both apply, because it is the more specific.
    """
    document = _line_document(scanned)
    result = []
    for finding in findings:
        reason = _inline_reason(document, finding)
        if reason is not None:
            suppression = {"kind": "inline", "reason": reason}
            finding = replace(finding, suppression=suppression)
        elif baseline is not None and baseline.accepts(finding):
            reason = f"accepted in the baseline {baseline.path}"
            finding = replace(
                finding, suppression={"kind": "baseline", "reason": reason}
            )
        result.append(finding)
    return result


def _line_document(scanned: ScannedFile) -> Document | None:
    """Return the document whose line numbers the file's findings use."""
    for part, document in scanned.documents:
        if part.row_key is None and not part.binary:
            return document
    return None


def _inline_reason(document: Document | None, finding: Finding) -> str | None:
    line = finding.location.line
    if document is None or line is None or line > len(document.line_starts):
        return None
    match = _ALLOW.search(document.line_text(line))
    if match is None:
        return None
    reason = match.group("reason")
    if not reason or _contains_key(reason):
        return f"`{ALLOW_MARKER}` comment on line {line}"
    return reason[:_MAX_REASON]


def _contains_key(text: str) -> bool:
    """Return True when a reason contains a key, which a report must never show."""
    from auditor.detect.scanner import find_keys, has_candidates

    return has_candidates(text) and bool(find_keys(Document.from_text(text)))
