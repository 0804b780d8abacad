"""Files abreast reads from and writes for the user.

Writes are atomic: a reader never sees half a draft, image or export (reliability.md #20). A new
file gets the mode the user's umask gives any new file (not the 600 of a temporary file); a replaced
file keeps its mode (a 664 draft stays 664).

Reads of a user's file are bounded (issue 18): only a regular file is read (``/dev/zero`` would grow
without end, a FIFO would block forever), and only up to a size limit.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from functools import cache
from pathlib import Path

from ..errors import AbreastError


def write_atomic(path: Path, data: bytes | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@cache
def umask() -> int:
    """The process umask. Read from /proc where there is one: setting it to read it back (the only
    portable way) would briefly give files created meanwhile by other threads the wrong mode."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def read_user_text(path: Path, max_bytes: int) -> str:
    """The UTF-8 text of the regular file ``path``, or an AbreastError saying in one line why
    not."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise AbreastError(f"cannot read {path}: {e.strerror or e}.") from e
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise AbreastError(f"{path} is not a regular file; give the path of a Markdown file.")
        if st.st_size > max_bytes:
            raise AbreastError(_too_big(path, max_bytes))
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:  # it grew while we read
                raise AbreastError(_too_big(path, max_bytes))
    except OSError as e:
        if e.errno == errno.EISDIR:
            raise AbreastError(f"{path} is a folder; give the path of a Markdown file.") from e
        raise AbreastError(f"cannot read {path}: {e.strerror or e}.") from e
    finally:
        os.close(fd)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as e:
        raise AbreastError(f"{path} is not UTF-8 text (byte {e.start} is not).") from e


def _too_big(path: Path, max_bytes: int) -> str:
    return (
        f"{path} is larger than {max_bytes:,} bytes, the most `abreast todo` reads; "
        "raise [write] todo_max_bytes if it really is a draft."
    )
