"""`speaking-pipeline up` on the embedded defaults, then `submit` of a recording, to DONE.

This is the Quickstart path as a user runs it: real processes (embedded PostgreSQL, Dagster
webserver and daemon, the API), a real run launched by the intake sensor, and Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.databases import create_database, drop_database
from tests.support import SPEECH_DIR, free_port, wait_for_url

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def server_database(pg_server_url: str) -> Iterator[str | None]:
    """With TEST_DATABASE_URL set, `up` runs against a fresh database on that server
    (the DATABASE_URL path); otherwise on its embedded default."""
    if not os.environ.get("TEST_DATABASE_URL"):
        yield None
        return
    url = create_database(pg_server_url, "sp_up")
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
def running_up(
    whisper_model_dir: Path, server_database: str | None
) -> Iterator[tuple[dict[str, str], Path]]:
    # Not under pytest's tmp tree: the embedded server runs as its own system user.
    data_dir = Path(tempfile.mkdtemp(prefix="sp-up-"))
    api_port, dagster_port = free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "DAGSTER_", "QSTASH", "TRANSCRIBER", "ANALYZER"))
    }
    env.update(
        DATA_DIR=str(data_dir),
        API_PORT=str(api_port),
        DAGSTER_PORT=str(dagster_port),
        APP_URL=f"http://127.0.0.1:{api_port}",
        WHISPER_MODEL_DIR=str(whisper_model_dir),
    )
    env.pop("DAGSTER_HOME", None)
    if server_database:
        env["DATABASE_URL"] = server_database
    out_path = Path(tempfile.mkstemp(prefix="sp-up-out-")[1])
    out = out_path.open("w")
    proc = subprocess.Popen(
        [str(BIN / "speaking-pipeline"), "up"],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    ready = f"ready: dagster http://127.0.0.1:{dagster_port}  api http://127.0.0.1:{api_port}"
    try:
        wait_for_url(f"http://127.0.0.1:{api_port}/healthz", 120, proc)
        wait_for_url(f"http://127.0.0.1:{dagster_port}/server_info", 120, proc)
        deadline = time.monotonic() + 60
        while ready not in out_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        yield env, data_dir
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        shutil.rmtree(data_dir, ignore_errors=True)
        out.close()
    said = out_path.read_text()
    out_path.unlink()
    assert code == 0
    # The operator's terminal: a handful of lines, the ready line with both URLs; Dagster's
    # and dbt's chatter went to DATA_DIR/logs.
    assert ready in said, said
    assert len(said.splitlines()) < 50, said
    assert "superseded" not in said and "RuntimeDirWarning" not in said


def test_up_then_submit_reaches_done(running_up: tuple[dict[str, str], Path]) -> None:
    env, data_dir = running_up
    result = subprocess.run(
        [
            str(BIN / "speaking-pipeline"),
            "submit",
            str(SPEECH_DIR / "speech.ogg"),
            "--user",
            "quickstart-learner",
            "--topic",
            "my weekend",
            "--json",
            "--timeout",
            "300",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=360,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "TRANSCRIBING" in result.stderr or "ANALYZING" in result.stderr  # progress shown
    session = json.loads(result.stdout)
    assert session["status"] == "DONE"
    text = session["transcript"]["text"].lower()
    assert "market" in text
    assert session["focusNext"]
    assert session["audioDeletedAt"]
    assert not list((data_dir / "audio").rglob("audio.*"))

    # The Dagster UI's GraphQL API shows the session's partition of `insights` materialized.
    query = """
      query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
        assetMaterializations(limit: 5) { partition } } } }
    """
    response = httpx.post(
        f"http://127.0.0.1:{env['DAGSTER_PORT']}/graphql",
        json={"query": query, "variables": {"key": {"path": ["insights"]}}},
        timeout=30,
    )
    partitions = [
        m["partition"] for m in response.json()["data"]["assetOrError"]["assetMaterializations"]
    ]
    assert session["id"] in partitions

    # Re-analysis through the running Dagster replaces the insights, reusing the transcript.
    before = {i["id"] for i in session["insights"]}
    result = subprocess.run(
        [str(BIN / "speaking-pipeline"), "reanalyze", session["id"], "--wait", "--timeout", "180"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert "SUCCESS" in result.stderr
    token = subprocess.run(
        [str(BIN / "speaking-pipeline"), "token", "--user", "quickstart-learner"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    again = httpx.get(
        f"{env['APP_URL']}/api/sessions/{session['id']}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert again["status"] == "DONE"
    assert again["transcript"]["text"] == session["transcript"]["text"]
    assert len(again["insights"]) == len(session["insights"])
    assert not before & {i["id"] for i in again["insights"]}  # replaced, not appended
