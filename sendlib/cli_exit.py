"""How a `python -m sendlib` process ends: exit 0, 1 or 2 with plain lines on stderr, whatever native code does.

Measured on a damaged store (issue 21): about 1 run in 100 of `export` printed its one line and then died at
interpreter shutdown with exit 134 ("terminate called without an active exception": a C++ thread of Arrow's
still joinable as static destructors ran), and a full or read-only disk made a delta-rs worker thread panic,
its panic hook writing a banner straight to file descriptor 2, past Python's `sys.stderr`. So:

- `run` leaves with `os._exit` once both streams are flushed: no native destructor, thread-pool teardown or Tokio
  runtime shutdown runs after the command has said what it did, so none can abort, crash or hang the exit. Every
  file the commands write is already whole on disk (written, fsynced and renamed by `atomic_write`, or committed by
  delta-rs), and a lock is released by the kernel with the process, so nothing is lost by skipping them.
- `run` points descriptor 2 at an in-memory file for the command (memfd: a full disk cannot refuse it) and gives
  Python's `sys.stderr` the original: our own lines stream as before, native writes are held back, and a Rust panic
  report among them is dropped (the panic reaches Python as an error we report in one line); any other native text
  is passed on after the command, made plain.
- `plain` takes escape sequences and control characters out of what we print on stderr, so a message carrying a
  terminal colour code, or a name holding one, is one line of text.
- `disk_problem` says a full or read-only disk by the store's rule (`store.delta.disk_error`, which the store's
  commits apply, so the app says it too) for any message that reaches the CLI unworded.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn, TextIO

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_STORE_OP = re.compile(r"^\w[\w ]* on (\S+) failed: ")
_RUST_PANIC = ("panicked at", "RUST_BACKTRACE", "stack backtrace:")


def plain(text: str) -> str:
    """`text` without terminal escape sequences or control characters other than newline and tab."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def error_line(text: str) -> str:
    """An error message as one plain line: what the terminal shows after "error: "."""
    return " ".join(plain(text).split())


def disk_problem(message: str) -> str | None:
    """A message whose cause is a full or read-only disk, said as one line a manager can act on (the store's
    rule, `store.delta.disk_error`, for a message that did not come through the store's commit); else None."""
    from sendlib.store.delta import disk_error

    where = store.group(1) if (store := _STORE_OP.match(message)) else "the store"
    found = disk_error(message, where)
    return None if found is None else str(found)


class _PlainStream(io.TextIOBase):
    """A text stream passing on what is written to it, made plain (see `plain`)."""

    def __init__(self, inner: TextIO):
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(plain(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def isatty(self) -> bool:
        return self.inner.isatty()


@contextlib.contextmanager
def plain_stderr() -> Iterator[None]:
    """`sys.stderr` made plain while a command runs (in-process callers, such as tests, included)."""
    before = sys.stderr
    sys.stderr = _PlainStream(before)
    try:
        yield
    finally:
        sys.stderr = before


def _native_sink() -> int | None:
    """A descriptor for what native code writes to fd 2: memory where Linux offers it, else a temp file."""
    try:
        return os.memfd_create("sendlib-stderr")
    except (AttributeError, OSError):
        import tempfile

        try:
            return os.dup(tempfile.TemporaryFile().fileno())
        except OSError:
            return None


def _kept(native: str) -> str:
    """Native stderr to pass on: none of it when it holds a Rust panic report, else all of it, made plain."""
    if any(mark in native for mark in _RUST_PANIC):
        return ""
    return "".join(f"{line}\n" for line in (plain(line).strip() for line in native.splitlines()) if line)


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def _exit_code(command: Callable[[], int]) -> int:
    try:
        return command()
    except SystemExit as exc:  # argparse's own exit (--help, a bad flag)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except KeyboardInterrupt:
        return 130


def run(command: Callable[[], int]) -> NoReturn:
    """Run `command` (the CLI's `main`) as the whole process and leave with its exit code (see the module
    docstring for why by `os._exit`, with descriptor 2 held back)."""
    sink = _native_sink()
    saved = os.dup(2) if sink is not None else None
    if sink is not None and saved is not None:
        sys.stderr.flush()
        os.dup2(sink, 2)
        sys.stderr = open(saved, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)
    code = _exit_code(command)
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    if sink is not None:
        with contextlib.suppress(Exception):
            sys.stderr.write(_kept(_read(sink)))
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)
