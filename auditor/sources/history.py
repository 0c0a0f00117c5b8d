"""The history source: the lines each commit added, read from one `git log` stream.

One long-lived `git log -p -U0` process writes the patch of every commit
reachable from any ref (branches, tags, remote-tracking refs, and every stash
entry, not only the newest), oldest first. Renames are shown as a deletion
and an addition (`--no-renames`), so a renamed file's lines count as added at
the new path. Merges are shown as dense combined diffs, and only a line that
is in no parent counts as added by the merge: those are the lines written
while resolving it. Nothing is checked out, and no process runs per object.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from auditor.errors import UserError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

READ_SIZE = 1 << 20
PIPE_SIZE = 1 << 20
# Each commit starts with two NUL bytes at the start of a line. A patch line
# starts with `+`, `-`, ` ` or a header word, so the marker cannot occur in one.
_COMMIT_MARK = b"\x00\x00"
_FORMAT = "%x00%x00%H%x00%an <%ae>%x00%aI%x00%s"
# A record starts at a commit mark or at a `diff` header line.
_RECORD_START = re.compile(rb"\n(?=\x00\x00|diff )")
# Bytes kept of a diff over the size limit: enough for its header lines.
_KEPT_HEAD = 4096
_HUNK = re.compile(rb"^(@@+) (?:-\d+(?:,\d+)? )+\+(\d+)(?:,\d+)? @@+")
_C_ESCAPES = {
    b"a": 7,
    b"b": 8,
    b"t": 9,
    b"n": 10,
    b"v": 11,
    b"f": 12,
    b"r": 13,
    b'"': 34,
    b"\\": 92,
}


@dataclass(frozen=True)
class Commit:
    """A commit's id and the metadata a finding shows."""

    sha: str
    author: str
    date: str
    subject: str

    def as_dict(self) -> dict[str, str]:
        return {
            "sha": self.sha,
            "author": self.author,
            "date": self.date,
            "subject": self.subject,
        }


@dataclass
class FileChange:
    """The lines one commit added to one file, with their line numbers there."""

    commit: Commit
    path: bytes
    lines: list[tuple[int, bytes]] = field(default_factory=list)


@dataclass
class HistoryStats:
    """How much history was read, and why it may be incomplete."""

    commits: int = 0
    blobs: int = 0
    binary_blobs: int = 0
    incomplete: list[str] = field(default_factory=list)
    # Diffs over the size limit: their commit and the file's path.
    too_large: list[tuple[Commit, bytes]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "commits_read": self.commits,
            "blobs_read": self.blobs,
            "binary_blobs_skipped": self.binary_blobs,
            "complete": not self.incomplete,
            "incomplete_reasons": list(self.incomplete),
        }


def git_environment() -> dict[str, str]:
    """Return an environment in which git never prompts and never fetches."""
    return {
        **os.environ,
        "GIT_TERMINAL_PROMPT": "0",
        # A partial clone must not fetch the objects it left out from its
        # remote: git then stops at the first one (HistoryLog.close).
        "GIT_NO_LAZY_FETCH": "1",
        "LC_ALL": "C",
    }


