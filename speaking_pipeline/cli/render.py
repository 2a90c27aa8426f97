"""Plain-text rendering of feedback for the terminal."""

from __future__ import annotations

import textwrap
from typing import Any


def render_analysis(data: dict[str, Any]) -> str:
    lines: list[str] = []
    insights = data.get("insights") or []
    if not insights:
        lines.append("No recurring patterns found.")
    for n, i in enumerate(insights, 1):
        lines.append(f"{n}. [{i['severity']}] {i['pattern']} ({i['code']}, x{i['frequency']})")
        lines.extend(textwrap.wrap(i["detail"], 88, initial_indent="   ", subsequent_indent="   "))
        for example in i.get("examples") or []:
            lines.append(f'   - "{example}"')
        lines.extend(
            textwrap.wrap(
                "Try: " + i["suggestion"], 88, initial_indent="   ", subsequent_indent="   "
            )
        )
    focus = data.get("focusNext")
    if focus:
        lines += ["", "Focus next: " + focus]
    summary = data.get("summary")
    if summary:
        lines += ["", textwrap.fill(summary, 88)]
    return "\n".join(lines)


# (key in the session's "fluency" object, label, unit, digits)
_FLUENCY_FIGURES = (
    ("speech_rate_wpm", "Speech rate", "words/min", 0),
    ("articulation_rate_wpm", "Articulation rate", "words/min", 0),
    ("phonation_time_ratio", "Speaking time", "% of the recording", None),
    ("silent_pauses_per_min", "Silent pauses", "per min", 1),
    ("mean_silent_pause_secs", "Mean silent pause", "s", 2),
    ("filled_pauses_per_min", "Filled pauses (um, uh)", "per min", 1),
    ("mean_length_of_run", "Mean length of run", "words between pauses", 1),
    ("mattr", "Lexical diversity (MATTR)", "", 2),
)


def render_fluency(fluency: dict[str, Any] | None) -> str:
    """The measured fluency figures, one per line; those the recording could not give are
    left out (no word timings, no duration)."""
    if not fluency:
        return ""
    lines = ["Fluency:"]
    for key, label, unit, digits in _FLUENCY_FIGURES:
        value = fluency.get(key)
        if value is None:
            continue
        shown = f"{value * 100:.0f}" if digits is None else f"{value:.{digits}f}"
        lines.append(f"   {label}: {shown} {unit}".rstrip())
    return "\n".join(lines) if len(lines) > 1 else ""


def render_session(data: dict[str, Any]) -> str:
    lines = [f"Session {data['id']}: {data['status']}"]
    if data.get("errorMessage"):
        lines.append("Error: " + data["errorMessage"])
    transcript = data.get("transcript")
    if transcript:
        lines += ["", "Transcript:", textwrap.fill(transcript["text"], 88), ""]
    if data["status"] == "DONE":
        fluency = render_fluency(data.get("fluency"))
        if fluency:
            lines += [fluency, ""]
        lines.append(render_analysis(data))
    return "\n".join(lines)
