"""Writing files so that nothing is lost: a new file appears whole or not at all, and until it does,
the old one stays as it was.

    with replacing("data/translator.pt") as f:   # f: a new file beside the target
        torch.save(payload, f)
    # the target now holds what was written; after any error it is unchanged, and the error says why

Only a regular file, or a path where nothing is yet, is ever replaced: a directory, a device such as
``/dev/null``, a named pipe or a socket is refused before anything is written. A symbolic link is
followed on purpose: the file it points to is replaced, and the link stays a link.

Writers of one directory take turns (a lock on the directory), so two programs saving to the same
place never corrupt or delete each other's files.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock: writes there are atomic but not queued
    fcntl = None

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


class FileWriteError(OSError):
    """A file that was not written: the target is not a file, or writing failed (disk full, no permission)."""


def writable_target(path: str | Path) -> Path:
    """The file that writing ``path`` replaces (through a symbolic link, the file it points to), or a
    :class:`FileWriteError` when that is anything but a regular file or a new path."""
    target = Path(os.path.realpath(path))
    try:
        mode = target.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):  # a new path (or one under a file: mkdir will say so)
        return target
    for test, kind in _KINDS:
        if test(mode):
            shown = f"{path} (a link to {target})" if target != Path(path).absolute() else str(path)
            raise FileWriteError(f"{shown} is {kind}, not a file: writing there would replace it; give the path of a file")
    return target


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes, even if the process is killed
        yield
    finally:
        os.close(fd)


def _why(err: BaseException, directory: Path) -> str:
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    if isinstance(err, OSError) and err.errno == errno.EFBIG:
        return "the file would be larger than this system allows"
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    try:  # a writer that reports a failed write as an error of its own (torch: "unexpected pos …")
        st = os.statvfs(directory)
        if st.f_bavail * st.f_frsize < 1 << 20:
            return "the disk is full"
    except OSError:
        pass
    return f"{type(err).__name__}: {(str(err).splitlines() or [''])[0][:200]}"


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write; on leaving the block it replaces ``path`` in one step (see the module)."""
    target = writable_target(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _directory_lock(target.parent):
        for orphan in target.parent.glob(f".{target.name}.*.tmp"):  # left by a writer killed mid-write
            orphan.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; ours are ordinary files
            os.replace(tmp, target)  # atomic on POSIX: readers see the old file or the new one
        except (OSError, RuntimeError) as err:
            Path(tmp).unlink(missing_ok=True)
            kept = "it is unchanged" if target.exists() else "nothing was written"
            raise FileWriteError(f"could not write {path}: {_why(err, target.parent)}; {kept}") from err
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class FileBusy(OSError):
    """Another program holds the lock that :func:`exclusive` asks for."""


@contextlib.contextmanager
def exclusive(lock_path: str | Path) -> Iterator[None]:
    """Hold ``lock_path``'s lock for the block, or raise :class:`FileBusy` at once if another program holds it.
    The lock ends with the process, however it ends; the (empty) lock file stays, so no one deletes a lock
    another holds."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FileBusy(f"{lock_path} is held by another program") from None
        yield
    finally:
        os.close(fd)


def write_text(path: str | Path, text: str) -> Path:
    """``path.write_text(text)``, but atomic and safe as :func:`replacing` is (UTF-8, ``\\n`` line ends)."""
    with replacing(path) as f:
        f.write(text.encode("utf-8"))
    return Path(path)
