"""TOML, read line by line so each value keeps its line and table path."""

from __future__ import annotations

import re

from auditor.formats import Document, Setting
from auditor.formats.lines import unquote

_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_PAIR = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.\-]+)\s*=\s*(.*?)\s*$""")
_VALUE = re.compile(r"""^("(?:[^"\\]|\\.)*"|'[^']*'|[^#]*?)\s*(?:#.*)?$""")


def read_settings(document: Document) -> list[Setting]:
    """Return each `key = value` pair with its dotted path."""
    settings: list[Setting] = []
    table = ""
    for number in range(1, len(document.line_starts) + 1):
        line = document.line_text(number)
        header = _TABLE.match(line)
        if header:
            table = header.group(1).replace('"', "")
            continue
        pair = _PAIR.match(line)
        if not pair:
            continue
        name = unquote(pair.group(1))
        value = _VALUE.match(pair.group(2))
        raw = value.group(1) if value else pair.group(2)
        path = f"{table}.{name}" if table else name
        settings.append(Setting(path, unquote(raw), number))
    return settings
