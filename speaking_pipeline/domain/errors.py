"""The one error class of the pipeline that says whether trying again may help."""

from __future__ import annotations


class PipelineError(RuntimeError):
    """A step or a provider failed; `transient` says whether retrying may help.

    The Dagster assets turn a permanent one into a Failure that stops the RetryPolicy."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class SessionGoneError(PipelineError):
    """The session was deleted (or never existed); there is nothing to process."""

    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"no session {session_id!r}: it was deleted, or the partition key is not a session"
            " (added by hand?)",
            transient=False,
        )


class NoTranscriptError(PipelineError):
    """A step needs the stored transcript and there is none: retrying cannot make one."""

    def __init__(self, session_id: str, purpose: str) -> None:
        super().__init__(f"session {session_id} has no transcript to {purpose}", transient=False)
