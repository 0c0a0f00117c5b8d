"""file-permissions: a file that contains a key must be private to the user scanned."""

from __future__ import annotations

from typing import Any

from auditor.checks import fixes
from auditor.checks.base import CheckContext, ScannedFile, applies, finding
from auditor.model import Finding
from auditor.policy.loader import Rule


class FilePermissionsCheck:
    """Report a file that contains a key (or is a credential store) and is not private.

    "Private" means no permission bit outside the allowed mode (0600 unless the
    policy sets another) and owned by the user whose home is scanned.
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

        fingerprints = sorted(scanned.held)
        contents = (
            f"contains {len(fingerprints)} key(s)"
            if fingerprints
            else f"is {info.tool}'s credential store"
        )
        evidence = {
            "mode": f"{info.mode:04o}",
            "owner_uid": info.uid,
            "fingerprints": fingerprints,
        }
        mode_finding = _mode_finding(rule, scanned, context, contents, evidence)
        owner_finding = _owner_finding(rule, scanned, context, contents, evidence)
        return [f for f in (mode_finding, owner_finding) if f is not None]


def _mode_finding(
    rule: Rule,
    scanned: ScannedFile,
    context: CheckContext,
    contents: str,
    evidence: dict[str, Any],
) -> Finding | None:
    info = scanned.info
    assert info.mode is not None
    allowed_text = rule.parameters.get(
        "allowed_file_mode", context.settings["allowed_file_mode"]
    )
    allowed = int(allowed_text, 8)
    extra = info.mode & ~allowed
    if not extra:
        return None

    message = (
        f"{info.path} {contents} and has mode {info.mode:04o}; "
        f"bits {extra:04o} are outside the allowed {allowed:04o}"
    )
    fix = f"Run `chmod {allowed:o} {fixes.quoted(context.root, info)}`."
    if extra & 0o077:
        fix += " Others could read the file, so rotate the key(s) in it."
    return finding(rule, info, message, fix, evidence=evidence)


def _owner_finding(
    rule: Rule,
    scanned: ScannedFile,
    context: CheckContext,
    contents: str,
    evidence: dict[str, Any],
) -> Finding | None:
    info = scanned.info
    if context.expected_uid is None or info.uid == context.expected_uid:
        return None

    expected = f"{context.expected_user} (uid {context.expected_uid})"
    message = f"{info.path} {contents} and is owned by uid {info.uid}, not {expected}"
    fix = f"Run `chown {context.expected_user} {fixes.quoted(context.root, info)}`."
    return finding(rule, info, message, fix, evidence=evidence)
