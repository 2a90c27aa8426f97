"""The S3 audio store against moto's S3 server (a real S3-protocol endpoint on 127.0.0.1)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.storage.base import AudioNotFoundError, audio_key
from speaking_pipeline.storage.s3 import S3AudioStore

BUCKET = "speaking-audio"
AUDIO = Path(__file__).parent / "fixtures" / "audio" / "speech.webm"
KEY_ID, SECRET = "test-access-key", "test-secret-key"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    ).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture
def store(endpoint: str) -> S3AudioStore:
    settings = Settings(
        _env_file=None,
        storage_backend="s3",
        s3_endpoint_url=endpoint,
        s3_bucket=BUCKET,
        s3_access_key_id=KEY_ID,
        s3_secret_access_key=SECRET,
    )
    return S3AudioStore.from_settings(settings)


def test_round_trip_keeps_bytes_type_and_file_name(store: S3AudioStore) -> None:
    key = audio_key("learner-1", "session-1", "webm")
    data = AUDIO.read_bytes()
    store.put(key, io.BytesIO(data), "audio/webm")

    assert store.exists(key)
    head = store.client().head_object(Bucket=BUCKET, Key=key)
    assert head["ContentType"] == "audio/webm"
    with store.local_copy(key) as path:
        assert path.name == "audio.webm"  # transcribers read the format from the extension
        assert path.read_bytes() == data
        copy = path
    assert not copy.exists() and not copy.parent.exists()

    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(AudioNotFoundError), store.local_copy(key):
        pass
    store.delete(key)  # deleting a missing object is not an error


def test_large_upload_is_multipart(store: S3AudioStore) -> None:
    store.multipart_threshold_bytes = 5 * 1024 * 1024
    key = audio_key("learner-1", "session-big", "wav")
    data = os.urandom(6 * 1024 * 1024)
    store.put(key, io.BytesIO(data), "audio/wav")
    etag = store.client().head_object(Bucket=BUCKET, Key=key)["ETag"]
    assert etag.strip('"').endswith("-2")  # S3 marks multipart objects with their part count
    with store.local_copy(key) as path:
        assert path.read_bytes() == data
    store.delete(key)


def test_r2_settings_resolve_endpoint_and_region() -> None:
    settings = Settings(
        _env_file=None,
        storage_backend="s3",
        r2_account_id="abc123",
        s3_bucket="audio",
        s3_access_key_id="id",
        s3_secret_access_key="secret",
    )
    store = S3AudioStore.from_settings(settings)
    assert store.endpoint_url == "https://abc123.r2.cloudflarestorage.com"
    assert (store.bucket, store.region_name) == ("audio", "auto")
    client = store.client()
    assert client.meta.endpoint_url == "https://abc123.r2.cloudflarestorage.com"
    assert getattr(client.meta.config, "signature_version", None) in (None, "s3v4")


def test_missing_bucket_fails_at_first_use() -> None:
    store = S3AudioStore.from_settings(
        Settings(_env_file=None, storage_backend="s3", s3_bucket=None)
    )
    with pytest.raises(MissingSettingError) as caught:
        store.exists("x")
    assert caught.value.variable == "S3_BUCKET"


def test_missing_r2_key_is_named() -> None:
    settings = Settings(
        _env_file=None,
        storage_backend="s3",
        r2_account_id="abc123",
        s3_bucket="audio",
        s3_access_key_id=None,
        s3_secret_access_key=None,
    )
    store = S3AudioStore.from_settings(settings)
    with pytest.raises(MissingSettingError) as caught:
        store.put("k", io.BytesIO(b"x"), "audio/webm")
    assert caught.value.variable == "R2_ACCESS_KEY_ID"
