"""file-permissions: a file holding a key must be private to the user scanned."""

from __future__ import annotations

from auditor.checks import fixes
from auditor.checks.base import CheckContext, ScannedFile, applies, finding
from auditor.model import Finding
from auditor.policy.loader import Rule


class FilePermissionsCheck:
    """Report a file that holds a key (or is a credential store) and is not private.

    "Private" means no permission bit outside the allowed mode (0600 unless the
    policy says otherwise) and owned by the user whose home is scanned.
    """

    def run(
        self, scanned: ScannedFile, rule: Rule, context: CheckContext
    ) -> list[Finding]:
        info = scanned.info
        if info.mode is None or not applies(rule, info):
            return []
        store_roles = context.settings.get(
            "credential_store_roles", ["credential-store"]
        )
        if not scanned.held and info.role not in store_roles:
            return []
        allowed = int(
            rule.parameters.get(
                "allowed_file_mode", context.settings["allowed_file_mode"]
            ),
            8,
        )
        fingerprints = sorted(scanned.held)
        holds = (
            f"holds {len(fingerprints)} key(s)"
            if fingerprints
            else f"is {info.tool}'s credential store"
        )
        evidence = {
            "mode": f"{info.mode:04o}",
            "owner_uid": info.uid,
            "fingerprints": fingerprints,
        }
        path = fixes.quoted(context.root, info)
        findings = []
        extra = info.mode & ~allowed
        if extra:
            message = (
                f"{info.path} {holds} and has mode {info.mode:04o}; "
                f"bits {extra:04o} are outside the allowed {allowed:04o}"
            )
            fix = f"Run `chmod {allowed:o} {path}`."
            if extra & 0o077:
                fix += " Others could read the file, so rotate the key(s) it holds."
            findings.append(finding(rule, info, message, fix, evidence=evidence))
        if context.expected_uid is not None and info.uid != context.expected_uid:
            expected = f"{context.expected_user} (uid {context.expected_uid})"
            message = (
                f"{info.path} {holds} and is owned by uid {info.uid}, not {expected}"
            )
            fix = f"Run `chown {context.expected_user} {path}`."
            findings.append(finding(rule, info, message, fix, evidence=evidence))
        return findings
