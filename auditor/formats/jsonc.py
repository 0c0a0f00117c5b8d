"""JSON with comments and trailing commas (the VS Code family's settings files).

A small tokenizer instead of a JSON library, because the settings need the
line each string starts on and the dotted path of members that lead to it.
"""

from __future__ import annotations

import json
import re

from auditor.formats import Document, Setting

_TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\n\ufeff]+)
  | (?P<line_comment>//[^\r\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>"(?:[^"\\\r\n]|\\.)*")
  | (?P<punct>[{}\[\]:,])
  | (?P<literal>-?[0-9][0-9.eE+-]*|true|false|null)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"unexpected character at offset {position}")
        kind = match.lastgroup or ""
        if kind not in ("space", "line_comment", "block_comment"):
            tokens.append((kind, match.group(), position))
        position = match.end()
    return tokens


def read_settings(document: Document) -> list[Setting]:
    """Return every string value with its member path, such as `env.OPENAI_API_KEY`.

    Raises ValueError when the text is not JSON with comments.
    """
    settings: list[Setting] = []
    stack: list[list[str]] = []  # per open container: [kind, current member name]
    expect_key = False
    for kind, token, offset in _tokens(document.text):
        if token in "{[" and kind == "punct":
            stack.append(["object" if token == "{" else "array", ""])
            expect_key = token == "{"
        elif token in "}]" and kind == "punct":
            if not stack:
                raise ValueError(f"unbalanced {token!r} at offset {offset}")
            stack.pop()
        elif token == ",":
            expect_key = bool(stack) and stack[-1][0] == "object"
        elif token == ":":
            expect_key = False
        elif kind == "string":
            text = json.loads(token)
            if expect_key and stack:
                stack[-1][1] = text
            else:
                path = ".".join(frame[1] for frame in stack if frame[0] == "object")
                settings.append(Setting(path, text, document.line_of(offset)))
    if stack:
        raise ValueError("the file ends inside an object or array")
    return settings
