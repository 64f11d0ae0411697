"""The Jupyter server extension: the sidebar's ChatKit server, inside the Jupyter server.

Enabled on install (``jupyter_server_config.d``). Importing this module must stay cheap, since
Jupyter imports it at start-up: the agent, ChatKit and the store load on the first request.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "chatkit_widget.jupyter"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    from ._routes import add_routes

    add_routes(server_app)
