"""The JSON report: the report document, as reports/report.schema.json defines it."""

from __future__ import annotations

import json
from typing import Any


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def validate(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError if the document breaks the report schema."""
    from jsonschema import Draft202012Validator

    from auditor import resources

    schema = resources.json_resource("auditor.reports", "report.schema.json")
    Draft202012Validator(schema).validate(document)
