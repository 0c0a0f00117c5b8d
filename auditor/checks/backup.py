"""unencrypted-backup: a key backup file kept in plaintext."""

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

_BACKUP_ROLES = ("backup", "encrypted-backup")


class UnencryptedBackupCheck:
    """Report each key readable in a backup file.

    A `.gpg`, `.asc` or `.age` file is the compliant form. One whose content
    still shows a key (a clear-signed `.asc`, say) is reported all the same.
    """

    def run(
        self, scanned: ScannedFile, rule: Rule, context: CheckContext
    ) -> list[Finding]:
        info = scanned.info
        if info.role not in _BACKUP_ROLES or not applies(rule, info):
            return []
        findings = []
        path = fixes.quoted(context.root, info)
        for hit in scanned.hits:
            provider = hit.occurrence.pattern.provider
            if not wants_provider(rule, provider):
                continue
            name = f"{provider} {hit.occurrence.pattern.kind}"
            if info.role == "encrypted-backup":
                message = f"{name} readable in {info.path}, named as encrypted but not"
            else:
                message = f"{name} in unencrypted key backup {info.path}"
            encrypt = f"gpg --symmetric --output {path}.gpg {path} && shred -u {path}"
            fix = f"Encrypt it and remove the plaintext: `{encrypt}`. "
            fix += fixes.rotate(provider)
            findings.append(hit_finding(rule, info, hit, message, fix))
        return findings
