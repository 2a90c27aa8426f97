"""Which database errors are transient (the server is down or restarting) rather than bugs."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc


def is_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) means the database could not be reached or
    dropped the connection: retrying later helps, and nobody's input is at fault."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, sa_exc.OperationalError | sa_exc.InterfaceError):
            return True
        if isinstance(current, sa_exc.TimeoutError):  # the pool had no connection to give
            return True
        module = type(current).__module__
        # The drivers' own classes, raised outside SQLAlchemy (psycopg, psycopg2).
        if module.startswith(("psycopg", "psycopg2")) and type(current).__name__ in (
            "OperationalError",
            "InterfaceError",
        ):
            return True
        current = current.__cause__ or current.__context__
    return False
