"""Command-line interface. Commands parse options, call the core, and render."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from auditor import __version__
from auditor.detect.identity import redact_keys_in
from auditor.errors import UserError
from auditor.model import SEVERITIES

if TYPE_CHECKING:
    from auditor.engine import ScanRequest, ScanResult
    from auditor.model import Finding
    from auditor.policy.loader import Policy

EXIT_USAGE = 2
EXIT_CRASH = 3


def main() -> None:
    """Run keyaudit; user errors exit 2 with one message on stderr."""
    try:
        cli.main(prog_name="keyaudit", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else str(error))
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except UserError as error:
        # Messages quote user files (policies, baselines), which may hold a key.
        click.echo(f"keyaudit: error: {redact_keys_in(str(error))}", err=True)
        sys.exit(EXIT_USAGE)
    except click.exceptions.Exit as error:
        sys.exit(error.exit_code)
    except Exception:
        # A crash must not look like "findings" (1) or "bad input" (2).
        traceback.print_exc()
        click.echo(
            "keyaudit: internal error; please report it with the trace above.", err=True
        )
        sys.exit(EXIT_CRASH)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="keyaudit")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log more to stderr: -v for progress, -vv for debug.",
)
def cli(verbose: int) -> None:
    """Audit how AI-provider API keys are kept on machines and in git repositories."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(
        level=level, format="keyaudit: %(levelname)s: %(message)s", stream=sys.stderr
    )


def _policy_option(function: Any) -> Any:
    return click.option(
        "--policy",
        "policy_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Policy file (YAML). Default: keyaudit.yaml in the --repo root, "
        "then ~/.config/keyaudit/keyaudit.yaml, then the built-in policy.",
    )(function)


@cli.command()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Audit this folder as if it were the user's home (default: your home).",
)
@click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Audit this git working tree or plain folder (with --home, both).",
)
@click.option(
    "--staged",
    is_flag=True,
    help="Audit the changes staged in the index of --repo (default: the current "
    "folder's repository) instead of its working tree.",
)
@click.option(
    "--history",
    is_flag=True,
    help="Audit every commit of the --repo repository reachable from any ref "
    "(branches, tags, remote-tracking refs, stashes) instead of its working tree.",
)
@_policy_option
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Baseline file: findings it lists are reported as suppressed and do not "
    "fail the scan.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html", "sarif", "junit"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default="high",
    show_default=True,
    help="Exit 1 when a finding has this severity or a higher one.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Also exit 1 when a file could not be scanned (coverage gap).",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Write the report only when the scan fails (for hooks).",
)
def scan(
    home: Path | None,
    repo: Path | None,
    staged: bool,
    history: bool,
    policy_path: Path | None,
    baseline_path: Path | None,
    fmt: str,
    output: Path | None,
    fail_on: str,
    strict: bool,
    quiet: bool,
) -> None:
    """Audit a home (the default), a working tree, a staged change or git history.

    Exit codes: 0 when nothing failed at or above --fail-on, 1 when something
    did (or, with --strict, when a file could not be scanned), 2 for usage,
    policy, baseline or input errors, 3 when a check or keyaudit itself failed.
    """
    from auditor.engine import ScanRequest
    from auditor.report import renderer
    from auditor.report.document import build_document

    if history and repo is None:
        raise UserError("--history needs --repo DIR: the repository to read.")
    if history and staged:
        raise UserError("--history and --staged cannot be combined; pick one.")
    if staged:
        from auditor.sources.staged import top_level

        # The policy file and all paths belong to the repository's top level,
        # also when the hook or the user runs from a subfolder.
        repo = top_level(repo or Path.cwd())
    if home is None and repo is None:
        home = Path.home()
    baseline = None
    if baseline_path is not None:
        from auditor.policy.baseline import load_baseline

        baseline = load_baseline(baseline_path)
    request = ScanRequest(
        policy=_load_policy(policy_path, repo),
        home=home,
        repo=repo,
        staged=staged,
        history=history,
        baseline=baseline,
    )
    document = build_document(_run(request), fail_on=fail_on, strict=strict)
    exit_code = document["summary"]["exit_code"]
    if exit_code or not quiet:
        _write(renderer(fmt)(document), output)
    sys.exit(exit_code)


def _load_policy(policy_path: Path | None, repo: Path | None) -> Policy:
    from auditor.policy.loader import find_policy_file, load_policy

    return load_policy(find_policy_file(policy_path, repo, Path.home()))


def _run(request: ScanRequest) -> ScanResult:
    from auditor.engine import run_scan

    return run_scan(request)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(
            f"{output}: cannot write the report: {error.strerror}"
        ) from None
    click.echo(f"keyaudit: report written to {output}", err=True)


@cli.group()
def policy() -> None:
    """Validate, show and explain policies."""


