"""Keeps `up`'s child processes running: a child that exits is restarted with backoff."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

SHUTDOWN_GRACE_SECS = 20
# Restart after 1, 2, 4 … s, at most a minute apart; a child that then stays up this long
# is healthy again and its next crash starts over at 1 s.
BACKOFF_START_SECS = 1.0
BACKOFF_MAX_SECS = 60.0
HEALTHY_AFTER_SECS = 120.0
READY_TIMEOUT_SECS = 120.0


@dataclass
class Child:
    name: str
    args: Sequence[str]
    log_path: Path | None  # None: the child writes to the terminal
    # Added to the supervisor's own environment for this child only.
    env: Mapping[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    # Started before the children after it, which wait (bounded) until it answers.
    ready: Callable[[], bool] | None = None
    next_start: float | None = None
    # Process groups of earlier, crashed runs of this child (their code servers).
    stale_groups: list[int] = field(default_factory=list)
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self, cwd: Path) -> None:
        if self.log_path is not None and self._log is None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("ab")
        # Own process group: Ctrl-C is relayed once, in order, rather than racing the
        # children, and a child's own children (code servers, run workers) stop with it.
        self.proc = subprocess.Popen(
            list(self.args),
            cwd=cwd,
            start_new_session=True,
            env={**os.environ, **self.env} if self.env else None,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log is not None else None,
        )
        self.started_at = time.monotonic()
        self.next_start = None

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def backoff_secs(restarts: int) -> float:
    return float(min(BACKOFF_MAX_SECS, BACKOFF_START_SECS * 2 ** max(0, restarts - 1)))


class Supervisor:
    def __init__(self, children: list[Child], cwd: Path, say: Callable[[str], None]) -> None:
        self.children = children
        self.cwd = cwd
        self.say = say

    def start(self, ready_timeout: float = READY_TIMEOUT_SECS) -> None:
        for child in self.children:
            child.start(self.cwd)
            if child.ready is not None:
                # Bounded: a child that is slow to answer is not fatal (those that need it
                # retry), it only makes them start with an error they recover from.
                deadline = time.monotonic() + ready_timeout
                while not child.ready() and time.monotonic() < deadline:
                    if child.proc is not None and child.proc.poll() is not None:
                        break
                    time.sleep(0.2)

    def tick(self) -> None:
        """Restart any child that exited, once its backoff has passed."""
        now = time.monotonic()
        for child in self.children:
            if (
                child.proc is not None
                and child.proc.poll() is not None
                and child.next_start is None
            ):
                if now - child.started_at > HEALTHY_AFTER_SECS:
                    child.restarts = 0
                child.restarts += 1
                delay = backoff_secs(child.restarts)
                child.next_start = now + delay
                self.say(
                    f"{child.name} exited ({_exit_text(child.proc.returncode)}); restarting in "
                    f"{delay:.0f} s (restart {child.restarts})"
                )
            if child.next_start is not None and now >= child.next_start:
                # What the dead child started goes with it: a code server orphaned by a
                # killed daemon can wait forever on run workers it never reaps. Runs cut
                # short here are reported failed by the run sweeper and retried. SIGKILL: a
                # code server answers SIGTERM by waiting for those same workers.
                if child.proc is not None:
                    _kill_group(child.proc.pid, signal.SIGKILL)
                    child.stale_groups.append(child.proc.pid)
                child.start(self.cwd)
                self.say(f"{child.name} restarted")

    def all_running(self) -> bool:
        return all(c.proc is not None and c.proc.poll() is None for c in self.children)

    def stop(self) -> None:
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + SHUTDOWN_GRACE_SECS
        for child in self.children:
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.proc.wait()
            _stop_group(child)
            for group in child.stale_groups:
                _kill_group(group, signal.SIGKILL)
            child.close()


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _signal_group(child: Child, sig: signal.Signals) -> None:
    if child.proc is not None:
        _kill_group(child.proc.pid, sig)


def _kill_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _stop_group(child: Child) -> None:
    """At shutdown, kill what is left of the child's process group (code servers, run
    workers): the next `up` reports runs still marked running as failed, so none may
    outlive this one."""
    _signal_group(child, signal.SIGKILL)
