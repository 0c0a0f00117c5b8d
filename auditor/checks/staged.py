"""staged-key: a key in a change that is staged for the next commit."""

from __future__ import annotations

import shlex
from dataclasses import replace

from auditor.checks import fixes
from auditor.checks.base import (
    CheckContext,
    Hit,
    ScannedFile,
    applies,
    hit_finding,
    wants_provider,
)
from auditor.model import Finding
from auditor.policy.loader import Rule
from auditor.sources import FileInfo


class StagedKeyCheck:
    """Report each key that a staged blob adds to its path.

    With `new_keys_only` (the default), a key that the committed version of
    the path (HEAD, or the source of a rename) already held is not reported:
    the commit does not add it, and the working-tree and history scans report
    it. With `new_keys_only: false`, every key in a staged blob is reported.
    """

    def run(
        self, scanned: ScannedFile, rule: Rule, context: CheckContext
    ) -> list[Finding]:
        info = scanned.info
        if info.scope != "staged" or not applies(rule, info):
            return []
        committed: frozenset[str] = getattr(info, "committed_fingerprints", frozenset())
        if not rule.parameters.get("new_keys_only", True):
            committed = frozenset()
        findings = []
        for hit in scanned.hits:
            secret = hit.occurrence.secret
            if not wants_provider(rule, secret.provider):
                continue
            if secret.fingerprint in committed:
                continue
            findings.append(_finding(rule, info, hit))
        return findings


def _finding(rule: Rule, info: FileInfo, hit: Hit) -> Finding:
    occurrence = hit.occurrence
    name = f"{occurrence.pattern.provider} {occurrence.pattern.kind}"
    status = getattr(info, "status", "staged")
    message = f"{name} in the staged change to {info.path} ({status} file)"
    where = info.path if hit.part.binary else f"line {occurrence.line} of {info.path}"
    fix = (
        f"Remove the key from {where} and read it from the environment variable "
        f"{fixes.variable_name(occurrence)} or a secret manager instead, then run "
        f"`git add {shlex.quote(info.path)}` so that the index no longer holds it. "
        "The key has not been committed yet, so it needs rotating only if it was "
        "also shared some other way."
    )
    evidence = {"status": status, "blob": getattr(info, "blob", "")}
    previous = getattr(info, "previous_path", None)
    if previous:
        evidence["renamed_from"] = previous
    return replace(hit_finding(rule, info, hit, message, fix), evidence=evidence)
