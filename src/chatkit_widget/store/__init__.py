"""Conversation storage: ``ChatStore``, what the widget needs from a ChatKit ``Store``.

``SQLiteStore`` (a local file) and ``PostgresStore`` (a database server shared by many
processes and hosts) implement it natively; ``as_chat_store`` wraps any other ChatKit ``Store``
in a ``StoreAdapter``. See ``store._base`` for the interface and why it is asynchronous.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chatkit.store import Store

from ._adapter import StoreAdapter, as_chat_store
from ._base import ChatStore, RunningTurn, StoreUnavailableError
from ._postgres import PostgresStore, is_postgres_url, redacted
from ._sqlite import SQLiteStore

__all__ = [
    "ChatStore",
    "PostgresStore",
    "RunningTurn",
    "SQLiteStore",
    "StoreAdapter",
    "StoreUnavailableError",
    "as_chat_store",
    "default_store_path",
    "open_store",
    "resolve_store",
]


def default_store_path() -> Path:
    """``<jupyter data dir>/chatkit_widget/chats.sqlite``, where conversations live by default."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "chatkit_widget" / "chats.sqlite"


def open_store(spec: str | Path) -> SQLiteStore | PostgresStore:
    """The store ``spec`` names: a ``postgresql://`` URL, a SQLite file, or ``":memory:"``.

    Raises:
        ValueError: for any other URL (``sqlite://...``, ``mysql://...``): it is not a file
            name, and taking it for one would quietly keep conversations somewhere unexpected;
            and for a folder.
    """
    if isinstance(spec, str) and "://" in spec:
        if is_postgres_url(spec):
            return PostgresStore(spec)
        raise ValueError(
            f"store {redacted(spec)!r} is a URL this package cannot open: give a SQLite file "
            "path, ':memory:', or a postgresql:// URL"
        )
    if str(spec) != ":memory:" and Path(spec).expanduser().is_dir():
        raise ValueError(
            f"store {str(spec)!r} is a folder: give a SQLite file path, "
            f"e.g. {str(Path(spec) / 'chats.sqlite')!r}"
        )
    return SQLiteStore(spec)


def resolve_store(store: Store[Any] | str | Path | None) -> ChatStore:
    """Turn the ``store=`` argument of ``ChatWidget`` into a ``ChatStore``.

    Raises:
        TypeError: for anything that is not a path, a URL, ``":memory:"``, ``None`` or a
            ``Store``.
        ValueError: for a URL that is not ``postgresql://``.
    """
    if store is None:
        return SQLiteStore(default_store_path())
    if isinstance(store, Store):
        return as_chat_store(store)
    if isinstance(store, (str, Path)):
        return open_store(store)
    raise TypeError(
        "store must be a path, ':memory:', a postgresql:// URL, or a chatkit.store.Store, "
        f"not {type(store).__name__}"
    )
