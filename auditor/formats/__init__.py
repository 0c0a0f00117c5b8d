"""Readers that turn a file's text into a Document: lines and the settings on them.

Detection always runs over the raw text, so a key is found whatever the
format. The readers only add the names of the settings that contain values,
which give detectors their context and the malformed-key check its candidates. A
reader that fails to parse its format falls back to the line reader, so no
file is skipped for being malformed.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger(__name__)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Setting:
    """A named value in a file: a JSON member, a YAML key, a variable assignment."""

    name: str
    value: str
    line: int


@dataclass
class Document:
    """A decoded file: its text, where each line starts, and its settings.

    Settings are parsed on first use: most files with a candidate prefix
    hold no key, and detection needs settings only around a match.
    """

    text: str
    line_starts: list[int]
    format: str = "text"
    parse_error: str | None = None
    _settings: list[Setting] | None = None
    _by_line: dict[int, list[Setting]] | None = None

    @classmethod
    def from_text(cls, text: str, fmt: str = "text") -> Document:
        starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        return cls(text=text, line_starts=starts, format=fmt)

    @property
    def settings(self) -> list[Setting]:
        if self._settings is None:
            self._settings = _read_settings(self)
        return self._settings

    def line_of(self, offset: int) -> int:
        """Return the 1-based line number of a character offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def column_of(self, offset: int) -> int:
        return offset - self.line_starts[self.line_of(offset) - 1] + 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def settings_on(self, line: int) -> list[Setting]:
        if self._by_line is None:
            self._by_line = {}
            for setting in self.settings:
                self._by_line.setdefault(setting.line, []).append(setting)
        return self._by_line.get(line, [])


Reader = Callable[[Document], list[Setting]]


def parse(text: str, fmt: str) -> Document:
    """Return a Document whose settings the reader for `fmt` fills on first use."""
    return Document.from_text(text, fmt)


def _read_settings(document: Document) -> list[Setting]:
    from auditor.formats import jsonc, lines, toml, yamlfile

    readers: dict[str, Reader] = {
        "jsonc": jsonc.read_settings,
        "json": jsonc.read_settings,
        "yaml": yamlfile.read_settings,
        "toml": toml.read_settings,
    }
    reader = readers.get(document.format)
    if reader is not None:
        try:
            return reader(document)
        except ValueError as error:
            document.parse_error = str(error)
            logger.debug("reading %s as lines: %s", document.format, error)
    return lines.read_settings(document)
