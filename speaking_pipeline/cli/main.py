"""Argument parsing and dispatch of the `speaking-pipeline` subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from speaking_pipeline.config import MissingSettingError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="speaking-pipeline",
        description="Recorded English speech in, recurring-pattern feedback out.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="start the database, migrations, Dagster and the API")
    up.add_argument(
        "--verbose",
        action="store_true",
        help="show the Dagster, dbt and API logs here (by default they go to DATA_DIR/logs)",
    )
    sub.add_parser("migrate", help="apply database migrations")
    worker = sub.add_parser("worker", help="start a warm run worker (for more machines)")
    worker.add_argument("--concurrency", type=int, help="worker processes (WORKER_CONCURRENCY)")
    worker.add_argument("--name", help="Celery node name, e.g. worker2@%%h")

    token = sub.add_parser("token", help="print a bearer token for a learner")
    token.add_argument("--user", required=True, help="the learner's external id")
    token.add_argument(
        "--link", action="store_true", help="print a sign-in link to the web app instead"
    )

    submit = sub.add_parser("submit", help="upload a recording and wait for its feedback")
    submit.add_argument("audio", help="audio file (webm, ogg, mp3, m4a, wav, flac)")
    submit.add_argument("--user", required=True, help="the learner's external id")
    submit.add_argument("--topic")
    submit.add_argument("--language", default="en")
    submit.add_argument("--api", help="API base URL (default: APP_URL)")
    submit.add_argument("--timeout", type=float, default=900.0, help="seconds to wait")
    submit.add_argument("--json", action="store_true", help="print the session as JSON")

    transcribe = sub.add_parser("transcribe", help="run the configured transcriber")
    transcribe.add_argument("audio")
    transcribe.add_argument("--language")
    transcribe.add_argument("--json", action="store_true")

    analyze = sub.add_parser("analyze", help="run the configured analyzer on a transcript")
    analyze.add_argument("file", nargs="?", default="-", help="transcript file, or - for stdin")
    analyze.add_argument("--json", action="store_true")

    reanalyze = sub.add_parser(
        "reanalyze", help="re-run analysis of stored transcripts (launched in Dagster)"
    )
    reanalyze.add_argument("sessions", nargs="*", default=[], help="session ids")
    which = reanalyze.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every DONE session")
    which.add_argument(
        "--stale", action="store_true", help="sessions analysed by another analyzer version"
    )
    reanalyze.add_argument("--wait", action="store_true", help="wait for the runs to finish")
    reanalyze.add_argument("--timeout", type=float, default=900.0)

    evaluate = sub.add_parser("eval", help="precision and recall of the heuristic analyzer")
    evaluate.add_argument("path", nargs="?", help="evaluation set (default: the bundled one)")
    evaluate.add_argument(
        "--m2",
        nargs="+",
        metavar="FILE",
        help="score on M2 files of human-corrected learner English instead (one band per file)",
    )
    evaluate.add_argument(
        "--show-false", type=int, default=0, metavar="N", help="with --m2: print N false hits"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "up":
            from speaking_pipeline.cli.up import run_up

            return run_up(verbose=args.verbose)
        if args.command == "worker":
            from speaking_pipeline.cli.up import run_worker

            return run_worker(args.concurrency, args.name)
        if args.command == "migrate":
            from speaking_pipeline.cli.local import migrate

            return migrate()
        if args.command == "token":
            from speaking_pipeline.cli.local import token

            return token(args.user, link=args.link)
        if args.command == "submit":
            from speaking_pipeline.cli.submit import submit

            return submit(args)
        if args.command == "transcribe":
            from speaking_pipeline.cli.local import transcribe

            return transcribe(args.audio, language=args.language, as_json=args.json)
        if args.command == "analyze":
            from speaking_pipeline.cli.local import analyze

            return analyze(args.file, as_json=args.json)
        if args.command == "reanalyze":
            if bool(args.sessions) == (args.all or args.stale):
                print("error: give session ids, or --all, or --stale", file=sys.stderr)
                return 2
            from speaking_pipeline.cli.reanalyze import reanalyze

            return reanalyze(args)
        if args.command == "eval":
            from speaking_pipeline.cli.local import evaluate, evaluate_m2

            if args.m2:
                return evaluate_m2(args.m2, show_false=args.show_false)
            return evaluate(args.path)
    except MissingSettingError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    raise AssertionError(f"unhandled command {args.command}")


if __name__ == "__main__":
    sys.exit(main())
