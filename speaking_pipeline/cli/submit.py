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
        while True:
            detail = client.get(f"/api/sessions/{session_id}")
            detail.raise_for_status()
            session = detail.json()
            status = session["status"]
            if status != last:
                print(f"  [{time.monotonic() - started:6.1f}s] {status}", file=sys.stderr)
                last = status
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
