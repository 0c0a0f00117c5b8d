"""Run a policy's rules over the files the sources load, and collect the result."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from auditor.checks import CHECKS
from auditor.checks.base import CheckContext, Hit, ScannedFile, applies
from auditor.detect.scanner import find_keys, has_candidates
from auditor.formats import parse
from auditor.model import CoverageGap, Finding, Target, severity_rank
from auditor.policy.baseline import Baseline
from auditor.policy.loader import Policy, Rule
from auditor.resolve import suppress
from auditor.sources import LoadedFile, SourceResult
from auditor.sources.reading import display_path

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuleResult:
    """A rule's status (pass, fail, error or not_applicable) and finding count."""

    rule: Rule
    status: str
    findings: int
    reason: str = ""


@dataclass
class ScanResult:
    """Everything a report shows; reports compute nothing beyond it."""

    policy: Policy
    targets: list[Target]
    started: datetime
    finished: datetime | None = None
    findings: list[Finding] = field(default_factory=list)
    rule_results: list[RuleResult] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    files_scanned: int = 0
    locations_checked: int = 0
    # For history scans: commits and blobs read, and whether history is complete.
    history: dict[str, Any] | None = None


@dataclass(frozen=True)
class ScanRequest:
    """The targets of a scan: a home (machine scope), a working tree, or both.

    With `staged`, the repository's index is scanned instead of its working tree;
    with `history`, the repository's commits are.
    """

    policy: Policy
    home: Path | None = None
    repo: Path | None = None
    staged: bool = False
    baseline: Baseline | None = None
    history: bool = False


def run_scan(request: ScanRequest) -> ScanResult:
    """Load every target, detect keys, run each enabled rule, and return the result."""
    result = ScanResult(policy=request.policy, targets=[], started=_now())
    scanned: list[tuple[ScannedFile, CheckContext]] = []
    logger.info("policy %s (sha256 %s)", request.policy.name, request.policy.sha256)
    for target, source, context in _sources(request):
        result.targets.append(target)
        result.gaps.extend(source.gaps)
        result.locations_checked += source.locations_checked
        files = detect(source.files)
        result.files_scanned += len(files)
        scanned.extend((file, context) for file in files)
        _log_target(target, files, source)
    if request.history and request.repo is not None:
        scanned.extend(_history(request.repo, result))
    for rule in request.policy.rules:
        rule_result = _run_rule(rule, scanned, result, request.baseline)
        logger.info(
            "rule %s: %s (%d finding(s))",
            rule.id,
            rule_result.status,
            rule_result.findings,
        )
        result.rule_results.append(rule_result)
    result.findings.sort(key=_finding_order)
    result.finished = _now()
    return result


def _log_target(target: Target, files: list[ScannedFile], source: SourceResult) -> None:
    with_keys = sum(1 for file in files if file.hits)
    logger.info(
        "%s %s: %d file(s) scanned, %d holding keys, %d not scanned or partly",
        target.scope,
        target.root,
        len(files),
        with_keys,
        len(source.gaps),
    )
    for file in files:
        logger.debug(
            "scanned %s (%d key occurrence(s))", file.info.path, len(file.hits)
        )
    for gap in source.gaps:
        logger.debug("coverage gap %s: %s", gap.path, gap.detail)


def _sources(request: ScanRequest) -> list[tuple[Target, SourceResult, CheckContext]]:
    settings = request.policy.settings
    loaded = []
    if request.home is not None:
        from auditor.sources.machine import scan_home

        home = request.home.resolve()
        source = scan_home(home, request.policy.locations, settings)
        uid = os.stat(home).st_uid
        context = CheckContext(home, uid, _user_name(uid), settings)
        loaded.append((Target("machine", display_path(home)), source, context))
    if request.repo is not None and request.staged:
        from auditor.sources.staged import scan_staged

        root, source = scan_staged(request.repo, settings)
        context = CheckContext(root, None, "", settings)
        loaded.append((Target("staged", display_path(root)), source, context))
    if request.repo is not None and not (request.staged or request.history):
        from auditor.sources.tree import scan_tree

        source = scan_tree(request.repo, settings)
        root = request.repo.resolve()
        context = CheckContext(root, None, "", settings)
        loaded.append((Target("tree", display_path(root)), source, context))
    return loaded


