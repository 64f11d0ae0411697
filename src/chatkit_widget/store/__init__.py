"""Conversation storage: ChatKit ``Store`` implementations."""

from __future__ import annotations

from pathlib import Path

from chatkit.store import Store

from .sqlite import SQLiteStore

__all__ = ["SQLiteStore", "default_store_path", "resolve_store"]


def default_store_path() -> Path:
    """``<jupyter data dir>/chatkit_widget/chats.sqlite``, where conversations live by default."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "chatkit_widget" / "chats.sqlite"


def resolve_store(store: Store | str | Path | None) -> Store:
    """Turn the ``store=`` argument of ``ChatWidget`` into a ``Store``.

    Raises:
        TypeError: for anything that is not a path, ``":memory:"``, ``None`` or a ``Store``.
    """
    if store is None:
        return SQLiteStore(default_store_path())
    if isinstance(store, Store):
        return store
    if isinstance(store, (str, Path)):
        return SQLiteStore(store)
    raise TypeError(
        f"store must be a path, ':memory:', or a chatkit.store.Store, not {type(store).__name__}"
    )
