"""Old public names that keep working, with a ``DeprecationWarning`` saying what replaced them."""

from __future__ import annotations

import warnings
from collections.abc import Mapping


def deprecated_name(module: str, name: str, renamed: Mapping[str, tuple[str, object]]) -> object:
    """The body of a module's ``__getattr__``: serve an old name, or fail as Python would.

    Args:
        module: The module's ``__name__``.
        name: The attribute asked for.
        renamed: Old name -> (the new name as users should write it, the object).

    Raises:
        AttributeError: for a name that was never there, as a module without ``__getattr__``.
    """
    try:
        new, value = renamed[name]
    except KeyError:
        raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    # stacklevel 3: past this helper and the module's __getattr__, to the code that asked.
    warnings.warn(
        f"{module}.{name} is deprecated and will be removed; use {new}",
        DeprecationWarning,
        stacklevel=3,
    )
    return value
