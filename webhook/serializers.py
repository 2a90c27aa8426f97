"""JSON shapes of sessions, transcripts, insights and profiles as the API returns them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from speaking_pipeline.db.models import InsightRow, PatternProfile, SpeakingSession
from speaking_pipeline.domain.schema import Severity


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def session_summary(s: SpeakingSession) -> dict[str, Any]:
    return {
        "id": s.id,
        "status": s.status.value,
        "durationSecs": s.duration_secs,
        "language": s.language,
        "topic": s.topic,
        "createdAt": _iso(s.created_at),
        "updatedAt": _iso(s.updated_at),
    }


def insight_json(i: InsightRow) -> dict[str, Any]:
    return {
        "id": i.id,
        "code": i.code,
        "category": i.category,
        "pattern": i.pattern,
        "detail": i.detail,
        "frequency": i.frequency,
        "severity": i.severity,
        "examples": i.examples,
        "suggestion": i.suggestion,
    }


def _severity_rank(i: InsightRow) -> tuple[int, int]:
    # high > medium > low, never alphabetical.
    return (Severity(i.severity).rank, -i.frequency)


def session_detail(s: SpeakingSession) -> dict[str, Any]:
    t = s.transcript
    return {
        **session_summary(s),
        "focusNext": s.focus_next,
        "summary": s.summary,
        "errorMessage": s.error_message,
        "audioDeletedAt": _iso(s.audio_deleted_at),
        "analyzerVersion": s.analyzer_version,
        "fluency": s.fluency,
        "transcript": (
            {"text": t.text, "wordCount": t.word_count, "language": t.language, "words": t.words}
            if t
            else None
        ),
        "insights": [insight_json(i) for i in sorted(s.insights, key=_severity_rank)],
    }


def profile_json(p: PatternProfile | None) -> dict[str, Any]:
    if p is None:
        return {"patterns": {}, "focusAreas": [], "lastUpdated": None}
    return {
        "patterns": p.patterns,
        "focusAreas": p.focus_areas or [],
        "lastUpdated": _iso(p.last_updated),
    }
