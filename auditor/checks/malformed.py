"""malformed-key: a key setting's value that is nearly, but not exactly, a key."""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.checks.base import CheckContext, ScannedFile, applies, finding
from auditor.detect import identity, providers, values
from auditor.detect.providers import KeyPattern
from auditor.detect.scanner import is_key_setting, shown_prefix
from auditor.formats import Setting
from auditor.model import Finding, Secret
from auditor.policy.loader import Rule

# Headers carry `Bearer KEY` by design; elsewhere the prefix is a mistake.
_AUTH_HEADER = re.compile(r"authorization$", re.IGNORECASE)
_QUOTES = "\"'`"


@dataclass(frozen=True)
class Defect:
    """The problems that keep a value from being a key, and the candidate inside it."""

    problems: tuple[str, ...]
    candidate: str
    pattern: KeyPattern | None


def diagnose(name: str, value: str) -> Defect | None:
    """Return what is wrong with a key setting's value, or None if nothing is."""
    if values.is_reference(value) or values.is_placeholder(value.strip(_QUOTES + " ")):
        return None
    exact = providers.classify(value)
    if exact is not None:
        uneven = _uneven_sides(exact, value)
        return Defect((uneven,), value, exact) if uneven else None

    problems: list[str] = []
    candidate = value
    if candidate != candidate.strip():
        problems.append("whitespace around the key")
        candidate = candidate.strip()
    if candidate.endswith(("\\n", "\\r")):
        problems.append("a literal \\n at the end")
        candidate = candidate[:-2]
    if (
        len(candidate) >= 2
        and candidate[0] == candidate[-1]
        and candidate[0] in _QUOTES
    ):
        problems.append("extra quotes around the key")
        candidate = candidate[1:-1].strip()
    if candidate.lower().startswith("bearer ") and not _AUTH_HEADER.search(name):
        problems.append("a 'Bearer ' prefix")
        candidate = candidate[7:].strip()

    pattern = providers.classify(candidate)
    if pattern is not None:
        uneven = _uneven_sides(pattern, candidate)
        problems.extend([uneven] if uneven else [])
        return Defect(tuple(problems), candidate, pattern) if problems else None
    return _near_shape(name, candidate, problems)


# OpenAI project, service-account and admin keys have as many characters
# after the T3BlbkFJ marker as before it (74 and 74, 58 and 58, 20 and 20).
_EVEN_SIDED_PREFIXES = ("sk-proj-", "sk-svcacct-", "sk-admin-")


def _uneven_sides(pattern: KeyPattern, key: str) -> str | None:
    """Describe an OpenAI key cut short or extended, seen from its marker."""
    if pattern.prefix not in _EVEN_SIDED_PREFIXES:
        return None
    marker = key.find(providers.OPENAI_MARKER)
    before = marker - len(pattern.prefix)
    after = len(key) - marker - len(providers.OPENAI_MARKER)
    if before == after:
        return None
    return (
        f"the wrong length for {pattern.provider} ({before} characters before "
        f"{providers.OPENAI_MARKER} and {after} after; keys have as many on both "
        "sides, so it was probably cut short)"
    )


def _near_shape(name: str, candidate: str, problems: list[str]) -> Defect | None:
    """Recognise a value that starts like a provider's key but has the wrong shape."""
    prefix_patterns = sorted(providers.PREFIXED, key=lambda p: -len(p.prefix))
    pattern = next((p for p in prefix_patterns if candidate.startswith(p.prefix)), None)
    if pattern is None or len(candidate) < len(pattern.prefix) + 12:
        return None
    # A DeepSeek key (`sk-` and 32 hex digits) starts like an OpenAI key, so a
    # value of exactly that shape is a valid DeepSeek key, not a broken OpenAI one.
    shaped = next(
        (
            p
            for p in providers.CONTEXTUAL
            if p.body.startswith(pattern.prefix) and p.regex.fullmatch(candidate)
        ),
        None,
    )
    if shaped is not None:
        return Defect(tuple(problems), candidate, shaped) if problems else None
    # Other services (Moonshot, Stability, Langfuse) use `sk-` too, so a bare
    # `sk-` value is a broken OpenAI key only with OpenAI's marker or name.
    if pattern.prefix == "sk-" and not _names_openai(name, candidate):
        return None
    if re.search(r"\s", candidate):
        problems.append("whitespace inside the key")
    else:
        problems.append(
            f"the wrong length or characters for {pattern.provider} "
            f"({len(candidate)} characters; expected {pattern.expected})"
        )
    return Defect(tuple(problems), candidate, pattern)


def _names_openai(name: str, candidate: str) -> bool:
    return providers.OPENAI_MARKER in candidate or "openai" in name.lower()


def _fix(name: str, defect: Defect, provider: str) -> str:
    removable = [p for p in defect.problems if not p.startswith("the wrong length")]
    steps = []
    if removable:
        steps.append(f"remove {', '.join(removable)}")
    if len(removable) < len(defect.problems):
        page = providers.KEY_PAGES.get(provider, "the provider")
        steps.append(f"copy the whole key again from {page}")
    return (
        f"Set {name} to the key alone, or to a reference to it: {' and '.join(steps)}."
    )


class MalformedKeyCheck:
    """Report key settings whose value is near a provider's key shape but not exact."""

    def run(
        self, scanned: ScannedFile, rule: Rule, context: CheckContext
    ) -> list[Finding]:
        info = scanned.info
        if not applies(rule, info):
            return []
        findings = []
        for part, document in scanned.documents:
            # Only a value that starts like a provider's key can be malformed,
            # so files without such a token need no settings parsed.
            if not providers.PREFIX_AT_TOKEN_START.search(document.text):
                continue
            for setting in document.settings:
                defect = _setting_defect(setting)
                if defect is None:
                    continue
                findings.append(
                    _finding(rule, scanned, part.row_key, setting, defect, part.binary)
                )
        return findings


def _setting_defect(setting: Setting) -> Defect | None:
    if not is_key_setting(setting.name) or len(setting.value) > 1024:
        return None
    return diagnose(setting.name, setting.value)


def _finding(
    rule: Rule,
    scanned: ScannedFile,
    row_key: str | None,
    setting: Setting,
    defect: Defect,
    binary: bool,
) -> Finding:
    provider = defect.pattern.provider if defect.pattern else "unknown"
    prefix = shown_prefix(defect.pattern, defect.candidate) if defect.pattern else ""
    secret = Secret(
        provider=provider,
        kind=defect.pattern.kind if defect.pattern else "key",
        fingerprint=identity.fingerprint(defect.candidate),
        redacted=identity.redact(defect.candidate, prefix),
    )
    problems = ", ".join(defect.problems)
    path = scanned.info.path
    message = f"{setting.name} in {path} is not a valid {provider} key: {problems}"
    fix = _fix(setting.name, defect, provider)
    return finding(
        rule,
        scanned.info,
        message,
        fix,
        line=None if binary or row_key else setting.line,
        row_key=row_key,
        setting=setting.name,
        secret=secret,
    )
