"""Launch at intake, as the use case does it: the request is committed first, only the
delivery that recorded it launches, and a failed launch loses nothing (the sensor's
backstop then finds the request)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.domain.lifecycle import Event, Intake
from speaking_pipeline.orchestration.launch import GraphQLSessionLauncher, LaunchError
from speaking_pipeline.pipeline.intake import request_processing
from tests.support import free_port, new_session


class RecordingLauncher:
    """Sees what the API would launch, and whether the request was committed by then."""

    def __init__(self, repo: Repository, fail: bool = False) -> None:
        self.repo, self.fail = repo, fail
        self.launched: list[str] = []
        self.committed_first: list[bool] = []
        self.tags: list[dict[str, str]] = []

    def launch(self, session_id: str, tags: Mapping[str, str]) -> str:
        self.committed_first.append(session_id in {s.id for s in self.repo.requested_sessions()})
        self.launched.append(session_id)
        self.tags.append(dict(tags))
        if self.fail:
            raise LaunchError("the Dagster webserver did not answer")
        return "run-id"


def _uploaded(repo: Repository) -> str:
    new = new_session(repo, "intake-launch")
    repo.move(new.id, Event.UPLOAD_STORED)
    return new.id


def test_the_recording_delivery_launches_once_after_its_commit(app_db_url: str) -> None:
    repo = Repository(app_db_url)
    launcher = RecordingLauncher(repo)
    sid = _uploaded(repo)
    assert request_processing(repo, sid, launcher=launcher) is Intake.ACCEPTED
    # A duplicate delivery (QStash retry, API restart) launches nothing more.
    assert request_processing(repo, sid, launcher=launcher) is Intake.ALREADY_REQUESTED
    assert launcher.launched == [sid]
    assert launcher.committed_first == [True]
    # The analysts' tags, as the intake sensor would give them.
    stored = repo.session(sid)
    assert stored is not None
    assert launcher.tags == [
        {
            "speaking/session": sid,
            "speaking/user": stored.user_id,
            "speaking/uploaded": stored.created_at.date().isoformat(),
        }
    ]


def test_a_failed_launch_keeps_the_request_for_the_backstop(app_db_url: str) -> None:
    repo = Repository(app_db_url)
    sid = _uploaded(repo)
    assert request_processing(repo, sid, launcher=RecordingLauncher(repo, fail=True)) is (
        Intake.ACCEPTED
    )
    assert sid in {s.id for s in repo.requested_sessions()}


def test_the_graphql_launcher_gives_up_quickly_on_a_dead_webserver() -> None:
    launcher = GraphQLSessionLauncher(f"http://127.0.0.1:{free_port()}/graphql", timeout=1)
    with pytest.raises(LaunchError, match="did not answer"):
        launcher.launch("00000000-0000-0000-0000-000000000000")
