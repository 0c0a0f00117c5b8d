"""The JUnit XML report, for CI systems that show test results.

Each target is a test suite, and each rule is a test case in it. A rule
fails when it has unsuppressed findings at or above the --fail-on severity;
its findings, with redacted keys only, are the failure's text. Findings below
that severity and suppressed findings go to the test case's system-out. A
`coverage` test case lists the files that were not scanned, and fails with
--strict.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

from auditor.model import severity_rank
from auditor.report.text import place

# Characters XML 1.0 cannot hold, even escaped.
# Lone surrogates come from file names that are not valid UTF-8.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_junit(document: dict[str, Any]) -> str:
    """Render the report document as JUnit XML: one suite per target."""
    suites = ElementTree.Element("testsuites", name="keyaudit")
    for target in document["scan"]["targets"]:
        suites.append(_suite(document, target))
    _total(suites, [suite for suite in suites])
    ElementTree.indent(suites)
    text = ElementTree.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def _suite(document: dict[str, Any], target: dict[str, Any]) -> ElementTree.Element:
    scope = target["scope"]
    suite = ElementTree.Element(
        "testsuite", name=_clean(f"keyaudit {scope} {target['root']}")
    )
    findings = [f for f in document["findings"] if f["location"]["scope"] == scope]
    fail_on = document["summary"]["fail_on"]
    # NOTE: the document records one status per rule, not per scope, so a
    # rule that judges only some scopes still passes in the other suites.
    for rule in document["rules"]:
        mine = [f for f in findings if f["rule"] == rule["id"]]
        suite.append(_rule_case(rule, mine, scope, fail_on))
    suite.append(_coverage_case(document, scope))
    _total(suite, list(suite))
    return suite


def _rule_case(
    rule: dict[str, Any], findings: list[dict[str, Any]], scope: str, fail_on: str
) -> ElementTree.Element:
    case = ElementTree.Element(
        "testcase",
        classname=f"keyaudit.{scope}",
        name=_clean(f"{rule['id']}: {rule['title']}"),
    )
    active = [f for f in findings if "suppression" not in f]
    failing = severity_rank(rule["severity"]) >= severity_rank(fail_on)
    if active and failing:
        failure = ElementTree.SubElement(
            case,
            "failure",
            message=f"{len(active)} finding(s) of severity {rule['severity']}",
            type=rule["severity"],
        )
        failure.text = _clean("\n".join(_finding_text(f) for f in active))
    elif rule["status"] == "error":
        ElementTree.SubElement(
            case, "error", message=_clean(rule.get("reason", "the check failed"))
        )
    elif rule["status"] == "not_applicable" and not findings:
        ElementTree.SubElement(
            case, "skipped", message=_clean(rule.get("reason", "not applicable"))
        )
    suppressed = [f for f in findings if "suppression" in f]
    quiet = suppressed if failing else findings
    if quiet:
        output = ElementTree.SubElement(case, "system-out")
        output.text = _clean("\n".join(_finding_text(f) for f in quiet))
    return case


def _finding_text(finding: dict[str, Any]) -> str:
    lines = [f"{place(finding['location'])}: {finding['message']}"]
    secret = finding.get("secret")
    if secret:
        lines.append(f"  key: {secret['redacted']} {secret['fingerprint']}")
    suppression = finding.get("suppression")
    if suppression:
        reason = suppression.get("reason", "")
        lines.append(f"  suppressed ({suppression['kind']}): {reason}")
    else:
        lines.append(f"  fix: {finding['fix']}")
    return "\n".join(lines)


def _coverage_case(document: dict[str, Any], scope: str) -> ElementTree.Element:
    coverage = document["coverage"]
    case = ElementTree.Element(
        "testcase", classname=f"keyaudit.{scope}", name="coverage: every file scanned"
    )
    skipped = [g for g in coverage["files_skipped"] if g["scope"] == scope]
    partly = [g for g in coverage["files_partly_scanned"] if g["scope"] == scope]
    lines = [f"not scanned: {g['path']}: {g['detail']}" for g in skipped]
    lines += [f"partly scanned: {g['path']}: {g['detail']}" for g in partly]
    if skipped and document["summary"]["strict"]:
        failure = ElementTree.SubElement(
            case, "failure", message=f"{len(skipped)} file(s) not scanned"
        )
        failure.text = _clean("\n".join(lines))
    elif lines:
        output = ElementTree.SubElement(case, "system-out")
        output.text = _clean("\n".join(lines))
    return case


def _total(element: ElementTree.Element, children: list[ElementTree.Element]) -> None:
    """Set the tests, failures, errors and skipped counts from the children."""
    if element.tag == "testsuites":
        counts = {
            name: sum(int(child.get(name, "0")) for child in children)
            for name in ("tests", "failures", "errors", "skipped")
        }
    else:
        counts = {
            "tests": len(children),
            "failures": sum(c.find("failure") is not None for c in children),
            "errors": sum(c.find("error") is not None for c in children),
            "skipped": sum(c.find("skipped") is not None for c in children),
        }
    for name, count in counts.items():
        element.set(name, str(count))


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)
