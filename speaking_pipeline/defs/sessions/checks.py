"""Per-session asset checks on the stored transcript and insights, run by every job that
materialises them.

Partitioned checks (`AssetCheckSpec(partitions_def=...)`, a preview feature in Dagster 1.13)
give each session its own result in the UI. The checks of one asset share an op
(`@multi_asset_check`): one extra step per asset instead of one per rule, and
`can_subset` still lets an analyst run a single check on chosen sessions.

The checks are not blocking: the steps already enforce these rules as they write (examples
outside the transcript are dropped, codes and counts are validated), so the checks audit
what is stored, after processing, re-analysis or a hand edit, and a failure (severity
ERROR) shows on the session's partition without failing the learner's session."""

import warnings
from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    Backoff,
    Jitter,
    MetadataValue,
    PreviewWarning,
    ResourceParam,
    RetryPolicy,
    multi_asset_check,
)

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.defs.sessions.assets import insights, transcript
from speaking_pipeline.defs.sessions.partitions import sessions_partitions
from speaking_pipeline.domain import checks as rules
from speaking_pipeline.storage.base import AudioStore


def _spec(name: str, asset: object, description: str) -> AssetCheckSpec:
    with warnings.catch_warnings():
        # Chosen knowingly (see the module docstring); the warning would repeat in every
        # process that loads the code location.
        warnings.simplefilter("ignore", PreviewWarning)
        return AssetCheckSpec(
            name,
            asset=asset,  # type: ignore[arg-type]
            description=description,
            partitions_def=sessions_partitions,
        )


TRANSCRIPT_CHECKS = [
    _spec("transcript_not_empty", transcript, "The stored transcript has words."),
    _spec("audio_deleted", transcript, "The audio is gone from storage once transcribed."),
]
INSIGHTS_CHECKS = [
    _spec("at_most_five_insights", insights, "A session has at most five insights."),
    _spec(
        "examples_are_verbatim",
        insights,
        "Every example is a verbatim quote of the transcript (case/whitespace-insensitive).",
    ),
    _spec("codes_in_taxonomy", insights, "Every code is a taxonomy code or other.<slug>."),
]


def _result(key: AssetCheckKey, outcome: rules.CheckOutcome) -> AssetCheckResult:
    metadata = {
        k: MetadataValue.json(v) if isinstance(v, list) else v for k, v in outcome.metadata.items()
    }
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=outcome.passed,
        severity=AssetCheckSeverity.ERROR,
        description=outcome.description,
        metadata=metadata,  # type: ignore[arg-type]
    )


def _selected(context: AssetCheckExecutionContext, specs: list[AssetCheckSpec]) -> list[str]:
    chosen = context.selected_asset_check_keys
    return [s.name for s in specs if s.key in chosen]


# A check that cannot read the database fails its step, and so the run: retry blips first.
checks_retry = RetryPolicy(max_retries=2, delay=1, backoff=Backoff.EXPONENTIAL, jitter=Jitter.FULL)


@multi_asset_check(specs=TRANSCRIPT_CHECKS, can_subset=True, retry_policy=checks_retry)
def transcript_checks(
    context: AssetCheckExecutionContext,
    database: ResourceParam[Repository],
    audio_store: ResourceParam[AudioStore],
) -> Iterator[AssetCheckResult]:
    stored = database.stored_for_checks(context.partition_key)
    if stored is None:
        # A session deleted while its run was going has nothing left to judge.
        context.log.info("session %s is gone; nothing to check", context.partition_key)
        return
    for name in _selected(context, TRANSCRIPT_CHECKS):
        if name == "transcript_not_empty":
            outcome = rules.transcript_not_empty(stored.transcript)
        else:
            key = stored.audio_key
            outcome = rules.audio_deleted(
                had_audio=key is not None,
                marked_deleted=stored.audio_marked_deleted,
                still_stored=audio_store.exists(key) if key else False,
            )
        yield _result(AssetCheckKey(transcript.key, name), outcome)


@multi_asset_check(specs=INSIGHTS_CHECKS, can_subset=True, retry_policy=checks_retry)
def insights_checks(
    context: AssetCheckExecutionContext, database: ResourceParam[Repository]
) -> Iterator[AssetCheckResult]:
    stored = database.stored_for_checks(context.partition_key)
    if stored is None:
        context.log.info("session %s is gone; nothing to check", context.partition_key)
        return
    stored_insights = stored.insights
    for name in _selected(context, INSIGHTS_CHECKS):
        if name == "at_most_five_insights":
            outcome = rules.at_most_five_insights(len(stored_insights))
        elif name == "examples_are_verbatim":
            outcome = rules.examples_are_verbatim(stored_insights, stored.transcript)
        else:
            outcome = rules.codes_in_taxonomy([i.code for i in stored_insights])
        yield _result(AssetCheckKey(insights.key, name), outcome)


session_checks = [transcript_checks, insights_checks]
