"""The session lifecycle table: no sequence of events reaches an illegal state, and the
repository applies the table exactly as the pure model does."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.domain.lifecycle import (
    IN_FLIGHT,
    TRANSITIONS,
    ErrorMessage,
    Event,
    MissingErrorMessage,
    SessionStatus,
    apply,
    transition,
)
from tests.support import new_session

S = SessionStatus
# The events of a run started again from the Dagster UI on a FAILED session.
RERUN_EVENTS = {Event.TRANSCRIPTION_STARTED, Event.ANALYSIS_STARTED}


def _message_for(event: Event) -> str | None:
    return f"{event.value} happened" if TRANSITIONS[event].error is ErrorMessage.SET else None


events = st.lists(st.sampled_from(list(Event)), max_size=40)


def _run(sequence: list[Event]) -> list[tuple[SessionStatus, str | None]]:
    states = [(S.CREATED, None)]
    for event in sequence:
        status, error = states[-1]
        states.append(apply(status, error, event, _message_for(event)))
    return states


@given(events)
def test_no_event_sequence_reaches_an_illegal_state(sequence: list[Event]) -> None:
    states = _run(sequence)
    seen: list[SessionStatus] = []
    for (before, _before_error), event, (after, error) in zip(
        states[:-1], sequence, states[1:], strict=True
    ):
        move = TRANSITIONS[event]
        # Each event either makes the table's move or changes nothing at all.
        if before in move.sources:
            assert after is move.target
        else:
            assert after is before
        # A failed session always says why; a done one never carries an old error.
        if after is S.FAILED:
            assert error and error.strip()
        if after is S.DONE:
            assert error is None
        # DONE is final.
        if before is S.DONE:
            assert after is S.DONE
        # CREATED and UPLOADED are entered once, in that order, and never again.
        if after is S.CREATED:
            assert all(s is S.CREATED for s in seen)
        if after is S.UPLOADED and before is not S.UPLOADED:
            assert before is S.CREATED
        # Processing starts only from an upload or as a re-run of a failed session (the
        # steps then refuse a session without audio or transcript); it never restarts
        # from CREATED or DONE.
        if after in IN_FLIGHT and before not in IN_FLIGHT:
            assert before in (S.CREATED, S.FAILED) and (
                before is S.FAILED or event is Event.UPLOAD_STORED
            )
            if before is S.FAILED:
                assert event in RERUN_EVENTS
        seen.append(after)


@given(events)
def test_unchanged_when_an_event_does_not_apply(sequence: list[Event]) -> None:
    states = _run(sequence)
    for (before, before_error), event, after in zip(states[:-1], sequence, states[1:], strict=True):
        if before not in TRANSITIONS[event].sources:
            assert after == (before, before_error)


def test_every_event_has_one_move_and_failing_moves_need_a_reason() -> None:
    assert set(TRANSITIONS) == set(Event)
    for event, move in TRANSITIONS.items():
        assert move.sources, event
        if move.target is S.FAILED:
            assert move.error is ErrorMessage.SET, event
            with pytest.raises(MissingErrorMessage):
                transition(event, "  ")
        if move.target is S.DONE:
            assert move.error is ErrorMessage.CLEAR, event
    # Nothing leaves DONE.
    assert not [m for m in TRANSITIONS.values() if S.DONE in m.sources]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(list(Event)), max_size=12))
def test_the_repository_moves_a_stored_session_as_the_table_says(
    app_db_url: str, sequence: list[Event]
) -> None:
    repo = Repository(app_db_url)
    new = new_session(repo, "lifecycle")
    status, error = S.CREATED, None
    for event in sequence:
        message = _message_for(event)
        moved = repo.move(new.id, event, message)
        expected = apply(status, error, event, message)
        assert moved == (status in TRANSITIONS[event].sources)
        status, error = expected
        stored = repo.session(new.id)
        assert stored is not None
        assert (stored.status, stored.error_message) == (status, error)
