"""history-key: a key that a commit added to the repository's history."""

from __future__ import annotations

import dataclasses

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


class HistoryKeyCheck:
    """Report each key in history at the commit that first added it to a path.

    Every clone and fork has the key, so the fix is to revoke it. Rewriting
    history only stops the key from spreading further.
    """

    def run(
        self, scanned: ScannedFile, rule: Rule, context: CheckContext
    ) -> list[Finding]:
        info = scanned.info
        if info.scope != "history" or not applies(rule, info):
            return []
        commit = info.commit or {}
        short = str(commit.get("sha", ""))[:12]
        findings = []
        for hit in scanned.hits:
            occurrence = hit.occurrence
            provider = occurrence.pattern.provider
            if not wants_provider(rule, provider):
                continue
            secret = occurrence.secret
            at_head = (info.path, secret.fingerprint) in context.history_at_head
            state = "still at HEAD" if at_head else "no longer at HEAD"
            message = (
                f"{provider} {occurrence.pattern.kind} added to {info.path} "
                f"in commit {short} ({commit.get('date', 'date unknown')}); {state}"
            )
            finding = hit_finding(rule, info, hit, message, _fix(provider, at_head))
            evidence = {"present_at_head": at_head}
            findings.append(dataclasses.replace(finding, evidence=evidence))
        return findings


def _fix(provider: str, at_head: bool) -> str:
    steps = [
        "Treat the key as exposed: every clone and fork of the repository has it.",
        fixes.rotate(provider),
    ]
    if at_head:
        steps.append("Replace the key in the file with a reference to a secret store.")
    steps.append(
        "Then, optionally, remove it from history (for example with "
        "`git filter-repo --replace-text`) and force-push; rewriting history "
        "alone does not make the key safe."
    )
    return " ".join(steps)
