"""Turns vendor API failures into messages a person can act on, and says if retrying helps."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Vendors echo masked keys ("sk-ab*****wxyz") in some error messages; none may reach a log.
_KEYLIKE = re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_*.\-]{4,}")
_USERINFO = re.compile(r"//[^/@\s]+@")


@dataclass(frozen=True)
class Failure:
    message: str
    transient: bool


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Remove secrets and anything shaped like an API key from `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return _KEYLIKE.sub("[redacted]", text)


def describe_status(
    *,
    vendor: str,
    status: int,
    vendor_message: str | None,
    vendor_code: str | None,
    key_variable: str,
    model: str,
    model_variable: str,
    subject: str,
    retries: int,
    secrets: Iterable[str | None] = (),
) -> Failure:
    """Describe an HTTP error status from `vendor` that the SDK did not (or no longer) retry.

    `subject` names what was sent ("the audio file speech.webm", "the analysis request").
    """
    detail = scrub((vendor_message or "").strip(), secrets)
    suffix = f": {detail}" if detail else ""
    if status == 401:
        # The vendor text is left out: it can carry a masked form of the key.
        return Failure(f"{vendor} rejected the API key (401): check {key_variable}", False)
    if status == 403:
        return Failure(
            f"{vendor} refused the request (403): the key in {key_variable} has no access to "
            f"model {model!r} or the account is restricted{suffix}",
            False,
        )
    if status == 404:
        return Failure(
            f"{vendor} does not offer model {model!r} to this key (404): check {model_variable}"
            f"{suffix}",
            False,
        )
    if status == 429 and vendor_code == "insufficient_quota":
        return Failure(
            f"{vendor} quota is used up (429 insufficient_quota): add credit or raise the limit "
            f"of the account behind {key_variable}",
            False,
        )
    if status == 429:
        return Failure(
            f"{vendor} kept rate-limiting requests (429) after {retries} retries; "
            f"try again later{suffix}",
            True,
        )
    if status in (408, 409) or status >= 500:
        return Failure(f"{vendor} failed with HTTP {status} after {retries} retries{suffix}", True)
    if status == 413:
        return Failure(f"{vendor} rejected {subject} as too large (413){suffix}", False)
    return Failure(f"{vendor} rejected {subject} (HTTP {status}){suffix}", False)


def describe_connection(*, vendor: str, base_url: str, timed_out: bool, retries: int) -> Failure:
    what = "timed out" if timed_out else "could not be reached"
    return Failure(
        f"{vendor} at {_USERINFO.sub('//', base_url)} {what} after {retries} retries", True
    )
