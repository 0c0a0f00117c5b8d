"""Read files safely: `lstat` first, regular files only, never out of the root."""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from auditor.model import CoverageGap

BINARY_SNIFF_BYTES = 8192
_DEV_NULL = Path("/dev/null")
_PRINTABLE_RUN = re.compile(rb"[\x20-\x7e]{8,}")


@dataclass(frozen=True)
class ReadFile:
    """The bytes of a regular file and its status."""

    data: bytes
    mode: int
    uid: int
    size: int
    real_path: Path
    identity: tuple[int, int]


def display_path(path: str | os.PathLike[str]) -> str:
    """Return a path from the file system as report text, whatever the locale.

    Under a non-UTF-8 locale Python decodes file names to surrogate escapes,
    which cannot be written as UTF-8. The name's bytes are decoded as UTF-8
    instead, and bytes that are not UTF-8 are shown as `\\xNN` escapes.
    """
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def inside(root: Path, path: Path) -> bool:
    """Return True when `path` (already resolved) is `root` or below it."""
    return path == root or root in path.parents


def read_regular(
    root: Path, path: Path, rel: str, scope: str, max_size: int
) -> ReadFile | CoverageGap:
    """Read a regular file under `root`, or return why it was not read.

    A symbolic link is read only when it resolves to a regular file inside
    the root, so an audit run as root cannot be led into other users' files.
    """
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return CoverageGap(rel, "vanished", "removed while the scan ran", scope, False)
    except OSError as error:
        return CoverageGap(
            rel, "unreadable", error.strerror or str(error), scope, False
        )
    real = path
    if stat.S_ISLNK(status.st_mode):
        real = Path(os.path.realpath(path))
        if real == _DEV_NULL:
            # A common way to turn shell history off: nothing is there to
            # read, so it is listed as scanned and does not fail --strict.
            detail = "symbolic link to /dev/null; holds nothing"
            return CoverageGap(rel, "link-to-dev-null", detail, scope, True)
        if not inside(root, real):
            return CoverageGap(
                rel,
                "symlink-outside-root",
                "symbolic link to a path outside the scanned root; not followed",
                scope,
                False,
            )
        try:
            status = os.stat(real, follow_symlinks=False)
        except OSError as error:
            return CoverageGap(
                rel, "broken-symlink", error.strerror or str(error), scope, False
            )
        if stat.S_ISLNK(status.st_mode):
            # realpath() stops at a link that leads back to itself.
            detail = "symbolic link loop; not followed"
            return CoverageGap(rel, "symlink-loop", detail, scope, False)
    if not stat.S_ISREG(status.st_mode):
        return CoverageGap(
            rel, "not-a-regular-file", _kind(status.st_mode), scope, False
        )
    if status.st_size > max_size:
        detail = f"{status.st_size} bytes, over the limit of {max_size} bytes"
        return CoverageGap(rel, "too-large", detail, scope, False)
    return _read(real, rel, scope, status)


def _read(
    real: Path, rel: str, scope: str, status: os.stat_result
) -> ReadFile | CoverageGap:
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(real, flags)
    except PermissionError:
        return CoverageGap(
            rel, "permission-denied", "not scanned: permission denied", scope, False
        )
    except OSError as error:
        return CoverageGap(
            rel, "unreadable", error.strerror or str(error), scope, False
        )
    with os.fdopen(descriptor, "rb") as handle:
        opened = os.fstat(handle.fileno())
        if not stat.S_ISREG(opened.st_mode):
            return CoverageGap(
                rel, "not-a-regular-file", "changed while the scan ran", scope, False
            )
        data = handle.read(status.st_size + 1)
    return ReadFile(
        data=data,
        mode=stat.S_IMODE(opened.st_mode),
        uid=opened.st_uid,
        size=len(data),
        real_path=real,
        identity=(opened.st_dev, opened.st_ino),
    )


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return f"{name}, not a regular file"
    return "not a regular file"


def printable_strings(data: bytes) -> str:
    """Return the runs of eight or more printable ASCII characters, one per line."""
    return b"\n".join(_PRINTABLE_RUN.findall(data)).decode("ascii")


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, and what a reader should know about how."""

    text: str
    binary: bool
    note: str | None


def decode(data: bytes) -> Decoded:
    """Decode bytes explicitly, whatever the locale.

    UTF-8 (with or without a BOM) and UTF-16 with a BOM are decoded as text.
    Bytes with a NUL in the first 8 KiB are binary: only runs of eight or more
    printable ASCII characters are kept, one per line. Other invalid UTF-8 is
    decoded with replacement characters, and the note says where it failed.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16", errors="replace"), False, None)
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        note = "binary file: only its printable strings were scanned"
        return Decoded(printable_strings(data), True, note)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return Decoded(data.decode("utf-8"), False, None)
    except UnicodeDecodeError as error:
        note = (
            f"not valid UTF-8 at byte {error.start}; decoded with replacement "
            "characters, so text around that byte may be missed"
        )
        return Decoded(data.decode("utf-8", errors="replace"), False, note)
