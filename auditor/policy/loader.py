"""Load a policy: read YAML, validate it against the schema, apply `extends`.

A policy file is used alone unless it sets `extends: default` (the built-in
policy) or `extends: PATH` (another policy file, relative to this one). An
extending file changes settings, replaces locations by id, and changes rules by
id. `enabled: false` disables a rule, `severity: critical` changes its
severity, and an entry with a new id adds a rule of an existing check kind.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor import resources
from auditor.errors import UserError
from auditor.policy.yamlsource import (
    format_path,
    key_line_of,
    line_of,
    load_with_nodes,
)

BUILTIN = "default"
POLICY_FILE_NAME = "keyaudit.yaml"
_MAX_EXTENDS_DEPTH = 8
_REQUIRED_RULE_FIELDS = ("title", "severity", "check", "remediation")
# Scopes judged only by their own check kind, unless a rule lists them in
# `scopes`: scope name -> check kind.
DEDICATED_SCOPES = {"staged": "staged-key", "history": "history-key"}


@dataclass(frozen=True)
class Rule:
    """One rule of the effective policy."""

    id: str
    title: str
    severity: str
    check: str
    enabled: bool
    parameters: dict[str, Any]
    description: str
    remediation: str
    controls: dict[str, list[dict[str, Any]]]
    source: str

    def applies_to_scope(self, scope: str) -> bool:
        """Return True when the rule judges files of `scope`.

        Without `scopes`, a rule of a scope's dedicated check kind judges that
        scope only, and other rules judge every scope except the dedicated
        ones, so that a staged or historical blob is reported once.
        """
        scopes = self.parameters.get("scopes")
        if scopes is not None:
            return scope in scopes
        if self.check in DEDICATED_SCOPES.values():
            return DEDICATED_SCOPES.get(scope) == self.check
        return scope not in DEDICATED_SCOPES


@dataclass(frozen=True)
class Policy:
    """The effective policy after `extends` and overrides."""

    name: str
    sources: tuple[str, ...]
    settings: dict[str, Any]
    rules: tuple[Rule, ...]
    locations: tuple[dict[str, Any], ...]
    document: dict[str, Any]

    @property
    def sha256(self) -> str:
        """Hash of the effective policy as canonical JSON, so any change shows."""
        canonical = json.dumps(self.document, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(r.id for r in self.rules)
        raise UserError(
            f"rule {rule_id!r} not found in policy {self.name!r}; rules: {known}"
        )


@dataclass
class _Layer:
    data: dict[str, Any]
    node: Any
    source: str
    directory: Path | None


def find_policy_file(
    explicit: Path | None, repo: Path | None, home: Path
) -> Path | None:
    """Pick `--policy`, else `keyaudit.yaml` in the repository root or ~/.config."""
    if explicit is not None:
        return explicit
    candidates = [repo / POLICY_FILE_NAME] if repo is not None else []
    candidates.append(home / ".config" / "keyaudit" / POLICY_FILE_NAME)
    return next((path for path in candidates if path.is_file()), None)


def load_policy(path: Path | None) -> Policy:
    """Return the effective policy for a policy file, or the built-in one."""
    layers = _layer_chain(path)
    document = _merge_layers(layers)
    return _build(document, tuple(layer.source for layer in layers), layers)


def validate_policy_file(path: Path) -> Policy:
    """Validate a policy file and everything it extends; raise UserError if invalid."""
    return load_policy(path)


def _layer_chain(path: Path | None) -> list[_Layer]:
    """Return the layers from the built-in base to the given file."""
    chain: list[_Layer] = []
    current: Path | None = path
    seen: set[Path] = set()
    while current is not None:
        layer = _read_file(current)
        chain.append(layer)
        seen.add(current.resolve())
        extends = layer.data.get("extends")
        if extends is None:
            break
        if extends == BUILTIN:
            chain.append(_read_builtin())
            break
        if len(chain) > _MAX_EXTENDS_DEPTH:
            raise UserError(
                f"{layer.source}: `extends` goes deeper than {_MAX_EXTENDS_DEPTH}."
            )
        assert layer.directory is not None
        current = layer.directory / extends
        if current.resolve() in seen:
            line = line_of(layer.node, ["extends"])
            raise UserError(
                f"{layer.source}:{line}: `extends: {extends}` forms a cycle; "
                "point it at a policy that does not extend this one."
            )
        if not current.is_file():
            line = line_of(layer.node, ["extends"])
            raise UserError(
                f"{layer.source}:{line}: at extends: policy file {current} not found; "
                "use `default` or a path relative to this policy file."
            )
    if path is None:
        chain.append(_read_builtin())
    chain.reverse()
    return chain


def _read_builtin() -> _Layer:
    data, node = _builtin_yaml("default.yaml")
    return _Layer(data=data, node=node, source="builtin:default.yaml", directory=None)


@functools.cache
def _builtin_yaml(name: str) -> tuple[Any, Any]:
    """Parse a policy file shipped with keyaudit, once per process.

    Shipped files are not validated at run time, which would import jsonschema
    on every scan: the test suite validates them against the schema.
    """
    text = resources.policy_file(name).read_text("utf-8")
    return load_with_nodes(text, f"builtin:{name}", builtin=True)


def _read_file(path: Path) -> _Layer:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{path}: policy file not found; check the path.") from None
    except UnicodeDecodeError as error:
        raise UserError(f"{path}: policy file is not UTF-8 text: {error}") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read policy file: {error.strerror}") from None
    return _parse(text, str(path), path.parent)


def _parse(text: str, source: str, directory: Path | None) -> _Layer:
    data, node = load_with_nodes(text, source)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UserError(
            f"{source}:1: a policy must be a YAML mapping of settings and rules."
        )
    validate_document(data, node, source)
    return _Layer(data=data, node=node, source=source, directory=directory)


def validate_document(data: Any, node: Any, source: str) -> None:
    """Validate against policy.schema.json; raise UserError listing each problem."""
    from jsonschema import Draft202012Validator

    schema = resources.json_resource("auditor.policies", "policy.schema.json")
    validator = Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
    )
    if not errors:
        return
    lines = []
    for error in errors[:20]:
        lines.extend(_error_lines(error, node, source))
    raise UserError("invalid policy:\n" + "\n".join(lines))


def _error_lines(error: Any, node: Any, source: str) -> list[str]:
    path = list(error.absolute_path)
    if error.validator != "additionalProperties":
        line = line_of(node, path)
        return [f"{source}:{line}: at {format_path(path)}: {_describe(error)}"]
    # Point at each unknown key itself, not at the mapping that contains it.
    known = sorted(error.schema.get("properties", {}))
    unknown = [key for key in error.instance if key not in known]
    return [
        f"{source}:{key_line_of(node, path, key)}: at {format_path([*path, key])}: "
        f"unknown key {key!r}; remove it or check its spelling "
        f"(known keys here: {', '.join(known)})"
        for key in unknown
    ]


def _describe(error: Any) -> str:
    if error.validator == "type" and isinstance(error.instance, int):
        if error.absolute_path and "mode" in str(error.absolute_path[-1]):
            return (
                f"{error.instance!r} is not a string; YAML reads an unquoted 0600 "
                'as a number, so write the mode in quotes, such as "0600"'
            )
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return f"{error.instance!r} is not allowed; use one of: {allowed}"
    if error.validator == "oneOf":
        return f"{error.instance!r} must be a string or a mapping with `id`"
    return str(error.message)


def _merge_layers(layers: list[_Layer]) -> dict[str, Any]:
    merged: dict[str, Any] = {"settings": {}, "rules": [], "locations": []}
    for layer in layers:
        _reject_duplicate_ids(layer)
        data = copy.deepcopy(layer.data)
        # An extending file without a name is not the policy it extends.
        unnamed = Path(layer.source).stem if "name" in merged else "unnamed"
        merged["name"] = data.get("name", unnamed)
        if "description" in data:
            merged["description"] = data["description"]
        merged["settings"].update(data.get("settings", {}))
        merged["rules"] = _merge_by_id(merged["rules"], data.get("rules", []), layer)
        merged["locations"] = _merge_by_id(
            merged["locations"], data.get("locations", [])
        )
    return merged


def _reject_duplicate_ids(layer: _Layer) -> None:
    for section in ("rules", "locations"):
        seen: dict[str, int] = {}
        for position, item in enumerate(layer.data.get(section, [])):
            line = line_of(layer.node, [section, position])
            if item["id"] in seen:
                raise UserError(
                    f"{layer.source}:{line}: {section[:-1]} id {item['id']!r} is "
                    f"already used at line {seen[item['id']]}; merge the two entries."
                )
            seen[item["id"]] = line or 0


def _merge_by_id(
    base: list[dict[str, Any]],
    overrides: list[dict[str, Any]],
    layer: _Layer | None = None,
) -> list[dict[str, Any]]:
    result = [dict(item) for item in base]
    index = {item["id"]: item for item in result}
    for position, item in enumerate(overrides):
        item = dict(item)
        if layer is not None:
            item["_source"] = (
                f"{layer.source}:{line_of(layer.node, ['rules', position])}"
            )
        target = index.get(item["id"])
        if target is None or layer is None:
            if target is not None:
                result[result.index(target)] = item
            else:
                result.append(item)
            index[item["id"]] = item
            continue
        parameters = {**target.get("parameters", {}), **item.pop("parameters", {})}
        target.update(item)
        target["parameters"] = parameters
    return result


def _build(
    document: dict[str, Any], sources: tuple[str, ...], layers: list[_Layer]
) -> Policy:
    from auditor.checks import CHECKS

    settings = _default_settings() | document["settings"]
    rules = []
    for raw in document["rules"]:
        source = raw.pop("_source", "")
        missing = [name for name in _REQUIRED_RULE_FIELDS if name not in raw]
        if missing:
            raise UserError(
                f"{source}: rule {raw['id']!r} is new here and misses "
                f"{', '.join(missing)}; a new rule needs title, severity, check and "
                "remediation (to change a built-in rule, use its exact id)."
            )
        if raw["check"] not in CHECKS:
            kinds = ", ".join(sorted(CHECKS))
            raise UserError(
                f"{source}: unknown check {raw['check']!r}; use one of: {kinds}"
            )
        rules.append(_rule(raw, source))
    if not any(rule.enabled for rule in rules):
        raise UserError(
            f"{sources[-1]}: the policy enables no rules, so a scan would pass "
            "without checking anything; add `extends: default` or rules of its own."
        )
    locations = _locations(document["locations"])
    document = {**document, "settings": settings, "locations": list(locations)}
    return Policy(
        name=document["name"],
        sources=sources,
        settings=settings,
        rules=tuple(rules),
        locations=locations,
        document=document,
    )


def _rule(raw: dict[str, Any], source: str) -> Rule:
    controls = {
        framework: [c if isinstance(c, dict) else {"id": c} for c in items]
        for framework, items in raw.get("controls", {}).items()
    }
    return Rule(
        id=raw["id"],
        title=raw["title"],
        severity=raw["severity"],
        check=raw["check"],
        enabled=raw.get("enabled", True),
        parameters=dict(raw.get("parameters", {})),
        description=raw.get("description", "").strip(),
        remediation=raw["remediation"].strip(),
        controls=controls,
        source=source,
    )


def _default_settings() -> dict[str, Any]:
    data, _ = _builtin_yaml("default.yaml")
    return dict(data["settings"])


def _locations(overrides: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    data, _ = _builtin_yaml("locations.yaml")
    return tuple(_merge_by_id(data["locations"], overrides))
