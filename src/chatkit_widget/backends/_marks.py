"""What a loaded item says beyond ChatKit's JSON: stopped, incomplete, feedback, versions.

ChatKit records a stop only as a hidden item the client never receives, a cut-off reply as our
own hidden note, feedback not at all, and an edit's versions in the thread's metadata; without
these marks a reloaded thread could show none of them. Both hosts of the ChatKit server add them
to what they read: the in-process backend (notebook, sidebar) and ``serve``'s ``/chatkit`` (so a
remote client sees the same). Clients that do not know the fields ignore them.
"""

from __future__ import annotations

from typing import Any

from chatkit.types import ThreadMetadata

from .._chatkit_json import JSONObject
from .._messages import is_incomplete_note, is_interrupted_note, is_stop_note
from ..store import ChatStore
from ._versions import version_info


async def mark_items(store: ChatStore, thread_id: str, body: JSONObject, context: Any) -> None:
    """Mark the items of an ``items.list`` page or a ``threads.get_by_id`` thread, in place.

    Replies get ``"stopped"`` (by the user), ``"incomplete"`` (cut off; with ``"interrupted"``
    when their process died); rated items ``"feedback"``; edited messages ``"versions"``.
    """
    page = body.get("items", body)
    feedback = await store.load_feedback(thread_id, context)
    thread = await store.load_thread(thread_id, context)
    for item in page.get("data", []):
        if item["id"] in feedback:
            item["feedback"] = feedback[item["id"]]
        if item.get("type") == "user_message":
            with_versions(item, thread)
        if item.get("type") == "assistant_message":
            await mark_reply(store, thread_id, item, context)


async def mark_reply(store: ChatStore, thread_id: str, item: JSONObject, context: Any) -> None:
    """Mark a stored reply ``"stopped"`` or ``"incomplete"`` from the hidden note after it."""
    # Only the item right after it: paging a long thread stays O(page).
    following = await store.load_thread_items(thread_id, item["id"], 1, "asc", context)
    if following.data and is_stop_note(following.data[0]):
        item["stopped"] = True
    elif following.data and is_incomplete_note(following.data[0]):
        item["incomplete"] = True
        if is_interrupted_note(following.data[0]):  # its process died, not the network
            item["interrupted"] = True


def with_versions(item: JSONObject, thread: ThreadMetadata) -> None:
    """Mark an edited message ``"versions": {"index", "count"}`` (`_versions`)."""
    info = version_info(thread, item["id"])
    if info is not None:
        item["versions"] = info
