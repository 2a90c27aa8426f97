"""Verifies and produces QStash `Upstash-Signature` tokens (HS256 JWTs) for queue deliveries.

QStash signs every delivery with a JWT whose claims are:

* ``iss`` -- always ``"Upstash"``;
* ``sub`` -- the exact destination URL the message was published to;
* ``exp`` / ``nbf`` / ``iat`` -- unix seconds; QStash tokens live 5 minutes;
* ``jti`` -- a unique token id (``"jwt_..."``);
* ``body`` -- base64url (RFC 4648 section 5) of the SHA-256 digest of the raw request body.

QStash itself sends the body hash padded (a trailing ``=``, as in the example token in the
QStash security docs) while the official SDKs' own tests sign it unpadded, and every official
receiver strips the padding before comparing; so both forms are accepted here.

The official ``qstash.Receiver`` is not used on the request path: it ignores its
``clock_tolerance`` argument, needs the body as ``str`` (the signature covers bytes) and
reports every failure as the same exception. PyJWT does the JWT work instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import string
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

import jwt
from jwt.exceptions import InvalidJTIError, InvalidSubjectError

ISSUER = "Upstash"
ALGORITHM = "HS256"
#: Leeway beyond this hides real clock problems and widens the replay window.
MAX_LEEWAY_SECONDS = 300
#: The path QStash delivers processing requests to (see `destination_url`).
PROCESS_PATH = "/api/internal/process"
PROCESS_FAILED_PATH = "/api/internal/process-failed"

_REQUIRED_CLAIMS = ["iss", "sub", "exp", "nbf", "body"]
_JTI_ALPHABET = string.ascii_letters + string.digits
# Year 9999: anything later cannot become a datetime and only a broken signer would send it.
_MAX_TIMESTAMP = 253_402_300_799


class SignatureErrorCode(StrEnum):
    MISSING_SIGNATURE = "MISSING_SIGNATURE"
    INVALID_SIGNATURE = "INVALID_SIGNATURE"
    INVALID_CLAIMS = "INVALID_CLAIMS"
    SIGNATURE_EXPIRED = "SIGNATURE_EXPIRED"
    SIGNATURE_NOT_YET_VALID = "SIGNATURE_NOT_YET_VALID"
    WRONG_ISSUER = "WRONG_ISSUER"
    WRONG_DESTINATION = "WRONG_DESTINATION"
    BODY_MISMATCH = "BODY_MISMATCH"
    SIGNING_KEYS_NOT_CONFIGURED = "SIGNING_KEYS_NOT_CONFIGURED"


class SignatureError(Exception):
    """A delivery failed verification; `code` is a `SignatureErrorCode` (a `str`).

    Messages never contain a signing key or the token. Every code means "reject the request"
    (HTTP 401) except SIGNING_KEYS_NOT_CONFIGURED, which is our own misconfiguration (HTTP 500).
    """

    def __init__(self, code: SignatureErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: SignatureErrorCode = code
        self.message = message

    @property
    def is_configuration_error(self) -> bool:
        return self.code is SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED


@dataclass(frozen=True)
class VerifiedDelivery:
    """Facts taken from a token that passed every check.

    `jti` identifies the signed token, not the message: deduplication must rest on the body
    (the session id), never on `jti`. The message id travels in the separate, unsigned
    `Upstash-Message-Id` header, so it is not part of this result.
    """

    subject: str
    expires_at: datetime
    not_before: datetime
    issued_at: datetime | None
    jti: str | None
    signed_with: Literal["current", "next"]


def destination_url(app_url: str, path: str = PROCESS_PATH) -> str:
    """The one spelling of the delivery URL, for the publisher and the verifier alike.

    `sub` is compared as an exact string, so both sides must build it the same way:
    ``APP_URL`` with any trailing slash removed, then `path` (which starts with ``/``).
    """
    if not path.startswith("/"):
        raise ValueError("path must start with '/'")
    return app_url.rstrip("/") + path


def body_hash(body: bytes) -> str:
    """The ``body`` claim as QStash writes it: padded base64url of SHA-256(body)."""
    return base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode("ascii")


def sign_qstash_delivery(
    *,
    body: bytes,
    url: str,
    key: str,
    ttl_seconds: int = 300,
    now: float | None = None,
    jti: str | None = None,
) -> str:
    """Return the `Upstash-Signature` value QStash would send when delivering `body` to `url`.

    Used where we play QStash's part: tests, the direct queue and a local QStash stand-in.
    Header ``{"alg": "HS256", "typ": "JWT"}``; claims in QStash's order with
    ``iat == nbf == now`` and ``exp = now + ttl_seconds``.
    """
    if not key:
        raise SignatureError(
            SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED,
            "no signing key to sign with",
        )
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": ISSUER,
        "sub": url,
        "exp": issued + ttl_seconds,
        "nbf": issued,
        "iat": issued,
        "jti": jti if jti is not None else _new_jti(),
        "body": body_hash(body),
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify_qstash_signature(
    *,
    signature: str | None,
    body: bytes,
    expected_url: str,
    current_key: str | None,
    next_key: str | None,
    leeway_seconds: int = 30,
    now: float | None = None,
) -> VerifiedDelivery:
    """Check an `Upstash-Signature` header against the raw request `body`; raise `SignatureError`.

    The token must carry a valid HS256 signature under `current_key` or, during key rotation,
    `next_key`. Once a key has proved the signature, that token's claim failures are reported
    as such (expired, wrong destination, ...) rather than as a bad signature under the other key.

    `expected_url` is compared with ``sub`` exactly, with no normalisation: QStash signs the
    destination URL exactly as it was published, so a trailing slash, a different scheme, host
    case, port or query string all make it a different destination (WRONG_DESTINATION). Build
    both sides with `destination_url`.

    `leeway_seconds` (0..300) absorbs clock skew for ``exp``, ``nbf`` and ``iat``; `now`
    (unix seconds) replaces the clock for tests and stand-ins.
    """
    if not current_key:
        raise SignatureError(
            SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED,
            "QSTASH_CURRENT_SIGNING_KEY is not set, so QStash deliveries cannot be verified",
        )
    if not 0 <= leeway_seconds <= MAX_LEEWAY_SECONDS:
        raise ValueError(f"leeway_seconds must be between 0 and {MAX_LEEWAY_SECONDS}")
    if not expected_url:
        raise ValueError("expected_url must be the absolute URL QStash delivers to")
    token = (signature or "").strip()
    if not token:
        raise SignatureError(
            SignatureErrorCode.MISSING_SIGNATURE,
            "the Upstash-Signature header is missing",
        )

    claims, signed_with = _decode_with_rotation(token, current_key, next_key)
    clock = time.time() if now is None else now

    not_before = _numeric_claim(claims, "nbf")
    expires = _numeric_claim(claims, "exp")
    issued = _numeric_claim(claims, "iat") if "iat" in claims else None
    starts = not_before if issued is None else max(not_before, issued)
    if starts > clock + leeway_seconds:
        raise SignatureError(
            SignatureErrorCode.SIGNATURE_NOT_YET_VALID,
            f"the signature is not valid for another {starts - clock:.0f}s "
            f"(leeway {leeway_seconds}s); check the clocks",
        )
    # Same boundary as PyJWT: a token is dead at `exp` itself, not one second later.
    if expires <= clock - leeway_seconds:
        raise SignatureError(
            SignatureErrorCode.SIGNATURE_EXPIRED,
            f"the signature expired {clock - expires:.0f}s ago (leeway {leeway_seconds}s)",
        )

    subject = claims["sub"]
    if subject != expected_url:
        raise SignatureError(
            SignatureErrorCode.WRONG_DESTINATION,
            f"the delivery was signed for {subject!r}, but this endpoint is {expected_url!r}",
        )

    claimed = claims["body"]
    if not isinstance(claimed, str):
        raise SignatureError(SignatureErrorCode.INVALID_CLAIMS, "the body claim is not a string")
    if not _body_hash_matches(claimed, body):
        raise SignatureError(
            SignatureErrorCode.BODY_MISMATCH,
            "the request body does not match the body hash in the signature",
        )

    jti = claims.get("jti")
    return VerifiedDelivery(
        subject=subject,
        expires_at=datetime.fromtimestamp(expires, tz=UTC),
        not_before=datetime.fromtimestamp(not_before, tz=UTC),
        issued_at=None if issued is None else datetime.fromtimestamp(issued, tz=UTC),
        jti=jti if isinstance(jti, str) else None,
        signed_with=signed_with,
    )


def _decode_with_rotation(
    token: str, current_key: str, next_key: str | None
) -> tuple[dict[str, Any], Literal["current", "next"]]:
    keys: list[tuple[Literal["current", "next"], str]] = [("current", current_key)]
    if next_key and next_key != current_key:
        keys.append(("next", next_key))
    for name, key in keys:
        try:
            return _decode(token, key), name
        except jwt.InvalidSignatureError:
            continue
    raise SignatureError(
        SignatureErrorCode.INVALID_SIGNATURE,
        "the signature does not match the current or the next signing key",
    )


def _decode(token: str, key: str) -> dict[str, Any]:
    """Verify the signature under `key` and the clock-free claims; let a bad signature through.

    PyJWT checks the signature before any claim, so every error other than
    `InvalidSignatureError` comes from a token this key really signed. Time claims are checked
    by the caller because PyJWT's clock cannot be injected.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={
                "require": _REQUIRED_CLAIMS,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                # QStash binds a token to its destination through `sub`; it documents no
                # audience, and its SDKs' test tokens carry an empty one.
                "verify_aud": False,
            },
        )
    except jwt.InvalidSignatureError:
        raise
    except jwt.InvalidKeyError:
        raise SignatureError(
            SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED,
            "a configured QStash signing key cannot be used as an HMAC secret",
        ) from None
    except jwt.InvalidIssuerError:
        raise SignatureError(
            SignatureErrorCode.WRONG_ISSUER, f"the token was not issued by {ISSUER}"
        ) from None
    except (jwt.MissingRequiredClaimError, InvalidSubjectError, InvalidJTIError) as exc:
        # PyJWT's messages here name a claim, never the key or the token.
        raise SignatureError(
            SignatureErrorCode.INVALID_CLAIMS, f"bad token claims: {exc}"
        ) from None
    except jwt.InvalidTokenError:
        # Malformed token, `alg` other than HS256 (including "none"), undecodable payload.
        raise SignatureError(
            SignatureErrorCode.INVALID_SIGNATURE,
            "the signature is not a valid HS256 token",
        ) from None
    return claims


def _numeric_claim(claims: dict[str, Any], name: str) -> float:
    value = claims.get(name)
    # bool is an int subclass; NaN or an absurd time would make every comparison meaningless.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= _MAX_TIMESTAMP
    ):
        raise SignatureError(
            SignatureErrorCode.INVALID_CLAIMS,
            f"the {name} claim is not a unix timestamp",
        )
    return float(value)


def _body_hash_matches(claimed: str, body: bytes) -> bool:
    padded = body_hash(body).encode("ascii")
    unpadded = padded.rstrip(b"=")
    candidate = claimed.encode("utf-8")
    # Evaluate both comparisons so the timing does not reveal which form nearly matched.
    matches_padded = hmac.compare_digest(candidate, padded)
    matches_unpadded = hmac.compare_digest(candidate, unpadded)
    return matches_padded | matches_unpadded


def _new_jti() -> str:
    return "jwt_" + "".join(secrets.choice(_JTI_ALPHABET) for _ in range(28))
