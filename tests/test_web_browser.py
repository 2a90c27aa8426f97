"""The learner's web app in a real browser against a real running stack.

`speaking-pipeline up` runs on the embedded defaults (PostgreSQL, Dagster webserver and
daemon, the API); headless Debian `chromium`, driven by Playwright, records from Chromium's
fake microphone, which plays the committed espeak-ng speech WAV. Screenshots of every page at
desktop and phone width go to tests/artifacts/screenshots/ (gitignored)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import SPEECH_DIR, free_port, wait_for_url

# Playwright may never fetch a browser of its own: only Debian's chromium is used.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHOTS = REPO / "tests" / "artifacts" / "screenshots"
FAKE_MIC_WAV = SPEECH_DIR / "speech.wav"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Generous: whisper on two shared cores; never a statement about speed.
PROCESSING_TIMEOUT_MS = 600_000


def _js_number(value: float) -> str:
    """A number as JavaScript's String() writes it (2.0 is "2"), as the chart's label has it."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _chromium() -> str:
    """Debian's chromium, installed with apt when the machine lacks it."""
    found = shutil.which("chromium")
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env, timeout=900)
    subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, env=env, timeout=1800)
    found = shutil.which("chromium")
    assert found, "apt-get installed chromium but it is not on PATH"
    return found