def run_git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run one short git command in `root` and return its result unchecked."""
    return subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        env=git_environment(),
        check=False,
    )


def check_repository(root: Path) -> None:
    """Raise UserError unless `root` is inside a git repository."""
    if not root.is_dir():
        raise UserError(f"{root}: not a folder; pass a git repository to --repo.")
    try:
        completed = run_git(root, "rev-parse", "--git-dir")
    except FileNotFoundError:
        raise UserError("git not found; install git to scan history.") from None
    if completed.returncode != 0:
        raise UserError(
            f"{root}: not a git repository, so --history has no commits to read; "
            "pass the root of a clone."
        )


def incomplete_reasons(root: Path) -> list[str]:
    """Say why this clone lacks history: shallow, or partial (objects left out)."""
    reasons = []
    shallow = run_git(root, "rev-parse", "--is-shallow-repository")
    if shallow.stdout.strip() == b"true":
        reasons.append(
            "shallow clone: commits before the shallow boundary are missing; "
            "run `git fetch --unshallow` and scan again"
        )
    if is_partial_clone(root):
        reasons.append(
            "partial clone: objects the clone filter left out were not read; "
            "fetch them (`git fetch --refetch` without a filter) and scan again"
        )
    return reasons


def is_partial_clone(root: Path) -> bool:
    """Return True when the clone was made with a filter (objects left out).

    Git marks such a clone with `remote.NAME.promisor`, and some git versions
    also set `extensions.partialClone`.
    """
    pattern = r"^(extensions\.partialclone|remote\..*\.promisor)$"
    found = run_git(root, "config", "--get-regexp", pattern)
    values = [line.split(b" ", 1)[-1] for line in found.stdout.splitlines()]
    return any(value.strip().lower() not in (b"", b"false") for value in values)


def stash_entries(root: Path) -> list[str]:
    """Return every stash entry's commit; `--all` reaches only the newest one."""
    if run_git(root, "rev-parse", "--verify", "-q", "refs/stash").returncode != 0:
        return []
    listing = run_git(root, "log", "-g", "--format=%H", "refs/stash", "--")
    if listing.returncode != 0:
        raise UserError(f"{root}: git could not list the stash: {_stderr(listing)}")
    return listing.stdout.decode("ascii").split()


class HistoryLog:
    """One `git log` process writing every reachable commit's patch, oldest first.

    Iterate over `file_diffs()`, then call `close()`, which raises UserError
    if git failed (a missing object, a bad ref), so an error is never mistaken
    for a history without keys.
    """

    def __init__(
        self,
        root: Path,
        stats: HistoryStats,
        partial: bool = False,
        max_diff_size: int = 1 << 30,
    ) -> None:
        self.root = root
        self.stats = stats
        self.max_diff_size = max_diff_size
        # In a partial clone, git stops at the first object the clone left out.
        # That ends the scan early as incomplete history, not as an error.
        self.partial = partial
        # A file, not a pipe: git must never block on a full stderr pipe while
        # this process is busy reading stdout.
        self._errors = tempfile.TemporaryFile()
        self._process = subprocess.Popen(
            log_command(),
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            env=git_environment(),
        )
        _enlarge_pipe(self._process.stdout)

    def file_diffs(self, tips: list[str]) -> Iterator[tuple[Commit, bytes]]:
        """Yield each file's diff with its commit, after reading `tips` too.

        At most one file's diff (up to `max_diff_size` bytes) and one block of
        output are in memory at a time. A larger diff is not yielded: it is
        listed in `stats.too_large`.
        """
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write("".join(f"{tip}\n" for tip in tips).encode())
        self._process.stdin.close()
        commit: Commit | None = None
        for record, cut in _records(self._process.stdout, self.max_diff_size):
            if record.startswith(_COMMIT_MARK):
                commit = _commit(record[len(_COMMIT_MARK) :].partition(b"\n")[0])
                self.stats.commits += 1
            elif commit is not None:
                self._count(record)
                if cut:
                    self.stats.too_large.append((commit, _diff_path(record)))
                else:
                    yield commit, record

    def _count(self, diff: bytes) -> None:
        header = diff[: diff.find(b"\n@@")]
        if b"\ndeleted file mode" in header:
            return
        self.stats.blobs += 1
        if b"\nBinary files " in header:
            self.stats.binary_blobs += 1

    def close(self) -> None:
        """Wait for git; raise UserError if it failed.

        In a partial clone, a stop at a left-out object is recorded as
        incomplete history instead (git's messages are in English: LC_ALL=C).
        """
        if self._process.stdout is not None:
            self._process.stdout.close()
        code = self._process.wait()
        self._errors.seek(0)
        error = self._errors.read()
        self._errors.close()
        if code == 0:
            return
        message = error.decode("utf-8", "replace").strip() or f"exit code {code}"
        if self.partial and "promisor remote" in message:
            self.stats.incomplete.append(
                "partial clone stopped: git stopped at an object the clone left "
                f"out, after {self.stats.commits} commit(s); later commits were "
                f"not read ({message.splitlines()[-1]})"
            )
            return
        raise UserError(
            f"{self.root}: git log failed while reading history: {message}; "
            "check the repository with `git fsck`."
        )


