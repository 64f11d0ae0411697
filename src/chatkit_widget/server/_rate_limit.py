"""``--rate-limit N/minute``: how many turns each user may start, 429 beyond.

Only requests that start a turn count (they are what costs model tokens); reads never do.
Counts live in the store (``ChatStore.count_turn``), so workers sharing one store share one
limit. A sliding window is estimated from two fixed ones, the current and the previous,
weighted by how much of the previous still overlaps: no burst of twice the limit across a
window's edge.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from fastapi import HTTPException

from ..store import ChatStore

_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)s?\s*$")


@dataclass(frozen=True)
class RateLimit:
    """At most ``turns`` turns per ``per`` seconds, per user."""

    turns: int
    per: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"30/minute"``, ``"5/second"``, ``"1000/hour"``.

        Raises:
            ValueError: for anything else, or zero turns.
        """
        match = _SPEC.match(text.lower())
        if match is None or int(match.group(1)) < 1:
            raise ValueError(f"not a rate: {text!r} (e.g. 30/minute, 5/second, 1000/hour)")
        return cls(int(match.group(1)), _UNITS[match.group(2)])

    def __str__(self) -> str:
        unit = next(name for name, seconds in _UNITS.items() if seconds == self.per)
        return f"{self.turns}/{unit}"


async def check_turn(store: ChatStore, user: str, limit: RateLimit) -> None:
    """Count a turn ``user`` starts; 429 with ``Retry-After`` if it goes over ``limit``.

    Raises:
        HTTPException: 429 when over the limit.
    """
    now = time.time()
    window = int(now // limit.per)
    into = now - window * limit.per
    current, previous = await store.count_turn(user, window)
    estimate = previous * (1 - into / limit.per) + current
    if estimate <= limit.turns:
        return
    wait = max(1, math.ceil(limit.per - into))
    raise HTTPException(
        status_code=429,
        detail=f"Too many messages: this server allows {limit} per user. Try again in {wait} s.",
        headers={"Retry-After": str(wait)},
    )