def _history(repo: Path, result: ScanResult) -> list[tuple[ScannedFile, CheckContext]]:
    from auditor.history import scan_history

    root = repo.resolve()
    history = scan_history(root, result.policy.settings)
    result.targets.append(Target("history", display_path(root)))
    result.history = history.coverage
    result.gaps.extend(history.gaps)
    context = CheckContext(root, None, "", result.policy.settings, history.at_head)
    return [(file, context) for file in history.files]


def detect(files: list[LoadedFile]) -> list[ScannedFile]:
    """Parse each part that may hold a key, and find the keys in it."""
    scanned = [_detect_file(file) for file in files]
    _drop_companion_repeats(scanned)
    return scanned


def _detect_file(file: LoadedFile) -> ScannedFile:
    scanned = ScannedFile(info=file.info)
    for part in file.parts:
        if not has_candidates(part.text):
            continue
        document = parse(part.text, part.format)
        scanned.documents.append((part, document))
        scanned.hits.extend(Hit(occurrence, part) for occurrence in find_keys(document))
    return scanned


def _drop_companion_repeats(files: list[ScannedFile]) -> None:
    """Report a key from a database's raw bytes or `-wal` only if no row showed it."""
    in_rows: dict[str, set[str]] = {}
    for file in files:
        group = file.info.companion_of or file.info.path
        for hit in file.hits:
            if hit.part.row_key is not None:
                in_rows.setdefault(group, set()).add(hit.occurrence.secret.fingerprint)
    for file in files:
        file.held = {hit.occurrence.secret.fingerprint for hit in file.hits}
        group = file.info.companion_of or file.info.path
        known = in_rows.get(group, set())
        kept: list[Hit] = []
        seen: set[str] = set()
        for hit in file.hits:
            fingerprint = hit.occurrence.secret.fingerprint
            raw = hit.part.binary and hit.part.row_key is None
            if raw and file.info.format == "sqlite" or file.info.companion_of:
                if fingerprint in known or fingerprint in seen:
                    continue
                seen.add(fingerprint)
            kept.append(hit)
        file.hits = kept


def _run_rule(
    rule: Rule,
    scanned: list[tuple[ScannedFile, CheckContext]],
    result: ScanResult,
    baseline: Baseline | None,
) -> RuleResult:
    if not rule.enabled:
        return RuleResult(rule, "not_applicable", 0, "disabled by the policy")
    if not any(rule.applies_to_scope(target.scope) for target in result.targets):
        return RuleResult(
            rule, "not_applicable", 0, "no target of a scope this rule applies to"
        )

    check = CHECKS[rule.check]
    findings: list[Finding] = []
    applicable = False
    for file, context in scanned:
        applicable = applicable or applies(rule, file.info)
        try:
            found = check.run(file, rule, context)
        except Exception as error:  # a check's bug must not hide other rules' results
            logger.exception("rule %s failed on %s", rule.id, file.info.path)
            return RuleResult(
                rule, "error", 0, f"{type(error).__name__} on {file.info.path}"
            )
        findings.extend(suppress(found, file, baseline))
    result.findings.extend(findings)

    active = sum(finding.suppression is None for finding in findings)
    if active:
        return RuleResult(rule, "fail", active)
    if findings:
        reason = f"{len(findings)} finding(s) suppressed (inline allow or baseline)"
        return RuleResult(rule, "pass", 0, reason)
    judged_history = result.history is not None and rule.applies_to_scope("history")
    if not applicable and not judged_history:
        return RuleResult(
            rule, "not_applicable", 0, "no scanned file is of a kind this rule judges"
        )
    return RuleResult(rule, "pass", 0)


def _finding_order(finding: Finding) -> tuple[int, str, int, str]:
    location = finding.location
    return (
        -severity_rank(finding.severity),
        location.path,
        location.line or 0,
        finding.rule,
    )


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)
