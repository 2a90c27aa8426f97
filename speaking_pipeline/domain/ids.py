"""The shape of session ids: canonical UUID strings, checked before any query uses one."""

from __future__ import annotations

import re

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_session_id(value: object) -> bool:
    """True for a lowercase canonical UUID, the only form the app creates (`new_id`).
    Anything else (NUL bytes, other lengths, text) cannot name a session."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None
