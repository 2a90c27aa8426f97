"""Scale-out: `up` with RabbitMQ and no worker of its own, and two warm run workers as
separate processes (the second in its own network namespace, reaching PostgreSQL and
RabbitMQ over a veth pair). Sessions spread over both; a worker killed with -9 in the
middle of a step loses no session: its run is failed by the heartbeat check and retried
on the other worker.

Uses this machine's PostgreSQL (SCALE_OUT_PG_URL) and RabbitMQ (SCALE_OUT_BROKER_URL)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest

from speaking_pipeline.orchestration.workers import HEARTBEAT_KEY_PREFIX
from speaking_pipeline.security.tokens import mint_token
from tests.databases import create_database, drop_database
from tests.fault_support import assert_consistent
from tests.support import SPEECH_DIR, free_port, wait_for_url

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("SCALE_OUT_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BROKER_URL = os.environ.get("SCALE_OUT_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
SECRET = "scale-out-secret-0123456789abcdef0123"
SESSIONS = 6
# From the kill to DONE on the other worker: heartbeat timeout (15 s) + run monitoring
# poll (5 s) + the retried run queued, launched and run again on a loaded machine.
RECOVERY_BOUND_SECS = 240


@dataclass
class Stack:
    env: dict[str, str]
    data_dir: Path
    app_db: str
    dagster_db: str
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    namespaced: bool = False

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.env['API_PORT']}"

    @property
    def graphql(self) -> str:
        return f"http://127.0.0.1:{self.env['DAGSTER_PORT']}/graphql"


class Namespace:
    """A network namespace joined to the host by a veth pair; socat on the host side
    forwards PostgreSQL and RabbitMQ (which listen on 127.0.0.1 only)."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6]
        self.name = f"sp{tag}"
        self.host_if, self.ns_if = f"vh{tag}", f"vn{tag}"
        octet = int(tag[:2], 16) % 200 + 20
        self.host_ip, self.ns_ip = f"10.213.{octet}.1", f"10.213.{octet}.2"
        self.forwarders: list[subprocess.Popen[bytes]] = []

    def up(self) -> bool:
        steps = [
            ["ip", "netns", "add", self.name],
            ["ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if],
            ["ip", "link", "set", self.ns_if, "netns", self.name],
            ["ip", "addr", "add", f"{self.host_ip}/30", "dev", self.host_if],
            ["ip", "link", "set", self.host_if, "up"],
            [
                "ip",
                "netns",
                "exec",
                self.name,
                "ip",
                "addr",
                "add",
                f"{self.ns_ip}/30",
                "dev",
                self.ns_if,
            ],
            ["ip", "netns", "exec", self.name, "ip", "link", "set", self.ns_if, "up"],
            ["ip", "netns", "exec", self.name, "ip", "link", "set", "lo", "up"],
        ]
        for step in steps:
            if subprocess.run(step, capture_output=True).returncode != 0:
                self.down()
                return False
        for port in (5432, 5672):
            self.forwarders.append(
                subprocess.Popen(
                    [
                        "socat",
                        f"TCP-LISTEN:{port},bind={self.host_ip},fork,reuseaddr",
                        f"TCP:127.0.0.1:{port}",
                    ]
                )
            )
        time.sleep(0.5)
        return True

    def exec_prefix(self) -> list[str]:
        return ["ip", "netns", "exec", self.name]

    def down(self) -> None:
        for f in self.forwarders:
            f.terminate()
            f.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True)