@dataclass
class Stack:
    base: str
    env: dict[str, str]

    def token(self, user: str) -> str:
        result = subprocess.run(
            [str(BIN / "speaking-pipeline"), "token", "--user", user],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.strip()

    def link(self, user: str) -> str:
        result = subprocess.run(
            [str(BIN / "speaking-pipeline"), "token", "--user", user, "--link"],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.strip()

    def api(self, user: str, method: str, path: str) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        return httpx.request(method, self.base + path, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def stack(whisper_model_dir: Path) -> Iterator[Stack]:
    # Not under pytest's tmp tree: the embedded server runs as its own system user.
    data_dir = Path(tempfile.mkdtemp(prefix="sp-web-"))
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
    proc = subprocess.Popen(
        [str(BIN / "speaking-pipeline"), "up"], cwd=REPO, env=env, start_new_session=True
    )
    try:
        wait_for_url(f"http://127.0.0.1:{api_port}/healthz", 180, proc)
        wait_for_url(f"http://127.0.0.1:{dagster_port}/server_info", 180, proc)
        yield Stack(base=env["APP_URL"], env=env)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=_chromium(),
        args=[
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={FAKE_MIC_WAV}",
        ],
    )
    yield browser
    browser.close()


@dataclass
class Tab:
    """A page with everything the browser complained about collected."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.problems == [], self.problems


def _open(context: BrowserContext) -> Tab:
    page = context.new_page()
    tab = Tab(page)

    def on_console(message: Any) -> None:
        # CSP violations and script errors are reported on the console; refused API calls
        # (a 401 for a bad token, a 404 for another learner's session) are expected.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            tab.problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: tab.problems.append(f"page error: {error}"))
    return tab


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page as it is now, at desktop and at phone width."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(200)
        if label == "phone":
            # Nothing may be wider than a phone's screen.
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name} scrolls sideways at phone width ({overflow} px)"
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    if before:
        page.set_viewport_size(before)


def _wait_done(page: Page) -> list[str]:
    """Statuses the page showed, in order, until the session is DONE or FAILED."""
    seen: list[str] = []
    deadline = time.monotonic() + PROCESSING_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        status = page.get_attribute("#main", "data-status")
        if status and (not seen or seen[-1] != status):
            seen.append(status)
        if status in ("DONE", "FAILED"):
            return seen
        page.wait_for_timeout(200)
    raise AssertionError(f"the session did not finish; statuses seen: {seen}")


XSS_TOPIC = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> weekend'


@dataclass
class Recorded:
    session_id: str
    statuses: list[str]
    sent_type: str
    type_supported: bool
    context: BrowserContext
    tab: Tab


@pytest.fixture(scope="module")
def recorded(stack: Stack, browser: Browser) -> Iterator[Recorded]:
    """Learner `ana` signs in with a link, records about 10 s, uploads; the page follows
    the session to DONE."""
    context = browser.new_context(viewport=DESKTOP)
    # Playwright does not capture multipart bodies built from Blobs, so the test notes the
    # audio part the page passes to XMLHttpRequest.send.
    context.add_init_script(
        """
        const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (body) {
          if (body instanceof FormData && body.get("audio")) {
            const audio = body.get("audio");
            window.__sentAudio = { type: audio.type, name: audio.name, size: audio.size };
          }
          return send.call(this, body);
        };
        """
    )
    tab = _open(context)
    page = tab.page
    page.goto(stack.link("ana"))
    page.wait_for_selector("#record")
    page.fill("#topic", XSS_TOPIC)
    page.click("#record")
    page.wait_for_function("() => document.querySelector('#timer').textContent >= '0:02'")
    # The meter moves: the fake microphone's speech reaches the page.
    page.wait_for_function("() => document.querySelector('#level').value > 0.15", timeout=30_000)
    shoot(page, "record-recording")
    page.wait_for_function(
        "() => document.querySelector('#timer').textContent >= '0:10'", timeout=60_000
    )
    page.click("#record")
    page.wait_for_selector("#preview:not([hidden])")
    assert page.is_enabled("#upload") and page.is_enabled("#discard")
    shoot(page, "record-preview")
    page.click("#upload")
    # What the page handed to the network: the form's audio part, with its type.
    sent = page.evaluate("() => window.__sentAudio")
    assert sent, "the upload sent an audio part"
    page.wait_for_url(re.compile(r"/sessions/[^/]+$"), timeout=120_000)
    session_id = page.url.rsplit("/", 1)[1]
    statuses = _wait_done(page)
    yield Recorded(
        session_id=session_id,
        statuses=statuses,
        sent_type=sent["type"],
        type_supported=bool(page.evaluate("t => MediaRecorder.isTypeSupported(t)", sent["type"])),
        context=context,
        tab=tab,
    )
    context.close()


def test_sign_in_link_keeps_the_token_for_the_tab_only(stack: Stack, browser: Browser) -> None:
    context = browser.new_context(viewport=DESKTOP)
    tab = _open(context)
    page = tab.page
    page.goto(stack.base + "/")
    page.wait_for_selector("#signin-form")
    shoot(page, "signin")
    # A token that is not accepted says so and signs nobody in.
    page.fill("#token", "not-a-token")
    page.click("#signin-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#signin-status').textContent.includes('not accepted')"
    )
    assert page.evaluate("sessionStorage.length") == 0

    page.goto(stack.link("lina"))
    page.wait_for_selector("#record")
    # The fragment is read once and removed from the address bar and history entry.
    assert page.url == stack.base + "/"
    assert page.evaluate("location.hash") == ""
    assert page.evaluate("sessionStorage.getItem('speaking.token')")
    assert page.evaluate("localStorage.length") == 0
    assert page.text_content("#who") == "Signed in as lina"
    # Another tab of the same browser profile is not signed in.
    other = context.new_page()
    other.goto(stack.base + "/history")
    other.wait_for_selector("#signin-form")
    # Pasting a real token signs in.
    other.fill("#token", stack.token("lina"))
    other.click("#signin-form button[type=submit]")
    other.wait_for_selector("#history table, #history p")
    # Signing out forgets it.
    page.click("#sign-out")
    page.wait_for_selector("#signin-form")
    assert page.evaluate("sessionStorage.length") == 0
    tab.assert_clean()
    context.close()


def test_record_upload_and_status_reaches_done(recorded: Recorded) -> None:
    assert recorded.statuses[-1] == "DONE", recorded.statuses
    # The page showed the stages it saw, in pipeline order.
    order = ["UPLOADED", "TRANSCRIBING", "ANALYZING", "DONE"]
    assert [s for s in order if s in recorded.statuses] == recorded.statuses
    # The browser's own recording format is what was sent.
    assert recorded.sent_type.startswith("audio/webm"), recorded.sent_type
    assert recorded.type_supported
    page = recorded.tab.page
    steps = page.locator(".steps li.done")
    assert steps.count() == 4
    recorded.tab.assert_clean()


def test_feedback_highlights_each_insights_examples_in_the_transcript(
    stack: Stack, recorded: Recorded
) -> None:
    page = recorded.tab.page
    session = stack.api("ana", "GET", f"/api/sessions/{recorded.session_id}").json()
    insights = session["insights"]
    assert insights, "the recording has recurring patterns to report"
    page.wait_for_selector("#insights")

    # True severity order, each with its pattern, detail, frequency and suggestion.
    rank = {"high": 0, "medium": 1, "low": 2}
    shown = page.eval_on_selector_all("#insights > li", "els => els.map(e => e.dataset.severity)")
    assert shown == sorted(shown, key=rank.__getitem__)
    assert len(shown) == len(insights)
    cards = page.locator("#insights > li")
    for i, insight in enumerate(insights):
        text = cards.nth(i).inner_text()
        assert insight["pattern"] in text
        assert insight["detail"] in text
        assert insight["suggestion"] in text
        assert f"heard {insight['frequency']} time" in text

    # Every example is highlighted, in place, inside the transcript text.
    transcript = page.text_content("#transcript") or ""
    marks = page.eval_on_selector_all(
        "#transcript mark", "els => els.map(e => [e.firstChild.textContent, e.dataset.insights])"
    )
    assert marks

    def norm(s: str) -> str:
        return " ".join(s.split()).casefold()

    # Overlapping examples of different insights share one mark that names each of them.
    highlighted = [(norm(text), {int(n) for n in numbers.split()}) for text, numbers in marks]
    for i, insight in enumerate(insights, start=1):
        for example in insight["examples"]:
            assert any(norm(example) in t and i in ns for t, ns in highlighted), example
    for text, _ in marks:
        assert norm(text) in norm(transcript)
    plain = page.evaluate(
        "[...document.querySelector('#transcript').childNodes]"
        ".map(n => n.nodeType === 3 ? n.textContent : n.firstChild.textContent).join('')"
    )
    assert norm(plain) == norm(session["transcript"]["text"])

    assert page.text_content("#focus-next") == session["focusNext"]
    figures = page.locator("#fluency [data-figure]")
    assert figures.count() >= 4
    for key in ("speech_rate_wpm", "filled_pauses_per_min", "mattr"):
        figure = page.locator(f"#fluency [data-figure={key}]")
        assert figure.locator(".value").inner_text().strip()
        assert len(figure.locator(".meaning").inner_text()) > 20
    shoot(page, "session-feedback")
    recorded.tab.assert_clean()


def test_a_topic_with_script_is_shown_as_text(stack: Stack, recorded: Recorded) -> None:
    page = recorded.tab.page
    assert page.text_content("h1") == XSS_TOPIC
    assert page.evaluate("window.__xss") is None
    assert page.locator("main script, main img").count() == 0
    page.goto(stack.base + "/history")
    page.wait_for_selector("#history table")
    assert page.locator("#history tbody a", has_text=XSS_TOPIC).count() == 1
    assert page.evaluate("window.__xss") is None
    recorded.tab.assert_clean()


def test_a_second_learner_cannot_open_the_first_learners_session(
    stack: Stack, browser: Browser, recorded: Recorded
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    tab = _open(context)
    page = tab.page
    page.goto(stack.link("ben"))
    page.wait_for_selector("#record")
    page.goto(f"{stack.base}/sessions/{recorded.session_id}")
    page.wait_for_function("() => document.querySelector('h1').textContent === 'Session not found'")
    assert page.locator("#transcript").count() == 0
    assert XSS_TOPIC not in (page.text_content("main") or "")
    shoot(page, "session-not-found")
    page.goto(stack.base + "/history")
    page.wait_for_selector("#history p")
    assert "No sessions yet" in (page.text_content("#history") or "")
    page.goto(stack.base + "/progress")
    page.wait_for_selector("#progress p")
    assert "No analysed sessions yet" in (page.text_content("#progress") or "")
    assert stack.api("ben", "GET", f"/api/sessions/{recorded.session_id}").status_code == 404
    assert stack.api("ben", "DELETE", f"/api/sessions/{recorded.session_id}").status_code == 404
    assert stack.api("ana", "GET", f"/api/sessions/{recorded.session_id}").status_code == 200
    context.close()


def test_file_upload_history_progress_chart_and_delete(stack: Stack, recorded: Recorded) -> None:
    page = recorded.tab.page
    # A second session, from a file this time.
    page.goto(stack.base + "/")
    page.wait_for_selector("#file")
    page.fill("#topic", "market day")
    page.set_input_files("#file", str(SPEECH_DIR / "speech.ogg"))
    page.wait_for_selector("#preview:not([hidden])")
    page.click("#upload")
    page.wait_for_url(re.compile(r"/sessions/[^/]+$"), timeout=120_000)
    second = page.url.rsplit("/", 1)[1]
    assert second != recorded.session_id
    assert _wait_done(page)[-1] == "DONE"

    # A third through the API (the `submit` path), so that the profile has a trend.
    with (SPEECH_DIR / "speech.mp3").open("rb") as audio:
        third = httpx.post(
            stack.base + "/api/sessions",
            headers={"Authorization": f"Bearer {stack.token('ana')}"},
            files={"audio": ("speech.mp3", audio, "audio/mpeg")},
            data={"duration": "11", "topic": "third"},
            timeout=60,
        ).json()["id"]
    deadline = time.monotonic() + PROCESSING_TIMEOUT_MS / 1000
    while stack.api("ana", "GET", f"/api/sessions/{third}").json()["status"] not in (
        "DONE",
        "FAILED",
    ):
        assert time.monotonic() < deadline, "the third session did not finish"
        time.sleep(1)

    page.click("nav a[href='/history']")
    page.wait_for_selector("#history tbody tr")
    rows = page.locator("#history tbody tr")
    assert rows.count() == 3
    assert "third" in rows.nth(0).inner_text()  # newest first
    assert "market day" in rows.nth(1).inner_text()
    assert all("Done" in rows.nth(i).inner_text() for i in range(3))
    assert "Page 1 of 1 (3 sessions)" in (page.text_content(".pager") or "")
    shoot(page, "history")
    page.goto(stack.base + "/history?page=2")
    page.wait_for_selector(".pager a[rel=prev]")
    assert "No sessions on this page" in (page.text_content("#history") or "")

    page.goto(stack.base + "/progress")
    page.wait_for_selector("#progress .pattern")
    profile = stack.api("ana", "GET", "/api/profile").json()
    cards = page.locator("#progress .pattern")
    assert cards.count() == len(profile["patterns"])
    for code, pattern in profile["patterns"].items():
        card = page.locator(f"#progress .pattern[data-code='{code}']")
        assert card.locator("svg.chart rect.bar").count() == 3 == len(pattern["history"])
        label = card.locator("svg.chart").get_attribute("aria-label") or ""
        assert all(
            f"session {n}: {_js_number(p['rate'])} per minute" in label
            for n, p in enumerate(pattern["history"], 1)
        )
        values = card.locator("svg.chart text.value").all_text_contents()
        assert values == [f"{p['rate']:.1f}" if p["frequency"] else "0" for p in pattern["history"]]
        # The trend in words (3 sessions are enough), not only in colour.
        assert pattern["trend"] in ("improving", "steady", "worsening")
        assert f"Trend: {pattern['trend'].capitalize()}" in card.inner_text()
    assert page.locator("#focus-areas li").count() == len(profile["focusAreas"]) > 0
    shoot(page, "progress")

    # Delete, after confirming; "Keep it" keeps it.
    page.click("nav a[href='/history']")
    page.wait_for_selector("#history tbody tr")
    row = page.locator(f"#history tr[data-session='{second}']")
    row.locator("button").click()
    page.wait_for_selector("#confirm-delete[open]")
    shoot(page, "history-confirm-delete")
    page.keyboard.press("Escape")
    page.wait_for_selector("#confirm-delete:not([open])", state="attached")
    assert page.locator("#history tbody tr").count() == 3
    row.locator("button").click()
    page.click("#confirm-no")
    assert page.locator("#history tbody tr").count() == 3
    row.locator("button").click()
    page.click("#confirm-yes")
    page.wait_for_function("() => document.querySelectorAll('#history tbody tr').length === 2")
    assert "deleted" in (page.text_content("#history-notice") or "").lower()
    assert page.locator(f"#history tr[data-session='{second}']").count() == 0
    assert stack.api("ana", "GET", f"/api/sessions/{second}").status_code == 404
    # The profile no longer counts the deleted session.
    for pattern in stack.api("ana", "GET", "/api/profile").json()["patterns"].values():
        assert [p["sessionId"] for p in pattern["history"]] == [recorded.session_id, third]
    page.click("nav a[href='/progress']")
    page.wait_for_selector("#progress .pattern")
    assert page.locator("#progress .pattern").first.locator("rect.bar").count() == 2
    recorded.tab.assert_clean()


def test_keyboard_only_recording_flow_and_labels(stack: Stack, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE)
    tab = _open(context)
    page = tab.page
    page.goto(stack.link("kim"))
    page.wait_for_selector("#record")
    # Every form control has an accessible name.
    unnamed = page.evaluate(
        """[...document.querySelectorAll('input, button, textarea, select, meter, progress, audio')]
             .filter(e => !e.hidden && !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                          && !e.getAttribute('aria-labelledby') && !e.textContent.trim())
             .map(e => e.outerHTML)"""
    )
    assert unnamed == []
    page.focus("#topic")
    page.keyboard.type("by keyboard")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "record":
            break
    assert page.evaluate("document.activeElement.id") == "record"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#timer').textContent >= '0:02'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#preview:not([hidden])")
    # Discard & retry brings back a fresh recorder.
    page.focus("#discard")
    page.keyboard.press("Enter")
    page.wait_for_selector("#preview[hidden]", state="attached")
    assert page.is_disabled("#upload")
    assert page.is_enabled("#record")
    assert page.text_content("#timer") == "0:00"
    tab.assert_clean()
    context.close()


def test_denied_or_missing_microphone_is_said_plainly(stack: Stack, playwright: Playwright) -> None:
    # Without the fake-UI flag, headless Chromium answers the permission prompt with "deny".
    browser = playwright.chromium.launch(
        executable_path=_chromium(), args=["--use-fake-device-for-media-stream"]
    )
    try:
        page = browser.new_page(viewport=DESKTOP)
        page.goto(stack.link("dana"))
        page.click("#record")
        page.wait_for_selector("#record-error:not([hidden])")
        assert "denied" in (page.text_content("#record-error") or "")
        assert page.is_enabled("#file")  # the file upload is still offered
        shoot(page, "record-permission-denied")

        # A machine with no audio input device: getUserMedia fails with NotFoundError.
        context = browser.new_context(viewport=DESKTOP)
        context.add_init_script(
            "navigator.mediaDevices.getUserMedia = () =>"
            " Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));"
        )
        page = context.new_page()
        page.goto(stack.link("dana"))
        page.click("#record")
        page.wait_for_selector("#record-error:not([hidden])")
        assert "No microphone was found" in (page.text_content("#record-error") or "")
    finally:
        browser.close()


def test_a_failed_session_says_why_in_learner_words(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * 16000 * 3)
    context = browser.new_context(viewport=DESKTOP)
    tab = _open(context)
    page = tab.page
    page.goto(stack.link("sam"))
    page.set_input_files("#file", str(silent))
    page.wait_for_selector("#preview:not([hidden])")
    page.click("#upload")
    page.wait_for_url(re.compile(r"/sessions/[^/]+$"), timeout=120_000)
    assert _wait_done(page)[-1] == "FAILED"
    session_id = page.url.rsplit("/", 1)[1]
    error_message = stack.api("sam", "GET", f"/api/sessions/{session_id}").json()["errorMessage"]
    assert error_message
    failure = page.text_content("#failure") or ""
    assert "could not hear any speech" in failure
    assert error_message in failure  # the details stay available
    shoot(page, "session-failed")
    tab.assert_clean()
    context.close()


def test_docs_page_renders_every_route(stack: Stack, browser: Browser) -> None:
    context = browser.new_context(viewport=DESKTOP)
    tab = _open(context)
    page = tab.page
    page.goto(stack.base + "/docs")
    page.wait_for_selector(".op")
    document = httpx.get(stack.base + "/openapi.json", timeout=30).json()
    expected = sum(
        1 for item in document["paths"].values() for m in item if m in {"get", "post", "delete"}
    )
    assert page.locator(".op").count() == expected
    for path in document["paths"]:
        assert page.locator(".op h3 code", has_text=path).count() >= 1
    assert "FILE_TOO_LARGE" in (page.text_content("main") or "")
    shoot(page, "docs")
    tab.assert_clean()
    context.close()
