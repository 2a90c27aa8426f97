"""Normalises PostgreSQL URLs for the drivers each component uses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import make_url

_PLAIN_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg", "postgresql+psycopg2"}


def _check(url: str) -> None:
    scheme = url.split("://", 1)[0]
    if scheme not in _PLAIN_SCHEMES:
        raise ValueError(
            f"DATABASE_URL must be a PostgreSQL URL (postgresql://...), got scheme {scheme!r}"
        )


def sqlalchemy_url(url: str) -> str:
    """The app's URL: SQLAlchemy with psycopg 3."""
    _check(url)
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def dagster_postgres_url(url: str) -> str:
    """dagster-postgres builds its engine with the default driver (psycopg2), so a plain
    `postgresql://` URL is what it expects; any driver suffix is dropped."""
    _check(url)
    return "postgresql://" + url.split("://", 1)[1]


def redact(url: str) -> str:
    """A URL safe to print: the password is hidden."""
    return make_url(sqlalchemy_url(url)).render_as_string(hide_password=True)


def with_database(url: str, database: str) -> str:
    """The same server, another database."""
    parsed = make_url(sqlalchemy_url(url)).set(database=database)
    return "postgresql://" + parsed.render_as_string(hide_password=False).split("://", 1)[1]


@dataclass(frozen=True)
class ConnectionParts:
    host: str | None
    port: int | None
    user: str | None
    password: str | None
    database: str | None
    # The first value of each query parameter (`host=/socket/dir`, `sslmode=...`).
    query: dict[str, str]


def connection_parts(url: str) -> ConnectionParts:
    """The parts of a PostgreSQL URL, percent-encoding decoded (SQLAlchemy's parser)."""
    parsed = make_url(sqlalchemy_url(url))
    query: dict[str, str] = {}
    for name, value in parsed.query.items():
        first = value[0] if isinstance(value, tuple) else value
        if first:
            query[name] = first
    return ConnectionParts(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        database=parsed.database,
        query=query,
    )