def _enlarge_pipe(stream: IO[bytes] | None) -> None:
    """Let git write ahead while this process scans what it already read.

    A default pipe holds 64 KiB, so git would wait each time a block is being
    scanned. Linux allows up to `/proc/sys/fs/pipe-max-size` (1 MiB unless
    raised); elsewhere, or when refused, the default stays.
    """
    size_option = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if stream is None or size_option is None:
        return
    try:
        fcntl.fcntl(stream.fileno(), size_option, PIPE_SIZE)
    except OSError:
        logger.debug("pipe size left at the default")


def log_command() -> list[str]:
    """Return the `git log` command line whose output `HistoryLog` parses."""
    return [
        "git",
        "-c",
        "core.quotePath=true",
        "-c",
        "diff.mnemonicPrefix=false",
        "-c",
        "log.showSignature=false",
        # Bound git's memory whatever the user's configuration. Mapped pack
        # windows would otherwise grow with the packs read (to 204 MB on a
        # 75 MB pack, where these limits keep git at 140 MB and as fast).
        # The delta base cache limit is git's default, pinned.
        "-c",
        "core.deltaBaseCacheLimit=96m",
        "-c",
        "core.packedGitWindowSize=16m",
        "-c",
        "core.packedGitLimit=32m",
        "log",
        "--all",
        "--stdin",
        "--topo-order",
        "--reverse",
        f"--format={_FORMAT}",
        "-p",
        "-U0",
        "--no-renames",
        "--diff-merges=dense-combined",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ]


def _records(stream: IO[bytes], limit: int) -> Iterator[tuple[bytes, bool]]:
    """Split the log into records (a commit's header, or one file's diff).

    Yield each record with True if it was cut: a record over `limit` bytes
    keeps only its first bytes (its header), so memory stays bounded.

    The output is read in large blocks. The record that a block ends in may
    be cut, so it stays in the buffer, and only the new bytes (and the last few
    old ones, where a record start may span two blocks) are searched again.
    """
    buffer = bytearray()
    cut = False
    while True:
        block = stream.read(READ_SIZE)
        if not block:
            break
        searched = max(len(buffer) - 8, 0)
        buffer += block
        last = 0
        for match in _RECORD_START.finditer(buffer, searched):
            last = match.start()
        if last:
            yield from _split_records(bytes(buffer[:last]), cut, limit)
            del buffer[: last + 1]
            cut = False
        # The buffer may also hold the line break and first bytes of the next
        # record, not yet recognized as its start: hence the 8 bytes of slack.
        # A record is cut only once its first _KEPT_HEAD bytes are all here.
        if len(buffer) > max(limit, _KEPT_HEAD) + 8:
            # \x01 cannot end a line, so the join cannot fake a record start.
            buffer[:] = buffer[:_KEPT_HEAD] + b"\x01" + buffer[-8:]
            cut = True
    yield from _split_records(bytes(buffer), cut, limit)


def _split_records(
    data: bytes, first_cut: bool, limit: int
) -> Iterator[tuple[bytes, bool]]:
    for index, record in enumerate(_RECORD_START.split(data)):
        if not record:
            continue
        if len(record) > limit or (first_cut and index == 0):
            yield record[:_KEPT_HEAD], True
        else:
            yield record, False


def _commit(header: bytes) -> Commit:
    fields = header.split(b"\x00")
    fields += [b""] * (4 - len(fields))
    sha, author, date, subject = (f.decode("utf-8", "replace") for f in fields[:4])
    return Commit(sha=sha, author=author, date=date, subject=subject)


