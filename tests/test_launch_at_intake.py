"""Launch at intake on the real `up` stack: the API launches each run right after it commits
the request, and the intake sensor is the backstop when the API dies in between.

The API is killed with -9 while it is inside its launch call (the webserver address it
was given answers nothing), that is after the commit and before any run exists. After a
restart the session ends DONE with exactly one run, launched by the backstop; a session
uploaded normally gets exactly one run, launched at intake."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from speaking_pipeline.security.tokens import mint_token
from tests.support import SPEECH_DIR, free_port, wait_for_url

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "launch-at-intake-secret-0123456789abcd"
RUNS = """
query($tags: [ExecutionTag!]) { runsOrError(filter: {tags: $tags}) {
  ... on Runs { results { status tags { key value } } } } }
"""


class SilentWebserver:
    """Accepts the API's launch request and never answers it; notes when it arrives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.called = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.called.set()

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


def _up(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "speaking-pipeline"), "up"],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def base_env(whisper_model_dir: Path) -> Iterator[dict[str, str]]:
    data_dir = Path(tempfile.mkdtemp(prefix="sp-intake-"))
    api_port, dagster_port = free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DAGSTER_", "QSTASH", "TRANSCRIBER", "ANALYZER"))
        and not k.startswith(("SPEAKING_", "BROKER_URL", "WORKER_"))
    }
    env.update(
        DATA_DIR=str(data_dir),
        API_PORT=str(api_port),
        DAGSTER_PORT=str(dagster_port),
        APP_URL=f"http://127.0.0.1:{api_port}",
        WHISPER_MODEL_DIR=str(whisper_model_dir),
        AUTH_JWT_SECRET=SECRET,
    )
    yield env
    log = data_dir / "up.log"
    if log.exists():
        print("--- up (tail)\n" + log.read_text(errors="replace")[-3000:])
    shutil.rmtree(data_dir, ignore_errors=True)


def _headers(user: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(user, SECRET)}


def _upload(env: dict[str, str], user: str) -> httpx.Response:
    path = SPEECH_DIR / "speech.ogg"
    with path.open("rb") as f:
        return httpx.post(
            f"http://127.0.0.1:{env['API_PORT']}/api/sessions",
            files={"audio": (path.name, f, "audio/ogg")},
            data={"duration": "11.6"},
            headers=_headers(user),
            timeout=60,
        )


def _sessions(env: dict[str, str], user: str) -> list[dict[str, object]]:
    response = httpx.get(
        f"http://127.0.0.1:{env['API_PORT']}/api/sessions", headers=_headers(user), timeout=30
    )
    return list(response.json()["sessions"])


def _wait_done(env: dict[str, str], user: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = _sessions(env, user)
        assert len(sessions) == 1, sessions
        assert sessions[0]["status"] != "FAILED", sessions
        if sessions[0]["status"] == "DONE":
            return str(sessions[0]["id"])
        time.sleep(1)
    raise AssertionError(f"not DONE within {timeout} s")


def _runs(env: dict[str, str], session_id: str) -> list[tuple[str, str | None]]:
    response = httpx.post(
        f"http://127.0.0.1:{env['DAGSTER_PORT']}/graphql",
        json={
            "query": RUNS,
            "variables": {"tags": [{"key": "dagster/partition", "value": session_id}]},
        },
        timeout=30,
    )
    out = []
    for run in response.json()["data"]["runsOrError"]["results"]:
        tags = {t["key"]: t["value"] for t in run["tags"]}
        out.append((str(run["status"]), tags.get("speaking/launched_by")))
    return out


def _wait_up(env: dict[str, str], proc: subprocess.Popen[bytes]) -> None:
    wait_for_url(f"http://127.0.0.1:{env['API_PORT']}/healthz", 240, proc)
    wait_for_url(f"http://127.0.0.1:{env['DAGSTER_PORT']}/server_info", 240, proc)


def test_api_killed_between_commit_and_launch_loses_nothing(base_env: dict[str, str]) -> None:
    log = Path(base_env["DATA_DIR"]) / "up.log"
    silent = SilentWebserver()
    crashing = dict(base_env, DAGSTER_GRAPHQL_URL=f"http://127.0.0.1:{silent.port}/graphql")
    first = _up(crashing, log)
    try:
        _wait_up(crashing, first)
        api = next(
            p
            for p in psutil.Process(first.pid).children(recursive=True)
            if "uvicorn" in " ".join(p.cmdline())
        )

        def kill_when_launching() -> None:
            if silent.called.wait(120):
                api.kill()  # SIGKILL, inside the launch call: after the commit

        killer = threading.Thread(target=kill_when_launching)
        killer.start()
        with pytest.raises(httpx.HTTPError):
            _upload(crashing, "crash-learner")
        killer.join()
        assert silent.called.is_set()
    finally:
        _stop(first)
        silent.close()

    second = _up(base_env, log)
    try:
        _wait_up(base_env, second)
        crashed = _wait_done(base_env, "crash-learner", 300)
        assert _runs(base_env, crashed) == [("SUCCESS", "intake-sensor")]

        response = _upload(base_env, "normal-learner")
        assert response.status_code == 201, response.text
        normal = _wait_done(base_env, "normal-learner", 300)
        assert _runs(base_env, normal) == [("SUCCESS", "intake")]
    finally:
        _stop(second)
