"""Writing files so that nothing is lost: atomic replacement, read-only files respected, no debris.

Every file Accord writes (the consultation's session file after each
answer, reports and exports given with ``-o``, the rule catalog) goes
through :func:`write_atomically`: the content goes to a temporary file in
the same directory, is flushed to disk, and then replaces the target in one
rename, so a reader — or a crash at any moment — sees the old file or the
new one, never half of one.

* A file whose permissions forbid writing (``chmod 444``, ``chattr +i``, or
  someone else's file) is refused with a message, never replaced behind the
  owner's back; a replaced file keeps its permissions.
* A symbolic link is written through: the file it points to is replaced.
* A device or a named pipe (``-o /dev/stdout``) is written into directly.
* A process killed between creating its temporary file and the rename leaves
  ``.NAME.PID.XXXXXXXX.tmp`` behind; the next write of NAME removes every such
  file whose process is gone.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

from .errors import AccordError, Location, display_path

LEGACY_TMP_AGE = 60  # seconds: temporary files of older versions carry no process id


def write_atomically(path: Path | str, content: str | bytes, error: type[AccordError] = AccordError,
                     what: str = "file", durable: bool = True) -> None:
    """Replace ``path`` with ``content`` (text is written as UTF-8) in one step.

    Parameters
    ----------
    path : path-like
    content : str or bytes
    error : type of AccordError
        Raised, naming the file, when it cannot or must not be written.
    what : str
        How messages call the file ("session file", "file").
    durable : bool
        Flush the file and the rename to disk before returning (the default).
        A caller writing many files it can make again (a folder's reports)
        passes False and syncs once at the end: the replacement stays atomic.

    Raises
    ------
    AccordError
        Of the class ``error``: the file is read-only, is a directory, or the
        directory cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "report.md"
    >>> write_atomically(p, "# Report\\n")
    >>> p.read_text()
    '# Report\\n'
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    shown = Location(display_path(path))
    target = Path(os.path.realpath(path))  # through a symbolic link, not over it
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as exc:
        raise error(f"cannot write the {what}: {exc.strerror or exc}", shown) from None
    if existing is not None:
        if stat.S_ISDIR(existing.st_mode):
            raise error(f"is a directory; the {what} cannot be written there", shown)
        if not stat.S_ISREG(existing.st_mode):  # a device or a pipe: nothing to replace
            _write_into(target, data, error, what, shown)
            return
        if is_read_only(target, existing):
            raise error(f"the {what} is read-only; Accord does not replace a read-only file "
                        "(make it writable, or choose another file)", shown)
    remove_stale_temporaries(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise error(f"cannot write the {what}: {exc.strerror or exc}", shown) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
            _copy_permissions(handle.fileno(), existing)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise error(f"cannot write the {what}: {exc.strerror or exc}", shown) from None
        raise
    if durable:
        _sync_directory(target.parent)


def is_read_only(path: Path, status: os.stat_result | None = None) -> bool:
    """Whether a file's owner has said it must not change.

    No write permission for anyone (``chmod 444``), an immutable file, or a
    file this user may not write. The superuser may write anything, so
    permission bits are read as well as asked about.
    """
    status = status or os.stat(path)
    return not status.st_mode & 0o222 or not os.access(path, os.W_OK)


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files that killed writers of ``target`` left behind; returns them."""
    name = re.escape(target.name)
    ours = re.compile(rf"^\.{name}\.(\d+)\.[A-Za-z0-9_]+\.tmp$")
    legacy = re.compile(rf"^\.{name}\.[A-Za-z0-9_]{{8}}\.tmp$")
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        match = ours.match(entry.name)
        try:
            if match:
                pid = int(match.group(1))
                if pid != os.getpid() and _running(pid):
                    continue  # another process is writing this file right now
            elif not legacy.match(entry.name) or now - entry.stat(follow_symlinks=False).st_mtime < LEGACY_TMP_AGE:
                continue
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # it exists (another user's), or we cannot tell: leave its file alone
    return True


def _write_into(target: Path, data: bytes, error, what: str, shown: Location) -> None:
    try:
        with open(target, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise error(f"cannot write the {what}: {exc.strerror or exc}", shown) from None


def _copy_permissions(fd: int, existing: os.stat_result | None) -> None:
    """A replaced file keeps its mode and owner; a new one gets the usual mode (umask applied)."""
    if existing is None:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
        return
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))
    if hasattr(os, "fchown"):
        try:
            os.fchown(fd, existing.st_uid, existing.st_gid)
        except OSError:
            pass  # only the superuser may give a file away; the mode is what matters


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable (best effort; not every system can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
