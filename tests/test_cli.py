"""The console script: token, transcribe, analyze, eval, and clear errors for missing keys."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jwt

from tests.support import SPEECH_DIR

REPO = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "speaking-pipeline")


def _run(
    args: list[str], tmp_path: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANALYZER", "TRANSCRIBER", "OPENAI", "ANTHROPIC", "AUTH_"))
    }
    return subprocess.run(
        [CLI, *args],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={**base, "DATA_DIR": str(tmp_path / "data"), **env},
    )


def test_token_is_a_jwt_for_the_learner_signed_with_the_configured_secret(tmp_path: Path) -> None:
    secret = "a-configured-secret-of-enough-length-0123"
    result = _run(["token", "--user", "alice"], tmp_path, AUTH_JWT_SECRET=secret)
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"])
    assert claims["sub"] == "alice"


def test_transcribe_and_analyze_json(tmp_path: Path, whisper_model_dir: Path) -> None:
    transcribed = _run(
        ["transcribe", str(SPEECH_DIR / "speech.mp3"), "--json"],
        tmp_path,
        WHISPER_MODEL_DIR=str(whisper_model_dir),
    )
    assert transcribed.returncode == 0, transcribed.stderr
    result = json.loads(transcribed.stdout)
    assert "market" in result["text"].lower() and result["words"]

    analysed = _run(["analyze", "-", "--json"], tmp_path, stdin=result["text"])
    assert analysed.returncode == 0, analysed.stderr
    analysis = json.loads(analysed.stdout)
    assert set(analysis) == {"insights", "focusNext", "summary"}
    assert analysis["focusNext"] and analysis["summary"]


def test_a_provider_without_its_key_names_the_missing_variable(tmp_path: Path) -> None:
    result = _run(
        ["analyze", "-"], tmp_path, stdin="Yesterday I go to the shop.", ANALYZER="anthropic"
    )
    assert result.returncode == 2
    assert "ANTHROPIC_API_KEY" in result.stderr
    result = _run(["transcribe", str(SPEECH_DIR / "speech.wav")], tmp_path, TRANSCRIBER="openai")
    assert result.returncode == 2
    assert "OPENAI_API_KEY" in result.stderr


def test_bad_input_is_reported_plainly(tmp_path: Path) -> None:
    missing = _run(["transcribe", "nope.wav"], tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    empty = _run(["analyze", "-"], tmp_path, stdin="   ")
    assert empty.returncode == 2 and "empty" in empty.stderr


def test_eval_prints_per_code_precision_and_recall(tmp_path: Path) -> None:
    result = _run(["eval", str(REPO / "tests" / "eval_set")], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "grammar.article_omission" in result.stdout and "recall" in result.stdout


def test_submit_against_an_api_that_is_down_says_what_to_check(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "speaking_pipeline.cli.main",
            "submit",
            str(Path(__file__).parent / "fixtures" / "audio" / "speech.ogg"),
            "--user",
            "learner-down",
            "--api",
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATA_DIR": str(tmp_path), "AUTH_JWT_SECRET": "x" * 40},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"could not reach the API at http://127.0.0.1:{port}" in result.stderr
    assert "speaking-pipeline up" in result.stderr