@policy.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def policy_validate(file: Path) -> None:
    """Check a policy file against the schema and everything it extends."""
    from auditor.policy.loader import validate_policy_file

    loaded = validate_policy_file(file)
    enabled = sum(rule.enabled for rule in loaded.rules)
    click.echo(f"{file}: valid policy {loaded.name!r} with {enabled} enabled rule(s)")


@policy.command("show")
@_policy_option
@click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False),
    help="Look for keyaudit.yaml in this repository root.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
)
def policy_show(policy_path: Path | None, repo: Path | None, fmt: str) -> None:
    """Print the effective policy after extends and overrides."""
    import json

    import yaml

    from auditor.policy.loader import find_policy_file, load_policy

    loaded = load_policy(find_policy_file(policy_path, repo, Path.home()))
    document = {
        "sources": list(loaded.sources),
        "sha256": loaded.sha256,
        **loaded.document,
    }
    if fmt == "json":
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(
            yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=88),
            nl=False,
        )


@policy.command("explain")
@click.argument("rule_id")
@_policy_option
@click.option(
    "--repo",
    type=click.Path(path_type=Path, file_okay=False),
    help="Look for keyaudit.yaml in this repository root.",
)
def policy_explain(rule_id: str, policy_path: Path | None, repo: Path | None) -> None:
    """Describe one rule: what it checks, its controls and how to fix a finding."""
    from auditor.policy.loader import find_policy_file, load_policy
    from auditor.report.text import framework_name

    loaded = load_policy(find_policy_file(policy_path, repo, Path.home()))
    rule = loaded.rule(rule_id)
    state = "enabled" if rule.enabled else "disabled"
    click.echo(f"{rule.id}: {rule.title}")
    click.echo(f"  check: {rule.check}   severity: {rule.severity}   {state}")
    if rule.parameters:
        click.echo(f"  parameters: {rule.parameters}")
    click.echo(f"\n{rule.description}\n\nRemediation: {rule.remediation}\n\nControls:")
    for framework, items in rule.controls.items():
        for control in items:
            marks = [m for m in ("primary", "analogy") if control.get(m)]
            if control.get("note"):
                marks.append(control["note"])
            suffix = f" ({', '.join(marks)})" if marks else ""
            click.echo(f"  {framework_name(framework)}: {control['id']}{suffix}")
    click.echo(f"\nDefined at {rule.source}")


@cli.group()
def baseline() -> None:
    """Create and update the baseline of accepted findings."""


def _baseline_options(function: Any) -> Any:
    function = click.option(
        "--file",
        "baseline_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Baseline file. Default: .keyaudit-baseline.json in the "
        "--repo root, or in the current folder.",
    )(function)
    function = _policy_option(function)
    function = click.option(
        "--home",
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        help="Scan this folder as a home directory.",
    )(function)
    return click.option(
        "--repo",
        type=click.Path(path_type=Path, file_okay=False, exists=True),
        help="Scan this working tree (default: the current folder).",
    )(function)


def _baseline_scan(
    repo: Path | None, home: Path | None, policy_path: Path | None
) -> tuple[list[Finding], Path]:
    """Scan without a baseline; return the findings and the folder to write into."""
    from auditor.engine import ScanRequest

    if repo is None and home is None:
        repo = Path.cwd()
    request = ScanRequest(policy=_load_policy(policy_path, repo), home=home, repo=repo)
    return _run(request).findings, repo if repo is not None else Path.cwd()


@baseline.command("create")
@_baseline_options
def baseline_create(
    repo: Path | None,
    home: Path | None,
    policy_path: Path | None,
    baseline_file: Path | None,
) -> None:
    """Scan, and write every current finding to a new baseline file."""
    from auditor.policy.baseline import BASELINE_FILE_NAME, create_baseline

    findings, folder = _baseline_scan(repo, home, policy_path)
    path = baseline_file or folder / BASELINE_FILE_NAME
    count = create_baseline(path, findings)
    click.echo(f"keyaudit: baseline {path} created with {count} finding(s)", err=True)


@baseline.command("update")
@_baseline_options
def baseline_update(
    repo: Path | None,
    home: Path | None,
    policy_path: Path | None,
    baseline_file: Path | None,
) -> None:
    """Scan, and rewrite the baseline to the current findings.

    Entries of fixed findings are removed and new findings are added; each
    change is listed on stderr. An unchanged baseline is left untouched.
    """
    from auditor.policy.baseline import BASELINE_FILE_NAME, update_baseline

    findings, folder = _baseline_scan(repo, home, policy_path)
    path = baseline_file or folder / BASELINE_FILE_NAME
    change = update_baseline(path, findings)
    for sign, entries in (("+", change.added), ("-", change.removed)):
        for rule, rel, fingerprint in entries:
            click.echo(f"  {sign} {rule} {rel} {fingerprint}".rstrip(), err=True)
    state = "updated" if change.written else "unchanged"
    click.echo(
        f"keyaudit: baseline {path} {state}: {len(change.added)} added, "
        f"{len(change.removed)} removed",
        err=True,
    )
