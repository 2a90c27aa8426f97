"""Session assets: the uploaded audio (external), its transcript, insights and learner profile."""

import os
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import (
    AssetExecutionContext,
    AssetSpec,
    Backoff,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    RetryPolicy,
    RetryRequested,
    asset,
)

from speaking_pipeline.analysis.base import Analyzer
from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.db.errors import is_unavailable
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.defs.sessions.partitions import sessions_partitions
from speaking_pipeline.domain.errors import PipelineError, SessionGoneError
from speaking_pipeline.domain.failures import Reason
from speaking_pipeline.pipeline import steps
from speaking_pipeline.providers import analyzer_version
from speaking_pipeline.storage.base import AudioStore
from speaking_pipeline.transcription.base import Transcriber, TranscriptionError

# Bump when the step's logic changes, so the UI shows which partitions are stale.
TRANSCRIPT_CODE_VERSION = "transcript-1"
INSIGHTS_CODE_VERSION = "insights-1"


def _insights_code_version() -> str:
    """The step's version plus the configured analyzer's (model, prompt, rules), so that
    switching analyzer or bumping a prompt marks every analysed partition stale in the UI.
    Read from the settings; no analyzer is built while the code location loads."""
    return f"{INSIGHTS_CODE_VERSION}+{analyzer_version(Settings())}"


FLUENCY_CODE_VERSION = "fluency-1"
PROFILE_CODE_VERSION = "profile-1"

# Base delay of the provider retries (then ~3x, ~7x: exponential, with jitter so that many
# runs hit by one outage do not retry in step). Read when the code location loads; tests
# shorten it.
PROVIDER_RETRY_DELAY_ENV = "PROVIDER_RETRY_DELAY_SECS"
provider_retry = RetryPolicy(
    max_retries=3,
    delay=float(os.environ.get(PROVIDER_RETRY_DELAY_ENV, "2")),
    backoff=Backoff.EXPONENTIAL,
    jitter=Jitter.PLUS_MINUS,
)

session_audio = AssetSpec(
    "session_audio",
    partitions_def=sessions_partitions,
    group_name="sessions",
    description=(
        "The learner's recording in object storage. Reported by the API when the upload "
        "lands; the bytes never enter Dagster, and are deleted once transcribed."
    ),
    kinds={"audio"},
)


def _permanent(step: str, error: Exception, reason: Reason) -> Failure:
    # Failure with allow_retries=False stops the RetryPolicy: retrying cannot help. The
    # description is the bare cause for operators; `reason` picks the learner's message.
    return Failure(
        description=str(error),
        metadata={"step": step, "error_type": type(error).__name__, "reason": reason.value},
        allow_retries=False,
    )


def _reason_of(step: str, error: PipelineError) -> Reason:
    """Which learner message a permanent error of `step` stands for."""
    if isinstance(error, steps.NoSpeechError):
        return Reason.NO_SPEECH
    if isinstance(error, steps.AudioGoneError | SessionGoneError):
        return Reason.AUDIO_MISSING
    if isinstance(error, TranscriptionError):
        return Reason.UNREADABLE_AUDIO
    if step == "insights":
        return Reason.ANALYSIS_FAILED
    return Reason.INTERNAL


# A database outage outlasts the provider backoff (2, 6, 14 s): its own retries wait up to a
# minute each, for about six minutes in all, before the step gives up.
DATABASE_RETRIES = 8
DATABASE_RETRY_CAP_SECS = 60.0


def _database_retry(context: AssetExecutionContext, error: BaseException) -> RetryRequested:
    """The database was unreachable: retry with the provider backoff's base, doubling."""
    base = provider_retry.delay or 2.0
    wait = min(DATABASE_RETRY_CAP_SECS, base * 2**context.retry_number)
    context.log.warning(
        "database unavailable (%s); retry %d of %d in %.0f s",
        type(error).__name__,
        context.retry_number + 1,
        DATABASE_RETRIES,
        wait,
    )
    return RetryRequested(max_retries=DATABASE_RETRIES, seconds_to_wait=wait)


