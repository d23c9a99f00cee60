"""Worker processes for work on untrusted files: whatever a file makes the reader do, only the worker dies.

A reader that aborts on a crafted workbook (a Rust allocation failure cannot be caught) would take down the web
server or the command-line batch with it (issue 16.1). Here each worker runs `python -m etl.sandbox` and

- has its address space (RLIMIT_AS), CPU time (RLIMIT_CPU) and, watched by the caller, wall time limited;
- dies with the process that started it (PR_SET_PDEATHSIG), so a `kill -9` of a load leaves nothing behind;
- gets its jobs as lists of items: when it dies on a job of several items, each item is tried again on its own,
  so only the item that killed it is lost, and the caller learns why (`Died`).

One mechanism for the command line, the sample build and the web upload (etl/load.py). Started by subprocess, not
multiprocessing: nothing of the caller (a web server's threads, Polars' pool, its __main__) is forked or
re-imported."""

from __future__ import annotations

import atexit
import collections
import ctypes
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from etl.settings import (
    WORKER_CPU_SECONDS_PER_FILE,
    WORKER_MEMORY_BYTES,
    WORKER_START_SECONDS,
    WORKER_WALL_SECONDS_PER_FILE,
)

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = WORKER_MEMORY_BYTES  # on top of what the worker uses once started
    cpu_seconds: float = WORKER_CPU_SECONDS_PER_FILE  # per item of a job
    wall_seconds: float = WORKER_WALL_SECONDS_PER_FILE  # per item of a job
    start_seconds: float = WORKER_START_SECONDS


class WorkerError(Exception):
    """The job's code raised (a bug, not a hostile file): the worker's traceback, for the log."""


@dataclass(frozen=True)
class Died:
    """The worker died on this item: 'memory', 'cpu', 'time' or 'crash' (any other signal or exit)."""

    cause: str


class _Worker:
    def __init__(self, init: tuple[Callable, tuple], limits: Limits):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        args = [sys.executable, "-m", "etl.sandbox", str(to_child_r), str(from_child_w), str(os.getpid())]
        self.proc = subprocess.Popen(
            args,
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # a reader's own (English) last words are for nobody's screen
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send = Connection(to_child_w, readable=False)
        self.recv = Connection(from_child_r, writable=False)
        self.fresh = True
        self.job: tuple | None = None
        self.deadline = 0.0
        self.send.send((init, limits))

    def start(self, job: tuple, fn: Callable, limits: Limits) -> None:
        self.job = job
        n = len(job[1])
        self.deadline = time.monotonic() + n * limits.wall_seconds + (limits.start_seconds if self.fresh else 0)
        self.fresh = False
        self.send.send((fn, job[1], n * limits.cpu_seconds))

    def cause(self) -> str:
        """Why the worker is gone (it has exited): SIGXCPU is its CPU limit; an abort is what a reader does when
        an allocation fails under the memory limit, as a SIGKILL of the kernel's out-of-memory killer is."""
        code = self.proc.wait()
        if code == -signal.SIGXCPU:
            return "cpu"
        if code in (-signal.SIGABRT, -signal.SIGKILL, _MEMORY_EXIT):
            return "memory"
        return "crash"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for c in (self.send, self.recv):
            try:
                c.close()
            except OSError:
                pass


_MEMORY_EXIT = 86  # the worker's own exit code after a MemoryError in Python code
_live: set[_Worker] = set()


@atexit.register
def _kill_all() -> None:
    for w in list(_live):
        w.kill()


class Pool:
    """Up to `size` workers, started on demand, each initialised by `init` (a function and its arguments)."""

    def __init__(self, size: int, init: tuple[Callable, tuple], limits: Limits | None = None):
        self.size = max(1, size)
        self.init = init
        self.limits = limits or Limits()
        self.workers: list[_Worker] = []

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for w in self.workers:
            w.kill()
            _live.discard(w)
        self.workers = []

    def _spawn(self) -> _Worker:
        w = _Worker(self.init, self.limits)
        self.workers.append(w)
        _live.add(w)
        return w

    def _drop(self, w: _Worker) -> None:
        w.kill()
        self.workers.remove(w)
        _live.discard(w)

    def imap(self, fn: Callable[[list], list], jobs: list[list]) -> Iterator:
        """fn(items) -> one result per item, for every job; yields every item's result in order (a `Died` for an
        item its worker died on)."""
        pending = collections.deque()
        first = 0
        for items in jobs:
            pending.append((first, list(items)))
            first += len(items)
        total, done, nxt = first, {}, 0
        while len(self.workers) < min(self.size, len(pending)):  # all start importing at once, before any job
            self._spawn()
        while nxt < total:
            while pending and (idle := self._idle()) is not None:
                try:
                    idle.start(pending.popleft(), fn, self.limits)
                except OSError:  # it died before it could take the job (BrokenPipeError)
                    self._died(idle, idle.cause(), pending, done)
            busy = [w for w in self.workers if w.job is not None]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.recv for w in busy], timeout=timeout)
            for w in busy:
                if w.recv in ready:
                    try:
                        status, results = w.recv.recv()
                    except (EOFError, OSError):
                        self._died(w, w.cause(), pending, done)
                        continue
                    if status == "error":
                        raise WorkerError(results)
                    start, _ = w.job
                    for i, r in enumerate(results):
                        done[start + i] = r
                    w.job = None
                elif time.monotonic() >= w.deadline:
                    self._died(w, "time", pending, done)
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1

    def _idle(self) -> _Worker | None:
        for w in self.workers:
            if w.job is None:
                return w
        return self._spawn() if len(self.workers) < self.size else None

    def _died(self, w: _Worker, cause: str, pending: collections.deque, done: dict) -> None:
        start, items = w.job
        self._drop(w)
        if len(items) > 1:  # find the item that kills: each on its own, first in the queue
            for i in reversed(range(len(items))):
                pending.appendleft((start + i, [items[i]]))
        else:
            done[start] = Died(cause)


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above: nobody would ever reap us
        os._exit(0)


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _serve(fd_in: int, fd_out: int, parent: int) -> None:
    _die_with_parent(parent)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborted reader leaves no core file of the upload
    recv, send = Connection(fd_in, writable=False), Connection(fd_out, readable=False)
    try:
        (init_fn, init_args), limits = recv.recv()
    except EOFError:
        return
    init_fn(*init_args)  # imports the readers: their memory counts in the base, not in the budget
    base = _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (base + limits.memory_bytes, base + limits.memory_bytes))
    while True:
        try:
            fn, items, cpu_seconds = recv.recv()
        except EOFError:
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = used.ru_utime + used.ru_stime
        soft = int(spent + cpu_seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (soft, resource.RLIM_INFINITY))  # SIGXCPU past it: the job dies
        try:
            send.send(("ok", fn(items)))
        except MemoryError:
            os._exit(_MEMORY_EXIT)
        except Exception:
            import traceback

            send.send(("error", traceback.format_exc()))


if __name__ == "__main__":
    _serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
