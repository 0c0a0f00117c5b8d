"""YAML, read as a node graph so each value keeps its physical line.

Values reached through an alias (`*common`, `<<: *common`) are the same node
as the anchored one, so each is reported once, at the line where it is written.
"""

from __future__ import annotations

import re

import yaml

from auditor.formats import Document, Setting

_QUOTED_TOKEN = re.compile(r"'[^']{8,}'")


def _walk(node: yaml.Node, path: str, seen: set[int], out: list[Setting]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        out.append(Setting(path, str(node.value), node.start_mark.line + 1))
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            _walk(value, f"{path}.{name}" if path else name, seen, out)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk(item, path, seen, out)


def _describe(error: yaml.YAMLError) -> str:
    """Describe a YAML error without quoting the text around it.

    str(error) shows the lines near the error, and they can hold a key. The
    problem alone can still quote a token (an undefined alias name), so long
    quoted tokens are cut out of it.
    """
    if not isinstance(error, yaml.MarkedYAMLError) or error.problem_mark is None:
        return "invalid YAML"
    problem = _QUOTED_TOKEN.sub("'…'", error.problem or "invalid YAML")
    return f"{problem} at line {error.problem_mark.line + 1}"


def read_settings(document: Document) -> list[Setting]:
    """Return every scalar with its key path. Raises ValueError on invalid YAML."""
    try:
        roots = list(yaml.compose_all(document.text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise ValueError(_describe(error)) from error
    settings: list[Setting] = []
    seen: set[int] = set()
    for root in roots:
        if root is not None:
            _walk(root, "", seen, settings)
    return settings
