"""The web app as the server hands it out: pages, static files, security headers, the
OpenAPI description (validated) and the sign-in link. The browser tests are in
test_web_browser.py."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openapi_spec_validator import validate
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from speaking_pipeline.config import Settings
from speaking_pipeline.security.tokens import verify_token
from tests.support import app_env, auth, client_for

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "webhook" / "static"


@pytest.fixture
def web(
    monkeypatch: pytest.MonkeyPatch, app_db_url: str, dagster_db_url: str, tmp_path: Path
) -> Iterator[tuple[Settings, TestClient]]:
    with app_env(
        monkeypatch, app_db_url=app_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        yield settings, client_for(settings)


def test_openapi_document_validates_and_lists_every_route(
    web: tuple[Settings, TestClient],
) -> None:
    _, client = web
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # raises on anything that is not valid OpenAPI 3
    assert document["openapi"].startswith("3.")

    described = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    served: set[tuple[str, str]] = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            continue
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                served.add((route.path, method))
    assert served, "the app has routes"
    assert served - described == set(), "routes missing from /openapi.json"
    assert described - served == set(), "/openapi.json describes routes the app lacks"


def test_openapi_lists_the_error_codes_and_fields(web: tuple[Settings, TestClient]) -> None:
    _, client = web
    text = client.get("/openapi.json").text
    for code in (
        "MISSING_AUDIO",
        "INVALID_DURATION",
        "FILE_TOO_LARGE",
        "UNSUPPORTED_MEDIA_TYPE",
        "UNAUTHORIZED",
        "SESSION_NOT_FOUND",
        "INVALID_QUERY",
        "INVALID_SIGNATURE",
        "INVALID_BODY",
    ):
        assert f'"{code}"' in text, code
    document = client.get("/openapi.json").json()
    upload = document["paths"]["/api/sessions"]["post"]["requestBody"]["content"]
    fields = upload["multipart/form-data"]["schema"]["properties"]
    assert set(fields) == {"audio", "duration", "topic", "language"}
    insight = document["components"]["schemas"]["Insight"]["properties"]
    assert {"code", "pattern", "detail", "frequency", "severity", "examples", "suggestion"} <= set(
        insight
    )


@pytest.mark.parametrize("path", ["/", "/history", "/progress", "/sessions/any-id"])
def test_every_app_path_serves_the_shell_with_a_strict_csp(
    web: tuple[Settings, TestClient], path: str
) -> None:
    _, client = web
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/js/main.js">' in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "default-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_api_and_static_responses_carry_the_headers_too(web: tuple[Settings, TestClient]) -> None:
    settings, client = web
    for response in (
        client.get("/api/profile", headers=auth("csp-learner", settings)),
        client.get("/api/profile"),
        client.get("/static/js/main.js"),
        client.get("/docs"),
    ):
        assert "script-src 'self'" in response.headers["content-security-policy"]
    script = client.get("/static/js/main.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert client.get("/static/../app.py").status_code == 404


def test_pages_have_no_inline_script_or_style() -> None:
    """What a strict CSP would block must not exist: no inline <script>/<style>, no style=
    or on…= attributes in the pages, and no innerHTML anywhere in the scripts (learner text
    is only ever inserted as text nodes)."""
    for page in STATIC.glob("*.html"):
        html = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page.name
        assert "<style" not in html, page.name
        assert not re.search(r"\sstyle=", html), page.name
        assert not re.search(r"\son[a-z]+=", html), page.name
    scripts = list((STATIC / "js").glob("*.js"))
    assert scripts
    for script in scripts:
        source = script.read_text()
        for forbidden in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ):
            assert forbidden not in source, (script.name, forbidden)


def test_docs_page_is_served(web: tuple[Settings, TestClient]) -> None:
    _, client = web
    response = client.get("/docs")
    assert response.status_code == 200
    assert '<script type="module" src="/static/js/docs.js">' in response.text
    assert client.get("/static/js/docs.js").status_code == 200


def test_token_link_puts_the_token_in_the_fragment(tmp_path: Path) -> None:
    env = {
        "PATH": str(Path(sys.executable).parent),
        "DATA_DIR": str(tmp_path),
        "APP_URL": "http://learner.example:8123",
        "AUTH_JWT_SECRET": "a-secret-for-the-link-test-0123456789abcdef",
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "speaking-pipeline"),
            "token",
            "--user",
            "ana",
            "--link",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    link = urlsplit(result.stdout.strip())
    assert (link.scheme, link.netloc, link.path, link.query) == (
        "http",
        "learner.example:8123",
        "/",
        "",
    )
    assert link.fragment.startswith("token=")
    token = link.fragment.removeprefix("token=")
    settings = Settings(auth_jwt_secret=env["AUTH_JWT_SECRET"], data_dir=tmp_path)  # type: ignore[arg-type]
    assert verify_token(token, settings) == "ana"
