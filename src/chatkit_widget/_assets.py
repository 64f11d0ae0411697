"""The UI's assets: code the front end asks for the first time a reply needs it.

KaTeX, highlight.js, the widget renderer and the conversation panel are not in the bundle a
chat's display sends
(``js/src/assets/``); a cell widget asks its kernel for them over the comm, once per page, and
gets the module's code as a binary buffer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

ASSETS_DIR = Path(__file__).parent / "static" / "assets"
#: Exactly the names the front end asks for (js/src/assets/registry.ts): no path comes in.
ASSET_NAMES = frozenset({"katex", "highlight", "widgets", "history"})


class AssetReply(TypedDict, total=False):
    kind: str
    id: str
    name: str
    error: str


def asset_reply(request: dict[str, object]) -> tuple[AssetReply, list[bytes]] | None:
    """The reply to an ``{"kind": "asset", "id", "name"}`` message: the code, or an error.

    ``None`` when the message is not an asset request at all.
    """
    request_id, name = request.get("id"), request.get("name")
    if request.get("kind") != "asset" or not isinstance(request_id, str):
        return None
    if not isinstance(name, str) or name not in ASSET_NAMES:
        return {"kind": "asset", "id": request_id, "error": f"unknown asset {name!r}"}, []
    try:
        code = (ASSETS_DIR / f"{name}.js").read_bytes()
    except OSError:
        error = f"the {name} asset is not built (cd js && npm run build)"
        return {"kind": "asset", "id": request_id, "error": error}, []
    return {"kind": "asset", "id": request_id, "name": name}, [code]
