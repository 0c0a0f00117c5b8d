"""The baseline file: findings accepted when keyaudit was adopted.

Each entry is keyed on rule, path and key fingerprint, never on line numbers,
commit ids or timestamps, so the file does not change when unrelated lines
move. Entries are sorted, and `update` leaves the file untouched when its
entries did not change, so an unchanged baseline stays byte-identical (also
when a checkout converted it to CRLF line endings). The file contains
fingerprints, never keys.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor import resources
from auditor.errors import UserError
from auditor.model import Finding

BASELINE_FILE_NAME = ".keyaudit-baseline.json"
SCHEMA_VERSION = "1.0"

# Check kinds that find a key again in another scope (the index, the history).
_SAME_KEY_CHECKS = ("staged-key", "history-key")

# (rule, path, fingerprint); the fingerprint is "" for a finding about no key.
EntryKey = tuple[str, str, str]


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline: the file it came from and its entries."""

    path: Path
    entries: frozenset[EntryKey]

    def accepts(self, finding: Finding) -> bool:
        """Accept an entry's exact finding, or the same key found again at its path.

        A baseline records that a key at a path was accepted. A staged change or
        the history that shows the same key at the same path is the same
        decision, so `staged-key` and `history-key` findings match any entry
        with that path and fingerprint.
        """
        rule, path, fingerprint = entry_key(finding)
        if (rule, path, fingerprint) in self.entries:
            return True
        if finding.check not in _SAME_KEY_CHECKS or not fingerprint:
            return False
        return (path, fingerprint) in self._accepted_keys

    @cached_property
    def _accepted_keys(self) -> frozenset[tuple[str, str]]:
        return frozenset((path, fingerprint) for _, path, fingerprint in self.entries)


def entry_key(finding: Finding) -> EntryKey:
    """Return the key a baseline entry matches a finding on."""
    fingerprint = finding.secret.fingerprint if finding.secret else ""
    return (finding.rule, finding.location.path, fingerprint)


def load_baseline(path: Path) -> Baseline:
    """Read and validate a baseline file; raise UserError naming the file if invalid."""
    data = _parse(path, _read(path))
    entries = frozenset(
        (item["rule"], item["path"], item.get("fingerprint", ""))
        for item in data["findings"]
    )
    return Baseline(path=path, entries=entries)


def render_baseline(entries: set[EntryKey] | frozenset[EntryKey]) -> str:
    """Return the baseline file's text: sorted entries, LF line endings."""
    items = []
    for rule, path, fingerprint in sorted(entries, key=lambda e: (e[1], e[0], e[2])):
        item = {"rule": rule, "path": path}
        if fingerprint:
            item["fingerprint"] = fingerprint
        items.append(item)
    document = {"schema_version": SCHEMA_VERSION, "findings": items}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def create_baseline(path: Path, findings: list[Finding]) -> int:
    """Write a new baseline of the findings; return the number of entries."""
    if path.exists() or path.is_symlink():
        raise UserError(
            f"{path}: baseline already exists; run `keyaudit baseline update` to "
            "refresh it, or delete it first."
        )
    entries = _accepted(findings)
    _write(path, render_baseline(entries))
    return len(entries)


@dataclass(frozen=True)
class BaselineChange:
    """The outcome of `update`: entries added and removed, and whether it wrote."""

    added: list[EntryKey]
    removed: list[EntryKey]
    written: bool


def update_baseline(path: Path, findings: list[Finding]) -> BaselineChange:
    """Rewrite a baseline to the current findings, or leave it as it is.

    Entries of findings that are gone are removed and new findings are
    added. The file is written only when its entries changed, and keeps CRLF
    line endings if it had them.
    """
    text = _read(path)
    old = load_baseline(path).entries
    new = _accepted(findings)
    if new == old:
        return BaselineChange([], [], False)
    rendered = render_baseline(new)
    if "\r\n" in text:
        rendered = rendered.replace("\n", "\r\n")
    _write(path, rendered)
    return BaselineChange(sorted(new - old), sorted(old - new), True)


def _accepted(findings: list[Finding]) -> frozenset[EntryKey]:
    # An inline `keyaudit: allow` already accepts its finding where it sits.
    return frozenset(
        entry_key(finding)
        for finding in findings
        if not finding.suppression or finding.suppression["kind"] != "inline"
    )


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(
            f"{path}: baseline file not found; create it with "
            "`keyaudit baseline create`, or check the path."
        ) from None
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: baseline file is not UTF-8 text: {error}") from None
    except OSError as error:
        raise UserError(
            f"{path}: cannot read the baseline file: {error.strerror}"
        ) from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    from jsonschema import Draft202012Validator

    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path}:{error.lineno}: invalid baseline: {error.msg}; fix the JSON or "
            "recreate the file with `keyaudit baseline create`."
        ) from None
    schema = resources.json_resource("auditor.policies", "baseline.schema.json")
    errors = sorted(
        Draft202012Validator(schema).iter_errors(data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        problems = "; ".join(
            f"at {'/'.join(map(str, e.absolute_path)) or 'the top level'}: {e.message}"
            for e in errors[:5]
        )
        raise UserError(
            f"{path}: invalid baseline: {problems}. Fix it or recreate it with "
            "`keyaudit baseline create`."
        )
    result: dict[str, Any] = data
    return result


def _write(path: Path, text: str) -> None:
    """Write through a temporary file and a rename, so a failure keeps the old file."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        temporary.write_bytes(text.encode("utf-8"))
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise UserError(
            f"{path}: cannot write the baseline file: {error.strerror}"
        ) from None