def added_lines(commit: Commit, patch: bytes) -> Iterator[FileChange]:
    """Yield, per file, the lines the commit added (for a merge: in no parent)."""
    change: FileChange | None = None
    columns = 0
    line_number = 0
    in_hunk = False
    for line in patch.split(b"\n"):
        if line.startswith(b"diff "):
            if change is not None and change.lines:
                yield change
            change, in_hunk = None, False
        elif not in_hunk and line.startswith(b"+++ "):
            change = _new_file(commit, line[4:])
        elif line.startswith(b"@@"):
            hunk = _HUNK.match(line)
            if hunk is None or change is None:
                in_hunk = False
                continue
            columns = len(hunk.group(1)) - 1
            line_number = int(hunk.group(2))
            in_hunk = True
        elif in_hunk and change is not None:
            line_number = _hunk_line(change, line, columns, line_number)
    if change is not None and change.lines:
        yield change


def _hunk_line(change: FileChange, line: bytes, columns: int, number: int) -> int:
    """Record `line` if it is added; return the next new-file line number."""
    prefix = line[:columns]
    if b"-" in prefix or line.startswith(b"\\"):
        return number
    if prefix == b"+" * columns:
        change.lines.append((number, line[columns:]))
    return number + 1


def _diff_path(diff: bytes) -> bytes:
    """Return the path a diff's header names (the old one for a deletion)."""
    old = b""
    for line in diff.split(b"\n", 8):
        if line.startswith(b"--- a/") or line.startswith(b'--- "a/'):
            old = unquote(line[4:].rstrip(b"\t")).removeprefix(b"a/")
        if line.startswith(b"+++ ") and not line.startswith(b"+++ /dev/null"):
            return unquote(line[4:].rstrip(b"\t")).removeprefix(b"b/")
    return old


def _new_file(commit: Commit, name: bytes) -> FileChange | None:
    name = name.rstrip(b"\t")
    if name == b"/dev/null":
        return None
    path = unquote(name)
    return FileChange(commit, path.removeprefix(b"b/"))


def unquote(name: bytes) -> bytes:
    """Undo git's C-style quoting of a path (`"caf\\303\\251.txt"`)."""
    if not (name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2):
        return name
    body = name[1:-1]
    out = bytearray()
    index = 0
    while index < len(body):
        byte = body[index : index + 1]
        if byte != b"\\":
            out += byte
            index += 1
            continue
        escape = body[index + 1 : index + 2]
        if escape.isdigit():
            out.append(int(body[index + 1 : index + 4], 8))
            index += 4
        else:
            out.append(_C_ESCAPES.get(escape, escape[0] if escape else 92))
            index += 2
    return bytes(out)


def display_path(path: bytes) -> str:
    """Decode a path for reports; bytes that are not UTF-8 show as `\\xNN`."""
    return path.decode("utf-8", "backslashreplace")


def files_at_head(root: Path, paths: list[bytes]) -> dict[bytes, bytes | None]:
    """Return the content of each path at HEAD (None where it is not there).

    One `git cat-file --batch` process serves all paths. A path with a line
    break cannot be named on its line, so it is reported as not at HEAD.
    """
    contents: dict[bytes, bytes | None] = dict.fromkeys(paths)
    if run_git(root, "rev-parse", "--verify", "-q", "HEAD").returncode != 0:
        return contents
    names = [path for path in paths if b"\n" not in path]
    process = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=git_environment(),
    )
    assert process.stdin is not None and process.stdout is not None
    for path in names:
        process.stdin.write(b"HEAD:" + path + b"\n")
        process.stdin.flush()
        contents[path] = _read_object(process.stdout)
    process.stdin.close()
    process.wait()
    return contents


def _read_object(stdout: IO[bytes]) -> bytes | None:
    header = stdout.readline().rstrip(b"\n")
    if header.endswith((b" missing", b" ambiguous")):
        return None
    _, kind, size = header.rsplit(b" ", 2)
    data = stdout.read(int(size) + 1)[:-1]
    return data if kind == b"blob" else None


def _stderr(completed: subprocess.CompletedProcess[bytes]) -> str:
    return completed.stderr.decode("utf-8", "replace").strip()
