"""`reanalyze`: re-run analysis of stored transcripts through the running Dagster instance."""

from __future__ import annotations

import argparse
import sys
import time

from speaking_pipeline.config import get_settings
from speaking_pipeline.db.engine import resolve_database_urls
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.providers import analyzer_version

JOB_NAME = "reanalyze_sessions"
LOCATION = "speaking_pipeline"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def _targets(args: argparse.Namespace, db_url: str) -> list[str]:
    if args.sessions:
        return list(args.sessions)
    current = analyzer_version(get_settings()) if args.stale else None
    return Repository(db_url).done_sessions(not_analysed_by=current)


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
