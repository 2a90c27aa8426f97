"""Normalises PostgreSQL URLs for the drivers each component uses."""

from __future__ import annotations

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
