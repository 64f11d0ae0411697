"""Versions of an edited message: an edit keeps the earlier question and everything after it.

Editing a sent message rewrites the thread from that message on. Rather than discarding what
it replaces, the thread's metadata keeps each version of that stretch (the message and every
item after it), so the user can switch back and forth (``< 1/2 >`` on the message). The
store holds only the version shown; the model sees only that one. ChatKit never sends thread
metadata to clients, so the archived items cost nothing on the wire.

Layout, under ``metadata["chatkit_widget.versions"]``: for each edited message id, a list of
versions in the order they were written; the one shown is ``None`` (its items are in the
store), the others are ``{"items": [item JSON...], "versions": {...}}``, where ``versions``
holds the entries of messages edited inside that stretch (they come back with it).

A version is kept as the JSON text of that object (threads written before hold the object
itself; both are read). ChatKit compares the thread with a deep copy of it after every event
it streams, to notice a change; a string is one comparison, where the object was all of its
items', every token, and a long stretch cost more per token than the token itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from chatkit.types import ThreadItem, ThreadMetadata
from pydantic import TypeAdapter

#: The thread metadata key of the versions.
VERSIONS = "chatkit_widget.versions"
#: The custom action that shows another version: ``{"item_id": ..., "index": ...}``.
VERSION_ACTION = "chatkit_widget.version"

_ITEM: TypeAdapter[ThreadItem] = TypeAdapter(ThreadItem)

Entries = list[str | dict[str, Any] | None]


def _table(thread: ThreadMetadata) -> dict[str, Entries]:
    table = thread.metadata.get(VERSIONS)
    if not isinstance(table, dict):
        table = thread.metadata[VERSIONS] = {}
    return table


def version_info(thread: ThreadMetadata, item_id: str) -> dict[str, int] | None:
    """``{"index": shown, "count": n}`` for a message with more than one version, else None."""
    entries = thread.metadata.get(VERSIONS, {}).get(item_id)
    if not isinstance(entries, list) or len(entries) < 2 or None not in entries:
        return None
    return {"index": entries.index(None), "count": len(entries)}


def _archive(table: dict[str, Entries], stretch: Sequence[ThreadItem]) -> str:
    """The stretch as a stored version; versions of messages inside it leave the table."""
    inner = {item.id: table.pop(item.id) for item in stretch[1:] if item.id in table}
    items = [item.model_dump(mode="json") for item in stretch]
    return json.dumps({"items": items, "versions": inner})


def record_edit(thread: ThreadMetadata, stretch: Sequence[ThreadItem]) -> None:
    """Keep `stretch` (the edited message and what follows it) as a version; the edit is next."""
    table = _table(thread)
    message_id = stretch[0].id
    entries = table.get(message_id) or [None]
    entries[entries.index(None)] = _archive(table, stretch)
    entries.append(None)
    table[message_id] = entries


def switch_to(
    thread: ThreadMetadata, stretch: Sequence[ThreadItem], index: int
) -> list[ThreadItem]:
    """Show version `index` of the message that starts `stretch` (the version shown now).

    Records the shown one as a version and returns the items to put back in its place.

    Raises:
        ValueError: when the message has no such version.
    """
    table = _table(thread)
    message_id = stretch[0].id
    entries = table.get(message_id)
    if not entries or not 0 <= index < len(entries) or entries[index] is None:
        raise ValueError(f"This message has no version {index + 1} to show.")
    kept = entries[index]
    assert kept is not None
    chosen: dict[str, Any] = json.loads(kept) if isinstance(kept, str) else kept
    entries[entries.index(None)] = _archive(table, stretch)
    entries[index] = None
    table.update(chosen.get("versions", {}))
    return [_ITEM.validate_python(item) for item in chosen["items"]]
