"""Subcommands that work on this machine without the API: migrate, token, transcribe, analyze."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from speaking_pipeline.config import get_settings


def migrate() -> int:
    from speaking_pipeline.db.engine import resolve_database_urls
    from speaking_pipeline.db.migrate import upgrade
    from speaking_pipeline.db.urls import redact

    url, _ = resolve_database_urls(get_settings())
    upgrade(url)
    print(f"migrated {redact(url)}")
    return 0


def token(user: str, *, link: bool = False) -> int:
    from speaking_pipeline.security.tokens import mint_token

    settings = get_settings()
    value = mint_token(user, settings.jwt_secret())
    # In the fragment, which browsers never send to a server; the app reads it once and
    # removes it from the address bar and history.
    print(f"{settings.app_url.rstrip('/')}/#token={value}" if link else value)
    return 0


def transcribe(audio: str, *, language: str | None, as_json: bool) -> int:
    from speaking_pipeline.providers import build_transcriber

    path = Path(audio)
    if not path.is_file():
        print(f"error: no such file: {audio}", file=sys.stderr)
        return 2
    result = build_transcriber(get_settings()).transcribe(path, language=language)
    if as_json:
        print(result.model_dump_json(indent=2))
    else:
        print(result.text)
    return 0


def _read_transcript(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    return Path(file).read_text(encoding="utf-8")


def analyze(file: str, *, as_json: bool) -> int:
    from speaking_pipeline.analysis.base import AnalysisInput
    from speaking_pipeline.cli.render import render_analysis
    from speaking_pipeline.providers import build_analyzer

    try:
        text = _read_transcript(file)
    except FileNotFoundError:
        print(f"error: no such file: {file}", file=sys.stderr)
        return 2
    if not text.strip():
        print("error: the transcript is empty", file=sys.stderr)
        return 2
    run = build_analyzer(get_settings()).analyze(AnalysisInput(transcript=text))
    if as_json:
        print(json.dumps(run.analysis.to_public(), indent=2, ensure_ascii=False))
    else:
        print(render_analysis(run.analysis.to_public()))
    return 0


def evaluate(path: str | None) -> int:
    from speaking_pipeline.analysis.evaluation import evaluate as run_eval
    from speaking_pipeline.analysis.evaluation import format_report, load_eval_cases

    report = run_eval(load_eval_cases(Path(path) if path else None))
    print(format_report(report))
    failures = report.failures()
    for failure in failures:
        print(f"below target: {failure}", file=sys.stderr)
    return 1 if failures else 0


def evaluate_m2(files: list[str], *, show_false: int = 0) -> int:
    from speaking_pipeline.analysis.m2_eval import format_reports, score_file

    reports = []
    for name in files:
        path = Path(name)
        if not path.is_file():
            print(f"error: no such M2 file: {name}", file=sys.stderr)
            return 2
        try:
            reports.append(score_file(path, keep_false=show_false))
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(format_reports(reports))
    return 0
