"""Fifty sessions, each delivered twice in parallel: fifty DONE, fifty insight sets, and
profiles identical to the scheduled recomputation."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from dagster import RunsFilter
from sqlalchemy import select

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import PatternProfile, SessionStatus, SpeakingSession
from speaking_pipeline.defs.resources import DatabaseResource
from tests.fakes.fake_qstash import FakeQStash
from tests.fault_support import (
    assert_consistent,
    finish_worker,
    insight_sets,
    instance_of,
    requested_runs,
    start_worker,
    status_of,
)
from tests.support import app_env, client_for, upload

pytest_plugins = ["tests.fakes.fixtures"]

APP_URL = "http://testserver"
PROCESS_URL = APP_URL + "/api/internal/process"
SESSIONS = 50
LEARNERS = 10
WORKERS = 2


def _profiles(db_url: str) -> dict[str, tuple[object, object]]:
    with session_scope(db_url) as db:
        return {p.user_id: (p.patterns, p.focus_areas) for p in db.scalars(select(PatternProfile))}


def test_fifty_sessions_delivered_twice_in_parallel(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
    qstash_server: FakeQStash,
) -> None:
    extra = qstash_server.env(APP_URL)
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        extra=extra,
    ) as settings:
        client = client_for(settings)
        ids = [
            str(upload(client, settings, f"learner-{n % LEARNERS}")["id"]) for n in range(SESSIONS)
        ]
        messages = list(qstash_server.messages)
        assert len(messages) == SESSIONS

        # Every message delivered twice, all hundred deliveries at once.
        def deliver(job: tuple[int, int]) -> tuple[int, str]:
            index, attempt = job
            message = messages[index]
            headers = qstash_server.signed_headers(
                message.message_id, PROCESS_URL, message.body, attempt
            )
            response = client.post("/api/internal/process", content=message.body, headers=headers)
            return response.status_code, response.json().get("outcome", "")

        deliveries = [(i, a) for a in (0, 1) for i in range(SESSIONS)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(deliver, deliveries))
        assert {status for status, _ in answers} == {200}
        assert Counter(o for _, o in answers) == {
            "accepted": SESSIONS,
            "already_requested": SESSIONS,
        }

        requests = requested_runs(settings, fresh_db_url)
        assert sorted(str(r.partition_key) for r in requests) == sorted(ids)
        # Run workers in separate processes, each learner's sessions spread over all of
        # them, so that runs of one learner finish at the same time.
        workers = [
            start_worker(
                fresh_db_url,
                [
                    (str(r.partition_key), {**r.tags, "dagster/run_key": r.run_key})
                    for r in requests[w::WORKERS]
                ],
            )
            for w in range(WORKERS)
        ]
        outcomes: dict[str, bool] = {}
        for worker in workers:
            # A generous bound: a loaded machine is slow, and slow is not a failure.
            outcomes.update(finish_worker(worker, timeout=1200))
        failed = {sid: status_of(fresh_db_url, sid) for sid, ok in outcomes.items() if not ok}
        assert not failed, failed
        assert outcomes == dict.fromkeys(ids, True)
        # The intake sensor, evaluated again as the daemon does, launches nothing more.
        assert requested_runs(settings, fresh_db_url) == []
        instance = instance_of(settings)
        assert len(instance.get_runs(RunsFilter(job_name="process_session"))) == SESSIONS

        with session_scope(fresh_db_url) as db:
            statuses = Counter(s.status for s in db.scalars(select(SpeakingSession)))
        assert statuses == {SessionStatus.DONE: SESSIONS}
        sets = insight_sets(fresh_db_url)
        assert sorted(sets) == sorted(ids)
        assert_consistent(fresh_db_url)

        # The nightly schedule's job changes nothing: the profiles already were exact.
        before = _profiles(fresh_db_url)
        assert len(before) == LEARNERS
        from speaking_pipeline.definitions import defs

        result = defs.resolve_job_def("recompute_profiles_job").execute_in_process(
            instance=instance, resources={"database": DatabaseResource(url=fresh_db_url)}
        )
        assert result.success
    assert _profiles(fresh_db_url) == before
