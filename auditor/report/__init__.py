"""Reports: every format renders the JSON report document, and computes nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[[dict[str, Any]], str]


def renderer(name: str) -> Renderer:
    """Return the renderer for a format; imported lazily to keep startup fast."""
    if name == "json":
        from auditor.report.json_report import render_json

        return render_json
    if name == "html":
        from auditor.report.html import render_html

        return render_html
    if name == "sarif":
        from auditor.report.sarif import render_sarif

        return render_sarif
    if name == "junit":
        from auditor.report.junit import render_junit

        return render_junit
    from auditor.report.text import render_text

    return render_text


FORMATS = ("text", "json", "html", "sarif", "junit")
