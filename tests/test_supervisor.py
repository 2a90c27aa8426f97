"""`up`'s supervisor: a crashed child is restarted with backoff and the restart is logged."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from speaking_pipeline.cli.supervisor import Child, Supervisor, backoff_secs


def test_backoff_doubles_up_to_a_minute() -> None:
    assert [backoff_secs(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0]
    assert backoff_secs(50) == 60.0


def test_a_crashed_child_is_restarted_and_the_others_keep_running(tmp_path: Path) -> None:
    said: list[str] = []
    marker = tmp_path / "starts"
    # Crashes on its first two starts, then stays up.
    crashy = (
        "import pathlib, sys, time\n"
        f"p = pathlib.Path({str(marker)!r})\n"
        "n = int(p.read_text()) if p.exists() else 0\n"
        "p.write_text(str(n + 1))\n"
        "sys.exit(3) if n < 2 else time.sleep(600)\n"
    )
    steady = Child("steady", [sys.executable, "-c", "import time; time.sleep(600)"], None)
    flaky = Child("flaky", [sys.executable, "-c", crashy], tmp_path / "logs" / "flaky.log")
    supervisor = Supervisor([steady, flaky], tmp_path, said.append)
    supervisor.start()
    first_steady = steady.proc
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
            marker.exists() and marker.read_text() == "3" and supervisor.all_running()
        ):
            supervisor.tick()
            time.sleep(0.1)
        assert marker.read_text() == "3"
        assert supervisor.all_running()
        assert steady.proc is first_steady  # untouched by the other's crashes
        assert said[0] == "flaky exited (exit code 3); restarting in 1 s (restart 1)"
        assert "flaky exited (exit code 3); restarting in 2 s (restart 2)" in said
        assert said.count("flaky restarted") == 2
    finally:
        supervisor.stop()
    assert all(c.proc is not None and c.proc.poll() is not None for c in (steady, flaky))
    assert (tmp_path / "logs" / "flaky.log").exists()


def test_a_child_gets_its_own_environment_on_top_of_the_supervisors(tmp_path: Path) -> None:
    log = tmp_path / "env.log"
    script = "import os; print(os.environ['ONLY_HERE'], 'PATH' in os.environ, flush=True)"
    child = Child("env", [sys.executable, "-c", script], log, env={"ONLY_HERE": "7"})
    other = Child(
        "plain",
        [sys.executable, "-c", "import os; print('ONLY_HERE' in os.environ)"],
        tmp_path / "plain.log",
    )
    for c in (child, other):
        c.start(tmp_path)
        assert c.proc is not None
        c.proc.wait(timeout=120)
        c.close()
    assert log.read_text().split() == ["7", "True"]
    assert (tmp_path / "plain.log").read_text().split() == ["False"]
