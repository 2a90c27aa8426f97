"""`up`: database, migrations, Dagster webserver and daemon, and the API on one machine."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import yaml

from speaking_pipeline.cli.ports import free_port
from speaking_pipeline.cli.supervisor import Child, Supervisor
from speaking_pipeline.config import Settings, get_settings
from speaking_pipeline.db.engine import resolve_database_urls
from speaking_pipeline.db.migrate import upgrade
from speaking_pipeline.db.urls import redact
from speaking_pipeline.defs.maintenance.workers import free_slots_of_ended_runs
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
from speaking_pipeline.orchestration.workers import worker_command, worker_environment

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = REPO_ROOT / "workspace.yaml"


def code_locations(workspace: Path = WORKSPACE) -> dict[str, str]:
    """workspace.yaml's code locations: location name -> module."""
    entries = yaml.safe_load(workspace.read_text())["load_from"]
    return {e["python_module"]["location_name"]: e["python_module"]["module_name"] for e in entries}


READY_POLL_SECS = 1.0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status < 500)
    except (OSError, ValueError):
        return False


def _export_worker_settings(settings: Settings) -> None:
    # Exported before dagster.yaml is written, so that every child writes the same one.
    os.environ[RUN_LAUNCHER_ENV] = "warm"
    os.environ[WORKER_QUEUE_ENV] = settings.worker_queue
    if settings.broker_url is not None:
        os.environ[BROKER_URL_ENV] = settings.broker_url.get_secret_value()
    else:
        # The database broker, derived from this run's database (prepare_dagster_home),
        # never one an outer environment left behind.
        os.environ.pop(BROKER_URL_ENV, None)


def run_worker(concurrency: int | None, name: str | None) -> int:
    """A warm run worker, on this machine or any other that reaches the database and the
    broker (DATABASE_URL and BROKER_URL point at servers for that)."""
    settings = get_settings()
    _, dagster_url = resolve_database_urls(settings)
    _export_worker_settings(settings)
    prepare_dagster_home(settings.dagster_home, dagster_url)
    os.environ["DATA_DIR"] = str(settings.data_dir.resolve())
    processes = concurrency or max(1, settings.worker_concurrency)
    os.environ.update(worker_environment(processes, settings.whisper_cpu_threads))
    command = worker_command(sys.executable, concurrency=processes, hostname=name)
    os.execv(command[0], command)
    raise AssertionError("unreachable")


def _listening(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    return check


def _code_servers(
    settings: Settings, log: Callable[[str], Path | None]
) -> tuple[list[Child], Path]:
    """One gRPC code server per code location (workspace.yaml's), shared by the webserver
    and the daemon, and the workspace file that points both at them.

    Left to themselves, the webserver and the daemon each start their own code servers,
    and the daemon replaces its own every 60 s (`RELOAD_WORKSPACE_INTERVAL` of Dagster's
    daemon controller): two more imports of each code location a minute, most of the idle
    stack's CPU. Code servers of their own, as Dagster deploys them in production, are
    loaded once and only asked for fresh snapshots."""
    children = []
    entries = []
    taken = {settings.api_port, settings.dagster_port}
    for location, module in code_locations().items():
        # The API and the webserver start after the code servers: their ports are free now.
        port = free_port(avoid=frozenset(taken))
        taken.add(port)
        entries.append(
            {"grpc_server": {"host": "127.0.0.1", "port": port, "location_name": location}}
        )
        children.append(
            Child(
                f"code-server-{location}",
                [
                    sys.executable,
                    "-m",
                    "dagster",
                    "api",
                    "grpc",
                    "-m",
                    module,
                    "--location-name",
                    location,
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                ],
                log(f"code-server-{location}"),
                ready=_listening(port),
            )
        )
    workspace = settings.dagster_home / "workspace.yaml"
    workspace.write_text(yaml.safe_dump({"load_from": entries}, sort_keys=False))
    return children, workspace


def _children(settings: Settings, log_dir: Path | None, *, warm: bool) -> list[Child]:
    bin_dir = Path(sys.executable).parent

    def log(name: str) -> Path | None:
        return log_dir / f"{name}.log" if log_dir is not None else None

    code_servers, workspace_file = _code_servers(settings, log)
    workspace = str(workspace_file)
    # The webserver and the daemon run as separate processes (not `dagster dev`), so that a
    # crash of one is restarted alone while the other keeps serving.
    children = [
        *code_servers,
        Child(
            "dagster-webserver",
            [
                str(bin_dir / "dagster-webserver"),
                "-w",
                workspace,
                "-h",
                settings.dagster_host,
                "-p",
                str(settings.dagster_port),
            ],
            log("dagster-webserver"),
        ),
        Child(
            "dagster-daemon",
            [
                sys.executable,
                "-m",
                "speaking_pipeline.orchestration.daemon",
                "run",
                "-w",
                workspace,
            ],
            log("dagster-daemon"),
        ),
        Child(
            "api",
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
            ],
            log("api"),
        ),
    ]
    if warm and settings.worker_concurrency:
        # Supervised like the others: a crashed worker is restarted with backoff, and its
        # runs are failed by their missing heartbeats and retried.
        children.append(
            Child(
                "run-worker",
                worker_command(sys.executable, concurrency=settings.worker_concurrency),
                log("run-worker"),
                env=worker_environment(settings.worker_concurrency, settings.whisper_cpu_threads),
            )
        )
    return children


def run_up(*, verbose: bool = False) -> int:
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
    # Slots the previous `up`'s runs still hold would keep every new run queued.
    freed = free_slots_of_ended_runs(instance)
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
    log_dir = None if verbose else (settings.data_dir / "logs").resolve()
    dagster_url_shown = f"http://{settings.dagster_host}:{settings.dagster_port}"
    api_url_shown = f"http://{settings.api_host}:{settings.api_port}"

    def say(line: str) -> None:
        print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)

    supervisor = Supervisor(_children(settings, log_dir, warm=warm), REPO_ROOT, say)
    stopping = False

    def _on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    say(f"database {redact(db_url)}")
    if orphans:
        say(f"failed {orphans} run(s) orphaned by the previous `up`")
    if freed:
        say(f"freed the pool slots of {len(freed)} ended run(s)")
    say(
        (
            "starting Dagster, the API and the run worker"
            if warm and settings.worker_concurrency
            else "starting Dagster and the API"
        )
        + (f" (their logs: {log_dir}; `up --verbose` shows them here)" if log_dir else "")
    )
    supervisor.start()
    ready = False
    try:
        while not stopping:
            supervisor.tick()
            if not ready and (
                _answers(f"{api_url_shown}/healthz")
                and _answers(f"{dagster_url_shown}/server_info")
            ):
                ready = True
                say(f"ready: dagster {dagster_url_shown}  api {api_url_shown}  (Ctrl-C stops)")
            time.sleep(READY_POLL_SECS)
    finally:
        say("stopping...")
        supervisor.stop()
    return 0
