"""KaTeX, highlight.js and the widget renderer reach a page only when a reply needs them.

The bundle a chat's display sends leaves them out (js/src/assets/); the front end asks the
kernel for each over the comm, and gets the module's code as a binary buffer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import pytest

from chatkit_widget import ChatWidget
from chatkit_widget._assets import ASSET_NAMES, ASSETS_DIR

from .conftest import FrontEnd

#: What displaying a chat may send at most (issue 13); the bundle is most of it.
DISPLAY_BUDGET = 250_000


@pytest.fixture
def replies(front_end: FrontEnd, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[bytes]]]:
    """What the widget sends its comm (ipywidgets' ``Widget.send``), with the buffers."""
    sent: list[tuple[Any, list[bytes]]] = []

    def record(widget: object, content: Any, buffers: list[bytes] | None = None) -> None:
        assert widget is front_end.chat
        sent.append((content, buffers or []))

    monkeypatch.setattr(anywidget.AnyWidget, "send", record)
    return sent


@pytest.mark.parametrize("name", sorted(ASSET_NAMES))
def test_each_asset_comes_back_as_its_built_code(
    front_end: FrontEnd, replies: list[tuple[Any, list[bytes]]], name: str
) -> None:
    front_end.send({"kind": "asset", "id": f"a-{name}", "name": name})
    assert replies == [
        (
            {"kind": "asset", "id": f"a-{name}", "name": name},
            [(ASSETS_DIR / f"{name}.js").read_bytes()],
        )
    ]
    assert front_end.received == [], "not a ChatKit envelope: the bridge never saw it"


@pytest.mark.parametrize("name", ["../_widget", "index", "static/assets/katex", None, 3])
def test_anything_but_an_asset_name_is_refused_with_a_reason(
    front_end: FrontEnd, replies: list[tuple[Any, list[bytes]]], name: object
) -> None:
    front_end.send({"kind": "asset", "id": "x", "name": name})
    assert replies == [({"kind": "asset", "id": "x", "error": f"unknown asset {name!r}"}, [])]


def test_an_unbuilt_asset_says_how_to_build_it(
    front_end: FrontEnd,
    replies: list[tuple[Any, list[bytes]]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr("chatkit_widget._assets.ASSETS_DIR", tmp_path)
    front_end.send({"kind": "asset", "id": "k", "name": "katex"})
    assert replies == [
        (
            {
                "kind": "asset",
                "id": "k",
                "error": "the katex asset is not built (cd js && npm run build)",
            },
            [],
        )
    ]


def test_the_bundle_a_display_sends_leaves_the_assets_out() -> None:
    bundle = ChatWidget._esm
    code = bundle.read_text() if isinstance(bundle, Path) else str(bundle)
    assert len(code.encode()) < DISPLAY_BUDGET - 10_000, "room for the display's state and headers"
    for marker in ["KaTeX_Main-Regular", "registerLanguage", "ckw-w-chart", "ckw-history-search"]:
        assert marker not in code, f"{marker!r}: an asset was bundled into the UI core"
    katex = (ASSETS_DIR / "katex.js").read_text()
    assert "KaTeX_Main-Regular" in katex and "data:font/woff2;base64," in katex
