"""Sessions API: validation, limits, ownership, pagination, deletion and the profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from speaking_pipeline.config import Settings
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SpeakingSession
from tests.support import SPEECH_DIR, app_env, auth, client_for, launch_requested_runs, upload


@pytest.fixture
def api(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    whisper_model_dir: Path,
    tmp_path: Path,
) -> Iterator[tuple[Settings, TestClient]]:
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        whisper_model_dir=whisper_model_dir,
        extra={"MAX_UPLOAD_BYTES": str(200 * 1024)},
    ) as settings:
        yield settings, client_for(settings)


def _count_sessions(db_url: str) -> int:
    with session_scope(db_url) as db:
        return int(db.scalar(select(func.count()).select_from(SpeakingSession)) or 0)


def _post(client: TestClient, settings: Settings, files: dict, data: dict) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.post("/api/sessions", files=files, data=data, headers=auth("u1", settings))
    return response.status_code, response.json()


def test_bad_uploads_get_clear_errors_and_store_nothing(api, fresh_db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings, client = api
    speech = (SPEECH_DIR / "speech.webm").read_bytes()
    cases = [
        ({}, {"duration": "5"}, 400, "MISSING_AUDIO"),
        ({"audio": ("a.webm", speech, "audio/webm")}, {}, 400, "INVALID_DURATION"),
        ({"audio": ("a.webm", speech, "audio/webm")}, {"duration": "abc"}, 400, "INVALID_DURATION"),
        (
            {"audio": ("a.webm", speech, "audio/webm")},
            {"duration": "5", "language": "english!"},
            400,
            "INVALID_LANGUAGE",
        ),
        (
            {"audio": ("fake.mp3", (SPEECH_DIR / "fake.mp3").read_bytes(), "audio/mpeg")},
            {"duration": "5"},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            {"audio": ("t.webm", (SPEECH_DIR / "truncated.webm").read_bytes(), "audio/webm")},
            {"duration": "5"},
            400,
            "INVALID_AUDIO",
        ),
        (
            {"audio": ("big.wav", (SPEECH_DIR / "speech.wav").read_bytes(), "audio/wav")},
            {"duration": "5"},
            413,
            "FILE_TOO_LARGE",
        ),
    ]
    for files, data, status, code in cases:
        got_status, body = _post(client, settings, files, data)
        assert (got_status, body.get("code")) == (status, code), (code, body)
        assert body["error"]
    assert _count_sessions(fresh_db_url) == 0
    assert not list((tmp_path / "data").rglob("audio.*"))


def test_size_cap_holds_for_a_chunked_body_without_content_length(api, fresh_db_url) -> None:  # type: ignore[no-untyped-def]
    settings, client = api
    boundary = "xyzboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    sent = []

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(1000):  # would be 64 MB if read to the end
            sent.append(1)
            yield b"\0" * 65536

    response = client.post(
        "/api/sessions",
        content=body(),
        headers={
            **auth("u1", settings),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert response.status_code == 413
    assert response.json()["code"] == "FILE_TOO_LARGE"
    assert _count_sessions(fresh_db_url) == 0


def test_auth_ownership_pagination_and_delete(api, fresh_db_url) -> None:  # type: ignore[no-untyped-def]
    settings, client = api
    assert client.get("/api/sessions").status_code == 401
    bad = client.get("/api/sessions", headers={"Authorization": "Bearer not-a-jwt"})
    assert bad.status_code == 401 and bad.json()["code"] == "UNAUTHORIZED"

    ids = [str(upload(client, settings, "owner", fixture="speech.ogg")["id"]) for _ in range(3)]
    page = client.get("/api/sessions?page=1&limit=2", headers=auth("owner", settings)).json()
    assert page["total"] == 3 and len(page["sessions"]) == 2 and page["limit"] == 2
    page2 = client.get("/api/sessions?page=2&limit=2", headers=auth("owner", settings)).json()
    assert {s["id"] for s in page["sessions"] + page2["sessions"]} == set(ids)
    assert client.get("/api/sessions?limit=0", headers=auth("owner", settings)).status_code == 400

    stranger = auth("stranger", settings)
    assert client.get("/api/sessions", headers=stranger).json()["total"] == 0
    assert client.get(f"/api/sessions/{ids[0]}", headers=stranger).status_code == 404
    assert client.delete(f"/api/sessions/{ids[0]}", headers=stranger).status_code == 404
    assert _count_sessions(fresh_db_url) == 3

    # Process them, then delete one: the profile no longer counts it.
    assert sorted(launch_requested_runs(settings, fresh_db_url)) == sorted(ids)
    profile = client.get("/api/profile", headers=auth("owner", settings)).json()
    before = {code: p["sessions"] for code, p in profile["patterns"].items()}
    assert before and all(n == 3 for n in before.values())

    assert client.delete(f"/api/sessions/{ids[0]}", headers=auth("owner", settings)).json() == {
        "ok": True
    }
    assert client.get(f"/api/sessions/{ids[0]}", headers=auth("owner", settings)).status_code == 404
    after = client.get("/api/profile", headers=auth("owner", settings)).json()
    assert {code: p["sessions"] for code, p in after["patterns"].items()} == {c: 2 for c in before}


def test_health(api) -> None:  # type: ignore[no-untyped-def]
    _, client = api
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "up"
