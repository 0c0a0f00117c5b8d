"""The policy files shipped with keyaudit, which scans do not validate at run time."""

from __future__ import annotations

import pytest
import yaml

from auditor import resources
from auditor.checks import CHECKS
from auditor.policy.loader import validate_document


@pytest.mark.parametrize("name", ["default.yaml", "locations.yaml"])
def test_builtin_file_matches_schema(name: str) -> None:
    text = resources.policy_file(name).read_text("utf-8")
    loader = yaml.SafeLoader(text)
    node = loader.get_single_node()
    data = loader.construct_document(node)

    validate_document(data, node, f"builtin:{name}")


def test_schema_lists_every_check_kind() -> None:
    schema = resources.json_resource("auditor.policies", "policy.schema.json")

    assert sorted(schema["$defs"]["check"]["enum"]) == sorted(CHECKS)
