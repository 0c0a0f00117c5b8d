"""Files shipped inside the package: policies, schemas and report templates."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Any


def policy_file(name: str) -> Traversable:
    return resources.files("auditor.policies").joinpath(name)


def report_file(name: str) -> Traversable:
    return resources.files("auditor.reports").joinpath(name)


@cache
def json_resource(package: str, name: str) -> Any:
    return json.loads(resources.files(package).joinpath(name).read_text("utf-8"))
