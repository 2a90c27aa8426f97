"""Learner bearer tokens: JWTs whose `sub` is the learner's external id."""

from __future__ import annotations

import time
from functools import lru_cache

import jwt

from speaking_pipeline.config import Settings


class TokenError(Exception):
    """The bearer token is missing or not acceptable."""


def mint_token(external_id: str, secret: str, *, ttl_seconds: int = 30 * 24 * 3600) -> str:
    if not external_id.strip():
        raise ValueError("the learner's external id must not be empty")
    now = int(time.time())
    return jwt.encode({"sub": external_id, "iat": now, "exp": now + ttl_seconds}, secret, "HS256")


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True)


def verify_token(token: str, settings: Settings) -> str:
    """The learner's external id, or TokenError. HS256 with AUTH_JWT_SECRET by default;
    with AUTH_JWKS_URL, an asymmetric token from the identity provider."""
    try:
        if settings.auth_jwks_url:
            key = _jwks_client(settings.auth_jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256", "ES256", "EdDSA"],
                issuer=settings.auth_issuer,
                audience=settings.auth_audience,
                options={"require": ["sub", "exp"], "verify_aud": bool(settings.auth_audience)},
                leeway=30,
            )
        else:
            claims = jwt.decode(
                token,
                settings.jwt_secret(),
                algorithms=["HS256"],
                options={"require": ["sub", "exp"]},
                leeway=30,
            )
    except jwt.ExpiredSignatureError as error:
        raise TokenError("the token has expired") from error
    except jwt.PyJWTError as error:
        raise TokenError(f"the token is not valid ({type(error).__name__})") from error
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():
        raise TokenError("the token has no subject")
    return subject