@contextmanager
def _failures_of(step: str, context: AssetExecutionContext) -> Iterator[None]:
    """A permanent error (a missing setting, a deleted session, an unusable recording or
    reply) fails the step for good; a transient one is raised for the RetryPolicy; an
    unreachable database asks for the longer database retries."""
    try:
        yield
    except MissingSettingError as error:
        raise _permanent(step, error, Reason.INTERNAL) from error
    except PipelineError as error:
        if not error.transient:
            raise _permanent(step, error, _reason_of(step, error)) from error
        raise
    except (Failure, RetryRequested):
        raise
    except Exception as error:
        if is_unavailable(error):
            # `from None`: the database error's text stays out of Dagster's event log.
            raise _database_retry(context, error) from None
        raise


@asset(
    partitions_def=sessions_partitions,
    deps=[session_audio],
    group_name="sessions",
    code_version=TRANSCRIPT_CODE_VERSION,
    retry_policy=provider_retry,
    pool="transcriber",
    kinds={"postgres"},
)
def transcript(
    context: AssetExecutionContext,
    database: ResourceParam[Repository],
    audio_store: ResourceParam[AudioStore],
    transcriber: ResourceParam[Transcriber],
) -> MaterializeResult[None]:
    """The session's transcript with word timings; the audio is deleted once it is stored."""
    with _failures_of("transcript", context):
        outcome = steps.transcribe_session(
            database, context.partition_key, audio_store, transcriber
        )
    return MaterializeResult(
        metadata={
            "word_count": outcome.word_count,
            "language": outcome.language or "unknown",
            "reused_stored_transcript": outcome.reused,
            "audio_deleted": outcome.audio_deleted,
            "seconds": round(outcome.seconds, 2),
        }
    )


@asset(
    partitions_def=sessions_partitions,
    deps=[transcript],
    group_name="sessions",
    code_version=_insights_code_version(),
    retry_policy=provider_retry,
    pool="analyzer",
    kinds={"postgres"},
)
def insights(
    context: AssetExecutionContext,
    database: ResourceParam[Repository],
    analyzer: ResourceParam[Analyzer],
) -> MaterializeResult[None]:
    """Up to five recurring-pattern insights, a focus-next goal and a summary."""
    with _failures_of("insights", context):
        outcome = steps.analyze_session(database, context.partition_key, analyzer)
    metadata: dict[str, object] = {
        "insight_count": outcome.insight_count,
        "codes": MetadataValue.json(outcome.codes),
        "analyzer_version": outcome.analyzer_version,
        "dropped_non_verbatim_examples": outcome.dropped_examples,
    }
    # Tokens and latency per model call go to the UI; lists and mappings as JSON.
    for key, value in outcome.metadata.items():
        if isinstance(value, int | float | str | bool):
            metadata[key] = value
        elif isinstance(value, list | dict):
            metadata[key] = MetadataValue.json(value)
    return MaterializeResult(metadata=metadata)  # type: ignore[arg-type]


@asset(
    partitions_def=sessions_partitions,
    deps=[transcript],
    group_name="sessions",
    code_version=FLUENCY_CODE_VERSION,
    kinds={"postgres"},
)
def fluency(
    context: AssetExecutionContext, database: ResourceParam[Repository]
) -> MaterializeResult[None]:
    """Speech rate, pauses, mean length of run and lexical diversity (docs/fluency.md)."""
    with _failures_of("fluency", context):
        metrics = steps.measure_fluency(database, context.partition_key)
    return MaterializeResult(
        metadata={k: v for k, v in metrics.items() if isinstance(v, int | float)}  # type: ignore[arg-type]
    )


@asset(
    partitions_def=sessions_partitions,
    deps=[insights],
    group_name="profiles",
    code_version=PROFILE_CODE_VERSION,
    kinds={"postgres"},
)
def pattern_profile(
    context: AssetExecutionContext, database: ResourceParam[Repository]
) -> MaterializeResult[None]:
    """The learner's long-term pattern profile, recomputed from all their stored insights."""
    with _failures_of("pattern_profile", context):
        summary = steps.refresh_learner_profile(database, context.partition_key)
    return MaterializeResult(
        metadata={
            "user_id": summary.user_id,
            "codes": summary.codes,
            "focus_areas": MetadataValue.json(summary.focus_areas),
        }
    )
