"""Tests for QStash signature verification and for tokens we sign in QStash's place."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from qstash import Receiver
from qstash.errors import SignatureError as SdkSignatureError

from speaking_pipeline.security.qstash_signature import (
    SignatureError,
    SignatureErrorCode,
    body_hash,
    destination_url,
    sign_qstash_delivery,
    verify_qstash_signature,
)

# 32-byte keys in QStash's "sig_..." shape (shorter HMAC keys make PyJWT warn).
CURRENT = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"
NEXT = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs"
STRANGER = "sig_3nfTKp9VZRcQy4Ud2hMx8WbL6aEj"
URL = "https://speaking.example.com/api/internal/process"
BODY = b'{"sessionId":"3f0c8a9e-2b7d-4c1e-9a55-0d6f1e2a7b44"}'
NOW = 1_700_000_000


def verify(signature: str | None, **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "signature": signature,
        "body": BODY,
        "expected_url": URL,
        "current_key": CURRENT,
        "next_key": NEXT,
        "now": NOW,
    }
    kwargs.update(overrides)
    return verify_qstash_signature(**kwargs)


def sign(**overrides: Any) -> str:
    kwargs: dict[str, Any] = {"body": BODY, "url": URL, "key": CURRENT, "now": NOW}
    kwargs.update(overrides)
    return sign_qstash_delivery(**kwargs)


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": "Upstash",
        "sub": URL,
        "exp": NOW + 300,
        "nbf": NOW,
        "iat": NOW,
        "jti": "jwt_67kxXD6UBAk7DqU6hzuHMDdXFXfP",
        "body": body_hash(BODY),
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def hand_built_token(
    header: dict[str, Any], payload: dict[str, Any], key: str, digest: str = "sha256"
) -> str:
    """An HMAC-signed JWT assembled from RFC 7515/7519 by hand, independent of PyJWT."""

    def segment(part: dict[str, Any]) -> str:
        return b64url(json.dumps(part, separators=(",", ":")).encode())

    signing_input = segment(header) + "." + segment(payload)
    mac = hmac.new(key.encode(), signing_input.encode(), digest).digest()
    return signing_input + "." + b64url(mac)


def code_of(signature: str | None, **overrides: Any) -> str:
    with pytest.raises(SignatureError) as caught:
        verify(signature, **overrides)
    return caught.value.code


# --- accepted deliveries -------------------------------------------------------------------


def test_token_signed_with_current_key_is_accepted() -> None:
    delivery = verify(sign(jti="jwt_abc"))
    assert delivery.subject == URL
    assert delivery.jti == "jwt_abc"
    assert delivery.signed_with == "current"
    assert delivery.expires_at == datetime.fromtimestamp(NOW + 300, tz=UTC)
    assert delivery.not_before == datetime.fromtimestamp(NOW, tz=UTC)
    assert delivery.issued_at == datetime.fromtimestamp(NOW, tz=UTC)


def test_token_signed_with_next_key_is_accepted_during_rotation() -> None:
    delivery = verify(sign(key=NEXT))
    assert delivery.signed_with == "next"


def test_next_key_token_is_rejected_when_no_next_key_is_configured() -> None:
    assert code_of(sign(key=NEXT), next_key=None) == SignatureErrorCode.INVALID_SIGNATURE


def test_expired_within_leeway_is_accepted() -> None:
    token = sign(now=NOW - 300 - 29)  # exp = NOW - 29
    assert verify(token, leeway_seconds=30).subject == URL


@pytest.mark.parametrize("key", [CURRENT, NEXT])
def test_expired_beyond_leeway_is_reported_as_expired_for_either_key(key: str) -> None:
    # exp == now - leeway is already dead; a bad-signature retry under the other key must not
    # turn this into INVALID_SIGNATURE.
    token = sign(key=key, now=NOW - 300 - 30)
    assert code_of(token, leeway_seconds=30) == SignatureErrorCode.SIGNATURE_EXPIRED


def test_zero_leeway_rejects_a_token_one_second_past_expiry() -> None:
    token = sign(now=NOW - 301)
    assert code_of(token, leeway_seconds=0) == SignatureErrorCode.SIGNATURE_EXPIRED
    assert verify(sign(now=NOW - 299), leeway_seconds=0).subject == URL


def test_not_before_within_leeway_is_accepted() -> None:
    assert verify(sign(now=NOW + 30), leeway_seconds=30).subject == URL


def test_not_before_beyond_leeway_is_not_yet_valid() -> None:
    token = sign(now=NOW + 31)
    assert code_of(token, leeway_seconds=30) == SignatureErrorCode.SIGNATURE_NOT_YET_VALID


def test_issued_at_in_the_future_is_not_yet_valid() -> None:
    token = jwt.encode(claims(iat=NOW + 120), CURRENT, algorithm="HS256")
    assert code_of(token) == SignatureErrorCode.SIGNATURE_NOT_YET_VALID


# --- destination -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expected",
    [
        "https://speaking.example.com/api/internal/other",
        URL + "/",  # a trailing slash is a different destination
        URL.replace("https://", "http://"),
        URL + "?retry=1",
        URL.replace("speaking.example.com", "Speaking.Example.com"),
    ],
)
def test_any_other_destination_url_is_rejected(expected: str) -> None:
    assert code_of(sign(), expected_url=expected) == SignatureErrorCode.WRONG_DESTINATION


def test_wrong_destination_is_not_masked_by_the_next_key_attempt() -> None:
    token = sign(url="https://evil.example.net/api/internal/process")
    with pytest.raises(SignatureError) as caught:
        verify(token)
    assert caught.value.code == SignatureErrorCode.WRONG_DESTINATION
    assert "evil.example.net" in caught.value.message


def test_destination_url_joins_app_url_and_path_one_way() -> None:
    assert destination_url("https://speaking.example.com") == URL
    assert destination_url("https://speaking.example.com/") == URL
    with pytest.raises(ValueError):
        destination_url("https://speaking.example.com", "api/internal/process")


# --- body --------------------------------------------------------------------------------------


@pytest.mark.parametrize("position", [0, len(BODY) // 2, len(BODY) - 1])
def test_body_changed_by_one_byte_is_a_body_mismatch(position: int) -> None:
    tampered = bytearray(BODY)
    tampered[position] ^= 0x01
    assert code_of(sign(), body=bytes(tampered)) == SignatureErrorCode.BODY_MISMATCH


def test_extra_trailing_byte_is_a_body_mismatch() -> None:
    assert code_of(sign(), body=BODY + b"\n") == SignatureErrorCode.BODY_MISMATCH


def test_padded_and_unpadded_body_hash_are_both_accepted() -> None:
    padded = body_hash(BODY)
    assert padded.endswith("=")
    for form in (padded, padded.rstrip("=")):
        token = jwt.encode(claims(body=form), CURRENT, algorithm="HS256")
        assert verify(token).subject == URL


def test_body_hash_in_another_encoding_is_rejected() -> None:
    # A body whose digest contains '-' or '_' so that standard base64 really differs.
    body = next(
        candidate
        for candidate in (f'{{"sessionId":"{i}"}}'.encode() for i in range(1000))
        if set(body_hash(candidate)) & {"-", "_"}
    )
    digest = hashlib.sha256(body).digest()
    for wrong in (
        base64.b64encode(digest).decode(),  # standard alphabet
        body_hash(body) + "=",  # over-padded
        digest.hex(),
        "",
    ):
        token = jwt.encode(claims(body=wrong), CURRENT, algorithm="HS256")
        assert code_of(token, body=body) == SignatureErrorCode.BODY_MISMATCH


def test_body_hash_of_empty_body_matches_a_known_value() -> None:
    # SHA-256("") = e3b0c442...b855, base64url-encoded with its padding.
    assert body_hash(b"") == "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU="


# --- signature and token shape ------------------------------------------------------------------


def test_token_signed_with_an_unknown_key_is_an_invalid_signature() -> None:
    assert code_of(sign(key=STRANGER)) == SignatureErrorCode.INVALID_SIGNATURE


def test_wrong_issuer_is_reported_as_such() -> None:
    token = jwt.encode(claims(iss="Someone"), CURRENT, algorithm="HS256")
    assert code_of(token) == SignatureErrorCode.WRONG_ISSUER


@pytest.mark.parametrize("missing", ["iss", "sub", "exp", "nbf", "body"])
def test_missing_required_claim_is_rejected(missing: str) -> None:
    payload = claims()
    del payload[missing]
    token = jwt.encode(payload, CURRENT, algorithm="HS256")
    assert code_of(token) == SignatureErrorCode.INVALID_CLAIMS


@pytest.mark.parametrize(
    "bad", [{"exp": "soon"}, {"nbf": True}, {"exp": 1e300}, {"jti": 42}, {"body": 7}]
)
def test_ill_typed_claims_are_rejected(bad: dict[str, Any]) -> None:
    token = jwt.encode(claims(**bad), CURRENT, algorithm="HS256")
    assert code_of(token) == SignatureErrorCode.INVALID_CLAIMS


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_is_reported_as_missing(header: str | None) -> None:
    assert code_of(header) == SignatureErrorCode.MISSING_SIGNATURE


def test_alg_none_is_an_invalid_signature() -> None:
    token = hand_built_token({"alg": "none", "typ": "JWT"}, claims(), CURRENT)
    unsigned = token.rsplit(".", 1)[0] + "."
    assert code_of(unsigned) == SignatureErrorCode.INVALID_SIGNATURE


def test_hs512_with_the_right_key_is_an_invalid_signature() -> None:
    token = hand_built_token({"alg": "HS512", "typ": "JWT"}, claims(), CURRENT, "sha512")
    assert code_of(token) == SignatureErrorCode.INVALID_SIGNATURE


def test_hs256_header_with_stripped_signature_is_an_invalid_signature() -> None:
    stripped = sign().rsplit(".", 1)[0] + "."
    assert code_of(stripped) == SignatureErrorCode.INVALID_SIGNATURE


@pytest.mark.parametrize(
    "garbage", ["garbage", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.%%%.xyz", "é.é.é"]
)
def test_garbage_token_is_an_invalid_signature(garbage: str) -> None:
    assert code_of(garbage) == SignatureErrorCode.INVALID_SIGNATURE


# --- configuration ----------------------------------------------------------------------------------


@pytest.mark.parametrize("current", [None, ""])
def test_missing_current_key_is_a_configuration_error(current: str | None) -> None:
    # Reported even without a signature: the endpoint cannot work at all.
    for signature in (sign(), None):
        with pytest.raises(SignatureError) as caught:
            verify(signature, current_key=current)
        assert caught.value.code == SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED
        assert caught.value.is_configuration_error


def test_leeway_must_stay_small_and_non_negative() -> None:
    for leeway in (-1, 301):
        with pytest.raises(ValueError):
            verify(sign(), leeway_seconds=leeway)


def test_signing_without_a_key_is_refused() -> None:
    with pytest.raises(SignatureError) as caught:
        sign(key="")
    assert caught.value.code == SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED


def test_error_messages_never_contain_keys_or_the_token() -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        (sign(key=STRANGER), {}),
        (sign(now=NOW - 3600), {}),
        (sign(now=NOW + 3600), {}),
        (sign(), {"expected_url": URL + "/"}),
        (sign(), {"body": b"{}"}),
        (jwt.encode(claims(iss="X"), CURRENT, algorithm="HS256"), {}),
        (jwt.encode(claims(body=None), CURRENT, algorithm="HS256"), {}),
        (hand_built_token({"alg": "HS512"}, claims(), CURRENT, "sha512"), {}),
        (sign(), {"current_key": None}),
    ]
    seen = set()
    for token, overrides in cases:
        with pytest.raises(SignatureError) as caught:
            verify(token, **overrides)
        text = f"{caught.value} {caught.value!r}"
        seen.add(caught.value.code)
        for secret in (CURRENT, NEXT, STRANGER, token, token.rsplit(".", 1)[-1]):
            assert secret not in text
    # Every code that can follow a token was exercised.
    assert seen == set(SignatureErrorCode) - {SignatureErrorCode.MISSING_SIGNATURE}


# --- what we sign ------------------------------------------------------------------------------------


def test_signed_token_has_qstash_header_and_claims() -> None:
    token = sign(jti="jwt_fixed", ttl_seconds=300)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "typ": "JWT"}
    payload = jwt.decode(token, CURRENT, algorithms=["HS256"], options={"verify_exp": False})
    assert list(payload) == ["iss", "sub", "exp", "nbf", "iat", "jti", "body"]
    assert payload == {
        "iss": "Upstash",
        "sub": URL,
        "exp": NOW + 300,
        "nbf": NOW,
        "iat": NOW,
        "jti": "jwt_fixed",
        "body": base64.urlsafe_b64encode(hashlib.sha256(BODY).digest()).decode(),
    }


def test_generated_jti_is_unique_and_qstash_shaped() -> None:
    jtis = {jwt.decode(sign(), options={"verify_signature": False})["jti"] for _ in range(20)}
    assert len(jtis) == 20
    assert all(j.startswith("jwt_") and j[4:].isalnum() and len(j) == 32 for j in jtis)


def test_known_vector_built_by_hand_matches_what_we_sign_and_verifies() -> None:
    body = b'{"sessionId":"known-vector"}'
    when = 1_656_580_312
    payload: dict[str, Any] = {
        "iss": "Upstash",
        "sub": "https://qstash-remote.requestcatcher.com/test",
        "exp": when + 300,
        "nbf": when,
        "iat": when,
        "jti": "jwt_67kxXD6UBAk7DqU6hzuHMDdXFXfP",
        "body": base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode(),
    }
    expected = hand_built_token({"alg": "HS256", "typ": "JWT"}, payload, CURRENT)

    produced = sign_qstash_delivery(
        body=body, url=payload["sub"], key=CURRENT, now=when, jti=payload["jti"]
    )
    assert produced == expected
    delivery = verify_qstash_signature(
        signature=expected,
        body=body,
        expected_url=payload["sub"],
        current_key=CURRENT,
        next_key=None,
        now=when + 10,
    )
    assert delivery.jti == payload["jti"]


# --- interoperability with the official qstash SDK -----------------------------------------------------
# The SDK's Receiver runs against the real clock (it ignores clock_tolerance), so these tokens
# are signed "now".


@pytest.mark.parametrize("key", [CURRENT, NEXT])
def test_official_receiver_accepts_what_we_sign(key: str) -> None:
    token = sign_qstash_delivery(body=BODY, url=URL, key=key)
    Receiver(current_signing_key=CURRENT, next_signing_key=NEXT).verify(
        signature=token, body=BODY.decode(), url=URL
    )


def test_official_receiver_rejects_our_token_for_another_body_or_url() -> None:
    token = sign_qstash_delivery(body=BODY, url=URL, key=CURRENT)
    receiver = Receiver(current_signing_key=CURRENT, next_signing_key=NEXT)
    with pytest.raises(SdkSignatureError):
        receiver.verify(signature=token, body=BODY.decode() + " ", url=URL)
    with pytest.raises(SdkSignatureError):
        receiver.verify(signature=token, body=BODY.decode(), url=URL + "/")


def test_we_accept_a_token_shaped_like_the_sdk_test_suites_sign() -> None:
    # upstash/qstash-py and qstash-go sign test deliveries with an unpadded body hash and an
    # empty "aud"; the official Receiver accepts such a token and so must we.
    issued = int(time.time())
    payload = claims(
        aud="",
        body=body_hash(BODY).rstrip("="),
        iat=issued,
        nbf=issued,
        exp=issued + 300,
    )
    token = jwt.encode(payload, NEXT, algorithm="HS256", headers={"alg": "HS256", "typ": "JWT"})
    Receiver(current_signing_key=CURRENT, next_signing_key=NEXT).verify(
        signature=token, body=BODY.decode(), url=URL
    )
    delivery = verify(token, now=None)
    assert delivery.signed_with == "next"
