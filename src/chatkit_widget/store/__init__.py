"""Conversation storage: ``ChatStore``, what the widget needs from a ChatKit ``Store``.

``SQLiteStore`` implements it natively; ``as_chat_store`` wraps any other ChatKit ``Store`` in
a ``StoreAdapter``. See ``store.base`` for the interface and why it is asynchronous.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatkit.store import Store

from ._adapter import StoreAdapter, as_chat_store
from ._base import ChatStore, RunningTurn
from ._sqlite import SQLiteStore

__all__ = [
    "ChatStore",
    "RunningTurn",
    "SQLiteStore",
    "StoreAdapter",
    "as_chat_store",
    "default_store_path",
    "resolve_store",
]


def default_store_path() -> Path:
    """``<jupyter data dir>/chatkit_widget/chats.sqlite``, where conversations live by default."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "chatkit_widget" / "chats.sqlite"


def resolve_store(store: Store[Any] | str | Path | None) -> ChatStore:
    """Turn the ``store=`` argument of ``ChatWidget`` into a ``ChatStore``.

    Raises:
        TypeError: for anything that is not a path, ``":memory:"``, ``None`` or a ``Store``.
    """
    if store is None:
        return SQLiteStore(default_store_path())
    if isinstance(store, Store):
        return as_chat_store(store)
    if isinstance(store, (str, Path)):
        return SQLiteStore(store)
    raise TypeError(
        f"store must be a path, ':memory:', or a chatkit.store.Store, not {type(store).__name__}"
    )
