"""YAML loading that keeps the node graph, so errors can name a line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from auditor.errors import UserError

# libyaml's parser, when PyYAML has it, reads the built-in policy files about
# ten times faster than the pure-Python one. User files keep the pure-Python
# parser, so the wording of their syntax errors does not depend on the build.
_BUILTIN_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_with_nodes(
    text: str, source: str, *, builtin: bool = False
) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document; raise UserError naming the file and line."""
    loader = _BUILTIN_LOADER(text) if builtin else yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise UserError(
            f"{source}{line}: invalid YAML: {error.problem}. "
            "Fix the syntax at that line."
        ) from error
    except yaml.YAMLError as error:
        raise UserError(f"{source}: invalid YAML: {error}") from error
    finally:
        loader.dispose()
    return data, node


def line_of(node: yaml.Node | None, path: Sequence[Any]) -> int | None:
    """Return the 1-based line of the value at `path`, or of its nearest parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def key_line_of(node: yaml.Node | None, path: Sequence[Any], key: str) -> int | None:
    """Return the 1-based line where `key` is written in the mapping at `path`."""
    mapping = node
    for step in path:
        mapping = _child(mapping, step)
    if isinstance(mapping, yaml.MappingNode):
        for key_node, _ in mapping.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return int(key_node.start_mark.line) + 1
    return line_of(node, path)


def _child(node: yaml.Node | None, step: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int):
        if 0 <= step < len(node.value):
            return node.value[step]
    return None


def format_path(path: Sequence[Any]) -> str:
    """Render a JSON path such as `rules[2].severity`."""
    text = ""
    for step in path:
        text += (
            f"[{step}]"
            if isinstance(step, int)
            else (f".{step}" if text else str(step))
        )
    return text or "(top level)"
