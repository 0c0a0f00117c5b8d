"""The HTML report: one self-contained page rendered with Jinja2, autoescaped."""

from __future__ import annotations

from typing import Any

from auditor.model import SEVERITIES
from auditor.report.text import framework_name, place


def render_html(document: dict[str, Any]) -> str:
    from jinja2 import Environment, StrictUndefined

    from auditor import resources

    environment = Environment(
        autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
    )
    environment.filters["place"] = place
    environment.filters["framework"] = framework_name
    template_text = resources.report_file("report.html.j2").read_text("utf-8")
    template = environment.from_string(template_text)
    groups = [
        (severity, [f for f in document["findings"] if f["severity"] == severity])
        for severity in SEVERITIES
    ]
    return template.render(report=document, groups=[g for g in groups if g[1]])
