"""Find key occurrences in a Document.

A prefilter looks for the providers' literal prefixes and context words with
plain substring search. Only texts that contain one go through the regular
expressions, and only the lines near a context word are tokenized for the
context-only shapes. Every pattern is bounded, so a single long line costs
time linear in its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.detect import identity, providers, values
from auditor.detect.providers import KeyPattern
from auditor.formats import Document, Setting
from auditor.model import Secret

CONTEXT_WINDOW = 3  # lines either side of a context word
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
_KEY_SETTING = re.compile(
    r"api[_-]?key|apikey|access[_-]?key|secret|token|auth|passw|credential|bearer"
    r"|(?:^|[_.\-])key$",
    re.IGNORECASE,
)


def is_key_setting(name: str) -> bool:
    """Return True when a setting's name shows it contains a key or token."""
    return bool(_KEY_SETTING.search(name))


@dataclass(frozen=True)
class Occurrence:
    """A literal key found at one place in a document.

    `key` is the exact key; it stays in memory and is never written anywhere.
    """

    pattern: KeyPattern
    key: str
    line: int
    column: int
    setting: str | None

    @property
    def secret(self) -> Secret:
        return Secret(
            provider=self.pattern.provider,
            kind=self.pattern.kind,
            fingerprint=identity.fingerprint(self.key),
            redacted=identity.redact(self.key, shown_prefix(self.pattern, self.key)),
        )


# The fixed part of a key after its literal prefix: `sk-` + `None-`,
# `sk-ant-api` + `03-`, `sk-ant-o` + `at01-`. Nothing random is shown.
_HEAD_TAIL = re.compile(r"None-|service-|\d{2,4}-|[ar]t\d{2}-")


def shown_prefix(pattern: KeyPattern, key: str) -> str:
    """Return the fixed head of a key that redaction shows, such as `sk-ant-api03-`."""
    if pattern.prefix:
        tail = _HEAD_TAIL.match(key, len(pattern.prefix))
        return pattern.prefix + (tail.group() if tail else "")
    return "sk-" if key.startswith("sk-") else ""


# A prefix that contains a shorter one (`sk-proj-` contains `sk-`) cannot match
# where the shorter one does not, so the prefilter searches only the shorter.
_PREFILTER_PREFIXES = tuple(
    prefix
    for prefix in providers.PREFIXES
    if not any(other != prefix and other in prefix for other in providers.PREFIXES)
)


def has_candidates(text: str) -> bool:
    """Return True when the text contains any provider prefix or context word."""
    if any(prefix in text for prefix in _PREFILTER_PREFIXES):
        return True
    lowered = text.lower()
    return any(word in lowered for word in providers.CONTEXT_WORDS)


_PREFILTER_PREFIX_BYTES = tuple(p.encode("ascii") for p in _PREFILTER_PREFIXES)
_CONTEXT_WORD_BYTES = tuple(w.encode("ascii") for w in providers.CONTEXT_WORDS)
# UTF-8 of the only non-ASCII letters whose lower case has an ASCII letter, in
# Python's Unicode database: the Kelvin sign (to `k`) and the capital I with a
# dot above (to `i` and a combining dot).
_LOWER_TO_ASCII = (b"\xe2\x84\xaa", b"\xc4\xb0")


def has_candidates_utf8(data: bytes) -> bool:
    """Return `has_candidates` of the UTF-8 text in `data`, without decoding it.

    The result is the same as for the text decoded with replacement characters,
    because every prefix and context word is ASCII, and bytes.lower() is much
    faster than str.lower() on text with non-ASCII characters.
    """
    if any(prefix in data for prefix in _PREFILTER_PREFIX_BYTES):
        return True
    lowered = data.lower()
    if any(word in lowered for word in _CONTEXT_WORD_BYTES):
        return True
    if any(letter in data for letter in _LOWER_TO_ASCII):
        return has_candidates(data.decode("utf-8", "replace"))
    return False


def find_keys(document: Document) -> list[Occurrence]:
    """Return every literal key in the document, in order of position."""
    text = document.text
    found: dict[int, Occurrence] = {}
    claimed: list[tuple[int, int]] = []
    for pattern in providers.PREFIXED:
        if pattern.prefix not in text:
            continue
        for match in pattern.regex.finditer(text):
            _add(document, pattern, match.start(), match.group(), found, claimed)
    _find_contextual(document, found, claimed)
    return [found[offset] for offset in sorted(found)]


def _add(
    document: Document,
    pattern: KeyPattern,
    start: int,
    key: str,
    found: dict[int, Occurrence],
    claimed: list[tuple[int, int]],
) -> None:
    end = start + len(key)
    if any(
        start < other_end and other_start < end for other_start, other_end in claimed
    ):
        return
    if values.is_stand_in_key(key, pattern.prefix):
        return
    line = document.line_of(start)
    found[start] = Occurrence(
        pattern=pattern,
        key=key,
        line=line,
        column=document.column_of(start),
        setting=_setting_for(document.settings_on(line), key),
    )
    claimed.append((start, end))


def _setting_for(settings: list[Setting], key: str) -> str | None:
    # A key used as a member or variable name must not become the reported name.
    named = [setting for setting in settings if key not in setting.name]
    for setting in named:
        if key in setting.value:
            return setting.name
    return named[0].name if len(named) == 1 and len(settings) == 1 else None


def _find_contextual(
    document: Document, found: dict[int, Occurrence], claimed: list[tuple[int, int]]
) -> None:
    lowered = document.text.lower()
    for pattern in providers.CONTEXTUAL:
        context_lines = {
            document.line_of(m.start())
            for word in pattern.context
            if word in lowered
            for m in re.finditer(re.escape(word), lowered)
        }
        if not context_lines:
            continue
        for line in _window(context_lines, len(document.line_starts)):
            _scan_line_tokens(document, pattern, line, lowered, found, claimed)


def _window(lines: set[int], last: int) -> list[int]:
    near: set[int] = set()
    for line in lines:
        near.update(
            range(max(1, line - CONTEXT_WINDOW), min(last, line + CONTEXT_WINDOW) + 1)
        )
    return sorted(near)


def _scan_line_tokens(
    document: Document,
    pattern: KeyPattern,
    line: int,
    lowered: str,
    found: dict[int, Occurrence],
    claimed: list[tuple[int, int]],
) -> None:
    start = document.line_starts[line - 1]
    text = document.line_text(line)
    line_has_word = any(
        word in lowered[start : start + len(text)] for word in pattern.context
    )
    names = [s.name for s in document.settings_on(line)]
    if not line_has_word and not any(is_key_setting(name) for name in names):
        return
    for token in _TOKEN.finditer(text):
        value = token.group()
        if not pattern.regex.fullmatch(value) or not _looks_random(value):
            continue
        if pattern.rejects(value):
            continue
        _add(document, pattern, start + token.start(), value, found, claimed)


def _looks_random(value: str) -> bool:
    """Require letters and digits both: words and numbers are not keys."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