def _start_worker(
    stack: Stack, name: str, env: dict[str, str], prefix: list[str] | None = None
) -> None:
    log = (stack.data_dir / f"worker-{name}.log").open("wb")
    command = [str(BIN / "speaking-pipeline"), "worker", "--concurrency", "1"]
    stack.workers[name] = subprocess.Popen(
        [*(prefix or []), *command, "--name", f"{name}@scale-out"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


@pytest.fixture
def stack(whisper_model_dir: Path) -> Iterator[Stack]:
    app_db = create_database(PG_URL, "sp_scale")
    dagster_db = create_database(PG_URL, "sp_scale_dagster")
    data_dir = Path(tempfile.mkdtemp(prefix="sp-scale-"))
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
        DATABASE_URL=app_db,
        DAGSTER_DATABASE_URL=dagster_db,
        BROKER_URL=BROKER_URL,
        # `up` starts no worker: both run as processes of their own below.
        WORKER_CONCURRENCY="0",
        # A queue of this test's own on the shared RabbitMQ.
        WORKER_QUEUE=f"sp-test-{uuid.uuid4().hex[:8]}",
    )
    up = subprocess.Popen(
        [str(BIN / "speaking-pipeline"), "up"],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=(data_dir / "up.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    stack = Stack(env=env, data_dir=data_dir, app_db=app_db, dagster_db=dagster_db)
    namespace = Namespace()
    try:
        wait_for_url(f"{stack.api}/healthz", 180, up)
        wait_for_url(f"http://127.0.0.1:{dagster_port}/server_info", 180, up)
        _start_worker(stack, "a", env)
        if namespace.up():
            stack.namespaced = True
            remote = {
                k: (v.replace("127.0.0.1", namespace.host_ip) if k.endswith("_URL") else v)
                for k, v in env.items()
            }
            _start_worker(stack, "b", remote, namespace.exec_prefix())
        else:
            _start_worker(stack, "b", env)
        yield stack
    finally:
        for worker in stack.workers.values():
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
        namespace.down()
        if up.poll() is None:
            os.killpg(up.pid, signal.SIGINT)
        try:
            up.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
        for name in ("up", "worker-a", "worker-b"):
            log = data_dir / f"{name}.log"
            if log.exists():
                lines = log.read_text(errors="replace").splitlines()
                interesting = [line for line in lines if " - DEBUG - " not in line]
                print(f"--- {name} (tail)\n" + "\n".join(interesting[-60:]))
        shutil.rmtree(data_dir, ignore_errors=True)
        drop_database(PG_URL, app_db)
        drop_database(PG_URL, dagster_db)


def _upload(stack: Stack, user: str) -> str:
    path = SPEECH_DIR / "speech.ogg"
    with path.open("rb") as f:
        response = httpx.post(
            f"{stack.api}/api/sessions",
            files={"audio": (path.name, f, "audio/ogg")},
            data={"duration": "11.6"},
            headers={"Authorization": "Bearer " + mint_token(user, SECRET)},
            timeout=60,
        )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _status(stack: Stack, user: str, session_id: str) -> str:
    response = httpx.get(
        f"{stack.api}/api/sessions/{session_id}",
        headers={"Authorization": "Bearer " + mint_token(user, SECRET)},
        timeout=30,
    )
    return str(response.json()["status"])


def _error(stack: Stack, user: str, session_id: str) -> object:
    response = httpx.get(
        f"{stack.api}/api/sessions/{session_id}",
        headers={"Authorization": "Bearer " + mint_token(user, SECRET)},
        timeout=30,
    )
    return response.json().get("errorMessage")


def _wait_done(stack: Stack, owned: dict[str, str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = dict(owned)
    while pending and time.monotonic() < deadline:
        for sid, user in list(pending.items()):
            status = _status(stack, user, sid)
            assert status != "FAILED", (sid, _error(stack, user, sid), _workers_of(stack, sid))
            if status == "DONE":
                del pending[sid]
        time.sleep(1)
    assert not pending, f"not DONE within {timeout} s: {sorted(pending)}"


RUNS = """
query($tags: [ExecutionTag!]) { runsOrError(filter: {tags: $tags}) {
  ... on Runs { results { runId status creationTime } } } }
"""


def _worker_of_run(stack: Stack, run_id: str) -> str:
    """The worker named by the run's heartbeat (orchestration/workers.py), or ''."""
    with psycopg.connect(stack.dagster_db) as conn:
        row = conn.execute(
            "SELECT value FROM kvs WHERE key = %s", (HEARTBEAT_KEY_PREFIX + run_id,)
        ).fetchone()
    return str(json.loads(row[0])["worker"]) if row else ""


def _workers_of(stack: Stack, session_id: str) -> list[tuple[str, str]]:
    """(run status, worker) of the session's runs, oldest first."""
    response = httpx.post(
        stack.graphql,
        json={
            "query": RUNS,
            "variables": {"tags": [{"key": "dagster/partition", "value": session_id}]},
        },
        timeout=30,
    )
    runs = response.json()["data"]["runsOrError"]["results"]
    out = []
    for run in sorted(runs, key=lambda r: r["creationTime"]):
        out.append((str(run["status"]), _worker_of_run(stack, run["runId"])))
    return out


def test_two_workers_share_the_load_and_survive_a_kill(stack: Stack) -> None:
    print(f"second worker in its own network namespace: {stack.namespaced}")
    owned = {_upload(stack, f"scale-{i % 3}"): f"scale-{i % 3}" for i in range(SESSIONS)}
    _wait_done(stack, owned, 600)
    nodes = set()
    for sid in owned:
        runs = _workers_of(stack, sid)
        assert [s for s, _ in runs] == ["SUCCESS"], runs  # one run each, never two
        nodes.add(runs[0][1].split("/")[0])
    assert nodes == {"a@scale-out", "b@scale-out"}, nodes
    assert_consistent(stack.app_db)

    # Kill -9 the worker running a new session's steps; it ends DONE on the other worker.
    victim_session = _upload(stack, "scale-kill")
    deadline = time.monotonic() + 300
    victim, seen = None, []
    while time.monotonic() < deadline and victim is None:
        status = _status(stack, "scale-kill", victim_session)
        seen.append(status)
        assert status != "DONE", f"finished before it could be killed: {seen}"
        runs = _workers_of(stack, victim_session)
        # TRANSCRIBING or ANALYZING: a step has started on the worker named by the run.
        if runs and runs[-1][1] and status in ("TRANSCRIBING", "ANALYZING"):
            victim = runs[-1][1].split("@")[0]
    print(f"killing in status {seen[-1]}")
    assert victim in stack.workers, f"no worker took the session: {victim}"
    os.killpg(stack.workers[victim].pid, signal.SIGKILL)
    killed_at = time.monotonic()
    _wait_done(stack, {victim_session: "scale-kill"}, RECOVERY_BOUND_SECS)
    print(f"killed worker {victim}; DONE {time.monotonic() - killed_at:.1f} s later")
    runs = _workers_of(stack, victim_session)
    assert [s for s, _ in runs] == ["FAILURE", "SUCCESS"], runs
    survivor = ({"a", "b"} - {victim}).pop()
    assert runs[-1][1].startswith(f"{survivor}@"), runs
    assert_consistent(stack.app_db)
