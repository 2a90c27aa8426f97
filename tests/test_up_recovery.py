"""A running `up` survives what kills pipelines: run workers and the daemon killed with
SIGKILL, and the database gone for 15 s and then 60 s.

Real processes throughout: `speaking-pipeline up` (Dagster webserver, daemon, run workers,
the API) talks to PostgreSQL through a TCP proxy that cuts every connection and refuses new
ones during an outage. Afterwards every session is DONE, or FAILED with one of the fixed
learner messages; no audio is left; new uploads are processed; profiles equal their
recomputation; and no log holds a topic or a learner's external id."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from speaking_pipeline.db.urls import dagster_postgres_url
from speaking_pipeline.defs.maintenance.workers import _worker_pid
from speaking_pipeline.domain.failures import LEARNER_MESSAGES
from speaking_pipeline.orchestration import DAGSTER_PG_URL_ENV
from speaking_pipeline.security.tokens import mint_token
from tests.databases import create_database, drop_database
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.tcp_proxy import TcpProxy
from tests.fakes.tcp_proxy import running as proxy_running
from tests.fault_support import assert_consistent
from tests.support import SPEECH_DIR, free_port

pytest_plugins = ["tests.fakes.fixtures"]

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SECRET = "outage-test-secret-0123456789abcdef"
TOPIC_MARKER = "quokka-topic-marker"
# A learner-like transcript written for this test (fillers, past-tense slips, repeats).
TRANSCRIPT = (
    "Um, so yesterday I go to the market with my brother and, um, we buy some bread. "
    "And then we go home and, you know, we cook dinner together. It was very very nice. "
    "Then I watch a film and I go to bed, and, um, I think it was a good day, you know."
)
# Generous bounds: the machine may be loaded; the test waits on conditions, not time.
READY_TIMEOUT = 300
SETTLE_TIMEOUT = 1200


@dataclass
class Stack:
    proc: subprocess.Popen[str]
    env: dict[str, str]
    data_dir: Path
    api: str
    app_db_url: str  # direct, not through the proxy
    proxy: TcpProxy
    instance: DagsterInstance
    output: list[str] = field(default_factory=list)

    def client(self, user: str) -> httpx.Client:
        token = mint_token(user, SECRET)
        return httpx.Client(
            base_url=self.api, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )


def _pump(proc: subprocess.Popen[str], into: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        into.append(line.rstrip("\n"))


@pytest.fixture
def stack(pg_server_url: str, openai_server: FakeOpenAI) -> Iterator[Stack]:
    app_db = create_database(pg_server_url, "sp_outage")
    dagster_db = create_database(pg_server_url, "sp_outage_dagster")
    data_dir = Path(tempfile.mkdtemp(prefix="sp-outage-"))
    openai_server.transcript_text = lambda n: TRANSCRIPT
    openai_server.transcription_delay_secs = 4.0
    api_port, dagster_port = free_port(), free_port()
    with proxy_running(pg_server_url) as proxy:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(
                ("DATABASE_URL", "DAGSTER_", "QSTASH", "TRANSCRIBER", "ANALYZER", "OPENAI")
            )
        }
        env.update(
            DATA_DIR=str(data_dir),
            API_PORT=str(api_port),
            DAGSTER_PORT=str(dagster_port),
            APP_URL=f"http://127.0.0.1:{api_port}",
            DATABASE_URL=proxy.url_for(app_db),
            DAGSTER_DATABASE_URL=proxy.url_for(dagster_db),
            AUTH_JWT_SECRET=SECRET,
            TRANSCRIBER="openai",
            OPENAI_API_KEY=openai_server.api_key,
            OPENAI_BASE_URL=openai_server.api_base,
            ANALYZER="heuristic",
            STUCK_SESSION_AFTER_SECS="30",
            PROVIDER_RETRY_DELAY_SECS="1",
        )
        proc = subprocess.Popen(
            [str(BIN / "speaking-pipeline"), "up"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        output: list[str] = []
        threading.Thread(target=_pump, args=(proc, output), daemon=True).start()
        try:
            _wait(lambda: any(" ready: " in line for line in output), READY_TIMEOUT, proc)
            # The test reads Dagster's storage directly, not through the proxy.
            os.environ[DAGSTER_PG_URL_ENV] = dagster_postgres_url(dagster_db)
            instance = DagsterInstance.from_config(str(data_dir / "dagster"))
            yield Stack(
                proc=proc,
                env=env,
                data_dir=data_dir,
                api=f"http://127.0.0.1:{api_port}",
                app_db_url=app_db,
                proxy=proxy,
                instance=instance,
                output=output,
            )
        finally:
            proxy.up()
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
            os.environ.pop(DAGSTER_PG_URL_ENV, None)
            shutil.rmtree(data_dir, ignore_errors=True)
            drop_database(pg_server_url, app_db)
            drop_database(pg_server_url, dagster_db)


def _wait(condition: object, timeout: float, proc: subprocess.Popen[str] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None:
            assert proc.poll() is None, "up exited"
        if condition():  # type: ignore[operator]
            return
        time.sleep(1)
    raise AssertionError(f"condition not met within {timeout} s")


def _upload(stack: Stack, user: str) -> str:
    path = SPEECH_DIR / "speech.ogg"
    with stack.client(user) as client, path.open("rb") as audio:
        response = client.post(
            "/api/sessions",
            files={"audio": (path.name, audio, "audio/ogg")},
            data={"duration": "8", "topic": f"{TOPIC_MARKER} {user}"},
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _session(stack: Stack, user: str, session_id: str) -> dict[str, object] | None:
    try:
        with stack.client(user) as client:
            response = client.get(f"/api/sessions/{session_id}")
    except httpx.HTTPError:
        return None
    # During an outage the API answers 503, never 500.
    assert response.status_code in (200, 503), response.text
    return response.json() if response.status_code == 200 else None


def _in_flight_workers(stack: Stack) -> list[int]:
    runs = stack.instance.get_runs(RunsFilter(statuses=[DagsterRunStatus.STARTED]))
    return [pid for run in runs if (pid := _worker_pid(stack.instance, run.run_id))]


def _children_named(parent: int, needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and needle in cmdline:
            found.append(int(entry.name))
    return found


def _wait_for_work_in_flight(stack: Stack, timeout: float = 180) -> list[int]:
    pids: list[int] = []

    def started() -> bool:
        pids[:] = _in_flight_workers(stack)
        return bool(pids)

    _wait(started, timeout, stack.proc)
    return pids


# Real processes on a loaded machine: each run starts a worker of its own, and the outages
# alone take 75 s. The bound is generous; nothing here asserts speed.
@pytest.mark.timeout(3600)
def test_killed_workers_daemon_and_database_outages_leave_nothing_stuck(stack: Stack) -> None:
    sessions: dict[str, str] = {}  # session id -> learner

    def add(user: str) -> None:
        sessions[_upload(stack, user)] = user

    # 1. Run workers killed mid-transcription.
    for n in range(3):
        add(f"outage-learner-{n}")
    for pid in _wait_for_work_in_flight(stack):
        os.kill(pid, signal.SIGKILL)

    # 2. The database gone for 15 s while runs are in flight.
    for n in range(3, 5):
        add(f"outage-learner-{n}")
    _wait_for_work_in_flight(stack)
    stack.proxy.down()
    time.sleep(15)
    stack.proxy.up()

    # 3. Gone for 60 s.
    for n in range(5, 7):
        add(f"outage-learner-{n}")
    _wait_for_work_in_flight(stack)
    stack.proxy.down()
    time.sleep(60)
    stack.proxy.up()

    # 4. The daemon killed.
    [daemon] = _children_named(stack.proc.pid, "speaking_pipeline.orchestration.daemon")
    os.kill(daemon, signal.SIGKILL)
    add("outage-learner-7")

    # Every session ends, DONE or FAILED with a fixed learner message.
    final: dict[str, dict[str, object]] = {}

    def all_final() -> bool:
        for session_id, user in sessions.items():
            detail = _session(stack, user, session_id)
            if detail is not None and detail["status"] in ("DONE", "FAILED"):
                final[session_id] = detail
        return len(final) == len(sessions)

    _wait(all_final, SETTLE_TIMEOUT, stack.proc)
    print(
        f"{sum(d['status'] == 'DONE' for d in final.values())} of {len(final)} DONE; "
        f"failed: {[d['errorMessage'] for d in final.values() if d['status'] == 'FAILED']}"
    )
    for detail in final.values():
        if detail["status"] == "FAILED":
            assert detail["errorMessage"] in LEARNER_MESSAGES.values(), detail["errorMessage"]
        assert detail["audioDeletedAt"], detail["id"]

    # New uploads keep flowing.
    after = _upload(stack, "outage-learner-after")
    done: dict[str, object] = {}

    def processed() -> bool:
        detail = _session(stack, "outage-learner-after", after)
        if detail is not None and detail["status"] in ("DONE", "FAILED"):
            done.update(detail)
            return True
        return False

    _wait(processed, 600, stack.proc)
    assert done["status"] == "DONE", done.get("errorMessage")

    # No audio left; rows consistent; profiles equal their recomputation.
    _wait(lambda: not list((stack.data_dir / "audio").rglob("audio.*")), 180, stack.proc)
    assert_consistent(stack.app_db_url)

    # The operator saw the restarts; the logs hold no learner text or external id.
    said = "\n".join(stack.output)
    assert "dagster-daemon exited (killed by SIGKILL)" in said
    assert "dagster-daemon restarted" in said
    logs = said + "".join(
        p.read_text(errors="replace") for p in (stack.data_dir / "logs").glob("*.log")
    )
    assert TOPIC_MARKER not in logs
    assert "outage-learner" not in logs
    assert '" 500' not in logs  # no 500 in the API's access log
