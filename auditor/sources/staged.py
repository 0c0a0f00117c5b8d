"""The staged source: the blobs in a repository's index, for every staged path.

Blobs are read from the index, never from the working copy, so a key that was
staged and then deleted from the working file is still scanned. Two git
processes do all the reading: one `git diff --cached --raw` lists the staged
paths with their blob ids, and one `git cat-file --batch` streams the blobs.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from auditor.errors import UserError
from auditor.model import CoverageGap
from auditor.sources import FileInfo, LoadedFile, SourceResult
from auditor.sources.loading import FileLoader
from auditor.sources.reading import decode
from auditor.sources.tree import classify

SCOPE = "staged"
_GITLINK_MODE = "160000"
_STATUS_WORDS = {
    "A": "added",
    "C": "copied",
    "M": "modified",
    "R": "renamed",
    "T": "type changed",
}


@dataclass(frozen=True)
class StagedFileInfo(FileInfo):
    """A staged blob, and the keys the committed version of its path held."""

    status: str = "added"
    blob: str = ""
    previous_path: str | None = None
    # Fingerprints of the keys in the HEAD version of this path (or of the
    # rename's source), so that a check can tell a new key from one that was
    # already committed.
    committed_fingerprints: frozenset[str] = frozenset()


@dataclass(frozen=True)
class StagedEntry:
    """One line of `git diff --cached --raw`: a staged path and its blob ids."""

    status: str
    path: str
    previous_path: str | None
    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str


def scan_staged(directory: Path, settings: dict[str, Any]) -> tuple[Path, SourceResult]:
    """Load the staged blob of every added, modified or renamed path.

    Return the repository's top-level folder (paths are relative to it) and
    the loaded files. Unmerged paths and submodules are coverage gaps.
    """
    root = top_level(directory)
    entries = staged_entries(root)
    result = SourceResult()
    wanted: list[StagedEntry] = []
    for entry in entries:
        gap = _gap_for(entry)
        if gap is not None:
            result.gaps.append(gap)
        elif entry.status != "D":
            wanted.append(entry)
    blob_ids = {entry.new_blob for entry in wanted}
    blob_ids.update(entry.old_blob for entry in wanted if _has_old_blob(entry))
    max_size = int(settings["max_file_size"])
    blobs = read_blobs(root, sorted(blob_ids), max_size)
    loader = FileLoader(root, SCOPE, settings)
    for entry in wanted:
        loaded = _load_entry(loader, entry, blobs, max_size)
        if loaded is not None:
            result.files.append(loaded)
    result.gaps.extend(loader.gaps)
    return root, result


# Top-level folders already found, by the folder passed in. The CLI looks one
# up first (to find the policy file), and the source looks it up again.
_TOP_LEVELS: dict[Path, Path] = {}


def top_level(directory: Path) -> Path:
    """Return the top-level folder of the git work tree that contains `directory`."""
    known = _TOP_LEVELS.get(directory)
    if known is not None:
        return known
    completed = _git(directory, "rev-parse", "--show-toplevel")
    if completed.returncode != 0:
        raise UserError(
            f"{directory}: not inside a git work tree; --staged needs a repository "
            "with an index (run it from the repository, or pass --repo)."
        )
    root = Path(os.fsdecode(completed.stdout.rstrip(b"\n")))
    _TOP_LEVELS[directory] = _TOP_LEVELS[root] = root
    return root


def staged_entries(root: Path) -> list[StagedEntry]:
    """List the staged changes, with renames detected and full blob ids."""
    completed = _git(
        root, "diff", "--cached", "--raw", "-z", "--no-abbrev", "--find-renames"
    )
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise UserError(f"{root}: git diff --cached failed: {message}")
    return list(parse_raw_diff(completed.stdout))


def parse_raw_diff(output: bytes) -> Iterator[StagedEntry]:
    """Parse `git diff --raw -z` records: `:MODE MODE BLOB BLOB STATUS\\0PATH\\0`.

    Renames and copies carry two paths, the source first.
    """
    fields = output.split(b"\0")
    index = 0
    while index < len(fields) and fields[index].startswith(b":"):
        old_mode, new_mode, old_blob, new_blob, status = (
            fields[index][1:].decode("ascii").split(" ")
        )
        letter = status[0]
        previous = None
        if letter in "RC":
            previous = os.fsdecode(fields[index + 1])
            index += 1
        path = os.fsdecode(fields[index + 1])
        index += 2
        yield StagedEntry(
            letter, path, previous, old_mode, new_mode, old_blob, new_blob
        )


def read_blobs(
    root: Path, blob_ids: list[str], max_size: int
) -> dict[str, bytes | int]:
    """Read blobs through one `git cat-file --batch` process.

    Return each blob's bytes, or its size in bytes when it is over `max_size`
    (its bytes are then read and dropped). A missing blob is left out.
    """
    if not blob_ids:
        return {}
    process = subprocess.Popen(
        ["git", "cat-file", "--batch"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    # A writer thread keeps both pipes moving: with thousands of ids, writing
    # them all before reading could fill both pipe buffers and block.
    writer = threading.Thread(
        target=_write_requests, args=(process.stdin, blob_ids), daemon=True
    )
    writer.start()
    blobs: dict[str, bytes | int] = {}
    try:
        for _ in blob_ids:
            _read_one(process.stdout, max_size, blobs)
    finally:
        writer.join()
        process.stdout.close()
        process.wait()
    return blobs


def _write_requests(stdin: IO[bytes], blob_ids: list[str]) -> None:
    # If git exits early, the pipe breaks; the reader then records each blob
    # it did not receive as a coverage gap.
    with contextlib.suppress(BrokenPipeError):
        stdin.write("".join(f"{blob}\n" for blob in blob_ids).encode("ascii"))
    with contextlib.suppress(BrokenPipeError):
        stdin.close()


def _read_one(stdout: IO[bytes], max_size: int, blobs: dict[str, bytes | int]) -> None:
    header = stdout.readline().decode("ascii").split()
    if len(header) != 3:
        return  # `BLOB missing`: the object is not in this repository
    blob, _, size_text = header
    size = int(size_text)
    if size > max_size:
        _skip(stdout, size + 1)
        blobs[blob] = size
        return
    blobs[blob] = stdout.read(size)
    stdout.read(1)  # the newline after each object


def _skip(stdout: IO[bytes], count: int) -> None:
    while count > 0:
        chunk = stdout.read(min(count, 1 << 20))
        if not chunk:
            return
        count -= len(chunk)


def _gap_for(entry: StagedEntry) -> CoverageGap | None:
    if entry.status == "U":
        detail = "unmerged path: resolve the conflict and stage it, then scan again"
        return CoverageGap(entry.path, "unmerged", detail, SCOPE, False)
    if entry.new_mode == _GITLINK_MODE and entry.status != "D":
        detail = "submodule: its files belong to another repository; scan that one"
        return CoverageGap(entry.path, "submodule", detail, SCOPE, False)
    return None


def _has_old_blob(entry: StagedEntry) -> bool:
    return entry.status in "MRT" and entry.old_mode not in ("000000", _GITLINK_MODE)


def _load_entry(
    loader: FileLoader,
    entry: StagedEntry,
    blobs: dict[str, bytes | int],
    max_size: int,
) -> LoadedFile | None:
    data = blobs.get(entry.new_blob)
    if data is None:
        detail = f"blob {entry.new_blob} not found in the object database"
        loader.gaps.append(CoverageGap(entry.path, "missing-blob", detail, SCOPE))
        return None
    if isinstance(data, int):
        detail = f"{data} bytes, over the limit of {max_size} bytes"
        loader.gaps.append(CoverageGap(entry.path, "too-large", detail, SCOPE))
        return None
    role, fmt = classify(entry.path.rsplit("/", 1)[-1])
    info = StagedFileInfo(
        scope=SCOPE,
        path=entry.path,
        role=role,
        format=fmt,
        tool="staged change",
        size=len(data),
        status=_STATUS_WORDS.get(entry.status, entry.status),
        blob=entry.new_blob,
        previous_path=entry.previous_path,
        committed_fingerprints=_committed_keys(entry, blobs, fmt),
    )
    return loader.text_file(info, data)


def _committed_keys(
    entry: StagedEntry, blobs: dict[str, bytes | int], fmt: str
) -> frozenset[str]:
    """Return the fingerprints of the keys in the path's committed version."""
    if not _has_old_blob(entry):
        return frozenset()
    data = blobs.get(entry.old_blob)
    if not isinstance(data, bytes):
        return frozenset()
    from auditor.detect.scanner import find_keys, has_candidates
    from auditor.formats import parse

    decoded = decode(data)
    if not has_candidates(decoded.text):
        return frozenset()
    document = parse(decoded.text, "text" if decoded.binary else fmt)
    return frozenset(found.secret.fingerprint for found in find_keys(document))


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise UserError(
            "git not found; --staged needs git on the PATH (install git)."
        ) from None
