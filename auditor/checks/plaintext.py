"""plaintext-key: a literal key where a reference belongs."""

from __future__ import annotations

from auditor.checks import fixes
from auditor.checks.base import (
    CheckContext,
    ScannedFile,
    applies,
    hit_finding,
    wants_provider,
)
from auditor.model import Finding
from auditor.policy.loader import Rule

_ROLE_WORDS = {
    "settings": "settings file",
    "profile": "shell profile",
    "history": "shell history",
    "dotenv": "dotenv file",
    "database": "state database",
    "source": "file",
}


class PlaintextKeyCheck:
    """Report each literal key in a file whose role should hold references only."""

    def run(
        self, scanned: ScannedFile, rule: Rule, context: CheckContext
    ) -> list[Finding]:
        info = scanned.info
        if not applies(rule, info):
            return []
        findings = []
        for hit in scanned.hits:
            occurrence = hit.occurrence
            if not wants_provider(rule, occurrence.pattern.provider):
                continue
            place = _ROLE_WORDS.get(info.role, "file")
            name = f"{occurrence.pattern.provider} {occurrence.pattern.kind}"
            where = f" in row {hit.part.row_key}" if hit.part.row_key else ""
            message = f"{name} in plaintext in {place} {info.path}{where}"
            fix = fixes.replace_literal(context.root, info, occurrence)
            findings.append(hit_finding(rule, info, hit, message, fix))
        return findings
