"""`up`: database, migrations, Dagster webserver and daemon, and the API on one machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from speaking_pipeline.config import Settings, get_settings
from speaking_pipeline.db.engine import resolve_database_urls
from speaking_pipeline.db.migrate import upgrade
from speaking_pipeline.db.urls import redact
from speaking_pipeline.orchestration import (
    fail_orphaned_runs,
    initialize_pools,
    instance_at,
    prepare_dagster_home,
)
from speaking_pipeline.orchestration.instance import (
    BROKER_URL_ENV,
    RUN_LAUNCHER_ENV,
    WORKER_QUEUE_ENV,
)
from speaking_pipeline.orchestration.launch import webserver_graphql_url
from speaking_pipeline.orchestration.workers import worker_command

REPO_ROOT = Path(__file__).resolve().parents[2]
SHUTDOWN_GRACE_SECS = 20


def _spawn(args: list[str]) -> subprocess.Popen[bytes]:
    # Own process group: Ctrl-C is relayed once, in order, rather than racing the children.
    return subprocess.Popen(args, cwd=REPO_ROOT, start_new_session=True)


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + SHUTDOWN_GRACE_SECS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _export_worker_settings(settings: Settings) -> None:
    # Exported before dagster.yaml is written, so that every child writes the same one.
    os.environ[RUN_LAUNCHER_ENV] = "warm"
    os.environ[WORKER_QUEUE_ENV] = settings.worker_queue
    if settings.broker_url is not None:
        os.environ[BROKER_URL_ENV] = settings.broker_url.get_secret_value()


def run_worker(concurrency: int | None, name: str | None) -> int:
    """A warm run worker, on this machine or any other that reaches the database and the
    broker (DATABASE_URL and BROKER_URL point at servers for that)."""
    settings = get_settings()
    _, dagster_url = resolve_database_urls(settings)
    _export_worker_settings(settings)
    prepare_dagster_home(settings.dagster_home, dagster_url)
    os.environ["DATA_DIR"] = str(settings.data_dir.resolve())
    command = worker_command(
        sys.executable,
        concurrency=concurrency or max(1, settings.worker_concurrency),
        hostname=name,
    )
    os.execv(command[0], command)
    raise AssertionError("unreachable")


def run_up() -> int:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db_url, dagster_url = resolve_database_urls(settings)
    upgrade(db_url)
    warm = settings.run_workers == "warm"
    if warm:
        _export_worker_settings(settings)
    dagster_home = prepare_dagster_home(settings.dagster_home, dagster_url)
    instance = instance_at(str(dagster_home))
    initialize_pools(instance)
    orphans = fail_orphaned_runs(instance)
    os.environ["DATA_DIR"] = str(settings.data_dir.resolve())
    if settings.transcriber == "whisper-local":
        # Assemble and verify the model once now, not inside the first run.
        from speaking_pipeline.transcription.model_files import resolve_model_dir

        resolve_model_dir(settings.whisper_model_dir, settings.data_dir)

    # The API launches each session's run through the webserver as soon as it records
    # the request; the intake sensor is the backstop.
    os.environ.setdefault(
        "DAGSTER_GRAPHQL_URL", webserver_graphql_url(settings.dagster_host, settings.dagster_port)
    )
    bin_dir = Path(sys.executable).parent
    children = [
        _spawn(
            [
                str(bin_dir / "dagster"),
                "dev",
                "-w",
                str(REPO_ROOT / "workspace.yaml"),
                "-h",
                settings.dagster_host,
                "-p",
                str(settings.dagster_port),
            ]
        ),
        _spawn(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "webhook.app:create_app",
                "--factory",
                "--host",
                settings.api_host,
                "--port",
                str(settings.api_port),
            ]
        ),
    ]
    if warm and settings.worker_concurrency:
        children.append(
            _spawn(worker_command(sys.executable, concurrency=settings.worker_concurrency))
        )
    stopping = False

    def _on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print(
        f"database  {redact(db_url)}\n"
        f"dagster   http://{settings.dagster_host}:{settings.dagster_port}\n"
        f"api       http://{settings.api_host}:{settings.api_port}\n"
        + (f"failed {orphans} run(s) orphaned by the previous `up`\n" if orphans else "")
        + "Ctrl-C stops everything.",
        flush=True,
    )
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        print("stopping...", flush=True)
        _stop(children)
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, 143)]
    return 1 if failed and not stopping else 0
