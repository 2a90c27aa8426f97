"""Warm run workers: Celery workers that import the code location and load the models once,
and the run launcher that hands each Dagster run to them.

Built on dagster-celery's `CeleryRunLauncher` (a run is one Celery task; the worker runs it
in a long-lived process that has already imported `speaking_pipeline.definitions`), with
what it gets wrong for us fixed here (see docs/scaling.md):

- its `resume_run` passes `execute_job_args_packed` to a task whose parameter is
  `resume_job_args_packed`, so every resume fails: `resume_run` below passes the right name;
- its health check reports any STARTED task as RUNNING, so a worker killed with -9 leaves
  its run RUNNING for ever (dagster-io/dagster#33493): the task sends heartbeats and a
  STARTED task without a recent one is reported FAILED, which run retries then relaunch;
- its default `rpc://` result backend is readable only by the process that sent the task,
  so the daemon's health checks would never see a result: results go to PostgreSQL;
- the runs keep the in-process executor, so a task never waits on sub-tasks (#32915's
  `result.get()` within a task does not arise).

The broker is RabbitMQ for production and scale-out (`BROKER_URL=amqp://...`). With no
broker configured, `up` uses kombu's SQLAlchemy transport on the Dagster database, so the
embedded default needs no server the machine lacks."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from dagster import DagsterInstance, DagsterRun
from dagster._core.launcher import CheckRunHealthResult, ResumeRunContext, WorkerStatus
from dagster._grpc.types import ExecuteRunArgs, ResumeRunArgs
from dagster._serdes import ConfigurableClassData, pack_value, unpack_value
from dagster_celery.config import TASK_RESUME_JOB_NAME
from dagster_celery.launcher import CeleryRunLauncher
from dagster_celery.make_app import make_app
from dagster_celery.tags import DAGSTER_CELERY_TASK_ID_TAG
from dagster_celery.tasks import create_execute_job_task

from speaking_pipeline.orchestration import broker
from speaking_pipeline.orchestration.instance import (
    BROKER_URL_ENV,
    RESULT_BACKEND_ENV,
    WORKER_QUEUE_ENV,
)

QUEUE = "dagster"
# Heartbeats are kept in Dagster's key-value store (table `kvs`) under this prefix, with
# the run id; the value names the worker (Celery node name and pid) and the time.
HEARTBEAT_KEY_PREFIX = "speaking/run_worker_heartbeat/"
# A running task writes a heartbeat this often; one older than the timeout means the
# worker died (kill -9, lost machine). The timeout leaves room for a busy machine.
HEARTBEAT_SECS = 2.0
HEARTBEAT_TIMEOUT_SECS = 15.0


def uses_database_broker(broker_url: str) -> bool:
    return broker_url.startswith(("postgresql://", "postgres://"))


def celery_config(broker_url: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        # One run per worker process at a time, and no run reserved by a busy worker
        # while another is idle.
        "worker_prefetch_multiplier": 1,
        "task_track_started": True,
        "broker_connection_retry_on_startup": True,
        # Results are only read by the health check while the run lives.
        "result_expires": 24 * 3600,
        # The run's own logs are Dagster's; Celery's capture would re-log each line as a
        # WARNING of the worker.
        "worker_redirect_stdouts": False,
    }
    if uses_database_broker(broker_url):
        config["broker_transport"] = f"{broker.__name__}:PostgresTransport"
        # kombu passes transport options to SQLAlchemy's create_engine: only engine ones.
        config["broker_transport_options"] = {"pool_pre_ping": True}
    return config


def make_worker_app(broker_url: str, backend_url: str) -> Celery:
    """The Celery app of the run workers and of the launcher, with the run tasks."""
    app: Celery = make_app(  # type: ignore[no-untyped-call]
        app_args={
            "broker": broker_url,
            "backend": backend_url,
            "include": [],
            "config_source": celery_config(broker_url),
            "task_default_queue": QUEUE,
        }
    )
    _with_heartbeats(create_execute_job_task(app))
    _with_heartbeats(_resume_task(app))
    return app


def _resume_task(app: Celery) -> Task:  # type: ignore[type-arg]
    # dagster-celery's own resume task, registered under its name; only the launcher's
    # side of it was broken.
    from dagster_celery.tasks import create_resume_job_task

    task: Task = create_resume_job_task(app)  # type: ignore[type-arg]
    return task


def _heartbeat_key(run_id: str) -> str:
    return HEARTBEAT_KEY_PREFIX + run_id


def heartbeat_value(worker: str, at: float) -> str:
    return json.dumps({"worker": worker, "at": at})


def last_heartbeat(instance: DagsterInstance, run_id: str) -> float | None:
    key = _heartbeat_key(run_id)
    value = instance.run_storage.get_cursor_values({key}).get(key)
    return float(json.loads(value)["at"]) if value else None


class WarmRunLauncher(CeleryRunLauncher):
    """`CeleryRunLauncher` with a working resume, a health check that sees dead workers,
    and the broker transport chosen from the broker URL."""

    def __init__(
        self,
        default_queue: str = QUEUE,
        broker: str | None = None,
        backend: str | None = None,
        include: list[str] | None = None,
        config_source: dict[str, Any] | None = None,
        inst_data: ConfigurableClassData | None = None,
    ) -> None:
        broker_url = broker or os.environ[BROKER_URL_ENV]
        super().__init__(
            default_queue=default_queue,
            broker=broker_url,
            backend=backend or os.environ[RESULT_BACKEND_ENV],
            include=include,
            config_source={**celery_config(broker_url), **(config_source or {})},
            inst_data=inst_data,
        )
        create_execute_job_task(self.celery)
        self._resume = _resume_task(self.celery)

    def resume_run(self, context: ResumeRunContext) -> None:
        run = context.dagster_run
        assert run.job_code_origin is not None
        args = ResumeRunArgs(
            job_origin=run.job_code_origin,
            run_id=run.run_id,
            instance_ref=self._instance.get_ref(),
            set_exit_code_on_failure=True,
        )
        signature = self._resume.si(resume_job_args_packed=pack_value(args))
        self._launch_celery_task_run(
            run=run, task_signature=signature, routing_key=TASK_RESUME_JOB_NAME
        )

    def check_run_worker_health(self, run: DagsterRun) -> CheckRunHealthResult:
        # Run monitoring fails a STARTED run on anything but RUNNING or SUCCESS, so the
        # heartbeat decides while the task has not finished: the Celery state alone says
        # STARTED for a dead worker, and PENDING (or no task id tag yet) for a run whose
        # worker has just begun.
        task_id = run.tags.get(DAGSTER_CELERY_TASK_ID_TAG)
        state = self.celery.AsyncResult(task_id).state if task_id else None
        if state == "SUCCESS":
            return CheckRunHealthResult(WorkerStatus.SUCCESS)
        if state == "FAILURE":
            return CheckRunHealthResult(WorkerStatus.FAILED, "Celery task failed.")
        now = time.time()
        beat = last_heartbeat(self._instance, run.run_id)
        if beat is None:
            record = self._instance.get_run_record_by_id(run.run_id)
            since = record.start_time if record and record.start_time else None
            if since is None or now - since <= HEARTBEAT_TIMEOUT_SECS:
                return CheckRunHealthResult(WorkerStatus.RUNNING)
            silent = now - since
        else:
            if now - beat <= HEARTBEAT_TIMEOUT_SECS:
                return CheckRunHealthResult(WorkerStatus.RUNNING)
            silent = now - beat
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"the run worker sent no heartbeat for {silent:.0f} s (killed or lost)",
        )

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]
    ) -> WarmRunLauncher:
        return cls(inst_data=inst_data, **config_value)


# --- Inside a worker process ---

_instance: DagsterInstance | None = None


def _worker_instance() -> DagsterInstance:
    global _instance
    if _instance is None:
        _instance = DagsterInstance.get()
    return _instance


def _run_id_of(kwargs: Mapping[str, Any]) -> str | None:
    packed = kwargs.get("execute_job_args_packed") or kwargs.get("resume_job_args_packed")
    if packed is None:
        return None
    args = unpack_value(packed)
    if isinstance(args, ExecuteRunArgs | ResumeRunArgs):
        return args.run_id
    return None


def _beat(run_id: str, worker: str, stop: threading.Event) -> None:
    instance = _worker_instance()
    key = _heartbeat_key(run_id)
    while True:
        # A missed beat is retried at the next one; the run goes on.
        with contextlib.suppress(Exception):
            instance.run_storage.set_cursor_values({key: heartbeat_value(worker, time.time())})
        if stop.wait(HEARTBEAT_SECS):
            return


@contextlib.contextmanager
def _heartbeats(task: Task, run_id: str | None) -> Iterator[None]:  # type: ignore[type-arg]
    """Heartbeats for exactly as long as the run's task function runs.

    Not Celery's task_prerun/task_postrun signals: Celery sends postrun only after it has
    stored the task's result, and with the database down at that moment it never does, so
    a beat started on prerun went on for ever and kept a finished (or abandoned) run
    RUNNING in the health check."""
    if run_id is None:
        yield
        return
    stop = threading.Event()
    # Not a run tag: Dagster rewrites a run's tags read-modify-write, and a tag added here
    # races the launcher's own (its task id), one of them lost.
    worker = f"{task.request.hostname}/{os.getpid()}"
    threading.Thread(
        target=_beat, args=(run_id, worker, stop), daemon=True, name="heartbeat"
    ).start()
    try:
        yield
    finally:
        stop.set()


def _with_heartbeats(task: Task) -> None:  # type: ignore[type-arg]
    # dagster-celery defines the task function; it is wrapped, not copied, so that its
    # body (how a run is executed) stays dagster-celery's.
    inner = task.run

    def run(*args: Any, **kwargs: Any) -> Any:
        with _heartbeats(task, _run_id_of(kwargs)):
            return inner(*args, **kwargs)

    task.run = run  # type: ignore[method-assign]


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _warm_up(**_: Any) -> None:
    """Each worker process builds the providers and loads the models before its first run."""
    from speaking_pipeline.defs.resources import warm_up

    warm_up()


def _app_from_environment() -> Celery:
    return make_worker_app(os.environ[BROKER_URL_ENV], os.environ[RESULT_BACKEND_ENV])


# The `celery -A speaking_pipeline.orchestration.workers worker` target (see `worker_command`).
app = _app_from_environment() if os.environ.get(BROKER_URL_ENV) else None


WHISPER_CPU_THREADS_ENV = "WHISPER_CPU_THREADS"


def cores() -> int:
    """Cores this process may run on (its CPU affinity, as in a container), not the host's."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def worker_environment(concurrency: int, configured: int = 0) -> dict[str, str]:
    """What a run worker's environment adds: the transcriber's threads per pool process.

    CTranslate2's default took both cores of a 2-core machine in each process, so two
    worker processes transcribing at once oversubscribed it and their OpenMP threads
    waited on each other: 2.8 CPU s per transcript of the speech fixture with 2 threads
    each, 2.5 with 1 (docs/scaling.md). Each process gets its share of the cores instead;
    a WHISPER_CPU_THREADS set above 0 (`configured`) is kept as it is."""
    if configured > 0:
        return {}
    return {WHISPER_CPU_THREADS_ENV: str(max(1, cores() // max(1, concurrency)))}


def worker_command(
    python: str,
    *,
    concurrency: int,
    hostname: str | None = None,
    queue: str | None = None,
    loglevel: str = "WARNING",
) -> list[str]:
    """The command line of one run worker: Celery's prefork pool of `concurrency`
    processes, forked after the code location is imported (`-I`)."""
    command = [
        python,
        "-m",
        "celery",
        "-A",
        f"{__name__}:app",
        "worker",
        "-I",
        "speaking_pipeline.definitions",
        "-Q",
        queue or os.environ.get(WORKER_QUEUE_ENV, QUEUE),
        "-c",
        str(concurrency),
        "--prefetch-multiplier=1",
        "--without-gossip",
        "--without-mingle",
        "-l",
        loglevel,
    ]
    if hostname:
        command += ["-n", hostname]
    return command
