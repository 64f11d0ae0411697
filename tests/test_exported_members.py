"""The public surface: every package's ``__all__`` is pinned here, and old names keep working.

A name added to or dropped from an ``__all__`` fails here first, on purpose: the change is
then a decision (and a CHANGELOG line), not an accident of an import.
"""

from __future__ import annotations

import importlib
import types
import warnings

import pytest

import chatkit_widget

PUBLIC: dict[str, list[str]] = {
    "chatkit_widget": [
        "AgentBackend",
        "Backend",
        "BackendError",
        "ChatError",
        "ChatKitBackend",
        "ChatWidget",
        "OfflineDemoModel",
        "PostgresStore",
        "RetryConfig",
        "SQLiteStore",
        "SSEBackend",
        "WidgetAction",
        "ask_user",
        "notify",
        "show_widget",
    ],
    "chatkit_widget.backends": [
        "AgentBackend",
        "Backend",
        "BackendError",
        "ChatKitBackend",
        "RetryConfig",
        "SSEBackend",
        "WidgetAction",
    ],
    "chatkit_widget.demo": ["OfflineDemoModel", "TaskList", "demo_agent"],
    "chatkit_widget.server": [
        "MissingSecretError",
        "OIDCSettings",
        "TargetError",
        "TokenError",
        "create_app",
        "load_target",
        "mint_token",
        "verify_token",
    ],
    "chatkit_widget.store": [
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
    ],
}

#: (module, old name, module, new name): each old name still works, with a DeprecationWarning.
DEPRECATED = [
    ("chatkit_widget", "demo_agent", "chatkit_widget.demo", "demo_agent"),
]


@pytest.mark.parametrize(("module_name", "names"), PUBLIC.items(), ids=list(PUBLIC))
def test_all_is_pinned_and_sorted(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__ == names
    assert names == sorted(names)


@pytest.mark.parametrize(("module_name", "names"), PUBLIC.items(), ids=list(PUBLIC))
def test_every_public_name_is_there_and_has_a_docstring(module_name: str, names: list[str]) -> None:
    module = importlib.import_module(module_name)
    for name in names:
        value = getattr(module, name)
        # Its own docstring: a class's __doc__ is not inherited, a function's is its own.
        assert (value.__doc__ or "").strip(), f"{module_name}.{name} has no docstring"


def test_the_top_level_exports_exactly_its_all() -> None:
    """Nothing public leaks from the top level: no helper imported there without a ``_``."""
    for name in chatkit_widget.__all__:  # imported on first use: load them all
        getattr(chatkit_widget, name)
    leaked = {
        name
        for name, value in vars(chatkit_widget).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)  # subpackages and modules
        and name != "annotations"  # from __future__ import annotations
    }
    assert leaked == set(chatkit_widget.__all__)


def test_the_version_is_public_but_not_in_all() -> None:
    assert isinstance(chatkit_widget.__version__, str)
    assert "__version__" not in chatkit_widget.__all__


@pytest.mark.parametrize(("module_name", "old", "new_module", "new"), DEPRECATED)
def test_an_old_name_still_works_with_a_deprecation_warning(
    module_name: str, old: str, new_module: str, new: str
) -> None:
    module = importlib.import_module(module_name)
    with pytest.warns(DeprecationWarning, match=rf"{module_name}\.{old} is deprecated") as record:
        value = getattr(module, old)
    assert value is getattr(importlib.import_module(new_module), new)
    assert f"use {new_module}.{new}" in str(record[0].message)
    assert record[0].filename == __file__  # the warning points at the code that asked
    assert old not in getattr(module, "__all__", [])


def test_from_import_of_an_old_top_level_name_warns() -> None:
    with pytest.warns(DeprecationWarning, match="chatkit_widget.demo.demo_agent"):
        from chatkit_widget import demo_agent
    from chatkit_widget.demo import demo_agent as current

    assert demo_agent is current


def test_a_current_name_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from chatkit_widget import ChatWidget, OfflineDemoModel  # noqa: F401
        from chatkit_widget.demo import demo_agent  # noqa: F401


@pytest.mark.parametrize("module_name", [m for m, *_ in DEPRECATED])
def test_an_unknown_name_is_still_an_attribute_error(module_name: str) -> None:
    module = importlib.import_module(module_name)
    with pytest.raises(AttributeError, match=f"module '{module_name}' has no attribute 'nope'"):
        module.nope  # noqa: B018
