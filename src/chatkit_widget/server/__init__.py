"""Serve an openai-agents ``Agent`` over HTTP (needs the ``serve`` extra).

Example:
    ```python
    from chatkit_widget.server import create_app, mint_token

    app = create_app(agent, store="chats.sqlite", secret=secret)
    token = mint_token("alice", secret=secret)

    # Or tokens from an OpenID Connect provider, checked against its published keys:
    app = create_app(agent, store="chats.sqlite", oidc=OIDCSettings(
        jwks_url="https://idp.example.com/.well-known/jwks.json",
        issuer="https://idp.example.com/", audience="chat-api"))
    ```
"""

from __future__ import annotations

from .._agent_target import TargetError, load_target
from ._app import create_app
from ._auth import MissingSecretError, TokenError, mint_token, verify_token
from ._oidc import OIDCSettings

__all__ = [
    "MissingSecretError",
    "OIDCSettings",
    "TargetError",
    "TokenError",
    "create_app",
    "load_target",
    "mint_token",
    "verify_token",
]
