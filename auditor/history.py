"""Find the keys in a repository's history, each at the commit that introduced it.

The prefilter runs on each file's whole diff first, then on its added lines.
Most of the history therefore passes through compiled substring search only,
and the detectors parse just the added lines that contain a provider prefix or
context word. A key is reported once per path: at the first commit, in
topological order, that added it at that path.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.checks.base import Hit, ScannedFile
from auditor.detect.scanner import find_keys, has_candidates_utf8
from auditor.formats import parse
from auditor.model import CoverageGap, Fingerprint
from auditor.sources import FileInfo, Part
from auditor.sources import history as git_history
from auditor.sources.tree import classify

logger = logging.getLogger(__name__)

TOOL = "git history"


@dataclass
class _Introduction:
    """A key's first appearance at one path; `key` stays in memory only."""

    path: bytes
    key: str
    fingerprint: Fingerprint


@dataclass
class HistoryScan:
    """The files with keys, the keys still at HEAD, and what was read."""

    files: list[ScannedFile] = field(default_factory=list)
    at_head: frozenset[tuple[str, str]] = frozenset()
    coverage: dict[str, Any] = field(default_factory=dict)
    gaps: list[CoverageGap] = field(default_factory=list)


def scan_history(root: Path, settings: dict[str, Any]) -> HistoryScan:
    """Read every reachable commit's added lines and find the keys they added.

    A file's diff contains its old and new lines, so a diff may be up to twice
    the `max_file_size` setting before it is skipped as too large.
    """
    git_history.check_repository(root)
    stats = git_history.HistoryStats(incomplete=git_history.incomplete_reasons(root))
    tips = git_history.stash_entries(root)
    partial = git_history.is_partial_clone(root)
    max_diff_size = 2 * int(settings["max_file_size"])
    log = git_history.HistoryLog(root, stats, partial, max_diff_size)
    result = HistoryScan()
    seen: dict[tuple[bytes, Fingerprint], _Introduction] = {}
    for commit, diff in log.file_diffs(tips):
        if not has_candidates_utf8(diff):
            continue
        for change in git_history.added_lines(commit, diff):
            scanned = _detect_change(change, seen)
            if scanned is not None:
                result.files.append(scanned)
    log.close()
    logger.info("history: %d commits, %d blobs read", stats.commits, stats.blobs)
    result.at_head = _keys_at_head(root, list(seen.values()))
    result.coverage = stats.as_dict()
    result.gaps = [_gap(reason) for reason in stats.incomplete]
    result.gaps.extend(_too_large(stats, max_diff_size))
    return result


def _detect_change(
    change: git_history.FileChange,
    seen: dict[tuple[bytes, Fingerprint], _Introduction],
) -> ScannedFile | None:
    # A carriage return inside a line would count as a line break in the
    # Document and shift every later line number, so it becomes a space.
    lines = (line.rstrip(b"\r").replace(b"\r", b" ") for _, line in change.lines)
    data = b"\n".join(lines)
    if not has_candidates_utf8(data):
        return None
    text = data.decode("utf-8", "replace")
    name = change.path.rsplit(b"/", 1)[-1].decode("utf-8", "replace")
    role, fmt = classify(name)

    part = Part(text="", format=fmt)
    hits = []
    for occurrence in find_keys(parse(text, fmt)):
        fingerprint = occurrence.secret.fingerprint
        if (change.path, fingerprint) in seen:
            continue
        seen[(change.path, fingerprint)] = _Introduction(
            change.path, occurrence.key, fingerprint
        )
        line = change.lines[occurrence.line - 1][0]
        hits.append(Hit(dataclasses.replace(occurrence, line=line), part))
    if not hits:
        return None

    info = FileInfo(
        scope="history",
        path=git_history.display_path(change.path),
        role=role,
        format=fmt,
        tool=TOOL,
        commit=change.commit.as_dict(),
    )
    return ScannedFile(info=info, hits=hits)


def _keys_at_head(
    root: Path, introductions: list[_Introduction]
) -> frozenset[tuple[str, str]]:
    """Return (path, fingerprint) for each key still in its file at HEAD."""
    paths = sorted({item.path for item in introductions})
    contents = git_history.files_at_head(root, paths)
    present = set()
    for item in introductions:
        content = contents.get(item.path)
        if content is not None and item.key.encode("utf-8") in content:
            present.add((git_history.display_path(item.path), item.fingerprint))
    return frozenset(present)


def _too_large(
    stats: git_history.HistoryStats, max_diff_size: int
) -> list[CoverageGap]:
    return [
        CoverageGap(
            path=git_history.display_path(path),
            reason="too-large",
            detail=(
                f"diff in commit {commit.sha[:12]} is over {max_diff_size} bytes "
                "(twice max_file_size), so it was not scanned"
            ),
            scope="history",
            scanned=False,
        )
        for commit, path in stats.too_large
    ]


def _gap(reason: str) -> CoverageGap:
    kind, _, detail = reason.partition(": ")
    return CoverageGap(
        path=".",
        reason=kind.replace(" ", "-"),
        detail=detail,
        scope="history",
        scanned=False,
    )
