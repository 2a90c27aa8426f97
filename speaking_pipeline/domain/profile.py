"""Profile maths: a learner's pattern profile recomputed from stored insights, never incremented."""

from __future__ import annotations

from collections.abc import Sequence
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


def compute_profile(
    sessions: Sequence[SessionFacts],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(patterns, focus_areas) of one learner from all their analysed sessions.

    `count` is the sum of a code's insight frequencies, `sessions` the number of sessions
    showing it; `history` has one point per analysed session (0 where the code was absent),
    oldest first, so that trends see improvement as well as occurrence."""
    ordered = sorted(sessions, key=lambda s: (s.created_at, s.session_id))
    codes: dict[str, InsightFact] = {}
    for s in ordered:
        for i in s.insights:
            codes.setdefault(i.code, i)

    patterns: dict[str, Any] = {}
    for code, first in codes.items():
        history: list[dict[str, Any]] = []
        rates: list[float] = []
        count = 0
        shown = 0
        for s in ordered:
            freq = sum(i.frequency for i in s.insights if i.code == code)
            count += freq
            shown += 1 if freq else 0
            rate = round(_rate(freq, s.duration_secs), 3)
            rates.append(rate)
            history.append(
                {
                    "sessionId": s.session_id,
                    "at": s.created_at.isoformat(),
                    "frequency": freq,
                    "rate": rate,
                }
            )
        last_seen = max(str(h["at"]) for h in history if h["frequency"])
        patterns[code] = {
            "count": count,
            "sessions": shown,
            "category": first.category,
            "pattern": first.pattern,
            "ratePerSession": round(count / len(ordered), 3),
            "lastSeen": last_seen,
            "trend": trend_of(rates),
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
