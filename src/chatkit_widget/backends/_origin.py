"""The notebook a conversation started from: recorded with the thread, shown by History.

A host that knows which notebook the user is in (the JupyterLab sidebar) sends its path in
ChatKit's own request ``metadata``: on a request that starts a turn, the thread records it (once:
the notebook it *started* from); on ``threads.list``, only that notebook's threads are listed.
ChatKit never sends thread metadata to clients, so the listing adds this one key back.
"""

from __future__ import annotations

from typing import Any

from chatkit.types import ThreadMetadata

from .._chatkit_json import ChatKitRequest, JSONObject
from ._base import BackendError

#: Thread metadata: the path of the notebook the conversation started from.
NOTEBOOK = "chatkit_widget.notebook"
#: A path longer than this is not a notebook path.
MAX_PATH = 1024


def request_notebook(request: ChatKitRequest) -> str | None:
    """The notebook path a request names in its ``metadata``, if any.

    Raises:
        BackendError: ``metadata.notebook`` is there but not a notebook path.
    """
    metadata = request.get("metadata")
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise BackendError('"metadata" must be a JSON object.')
    path = metadata.get("notebook")
    if path is None:
        return None
    if not isinstance(path, str) or not path.strip() or len(path) > MAX_PATH:
        raise BackendError(
            f'"metadata.notebook" must be a notebook path (text of 1 to {MAX_PATH} characters).'
        )
    return path


def remember_notebook(thread: ThreadMetadata, context: dict[str, Any]) -> None:
    """A turn starts: a thread not yet tied to a notebook records the one it came from.

    Set on the thread ChatKit is streaming, so ChatKit's own save after the turn's events keeps
    it (a separate save meanwhile would be overwritten).
    """
    path = context.get("notebook")
    if isinstance(path, str) and NOTEBOOK not in thread.metadata:
        thread.metadata[NOTEBOOK] = path


def notebook_of(thread: ThreadMetadata) -> str | None:
    """The notebook a thread started from, if it recorded one."""
    path = thread.metadata.get(NOTEBOOK)
    return path if isinstance(path, str) else None


def with_notebook(thread_json: JSONObject, path: str | None) -> JSONObject:
    """A thread as ChatKit serialises it, with its notebook in ``metadata`` for the client."""
    if path is not None:
        thread_json["metadata"] = {"notebook": path}
    return thread_json
