"""The production configuration end to end: OpenAI transcription, Claude analysis, S3 storage
and QStash delivery, each through its real SDK against a local server speaking its protocol."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.domain.taxonomy import TAXONOMY
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.fake_qstash import FakeQStash
from tests.support import app_env, auth, client_for, launch_requested_runs, upload

pytest_plugins = ["tests.fakes.fixtures"]

APP_URL = "http://testserver"
BUCKET = "speaking-audio"
TRANSCRIPT = (
    "Um, so yesterday I go to the market with my brother. He don't like the market, so we buy "
    "only some bread. Um, so then we go home and we cook dinner together."
)


def _insight(code: str, severity: str, examples: list[str]) -> dict[str, object]:
    return {
        "code": code,
        "category": code.split(".")[0],
        "pattern": TAXONOMY[code].name,
        "detail": "It recurs through the recording.",
        "frequency": 3,
        "severity": severity,
        "examples": examples,
        "suggestion": "Mark past events with past forms: went, bought.",
    }


@pytest.fixture
def production(  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
    openai_server: FakeOpenAI,
    anthropic_server: FakeAnthropic,
    qstash_server: FakeQStash,
    s3_endpoint: str,
):
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=BUCKET)
    openai_server.transcript_text = lambda n: TRANSCRIPT
    extra = {
        "TRANSCRIBER": "openai",
        "OPENAI_API_KEY": openai_server.api_key,
        "OPENAI_BASE_URL": openai_server.api_base,
        "ANALYZER": "anthropic",
        "ANTHROPIC_API_KEY": anthropic_server.api_key,
        "ANTHROPIC_BASE_URL": anthropic_server.base_url,
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_BUCKET": BUCKET,
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "QUEUE": "qstash",
        **qstash_server.env(APP_URL),
    }
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        extra=extra,
    ) as settings:
        yield (
            settings,
            client_for(settings),
            openai_server,
            anthropic_server,
            qstash_server,
            s3_endpoint,
        )


def _deliver(client, qstash: FakeQStash, index: int) -> None:  # type: ignore[no-untyped-def]
    message = qstash.messages[index]
    path = message.destination.removeprefix(APP_URL)
    headers = qstash.signed_headers(message.message_id, message.destination, message.body, 0)
    response = client.post(path, content=message.body, headers=headers)
    assert response.status_code == 200, response.text


def _objects(endpoint: str) -> list[str]:
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_production_providers_take_a_session_to_done(production, fresh_db_url) -> None:  # type: ignore[no-untyped-def]
    settings, client, openai, anthropic, qstash, s3 = production
    # A chatty reply with fenced JSON and one invented example: repaired, not stored as is.
    reply = {
        "insights": [
            _insight(
                "grammar.past_tense",
                "high",
                ["yesterday I go to the market", "we buy only some bread", "I goed home"],
            ),
            _insight(
                "vocabulary.filler_words", "medium", ["Um, so yesterday", "Um, so then we go home"]
            ),
        ],
        "focusNext": "Retell your weekend using only past forms: went, bought, cooked.",
        "summary": "Clear, but past events are told in the present.",
    }
    anthropic.reply_text(
        "Here is the analysis:\n```json\n" + json.dumps(reply) + "\n```\nHope it helps!"
    )

    session_id = str(upload(client, settings, "prod-learner", fixture="speech.m4a")["id"])
    assert [k.endswith(f"{session_id}/audio.m4a") for k in _objects(s3)] == [True]
    _deliver(client, qstash, 0)
    assert launch_requested_runs(settings, fresh_db_url) == [session_id]

    detail = client.get(
        f"/api/sessions/{session_id}", headers=auth("prod-learner", settings)
    ).json()
    assert detail["status"] == "DONE", detail.get("errorMessage")
    assert detail["transcript"]["text"] == TRANSCRIPT
    assert detail["analyzerVersion"].startswith("anthropic:")
    assert [i["code"] for i in detail["insights"]] == [
        "grammar.past_tense",
        "vocabulary.filler_words",
    ]
    assert "I goed home" not in detail["insights"][0]["examples"]
    assert _objects(s3) == []  # audio deleted from the bucket after transcription

    # What the vendors received is what their real APIs expect.
    (transcription,) = openai.requests_to("/v1/audio/transcriptions")
    assert b'name="model"' in transcription.body and b"whisper-1" in transcription.body
    assert b'filename="audio.m4a"' in transcription.body
    assert b'name="language"' in transcription.body
    messages = [r for r in anthropic.requests if r.path == "/v1/messages"]
    sent = json.loads(messages[0].body)
    assert sent["model"] == settings.anthropic_model
    assert "<transcript>" in json.dumps(sent["messages"])
    published = qstash.requests[0]
    assert published.path == f"/v2/publish/{APP_URL}/api/internal/process"
    assert published.headers["upstash-deduplication-id"].endswith(session_id)


def test_an_unrepairable_model_reply_fails_the_session_with_a_clear_message(
    production, fresh_db_url
) -> None:  # type: ignore[no-untyped-def]
    settings, client, _openai, anthropic, qstash, _s3 = production
    anthropic.reply_text("I'm sorry, I can't analyse this.")
    anthropic.reply_text("Still no JSON here.")
    session_id = str(upload(client, settings, "prod-learner-2", fixture="speech.webm")["id"])
    _deliver(client, qstash, 0)
    assert launch_requested_runs(settings, fresh_db_url) == [session_id]
    detail = client.get(
        f"/api/sessions/{session_id}", headers=auth("prod-learner-2", settings)
    ).json()
    assert detail["status"] == "FAILED"
    # The learner reads the fixed message; the model's reply stays with the operators.
    assert detail["errorMessage"] == learner_message(Reason.ANALYSIS_FAILED)
    assert detail["audioDeletedAt"]
    assert detail["insights"] == []
    assert detail["transcript"]["text"] == TRANSCRIPT  # kept: a re-analysis needs no audio
