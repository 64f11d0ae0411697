"""What both database stores (SQLite, PostgreSQL) write in their rows: JSON and ids.

Rows hold the ChatKit JSON of threads, items and attachments, so any item type round-trips
unchanged whatever the database.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from chatkit.types import Attachment, Page, ThreadItem, ThreadMetadata
from pydantic import TypeAdapter

ITEM = TypeAdapter[ThreadItem](ThreadItem)
ATTACHMENT = TypeAdapter[Attachment](Attachment)

Row = TypeVar("Row", ThreadItem, ThreadMetadata)

_PREFIXES = {
    "thread": "thr",
    "message": "msg",
    "tool_call": "tc",
    "workflow": "wf",
    "task": "tsk",
    "attachment": "atc",
    "sdk_hidden_context": "shcx",
}


def new_id(kind: str) -> str:
    """An id for a new ``kind`` (``"thread"``, ``"message"``...): its prefix and 80 random bits.

    ChatKit's default ids carry 32 random bits: in a long-lived store of thousands of threads
    a collision (which an upsert would turn into silently merged threads) becomes plausible.
    """
    return f"{_PREFIXES.get(kind, kind)}_{uuid.uuid4().hex[:20]}"


def page_of(rows: list[Row], limit: int) -> Page[Row]:
    """A page of the first ``limit`` rows; a query asks for ``limit + 1`` to know if more follow.

    The cursor (``after``) is the page's last id, only when there is a next page.
    """
    data = rows[:limit]
    has_more = len(rows) > limit
    return Page(data=data, has_more=has_more, after=data[-1].id if has_more and data else None)
