"""Check kinds: each judges scanned files against one kind of rule.

The registry below is the one list of check kinds. A policy's `check:` field
names one of them, and the policy schema's `check` enum must list the same.
"""

from __future__ import annotations

from auditor.checks.backup import UnencryptedBackupCheck
from auditor.checks.base import Check
from auditor.checks.history import HistoryKeyCheck
from auditor.checks.malformed import MalformedKeyCheck
from auditor.checks.permissions import FilePermissionsCheck
from auditor.checks.plaintext import PlaintextKeyCheck
from auditor.checks.staged import StagedKeyCheck

CHECKS: dict[str, Check] = {
    "plaintext-key": PlaintextKeyCheck(),
    "file-permissions": FilePermissionsCheck(),
    "unencrypted-backup": UnencryptedBackupCheck(),
    "malformed-key": MalformedKeyCheck(),
    "history-key": HistoryKeyCheck(),
    "staged-key": StagedKeyCheck(),
}
