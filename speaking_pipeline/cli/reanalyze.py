"""`reanalyze`: re-run analysis of stored transcripts through the running Dagster instance."""

from __future__ import annotations

import argparse
import sys
import time

from sqlalchemy import select

from speaking_pipeline.config import get_settings
from speaking_pipeline.db.engine import resolve_database_urls, session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession

JOB_NAME = "reanalyze_sessions"
LOCATION = "speaking_pipeline"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _targets(args: argparse.Namespace, db_url: str) -> list[str]:
    if args.sessions:
        return list(args.sessions)
    query = select(SpeakingSession.id).where(SpeakingSession.status == SessionStatus.DONE)
    if args.stale:
        from speaking_pipeline.providers import build_analyzer

        current = build_analyzer(get_settings()).version
        query = query.where(SpeakingSession.analyzer_version.is_distinct_from(current))
    with session_scope(db_url) as db:
        return list(db.scalars(query.order_by(SpeakingSession.created_at)))


def reanalyze(args: argparse.Namespace) -> int:
    # The GraphQL client is Dagster's public way to launch runs from outside the code
    # location; the runs land in the queue like any launched from the UI.
    from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

    settings = get_settings()
    db_url, _ = resolve_database_urls(settings)
    targets = _targets(args, db_url)
    if not targets:
        print("nothing to re-analyse", file=sys.stderr)
        return 0
    client = DagsterGraphQLClient(settings.dagster_host, port_number=settings.dagster_port)
    runs: dict[str, str] = {}
    try:
        for session_id in targets:
            runs[session_id] = client.submit_job_execution(
                JOB_NAME,
                repository_location_name=LOCATION,
                tags={"dagster/partition": session_id, "speaking/session": session_id},
            )
            print(f"{session_id}: run {runs[session_id]}", file=sys.stderr)
    except (DagsterGraphQLClientError, OSError) as error:
        print(
            f"error: could not launch through Dagster at {settings.dagster_host}:"
            f"{settings.dagster_port} (is `speaking-pipeline up` running?): {error}",
            file=sys.stderr,
        )
        return 1
    if not args.wait:
        return 0
    failed = 0
    pending = dict(runs)
    deadline = time.monotonic() + args.timeout
    while pending and time.monotonic() < deadline:
        for session_id, run_id in list(pending.items()):
            status = client.get_run_status(run_id).value
            if status in FINISHED:
                print(f"{session_id}: {status}", file=sys.stderr)
                failed += status != "SUCCESS"
                del pending[session_id]
        time.sleep(1)
    return 1 if failed or pending else 0
