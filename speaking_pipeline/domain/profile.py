"""Profile maths: a learner's pattern profile from per-code totals and their recent sessions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Trend = Literal["improving", "steady", "worsening"]

# Trends need a few points; fewer than this and the trend is unknown (None).
MIN_SESSIONS_FOR_TREND = 3
RECENT_SESSIONS = 10
# Relative change of the fitted rate across the window that counts as a real change.
TREND_THRESHOLD = 0.25
FOCUS_AREAS = 3


@dataclass(frozen=True)
class InsightFact:
    code: str
    category: str
    pattern: str
    frequency: int


@dataclass(frozen=True)
class SessionFacts:
    session_id: str
    created_at: datetime
    duration_secs: float | None
    insights: Sequence[InsightFact] = field(default_factory=tuple)


def _rate(frequency: int, duration_secs: float | None) -> float:
    """Occurrences per minute when the duration is known, else per session."""
    if duration_secs and duration_secs > 0:
        return frequency / (duration_secs / 60.0)
    return float(frequency)


def _slope(values: Sequence[float]) -> float:
    n = len(values)
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den if den else 0.0


def trend_of(rates: Sequence[float]) -> Trend | None:
    """Least-squares trend of a per-session rate over the learner's recent sessions.

    The fitted change across the window is compared with the mean rate, so a fall from
    12 to 2 fillers a minute is "improving" however many sessions it took."""
    window = list(rates)[-RECENT_SESSIONS:]
    if len(window) < MIN_SESSIONS_FOR_TREND:
        return None
    mean = sum(window) / len(window)
    if mean == 0:
        return "steady"
    change = _slope(window) * (len(window) - 1) / mean
    if change <= -TREND_THRESHOLD:
        return "improving"
    if change >= TREND_THRESHOLD:
        return "worsening"
    return "steady"


@dataclass(frozen=True)
class CodeTotals:
    """One code's totals over all of a learner's analysed sessions."""

    count: int
    sessions: int
    # Of the code's first occurrence (oldest session), as the profile names it.
    category: str
    pattern: str
    last_seen: datetime


@dataclass(frozen=True)
class WindowSession:
    """One of the learner's most recent analysed sessions, with its frequency per code."""

    session_id: str
    created_at: datetime
    duration_secs: float | None
    frequencies: Mapping[str, int] = field(default_factory=dict)


def session_order(created_at: datetime, session_id: str) -> tuple[datetime, str]:
    """The order of a learner's sessions in the profile: oldest first, ties by id."""
    return (created_at, session_id)


def assemble_profile(
    totals: Mapping[str, CodeTotals], analysed: int, window: Sequence[WindowSession]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(patterns, focus_areas) from each code's totals and the recent sessions.

    The document is bounded: `history` holds the last RECENT_SESSIONS analysed sessions
    (0 where the code was absent), whatever the length of the learner's history, which
    stays in rows. Both the full recomputation and the per-session update end here, so
    they cannot disagree on the shape."""
    recent = sorted(window, key=lambda w: session_order(w.created_at, w.session_id))
    recent = recent[-RECENT_SESSIONS:]
    patterns: dict[str, Any] = {}
    for code in sorted(totals):
        t = totals[code]
        history: list[dict[str, Any]] = []
        for w in recent:
            freq = w.frequencies.get(code, 0)
            history.append(
                {
                    "sessionId": w.session_id,
                    "at": w.created_at.isoformat(),
                    "frequency": freq,
                    "rate": round(_rate(freq, w.duration_secs), 3),
                }
            )
        patterns[code] = {
            "count": t.count,
            "sessions": t.sessions,
            "category": t.category,
            "pattern": t.pattern,
            "ratePerSession": round(t.count / analysed, 3) if analysed else 0.0,
            "lastSeen": t.last_seen.isoformat(),
            "trend": trend_of([float(h["rate"]) for h in history]),
            "history": history,
        }

    ranked = sorted(
        patterns.items(),
        key=lambda kv: (-kv[1]["sessions"], -kv[1]["count"], kv[0]),
    )
    focus = [
        {
            "code": code,
            "pattern": p["pattern"],
            "sessions": p["sessions"],
            "count": p["count"],
            "trend": p["trend"],
        }
        for code, p in ranked[:FOCUS_AREAS]
    ]
    return patterns, focus


def session_frequencies(insights: Sequence[InsightFact]) -> dict[str, int]:
    """code -> summed frequency of one session's insights."""
    out: dict[str, int] = {}
    for i in insights:
        out[i.code] = out.get(i.code, 0) + i.frequency
    return out


def compute_profile(
    sessions: Sequence[SessionFacts],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(patterns, focus_areas) of one learner recomputed from all their analysed sessions.

    `count` is the sum of a code's insight frequencies, `sessions` the number of sessions
    showing it; `history` has one point per recent analysed session (0 where the code was
    absent), oldest first, so that trends see improvement as well as occurrence."""
    ordered = sorted(sessions, key=lambda s: session_order(s.created_at, s.session_id))
    totals: dict[str, CodeTotals] = {}
    for s in ordered:
        firsts: dict[str, InsightFact] = {}
        for i in s.insights:
            firsts.setdefault(i.code, i)
        for code, freq in session_frequencies(s.insights).items():
            seen = totals.get(code)
            if seen is None:
                first = firsts[code]
                totals[code] = CodeTotals(freq, 1, first.category, first.pattern, s.created_at)
            else:
                totals[code] = CodeTotals(
                    seen.count + freq,
                    seen.sessions + 1,
                    seen.category,
                    seen.pattern,
                    max(seen.last_seen, s.created_at),
                )
    window = [
        WindowSession(s.session_id, s.created_at, s.duration_secs, session_frequencies(s.insights))
        for s in ordered[-RECENT_SESSIONS:]
    ]
    return assemble_profile(totals, len(ordered), window)
