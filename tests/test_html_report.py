"""The HTML report: self-contained, complete, and escaping what it shows."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import assert_no_key_in


class _Collector(HTMLParser):
    """Collect tags, external references and visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.references: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.references.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _home_with_html_name(root: Path, key: str) -> Path:
    home = root / "home"
    backups = home / "Documents"
    backups.mkdir(parents=True)
    # A file name that would inject markup if the report did not escape it.
    (backups / "<img src=x onerror=alert(1)>-keys.txt").write_text(f"openai {key}\n")
    (home / ".bashrc").write_text(f"export OPENAI_API_KEY={key}\n")
    return home


def test_html_escapes_file_names(tmp_path: Path, keys, keyaudit) -> None:
    key = keys.openai_project()
    home = _home_with_html_name(tmp_path, key)
    output = tmp_path / "report.html"

    completed = keyaudit("scan", "--home", home, "--format", "html", "--output", output)

    assert completed.returncode == 1, completed.stderr
    page = output.read_text()
    parser = _Collector()
    parser.feed(page)
    assert "img" not in parser.tags
    assert "&lt;img src=x onerror=alert(1)&gt;-keys.txt" in page
    assert "<img src=x onerror=alert(1)>-keys.txt" in "".join(parser.text)
    assert_no_key_in(page, key)


def test_html_is_self_contained(tmp_path: Path, keys, keyaudit) -> None:
    home = _home_with_html_name(tmp_path, keys.anthropic())
    output = tmp_path / "report.html"

    keyaudit("scan", "--home", home, "--format", "html", "--output", output)

    parser = _Collector()
    parser.feed(output.read_text())
    assert parser.references == []
    assert "link" not in parser.tags
    assert "img" not in parser.tags


def test_html_shows_every_finding(tmp_path: Path, keys, keyaudit) -> None:
    home = _home_with_html_name(tmp_path, keys.groq())
    output = tmp_path / "report.html"
    report = keyaudit.json("scan", "--home", home, expect_exit=1)

    keyaudit("scan", "--home", home, "--format", "html", "--output", output)

    page = output.read_text()
    for finding in report["findings"]:
        assert f'id="finding-{finding["id"]}"' in page
        if "secret" in finding:
            assert finding["secret"]["fingerprint"] in page
    assert "chmod 600" in page
    assert re.search(r"164\.312\(a\)\(1\)", page)
    assert "Coverage" in page
    assert json.dumps(report["summary"]["result"]).strip('"').upper() in page
