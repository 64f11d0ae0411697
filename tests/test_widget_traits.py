"""Every public synced trait of ``ChatWidget`` documents its type, default and read-only-ness.

The docs are the string right after each trait in ``widget.py`` (lonboard's style, which API
doc tools pick up). Read from the source, since Python keeps no such string at runtime.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from typing import Any

import pytest

from chatkit_widget import ChatWidget

FIELDS = re.compile(
    r"^- Type: (?P<type>.+)\n- Default: (?P<default>.+)\n- Read-only: (?P<read_only>yes|no)$",
    re.MULTILINE,
)
READ_ONLY = {"model_label", "offline", "features", "image_origins"}  # set from the backend


def trait_docs() -> dict[str, str]:
    """Each trait assignment in ``ChatWidget``'s body -> the string that follows it."""
    (cls,) = (
        node
        for node in ast.parse(inspect.getsource(sys.modules[ChatWidget.__module__])).body
        if isinstance(node, ast.ClassDef) and node.name == "ChatWidget"
    )
    docs: dict[str, str] = {}
    for statement, after in zip(cls.body, cls.body[1:], strict=False):
        if isinstance(statement, ast.Assign):
            target = statement.targets[0]
        elif isinstance(statement, ast.AnnAssign):
            target = statement.target
        else:
            continue
        if (
            isinstance(target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[target.id] = inspect.cleandoc(after.value.value)
    return docs


def public_synced_traits() -> dict[str, Any]:
    return {
        name: trait
        for name, trait in ChatWidget.class_own_traits(sync=True).items()
        if not name.startswith("_")
    }


DOCS = trait_docs()


def test_there_are_public_synced_traits_to_check() -> None:
    assert set(public_synced_traits()) >= {"thread_id", "theme", "offline", "features"}


@pytest.mark.parametrize("name", sorted(public_synced_traits()))
def test_a_public_trait_documents_its_type_default_and_read_only(name: str) -> None:
    doc = DOCS.get(name)
    assert doc is not None, f"ChatWidget.{name} has no docstring after it"
    summary, _, _ = doc.partition("\n")
    assert summary.strip(), f"ChatWidget.{name}: no one-line summary"
    fields = FIELDS.search(doc)
    assert fields is not None, f"ChatWidget.{name}: no '- Type: / - Default: / - Read-only:' lines"
    assert fields["read_only"] == ("yes" if name in READ_ONLY else "no")


@pytest.mark.parametrize("name", sorted(set(public_synced_traits()) - READ_ONLY))
def test_a_writable_traits_documented_default_is_its_default(name: str) -> None:
    fields = FIELDS.search(DOCS[name])
    assert fields is not None
    literal = re.match(r"``(.+?)``", fields["default"])
    assert literal is not None, f"ChatWidget.{name}: the default is not a ``literal``"
    documented = ast.literal_eval(literal[1])
    assert documented == public_synced_traits()[name].default()
