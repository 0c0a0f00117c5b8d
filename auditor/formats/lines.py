"""The line reader: assignments in dotenv, shell, fish, PowerShell and loose text."""

from __future__ import annotations

import re

from auditor.formats import Document, Setting

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_COMMENT_LEAD = re.compile(r"^\s*(?:#+|//+|;+|REM\s)\s*")
_ZSH_HISTORY = re.compile(r"^: \d+:\d+;")

# `export NAME=value`, `NAME=value`, `declare -x NAME=value`, several per line.
_EQUALS = re.compile(
    rf"(?:^|(?<=[\s;&|(]))(?:export\s+|declare\s+-x\s+|local\s+|readonly\s+)?"
    rf"({_NAME})\s*=\s*(\"(?:[^\"\\]|\\.)*\"?|'[^']*'?|[^\s;&|]*)"
)
# fish `set -gx NAME value`, csh `setenv NAME value`, fish universal variables.
_WORD_FORMS = (
    re.compile(rf"^\s*set\s+(?:-[A-Za-z]+\s+)*({_NAME})\s+(.*)$"),
    re.compile(rf"^\s*setenv\s+({_NAME})\s+(.*)$"),
    re.compile(rf"^\s*SETUVAR\s+(?:--export\s+)?({_NAME}):(.*)$"),
    re.compile(rf"^\s*\$env:({_NAME})\s*=\s*(.*)$", re.IGNORECASE),
)
MAX_ASSIGNMENT_LINE = 4096

# YAML-like and JSON-like `name: value`, with the name quoted or not.
_COLON = re.compile(rf"^\s*(?:-\s+)?[\"']?({_NAME})[\"']?\s*:\s+(.*?)\s*,?\s*$")


def unquote(raw: str) -> str:
    """Remove one level of shell or JSON quoting from a value."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        inner = raw[1:-1]
        return inner.replace('\\"', '"') if raw[0] == '"' else inner
    return raw


_FISH_PRINTABLE_ESCAPE = re.compile(r"\\x(2[0-9a-f]|[3-6][0-9a-f]|7[0-9a-e])")


def unescape_fish_variables(text: str) -> str:
    """Decode the `\\xHH` escapes of printable ASCII in a `fish_variables` file.

    fish writes every character but letters, digits, `/` and `_` escaped, so
    a key's `-` is stored as `\\x2d` and the raw text never shows the key.
    Other escapes (such as `\\x1e`, fish's list separator, and `\\x0a`) stay as
    they are, so line numbers do not change, but columns then count decoded
    characters.
    """
    return _FISH_PRINTABLE_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _fish_unescape(value: str) -> str:
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), value)


def _line_settings(line: str, number: int) -> list[Setting]:
    body = _ZSH_HISTORY.sub("", _COMMENT_LEAD.sub("", line))
    for form in _WORD_FORMS:
        match = form.match(body)
        if match:
            value = (
                _fish_unescape(match.group(2)) if "SETUVAR" in body else match.group(2)
            )
            return [Setting(match.group(1), unquote(value), number)]
    found = [
        Setting(m.group(1), unquote(m.group(2)), number) for m in _EQUALS.finditer(body)
    ]
    if found:
        return found
    match = _COLON.match(body)
    if match:
        return [
            Setting(
                match.group(1), unquote(_strip_yaml_comment(match.group(2))), number
            )
        ]
    return []


def _strip_yaml_comment(value: str) -> str:
    if value[:1] in "\"'":
        return value
    return re.split(r"\s+#", value, maxsplit=1)[0]


def read_settings(document: Document) -> list[Setting]:
    """Find the assignments on each line of any text file."""
    settings: list[Setting] = []
    for number in range(1, len(document.line_starts) + 1):
        line = document.line_text(number)
        # Minified or generated lines are still scanned for keys, but parsing
        # assignments out of them costs time and finds nothing useful.
        if len(line) <= MAX_ASSIGNMENT_LINE:
            settings.extend(_line_settings(line, number))
    return settings
