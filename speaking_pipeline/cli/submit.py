"""`submit`: upload a recording to the API, show progress while it is processed, print feedback."""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path

import httpx

from speaking_pipeline.cli.render import render_session
from speaking_pipeline.config import get_settings

FINAL = {"DONE", "FAILED"}


def _duration(path: Path) -> float:
    from speaking_pipeline.audio.probe import InvalidAudioError, probe_audio

    try:
        info = probe_audio(path)
    except InvalidAudioError as error:
        raise SystemExit(f"error: {path}: {error}") from error
    return round(info.duration_secs or 0.0, 2) or 1.0


def submit(args: argparse.Namespace) -> int:
    from speaking_pipeline.security.tokens import mint_token

    settings = get_settings()
    path = Path(args.audio)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    api = (args.api or settings.app_url).rstrip("/")
    headers = {"Authorization": "Bearer " + mint_token(args.user, settings.jwt_secret())}
    duration = _duration(path)
    data = {"duration": str(duration), "language": args.language}
    if args.topic:
        data["topic"] = args.topic
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        return _upload_and_wait(args, api, headers, path, duration, data, mime)
    except httpx.HTTPError as error:
        print(
            f"error: could not reach the API at {api} ({type(error).__name__}).\n"
            "  Is `speaking-pipeline up` running? It prints a ready line with the API URL.\n"
            "  Check API_PORT (or pass --api URL) and APP_URL in your environment or .env.",
            file=sys.stderr,
        )
        return 1


WAITING_NOTE_EVERY_SECS = 30.0


def _upload_and_wait(
    args: argparse.Namespace,
    api: str,
    headers: dict[str, str],
    path: Path,
    duration: float,
    data: dict[str, str],
    mime: str,
) -> int:
    started = time.monotonic()
    with httpx.Client(base_url=api, headers=headers, timeout=60) as client:
        with path.open("rb") as audio:
            response = client.post(
                "/api/sessions", files={"audio": (path.name, audio, mime)}, data=data
            )
        if response.status_code != 201:
            print(
                f"error: upload refused ({response.status_code}): {response.text}", file=sys.stderr
            )
            return 1
        session_id = response.json()["id"]
        print(f"uploaded {path.name} ({duration:.1f} s) as session {session_id}", file=sys.stderr)
        last = ""
        waiting_noted = 0.0
        while True:
            detail = client.get(f"/api/sessions/{session_id}")
            if detail.status_code == 503:  # the database is restarting: keep waiting
                time.sleep(2)
                continue
            detail.raise_for_status()
            session = detail.json()
            status = session["status"]
            elapsed = time.monotonic() - started
            if status != last:
                print(f"  [{elapsed:6.1f}s] {status}", file=sys.stderr)
                last = status
            # Said after a few seconds in UPLOADED, then every half minute.
            due = waiting_noted + (WAITING_NOTE_EVERY_SECS if waiting_noted else 3.0)
            if status == "UPLOADED" and elapsed >= due:
                print(
                    f"  [{elapsed:6.1f}s] waiting for a worker "
                    "(the Dagster daemon launches the run; other sessions may be ahead)",
                    file=sys.stderr,
                )
                waiting_noted = elapsed
            if status in FINAL:
                break
            if time.monotonic() - started > args.timeout:
                print(f"error: still {status} after {args.timeout:.0f} s", file=sys.stderr)
                return 1
            time.sleep(0.5)
    if args.json:
        print(json.dumps(session, indent=2, ensure_ascii=False))
    else:
        print(render_session(session))
    return 0 if status == "DONE" else 1
