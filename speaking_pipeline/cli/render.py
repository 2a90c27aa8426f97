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


def render_session(data: dict[str, Any]) -> str:
    lines = [f"Session {data['id']}: {data['status']}"]
    if data.get("errorMessage"):
        lines.append("Error: " + data["errorMessage"])
    transcript = data.get("transcript")
    if transcript:
        lines += ["", "Transcript:", textwrap.fill(transcript["text"], 88), ""]
    if data["status"] == "DONE":
        lines.append(render_analysis(data))
    return "\n".join(lines)
