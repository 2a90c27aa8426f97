"""Pytest fixtures for the vendor stand-ins (`pytest_plugins = ["tests.fakes.fixtures"]`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from tests.fakes import fake_anthropic, fake_openai, fake_qstash
from tests.fakes.fake_anthropic import FakeAnthropic
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.fake_qstash import FakeQStash


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    """OpenAI API stand-in; give the SDK `base_url=server.api_base`, `api_key=server.api_key`."""
    with fake_openai.running() as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[FakeAnthropic]:
    """Anthropic Messages API stand-in; script replies with `reply_tool` / `reply_text`."""
    with fake_anthropic.running() as server:
        yield server


@pytest.fixture
def qstash_server() -> Iterator[FakeQStash]:
    """QStash stand-in (QSTASH_URL=server.base_url); `deliver(message)` plays QStash's part."""
    with fake_qstash.running() as server:
        yield server


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """URL of moto's S3 server; create buckets with any credentials."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
